"""Time the label reading stage (loaders/spl/read.py) against a plain lxml parse, on synthetic SPL corpora.

For each size (``--sizes``, numbers of labels) a synthetic corpus is written into a temporary folder
(``label_corpus.make_label_corpus``: copies of the five shared labels with fresh ids and synthetic NDCs; not timed),
then each stage runs in a fresh child process of its own, so that its time and peak memory are its own:

- ``lxml-parse`` (the baseline): ``lxml.etree.parse`` of every file with lxml's default parser, the tree dropped;
- ``read_labels`` (the label stage): ``read_labels(folder)``, which returns every record at once;
- ``read_label-stream``: ``iter_labels(folder)``, which reads one file at a time in name order, each label dropped
  before the next: what a streaming build would do, so the stage's own memory can stay flat in the number of labels.

Each reports labels per second and its peak resident memory (``VmHWM`` of the child, from ``/proc/self/status``,
reset just before the timed loop) and its own part of it (the peak less the resident size after its imports).
The targets (issue "Real drug labels", speed and scale) are ratios within this run: the stage's throughput at least
0.3x the baseline's, and the stage's own memory flat in the number of labels (here: its own peak at the largest size
at most 1.25x that at the smallest, plus 16 MB for allocator slack). ``read_labels`` keeps every record, so its memory
grows by design; it is reported as it is, next to the streaming loop.

Outputs in ``--out`` (default ``benchmarks/latest/labels``): ``results.json`` (every figure, the options, the
machine) and ``results.md``. Progress goes to stderr. Exit 0 when every stage read every label, 1 when a stage failed
or read a label with an error (a benchmark error: a missed target is reported, not an error), 2 on bad usage.

Example::

    python benchmarks/labels.py --sizes 10,100,1000 --out /tmp/label-bench
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import bench_measure  # noqa: E402  (benchmarks/ is not a package: run as a script)
from bench_report import num  # noqa: E402
from label_corpus import SHARED_LABELS, TEMPLATES, make_label_corpus  # noqa: E402

DEFAULT_OUT = HERE / "latest" / "labels"
BASELINE = "lxml-parse"
STAGE = "read_labels"
STREAM = "read_label-stream"
STAGES = {
    BASELINE: "lxml.etree.parse of every file (default parser), each tree dropped",
    STAGE: "read_labels(folder): every label read and returned at once",
    STREAM: "iter_labels(folder): one file at a time in name order, each label dropped before the next",
}
THROUGHPUT_TARGET = 0.3  # the stage's labels per second against the baseline's: at least
FLAT_FACTOR, FLAT_SLACK_MB = 1.25, 16.0  # "flat": own peak at the largest size <= factor x smallest + slack


# ---------------------------------------------------------------------------------------------------------------
# one stage, in its own process
# ---------------------------------------------------------------------------------------------------------------


def run_stage(stage: str, folder: Path) -> dict:
    """Run one stage over ``folder`` in this process: its labels, errors, seconds and memory. Called in the child."""
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


def worker(args: argparse.Namespace) -> int:
    sys.path.insert(0, str(ROOT))
    try:
        result = run_stage(args.worker, args.folder)
    except Exception:  # noqa: BLE001 - the parent reports it with the rest of the results
        result = {"stage": args.worker, "status": "failed", "error": traceback.format_exc()}
    bench_measure.write_json(args.result, result)
    return 0 if "error" not in result else 1


def measure(stage: str, folder: Path, result: Path, timeout: float | None) -> dict:
    """One stage in a fresh child process; its result, with the child's wall time."""
    argv = [sys.executable, str(Path(__file__).resolve()), "--worker", stage, "--folder", str(folder),
            "--result", str(result)]
    result.unlink(missing_ok=True)
    started = time.perf_counter()
    try:
        done = subprocess.run(argv, cwd=ROOT, timeout=timeout, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                              text=True)
    except subprocess.TimeoutExpired:
        return {"stage": stage, "status": "failed", "error": f"stopped after --timeout {timeout:g} s"}
    try:
        entry = json.loads(result.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        entry = {"stage": stage, "status": "failed",
                 "error": f"no result written (exit {done.returncode}): {done.stderr.strip()[-2000:]}"}
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
    for key in ("peak_mb", "own_peak_mb"):
        entry[key] = max(r[key] for r in runs)
    entry["runs_seconds"] = [r["seconds"] for r in runs]
    entry["labels_per_second"] = entry["labels"] / entry["seconds"] if entry["seconds"] > 0 else None
    return entry


def run_size(n: int, args: argparse.Namespace, raw: Path) -> dict:
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
            runs = []
            for run in range(args.repeat):
                print(f"[{n} labels] {stage}" + (f" (run {run + 1} of {args.repeat})" if args.repeat > 1 else ""),
                      file=sys.stderr, flush=True)
                runs.append(measure(stage, corpus.out, raw / f"{n}-{stage}-{run}.json", args.timeout))
            entry = size["stages"][stage] = _combine(runs)
            if entry.get("status") != "ok":
                size["errors"].append(f"{stage}: {entry.get('error', 'failed').strip().splitlines()[-1]}")
                print(f"[{n} labels] {stage} failed: {entry.get('error')}", file=sys.stderr, flush=True)
                continue
            if entry["labels"] != n or entry["error_count"]:
                size["errors"].append(f"{stage}: read {entry['labels']} of {n} labels, {entry['error_count']} "
                                      f"errors{': ' + entry['errors'][0] if entry['errors'] else ''}")
            print(f"[{n} labels] {stage}: {num(entry['labels_per_second'])} labels/s, peak {num(entry['peak_mb'])} MB "
                  f"(own {num(entry['own_peak_mb'])} MB)", file=sys.stderr, flush=True)
    base = size["stages"].get(BASELINE, {})
    size["throughput_ratio"] = {
        stage: (entry["labels_per_second"] / base["labels_per_second"]
                if entry.get("labels_per_second") and base.get("labels_per_second") else None)
        for stage, entry in size["stages"].items() if stage != BASELINE}
    return size


def memory_growth(sizes: list[dict]) -> dict:
    """Per stage: the own peak at each size, the growth per label between the two ends, and whether it is flat."""
    growth = {}
    done = [s for s in sizes if s["stages"]]
    for stage in STAGES:
        points = [(s["labels"], s["stages"][stage]["own_peak_mb"]) for s in done
                  if s["stages"].get(stage, {}).get("status") == "ok"]
        entry: dict = {"own_peak_mb": {str(n): mb for n, mb in points}}
        if len(points) >= 2:
            (n0, m0), (n1, m1) = points[0], points[-1]
            entry["kb_per_label"] = (m1 - m0) * 1024 / (n1 - n0) if n1 != n0 else None
            entry["flat"] = m1 <= FLAT_FACTOR * m0 + FLAT_SLACK_MB
            entry["from_to"] = [n0, n1]
        growth[stage] = entry
    return growth


def targets(results: dict) -> list[dict]:
    """The issue's two goals, judged at the largest size run (a miss is reported, not an error)."""
    done = [s for s in results["sizes"] if s["throughput_ratio"]]
    if not done:
        return []
    largest = done[-1]
    found = []
    for stage in (STAGE, STREAM):
        ratio = largest["throughput_ratio"].get(stage)
        entry, base = largest["stages"].get(stage, {}), largest["stages"].get(BASELINE, {})
        found.append({
            "target": f"{stage} throughput against lxml.etree.parse", "limit": f"≥ {THROUGHPUT_TARGET:g}×",
            "measured": f"{num(ratio)}×" if ratio is not None else "–",
            "ok": None if ratio is None else ratio >= THROUGHPUT_TARGET, "labels": largest["labels"],
            "detail": f"{num(entry.get('labels_per_second'))} against {num(base.get('labels_per_second'))} labels/s"})
    for stage in (STAGE, STREAM):
        growth = results["memory"].get(stage, {})
        flat = growth.get("flat")
        if "from_to" in growth:
            n0, n1 = growth["from_to"]
            detail = (f"own peak {num(growth['own_peak_mb'][str(n0)])} MB at {n0:,} labels, "
                      f"{num(growth['own_peak_mb'][str(n1)])} MB at {n1:,}; {num(growth['kb_per_label'])} kB per label")
        else:
            detail = "one size run: not judged"
        found.append({
            "target": f"{stage}: own peak memory flat in the number of labels",
            "limit": f"largest ≤ {FLAT_FACTOR:g}× smallest + {FLAT_SLACK_MB:g} MB", "ok": flat,
            "measured": {True: "flat", False: "grows", None: "–"}[flat], "labels": largest["labels"], "detail": detail})
    return found


# ---------------------------------------------------------------------------------------------------------------
# outputs
# ---------------------------------------------------------------------------------------------------------------


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    return (["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
            + ["| " + " | ".join(row) + " |" for row in rows] + [""])


def markdown(results: dict) -> str:
    machine = results["machine"]
    lines = ["# drugkg label reading benchmark", "",
             f"Run {results['date']} with `{' '.join(results['command'])}`, on {machine['cpu']} ({machine['cores']} "
             f"cores, {machine['ram_gb']} GB RAM), Python {machine['python']}, lxml {results['lxml']}; drugkg commit "
             f"{machine['drugkg_commit']}. Synthetic labels (`benchmarks/label_corpus.py`, seed "
             f"{results['options']['seed']}: copies of {', '.join(TEMPLATES)} in turn, fresh UUIDs, synthetic NDCs); "
             "each stage in a fresh process; every ratio compares figures from this one run. The machine may be "
             "shared: read the ratios, not the seconds.", ""]
    found = results.get("targets") or []
    if found:
        lines += [f"## Targets (at {found[0]['labels']:,} labels, the largest size run)", ""]
        lines += _table(["target", "limit", "measured", "result", "detail"], [
            [t["target"], t["limit"], t["measured"], {True: "**pass**", False: "**miss**", None: "–"}[t["ok"]],
             t["detail"]] for t in found])
    lines += ["## Stages", ""] + [f"- `{name}`: {what}" for name, what in STAGES.items()] + [""]
    lines += ["Labels per second from the median of the runs; peak: the child's `VmHWM` during the timed loop; own: that "
              "peak less the process's resident size after its imports.", ""]
    rows = []
    for size in results["sizes"]:
        for stage, entry in size["stages"].items():
            if entry.get("status") != "ok":
                rows.append([f"{size['labels']:,}", f"`{stage}`", "failed", "", "", "", ""])
                continue
            ratio = size["throughput_ratio"].get(stage)
            rows.append([f"{size['labels']:,}", f"`{stage}`", num(entry["seconds"]), num(entry["labels_per_second"]),
                         "1 (baseline)" if stage == BASELINE else f"{num(ratio)}×", num(entry["peak_mb"]),
                         num(entry["own_peak_mb"])])
    lines += _table(["labels", "stage", "seconds", "labels/s", "throughput against lxml", "peak MB", "own MB"], rows)
    lines += ["## Memory against the number of labels", ""]
    sizes = [s["labels"] for s in results["sizes"]]
    rows = []
    for stage, growth in results["memory"].items():
        rows.append([f"`{stage}`"] + [num(growth["own_peak_mb"].get(str(n))) for n in sizes]
                    + [num(growth.get("kb_per_label")), {True: "flat", False: "grows", None: "–"}[growth.get("flat")]])
    lines += _table(["stage"] + [f"own MB at {n:,}" for n in sizes] + ["kB per label", "verdict"], rows)
    lines += ["## Corpora", ""]
    lines += _table(["labels", "MB on disk", "written in s (not timed)", "copies of each template"], [
        [f"{s['labels']:,}", num(s["corpus"]["bytes"] / 1e6), num(s["corpus"]["seconds"]),
         ", ".join(f"{k} {v}" for k, v in s["corpus"]["templates"].items())] for s in results["sizes"]])
    errors = [f"{s['labels']:,} labels: {e}" for s in results["sizes"] for e in s["errors"]]
    if errors:
        lines += ["## Errors", ""] + [f"- {e}" for e in errors] + [""]
    return "\n".join(lines)


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
        description="Time the SPL label reading stage against a plain lxml parse on synthetic label corpora.",
        epilog="example: python benchmarks/labels.py --sizes 10,100,1000 --out /tmp/label-bench",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=_sizes, default=[10, 100, 1000],
                        help="numbers of labels, comma-separated (default 10,100,1000; 10000 adds about 8 minutes "
                             "on 2 cores and 2 GB of temporary disk)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT,
                        help=f"results folder (default {DEFAULT_OUT.relative_to(ROOT)})")
    parser.add_argument("--seed", type=int, default=0, help="the corpus seed (default 0)")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each stage, each in a fresh process; the "
                        "median seconds and the largest peak are reported (default 1)")
    parser.add_argument("--timeout", type=float, default=3600, help="seconds one stage may take (default 3600)")
    parser.add_argument("--worker", choices=sorted(STAGES), help=argparse.SUPPRESS)
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
                    "templates": list(TEMPLATES), "templates_folder": str(SHARED_LABELS)},
        "machine": bench_measure.machine(ROOT, None),
        "lxml": ".".join(map(str, etree.LXML_VERSION)), "libxml2": ".".join(map(str, etree.LIBXML_VERSION)),
        "stages": STAGES,
        "targets_defined": {"throughput_ratio_at_least": THROUGHPUT_TARGET,
                            "memory_flat": {"factor": FLAT_FACTOR, "slack_mb": FLAT_SLACK_MB}},
        "sizes": [],
    }
    with tempfile.TemporaryDirectory(prefix="drugkg-label-bench-raw-") as raw:
        for n in args.sizes:
            results["sizes"].append(run_size(n, args, Path(raw)))
            results["memory"] = memory_growth(results["sizes"])
            results["targets"] = targets(results)
            results["seconds"] = time.perf_counter() - started
            write_all(results, out)
    errors = [f"{s['labels']} labels: {e}" for s in results["sizes"] for e in s["errors"]]
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
