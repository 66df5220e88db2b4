"""Measuring for benchmarks/run.py: the time and peak memory of a stage, latency statistics, the machine.

Standard library only, so that importing it adds nothing to the peak memory of the stack being measured.

Peak memory per stage: Linux keeps a process's peak resident set size (``VmHWM`` in ``/proc/self/status``), and
writing ``5`` to ``/proc/self/clear_refs`` resets it to the current resident size, so resetting before a stage and
reading after it gives the stage's own peak (including whatever the process already held when the stage began).
Child processes (the Java VM that runs HermiT) are not in that figure: a thread samples the ``VmHWM`` of every
descendant process every 20 ms while a stage runs, and the stage's children peak is the largest sum seen. (Not
``getrusage(RUSAGE_CHILDREN).ru_maxrss``: it counts a forked child's copy of the parent's pages from before the child
exec'd Java, which put the 90 MB Java VM at the size of the Python process.) Without ``/proc`` (not Linux) the peak
is the process's peak so far (``ru_maxrss``), which cannot be reset, and children are not measured:
``peak_resettable`` says which.
"""

from __future__ import annotations

import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

_CLEAR_REFS = Path("/proc/self/clear_refs")
_STATUS = Path("/proc/self/status")


def _reset_peak() -> bool:
    """Reset this process's peak resident size to its current size; False where that is not possible."""
    try:
        with _CLEAR_REFS.open("w") as handle:
            handle.write("5")
        return True
    except OSError:
        return False


PEAK_RESETTABLE = _reset_peak()


def status_kb(field: str, status: Path = _STATUS) -> int | None:
    """A ``kB`` field (``VmHWM``, ``VmRSS``) of a process's ``/proc/PID/status``, or None without /proc."""
    try:
        for line in status.read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        return None
    return None


def _ru_maxrss_kb(who: int) -> int:
    value = resource.getrusage(who).ru_maxrss
    return value // 1024 if sys.platform == "darwin" else value  # bytes on macOS, kB on Linux


def peak_kb() -> int:
    """The peak resident size of this process since the last reset (or since it started), in kB."""
    hwm = status_kb("VmHWM")
    return hwm if hwm is not None else _ru_maxrss_kb(resource.RUSAGE_SELF)


def descendants(pid: int) -> list[int]:
    """The process ids of every descendant of ``pid`` (children, their children, ...), from /proc."""
    found, todo = [], [pid]
    while todo:
        for task in Path(f"/proc/{todo.pop()}/task").glob("*/children"):
            try:
                children = [int(c) for c in task.read_text().split()]
            except (OSError, ValueError):
                continue
            found += children
            todo += children
    return found


class _ChildSampler:
    """A daemon thread that keeps the largest sum, over this process's descendants, of their peak resident sizes."""

    def __init__(self, interval: float = 0.02):
        self.interval = interval
        self.peak_kb = 0
        self._lock = threading.Lock()
        threading.Thread(target=self._run, name="child-memory-sampler", daemon=True).start()

    def _run(self) -> None:
        pid = os.getpid()
        while True:
            total = sum(status_kb("VmHWM", Path(f"/proc/{child}/status")) or 0 for child in descendants(pid))
            with self._lock:
                self.peak_kb = max(self.peak_kb, total)
            time.sleep(self.interval)

    def take(self) -> int:
        """The peak since the last take, in kB; starts the next period."""
        with self._lock:
            peak, self.peak_kb = self.peak_kb, 0
        return peak


class Meter:
    """Times stages one after another and records each one's peak memory, and its child processes' peak.

    >>> meter = Meter()
    >>> meter.start("one"); _ = [0] * 1000; meter.stop()
    >>> sorted(meter.stages["one"])
    ['children_peak_mb', 'peak_mb', 'seconds']
    """

    def __init__(self) -> None:
        self.stages: dict[str, dict[str, float]] = {}
        self._current: tuple[str, float] | None = None
        self._children = _ChildSampler() if PEAK_RESETTABLE else None

    def start(self, name: str) -> None:
        """End the running stage, if any, and start ``name``."""
        self.stop()
        _reset_peak()
        if self._children is not None:
            self._children.take()
        self._current = (name, time.perf_counter())

    def stop(self) -> None:
        """End the running stage and record its seconds and peak memory (MB)."""
        if self._current is None:
            return
        name, started = self._current
        seconds = time.perf_counter() - started
        children = self._children.take() if self._children is not None else 0
        entry = {"seconds": seconds, "peak_mb": peak_kb() / 1024, "children_peak_mb": children / 1024}
        earlier = self.stages.get(name)
        if earlier is not None:  # a stage entered twice: its times add up, its peaks are the larger
            entry = {"seconds": earlier["seconds"] + seconds, "peak_mb": max(earlier["peak_mb"], entry["peak_mb"]),
                     "children_peak_mb": max(earlier["children_peak_mb"], entry["children_peak_mb"])}
        self.stages[name] = entry
        self._current = None

    @property
    def running(self) -> str | None:
        return None if self._current is None else self._current[0]

    def stage(self, name: str):
        """A context manager for one stage: ``with meter.stage("load"): ...``."""
        meter = self

        class _Stage:
            def __enter__(self):
                meter.start(name)

            def __exit__(self, *exc):
                meter.stop()

        return _Stage()


def percentile(values: list[float], q: float) -> float:
    """The ``q``-th percentile (0-100) with linear interpolation between the closest ranks (numpy's default).

    >>> percentile([1.0, 2.0, 3.0, 4.0], 50), percentile([1.0, 2.0, 3.0, 4.0], 95), percentile([7.0], 95)
    (2.5, 3.85, 7.0)
    """
    ordered = sorted(values)
    if not ordered:
        raise ValueError("no values")
    rank = (len(ordered) - 1) * q / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def latency_summary(seconds: list[float]) -> dict[str, float]:
    """Median and 95th percentile of latencies given in seconds, in milliseconds, with the number of runs."""
    return {
        "runs": len(seconds),
        "median_ms": statistics.median(seconds) * 1000,
        "p95_ms": percentile(seconds, 95) * 1000,
        "min_ms": min(seconds) * 1000,
    }


def write_json(path: Path, document: dict) -> None:
    """Write ``document`` as JSON, atomically (a reader never sees half a file)."""
    partial = path.with_name(path.name + ".partial")
    partial.write_text(json.dumps(document, indent=1, sort_keys=False) + "\n", encoding="utf-8")
    os.replace(partial, path)


def _first(path: str, prefix: str) -> str | None:
    try:
        for line in Path(path).read_text().splitlines():
            if line.startswith(prefix):
                return line.split(":", 1)[1].strip()
    except OSError:
        return None
    return None


def _version(module: str) -> str | None:
    from importlib import metadata

    try:
        return metadata.version(module)
    except metadata.PackageNotFoundError:
        return None


def _command(argv: list[str], cwd: Path | None = None) -> str | None:
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=30, cwd=cwd)
    except (OSError, subprocess.TimeoutExpired):
        return None
    text = (done.stdout or done.stderr).strip()
    return text.splitlines()[0] if text and done.returncode == 0 else None


def machine(root: Path, oxigraph: str | None) -> dict:
    """The machine and software the figures were measured on."""
    memory = _first("/proc/meminfo", "MemTotal")
    commit = _command(["git", "rev-parse", "HEAD"], root)
    try:  # what the checkout holds beyond the commit, in the folders that make up drugkg
        changed = subprocess.run(["git", "status", "--porcelain", "--", "drugkg", "loaders", "queries", "ontology"],
                                 capture_output=True, text=True, timeout=30, cwd=root).stdout.splitlines()
    except (OSError, subprocess.TimeoutExpired):
        changed = []
    return {
        "cpu": _first("/proc/cpuinfo", "model name") or platform.processor() or platform.machine(),
        "cores": os.cpu_count(),
        "ram_gb": round(int(memory.split()[0]) / 1024 / 1024, 1) if memory else None,
        "os": platform.platform(),
        "python": platform.python_version(),
        "java": _command(["java", "-version"]),
        "versions": {name: _version(name) for name in
                     ("drugkg", "pyoxigraph", "oxigraph", "rdflib", "pyshacl", "owlready2", "uvicorn", "starlette")},
        "oxigraph_server": _command([oxigraph, "--version"]) if oxigraph else None,
        "drugkg_commit": (commit[:12] + (" with uncommitted changes" if changed else "")) if commit else None,
        "uncommitted": [line[3:] for line in changed],
        "peak_memory_per_stage": PEAK_RESETTABLE,
    }
