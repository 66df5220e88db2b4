"""The web application: the SPARQL 1.1 Protocol at ``/sparql``, linked-data pages, saved queries, the query page.

URL map (the README's "Serving" section says the same for users):

- ``/sparql``: SPARQL 1.1 Protocol (GET, POST form-encoded, POST ``application/sparql-query``); without a query,
  the SPARQL Service Description. Read-only: updates are refused (403), and so are federated ``SERVICE`` calls.
- ``/id/X``: the resource ``{base}X`` (the base IRI from ``dist/void.ttl``); ``/resource?iri=IRI`` any other
  resource in the graph (external IRIs such as ``http://purl.obolibrary.org/obo/MONDO_0010604``). HTML, Turtle,
  JSON-LD, N-Triples or RDF/XML by ``Accept`` or ``?format=``.
- ``/ontology`` (one anchor per term), ``/void`` (the dataset description), ``/`` (index and search by label).
- ``/queries`` and ``/queries/NAME?param=value``: the saved queries, bound as ``drugkg query`` binds them.
- ``/query``: the query page (an editor with the saved queries as examples; plain JavaScript, no CDN).

Every refused request is logged on ``drugkg.server`` as one line: method, path, status and reason.
"""

from __future__ import annotations

import contextlib
import functools
import io
import json
import logging
import socket
import sys
import urllib.parse
import zlib

import pyoxigraph as ox
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, PlainTextResponse, RedirectResponse, Response, StreamingResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette_compress import CompressMiddleware, add_compress_type

from drugkg import __version__, engine
from drugkg.errors import UsageError
from drugkg.prefixes import PREFIXES
from drugkg.push import asserted_graph
from drugkg.queries import MAX_NESTING, _tokens, catalogue, curie, iri_term, nesting, too_deep
from drugkg.server import Settings, media, work
from drugkg.server.caching import Validators, build_token
from drugkg.server.pool import Busy, Pool, QueryTimeout, Unavailable, WorkerFailed
from drugkg.server.quotes import Quotes
from drugkg.vocab import DCAT, DCTERMS, DKG_NS, IANA_MEDIA_TYPES, ONTOLOGY_IRI, RDF, RDFS, VOID, WRITE_PREFIXES
from drugkg.void import GZIP, media_type_of, site_triples

log = logging.getLogger("drugkg.server")

QUERY_FORMS = {"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"}
UPDATE_KEYWORDS = {"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH"}
READ_ONLY = ("this endpoint is read-only: SPARQL Update is not accepted; change the data in data/ and run "
             "'drugkg build', or load the build into a writable store with 'drugkg push'")
NO_SERVICE = ("federated queries (SERVICE) are refused: this endpoint answers from its own graph only and makes no "
              "requests to other servers; run the SERVICE part on its own endpoint")
SD = "http://www.w3.org/ns/sparql-service-description#"
FORMATS_NS = "http://www.w3.org/ns/formats/"
SD_FORMATS = ("SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV", "Turtle",
              "N-Triples", "JSON-LD", "RDF_XML")
EXAMPLE = """PREFIX dkg: <https://w3id.org/drugkg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>

SELECT ?product ?label WHERE {
  ?product a dkg:DrugProduct ;
    rdfs:label ?label .
}
ORDER BY ?label
"""
VARY = {"Vary": "Accept"}
KIND_NAMES = {"solutions": "a SELECT answer", "boolean": "an ASK answer", "graph": "a CONSTRUCT or DESCRIBE answer"}


CORS_REQUEST_HEADERS = ["Accept", "Accept-Encoding", "Authorization", "Cache-Control", "Content-Type",
                        "If-Modified-Since", "If-None-Match", "X-Requested-With"]
CORS_EXPOSED_HEADERS = ["ETag", "Link", "Last-Modified", "Retry-After"]
# Compressed when the client accepts it (gzip, br or zstd): the RDF and SPARQL results types beside the text and JSON
# ones the compression middleware knows.
for _media in {*media.RESULTS.values(), *media.GRAPHS.values(), "application/n-quads", "application/trig"}:
    add_compress_type(_media)


def _endpoint_url(request: Request) -> str | None:
    """The URL the query was sent to, without its query string: what the SPARQL protocol lets relative IRIs in the
    query resolve against. None when the request's Host makes no valid IRI (the query then has no base)."""
    url = str(request.url.replace(query="", fragment=""))
    try:
        ox.NamedNode(url)
    except ValueError:
        return None
    return url


def first_keyword(text: str, tokens: list | None = None) -> str | None:
    """The first query-form or update keyword outside comments, strings and IRIs (``tokens``: as for
    :func:`drugkg.queries.nesting`).

    >>> first_keyword("PREFIX ex: <http://e.org/> # SELECT\\nINSERT DATA { ex:a ex:b 'SELECT' }")
    'INSERT'
    """
    for kind, token, _ in _tokens(text) if tokens is None else tokens:
        if kind == "word" and token.upper() in QUERY_FORMS | UPDATE_KEYWORDS:
            return token.upper()
    return None


@functools.lru_cache(maxsize=256)  # the same texts (saved queries) come again and again
def query_checks(text: str) -> tuple[int, str | None, bool]:
    """What the endpoint checks in a query text, read in one pass: its nesting depth, its first query-form or update
    keyword, and whether it calls SERVICE."""
    tokens = list(_tokens(text))
    return nesting(text, tokens), first_keyword(text, tokens), uses_service(text, tokens)


def uses_service(text: str, tokens: list | None = None) -> bool:
    """Whether the query calls SERVICE (outside comments, strings and IRIs; ``tokens``: as for
    :func:`drugkg.queries.nesting`)."""
    return any(kind == "word" and token.upper() == "SERVICE"
               for kind, token, _ in (_tokens(text) if tokens is None else tokens))


def _printable(text: str, limit: int = 300) -> str:
    """Text for one log line: control characters escaped, cut at ``limit``."""
    text = "".join(c if c.isprintable() else f"\\x{ord(c):02x}" for c in text)
    return text if len(text) <= limit else text[:limit] + "..."


def log_refusal(request: Request, status: int, message: str) -> None:
    """One line on the ``drugkg.server`` log: method, path (with the query string), status and reason."""
    target = request.url.path + (f"?{urllib.parse.unquote_plus(request.url.query)}" if request.url.query else "")
    log.warning("refused %s %s %d: %s", request.method, _printable(target), status, " ".join(message.split()))


# Sent with every answer. The pages load scripts, styles and images from this server only (query.js and style.css;
# the query page's examples are JSON in non-executed script elements), are never framed (clickjacking) and send
# forms only here; no answer is sniffed into another type than its Content-Type.
SECURITY_HEADERS = [
    (b"content-security-policy", b"default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                                 b"connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
]


# The query page's YASGUI sets style attributes in the markup it writes (the editor's and the table's sizes): that page
# alone allows inline styles; scripts stay this server's files only.
QUERY_PAGE_POLICY = SECURITY_HEADERS[0][1].replace(b"style-src 'self';", b"style-src 'self' 'unsafe-inline';")


class SecurityHeaders:
    """ASGI middleware that adds :data:`SECURITY_HEADERS` to every answer, error pages and static files included."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                names = {name.lower() for name, _ in message.get("headers", [])}
                message["headers"] = [*message.get("headers", []),
                                      *((n, v) for n, v in SECURITY_HEADERS if n not in names)]
            await send(message)

        await self.app(scope, receive, send_with_headers)


def without_trailing_slash(path: str, query: str) -> str:
    r"""Where a path ending in '/' is redirected: the same path without it, as a relative reference (never the
    request's Host, which a client sets), percent-encoded, with one leading slash (never '//host' or '/\host').

    >>> without_trailing_slash("/queries/", "format=json")
    '/queries?format=json'
    >>> without_trailing_slash("//evil.example/", "")
    '/evil.example'
    >>> without_trailing_slash("/\\evil.example/", "")
    '/%5Cevil.example'
    """
    target = "/" + urllib.parse.quote(path.lstrip("/").rstrip("/"), safe="/:@!$&'()*+,;=-._~")
    return target + (f"?{query}" if query else "")


class Refusal(Exception):
    """A request the server will not answer: its HTTP status and the message for the client."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status, self.message, self.headers = status, message, headers or {}


class Site:
    """The served build: its base IRI, VoID, saved queries, the worker pool and the pages."""

    def __init__(self, settings: Settings):
        self.settings = settings
        engine.open_store(settings.dist)  # the usual error if there is no built store
        self.base = engine.built_base(settings.dist)
        self.saved = {name: q for name, q in catalogue(settings.queries).items() if not name.startswith("checks/")}
        self.void = ox.Store()
        self.void.load(path=str(settings.dist / "void.ttl"), format=ox.RdfFormat.TURTLE)
        self.void_iri = next(q.subject.value for q in self.void.quads_for_pattern(None, VOID.uriSpace, None, None))
        self.limits = work.Limits(settings.max_rows, settings.max_triples)
        self.quotes = Quotes(settings.documents)
        self.prefixes = {"id": self.base}
        self.inferred = engine.inferred_graph(self.base).value
        self.pool = Pool(settings.dist, settings.workers, settings.timeout, None if settings.on_disk else self.base)
        self.env = Environment(loader=PackageLoader("drugkg", "templates"), autoescape=select_autoescape(["html"]),
                               undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
        self.env.globals.update(link=self.link, curie=self.curie, base=self.base, settings=settings)
        self.index: list[dict] = []
        self.param_types: dict[str, list[str]] = {}
        # the files the build published and the description lists , and their gzip copies
        self.downloads = {_one(self.void, q.object.value, DCTERMS.title)
                          for q in self.void.quads_for_pattern(ox.NamedNode(self.void_iri), DCAT.distribution, None, None)}
        self.public_url = ""  # set by publish_at, once the server knows the URL it is reached at
        self.size = 0
        self._ontology: dict | None = None

    # --- life cycle ------------------------------------------------------------------------------------------

    def start(self) -> None:
        """Start the workers and read what every page needs once: the entity index and the types of the saved
        queries' default parameter values (to offer each query on the pages of resources of the same kind)."""
        try:
            self.pool.start()
        except RuntimeError as exc:
            self.pool.close()
            raise UsageError(f"{exc}; rebuild with 'drugkg build'") from None
        self.index = self.pool.call_now("entity_index")
        self.size = self.pool.call_now("size")
        defaults = set()
        for query in self.saved.values():
            for p in query.parameters:
                if p.kind == "iri" and query.defaults.get(p.name):
                    defaults.add(iri_term(p.name, query.defaults[p.name]).value)
        self.param_types = self.pool.call_now("types_of", sorted(defaults))

    def publish_at(self, url: str) -> None:
        """Where the server is reached (``--public-url``, else the address it listens on): the description gains the
        SPARQL endpoint and each file's download URL under it."""
        self.public_url = url.rstrip("/")
        for triple in site_triples(self.void, self.public_url):
            self.void.add(ox.Quad(*triple))

    def app(self) -> SecurityHeaders:
        token, modified = build_token(self.settings.dist, repr((
            self.public_url, self.settings.max_rows, self.settings.max_triples, self.settings.on_disk,
            str(self.settings.documents), __version__, sorted((name, q.text) for name, q in self.saved.items()))))
        routes = [
            Route("/", self.index_page),
            Route("/sparql", self.sparql, methods=["GET", "POST", "OPTIONS"]),
            Route("/query", self.query_page),
            Route("/queries", self.queries_list, methods=["GET", "OPTIONS"]),
            Route("/queries/{name}", self.saved_query, methods=["GET", "OPTIONS"]),
            Route("/id/{path:path}", self.resource_by_path),
            Route("/resource", self.resource_by_iri),
            Route("/ontology", self.ontology_page),
            Route("/void", self.void_page),
            Route("/.well-known/void", self.void_page),  # where VoID says a dataset's description is found
            Route("/download/{name}", self.download),
            Mount("/static", StaticFiles(packages=[("drugkg", "static")]), name="static"),
        ]
        # CORS for browser SPARQL tools on this read-only endpoint: the request headers they add (a preflight naming any
        # other is refused), and the response headers they read. No credentials: the origin stays "*".
        # Inside CORS (so a 304 carries its headers too): the validators, then compression of the answer.
        middleware = [Middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["GET", "POST", "OPTIONS"],
                                 allow_headers=CORS_REQUEST_HEADERS, expose_headers=CORS_EXPOSED_HEADERS, max_age=600),
                      Middleware(Validators, token=token, modified=modified),
                      Middleware(CompressMiddleware)]
        app = Starlette(routes=routes, middleware=middleware, exception_handlers={HTTPException: self.http_error},
                        lifespan=self._lifespan)
        # Starlette's own redirect of '/queries/' to '/queries' is an absolute URL built from the Host header (an
        # open redirect with 'Host: evil.example'); http_error redirects relatively instead
        app.router.redirect_slashes = False
        # outermost, around Starlette's own error middleware too: a 500 carries the headers as well
        return SecurityHeaders(app)

    @contextlib.asynccontextmanager
    async def _lifespan(self, app):
        yield
        self.pool.close()

    # --- responses -------------------------------------------------------------------------------------------

    def refuse(self, request: Request, status: int, message: str, headers: dict[str, str] | None = None) -> Response:
        """Answer with an error status and message (HTML for a browser, else plain text), and log it."""
        log_refusal(request, status, message)
        headers = {**VARY, **(headers or {})}
        accept = request.headers.get("accept")
        if media.quality("text/html", accept) > media.quality("text/plain", accept):
            return self.html("error.html", request, status, headers, status_code=status, message=message)
        return PlainTextResponse(message + "\n", status, headers=headers)

    def html(self, template: str, request: Request, status: int = 200, headers: dict | None = None, **context) -> Response:
        body = self.env.get_template(template).render(request=request, **context)
        return HTMLResponse(body, status, headers={**VARY, **(headers or {})})

    async def http_error(self, request: Request, exc: HTTPException) -> Response:
        """Starlette's own refusals (no route, wrong method), in the same words and log as the others."""
        headers = dict(exc.headers or {})
        message = exc.detail
        path = request.scope["path"]  # percent-decoded
        if exc.status_code == 404 and path.endswith("/") and path.strip("/") and request.method in ("GET", "HEAD"):
            # a plain Response: RedirectResponse would percent-encode the already encoded target again
            return Response(status_code=308, headers={"Location": without_trailing_slash(path, request.url.query), **VARY})
        if exc.status_code == 404:
            message = f"nothing at {request.url.path}; the index is at /"
        elif exc.status_code == 405:
            headers["Allow"] = ", ".join(sorted(headers.get("Allow", "GET").split(", ")))
            message = f"{request.method} is not allowed on {request.url.path}; use {headers['Allow']}"
        return self.refuse(request, exc.status_code, message, headers)

    def link(self, iri: str, known=()) -> tuple[str | None, str | None]:
        """Where a link to ``iri`` goes: (the local page or None, the outbound address or None)."""
        if iri.startswith(DKG_NS):
            return f"/ontology#{iri[len(DKG_NS):]}", None
        if iri == ONTOLOGY_IRI:
            return "/ontology", None
        if iri == self.void_iri:
            return "/void", None
        outbound = iri if iri.startswith(("http://", "https://")) and not iri.startswith(self.base) else None
        if iri not in known:
            return None, outbound
        if iri.startswith(self.base):
            return "/id/" + urllib.parse.quote(iri[len(self.base):], safe="/:@!$&'()*+,;=-._~"), None
        return "/resource?iri=" + urllib.parse.quote(iri, safe=""), outbound

    def curie(self, iri: str) -> str:
        return curie(iri, self.prefixes)

    async def job(self, name: str, *args):
        """Run a job on a worker; timeouts and failures become refusals."""
        try:
            return await self.pool.run(name, *args)
        except QueryTimeout:
            raise Refusal(503, (
                f"the query ran longer than this server's limit of {self.settings.timeout:g} s (--timeout) and was "
                f"stopped; make it more selective (more specific patterns, a LIMIT), or start the server with a "
                f"larger --timeout"
            )) from None
        except Busy:
            raise Refusal(503, (
                f"all {self.settings.workers} query workers stayed busy for {self.settings.timeout:g} s; retry "
                f"shortly, or start the server with more --workers"
            ), {"Retry-After": "5"}) from None
        except Unavailable as exc:
            raise Refusal(503, f"the server could not answer just now ({exc}); retry shortly",
                          {"Retry-After": "5"}) from None
        except WorkerFailed as exc:
            log.error("query worker failed: %s", exc)
            raise Refusal(500, f"the server failed while answering ({exc}); the server's log has the details") from None

    # --- the SPARQL endpoint ---------------------------------------------------------------------------------

    async def sparql(self, request: Request) -> Response:
        try:
            if request.method == "OPTIONS":
                return Response(status_code=204, headers={"Allow": "GET, POST, OPTIONS"})
            params = await self._protocol_params(request)
            if "update" in params:
                raise Refusal(403, READ_ONLY)
            queries = params.get("query", [])
            if not queries:
                if request.method in ("GET", "HEAD"):
                    return self.service_description(request)
                raise Refusal(400, "no query: send the query text as query=... (form-encoded) or as an "
                                   "application/sparql-query body")
            if len(queries) > 1:
                raise Refusal(400, "more than one query parameter; send one query per request")
            answer = await self.execute(request, queries[0], params)
            if answer.fmt == "html":
                return self.render_results("results.html", request, answer, query=queries[0])
            return Response(answer.body, media_type=media.media_type(answer.fmt), headers=VARY)
        except Refusal as refusal:
            return self.refuse(request, refusal.status, refusal.message, refusal.headers)

    async def _protocol_params(self, request: Request) -> dict[str, list[str]]:
        limit = 4 * self.settings.max_query_bytes  # room for URL-encoding; the query text itself is checked later
        if request.method in ("GET", "HEAD"):  # HEAD: the GET's answer, headers only (the server sends no body)
            if len(request.url.query) > limit:
                raise Refusal(413, self._too_long())
            pairs = list(request.query_params.multi_items())
        else:
            content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
            if content_type == "application/sparql-update":
                raise Refusal(403, READ_ONLY)
            body = await self._body(request, limit)
            try:
                text = body.decode("utf-8")
            except UnicodeDecodeError:
                raise Refusal(400, "the request body is not UTF-8 text") from None
            if content_type == "application/x-www-form-urlencoded":
                try:
                    pairs = urllib.parse.parse_qsl(text, keep_blank_values=True, max_num_fields=100)
                except ValueError as exc:
                    raise Refusal(400, f"the form body cannot be read ({exc})") from None
            elif content_type == "application/sparql-query":
                pairs = [*request.query_params.multi_items(), ("query", text)]
            else:
                raise Refusal(415, "send the query form-encoded (Content-Type: application/x-www-form-urlencoded, "
                                   "query=...) or as the body with Content-Type: application/sparql-query")
        params: dict[str, list[str]] = {}
        for key, value in pairs:
            params.setdefault(key, []).append(value)
        return params

    async def _body(self, request: Request, limit: int) -> bytes:
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > 64 * limit:
            raise Refusal(413, self._too_long())
        chunks, size = [], 0
        async for chunk in request.stream():
            size += len(chunk)
            if size <= limit:
                chunks.append(chunk)
            elif size > 64 * limit:
                break
        if size > limit:
            raise Refusal(413, self._too_long())
        return b"".join(chunks)

    def _too_long(self) -> str:
        return (f"the query is longer than this server's limit of {self.settings.max_query_bytes} bytes "
                f"(--max-query-bytes); shorten it, for example with a VALUES block bound by a saved query's parameters")

    def _formats(self, request: Request, params: dict[str, list[str]]) -> tuple[str | None, str | None, bool]:
        """The answer's format for a SELECT/ASK and for a CONSTRUCT/DESCRIBE, and whether ``format=`` chose it."""
        chosen = [part.strip() for value in params.get("format", []) for part in value.split(",") if part.strip()]
        if chosen:
            # repeated and comma-separated values (SPARQLWrapper sends format=json-ld&format=application/ld+json,
            # application/x-json+ld): the first one that can carry each kind of answer wins
            wanted = [found for name in chosen if (found := media.from_param(name)) is not None]
            if not wanted:
                shown = ", ".join(chosen)
                raise Refusal(400, f"format={shown} is not a format; use one of {', '.join(media.NAMES)} (or a media type)")
            results = next((w[0] for w in wanted if w[0] is not None), None)
            graph = next((w[1] for w in wanted if w[1] is not None), None)
            return results, graph, True
        accept = request.headers.get("accept")
        results = media.negotiate(accept, media.offers(media.RESULTS, media.RESULT_ALIASES))
        graph = media.negotiate(accept, media.offers(media.GRAPHS, media.GRAPH_ALIASES))
        if results is None and graph is None:
            raise Refusal(406, self._not_acceptable(accept, {**media.RESULTS, **media.GRAPHS}))
        return results, graph, False

    def _not_acceptable(self, accept: str | None, formats: dict[str, str]) -> str:
        types = ", ".join(dict.fromkeys(formats.values()))
        return f"cannot answer in any media type of Accept: {accept}; ask for one of {types} (or add ?format=NAME)"

    async def execute(self, request: Request, text: str, params: dict[str, list[str]]) -> work.Answer:
        """Check a query against the limits and the read-only rule, run it on a worker, and return its answer
        (status 200), or raise Refusal."""
        if len(text.encode("utf-8")) > self.settings.max_query_bytes:
            raise Refusal(413, self._too_long())
        depth, keyword, service = query_checks(text)
        if depth > MAX_NESTING:
            raise Refusal(400, too_deep(depth, "this server's limit"))
        if keyword in UPDATE_KEYWORDS:
            raise Refusal(403, READ_ONLY)
        if service:
            raise Refusal(403, NO_SERVICE)
        dataset = self._dataset(params, _endpoint_url(request))
        results_fmt, graph_fmt, explicit = self._formats(request, params)
        answer = await self.job("query", text, results_fmt, graph_fmt, self.limits, dataset, self.prefixes)
        if answer.status == 406:
            names = media.GRAPHS if answer.kind == "graph" else media.RESULTS
            if explicit:
                usable = [n for n, pair in media.PARAM.items() if pair[answer.kind == "graph"] == n]
                raise Refusal(400, f"format={', '.join(params['format'])} cannot carry {KIND_NAMES[answer.kind]}; "
                                   f"use one of {', '.join(usable)}")
            raise Refusal(406, self._not_acceptable(request.headers.get("accept"), names))
        if answer.status != 200:
            raise Refusal(answer.status, answer.message)
        return answer

    def _dataset(self, params: dict[str, list[str]], base: str | None = None) -> work.Dataset:
        """The protocol's dataset; the asserted-data graph name that ``drugkg push`` uses means the store's default
        graph, so ``drugkg query NAME --endpoint`` works here unchanged. ``base`` resolves relative IRIs."""
        graphs = {}
        for key in ("default-graph-uri", "named-graph-uri"):
            for value in params.get(key, []):
                try:
                    ox.NamedNode(value)
                except ValueError as exc:
                    raise Refusal(400, f"{key} {value!r} is not an IRI ({exc})") from None
            graphs[key] = params.get(key, [])
        asserted = asserted_graph(self.base)
        default = tuple(None if g == asserted else g for g in graphs["default-graph-uri"])
        return work.Dataset(default, tuple(graphs["named-graph-uri"]), base)

    def service_description(self, request: Request) -> Response:
        fmt = self._graph_format(request, html_first=False)
        if fmt == "html":
            return RedirectResponse("/query", 303, headers=VARY)
        endpoint = ox.NamedNode(str(request.url.replace(query="", fragment="")))
        sd = {name: ox.NamedNode(SD + name) for name in (
            "Service", "endpoint", "supportedLanguage", "SPARQL11Query", "resultFormat", "feature", "UnionDefaultGraph",
            "defaultDataset", "Dataset", "defaultGraph", "namedGraph", "NamedGraph", "name", "Graph", "graph")}
        dataset, default = ox.NamedNode(endpoint.value + "#dataset"), ox.NamedNode(endpoint.value + "#default-graph")
        triples = [
            (endpoint, RDF.type, sd["Service"]),
            (endpoint, sd["endpoint"], endpoint),
            (endpoint, sd["supportedLanguage"], sd["SPARQL11Query"]),
            (endpoint, sd["feature"], sd["UnionDefaultGraph"]),
            *((endpoint, sd["resultFormat"], ox.NamedNode(FORMATS_NS + name)) for name in SD_FORMATS),
            (endpoint, sd["defaultDataset"], dataset),
            (dataset, RDF.type, sd["Dataset"]),
            (dataset, DCTERMS.description, ox.Literal(
                "The default graph is the union of the asserted data, the ontology and the reasoner's inferences; "
                "the ontology and the inferences are also named graphs.", language="en")),
            (dataset, RDFS.seeAlso, ox.NamedNode(str(request.url.replace(path="/void", query="", fragment="")))),
            (dataset, sd["defaultGraph"], default),
            (default, RDF.type, sd["Graph"]),
            (default, VOID.triples, ox.Literal(str(self.size), datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer"))),
        ]
        for name in (engine.ONTOLOGY_GRAPH.value, self.inferred):
            node = ox.NamedNode(endpoint.value + "#graph-" + name.rstrip("/").rsplit("/", 1)[-1])
            triples += [(dataset, sd["namedGraph"], node), (node, RDF.type, sd["NamedGraph"]),
                        (node, sd["name"], ox.NamedNode(name))]
        out = io.BytesIO()
        engine.write_result([ox.Triple(*t) for t in triples], fmt, out, {"sd": SD, "formats": FORMATS_NS})
        return Response(out.getvalue(), media_type=media.media_type(fmt), headers=VARY)

    def render_results(self, template: str, request: Request, answer: work.Answer, **context) -> Response:
        document = json.loads(answer.body)
        if "boolean" in document:
            return self.html(template, request, boolean=document["boolean"], variables=[], rows=[], **context)
        variables = document["head"]["vars"]
        rows = [[binding.get(name) for name in variables] for binding in document["results"]["bindings"]]
        return self.html(template, request, boolean=None, variables=variables, rows=rows, known=answer.known, **context)

    # --- pages -----------------------------------------------------------------------------------------------

    async def index_page(self, request: Request) -> Response:
        text = request.query_params.get("q", "").strip()
        found, problem = None, None
        if text and "search-entities" in self.saved:
            try:
                bound = self.saved["search-entities"].bind({"text": text})
                answer = await self.execute(request, bound, {"format": ["json"]})
                found = json.loads(answer.body)["results"]["bindings"]
            except UsageError as exc:
                problem = str(exc)
            except Refusal as refusal:
                return self.refuse(request, refusal.status, refusal.message, refusal.headers)
        title = _one(self.void, self.void_iri, DCTERMS.title)
        description = _one(self.void, self.void_iri, DCTERMS.description)
        return self.html("index.html", request, q=text, found=found, problem=problem, groups=self.index,
                         title=title, description=description, size=self.size,
                         can_search="search-entities" in self.saved)

    def _graph_format(self, request: Request, html_first: bool = True) -> str:
        chosen = request.query_params.get("format")
        if chosen:
            wanted = media.from_param(chosen)
            if wanted is None or wanted[1] is None:
                raise Refusal(400, f"format={chosen} is not a format for a graph; use one of {', '.join(media.GRAPHS)}")
            return wanted[1]
        accept = request.headers.get("accept")
        fmt = media.negotiate(accept, media.offers(media.GRAPHS, media.GRAPH_ALIASES, "html" if html_first else None))
        if fmt is None:
            raise Refusal(406, self._not_acceptable(accept, media.GRAPHS))
        return fmt

    async def resource_by_path(self, request: Request) -> Response:
        path = request.path_params["path"]
        if path.endswith("/") and path.strip("/"):  # no minted IRI ends in '/': redirect as the other routes do
            target = without_trailing_slash(request.scope["path"], request.url.query)
            return Response(status_code=308, headers={"Location": target, **VARY})
        return await self.resource(request, self.base + path)

    async def resource_by_iri(self, request: Request) -> Response:
        iri = request.query_params.get("iri", "")
        if not iri:
            return self.refuse(request, 400, "give the resource's IRI: /resource?iri=IRI")
        local, _ = self.link(iri, known={iri})
        if local is not None and not local.startswith("/resource"):
            chosen = request.query_params.get("format")
            suffix = f"?format={urllib.parse.quote(chosen)}" if chosen and "#" not in local else ""
            return RedirectResponse(local + suffix, 303, headers=VARY)
        return await self.resource(request, iri)

    async def resource(self, request: Request, iri: str) -> Response:
        try:
            fmt = self._graph_format(request)
            try:
                ox.NamedNode(iri)
                valid = len(iri) <= 4096
            except ValueError:
                valid = False
            if not valid:
                raise Refusal(404, f"no resource {iri} in this graph (not a valid IRI); search by label at /")
            in_void = next(iter(self.void.quads_for_pattern(ox.NamedNode(iri), None, None, None)), None) is not None
            if fmt == "html":
                data = work.page(self.void, iri) if in_void else await self.job("page", iri, self.inferred)
            elif in_void:
                data = _serialize(work.describe(self.void, iri), fmt, self.prefixes)
            else:
                data = await self.job("serialized", "describe", fmt, self.prefixes, iri)
            if data is None:
                raise Refusal(404, f"no resource {iri} in this graph; search by label at /")
            diagram = await self._diagram(iri, data) if fmt == "html" else None
        except Refusal as refusal:
            return self.refuse(request, refusal.status, refusal.message, refusal.headers)
        headers = {**VARY, "Link": alternates(request)}
        if fmt != "html":
            return Response(data, media_type=media.media_type(fmt), headers=headers)
        self.quotes.add(data)
        return self.html("resource.html", request, headers=headers, page=data, queries=self._queries_about(data),
                         formats=media.GRAPHS, diagram=diagram)

    async def _diagram(self, iri: str, data: dict) -> dict | None:
        """A drug product's neighbourhood for the diagram on its page (see :func:`work.neighbourhood`), each node
        with ``href``, where a click on it goes (its page here, else its own site, else nowhere); None for any
        other resource."""
        if DKG_NS + "DrugProduct" not in {t["iri"] for t in data["types"]}:
            return None
        diagram = await self.job("neighbourhood", iri)
        for node in diagram["nodes"] if diagram else ():
            local, outbound = self.link(node["id"], {node["id"]} if node["page"] else ())
            node["href"] = local or outbound
        return diagram

    def _queries_about(self, data: dict) -> list[tuple]:
        """Saved queries that take this resource as a parameter: those whose default value for an IRI parameter
        shares a type with it (a parameter named ``entity`` takes any resource)."""
        types = {t["iri"] for t in data["types"]}
        found = []
        for query in self.saved.values():
            for p in query.parameters:
                default = query.defaults.get(p.name)
                if p.kind != "iri" or not default:
                    continue
                shared = types & set(self.param_types.get(iri_term(p.name, default).value, ()))
                if p.name == "entity" or shared:
                    url = f"/queries/{query.name}?{urllib.parse.urlencode({p.name: data['iri']})}"
                    found.append((query, url))
                    break
        return sorted(found, key=lambda item: item[0].name)

    async def ontology_page(self, request: Request) -> Response:
        try:
            fmt = self._graph_format(request)
            if fmt != "html":
                body = await self.job("serialized", "ontology", fmt, self.prefixes)
                return Response(body, media_type=media.media_type(fmt), headers=VARY)
            onto = await self._ontology_terms()
        except Refusal as refusal:
            return self.refuse(request, refusal.status, refusal.message, refusal.headers)
        return self.html("ontology.html", request, onto=onto)

    async def _ontology_terms(self) -> dict:
        if self._ontology is None:
            self._ontology = await self.job("ontology")
        return self._ontology

    async def void_page(self, request: Request) -> Response:
        try:
            fmt = self._graph_format(request)
            terms = {t["iri"]: t["label"] for t in (await self._ontology_terms())["terms"]} if fmt == "html" else {}
        except Refusal as refusal:
            return self.refuse(request, refusal.status, refusal.message, refusal.headers)
        headers = {**VARY, "Link": alternates(request)}
        if fmt != "html":
            triples = [q.triple for q in self.void.quads_for_pattern(None, None, None, None)]
            return Response(_serialize(triples, fmt, self.prefixes), media_type=media.media_type(fmt), headers=headers)
        dataset = ox.NamedNode(self.void_iri)

        def parts(predicate, key, count) -> list[tuple[str, int]]:
            rows = []
            for part in (q.object for q in self.void.quads_for_pattern(dataset, predicate, None, None)):
                rows.append((_one(self.void, part.value, key), int(_one(self.void, part.value, count) or 0)))
            return sorted(rows)

        files = []
        for dist in (q.object for q in self.void.quads_for_pattern(dataset, DCAT.distribution, None, None)):
            files.append({name: _one(self.void, dist.value, predicate) for name, predicate in
                          (("title", DCTERMS.title), ("size", DCAT.byteSize), ("compressed", DCAT.compressFormat))})
            files[-1]["media"] = media_type_of(files[-1]["title"].removesuffix(".gz"))
        page = work.page(self.void, self.void_iri)
        hidden = {VOID.classPartition.value, VOID.propertyPartition.value, DCAT.distribution.value, VOID.dataDump.value}
        page["statements"] = [s for s in page["statements"] if s["predicate"] not in hidden]
        minted = {v["term"][1] for s in page["statements"] for v in s["values"] if v["term"][0] == "iri"}
        page["known"] = page["known"] | {iri for iri in minted if iri.startswith(self.base)}  # the documents
        return self.html("void.html", request, headers=headers, page=page, terms=terms,
                         classes=parts(VOID.classPartition, VOID["class"], VOID.entities),
                         properties=parts(VOID.propertyPartition, VOID.property, VOID.triples),
                         files=sorted(files, key=lambda f: f["title"] or ""))

    async def download(self, request: Request) -> Response:
        """A file the build published, as the description lists it (``/download/drugkg.ttl``), or its gzip copy,
        compressed on the fly (``/download/drugkg.ttl.gz``); any other name is 404."""
        name = request.path_params["name"]
        if name not in self.downloads:
            return self.refuse(request, 404, f"no file {name!r} to download; the dataset description (/void) lists "
                                             f"them: {', '.join(sorted(self.downloads))}")
        headers = {"Content-Disposition": f'attachment; filename="{name}"'}
        if name.endswith(".gz"):
            return StreamingResponse(_gzip_chunks(self.settings.dist / name.removesuffix(".gz")),
                                     media_type=GZIP, headers=headers)
        kind = media_type_of(name)
        kind += "; charset=utf-8" if kind.startswith("text/") else ""
        return FileResponse(self.settings.dist / name, media_type=kind, headers=headers)

    # --- saved queries ---------------------------------------------------------------------------------------

    def _describe_query(self, query) -> dict:
        return {
            "name": query.name,
            "summary": query.summary,
            "description": query.description,
            "tags": list(query.tags),
            "parameters": [{"name": p.name, "type": p.type_name, "required": p.required,
                            "default": query.defaults.get(p.name) or None} for p in query.parameters],
            "url": f"/queries/{query.name}",
        }

    async def queries_list(self, request: Request) -> Response:
        if request.method == "OPTIONS":
            return Response(status_code=204, headers={"Allow": "GET, OPTIONS"})
        chosen = request.query_params.get("format")
        accept = request.headers.get("accept")
        fmt = chosen or media.negotiate(accept, {"text/html": "html", "application/json": "json"})
        if fmt not in ("html", "json"):
            status = 400 if chosen else 406
            return self.refuse(request, status, "the list of saved queries comes as text/html or application/json "
                                                "(format=html or format=json)")
        if fmt == "json":
            listing = [self._describe_query(q) for q in self.saved.values()]
            return Response(json.dumps(listing, indent=1).encode("utf-8"), media_type="application/json", headers=VARY)
        return self.html("queries.html", request, queries=list(self.saved.values()))

    async def saved_query(self, request: Request) -> Response:
        if request.method == "OPTIONS":
            return Response(status_code=204, headers={"Allow": "GET, OPTIONS"})
        name = request.path_params["name"]
        query = self.saved.get(name)
        if query is None:
            return self.refuse(request, 404, f"no saved query named {name!r}; /queries lists them")
        params: dict[str, list[str]] = {}
        for key, value in request.query_params.multi_items():
            params.setdefault(key, []).append(value)
        values = {k: v[-1] for k, v in params.items() if k != "format"}
        html = False
        try:
            if len(request.url.query) > 4 * self.settings.max_query_bytes:
                raise Refusal(413, self._too_long())
            twice = sorted(k for k, v in params.items() if len(v) > 1)
            if twice:
                raise Refusal(400, f"parameter {', '.join(twice)} is given more than once; give each parameter once")
            results_fmt, graph_fmt, _ = self._formats(request, params)
            html = results_fmt == "html"
            try:
                text = query.bind(values)
            except UsageError as exc:
                raise Refusal(400, str(exc)) from None
            answer = await self.execute(request, text, params)
        except Refusal as refusal:
            if not html:
                return self.refuse(request, refusal.status, refusal.message, refusal.headers)
            log_refusal(request, refusal.status, refusal.message)
            return self.html("saved_query.html", request, refusal.status, query=query, values=values,
                             error=refusal.message, text=None, boolean=None, variables=[], rows=[], known=frozenset(),
                             chart=None)
        if answer.fmt == "html":
            # a statistics query's answer of two columns, a name and a count, is drawn as a bar chart too
            # (saved_query.html, saved-query-chart.js)
            chart = {"prefixes": self.prefixes} if "statistics" in query.tags else None
            return self.render_results("saved_query.html", request, answer, query=query, values=values, error=None,
                                       text=text, chart=chart)
        return Response(answer.body, media_type=media.media_type(answer.fmt), headers=VARY)

    async def query_page(self, request: Request) -> Response:
        examples = []
        for query in self.saved.values():
            try:
                examples.append({"name": query.name, "summary": query.summary, "text": query.bind({})})
            except UsageError:
                continue
        text = request.query_params.get("query") or EXAMPLE
        prefixes = {**WRITE_PREFIXES, **{p.name: p.iri for p in PREFIXES.values() if p.iri}, "id": self.base}
        return self.html("query.html", request, headers={"Content-Security-Policy": QUERY_PAGE_POLICY.decode("ascii")},
                         examples=examples, text=text, prefixes=prefixes)


def alternates(request: Request) -> str:
    """The Link header of a resource's answer: each format it can be had in (``rel="alternate"``, the request's
    URL with ``format=``), and the dataset it belongs to, described at /void (``void:inDataset``).

    >>> from starlette.requests import Request
    >>> alternates(Request({"type": "http", "path": "/id/x", "query_string": b"format=ttl"})).split(", ")[:2]
    ['</id/x?format=ttl>; rel="alternate"; type="text/turtle"', '</id/x?format=nt>; rel="alternate"; type="application/n-triples"']
    """
    params = [(k, v) for k, v in request.query_params.multi_items() if k != "format"]
    path = urllib.parse.quote(request.scope["path"], safe="/:@!$'()*+,;=-._~")
    links = [f'<{path}?{urllib.parse.urlencode([*params, ("format", name)])}>; rel="alternate"; type="{kind}"'
             for name, kind in media.GRAPHS.items()]
    return ", ".join([*links, f'</void>; rel="{VOID.inDataset.value}"'])


def _gzip_chunks(path, size: int = 1 << 20):
    """The gzip file of ``path``, made a megabyte at a time (never held whole: the N-Triples of 10,000 labels are
    gigabytes)."""
    packer = zlib.compressobj(6, zlib.DEFLATED, 31)  # 31: the gzip wrapper
    with open(path, "rb") as file:
        while block := file.read(size):
            if packed := packer.compress(block):
                yield packed
    yield packer.flush()


def _one(store: ox.Store, iri: str, predicate) -> str | None:
    value = next(iter(store.quads_for_pattern(ox.NamedNode(iri), predicate, None, None)), None)
    return value.object.value if value is not None else None


def _serialize(triples: list, fmt: str, prefixes: dict[str, str]) -> bytes | None:
    if not triples:
        return None
    out = io.BytesIO()
    engine.write_result(triples, fmt, out, prefixes)
    return out.getvalue()


def listen(host: str, port: int) -> socket.socket:
    """A listening TCP socket on ``host:port``, or UsageError saying why not."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        family, kind, proto, _, address = infos[0]
        # proto IPPROTO_TCP, not 0: asyncio sets TCP_NODELAY only on sockets that say so, and without it every
        # answer written in two parts (headers, then body) waited about 40 ms for the client's delayed ACK
        sock = socket.socket(family, kind, proto)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(128)
    except OSError as exc:
        raise UsageError(f"cannot listen on {host}:{port} ({exc.strerror or exc}); choose another --port or --host") from None
    return sock


def serve(settings: Settings, announce=None) -> None:
    """Serve the build in ``settings.dist`` until interrupted (Ctrl-C or SIGTERM stop it cleanly)."""
    import uvicorn

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    for name, low in (("workers", 1), ("timeout", 0.001), ("max_rows", 1), ("max_triples", 1), ("max_query_bytes", 64)):
        if getattr(settings, name) < low:
            raise UsageError(f"--{name.replace('_', '-')} must be at least {low:g}")
    if settings.public_url is not None:
        parts = urllib.parse.urlsplit(settings.public_url)
        if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment \
                or any(c.isspace() or c in '<>"{}|\\^`' for c in settings.public_url):
            raise UsageError(f"--public-url {settings.public_url!r} is not an http(s) URL without query or fragment; "
                             "give the URL clients reach the server at, such as https://drugkg.example.org")
    from dataclasses import replace

    from drugkg.publish import hold

    # The build that dist links to now, held (no later build removes it) and read from its own folder by the site
    # and every worker, restarted ones included, however many builds are published meanwhile
    held = hold(settings.dist)
    shown = settings.dist
    settings = replace(settings, dist=held.path)
    try:
        site = Site(settings)
        sock = listen(settings.host, settings.port)
    except BaseException:
        held.close()
        raise
    site.start()
    port = sock.getsockname()[1]
    site.publish_at(settings.public_url or f"http://{_url_host(settings.host)}:{port}")
    config = uvicorn.Config(
        site.app(), log_config=None, access_log=True, http="h11", lifespan="on", proxy_headers=False,
        server_header=False, timeout_graceful_shutdown=5,
        h11_max_incomplete_event_size=max(16_384, 4 * settings.max_query_bytes + 8_192),
    )
    if announce is not None and settings.host not in ("127.0.0.1", "localhost", "::1"):
        announce(f"listening on {settings.host}: other machines that can reach it can query this server (read-only)")
    if announce is not None:
        announce(f"serving {shown}/ at http://{_url_host(settings.host)}:{port}/ (SPARQL endpoint /sparql); "
                 f"{settings.workers} query worker(s), timeout {settings.timeout:g} s; Ctrl-C stops")
    try:
        uvicorn.Server(config).run(sockets=[sock])
    finally:
        site.pool.close()
        sock.close()
        held.close()


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host
