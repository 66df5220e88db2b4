"""The KGX export: the graph as Biolink nodes and edges, for KG-Hub and the Translator tools.

KGX (the Knowledge Graph Exchange format) is a property graph: a node has an id, Biolink categories, a name,
cross-references; an edge has a subject, a Biolink predicate, an object and its provenance. The Biolink terms
come from the ontology alone: each class and object property of ``ontology/drugkg.ttl`` has one SKOS match
(``skos:exactMatch``, ``closeMatch``, ``broadMatch`` or ``narrowMatch``) to a Biolink term
(:func:`read_mapping`).

What becomes what:

- every resource of the data with a ``dkg`` type is a node, its categories the matches of its types; the
  parts of a record minted under its IRI (a document's sections, a claim's quantities and schedules, a label's
  products, packages and ingredients) too;
- a claim whose class matches a Biolink association class (an indication, an adverse-event association) is an
  edge, not a node: from the value of the claim's property that matches ``biolink:subject`` (``dkg:drug``) to
  the value of the one that matches ``biolink:object`` (``dkg:hasDisease``, ``dkg:hasAdverseEvent``), with the
  predicate the class's ``skos:relatedMatch`` names, the association class as its category and the claim's id
  as the edge's id;
- every other statement with an object property between two nodes is an edge with that property's predicate;
  the statements that make an association (its subject and object) are ``biolink:related_to`` edges on a claim
  that is a node (a non-indication names its disease, but does not treat it).

Ids are CURIEs. An external IRI takes its scheme's prefix (``MONDO:0010604``); an IRI minted under the base
takes the prefix of its namespace, the IRI up to its last ``/`` (a KGX CURIE holds no ``/`` after its prefix):
``id`` for the base itself (``id:hemgenix``), ``id.`` and the path segments joined by ``.`` for a namespace
below it (``id.monograph:primary-indication`` for ``{base}monograph/primary-indication``), each segment
escaped so that the name is an NCName and no two namespaces share one (:func:`minted_curie`). The build writes
the prefixes beside the files as a JSON-LD context (:data:`KGX_CONTEXT`): each CURIE of the export expands
with it to the exact IRI of the RDF exports, and :func:`validate_kgx` validates against it.

Each edge carries its provenance: the documents its claims come from as ``publications`` and their sections as
``supporting_documents`` (the claim itself for an association; the attribute claims stating the statement, or
the claim it belongs to, for the others; for a statement about a part, the claim or section the part is minted
under), ``knowledge_level`` (a source document asserts it) and ``agent_type`` (curated by hand, or read from
an FDA label by the label loader); both ``not_provided`` for the few statements with no source in the graph
(an identifier node's, a claim difference's). Nodes and edges are written as KGX TSV (lists joined by ``|``)
and as KGX JSON Lines, sorted, so two builds write the same bytes.
"""

from __future__ import annotations

import functools
import hashlib
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
ASSOCIATION = ("biolink:Association",)  # the category of an edge made from a statement

KGX_CONTEXT = "drugkg_kgx_context.jsonld"  # the prefix of every CURIE in the KGX files, as a JSON-LD context
# file name -> (kind, format): the KGX files, in the order written
KGX_FILES = {
    "drugkg_kgx_nodes.tsv": ("nodes", "tsv"),
    "drugkg_kgx_edges.tsv": ("edges", "tsv"),
    "drugkg_kgx_nodes.jsonl": ("nodes", "jsonl"),
    "drugkg_kgx_edges.jsonl": ("edges", "jsonl"),
    KGX_CONTEXT: ("context", "jsonld"),
}
MINTED = "id"  # the prefix of the base IRI; a namespace minted under it is MINTED.SEGMENT.SEGMENT...
GEN_DELIMS = ":/?#[]@"  # a JSON-LD 1.1 term is a prefix by itself only when its IRI ends with one of these
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


def _escape(segment: str) -> str:
    """A path segment as a part of a prefix name (an XML NCName): ASCII letters, digits and ``-`` as they are,
    any other character as ``_`` and two hex digits for each of its UTF-8 bytes (``.`` as ``_2E``, ``_`` as
    ``_5F``), so that ``.`` is left to join the segments and the joined name reads back one way only."""
    return "".join(
        c if c.isascii() and (c.isalnum() or c == "-") else "".join(f"_{b:02X}" for b in c.encode("utf-8"))
        for c in segment
    )


def minted_curie(iri: str, base: str) -> tuple[str, str, str]:
    """The KGX CURIE of ``iri``, an IRI minted under ``base``: ``(CURIE, prefix, namespace)``, where the
    prefix stands for the namespace, the IRI up to its last ``/``.

    A KGX CURIE holds no ``/`` (nor ``:``) after its prefix, so the local part is the IRI's last path segment
    and each namespace minted under the base has a prefix of its own: ``id`` for the base, ``id.`` and the
    path segments below the base joined by ``.`` for the others, each segment escaped (:func:`_escape`) to
    keep the name a W3C CURIE prefix (an NCName) and to keep two namespaces from sharing one. The namespace
    plus the local part is the IRI again, character for character. Raises UsageError for an IRI whose last
    segment is empty or holds a ``:``, which no loader mints.

    >>> base = "https://w3id.org/drugkg/id/"
    >>> minted_curie(base + "hemgenix", base)
    ('id:hemgenix', 'id', 'https://w3id.org/drugkg/id/')
    >>> minted_curie(base + "monograph/primary-indication", base)
    ('id.monograph:primary-indication', 'id.monograph', 'https://w3id.org/drugkg/id/monograph/')
    >>> minted_curie(base + "spl/c6e1/11/product/2/package/5.1/type", base)[0]
    'id.spl.c6e1.11.product.2.package.5_2E1:type'
    >>> minted_curie(base + "spl/c6e1/11/product/2/package/5/1/type", base)[0]
    'id.spl.c6e1.11.product.2.package.5.1:type'
    """
    path = iri[len(base) :]
    local = path.rsplit("/", 1)[-1]
    if not local or ":" in local:
        raise UsageError(
            f"cannot write {iri} as a KGX CURIE: its last path segment {local!r} is empty or holds a colon; "
            "mint IRIs whose last segment is letters, digits and -._~ (percent-encode the rest)"
        )
    namespace = path[: len(path) - len(local)]
    prefix = _minted_prefix(namespace)
    return f"{prefix}:{local}", prefix, base + namespace


@functools.lru_cache(maxsize=4096)  # many IRIs, few namespaces
def _minted_prefix(namespace: str) -> str:
    """The prefix of a namespace minted under the base (its path below the base, ending in ``/``)."""
    return ".".join([MINTED, *map(_escape, namespace.split("/")[:-1])])


def edge_id(statement: str) -> str:
    """A statement's edge id: ``urn:uuid:`` and the name-based (SHA-1, version 5) UUID of ``statement`` in the URL
    namespace, as :func:`uuid.uuid5` makes it, without making a UUID object for each of a large graph's edges.

    >>> edge_id("a b c") == f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, 'a b c')}"
    True
    """
    digest = bytearray(hashlib.sha1(uuid.NAMESPACE_URL.bytes + statement.encode("utf-8")).digest()[:16])
    digest[6] = (digest[6] & 0x0F) | 0x50  # version 5
    digest[8] = (digest[8] & 0x3F) | 0x80  # the RFC 4122 variant
    h = digest.hex()
    return f"urn:uuid:{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


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
    """The nodes and edges, sorted by id, and the prefix map of their CURIEs (:func:`kgx_prefixes` and those of the
    namespaces minted under the base that they use).

    A node is a tuple of the values of :data:`NODE_COLUMNS` in order; an edge, of the first six of
    :data:`EDGE_COLUMNS` and then a tuple of the other five (its provenance, which most edges share with many
    others: one tuple serves them all). A multivalued property is a tuple; a missing one is "". Tuples, not dicts:
    at 1,000 synthetic drugs there are 550,000 edges, and a dict each took 300 MB more.
    """

    nodes: list[tuple]
    edges: list[tuple]
    prefixes: dict[str, str]


_TYPES = f'SELECT ?s ?c WHERE {{ ?s a ?c . FILTER(STRSTARTS(STR(?c), "{DKG_NS}")) }}'
_NAMES = "SELECT ?s ?name WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?name }"
_XREFS = f"""SELECT ?s ?value WHERE {{
  ?x <{DKG_NS}identifies> ?s ; <{DKG_NS}identifierValue> ?value ;
     <{DKG_NS}confidence> <{DKG_NS}Verified> }}"""
_STATEMENTS = f'SELECT ?s ?p ?o WHERE {{ ?s ?p ?o . FILTER(isIRI(?o) && STRSTARTS(STR(?p), "{DKG_NS}")) }}'
# every section and document with the document it is part of (a document is its own); a claim's sections; a
# statement's attribute claims
_DOCUMENTS = f"""SELECT ?section ?document WHERE {{
  ?section <http://purl.org/dc/terms/isPartOf>* ?document . ?document a <{DKG_NS}SourceDocument> }}"""
_SOURCES = "SELECT ?claim ?section WHERE { ?claim <http://www.w3.org/ns/prov#wasDerivedFrom> ?section }"
_ATTRIBUTES = f"""SELECT ?claim ?s ?p ?o WHERE {{
  ?claim <{DKG_NS}claimSubject> ?s ; <{DKG_NS}claimProperty> ?p ; <{DKG_NS}claimObject> ?o .
  FILTER(isIRI(?o)) }}"""


def _rows(store: ox.Store, query: str):
    return store.query(query, default_graph=ox.DefaultGraph())


def kgx_graph(store: ox.Store, mapping: BiolinkMapping, base: str) -> KgxGraph:
    """The KGX nodes and edges of the data in ``store``'s default graph (see the module's description), with
    CURIEs under the graph's prefixes and, for IRIs minted under ``base``, a prefix for each namespace
    (:func:`minted_curie`)."""
    from drugkg.queries import curie

    prefixes = kgx_prefixes(base)
    short: dict[str, str] = {}

    def cur(iri: str) -> str:
        if iri not in short:
            if iri.startswith(base):
                short[iri], prefix, namespace = minted_curie(iri, base)
                prefixes[prefix] = namespace
            else:
                short[iri] = curie(iri)
        return short[iri]

    # rows are read by position (a term by name costs half as much again: it is the bulk of the time here)
    types: dict[str, set[str]] = defaultdict(set)
    for row in _rows(store, _TYPES):
        types[row[0].value].add(row[1].value)
    unmapped = sorted({c for cs in types.values() for c in cs} - {*mapping.categories, *mapping.associations})
    if unmapped:
        raise UsageError(
            f"the data use classes the ontology maps to no Biolink term: {', '.join(map(cur, unmapped))}; "
            "give each a skos match to a biolink: term in the ontology"
        )
    associations = {
        s: mapping.associations[c] for s, cs in types.items() for c in cs if c in mapping.associations
    }
    names = {row[0].value: row[1].value for row in _rows(store, _NAMES)}
    xrefs: dict[str, set[str]] = defaultdict(set)
    for row in _rows(store, _XREFS):
        xrefs[row[0].value].add(row[1].value)
    documents = {row[0].value: row[1].value for row in _rows(store, _DOCUMENTS)}
    sections: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for row in _rows(store, _SOURCES):
        section = row[1].value
        if section in documents:
            sections[row[0].value].add((section, documents[section]))
    stated_by: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    for row in _rows(store, _ATTRIBUTES):
        stated_by[(row[1].value, row[2].value, row[3].value)].add(row[0].value)

    provided_by = (INFORES,)
    nodes = [
        (cur(s), tuple(sorted({mapping.categories[c] for c in cs})), names.get(s, ""), tuple(sorted(xrefs.get(s, ()))),
         provided_by)
        for s, cs in types.items()
        if s not in associations
    ]

    def owner_sources(iri: str) -> set[tuple[str, str]]:
        """The sources of the record ``iri`` is minted under: the nearest claim with sources, or section or
        document, that its IRI's path passes through (``.../section/S/table/1/row/2/arm/3/rate``: S)."""
        while iri.startswith(base) and "/" in iri[len(base) :]:
            iri = iri.rsplit("/", 1)[0]
            if iri in sections:
                return sections[iri]
            if iri in documents:
                return {(iri, documents[iri])}
        return set()

    described: dict[frozenset, tuple] = {}  # sources -> their provenance: most edges share a few sources

    def provenance(claims: set[str], subject: str | None = None) -> tuple:
        found = frozenset(pair for claim in claims for pair in sections.get(claim, ()))
        if not found and subject is not None:
            found = frozenset(owner_sources(subject))
        slots = described.get(found)
        if slots is None:
            labelled = any(section.startswith(base + "spl/") for section, _ in found)
            agent = "automated_agent" if labelled else "manual_agent"
            slots = described[found] = (  # the last five of EDGE_COLUMNS
                "knowledge_assertion" if found else "not_provided",
                agent if found else "not_provided",
                INFORES,
                tuple(sorted({cur(document) for _, document in found})),
                tuple(sorted({cur(section) for section, _ in found})),
            )
        return slots

    parts: dict[str, dict[str, str]] = defaultdict(dict)  # association claim -> {"biolink:subject": iri, ...}
    edges = []
    for row in _rows(store, _STATEMENTS):
        s, p, o = row[0].value, row[1].value, row[2].value
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
        edges.append((edge_id(f"{s} {p} {o}"), cur(s), predicate, cur(o), ASSOCIATION, cur(p), provenance(claims, s)))
    for claim, (category, predicate) in associations.items():
        ends = parts.get(claim, {})
        if {"biolink:subject", "biolink:object"} <= ends.keys():
            edges.append((cur(claim), cur(ends["biolink:subject"]), predicate, cur(ends["biolink:object"]),
                          (category,), "", provenance({claim})))
    nodes.sort()  # by id: ids are distinct, so the rest of a tuple is never compared
    edges.sort()
    return KgxGraph(nodes, edges, dict(sorted(prefixes.items())))


def _cell(value) -> str:
    text = "|".join(value) if isinstance(value, tuple) else str(value)
    return text.replace("\t", " ").replace("\n", " ")


def write_kgx(graph: KgxGraph, path: Path) -> Path:
    """Write the nodes or edges of ``graph`` to ``path``, one of :data:`KGX_FILES`: as KGX TSV (a header,
    lists joined by ``|``) or as JSON Lines (one JSON object a line, empty values left out); or, for
    :data:`KGX_CONTEXT`, the prefixes of their CURIEs as a JSON-LD context (:func:`kgx_context`)."""
    if path.name not in KGX_FILES:
        raise ValueError(f"{path.name} is not a KGX file drugkg writes: {', '.join(KGX_FILES)}")
    kind, fmt = KGX_FILES[path.name]
    if kind == "context":
        text = json.dumps(kgx_context(graph.prefixes), indent=1, ensure_ascii=False)
        path.write_text(text + "\n", encoding="utf-8", newline="\n")
        return path
    columns = NODE_COLUMNS if kind == "nodes" else EDGE_COLUMNS
    rows = graph.nodes if kind == "nodes" else ((*edge[:-1], *edge[-1]) for edge in graph.edges)
    with path.open("w", encoding="utf-8", newline="\n") as out:
        if fmt == "tsv":
            out.write("\t".join(columns) + "\n")
            for row in rows:
                out.write("\t".join(map(_cell, row)) + "\n")
        else:
            encode = json.JSONEncoder(ensure_ascii=False).encode  # one encoder: json.dumps makes one per call
            for row in rows:
                kept = {c: list(v) if isinstance(v, tuple) else v for c, v in zip(columns, row) if v not in ("", ())}
                out.write(encode(kept) + "\n")
    return path


def kgx_prefixes(base: str) -> dict[str, str]:
    """The prefixes every KGX export declares: the graph's own (``id:`` for ``base``, ``dkg:`` and the
    others drugkg writes), those of the external identifiers that have an IRI, and ``biolink:``. The
    namespaces minted under the base add theirs (:func:`minted_curie`); none of these names holds a ``.``,
    so none clashes with them."""
    from drugkg.prefixes import PREFIXES

    return {
        **WRITE_PREFIXES,
        **{p.name: p.iri for p in PREFIXES.values() if p.iri},
        "biolink": BIOLINK,
        MINTED: base,
    }


def kgx_context(prefixes: dict[str, str]) -> dict:
    """A JSON-LD 1.1 context declaring ``prefixes`` (name -> IRI), sorted. A prefix whose IRI does not end
    with a URI gen-delim character (the OBO ones, ``..._``) is declared with ``"@prefix": true``: without it
    a JSON-LD 1.1 processor would not expand ``CHEBI:8382``.

    >>> obo = "http://purl.obolibrary.org/obo/"
    >>> context = kgx_context({"id": "https://w3id.org/drugkg/id/", "CHEBI": obo + "CHEBI_"})
    >>> context["@context"]["id"], context["@context"]["CHEBI"]
    ('https://w3id.org/drugkg/id/', {'@id': 'http://purl.obolibrary.org/obo/CHEBI_', '@prefix': True})
    """
    terms = {
        name: iri if iri[-1:] in GEN_DELIMS else {"@id": iri, "@prefix": True}
        for name, iri in sorted(prefixes.items())
    }
    return {"@context": {"@version": 1.1, **terms}}


def read_kgx_context(path: Path) -> dict[str, str]:
    """The prefix map (name -> IRI) of a context :func:`kgx_context` wrote to ``path``; UsageError when the
    file is missing or not such a context."""
    try:
        context = json.loads(path.read_text(encoding="utf-8"))["@context"]
        return {
            name: term if isinstance(term, str) else term["@id"]
            for name, term in context.items()
            if not name.startswith("@")
        }
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise UsageError(
            f"cannot read the KGX prefixes in {path} ({exc}); rebuild with 'drugkg build'"
        ) from None


def validate_kgx(folder: Path | str) -> dict:
    """Run KGX's own validator (``kgx validate``, from the ``kgx`` package) over the KGX TSV nodes and edges
    in the build folder ``folder``; return its report: ``{level: {error type: {message: [entities]}}}``, empty
    when valid.

    ``kgx validate`` on the command line downloads the Biolink model and the prefix context from GitHub; this
    runs the same validator offline, against the model of the installed ``biolink-model`` package and its
    prefix map, with the prefixes the export ships added (its :data:`KGX_CONTEXT`: ``id:``, ``dkg:``, the
    namespaces minted under the base). Needs the packages ``kgx`` and ``biolink-model``
    (``pip install -e '.[test]'``).

    >>> validate_kgx("dist")  # doctest: +SKIP
    {}
    """
    import importlib.util

    folder = Path(folder)
    if importlib.util.find_spec("kgx") is None or importlib.util.find_spec("biolink_model") is None:
        raise UsageError("validating KGX needs the packages kgx and biolink-model: pip install -e '.[test]'")
    files = [folder / name for name, (_, fmt) in KGX_FILES.items() if fmt == "tsv"]
    missing = [str(f) for f in [*files, folder / KGX_CONTEXT] if not f.is_file()]
    if missing:
        raise UsageError(
            f"no KGX export: {', '.join(missing)} missing; run 'drugkg build --out {folder}' first"
        )
    prefixes = read_kgx_context(folder / KGX_CONTEXT)
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
    kgx.config.jsonld_context_map["biolink"] = {**context, **prefixes}
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
