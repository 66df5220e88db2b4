"""Ontology lint: metadata, labels, definitions, examples, domains and ranges, unique labels, and every term the
data uses is declared."""

from __future__ import annotations

import re
from collections import Counter

import pytest
import rdflib
from rdflib import OWL, RDF, RDFS, SKOS, Namespace

from drugkg.vocab import DKG_NS, ONTOLOGY_IRI
from tests.conftest import ONTOLOGY

DCTERMS = Namespace("http://purl.org/dc/terms/")


@pytest.fixture(scope="module")
def onto() -> rdflib.Graph:
    return rdflib.Graph().parse(str(ONTOLOGY))


def _terms(onto, rdf_type):
    return sorted(s for s in onto.subjects(RDF.type, rdf_type) if str(s).startswith(DKG_NS))


def _all_terms(onto):
    kinds = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty, OWL.NamedIndividual)
    return sorted({t for k in kinds for t in _terms(onto, k)})


def test_ontology_metadata(onto):
    ontology = rdflib.URIRef(ONTOLOGY_IRI)
    assert (ontology, RDF.type, OWL.Ontology) in onto
    for predicate in (DCTERMS.title, DCTERMS.description, DCTERMS.creator, OWL.versionInfo):
        assert onto.value(ontology, predicate), f"ontology lacks {predicate}"
    assert isinstance(onto.value(ontology, DCTERMS.license), rdflib.URIRef), "license must be an IRI"
    version_iri = str(onto.value(ontology, OWL.versionIRI))
    assert re.fullmatch(re.escape(ONTOLOGY_IRI) + r"/\d{4}-\d{2}-\d{2}", version_iri), version_iri


def test_every_term_has_label_definition_and_example(onto):
    problems = []
    for term in _all_terms(onto):
        labels = [l for l in onto.objects(term, RDFS.label) if l.language == "en"]
        if len(labels) != 1:
            problems.append(f"{term}: {len(labels)} English labels")
        if len(list(onto.objects(term, SKOS.definition))) != 1:
            problems.append(f"{term}: needs exactly one skos:definition")
        is_individual = (term, RDF.type, OWL.NamedIndividual) in onto
        if not is_individual and not list(onto.objects(term, SKOS.example)):
            problems.append(f"{term}: no skos:example")
    assert not problems, "\n".join(problems)


def test_every_property_has_domain_and_range(onto):
    problems = []
    for kind in (OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty):
        for prop in _terms(onto, kind):
            for predicate in (RDFS.domain, RDFS.range):
                if onto.value(prop, predicate) is None:
                    problems.append(f"{prop}: no {predicate}")
    assert not problems, "\n".join(problems)


def test_labels_are_unique(onto):
    labels = Counter(str(onto.value(t, RDFS.label)).lower() for t in _all_terms(onto))
    assert [label for label, n in labels.items() if n > 1] == []


def test_size_stays_small(onto):
    """The design asks for tens of classes and properties, not hundreds: a guard against sprawl."""
    assert len(_terms(onto, OWL.Class)) < 85  # 80 with the claim differences, their kinds and summary statistics
    props = sum(len(_terms(onto, k)) for k in (OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty))
    # 135 with dkg:citedLine and dkg:fileHash; 146 with the declared differences (betweenClaim, hasDifferenceKind,
    # oneValuePerSource) and the roles that hold what the seeds' notes held (manifestationOf, scheduleEnd, ...);
    # 148 with biologicalRole, firstIdentifiedIn and resultInterpretation, the last notes that were facts
    assert props < 150


def test_every_term_used_in_data_is_declared(onto, built):
    declared = set(map(str, _all_terms(onto)))
    used = set()
    for line in built.compiled.ntriples.splitlines():
        subject, predicate, obj = line[:-2].split(" ", 2)
        used.add(predicate.strip("<>"))
        if predicate == f"<{RDF.type}>":
            used.add(obj.strip("<>"))
        if obj.startswith(f"<{DKG_NS}"):
            used.add(obj.strip("<>"))
    undeclared = sorted(u for u in used if u.startswith(DKG_NS) and u not in declared)
    assert undeclared == []


def test_external_classes_and_properties_used_are_declared(onto):
    """OWL 2 DL needs every IRI used as a class or property in an axiom to be declared."""
    used = set(onto.objects(None, RDFS.subClassOf)) | set(onto.objects(None, RDFS.domain)) | set(onto.objects(None, RDFS.range))
    undeclared = sorted(
        str(u) for u in used
        if isinstance(u, rdflib.URIRef) and not str(u).startswith(str(rdflib.XSD)) and (u, RDF.type, None) not in onto
        and u not in (RDFS.Literal, RDFS.Resource, RDF.langString, RDF.Property, OWL.Thing)
    )
    assert undeclared == []
