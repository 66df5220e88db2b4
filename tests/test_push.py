"""``drugkg push`` into real triple stores on 127.0.0.1: Oxigraph's server and Debian's Virtuoso.

Each store runs in its default configuration, started by the test on free ports and stopped by its process id. A
store that is not installed skips its tests with the install command, except under .ci/run, where it fails.
"""

from __future__ import annotations

import shutil

import pyoxigraph as ox
import pytest

from drugkg import engine
from drugkg.cli import main
from drugkg.push import default_graphs
from tests.servers import start_oxigraph, start_virtuoso
from tests.test_queries import SAVED

BASE = "https://w3id.org/drugkg/id/"
PASSWORD = "dba"  # the administrator password of a new Virtuoso database


@pytest.fixture(scope="module")
def oxigraph(tmp_path_factory):
    server = start_oxigraph(tmp_path_factory.mktemp("oxigraph-rw"))
    yield server.url.rstrip("/")
    server.stop()


@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory):
    server = start_virtuoso(tmp_path_factory.mktemp("virtuoso"))
    yield server.url.split("/sparql")[0]
    server.stop()


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
    target = ["--gsp", f"{oxigraph}/store"] if way == "gsp" else ["--update", f"{oxigraph}/update", "--chunk", "500"]
    for _ in range(2):  # pushing twice replaces, never duplicates
        code, out, _ = push(capsys, "--store", str(built.out), "--endpoint", f"{oxigraph}/query", *target)
        assert (code, out) == (0, expected_lines(built))


def test_every_saved_query_gives_the_embedded_rows_from_oxigraph(oxigraph, built, capsys):
    assert push(capsys, "--store", str(built.out), "--endpoint", f"{oxigraph}/query", "--gsp", f"{oxigraph}/store")[0] == 0
    for name, query in sorted(SAVED.items()):
        text = query.bind({})
        remote = engine.run_remote(f"{oxigraph}/query", text, query.form, graphs=default_graphs(BASE))
        assert engine.sorted_tsv(remote) == engine.sorted_tsv(engine.run_local(built.store, text)), name


@pytest.mark.parametrize("way", ["gsp", "update"])
def test_push_to_virtuoso_with_digest_auth(way, virtuoso, built, capsys, monkeypatch):
    monkeypatch.setenv("DRUGKG_TEST_PASSWORD", PASSWORD)
    target = ["--gsp", f"{virtuoso}/sparql-graph-crud-auth"] if way == "gsp" else ["--update", f"{virtuoso}/sparql-auth"]
    for _ in range(2):
        code, out, err = push(capsys, "--store", str(built.out), "--endpoint", f"{virtuoso}/sparql", *target,
                              "--user", "dba", "--password-env", "DRUGKG_TEST_PASSWORD", "--chunk", "1000")
        assert (code, out) == (0, expected_lines(built))
        assert PASSWORD not in err.replace("--password-env", "")


def test_virtuoso_queries_go_as_get_or_form_encoded_post_never_a_raw_body(virtuoso, built, capsys, monkeypatch):
    """Virtuoso hangs on a query sent as a raw POST body: the client's POST is form-encoded, and it answers."""
    monkeypatch.setenv("DRUGKG_TEST_PASSWORD", PASSWORD)
    push(capsys, "--store", str(built.out), "--endpoint", f"{virtuoso}/sparql", "--gsp",
         f"{virtuoso}/sparql-graph-crud-auth", "--user", "dba", "--password-env", "DRUGKG_TEST_PASSWORD")
    text = "SELECT (COUNT(*) AS ?n) WHERE { ?s a <https://w3id.org/drugkg/ontology#AdverseEventAssociation> }"
    for method in ("GET", "POST"):
        rows = list(engine.run_remote(f"{virtuoso}/sparql", text, "SELECT", method=method, timeout=20,
                                      graphs=default_graphs(BASE)))
        assert [r["n"].value for r in rows] == ["17"]


def test_a_wrong_password_is_refused_with_a_hint(virtuoso, built, capsys, monkeypatch):
    monkeypatch.setenv("DRUGKG_TEST_PASSWORD", "not-the-password")
    code, out, err = push(capsys, "--store", str(built.out), "--endpoint", f"{virtuoso}/sparql", "--gsp",
                          f"{virtuoso}/sparql-graph-crud-auth", "--user", "dba", "--password-env", "DRUGKG_TEST_PASSWORD")
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
    code, out, err = push(capsys, "--store", str(dist), "--endpoint", f"{oxigraph}/query", "--gsp", f"{oxigraph}/store")
    assert (code, out) == (2, [])
    assert err.splitlines()[-1] == (
        f"drugkg: error: <{BASE}graph/asserted> holds {len(lines)} triples in the store after the push, but the build "
        f"has {len(lines) + 1} (drugkg.nt); the store did not take the whole graph: check its logs and push again"
    )


def test_a_store_without_the_graph_store_protocol_gets_sparql_update(oxigraph, built, capsys):
    code, out, err = push(capsys, "--store", str(built.out), "--endpoint", f"{oxigraph}/query",
                          "--gsp", f"{oxigraph}/no-graph-store-here", "--update", f"{oxigraph}/update")
    assert (code, out) == (0, expected_lines(built))
    assert "answered HTTP 404" in err and "falling back to SPARQL Update" in err
