"""The read-only context a loader gets: how ids become IRIs, and the label of every declared id."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

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
    sources: Mapping[str, str] = field(default_factory=dict)  # claim id -> its DOC#SECTION

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
