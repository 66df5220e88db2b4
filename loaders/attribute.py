"""Attribute claims: one source's statement that an entity has a property value.

The claim node records subject, property and object (``dkg:claimSubject``/``claimProperty``/``claimObject``)
with its source, and, where the source explains it, how the fact comes about (``dkg:mechanism``); the plain triple
``subject property object`` is asserted too, so simple queries stay simple while every such triple can be traced
to the claims, and so the sources, that support it.
"""

from __future__ import annotations

from pyoxigraph import NamedNode

from drugkg.schema import Field, Record, Ref, Text
from drugkg.terms import Triple, boolean, check_date, date_literal, integer, plain, text
from drugkg.vocab import DKG
from loaders import loader
from loaders._common import and_list, as_list, claim, phrase, quantity, quantity_label, yes_no


def _value_kind(value) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "integer"
    return "text"


def check_attribute(record: Record, checker):
    """The property exists and is an entity attribute; subject and object fit its domain and range."""
    onto = checker.ontology
    name = record.get("property")
    info = onto.properties.get(name) if isinstance(name, str) else None
    attributes = onto.attribute_properties
    if info is None or name not in attributes:
        yield "property", f"{name!r} is not an attribute property of the ontology", f"use one of: {', '.join(attributes)}"
        return
    subject_type = checker.data.entity_type(record.get("subject"))
    if subject_type and not onto.conforms(subject_type, info.domain):
        yield "subject", (f"{record['subject']!r} is a {subject_type}, but {name} applies to "
                          f"{' or '.join(sorted(info.domain))}"), "pick a subject of the right type or another property"
    given = [k for k in ("object", "value", "quantity") if k in record]
    if len(given) != 1:
        yield "property", f"give exactly one of object, value, quantity (found {', '.join(given) or 'none'})", \
            "keep the one that fits the property"
        return
    wanted = "quantity" if info.range == {"Quantity"} else "object" if info.kind == "object" else "value"
    if given[0] != wanted:
        yield given[0], f"{name} takes {wanted}, not {given[0]}", f"write {wanted}: ..."
        return
    if wanted == "object":
        for ident in as_list(record["object"]):
            object_type = checker.data.entity_type(ident)
            if object_type and not onto.conforms(object_type, info.range):
                yield "object", (f"{ident!r} is a {object_type}, but {name} takes "
                                 f"{' or '.join(sorted(info.range))}"), "refer to an entity of the right type"
    elif wanted == "value":
        expected = onto.value_kind(name)
        if expected == "date":
            try:
                check_date(record["value"])
            except ValueError as exc:
                yield "value", f"value bad date: {exc}", 'write a date as "YYYY", "YYYY-MM" or "YYYY-MM-DD"'
        elif expected is None or _value_kind(record["value"]) != {"string": "text"}.get(expected, expected):
            yield "value", f"value of {name} must be {expected or 'of a declared datatype'}, not {record['value']!r}", \
                f"write a {expected} value" if expected else "give the property a datatype range in the ontology"


LITERALS = {"bool": boolean, "integer": integer, "date": date_literal, "text": text, "string": plain}


@loader(
    "attribute",
    {
        "subject": Ref("entity", required=True),
        "property": Field("string", True),
        "object": Ref("entity", many=True),
        "value": Field("scalar"),
        "quantity": Field("quantity"),
        "mechanism": Text(),
    },
    check=check_attribute,
)
def load_attribute(record, ctx):
    predicate = DKG[record["property"]]
    subject = ctx.iri(record["subject"])
    if "object" in record:
        objects = [ctx.iri(i) for i in as_list(record["object"])]
        shown = and_list([ctx.label(i) for i in as_list(record["object"])])
        extra = []
    elif "quantity" in record:
        node = ctx.mint(record.id, "quantity")
        objects, extra = [node], quantity(node, record["quantity"], ctx)
        shown = quantity_label(record["quantity"], ctx)
    else:
        value = record["value"]
        objects, extra = [LITERALS[ctx.value_kinds[record["property"]]](value)], []
        shown = yes_no(value) if isinstance(value, bool) else phrase(str(value))
    statement = f"{ctx.label(record['subject'])} {ctx.property_label(record['property'])}: {shown}"
    node, triples = claim(record, ctx, DKG.AttributeClaim, statement)
    if "mechanism" in record:
        triples.append((node, DKG.mechanism, text(record["mechanism"])))
    return triples + attribute_roles(node, subject, predicate, objects) + extra


def attribute_roles(node: NamedNode, subject: NamedNode, predicate: NamedNode, objects: list) -> list[Triple]:
    """An attribute claim's subject, property and objects, and the plain triples it supports."""
    triples = [(node, DKG.claimSubject, subject), (node, DKG.claimProperty, predicate)]
    triples += [(node, DKG.claimObject, o) for o in objects]
    return triples + [(subject, predicate, o) for o in objects]
