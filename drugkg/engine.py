"""Running SPARQL: on the embedded store, or on any remote endpoint through SPARQLWrapper, with one result model.

Both paths return the same objects: pyoxigraph ``QuerySolutions`` for SELECT, ``QueryBoolean`` for ASK and a list
of ``Triple`` for CONSTRUCT / DESCRIBE (remote answers are parsed back with pyoxigraph), so every output format is
written by one piece of code whichever store answered.

The embedded store (``dist/store/``, written by ``drugkg build``) keeps the asserted data in the default graph, the
ontology in the named graph ``<https://w3id.org/drugkg/ontology>`` and the reasoner's inferences in
``<{base}graph/inferred>``; queries see their union.
"""

from __future__ import annotations

import json
import urllib.error
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import BinaryIO

import pyoxigraph as ox

from drugkg.errors import UsageError
from drugkg.formats import PAGE_SIZE
from drugkg.queries import curie, decimal_text, projection_order, without_comments

ONTOLOGY_GRAPH = ox.NamedNode("https://w3id.org/drugkg/ontology")
STORE_DIR = "store"
RESULT_FORMATS = {
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
}
GRAPH_FORMATS = {
    "ttl": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "jsonld": ox.RdfFormat.JSON_LD,
    "rdf": ox.RdfFormat.RDF_XML,
}
FORMATS = ("table", *RESULT_FORMATS, *GRAPH_FORMATS)
TABLE_WIDTH = 60  # longest cell shown in a table; longer values are shortened with an ellipsis

def inferred_graph(base: str) -> ox.NamedNode:
    """The named graph holding the reasoner's inferences for a graph minted under ``base``."""
    return ox.NamedNode(base + "graph/inferred")


def write_store(path: Path | None, ntriples: str | Path, ontology: Path) -> ox.Store:
    """Create the store (on disk, or in memory for ``None``): the data in the default graph, the ontology in its
    own named graph (the reasoner's inferences go in a third, see :func:`inferred_graph`). ``ntriples`` is the data
    as N-Triples text, or the path of an N-Triples file (read without a copy of it in memory)."""
    store = ox.Store(None if path is None else str(path))
    if isinstance(ntriples, Path):
        store.bulk_load(path=str(ntriples), format=ox.RdfFormat.N_TRIPLES)
    else:
        store.bulk_load(ntriples.encode("utf-8"), format=ox.RdfFormat.N_TRIPLES)
    store.bulk_load(path=str(ontology), format=ox.RdfFormat.TURTLE, to_graph=ONTOLOGY_GRAPH)
    store.flush()
    return store


def seal_store(store: ox.Store) -> None:
    """Flush an on-disk store that bulk loads wrote, and compact it for reading (before it is published).

    Each bulk load writes files of its own into every index (the data, the ontology and the inferences: three files
    an index), and a lookup searches each of them; compacting merges them into one sorted run per index. Measured
    at 1,000 synthetic drugs: 6 s more build, a larger store (298 MB to 433 MB: RocksDB writes the merged files with
    less compression), and the saved queries run from a fresh process on it, as ``drugkg query`` runs them, 1.5
    times as fast (the median; up to 2.6 times).

    >>> import tempfile
    >>> store = ox.Store(str(Path(tempfile.mkdtemp()) / "store"))
    >>> a, p = ox.NamedNode("https://example.org/a"), ox.NamedNode("https://example.org/p")
    >>> store.add(ox.Quad(a, p, ox.Literal("1")))
    >>> seal_store(store)
    >>> len(store)
    1
    """
    store.flush()
    store.optimize()


def built_base(dist: Path) -> str:
    """The base IRI the build used, read from the void:uriSpace of ``dist/void.ttl``."""
    try:
        for quad in ox.parse(path=str(dist / "void.ttl"), format=ox.RdfFormat.TURTLE):
            if quad.predicate.value == "http://rdfs.org/ns/void#uriSpace":
                return quad.object.value
    except (OSError, SyntaxError) as exc:
        raise UsageError(f"cannot read {dist / 'void.ttl'} ({exc}); rebuild with 'drugkg build'") from None
    raise UsageError(f"{dist / 'void.ttl'} has no void:uriSpace; rebuild with 'drugkg build'")


def memory_store(dist: Path, base: str) -> ox.Store:
    """The build in ``dist`` loaded into memory, in the same graphs as its on-disk store. pyoxigraph answers queries
    five to ten times faster from memory than from disk (its RocksDB lookups cost that much more; the median
    over the saved queries at 1,000 synthetic drugs: 7x), for the cost of loading (a few seconds per million
    triples), so a long-running server loads it; a one-off ``drugkg query`` opens the on-disk store instead."""
    store = ox.Store()
    try:
        store.bulk_load(path=str(dist / "drugkg.nt"), format=ox.RdfFormat.N_TRIPLES)
        store.bulk_load(path=str(dist / "drugkg-ontology.ttl"), format=ox.RdfFormat.TURTLE, to_graph=ONTOLOGY_GRAPH)
        store.bulk_load(path=str(dist / "inferred.ttl"), format=ox.RdfFormat.TURTLE, to_graph=inferred_graph(base))
    except (OSError, SyntaxError) as exc:
        raise UsageError(f"cannot load the build in {dist}/ ({exc}); rebuild it with 'drugkg build'") from None
    return store


_HELD: list[int] = []  # folders of builds this process reads from: their locks last until it exits


def held_build(dist: Path) -> Path:
    """The build folder ``dist`` links to (see :mod:`drugkg.publish`), held with a shared lock for as long as this
    process runs, so that a build published meanwhile does not remove it while it is read. A folder being removed
    (its lock held exclusively) or not there is returned unheld: opening what is in it then says what is missing.

    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> held_build(folder) == folder.resolve()
    True
    """
    import fcntl
    import os

    for _ in range(10):  # a build that switched the link and removed the folder meanwhile: resolve again
        real = Path(os.path.realpath(dist))
        try:
            fd = os.open(real, os.O_RDONLY | os.O_DIRECTORY)
        except OSError:
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
            # still the folder at that name, and still the one the link names (not removed nor switched meanwhile)
            if os.path.samestat(os.fstat(fd), os.stat(real)) and Path(os.path.realpath(dist)) == real:
                _HELD.append(fd)
                return real
        except OSError:  # being removed (held exclusively), or gone
            pass
        os.close(fd)
    return Path(os.path.realpath(dist))


def open_store(dist: Path) -> ox.Store:
    """Open the built store read-only (holding its build, see :func:`held_build`), or explain how to build it."""
    path, shown = held_build(dist) / STORE_DIR, dist / STORE_DIR
    if not (path / "CURRENT").is_file():
        raise UsageError(f"no built graph in {dist}/ (missing {shown}); run 'drugkg build' first or pass --store DIR")
    try:
        return ox.Store.read_only(str(path))
    except OSError as exc:
        raise UsageError(f"cannot open the store in {shown}: {exc}; rebuild it with 'drugkg build'") from None


DEEP_STACK = 1 << 30  # bytes of stack (address space; memory is used only as deep as a query goes)


def on_deep_stack(function, *args):
    """``function(*args)`` on a thread with a :data:`DEEP_STACK` stack, its result or its exception.

    pyoxigraph parses and evaluates a query recursively: a chain of 4,000 ``BIND``\\ s or 30,000 ``!`` overflows
    the usual 8 MB stack (the process dies with SIGSEGV). On a 1 GB stack every construct measured, repeated up to
    64 KB of query text, parses and runs.

    >>> on_deep_stack(sum, [1, 2, 3])
    6
    """
    import threading
    import traceback

    outcome: list = []

    def call() -> None:
        try:
            outcome.append((True, function(*args)))
        except BaseException as exc:  # noqa: BLE001 - handed to the caller's thread below
            # the frames' locals go here: pyoxigraph's answers held there may be dropped on no other thread
            seen = exc
            while seen is not None:
                traceback.clear_frames(seen.__traceback__)
                seen = seen.__cause__ or seen.__context__
            outcome.append((False, exc))

    previous = threading.stack_size()
    started = None
    for size in (DEEP_STACK, DEEP_STACK // 8, 0):  # less where the address space is limited (ulimit -v)
        threading.stack_size(size)
        try:
            thread = threading.Thread(target=call, name="drugkg-deep-stack")
            thread.start()
            started = thread
            break
        except RuntimeError:  # "can't start new thread": no room for a stack that size
            continue
        finally:
            threading.stack_size(previous)
    if started is None:
        call()  # not even a thread of the usual size: on this one
    else:
        started.join()
    ok, value = outcome[0]
    if not ok:
        raise value
    return value


def run_local(store: ox.Store, text: str, source: str = "query"):
    """Run ``text`` on the embedded store over the union of its graphs."""
    try:
        result = store.query(text, use_default_graph_as_union=True)
    except SyntaxError as exc:
        raise UsageError(f"{source}: SPARQL syntax error: {exc} (fix the query; see https://www.w3.org/TR/sparql11-query/)") from None
    if isinstance(result, ox.QueryTriples):
        return list(result)
    if isinstance(result, ox.QuerySolutions):
        return in_projection_order(result, text)
    return result


def in_projection_order(solutions: ox.QuerySolutions, text: str) -> ox.QuerySolutions:
    """``solutions`` with their columns in :func:`drugkg.queries.projection_order` (the same answer when a
    ``SELECT *`` answer's columns are already in the order they appear in the query, or for any other query)."""
    names = [v.value for v in solutions.variables]
    order = projection_order(text, names)
    if order == names:
        return solutions
    document = json.loads(solutions.serialize(format=ox.QueryResultsFormat.JSON))
    document["head"]["vars"] = order
    return ox.parse_query_results(json.dumps(document).encode("utf-8"), format=ox.QueryResultsFormat.JSON)


_BOOLEAN = "http://www.w3.org/2001/XMLSchema#boolean"
_CANONICAL_BOOLEAN = {"1": "true", "0": "false"}
_MEDIA_ALIASES = {"application/x-json+ld": "application/ld+json"}  # Virtuoso's name for JSON-LD


def run_remote(
    endpoint: str,
    text: str,
    form: str,
    *,
    method: str = "GET",
    timeout: float = 60.0,
    graphs: Iterable[str] = (),
    source: str = "query",
    credentials=None,
    params: Mapping[str, str] | None = None,
    page_size: int = PAGE_SIZE,
    graph_format: str = "ttl",
):
    """Run ``text`` on a SPARQL 1.1 Protocol endpoint: GET, or POST form-encoded (never a raw POST body, on which
    Virtuoso hangs).

    SELECT results are fetched in pages of ``page_size`` rows (the query's own LIMIT and OFFSET are kept), so a store
    that silently caps its answers (Virtuoso: 10,000 rows) still gives every row; a page shorter than asked for is
    checked with one more row, and if there is one the cap is taken as the page size. Paging relies on the query's
    ORDER BY for a stable order, as saved queries have. An answer the store marks as incomplete (Virtuoso's partial
    results on a timeout, sent with status 200 and an ``X-SQL-State`` header) is an error, never a result.
    ``params`` are extra protocol parameters for the store (for example Virtuoso's ``timeout`` in milliseconds);
    CONSTRUCT and DESCRIBE answers are asked for in ``graph_format``: ttl (Turtle), jsonld or rdf (RDF/XML).
    """
    if not endpoint.startswith(("http://", "https://")):
        raise UsageError(f"--endpoint {endpoint!r} is not an http(s) URL; give e.g. http://127.0.0.1:7878/query")
    fetch = _Fetcher(endpoint, form, method, timeout, list(graphs), source, credentials, dict(params or {}),
                     graph_format)
    text = without_comments(text)
    if form != "SELECT":
        return _parse_remote(*fetch(text), form, endpoint, source)
    return ox.parse_query_results(json.dumps(_select_pages(fetch, text, page_size)).encode("utf-8"),
                                  format=ox.QueryResultsFormat.JSON)


class _Fetcher:
    """One request to the endpoint through SPARQLWrapper: the answer's body and media type, or a UsageError."""

    def __init__(self, endpoint, form, method, timeout, graphs, source, credentials, params, graph_format):
        self.endpoint, self.form, self.method, self.timeout = endpoint, form, method, timeout
        self.graphs, self.source, self.credentials, self.params = graphs, source, credentials, params
        self.graph_format = graph_format

    def __call__(self, text: str) -> tuple[bytes, str]:
        import http.client
        import time

        from SPARQLWrapper import GET, JSON, JSONLD, POST, RDFXML, TURTLE, URLENCODED, SPARQLWrapper
        from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

        client = SPARQLWrapper(self.endpoint)
        client.setQuery(text)
        client.queryType = self.form  # SPARQLWrapper's own guess reads words in comments (a header saying 'construct')
        client.setMethod(POST if self.method.upper() == "POST" else GET)
        client.setRequestMethod(URLENCODED)
        client.setTimeout(max(1, round(self.timeout)))
        client.setOnlyConneg(True)  # the Accept header decides (a 'format' parameter overrides it on Virtuoso)
        graph_formats = {"ttl": TURTLE, "jsonld": JSONLD, "rdf": RDFXML}
        client.setReturnFormat(graph_formats[self.graph_format] if self.form in ("CONSTRUCT", "DESCRIBE") else JSON)
        for graph in self.graphs:
            client.addDefaultGraph(graph)
        for name, value in self.params.items():
            client.addParameter(name, value)
        if self.credentials is not None:
            client.setCredentials(self.credentials.user, self.credentials.password)
        endpoint, source = self.endpoint, self.source
        started = time.monotonic()
        try:
            response = client.query().response
            headers = response.headers
            body = read_answer(response, self.timeout, started)
        except SPARQLWrapperException as exc:
            detail = " ".join(str(exc).split())[:400]
            raise UsageError(f"{endpoint} refused {source}: {detail}") from None
        except urllib.error.HTTPError as exc:
            raise UsageError(f"{endpoint} answered HTTP {exc.code} {exc.reason} to {source}; check the URL and the query") from None
        except urllib.error.URLError as exc:
            raise UsageError(f"cannot reach {endpoint} ({exc.reason}); check the URL and that the server is running") from None
        except AnswerUnfinished:
            raise UsageError(f"{endpoint} was still sending its answer to {source} after {self.timeout:g} s; raise "
                             "--timeout (or simplify the query) if the store is slow, else check that the URL is its "
                             "SPARQL endpoint") from None
        except TimeoutError:
            raise UsageError(f"{endpoint} did not answer {source} within {self.timeout:g} s; raise --timeout or simplify the query") from None
        except (http.client.HTTPException, OSError) as exc:  # a garbled, cut or refused answer: the endpoint's fault
            raise UsageError(f"{source}: {connection_failure(endpoint, exc)}; {CONNECTION_FIX}") from None
        if headers.get("X-SQL-State"):
            detail = " ".join((headers.get("X-SQL-Message") or headers["X-SQL-State"]).split())[:300]
            raise UsageError(f"{endpoint} sent incomplete results for {source} ({detail}); nothing is shown. Raise the "
                             "store's time limit or simplify the query")
        return body, headers.get("Content-Type", "")


CONNECTION_FIX = "check that the URL is the store's SPARQL endpoint and that the store is running (its log may say why)"
NOT_RESULTS_FIX = "check that the URL is the store's SPARQL endpoint, not a web page or another service"


class AnswerUnfinished(TimeoutError):
    """An answer still arriving when its time was up."""


def read_answer(response, timeout: float, started: float) -> bytes:
    """The whole body of an HTTP ``response``, read as it arrives, within ``timeout`` seconds of ``started`` (a
    ``time.monotonic()``): the socket's own timeout bounds each read, but not an answer that trickles in forever.

    Raises :class:`AnswerUnfinished` when the time is up, and ``http.client.IncompleteRead`` when the connection
    closes before the length the answer announced.
    """
    import http.client
    import time

    parts: list[bytes] = []
    while True:
        if time.monotonic() - started > timeout:
            raise AnswerUnfinished(f"the answer was still arriving after {timeout:g} s")
        part = response.read1(1 << 16)
        if not part:
            break
        parts.append(part)
    body = b"".join(parts)
    if getattr(response, "length", None):  # read1 takes an early close for the end; read() would have raised
        raise http.client.IncompleteRead(body, response.length)
    return body


def connection_failure(url: str, exc: BaseException) -> str:
    """What went wrong talking to ``url``, in words, for an exception from ``http.client`` or the socket.

    >>> import http.client
    >>> connection_failure("http://127.0.0.1:9/sparql", http.client.BadStatusLine("garbage\\r\\n"))
    "http://127.0.0.1:9/sparql answered with something that is not HTTP ('garbage')"
    """
    import http.client  # here, not at the top: 'drugkg query' on the embedded store never needs it

    if isinstance(exc, http.client.RemoteDisconnected):
        return f"{url} closed the connection without answering"
    if isinstance(exc, http.client.BadStatusLine):
        line = " ".join(str(exc.args[0] if exc.args else "").split())
        return f"{url} answered with something that is not HTTP ({line[:80]!r})"
    if isinstance(exc, http.client.IncompleteRead):
        short = f", {exc.expected:,} bytes short of the length it announced" if exc.expected else ""
        return f"{url} broke off its answer after {len(exc.partial):,} bytes{short}"
    if isinstance(exc, http.client.HTTPException):
        return f"{url} sent a malformed HTTP answer ({type(exc).__name__}: {exc})"
    if isinstance(exc, ConnectionResetError):
        return f"{url} reset the connection"
    if isinstance(exc, OSError):
        return f"the connection to {url} failed ({exc.strerror or exc})"
    return f"the request to {url} failed ({type(exc).__name__}: {exc})"


def _select_pages(fetch: _Fetcher, text: str, page_size: int) -> dict:
    """Every row of a SELECT as one SPARQL JSON results document, fetched page by page past any silent row cap.

    The first page is the query itself with a LIMIT; later pages slice it as a sub-select (see
    :func:`drugkg.queries.subselect_slice`), with the columns in the order the first answer gave them.
    """
    from drugkg.queries import solution_slice, subselect_slice, with_slice

    base, limit, offset = solution_slice(text)
    head = _json_rows(fetch, with_slice(base, 0, 0))[0] if offset else None  # the columns, when no page starts at 0

    def page(size: int, at: int) -> tuple[dict, list[dict]]:
        if at == 0:
            return _json_rows(fetch, with_slice(base, size, 0))
        return _json_rows(fetch, subselect_slice(base, head.get("vars", []), size, at))

    rows, size = [], page_size
    while True:
        want = size if limit is None else min(size, limit - len(rows))
        page_head, got = page(want, offset + len(rows))
        head = head or page_head
        rows.extend(got)
        if (limit is not None and len(rows) >= limit) or not got:
            break
        if len(got) < want:  # the end, or a cap below the page size: one row more tells which
            if not page(1, offset + len(rows))[1]:
                break
            size = len(got)
    return {"head": head, "results": {"bindings": rows}}


def _json_rows(fetch: _Fetcher, text: str) -> tuple[dict, list[dict]]:
    body, content_type = fetch(text)
    try:
        document = json.loads(body)
        head, rows = document["head"], document["results"]["bindings"]
    except (ValueError, KeyError, TypeError) as exc:
        media = content_type.split(";")[0].strip() or "no media type"
        raise UsageError(f"{fetch.endpoint} answered {fetch.source} with {media}, not SPARQL JSON results ({exc}); "
                         f"{NOT_RESULTS_FIX}") from None
    for row in rows:
        for term in row.values():
            # Virtuoso writes booleans as "1" and "0"; the same values as "true" and "false", canonical everywhere else
            if term.get("datatype") == _BOOLEAN and term.get("value") in _CANONICAL_BOOLEAN:
                term["value"] = _CANONICAL_BOOLEAN[term["value"]]
    return head, rows


def _parse_remote(body: bytes, content_type: str, form: str, endpoint: str, source: str = "query"):
    media = content_type.split(";")[0].strip().lower()
    media = _MEDIA_ALIASES.get(media, media)
    try:
        if form in ("CONSTRUCT", "DESCRIBE"):
            rdf_format = ox.RdfFormat.from_media_type(media) or ox.RdfFormat.TURTLE
            return [quad.triple for quad in ox.parse(body, format=rdf_format)]
        results_format = ox.QueryResultsFormat.from_media_type(media) or ox.QueryResultsFormat.JSON
        return ox.parse_query_results(body, format=results_format)
    except (SyntaxError, ValueError) as exc:
        expected = "RDF" if form in ("CONSTRUCT", "DESCRIBE") else "SPARQL results"
        raise UsageError(f"{endpoint} answered {source} with {media or 'no media type'}, not {expected} "
                         f"({' '.join(str(exc).split())[:200]}); {NOT_RESULTS_FIX}") from None


def sorted_tsv(result) -> str:
    """SPARQL TSV with the rows sorted (the header first): the form of the golden files."""
    lines = result.serialize(format=ox.QueryResultsFormat.TSV).decode("utf-8").splitlines()
    return "\n".join([lines[0], *sorted(lines[1:])]) + "\n"


def write_result(result, fmt: str, out: BinaryIO, prefixes: Mapping[str, str] | None = None) -> None:
    """Write ``result`` (SELECT solutions, an ASK boolean or a list of triples) in ``fmt`` to ``out``."""
    if isinstance(result, list):
        if fmt == "table":
            fmt = "ttl"
        if fmt not in GRAPH_FORMATS:
            raise UsageError(f"a CONSTRUCT or DESCRIBE answer is a graph: use --format {', '.join(GRAPH_FORMATS)}")
        out.write(ox.serialize(result, format=GRAPH_FORMATS[fmt], prefixes=_rdf_prefixes(prefixes)) or b"")
        return
    if fmt in GRAPH_FORMATS:
        raise UsageError(f"--format {fmt} is for graphs; a SELECT or ASK answer takes --format table, {', '.join(RESULT_FORMATS)}")
    if isinstance(result, ox.QueryBoolean):
        if fmt == "table":
            out.write(b"yes\n" if bool(result) else b"no\n")
        else:
            out.write(result.serialize(format=RESULT_FORMATS[fmt]))
    elif fmt == "table":
        _write_table(result, out, prefixes)
    else:
        result.serialize(out, format=RESULT_FORMATS[fmt])


def _rdf_prefixes(prefixes: Mapping[str, str] | None) -> dict[str, str]:
    from drugkg.vocab import WRITE_PREFIXES

    return {**WRITE_PREFIXES, **(prefixes or {})}


def cell(term, prefixes: Mapping[str, str] | None = None) -> str:
    """How a term reads in a table: IRIs shortened to CURIEs, literals as their value, numbers as written."""
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        return curie(term.value, prefixes)
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.Literal):
        if term.datatype.value.endswith(("#decimal", "#double", "#float")):
            return decimal_text(term.value)
        return term.value
    return str(term)


def _write_table(solutions, out: BinaryIO, prefixes: Mapping[str, str] | None) -> None:
    names = [v.value for v in solutions.variables]
    rows = [[cell(solution[name], prefixes) for name in names] for solution in solutions]
    shortened = False

    def fit(text: str) -> str:
        nonlocal shortened
        text = " ".join(text.split())
        if len(text) > TABLE_WIDTH:
            shortened = True
            return text[: TABLE_WIDTH - 1] + "…"
        return text

    rows = [[fit(c) for c in row] for row in rows]
    widths = [max([len(n), *(len(r[i]) for r in rows)]) for i, n in enumerate(names)]
    lines = [
        "  ".join(n.ljust(w) for n, w in zip(names, widths, strict=True)).rstrip(),
        "  ".join("-" * w for w in widths),
        *("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in rows),
    ]
    footer = f"({len(rows)} row{'s' if len(rows) != 1 else ''}"
    footer += "; long values shortened, use --format tsv or json for full values)" if shortened else ")"
    out.write(("\n".join([*lines, footer]) + "\n").encode("utf-8"))
