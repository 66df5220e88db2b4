"""Curated documents are build input: each document record names its file and the file's SHA-256; the build reads
the file from a documents folder, checks the hash, and checks every section against the text.

A section's start line holds its title as the document prints it (the line, trimmed), inside the document; a
section's parents form a chain that ends (no cycle); each section's end is computed (the line before the next
section at its level or above, else the document's last line), and a section lies inside its parent. A document
that is missing or changed makes every claim citing it an error of its own, naming the claim's file and line.

Each claim's ``lines`` lie inside the section it cites, and every number the claim states as a value (a quantity's
value or bounds, a count) is written on those lines in some form: ``2 x 10¹³`` is 2E+13, ``1,000`` is 1000,
``39%`` and ``39.0`` are 39, a number word ("six") is its number, and a word of one ("once", "weekly", "a") is 1.

Every non-blank line is accounted for: a section's heading, a line a claim cites, or a line the document's record
lists under ``no_facts`` with its reason (navigation, advertising, ...); any other line is an error, and so is a line
both cited and listed. :func:`coverage_table` shows the accounting per section (``drugkg validate --coverage``).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from drugkg.errors import DataError
from drugkg.schema import QUANTITY_BOUNDS, Dataset, Record, parse_lines
from drugkg.terms import decimal, to_decimal
from loaders.document import NO_FACT_REASONS

_FIX_HASH = "if the document changed on purpose, re-check every claim citing it, then write its new sha256"


@dataclass
class CheckedDocuments:
    """What the check found: errors, and the computed end line of each section, by (document id, section id)."""

    errors: list[DataError] = field(default_factory=list)
    ends: dict[tuple[str, str], int] = field(default_factory=dict)
    texts: dict[str, list[str]] = field(default_factory=dict)  # document id -> its lines (for the documents read)
    cited: dict[str, dict[int, list[str]]] = field(default_factory=dict)  # document id -> line -> claims citing it
    regions: list[Region] = field(default_factory=list)  # every document's sections, each line accounted for


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
        before = len(out.errors)
        _check_sections(record, lines, out)
        out.texts[record.id] = lines
        if len(out.errors) > before:
            continue  # the claims' lines and the accounting are checked once the sections fit the text
        for claim in citing.get(record.id, []):
            _check_claim(claim, data, lines, out)
        _account(record, data, lines, out)
    return out


@dataclass
class Region:
    """A section of a document (or the lines before its first section), and how its non-blank lines are accounted
    for: its heading, the lines claims cite, the lines its document's record lists as stating no drug fact."""

    document: str
    section: str | None  # None: before the first section
    title: str
    start: int
    end: int
    lines: int = 0  # non-blank
    headings: int = 0
    cited: int = 0
    excluded: dict[str, int] = field(default_factory=dict)  # reason -> lines
    unaccounted: list[int] = field(default_factory=list)


def _account(record: Record, data: Dataset, lines: list[str], out: CheckedDocuments) -> None:
    """Each non-blank line is a heading, cited by a claim, or listed in ``no_facts`` with its reason; else an
    error. A line both cited and listed is an error too (a line that states a fact is not furniture)."""
    excluded: dict[int, str] = {}
    entries = record.get("no_facts") or []
    for index, entry in enumerate(entries):
        try:
            numbers = parse_lines(entry["lines"])
        except (ValueError, KeyError, TypeError):
            return  # reported by the record's own check
        where = entries.line_of(index) if hasattr(entries, "line_of") else record.line_of("no_facts")
        for n in numbers:
            if n > len(lines):
                out.errors.append(DataError(record.file, where, record.id, f"no_facts lists line {n}, past the end "
                                            f"of {record['file']} ({len(lines)} lines)", "list lines of the document"))
            elif n in out.cited.get(record.id, {}):
                claims = ", ".join(out.cited[record.id][n])
                out.errors.append(DataError(record.file, where, record.id, f"no_facts lists line {n} as "
                                            f"{entry['reason']}, but {claims} cite{'s' if ',' not in claims else ''} it",
                                            "a line that states a fact is not furniture: take it out of no_facts, or "
                                            "correct the claim's lines"))
            else:
                excluded[n] = entry["reason"]
    regions = _regions(record, data, out, len(lines))
    headings = {s["line"] for s in data.sections.get(record.id, {}).values()}
    cited = out.cited.get(record.id, {})
    for n, text in enumerate(lines, 1):
        if not text.strip():
            continue
        region = next(r for r in reversed(regions) if r.start <= n <= r.end)
        region.lines += 1
        if n in headings:
            region.headings += 1
        elif n in cited:
            region.cited += 1
        elif n in excluded:
            region.excluded[excluded[n]] = region.excluded.get(excluded[n], 0) + 1
        else:
            region.unaccounted.append(n)
            out.errors.append(DataError(record.file, record.line_of("file"), record.id, f"line {n} of "
                                        f"{record['file']} ({region.title}) is not accounted for: {text.strip()[:160]!r}",
                                        "cite it from the claim it states (lines: of a claim), model the fact it "
                                        "states as a claim, or list it under no_facts with its reason "
                                        f"({', '.join(NO_FACT_REASONS)})"))
    out.regions += regions


def _regions(record: Record, data: Dataset, out: CheckedDocuments, count: int) -> list[Region]:
    """The document's sections in line order (a nested section after its parent), the lines before the first one
    in front."""
    sections = sorted((s for s in data.sections.get(record.id, {}).values()
                       if (record.id, s["id"]) in out.ends), key=lambda s: s["line"])
    first = sections[0]["line"] if sections else count + 1
    regions = [Region(record.id, None, "before the first section", 1, first - 1)] if first > 1 else []
    regions += [Region(record.id, s["id"], s["title"], s["line"], out.ends[(record.id, s["id"])]) for s in sections]
    return regions


def _check_claim(claim: Record, data: Dataset, lines: list[str], out: CheckedDocuments) -> None:
    """The claim's lines lie inside its section, and every number it states is written on them."""
    doc, section_id = claim["source"].split("#", 1)
    section = data.sections.get(doc, {}).get(section_id)
    end = out.ends.get((doc, section_id))
    if "lines" not in claim:
        return  # reported by the record's own check
    try:
        numbers = parse_lines(claim["lines"])
    except ValueError:
        return  # reported by the record's own check
    if section is None or end is None:
        return  # the section is reported by the document's check
    where = claim.line_of("lines")
    outside = [n for n in numbers if not section["line"] <= n <= end]
    if outside:
        out.errors.append(DataError(claim.file, where, claim.id, f"cites line{'s' if len(outside) > 1 else ''} "
                                    f"{', '.join(map(str, outside))}, outside its section {claim['source']} (lines "
                                    f"{section['line']}-{end})", "cite the lines of the section that state the fact, "
                                    "or cite the section that holds them"))
        return
    for n in numbers:
        out.cited.setdefault(doc, {}).setdefault(n, []).append(claim.id)
    text = "\n".join(lines[n - 1] for n in numbers)
    written = numbers_written(text)
    missing = [value for value in claim_numbers(claim.data) if value not in written]
    if missing:
        shown = " | ".join(f"{n}: {lines[n - 1].strip()}" for n in numbers)
        verb = "do" if len(numbers) > 1 else "does"
        out.errors.append(DataError(
            claim.file, where, claim.id,
            f"states {', '.join(decimal(str(m)).value for m in missing)}, which line{'s' if len(numbers) > 1 else ''} "
            f"{claim['lines']} of {doc} {verb} not write (they read: {shown[:600]})",
            "cite the lines that write the number, or correct the value"))


def claim_numbers(value, key: str = "") -> list[Decimal]:
    """Every number a record states as a value: a quantity's value and bounds, a whole-number field; not its
    ``lines`` (nor a number inside a text)."""
    found: list[Decimal] = []
    if isinstance(value, dict):
        for k, item in value.items():
            if k in ("lines", "id"):
                continue
            if "unit" in value and k in QUANTITY_BOUNDS:
                try:
                    found.append(to_decimal(item))
                except ValueError:
                    pass  # reported by the record's own check
            elif isinstance(item, (dict, list)) or (isinstance(item, int) and not isinstance(item, bool)):
                found += claim_numbers(item, k)
    elif isinstance(value, list):
        for item in value:
            found += claim_numbers(item, key)
    elif isinstance(value, int) and not isinstance(value, bool):
        found.append(Decimal(value))
    return found


_SUPERSCRIPT = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹", "0123456789")
_POWER = re.compile(r"(\d+(?:\.\d+)?)\s*[x×]\s*10(?:\^|\*\*)?([⁰¹²³⁴⁵⁶⁷⁸⁹]+|(?<=\^)\d+|(?<=\*\*)\d+)")
_NUMBER = re.compile(r"\d{1,3}(?:,\d{3})+(?!\d)|\d+(?:\.\d+)?")
_WORDS = {word: Decimal(n) for n, word in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen twenty".split())}
_WORDS |= {word: Decimal(10 * n) for n, word in enumerate("thirty forty fifty sixty seventy eighty ninety".split(), 3)}
_ONE = re.compile(r"\b(?:a|an|once|single|weekly|monthly|daily|yearly|annually|annual)\b", re.IGNORECASE)
_WORD = re.compile(r"\b(" + "|".join(_WORDS) + r")\b", re.IGNORECASE)


def numbers_written(text: str) -> set[Decimal]:
    """The numbers ``text`` writes, in the forms a document uses.

    >>> sorted(map(int, numbers_written("2 x 10¹³ gc per kg; 1,000 mg; 39% at six months, once")))
    [1, 2, 6, 10, 13, 39, 1000, 20000000000000]
    """
    found: set[Decimal] = set()
    for match in _POWER.finditer(text):
        found.add(Decimal(match[1]) * Decimal(10) ** int(match[2].translate(_SUPERSCRIPT)))
    plain = re.sub("[⁰¹²³⁴⁵⁶⁷⁸⁹]+", lambda match: "^" + match[0].translate(_SUPERSCRIPT), text)
    found.update(Decimal(match[0].replace(",", "")) for match in _NUMBER.finditer(plain))
    found.update(_WORDS[match[1].lower()] for match in _WORD.finditer(text))
    if _ONE.search(text):
        found.add(Decimal(1))
    return found


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


def coverage_table(regions: list[Region]) -> str:
    """A Markdown table: per document and section, its non-blank lines, headings, lines cited, lines listed as
    stating no drug fact (by reason), and a total per document."""
    rows = [["document", "section", "lines", "heading", "cited", "no drug fact (reason: lines)", "unaccounted"],
            ["---", "---", "---:", "---:", "---:", "---", "---:"]]

    def row(document: str, title: str, found: list[Region]) -> list[str]:
        excluded: dict[str, int] = {}
        for region in found:
            for reason, n in region.excluded.items():
                excluded[reason] = excluded.get(reason, 0) + n
        return [document, title, str(sum(r.lines for r in found)), str(sum(r.headings for r in found)),
                str(sum(r.cited for r in found)), ", ".join(f"{k}: {v}" for k, v in sorted(excluded.items())) or "",
                str(sum(len(r.unaccounted) for r in found))]

    for document in dict.fromkeys(r.document for r in regions):
        found = [r for r in regions if r.document == document]
        rows += [row(document, f"{r.start}-{r.end} {r.title}", [r]) for r in found]
        rows.append(row(f"**{document}**", "**all**", found))
    return "\n".join("| " + " | ".join(cells) + " |" for cells in rows)


LABEL_MANIFESTS = ("SHA256SUMS", "labels.sha256")  # in a labels folder
_MANIFEST_LINE = re.compile(r"([0-9a-f]{64}) [ *]([^/\\]+\.xml)")


def check_label_files(folder: Path, shared_manifest: Path | None = None) -> list[DataError]:
    r"""Each label file of ``folder`` whose SHA-256 is not the one its manifest lists: the labels' own manifest
    (``SHA256SUMS`` or ``labels.sha256`` beside them, in ``sha256sum`` format), else ``shared_manifest`` (the data's
    ``labels.sha256``, which the build gives for the shared labels folder only: copies elsewhere are a test's or a
    user's own). A file the manifest does not name, or a named file not in the folder, is not an error (a build may
    take some of the labels, or new ones); a named file with other bytes is, as a curated document with another hash
    is. No manifest: nothing to check.

    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "a.xml").write_text("<document/>")
    >>> _ = (folder / "SHA256SUMS").write_text("0" * 64 + "  a.xml\n")
    >>> [f"{e.record} {e.message.split(',')[0]}" for e in check_label_files(folder)]
    ['a.xml has SHA-256 8c92128223d6343d6b07f0cb0bbdaeddd1191862644092e5c8fe606c4285a8d9']
    """
    manifest = next((folder / name for name in LABEL_MANIFESTS if (folder / name).is_file()), None)
    if manifest is None and shared_manifest is not None and shared_manifest.is_file():
        manifest = shared_manifest
    if manifest is None:
        return []
    errors = []
    for number, line in enumerate(manifest.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        match = _MANIFEST_LINE.fullmatch(line.strip())
        if match is None:
            errors.append(DataError(str(manifest), number, "manifest", f"cannot read {line.strip()!r}",
                                    "write each line as sha256sum does: 64 hex digits, two spaces, the file name"))
            continue
        expected, name = match.groups()
        path = folder / name
        if path.is_file():
            with path.open("rb") as file:
                actual = hashlib.file_digest(file, "sha256").hexdigest()
            if actual != expected:
                errors.append(DataError(str(path), 1, name, f"has SHA-256 {actual}, not the {expected} that "
                                        f"{manifest} (line {number}) lists: the label is not the file published",
                                        "restore the published file (labels are never edited; a test edits a copy "
                                        "in a temporary folder), or list the new file's hash if it is meant"))
    return errors
