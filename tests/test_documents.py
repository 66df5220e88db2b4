"""Curated documents are build input (issue "Every citation checked against its document", items 1 and 2): each
document record names its file and SHA-256, and the build checks the file and every section against the text.
Broken cases edit copies of data/ and of the seeds in a temporary folder; the shared seeds are never edited.
"""

from __future__ import annotations

import hashlib
import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from drugkg.build import compile_graph
from drugkg.cli import main
from drugkg.documents import check_label_files, numbers_written
from drugkg.errors import DataInvalid
from tests.conftest import DATA, LABELS, ONTOLOGY, SEEDS, select

MONOGRAPH = "hemgenix-monograph.txt"
EXPLAINER = "medfinder-how-hemgenix-works.txt"
SOURCES = "hemgenix/sources.yaml"


@pytest.fixture
def copies(tmp_path) -> tuple[Path, Path]:
    """A copy of data/ and of the seeds, to break."""
    data, documents = tmp_path / "data", tmp_path / "seeds"
    shutil.copytree(DATA, data)
    shutil.copytree(SEEDS, documents)
    return data, documents


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} must occur once in {path.name}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def errors_of(data: Path, documents: Path) -> list:
    with pytest.raises(DataInvalid) as caught:
        compile_graph(data, ONTOLOGY, documents=documents)
    return caught.value.errors


def test_the_seeds_match_their_records_and_every_section_gets_its_end(built):
    rows = select(built.store, """
        SELECT ?section ?start ?end WHERE { ?s a dkg:DocumentSection ; dkg:startLine ?start ; dkg:endLine ?end .
          BIND(STRAFTER(STR(?s), "https://w3id.org/drugkg/id/") AS ?section) }""")
    ends = {r["section"]: (int(r["start"]), int(r["end"])) for r in rows}
    assert len(ends) == 28  # 19 sections of the monograph, 9 of the explainer
    # read off hemgenix-monograph.txt: the next heading at the same level or above, less one
    assert ends["monograph/drug-overview"] == (1, 7)  # "What Is It and How Does It Work?" at line 8
    assert ends["monograph/primary-indication"] == (18, 19)  # "Other Approved & Off-Label Uses" at line 20
    assert ends["monograph/fda-approved-indications"] == (17, 24)  # "Dosage and Administration Protocols" at 25
    assert ends["monograph/safety-profile"] == (36, 49)  # "Research Areas" at 50, its children inside
    assert ends["monograph/legal-disclaimer"] == (70, 71)  # the document's last line (71, without a final line end)
    assert ends["medfinder-explainer/editorial-standards"] == (76, 98)  # medfinder-how-hemgenix-works.txt: 98 lines


def test_a_missing_document_names_the_record_and_every_claim_citing_it(copies):
    data, documents = copies
    (documents / EXPLAINER).unlink()
    errors = errors_of(data, documents)
    record = [e for e in errors if e.record == "medfinder-explainer"]
    assert [(e.file, e.line) for e in record] == [(str(data / SOURCES), 33)]
    assert record[0].message == f"{documents / EXPLAINER} does not exist"
    claims = [e for e in errors if e.record != "medfinder-explainer"]
    assert len(claims) == 80  # every record with source: medfinder-explainer#... (grep -c in data/hemgenix)
    assert all(e.message == f"cites medfinder-explainer, whose file does not exist" for e in claims)


def test_a_changed_document_is_refused_with_its_new_hash(copies):
    data, documents = copies
    with (documents / MONOGRAPH).open("a", encoding="utf-8") as file:
        file.write("one more line\n")
    digest = hashlib.sha256((documents / MONOGRAPH).read_bytes()).hexdigest()
    errors = errors_of(data, documents)
    (record,) = [e for e in errors if e.record == "monograph"]
    assert record.line == 5 and record.message == (
        f"{documents / MONOGRAPH} has sha256 {digest}, not the "
        "043a5ef149119db4312cc322d6880fa92347b5b8bd9334542520ff6447ca8909 its record states (it changed)")
    assert len(errors) > 1 and all("cites monograph, whose file has sha256" in e.message for e in errors
                                   if e.record != "monograph")


@pytest.mark.parametrize(
    ("old", "new", "line", "message"),
    [
        ("{id: legal-disclaimer, title: Legal Disclaimer, line: 70}",
         "{id: legal-disclaimer, title: Legal Disclaimer, line: 999999}", 26,
         f"section legal-disclaimer starts at line 999999, past the end of {MONOGRAPH} (71 lines)"),
        ("title: Primary Indication, line: 18,", "title: Primary Indication, line: 19,", 11,
         f"section primary-indication: line 19 of {MONOGRAPH} reads "
         f"{(SEEDS / MONOGRAPH).read_text(encoding='utf-8').splitlines()[18]!r}, not its title 'Primary Indication'"),
        ("{id: fda-approved-indications, title: FDA-Approved Clinical Indications, line: 17}",
         "{id: fda-approved-indications, title: FDA-Approved Clinical Indications, line: 17, parent: primary-indication}",
         10, "the parents of section fda-approved-indications form a cycle: fda-approved-indications -> "
            "primary-indication -> fda-approved-indications"),
        ("line: 37, parent: safety-profile}", "line: 37, parent: drug-overview}", 16,
         "section black-box-warning (line 37) is not inside its parent drug-overview (lines 1-7)"),
    ],
    ids=["line-past-the-end", "title-not-on-its-line", "section-cycle", "outside-its-parent"],
)
def test_a_section_that_does_not_fit_the_text_is_an_error(copies, old, new, line, message):
    data, documents = copies
    edit(data / SOURCES, old, new)
    errors = errors_of(data, documents)
    assert [(e.file, e.line, e.record, e.message) for e in errors] == [(str(data / SOURCES), line, "monograph", message)]


def test_the_documents_folder_is_an_option_and_a_missing_one_a_usage_error(tmp_path, capsys):
    code = main(["validate", "--no-labels", "--documents", str(tmp_path / "nowhere")])
    err = capsys.readouterr().err
    assert code == 2
    assert err.splitlines()[-1] == (f"drugkg: error: documents folder {tmp_path / 'nowhere'} does not exist; pass "
                                    "--documents DIR with the curated documents' files (by default ../shared/seeds "
                                    "beside the checkout)")


def test_a_sha256_that_is_not_a_hash_is_refused_before_any_file_is_read(copies):
    data, documents = copies
    edit(data / SOURCES, "sha256: 043a5ef149119db4312cc322d6880fa92347b5b8bd9334542520ff6447ca8909",
         "sha256: 043A5EF1")
    errors = errors_of(data, documents)
    assert [(e.line, e.message) for e in errors] == [(6, "sha256 '043A5EF1' is not 64 lowercase hexadecimal digits")]



# ---- item 3: claims cite lines

TRIALS = "hemgenix/trials.yaml"
PARTICIPANTS = "  - id: mono-hope-b-participants\n    source: monograph#clinical-efficacy\n    lines: 35\n"


def test_each_claim_names_its_lines_in_the_graph(built):
    rows = select(built.store, """
        SELECT ?line WHERE { <https://w3id.org/drugkg/id/mono-hope-b-participants> dkg:citedLine ?line }""")
    assert [int(r["line"]) for r in rows] == [35]  # "In the study, 54 participants received the single infusion."
    missing = select(built.store, """
        SELECT ?claim WHERE { ?claim prov:wasDerivedFrom/dcterms:isPartOf/dkg:fileName ?file .
          FILTER NOT EXISTS { ?claim dkg:citedLine ?line } FILTER(STRENDS(?file, ".txt")) }""")
    assert missing == []  # every curated claim cites lines (a label's claims cite their XML element instead)


def test_a_claim_line_outside_its_section_is_an_error(copies):
    data, documents = copies
    edit(data / TRIALS, PARTICIPANTS, PARTICIPANTS.replace("lines: 35", "lines: [35, 40]"))
    errors = errors_of(data, documents)
    assert [(e.file, e.line, e.record, e.message) for e in errors] == [
        (str(data / TRIALS), 34, "mono-hope-b-participants",
         "cites line 40, outside its section monograph#clinical-efficacy (lines 33-35)")]


def test_a_number_not_written_on_the_cited_lines_is_an_error_showing_them(copies):
    data, documents = copies
    edit(data / TRIALS, PARTICIPANTS, PARTICIPANTS.replace("lines: 35", "lines: 34"))
    line_34 = (documents / MONOGRAPH).read_text(encoding="utf-8").splitlines()[33].strip()
    errors = errors_of(data, documents)
    assert [(e.line, e.record, e.message) for e in errors] == [
        (34, "mono-hope-b-participants", f"states 54, which line 34 of monograph does not write (they read: 34: {line_34})")]
    assert errors[0].fix == "cite the lines that write the number, or correct the value"


def test_a_changed_number_is_an_error(copies):
    data, documents = copies
    edit(data / TRIALS, PARTICIPANTS + "    subject: hope-b\n    property: participantCount\n    value: 54\n",
         PARTICIPANTS + "    subject: hope-b\n    property: participantCount\n    value: 45\n")
    errors = errors_of(data, documents)
    assert [(e.record, e.message.split(",")[0]) for e in errors] == [("mono-hope-b-participants", "states 45")]


@pytest.mark.parametrize(("value", "message"), [
    ("0", "lines has 0, which is not a line number (1 or more) nor a range N-M with N <= M"),
    ("36-35", "lines has '36-35', which is not a line number (1 or more) nor a range N-M with N <= M"),
    ("[]", "lines is an empty list"),
    ("thirty-five", "lines has 'thirty-five', which is not a line number (1 or more) nor a range N-M with N <= M"),
])
def test_a_malformed_lines_field_is_refused(copies, value, message):
    data, documents = copies
    edit(data / TRIALS, PARTICIPANTS, PARTICIPANTS.replace("lines: 35", f"lines: {value}"))
    errors = errors_of(data, documents)
    assert [(e.line, e.message) for e in errors] == [(34, message)]


def test_a_claim_without_lines_is_refused(copies):
    data, documents = copies
    edit(data / TRIALS, PARTICIPANTS, PARTICIPANTS.replace("    lines: 35\n", ""))
    errors = errors_of(data, documents)
    assert [(e.line, e.message, e.fix) for e in errors] == [
        (32, "missing required field 'lines'",
         "add lines: N (or N-M, or a list): the lines of the cited section that state the fact")]


@pytest.mark.parametrize(("text", "numbers"), [
    ("2 x 10¹³ genome copies (gc) per kilogram", {2, 10, 13, 20_000_000_000_000}),
    ("a constant rate of 1.5 mL per minute", {1, Decimal("1.5")}),
    ("Six months after the single dose", {1, 6}),
    ("rose to an average of 39.0 IU/dL", {1, 39}),
    ("1,000 participants; 94% stopped", {1000, 94}),
    ("weekly for the first 3 months", {1, 3}),
    ("up to 15 years", {15}),
])
def test_numbers_are_read_in_the_forms_documents_write_them(text, numbers):
    assert numbers_written(text) == {Decimal(n) for n in numbers}


# ---- item 4: every line accounted for

EXPLAINER_BYLINE = "      - {lines: [4, 8, 10, 12], reason: byline}"


def test_an_unaccounted_line_is_an_error_naming_it(copies):
    data, documents = copies
    edit(data / SOURCES, EXPLAINER_BYLINE, "      - {lines: [4, 8, 10], reason: byline}")
    errors = errors_of(data, documents)
    line_12 = (documents / EXPLAINER).read_text(encoding="utf-8").splitlines()[11].strip()
    assert [(e.line, e.record, e.message) for e in errors] == [
        (33, "medfinder-explainer", f"line 12 of {EXPLAINER} (How Does Hemgenix Work? Mechanism of Action Explained "
         f"in Plain English) is not accounted for: {line_12!r}")]
    assert errors[0].fix.startswith("cite it from the claim it states")


@pytest.mark.parametrize(("entry", "message"), [
    ("      - {lines: [4, 8, 10, 12, 16], reason: byline}",
     "no_facts lists line 16 as byline, but mfx-intro-vector-aav5, mfx-intro-vector-not-pathogenic, "
     "mfx-intro-has-transgene, mfx-intro-transgene-f9, mfx-intro-targets-liver, mfx-class-gene-therapy cite it"),
    ("      - {lines: [4, 8, 10, 12, 99], reason: byline}",
     f"no_facts lists line 99, past the end of {EXPLAINER} (98 lines)"),
    ("      - {lines: [4, 8, 10, 12], reason: gossip}",
     "no_facts item 1: reason 'gossip' is not one of navigation, advertising, rating, byline, disclaimer, "
     "search-suggestions, layout"),
], ids=["cited-and-listed", "past-the-end", "unknown-reason"])
def test_a_wrong_no_facts_entry_is_an_error(copies, entry, message):
    data, documents = copies
    edit(data / SOURCES, EXPLAINER_BYLINE, entry)
    errors = errors_of(data, documents)
    assert [(e.record, e.message) for e in errors] == [("medfinder-explainer", message)]


def test_validate_coverage_prints_every_section_with_every_line_accounted_for(capsys):
    code = main(["validate", "--no-labels", "--coverage"])
    out = capsys.readouterr().out
    assert code == 0
    table = out[out.index("| document |"):].splitlines()
    assert len(table) == 2 + 19 + 1 + 10 + 1  # header; the monograph's sections, its total; the explainer's
    # read off the seeds: the monograph has 70 non-blank lines, 19 of them headings, 3 listed as no drug fact
    assert table[2] == "| monograph | 1-7 Drug Overview | 7 | 1 | 6 |  | 0 |"
    assert "| **monograph** | **all** | 70 | 19 | 48 | disclaimer: 1, layout: 2 | 0 |" in table
    # the explainer: 53 non-blank lines, 9 headings; its search box's suggestions (82, 84) state no drug fact
    assert ("| **medfinder-explainer** | **all** | 53 | 9 | 21 | advertising: 7, byline: 4, layout: 2, "
            "navigation: 6, rating: 2, search-suggestions: 2 | 0 |") in table
    assert all(row.endswith("| 0 |") for row in table[2:])  # nothing unaccounted


def test_the_shared_labels_are_the_files_their_manifest_lists():
    """data/labels.sha256 lists the shared labels as their README does, and every one of them is that file."""
    manifest = (DATA / "labels.sha256").read_text(encoding="utf-8")
    listed = dict(line.split("  ")[::-1] for line in manifest.splitlines() if line and not line.startswith("#"))
    readme = (LABELS / "README.md").read_text(encoding="utf-8")
    assert sorted(listed) == sorted(p.name for p in LABELS.glob("*.xml"))
    assert all(f"{digest}  {name}" in readme for name, digest in listed.items())
    assert check_label_files(LABELS, DATA / "labels.sha256") == []


def test_a_label_that_is_not_the_file_its_manifest_lists_is_refused(tmp_path):
    labels = tmp_path / "labels"
    labels.mkdir()
    for name in ("cough.xml", "no-title.xml"):
        shutil.copyfile(LABELS / name, labels / name)
    shutil.copyfile(DATA / "labels.sha256", labels / "SHA256SUMS")
    changed = labels / "cough.xml"
    changed.write_bytes(changed.read_bytes().replace(b"TRIAMINIC", b"TRIAMINIK", 1))
    digest = hashlib.sha256(changed.read_bytes()).hexdigest()
    with pytest.raises(DataInvalid) as caught:
        compile_graph(DATA, ONTOLOGY, labels=labels, documents=SEEDS)
    assert [(e.file, e.line, e.record, e.message) for e in caught.value.errors] == [
        (str(changed), 1, "cough.xml", f"has SHA-256 {digest}, not the "
         f"84412a4c5114d42e30e0043483f48aecf4bafb1101063c971704c23880fb2039 that {labels / 'SHA256SUMS'} (line 6) "
         "lists: the label is not the file published")]
