"""Clinical-trial outcomes: measure, value with unit and summary statistic, time point, participants, qualitative
result."""

from drugkg.schema import Field, Keyword, Ref, Text
from drugkg.terms import integer, text
from drugkg.vocab import DKG
from loaders import loader
from loaders._common import KEYWORDS, claim, quantity, quantity_label


def check_outcome(record, checker):
    if "value" not in record and "result" not in record:
        yield "measure", "an outcome needs a value or a result", "add value: {value: N, unit: UNIT} or result: text"


@loader("trial-outcome", {
    "trial": Ref("ClinicalTrial", required=True),
    "drug": Ref("DrugProduct", required=True),
    "measure": Ref("OutcomeMeasure", required=True),
    "value": Field("quantity"),
    "time_point": Field("quantity"),
    "participants": Field("integer"),
    "result": Text(),
    "statistic": Keyword("mean"),
}, check=check_outcome)
def load_trial_outcome(record, ctx):
    # the measure, then what the source found and when: outcomes of one trial and measure differ by those
    statement = f"{ctx.label(record['trial'])}: {ctx.label(record['measure'])}"
    statement += f", {quantity_label(record['value'], ctx)}" if "value" in record else ""
    statement += f" at {quantity_label(record['time_point'], ctx)}" if "time_point" in record else ""
    node, triples = claim(record, ctx, DKG.TrialOutcome, statement)
    triples += [(node, DKG.trial, ctx.iri(record["trial"])), (node, DKG.drug, ctx.iri(record["drug"])),
                (node, DKG.hasOutcomeMeasure, ctx.iri(record["measure"]))]
    for key, predicate, part in (("value", DKG.outcomeValue, "value"), ("time_point", DKG.timePoint, "time-point")):
        if key in record:
            value_node = ctx.mint(record.id, part)
            triples.append((node, predicate, value_node))
            triples += quantity(value_node, record[key], ctx)
    if "participants" in record:
        triples.append((node, DKG.participantCount, integer(record["participants"])))
    if "result" in record:
        triples.append((node, DKG.resultDescription, text(record["result"])))
    if "statistic" in record:
        triples.append((node, DKG.statistic, KEYWORDS[record["statistic"]]))
    return triples
