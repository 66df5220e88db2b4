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
