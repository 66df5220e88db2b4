"""Naming conventions and the namespace module: every DKG term in Python is declared in the ontology and the
other way round; record kinds, loader modules and the data-format docs agree."""

from __future__ import annotations

import re

import rdflib
from rdflib import OWL, RDF

import loaders
from drugkg.schema import specs
from drugkg.vocab import DKG, DKG_CLASSES, DKG_DATATYPES, DKG_INDIVIDUALS, DKG_NS, DKG_PROPERTIES
from tests.conftest import ONTOLOGY, ROOT


def _declared(kind) -> set[str]:
    graph = rdflib.Graph().parse(str(ONTOLOGY))
    return {str(s)[len(DKG_NS):] for s in graph.subjects(RDF.type, kind) if str(s).startswith(DKG_NS)}


def test_python_terms_match_the_ontology():
    properties = _declared(OWL.ObjectProperty) | _declared(OWL.DatatypeProperty) | _declared(OWL.AnnotationProperty)
    assert set(DKG_CLASSES) == _declared(OWL.Class)
    assert set(DKG_PROPERTIES) == properties
    assert set(DKG_INDIVIDUALS) == _declared(OWL.NamedIndividual)
    assert set(DKG_DATATYPES) == _declared(rdflib.RDFS.Datatype)


def test_undeclared_term_is_refused():
    try:
        DKG.NoSuchTerm  # noqa: B018
    except AttributeError as exc:
        assert "NoSuchTerm" in str(exc)
    else:
        raise AssertionError("an undeclared ontology term was accepted")


def test_naming_conventions():
    assert [c for c in DKG_CLASSES + DKG_INDIVIDUALS if not re.fullmatch(r"[A-Z][A-Za-z]*", c)] == []
    assert [p for p in DKG_PROPERTIES if not re.fullmatch(r"[a-z][A-Za-z]*", p)] == []
    assert [k for k in specs() if not re.fullmatch(r"[a-z]+(-[a-z]+)*", k)] == []


def case_clashes(names) -> list[list[str]]:
    """The groups of names that are the same but for case, each sorted.

    >>> case_clashes(["disease", "Disease", "drug"])
    [['Disease', 'disease']]
    """
    groups: dict[str, set[str]] = {}
    for name in names:
        groups.setdefault(name.casefold(), set()).add(name)
    return sorted(sorted(group) for group in groups.values() if len(group) > 1)


def test_no_two_terms_differ_only_by_case():
    """A property named like a class (dkg:disease beside dkg:Disease) let a query match nothing by a slip of case;
    the properties are now dkg:hasDisease and the like (issue 17, item 7). Every dkg: IRI the ontology mentions, and
    every term the namespace module declares, is one word whatever its case."""
    graph = rdflib.Graph().parse(str(ONTOLOGY))
    mentioned = {str(term)[len(DKG_NS):] for triple in graph for term in triple
                 if isinstance(term, rdflib.URIRef) and str(term).startswith(DKG_NS)}
    declared = set(DKG_CLASSES + DKG_INDIVIDUALS + DKG_PROPERTIES + DKG_DATATYPES)
    assert case_clashes(mentioned | declared) == []
    assert case_clashes(["disease", "Disease", "route", "Route", "drug"]) == [["Disease", "disease"], ["Route", "route"]]


def test_one_loader_module_per_kind():
    modules = {p.stem for p in (ROOT / "loaders").glob("*.py") if not p.stem.startswith("_")}
    assert modules == {k.replace("-", "_") for k in loaders.LOADERS}
    assert set(loaders.LOADERS) == set(specs())


def test_every_kind_and_field_is_documented():
    doc = (ROOT / "docs" / "data-format.md").read_text()
    for kind, spec in specs().items():
        assert f"`{kind}`" in doc, f"record kind {kind} is not documented in docs/data-format.md"
        for name in spec.fields:
            assert re.search(rf"\b{name}\b", doc), f"field {kind}.{name} is not documented"


def test_unknown_kind_lists_known_kinds():
    from drugkg.reader import LineDict
    from drugkg.schema import Record

    data = LineDict(id="x")
    data.line, data.key_lines = 1, {}
    try:
        loaders.load(Record("no-such-kind", data, "f.yaml", 0), None)
    except loaders.UnknownKind as exc:
        assert "indication" in str(exc) and "no-such-kind" in str(exc)
    else:
        raise AssertionError("an unknown kind was loaded")
