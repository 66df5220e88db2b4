"""Hostile input: YAML bombs and code tags in the data, hostile requests to ``drugkg serve`` (issue "Hold under faults
and hostile input"): one or more tests per class of attack, so that the defences keep holding.

The data tests copy ``tests/fixtures/minimal`` into ``tmp_path`` (as tests/test_bad_input.py does), add ONE hostile
file and run ``drugkg build`` as a separate process, with 1 GiB of address space and a bounded run: a defence that
gives way fails the test (a MemoryError traceback, or the process stopped at the bound) instead of taking the machine
down with it.

The server tests run real ``drugkg serve`` processes on 127.0.0.1 (one for the module; the test of concurrent slow
queries starts its own with two workers and a 3 s timeout). Every hostile request gets an exact status and message,
and the server keeps serving. The server tests import their HTTP helpers from tests/test_server.py.
"""

from __future__ import annotations

import http.client
import json
import re
import resource
import select
import shutil
import socket
import subprocess
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.servers import executable, start_drugkg
from tests.test_bad_input import DATA, DOCUMENTS, FIXTURE, MARK, ONTOLOGY, SENTINEL, assert_nothing_written, marked_line, yaml_text
from tests.test_server import raw, refusals, sparql, still_serving

# A normal refused build finishes in about a second; these bound a run that a defence failed to stop.
BUILD_BOUND = 20  # seconds
BUILD_MEMORY = 1 << 30  # bytes of address space for the build process

HEMGENIX = "https://w3id.org/drugkg/id/hemgenix"
TOO_LONG = ("the query is longer than this server's limit of 65536 bytes (--max-query-bytes); shorten it, for example "
            "with a VALUES block bound by a saved query's parameters\n")
READ_ONLY = ("this endpoint is read-only: SPARQL Update is not accepted; change the data in data/ and run "
             "'drugkg build', or load the build into a writable store with 'drugkg push'\n")
H11_REFUSAL = b"Invalid HTTP request received."  # uvicorn's answer to a request h11 cannot parse, with status 400
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
JSON = "application/sparql-results+json"


# ------------------------------------------------------------------------------------- helpers


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """tmp_path holding a copy of the minimal dataset (``curated/``) and a previous build (``dist/``)."""
    shutil.copytree(FIXTURE, tmp_path / DATA)
    (tmp_path / "dist").mkdir()
    (tmp_path / "dist" / "sentinel.txt").write_text(SENTINEL, encoding="utf-8")
    return tmp_path


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (BUILD_MEMORY, BUILD_MEMORY))


def run_build(root: Path) -> subprocess.CompletedProcess:
    """``drugkg build`` on ``root/curated`` in its own process (cwd ``root``, so paths show as ``curated/...``)."""
    argv = [executable("drugkg"), "build", "--data", DATA, "--out", "dist", "--ontology", str(ONTOLOGY), "--documents",
            str(DOCUMENTS), "--no-labels"]
    try:
        return subprocess.run(argv, cwd=root, capture_output=True, text=True, timeout=BUILD_BOUND,
                              preexec_fn=_limit_memory, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired as exc:  # subprocess.run has killed it (by its pid)
        so_far = (exc.stderr or b"").decode(errors="replace")  # bytes here, even with text=True
    pytest.fail(f"drugkg build was still running after {BUILD_BOUND} s (stopped); its stderr: {so_far!r}")


def assert_refused(root: Path, result: subprocess.CompletedProcess, expected: list[str]) -> None:
    """Exit 1, exactly the ``expected`` error lines, the summary last, no traceback, and nothing written."""
    lines = result.stderr.splitlines()
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    assert [line for line in lines if not line.startswith("drugkg: ")] == expected
    assert lines[-1] == f"drugkg: {len(expected)} error(s); nothing was written."
    assert (result.returncode, result.stdout) == (1, "")
    assert_nothing_written(root)


def response(server, request: bytes) -> tuple[bytes, list[bytes], bytes]:
    """Send ``request`` exactly as given on a new connection; (status line, header lines, body) of the answer."""
    host, port = urllib.parse.urlsplit(server.url).netloc.split(":")
    with socket.create_connection((host, int(port)), timeout=30) as s:
        s.sendall(request)
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    status, *headers = head.split(b"\r\n")
    return status, headers, body


def off_site(location: str | None) -> bool:
    """Whether a Location leaves the site: anything but a path with one leading '/' followed by a non-slash,
    non-backslash character (``//host``, ``/\\host`` and absolute URLs all do)."""
    return location is not None and re.match(r"/[^/\\]", location) is None


@pytest.fixture(scope="module")
def server(built, tmp_path_factory):
    """``drugkg serve`` on the built graph with its default options, started once for the module."""
    started = start_drugkg(tmp_path_factory.mktemp("hostile"), built.out)
    yield started
    started.stop()


# ------------------------------------------------------------------------------------- 1. YAML bombs
#
# drugkg/reader.py builds every anchored node once and lets each alias share that one object (as PyYAML does), so
# reading a bomb costs only its text; what must not happen is a later step walking the shared structure as if it
# were expanded. Ten levels of ten stand for 10**10 strings: expanded, the pointers alone would need 80 GB.

ALIAS_FIX = "alt_labels must be a non-empty string (write plain text in quotes if needed)"


def alias_bomb(levels: int = 10, width: int = 10) -> list[str]:
    """Block-list items: level 0 is ``width`` strings, each next level ``width`` aliases of the level before."""
    items = ["      - &a0 [" + ", ".join(["lol"] * width) + "]"]
    items += [f"      - &a{n} [" + ", ".join([f"*a{n - 1}"] * width) + "]" for n in range(1, levels)]
    return items


def merge_bomb(levels: int = 10, width: int = 10) -> list[str]:
    """The same with mappings: level 0 has ``width`` keys, each next level merges (``<<``) the level before ``width``
    times over."""
    items = ["      - &a0 {" + ", ".join(f"k{k}: lol" for k in range(width)) + "}"]
    items += [f"      - &a{n} {{<<: [" + ", ".join([f"*a{n - 1}"] * width) + "]}" for n in range(1, levels)]
    return items


@pytest.mark.parametrize(("label", "items"), [
    pytest.param("invented test disease", alias_bomb(), id="aliases"),
    pytest.param("invented test disease", merge_bomb(), id="merge-keys"),
    # a backslash escape anywhere in a file makes the build look at every text of its records for control
    # characters (drugkg.schema.text_problems); a tab is allowed, so this file holds the same single defect
    pytest.param('"invented\\ttest disease"', alias_bomb(), id="aliases-in-a-file-with-an-escape"),
])
def test_yaml_bomb_is_refused_with_one_error(root: Path, label: str, items: list[str]) -> None:
    text = yaml_text(f"""\
        entity:
          - id: test-x
            type: Disease
            label: {label}
            alt_labels:  {MARK}
        """) + "\n".join(items) + "\n"
    (root / DATA / "extra.yaml").write_text(text, encoding="utf-8")
    result = run_build(root)
    assert_refused(root, result, [f"{DATA}/extra.yaml:{marked_line(text)}: test-x: {ALIAS_FIX}"])


# ------------------------------------------------------------------------------------- 2. code tags


@pytest.mark.parametrize(("line", "tag"), [
    pytest.param('label: !!python/object/apply:os.system ["touch PWNED"]', "python/object/apply:os.system", id="apply"),
    pytest.param("label: !!python/object/new:os.system {args: [touch PWNED]}", "python/object/new:os.system", id="new"),
    pytest.param("label: !!python/object/apply:subprocess.check_output [[touch, PWNED]]",
                 "python/object/apply:subprocess.check_output", id="apply-subprocess"),
    pytest.param("label: !<tag:yaml.org,2002:python/object/apply:os.system> [touch PWNED]",
                 "python/object/apply:os.system", id="verbatim-tag"),
    pytest.param("!!python/object/apply:os.system [touch PWNED]: x", "python/object/apply:os.system", id="as-a-key"),
    pytest.param("label: !!python/name:os.system", "python/name:os.system", id="name"),
    pytest.param("label: !!python/module:os", "python/module:os", id="module"),
])
def test_python_tags_are_refused_and_never_run(root: Path, line: str, tag: str) -> None:
    text = yaml_text(f"""\
        entity:
          - id: test-x
            type: Disease
            description: an invented disease
            {line}  {MARK}
        """)
    (root / DATA / "extra.yaml").write_text(text, encoding="utf-8")
    result = run_build(root)
    assert not (root / "PWNED").exists()  # the build's working directory: where "touch PWNED" would have run
    assert_refused(root, result, [
        f"{DATA}/extra.yaml:{marked_line(text)}: -: YAML syntax error: could not determine a constructor for the tag "
        f"'tag:yaml.org,2002:{tag}' (fix the YAML syntax at this line)"])


# ------------------------------------------------------------------------------------- 3. path traversal
#
# tests/test_server.py::test_path_traversal_finds_nothing has /id/.., %2e%2e, /static/.., ..%2f and %00; these are
# the encodings and forms it misses. No answer may hold a byte of the files aimed at.

NOTHING = "; the index is at /\n"


@pytest.mark.parametrize(("target", "message"), [
    ("/static/../../pyproject.toml", "nothing at /static/../../pyproject.toml" + NOTHING),
    ("/static/%2E%2E/%2E%2E/pyproject.toml", "nothing at /static/../../pyproject.toml" + NOTHING),
    ("/static/.%2e/%2e./pyproject.toml", "nothing at /static/../../pyproject.toml" + NOTHING),
    ("/static/%2e%2e%2f%2e%2e%2fpyproject.toml", "nothing at /static/../../pyproject.toml" + NOTHING),
    ("/static/%252e%252e/%252e%252e/pyproject.toml", "nothing at /static/%2e%2e/%2e%2e/pyproject.toml" + NOTHING),
    ("/static/..%5c..%5cpyproject.toml", "nothing at /static/..%5C..%5Cpyproject.toml" + NOTHING),
    ("/static/%c0%ae%c0%ae/pyproject.toml", "nothing at /static/\ufffd\ufffd\ufffd\ufffd/pyproject.toml" + NOTHING),
    ("/static/style.css/../../../pyproject.toml", "nothing at /static/style.css/../../../pyproject.toml" + NOTHING),
    ("/static//etc/passwd", "nothing at /static//etc/passwd" + NOTHING),
    ("/static/%2fetc%2fpasswd", "nothing at /static//etc/passwd" + NOTHING),
    ("/etc/passwd", "nothing at /etc/passwd" + NOTHING),
    ("//etc/passwd", "nothing at //etc/passwd" + NOTHING),
    ("/id/%2fetc%2fpasswd", "no resource https://w3id.org/drugkg/id//etc/passwd in this graph; search by label at /\n"),
    ("/resource?iri=file:///etc/passwd", "no resource file:///etc/passwd in this graph; search by label at /\n"),
    ("/resource?iri=file%3A%2F%2F%2Fetc%2Fpasswd",
     "no resource file:///etc/passwd in this graph; search by label at /\n"),
    # absolute-form request targets: taken as a path, never resolved against the file system
    ("file:///etc/passwd", "nothing at /file:///etc/passwd" + NOTHING),
    ("http://evil.example/static/%2e%2e/%2e%2e/pyproject.toml",
     "nothing at /http://evil.example/static/../../pyproject.toml" + NOTHING),
])
def test_path_traversal_in_other_encodings_finds_nothing(target: str, message: str, server) -> None:
    status, _, body = raw(server, "GET", target)
    assert (status, body.decode()) == (404, message)
    assert b"root:x:0:0" not in body and b"[project]" not in body
    still_serving(server)


def test_absolute_form_with_the_servers_own_address_finds_nothing(server) -> None:
    target = server.url + "static/../../pyproject.toml"
    status, _, body = raw(server, "GET", target)
    assert (status, body.decode()) == (404, f"nothing at /{target}" + NOTHING)


# ------------------------------------------------------------------------------------- 4. CRLF injection

CRLF = "%0d%0aSet-Cookie:%20x=1"
CONTROL = "backslashes and control characters are not allowed in values; give the value as plain text\n"
NOT_A_FORMAT = ("format=json\r\nSet-Cookie: x=1 is not a format; use one of table, csv, tsv, json, xml, ttl, nt, "
                "jsonld, rdf, html (or a media type)\n")


@pytest.mark.parametrize(("target", "status", "location", "message"), [
    (f"/queries/drug-profile?drug={HEMGENIX}{CRLF}", 400, None, f"parameter drug: {CONTROL}"),
    (f"/queries/search-entities?text=liver{CRLF}", 400, None, f"parameter text: {CONTROL}"),
    (f"/queries/search-entities?text=liver&format=json{CRLF}", 400, None, NOT_A_FORMAT),
    (f"/sparql?query=ASK%7B%7D&format=json{CRLF}", 400, None, NOT_A_FORMAT),
    (f"/resource?iri={HEMGENIX}{CRLF}", 303, "/id/hemgenix%0D%0ASet-Cookie:%20x=1", ""),
    (f"/resource?iri={HEMGENIX}&format=ttl{CRLF}", 303, "/id/hemgenix?format=ttl%0D%0ASet-Cookie%3A%20x%3D1", ""),
    (f"/queries{CRLF}/", 308, "/queries%0D%0ASet-Cookie:%20x=1", ""),
    (f"/{CRLF}/", 308, "/%0D%0ASet-Cookie:%20x=1", ""),
])
def test_crlf_in_a_parameter_or_path_never_makes_a_header(target, status, location, message, server) -> None:
    got, headers, body = raw(server, "GET", target)
    assert (got, headers.get("location"), body.decode()) == (status, location, message)
    assert headers.get_all("set-cookie") is None
    still_serving(server)


def test_crlf_in_an_id_path_is_a_404_without_a_header(server) -> None:
    """An /id/ path with CR LF matches no route (its pattern stops at a line break): a 404, the path on the body."""
    got, headers, body = raw(server, "GET", f"/id/hemgenix{CRLF}")
    assert got == 404 and headers.get_all("set-cookie") is None
    assert body.decode().startswith("nothing at /id/hemgenix") and body.decode().endswith(NOTHING)


def test_raw_crlf_in_the_request_line_is_refused_by_the_parser(server) -> None:
    status, headers, body = response(server, b"GET /queries/search-entities?text=a\r\nSet-Cookie: x=1 HTTP/1.1\r\n"
                                             b"Host: 127.0.0.1\r\nConnection: close\r\n\r\n")
    assert (status, body) == (b"HTTP/1.1 400 Bad Request", H11_REFUSAL)
    assert not [h for h in headers if h.lower().startswith(b"set-cookie")]
    still_serving(server)


# ------------------------------------------------------------------------------------- 5. XSS

SCRIPT = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"
Q = urllib.parse.quote(SCRIPT, safe="")


@pytest.mark.parametrize(("target", "status", "shown"), [
    pytest.param(f"/?q={Q}", 200, f'value="{ESCAPED}"', id="search"),
    pytest.param(f"/?q={Q}", 200, f"0 matches for “{ESCAPED}”", id="search-heading"),
    pytest.param(f"/queries/search-entities?text={Q}", 200, f'<input id="param-text" name="text" value="{ESCAPED}"',
                 id="saved-query-parameter"),
    pytest.param(f"/queries/drug-profile?drug={Q}", 400,
                 f"parameter drug expects an IRI, but &#39;{ESCAPED}&#39; is not one", id="saved-query-error"),
    pytest.param("/resource?iri=javascript:alert(1)", 404,
                 '<p id="error-message" class="error">no resource javascript:alert(1) in this graph; search by label '
                 "at /</p>", id="javascript-iri"),
    pytest.param(f"/resource?iri={Q}", 404, f"no resource {ESCAPED} in this graph (not a valid IRI)",
                 id="resource-iri"),
    pytest.param(f"/{Q}", 404, f'<p id="error-message" class="error">nothing at /{ESCAPED}; the index is at /</p>',
                 id="error-page-path"),
    pytest.param(f"/id/{Q}", 404, f"no resource https://w3id.org/drugkg/id/{ESCAPED} in this graph", id="id-path"),
    # the query page hands the query to YASGUI as JSON, every < > & ' escaped (Jinja's tojson), never as markup
    pytest.param(f"/query?query={Q}", 200, '<script type="application/json" id="initial-query">'
                 '"\\u003cscript\\u003ealert(1)\\u003c/script\\u003e"</script>', id="query-page"),
    pytest.param(f"/sparql?query=ASK%7B%7D&default-graph-uri={Q}", 400, f"default-graph-uri &#39;{ESCAPED}&#39; is not "
                 "an IRI", id="sparql-error"),
    pytest.param("/sparql?" + urllib.parse.urlencode({"query": f'SELECT ("{SCRIPT}" AS ?x) {{}}'}), 200,
                 f"<tr><td>{ESCAPED}</td></tr>", id="literal-in-results"),
    pytest.param("/sparql?" + urllib.parse.urlencode({"query": "SELECT (<javascript:alert(1)> AS ?x) {}"}), 200,
                 '<tr><td><span title="javascript:alert(1)">javascript:alert(1)</span></td></tr>', id="iri-in-results"),
])
def test_markup_is_escaped_and_no_javascript_link_is_made(target: str, status: int, shown: str, server) -> None:
    got, headers, body = raw(server, "GET", target, headers={"Accept": "text/html"})
    page = body.decode()
    assert (got, headers.get_content_type()) == (status, "text/html")
    assert shown in page
    assert "<script>alert(1)" not in page
    assert re.search(r"""(href|src|action)\s*=\s*["']?\s*javascript:""", page, re.IGNORECASE) is None


# ------------------------------------------------------------------------------------- 6. open redirects


@pytest.mark.parametrize(("target", "status", "location"), [
    ("/resource?iri=//evil.example", 404, None),
    ("/resource?iri=%2F%2Fevil.example", 404, None),
    ("/resource?iri=/%5Cevil.example", 404, None),
    ("/resource?iri=https://evil.example/x", 404, None),
    ("/resource?iri=https:%2F%2Fevil.example%2Fx", 404, None),
    ("/queries/", 308, "/queries"),
    ("/%2F%2Fevil.example/", 308, "/evil.example"),
    ("/%5C%5Cevil.example/", 308, "/%5C%5Cevil.example"),
    ("/resource?iri=https://w3id.org/drugkg/id//evil.example", 303, "/id//evil.example"),
    ("/resource?iri=https://w3id.org/drugkg/id/%5Cevil.example", 303, "/id/%5Cevil.example"),
    (f"/resource?iri={HEMGENIX}&format=//evil.example", 303, "/id/hemgenix?format=//evil.example"),
])
def test_no_redirect_leaves_the_site(target: str, status: int, location: str | None, server) -> None:
    got, headers, _ = raw(server, "GET", target, headers={"Host": "evil.example", "Accept": "text/html"})
    assert (got, headers.get("location")) == (status, location)
    assert not off_site(headers.get("location"))


def test_off_site_recognises_what_leaves():
    """The rule the test above relies on."""
    assert [off_site(x) for x in ("//evil.example", "/\\evil.example", "https://evil.example/", "/id/x", None)] == [
        True, True, True, False, False]


# ------------------------------------------------------------------------------------- 7. slowloris


def test_slow_partial_requests_do_not_stop_a_normal_one(server) -> None:
    """50 connections each hold a request that never ends (half of them in the request line, half in the headers),
    fed one byte per round; meanwhile a normal request each round is answered (within a bound of 10 s, far above
    its usual few ms)."""
    host, port = urllib.parse.urlsplit(server.url).netloc.split(":")
    slow: list[socket.socket] = []
    try:
        for n in range(50):
            s = socket.create_connection((host, int(port)), timeout=5)
            s.sendall(b"GET /sparql?query=AS" if n % 2 else b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
            slow.append(s)
        for _ in range(3):
            for s in slow:
                s.sendall(b"K")
            connection = http.client.HTTPConnection(host, int(port), timeout=10)
            try:
                connection.request("GET", "/sparql?query=ASK%7B%7D", headers={"Accept": JSON})
                answer = connection.getresponse()
                assert (answer.status, json.loads(answer.read())) == (200, {"head": {}, "boolean": True})
            finally:
                connection.close()
            time.sleep(0.3)
    finally:
        for s in slow:
            s.close()
    still_serving(server)


# ------------------------------------------------------------------------------------- 8. concurrent slow queries

SQUARED = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f }"  # about 2 s on the built graph
BUSY = "all 2 query workers stayed busy for 3 s; retry shortly, or start the server with more --workers\n"
TIMED_OUT = ("the query ran longer than this server's limit of 3 s (--timeout) and was stopped; make it more selective "
             "(more specific patterns, a LIMIT), or start the server with a larger --timeout\n")


def test_fifty_concurrent_slow_queries_each_get_an_answer(built, tmp_path) -> None:
    """Two workers, --timeout 3, 50 two-second queries at once: each gets the right count, or 503 saying the workers
    stayed busy (with Retry-After) or that it ran past the timeout; never 500, and the server serves on."""
    slow_server = start_drugkg(tmp_path, built.out, "--workers", "2", "--timeout", "3")
    try:
        _, _, body = sparql(slow_server, "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c }", JSON)
        size = int(json.loads(body)["results"]["bindings"][0]["n"]["value"])

        def ask(n: int):
            return sparql(slow_server, f"{SQUARED} # {n}", JSON)

        with ThreadPoolExecutor(50) as pool:
            answers = list(pool.map(ask, range(50)))
        kinds = []
        for status, headers, body in answers:
            if status == 200:
                assert json.loads(body)["results"]["bindings"][0]["n"]["value"] == str(size * size)
                kinds.append("answered")
            elif (status, headers.get("retry-after"), body.decode()) == (503, "5", BUSY):
                kinds.append("busy")
            elif (status, body.decode()) == (503, TIMED_OUT):
                kinds.append("timed out")
            else:
                pytest.fail(f"unexpected answer {status} {dict(headers)} {body[:300]!r}")
        assert len(kinds) == 50 and "busy" in kinds, kinds  # 2 workers cannot take 50 two-second queries in 3 s
        still_serving(slow_server)
        assert 'HTTP/1.1" 500' not in slow_server.log.read_text(errors="replace")
    finally:
        slow_server.stop()


# ------------------------------------------------------------------------------------- 9. oversized


def test_a_10_mb_form_body_is_refused_with_413(server) -> None:
    body = b"query=" + b"x" * (10 * 2**20 - 6)
    status, _, text = raw(server, "POST", "/sparql?case=10-MB-form", FORM, body)
    assert (status, text.decode()) == (413, TOO_LONG)
    assert any(" refused POST /sparql?case=10-MB-form 413: the query is longer" in line for line in refusals(server))
    still_serving(server)


def test_a_10_mb_chunked_query_body_is_refused_with_413(server) -> None:
    """No Content-Length to refuse it by: the body is counted as it streams in."""
    size = 10 * 2**20
    request = (b"POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/sparql-query\r\n"
               b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
               + b"%x\r\n" % size + b"x" * size + b"\r\n0\r\n\r\n")
    status, _, body = response(server, request)
    assert (status, body.decode()) == (b"HTTP/1.1 413 Request Entity Too Large", TOO_LONG)
    still_serving(server)


def test_a_declared_100_mb_body_is_refused_before_it_is_sent(server) -> None:
    headers = {**FORM, "Content-Length": str(100 * 2**20)}
    host, port = urllib.parse.urlsplit(server.url).netloc.split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=30)
    try:
        connection.request("POST", "/sparql", body=b"query=x", headers=headers)  # 7 bytes of the 100 MB announced
        answer = connection.getresponse()
        assert (answer.status, answer.read().decode()) == (413, TOO_LONG)
    finally:
        connection.close()
    still_serving(server)


def test_a_100_kb_header_is_within_the_servers_bounds(server) -> None:
    """h11 takes up to max(16 KiB, 4 x --max-query-bytes + 8 KiB) of request head, so that the longest GET query
    fits: a 100 KB header is read and the request answered."""
    status, _, body = raw(server, "GET", "/sparql?query=ASK%7B%7D", {"X-Big": "a" * 100_000, "Accept": JSON})
    assert (status, json.loads(body)) == (200, {"head": {}, "boolean": True})
    still_serving(server)


def test_a_1_mb_header_is_refused_by_the_parser(server) -> None:
    """h11 refuses a request head past its bound; uvicorn answers 400. The header goes in 64 KiB pieces, the next only
    while no answer has come: data sent after the server closed would reset the connection and lose its answer."""
    host, port = urllib.parse.urlsplit(server.url).netloc.split(":")
    with socket.create_connection((host, int(port)), timeout=30) as s:
        s.sendall(b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ")
        for _ in range(16):
            if select.select([s], [], [], 0.3)[0]:
                break
            s.sendall(b"a" * 65536)
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    assert (head.split(b"\r\n")[0], body) == (b"HTTP/1.1 400 Bad Request", H11_REFUSAL)
    still_serving(server)


def test_a_thousand_headers_are_read_and_answered(server) -> None:
    headers = {f"X-Header-{n}": "v" for n in range(1000)}
    status, _, body = raw(server, "GET", "/sparql?query=ASK%7B%7D", {**headers, "Accept": JSON})
    assert (status, json.loads(body)) == (200, {"head": {}, "boolean": True})
    still_serving(server)


# ------------------------------------------------------------------------------------- 10. updates
#
# tests/test_server.py::test_updates_are_refused_with_403 has update= in a form, an application/sparql-update body,
# INSERT DATA as a POSTed query= and DROP ALL as a GET query=; these are the ones it misses.

INSERT = "PREFIX ex: <http://example.org/> INSERT DATA { ex:a ex:b ex:c }"


def update_request(case: str, port: int) -> tuple[str, str, dict[str, str], bytes | None]:
    """(method, target, headers, body) of one update; a LOAD fetches from 127.0.0.1:``port``."""
    load = f"LOAD <http://127.0.0.1:{port}/>"

    def get(**params) -> tuple:
        return "GET", "/sparql?" + urllib.parse.urlencode(params), {}, None

    def form(**params) -> tuple:
        return "POST", "/sparql", FORM, urllib.parse.urlencode(params).encode()

    def body(media: str, text: str) -> tuple:
        return "POST", "/sparql", {"Content-Type": media}, text.encode()

    return {
        "insert-in-get-query": lambda: get(query=INSERT),
        "insert-in-get-update": lambda: get(update=INSERT),
        "insert-as-query-body": lambda: body("application/sparql-query", INSERT),
        "load-in-get": lambda: get(query=load),
        "load-in-query": lambda: form(query=load),
        "load-in-update": lambda: form(update=f"{load} INTO GRAPH <urn:g>"),
        "load-as-update-body": lambda: body("application/sparql-update", load),
        "drop-all-in-query": lambda: form(query="DROP ALL"),
        "drop-all-in-update": lambda: form(update="DROP ALL"),
        "drop-all-as-update-body": lambda: body("application/sparql-update", "DROP ALL"),
        "lower-case-after-a-comment": lambda: get(query="# SELECT * {}\ninsert data { <urn:a> <urn:b> <urn:c> }"),
        "with-delete": lambda: get(query="WITH <urn:g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }"),
    }[case]()


@pytest.mark.parametrize("case", ["insert-in-get-query", "insert-in-get-update", "insert-as-query-body", "load-in-get",
                                  "load-in-query", "load-in-update", "load-as-update-body", "drop-all-in-query",
                                  "drop-all-in-update", "drop-all-as-update-body", "lower-case-after-a-comment",
                                  "with-delete"])
def test_every_kind_of_update_is_refused_with_403(case: str, server) -> None:
    with socket.create_server(("127.0.0.1", 0)) as trap:  # where LOAD would fetch from: it must never be asked
        method, target, headers, body = update_request(case, trap.getsockname()[1])
        status, _, text = raw(server, method, target, headers, body)
        assert (status, text.decode()) == (403, READ_ONLY)
        assert select.select([trap], [], [], 0.2)[0] == []  # no connection is waiting to be accepted
    still_serving(server)
    status, _, answer = sparql(server, "ASK { <http://example.org/a> ?p ?o }", JSON)
    assert (status, json.loads(answer)["boolean"]) == (200, False)
