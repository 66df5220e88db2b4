"""The synthetic label corpus (benchmarks/label_corpus.py) and the label reading benchmark (benchmarks/labels.py):
byte-identical corpora for the same seed, every copy a readable label with fresh ids and synthetic NDCs, the
repackager tied to its originator, nothing written outside the given folder; and one smoke run of the benchmark
(every stage: the reader, the build's label stage, the whole build).
No figure is checked: timing belongs in the benchmark's output, never in tests."""

from __future__ import annotations

import doctest
import hashlib
import importlib.util
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from loaders.spl.read import Label, read_label
from tests.conftest import ROOT, SHARED

LABELS = SHARED / "labels"
N = 12  # two whole groups of the five templates and the first two of a third (an originator and its repackager)
SYNTHETIC_LABELER = re.compile(r"(9[0-9]{3}|99[0-9]{3})")


def _load(name: str):
    spec = importlib.util.spec_from_file_location(f"benchmark_{name}", ROOT / "benchmarks" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the file runs
    spec.loader.exec_module(module)
    return module


label_corpus = _load("label_corpus")


def _contents(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _shared_digests() -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(LABELS.iterdir())}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """A 12-label corpus, the state of its parent folder and of the shared labels around it, and each copy read."""
    root = tmp_path_factory.mktemp("label-corpus")
    before = _shared_digests()
    written = label_corpus.make_label_corpus(N, root / "labels")
    labels = {path.name: read_label(path) for path in written.files}
    return written, root, before, labels


def _templates() -> dict[str, Label]:
    return {name: read_label(LABELS / name) for name in label_corpus.TEMPLATES}


def _all_ndcs(label: Label) -> list[str]:
    found = []

    def walk_packages(packages):
        for package in packages:
            if package.ndc:
                found.append(package.ndc)
            walk_packages(package.packaged_in)

    def walk(products):
        for product in products:
            found.extend(code for code in (product.ndc, product.source_ndc) if code)
            walk_packages(product.packages)
            walk(part.product for part in product.parts)

    walk(label.products)
    return found


def _shape(ndc: str) -> tuple[int, ...]:
    return tuple(len(segment) for segment in ndc.split("-"))


def test_docstring_examples():
    result = doctest.testmod(label_corpus)
    assert result.attempted > 0 and result.failed == 0


def test_same_seed_writes_byte_identical_files(corpus, tmp_path):
    written, _, _, _ = corpus
    again = label_corpus.make_label_corpus(N, tmp_path / "again")
    assert _contents(again.out) == _contents(written.out)
    other = label_corpus.make_label_corpus(N, tmp_path / "seed-1", seed=1)
    first, second = _contents(written.out), _contents(other.out)
    assert first.keys() == second.keys()
    assert all(first[name] != second[name] for name in first)


def test_n_files_named_and_commented_as_synthetic(corpus):
    written, _, _, _ = corpus
    names = sorted(p.name for p in written.out.iterdir())
    cycle = label_corpus.TEMPLATES
    assert names == [f"synthetic-label-{i:05d}-{cycle[i % 5]}" for i in range(N)]
    for path in written.files:
        first_line = path.read_bytes().split(b"\n", 1)[0].decode("utf-8")
        assert first_line.startswith('<?xml version="1.0" encoding="UTF-8"?><!-- drugkg synthetic benchmark copy of '
                                     f"{written.template_of(path)} (copy ")
        assert "not a real label -->" in first_line


def test_every_copy_reads_like_its_template_with_fresh_ids(corpus):
    written, _, _, labels = corpus
    templates = _templates()
    assert len(labels) == N
    set_ids = [label.set_id for label in labels.values()]
    assert len(set(set_ids)) == N
    assert not set(set_ids) & {t.set_id for t in templates.values()}
    assert len({label.document_id for label in labels.values()}) == N
    for name, label in labels.items():
        template = templates[written.template_of(Path(name))]
        assert (label.version, label.effective_date, label.title, label.document_type.code) == (
            template.version, template.effective_date, template.title, template.document_type.code)
        assert [s.code.code if s.code else None for s in label.sections] == [
            s.code.code if s.code else None for s in template.sections]
        assert [s.section_id for s in label.sections] != [s.section_id for s in template.sections]


def test_ndcs_are_synthetic_in_the_original_shapes(corpus):
    written, _, _, labels = corpus
    templates = _templates()
    originals = {ndc for t in templates.values() for ndc in _all_ndcs(t)}
    for name, label in labels.items():
        template = templates[written.template_of(Path(name))]
        ndcs = _all_ndcs(label)
        assert [_shape(n) for n in ndcs] == [_shape(n) for n in _all_ndcs(template)]
        assert all(SYNTHETIC_LABELER.fullmatch(n.split("-")[0]) for n in ndcs), ndcs
        # no original NDC is left anywhere in the file, as a code or in the text, with hyphens or en dashes
        text = (written.out / name).read_text(encoding="utf-8")
        for ndc in originals:
            assert ndc not in text and ndc.replace("-", "\u2013") not in text, (name, ndc)
    products = [p.ndc for label in labels.values() for p in label.products]
    assert len(products) == len(set(products))  # no two copies share a product NDC


def test_each_repackager_copy_points_to_its_originator_copy(corpus):
    written, _, _, labels = corpus
    templates = _templates()
    (source,) = [p.source_ndc for p in templates["lipitor-repack.xml"].products if p.source_ndc]
    position = [p.ndc for p in templates["lipitor-orig.xml"].products].index(source)
    files = [p.name for p in written.files]
    repacks = [i for i, name in enumerate(files) if name.endswith("-lipitor-repack.xml")]
    assert repacks == [1, 6, 11]
    seen = set()
    for i in repacks:
        (copied,) = [p.source_ndc for p in labels[files[i]].products if p.source_ndc]
        originator = labels[files[i - 1]]
        assert files[i - 1].endswith("-lipitor-orig.xml")
        assert originator.products[position].ndc == copied
        seen.add(copied)
    assert len(seen) == len(repacks)


def test_nothing_written_outside_the_folder(corpus):
    written, root, before, _ = corpus
    assert [p.name for p in root.iterdir()] == ["labels"]
    assert _shared_digests() == before


@pytest.mark.parametrize("where", ["data", "shared"])
def test_refuses_the_data_and_shared_folders(where):
    target = (ROOT / "data" / "synthetic-labels") if where == "data" else (LABELS / "synthetic")
    with pytest.raises(ValueError, match="synthetic labels are never written there"):
        label_corpus.make_label_corpus(1, target)
    assert not target.exists()


def test_refuses_a_folder_with_files(tmp_path):
    (tmp_path / "old.xml").write_text("x")
    with pytest.raises(ValueError, match="exists and is not an empty folder; give a new or empty folder"):
        label_corpus.make_label_corpus(1, tmp_path)


def test_benchmark_smoke_run_writes_both_results(tmp_path):
    """Every stage once at 3 labels, the whole build included, and a 4th size above --build-max-size to show the
    build skipped and estimated; every output is written, no figure is checked."""
    out, scratch = tmp_path / "results", tmp_path / "tmp"
    scratch.mkdir()
    done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "labels.py"), "--sizes", "2,3,4",
                           "--build-max-size", "3", "--out", str(out)],
                          cwd=ROOT, capture_output=True, text=True, timeout=600,
                          env={**os.environ, "TMPDIR": str(scratch)})
    assert done.returncode == 0, done.stderr[-4000:]
    for shown in ("[3 labels] read_labels", "[3 labels] label-stage: labels: 3 of 3 files read",
                  "[3 labels] build: writing the query store", "[data/ only] build-curated",
                  "[4 labels] build: not run above --build-max-size 3; estimated"):
        assert shown in done.stderr  # progress, the children's own included
    assert sorted(p.name for p in out.iterdir()) == ["results.json", "results.md"]
    assert not list(scratch.glob("drugkg-label-bench-*"))  # the corpora and the build's out folders are removed
    results = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert {"date", "command", "options", "machine", "sizes", "memory", "targets", "build_curated"} <= results.keys()
    assert results["build_curated"]["status"] == "ok" and results["build_curated"]["labels"] == 0
    two, three, four = results["sizes"]
    assert [s["labels"] for s in results["sizes"]] == [2, 3, 4]
    assert three["errors"] == [] and two["errors"] == [] and four["errors"] == []
    assert list(three["stages"]) == ["lxml-parse", "read_labels", "read_label-stream", "label-stage",
                                     "label-stage-parts", "build"]
    for stage in three["stages"].values():
        assert stage["status"] == "ok" and stage["labels"] == 3 and stage["error_count"] == 0
        assert {"seconds", "labels_per_second", "peak_mb", "own_peak_mb"} <= stage.keys()
    load, build = three["stages"]["label-stage"], three["stages"]["build"]
    assert {"triples", "output_mb", "retained_mb", "line_table_mb", "beyond_output_mb", "transient_mb"} <= load.keys()
    assert 0 < load["triples"] < build["triples"]  # the build adds the curated data's triples
    assert {"triples", "children_peak_mb", "build_stages", "written_mb"} <= build.keys()
    assert any(name.startswith("reading the labels in LABELS") for name in build["build_stages"])
    assert set(three["throughput_ratio"]) == {"read_labels", "read_label-stream", "label-stage", "label-stage-parts",
                                              "build"}
    parts = three["stages"]["label-stage-parts"]
    assert list(parts["parts_seconds"]) == ["read", "map", "format", "table"]
    assert parts["triples"] == load["triples"]  # the same loop: the same lines
    skipped = four["stages"]["build"]
    assert skipped["status"] == "skipped" and skipped["estimate"]["from_sizes"] == [2, 3]
    assert four["stages"]["label-stage"]["status"] == "ok"
    assert [t["target"] for t in results["targets"]] == [
        "read_labels throughput against lxml.etree.parse", "read_label-stream throughput against lxml.etree.parse",
        "label-stage throughput against lxml.etree.parse", "build throughput against lxml.etree.parse",
        "label-stage throughput against lxml.etree.parse if read cost no more than the baseline's parse",
        "label-stage throughput against lxml.etree.parse if read and map cost no more than the baseline's parse",
        "read_labels: own peak (keeps every record) flat in the number of labels",
        "read_label-stream: own peak flat in the number of labels",
        "label-stage: own peak less its output flat in the number of labels",
        "label-stage: own peak less what it leaves resident flat in the number of labels",
        "build: peak of the process (the graph grows)"]
    build_target = results["targets"][3]
    assert build_target["ok"] is None and build_target["labels"] == 3  # the largest size built; reported, no target
    markdown = (out / "results.md").read_text(encoding="utf-8")
    assert markdown.startswith("# drugkg label benchmark: reading, the label stage, the build\n")
    for heading in ("## Targets and figures", "## Stages", "## The label stage's memory and its output",
                    "## Where the label stage's time goes (`label-stage-parts`)",
                    "## Memory against the number of labels", "## The build, stage by stage", "## Corpora"):
        assert heading in markdown
    assert "`build` (estimate, not run)" in markdown
