"""Curated documents are build input: each document record names its file and the file's SHA-256; the build reads
the file from a documents folder, checks the hash, and checks every section against the text.

A section's start line holds its title as the document prints it (the line, trimmed), inside the document; a
section's parents form a chain that ends (no cycle); each section's end is computed (the line before the next
section at its level or above, else the document's last line), and a section lies inside its parent. A document
that is missing or changed makes every claim citing it an error of its own, naming the claim's file and line.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from drugkg.errors import DataError
from drugkg.schema import Dataset, Record

_FIX_HASH = "if the document changed on purpose, re-check every claim citing it, then write its new sha256"


@dataclass
class CheckedDocuments:
    """What the check found: errors, and the computed end line of each section, by (document id, section id)."""

    errors: list[DataError] = field(default_factory=list)
    ends: dict[tuple[str, str], int] = field(default_factory=dict)


def check_documents(data: Dataset, folder: Path) -> CheckedDocuments:
    """Check every document record of ``data`` against its file in ``folder``."""
    out = CheckedDocuments()
    citing: dict[str, list[Record]] = {}
    for record in data.records:
        source = record.get("source")
        if isinstance(source, str) and "#" in source:
            citing.setdefault(source.split("#", 1)[0], []).append(record)
    for record in data.records:
        if record.kind != "document" or not isinstance(record.get("file"), str):
            continue
        lines = _read(record, folder)
        if isinstance(lines, tuple):
            problem, fix = lines
            out.errors.append(DataError(record.file, record.line_of("file"), record.id, problem, fix))
            for claim in citing.get(record.id, []):
                out.errors.append(DataError(claim.file, claim.line_of("source"), claim.id,
                                            f"cites {record.id}, whose file {problem.split(' ', 1)[1]}",
                                            "fix the document first (see its error), then re-check this claim"))
            continue
        _check_sections(record, lines, out)
    return out


def _read(record: Record, folder: Path) -> list[str] | tuple[str, str]:
    """The document's lines, or (problem, fix); a problem starts with the file's path."""
    path = folder / record["file"]
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return (f"{path} does not exist", "put the document there, or pass --documents DIR with the folder that "
                f"holds {record['file']}")
    except OSError as exc:
        return f"{path} cannot be read ({exc.strerror or exc})", "check the file's permissions"
    digest = hashlib.sha256(data).hexdigest()
    if digest != record.get("sha256"):
        return (f"{path} has sha256 {digest}, not the {record.get('sha256')} its record states (it changed)",
                _FIX_HASH)
    try:
        return data.decode("utf-8").splitlines()
    except UnicodeDecodeError as exc:
        return f"{path} is not UTF-8 (byte {exc.start:,})", "save it as UTF-8, then write its new sha256"


def _check_sections(record: Record, lines: list[str], out: CheckedDocuments) -> None:
    listed = record["sections"]
    sections = [s for s in listed if isinstance(s, dict) and isinstance(s.get("id"), str)]
    by_id = {s["id"]: s for s in sections}
    yaml_line = {s["id"]: listed.line_of(i) if hasattr(listed, "line_of") else record.line_of("sections")
                 for i, s in enumerate(listed) if isinstance(s, dict) and isinstance(s.get("id"), str)}

    def error(message: str, fix: str, section: dict) -> None:
        out.errors.append(DataError(record.file, yaml_line[section["id"]], record.id, message, fix))

    depth: dict[str, int] = {}
    for section in sections:
        chain, node = [section["id"]], section
        while node.get("parent") in by_id:
            if node["parent"] in chain:
                error(f"the parents of section {section['id']} form a cycle: {' -> '.join(chain + [node['parent']])}",
                      "give each section the section that contains it as its parent", section)
                return
            chain.append(node["parent"])
            node = by_id[node["parent"]]
        depth[section["id"]] = len(chain)
    placed = []
    for section in sections:
        line = section.get("line")
        if isinstance(line, bool) or not isinstance(line, int) or line < 1:
            continue  # reported by the record's own check
        if line > len(lines):
            error(f"section {section['id']} starts at line {line}, past the end of {record['file']} "
                  f"({len(lines)} lines)", "write the line of the section's heading", section)
            continue
        if lines[line - 1].strip() != section.get("title"):
            error(f"section {section['id']}: line {line} of {record['file']} reads {lines[line - 1].strip()!r}, "
                  f"not its title {section.get('title')!r}", "write the line of the heading, and its title as the "
                  "document prints it", section)
        placed.append(section)
    placed.sort(key=lambda s: s["line"])
    for i, section in enumerate(placed):
        later = [s for s in placed[i + 1:] if depth[s["id"]] <= depth[section["id"]] and s["line"] > section["line"]]
        out.ends[(record.id, section["id"])] = later[0]["line"] - 1 if later else len(lines)
    for section in placed:
        parent = by_id.get(section.get("parent"))
        if parent is None or (record.id, parent["id"]) not in out.ends:
            continue
        end = out.ends[(record.id, parent["id"])]
        if not parent["line"] < section["line"] <= end:
            error(f"section {section['id']} (line {section['line']}) is not inside its parent {parent['id']} "
                  f"(lines {parent['line']}-{end})", "fix the section's line or its parent", section)
