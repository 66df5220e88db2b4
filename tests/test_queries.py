"""Saved queries: headers, golden answers, every output format, data-quality checks and the CLI's errors.

Golden files are SPARQL TSV with the rows sorted (tests/golden/queries/NAME.tsv), each from the query run with its
header defaults on the real graph. ``pytest --update-golden`` rewrites them; review the diff before committing.
"""

from __future__ import annotations

import csv
import io
import re
import shutil

import pyoxigraph as ox
import pytest
from rdflib.plugins.sparql import prepareQuery

from drugkg import engine
from drugkg.build import build
from drugkg.cli import main, make_parser
from drugkg.errors import DataInvalid
from drugkg.queries import catalogue
from tests.conftest import DATA, ONTOLOGY, QUERIES, ROOT

GOLDEN = ROOT / "tests" / "golden" / "queries"
VIOLATIONS = ROOT / "tests" / "fixtures" / "violations"
ALL = catalogue(QUERIES)
SAVED = {name: q for name, q in ALL.items() if not name.startswith("checks/")}
CHECKS = {name: q for name, q in ALL.items() if name.startswith("checks/")}
TAGS = {"product", "mechanism", "indication", "dosing", "safety", "testing", "evidence", "guidance", "research",
        "provenance", "identifiers", "ontology", "statistics", "label", "check"}
# The label queries answer on the default graph (the Hemgenix data and the shared FDA labels); the others' golden
# answers are the Hemgenix graph's, and test_hemgenix_answers_are_unchanged_by_the_labels holds them on the default.
LABEL_QUERIES = {name for name, q in SAVED.items() if "label" in q.tags}
# The queries that list the whole graph, with the columns that name a row (the others are counts, which the labels
# raise): with the labels, they keep every Hemgenix row (by those columns) and add the labels' rows.
WHOLE_GRAPH = {"dataset-statistics": 1, "document-coverage": None, "identifier-crosswalk": None, "units": 3}


@pytest.fixture
def graph(request):
    """The graph a saved query's golden answer is for: ``built_labels`` for a label query (``built_versions`` for
    label-changes, which needs two versions of a label), else ``built``."""
    name = request.node.callspec.params["name"]
    if name == "label-changes":
        return request.getfixturevalue("built_versions")
    return request.getfixturevalue("built_labels" if name in LABEL_QUERIES else "built")


def run_saved(store: ox.Store, name: str):
    query = ALL[name]
    return engine.run_local(store, query.bind({}), name)


def test_there_are_at_least_twenty_saved_queries_and_six_checks():
    assert len(SAVED) >= 20, sorted(SAVED)
    assert len(CHECKS) >= 6, sorted(CHECKS)


@pytest.mark.parametrize("name", sorted(ALL))
def test_header_names_the_question_and_a_default_for_every_parameter(name):
    query = ALL[name]
    stem = name.removeprefix("checks/")
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", stem), "file names are kebab-case"
    if name.startswith("checks/"):
        assert stem.endswith("-violation") and not query.parameters and query.tags == ("check",)
        assert query.summary and not query.summary.endswith("?"), "a check's summary states its rule"
    else:
        assert query.summary.endswith("?"), "a saved query's summary is the question it answers"
        assert query.tags and set(query.tags) <= TAGS
    assert len(query.description) >= 40
    assert sorted(query.defaults) == sorted(p.name for p in query.parameters)
    assert query.form == "SELECT"


@pytest.mark.parametrize("name", sorted(ALL))
def test_query_parses_with_two_independent_parsers(name, built):
    text = ALL[name].bind({})
    engine.run_local(ox.Store(), text, name)  # pyoxigraph parses (and runs it on an empty store)
    prepareQuery(text)  # so does rdflib's parser


def test_every_query_has_a_golden_file_and_every_golden_file_a_query():
    golden = {p.stem for p in GOLDEN.glob("*.tsv")}
    assert sorted(golden - set(SAVED)) == [], "golden files without a query"
    assert sorted(set(SAVED) - golden) == [], "queries without a golden file (run pytest --update-golden)"


@pytest.mark.parametrize("name", sorted(SAVED))
def test_saved_query_matches_its_golden_answer(name, graph, update_golden):
    actual = engine.sorted_tsv(run_saved(graph.store, name))
    path = GOLDEN / f"{name}.tsv"
    if update_golden:
        GOLDEN.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8")
    assert path.is_file(), f"no golden file {path}; run pytest --update-golden and review it"
    assert actual == path.read_text(encoding="utf-8")
    assert actual.count("\n") >= 2, "a saved query answers with at least one row on the real data"


@pytest.mark.parametrize("name", sorted(set(SAVED) - LABEL_QUERIES))
def test_hemgenix_answers_are_unchanged_by_the_labels(name, built, built_labels):
    """Loading the labels changes no answer about Hemgenix: every query that is not a label query answers the same on
    the default graph as on the Hemgenix data alone, except the four that list the whole graph, which keep every
    Hemgenix row and add the labels' rows."""
    alone = engine.sorted_tsv(run_saved(built.store, name)).splitlines()
    with_labels = engine.sorted_tsv(run_saved(built_labels.store, name)).splitlines()
    assert with_labels[0] == alone[0]
    if name not in WHOLE_GRAPH:
        assert with_labels == alone
    else:
        columns = WHOLE_GRAPH[name]
        key = (lambda row: tuple(row.split("\t")[:columns])) if columns else (lambda row: row)
        assert {key(row) for row in alone} <= {key(row) for row in with_labels}
        assert len(with_labels) > len(alone)


def cli(capsysbinary, *argv: str) -> tuple[int, bytes, str]:
    code = main(list(argv))
    captured = capsysbinary.readouterr()
    return code, captured.out, captured.err.decode("utf-8")


@pytest.mark.parametrize("fmt", ["tsv", "json", "xml"])
@pytest.mark.parametrize("name", sorted(SAVED))
def test_cli_writes_every_results_format_and_it_parses_back(name, fmt, graph, capsysbinary):
    code, out, err = cli(capsysbinary, "query", name, "--store", str(graph.out), "--format", fmt)
    assert (code, err) == (0, "")
    parsed = ox.parse_query_results(out, format=engine.RESULT_FORMATS[fmt])
    assert engine.sorted_tsv(parsed) == (GOLDEN / f"{name}.tsv").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", sorted(SAVED))
def test_cli_csv_and_table_have_every_row(name, graph, capsysbinary):
    golden = (GOLDEN / f"{name}.tsv").read_text(encoding="utf-8").splitlines()
    names = [v.lstrip("?") for v in golden[0].split("\t")]
    code, out, _ = cli(capsysbinary, "query", name, "--store", str(graph.out), "--format", "csv")
    rows = list(csv.reader(io.StringIO(out.decode("utf-8"))))
    assert code == 0 and rows[0] == names and len(rows) == len(golden)
    code, out, _ = cli(capsysbinary, "query", name, "--store", str(graph.out))
    lines = out.decode("utf-8").splitlines()
    assert code == 0 and lines[0].split() == names
    count = len(golden) - 1
    assert re.fullmatch(rf"\({count} rows?(; long values shortened, use --format tsv or json for full values)?\)", lines[-1])
    assert len(lines) == count + 3


def test_table_is_readable(built, capsysbinary):
    code, out, _ = cli(capsysbinary, "query", "gene-therapies-by-serotype", "--store", str(built.out))
    text = out.decode("utf-8")
    assert code == 0
    assert "id:hemgenix" in text and "Hemgenix" in text and "https://" not in text


def test_ask_and_construct_from_a_file(built, capsysbinary, tmp_path):
    ask = tmp_path / "ask.rq"
    ask.write_text("ASK WHERE { ?d a <https://w3id.org/drugkg/ontology#DrugProduct> }")
    assert cli(capsysbinary, "query", "--file", str(ask), "--store", str(built.out))[:2] == (0, b"yes\n")
    construct = tmp_path / "c.rq"
    construct.write_text(
        "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
        "CONSTRUCT { ?s rdfs:label ?l } WHERE { ?s a <https://w3id.org/drugkg/ontology#Gene> ; rdfs:label ?l }"
    )
    code, out, _ = cli(capsysbinary, "query", "--file", str(construct), "--store", str(built.out), "--format", "nt")
    assert (code, out) == (0, b'<https://identifiers.org/hgnc:3551> <http://www.w3.org/2000/01/rdf-schema#label> "F9"@en .\n')


def test_queries_lists_names_and_summaries(capsysbinary):
    code, out, _ = cli(capsysbinary, "queries")
    lines = out.decode("utf-8").splitlines()
    assert code == 0 and len(lines) == len(SAVED)
    for line, (name, query) in zip(lines, sorted(SAVED.items()), strict=True):
        assert line.split(None, 1) == [name, query.summary]
    code, out, _ = cli(capsysbinary, "queries", "--checks")
    assert [line.split()[0] for line in out.decode("utf-8").splitlines()] == sorted(CHECKS)


def test_format_choices_match_the_engine():
    query = make_parser()._subparsers._group_actions[0].choices["query"]
    assert next(a for a in query._actions if a.dest == "format").choices == engine.FORMATS


# --- data-quality checks ---------------------------------------------------------------------------------------


def test_every_check_has_a_fixture_and_every_fixture_a_check():
    assert sorted(p.stem for p in VIOLATIONS.glob("*.ttl")) == sorted(_fixture(n).stem for n in CHECKS)


def _fixture(check: str):
    """checks/NAME-violation -> tests/fixtures/violations/NAME.ttl"""
    return VIOLATIONS / f"{check.removeprefix('checks/').removesuffix('-violation')}.ttl"


@pytest.mark.parametrize("name", sorted(CHECKS))
def test_check_passes_on_the_real_data_and_fires_on_its_fixture(name, built):
    assert list(run_saved(built.store, name)) == []
    store = ox.Store()
    store.load(path=str(_fixture(name)), format=ox.RdfFormat.TURTLE)
    store.load(path=str(ONTOLOGY), format=ox.RdfFormat.TURTLE, to_graph=engine.ONTOLOGY_GRAPH)
    rows = list(run_saved(store, name))
    assert rows, f"{name} finds nothing in its fixture"
    assert all(row["focus"] is not None and row["message"] is not None for row in rows)


def test_the_domain_check_names_each_resource_outside_a_domain_and_no_other():
    """Typed outside the domain, untyped, typed twice (once inside), a subclass, a union's member: the check tests
    classes once and resources one by one only where a class is outside the domain, so each case is its own path."""
    store = ox.Store()
    store.load(b"""
        @prefix dkg: <https://w3id.org/drugkg/ontology#> .
        @prefix id: <https://w3id.org/drugkg/id/> .
        id:drug a dkg:DrugProduct ; dkg:ageRange id:q .
        id:untyped dkg:ageRange id:q .
        id:both a dkg:DrugProduct , dkg:Population ; dkg:ageRange id:q .
        id:population a dkg:Population ; dkg:ageRange id:q .
        id:approval a dkg:RegulatoryApproval ; dkg:hasPopulation id:population .
        id:other a dkg:DrugProduct ; dkg:hasPopulation id:population .
    """, format=ox.RdfFormat.TURTLE)
    store.load(path=str(ONTOLOGY), format=ox.RdfFormat.TURTLE, to_graph=engine.ONTOLOGY_GRAPH)
    rows = [(row["focus"].value.rsplit("/", 1)[1], row["message"].value) for row in run_saved(store, "checks/property-domain-violation")]
    outside = " but is not typed with a class in that property's domain"
    assert rows == [
        ("drug", f"uses https://w3id.org/drugkg/ontology#ageRange{outside}"),
        ("other", f"uses https://w3id.org/drugkg/ontology#hasPopulation{outside}"),
        ("untyped", f"uses https://w3id.org/drugkg/ontology#ageRange{outside}"),
    ]


@pytest.mark.parametrize("name", sorted(CHECKS))
def test_checks_fire_whatever_the_base_iri(name):
    """A check does not assume the default base IRI: each fixture, moved under another base, still fires."""
    store = ox.Store()
    text = _fixture(name).read_text(encoding="utf-8").replace("https://w3id.org/drugkg/id/", "https://example.org/kg/")
    store.load(text.encode("utf-8"), format=ox.RdfFormat.TURTLE)
    store.load(path=str(ONTOLOGY), format=ox.RdfFormat.TURTLE, to_graph=engine.ONTOLOGY_GRAPH)
    assert list(run_saved(store, name)), f"{name} finds nothing in its fixture under another base IRI"


def test_build_refuses_a_graph_that_fails_a_check_and_keeps_the_previous_output(tmp_path, capsys):
    checks = tmp_path / "checks"
    shutil.copytree(QUERIES / "checks", checks)
    (checks / "no-hemophilia-a-violation.rq").write_text(
        "#+ summary: No drug is said to be not indicated for hemophilia A\n"
        "SELECT ?focus ?message WHERE {\n"
        "  ?focus a <https://w3id.org/drugkg/ontology#NonIndication> ;\n"
        "         <https://w3id.org/drugkg/ontology#hasDisease> <http://purl.obolibrary.org/obo/MONDO_0010602> .\n"
        '  BIND("names hemophilia A as a non-indication" AS ?message)\n}\n'
    )
    out = tmp_path / "dist"
    out.mkdir()
    (out / "previous.txt").write_text("kept")
    code = main(["build", "--data", str(DATA), "--ontology", str(ONTOLOGY), "--out", str(out), "--checks", str(checks)])
    err = capsys.readouterr().err.splitlines()
    assert code == 1
    assert err[-2:] == [
        "data/hemgenix/indications.yaml:" + _line_of("mono-nonind-hemophilia-a") + ": mono-nonind-hemophilia-a: "
        "names hemophilia A as a non-indication (data-quality check no-hemophilia-a-violation: "
        "No drug is said to be not indicated for hemophilia A)",
        "drugkg: 1 error(s); nothing was written.",
    ]
    assert sorted(p.name for p in out.iterdir()) == ["previous.txt"]
    with pytest.raises(DataInvalid):
        build(DATA, tmp_path / "other", ONTOLOGY, checks_dir=checks)


def _line_of(record_id: str) -> str:
    for number, line in enumerate((DATA / "hemgenix" / "indications.yaml").read_text().splitlines(), 1):
        if re.match(rf"\s*-?\s*id: {re.escape(record_id)}\s*$", line):
            return str(number)
    raise AssertionError(record_id)


# --- bad input on the command line ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["query", "no-such-query"], "drugkg: error: no saved query named 'no-such-query' in "),
        (["query", "drug-profile", "--param", "colour=red"], "drugkg: error: query drug-profile has no parameter colour"),
        (["query", "drug-profile", "--param", "drug="], "drugkg: error: query drug-profile needs parameter drug (IRI)"),
        (["query"], "drugkg: error: give either a saved query NAME or --file FILE.rq"),
        (["query", "--file", "/nonexistent.rq"], "drugkg: error: query file /nonexistent.rq does not exist"),
        (["query", "drug-profile", "--format", "ttl"], "drugkg: error: --format ttl is for graphs"),
    ],
)
def test_bad_query_requests_exit_2_with_a_clear_message(argv, message, built, capsysbinary):
    code, out, err = cli(capsysbinary, *argv, "--store", str(built.out))
    assert (code, out) == (2, b"")
    assert err.startswith(message), err


def test_sparql_syntax_error_names_the_file_and_position(built, capsysbinary, tmp_path):
    bad = tmp_path / "bad.rq"
    bad.write_text("SELECT ?s WHERE { ?s ?p }\n")
    code, out, err = cli(capsysbinary, "query", "--file", str(bad), "--store", str(built.out))
    assert (code, out) == (2, b"")
    assert re.fullmatch(rf"drugkg: error: {re.escape(str(bad))}: SPARQL syntax error: error at \d+:\d+: .* \(fix the query; .*\)\n", err), err


def test_missing_store_says_to_build_first(capsysbinary, tmp_path):
    code, _, err = cli(capsysbinary, "query", "drug-profile", "--store", str(tmp_path))
    assert code == 2
    assert err == f"drugkg: error: no built graph in {tmp_path}/ (missing {tmp_path}/store); run 'drugkg build' first or pass --store DIR\n"


def test_unreachable_endpoint_is_a_clear_error(capsysbinary):
    from tests.servers import free_port

    port = free_port()
    code, out, err = cli(capsysbinary, "query", "drug-profile", "--endpoint", f"http://127.0.0.1:{port}/query", "--timeout", "5")
    assert (code, out) == (2, b"")
    assert err == (f"drugkg: error: cannot reach http://127.0.0.1:{port}/query ([Errno 111] Connection refused); "
                   "check the URL and that the server is running\n")
