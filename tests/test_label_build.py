"""Labels in the build: ``drugkg build --labels DIR`` and ``validate`` load them with the curated data; a label that
cannot be read stops the build with its file and line and publishes nothing; what cannot be read without guessing is
left out with a warning. Broken and changed labels are copies of the shared ones made in a temporary folder (marked
synthetic here); the shared files are never edited.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest

from drugkg.build import compile_graph, record_finder
from drugkg.cli import main
from drugkg.errors import DataInvalid, UsageError
from tests.conftest import DATA, LABELS, ONTOLOGY, PREFIXES

COUGH = LABELS / "cough.xml"
HUMIRA = LABELS / "humira.xml"
LIPITOR = LABELS / "lipitor-orig.xml"
COUGH_SET = "00f66f25-3469-4c16-9baf-fba21e9628bd"
BASE = "https://w3id.org/drugkg/id/"


def folder_with(tmp_path: Path, *files: tuple[str, str | bytes]) -> Path:
    """A labels folder holding the given (name, text) files."""
    folder = tmp_path / "labels"
    folder.mkdir(exist_ok=True)
    for name, content in files:
        if isinstance(content, bytes):
            (folder / name).write_bytes(content)
        else:
            (folder / name).write_text(content, encoding="utf-8")
    return folder


def synthetic(source: Path, old: str, new: str, count: int = 1) -> str:
    """A changed copy of a shared label (synthetic: for a test only): ``old`` replaced by ``new``, checked to occur."""
    text = source.read_text(encoding="utf-8")
    assert text.count(old) >= count, f"{old!r} is not in {source.name}"
    return text.replace(old, new, count)


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_a_label_that_cannot_be_read_stops_the_build_and_nothing_is_published(tmp_path, capsys):
    cut = COUGH.read_bytes()[:5000]  # truncated mid-element
    folder = folder_with(tmp_path, ("cough.xml", COUGH.read_text(encoding="utf-8")), ("cut.xml", cut))
    out = tmp_path / "dist"
    code, stdout, err = run(capsys, "build", "--labels", str(folder), "--out", str(out))
    assert code == 1 and stdout == ""
    assert f"{folder}/cut.xml:" in err and "not well-formed XML" in err
    assert err.rstrip().endswith("drugkg: 1 error(s); nothing was written.")
    assert not out.exists()


def test_every_refused_label_is_named_at_once(tmp_path, capsys):
    doctype = '<?xml version="1.0"?>\n<!DOCTYPE document [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n<document/>\n'
    wrong_root = '<?xml version="1.0"?>\n<html xmlns="http://www.w3.org/1999/xhtml"/>\n'
    folder = folder_with(tmp_path, ("a-doctype.xml", doctype), ("b-html.xml", wrong_root))
    code, _, err = run(capsys, "validate", "--labels", str(folder))
    assert code == 1
    lines = err.splitlines()
    assert any(line.startswith(f"{folder}/a-doctype.xml:2: label: ") and "DOCTYPE" in line for line in lines)
    assert any(line.startswith(f"{folder}/b-html.xml:2: label: ") for line in lines)
    assert lines[-1] == "drugkg: 2 error(s)."


def test_two_files_with_one_set_id_and_version_are_an_error_naming_both(tmp_path):
    text = COUGH.read_text(encoding="utf-8")
    folder = folder_with(tmp_path, ("a.xml", text), ("b.xml", text))
    with pytest.raises(DataInvalid) as caught:
        compile_graph(DATA, ONTOLOGY, labels=folder)
    (error,) = caught.value.errors
    assert error.file == str(folder / "b.xml") and error.line == 7
    assert f"set id {COUGH_SET} version 1 is also in {folder / 'a.xml'}:7" in error.message


def test_two_versions_of_one_set_are_both_kept_each_fact_citing_its_version(tmp_path):
    # synthetic: a version 2 of the cough label: a copy with only its version number changed
    v2 = synthetic(COUGH, '<versionNumber value="1"/>', '<versionNumber value="2"/>')
    folder = folder_with(tmp_path, ("v1.xml", COUGH.read_text(encoding="utf-8")), ("v2.xml", v2))
    compiled = compile_graph(DATA, ONTOLOGY, labels=folder)
    assert compiled.counts["labels"] == 2
    store = ox.Store()
    store.bulk_load(compiled.ntriples.encode(), format=ox.RdfFormat.N_TRIPLES)
    rows = store.query(PREFIXES + """PREFIX schema: <http://schema.org/>
        SELECT ?doc ?version (COUNT(?claim) AS ?claims) WHERE {
          ?doc a dkg:SourceDocument ; schema:version ?version .
          ?claim prov:wasDerivedFrom/dcterms:isPartOf ?doc .
        } GROUP BY ?doc ?version ORDER BY ?version""")
    found = [(r["doc"].value, int(r["version"].value), int(r["claims"].value)) for r in rows]
    assert [(d, v) for d, v, _ in found] == [(f"{BASE}spl/{COUGH_SET}/1", 1), (f"{BASE}spl/{COUGH_SET}/2", 2)]
    assert found[0][2] == found[1][2] > 0  # the same statements, each version citing itself
    # the product is one node, named once, whichever version names it
    names = store.query(PREFIXES + f"SELECT ?name WHERE {{ <{BASE}ndc/0067-6344> rdfs:label ?name }}")
    assert [r["name"].value for r in names] == [
        "TRIAMINIC Childrens Night Time Cold and Cough (SYRUP), NDC 0067-6344"]  # cough.xml line 31


def test_a_label_naming_an_identifier_of_a_curated_entity_is_refused(tmp_path):
    # synthetic: a copy of the cough label whose first package carries Hemgenix's package NDC (data/hemgenix)
    text = synthetic(COUGH, "0067-6344-04", "0053-0300-30")
    folder = folder_with(tmp_path, ("cough.xml", text))
    with pytest.raises(DataInvalid) as caught:
        compile_graph(DATA, ONTOLOGY, labels=folder)
    (error,) = caught.value.errors
    # line 164: the containerPackagedProduct whose code (line 165) is the NDC
    assert (error.file, error.line, error.record) == (str(folder / "cough.xml"), 164, "NDC:0053-0300-30")
    assert error.message.startswith("is also an identifier of the curated entity 'hemgenix' (")


def test_an_unreadable_adverse_reaction_table_is_left_out_with_a_warning(tmp_path):
    # synthetic: a copy of the Humira label whose Sinusitis row has a placebo cell that is not a rate
    text = synthetic(HUMIRA, '<td align="center">9%</td>', '<td align="center">NR</td>')
    assert text.splitlines()[1733] == '                                 <td align="center">NR</td>'
    folder = folder_with(tmp_path, ("humira.xml", text))
    compiled = compile_graph(DATA, ONTOLOGY, labels=folder)
    (warning,) = compiled.warnings
    assert warning.startswith(f"{folder / 'humira.xml'}:1702: adverse-reaction table 't56551338' in section "
                              "'6.1 Clinical Trials Experience' (line 1643) was not read: ")
    assert "'NR'" in warning and warning.endswith("(its rows are left out; fix the table or read it by hand)")
    assert "/table/" not in compiled.ntriples  # no row of the table, nor of any other table: Humira has one


def test_a_missing_labels_folder_is_a_usage_error(tmp_path, capsys):
    code, _, err = run(capsys, "validate", "--labels", str(tmp_path / "nowhere"))
    assert code == 2
    assert err.splitlines()[-1] + "\n" == (f"drugkg: error: labels folder {tmp_path / 'nowhere'} does not exist; pass --labels DIR with the "
                   "SPL *.xml files, or --no-labels\n")
    with pytest.raises(UsageError):
        compile_graph(DATA, ONTOLOGY, labels=tmp_path / "nowhere")


def test_without_the_shared_labels_the_build_says_so_and_goes_on(tmp_path, capsys, monkeypatch):
    import drugkg.cli

    monkeypatch.setattr(drugkg.cli, "default_labels_dir", lambda: tmp_path / "shared" / "labels")
    out = tmp_path / "dist"
    code, stdout, err = run(capsys, "build", "--out", str(out))
    assert code == 0
    assert (f"drugkg: no labels folder at {tmp_path}/shared/labels: loading the curated data only (pass --labels DIR "
            "to load labels)\n") in err
    assert stdout.startswith("Built ") and "labels" not in stdout.splitlines()[0]
    assert (out / "drugkg.ttl").is_file()


def test_problems_on_label_nodes_name_the_file_and_the_line_of_their_element(tmp_path):
    folder = folder_with(tmp_path, ("lipitor.xml", LIPITOR.read_text(encoding="utf-8")))
    compiled = compile_graph(DATA, ONTOLOGY, labels=folder)
    find = record_finder(compiled)
    version = f"{BASE}spl/c6e131fe-e7df-4876-83f7-9156fc4e8228/11"
    path = str(folder / "lipitor.xml")
    cases = {
        version: 2,  # the <document> element
        f"{version}/section/79a02fa7-701e-4457-84ff-1a6f771fa129": 1869,  # 5.1 Skeletal Muscle
        f"{version}/product/1/brand-name": 645,  # the first manufacturedProduct
        f"{version}/product/1/ingredient/1/numerator": 645,
        f"{BASE}ndc/0071-0155": 645,  # a shared node: where it was first seen
    }
    found = {iri: (find(iri).file, find(iri).line) for iri in cases}
    assert found == {iri: (path, line) for iri, line in cases.items()}
    assert find(f"{BASE}spl/c6e131fe-e7df-4876-83f7-9156fc4e8228/12/product/1") is None


def test_the_existing_saved_queries_answer_for_a_label_product(built_labels):
    from drugkg import engine
    from drugkg.queries import catalogue
    from tests.conftest import QUERIES

    query = catalogue(QUERIES)["drug-profile"]
    rows = engine.run_local(built_labels.store, query.bind({"drug": f"{BASE}ndc/0074-3797"}), "drug-profile")
    found = sorted((r["aspect"].value, r["valueLabel"].value) for r in rows)
    assert found == sorted([  # humira.xml, the vial's inner manufacturedProduct at line 762
        ("brand name", "Humira"),  # line 764
        ("generic name", "Adalimumab"),  # line 768
        ("active substance", "ADALIMUMAB"),  # UNII FYS6T7F842, line 777
        ("route", "SUBCUTANEOUS"),  # routeCode C38299, line 914
        ("dosage form", "INJECTION, SOLUTION"),  # formCode C42945, line 765
        ("boxed warning", "yes"),  # the top-level 34066-1 section, line 922
    ])


def test_the_dataset_description_names_every_label_version_as_a_source(built_labels):
    void = ox.Store()
    void.load(path=str(built_labels.out / "void.ttl"), format=ox.RdfFormat.TURTLE)
    sources = sorted(q.object.value for q in void.quads_for_pattern(
        None, ox.NamedNode("http://purl.org/dc/terms/source"), None))
    assert sources == sorted([
        f"{BASE}medfinder-explainer", f"{BASE}monograph",  # the curated documents
        f"{BASE}spl/608d4f0d-b19f-46d3-749a-7159aa5f933d/1560",  # humira.xml, its setId and versionNumber
        f"{BASE}spl/c6e131fe-e7df-4876-83f7-9156fc4e8228/11",  # lipitor-orig.xml
        f"{BASE}spl/17a163ef-b349-4e32-bc8c-b02bac7f65d6/8",  # lipitor-repack.xml
        f"{BASE}spl/00f66f25-3469-4c16-9baf-fba21e9628bd/1",  # cough.xml
        f"{BASE}spl/0027b8a3-73bf-4005-a7e3-b035f451a861/1",  # no-title.xml
        f"{BASE}spl/ea1a6225-0eb9-4743-9601-23d5795936a3/1",  # methoxsalen-pharmacologic-class.xml
    ])
