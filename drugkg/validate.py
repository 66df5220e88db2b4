"""Graph validation: SHACL shapes (compiled to SPARQL, with pySHACL as the reference) and OWL reasoning (HermiT),
reported against the data's source lines.

Each problem becomes a :class:`~drugkg.errors.DataError` naming the data file and line of the record the offending
resource came from, the record id and the resource's label, what is wrong (the shape's message, in plain words)
and the rule (the shape's name). Problems in the ontology itself point at the ontology file and the line where the
term is declared.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import rdflib

from drugkg.errors import DataError
from drugkg.queries import curie
from drugkg.reader import display_path
from drugkg.schema import Record

SH = rdflib.Namespace("http://www.w3.org/ns/shacl#")
SHAPES_PREFIXES = {"dkgsh": "https://w3id.org/drugkg/shapes#"}


@dataclass(frozen=True, order=True)
class ShapeResult:
    """One SHACL validation result, with plain strings for reporting."""

    focus: str
    shape: str
    message: str
    path: str = ""
    value: str = ""


def shacl_results(ntriples: str, ontology: Path, shapes: Path) -> list[ShapeResult]:
    """Validate the data (with the ontology mixed in, so targets reach subclass members) against ``shapes``."""
    import pyshacl

    data = rdflib.Graph()
    data.parse(data=ntriples, format="nt")
    conforms, report, _ = pyshacl.validate(
        data,
        shacl_graph=_parse(shapes),
        ont_graph=_parse(ontology),
        inference="none",
        advanced=True,
        allow_warnings=False,
    )
    results = []
    for result in report.subjects(rdflib.RDF.type, SH.ValidationResult):
        message = report.value(result, SH.resultMessage)
        path = report.value(result, SH.resultPath)
        value = report.value(result, SH.value)
        results.append(
            ShapeResult(
                focus=str(report.value(result, SH.focusNode)),
                shape=str(report.value(result, SH.sourceShape)),
                message=str(message) if message is not None else "violates a shape",
                path=str(path) if isinstance(path, rdflib.URIRef) else "",
                value=str(value) if value is not None else "",
            )
        )
    return sorted(set(results))


def shape_results(
    store: ox.Store,
    ntriples: str | Callable[[], str],
    ontology: Path,
    shapes: Path,
    progress: Callable[[str], None] = lambda message: None,
) -> list[ShapeResult]:
    """The SHACL results for the graph in ``store`` (the data in its default graph, the ontology in its own): the
    shapes compiled to SPARQL (:mod:`drugkg.shacl`), which gives :func:`shacl_results`' answers in a fraction of the
    time; pySHACL itself (with ``ntriples``) when the shapes use SHACL that the compiler does not translate.
    ``ntriples`` may be a function giving the text, called only if the text is needed (a build holds it in a file)."""
    from drugkg.shacl import UnsupportedShapes, compile_shapes, validate_store

    try:
        compiled = compile_shapes(shapes)
    except UnsupportedShapes as exc:
        progress(f"{display_path(shapes)} uses {', '.join(exc.components)}, which the SPARQL translation of the "
                 "shapes does not cover; validating with pySHACL instead")
        return shacl_results(ntriples() if callable(ntriples) else ntriples, ontology, shapes)
    return validate_store(store, compiled, ntriples, ontology)


def _parse(path: Path) -> rdflib.Graph:
    graph = rdflib.Graph()
    graph.parse(path, format="turtle")
    return graph


def shape_errors(
    results: list[ShapeResult],
    find_record: Callable[[str], Record | None],
    labels: dict[str, str],
    ontology: Path,
) -> list[DataError]:
    """SHACL results as errors against the record each focus node came from (or the ontology line)."""
    errors = []
    for r in results:
        record = find_record(r.focus)
        label = labels.get(r.focus)
        rule = f"rule {curie(r.shape, SHAPES_PREFIXES)}"
        if r.value and r.value != r.focus:
            rule += f"; value {curie(r.value)}" if r.value.startswith("http") else f"; value {r.value!r}"
        if record is not None:
            name = f"{record.id} ({label})" if label else record.id
            errors.append(DataError(record.file, record.line, name, r.message, rule))
        else:
            name = curie(r.focus) + (f" ({label})" if label else "")
            errors.append(DataError(display_path(ontology), declared_line(ontology, r.focus), name, r.message, rule))
    return errors


def declared_line(path: Path, iri: str) -> int:
    """The line of ``path`` where ``iri`` (or its ``dkg:`` name) starts a statement; 1 if not found."""
    local = iri.rsplit("#", 1)[-1]
    pattern = re.compile(rf"^(<{re.escape(iri)}>|dkg:{re.escape(local)})\s")
    try:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if pattern.match(line):
                return number
    except OSError:
        pass
    return 1


def labels_of(store: ox.Store) -> dict[str, str]:
    """rdfs:label of every resource in the store (the first one, by sort order), for messages."""
    found: dict[str, str] = {}
    query = "SELECT ?s ?l WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?l } ORDER BY ?s ?l"
    for row in store.query(query, use_default_graph_as_union=True):
        found.setdefault(row["s"].value, row["l"].value)
    return found
