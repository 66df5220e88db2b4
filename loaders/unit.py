"""Units of measure, each with its UCUM code."""

from __future__ import annotations

import re

from drugkg.schema import Field, Text
from drugkg.terms import plain, text
from drugkg.vocab import DKG, RDF, RDFS
from loaders import loader

# UCUM codes are printable ASCII without spaces (UCUM specification, section 2.1: "case sensitive" c/s form).
UCUM_CODE = re.compile(r"[!-~]+")


def check_ucum(record, checker):
    code = record.get("ucum")
    if isinstance(code, str) and not UCUM_CODE.fullmatch(code):
        yield "ucum", f"{code!r} is not a UCUM code", "write the case-sensitive UCUM code, e.g. mL/min or [IU]/dL"


@loader("unit", {
    "label": Text(True, "the unit's name"),
    "plural": Text(False, "the unit's name after a number other than 1, as quantity labels show it"),
    "ucum": Field("string", True),
}, claim=False, check=check_ucum)
def load_unit(record, ctx):
    """A unit: its type, name and UCUM code. ``plural`` makes no triple of its own: labels use it ("6 months")."""
    node = ctx.iri(record.id)
    yield node, RDF.type, DKG.Unit
    yield node, RDFS.label, text(record["label"])
    yield node, DKG.ucumCode, plain(record["ucum"])
