"""Read the adverse-reaction tables of a label into rows: a reaction, its category, a percent per study arm, notes.

Pure: a :class:`~loaders.spl.read.Label` in, plain frozen records out; no I/O, no RDF. Only tables of a section coded
LOINC 34084-4 (ADVERSE REACTIONS SECTION), or nested under one, are considered; every other table is ignored.
A table is read whole or not at all: when the rule below cannot read every row of it unambiguously, it becomes a
:class:`TableProblem` naming the table and the reason, and none of its rows is kept. Values are kept as stated:
the reaction text with its footnote markers moved to ``footnotes``, percents as the decimal string of the cell
(``"7.0"`` stays ``"7.0"``), arm sizes as the header states them. Each row's ``line`` is the line of its own
``<tr>`` (the reader's ``header_lines``/``body_lines``/``footer_lines``), so provenance points at the row
that states the fact; a :class:`~loaders.spl.read.Table` built by hand without row lines gives every row the
table's line.

The rule (docs/label-model.md, section 5, with the changes listed after it), on the reader's rows
(``header_rows + body_rows + footer_rows``, colspan and rowspan already expanded by repeating the cell):

1. Every row has the same number of cells, at least 2: column 1 is the reaction, the others are the arms.
2. Notes: the reader's footnotes (``"[1] text"``) and *note rows* (every cell the same text, starting with a
   ``*``, ``†``, ``‡``, ``§`` or ``¶`` marker), split at their markers; note rows and blank rows are then dropped.
3. A *rate* is a whole cell ``12``, ``12%``, ``0.5`` or ``0.5 %``: ASCII digits, an optional decimal part, an
   optional ``%``; nothing else (``<1``, ``12 (1.7%)``, ``-``, an empty cell, ``12*`` are not rates).
4. The first *data row* is the first row whose arm cells are all rates. A row above it is a *title* (one text
   across every column, before any header row), a *category* (arm cells empty, or one text across every column),
   or a *header* row; a header row may not follow a category row, and a row above the first data row with a
   value in an arm cell (a rate, a number with ``%``, a bound such as ``<1``, a lone dash) is a data row the rule
   cannot read. The last category above the first data row is the category of the rows that follow it.
5. Arms: each arm column's header cells, markers removed, joined top-down with a space (a cell repeated by a
   rowspan counted once); a trailing ``N=705`` or ``(N=705)`` (any case, thousands commas allowed) is the arm
   size. No header row, an arm with no name, ``N=`` anywhere but at the end, or two arms with the same name make
   the table unreadable.
6. Percent: either every rate carries ``%``, or none does and the caption or a header or title cell says the
   numbers are percents (a ``%`` or "percent" that does not follow a number: ``(% of patients)``, not ``≥ 2%``).
7. From the first data row on, each row is a data row, a category row (which must have data rows under it), or
   the table is unreadable.
8. The reaction is the first cell with its markers removed and whitespace collapsed; it may not be empty.
   Markers are the reader's ``[n]`` (anywhere in the cell) and trailing ``*``, ``**``, ``†``, ``‡``, ``§``, ``¶``.
9. A row's footnotes: the notes of the markers in the caption, in title rows and in the reaction column's header
   cells (they qualify every row), of its category row, and of its reaction cell; an arm header's notes are that
   arm's. A marker without a note, or two notes with the same marker, make the table unreadable.

Where this departs from docs/label-model.md section 5 (where the doc is silent or its rule would misread; none of
it changes what the shared labels' three tables give): a row of one text across every column (a ``colspan`` the reader repeated) is a
title or a category, where the doc's rule 4 would make it a header row; a row above the first data row holding a
value is refused, where the doc would take ``Headache | 12% | <1`` for a header and name the arms ``Drug 12%``;
rate cells carry no markers (the doc's rule 3 already says so, its rule 9 assumes otherwise); "(% of patients)"
declares percents but "≥5% of patients" does not (the doc's ``% of patients`` pattern matches both); a header below
a category, a category with no rows, ``N=`` not at the end of an arm header, two arms of one name, mixed ``12%``
and ``12`` are refused; a rowspan repeated down a header counts once; caption markers qualify every row; blank rows
(no-break spaces count as blank) are dropped. Tables outside 34084-4 are ignored here, not reported.

>>> from loaders.spl.read import Table
>>> table = Table("t1", "Table 1. Adverse reactions (% of patients)",
...               (("Reaction[1]", "Drug N=100", "Placebo N=98"),),
...               (("Nervous system*", "", ""), ("Headache", "12", "7.0"),
...                ("* Includes dizziness", "* Includes dizziness", "* Includes dizziness")),
...               (), ("[1] Reported by at least 2%",), 10)
>>> read = read_table(table, "s-6.1", "6.1 Clinical Trials Experience")
>>> [(arm.name, arm.size) for arm in read.arms]
[('Drug', 100), ('Placebo', 98)]
>>> row = read.rows[0]
>>> (row.reaction, row.category, row.rates, row.footnotes)
('Headache', 'Nervous system', ((0, '12'), (1, '7.0')), ('[1] Reported by at least 2%', '* Includes dizziness'))
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from loaders.spl.read import LOINC, Label, Section, Table

ADVERSE_REACTIONS = "34084-4"  # LOINC "ADVERSE REACTIONS SECTION"; the shared labels code it with LOINC's OID

_SYMBOLS = r"\*+|†+|‡+|§+|¶+"  # a footnote marker the author typed: a run of one symbol
_TRAILING_MARKER = re.compile(rf"\s*(\[[0-9]+\]|{_SYMBOLS})\s*$")
_NUMBERED_MARKER = re.compile(r"\[[0-9]+\]")  # the reader's mark for a <footnote> or <footnoteRef>
_NOTE_START = re.compile(rf"(?:{_SYMBOLS})")
_NOTE_SPLIT = re.compile(rf"(?:^|(?<=\s))({_SYMBOLS})")
_READER_NOTE = re.compile(r"(\[[0-9]+\])\s*(.*)", re.S)
_RATE = re.compile(r"([0-9]+(?:\.[0-9]+)?)\s*(%?)")
_VALUE_LIKE = re.compile(r"[0-9]\s*%|^[<>≤≥]\s*[0-9]|^[-–—]+$")
_ARM_SIZE = re.compile(r"(?P<name>.*?)\s*\(?\s*N\s*=\s*(?P<n>[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)\s*\)?", re.I)
_STATES_SIZE = re.compile(r"\bN\s*=", re.I)
_SAYS_PERCENT = re.compile(r"(?:^|[^0-9\s])\s*(?:%|\bpercent(?:age)?\b)", re.I)


@dataclass(frozen=True, slots=True)
class Arm:
    """A study arm of an adverse-reaction table: its name and size as the header states them."""

    name: str  # "HUMIRA 40 mg subcutaneous Every Other Week", "Placebo"
    size: int | None  # N, where the header states it
    footnotes: tuple[str, ...]  # the notes of markers in the arm's header cells


@dataclass(frozen=True, slots=True)
class ReactionRow:
    """One reaction row: the percent of patients with it in each arm, as stated."""

    reaction: str
    category: str | None  # the last category row above it (a body system, "Laboratory Tests"), markers removed
    rates: tuple[tuple[int, str], ...]  # (arm index into ReactionTable.arms, percent as stated: "17", "7.0")
    footnotes: tuple[str, ...]  # the notes the row's markers point to, each "marker text"
    line: int  # the line of the row's own <tr> (the table's line for a hand-built Table without row lines)


@dataclass(frozen=True, slots=True)
class ReactionTable:
    """An adverse-reaction table read whole."""

    section_id: str
    section_title: str | None
    table_id: str | None  # the table element's ID attribute
    caption: str
    arms: tuple[Arm, ...]
    rows: tuple[ReactionRow, ...]
    line: int


@dataclass(frozen=True, slots=True)
class TableProblem:
    """An adverse-reaction table the rule cannot read: none of its rows is kept.

    ``table`` names it: its ID, else its caption, else ``"table k"`` (its position in the section, from 1).

    >>> TableProblem("s1", "t2", 40, "no row has a rate in every arm column").message("a.xml")
    "a.xml:40: adverse-reaction table 't2' in section s1 was not read: no row has a rate in every arm column (...)"
    """

    section_id: str
    table: str
    line: int
    reason: str

    def message(self, path: str) -> str:
        """The problem as ``path:line: ...``, for the label at ``path``."""
        return (f"{path}:{self.line}: adverse-reaction table {self.table!r} in section {self.section_id} was not "
                f"read: {self.reason} (its rows are left out; fix the table or read it by hand)")


class _Unreadable(Exception):
    pass


def read_reactions(label: Label) -> tuple[list[ReactionTable], list[TableProblem]]:
    """Every table of the label's adverse-reactions sections, read by the rule of this module, in document order.

    Returns the tables read whole and the tables refused (each with its reason); tables of other sections are
    neither. Never raises for a table's content.
    """
    by_id = {s.section_id: s for s in label.sections}
    read: list[ReactionTable] = []
    problems: list[TableProblem] = []
    for section in label.sections:
        if not section.tables or not _in_adverse_reactions(section, by_id):
            continue
        for position, table in enumerate(section.tables, 1):
            result = read_table(table, section.section_id, section.title, position)
            (read if isinstance(result, ReactionTable) else problems).append(result)
    return read, problems


def read_table(table: Table, section_id: str, section_title: str | None = None,
               position: int = 1) -> ReactionTable | TableProblem:
    """Read one table by the rule of this module, whatever its section; ``position`` names a table with no ID or
    caption (``"table 2"``). Returns the table read whole, or the problem that stopped it."""
    try:
        arms, rows = _Rule(table).read()
    except _Unreadable as exc:
        name = table.table_id or table.caption or f"table {position}"
        return TableProblem(section_id, name, table.line, str(exc))
    return ReactionTable(section_id, section_title, table.table_id, table.caption, arms, rows, table.line)


def _in_adverse_reactions(section: Section, by_id: dict[str, Section]) -> bool:
    while section is not None:
        if section.code is not None and section.code.code == ADVERSE_REACTIONS and section.code.system == LOINC:
            return True
        section = by_id.get(section.parent_id) if section.parent_id else None
    return False


def _row_lines(rows: tuple, lines: tuple[int, ...], table_line: int) -> tuple[int, ...]:
    """The <tr> line of each row of one group; the table's line for every row when the group states none."""
    if not lines:
        return (table_line,) * len(rows)
    if len(lines) != len(rows):
        raise ValueError(f"the table at line {table_line} has {len(rows)} rows in a group but {len(lines)} "
                         "row lines")
    return lines


def _words(text: str) -> str:
    """Whitespace collapsed, no-break spaces included (the reader keeps those as stated)."""
    return " ".join(text.split())


def _split_markers(cell: str) -> tuple[str, tuple[str, ...]]:
    """The cell's text without its footnote markers, and the markers in the order they stand."""
    trailing: list[str] = []
    while match := _TRAILING_MARKER.search(cell):
        trailing.insert(0, match.group(1))
        cell = cell[:match.start()]
    inner = _NUMBERED_MARKER.findall(cell)
    return _words(_NUMBERED_MARKER.sub(" ", cell)), (*inner, *trailing)


def _is_rate(cell: str) -> bool:
    return _RATE.fullmatch(cell.strip()) is not None


def _spans_all(row: tuple[str, ...]) -> bool:
    return bool(row[0].strip()) and len(set(row)) == 1


def _name(row: tuple[str, ...]) -> str:
    return _words(row[0])


class _Rule:
    """One table through the rule; any failure raises :class:`_Unreadable` with the reason."""

    def __init__(self, table: Table):
        self.table = table
        self.notes: dict[str, str] = {}

    def fail(self, reason: str):
        raise _Unreadable(reason)

    def read(self) -> tuple[tuple[Arm, ...], tuple[ReactionRow, ...]]:
        t = self.table
        rows = [*t.header_rows, *t.body_rows, *t.footer_rows]
        lines = [*_row_lines(t.header_rows, t.header_lines, t.line),
                 *_row_lines(t.body_rows, t.body_lines, t.line),
                 *_row_lines(t.footer_rows, t.footer_lines, t.line)]  # each row's <tr> line
        if not rows:
            self.fail("the table has no rows")
        width = len(rows[0])
        if width < 2:
            self.fail(f"the table has {width} column; the rule needs a reaction column and at least one arm "
                      "column")
        for k, row in enumerate(rows, 1):
            if len(row) != width:
                self.fail(f"row {k} has {len(row)} cells and row 1 has {width}: the rule reads only rectangular "
                          "tables")
        for note in t.footnotes:
            match = _READER_NOTE.fullmatch(note)
            if match is None:  # the reader always writes "[n] text"; anything else is not its footnote
                self.fail(f"the footnote {note!r} has no [n] marker")
            self.add_note(match.group(1), _words(match.group(2)))
        kept = []  # the rows that are neither notes nor blank
        kept_lines = []  # the <tr> line of each kept row (carried along: not an index into the table's rows)
        for row, line in zip(rows, lines, strict=True):
            if _spans_all(row) and _NOTE_START.match(row[0].strip()):
                self.note_row(row[0])
            elif any(cell.strip() for cell in row):
                kept.append(row)
                kept_lines.append(line)
        first = next((i for i, row in enumerate(kept) if all(_is_rate(c) for c in row[1:])), None)
        if first is None:
            for row in kept:  # name the first row of values that failed, if there is one
                if not _spans_all(row) and any(_is_rate(c) or _VALUE_LIKE.search(c.strip()) for c in row[1:]):
                    self.not_a_rate(row)
            self.fail("no row has a rate in every arm column")
        titles, headers, category = self.classify_top(kept[:first])
        arms = self.arms(headers, kept[first])
        self.check_percent(titles, headers, kept[first:])
        every_row: list[str] = list(self.resolve(_split_markers(t.caption)[1], t.caption))
        for title in titles:
            every_row += self.resolve(_split_markers(title[0])[1], title[0])
        for header in headers:
            every_row += self.resolve(_split_markers(header[0])[1], header[0])
        return arms, self.body(list(zip(kept[first:], kept_lines[first:], strict=True)), category, every_row)

    def add_note(self, marker: str, text: str) -> None:
        if not text:
            self.fail(f"the footnote {marker!r} has no text")
        if marker in self.notes:
            self.fail(f"two footnotes use the marker {marker!r}: {self.notes[marker]!r} and {marker + ' ' + text!r}")
        self.notes[marker] = f"{marker} {text}"

    def note_row(self, text: str) -> None:
        pieces = _NOTE_SPLIT.split(text.strip())
        # pieces: "", marker, text, marker, text, ...
        for marker, note in zip(pieces[1::2], pieces[2::2], strict=True):
            self.add_note(marker, _words(note))

    def resolve(self, markers: tuple[str, ...], cell: str) -> list[str]:
        out = []
        for marker in markers:
            if marker not in self.notes:
                self.fail(f"the marker {marker!r} in {_words(cell)!r} points to no footnote")
            out.append(self.notes[marker])
        return out

    def not_a_rate(self, row: tuple[str, ...]):
        bad = next(c for c in row[1:] if not _is_rate(c))
        self.fail(f"row {_name(row)!r} has a cell that is not a rate: {_words(bad)!r}")

    def classify_top(self, top: list[tuple[str, ...]]):
        """The rows above the first data row: titles, header rows, and the category of the first data rows."""
        titles: list[tuple[str, ...]] = []
        headers: list[tuple[str, ...]] = []
        category: tuple[str, ...] | None = None
        for row in top:
            arms = row[1:]
            if not _spans_all(row) and any(_is_rate(c) or _VALUE_LIKE.search(c.strip()) for c in arms):
                self.not_a_rate(row)  # a row of values, one of which the rule cannot read: not a header
            if _spans_all(row) and not headers and category is None:
                titles.append(row)
            elif _spans_all(row) or not any(c.strip() for c in arms):
                category = row
            elif category is not None:
                self.fail(f"the header row {' | '.join(_words(c) for c in row)!r} follows the category row "
                          f"{_name(category)!r}: the rule reads a header only as one block above the categories")
            else:
                headers.append(row)
        return titles, headers, category

    def arms(self, headers: list[tuple[str, ...]], first: tuple[str, ...]) -> tuple[Arm, ...]:
        if not headers:
            self.fail(f"no header row names the arms above the first row of rates {_name(first)!r}")
        arms: list[Arm] = []
        for column in range(1, len(first)):
            parts: list[str] = []
            notes: list[str] = []
            previous = None
            for header in headers:
                cell = header[column]
                if cell == previous:  # a rowspan repeats the cell into the rows below: it is one header cell
                    continue
                previous = cell
                text, markers = _split_markers(cell)
                notes += self.resolve(markers, cell)
                if text:
                    parts.append(text)
            stated = " ".join(parts)
            match = _ARM_SIZE.fullmatch(stated)
            if match is None and _STATES_SIZE.search(stated):
                self.fail(f"the header of arm column {column + 1} states N= but not at its end: {stated!r}")
            name, size = (match.group("name"), int(match.group("n").replace(",", ""))) if match else (stated, None)
            if not name:
                self.fail(f"arm column {column + 1} has no name in the header (it states {stated!r})")
            if any(arm.name == name for arm in arms):
                self.fail(f"two arm columns are both named {name!r}")
            arms.append(Arm(name, size, tuple(dict.fromkeys(notes))))
        return tuple(arms)

    def check_percent(self, titles, headers, body) -> None:
        with_sign: list[tuple[str, str]] = []
        without: list[tuple[str, str]] = []
        for row in body:
            if all(_is_rate(c) for c in row[1:]):
                for c in row[1:]:
                    (with_sign if c.strip().endswith("%") else without).append((_name(row), c.strip()))
        if with_sign and without:
            self.fail(f"some rates carry % and others do not ({with_sign[0][1]!r} in row {with_sign[0][0]!r}, "
                      f"{without[0][1]!r} in row {without[0][0]!r})")
        if with_sign:
            return
        stated = [self.table.caption, *(c for row in [*titles, *headers] for c in row)]
        if not any(_SAYS_PERCENT.search(text) for text in stated):
            self.fail("the rates are bare numbers and neither the caption nor a header cell says they are percents")

    def body(self, rows: list[tuple[tuple[str, ...], int]], category_row,
             every_row: list[str]) -> tuple[ReactionRow, ...]:
        """The rows from the first data row on, each with its <tr> line, read into reaction rows."""
        category, category_notes = self.category(category_row)
        under_category = 0
        out: list[ReactionRow] = []
        for row, line in rows:
            arms = row[1:]
            if all(_is_rate(c) for c in arms):
                reaction, markers = _split_markers(row[0])
                if not reaction:
                    self.fail(f"a row of rates has no reaction in its first cell (rates {' | '.join(arms)!r})")
                notes = every_row + category_notes + self.resolve(markers, row[0])
                rates = tuple((i, _RATE.fullmatch(c.strip()).group(1)) for i, c in enumerate(arms))
                out.append(ReactionRow(reaction, category, rates, tuple(dict.fromkeys(notes)), line))
                under_category += 1
            elif _spans_all(row) or not any(c.strip() for c in arms):
                if category is not None and under_category == 0:
                    self.fail(f"the category row {category!r} has no reaction rows under it")
                category, category_notes = self.category(row)
                under_category = 0
            else:
                self.not_a_rate(row)
        if category is not None and under_category == 0:
            self.fail(f"the category row {category!r} has no reaction rows under it")
        return tuple(out)

    def category(self, row) -> tuple[str | None, list[str]]:
        if row is None:
            return None, []
        text, markers = _split_markers(row[0])
        return text, self.resolve(markers, row[0])
