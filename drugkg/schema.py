"""Strict validation of data records: field specs per kind, reference resolution, precise errors.

Every record kind registers a :class:`KindSpec` (in ``loaders/``): its fields and, for claims, that it needs a
source. :func:`validate` checks every record of every file and returns *all* problems at once, each naming the
file, line, record id, what is wrong and how to fix it. Loaders only ever see records that passed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pyoxigraph as ox

from drugkg.errors import DataError
from drugkg.ontology import OntologyModel
from drugkg.prefixes import CurieError, parse_curie
from drugkg.reader import LineDict, LineList, ParsedFile, UnreadFile
from drugkg.terms import check_date, to_decimal

ID_PATTERN = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")

# The longest text value (id, label, note...) accepted, in characters. Real values are at most a few thousand; the
# store's bulk loader fails on an N-Triples line over 16 MiB, and a value that long is a pasted file, not a fact.
MAX_TEXT_LENGTH = 100_000
# Characters no text value may hold: the C0 control characters except tab, line feed and carriage return, DEL,
# and the non-characters U+FFFE and U+FFFF. XML 1.0 cannot carry them (the RDF/XML export would be unreadable) and
# they are invisible in an editor and dangerous on a terminal. YAML refuses them raw, but lets escapes such as
# "\x07" or "\0" in double-quoted strings through.
FORBIDDEN_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")

QUANTITY_BOUNDS = ("value", "min", "min_exclusive", "max", "max_exclusive")
QUANTITY_KEYS = (*QUANTITY_BOUNDS, "unit", "approximate")
SCHEDULE_KEYS = ("interval", "duration", "until", "description")
# The kinds of difference a claim may declare against a claim of another source (dkg:DifferenceKind).
DIFFERENCE_KINDS = ("contradiction", "scope", "precision", "unit", "wording")
DIFFERENCES_FIX = ("write differs_from: {OTHER-CLAIM-ID: KIND}, KIND one of " + ", ".join(DIFFERENCE_KINDS)
                   + " (contradiction: both cannot be true; the others: the same point said differently)")


@dataclass(frozen=True)
class Field:
    """One field of a record kind.

    ``type`` is one of: text, string, bool, integer, date, quantity, ref, keyword, source, lines, schedule, curie,
    xrefs, sections, no_facts (checked by the kind's own ``check``), scalar (text, bool, integer or date), base_iri,
    differences (a mapping from claim ids to a kind in :data:`DIFFERENCE_KINDS`).
    For ``ref``, ``targets`` names what may be referred to: an ontology class (entities of that class or a
    subclass), ``claim:<kind>``, ``unit`` or ``entity`` (any entity).
    """

    type: str
    required: bool = False
    many: bool = False
    targets: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    hint: str = ""


def Text(required=False, hint="a short paraphrase in your own words"):  # noqa: N802 - reads like a type
    return Field("text", required, hint=hint)


def Ref(*targets: str, required=False, many=False):  # noqa: N802
    return Field("ref", required, many, targets)


def Keyword(*words: str, required=False):  # noqa: N802
    return Field("keyword", required, keywords=words)


@dataclass(frozen=True)
class KindSpec:
    """What a record kind accepts. ``claim`` kinds also get ``source``, ``differs_from`` and ``note``."""

    kind: str
    fields: Mapping[str, Field]
    claim: bool = True
    # yields (field name or line number, what is wrong, how to fix)
    check: Callable[[Record, Checker], Iterable[tuple[str | int, str, str]]] | None = None

    def all_fields(self) -> dict[str, Field]:
        base = {"id": Field("id", True)}
        if self.claim:
            base |= {
                "source": Field("source", True),
                "lines": Field("lines", True),
                "differs_from": Field("differences"),
                "note": Text(),
            }
        return base | dict(self.fields)


@dataclass
class Record:
    """One record of the data: its kind, its fields (with line numbers) and the file it came from."""

    kind: str
    data: LineDict
    file: str
    index: int

    @property
    def id(self) -> str:
        value = self.data.get("id")
        return value if isinstance(value, str) else f"{self.kind}[{self.index}]"

    @property
    def line(self) -> int:
        return self.data.line

    def line_of(self, key: str) -> int:
        return self.data.line_of(key)

    def get(self, key: str, default=None):
        return self.data.get(key, default)

    def __getitem__(self, key: str):
        return self.data[key]

    def __contains__(self, key: str) -> bool:
        return key in self.data


@dataclass
class Dataset:
    """All valid records, indexed by id, plus the sections of every document."""

    records: list[Record] = field(default_factory=list)
    by_id: dict[str, Record] = field(default_factory=dict)
    sections: dict[str, dict[str, LineDict]] = field(default_factory=dict)  # doc id -> section id -> section
    metadata: Record | None = None
    xref_owner: dict[str, str] = field(default_factory=dict)  # external CURIE -> the entity id it names

    def entity_type(self, ident: str) -> str | None:
        record = self.by_id.get(ident)
        return record.get("type") if record is not None and record.kind == "entity" else None

    def slimmed(self) -> Dataset:
        """The records reduced to what is reported of them once the graph is loaded: kind, id, file and line (the
        release metadata whole). A build keeps this for its error messages and its description instead of every
        field of every record (570 MB at 1,000 synthetic drugs)."""
        slim: dict[int, Record] = {}
        for record in self.records:
            fields = LineDict()
            if "id" in record.data:
                fields["id"] = record.data["id"]
            fields.line, fields.key_lines = record.data.line, {}
            slim[id(record)] = Record(record.kind, fields, record.file, record.index)
        return Dataset([slim[id(r)] for r in self.records], {k: slim[id(r)] for k, r in self.by_id.items()},
                       metadata=self.metadata, xref_owner=self.xref_owner)


@dataclass
class Checker:
    """Validation state shared by the field checks and the kinds' own ``check`` functions."""

    ontology: OntologyModel
    data: Dataset
    unread: Sequence[UnreadFile] = ()  # files that could not be parsed: what they declare is unknown
    unchecked: dict[str, int] = field(default_factory=dict)  # unread file -> references to it left unchecked

    def may_be_unread(self, ident: str) -> bool:
        """True when the undeclared ``ident`` may be declared in a file that could not be parsed: a reference to
        it is then not reported (it would only repeat that file's error), but counted against the file."""
        for unread in self.unread:
            if unread.may_declare(ident):
                self.unchecked[unread.path] = self.unchecked.get(unread.path, 0) + 1
                return True
        return False

    def describe(self, ident: str) -> str:
        record = self.data.by_id.get(ident)
        if record is None:
            return "undeclared"
        if record.kind == "entity":
            return _a(str(record.get("type")))
        return _a(f"{record.kind} record")

    def ref_ok(self, ident: str, targets: tuple[str, ...]) -> bool:
        record = self.data.by_id.get(ident)
        if record is None:
            return False
        for target in targets:
            if target == "entity" and record.kind == "entity":
                return True
            if target == "claim" and spec_is_claim(record.kind):
                return True
            if target.startswith("claim:") and record.kind == target[6:]:
                return True
            if target == record.kind:  # unit, document
                return True
            if record.kind == "entity" and self.ontology.is_a(str(record.get("type")), target):
                return True
        return not targets


_SPECS: dict[str, KindSpec] = {}


def register_spec(spec: KindSpec) -> None:
    if spec.kind in _SPECS:
        raise ValueError(f"record kind {spec.kind!r} registered twice")
    _SPECS[spec.kind] = spec


def specs() -> dict[str, KindSpec]:
    return dict(_SPECS)


def spec_is_claim(kind: str) -> bool:
    spec = _SPECS.get(kind)
    return spec is not None and spec.claim


def _a(noun: str) -> str:
    """The noun with its indefinite article: 'a Disease', 'an AdverseEvent'."""
    return f"{'an' if noun[:1].lower() in 'aeiou' else 'a'} {noun}"


def _targets_text(targets: tuple[str, ...]) -> str:
    names = [t[6:] + " record" if t.startswith("claim:") else t for t in targets]
    return " or ".join(names) if names else "anything"


def _line(value, key) -> tuple[int, ...]:
    """The line of ``key`` inside a block mapping, as a 1-tuple to append to a problem; () when unknown."""
    return (value.line_of(key),) if isinstance(value, LineDict) and key in value.key_lines else ()


def _check_quantity(value, checker: Checker) -> list[tuple]:
    fix_shape = "write {value: N, unit: UNIT-ID} or use min/max bounds, e.g. {min: 18, unit: year}"
    if not isinstance(value, dict):
        return [("is not a quantity", fix_shape)]
    problems = []
    unknown = sorted(set(value) - set(QUANTITY_KEYS))
    if unknown:
        problems.append((f"has unknown quantity key(s) {', '.join(unknown)}", f"use only {', '.join(QUANTITY_KEYS)}",
                         *_line(value, unknown[0])))
    unit = value.get("unit")
    if unit is None:
        problems.append(("has no unit", "add unit: a unit id declared under unit:"))
    elif isinstance(unit, str) and unit not in checker.data.by_id and checker.may_be_unread(unit):
        pass
    elif not isinstance(unit, str) or not checker.ref_ok(unit, ("unit",)):
        known = sorted(r.id for r in checker.data.records if r.kind == "unit")
        problems.append((f"has an unknown unit {unit!r}", f"use one of {', '.join(known)}, or declare it under unit: with its UCUM code",
                         *_line(value, "unit")))
    numbers = {}
    for key in QUANTITY_BOUNDS:
        if key in value:
            try:
                numbers[key] = to_decimal(value[key])
            except ValueError as exc:
                problems.append((f"{key}: {exc}", "write a plain number such as 1.5 or 20000000000000", *_line(value, key)))
    if not numbers and not any(k in value for k in QUANTITY_BOUNDS):
        problems.append(("has no number", "give value, or a bound: min, min_exclusive, max, max_exclusive"))
    if "value" in value and any(k in value for k in QUANTITY_BOUNDS[1:]):
        problems.append(("mixes value with bounds", "give either value or min/max bounds, not both"))
    if "min" in value and "min_exclusive" in value or "max" in value and "max_exclusive" in value:
        problems.append(("has two lower or two upper bounds", "keep one of min/min_exclusive and of max/max_exclusive"))
    low = numbers.get("min", numbers.get("min_exclusive"))
    high = numbers.get("max", numbers.get("max_exclusive"))
    if low is not None and high is not None and low > high:
        problems.append((f"has its lower bound {low} above its upper bound {high}", "swap or correct the bounds"))
    if "approximate" in value and not isinstance(value["approximate"], bool):
        problems.append(("approximate must be true or false", "write approximate: true"))
    return problems


def _check_scalar(ftype: str, value) -> tuple[str, str] | None:
    if ftype in {"text", "string"}:
        if not isinstance(value, str) or not value.strip():
            return ("must be a non-empty string", "write plain text in quotes if needed")
    elif ftype == "bool":
        if not isinstance(value, bool):
            return (f"must be true or false, not {value!r}", "write true or false")
    elif ftype == "integer":
        if isinstance(value, bool) or not isinstance(value, int):
            return (f"must be a whole number, not {value!r}", "write a whole number such as 54")
    elif ftype == "date":
        try:
            check_date(value)
        except ValueError as exc:
            return (f"bad date: {exc}", 'write a date as "YYYY", "YYYY-MM" or "YYYY-MM-DD"')
    return None


LINES_FIX = "write lines: N, lines: N-M, or a list of those: the lines of the cited section that state the fact"


def parse_lines(value) -> list[int]:
    """The sorted distinct line numbers a claim's ``lines`` names: a line, a range ``"N-M"``, or a list of those;
    ValueError saying what is wrong.

    >>> parse_lines([41, "43-45"])
    [41, 43, 44, 45]
    """
    items = value if isinstance(value, list) else [value]
    if not items:
        raise ValueError("is an empty list")
    found: set[int] = set()
    for item in items:
        if isinstance(item, int) and not isinstance(item, bool) and item >= 1:
            found.add(item)
            continue
        match = re.fullmatch(r"\s*(\d+)\s*-\s*(\d+)\s*", item) if isinstance(item, str) else None
        if match is None or not 1 <= int(match[1]) <= int(match[2]):
            raise ValueError(f"has {item!r}, which is not a line number (1 or more) nor a range N-M with N <= M")
        if int(match[2]) - int(match[1]) > 1000:
            raise ValueError(f"has the range {item!r}, over 1,000 lines: cite the lines that state the fact")
        found.update(range(int(match[1]), int(match[2]) + 1))
    return sorted(found)


BASE_IRI_FIX = "give an absolute http or https IRI ending in '/' or '#', e.g. https://example.org/id/"


def base_iri_problem(base: str) -> str | None:
    """What is wrong with ``base`` as the base of every minted IRI, or None when nothing is.

    A base is an absolute http or https IRI with a host and no query, ending in '/' or '#' (minted IRIs are the
    base followed by an id): ``javascript:``, ``file:`` or ``urn:`` bases are refused.

    >>> base_iri_problem("https://example.org/id/") is None
    True
    >>> base_iri_problem("javascript:alert(1)//")
    "uses the scheme 'javascript', not http or https"
    """
    try:
        ox.NamedNode(base)
    except ValueError as exc:
        return f"is not an IRI ({exc})"
    parts = urlsplit(base)
    if parts.scheme.lower() not in ("http", "https"):
        return f"uses the scheme {parts.scheme!r}, not http or https"
    if not parts.hostname:
        return "has no host"
    if parts.query or "#" in base[:-1]:
        return "must not have a query, nor a '#' before its end"
    if not base.endswith(("/", "#")):
        return "must end with '/' or '#'"
    return None


def check_value(f: Field, value, checker: Checker) -> list[tuple[str, str]]:
    """Problems with one field value, as (what is wrong, how to fix) pairs."""
    if f.many:
        items = value if isinstance(value, list) else [value]
        if not items:
            return [("is an empty list", "give at least one item or remove the field")]
        one = Field(f.type, targets=f.targets, keywords=f.keywords)
        return [p for item in items for p in check_value(one, item, checker)]
    if f.type == "ref":
        if not isinstance(value, str):
            return [(f"must be an id, not {value!r}", "write the id of a declared record")]
        if value not in checker.data.by_id:
            if checker.may_be_unread(value):
                return []
            return [(f"refers to undeclared id {value!r}", f"declare {value!r} as {_a(_targets_text(f.targets))}, or fix the spelling")]
        if not checker.ref_ok(value, f.targets):
            return [(f"must refer to {_a(_targets_text(f.targets))}, but {value!r} is {checker.describe(value)}",
                     f"refer to {_a(_targets_text(f.targets))}")]
        return []
    if f.type == "keyword":
        if value not in f.keywords:
            return [(f"must be one of {', '.join(f.keywords)}, not {value!r}", f"write one of {', '.join(f.keywords)}")]
        return []
    if f.type == "quantity":
        return _check_quantity(value, checker)
    if f.type == "lines":
        try:
            parse_lines(value)
        except ValueError as exc:
            return [(str(exc), LINES_FIX)]
        return []
    if f.type == "schedule":
        if not isinstance(value, list) or not value:
            return [("must be a list of steps", "write a list of {interval, duration, description} steps")]
        problems = []
        for step in value:
            if not isinstance(step, dict) or not step or set(step) - set(SCHEDULE_KEYS):
                problems.append(("has a bad step", f"each step is a mapping with some of {', '.join(SCHEDULE_KEYS)}"))
                continue
            for key in ("interval", "duration", "until"):
                if key in step:
                    problems += [(f"{key} {what}", *rest) for what, *rest in _check_quantity(step[key], checker)]
            if "description" in step and _check_scalar("text", step["description"]):
                problems.append(("description must be text", "write a short paraphrase"))
        return problems
    if f.type == "differences":
        if not isinstance(value, dict) or not value:
            return [(f"must map each claim it differs from to the kind of difference, not {value!r}", DIFFERENCES_FIX)]
        problems = []
        for other, kind in value.items():
            problems += check_value(Field("ref", targets=("claim",)), other, checker)
            if kind not in DIFFERENCE_KINDS:
                problems.append((f"gives {other!r} the kind {kind!r}", DIFFERENCES_FIX))
        return problems
    if f.type == "scalar":
        if not any(_check_scalar(t, value) is None for t in ("bool", "integer", "text")) and not hasattr(value, "isoformat"):
            return [(f"must be text, a boolean, a whole number or a date, not {value!r}", "write a plain value")]
        return []
    if f.type == "curie":
        try:
            parse_curie(value)
        except CurieError as exc:
            return [(str(exc), "correct the identifier; see ../shared/identifiers.md")]
        return []
    if f.type == "base_iri":
        if not isinstance(value, str):
            return [(f"must be an IRI, not {value!r}", BASE_IRI_FIX)]
        problem = base_iri_problem(value)
        return [(f"{value!r} {problem}", BASE_IRI_FIX)] if problem else []
    problem = _check_scalar(f.type, value)
    return [problem] if problem else []


def _collect(parsed: list[ParsedFile]) -> tuple[list[Record], Record | None, list[DataError]]:
    """Split files into records; check the top-level shape and the ids."""
    errors: list[DataError] = []
    records: list[Record] = []
    metadata: Record | None = None
    known = sorted(_SPECS)
    for pf in parsed:
        content = pf.content
        if content is None:
            continue
        if not isinstance(content, LineDict):
            errors.append(DataError(pf.path, getattr(content, "line", 1), "-", "the file must be a mapping of record kinds to lists",
                                    "start the file with a kind such as 'entity:' followed by a list of records"))
            continue
        for kind, items in content.items():
            line = content.line_of(kind)
            if kind == "dataset":
                if not isinstance(items, LineDict):
                    errors.append(DataError(pf.path, line, "dataset", "dataset must be a mapping", "write dataset: with its fields"))
                elif metadata is not None:
                    errors.append(DataError(pf.path, line, "dataset", f"a second dataset block (the first is in {metadata.file})",
                                            "keep one dataset block"))
                else:
                    metadata = Record("dataset", items, pf.path, 0)
                continue
            if kind not in _SPECS:
                errors.append(DataError(pf.path, line, "-", f"unknown record kind {kind!r}", f"use one of: dataset, {', '.join(known)}"))
                continue
            if not isinstance(items, LineList):
                errors.append(DataError(pf.path, line, kind, f"{kind} must be a list of records", "write each record as '- id: ...'"))
                continue
            for index, item in enumerate(items):
                if not isinstance(item, LineDict):
                    errors.append(DataError(pf.path, items.line_of(index), f"{kind}[{index}]", "a record must be a mapping",
                                            "write the record as key: value lines"))
                    continue
                records.append(Record(kind, item, pf.path, index))
    return records, metadata, errors


def text_problems(value, where: str, line: int, seen: set[int] | None = None) -> list[tuple[int, str, str]]:
    """Every text in a field's ``value`` (itself, or inside its lists and mappings, keys included) that is longer
    than MAX_TEXT_LENGTH or holds a character of FORBIDDEN_CHARACTERS, as (line, what is wrong, how to fix).

    ``where`` names the value (``label``, ``sections[1].title``); '' stands for a whole record. A list or mapping
    reached a second time (a YAML alias shares one object) is checked once: ten levels of ten aliases each would
    otherwise be ten billion visits.

    >>> text_problems({"title": "ok", "note": "ab\\x07"}, "", 4)[0][1]
    'note holds the control character U+0007 at position 3'
    """
    if isinstance(value, str):
        return _text_problem(value, where, line)
    seen = set() if seen is None else seen
    if id(value) in seen:
        return []
    seen.add(id(value))
    problems = []
    if isinstance(value, dict):
        for key, item in value.items():
            item_line = value.line_of(key) if isinstance(value, LineDict) else line
            bad_key = _text_problem(key, f"a key of {where}" if where else "a field name", item_line)
            problems += bad_key
            if not bad_key:  # under a refused key, the value is reported once the key is fixed
                problems += text_problems(item, f"{where}.{key}" if where else key, item_line, seen)
    elif isinstance(value, (list, tuple, set, frozenset)):  # tuples and sets from YAML's !!omap, !!pairs and !!set
        for index, item in enumerate(value):
            item_line = value.line_of(index) if isinstance(value, LineList) else line
            problems += text_problems(item, f"{where}[{index}]", item_line, seen)
    return problems


def _text_problem(text: str, where: str, line: int) -> list[tuple[int, str, str]]:
    problems = []
    if len(text) > MAX_TEXT_LENGTH:
        problems.append((line, f"{where} is {len(text):,} characters long, over the limit of {MAX_TEXT_LENGTH:,}",
                         "shorten it to a paraphrase in your own words, and cite the source's section for the rest"))
    found = FORBIDDEN_CHARACTERS.search(text)
    if found:
        code = ord(found.group())
        kind = "non-character" if code > 0x7F else "control character"
        more = len(FORBIDDEN_CHARACTERS.findall(text, found.end()))
        problems.append((line, f"{where} holds the {kind} U+{code:04X} at position {found.start() + 1}"
                         + (f", and {more} more" if more else ""),
                         'remove it; of the control characters only tab and line breaks are allowed, so also no '
                         'escapes such as "\\x07" or "\\0" in double-quoted strings'))
    return problems


def _printable(error: DataError) -> DataError:
    """``error`` with any refused character shown as an escape (a message must never write one to a terminal) and
    an overlong record name cut short."""
    parts = [FORBIDDEN_CHARACTERS.sub(lambda m: repr(m.group())[1:-1], part) if isinstance(part, str) else part
             for part in error]
    if isinstance(parts[2], str) and len(parts[2]) > 200:
        parts[2] = parts[2][:100] + "..."
    return DataError(*parts)


def _duplicate_key_errors(parsed: list[ParsedFile], records: list[Record]) -> list[DataError]:
    """Report each repeated key with the record it sits in (the last record starting at or above it)."""
    errors = []
    by_file: dict[str, list[tuple[int, str]]] = {}
    for r in records:
        by_file.setdefault(r.file, []).append((r.line, r.id))
    for pf in parsed:
        if not pf.duplicates:
            continue
        starts = sorted(by_file.get(pf.path, []))
        for line, key in pf.duplicates:
            owner = "-"
            for start, ident in starts:
                if start <= line:
                    owner = ident
            errors.append(DataError(pf.path, line, owner, f"duplicate key {key!r}", "keep only one; merge the two values"))
    return errors


DATASET_FIELDS = {
    "id": Field("id", True),
    "title": Text(True),
    "description": Text(True),
    "version": Field("string", True),
    "issued": Field("date", True),
    "license": Field("string", True),
    "creator": Field("string", True),
    "base_iri": Field("base_iri", True),
}


def validate(
    parsed: list[ParsedFile], ontology: OntologyModel, folder: str = "data", unread: Sequence[UnreadFile] = ()
) -> tuple[Dataset, list[DataError]]:
    """Check every record; return the dataset (usable only if there are no errors) and all errors.

    ``unread`` are the files that could not be parsed (their errors are the caller's): a reference to an id one
    of them may declare is not reported, only one line per such file saying that its references went unchecked.
    """
    records, metadata, errors = _collect(parsed)
    errors += _duplicate_key_errors(parsed, records)
    data = Dataset(metadata=metadata)
    # Only a file with a backslash escape, or longer than the limit, can hold a refused text (see ParsedFile).
    suspect = {pf.path for pf in parsed if pf.has_backslash or pf.length > MAX_TEXT_LENGTH}
    for record in [metadata, *records] if metadata is not None else records:
        if record.file in suspect:
            errors += [DataError(record.file, line, record.id, what, fix)
                       for line, what, fix in text_problems(record.data, "", record.line)]
    for record in records:
        ident = record.get("id")
        if ident is None:
            errors.append(DataError(record.file, record.line, record.id, "missing id", "add id: a unique kebab-case id"))
            continue
        if not isinstance(ident, str) or not ID_PATTERN.fullmatch(ident):
            if not (isinstance(ident, str) and _text_problem(ident, "id", 0)):  # else reported above
                errors.append(DataError(record.file, record.line_of("id"), record.id, f"bad id {ident!r}",
                                        "use lower-case letters, digits and single hyphens, e.g. hemgenix-dose"))
            continue
        if ident in data.by_id:
            first = data.by_id[ident]
            errors.append(DataError(record.file, record.line_of("id"), ident, f"duplicate id (first declared at {first.file}:{first.line})",
                                    "give each record its own id"))
            continue
        data.by_id[ident] = record
        data.records.append(record)
        if record.kind == "document" and isinstance(record.get("sections"), list):
            data.sections[ident] = {s["id"]: s for s in record["sections"] if isinstance(s, dict) and isinstance(s.get("id"), str)}
    checker = Checker(ontology, data, unread)
    if metadata is None:
        if not checker.may_be_unread("dataset"):
            errors.append(DataError(folder, 1, "dataset", "no dataset block in any file",
                                    "add a dataset: mapping with id, title, description, version, issued, license, creator, base_iri"))
    else:
        errors += _check_fields(metadata, DATASET_FIELDS, checker)
    fields_of = {kind: spec.all_fields() for kind, spec in _SPECS.items()}
    for record in data.records:
        spec = _SPECS[record.kind]
        errors += _check_fields(record, fields_of[record.kind], checker)
        if spec.check is not None:
            for where, what, fix in spec.check(record, checker):
                line = where if isinstance(where, int) else record.line_of(where)
                errors.append(DataError(record.file, line, record.id, what, fix))
    errors += _difference_errors(data, ontology)
    for unread in checker.unread:
        if checker.unchecked.get(unread.path):
            errors.append(DataError(unread.path, unread.line, "-", "references to the ids this file declares were not "
                                    "checked, as it could not be read", "fix the error above and run again"))
    return data, [_printable(error) for error in errors]


def _check_fields(record: Record, fields: Mapping[str, Field], checker: Checker) -> list[DataError]:
    errors = []
    for key in record.data:
        if key not in fields:
            errors.append(DataError(record.file, record.line_of(key), record.id, f"unknown field {key!r}",
                                    f"remove it, or use one of: {', '.join(sorted(fields))}"))
    for key, f in fields.items():
        if key not in record.data:
            if key == "lines" and "source" not in record.data:
                continue  # one error for the missing citation: its fix names both
            if f.required:
                fix = {"source": "add source: DOC#SECTION naming where the fact is stated, and lines: N",
                       "lines": "add lines: N (or N-M, or a list): the lines of the cited section that state the fact"
                       }.get(key, f"add {key}:")
                errors.append(DataError(record.file, record.line, record.id, f"missing required field {key!r}", fix))
            continue
        value = record.data[key]
        if f.type == "id":
            continue
        if f.type == "source":
            problems = _check_source(value, checker)
        elif f.type in {"xrefs", "sections", "no_facts"}:
            problems = []  # checked by the kind's own check
        else:
            problems = check_value(f, value, checker)
        for what, fix, *line in problems:
            errors.append(DataError(record.file, line[0] if line else record.line_of(key), record.id, f"{key} {what}", fix))
    return errors


def _check_source(value, checker: Checker) -> list[tuple[str, str]]:
    fix = "write source: DOC#SECTION with a document id and one of its section ids"
    if not isinstance(value, str) or value.count("#") != 1:
        return [(f"must be DOC#SECTION, not {value!r}", fix)]
    doc, section = value.split("#")
    if doc not in checker.data.by_id and checker.may_be_unread(doc):
        return []
    if doc not in checker.data.sections:
        return [(f"names unknown document {doc!r}", f"use one of: {', '.join(sorted(checker.data.sections)) or '(none declared)'}")]
    if section not in checker.data.sections[doc]:
        return [(f"names unknown section {section!r} of {doc!r}", f"use one of: {', '.join(sorted(checker.data.sections[doc]))}")]
    return []


def declared_differences(data: Dataset) -> dict[frozenset[str], list[tuple[Record, str]]]:
    """Each declared difference (the pair of claim ids) with the records that declare it and the kind each gives.

    Only well-formed declarations count (a mapping from a declared claim id to a known kind); the field check
    reports the others.
    """
    found: dict[frozenset[str], list[tuple[Record, str]]] = {}
    for record in data.records:
        value = record.get("differs_from")
        if not isinstance(value, dict):
            continue
        for other, kind in value.items():
            if isinstance(other, str) and other in data.by_id and other != record.id and kind in DIFFERENCE_KINDS:
                found.setdefault(frozenset((record.id, other)), []).append((record, kind))
    return found


def _where(record: Record, key: str = "id") -> str:
    return f"{record.file}:{record.line_of(key)}"


def _difference_errors(data: Dataset, ontology: OntologyModel) -> list[DataError]:
    """Declared differences agree on their kind from both sides; two claims that give different values for the same
    point (a property of one value per source, an agency's approval date) declare how they differ.

    A source may give one value: two values from one document are an error whatever is declared. Across documents
    each keeps its own value once a difference is declared between their claims.
    """
    declared = declared_differences(data)
    errors = []
    for pair, sides in declared.items():
        kinds = {kind for _, kind in sides}
        if len(kinds) > 1:
            (a, kind_a), (b, kind_b) = sides[0], sides[1]
            errors.append(DataError(b.file, b.line_of("differs_from"), b.id,
                                    f"differs_from gives its difference with {a.id!r} the kind {kind_b!r}, but {a.id!r} "
                                    f"({_where(a, 'differs_from')}) gives it {kind_a!r}",
                                    "give the same kind on both sides, or declare it on one side only"))
    points: dict[tuple, list[tuple[Record, object, str]]] = {}
    for record in data.records:
        source = record.get("source")
        document = source.split("#")[0] if isinstance(source, str) else None
        if record.kind == "attribute" and record.get("property") in ontology.one_value_per_source:
            key = next((k for k in ("object", "value", "quantity") if k in record.data), None)
            if key is not None:
                points.setdefault(("attribute", record.get("subject"), record.get("property")), []).append(
                    (record, _comparable(record.get(key)), document))
        elif record.kind == "approval" and "date" in record.data:
            points.setdefault(("approval", record.get("drug"), record.get("agency")), []).append(
                (record, _comparable(record.get("date")), document))
    for (kind, subject, prop), claims in points.items():
        what = f"{prop} of {subject!r}" if kind == "attribute" else f"date of the approval of {subject!r} by {prop!r}"
        for i, (a, value_a, doc_a) in enumerate(claims):
            for b, value_b, doc_b in claims[i + 1:]:
                if value_a == value_b:
                    continue
                if doc_a == doc_b:
                    errors.append(DataError(b.file, b.line, b.id,
                                            f"gives a second {what} from the same document as {a.id!r} "
                                            f"({_where(a)}): a source gives one value",
                                            "keep the value the document states, or cite the right document"))
                elif frozenset((a.id, b.id)) not in declared:
                    errors.append(DataError(b.file, b.line, b.id,
                                            f"gives a different {what} from {a.id!r} ({_where(a)}), with no difference "
                                            "declared between them",
                                            f"if the documents do differ, declare it: differs_from: {{{a.id}: KIND}}, "
                                            f"KIND one of {', '.join(DIFFERENCE_KINDS)}; else correct the value"))
    return errors


def _comparable(value):
    """A value of a record field in a form that compares equal when two claims state the same thing."""
    if isinstance(value, dict):
        return tuple(sorted((k, _comparable(v)) for k, v in value.items()))
    if isinstance(value, list):
        return tuple(sorted(map(str, value)))
    return value if isinstance(value, (bool, int, float)) else str(value)
