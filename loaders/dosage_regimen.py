"""Dosage regimens: dose with unit, frequency, route, infusion rate, setting."""

from drugkg.schema import Field, Ref, Text
from drugkg.terms import text
from drugkg.vocab import DKG
from loaders import loader
from loaders._common import claim, quantity


@loader("dosage-regimen", {
    "drug": Ref("DrugProduct", required=True),
    "dose": Field("quantity", True),
    "frequency": Ref("DosingFrequency", required=True),
    "route": Ref("Route", required=True),
    "indication": Ref("claim:indication"),
    "population": Ref("Population"),
    "dosage_form": Ref("DosageForm"),
    "infusion_rate": Field("quantity"),
    "setting": Text(),
    "dose_basis": Text(),
})
def load_dosage_regimen(record, ctx):
    node, triples = claim(record, ctx, DKG.DosageRegimen, f"{ctx.label(record['drug'])} dosage regimen")
    dose = ctx.mint(record.id, "dose")
    triples += [(node, DKG.drug, ctx.iri(record["drug"])), (node, DKG.dose, dose),
                (node, DKG.hasDosingFrequency, ctx.iri(record["frequency"])), (node, DKG.hasRoute, ctx.iri(record["route"]))]
    triples += quantity(dose, record["dose"], ctx)
    for key, predicate in (("indication", DKG.forIndication), ("population", DKG.hasPopulation), ("dosage_form", DKG.hasDosageForm)):
        if key in record:
            triples.append((node, predicate, ctx.iri(record[key])))
    if "infusion_rate" in record:
        rate = ctx.mint(record.id, "infusion-rate")
        triples.append((node, DKG.infusionRate, rate))
        triples += quantity(rate, record["infusion_rate"], ctx)
    for key, predicate in (("setting", DKG.administrationSetting), ("dose_basis", DKG.doseBasis)):
        if key in record:
            triples.append((node, predicate, text(record[key])))
    return triples
