"""Time the label stages against a plain lxml parse, on synthetic SPL corpora: the reader, the stage of the build
that loads a labels folder, and the whole build.

For each size (``--sizes``, numbers of labels) a synthetic corpus is written into a temporary folder
(``label_corpus.make_label_corpus``: copies of the five shared labels with fresh ids and synthetic NDCs; not timed),
then each stage runs in a fresh child process of its own, so that its time and peak memory are its own:

- ``lxml-parse`` (the baseline): ``lxml.etree.parse`` of every file with lxml's default parser, the tree dropped;
- ``read_labels``: ``read_labels(folder)``, which returns every record at once;
- ``read_label-stream``: ``iter_labels(folder)``, which reads one file at a time in name order, each label dropped
  before the next;
- ``label-stage`` (the label stage of the build): ``loaders.spl.load.load_labels(folder, LabelContext(...))``, the
  context built as ``drugkg.build._load_labels`` builds it, from the curated data of ``data/`` (compiled first, not
  timed), with Python's cyclic collector paused as ``compile_graph`` pauses it: every file read and mapped to
  N-Triples lines, only the lines, the shared nodes' identity and one small entry per label kept;
- ``label-stage-parts``: the label stage's loop again, each part timed apart (reading a file, mapping its records
  to triples, formatting them as N-Triples lines, adding the lines to the table), to show where its time goes and
  the best ratio it could reach if reading, or reading and mapping, cost no more than the baseline's parse;
- ``build``: the whole ``drugkg build --labels FOLDER`` (``drugkg.build.build`` with ``data/`` and the ontology of
  this checkout into a temporary out folder, removed afterwards): compile, store, checks, SHACL, reasoning, exports
  and the query store, each build stage timed from its progress message to the next. Not run above
  ``--build-max-size``; there its time and peak are estimated from the two largest sizes built (a straight line in
  the number of labels) and reported as an estimate. The curated data alone is built once per run too
  (``build-curated``), so that the fixed part of a build is known.

Each reports labels per second and its peak resident memory (``VmHWM`` of the child, from ``/proc/self/status``,
reset just before the timed part) and its own part of it (the peak less the resident size before the timed part).
The targets (issue "Real drug labels", speed and scale) are ratios within this run: the label stage's throughput at
least 0.3x the baseline's, and the stage's own memory flat in the number of labels while only the graph grows. The
label stage keeps its output (the graph's lines), which grows by design; so its memory is judged beyond that
output, two ways: its own peak less the size of what it returns (``sys.getsizeof`` of every line, the line table
and the other tables it keeps: strict, as it counts against the stage what the allocator and the line table's
growth cost the output), and its own peak less what it leaves resident once done (after ``malloc_trim``, as the
build does: what it held only while it ran). Each is flat when the stage holds one label at a time (the rule: the
figure at the largest size at most 1.25x that at the smallest, plus 16 MB for allocator slack). The same rule judges
the two reading stages on their own peak; ``read_labels`` keeps every record, so its memory grows by design, and the
build's grows with the graph: both are reported as they are.

Outputs in ``--out`` (default ``benchmarks/latest/labels``): ``results.json`` (every figure, the options, the
machine) and ``results.md``. Progress goes to stderr, with each child's own progress (files read, build stages).
Exit 0 when every stage read every label, 1 when a stage failed or read a label with an error (a benchmark error: a
missed target is reported, not an error), 2 on bad usage.

Example::

    python benchmarks/labels.py --sizes 10,100,1000 --out /tmp/label-bench
"""

from __future__ import annotations

import argparse
import collections
import ctypes
import datetime as dt
import gc
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import bench_measure  # noqa: E402  (benchmarks/ is not a package: run as a script)
from bench_report import num  # noqa: E402
from label_corpus import SHARED_LABELS, TEMPLATES, make_label_corpus  # noqa: E402

DEFAULT_OUT = HERE / "latest" / "labels"
DATA = ROOT / "data"
ONTOLOGY = ROOT / "ontology" / "drugkg.ttl"
BASELINE = "lxml-parse"
STAGE = "read_labels"
STREAM = "read_label-stream"
LOAD = "label-stage"
PARTS = "label-stage-parts"
BUILD = "build"
CURATED = "build-curated"  # once per run, not per size: the build without labels
STAGES = {
    BASELINE: "lxml.etree.parse of every file (default parser), each tree dropped",
    STAGE: "read_labels(folder): every label read and returned at once",
    STREAM: "iter_labels(folder): one file at a time in name order, each label dropped before the next",
    LOAD: "the build's label stage: loaders.spl.load.load_labels(folder, LabelContext(...)), the context built as "
          "drugkg.build._load_labels builds it from data/ (not timed), the cyclic collector paused as in the build; "
          "keeps the N-Triples lines, the shared nodes' identity and one entry per label",
    PARTS: "the label stage's loop again, each part timed on its own: reading a file (iter_labels: parse and read "
           "into records), mapping the records to triples (label_triples), formatting each triple as an N-Triples "
           "line, and adding the lines to the line table; what bounds the label stage's throughput",
    BUILD: "the whole `drugkg build --labels FOLDER`: drugkg.build.build with data/ and the ontology into a "
           "temporary out folder (removed afterwards)",
}
THROUGHPUT_TARGET = 0.3  # the stage's labels per second against the baseline's: at least
FLAT_FACTOR, FLAT_SLACK_MB = 1.25, 16.0  # "flat": own peak at the largest size <= factor x smallest + slack
DEFAULT_BUILD_MAX = 1000  # the build is not run above this many labels (estimated instead)
PROGRESS = "progress: "  # a child's stderr line the parent passes on


def _progress(message: str) -> None:
    """A progress line from a child process; the parent shows it, prefixed with the size and stage."""
    print(PROGRESS + message, file=sys.stderr, flush=True)


def _malloc_trim() -> None:
    """Hand freed memory back to the operating system, as drugkg.build does after compiling (glibc only)."""
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


# ---------------------------------------------------------------------------------------------------------------
# one stage, in its own process
# ---------------------------------------------------------------------------------------------------------------


def run_stage(stage: str, folder: Path | None) -> dict:
    """Run one stage over ``folder`` in this process: its labels, errors, seconds and memory. Called in the child."""
    if stage == LOAD:
        return run_label_stage(folder)
    if stage == PARTS:
        return run_label_parts(folder)
    if stage in (BUILD, CURATED):
        return run_build(folder if stage == BUILD else None, stage)
    from lxml import etree

    from loaders.spl.read import iter_labels, read_labels

    gc.collect()
    start_rss_kb = bench_measure.status_kb("VmRSS")
    resettable = bench_measure._reset_peak()  # VmHWM from here is this stage's (plus what the process holds)
    started = time.perf_counter()
    errors: list[str] = []
    if stage == BASELINE:
        count = 0
        for path in sorted(folder.glob("*.xml"), key=lambda p: p.name):
            etree.parse(str(path))
            count += 1
    elif stage == STAGE:
        labels, found = read_labels(folder)
        count, errors = len(labels), [str(e) for e in found]
    elif stage == STREAM:
        count = 0
        for label, found in iter_labels(folder):
            count += label is not None
            errors.extend(str(e) for e in found)
    else:
        raise ValueError(f"unknown stage {stage!r}; known: {', '.join(STAGES)}")
    seconds = time.perf_counter() - started
    peak = bench_measure.peak_kb()
    return {"stage": stage, "labels": count, "errors": errors[:20], "error_count": len(errors), "seconds": seconds,
            "peak_mb": peak / 1024, "start_rss_mb": (start_rss_kb or 0) / 1024,
            "own_peak_mb": (peak - (start_rss_kb or 0)) / 1024, "peak_resettable": resettable}


def label_context():
    """The LabelContext the build gives load_labels, made as drugkg.build._load_labels makes it, from the curated
    data (compiled without labels)."""
    from drugkg.build import compile_graph
    from loaders.spl.load import label_context as build_label_context

    compiled = compile_graph(DATA, ONTOLOGY)
    return build_label_context(compiled.data.records, compiled.context)


def deep_size(root: object) -> int:
    """Bytes of ``root`` and of everything it holds (dicts, lists, tuples, sets, dataclasses), each object once."""
    seen: set[int] = set()
    total, todo = 0, [root]
    while todo:
        obj = todo.pop()
        if id(obj) in seen:
            continue
        seen.add(id(obj))
        total += sys.getsizeof(obj)
        if isinstance(obj, dict):
            todo.extend(obj.keys())
            todo.extend(obj.values())
        elif isinstance(obj, (list, tuple, set, frozenset)):
            todo.extend(obj)
        elif hasattr(obj, "__dict__") and not isinstance(obj, type):
            todo.append(vars(obj))
    return total


def output_bytes(loaded) -> int:
    """The size of what load_labels returns and the build keeps: every N-Triples line and the line table, and the
    tables of files, shared nodes, identifiers, warnings and errors (each object counted once)."""
    lines = loaded.lines
    size = sys.getsizeof(lines) + sum(map(sys.getsizeof, lines))  # the lines are distinct strings: no id table
    rest = [loaded.errors, loaded.warnings, loaded.files, loaded.shared, loaded.curies]
    return size + deep_size(rest) - sys.getsizeof(rest)


def run_label_stage(folder: Path) -> dict:
    """load_labels over ``folder``, as the build calls it: its time, peak memory, and the size of its output."""
    from loaders.spl.load import load_labels

    ctx = label_context()
    gc.collect()
    _malloc_trim()
    start_rss_kb = bench_measure.status_kb("VmRSS") or 0
    resettable = bench_measure._reset_peak()
    gc.disable()  # as compile_graph does around the loaders (drugkg.build._collector_paused)
    try:
        started = time.perf_counter()
        loaded = load_labels(folder, ctx, _progress)
        seconds = time.perf_counter() - started
        peak = bench_measure.peak_kb()
    finally:
        gc.enable()
    gc.collect()
    _malloc_trim()  # as the build does once compiling is done
    retained_kb = (bench_measure.status_kb("VmRSS") or 0) - start_rss_kb
    output = output_bytes(loaded) / 1024 / 1024
    table = sys.getsizeof(loaded.lines) / 1024 / 1024  # the line table alone (its hash table), in the output
    own = (peak - start_rss_kb) / 1024
    return {"stage": LOAD, "labels": loaded.count, "errors": [str(e) for e in loaded.errors[:20]],
            "error_count": len(loaded.errors), "seconds": seconds, "triples": len(loaded.lines),
            "claims": loaded.claims, "shared_nodes": len(loaded.shared), "warnings": len(loaded.warnings),
            "peak_mb": peak / 1024, "start_rss_mb": start_rss_kb / 1024, "own_peak_mb": own,
            "output_mb": output, "retained_mb": retained_kb / 1024, "beyond_output_mb": own - output,
            "line_table_mb": table, "transient_mb": own - retained_kb / 1024,
            "peak_resettable": resettable}


def run_label_parts(folder: Path) -> dict:
    """The loop of ``load_labels`` again, with each part timed apart (a few clock reads per label): where the label
    stage's time goes, and so the best throughput it could reach if the parts before the last ones cost nothing."""
    from loaders.spl.read import iter_labels
    from loaders.spl.triples import SharedNodes, label_triples

    ctx = label_context()
    shared = SharedNodes(ctx.base)
    lines: dict[str, None] = {}
    parts = dict.fromkeys(("read", "map", "format", "table"), 0.0)
    count, errors, triples_made = 0, [], 0
    clock = time.perf_counter

    def keep(make: Callable[[], list], since: float) -> int:
        """Make the triples (mapping), format them, add them to the table, each part's time added to ``parts``
        (mapping counted from ``since``); the number of triples made."""
        triples = make()
        t1 = clock()
        made = [f"{s} {p} {o} ." for s, p, o in triples]
        t2 = clock()
        lines.update(dict.fromkeys(made))
        t3 = clock()
        parts["map"] += t1 - since
        parts["format"] += t2 - t1
        parts["table"] += t3 - t2
        return len(triples)

    gc.collect()
    _malloc_trim()
    start_rss_kb = bench_measure.status_kb("VmRSS") or 0
    resettable = bench_measure._reset_peak()
    gc.disable()
    try:
        started = clock()
        labels = iter_labels(folder)
        while True:
            t0 = clock()
            item = next(labels, None)
            t1 = clock()
            parts["read"] += t1 - t0
            if item is None:
                break
            label, found = item
            errors.extend(str(e) for e in found)
            if label is not None:
                triples_made += keep(lambda: label_triples(label, ctx, shared)[0], t1)  # noqa: B023 - called at once
                count += 1
        triples_made += keep(lambda: list(shared.triples()), clock())
        seconds = clock() - started
        peak = bench_measure.peak_kb()
    finally:
        gc.enable()
    return {"stage": PARTS, "labels": count, "errors": errors[:20], "error_count": len(errors), "seconds": seconds,
            "parts_seconds": parts, "triples_made": triples_made, "triples": len(lines),
            "peak_mb": peak / 1024, "start_rss_mb": start_rss_kb / 1024,
            "own_peak_mb": (peak - start_rss_kb) / 1024, "peak_resettable": resettable}


def _build_stage_name(message: str, folder: Path | None) -> str:
    """A build progress message as a stage name that is the same at every size: no temporary path, no count."""
    if folder is not None:
        message = message.replace(str(folder), "LABELS")
    message = message.replace(str(DATA), "data").replace(str(ROOT) + os.sep, "")
    return re.sub(r"^loading [0-9]+ triples", "loading the triples", message)


def run_build(folder: Path | None, stage: str = BUILD) -> dict:
    """drugkg.build.build of data/ with the labels of ``folder`` (none: the curated data alone) into a temporary out
    folder: its time, labels, triples and peak memory, and each build stage's seconds and peak."""
    from drugkg.build import build

    meter = bench_measure.Meter()  # each build stage from its progress message to the next
    warnings = 0

    def progress(message: str) -> None:
        nonlocal warnings
        if message.startswith("warning: "):
            warnings += 1
            return
        if not message.startswith("labels: "):  # files read: within the stage that reads the labels
            meter.start(_build_stage_name(message, folder))
        _progress(message)

    with tempfile.TemporaryDirectory(prefix="drugkg-label-bench-build-") as tmp:
        gc.collect()
        start_rss_kb = bench_measure.status_kb("VmRSS") or 0
        started = time.perf_counter()
        meter.start("starting (imports)")
        compiled, _ = build(DATA, Path(tmp) / "dist", ONTOLOGY, progress=progress, labels=folder)
        meter.stop()
        seconds = time.perf_counter() - started
        written = sum(p.stat().st_size for p in Path(tmp).rglob("*") if p.is_file() and not p.is_symlink())
    stages = {name: entry for name, entry in meter.stages.items()
              if name != "starting (imports)" or entry["seconds"] > 0.05}
    peak_mb = max(entry["peak_mb"] for entry in meter.stages.values())  # each stage's VmHWM from its start
    counts = compiled.counts
    return {"stage": stage, "labels": counts["labels"], "errors": [], "error_count": 0, "seconds": seconds,
            "triples": counts["triples"], "claims": counts["claims"], "entities": counts["entities"],
            "warnings": warnings, "written_mb": written / 1e6, "peak_mb": peak_mb,
            "start_rss_mb": start_rss_kb / 1024, "own_peak_mb": peak_mb - start_rss_kb / 1024,
            "children_peak_mb": max(entry["children_peak_mb"] for entry in meter.stages.values()),
            "build_stages": stages, "peak_resettable": bench_measure.PEAK_RESETTABLE}


def worker(args: argparse.Namespace) -> int:
    sys.path.insert(0, str(ROOT))
    try:
        result = run_stage(args.worker, args.folder)
    except Exception:  # noqa: BLE001 - the parent reports it with the rest of the results
        result = {"stage": args.worker, "status": "failed", "error": traceback.format_exc()}
    bench_measure.write_json(args.result, result)
    return 0 if "error" not in result else 1


def measure(stage: str, folder: Path | None, result: Path, timeout: float | None, prefix: str = "") -> dict:
    """One stage in a fresh child process; its result, with the child's wall time. The child's progress lines go to
    stderr as they come, after ``prefix``."""
    argv = [sys.executable, str(Path(__file__).resolve()), "--worker", stage, "--result", str(result)]
    if folder is not None:
        argv += ["--folder", str(folder)]
    result.unlink(missing_ok=True)
    started = time.perf_counter()
    child = subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    tail: collections.deque[str] = collections.deque(maxlen=100)

    def pump() -> None:
        for line in child.stderr:
            if line.startswith(PROGRESS):
                print(f"{prefix}{stage}: {line[len(PROGRESS):].rstrip()}", file=sys.stderr, flush=True)
            else:
                tail.append(line)

    reader = threading.Thread(target=pump, daemon=True)
    reader.start()
    try:
        child.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        child.kill()
        child.wait()
        return {"stage": stage, "status": "failed", "error": f"stopped after --timeout {timeout:g} s"}
    finally:
        reader.join(timeout=10)
    try:
        entry = json.loads(result.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        entry = {"stage": stage, "status": "failed",
                 "error": f"no result written (exit {child.returncode}): {''.join(tail).strip()[-2000:]}"}
    entry.setdefault("status", "ok")
    entry["process_seconds"] = time.perf_counter() - started
    return entry


# ---------------------------------------------------------------------------------------------------------------
# one size, the summary
# ---------------------------------------------------------------------------------------------------------------


def _combine(runs: list[dict]) -> dict:
    """Several runs of one stage: the median seconds, the largest peaks, every run kept."""
    if any(r.get("status") != "ok" for r in runs):
        return next(r for r in runs if r.get("status") != "ok")
    entry = dict(runs[0])
    entry["seconds"] = statistics.median(r["seconds"] for r in runs)
    for key in ("peak_mb", "own_peak_mb", "beyond_output_mb", "transient_mb", "retained_mb",
                "children_peak_mb"):
        if key in entry:
            entry[key] = max(r[key] for r in runs)
    entry["runs_seconds"] = [r["seconds"] for r in runs]
    entry["labels_per_second"] = entry["labels"] / entry["seconds"] if entry["seconds"] > 0 else None
    return entry


def estimate_build(earlier: list[dict], n: int) -> dict | None:
    """The build at ``n`` labels, from the two largest sizes built: each figure on the straight line through them."""
    points = [(s["labels"], s["stages"][BUILD]) for s in earlier if s["stages"].get(BUILD, {}).get("status") == "ok"]
    if len(points) < 2:
        return None
    (n0, first), (n1, last) = points[-2:]

    def line(key: str) -> float:
        return last[key] + (last[key] - first[key]) / (n1 - n0) * (n - n1)

    seconds = line("seconds")
    return {"from_sizes": [n0, n1], "seconds": seconds, "labels_per_second": n / seconds if seconds > 0 else None,
            "peak_mb": line("peak_mb"), "triples": line("triples"), "written_mb": line("written_mb"),
            "children_peak_mb": max(first["children_peak_mb"], last["children_peak_mb"])}


def _summary(n: int, stage: str, entry: dict) -> str:
    text = (f"[{n} labels] {stage}: {num(entry['labels_per_second'])} labels/s in {num(entry['seconds'])} s, "
            f"peak {num(entry['peak_mb'])} MB (own {num(entry['own_peak_mb'])} MB)")
    if stage == LOAD:
        text += (f"; {entry['triples']:,} lines kept, {num(entry['output_mb'])} MB; own peak less that "
                 f"{num(entry['beyond_output_mb'])} MB")
    elif stage == BUILD:
        text += f"; {entry['triples']:,} triples, child processes {num(entry['children_peak_mb'])} MB"
    return text


def run_size(n: int, args: argparse.Namespace, raw: Path, earlier: list[dict]) -> dict:
    print(f"== {n} labels: writing the synthetic corpus (not timed)", file=sys.stderr, flush=True)
    size: dict = {"labels": n, "stages": {}, "errors": []}
    with tempfile.TemporaryDirectory(prefix=f"drugkg-label-bench-{n}-") as tmp:
        started = time.perf_counter()
        corpus = make_label_corpus(n, Path(tmp) / "labels", args.seed)
        mix: dict[str, int] = {}
        for path in corpus.files:
            mix[corpus.template_of(path)] = mix.get(corpus.template_of(path), 0) + 1
        size["corpus"] = {"seconds": time.perf_counter() - started, "files": len(corpus.files),
                          "bytes": sum(p.stat().st_size for p in corpus.files), "templates": mix, "seed": args.seed}
        for stage in STAGES:
            if stage == BUILD and n > args.build_max_size:
                estimate = estimate_build(earlier, n)
                size["stages"][stage] = {"stage": stage, "status": "skipped", "estimate": estimate,
                                         "reason": f"not run above --build-max-size {args.build_max_size:,}"}
                told = (f"estimated {num(estimate['seconds'])} s and a peak of {num(estimate['peak_mb'])} MB from "
                        f"{estimate['from_sizes'][0]:,} and {estimate['from_sizes'][1]:,} labels" if estimate
                        else "no estimate: fewer than two sizes built")
                print(f"[{n} labels] {stage}: not run above --build-max-size {args.build_max_size:,}; {told}",
                      file=sys.stderr, flush=True)
                continue
            runs = []
            for run in range(args.repeat):
                print(f"[{n} labels] {stage}" + (f" (run {run + 1} of {args.repeat})" if args.repeat > 1 else ""),
                      file=sys.stderr, flush=True)
                runs.append(measure(stage, corpus.out, raw / f"{n}-{stage}-{run}.json", args.timeout,
                                    f"[{n} labels] "))
            entry = size["stages"][stage] = _combine(runs)
            if entry.get("status") != "ok":
                size["errors"].append(f"{stage}: {entry.get('error', 'failed').strip().splitlines()[-1]}")
                print(f"[{n} labels] {stage} failed: {entry.get('error')}", file=sys.stderr, flush=True)
                continue
            if entry["labels"] != n or entry["error_count"]:
                size["errors"].append(f"{stage}: read {entry['labels']} of {n} labels, {entry['error_count']} "
                                      f"errors{': ' + entry['errors'][0] if entry['errors'] else ''}")
            print(_summary(n, stage, entry), file=sys.stderr, flush=True)
    base = size["stages"].get(BASELINE, {})
    size["throughput_ratio"] = {
        stage: (entry["labels_per_second"] / base["labels_per_second"]
                if entry.get("labels_per_second") and base.get("labels_per_second") else None)
        for stage, entry in size["stages"].items() if stage != BASELINE}
    return size


# (stage, figure, what it is, judged flat): the memory figures followed against the number of labels
MEMORY = [
    (BASELINE, "own_peak_mb", "own peak", True),
    (STAGE, "own_peak_mb", "own peak (keeps every record)", True),
    (STREAM, "own_peak_mb", "own peak", True),
    (LOAD, "own_peak_mb", "own peak (with its output)", False),
    (LOAD, "output_mb", "its output: the lines and tables it keeps", False),
    (LOAD, "beyond_output_mb", "own peak less its output", True),
    (LOAD, "transient_mb", "own peak less what it leaves resident", True),
    (BUILD, "peak_mb", "peak of the process (the graph grows)", False),
]


def memory_growth(sizes: list[dict]) -> dict:
    """Each memory figure at each size, its growth per label between the two ends, and (where judged) whether it is
    flat."""
    growth = {}
    for stage, key, what, judged in MEMORY:
        points = [(s["labels"], s["stages"][stage][key]) for s in sizes
                  if s["stages"].get(stage, {}).get("status") == "ok" and key in s["stages"][stage]]
        entry: dict = {"stage": stage, "figure": key, "what": what, "judged": judged,
                       "mb": {str(n): mb for n, mb in points}}
        if len(points) >= 2:
            (n0, m0), (n1, m1) = points[0], points[-1]
            entry["kb_per_label"] = (m1 - m0) * 1024 / (n1 - n0)
            entry["from_to"] = [n0, n1]
            if judged:
                entry["flat"] = m1 <= FLAT_FACTOR * m0 + FLAT_SLACK_MB
        growth[f"{stage}: {what}"] = entry
    return growth


def _largest(results: dict, stage: str) -> dict | None:
    """The largest size at which ``stage`` ran."""
    done = [s for s in results["sizes"] if s["stages"].get(stage, {}).get("labels_per_second")]
    return done[-1] if done else None


def targets(results: dict) -> list[dict]:
    """The issue's goals, each judged at the largest size its stage ran (a miss is reported, not an error), and the
    build's figures beside them (reported, no target)."""
    found = []
    for stage in (STAGE, STREAM, LOAD, BUILD):
        size = _largest(results, stage)
        if size is None:
            continue
        ratio = size["throughput_ratio"].get(stage)
        entry, base = size["stages"][stage], size["stages"].get(BASELINE, {})
        judged = stage != BUILD
        detail = (f"{num(entry.get('labels_per_second'))} against {num(base.get('labels_per_second'))} labels/s "
                  f"at {size['labels']:,} labels")
        curated = results.get("build_curated") or {}
        if stage == BUILD and curated.get("status") == "ok" and entry["seconds"] > curated["seconds"]:
            extra = size["labels"] / (entry["seconds"] - curated["seconds"])
            detail += (f"; beyond the {num(curated['seconds'])} s of the data/-only build, {num(extra)} labels/s "
                       f"({num(extra / base['labels_per_second'])}×)")
        found.append({
            "target": f"{stage} throughput against lxml.etree.parse",
            "limit": f"≥ {THROUGHPUT_TARGET:g}×" if judged else "reported (no target)",
            "measured": f"{num(ratio)}×" if ratio is not None else "–",
            "ok": None if ratio is None or not judged else ratio >= THROUGHPUT_TARGET, "labels": size["labels"],
            "detail": detail})
    found += _ceilings(results)
    for growth in results["memory"].values():
        stage = growth["stage"]
        if stage == BASELINE or (not growth["judged"] and stage != BUILD):
            continue
        if "from_to" in growth:
            n0, n1 = growth["from_to"]
            detail = (f"{num(growth['mb'][str(n0)])} MB at {n0:,} labels, {num(growth['mb'][str(n1)])} MB at {n1:,}; "
                      f"{num(growth['kb_per_label'])} kB per label")
            if stage == LOAD:
                out = results["memory"][f"{LOAD}: its output: the lines and tables it keeps"]
                detail += (f" (its output: {num(out['mb'][str(n1)])} MB at {n1:,}, "
                           f"{num(out['kb_per_label'])} kB per label)")
        else:
            detail = "one size run: not judged"
        flat = growth.get("flat")
        found.append({
            "target": f"{stage}: {growth['what']} flat in the number of labels" if growth["judged"]
            else f"{stage}: {growth['what']}",
            "limit": f"largest ≤ {FLAT_FACTOR:g}× smallest + {FLAT_SLACK_MB:g} MB" if growth["judged"]
            else "reported (no target)",
            "ok": flat if growth["judged"] else None,
            "measured": {True: "flat", False: "grows", None: "–"}[flat] if growth["judged"]
            else (f"{num(growth['kb_per_label'])} kB per label" if "kb_per_label" in growth else "–"),
            "labels": growth.get("from_to", [None, None])[1], "detail": detail})
    return found


def _ceilings(results: dict) -> list[dict]:
    """The label stage's best throughput against the baseline if its first parts cost nothing: from the parts' own
    seconds at the largest size they ran (reported, no target)."""
    size = _largest(results, PARTS)
    if size is None or not size["stages"].get(BASELINE, {}).get("labels_per_second"):
        return []
    parts = size["stages"][PARTS]["parts_seconds"]
    baseline = size["labels"] / size["stages"][BASELINE]["labels_per_second"]
    shares = ", ".join(f"{name} {num(seconds)} s" for name, seconds in parts.items())
    found = []
    for free, rest in ((("read",), ("map", "format", "table")), (("read", "map"), ("format", "table"))):
        ratio = baseline / (baseline + sum(parts[name] for name in rest))
        found.append({
            "target": f"label-stage throughput against lxml.etree.parse if {' and '.join(free)} cost no more than "
                      "the baseline's parse",
            "limit": "reported (no target)", "measured": f"{num(ratio)}×", "ok": None, "labels": size["labels"],
            "detail": f"the baseline's {num(baseline)} s plus {' + '.join(rest)}; the parts at {size['labels']:,} "
                      f"labels: {shares}"})
    return found


# ---------------------------------------------------------------------------------------------------------------
# outputs
# ---------------------------------------------------------------------------------------------------------------


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    return (["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
            + ["| " + " | ".join(row) + " |" for row in rows] + [""])


def _verdict(ok: bool | None) -> str:
    return {True: "**pass**", False: "**miss**", None: "–"}[ok]


def markdown(results: dict) -> str:
    machine = results["machine"]
    sizes = results["sizes"]
    largest = sizes[-1]["labels"] if sizes else 0
    lines = ["# drugkg label benchmark: reading, the label stage, the build", "",
             f"Run {results['date']} with `{' '.join(results['command'])}`, on {machine['cpu']} ({machine['cores']} "
             f"cores, {machine['ram_gb']} GB RAM), Python {machine['python']}, lxml {results['lxml']}; drugkg commit "
             f"{machine['drugkg_commit']}. Synthetic labels (`benchmarks/label_corpus.py`, seed "
             f"{results['options']['seed']}: copies of {', '.join(TEMPLATES)} in turn, fresh UUIDs, synthetic NDCs); "
             "each stage in a fresh process; every ratio compares figures from this one run. The machine may be "
             "shared: read the ratios, not the seconds.", ""]
    found = results.get("targets") or []
    if found:
        lines += [f"## Targets and figures (each at the largest size its stage ran; sizes up to {largest:,} labels)", ""]
        lines += _table(["target", "limit", "measured", "result", "detail"], [
            [t["target"], t["limit"], t["measured"], _verdict(t["ok"]), t["detail"]] for t in found])
    lines += ["## Stages", ""] + [f"- `{name}`: {what}" for name, what in STAGES.items()] + [""]
    lines += ["Labels per second from the median of the runs; peak: the child's `VmHWM` during the timed part (for "
              "the build, the largest of its stages' peaks, each reset at the stage's start); own: that peak less the "
              "process's resident size before the timed part (after its imports; for the label stage, after the "
              "curated data it needs was compiled).", ""]
    rows = []
    for size in sizes:
        for stage, entry in size["stages"].items():
            if entry.get("status") == "skipped":
                estimate = entry.get("estimate")
                rows.append([f"{size['labels']:,}", f"`{stage}`", "not run", "", "", "", "", ""] if not estimate else
                            [f"{size['labels']:,}", f"`{stage}` (estimate, not run)", f"~{num(estimate['seconds'])}",
                             f"~{num(estimate['labels_per_second'])}", "", f"~{estimate['triples']:,.0f}",
                             f"~{num(estimate['peak_mb'])}", ""])
                continue
            if entry.get("status") != "ok":
                rows.append([f"{size['labels']:,}", f"`{stage}`", "failed", "", "", "", "", ""])
                continue
            ratio = size["throughput_ratio"].get(stage)
            rows.append([f"{size['labels']:,}", f"`{stage}`", num(entry["seconds"]), num(entry["labels_per_second"]),
                         "1 (baseline)" if stage == BASELINE else f"{num(ratio)}×",
                         f"{entry['triples']:,}" if "triples" in entry else "", num(entry["peak_mb"]),
                         num(entry["own_peak_mb"])])
    lines += _table(["labels", "stage", "seconds", "labels/s", "throughput against lxml", "triples", "peak MB",
                     "own MB"], rows)
    rows = []
    for size in sizes:
        entry, base = size["stages"].get(PARTS, {}), size["stages"].get(BASELINE, {})
        if entry.get("status") == "ok" and base.get("labels_per_second"):
            parts = entry["parts_seconds"]
            rows.append([f"{size['labels']:,}", num(size["labels"] / base["labels_per_second"])]
                        + [f"{num(parts[name])} ({num(100 * parts[name] / entry['seconds'])}%)" for name in parts]
                        + [num(1e6 * parts["format"] / max(1, entry["triples_made"]))])
    if rows:
        lines += [f"## Where the label stage's time goes (`{PARTS}`)", "",
                  "Seconds of each part of the label stage's loop, timed apart, with its share of the loop; the "
                  "baseline's seconds for the same files beside them. Reading includes lxml's parse (hardened: no "
                  "entities, no DTD, no network).", ""]
        lines += _table(["labels", "lxml-parse s", "read s", "map s", "format s", "table s",
                         "µs to format one triple"], rows)
    lines += ["## The label stage's memory and its output", "",
              "Output: `sys.getsizeof` of every N-Triples line it keeps, of the line table and of the other tables "
              "(files, shared nodes, identifiers, warnings), each object once; this is the graph's share, which the "
              "build keeps. Retained: the resident size after the stage, less that before it (after a "
              "`malloc_trim`, as the build does), which adds the allocator's rounding to the output. Beyond output: "
              "the own peak less the output, what the stage needs besides what it returns. Transient: the own peak "
              "less the retained size, what the stage held only while it ran. Line table: the hash table of the "
              "line dict, part of the output; when it grows Python copies it into one twice its size, so for a "
              "moment the old one (half the final table) is held too, and the allocator rounds each line up: two "
              "costs of the output that grow with it.", ""]
    rows = []
    for size in sizes:
        entry = size["stages"].get(LOAD, {})
        if entry.get("status") == "ok":
            rows.append([f"{size['labels']:,}", f"{entry['triples']:,}", num(entry["own_peak_mb"]),
                         num(entry["output_mb"]), num(entry["output_mb"] * 1024 / max(1, entry["labels"])),
                         num(entry["retained_mb"]), num(entry["line_table_mb"]), num(entry["beyond_output_mb"]),
                         num(entry["transient_mb"])])
    lines += _table(["labels", "lines kept", "own peak MB", "output MB", "output kB per label", "retained MB",
                     "line table MB", "beyond output MB", "transient MB"], rows)
    lines += ["## Memory against the number of labels", ""]
    numbers = [s["labels"] for s in sizes]
    rows = []
    for growth in results["memory"].values():
        verdict = {True: "flat", False: "grows", None: "–"}[growth.get("flat")] if growth["judged"] else "not judged"
        rows.append([f"`{growth['stage']}`", growth["what"]] + [num(growth["mb"].get(str(n))) for n in numbers]
                    + [num(growth.get("kb_per_label")), verdict])
    lines += _table(["stage", "figure"] + [f"MB at {n:,}" for n in numbers] + ["kB per label", "verdict"], rows)
    lines += _build_tables(results)
    lines += ["## Corpora", ""]
    lines += _table(["labels", "MB on disk", "written in s (not timed)", "copies of each template"], [
        [f"{s['labels']:,}", num(s["corpus"]["bytes"] / 1e6), num(s["corpus"]["seconds"]),
         ", ".join(f"{k} {v}" for k, v in s["corpus"]["templates"].items())] for s in sizes])
    errors = [f"{s['labels']:,} labels: {e}" for s in sizes for e in s["errors"]]
    errors += [f"{CURATED}: {e}" for e in results.get("build_curated", {}).get("errors_found", [])]
    if errors:
        lines += ["## Errors", ""] + [f"- {e}" for e in errors] + [""]
    return "\n".join(lines)


def _build_tables(results: dict) -> list[str]:
    """The build stage by stage at every size built (and the curated data alone), and the estimates."""
    built = [s for s in results["sizes"] if s["stages"].get(BUILD, {}).get("status") == "ok"]
    curated = results.get("build_curated") or {}
    columns = ([("data/ only", curated)] if curated.get("status") == "ok" else []) + [
        (f"{s['labels']:,} labels", s["stages"][BUILD]) for s in built]
    if not columns:
        return []
    names = list(columns[-1][1]["build_stages"])  # in the order of the largest build, then any other
    for _, entry in columns:
        names += [name for name in entry["build_stages"] if name not in names]
    last = columns[-1][1]
    lines = ["## The build, stage by stage", "",
             "Each build stage from its progress message to the next (so `reading the labels` also sorts and joins "
             "every line of the graph); seconds at each size, then the share of the time and the peaks at the largest "
             f"size built. The curated data alone (`data/ only`): {curated.get('triples', 0):,} triples." if curated
             else "", ""]
    rows = []
    for name in names:
        entry = last["build_stages"].get(name)
        rows.append([name] + [num(e["build_stages"][name]["seconds"]) if name in e["build_stages"] else ""
                              for _, e in columns]
                    + [f"{100 * entry['seconds'] / last['seconds']:.0f}%" if entry else "",
                       num(entry["peak_mb"]) if entry else "", num(entry["children_peak_mb"]) if entry else ""])
    rows.append(["**whole build**"] + [num(e["seconds"]) for _, e in columns]
                + ["100%", num(last["peak_mb"]), num(last["children_peak_mb"])])
    lines += _table(["build stage"] + [f"s, {c}" for c, _ in columns]
                    + [f"share at {columns[-1][0]}", "peak MB", "child processes MB"], rows)
    skipped = [s for s in results["sizes"] if s["stages"].get(BUILD, {}).get("status") == "skipped"]
    if skipped:
        lines += ["Builds not run (`--build-max-size`), estimated on the straight line through the two largest sizes "
                  "built: a lower bound if any part grows faster than the number of labels (sorting the lines does).",
                  ""]
        lines += _table(["labels", "from sizes", "seconds", "peak MB", "triples", "written MB"], [
            [f"{s['labels']:,}", " and ".join(f"{n:,}" for n in e["from_sizes"]), f"~{num(e['seconds'])}",
             f"~{num(e['peak_mb'])}", f"~{e['triples']:,.0f}", f"~{num(e['written_mb'])}"]
            for s in skipped if (e := s["stages"][BUILD].get("estimate"))])
    return lines


def write_all(results: dict, out: Path) -> None:
    """results.json and results.md in ``out``, each written whole or not at all."""
    bench_measure.write_json(out / "results.json", results)
    partial = out / "results.md.partial"
    partial.write_text(markdown(results), encoding="utf-8")
    os.replace(partial, out / "results.md")


# ---------------------------------------------------------------------------------------------------------------
# the command
# ---------------------------------------------------------------------------------------------------------------


def _sizes(text: str) -> list[int]:
    try:
        sizes = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a comma-separated list of numbers, e.g. 10,100,1000") from None
    if not sizes or any(n < 1 for n in sizes):
        raise argparse.ArgumentTypeError("give one or more sizes of at least 1 label, e.g. 10,100,1000")
    return sorted(set(sizes))


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Time the SPL label reader, the build's label stage and the whole build against a plain lxml "
                    "parse on synthetic label corpora.",
        epilog="example: python benchmarks/labels.py --sizes 10,100,1000 --out /tmp/label-bench",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=_sizes, default=[10, 100, 1000],
                        help="numbers of labels, comma-separated (default 10,100,1000: about 3 minutes on 2 cores, "
                             "3 GB at the peak; 10000 adds about 10 minutes, 8 GB and 2 GB of temporary disk, the "
                             "build left out by --build-max-size)")
    parser.add_argument("--build-max-size", type=int, default=DEFAULT_BUILD_MAX,
                        help=f"the whole build is run only up to this many labels (default {DEFAULT_BUILD_MAX:,}); "
                             "above, its time and memory are estimated from the two largest sizes built")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT,
                        help=f"results folder (default {DEFAULT_OUT.relative_to(ROOT)})")
    parser.add_argument("--seed", type=int, default=0, help="the corpus seed (default 0)")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each stage, each in a fresh process; the "
                        "median seconds and the largest peak are reported (default 1)")
    parser.add_argument("--timeout", type=float, default=3600, help="seconds one stage may take (default 3600)")
    parser.add_argument("--worker", choices=sorted([*STAGES, CURATED]), help=argparse.SUPPRESS)
    parser.add_argument("--folder", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be 1 or more")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.worker:
        return worker(args)
    from lxml import etree

    out = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    results: dict = {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "command": ["benchmarks/labels.py", *(sys.argv[1:] if argv is None else argv)],
        "options": {"sizes": args.sizes, "seed": args.seed, "repeat": args.repeat, "timeout_seconds": args.timeout,
                    "build_max_size": args.build_max_size, "templates": list(TEMPLATES),
                    "templates_folder": str(SHARED_LABELS)},
        "machine": bench_measure.machine(ROOT, None),
        "lxml": ".".join(map(str, etree.LXML_VERSION)), "libxml2": ".".join(map(str, etree.LIBXML_VERSION)),
        "stages": STAGES,
        "targets_defined": {"throughput_ratio_at_least": THROUGHPUT_TARGET,
                            "memory_flat": {"factor": FLAT_FACTOR, "slack_mb": FLAT_SLACK_MB,
                                            "label_stage_figure": "own peak less its output"}},
        "sizes": [],
    }
    errors: list[str] = []
    with tempfile.TemporaryDirectory(prefix="drugkg-label-bench-raw-") as raw:
        if any(n <= args.build_max_size for n in args.sizes):
            print(f"== the curated data alone: {CURATED} (the build's fixed part)", file=sys.stderr, flush=True)
            curated = results["build_curated"] = measure(CURATED, None, Path(raw) / "curated.json", args.timeout,
                                                         "[data/ only] ")
            if curated.get("status") != "ok":
                errors.append(f"{CURATED}: {curated.get('error', 'failed').strip().splitlines()[-1]}")
                print(f"{CURATED} failed: {curated.get('error')}", file=sys.stderr, flush=True)
            else:
                print(f"[data/ only] {CURATED}: {num(curated['seconds'])} s, {curated['triples']:,} triples, peak "
                      f"{num(curated['peak_mb'])} MB", file=sys.stderr, flush=True)
        for n in args.sizes:
            results["sizes"].append(run_size(n, args, Path(raw), results["sizes"]))
            results["memory"] = memory_growth(results["sizes"])
            results["targets"] = targets(results)
            results["seconds"] = time.perf_counter() - started
            write_all(results, out)
    errors += [f"{s['labels']} labels: {e}" for s in results["sizes"] for e in s["errors"]]
    print(f"wrote {out / 'results.md'} and results.json in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    for target in results["targets"]:
        verdict = {True: "pass", False: "miss", None: "-"}[target["ok"]]
        print(f"{verdict}: {target['target']}: {target['measured']} ({target['limit']}; {target['detail']})",
              file=sys.stderr)
    for error in errors:
        print(f"benchmark error: {error}", file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
