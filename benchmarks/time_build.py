"""Build a data folder with drugkg's own builder and report how long each build stage takes.

The stages are the ones ``drugkg build`` reports as progress (read and validate the YAML and run the loaders; load
the store; data-quality checks; SHACL shapes; OWL reasoning; exports; ...), each timed from its progress message
to the next, so the stages follow the builder as it changes. Timing belongs here, never in tests.

Example::

    python benchmarks/corpus.py --drugs 100 --out /tmp/corpus-100
    python benchmarks/time_build.py --data /tmp/corpus-100 --out /tmp/corpus-100-dist
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from bench_measure import Meter  # benchmarks/ is on the path: run as a script

from drugkg.build import build
from drugkg.errors import DataInvalid, UsageError
from drugkg.paths import default_ontology


def timed_build(data: Path, out: Path, ontology: Path, echo: bool = True) -> tuple[dict[str, int], float, dict[str, dict]]:
    """Build ``data`` into ``out`` with :func:`drugkg.build.build`; return its counts, the total seconds and each
    stage's seconds and peak memory (see ``bench_measure.Meter``), in order, named by the progress message that
    starts it."""
    meter = Meter()

    def progress(message: str) -> None:
        meter.start(message)
        if echo:
            print(f"  {time.strftime('%H:%M:%S')} {message}", file=sys.stderr, flush=True)

    started = time.perf_counter()
    compiled, _ = build(data, out, ontology, progress=progress)
    meter.stop()
    return compiled.counts, time.perf_counter() - started, meter.stages


def main(argv: list[str] | None = None) -> int:
    """Command line: ``python benchmarks/time_build.py --data DIR --out DIR [--ontology FILE]``."""
    parser = argparse.ArgumentParser(prog="benchmarks/time_build.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, required=True, help="data folder to build (e.g. a synthetic corpus)")
    parser.add_argument("--out", type=Path, required=True, help="output folder (replaced, as drugkg build does)")
    parser.add_argument("--ontology", type=Path, default=default_ontology(), help="ontology file (default: the checkout's)")
    args = parser.parse_args(argv)
    try:
        counts, total, stages = timed_build(args.data, args.out, args.ontology)
    except (DataInvalid, UsageError) as exc:
        print(f"time_build.py: the build failed: {exc}", file=sys.stderr)
        return 1
    drugs = sum(1 for p in args.data.iterdir() if p.is_dir() and p.name.startswith("synthdrug-"))
    per_drug = f", {counts['triples'] / drugs:.0f} triples per drug ({drugs} drugs)" if drugs else ""
    print(f"{counts['triples']} triples, {counts['claims']} claims, {counts['entities']} entities{per_drug}")
    print(f"{total:9.2f} s  total")
    for name, stage in stages.items():
        children = f" + {stage['children_peak_mb']:.0f} MB in child processes" if stage["children_peak_mb"] else ""
        print(f"{stage['seconds']:9.2f} s  {stage['peak_mb']:6.0f} MB{children}  {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
