"""Source documents and their sections: what every claim's provenance points at."""

from __future__ import annotations

import re

from drugkg.schema import LINES_FIX, Field, Ref, Text, parse_lines
from drugkg.terms import date_literal, integer, plain, text
from drugkg.vocab import DCTERMS, DKG, RDF, RDFS
from loaders import loader

SECTION_KEYS = ("id", "title", "line", "parent")
# why a line of a document states no drug fact (its record's no_facts)
NO_FACT_REASONS = ("navigation", "advertising", "rating", "byline", "disclaimer", "search-suggestions", "layout")


def check_sections(record, checker):
    """Sections: a non-empty list of {id, title, line, parent?}; ids unique; parents declared. The file's sha256 is
    64 hexadecimal digits (the build checks it against the file: drugkg/documents.py)."""
    digest = record.get("sha256")
    if isinstance(digest, str) and not re.fullmatch(r"[0-9a-f]{64}", digest):
        yield "sha256", f"sha256 {digest!r} is not 64 lowercase hexadecimal digits", \
            "write the output of sha256sum for the document's file"
    sections = record.get("sections")
    fix = "write sections as a list of {id, title, line, parent?}"
    if not isinstance(sections, list) or not sections:
        yield "sections", "must be a non-empty list of sections", fix
        return
    seen = set()
    for index, section in enumerate(sections):
        where = sections.line_of(index) if hasattr(sections, "line_of") else "sections"
        if not isinstance(section, dict):
            yield where, f"item {index} is not a mapping", fix
            continue
        label = section.get("id", f"sections[{index}]")
        unknown = sorted(set(section) - set(SECTION_KEYS))
        if unknown:
            yield where, f"section {label} has unknown key(s) {', '.join(unknown)}", f"use only {', '.join(SECTION_KEYS)}"
        if not isinstance(section.get("id"), str) or not section["id"]:
            yield where, f"section {index} has no id", "give every section a kebab-case id"
        elif section["id"] in seen:
            yield where, f"section id {section['id']!r} is used twice", "give each section its own id"
        seen.add(section.get("id"))
        if not isinstance(section.get("title"), str):
            yield where, f"section {label} has no title", "copy the section heading as title"
        line = section.get("line")
        if isinstance(line, bool) or not isinstance(line, int) or line < 1:
            yield where, f"section {label} needs line: the 1-based line of its heading", "add line: N"
    for section in sections:
        if isinstance(section, dict) and "parent" in section and section["parent"] not in seen:
            yield "sections", f"section {section.get('id')} has unknown parent {section['parent']!r}", "name a section of this document"
    yield from _check_no_facts(record)


def _check_no_facts(record):
    """no_facts: a list of {lines, reason}, the lines of the document that state no drug fact and why."""
    entries = record.get("no_facts")
    if entries is None:
        return
    fix = (f"write no_facts as a list of {{lines: N or N-M or a list, reason: one of {', '.join(NO_FACT_REASONS)}}}")
    if not isinstance(entries, list) or not entries:
        yield "no_facts", "must be a non-empty list", fix
        return
    for index, entry in enumerate(entries):
        where = entries.line_of(index) if hasattr(entries, "line_of") else "no_facts"
        if not isinstance(entry, dict) or set(entry) != {"lines", "reason"}:
            yield where, f"no_facts item {index} must be a mapping with exactly lines and reason", fix
            continue
        try:
            parse_lines(entry["lines"])
        except ValueError as exc:
            yield where, f"no_facts item {index}: lines {exc}", LINES_FIX
        if entry["reason"] not in NO_FACT_REASONS:
            yield where, f"no_facts item {index}: reason {entry['reason']!r} is not one of {', '.join(NO_FACT_REASONS)}", fix


@loader(
    "document",
    {
        "title": Text(True, "the document's title"),
        "kind": Text(True, "what kind of document it is"),
        "file": Field("string", True),
        "sha256": Field("string", True),
        "publisher": Ref("Organization"),
        "author": Ref("Person"),
        "date_modified": Field("date"),
        "sections": Field("sections", True),
        "no_facts": Field("no_facts"),
    },
    claim=False,
    check=check_sections,
)
def load_document(record, ctx):
    doc = ctx.iri(record.id)
    yield doc, RDF.type, DKG.SourceDocument
    yield doc, RDFS.label, text(record["title"])
    yield doc, DCTERMS.title, text(record["title"])
    yield doc, DKG.documentKind, text(record["kind"])
    yield doc, DKG.fileName, plain(record["file"])
    yield doc, DKG.fileHash, plain(record["sha256"])
    if "publisher" in record:
        yield doc, DCTERMS.publisher, ctx.iri(record["publisher"])
    if "author" in record:
        yield doc, DCTERMS.creator, ctx.iri(record["author"])
    if "date_modified" in record:
        yield doc, DCTERMS.modified, date_literal(record["date_modified"])
    for number, section in enumerate(record["sections"], start=1):
        node = ctx.mint(record.id, section["id"])
        yield node, RDF.type, DKG.DocumentSection
        yield node, RDFS.label, text(f"{record['title']}: {section['title']}")
        yield node, DCTERMS.title, text(section["title"])
        yield node, DCTERMS.isPartOf, doc
        if "parent" in section:
            yield node, DCTERMS.isPartOf, ctx.mint(record.id, section["parent"])
        yield node, DKG.startLine, integer(section["line"])
        if (record.id, section["id"]) in ctx.section_ends:
            yield node, DKG.endLine, integer(ctx.section_ends[(record.id, section["id"])])
        yield node, DKG.sequenceNumber, integer(number)
