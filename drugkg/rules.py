"""Reasoning that scales with the data: HermiT classifies the ontology alone, SPARQL classifies the data.

HermiT over the ontology and the data together (:func:`drugkg.reason.reason`) costs minutes at a million triples.
But the ontology's class expressions stay in a small fragment of OWL (intersections, existential restrictions,
values, inverse and symmetric properties, unions), where membership of a defined class is a graph pattern. So:

1. HermiT classifies the ontology without the data (:func:`drugkg.reason.classify`): is it consistent, which
   classes are unsatisfiable, and every subsumption, told or inferred. This costs the same at any data size.
2. Each defined class (a named class with an ``owl:equivalentClass`` expression) becomes a SPARQL pattern, run over
   the store until no new member appears (a definition may use another defined class).
3. A resource is inconsistent with the ontology when it belongs to an unsatisfiable class, or to two classes declared
   disjoint: SPARQL again.
4. What comes back is what :func:`drugkg.reason.reason` returns: each resource's new most specific classes.

Only an ontology inside that fragment is classified this way (:func:`unsupported` lists what falls outside it; the
build then runs HermiT over everything). Typing by ``rdfs:domain`` and ``rdfs:range`` is not inferred here: the
data-quality checks ``property-domain-violation`` and ``property-range-violation`` already require every resource to
carry a type that satisfies them, so on valid data such typing adds nothing. A test compares the result with
HermiT's over the whole graph.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from drugkg.queries import curie
from drugkg.reason import Classification, Reasoned, classify
from drugkg.vocab import DKG_NS, OWL, RDF, RDFS

SCRATCH = ox.NamedNode("urn:drugkg:rules:scratch")  # memberships found so far, removed at the end
OWL_NS = OWL.prefix
# The OWL vocabulary the SPARQL classification understands; any other owl: term in the ontology sends the build
# to HermiT over the whole graph.
SUPPORTED_OWL = {
    OWL_NS + name
    for name in ("Class", "ObjectProperty", "DatatypeProperty", "AnnotationProperty", "NamedIndividual",
                 "Restriction", "Ontology", "SymmetricProperty", "Thing", "equivalentClass", "intersectionOf",
                 "unionOf", "someValuesFrom", "hasValue", "onProperty", "inverseOf", "disjointWith", "versionIRI",
                 "versionInfo", "imports", "deprecated")
}
UNSUPPORTED_RDFS = {RDFS.subPropertyOf.value}


def unsupported(ontology: list[ox.Triple]) -> list[str]:
    """The OWL terms in ``ontology`` that the SPARQL classification does not understand (sorted, without repeats).

    >>> unsupported([ox.Triple(ox.NamedNode("https://e.org/p"), RDF.type, OWL.FunctionalProperty)])
    ['http://www.w3.org/2002/07/owl#FunctionalProperty']
    """
    found = set()
    for triple in ontology:
        for term in (triple.predicate, triple.object):
            if isinstance(term, ox.NamedNode) and (
                (term.value.startswith(OWL_NS) and term.value not in SUPPORTED_OWL) or term.value in UNSUPPORTED_RDFS
            ):
                found.add(term.value)
    return sorted(found)


@dataclass
class _Expressions:
    """Reads class expressions out of the ontology triples."""

    triples: list[ox.Triple]

    def __post_init__(self):
        self.objects: dict[tuple, list] = {}
        for t in self.triples:
            self.objects.setdefault((t.subject, t.predicate), []).append(t.object)
        self.symmetric = {t.subject for t in self.triples if t.predicate == RDF.type and t.object == OWL.SymmetricProperty}
        self.counter = 0

    def one(self, node, predicate):
        values = self.objects.get((node, predicate), [])
        return values[0] if values else None

    def items(self, head) -> list:
        items = []
        while head is not None and head != RDF.nil:
            items.append(self.one(head, RDF.first))
            head = self.one(head, RDF.rest)
        return items

    def fresh(self) -> str:
        self.counter += 1
        return f"?v{self.counter}"

    def pattern(self, expression, var: str, subclasses: dict[str, set[str]]) -> str:
        """A SPARQL group pattern that binds ``var`` to the members of ``expression``."""
        if isinstance(expression, ox.NamedNode):
            if expression == OWL.Thing:
                return f"{var} {self.fresh()} {self.fresh()} ."
            kinds = " ".join(f"<{c}>" for c in sorted(subclasses.get(expression.value, {expression.value})))
            type_var = self.fresh()
            return f"{var} <{RDF.type.value}> {type_var} . VALUES {type_var} {{ {kinds} }}"
        if (parts := self.one(expression, OWL.intersectionOf)) is not None:
            return " ".join(self.pattern(part, var, subclasses) for part in self.items(parts))
        if (parts := self.one(expression, OWL.unionOf)) is not None:
            return " UNION ".join(f"{{ {self.pattern(part, var, subclasses)} }}" for part in self.items(parts))
        prop = self.one(expression, OWL.onProperty)
        if prop is None:
            raise ValueError(f"a class expression with no class, intersection, union or restriction ({expression})")
        path = self.path(prop)
        if (value := self.one(expression, OWL.hasValue)) is not None:
            return f"{var} {path} {value} ."
        filler = self.one(expression, OWL.someValuesFrom)
        if filler is None:
            raise ValueError(f"a restriction on {prop} that is neither someValuesFrom nor hasValue")
        other = self.fresh()
        return f"{var} {path} {other} . {self.pattern(filler, other, subclasses)}"

    def path(self, prop) -> str:
        if isinstance(prop, ox.NamedNode):
            return f"(<{prop.value}>|^<{prop.value}>)" if prop in self.symmetric else f"<{prop.value}>"
        inverse = self.one(prop, OWL.inverseOf)
        if inverse is None:
            raise ValueError(f"a property expression other than a property or its inverse ({prop})")
        return f"^<{inverse.value}>" if inverse not in self.symmetric else self.path(inverse)


def definitions(ontology: list[ox.Triple], subclasses: dict[str, set[str]]) -> dict[str, str]:
    """Each defined class (IRI) with the SPARQL query that lists its members as ``?member``."""
    expressions = _Expressions(ontology)
    queries = {}
    for triple in ontology:
        if triple.predicate == OWL.equivalentClass and isinstance(triple.subject, ox.NamedNode) \
                and not isinstance(triple.object, ox.NamedNode) \
                and expressions.one(triple.object, RDF.type) != RDFS.Datatype:
            pattern = expressions.pattern(triple.object, "?member", subclasses)
            queries[triple.subject.value] = f"SELECT DISTINCT ?member WHERE {{ {pattern} }}"
    return queries


def classify_data(store: ox.Store, ontology: list[ox.Triple], classification: Classification | None = None) -> Reasoned:
    """Classify the data in ``store`` (which must also hold the ontology, as the build's store does) against the
    ontology: see the module docstring. The store is left as it was."""
    classification = classification or classify(ontology)
    if not classification.consistent:
        return Reasoned(False, explanation=classification.explanation)
    subclasses = classification.subclasses
    queries = definitions(ontology, subclasses)
    found: set[tuple[ox.NamedNode, ox.NamedNode]] = set()
    try:
        while True:  # to a fixpoint: a definition may name another defined class
            new = set()
            for cls, query in queries.items():
                for row in store.query(query, use_default_graph_as_union=True):
                    member = row["member"]
                    pair = (member, ox.NamedNode(cls))
                    if isinstance(member, ox.NamedNode) and pair not in found:
                        new.add(pair)
            if not new:
                break
            found |= new
            for member, cls in new:
                store.add(ox.Quad(member, RDF.type, cls, SCRATCH))
        clashes = _clashes(store, ontology, classification)
    finally:
        store.remove_graph(SCRATCH)
    if clashes:
        return Reasoned(False, classification.unsatisfiable,
                        explanation=f"{len(clashes)} resource(s) in classes that cannot share members", clashes=clashes)
    return Reasoned(True, classification.unsatisfiable, _most_specific(store, found, subclasses))


def _clashes(store: ox.Store, ontology: list[ox.Triple], classification: Classification) -> list[tuple[str, str]]:
    """(resource IRI, what is wrong) for each resource in an unsatisfiable class, or in two classes declared
    disjoint (by asserted or found types)."""
    subclasses = classification.subclasses
    messages = []

    def members(classes: set[str]) -> set[str]:
        if not classes:
            return set()
        kinds = " ".join(f"<{c}>" for c in sorted(classes))
        query = f"SELECT DISTINCT ?x WHERE {{ ?x <{RDF.type.value}> ?t . VALUES ?t {{ {kinds} }} }}"
        return {row["x"].value for row in store.query(query, use_default_graph_as_union=True)}

    for cls in classification.unsatisfiable:
        for x in sorted(members(subclasses.get(cls, {cls}))):
            messages.append((x, f"is a member of {curie(cls)}, which is unsatisfiable"))
    for t in ontology:
        if t.predicate == OWL.disjointWith and isinstance(t.subject, ox.NamedNode) and isinstance(t.object, ox.NamedNode):
            a, b = t.subject.value, t.object.value
            for x in sorted(members(subclasses.get(a, {a})) & members(subclasses.get(b, {b}))):
                messages.append((x, f"is a member of {curie(a)} and of {curie(b)}, which the ontology declares disjoint"))
    return messages


def _most_specific(store: ox.Store, found: set, subclasses: dict[str, set[str]]) -> list[ox.Triple]:
    """The found memberships that are new and most specific: not asserted, and not implied by another type of the
    same resource (asserted or found) through the class hierarchy."""
    ancestors: dict[str, set[str]] = {}
    for cls, below in subclasses.items():
        for sub in below:
            ancestors.setdefault(sub, set()).add(cls)
    types: dict[ox.NamedNode, set[str]] = {}
    for member, cls in found:
        types.setdefault(member, set()).add(cls.value)
    for member in list(types):
        for quad in store.quads_for_pattern(member, RDF.type, None, ox.DefaultGraph()):
            types[member].add(quad.object.value)
    asserted = {(q.subject, q.object.value) for m in types for q in store.quads_for_pattern(m, RDF.type, None, ox.DefaultGraph())}
    inferred = []
    for member, cls in found:
        if (member, cls.value) in asserted or not cls.value.startswith(DKG_NS):
            continue
        implied = any(cls.value in ancestors.get(other, ()) for other in types[member] if other != cls.value)
        if not implied:
            inferred.append(ox.Triple(member, RDF.type, cls))
    return sorted(inferred, key=str)


def superclasses(ontology: list[ox.Triple]) -> dict[ox.NamedNode, set[ox.NamedNode]]:
    """Each named class of ``ontology`` with every named class above it (not itself, not ``owl:Thing``): the
    ``rdfs:subClassOf`` closure, where a defined class is under each named class its ``owl:equivalentClass``
    intersection names (``dkg:DisputedClaim`` is a ``dkg:Claim``).

    >>> C, D, E = (ox.NamedNode(f"https://e.org/{n}") for n in "CDE")
    >>> above = superclasses([ox.Triple(C, RDFS.subClassOf, D), ox.Triple(D, RDFS.subClassOf, E)])
    >>> sorted(n.value for n in above[C])
    ['https://e.org/D', 'https://e.org/E']
    """
    expressions = _Expressions(ontology)
    direct: dict[ox.NamedNode, set[ox.NamedNode]] = {}
    for t in ontology:
        if not isinstance(t.subject, ox.NamedNode):
            continue
        if t.predicate == RDFS.subClassOf:
            parents = [t.object]
        elif t.predicate == OWL.equivalentClass and (parts := expressions.one(t.object, OWL.intersectionOf)) is not None:
            parents = expressions.items(parts)
        else:
            continue
        direct.setdefault(t.subject, set()).update(
            p for p in parents if isinstance(p, ox.NamedNode) and p not in (OWL.Thing, t.subject))
    closed: dict[ox.NamedNode, set[ox.NamedNode]] = {}

    def above(cls: ox.NamedNode, seen: frozenset) -> set[ox.NamedNode]:
        if cls not in closed:
            found = set()
            for parent in direct.get(cls, ()):
                if parent not in seen:  # a cycle of subclass axioms makes its classes equivalent: stop going round
                    found |= {parent} | above(parent, seen | {parent})
            closed[cls] = found - {cls}
        return closed[cls]

    return {cls: above(cls, frozenset({cls})) for cls in direct}


def superclass_memberships(store: ox.Store, ontology: list[ox.Triple], inferred: list[ox.Triple]) -> list[ox.Triple]:
    """The memberships that follow from the class hierarchy: for every type of a resource, asserted (the default
    graph of ``store``) or ``inferred`` (the new classifications), each named class above it, unless the resource
    already has that type. Sorted, without repeats.

    Putting these in the inferred graph makes ``?x a dkg:Claim`` find every claim, as a user expects, where the
    data assert only the most specific class (``dkg:Indication``).
    """
    above = superclasses(ontology)
    pairs = " ".join(f"({t} {a})" for t, ancestors in sorted(above.items(), key=lambda item: item[0].value)
                     for a in sorted(ancestors, key=lambda n: n.value))
    found: set[ox.Triple] = set()
    if pairs:
        query = (f"SELECT DISTINCT ?x ?super WHERE {{ ?x <{RDF.type.value}> ?type . VALUES (?type ?super) {{ {pairs} }} "
                 f"FILTER(isIRI(?x)) FILTER NOT EXISTS {{ ?x <{RDF.type.value}> ?super }} }}")
        found = {ox.Triple(row["x"], RDF.type, row["super"]) for row in store.query(query)}
    new = set(inferred)
    for triple in inferred:
        for ancestor in above.get(triple.object, ()):
            candidate = ox.Triple(triple.subject, RDF.type, ancestor)
            if candidate not in new and not any(store.quads_for_pattern(triple.subject, RDF.type, ancestor,
                                                                         ox.DefaultGraph())):
                found.add(candidate)
    return sorted(found - new, key=str)
