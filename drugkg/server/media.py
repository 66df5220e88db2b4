"""Formats over HTTP: the engine's format names, their media types, and ``Accept`` negotiation.

The ``format=`` parameter takes the names ``drugkg query --format`` takes (:data:`drugkg.engine.FORMATS`) and
``html``; ``Accept`` takes the standard media types (and a few common aliases), with quality values and wildcards.
"""

from __future__ import annotations

import functools

from drugkg.engine import FORMATS

RESULTS = {  # SELECT and ASK answers, in the server's order of preference for */*
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
    "table": "text/plain",
    "html": "text/html",
}
GRAPHS = {  # CONSTRUCT and DESCRIBE answers, resource descriptions
    "ttl": "text/turtle",
    "nt": "application/n-triples",
    "jsonld": "application/ld+json",
    "rdf": "application/rdf+xml",
    "html": "text/html",
}
RESULT_ALIASES = {"application/json": "json", "application/xml": "xml", "text/xml": "xml"}
GRAPH_ALIASES = {
    "application/turtle": "ttl",
    "application/x-turtle": "ttl",
    "text/n3": "ttl",  # Turtle is N3
    "application/x-json+ld": "jsonld",
    "application/json": "jsonld",  # JSON-LD is JSON
    "text/plain": "nt",  # N-Triples is plain text (RDF 1.0 served it so)
    "application/xml": "rdf",
    "text/xml": "rdf",
}
NAMES = (*FORMATS, "html")
PARAM = {  # format=NAME -> (the format for a SELECT or ASK answer, the format for a graph), None: cannot carry it
    "table": ("table", None),
    "csv": ("csv", None),
    "tsv": ("tsv", None),
    "json": ("json", "jsonld"),
    "xml": ("xml", "rdf"),
    "ttl": (None, "ttl"),
    "nt": (None, "nt"),
    "jsonld": (None, "jsonld"),
    "rdf": (None, "rdf"),
    "html": ("html", "html"),
    # the names other clients send: SPARQLWrapper sends its return format as format=
    "turtle": (None, "ttl"),
    "n3": (None, "ttl"),
    "json-ld": (None, "jsonld"),
    "rdf+xml": (None, "rdf"),
}


def from_param(value: str) -> tuple[str | None, str | None] | None:
    """What ``format=value`` asks for: (the format of a SELECT or ASK answer, the format of a graph), from a name
    in :data:`PARAM` or a media type (SPARQLWrapper sends ``format=application/rdf+xml``); None if neither.

    >>> from_param("xml"), from_param("application/rdf+xml"), from_param("pdf")
    (('xml', 'rdf'), (None, 'rdf'), None)
    """
    if value in PARAM:
        return PARAM[value]
    media = value.split(";")[0].strip().lower()
    results = {**{m: n for n, m in RESULTS.items()}, **RESULT_ALIASES}.get(media)
    graph = {**{m: n for n, m in GRAPHS.items()}, **GRAPH_ALIASES}.get(media)
    return (results, graph) if results or graph else None


def media_type(fmt: str) -> str:
    """The Content-Type for a format name (text types in UTF-8).

    >>> media_type("tsv")
    'text/tab-separated-values; charset=utf-8'
    >>> media_type("jsonld")
    'application/ld+json'
    """
    media = RESULTS.get(fmt) or GRAPHS[fmt]
    return f"{media}; charset=utf-8" if media.startswith("text/") else media


def offers(formats: dict[str, str], aliases: dict[str, str], first: str | None = None) -> dict[str, str]:
    """Media type -> format name, in order of preference (``first``, if given, leads; aliases come last)."""
    ordered = dict(sorted(formats.items(), key=lambda item: item[0] != first))
    return {**{media: name for name, media in ordered.items()}, **aliases}


@functools.lru_cache(maxsize=256)  # clients send the same few Accept headers
def _ranges(accept: str | None) -> tuple[tuple[str, str, float], ...]:
    ranges = []
    for part in (accept or "*/*").split(","):
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        if "/" not in media:
            continue
        kind, _, sub = media.partition("/")
        q = 1.0
        for param in fields[1:]:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        ranges.append((kind, sub, q))
    return tuple(ranges) or (("*", "*", 1.0),)


def quality(media: str, accept: str | None) -> float:
    """How much ``accept`` wants ``media``: the q of the most specific range that matches it (0 if none does).

    >>> quality("text/turtle", "text/html, text/*;q=0.5, */*;q=0.1")
    0.5
    >>> quality("text/turtle", "text/turtle;q=0, */*")
    0.0
    """
    kind, _, sub = media.partition("/")
    best, specificity = 0.0, -1
    for r_kind, r_sub, q in _ranges(accept):
        if (r_kind, r_sub) == (kind, sub):
            rank = 2
        elif r_kind == kind and r_sub == "*":
            rank = 1
        elif (r_kind, r_sub) == ("*", "*"):
            rank = 0
        else:
            continue
        if rank > specificity:
            best, specificity = q, rank
    return best


def negotiate(accept: str | None, choices: dict[str, str]) -> str | None:
    """The format name (from ``choices``, media type -> name, in server preference order) that ``accept`` wants most;
    ties go to the server's order; None when it wants none of them. A missing Accept header accepts anything.

    >>> negotiate("text/html,application/xhtml+xml,*/*;q=0.8", offers(GRAPHS, GRAPH_ALIASES))
    'html'
    >>> negotiate("application/sparql-results+json,application/json", offers(RESULTS, RESULT_ALIASES))
    'json'
    >>> negotiate("image/png", offers(GRAPHS, GRAPH_ALIASES)) is None
    True
    """
    best, best_q = None, 0.0
    for media, name in choices.items():
        q = quality(media, accept)
        if q > best_q:
            best, best_q = name, q
    return best
