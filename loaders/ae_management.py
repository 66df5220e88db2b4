"""How adverse events are managed: the action, the agents used, their route; the drug is the managed claims' drug."""

from drugkg.schema import Ref, Text
from drugkg.terms import text
from drugkg.vocab import DKG
from loaders import loader
from loaders._common import and_list, as_list, claim


@loader("ae-management", {
    "manages": Ref("claim:adverse-event", required=True, many=True),
    "action": Text(True),
    "agents": Ref("Intervention", many=True),
    "route": Ref("Route"),
})
def load_ae_management(record, ctx):
    managed = [ctx.record(i) for i in as_list(record["manages"])]  # adverse-event claims, each naming drug and event
    drugs = list(dict.fromkeys(m["drug"] for m in managed))
    events = and_list(list(dict.fromkeys(ctx.label(m["event"]) for m in managed)))
    noun = "adverse event" if len(managed) == 1 else "adverse events"
    statement = f"management of {and_list([ctx.label(d) for d in drugs])} {noun}: {events}"
    node, triples = claim(record, ctx, DKG.AdverseEventManagement, statement)
    triples += [(node, DKG.drug, ctx.iri(d)) for d in drugs]  # one, unless the managed claims disagree (a violation)
    triples += [(node, DKG.manages, ctx.iri(i)) for i in as_list(record["manages"])]
    triples.append((node, DKG.action, text(record["action"])))
    triples += [(node, DKG.agent, ctx.iri(i)) for i in as_list(record.get("agents"))]
    if "route" in record:
        triples.append((node, DKG.hasRoute, ctx.iri(record["route"])))
    return triples
