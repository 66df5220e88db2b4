"""Adverse-reaction tables read into rows (loaders/spl/reactions.py): the three such tables of the shared labels read
whole, every other table of those labels ignored, and small tables that the rule must refuse, each with its reason.

Every expected value on the shared labels was read by hand from the XML; the comment names the file and line.
Each row's ``line`` is the line of its own ``<tr>``, asserted; its cells stand on the lines below, as cited.
"""

from __future__ import annotations

import doctest
from pathlib import Path

import pytest

from loaders.spl import reactions as spl_reactions
from loaders.spl.reactions import Arm, ReactionRow, TableProblem, read_reactions, read_table
from loaders.spl.read import Table, read_label
from tests.conftest import SHARED

LABELS = SHARED / "labels"


@pytest.fixture(scope="module")
def humira():
    return read_label(LABELS / "humira.xml")


@pytest.fixture(scope="module")
def lipitor_orig():
    return read_label(LABELS / "lipitor-orig.xml")


@pytest.fixture(scope="module")
def lipitor_repack():
    return read_label(LABELS / "lipitor-repack.xml")


def test_docstring_examples():
    result = doctest.testmod(spl_reactions, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0


def top_code(label, section_id):
    """The LOINC code of the top-level section that holds a section."""
    by_id = {s.section_id: s for s in label.sections}
    section = by_id[section_id]
    while section.parent_id is not None:
        section = by_id[section.parent_id]
    return section.code.code


def ignored(label, read):
    """(table line, table ID, code of its top-level section) of every table of the label that was not read."""
    kept = {t.line for t in read}
    return [(t.line, t.table_id, top_code(label, s.section_id))
            for s in label.sections for t in s.tables if t.line not in kept]


# ---------------------------------------------------------------------------------------------------- humira.xml
# line 1833: <td colspan="3">*  Laboratory test abnormalities ...<br/>** Does not include ...</td>, a note row
LAB = "* Laboratory test abnormalities were reported as adverse reactions in European trials"
INJECTION = "** Does not include injection site erythema, itching, hemorrhage, pain or swelling"


def test_humira_table_1(humira):
    read, problems = read_reactions(humira)
    assert problems == []
    [table] = read
    # line 1643: <section ID="section_6.1">, id cabfc420-..., code 34084-4, "6.1 Clinical Trials Experience"
    # line 1702: <table ID="t56551338">, a <tbody> only; line 1703: its caption
    assert (table.section_id, table.section_title, table.table_id, table.line) == (
        "cabfc420-c38a-d009-79ab-4a90ca2914c1", "6.1 Clinical Trials Experience", "t56551338", 1702)
    assert table.caption == ("Table 1. Adverse Reactions Reported by ≥5% of Patients Treated with HUMIRA During "
                             "Placebo-Controlled Period of Pooled RA Studies (Studies RA-I, RA-II, RA-III, and RA-IV)")
    # lines 1707-1708: "HUMIRA<br/>40 mg subcutaneous<br/>Every Other Week", "Placebo"; lines 1712-1713: "(N=705)",
    # "(N=690)"
    assert table.arms == (Arm("HUMIRA 40 mg subcutaneous Every Other Week", 705, ()), Arm("Placebo", 690, ()))
    assert len(table.rows) == 17
    assert table.rows[:3] == (
        # line 1721: category "Respiratory" (line 1716, "Adverse Reaction (Preferred Term)", is superseded by it)
        # <tr> lines 1726, 1731, 1736; cells on 1727-1729, 1732-1734, 1737-1739
        ReactionRow("Upper respiratory infection", "Respiratory", ((0, "17"), (1, "13")), (), 1726),
        ReactionRow("Sinusitis", "Respiratory", ((0, "11"), (1, "9")), (), 1731),
        ReactionRow("Flu syndrome", "Respiratory", ((0, "7"), (1, "6")), (), 1736),
    )
    # line 1792: category "Other"; <tr> 1827, cells 1828-1830
    assert table.rows[-1] == ReactionRow("Hypertension", "Other", ((0, "5"), (1, "3")), (), 1827)
    # every row on its own <tr>: 17 distinct lines inside the table, none the table's
    assert len({r.line for r in table.rows}) == 17 and all(1702 < r.line < 1833 for r in table.rows)


def test_humira_categories_and_footnotes(humira):
    [table] = read_reactions(humira)[0]
    assert [(r.reaction, r.category) for r in table.rows] == [
        ("Upper respiratory infection", "Respiratory"), ("Sinusitis", "Respiratory"),  # 1721 category
        ("Flu syndrome", "Respiratory"),
        ("Nausea", "Gastrointestinal"), ("Abdominal pain", "Gastrointestinal"),  # 1743 category
        ("Laboratory test abnormal", "Laboratory Tests"), ("Hypercholesterolemia", "Laboratory Tests"),  # 1760
        ("Hyperlipidemia", "Laboratory Tests"), ("Hematuria", "Laboratory Tests"),
        ("Alkaline phosphatase increased", "Laboratory Tests"),
        ("Headache", "Other"), ("Rash", "Other"), ("Accidental injury", "Other"),  # 1792 category
        ("Injection site reaction", "Other"), ("Back pain", "Other"), ("Urinary tract infection", "Other"),
        ("Hypertension", "Other"),
    ]
    # line 1760: "Laboratory Tests*": the * note (line 1833) goes with the five rows of that category;
    # line 1813: "Injection site reaction **": the ** note with that row only
    assert {r.reaction: r.footnotes for r in table.rows if r.footnotes} == {
        "Laboratory test abnormal": (LAB,), "Hypercholesterolemia": (LAB,), "Hyperlipidemia": (LAB,),
        "Hematuria": (LAB,), "Alkaline phosphatase increased": (LAB,), "Injection site reaction": (INJECTION,)}
    # rates: 2 arms x 17 rows, every one stated with %; line 1814-1815: "8%", "1%"
    assert sum(len(r.rates) for r in table.rows) == 34
    assert table.rows[13].rates == ((0, "8"), (1, "1"))


def test_humira_other_tables_are_ignored(humira):
    read, problems = read_reactions(humira)
    assert problems == []
    assert ignored(humira, read) == [
        (1225, "t20651338", "34068-7"),  # in 2.2 (line 1219) under 2 DOSAGE AND ADMINISTRATION (line 1153)
        # in 14.1 .. 14.7 (lines 2177, 2733, 2924, 3081, 3239, 3332) under 14 CLINICAL STUDIES (line 2171)
        (2194, "L8cd4f77d-82ad-4f8f-a1ab-9dc83f85fcf2", "34092-7"),
        (2333, "L2404ad55-33a7-4976-9054-79bad03313b8", "34092-7"),
        (2495, "L5ee9ab05-d549-44b2-afcd-aff3f04e16a2", "34092-7"),
        (2575, "L6fcc2adb-4778-4006-9205-92bf796d90f7", "34092-7"),
        (2620, "Lf10be5a3-9a80-4e5b-b7f1-3169d6b71169", "34092-7"),
        (2742, "La8d562cd-84e8-4fb7-88c3-c30db324869f", "34092-7"),
        (2783, "L806955ef-6ecc-49bf-b476-d819b9980e50", "34092-7"),
        (2873, "t189821338", "34092-7"),
        (2938, "L5a31bc85-0fd7-44bf-aa0a-661e54de15bf", "34092-7"),
        (3096, "Lbfcb5f4e-db7b-461f-9d47-f5c8b3aa9e56", "34092-7"),
        (3171, "L1468b0d0-fada-4fc3-94c1-13230d52316a", "34092-7"),
        (3250, "table13", "34092-7"),
        (3342, "Table15", "34092-7"),
        (3370, "Table16", "34092-7"),
        (3594, "t49166133", "42231-1"),  # the Medication Guide (line 3563), inside a list item
        (3749, "t49166124", "42231-1"),
    ]
    # 6 ADVERSE REACTIONS (line 1617) and 6.2 Postmarketing Experience (line 1910) are coded 34084-4 but hold
    # no table
    assert [len(s.tables) for s in humira.sections if s.code and s.code.code == "34084-4"] == [0, 1, 0]


# ---------------------------------------------------------------------------------------------- lipitor-orig.xml
LIPITOR_ARMS = (Arm("Any dose", 8755, ()), Arm("10 mg", 3908, ()), Arm("20 mg", 188, ()), Arm("40 mg", 604, ()),
                Arm("80 mg", 4055, ()), Arm("Placebo", 7311, ()))
NOTE_1 = "[1] Adverse Reaction ≥ 2% in any dose greater than placebo"  # the <footnote> in the reaction column's <th>


def lipitor_rows(*lines):
    """The first three and the last row of LIPITOR's Table 2: the same in both labels but for their <tr>
    lines."""
    first, second, third, last = lines
    return (
        ReactionRow("Nasopharyngitis", None, ((0, "8.3"), (1, "12.9"), (2, "5.3"), (3, "7.0"), (4, "4.2"),
                                              (5, "8.2")), (NOTE_1,), first),
        ReactionRow("Arthralgia", None, ((0, "6.9"), (1, "8.9"), (2, "11.7"), (3, "10.6"), (4, "4.3"),
                                         (5, "6.5")), (NOTE_1,), second),
        ReactionRow("Diarrhea", None, ((0, "6.8"), (1, "7.3"), (2, "6.4"), (3, "14.1"), (4, "5.2"),
                                       (5, "6.3")), (NOTE_1,), third),
        ReactionRow("Pharyngolaryngeal pain", None, ((0, "2.3"), (1, "3.9"), (2, "1.6"), (3, "2.8"), (4, "0.7"),
                                                     (5, "2.1")), (NOTE_1,), last),
    )


LIPITOR_CAPTION = ("Table 2. Clinical adverse reactions occurring in ≥ 2% in patents treated with any dose of LIPITOR "
                   "and at an incidence greater than placebo regardless of causality (% of patients).")


def test_lipitor_orig_table_2(lipitor_orig):
    read, problems = read_reactions(lipitor_orig)
    assert problems == []
    [table] = read
    # line 2016: <section ID="S6.1">, id 4fe172b5-..., code 42229-5 (unclassified), under 6 ADVERSE REACTIONS
    # (line 1989, code 34084-4); line 2025: <table ID="table2">; line 2026: the caption
    assert (table.section_id, table.section_title, table.table_id, table.line, table.caption) == (
        "4fe172b5-8d21-45ab-be1d-364910335be2", "6.1 Clinical Trial Adverse Experiences", "table2", 2025,
        LIPITOR_CAPTION)
    # lines 2038-2043: <th>Any dose<br/>N=8755 </th> ... <th>Placebo<br/>N=7311</th>
    assert table.arms == LIPITOR_ARMS
    assert len(table.rows) == 12
    # <tr> lines 2047, 2056, 2065 (cells 2048-2054, 2057-2063, 2066-2072); 2146 (cells 2147-2153). Bare
    # numbers: the caption states "(% of patients)"; "7.0" stays "7.0"
    first, second, third, last = lipitor_rows(2047, 2056, 2065, 2146)
    assert table.rows[:3] == (first, second, third)
    assert table.rows[-1] == last
    assert all(r.footnotes == (NOTE_1,) and r.category is None for r in table.rows)
    assert sum(len(r.rates) for r in table.rows) == 72


def test_lipitor_orig_other_tables_are_ignored(lipitor_orig):
    read, _ = read_reactions(lipitor_orig)
    assert ignored(lipitor_orig, read) == [
        (1891, "table1", "43685-7"),  # in 5.1 Skeletal Muscle (line 1869) under 5 WARNINGS AND PRECAUTIONS (1852)
        (2831, "table3", "34090-1"),  # untitled sections (2823, 2752) under 12.3 under 12 CLINICAL PHARMACOLOGY
        (3013, "table4", "34090-1"),  # (line 2660)
        (3148, "table5", "34092-7"),  # 14.1 .. 14.6 (lines 3113, 3369, 3630, 3702, 3770) under 14 CLINICAL
        (3377, "table6", "34092-7"),  # STUDIES (line 3107)
        (3455, "table7", "34092-7"),
        (3636, "table8", "34092-7"),
        (3708, "table9", "34092-7"),
        (3777, "table10", "34092-7"),
    ]
    # The <table>s at lines 1565 (RECENT MAJOR CHANGES) and 2288 (7 DRUG INTERACTIONS) are in Highlights
    # excerpts, which the reader does not give as tables: they never reach the rule.
    assert {t.line for s in lipitor_orig.sections for t in s.tables}.isdisjoint({1565, 2288})


# -------------------------------------------------------------------------------------------- lipitor-repack.xml
def test_lipitor_repack_table_2(lipitor_repack):
    read, problems = read_reactions(lipitor_repack)
    assert problems == []
    [table] = read
    # line 676: <section ID="S6.1">, the originator's section id, under 6 ADVERSE REACTIONS (line 649, 34084-4);
    # line 685: <table ID="table2">, the same table as the originator's
    assert (table.section_id, table.section_title, table.table_id, table.line, table.caption) == (
        "4fe172b5-8d21-45ab-be1d-364910335be2", "6.1 Clinical Trial Adverse Experiences", "table2", 685,
        LIPITOR_CAPTION)
    assert table.arms == LIPITOR_ARMS  # lines 698-703
    assert len(table.rows) == 12
    # <tr> lines 707, 716, 725 (cells 708-714, 717-723, 726-732); 806 (cells 807-813)
    first, second, third, last = lipitor_rows(707, 716, 725, 806)
    assert table.rows[:3] == (first, second, third)
    assert table.rows[-1] == last
    assert all(r.footnotes == (NOTE_1,) for r in table.rows)  # line 696: the <footnote> in the first <th>


def test_lipitor_repack_other_tables_are_ignored(lipitor_repack):
    read, _ = read_reactions(lipitor_repack)
    assert ignored(lipitor_repack, read) == [
        (551, "table1", "43685-7"),  # 5.1 (line 534) under 5 WARNINGS AND PRECAUTIONS (line 517)
        (1502, "table3", "34090-1"),  # under 12 CLINICAL PHARMACOLOGY (line 1331)
        (1678, "table4", "34090-1"),
        (1813, "table5", "34092-7"),  # under 14 CLINICAL STUDIES (line 1772)
        (2042, "table6", "34092-7"),
        (2120, "table7", "34092-7"),
        (2301, "table8", "34092-7"),
        (2373, "table9", "34092-7"),
        (2442, "table10", "34092-7"),
    ]


def test_labels_without_adverse_reaction_tables():
    # cough.xml: an OTC label, no 34084-4 section (its one table, line 372, is in "Directions");
    # no-title.xml: ADVERSE REACTIONS (line 391) holds no table; the indexing file has no sections with text
    for name in ("cough.xml", "no-title.xml", "methoxsalen-pharmacologic-class.xml"):
        assert read_reactions(read_label(LABELS / name)) == ([], [])


# ------------------------------------------------------------------------------------- small tables (records)
HEADER = ("", "Drug (N=100)", "Placebo (N=98)")


def table(*rows, caption="Table 1. Adverse reactions", header=(HEADER,), footnotes=(), table_id="t1"):
    return Table(table_id, caption, header, tuple(rows), (), footnotes, 7)


def refusal(t: Table) -> str:
    result = read_table(t, "s1", "6.1 Clinical Trials Experience")
    assert isinstance(result, TableProblem), result
    assert (result.section_id, result.line) == ("s1", 7)
    return result.reason


@pytest.mark.parametrize("cell", ["<1", "12 (1.7%)", "", "-", "—", "NR", "12*", "<1%", ".5"])
def test_a_cell_that_is_not_a_rate_refuses_the_whole_table(cell):
    t = table(("Headache", "12%", "7%"), ("Sinusitis", "11%", cell), ("Nausea", "9%", "8%"))
    assert refusal(t) == f"row 'Sinusitis' has a cell that is not a rate: {cell!r}"


def test_a_bad_cell_in_the_first_row_is_not_taken_for_a_header():
    # without the value check, ('Headache', '12%', '<1') above the first row of rates would be a header row and
    # the arms would be named "Drug (N=100) 12%"
    t = table(("Headache", "12%", "<1"), ("Nausea", "9%", "8%"))
    assert refusal(t) == "row 'Headache' has a cell that is not a rate: '<1'"


def test_n_and_percent_cells_leave_no_row_to_read():
    t = table(("Headache", "12 (12%)", "7 (7.1%)"), ("Nausea", "9 (9%)", "8 (8.2%)"))
    assert refusal(t) == "row 'Headache' has a cell that is not a rate: '12 (12%)'"


def test_a_table_with_no_arm_header_is_refused():
    t = table(("Headache", "12%", "7%"), ("Nausea", "9%", "8%"), header=())
    assert refusal(t) == "no header row names the arms above the first row of rates 'Headache'"
    above = table(("Nervous system", "", ""), ("Headache", "12%", "7%"), header=())
    assert refusal(above) == "no header row names the arms above the first row of rates 'Headache'"


def test_a_category_row_is_a_category_not_a_reaction():
    # an empty-armed row and a row of one text across every column (a colspan the reader repeated) are categories
    t = table(("Nervous system", "", ""), ("Headache", "12%", "7%"), ("Dizziness", "3%", "2%"),
              ("Gastrointestinal", "Gastrointestinal", "Gastrointestinal"), ("Nausea", "9%", "8%"))
    read = read_table(t, "s1")
    assert [(r.reaction, r.category) for r in read.rows] == [
        ("Headache", "Nervous system"), ("Dizziness", "Nervous system"), ("Nausea", "Gastrointestinal")]
    assert read.arms == (Arm("Drug", 100, ()), Arm("Placebo", 98, ()))


def test_a_category_with_no_rows_under_it_is_refused():
    t = table(("Headache", "12%", "7%"), ("Other", "", ""))
    assert refusal(t) == "the category row 'Other' has no reaction rows under it"
    t = table(("Headache", "12%", "7%"), ("Body as a whole", "", ""), ("Other", "", ""), ("Rash", "2%", "1%"))
    assert refusal(t) == "the category row 'Body as a whole' has no reaction rows under it"


def test_a_header_below_a_category_is_refused():
    t = table(("Respiratory", "", ""), ("", "Week 12", "Week 12 "), ("Cough", "5%", "3%"))
    assert refusal(t) == ("the header row ' | Week 12 | Week 12' follows the category row 'Respiratory': the rule "
                          "reads a header only as one block above the categories")


def test_a_marker_without_a_note_is_refused():
    t = table(("Rash*", "12%", "7%"))
    assert refusal(t) == "the marker '*' in 'Rash*' points to no footnote"


def test_bare_numbers_need_the_table_to_say_they_are_percents():
    # "≥ 2%" is a threshold, not a unit: only a % or "percent" that does not follow a number declares one
    t = table(("Headache", "12", "7"), caption="Table 1. Adverse reactions in ≥ 2% of patients")
    assert refusal(t) == ("the rates are bare numbers and neither the caption nor a header cell says they are "
                          "percents")
    assert read_table(table(("Headache", "12", "7"), caption="Table 1 (Percent of patients)"), "s1").rows[0].rates \
        == ((0, "12"), (1, "7"))
    header = ("Adverse reaction", "Drug (%) N=100", "Placebo (%) N=98")
    assert read_table(table(("Headache", "12", "7"), header=(header,)), "s1").arms == (
        Arm("Drug (%)", 100, ()), Arm("Placebo (%)", 98, ()))
    mixed = table(("Headache", "12%", "7"), caption="Table 1 (% of patients)")
    assert refusal(mixed) == "some rates carry % and others do not ('12%' in row 'Headache', '7' in row 'Headache')"


def test_arm_headers_the_rule_cannot_split_are_refused():
    assert refusal(table(("Headache", "12%", "7%"), header=(("", "Drug (N=100) week 12", "Placebo"),))) == (
        "the header of arm column 2 states N= but not at its end: 'Drug (N=100) week 12'")
    assert refusal(table(("Headache", "12%", "7%"), header=(("", "(N=100)", "Placebo"),))) == (
        "arm column 2 has no name in the header (it states '(N=100)')")
    assert refusal(table(("Headache", "12%", "7%"), header=(("", "Placebo", "Placebo"),))) == (
        "two arm columns are both named 'Placebo'")


def test_shapes_the_rule_does_not_read():
    assert refusal(table(header=())) == "the table has no rows"
    assert refusal(Table("t1", "", (("Reaction",),), (("Headache",),), (), (), 7)) == (
        "the table has 1 column; the rule needs a reaction column and at least one arm column")
    assert refusal(table(("Headache", "12%"))) == (
        "row 2 has 2 cells and row 1 has 3: the rule reads only rectangular tables")
    assert refusal(table(("", "12%", "7%"))) == "a row of rates has no reaction in its first cell (rates '12% | 7%')"


def test_each_row_keeps_its_own_line_when_note_and_blank_rows_are_dropped():
    # lines as the reader gives them: header 10; body 11 (a note row), 12 (blank), 13, 14 (a category), 15
    note = ("* Includes dizziness",) * 3
    body = (note, ("", "", ""), ("Headache*", "12%", "7%"), ("Nervous system", "", ""),
            ("Dizziness", "3%", "2%"))
    t = Table("t1", "Table 1", (HEADER,), body, (), (), 7, (10,), (11, 12, 13, 14, 15))
    assert [(r.reaction, r.category, r.line) for r in read_table(t, "s1").rows] == [
        ("Headache", None, 13), ("Dizziness", "Nervous system", 15)]
    # a table built by hand without row lines: every row cites the table's line
    by_hand = read_table(table(("Headache", "12%", "7%"), ("Nausea", "9%", "8%")), "s1")
    assert [r.line for r in by_hand.rows] == [7, 7]
    with pytest.raises(ValueError, match="5 rows in a group but 4 row lines"):
        read_table(Table("t1", "Table 1", (HEADER,), body, (), (), 7, (10,), (11, 12, 13, 14)), "s1")


def test_a_problem_names_the_table_by_id_else_caption_else_position():
    bad = ("Headache", "<1", "7%")
    assert read_table(table(bad), "s1").table == "t1"
    assert read_table(table(bad, table_id=None), "s1").table == "Table 1. Adverse reactions"
    assert read_table(table(bad, table_id=None, caption=""), "s1", position=3).table == "table 3"
    problem = read_table(table(bad), "s1")
    assert problem.message("labels/x.xml") == (
        "labels/x.xml:7: adverse-reaction table 't1' in section s1 was not read: row 'Headache' has a cell that is "
        "not a rate: '<1' (its rows are left out; fix the table or read it by hand)")


# ------------------------------------------------------------------------------------- small SPL files (reader)
def spl(tmp_path, body: str):
    path = tmp_path / "label.xml"
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<document xmlns="urn:hl7-org:v3"><id root="d1"/>'
        '<code code="34391-3" codeSystem="2.16.840.1.113883.6.1"/><effectiveTime value="20240131"/>'
        '<setId root="s1"/><versionNumber value="1"/>\n'
        f'<component><structuredBody>{body}</structuredBody></component></document>\n', encoding="utf-8")
    return read_label(path)


def section(sid: str, code: str, title: str, text: str = "", sub: str = "",
            system: str = "2.16.840.1.113883.6.1") -> str:
    return (f'<component><section><id root="{sid}"/><code code="{code}" codeSystem="{system}"/>'
            f'<title>{title}</title><text>{text}</text>{sub}</section></component>\n')


COLSPAN_TABLE = """<table ID="ar1"><caption>Table 1. Adverse reactions</caption>
<thead>
<tr><th rowspan="2">Adverse Reaction</th><th colspan="2">Drug X</th><th rowspan="2">Placebo<br/>(N=1,204)</th></tr>
<tr><th>10 mg (n=301)</th><th>20 mg (n=298)</th></tr>
</thead>
<tfoot><tr><td colspan="4">† Includes vomiting</td></tr></tfoot>
<tbody>
<tr><td>Rash<footnote ID="fn1">Includes  erythematous rash</footnote></td><td>5.5%</td><td>6%</td><td>3%</td></tr>
<tr><td>Pruritus<footnoteRef IDREF="fn1"/></td><td>2%</td><td>2.0%</td><td>1%</td></tr>
<tr><td>Nausea \u2020</td><td>0.5%</td><td>1%</td><td>0%</td></tr>
</tbody></table>"""


def test_colspan_and_rowspan_in_the_header_and_footnote_markers_on_reactions(tmp_path):
    label = spl(tmp_path, section("ar", "34084-4", "6 ADVERSE REACTIONS", sub=section(
        "ar1", "42229-5", "6.1 Clinical Trials Experience", COLSPAN_TABLE)))
    [read], problems = read_reactions(label)
    assert problems == []
    assert (read.section_id, read.section_title, read.table_id) == ("ar1", "6.1 Clinical Trials Experience", "ar1")
    # "Drug X" spans two columns and names both; "Placebo" spans two rows and is one header cell, not two
    assert read.arms == (Arm("Drug X 10 mg", 301, ()), Arm("Drug X 20 mg", 298, ()), Arm("Placebo", 1204, ()))
    assert [(r.reaction, r.rates, r.footnotes) for r in read.rows] == [
        ("Rash", ((0, "5.5"), (1, "6"), (2, "3")), ("[1] Includes erythematous rash",)),
        ("Pruritus", ((0, "2"), (1, "2.0"), (2, "1")), ("[1] Includes erythematous rash",)),
        ("Nausea", ((0, "0.5"), (1, "1"), (2, "0")), ("† Includes vomiting",)),
    ]
    # each row's line is its own <tr>'s, though the <tfoot> note row before the <tbody> was dropped
    lines = Path(label.path).read_text(encoding="utf-8").splitlines()
    assert [r.line for r in read.rows] == [n for n, line in enumerate(lines, 1)
                                           if line.startswith("<tr><td>") and "%</td>" in line]
    assert len({r.line for r in read.rows}) == 3 and read.line not in {r.line for r in read.rows}


def test_only_tables_under_adverse_reactions_are_considered(tmp_path):
    readable = ('<table ID="{id}"><tbody><tr><td/><td>Drug</td><td>Placebo</td></tr>'
                '<tr><td>Headache</td><td>12%</td><td>7%</td></tr></tbody></table>')
    unreadable = ('<table><caption>Table 9. Rates</caption><tbody><tr><td/><td>Drug</td><td>Placebo</td></tr>'
                  '<tr><td>Headache</td><td>12%</td><td>&lt;1</td></tr></tbody></table>')
    label = spl(tmp_path, (
        section("dosing", "34068-7", "2 DOSAGE AND ADMINISTRATION", readable.format(id="elsewhere"))
        + section("ar", "34084-4", "6 ADVERSE REACTIONS", readable.format(id="top"), sub=(
            section("ar-1", "42229-5", "6.1 Clinical Trials", readable.format(id="nested") + unreadable)
            + section("ar-2", "34084-4", "6.2 Postmarketing", "", sub=section(
                "ar-2-1", "42229-5", "untitled", readable.format(id="deep")))))
        + section("other-system", "34084-4", "not LOINC", readable.format(id="not-loinc"), system="1.2.3")))
    read, problems = read_reactions(label)
    assert [(t.section_id, t.table_id) for t in read] == [("ar", "top"), ("ar-1", "nested"), ("ar-2-1", "deep")]
    assert [(p.section_id, p.table, p.reason) for p in problems] == [
        ("ar-1", "Table 9. Rates", "row 'Headache' has a cell that is not a rate: '<1'")]
    lines = Path(label.path).read_text(encoding="utf-8").splitlines()
    assert problems[0].line == next(n for n, line in enumerate(lines, 1) if "Table 9. Rates" in line) == 4
