"""The benchmark: drugkg's build, saved queries and server against rdflib and pyoxigraph, at several corpus sizes.

For each size (a number of synthetic drugs, see ``corpus.py``) it writes the corpus (or reuses the one written by the
same arguments under ``OUT/corpus-N``), then runs each stack in its own fresh process, so that each one's time and
peak memory are its own:

- ``drugkg``: ``drugkg build`` (compile, store, checks, SHACL, reasoning, exports, each timed with its peak
  memory), the four export formats timed on their own, and every saved query (median and 95th percentile over
  ``--repeat`` runs after a warm-up), with parameters bound to entities of the synthetic corpus;
- ``pyoxigraph`` (the practical limit): the exported files in an in-memory store, the same query texts, the four
  formats serialized;
- ``rdflib`` (the naive way): the same on rdflib's in-memory Dataset and SPARQL engine (up to --rdflib-max-size);
- ``server``: ``drugkg serve`` and the Oxigraph server (its memory store) on the same data under the same bounded load;
- ``cli``: every saved query as a one-off ``drugkg query`` in a fresh process, on the on-disk store;
- ``rebuild``: a build over a previous one after one data file was edited, against a full build of the edited data
  into a fresh folder, and the two outputs compared.

It also times the CLI's start-up (``drugkg queries`` against ``python -c "import pyoxigraph"``), checks that every
stack gives every query the same number of rows (a difference is a benchmark error: exit 1), stops a stack whose
processes pass --memory-cap (reported with its peak and stage, not an error), and writes ``OUT/results.json`` (every
figure, the machine and the versions), ``OUT/results.md`` (the targets at the largest size, as ratios within this run,
then one table per size) and ``OUT/plot.png`` (time and memory against size). benchmarks/README.md says how each
target's figures are measured.

Example::

    python benchmarks/run.py --sizes 10,100 --repeat 5 --out /tmp/bench
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import time
import traceback
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import bench_measure  # noqa: E402  (benchmarks/ is not a package: run as a script)
import bench_report  # noqa: E402
import bench_stacks  # noqa: E402

STACKS = ("drugkg", "pyoxigraph", "rdflib", "server", "cli", "rebuild")
SIZE_CAPPED = ("server", "cli", "rebuild")  # not run above --all-stacks-max-size
SIZE_GUIDE = ("numbers of synthetic drugs, comma-separated (default: 10,100,1000). A guide, on 2 shared cores: 1 (the "
              "smoke test, a minute or two), 10 (20,000 triples, about 8 minutes, half of it rdflib), 100 (170,000 triples, about 20 minutes, most of it "
              "rdflib), "
              "1000 (1.7 million triples, 2-3 GB, most of an hour with rdflib), 10000 (17 million triples: attempted "
              "under --memory-cap, reported as a miss with its peak and stage if it does not fit)")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="benchmarks/run.py",
        description="Benchmark drugkg's build, saved queries and server against rdflib and pyoxigraph "
                    "at several sizes of the synthetic corpus; write OUT/results.json, results.md and plot.png.",
        epilog="Example: python benchmarks/run.py --sizes 10,100,1000 --out /tmp/bench  (a failing stack or rows that "
               "differ between stacks exit 1; targets that are missed do not)",
    )
    parser.add_argument("--sizes", default="10,100,1000", help=SIZE_GUIDE)
    parser.add_argument("--repeat", type=int, default=5, help="timed runs of each query after one warm-up (default: 5)")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results", help="output folder (default: benchmarks/results)")
    parser.add_argument("--concurrency", type=int, default=4, help="client threads driving each server, one connection each (default: 4)")
    parser.add_argument("--requests", type=int, default=320, help="requests sent to each server, over the saved queries in turn (default: 320)")
    parser.add_argument("--rdflib-max-size", type=int, default=1000, help="largest size run on rdflib (default: 1000)")
    parser.add_argument("--all-stacks-max-size", type=int, default=0, metavar="N",
                        help="largest size at which the server, cli and rebuild stacks run; above it only drugkg and the "
                             "baselines run (at 10,000 drugs the three take hours); their targets are then judged at the "
                             "largest size they ran (default: 0, every size)")
    parser.add_argument("--query-timeout", type=float, default=120.0,
                        help="seconds one query may run on one stack; past it the query is stopped and recorded as unfinished, "
                             "and left out of the server load (default: 120; 0: none)")
    parser.add_argument("--query-budget", type=float, default=60.0,
                        help="seconds of timed runs per query and stack: a query slower than budget/repeat gets fewer runs, "
                             "at least one, and one slower than the budget is timed by its first run alone (default: 60)")
    parser.add_argument("--stacks", default=",".join(STACKS), help=f"stacks to run, comma-separated (default: {','.join(STACKS)}; drugkg is always run)")
    parser.add_argument("--seed", type=int, default=0, help="corpus seed (default: 0)")
    parser.add_argument("--build-timeout", type=float, default=3600.0,
                        help="seconds the drugkg build may take; past it the stage that was running is recorded as unfinished and "
                             "the other stacks run on the graph compiled without validation and reasoning (default: 3600; 0: none)")
    parser.add_argument("--timeout", type=float, default=0.0, help="seconds any one stack's process may take before it is stopped (default: 0, none)")
    parser.add_argument("--oxigraph-store", choices=("disk", "memory"), default="memory",
                        help="the Oxigraph server's store: memory (oxigraph serve, loaded over HTTP: the server target's "
                             "baseline) or disk (oxigraph load, then serve-read-only; the server target is then not judged) "
                             "(default: memory)")
    parser.add_argument("--memory-cap", type=float, default=None, metavar="GB",
                        help="resident memory a stack's process and its children may hold together; past it the process "
                             "is stopped and the stack reported as not finished, with its peak and stage (default: 85%% of "
                             "the memory available when the run starts)")
    parser.add_argument("--server-workers", type=int, default=2, help="query workers of drugkg serve (default: 2)")
    parser.add_argument("--startup-runs", type=int, default=7, help="runs of each command for the CLI start-up time (default: 7)")
    parser.add_argument("--keep-work", action="store_true", help="keep OUT/work-N (the build, logs) after each size")
    # a stack's own process: run.py --worker STACK ... (started by run.py itself)
    parser.add_argument("--worker", choices=STACKS, help=argparse.SUPPRESS)
    parser.add_argument("--drugs", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--corpus", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--work", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--bindings", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--server-start-timeout", type=float, default=600.0, help=argparse.SUPPRESS)
    parser.add_argument("--resume", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    try:
        args.size_list = sorted({int(s) for s in args.sizes.split(",") if s.strip()})
    except ValueError:
        parser.error(f"--sizes must be whole numbers separated by commas, got {args.sizes!r}")
    if not args.size_list or min(args.size_list) < 1:
        parser.error("--sizes needs at least one size of 1 or more")
    args.stack_list = [s.strip() for s in args.stacks.split(",") if s.strip()]
    unknown = sorted(set(args.stack_list) - set(STACKS))
    if unknown:
        parser.error(f"unknown stack(s) {', '.join(unknown)}; choose from {', '.join(STACKS)}")
    if "drugkg" not in args.stack_list:
        args.stack_list.insert(0, "drugkg")  # the others run on its build and its bound queries
    if args.memory_cap is None:
        available = bench_measure.status_kb("MemAvailable", Path("/proc/meminfo"))
        args.memory_cap = round(0.85 * available / 1024 / 1024, 1) if available else 0.0
    if args.repeat < 1 or args.concurrency < 1 or args.requests < 1:
        parser.error("--repeat, --concurrency and --requests must be at least 1")
    return args


# ---------------------------------------------------------------------------------------------------------------
# a stack's own process
# ---------------------------------------------------------------------------------------------------------------


def worker(args: argparse.Namespace) -> int:
    try:
        bench_stacks.STACKS[args.worker](args)
        return 0
    except Exception:  # noqa: BLE001 - the parent reports it with the rest of the results
        try:
            result = json.loads(args.result.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            result = {"stack": args.worker}
        result.update(status="failed", error=traceback.format_exc())
        bench_measure.write_json(args.result, result)
        print(traceback.format_exc(), file=sys.stderr)
        return 1


def run_worker(args: argparse.Namespace, stack: str, drugs: int, corpus: Path, work: Path, raw: Path) -> dict:
    """Run one stack in a fresh process; its result (or what it wrote before it stopped), with its wall time.

    A watchdog reads the query the process is warming up (see ``bench_stacks.heartbeat_path``): one past
    --query-timeout is recorded as unfinished, the process group is stopped (native code cannot be interrupted from
    inside) and a new process resumes with the queries not yet measured.
    """
    result_path = raw / f"{drugs}-{stack}.json"
    result_path.unlink(missing_ok=True)
    heartbeat = bench_stacks.heartbeat_path(result_path)
    heartbeat.unlink(missing_ok=True)
    argv = [sys.executable, str(Path(__file__).resolve()), "--worker", stack, "--drugs", str(drugs),
            "--corpus", str(corpus), "--work", str(work), "--result", str(result_path),
            "--bindings", str(raw / f"{drugs}-drugkg.json"), "--repeat", str(args.repeat),
            "--concurrency", str(args.concurrency), "--requests", str(args.requests),
            "--query-timeout", str(args.query_timeout), "--query-budget", str(args.query_budget),
            "--build-timeout", str(args.build_timeout), "--server-workers", str(args.server_workers),
            "--oxigraph-store", args.oxigraph_store]
    # the watchdog lets an in-process limit (rdflib's) act first
    grace = args.query_timeout * 1.05 + 2 if args.query_timeout else None
    started = time.perf_counter()
    deadline = time.monotonic() + args.timeout if args.timeout else None
    stopped: list[str] = []
    timed_out = False
    cap_kb = args.memory_cap * 1024 * 1024 if args.memory_cap else None
    watched_kb = 0  # the largest resident size of the process and its children seen together
    over_cap = None
    while True:
        # its own session: the whole group is stopped (a reasoner's Java VM, a server), by its process group id
        process = subprocess.Popen(argv + (["--resume"] if stopped else []), cwd=ROOT, start_new_session=True)
        query = section = None
        try:
            while process.poll() is None:
                try:
                    process.wait(timeout=0.25)
                except subprocess.TimeoutExpired:
                    pass
                resident = group_rss_kb(process.pid)
                watched_kb = max(watched_kb, resident)
                if cap_kb is not None and resident > cap_kb:
                    over_cap = running_stage(result_path)
                    break
                if deadline is not None and time.monotonic() > deadline:
                    timed_out = True
                    break
                if grace is not None:
                    try:
                        current = json.loads(heartbeat.read_text(encoding="utf-8"))
                    except (OSError, ValueError):
                        continue
                    if time.time() - current["since"] > grace:
                        query, section = current["query"], current.get("section", "queries")
                        break
        except BaseException:
            os.killpg(process.pid, signal.SIGKILL)
            raise
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        if query is None or timed_out or over_cap:
            break
        heartbeat.unlink(missing_ok=True)
        print(f"[{drugs} drugs, {stack}] query {query}: stopped after {args.query_timeout:g} s (--query-timeout); "
              "resuming with the next query in a new process", file=sys.stderr, flush=True)
        result = json.loads(result_path.read_text(encoding="utf-8"))
        result.setdefault(section, {})[query] = {"rows": None, "timed_out": True, "limit_ms": args.query_timeout * 1000}
        bench_measure.write_json(result_path, result)
        stopped.append(query)
    heartbeat.unlink(missing_ok=True)
    try:
        result = json.loads(result_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        result = {"stack": stack, "status": "failed", "error": f"no result written (exit {process.returncode})"}
    result["wall_seconds"] = time.perf_counter() - started
    result["restarts"] = len(stopped)
    result["watched_peak_gb"] = watched_kb / 1024 / 1024
    if over_cap:
        result.update(status="memory", stage_at_stop=over_cap,
                      error=f"stopped at --memory-cap {args.memory_cap:g} GB: peak {watched_kb / 1024 / 1024:.2f} GB "
                            f"(the process and its children) at stage {over_cap}")
        print(f"[{drugs} drugs, {stack}] {result['error']}", file=sys.stderr, flush=True)
    elif timed_out:
        result.update(status="timeout", error=f"stopped after --timeout {args.timeout:g} s")
    elif process.returncode and result.get("status") != "failed":
        result.update(status="failed", error=f"exit {process.returncode}")
    return result


def group_rss_kb(pid: int) -> int:
    """The resident size of a process and all its descendants together, in kB (0 without /proc)."""
    return sum(bench_measure.status_kb("VmRSS", Path(f"/proc/{p}/status")) or 0
               for p in [pid, *bench_measure.descendants(pid)])


def running_stage(result_path: Path) -> str:
    """The stage a stack's process was in, from what it last wrote: the build stage its last progress message
    opened while the build runs, else the last stage it recorded."""
    try:
        result = json.loads(result_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return "start (nothing recorded yet)"
    if result.get("stack") == "drugkg" and "build" not in result:
        messages = result.get("build_messages") or []
        return f"build: {bench_stacks.stage_of(messages[-1])}" if messages else "build: start"
    stages = list(result.get("stages") or {})
    return stages[-1] if stages else "after its last recorded figure"


# ---------------------------------------------------------------------------------------------------------------
# the corpus, the start-up time, one size
# ---------------------------------------------------------------------------------------------------------------


def corpus_for(out: Path, drugs: int, seed: int) -> tuple[Path, dict]:
    """The corpus of ``drugs`` drugs under ``out``: reused if the same generator wrote it with the same arguments."""
    folder = out / f"corpus-{drugs}"
    stamp = out / f"corpus-{drugs}.json"
    generator = HERE / "corpus.py"
    wanted = {"drugs": drugs, "seed": seed, "generator_sha256": hashlib.sha256(generator.read_bytes()).hexdigest()}
    try:
        if folder.is_dir() and json.loads(stamp.read_text(encoding="utf-8")) == wanted:
            return folder, {**wanted, "cached": True}
    except (OSError, ValueError):
        pass
    stamp.unlink(missing_ok=True)
    started = time.perf_counter()
    subprocess.run([sys.executable, str(generator), "--drugs", str(drugs), "--seed", str(seed), "--out", str(folder),
                    "--force"], check=True, cwd=ROOT)
    seconds = time.perf_counter() - started
    stamp.write_text(json.dumps(wanted) + "\n", encoding="utf-8")
    return folder, {**wanted, "cached": False, "seconds": seconds}


def cli_startup(runs: int) -> dict:
    """Wall time of ``drugkg queries`` and of ``python -c "import pyoxigraph"``, median of ``runs`` runs each
    (taken in turn, after one warm-up run of each).

    Both run with Python's default bytecode cache: PYTHONDONTWRITEBYTECODE is removed from their environment (where it
    is set, every run would compile drugkg's modules from source, while pyoxigraph's were compiled when pip
    installed it), and the warm-up run writes the cache."""
    commands = {
        "drugkg queries": [bench_stacks.executable("drugkg") or "drugkg", "queries"],
        'python -c "import pyoxigraph"': [sys.executable, "-c", "import pyoxigraph"],
    }
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    times: dict[str, list[float]] = {name: [] for name in commands}
    for round_ in range(runs + 1):
        for name, argv in commands.items():
            started = time.perf_counter()
            subprocess.run(argv, cwd=ROOT, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
            if round_:
                times[name].append(time.perf_counter() - started)
    medians = {name: statistics.median(values) * 1000 for name, values in times.items()}
    return {"runs": runs, "median_ms": medians, "times_ms": {n: [v * 1000 for v in vs] for n, vs in times.items()},
            "ratio": medians["drugkg queries"] / medians['python -c "import pyoxigraph"']}


def compare_rows(size: dict) -> list[str]:
    """Every stack must give every query the same number of rows; each difference is an error. (A query a stack
    did not finish within --query-timeout has no row count there and is left out.)"""
    stacks = size["stacks"]
    counts: dict[str, dict[str, int]] = {}
    for stack in ("drugkg", "pyoxigraph", "rdflib"):
        for name, entry in (stacks.get(stack, {}).get("queries") or {}).items():
            if entry.get("rows") is not None:
                counts.setdefault(name, {})[stack] = entry["rows"]
    errors = []
    for name, server in stacks.get("server", {}).get("servers", {}).items():
        for query, rows in server.get("rows", {}).items():
            counts.setdefault(query, {})[f"{name} server"] = rows
        for query, error in server.get("errors", {}).items():
            errors.append(f"{name} server: query {query} answered {error}")
        for query in server.get("row_mismatches", []):
            errors.append(f"{name} server: query {query} gave other row counts under load")
        if server.get("non_200"):
            errors.append(f"{name} server: {server['non_200']} answers under load were not 200")
    for query, by_stack in sorted(counts.items()):
        if len(set(by_stack.values())) > 1:
            errors.insert(0, f"query {query} gave different row counts: "
                             + ", ".join(f"{stack} {rows}" for stack, rows in by_stack.items()))
    return errors


def run_size(args: argparse.Namespace, drugs: int) -> dict:
    raw = args.out / "raw"
    raw.mkdir(parents=True, exist_ok=True)
    print(f"== {drugs} drugs", file=sys.stderr, flush=True)
    started = time.perf_counter()
    corpus, corpus_info = corpus_for(args.out, drugs, args.seed)
    work = args.out / f"work-{drugs}"
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    size: dict = {"drugs": drugs, "corpus": corpus_info, "stacks": {}, "errors": [], "notes": []}
    try:
        for stack in args.stack_list:
            if stack != "drugkg" and size["stacks"]["drugkg"].get("status") != "ok":
                size["stacks"][stack] = {"stack": stack, "status": "skipped",
                                         "reason": "the drugkg stack did not finish (its build and bound queries are this stack's input)"}
                continue
            if stack == "rdflib" and drugs > args.rdflib_max_size:
                size["stacks"][stack] = {"stack": stack, "status": "skipped",
                                         "reason": f"{drugs} drugs is over --rdflib-max-size {args.rdflib_max_size} "
                                                   "(rdflib takes minutes to parse and query a graph of millions of triples)"}
                continue
            if stack in SIZE_CAPPED and args.all_stacks_max_size and drugs > args.all_stacks_max_size:
                size["stacks"][stack] = {"stack": stack, "status": "skipped",
                                         "reason": f"{drugs} drugs is over --all-stacks-max-size {args.all_stacks_max_size}"}
                continue
            result = run_worker(args, stack, drugs, corpus, work, raw)
            size["stacks"][stack] = result
            if result.get("status") == "failed":
                size["errors"].append(f"{stack}: {result.get('error', 'failed').strip().splitlines()[-1]}")
            elif result.get("status") in ("timeout", "memory"):
                size["notes"].append(f"{stack}: {result['error']}")
    finally:
        if not args.keep_work:
            shutil.rmtree(work, ignore_errors=True)
    drugkg = size["stacks"]["drugkg"]
    size["triples"] = drugkg.get("counts", {}).get("triples")
    if drugkg.get("build", {}).get("status") == "timeout":
        build = drugkg["build"]
        size["notes"].append(f"the drugkg build did not finish within --build-timeout {build['limit_seconds']:g} s "
                             f"(stage {build['stage']} was running); the other figures are on the graph compiled "
                             "without validation and reasoning, so inferred.ttl is empty")
    for stack in ("drugkg", "pyoxigraph", "rdflib"):
        unfinished = sorted(n for n, q in (size["stacks"].get(stack, {}).get("queries") or {}).items() if q.get("timed_out"))
        if unfinished:
            size["notes"].append(f"{stack} did not finish these queries within --query-timeout {args.query_timeout:g} s "
                                 f"(their ratios are bounds): {', '.join(unfinished)}")
    excluded = size["stacks"].get("server", {}).get("excluded")
    if excluded:
        size["notes"].append(f"left out of the server load (past --query-timeout on the embedded store): {', '.join(excluded)}")
    empty = sorted(n for n, q in (drugkg.get("queries") or {}).items() if q["rows"] == 0)
    if empty:
        size["notes"].append(f"queries with no rows at this size: {', '.join(empty)}")
    size["errors"] += compare_rows(size)
    size["seconds"] = time.perf_counter() - started
    print(f"== {drugs} drugs done in {size['seconds']:.0f} s", file=sys.stderr, flush=True)
    return size


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.worker:
        return worker(args)
    args.out = args.out.resolve()
    args.out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    results: dict = {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "command": ["benchmarks/run.py", *(sys.argv[1:] if argv is None else argv)],
        "options": {"sizes": args.size_list, "stacks": args.stack_list, "repeat": args.repeat,
                    "concurrency": args.concurrency, "requests": args.requests, "rdflib_max_size": args.rdflib_max_size,
                    "all_stacks_max_size": args.all_stacks_max_size,
                    "query_timeout_seconds": args.query_timeout, "query_budget_seconds": args.query_budget, "seed": args.seed,
                    "build_timeout_seconds": args.build_timeout, "timeout_seconds": args.timeout,
                    "server_workers": args.server_workers, "oxigraph_store": args.oxigraph_store,
                    "memory_cap_gb": args.memory_cap},
        "machine": bench_measure.machine(ROOT, bench_stacks.executable("oxigraph")),
        "sizes": [],
    }
    print("== CLI start-up", file=sys.stderr, flush=True)
    results["cli_startup"] = cli_startup(args.startup_runs)
    for drugs in args.size_list:
        results["sizes"].append(run_size(args, drugs))
        results["targets"] = bench_report.targets(results)
        results["seconds"] = time.perf_counter() - started
        bench_report.write_all(results, args.out)
    errors = [f"{s['drugs']} drugs: {e}" for s in results["sizes"] for e in s["errors"]]
    print(f"wrote {args.out / 'results.md'}, results.json and plot.png in {time.perf_counter() - started:.0f} s",
          file=sys.stderr)
    for error in errors:
        print(f"benchmark error: {error}", file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
