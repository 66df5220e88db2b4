"""Read one FDA Structured Product Labeling (SPL) file into plain, immutable records: no RDF, no lxml objects.

An SPL file is HL7 v3 XML in the namespace ``urn:hl7-org:v3``. :func:`read_label` turns one file into a
:class:`Label` (header, labeler, products with their packages, ingredients and kit parts, every section with its
text and tables, and the pharmacologic-class indexing of a 60685-5 document). Every record carries the line of the
XML element it was read from, so an error or a provenance triple can cite ``file:line``. Codes, code systems,
display names and values are kept exactly as the XML states them, surrounding whitespace stripped; nothing is
normalised or looked up. Free text (titles, section text, table cells) is rendered: markup removed and runs of
XML whitespace collapsed, as the FDA stylesheet's HTML rendering would show them.

The file comes from outside, so it is read defensively (see the limits below and ``loaders/spl/README.md``): any
DOCTYPE, DTD or entity declaration is refused before parsing, never resolved; no file or network address other than
the label itself is ever opened; depth, text size and file size are capped. Every refusal is a :class:`LabelError`
saying ``path:line: reason (fix)``, never an lxml traceback.

>>> str(LabelError("labels/x.xml", 7, "versionNumber/@value 'two' is not a whole number", "state it as 1, 2, ..."))
"labels/x.xml:7: versionNumber/@value 'two' is not a whole number (state it as 1, 2, ...)"
"""

from __future__ import annotations

import codecs
import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

from lxml import etree

NS = "urn:hl7-org:v3"
_V = f"{{{NS}}}"
_XSI_TYPE = "{http://www.w3.org/2001/XMLSchema-instance}type"

# Code systems (OIDs) this reader matches on; where each was verified is in loaders/spl/README.md.
LOINC = "2.16.840.1.113883.6.1"  # section codes and document types
NDC = "2.16.840.1.113883.6.69"  # National Drug Code: product and package codes
UNII = "2.16.840.1.113883.4.9"  # FDA Unique Ingredient Identifier
DUNS = "1.3.6.1.4.1.519.1"  # Dun & Bradstreet D-U-N-S number of an organisation
NCI_THESAURUS = "2.16.840.1.113883.3.26.1.1"  # forms, routes, package types, marketing categories
NDF_RT_NCI = "2.16.840.1.113883.3.26.1.5"  # NCI's NDF-RT: the pharmacologic classes of 60685-5 indexing

BOXED_WARNING = "34066-1"  # LOINC "Boxed warning section": a boxed warning only at the top level

# Limits: a real label is far below each (the six shared labels: at most 18 levels deep, at most 3,802 elements,
# longest text node 1,540 characters, largest file 394 kB).
MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_DEPTH = 200
MAX_ELEMENTS = 500_000  # the largest shared label has 3,802; a flood of tiny elements would exhaust memory first
MAX_TEXT_CHARS = 1024 * 1024
MAX_SPAN = 1000  # a table cell's colspan or rowspan

_FIX_DTD = "remove the DOCTYPE and any entity declarations; an SPL file needs no DTD and no entities"
_FIX_REFETCH = "the file is damaged or cut short; download it again from DailyMed"

# HL7 v3 RoleClass codes for the ingredient of a product (value set RoleClassIngredientEntity, OID
# 2.16.840.1.113883.1.11.10430, is-a INGR: 15 codes, as listed by HL7 Terminology (THO) at
# http://terminology.hl7.org/ValueSet/v3-RoleClassIngredientEntity; is-a IACT: 5 codes); the SPL
# Implementation Guide uses the ACTI* and IACT branches for drug products. The ACTI* code says what the stated
# strength is the amount of: ACTIB the active ingredient itself ("basis of strength"), ACTIM its active moiety,
# ACTIR a reference substance; IACT and its specialisations (colour, flavour, preservative, stabiliser) are inactive.
# The other ingredient roles (adjuvant, additive, base, contaminant, mechanical, plain ingredient) are neither.
_ACTIVE = {"ACTI", "ACTIB", "ACTIM", "ACTIR"}
_INACTIVE = {"IACT", "COLR", "FLVR", "PRSV", "STBL"}
_OTHER_INGREDIENT = {"INGR", "ADJV", "ADTV", "BASE", "CNTM", "MECH"}
_BASIS = {"ACTIB": "active ingredient", "ACTIM": "active moiety", "ACTIR": "reference"}


class LabelError(Exception):
    """A label file that cannot be read, formatted as ``path:line: reason (fix)``.

    >>> err = LabelError("a.xml", 1, "the root element is {urn:x}doc", "check that this is an SPL file")
    >>> (err.path, err.line, str(err))
    ('a.xml', 1, 'a.xml:1: the root element is {urn:x}doc (check that this is an SPL file)')
    """

    def __init__(self, path: str | Path, line: int, reason: str, fix: str):
        self.path, self.line, self.reason, self.fix = str(path), line, reason, fix
        super().__init__(str(self))

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.reason} ({self.fix})"

    def __reduce__(self):
        return (LabelError, (self.path, self.line, self.reason, self.fix))


# ---------------------------------------------------------------------------------------------------- records
@dataclass(frozen=True, slots=True)
class Coded:
    """A coded value as stated: ``code``, ``system`` (codeSystem OID) and ``display`` (displayName)."""

    code: str
    system: str | None
    display: str | None
    line: int


@dataclass(frozen=True, slots=True)
class Amount:
    """One side of a ratio, as stated (strings, never numbers); ``translation`` is a coded unit if given."""

    value: str | None
    unit: str | None
    line: int
    translation: Coded | None = None


@dataclass(frozen=True, slots=True)
class Quantity:
    """A ``quantity`` element: numerator per denominator (a strength, a package content, a part amount)."""

    numerator: Amount | None
    denominator: Amount | None
    line: int


@dataclass(frozen=True, slots=True)
class Organization:
    """The labeler: ``representedOrganization`` name and D-U-N-S number."""

    name: str | None
    duns: str | None
    line: int


@dataclass(frozen=True, slots=True)
class Moiety:
    """An active moiety of an ingredient substance."""

    name: str | None
    unii: str | None
    line: int


@dataclass(frozen=True, slots=True)
class Ingredient:
    """One ``ingredient`` of a product; ``role`` and ``basis`` are derived from ``class_code`` (see _ACTIVE)."""

    class_code: str
    role: str | None  # "active", "inactive", or None for the other HL7 ingredient roles
    basis: str | None  # what the strength is stated for: "active ingredient", "active moiety", "reference"
    name: str | None
    code: Coded | None  # ingredientSubstance/code as stated
    unii: str | None  # that code when its system is UNII
    moieties: tuple[Moiety, ...]
    strength: Quantity | None
    line: int


@dataclass(frozen=True, slots=True)
class Package:
    """A ``containerPackagedProduct`` and how much of the thing inside it holds.

    SPL nests packages outward: a product is ``asContent`` of its smallest container, which is ``asContent`` of a
    larger one, so ``packaged_in`` lists the larger packages that hold this one (each with its own quantity).
    """

    ndc: str | None  # the package code when its system is NDC; None for an empty <code/>
    code: Coded | None
    form: Coded | None
    quantity: Quantity | None
    packaged_in: tuple[Package, ...]
    line: int


@dataclass(frozen=True, slots=True)
class Characteristic:
    """A product characteristic (SPLCOLOR, SPLSHAPE, SPLSIZE, SPLSCORE, SPLIMPRINT, ...) as stated."""

    code: Coded | None
    value_type: str | None  # the xsi:type of the value: CE, PQ, INT, ST, ...
    value: str | None  # @value, or the text of an ST value
    unit: str | None
    value_code: Coded | None  # the coded value of a CE
    original_text: str | None
    line: int


@dataclass(frozen=True, slots=True)
class Part:
    """A kit part: the ``partProduct`` (read as a product) and its quantity in the kit."""

    quantity: Quantity | None
    product: Product
    line: int


@dataclass(frozen=True, slots=True)
class Product:
    """A ``manufacturedProduct`` (or a kit's ``partProduct``) with what its role says about it.

    ``lines`` gives the source line of each scalar fact; see :meth:`line_of`.
    """

    ndc: str | None  # the product code when its system is NDC (parts have none)
    code: Coded | None
    name: str | None  # proprietary name, without the suffix
    suffix: str | None  # name/suffix: None when absent, "" when stated empty
    generic_name: str | None
    form: Coded | None
    routes: tuple[Coded, ...]
    ingredients: tuple[Ingredient, ...]
    packages: tuple[Package, ...]
    parts: tuple[Part, ...]
    marketing_category: Coded | None  # subjectOf/approval/code
    application_number: str | None  # subjectOf/approval/id/@extension
    application_system: str | None  # subjectOf/approval/id/@root
    territory: Coded | None  # subjectOf/approval/author/territorialAuthority/territory/code
    marketing_act: Coded | None  # subjectOf/marketingAct/code
    marketing_status: str | None  # subjectOf/marketingAct/statusCode/@code
    marketing_start: str | None  # subjectOf/marketingAct/effectiveTime/low/@value, as stated
    marketing_end: str | None  # .../high/@value
    dea_schedule: Coded | None  # subjectOf/policy[@classCode='DEADrugSchedule']/code
    source_ndc: str | None  # asEquivalentEntity/definingMaterialKind/code: the repackaged product
    equivalence: Coded | None  # asEquivalentEntity/code: how it is equivalent to the source
    characteristics: tuple[Characteristic, ...]
    section_id: str
    line: int
    lines: tuple[tuple[str, int], ...] = ()

    def line_of(self, fact: str) -> int:
        """The source line of one fact (a field name), or the product's own line when the fact is not stated."""
        return dict(self.lines).get(fact, self.line)

    def package_ndcs(self) -> tuple[str, ...]:
        """Every package NDC of this product, in document order, through all nesting levels."""
        out: list[str] = []

        def walk(packages: tuple[Package, ...]) -> None:
            for p in packages:
                if p.ndc:
                    out.append(p.ndc)
                walk(p.packaged_in)

        walk(self.packages)
        return tuple(out)


@dataclass(frozen=True, slots=True)
class Table:
    """A table of a section's text, cells rendered as text; colspan and rowspan expanded (the text repeated).

    Footnote markers ``[n]`` stay in the cells; ``footnotes`` holds ``"[n] text"`` in the table's numbering.
    ``header_lines``, ``body_lines`` and ``footer_lines`` hold the line of each row's ``<tr>``, one per row of
    ``header_rows``, ``body_rows`` and ``footer_rows``; the reader always fills them (a table built by hand
    may leave them empty).
    """

    table_id: str | None  # the table element's ID attribute
    caption: str
    header_rows: tuple[tuple[str, ...], ...]  # thead
    body_rows: tuple[tuple[str, ...], ...]  # tbody (and rows placed directly in the table)
    footer_rows: tuple[tuple[str, ...], ...]  # tfoot
    footnotes: tuple[str, ...]
    line: int  # the <table> element's line
    header_lines: tuple[int, ...] = ()  # the <tr> line of each header row
    body_lines: tuple[int, ...] = ()  # the <tr> line of each body row
    footer_lines: tuple[int, ...] = ()  # the <tr> line of each footer row


@dataclass(frozen=True, slots=True)
class Section:
    """One ``section``, its own text only (subsections are their own records)."""

    section_id: str  # id/@root
    anchor: str | None  # the ID attribute, the target of linkHtml href="#..."
    code: Coded | None  # LOINC section code
    title: str | None  # None when there is no <title>, "" when it is empty
    parent_id: str | None
    sibling_index: int  # 0-based among the sections of the same parent
    document_index: int  # 0-based over all sections in document order
    depth: int  # 1 for a top-level section
    effective_time: str | None
    text: str
    sha256: str  # of text, UTF-8
    highlight: str  # excerpt/highlight/text: what Highlights of Prescribing Information quotes
    is_boxed_warning: bool
    tables: tuple[Table, ...]
    line: int


@dataclass(frozen=True, slots=True)
class IndexedClass:
    """A class a substance is indexed to; ``kind`` is the bracketed axis the display name ends with."""

    code: Coded
    name: str | None  # generalizedMaterialKind/name, when stated
    kind: str | None  # "EPC", "MoA", "PE", "Chemical/Ingredient", ... (the display name's [suffix])
    line: int


@dataclass(frozen=True, slots=True)
class Indexing:
    """The pharmacologic-class indexing of one substance (document type 60685-5)."""

    unii: str | None  # identifiedSubstance/id[@root=UNII]/@extension
    code: Coded | None  # identifiedSubstance/identifiedSubstance/code
    name: str | None
    classes: tuple[IndexedClass, ...]
    section_id: str
    line: int


@dataclass(frozen=True, slots=True)
class Label:
    """One SPL document. ``lines`` gives the source line of each header fact; see :meth:`line_of`."""

    path: str
    document_id: str  # id/@root: this version
    set_id: str  # setId/@root: all versions
    version: int
    effective_date: str  # effectiveTime/@value as stated (YYYYMMDD...)
    effective_iso: str  # the same date as YYYY-MM-DD
    document_type: Coded
    title: str
    labeler: Organization | None
    products: tuple[Product, ...]
    sections: tuple[Section, ...]  # all of them, in document order
    indexing: tuple[Indexing, ...]
    line: int
    lines: tuple[tuple[str, int], ...] = field(default=())
    sha256: str = ""  # of the file's bytes, as read

    def line_of(self, fact: str) -> int:
        """The source line of one header fact (a field name), or the document element's line."""
        return dict(self.lines).get(fact, self.line)

    def top_sections(self) -> tuple[Section, ...]:
        return tuple(s for s in self.sections if s.parent_id is None)

    def boxed_warnings(self) -> tuple[Section, ...]:
        return tuple(s for s in self.sections if s.is_boxed_warning)

    def section(self, section_id: str) -> Section:
        return next(s for s in self.sections if s.section_id == section_id)


# ---------------------------------------------------------------------------------------------------- entry points
def read_label(path: str | Path) -> Label:
    """Read one SPL file into a :class:`Label`.

    Raises :class:`LabelError` for a file that is too large, not UTF-8, declares a DTD or entities, is not
    well-formed, nests too deep, holds a too-large text, is not an SPL document, or lacks its set id or version.

    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "a.xml").write_text('<document xmlns="urn:hl7-org:v3"><id root="d1"/>'
    ...     '<code code="34391-3" codeSystem="2.16.840.1.113883.6.1"/><effectiveTime value="20240131"/>'
    ...     '<setId root="s1"/><versionNumber value="2"/></document>')
    >>> label = read_label(folder / "a.xml")
    >>> (label.set_id, label.version, label.effective_iso, label.document_type.code)
    ('s1', 2, '2024-01-31', '34391-3')
    """
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise LabelError(path, 0, f"the file is {size:,} bytes, over the limit of {MAX_FILE_BYTES:,}",
                             "an SPL label is at most a few MB; check that this is one label")
        data = path.read_bytes()
    except OSError as exc:
        raise LabelError(path, 0, f"cannot read the file: {exc.strerror or exc}",
                         "check the path and its permissions") from None
    if len(data) > MAX_FILE_BYTES:  # it grew since stat
        raise LabelError(path, 0, f"the file is over the limit of {MAX_FILE_BYTES:,} bytes",
                         "an SPL label is at most a few MB; check that this is one label")
    text = _decode(path, data)
    _refuse_doctype(path, text)
    root = _parse(path, data)
    return replace(_Reader(path, root).label(), sha256=hashlib.sha256(data).hexdigest())


def iter_labels(folder: str | Path) -> Iterator[tuple[Label | None, list[LabelError]]]:
    """Read the ``*.xml`` files of a folder one at a time, sorted by name: one ``(label, errors)`` per file.

    ``label`` is None when the file is refused (``errors`` says why) or repeats the set id and version of an earlier
    file (the error names both; the earlier one is kept). Only one label is held at a time, plus each set id and
    version seen, so a build can stream a folder of any size with flat memory.

    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "a.xml").write_text('<document xmlns="urn:hl7-org:v3"><id root="d1"/>'
    ...     '<code code="34391-3" codeSystem="2.16.840.1.113883.6.1"/><effectiveTime value="20240131"/>'
    ...     '<setId root="s1"/><versionNumber value="2"/></document>')
    >>> _ = (folder / "b.xml").write_text("<document")
    >>> [(label and label.set_id, [e.reason[:30] for e in errors]) for label, errors in iter_labels(folder)]
    [('s1', []), (None, ['not well-formed XML at line 1,'])]
    """
    seen: dict[tuple[str, int], tuple[str, int]] = {}  # (set id, version) -> the first file's path and line
    for path in sorted(Path(folder).glob("*.xml"), key=lambda p: p.name):
        try:
            label = read_label(path)
        except LabelError as exc:
            yield None, [exc]
            continue
        key = (label.set_id, label.version)
        first = seen.get(key)
        if first is not None:
            yield None, [LabelError(
                label.path, label.line_of("set_id"),
                f"set id {label.set_id} version {label.version} is also in {first[0]}:{first[1]}",
                "keep one of the two files: a set id and version name exactly one document")]
            continue
        seen[key] = (label.path, label.line_of("set_id"))
        yield label, []


def read_labels(folder: str | Path) -> tuple[list[Label], list[LabelError]]:
    """Read every ``*.xml`` file of a folder, sorted by name; return the labels and every error, not just the first.

    Two files with the same set id and version are an error naming both (the second is left out); the same set id
    in two versions is fine. All labels are held at once: :func:`iter_labels` streams them.
    """
    labels: list[Label] = []
    errors: list[LabelError] = []
    for label, found in iter_labels(folder):
        errors.extend(found)
        if label is not None:
            labels.append(label)
    return labels, errors


# ---------------------------------------------------------------------------------------------------- hardening
_DECLARED_ENCODING = re.compile(rb"""\A<\?xml[^>]*?\bencoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")


def _decode(path: Path, data: bytes) -> str:
    """The file's text, refusing anything but UTF-8 (what FDA publishes) with a precise reason."""
    fix = 'save the file as UTF-8 and declare encoding="UTF-8" (FDA publishes SPL as UTF-8)'
    for bom, name in ((codecs.BOM_UTF32_LE, "UTF-32"), (codecs.BOM_UTF32_BE, "UTF-32"),
                      (codecs.BOM_UTF16_LE, "UTF-16"), (codecs.BOM_UTF16_BE, "UTF-16")):
        if data.startswith(bom):
            raise LabelError(path, 1, f"the file is {name} (it starts with a {name} byte order mark); only UTF-8 "
                             "is read", fix)
    if data[:4] in (b"<\x00?\x00", b"\x00<\x00?"):
        raise LabelError(path, 1, "the file is UTF-16 without a byte order mark; only UTF-8 is read", fix)
    body = data[len(codecs.BOM_UTF8):] if data.startswith(codecs.BOM_UTF8) else data
    match = _DECLARED_ENCODING.match(body)
    if match:
        declared = match.group(1).decode("ascii")
        if declared.upper() not in ("UTF-8", "UTF8"):
            if declared.upper().startswith(("UTF-16", "UTF16", "UTF-32", "UTF32", "UCS")):
                reason = (f'the XML declaration says encoding="{declared}" but the bytes are not {declared}: '
                          "the declaration itself is written one byte per character")
            else:
                reason = f'the XML declaration says encoding="{declared}"; only UTF-8 is read'
            raise LabelError(path, 1, reason, fix)
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        at = exc.start + len(data) - len(body)
        line = data[:at].count(b"\n") + 1
        raise LabelError(path, line, f"invalid UTF-8: byte 0x{data[at]:02x} at byte offset {at:,} is not UTF-8",
                         fix) from None


# <!ENTITY [%] name SYSTEM|PUBLIC "target"  or  <!ENTITY [%] name "value": group 2 name, 3 kind, 4 target, 6 value
_ENTITY_DECL = re.compile(
    r"""<!ENTITY\s+(%\s*)?([^\s"'>]+)\s+(?:(SYSTEM|PUBLIC)\b\s*(?:["']([^"']*)["'])?|(["'])(.*?)\5)""", re.S)


def _refuse_doctype(path: Path, text: str) -> None:
    """Refuse any DOCTYPE (with the entity it declares, if any) before a parser sees it: nothing is resolved."""
    pos = 1 if text.startswith("\ufeff") else 0
    while True:
        while pos < len(text) and text[pos] in " \t\r\n":
            pos += 1
        if text.startswith("<?", pos):
            close = "?>"
        elif text.startswith("<!--", pos):
            close = "-->"
        else:
            break
        end = text.find(close, pos)
        if end < 0:
            return  # the parser reports the unterminated construct with its line
        pos = end + len(close)
    if not text.startswith("<!", pos):
        return
    line = text.count("\n", 0, pos) + 1
    if not text[pos:pos + 9].upper() == "<!DOCTYPE":
        raise LabelError(path, line, f"unexpected declaration {text[pos:pos + 12]!r} before the root element",
                         _FIX_DTD)
    subset_start = text.find("[", pos)
    first_close = text.find(">", pos)
    end = text.find("]>", pos) if 0 <= subset_start < first_close else first_close
    dtd = text[pos:end if end >= 0 else len(text)]
    entities = [(m, line + dtd.count("\n", 0, m.start())) for m in _ENTITY_DECL.finditer(dtd)]
    names = {m.group(2) for m, _ in entities}
    for m, at in entities:
        if m.group(3):
            target = f' "{m.group(4)}"' if m.group(4) is not None else ""
            raise LabelError(path, at, f"the DOCTYPE declares an external entity '{m.group(2)}' ({m.group(3)}"
                             f"{target}); it was refused, not resolved: no file or network address was read",
                             _FIX_DTD)
    for m, at in entities:
        refs = set(re.findall(r"[&%]([^\s;&%]+);", m.group(6) or ""))
        if refs & names:
            raise LabelError(path, at, f"the DOCTYPE declares entity '{m.group(2)}' that expands other entities "
                             f"({', '.join(sorted(refs & names))}): an entity-expansion bomb; it was refused, "
                             "not expanded", _FIX_DTD)
    if entities:
        m, at = entities[0]
        raise LabelError(path, at, f"the DOCTYPE declares entity '{m.group(2)}'; DTDs and entities are refused, "
                         "not resolved", _FIX_DTD)
    raise LabelError(path, line, "the file has a DOCTYPE declaration; DTDs are refused, not loaded", _FIX_DTD)


_PARSER_OPTIONS = dict(resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
                       huge_tree=False, remove_comments=True, remove_pis=True, recover=False)
# The elements at depth MAX_DEPTH + 1 (the root is depth 1), in document order: one C-level walk of the tree.
_TOO_DEEP = etree.XPath("/" + "/".join(["*"] * (MAX_DEPTH + 1)))


def _parse(path: Path, data: bytes) -> etree._Element:
    """Parse with every lxml safety on; the limits are proved cheaply or checked exactly by :func:`_parse_guarded`.

    One plain libxml2 parse (``_PARSER_OPTIONS``: no entity resolved, no DTD loaded, no network, libxml2's own
    256-level depth and 10 MB text caps) is about 4x faster than a parse that reports every element to Python. The
    limits still hold: every element takes at least 3 bytes (``<a>``), so a file of at most 3 x MAX_ELEMENTS bytes
    cannot hold too many elements, and no text or attribute value can be longer than a file of at most
    MAX_TEXT_CHARS bytes (no entity is ever expanded; character references only shrink). A larger file is bounded by
    counting its ``<`` that open no end tag; one nesting too deep is found by one XPath walk. Whenever a proof does
    not cover the file, or libxml2 refuses it, the file is read again by :func:`_parse_guarded`, whose refusal names
    the first offending element's line, exactly as before.
    """
    if len(data) > 3 * MAX_ELEMENTS and data.count(b"<") - data.count(b"</") > MAX_ELEMENTS:
        return _parse_guarded(path, data)  # possibly too many elements: refuse while parsing, before memory runs out
    try:
        root = etree.fromstring(data, etree.XMLParser(**_PARSER_OPTIONS))
    except etree.XMLSyntaxError:
        return _parse_guarded(path, data)  # the exact refusal: our depth limit before libxml2's, or its line/column
    _refuse_dtd_in_tree(path, root)
    if _TOO_DEEP(root):
        return _parse_guarded(path, data)
    if len(data) > MAX_TEXT_CHARS or next(root.iter(etree.Entity), None) is not None:
        _refuse_entities_and_long_texts(path, root)
    return root


def _refuse_dtd_in_tree(path: Path, root) -> None:
    tree = root.getroottree()
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:  # a second guard: _refuse_doctype ran first
        raise LabelError(path, 1, "the file has a DOCTYPE declaration; DTDs are refused, not loaded", _FIX_DTD)


def _parse_guarded(path: Path, data: bytes) -> etree._Element:
    """Parse with every lxml safety on, counting elements and depth while parsing and checking text sizes after.

    The slow, exact path: :func:`_parse` takes it for a file its cheap proofs do not cover, and its refusals are the
    ones a user sees (the first element over a limit, libxml2's line and column).
    """
    parser = etree.XMLPullParser(events=("start", "end"), **_PARSER_OPTIONS)
    depth = count = 0

    def drain() -> None:
        nonlocal depth, count
        for event, el in parser.read_events():
            if event == "start":
                depth += 1
                count += 1
                if count > MAX_ELEMENTS:
                    raise LabelError(path, el.sourceline or 0, f"the file has more than {MAX_ELEMENTS:,} elements",
                                     "a real label has a few thousand; this file is malformed or hostile")
                if depth > MAX_DEPTH:
                    raise LabelError(path, el.sourceline or 0, f"elements nest deeper than {MAX_DEPTH} levels",
                                     "a real label nests fewer than 30 levels; this file is malformed or hostile")
            else:
                depth -= 1

    chunk = 1 << 16
    try:
        for start in range(0, len(data), chunk):
            parser.feed(data[start:start + chunk])
            drain()
        root = parser.close()
    except etree.XMLSyntaxError as exc:
        drain()  # libxml2 stops at its own depth limit (256) with the events before it queued: ours comes first
        line, column = exc.position
        message = re.sub(r", line \d+, column \d+$", "", exc.msg or str(exc))
        raise LabelError(path, line, f"not well-formed XML at line {line}, column {column}: {message}",
                         _FIX_REFETCH) from None
    _refuse_dtd_in_tree(path, root)
    _refuse_entities_and_long_texts(path, root)
    return root


def _refuse_entities_and_long_texts(path: Path, root) -> None:
    for el in root.iter():
        if not isinstance(el.tag, str):
            raise LabelError(path, el.sourceline or 0, "the file holds an unexpanded entity reference", _FIX_DTD)
        for what, value in (("a text", el.text), ("a text", el.tail),
                            *(("an attribute value", v) for v in el.attrib.values())):
            if value is not None and len(value) > MAX_TEXT_CHARS:
                raise LabelError(path, el.sourceline or 0,
                                 f"{what} of {len(value):,} characters is over the limit of {MAX_TEXT_CHARS:,}",
                                 "a real label's longest text is a few thousand characters; this file is malformed "
                                 "or hostile")


# ---------------------------------------------------------------------------------------------------- reading
def _kids(el, name: str) -> list:
    tag = _V + name
    return [c for c in el if c.tag == tag]


_PATH_TAGS: dict[str, tuple[str, ...]] = {}  # "a/b" -> ("{urn:hl7-org:v3}a", "{urn:hl7-org:v3}b"), built once


def _kid(el, path: str):
    """The first element along a ``/``-separated path of local names in the SPL namespace, or None."""
    tags = _PATH_TAGS.get(path)
    if tags is None:
        tags = _PATH_TAGS[path] = tuple(_V + step for step in path.split("/"))
    for tag in tags:
        if el is None:
            return None
        for child in el:
            if child.tag == tag:
                el = child
                break
        else:
            return None
    return el


def _by_tag(el) -> dict[str, list]:
    """An element's children grouped by tag, each group in document order."""
    out: dict[str, list] = {}
    for child in el:
        group = out.get(child.tag)
        if group is None:
            out[child.tag] = [child]
        else:
            group.append(child)
    return out


def _first(kids: dict[str, list], name: str):
    """The first child named ``name`` (a local name in the SPL namespace) of a :func:`_by_tag` grouping, or None."""
    group = kids.get(_V + name)
    return group[0] if group else None


def _attr(el, name: str) -> str | None:
    if el is None:
        return None
    value = el.get(name)
    return None if value is None else value.strip()


def _plain(el) -> str | None:
    """An element's own text (children's tails included, children's text not), stripped; None if no element."""
    if el is None:
        return None
    return "".join([el.text or "", *(c.tail or "" for c in el)]).strip()


def _coded(el) -> Coded | None:
    code = _attr(el, "code")
    if not code:
        return None
    return Coded(code, _attr(el, "codeSystem"), _attr(el, "displayName"), el.sourceline)


def _amount(el) -> Amount | None:
    if el is None:
        return None
    return Amount(_attr(el, "value"), _attr(el, "unit"), el.sourceline, _coded(_kid(el, "translation")))


def _quantity(el) -> Quantity | None:
    if el is None:
        return None
    return Quantity(_amount(_kid(el, "numerator")), _amount(_kid(el, "denominator")), el.sourceline)


# Runs of XML whitespace that are not already one space: a single space is left alone, so the regex replaces
# only indentation and line breaks, not every gap between two words.
_WS = re.compile(r"[\t\r\n][ \t\r\n]*| [ \t\r\n]+")
_XML_SPACE = " \t\r\n"
_BR = "\x00"  # stands for <br/> while whitespace is collapsed

# The local names the text renderer tells apart, keyed by tag: in the SPL namespace or in none (a local name alone
# decides how markup renders). Any other tag is inline markup whose text is kept.
_RENDER_NAMES = ("paragraph", "list", "table", "br", "footnote", "footnoteRef", "renderMultiMedia", "caption",
                 "item", "td", "th", "tr", "thead", "tbody", "tfoot")
_ID, _CODE, _TITLE, _TEXT, _EXCERPT, _EFFECTIVE_TIME, _SUBJECT, _COMPONENT = (
    _V + name for name in ("id", "code", "title", "text", "excerpt", "effectiveTime", "subject", "component"))
_NAME = {tag: name for name in _RENDER_NAMES for tag in (_V + name, name)}
_BLOCKS = {"paragraph", "list", "table"}


def _clean(raw: str) -> str:
    """Collapse XML whitespace, turn line breaks into newlines, drop empty lines."""
    if _BR not in raw:
        raw = raw.strip(_XML_SPACE)  # often nothing is left: the indentation between two blocks
        if "\n" in raw or "  " in raw or "\t" in raw or "\r" in raw:
            raw = _WS.sub(" ", raw)
        return raw.strip()
    lines = (line.strip() for line in _WS.sub(" ", raw).split(_BR))
    return "\n".join(line for line in lines if line)


def _one_line(text: str) -> str:
    if "\n" not in text:
        return text.strip()
    return " ".join(part.strip() for part in text.split("\n") if part.strip())


class _Notes:
    """Footnote numbering within one scope (a table, or a section's text outside its tables), in document order."""

    def __init__(self, reader: _Reader, scope, outside_tables: bool):
        self.numbers: dict = {}
        self.by_id: dict[str, int] = {}
        self.texts: list[str] = []
        if not reader.has_footnotes:  # most labels have none: no need to look in every text and table
            return
        for fn in scope.iter(_V + "footnote"):
            if outside_tables and any(a.tag == _V + "table" for a in _ancestors(fn, scope)):
                continue
            n = len(self.numbers) + 1
            self.numbers[fn] = n
            if fn.get("ID"):
                self.by_id[fn.get("ID")] = n
        for fn, n in self.numbers.items():
            self.texts.append(f"[{n}] {_one_line(_clean(reader.inline(fn, self)))}")

    def mark(self, fn) -> str:
        return f"[{self.numbers.get(fn, '?')}]"

    def ref(self, idref: str | None) -> str:
        return f"[{self.by_id.get(idref or '', idref)}]"


def _ancestors(el, stop):
    el = el.getparent()
    while el is not None and el is not stop:
        yield el
        el = el.getparent()


class _Reader:
    def __init__(self, path: Path, root):
        self.path, self.root = path, root
        self._tables: list[Table] = []
        self.has_footnotes = next(root.iter(_V + "footnote"), None) is not None

    def error(self, el, reason: str, fix: str) -> LabelError:
        return LabelError(self.path, getattr(el, "sourceline", None) or 0, reason, fix)

    # -- header
    def label(self) -> Label:
        root = self.root
        if root.tag != _V + "document":
            raise self.error(root, f"the root element is {root.tag}, not {{{NS}}}document",
                             f'check that this is an HL7 SPL file: <document xmlns="{NS}">')
        lines: dict[str, int] = {}
        doc_id_el = _kid(root, "id")
        document_id = _attr(doc_id_el, "root")
        if not document_id:
            raise self.error(doc_id_el if doc_id_el is not None else root, "the document has no id/@root",
                             "state the document id as <id root=\"...\"/> after <document>")
        lines["document_id"] = doc_id_el.sourceline
        set_el = _kid(root, "setId")
        set_id = _attr(set_el, "root")
        if not set_id:
            raise self.error(set_el if set_el is not None else root, "the document has no setId/@root",
                             'state the set id as <setId root="..."/>; it names all versions of this label')
        lines["set_id"] = set_el.sourceline
        version_el = _kid(root, "versionNumber")
        version_text = _attr(version_el, "value")
        if version_text is None:
            raise self.error(version_el if version_el is not None else root,
                             "the document has no versionNumber/@value",
                             'state the version as <versionNumber value="1"/>')
        if not re.fullmatch(r"[0-9]+", version_text):
            raise self.error(version_el, f"versionNumber/@value {version_text!r} is not a whole number",
                             'state the version as a whole number, e.g. <versionNumber value="1"/>')
        lines["version"] = version_el.sourceline
        time_el = _kid(root, "effectiveTime")
        effective = _attr(time_el, "value")
        iso = iso_date(effective)
        if iso is None:
            raise self.error(time_el if time_el is not None else root,
                             f"effectiveTime/@value {effective!r} is not a date YYYYMMDD",
                             'state the effective date as <effectiveTime value="YYYYMMDD"/>')
        lines["effective_date"] = time_el.sourceline
        type_el = _kid(root, "code")
        document_type = _coded(type_el)
        if document_type is None:
            raise self.error(type_el if type_el is not None else root, "the document has no code/@code (its type)",
                             'state the LOINC document type, e.g. '
                             f'<code code="34391-3" codeSystem="{LOINC}"/>')
        lines["document_type"] = type_el.sourceline
        title_el = _kid(root, "title")
        title = _clean(self.inline(title_el, None, br=_BR)) if title_el is not None else ""
        if title_el is not None:
            lines["title"] = title_el.sourceline
        labeler = None
        org = _kid(root, "author/assignedEntity/representedOrganization")
        if org is not None:
            duns_el = next((i for i in _kids(org, "id") if _attr(i, "root") == DUNS), None)
            labeler = Organization(_plain(_kid(org, "name")), _attr(duns_el, "extension"), org.sourceline)
            lines["labeler"] = org.sourceline
        body = _kid(root, "component/structuredBody")
        sections: list[Section] = []
        products: list[Product] = []
        indexing: list[Indexing] = []
        if body is not None:
            self._sections(body, None, 1, sections, products, indexing)
        return Label(str(self.path), document_id, set_id, int(version_text), effective, iso, document_type, title,
                     labeler, tuple(products), tuple(sections), tuple(indexing), root.sourceline,
                     tuple(sorted(lines.items())))

    # -- sections
    def _sections(self, container, parent_id, depth, sections, products, indexing) -> None:
        for index, sec in enumerate(s for comp in _kids(container, "component") for s in _kids(comp, "section")):
            first: dict = {}  # the first child of each tag: one pass over the section's children
            for child in sec:
                first.setdefault(child.tag, child)
            section_id = _attr(first.get(_ID), "root")
            if not section_id:
                raise self.error(sec, "a section has no id/@root",
                                 'state the section id as <id root="..."/>: sections are identified by it')
            code = _coded(first.get(_CODE))
            title_el = first.get(_TITLE)
            title = _one_line(_clean(self.inline(title_el, None))) if title_el is not None else None
            text, tables = self.section_text(first.get(_TEXT))
            excerpt = first.get(_EXCERPT)
            highlight, _ = self.section_text(_kid(excerpt, "highlight/text")) if excerpt is not None else ("", ())
            sections.append(Section(
                section_id, _attr(sec, "ID"), code, title, parent_id, index, len(sections), depth,
                _attr(first.get(_EFFECTIVE_TIME), "value"), text, hashlib.sha256(text.encode("utf-8")).hexdigest(),
                highlight, depth == 1 and code is not None and code.code == BOXED_WARNING, tables, sec.sourceline))
            if _SUBJECT not in first:
                if _COMPONENT in first:
                    self._sections(sec, section_id, depth + 1, sections, products, indexing)
                continue
            for subject in _kids(sec, "subject"):
                for role in _kids(subject, "manufacturedProduct"):
                    entity = _kid(role, "manufacturedProduct")
                    if entity is None:
                        raise self.error(role, "a manufacturedProduct has no inner manufacturedProduct",
                                         "state the product inside <manufacturedProduct><manufacturedProduct>")
                    products.append(self.product(entity, role, section_id))
                for substance in _kids(subject, "identifiedSubstance"):
                    indexing.append(self.indexing(substance, section_id))
            self._sections(sec, section_id, depth + 1, sections, products, indexing)

    def section_text(self, text_el) -> tuple[str, tuple[Table, ...]]:
        if text_el is None:
            return "", ()
        self._tables = []
        notes = _Notes(self, text_el, outside_tables=True)
        blocks = self.blocks(text_el, notes)
        if notes.texts:
            blocks.append("\n".join(notes.texts))
        return "\n\n".join(blocks), tuple(self._tables)

    def blocks(self, el, notes, out: list[str] | None = None) -> list[str]:
        """The blocks of ``el`` (runs of text between paragraphs, lists and tables), appended to ``out``."""
        if out is None:
            out = []
        run = [el.text or ""]
        names = _NAME
        for child in el:
            name = names.get(child.tag)
            if name is None:  # inline markup (content, linkHtml, sup, ...): its text, usually without children
                run.append(self.inline(child, notes, _BR) if len(child) else child.text or "")
            elif name == "paragraph" or name == "list" or name == "table":
                cleaned = _clean("".join(run))
                if cleaned:
                    out.append(cleaned)
                run = []
                if name == "paragraph":
                    if len(child):
                        self.blocks(child, notes, out)
                    else:  # a paragraph of plain text: one run
                        cleaned = _clean(child.text or "")
                        if cleaned:
                            out.append(cleaned)
                else:
                    out.extend(self.block(child, notes, name))
            else:
                run.append(self.inline_child(child, notes, _BR, name))
            run.append(child.tail or "")
        cleaned = _clean("".join(run))
        if cleaned:
            out.append(cleaned)
        return out

    def block(self, el, notes, name: str) -> list[str]:
        if name == "paragraph":
            return self.blocks(el, notes)
        if name == "list":
            return ["\n".join(self.list_lines(el, notes))] if len(el) else []
        return [self.table(el)]

    def list_lines(self, el, notes) -> list[str]:
        lines: list[str] = []
        for item in el:
            item_name = _NAME.get(item.tag)
            if item_name == "caption":
                caption = _one_line(_clean(self.inline(item, notes)))
                if caption:
                    lines.append(caption)
                continue
            if item_name != "item":
                continue
            if not len(item):  # an item of plain text
                lines.extend(self._run_lines([item.text or ""]))
                continue
            caption_el = _kid(item, "caption")
            marker = _one_line(_clean(self.inline(caption_el, notes))) if caption_el is not None else ""
            body: list[str] = []
            run = [item.text or ""]
            for child in item:
                name = _NAME.get(child.tag)
                if name == "caption":
                    pass
                elif name == "list":
                    body.extend(self._run_lines(run))
                    run = []
                    body.extend(self.list_lines(child, notes))
                elif name in _BLOCKS:
                    body.extend(self._run_lines(run))
                    run = []
                    body.extend(line for b in self.block(child, notes, name) for line in b.split("\n") if line)
                elif name is None and not len(child):
                    run.append(child.text or "")
                else:
                    run.append(self.inline_child(child, notes, _BR, name))
                run.append(child.tail or "")
            body.extend(self._run_lines(run))
            if marker:
                body = [f"{marker} {body[0]}" if body else marker, *body[1:]]
            lines.extend(body)
        return lines

    @staticmethod
    def _run_lines(run: list[str]) -> list[str]:
        cleaned = _clean("".join(run))
        return cleaned.split("\n") if cleaned else []

    def inline(self, el, notes, br: str = " ") -> str:
        if not len(el):
            return el.text or ""
        parts = [el.text or ""]
        for child in el:
            name = _NAME.get(child.tag)
            if name is None and not len(child):
                parts.append(child.text or "")
            else:
                parts.append(self.inline_child(child, notes, br, name))
            parts.append(child.tail or "")
        return "".join(parts)

    def inline_child(self, child, notes, br: str, name: str | None) -> str:
        if name is None:
            return self.inline(child, notes, br)
        if name == "br":
            return br
        if name == "footnote":
            return notes.mark(child) if notes is not None else ""
        if name == "footnoteRef":
            return notes.ref(child.get("IDREF")) if notes is not None else ""
        if name == "renderMultiMedia":
            return ""
        if name in _BLOCKS:  # a block inside running text (a list in a cell): keep it on the line
            return " " + " ".join(_one_line(b) for b in self.block(child, notes, name)) + " "
        return self.inline(child, notes, br)

    # -- tables
    def table(self, el) -> str:
        notes = _Notes(self, el, outside_tables=False)
        saved = self._tables
        self._tables = []  # a table nested in a cell is rendered into the cell, not listed separately
        caption_el = _kid(el, "caption")
        caption = _one_line(_clean(self.inline(caption_el, notes))) if caption_el is not None else ""
        groups = {"thead": [], "tbody": [], "tfoot": []}
        row_lines: dict[str, list[int]] = {"thead": [], "tbody": [], "tfoot": []}  # each <tr>'s line
        text_rows: dict[str, list[str]] = {"thead": [], "tbody": [], "tfoot": []}
        for child in el:
            name = _NAME.get(child.tag)
            if name in groups:
                rows = _kids(child, "tr")
            elif name == "tr":
                name, rows = "tbody", [child]
            else:
                continue
            grid = self.grid(rows, notes)  # one grid row per <tr>, in order
            groups[name].extend(grid[0])
            row_lines[name].extend(tr.sourceline for tr in rows)
            text_rows[name].extend(grid[1])
        self._tables = saved
        table = Table(_attr(el, "ID"), caption, tuple(groups["thead"]), tuple(groups["tbody"]),
                      tuple(groups["tfoot"]), tuple(notes.texts), el.sourceline, tuple(row_lines["thead"]),
                      tuple(row_lines["tbody"]), tuple(row_lines["tfoot"]))
        self._tables.append(table)
        lines = [caption] if caption else []
        lines += text_rows["thead"] + text_rows["tbody"] + text_rows["tfoot"] + notes.texts
        return "\n".join(lines)

    def grid(self, rows, notes) -> tuple[list[tuple[str, ...]], list[str]]:
        """Rows with colspan and rowspan expanded, and each row as one text line (cells once, ' | ' between)."""
        pending: dict[int, tuple[str, int]] = {}
        grid: list[tuple[str, ...]] = []
        lines: list[str] = []
        for tr in rows:
            row: list[str] = []
            shown: list[str] = []
            col = 0
            for cell in tr:
                if _NAME.get(cell.tag) not in ("td", "th"):
                    continue
                if pending:
                    col = _fill_spans(row, col, pending)
                if len(cell):
                    text = _one_line(" ".join(self.blocks(cell, notes)))
                else:
                    text = _clean(cell.text or "")  # one run of text: already one line
                shown.append(text)
                colspan = 1 if cell.get("colspan") is None else self.span(cell, "colspan")
                rowspan = 1 if cell.get("rowspan") is None else self.span(cell, "rowspan")
                if colspan == 1 and rowspan == 1:
                    row.append(text)
                    col += 1
                    continue
                for _ in range(colspan):
                    row.append(text)
                    if rowspan > 1:
                        pending[col] = (text, rowspan - 1)
                    col += 1
            if pending:
                _fill_spans(row, col, pending)
            grid.append(tuple(row))
            lines.append(" | ".join(shown))
        return grid, lines

    def span(self, cell, name: str) -> int:
        value = _attr(cell, name)
        if value is None or value == "":
            return 1
        if not re.fullmatch(r"[0-9]+", value) or not 1 <= int(value) <= MAX_SPAN:
            raise self.error(cell, f"a table cell's {name} {value!r} is not a whole number from 1 to {MAX_SPAN}",
                             f"state {name} as the number of columns or rows the cell spans")
        return int(value)

    # -- products
    def product(self, entity, role, section_id: str) -> Product:
        lines: dict[str, int] = {}
        kids = _by_tag(entity)  # one pass over the children of each element, not one per fact
        code_el = _first(kids, "code")
        code = _coded(code_el)
        ndc = code.code if code is not None and code.system == NDC else None
        name_el = _first(kids, "name")
        suffix_el = _kid(name_el, "suffix") if name_el is not None else None
        generic_el = _kid(_first(kids, "asEntityWithGeneric"), "genericMedicine/name")
        for fact, el in (("code", code_el), ("name", name_el), ("suffix", suffix_el), ("generic_name", generic_el)):
            if el is not None:
                lines[fact] = el.sourceline
        ingredients = tuple(self.ingredient(i) for i in kids.get(_V + "ingredient", ()))
        packages = tuple(self.package(c) for c in kids.get(_V + "asContent", ()))
        parts = []
        for part in kids.get(_V + "part", ()):
            part_entity = _kid(part, "partProduct")
            if part_entity is None:
                raise self.error(part, "a kit part has no partProduct", "state the part as <part><partProduct>")
            parts.append(Part(_quantity(_kid(part, "quantity")), self.product(part_entity, part, section_id),
                              part.sourceline))
        equivalent = _first(kids, "asEquivalentEntity")
        source_el = _kid(equivalent, "definingMaterialKind/code") if equivalent is not None else None
        source_ndc = _attr(source_el, "code") or None
        if source_ndc:
            lines["source_ndc"] = source_el.sourceline
        role_kids = _by_tag(role)
        subjects = [_by_tag(s) for s in role_kids.get(_V + "subjectOf", ())]
        approval = self.single(subjects, "approval")
        marketing = self.single(subjects, "marketingAct")
        policy = next((p for s in subjects for p in s.get(_V + "policy", ())
                       if p.get("classCode") == "DEADrugSchedule"), None)
        approval_kids = _by_tag(approval) if approval is not None else {}
        approval_id = _first(approval_kids, "id")
        if approval_id is not None:
            lines["application_number"] = approval_id.sourceline
        marketing_kids = _by_tag(marketing) if marketing is not None else {}
        status_el = _first(marketing_kids, "statusCode")
        time_el = _first(marketing_kids, "effectiveTime")
        low_el = _kid(time_el, "low") if time_el is not None else None
        high_el = _kid(time_el, "high") if time_el is not None else None
        for fact, el in (("marketing_status", status_el), ("marketing_start", low_el), ("marketing_end", high_el)):
            if el is not None:
                lines[fact] = el.sourceline
        routes = tuple(c for ci in role_kids.get(_V + "consumedIn", ()) for sa in _kids(ci, "substanceAdministration")
                       for c in [_coded(_kid(sa, "routeCode"))] if c is not None)
        characteristics = tuple(self.characteristic(c) for s in subjects
                                for c in s.get(_V + "characteristic", ()))
        return Product(
            ndc=ndc, code=code, name=_plain(name_el), suffix=_plain(suffix_el), generic_name=_plain(generic_el),
            form=_coded(_first(kids, "formCode")), routes=routes, ingredients=ingredients, packages=packages,
            parts=tuple(parts),
            marketing_category=_coded(_first(approval_kids, "code")),
            application_number=_attr(approval_id, "extension"), application_system=_attr(approval_id, "root"),
            territory=_coded(_kid(_first(approval_kids, "author"), "territorialAuthority/territory/code")),
            marketing_act=_coded(_first(marketing_kids, "code")),
            marketing_status=_attr(status_el, "code"), marketing_start=_attr(low_el, "value"),
            marketing_end=_attr(high_el, "value"),
            dea_schedule=_coded(_kid(policy, "code")) if policy is not None else None,
            source_ndc=source_ndc, equivalence=_coded(_kid(equivalent, "code")) if equivalent is not None else None,
            characteristics=characteristics, section_id=section_id, line=entity.sourceline,
            lines=tuple(sorted(lines.items())))

    def single(self, subjects: list[dict], name: str):
        """The one ``subjectOf/<name>`` of a product's role (``subjects``: each subjectOf's children by tag)."""
        found = [a for s in subjects for a in s.get(_V + name, ())]
        if len(found) > 1:
            raise self.error(found[1], f"a product has {len(found)} <{name}> elements; at most one is expected",
                             f"state one <{name}> per product")
        return found[0] if found else None

    def ingredient(self, el) -> Ingredient:
        class_code = _attr(el, "classCode")
        known = _ACTIVE | _INACTIVE | _OTHER_INGREDIENT
        if class_code not in known:
            raise self.error(el, f"ingredient classCode {class_code!r} is not an HL7 ingredient role",
                             f"use one of {', '.join(sorted(known))}")
        role = "active" if class_code in _ACTIVE else "inactive" if class_code in _INACTIVE else None
        substance = _kid(el, "ingredientSubstance")
        code = _coded(_kid(substance, "code")) if substance is not None else None
        moieties = tuple(
            Moiety(_plain(_kid(m, "name")), _unii(_coded(_kid(m, "code"))), m.sourceline)
            for outer in (_kids(substance, "activeMoiety") if substance is not None else [])
            for m in _kids(outer, "activeMoiety"))
        return Ingredient(class_code, role, _BASIS.get(class_code),
                          _plain(_kid(substance, "name")) if substance is not None else None, code, _unii(code),
                          moieties, _quantity(_kid(el, "quantity")), el.sourceline)

    def package(self, as_content) -> Package:
        container = _kid(as_content, "containerPackagedProduct")
        if container is None:
            raise self.error(as_content, "an asContent has no containerPackagedProduct",
                             "state the package as <asContent><quantity/><containerPackagedProduct>")
        code = _coded(_kid(container, "code"))
        return Package(code.code if code is not None and code.system == NDC else None, code,
                       _coded(_kid(container, "formCode")), _quantity(_kid(as_content, "quantity")),
                       tuple(self.package(c) for c in _kids(container, "asContent")), container.sourceline)

    def characteristic(self, el) -> Characteristic:
        value = _kid(el, "value")
        value_type = value.get(_XSI_TYPE) if value is not None else None
        stated = _attr(value, "value")
        if stated is None and value is not None and value_type == "ST":
            stated = _plain(value)
        original = _kid(value, "originalText") if value is not None else None
        return Characteristic(_coded(_kid(el, "code")), value_type, stated, _attr(value, "unit"),
                              _coded(value) if value_type in ("CE", "CV", "CD") else None,
                              _plain(original), el.sourceline)

    # -- indexing
    def indexing(self, outer, section_id: str) -> Indexing:
        unii_el = next((i for i in _kids(outer, "id") if _attr(i, "root") == UNII), None)
        inner = _kid(outer, "identifiedSubstance")
        classes = []
        for kind in (_kids(inner, "asSpecializedKind") if inner is not None else []):
            general = _kid(kind, "generalizedMaterialKind")
            code = _coded(_kid(general, "code"))
            if code is None:
                raise self.error(kind, "an asSpecializedKind has no generalizedMaterialKind/code/@code",
                                 "state the class as <generalizedMaterialKind><code code=\"...\"/>")
            axis = re.search(r"\[([^\]]+)\]\s*$", code.display or "")
            classes.append(IndexedClass(code, _plain(_kid(general, "name")), axis.group(1) if axis else None,
                                        kind.sourceline))
        return Indexing(_attr(unii_el, "extension"), _coded(_kid(inner, "code")) if inner is not None else None,
                        _plain(_kid(inner, "name")) if inner is not None else None, tuple(classes), section_id,
                        outer.sourceline)


def _fill_spans(row: list[str], col: int, pending: dict[int, tuple[str, int]]) -> int:
    """Put the cells that rows above span down into ``row`` from column ``col``; return the next free column."""
    while col in pending:
        text, left = pending.pop(col)
        row.append(text)
        if left > 1:
            pending[col] = (text, left - 1)
        col += 1
    return col


def _unii(code: Coded | None) -> str | None:
    return code.code if code is not None and code.system == UNII else None


def iso_date(value: str | None) -> str | None:
    """An HL7 date as stated (``YYYYMMDD`` and maybe a time) as ``YYYY-MM-DD``; None when it is not a calendar date.

    >>> iso_date("20140113"), iso_date("20141332")
    ('2014-01-13', None)
    """
    if value is None or not re.match(r"[0-9]{8}", value):
        return None
    try:
        return date(int(value[:4]), int(value[4:6]), int(value[6:8])).isoformat()
    except ValueError:
        return None
