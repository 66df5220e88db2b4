"""What a query worker does with the store: run SPARQL under the result caps, describe resources, list the ontology.

Plain functions over a pyoxigraph store (the built one, opened read-only, or any other), so they are tested in
process and run unchanged in the server's worker processes. They return plain values (bytes, tuples, dicts, the
:class:`Answer` dataclass) that cross the process boundary by pickling. A term crosses as a tuple: ``("iri",
value)``, ``("bnode", id)`` or ``("literal", value, language, datatype)``.

Queries see the union of the store's graphs, as ``drugkg query`` does (see :func:`drugkg.engine.run_local`), unless
the request names its own dataset (:class:`Dataset`).
"""

from __future__ import annotations

import io
import json
import re
from dataclasses import dataclass
from itertools import islice

import pyoxigraph as ox

from drugkg import engine
from drugkg.prefixes import PREFIXES
from drugkg.queries import projection_order
from drugkg.vocab import DCTERMS, DKG, DKG_NS, OWL, PROV, RDF, RDFS, SCHEMA, SKOS

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
MATCHES = tuple(SKOS[name] for name in ("exactMatch", "closeMatch", "relatedMatch", "broadMatch", "narrowMatch"))
FIRST = (RDFS.label.value, SKOS.altLabel.value, SKOS.definition.value, RDFS.comment.value)  # shown first, in order
INCOMING_SHOWN = 500  # incoming links listed on a page; the page says how many more there are
# The parts of a page about documents and drug labels (see :func:`_views`); each page says when a list was cut
OUTLINE_SHOWN = 2000  # sections (and product-data elements) in the outline of a document or a section
CLAIMS_SHOWN = 500  # claims derived from a section
PRODUCTS_SHOWN = 500  # products of a document (product, element) pairs
INGREDIENTS_SHOWN = 500  # ingredient claims of a product
RATES_SHOWN = 5000  # arm rates of adverse-reaction rows, of a product or a section
PACKAGES_SHOWN = 200  # packages around a product or a package
MAX_DEPTH = 12  # nesting shown: sections in sections, packages in packages
DAILYMED = "https://dailymed.nlm.nih.gov/dailymed/"
DAILYMED_SET = PREFIXES["DAILYMED"].iri  # the IRI of a label's set id (dcterms:isVersionOf of each version)


@dataclass(frozen=True)
class Limits:
    """The result caps: an answer over a cap is refused (422), never cut short."""

    max_rows: int = 10_000
    max_triples: int = 100_000


@dataclass(frozen=True)
class Dataset:
    """The RDF dataset a query runs over, as the SPARQL protocol's ``default-graph-uri`` / ``named-graph-uri`` give
    it. Empty (the default): the union of every graph in the store is the default graph. ``None`` in
    ``default_graphs`` stands for the store's own default graph (the asserted data)."""

    default_graphs: tuple[str | None, ...] = ()
    named_graphs: tuple[str, ...] = ()
    base: str | None = None  # the IRI relative IRIs in the query resolve against: the endpoint's URL

    def options(self) -> dict:
        """Keyword arguments for ``Store.query``."""
        base = {"base_iri": self.base} if self.base else {}
        if not self.default_graphs and not self.named_graphs:
            return {"use_default_graph_as_union": True, **base}
        options: dict = {"default_graph": [ox.DefaultGraph() if g is None else ox.NamedNode(g) for g in self.default_graphs]}
        if self.named_graphs:
            options["named_graphs"] = [ox.NamedNode(g) for g in self.named_graphs]
        return {**options, **base}


@dataclass(frozen=True)
class Answer:
    """A query's answer written in one format (``status`` 200), or why there is none (another HTTP status).

    ``kind`` is ``solutions`` (SELECT), ``boolean`` (ASK) or ``graph`` (CONSTRUCT, DESCRIBE). Status 406 means no
    format was acceptable for that kind. For ``fmt == "html"`` the body is SPARQL JSON (a graph as
    subject/predicate/object rows) for the server to render, and ``known`` lists the IRIs in it that have a page.
    """

    status: int
    body: bytes = b""
    fmt: str | None = None
    kind: str = ""
    message: str = ""
    known: frozenset[str] = frozenset()


def run_query(
    store: ox.Store,
    text: str,
    results_fmt: str | None,
    graph_fmt: str | None,
    limits: Limits = Limits(),
    dataset: Dataset = Dataset(),
    prefixes: dict[str, str] | None = None,
) -> Answer:
    """Run ``text`` and write its answer: SELECT and ASK in ``results_fmt``, CONSTRUCT and DESCRIBE in ``graph_fmt``
    (format names as in :data:`drugkg.engine.FORMATS`, or ``html``). An answer over a cap, a syntax error or a
    format that cannot carry the answer gives an :class:`Answer` with that status and a message.

    >>> store = ox.Store()
    >>> store.add(ox.Quad(ox.NamedNode("http://e.org/a"), ox.NamedNode("http://e.org/p"), ox.Literal("x")))
    >>> run_query(store, "SELECT ?o WHERE { ?s ?p ?o }", "csv", None).body
    b'o\\r\\nx\\r\\n'
    >>> run_query(store, "SELECT ?s ?p ?o WHERE { ?s ?p ?o }", "json", None, Limits(max_rows=0)).status
    422
    >>> run_query(store, "SELECT ?s WHERE { ?s ?p }", "json", None).message
    'SPARQL syntax error: error at 1:26: expected one of LATERAL, SERVICE, [_]'

    Rows are counted as rows, a literal's line breaks in them or not:

    >>> store.add(ox.Quad(ox.NamedNode("http://e.org/b"), ox.NamedNode("http://e.org/p"), ox.Literal("two\\nlines")))
    >>> [run_query(store, "SELECT ?o WHERE { ?s ?p ?o }", "json", None, Limits(max_rows=n)).status for n in (1, 2)]
    [422, 200]
    """
    try:
        result = store.query(text, **dataset.options())
        if isinstance(result, ox.QueryBoolean):
            return _boolean(result, results_fmt)
        if isinstance(result, ox.QueryTriples):
            return _graph(store, result, graph_fmt, limits.max_triples, prefixes)
        return _solutions(store, result, results_fmt, limits.max_rows, prefixes, text)
    except SyntaxError as exc:
        return Answer(400, message=f"SPARQL syntax error: {exc}")
    except (OSError, RuntimeError, ValueError) as exc:
        return Answer(400, message=f"the query could not be evaluated: {exc}")


def _boolean(result: ox.QueryBoolean, fmt: str | None) -> Answer:
    if fmt is None:
        return Answer(406, kind="boolean")
    if fmt == "html":
        return Answer(200, result.serialize(format=ox.QueryResultsFormat.JSON), fmt, "boolean")
    out = io.BytesIO()
    engine.write_result(result, fmt, out)
    return Answer(200, out.getvalue(), fmt, "boolean")


class _OverCap(Exception):
    """Raised by :class:`_RowCap` to stop an answer's serialization at the cap."""


class _RowCap(io.RawIOBase):
    """A binary sink for a SPARQL TSV answer that stops it (:class:`_OverCap`) past ``cap`` rows: a TSV answer is
    a header line and one line per row (a literal's line breaks are escaped)."""

    def __init__(self, cap: int):
        super().__init__()
        self.left, self.parts, self.over = cap + 1, [], False

    def writable(self) -> bool:
        return True

    def write(self, chunk) -> int:
        data = bytes(chunk)
        self.left -= data.count(b"\n")
        if self.left < 0:
            self.over = True
            raise _OverCap()
        self.parts.append(data)
        return len(data)


def _over_cap(cap: int) -> Answer:
    return Answer(422, kind="solutions", message=(
        f"the answer has more than {cap} rows, the server's cap (--max-rows); ask for it a page at a time with "
        f"ORDER BY and LIMIT {cap} OFFSET 0, then OFFSET {cap}, and so on"
    ))


def _solutions(store, result, fmt: str | None, cap: int, prefixes, text: str) -> Answer:
    names = [v.value for v in result.variables]
    variables = projection_order(text, names)
    if fmt in engine.RESULT_FORMATS and variables == names:
        # Written by the engine, never as Python objects (that costs twice the query itself for an answer of some
        # rows): as TSV, counted against the cap line by line, then in the format asked for.
        sink = _RowCap(cap)
        try:
            result.serialize(sink, format=ox.QueryResultsFormat.TSV)
        except Exception:
            if sink.over:
                return _over_cap(cap)
            raise
        body = b"".join(sink.parts)
        if fmt != "tsv":
            body = ox.parse_query_results(body, format=ox.QueryResultsFormat.TSV).serialize(
                format=engine.RESULT_FORMATS[fmt])
        return Answer(200, body, fmt, "solutions")
    rows = list(islice(result, cap + 1))
    if len(rows) > cap:
        return _over_cap(cap)
    if fmt is None:
        return Answer(406, kind="solutions")
    table = [[row[name] for name in variables] for row in rows]
    body = results_json(variables, table)
    if fmt == "html":
        return Answer(200, body, fmt, "solutions", known=_known(store, (t for row in table for t in row)))
    if fmt == "json":
        return Answer(200, body, fmt, "solutions")
    out = io.BytesIO()
    engine.write_result(ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON), fmt, out, prefixes)
    return Answer(200, out.getvalue(), fmt, "solutions")


def _graph(store, result, fmt: str | None, cap: int, prefixes) -> Answer:
    triples = list(islice(result, cap + 1))
    if len(triples) > cap:
        return Answer(422, kind="graph", message=(
            f"the answer has more than {cap} triples, the server's cap (--max-triples); narrow the CONSTRUCT "
            f"pattern, or page through it with a sub-SELECT ordered and cut by LIMIT {cap} OFFSET n"
        ))
    if fmt is None:
        return Answer(406, kind="graph")
    if fmt == "html":
        table = [[t.subject, t.predicate, t.object] for t in triples]
        body = results_json(["subject", "predicate", "object"], table)
        return Answer(200, body, fmt, "graph", known=_known(store, (t for row in table for t in row)))
    out = io.BytesIO()
    engine.write_result(triples, fmt, out, prefixes)
    return Answer(200, out.getvalue(), fmt, "graph")


def results_json(variables: list[str], rows: list[list]) -> bytes:
    """SPARQL 1.1 Query Results JSON for ``rows`` of terms (``None`` for unbound), in order.

    >>> results_json(["x"], [[ox.Literal("1.5", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#decimal"))], [None]])
    b'{"head":{"vars":["x"]},"results":{"bindings":[{"x":{"type":"literal","value":"1.5","datatype":"http://www.w3.org/2001/XMLSchema#decimal"}},{}]}}'
    """
    bindings = [{name: _term_json(term) for name, term in zip(variables, row, strict=True) if term is not None}
                for row in rows]
    document = {"head": {"vars": variables}, "results": {"bindings": bindings}}
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _term_json(term) -> dict:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
            if term.direction:
                out["its:dir"] = term.direction
        elif term.datatype.value != XSD_STRING:
            out["datatype"] = term.datatype.value
        return out
    return {"type": "triple", "value": {"subject": _term_json(term.subject), "predicate": _term_json(term.predicate),
                                        "object": _term_json(term.object)}}


def _known(store: ox.Store, terms) -> frozenset[str]:
    """The IRIs among ``terms`` that are the subject of at least one triple: those that have a page."""
    iris = {t.value for t in terms if isinstance(t, ox.NamedNode)}
    return frozenset(iri for iri in iris if _is_subject(store, ox.NamedNode(iri)))


def _is_subject(store: ox.Store, node) -> bool:
    return next(iter(store.quads_for_pattern(node, None, None, None)), None) is not None


# --- linked data ------------------------------------------------------------------------------------------------


def term_tuple(term) -> tuple:
    """A term as a plain tuple that crosses a process boundary: ``("iri", v)``, ``("bnode", id)``, ``("literal",
    value, language, datatype)``.

    >>> term_tuple(ox.Literal("F9", language="en"))
    ('literal', 'F9', 'en', None)
    """
    if isinstance(term, ox.NamedNode):
        return ("iri", term.value)
    if isinstance(term, ox.BlankNode):
        return ("bnode", term.value)
    if isinstance(term, ox.Literal):
        datatype = None if term.language or term.datatype.value == XSD_STRING else term.datatype.value
        return ("literal", term.value, term.language, datatype)
    return ("literal", str(term), None, None)


def _triples(store: ox.Store, s=None, p=None, o=None) -> list[ox.Triple]:
    """Triples matching a pattern in any graph, each once, in the store's order."""
    return list(dict.fromkeys(q.triple for q in store.quads_for_pattern(s, p, o, None)))


def _objects(store: ox.Store, s, p) -> list:
    return [t.object for t in _triples(store, s, p)]


def _first(store: ox.Store, s, p):
    return next(iter(_objects(store, s, p)), None)


def label(store: ox.Store, node, order=(RDFS.label, SKOS.prefLabel, DCTERMS.title)) -> str | None:
    """A resource's name for people: its English (or untagged) rdfs:label, else any label, else its title."""
    for predicate in order:
        values = [o for o in _objects(store, node, predicate) if isinstance(o, ox.Literal)]
        preferred = [o for o in values if (o.language or "en").startswith("en")]
        if preferred or values:
            return sorted(v.value for v in (preferred or values))[0]
    return None


def describe(store: ox.Store, iri: str) -> list[ox.Triple]:
    """The resource's concise bounded description, sorted: its own triples, those of the nodes minted under its IRI
    that it points to (a claim's quantity ``CLAIM/quantity``, a guidance's ``.../duration``), and the attribute
    claims about it (``dkg:claimSubject``) with theirs, so each of its statements comes with the document section it
    was derived from. Empty for an IRI that is the subject of nothing.

    >>> store = ox.Store()
    >>> a, p = ox.NamedNode("http://e.org/a"), ox.NamedNode("http://e.org/p")
    >>> store.add(ox.Quad(a, p, ox.NamedNode("http://e.org/a/q")))
    >>> store.add(ox.Quad(ox.NamedNode("http://e.org/a/q"), p, ox.Literal("1")))
    >>> [str(t) for t in describe(store, "http://e.org/a")]
    ['<http://e.org/a/q> <http://e.org/p> "1"', '<http://e.org/a> <http://e.org/p> <http://e.org/a/q>']
    """
    seen: dict[ox.Triple, None] = {}

    def add(node, depth: int) -> None:
        for triple in _triples(store, node):
            seen[triple] = None
            target = triple.object
            if depth < 4 and isinstance(target, ox.NamedNode) and target.value.startswith(node.value + "/"):
                add(target, depth + 1)

    node = ox.NamedNode(iri)
    add(node, 0)
    if seen:
        for claim in _claims_about(store, node):
            add(claim, 1)
    return sorted(seen, key=str)


def _claims_about(store: ox.Store, node) -> list:
    return [t.subject for t in _triples(store, None, DKG.claimSubject, node)]


def page(store: ox.Store, iri: str, inferred_graph: str | None = None) -> dict | None:
    """What a resource's HTML page shows, as plain data; None for an IRI that is the subject of nothing.

    Keys: ``iri``, ``label``, ``types`` (each with ``inferred``: only the reasoner's graph holds it), ``statements``
    (per property, its values, each with the document sections of the claims stating it), ``sources`` (the
    sections a claim itself was derived from), ``identifiers`` (the external-identifier records that identify it),
    ``incoming`` (links from other resources, at most :data:`INCOMING_SHOWN`, with ``incoming_total``),
    ``sections`` (title, start line and document of every section named), ``labels`` and ``known`` (the IRIs
    named on the page that have a page of their own), and the parts of :func:`_views`: ``see_also``, and for a
    document, a section, a drug product or a package ``document``, ``section``, ``product`` or ``package`` (else
    None).
    """
    node = ox.NamedNode(iri)
    graphs: dict[ox.Triple, set] = {}
    for quad in store.quads_for_pattern(node, None, None, None):
        graphs.setdefault(quad.triple, set()).add(quad.graph_name)
    if not graphs:
        return None

    def inferred(triple) -> bool:
        names = {g.value if isinstance(g, ox.NamedNode) else None for g in graphs[triple]}
        return inferred_graph is not None and names == {inferred_graph}

    stated: dict[tuple, list[dict]] = {}
    for claim in _claims_about(store, node):
        prop, value = _first(store, claim, DKG.claimProperty), _first(store, claim, DKG.claimObject)
        for section in _objects(store, claim, PROV.wasDerivedFrom):
            stated.setdefault((prop, value), []).append(_source(store, claim.value, section.value))

    types, by_predicate = [], {}
    for triple in graphs:
        if triple.predicate == RDF.type:
            types.append({"iri": triple.object.value, "inferred": inferred(triple)})
            continue
        by_predicate.setdefault(triple.predicate.value, []).append({
            "term": term_tuple(triple.object),
            "inferred": inferred(triple),
            "sources": stated.get((triple.predicate, triple.object), []),
        })

    incoming_triples = [t for t in _triples(store, None, None, node)]
    incoming = []
    for triple in incoming_triples[:INCOMING_SHOWN]:
        sources = [_source(store, triple.subject.value, s.value)
                   for s in _objects(store, triple.subject, PROV.wasDerivedFrom)]
        incoming.append({"subject": term_tuple(triple.subject), "predicate": triple.predicate.value, "sources": sources})

    identifiers = []
    for record in [t.subject for t in _triples(store, None, DKG.identifies, node)]:
        fields = {name: _first(store, record, DKG[name])
                  for name in ("identifierScheme", "identifierValue", "identifierIRI", "confidence", "seenAt")}
        identifiers.append({"record": record.value, **{k: term_tuple(v) if v is not None else None for k, v in fields.items()}})
    identifiers.sort(key=lambda r: (r["identifierValue"] or ("", ""))[1])

    sources = [_source(store, iri, s.value) for s in _objects(store, node, PROV.wasDerivedFrom)]
    section_iris = {s["section"] for s in sources}
    section_iris |= {s["section"] for values in by_predicate.values() for v in values for s in v["sources"]}
    section_iris |= {s["section"] for link in incoming for s in link["sources"]}
    sections = {s: _section(store, ox.NamedNode(s)) for s in section_iris}

    def in_document_order(items: list[dict]) -> list[dict]:
        def key(item):
            section = sections[item["section"]]
            return (section["document_title"] or "", int(section["line"] or 0), item["section"], item["claim"])
        return sorted(items, key=key)

    for values in by_predicate.values():
        for value in values:
            value["sources"] = in_document_order(value["sources"])
    for link in incoming:
        link["sources"] = in_document_order(link["sources"])
    sources = in_document_order(sources)

    named = {iri, *(t["iri"] for t in types), *by_predicate}
    named |= {v["term"][1] for values in by_predicate.values() for v in values if v["term"][0] == "iri"}
    named |= {link["subject"][1] for link in incoming if link["subject"][0] == "iri"} | {link["predicate"] for link in incoming}
    named |= {r["confidence"][1] for r in identifiers if r["confidence"]} | {r["record"] for r in identifiers}
    labels = {name: text for name in named if (text := label(store, ox.NamedNode(name))) is not None}
    objects = {v["term"][1] for values in by_predicate.values() for v in values if v["term"][0] == "iri"}
    objects |= {link["subject"][1] for link in incoming if link["subject"][0] == "iri"}
    objects |= {r["record"] for r in identifiers} | {t["iri"] for t in types}

    def rank(predicate: str) -> tuple:
        return (FIRST.index(predicate) if predicate in FIRST else len(FIRST), (labels.get(predicate) or predicate).lower())

    statements = [
        {"predicate": predicate, "values": sorted(values, key=lambda v: _sort_key(v["term"], labels))}
        for predicate, values in sorted(by_predicate.items(), key=lambda item: rank(item[0]))
    ]
    result = {
        "iri": iri,
        "label": labels.get(iri),
        "types": sorted(types, key=lambda t: (t["inferred"], labels.get(t["iri"], t["iri"]).lower())),
        "statements": statements,
        "sources": sources,
        "identifiers": identifiers,
        "matches": [t.object.value for t in graphs if t.predicate in MATCHES and isinstance(t.object, ox.NamedNode)],
        "incoming": sorted(incoming, key=lambda link: (labels.get(link["predicate"], link["predicate"]).lower(),
                                                        _sort_key(link["subject"], labels))),
        "incoming_total": len(incoming_triples),
        "sections": sections,
        "labels": labels,
        "known": frozenset(o for o in objects if _is_subject(store, ox.NamedNode(o))),
    }
    _views(store, node, result)
    return result


def _source(store: ox.Store, claim: str | None, section: str) -> dict:
    """Where a claim comes from: its section and the lines of the section it cites (``dkg:citedLine``), in order
    (none for a label's claims, whose section or element is exact)."""
    found = (_int(n) for n in _objects(store, ox.NamedNode(claim), DKG.citedLine)) if claim else ()
    lines = sorted(n for n in found if n is not None)
    return {"claim": claim, "section": section, "lines": lines, "lines_text": _ranges(lines)}


def _ranges(lines: list[int]) -> str:
    """Line numbers as a person writes them.

    >>> _ranges([35, 40, 41, 42, 44])
    '35, 40-42, 44'
    """
    runs: list[list[int]] = []
    for n in lines:
        if runs and n == runs[-1][-1] + 1:
            runs[-1].append(n)
        else:
            runs.append([n])
    return ", ".join(str(r[0]) if len(r) == 1 else f"{r[0]}-{r[-1]}" for r in runs)


def _sort_key(term: tuple, labels: dict[str, str]) -> tuple:
    text = labels.get(term[1], term[1]) if term[0] == "iri" else term[1]
    return (term[0] != "iri", text.lower(), term[1])


def _section(store: ox.Store, section) -> dict:
    document = _document_of(store, section)
    line = _first(store, section, DKG.startLine)
    return {
        "title": label(store, section, (DCTERMS.title, RDFS.label)) or section.value,
        "line": line.value if line is not None else None,
        "document": document.value if document is not None else None,
        "document_title": (label(store, document) or document.value) if document is not None else None,
        "file": (_first(store, document, DKG.fileName) or ox.Literal("")).value if document is not None else None,
        "sha256": (_first(store, document, DKG.fileHash) or ox.Literal("")).value if document is not None else None,
    }


def _document_of(store: ox.Store, section):
    """The document a section is part of: the ``dcterms:isPartOf`` value that is a ``dkg:SourceDocument`` (a nested
    section is part of its document and of its parent section), else the top of its ``isPartOf`` chain."""
    node, seen = section, set()
    for _ in range(MAX_DEPTH * 2):
        wholes = _objects(store, node, DCTERMS.isPartOf)
        if not wholes:
            return node if node != section else None
        for whole in wholes:
            if _has_type(store, whole, DKG.SourceDocument):
                return whole
        seen.add(node)
        node = next((w for w in wholes if w not in seen), None)
        if node is None:
            break
    return _first(store, section, DCTERMS.isPartOf)


# --- documents, sections, products and packages: what their pages show beyond the generic description ----------
#
# A drug label (``docs/label-model.md``) is browsed from its version's page: the link to DailyMed, its products
# and the outline of its sections; a section's page shows its text, where it sits and the claims derived from it;
# a product's page its ingredients with their strengths, its packages and its adverse-reaction rows with the rate
# in each study arm. Every list is read by a query with a LIMIT (the constants above); the page says when one was
# cut.

_PREFIXES = f"""PREFIX dkg: <{DKG_NS}>
PREFIX dcterms: <{DCTERMS.prefix}>
PREFIX prov: <{PROV.prefix}>
"""
_THIS = ox.Variable("this")
_PARTS = _PREFIXES + f"""SELECT DISTINCT ?this ?part WHERE {{ ?part dcterms:isPartOf+ ?this }}
LIMIT {OUTLINE_SHOWN + 1}"""
_DOCUMENT_PRODUCTS = _PREFIXES + f"""SELECT DISTINCT ?this ?product ?element WHERE {{
  ?element dcterms:isPartOf ?this .
  ?claim prov:wasDerivedFrom ?element ; dkg:claimSubject ?product .
  ?product a dkg:DrugProduct .
}} LIMIT {PRODUCTS_SHOWN + 1}"""
_DERIVED = _PREFIXES + f"""SELECT DISTINCT ?this ?claim WHERE {{ ?claim prov:wasDerivedFrom ?this }}
LIMIT {CLAIMS_SHOWN + 1}"""
_INGREDIENTS = _PREFIXES + f"""SELECT DISTINCT ?this ?claim ?substance WHERE {{
  ?claim dkg:drug ?this ; dkg:hasSubstance ?substance .
}} LIMIT {INGREDIENTS_SHOWN + 1}"""
_REACTIONS = _PREFIXES + """SELECT DISTINCT ?this ?claim ?event ?rate ?population WHERE {{
  {where}
  ?claim dkg:hasAdverseEvent ?event ; dkg:hasArmRate ?rate .
  ?rate dkg:hasPopulation ?population .
}} LIMIT {limit}"""
_REACTIONS_OF_DRUG = _REACTIONS.format(where="?claim dkg:drug ?this .", limit=RATES_SHOWN + 1)
_REACTIONS_OF_SECTION = _REACTIONS.format(where="?claim prov:wasDerivedFrom ?this .", limit=RATES_SHOWN + 1)


def _select(store: ox.Store, query: str, node) -> list:
    """The rows of a SELECT about ``node`` (``?this``, which the SELECT must list), over the union of the store's
    graphs."""
    return list(store.query(query, use_default_graph_as_union=True, substitutions={_THIS: node}))


def _natural(value: str) -> list:
    """A sort key that compares the numbers in a string as numbers (``row/2`` before ``row/10``).

    >>> sorted(["t/row/10", "t/row/2", "t/row/1"], key=_natural)
    ['t/row/1', 't/row/2', 't/row/10']
    """
    return [int(part) if i % 2 else part for i, part in enumerate(re.split(r"(\d+)", value))]


def _int(term) -> int | None:
    try:
        return int(term.value) if isinstance(term, ox.Literal) else None
    except ValueError:
        return None


def _has_type(store: ox.Store, node, cls) -> bool:
    return next(iter(store.quads_for_pattern(node, RDF.type, cls, None)), None) is not None


def _asserted_types(store: ox.Store, node) -> list[str]:
    """A node's asserted classes (the default graph), else every class it has; the most specific, for a claim."""
    asserted = {q.object.value for q in store.quads_for_pattern(node, RDF.type, None, ox.DefaultGraph())}
    return sorted(asserted or {o.value for o in _objects(store, node, RDF.type)})


def _quantity_text(store: ox.Store, quantity) -> str:
    """A quantity as its label shows it ("17%", "40 mg"), else its number."""
    if quantity is None:
        return ""
    shown = label(store, quantity)
    if shown is None:
        value = _first(store, quantity, DKG.numericValue)
        shown = value.value if value is not None else ""
    return shown


def _ndc(store: ox.Store, node) -> str | None:
    """The NDC code of a product or package, from its external identifier (``NDC:0071-0155`` → ``0071-0155``)."""
    for record in [t.subject for t in _triples(store, None, DKG.identifies, node)]:
        scheme, value = _first(store, record, DKG.identifierScheme), _first(store, record, DKG.identifierValue)
        if scheme is not None and scheme.value == "NDC" and value is not None:
            return value.value.split(":", 1)[-1]
    return None


def _see_also(href: str) -> dict:
    """An ``rdfs:seeAlso`` link, with what to call it: a DailyMed page by the set id it shows."""
    if href.startswith(DAILYMED):
        found = re.search(r"[?&]setid=([^&#]+)", href)
        return {"href": href, "text": "This label on DailyMed" + (f" (set id {found.group(1)})" if found else "")}
    return {"href": href, "text": href}


class _Named:
    """What the views name: IRIs to label (and link, where they have a page), and the sections statements cite."""

    def __init__(self, store: ox.Store):
        self.store = store
        self.iris: set[str] = set()
        self.sections: set[str] = set()

    def iri(self, value: str) -> str:
        self.iris.add(value)
        return value

    def source(self, claim: str | None, section: str) -> dict:
        self.sections.add(section)
        if claim is not None:
            self.iris.add(claim)
        return _source(self.store, claim, section)

    def merge(self, page: dict) -> None:
        labels = page["labels"]
        for name in self.iris - labels.keys():
            text = label(self.store, ox.NamedNode(name))
            if text is not None:
                labels[name] = text
        page["known"] = page["known"] | {i for i in self.iris if _is_subject(self.store, ox.NamedNode(i))}
        for section in self.sections - page["sections"].keys():
            page["sections"][section] = _section(self.store, ox.NamedNode(section))


def _views(store: ox.Store, node, page: dict) -> None:
    """Add to a page what the generic description does not show well: ``see_also`` (the resource's rdfs:seeAlso
    pages); for a document, its products and the outline of its sections (``document``); for a section, its text,
    its place in the document, its subsections and the claims derived from it (``section``); for a drug product,
    its ingredients, packages and adverse-reaction rows (``product``); for a package, what it holds and what holds
    it (``package``). The links to sections listed in an outline are taken out of the page's incoming links."""
    types = {t["iri"] for t in page["types"]}
    named = _Named(store)
    page["see_also"] = sorted((_see_also(o.value) for o in _objects(store, node, RDFS.seeAlso)  # web pages only
                               if isinstance(o, ox.NamedNode) and o.value.startswith(("http://", "https://"))),
                              key=lambda s: s["href"])
    page["document"] = _document_view(store, node, named) if DKG.SourceDocument.value in types else None
    page["section"] = _section_view(store, node, named) if DKG.DocumentSection.value in types else None
    page["product"] = _product_view(store, node, named) if DKG.DrugProduct.value in types else None
    page["package"] = _package_view(store, node, named) if DKG.Package.value in types else None
    if page["section"] is not None and page["section"]["text"] is not None:
        page["statements"] = [s for s in page["statements"] if s["predicate"] != SCHEMA.text.value]
    outlined = {iri for view in (page["document"], page["section"]) if view for iri in view["members"]}
    if outlined:
        page["incoming"] = [link for link in page["incoming"]
                            if not (link["predicate"] == DCTERMS.isPartOf.value and link["subject"][1] in outlined)]
        parts = _triples(store, None, DCTERMS.isPartOf, node)
        page["incoming_total"] -= sum(1 for t in parts if t.subject.value in outlined)
    named.merge(page)


def _outline(store: ox.Store, root) -> dict:
    """The sections (and product-data elements) inside ``root``, nested and in document order (start line, then
    sequence number): ``{"items": [{"iri", "title", "line", "children"}], "members", "truncated"}``. Nesting deeper
    than :data:`MAX_DEPTH` is listed flat at that depth."""
    rows = _select(store, _PARTS, root)
    parts = [row["part"] for row in rows[:OUTLINE_SHOWN] if isinstance(row["part"], ox.NamedNode)]
    info = {}
    for part in parts:
        info[part] = {"iri": part.value, "title": label(store, part, (DCTERMS.title, RDFS.label)) or part.value,
                      "line": _int(_first(store, part, DKG.startLine)),
                      "sequence": _int(_first(store, part, DKG.sequenceNumber)), "children": []}
    children: dict = {}
    for part in parts:
        wholes = [w for w in _objects(store, part, DCTERMS.isPartOf) if w in info and w != part]
        parent = max(wholes, key=lambda w: (info[w]["line"] or 0, _natural(w.value))) if wholes else root
        children.setdefault(parent, []).append(part)

    def order(part) -> tuple:
        item = info[part]
        return (item["line"] is None, item["line"] or 0, item["sequence"] or 0, _natural(part.value))

    placed: set = set()

    def flat(part) -> list[dict]:  # every part below ``part``, in order, without nesting
        out, stack = [], sorted(children.get(part, []), key=order, reverse=True)
        while stack:
            below = stack.pop()
            if below in placed:
                continue
            placed.add(below)
            out.append(info[below])
            stack.extend(sorted(children.get(below, []), key=order, reverse=True))
        return out

    def nest(parent, depth: int) -> list[dict]:
        out = []
        for part in sorted(children.get(parent, []), key=order):
            if part in placed:
                continue
            placed.add(part)
            out.append(info[part])
            if depth < MAX_DEPTH:
                info[part]["children"] = nest(part, depth + 1)
            else:
                out.extend(flat(part))
        return out

    items = nest(root, 1)
    items += [info[part] for part in sorted((p for p in parts if p not in placed), key=order)]  # cycles, if any
    return {"items": items, "members": [part.value for part in parts], "truncated": len(rows) > OUTLINE_SHOWN}


def _document_view(store: ox.Store, node, named: _Named) -> dict:
    outline = _outline(store, node)
    rows = _select(store, _DOCUMENT_PRODUCTS, node)
    products: dict[str, dict] = {}
    for row in rows[:PRODUCTS_SHOWN]:
        product, element = row["product"], row["element"]
        entry = products.get(product.value)
        if entry is None:
            entry = products[product.value] = {"iri": named.iri(product.value), "ndc": _ndc(store, product),
                                               "label": label(store, product) or product.value, "elements": []}
        entry["elements"].append((_int(_first(store, element, DKG.startLine)), element.value))
    for entry in products.values():
        in_order = sorted(entry["elements"], key=lambda e: (e[0] is None, e[0] or 0, e[1]))
        entry["elements"] = [named.source(None, element) for _, element in in_order]
    first_line = {iri: min((_int(_first(store, ox.NamedNode(s["section"]), DKG.startLine)) or 0)
                           for s in entry["elements"]) for iri, entry in products.items()}
    ordered = sorted(products.values(), key=lambda p: (first_line[p["iri"]], p["label"].lower(), p["iri"]))
    return {**outline, "products": ordered, "products_truncated": len(rows) > PRODUCTS_SHOWN,
            **_versions(store, node, named)}


def _versions(store: ox.Store, node, named: _Named) -> dict:
    """A label version's history: ``set_id`` (its DailyMed set id) and ``versions``, every loaded version of the same
    label (``dcterms:isVersionOf`` its set) oldest first, each with its ``version`` number, ``issued`` date and the
    number of the loaded version before it (``previous``: what the saved query label-changes compares it with);
    nothing for a document that is no version of a label."""
    the_set = _first(store, node, DCTERMS.isVersionOf)
    if not isinstance(the_set, ox.NamedNode) or not the_set.value.startswith(DAILYMED_SET):
        return {}
    found = []
    for doc in {q.subject for q in store.quads_for_pattern(None, DCTERMS.isVersionOf, the_set, None)}:
        issued = _first(store, doc, DCTERMS.issued)
        found.append({"iri": named.iri(doc.value), "version": _int(_first(store, doc, SCHEMA.version)),
                      "issued": issued.value if issued is not None else None, "current": doc == node})
    found.sort(key=lambda v: (v["version"] is None, v["version"] or 0, v["iri"]))
    for before, after in zip([None, *found], found):
        after["previous"] = before["version"] if before else None
    return {"set_id": the_set.value.removeprefix(DAILYMED_SET), "versions": found}


def _section_view(store: ox.Store, node, named: _Named) -> dict:
    document = _document_of(store, node)
    ancestors, current, seen = [], node, {node}
    for _ in range(MAX_DEPTH * 2):
        wholes = [w for w in _objects(store, current, DCTERMS.isPartOf)
                  if isinstance(w, ox.NamedNode) and w != document and w not in seen]
        if not wholes:
            break
        current = max(wholes, key=lambda w: (_int(_first(store, w, DKG.startLine)) or 0, _natural(w.value)))
        seen.add(current)
        ancestors.append(named.source(None, current.value))
    ancestors.reverse()
    if document is not None:
        named.iri(document.value)
    rows = _select(store, _DERIVED, node)
    claims = []
    for claim in sorted((row["claim"] for row in rows[:CLAIMS_SHOWN] if isinstance(row["claim"], ox.NamedNode)),
                        key=lambda c: _natural(c.value)):
        kinds = [named.iri(k) for k in _asserted_types(store, claim)]
        about = _first(store, claim, DKG.claimSubject) or _first(store, claim, DKG.drug)
        claims.append({"iri": named.iri(claim.value), "kinds": kinds,
                       "about": named.iri(about.value) if isinstance(about, ox.NamedNode) else None})
    return {
        **_outline(store, node),
        "here": _section(store, node),
        "document": document.value if document is not None else None,
        "ancestors": ancestors,
        "text": label(store, node, (SCHEMA.text,)),
        "claims": claims,
        "claims_truncated": len(rows) > CLAIMS_SHOWN,
        "reactions": _reactions(store, node, _REACTIONS_OF_SECTION, named),
    }


def _product_view(store: ox.Store, node, named: _Named) -> dict:
    rows = _select(store, _INGREDIENTS, node)
    ingredients = []
    for row in rows[:INGREDIENTS_SHOWN]:
        claim, substance = row["claim"], row["substance"]
        strength = _strength(store, claim)
        sources = [named.source(claim.value, s.value) for s in _objects(store, claim, PROV.wasDerivedFrom)]
        ingredients.append({
            "claim": named.iri(claim.value),
            "kinds": [named.iri(k) for k in _asserted_types(store, claim)],
            "substance": named.iri(substance.value),
            "strength": strength,
            "strength_of": [named.iri(o.value) for o in _objects(store, claim, DKG.strengthOf)
                            if isinstance(o, ox.NamedNode) and o != substance],
            "sources": sources,
        })
    # grouped by the element stating them (label, then line), in the order the label lists them
    where = {s: _section(store, ox.NamedNode(s)) for i in ingredients for s in (x["section"] for x in i["sources"])}

    def order(item) -> tuple:
        first = where[item["sources"][0]["section"]] if item["sources"] else {"document_title": "", "line": None}
        return (first["document_title"] or "", int(first["line"] or 0), _natural(item["claim"]))

    packages, packages_cut = _containers(store, node, named)
    return {
        "ingredients": sorted(ingredients, key=order),
        "ingredients_truncated": len(rows) > INGREDIENTS_SHOWN,
        "packages": packages,
        "packages_truncated": packages_cut,
        "reactions": _reactions(store, node, _REACTIONS_OF_DRUG, named),
    }


def _strength(store: ox.Store, claim) -> str:
    """An ingredient claim's strength as a label states it ("10 mg per 1 TABLET"), or "" when it states none."""
    numerator = _first(store, claim, DKG.strengthNumerator)
    if numerator is None:
        return ""
    denominator = _first(store, claim, DKG.strengthDenominator)
    return _quantity_text(store, numerator) + ("" if denominator is None else " per " + _quantity_text(store, denominator))


def _package_order(store: ox.Store, node) -> tuple:
    ndc = _ndc(store, node)
    return (ndc is None, ndc or "", (label(store, node) or "").lower(), node.value)


def _containers(store: ox.Store, node, named: _Named) -> tuple[list[dict], bool]:
    """The packages that hold ``node``, and those that hold them, outwards (each after what it holds): rows of
    ``{"iri", "ndc", "inner", "depth", "sources"}``, and whether the list was cut at :data:`PACKAGES_SHOWN`."""
    def holders(inner) -> list:
        found = {t.subject for t in _triples(store, None, DKG.contains, inner)
                 if isinstance(t.subject, ox.NamedNode) and _has_type(store, t.subject, DKG.Package)}
        return sorted(found, key=lambda p: _package_order(store, p), reverse=True)

    rows, seen = [], {node}
    stack = [(package, node, 1) for package in holders(node)]
    while stack and len(rows) < PACKAGES_SHOWN:
        package, inner, depth = stack.pop()
        if package in seen:
            continue
        seen.add(package)
        rows.append({"iri": named.iri(package.value), "ndc": _ndc(store, package), "inner": named.iri(inner.value),
                     "depth": depth, "sources": _stated(store, package, DKG.contains, inner, named)})
        if depth < MAX_DEPTH:
            stack.extend((outer, package, depth + 1) for outer in holders(package))
    return rows, bool([s for s in stack if s[0] not in seen])


def _stated(store: ox.Store, subject, prop, obj, named: _Named) -> list[dict]:
    """The claims (and the sections they are derived from) stating ``subject prop obj``."""
    out = []
    for claim in _claims_about(store, subject):
        if _first(store, claim, DKG.claimProperty) == prop and obj in _objects(store, claim, DKG.claimObject):
            out += [named.source(claim.value, s.value) for s in _objects(store, claim, PROV.wasDerivedFrom)]
    return out


def _package_view(store: ox.Store, node, named: _Named) -> dict:
    """What a package holds, inwards down to the product (``contents``: ``{"iri", "ndc", "depth"}``), and the
    packages that hold it (``containers``, as for a product)."""
    contents, seen = [], {node}

    def held(outer) -> list:
        inner = {o for o in _objects(store, outer, DKG.contains) if isinstance(o, ox.NamedNode)}
        return sorted(inner, key=lambda p: _package_order(store, p), reverse=True)

    stack = [(inner, 1) for inner in held(node)]
    while stack and len(contents) < PACKAGES_SHOWN:
        inner, depth = stack.pop()
        if inner in seen:
            continue
        seen.add(inner)
        contents.append({"iri": named.iri(inner.value), "ndc": _ndc(store, inner), "depth": depth})
        if depth < MAX_DEPTH:
            stack.extend((deeper, depth + 1) for deeper in held(inner))
    containers, cut = _containers(store, node, named)
    return {"contents": contents, "containers": containers,
            "truncated": cut or bool([s for s in stack if s[0] not in seen])}


def _reactions(store: ox.Store, node, query: str, named: _Named) -> dict:
    """Adverse-reaction rows with a rate per study arm, of a product or derived from a section, as tables: one per
    source section and set of arms, ``{"section", "arms": [{"iri", "count", "notes"}], "rows": [{"event", "cells",
    "claims": [{"claim", "drug"}], "sources", "notes"}]}``, rows in the label's order (their claims' IRIs)."""
    rows = _select(store, query, node)
    by_row: dict[tuple, dict] = {}
    for solution in rows[:RATES_SHOWN]:
        claim, event, rate, population = (solution[name] for name in ("claim", "event", "rate", "population"))
        section = _first(store, claim, PROV.wasDerivedFrom)
        key = (section.value if section is not None else "", event.value)
        row = by_row.setdefault(key, {"section": key[0], "event": event.value, "claims": {}, "rates": {}})
        row["claims"][claim.value] = _first(store, claim, DKG.drug)
        row["rates"][population.value] = rate
    tables: dict[tuple, list] = {}
    for row in by_row.values():
        tables.setdefault((row["section"], tuple(sorted(row["rates"], key=_natural))), []).append(row)
    out = []
    for (section, arms), members in tables.items():
        heads = []
        for arm in arms:
            rates = [row["rates"][arm] for row in members]
            counts = [c for c in (_first(store, r, DKG.participantCount) for r in rates) if c is not None]
            notes = sorted({c.value for r in rates[:1] for c in _objects(store, r, RDFS.comment)})
            heads.append({"iri": named.iri(arm), "count": counts[0].value if counts else None, "notes": notes})
        lines = []
        for row in sorted(members, key=lambda r: _natural(min(r["claims"], key=_natural))):
            claims = sorted(row["claims"], key=_natural)
            drugs = {c: row["claims"][c] for c in claims}
            lines.append({
                "event": named.iri(row["event"]),
                "cells": [_quantity_text(store, _first(store, row["rates"][a], DKG.outcomeValue)) for a in arms],
                "claims": [{"claim": named.iri(c), "drug": named.iri(drugs[c].value) if drugs[c] else None}
                           for c in claims],
                "sources": [named.source(c, section) for c in claims] if section else [],
                "notes": sorted({n.value for c in claims for n in _objects(store, ox.NamedNode(c), RDFS.comment)}),
            })
        if section:
            named.source(None, section)
        out.append({"section": section, "arms": heads, "rows": lines})
    where = {t["section"]: _section(store, ox.NamedNode(t["section"])) for t in out if t["section"]}
    out.sort(key=lambda t: ((where[t["section"]]["document_title"] or "", int(where[t["section"]]["line"] or 0))
                            if t["section"] else ("", 0), t["section"], [a["iri"] for a in t["arms"]]))
    return {"tables": out, "truncated": len(rows) > RATES_SHOWN}


# --- a drug product's neighbourhood, drawn as a diagram on its page -----------------------------------------------

DIAGRAM_NODES = 60  # nodes drawn at the most; the caption says when more were left out
DIAGRAM_ROWS = 2000  # rows read at the most (edges before de-duplication); more also counts as cut
# What the diagram follows from the product, in the order its edges are kept when the nodes run out: for a gene
# therapy the construct (its active substance) and the construct's vector, serotype, transgene, gene, promoter,
# target cell type and organ; for a label's product its ingredients and the packages that hold it; for both the
# diseases of the indications and the events of the adverse-event associations that name it.
_NEIGHBOURHOOD = _PREFIXES + f"""SELECT DISTINCT ?this ?rank ?s ?p ?o ?ingredient WHERE {{
  {{ ?this dkg:hasActiveSubstance ?o . BIND(?this AS ?s) BIND(dkg:hasActiveSubstance AS ?p) BIND(1 AS ?rank) }}
  UNION {{ ?this dkg:hasActiveSubstance ?s . ?s ?p ?o .
           VALUES ?p {{ dkg:hasVector dkg:hasTransgene dkg:targetsCellType dkg:targetsOrgan }} BIND(2 AS ?rank) }}
  UNION {{ ?this dkg:hasActiveSubstance/dkg:hasVector ?s . ?s dkg:hasSerotype ?o .
           BIND(dkg:hasSerotype AS ?p) BIND(3 AS ?rank) }}
  UNION {{ ?this dkg:hasActiveSubstance/dkg:hasTransgene ?s . ?s ?p ?o .
           VALUES ?p {{ dkg:encodesGene dkg:hasPromoter }} BIND(3 AS ?rank) }}
  UNION {{ ?ingredient dkg:drug ?this ; dkg:hasSubstance ?o ; a ?p .
           VALUES ?p {{ dkg:ActiveIngredient dkg:InactiveIngredient }} BIND(?this AS ?s) BIND(4 AS ?rank) }}
  UNION {{ ?s a dkg:Package ; dkg:contains ?o . ?o dkg:contains* ?this . BIND(dkg:contains AS ?p) BIND(5 AS ?rank) }}
  UNION {{ ?claim a dkg:Indication ; dkg:drug ?this ; dkg:hasDisease ?o .
           BIND(?this AS ?s) BIND(dkg:Indication AS ?p) BIND(6 AS ?rank) }}
  UNION {{ ?claim a dkg:AdverseEventAssociation ; dkg:drug ?this ; dkg:hasAdverseEvent ?o .
           BIND(?this AS ?s) BIND(dkg:hasAdverseEvent AS ?p) BIND(7 AS ?rank) }}
}} ORDER BY ?rank ?s ?p ?o ?ingredient LIMIT {DIAGRAM_ROWS + 1}"""
_KIND_OF_RANK = {1: "substance", 2: "construct", 3: "construct", 4: "ingredient", 5: "package", 6: "disease",
                 7: "adverse-event"}


def neighbourhood(store: ox.Store, iri: str, cap: int = DIAGRAM_NODES) -> dict | None:
    """A drug product's neighbourhood as a diagram's data, read by one query (:data:`_NEIGHBOURHOOD`): ``nodes``
    (``{"id", "label", "kind", "page"}``: the product first, ``kind`` says what it is to the product, ``page``
    whether it has a page), ``edges`` (``{"source", "target", "label", "sentence"}``, the sentence its text
    alternative: "Hemgenix has active substance etranacogene dezaparvovec"), at most ``cap`` nodes (edges are kept in
    the query's order while their nodes fit) and ``truncated``, whether anything was left out. None when the product
    has no such neighbours (or ``iri`` is no product).

    >>> store = ox.Store()
    >>> def add(s, p, o, name):
    ...     store.add(ox.Quad(ox.NamedNode("http://e.org/" + s), DKG[p], ox.NamedNode("http://e.org/" + o)))
    ...     store.add(ox.Quad(DKG[p], RDFS.label, ox.Literal(name)))
    >>> add("d", "hasActiveSubstance", "c", "has active substance"); add("c", "hasVector", "v", "has vector")
    >>> [e["sentence"] for e in neighbourhood(store, "http://e.org/d")["edges"]]
    ['http://e.org/d has active substance http://e.org/c', 'http://e.org/c has vector http://e.org/v']
    >>> neighbourhood(store, "http://e.org/d", cap=2)["truncated"]
    True
    """
    node = ox.NamedNode(iri)
    rows = _select(store, _NEIGHBOURHOOD, node)
    if not rows:
        return None
    names: dict[str, str] = {}

    def name(term) -> str:
        if term.value not in names:
            names[term.value] = label(store, term) or term.value
        return names[term.value]

    nodes = {iri: {"id": iri, "label": name(node), "kind": "product", "page": True}}
    edges: dict[tuple, dict] = {}
    truncated = len(rows) > DIAGRAM_ROWS
    for row in rows[:DIAGRAM_ROWS]:
        s, p, o, rank = row["s"], row["p"], row["o"], int(row["rank"].value)
        if not isinstance(o, ox.NamedNode) or not isinstance(s, ox.NamedNode):
            continue
        key = (s.value, p.value, o.value)
        edge = edges.get(key)
        if edge is None:
            new = [t for t in (s, o) if t.value not in nodes]
            if len(nodes) + len(new) > cap:
                truncated = True
                continue
            for term in new:
                nodes[term.value] = {"id": term.value, "label": name(term), "kind": _KIND_OF_RANK[rank],
                                     "page": _is_subject(store, term)}
            if p == DKG.Indication:
                verb = "is indicated for"
            elif p in (DKG.ActiveIngredient, DKG.InactiveIngredient):
                verb = "has " + (label(store, p) or p.value)
            else:
                verb = label(store, p) or p.value
            edge = edges[key] = {"source": s.value, "target": o.value, "label": verb, "strengths": []}
        if row["ingredient"] is not None and (strength := _strength(store, row["ingredient"])):
            if strength not in edge["strengths"]:
                edge["strengths"].append(strength)
    out = []
    for edge in edges.values():
        strengths = edge.pop("strengths")
        shown = f" ({', '.join(strengths)})" if strengths else ""
        edge["sentence"] = f"{names[edge['source']]} {edge['label']} {names[edge['target']]}{shown}"
        out.append(edge)
    return {"nodes": list(nodes.values()), "edges": out, "truncated": truncated, "cap": cap}


_ENTITIES = f"""
PREFIX dkg: <{DKG_NS}>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT DISTINCT ?class ?entity WHERE {{
  ?entity a ?class .
  FILTER(STRSTARTS(STR(?class), STR(dkg:)) && !STRSTARTS(STR(?entity), STR(dkg:)))
  FILTER(?class NOT IN (dkg:Quantity, dkg:Schedule, dkg:ExternalIdentifier, dkg:DocumentSection, dkg:ArmRate))
  FILTER NOT EXISTS {{ ?class rdfs:subClassOf* dkg:Claim }}
  FILTER NOT EXISTS {{ ?class owl:equivalentClass ?definition }}
}}
"""


def entity_index(store: ox.Store) -> list[dict]:
    """The entities (not claims, quantities, schedules, identifiers, sections or the arm rates of adverse-reaction
    claims) by class, for the index page:
    ``[{"class", "label", "entities": [(iri, label), ...]}]``, sorted by label."""
    groups: dict[str, list] = {}
    for row in store.query(_ENTITIES, use_default_graph_as_union=True):
        groups.setdefault(row["class"].value, []).append(row["entity"])
    out = []
    for cls, entities in groups.items():
        named = sorted(((e.value, label(store, e) or e.value) for e in entities), key=lambda x: (x[1].lower(), x[0]))
        out.append({"class": cls, "label": label(store, ox.NamedNode(cls)) or cls, "entities": named})
    return sorted(out, key=lambda group: group["label"].lower())


def types_of(store: ox.Store, iris: list[str]) -> dict[str, list[str]]:
    """The asserted and inferred rdf:types of each IRI."""
    return {iri: sorted({o.value for o in _objects(store, ox.NamedNode(iri), RDF.type)}) for iri in iris}


_KINDS = {
    OWL.Class.value: "class",
    OWL.ObjectProperty.value: "object property",
    OWL.DatatypeProperty.value: "datatype property",
    OWL.AnnotationProperty.value: "annotation property",
    OWL.NamedIndividual.value: "individual",
}


def ontology(store: ox.Store) -> dict:
    """The drugkg ontology's terms from its named graph: ``{"title", "description", "version", "terms": [...]}``;
    each term has ``iri``, ``name`` (the anchor), ``kind``, ``label``, ``definition``, ``example``, ``parents``,
    ``domain``, ``range``, ``members_of`` (an individual's classes) and ``defined`` (an owl:equivalentClass)."""
    graph = engine.ONTOLOGY_GRAPH
    terms: dict[str, dict] = {}
    for type_iri, kind in _KINDS.items():
        for quad in store.quads_for_pattern(None, RDF.type, ox.NamedNode(type_iri), graph):
            subject = quad.subject
            if isinstance(subject, ox.NamedNode) and subject.value.startswith(DKG_NS) and subject.value not in terms:
                terms[subject.value] = {"iri": subject.value, "name": subject.value[len(DKG_NS):], "kind": kind}

    def objects(node, predicate) -> list[str]:
        return sorted(o.value for o in _objects(store, node, predicate) if isinstance(o, ox.NamedNode))

    def text(node, predicate) -> str | None:
        value = _first(store, node, predicate)
        return value.value if value is not None else None

    names: set[str] = set()
    for iri, term in terms.items():
        node = ox.NamedNode(iri)
        term["label"] = label(store, node) or term["name"]
        term["definition"] = text(node, SKOS.definition)
        term["example"] = text(node, SKOS.example)
        term["parents"] = objects(node, RDFS.subClassOf) + objects(node, RDFS.subPropertyOf)
        term["domain"] = objects(node, RDFS.domain)
        term["range"] = objects(node, RDFS.range)
        term["members_of"] = [c for c in objects(node, RDF.type) if c.startswith(DKG_NS)]
        term["defined"] = _first(store, node, OWL.equivalentClass) is not None
        names |= {*term["parents"], *term["domain"], *term["range"], *term["members_of"]}
    head = ox.NamedNode(graph.value)
    return {
        "iri": graph.value,
        "title": text(head, DCTERMS.title),
        "description": text(head, DCTERMS.description),
        "version": text(head, OWL.versionInfo),
        "terms": sorted(terms.values(), key=lambda t: (t["label"].lower(), t["iri"])),
        "labels": {n: label(store, ox.NamedNode(n)) or n for n in names},
    }


def ontology_graph(store: ox.Store) -> list[ox.Triple]:
    """The ontology's own triples (its named graph), for the RDF forms of the ontology page."""
    return [q.triple for q in store.quads_for_pattern(None, None, None, engine.ONTOLOGY_GRAPH)]
