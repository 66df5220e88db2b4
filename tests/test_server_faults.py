"""The server under faults and hostile queries: no request can make it reach the network, crash a worker or leave it
answering 500; a worker killed at any time is replaced (issue "Hold under faults and hostile input").

Every server here is a real ``drugkg serve`` on 127.0.0.1; outbound requests are caught by a real listening socket
on 127.0.0.1 that counts the connections made to it.
"""

from __future__ import annotations

import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

import pyoxigraph as ox
import pytest

from drugkg.cli import main
from drugkg.queries import MAX_NESTING, nesting
from drugkg.server.app import NO_SERVICE, uses_service
from tests.servers import start_drugkg
from tests.test_server import fetch, raw, sparql, still_serving


class Listener:
    """A TCP server on 127.0.0.1 that accepts connections, counts them and closes them without answering."""

    def __init__(self):
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            conn.close()

    def close(self) -> None:
        self.sock.close()


@pytest.fixture()
def listener():
    server = Listener()
    yield server
    server.close()


@pytest.fixture(scope="module")
def guarded(built, tmp_path_factory):
    """``drugkg serve`` with two workers and a 5 s timeout."""
    server = start_drugkg(tmp_path_factory.mktemp("faults"), built.out, "--workers", "2", "--timeout", "5")
    yield server
    server.stop()


def worker_pids(server) -> set[int]:
    """The query workers of ``server``: its child processes started by multiprocessing's spawn."""
    pids = set()
    for task in Path(f"/proc/{server.process.pid}/task").iterdir():
        for pid in (task / "children").read_text().split():
            try:
                cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
            except FileNotFoundError:
                continue
            if b"spawn_main" in cmdline and b"resource_tracker" not in cmdline:
                pids.add(int(pid))
    return pids


def log_text(server) -> str:
    return server.log.read_text(errors="replace")


# ------------------------------------------------------------------------------------------------------- SERVICE

SERVICE_QUERIES = [
    "SELECT * WHERE {{ # x\rSERVICE <http://127.0.0.1:{port}/x> {{ ?s ?p ?o }} }}",
    "SELECT * WHERE {{ # x\nSERVICE <http://127.0.0.1:{port}/x> {{ ?s ?p ?o }} }}",
    "SELECT * WHERE {{ # x\r\nservice silent <http://127.0.0.1:{port}/x> {{ ?s ?p ?o }} }}",
    "SELECT * WHERE {{ <urn:a#b> <urn:p> ?o . SeRvIcE <http://127.0.0.1:{port}/x> {{ ?s ?p ?o }} }}",
    # after an operand inside parentheses '<' is less-than: '<(1))SERVICE?u#>' is no IRI, and SERVICE follows
    "SELECT * WHERE {{ BIND(<http://127.0.0.1:{port}/x> AS ?u) FILTER(?u<(1))SERVICE?u#>\n{{ ?s ?p ?o }} }}",
]


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize("template", SERVICE_QUERIES,
                         ids=["cr-comment", "lf-comment", "crlf-silent", "mixed-case", "less-than-not-iri"])
def test_service_is_refused_and_no_request_leaves(template, method, guarded, listener):
    status, _, body = sparql(guarded, template.format(port=listener.port), method=method)
    assert (status, body.decode()) == (403, NO_SERVICE + "\n")
    assert listener.connections == 0


# Queries whose text says SERVICE where it is not the keyword, and queries that call it: the engine itself decides
# which is which (it connects to the listener or not), and the server's check must agree with it on every one.
ENGINE_CASES = [
    ("SELECT * WHERE {{ # SERVICE <http://127.0.0.1:{port}/> {{}}\n ?s ?p ?o }}", False),
    ("SELECT * WHERE {{ # x\rSERVICE <http://127.0.0.1:{port}/x> {{ ?s ?p ?o }} }}", True),
    ("SELECT * WHERE {{ # x\r\n\tSERVICE <http://127.0.0.1:{port}/x> {{ ?s ?p ?o }} }}", True),
    ("SELECT * WHERE {{ ?s ?p 'SERVICE <http://127.0.0.1:{port}/x> {{ }}' }}", False),
    ('SELECT * WHERE {{ ?s ?p """x\rSERVICE <http://127.0.0.1:{port}/x>\n""" }}', False),
    ("PREFIX : <http://e.org/> SELECT * WHERE {{ ?s :SERVICE <http://127.0.0.1:{port}/x> }}", False),
    ("PREFIX ex: <http://e.org/> SELECT * WHERE {{ ?s ex:SERVICE <http://127.0.0.1:{port}/x> }}", False),
    ("PREFIX é: <http://e.org/> SELECT * WHERE {{ ?s é:SERVICE <http://127.0.0.1:{port}/x> }}", False),
    ("SELECT ?SERVICE WHERE {{ ?SERVICE ?p <http://127.0.0.1:{port}/x#SERVICE> }}", False),
    ("SELECT * WHERE {{ <http://127.0.0.1:{port}/#> ?p ?o OPTIONAL {{ SERVICE <http://127.0.0.1:{port}/x> {{ ?s ?p ?o }} }} }}", True),
    ("SELECT * WHERE {{ VALUES ?x {{ 1 }} service\r\n<http://127.0.0.1:{port}/x>{{?s ?p ?o}} }}", True),
    # a name ends where SPARQL ends it: ']' is no part of ':x'
    ("PREFIX : <http://e.org/> SELECT * WHERE {{ [ :p? :x]SERVICE <http://127.0.0.1:{port}/x> {{ ?a ?b ?c }} }}", True),
    ("SELECT * WHERE {{ ?s ?p ?o FILTER(?o = <http://127.0.0.1:{port}/SERVICE>) }}", False),
]


@pytest.mark.parametrize("template, calls", ENGINE_CASES)
def test_the_service_check_agrees_with_the_engine(template, calls, listener):
    text = template.format(port=listener.port)
    store = ox.Store()  # one triple, so that a pattern joined with the SERVICE has a solution
    store.add(ox.Quad(ox.NamedNode("http://e.org/a"), ox.NamedNode("http://e.org/p"), ox.NamedNode("http://e.org/x")))
    try:
        list(store.query(text))
    except OSError:  # the listener closed the connection without an answer
        pass
    assert (listener.connections > 0) == calls, "the engine and this test disagree on the case"
    assert uses_service(text) == calls


def test_a_worker_cannot_open_a_network_socket(listener):
    """The sandbox alone, in a process of its own: a SERVICE call that got past the server's check reaches no one."""
    code = (
        "import socket, sys, pyoxigraph as ox\n"
        "from drugkg.server.sandbox import forbid_network\n"
        "assert forbid_network() is None\n"
        "for family in (socket.AF_INET, socket.AF_INET6):\n"
        "    try:\n"
        "        socket.socket(family)\n"
        "        sys.exit('opened a socket')\n"
        "    except PermissionError:\n"
        "        pass\n"
        "socket.socketpair()\n"
        f"query = 'SELECT * WHERE {{ SERVICE <http://127.0.0.1:{listener.port}/x> {{ ?s ?p ?o }} }}'\n"
        "try:\n"
        "    list(ox.Store().query(query))\n"
        "    sys.exit('SERVICE answered')\n"
        "except OSError as exc:\n"
        "    print(exc)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr + result.stdout
    assert "Permission denied" in result.stdout
    assert listener.connections == 0


def test_the_servers_workers_run_sandboxed(guarded):
    """Each worker process of the running server has a seccomp filter in force."""
    pids = worker_pids(guarded)
    assert len(pids) == 2
    for pid in pids:
        status = Path(f"/proc/{pid}/status").read_text()
        assert "Seccomp:\t2" in status, status


# ------------------------------------------------------------------------------------------------------- nesting

@pytest.mark.parametrize("query, depth", [
    ("SELECT * WHERE " + "{" * 30_000 + " ?s ?p ?o " + "}" * 30_000, 30_000),
    ("SELECT * WHERE { ?s ?p ?o FILTER(" + "(" * 30_000 + "true" + ")" * 30_000 + ") }", 30_002),
    ("SELECT * WHERE { ?s ?p ?o FILTER(" + "!" * 30_000 + "true) }", 30_002),
    # nesting hidden from a looser lexer: inside what looked like an IRI ('<' after an operand is less-than) or a
    # prefixed name (']' and '[' are no part of a name)
    ("SELECT * WHERE { ?s ?p ?o FILTER(?o<" + "(" * 200 + "1" + ")" * 200 + "&&?o>0) }", 202),
    ("PREFIX : <http://e.org/> SELECT * WHERE { ?s " + "[:p" * 200 + " 1" + "]" * 200 + " }", 201),
])
def test_deep_nesting_is_refused_before_parsing(query, depth, guarded):
    before = worker_pids(guarded)
    status, _, body = sparql(guarded, query)
    assert (status, body.decode()) == (400, (
        f"the query nests {depth} levels deep (brackets and unary operators), past this server's limit of "
        f"{MAX_NESTING}; write it flatter (fewer nested groups, a VALUES block instead of nested UNIONs)\n"))
    assert worker_pids(guarded) == before


def test_nesting_at_the_limit_is_answered(guarded):
    query = "SELECT ?s ?p ?o WHERE " + "{" * (MAX_NESTING - 1) + " ?s ?p ?o FILTER(false) " + "}" * (MAX_NESTING - 1)
    assert nesting(query) == MAX_NESTING
    status, _, body = sparql(guarded, query, accept="text/csv")
    assert (status, body) == (200, b"s,p,o\r\n")


P = "PREFIX : <http://e.org/> "
LONG_CHAINS = {  # each construct repeated up to about 60 KB, under the 64 KB size cap: none may crash a worker
    "binds": P + "SELECT * WHERE { ?s ?p ?o " + "".join(f"BIND(1 AS ?v{i})" for i in range(3_600)) + " } LIMIT 1",
    "minus": P + "SELECT * WHERE { ?s :p ?o " + "MINUS{?s :p ?o}" * 4_000 + " }",
    "path": P + "SELECT * WHERE { ?s " + "/".join([":p"] * 20_000) + " ?o }",
    "alternatives": P + "SELECT * WHERE { ?s " + "|".join([":p"] * 20_000) + " ?o }",
    "and": P + "SELECT * WHERE { ?s :p ?o FILTER(" + "&&".join(["true"] * 10_000) + ") }",
    "plus": P + "SELECT * WHERE { ?s :p ?o FILTER(" + "+".join(["1"] * 30_000) + " > 0) }",
    "list": P + "SELECT * WHERE { ?s :p (" + " 1" * 30_000 + ") }",
    "optionals": P + "SELECT * WHERE { ?s :p ?o " + "OPTIONAL{?s :p ?o}" * 3_000 + " }",
}


@pytest.mark.parametrize("name", LONG_CHAINS)
def test_long_chains_never_crash_a_worker(name, guarded):
    query = LONG_CHAINS[name]
    assert len(query.encode()) < 65_536
    status, _, body = sparql(guarded, query, accept="text/csv")
    assert status in (200, 503), body  # 503: it ran past the 5 s timeout and its worker was replaced
    if status == 503:
        assert b"ran longer than this server's limit of 5 s" in body
    assert "lost the query worker" not in log_text(guarded)
    still_serving(guarded)


def test_the_cli_refuses_deep_nesting_and_runs_long_chains(built, tmp_path, capsys):
    deep = tmp_path / "deep.rq"
    deep.write_text("SELECT * WHERE " + "{" * 5_000 + "}" * 5_000)
    assert main(["query", "--store", str(built.out), "--file", str(deep)]) == 2
    assert capsys.readouterr().err == (
        f"drugkg: error: {deep}: the query nests 5000 levels deep (brackets and unary operators), past the limit "
        f"of 100; write it flatter (fewer nested groups, a VALUES block instead of nested UNIONs)\n")
    chain = tmp_path / "chain.rq"
    chain.write_text(P + "SELECT ?v3999 WHERE { " + "".join(f"BIND({i} AS ?v{i})" for i in range(4_000)) + " }")
    result = subprocess.run([sys.executable, "-m", "drugkg.cli", "query", "--store", str(built.out), "--file",
                             str(chain), "--format", "csv"], capture_output=True, timeout=120)
    assert (result.returncode, result.stdout) == (0, b"v3999\r\n3999\r\n"), result.stderr


def test_the_cli_runs_queries_in_a_limited_address_space(built, tmp_path):
    """Under ``ulimit -v`` too small for a 1 GB stack, ``drugkg query`` falls back to a smaller one (it aborted when
    the deep stack was reserved before the store opened its own threads)."""
    import resource

    query = tmp_path / "one.rq"
    query.write_text("SELECT ?s WHERE { <https://w3id.org/drugkg/id/hemgenix> a ?s } ORDER BY ?s")

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (1_200_000_000, 1_200_000_000))

    result = subprocess.run([sys.executable, "-m", "drugkg.cli", "query", "--store", str(built.out), "--file",
                             str(query), "--format", "csv"], capture_output=True, timeout=120, preexec_fn=limit)
    # asserted (DrugProduct), inferred by the reasoner (AAVGeneTherapy, MonitoredDrug) and above them in the hierarchy
    types = ("http://schema.org/Drug", "http://schema.org/MedicalEntity", *(
        f"https://w3id.org/drugkg/ontology#{name}" for name in ("AAVGeneTherapy", "DrugProduct", "Intervention",
                                                               "MonitoredDrug")))
    expected = "s\r\n" + "".join(f"{iri}\r\n" for iri in types)
    assert (result.returncode, result.stdout.decode()) == (0, expected), result.stderr


# ------------------------------------------------------------------------------------------------------- workers

ASK = "ASK { ?s ?p ?o }"


def answered(server, count: int = 8) -> list[int]:
    statuses = []
    for _ in range(count):
        status, _, body = sparql(server, ASK, accept="application/sparql-results+json")
        statuses.append(status)
        assert status != 200 or body.strip().endswith(b"true}"), body
    return statuses


@pytest.fixture()
def fresh(built, tmp_path):
    """A server of its own (its workers are killed): two workers, a 20 s timeout."""
    server = start_drugkg(tmp_path, built.out, "--workers", "2", "--timeout", "20")
    yield server
    server.stop()


def test_an_idle_worker_killed_is_replaced(fresh):
    first = worker_pids(fresh)
    victim = min(first)
    os.kill(victim, signal.SIGKILL)
    time.sleep(0.5)
    assert answered(fresh) == [200] * 8
    pages = [fetch(fresh.url + path)[0] for path in ("id/hemgenix", "queries/drug-profile", "ontology")]
    assert pages == [200, 200, 200]
    now = worker_pids(fresh)
    assert victim not in now and len(now) == 2


def test_every_worker_killed_at_once_is_replaced(fresh):
    for pid in worker_pids(fresh):
        os.kill(pid, signal.SIGKILL)
    time.sleep(0.5)
    assert answered(fresh) == [200] * 8
    assert len(worker_pids(fresh)) == 2


SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f }"  # every pair of triples: about 1.5 s


def busy_worker(server, before: dict[int, int]) -> int | None:
    """A worker whose CPU time grew since ``before`` (its pid -> CPU ticks)."""
    for pid, ticks in before.items():
        try:
            if _ticks(pid) > ticks + 5:
                return pid
        except FileNotFoundError:
            continue
    return None


def _ticks(pid: int) -> int:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime + stime


def test_a_busy_worker_killed_gets_its_request_retried(fresh):
    before = {pid: _ticks(pid) for pid in worker_pids(fresh)}
    outcome = {}
    client = threading.Thread(target=lambda: outcome.update(answer=sparql(fresh, SLOW, accept="text/csv")))
    client.start()
    deadline = time.monotonic() + 20
    victim = None
    while victim is None and time.monotonic() < deadline:
        time.sleep(0.05)
        victim = busy_worker(fresh, before)
    assert victim is not None, "no worker took the slow query"
    os.kill(victim, signal.SIGKILL)
    client.join(60)
    status, _, body = outcome["answer"]
    assert status == 200 and body.startswith(b"n\r\n"), body
    assert f"lost the query worker {victim} (killed by SIGKILL); retrying the job on another worker" in log_text(fresh)
    assert answered(fresh) == [200] * 8


def test_workers_killed_at_random_times_leave_every_later_request_answered(fresh):
    rng = random.Random(15)
    statuses: list[int] = []
    stop = threading.Event()

    def client() -> None:
        while not stop.is_set():
            status, headers, _ = sparql(fresh, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", accept="text/csv")
            if status == 503:
                assert headers.get("Retry-After") == "5"
            statuses.append(status)

    clients = [threading.Thread(target=client) for _ in range(3)]
    for thread in clients:
        thread.start()
    try:
        for _ in range(12):
            time.sleep(rng.uniform(0.0, 0.6))
            pids = sorted(worker_pids(fresh))
            if pids:
                os.kill(rng.choice(pids), signal.SIGKILL)
    finally:
        stop.set()
        for thread in clients:
            thread.join(60)
    assert set(statuses) <= {200, 503}, statuses
    time.sleep(1)
    assert answered(fresh, 12) == [200] * 12
    assert len(worker_pids(fresh)) == 2


# ------------------------------------------------------------------------------------------------------- HTTP

@pytest.mark.parametrize("path, location", [
    ("/queries/", "/queries"),
    ("/queries/?format=json", "/queries?format=json"),
    ("//evil.example/", "/evil.example"),
    ("/\\evil.example/", "/%5Cevil.example"),
])
def test_trailing_slash_redirects_are_relative(path, location, guarded):
    status, headers, _ = raw(guarded, "GET", path, headers={"Host": "evil.example"})
    assert (status, headers.get("location")) == (308, location)


@pytest.mark.parametrize("path, status", [("/", 200), ("/query", 200), ("/nothing", 404), ("/static/style.css", 200),
                                          ("/sparql?query=ASK%7B%7D", 200)])
def test_every_answer_carries_the_security_headers(path, status, guarded):
    got, headers, _ = raw(guarded, "GET", path, headers={"Accept": "text/html"})
    assert got == status
    # the query page's YASGUI writes style attributes: that page alone allows inline styles, never inline scripts
    styles = "'self' 'unsafe-inline'" if path == "/query" else "'self'"
    assert headers.get("content-security-policy") == (
        f"default-src 'none'; script-src 'self'; style-src {styles}; img-src 'self' data:; connect-src 'self'; "
        "form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
    assert (headers.get("x-content-type-options"), headers.get("x-frame-options")) == ("nosniff", "DENY")



def test_a_request_cancelled_while_its_worker_is_replaced_loses_no_slot(built):
    """A request cancelled (its client gone, or the server stopping) while a dead worker is being replaced: the
    replacement still fills the slot, and no worker is leaked (found in review)."""
    import asyncio

    from drugkg.server.pool import Pool

    async def scenario() -> tuple[int, int, int]:
        pool = Pool(built.out, 2, 20.0)  # on-disk: workers start in well under a second
        pool.start()
        try:
            for worker in list(pool._all):
                os.kill(worker.process.pid, signal.SIGKILL)
                worker.process.join(10)
            request = asyncio.create_task(pool.run("size"))
            await asyncio.sleep(0.05)  # it has taken a dead worker and is starting a fresh one
            request.cancel()
            with pytest.raises(asyncio.CancelledError):
                await request
            for _ in range(200):  # the replacement finishes in the background
                if pool._idle.qsize() == 2 and all(w is not None and w.alive() for w in pool._idle._queue):
                    break
                await asyncio.sleep(0.05)
            answers = [await pool.run("size") for _ in range(4)]
            return pool._idle.qsize(), len(pool._all), len(set(answers))
        finally:
            pool.close()

    assert asyncio.run(scenario()) == (2, 2, 1)
