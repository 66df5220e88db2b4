"""Non-indications: diseases a source says the drug is not for, with the reason."""

from drugkg.schema import Field, Ref, Text
from drugkg.terms import boolean, text
from drugkg.vocab import DKG
from loaders import loader
from loaders._common import claim


@loader("non-indication", {"drug": Ref("DrugProduct", required=True), "disease": Ref("Disease", required=True),
                           "reason": Text(True), "off_label_excluded": Field("bool")})
def load_non_indication(record, ctx):
    node, triples = claim(record, ctx, DKG.NonIndication,
                          f"{ctx.label(record['drug'])} not indicated for {ctx.label(record['disease'])}")
    triples += [(node, DKG.drug, ctx.iri(record["drug"])), (node, DKG.hasDisease, ctx.iri(record["disease"])),
                (node, DKG.reason, text(record["reason"]))]
    if "off_label_excluded" in record:
        triples.append((node, DKG.offLabelExcluded, boolean(record["off_label_excluded"])))
    return triples
