"""The stacks benchmarks/run.py measures, each run in its own process (``run.py --worker STACK``).

- ``drugkg``: the full ``drugkg build`` through ``drugkg.build.build`` (its progress messages cut the stages), the
  export of the four formats timed on its own (``export.write_export`` from an in-memory store, as the build
  writes them), then every saved query through ``engine.run_local`` on the build loaded into memory by
  ``engine.memory_store`` (what ``drugkg serve`` answers from), and again on the on-disk store that ``drugkg query``
  opens (``engine.open_store``; reported apart, no target). It also chooses the parameter values (see
  :func:`choose_bindings`) and writes the bound query texts that every other stack runs.
- ``pyoxigraph`` (the practical limit): an in-memory ``pyoxigraph.Store``, the exported N-Triples, the ontology and
  the inferred triples bulk-loaded into the graphs the drugkg store uses, the same query texts over the union of
  the graphs, and the asserted graph serialized in the four formats.
- ``rdflib`` (the naive way): an in-memory rdflib ``Dataset`` with ``default_union=True``, the same files parsed
  into the same graphs, the same texts on rdflib's SPARQL engine, and rdflib's own four serializers.
- ``server``: ``drugkg serve`` and the Oxigraph server from the ``oxigraph`` wheel on the same data, each driven by
  the same bounded load (see :func:`drive`).

Each worker writes its result as JSON, rewritten after every stage, so a worker stopped by the time limit still
leaves what it measured. This module imports neither drugkg, pyoxigraph nor rdflib at module level: each stack
imports only what it uses.
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

from bench_measure import Meter, descendants, latency_summary, status_kb, write_json

ROOT_FOLDER = Path(__file__).resolve().parent.parent  # the checkout: where the builds run

FORMATS = {  # file name: (pyoxigraph format name, rdflib format name)
    "drugkg.ttl": ("TURTLE", "turtle"),
    "drugkg.nt": ("N_TRIPLES", "nt"),
    "drugkg.jsonld": ("JSON_LD", "json-ld"),
    "drugkg.rdf": ("RDF_XML", "xml"),
}

# The stages of drugkg.build.build, told by the progress message that opens each one: (how the message starts, or a
# word in it), in order. Matched loosely, so that a reworded message still lands in its stage.
BUILD_STAGES = (
    ("compile", ("reading",), ()),
    ("store", ("loading",), ()),
    ("checks", (), ("data-quality",)),
    ("shacl", (), ("shacl",)),
    ("reasoning", ("reasoning",), ("hermit", "reasoner")),
    ("exports", ("writing",), ("export",)),
)
BUILD_STAGE_NAMES = tuple(name for name, _, _ in BUILD_STAGES)


def stage_of(message: str) -> str:
    """The build stage a progress message of ``drugkg.build.build`` opens (an unknown message names its own).

    >>> stage_of("reasoning: HermiT classifies the ontology"), stage_of("validating against the SHACL shapes in x")
    ('reasoning', 'shacl')
    >>> stage_of("sorting the triples")
    'sorting-the-triples'
    """
    text = message.lower()
    for name, starts, words in BUILD_STAGES:
        if text.startswith(starts) or any(word in text for word in words):
            return name
    return "-".join(text.split()[:3])


class BuildTimeout(Exception):
    """The build ran past --build-timeout."""


def log(args, message: str) -> None:
    print(f"[{args.drugs} drugs, {args.worker}] {message}", file=sys.stderr, flush=True)


def count_rows(result) -> int:
    return sum(1 for _ in result)


class QueryTimeout(BaseException):
    """A query or a serializer ran past its time limit. A BaseException, like KeyboardInterrupt, so that library code
    catching Exception cannot swallow it (rdflib's Turtle serializer did, and ran on for hours past the limit)."""


class _Deadline:
    """Raise QueryTimeout in this (main) thread after ``seconds``; interrupts Python code such as rdflib's SPARQL
    engine, not a call into native code (which is why only the rdflib stack uses it)."""

    def __init__(self, seconds: float | None):
        self.seconds = seconds

    def __enter__(self):
        if self.seconds:
            self.previous = signal.signal(signal.SIGALRM, self._raise)
            signal.setitimer(signal.ITIMER_REAL, self.seconds)

    def __exit__(self, *exc):
        if self.seconds:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, self.previous)

    @staticmethod
    def _raise(signum, frame):
        raise QueryTimeout()


def heartbeat_path(result: Path) -> Path:
    """The file a worker writes while a query warms up: which query and since when (the parent's watchdog reads
    it to stop a query past --query-timeout, even one inside native code that no signal interrupts)."""
    return result.with_name(result.name + ".current")


def time_queries(run, texts: dict[str, str], repeat: int, *, budget: float | None = None,
                 interrupt_after: float | None = None, heartbeat: Path | None = None, say=None,
                 out: dict | None = None, save=None, section: str = "queries") -> dict:
    """Run each query once to warm up, then ``repeat`` times; ``run(text)`` returns the row count after consuming
    every row.

    With ``budget``, fewer timed runs (at least one) if the warm-up says ``repeat`` would take longer, and none
    if the warm-up alone took longer than the budget: then the warm-up is the one measurement. With
    ``interrupt_after``, a run past that many seconds is interrupted here (Python code only: rdflib) and the query
    recorded as unfinished (no rows). Queries already in ``out`` are skipped (a resumed worker); each query's figures
    go into ``out`` as soon as they are known, and ``save()`` is called. ``section`` names the key of the result that
    ``out`` is, for the watchdog to record a query it stops.
    """
    out = {} if out is None else out
    for name, text in texts.items():
        if name in out:
            continue
        if heartbeat is not None:
            heartbeat.write_text(json.dumps({"query": name, "section": section, "since": time.time()}), encoding="utf-8")
        started = time.perf_counter()
        try:
            with _Deadline(interrupt_after):
                rows = run(text)
        except QueryTimeout:
            out[name] = {"rows": None, "timed_out": True, "limit_ms": interrupt_after * 1000}
            if say is not None:
                say(f"query {name}: stopped after {interrupt_after:g} s")
            if save is not None:
                save()
            continue
        finally:
            if heartbeat is not None:
                heartbeat.unlink(missing_ok=True)
        warm = time.perf_counter() - started
        if budget is not None and warm > budget:
            # slower than the whole budget: its first run is its one measurement (no warm-up effect is worth
            # another run of this length; rdflib at 1,000 drugs has many such queries)
            out[name] = {"rows": rows, "warmup_ms": warm * 1000, **latency_summary([warm]), "times_ms": [warm * 1000],
                         "first_run_only": True}
            if say is not None:
                say(f"query {name}: {rows} rows, {warm:.1f} s, over the budget: one run")
            if save is not None:
                save()
            continue
        runs = repeat if budget is None or warm * repeat <= budget else max(1, int(budget / max(warm, 1e-9)))
        seconds = []
        for _ in range(runs):
            started = time.perf_counter()
            with _Deadline(interrupt_after and max(interrupt_after, 3 * warm)):
                again = run(text)
            seconds.append(time.perf_counter() - started)
            if again != rows:
                raise RuntimeError(f"query {name} gave {rows} rows, then {again}")
        out[name] = {"rows": rows, "warmup_ms": warm * 1000, **latency_summary(seconds),
                     "times_ms": [s * 1000 for s in seconds]}
        if say is not None and warm > 1:
            say(f"query {name}: {rows} rows, {warm:.1f} s warm-up, {runs} run(s)")
        if save is not None:
            save()
    return out


def previous_result(args) -> dict | None:
    """What this stack's earlier process wrote, when resuming after the watchdog stopped a query."""
    if not args.resume:
        return None
    return json.loads(args.result.read_text(encoding="utf-8"))


# ---------------------------------------------------------------------------------------------------------------
# drugkg
# ---------------------------------------------------------------------------------------------------------------


def real_types(iris: set[str]) -> dict[str, list[str]]:
    """The rdf:type of each IRI in the real data (``data/``, compiled without validation layers or reasoning)."""
    import pyoxigraph as ox

    from drugkg.build import compile_graph
    from drugkg.paths import default_data_dir, default_ontology

    compiled = compile_graph(default_data_dir(), default_ontology())
    store = ox.Store()
    store.bulk_load(compiled.ntriples.encode("utf-8"), format=ox.RdfFormat.N_TRIPLES)
    rdf_type = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    return {iri: sorted(q.object.value for q in store.quads_for_pattern(ox.NamedNode(iri), rdf_type, None))
            for iri in iris}


def choose_bindings(store, saved: dict, candidates_per_parameter: int = 50) -> dict[str, dict[str, dict]]:
    """The value bound to each parameter that has a default, so that every query returns rows on this store.

    The defaults name Hemgenix resources, which a synthetic corpus does not have. An IRI parameter is bound to an
    entity of the synthetic graph with the same rdf:type(s) as the default has in the real data: the first one, in
    IRI order, for which the query returns rows. A text parameter keeps its default if that returns rows, else
    takes the label of the first entity bound elsewhere (in query order) for which the query returns rows. A
    parameter without a default stays unbound (UNDEF), as the query's own default says.
    """
    from drugkg.engine import run_local
    from drugkg.queries import iri_term

    defaults = {}
    for query in saved.values():
        for p in query.parameters:
            if p.kind == "iri" and query.defaults.get(p.name):
                defaults[(query.name, p.name)] = iri_term(p.name, query.defaults[p.name]).value
    types = real_types(set(defaults.values()))
    entity_cache: dict[tuple[str, ...], list[str]] = {}

    def entities(classes: list[str]) -> list[str]:
        key = tuple(classes)
        if key not in entity_cache:
            patterns = " ".join(f"?e a <{c}> ." for c in classes)
            text = (f"SELECT DISTINCT ?e WHERE {{ {patterns} FILTER(isIRI(?e)) }} "
                    f"ORDER BY STR(?e) LIMIT {candidates_per_parameter}")
            entity_cache[key] = [row["e"].value for row in store.query(text)]  # asserted types: the default graph
        return entity_cache[key]

    def rows(query, values: dict[str, str]) -> int:
        """Whether the bound query has a row: without its final ORDER BY and with LIMIT 1 (much faster on a large
        graph), or as it is if that cut does not parse (an ORDER BY that is not the query's own)."""
        text = query.bind(values)
        cut = text.upper().rfind("ORDER BY")
        if cut > 0:
            try:
                return count_rows(store.query(text[:cut] + "\nLIMIT 1", use_default_graph_as_union=True))
            except SyntaxError:
                pass
        return count_rows(run_local(store, text))

    chosen: dict[str, dict[str, dict]] = {}
    labels: list[str] = []
    for query in saved.values():  # IRI parameters first: text parameters may take their labels
        params = chosen.setdefault(query.name, {})
        for p in query.parameters:
            if (query.name, p.name) not in defaults:
                continue
            default = defaults[(query.name, p.name)]
            classes = types.get(default, [])
            options = entities(classes) if classes else []
            entry = {"default": default, "class": classes, "value": options[0] if options else None,
                     "rule": "first entity of the class in IRI order that gives rows"}
            for tried, option in enumerate(options, 1):
                others = {n: e["value"] for n, e in params.items() if e["value"]}
                if rows(query, {**others, p.name: option}):
                    entry.update(value=option, tried=tried)
                    break
            else:
                entry["rule"] = "no entity of the class gives rows: the first one" if options else \
                    "the default has no rdf:type in the real data: left as the default"
                entry["value"] = entry["value"] or default
            params[p.name] = entry
    for query in saved.values():
        for entry in chosen[query.name].values():
            label = store.query(f"SELECT ?l WHERE {{ <{entry['value']}> <http://www.w3.org/2000/01/rdf-schema#label> ?l }}"
                                " ORDER BY ?l LIMIT 1")
            labels.extend(row["l"].value for row in label)
    labels = list(dict.fromkeys(labels))
    for query in saved.values():
        params = chosen[query.name]
        for p in query.parameters:
            default = query.defaults.get(p.name)
            if p.kind == "iri" or not default:
                continue
            others = {n: e["value"] for n, e in params.items()}
            entry = {"default": default, "value": default, "rule": "the default gives rows"}
            if not rows(query, {**others, p.name: default}):
                entry["rule"] = "the label of the first bound entity that gives rows"
                for tried, label in enumerate(labels, 1):
                    if rows(query, {**others, p.name: label}):
                        entry.update(value=label, tried=tried)
                        break
                else:
                    entry["rule"] = "nothing found that gives rows: left as the default"
            params[p.name] = entry
    return chosen


def _stop_children() -> None:
    """Stop this process's descendants (the reasoner's Java VM), by process id."""
    for pid in descendants(os.getpid()):
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass


def drugkg_stack(args) -> dict:
    """Build with ``drugkg.build.build``, time the exports on their own, then run every saved query on the build
    in memory and on the on-disk store (a resumed worker goes straight to the queries not yet measured)."""
    from drugkg.engine import memory_store, open_store, run_local
    from drugkg.paths import default_queries_dir
    from drugkg.queries import catalogue

    result = previous_result(args) or {"stack": "drugkg", "status": "running", "stages": {}, "build_messages": []}
    meter = Meter()
    meter.stages.update(result["stages"])

    def save() -> None:
        result["stages"] = dict(meter.stages)
        write_json(args.result, result)

    dist = args.work / "dist"
    if "texts" not in result:
        _build(args, result, meter, save)
        with meter.stage("memory-store"):
            store = memory_store(dist, result["base"])
        saved = {name: q for name, q in catalogue(default_queries_dir()).items() if not name.startswith("checks/")}
        log(args, f"choosing parameter values for {len(saved)} saved queries")
        result["bindings"] = choose_bindings(store, saved)
        result["texts"] = {name: q.bind({p: e["value"] for p, e in result["bindings"][name].items()})
                           for name, q in saved.items()}
        result["queries"] = {}
        result["queries_on_disk"] = {}
        save()
    else:
        log(args, f"resuming after {len(result['queries'])} + {len(result['queries_on_disk'])} queries")
        store = memory_store(dist, result["base"]) if len(result["queries"]) < len(result["texts"]) else None
    heartbeat = heartbeat_path(args.result)
    log(args, f"running {len(result['texts'])} saved queries in memory, {args.repeat} time(s) each after a warm-up")
    with meter.stage("queries"):
        time_queries(lambda text: count_rows(run_local(store, text)), result["texts"], args.repeat,
                     budget=args.query_budget, heartbeat=heartbeat, say=lambda m: log(args, m),
                     out=result["queries"], save=save)
    store = None  # the on-disk figures are measured without the in-memory copy
    # The on-disk store (what a one-off 'drugkg query' opens): the same texts, fewer runs; reported, not a target.
    # A query the watchdog stopped in memory is not run again here.
    disk_texts = {n: t for n, t in result["texts"].items() if not result["queries"][n].get("timed_out")}
    log(args, f"running {len(disk_texts)} saved queries on the on-disk store")
    with meter.stage("open-disk-store"):
        disk = open_store(dist)
    with meter.stage("queries-on-disk"):
        time_queries(lambda text: count_rows(run_local(disk, text)), disk_texts, min(args.repeat, 3),
                     budget=args.query_budget / 10, heartbeat=heartbeat, say=lambda m: log(args, m),
                     out=result["queries_on_disk"], save=save, section="queries_on_disk")
    result["status"] = "ok"
    save()
    return result


def _build(args, result: dict, meter: Meter, save) -> None:
    """The full build with its stages, then the four export formats on their own; if the build does not finish
    within --build-timeout, a graph for the other stacks written by drugkg's functions without the validation
    layers and without reasoning (inferred.ttl is empty), and the figures say so."""
    import pyoxigraph as ox

    from drugkg.build import build, compile_graph
    from drugkg.engine import ONTOLOGY_GRAPH, inferred_graph, write_store
    from drugkg.export import EXPORTS, dump_export, write_graph
    from drugkg.paths import default_ontology
    from drugkg.vocab import WRITE_PREFIXES
    from drugkg.void import write_void

    dist = args.work / "dist"
    ontology = default_ontology()

    def progress(message: str) -> None:
        meter.stop()
        result["build_messages"].append(message)
        save()
        log(args, f"build: {message}")
        meter.start(stage_of(message))

    def alarm(signum, frame):
        raise BuildTimeout()

    def export_formats(compiled, folder: Path, store) -> None:
        """The four formats written as the build writes them, each timed (the store is already loaded): N-Triples
        is the compiled text, which a build writes as it compiles (here copied from the build's file: the text is
        never read into memory, 4 GB at 10,000 drugs), the others dumped from the store."""
        with meter.stage("export-formats"):
            result["export_formats"] = {}
            for name, fmt in EXPORTS.items():
                begun = time.perf_counter()
                if fmt is not ox.RdfFormat.N_TRIPLES:
                    dump_export(store, folder / name, fmt)
                elif compiled.text_file is not None:
                    shutil.copyfile(compiled.text_file, folder / name)
                else:
                    write_graph(compiled.text, folder / name, fmt)
                result["export_formats"][name] = time.perf_counter() - begun

    if dist.exists():
        shutil.rmtree(dist)
    previous = signal.signal(signal.SIGALRM, alarm)
    if args.build_timeout:
        signal.setitimer(signal.ITIMER_REAL, args.build_timeout)
    started = time.perf_counter()
    compiled = None
    try:
        compiled, _ = build(args.corpus, dist, ontology, progress=progress)
        meter.stop()
        result["build"] = {"status": "ok", "seconds": time.perf_counter() - started}
    except BuildTimeout:
        running = meter.running
        meter.stop()
        _stop_children()
        meter.stages[running]["timed_out"] = True
        result["build"] = {"status": "timeout", "seconds": time.perf_counter() - started, "stage": running,
                           "limit_seconds": args.build_timeout}
        log(args, f"build: stopped after {args.build_timeout:g} s in stage {running} (--build-timeout)")
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    save()

    if compiled is not None:
        # the four formats alone (the build's exports stage also writes VoID, the ontology, the inferred triples),
        # from an in-memory store as the build writes them; loading that store is not part of the figure
        folder = args.work / "export-formats"
        folder.mkdir(exist_ok=True)
        memory = write_store(None, compiled.text_file, ontology)  # from the file, as the build loads it
        export_formats(compiled, folder, memory)
        del memory
        shutil.rmtree(folder)
    else:
        with meter.stage("fallback-compile"):
            compiled = compile_graph(args.corpus, ontology)
        staging = args.work / "dist-fallback"
        if staging.exists():
            shutil.rmtree(staging)
        staging.mkdir(parents=True)
        with meter.stage("fallback-store"):
            store = write_store(staging / "store", compiled.ntriples, ontology)
        export_formats(compiled, staging, store)
        with meter.stage("fallback-void"):  # drugkg serve reads the base IRI from it
            write_void(store, compiled, ontology, staging, [staging / name for name in EXPORTS])
        shutil.copyfile(ontology, staging / "drugkg-ontology.ttl")
        (staging / "inferred.ttl").write_text("", encoding="utf-8")
        store.flush()
        del store
        staging.rename(dist)
        result["unvalidated_unreasoned"] = True
    result["counts"] = compiled.counts
    result["base"] = compiled.base
    result["graphs"] = {"ontology": ONTOLOGY_GRAPH.value, "inferred": inferred_graph(compiled.base).value}
    result["prefixes"] = dict(WRITE_PREFIXES)
    save()


# ---------------------------------------------------------------------------------------------------------------
# pyoxigraph and rdflib, on the files drugkg exported
# ---------------------------------------------------------------------------------------------------------------


def _baseline(args, name: str, load, query, serialize) -> dict:
    """The shape both baselines share: load the exports (not metered again when resuming), run the same bound
    texts, serialize the asserted graph in the four formats."""
    spec = json.loads(args.bindings.read_text(encoding="utf-8"))
    dist = args.work / "dist"
    result = previous_result(args) or {"stack": name, "status": "running", "stages": {}, "queries": {}}
    meter = Meter()
    meter.stages.update(result["stages"])

    def save() -> None:
        result["stages"] = dict(meter.stages)
        write_json(args.result, result)

    if "load" in result["stages"]:
        log(args, f"resuming after {len(result['queries'])} queries")
        handle = load(spec, dist)
    else:
        with meter.stage("load"):
            handle = load(spec, dist)
        save()
    limit = args.query_timeout if name == "rdflib" and args.query_timeout else None
    result["query_budget_seconds"] = args.query_budget
    with meter.stage("queries"):
        time_queries(lambda text: query(handle, text), spec["texts"], args.repeat, budget=args.query_budget,
                     interrupt_after=limit, heartbeat=heartbeat_path(args.result), say=lambda m: log(args, m),
                     out=result["queries"], save=save)
    save()
    folder = args.work / f"{name}-out"
    folder.mkdir(exist_ok=True)
    result["serialize_formats"] = {}
    # rdflib's serializers are Python code: a format past --query-timeout is stopped and recorded as that limit, a
    # lower bound (its Turtle writer took 2 s at 10 drugs and 109 s at 100 here; at 1,000 it would take hours)
    result["serialize_timed_out"] = []
    with meter.stage("serialize"):
        for file in FORMATS:
            begun = time.perf_counter()
            try:
                with _Deadline(limit):
                    serialize(handle, spec, file, folder / file)
            except QueryTimeout:
                result["serialize_timed_out"].append(file)
                log(args, f"writing {file}: stopped after {limit:g} s")
            result["serialize_formats"][file] = time.perf_counter() - begun
            save()
    shutil.rmtree(folder)
    result["status"] = "ok"
    save()
    return result


def pyoxigraph_stack(args) -> dict:
    """Raw pyoxigraph: load the exports into an in-memory store, run the same texts, serialize."""
    import pyoxigraph as ox

    def load(spec: dict, dist: Path):
        store = ox.Store()
        store.bulk_load(path=str(dist / "drugkg.nt"), format=ox.RdfFormat.N_TRIPLES)
        store.bulk_load(path=str(dist / "drugkg-ontology.ttl"), format=ox.RdfFormat.TURTLE,
                        to_graph=ox.NamedNode(spec["graphs"]["ontology"]))
        store.bulk_load(path=str(dist / "inferred.ttl"), format=ox.RdfFormat.TURTLE,
                        to_graph=ox.NamedNode(spec["graphs"]["inferred"]))
        return store

    def query(store, text: str) -> int:
        return count_rows(store.query(text, use_default_graph_as_union=True))

    def serialize(store, spec: dict, file: str, path: Path) -> None:
        fmt = getattr(ox.RdfFormat, FORMATS[file][0])
        prefixes = None if fmt is ox.RdfFormat.RDF_XML else spec["prefixes"]  # as drugkg's exports do
        store.dump(str(path), format=fmt, from_graph=ox.DefaultGraph(), prefixes=prefixes)

    return _baseline(args, "pyoxigraph", load, query, serialize)


def rdflib_stack(args) -> dict:
    """Plain rdflib in memory: parse the exports into a Dataset, the same texts on its SPARQL engine, serialize."""
    from rdflib import Dataset, URIRef

    def load(spec: dict, dist: Path):
        dataset = Dataset(default_union=True)
        dataset.default_graph.parse(str(dist / "drugkg.nt"), format="nt")
        dataset.graph(URIRef(spec["graphs"]["ontology"])).parse(str(dist / "drugkg-ontology.ttl"), format="turtle")
        dataset.graph(URIRef(spec["graphs"]["inferred"])).parse(str(dist / "inferred.ttl"), format="turtle")
        for prefix, namespace in spec["prefixes"].items():
            dataset.default_graph.bind(prefix, namespace, override=True, replace=True)
        return dataset

    def query(dataset, text: str) -> int:
        return count_rows(dataset.query(text))

    def serialize(dataset, spec: dict, file: str, path: Path) -> None:
        dataset.default_graph.serialize(destination=str(path), format=FORMATS[file][1], encoding="utf-8")

    return _baseline(args, "rdflib", load, query, serialize)


# ---------------------------------------------------------------------------------------------------------------
# servers
# ---------------------------------------------------------------------------------------------------------------


def free_port() -> int:
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def executable(name: str) -> str | None:
    """A command from this environment's bin folder (where pip puts it), else from PATH."""
    local = Path(sys.executable).parent / name
    return str(local) if local.is_file() else shutil.which(name)


class Server:
    """A server process started here, stopped by its process id."""

    def __init__(self, argv: list[str], port: int, ready_path: str, log_path: Path, timeout: float):
        self.log_path = log_path
        handle = log_path.open("wb")
        started = time.perf_counter()
        self.process = subprocess.Popen(argv, stdout=handle, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        handle.close()
        deadline = time.monotonic() + timeout
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"{argv[0]} exited with {self.process.returncode}: "
                                   f"{log_path.read_text(errors='replace')[-2000:]}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                conn.request("GET", ready_path)
                conn.getresponse().read()
                conn.close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError(f"{argv[0]} did not answer within {timeout:g} s; log: {log_path}") from None
                time.sleep(0.1)
        self.start_seconds = time.perf_counter() - started

    def peak_mb(self) -> float | None:
        """Peak resident size of the server and its descendants (drugkg's query workers), in MB."""
        pids = [self.process.pid, *descendants(self.process.pid)]
        sizes = [status_kb("VmHWM", Path(f"/proc/{pid}/status")) for pid in pids]
        return sum(s for s in sizes if s) / 1024 if any(sizes) else None

    def stop(self) -> None:
        if self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.kill(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=15)


def tsv_rows(body: bytes) -> int:
    """Rows of a SPARQL TSV answer: its lines less the header (a literal's newline is escaped in TSV).

    >>> tsv_rows(b"?a\\t?b\\n<x>\\t1\\n<y>\\t2\\n"), tsv_rows(b"?a\\n"), tsv_rows(b"?a\\n<x>")
    (2, 0, 1)
    """
    lines = body.count(b"\n") + (0 if body.endswith(b"\n") else 1)
    return max(0, lines - 1)


ACCEPT = {"Accept": "text/tab-separated-values"}


def drive(port: int, paths: list[tuple[str, str]], expected: dict[str, int], concurrency: int, total: int,
          timeout: float) -> dict:
    """A bounded load: ``concurrency`` threads, each with one keep-alive connection, sending GET requests for
    ``paths`` ((query name, path)) in round-robin until ``total`` requests have been sent; every answer must be a
    200 with the expected number of rows."""
    lock = threading.Lock()
    counter = iter(range(total))
    records: list[tuple[str, float, int, int]] = []
    barrier = threading.Barrier(concurrency + 1)

    def worker() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        mine = []
        barrier.wait()
        while True:
            with lock:
                index = next(counter, None)
            if index is None:
                break
            name, path = paths[index % len(paths)]
            begun = time.perf_counter()
            conn.request("GET", path, headers=ACCEPT)
            response = conn.getresponse()
            body = response.read()
            mine.append((name, time.perf_counter() - begun, response.status, tsv_rows(body)))
        conn.close()
        with lock:
            records.extend(mine)

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    bad_status = sum(1 for r in records if r[2] != 200)
    bad_rows = sorted({r[0] for r in records if r[2] == 200 and r[3] != expected[r[0]]})
    by_query = {}
    for name, _ in paths:
        times = [r[1] for r in records if r[0] == name]
        if times:
            by_query[name] = latency_summary(times)
    return {
        "requests": len(records), "concurrency": concurrency, "seconds": wall,
        "requests_per_second": len(records) / wall if wall else None,
        **latency_summary([r[1] for r in records]),
        "non_200": bad_status, "row_mismatches": bad_rows, "by_query": by_query,
    }


def _verify(port: int, paths: list[tuple[str, str]], timeout: float) -> tuple[dict[str, int], dict[str, str]]:
    """One request per query: the row count of each 200 answer, and the status and text of the others."""
    rows, errors = {}, {}
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    for name, path in paths:
        conn.request("GET", path, headers=ACCEPT)
        response = conn.getresponse()
        body = response.read()
        if response.status == 200:
            rows[name] = tsv_rows(body)
        else:
            errors[name] = f"{response.status}: {body[:300].decode('utf-8', 'replace')}"
    conn.close()
    return rows, errors


def _graph_files(spec: dict) -> list[tuple[str, str | None]]:
    """The files of the build and the graph each goes in (None: the default graph), as in drugkg's own store."""
    return [("drugkg.nt", None), ("drugkg-ontology.ttl", spec["graphs"]["ontology"]),
            ("inferred.ttl", spec["graphs"]["inferred"])]


def _post_graphs(port: int, dist: Path, spec: dict) -> float:
    """Load the build into an Oxigraph server through its Graph Store Protocol endpoint; the seconds it took."""
    begun = time.perf_counter()
    for file, graph in _graph_files(spec):
        body = (dist / file).read_bytes()
        if not body:
            continue
        target = "/store?" + ("default" if graph is None else urllib.parse.urlencode({"graph": graph}))
        media = "application/n-triples" if file.endswith(".nt") else "text/turtle"
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=3600)
        conn.request("POST", target, body=body, headers={"Content-Type": media})
        response = conn.getresponse()
        detail = response.read()
        conn.close()
        if response.status not in (200, 201, 204):
            raise RuntimeError(f"the Oxigraph server refused {file}: {response.status} {detail[:300]!r}")
    return time.perf_counter() - begun


def server_stack(args) -> dict:
    """``drugkg serve`` and the Oxigraph server on the same data, under the same bounded load."""
    spec = json.loads(args.bindings.read_text(encoding="utf-8"))
    dist = args.work / "dist"
    expected = {name: entry["rows"] for name, entry in spec["queries"].items() if not entry.get("timed_out")}
    result: dict = {"stack": "server", "status": "running", "servers": {}}
    names = [name for name in spec["texts"] if name in expected]
    result["excluded"] = sorted(set(spec["texts"]) - set(expected))  # past --query-timeout on the embedded store
    limit = max(60.0, 4 * (args.query_timeout or 900))  # the servers' own limit: far above the embedded one

    def paths(endpoint: str) -> list[tuple[str, str]]:
        return [(n, f"{endpoint}?{urllib.parse.urlencode({'query': spec['texts'][n]})}") for n in names]

    oxigraph = executable("oxigraph")
    drugkg = executable("drugkg")
    plans = []
    if drugkg is None:
        raise RuntimeError("the drugkg command is not installed in this environment (pip install -e .)")
    plans.append(("drugkg", "/sparql", lambda port: [
        drugkg, "serve", "--store", str(dist), "--host", "127.0.0.1", "--port", str(port),
        "--workers", str(args.server_workers), "--timeout", f"{limit:g}",
        # no caps: the benchmark asks for every row of queries that return more than the defaults allow
        "--max-rows", "1000000000", "--max-triples", "1000000000"]))
    if oxigraph is None:
        result["servers"]["oxigraph"] = {"status": "missing", "reason": "no oxigraph command (pip install oxigraph)"}
    elif args.oxigraph_store == "disk":  # `oxigraph load` into a folder, then served read-only
        location = args.work / "oxigraph-store"
        if location.exists():
            shutil.rmtree(location)
        begun = time.perf_counter()
        for file, graph in _graph_files(spec):
            argv = [oxigraph, "load", "--location", str(location), "--file", str(dist / file)]
            if graph:
                argv += ["--graph", graph]
            if (dist / file).stat().st_size:
                subprocess.run(argv, check=True, capture_output=True)
        load_seconds = time.perf_counter() - begun
        plans.append(("oxigraph", "/query", lambda port: [
            oxigraph, "serve-read-only", "--location", str(location), "--bind", f"127.0.0.1:{port}",
            "--union-default-graph", "--timeout-s", f"{limit:.0f}"]))
    else:  # in memory: `oxigraph serve` without a location, loaded through its Graph Store Protocol endpoint
        plans.append(("oxigraph", "/query", lambda port: [
            oxigraph, "serve", "--bind", f"127.0.0.1:{port}", "--union-default-graph", "--timeout-s", f"{limit:.0f}"]))
    for name, endpoint, argv in plans:
        port = free_port()
        log(args, f"starting the {name} server on port {port}")
        server = Server(argv(port), port, endpoint, args.work / f"{name}-server.log", timeout=args.server_start_timeout)
        try:
            entry: dict = {"status": "running", "start_seconds": server.start_seconds}
            if name == "oxigraph":
                if args.oxigraph_store == "memory":
                    load_seconds = _post_graphs(port, dist, spec)
                entry.update(load_seconds=load_seconds, store=args.oxigraph_store)
            result["servers"][name] = entry
            started = time.perf_counter()
            rows, errors = _verify(port, paths(endpoint), limit + 60)
            entry["warmup_seconds"] = time.perf_counter() - started
            entry["rows"] = rows
            if errors:
                entry.update(status="failed", errors=errors)
            else:
                log(args, f"{name}: {args.requests} requests over {len(names)} queries, {args.concurrency} at a time")
                entry.update(drive(port, paths(endpoint), expected, args.concurrency, args.requests, limit + 60))
                entry["peak_mb"] = server.peak_mb()
                entry["status"] = "ok" if not entry["non_200"] and not entry["row_mismatches"] else "failed"
        finally:
            server.stop()
        write_json(args.result, result)
    if (args.work / "oxigraph-store").exists():
        shutil.rmtree(args.work / "oxigraph-store")
    result["status"] = "ok" if all(s.get("status") in ("ok", "missing") for s in result["servers"].values()) else "failed"
    write_json(args.result, result)
    return result




# ---------------------------------------------------------------------------------------------------------------
# drugkg query from a fresh process
# ---------------------------------------------------------------------------------------------------------------

# Run in a fresh interpreter for each `drugkg query`: what the `drugkg` console script runs (`from drugkg.cli import
# main; main()`), timed in three parts, written to stderr as its last line: importing the CLI; importing the modules
# the query command imports first thing (drugkg.engine with pyoxigraph, drugkg.queries: imported here just before
# main, so that the command finds them loaded and its own imports cost nothing); and main itself: parsing the
# arguments, opening the on-disk store, binding, answering and writing the rows. The interpreter's start-up comes
# before the first clock.
CLI_WRAPPER = """\
import json, sys, time
begun = time.perf_counter()
from drugkg.cli import main
imported = time.perf_counter()
import drugkg.engine, drugkg.queries
modules = time.perf_counter()
code = main(sys.argv[1:])
sys.stdout.flush()
done = time.perf_counter()
print("BENCH-TIMES " + json.dumps({"import_ms": (imported - begun) * 1000, "modules_ms": (modules - imported) * 1000,
                                   "query_ms": (done - modules) * 1000}), file=sys.stderr)
sys.exit(code)
"""


def cli_query_argv(name: str, bindings: dict, dist: Path) -> list[str]:
    """The ``drugkg query`` arguments of a saved query with the benchmark's bound parameters (TSV, to count rows).

    >>> cli_query_argv("drug-profile", {"drug": {"value": "https://x/d"}}, Path("/w/dist"))
    ['query', 'drug-profile', '--store', '/w/dist', '--format', 'tsv', '--param', 'drug=https://x/d']
    """
    argv = ["query", name, "--store", str(dist), "--format", "tsv"]
    for param, entry in bindings.items():
        if entry.get("value") is not None:
            argv += ["--param", f"{param}={entry['value']}"]
    return argv


def cli_stack(args) -> dict:
    """Every saved query as a one-off ``drugkg query NAME --param ...`` on the on-disk store, each run in a fresh
    process (one warm-up run for the page cache, then --repeat runs); the figure is the time ``main`` takes once the
    CLI and the query command's modules are imported (see ``CLI_WRAPPER``): parsing its arguments, opening the store,
    binding, answering and writing the TSV rows; the import times and the wall time are kept beside it. Every run
    must give the rows the embedded store gave."""
    spec = json.loads(args.bindings.read_text(encoding="utf-8"))
    dist = args.work / "dist"
    result = {"stack": "cli", "status": "running", "queries": {}}
    names = [n for n in spec["texts"] if not spec["queries"][n].get("timed_out")]
    result["excluded"] = sorted(set(spec["texts"]) - set(names))
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}  # as the start-up figure runs
    limit = args.query_timeout or None
    log(args, f"running {len(names)} saved queries as 'drugkg query' in a fresh process each, "
              f"{args.repeat} time(s) after a warm-up")
    for name in names:
        argv = [sys.executable, "-c", CLI_WRAPPER, *cli_query_argv(name, spec["bindings"].get(name, {}), dist)]
        expected = spec["queries"][name]["rows"]
        query_ms, import_ms, modules_ms, wall_ms = [], [], [], []
        entry: dict = {"rows": None}
        for run in range(args.repeat + 1):
            begun = time.perf_counter()
            try:
                done = subprocess.run(argv, capture_output=True, timeout=limit, env=env, cwd=args.work)
            except subprocess.TimeoutExpired:
                entry = {"rows": None, "timed_out": True, "limit_ms": limit * 1000}
                log(args, f"query {name}: stopped after {limit:g} s")
                break
            wall = time.perf_counter() - begun
            if done.returncode:
                raise RuntimeError(f"drugkg query {name} exited {done.returncode}: {done.stderr.decode()[-2000:]}")
            rows = tsv_rows(done.stdout)
            if rows != expected:
                raise RuntimeError(f"drugkg query {name} gave {rows} rows; the embedded store gave {expected}")
            times = json.loads(done.stderr.decode().rsplit("BENCH-TIMES ", 1)[1])
            entry["rows"] = rows
            # the first run warms the page cache; it is the one measurement of a query slower than the budget allows
            over_budget = args.query_budget and run == 0 and wall * args.repeat > args.query_budget
            if run or over_budget:
                query_ms.append(times["query_ms"] / 1000)
                import_ms.append(times["import_ms"])
                modules_ms.append(times["modules_ms"])
                wall_ms.append(wall * 1000)
            if over_budget:
                entry["first_run_only"] = True
                break
        if query_ms:
            entry.update(latency_summary(query_ms), times_ms=[t * 1000 for t in query_ms],
                         import_median_ms=statistics.median(import_ms), modules_median_ms=statistics.median(modules_ms),
                         wall_median_ms=statistics.median(wall_ms))
        if len(result["queries"]) % 10 == 9 or entry.get("timed_out") or entry.get("median_ms", 0) > 1000:
            log(args, f"{len(result['queries']) + 1} of {len(names)} queries; {name}: "
                      + (f"{entry['median_ms']:.0f} ms" if "median_ms" in entry else "stopped"))
        result["queries"][name] = entry
        write_json(args.result, result)
    result["status"] = "ok"
    write_json(args.result, result)
    return result


# ---------------------------------------------------------------------------------------------------------------
# rebuild after editing one data file
# ---------------------------------------------------------------------------------------------------------------

# One build in a fresh process, as `drugkg build --data CORPUS --out DIST --no-labels` runs it but without the check
# of the documents against their files (a synthetic corpus has no such files, and the CLI cannot leave the check
# out): the seconds of drugkg.build.build alone, on stdout.
BUILD_SNIPPET = """\
import sys, time
from pathlib import Path
from drugkg.build import build
from drugkg.paths import default_ontology
begun = time.perf_counter()
build(Path(sys.argv[1]), Path(sys.argv[2]), default_ontology(), progress=lambda m: print("build: " + m, file=sys.stderr, flush=True))
print(time.perf_counter() - begun)
"""

# What a build legitimately writes differently when it replaces a previous one (drugkg.build.write_lineage and
# drugkg.void._versions): changes.json and changes.md exist only then, and void.ttl then states the version replaced.
LINEAGE_FILES = ("changes.json", "changes.md")
STORE_FOLDER = "store"  # RocksDB: a random IDENTITY, a time-stamped LOG, session ids in every table file


def edit_one_file(corpus: Path) -> dict:
    """Change one number in one drug's dosage.yaml, deterministically: the first ``value:`` of the first drug
    folder (in name order) is increased by one. The edited file, line and the text before and after."""
    import re

    folder = sorted(p for p in corpus.iterdir() if p.is_dir() and p.name.startswith("synthdrug-"))[0]
    path = folder / "dosage.yaml"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    for number, line in enumerate(lines):
        found = re.search(r"value: (-?\d+(?:\.\d+)?)", line)
        if found:
            old = found.group(1)
            new = str(float(old) + 1) if "." in old else str(int(old) + 1)
            lines[number] = line[:found.start(1)] + new + line[found.end(1):]
            path.write_text("".join(lines), encoding="utf-8")
            return {"file": str(path.relative_to(corpus)), "line": number + 1, "before": line.strip(),
                    "after": lines[number].strip()}
    raise RuntimeError(f"no 'value: N' in {path}")


def _store_content(folder: Path) -> tuple[int, str, dict]:
    """An on-disk store's content, to compare two stores: the number of quads, the SHA-256 of its quads without a
    blank node as sorted N-Quads lines, and per graph the triples with a blank node (the ontology's OWL axioms: a
    store names its blank nodes afresh at each load, so those are compared as graphs, up to isomorphism)."""
    import hashlib

    import pyoxigraph as ox

    store = ox.Store.read_only(str(folder))
    plain, blank, count = [], {}, 0
    for quad in store:
        count += 1
        if any(isinstance(term, ox.BlankNode) for term in (quad.subject, quad.object)):
            blank.setdefault(str(quad.graph_name), []).append(str(quad.triple))
        else:
            plain.append(str(quad))
    del store
    plain.sort()
    digest = hashlib.sha256()
    for line in plain:
        digest.update(line.encode("utf-8") + b"\n")
    return count, digest.hexdigest(), blank


def _same_store(a: Path, b: Path) -> bool:
    """Whether two on-disk stores hold the same quads (blank nodes up to isomorphism, graph by graph)."""
    from rdflib import Graph
    from rdflib.compare import isomorphic

    count_a, digest_a, blank_a = _store_content(a)
    count_b, digest_b, blank_b = _store_content(b)
    if (count_a, digest_a, sorted(blank_a)) != (count_b, digest_b, sorted(blank_b)):
        return False
    return all(isomorphic(Graph().parse(data=" .\n".join(blank_a[g]) + " .\n", format="nt"),
                          Graph().parse(data=" .\n".join(blank_b[g]) + " .\n", format="nt")) for g in blank_a)


def _void_without_lineage(path: Path) -> set:
    """void.ttl's triples less what a build states of the build it replaced (drugkg.void._versions, ``lineage``):
    the current version's dcat:previousVersion, prov:wasRevisionOf, dcterms:description and void:subset, and the
    added/removed subsets' own triples."""
    import pyoxigraph as ox

    dcat, prov, dcterms, void = ("http://www.w3.org/ns/dcat#", "http://www.w3.org/ns/prov#", "http://purl.org/dc/terms/",
                                 "http://rdfs.org/ns/void#")
    triples = set(ox.parse(path=str(path), format=ox.RdfFormat.TURTLE))
    versions = {t.object for t in triples if t.predicate.value == dcat + "hasCurrentVersion"}
    lineage = {dcat + "previousVersion", prov + "wasRevisionOf", dcterms + "description", void + "subset"}
    subsets = {t.object for t in triples if t.subject in versions and t.predicate.value == void + "subset"}
    return {t for t in triples if not (t.subject in versions and t.predicate.value in lineage) and t.subject not in subsets}


def compare_builds(rebuilt: Path, fresh: Path) -> dict:
    """Whether the rebuild's output is the fresh build's: every file byte for byte, except those a replacing build
    writes differently by design (``LINEAGE_FILES`` left out, void.ttl compared as a graph without its lineage
    triples) and the store, compared by its quads (RocksDB's files differ from one load to the next)."""
    import hashlib

    rebuilt, fresh = rebuilt.resolve(), fresh.resolve()

    def digest(path: Path) -> bytes:
        with path.open("rb") as handle:
            return hashlib.file_digest(handle, "sha256").digest()

    def files(root: Path) -> set[str]:
        return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()
                and p.relative_to(root).parts[0] != STORE_FOLDER}

    ours, theirs = files(rebuilt), files(fresh)
    excluded = sorted(ours & set(LINEAGE_FILES))
    differing, compared = [], []
    for name in sorted((ours | theirs) - set(LINEAGE_FILES)):
        if name not in ours or name not in theirs:
            differing.append(f"{name} (only in the {'rebuild' if name in ours else 'fresh build'})")
            continue
        compared.append(name)
        if name == "void.ttl":
            same = _void_without_lineage(rebuilt / name) == _void_without_lineage(fresh / name)
        else:
            same = digest(rebuilt / name) == digest(fresh / name)
        if not same:
            differing.append(name)
    if not _same_store(rebuilt / STORE_FOLDER, fresh / STORE_FOLDER):
        differing.append(f"{STORE_FOLDER}/ (its quads)")
    return {"identical": not differing, "differing": differing, "compared": compared, "excluded": excluded,
            "void_compared_without_lineage": "void.ttl" in compared, "store_compared_by_quads": True}


def rebuild_stack(args) -> dict:
    """A full build of the corpus into DIST, one file of a copy of the corpus edited (:func:`edit_one_file`), the
    build of the edited copy over DIST (timed: the rebuild), a full build of the edited copy into a fresh folder
    (timed: the full build it is held against), and the two outputs compared (:func:`compare_builds`). Each build
    runs in a fresh process of its own."""
    folder = args.work / "rebuild"
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    corpus = folder / "corpus"
    shutil.copytree(args.corpus, corpus)
    result: dict = {"stack": "rebuild", "status": "running"}

    def timed_build(data: Path, out: Path, what: str) -> float:
        log(args, f"{what}: building {data.name} into {out.name}")
        done = subprocess.run([sys.executable, "-c", BUILD_SNIPPET, str(data), str(out)], cwd=ROOT_FOLDER,
                              capture_output=True, text=True)
        if done.returncode:
            raise RuntimeError(f"{what} failed (exit {done.returncode}): {done.stderr[-3000:]}")
        seconds = float(done.stdout.strip().splitlines()[-1])
        log(args, f"{what}: {seconds:.1f} s")
        return seconds

    result["first_build_seconds"] = timed_build(corpus, folder / "dist", "first build")
    write_json(args.result, result)
    result["edit"] = edit_one_file(corpus)
    log(args, f"edited {result['edit']['file']}:{result['edit']['line']}: {result['edit']['before']} -> "
              f"{result['edit']['after']}")
    result["rebuild_seconds"] = timed_build(corpus, folder / "dist", "rebuild over the previous build")
    write_json(args.result, result)
    result["full_build_seconds"] = timed_build(corpus, folder / "fresh", "full build of the edited data")
    write_json(args.result, result)
    log(args, "comparing the rebuild's output with the full build's")
    result["comparison"] = compare_builds(folder / "dist", folder / "fresh")
    result["ratio"] = result["rebuild_seconds"] / result["full_build_seconds"]
    shutil.rmtree(folder, ignore_errors=True)
    result["status"] = "ok"
    write_json(args.result, result)
    return result


STACKS = {"drugkg": drugkg_stack, "pyoxigraph": pyoxigraph_stack, "rdflib": rdflib_stack, "server": server_stack,
          "cli": cli_stack, "rebuild": rebuild_stack}
