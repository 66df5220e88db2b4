"""Alternatives a source names next to the drug (other products or classes of treatment)."""

from drugkg.schema import Ref, Text
from drugkg.terms import text
from drugkg.vocab import DKG
from loaders import loader
from loaders._common import claim


@loader("alternative", {"drug": Ref("DrugProduct", required=True), "alternative": Ref("Intervention", required=True),
                        "context": Text(True)})
def load_alternative(record, ctx):
    node, triples = claim(record, ctx, DKG.AlternativeMention,
                          f"{ctx.label(record['alternative'])} named as an alternative to {ctx.label(record['drug'])}")
    return triples + [(node, DKG.drug, ctx.iri(record["drug"])), (node, DKG.alternative, ctx.iri(record["alternative"])),
                      (node, DKG.context, text(record["context"]))]
