"""Regulatory approvals: which agency approved the drug, when, and for what scope."""

from drugkg.schema import Field, Ref, Text
from drugkg.terms import date_literal, text
from drugkg.vocab import DKG
from loaders import loader
from loaders._common import claim


@loader("approval", {"drug": Ref("DrugProduct", required=True), "agency": Ref("Organization", required=True),
                     "date": Field("date", True), "scope": Text()})
def load_approval(record, ctx):
    node, triples = claim(record, ctx, DKG.RegulatoryApproval,
                          f"{ctx.label(record['agency'])} approval of {ctx.label(record['drug'])} ({record['date']})")
    triples += [(node, DKG.drug, ctx.iri(record["drug"])), (node, DKG.agency, ctx.iri(record["agency"])),
                (node, DKG.approvalDate, date_literal(record["date"]))]
    if "scope" in record:
        triples.append((node, DKG.scope, text(record["scope"])))
    return triples
