"""The default graph (the curated data and the shared labels) pushed into a real Virtuoso and a real Oxigraph server,
each started on 127.0.0.1 for this module and stopped by its process id: every saved query and check answers there as
the embedded store does, the label queries among them, and label section text (long literals, requests of about a
megabyte at the default chunk size) is taken in full.
"""

from __future__ import annotations

import pytest

from drugkg import engine
from drugkg.cli import main
from drugkg.push import default_graphs
from tests.servers import oxigraph, virtuoso  # noqa: F401 (fixtures)
from tests.test_queries import ALL, LABEL_QUERIES

BASE = "https://w3id.org/drugkg/id/"
PASSWORD = "dba"  # the administrator password of a new Virtuoso database


def push(argv: list[str], capsys) -> None:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DRUGKG_TEST_PASSWORD", PASSWORD)
        code = main(["push", *argv])
    err = capsys.readouterr().err
    assert code == 0, err


def test_the_label_queries_are_among_the_saved_queries():
    assert len(LABEL_QUERIES) == 9  # label-changes the ninth


@pytest.mark.parametrize("store", ["virtuoso", "oxigraph"])
def test_every_saved_query_gives_the_embedded_rows_on_the_default_graph(store, request, built_labels, capsys):
    """Pushed with the default chunk size through the Graph Store Protocol: Virtuoso's refuses a body of about 1 MB,
    which 4,000 lines of label text reach, so push keeps each request below (drugkg/push.py CHUNK_CHARACTERS)."""
    url = request.getfixturevalue(store)
    if store == "virtuoso":
        push(["--store", str(built_labels.out), "--endpoint", f"{url}/sparql", "--gsp", f"{url}/sparql-graph-crud-auth",
              "--update", f"{url}/sparql-auth", "--user", "dba", "--password-env", "DRUGKG_TEST_PASSWORD"], capsys)
        endpoint = f"{url}/sparql"
    else:
        push(["--store", str(built_labels.out), "--endpoint", f"{url}/query", "--gsp", f"{url}/store",
              "--update", f"{url}/update"], capsys)
        endpoint = f"{url}/query"
    for name, query in sorted(ALL.items()):
        text = query.bind({})
        remote = engine.run_remote(endpoint, text, query.form, graphs=default_graphs(BASE))
        assert engine.sorted_tsv(remote) == engine.sorted_tsv(engine.run_local(built_labels.store, text)), name
