"""The benchmark (benchmarks/run.py) works end to end at the smallest size: every stack, every stage, every saved
query with the same rows everywhere, both servers, the Markdown with its targets and the plot. No figure is checked:
timing belongs in the benchmark's output, never in tests."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from drugkg.queries import catalogue
from tests.conftest import QUERIES, ROOT
from tests.servers import executable, require_or_skip

BUILD_STAGES = ("compile", "store", "checks", "shacl", "reasoning", "exports")
TARGETS = (
    "full build against raw pyoxigraph parse + serialize of the same graph",
    "validation (checks + SHACL + reasoning stages of the build) against raw pyoxigraph parse + serialize",
    "peak memory against raw pyoxigraph",
    "each saved query's median latency against raw pyoxigraph",
    "server requests/s against the Oxigraph server (memory store), saved-query mix",
    "server median latency against the Oxigraph server (memory store), saved-query mix",
    "drugkg query from a fresh process (on-disk store) against the same query in memory",
    'CLI start-up: drugkg queries against python -c "import pyoxigraph"',
    "rebuild after editing one data file against a full build",
    "rebuild output byte-identical to a full build of the edited data",
    "a 10,000-drug size builds",
)


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """One smoke run: one synthetic drug, one timed run per query, 20 requests per server, two at a time."""
    if executable("oxigraph") is None:
        require_or_skip("the Oxigraph server", "pip install -e '.[test]' installs it")
    out = tmp_path_factory.mktemp("benchmark")
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "run.py"), "--sizes", "1", "--repeat", "1", "--requests", "20",
         "--concurrency", "2", "--startup-runs", "1", "--out", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    return out, json.loads((out / "results.json").read_text(encoding="utf-8"))


def test_every_stack_finishes_every_stage(run):
    _, results = run
    (size,) = results["sizes"]
    stacks = size["stacks"]
    assert size["errors"] == []
    assert {name: stack["status"] for name, stack in stacks.items()} == {
        "drugkg": "ok", "pyoxigraph": "ok", "rdflib": "ok", "server": "ok", "cli": "ok", "rebuild": "ok"}
    assert stacks["drugkg"]["build"]["status"] == "ok"
    assert set(BUILD_STAGES) | {"export-formats", "memory-store", "queries", "open-disk-store", "queries-on-disk"} == set(
        stacks["drugkg"]["stages"])
    assert set(stacks["drugkg"]["export_formats"]) == {"drugkg.ttl", "drugkg.nt", "drugkg.jsonld", "drugkg.rdf"}
    for name in ("pyoxigraph", "rdflib"):
        assert set(stacks[name]["stages"]) == {"load", "queries", "serialize"}
        assert set(stacks[name]["serialize_formats"]) == {"drugkg.ttl", "drugkg.nt", "drugkg.jsonld", "drugkg.rdf"}
    for stage in stacks["drugkg"]["stages"].values():
        assert set(stage) >= {"seconds", "peak_mb", "children_peak_mb"}


def test_every_saved_query_gives_the_same_rows_on_every_stack(run):
    _, results = run
    stacks = results["sizes"][0]["stacks"]
    saved = sorted(name for name in catalogue(QUERIES) if not name.startswith("checks/"))
    rows = {name: stacks["drugkg"]["queries"][name]["rows"] for name in saved}
    assert sorted(stacks["drugkg"]["queries"]) == saved
    assert {q: e["rows"] for q, e in stacks["drugkg"]["queries_on_disk"].items()} == rows
    for name in ("pyoxigraph", "rdflib"):
        assert {q: e["rows"] for q, e in stacks[name]["queries"].items()} == rows
    assert {q: e["rows"] for q, e in stacks["cli"]["queries"].items()} == rows
    for server in ("drugkg", "oxigraph"):
        entry = stacks["server"]["servers"][server]
        assert entry["status"] == "ok"
        assert entry["rows"] == rows
        assert (entry["requests"], entry["non_200"], entry["row_mismatches"]) == (20, 0, [])
    # parameters are bound to entities of the synthetic corpus, never left at the Hemgenix defaults
    bound = stacks["drugkg"]["bindings"]["drug-profile"]["drug"]
    assert bound["default"] == "https://w3id.org/drugkg/id/hemgenix"
    assert bound["value"].startswith("https://example.org/drugkg-synthetic/id/")
    assert rows["drug-profile"] > 0


def test_the_rebuild_edits_one_file_and_matches_a_fresh_build(run):
    _, results = run
    rebuild = results["sizes"][0]["stacks"]["rebuild"]
    assert rebuild["edit"] == {"file": "synthdrug-00001/dosage.yaml", "line": 9,
                               "before": "dose: {value: 300000000000, unit: synth-dose-unit-1}",
                               "after": "dose: {value: 300000000001, unit: synth-dose-unit-1}"}
    comparison = rebuild["comparison"]
    assert (comparison["identical"], comparison["differing"], comparison["excluded"]) == (
        True, [], ["changes.json", "changes.md"])
    assert "void.ttl" in comparison["compared"] and "drugkg.nt" in comparison["compared"]


def test_markdown_has_the_targets_and_the_plot_is_a_png(run):
    out, results = run
    text = (out / "results.md").read_text(encoding="utf-8")
    assert "## Targets\n\nEach at the largest size whose drugkg stack finished, or, for the server, cli and rebuild " in text
    assert "| target | drugs | limit | measured | result | detail |" in text
    assert [t["target"] for t in results["targets"]] == list(TARGETS)
    for target in TARGETS:
        assert f"| {target} |" in text
    assert "## 1 drugs (" in text and "### Saved queries" in text and "### Server" in text
    assert (out / "plot.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_stacks_left_out_of_a_larger_size_are_judged_at_the_largest_they_ran(run):
    import copy

    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        from bench_report import targets
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    _, results = run
    results = copy.deepcopy(results)
    larger = copy.deepcopy(results["sizes"][0])
    larger["drugs"] = 2
    for stack in ("server", "cli", "rebuild"):  # as run.py records them above --all-stacks-max-size 1
        larger["stacks"][stack] = {"stack": stack, "status": "skipped", "reason": "2 drugs is over --all-stacks-max-size 1"}
    results["sizes"].append(larger)
    sizes = {t["target"]: t["size"] for t in targets(results)}
    at_one = {TARGETS[i] for i in (4, 5, 6, 8, 9)}
    assert sizes == {t: 1 if t in at_one else None if t in (TARGETS[7], TARGETS[10]) else 2 for t in TARGETS}
