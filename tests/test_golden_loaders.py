"""Loader golden pairs: each ``tests/golden/loaders/CASE.yaml`` record, through its loader, must give exactly the
graph in ``CASE.ttl`` (compared by isomorphism; the failure message is the diff). Orphans fail."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import rdflib
from rdflib.compare import graph_diff, to_isomorphic

import loaders
from drugkg.build import compile_graph
from drugkg.export import sorted_ntriples, write_graph
from tests.conftest import ONTOLOGY, ROOT

GOLDEN = ROOT / "tests" / "golden" / "loaders"
CASES = sorted(p.stem for p in GOLDEN.glob("*.yaml") if not p.stem.startswith("_"))
EXPECTED = sorted(p.stem for p in GOLDEN.glob("*.ttl"))


def test_every_case_has_its_expected_graph_and_back():
    assert CASES == EXPECTED, f"cases without .ttl: {sorted(set(CASES) - set(EXPECTED))}; " \
                              f".ttl without case: {sorted(set(EXPECTED) - set(CASES))}"


def test_every_record_kind_has_a_case():
    uncovered = [k for k in loaders.LOADERS if not any(c == k or c.startswith(k + "-") for c in CASES)]
    assert uncovered == []


def _actual_graph(case: str, tmp_path: Path) -> str:
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(GOLDEN / "_common.yaml", data / "_common.yaml")
    shutil.copy(GOLDEN / f"{case}.yaml", data / f"{case}.yaml")
    compiled = compile_graph(data, ONTOLOGY)
    return sorted_ntriples(loaders.load(compiled.data.by_id[case], compiled.context))


@pytest.mark.parametrize("case", CASES)
def test_loader_output_matches_golden(case, tmp_path, update_golden):
    actual_nt = _actual_graph(case, tmp_path)
    expected_path = GOLDEN / f"{case}.ttl"
    if update_golden:
        write_graph(actual_nt, expected_path, __import__("pyoxigraph").RdfFormat.TURTLE)
    actual = rdflib.Graph().parse(data=actual_nt, format="nt")
    expected = rdflib.Graph().parse(str(expected_path), format="turtle")
    if to_isomorphic(actual) != to_isomorphic(expected):
        _, missing, extra = graph_diff(to_isomorphic(expected), to_isomorphic(actual))
        pytest.fail(f"{case}: loader output differs from {expected_path.name}\n"
                    f"missing:\n{missing.serialize(format='nt')}\nunexpected:\n{extra.serialize(format='nt')}")
