"""Patient guidance: what to do and what not to do, for how long (or for good), and why."""

from drugkg.schema import Field, Keyword, Ref, Text
from drugkg.terms import boolean, text
from drugkg.vocab import DKG
from loaders import loader
from loaders._common import KEYWORDS, claim, phrase, quantity


@loader("patient-guidance", {
    "drug": Ref("DrugProduct", required=True),
    "direction": Keyword("do", "dont", required=True),
    "action": Text(True),
    "duration": Field("quantity"),
    "rationale": Text(),
    "permanent": Field("bool"),
})
def load_patient_guidance(record, ctx):
    verb = "do" if record["direction"] == "do" else "do not"
    node, triples = claim(record, ctx, DKG.PatientGuidance,
                          f"{ctx.label(record['drug'])} guidance ({verb}): {phrase(record['action'])}")
    triples += [(node, DKG.drug, ctx.iri(record["drug"])), (node, DKG.direction, KEYWORDS[record["direction"]]),
                (node, DKG.action, text(record["action"]))]
    if "duration" in record:
        duration = ctx.mint(record.id, "duration")
        triples.append((node, DKG.duration, duration))
        triples += quantity(duration, record["duration"], ctx)
    if "rationale" in record:
        triples.append((node, DKG.rationale, text(record["rationale"])))
    if "permanent" in record:
        triples.append((node, DKG.permanent, boolean(record["permanent"])))
    return triples
