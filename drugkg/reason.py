"""OWL reasoning with owlready2 and HermiT (Java): consistency, unsatisfiable classes, inferred classifications.

The reasoner sees the ontology and the asserted data, minus what HermiT cannot read: HermiT supports only the
OWL 2 datatype map, which has no ``xsd:date``, ``xsd:gYearMonth`` or ``xsd:gYear``, so literals of those types and
the ``dkg:partialDate`` datatype (their union) are left out of its input. Nothing the defined classes depend on is
a date, so no classification is lost.

What comes back is every new classification: a most specific class in the ``dkg:`` namespace that the ontology and
data entail for a resource and the data do not assert, chiefly the defined classes (``dkg:AAVGeneTherapy``, ...).
The build writes these to ``dist/inferred.ttl`` and to their own named graph in the store, never mixed into the
asserted data, together with the superclasses of every type (:func:`drugkg.rules.superclass_memberships`), which a
user's ``?x a dkg:Claim`` needs and should not have to spell as ``?x a/rdfs:subClassOf* dkg:Claim``.

owlready2 is imported only when reasoning runs, so the command line starts without it.
"""

from __future__ import annotations

import shutil
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from drugkg.errors import UsageError
from drugkg.vocab import DKG_NS, OWL, RDF, RDFS

# Datatypes of the OWL 2 datatype map (https://www.w3.org/TR/owl2-syntax/#Datatype_Maps) that occur in drugkg;
# a literal of any other datatype is kept out of the reasoner's input.
XSD_NS = "http://www.w3.org/2001/XMLSchema#"
OWL2_DATATYPES = {
    XSD_NS + name
    for name in ("string", "boolean", "decimal", "integer", "nonNegativeInteger", "positiveInteger", "double",
                 "float", "dateTime", "dateTimeStamp", "anyURI", "int", "long", "short", "byte")
} | {RDF.prefix + "langString", RDF.prefix + "PlainLiteral", RDF.prefix + "XMLLiteral"}
PARTIAL_DATE = ox.NamedNode(DKG_NS + "partialDate")
INSTALL_JAVA = "install a Java runtime (Java 17 works; on Debian: apt-get install default-jre-headless) and put 'java' on PATH"


@dataclass
class Reasoned:
    """The reasoner's verdict and the class memberships it inferred."""

    consistent: bool
    unsatisfiable: list[str] = field(default_factory=list)  # IRIs of classes that cannot have members
    inferred: list[ox.Triple] = field(default_factory=list)  # (individual, rdf:type, dkg class), not asserted
    explanation: str = ""
    clashes: list[tuple[str, str]] = field(default_factory=list)  # (resource IRI, why it is inconsistent), if known


def reasoner_input(ontology: ox.Store | list[ox.Triple], data: list[ox.Triple]) -> list[ox.Triple]:
    """The ontology and data triples HermiT can read (see the module docstring)."""
    kept = []
    for triple in [*ontology, *data]:
        obj = triple.object
        if isinstance(obj, ox.Literal) and obj.datatype.value not in OWL2_DATATYPES:
            continue
        if triple.subject == PARTIAL_DATE and triple.predicate == OWL.equivalentClass:
            continue
        if obj == PARTIAL_DATE and triple.predicate == RDFS.range:
            continue
        kept.append(triple)
    return kept


def reason(ontology_path: Path, data: list[ox.Triple], java: str | None = None) -> Reasoned:
    """Run HermiT over the ontology and ``data``; raise UsageError (exit 2) when Java cannot be run."""
    import owlready2

    ontology = [q.triple for q in ox.parse(path=str(ontology_path), format=ox.RdfFormat.TURTLE)]
    asserted = {(t.subject, t.object) for t in data if t.predicate == RDF.type}
    with _hermit(reasoner_input(ontology, data), java) as (world, failure):
        if failure:
            return Reasoned(False, explanation=failure)
        unsatisfiable = _unsatisfiable(world)
        inferred = set()
        for node in sorted({subject for subject, _ in asserted}, key=str):
            individual = world[node.value]
            if individual is None:
                continue
            for cls in individual.is_a:  # after reasoning: the most specific classes, asserted or inferred
                if isinstance(cls, owlready2.ThingClass) and cls.iri.startswith(DKG_NS):
                    type_ = ox.NamedNode(cls.iri)
                    if (node, type_) not in asserted:
                        inferred.add(ox.Triple(node, RDF.type, type_))
    return Reasoned(True, unsatisfiable, sorted(inferred, key=str))


@dataclass
class Classification:
    """HermiT's verdict on the ontology alone, and its class hierarchy (told and inferred subsumptions)."""

    consistent: bool
    unsatisfiable: list[str] = field(default_factory=list)
    subclasses: dict[str, set[str]] = field(default_factory=dict)  # class IRI -> itself and every class under it
    explanation: str = ""


def classify(ontology_triples: list[ox.Triple], java: str | None = None) -> Classification:
    """Run HermiT over the ontology without data: consistency, unsatisfiable classes and the inferred hierarchy.

    Its cost does not grow with the data, which :mod:`drugkg.rules` then classifies with SPARQL.
    """
    import owlready2

    with _hermit(reasoner_input(ontology_triples, []), java) as (world, failure):
        if failure:
            return Classification(False, explanation=failure)
        subclasses = {}
        for cls in world.classes():
            if isinstance(cls, owlready2.ThingClass) and cls.iri:
                subclasses[cls.iri] = {c.iri for c in cls.descendants(include_self=True)
                                       if isinstance(c, owlready2.ThingClass)}
        return Classification(True, _unsatisfiable(world), subclasses)


@contextmanager
def _hermit(triples: list[ox.Triple], java: str | None):
    """An owlready2 world holding ``triples`` after HermiT ran over it: (world, None), or (None, why) when the
    input is inconsistent; UsageError (exit 2) when Java cannot be run."""
    import owlready2

    java = java or owlready2.JAVA_EXE
    if shutil.which(java) is None:
        raise UsageError(f"the OWL reasoner HermiT needs Java, and '{java}' was not found: {INSTALL_JAVA}")
    with tempfile.TemporaryDirectory(prefix="drugkg-reason-") as folder:
        path = Path(folder) / "input.nt"
        ox.serialize(triples, str(path), format=ox.RdfFormat.N_TRIPLES)
        world = owlready2.World()
        onto = world.get_ontology(path.as_uri()).load(format="ntriples")
        previous_java = owlready2.JAVA_EXE
        owlready2.JAVA_EXE = java
        failure = None
        try:
            with onto:
                owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)
        except owlready2.OwlReadyInconsistentOntologyError as exc:
            failure = _java_message(exc) or "HermiT finds no model that satisfies both"
        except owlready2.OwlReadyJavaError as exc:
            raise UsageError(f"the OWL reasoner HermiT failed: {_java_message(exc)}") from None
        finally:
            owlready2.JAVA_EXE = previous_java
        try:
            yield (None, failure) if failure else (world, None)
        finally:
            world.close()


def _unsatisfiable(world) -> list[str]:
    import owlready2

    return sorted(c.iri for c in world.inconsistent_classes()
                  if isinstance(c, owlready2.ThingClass) and c is not owlready2.Nothing)


def _java_message(exc: Exception) -> str:
    """The first line of a Java exception that says what went wrong (not the stack trace)."""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    useful = [line for line in lines if not line.startswith("at ") and "Java error message" not in line]
    return " ".join(useful[:3])[:600]
