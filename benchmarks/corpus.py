"""Write a synthetic benchmark corpus: N made-up drugs in drugkg's own YAML input format.

The corpus is for measuring drugkg at scale, never for facts: every drug, disease, gene, test and event is invented,
every label says so ("Synthdrug 00042", "synthetic disease 17"), no entity has an external identifier and every IRI
is minted under a base of its own (``https://example.org/drugkg-synthetic/id/``). ``drugkg build --data DIR``
accepts the folder as it is: it passes the data-quality checks, the SHACL shapes and OWL reasoning.

Each drug is shaped like the real Hemgenix data (``data/hemgenix/``): a product with its gene therapy construct
(vector, serotype, transgene, gene, variant, promoter), an indication with eligibility criteria, non-indications,
a dosage regimen with adjustments, adverse events with seriousness and frequency bands and their management,
pre-treatment and monitoring tests with schedules, a trial with outcomes, effectiveness factors, patient guidance,
research areas and alternatives; about 180 claims from two source documents (a monograph and an explainer), each
naming its document and section, with the same kinds of disagreements (``differs_from``) between the two.
Shared entities (diseases, genes, proteins, adverse events, tests, drug classes, populations, units, ...) come from
pools that grow sub-linearly with the number of drugs (mostly as N^0.6), and each drug picks from them with a skew
towards the first members, so a few entities are hubs that many drugs point at, as in real drug data.

The layout follows ``data/``: ``dataset.yaml`` and ``units.yaml`` at the top, the shared entities in ``shared/``,
and one folder per drug with the file kinds of ``data/hemgenix/``. The same arguments always write byte-identical
files (every choice comes from a seeded random generator, and nothing depends on time or the machine).

Example::

    python benchmarks/corpus.py --drugs 100 --out /tmp/corpus-100
    drugkg build --data /tmp/corpus-100 --out /tmp/corpus-100-dist
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import sys
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

BASE_IRI = "https://example.org/drugkg-synthetic/id/"
ISSUED = "2026-01-01"
HEADER = "# Synthetic benchmark corpus written by benchmarks/corpus.py (--drugs {drugs} --seed {seed}): invented, not facts. Do not edit.\n"

# ---------------------------------------------------------------------------------------------------------------
# YAML text: written directly (yaml.dump is ten times slower and reorders nothing we need)
# ---------------------------------------------------------------------------------------------------------------

_PLAIN = re.compile(r"[A-Za-z][A-Za-z0-9 ,.;()'/#-]*")
_PLAIN_FLOW = re.compile(r"[A-Za-z][A-Za-z0-9 .;()'/#-]*")
_RESERVED = {"y", "n", "yes", "no", "on", "off", "true", "false", "null"}


def scalar(text: str, flow: bool = False) -> str:
    """A string as YAML: plain where that reads back as the same string, else double-quoted.

    >>> scalar("Synthdrug 00042"), scalar("2026-01"), scalar("no"), scalar("a, b", flow=True)
    ('Synthdrug 00042', '"2026-01"', '"no"', '"a, b"')
    """
    pattern = _PLAIN_FLOW if flow else _PLAIN
    if (pattern.fullmatch(text) and " #" not in text and not text.endswith(" ")
            and text.lower() not in _RESERVED):
        return text
    return json.dumps(text, ensure_ascii=False)


def value_text(value, flow: bool = False) -> str:
    """Any field value (text, bool, number, flow list or mapping) as YAML."""
    if isinstance(value, str):  # by far the most common, so tested first
        return scalar(value, flow)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(value_text(item, True) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{key}: {value_text(item, True)}" for key, item in value.items()) + "}"
    raise TypeError(f"cannot write {value!r} as YAML")


def yaml_file(header: str, blocks: Iterable[tuple[str, list[dict]]], starts: dict[str, int] | None = None) -> str:
    """A data file: each block is a record kind and its records; a list of mappings becomes a block list. A claim
    cites the start line of its source section (``starts``: ``DOC#SECTION`` -> line), as its ``lines``."""
    out = [header]
    for kind, records in blocks:
        if not records:
            continue
        out.append(f"{kind}:\n")
        for record in records:
            lead = "  - "
            for key, value in record.items():
                if value is None:
                    continue
                if isinstance(value, str):
                    out.append(f"{lead}{key}: {scalar(value)}\n")
                    if key == "source" and starts is not None:
                        out.append(f"    lines: {starts[value]}\n")
                elif isinstance(value, list) and value and isinstance(value[0], dict):
                    out.append(f"{lead}{key}:\n")
                    out.extend(f"      - {value_text(item, True)}\n" for item in value)
                else:
                    out.append(f"{lead}{key}: {value_text(value)}\n")
                lead = "    "
    return "".join(out)


# ---------------------------------------------------------------------------------------------------------------
# Shared pools
# ---------------------------------------------------------------------------------------------------------------


def sublinear(drugs: int, scale: float, exponent: float, floor: int) -> int:
    """A pool size that grows as ``scale * drugs ** exponent``, never below ``floor``.

    >>> [sublinear(n, 4, 0.6, 16) for n in (1, 100, 10000)]
    [16, 63, 1005]
    """
    return max(floor, round(scale * drugs**exponent))


@dataclass(frozen=True)
class Pools:
    """How many shared entities of each kind a corpus of ``drugs`` drugs has (ids are numbered from 1)."""

    drugs: int
    diseases: int
    findings: int
    genes: int  # gene k encodes protein k
    adverse_events: int
    tests: int
    classes: int
    substances: int
    adult_populations: int
    pediatric_populations: int
    general_populations: int
    criteria: int
    outcomes: int
    serotypes: int  # every fourth is a non-AAV viral serotype
    cell_types: int
    organs: int
    persistence_modes: int
    inheritance_patterns: int
    routes: int
    dosage_forms: int
    frequencies: int
    bands: int
    agencies: int
    publishers: int
    authors: int
    dose_units: int
    level_units: int

    @classmethod
    def for_drugs(cls, drugs: int) -> Pools:
        """The pool sizes for a corpus of ``drugs`` drugs.

        >>> Pools.for_drugs(10000).diseases, Pools.for_drugs(10000).adverse_events
        (1005, 2010)
        """
        return cls(
            drugs=drugs,
            diseases=sublinear(drugs, 4, 0.6, 16),
            findings=sublinear(drugs, 3, 0.6, 12),
            genes=sublinear(drugs, 2, 0.6, 8),
            adverse_events=sublinear(drugs, 8, 0.6, 40),
            tests=sublinear(drugs, 5, 0.6, 24),
            classes=sublinear(drugs, 2, 0.6, 10),
            substances=sublinear(drugs, 1, 0.6, 6),
            adult_populations=sublinear(drugs, 1, 0.5, 4),
            pediatric_populations=sublinear(drugs, 1, 0.5, 4),
            general_populations=sublinear(drugs, 2, 0.5, 6),
            criteria=sublinear(drugs, 3, 0.5, 8),
            outcomes=sublinear(drugs, 3, 0.5, 10),
            serotypes=sublinear(drugs, 1, 0.35, 4),
            cell_types=sublinear(drugs, 1, 0.4, 4),
            organs=sublinear(drugs, 1, 0.4, 4),
            persistence_modes=sublinear(drugs, 1, 0.3, 3),
            inheritance_patterns=sublinear(drugs, 1, 0.2, 4),
            routes=sublinear(drugs, 1, 0.3, 3),
            dosage_forms=sublinear(drugs, 1, 0.4, 4),
            frequencies=sublinear(drugs, 1, 0.3, 3),
            bands=4,
            agencies=sublinear(drugs, 1, 0.3, 2),
            publishers=sublinear(drugs, 1, 0.4, 3),
            authors=sublinear(drugs, 2, 0.5, 4),
            dose_units=sublinear(drugs, 1, 0.3, 2),
            level_units=sublinear(drugs, 1, 0.3, 2),
        )


def kinds(claims: str | list[str], kind: str) -> dict[str, str]:
    """A ``differs_from`` mapping: each claim id with the kind of difference, as Hemgenix's pairs have them.

    >>> kinds(["a", "b"], "scope")
    {'a': 'scope', 'b': 'scope'}
    """
    return {claim: kind for claim in ([claims] if isinstance(claims, str) else claims)}


def pick(rng: random.Random, size: int) -> int:
    """One member (1-based) of a pool of ``size``, skewed towards the first ones so that some become hubs."""
    return int(size * rng.random() ** 2) + 1


def picks(rng: random.Random, size: int, count: int, exclude: Iterable[int] = ()) -> list[int]:
    """``count`` distinct members of a pool (fewer if the pool is too small), skewed like :func:`pick`."""
    taken = set(exclude)
    count = min(count, size - len(taken))
    chosen: list[int] = []
    while len(chosen) < count:
        member = pick(rng, size)
        if member not in taken:
            taken.add(member)
            chosen.append(member)
    return chosen


def entity(ident: str, type_: str, label: str, description: str | None = None, alt_labels: list[str] | None = None) -> dict:
    """An entity record (fields left as None are not written)."""
    return {"id": ident, "type": type_, "label": label, "alt_labels": alt_labels, "description": description}


# What the shared entities say about themselves, the same from every drug's documents (so no two documents
# contradict each other by accident; the disagreements are the deliberate differs_from pairs).


def disease_gene(pools: Pools, disease: int) -> int:
    """The gene whose variants cause a disease."""
    return (disease * 7) % pools.genes + 1


def disease_is_rare(disease: int) -> bool:
    """Whether a disease is rare."""
    return disease % 3 != 0


def disease_inheritance(pools: Pools, disease: int) -> int:
    """The specific inheritance pattern (pattern 1 is the unspecific 'hereditary, mode not given')."""
    return disease % (pools.inheritance_patterns - 1) + 2


def disease_manifestations(pools: Pools, seed: int, disease: int) -> list[int]:
    """The four clinical findings a disease manifests as."""
    return picks(random.Random(f"{seed}:disease:{disease}"), pools.findings, 4)


def disease_population(pools: Pools, disease: int) -> int:
    """The general population a disease primarily affects."""
    return disease % pools.general_populations + 1


def protein_organ(pools: Pools, gene: int) -> int:
    """The organ that makes the protein of a gene."""
    return gene % pools.organs + 1


def serotype_type(serotype: int) -> str:
    """The entity type of a serotype: every fourth is not an AAV serotype."""
    return "ViralSerotype" if serotype % 4 == 0 else "AAVSerotype"


def serotype_cell_type(pools: Pools, serotype: int) -> int:
    """The cell type a serotype homes to."""
    return serotype % pools.cell_types + 1


def class_route(pools: Pools, drug_class: int) -> int:
    """The route of a drug class."""
    return drug_class % pools.routes + 1


def class_frequency(drug_class: int) -> dict:
    """How often a drug class is usually given, as a quantity."""
    low = 1 + drug_class % 3
    return {"min": low, "max": low + 1, "unit": "per-week"}


def adult_age(population: int) -> dict:
    """The age range of an adult population."""
    return {"min": (18, 16, 21, 12)[population % 4], "unit": "year"}


def pediatric_age(population: int) -> dict:
    """The age range of a pediatric population."""
    return {"max_exclusive": (18, 12, 6, 16)[population % 4], "unit": "year"}


BAND_RANGES = {
    1: {"min_exclusive": 10, "unit": "percent"},
    2: {"min": 1, "max": 10, "unit": "percent"},
    3: {"min": 0.1, "max_exclusive": 1, "unit": "percent"},
    4: {"max_exclusive": 0.1, "unit": "percent"},
}

# Units with a real UCUM code (the unit kind requires one); the synthetic dose and level units use UCUM
# annotations ({...}), which are valid codes that name nothing real.
BASE_UNITS = [
    ("percent", "percent", "%"),
    ("year", "year", "a"),
    ("month", "month", "mo"),
    ("week", "week", "wk"),
    ("day", "day", "d"),
    ("per-week", "per week", "/wk"),
    ("kilogram", "kilogram", "kg"),
    ("ml-per-min", "millilitre per minute", "mL/min"),
    ("fold", "fold (ratio)", "1"),
]


def shared_files(pools: Pools, seed: int, header: str) -> dict[str, str]:
    """The top-level and shared files: dataset metadata, units and every shared entity pool."""
    p = pools
    dataset = (
        header
        + "dataset:\n"
        + "  id: drugkg-synthetic-corpus\n"
        + f"  title: {scalar(f'drugkg synthetic benchmark corpus ({p.drugs} drugs)')}\n"
        + "  description: "
        + scalar(
            f"A synthetic benchmark corpus written by benchmarks/corpus.py with seed {seed}: {p.drugs} invented drugs "
            "shaped like the curated Hemgenix data, for measuring drugkg at scale. Every drug, disease, gene, test and "
            "event is made up; nothing in it is a fact."
        )
        + "\n"
        + '  version: "0.0.0-synthetic"\n'
        + f'  issued: "{ISSUED}"\n'
        + "  license: https://creativecommons.org/publicdomain/zero/1.0/\n"
        + "  creator: benchmarks/corpus.py (synthetic)\n"
        + f"  base_iri: {BASE_IRI}\n"
    )
    units = [{"id": ident, "label": f"{label} (synthetic corpus unit)", "ucum": code} for ident, label, code in BASE_UNITS]
    units += [{"id": f"synth-dose-unit-{k}", "label": f"synthetic dose unit {k} per kilogram", "ucum": f"{{synth-dose-{k}}}/kg"}
              for k in range(1, p.dose_units + 1)]
    units += [{"id": f"synth-level-unit-{k}", "label": f"synthetic level unit {k} per decilitre", "ucum": f"{{synth-level-{k}}}/dL"}
              for k in range(1, p.level_units + 1)]

    def pool(count: int, ident: str, type_: str, label: str, described: bool = False) -> list[dict]:
        """Entities ident-1 .. ident-count, labelled 'label k'; every other one described."""
        return [entity(f"{ident}-{k}", type_, f"{label} {k}",
                       f"Invented for the synthetic benchmark corpus; {label} {k} is not a real one." if described and k % 2 else None)
                for k in range(1, count + 1)]

    diseases = pool(p.diseases, "synth-disease", "Disease", "synthetic disease", True)
    findings = pool(p.findings, "synth-finding", "ClinicalFinding", "synthetic clinical finding")
    findings += [entity(f"synth-serotype-{k}-antibodies", "ClinicalFinding", f"pre-existing antibodies to synthetic serotype {k}")
                 for k in range(1, p.serotypes + 1)]
    inheritance = [entity("synth-inheritance-1", "InheritancePattern", "synthetic inheritance pattern 1 (hereditary, mode not given)")]
    inheritance += pool(p.inheritance_patterns, "synth-inheritance", "InheritancePattern", "synthetic inheritance pattern")[1:]
    genes = [entity(f"synth-gene-{k}", "Gene", f"SYNG{k} (synthetic gene {k})", alt_labels=[f"synthetic gene {k}"])
             for k in range(1, p.genes + 1)]
    proteins = pool(p.genes, "synth-protein", "Protein", "synthetic protein")
    serotypes = [entity(f"synth-serotype-{k}", serotype_type(k),
                        f"synthetic {'AAV-like' if serotype_type(k) == 'AAVSerotype' else 'non-AAV viral'} serotype {k}")
                 for k in range(1, p.serotypes + 1)]
    biology = (pool(p.cell_types, "synth-cell-type", "CellType", "synthetic cell type")
               + pool(p.organs, "synth-organ", "AnatomicalStructure", "synthetic organ")
               + pool(p.persistence_modes, "synth-persistence", "PersistenceMode", "synthetic persistence mode"))
    populations = (pool(p.adult_populations, "synth-adult-population", "Population", "synthetic adult population")
                   + pool(p.pediatric_populations, "synth-pediatric-population", "Population", "synthetic pediatric population")
                   + pool(p.general_populations, "synth-population", "Population", "synthetic population")
                   + pool(p.criteria, "synth-criterion", "EligibilityCriterion", "synthetic eligibility criterion"))
    administration = (pool(p.routes, "synth-route", "Route", "synthetic route")
                      + pool(p.dosage_forms, "synth-dosage-form", "DosageForm", "synthetic dosage form")
                      + pool(p.frequencies, "synth-dosing-frequency", "DosingFrequency", "synthetic dosing frequency")
                      + pool(p.bands, "synth-frequency-band", "FrequencyBand", "synthetic frequency band"))
    agents = (pool(p.agencies, "synth-agency", "Organization", "synthetic regulatory agency")
              + pool(p.publishers, "synth-publisher", "Organization", "synthetic publisher")
              + pool(p.authors, "synth-author", "Person", "synthetic author"))
    return {
        "dataset.yaml": dataset,
        "units.yaml": yaml_file(header, [("unit", units)]),
        "shared/diseases.yaml": yaml_file(header, [("entity", diseases + findings + inheritance)]),
        "shared/genes.yaml": yaml_file(header, [("entity", genes + proteins)]),
        "shared/biology.yaml": yaml_file(header, [("entity", serotypes + biology)]),
        "shared/adverse-events.yaml": yaml_file(
            header, [("entity", pool(p.adverse_events, "synth-ae", "AdverseEvent", "synthetic adverse event", True))]),
        "shared/tests.yaml": yaml_file(header, [("entity", pool(p.tests, "synth-test", "MedicalTest", "synthetic lab test"))]),
        "shared/drug-classes.yaml": yaml_file(
            header, [("entity", pool(p.classes, "synth-class", "DrugClass", "synthetic drug class", True)
                      + pool(p.substances, "synth-substance", "DrugSubstance", "synthetic substance"))]),
        "shared/populations.yaml": yaml_file(header, [("entity", populations)]),
        "shared/outcomes.yaml": yaml_file(header, [("entity", pool(p.outcomes, "synth-outcome", "OutcomeMeasure", "synthetic outcome measure"))]),
        "shared/administration.yaml": yaml_file(header, [("entity", administration)]),
        "shared/agents.yaml": yaml_file(header, [("entity", agents)]),
    }


# ---------------------------------------------------------------------------------------------------------------
# One drug
# ---------------------------------------------------------------------------------------------------------------

# The synthetic documents have no files: the corpus is built without a documents folder (drugkg build's
# --documents checks only real ones), and each record states the SHA-256 of the empty file, marked as such here.
NO_FILE_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

MONOGRAPH_SECTIONS = [  # (id, title, parent), in the order of data/hemgenix/sources.yaml
    ("drug-overview", "Synthetic drug overview", None),
    ("mechanism-of-action", "Synthetic mechanism of action", None),
    ("approved-indications", "Synthetic approved indications", None),
    ("primary-indication", "Synthetic primary indication", "approved-indications"),
    ("other-uses", "Synthetic other uses", "approved-indications"),
    ("dosage-and-administration", "Synthetic dosage and administration", None),
    ("clinical-efficacy", "Synthetic clinical efficacy", None),
    ("safety-profile", "Synthetic safety profile", None),
    ("boxed-warning", "Synthetic boxed warning", "safety-profile"),
    ("common-side-effects", "Synthetic common side effects", "safety-profile"),
    ("serious-adverse-events", "Synthetic serious adverse events", "safety-profile"),
    ("management-strategies", "Synthetic management strategies", "safety-profile"),
    ("research-areas", "Synthetic research areas", None),
    ("research-disclaimer", "Synthetic research disclaimer", None),
    ("patient-management", "Synthetic patient management", None),
    ("pre-treatment-tests", "Synthetic pre-treatment tests", "patient-management"),
    ("precautions-during-treatment", "Synthetic precautions during treatment", "patient-management"),
    ("dos-and-donts", "Synthetic dos and don'ts", "patient-management"),
    ("legal-disclaimer", "Synthetic legal disclaimer", None),
]
EXPLAINER_SECTIONS = [
    ("introduction", "Synthetic introduction", None),
    ("root-cause", "Synthetic root cause", None),
    ("step-1-vector", "Synthetic step 1: the vector", None),
    ("step-2-variant", "Synthetic step 2: the variant", None),
    ("step-3-after-infusion", "Synthetic step 3: after infusion", None),
    ("step-4-protein-production", "Synthetic step 4: protein production", None),
    ("immune-complications", "Synthetic immune complications", None),
    ("faq", "Synthetic frequently asked questions", None),
    ("editorial-standards", "Synthetic editorial standards", None),
    ("also-looked-for", "Synthetic also looked for", None),
]

FILLER = ("placeholder", "synthetic", "invented", "benchmark", "filler", "made-up", "sample", "dummy", "generated", "stand-in")


class Drug:
    """Everything one synthetic drug's files say, drawn from seeded random generators of its own.

    The choices that several files share (the disease, gene, serotype, events, ...) are made here; each file's
    own details come from a generator seeded with the drug and the file name (see :meth:`files`).
    """

    def __init__(self, number: int, pools: Pools, seed: int, width: int):
        self.number = number
        self.pools = pools
        self.seed = seed
        self.rng = rng = random.Random(f"{seed}:drug:{number}")
        self.code = f"{number:0{width}d}"
        self.id = f"synthdrug-{self.code}"
        self.label = f"Synthdrug {self.code}"
        self.width = width
        self.mono = f"{self.id}-monograph"
        self.expl = f"{self.id}-explainer"
        p = pools
        self.disease = pick(rng, p.diseases)
        self.gene = disease_gene(p, self.disease)
        self.organ = protein_organ(p, self.gene)
        self.cell_type = pick(rng, p.cell_types)
        self.serotype = pick(rng, p.serotypes)
        self.classes = picks(rng, p.classes, 3)
        self.alternative_class = picks(rng, p.classes, 1, self.classes)[0]
        self.route = pick(rng, p.routes)
        self.agent_route = picks(rng, p.routes, 1, [self.route])[0] if p.routes > 1 else self.route
        self.dosage_form = pick(rng, p.dosage_forms)
        self.frequency = pick(rng, p.frequencies)
        self.persistence = picks(rng, p.persistence_modes, 2)
        self.adults = pick(rng, p.adult_populations)
        self.children = pick(rng, p.pediatric_populations)
        self.risk_population = pick(rng, p.general_populations)
        self.expl_risk_population = pick(rng, p.general_populations)
        self.band_common = rng.choice((1, 2))
        self.common_events = picks(rng, p.adverse_events, rng.randint(6, 10))
        self.serious_events = picks(rng, p.adverse_events, rng.randint(2, 6), self.common_events)
        self.non_indicated = picks(rng, p.diseases, rng.randint(2, 4), [self.disease])
        others = [k for k in range(1, p.drugs + 1) if k != number] if p.drugs <= 5 else None
        if others is None:  # alternatives are other synthetic drugs, picked without building the whole list
            chosen: list[int] = []
            while len(chosen) < 4:
                k = rng.randint(1, p.drugs)
                if k != number and k not in chosen:
                    chosen.append(k)
            others = chosen
        self.other_drugs = others[:4]

    # ---- small helpers

    def text(self, what: str, number: int | str = "", words: int = 8) -> str:
        """Visibly synthetic prose of roughly real length."""
        filler = " ".join(self.rng.choices(FILLER, k=words))
        return f"Synthetic {what}{f' {number}' if number != '' else ''} for {self.label}, {filler}."

    def maybe_note(self, chance: float = 0.3) -> str | None:
        """A note on about ``chance`` of the claims, as in the real data."""
        return self.text("note", words=10) if self.rng.random() < chance else None

    def m(self, section: str) -> str:
        """A source in the monograph."""
        return f"{self.mono}#{section}"

    def e(self, section: str) -> str:
        """A source in the explainer."""
        return f"{self.expl}#{section}"

    def cid(self, doc: str, name: str) -> str:
        """A claim id: drug, then the short source prefix (mono, expl), then a name."""
        return f"{self.id}-{doc}-{name}"

    def attribute(self, doc: str, name: str, source: str, subject: str, prop: str, *, obj=None, value=None,
                  quantity=None, note=None, differs=None) -> dict:
        """An attribute claim record: exactly one of ``obj``, ``value`` and ``quantity`` is given."""
        return {"id": self.cid(doc, name), "source": source, "subject": subject, "property": prop, "object": obj,
                "value": value, "quantity": quantity, "note": note, "differs_from": differs}

    def other_code(self, other: int) -> str:
        """The zero-padded number of another drug."""
        return f"{other:0{self.width}d}"

    # ---- ids of this drug's own entities

    @property
    def construct(self) -> str:
        """The id of the drug's construct."""
        return f"{self.id}-construct"

    @property
    def vector(self) -> str:
        """The id of the drug's vector."""
        return f"{self.id}-vector"

    @property
    def transgene(self) -> str:
        """The id of the drug's transgene."""
        return f"{self.id}-transgene"

    @property
    def variant(self) -> str:
        """The id of the drug's variant."""
        return f"{self.id}-variant"

    @property
    def promoter(self) -> str:
        """The id of the drug's promoter."""
        return f"{self.id}-promoter"

    @property
    def trial(self) -> str:
        """The id of the drug's trial."""
        return f"{self.id}-trial"

    # ---- files

    def files(self, header: str) -> dict[str, str]:
        """Every file of this drug's folder, by name."""
        builders = {
            "sources.yaml": self.sources, "entities.yaml": self.entities, "product.yaml": self.product,
            "construct.yaml": self.construct_facts, "disease.yaml": self.disease_facts,
            "indications.yaml": self.indications, "dosage.yaml": self.dosage, "safety.yaml": self.safety,
            "tests.yaml": self.tests, "trials.yaml": self.trials, "effectiveness.yaml": self.effectiveness,
            "guidance.yaml": self.guidance, "research.yaml": self.research, "alternatives.yaml": self.alternatives,
        }
        files: dict[str, str] = {}
        starts: dict[str, int] = {}  # DOC#SECTION -> its start line, from sources.yaml (built first)
        for name, build in builders.items():
            # each file draws from its own generator, so the files do not depend on the order they are built in
            self.rng = random.Random(f"{self.seed}:drug:{self.number}:{name}")
            blocks = build()
            if name == "sources.yaml":
                starts = {f"{doc['id']}#{section['id']}": section["line"]
                          for kind, docs in blocks if kind == "document" for doc in docs for section in doc["sections"]}
            files[name] = yaml_file(header, blocks, starts)
        return files

    def sources(self):
        """sources.yaml: the monograph and the explainer with their sections."""
        rng = self.rng

        def sections(spec):
            line, out = 1, []
            for ident, title, parent in spec:
                section = {"id": ident, "title": title, "line": line}
                if parent:
                    section["parent"] = parent
                out.append(section)
                line += rng.randint(1, 9)
            return out

        year = 2020 + rng.randint(0, 6)
        return [("document", [
            {"id": self.mono, "title": f"{self.label} synthetic drug monograph", "kind": "synthetic drug monograph",
             "file": f"{self.id}-monograph.txt", "sha256": NO_FILE_SHA256, "sections": sections(MONOGRAPH_SECTIONS)},
            {"id": self.expl, "title": f"How does {self.label} work? A synthetic explainer", "kind": "synthetic patient-facing explainer",
             "file": f"{self.id}-explainer.txt", "sha256": NO_FILE_SHA256,
             "publisher": f"synth-publisher-{pick(rng, self.pools.publishers)}",
             "author": f"synth-author-{pick(rng, self.pools.authors)}",
             "date_modified": f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
             "sections": sections(EXPLAINER_SECTIONS)},
        ])]

    def entities(self):
        """entities.yaml: the drug's own entities (everything else is shared)."""
        d = self
        return [("entity", [
            entity(d.id, "DrugProduct", d.label, f"Invented one-time synthetic gene therapy product {d.code}; not a real drug.",
                   [d.label.upper()]),
            entity(d.construct, "GeneTherapyConstruct", f"synthecogene {d.code} (synthetic construct)",
                   f"The synthetic vector and transgene that are the active substance of {d.label}.", [f"synthecogene {d.code}-synth"]),
            entity(d.vector, "Vector", f"{d.label} synthetic vector"),
            entity(d.transgene, "Transgene", f"{d.label} synthetic transgene"),
            entity(d.variant, "GeneVariant", f"synthetic variant {d.code} of SYNG{d.gene}", alt_labels=[f"SYNV{d.code}"]),
            entity(d.promoter, "Promoter", f"{d.label} synthetic promoter"),
            entity(d.trial, "ClinicalTrial", f"SYNTH-TRIAL-{d.code}"),
            entity(f"{d.id}-trial-participants", "Population", f"SYNTH-TRIAL-{d.code} synthetic trial participants"),
            entity(f"{d.id}-antibody-positive", "Population", f"patients with antibodies to synthetic serotype {d.serotype} ({d.label})"),
            entity(f"{d.id}-kit", "DosageForm", f"{d.label} synthetic kit", f"A synthetic kit presentation of {d.label}."),
        ])]

    def product(self):
        """product.yaml: names, active substance, classes, route, dosage forms, boxed warning, approval."""
        d, m, e = self, self.m, self.e
        brand, generic = d.label, f"synthecogene {d.code}-synth"
        attrs = [
            d.attribute("mono", "brand-name", m("drug-overview"), d.id, "brandName", value=brand, note=d.maybe_note()),
            d.attribute("expl", "brand-name", e("introduction"), d.id, "brandName", value=brand),
            d.attribute("mono", "generic-name", m("drug-overview"), d.id, "genericName", value=generic),
            d.attribute("expl", "generic-name", e("introduction"), d.id, "genericName", value=generic),
            d.attribute("mono", "active-substance", m("drug-overview"), d.id, "hasActiveSubstance", obj=d.construct, note=d.maybe_note()),
            d.attribute("expl", "active-substance", e("introduction"), d.id, "hasActiveSubstance", obj=d.construct),
        ]
        attrs += [d.attribute("mono", f"class-{k}", m("drug-overview"), d.id, "hasDrugClass", obj=f"synth-class-{c}")
                  for k, c in enumerate(d.classes, start=1)]
        attrs += [
            d.attribute("mono", "mechanism-class", m("mechanism-of-action"), d.id, "hasDrugClass", obj=f"synth-class-{d.classes[-1]}",
                        note=d.maybe_note()),
            d.attribute("expl", "class", e("introduction"), d.id, "hasDrugClass", obj=f"synth-class-{d.classes[0]}", note=d.maybe_note()),
            d.attribute("mono", "route", m("drug-overview"), d.id, "hasRoute", obj=f"synth-route-{d.route}"),
            d.attribute("expl", "route", e("step-3-after-infusion"), d.id, "hasRoute", obj=f"synth-route-{d.route}"),
            d.attribute("expl", "faq-route", e("faq"), d.id, "hasRoute", obj=f"synth-route-{d.route}"),
            d.attribute("mono", "dosage-form", m("dosage-and-administration"), d.id, "hasDosageForm",
                        obj=f"synth-dosage-form-{d.dosage_form}", note=d.maybe_note()),
            d.attribute("expl", "dosage-form-kit", e("also-looked-for"), d.id, "hasDosageForm", obj=f"{d.id}-kit"),
            d.attribute("mono", "boxed-warning", m("boxed-warning"), d.id, "hasBoxedWarning", value=d.rng.random() < 0.2),
        ]
        approval = {"id": d.cid("mono", "approval"), "source": m("drug-overview"), "drug": d.id,
                    "agency": f"synth-agency-{pick(d.rng, d.pools.agencies)}",
                    "date": f"{2015 + d.rng.randint(0, 10)}-{d.rng.randint(1, 12):02d}",
                    "scope": d.text("approval scope", words=6)}
        return [("attribute", attrs), ("approval", [approval])]

    def construct_facts(self):
        """construct.yaml: vector, serotype, transgene, gene, variant, promoter, targets, persistence."""
        d, m, e, rng = self, self.m, self.e, self.rng
        a = d.attribute
        serotype, gene, protein = f"synth-serotype-{d.serotype}", f"synth-gene-{d.gene}", f"synth-protein-{d.gene}"
        organ, cell = f"synth-organ-{d.organ}", f"synth-cell-type-{d.cell_type}"
        persistence = [f"synth-persistence-{k}" for k in d.persistence]
        activity = rng.randint(2, 12)
        codon = rng.random() < 0.8
        mono_activity, expl_activity = d.cid("mono", "variant-activity"), [d.cid("expl", "variant-activity"), d.cid("expl", "faq-variant-activity")]
        mono_persist = d.cid("mono", "persistence")
        expl_persist = [d.cid("expl", "persistence"), d.cid("expl", "faq-persistence")]
        n = d.maybe_note
        attrs = [
            a("mono", "has-vector", m("mechanism-of-action"), d.construct, "hasVector", obj=d.vector, note=n()),
            a("expl", "has-vector", e("step-1-vector"), d.construct, "hasVector", obj=d.vector, note=n()),
            a("expl", "faq-has-vector", e("faq"), d.construct, "hasVector", obj=d.vector),
            a("mono", "vector-serotype", m("mechanism-of-action"), d.vector, "hasSerotype", obj=serotype),
            a("expl", "intro-vector-serotype", e("introduction"), d.vector, "hasSerotype", obj=serotype),
            a("expl", "vector-serotype", e("step-1-vector"), d.vector, "hasSerotype", obj=serotype, note=n()),
            a("expl", "faq-vector-serotype", e("faq"), d.vector, "hasSerotype", obj=serotype),
            a("mono", "vector-not-pathogenic", m("mechanism-of-action"), d.vector, "pathogenic", value=False, note=n()),
            a("expl", "intro-vector-not-pathogenic", e("introduction"), d.vector, "pathogenic", value=False),
            a("expl", "vector-not-pathogenic", e("step-1-vector"), d.vector, "pathogenic", value=False, note=n()),
            a("expl", "vector-not-replicating", e("step-1-vector"), d.vector, "replicationCompetent", value=False),
            a("mono", "has-transgene", m("mechanism-of-action"), d.construct, "hasTransgene", obj=d.transgene),
            a("expl", "intro-has-transgene", e("introduction"), d.construct, "hasTransgene", obj=d.transgene),
            a("expl", "has-transgene", e("step-1-vector"), d.construct, "hasTransgene", obj=d.transgene),
            a("mono", "transgene-gene", m("mechanism-of-action"), d.transgene, "encodesGene", obj=gene, note=n()),
            a("expl", "intro-transgene-gene", e("introduction"), d.transgene, "encodesGene", obj=gene),
            a("expl", "transgene-gene", e("step-2-variant"), d.transgene, "encodesGene", obj=gene),
            a("expl", "faq-transgene-gene", e("faq"), d.transgene, "encodesGene", obj=gene),
            a("mono", "transgene-variant", m("mechanism-of-action"), d.transgene, "hasVariant", obj=d.variant),
            a("expl", "transgene-variant", e("step-2-variant"), d.transgene, "hasVariant", obj=d.variant, note=n()),
            a("expl", "faq-transgene-variant", e("faq"), d.transgene, "hasVariant", obj=d.variant, note=n()),
            a("expl", "transgene-codon-optimized", e("step-2-variant"), d.transgene, "codonOptimized", value=codon, note=n()),
            a("expl", "faq-transgene-codon-optimized", e("faq"), d.transgene, "codonOptimized", value=codon),
            a("expl", "transgene-promoter", e("step-2-variant"), d.transgene, "hasPromoter", obj=d.promoter),
            a("expl", "promoter-organ", e("step-2-variant"), d.promoter, "expressionRestrictedTo", obj=organ, note=n()),
            a("mono", "variant-of-gene", m("mechanism-of-action"), d.variant, "variantOf", obj=gene),
            a("expl", "variant-of-gene", e("step-2-variant"), d.variant, "variantOf", obj=gene, note=n()),
            a("expl", "variant-change", e("faq"), d.variant, "aminoAcidChange", value=f"synthetic substitution {rng.randint(10, 999)}"),
            a("mono", "variant-activity", m("mechanism-of-action"), d.variant, "relativeActivity",
              quantity={"max": activity, "unit": "fold"}, note=n(), differs=kinds(expl_activity, "precision")),
            a("expl", "variant-activity", e("step-2-variant"), d.variant, "relativeActivity",
              quantity={"value": activity, "unit": "fold", "approximate": True}, differs=kinds(mono_activity, "precision")),
            a("expl", "faq-variant-activity", e("faq"), d.variant, "relativeActivity",
              quantity={"value": activity, "unit": "fold", "approximate": True}, differs=kinds(mono_activity, "precision")),
            a("mono", "targets-cell-type", m("mechanism-of-action"), d.construct, "targetsCellType", obj=cell, note=n()),
            a("mono", "targets-organ", m("mechanism-of-action"), d.construct, "targetsOrgan", obj=organ),
            a("expl", "intro-targets-organ", e("introduction"), d.construct, "targetsOrgan", obj=organ),
            a("expl", "serotype-targets-cell-type", e("step-1-vector"), serotype, "targetsCellType",
              obj=f"synth-cell-type-{serotype_cell_type(d.pools, d.serotype)}", note=n()),
            a("expl", "targets-organ", e("step-3-after-infusion"), d.construct, "targetsOrgan", obj=organ, note=n()),
            a("expl", "targets-cell-type", e("step-3-after-infusion"), d.construct, "targetsCellType", obj=cell),
            a("expl", "faq-targets-cell-type", e("faq"), d.construct, "targetsCellType", obj=cell),
            a("expl", "faq-targets-organ", e("faq"), d.construct, "targetsOrgan", obj=organ),
            a("mono", "persistence", m("mechanism-of-action"), d.construct, "hasPersistenceMode", obj=persistence[0], note=n(),
              differs=kinds(expl_persist, "contradiction")),
            a("expl", "persistence", e("step-3-after-infusion"), d.construct, "hasPersistenceMode", obj=persistence, note=n(),
              differs=kinds(mono_persist, "contradiction")),
            a("expl", "faq-persistence", e("faq"), d.construct, "hasPersistenceMode", obj=persistence, differs=kinds(mono_persist, "contradiction")),
            a("mono", "produces-protein", m("mechanism-of-action"), d.construct, "producesProtein", obj=protein, note=n()),
            a("mono", "overview-produces-protein", m("drug-overview"), d.construct, "producesProtein", obj=protein, note=n()),
            a("expl", "intro-produces-protein", e("introduction"), d.construct, "producesProtein", obj=protein, note=n()),
            a("expl", "produces-protein", e("step-4-protein-production"), d.construct, "producesProtein", obj=protein),
            a("expl", "faq-produces-protein", e("faq"), d.construct, "producesProtein", obj=protein, note=n()),
            a("expl", "onset", e("step-4-protein-production"), d.construct, "onsetDescription", value=d.text("onset description")),
        ]
        return [("attribute", attrs)]

    def disease_facts(self):
        """disease.yaml: what both documents say about the indicated disease, its gene and protein."""
        d, m, e, p = self, self.m, self.e, self.pools
        a, n = d.attribute, d.maybe_note
        disease, gene, protein = f"synth-disease-{d.disease}", f"synth-gene-{d.gene}", f"synth-protein-{d.gene}"
        findings = [f"synth-finding-{k}" for k in disease_manifestations(p, d.seed, d.disease)]
        other = self.non_indicated[0]
        other_gene = disease_gene(p, other)
        attrs = [
            a("mono", "disease-rare", m("mechanism-of-action"), disease, "isRare", value=disease_is_rare(d.disease)),
            a("mono", "disease-inherited", m("mechanism-of-action"), disease, "hasInheritancePattern", obj="synth-inheritance-1", note=n()),
            a("mono", "disease-cause", m("mechanism-of-action"), disease, "causedByVariantIn", obj=gene, note=n()),
            a("mono", "disease-deficient-protein", m("mechanism-of-action"), disease, "deficientProtein", obj=protein, note=n()),
        ]
        attrs += [a("mono", f"disease-manifestation-{k}", m("mechanism-of-action"), disease, "hasManifestation", obj=finding,
                    note=n() if k == 1 else None) for k, finding in enumerate(findings[:3], start=1)]
        attrs += [
            a("mono", "gene-encodes-protein", m("mechanism-of-action"), gene, "encodesProtein", obj=protein),
            a("mono", "other-disease-deficient-protein", m("other-uses"), f"synth-disease-{other}", "deficientProtein",
              obj=f"synth-protein-{other_gene}", note=n()),
            a("expl", "disease-cause", e("root-cause"), disease, "causedByVariantIn", obj=gene),
            a("expl", "gene-encodes-protein", e("root-cause"), gene, "encodesProtein", obj=protein),
            a("expl", "protein-organ", e("root-cause"), protein, "producedIn", obj=f"synth-organ-{d.organ}", note=n()),
            a("expl", "step1-protein-organ", e("step-1-vector"), protein, "producedIn", obj=f"synth-organ-{d.organ}"),
            a("expl", "disease-deficient-protein", e("root-cause"), disease, "deficientProtein", obj=protein),
            a("expl", "disease-manifestation", e("root-cause"), disease, "hasManifestation", obj=findings[3]),
            a("expl", "disease-inheritance", e("root-cause"), disease, "hasInheritancePattern",
              obj=f"synth-inheritance-{disease_inheritance(p, d.disease)}"),
            a("expl", "disease-affects", e("root-cause"), disease, "primarilyAffects",
              obj=f"synth-population-{disease_population(p, d.disease)}", note=n()),
        ]
        return [("attribute", attrs)]

    def indications(self):
        """indications.yaml: the indication with its criteria, the non-indications, an age range."""
        d, m, rng = self, self.m, self.rng
        criteria = [f"synth-criterion-{k}" for k in picks(rng, d.pools.criteria, rng.randint(2, 4))]
        indication = {"id": d.cid("mono", "indication"), "source": m("primary-indication"), "drug": d.id,
                      "disease": f"synth-disease-{d.disease}", "population": f"synth-adult-population-{d.adults}",
                      "criteria": criteria, "criteria_logic": rng.choice(("any", "all")), "approval": d.cid("mono", "approval"),
                      "intent": d.text("intent", words=12)}
        non = [{"id": d.cid("mono", f"non-indication-{k}"), "source": m("other-uses"), "drug": d.id,
                "disease": f"synth-disease-{other}", "reason": d.text("reason", k), "off_label_excluded": True}
               for k, other in enumerate(d.non_indicated, start=1)]
        age = d.attribute("mono", "adults-age-range", m("primary-indication"), f"synth-adult-population-{d.adults}", "ageRange",
                          quantity=adult_age(d.adults))
        return [("indication", [indication]), ("non-indication", non), ("attribute", [age])]

    def dosage(self):
        """dosage.yaml: the dosage regimen and its adjustments."""
        d, m, rng = self, self.m, self.rng
        regimen = d.cid("mono", "regimen")
        record = {"id": regimen, "source": m("dosage-and-administration"), "drug": d.id, "indication": d.cid("mono", "indication"),
                  "population": f"synth-adult-population-{d.adults}",
                  "dose": {"value": rng.randint(1, 9) * 10**rng.randint(11, 14), "unit": f"synth-dose-unit-{pick(rng, d.pools.dose_units)}"},
                  "frequency": f"synth-dosing-frequency-{d.frequency}", "route": f"synth-route-{d.route}",
                  "dosage_form": f"synth-dosage-form-{d.dosage_form}",
                  "infusion_rate": {"value": rng.randint(5, 40) / 10, "unit": "ml-per-min"},
                  "setting": d.text("setting", words=14), "dose_basis": d.text("dose basis", words=12)}
        adjustments = [{"id": d.cid("mono", f"adjustment-{k}"), "source": m("dosage-and-administration"), "regimen": regimen,
                        "condition": d.text("condition", k), "action": d.text("action", k)}
                       for k in range(1, rng.randint(2, 4) + 1)]
        return [("dosage-regimen", [record]), ("dose-adjustment", adjustments)]

    def safety(self):
        """safety.yaml: adverse events (common, serious, disputed) and their management."""
        d, m, e, rng = self, self.m, self.e, self.rng
        band = d.band_common
        common, serious = d.common_events, d.serious_events
        ev = "synth-ae-{}".format
        events = []
        for k, event in enumerate(common, start=1):
            timed = k > len(common) // 2
            events.append({"id": d.cid("mono", f"ae-common-{k}"), "source": m("common-side-effects"), "drug": d.id, "event": ev(event),
                           "frequency_band": f"synth-frequency-band-{band}", "certainty": "established",
                           "timing": d.text("timing", words=5) if timed else None,
                           "severity": "mild (synthetic)" if timed and k % 2 else None, "note": d.maybe_note()})
        theoretical = serious[-1]
        expl_theoretical = [d.cid("expl", "ae-theoretical"), d.cid("expl", "faq-ae-theoretical")]
        for k, event in enumerate(serious, start=1):
            is_theory = event == theoretical and len(serious) > 1
            events.append({"id": d.cid("mono", f"ae-serious-{k}"), "source": m("serious-adverse-events"), "drug": d.id,
                           "event": ev(event), "seriousness": "serious",
                           "certainty": "theoretical" if is_theory else ("established" if k == 1 else None),
                           "mechanism": d.text("mechanism", k) if k % 2 or is_theory else None,
                           "timing": d.text("timing", words=4) if k > 2 or is_theory else None,
                           "note": d.maybe_note(),
                           "differs_from": kinds(expl_theoretical, "contradiction") if is_theory else None})
        mono_theory = d.cid("mono", f"ae-serious-{len(serious)}")
        if len(serious) > 1:
            events += [{"id": ident, "source": source, "drug": d.id, "event": ev(theoretical), "certainty": "theoretical",
                        "mechanism": d.text("mechanism", words=9), "timing": d.text("timing", words=3), "note": d.maybe_note(0.7),
                        "differs_from": kinds(mono_theory, "contradiction")}
                       for ident, source in zip(expl_theoretical, (e("step-3-after-infusion"), e("faq")), strict=True)]
        expl_managed = [d.cid("expl", "ae-serious"), d.cid("expl", "ae-common-1"), d.cid("expl", "ae-common-2")]
        events += [
            {"id": expl_managed[0], "source": e("immune-complications"), "drug": d.id, "event": ev(serious[0]),
             "certainty": "established", "mechanism": d.text("mechanism", words=12), "timing": d.text("timing", words=6),
             "severity": d.text("severity", words=6)},
            {"id": expl_managed[1], "source": e("immune-complications"), "drug": d.id, "event": ev(common[0]),
             "mechanism": d.text("mechanism", words=6), "timing": "After infusion (synthetic)."},
            {"id": expl_managed[2], "source": e("immune-complications"), "drug": d.id, "event": ev(common[1]),
             "mechanism": d.text("mechanism", words=6), "timing": "After infusion (synthetic)."},
        ]
        extra = picks(rng, d.pools.adverse_events, rng.randint(0, 2), common + serious)
        events += [{"id": d.cid("expl", f"ae-extra-{k}"), "source": e("faq"), "drug": d.id, "event": ev(event),
                    "certainty": rng.choice(("established", "theoretical")), "note": d.maybe_note()}
                   for k, event in enumerate(extra, start=1)]
        classes = picks(rng, d.pools.classes, 3)
        management = [
            {"id": d.cid("mono", "management-immune"), "source": m("management-strategies"),
             "manages": [d.cid("mono", "ae-common-1"), d.cid("mono", "ae-common-2"), d.cid("mono", "ae-serious-1")],
             "action": d.text("management action", words=12),
             "agents": [f"synth-class-{classes[0]}", f"synth-substance-{pick(rng, d.pools.substances)}"],
             "route": f"synth-route-{d.agent_route}", "note": d.maybe_note()},
            {"id": d.cid("mono", "management-infusion"), "source": m("management-strategies"),
             "manages": [d.cid("mono", f"ae-common-{k}") for k in range(3, len(common) + 1)],
             "action": d.text("management action", words=14), "agents": [f"synth-class-{c}" for c in classes[1:]]},
            {"id": d.cid("expl", "management-immune"), "source": e("immune-complications"), "manages": expl_managed,
             "action": d.text("management action", words=8), "agents": [f"synth-class-{classes[0]}"]},
        ]
        band_range = d.attribute("mono", "band-range", m("common-side-effects"), f"synth-frequency-band-{band}", "frequencyRange",
                                 quantity=BAND_RANGES[band])
        return [("attribute", [band_range]), ("adverse-event", events), ("ae-management", management)]

    def tests(self):
        """tests.yaml: pre-treatment and monitoring tests with schedules, and the disputed ones."""
        d, m, e, rng = self, self.m, self.e, self.rng
        test = "synth-test-{}".format
        pre = picks(rng, d.pools.tests, rng.randint(5, 9))
        weekly = picks(rng, d.pools.tests, rng.randint(1, 4))
        surveillance = picks(rng, d.pools.tests, 2, weekly)
        function_test = picks(rng, d.pools.tests, 1, weekly + surveillance)[0]
        weeks, months = rng.randint(2, 16), rng.randint(2, 6)
        records = [{"id": d.cid("mono", f"test-pre-{k}"), "source": m("pre-treatment-tests"), "drug": d.id, "test": test(t),
                    "phase": "pre-treatment", "purpose": d.text("purpose", words=10), "note": d.maybe_note(0.25)}
                   for k, t in enumerate(pre, start=1)]
        expl_function = d.cid("expl", "test-function-monitoring")
        mono_weekly = [d.cid("mono", f"test-monitoring-{k}") for k in range(1, len(weekly) + 1)]
        weekly_step = {"interval": {"value": 1, "unit": "week"}, "duration": {"value": months, "unit": "month"},
                       "description": f"weekly over the first {months} months (synthetic)"}
        records += [{"id": ident, "source": m("precautions-during-treatment"), "drug": d.id, "test": test(t), "phase": "monitoring",
                     "purpose": d.text("purpose", words=9), "schedule": [weekly_step], "differs_from": kinds(expl_function, "scope")}
                    for ident, t in zip(mono_weekly, weekly, strict=True)]
        for k, t in enumerate(surveillance, start=1):
            records.append({"id": d.cid("mono", f"test-surveillance-{k}"), "source": m("precautions-during-treatment"), "drug": d.id,
                            "test": test(t), "phase": "monitoring", "purpose": d.text("surveillance purpose", words=6),
                            "population": f"synth-population-{d.risk_population}",
                            "schedule": [{"description": "at regular intervals for years (synthetic)"}],
                            "differs_from": kinds(d.cid("expl", f"test-surveillance-{k}"), "scope")})
        records.append({"id": expl_function, "source": e("immune-complications"), "drug": d.id, "test": test(function_test),
                        "phase": "monitoring", "purpose": d.text("purpose", words=12),
                        "schedule": [weekly_step, {"interval": {"value": 1, "unit": "month"},
                                                   "description": f"then monthly until week {weeks * 4} (synthetic)"}],
                        "differs_from": kinds(mono_weekly, "scope")})
        for k, t in enumerate(surveillance, start=1):
            records.append({"id": d.cid("expl", f"test-surveillance-{k}"), "source": e("faq"), "drug": d.id, "test": test(t),
                            "phase": "monitoring", "purpose": d.text("surveillance purpose", words=10),
                            "population": f"synth-population-{d.expl_risk_population}",
                            "schedule": [{"duration": {"max": rng.randint(2, 10), "unit": "year"}, "description": "for some years (synthetic)"}],
                            "differs_from": kinds(d.cid("mono", f"test-surveillance-{k}"), "scope")})
        return [("test-requirement", records)]

    def trials(self):
        """trials.yaml: the trial's attributes and its outcomes, two of them disputed."""
        d, m, e, rng = self, self.m, self.e, self.rng
        participants = rng.randint(12, 600)
        attrs = [
            d.attribute("mono", "trial-studies", m("clinical-efficacy"), d.trial, "studiesDrug", obj=d.id),
            d.attribute("mono", "trial-pivotal", m("clinical-efficacy"), d.trial, "isPivotal", value=rng.random() < 0.7),
            d.attribute("mono", "trial-status", m("clinical-efficacy"), d.trial, "trialStatus",
                        value=rng.choice(("ongoing", "completed", "recruiting")), note=d.maybe_note()),
            d.attribute("mono", "trial-participants", m("clinical-efficacy"), d.trial, "participantCount", value=participants),
            d.attribute("mono", "trial-follow-up", m("research-areas"), d.trial, "followUpDuration",
                        quantity={"max": rng.randint(2, 15), "unit": "year"}, note=d.maybe_note()),
            d.attribute("expl", "trial-studies", e("step-4-protein-production"), d.trial, "studiesDrug", obj=d.id),
        ]
        measures = picks(rng, d.pools.outcomes, rng.randint(4, 6))
        level, months = rng.randint(5, 95), rng.randint(3, 12)
        outcome = "synth-outcome-{}".format

        def result(k):
            return d.text("result", k, words=10)

        outcomes = [{"id": d.cid("mono", f"outcome-{k}"), "source": m("clinical-efficacy"), "trial": d.trial, "drug": d.id,
                     "measure": outcome(measure), "value": {"value": rng.randint(5, 99), "unit": "percent"},
                     "participants": participants, "result": result(k)}
                    for k, measure in enumerate(measures[2:], start=1)]
        mono_level, mono_durable = d.cid("mono", "outcome-level"), d.cid("mono", "outcome-durability")
        expl_level, expl_durable = d.cid("expl", "outcome-level"), d.cid("expl", "outcome-durability")
        outcomes += [
            {"id": mono_level, "source": m("clinical-efficacy"), "trial": d.trial, "drug": d.id, "measure": outcome(measures[0]),
             "value": {"value": level, "unit": "percent"}, "time_point": {"value": months, "unit": "month"},
             "participants": participants, "result": result("level"), "note": d.maybe_note(), "differs_from": kinds(expl_level, "unit")},
            {"id": mono_durable, "source": m("clinical-efficacy"), "trial": d.trial, "drug": d.id, "measure": outcome(measures[0]),
             "result": result("durability"), "differs_from": kinds(expl_durable, "contradiction")},
            {"id": expl_level, "source": e("step-4-protein-production"), "trial": d.trial, "drug": d.id,
             "measure": outcome(measures[0]),
             "value": {"value": float(level), "unit": f"synth-level-unit-{pick(rng, d.pools.level_units)}"},
             "time_point": {"value": months, "unit": "month"}, "result": result("level"), "differs_from": kinds(mono_level, "unit")},
            {"id": expl_durable, "source": e("step-4-protein-production"), "trial": d.trial, "drug": d.id,
             "measure": outcome(measures[0]), "time_point": {"value": rng.randint(2, 8), "unit": "year"},
             "result": result("durability"), "differs_from": kinds(mono_durable, "contradiction")},
        ]
        return [("attribute", attrs), ("trial-outcome", outcomes)]

    def effectiveness(self):
        """effectiveness.yaml: what can make the drug less effective."""
        d, m, e, rng = self, self.m, self.e, self.rng
        serious = f"synth-ae-{d.serious_events[0]}"
        finding = f"synth-finding-{pick(rng, d.pools.findings)}"
        antibodies = f"synth-serotype-{d.serotype}-antibodies"
        disease = f"synth-disease-{picks(rng, d.pools.diseases, 1, [d.disease])[0]}"

        def factor(doc, name, source, what, mitigation=True):
            return {"id": d.cid(doc, name), "source": source, "drug": d.id, "factor": what,
                    "mechanism": d.text("mechanism", words=rng.randint(8, 16)),
                    "mitigation": d.text("mitigation", words=rng.randint(6, 12)) if mitigation else None}

        records = [
            factor("mono", "effectiveness-immune", m("management-strategies"), serious),
            factor("mono", "effectiveness-finding", m("pre-treatment-tests"), finding),
            factor("expl", "effectiveness-immune", e("immune-complications"), serious),
            factor("expl", "faq-effectiveness-immune", e("faq"), serious, mitigation=False),
            factor("expl", "faq-effectiveness-antibodies", e("faq"), antibodies),
            factor("expl", "step1-effectiveness-antibodies", e("step-1-vector"), antibodies),
            factor("expl", "faq-effectiveness-disease", e("faq"), disease, mitigation=False),
        ]
        for k in range(1, rng.randint(0, 2) + 1):
            records.append(factor("expl", f"effectiveness-extra-{k}", e("faq"), f"synth-finding-{pick(rng, d.pools.findings)}",
                                  mitigation=bool(k % 2)))
        return [("effectiveness-factor", records)]

    def guidance(self):
        """guidance.yaml: patient do's and don'ts, one pair disputed."""
        d, m, e, rng = self, self.m, self.e, self.rng
        mono_pair, expl_pair = d.cid("mono", "guide-avoid"), d.cid("expl", "guide-avoid")
        records = []
        for k in range(1, rng.randint(4, 8) + 1):
            direction = "dont" if k % 3 == 0 else "do"
            records.append({"id": d.cid("mono", f"guide-{k}"), "source": m("dos-and-donts" if k > 1 else "precautions-during-treatment"),
                            "drug": d.id, "direction": direction, "action": d.text("action", k, words=9),
                            "duration": {"value": rng.randint(1, 6), "unit": "month"} if k == 2 else None,
                            "rationale": d.text("rationale", k, words=8) if k % 2 else None, "note": d.maybe_note(0.15)})
        records += [
            {"id": mono_pair, "source": m("dos-and-donts"), "drug": d.id, "direction": "do", "action": d.text("avoidance", words=6),
             "duration": {"min": 1, "unit": "year"}, "rationale": d.text("rationale", words=8), "differs_from": kinds(expl_pair, "scope")},
            {"id": d.cid("expl", "guide-continue"), "source": e("step-4-protein-production"), "drug": d.id, "direction": "do",
             "action": d.text("action", words=10), "rationale": d.text("rationale", words=8)},
            {"id": expl_pair, "source": e("immune-complications"), "drug": d.id, "direction": "do",
             "action": d.text("avoidance", words=8), "duration": {"value": 1, "unit": "year"},
             "rationale": d.text("rationale", words=10), "differs_from": kinds(mono_pair, "scope")},
        ]
        return [("patient-guidance", records)]

    def research(self):
        """research.yaml: research areas and a pediatric age range."""
        d, m, rng = self, self.m, self.rng
        start = 2022 + rng.randint(0, 3)
        end = str(start + rng.randint(1, 4))
        start = str(start)
        participants, positive = f"{d.id}-trial-participants", f"{d.id}-antibody-positive"
        children = f"synth-pediatric-population-{d.children}"
        years = rng.randint(5, 15)
        records = [
            {"id": d.cid("mono", "research-durability"), "source": m("research-areas"), "drug": d.id,
             "topic": d.text("research topic", words=16), "status": "observational", "period_start": start, "period_end": end,
             "trial": d.trial, "population": participants, "duration": {"max": years, "unit": "year"}},
            {"id": d.cid("mono", "research-antibodies"), "source": m("research-areas"), "drug": d.id,
             "topic": d.text("research topic", words=14), "status": "investigational", "period_start": start, "period_end": end,
             "population": positive},
            {"id": d.cid("mono", "research-pediatric"), "source": m("research-areas"), "drug": d.id,
             "topic": d.text("research topic", words=12), "status": "investigational", "period_start": start, "period_end": end,
             "population": children},
        ]
        for k in range(1, rng.randint(0, 4) + 1):
            records.append({"id": d.cid("mono", f"research-disclaimer-{k}"), "source": m("research-disclaimer"), "drug": d.id,
                            "topic": d.text("disclaimer", k, words=14), "status": rng.choice(("investigational", "observational")),
                            "duration": {"value": years, "unit": "year"} if k == 1 else None,
                            "population": positive if k == 2 else None})
        age = d.attribute("mono", "pediatric-age-range", m("research-areas"), children, "ageRange", quantity=pediatric_age(d.children))
        return [("research-area", records), ("attribute", [age])]

    def alternatives(self):
        """alternatives.yaml: a drug class and other synthetic drugs named as alternatives."""
        d, m, e = self, self.m, self.e
        drug_class = f"synth-class-{d.alternative_class}"
        records = [
            {"id": d.cid("mono", "alternative-class"), "source": m("drug-overview"), "drug": d.id, "alternative": drug_class,
             "context": d.text("context", words=16)},
            {"id": d.cid("expl", "alternative-class"), "source": e("root-cause"), "drug": d.id, "alternative": drug_class,
             "context": d.text("context", words=14)},
        ]
        attrs = [
            d.attribute("mono", "class-route", m("drug-overview"), drug_class, "hasRoute", obj=f"synth-route-{class_route(d.pools, d.alternative_class)}"),
            d.attribute("expl", "class-route", e("root-cause"), drug_class, "hasRoute",
                        obj=f"synth-route-{class_route(d.pools, d.alternative_class)}", note=d.maybe_note()),
            d.attribute("expl", "class-frequency", e("root-cause"), drug_class, "usualFrequency",
                        quantity=class_frequency(d.alternative_class), note=d.maybe_note()),
        ]
        for other in d.other_drugs:
            code = d.other_code(other)
            records.append({"id": d.cid("expl", f"alternative-{code}"), "source": e("also-looked-for"), "drug": d.id,
                            "alternative": f"synthdrug-{code}", "context": d.text("context", words=12)})
            attrs += [
                d.attribute("expl", f"alternative-{code}-generic", e("also-looked-for"), f"synthdrug-{code}", "genericName",
                            value=f"synthecogene {code}-synth"),
                d.attribute("expl", f"alternative-{code}-brand", e("also-looked-for"), f"synthdrug-{code}", "brandName",
                            value=f"Synthdrug {code}"),
            ]
        return [("alternative", records), ("attribute", attrs)]


# ---------------------------------------------------------------------------------------------------------------
# Writing the corpus
# ---------------------------------------------------------------------------------------------------------------


@dataclass
class Written:
    """What :func:`write_corpus` wrote: the folder, the number of files and their total size in bytes."""

    out: Path
    files: int
    bytes: int


def corpus_files(drugs: int, seed: int = 0) -> Iterable[tuple[str, str]]:
    """Every file of the corpus as (path relative to the corpus folder, text), in a fixed order.

    >>> files = dict(corpus_files(2))
    >>> sorted(files)[:3], len(files)
    (['dataset.yaml', 'shared/administration.yaml', 'shared/adverse-events.yaml'], 40)
    """
    if drugs < 1:
        raise ValueError("the corpus needs at least one drug")
    pools = Pools.for_drugs(drugs)
    header = HEADER.format(drugs=drugs, seed=seed)
    yield from shared_files(pools, seed, header).items()
    width = max(5, len(str(drugs)))
    for number in range(1, drugs + 1):
        drug = Drug(number, pools, seed, width)
        for name, text in drug.files(header).items():
            yield f"{drug.id}/{name}", text


def _is_corpus(folder: Path) -> bool:
    """True for a folder this generator wrote (so --force may replace it), judged by its dataset.yaml header."""
    dataset = folder / "dataset.yaml"
    try:
        with dataset.open(encoding="utf-8") as handle:
            return handle.readline().startswith(HEADER.split("(")[0])
    except OSError:
        return False


def write_corpus(drugs: int, out: Path, seed: int = 0, force: bool = False) -> Written:
    """Write a corpus of ``drugs`` synthetic drugs into ``out`` (all or nothing) and return what was written.

    The files are written into a temporary folder beside ``out`` and moved into place at the end. An existing
    ``out`` is an error, unless ``force`` is given and it is a corpus this generator wrote earlier.

    Raises:
        FileExistsError: ``out`` exists and may not be replaced.
    """
    out = out.resolve()
    if out.exists() and not (force and out.is_dir() and _is_corpus(out)):
        hint = " (--force replaces only a folder this generator wrote)" if force else "; pass --force to replace an earlier corpus"
        raise FileExistsError(f"{out} exists{hint}")
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}-writing-", dir=out.parent))
    staging.chmod(0o755)  # mkdtemp makes it private; the corpus is a plain folder like any other
    files = size = 0
    try:
        made: set[Path] = set()
        for relative, text in corpus_files(drugs, seed):
            path = staging / relative
            if path.parent not in made:
                path.parent.mkdir(parents=True, exist_ok=True)
                made.add(path.parent)
            data = text.encode("utf-8")
            path.write_bytes(data)
            files += 1
            size += len(data)
        if out.exists():
            shutil.rmtree(out)
        staging.rename(out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return Written(out, files, size)


def main(argv: list[str] | None = None) -> int:
    """Command line: ``python benchmarks/corpus.py --drugs N --out DIR [--seed S] [--force]``."""
    parser = argparse.ArgumentParser(
        prog="benchmarks/corpus.py",
        description="Write a synthetic benchmark corpus (invented drugs, never facts) in drugkg's YAML input format.",
        epilog="Example: python benchmarks/corpus.py --drugs 100 --out /tmp/corpus-100 && "
               "drugkg build --data /tmp/corpus-100 --out /tmp/corpus-100-dist",
    )
    parser.add_argument("--drugs", type=int, required=True, help="number of synthetic drugs (at least 1)")
    parser.add_argument("--out", type=Path, required=True, help="folder to write (must not exist, unless --force)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0); same arguments, same bytes")
    parser.add_argument("--force", action="store_true", help="replace OUT if it is a corpus this generator wrote earlier")
    args = parser.parse_args(argv)
    if args.drugs < 1:
        parser.error("--drugs must be at least 1")
    started = time.perf_counter()
    try:
        written = write_corpus(args.drugs, args.out, args.seed, args.force)
    except FileExistsError as exc:
        print(f"corpus.py: {exc}", file=sys.stderr)
        return 2
    seconds = time.perf_counter() - started
    print(f"Wrote {args.drugs} synthetic drugs to {written.out}: {written.files} files, "
          f"{written.bytes / 1e6:.1f} MB in {seconds:.1f} s.", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
