"""Validation and reasoning: SHACL shapes with their invalid fixtures, HermiT's verdicts, inferred classifications.

Shape fixtures (tests/fixtures/shapes/NAME.ttl) start with ``# expect: FOCUS | SHAPE | MESSAGE`` lines: exactly
those results must come back. Reasoning fixtures (tests/fixtures/reasoning/) are appended to the real ontology.
"""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib

from drugkg import engine
from drugkg.cli import main
from drugkg.ontology import load_ontology
from drugkg.reason import reason
from drugkg.rules import classify_data, unsupported
from drugkg.validate import shacl_results
from drugkg.vocab import DKG_NS, RDF
from tests.conftest import DATA, HEMGENIX_CLAIMS, LABELS, ONTOLOGY, QUERIES, ROOT

SHAPES = ROOT / "ontology" / "shapes.ttl"
SHAPE_FIXTURES = ROOT / "tests" / "fixtures" / "shapes"
REASONING = ROOT / "tests" / "fixtures" / "reasoning"
SH = rdflib.Namespace("http://www.w3.org/ns/shacl#")
HEMGENIX = ox.NamedNode("https://w3id.org/drugkg/id/hemgenix")
RDF_TYPE = rdflib.RDF.type


def node_shapes() -> dict[str, str]:
    """Fixture stem (kebab-case of the shape name without 'Shape') -> node shape IRI."""
    graph = rdflib.Graph().parse(SHAPES)
    shapes = {}
    for shape in graph.subjects(RDF_TYPE, SH.NodeShape):
        name = str(shape).rsplit("#", 1)[1].removesuffix("Shape")
        shapes[re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "-", name).lower()] = str(shape)
    return shapes


def expected_results(path: Path) -> set[tuple[str, str, str]]:
    found = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("# expect:"):
            focus, shape, message = (part.strip() for part in line.removeprefix("# expect:").split("|", 2))
            found.add((focus.strip("<>"), shape.strip("<>"), message))
    return found


def as_ntriples(path: Path) -> str:
    return ox.serialize(ox.parse(path=str(path), format=ox.RdfFormat.TURTLE), format=ox.RdfFormat.N_TRIPLES).decode()


def test_every_node_shape_has_a_fixture_and_every_fixture_a_shape():
    assert sorted(p.stem for p in SHAPE_FIXTURES.glob("*.ttl")) == sorted(node_shapes())


@pytest.mark.parametrize("fixture", sorted(p.stem for p in SHAPE_FIXTURES.glob("*.ttl")))
def test_invalid_fixture_fails_with_its_expected_message(fixture):
    path = SHAPE_FIXTURES / f"{fixture}.ttl"
    expected = expected_results(path)
    assert expected, f"{path} states no '# expect:' line"
    results = shacl_results(as_ntriples(path), ONTOLOGY, SHAPES)
    assert {(r.focus, _expand(r.shape), r.message) for r in results} == {(f, _expand(s), m) for f, s, m in expected}


def _expand(name: str) -> str:
    return name.replace("dkgsh:", "https://w3id.org/drugkg/shapes#")


@pytest.mark.parametrize("labels", [False, True], ids=["hemgenix", "with-labels"])
def test_the_real_data_passes_every_layer(labels, request, capsys):
    built = request.getfixturevalue("built_labels" if labels else "built")
    option = ["--labels", str(LABELS)] if labels else ["--no-labels"]
    assert main(["validate", "--data", str(DATA), "--ontology", str(ONTOLOGY), *option]) == 0
    out = capsys.readouterr().out.splitlines()
    counts = built.compiled.counts
    inferred = (built.out / "inferred.ttl")
    n_inferred = sum(1 for _ in ox.parse(path=str(inferred), format=ox.RdfFormat.TURTLE))
    checks = len(list((QUERIES / "checks").glob("*-violation.rq")))
    assert out[:3] == [
        f"Valid: {counts['triples']} triples ({counts['claims']} claims, {counts['entities']} entities) "
        f"from {len(built.compiled.files)} data files" + (" and 6 labels." if labels else "."),
        f"  data-quality checks: {checks} run, no violations",
        "  SHACL shapes (shapes.ttl): no violations",
    ]
    reasoning = re.fullmatch(
        r"  OWL reasoning \(HermiT\): consistent, no unsatisfiable classes; (\d+) class memberships inferred, among "
        r"them the defined classes AAVGeneTherapy, DisputedClaim, MonitoredDrug, SeriousAdverseEventAssociation; "
        r"(\d+) more from the class hierarchy \(the superclasses of every type\)", out[3])
    assert reasoning and len(out) == 4, out
    assert int(reasoning[1]) + int(reasoning[2]) == n_inferred  # the build writes both to the inferred graph
    if not labels:
        assert int(reasoning[1]) == 14  # as test_sparql_classification_gives_hermits_answers_on_the_real_data says


def test_a_build_keeps_of_each_record_its_kind_id_file_and_line(built):
    from drugkg.build import compile_graph

    full = compile_graph(DATA, ONTOLOGY)
    kept = built.compiled.data
    assert [(r.kind, r.id, r.file, r.line, r.index) for r in kept.records] == \
        [(r.kind, r.id, r.file, r.line, r.index) for r in full.data.records]
    assert {k: (r.file, r.line) for k, r in kept.by_id.items()} == {k: (r.file, r.line) for k, r in full.data.by_id.items()}
    assert {tuple(r.data) for r in kept.records} <= {("id",), ()}  # no other field
    assert kept.metadata.data == full.data.metadata.data
    assert built.compiled.context.records is kept.by_id
    assert built.compiled.context.iris == full.context.iris


def test_defined_classes_are_inferred_and_never_asserted(built):
    defined = {ox.NamedNode(DKG_NS + name) for name in load_ontology(ONTOLOGY.resolve()).defined}
    assert len(defined) == 4
    asserted = {q.triple for q in ox.parse(path=str(built.out / "drugkg.nt"), format=ox.RdfFormat.N_TRIPLES)}
    inferred = {q.triple for q in ox.parse(path=str(built.out / "inferred.ttl"), format=ox.RdfFormat.TURTLE)}
    assert not [t for t in asserted if t.predicate == RDF.type and t.object in defined]
    assert {t.object for t in inferred if t.object in defined} == defined
    assert ox.Triple(HEMGENIX, RDF.type, ox.NamedNode(DKG_NS + "AAVGeneTherapy")) in inferred
    assert ox.Triple(HEMGENIX, RDF.type, ox.NamedNode(DKG_NS + "MonitoredDrug")) in inferred
    assert not asserted & inferred, "inferred triples repeat asserted ones"
    classes = {q.subject for q in ox.parse(path=str(ONTOLOGY), format=ox.RdfFormat.TURTLE)
               if q.predicate == RDF.type and q.object == ox.NamedNode("http://www.w3.org/2002/07/owl#Class")}
    assert all(t.predicate == RDF.type and t.object in classes for t in inferred)


def test_the_inferred_graph_holds_the_superclasses_of_every_type(built):
    """The data assert a resource's most specific class only; the inferred graph adds every named class above it
    (issue 17, item 7: ``?x a dkg:Claim`` found nothing), so a query for a general class finds every member."""
    prefixes = "PREFIX dkg: <https://w3id.org/drugkg/ontology#>\nPREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
    count = prefixes + "SELECT (COUNT(*) AS ?n) WHERE { ?x a dkg:Claim }"
    assert [r["n"].value for r in engine.run_local(built.store, count)] == [str(HEMGENIX_CLAIMS)]
    asserted_only = engine.write_store(None, built.compiled.ntriples, ONTOLOGY)
    assert [r["n"].value for r in engine.run_local(asserted_only, count)] == ["0"]  # no claim is asserted a dkg:Claim
    inferred = {q.triple for q in ox.parse(path=str(built.out / "inferred.ttl"), format=ox.RdfFormat.TURTLE)}
    claim = ox.NamedNode(DKG_NS + "Claim")
    assert len({t.subject for t in inferred if t.object == claim}) == HEMGENIX_CLAIMS
    schema, prov = "http://schema.org/", "http://www.w3.org/ns/prov#"
    assert {t.object.value for t in inferred if t.subject == HEMGENIX} == {
        DKG_NS + "AAVGeneTherapy", DKG_NS + "MonitoredDrug",  # the reasoner's defined classes
        DKG_NS + "Intervention", schema + "Drug", schema + "MedicalEntity",  # above dkg:DrugProduct
    }
    indication = ox.NamedNode("https://w3id.org/drugkg/id/mono-indication-hemophilia-b")
    assert {t.object.value for t in inferred if t.subject == indication} == {DKG_NS + "Claim", prov + "Entity"}
    # closed: no resource of the data lacks a class directly above one of its classes
    missing = prefixes + """SELECT ?x ?above WHERE {
      ?x a ?class . ?class rdfs:subClassOf ?above . FILTER(isIRI(?above) && !STRSTARTS(STR(?x), STR(dkg:)))
      FILTER NOT EXISTS { ?x a ?above } }"""
    assert list(engine.run_local(built.store, missing)) == []


def test_inferred_triples_live_in_their_own_named_graph(built):
    graph = engine.inferred_graph(built.compiled.base)
    aav = ox.NamedNode(DKG_NS + "AAVGeneTherapy")
    assert [q.graph_name for q in built.store.quads_for_pattern(HEMGENIX, RDF.type, aav, None)] == [graph]


def test_saved_query_answers_aav_gene_therapies_from_inferred_triples(built):
    from drugkg.queries import catalogue

    query = catalogue(QUERIES)["aav-gene-therapies"]
    rows = list(engine.run_local(built.store, query.bind({})))
    assert [(r["drug"], r["serotypeLabel"].value) for r in rows] == [(HEMGENIX, "adeno-associated virus serotype 5")]
    asserted_only = engine.write_store(None, built.compiled.ntriples, ONTOLOGY)
    assert list(engine.run_local(asserted_only, query.bind({}))) == []


def test_reasoner_answers_match_the_defined_class_definitions(built):
    """The same classifications follow from SPARQL over the asserted chain that each definition names."""
    inferred = {(t.subject.value, t.object.value.rsplit("#", 1)[1])
                for t in ox.parse(path=str(built.out / "inferred.ttl"), format=ox.RdfFormat.TURTLE)
                if t.object.value.startswith(DKG_NS)}
    store = engine.write_store(None, built.compiled.ntriples, ONTOLOGY)
    prefix = "PREFIX dkg: <https://w3id.org/drugkg/ontology#>\nPREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
    definitions = {
        "AAVGeneTherapy": "?x a dkg:DrugProduct ; dkg:hasActiveSubstance ?c . ?c a dkg:GeneTherapyConstruct ; "
                          "dkg:hasVector/dkg:hasSerotype/a/rdfs:subClassOf* dkg:AAVSerotype .",
        "MonitoredDrug": "?x a dkg:DrugProduct . ?r dkg:drug ?x ; a dkg:TestRequirement ; dkg:phase dkg:Monitoring .",
        "SeriousAdverseEventAssociation": "?x a dkg:AdverseEventAssociation ; dkg:hasSeriousness dkg:Serious .",
        "DisputedClaim": "?x a/rdfs:subClassOf* dkg:Claim . ?d dkg:betweenClaim ?x ; dkg:hasDifferenceKind dkg:Contradiction .",
    }
    for name, pattern in definitions.items():
        expected = {r["x"].value for r in store.query(prefix + f"SELECT DISTINCT ?x WHERE {{ {pattern} }}",
                                                      use_default_graph_as_union=True)}
        assert expected and {s for s, c in inferred if c == name} == expected, name


def _ontology_with(fixture: str, tmp_path: Path) -> Path:
    path = tmp_path / "ontology.ttl"
    path.write_text(ONTOLOGY.read_text(encoding="utf-8") + "\n" + (REASONING / fixture).read_text(encoding="utf-8"))
    return path


def test_sparql_classification_gives_hermits_answers_on_the_real_data(built):
    """HermiT over the ontology and the whole graph, and HermiT over the ontology alone with the defined classes
    materialised by SPARQL (what the build runs), infer the same 14 class memberships (8 of them DisputedClaim: the
    claims of the 5 declared contradictions)."""
    ontology = [q.triple for q in ox.parse(path=str(ONTOLOGY), format=ox.RdfFormat.TURTLE)]
    assert unsupported(ontology) == []
    data = [q.triple for q in ox.parse(path=str(built.out / "drugkg.nt"), format=ox.RdfFormat.N_TRIPLES)]
    hermit = reason(ONTOLOGY, data)
    store = engine.write_store(None, built.compiled.ntriples, ONTOLOGY)
    before = len(store)
    sparql = classify_data(store, ontology)
    assert (sparql.consistent, sparql.unsatisfiable) == (hermit.consistent, hermit.unsatisfiable) == (True, [])
    assert sparql.inferred == hermit.inferred and len(hermit.inferred) == 14
    assert len(store) == before  # the working memberships are removed again
    inferred = {q.triple for q in ox.parse(path=str(built.out / "inferred.ttl"), format=ox.RdfFormat.TURTLE)}
    assert set(sparql.inferred) <= inferred  # and the build wrote them, with their superclasses


def test_an_ontology_beyond_the_sparql_fragment_is_reasoned_by_hermit_over_everything(tmp_path, capsys):
    ontology = tmp_path / "ontology.ttl"
    ontology.write_text(ONTOLOGY.read_text(encoding="utf-8") + "\ndkg:hasVector a owl:FunctionalProperty .\n")
    assert main(["validate", "--data", str(DATA), "--ontology", str(ontology)]) == 0
    assert ("drugkg: reasoning over the ontology and data with HermiT (the ontology uses "
            "http://www.w3.org/2002/07/owl#FunctionalProperty)") in capsys.readouterr().err.splitlines()


def test_reasoner_catches_an_inconsistent_ontology(built, tmp_path, capsys):
    ontology = _ontology_with("inconsistent.ttl", tmp_path)
    data = [q.triple for q in ox.parse(path=str(built.out / "drugkg.nt"), format=ox.RdfFormat.N_TRIPLES)]
    assert reason(ontology, data).consistent is False
    code = main(["validate", "--data", str(DATA), "--ontology", str(ontology)])
    err = [line for line in capsys.readouterr().err.splitlines() if not line.startswith("drugkg: ")]
    assert code == 1
    fix = "(remove one of the types, or the facts that imply it, or change the ontology's axioms)"
    line = next(n for n, text in enumerate(ontology.read_text().splitlines(), 1) if text.startswith("dkg:AAVGeneTherapy"))
    assert err == [
        f"{ontology}:{line}: dkg:AAVGeneTherapy: is unsatisfiable: nothing can be a member "
        "(fix the class's axioms (its superclasses or definition contradict each other))",
        f"data/hemgenix/entities.yaml:3: hemgenix: is a member of dkg:AAVGeneTherapy, which is unsatisfiable {fix}",
        "data/hemgenix/entities.yaml:3: hemgenix: is a member of dkg:DrugProduct and of dkg:AAVGeneTherapy, which the "
        f"ontology declares disjoint {fix}",
    ]


def test_reasoner_reports_an_unsatisfiable_class_with_its_line(tmp_path, capsys):
    ontology = _ontology_with("unsatisfiable.ttl", tmp_path)
    line = next(n for n, text in enumerate(ontology.read_text().splitlines(), 1) if text.startswith("dkg:ImpossibleClaim"))
    code = main(["validate", "--data", str(DATA), "--ontology", str(ontology)])
    err = [line for line in capsys.readouterr().err.splitlines() if not line.startswith("drugkg: ")]
    assert code == 1
    assert err == [f"{ontology}:{line}: dkg:ImpossibleClaim: is unsatisfiable: nothing can be a member "
                   "(fix the class's axioms (its superclasses or definition contradict each other))"]


def test_missing_java_is_a_tool_error_with_the_install_hint(monkeypatch, capsys):
    import owlready2

    monkeypatch.setattr(owlready2, "JAVA_EXE", "/nonexistent/java")
    assert main(["validate", "--data", str(DATA), "--ontology", str(ONTOLOGY)]) == 2
    assert capsys.readouterr().err.splitlines()[-1] == (
        "drugkg: error: the OWL reasoner HermiT needs Java, and '/nonexistent/java' was not found: install a Java "
        "runtime (Java 17 works; on Debian: apt-get install default-jre-headless) and put 'java' on PATH"
    )


EXTRA_SHAPE = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix dkg: <https://w3id.org/drugkg/ontology#> .
@prefix dkgsh: <https://w3id.org/drugkg/shapes#> .
dkgsh:TestShortReasonShape a sh:NodeShape ;
    sh:targetClass dkg:NonIndication ;
    sh:property dkgsh:TestShortReason-reason .
dkgsh:TestShortReason-reason sh:path dkg:reason ; sh:maxLength 10 ;
    sh:message "states its reason in more than 10 characters (a test rule)" .
"""


def test_a_violation_names_rule_record_label_file_and_line_and_build_refuses(tmp_path, capsys):
    shapes = tmp_path / "shapes.ttl"
    shapes.write_text(SHAPES.read_text(encoding="utf-8") + EXTRA_SHAPE)
    code = main(["validate", "--data", str(DATA), "--ontology", str(ONTOLOGY), "--shapes", str(shapes)])
    err = [line for line in capsys.readouterr().err.splitlines() if not line.startswith("drugkg: ")]
    assert code == 1
    line = next(n for n, t in enumerate((DATA / "hemgenix" / "indications.yaml").read_text().splitlines(), 1)
                if t.strip() == "- id: mono-nonind-hemophilia-a")
    assert err[0] == (
        f"data/hemgenix/indications.yaml:{line}: mono-nonind-hemophilia-a (Hemgenix not indicated for hemophilia A "
        "(drug monograph, Other Approved & Off-Label Uses)): "
        "states its reason in more than 10 characters (a test rule) (rule dkgsh:TestShortReason-reason; value "
        "'The payload is the factor IX gene, while hemophilia A needs factor VIII.')"
    )
    assert len(err) == 3 and all(": states its reason in more than 10 characters" in e for e in err)
    out = tmp_path / "dist"
    out.mkdir()
    code = main(["build", "--data", str(DATA), "--ontology", str(ONTOLOGY), "--shapes", str(shapes), "--out", str(out)])
    assert code == 1 and list(out.iterdir()) == []
