"""Query workers: processes that each hold the store open read-only and run one job at a time, under a hard timeout.

pyoxigraph cannot interrupt a running query, so the timeout is enforced from outside: the server waits for a
worker's answer until the deadline, then kills that worker, starts a fresh one (and waits until it has opened the
store) and reports the timeout. Several workers use several cores. Workers are started with ``spawn`` (a threaded
server must not fork), ignore Ctrl-C (the server stops them) and exit when the server's end of their pipe closes.

A job is a function of :mod:`drugkg.server.work` named in :data:`JOBS`, called with the store first.
"""

from __future__ import annotations

import asyncio
import io
import logging
import multiprocessing
import os
import signal
from pathlib import Path

import pyoxigraph as ox

from drugkg import engine
from drugkg.errors import UsageError
from drugkg.server import work

log = logging.getLogger("drugkg.server")
START_TIMEOUT = 60.0  # seconds a new worker may take to open the store


def _serialized(store: ox.Store, triples_job: str, fmt: str, prefixes: dict[str, str] | None, *args) -> bytes | None:
    triples = {"describe": work.describe, "ontology": lambda s: work.ontology_graph(s)}[triples_job](store, *args)
    if not triples:
        return None
    out = io.BytesIO()
    engine.write_result(triples, fmt, out, prefixes)
    return out.getvalue()


JOBS = {
    "query": work.run_query,
    "page": work.page,
    "serialized": _serialized,
    "entity_index": work.entity_index,
    "types_of": work.types_of,
    "ontology": work.ontology,
    "size": lambda store: len(store),
}


class QueryTimeout(Exception):
    """The job ran past the deadline; its worker was replaced."""


class Busy(Exception):
    """No worker became free within the timeout."""


class WorkerFailed(Exception):
    """The job raised an unexpected error (a bug) or its worker died; the message says which."""


def _worker_main(conn, dist: str, base: str | None) -> None:
    """Open the build (``base`` given: loaded into memory; else the on-disk store, read-only), then answer jobs."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        if base is not None:
            store = engine.memory_store(Path(dist), base)
        else:
            store = ox.Store.read_only(str(Path(dist) / engine.STORE_DIR))
    except (OSError, UsageError) as exc:
        conn.send(("failed", f"cannot open the build in {dist}: {exc}"))
        return
    conn.send(("ready", os.getpid()))
    while True:
        try:
            name, args = conn.recv()
        except (EOFError, OSError):
            return
        try:
            reply = ("ok", JOBS[name](store, *args))
        except Exception as exc:  # noqa: BLE001 - a bug in one job must not take the worker down
            reply = ("error", f"{type(exc).__name__}: {exc}")
        conn.send(reply)


class Worker:
    """One worker process and the server's end of its pipe."""

    def __init__(self, dist: Path, base: str | None):
        context = multiprocessing.get_context("spawn")
        self.conn, child = context.Pipe()
        self.process = context.Process(target=_worker_main, args=(child, str(dist), base), daemon=True,
                                       name="drugkg-query-worker")
        self.process.start()
        child.close()
        message = None
        if self.conn.poll(START_TIMEOUT):
            try:
                message = self.conn.recv()
            except EOFError:
                message = ("failed", f"the query worker exited with {self.process.exitcode} while opening the store")
        if message is None or message[0] != "ready":
            self.stop()
            raise RuntimeError(message[1] if message else f"a query worker did not start within {START_TIMEOUT:g} s")

    def call(self, name: str, args: tuple, timeout: float):
        self.conn.send((name, args))
        if not self.conn.poll(timeout):
            raise QueryTimeout()
        try:
            status, value = self.conn.recv()
        except (EOFError, OSError):
            raise WorkerFailed(f"the query worker died (exit code {self.process.exitcode})") from None
        if status == "error":
            raise WorkerFailed(value)
        return value

    def stop(self) -> None:
        """Kill the process (a timed-out query cannot be stopped any other way) and close the pipe."""
        if self.process.is_alive():
            self.process.kill()
        self.process.join(10)
        self.conn.close()


class Pool:
    """A fixed number of workers; :meth:`run` hands a job to an idle one and waits at most ``timeout`` seconds."""

    def __init__(self, dist: Path, size: int, timeout: float, base: str | None = None):
        """Workers for the build in ``dist``: loaded into memory when ``base`` (its base IRI) is given, else reading
        its on-disk store."""
        self.dist, self.size, self.timeout, self.base = dist, size, timeout, base
        self._idle: asyncio.Queue[Worker] | None = None
        self._all: set[Worker] = set()

    def start(self) -> None:
        """Start every worker (each opens the store); raise RuntimeError if one cannot."""
        self._idle = asyncio.Queue()
        for _ in range(self.size):
            worker = Worker(self.dist, self.base)
            self._all.add(worker)
            self._idle.put_nowait(worker)

    def call_now(self, job: str, *args):
        """Run ``job`` on the first worker and wait for it (before serving: no other job can be running)."""
        return next(iter(self._all)).call(job, args, START_TIMEOUT)

    def close(self) -> None:
        for worker in self._all:
            worker.stop()
        self._all.clear()

    async def run(self, job: str, *args):
        """Run ``job`` on an idle worker; raise Busy, QueryTimeout or WorkerFailed."""
        assert self._idle is not None, "Pool.start() first"
        try:
            worker = await asyncio.wait_for(self._idle.get(), self.timeout)
        except TimeoutError:
            raise Busy() from None
        try:
            return await asyncio.to_thread(worker.call, job, args, self.timeout)
        except (QueryTimeout, WorkerFailed) as exc:
            if isinstance(exc, WorkerFailed) and worker.process.is_alive():
                raise  # the job failed, the worker is fine
            worker = await asyncio.to_thread(self._replace, worker)
            raise
        except asyncio.CancelledError:
            # The request was cancelled but the worker is still busy with its job: never hand it a second one
            # (it would answer the first); replace it in the background instead.
            loop, busy = asyncio.get_running_loop(), worker
            worker = None

            def retire() -> None:
                fresh = self._replace(busy)
                if fresh is not None:
                    loop.call_soon_threadsafe(self._idle.put_nowait, fresh)

            loop.run_in_executor(None, retire)
            raise
        finally:
            if worker is not None:
                self._idle.put_nowait(worker)

    def _replace(self, worker: Worker) -> Worker | None:
        pid = worker.process.pid
        worker.stop()
        self._all.discard(worker)
        try:
            fresh = Worker(self.dist, self.base)
        except RuntimeError as exc:
            log.error("could not restart query worker %s: %s; %d worker(s) left", pid, exc, len(self._all))
            return None
        self._all.add(fresh)
        log.info("stopped query worker %s and started %s", pid, fresh.process.pid)
        return fresh
