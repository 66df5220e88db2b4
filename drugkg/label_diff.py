"""What changed between two versions of one FDA label given as two SPL files: ``drugkg diff OLD.xml NEW.xml``.

Each file is loaded alone, with the curated data, into a graph of its own, as ``drugkg build`` would load it, and the
two graphs are compared as two builds are (:func:`drugkg.diff.diff_stores`): their changeset turns a graph holding
the old version into one holding the new. A label version's own facts are minted under its IRI
(``id:spl/SET/VERSION/...``), so they all go and come; the products, packages and substances that both versions
describe keep their IRIs, and only their changed facts are in the changeset.

For a person that is too much, so the two versions are also loaded together and the saved query ``label-changes``
lists what a reader of the label sees change: the sections added, removed or reworded, and the product data (NDCs,
names, strengths, packages, marketing status) whose values changed; the same rows a build holding both versions
answers. Both files must be versions of one label (one set id), the older first.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

import pyoxigraph as ox

from drugkg.diff import Diff, change_kind, diff_stores, value_pairs
from drugkg.errors import DataError, DataInvalid, UsageError
from drugkg.vocab import DCTERMS, SCHEMA

QUERY = "label-changes"
SECTION_COLUMNS = ("sectionCode", "sectionTitle", "change")


@dataclass
class LabelVersion:
    """One side: the file given, the label's set id and version number, and its effective date."""

    file: Path
    set_id: str
    version: int
    issued: str | None


@dataclass
class LabelDiff:
    """Two versions of one label: the changeset of their graphs (``diff``) and the rows of label-changes for them
    (``sections`` and ``products``, each row a dict of the query's columns that are bound)."""

    old: LabelVersion
    new: LabelVersion
    diff: Diff
    base: str  # the base of the minted IRIs (the curated dataset's)
    sections: list[dict[str, str]] = field(default_factory=list)
    products: list[dict[str, str]] = field(default_factory=list)

    @property
    def equal(self) -> bool:
        return self.diff.equal


def is_label_file(path: Path) -> bool:
    """Whether ``drugkg diff`` takes ``path`` for a label file (an ``.xml`` file) rather than a build folder."""
    return path.suffix.lower() == ".xml" and not path.is_dir()


def diff_label_files(old: Path, new: Path, data_dir: Path, ontology: Path, queries_dir: Path) -> LabelDiff:
    """Compare two versions of one label, the SPL files ``old`` and ``new``, each loaded with the curated data of
    ``data_dir`` (see the module's description). Raises UsageError when they are not two versions of one label, the
    older first, and DataInvalid (naming the files given) when a file cannot be loaded."""
    from drugkg.engine import write_store
    from drugkg.queries import find

    for path in (old, new):
        if not path.is_file():
            raise UsageError(f"no label file {path}; give two SPL files (*.xml) of one label, or two build folders")
    query = find(queries_dir, QUERY)
    with tempfile.TemporaryDirectory(prefix="drugkg-label-diff-") as scratch:
        root = Path(scratch)
        sides = []
        for name, path in (("old", old), ("new", new)):
            nt = root / f"{name}.nt"
            base = _compile(data_dir, ontology, {path: path.name}, root / name, nt)
            store = write_store(None, nt, ontology)
            sides.append((nt, store, _version(store, path)))
        (old_nt, old_store, before), (new_nt, new_store, after) = sides
        if before.set_id != after.set_id:
            raise UsageError(f"{old} is a version of label {before.set_id} and {new} of label {after.set_id}; "
                             "give two versions of one label (one set id), or two build folders to compare builds")
        diff = diff_stores(old_nt, new_nt, old_store, new_store)
        result = LabelDiff(before, after, diff, base)
        if before.version == after.version:
            if diff.equal:
                return result
            raise UsageError(f"{old} and {new} are both version {before.version} of label {before.set_id} but "
                             "state different facts; give two different versions of the label, the older first")
        if before.version > after.version:
            raise UsageError(f"{old} is version {before.version} and {new} version {after.version} of label "
                             f"{before.set_id}; give the older version first: drugkg diff {new} {old}")
        both = root / "both.nt"
        names = {old: "old-" + old.name, new: "new-" + new.name} if old.name == new.name else \
            {old: old.name, new: new.name}
        _compile(data_dir, ontology, names, root / "both", both)
        text = query.bind({"set_id": before.set_id, "version": str(after.version)})
        solutions = write_store(None, both, ontology).query(text, use_default_graph_as_union=True)
        for solution in solutions:
            row = {v.value: solution[v].value for v in solutions.variables if solution[v] is not None}
            (result.sections if "sectionTitle" in row else result.products).append(row)
    return result


def _compile(data_dir: Path, ontology: Path, files: dict[Path, str], folder: Path, nt: Path) -> str:
    """Load the label ``files`` (each linked into ``folder`` under the name given) with the curated data, writing the
    sorted N-Triples to ``nt``; return the base of the minted IRIs. Errors name the files as given."""
    from drugkg.build import compile_graph

    folder.mkdir()
    links = {}
    for path, name in files.items():
        link = folder / name
        try:
            link.symlink_to(path.resolve())
        except OSError:  # a file system without symbolic links: a copy reads the same
            shutil.copyfile(path, link)
        links[str(link)] = links[str(path.resolve())] = str(path)
    try:
        return compile_graph(data_dir, ontology, labels=folder, text_file=nt).base
    except DataInvalid as exc:
        raise DataInvalid([DataError(links.get(e.file, e.file), *e[1:]) for e in exc.errors]) from None


def _version(store: ox.Store, path: Path) -> LabelVersion:
    """The one label version loaded in ``store``, from ``path``."""
    from drugkg.prefixes import PREFIXES

    dailymed = PREFIXES["DAILYMED"].iri
    found = [q for q in store.quads_for_pattern(None, DCTERMS.isVersionOf, None, ox.DefaultGraph())
             if q.object.value.startswith(dailymed)]
    if len(found) != 1:
        raise UsageError(f"{path} holds no FDA label version drugkg can read (no set id and version number); "
                         "give an SPL file as DailyMed publishes it")
    document, the_set = found[0].subject, found[0].object
    version = next(store.quads_for_pattern(document, SCHEMA.version, None, ox.DefaultGraph()), None)
    issued = next(store.quads_for_pattern(document, DCTERMS.issued, None, ox.DefaultGraph()), None)
    return LabelVersion(path, the_set.value.removeprefix(dailymed), int(version.object.value) if version else 0,
                        issued.object.value if issued else None)


def product_changes(rows: list[dict[str, str]]) -> list[dict[str, str | None]]:
    """label-changes' product rows as changes: a removed and an added value of one field of one product (one of
    each) are one changed value; others stay added or removed. Each: ndc, field, change, old, new."""
    grouped: dict[tuple[str, str], dict[str, list[str]]] = {}
    for row in rows:
        values = grouped.setdefault((row.get("ndc", ""), row.get("field", "")), {"old": [], "new": []})
        if row["change"] == "removed value":
            values["old"].append(row["oldValue"])
        else:
            values["new"].append(row["newValue"])
    return [{"ndc": ndc or None, "field": name, "old": o, "new": n, "change": change_kind(o, n)}
            for (ndc, name), values in sorted(grouped.items()) for o, n in value_pairs(values["old"], values["new"])]


def _side(version: LabelVersion) -> str:
    return f"version {version.version}" + (f" of {version.issued}" if version.issued else "") + f" ({version.file})"


def write_text(result: LabelDiff, out: TextIO) -> None:
    """For a person: the label and its two versions, the sections added, removed or reworded, the product data
    changed, then the counts of the graphs' changeset. Nothing for two files that state the same facts, like diff."""
    if result.equal:
        return
    out.write(f"label {result.new.set_id}: {_side(result.old)} -> {_side(result.new)}\n")
    if result.sections:
        out.write("  sections\n")
        for row in result.sections:
            code = f" (LOINC {row['sectionCode']})" if row.get("sectionCode") else ""
            out.write(f"    {row['change']} {row['sectionTitle']}{code}\n")
    changes = product_changes(result.products)
    if changes:
        out.write("  product data\n")
        for c in changes:
            what = f'"{c["old"]}" -> "{c["new"]}"' if c["change"] == "changed" else \
                f'"{c["new"] if c["change"] == "added" else c["old"]}"'
            product = f"NDC {c['ndc']}" if c["ndc"] else "a product without an NDC"
            out.write(f"    {c['change']} {product} {c['field']}: {what}\n")
    if not result.sections and not changes:
        out.write("  no section and no product data changed\n")
    counts = result.diff.counts()
    out.write(f"{counts['triples added']} triples added and {counts['triples removed']} removed in the graph "
              "(the facts of each version are minted under its own IRI; --format trig gives the changeset)\n")


def json_document(result: LabelDiff) -> dict:
    """For tools: the two versions, the sections and product data changed, and the graphs' changes as
    :func:`drugkg.diff.json_document` gives them."""
    from drugkg.diff import json_document as graph_document

    def side(version: LabelVersion) -> dict:
        return {"file": str(version.file), "version": version.version, "issued": version.issued}

    return {"setId": result.new.set_id, "old": side(result.old), "new": side(result.new),
            "sections": [{k: row.get(k) for k in SECTION_COLUMNS} for row in result.sections],
            "products": product_changes(result.products), **graph_document(result.diff)}
