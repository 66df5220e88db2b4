"""The dataset description written beside the exports: VoID statistics and DCAT release metadata."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

import pyoxigraph as ox

from drugkg.build import Compiled
from drugkg.export import sorted_ntriples, write_graph
from drugkg.ontology import load_ontology
from drugkg.terms import date_literal, integer, plain, text
from drugkg.vocab import DCAT, DCTERMS, DKG_NS, OWL, RDF, RDFS, VOID, WRITE_PREFIXES

MEDIA_TYPES = {
    ".ttl": "text/turtle",
    ".nt": "application/n-triples",
    ".jsonld": "application/ld+json",
    ".rdf": "application/rdf+xml",
}

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


def write_void(store: ox.Store, compiled: Compiled, ontology: Path, folder: Path, exports: list[Path]) -> Path:
    """Describe the dataset (counts, classes, properties, sources, files) in ``folder/void.ttl``."""
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
    for path in exports:
        if path.suffix not in MEDIA_TYPES:
            continue
        dist = ox.NamedNode(f"{ds.value}/distribution/{path.suffix[1:]}")
        triples += [(ds, DCAT.distribution, dist), (dist, RDF.type, DCAT.Distribution),
                    (dist, DCTERMS.title, plain(path.name)), (dist, DCAT.mediaType, plain(MEDIA_TYPES[path.suffix])),
                    (dist, DCAT.byteSize, integer(path.stat().st_size))]
    return write_graph(sorted_ntriples(triples), folder / "void.ttl", ox.RdfFormat.TURTLE)

