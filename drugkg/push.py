"""Publishing the built graph to a triple store: SPARQL 1.1 Graph Store Protocol, or SPARQL 1.1 Update.

Three graphs go to three named graphs, each replaced as a whole: the asserted data (``dist/drugkg.nt``), the
ontology (``dist/drugkg-ontology.ttl``) and, when present, the reasoner's inferences (``dist/inferred.ttl``).

No reader ever sees a graph half loaded, and a push that fails or is killed leaves the old graphs: each file is
loaded into a temporary graph of its own (see :func:`temporary_graph`), its triple count in the store is compared
with the build's, and only then are all of them switched in by one SPARQL Update request, ``MOVE <temporary> TO
<graph>`` for each. The loading is chunked, a bounded number of triples per request: with the Graph Store Protocol
the first chunk is a ``PUT`` and the others are ``POST``; with SPARQL Update each chunk is an ``INSERT DATA``, sent
form-encoded. The switch needs a SPARQL Update endpoint even when the loading goes through the Graph Store Protocol.
A push starts by removing the temporary graphs that killed pushes left, and a failed push removes its own.

Credentials: a user name on the command line, the password only from an environment variable, never logged.
"""

from __future__ import annotations

import http.client
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from drugkg.engine import (
    CONNECTION_FIX,
    ONTOLOGY_GRAPH,
    AnswerUnfinished,
    built_base,
    connection_failure,
    held_build,
    inferred_graph,
    read_answer,
    run_remote,
)
from drugkg.errors import UsageError

CHUNK_TRIPLES = 50_000


@dataclass(frozen=True)
class Credentials:
    user: str
    password: str


@dataclass(frozen=True)
class Upload:
    """One file of the build and the named graph it goes to."""

    path: Path
    graph: str


def uploads(dist: Path, graph: str | None = None) -> list[Upload]:
    """What ``drugkg push`` sends from ``dist``: asserted data, ontology, and inferences if the build wrote them."""
    data = dist / "drugkg.nt"
    if not data.is_file():
        raise UsageError(f"no built graph in {dist}/ (missing {data}); run 'drugkg build' first or pass --store DIR")
    base = built_base(dist)
    plan = [
        Upload(data, graph or asserted_graph(base)),
        Upload(dist / "drugkg-ontology.ttl", ONTOLOGY_GRAPH.value),
    ]
    if (dist / "inferred.ttl").is_file():
        plan.append(Upload(dist / "inferred.ttl", inferred_graph(base).value))
    for upload in plan:
        try:
            ox.NamedNode(upload.graph)
        except ValueError as exc:
            raise UsageError(f"graph name {upload.graph!r} is not an IRI ({exc}); give an absolute IRI") from None
    return plan


def asserted_graph(base: str) -> str:
    """The default named graph for the asserted data of a graph minted under ``base``."""
    return base + "graph/asserted"


def temporary_graph(graph: str, run: str) -> str:
    """The graph one push loads the new content of ``graph`` into before it switches it in: ``graph`` with a query
    ``push=RUN`` added (``run`` is new for every push). With ``run=""`` it is the prefix that finds the temporary
    graphs of ``graph`` a killed push left.

    >>> temporary_graph("https://w3id.org/drugkg/id/graph/asserted", "0f3a")
    'https://w3id.org/drugkg/id/graph/asserted?push=0f3a'
    """
    return f"{graph}{'&' if '?' in graph else '?'}push={run}"


def default_graphs(base: str) -> list[str]:
    """The graphs a pushed drugkg lives in, in the order they are pushed: queries use them as their default graph."""
    return [asserted_graph(base), ONTOLOGY_GRAPH.value, inferred_graph(base).value]


# Virtuoso 7.2's Graph Store endpoint closes the connection on a request body of about 1 MB (measured: 786 kB taken,
# 1.05 MB refused with a broken pipe), which a few thousand triples of label section text reach. A request holds at
# most this many characters, so at most 768 kB of UTF-8 (4 bytes a character at most).
CHUNK_CHARACTERS = 192 * 1024


def chunks(path: Path, size: int) -> Iterator[tuple[str, int]]:
    """N-Triples text of at most ``size`` triples and about ``CHUNK_CHARACTERS`` characters at a time (a longer
    triple goes alone), with the number of triples in it.

    In a Turtle file, the triples with a blank node (the ontology's class expressions) are sent together in one last
    request, whatever ``size``: a blank node means the same node only within one request, so splitting them would
    break their structure. The others are chunked like any triples (Virtuoso refuses an update of about 1,400 of the
    ontology's triples at once, SP031).
    """
    blank: list[str] = []
    if path.suffix == ".nt":  # streamed: memory stays bounded by the chunk size
        lines: Iterable[str] = (line for line in path.open(encoding="utf-8") if line.strip())
    else:
        triples = [q.triple for q in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE)]
        lines = []
        for t in triples:
            line = f"{t.subject} {t.predicate} {t.object} .\n"
            is_blank = isinstance(t.subject, ox.BlankNode) or isinstance(t.object, ox.BlankNode)
            (blank if is_blank else lines).append(line)
    batch: list[str] = []
    length = 0
    for line in lines:
        if batch and length + len(line) > CHUNK_CHARACTERS:
            yield "".join(batch), len(batch)
            batch, length = [], 0
        batch.append(line)
        length += len(line)
        if len(batch) == size:
            yield "".join(batch), len(batch)
            batch, length = [], 0
    if batch:
        yield "".join(batch), len(batch)
    if blank:
        yield "".join(blank), len(blank)


def _opener(credentials: Credentials | None, *urls: str) -> urllib.request.OpenerDirector:
    """An HTTP client that answers a basic or digest challenge from any of ``urls`` with ``credentials``."""
    handlers: list = []
    if credentials is not None:
        manager = urllib.request.HTTPPasswordMgrWithDefaultRealm()
        for url in urls:
            manager.add_password(None, url, credentials.user, credentials.password)
        handlers += [urllib.request.HTTPBasicAuthHandler(manager), urllib.request.HTTPDigestAuthHandler(manager)]
    return urllib.request.build_opener(*handlers)


def _send(opener, method: str, url: str, body: bytes, content_type: str, timeout: float, what: str,
          shown: str | None = None) -> int:
    """One request; errors name ``shown`` (default: ``url``), the URL as the user gave it."""
    request = urllib.request.Request(url, data=body, method=method, headers={"Content-Type": content_type})
    url = shown or url
    started = time.monotonic()
    try:
        with opener.open(request, timeout=timeout) as response:
            read_answer(response, timeout, started)
            return response.status
    except urllib.error.HTTPError as exc:
        try:
            detail = " ".join(exc.read().decode("utf-8", "replace").split())[:300]
        except (http.client.HTTPException, OSError):
            detail = "its answer broke off"
        if exc.code in (401, 403):
            hint = "check --user and the password in the variable named by --password-env"
        else:
            hint = "check the URL and that the store accepts writes there"
        raise PushError(exc.code, f"{what}: {url} answered HTTP {exc.code} {exc.reason} ({detail}); {hint}") from None
    except urllib.error.URLError as exc:
        raise UsageError(f"{what}: cannot reach {url} ({exc.reason}); check the URL and that the store is running") from None
    except AnswerUnfinished:
        raise UsageError(f"{what}: {url} was still sending its answer after {timeout:g} s; raise --timeout if the "
                         "store is slow, else check that the URL is the store's endpoint") from None
    except TimeoutError:
        raise UsageError(f"{what}: {url} did not answer within {timeout:g} s; raise --timeout or lower --chunk") from None
    except (http.client.HTTPException, OSError) as exc:  # a garbled, cut or refused answer
        raise UsageError(f"{what}: {connection_failure(url, exc)}; {CONNECTION_FIX}") from None


def _update(opener, url: str, operation: str, timeout: float, what: str) -> None:
    """One SPARQL Update request, form-encoded."""
    body = urllib.parse.urlencode({"update": operation}).encode("utf-8")
    _send(opener, "POST", url, body, "application/x-www-form-urlencoded", timeout, what)


class PushError(UsageError):
    """The store refused a request; ``status`` is the HTTP status."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


def push_gsp(upload: Upload, gsp: str, opener, size: int, timeout: float) -> int:
    """Replace ``upload.graph`` through the Graph Store Protocol; return the number of triples sent."""
    target = f"{gsp}{'&' if '?' in gsp else '?'}{urllib.parse.urlencode({'graph': upload.graph})}"
    sent, method = 0, "PUT"
    for text, count in chunks(upload.path, size):
        _send(opener, method, target, text.encode("utf-8"), "application/n-triples", timeout,
              f"loading {upload.path.name}", gsp)
        sent, method = sent + count, "POST"
    if method == "PUT":  # an empty file: still replace the graph by an empty one
        _send(opener, "PUT", target, b"", "application/n-triples", timeout, f"loading {upload.path.name}", gsp)
    return sent


def push_update(upload: Upload, update: str, opener, size: int, timeout: float) -> int:
    """Replace ``upload.graph`` with SPARQL Update (form-encoded POSTs); return the number of triples sent."""
    graph = str(ox.NamedNode(upload.graph))

    def post(operation: str) -> None:
        _update(opener, update, operation, timeout, f"loading {upload.path.name}")

    post(f"DROP SILENT GRAPH {graph}")
    sent = 0
    for text, count in chunks(upload.path, size):
        if "_:" in text:  # blank nodes: a template insert (Virtuoso refuses them in INSERT DATA)
            post(f"INSERT {{ GRAPH {graph} {{\n{text}}} }} WHERE {{}}")
        else:
            post(f"INSERT DATA {{ GRAPH {graph} {{\n{text}}} }}")
        sent += count
    return sent


def count_in_store(endpoint: str, graph: str, credentials: Credentials | None, timeout: float) -> int:
    query = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {ox.NamedNode(graph)} {{ ?s ?p ?o }} }}"
    rows = list(run_remote(endpoint, query, "SELECT", timeout=timeout, credentials=credentials, source="the count check"))
    return int(rows[0]["n"].value) if rows else 0


def leftover_graphs(endpoint: str, graphs: Iterable[str], credentials: Credentials | None,
                    timeout: float) -> list[str]:
    """The temporary graphs of ``graphs`` in the store: what pushes that were killed left (see
    :func:`temporary_graph`)."""
    tests = " || ".join(f"STRSTARTS(STR(?g), {ox.Literal(temporary_graph(graph, ''))})" for graph in graphs)
    query = f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER({tests}) }} ORDER BY ?g"
    rows = run_remote(endpoint, query, "SELECT", timeout=timeout, credentials=credentials,
                      source="the search for graphs an unfinished push left")
    return [row["g"].value for row in rows]


def _drops(graphs: Iterable[str]) -> str:
    return " ;\n".join(f"DROP SILENT GRAPH {ox.NamedNode(graph)}" for graph in graphs)


def switch_operation(loaded: list[tuple[Upload, int]], temporary: dict[str, str]) -> str:
    """The one SPARQL Update request that replaces every graph by its loaded temporary graph. An empty temporary
    graph may not exist in the store (a MOVE from it would fail): its graph is dropped instead."""
    operations = []
    for upload, sent in loaded:
        graph, temp = ox.NamedNode(upload.graph), ox.NamedNode(temporary[upload.graph])
        if sent:
            operations.append(f"MOVE {temp} TO {graph}")
        else:
            operations += [f"DROP SILENT GRAPH {graph}", f"DROP SILENT GRAPH {temp}"]
    return " ;\n".join(operations)


UPDATE_NEEDED = (
    "'drugkg push' loads into temporary graphs and switches them in with one SPARQL Update (MOVE), so even with "
    "--gsp it needs the store's SPARQL Update endpoint, where --user may write: give it with --update URL "
    "(Virtuoso: /sparql-auth, Oxigraph: /update, Fuseki: /DATASET/update)"
)


def push(
    dist: Path,
    endpoint: str,
    *,
    gsp: str | None = None,
    update: str | None = None,
    graph: str | None = None,
    credentials: Credentials | None = None,
    size: int = CHUNK_TRIPLES,
    timeout: float = 300.0,
    progress: Callable[[str], None] = lambda message: None,
) -> list[tuple[Upload, int]]:
    """Load every upload into a temporary graph and check its count, switch them all in with one SPARQL Update, then
    check the counts again; return (upload, triples in the store) per graph. A failure before the switch leaves the
    old graphs and removes the temporary ones."""
    if size < 1:
        raise UsageError(f"--chunk must be at least 1, got {size}")
    for url in filter(None, (endpoint, gsp, update)):
        if not url.startswith(("http://", "https://")):
            raise UsageError(f"{url!r} is not an http(s) URL")
    plan = uploads(held_build(dist), graph)  # the build dist links to now, held: a build meanwhile keeps it
    update_url = update or endpoint
    run = uuid.uuid4().hex
    temporary = {upload.graph: temporary_graph(upload.graph, run) for upload in plan}

    def opener():
        return _opener(credentials, *filter(None, (gsp, update_url)))

    leftovers = leftover_graphs(endpoint, temporary, credentials, timeout)
    if leftovers:
        progress(f"removing {len(leftovers)} temporary graph(s) left by a push that did not finish: "
                 + ", ".join(f"<{g}>" for g in leftovers))
    try:  # also makes sure that the switch at the end can be made, before anything is loaded
        _update(opener(), update_url, _drops([*leftovers, *temporary.values()]), timeout, "preparing the push")
    except PushError as exc:
        raise UsageError(f"{exc}. {UPDATE_NEEDED}" if gsp and exc.status not in (401, 403) else str(exc)) from None
    try:
        loaded = [(upload, _load(upload, temporary[upload.graph], endpoint, gsp, update_url, opener(), credentials,
                                 size, timeout, progress)) for upload in plan]
        progress(f"switching the {len(loaded)} loaded graphs in with one SPARQL Update (MOVE)")
        try:
            _update(opener(), update_url, switch_operation(loaded, temporary), timeout,
                    "switching the loaded graphs in")
        except UsageError as exc:  # a store that does not run one update in one transaction may have done a part
            exc.args = (f"{exc}; some of the graphs may have been replaced already: push again",)
            raise
    except BaseException as exc:  # Ctrl-C too: the temporary graphs go, the old graphs stay
        try:
            _update(opener(), update_url, _drops(temporary.values()), min(timeout, 60.0),
                    "removing the temporary graphs")
        except UsageError:
            if isinstance(exc, UsageError):
                exc.args = (f"{exc}; the temporary graphs could not be removed: the next push removes them",)
        raise
    results = []
    for upload, sent in loaded:
        stored = count_in_store(endpoint, upload.graph, credentials, timeout)
        if stored != sent:
            raise UsageError(
                f"<{upload.graph}> holds {stored} triples in the store after the switch, but the build has {sent} "
                f"({upload.path.name}); the store's MOVE did not keep the whole graph (or another push to the same "
                "store removed its temporary graph): check its logs and push again"
            )
        results.append((upload, stored))
    return results


def _load(upload: Upload, temp: str, endpoint: str, gsp: str | None, update: str, opener,
          credentials: Credentials | None, size: int, timeout: float, progress: Callable[[str], None]) -> int:
    """Load ``upload`` into the temporary graph ``temp`` and check its count; return the number of triples sent."""
    into = Upload(upload.path, temp)
    sent = None
    if gsp:
        progress(f"putting {upload.path.name} into <{temp}> through the Graph Store Protocol")
        try:
            sent = push_gsp(into, gsp, opener, size, timeout)
        except PushError as exc:
            if exc.status not in (404, 405, 415, 501):
                raise
            progress(f"the Graph Store Protocol is not available ({exc}); falling back to SPARQL Update")
    if sent is None:
        progress(f"inserting {upload.path.name} into <{temp}> with SPARQL Update")
        sent = push_update(into, update, opener, size, timeout)
    stored = count_in_store(endpoint, temp, credentials, timeout)
    if stored != sent:
        raise UsageError(
            f"<{upload.graph}> was not replaced: the store took {stored} of the build's {sent} triples "
            f"({upload.path.name}), so the old graph is kept; check the store's logs and push again"
        )
    return sent
