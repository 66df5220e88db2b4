"""Test requirements: a test before treatment or for monitoring, with purpose, what its result means for treatment,
population, schedule (each step how often, for how long, until when) and the requirements a source gives as
alternatives to it."""

from drugkg.schema import Field, Keyword, Ref, Text
from drugkg.terms import integer, text
from drugkg.vocab import DKG, RDF, RDFS
from loaders import loader
from loaders._common import KEYWORDS, as_list, claim, quantity


@loader("test-requirement", {
    "drug": Ref("DrugProduct", required=True),
    "test": Ref("MedicalTest", required=True),
    "phase": Keyword("pre-treatment", "monitoring", required=True),
    "purpose": Text(),
    "result_interpretation": Text(),
    "population": Ref("Population"),
    "schedule": Field("schedule"),
    "interchangeable_with": Ref("claim:test-requirement", many=True),
})
def load_test_requirement(record, ctx):
    node, triples = claim(record, ctx, DKG.TestRequirement,
                          f"{ctx.label(record['test'])} ({record['phase']}) for {ctx.label(record['drug'])}")
    triples += [(node, DKG.drug, ctx.iri(record["drug"])), (node, DKG.test, ctx.iri(record["test"])),
                (node, DKG.phase, KEYWORDS[record["phase"]])]
    if "purpose" in record:
        triples.append((node, DKG.purpose, text(record["purpose"])))
    if "result_interpretation" in record:
        triples.append((node, DKG.resultInterpretation, text(record["result_interpretation"])))
    if "population" in record:
        triples.append((node, DKG.hasPopulation, ctx.iri(record["population"])))
    for number, step in enumerate(record.get("schedule", []), start=1):
        part = f"schedule-{number}"
        step_node = ctx.mint(record.id, part)
        triples += [(node, DKG.hasSchedule, step_node), (step_node, RDF.type, DKG.Schedule),
                    (step_node, RDFS.label, text(f"{ctx.label(record['test'])} schedule step {number}")),
                    (step_node, DKG.sequenceNumber, integer(number))]
        for key, predicate in (("interval", DKG.interval), ("duration", DKG.duration), ("until", DKG.scheduleEnd)):
            if key in step:
                value_node = ctx.mint(record.id, part, key)
                triples.append((step_node, predicate, value_node))
                triples += quantity(value_node, step[key], ctx)
        if "description" in step:
            triples.append((step_node, DKG.scheduleDescription, text(step["description"])))
    for other in as_list(record.get("interchangeable_with")):
        triples += [(node, DKG.interchangeableWith, ctx.iri(other)), (ctx.iri(other), DKG.interchangeableWith, node)]
    return triples
