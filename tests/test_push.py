"""``drugkg push`` into real triple stores on 127.0.0.1: Oxigraph's server and Debian's Virtuoso.

Each store runs in its default configuration, started by the test on free ports and stopped by its process id. A
store that is not installed skips its tests with the install command, except under .ci/run, where it fails.
"""

from __future__ import annotations

import json
import re
import shutil
import urllib.parse
import urllib.request

import pyoxigraph as ox
import pytest

from drugkg import engine
from drugkg.cli import main
from drugkg.errors import UsageError
from drugkg.push import default_graphs
from tests.servers import oxigraph, virtuoso  # noqa: F401 (fixtures)
from tests.test_queries import ALL, SAVED

BASE = "https://w3id.org/drugkg/id/"
PASSWORD = "dba"  # the administrator password of a new Virtuoso database


@pytest.fixture(scope="module")
def virtuoso_loaded(virtuoso, built):
    """Virtuoso with the built graph pushed into its three named graphs."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DRUGKG_TEST_PASSWORD", PASSWORD)
        code = main(["push", "--store", str(built.out), "--endpoint", f"{virtuoso}/sparql", "--gsp",
                     f"{virtuoso}/sparql-graph-crud-auth", "--update", f"{virtuoso}/sparql-auth", "--user", "dba",
                     "--password-env", "DRUGKG_TEST_PASSWORD"])
    assert code == 0
    return f"{virtuoso}/sparql"


def expected_lines(built) -> list[str]:
    """What a successful push prints: each graph with the triples the build wrote to it."""
    names = ["drugkg.nt", "drugkg-ontology.ttl", "inferred.ttl"]
    counts = [sum(1 for _ in ox.parse(path=str(built.out / name))) for name in names]
    return [f"<{graph}>: {count} triples from {name}, count checked in the store"
            for graph, count, name in zip(default_graphs(BASE), counts, names, strict=True)]


def push(capsys, *argv: str) -> tuple[int, list[str], str]:
    code = main(["push", *argv])
    captured = capsys.readouterr()
    return code, captured.out.splitlines(), captured.err


@pytest.mark.parametrize("way", ["gsp", "update"])
def test_push_to_oxigraph_replaces_the_graphs_and_checks_counts(way, oxigraph, built, capsys):
    target = ["--gsp", f"{oxigraph}/store"] if way == "gsp" else ["--chunk", "500"]
    target += ["--update", f"{oxigraph}/update"]  # the switch at the end is a SPARQL Update, with --gsp too
    for _ in range(2):  # pushing twice replaces, never duplicates
        code, out, _ = push(capsys, "--store", str(built.out), "--endpoint", f"{oxigraph}/query", *target)
        assert (code, out) == (0, expected_lines(built))


def test_every_saved_query_gives_the_embedded_rows_from_oxigraph(oxigraph, built, capsys):
    assert push(capsys, "--store", str(built.out), "--endpoint", f"{oxigraph}/query", "--gsp", f"{oxigraph}/store",
                "--update", f"{oxigraph}/update")[0] == 0
    for name, query in sorted(SAVED.items()):
        text = query.bind({})
        remote = engine.run_remote(f"{oxigraph}/query", text, query.form, graphs=default_graphs(BASE))
        assert engine.sorted_tsv(remote) == engine.sorted_tsv(engine.run_local(built.store, text)), name


@pytest.mark.parametrize("way", ["gsp", "update"])
def test_push_to_virtuoso_with_digest_auth(way, virtuoso, built, capsys, monkeypatch):
    monkeypatch.setenv("DRUGKG_TEST_PASSWORD", PASSWORD)
    target = ["--gsp", f"{virtuoso}/sparql-graph-crud-auth"] if way == "gsp" else []
    target += ["--update", f"{virtuoso}/sparql-auth"]
    for _ in range(2):
        code, out, err = push(capsys, "--store", str(built.out), "--endpoint", f"{virtuoso}/sparql", *target,
                              "--user", "dba", "--password-env", "DRUGKG_TEST_PASSWORD", "--chunk", "1000")
        assert (code, out) == (0, expected_lines(built))
        # as a word: a push's random id, in hex, may hold the letters d, b, a in a row
        assert not re.search(rf"\b{PASSWORD}\b", err.replace("--password-env", ""))


def test_virtuoso_queries_go_as_get_or_form_encoded_post_never_a_raw_body(virtuoso, built, capsys, monkeypatch):
    """Virtuoso hangs on a query sent as a raw POST body: the client's POST is form-encoded, and it answers."""
    monkeypatch.setenv("DRUGKG_TEST_PASSWORD", PASSWORD)
    push(capsys, "--store", str(built.out), "--endpoint", f"{virtuoso}/sparql", "--gsp",
         f"{virtuoso}/sparql-graph-crud-auth", "--update", f"{virtuoso}/sparql-auth", "--user", "dba",
         "--password-env", "DRUGKG_TEST_PASSWORD")
    text = "SELECT (COUNT(*) AS ?n) WHERE { ?s a <https://w3id.org/drugkg/ontology#AdverseEventAssociation> }"
    for method in ("GET", "POST"):
        rows = list(engine.run_remote(f"{virtuoso}/sparql", text, "SELECT", method=method, timeout=20,
                                      graphs=default_graphs(BASE)))
        assert [r["n"].value for r in rows] == ["17"]


def test_a_wrong_password_is_refused_with_a_hint(virtuoso, built, capsys, monkeypatch):
    monkeypatch.setenv("DRUGKG_TEST_PASSWORD", "not-the-password")
    code, out, err = push(capsys, "--store", str(built.out), "--endpoint", f"{virtuoso}/sparql", "--gsp",
                          f"{virtuoso}/sparql-graph-crud-auth", "--update", f"{virtuoso}/sparql-auth", "--user", "dba",
                          "--password-env", "DRUGKG_TEST_PASSWORD")
    assert (code, out) == (2, [])
    assert "answered HTTP 401" in err and "check --user and the password in the variable named by --password-env" in err
    assert "not-the-password" not in err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--user", "dba"], "drugkg: error: --user needs --password-env VAR, the environment variable that holds the password"),
        (["--user", "dba", "--password-env", "DRUGKG_UNSET_VARIABLE"],
         "drugkg: error: environment variable DRUGKG_UNSET_VARIABLE is not set; export it with the password"),
        (["--chunk", "0"], "drugkg: error: --chunk must be at least 1, got 0"),
    ],
)
def test_bad_push_options(argv, message, built, capsys):
    code, out, err = push(capsys, "--store", str(built.out), "--endpoint", "http://127.0.0.1:9/query", *argv)
    assert (code, out, err.splitlines()[-1]) == (2, [], message)


def test_a_count_mismatch_fails_loudly(oxigraph, built, capsys, tmp_path):
    dist = tmp_path / "dist"
    shutil.copytree(built.out, dist, ignore=shutil.ignore_patterns("store"))
    lines = (dist / "drugkg.nt").read_text().splitlines(keepends=True)
    (dist / "drugkg.nt").write_text("".join([lines[0], *lines]))  # one triple twice: the store keeps one
    code, out, err = push(capsys, "--store", str(dist), "--endpoint", f"{oxigraph}/query", "--gsp", f"{oxigraph}/store",
                          "--update", f"{oxigraph}/update")
    assert (code, out) == (2, [])
    assert err.splitlines()[-1] == (
        f"drugkg: error: <{BASE}graph/asserted> was not replaced: the store took {len(lines)} of the build's "
        f"{len(lines) + 1} triples (drugkg.nt), so the old graph is kept; check the store's logs and push again"
    )


def test_a_store_without_the_graph_store_protocol_gets_sparql_update(oxigraph, built, capsys):
    code, out, err = push(capsys, "--store", str(built.out), "--endpoint", f"{oxigraph}/query",
                          "--gsp", f"{oxigraph}/no-graph-store-here", "--update", f"{oxigraph}/update")
    assert (code, out) == (0, expected_lines(built))
    assert "answered HTTP 404" in err and "falling back to SPARQL Update" in err


def test_every_saved_query_and_check_gives_the_embedded_rows_from_virtuoso(virtuoso_loaded, built):
    """Virtuoso in its default configuration, queried through its named graphs, answers as the embedded store does
    (its booleans written as 1 and 0 are read as true and false)."""
    for name, query in sorted(ALL.items()):
        text = query.bind({})
        remote = engine.run_remote(virtuoso_loaded, text, query.form, graphs=default_graphs(BASE))
        assert engine.sorted_tsv(remote) == engine.sorted_tsv(engine.run_local(built.store, text)), name


PAIRS = """SELECT ?a ?b WHERE {
  ?a a <https://w3id.org/drugkg/ontology#AdverseEventAssociation> .
  ?b <http://www.w3.org/2000/01/rdf-schema#label> ?label .
}"""  # 17 claims x every label: about 20,000 rows, past Virtuoso's cap of 10,000
SORTED_PAIRS = PAIRS + "\nORDER BY ?a ?b"


def raw_select(endpoint: str, text: str) -> list:
    """The rows of one plain protocol request, as a client without paging sees them."""
    form = [("query", text), *[("default-graph-uri", graph) for graph in default_graphs(BASE)]]
    request = urllib.request.Request(f"{endpoint}?{urllib.parse.urlencode(form)}",
                                     headers={"Accept": "application/sparql-results+json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.load(response)["results"]["bindings"]


@pytest.mark.parametrize(("query", "page_size"), [(SORTED_PAIRS, 10_000), (SORTED_PAIRS, 3_000), (PAIRS, 25_000)])
def test_results_past_virtuosos_row_cap_are_paged_in_full(query, page_size, virtuoso_loaded, built):
    """Virtuoso silently stops at 10,000 rows; the client pages past it, with pages of the cap, smaller ones, or
    larger ones (the cap is then found with one probe), and keeps the query's own LIMIT and OFFSET. Virtuoso will
    not sort past 10,000 rows at one level, so later pages of an ordered query go as a sub-select."""
    local = engine.sorted_tsv(engine.run_local(built.store, query))
    assert len(local.splitlines()) - 1 > 10_000 and len(raw_select(virtuoso_loaded, query)) == 10_000  # the trap
    remote = engine.run_remote(virtuoso_loaded, query, "SELECT", graphs=default_graphs(BASE), page_size=page_size)
    assert engine.sorted_tsv(remote) == local
    if query is SORTED_PAIRS:
        sliced = query + " LIMIT 12345 OFFSET 678"
        remote = engine.run_remote(virtuoso_loaded, sliced, "SELECT", graphs=default_graphs(BASE), page_size=page_size)
        assert [str(row) for row in remote] == [str(row) for row in engine.run_local(built.store, sliced)]  # in order


def test_virtuosos_partial_results_on_a_timeout_are_an_error(virtuoso_loaded):
    """With a time limit (Virtuoso's own ``timeout`` parameter, in ms), Virtuoso answers a slow query with status 200,
    the rows found so far and an X-SQL-State header; that is an error, never a result."""
    slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . FILTER(STRLEN(CONCAT(STR(?c), STR(?f))) > 3) }"
    with pytest.raises(UsageError) as err:
        engine.run_remote(virtuoso_loaded, slow, "SELECT", graphs=default_graphs(BASE), params={"timeout": "500"},
                          source="query slow")
    message = str(err.value)
    assert message.startswith(f"{virtuoso_loaded} sent incomplete results for query slow (RC...: Returning incomplete "
                              "results, query interrupted by result timeout.")
    assert message.endswith("nothing is shown. Raise the store's time limit or simplify the query")


# Without dkg:citedLine: Virtuoso's JSON-LD writer drops the language tag of every literal it writes after a bare
# number in the same node (the Virtuoso of tests/servers.py: "citedLine": 60, then "mechanism": "..." without "@en");
# this test is about the media type Virtuoso labels JSON-LD with, and the other formats carry the tags.
CLAIM_TRIPLES = ("CONSTRUCT { ?claim ?p ?o } WHERE { ?claim a <https://w3id.org/drugkg/ontology#AdverseEventAssociation> ;"
                 " ?p ?o FILTER(?p != <https://w3id.org/drugkg/ontology#citedLine>) }")


def test_json_ld_labelled_application_x_json_ld_is_read(virtuoso_loaded, built):
    """Virtuoso labels JSON-LD application/x-json+ld when asked for it under that name; the client asks for both
    names and reads both."""
    expected = sorted(map(str, engine.run_local(built.store, CLAIM_TRIPLES)))
    form = [("query", CLAIM_TRIPLES), *[("default-graph-uri", graph) for graph in default_graphs(BASE)]]
    request = urllib.request.Request(f"{virtuoso_loaded}?{urllib.parse.urlencode(form)}",
                                     headers={"Accept": "application/x-json+ld"})
    with urllib.request.urlopen(request, timeout=60) as response:
        body, content_type = response.read(), response.headers["Content-Type"]
    assert content_type.startswith("application/x-json+ld")  # the trap
    assert sorted(map(str, engine._parse_remote(body, content_type, "CONSTRUCT", virtuoso_loaded))) == expected
    for graph_format in ("jsonld", "ttl", "rdf"):
        remote = engine.run_remote(virtuoso_loaded, CLAIM_TRIPLES, "CONSTRUCT", graphs=default_graphs(BASE),
                                   graph_format=graph_format)
        assert sorted(map(str, remote)) == expected, graph_format
