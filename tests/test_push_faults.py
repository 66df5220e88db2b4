"""``drugkg push`` and ``drugkg query --endpoint`` under faults: a push killed, failed or interrupted half-way, a
reader during a push, and endpoints that answer garbage, hang up, reset, send a web page, cut their answer short or
never finish it.

The stores are real (Oxigraph's server and Debian's Virtuoso, each started by this module on 127.0.0.1 and stopped
by its process id); the bad endpoints are a real socket server, :class:`tests.servers.FaultyServer`, never a mock.
The old graphs are an older, smaller build, so that a reader can tell the old graph, the new one and a part apart.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import threading
import time
import urllib.parse
import urllib.request

import pyoxigraph as ox
import pytest

from drugkg.cli import main
from drugkg.push import Credentials, default_graphs
from drugkg.push import push as push_build
from tests.servers import FaultyServer, executable, oxigraph, virtuoso  # noqa: F401 (fixtures)
from tests.test_push import BASE, PASSWORD, expected_lines

TARGETS = default_graphs(BASE)  # asserted data, ontology, inferences
TEMPORARY = re.compile(r"(?P<graph>.+)\?push=[0-9a-f]{32}")


@pytest.fixture(scope="module")
def older(built, tmp_path_factory):
    """An older, smaller build: the first half of the asserted triples and the first ten inferred ones."""
    dist = tmp_path_factory.mktemp("older") / "dist"
    shutil.copytree(built.out, dist, ignore=shutil.ignore_patterns("store"))
    lines = (dist / "drugkg.nt").read_text(encoding="utf-8").splitlines(keepends=True)
    (dist / "drugkg.nt").write_text("".join(lines[: len(lines) // 2]), encoding="utf-8")
    inferred = [quad.triple for quad in ox.parse(path=str(dist / "inferred.ttl"), format=ox.RdfFormat.TURTLE)]
    (dist / "inferred.ttl").write_bytes(ox.serialize(inferred[:10], format=ox.RdfFormat.TURTLE))
    return dist


def build_counts(dist) -> tuple[int, ...]:
    """The triples of each graph of the build in ``dist``, in the order of TARGETS."""
    return tuple(sum(1 for _ in ox.parse(path=str(dist / name)))
                 for name in ("drugkg.nt", "drugkg-ontology.ttl", "inferred.ttl"))


def drugkg_graphs(endpoint: str) -> dict[str, int]:
    """Every graph of drugkg's in the store, temporary ones too, with its triple count: one plain protocol request,
    not drugkg's own client."""
    text = ('SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } '
            'FILTER(STRSTARTS(STR(?g), "https://w3id.org/drugkg/")) } GROUP BY ?g')
    request = urllib.request.Request(f"{endpoint}?{urllib.parse.urlencode({'query': text})}",
                                     headers={"Accept": "application/sparql-results+json"})
    with urllib.request.urlopen(request, timeout=30) as response:
        rows = json.load(response)["results"]["bindings"]
    return {row["g"]["value"]: int(row["n"]["value"]) for row in rows}


def targets(graphs: dict[str, int]) -> tuple[int, ...]:
    return tuple(graphs.get(graph, 0) for graph in TARGETS)


def temporaries(graphs: dict[str, int]) -> list[str]:
    return sorted(graph for graph in graphs if graph not in TARGETS)


def cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def virtuoso_options(virtuoso: str) -> list[str]:
    """SPARQL Update only, in chunks Virtuoso takes (it refuses an INSERT DATA of 50,000 triples: SP031)."""
    return ["--endpoint", f"{virtuoso}/sparql", "--update", f"{virtuoso}/sparql-auth", "--user", "dba",
            "--password-env", "DRUGKG_TEST_PASSWORD", "--chunk", "1000"]


def oxigraph_options(oxigraph: str) -> list[str]:
    return ["--endpoint", f"{oxigraph}/query", "--gsp", f"{oxigraph}/store", "--update", f"{oxigraph}/update"]


# -- a push killed, failed or interrupted half-way --------------------------------------------------------------


def test_a_killed_push_leaves_the_old_graphs_and_the_next_push_removes_what_it_left(virtuoso, built, older, capsys,
                                                                                    monkeypatch, tmp_path):
    """SIGKILL while the data is loading (in chunks of 5 triples, so hundreds of requests): the store keeps the old
    graphs, whole, beside a part-loaded temporary graph; the next push removes that and replaces the graphs."""
    monkeypatch.setenv("DRUGKG_TEST_PASSWORD", PASSWORD)
    assert cli(capsys, "push", "--store", str(older), *virtuoso_options(virtuoso))[0] == 0
    old = drugkg_graphs(f"{virtuoso}/sparql")
    assert (targets(old), temporaries(old)) == (build_counts(older), [])
    log = tmp_path / "push.log"
    with log.open("wb") as handle:
        argv = [executable("drugkg"), "push", "--store", str(built.out), *virtuoso_options(virtuoso), "--chunk", "5"]
        process = subprocess.Popen(argv, stdout=handle, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    try:
        while drugkg_graphs(f"{virtuoso}/sparql") == old:  # until it has written something
            if process.poll() is not None:
                pytest.fail(f"the push ended ({process.returncode}) before the test saw it write: {log.read_text()}")
            time.sleep(0.02)
    finally:
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
    after = drugkg_graphs(f"{virtuoso}/sparql")
    assert targets(after) == targets(old)
    left = temporaries(after)
    assert [TEMPORARY.fullmatch(graph)["graph"] for graph in left] == [TARGETS[0]]  # killed while loading the data
    assert 0 < after[left[0]] < build_counts(built.out)[0]

    code, out, err = cli(capsys, "push", "--store", str(built.out), *virtuoso_options(virtuoso))
    assert (code, out.splitlines()) == (0, expected_lines(built))
    assert f"drugkg: removing 1 temporary graph(s) left by a push that did not finish: <{left[0]}>" in err.splitlines()
    now = drugkg_graphs(f"{virtuoso}/sparql")
    assert (targets(now), temporaries(now)) == (build_counts(built.out), [])


def test_a_push_that_fails_keeps_the_old_graphs_and_removes_its_temporary_graphs(oxigraph, built, older, capsys,
                                                                                tmp_path):
    bad = tmp_path / "dist"
    shutil.copytree(built.out, bad, ignore=shutil.ignore_patterns("store"))
    lines = (bad / "drugkg.nt").read_text(encoding="utf-8").splitlines(keepends=True)
    (bad / "drugkg.nt").write_text("".join([lines[0], *lines]), encoding="utf-8")  # a triple twice: the store keeps one
    assert cli(capsys, "push", "--store", str(older), *oxigraph_options(oxigraph))[0] == 0
    code, out, err = cli(capsys, "push", "--store", str(bad), *oxigraph_options(oxigraph))
    assert (code, out, err.splitlines()[-1]) == (2, "", (
        f"drugkg: error: <{TARGETS[0]}> was not replaced: the store took {len(lines)} of the build's {len(lines) + 1} "
        "triples (drugkg.nt), so the old graph is kept; check the store's logs and push again"))
    now = drugkg_graphs(f"{oxigraph}/query")
    assert (targets(now), temporaries(now)) == (build_counts(older), [])


def test_ctrl_c_during_a_push_keeps_the_old_graphs_and_removes_the_temporary_ones(oxigraph, built, older, capsys):
    assert cli(capsys, "push", "--store", str(older), *oxigraph_options(oxigraph))[0] == 0

    def progress(message: str) -> None:
        if "drugkg-ontology.ttl" in message:  # the data is loaded, the ontology is next
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        push_build(built.out, f"{oxigraph}/query", gsp=f"{oxigraph}/store", update=f"{oxigraph}/update", size=100,
                   progress=progress)
    now = drugkg_graphs(f"{oxigraph}/query")
    assert (targets(now), temporaries(now)) == (build_counts(older), [])


def test_the_graph_store_protocol_alone_cannot_switch_graphs_in_and_nothing_is_loaded(oxigraph, built, older, capsys):
    """The switch is a SPARQL Update; a push through the Graph Store Protocol without a usable --update stops before
    loading anything (here --update defaults to --endpoint, Oxigraph's query endpoint, which refuses updates)."""
    assert cli(capsys, "push", "--store", str(older), *oxigraph_options(oxigraph))[0] == 0
    code, out, err = cli(capsys, "push", "--store", str(built.out), "--endpoint", f"{oxigraph}/query",
                         "--gsp", f"{oxigraph}/store")
    assert (code, out, err.splitlines()) == (2, "", [
        f"drugkg: error: preparing the push: {oxigraph}/query answered HTTP 400 Bad Request (The URL query parameter "
        "query must be set); check the URL and that the store accepts writes there. 'drugkg push' loads into "
        "temporary graphs and switches them in with one SPARQL Update (MOVE), so even with --gsp it needs the store's "
        "SPARQL Update endpoint, where --user may write: give it with --update URL (Virtuoso: /sparql-auth, Oxigraph: "
        "/update, Fuseki: /DATASET/update)"])
    now = drugkg_graphs(f"{oxigraph}/query")
    assert (targets(now), temporaries(now)) == (build_counts(older), [])


# -- a reader during a push --------------------------------------------------------------------------------------


class Reader:
    """A thread counting the triples of the three graphs in a loop, each count filed under the phase of the push it
    began in: ``before`` the switch, ``during`` it, or ``after`` the push returned. A new phase begins only between
    two counts, and :meth:`enter` returns once it has, so no ``before`` count overlaps the switch (the push's progress
    callback enters ``during`` before the switch is sent) and every ``after`` count begins after the push."""

    def __init__(self, endpoint: str):
        self.endpoint, self.phase, self.wanted = endpoint, "before", None
        self.seen: dict[str, list[tuple[int, ...]]] = {"before": [], "during": [], "after": []}
        self.changed = threading.Condition()
        self.failure: BaseException | None = None
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()
        self.wait_for_a_count("before")

    def run(self) -> None:
        try:
            while True:
                with self.changed:
                    if self.wanted is not None:
                        self.phase, self.wanted = self.wanted, None
                        self.changed.notify_all()
                    if self.phase == "done":
                        return
                    phase = self.phase
                self.seen[phase].append(targets(drugkg_graphs(self.endpoint)))
        except BaseException as exc:  # handed to the test's thread by enter() and wait_for_a_count()
            self.failure = exc
            with self.changed:
                self.changed.notify_all()

    def enter(self, phase: str) -> None:
        with self.changed:
            self.wanted = phase
            self.changed.wait_for(lambda: self.wanted is None or self.failure is not None, timeout=60)
        if self.failure is not None:
            raise AssertionError("the reader failed") from self.failure
        assert self.wanted is None, "the reader is stuck"

    def wait_for_a_count(self, phase: str) -> None:
        deadline = time.monotonic() + 60
        while not self.seen[phase] and self.failure is None and time.monotonic() < deadline:
            time.sleep(0.01)
        if self.failure is not None:
            raise AssertionError("the reader failed") from self.failure
        assert self.seen[phase], f"the reader made no count {phase} the switch"

    def progress(self, message: str) -> None:
        if message.startswith("switching"):
            self.enter("during")

    def finish(self) -> dict[str, set[tuple[int, ...]]]:
        self.enter("after")
        self.wait_for_a_count("after")
        self.enter("done")
        self.thread.join(timeout=60)
        return {phase: set(counts) for phase, counts in self.seen.items()}


def test_a_reader_on_oxigraph_sees_the_old_graphs_or_the_new_ones_never_a_part(oxigraph, built, older, capsys):
    """Oxigraph runs each query on a snapshot and each update in one transaction: the old graphs until the switch,
    the new ones from it, nothing in between, even while the switch runs."""
    assert cli(capsys, "push", "--store", str(older), *oxigraph_options(oxigraph))[0] == 0
    old, new = build_counts(older), build_counts(built.out)
    reader = Reader(f"{oxigraph}/query")
    push_build(built.out, f"{oxigraph}/query", gsp=f"{oxigraph}/store", update=f"{oxigraph}/update", size=20,
               progress=reader.progress)
    seen = reader.finish()
    assert (seen["before"], seen["during"] - {old, new}, seen["after"]) == ({old}, set(), {new})


def test_a_reader_on_virtuoso_sees_the_old_graphs_until_the_switch_and_the_new_ones_after(virtuoso, built, older,
                                                                                         capsys, monkeypatch):
    """On Virtuoso the loading (over a hundred requests here) never shows: the old graphs until the switch, the new ones
    after it. While the MOVE itself runs, Virtuoso's readers (read committed) can see a mixture: its MOVE commits row
    by row, and its count may even add up rows of both (see the README); that part is not asserted."""
    monkeypatch.setenv("DRUGKG_TEST_PASSWORD", PASSWORD)
    assert cli(capsys, "push", "--store", str(older), *virtuoso_options(virtuoso))[0] == 0
    old, new = build_counts(older), build_counts(built.out)
    reader = Reader(f"{virtuoso}/sparql")
    push_build(built.out, f"{virtuoso}/sparql", update=f"{virtuoso}/sparql-auth", size=20,
               credentials=Credentials("dba", PASSWORD), progress=reader.progress)
    seen = reader.finish()
    assert (seen["before"], seen["after"]) == ({old}, {new})
    assert temporaries(drugkg_graphs(f"{virtuoso}/sparql")) == []


# -- endpoints that answer wrongly -------------------------------------------------------------------------------

FIX = "check that the URL is the store's SPARQL endpoint and that the store is running (its log may say why)"
NOT_RESULTS_FIX = "check that the URL is the store's SPARQL endpoint, not a web page or another service"
FAILURES = {
    "garbage": "{url} answered with something that is not HTTP ('garbage'); " + FIX,
    "close": "{url} closed the connection without answering; " + FIX,
    "reset": "{url} reset the connection; " + FIX,
    "cut": "{url} broke off its answer after 9 bytes, 991 bytes short of the length it announced; " + FIX,
}
TIMEOUT = "2"


def expected_error(fault: str, way: str, url: str, built) -> str:
    """The one error line for ``fault`` at ``url``, reached by ``way``."""
    source = {"query": "query units", "push --endpoint": "the search for graphs an unfinished push left",
              "push --update": "preparing the push", "push --gsp": "loading drugkg.nt"}[way]
    if fault in FAILURES:
        return f"drugkg: error: {source}: " + FAILURES[fault].format(url=url)
    if fault == "html" and way in ("query", "push --endpoint"):
        return (f"drugkg: error: {url} answered {source} with text/html, not SPARQL JSON results (Expecting value: "
                f"line 1 column 1 (char 0)); {NOT_RESULTS_FIX}")
    if fault == "html":  # a 200 to a write is a success; the count check finds that nothing was written
        data = build_counts(built.out)[0]
        return (f"drugkg: error: <{TARGETS[0]}> was not replaced: the store took 0 of the build's {data} triples "
                "(drugkg.nt), so the old graph is kept; check the store's logs and push again")
    if way == "query" or way == "push --endpoint":
        return (f"drugkg: error: {url} was still sending its answer to {source} after {TIMEOUT} s; raise --timeout (or "
                "simplify the query) if the store is slow, else check that the URL is its SPARQL endpoint")
    return (f"drugkg: error: {source}: {url} was still sending its answer after {TIMEOUT} s; raise --timeout if the "
            "store is slow, else check that the URL is the store's endpoint")


@pytest.mark.parametrize("way", ["query", "push --endpoint", "push --update", "push --gsp"])
@pytest.mark.parametrize("fault", FaultyServer.FAULTS)
def test_a_faulty_endpoint_is_an_error_that_names_it(fault, way, oxigraph, built, capsys):
    """Exit 2 and one line naming the URL, what it did and the fix; no traceback. A push whose loading fails
    leaves no temporary graph behind."""
    with FaultyServer(fault) as server:
        url = server.url + "sparql"
        argv = {
            "query": ["query", "units", "--endpoint", url],
            "push --endpoint": ["push", "--store", str(built.out), "--endpoint", url],
            "push --update": ["push", "--store", str(built.out), "--endpoint", f"{oxigraph}/query", "--update", url],
            "push --gsp": ["push", "--store", str(built.out), "--endpoint", f"{oxigraph}/query", "--gsp", url,
                           "--update", f"{oxigraph}/update"],
        }[way]
        code, out, err = cli(capsys, *argv, "--timeout", TIMEOUT)
    assert (code, out, err.splitlines()[-1]) == (2, "", expected_error(fault, way, url, built))
    assert "Traceback" not in err
    if way != "query":
        assert temporaries(drugkg_graphs(f"{oxigraph}/query")) == []

