"""Bad input: every defect is reported as ``FILE:LINE: RECORD-ID: what is wrong (how to fix)``, and nothing is written.

Each test copies the synthetic dataset ``tests/fixtures/minimal`` into ``tmp_path``, puts ONE defect into ONE file
(on a line marked ``# <- defect``, so the expected line number is read from the text we wrote, never guessed), keeps
a previous output folder ``dist/`` holding a sentinel file, runs ``drugkg build`` in-process and checks:

* the exit code (1 invalid data, 2 usage error);
* the exact error line(s), with the path as the tool shows it (relative to the working directory, see
  ``drugkg.reader.display_path``: the tests chdir into ``tmp_path`` and pass relative paths);
* that ``dist/`` is untouched, no export was written and no temporary ``.dist-*`` folder is left behind;
* the last stderr line: the number of errors and that nothing was written.

The data folder is deliberately called ``curated`` (not ``data``), so that a message that prints a hard-coded
``data`` instead of the folder the user passed is caught.
"""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

from drugkg.cli import main

REPO = Path(__file__).resolve().parents[1]
FIXTURE = REPO / "tests" / "fixtures" / "minimal"
DOCUMENTS = REPO / "tests" / "fixtures" / "minimal-documents"  # the synthetic document the fixture's claims cite
ONTOLOGY = REPO / "ontology" / "drugkg.ttl"
DATA = "curated"
SENTINEL = "output of a previous successful build\n"
MARK = "# <- defect"
DATE_FIX = 'write a date as "YYYY", "YYYY-MM" or "YYYY-MM-DD"'
BASE_FIX = "give an absolute http or https IRI ending in '/' or '#', e.g. https://example.org/id/"


# ----------------------------------------------------------------------------------------------------- helpers


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """tmp_path holding a copy of the minimal dataset (``curated/``) and a previous build (``dist/``); cwd is tmp_path."""
    shutil.copytree(FIXTURE, tmp_path / DATA)
    dist = tmp_path / "dist"
    dist.mkdir()
    (dist / "sentinel.txt").write_text(SENTINEL, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def yaml_text(body: str) -> str:
    """A data file: a comment saying it is synthetic, then ``body`` (dedented)."""
    return "# SYNTHETIC TEST DATA written by tests/test_bad_input.py: not real drug facts.\n" + textwrap.dedent(body)


def marked_line(text: str, marker: str = MARK) -> int:
    """The 1-based line of ``text`` that carries ``marker`` (exactly one line must)."""
    hits = [number for number, line in enumerate(text.splitlines(), start=1) if marker in line]
    assert len(hits) == 1, f"{marker!r} must mark exactly one line, found {hits}"
    return hits[0]


def edit(root: Path, relpath: str, old: str, new: str) -> str:
    """Replace the single occurrence of ``old`` in a fixture file by ``new``; return the new text."""
    path = root / DATA / relpath
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} must occur once in {relpath}"
    text = text.replace(old, new)
    path.write_text(text, encoding="utf-8")
    return text


def build(*extra: str, data: str = DATA) -> int:
    return main(["build", "--data", data, "--out", "dist", "--ontology", str(ONTOLOGY), "--documents", str(DOCUMENTS),
                 "--no-labels", *extra])


def assert_nothing_written(root: Path, inputs: tuple[str, ...] = ()) -> None:
    """The previous output is intact, no export was written, and no temporary folder is left behind (``inputs``: the
    other files or folders the test itself put into ``root``)."""
    dist = root / "dist"
    assert sorted(p.name for p in dist.iterdir()) == ["sentinel.txt"]
    assert (dist / "sentinel.txt").read_text(encoding="utf-8") == SENTINEL
    assert not list(root.glob(".dist-building-*"))
    assert not list(root.glob(".dist-old-*"))
    assert sorted(p.name for p in root.iterdir()) == sorted([DATA, "dist", *inputs])


def assert_data_errors(root: Path, rc: int, captured, expected: list[str]) -> None:
    """Exit 1, exactly the ``expected`` error lines in this order, the summary last, and nothing written."""
    lines = captured.err.splitlines()
    errors = [line for line in lines if not line.startswith("drugkg: ")]
    assert errors == expected
    assert lines[-1] == f"drugkg: {len(expected)} error(s); nothing was written."
    assert rc == 1
    assert captured.out == ""
    assert_nothing_written(root)


# ----------------------------------------------------------------------------------------------------- sanity


def test_minimal_fixture_builds(workspace: Path, capsys: pytest.CaptureFixture) -> None:
    """The unmodified fixture is valid, so every error in the tests below comes from the one defect put in."""
    rc = build()
    captured = capsys.readouterr()
    assert rc == 0, captured.err
    assert [line for line in captured.err.splitlines() if not line.startswith("drugkg: ")] == []
    names = {p.name for p in (workspace / "dist").iterdir()}
    assert "sentinel.txt" not in names  # the previous output was replaced
    assert {"drugkg.ttl", "drugkg.nt", "void.ttl"} <= names
    assert sorted(p.name for p in workspace.iterdir()) == sorted([DATA, ".dist-versions", "dist"])


# ----------------------------------------------------------------------------------------------------- one defect in a new file


REGIMEN = """\
    dosage-regimen:
      - id: test-x
        source: test-label#dosing
        lines: 11
        drug: testamab
        dose: {QUANTITY}  # <- defect
        frequency: test-every-two-weeks
        route: test-iv-infusion
"""

NEW_FILE_CASES = [
    pytest.param(
        """\
        entity:
          - id: test-x
            type: AAVGeneTherapy  # <- defect
            label: x
        """,
        "test-x: type 'AAVGeneTherapy' is a defined class: the reasoner infers its members "
        "(give the entity's own class and the properties the definition names instead)",
        id="entity-typed-with-a-defined-class",
    ),
    pytest.param(
        """\
        entity:
          - id: test-x
            type: Disease
            label: x: y  # <- defect
        """,
        "-: YAML syntax error: mapping values are not allowed in this context (fix the YAML syntax at this line)",
        id="yaml-syntax-error",
    ),
    pytest.param(
        """\
        entity:
          - id: test-x
            type: Disease
            label: first label
            label: second label  # <- defect
        """,
        "test-x: duplicate key 'label' (keep only one; merge the two values)",
        id="duplicate-key-in-record",
    ),
    pytest.param(
        """\
        entity:
          - id: testamab  # <- defect
            type: DrugProduct
            label: Testamab again
        """,
        f"testamab: duplicate id (first declared at {DATA}/entities.yaml:4) (give each record its own id)",
        id="duplicate-id-across-files",
    ),
    pytest.param(
        """\
        entity:
          - id: test-x
            type: Disease
            label: another invented disease
            colour: red  # <- defect
        """,
        "test-x: unknown field 'colour' (remove it, or use one of: alt_labels, description, id, iri, label, type, xrefs)",
        id="unknown-field",
    ),
    pytest.param(
        """\
        entities:  # <- defect
          - id: test-x
            type: Disease
            label: another invented disease
        """,
        "-: unknown record kind 'entities' (use one of: dataset, adverse-event, ae-management, alternative, approval, "
        "attribute, document, dosage-regimen, dose-adjustment, effectiveness-factor, entity, indication, non-indication, "
        "patient-guidance, research-area, test-requirement, trial-outcome, unit)",
        id="unknown-record-kind",
    ),
    pytest.param(
        """\
        indication:
          - id: test-x
            source: test-label#indications
            lines: 3
            drug: testamab
            disease: no-such-disease  # <- defect
            population: test-adults
        """,
        "test-x: disease refers to undeclared id 'no-such-disease' (declare 'no-such-disease' as a Disease, or fix the spelling)",
        id="undeclared-entity",
    ),
    pytest.param(
        """\
        indication:
          - id: test-x
            source: test-label#indications
            lines: 3
            drug: testamab
            disease: test-adults  # <- defect
            population: test-adults
        """,
        "test-x: disease must refer to a Disease, but 'test-adults' is a Population (refer to a Disease)",
        id="entity-of-wrong-type",
    ),
    pytest.param(
        """\
        indication:
          - id: test-x  # <- defect (no source in this record)
            drug: testamab
            disease: test-disease
            population: test-adults
        """,
        "test-x: missing required field 'source' (add source: DOC#SECTION naming where the fact is stated, and lines: N)",
        id="claim-without-source",
    ),
    pytest.param(
        """\
        indication:
          - id: test-x
            source: test-label#no-such-section  # <- defect
            lines: 3
            drug: testamab
            disease: test-disease
            population: test-adults
        """,
        "test-x: source names unknown section 'no-such-section' of 'test-label' (use one of: dosing, indications)",
        id="source-unknown-section",
    ),
    pytest.param(
        """\
        research-area:
          - id: test-x
            source: test-label#indications
            lines: 3
            drug: testamab
            topic: an invented research topic
            status: investigational
            period_start: "2022-13-01"  # <- defect
        """,
        f"test-x: period_start bad date: '2022-13-01' is not a calendar date ({DATE_FIX})",
        id="bad-date-field",
    ),
    pytest.param(
        # periodStart is documented as "value (date)"; a month 13 must be refused here too, not published as text.
        """\
        attribute:
          - id: test-x
            source: test-label#indications
            lines: 3
            subject: test-trial
            property: periodStart
            value: "2022-13-01"  # <- defect
        """,
        f"test-x: value bad date: '2022-13-01' is not a calendar date ({DATE_FIX})",
        id="bad-date-attribute-periodStart",
    ),
    pytest.param(
        REGIMEN.replace("{QUANTITY}", "{value: lots, unit: milligram-per-kg}"),
        "test-x: dose value: 'lots' is not a number (write a plain number such as 1.5 or 20000000000000)",
        id="quantity-bad-number",
    ),
    pytest.param(
        """\
        dosage-regimen:
          - id: test-x
            source: test-label#dosing
            lines: 11
            drug: testamab
            dose:
              value: lots  # <- defect
              unit: milligram-per-kg
            frequency: test-every-two-weeks
            route: test-iv-infusion
        """,
        "test-x: dose value: 'lots' is not a number (write a plain number such as 1.5 or 20000000000000)",
        id="quantity-bad-number-block-style",
    ),
    pytest.param(
        REGIMEN.replace("{QUANTITY}", "{value: 5, unit: furlong}"),
        "test-x: dose has an unknown unit 'furlong' (use one of milligram-per-kg, percent, week, or declare it under unit: with its UCUM code)",
        id="quantity-unknown-unit",
    ),
    pytest.param(
        REGIMEN.replace("{QUANTITY}", "{value: 5}"),
        "test-x: dose has no unit (add unit: a unit id declared under unit:)",
        id="quantity-without-unit",
    ),
    pytest.param(
        """\
        entity:
          - id: test-x
            type: Disease
            label: another invented disease
            xrefs:
              - id: MONDO:123  # <- defect (malformed on purpose; test-only)
                confidence: verified
                seen: test-only identifier, seen nowhere
        """,
        "test-x: xrefs[0]: 'MONDO:123' is not a well-formed MONDO identifier: the local part must match \\d{7}, "
        "for example MONDO:0000000 (copy it from ../shared/identifiers.md, the verified list beside the checkout)",
        id="identifier-wrong-format",
    ),
    pytest.param(
        """\
        entity:
          - id: test-x
            type: Disease
            label: another invented disease
            iri: MONDO:0000001  # <- defect (test-only identifier; no xrefs back it)
        """,
        "test-x: iri MONDO:0000001 is not among this entity's verified exact xrefs "
        "(add {id: MONDO:0000001, confidence: verified, seen: ...} to xrefs)",
        id="iri-not-a-verified-xref",
    ),
    pytest.param(
        """\
        attribute:
          - id: test-x
            source: test-label#indications
            lines: 3
            subject: testamab
            property: colour  # <- defect
            value: red
        """,
        "test-x: 'colour' is not an attribute property of the ontology (use one of: "
        "activeMoiety, ageRange, aminoAcidChange, applicationNumber, biologicalRole, brandName, "
        "causedByVariantIn, codonOptimized, contains, deaSchedule, deficientProtein, encodesGene, "
        "encodesProtein, expressionRestrictedTo, firstIdentifiedIn, followUpDuration, frequencyRange, "
        "genericName, hasActiveSubstance, hasBoxedWarning, hasDosageForm, hasDrugClass, "
        "hasInheritancePattern, hasManifestation, hasPackageType, hasPersistenceMode, hasPromoter, hasRoute, "
        "hasSerotype, hasTransgene, hasVariant, hasVector, isPivotal, isRare, marketingCategory, "
        "marketingStatus, onsetDescription, packageQuantity, partQuantity, participantCount, pathogenic, "
        "periodEnd, periodStart, primarilyAffects, producedIn, producesProtein, relativeActivity, "
        "repackagedFrom, replicationCompetent, selectionReason, studiesDrug, targetsCellType, targetsOrgan, "
        "therapeuticEffect, trialStatus, usualFrequency, variantOf)",
        id="unknown-attribute-property",
    ),
    pytest.param(
        """\
        attribute:
          - id: test-x
            source: test-label#indications
            lines: 3
            subject: test-disease  # <- defect (brandName applies to a DrugProduct)
            property: brandName
            value: Testamab
        """,
        "test-x: 'test-disease' is a Disease, but brandName applies to DrugProduct "
        "(pick a subject of the right type or another property)",
        id="attribute-subject-outside-domain",
    ),
    pytest.param(
        """\
        entity:
          - id: Bad_Id  # <- defect
            type: Disease
            label: another invented disease
        """,
        "Bad_Id: bad id 'Bad_Id' (use lower-case letters, digits and single hyphens, e.g. hemgenix-dose)",
        id="bad-id",
    ),
]


@pytest.mark.parametrize(("body", "tail"), NEW_FILE_CASES)
def test_defect_in_a_new_file(workspace: Path, capsys: pytest.CaptureFixture, body: str, tail: str) -> None:
    text = yaml_text(body)
    (workspace / DATA / "extra.yaml").write_text(text, encoding="utf-8")
    rc = build()
    assert_data_errors(workspace, rc, capsys.readouterr(), [f"{DATA}/extra.yaml:{marked_line(text)}: {tail}"])


# ----------------------------------------------------------------------------------------------------- one defect in an existing file


def test_bad_date_in_a_document(workspace: Path, capsys: pytest.CaptureFixture) -> None:
    text = edit(workspace, "sources.yaml", "    file: testamab-label.txt\n",
                f'    file: testamab-label.txt\n    date_modified: "2022-13-01"  {MARK}\n')
    rc = build()
    expected = f"{DATA}/sources.yaml:{marked_line(text)}: test-label: date_modified bad date: '2022-13-01' is not a calendar date ({DATE_FIX})"
    assert_data_errors(workspace, rc, capsys.readouterr(), [expected])


def test_unquoted_impossible_date_is_a_data_error_not_a_crash(workspace: Path, capsys: pytest.CaptureFixture) -> None:
    """YAML reads an unquoted 2022-13-01 as a timestamp and PyYAML raises ValueError while constructing it.

    The exact wording is left to the tool; it must be a normal data error (exit 1) on the defect's line,
    naming the bad value, with the usual summary line, and no traceback.
    """
    text = edit(workspace, "sources.yaml", "    file: testamab-label.txt\n",
                f"    file: testamab-label.txt\n    date_modified: 2022-13-01  {MARK}\n")
    rc = build()
    captured = capsys.readouterr()
    errors = [line for line in captured.err.splitlines() if not line.startswith("drugkg: ")]
    assert len(errors) == 1
    assert errors[0].startswith(f"{DATA}/sources.yaml:{marked_line(text)}: ")
    assert "2022-13-01" in errors[0]
    assert errors[0].endswith(")")  # the fix, in parentheses
    assert captured.err.splitlines()[-1] == "drugkg: 1 error(s); nothing was written."
    assert rc == 1
    assert_nothing_written(workspace)


def test_missing_dataset_block(workspace: Path, capsys: pytest.CaptureFixture) -> None:
    """Without a dataset block the error must name the data folder the user passed (here ``curated``)."""
    (workspace / DATA / "dataset.yaml").unlink()
    rc = build()
    expected = f"{DATA}:1: dataset: no dataset block in any file (add a dataset: mapping with id, title, description, version, issued, license, creator, base_iri)"
    assert_data_errors(workspace, rc, capsys.readouterr(), [expected])


# ----------------------------------------------------------------------------------------------------- several defects at once


def test_three_defects_in_two_files_reported_together_sorted(workspace: Path, capsys: pytest.CaptureFixture) -> None:
    """All errors are listed at once, sorted by file then line (not in the order the checks find them)."""
    claims = edit(workspace, "claims.yaml", "    value: Testamab\n", "    value: Testamab\n    colour: red  # defect-1\n")
    claims = edit(workspace, "claims.yaml", "    participants: 20\n", "    participants: 20\n    participants: 21  # defect-2\n")
    entities = edit(workspace, "entities.yaml", "    label: response rate (test)\n",
                    "    label: response rate (test)\n  - id: Bad_Id  # defect-3\n    type: Disease\n    label: bad id\n")
    rc = build()
    expected = [
        f"{DATA}/claims.yaml:{marked_line(claims, '# defect-1')}: test-brand-name: unknown field 'colour' "
        "(remove it, or use one of: differs_from, id, lines, mechanism, note, object, property, quantity, source, subject, value)",
        f"{DATA}/claims.yaml:{marked_line(claims, '# defect-2')}: test-outcome: duplicate key 'participants' "
        "(keep only one; merge the two values)",
        f"{DATA}/entities.yaml:{marked_line(entities, '# defect-3')}: Bad_Id: bad id 'Bad_Id' "
        "(use lower-case letters, digits and single hyphens, e.g. hemgenix-dose)",
    ]
    captured = capsys.readouterr()
    assert_data_errors(workspace, rc, captured, expected)
    assert captured.err.splitlines()[-1] == "drugkg: 3 error(s); nothing was written."


# ----------------------------------------------------------------------------------------------------- usage errors


@pytest.mark.parametrize(
    ("data", "extra", "start", "end"),
    [
        pytest.param("missing", (), "drugkg: error: data folder missing does not exist",
                     "; run from the repository root or pass --data DIR; nothing was written.", id="data-folder-missing"),
        pytest.param("empty", (), "drugkg: error: no *.yaml files under empty",
                     "; pass --data DIR pointing at the curated data; nothing was written.", id="data-folder-without-yaml"),
        pytest.param(DATA, ("--base-iri", "not-an-iri"), "drugkg: error: base IRI 'not-an-iri' is not an IRI",
                     f"; {BASE_FIX}; nothing was written.", id="base-iri-not-an-iri"),
        pytest.param(DATA, ("--base-iri", "https://example.org/id"),
                     "drugkg: error: base IRI 'https://example.org/id' must end with '/' or '#'",
                     f"; {BASE_FIX}; nothing was written.", id="base-iri-without-trailing-slash"),
    ],
)
def test_usage_error(workspace: Path, capsys: pytest.CaptureFixture, data: str, extra: tuple[str, ...], start: str, end: str) -> None:
    if data == "empty":
        (workspace / "empty").mkdir()
    rc = build(*extra, data=data)
    captured = capsys.readouterr()
    last = captured.err.splitlines()[-1]
    assert last.startswith(start) and last.endswith(end), last
    assert [line for line in captured.err.splitlines() if not line.startswith("drugkg: ")] == []
    assert rc == 2
    assert captured.out == ""
    if data == "empty":
        (workspace / "empty").rmdir()
    assert_nothing_written(workspace)


# ----------------------------------------------------------------------------------------------------- hostile text


CONTROL_FIX = ('remove it; of the control characters only tab and line breaks are allowed, so also no escapes such as '
               '"\\x07" or "\\0" in double-quoted strings')

# YAML refuses control characters written raw, but its double-quoted escapes ("\x07", "\0", "\e"...) make them;
# the bodies below hold such escapes (the backslashes are doubled for Python). Each body puts one into another place
# a string can sit: a label, an id, an item of a list, a value in a mapping inside a list, a claim's note, a key.
CONTROL_CASES = [
    pytest.param(
        """\
        entity:
          - id: test-x
            type: Disease
            label: "Test\\x07disease"  # <- defect
        """,
        [f"test-x: label holds the control character U+0007 at position 5 ({CONTROL_FIX})"],
        id="bell-in-a-label",
    ),
    pytest.param(
        # the record is named by its id, with the character shown as an escape, never written to the terminal
        """\
        entity:
          - id: "test-\\0x"  # <- defect
            type: Disease
            label: x
        """,
        [f"test-\\x00x: id holds the control character U+0000 at position 6 ({CONTROL_FIX})"],
        id="nul-in-an-id",
    ),
    pytest.param(
        """\
        entity:
          - id: test-x
            type: Disease
            label: x
            alt_labels:
              - fine
              - "b\\e[31mad"  # <- defect
        """,
        [f"test-x: alt_labels[1] holds the control character U+001B at position 2 ({CONTROL_FIX})"],
        id="escape-in-a-list-item",
    ),
    pytest.param(
        """\
        document:
          - id: test-doc
            title: another invented document
            kind: synthetic test document
            file: test-doc.txt
            sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
            sections:
              - {id: intro, title: "Intro\\x7f", line: 1}  # <- defect
        """,
        [f"test-doc: sections[0].title holds the control character U+007F at position 6 ({CONTROL_FIX})"],
        id="delete-in-a-nested-mapping",
    ),
    pytest.param(
        """\
        indication:
          - id: test-x
            source: test-label#indications
            lines: 3
            drug: testamab
            disease: test-disease
            population: test-adults
            note: "tab\\tand line\\nbreak are fine, \\f\\v\\x1f are not"  # <- defect
        """,
        [f"test-x: note holds the control character U+000C at position 30, and 2 more ({CONTROL_FIX})"],
        id="several-in-a-claim-note",
    ),
    pytest.param(
        """\
        entity:
          - id: test-x
            type: Disease
            label: x
            description: "not a character: \\uFFFE"  # <- defect
        """,
        [f"test-x: description holds the non-character U+FFFE at position 18 ({CONTROL_FIX})"],
        id="non-character-in-a-description",
    ),
    pytest.param(
        """\
        entity:
          - id: test-x
            type: Disease
            label: x
            "colo\\x01ur": red  # <- defect
        """,
        [f"test-x: a field name holds the control character U+0001 at position 5 ({CONTROL_FIX})",
         "test-x: unknown field 'colo\\x01ur' (remove it, or use one of: alt_labels, description, id, iri, label, type, xrefs)"],
        id="start-of-heading-in-a-key",
    ),
]


@pytest.mark.parametrize(("body", "tails"), CONTROL_CASES)
def test_control_character_in_any_text(workspace: Path, capsys: pytest.CaptureFixture, body: str, tails: list[str]) -> None:
    """Before, these built with exit 0 into an RDF/XML export that no XML parser reads."""
    text = yaml_text(body)
    (workspace / DATA / "extra.yaml").write_text(text, encoding="utf-8")
    rc = build()
    captured = capsys.readouterr()
    assert_data_errors(workspace, rc, captured, [f"{DATA}/extra.yaml:{marked_line(text)}: {tail}" for tail in tails])
    assert "Traceback" not in captured.err


def test_control_character_in_the_dataset_block(workspace: Path, capsys: pytest.CaptureFixture) -> None:
    """The release metadata is checked too; a tab is allowed (and counts as one position)."""
    text = edit(workspace, "dataset.yaml",
                "  description: A tiny synthetic dataset used by the test suite; it states nothing about any real drug.\n",
                f'  description: "A tiny\\tsynthetic\\b"  {MARK}\n')
    rc = build()
    expected = (f"{DATA}/dataset.yaml:{marked_line(text)}: drugkg-test: description holds the control character U+0008 "
                f"at position 17 ({CONTROL_FIX})")
    assert_data_errors(workspace, rc, capsys.readouterr(), [expected])


LENGTH_FIX = "shorten it to a paraphrase in your own words, and cite the source's section for the rest"


@pytest.mark.parametrize("length", [pytest.param(100_001, id="one-over-the-limit"), pytest.param(20_000_000, id="20-MB")])
def test_text_longer_than_the_limit(workspace: Path, capsys: pytest.CaptureFixture, length: int) -> None:
    """Before, a 20 MB value crashed the store's bulk loader with a MemoryError and a traceback."""
    text = yaml_text("entity:\n  - id: test-x\n    type: Disease\n    label: x\n") + f"    description: {'x' * length}  {MARK}\n"
    (workspace / DATA / "extra.yaml").write_text(text, encoding="utf-8")
    rc = build()
    captured = capsys.readouterr()
    expected = f"{DATA}/extra.yaml:{marked_line(text)}: test-x: description is {length:,} characters long, over the limit of 100,000 ({LENGTH_FIX})"
    assert_data_errors(workspace, rc, captured, [expected])
    assert "Traceback" not in captured.err


def test_text_at_the_limit_builds(workspace: Path, capsys: pytest.CaptureFixture) -> None:
    """The limit is inclusive: a value of exactly 100,000 characters is published."""
    text = yaml_text("entity:\n  - id: test-x\n    type: Disease\n    label: x\n") + f"    description: {'x' * 100_000}\n"
    (workspace / DATA / "extra.yaml").write_text(text, encoding="utf-8")
    rc = build()
    captured = capsys.readouterr()
    assert rc == 0, captured.err
    assert "x" * 100_000 in (workspace / "dist" / "drugkg.nt").read_text(encoding="utf-8")


# ----------------------------------------------------------------------------------------------------- a file that cannot be parsed


SYNTAX = "-: YAML syntax error: mapping values are not allowed in this context (fix the YAML syntax at this line)"
UNCHECKED = "-: references to the ids this file declares were not checked, as it could not be read (fix the error above and run again)"


def test_yaml_syntax_error_in_the_real_data_is_reported_without_its_consequences(workspace: Path, capsys: pytest.CaptureFixture) -> None:
    """Before, the syntax error was line 153 of 181, behind 178 'unknown document' errors for the claims that cite the
    documents the broken file declares. Now it comes first, with one line saying what was not checked."""
    shutil.rmtree(workspace / DATA)
    shutil.copytree(REPO / "data", workspace / DATA)
    text = edit(workspace, "hemgenix/sources.yaml", "    kind: drug monograph\n", f"    kind: drug: monograph  {MARK}\n")
    rc = build()
    where = f"{DATA}/hemgenix/sources.yaml:{marked_line(text)}"
    assert_data_errors(workspace, rc, capsys.readouterr(), [f"{where}: {SYNTAX}", f"{where}: {UNCHECKED}"])


def test_yaml_syntax_error_hides_only_references_to_what_the_file_may_declare(workspace: Path, capsys: pytest.CaptureFixture) -> None:
    """An undeclared id that the broken file does not even mention is still an error of its own."""
    sources = edit(workspace, "sources.yaml", "    kind: synthetic test document\n", f"    kind: synthetic: test document  {MARK}\n")
    extra = yaml_text("""\
        indication:
          - id: test-x
            source: test-label#indications
            lines: 3
            drug: testamab
            disease: no-such-disease  # <- defect
            population: test-adults
        """)
    (workspace / DATA / "extra.yaml").write_text(extra, encoding="utf-8")
    rc = build()
    where = f"{DATA}/sources.yaml:{marked_line(sources)}"
    assert_data_errors(workspace, rc, capsys.readouterr(), [
        f"{DATA}/extra.yaml:{marked_line(extra)}: test-x: disease refers to undeclared id 'no-such-disease' "
        "(declare 'no-such-disease' as a Disease, or fix the spelling)",
        f"{where}: {SYNTAX}",
        f"{where}: {UNCHECKED}",
    ])


def test_yaml_syntax_error_in_the_dataset_file(workspace: Path, capsys: pytest.CaptureFixture) -> None:
    """The missing dataset block is a consequence too: not reported as 'no dataset block in any file'."""
    text = edit(workspace, "dataset.yaml", '  version: "0.0.1"\n', f"  version: 0.0.1: x  {MARK}\n")
    rc = build()
    where = f"{DATA}/dataset.yaml:{marked_line(text)}"
    assert_data_errors(workspace, rc, capsys.readouterr(), [f"{where}: {SYNTAX}", f"{where}: {UNCHECKED}"])


# ----------------------------------------------------------------------------------------------------- malformed ontology and shapes


def _broken_copy(root: Path, source: Path, name: str, old: str, new: str) -> tuple[str, int, int]:
    """Copy ``source`` to ``inputs/name`` with ``old`` replaced by ``new`` (which carries the marker and a ``]`` or
    an undeclared prefix); return the path as given on the command line, the marked line and its 1-based column of
    the defect (the first character of ``new`` that is not blank)."""
    text = source.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} must occur once in {source.name}"
    text = text.replace(old, new)
    (root / "inputs").mkdir(exist_ok=True)
    (root / "inputs" / name).write_text(text, encoding="utf-8")
    line = marked_line(text)
    defect = new.splitlines()[-1]
    column = defect.index("]") + 1 if "]" in defect else len(defect) - len(defect.lstrip()) + 1
    return f"inputs/{name}", line, column


def _run(command: str, *extra: str) -> int:
    inputs = ["--data", DATA, "--documents", str(DOCUMENTS), "--no-labels"]
    if command == "build":
        return main(["build", *inputs, "--out", "dist", *extra])
    return main(["validate", *inputs, *extra])


# (input, its file, the line to break, the broken line, the options that pass it, what the parser says)
NOT_TURTLE = {
    "ontology": (ONTOLOGY, "bad.ttl", "dcterms:title a owl:AnnotationProperty .\n",
                 f"dcterms:title a owl:AnnotationProperty ;; ] .  {MARK}\n", ("--ontology",),
                 "the ontology is not valid Turtle: ] is not a valid subject or graph name"),
    "shapes": (REPO / "ontology" / "shapes.ttl", "bad-shapes.ttl", "@prefix dcterms: <http://purl.org/dc/terms/> .\n",
               f"@prefix dcterms: <http://purl.org/dc/terms/> .\nundeclared:x a dkgsh:Y .  {MARK}\n",
               ("--ontology", str(ONTOLOGY), "--shapes"),
               "the SHACL shapes file is not valid Turtle: The prefix undeclared: has not been declared"),
}


@pytest.mark.parametrize("command", ["build", "validate"])
@pytest.mark.parametrize("kind", NOT_TURTLE)
def test_input_that_is_not_turtle(workspace: Path, capsys: pytest.CaptureFixture, command: str, kind: str) -> None:
    """Before: exit 1 with a SyntaxError traceback. Now: exit 2 with the file, line, column and the parser's message."""
    source, name, line_text, broken, options, said = NOT_TURTLE[kind]
    given, line, column = _broken_copy(workspace, source, name, line_text, broken)
    rc = _run(command, *options, given)
    captured = capsys.readouterr()
    suffix = "; nothing was written." if command == "build" else ""
    assert captured.err.splitlines()[-1] == (
        f"drugkg: error: {given}:{line}:{column}: {said} (fix the Turtle at this line and column){suffix}")
    assert "Traceback" not in captured.err
    assert rc == 2
    assert captured.out == ""
    assert_nothing_written(workspace, ("inputs",))


# ----------------------------------------------------------------------------------------------------- base IRI


@pytest.mark.parametrize(
    ("base", "problem"),
    [
        pytest.param("javascript:alert(1)//", "uses the scheme 'javascript', not http or https", id="javascript"),
        pytest.param("file:///tmp/id/", "uses the scheme 'file', not http or https", id="file"),
        pytest.param("https:///id/", "has no host", id="no-host"),
        pytest.param("https://example.org/id?x=/", "must not have a query, nor a '#' before its end", id="query"),
    ],
)
def test_base_iri_option_must_be_http(workspace: Path, capsys: pytest.CaptureFixture, base: str, problem: str) -> None:
    """Before, any absolute IRI ending in '/' or '#' was accepted, 'javascript:alert(1)//' included."""
    rc = build("--base-iri", base)
    captured = capsys.readouterr()
    assert captured.err.splitlines()[-1] == f"drugkg: error: base IRI {base!r} {problem}; {BASE_FIX}; nothing was written."
    assert [line for line in captured.err.splitlines() if not line.startswith("drugkg: ")] == []
    assert rc == 2
    assert captured.out == ""
    assert_nothing_written(workspace)


def test_base_iri_in_the_dataset_block_must_be_http(workspace: Path, capsys: pytest.CaptureFixture) -> None:
    """The dataset's base_iri is a data error (exit 1) at its line in dataset.yaml, not a usage error without a place."""
    text = edit(workspace, "dataset.yaml", "  base_iri: https://example.org/drugkg-test/id/\n",
                f'  base_iri: "javascript:alert(1)//"  {MARK}\n')
    rc = build()
    expected = (f"{DATA}/dataset.yaml:{marked_line(text)}: drugkg-test: base_iri 'javascript:alert(1)//' uses the scheme "
                f"'javascript', not http or https ({BASE_FIX})")
    assert_data_errors(workspace, rc, capsys.readouterr(), [expected])
