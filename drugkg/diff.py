"""What changed between two builds: the facts added, removed and changed, by entity and kind, with their sources.

A build's ``drugkg.nt`` is sorted N-Triples without blank nodes (two builds of the same input are byte-identical), so
the triples of two builds are compared by merging the two files line by line, in one pass and constant memory,
whatever their size. What changed is then explained with each side's own store: every changed triple belongs to a
*fact* (a claim, found from a node minted under it, such as a claim's quantity ``{claim}/dose``; else the resource
itself), each fact to an *entity* (the drug a claim is about, an attribute claim's subject, the document of a section)
and a *kind* (names, classes, indications, dosing, adverse events, tests, products, packages, ingredients,
sections, other), and each claim to its source section on each side. A triple removed and another added with the same
subject and predicate, one of each, is a changed value (old and new).

:func:`diff_builds` gives a :class:`Diff`; :func:`write_text`, :func:`write_json` and :func:`write_rdf` write it for a
person, for tools, and for stores that apply changesets (the removed and the added triples as two named graphs).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

import pyoxigraph as ox

from drugkg.errors import UsageError
from drugkg.queries import curie
from drugkg.vocab import DCTERMS, DKG, DKG_NS, PROV, RDF, RDFS

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
ADDED_GRAPH = ox.NamedNode("urn:drugkg:diff:added")
REMOVED_GRAPH = ox.NamedNode("urn:drugkg:diff:removed")

# The kind of a fact, by its class (the most specific one found first), or for an attribute claim by its property.
KIND_OF_CLASS = {
    "Indication": "indications", "NonIndication": "indications",
    "DosageRegimen": "dosing", "DoseAdjustment": "dosing",
    "AdverseEventAssociation": "adverse events", "AdverseEventManagement": "adverse events",
    "TestRequirement": "tests", "Package": "packages", "ProductIngredient": "ingredients",
    "DocumentSection": "sections", "SourceDocument": "sections", "DrugProduct": "products",
}
KIND_OF_PROPERTY = {
    "brandName": "names", "genericName": "names", "hasDrugClass": "classes", "hasActiveSubstance": "ingredients",
    "contains": "packages", "packageType": "packages", "hasPackageType": "packages", "packageQuantity": "packages",
}
KIND_OF_PREDICATE = {RDFS.label.value: "names", "http://www.w3.org/2004/02/skos/core#altLabel": "names",
                     RDF.type.value: "classes"}
KINDS = ("names", "classes", "indications", "dosing", "adverse events", "tests", "products", "packages",
         "ingredients", "sections", "other")


@dataclass
class Change:
    """A fact added or removed whole (``predicate`` None), or one value of a fact added, removed or changed: the
    value of ``predicate`` on the fact's node, or on a node minted under it (``part``: ``dose`` for ``{claim}/dose``),
    ``old`` and ``new`` (None where there is none)."""

    entity: str
    kind: str
    fact: str
    part: str
    predicate: str | None
    old: ox.Term | None
    new: ox.Term | None
    source_old: str | None = None  # the fact's source section on each side (its IRI), where it has one
    source_new: str | None = None
    triples: int = 1  # for a whole fact: how many triples it had

    @property
    def change(self) -> str:
        return change_kind(self.old, self.new)


def change_kind(old, new) -> str:
    """``changed`` for an old and a new value, ``added`` for a new one alone, ``removed`` for an old one alone."""
    return "changed" if old is not None and new is not None else "added" if old is None else "removed"


def value_pairs(olds: list, news: list) -> list[tuple]:
    """The (old, new) values of one field, sorted: one removed and one added value are one changed value; any other
    mix stays removed and added values, each alone (None on the other side)."""
    olds, news = sorted(olds, key=str), sorted(news, key=str)
    if len(olds) == len(news) == 1:
        return [(olds[0], news[0])]
    return [(o, None) for o in olds] + [(None, n) for n in news]


@dataclass
class Diff:
    """The triples only in the old build and only in the new one, and what they mean as changes."""

    removed: list[ox.Triple] = field(default_factory=list)
    added: list[ox.Triple] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)  # IRI -> label, from either side (the new one wins)

    @property
    def equal(self) -> bool:
        return not self.removed and not self.added

    def counts(self) -> dict[str, int]:
        counted = {"added": 0, "removed": 0, "changed": 0}
        for change in self.changes:
            counted[change.change] += 1
        return {"triples added": len(self.added), "triples removed": len(self.removed), **counted}


def _lines(path: Path) -> Iterator[str]:
    """The lines of a sorted N-Triples file; UsageError if they are not sorted (not a drugkg build's export)."""
    previous = ""
    with path.open(encoding="utf-8") as file:
        for line in file:
            line = line.rstrip("\n")
            if not line:
                continue
            if line < previous:
                raise UsageError(f"{path} is not sorted N-Triples (as 'drugkg build' writes it); compare two builds")
            previous = line
            yield line


def changed_lines(old: Path, new: Path) -> tuple[list[str], list[str]]:
    """The lines only in ``old`` and only in ``new``, two sorted N-Triples files merged in one pass.

    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "a.nt").write_text("<a> <p> 1 .\\n<b> <p> 2 .\\n<c> <p> 3 .\\n")
    >>> _ = (folder / "b.nt").write_text("<a> <p> 1 .\\n<b> <p> 5 .\\n<d> <p> 4 .\\n")
    >>> changed_lines(folder / "a.nt", folder / "b.nt")
    (['<b> <p> 2 .', '<c> <p> 3 .'], ['<b> <p> 5 .', '<d> <p> 4 .'])
    """
    removed, added = [], []
    left, right = _lines(old), _lines(new)
    a, b = next(left, None), next(right, None)
    while a is not None or b is not None:
        if b is None or (a is not None and a < b):
            removed.append(a)
            a = next(left, None)
        elif a is None or b < a:
            added.append(b)
            b = next(right, None)
        else:
            a, b = next(left, None), next(right, None)
    return removed, added


def _triples(lines: list[str]) -> list[ox.Triple]:
    text = ("\n".join(lines) + "\n").encode("utf-8")
    return [q.triple for q in ox.parse(text, format=ox.RdfFormat.N_TRIPLES)] if lines else []


class _Side:
    """One build's store, asked about the resources that changed: their types, labels, claims and sources."""

    def __init__(self, store: ox.Store):
        self.store = store

    def exists(self, iri: str) -> bool:
        return next(iter(self.store.quads_for_pattern(ox.NamedNode(iri), None, None, None)), None) is not None

    def objects(self, subject: str, predicate: ox.NamedNode) -> list[ox.Term]:
        return [q.object for q in self.store.quads_for_pattern(ox.NamedNode(subject), predicate, None, None)]

    def types(self, iri: str) -> list[str]:
        return [t.value[len(DKG_NS):] for t in self.objects(iri, RDF.type)
                if isinstance(t, ox.NamedNode) and t.value.startswith(DKG_NS)]

    def label(self, iri: str) -> str | None:
        labels = self.objects(iri, RDFS.label)
        return min(t.value for t in labels) if labels else None

    def fact(self, iri: str) -> str:
        """The claim a node belongs to: itself, or the nearest claim it was minted under (``{claim}/dose``,
        ``{claim}/schedule-1/interval``); a node under no claim is its own fact. A claim is what names its source
        (``prov:wasDerivedFrom``)."""
        candidate = iri
        while "/" in candidate.split("://", 1)[-1]:
            if self.objects(candidate, PROV.wasDerivedFrom):
                return candidate
            candidate = candidate.rsplit("/", 1)[0]
        return iri

    def entity(self, fact: str) -> str:
        for predicate in (DKG.drug, DKG.claimSubject):
            found = self.objects(fact, predicate)
            if found:
                return found[0].value
        parts = self.objects(fact, DCTERMS.isPartOf)
        if "DocumentSection" in self.types(fact) and parts:
            return parts[0].value
        return fact

    def source(self, fact: str) -> str | None:
        found = self.objects(fact, PROV.wasDerivedFrom)
        return found[0].value if found else None

    def kind(self, fact: str, predicate: str) -> str:
        for prop in self.objects(fact, DKG.claimProperty):
            name = prop.value[len(DKG_NS):]
            if name in KIND_OF_PROPERTY:
                return KIND_OF_PROPERTY[name]
        for cls in self.types(fact):
            if cls in KIND_OF_CLASS:
                return KIND_OF_CLASS[cls]
        name = predicate[len(DKG_NS):] if predicate.startswith(DKG_NS) else None
        return KIND_OF_PROPERTY.get(name) or KIND_OF_PREDICATE.get(predicate, "other")


def diff_stores(old_nt: Path, new_nt: Path, old_store: ox.Store, new_store: ox.Store) -> Diff:
    """Compare two builds' N-Triples exports, explaining the changes with their stores."""
    removed_lines, added_lines = changed_lines(old_nt, new_nt)
    result = Diff(removed=_triples(removed_lines), added=_triples(added_lines))
    old, new = _Side(old_store), _Side(new_store)
    facts: dict[str, dict[tuple[str, str], dict[str, list]]] = {}
    for side_name, side, triples in (("old", old, result.removed), ("new", new, result.added)):
        for triple in triples:
            fact = side.fact(triple.subject.value)
            part = triple.subject.value[len(fact) + 1:] if triple.subject.value != fact else ""
            values = facts.setdefault(fact, {}).setdefault((part, triple.predicate.value), {"old": [], "new": []})
            values[side_name].append(triple.object)
    for fact, changed in facts.items():
        in_old, in_new = old.exists(fact), new.exists(fact)
        side = new if in_new else old
        entity, source_old, source_new = side.entity(fact), old.source(fact), new.source(fact)
        kind = side.kind(fact, next(iter(changed))[1])
        if in_old != in_new:  # the whole fact came or went: one change, with its label
            count = sum(len(v["old"]) + len(v["new"]) for v in changed.values())
            label = ox.Literal(side.label(fact) or fact)
            result.changes.append(Change(entity, kind, fact, "", None, None if in_new else label,
                                         label if in_new else None, source_old, source_new, count))
        else:
            for (part, predicate), values in sorted(changed.items()):
                result.changes += [Change(entity, side.kind(fact, predicate), fact, part, predicate, before, after,
                                          source_old, source_new)
                                   for before, after in value_pairs(values["old"], values["new"])]
        for iri in {entity, fact, source_old, source_new} - {None}:
            label = new.label(iri) or old.label(iri)
            if label:
                result.labels[iri] = label
    result.changes.sort(key=lambda c: (result.labels.get(c.entity, c.entity), c.entity, KINDS.index(c.kind), c.fact,
                                       c.part, c.predicate or "", str(c.old), str(c.new)))
    return result


def diff_builds(old: Path, new: Path) -> Diff:
    """Compare the builds in two output folders (``dist`` or one of its versions)."""
    from drugkg.engine import held_build, open_store

    found = []
    for folder in (old, new):
        nt = held_build(folder) / "drugkg.nt"
        if not nt.is_file():
            raise UsageError(f"no build in {folder}/ (missing {folder}/drugkg.nt); give two folders 'drugkg build' wrote")
        found.append((nt, open_store(folder)))
    (old_nt, old_store), (new_nt, new_store) = found
    return diff_stores(old_nt, new_nt, old_store, new_store)


def _shown(term: ox.Term | None, prefixes: dict[str, str]) -> str:
    """A value as a person reads it: a CURIE for an IRI, a literal's text (with its language or datatype)."""
    if term is None:
        return "-"
    if isinstance(term, ox.NamedNode):
        return curie(term.value, prefixes)
    if isinstance(term, ox.Literal):
        if term.language:
            return f'"{term.value}"@{term.language}'
        if term.datatype.value in (XSD_STRING, RDF_LANG):
            return f'"{term.value}"'
        return f"{term.value} ({curie(term.datatype.value, prefixes)})"
    return str(term)


def _report(diff: Diff, prefixes: dict[str, str]) -> Iterator[tuple[str, str]]:
    """The report as (what, text) pairs, ``what`` one of entity, kind, change, source, counts: what the text and
    Markdown writers lay out each their own way."""
    entity = kind = None
    for change in diff.changes:
        if change.entity != entity:
            entity, kind = change.entity, None
            yield "entity", f"{diff.labels.get(entity, curie(entity, prefixes))} ({curie(entity, prefixes)})"
        if change.kind != kind:
            kind = change.kind
            yield "kind", kind
        fact = curie(change.fact, prefixes)
        if change.predicate is None:
            label = change.new if change.change == "added" else change.old
            yield "change", f"{change.change} {fact}: {label.value} ({change.triples} triples)"
        else:
            where = f"{fact}{'/' + change.part if change.part else ''} {curie(change.predicate, prefixes)}"
            what = f"{_shown(change.old, prefixes)} -> {_shown(change.new, prefixes)}" if change.change == "changed" \
                else _shown(change.new if change.change == "added" else change.old, prefixes)
            yield "change", f"{change.change} {where}: {what}"
        sources = []
        if change.change != "added" and change.source_old:
            sources.append(f"old: {diff.labels.get(change.source_old, curie(change.source_old, prefixes))}")
        if change.change != "removed" and change.source_new:
            sources.append(f"new: {diff.labels.get(change.source_new, curie(change.source_new, prefixes))}")
        if sources:
            yield "source", f"source {'; '.join(sources)}"
    if not diff.equal:
        counts = diff.counts()
        yield "counts", (f"{counts['added']} added, {counts['removed']} removed, {counts['changed']} changed "
                         f"({counts['triples added']} triples added, {counts['triples removed']} removed).")


def write_text(diff: Diff, out: TextIO, prefixes: dict[str, str]) -> None:
    """For a person: each entity, its kinds, each change with the source on each side; then the counts. Nothing for
    two builds of the same graph, like diff."""
    indent = {"entity": "", "kind": "  ", "change": "    ", "source": "      ", "counts": ""}
    for what, text in _report(diff, prefixes):
        out.write(f"{indent[what]}{text}\n")


def write_markdown(diff: Diff, out: TextIO, prefixes: dict[str, str], title: str) -> None:
    """The same report as Markdown under the heading ``title``: an entity a section, a kind a subsection, a change a
    list item with its sources; the counts first. Says so when nothing changed."""
    out.write(f"# {title}\n\n")
    lines = list(_report(diff, prefixes))
    out.write((lines[-1][1] if lines else "No change.") + "\n")
    for what, text in lines[:-1]:
        if what == "entity":
            out.write(f"\n## {text}\n")
        elif what == "kind":
            out.write(f"\n### {text}\n\n")
        elif what == "change":
            out.write(f"- {text}\n")
        else:
            out.write(f"  ({text})\n")


def write_json(diff: Diff, out: TextIO) -> None:
    """For tools: :func:`json_document`, indented."""
    json.dump(json_document(diff), out, indent=2, ensure_ascii=False)
    out.write("\n")


def json_document(diff: Diff) -> dict:
    """The counts and every change, values as N-Triples terms (a whole fact: its label), with labels."""
    def term(value):
        return None if value is None else str(value)

    return {
        "equal": diff.equal,
        "counts": diff.counts(),
        "changes": [{"change": c.change, "entity": c.entity, "entityLabel": diff.labels.get(c.entity), "kind": c.kind,
                     "fact": c.fact, "factLabel": diff.labels.get(c.fact), "part": c.part or None,
                     "predicate": c.predicate, "old": term(c.old), "new": term(c.new),
                     "triples": c.triples if c.predicate is None else None,
                     "sourceOld": c.source_old if c.change != "added" else None,
                     "sourceNew": c.source_new if c.change != "removed" else None} for c in diff.changes],
    }


def changeset_quads(diff: Diff) -> list[ox.Quad]:
    """The removed triples in the graph :data:`REMOVED_GRAPH` and the added ones in :data:`ADDED_GRAPH`."""
    return [ox.Quad(t.subject, t.predicate, t.object, REMOVED_GRAPH) for t in diff.removed] + \
           [ox.Quad(t.subject, t.predicate, t.object, ADDED_GRAPH) for t in diff.added]
