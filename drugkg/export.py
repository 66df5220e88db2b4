"""Exports: the built graph in every standard RDF format, written by Oxigraph (N-Triples sorted by us)."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from drugkg.vocab import WRITE_PREFIXES

# file name -> Oxigraph format (None: our own sorted N-Triples text, byte-identical run to run)
EXPORTS: dict[str, ox.RdfFormat | None] = {
    "drugkg.ttl": ox.RdfFormat.TURTLE,
    "drugkg.nt": None,
    "drugkg.jsonld": ox.RdfFormat.JSON_LD,
    "drugkg.rdf": ox.RdfFormat.RDF_XML,
}

PARSE_FORMATS = {
    ".ttl": ox.RdfFormat.TURTLE,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".jsonld": ox.RdfFormat.JSON_LD,
    ".rdf": ox.RdfFormat.RDF_XML,
}


def write_exports(store: ox.Store, ntriples: str, folder: Path) -> list[Path]:
    """Write every export of the store's default graph into ``folder``; return the paths written."""
    written = []
    for name, fmt in EXPORTS.items():
        path = folder / name
        if fmt is None:
            path.write_text(ntriples, encoding="utf-8")
        else:
            prefixes = WRITE_PREFIXES if fmt is not ox.RdfFormat.RDF_XML else None
            store.dump(str(path), format=fmt, from_graph=ox.DefaultGraph(), prefixes=prefixes)
        written.append(path)
    return written
