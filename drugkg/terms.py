"""RDF term helpers: canonical literals, so that every store and parser sees the same lexical forms.

Oxigraph normalises literals when it loads them ("0.80"^^xsd:decimal becomes "0.8"); we write the canonical
form ourselves, so golden files, N-Triples and every store agree byte for byte.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from pyoxigraph import Literal, NamedNode

from drugkg.vocab import XSD

Term = NamedNode | Literal
Triple = tuple[NamedNode, NamedNode, Term]

_DATE_FORMS = (
    (re.compile(r"\d{4}"), XSD.gYear),
    (re.compile(r"\d{4}-(0[1-9]|1[0-2])"), XSD.gYearMonth),
    (re.compile(r"\d{4}-\d{2}-\d{2}"), XSD.date),
)


def text(value: str) -> Literal:
    """English text, as the curated data is written in English.

    >>> text("liver")
    <Literal value=liver language=en>
    """
    return Literal(value, language="en")


def plain(value: str) -> Literal:
    """A plain string (``xsd:string``): names, codes and identifiers, which have no language."""
    return Literal(value)


def boolean(value: bool) -> Literal:
    return Literal("true" if value else "false", datatype=XSD.boolean)


def integer(value: int) -> Literal:
    return Literal(str(int(value)), datatype=XSD.integer)


def to_decimal(value: object) -> Decimal:
    """Read a YAML number or numeric string as an exact decimal; raise ValueError when it is not one.

    >>> to_decimal("2e13")
    Decimal('2E+13')
    """
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise ValueError(f"{value!r} is not a number")
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueError(f"{value!r} is not a number") from None
    if not number.is_finite():
        raise ValueError(f"{value!r} is not a finite number")
    return number


def decimal(value: object) -> Literal:
    """An ``xsd:decimal`` in canonical form (no exponent, no trailing zeros).

    >>> decimal(2e13).value, decimal("0.80").value, decimal(1.5).value
    ('20000000000000', '0.8', '1.5')
    """
    number = to_decimal(value).normalize()
    lexical = format(number, "f")
    if lexical in {"-0", "+0"}:
        lexical = "0"
    return Literal(lexical, datatype=XSD.decimal)


# Virtuoso 7.2 loads an xsd:integer beyond 32 bits as an xsd:decimal (measured: "2147483648"^^xsd:integer comes back
# a decimal, 2147483647 an integer), so such a number is written a decimal everywhere and every store answers alike.
INTEGER_LIMIT = 2**31


def number(value: object) -> Literal:
    """A number as the data write it: an ``xsd:integer`` for a whole number written without a decimal point (a YAML
    int such as ``54``) that fits in 32 bits, else a canonical ``xsd:decimal`` (``39.0``, ``1.5``, ``"2e13"``,
    ``20000000000000``: see ``INTEGER_LIMIT``). A count stays a count, so ``?q dkg:numericValue 54`` matches it
    (SPARQL matches a literal by its datatype as well as its value).

    >>> number(54).datatype.value, number(39.0).datatype.value, number(39.0).value
    ('http://www.w3.org/2001/XMLSchema#integer', 'http://www.w3.org/2001/XMLSchema#decimal', '39')
    >>> number(20000000000000).datatype.value
    'http://www.w3.org/2001/XMLSchema#decimal'
    """
    if isinstance(value, int) and not isinstance(value, bool) and -INTEGER_LIMIT <= value < INTEGER_LIMIT:
        return integer(value)
    return decimal(value)


def date_literal(value: object) -> Literal:
    """A ``xsd:gYear``, ``xsd:gYearMonth`` or ``xsd:date`` from "YYYY", "YYYY-MM" or "YYYY-MM-DD".

    >>> date_literal("2022-11").datatype
    <NamedNode value=http://www.w3.org/2001/XMLSchema#gYearMonth>
    """
    lexical = check_date(value)
    for pattern, datatype in _DATE_FORMS:
        if pattern.fullmatch(lexical):
            return Literal(lexical, datatype=datatype)
    raise AssertionError(lexical)  # unreachable: check_date accepted it


def check_date(value: object) -> str:
    """The ISO lexical form of a date value; raise ValueError for anything that is not a real date."""
    if isinstance(value, dt.datetime):
        raise ValueError(f"{value!r} has a time; write a date only")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise ValueError(f"{value!r} is not a date")
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        try:
            dt.date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"{value!r} is not a calendar date") from None
        return value
    if any(p.fullmatch(value) for p, _ in _DATE_FORMS[:2]):
        return value
    raise ValueError(f"{value!r} is not a date")
