"""Declared differences between two sources' claims (issue "Every citation checked against its document", item 6):
each has a kind, a second value from another source is refused unless a difference is declared, and with one
declared both claims stand, even on a property of one value per source. Broken cases edit a copy of data/.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest

from drugkg import engine
from drugkg.build import compile_graph
from drugkg.errors import DataInvalid
from drugkg.queries import catalogue
from tests.conftest import DATA, ONTOLOGY, QUERIES, SEEDS, select

PRODUCT = "hemgenix/product.yaml"
CONSTRUCT = "hemgenix/construct.yaml"
# A claim the explainer's introduction (line 18, where it names the product) is made to state, for the tests.
EXPLAINER_CLAIM = """  - id: mfx-test-claim
    source: medfinder-explainer#introduction
    lines: 18
"""


@pytest.fixture
def data(tmp_path) -> Path:
    copy = tmp_path / "data"
    shutil.copytree(DATA, copy)
    return copy


def add(data: Path, kind: str, record: str) -> tuple[Path, int]:
    """Write ``record`` as the one record of a new data file; the file, and the line the record starts on.

    The file sorts before product.yaml, so an error about a pair lands on the product's claim (the later of the two
    in reading order) and names this one."""
    path = data / "hemgenix" / "extra.yaml"
    path.write_text(f"{kind}:\n" + record, encoding="utf-8")
    return path, 2


def line_of(path: Path, record_id: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(n for n, line in enumerate(lines, 1) if line.strip() == f"- id: {record_id}")


def errors_of(data: Path) -> list:
    with pytest.raises(DataInvalid) as caught:
        compile_graph(data, ONTOLOGY, documents=SEEDS)
    return caught.value.errors


def test_a_second_brand_name_from_another_source_is_refused_naming_both_claims(data):
    product = data / PRODUCT
    extra, at = add(data, "attribute", EXPLAINER_CLAIM + "    subject: hemgenix\n    property: brandName\n    value: Hemgenixa\n")
    assert [(e.file, e.line, e.record, e.message) for e in errors_of(data)] == [
        (str(product), line_of(product, "mono-brand-name"), "mono-brand-name",
         f"gives a different brandName of 'hemgenix' from 'mfx-test-claim' ({extra}:{at}), with no difference "
         "declared between them"),
        # and the explainer, which names the product once already, now gives it two names
        (str(product), line_of(product, "mfx-brand-name"), "mfx-brand-name",
         f"gives a second brandName of 'hemgenix' from the same document as 'mfx-test-claim' ({extra}:{at}): a "
         "source gives one value")]


def test_a_second_approval_date_from_another_source_is_refused_naming_both_claims(data):
    product = data / PRODUCT
    extra, at = add(data, "approval", EXPLAINER_CLAIM + '    drug: hemgenix\n    agency: fda\n    date: "2023-01"\n')
    errors = errors_of(data)
    assert [(e.file, e.line, e.record, e.message) for e in errors] == [
        (str(product), line_of(product, "mono-approval-fda"), "mono-approval-fda",
         f"gives a different date of the approval of 'hemgenix' by 'fda' from 'mfx-test-claim' ({extra}:{at}), with "
         "no difference declared between them")]
    assert errors[0].fix.startswith("if the documents do differ, declare it: differs_from: {mfx-test-claim: KIND}")


def test_a_second_value_from_the_same_document_is_refused_even_with_a_difference_declared(data):
    product = data / PRODUCT
    record = ("  - id: mono-test-claim\n    source: monograph#drug-overview\n    lines: 5\n    subject: hemgenix\n"
              "    property: brandName\n    value: Hemgenixa\n    differs_from: {mono-brand-name: wording}\n")
    extra, at = add(data, "attribute", record)
    assert [(e.line, e.record, e.message) for e in errors_of(data)] == [
        (line_of(product, "mono-brand-name"), "mono-brand-name",
         f"gives a second brandName of 'hemgenix' from the same document as 'mono-test-claim' ({extra}:{at}): a "
         "source gives one value"),
        (line_of(product, "mfx-brand-name"), "mfx-brand-name",
         f"gives a different brandName of 'hemgenix' from 'mono-test-claim' ({extra}:{at}), with no difference "
         "declared between them")]


def test_a_declared_boxed_warning_contradiction_is_accepted_and_both_claims_stand(data, tmp_path):
    product = data / PRODUCT
    add(data, "attribute", EXPLAINER_CLAIM + "    subject: hemgenix\n    property: hasBoxedWarning\n    value: true\n"
        "    differs_from: {mono-no-boxed-warning: contradiction}\n")
    compiled = compile_graph(data, ONTOLOGY, documents=SEEDS)
    store = ox.Store()
    store.load(compiled.ntriples.encode("utf-8"), format=ox.RdfFormat.N_TRIPLES)
    store.load(path=str(ONTOLOGY), format=ox.RdfFormat.TURTLE, to_graph=engine.ONTOLOGY_GRAPH)
    flags = select(store, "SELECT ?flag WHERE { <https://w3id.org/drugkg/id/hemgenix> dkg:hasBoxedWarning ?flag }")
    assert sorted(r["flag"] for r in flags) == ["false", "true"]
    saved = catalogue(QUERIES)
    rows = [r for r in engine.run_local(store, saved["differing-claims"].bind({}), "differing-claims")
            if r["claimA"].value.endswith("/mfx-test-claim")]
    assert [(r["differenceKind"].value, r["claimB"].value.rsplit("/", 1)[1]) for r in rows] == [
        ("contradiction", "mono-no-boxed-warning")]
    for check in ("checks/one-value-per-source-violation", "checks/differs-from-violation"):
        assert list(engine.run_local(store, saved[check].bind({}), check)) == []


def test_without_the_declaration_the_same_boxed_warning_claim_is_refused(data):
    product = data / PRODUCT
    add(data, "attribute", EXPLAINER_CLAIM + "    subject: hemgenix\n    property: hasBoxedWarning\n    value: true\n")
    assert [e.message.split(" (")[0] for e in errors_of(data)] == [
        "gives a different hasBoxedWarning of 'hemgenix' from 'mfx-test-claim'"]


@pytest.mark.parametrize(("old", "new", "message"), [
    ("differs_from: {mono-padua-activity: precision}", "differs_from: mono-padua-activity",
     "differs_from must map each claim it differs from to the kind of difference, not 'mono-padua-activity'"),
    ("differs_from: {mono-padua-activity: precision}", "differs_from: {mono-padua-activity: disagreement}",
     "differs_from gives 'mono-padua-activity' the kind 'disagreement'"),
    ("differs_from: {mono-padua-activity: precision}", "differs_from: {mono-padua-activity: contradiction}",
     "differs_from gives its difference with 'mono-padua-activity' the kind 'contradiction', but "
     "'mono-padua-activity' ({construct}:{line}) gives it 'precision'"),
])
def test_a_difference_needs_one_known_kind(data, old, new, message):
    construct = data / CONSTRUCT
    text = construct.read_text(encoding="utf-8")
    start = text.index("  - id: mfx-padua-activity\n")
    end = text.index(old, start) + len(old)
    construct.write_text(text[:start] + text[start:end].replace(old, new) + text[end:], encoding="utf-8")
    line = next(n for n, row in enumerate(construct.read_text(encoding="utf-8").splitlines(), 1)
                if row.strip().startswith("differs_from: {mfx-padua-activity"))
    errors = errors_of(data)
    assert [(e.record, e.message) for e in errors] == [
        ("mfx-padua-activity", message.format(construct=construct, line=line))]
    assert "KIND one of contradiction, scope, precision, unit, wording" in errors[0].fix or "same kind" in errors[0].fix


def test_every_declared_difference_has_its_kind_and_only_contradictions_dispute(built):
    kinds = select(built.store, """
        SELECT ?kind (COUNT(?d) AS ?n) WHERE { ?d a dkg:ClaimDifference ; dkg:hasDifferenceKind ?kind }
        GROUP BY ?kind ORDER BY ?kind""")
    # the seeds' 13 declared pairs, read off them: the monograph's episomal DNA against the explainer's integration
    # (2), its theoretical integration behind liver cancer against the explainer's actual integration (2), and its
    # factor IX levels stable for years against "in most patients" (1); weekly liver tests for 3 months against
    # monthly ones after to a year (2), screening "for years" against "up to 5 years" (2), alcohol for at least a
    # year against the first year (1); up to 8-fold against about 8-fold (2); 39% of normal against 39.0 IU/dL (1)
    assert [(r["kind"].rsplit("#", 1)[1], int(r["n"])) for r in kinds] == [
        ("Contradiction", 5), ("PrecisionDifference", 2), ("ScopeDifference", 5), ("UnitDifference", 1)]
    disputed = built.store.query("SELECT ?c WHERE { ?c a <https://w3id.org/drugkg/ontology#DisputedClaim> } ORDER BY ?c",
                                 use_default_graph_as_union=True)
    assert [r["c"].value.rsplit("/", 1)[1] for r in disputed] == [
        "mfx-ae-hcc", "mfx-faq-ae-hcc", "mfx-faq-persistence", "mfx-outcome-fix-durability", "mfx-persistence",
        "mono-ae-hcc", "mono-outcome-fix-durability", "mono-persistence-episome"]
