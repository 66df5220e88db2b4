"""The benchmark's outputs: the targets as ratios within one run, results.md, results.json and plot.png."""

from __future__ import annotations

from pathlib import Path

from bench_measure import write_json

STACK_ORDER = ("drugkg", "pyoxigraph", "rdflib")


def num(value: float | None, digits: int = 3) -> str:
    """A figure for a table: three significant digits, no exponent for everyday magnitudes.

    >>> num(0.012345), num(12.345), num(12345.6), num(None)
    ('0.0123', '12.3', '12346', '–')
    """
    if value is None:
        return "–"
    if value == 0:
        return "0"
    if abs(value) >= 10 ** (digits - 1):
        return f"{value:.0f}"
    return f"{value:.{digits}g}" if abs(value) >= 1e-4 else f"{value:.1e}"


def latency(entry: dict | None) -> tuple[float | None, str]:
    """A query's median latency in ms and its kind: ``exact``, or ``lower`` (a lower bound: the time limit of a
    query that was stopped), or ``none``."""
    if not entry:
        return None, "none"
    if entry.get("timed_out"):
        return entry["limit_ms"], "lower"
    return entry["median_ms"], "exact"


def bounded_ratio(a: tuple[float | None, str], b: tuple[float | None, str]) -> tuple[float | None, str]:
    """``a / b`` with its kind: exact, lower or upper bound, unknown (both bounds) or none.

    >>> bounded_ratio((10.0, "exact"), (5.0, "exact")), bounded_ratio((10.0, "lower"), (5.0, "exact"))
    ((2.0, 'exact'), (2.0, 'lower'))
    >>> bounded_ratio((10.0, "exact"), (5.0, "lower")), bounded_ratio((10.0, "lower"), (5.0, "lower"))
    ((2.0, 'upper'), (None, 'unknown'))
    """
    (va, ka), (vb, kb) = a, b
    if va is None or not vb:
        return None, "none"
    kind = {("exact", "exact"): "exact", ("lower", "exact"): "lower", ("exact", "lower"): "upper"}.get((ka, kb), "unknown")
    return (va / vb if kind != "unknown" else None), kind


def show(value: float | None, kind: str = "exact", unit: str = "") -> str:
    """A figure with its kind: ``> 3.2×`` for a lower bound, ``< 3.2×`` for an upper one, ``?`` when unknown."""
    if kind == "unknown":
        return "?"
    if value is None or kind == "none":
        return "–"
    return {"lower": "> ", "upper": "< "}.get(kind, "") + num(value) + unit


def meets(ratio: tuple[float | None, str], limit: float, at_most: bool) -> bool | None:
    """Whether a bounded ratio meets ``≤ limit`` (``at_most``) or ``≥ limit``; None when the bound cannot tell."""
    value, kind = ratio
    if value is None or kind not in ("exact", "lower", "upper"):
        return None
    within = value <= limit if at_most else value >= limit
    if kind == "exact":
        return within
    helps = (kind == "upper") == at_most  # an upper bound can prove "at most", a lower bound "at least"
    return True if within and helps else False if not within and not helps else None


def _query_target(name: str, limit: float, at_most: bool, ratios: dict, size: int, where: str = "") -> dict:
    verdicts = {q: meets(r, limit, at_most) for q, r in ratios.items()}
    misses = sorted(q for q, v in verdicts.items() if v is False)
    unknown = sorted(q for q, v in verdicts.items() if v is None)
    known = {q: r for q, r in ratios.items() if r[0] is not None}
    worst = (max if at_most else min)(known, key=lambda q: known[q][0]) if known else None
    sign = "≤" if at_most else "≥"
    measured = f"{show(*known[worst], '×')} ({'worst' if at_most else 'smallest'}: {worst})" if worst else "?"
    parts = [f"{len(misses)} of {len(ratios)} {'over' if at_most else 'under'}: {', '.join(misses)}" if misses
             else f"no query {'over' if at_most else 'under'}"]
    if unknown:
        parts.append(f"unknown (both stacks stopped at the time limit, or a bound that cannot tell): {', '.join(unknown)}")
    ok = False if misses else None if unknown else True
    return _target(name, f"{sign} {num(limit)}×", measured, ok, size, "; ".join(parts) + where)


def stage_peak(stage: dict) -> float:
    return stage.get("peak_mb", 0.0) + stage.get("children_peak_mb", 0.0)


def _ok(stack: dict | None) -> bool:
    return bool(stack) and stack.get("status") == "ok"


def build_seconds(drugkg: dict) -> float | None:
    build = drugkg.get("build") or {}
    return build.get("seconds") if build.get("status") == "ok" else None


def peak(stack: dict, with_children: bool = True) -> float | None:
    stages = stack.get("stages") or {}
    values = [stage_peak(s) if with_children else s.get("peak_mb", 0.0) for s in stages.values()]
    return max(values) if values else None


def serialize_seconds(stack: dict) -> float | None:
    """Seconds to write the four formats (a lower bound where a format was stopped: see ``serialize_bound``)."""
    formats = stack.get("serialize_formats") or stack.get("export_formats")
    return sum(formats.values()) if formats else None


def _target(name: str, limit: str, measured: str, ok: bool | None, size: int | None, detail: str = "") -> dict:
    return {"target": name, "limit": limit, "measured": measured, "size": size, "detail": detail,
            "result": "n/a" if ok is None else "pass" if ok else "miss"}


# The targets, in the order; each a ratio of two figures measured in the same run.
BUILD = "full build against raw pyoxigraph parse + serialize of the same graph"
VALIDATION = "validation (checks + SHACL + reasoning stages of the build) against raw pyoxigraph parse + serialize"
PEAK = "peak memory against raw pyoxigraph"
QUERIES = "each saved query's median latency against raw pyoxigraph"
SERVER_RPS = "server requests/s against the Oxigraph server (memory store), saved-query mix"
SERVER_LATENCY = "server median latency against the Oxigraph server (memory store), saved-query mix"
CLI_QUERY = "drugkg query from a fresh process (on-disk store) against the same query in memory"
STARTUP = 'CLI start-up: drugkg queries against python -c "import pyoxigraph"'
REBUILD = "rebuild after editing one data file against a full build"
REBUILD_SAME = "rebuild output byte-identical to a full build of the edited data"
LARGE = "a 10,000-drug size builds"
TARGETS = (BUILD, VALIDATION, PEAK, QUERIES, SERVER_RPS, SERVER_LATENCY, CLI_QUERY, STARTUP, REBUILD, REBUILD_SAME, LARGE)
LARGE_SIZE = 10_000
VALIDATION_STAGES = ("checks", "shacl", "reasoning")


def validation_seconds(drugkg: dict) -> float | None:
    """Seconds of the build's checks, SHACL and reasoning stages (since 2026-12-07 the inferred graph's superclass
    memberships are made while the exports are written, and counted with them); None unless the build finished."""
    if build_seconds(drugkg) is None:
        return None
    stages = drugkg.get("stages") or {}
    return sum(stages[s]["seconds"] for s in VALIDATION_STAGES if s in stages)


def parse_serialize_seconds(pyox: dict | None) -> float | None:
    """Raw pyoxigraph's parse (bulk load of the same files) plus serialization of the four formats."""
    if not _ok(pyox):
        return None
    return pyox["stages"]["load"]["seconds"] + (serialize_seconds(pyox) or 0)


def targets(results: dict) -> list[dict]:
    """The issue's targets at the largest size the drugkg stack finished, each a ratio from this run (the 10,000-drug
    target looks at every size run)."""
    sizes = [s for s in results["sizes"] if _ok(s["stacks"].get("drugkg"))]
    out = []
    last = sizes[-1] if sizes else {"drugs": None, "stacks": {}}
    n = last["drugs"]
    stacks = last["stacks"]
    drugkg, pyox = stacks.get("drugkg") or {}, stacks.get("pyoxigraph")
    baseline = parse_serialize_seconds(pyox)

    # the build and its validation against raw pyoxigraph's parse + serialize
    build = build_seconds(drugkg)
    if baseline and build is not None:
        out.append(_target(BUILD, "≤ 3×", f"{num(build / baseline)}×", build / baseline <= 3, n,
                           f"{num(build)} s against {num(baseline)} s (load {num(pyox['stages']['load']['seconds'])} s "
                           f"+ four formats {num(serialize_seconds(pyox))} s)"))
    elif baseline and drugkg.get("build"):
        spent = drugkg["build"]["seconds"]
        out.append(_target(BUILD, "≤ 3×", f"> {num(spent / baseline)}×", False, n,
                           f"the build did not finish in {num(spent)} s (stage {drugkg['build'].get('stage')})"))
    else:
        out.append(_target(BUILD, "≤ 3×", "–", None, n, "needs the drugkg build and the pyoxigraph stack"))
    validation = validation_seconds(drugkg)
    if baseline and validation is not None:
        parts = ", ".join(f"{s} {num(drugkg['stages'][s]['seconds'])} s" for s in VALIDATION_STAGES if s in drugkg["stages"])
        out.append(_target(VALIDATION, "≤ 1×", f"{num(validation / baseline)}×", validation / baseline <= 1, n,
                           f"{num(validation)} s ({parts}) against {num(baseline)} s"))
    else:
        out.append(_target(VALIDATION, "≤ 1×", "–", None, n, "needs a finished build and the pyoxigraph stack"))

    mine, theirs = (peak(drugkg), peak(pyox)) if _ok(pyox) else (None, None)
    if mine and theirs:
        out.append(_target(PEAK, "≤ 1.5×", f"{num(mine / theirs)}×", mine / theirs <= 1.5, n,
                           f"{num(mine)} MB, the largest of the drugkg stack's stages (Python {num(peak(drugkg, False))} "
                           f"MB, with the reasoner's Java VM) against {num(theirs)} MB"))
    else:
        out.append(_target(PEAK, "≤ 1.5×", "–", None, n, "needs the pyoxigraph stack"))

    if _ok(pyox):
        ratios = {q: bounded_ratio(latency(e), latency(pyox["queries"].get(q))) for q, e in drugkg["queries"].items()}
        out.append(_query_target(QUERIES, 1.2, True, ratios, n))
    else:
        out.append(_target(QUERIES, "≤ 1.2×", "–", None, n, "needs the pyoxigraph stack"))

    def largest_with(stack: str) -> tuple[dict, int | None]:
        """The stacks of the largest size at which ``stack`` finished (the server, cli and rebuild stacks do not run
        above --all-stacks-max-size), else those of the largest size."""
        ran = [s for s in sizes if _ok(s["stacks"].get(stack))]
        return (ran[-1]["stacks"], ran[-1]["drugs"]) if ran else (stacks, n)

    # the server against the Oxigraph server
    at, n_at = largest_with("server")
    server = at.get("server") or {}
    ours, theirs = server.get("servers", {}).get("drugkg", {}), server.get("servers", {}).get("oxigraph", {})
    store = theirs.get("store") or results.get("options", {}).get("oxigraph_store")
    if ours.get("status") == "ok" and theirs.get("status") == "ok":
        rps = ours["requests_per_second"] / theirs["requests_per_second"]
        slower = ours["median_ms"] / theirs["median_ms"]
        judged = store == "memory"
        note = "" if judged else f"; not judged: the Oxigraph server ran on its {store} store (--oxigraph-store memory)"
        out.append(_target(SERVER_RPS, "≥ 1×", f"{num(rps)}×", (rps >= 1) if judged else None, n_at,
                           f"{num(ours['requests_per_second'])} against {num(theirs['requests_per_second'])} requests/s, "
                           f"{ours['requests']} requests, {ours['concurrency']} at a time{note}"))
        out.append(_target(SERVER_LATENCY, "≤ 1.5×", f"{num(slower)}×", (slower <= 1.5) if judged else None, n_at,
                           f"{num(ours['median_ms'])} ms against {num(theirs['median_ms'])} ms{note}"))
    else:
        out.append(_target(SERVER_RPS, "≥ 1×", "–", None, n_at, "needs both servers"))
        out.append(_target(SERVER_LATENCY, "≤ 1.5×", "–", None, n_at, "needs both servers"))

    at, n_at = largest_with("cli")
    cli = at.get("cli")
    if _ok(cli):
        memory = at["drugkg"]["queries"]
        ratios = {q: bounded_ratio(latency(cli["queries"].get(q)), latency(e)) for q, e in memory.items()
                  if q in cli["queries"]}
        out.append(_query_target(CLI_QUERY, 1.5, True, ratios, n_at,
                                 " (fresh process: the time of main once imported: reading the query, opening the "
                                 "store, answering, writing TSV)"))
    else:
        out.append(_target(CLI_QUERY, "≤ 1.5×", "–", None, n, "needs the cli stack"))

    startup = results.get("cli_startup")
    if startup:
        medians = startup["median_ms"]
        out.append(_target(STARTUP, "≤ 1.5×", f"{num(startup['ratio'])}×", startup["ratio"] <= 1.5, None,
                           " against ".join(f"{num(v)} ms" for v in medians.values())))
    else:
        out.append(_target(STARTUP, "≤ 1.5×", "–", None, None))

    at, n_at = largest_with("rebuild")
    rebuild = at.get("rebuild")
    if _ok(rebuild):
        edit = rebuild["edit"]
        out.append(_target(REBUILD, "≤ 0.1×", f"{num(rebuild['ratio'])}×", rebuild["ratio"] <= 0.1, n_at,
                           f"{num(rebuild['rebuild_seconds'])} s against {num(rebuild['full_build_seconds'])} s "
                           f"(edit: {edit['file']}:{edit['line']})"))
        comparison = rebuild["comparison"]
        out.append(_target(REBUILD_SAME, "identical", "identical" if comparison["identical"] else "differs",
                           comparison["identical"], n_at,
                           (f"differs: {', '.join(comparison['differing'])}; " if comparison["differing"] else "")
                           + f"{len(comparison['compared'])} files compared byte for byte (void.ttl without its lineage "
                           f"triples), store/ by its quads; left out: {', '.join(comparison['excluded']) or 'none'}"))
    else:
        why = (rebuild or {}).get("error") or (rebuild or {}).get("reason") or "the rebuild stack was not run"
        out.append(_target(REBUILD, "≤ 0.1×", "–", None, n_at, why.strip().splitlines()[-1]))
        out.append(_target(REBUILD_SAME, "identical", "–", None, n_at, why.strip().splitlines()[-1]))

    large = [s for s in results["sizes"] if s["drugs"] >= LARGE_SIZE]
    if not large:
        out.append(_target(LARGE, "builds", "–", None, None, f"not run: --sizes has no size of {LARGE_SIZE:,} or more"))
    for size in large:
        stack = size["stacks"].get("drugkg") or {}
        if build_seconds(stack) is not None:
            out.append(_target(LARGE, "builds", "built", True, size["drugs"],
                               f"{num(build_seconds(stack))} s, peak {num(peak(stack))} MB"))
        else:
            peak_gb = stack.get("watched_peak_gb")
            stage = stack.get("stage_at_stop") or (stack.get("build") or {}).get("stage") or "?"
            detail = stack.get("error") or ""
            measured = f"did not build: peak {peak_gb:.2f} GB at stage {stage}" if peak_gb else "did not build"
            out.append(_target(LARGE, "builds", measured, False, size["drugs"],
                               detail.strip().splitlines()[-1] if detail else ""))
    return out


# ---------------------------------------------------------------------------------------------------------------
# results.md
# ---------------------------------------------------------------------------------------------------------------


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines + [""]


def _stage_rows(name: str, stack: dict) -> list[list[str]]:
    rows = []
    for stage, entry in (stack.get("stages") or {}).items():
        seconds = num(entry["seconds"]) + (" (unfinished)" if entry.get("timed_out") else "")
        children = num(entry["children_peak_mb"]) if entry.get("children_peak_mb") else ""
        rows.append([name, stage, seconds, num(entry["peak_mb"]), children])
    return rows


def size_markdown(size: dict) -> list[str]:
    stacks = size["stacks"]
    drugkg = stacks.get("drugkg", {})
    triples = f"{size['triples']:,} triples" if size.get("triples") else "triples unknown"
    corpus = size["corpus"]
    made = "reused" if corpus.get("cached") else f"written in {num(corpus.get('seconds'))} s"
    lines = [f"## {size['drugs']:,} drugs ({triples})", "",
             f"Corpus {made}; this size took {num(size.get('seconds'))} s in all.", ""]
    for note in size["notes"]:
        lines.append(f"- note: {note}")
    for error in size["errors"]:
        lines.append(f"- **benchmark error**: {error}")
    if size["notes"] or size["errors"]:
        lines.append("")

    lines += ["### Stages", "", "Seconds and peak resident memory (MB) of each stage, each stack in its own process; "
              "children: the reasoner's Java VM.", ""]
    rows = []
    for name in STACK_ORDER:
        stack = stacks.get(name)
        if not stack:
            continue
        if stack.get("status") == "skipped":
            rows.append([name, "skipped", "", "", stack.get("reason", "")])
            continue
        rows += _stage_rows(name, stack)
        if name == "drugkg" and drugkg.get("build"):
            b = drugkg["build"]
            rows.append([name, "**build total**", num(b["seconds"]) + ("" if b["status"] == "ok" else " (unfinished)"),
                         num(max((stage_peak(drugkg["stages"][s]) for s in drugkg["stages"]
                                  if s in ("compile", "store", "checks", "shacl", "reasoning", "exports")), default=None)), ""])
            if validation_seconds(drugkg) is not None:
                rows.append([name, "**validation** (checks + shacl + reasoning)", num(validation_seconds(drugkg)), "", ""])
        if stack.get("status") not in ("ok", None):
            rows.append([name, f"status: {stack['status']}", "", "", (stack.get("error") or "").strip().splitlines()[-1:][0]
                         if stack.get("error") else ""])
    lines += _table(["stack", "stage", "seconds", "peak MB", "children peak MB"], rows)

    pyox, rdf = stacks.get("pyoxigraph", {}), stacks.get("rdflib", {})
    compare = []
    build = build_seconds(drugkg)
    pyox_parse_ser = (pyox["stages"]["load"]["seconds"] + serialize_seconds(pyox)) if _ok(pyox) else None
    rdf_parse_ser = (rdf["stages"]["load"]["seconds"] + serialize_seconds(rdf)) if _ok(rdf) else None

    def ratio(a, b):
        return num(a / b) + "×" if a and b else "–"

    compare.append(["build (drugkg) / parse + serialize (others)", num(build), num(pyox_parse_ser), num(rdf_parse_ser),
                    ratio(build, pyox_parse_ser), ratio(rdf_parse_ser, build)])
    for fmt in ("drugkg.ttl", "drugkg.nt", "drugkg.jsonld", "drugkg.rdf"):
        compare.append([f"write {fmt.split('.')[1]}", num((drugkg.get("export_formats") or {}).get(fmt)),
                        num((pyox.get("serialize_formats") or {}).get(fmt)), num((rdf.get("serialize_formats") or {}).get(fmt)),
                        ratio((drugkg.get("export_formats") or {}).get(fmt), (pyox.get("serialize_formats") or {}).get(fmt)),
                        ratio((rdf.get("serialize_formats") or {}).get(fmt), (drugkg.get("export_formats") or {}).get(fmt))])
    exports = [serialize_seconds(s) if s.get("stages") else None for s in (drugkg, pyox, rdf)]
    stopped = rdf.get("serialize_timed_out") or []
    if stopped:
        compare.append([f"(rdflib stopped writing {', '.join(stopped)} at --query-timeout: its figures are lower bounds)",
                        "", "", "", "", ""])
    compare.append(["write all four formats", *map(num, exports), ratio(exports[0], exports[1]), ratio(exports[2], exports[0])])
    peaks = [peak(s) if s.get("stages") else None for s in (drugkg, pyox, rdf)]
    compare.append(["peak memory, MB", *map(num, peaks), ratio(peaks[0], peaks[1]), ratio(peaks[2], peaks[0])])
    lines += ["### drugkg against the baselines", ""]
    lines += _table(["seconds (or MB)", "drugkg", "pyoxigraph", "rdflib", "drugkg/pyoxigraph", "rdflib/drugkg"], compare)

    queries = drugkg.get("queries") or {}
    if queries:
        lines += ["### Saved queries", "",
                  f"Latency in ms: median and 95th percentile of {_runs(drugkg)} runs after a warm-up (pyoxigraph: "
                  f"{_runs(pyox)}, rdflib: {_runs(rdf)}; fewer runs for a query slower than --query-budget allows, "
                  "and its first run alone when it is slower than the whole budget; "
                  "\"> N\": stopped at --query-timeout). Every stack gives the same rows. drugkg answers from the build "
                  "loaded into memory, as `drugkg serve` does; *on disk*: the median on the on-disk store that a one-off "
                  f"`drugkg query` opens, in the same process ({_runs({'queries': drugkg.get('queries_on_disk')})} runs; "
                  "no target); *fresh process*: `drugkg query NAME --param ... --format tsv` run in a fresh process, the "
                  "median time of its `main` once the CLI and the query command's modules are imported (reading the "
                  "query, opening the store, answering, writing the rows; "
                  f"{_runs(stacks.get('cli') or {})} runs after a warm-up), against drugkg in memory.", ""]
        rows = []
        cli = (stacks.get("cli") or {}).get("queries") or {}
        for name, entry in queries.items():
            p = (pyox.get("queries") or {}).get(name, {})
            r = (rdf.get("queries") or {}).get(name, {})
            fresh = latency(cli.get(name))
            rows_seen = next((e["rows"] for e in (entry, p, r) if e.get("rows") is not None), None)
            rows.append([name, str(rows_seen) if rows_seen is not None else "?",
                         show(*latency(entry)), num(entry.get("p95_ms")),
                         show(*latency((drugkg.get("queries_on_disk") or {}).get(name))),
                         show(*latency(p)), num(p.get("p95_ms")),
                         show(*latency(r)), num(r.get("p95_ms")),
                         show(*bounded_ratio(latency(entry), latency(p)), "×"),
                         show(*bounded_ratio(latency(r), latency(entry)), "×"),
                         show(*fresh), show(*bounded_ratio(fresh, latency(entry)), "×")])

        def total(stack: dict) -> tuple[float | None, str]:
            if not stack.get("queries"):
                return None, "none"
            parts = [latency(q) for q in stack["queries"].values()]
            return sum(v for v, _ in parts), "lower" if any(k == "lower" for _, k in parts) else "exact"

        sums = [total(s) for s in (drugkg, pyox, rdf)]
        on_disk = total({"queries": drugkg.get("queries_on_disk")})
        fresh = total({"queries": cli})
        rows.append(["**sum of medians**", "", show(*sums[0]), "", show(*on_disk), show(*sums[1]), "", show(*sums[2]), "",
                     show(*bounded_ratio(sums[0], sums[1]), "×"), show(*bounded_ratio(sums[2], sums[0]), "×"),
                     show(*fresh), show(*bounded_ratio(fresh, sums[0]), "×")])
        lines += _table(["query", "rows", "drugkg", "p95", "on disk", "pyoxigraph", "p95", "rdflib", "p95", "drugkg/pyoxigraph",
                         "rdflib/drugkg", "fresh process", "fresh/in memory"], rows)

    server = stacks.get("server")
    if server and server.get("status") != "skipped":
        lines += ["### Server", ""]
        rows = []
        for name, entry in server.get("servers", {}).items():
            if entry.get("status") != "ok":
                rows.append([name, entry.get("status", "?"), "", "", "", "", "", "", entry.get("reason", "")])
                continue
            rows.append([name, str(entry["requests"]), str(entry["concurrency"]), num(entry["requests_per_second"]),
                         num(entry["median_ms"]), num(entry["p95_ms"]), num(entry.get("peak_mb")),
                         num(entry["start_seconds"]), ""])
        lines += _table(["server", "requests", "concurrency", "requests/s", "median ms", "p95 ms", "peak MB",
                         "start s", "note"], rows)
        ours, theirs = server.get("servers", {}).get("drugkg", {}), server.get("servers", {}).get("oxigraph", {})
        if ours.get("requests_per_second") and theirs.get("requests_per_second"):
            lines += [f"drugkg serve / Oxigraph server ({theirs.get('store')} store), requests per second: "
                      f"{num(ours['requests_per_second'] / theirs['requests_per_second'])}×; median latency: "
                      f"{num(ours['median_ms'] / theirs['median_ms'])}×", ""]
    elif server:
        lines += ["### Server", "", f"skipped: {server.get('reason', '')}", ""]

    rebuild = stacks.get("rebuild")
    if rebuild:
        lines += ["### Rebuild after editing one data file", ""]
        if _ok(rebuild):
            edit, comparison = rebuild["edit"], rebuild["comparison"]
            lines += [f"`{edit['file']}` line {edit['line']}: `{edit['before']}` → `{edit['after']}`. Each build in a "
                      "fresh process; seconds of `drugkg.build.build` alone.", ""]
            lines += _table(["build", "seconds"], [
                ["first build of the corpus into DIST", num(rebuild["first_build_seconds"])],
                ["rebuild of the edited copy over DIST", num(rebuild["rebuild_seconds"])],
                ["full build of the edited copy into a fresh folder", num(rebuild["full_build_seconds"])],
                ["**rebuild / full build**", num(rebuild["ratio"]) + "×"]])
            lines += [f"Output {'identical' if comparison['identical'] else '**differs**'}"
                      + (f" ({', '.join(comparison['differing'])})" if comparison["differing"] else "")
                      + f": {', '.join(comparison['compared'])} byte for byte (void.ttl without the lineage triples a "
                      "replacing build adds), store/ by its quads; left out: "
                      + (", ".join(comparison["excluded"]) or "none") + ".", ""]
        else:
            lines += [f"{rebuild.get('status')}: {(rebuild.get('error') or rebuild.get('reason') or '').strip()[-500:]}", ""]
    return lines


def _runs(stack: dict) -> str:
    runs = sorted({q["runs"] for q in (stack.get("queries") or {}).values() if "runs" in q})
    if not runs:
        return "–"
    return str(runs[0]) if len(runs) == 1 else f"{runs[0]}–{runs[-1]}"


def markdown(results: dict) -> str:
    machine = results["machine"]
    versions = ", ".join(f"{k} {v}" for k, v in machine["versions"].items() if v)
    lines = ["# drugkg benchmark", "",
             f"Run {results['date']} with `{' '.join(results['command'])}`, on {machine['cpu']} "
             f"({machine['cores']} cores, {machine['ram_gb']} GB RAM), Python {machine['python']}; {versions}; "
             f"drugkg commit {machine.get('drugkg_commit')}. Synthetic corpus (`benchmarks/corpus.py`, seed "
             f"{results['options']['seed']}); every ratio compares figures from this one run.", ""]
    if results.get("targets"):
        lines += ["## Targets", "", "Each at the largest size whose drugkg stack finished, or, for the server, cli and rebuild "
                  "stacks, the largest size they ran at (see --all-stacks-max-size).", ""]
        lines += _table(["target", "drugs", "limit", "measured", "result", "detail"],
                        [[t["target"], f"{t['size']:,}" if t["size"] else "–", t["limit"], t["measured"],
                          f"**{t['result']}**", t["detail"]] for t in results["targets"]])
    startup = results.get("cli_startup")
    if startup:
        lines += ["## CLI start-up", "", f"Median wall time of {startup['runs']} runs each.", ""]
        lines += _table(["command", "median ms"], [[f"`{k}`", num(v)] for k, v in startup["median_ms"].items()])
    for size in results["sizes"]:
        lines += size_markdown(size)
    return "\n".join(lines).rstrip() + "\n"


# ---------------------------------------------------------------------------------------------------------------
# plot.png
# ---------------------------------------------------------------------------------------------------------------


def plot(results: dict, path: Path) -> None:
    """Time and peak memory of each stage against the number of drugs, log-log, one line per stack and stage."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    series: dict[tuple[str, str], dict[int, tuple[float | None, float | None]]] = {}
    for size in results["sizes"]:
        n = size["drugs"]
        for name in STACK_ORDER:
            stack = size["stacks"].get(name) or {}
            for stage, entry in (stack.get("stages") or {}).items():
                if entry.get("timed_out"):
                    continue
                seconds = None if stage == "queries" else entry["seconds"]  # depends on --repeat: summed medians below
                series.setdefault((name, stage), {})[n] = (seconds, stage_peak(entry))
            if stack.get("queries") and not any(q.get("timed_out") for q in stack["queries"].values()):  # exact sums only
                total = sum(q["median_ms"] for q in stack["queries"].values()) / 1000
                series.setdefault((name, "queries (sum of medians)"), {})[n] = (total, None)
            if name == "drugkg" and build_seconds(stack) is not None:
                series.setdefault((name, "build total"), {})[n] = (build_seconds(stack), None)
    figure, (left, right) = plt.subplots(1, 2, figsize=(15, 6.5))
    styles = {"drugkg": "-", "pyoxigraph": "--", "rdflib": ":"}
    markers = {"drugkg": "o", "pyoxigraph": "s", "rdflib": "^"}
    colours = plt.get_cmap("tab20")
    stages = sorted({stage for _, stage in series})
    for (stack, stage), points in sorted(series.items()):
        colour = colours(stages.index(stage) % 20)
        for axis, index in ((left, 0), (right, 1)):
            xy = sorted((n, v[index]) for n, v in points.items() if v[index])
            if xy:
                axis.plot([p[0] for p in xy], [p[1] for p in xy], linestyle=styles[stack], marker=markers[stack],
                          color=colour, label=f"{stack}: {stage}")
    for axis, label in ((left, "seconds"), (right, "peak resident memory, MB")):
        axis.set_xscale("log")
        axis.set_yscale("log")
        axis.set_xlabel("synthetic drugs")
        axis.set_ylabel(label)
        axis.grid(True, which="both", alpha=0.3)
    left.set_title("time per stage")
    right.set_title("peak memory per stage (with the reasoner's Java VM)")
    handles, labels = left.get_legend_handles_labels()
    more, more_labels = right.get_legend_handles_labels()
    for handle, label in zip(more, more_labels, strict=True):
        if label not in labels:
            handles.append(handle)
            labels.append(label)
    figure.legend(handles, labels, loc="center right", fontsize="small")
    figure.suptitle(f"drugkg benchmark, {results['date']} (solid: drugkg, dashed: pyoxigraph, dotted: rdflib)")
    figure.tight_layout(rect=(0, 0, 0.8, 0.95))
    figure.savefig(path, dpi=110)
    plt.close(figure)


def write_all(results: dict, out: Path) -> None:
    """results.json, results.md and plot.png in ``out`` (the plot is left out, with a note, without matplotlib)."""
    try:
        plot(results, out / "plot.png")
        results.pop("plot_error", None)
    except ImportError as exc:
        results["plot_error"] = f"no plot: {exc} (pip install matplotlib)"
    write_json(out / "results.json", results)
    (out / "results.md").write_text(markdown(results), encoding="utf-8")
