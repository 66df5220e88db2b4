"""Pieces shared by the loaders: the triples every claim carries, quantities, optional fields."""

from __future__ import annotations

from collections.abc import Callable

from pyoxigraph import NamedNode

from drugkg.context import Context
from drugkg.schema import Record, parse_lines
from drugkg.terms import Triple, boolean, decimal, integer, number, text
from drugkg.vocab import DKG, PROV, RDF, RDFS

KEYWORDS = {
    "pre-treatment": DKG.PreTreatment,
    "monitoring": DKG.Monitoring,
    "do": DKG.Do,
    "dont": DKG.Dont,
    "investigational": DKG.Investigational,
    "observational": DKG.Observational,
    "serious": DKG.Serious,
    "non-serious": DKG.NonSerious,
    "established": DKG.Established,
    "theoretical": DKG.Theoretical,
    "any": DKG.AnyOf,
    "all": DKG.AllOf,
    "verified": DKG.Verified,
    "likely": DKG.Likely,
    "mean": DKG.Mean,
}

_BOUNDS = (
    ("value", DKG.numericValue, "{}"),
    ("min", DKG.minInclusive, "at least {}"),
    ("min_exclusive", DKG.minExclusive, "more than {}"),
    ("max", DKG.maxInclusive, "at most {}"),
    ("max_exclusive", DKG.maxExclusive, "less than {}"),
)


def as_list(value) -> list:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def claim(record: Record, ctx: Context, cls: NamedNode, statement: str) -> tuple[NamedNode, list[Triple]]:
    """The claim node and the triples every claim has: type, label, source section and cited lines, disagreements,
    note. The label is ``statement`` in English followed by the source it is from, "(drug monograph, Drug
    Overview)", so that two sources stating the same fact make two claims with two labels."""
    node = ctx.iri(record.id)
    label = f"{statement} ({ctx.source_name(record['source'])})"
    triples = claim_core(node, cls, label, ctx.section(record["source"]))
    triples += [(node, DKG.citedLine, integer(n)) for n in parse_lines(record["lines"])]
    for other, kind in (record.get("differs_from") or {}).items():
        triples += difference(ctx, record, other, kind)
    if "note" in record:
        triples.append((node, RDFS.comment, text(record["note"])))
    return node, triples


DIFFERENCE_KINDS = {
    "contradiction": (DKG.Contradiction, "contradiction"),
    "scope": (DKG.ScopeDifference, "difference of scope"),
    "precision": (DKG.PrecisionDifference, "difference of precision"),
    "unit": (DKG.UnitDifference, "difference of unit"),
    "wording": (DKG.WordingDifference, "difference of wording"),
}


def difference(ctx: Context, record: Record, other: str, kind: str) -> list[Triple]:
    """A declared difference between two claims: ``dkg:differsFrom`` both ways, and a ``dkg:ClaimDifference`` node
    with its kind, named by the two claim ids in sorted order (the same node whichever side declares it)."""
    node, other_node = ctx.iri(record.id), ctx.iri(other)
    first, second = sorted((record.id, other))
    diff = ctx.mint("difference", f"{first}--{second}")
    kind_term, kind_label = DIFFERENCE_KINDS[kind]
    sources = " against ".join(f"({ctx.source_name(ctx.record(ident)['source'])})" for ident in (first, second))
    return [(node, DKG.differsFrom, other_node), (other_node, DKG.differsFrom, node),
            (diff, RDF.type, DKG.ClaimDifference), (diff, DKG.hasDifferenceKind, kind_term),
            (diff, DKG.betweenClaim, node), (diff, DKG.betweenClaim, other_node),
            (diff, RDFS.label, text(f"{kind_label}: {sources}"))]


def claim_core(node: NamedNode, cls: NamedNode, label: str, source: NamedNode) -> list[Triple]:
    """What every claim has, whatever made it (a YAML record, a label): its class, one label, one source section."""
    return [(node, RDF.type, cls), (node, RDFS.label, text(label)), (node, PROV.wasDerivedFrom, source)]


def quantity(node: NamedNode, value: dict, ctx: Context) -> list[Triple]:
    """A ``dkg:Quantity`` node: each number an ``xsd:integer`` where the record writes a whole number without a
    decimal point, else a canonical ``xsd:decimal`` (:func:`drugkg.terms.number`); the unit as a resource."""
    triples = [(node, RDF.type, DKG.Quantity), (node, RDFS.label, text(quantity_label(value, ctx))),
               (node, DKG.hasUnit, ctx.iri(value["unit"]))]
    triples += [(node, prop, number(value[key])) for key, prop, _ in _BOUNDS if key in value]
    if "approximate" in value:
        triples.append((node, DKG.approximate, boolean(value["approximate"])))
    return triples


def quantity_label(value: dict, ctx: Context) -> str:
    """A quantity in words: "6 months", "at least 1 year", "about 8 fold (ratio)"; the unit's name is plural unless
    the number it follows is 1."""
    parts = [template.format(format_number(value[key])) for key, _, template in _BOUNDS if key in value]
    last = [value[key] for key, _, _ in _BOUNDS if key in value][-1]
    prefix = "about " if value.get("approximate") else ""
    return f"{prefix}{' and '.join(parts)} {ctx.unit_name(value['unit'], last)}"


def format_number(value) -> str:
    return decimal(value).value


def phrase(text: str) -> str:
    """Free text as part of a label: without its closing full stop, since the label goes on after it.

    >>> phrase("Renal impairment."), phrase("e.g.")
    ('Renal impairment', 'e.g.')
    """
    return text[:-1] if text.endswith(".") and not text.endswith((".g.", ".e.", "etc.")) else text


def yes_no(value: bool) -> str:
    """A boolean as a label shows it."""
    return "yes" if value else "no"


def and_list(items: list[str]) -> str:
    """Items joined as English lists them.

    >>> and_list(["fever"]), and_list(["fever", "chills"]), and_list(["fever", "chills", "headache"])
    ('fever', 'fever and chills', 'fever, chills and headache')
    """
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def optional(
    record: Record, node: NamedNode, fields: dict[str, tuple[NamedNode, Callable]]
) -> list[Triple]:
    """Triples for the optional fields present: ``fields`` maps a field to (predicate, value converter)."""
    triples = []
    for key, (predicate, convert) in fields.items():
        for item in as_list(record.get(key)):
            triples.append((node, predicate, convert(item)))
    return triples
