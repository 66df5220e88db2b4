"""Exports: the built graph in every standard RDF format.

N-Triples is the sorted text itself (subject, predicate, object as N-Triples text). The other formats are written
by pyoxigraph from the build's in-memory store (about twice as fast as parsing the text again), in the store's own
order, which groups statements by subject and depends only on the triples, so two builds of the same input are
byte-identical; without a store, they are streamed from the sorted text.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox

from drugkg.terms import Triple
from drugkg.vocab import WRITE_PREFIXES

# file name -> format written
EXPORTS: dict[str, ox.RdfFormat] = {
    "drugkg.ttl": ox.RdfFormat.TURTLE,
    "drugkg.nt": ox.RdfFormat.N_TRIPLES,
    "drugkg.jsonld": ox.RdfFormat.JSON_LD,
    "drugkg.rdf": ox.RdfFormat.RDF_XML,
}


def sorted_ntriples(triples: Iterable[Triple]) -> str:
    """N-Triples text with one line per distinct triple, sorted: the canonical form of a built graph."""
    return "".join(line + "\n" for line in sorted({f"{s} {p} {o} ." for s, p, o in triples}))


def write_graph(ntriples: str, path: Path, fmt: ox.RdfFormat) -> Path:
    """Write sorted N-Triples text to ``path`` in ``fmt`` (N-Triples is written as is)."""
    if fmt is ox.RdfFormat.N_TRIPLES:
        path.write_text(ntriples, encoding="utf-8")
    else:
        parsed = ox.parse(ntriples.encode("utf-8"), format=ox.RdfFormat.N_TRIPLES)
        prefixes = None if fmt is ox.RdfFormat.RDF_XML else WRITE_PREFIXES
        ox.serialize(parsed, str(path), format=fmt, prefixes=prefixes)
    return path


def write_export(ntriples: str, path: Path, fmt: ox.RdfFormat, store: ox.Store | None = None) -> Path:
    """Write the graph to ``path`` in ``fmt``: from ``store`` (the same triples in its default graph; other graphs
    are not written) where one is given, else from the sorted text; N-Triples is always the text itself."""
    if store is None or fmt is ox.RdfFormat.N_TRIPLES:
        return write_graph(ntriples, path, fmt)
    return dump_export(store, path, fmt)


def dump_export(store: ox.Store, path: Path, fmt: ox.RdfFormat) -> Path:
    """Write the default graph of ``store`` to ``path`` in ``fmt`` (not N-Triples, whose export is the sorted text)."""
    prefixes = None if fmt is ox.RdfFormat.RDF_XML else WRITE_PREFIXES
    store.dump(str(path), format=fmt, from_graph=ox.DefaultGraph(), prefixes=prefixes)
    return path
