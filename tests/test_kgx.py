"""The KGX / Biolink export: the ontology's Biolink mapping checked against the biolink-model package, and the
KGX files of the Hemgenix build (and of the build with the shared labels) checked by KGX's own validator, read
back by KGX, and their CURIEs expanded with the prefixes the build ships."""

from __future__ import annotations

import csv
import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import biolink_model  # the test extra installs it: a missing package is an error, not a skip
import pyoxigraph as ox
import pytest
import yaml

from drugkg.errors import UsageError
from drugkg.kgx import (
    BIOLINK,
    KGX_CONTEXT,
    KGX_FILES,
    KgxGraph,
    kgx_prefixes,
    minted_curie,
    read_kgx_context,
    read_mapping,
    validate_kgx,
    write_kgx,
)
from drugkg.vocab import DKG_NS
from tests.conftest import ONTOLOGY

BASE = "https://w3id.org/drugkg/id/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"

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


def test_the_build_writes_the_kgx_files(built):
    assert [p.name for p in built.written if p.name in KGX_FILES] == list(KGX_FILES)
    nodes, edges = _jsonl(built.out / "drugkg_kgx_nodes.jsonl"), _jsonl(built.out / "drugkg_kgx_edges.jsonl")
    assert (len(nodes), len(edges)) == (435, 411)
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
    # a part minted under its record's IRI is a node too, under the prefix of its namespace
    assert next(n for n in nodes if n["id"] == "id.monograph:primary-indication")["category"] == [
        "biolink:InformationContentEntity"
    ]


def _rdf_types(folder: Path) -> dict[str, set[str]]:
    """The ``dkg:`` types of each resource of the build's N-Triples export."""
    types: dict[str, set[str]] = {}
    for triple in ox.parse(path=str(folder / "drugkg.nt"), format=ox.RdfFormat.N_TRIPLES):
        if triple.predicate.value == RDF_TYPE and triple.object.value.startswith(DKG_NS):
            types.setdefault(triple.subject.value, set()).add(triple.object.value)
    return types


def _expand(folder: Path, curies: set[str]) -> dict[str, str]:
    """Each CURIE as a JSON-LD 1.1 processor (pyoxigraph's) expands it with the context the build shipped."""
    context = json.loads((folder / KGX_CONTEXT).read_text(encoding="utf-8"))
    label = "http://www.w3.org/2000/01/rdf-schema#label"
    document = {**context, "@graph": [{"@id": c, label: c} for c in sorted(curies)]}
    quads = ox.parse(json.dumps(document).encode("utf-8"), format=ox.RdfFormat.JSON_LD)
    return {q.object.value: q.subject.value for q in quads}


def test_every_typed_resource_of_the_labels_build_is_a_node_or_a_claim_edge(built_labels, mapping):
    """Each resource of the RDF export with a ``dkg:`` type, those minted under another's IRI included (a
    label's products, packages, ingredients, sections, quantities, adverse-reaction claims), is a KGX node, or,
    for a claim of an association class, an edge with the claim's id."""
    types = _rdf_types(built_labels.out)
    associations = {s for s, cs in types.items() if cs & mapping.associations.keys()}
    nodes = _jsonl(built_labels.out / "drugkg_kgx_nodes.jsonl")
    edges = _jsonl(built_labels.out / "drugkg_kgx_edges.jsonl")
    claim_edges = [e for e in edges if not e["id"].startswith("urn:uuid:")]
    iris = _expand(built_labels.out, {n["id"] for n in nodes} | {e["id"] for e in claim_edges})
    node_iris = {iris[n["id"]] for n in nodes}
    assert node_iris == types.keys() - associations
    assert {iris[e["id"]] for e in claim_edges} == associations
    assert (len(nodes), len(edges), len(claim_edges)) == (2154, 1992, 146)
    # before each minted namespace had its own prefix, the 1,911 resources minted under another's IRI were
    # left out; 128 of them (the labels' adverse-reaction claims) are edges, the other 1,783 nodes
    parts = {iri for iri in types if iri.startswith(BASE) and "/" in iri[len(BASE) :]}
    assert (len(parts), len(parts & associations), len(parts & node_iris)) == (1911, 128, 1783)


def test_a_labels_product_is_a_drug_node_with_its_adverse_reactions(built_labels):
    nodes = _jsonl(built_labels.out / "drugkg_kgx_nodes.jsonl")
    assert next(n for n in nodes if n["id"] == "id.ndc:0071-0155") == {
        "id": "id.ndc:0071-0155",
        "category": ["biolink:Drug"],
        "name": "Lipitor (TABLET, FILM COATED), NDC 0071-0155",
        "xref": ["NDC:0071-0155"],
        "provided_by": ["infores:drugkg"],
    }
    assert sum("biolink:Drug" in n["category"] for n in nodes) == 19  # Hemgenix and the labels' 18 products
    edges = _jsonl(built_labels.out / "drugkg_kgx_edges.jsonl")
    label, section = "id.spl.17a163ef-b349-4e32-bc8c-b02bac7f65d6", "4fe172b5-8d21-45ab-be1d-364910335be2"
    row = f"{label}.8.section.{section}.table.1.row.1"
    assert next(e for e in edges if e["id"] == f"{row}.product:1") == {
        "id": f"{row}.product:1",
        "subject": "id.ndc:55289-800",
        "predicate": "biolink:has_adverse_event",
        "object": f"{row}:reaction",
        "category": ["biolink:ChemicalOrDrugOrTreatmentAdverseEventAssociation"],
        "knowledge_level": "knowledge_assertion",
        "agent_type": "automated_agent",
        "primary_knowledge_source": "infores:drugkg",
        "publications": [f"{label}:8"],
        "supporting_documents": [f"{label}.8.section:{section}"],
    }
    adverse = [e for e in edges if e["predicate"] == "biolink:has_adverse_event"]
    assert (len(adverse), sum(e["agent_type"] == "automated_agent" for e in adverse)) == (145, 128)


@pytest.mark.parametrize("fixture", ["built", "built_labels"])
def test_every_curie_expands_with_the_shipped_context_to_the_iri_it_stands_for(fixture, request):
    """The round trip: a JSON-LD processor expands each CURIE of the nodes and edges with the build's
    ``drugkg_kgx_context.jsonld`` to an IRI of the RDF export (a term of the ontology, a Biolink term), and an
    IRI minted under the base contracts back to the same CURIE."""
    out = request.getfixturevalue(fixture).out
    nodes, edges = _jsonl(out / "drugkg_kgx_nodes.jsonl"), _jsonl(out / "drugkg_kgx_edges.jsonl")
    resources = {n["id"] for n in nodes} | {e[k] for e in edges for k in ("subject", "object")}
    resources |= {e["id"] for e in edges if not e["id"].startswith("urn:uuid:")}
    resources |= {d for e in edges for k in ("publications", "supporting_documents") for d in e.get(k, [])}
    properties = {e["original_predicate"] for e in edges if "original_predicate" in e}
    terms = {c for item in [*nodes, *edges] for c in item["category"]} | {e["predicate"] for e in edges}
    iris = _expand(out, resources | properties | terms)
    subjects, predicates = set(), set()
    for triple in ox.parse(path=str(out / "drugkg.nt"), format=ox.RdfFormat.N_TRIPLES):
        subjects.add(triple.subject.value)
        predicates.add(triple.predicate.value)
    assert sorted(c for c in resources if iris[c] not in subjects) == []
    assert sorted(c for c in properties if iris[c] not in predicates or not iris[c].startswith(DKG_NS)) == []
    assert sorted(c for c in terms if not iris[c].startswith(BIOLINK)) == []
    minted = {c: iris[c] for c in resources if iris[c].startswith(BASE)}
    assert sorted(c for c, iri in minted.items() if minted_curie(iri, BASE)[0] != c) == []
    # the context declares what the export's prefixes (and the build's own) stand for, and nothing else
    used = {c.split(":", 1)[0] for c in minted}
    context = read_kgx_context(out / KGX_CONTEXT)
    assert context.keys() == used | kgx_prefixes(BASE).keys()


def test_minted_namespaces_get_distinct_prefixes():
    """Two namespaces that a naive joining of segments by '.' would merge keep apart (an SPL package's
    ``5.1``), and a character no prefix name may hold is escaped."""
    assert minted_curie(BASE + "ndc/0074-9374/part/1/package/5.1/type", BASE)[:2] == (
        "id.ndc.0074-9374.part.1.package.5_2E1:type", "id.ndc.0074-9374.part.1.package.5_2E1"
    )
    assert minted_curie(BASE + "ndc/0074-9374/part/1/package/5/1/type", BASE)[1] == (
        "id.ndc.0074-9374.part.1.package.5.1"
    )
    assert minted_curie(BASE + "a_b/x~y%20z/c", BASE) == ("id.a_5Fb.x_7Ey_2520z:c", "id.a_5Fb.x_7Ey_2520z",
                                                         BASE + "a_b/x~y%20z/")
    assert not [name for name in kgx_prefixes(BASE) if "." in name]  # none clashes with a minted namespace's
    with pytest.raises(UsageError) as caught:
        minted_curie(BASE + "monograph/", BASE)
    assert str(caught.value) == (
        f"cannot write {BASE}monograph/ as a KGX CURIE: its last path segment '' is empty or holds a colon; "
        "mint IRIs whose last segment is letters, digits and -._~ (percent-encode the rest)"
    )


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
            "supporting_documents": ["id.monograph:primary-indication"],
        }
    ]
    adverse = [e for e in edges if e["predicate"] == "biolink:has_adverse_event"]
    assert len(adverse) == 17  # the 17 adverse-event claims, each an edge with its own source
    assert {e["category"][0] for e in adverse} == {"biolink:ChemicalOrDrugOrTreatmentAdverseEventAssociation"}
    headache = next(e for e in adverse if e["id"] == "id:mono-ae-headache")
    assert (headache["subject"], headache["object"], headache["supporting_documents"]) == (
        "id:hemgenix",
        "HP:0002315",
        ["id.monograph:common-side-effects"],
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
            ["id.monograph:mechanism-of-action"],
        ),
        (
            "id:x-linked",
            "dkg:hasInheritancePattern",
            ["id:medfinder-explainer"],
            ["id.medfinder-explainer:root-cause"],
        ),
    ]
    # an edge with a source is a curator's assertion; identifier nodes' and claim differences' edges cite none
    provenance = Counter((e["knowledge_level"], e["agent_type"], "publications" in e) for e in edges)
    assert provenance == {
        ("knowledge_assertion", "manual_agent", True): 267,
        ("not_provided", "not_provided", False): 144,
    }


def test_a_parts_edge_has_the_source_of_the_record_it_is_minted_under(built, built_labels):
    """A statement about a part (a schedule's interval, a label table's arm rate) cites no claim of its own:
    its source is the claim, or the section, whose IRI the part's is minted under."""
    edges = _jsonl(built.out / "drugkg_kgx_edges.jsonl")
    unit = "id.mono-test-fix-activity-monitoring.schedule-1:interval"
    assert [(e["object"], e["agent_type"], e["publications"], e["supporting_documents"]) for e in edges
            if e["subject"] == unit] == [
        ("id:week", "manual_agent", ["id:monograph"], ["id.monograph:precautions-during-treatment"])
    ]
    edges = _jsonl(built_labels.out / "drugkg_kgx_edges.jsonl")
    label, section = "id.spl.17a163ef-b349-4e32-bc8c-b02bac7f65d6", "4fe172b5-8d21-45ab-be1d-364910335be2"
    rate = f"{label}.8.section.{section}.table.1.row.10.arm.6:rate"  # "3.1%": no claim of its own
    assert [(e["object"], e["agent_type"], e["publications"], e["supporting_documents"])
            for e in edges if e["subject"] == rate] == [
        ("id:percent", "automated_agent", [f"{label}:8"], [f"{label}.8.section:{section}"])
    ]


def test_every_edge_states_a_knowledge_level_and_agent_type_of_the_biolink_model(built_labels):
    edges = _jsonl(built_labels.out / "drugkg_kgx_edges.jsonl")
    for slot, enum in (("knowledge_level", "KnowledgeLevelEnum"), ("agent_type", "AgentTypeEnum")):
        assert {e[slot] for e in edges} <= SCHEMA["enums"][enum]["permissible_values"].keys()


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
    # KGX keys an edge by subject, predicate and object: the 411 edges hold 382 distinct ones. Two or three
    # sources state four facts (5 edges more), such as Hemgenix has_adverse_event elevated ALT in the
    # monograph and in the explainer; and each of the 24 identifier nodes whose dkg:identifies and
    # dkg:identifierIRI name the same external entity has two related_to edges to it, told apart by their
    # original_predicate.
    assert len(graphs["tsv"][0]) == 435 and len(graphs["tsv"][1]) == 382


def test_the_labels_export_is_valid_kgx(built_labels):
    assert validate_kgx(built_labels.out) == {}
    # every identifier is a CURIE by KGX's own test (no '/', ':' or space after the prefix) and by the W3C's
    # (the prefix an NCName): those of the edges' ids and sources too, which kgx validate does not check
    from curies.w3c import is_w3c_curie
    from kgx.prefix_manager import PrefixManager  # after validate_kgx pointed kgx at the installed model

    nodes = _jsonl(built_labels.out / "drugkg_kgx_nodes.jsonl")
    edges = _jsonl(built_labels.out / "drugkg_kgx_edges.jsonl")
    ids = {n["id"] for n in nodes}
    ids |= {e[k] for e in edges for k in ("subject", "object", "original_predicate") if k in e}
    ids |= {e["id"] for e in edges if not e["id"].startswith("urn:uuid:")}
    ids |= {d for e in edges for k in ("publications", "supporting_documents") for d in e.get(k, [])}
    assert sorted(i for i in ids if not (PrefixManager.is_curie(i) and is_w3c_curie(i))) == []


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
    errors = validate_kgx(tmp_path)
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


def test_kgx_validate_uses_the_shipped_prefixes(built, tmp_path):
    """The validator checks every node's prefix against the context the build wrote beside the files: one left
    out (the monograph's sections') makes each of its 19 nodes an error."""
    for name in KGX_FILES:
        (tmp_path / name).write_text((built.out / name).read_text(encoding="utf-8"), encoding="utf-8")
    context = json.loads((tmp_path / KGX_CONTEXT).read_text(encoding="utf-8"))
    del context["@context"]["id.monograph"]
    (tmp_path / KGX_CONTEXT).write_text(json.dumps(context), encoding="utf-8")
    nodes = _jsonl(built.out / "drugkg_kgx_nodes.jsonl")
    sections = [n["id"] for n in nodes if n["id"].startswith("id.monograph:")]
    assert len(sections) == 19
    assert validate_kgx(tmp_path) == {
        "ERROR": {
            "INVALID_NODE_PROPERTY_VALUE": {
                f"Node property 'id' has a value '{node}' with a CURIE prefix 'id.monograph' is not "
                "represented in Biolink Model JSON-LD context": [node, node]
                for node in sections
            }
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


def test_kgx_lines_are_written_exactly_with_values_mended_and_provenance_shared(tmp_path):
    shared = ("knowledge_assertion", "manual_agent", "infores:drugkg", ("id:doc",), ("id.doc:s1", "id.doc:s2"))
    none = ("not_provided", "not_provided", "infores:drugkg", (), ())
    graph = KgxGraph(
        [("id:a", ("biolink:Drug",), "a\tname\nover two lines", (), ("infores:drugkg",)),
         ("id:b", ("biolink:Disease", "biolink:NamedThing"), "", ("MONDO:1",), ("infores:drugkg",))],
        [("e1", "id:a", "biolink:treats", "id:b", ("biolink:Association",), "dkg:treats", shared),
         ("e2", "id:b", "biolink:related_to", "id:a", ("biolink:Association",), "dkg:x", shared),
         ("id:claim", "id:a", "biolink:treats", "id:b", ("biolink:ChemicalToDiseaseOrPhenotypicFeatureAssociation",), "",
          none)],
        {},
    )
    for name in ("drugkg_kgx_nodes.tsv", "drugkg_kgx_edges.tsv", "drugkg_kgx_nodes.jsonl", "drugkg_kgx_edges.jsonl"):
        write_kgx(graph, tmp_path / name)
    text = {p.name: p.read_text(encoding="utf-8") for p in tmp_path.iterdir()}
    assert text["drugkg_kgx_nodes.tsv"] == (
        "id\tcategory\tname\txref\tprovided_by\n"
        "id:a\tbiolink:Drug\ta name over two lines\t\tinfores:drugkg\n"
        "id:b\tbiolink:Disease|biolink:NamedThing\t\tMONDO:1\tinfores:drugkg\n")
    assert text["drugkg_kgx_edges.tsv"] == (
        "id\tsubject\tpredicate\tobject\tcategory\toriginal_predicate\tknowledge_level\tagent_type\t"
        "primary_knowledge_source\tpublications\tsupporting_documents\n"
        "e1\tid:a\tbiolink:treats\tid:b\tbiolink:Association\tdkg:treats\tknowledge_assertion\tmanual_agent\t"
        "infores:drugkg\tid:doc\tid.doc:s1|id.doc:s2\n"
        "e2\tid:b\tbiolink:related_to\tid:a\tbiolink:Association\tdkg:x\tknowledge_assertion\tmanual_agent\t"
        "infores:drugkg\tid:doc\tid.doc:s1|id.doc:s2\n"
        "id:claim\tid:a\tbiolink:treats\tid:b\tbiolink:ChemicalToDiseaseOrPhenotypicFeatureAssociation\t\t"
        "not_provided\tnot_provided\tinfores:drugkg\t\t\n")
    assert [json.loads(line) for line in text["drugkg_kgx_nodes.jsonl"].splitlines()] == [
        {"id": "id:a", "category": ["biolink:Drug"], "name": "a\tname\nover two lines", "provided_by": ["infores:drugkg"]},
        {"id": "id:b", "category": ["biolink:Disease", "biolink:NamedThing"], "xref": ["MONDO:1"],
         "provided_by": ["infores:drugkg"]}]
    edges = text["drugkg_kgx_edges.jsonl"].splitlines()
    assert edges[2] == ('{"id": "id:claim", "subject": "id:a", "predicate": "biolink:treats", "object": "id:b", '
                        '"category": ["biolink:ChemicalToDiseaseOrPhenotypicFeatureAssociation"], "knowledge_level": '
                        '"not_provided", "agent_type": "not_provided", "primary_knowledge_source": "infores:drugkg"}')
    assert json.loads(edges[1]) == {
        "id": "e2", "subject": "id:b", "predicate": "biolink:related_to", "object": "id:a",
        "category": ["biolink:Association"], "original_predicate": "dkg:x", "knowledge_level": "knowledge_assertion",
        "agent_type": "manual_agent", "primary_knowledge_source": "infores:drugkg", "publications": ["id:doc"],
        "supporting_documents": ["id.doc:s1", "id.doc:s2"]}
