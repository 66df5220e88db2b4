"""Research areas around a drug, with their status (none, one or both, as the source says), period, population and
trial."""

from drugkg.schema import Field, Ref, Text
from drugkg.terms import date_literal, text
from drugkg.vocab import DKG
from loaders import loader
from loaders._common import KEYWORDS, as_list, claim, phrase, quantity


@loader("research-area", {
    "drug": Ref("DrugProduct", required=True),
    "topic": Text(True),
    "status": Field("keyword", many=True, keywords=("investigational", "observational")),
    "period_start": Field("date"),
    "period_end": Field("date"),
    "population": Ref("Population"),
    "trial": Ref("ClinicalTrial"),
    "duration": Field("quantity"),
})
def load_research_area(record, ctx):
    node, triples = claim(record, ctx, DKG.ResearchArea, f"research on {ctx.label(record['drug'])}: {phrase(record['topic'])}")
    triples += [(node, DKG.drug, ctx.iri(record["drug"])), (node, DKG.topic, text(record["topic"]))]
    triples += [(node, DKG.hasResearchStatus, KEYWORDS[status]) for status in as_list(record.get("status"))]
    for key, predicate in (("period_start", DKG.periodStart), ("period_end", DKG.periodEnd)):
        if key in record:
            triples.append((node, predicate, date_literal(record[key])))
    for key, predicate in (("population", DKG.hasPopulation), ("trial", DKG.trial)):
        if key in record:
            triples.append((node, predicate, ctx.iri(record[key])))
    if "duration" in record:
        duration = ctx.mint(record.id, "duration")
        triples.append((node, DKG.duration, duration))
        triples += quantity(duration, record["duration"], ctx)
    return triples
