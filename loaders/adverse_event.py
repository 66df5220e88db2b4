"""Adverse-event associations: event, frequency band, seriousness, certainty, mechanism, timing, and the broader
event a source names it as a form of (fever as a form of an infusion-related reaction)."""

from drugkg.schema import Keyword, Ref, Text
from drugkg.terms import text
from drugkg.vocab import DKG
from loaders import loader
from loaders._common import KEYWORDS, claim


@loader("adverse-event", {
    "drug": Ref("DrugProduct", required=True),
    "event": Ref("AdverseEvent", required=True),
    "frequency_band": Ref("FrequencyBand"),
    "manifestation_of": Ref("claim:adverse-event"),
    "seriousness": Keyword("serious", "non-serious"),
    "certainty": Keyword("established", "theoretical"),
    "mechanism": Text(),
    "timing": Text(),
    "severity": Text(),
})
def load_adverse_event(record, ctx):
    node, triples = claim(record, ctx, DKG.AdverseEventAssociation,
                          f"{ctx.label(record['drug'])} adverse event: {ctx.label(record['event'])}")
    triples += [(node, DKG.drug, ctx.iri(record["drug"])), (node, DKG.hasAdverseEvent, ctx.iri(record["event"]))]
    if "frequency_band" in record:
        triples.append((node, DKG.hasFrequencyBand, ctx.iri(record["frequency_band"])))
    if "manifestation_of" in record:
        triples.append((node, DKG.manifestationOf, ctx.iri(record["manifestation_of"])))
    for key, predicate in (("seriousness", DKG.hasSeriousness), ("certainty", DKG.hasCertainty)):
        if key in record:
            triples.append((node, predicate, KEYWORDS[record[key]]))
    for key, predicate in (("mechanism", DKG.mechanism), ("timing", DKG.timing), ("severity", DKG.severity)):
        if key in record:
            triples.append((node, predicate, text(record[key])))
    return triples
