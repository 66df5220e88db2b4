"""What a user's own SPARQL meets in the built graph (issue 17, item 7): numbers typed as the data write them, labels
that read as English and tell claims apart, every n-ary claim naming its drug."""

from __future__ import annotations

import re
import shutil
import textwrap
from collections import Counter

import pytest

from drugkg import engine
from drugkg.build import check_graph, compile_graph
from drugkg.errors import DataInvalid
from drugkg.paths import default_checks_dir, default_shapes
from tests.conftest import HEMGENIX_CLAIMS, ONTOLOGY, PREFIXES, ROOT

XSD_INTEGER = "http://www.w3.org/2001/XMLSchema#integer"
XSD_DECIMAL = "http://www.w3.org/2001/XMLSchema#decimal"


def rows(built, query: str) -> list[dict]:
    """The answer on the built store (data, ontology and inferred graph), as {variable: term} rows."""
    solutions = engine.run_local(built.store, PREFIXES + "PREFIX id: <https://w3id.org/drugkg/id/>\n" + query)
    names = [v.value for v in solutions.variables]
    return [{n: row[n] for n in names} for row in solutions]


def test_a_whole_number_written_in_the_data_matches_an_integer_in_a_query(built):
    """The monograph's 39 percent is written 39 (a YAML int): an xsd:integer, so ``dkg:numericValue 39`` finds it
    (SPARQL matches a literal by its datatype too; "39"^^xsd:decimal matched nothing). The explainer's 39.0 IU/dL
    is written with a decimal point and stays an xsd:decimal."""
    found = rows(built, "SELECT ?outcome WHERE { ?outcome dkg:outcomeValue/dkg:numericValue 39 }")
    assert [r["outcome"].value.rsplit("/", 1)[1] for r in found] == ["mono-outcome-fix-activity-6-months"]
    values = rows(built, """SELECT ?outcome ?value WHERE {
        ?outcome dkg:hasOutcomeMeasure <https://w3id.org/drugkg/id/factor-ix-activity-level> ;
          dkg:outcomeValue/dkg:numericValue ?value } ORDER BY ?outcome""")
    assert [(r["outcome"].value.rsplit("/", 1)[1], r["value"].value, r["value"].datatype.value) for r in values] == [
        ("mfx-outcome-fix-activity-6-months", "39", XSD_DECIMAL),
        ("mono-outcome-fix-activity-6-months", "39", XSD_INTEGER),
    ]


def test_counts_are_integers(built):
    """HOPE-B's 54 participants, on the trial and on each outcome that counts them, are xsd:integer (54, never 54.0)."""
    found = rows(built, "SELECT DISTINCT ?n WHERE { ?x dkg:participantCount ?n }")
    assert [(r["n"].value, r["n"].datatype.value) for r in found] == [("54", XSD_INTEGER)]
    assert len(rows(built, "SELECT ?x WHERE { ?x dkg:participantCount 54 }")) == 4  # the trial and 3 outcomes
    # and every number of a quantity is one of the two types, none a string or a double
    typed = rows(built, """SELECT DISTINCT ?type WHERE {
        ?q a dkg:Quantity ; dkg:numericValue|dkg:minInclusive|dkg:minExclusive|dkg:maxInclusive|dkg:maxExclusive ?v
        BIND(DATATYPE(?v) AS ?type) } ORDER BY ?type""")
    assert [r["type"].value for r in typed] == [XSD_DECIMAL, XSD_INTEGER]
    # a whole number beyond 32 bits stays a decimal: Virtuoso would load it as one (drugkg.terms.INTEGER_LIMIT)
    dose = rows(built, "SELECT ?v WHERE { ?r a dkg:DosageRegimen ; dkg:dose/dkg:numericValue ?v }")
    assert [(r["v"].value, r["v"].datatype.value) for r in dose] == [("20000000000000", XSD_DECIMAL)]


def test_labels_read_as_english(built):
    """No label of the Hemgenix graph (data, ontology and inferred graph) shows a record id (mono-..., mfx-...), a
    camelCase property name or a Python boolean: a property is named by its ontology label, a boolean as yes or no,
    a referenced claim by what it is about."""
    labels = [r["label"].value for r in rows(built, "SELECT ?label WHERE { ?x rdfs:label ?label }")]
    assert len(labels) > 400
    code = re.compile(r"\b(mono|mfx)-|\b[a-z]+[A-Z][A-Za-z]*\b|\b(True|False)\b")
    assert [label for label in labels if code.search(label)] == []
    shown = {r["x"].value.rsplit("/", 1)[1]: r["label"].value for r in rows(built, """SELECT ?x ?label WHERE {
        VALUES ?x { id:mono-no-boxed-warning id:mono-hope-b-pivotal id:mono-mgmt-infusion-reaction id:mono-adj-renal
                    id:mono-outcome-fix-activity-6-months id:mono-hope-b-follow-up } ?x rdfs:label ?label }""")}
    assert shown == {
        "mono-no-boxed-warning": "Hemgenix has boxed warning: no (drug monograph, Black Box Warning)",
        "mono-hope-b-pivotal": "HOPE-B is pivotal: yes (drug monograph, Clinical Efficacy and Research Results)",
        "mono-mgmt-infusion-reaction": "management of Hemgenix adverse events: infusion-related reaction, fever, chills "
                                       "and flu-like symptoms (drug monograph, Management Strategies)",
        "mono-adj-renal": "Hemgenix dose adjustment: Renal impairment (drug monograph, Dosage and Administration Protocols)",
        "mono-outcome-fix-activity-6-months": "HOPE-B: endogenous factor IX activity level, 39 percent of normal "
                                              "activity at 6 months (drug monograph, Clinical Efficacy and Research "
                                              "Results)",
        "mono-hope-b-follow-up": "HOPE-B follow-up duration: at most 15 years (drug monograph, Research Areas)",
    }


def test_no_two_claims_share_a_label(built):
    """Two sources stating one fact make two claims, told apart by the source their labels name; the four outcomes
    of HOPE-B on factor IX activity by their value and time point."""
    claims = rows(built, "SELECT ?claim ?label WHERE { ?claim a dkg:Claim ; rdfs:label ?label }")
    assert len(claims) == HEMGENIX_CLAIMS
    assert [label for label, n in Counter(r["label"].value for r in claims).items() if n > 1] == []
    outcomes = rows(built, """SELECT ?label WHERE {
        ?o dkg:hasOutcomeMeasure <https://w3id.org/drugkg/id/factor-ix-activity-level> ; rdfs:label ?label }
        ORDER BY ?label""")
    assert [r["label"].value for r in outcomes] == [
        "HOPE-B: endogenous factor IX activity level (drug monograph, Clinical Efficacy and Research Results)",
        "HOPE-B: endogenous factor IX activity level at 5 years (patient-facing explainer, Step 4: Factor IX "
        "Production Begins)",
        "HOPE-B: endogenous factor IX activity level, 39 international units per decilitre at 6 months "
        "(patient-facing explainer, Step 4: Factor IX Production Begins)",
        "HOPE-B: endogenous factor IX activity level, 39 percent of normal activity at 6 months (drug monograph, "
        "Clinical Efficacy and Research Results)",
    ]


def test_every_n_ary_claim_names_its_drug(built):
    """The adverse-event management and dose adjustment claims named no drug (issue 17, item 7): they now name the
    drug of the claims they manage or of the regimen they adjust, so every claim but an attribute claim names one."""
    found = rows(built, """SELECT ?claim ?drug WHERE {
        VALUES ?kind { dkg:AdverseEventManagement dkg:DoseAdjustment } ?claim a ?kind ; dkg:drug ?drug } ORDER BY ?claim""")
    assert [(r["claim"].value.rsplit("/", 1)[1], r["drug"].value.rsplit("/", 1)[1]) for r in found] == [
        ("mfx-mgmt-corticosteroids", "hemgenix"),
        ("mono-adj-hepatic", "hemgenix"),
        ("mono-adj-infusion-reaction", "hemgenix"),
        ("mono-adj-renal", "hemgenix"),
        ("mono-mgmt-infusion-reaction", "hemgenix"),
        ("mono-mgmt-liver-enzymes", "hemgenix"),
    ]
    assert rows(built, """SELECT ?claim WHERE { ?claim a dkg:Claim .
        FILTER NOT EXISTS { ?claim a dkg:AttributeClaim } FILTER NOT EXISTS { ?claim dkg:drug ?drug } }""") == []


def test_a_management_of_two_drugs_adverse_events_is_refused(tmp_path):
    """The management's drug comes from the claims it manages; managing two drugs' adverse events in one record gives
    it two drugs, which the shape and the claim-drug check refuse, naming the record and the fix."""
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(ROOT / "tests" / "golden" / "loaders" / "_common.yaml", data / "_common.yaml")
    (data / "claims.yaml").write_text(textwrap.dedent("""\
        # SYNTHETIC TEST DATA: not real drug facts.
        adverse-event:
          - {id: ae-other, source: "doc#safety", lines: 2, drug: other-drug, event: rash}
        ae-management:
          - {id: mgmt-both, source: "doc#safety", lines: 3, manages: [ae-x, ae-other], action: stop both drugs}
        """), encoding="utf-8")
    compiled = compile_graph(data, ONTOLOGY)
    store = engine.write_store(None, compiled.ntriples, ONTOLOGY)
    with pytest.raises(DataInvalid) as raised:
        check_graph(compiled, store, ONTOLOGY, default_checks_dir(), default_shapes())
    where = str(data / "claims.yaml")
    assert [(e.file, e.line, e.record, e.message) for e in raised.value.errors] == [
        (where, 5, "mgmt-both", "claim names 2 drugs; it must name exactly one"),  # the check claim-drug-violation
        (where, 5, "mgmt-both (management of Testamab and Othermab adverse events: rash (synthetic test document, "
         "Safety))", "must name exactly one drug (dkg:drug) that is a dkg:DrugProduct; the build takes it from the "
         "managed adverse-event claims, so list in manages the adverse-event records of one drug (one ae-management "
         "record per drug)"),  # the shape
    ]
