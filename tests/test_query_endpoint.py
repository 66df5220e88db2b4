"""``drugkg query --endpoint``: the same saved queries give the same rows from a real SPARQL server.

The server is Oxigraph's, from the ``oxigraph`` wheel (installed by the test extra), started on 127.0.0.1 on a free
port and stopped by its process id. It holds the data, the ontology and the inferred triples in three named graphs
and runs in its default configuration: the queries address the graphs with the protocol's ``default-graph-uri``, so
no union-default-graph setting is needed.
"""

from __future__ import annotations

import subprocess

import pyoxigraph as ox
import pytest

from drugkg import engine
from drugkg.errors import UsageError
from tests.conftest import ONTOLOGY
from tests.servers import executable, require_or_skip, start_oxigraph
from tests.test_queries import ALL, cli

DATA_GRAPH = "https://w3id.org/drugkg/id/graph/asserted"
INFERRED_GRAPH = "https://w3id.org/drugkg/id/graph/inferred"
GRAPHS = (DATA_GRAPH, engine.ONTOLOGY_GRAPH.value, INFERRED_GRAPH)


@pytest.fixture(scope="module")
def oxigraph(built, tmp_path_factory):
    binary = executable("oxigraph")
    if binary is None:
        require_or_skip("the Oxigraph server", "pip install -e '.[test]' installs it")
    folder = tmp_path_factory.mktemp("oxigraph")
    location = folder / "store"
    loads = ((built.out / "drugkg.nt", DATA_GRAPH), (ONTOLOGY, engine.ONTOLOGY_GRAPH.value),
             (built.out / "inferred.ttl", INFERRED_GRAPH))
    for path, graph in loads:
        subprocess.run([binary, "load", "--location", str(location), "--file", str(path), "--graph", graph],
                       check=True, capture_output=True)
    server = start_oxigraph(folder, read_only_location=location)
    yield server.url + "query"
    server.stop()


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize("name", sorted(ALL))
def test_saved_query_gives_the_same_rows_remotely(name, method, oxigraph, built):
    text = ALL[name].bind({})
    remote = engine.run_remote(oxigraph, text, ALL[name].form, method=method, graphs=GRAPHS, timeout=30)
    local = engine.run_local(built.store, text, name)
    assert engine.sorted_tsv(remote) == engine.sorted_tsv(local)  # and local matches the golden file (test_queries)


def test_cli_endpoint_run_matches_the_embedded_run(oxigraph, built, capsysbinary):
    graphs = [arg for graph in GRAPHS for arg in ("--graph", graph)]
    code, remote, err = cli(capsysbinary, "query", "adverse-events", "--endpoint", oxigraph, *graphs, "--format", "tsv")
    assert (code, err) == (0, "")
    code, local, _ = cli(capsysbinary, "query", "adverse-events", "--store", str(built.out), "--format", "tsv")
    assert remote == local


@pytest.mark.parametrize("page_size", ["1", "5", "10000"])
def test_small_pages_give_the_same_rows_in_the_same_order(page_size, oxigraph, built, capsysbinary):
    """Paging (the first page as written, later ones as a sliced sub-select) keeps every row and the ORDER BY."""
    graphs = [arg for graph in GRAPHS for arg in ("--graph", graph)]
    code, remote, err = cli(capsysbinary, "query", "adverse-events", "--endpoint", oxigraph, *graphs, "--format", "tsv",
                            "--page-size", page_size, "--endpoint-param", "unused=ignored")
    assert (code, err) == (0, "")
    code, local, _ = cli(capsysbinary, "query", "adverse-events", "--store", str(built.out), "--format", "tsv")
    assert remote == local and len(local.splitlines()) > 10


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--page-size", "0"], "drugkg: error: --page-size must be at least 1, got 0"),
        (["--endpoint-param", "timeout"],
         "drugkg: error: --endpoint-param 'timeout' must be written NAME=VALUE, e.g. --endpoint-param timeout=30000"),
    ],
)
def test_bad_endpoint_options(argv, message, capsysbinary):
    code, out, err = cli(capsysbinary, "query", "units", "--endpoint", "http://127.0.0.1:9/query", *argv)
    assert (code, out, err.splitlines()[-1]) == (2, b"", message)


def test_without_the_graphs_the_server_default_graph_is_empty(oxigraph):
    result = engine.run_remote(oxigraph, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", "SELECT")
    assert [row["n"].value for row in result] == ["0"]


def test_construct_comes_back_as_a_graph(oxigraph, built):
    text = ("CONSTRUCT { ?g <http://www.w3.org/2000/01/rdf-schema#label> ?l } WHERE { "
            "?g a <https://w3id.org/drugkg/ontology#Gene> ; <http://www.w3.org/2000/01/rdf-schema#label> ?l }")
    remote = engine.run_remote(oxigraph, text, "CONSTRUCT", graphs=GRAPHS)
    assert remote == engine.run_local(built.store, text) == [
        ox.Triple(ox.NamedNode("https://identifiers.org/hgnc:3551"),
                  ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label"), ox.Literal("F9", language="en"))
    ]


def test_a_query_the_server_rejects_reports_its_status(oxigraph):
    with pytest.raises(UsageError) as err:
        engine.run_remote(oxigraph, "SELECT ?s WHERE { ?s ?p }", "SELECT", source="bad.rq")
    assert str(err.value).startswith(f"{oxigraph} refused bad.rq: QueryBadFormed: A bad request has been sent to the endpoint")


def test_a_missing_endpoint_path_reports_404(oxigraph):
    url = oxigraph.replace("/query", "/nowhere")
    with pytest.raises(UsageError) as err:
        engine.run_remote(url, "ASK WHERE { ?s ?p ?o }", "ASK")
    assert str(err.value).startswith(f"{url} refused query: EndPointNotFound: It was not possible to connect to the given endpoint")
