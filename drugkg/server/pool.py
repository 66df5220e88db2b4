"""Query workers: processes that each hold the store open read-only and run one job at a time, under a hard timeout.

pyoxigraph cannot interrupt a running query, so the timeout is enforced from outside: the server waits for a
worker's answer until the deadline, then kills that worker, starts a fresh one (and waits until it has opened the
store) and reports the timeout. Several workers use several cores. Workers are started with ``spawn`` (a threaded
server must not fork), ignore Ctrl-C (the server stops them), exit when the server's end of their pipe closes, and
run sandboxed (:mod:`drugkg.server.sandbox`: no network, a deep stack for the jobs).

A worker that dies (a crash, ``kill -9``, the out-of-memory killer), whether busy or idle, is never handed another
job: any failure to talk to it (end of file, a broken pipe, any OSError) or finding it dead when it is taken from the
pool retires it, and its slot gets a fresh worker. The request it was answering is retried once on another worker;
if that fails too, or no worker can be started, the client gets 503 with Retry-After.

A job is a function of :mod:`drugkg.server.work` named in :data:`JOBS`, called with the store first.
"""

from __future__ import annotations

import asyncio
import io
import logging
import multiprocessing
import os
import signal
import threading
from pathlib import Path

import pyoxigraph as ox

from drugkg import engine
from drugkg.errors import UsageError
from drugkg.server import sandbox, work

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
    "neighbourhood": work.neighbourhood,
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


class Unavailable(Exception):
    """No worker could answer: the one that took the job died (and so did the one it was retried on), or no fresh
    worker could be started; the message says which. The client may retry shortly."""


class WorkerFailed(Exception):
    """The job raised an unexpected error (a bug); the worker is fine and stays in the pool."""


class WorkerLost(Exception):
    """The worker could not be talked to (it died, or its pipe broke): it is retired and replaced."""


def _worker_main(conn, dist: str, base: str | None) -> None:
    """Forbid the network, then open the build and answer jobs on a thread with a deep stack (see
    :mod:`drugkg.server.sandbox`)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    unsandboxed = sandbox.forbid_network()
    engine.on_deep_stack(_serve_jobs, conn, dist, base, unsandboxed)


def _serve_jobs(conn, dist: str, base: str | None, unsandboxed: str | None) -> None:
    """Open the build (``base`` given: loaded into memory; else the on-disk store, read-only), then answer jobs."""
    try:
        if base is not None:
            store = engine.memory_store(Path(dist), base)
        else:
            store = ox.Store.read_only(str(Path(dist) / engine.STORE_DIR))
    except (OSError, UsageError) as exc:
        conn.send(("failed", f"cannot open the build in {dist}: {exc}"))
        return
    conn.send(("ready", os.getpid(), unsandboxed))
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
        self.unsandboxed = message[2]  # None: the worker cannot open a network socket

    def call(self, name: str, args: tuple, timeout: float):
        """Run one job; raise QueryTimeout past ``timeout`` seconds, WorkerLost if the worker cannot be talked to,
        WorkerFailed if the job raised."""
        try:
            self.conn.send((name, args))
            if not self.conn.poll(timeout):
                raise QueryTimeout()
            status, value = self.conn.recv()
        except (EOFError, OSError) as exc:
            self.process.join(1)  # a worker that crashed has usually finished dying by now: its exit code says how
            raise WorkerLost(f"lost the query worker {self.process.pid} ({_how_it_ended(self.process.exitcode, exc)})") from None
        if status == "error":
            raise WorkerFailed(value)
        return value

    def alive(self) -> bool:
        return self.process.is_alive() and not self.conn.closed

    def stop(self) -> None:
        """Kill the process (a timed-out query cannot be stopped any other way) and close the pipe."""
        if self.process.is_alive():
            self.process.kill()
        self.process.join(10)
        self.conn.close()


def _how_it_ended(exitcode: int | None, exc: BaseException) -> str:
    if exitcode is None:
        return f"its pipe failed: {type(exc).__name__}"
    if exitcode < 0:
        try:
            return f"killed by {signal.Signals(-exitcode).name}"
        except ValueError:
            return f"killed by signal {-exitcode}"
    return f"exited with {exitcode}"


class Pool:
    """A fixed number of worker slots; :meth:`run` hands a job to an idle worker and waits at most ``timeout`` s.

    A slot is in the idle queue as its worker, or as None when its worker was retired and no fresh one could be
    started yet: the next job that takes the slot starts one.
    """

    def __init__(self, dist: Path, size: int, timeout: float, base: str | None = None):
        """Workers for the build in ``dist``: loaded into memory when ``base`` (its base IRI) is given, else reading
        its on-disk store."""
        self.dist, self.size, self.timeout, self.base = dist, size, timeout, base
        self._idle: asyncio.Queue[Worker | None] | None = None
        self._all: set[Worker] = set()
        self._lock = threading.Lock()  # guards _all: workers are started and stopped on threads

    def start(self) -> None:
        """Start every worker (each opens the store); raise RuntimeError if one cannot."""
        self._idle = asyncio.Queue()
        for _ in range(self.size):
            worker = self._start_worker()
            if worker.unsandboxed:
                log.warning("query workers can reach the network: %s", worker.unsandboxed)
            self._idle.put_nowait(worker)

    def call_now(self, job: str, *args):
        """Run ``job`` on the first worker and wait for it (before serving: no other job can be running)."""
        return next(iter(self._all)).call(job, args, START_TIMEOUT)

    def close(self) -> None:
        with self._lock:
            workers, self._all = list(self._all), set()
        for worker in workers:
            worker.stop()

    async def run(self, job: str, *args):
        """Run ``job`` on an idle worker, once more on another if the first is lost; raise Busy, QueryTimeout,
        WorkerFailed or Unavailable."""
        try:
            return await self._run_once(job, args)
        except WorkerLost as exc:
            log.error("%s; retrying the job on another worker", exc)
        try:
            return await self._run_once(job, args)
        except WorkerLost as exc:
            log.error("%s, the second for this job; giving up on it", exc)
            raise Unavailable("the query worker answering it was lost twice") from None

    async def _run_once(self, job: str, args: tuple):
        assert self._idle is not None, "Pool.start() first"
        try:
            worker = await asyncio.wait_for(self._idle.get(), self.timeout)
        except TimeoutError:
            raise Busy() from None
        try:
            if worker is None or not worker.alive():
                dead, worker = worker, ...  # the slot is _swap's to fill until it returns
                worker = await self._swap(dead)
                if worker is None:
                    raise Unavailable("no query worker could be started (the server's log says why)")
            return await asyncio.to_thread(worker.call, job, args, self.timeout)
        except (QueryTimeout, WorkerLost):
            failed, worker = worker, ...
            worker = await self._swap(failed)
            raise
        except asyncio.CancelledError:
            if worker is not ...:
                # The request was cancelled while the worker may still be busy with its job: never hand it a
                # second one (it would answer the first); replace it in the background instead.
                busy, worker = worker, ...
                self._refill_later(asyncio.get_running_loop().run_in_executor(None, self._replace, busy))
            raise
        finally:
            if worker is not ...:
                self._idle.put_nowait(worker)

    async def _swap(self, worker: Worker | None) -> Worker | None:
        """A fresh worker in place of ``worker`` (None if none could be started). If the request is cancelled
        meanwhile, the replacement still goes on and fills the slot when done: no worker is lost or leaked."""
        replacing = asyncio.get_running_loop().run_in_executor(None, self._replace, worker)
        try:
            return await asyncio.shield(replacing)
        except asyncio.CancelledError:
            self._refill_later(replacing)
            raise

    def _refill_later(self, replacing: asyncio.Future) -> None:
        def refill(done: asyncio.Future) -> None:
            self._idle.put_nowait(None if done.cancelled() or done.exception() else done.result())

        replacing.add_done_callback(refill)

    def _start_worker(self) -> Worker:
        worker = Worker(self.dist, self.base)
        with self._lock:
            self._all.add(worker)
        return worker

    def _replace(self, worker: Worker | None) -> Worker | None:
        """Stop ``worker`` (if any) and start a fresh one for its slot; None if it cannot be started."""
        pid = None
        if worker is not None:
            pid = worker.process.pid
            worker.stop()
            with self._lock:
                self._all.discard(worker)
        try:
            fresh = self._start_worker()
        except Exception as exc:  # noqa: BLE001 - whatever stops a worker starting, its slot stays and is tried again
            log.error("could not start a query worker in place of %s: %s; %d worker(s) left", pid, exc, len(self._all))
            return None
        log.info("stopped query worker %s and started %s", pid, fresh.process.pid)
        return fresh
