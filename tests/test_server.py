"""``drugkg serve``: a real server process on a free loopback port, queried by real clients.

The server (the ``served`` fixture) runs on the built graph with caps of 1000 rows and 1000 triples. Answers are
compared with the golden files and with the embedded store; every format is parsed back (pyoxigraph, rdflib, csv);
SPARQLWrapper, rdflib's SPARQLStore and ``drugkg query --endpoint`` are the clients. Refused requests must say why,
be logged, and leave the server serving.
"""

from __future__ import annotations

import csv
import html.parser
import http.client
import io
import json
import re
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.compare import graph_diff, isomorphic, to_isomorphic

from drugkg import engine
from drugkg.cli import main
from drugkg.server import media, work
from tests.conftest import HEMGENIX_CLAIMS, ONTOLOGY, PREFIXES, SEEDS
from tests.servers import free_port, start_drugkg
from tests.test_queries import GOLDEN, LABEL_QUERIES, SAVED

ID = "https://w3id.org/drugkg/id/"
HEMGENIX = ID + "hemgenix"
GENE = "https://identifiers.org/hgnc:3551"
SD = "http://www.w3.org/ns/sparql-service-description#"
GRAPH_FORMATS = {"ttl": "turtle", "nt": "nt", "jsonld": "json-ld", "rdf": "xml"}  # our name -> rdflib's parser
RESULT_FORMATS = ("json", "xml", "tsv")


# --- helpers ----------------------------------------------------------------------------------------------------


def fetch(url: str, data: bytes | None = None, headers: dict | None = None, method: str | None = None):
    """(status, headers, body) of one request; an HTTP error status is an answer, not an exception."""
    request = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers, exc.read()


def raw(server, method: str, path: str, headers: dict | None = None, body: bytes | None = None):
    """A request with the path sent exactly as given (no client-side normalisation of '..'); no redirects."""
    host, port = urllib.parse.urlsplit(server.url).netloc.split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=60)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.headers, response.read()
    finally:
        connection.close()


def sparql(server, query: str, accept: str | None = None, method: str = "POST", **params):
    headers = {"Accept": accept} if accept else {}
    fields = {"query": query, **params}
    if method == "GET":
        return fetch(server.url + "sparql?" + urllib.parse.urlencode(fields), headers=headers)
    headers["Content-Type"] = "application/x-www-form-urlencoded"
    return fetch(server.url + "sparql", urllib.parse.urlencode(fields).encode(), headers)


def golden(name: str) -> str:
    return (GOLDEN / f"{name}.tsv").read_text(encoding="utf-8")


def refusals(server) -> list[str]:
    return [line for line in server.log.read_text(encoding="utf-8").splitlines() if "drugkg.server: refused " in line]


def assert_logged(server, method: str, path: str, status: int, reason: str) -> None:
    wanted = f"drugkg.server: refused {method} {path} {status}: {reason}"
    assert any(wanted in line for line in refusals(server)), f"no log line with {wanted!r} in {server.log}"


def still_serving(server) -> None:
    status, _, body = sparql(server, "ASK WHERE { <https://w3id.org/drugkg/id/hemgenix> ?p ?o }", "application/sparql-results+json")
    assert (status, json.loads(body)["boolean"]) == (200, True)


def rdflib_graph(triples) -> rdflib.Graph:
    graph = rdflib.Graph()
    graph.parse(data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES).decode("utf-8"), format="nt")
    return graph


def assert_isomorphic(actual: rdflib.Graph, expected: rdflib.Graph) -> None:
    if not isomorphic(actual, expected):
        _, only_actual, only_expected = graph_diff(to_isomorphic(actual), to_isomorphic(expected))
        pytest.fail(f"graphs differ\nonly served:\n{only_actual.serialize(format='nt')}\n"
                    f"only expected:\n{only_expected.serialize(format='nt')}")


class Page(html.parser.HTMLParser):
    """An HTML page read into its text, its links (href, text) and the rows of its tables, per section id."""

    def __init__(self, body: bytes):
        super().__init__()
        self.links: list[tuple[str, str]] = []
        self.section_links: dict[str, list[str]] = {}
        self.ids: set[str] = set()
        self.rows: dict[str, list[list[str]]] = {}
        self.text: list[str] = []
        self._section: list[str] = []
        self._link: list | None = None
        self._cell: list[str] | None = None
        self._row: list[str] | None = None
        self.scripts: list[str] = []
        self.styles: list[str] = []
        self.feed(body.decode("utf-8"))

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        if tag == "section":
            self._section.append(attrs.get("id", ""))
        elif tag == "a":
            self._link = [attrs.get("href"), ""]
        elif tag == "tr":
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []
        elif tag == "script" and attrs.get("src"):
            self.scripts.append(attrs["src"])
        elif tag == "link" and attrs.get("rel") == "stylesheet":
            self.styles.append(attrs["href"])

    def handle_endtag(self, tag):
        if tag == "section" and self._section:
            self._section.pop()
        elif tag == "a" and self._link is not None:
            self.links.append((self._link[0], " ".join(self._link[1].split())))
            for section in self._section:
                self.section_links.setdefault(section, []).append(self._link[0])
            self._link = None
        elif tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.rows.setdefault(self._section[-1] if self._section else "", []).append(self._row)
            self._row = None

    def handle_data(self, data):
        self.text.append(data)
        if self._link is not None:
            self._link[1] += data
        if self._cell is not None:
            self._cell.append(data)

    def all_text(self) -> str:
        return " ".join("".join(self.text).split())


def html_page(server, path: str) -> Page:
    status, headers, body = fetch(server.url + path.lstrip("/"), headers={"Accept": "text/html"})
    assert status == 200, body
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    return Page(body)


# --- the SPARQL endpoint -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(set(SAVED) - LABEL_QUERIES))  # the label queries: tests/test_server_labels.py
def test_every_saved_query_over_http_gives_its_golden_rows(name, served):
    status, headers, body = fetch(served.url + f"queries/{name}?format=tsv")
    assert status == 200, body
    assert headers["Content-Type"] == "text/tab-separated-values; charset=utf-8"
    assert engine.sorted_tsv(ox.parse_query_results(body, format=ox.QueryResultsFormat.TSV)) == golden(name)


@pytest.mark.parametrize("labels", [False, True], ids=["hemgenix", "with-labels"])
def test_on_disk_mode_gives_the_same_golden_rows(labels, request, tmp_path):
    """--on-disk queries dist/store/ instead of each worker's in-memory copy of the build: same answers (each query on
    the graph its golden answer is for)."""
    graph = request.getfixturevalue("built_labels" if labels else "built")
    server = start_drugkg(tmp_path, graph.out, "--on-disk", "--workers", "1")
    try:
        # label-changes' golden is for two versions of a label (built_versions), not the default graph's labels
        for name in sorted(LABEL_QUERIES - {"label-changes"} if labels else set(SAVED) - LABEL_QUERIES):
            status, _, body = fetch(server.url + f"queries/{name}?format=tsv")
            assert status == 200, body
            assert engine.sorted_tsv(ox.parse_query_results(body, format=ox.QueryResultsFormat.TSV)) == golden(name), name
    finally:
        server.stop()


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize("fmt", RESULT_FORMATS)
@pytest.mark.parametrize("name", ["adverse-events", "gene-therapies-by-serotype", "identifier-crosswalk"])
def test_sparql_results_formats_parse_back_to_the_golden_rows(name, fmt, method, served):
    status, headers, body = sparql(served, SAVED[name].bind({}), media.RESULTS[fmt], method)
    assert status == 200, body
    assert headers["Content-Type"].split(";")[0] == media.RESULTS[fmt]
    assert headers["Vary"].startswith("Accept")
    parsed = ox.parse_query_results(body, format=engine.RESULT_FORMATS[fmt])
    assert engine.sorted_tsv(parsed) == golden(name)


@pytest.mark.parametrize("name", ["drug-profile", "units"])
def test_csv_has_the_golden_values(name, served):
    """SPARQL CSV is lossy (plain lexical values), so it is compared with the golden rows' lexical values."""
    status, headers, body = sparql(served, SAVED[name].bind({}), "text/csv")
    assert (status, headers["Content-Type"]) == (200, "text/csv; charset=utf-8")
    expected = ox.parse_query_results(golden(name).encode(), format=ox.QueryResultsFormat.TSV)
    names = [v.value for v in expected.variables]
    expected_rows = sorted([row[n].value if row[n] is not None else "" for n in names] for row in expected)
    rows = list(csv.reader(io.StringIO(body.decode("utf-8"))))
    assert rows[0] == names
    assert sorted(rows[1:]) == expected_rows


def test_format_parameter_and_accept_give_the_same_answer(served):
    text = SAVED["units"].bind({})
    by_accept = sparql(served, text, "text/tab-separated-values")
    by_param = sparql(served, text, None, format="tsv")
    by_engine_name = fetch(served.url + "queries/units?format=tsv")
    assert by_accept[0] == by_param[0] == by_engine_name[0] == 200
    assert by_accept[2] == by_param[2] == by_engine_name[2]


def test_table_format_is_the_cli_table(served, built, capsysbinary):
    status, headers, body = fetch(served.url + "queries/gene-therapies-by-serotype?format=table")
    assert (status, headers["Content-Type"]) == (200, "text/plain; charset=utf-8")
    assert main(["query", "gene-therapies-by-serotype", "--store", str(built.out)]) == 0
    assert body == capsysbinary.readouterr().out


def test_default_format_is_sparql_json_and_ask_answers_in_json_and_xml(served):
    status, headers, body = sparql(served, "SELECT ?l WHERE { <https://identifiers.org/hgnc:3551> <http://www.w3.org/2000/01/rdf-schema#label> ?l }")
    assert (status, headers["Content-Type"]) == (200, "application/sparql-results+json")
    assert json.loads(body) == {"head": {"vars": ["l"]},
                                "results": {"bindings": [{"l": {"type": "literal", "value": "F9", "xml:lang": "en"}}]}}
    for fmt in ("json", "xml"):
        for query, expected in (("ASK { ?d a <https://w3id.org/drugkg/ontology#AAVGeneTherapy> }", True),
                                ("ASK { ?d a <https://w3id.org/drugkg/ontology#Nothing> }", False)):
            status, _, body = sparql(served, query, media.RESULTS[fmt])
            assert status == 200
            assert bool(ox.parse_query_results(body, format=engine.RESULT_FORMATS[fmt])) is expected


CONSTRUCT = PREFIXES + """
CONSTRUCT { ?claim a ?class ; rdfs:label ?label ; prov:wasDerivedFrom ?section . ?section dcterms:title ?title }
WHERE {
  ?claim dkg:drug <https://w3id.org/drugkg/id/hemgenix> ; a ?class ; rdfs:label ?label ; prov:wasDerivedFrom ?section .
  ?section dcterms:title ?title .
}
"""


@pytest.mark.parametrize("fmt", sorted(GRAPH_FORMATS))
def test_construct_in_every_graph_format_parses_back_to_the_same_graph(fmt, served, built):
    status, headers, body = sparql(served, CONSTRUCT, media.GRAPHS[fmt])
    assert status == 200, body
    assert headers["Content-Type"].split(";")[0] == media.GRAPHS[fmt]
    served_graph = rdflib.Graph().parse(data=body, format=GRAPH_FORMATS[fmt])
    expected = engine.run_local(built.store, CONSTRUCT)
    assert len(expected) > 100
    assert_isomorphic(served_graph, rdflib_graph(expected))


def test_describe_answers_a_graph(served, built):
    query = f"DESCRIBE <{GENE}>"
    status, _, body = sparql(served, query, "application/n-triples")
    assert status == 200
    assert_isomorphic(rdflib.Graph().parse(data=body, format="nt"), rdflib_graph(engine.run_local(built.store, query)))


def test_sparqlwrapper_get_post_and_direct_post(served):
    from SPARQLWrapper import GET, JSON, POST, POSTDIRECTLY, RDFXML, TURTLE, URLENCODED, SPARQLWrapper

    text = SAVED["adverse-events"].bind({})
    for method, encoding in ((GET, URLENCODED), (POST, URLENCODED), (POST, POSTDIRECTLY)):
        client = SPARQLWrapper(served.url + "sparql")
        client.setQuery(text)
        client.setMethod(method)
        client.setRequestMethod(encoding)
        client.setReturnFormat(JSON)
        answer = client.query().convert()
        parsed = ox.parse_query_results(json.dumps(answer).encode(), format=ox.QueryResultsFormat.JSON)
        assert engine.sorted_tsv(parsed) == golden("adverse-events"), (method, encoding)
    for fmt, as_graph in ((RDFXML, lambda g: g), (TURTLE, lambda data: rdflib.Graph().parse(data=data, format="turtle"))):
        client = SPARQLWrapper(served.url + "sparql")
        client.setQuery(CONSTRUCT)
        client.setReturnFormat(fmt)
        graph = as_graph(client.queryAndConvert())
        assert len(graph) > 100 and (rdflib.URIRef(ID + "mono-ae-headache"), rdflib.RDFS.label, None) in graph


def test_rdflib_sparqlstore_reads_the_graph(served, built):
    from rdflib.plugins.stores.sparqlstore import SPARQLStore

    graph = rdflib.Graph(store=SPARQLStore(served.url + "sparql"))
    rows = graph.query(PREFIXES + "SELECT ?label WHERE { ?d a dkg:DrugProduct ; rdfs:label ?label } ORDER BY ?label")
    local = built.store.query(PREFIXES + "SELECT ?label WHERE { ?d a dkg:DrugProduct ; rdfs:label ?label } ORDER BY ?label",
                              use_default_graph_as_union=True)
    assert [str(row.label) for row in rows] == [row["label"].value for row in local]
    hemgenix = rdflib.URIRef(HEMGENIX)
    served_triples = set(graph.triples((hemgenix, None, None)))
    expected = rdflib_graph([q.triple for q in built.store.quads_for_pattern(ox.NamedNode(HEMGENIX), None, None, None)])
    assert served_triples == set(expected)
    assert (hemgenix, rdflib.RDF.type, rdflib.URIRef("https://w3id.org/drugkg/ontology#AAVGeneTherapy")) in graph


def test_drugkg_query_endpoint_gives_the_embedded_rows(served, built, capsysbinary):
    """The CLI's remote path, with its default graphs (the pushed graph names), works against drugkg serve."""
    assert main(["query", "adverse-events", "--endpoint", served.url + "sparql", "--format", "tsv",
                 "--store", str(built.out)]) == 0
    remote = capsysbinary.readouterr().out
    assert main(["query", "adverse-events", "--store", str(built.out), "--format", "tsv"]) == 0
    assert remote == capsysbinary.readouterr().out
    parsed = ox.parse_query_results(remote, format=ox.QueryResultsFormat.TSV)
    assert engine.sorted_tsv(parsed) == golden("adverse-events")


def test_protocol_dataset_selects_graphs(served, built):
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    ontology = "https://w3id.org/drugkg/ontology"
    asserted = ID + "graph/asserted"

    def counted(**params) -> int:
        status, _, body = sparql(served, count, "application/sparql-results+json", **params)
        assert status == 200, body
        return int(json.loads(body)["results"]["bindings"][0]["n"]["value"])

    inferred = len(rdflib.Graph().parse(built.out / "inferred.ttl"))
    assert counted(**{"default-graph-uri": asserted}) == built.compiled.counts["triples"]
    assert counted(**{"default-graph-uri": ontology}) == len(rdflib.Graph().parse(ONTOLOGY))
    assert counted() == built.compiled.counts["triples"] + len(rdflib.Graph().parse(ONTOLOGY)) + inferred


def test_a_query_for_every_claim_finds_every_claim(served):
    """The data assert only a claim's own class (dkg:Indication, ...); the inferred graph adds dkg:Claim."""
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?x a <https://w3id.org/drugkg/ontology#Claim> }"
    status, _, body = sparql(served, query, "application/sparql-results+json")
    assert status == 200, body
    assert json.loads(body)["results"]["bindings"][0]["n"]["value"] == str(HEMGENIX_CLAIMS)


def test_service_description(served):
    for accept in ("text/turtle", None):
        status, headers, body = fetch(served.url + "sparql", headers={"Accept": accept} if accept else {})
        assert (status, headers["Content-Type"]) == (200, "text/turtle; charset=utf-8")
    graph = rdflib.Graph().parse(data=body, format="turtle")
    sd = rdflib.Namespace(SD)
    endpoint = rdflib.URIRef(served.url + "sparql")
    assert (endpoint, rdflib.RDF.type, sd.Service) in graph
    assert (endpoint, sd.endpoint, endpoint) in graph
    assert set(graph.objects(endpoint, sd.supportedLanguage)) == {sd.SPARQL11Query}
    assert {str(o).rsplit("/", 1)[1] for o in graph.objects(endpoint, sd.resultFormat)} == {
        "SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV", "Turtle",
        "N-Triples", "JSON-LD", "RDF_XML"}
    dataset = graph.value(endpoint, sd.defaultDataset)
    names = {str(graph.value(g, sd.name)) for g in graph.objects(dataset, sd.namedGraph)}
    assert names == {"https://w3id.org/drugkg/ontology", ID + "graph/inferred"}
    status, headers, _ = raw(served, "GET", "/sparql", {"Accept": "text/html"})
    assert (status, headers["Location"]) == (303, "/query")


def test_cors_on_the_endpoint_and_the_saved_queries(served):
    for path in ("sparql?query=ASK%7B%7D", "queries", "queries/units"):
        status, headers, _ = fetch(served.url + path, headers={"Origin": "http://example.org"})
        assert (status, headers["Access-Control-Allow-Origin"]) == (200, "*"), path
        preflight = {"Origin": "http://example.org", "Access-Control-Request-Method": "POST" if path.startswith("sparql") else "GET",
                     "Access-Control-Request-Headers": "content-type"}
        status, headers, _ = raw(served, "OPTIONS", "/" + path.split("?")[0], preflight)
        assert status == 200 and headers["Access-Control-Allow-Origin"] == "*", path
        assert "POST" in headers["Access-Control-Allow-Methods"] and "content-type" in headers["Access-Control-Allow-Headers"].lower()


# What browser SPARQL tools add to a query (YASGUI, Comunica, fetch() wrappers): each must pass the preflight.
TOOL_HEADERS = ["authorization", "x-requested-with", "cache-control", "if-none-match", "accept-encoding",
                "if-modified-since"]


@pytest.mark.parametrize("header", TOOL_HEADERS)
def test_cors_preflight_allows_the_headers_browser_tools_add(served, header):
    preflight = {"Origin": "http://example.org", "Access-Control-Request-Method": "POST",
                 "Access-Control-Request-Headers": f"content-type, {header}"}
    status, headers, _ = raw(served, "OPTIONS", "/sparql", preflight)
    assert status == 200, header
    allowed = {h.strip().lower() for h in headers["Access-Control-Allow-Headers"].split(",")}
    assert {header, "content-type"} <= allowed


def test_cors_preflight_still_refuses_a_header_no_tool_needs(served):
    preflight = {"Origin": "http://example.org", "Access-Control-Request-Method": "POST",
                 "Access-Control-Request-Headers": "x-made-up"}
    assert raw(served, "OPTIONS", "/sparql", preflight)[0] == 400


def test_cors_exposes_the_headers_clients_read(served):
    status, headers, _ = fetch(served.url + "sparql?query=ASK%7B%7D", headers={"Origin": "http://example.org"})
    assert status == 200
    assert {h.strip() for h in headers["Access-Control-Expose-Headers"].split(",")} == {
        "ETag", "Link", "Last-Modified", "Retry-After"}


def test_queries_run_in_parallel(served):
    text = SAVED["identifier-crosswalk"].bind({})
    with ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(lambda _: sparql(served, text, "text/tab-separated-values"), range(8)))
    for status, _, body in answers:
        assert status == 200
        assert engine.sorted_tsv(ox.parse_query_results(body, format=ox.QueryResultsFormat.TSV)) == golden("identifier-crosswalk")


# --- limits -------------------------------------------------------------------------------------------------------


def test_a_select_over_the_row_cap_is_refused_not_truncated(served):
    status, headers, body = sparql(served, "SELECT ?s ?p ?o WHERE { ?s ?p ?o }", "application/sparql-results+json")
    assert status == 422
    assert headers["Content-Type"] == "text/plain; charset=utf-8"
    assert body.decode() == ("the answer has more than 1000 rows, the server's cap (--max-rows); ask for it a page at a "
                             "time with ORDER BY and LIMIT 1000 OFFSET 0, then OFFSET 1000, and so on\n")
    status, _, body = sparql(served, "SELECT ?s ?p ?o WHERE { ?s ?p ?o } ORDER BY ?s ?p ?o LIMIT 1000 OFFSET 1000",
                             "application/sparql-results+json")
    assert status == 200 and len(json.loads(body)["results"]["bindings"]) == 1000
    status, _, body = sparql(served, "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", "text/turtle")
    assert status == 422 and body.startswith(b"the answer has more than 1000 triples, the server's cap (--max-triples)")


def test_timeout_stops_the_query_and_the_server_keeps_serving(built, tmp_path):
    server = start_drugkg(tmp_path, built.out, "--timeout", "1", "--workers", "1")
    try:
        cubed = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
        status, _, body = sparql(server, cubed + " # slow", "application/sparql-results+json")
        assert status == 503
        assert body.decode().startswith("the query ran longer than this server's limit of 1 s (--timeout) and was stopped; ")
        assert_logged(server, "POST", "/sparql", 503, "the query ran longer than this server's limit of 1 s")
        still_serving(server)  # on the restarted worker: the pool has only one
        assert "stopped query worker" in server.log.read_text()
    finally:
        server.stop()


# --- refused requests: said, logged, and the server keeps serving ---------------------------------------------------


def test_an_oversized_query_is_refused_with_413(served):
    query = "SELECT * WHERE { ?s ?p ?o } # " + "x" * 70_000
    status, _, body = fetch(served.url + "sparql?case=oversized", urllib.parse.urlencode({"query": query}).encode(),
                            {"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 413
    assert body.decode().startswith("the query is longer than this server's limit of 65536 bytes (--max-query-bytes)")
    assert_logged(served, "POST", "/sparql?case=oversized", 413, "the query is longer than this server's limit")
    status, _, _ = fetch(served.url + "sparql?case=huge-body", b"query=" + b"x" * 2_000_000,
                         {"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 413
    still_serving(served)


UPDATE = "PREFIX ex: <http://example.org/> INSERT DATA { ex:a ex:b ex:c }"
READ_ONLY = "this endpoint is read-only: SPARQL Update is not accepted"


@pytest.mark.parametrize("case", ["update-param", "update-body", "update-in-query", "drop-in-get"])
def test_updates_are_refused_with_403(case, served, built):
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    status, _, body = {
        "update-param": lambda: fetch(served.url + f"sparql?case={case}", urllib.parse.urlencode({"update": UPDATE}).encode(), form),
        "update-body": lambda: fetch(served.url + f"sparql?case={case}", UPDATE.encode(), {"Content-Type": "application/sparql-update"}),
        "update-in-query": lambda: fetch(served.url + f"sparql?case={case}", urllib.parse.urlencode({"query": UPDATE}).encode(), form),
        "drop-in-get": lambda: fetch(served.url + "sparql?" + urllib.parse.urlencode({"case": case, "query": "DROP ALL"})),
    }[case]()
    assert status == 403
    assert body.decode().startswith(READ_ONLY)
    method = "GET" if case == "drop-in-get" else "POST"
    logged_path = "/sparql?case=drop-in-get&query=DROP ALL" if case == "drop-in-get" else f"/sparql?case={case}"
    assert_logged(served, method, logged_path, 403, READ_ONLY)
    still_serving(served)
    status, _, body = sparql(served, "ASK { <http://example.org/a> ?p ?o }", "application/sparql-results+json")
    assert json.loads(body)["boolean"] is False


def test_federated_queries_are_refused(served):
    status, _, body = sparql(served, "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }")
    assert status == 403
    assert body.decode().startswith("federated queries (SERVICE) are refused")


def test_a_malformed_query_gets_400_with_the_parser_message(served):
    status, _, body = sparql(served, "SELECT ?s WHERE { ?s ?p }", method="GET", case="malformed")
    assert (status, body) == (400, b"SPARQL syntax error: error at 1:26: expected one of LATERAL, SERVICE, [_]\n")
    assert_logged(served, "GET", "/sparql?query=SELECT ?s WHERE { ?s ?p }&case=malformed", 400, "SPARQL syntax error: error at 1:26")


@pytest.mark.parametrize("path", ["/id/../../etc/passwd", "/id/%2e%2e/%2e%2e/etc/passwd", "/static/../server/app.py",
                                  "/static/%2e%2e/server/app.py", "/static/..%2f..%2fcli.py", "/id/%00"])
def test_path_traversal_finds_nothing(path, served):
    status, _, body = raw(served, "GET", path)
    assert status == 404, body
    assert b"root:" not in body and b"import" not in body
    decoded = urllib.parse.unquote(path).replace("\x00", "\\x00")
    assert any(f"refused GET {decoded} 404" in line for line in refusals(served)), decoded
    still_serving(served)


@pytest.mark.parametrize(("method", "path", "headers", "body", "status", "message"), [
    ("PUT", "/sparql", {}, b"x", 405, "PUT is not allowed on /sparql; use GET, HEAD, OPTIONS, POST"),
    ("DELETE", "/id/hemgenix", {}, None, 405, "DELETE is not allowed on /id/hemgenix; use GET, HEAD"),
    ("POST", "/sparql", {"Content-Type": "text/plain"}, b"SELECT * {}", 415, "send the query form-encoded"),
    ("POST", "/sparql", {"Content-Type": "application/x-www-form-urlencoded"}, b"", 400, "no query: send the query text"),
    ("GET", "/sparql?query=ASK%7B%7D&format=pdf", {}, None, 400, "format=pdf is not a format; use one of table, csv"),
    ("GET", "/sparql?query=ASK%7B%7D&format=ttl", {}, None, 400, "format=ttl cannot carry an ASK answer; use one of table, csv, tsv, json, xml, html"),
    ("GET", "/sparql?query=ASK%7B%7D", {"Accept": "text/turtle"}, None, 406, "cannot answer in any media type of Accept: text/turtle"),
    ("GET", "/sparql?query=ASK%7B%7D&query=ASK%7B%7D", {}, None, 400, "more than one query parameter"),
    ("GET", "/sparql?query=ASK%7B%7D&default-graph-uri=not%20an%20iri", {}, None, 400, "default-graph-uri 'not an iri' is not an IRI"),
    ("GET", "/nowhere", {}, None, 404, "nothing at /nowhere; the index is at /"),
])
def test_bad_requests_say_what_is_wrong(method, path, headers, body, status, message, served):
    got, _, text = raw(served, method, path, headers, body)
    assert got == status, text
    assert text.decode().startswith(message), text
    assert any(f"refused {method} " in line and f" {status}: {message}" in line for line in refusals(served))


# --- linked data ----------------------------------------------------------------------------------------------------


def cbd_by_sparql(store: ox.Store, iri: str) -> rdflib.Graph:
    """The concise bounded description, computed independently of the server: the resource's triples, those of
    the nodes minted under its IRI it points to, and the attribute claims about it with theirs."""
    query = PREFIXES + f"""
    CONSTRUCT {{ ?s ?p ?o }} WHERE {{
      {{ BIND(<{iri}> AS ?s) ?s ?p ?o }}
      UNION {{ <{iri}> ?link ?s . FILTER(STRSTARTS(STR(?s), "{iri}/")) ?s ?p ?o }}
      UNION {{ ?s dkg:claimSubject <{iri}> ; ?p ?o }}
      UNION {{ ?claim dkg:claimSubject <{iri}> ; ?link ?s . FILTER(STRSTARTS(STR(?s), CONCAT(STR(?claim), "/"))) ?s ?p ?o }}
    }}"""
    return rdflib_graph(engine.run_local(store, query))


@pytest.mark.parametrize("iri", [HEMGENIX, ID + "mfx-guide-avoid-alcohol-supplements", GENE])
@pytest.mark.parametrize("fmt", sorted(GRAPH_FORMATS))
def test_resources_negotiate_every_rdf_format(fmt, iri, served, built):
    path = "id/" + iri[len(ID):] if iri.startswith(ID) else "resource?iri=" + urllib.parse.quote(iri, safe="")
    status, headers, body = fetch(served.url + path, headers={"Accept": media.GRAPHS[fmt]})
    assert status == 200, body
    assert headers["Content-Type"].split(";")[0] == media.GRAPHS[fmt]
    assert headers["Vary"].startswith("Accept")
    graph = rdflib.Graph().parse(data=body, format=GRAPH_FORMATS[fmt])
    assert_isomorphic(graph, cbd_by_sparql(built.store, iri))
    separator = "&" if "?" in path else "?"
    assert fetch(served.url + path + f"{separator}format={fmt}")[2] == body


def test_the_description_carries_each_statements_source(served, built):
    status, _, body = fetch(served.url + "id/hemgenix?format=nt")
    graph = rdflib.Graph().parse(data=body, format="nt")
    dkg = rdflib.Namespace("https://w3id.org/drugkg/ontology#")
    hemgenix = rdflib.URIRef(HEMGENIX)
    assert (hemgenix, rdflib.RDFS.label, rdflib.Literal("Hemgenix", lang="en")) in graph
    claims = set(graph.subjects(dkg.claimProperty, dkg.brandName)) & set(graph.subjects(dkg.claimSubject, hemgenix))
    sections = {str(graph.value(c, rdflib.URIRef("http://www.w3.org/ns/prov#wasDerivedFrom"))) for c in claims}
    expected = built.store.query(PREFIXES + """SELECT ?s WHERE { ?c dkg:claimSubject <https://w3id.org/drugkg/id/hemgenix> ;
        dkg:claimProperty dkg:brandName ; prov:wasDerivedFrom ?s }""")
    assert sections == {row["s"].value for row in expected} and len(sections) == 2


@pytest.mark.parametrize("accept", ["text/html", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "*/*", None])
def test_browsers_and_plain_clients_get_html(accept, served):
    status, headers, body = fetch(served.url + "id/hemgenix", headers={"Accept": accept} if accept else {})
    assert (status, headers["Content-Type"], headers["Vary"].split(",")[0]) == (200, "text/html; charset=utf-8", "Accept")


def test_an_unsupported_accept_gets_406(served):
    status, headers, body = fetch(served.url + "id/hemgenix", headers={"Accept": "application/pdf"})
    assert (status, headers["Vary"].split(",")[0]) == (406, "Accept")
    assert body.decode().startswith("cannot answer in any media type of Accept: application/pdf; ask for one of text/turtle")


@pytest.mark.parametrize("path", ["id/no-such-thing", "resource?iri=http%3A%2F%2Fexample.org%2Fnothing", "id/a%20b"])
def test_unknown_resources_get_404(path, served):
    status, headers, body = fetch(served.url + path, headers={"Accept": "text/turtle"})
    assert status == 404
    assert re.fullmatch(r"no resource \S+( \S+)? in this graph.*; search by label at /\n", body.decode()), body


def test_resource_by_iri_redirects_to_its_local_page(served):
    for iri, location in ((HEMGENIX, "/id/hemgenix"), ("https://w3id.org/drugkg/ontology#DrugProduct", "/ontology#DrugProduct"),
                          ("https://w3id.org/drugkg/ontology", "/ontology"), (ID + "drugkg", "/void")):
        status, headers, _ = raw(served, "GET", "/resource?iri=" + urllib.parse.quote(iri, safe=""))
        assert (status, headers["Location"]) == (303, location), iri


def test_hemgenix_page(served, built):
    page = html_page(served, "id/hemgenix")
    assert "Hemgenix" in page.all_text()
    rows = {row[0]: row for row in page.rows["statements"] if len(row) == 3}
    assert rows["brand name"][1] == "Hemgenix @en"
    # every statement's source: the document and section of each attribute claim that states it, the line it
    # cites, and that line quoted from the document's file (the seeds folder, the server's default --documents)
    expected = built.store.query(PREFIXES + """
        SELECT ?document ?file ?section ?line WHERE {
          ?c dkg:claimSubject <https://w3id.org/drugkg/id/hemgenix> ; dkg:claimProperty dkg:brandName ;
             prov:wasDerivedFrom ?s ; dkg:citedLine ?line .
          ?s dcterms:title ?section ; dcterms:isPartOf ?d . ?d dcterms:title ?document ; dkg:fileName ?file .
        }""")
    stated = [(f"{r['document'].value} › {r['section'].value} (line {r['line'].value}) · claim",
               (SEEDS / r["file"].value).read_text(encoding="utf-8").splitlines()[int(r["line"].value) - 1].strip())
              for r in expected]
    assert len(stated) == 2
    for source, quote in stated:
        assert source in rows["brand name"][2] and quote in rows["brand name"][2]
    assert ("/id/etranacogene-dezaparvovec", "etranacogene dezaparvovec") in page.links
    assert ("/ontology#DrugProduct", "drug product") in page.links
    text = page.all_text()
    assert "AAV gene therapy (inferred by the reasoner)" in text
    # external identifiers, as outbound links where they have an IRI, with confidence
    identifiers = {row[1].split(" ")[0]: row for row in page.rows["identifiers"][1:]}
    assert identifiers["NDC:0053-0300-30"][0] == "NDC" and identifiers["NDC:0053-0300-30"][2] == "verified"
    # incoming links with their source
    incoming = [row for row in page.rows["incoming"][1:]
                if row[0] == "Hemgenix adverse event: headache (drug monograph, Common side effects (>10%))"]
    assert incoming and incoming[0][1] == "drug" and "›" in incoming[0][2]
    assert ("/queries/drug-profile?drug=https%3A%2F%2Fw3id.org%2Fdrugkg%2Fid%2Fhemgenix", "drug-profile") in page.links


def test_an_external_resource_links_out(served):
    page = html_page(served, "resource?iri=" + urllib.parse.quote(GENE, safe=""))
    assert "F9" in page.all_text()
    assert (GENE, "open at its source ↗") in page.links
    outbound = {href for href, _ in page.links if href and href.startswith("https://identifiers.org/ncbigene")}
    assert outbound == {"https://identifiers.org/ncbigene:2158"}


def test_ontology_page_has_an_anchor_per_term(served):
    graph = rdflib.Graph().parse(ONTOLOGY)
    dkg = "https://w3id.org/drugkg/ontology#"
    kinds = (rdflib.OWL.Class, rdflib.OWL.ObjectProperty, rdflib.OWL.DatatypeProperty, rdflib.OWL.AnnotationProperty,
             rdflib.OWL.NamedIndividual)
    terms = {str(s)[len(dkg):] for kind in kinds for s in graph.subjects(rdflib.RDF.type, kind) if str(s).startswith(dkg)}
    page = html_page(served, "ontology")
    assert terms <= page.ids and len(terms) > 100
    definition = str(graph.value(rdflib.URIRef(dkg + "AAVGeneTherapy"), rdflib.SKOS.definition))
    assert definition in page.all_text()
    status, _, body = fetch(served.url + "ontology", headers={"Accept": "text/turtle"})
    assert status == 200
    assert_isomorphic(rdflib.Graph().parse(data=body, format="turtle"), graph)


def test_void_is_the_build_description(served, built):
    status, headers, body = fetch(served.url + "void", headers={"Accept": "text/turtle"})
    served_void = rdflib.Graph().parse(data=body, format="turtle")
    built_void = rdflib.Graph().parse(built.out / "void.ttl")
    # the build's description, and what the server adds: where it is reached (see tests/test_downloads.py)
    added = {p for _, p, _ in served_void - built_void}
    assert status == 200 and not built_void - served_void
    assert {re.split("[#/]", str(p))[-1] for p in added} == {"sparqlEndpoint", "dataDump", "downloadURL", "accessURL",
                                                          "type", "endpointURL", "servesDataset", "conformsTo",
                                                          "accessService"}
    status, _, body = fetch(served.url + "void?format=jsonld")
    assert_isomorphic(rdflib.Graph().parse(data=body, format="json-ld"), served_void)
    page = html_page(served, "void")
    triples = [row for row in page.rows["dataset"] if row[0].startswith("void:triples")]
    assert triples[0][1] == f"{built.compiled.counts['triples']} xsd:integer"
    assert ["drugkg.ttl", "text/turtle", str((built.out / "drugkg.ttl").stat().st_size)] in page.rows["files"]
    assert ["drugkg.ttl.gz", "text/turtle, gzip-compressed", ""] in page.rows["files"]
    assert ["gene", "1"] in page.rows["classes"]
    # the description's own resources, minted under the base IRI, resolve like every other
    status, _, body = fetch(served.url + "id/drugkg/class/dkg-Gene", headers={"Accept": "text/turtle"})
    assert status == 200
    graph = rdflib.Graph().parse(data=body, format="turtle")
    part = rdflib.URIRef(ID + "drugkg/class/dkg-Gene")
    assert set(graph.predicate_objects(part)) == {
        (rdflib.URIRef("http://rdfs.org/ns/void#class"), rdflib.URIRef("https://w3id.org/drugkg/ontology#Gene")),
        (rdflib.URIRef("http://rdfs.org/ns/void#entities"), rdflib.Literal(1)),
    }


def test_index_lists_entities_and_searches_by_label(served, built):
    page = html_page(served, "")
    assert ("/id/hemgenix", "Hemgenix") in page.links
    page = html_page(served, "?q=" + urllib.parse.quote("factor IX"))
    local = [h for h in page.section_links["search-results"] if h.startswith("/")]
    found = {ID + h[len("/id/"):] if h.startswith("/id/") else urllib.parse.unquote(h[len("/resource?iri="):]) for h in local}
    rows = engine.run_local(built.store, SAVED["search-entities"].bind({"text": "factor IX"}))
    expected = {row["entity"].value for row in rows}
    assert len(expected) >= 2
    assert found == expected


# --- saved queries over HTTP ----------------------------------------------------------------------------------------


def test_saved_query_list(served):
    status, headers, body = fetch(served.url + "queries", headers={"Accept": "application/json"})
    assert (status, headers["Content-Type"]) == (200, "application/json")
    listing = json.loads(body)
    assert [q["name"] for q in listing] == sorted(SAVED)
    profile = next(q for q in listing if q["name"] == "drug-profile")
    assert profile["parameters"] == [{"name": "drug", "type": "IRI", "required": True, "default": HEMGENIX}]
    page = html_page(served, "queries")
    assert {f"/queries/{name}" for name in SAVED} <= {href for href, _ in page.links}


def test_saved_query_parameters_are_bound_like_the_cli(served, built, capsysbinary):
    serotype = ID + "aav5"
    status, _, body = fetch(served.url + "queries/gene-therapies-by-serotype?" +
                            urllib.parse.urlencode({"serotype": serotype, "format": "csv"}))
    assert status == 200
    assert main(["query", "gene-therapies-by-serotype", "--param", f"serotype={serotype}", "--format", "csv",
                 "--store", str(built.out)]) == 0
    assert body == capsysbinary.readouterr().out


def test_injection_in_a_text_parameter_is_only_text(served):
    hostile = 'liver")) } } ; DROP ALL ; SELECT * WHERE { ?s ?p ?o FILTER(("'
    status, _, body = fetch(served.url + "queries/search-entities?" + urllib.parse.urlencode({"text": hostile, "format": "json"}))
    assert status == 200
    assert json.loads(body)["results"]["bindings"] == []
    still_serving(served)


def test_injection_in_an_iri_parameter_is_refused(served):
    hostile = "https://w3id.org/drugkg/id/hemgenix> } DROP ALL { <x:y"
    status, _, body = fetch(served.url + "queries/drug-profile?" + urllib.parse.urlencode({"drug": hostile, "case": "x"}))
    assert status == 400
    assert body.decode().startswith("query drug-profile has no parameter case")
    status, _, body = fetch(served.url + "queries/drug-profile?" + urllib.parse.urlencode({"drug": hostile}))
    assert status == 400
    assert body.decode().startswith(f"parameter drug expects an IRI, but {hostile!r} is not one")
    assert_logged(served, "GET", f"/queries/drug-profile?drug={hostile}", 400, "parameter drug expects an IRI")
    still_serving(served)


def test_unknown_saved_query_is_404(served):
    status, _, body = fetch(served.url + "queries/no-such-query")
    assert (status, body) == (404, b"no saved query named 'no-such-query'; /queries lists them\n")


def test_saved_query_form_page(served):
    page = html_page(served, "queries/gene-therapies-by-serotype")
    assert {"saved-query-form", "param-serotype", "results-table"} <= page.ids
    table = page.rows[""]  # the results table is outside any section
    expected = golden("gene-therapies-by-serotype").splitlines()
    assert table[0] == [v.lstrip("?") for v in expected[0].split("\t")]
    assert len(table) == len(expected)
    assert "Hemgenix @en" in table[1]
    # an invalid value shows the form again, with the message
    status, _, body = fetch(served.url + "queries/drug-profile?drug=not%20an%20iri", headers={"Accept": "text/html"})
    assert status == 400
    page = Page(body)
    assert "parameter drug expects an IRI, but 'not an iri' is not one" in page.all_text()
    assert "saved-query-form" in page.ids


def test_query_page_is_offline(served):
    page = html_page(served, "query")
    assert {"saved-query", "yasgui", "examples", "prefixes", "initial-query"} <= page.ids
    assert page.scripts == ["/static/vendor/yasgui/yasgui.min.js", "/static/vendor/chartjs/chart.umd.min.js",
                            "/static/yasr-chart.js", "/static/yasgui-setup.js"]
    assert page.styles == ["/static/style.css", "/static/vendor/yasgui/yasgui.min.css"]
    for path in (*page.scripts, *page.styles):
        status, _, body = fetch(served.url + path.lstrip("/"))
        assert status == 200 and body
        if "/vendor/" not in path:  # drugkg's own: no address elsewhere (the browser test checks every request made)
            assert b"http://" not in body.replace(b"http://www.w3.org", b"")


# --- the command ---------------------------------------------------------------------------------------------------


def test_serve_help_has_examples(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["serve", "--help"])
    out = capsys.readouterr().out
    assert exit_info.value.code == 0
    assert "drugkg serve                       # then open http://127.0.0.1:8000/" in out
    assert "--max-rows" in out and "--timeout" in out and "(default: 127.0.0.1" in out


def test_serve_without_a_build_says_to_build_first(tmp_path, capsys):
    assert main(["serve", "--store", str(tmp_path), "--port", "0"]) == 2
    assert capsys.readouterr().err == (f"drugkg: error: no built graph in {tmp_path}/ (missing {tmp_path}/store); "
                                       "run 'drugkg build' first or pass --store DIR\n")


def test_serve_on_a_busy_port_says_so(built, capsys):
    import socket

    port = free_port()
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", port))
        busy.listen()
        assert main(["serve", "--store", str(built.out), "--port", str(port)]) == 2
    assert capsys.readouterr().err == (f"drugkg: error: cannot listen on 127.0.0.1:{port} (Address already in use); "
                                       "choose another --port or --host\n")


def test_connections_to_the_listening_socket_send_without_delay():
    """asyncio turns Nagle's algorithm off (TCP_NODELAY) only on sockets whose protocol is IPPROTO_TCP; without it an
    answer written in two parts waited for the client's delayed ACK (about 40 ms a request). The socket serve()
    listens on, accepted by asyncio as uvicorn does, gives connections with TCP_NODELAY set."""
    import asyncio
    import socket

    from drugkg.server.app import listen

    async def accept_one() -> int:
        accepted = asyncio.get_running_loop().create_future()

        class Protocol(asyncio.Protocol):
            def connection_made(self, transport):
                sock = transport.get_extra_info("socket")
                accepted.set_result(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
                transport.close()

        listening = listen("127.0.0.1", 0)
        server = await asyncio.get_running_loop().create_server(Protocol, sock=listening)
        try:
            _, writer = await asyncio.open_connection(*listening.getsockname()[:2])
            value = await asyncio.wait_for(accepted, 10)
            writer.close()
        finally:
            server.close()
            await server.wait_closed()
        return value

    assert asyncio.run(accept_one()) != 0


def test_work_functions_run_in_process(built):
    """The worker's functions are plain functions over a store: the same answer without a server."""
    answer = work.run_query(built.store, SAVED["units"].bind({}), "tsv", None)
    assert answer.status == 200
    assert engine.sorted_tsv(ox.parse_query_results(answer.body, format=ox.QueryResultsFormat.TSV)) == golden("units")
    assert work.page(built.store, "http://example.org/none") is None
    assert work.describe(built.store, "http://example.org/none") == []


@pytest.mark.parametrize("name", ["drugkg.server.work", "drugkg.server.media", "drugkg.server.app"])
def test_docstring_examples(name):
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_relative_iris_in_a_query_resolve_against_the_endpoint_url(served, method):
    """The W3C SPARQL 1.1 protocol test with a relative IRI (CONSTRUCT { <s> <p> 1 } WHERE {}): the query's base is
    the URL it was sent to, /sparql, so <s> is the endpoint's sibling /s."""
    status, _, body = sparql(served, "CONSTRUCT { <s> <p> 1 } WHERE {}", "application/n-triples", method)
    assert status == 200, body
    assert body.decode() == (f"<{served.url}s> <{served.url}p> \"1\"^^<http://www.w3.org/2001/XMLSchema#integer> .\n")
    status, _, body = sparql(served, "SELECT ?x WHERE { BIND(<q> AS ?x) }", "text/tab-separated-values", method)
    assert (status, body.decode()) == (200, f"?x\n<{served.url}q>\n")


HEMGENIX_NODE = f"<{HEMGENIX}>"
SPARQLWRAPPER_CASES = {  # query form -> (query, the return formats SPARQLWrapper offers for it)
    "SELECT": (f"SELECT ?label WHERE {{ {HEMGENIX_NODE} <http://www.w3.org/2000/01/rdf-schema#label> ?label }}",
               ("JSON", "XML", "CSV", "TSV")),
    "ASK": (f"ASK {{ {HEMGENIX_NODE} a <https://w3id.org/drugkg/ontology#DrugProduct> }}", ("JSON", "XML", "CSV", "TSV")),
    "CONSTRUCT": (f"CONSTRUCT {{ {HEMGENIX_NODE} <http://www.w3.org/2000/01/rdf-schema#label> ?label }} WHERE "
                  f"{{ {HEMGENIX_NODE} <http://www.w3.org/2000/01/rdf-schema#label> ?label }}",
                  ("XML", "RDFXML", "RDF", "TURTLE", "N3", "JSONLD", "JSON")),
    "DESCRIBE": (f"DESCRIBE {HEMGENIX_NODE}", ("XML", "RDFXML", "RDF", "TURTLE", "N3", "JSONLD", "JSON")),
}


@pytest.mark.parametrize("method", ["GET", "POST", "POSTDIRECTLY"])
@pytest.mark.parametrize("form", sorted(SPARQLWRAPPER_CASES))
def test_every_sparqlwrapper_return_format_and_method(served, form, method):
    """SPARQLWrapper 2 sends its return format as format= (JSON-LD as format=json-ld&format=application/ld+json,
    application/x-json+ld, repeated and comma-separated): every format it offers for each query form, by GET, form
    POST and direct POST, comes back and converts."""
    import SPARQLWrapper as sw

    text, formats = SPARQLWRAPPER_CASES[form]
    for name in formats:
        client = sw.SPARQLWrapper(served.url + "sparql")
        client.setQuery(text)
        client.setMethod(sw.GET if method == "GET" else sw.POST)
        client.setRequestMethod(sw.POSTDIRECTLY if method == "POSTDIRECTLY" else sw.URLENCODED)
        client.setReturnFormat(getattr(sw, name))
        result = client.query()
        body = result.response.read()
        assert result.response.status == 200, (name, body)
        if form == "SELECT":
            assert b"Hemgenix" in body, name
        elif form == "ASK":
            assert b"true" in body.lower() or body.strip().endswith(b"1"), (name, body)
        else:  # a graph: parse it by its content type and find Hemgenix's label
            content_type = result.response.headers["Content-Type"].split(";")[0]
            graph = rdflib.Graph().parse(data=body, format={"application/rdf+xml": "xml", "text/turtle": "turtle",
                                                            "application/ld+json": "json-ld"}[content_type])
            assert (rdflib.URIRef(ID + "hemgenix"), rdflib.RDFS.label, rdflib.Literal("Hemgenix", lang="en")) in graph, name


@pytest.mark.parametrize("path", ["/sparql?query=ASK%7B%7D", "/sparql?query=SELECT%20*%20WHERE%20%7B%7D&format=tsv",
                                  "/sparql"])
def test_head_gives_the_headers_of_get(served, path):
    get_status, get_headers, get_body = raw(served, "GET", path)
    status, headers, body = raw(served, "HEAD", path)
    assert (status, body) == (get_status, b"") and get_status == 200
    assert headers["Content-Type"] == get_headers["Content-Type"]
    assert headers["Content-Length"] == str(len(get_body))


@pytest.mark.parametrize(("accept", "content_type", "rdf_format"), [
    ("application/json", "application/ld+json", "json-ld"),
    ("text/plain", "application/n-triples", "nt"),
    ("text/n3", "text/turtle", "turtle"),
])
def test_a_resource_in_the_media_types_clients_ask_for(served, accept, content_type, rdf_format):
    status, headers, body = raw(served, "GET", "/id/hemgenix", {"Accept": accept})
    assert status == 200 and headers["Content-Type"].split(";")[0] == content_type
    graph = rdflib.Graph().parse(data=body, format=rdf_format)
    assert (rdflib.URIRef(ID + "hemgenix"), rdflib.RDFS.label, rdflib.Literal("Hemgenix", lang="en")) in graph
    assert raw(served, "GET", "/id/no-such-thing", {"Accept": accept})[0] == 404  # unknown: 404, not 406


def test_a_resource_path_with_a_trailing_slash_redirects(served):
    status, headers, _ = raw(served, "GET", "/id/hemgenix/?format=ttl")
    assert (status, headers["Location"]) == (308, "/id/hemgenix?format=ttl")
