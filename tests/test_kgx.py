"""The KGX / Biolink export: the ontology's Biolink mapping checked against the biolink-model package, and the
Hemgenix build's KGX files checked by KGX's own validator and read back by KGX."""

from __future__ import annotations

import csv
import json
import re
import subprocess
import sys
from pathlib import Path

import biolink_model  # the test extra installs it: a missing package is an error, not a skip
import pytest
import yaml

from drugkg.errors import UsageError
from drugkg.kgx import KGX_FILES, read_mapping, validate_kgx
from drugkg.vocab import DKG_NS
from tests.conftest import ONTOLOGY

SCHEMA = yaml.safe_load(
    (Path(next(iter(biolink_model.__path__))) / "schema" / "biolink_model.yaml").read_text()
)


def _ancestors(kind: str, name: str) -> list[str]:
    """``name`` and every Biolink element above it (``is_a``), nearest first."""
    chain = []
    while name:
        chain.append(name)
        name = SCHEMA[kind][name].get("is_a")
    return chain


def _class(curie: str) -> str:
    """The Biolink model's name of a class CURIE: ``biolink:ChemicalEntity`` -> ``chemical entity``."""
    return re.sub(r"(?<!^)(?=[A-Z])", " ", curie.removeprefix("biolink:")).lower()


def _slot(curie: str) -> str:
    return curie.removeprefix("biolink:").replace("_", " ")


@pytest.fixture(scope="module")
def mapping():
    return read_mapping(ONTOLOGY)


def test_every_class_and_object_property_has_one_biolink_term(mapping):
    # 80 classes (2 of them association claims) and 84 object properties, as test_ontology counts them
    assert len(mapping.categories) + len(mapping.associations) == 80
    assert len(mapping.predicates) == 84
    assert mapping.categories[DKG_NS + "Disease"] == "biolink:Disease"
    assert mapping.categories[DKG_NS + "Gene"] == "biolink:Gene"
    assert mapping.categories[DKG_NS + "AdverseEvent"] == "biolink:DiseaseOrPhenotypicFeature"
    assert mapping.associations[DKG_NS + "AdverseEventAssociation"] == (
        "biolink:ChemicalOrDrugOrTreatmentAdverseEventAssociation",
        "biolink:has_adverse_event",
    )
    assert mapping.predicates[DKG_NS + "drug"] == "biolink:subject"


def test_every_mapped_term_is_in_the_biolink_model(mapping):
    """Categories are classes under NamedThing, not mixins; predicates are slots under related_to (or the
    association's subject and object); association classes are under Association with a predicate slot."""
    problems = []
    for curie in sorted(set(mapping.categories.values())):
        name = _class(curie)
        if name not in SCHEMA["classes"] or SCHEMA["classes"][name].get("mixin"):
            problems.append(f"{curie} is no Biolink class")
        elif "named thing" not in _ancestors("classes", name):
            problems.append(f"{curie} is not a NamedThing")
    for curie in sorted(set(mapping.predicates.values())):
        name = _slot(curie)
        if name in ("subject", "object"):
            continue
        if name not in SCHEMA["slots"] or "related to" not in _ancestors("slots", name):
            problems.append(f"{curie} is no Biolink predicate")
    for category, predicate in sorted(mapping.associations.values()):
        if "association" not in _ancestors("classes", _class(category)):
            problems.append(f"{category} is no Biolink association")
        if "related to" not in _ancestors("slots", _slot(predicate)):
            problems.append(f"{predicate} is no Biolink predicate")
    assert not problems
    assert (
        SCHEMA["version"] == "4.4.6"
    )  # the version the mapping was checked against; a new one: read its changes


def test_a_term_without_a_biolink_match_is_refused(tmp_path):
    text = ONTOLOGY.read_text(encoding="utf-8")
    broken = tmp_path / "drugkg.ttl"
    broken.write_text(
        text.replace("    skos:exactMatch biolink:Disease .\n", '    rdfs:comment "unmapped" .\n').replace(
            "    skos:closeMatch biolink:has_part .\n",
            "    skos:closeMatch biolink:has_part , biolink:part_of .\n",
        ),
        encoding="utf-8",
    )
    with pytest.raises(UsageError) as caught:
        read_mapping(broken)
    assert str(caught.value) == (
        f"the ontology {broken} does not map every term to one Biolink term: dkg:Disease (Class) has no "
        "Biolink matches []; dkg:contains (ObjectProperty) has 2 Biolink matches ['biolink:has_part', "
        "'biolink:part_of']; give each class and object property exactly one skos:exactMatch, closeMatch, "
        "broadMatch or narrowMatch to a biolink: term"
    )


def _jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_the_build_writes_the_four_kgx_files(built):
    assert [p.name for p in built.written if p.name in KGX_FILES] == list(KGX_FILES)
    nodes, edges = _jsonl(built.out / "drugkg_kgx_nodes.jsonl"), _jsonl(built.out / "drugkg_kgx_edges.jsonl")
    assert (len(nodes), len(edges)) == (253, 190)
    with (built.out / "drugkg_kgx_nodes.tsv").open(encoding="utf-8") as tsv:
        rows = list(csv.DictReader(tsv, delimiter="\t"))
    assert [r["id"] for r in rows] == [n["id"] for n in nodes]
    assert all(n["category"] and all(c.startswith("biolink:") for c in n["category"]) for n in nodes)
    assert all(e["predicate"].startswith("biolink:") for e in edges)
    hemgenix = next(n for n in nodes if n["id"] == "id:hemgenix")
    assert hemgenix == {
        "id": "id:hemgenix",
        "category": ["biolink:Drug"],
        "name": "Hemgenix",
        "xref": ["NDC:0053-0300", "NDC:0053-0300-30"],
        "provided_by": ["infores:drugkg"],
    }


def test_an_indication_is_a_treats_edge_with_its_source(built):
    edges = _jsonl(built.out / "drugkg_kgx_edges.jsonl")
    assert [e for e in edges if e["predicate"] == "biolink:treats"] == [
        {
            "id": "id:mono-indication-hemophilia-b",
            "subject": "id:hemgenix",
            "predicate": "biolink:treats",
            "object": "MONDO:0010604",
            "category": ["biolink:ChemicalOrDrugOrTreatmentToDiseaseOrPhenotypicFeatureAssociation"],
            "knowledge_level": "knowledge_assertion",
            "agent_type": "manual_agent",
            "primary_knowledge_source": "infores:drugkg",
            "publications": ["id:monograph"],
            "supporting_documents": ["id:monograph/primary-indication"],
        }
    ]
    adverse = [e for e in edges if e["predicate"] == "biolink:has_adverse_event"]
    assert len(adverse) == 17  # the 17 adverse-event claims, each an edge with its own source
    assert {e["category"][0] for e in adverse} == {"biolink:ChemicalOrDrugOrTreatmentAdverseEventAssociation"}
    headache = next(e for e in adverse if e["id"] == "id:mono-ae-headache")
    assert (headache["subject"], headache["object"], headache["supporting_documents"]) == (
        "id:hemgenix",
        "HP:0002315",
        ["id:monograph/common-side-effects"],
    )


def test_an_attribute_edge_carries_the_claims_that_state_it(built):
    edges = _jsonl(built.out / "drugkg_kgx_edges.jsonl")
    inheritance = [
        (e["object"], e["original_predicate"], e["publications"], e["supporting_documents"])
        for e in edges
        if e["predicate"] == "biolink:has_mode_of_inheritance" and e["subject"] == "MONDO:0010604"
    ]
    assert sorted(
        inheritance
    ) == [  # hemophilia B: the two sources say it differently, each edge with its source
        (
            "id:hereditary",
            "dkg:hasInheritancePattern",
            ["id:monograph"],
            ["id:monograph/mechanism-of-action"],
        ),
        (
            "id:x-linked",
            "dkg:hasInheritancePattern",
            ["id:medfinder-explainer"],
            ["id:medfinder-explainer/root-cause"],
        ),
    ]
    assert all(
        e["knowledge_level"] == "knowledge_assertion" and e["agent_type"] == "manual_agent" for e in edges
    )


def test_kgx_validate_finds_no_errors(built):
    assert validate_kgx(built.out) == {}


def test_kgx_reads_the_tsv_and_the_jsonl_alike(built):
    """KGX's transformer (``kgx transform``) reads each pair of files into the same nodes and edges."""
    validate_kgx(built.out)  # points kgx at the installed Biolink model before it is used
    from kgx.transformer import Transformer

    graphs = {}
    for fmt in ("tsv", "jsonl"):
        transformer = Transformer()
        transformer.transform(
            {
                "filename": [str(built.out / f"drugkg_kgx_{kind}.{fmt}") for kind in ("nodes", "edges")],
                "format": fmt,
            }
        )
        store = transformer.store.graph
        graphs[fmt] = (
            {n: tuple(sorted(d["category"])) for n, d in dict(store.nodes(data=True)).items()},
            sorted((u, v, d["predicate"]) for u, v, _, d in store.edges(keys=True, data=True)),
        )
    assert graphs["tsv"] == graphs["jsonl"]
    # KGX keys an edge by subject, predicate and object: the 190 edges hold 185 distinct ones (two sources
    # state each of five, such as Hemgenix has_adverse_event elevated ALT in the monograph and in the
    # explainer)
    assert len(graphs["tsv"][0]) == 253 and len(graphs["tsv"][1]) == 185


def test_the_labels_export_is_valid_kgx(built_labels):
    assert validate_kgx(built_labels.out) == {}


def test_kgx_validate_reports_a_bad_export(built, tmp_path):
    """The validator does read the files: an unknown category and a node without one are errors."""
    for name in KGX_FILES:
        (tmp_path / name).write_text((built.out / name).read_text(encoding="utf-8"), encoding="utf-8")
    nodes = tmp_path / "drugkg_kgx_nodes.tsv"
    text = nodes.read_text(encoding="utf-8")
    nodes.write_text(
        text.replace("\tbiolink:Drug\tHemgenix\t", "\tbiolink:Medicine\tHemgenix\t").replace(
            "\tbiolink:Cell\thepatocyte\t", "\t\thepatocyte\t"
        ),
        encoding="utf-8",
    )
    errors = validate_kgx(tmp_path, base="https://w3id.org/drugkg/id/")
    twice = ["CL:0000182", "CL:0000182"]  # kgx lists a node once for each of its two passes
    assert errors == {
        "ERROR": {
            "MISSING_NODE_PROPERTY": {"Required node property 'category' is missing": twice},
            "INVALID_CATEGORY": {
                "Category 'Medicine' is unknown in the current Biolink Model": ["id:hemgenix"] * 2,
                "Node does not have a 'category' property": twice,
            },
        }
    }


def test_the_readme_command_validates_the_build(built):
    """The README's command, run as written (with this interpreter) beside the build's ``dist``."""
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    pattern = r"^\.venv/bin/python -c \"(from drugkg\.kgx import validate_kgx;.*)\"$"
    (command,) = re.findall(pattern, readme, re.M)
    done = subprocess.run([sys.executable, "-c", command], cwd=built.out.parent, capture_output=True,
                          text=True, check=True)
    assert done.stdout == "no errors\n"
