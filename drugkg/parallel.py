"""Independent read-only queries run side by side: pyoxigraph releases the GIL while it evaluates a query, so
threads use every core the process may run on, where one query at a time uses one.

The validation layers are many such queries on one store (17 data-quality checks, 59 groups of compiled shapes);
their answers are put back in the order of the items, so what is reported does not depend on which finished first.

>>> ordered_map(lambda n: n * n, [3, 1, 2])
[9, 1, 4]
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

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
