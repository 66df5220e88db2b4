"""What the validator needs to know about the OWL ontology: its classes, their hierarchy, its properties.

The ontology (``ontology/drugkg.ttl``) is the single source of truth for entity types and attribute properties:
the data may only use a class or property the ontology declares, and attribute claims must respect the
declared ``rdfs:domain`` and ``rdfs:range`` (a ``owl:unionOf`` list counts as each of its members).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path

import pyoxigraph as ox

from drugkg.errors import UsageError
from drugkg.vocab import DKG, DKG_NS, OWL, RDF, RDFS, XSD

# Classes whose properties are bookkeeping of claims, quantities and sources, never entity attributes.
NOT_ATTRIBUTE_DOMAINS = (
    "Claim", "ArmRate", "Quantity", "Unit", "Schedule", "SourceDocument", "DocumentSection", "ExternalIdentifier",
    "ClaimDifference",
)

# What kind of YAML value a datatype property takes, by its rdfs:range.
VALUE_KINDS = {
    XSD.boolean.value: "bool",
    XSD.integer.value: "integer",
    XSD.string.value: "string",  # a code or number as stated, with no language (an application number)
    RDF.prefix + "langString": "text",
    XSD.date.value: "date",
    XSD.gYear.value: "date",
    XSD.gYearMonth.value: "date",
    DKG_NS + "partialDate": "date",
}


@dataclass(frozen=True)
class PropertyInfo:
    name: str
    kind: str  # "object", "datatype" or "annotation"
    domain: frozenset[str]  # local names of dkg classes (empty: any)
    range: frozenset[str]  # local names of dkg classes, or full datatype IRIs for datatype properties


@dataclass
class OntologyModel:
    """Classes, class hierarchy and properties of the dkg namespace, read from the ontology file."""

    classes: set[str] = field(default_factory=set)
    ancestors: dict[str, set[str]] = field(default_factory=dict)  # reflexive and transitive
    properties: dict[str, PropertyInfo] = field(default_factory=dict)
    individuals: set[str] = field(default_factory=set)
    defined: set[str] = field(default_factory=set)  # classes with an owl:equivalentClass definition (inferred only)
    one_value_per_source: set[str] = field(default_factory=set)  # properties marked dkg:oneValuePerSource true
    labels: dict[str, str] = field(default_factory=dict)  # each dkg term's English rdfs:label ("has route")
    version_iri: ox.NamedNode | None = None

    def is_a(self, cls: str, target: str) -> bool:
        """True when ``cls`` is ``target`` or one of its subclasses."""
        return target in self.ancestors.get(cls, {cls})

    @cached_property
    def attribute_properties(self) -> tuple[str, ...]:
        """Properties an attribute claim may use: those with a domain that is an entity class (sorted)."""
        return tuple(sorted(
            name for name, info in self.properties.items()
            if any(not any(self.is_a(d, n) for n in NOT_ATTRIBUTE_DOMAINS) for d in info.domain)
        ))

    @cached_property
    def claim_classes(self) -> tuple[str, ...]:
        """The concrete claim classes: every subclass of dkg:Claim (sorted)."""
        return tuple(sorted(c for c in self.classes if c != "Claim" and self.is_a(c, "Claim")))

    def value_kind(self, prop: str) -> str | None:
        """For a datatype property, the YAML value kind its range asks for (bool, integer, text, string or date)."""
        info = self.properties.get(prop)
        if info is None or info.kind != "datatype":
            return None
        kinds = {VALUE_KINDS.get(r) for r in info.range}
        return kinds.pop() if len(kinds) == 1 and None not in kinds else None

    def conforms(self, cls: str, targets: frozenset[str] | set[str]) -> bool:
        """True when ``cls`` is (a subclass of) any of ``targets``; an empty target set accepts anything."""
        return not targets or any(self.is_a(cls, t) for t in targets)


def _local(term: ox.NamedNode) -> str | None:
    value = term.value
    return value[len(DKG_NS):] if value.startswith(DKG_NS) else None


def _members(store: ox.Store, node: ox.NamedNode | ox.BlankNode) -> list:
    """The classes a domain/range node stands for: itself, or the members of its owl:unionOf list."""
    union = [q.object for q in store.quads_for_pattern(node, OWL.unionOf, None)]
    if not union:
        return [node]
    members, item = [], union[0]
    while item != RDF.nil:
        members.extend(q.object for q in store.quads_for_pattern(item, RDF.first, None))
        item = next(q.object for q in store.quads_for_pattern(item, RDF.rest, None))
    return members


def turtle_error(exc: SyntaxError, path: Path, what: str) -> UsageError:
    """pyoxigraph's syntax error in the Turtle file ``path`` (the ``what``) as a usage error (exit code 2) naming
    the file, line and column, with the parser's message.

    >>> exc = SyntaxError("Parser error at line 3 column 7: ] is not a valid subject", ("o.ttl", 3, 7, None, 3, 8))
    >>> print(turtle_error(exc, Path("o.ttl"), "ontology"))
    o.ttl:3:7: the ontology is not valid Turtle: ] is not a valid subject (fix the Turtle at this line and column)
    """
    from drugkg.reader import display_path

    message = re.sub(r"^Parser error (at|between) [^:]*: ", "", exc.msg or str(exc))
    return UsageError(f"{display_path(path)}:{exc.lineno or 1}:{exc.offset or 1}: the {what} is not valid Turtle: "
                      f"{message} (fix the Turtle at this line and column)")


@lru_cache(maxsize=4)
def load_ontology(path: Path) -> OntologyModel:
    """Read the ontology file into an :class:`OntologyModel` (cached per path); UsageError if it is not Turtle."""
    store = ox.Store()
    try:
        store.load(path=str(path), format=ox.RdfFormat.TURTLE)
    except SyntaxError as exc:
        raise turtle_error(exc, path, "ontology") from None
    model = OntologyModel()
    for quad in store.quads_for_pattern(None, RDF.type, OWL.Class):
        if isinstance(quad.subject, ox.NamedNode) and (name := _local(quad.subject)):
            model.classes.add(name)
    parents: dict[str, set[str]] = {c: set() for c in model.classes}
    for quad in store.quads_for_pattern(None, RDFS.subClassOf, None):
        child = _local(quad.subject) if isinstance(quad.subject, ox.NamedNode) else None
        parent = _local(quad.object) if isinstance(quad.object, ox.NamedNode) else None
        if child and parent:
            parents.setdefault(child, set()).add(parent)
    for cls in parents:
        seen, todo = {cls}, [cls]
        while todo:
            for parent in parents.get(todo.pop(), ()):
                if parent not in seen:
                    seen.add(parent)
                    todo.append(parent)
        model.ancestors[cls] = seen
    kinds = {OWL.ObjectProperty: "object", OWL.DatatypeProperty: "datatype", OWL.AnnotationProperty: "annotation"}
    for rdf_type, kind in kinds.items():
        for quad in store.quads_for_pattern(None, RDF.type, rdf_type):
            name = _local(quad.subject) if isinstance(quad.subject, ox.NamedNode) else None
            if not name:
                continue
            domain = {
                _local(m)
                for q in store.quads_for_pattern(quad.subject, RDFS.domain, None)
                for m in _members(store, q.object)
            }
            ranges = set()
            for q in store.quads_for_pattern(quad.subject, RDFS.range, None):
                for m in _members(store, q.object):
                    ranges.add(_local(m) if kind == "object" else m.value)
            model.properties[name] = PropertyInfo(
                name, kind, frozenset(d for d in domain if d), frozenset(r for r in ranges if r)
            )
    for quad in store.quads_for_pattern(None, OWL.equivalentClass, None):
        if isinstance(quad.subject, ox.NamedNode) and (name := _local(quad.subject)) in model.classes:
            model.defined.add(name)
    for quad in store.quads_for_pattern(None, DKG.oneValuePerSource, ox.Literal(True)):
        if isinstance(quad.subject, ox.NamedNode) and (name := _local(quad.subject)):
            model.one_value_per_source.add(name)
    model.version_iri = next((q.object for q in store.quads_for_pattern(None, OWL.versionIRI, None)), None)
    for quad in store.quads_for_pattern(None, RDFS.label, None):
        name = _local(quad.subject) if isinstance(quad.subject, ox.NamedNode) else None
        if name and isinstance(quad.object, ox.Literal) and quad.object.language in (None, "en"):
            model.labels[name] = quad.object.value
    for quad in store.quads_for_pattern(None, RDF.type, OWL.NamedIndividual):
        if isinstance(quad.subject, ox.NamedNode) and (name := _local(quad.subject)):
            model.individuals.add(name)
    return model
