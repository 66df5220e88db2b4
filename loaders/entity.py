"""Entities: declared once, referenced by id; types from the ontology; external identifiers with confidence."""

from __future__ import annotations

from pyoxigraph import NamedNode

from drugkg.prefixes import CurieError, expand, parse_curie, slug
from drugkg.schema import Field, Text
from drugkg.terms import plain, text
from drugkg.vocab import DKG, RDF, RDFS, SKOS
from loaders import loader
from loaders._common import KEYWORDS, as_list

XREF_KEYS = ("id", "confidence", "relation", "seen")
RELATIONS = {"exact": SKOS.exactMatch, "close": SKOS.closeMatch}


def check_entity(record, checker):
    """The type is an ontology class; xrefs are well-formed; a canonical iri is one of its verified xrefs."""
    etype = record.get("type")
    if isinstance(etype, str) and etype not in checker.ontology.classes:
        yield "type", f"type {etype!r} is not a class of the ontology", "use a class declared in ontology/drugkg.ttl, e.g. Disease"
    elif isinstance(etype, str) and etype in checker.ontology.defined:
        yield "type", f"type {etype!r} is a defined class: the reasoner infers its members", (
            "give the entity's own class and the properties the definition names instead"
        )
    xrefs = record.get("xrefs", [])
    if not isinstance(xrefs, list):
        yield "xrefs", "must be a list", "write xrefs as a list of {id, confidence, seen}"
        return
    verified = set()
    for index, xref in enumerate(xrefs):
        where = f"xrefs[{index}]"
        line = xrefs.line_of(index) if hasattr(xrefs, "line_of") else "xrefs"
        if not isinstance(xref, dict):
            yield line, f"{where} is not a mapping", "write {id: PREFIX:LOCAL, confidence: verified, seen: ...}"
            continue
        unknown = sorted(set(xref) - set(XREF_KEYS))
        if unknown:
            yield line, f"{where} has unknown key(s) {', '.join(unknown)}", f"use only {', '.join(XREF_KEYS)}"
        try:
            parse_curie(xref.get("id"))
        except CurieError as exc:
            yield line, f"{where}: {exc}", "copy it from ../shared/identifiers.md, the verified list beside the checkout"
            continue
        if xref.get("confidence") not in ("verified", "likely"):
            yield line, f"{where} ({xref['id']}) needs confidence: verified or likely", "copy the confidence from ../shared/identifiers.md"
        if not isinstance(xref.get("seen"), str) or not xref["seen"].strip():
            yield line, f"{where} ({xref['id']}) has no 'seen'", "add seen: where the identifier was seen (URL or repository path)"
        if xref.get("relation", "exact") not in RELATIONS:
            yield line, f"{where} ({xref['id']}) has relation {xref['relation']!r}", "write relation: exact or close"
        if xref.get("confidence") == "verified" and xref.get("relation", "exact") == "exact":
            verified.add(xref["id"])
        owner = checker.data.xref_owner.setdefault(xref["id"], record.id)
        if owner != record.id:
            yield line, f"{xref['id']} is also given for {owner!r}", "an identifier names one entity: keep it on the right one"
    iri = record.get("iri")
    if iri is not None:
        try:
            if expand(iri) is None:
                yield "iri", f"iri {iri} has no IRI pattern", "leave iri out; keep the identifier in xrefs"
        except CurieError as exc:
            yield "iri", f"iri {exc}", "copy it from ../shared/identifiers.md, the verified list beside the checkout"
            return
        if iri not in verified:
            yield "iri", f"iri {iri} is not among this entity's verified exact xrefs", f"add {{id: {iri}, confidence: verified, seen: ...}} to xrefs"


@loader(
    "entity",
    {
        "type": Field("string", True),
        "label": Text(True, "the entity's name"),
        "iri": Field("curie"),
        "alt_labels": Field("text", many=True),
        "description": Text(),
        "xrefs": Field("xrefs"),
    },
    claim=False,
    check=check_entity,
)
def load_entity(record, ctx):
    node = ctx.iri(record.id)
    yield node, RDF.type, DKG[record["type"]]
    yield node, RDFS.label, text(record["label"])
    for alt in as_list(record.get("alt_labels")):
        yield node, SKOS.altLabel, text(alt)
    if "description" in record:
        yield node, SKOS.definition, text(record["description"])
    for xref in record.get("xrefs", []):
        curie = xref["id"]
        prefix, _ = parse_curie(curie)
        ident = ctx.mint("xref", slug(curie))
        external = expand(curie)
        yield ident, RDF.type, DKG.ExternalIdentifier
        yield ident, RDFS.label, plain(curie)
        yield ident, DKG.identifies, node
        yield ident, DKG.identifierValue, plain(curie)
        yield ident, DKG.identifierScheme, plain(prefix.name)
        yield ident, DKG.confidence, KEYWORDS[xref["confidence"]]
        yield ident, DKG.seenAt, plain(xref["seen"])
        if external is not None:
            yield ident, DKG.identifierIRI, NamedNode(external)
            if xref["confidence"] == "verified" and external != node.value:
                yield node, RELATIONS[xref.get("relation", "exact")], NamedNode(external)
