"""The dataset description written beside the exports: VoID statistics and DCAT release metadata.

Each published file is a ``dcat:Distribution`` with its media type (an IANA IRI), size and SHA-256 (``spdx:checksum``),
and so is the gzip copy ``drugkg serve`` makes of it on the fly (``dcat:compressFormat``). Where they can be
downloaded is the server's to say: ``drugkg serve`` adds ``dcat:downloadURL``, ``void:dataDump`` and the SPARQL
endpoint under the URL it is reached at (:func:`site_triples`).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

import pyoxigraph as ox

from drugkg.export import EXPORTS, sorted_ntriples, write_graph
from drugkg.ontology import load_ontology
from drugkg.terms import date_literal, integer, plain, text
from drugkg.vocab import DCAT, DCTERMS, DKG_NS, IANA_MEDIA_TYPES, OWL, PROV, RDF, RDFS, SPDX, VOID, WRITE_PREFIXES

if TYPE_CHECKING:
    from drugkg.build import Compiled

MEDIA_TYPES = {
    ".ttl": "text/turtle",
    ".nt": "application/n-triples",
    ".jsonld": "application/ld+json",
    ".rdf": "application/rdf+xml",
    ".tsv": "text/tab-separated-values",  # the KGX nodes and edges
}
# A published file whose type IANA has not registered: served under its common name, described by dcterms:format
# (dcat:mediaType takes IANA's media types only).
UNREGISTERED_TYPES = {".jsonl": "application/jsonl"}


def media_type_of(name: str) -> str | None:
    """The media type a published file is served as (by its suffix; None for a file the build does not publish).

    >>> media_type_of("drugkg.ttl"), media_type_of("drugkg_kgx_edges.jsonl"), media_type_of("store")
    ('text/turtle', 'application/jsonl', None)
    """
    suffix = Path(name).suffix
    return MEDIA_TYPES.get(suffix) or UNREGISTERED_TYPES.get(suffix)
GZIP = "application/gzip"
SPARQL_PROTOCOL = ox.NamedNode("https://www.w3.org/TR/sparql11-protocol/")
XSD_HEX = "http://www.w3.org/2001/XMLSchema#hexBinary"

_STATS = """
SELECT (COUNT(*) AS ?triples) (COUNT(DISTINCT ?s) AS ?subjects) (COUNT(DISTINCT ?p) AS ?properties)
       (COUNT(DISTINCT ?o) AS ?objects)
WHERE { ?s ?p ?o }
"""
_TYPED = "SELECT (COUNT(DISTINCT ?s) AS ?entities) (COUNT(DISTINCT ?c) AS ?classes) WHERE { ?s a ?c }"
_CLASSES = "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c } GROUP BY ?c ORDER BY ?c"
_PROPERTIES = "SELECT ?p (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?p ORDER BY ?p"


def _one(store: ox.Store, query: str) -> dict[str, int]:
    results = store.query(query)
    variables = results.variables
    solution = next(iter(results))
    return {v.value: int(solution[v].value) for v in variables}


def _slug(iri: str) -> str:
    for prefix, namespace in WRITE_PREFIXES.items():
        if iri.startswith(namespace):
            return f"{prefix}-{quote(iri[len(namespace):], safe='')}"
    return quote(iri, safe="")


@dataclass(frozen=True)
class Lineage:
    """What a build states of the build it replaced: that build's version, and the counts of what changed."""

    previous: ox.NamedNode
    counts: dict[str, int]


def version_iri(folder: Path) -> ox.NamedNode:
    """The version a build folder holds: the one its description names, else (a build older than versions) the one
    its graph's SHA-256 makes (:func:`_version`)."""
    void = ox.Store()
    void.load(path=str(folder / "void.ttl"), format=ox.RdfFormat.TURTLE)
    ds = next(q.subject for q in void.quads_for_pattern(None, VOID.uriSpace, None, None))
    current = next(iter(void.quads_for_pattern(ds, DCAT.hasCurrentVersion, None, None)), None)
    if current is not None:
        return current.object
    with (folder / "drugkg.nt").open("rb") as file:
        return _version(ds, hashlib.file_digest(file, "sha256").hexdigest())


def _version(ds: ox.NamedNode, digest: str) -> ox.NamedNode:
    """A version of the dataset, named by the SHA-256 of its graph (drugkg.nt): two builds of the same graph are the
    same version."""
    return ox.NamedNode(f"{ds.value}/version/{digest[:16]}")


def write_void(store: ox.Store, compiled: Compiled, ontology: Path, folder: Path, exports: list[Path],
               lineage: Lineage | None = None) -> Path:
    """Describe the dataset (counts, classes, properties, sources, files, its version and, given ``lineage``, the
    version it replaced and what changed) in ``folder/void.ttl``."""
    meta = compiled.data.metadata
    base = compiled.base
    ds = ox.NamedNode(base + meta["id"])
    triples = [
        (ds, RDF.type, VOID.Dataset),
        (ds, RDF.type, DCAT.Dataset),
        (ds, DCTERMS.title, text(meta["title"])),
        (ds, RDFS.label, text(meta["title"])),
        (ds, DCTERMS.description, text(meta["description"])),
        (ds, DCAT.version, plain(str(meta["version"]))),
        (ds, OWL.versionInfo, plain(str(meta["version"]))),
        (ds, DCTERMS.issued, date_literal(meta["issued"])),
        (ds, DCTERMS.license, ox.NamedNode(meta["license"])),
        (ds, DCTERMS.creator, plain(meta["creator"])),
        (ds, VOID.uriSpace, plain(base)),
        (ds, VOID.vocabulary, ox.NamedNode(DKG_NS)),
    ]
    version_iri = load_ontology(ontology.resolve()).version_iri
    if version_iri is not None:
        triples.append((ds, DCTERMS.conformsTo, version_iri))
    for record in compiled.data.records:
        if record.kind == "document":
            triples.append((ds, DCTERMS.source, compiled.context.iri(record.id)))
    if compiled.labels is not None:  # every label version loaded is a source too
        from loaders.spl.load import version_iris

        triples += [(ds, DCTERMS.source, iri) for iri in version_iris(compiled.labels, base)]
    stats = _one(store, _STATS) | _one(store, _TYPED)
    for key, predicate in (("triples", VOID.triples), ("entities", VOID.entities), ("classes", VOID.classes),
                           ("properties", VOID.properties), ("subjects", VOID.distinctSubjects),
                           ("objects", VOID.distinctObjects)):
        triples.append((ds, predicate, integer(stats[key])))
    for solution in store.query(_CLASSES):
        part = ox.NamedNode(f"{ds.value}/class/{_slug(solution['c'].value)}")
        triples += [(ds, VOID.classPartition, part), (part, VOID["class"], solution["c"]),
                    (part, VOID.entities, integer(int(solution["n"].value)))]
    for solution in store.query(_PROPERTIES):
        part = ox.NamedNode(f"{ds.value}/property/{_slug(solution['p'].value)}")
        triples += [(ds, VOID.propertyPartition, part), (part, VOID.property, solution["p"]),
                    (part, VOID.triples, integer(int(solution["n"].value)))]
    digests = {}
    for path in exports:
        if media_type_of(path.name):
            described, digests[path.name] = distribution(ds, path)
            triples += described
    triples += _versions(ds, meta["title"], digests["drugkg.nt"], lineage)
    return write_graph(sorted_ntriples(triples), folder / "void.ttl", ox.RdfFormat.TURTLE)


def _versions(ds: ox.NamedNode, title: str, digest: str, lineage: Lineage | None) -> list[tuple]:
    """The dataset's current version (DCAT 3 versioning) and, given ``lineage``, the version it replaced
    (``dcat:previousVersion``, ``prov:wasRevisionOf``) and what changed: the counts in words, and the triples added
    and removed as two ``void:subset`` datasets with their ``void:triples`` (changes.md and changes.json hold the
    changes themselves)."""
    version = _version(ds, digest)
    triples = [(ds, DCAT.hasCurrentVersion, version), (ds, DCAT.hasVersion, version), (version, RDF.type, DCAT.Dataset),
               (version, DCAT.isVersionOf, ds), (version, DCTERMS.title, text(f"{title}, graph {digest[:16]}"))]
    if lineage is None:
        return triples
    counts = lineage.counts
    triples += [(version, DCAT.previousVersion, lineage.previous), (version, PROV.wasRevisionOf, lineage.previous),
                (version, DCTERMS.description, text(
                    f"Against the previous version: {counts['added']} facts added, {counts['removed']} removed, "
                    f"{counts['changed']} changed ({counts['triples added']} triples added, "
                    f"{counts['triples removed']} removed); changes.md and changes.json list them."))]
    for name, key in (("added", "triples added"), ("removed", "triples removed")):
        subset = ox.NamedNode(f"{version.value}/{name}")
        triples += [(version, VOID.subset, subset), (subset, RDF.type, VOID.Dataset),
                    (subset, DCTERMS.title, text(f"the triples {name} since the previous version")),
                    (subset, VOID.triples, integer(counts[key]))]
    return triples


def distribution(ds: ox.NamedNode, path: Path) -> tuple[list[tuple], str]:
    """A published file as a ``dcat:Distribution`` of ``ds`` (named by the file: ``{ds}/distribution/drugkg.ttl``), and
    its gzip copy (``.../drugkg.ttl.gz``, made by the server, so without size or checksum); and the file's SHA-256."""
    dist = ox.NamedNode(f"{ds.value}/distribution/{path.name}")
    if path.suffix in MEDIA_TYPES:
        kind = (DCAT.mediaType, ox.NamedNode(IANA_MEDIA_TYPES + MEDIA_TYPES[path.suffix]))
    else:
        kind = (DCTERMS.format, plain(f"{media_type_of(path.name)} (not registered with IANA)"))
    checksum = ox.NamedNode(f"{dist.value}/sha256")
    with path.open("rb") as file:
        digest = hashlib.file_digest(file, "sha256").hexdigest()
    gz = ox.NamedNode(f"{dist.value}.gz")
    return [(ds, DCAT.distribution, dist), (dist, RDF.type, DCAT.Distribution), (dist, DCTERMS.title, plain(path.name)),
            (dist, *kind), (dist, DCAT.byteSize, integer(path.stat().st_size)),
            (dist, SPDX.checksum, checksum), (checksum, RDF.type, SPDX.Checksum),
            (checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256),
            (checksum, SPDX.checksumValue, ox.Literal(digest, datatype=ox.NamedNode(XSD_HEX))),
            (ds, DCAT.distribution, gz), (gz, RDF.type, DCAT.Distribution), (gz, DCTERMS.title, plain(path.name + ".gz")),
            (gz, *kind), (gz, DCAT.compressFormat, ox.NamedNode(IANA_MEDIA_TYPES + GZIP))], digest


def site_triples(void: ox.Store, site: str) -> list[tuple]:
    """What the server at ``site`` (its public URL, no final slash) adds to the build's description: the SPARQL
    endpoint (``void:sparqlEndpoint`` and a ``dcat:DataService``), and for each distribution its
    ``dcat:downloadURL``/``dcat:accessURL`` under ``{site}/download/``, and a ``void:dataDump`` for each copy of the
    whole graph."""
    ds = next(q.subject for q in void.quads_for_pattern(None, VOID.uriSpace, None, None))
    endpoint = ox.NamedNode(f"{site}/sparql")
    service = ox.NamedNode(f"{ds.value}/service/sparql")
    triples = [(ds, VOID.sparqlEndpoint, endpoint), (service, RDF.type, DCAT.DataService),
               (service, DCAT.endpointURL, endpoint), (service, DCAT.servesDataset, ds),
               (service, DCTERMS.conformsTo, SPARQL_PROTOCOL), (ds, DCAT.accessService, service)]
    for dist in (q.object for q in void.quads_for_pattern(ds, DCAT.distribution, None, None)):
        title = next(q.object.value for q in void.quads_for_pattern(dist, DCTERMS.title, None, None))
        url = ox.NamedNode(f"{site}/download/{quote(title)}")
        triples += [(dist, DCAT.downloadURL, url), (dist, DCAT.accessURL, url)]
        if title.removesuffix(".gz") in EXPORTS:  # the whole graph (not the ontology alone, nor the inferences alone)
            triples.append((ds, VOID.dataDump, url))
    return triples

