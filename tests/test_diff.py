"""``drugkg diff OLD NEW`` (issue "What changed", item 1) on real builds that differ by known edits: the Hemgenix data
with its dose changed (document and claim) and its headache adverse event removed, and the Hemgenix data with one
shared label added. Copies of data/ and of the seeds are edited in a temporary folder; the shared files never are.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest

from drugkg.build import build, compile_graph
from drugkg.cli import main
from drugkg.diff import ADDED_GRAPH, REMOVED_GRAPH
from drugkg.vocab import DKG
from tests.conftest import DATA, LABELS, ONTOLOGY, ROOT, SEEDS, synthetic_second_version

GOLDEN = ROOT / "tests" / "golden" / "diff"
MONOGRAPH = "hemgenix-monograph.txt"


def triples_of(path: Path) -> set[ox.Triple]:
    return {q.triple for q in ox.parse(path=str(path), format=ox.RdfFormat.N_TRIPLES)}


@pytest.fixture(scope="module")
def edited(tmp_path_factory) -> Path:
    """The build of a copy of the data whose dose is 3 x 10^13 (the monograph's line 28 says so in its copy) and
    whose headache claim is gone (line 41, its only statement, blanked in the copy)."""
    root = tmp_path_factory.mktemp("edited")
    data, seeds = root / "data", root / "seeds"
    shutil.copytree(DATA, data)
    shutil.copytree(SEEDS, seeds)
    monograph = seeds / MONOGRAPH
    old_hash = hashlib.sha256(monograph.read_bytes()).hexdigest()
    lines = monograph.read_text(encoding="utf-8").split("\n")
    assert lines[40] == "- Headache." and "2 x 10¹³" in lines[27]
    lines[40], lines[27] = "", lines[27].replace("2 x 10¹³", "3 x 10¹³")
    monograph.write_text("\n".join(lines), encoding="utf-8")
    sources = data / "hemgenix" / "sources.yaml"
    sources.write_text(sources.read_text(encoding="utf-8").replace(
        old_hash, hashlib.sha256(monograph.read_bytes()).hexdigest()), encoding="utf-8")
    dosage = data / "hemgenix" / "dosage.yaml"
    dosage.write_text(dosage.read_text(encoding="utf-8").replace("value: 20000000000000,", "value: 30000000000000,"),
                      encoding="utf-8")
    safety = data / "hemgenix" / "safety.yaml"
    text = safety.read_text(encoding="utf-8")
    start, end = text.index("  - id: mono-ae-headache\n"), text.index("  - id: mono-ae-elevated-creatine-kinase\n")
    safety.write_text(text[:start] + text[end:], encoding="utf-8")
    out = root / "dist"
    build(data, out, ONTOLOGY, documents=seeds)
    return out


@pytest.fixture(scope="module")
def with_label(tmp_path_factory) -> Path:
    """The build of the data and one shared label (cough.xml)."""
    root = tmp_path_factory.mktemp("with-label")
    labels = root / "labels"
    labels.mkdir()
    shutil.copyfile(LABELS / "cough.xml", labels / "cough.xml")
    out = root / "dist"
    build(DATA, out, ONTOLOGY, labels=labels, documents=SEEDS)
    return out


def diff(capsys, *args: str) -> tuple[int, str, str]:
    code = main(["diff", *map(str, args)])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_two_builds_of_the_same_input_print_nothing_and_exit_0(built, tmp_path, capsys):
    again = tmp_path / "dist"
    build(DATA, again, ONTOLOGY, documents=SEEDS)
    assert diff(capsys, built.out, again) == (0, "", "")


def test_the_edits_are_reported_exactly_as_text(built, edited, capsys):
    code, out, _ = diff(capsys, built.out, edited)
    assert code == 1
    assert out == (GOLDEN / "curated-edits.txt").read_text(encoding="utf-8")


def test_the_edits_as_json(built, edited, capsys):
    code, out, _ = diff(capsys, built.out, edited, "--format", "json")
    document = json.loads(out)
    assert (code, document["equal"]) == (1, False)
    assert document["counts"] == {"triples added": 3, "triples removed": 12, "added": 0, "removed": 1, "changed": 3}
    removed = [c for c in document["changes"] if c["change"] == "removed"]
    assert [(c["fact"], c["kind"], c["entity"], c["triples"], c["sourceOld"]) for c in removed] == [
        ("https://w3id.org/drugkg/id/mono-ae-headache", "adverse events", "https://w3id.org/drugkg/id/hemgenix", 9,
         "https://w3id.org/drugkg/id/monograph/common-side-effects")]
    dose = [c for c in document["changes"] if c["part"] == "dose" and c["predicate"].endswith("#numericValue")]
    assert [(c["old"], c["new"], c["kind"], c["sourceOld"], c["sourceNew"]) for c in dose] == [
        ('"20000000000000"^^<http://www.w3.org/2001/XMLSchema#decimal>',
         '"30000000000000"^^<http://www.w3.org/2001/XMLSchema#decimal>', "dosing",
         "https://w3id.org/drugkg/id/monograph/dosage-and-administration",
         "https://w3id.org/drugkg/id/monograph/dosage-and-administration")]


@pytest.mark.parametrize("fmt", ["trig", "nq"])
def test_the_changeset_applied_to_the_old_export_gives_the_new_one(fmt, built, edited, with_label, capsysbinary):
    for new in (edited, with_label):
        code = main(["diff", str(built.out), str(new), "--format", fmt])
        dataset = ox.Store()
        dataset.load(capsysbinary.readouterr().out, format=ox.RdfFormat.TRIG if fmt == "trig" else ox.RdfFormat.N_QUADS)
        removed = {q.triple for q in dataset.quads_for_pattern(None, None, None, REMOVED_GRAPH)}
        added = {q.triple for q in dataset.quads_for_pattern(None, None, None, ADDED_GRAPH)}
        assert code == 1 and len(dataset) == len(removed) + len(added)
        assert (triples_of(built.out / "drugkg.nt") - removed) | added == triples_of(new / "drugkg.nt")


def test_the_changeset_in_a_graph_format_is_two_files(built, edited, tmp_path, capsys):
    code, _, err = diff(capsys, built.out, edited, "--format", "nt", "--out", tmp_path / "changes")
    assert code == 1 and err == (f"wrote {tmp_path}/changes/added.nt (3 triples) and {tmp_path}/changes/removed.nt "
                                 "(12 triples)\n")
    old, new = triples_of(built.out / "drugkg.nt"), triples_of(edited / "drugkg.nt")
    assert triples_of(tmp_path / "changes" / "added.nt") == new - old
    assert triples_of(tmp_path / "changes" / "removed.nt") == old - new
    code, _, err = diff(capsys, built.out, edited, "--format", "ttl")
    assert code == 2 and "--format ttl holds one graph: give --out DIR" in err


def test_an_added_label_is_added_facts_only_grouped_by_kind(built, with_label, capsys):
    code, out, _ = diff(capsys, built.out, with_label, "--format", "json")
    document = json.loads(out)
    changes = document["changes"]
    assert code == 1 and document["counts"]["triples removed"] == 0
    assert {c["change"] for c in changes} == {"added"}
    assert {"products", "ingredients", "packages", "sections"} <= {c["kind"] for c in changes}
    # every added triple is counted once: whole new facts, or values added to facts that were there (shared terms)
    assert sum(c["triples"] or 1 for c in changes) == document["counts"]["triples added"]


def test_a_folder_without_a_build_is_an_error(built, tmp_path, capsys):
    code, out, err = diff(capsys, built.out, tmp_path)
    assert (code, out) == (2, "")
    assert f"no build in {tmp_path}/" in err


def void_objects(folder: Path, predicate: str, subject: str | None = None) -> list[str]:
    void = ox.Store()
    void.load(path=str(folder / "void.ttl"), format=ox.RdfFormat.TURTLE)
    node = ox.NamedNode(subject) if subject else None
    return sorted(q.object.value for q in void.quads_for_pattern(node, ox.NamedNode(predicate), None, None))


DCAT = "http://www.w3.org/ns/dcat#"


def test_a_build_that_replaces_another_says_what_changed(built, edited, tmp_path, capsys):
    out = tmp_path / "dist"
    build(DATA, out, ONTOLOGY, documents=SEEDS)  # a first build: nothing replaced, no lineage
    assert not (out / "changes.json").exists() and not (out / "changes.md").exists()
    first = f"https://w3id.org/drugkg/id/drugkg/version/{hashlib.sha256((out / 'drugkg.nt').read_bytes()).hexdigest()[:16]}"
    assert void_objects(out, DCAT + "hasCurrentVersion") == [first]
    assert void_objects(out, DCAT + "previousVersion") == []

    build(edited.parent / "data", out, ONTOLOGY, documents=edited.parent / "seeds")  # the edits, replacing it
    _, expected, _ = diff(capsys, built.out, edited, "--format", "json")
    assert json.loads((out / "changes.json").read_text(encoding="utf-8")) == json.loads(expected)
    markdown = (out / "changes.md").read_text(encoding="utf-8")
    assert markdown.startswith("# What changed since the previous build\n\n0 added, 1 removed, 3 changed "
                               "(3 triples added, 12 removed).\n\n## Hemgenix (id:hemgenix)\n")
    assert "- removed id:mono-ae-headache: Hemgenix adverse event: headache" in markdown
    (second,) = void_objects(out, DCAT + "hasCurrentVersion")
    assert second != first
    assert void_objects(out, DCAT + "previousVersion", second) == [first]
    assert void_objects(out, "http://www.w3.org/ns/prov#wasRevisionOf", second) == [first]
    counts = {name: void_objects(out, "http://rdfs.org/ns/void#triples", f"{second}/{name}") for name in ("added", "removed")}
    assert counts == {"added": ["3"], "removed": ["12"]}


# Two versions of one label (issue "What changed", items 3 and 4): cough.xml and a SYNTHETIC second version of it made
# by editing a copy (tests/conftest.py SYNTHETIC_V2_EDITS: version 2, a new date, the Uses section reworded, the
# product's generic name changed); the shared file is never edited.
COUGH_SET = "00f66f25-3469-4c16-9baf-fba21e9628bd"
COUGH_V2 = f"https://w3id.org/drugkg/id/spl/{COUGH_SET}/2"
COUGH_PRODUCT = "https://w3id.org/drugkg/id/ndc/0067-6344"
GENERIC_OLD, GENERIC_NEW = "Diphenhydramine HCl, Phenylephrine HCl", "Diphenhydramine HCl, Phenylephrine HCl (synthetic)"


@pytest.fixture(scope="module")
def cough_v2(tmp_path_factory) -> Path:
    return synthetic_second_version(tmp_path_factory.mktemp("cough-v2"))


def label_graph(path: Path, tmp_path: Path) -> set[ox.Triple]:
    """The graph of one label file loaded alone with the curated data, as ``drugkg diff`` loads each side."""
    folder = tmp_path / path.stem
    folder.mkdir()
    shutil.copyfile(path, folder / path.name)
    return {q.triple for q in ox.parse(compile_graph(DATA, ONTOLOGY, labels=folder).ntriples.encode(),
                                       format=ox.RdfFormat.N_TRIPLES)}


def test_a_second_version_of_a_label_adds_that_version_only(built_labels, built_versions, capsys):
    """The build with both versions against the build with the first: every added triple is about version 2 (its
    IRI is the subject or the object), but one: the shared product's generic name as version 2 states it."""
    code, out, _ = diff(capsys, built_labels.out, built_versions.out, "--format", "json")
    document = json.loads(out)
    assert code == 1 and document["counts"]["triples removed"] == 0 and document["counts"]["changed"] == 0
    added = triples_of(built_versions.out / "drugkg.nt") - triples_of(built_labels.out / "drugkg.nt")
    assert document["counts"]["triples added"] == len(added)
    assert {t for t in added if not t.subject.value.startswith(COUGH_V2) and not t.object.value.startswith(COUGH_V2)} \
        == {ox.Triple(ox.NamedNode(COUGH_PRODUCT), DKG.genericName, ox.Literal(GENERIC_NEW, language="en"))}
    # the claims among them are the product data of version 2 (its Uses text is a section, which has no source)
    assert {c["sourceNew"] for c in document["changes"] if c["sourceNew"]} == {COUGH_V2 + "/product/1"}


def test_two_label_files_text(cough_v2, capsys):
    code, out, err = diff(capsys, LABELS / "cough.xml", cough_v2)
    assert (code, err) == (1, "")
    assert out.splitlines()[:-1] == [
        f"label {COUGH_SET}: version 1 of 2011-04-26 ({LABELS / 'cough.xml'}) -> version 2 of 2012-03-01 ({cough_v2})",
        "  sections",
        "    changed Uses (LOINC 34067-9)",
        "  product data",
        f'    changed NDC 0067-6344 genericName: "{GENERIC_OLD}" -> "{GENERIC_NEW}"',
    ]


def test_two_label_files_json_and_its_changeset(cough_v2, tmp_path, capsysbinary):
    code = main(["diff", str(LABELS / "cough.xml"), str(cough_v2), "--format", "json"])
    document = json.loads(capsysbinary.readouterr().out)
    assert code == 1 and document["setId"] == COUGH_SET
    assert (document["old"]["version"], document["new"]["version"]) == (1, 2)
    assert document["sections"] == [{"sectionCode": "34067-9", "sectionTitle": "Uses", "change": "changed"}]
    assert document["products"] == [{"ndc": "0067-6344", "field": "genericName", "old": GENERIC_OLD,
                                     "new": GENERIC_NEW, "change": "changed"}]
    old, new = label_graph(LABELS / "cough.xml", tmp_path), label_graph(cough_v2, tmp_path)
    counts = document["counts"]
    assert (counts["triples added"], counts["triples removed"]) == (len(new - old), len(old - new))
    assert main(["diff", str(LABELS / "cough.xml"), str(cough_v2), "--format", "nq"]) == 1
    dataset = ox.Store()
    dataset.load(capsysbinary.readouterr().out, format=ox.RdfFormat.N_QUADS)
    removed = {q.triple for q in dataset.quads_for_pattern(None, None, None, REMOVED_GRAPH)}
    added = {q.triple for q in dataset.quads_for_pattern(None, None, None, ADDED_GRAPH)}
    assert (old - removed) | added == new


def test_two_label_files_that_say_the_same_print_nothing(capsys):
    assert diff(capsys, LABELS / "cough.xml", LABELS / "cough.xml") == (0, "", "")


def test_label_files_given_wrongly_are_errors(built, cough_v2, tmp_path, capsys):
    cough, humira = LABELS / "cough.xml", LABELS / "humira.xml"
    code, out, err = diff(capsys, cough_v2, cough)
    assert (code, out) == (2, "") and f"give the older version first: drugkg diff {cough} {cough_v2}" in err
    code, out, err = diff(capsys, cough, humira)
    assert (code, out) == (2, "") and f"{humira} of label 608d4f0d-b19f-46d3-749a-7159aa5f933d; give two versions" in err
    code, out, err = diff(capsys, built.out, humira)
    assert (code, out) == (2, "") and "give two build folders or two label files (*.xml), not one of each" in err
    damaged = tmp_path / "damaged.xml"
    damaged.write_bytes(cough.read_bytes()[:5000])
    code, out, err = diff(capsys, damaged, cough_v2)
    assert (code, out) == (2, "") and err.startswith(f"{damaged}:") and "not well-formed XML" in err
    code, out, err = diff(capsys, tmp_path / "missing.xml", cough_v2)
    assert (code, out) == (2, "") and f"no label file {tmp_path / 'missing.xml'}" in err
