"""The builder: read and validate the data, run the loaders, load the store, write every export atomically."""

from __future__ import annotations

import ctypes
import gc
import shutil
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

import pyoxigraph as ox

import loaders
from drugkg.context import Context
from drugkg.errors import DataError, DataInvalid, UsageError
from drugkg.export import EXPORTS, dump_export, sorted_ntriples, write_graph
from drugkg.kgx import KGX_FILES, kgx_graph, read_mapping, write_kgx
from drugkg.ontology import OntologyModel, load_ontology
from drugkg.parallel import in_process, ordered_map
from drugkg.paths import default_checks_dir, default_data_dir, default_labels_dir, default_shapes
from drugkg.prefixes import expand
from drugkg.reader import data_files, display_path, read_yaml, unread_file
from drugkg.schema import BASE_IRI_FIX, Dataset, Record, base_iri_problem, spec_is_claim, validate


@dataclass
class Compiled:
    """The graph as sorted N-Triples text, with the validated data it came from.

    The text is held in memory (``text``), or, for a build, only in the file it was written to (``text_file``):
    at 10,000 labels it is 5 GB of UTF-8 and twice that as a Python string. ``ntriples`` reads it either way.
    """

    text: str | None
    data: Dataset
    base: str
    files: list[str]
    counts: dict[str, int] = field(default_factory=dict)
    context: Context | None = None
    labels: object | None = None  # loaders.spl.load.LoadedLabels when a labels folder was loaded (its lines dropped)
    warnings: list[str] = field(default_factory=list)  # label facts left out, each ``file:line: reason``
    text_file: Path | None = None  # where the text is when ``text`` is None
    coverage: list = field(default_factory=list)  # drugkg.documents.Region per section, when documents were checked

    @property
    def ntriples(self) -> str:
        """The sorted N-Triples text (read from ``text_file`` each time when it is not held)."""
        return self.text if self.text is not None else self.text_file.read_text(encoding="utf-8")


def _check_base(base: str) -> str:
    """``base`` if it can be the base of minted IRIs (see :func:`~drugkg.schema.base_iri_problem`), else UsageError."""
    problem = base_iri_problem(base)
    if problem:
        raise UsageError(f"base IRI {base!r} {problem}; {BASE_IRI_FIX}")
    return base


def make_context(data: Dataset, base: str, ontology: OntologyModel,
                 section_ends: dict[tuple[str, str], int] | None = None) -> Context:
    """IRIs for every id: an entity's canonical external IRI when it has one, else minted as base + id; and what
    claim labels are made of: the ontology's property labels, the units' plurals, each section's source name."""
    iris, labels, plurals, sources = {}, {}, {}, {}
    for record in data.records:
        canonical = record.get("iri") if record.kind == "entity" else None
        iris[record.id] = ox.NamedNode(expand(canonical) if canonical else base + record.id)
        name = record.get("label") or record.get("title")
        if isinstance(name, str):
            labels[record.id] = name
        if record.kind == "unit" and "plural" in record:
            plurals[record.id] = record["plural"]
        if record.kind == "document":
            for section in record.get("sections") or []:
                sources[f"{record.id}#{section['id']}"] = f"{record['kind']}, {section['title'].rstrip(':')}"
    kinds = {name: kind for name in ontology.properties if (kind := ontology.value_kind(name))}
    property_labels = {name: ontology.labels.get(name, name) for name in ontology.properties}
    return Context(base, iris, labels, kinds, section_ends or {}, property_labels, plurals, sources, data.by_id)


def _load_lines(data: Dataset, ctx: Context) -> dict[str, None]:
    """Run the loaders over every record; return the distinct triples as N-Triples lines (without line
    ends), as :func:`~drugkg.export.sorted_ntriples` writes them, in the order first made (the dict's keys).

    Each record's triples become text at once: short strings are far smaller and faster to collect than
    term tuples (the text of a term is a faithful copy of it, so the distinct lines are the distinct
    triples), and the record's term objects are freed as soon as it is loaded. The lines keep the order
    made, not a set's hash order: records come file by file and a record's lines mostly share its subject,
    so that order is close to sorted and sorting it takes a fraction of the time (about 0.25 s instead of
    1.7 s at 1,000 drugs).
    """
    lines: dict[str, None] = {}
    for record in data.records:
        try:
            triples = loaders.load(record, ctx)
        except ValueError as exc:  # e.g. an IRI that pyoxigraph rejects
            raise DataInvalid([DataError(record.file, record.line, record.id, f"cannot be loaded: {exc}", "correct the values")]) from None
        lines.update(dict.fromkeys([f"{s} {p} {o} ." for s, p, o in triples]))
    return lines


def compile_graph(data_dir: Path, ontology: Path, base_iri: str | None = None, labels: Path | None = None,
                  progress: Callable[[str], None] = lambda message: None, text_file: Path | None = None,
                  documents: Path | None = None) -> Compiled:
    """Read, validate and load all data (the curated YAML, and the SPL files of ``labels`` when given) into sorted
    N-Triples; raise DataInvalid with every error found. With ``documents``, the folder of the curated documents'
    files, each document is checked against its file (:mod:`drugkg.documents`) and its sections get their end lines.
    With ``text_file``, the text is written there, line by line, and not held in memory."""
    if not data_dir.is_dir():
        raise UsageError(f"data folder {data_dir} does not exist; run from the repository root or pass --data DIR")
    if not ontology.is_file():
        raise UsageError(f"ontology {ontology} does not exist; run from the repository root or pass --ontology FILE")
    files = data_files(data_dir)
    if not files:
        raise UsageError(f"no *.yaml files under {data_dir}; pass --data DIR pointing at the curated data")
    if base_iri is not None:
        _check_base(base_iri)
    if documents is not None and not documents.is_dir():
        raise UsageError(f"documents folder {documents} does not exist; pass --documents DIR with the curated "
                         "documents' files (by default ../shared/seeds beside the checkout)")
    if labels is not None and not labels.is_dir():
        raise UsageError(f"labels folder {labels} does not exist; pass --labels DIR with the SPL *.xml files, "
                         "or --no-labels")
    model = load_ontology(ontology.resolve())
    with _collector_paused():
        return _compile(files, data_dir, model, base_iri, labels, progress, text_file, documents)


def _compile(files: list[Path], data_dir: Path, model: OntologyModel, base_iri: str | None,
             labels: Path | None = None, progress: Callable[[str], None] = lambda message: None,
             text_file: Path | None = None, documents: Path | None = None) -> Compiled:
    """The work of :func:`compile_graph` once its arguments are checked."""
    parsed, errors, unread = [], [], []
    for path in files:
        pf, problems = read_yaml(path)
        errors += problems
        if pf is not None:
            parsed.append(pf)
        elif problems:  # its records are missing: references to them are not reported as errors of their own
            unread.append(unread_file(path, problems[0]))
    data, problems = validate(parsed, model, display_path(data_dir), unread)
    errors += problems
    if errors:
        raise DataInvalid(errors)
    ends, coverage = None, []
    if documents is not None:
        from drugkg.documents import check_documents

        progress(f"checking the documents against their files in {display_path(documents)}")
        checked = check_documents(data, documents)
        if checked.errors:
            raise DataInvalid(checked.errors)
        ends, coverage = checked.ends, checked.regions
    base = _check_base(base_iri or data.metadata["base_iri"])
    ctx = make_context(data, base, model, ends)
    lines = _load_lines(data, ctx)
    loaded = _load_labels(labels, data, ctx, lines, progress) if labels is not None else None
    count = len(lines)
    ordered = sorted(lines)
    del lines  # its table is large; the strings live on in ``ordered``
    if ordered:
        ordered.append("")  # the last line's end, made by the join itself: "+ '\n'" would copy the whole text again
    if text_file is None:
        ntriples = "\n".join(ordered)
    else:
        _write_lines(ordered, text_file)
        ntriples = None
    del ordered
    counts = {
        "triples": count,
        "claims": sum(1 for r in data.records if spec_is_claim(r.kind)),
        "entities": sum(1 for r in data.records if r.kind == "entity"),
        "documents": sum(1 for r in data.records if r.kind == "document"),
        "labels": 0,
    }
    if loaded is not None:  # a label version is a source document; its shared nodes are entities
        counts["labels"] = loaded.count
        counts["claims"] += loaded.claims
        counts["entities"] += len(loaded.shared)
        counts["documents"] += loaded.count
    files_shown = [pf.path for pf in parsed]  # one per file, as none failed
    warnings = loaded.warnings if loaded is not None else []
    return Compiled(ntriples, data, base, files_shown, counts, ctx, loaded, warnings, text_file, coverage)


def compile_for_build(data_dir: Path, ontology: Path, base_iri: str | None, labels: Path | None, text_file: Path,
                      documents: Path | None, progress: Callable[[str], None]) -> Compiled:
    """:func:`compile_graph` into ``text_file``, with the records reduced to what the rest of a build reports of them
    (:meth:`~drugkg.schema.Dataset.slimmed`): what :func:`build` runs in a process of its own."""
    compiled = compile_graph(data_dir, ontology, base_iri, labels, progress, text_file=text_file, documents=documents)
    compiled.data = compiled.data.slimmed()  # the loaders are done with the records' fields
    compiled.context = replace(compiled.context, records=compiled.data.by_id)
    return compiled


def _write_lines(ordered: list[str], path: Path, batch: int = 100_000) -> None:
    """Write ``ordered`` joined by line ends (its last item is "" for the last line's end), a batch at a time, so
    that the whole text is never one string."""
    with path.open("w", encoding="utf-8", newline="\n") as out:
        for start in range(0, len(ordered), batch):
            part = ordered[start:start + batch]
            out.write("\n".join(part))
            if start + batch < len(ordered):
                out.write("\n")


def _load_labels(folder: Path, data: Dataset, ctx: Context, lines: dict[str, None], progress: Callable[[str], None]):
    """Add the triples of every label in ``folder`` to ``lines``; raise DataInvalid naming every label refused, every
    label whose file is not the one a manifest lists (see :func:`drugkg.documents.check_label_files`) and every label
    identifier that a curated entity already owns."""
    from drugkg.documents import check_label_files
    from loaders.spl.load import label_context, load_labels

    shared = default_data_dir() / "labels.sha256" if folder.resolve() == default_labels_dir().resolve() else None
    changed = check_label_files(folder, shared)
    if changed:
        raise DataInvalid(changed)
    progress(f"reading the labels in {display_path(folder)}")
    loaded = load_labels(folder, label_context(data.records, ctx), progress)
    errors = [DataError(e.path, e.line, "label", e.reason, e.fix) for e in loaded.errors]
    for curie, (path, line) in sorted(loaded.curies.items()):
        owner = data.xref_owner.get(curie)
        if owner is not None:
            record = data.by_id[owner]
            errors.append(DataError(path, line, curie, f"is also an identifier of the curated entity {owner!r} "
                                    f"({record.file}:{record.line})", "an identifier names one thing: remove it from "
                                    "the curated entity's xrefs, or leave this label out"))
    if errors:
        raise DataInvalid(errors)
    lines.update(loaded.lines)
    loaded.lines = {}
    for warning in loaded.warnings:
        progress(f"warning: {warning}")
    return loaded


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector, as long as the block runs.

    Reading, validating and loading make millions of small objects that form no reference cycles, most of
    which live until the end; the collector would scan all of them again and again (about a sixth of the
    time at 1,000 drugs) and find nothing to free. Any cycle made meanwhile is collected after the block.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@dataclass(frozen=True)
class _Origin:
    """Where a label's node came from, shaped like a record for the error messages: file, line and a name."""

    file: str
    line: int
    id: str


def record_finder(compiled: Compiled) -> Callable[[str], Record | None]:
    """A lookup from an IRI of the graph to the record it came from: a declared id, or an IRI minted under a
    record's id (``{base}claim/dose`` belongs to ``claim``); None for anything else (e.g. ontology terms)."""
    by_iri: dict[str, Record] = {}
    records = {record.id: record for record in compiled.data.records}
    for ident, iri in compiled.context.iris.items():
        if ident in records:
            by_iri[iri.value] = records[ident]
    for record in compiled.data.records:
        by_iri.setdefault(compiled.base + record.id, record)

    def find(iri: str) -> Record | None:
        if iri in by_iri:
            return by_iri[iri]
        if compiled.labels is not None:
            from loaders.spl.load import label_origin

            origin = label_origin(iri, compiled.base, compiled.labels)
            if origin is not None:
                return _Origin(*origin)
        if iri.startswith(compiled.base):
            return by_iri.get(compiled.base + iri[len(compiled.base):].split("/")[0])
        return None

    return find


def run_checks(store: ox.Store, checks_dir: Path, find_record: Callable[[str], Record | None]) -> list[DataError]:
    """Run every ``checks_dir/*-violation.rq`` (side by side, see :mod:`drugkg.parallel`); each row is a violation,
    reported against its source record, check by check in name order."""
    from drugkg.engine import cell, run_local
    from drugkg.queries import load_query_file

    paths = sorted(checks_dir.glob("*-violation.rq"))
    checks = [load_query_file(path) for path in paths]
    answers = ordered_map(lambda pair: list(run_local(store, pair[1].text, str(pair[0]))), zip(paths, checks))
    errors = []
    for path, check, rows in zip(paths, checks, answers):
        for row in rows:
            focus = row["focus"].value if row["focus"] is not None else ""
            record = find_record(focus)
            message = cell(row["message"]) if row["message"] is not None else check.summary
            fix = f"data-quality check {path.stem}: {check.summary.rstrip('.')}"
            if record is not None:
                errors.append(DataError(record.file, record.line, record.id, message, fix))
            else:
                errors.append(DataError(display_path(path), 1, focus or "(graph)", message, fix))
    return errors


def check_graph(
    compiled: Compiled,
    store: ox.Store,
    ontology: Path,
    checks_dir: Path,
    shapes: Path,
    progress: Callable[[str], None] = lambda message: None,
):
    """Run every validation layer and return the reasoner's result; raise DataInvalid listing every problem.

    The layers: the data-quality queries in ``checks_dir``, the SHACL shapes in ``shapes`` (compiled to SPARQL and
    run on ``store``; pySHACL for shapes beyond what the compiler translates) and OWL reasoning (see
    :func:`reason_over`): consistency, unsatisfiable classes and the inferred class memberships. ``store`` holds the
    data and the ontology (in memory, for speed); reasoning adds nothing to it.
    """
    from drugkg.queries import curie
    from drugkg.validate import declared_line, labels_of, shape_errors, shape_results

    if not checks_dir.is_dir():
        raise UsageError(f"check folder {checks_dir} does not exist; run from the repository root or pass --checks DIR")
    if not shapes.is_file():
        raise UsageError(f"SHACL shapes file {shapes} does not exist; run from the repository root or pass --shapes FILE")
    classified = _classify_meanwhile(ontology)
    progress(f"running the data-quality checks in {display_path(checks_dir)}")
    find_record = record_finder(compiled)
    errors = run_checks(store, checks_dir, find_record)
    progress(f"validating against the SHACL shapes in {display_path(shapes)}")
    results = shape_results(store, lambda: compiled.ntriples, ontology, shapes, progress)
    if results:  # the labels for the messages: every label in the graph (3.7 s at 1,000 synthetic drugs)
        errors += shape_errors(results, find_record, labels_of(store), ontology)
    reasoned = reason_over(compiled, store, ontology, progress, classified)
    where = display_path(ontology)
    for iri, problem in reasoned.clashes:
        record = find_record(iri)
        file, line, name = (record.file, record.line, record.id) if record else (where, 1, curie(iri))
        errors.append(DataError(file, line, name, problem, "remove one of the types, or the facts that imply it, "
                                "or change the ontology's axioms"))
    if not reasoned.consistent and not reasoned.clashes:
        errors.append(DataError(where, 1, "ontology and data", f"are inconsistent ({reasoned.explanation})",
                                "find the assertions that contradict the ontology's axioms, e.g. a resource typed with two disjoint classes"))
    for iri in reasoned.unsatisfiable:
        errors.append(DataError(where, declared_line(ontology, iri), curie(iri), "is unsatisfiable: nothing can be a member",
                                "fix the class's axioms (its superclasses or definition contradict each other)"))
    if errors:
        raise DataInvalid(errors)
    return reasoned


def _classify_meanwhile(ontology: Path) -> Future | None:
    """HermiT's classification of the ontology alone (:func:`drugkg.reason.classify`), started in a thread, or None
    when the ontology needs HermiT over the data too. It does not depend on the data, and the thread mostly waits on
    HermiT's Java process, so it runs while the checks and the shapes query the store (3 to 8 s of a build at any
    size, most of the reasoning stage at 1,000 synthetic drugs). Its result, or its error (no Java), comes from
    ``result()`` where :func:`reason_over` needs it."""
    from drugkg.reason import classify
    from drugkg.rules import unsupported

    ontology_triples = [q.triple for q in ox.parse(path=str(ontology), format=ox.RdfFormat.TURTLE)]
    if unsupported(ontology_triples):
        return None
    executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="drugkg-hermit")
    future = executor.submit(classify, ontology_triples)
    executor.shutdown(wait=False)  # the thread ends with its one task
    return future


def reason_over(compiled: Compiled, store: ox.Store, ontology: Path, progress: Callable[[str], None],
                classified: Future | None = None):
    """OWL reasoning for the build: HermiT over the ontology alone and SPARQL over the data (:mod:`drugkg.rules`),
    or HermiT over everything when the ontology uses OWL beyond what SPARQL classifies. ``classified``: the
    ontology's classification under way (see :func:`_classify_meanwhile`), else it is made here."""
    from drugkg.reason import reason
    from drugkg.rules import classify_data, unsupported

    ontology_triples = [q.triple for q in ox.parse(path=str(ontology), format=ox.RdfFormat.TURTLE)]
    beyond = unsupported(ontology_triples)
    if not beyond:
        progress("reasoning: HermiT classifies the ontology, SPARQL the data")
        return classify_data(store, ontology_triples, classified.result() if classified is not None else None)
    progress(f"reasoning over the ontology and data with HermiT (the ontology uses {', '.join(beyond)})")
    data = [q.triple for q in ox.parse(compiled.ntriples.encode("utf-8"), format=ox.RdfFormat.N_TRIPLES)]
    return reason(ontology, data)


def inferred_graph_triples(store: ox.Store, ontology: Path, reasoned) -> list[ox.Triple]:
    """What the build writes to the inferred graph: the reasoner's new classifications (``reasoned.inferred``) and
    every membership the class hierarchy adds to the types of the data in ``store``'s default graph (see
    :func:`drugkg.rules.superclass_memberships`), so that ``?x a dkg:Claim`` finds every claim."""
    from drugkg.rules import superclass_memberships

    ontology_triples = [q.triple for q in ox.parse(path=str(ontology), format=ox.RdfFormat.TURTLE)]
    return [*reasoned.inferred, *superclass_memberships(store, ontology_triples, reasoned.inferred)]


def build(
    data_dir: Path,
    out_dir: Path,
    ontology: Path,
    base_iri: str | None = None,
    progress: Callable[[str], None] = lambda message: None,
    checks_dir: Path | None = None,
    shapes: Path | None = None,
    labels: Path | None = None,
    documents: Path | None = None,
) -> tuple[Compiled, list[Path]]:
    """Build the graph, validate it and write the store and every export into ``out_dir``, all or nothing.

    ``out_dir`` becomes a link to a version folder beside it, switched to the new build in one atomic rename once
    everything is written (see :mod:`drugkg.publish`): on any error (including a failing data-quality check, a SHACL
    violation, an inconsistency found by the reasoner or a full disk) and if the build is killed, ``out_dir`` still
    holds the previous build exactly as it was. A second build into the same ``out_dir`` meanwhile is refused.
    """
    from drugkg.engine import STORE_DIR, inferred_graph, seal_store, write_store
    from drugkg.publish import Stage
    from drugkg.void import write_void

    with Stage(out_dir) as stage:
        progress(f"reading {data_dir}")
        # The N-Triples export is written first, by compiling straight into it: the graph's text is never held
        # whole (5 GB at 10,000 labels, twice that as a Python string), and both stores load from the file.
        # Compiling runs in a process of its own: what it makes and drops (the parsed YAML, the lines of the graph)
        # goes back to the system with it, where in this process the few records kept would keep most of it.
        with stage.writing("drugkg.nt") as ntriples_file:
            compiled = in_process(compile_for_build, data_dir, ontology, base_iri, labels, ntriples_file, documents,
                                  progress=progress)
        staging = stage.path
        # Validation queries run on an in-memory store: pyoxigraph answers them about five times faster there than
        # on its on-disk store, which is written last, for 'drugkg query' to open in milliseconds.
        progress(f"loading {compiled.counts['triples']} triples into memory")
        memory = write_store(None, ntriples_file, ontology)
        reasoned = check_graph(
            compiled,
            memory,
            ontology,
            default_checks_dir() if checks_dir is None else checks_dir,
            default_shapes() if shapes is None else shapes,
            progress,
        )
        progress("writing exports, and the superclasses of every type for the inferred graph")

        def formats_and_superclasses() -> tuple[list[Path], list[ox.Triple]]:
            paths = []
            for name, fmt in EXPORTS.items():
                with stage.writing(name) as path:
                    paths.append(path if path == ntriples_file else dump_export(memory, path, fmt))
            return paths, inferred_graph_triples(memory, ontology, reasoned)

        # pyoxigraph writes the formats, and answers the superclass query, with the GIL released, on a core of its
        # own, while the KGX nodes and edges are made in Python here: at 1,000 synthetic drugs the three took 8 s,
        # 6 s and 17 s one after the other. Each writes its own files, as it would alone.
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="drugkg-export") as pool:
            dumped = pool.submit(formats_and_superclasses)
            try:
                progress("writing the KGX nodes and edges (Biolink)")
                kgx = kgx_graph(memory, read_mapping(ontology), compiled.base)
                kgx_files = []
                for name in KGX_FILES:
                    with stage.writing(name) as path:
                        kgx_files.append(write_kgx(kgx, path))
                del kgx
            finally:
                written, inferred_triples = dumped.result()  # its error first: it began first
        with stage.writing("drugkg-ontology.ttl") as path:
            shutil.copyfile(ontology, path)
        written += [path, *kgx_files]
        inferred = sorted_ntriples((t.subject, t.predicate, t.object) for t in inferred_triples)
        del inferred_triples  # its text is what the store loads: the terms would stay through the store's writing
        with stage.writing("inferred.ttl") as path:
            written.append(write_graph(inferred, path, ox.RdfFormat.TURTLE))
        lineage = None
        if stage.previous is not None:  # what changed against the build this one replaces, for its readers
            progress("comparing with the build it replaces")
            lineage = write_lineage(stage, stage.previous, ntriples_file, memory, compiled.base, written)
        with stage.writing("void.ttl"):  # last of the files: it describes each of them
            written.append(write_void(memory, compiled, ontology, staging, written, lineage))
        del memory
        _return_freed_memory()  # the in-memory store, before the on-disk store's loader takes as much again
        progress("writing the query store")
        with stage.writing(f"{STORE_DIR}/"):
            store = write_store(staging / STORE_DIR, ntriples_file, ontology)
            store.bulk_load(inferred.encode("utf-8"), format=ox.RdfFormat.N_TRIPLES, to_graph=inferred_graph(compiled.base))
            seal_store(store)  # one compacted run an index: what a one-off 'drugkg query' reads fastest
            del store  # closes the store's files before the folder is moved
        stage.publish()
    _return_freed_memory()  # what the stores and the exports left freed: 600 MB at 1,000 synthetic drugs
    compiled.text_file = out_dir / ntriples_file.name  # the published copy: the staging folder has moved
    return compiled, [out_dir / p.name for p in written]


def write_lineage(stage, previous: Path, ntriples: Path, store: ox.Store, base: str, written: list[Path]):
    """Write ``changes.json`` and ``changes.md`` (what changed since the build in ``previous``, as ``drugkg diff``
    reports it) into the staging folder; return the :class:`drugkg.void.Lineage` the description states."""
    from drugkg.diff import diff_stores, write_json, write_markdown
    from drugkg.engine import STORE_DIR
    from drugkg.void import Lineage, version_iri
    from drugkg.vocab import WRITE_PREFIXES

    # opened as it is, not held (engine.open_store would hold it for the process's life, and this build removes it
    # once it has published); the build lock keeps other builds from removing it meanwhile
    try:
        old = ox.Store.read_only(str(previous / STORE_DIR))
    except OSError as exc:
        raise UsageError(f"cannot read the build this one replaces ({previous / STORE_DIR}: {exc}); remove it or "
                         "build into another --out") from None
    diff = diff_stores(previous / "drugkg.nt", ntriples, old, store)
    del old
    prefixes = {**WRITE_PREFIXES, "id": base}
    with stage.writing("changes.json") as path, path.open("w", encoding="utf-8") as out:
        write_json(diff, out)
    written.append(path)
    with stage.writing("changes.md") as path, path.open("w", encoding="utf-8") as out:
        write_markdown(diff, out, prefixes, "What changed since the previous build")
    written.append(path)
    return Lineage(version_iri(previous), diff.counts())


def _return_freed_memory() -> None:
    """Hand memory that was freed back to the operating system. glibc's allocator keeps freed blocks for reuse
    (500 MB of the 650 MB an in-memory store of 1.7 million triples held stayed resident after it was dropped),
    and the next stage would add its own peak on top; ``malloc_trim`` returns them. Elsewhere, nothing to do."""
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc
        pass
