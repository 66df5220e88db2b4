"""Real servers for the tests: started on 127.0.0.1 on a free port, stopped by their process id."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def executable(name: str) -> str | None:
    """A command from this environment's bin folder (where pip puts it), else from PATH."""
    local = Path(sys.executable).parent / name
    return str(local) if local.is_file() else shutil.which(name)


@dataclass
class Server:
    process: subprocess.Popen
    url: str
    log: Path

    def stop(self) -> None:
        """Stop by process id: SIGTERM, then SIGKILL if it has not exited within 10 s."""
        if self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.kill(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)


def start(argv: list[str], ready_url: str, log: Path, timeout: float = 30.0) -> Server:
    """Start ``argv`` and wait until ``ready_url`` answers (any HTTP status); fail with the server's log."""
    handle = log.open("wb")
    process = subprocess.Popen(argv, stdout=handle, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    server = Server(process, ready_url, log)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{argv[0]} exited with {process.returncode}: {log.read_text(errors='replace')[-2000:]}")
        try:
            urllib.request.urlopen(ready_url, timeout=1).close()
            return server
        except urllib.error.HTTPError:
            return server
        except OSError:
            time.sleep(0.1)
    server.stop()
    raise RuntimeError(f"{argv[0]} did not answer at {ready_url} within {timeout:g} s; log: {log}")


def require_or_skip(what: str, how: str) -> None:
    """Skip a test whose server is not installed, saying how to install it; under .ci/run (DRUGKG_REQUIRE_STORES=1)
    a missing server fails instead, so CI never passes by skipping."""
    import pytest

    message = f"{what} is not installed: {how}"
    if os.environ.get("DRUGKG_REQUIRE_STORES") == "1":
        pytest.fail(message)
    pytest.skip(message)


def start_oxigraph(folder: Path, read_only_location: Path | None = None) -> Server:
    """Oxigraph's server from the ``oxigraph`` wheel: writable on an empty store, or read-only on ``location``."""
    binary = executable("oxigraph")
    if binary is None:
        require_or_skip("the Oxigraph server", "pip install -e '.[test]' installs it")
    port = free_port()
    if read_only_location is None:
        argv = [binary, "serve", "--location", str(folder / "store"), "--bind", f"127.0.0.1:{port}"]
    else:
        argv = [binary, "serve-read-only", "--location", str(read_only_location), "--bind", f"127.0.0.1:{port}"]
    return start(argv, f"http://127.0.0.1:{port}/", folder / "oxigraph.log")


VIRTUOSO_INI = "/etc/virtuoso-opensource-7/virtuoso.ini"


def start_virtuoso(folder: Path) -> Server:
    """Debian's Virtuoso with its packaged configuration, but its database in ``folder`` and free loopback ports.

    A new database has the default administrator dba with password dba.
    """
    binary = shutil.which("virtuoso-t")
    if binary is None or not Path(VIRTUOSO_INI).is_file():
        require_or_skip("Virtuoso", "apt-get install virtuoso-opensource (.ci/run does)")
    sql_port, http_port = free_port(), free_port()
    lines = []
    section = ""
    for line in Path(VIRTUOSO_INI).read_text(encoding="utf-8").splitlines():
        stripped = line.strip()
        if stripped.startswith("["):
            section = stripped
        key = stripped.split("=", 1)[0].strip()
        if "/var/lib/virtuoso-opensource-7/db/" in line:
            line = line.replace("/var/lib/virtuoso-opensource-7/db/", f"{folder}/")
        elif key == "ServerPort" and section == "[Parameters]":
            line = f"ServerPort = 127.0.0.1:{sql_port}"
        elif key == "ServerPort" and section == "[HTTPServer]":
            line = f"ServerPort = 127.0.0.1:{http_port}"
        elif key == "DirsAllowed":
            line = f"DirsAllowed = ., {folder}, /usr/share/virtuoso-opensource-7/vad"
        lines.append(line)
    ini = folder / "virtuoso.ini"
    ini.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return start([binary, "-f", "-c", str(ini)], f"http://127.0.0.1:{http_port}/sparql?query=ASK%7B%7D",
                 folder / "virtuoso.out", timeout=120)


def start_drugkg(folder: Path, dist: Path, *options: str) -> Server:
    """``drugkg serve`` (this environment's console script) on the build in ``dist``, on 127.0.0.1 and a free port,
    with its log (stdout and stderr) in ``folder/serve.log``; ``server.url`` is its base URL, ending in ``/``."""
    binary = executable("drugkg")
    if binary is None:
        raise RuntimeError("the drugkg command is not installed; run pip install -e '.[test]'")
    port = free_port()
    argv = [binary, "serve", "--store", str(dist), "--host", "127.0.0.1", "--port", str(port), *options]
    return start(argv, f"http://127.0.0.1:{port}/", folder / "serve.log")


class FaultyServer:
    """A real TCP server on 127.0.0.1 (a free port) that reads each HTTP request whole and answers it wrongly on
    purpose, the same way every time, for the client's error handling. ``fault`` is one of :attr:`FAULTS`:

    - ``garbage``: ``garbage\\r\\n\\r\\n``, not HTTP at all;
    - ``close``: closes the connection without a word;
    - ``reset``: resets the connection (TCP RST);
    - ``html``: ``200 OK`` with a web page, as a proxy or a wrong URL gives;
    - ``cut``: ``200 OK`` announcing 1,000 bytes of SPARQL JSON, then closes after 9 (``{"head": ``);
    - ``endless``: ``200 OK`` with no length, then a space every 0.1 s, for ``endless_for`` seconds (so a client
      without an overall time limit still ends, after that long).

    Use it as a context manager; ``url`` is its base URL, ending in ``/``. Its threads are daemons, and it stops
    listening on exit.
    """

    FAULTS = ("garbage", "close", "reset", "html", "cut", "endless")
    PAGE = b"<!DOCTYPE html>\n<html><head><title>Welcome</title></head><body><h1>It works!</h1></body></html>\n"

    def __init__(self, fault: str, endless_for: float = 20.0):
        import threading

        if fault not in self.FAULTS:
            raise ValueError(f"unknown fault {fault!r}; known: {', '.join(self.FAULTS)}")
        self.fault, self.endless_for = fault, endless_for
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(0.1)  # the accept loop looks at self.stopping this often
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}/"
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._serve, name=f"faulty-{fault}", daemon=True)
        self.thread.start()

    def __enter__(self) -> FaultyServer:
        return self

    def __exit__(self, *exc_info) -> None:
        self.stopping.set()
        self.thread.join(timeout=5)
        self.listener.close()

    def _serve(self) -> None:
        import threading

        while not self.stopping.is_set():
            try:
                connection, _ = self.listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=self._answer, args=(connection,), daemon=True).start()

    def _answer(self, connection: socket.socket) -> None:
        import struct

        with connection:
            connection.settimeout(10)
            try:
                self._read_request(connection)
                if self.fault == "garbage":
                    connection.sendall(b"garbage\r\n\r\n")
                elif self.fault == "reset":  # linger 0: close() sends RST instead of FIN
                    connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                elif self.fault == "html":
                    connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: "
                                       + str(len(self.PAGE)).encode() + b"\r\nConnection: close\r\n\r\n" + self.PAGE)
                elif self.fault == "cut":
                    connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/sparql-results+json\r\n"
                                       b"Content-Length: 1000\r\nConnection: close\r\n\r\n{\"head\": ")
                elif self.fault == "endless":
                    connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/sparql-results+json\r\n"
                                       b"Connection: close\r\n\r\n")
                    deadline = time.monotonic() + self.endless_for
                    while time.monotonic() < deadline and not self.stopping.wait(0.1):
                        connection.sendall(b" ")
            except OSError:  # the client gave up: nothing more to do
                pass

    @staticmethod
    def _read_request(connection: socket.socket) -> None:
        """Read one request, headers and body, so that what comes next is an answer and not a refusal to listen."""
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = connection.recv(65536)
            if not chunk:
                return
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value.strip())
        while len(body) < length:
            chunk = connection.recv(65536)
            if not chunk:
                return
            body += chunk


# Writable stores for the push tests: one of each per test module that uses them (import the fixture into the
# module), each in a folder named after the module, stopped by its process id when the module's tests are done.
@pytest.fixture(scope="module")
def oxigraph(request, tmp_path_factory):
    """A writable Oxigraph server on 127.0.0.1: its base URL (``/query``, ``/update``, ``/store`` below it)."""
    server = start_oxigraph(tmp_path_factory.mktemp(f"oxigraph-{request.module.__name__.rsplit('.', 1)[-1]}"))
    yield server.url.rstrip("/")
    server.stop()


@pytest.fixture(scope="module")
def virtuoso(request, tmp_path_factory):
    """A new Virtuoso database on 127.0.0.1: its base URL (``/sparql``, ``/sparql-auth``, ... below it)."""
    server = start_virtuoso(tmp_path_factory.mktemp(f"virtuoso-{request.module.__name__.rsplit('.', 1)[-1]}"))
    yield server.url.split("/sparql")[0]
    server.stop()
