"""Factors that reduce a drug's effectiveness, with the mechanism and any mitigation."""

from drugkg.schema import Ref, Text
from drugkg.terms import text
from drugkg.vocab import DKG
from loaders import loader
from loaders._common import claim


@loader("effectiveness-factor", {"drug": Ref("DrugProduct", required=True), "factor": Ref("ClinicalEntity", required=True),
                                 "mechanism": Text(True), "mitigation": Text()})
def load_effectiveness_factor(record, ctx):
    node, triples = claim(record, ctx, DKG.EffectivenessFactor,
                          f"{ctx.label(record['factor'])} may reduce the effectiveness of {ctx.label(record['drug'])}")
    triples += [(node, DKG.drug, ctx.iri(record["drug"])), (node, DKG.factor, ctx.iri(record["factor"])),
                (node, DKG.mechanism, text(record["mechanism"]))]
    if "mitigation" in record:
        triples.append((node, DKG.mitigation, text(record["mitigation"])))
    return triples
