"""Publishing the built graph to a triple store: SPARQL 1.1 Graph Store Protocol, or SPARQL 1.1 Update.

Three graphs go to three named graphs, each replaced as a whole: the asserted data (``dist/drugkg.nt``), the
ontology (``dist/drugkg-ontology.ttl``) and, when present, the reasoner's inferences (``dist/inferred.ttl``). Each
file is sent in chunks of a bounded number of triples: with the Graph Store Protocol the first chunk is a ``PUT``
(replacing the graph) and the others are ``POST`` (adding to it); with SPARQL Update the graph is dropped and each
chunk is an ``INSERT DATA``, sent form-encoded. After loading, the triple count of each graph in the store is
compared with the build's, and a difference is an error.

Credentials: a user name on the command line, the password only from an environment variable, never logged.
"""

from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from drugkg.engine import ONTOLOGY_GRAPH, inferred_graph, run_remote
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


def default_graphs(base: str) -> list[str]:
    """The graphs a pushed drugkg lives in, in the order they are pushed: queries use them as their default graph."""
    return [asserted_graph(base), ONTOLOGY_GRAPH.value, inferred_graph(base).value]


def built_base(dist: Path) -> str:
    """The base IRI the build used, read from the void:uriSpace of ``dist/void.ttl``."""
    try:
        for quad in ox.parse(path=str(dist / "void.ttl"), format=ox.RdfFormat.TURTLE):
            if quad.predicate.value == "http://rdfs.org/ns/void#uriSpace":
                return quad.object.value
    except (OSError, SyntaxError) as exc:
        raise UsageError(f"cannot read {dist / 'void.ttl'} ({exc}); rebuild with 'drugkg build'") from None
    raise UsageError(f"{dist / 'void.ttl'} has no void:uriSpace; rebuild with 'drugkg build'")


def chunks(path: Path, size: int) -> Iterator[tuple[str, int]]:
    """N-Triples text of at most ``size`` triples at a time, with the number of triples in it.

    A Turtle file with blank nodes (the ontology's class expressions) is sent whole: a blank node means the same
    node only within one request, so splitting it would break its structure.
    """
    if path.suffix == ".nt":  # streamed: memory stays bounded by the chunk size
        lines: Iterable[str] = (line for line in path.open(encoding="utf-8") if line.strip())
    else:
        triples = [q.triple for q in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE)]
        lines = [f"{t.subject} {t.predicate} {t.object} .\n" for t in triples]
        if any(isinstance(term, ox.BlankNode) for t in triples for term in (t.subject, t.object)):
            size = max(size, len(lines))
    batch: list[str] = []
    for line in lines:
        batch.append(line)
        if len(batch) == size:
            yield "".join(batch), len(batch)
            batch = []
    if batch:
        yield "".join(batch), len(batch)


def _opener(credentials: Credentials | None, *urls: str) -> urllib.request.OpenerDirector:
    """An HTTP client that answers a basic or digest challenge from any of ``urls`` with ``credentials``."""
    handlers: list = []
    if credentials is not None:
        manager = urllib.request.HTTPPasswordMgrWithDefaultRealm()
        for url in urls:
            manager.add_password(None, url, credentials.user, credentials.password)
        handlers += [urllib.request.HTTPBasicAuthHandler(manager), urllib.request.HTTPDigestAuthHandler(manager)]
    return urllib.request.build_opener(*handlers)


def _send(opener, method: str, url: str, body: bytes, content_type: str, timeout: float, what: str) -> int:
    request = urllib.request.Request(url, data=body, method=method, headers={"Content-Type": content_type})
    try:
        with opener.open(request, timeout=timeout) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as exc:
        detail = " ".join(exc.read().decode("utf-8", "replace").split())[:300]
        if exc.code in (401, 403):
            hint = "check --user and the password in the variable named by --password-env"
        else:
            hint = "check the URL and that the store accepts writes there"
        raise PushError(exc.code, f"{what}: {url} answered HTTP {exc.code} {exc.reason} ({detail}); {hint}") from None
    except urllib.error.URLError as exc:
        raise UsageError(f"{what}: cannot reach {url} ({exc.reason}); check the URL and that the store is running") from None
    except TimeoutError:
        raise UsageError(f"{what}: {url} did not answer within {timeout:g} s; raise --timeout or lower --chunk") from None


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
        _send(opener, method, target, text.encode("utf-8"), "application/n-triples", timeout, f"loading {upload.path.name}")
        sent, method = sent + count, "POST"
    if method == "PUT":  # an empty file: still replace the graph by an empty one
        _send(opener, "PUT", target, b"", "application/n-triples", timeout, f"loading {upload.path.name}")
    return sent


def push_update(upload: Upload, update: str, opener, size: int, timeout: float) -> int:
    """Replace ``upload.graph`` with SPARQL Update (form-encoded POSTs); return the number of triples sent."""
    graph = str(ox.NamedNode(upload.graph))

    def post(operation: str) -> None:
        body = urllib.parse.urlencode({"update": operation}).encode("utf-8")
        _send(opener, "POST", update, body, "application/x-www-form-urlencoded", timeout, f"loading {upload.path.name}")

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
    """Push every upload, then check the counts; return (upload, triples in the store) per graph."""
    if size < 1:
        raise UsageError(f"--chunk must be at least 1, got {size}")
    for url in filter(None, (endpoint, gsp, update)):
        if not url.startswith(("http://", "https://")):
            raise UsageError(f"{url!r} is not an http(s) URL")
    plan = uploads(dist, graph)
    results = []
    for upload in plan:
        opener = _opener(credentials, *filter(None, (gsp, update or endpoint)))
        sent = None
        if gsp:
            progress(f"putting {upload.path.name} into <{upload.graph}> through the Graph Store Protocol")
            try:
                sent = push_gsp(upload, gsp, opener, size, timeout)
            except PushError as exc:
                if exc.status not in (404, 405, 415, 501):
                    raise
                progress(f"the Graph Store Protocol is not available ({exc}); falling back to SPARQL Update")
        if sent is None:
            progress(f"inserting {upload.path.name} into <{upload.graph}> with SPARQL Update")
            sent = push_update(upload, update or endpoint, opener, size, timeout)
        stored = count_in_store(endpoint, upload.graph, credentials, timeout)
        if stored != sent:
            raise UsageError(
                f"<{upload.graph}> holds {stored} triples in the store after the push, but the build has {sent} "
                f"({upload.path.name}); the store did not take the whole graph: check its logs and push again"
            )
        results.append((upload, stored))
    return results
