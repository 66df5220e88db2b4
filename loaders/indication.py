"""Indications as nodes: drug, disease, population, eligibility criteria and how they combine, approval."""

from drugkg.schema import Keyword, Ref, Text
from drugkg.terms import text
from drugkg.vocab import DKG
from loaders import loader
from loaders._common import KEYWORDS, as_list, claim


@loader("indication", {
    "drug": Ref("DrugProduct", required=True),
    "disease": Ref("Disease", required=True),
    "population": Ref("Population", required=True),
    "criteria": Ref("EligibilityCriterion", many=True),
    "criteria_logic": Keyword("any", "all"),
    "approval": Ref("claim:approval"),
    "intent": Text(),
})
def load_indication(record, ctx):
    node, triples = claim(record, ctx, DKG.Indication,
                          f"{ctx.label(record['drug'])} for {ctx.label(record['disease'])} in {ctx.label(record['population'])}")
    triples += [(node, DKG.drug, ctx.iri(record["drug"])), (node, DKG.hasDisease, ctx.iri(record["disease"])),
                (node, DKG.hasPopulation, ctx.iri(record["population"]))]
    triples += [(node, DKG.hasEligibilityCriterion, ctx.iri(c)) for c in as_list(record.get("criteria"))]
    if "criteria_logic" in record:
        triples.append((node, DKG.hasCriteriaLogic, KEYWORDS[record["criteria_logic"]]))
    if "approval" in record:
        triples.append((node, DKG.approval, ctx.iri(record["approval"])))
    if "intent" in record:
        triples.append((node, DKG.intent, text(record["intent"])))
    return triples
