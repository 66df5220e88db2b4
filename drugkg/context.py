"""The read-only context a loader gets: how ids become IRIs, the label of every declared id, and what a claim's label
needs to read as English (property labels, unit plurals, source names, the records a claim refers to)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from pyoxigraph import NamedNode


@dataclass(frozen=True)
class Context:
    """Maps ids to IRIs (canonical external IRIs where an entity has one, else minted under ``base``).

    >>> ctx = Context("https://example.org/id/", {"x": NamedNode("https://example.org/id/x")}, {"x": "X"})
    >>> ctx.mint("x", "dose").value
    'https://example.org/id/x/dose'
    """

    base: str
    iris: Mapping[str, NamedNode]
    labels: Mapping[str, str]
    value_kinds: Mapping[str, str] = field(default_factory=dict)  # datatype property -> bool/integer/text/date
    section_ends: Mapping[tuple[str, str], int] = field(default_factory=dict)  # (document, section) -> end line
    property_labels: Mapping[str, str] = field(default_factory=dict)  # dkg property -> its rdfs:label
    plurals: Mapping[str, str] = field(default_factory=dict)  # unit id -> its name for a number other than 1
    sources: Mapping[str, str] = field(default_factory=dict)  # "DOC#SECTION" -> "drug monograph, Drug Overview"
    records: Mapping[str, object] = field(default_factory=dict)  # id -> its validated record (drugkg.schema.Record)

    def iri(self, ident: str) -> NamedNode:
        """The IRI of a declared id (KeyError for an undeclared one: validation rules that out first)."""
        return self.iris[ident]

    def mint(self, ident: str, *parts: str) -> NamedNode:
        """A new IRI under the base, built from an id and path segments (never from labels)."""
        return NamedNode(self.base + "/".join((ident, *parts)))

    def section(self, source: str) -> NamedNode:
        """The IRI of the section named by ``DOC#SECTION``."""
        doc, section = source.split("#")
        return self.mint(doc, section)

    def label(self, ident: str) -> str:
        return self.labels.get(ident, ident)

    def property_label(self, name: str) -> str:
        """How a label names a property: its ontology label ("has route"), not its IRI's local name."""
        return self.property_labels.get(name, name)

    def unit_name(self, ident: str, number: object) -> str:
        """A unit's name after ``number``: its plural (``plural`` in the unit's record) for any number but 1.

        >>> ctx = Context("", {}, {"month": "month"}, plurals={"month": "months"})
        >>> ctx.unit_name("month", 6), ctx.unit_name("month", 1), ctx.unit_name("month", "1.0")
        ('months', 'month', 'month')
        """
        singular = Decimal(str(number)) == 1
        return self.label(ident) if singular else self.plurals.get(ident, self.label(ident))

    def source_name(self, source: str) -> str:
        """How a claim's label names its source ``DOC#SECTION``: the document's kind and the section's title."""
        return self.sources.get(source, source)

    def record(self, ident: str):
        """The validated record of a declared id (KeyError for an undeclared one)."""
        return self.records[ident]
