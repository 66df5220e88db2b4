"""drugkg fetch-labels (drugkg/fetch.py): real labels from a real HTTP server laid out as DailyMed's web services.

The server runs on 127.0.0.1 on a free port, in a thread: it serves the six shared FDA labels under
``/dailymed/services/v2/spls/{SETID}.xml`` and, under made-up set ids, every way an answer can go wrong (404 and
500, garbage and silence instead of HTTP, a cut-short body, an HTML page, JSON, an XML file with an external entity,
another label's XML, bodies too large or endless, one that trickles in). No test reaches the internet.
"""

from __future__ import annotations

import hashlib
import os
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from drugkg import fetch
from drugkg.cli import main
from drugkg.errors import UsageError
from drugkg.fetch import Fetched, FetchError, fetch_labels
from loaders.spl.read import read_labels
from tests.conftest import SHARED

LABELS = SHARED / "labels"
HUMIRA = "608d4f0d-b19f-46d3-749a-7159aa5f933d"
# set id -> file, version and effective date, from shared/labels/README.md (the first test checks them)
SHARED_LABELS = {
    HUMIRA: ("humira.xml", 1560, "2013-09-30"),
    "c6e131fe-e7df-4876-83f7-9156fc4e8228": ("lipitor-orig.xml", 11, "2014-01-13"),
    "17a163ef-b349-4e32-bc8c-b02bac7f65d6": ("lipitor-repack.xml", 8, "2012-02-29"),
    "00f66f25-3469-4c16-9baf-fba21e9628bd": ("cough.xml", 1, "2011-04-26"),
    "0027b8a3-73bf-4005-a7e3-b035f451a861": ("no-title.xml", 1, "2010-07-28"),
    "ea1a6225-0eb9-4743-9601-23d5795936a3": ("methoxsalen-pharmacologic-class.xml", 1, "2010-11-01"),
}
FAULTS = ["missing", "error", "garbage", "silent", "cut", "html", "json", "xxe", "other", "huge", "endless", "drip"]
FAULT_IDS = {name: f"00000000-0000-0000-0000-{i:012x}" for i, name in enumerate(FAULTS, start=1)}
CHECK_URL = "check that --base-url is DailyMed's, https://dailymed.nlm.nih.gov/dailymed, and try again later"


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format, *args):  # noqa: A002 - quiet: the tests read stderr
        pass

    def do_GET(self):  # noqa: N802 - http.server's name
        self.server.requests.append(self.path)
        prefix, suffix = "/dailymed/services/v2/spls/", ".xml"
        set_id = self.path[len(prefix):-len(suffix)] if self.path.startswith(prefix) and self.path.endswith(suffix) else ""
        try:
            if set_id in SHARED_LABELS:
                self.answer(200, "text/xml", (LABELS / SHARED_LABELS[set_id][0]).read_bytes())
            elif set_id in FAULT_IDS.values():
                getattr(self, "fault_" + FAULTS[int(set_id[-12:], 16) - 1])()
            else:
                self.answer(404, "text/html", b"<html><body>Not Found</body></html>")
        except OSError:  # the client went away (as it should from an endless answer)
            pass

    def answer(self, status: int, media_type: str, body: bytes, length: int | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", media_type)
        self.send_header("Content-Length", str(len(body) if length is None else length))
        self.end_headers()
        self.wfile.write(body)

    def fault_missing(self):
        self.answer(404, "text/html", b"<html><body>No SPL found</body></html>")

    def fault_error(self):
        self.answer(500, "text/plain", b"database unavailable")

    def fault_garbage(self):
        self.wfile.write(b"SPL SERVER READY\r\n\r\n")

    def fault_silent(self):
        pass  # the connection closes without a byte

    def fault_cut(self):
        body = (LABELS / "humira.xml").read_bytes()
        self.answer(200, "text/xml", body[:1000], length=len(body))

    def fault_html(self):
        self.answer(200, "text/html", b"<!DOCTYPE html>\n<html><head><title>DailyMed</title></head>"
                                      b"<body>Down for maintenance</body></html>\n")

    def fault_json(self):
        self.answer(200, "application/json", b'{"error": "unknown set id"}\n')

    def fault_xxe(self):
        secret = f"http://127.0.0.1:{self.server.server_port}/secret"
        self.answer(200, "text/xml", (f'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE document [\n'
                                      f'  <!ENTITY xxe SYSTEM "{secret}">\n]>\n'
                                      '<document xmlns="urn:hl7-org:v3"><title>&xxe;</title></document>\n').encode())

    def fault_other(self):
        self.answer(200, "text/xml", (LABELS / "cough.xml").read_bytes())

    def fault_huge(self):
        self.answer(200, "text/xml", b"<document>", length=60_000_000)

    def fault_endless(self):
        self.send_response(200)
        self.send_header("Content-Type", "text/xml")
        self.end_headers()  # no length: the body ends when the connection does, which is never
        self.wfile.write(b'<document xmlns="urn:hl7-org:v3">')
        while not self.server.stopping.is_set():
            self.wfile.write(b"<x/>" * 16384)

    def fault_drip(self):
        self.send_response(200)
        self.send_header("Content-Type", "text/xml")
        self.send_header("Content-Length", "1000000")
        self.end_headers()
        while not self.server.stopping.is_set():
            self.wfile.write(b" ")
            self.wfile.flush()
            time.sleep(0.05)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.requests: list[str] = []
        self.stopping = threading.Event()

    def handle_error(self, request, client_address):  # quiet: a test that fails says why on its own
        pass


@pytest.fixture(scope="module")
def server():
    httpd = _Server()
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    httpd.base = f"http://127.0.0.1:{httpd.server_port}/dailymed"
    yield httpd
    httpd.stopping.set()
    httpd.shutdown()
    httpd.server_close()


def url(server, set_id: str) -> str:
    return f"{server.base}/services/v2/spls/{set_id}.xml"


def fetched_line(set_id: str, out: str) -> str:
    name, version, date = SHARED_LABELS[set_id]
    size = (LABELS / name).stat().st_size
    return f"fetched {set_id} version {version} ({date}), {round(size / 1000)} kB -> {out}/{set_id}_{version}.xml"


def test_the_shared_labels_table_matches_the_files():
    labels, errors = read_labels(LABELS)
    assert errors == []
    assert {lab.set_id: (Path(lab.path).name, lab.version, lab.effective_iso) for lab in labels} == SHARED_LABELS


def test_fetches_each_label_whole_named_by_set_id_and_version(tmp_path, server):
    out = tmp_path / "labels"
    lines: list[str] = []
    results = fetch_labels(list(SHARED_LABELS), out, server.base, timeout=10, progress=lines.append)
    assert lines == [
        f"fetched {HUMIRA} version 1560 (2013-09-30), 394 kB -> {out}/{HUMIRA}_1560.xml",
        f"fetched c6e131fe-e7df-4876-83f7-9156fc4e8228 version 11 (2014-01-13), 335 kB -> "
        f"{out}/c6e131fe-e7df-4876-83f7-9156fc4e8228_11.xml",
        f"fetched 17a163ef-b349-4e32-bc8c-b02bac7f65d6 version 8 (2012-02-29), 230 kB -> "
        f"{out}/17a163ef-b349-4e32-bc8c-b02bac7f65d6_8.xml",
        f"fetched 00f66f25-3469-4c16-9baf-fba21e9628bd version 1 (2011-04-26), 29 kB -> "
        f"{out}/00f66f25-3469-4c16-9baf-fba21e9628bd_1.xml",
        f"fetched 0027b8a3-73bf-4005-a7e3-b035f451a861 version 1 (2010-07-28), 69 kB -> "
        f"{out}/0027b8a3-73bf-4005-a7e3-b035f451a861_1.xml",
        f"fetched ea1a6225-0eb9-4743-9601-23d5795936a3 version 1 (2010-11-01), 4 kB -> "
        f"{out}/ea1a6225-0eb9-4743-9601-23d5795936a3_1.xml",
    ]
    assert results[0] == Fetched(HUMIRA, url(server, HUMIRA), out / f"{HUMIRA}_1560.xml", 1560, "2013-09-30",
                                 394_093)
    # byte-exact copies, and nothing else in the folder
    assert sorted(os.listdir(out)) == sorted(f"{s}_{v}.xml" for s, (_, v, _) in SHARED_LABELS.items())
    for set_id, (name, version, _) in SHARED_LABELS.items():
        got = hashlib.sha256((out / f"{set_id}_{version}.xml").read_bytes()).hexdigest()
        assert got == hashlib.sha256((LABELS / name).read_bytes()).hexdigest(), name
    # the folder is what the build reads
    labels, errors = read_labels(out)
    assert errors == [] and sorted(lab.set_id for lab in labels) == sorted(SHARED_LABELS)


def test_a_version_already_there_with_the_same_bytes_is_kept_and_said(tmp_path, server):
    out = tmp_path / "labels"
    fetch_labels([HUMIRA], out, server.base, timeout=10)
    before = (out / f"{HUMIRA}_1560.xml").stat()
    lines: list[str] = []
    results = fetch_labels([HUMIRA.upper(), HUMIRA], out, server.base, timeout=10, progress=lines.append)
    assert lines == [f"already have {HUMIRA} version 1560 (2013-09-30), 394 kB in {out}/{HUMIRA}_1560.xml"]
    assert [r.already for r in results] == [True]  # the same set id twice (in any case) is fetched once
    after = (out / f"{HUMIRA}_1560.xml").stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    assert os.listdir(out) == [f"{HUMIRA}_1560.xml"]


def test_a_file_of_that_name_with_other_bytes_is_never_replaced(tmp_path, server):
    out = tmp_path / "labels"
    out.mkdir()
    (out / f"{HUMIRA}_1560.xml").write_bytes(b"<document/>\n")
    [error] = fetch_labels([HUMIRA], out, server.base, timeout=10)
    assert isinstance(error, FetchError)
    assert str(error) == (
        f"{HUMIRA}: {out}/{HUMIRA}_1560.xml already exists with other content than the answer from "
        f"{url(server, HUMIRA)} (the same set id and version should be the same document: look at both, then move "
        "the old file away and fetch again)")
    assert (out / f"{HUMIRA}_1560.xml").read_bytes() == b"<document/>\n"
    assert os.listdir(out) == [f"{HUMIRA}_1560.xml"]


def test_cli_writes_to_labels_in_the_working_folder_by_default(tmp_path, server, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["fetch-labels", HUMIRA, "--base-url", server.base]) == 0
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (f"drugkg: fetched {HUMIRA} version 1560 (2013-09-30), 394 kB -> "
                            f"labels/{HUMIRA}_1560.xml\n")
    assert os.listdir(tmp_path) == ["labels"] and os.listdir(tmp_path / "labels") == [f"{HUMIRA}_1560.xml"]


def _fault_cases() -> list:
    def u(name):  # the URL of a fault, filled in with the server's base in the test
        return "{base}/services/v2/spls/" + FAULT_IDS[name] + ".xml"

    not_spl = "the answer from " + "{url}" + " is not an SPL label: "
    return [
        ("missing", [], f"no SPL with set id {FAULT_IDS['missing']} at {u('missing')} (HTTP 404) "
                        "(check the set id on DailyMed)"),
        ("error", [], f"{u('error')} answered HTTP 500 Internal Server Error ({CHECK_URL})"),
        ("garbage", [], f"{u('garbage')} answered with something that is not HTTP ('SPL SERVER READY') "
                        f"({CHECK_URL})"),
        ("silent", [], f"{u('silent')} closed the connection without answering ({CHECK_URL})"),
        ("cut", [], f"{u('cut')} broke off its answer after 1,000 bytes, 393,093 bytes short of the length it "
                    f"announced ({CHECK_URL})"),
        ("html", [], not_spl + "line 1: the file has a DOCTYPE declaration; DTDs are refused, not loaded "
                               f"({CHECK_URL})"),
        ("json", [], not_spl + "line 1: not well-formed XML at line 1, column 1: Start tag expected, '<' not "
                               f"found ({CHECK_URL})"),
        ("xxe", [], not_spl + "line 3: the DOCTYPE declares an external entity 'xxe' (SYSTEM "
                              '"http://127.0.0.1:{port}/secret"); it was refused, not resolved: no file or network '
                              f"address was read ({CHECK_URL})"),
        ("other", [], f"{u('other')} answered with the label of set id 00f66f25-3469-4c16-9baf-fba21e9628bd "
                      f"(version 1), not {FAULT_IDS['other']} ({CHECK_URL})"),
        ("huge", [], f"the answer from {u('huge')} is announced as 60,000,000 bytes, over the limit of 52,428,800 "
                     f"bytes (an SPL label is at most a few MB; {CHECK_URL})"),
        ("drip", ["--timeout", "1.5"], f"{u('drip')} did not send its whole answer within 1.5 s "
                                       "(try again later, or raise --timeout)"),
    ]


@pytest.mark.parametrize(("fault", "options", "expected"), _fault_cases(), ids=[c[0] for c in _fault_cases()])
def test_cli_reports_a_bad_answer_in_one_line_and_writes_nothing_of_it(fault, options, expected, tmp_path, server,
                                                                       capsys):
    out = tmp_path / "labels"
    set_id = FAULT_IDS[fault]
    before = len(server.requests)
    code = main(["fetch-labels", set_id, HUMIRA, "--base-url", server.base, "--out", str(out), *options])
    err = capsys.readouterr().err.splitlines()
    message = expected.format(base=server.base, url=url(server, set_id), port=server.server_port)
    assert err == [
        f"drugkg: {fetched_line(HUMIRA, str(out))}",  # the other set id is still fetched
        f"drugkg: error: {set_id}: {message}",
        "drugkg: 1 of 2 set id(s) failed; nothing was written for them.",
    ]
    assert code == 2
    assert os.listdir(out) == [f"{HUMIRA}_1560.xml"]  # no partial or temporary file
    assert "/secret" not in server.requests[before:]  # the external entity was never fetched


def test_an_endless_answer_is_stopped_at_the_size_cap(tmp_path, server):
    started = time.monotonic()
    [error] = fetch_labels([FAULT_IDS["endless"]], tmp_path, server.base, timeout=10, max_bytes=100_000)
    assert time.monotonic() - started < 5
    assert str(error) == (f"{FAULT_IDS['endless']}: the answer from {url(server, FAULT_IDS['endless'])} is more than "
                          f"100,000 bytes, over the limit of 100,000 bytes (an SPL label is at most a few MB; "
                          f"{CHECK_URL})")
    assert os.listdir(tmp_path) == []


def test_an_answer_over_a_small_cap_is_refused_from_its_length(tmp_path, server):
    [error] = fetch_labels([HUMIRA], tmp_path, server.base, timeout=10, max_bytes=100_000)
    assert error.reason == (f"the answer from {url(server, HUMIRA)} is announced as 394,093 bytes, over the limit "
                            "of 100,000 bytes")
    assert os.listdir(tmp_path) == []


def test_a_refused_connection_is_one_line(tmp_path, capsys):
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    base = f"http://127.0.0.1:{port}/dailymed"
    assert main(["fetch-labels", HUMIRA, "--base-url", base, "--out", str(tmp_path / "labels")]) == 2
    assert capsys.readouterr().err.splitlines() == [
        f"drugkg: error: {HUMIRA}: cannot reach {base}/services/v2/spls/{HUMIRA}.xml (Connection refused) "
        "(check the network and --base-url, then try again)",
        "drugkg: 1 of 1 set id(s) failed; nothing was written for them.",
    ]
    assert os.listdir(tmp_path / "labels") == []


def test_a_bad_set_id_is_a_usage_error_before_any_request(tmp_path, server, capsys):
    before = len(server.requests)
    out = tmp_path / "labels"
    code = main(["fetch-labels", HUMIRA, "humira", "608d4f0d-b19f-46d3-749a-7159aa5f933", "--base-url", server.base,
                 "--out", str(out)])
    assert capsys.readouterr().err == (
        "drugkg: error: 'humira', '608d4f0d-b19f-46d3-749a-7159aa5f933' are not set ids: a set id is 32 hex digits "
        "grouped 8-4-4-4-12, like 608d4f0d-b19f-46d3-749a-7159aa5f933d (find it on the label's DailyMed page, "
        "after setid=)\n")
    assert code == 2
    assert len(server.requests) == before and not out.exists()


@pytest.mark.parametrize(("options", "message"), [
    (["--base-url", "ftp://example.org/dailymed"],
     "--base-url 'ftp://example.org/dailymed' is not an http:// or https:// URL (DailyMed's is "
     "https://dailymed.nlm.nih.gov/dailymed)"),
    (["--timeout", "0"], "--timeout must be a positive number of seconds, got 0"),
])
def test_a_bad_option_is_a_usage_error(options, message, tmp_path, capsys):
    assert main(["fetch-labels", HUMIRA, "--out", str(tmp_path / "labels"), *options]) == 2
    assert capsys.readouterr().err == f"drugkg: error: {message}\n"
    assert not (tmp_path / "labels").exists()


def test_an_output_folder_under_a_file_is_a_usage_error(tmp_path, server):
    (tmp_path / "file").write_text("x")
    with pytest.raises(UsageError, match=r"cannot make the output folder .*/file/labels: Not a directory; choose "):
        fetch_labels([HUMIRA], tmp_path / "file" / "labels", server.base, timeout=10)


def test_help_has_examples_and_names_dailymed(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["fetch-labels", "--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert "Examples:\n  drugkg fetch-labels 608d4f0d-b19f-46d3-749a-7159aa5f933d\n" in out
    assert f"(default: {fetch.DAILYMED})" in " ".join(out.split())

