"""Dose adjustments: a condition (infusion reaction, organ impairment, ...) and what to do about it; the drug is the
adjusted regimen's drug."""

from drugkg.schema import Ref, Text
from drugkg.terms import text
from drugkg.vocab import DKG
from loaders import loader
from loaders._common import claim, phrase


@loader("dose-adjustment", {"regimen": Ref("claim:dosage-regimen", required=True), "condition": Text(True), "action": Text(True)})
def load_dose_adjustment(record, ctx):
    drug = ctx.record(record["regimen"])["drug"]  # the drug of the regimen it adjusts
    node, triples = claim(record, ctx, DKG.DoseAdjustment,
                          f"{ctx.label(drug)} dose adjustment: {phrase(record['condition'])}")
    return triples + [(node, DKG.drug, ctx.iri(drug)), (node, DKG.adjusts, ctx.iri(record["regimen"])),
                      (node, DKG.condition, text(record["condition"])),
                      (node, DKG.action, text(record["action"]))]
