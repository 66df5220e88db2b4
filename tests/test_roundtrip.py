"""Every export re-parses to the built graph (provenance included), with rdflib and with pyoxigraph;
builds are deterministic; there are no blank nodes; the base IRI is configurable."""

from __future__ import annotations

import os
import subprocess
import sys

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.compare import graph_diff, to_isomorphic

from drugkg.build import build
from drugkg.export import EXPORTS
from tests.conftest import DATA, LABELS, ONTOLOGY, SEEDS

RDFLIB_FORMATS = {".ttl": "turtle", ".nt": "nt", ".jsonld": "json-ld", ".rdf": "xml"}
OX_FORMATS = {".ttl": ox.RdfFormat.TURTLE, ".nt": ox.RdfFormat.N_TRIPLES, ".jsonld": ox.RdfFormat.JSON_LD,
              ".rdf": ox.RdfFormat.RDF_XML}


def _diff_message(expected: rdflib.Graph, actual: rdflib.Graph) -> str:
    _, only_expected, only_actual = graph_diff(to_isomorphic(expected), to_isomorphic(actual))
    lines = ["missing from the export:"] + sorted(f"  {t}" for t in only_expected.serialize(format="nt").splitlines() if t)
    lines += ["unexpected in the export:"] + sorted(f"  {t}" for t in only_actual.serialize(format="nt").splitlines() if t)
    return "\n".join(lines[:60])


@pytest.fixture(scope="module")
def reference(built_labels) -> rdflib.Graph:
    """The default graph (the curated data and the shared labels), as the build compiled it."""
    graph = rdflib.Graph()
    graph.parse(data=built_labels.compiled.ntriples, format="nt")
    return graph


@pytest.mark.parametrize("name", sorted(EXPORTS))
def test_export_reparses_isomorphic_with_rdflib(built_labels, reference, name):
    graph = rdflib.Graph()
    graph.parse(str(built_labels.out / name), format=RDFLIB_FORMATS["." + name.rsplit(".", 1)[1]])
    assert len(graph) == len(reference)
    assert to_isomorphic(graph) == to_isomorphic(reference), _diff_message(reference, graph)


@pytest.mark.parametrize("name", sorted(EXPORTS))
def test_export_reparses_identical_with_pyoxigraph(built_labels, name):
    expected = set(ox.parse(built_labels.compiled.ntriples.encode(), format=ox.RdfFormat.N_TRIPLES))
    actual = set(ox.parse(path=str(built_labels.out / name), format=OX_FORMATS["." + name.rsplit(".", 1)[1]]))
    assert actual == expected, f"{len(expected - actual)} triples lost, {len(actual - expected)} added"


def test_provenance_survives_every_export(built_labels):
    """Each export keeps every claim's source: the count of prov:wasDerivedFrom links is the claim count."""
    derived = ox.NamedNode("http://www.w3.org/ns/prov#wasDerivedFrom")
    for name in EXPORTS:
        triples = ox.parse(path=str(built_labels.out / name), format=OX_FORMATS["." + name.rsplit(".", 1)[1]])
        sources = [t for t in triples if t.predicate == derived]
        assert len(sources) == built_labels.compiled.counts["claims"], name


@pytest.mark.parametrize("name", sorted([*EXPORTS, "void.ttl"]))
def test_no_blank_nodes(built, name):
    fmt = OX_FORMATS["." + name.rsplit(".", 1)[1]]
    for triple in ox.parse(path=str(built.out / name), format=fmt):
        assert not isinstance(triple.subject, ox.BlankNode), triple
        assert not isinstance(triple.object, ox.BlankNode), triple


def test_two_builds_are_byte_identical(built, tmp_path):
    _, written = build(DATA, tmp_path / "again", ONTOLOGY, documents=SEEDS)
    assert sorted(p.name for p in written) == sorted(p.name for p in built.written)
    for path in written:
        assert path.read_bytes() == (built.out / path.name).read_bytes(), path.name


def test_a_build_in_another_process_is_byte_identical(built_labels, tmp_path):
    """The Turtle, JSON-LD and RDF/XML exports follow the in-memory store's order: it must not vary between
    processes (no per-process hashing or memory addresses). On the default graph: the curated data and the labels."""
    built = built_labels
    out = tmp_path / "elsewhere"
    cli = "import sys; from drugkg.cli import main; sys.exit(main(sys.argv[1:]))"
    subprocess.run([sys.executable, "-c", cli, "build", "--data", str(DATA), "--ontology", str(ONTOLOGY),
                    "--labels", str(LABELS), "--out", str(out)], check=True, capture_output=True,
                   env={**os.environ, "PYTHONHASHSEED": "12345"})
    for path in built.written:
        assert (out / path.name).read_bytes() == path.read_bytes(), path.name


def test_base_iri_is_configurable(built, tmp_path):
    compiled, _ = build(DATA, tmp_path / "other", ONTOLOGY, base_iri="https://example.org/kg/", documents=SEEDS)
    default_base = built.compiled.base
    assert default_base not in compiled.ntriples
    assert "<https://example.org/kg/hemgenix>" in compiled.ntriples
    assert compiled.counts == built.compiled.counts


def test_canonical_external_iris_are_reused(built):
    """Entities with a verified canonical IRI are that IRI, not a minted copy of it."""
    nt = built.compiled.ntriples
    assert "<http://purl.obolibrary.org/obo/MONDO_0010604> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> " \
           "<https://w3id.org/drugkg/ontology#Disease> ." in nt
    assert f"<{built.compiled.base}hemophilia-b>" not in nt


def test_void_counts_match_the_graph(built):
    void = rdflib.Graph().parse(str(built.out / "void.ttl"))
    dataset = rdflib.URIRef(built.compiled.base + "drugkg")
    voidns = rdflib.Namespace("http://rdfs.org/ns/void#")
    assert int(void.value(dataset, voidns.triples)) == built.compiled.counts["triples"]
    typed = {q.subject for q in built.store.quads_for_pattern(None, ox.NamedNode(str(rdflib.RDF.type)), None, ox.DefaultGraph())}
    assert int(void.value(dataset, voidns.entities)) == len(typed)
    dcterms = rdflib.Namespace("http://purl.org/dc/terms/")
    assert set(void.objects(dataset, dcterms.source)) == {
        rdflib.URIRef(built.compiled.base + d) for d in ("monograph", "medfinder-explainer")
    }
    assert str(void.value(dataset, rdflib.Namespace("http://www.w3.org/ns/dcat#").version)) == "0.1.0"
