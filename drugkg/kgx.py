"""The KGX export: the graph as Biolink nodes and edges, for KG-Hub and the Translator tools.

KGX (the Knowledge Graph Exchange format) is a property graph: a node has an id, Biolink categories, a name,
cross-references; an edge has a subject, a Biolink predicate, an object and its provenance. The Biolink terms
come from the ontology alone: each class and object property of ``ontology/drugkg.ttl`` has one SKOS match
(``skos:exactMatch``, ``closeMatch``, ``broadMatch`` or ``narrowMatch``) to a Biolink term
(:func:`read_mapping`).

What becomes what:

- every resource of the data with a ``dkg`` type is a node, its categories the matches of its types,
  except the parts of a record minted under its IRI (``id:monograph/primary-indication``, a section; a
  claim's quantity): a KGX CURIE holds no slash after its prefix;
- a claim whose class matches a Biolink association class (an indication, an adverse-event association) is an
  edge, not a node: from the value of the claim's property that matches ``biolink:subject`` (``dkg:drug``) to
  the value of the one that matches ``biolink:object`` (``dkg:hasDisease``, ``dkg:hasAdverseEvent``), with the
  predicate the class's ``skos:relatedMatch`` names, the association class as its category and the claim's id
  as the edge's id;
- every other statement with an object property between two nodes is an edge with that property's predicate;
  the statements that make an association (its subject and object) are ``biolink:related_to`` edges on a claim
  that is a node (a non-indication names its disease, but does not treat it).

Each edge carries its provenance: the documents its claims come from as ``publications`` and their sections as
``supporting_documents`` (the claim itself for an association; the attribute claims stating the statement, or
the claim it belongs to, for the others), ``knowledge_level`` (a source document asserts it) and
``agent_type`` (curated by hand, or read from an FDA label by the label loader). Nodes and edges are written
as KGX TSV (lists joined by ``|``) and as KGX JSON Lines, sorted, so two builds write the same bytes.
"""

from __future__ import annotations

import json
import uuid
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from drugkg.errors import UsageError
from drugkg.vocab import DKG_NS, WRITE_PREFIXES

BIOLINK = "https://w3id.org/biolink/vocab/"
SKOS = "http://www.w3.org/2004/02/skos/core#"
MATCHES = ("exactMatch", "closeMatch", "broadMatch", "narrowMatch")
INFORES = "infores:drugkg"  # the knowledge source the Translator registry (infores) would name this graph by
RELATED_TO = "biolink:related_to"  # the predicate of a claim node's subject and object statements

# file name -> (kind, format): the four KGX files, in the order written
KGX_FILES = {
    "drugkg_kgx_nodes.tsv": ("nodes", "tsv"),
    "drugkg_kgx_edges.tsv": ("edges", "tsv"),
    "drugkg_kgx_nodes.jsonl": ("nodes", "jsonl"),
    "drugkg_kgx_edges.jsonl": ("edges", "jsonl"),
}
NODE_COLUMNS = ["id", "category", "name", "xref", "provided_by"]
EDGE_COLUMNS = [
    "id",
    "subject",
    "predicate",
    "object",
    "category",
    "original_predicate",
    "knowledge_level",
    "agent_type",
    "primary_knowledge_source",
    "publications",
    "supporting_documents",
]


@dataclass(frozen=True)
class BiolinkMapping:
    """The ontology's Biolink mapping: a category per class, a predicate (or ``biolink:subject`` /
    ``biolink:object``) per object property, and the association classes with their category and predicate."""

    categories: dict[str, str]
    predicates: dict[str, str]
    associations: dict[str, tuple[str, str]]

    def terms(self) -> set[str]:
        """Every Biolink term the mapping names, as ``biolink:`` CURIEs."""
        return {
            *self.categories.values(),
            *self.predicates.values(),
            *(t for a in self.associations.values() for t in a),
        }


_MAPPING = f"""
SELECT ?term ?kind ?match ?related WHERE {{
  VALUES ?kind {{ <http://www.w3.org/2002/07/owl#Class> <http://www.w3.org/2002/07/owl#ObjectProperty> }}
  ?term a ?kind .
  FILTER(STRSTARTS(STR(?term), "{DKG_NS}"))
  OPTIONAL {{
    VALUES ?relation {{ {" ".join(f"<{SKOS}{m}>" for m in MATCHES)} }}
    ?term ?relation ?match . FILTER(STRSTARTS(STR(?match), "{BIOLINK}"))
  }}
  OPTIONAL {{ ?term <{SKOS}relatedMatch> ?related . FILTER(STRSTARTS(STR(?related), "{BIOLINK}")) }}
}}
"""


def _biolink(iri: str) -> str:
    return "biolink:" + iri[len(BIOLINK) :]


def read_mapping(ontology: Path) -> BiolinkMapping:
    """Read the Biolink mapping of ``ontology`` (a Turtle file); raise UsageError naming every class or object
    property with no Biolink match, or with more than one, and how to fix it.

    >>> from drugkg.paths import default_ontology
    >>> mapping = read_mapping(default_ontology())
    >>> mapping.categories["https://w3id.org/drugkg/ontology#DrugProduct"]
    'biolink:Drug'
    >>> mapping.associations["https://w3id.org/drugkg/ontology#Indication"][1]
    'biolink:treats'
    """
    store = ox.Store()
    try:
        store.bulk_load(path=str(ontology), format=ox.RdfFormat.TURTLE)
    except (OSError, SyntaxError) as exc:
        raise UsageError(f"cannot read the ontology {ontology} ({exc}); pass --ontology FILE") from None
    matches: dict[tuple[str, str], set[str]] = defaultdict(set)
    related: dict[str, set[str]] = defaultdict(set)
    for row in store.query(_MAPPING):
        key = (row["term"].value, row["kind"].value.rsplit("#", 1)[1])
        matches[key]  # noqa: B018 -- a term with no match is listed too, to be reported
        if row["match"] is not None:
            matches[key].add(_biolink(row["match"].value))
        if row["related"] is not None:
            related[key[0]].add(_biolink(row["related"].value))
    problems = [
        f"dkg:{term[len(DKG_NS) :]} ({kind}) has {len(found) or 'no'} Biolink matches {sorted(found)}"
        for (term, kind), found in sorted(matches.items())
        if len(found) != 1
    ]
    if problems:
        raise UsageError(
            f"the ontology {ontology} does not map every term to one Biolink term: {'; '.join(problems)}; "
            "give each class and object property exactly one skos:exactMatch, closeMatch, broadMatch "
            "or narrowMatch to a biolink: term"
        )
    categories, predicates, associations = {}, {}, {}
    for (term, kind), (found,) in matches.items():
        if kind == "ObjectProperty":
            predicates[term] = found
        elif found.endswith("Association"):
            predicate = [p for p in related.get(term, ()) if p[len("biolink:") :][:1].islower()]
            if len(predicate) != 1:
                raise UsageError(
                    f"dkg:{term[len(DKG_NS) :]} matches the Biolink association {found} but names "
                    f"{len(predicate) or 'no'} predicates; give it one skos:relatedMatch to a "
                    "biolink: predicate"
                )
            associations[term] = (found, predicate[0])
        else:
            categories[term] = found
    return BiolinkMapping(categories, predicates, associations)


@dataclass
class KgxGraph:
    """The nodes and edges, each a dict of KGX properties (lists for the multivalued ones), sorted by id."""

    nodes: list[dict]
    edges: list[dict]


_TYPES = f'SELECT ?s ?c WHERE {{ ?s a ?c . FILTER(STRSTARTS(STR(?c), "{DKG_NS}")) }}'
_NAMES = "SELECT ?s ?name WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?name }"
_XREFS = f"""SELECT ?s ?value WHERE {{
  ?x <{DKG_NS}identifies> ?s ; <{DKG_NS}identifierValue> ?value ;
     <{DKG_NS}confidence> <{DKG_NS}Verified> }}"""
_STATEMENTS = f'SELECT ?s ?p ?o WHERE {{ ?s ?p ?o . FILTER(isIRI(?o) && STRSTARTS(STR(?p), "{DKG_NS}")) }}'
# a claim's section and that section's document; a statement's attribute claims
_SOURCES = f"""SELECT ?claim ?section ?document WHERE {{
  ?claim <http://www.w3.org/ns/prov#wasDerivedFrom> ?section .
  ?section <http://purl.org/dc/terms/isPartOf>* ?document . ?document a <{DKG_NS}SourceDocument> }}"""
_ATTRIBUTES = f"""SELECT ?claim ?s ?p ?o WHERE {{
  ?claim <{DKG_NS}claimSubject> ?s ; <{DKG_NS}claimProperty> ?p ; <{DKG_NS}claimObject> ?o .
  FILTER(isIRI(?o)) }}"""


def _rows(store: ox.Store, query: str):
    return store.query(query, default_graph=ox.DefaultGraph())


def kgx_graph(store: ox.Store, mapping: BiolinkMapping, base: str) -> KgxGraph:
    """The KGX nodes and edges of the data in ``store``'s default graph (see the module's description), with
    CURIEs under the graph's prefixes (``id:`` for IRIs minted under ``base``)."""
    from drugkg.queries import curie

    prefixes = {"id": base}
    short: dict[str, str] = {}

    def cur(iri: str) -> str:
        if (
            iri not in short
        ):  # a minted IRI's path may hold slashes (a section: id:monograph/primary-indication)
            short[iri] = "id:" + iri[len(base) :] if iri.startswith(base) else curie(iri, prefixes)
        return short[iri]

    types: dict[str, set[str]] = defaultdict(set)
    for row in _rows(store, _TYPES):
        types[row["s"].value].add(row["c"].value)
    unmapped = sorted({c for cs in types.values() for c in cs} - {*mapping.categories, *mapping.associations})
    if unmapped:
        raise UsageError(
            f"the data use classes the ontology maps to no Biolink term: {', '.join(map(cur, unmapped))}; "
            "give each a skos match to a biolink: term in the ontology"
        )
    # IRIs minted under a record's IRI (a claim's quantity and schedule, a document's sections, an
    # identifier's node) are parts of that record, not KGX nodes: a CURIE's local part cannot hold a slash.
    # Their facts are in the RDF exports, and the sections and identifiers also in the edges'
    # supporting_documents and nodes' xrefs.
    types = {s: cs for s, cs in types.items() if not (s.startswith(base) and "/" in s[len(base) :])}
    associations = {
        s: mapping.associations[c] for s, cs in types.items() for c in cs if c in mapping.associations
    }
    names = {row["s"].value: row["name"].value for row in _rows(store, _NAMES)}
    xrefs: dict[str, set[str]] = defaultdict(set)
    for row in _rows(store, _XREFS):
        xrefs[row["s"].value].add(row["value"].value)
    sections: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for row in _rows(store, _SOURCES):
        sections[row["claim"].value].add((row["section"].value, row["document"].value))
    stated_by: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    for row in _rows(store, _ATTRIBUTES):
        stated_by[(row["s"].value, row["p"].value, row["o"].value)].add(row["claim"].value)

    nodes = [
        {
            "id": cur(s),
            "category": sorted({mapping.categories[c] for c in cs}),
            "name": names.get(s, ""),
            "xref": sorted(xrefs.get(s, ())),
            "provided_by": [INFORES],
        }
        for s, cs in types.items()
        if s not in associations
    ]

    def provenance(claims: set[str]) -> dict:
        found = {pair for claim in claims for pair in sections.get(claim, ())}
        labelled = any(section.startswith(base + "spl/") for section, _ in found)
        return {
            "knowledge_level": "knowledge_assertion",
            "agent_type": "automated_agent" if labelled else "manual_agent",
            "primary_knowledge_source": INFORES,
            "publications": sorted({cur(document) for _, document in found}),
            "supporting_documents": sorted({cur(section) for section, _ in found}),
        }

    parts: dict[str, dict[str, str]] = defaultdict(dict)  # association claim -> {"biolink:subject": iri, ...}
    edges = []
    for row in _rows(store, _STATEMENTS):
        s, p, o = row["s"].value, row["p"].value, row["o"].value
        predicate = mapping.predicates.get(p)
        if predicate is None:  # an annotation, such as dkg:claimSubject
            continue
        if s in associations and predicate in ("biolink:subject", "biolink:object"):
            parts[s][predicate] = o
            continue
        if s not in types or o not in types or s in associations or o in associations:
            continue
        if predicate in ("biolink:subject", "biolink:object"):
            predicate = RELATED_TO
        claims = stated_by.get((s, p, o)) or ({s} if s in sections else set())
        edges.append(
            {
                "id": f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'{s} {p} {o}')}",
                "subject": cur(s),
                "predicate": predicate,
                "object": cur(o),
                "category": ["biolink:Association"],
                "original_predicate": cur(p),
                **provenance(claims),
            }
        )
    for claim, (category, predicate) in associations.items():
        ends = parts.get(claim, {})
        if {"biolink:subject", "biolink:object"} <= ends.keys():
            edges.append(
                {
                    "id": cur(claim),
                    "subject": cur(ends["biolink:subject"]),
                    "predicate": predicate,
                    "object": cur(ends["biolink:object"]),
                    "category": [category],
                    **provenance({claim}),
                }
            )
    return KgxGraph(sorted(nodes, key=lambda n: n["id"]), sorted(edges, key=lambda e: e["id"]))


def _cell(value) -> str:
    text = "|".join(value) if isinstance(value, list) else str(value)
    return text.replace("\t", " ").replace("\n", " ")


def write_kgx(graph: KgxGraph, path: Path) -> Path:
    """Write the nodes or edges of ``graph`` to ``path``, one of :data:`KGX_FILES`: as KGX TSV (a header,
    lists joined by ``|``) or as JSON Lines (one JSON object a line, empty values left out)."""
    if path.name not in KGX_FILES:
        raise ValueError(f"{path.name} is not a KGX file drugkg writes: {', '.join(KGX_FILES)}")
    kind, fmt = KGX_FILES[path.name]
    rows, columns = (graph.nodes, NODE_COLUMNS) if kind == "nodes" else (graph.edges, EDGE_COLUMNS)
    with path.open("w", encoding="utf-8", newline="\n") as out:
        if fmt == "tsv":
            out.write("\t".join(columns) + "\n")
            for row in rows:
                out.write("\t".join(_cell(row.get(c, "")) for c in columns) + "\n")
        else:
            for row in rows:
                kept = {c: row[c] for c in columns if row.get(c) not in (None, "", [])}
                out.write(json.dumps(kept, ensure_ascii=False) + "\n")
    return path


def kgx_prefixes(base: str) -> dict[str, str]:
    """The prefixes of the export's CURIEs, for a JSON-LD context: the graph's own (``id:`` for ``base``,
    ``dkg:`` and the others drugkg writes) and those of the external identifiers."""
    from drugkg.prefixes import PREFIXES

    return {**WRITE_PREFIXES, **{p.name: p.iri for p in PREFIXES.values() if p.iri}, "id": base}


def validate_kgx(folder: Path | str, base: str | None = None) -> dict:
    """Run KGX's own validator (``kgx validate``, from the ``kgx`` package) over the KGX TSV nodes and edges
    in the build folder ``folder``; return its report: ``{level: {error type: {message: [entities]}}}``, empty
    when valid.

    ``kgx validate`` on the command line downloads the Biolink model and the prefix context from GitHub; this
    runs the same validator offline, against the model of the installed ``biolink-model`` package and its
    prefix map, with the export's own prefixes added (``id:`` for ``base``, read from the build's ``void.ttl``
    by default). Needs the packages ``kgx`` and ``biolink-model`` (``pip install -e '.[test]'``).

    >>> validate_kgx("dist")  # doctest: +SKIP
    {}
    """
    import importlib.util

    folder = Path(folder)
    if importlib.util.find_spec("kgx") is None or importlib.util.find_spec("biolink_model") is None:
        raise UsageError("validating KGX needs the packages kgx and biolink-model: pip install -e '.[test]'")
    files = [folder / name for name, (_, fmt) in KGX_FILES.items() if fmt == "tsv"]
    missing = [str(f) for f in files if not f.is_file()]
    if missing:
        raise UsageError(
            f"no KGX export: {', '.join(missing)} missing; run 'drugkg build --out {folder}' first"
        )
    if base is None:
        base = _uri_space(folder / "void.ttl")
    import biolink_model
    import bmt.toolkit

    model = Path(next(iter(biolink_model.__path__)))
    # bmt's Toolkit reads its schema from GitHub unless given one, and kgx makes one as it is imported: point
    # the default at the installed model (no predicate map: the validator does not use it) before kgx is
    # imported.
    bmt.toolkit.Toolkit.__init__.__defaults__ = (
        str(model / "schema" / "biolink_model.yaml"),
        {"predicate mappings": []},
    )
    import kgx.config

    context = json.loads((model / "prefixmaps" / "biolink-model-prefix-map.json").read_text(encoding="utf-8"))
    kgx.config.jsonld_context_map["biolink"] = {**context, **kgx_prefixes(base)}
    from kgx.validator import Validator

    Validator.set_biolink_model(None)
    validator = Validator()
    from kgx.transformer import Transformer

    Transformer(stream=True).transform(
        input_args={"filename": [str(f) for f in files], "format": "tsv"},
        output_args={"format": "null"},
        inspector=validator,
    )
    return validator.get_errors()


def _uri_space(void: Path) -> str:
    """The base of the minted IRIs, as the build's dataset description states it (``void:uriSpace``)."""
    store = ox.Store()
    try:
        store.bulk_load(path=str(void), format=ox.RdfFormat.TURTLE)
    except (OSError, SyntaxError) as exc:
        raise UsageError(f"cannot read {void} ({exc}); rebuild with 'drugkg build'") from None
    for quad in store.quads_for_pattern(None, ox.NamedNode("http://rdfs.org/ns/void#uriSpace"), None):
        return quad.object.value
    raise UsageError(f"{void} states no void:uriSpace; rebuild with 'drugkg build'")
