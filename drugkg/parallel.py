"""Work run beside the main thread or apart from the process.

Independent read-only queries run side by side (:func:`ordered_map`): pyoxigraph releases the GIL while it evaluates
a query, so threads use every core the process may run on, where one query at a time uses one. The validation layers
are many such queries on one store (17 data-quality checks, 59 groups of compiled shapes); their answers are put back
in the order of the items, so what is reported does not depend on which finished first.

Work that makes far more objects than it returns runs in a process of its own (:func:`in_process`), so that its
memory goes back to the system when it ends: CPython frees small objects into pools it keeps as long as any object in
them lives, and a few survivors keep most of them.

>>> ordered_map(lambda n: n * n, [3, 1, 2])
[9, 1, 4]
"""

from __future__ import annotations

import multiprocessing
import os
import traceback
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from drugkg.errors import DataInvalid, UsageError

Item = TypeVar("Item")
Result = TypeVar("Result")


def workers() -> int:
    """The number of cores this process may run on (at least 1)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def ordered_map(function: Callable[[Item], Result], items: Iterable[Item]) -> list[Result]:
    """``[function(item) for item in items]``, run on :func:`workers` threads; the first error, in item order,
    is raised (as the loop would raise it), once the calls under way have ended."""
    items = list(items)
    if workers() == 1 or len(items) < 2:
        return [function(item) for item in items]
    with ThreadPoolExecutor(max_workers=workers(), thread_name_prefix="drugkg-query") as pool:
        return list(pool.map(function, items))


# what a child's error is raised as in the parent, as it is; any other error is a bug: its traceback is kept
_FORWARDED = (DataInvalid, UsageError, OSError, MemoryError)


def in_process(function: Callable[..., Result], *args, progress: Callable[[str], None], **kwargs) -> Result:
    """``function(*args, progress=..., **kwargs)`` run in a child process (see :func:`_start_method`): its progress
    messages are passed to ``progress`` as they come, its result (pickled) is returned and its error (DataInvalid,
    UsageError, OSError, MemoryError) raised here; any other error is a RuntimeError with the child's traceback.
    ``function`` must be a module's top-level function. A child that dies (killed, out of memory) is a UsageError."""
    context = multiprocessing.get_context(_start_method())
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_child, args=(send, function, args, kwargs), name="drugkg-apart", daemon=True)
    child.start()
    send.close()  # the child's end: once the child ends, receiving ends too
    try:
        while True:
            try:
                kind, payload = receive.recv()
            except EOFError:
                child.join()
                killed = " (killed: out of memory?)" if child.exitcode == -9 else ""
                raise UsageError(f"{getattr(function, '__name__', 'the work')} stopped in its process with exit code "
                                 f"{child.exitcode}{killed}; nothing was written") from None
            if kind == "progress":
                progress(payload)
            elif kind == "error":
                raise payload
            else:
                return payload
    finally:
        receive.close()
        if child.is_alive():
            child.join(timeout=5)
            if child.is_alive():  # e.g. the parent was interrupted while the child works on
                child.terminate()
                child.join()


def _start_method() -> str:
    """Fork this process when it runs one thread (no start-up cost: the child has every module already), else fork
    a clean server process (a thread may hold a lock at the moment of the fork, which the child would wait on for
    ever; the first child costs about half a second to start), or, where neither is possible, spawn."""
    methods = multiprocessing.get_all_start_methods()
    try:
        alone = len(os.listdir("/proc/self/task")) == 1  # every thread, Python's or a library's
    except OSError:  # not Linux
        alone = False
    if alone and "fork" in methods:
        return "fork"
    return "forkserver" if "forkserver" in methods else "spawn"


def _child(send, function: Callable, args: tuple, kwargs: dict) -> None:
    """The child's side of :func:`in_process`: run, and send each progress message, then the result or the error."""
    try:
        result = function(*args, progress=lambda message: send.send(("progress", message)), **kwargs)
    except _FORWARDED as exc:
        send.send(("error", exc))
    except Exception:  # a bug: its traceback, which the parent would otherwise never see
        send.send(("error", RuntimeError(f"in the child process:\n{traceback.format_exc()}")))
    else:
        send.send(("result", result))
    finally:
        send.close()
