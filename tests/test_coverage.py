"""Coverage: every fact kind the documents support is in the graph, and every such fact names its source
document and section. Where the two documents differ, both claims stand, each with its own source."""

from __future__ import annotations

import pytest

from drugkg.ontology import load_ontology
from tests.conftest import ONTOLOGY, select

# A claim pattern per fact kind: ?claim must be bound; the test adds the provenance pattern.
FACT_KINDS = {
    "drug product names": "?claim dkg:claimProperty dkg:brandName . ?x dkg:genericName ?generic .",
    "drug classes": "?claim dkg:claimProperty dkg:hasDrugClass .",
    "route": "?claim dkg:claimProperty dkg:hasRoute ; dkg:claimSubject/a dkg:DrugProduct .",
    "regulatory approval": "?claim a dkg:RegulatoryApproval ; dkg:agency ?agency ; dkg:approvalDate ?date .",
    "vector and serotype": "?claim dkg:claimProperty dkg:hasVector . ?c2 dkg:claimProperty dkg:hasSerotype .",
    "transgene": "?claim dkg:claimProperty dkg:hasTransgene . ?c2 dkg:claimProperty dkg:encodesGene .",
    "gene variant": "?claim dkg:claimProperty dkg:hasVariant . ?c2 dkg:claimProperty dkg:relativeActivity .",
    "codon optimisation": "?claim dkg:claimProperty dkg:codonOptimized ; dkg:claimObject true .",
    "promoter": "?claim dkg:claimProperty dkg:hasPromoter . ?c2 dkg:claimProperty dkg:expressionRestrictedTo .",
    "target cell": "?claim dkg:claimProperty dkg:targetsCellType .",
    "target organ": "?claim dkg:claimProperty dkg:targetsOrgan .",
    "persistence": "?claim dkg:claimProperty dkg:hasPersistenceMode .",
    "disease": "?claim dkg:claimSubject/a dkg:Disease ; dkg:claimProperty dkg:causedByVariantIn .",
    "indication with population and criteria": """?claim a dkg:Indication ; dkg:hasDisease ?d ; dkg:hasPopulation ?p ;
        dkg:hasEligibilityCriterion ?c ; dkg:hasCriteriaLogic ?logic . ?p dkg:ageRange ?age .""",
    "non-indication": "?claim a dkg:NonIndication ; dkg:hasDisease ?d ; dkg:reason ?r .",
    "dosage regimen": """?claim a dkg:DosageRegimen ; dkg:dose ?dose ; dkg:hasDosingFrequency ?f ; dkg:hasRoute ?r ;
        dkg:infusionRate ?rate . ?dose dkg:numericValue ?v ; dkg:hasUnit/dkg:ucumCode ?u .""",
    "dose adjustment": "?claim a dkg:DoseAdjustment ; dkg:adjusts ?regimen ; dkg:condition ?c ; dkg:action ?a .",
    "adverse event with frequency band": "?claim a dkg:AdverseEventAssociation ; dkg:hasFrequencyBand ?band .",
    "adverse event with seriousness": "?claim a dkg:AdverseEventAssociation ; dkg:hasSeriousness dkg:Serious .",
    "adverse event with mechanism": "?claim a dkg:AdverseEventAssociation ; dkg:mechanism ?m .",
    "adverse event management": "?claim a dkg:AdverseEventManagement ; dkg:manages ?ae ; dkg:agent ?agent .",
    "pre-treatment test": "?claim a dkg:TestRequirement ; dkg:phase dkg:PreTreatment ; dkg:purpose ?p .",
    "monitoring test with schedule": """?claim a dkg:TestRequirement ; dkg:phase dkg:Monitoring ;
        dkg:hasSchedule ?s . ?s dkg:interval ?i .""",
    "test for a population": "?claim a dkg:TestRequirement ; dkg:hasPopulation ?p .",
    "lab test with LOINC": "?claim a dkg:TestRequirement ; dkg:test <https://loinc.org/1742-6> .",
    "clinical trial": "?claim dkg:claimSubject/a dkg:ClinicalTrial ; dkg:claimProperty dkg:participantCount .",
    "trial outcome with value, unit and time point": """?claim a dkg:TrialOutcome ; dkg:hasOutcomeMeasure ?m ;
        dkg:outcomeValue/dkg:hasUnit ?u ; dkg:timePoint/dkg:numericValue ?t .""",
    "trial outcome with participants": "?claim a dkg:TrialOutcome ; dkg:participantCount ?n .",
    "patient guidance: do": "?claim a dkg:PatientGuidance ; dkg:direction dkg:Do .",
    "patient guidance: don't": "?claim a dkg:PatientGuidance ; dkg:direction dkg:Dont .",
    "factor reducing effectiveness": "?claim a dkg:EffectivenessFactor ; dkg:factor ?f ; dkg:mechanism ?m .",
    "research area with status": "?claim a dkg:ResearchArea ; dkg:hasResearchStatus ?s ; dkg:topic ?t .",
    "alternative named": "?claim a dkg:AlternativeMention ; dkg:alternative ?alt .",
}

PROVENANCE = """
?claim prov:wasDerivedFrom ?section . ?section a dkg:DocumentSection ; dcterms:isPartOf ?doc ; dkg:startLine ?line .
?doc a dkg:SourceDocument ; dkg:fileName ?file .
"""


@pytest.mark.parametrize("kind", sorted(FACT_KINDS))
def test_fact_kind_present_with_provenance(built, kind):
    rows = select(built.store, f"SELECT DISTINCT ?claim ?file WHERE {{ {FACT_KINDS[kind]} {PROVENANCE} }}")
    assert rows, f"no {kind} fact with a source document and section"


DKG = "https://w3id.org/drugkg/ontology#"


def test_both_documents_contribute_to_each_major_kind(built):
    rows = select(built.store, """
        SELECT ?class (COUNT(DISTINCT ?doc) AS ?docs) WHERE {
          ?claim a ?class ; prov:wasDerivedFrom/dcterms:isPartOf ?doc . ?doc a dkg:SourceDocument .
          VALUES ?class { dkg:AttributeClaim dkg:AdverseEventAssociation dkg:TestRequirement dkg:TrialOutcome
                          dkg:PatientGuidance dkg:AdverseEventManagement }
        } GROUP BY ?class""")
    assert {r["class"].rsplit("#", 1)[1]: int(r["docs"]) for r in rows} == {
        k: 2 for k in ("AttributeClaim", "AdverseEventAssociation", "TestRequirement", "TrialOutcome",
                       "PatientGuidance", "AdverseEventManagement")
    }


def test_every_claim_has_exactly_one_source_section(built):
    values = " ".join(f"dkg:{c}" for c in load_ontology(ONTOLOGY).claim_classes)
    rows = select(built.store, f"""
        SELECT ?claim (COUNT(?s) AS ?n) WHERE {{
          VALUES ?cls {{ {values} }} ?claim a ?cls .
          OPTIONAL {{ ?claim prov:wasDerivedFrom ?s . ?s a dkg:DocumentSection }}
        }} GROUP BY ?claim HAVING (COUNT(?s) != 1)""")
    assert rows == []
    claims = select(built.store, f"SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE {{ VALUES ?cls {{ {values} }} ?c a ?cls }}")
    assert int(claims[0]["n"]) == built.compiled.counts["claims"]


def _doc_of(claim_pattern: str) -> str:
    return claim_pattern + " ?claim prov:wasDerivedFrom/dcterms:isPartOf ?doc . ?doc a dkg:SourceDocument ."


def test_factor_ix_activity_both_claims_stand(built):
    """Monograph: 39% of normal; explainer: 39.0 IU/dL. Both kept, each with its source, linked as differing (in
    unit only: both are means)."""
    rows = select(built.store, _doc_of("""
        SELECT ?doc ?value ?ucum WHERE {
          ?claim a dkg:TrialOutcome ; dkg:outcomeValue ?q ; dkg:timePoint/dkg:numericValue ?months . FILTER(?months = 6)
          ?q dkg:numericValue ?value ; dkg:hasUnit/dkg:ucumCode ?ucum . FILTER(?value = 39)
    """) + "}")
    base = built.compiled.base
    assert sorted((r["doc"], r["value"], r["ucum"]) for r in rows) == [
        (base + "medfinder-explainer", "39", "[IU]/dL"),
        (base + "monograph", "39", "%{normal}"),  # "39% of normal": percent of normal activity
    ]
    linked = select(built.store, """SELECT ?a ?b WHERE { ?a dkg:differsFrom ?b ; dkg:outcomeValue/dkg:numericValue ?x .
                                    ?b dkg:outcomeValue/dkg:numericValue ?y . FILTER(?x = 39 && ?y = 39) }""")
    assert len(linked) == 2  # symmetric: a->b and b->a
    kind = select(built.store, """SELECT ?kind ?statistic WHERE { ?d dkg:betweenClaim ?a ; dkg:hasDifferenceKind ?kind .
                                   ?a dkg:outcomeValue/dkg:numericValue ?v ; dkg:statistic ?statistic .
                                   FILTER(?v = 39) }""")
    assert [(r["kind"], r["statistic"]) for r in kind] == [(DKG + "UnitDifference", DKG + "Mean")] * 2  # both means


def test_liver_cancer_surveillance_period_both_claims_stand(built):
    """Monograph: for years after treatment (in words); explainer: up to 5 years. Both kept and linked."""
    rows = select(built.store, _doc_of("""
        SELECT ?doc ?max ?words WHERE {
          ?claim a dkg:TestRequirement ; dkg:phase dkg:Monitoring ; dkg:test ?test ; dkg:hasSchedule ?step .
          ?test rdfs:label ?label . FILTER(CONTAINS(LCASE(STR(?label)), "ultrasound"))
          OPTIONAL { ?step dkg:duration/dkg:maxInclusive ?max }
          OPTIONAL { ?step dkg:scheduleDescription ?words }
    """) + "}")
    by_doc = {r["doc"].rsplit("/", 1)[1]: r for r in rows}
    assert set(by_doc) == {"monograph", "medfinder-explainer"}
    assert by_doc["medfinder-explainer"].get("max") == "5"
    assert "max" not in by_doc["monograph"] and by_doc["monograph"].get("words")
    linked = select(built.store, """SELECT ?a WHERE { ?a a dkg:TestRequirement ; dkg:differsFrom ?b .
                                    ?b a dkg:TestRequirement ; dkg:test ?t . ?a dkg:test ?t }""")
    assert linked


def test_likely_identifiers_are_flagged_and_never_mappings(built):
    rows = select(built.store, """
        SELECT ?value ?iri WHERE { ?x a dkg:ExternalIdentifier ; dkg:confidence dkg:Likely ; dkg:identifierValue ?value ;
          dkg:identifies ?entity ; dkg:identifierIRI ?iri .
          FILTER EXISTS { ?entity skos:exactMatch|skos:closeMatch ?iri } }""")
    assert rows == []
    flagged = select(built.store, "SELECT ?v WHERE { ?x dkg:confidence dkg:Likely ; dkg:identifierValue ?v }")
    assert "NCBITaxon:82300" in {r["v"] for r in flagged}
