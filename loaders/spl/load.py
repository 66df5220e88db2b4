"""Load a folder of labels for the build: read each file (:mod:`loaders.spl.read`), map it
(:mod:`loaders.spl.triples`), and say where every label IRI comes from, so a problem the checks find names its file
and line.

Files are read one at a time; only the N-Triples lines, the shared nodes' identity and one small entry per label
are kept across labels.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from urllib.parse import unquote

from pyoxigraph import NamedNode

from drugkg.vocab import PROV
from loaders.spl.read import Label, LabelError, iter_labels, read_label
from loaders.spl.triples import LabelContext, SharedNodes, label_triples, version_iri


@dataclass
class LoadedLabels:
    """What a labels folder added to the build."""

    lines: dict[str, None] = field(default_factory=dict)  # N-Triples lines, as the build collects them
    errors: list[LabelError] = field(default_factory=list)  # files refused: nothing of the build is published
    warnings: list[str] = field(default_factory=list)  # facts left out, each ``file:line: reason``
    files: dict[tuple[str, int], str] = field(default_factory=dict)  # (set id, version) -> file
    shared: dict[str, tuple[str, int]] = field(default_factory=dict)  # shared node IRI -> first file and line
    curies: dict[str, tuple[str, int]] = field(default_factory=dict)  # identifier CURIE -> first file and line
    count: int = 0  # labels loaded
    claims: int = 0  # claims made from them


def load_labels(folder: Path, ctx: LabelContext, progress: Callable[[str], None] = lambda message: None
                ) -> LoadedLabels:
    """Read and map every ``*.xml`` of ``folder`` (sorted by name); keep going past a refused file so that every
    error is reported at once."""
    out = LoadedLabels()
    shared = SharedNodes(ctx.base)
    files = sorted(folder.glob("*.xml"))
    step = max(1, len(files) // 20)
    for index, (label, errors) in enumerate(iter_labels(folder), 1):
        out.errors.extend(errors)
        if label is not None:
            triples, warnings = label_triples(label, ctx, shared)
            out.lines.update(dict.fromkeys([f"{s} {p} {o} ." for s, p, o in triples]))
            out.claims += sum(1 for _, p, _ in triples if p == PROV.wasDerivedFrom)  # one per claim
            out.warnings.extend(warnings)
            out.files[(label.set_id, label.version)] = label.path
            out.count += 1
        if index % step == 0 or index == len(files):
            progress(f"labels: {index} of {len(files)} files read")
    out.lines.update(dict.fromkeys([f"{s} {p} {o} ." for s, p, o in shared.triples()]))
    for iri, entry in shared.nodes.items():
        out.shared[iri.value] = entry.where
        if entry.curie:
            out.curies.setdefault(entry.curie, entry.where)
    return out


def version_iris(loaded: LoadedLabels, base: str) -> list[NamedNode]:
    """The IRI of every label version loaded, sorted: the sources a dataset description names."""
    return sorted((version_iri(base, set_id, version) for set_id, version in loaded.files), key=lambda node: node.value)


def label_origin(iri: str, base: str, loaded: LoadedLabels) -> tuple[str, int, str] | None:
    """The file, line and name of what a label IRI was made from: a label version, a section, a product-data
    element (or anything minted under them: the element's line), or a shared node (where it was first seen)."""
    if iri in loaded.shared:
        path, line = loaded.shared[iri]
        return path, line, iri[len(base):] if iri.startswith(base) else iri
    if not iri.startswith(base + "spl/"):
        return None
    parts = iri[len(base) + 4:].split("/")
    if len(parts) < 2 or not parts[1].isdigit():
        return None
    key = (unquote(parts[0]), int(parts[1]))
    path = loaded.files.get(key)
    if path is None:
        return None
    name = f"label {key[0]} version {key[1]}"
    try:
        label = _read_once(path)
    except LabelError:
        return path, 1, name
    return path, _element_line(label, parts[2:]), name


@lru_cache(maxsize=4)
def _read_once(path: str) -> Label:
    """A label read again to locate an element (only when a problem is reported), a few kept for the next ones."""
    return read_label(path)


def _element_line(label: Label, rest: list[str]) -> int:
    """The line of the element a path under a label version names (``section/ID/...``, ``product/N/part/M/...``,
    ``substance/N/...``); the document's line for anything else."""
    try:
        if rest[:1] == ["section"]:
            return label.section(unquote(rest[1])).line
        if rest[:1] == ["product"]:
            product = label.products[int(rest[1]) - 1]
            if rest[2:3] == ["part"]:
                return product.parts[int(rest[3]) - 1].line
            return product.line
        if rest[:1] == ["substance"]:
            return label.indexing[int(rest[1]) - 1].line
    except (IndexError, ValueError, StopIteration):
        pass
    return label.line


def units_by_code(records, iri: Callable[[str], NamedNode]) -> dict[str, tuple[NamedNode, str]]:
    """The declared units (``data/units.yaml``) by UCUM code, for label quantities."""
    return {r["ucum"]: (iri(r.id), r["label"]) for r in records if r.kind == "unit"}


def label_context(records, ctx) -> LabelContext:
    """The context the label mapping gets from the build's :class:`drugkg.context.Context` over the curated
    ``records``: the base IRI, the declared units (and the one for "%") and the ontology's property labels."""
    units = units_by_code(records, ctx.iri)
    return LabelContext(ctx.base, units, units.get("%", (None,))[0], dict(ctx.property_labels))
