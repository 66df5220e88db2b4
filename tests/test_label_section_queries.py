"""The saved queries label-sections, label-adverse-reactions and repackaged-label-drift, held against oracles.

The oracles read the shared FDA labels (``../shared/labels``) with ``xml.etree.ElementTree``, not with
``loaders/spl``, which is what the queries test: set ids, section ids, LOINC codes, titles, nesting, document order and
section keys (``docs/label-model.md`` 4.2), and the adverse-reaction table cells (section 5). The one thing taken from
the reader is the text hash of a section (``Section.sha256``): the text rendering is tested in ``test_spl_read.py``,
and three hashes are checked here from texts written out by hand. The drift's 28 rows are written out by hand from
``docs/label-model.md`` section 6, each with the ``<section>`` line it comes from in both LIPITOR files.

Each golden file (``tests/golden/queries/NAME.tsv``) was written from its oracle or hand list, never from the query;
the tests hold oracle, golden file and query answer to one another, and check the ``set_id`` and ``version``
parameters (on the real graph, and on a copy of the labels with newer versions added).
"""

from __future__ import annotations

import functools
import hashlib
import re
import shutil
import unicodedata
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import pytest

from drugkg import engine
from drugkg.build import compile_graph
from drugkg.queries import catalogue
from loaders.spl.read import read_label
from tests.conftest import DATA, LABELS, ONTOLOGY, QUERIES, ROOT

GOLDEN = ROOT / "tests" / "golden" / "queries"
NS = "{urn:hl7-org:v3}"
XSD = "http://www.w3.org/2001/XMLSchema#"
DAILYMED = "https://identifiers.org/dailymed:"
FILES = ("cough.xml", "humira.xml", "lipitor-orig.xml", "lipitor-repack.xml", "methoxsalen-pharmacologic-class.xml",
         "no-title.xml")
HUMIRA = "608d4f0d-b19f-46d3-749a-7159aa5f933d"
LIPITOR = "c6e131fe-e7df-4876-83f7-9156fc4e8228"  # lipitor-orig.xml, version 11, 2014-01-13
PDRX = "17a163ef-b349-4e32-bc8c-b02bac7f65d6"  # lipitor-repack.xml, version 8, 2012-02-29
COUGH = "00f66f25-3469-4c16-9baf-fba21e9628bd"
QUERY = catalogue(QUERIES)


def run(store, name: str, **params: str):
    return engine.run_local(store, QUERY[name].bind(params), name)


def answer(store, name: str, **params: str) -> str:
    return engine.sorted_tsv(run(store, name, **params))


def golden(name: str) -> str:
    return (GOLDEN / f"{name}.tsv").read_text(encoding="utf-8")


# ---- SPARQL TSV, written by hand (the golden files' form: engine.sorted_tsv) ---------------------------------------


def _quoted(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\t", "\\t").replace("\n", "\\n")
    return '"' + escaped.replace("\r", "\\r") + '"'


def term(kind: str, value) -> str:
    """One cell of SPARQL TSV: ``s`` a plain string, ``en`` English text, ``int``, ``dec`` (canonical xsd:decimal),
    ``date``; None is unbound."""
    if value is None:
        return ""
    value = str(value)
    if kind == "s":
        return _quoted(value)
    if kind == "en":
        return _quoted(value) + "@en"
    if kind == "int":
        return value
    if kind == "dec":  # Turtle's short form only when it reads back as a decimal: "7" stays typed
        return value if re.fullmatch(r"[0-9]*\.[0-9]+", value) else f'{_quoted(value)}^^<{XSD}decimal>'
    if kind == "date":
        return f"{_quoted(value)}^^<{XSD}date>"
    raise ValueError(kind)


def tsv(columns: list[tuple[str, str]], rows: list[tuple]) -> str:
    lines = ["\t".join(term(kind, value) for (_, kind), value in zip(columns, row, strict=True)) for row in rows]
    return "\n".join(["\t".join(f"?{name}" for name, _ in columns), *sorted(lines)]) + "\n"


# ---- the section oracle (ElementTree) ------------------------------------------------------------------------------


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _inline(el, notes: dict | None = None) -> str:
    """An element's text as one run: <br/> a space, footnotes their mark ``[n]`` (nothing outside a table), media
    nothing."""
    parts = [el.text or ""]
    for child in el:
        name = _local(child.tag)
        if name == "br":
            parts.append(" ")
        elif name in ("footnote", "footnoteRef"):
            parts.append(f"[{notes[child]}]" if notes is not None and child in notes else "")
        elif name != "renderMultiMedia":
            parts.append(_inline(child, notes))
        parts.append(child.tail or "")
    return "".join(parts)


def _clean(text: str) -> str:
    """XML whitespace runs collapsed to one space, any whitespace (no-break spaces too) trimmed at the ends."""
    return re.sub(r"[ \t\r\n]+", " ", text).strip()


def _norm(title: str) -> str:
    return re.sub(r"[^0-9a-z]", "", unicodedata.normalize("NFKC", title).casefold())


@dataclass(frozen=True)
class XSection:
    set_id: str
    section_id: str
    code: str | None
    display: str | None
    stated: str  # the stated title, cleaned ("" when missing or empty)
    parent_id: str | None
    sequence: int  # 1-based, document order
    line: int  # of the <section> start tag
    key: str = ""

    @property
    def title(self) -> str:
        """The title as the graph gives it (docs/label-model.md 4.2)."""
        if self.stated:
            return self.stated
        return f"[untitled] {self.display}" if self.display else "[untitled section]"


@functools.cache
def xml_root(file: str):
    return ET.parse(LABELS / file).getroot()


@functools.cache
def xml_sections(file: str) -> tuple[XSection, ...]:
    """Every <section> of the label, walked through component/section from the structured body, in document order,
    with the line of its start tag (the n-th '<section' of the file text is the n-th section element)."""
    root = xml_root(file)
    set_id = root.find(f"{NS}setId").get("root")
    text = (LABELS / file).read_text(encoding="utf-8")
    lines = [text.count("\n", 0, m.start()) + 1 for m in re.finditer(r"<section[\s>]", text)]
    assert len(lines) == sum(1 for _ in root.iter(f"{NS}section"))
    line_of = dict(zip(root.iter(f"{NS}section"), lines, strict=True))
    found: list[XSection] = []

    def walk(container, parent_id: str | None) -> None:
        for component in container.findall(f"{NS}component"):
            for sec in component.findall(f"{NS}section"):
                code_el = sec.find(f"{NS}code")
                title_el = sec.find(f"{NS}title")
                found.append(XSection(
                    set_id, sec.find(f"{NS}id").get("root"),
                    code_el.get("code") if code_el is not None else None,
                    code_el.get("displayName") if code_el is not None else None,
                    _clean(_inline(title_el)) if title_el is not None else "",
                    parent_id, len(found) + 1, line_of[sec]))
                walk(sec, found[-1].section_id)

    walk(root.find(f"{NS}component/{NS}structuredBody"), None)
    assert len(found) == len(lines), f"{file}: a <section> outside the component/section nesting"
    return tuple(_with_keys(found))


def _with_keys(sections: list[XSection]) -> list[XSection]:
    """The section key of 4.2: ``{code}|{norm(title)}`` (``#n`` from the second repeat in the document), or, untitled,
    ``{parent key}/{code}#{n}``, n among the untitled siblings with the same code; no code is ``-``."""
    keys: dict[str, str] = {}
    titled: dict[str, int] = {}
    untitled: dict[tuple, int] = {}
    out = []
    for s in sections:
        code = s.code or "-"
        if s.stated:
            base = f"{code}|{_norm(s.stated)}"
            titled[base] = titled.get(base, 0) + 1
            key = base if titled[base] == 1 else f"{base}#{titled[base]}"
        else:
            untitled[(s.parent_id, code)] = untitled.get((s.parent_id, code), 0) + 1
            key = f"{keys[s.parent_id] if s.parent_id else ''}/{code}#{untitled[(s.parent_id, code)]}"
        keys[s.section_id] = key
        out.append(XSection(**{**s.__dict__, "key": key}))
    return out


@functools.cache
def text_hashes(file: str) -> dict[str, str]:
    """Section id -> SHA-256 of the section's text as the reader renders it (the one fact taken from loaders.spl)."""
    return {s.section_id: s.sha256 for s in read_label(LABELS / file).sections}


def section_at(file: str, line: int) -> XSection:
    return next(s for s in xml_sections(file) if s.line == line)


SECTION_COLUMNS = [("setId", "s"), ("sectionId", "s"), ("code", "s"), ("title", "en"), ("parentSectionId", "s"),
                   ("textHash", "s"), ("sequence", "int"), ("sectionKey", "s")]


def sections_oracle() -> str:
    rows = [(s.set_id, s.section_id, s.code, s.title, s.parent_id, text_hashes(file)[s.section_id], s.sequence, s.key)
            for file in FILES for s in xml_sections(file)]
    return tsv(SECTION_COLUMNS, rows)


# ---- the adverse-reaction oracle (ElementTree, the table cells) ----------------------------------------------------

# The three adverse-reaction tables of the shared labels (docs/label-model.md section 5): file, table ID, line.
REACTION_TABLES = [("humira.xml", "t56551338", 1702), ("lipitor-orig.xml", "table2", 2025),
                   ("lipitor-repack.xml", "table2", 685)]
_MARK = r"\*+|†+|‡+|§+|\[[0-9]+\]"
_RATE = re.compile(r"[0-9]+(\.[0-9]+)?\s*%?")


def _marks(cell: str) -> tuple[str, list[str]]:
    """A cell without its trailing markers, and the markers."""
    tail = re.search(rf"(\s*({_MARK}))+$", cell)
    if tail is None:
        return cell, []
    return cell[:tail.start()].strip(), re.findall(_MARK, tail.group(0))


def table_rows(file: str, table_id: str) -> list[tuple]:
    """(setId, reaction, arm, percent, armSize, sectionTitle, footnotes) for each data cell of the table."""
    root = xml_root(file)
    parent = {child: el for el in root.iter() for child in el}
    table = next(t for t in root.iter(f"{NS}table") if t.get("ID") == table_id)
    section = parent[table]
    while _local(section.tag) != "section":
        section = parent[section]
    section_title = _clean(_inline(section.find(f"{NS}title")))
    numbers = {fn: n for n, fn in enumerate(table.iter(f"{NS}footnote"), 1)}
    notes = {f"[{n}]": f"[{n}] {_clean(_inline(fn))}" for fn, n in numbers.items()}
    grid = []
    for group in table:
        for tr in (group.findall(f"{NS}tr") if _local(group.tag) in ("thead", "tbody", "tfoot") else []):
            row = []
            for cell in tr:
                assert cell.get("rowspan") is None
                row += [_clean(_inline(cell, numbers))] * int(cell.get("colspan") or 1)
            grid.append(row)
    assert len({len(row) for row in grid}) == 1
    data, header, note_rows = [], [], []
    for row in grid:
        if len(set(row)) == 1 and re.match(_MARK, row[0]):  # a note row: its text split at the markers
            note_rows.append(row)
            parts = re.split(rf"({_MARK})\s*", row[0])[1:]
            notes.update({mark: f"{mark} {text.strip()}" for mark, text in zip(parts[::2], parts[1::2])})
        elif all(_RATE.fullmatch(c) for c in row[1:]) or data:
            data.append(row)
        elif any(row[1:]):
            header.append(row)
        else:
            data.append(row)  # a category row before the first data row
    arms = []
    for col in range(1, len(grid[0])):
        stated = " ".join(row[col] for row in header if row[col])
        m = re.fullmatch(r"(.*?)\s*\(?N\s*=\s*([0-9,]+)\)?", stated)
        arms.append((m.group(1), int(m.group(2).replace(",", ""))) if m else (stated, None))
    for_all = [notes[m] for row in header for m in _marks(row[0])[1]]
    rows, category = [], []
    for row in data:
        reaction, marks = _marks(row[0])
        if not any(row[1:]):
            category = [notes[m] for m in marks]
            continue
        footnotes = "\n".join(for_all + category + [notes[m] for m in marks]) or None
        for (arm, size), cell in zip(arms, row[1:], strict=True):
            value = cell.rstrip("%").strip()
            percent = value.rstrip("0").rstrip(".") if "." in value else value
            rows.append((root.find(f"{NS}setId").get("root"), reaction, arm, percent, size, section_title, footnotes))
    return rows


REACTION_COLUMNS = [("setId", "s"), ("reaction", "en"), ("arm", "en"), ("percent", "dec"), ("armSize", "int"),
                    ("sectionTitle", "en"), ("footnotes", "en")]


def reactions_oracle() -> str:
    return tsv(REACTION_COLUMNS, [row for file, table_id, _ in REACTION_TABLES for row in table_rows(file, table_id)])


# Rows read by hand from the XML: (file, line of the reaction's <td>, reaction, arm, percent, armSize, footnotes).
LAB_NOTE = "* Laboratory test abnormalities were reported as adverse reactions in European trials"
INJECTION_NOTE = "** Does not include injection site erythema, itching, hemorrhage, pain or swelling"
LIPITOR_NOTE = "[1] Adverse Reaction ≥ 2% in any dose greater than placebo"
HUMIRA_ARM = "HUMIRA 40 mg subcutaneous Every Other Week"
BY_HAND = [
    ("humira.xml", 1727, "Upper respiratory infection", HUMIRA_ARM, "17", 705, None),  # 17% (N=705, line 1711)
    ("humira.xml", 1727, "Upper respiratory infection", "Placebo", "13", 690, None),  # 13% (N=690, line 1712)
    # "Laboratory Tests*" (line 1762) carries the note of the last row (line 1833) to its five rows
    ("humira.xml", 1766, "Laboratory test abnormal", HUMIRA_ARM, "8", 705, LAB_NOTE),
    # the cell reads "Injection site reaction **"; the note row (line 1833) gives "**" its note
    ("humira.xml", 1813, "Injection site reaction", "Placebo", "1", 690, INJECTION_NOTE),
    # the <footnote> in the reaction column's header (line 2038) qualifies every row; "Any dose<br/>N=8755" (2040)
    ("lipitor-orig.xml", 2048, "Nasopharyngitis", "Any dose", "8.3", 8755, LIPITOR_NOTE),
    ("lipitor-orig.xml", 2048, "Nasopharyngitis", "40 mg", "7", 604, LIPITOR_NOTE),  # <td>7.0</td>, line 2052
    ("lipitor-orig.xml", 2147, "Pharyngolaryngeal pain", "80 mg", "0.7", 4055, LIPITOR_NOTE),  # line 2152
    ("lipitor-repack.xml", 717, "Arthralgia", "20 mg", "11.7", 188, LIPITOR_NOTE),  # line 720
]
SET_OF = {"humira.xml": HUMIRA, "lipitor-orig.xml": LIPITOR, "lipitor-repack.xml": PDRX}
TITLE_OF = {"humira.xml": "6.1 Clinical Trials Experience",  # the <title> of the section at line 1643
            "lipitor-orig.xml": "6.1 Clinical Trial Adverse Experiences",  # line 2016
            "lipitor-repack.xml": "6.1 Clinical Trial Adverse Experiences"}  # line 676


# ---- the drift, by hand from docs/label-model.md section 6 ---------------------------------------------------------

UNCLASSIFIED = "[untitled] SPL UNCLASSIFIED SECTION"
PANEL = "[untitled] PACKAGE LABEL.PRINCIPAL DISPLAY PANEL"
DIFFERS, SOURCE_ONLY = "text differs", "only in the source label"
# (difference, sectionKey, code, title, <section> line in lipitor-orig.xml, in lipitor-repack.xml, hash prefixes
# source -> repackaged as the document gives them)
DRIFT = [
    (DIFFERS, "42229-5|26dosageinpatientstakingcyclosporineclarithromycinitraconazoleorcertainproteaseinhibitors",
     "42229-5", "2.6 Dosage in Patients Taking Cyclosporine, Clarithromycin, Itraconazole, or Certain Protease "
     "Inhibitors", 1759, 424, "13a6a07c", "25e67003"),
    (DIFFERS, "42229-5|51skeletalmuscle", "42229-5", "5.1 Skeletal Muscle", 1869, 534, "60ec76b2", "612a4429"),
    (DIFFERS, "42229-5|62postmarketingexperience", "42229-5", "6.2 Postmarketing Experience", 2242, 902,
     "3a0650c7", "47f80913"),
    (DIFFERS, "42229-5|71stronginhibitorsofcyp3a4/42229-5#2", "42229-5", UNCLASSIFIED, 2354, 1013,
     "b52c4e61", "25ef36d0"),  # the second untitled section under "7.1 Strong Inhibitors of CYP 3A4"
    (DIFFERS, "43682-4|123pharmacokinetics/42229-5#5/42229-5#6", "42229-5", UNCLASSIFIED, 2823, 1494,
     "04ed4072", "99640e0d"),  # the drug-interaction table under 12.3
    (DIFFERS, "42229-5|146heterozygousfamilialhypercholesterolemiainpediatricpatients", "42229-5",
     "14.6 Heterozygous Familial Hypercholesterolemia in Pediatric Patients", 3770, 2435, "02d6b6b3", "87b86748"),
    (DIFFERS, "42229-5|171musclepain", "42229-5", "17.1 Muscle Pain", 3889, 2554, "557d6c4a", "9db90610"),
    (DIFFERS, "42229-5|174breastfeeding", "42229-5", "17.4 Breast-feeding", 3922, 2587, "b680890b", "decbea0f"),
    (DIFFERS, "/42229-5#1", "42229-5", UNCLASSIFIED, 3935, 2600, "0c86b9d7", "4225a699"),
    (DIFFERS, "42230-3|patientinformation", "42230-3", "PATIENT INFORMATION", 3956, 2621, "26948e5c", "2a06473a"),
    (DIFFERS, "/51945-4#1", "51945-4", PANEL, 4107, 2771, "f8fa1839", "ebe3a44b"),
    # the display panels the repackager does not have (its only panel matches /51945-4#1, line 2771)
    (SOURCE_ONLY, "/51945-4#2", "51945-4", PANEL, 4145, None, "ad0a6a3e", None),
    (SOURCE_ONLY, "/51945-4#3", "51945-4", PANEL, 4176, None, "06bb0836", None),
    (SOURCE_ONLY, "51945-4|principaldisplaypanel10mgtabletpacketcarton", "51945-4",
     "PRINCIPAL DISPLAY PANEL - 10 mg Tablet Packet Carton", 4212, None, "b9cc876e", None),
    (SOURCE_ONLY, "51945-4|principaldisplaypanel10mgtabletpacket", "51945-4",
     "PRINCIPAL DISPLAY PANEL - 10 mg Tablet Packet", 4255, None, "f01f3a87", None),
    (SOURCE_ONLY, "/51945-4#4", "51945-4", PANEL, 4278, None, "718e8d9d", None),
    (SOURCE_ONLY, "/51945-4#5", "51945-4", PANEL, 4316, None, "d77f6ae5", None),
    (SOURCE_ONLY, "/51945-4#6", "51945-4", PANEL, 4347, None, "6d3d5380", None),
    (SOURCE_ONLY, "51945-4|principaldisplaypanel20mgtabletpacketcarton", "51945-4",
     "PRINCIPAL DISPLAY PANEL - 20 mg Tablet Packet Carton", 4383, None, "50fec2c1", None),
    (SOURCE_ONLY, "51945-4|principaldisplaypanel20mgtabletpacket", "51945-4",
     "PRINCIPAL DISPLAY PANEL - 20 mg Tablet Packet", 4426, None, "f01f3a87", None),
    (SOURCE_ONLY, "/51945-4#7", "51945-4", PANEL, 4449, None, "0baa2900", None),
    (SOURCE_ONLY, "/51945-4#8", "51945-4", PANEL, 4487, None, "17485498", None),
    (SOURCE_ONLY, "/51945-4#9", "51945-4", PANEL, 4518, None, "6d17125d", None),
    (SOURCE_ONLY, "51945-4|principaldisplaypanel40mgtabletpacketcarton", "51945-4",
     "PRINCIPAL DISPLAY PANEL - 40 mg Tablet Packet Carton", 4554, None, "9f1c4239", None),
    (SOURCE_ONLY, "51945-4|principaldisplaypanel40mgtabletpacket", "51945-4",
     "PRINCIPAL DISPLAY PANEL - 40 mg Tablet Packet", 4597, None, "f01f3a87", None),
    (SOURCE_ONLY, "/51945-4#10", "51945-4", PANEL, 4620, None, "8dcedb33", None),
    (SOURCE_ONLY, "/51945-4#11", "51945-4", PANEL, 4658, None, "61820506", None),
    (SOURCE_ONLY, "/51945-4#12", "51945-4", PANEL, 4689, None, "d957933b", None),
]
DRIFT_COLUMNS = [("repackSetId", "s"), ("repackVersion", "int"), ("repackDate", "date"), ("sourceSetId", "s"),
                 ("sourceVersion", "int"), ("sourceDate", "date"), ("repackNdc", "s"), ("sourceNdc", "s"),
                 ("sectionKey", "s"), ("code", "s"), ("title", "en"), ("difference", "s"), ("repackTextHash", "s"),
                 ("sourceTextHash", "s")]
# The pair: PD-Rx's product 55289-800 names 0071-0156 as its source (lipitor-repack.xml line 57), which is a product of
# lipitor-orig.xml; versions and dates from each file's header (lines 6 and 8).
PAIR = (PDRX, 8, "2012-02-29", LIPITOR, 11, "2014-01-13", "55289-800", "0071-0156")


def drift_rows() -> list[tuple]:
    rows = []
    for difference, key, code, title, orig_line, repack_line, *_ in DRIFT:
        source = section_at("lipitor-orig.xml", orig_line)
        repack = section_at("lipitor-repack.xml", repack_line) if repack_line else None
        rows.append((*PAIR, key, code, title, difference,
                     text_hashes("lipitor-repack.xml")[repack.section_id] if repack else None,
                     text_hashes("lipitor-orig.xml")[source.section_id]))
    return rows


# ================================================================================================== label-sections


def test_the_oracle_finds_every_section_at_its_line():
    counts = {file: len(xml_sections(file)) for file in FILES}
    assert counts == {"cough.xml": 19, "humira.xml": 73, "lipitor-orig.xml": 110, "lipitor-repack.xml": 93,
                      "methoxsalen-pharmacologic-class.xml": 1, "no-title.xml": 44}  # 340, docs 4.2
    for file in FILES:
        lines = (LABELS / file).read_text(encoding="utf-8").splitlines()
        for s in xml_sections(file):  # the stated line holds a <section> start tag, and its <id> follows
            assert "<section" in lines[s.line - 1], (file, s.line)
            following = "\n".join(lines[s.line:s.line + 3])
            assert f'root="{s.section_id}"' in following, (file, s.line, s.section_id)
        assert len({s.key for s in xml_sections(file)}) == counts[file], f"{file}: section keys repeat"


def test_section_keys_of_the_documented_examples():
    keys = {s.line: s.key for s in xml_sections("lipitor-orig.xml")}
    assert keys[1869] == "42229-5|51skeletalmuscle"
    assert keys[4176] == "/51945-4#3"
    assert keys[2823] == "43682-4|123pharmacokinetics/42229-5#5/42229-5#6"
    assert keys[639] == "/48780-1#1"
    assert section_at("lipitor-repack.xml", 2587).key == keys[3922] == "42229-5|174breastfeeding"


HAND_TEXTS = [
    # cough.xml line 226 "Active ingredient": two paragraphs (lines 231, 232)
    ("cough.xml", 226, "7e0e7443-a87d-4876-9e43-ac89efa3cf3d", "Diphenhydramine HCl 6.25 mg\n\nPhenylephrine HCl 2.5"),
    # cough.xml line 334 "Stop use and ask a doctor if": a list of three items (lines 340-342), one per line, the
    # double space after "headache." and the trailing spaces collapsed
    ("cough.xml", 334, "2ea358b8-b931-45f0-b7a3-77ea053357b3",
     "nervousness, dizziness or sleeplessness occurs\n"
     "symptoms do not improve within 7 days or occur with a fever\n"
     "cough persists for more than 7 days, comes back or occurs with a fever, rash or persistent headache. These could"
     " be signs of a serious condition."),
    # cough.xml line 429 "Questions or comments?" (id line 430): one paragraph with bold inline content (line 434)
    ("cough.xml", 429, "9694409f-c034-43b4-b33f-b83a9e65d2fd", "call 1-800-452-0051 24 hours a day, 7 days a week"),
    # lipitor-orig.xml line 639: the product-data section has no <text>: the hash of the empty text
    ("lipitor-orig.xml", 639, "c02cb2e3-92e2-4e7a-bb72-302a801d6091", ""),
]


@pytest.mark.parametrize("file, line, section_id, text", HAND_TEXTS, ids=lambda v: str(v)[:12])
def test_text_hashes_checked_by_hand(file, line, section_id, text, built_labels):
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    assert section_at(file, line).section_id == section_id
    assert text_hashes(file)[section_id] == digest
    rows = [r for r in golden("label-sections").splitlines() if f'"{section_id}"' in r.split("\t")[1]]
    assert len(rows) == 1 and rows[0].split("\t")[5] == f'"{digest}"'


def test_label_sections_golden_is_the_oracle():
    assert golden("label-sections") == sections_oracle()
    assert golden("label-sections").count("\n") == 341


def test_label_sections_answers_the_golden_in_document_order(built_labels):
    assert answer(built_labels.store, "label-sections") == golden("label-sections")
    order = [(row["setId"].value, int(row["sequence"].value)) for row in run(built_labels.store, "label-sections")]
    assert order == sorted(order) and len(order) == 340


def test_label_sections_documented_row():
    """docs/label-model.md section 6: lipitor-orig.xml line 1869, "5.1 Skeletal Muscle" under "5 WARNINGS AND
    PRECAUTIONS"."""
    s = section_at("lipitor-orig.xml", 1869)
    row = [LIPITOR, "79a02fa7-701e-4457-84ff-1a6f771fa129", "42229-5", "5.1 Skeletal Muscle",
           "d970197d-c477-43fe-9fa1-7fd4eeae1b2b"]
    assert [s.set_id, s.section_id, s.code, s.title, s.parent_id] == row
    line = next(r for r in golden("label-sections").splitlines() if row[1] in r).split("\t")
    assert line[:5] == [term("s", row[0]), term("s", row[1]), term("s", row[2]), term("en", row[3]), term("s", row[4])]
    assert line[5].startswith('"60ec76b2') and line[7] == '"42229-5|51skeletalmuscle"'


def test_label_sections_parameters(built_labels):
    store = built_labels.store
    whole = golden("label-sections").splitlines()
    only = [whole[0]] + [r for r in whole[1:] if r.startswith(f'"{LIPITOR}"')]
    assert answer(store, "label-sections", set_id=LIPITOR).splitlines() == only and len(only) == 111
    assert answer(store, "label-sections", set_id=LIPITOR, version="11").splitlines() == only
    assert answer(store, "label-sections", set_id=LIPITOR, version="10").splitlines() == [whole[0]]
    assert answer(store, "label-sections", set_id="no-such-set").splitlines() == [whole[0]]
    # version alone: every set that has that version (cough, methoxsalen and no-title are all version 1)
    ones = {r.split("\t")[0] for r in answer(store, "label-sections", version="1").splitlines()[1:]}
    assert ones == {f'"{COUGH}"', '"ea1a6225-0eb9-4743-9601-23d5795936a3"', '"0027b8a3-73bf-4005-a7e3-b035f451a861"'}
    assert answer(store, "label-sections", version="999").splitlines() == [whole[0]]


# ======================================================================================== label-adverse-reactions


def test_the_reaction_tables_are_where_the_document_says():
    for file, table_id, line in REACTION_TABLES:
        assert f'ID="{table_id}"' in (LABELS / file).read_text(encoding="utf-8").splitlines()[line - 1]
    counts = {file: len(table_rows(file, table_id)) for file, table_id, _ in REACTION_TABLES}
    assert counts == {"humira.xml": 34, "lipitor-orig.xml": 72, "lipitor-repack.xml": 72}  # 17 x 2, 12 x 6, 12 x 6


@pytest.mark.parametrize("row", BY_HAND, ids=lambda r: f"{r[0]}:{r[1]}:{r[3]}")
def test_reaction_rows_read_by_hand_are_in_the_oracle_and_the_golden(row):
    file, line, reaction, arm, percent, size, footnotes = row
    assert reaction in (LABELS / file).read_text(encoding="utf-8").splitlines()[line - 1]
    expected = (SET_OF[file], reaction, arm, percent, size, TITLE_OF[file], footnotes)
    assert expected in table_rows(file, dict((f, t) for f, t, _ in REACTION_TABLES)[file])
    assert "\t".join(term(kind, v) for (_, kind), v in zip(REACTION_COLUMNS, expected)) in \
        golden("label-adverse-reactions").splitlines()


def test_humira_footnotes_follow_their_markers():
    rows = table_rows("humira.xml", "t56551338")
    noted = {(r[1], r[6]) for r in rows if r[6]}
    laboratory = {"Laboratory test abnormal", "Hypercholesterolemia", "Hyperlipidemia", "Hematuria",
                  "Alkaline phosphatase increased"}  # the "Laboratory Tests*" category, lines 1766-1785
    assert noted == {(r, LAB_NOTE) for r in laboratory} | {("Injection site reaction", INJECTION_NOTE)}
    assert {r[2] for r in rows} == {HUMIRA_ARM, "Placebo"} and len({r[1] for r in rows}) == 17


def test_label_adverse_reactions_golden_is_the_oracle():
    assert golden("label-adverse-reactions") == reactions_oracle()
    assert golden("label-adverse-reactions").count("\n") == 179


def test_label_adverse_reactions_answers_the_golden(built_labels):
    assert answer(built_labels.store, "label-adverse-reactions") == golden("label-adverse-reactions")


def test_label_adverse_reactions_parameters(built_labels):
    store = built_labels.store
    whole = golden("label-adverse-reactions").splitlines()
    humira = [whole[0]] + [r for r in whole[1:] if r.startswith(f'"{HUMIRA}"')]
    assert answer(store, "label-adverse-reactions", set_id=HUMIRA).splitlines() == humira and len(humira) == 35
    assert answer(store, "label-adverse-reactions", set_id=HUMIRA, version="1560").splitlines() == humira
    assert answer(store, "label-adverse-reactions", set_id=HUMIRA, version="1559").splitlines() == [whole[0]]
    assert len(answer(store, "label-adverse-reactions", version="8").splitlines()) == 73  # PD-Rx's table only
    assert answer(store, "label-adverse-reactions", set_id=COUGH).splitlines() == [whole[0]]  # an OTC label: none


# ========================================================================================= repackaged-label-drift


@pytest.mark.parametrize("row", DRIFT, ids=lambda r: f"{r[4]}-{r[5]}")
def test_each_drift_row_against_both_files(row):
    difference, key, code, title, orig_line, repack_line, source_prefix, repack_prefix = row
    source = section_at("lipitor-orig.xml", orig_line)
    assert (source.key, source.code, source.title) == (key, code, title)
    source_hash = text_hashes("lipitor-orig.xml")[source.section_id]
    assert source_hash.startswith(source_prefix)
    repack_keys = {s.key: s for s in xml_sections("lipitor-repack.xml")}
    if difference == SOURCE_ONLY:
        assert repack_line is None and key not in repack_keys
        return
    repack = section_at("lipitor-repack.xml", repack_line)
    assert repack_keys[key] == repack and repack.code == code
    repack_hash = text_hashes("lipitor-repack.xml")[repack.section_id]
    assert repack_hash.startswith(repack_prefix) and repack_hash != source_hash


def test_the_drift_rows_are_every_difference():
    """From the oracle's keys and the hashes: 93 keys match (82 with the same text), and the repackaged label has no
    section the source lacks."""
    source = {s.key: text_hashes("lipitor-orig.xml")[s.section_id] for s in xml_sections("lipitor-orig.xml")}
    repack = {s.key: text_hashes("lipitor-repack.xml")[s.section_id] for s in xml_sections("lipitor-repack.xml")}
    assert set(repack) <= set(source) and len(source) == 110 and len(repack) == 93
    differs = {k for k in repack if repack[k] != source[k]}
    assert {r[1] for r in DRIFT if r[0] == DIFFERS} == differs and len(differs) == 11
    assert {r[1] for r in DRIFT if r[0] == SOURCE_ONLY} == set(source) - set(repack) and len(DRIFT) == 28


def test_the_source_product_is_named_as_the_documents_say():
    """lipitor-repack.xml line 57 names 0071-0156 as the source of 55289-800; lipitor-orig.xml lists 0071-0156."""
    repack_lines = (LABELS / "lipitor-repack.xml").read_text(encoding="utf-8").splitlines()
    assert 'code="0071-0156"' in repack_lines[56]
    ndcs = {c.get("code") for c in xml_root("lipitor-orig.xml").iter(f"{NS}code")
            if c.get("codeSystem") == "2.16.840.1.113883.6.69"}
    assert "0071-0156" in ndcs and "55289-800" not in ndcs
    for file, (set_id, version, date) in {"lipitor-repack.xml": PAIR[:3], "lipitor-orig.xml": PAIR[3:6]}.items():
        root = xml_root(file)
        assert root.find(f"{NS}setId").get("root") == set_id
        assert root.find(f"{NS}versionNumber").get("value") == str(version)
        assert root.find(f"{NS}effectiveTime").get("value") == date.replace("-", "")


def test_repackaged_label_drift_golden_is_the_hand_list():
    assert golden("repackaged-label-drift") == tsv(DRIFT_COLUMNS, drift_rows())
    assert golden("repackaged-label-drift").count("\n") == 29


def test_repackaged_label_drift_answers_the_golden(built_labels):
    assert answer(built_labels.store, "repackaged-label-drift") == golden("repackaged-label-drift")


def test_repackaged_label_drift_parameters(built_labels):
    store = built_labels.store
    whole = golden("repackaged-label-drift").splitlines()
    assert answer(store, "repackaged-label-drift", set_id=PDRX).splitlines() == whole
    assert answer(store, "repackaged-label-drift", set_id=PDRX, version="8").splitlines() == whole
    assert answer(store, "repackaged-label-drift", version="7").splitlines() == [whole[0]]
    # the parameters choose the repackaged label: the originator's label repackages nothing
    assert answer(store, "repackaged-label-drift", set_id=LIPITOR).splitlines() == [whole[0]]


# ================================================================================ newer versions of the same sets


def _newer(tmp: Path, file: str, version: int, document_id: str, changes: dict[str, str] | None = None) -> None:
    """A copy of a shared label as a newer version of its set: another version number and document id, and, if
    given, some text replaced (each once)."""
    text = (LABELS / file).read_text(encoding="utf-8")
    root = xml_root(file)
    old_id, old_version = root.find(f"{NS}id").get("root"), root.find(f"{NS}versionNumber").get("value")
    text = text.replace(f'<id root="{old_id}"/>', f'<id root="{document_id}"/>', 1)
    text = text.replace(f'<versionNumber value="{old_version}"/>', f'<versionNumber value="{version}"/>', 1)
    for old, new in (changes or {}).items():
        assert text.count(old) >= 1
        text = text.replace(old, new, 1)
    (tmp / f"{Path(file).stem}-v{version}.xml").write_text(text, encoding="utf-8")


@pytest.fixture(scope="module")
def versions(tmp_path_factory):
    """The shared labels plus newer versions: PD-Rx's label as version 9 with one rate changed (Nasopharyngitis,
    any dose: 8.3 -> 9.9, lipitor-repack.xml line 709) and one section renamed ("17.1<tab>Muscle Pain" -> "17.1
    Muscle Aches", line 2557), and the originator's label as version 12, unchanged."""
    folder = tmp_path_factory.mktemp("label-versions")
    for file in FILES:
        shutil.copy(LABELS / file, folder / file)
    _newer(folder, "lipitor-repack.xml", 9, "11111111-2222-4333-8444-555555555555",
           {"<td>8.3</td>": "<td>9.9</td>", "<title>17.1\tMuscle Pain</title>": "<title>17.1 Muscle Aches</title>"})
    _newer(folder, "lipitor-orig.xml", 12, "66666666-7777-4888-8999-000000000000")
    compiled = compile_graph(DATA, ONTOLOGY, None, folder)
    return engine.write_store(None, compiled.ntriples, ONTOLOGY)


def test_only_the_latest_version_answers_without_version(versions):
    version8 = [r for r in golden("label-sections").splitlines() if r.startswith(f'"{PDRX}"')]
    header, *sections = answer(versions, "label-sections", set_id=PDRX).splitlines()
    assert len(sections) == 93  # version 9's sections, not both versions' 186
    changed = {old.split("\t")[1]: [(a, b) for a, b in zip(old.split("\t"), new.split("\t")) if a != b]
               for old, new in zip(version8, sections, strict=True) if old != new}
    six_one, seventeen_one = section_at("lipitor-repack.xml", 676), section_at("lipitor-repack.xml", 2554)
    assert changed.keys() == {term("s", six_one.section_id), term("s", seventeen_one.section_id)}
    assert [b for _, b in changed[term("s", seventeen_one.section_id)]] == [
        term("en", "17.1 Muscle Aches"), term("s", "42229-5|171muscleaches")]
    assert len(changed[term("s", six_one.section_id)]) == 1  # the text hash
    assert answer(versions, "label-sections", set_id=PDRX, version="8").splitlines() == [header, *version8]

    def naso(**params):
        rows = answer(versions, "label-adverse-reactions", set_id=PDRX, **params).splitlines()
        return [r.split("\t")[3] for r in rows if '"Nasopharyngitis"@en\t"Any dose"@en' in r]

    assert naso() == ["9.9"] and naso(version="9") == ["9.9"] and naso(version="8") == ["8.3"]


def test_drift_compares_the_latest_versions(versions):
    header, *latest = answer(versions, "repackaged-label-drift").splitlines()
    assert {tuple(r.split("\t")[1:5:3]) for r in latest} == {("9", "12")}  # repackVersion, sourceVersion
    changed = {r.split("\t")[8]: r.split("\t")[10:12] for r in latest}
    assert changed == {
        **{term("s", key): [term("en", title), term("s", difference)] for difference, key, _, title, *_ in DRIFT},
        # the changed table, and the renamed section, now on both sides of the drift
        term("s", "42229-5|61clinicaltrialadverseexperiences"):
            [term("en", "6.1 Clinical Trial Adverse Experiences"), term("s", DIFFERS)],
        term("s", "42229-5|171musclepain"): [term("en", "17.1 Muscle Pain"), term("s", SOURCE_ONLY)],
        term("s", "42229-5|171muscleaches"):
            [term("en", "17.1 Muscle Aches"), term("s", "only in the repackaged label")],
    }
    aches = next(r.split("\t") for r in latest if "171muscleaches" in r)
    assert aches[12] == term("s", text_hashes("lipitor-repack.xml")[section_at("lipitor-repack.xml", 2554).section_id])
    assert aches[13] == "" and aches[9] == term("s", "42229-5")
    header, *eight = answer(versions, "repackaged-label-drift", version="8").splitlines()
    expected = [r.split("\t") for r in golden("repackaged-label-drift").splitlines()[1:]]
    for row in expected:
        row[4] = "12"  # the source label is its latest version, whichever repackaged version is asked for
    assert sorted(r.split("\t") for r in eight) == sorted(expected)
