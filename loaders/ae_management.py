"""How adverse events are managed: the action, the agents used, their route."""

from drugkg.schema import Ref, Text
from drugkg.terms import text
from drugkg.vocab import DKG
from loaders import loader
from loaders._common import as_list, claim


@loader("ae-management", {
    "manages": Ref("claim:adverse-event", required=True, many=True),
    "action": Text(True),
    "agents": Ref("Intervention", many=True),
    "route": Ref("Route"),
})
def load_ae_management(record, ctx):
    events = ", ".join(ctx.label(i) for i in as_list(record["manages"]))
    node, triples = claim(record, ctx, DKG.AdverseEventManagement, f"management of {events}")
    triples += [(node, DKG.manages, ctx.iri(i)) for i in as_list(record["manages"])]
    triples.append((node, DKG.action, text(record["action"])))
    triples += [(node, DKG.agent, ctx.iri(i)) for i in as_list(record.get("agents"))]
    if "route" in record:
        triples.append((node, DKG.hasRoute, ctx.iri(record["route"])))
    return triples
