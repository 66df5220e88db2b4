"""Saved SPARQL queries: the grlc-style header, the parameters named in the query, and safe binding.

A saved query is one ``NAME.rq`` file. It starts with ``#+ `` comment lines that form a YAML header (``summary``,
``description``, ``tags``, ``defaults``), so the file stays valid SPARQL. Parameters are variables named as grlc and
BASIL name them: ``?_name`` is required, ``?__name`` optional, and a suffix gives the type of the value: ``_iri`` an
IRI, ``_integer`` / ``_decimal`` / ``_double`` / ``_boolean`` / ``_date`` / ``_dateTime`` / ``_string`` (or
``_xsd_TYPE``) a typed literal, a two-letter language code such as ``_en`` a language-tagged literal, no suffix a
plain string.

Values are never pasted into the query text. Each value is parsed into one RDF term of the parameter's type (an
invalid IRI, number or date is an error) and the terms are bound by a ``VALUES`` block inserted as the first element
of the group after the query's top-level ``WHERE``; an optional parameter that is not given is ``UNDEF`` (unbound).
The same bound text runs on the embedded store and on any remote endpoint, so both give the same answer.
"""

from __future__ import annotations

import functools
import re
from collections import namedtuple
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType

from drugkg.errors import UsageError
from drugkg.parsed_queries import ParsedQueries

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing
if TYPE_CHECKING:
    import pyoxigraph as ox

# pyoxigraph, PyYAML, the prefix tables, datetime and decimal are imported where they are used, and the classes are
# named tuples rather than dataclasses: 'drugkg queries' only reads the headers and must start in a few tens of
# milliseconds. What a text was parsed into is kept between runs (drugkg.parsed_queries): PyYAML is then not imported.

XSD = "http://www.w3.org/2001/XMLSchema#"
HEADER_KEYS = {"summary", "description", "tags", "defaults"}  # grlc's other decorators are not supported
_TYPED = {"integer", "decimal", "double", "boolean", "date", "dateTime", "string"}

# One alternation, tried left to right, that splits SPARQL text into the tokens binding and the server's checks care
# about, by SPARQL's own lexical rules (its grammar, section 19.8): comments (ended by a carriage return or a line
# feed), strings and IRIs are single tokens, so a '{', 'WHERE', 'SERVICE' or '?_x' inside them is never taken for
# syntax; a prefixed name (its prefix may be empty or non-ASCII) is one 'word' of the characters a name may hold
# (PN_LOCAL: no ']', '|', '/' or '#' unless escaped), so 'ex:SERVICE' and ':SERVICE' are names, not keywords, and
# ':x]SERVICE' is a name and a keyword. A run of ASCII white space is one token (no other token starts with one).
# The name characters are written as the complement of what they leave out, the astral planes among it:
# [^\x00-/:-@\[-^`{-\u00B6\U00010000-\U0010FFFF] is [A-Za-z0-9_\u00B7-\uFFFF], and so on (checked for every
# code point in tests/test_query_binding.py), because Python's re compiles a class that ends at U+FFFF by walking
# each code point (4-8 ms a class, a tenth of what 'drugkg queries' took in all), its complement in a fraction of a
# millisecond. Compiled on first use.
_TOKEN_PATTERN = (
    r"""(?P<comment>\#[^\r\n]*)
      | (?P<string>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'''(?:[^'\\]|\\.|'(?!''))*'''
                   |"(?:[^"\\\n\r]|\\.)*"|'(?:[^'\\\n\r]|\\.)*')
      | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
      | (?P<var>[?$][^\x00-/:-@\[-^`{-\u00B6\U00010000-\U0010FFFF]+)
      | (?P<open>\{) | (?P<close>\})
      | (?P<word>(?:[^\x00-@\[-^`{-\u00BF\U00010000-\U0010FFFF][^\x00-,/:-@\[-^`{-\u00B6\U00010000-\U0010FFFF]*)?:
                   (?:[^\x00-,/;-@\[-^`{-\u00B6\U00010000-\U0010FFFF]|%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?\#@%])*
                 |[A-Za-z_][A-Za-z0-9_\-]*)
      | (?P<other>[\ \t\n\r]+|.)"""
)
MAX_NESTING = 100  # brackets ({, (, [) and unary operators (!, +, -, ^) nested deeper are refused before parsing


@functools.cache
def _token_regex() -> re.Pattern:
    return re.compile(_TOKEN_PATTERN, re.VERBOSE | re.DOTALL)


class Parameter(namedtuple("Parameter", "variable name required kind datatype language", defaults=(None, None))):
    """A query parameter, read from its variable name: ``variable`` (without the leading '?'), ``name``,
    ``required``, ``kind`` ('iri', 'typed', 'lang' or 'plain'), ``datatype`` and ``language``.

    >>> p = Parameter.from_variable("__serotype_iri")
    >>> (p.name, p.required, p.kind)
    ('serotype', False, 'iri')
    >>> Parameter.from_variable("_weight_decimal").datatype
    'http://www.w3.org/2001/XMLSchema#decimal'
    >>> Parameter.from_variable("_label_en").language
    'en'
    """

    __slots__ = ()

    @classmethod
    def from_variable(cls, variable: str) -> Parameter:
        required = not variable.startswith("__")
        parts = variable.lstrip("_").split("_")
        kind, datatype, language = "plain", None, None
        if len(parts) > 2 and parts[-2] == "xsd" and parts[-1] in _TYPED:
            kind, datatype, parts = "typed", XSD + parts[-1], parts[:-2]
        elif len(parts) > 1 and parts[-1] == "iri":
            kind, parts = "iri", parts[:-1]
        elif len(parts) > 1 and parts[-1] in _TYPED:
            kind, datatype, parts = "typed", XSD + parts[-1], parts[:-1]
        elif len(parts) > 1 and re.fullmatch(r"[a-z]{2}", parts[-1]):
            kind, language, parts = "lang", parts[-1], parts[:-1]
        return cls(variable, "_".join(parts), required, kind, datatype, language)

    @property
    def type_name(self) -> str:
        if self.kind == "iri":
            return "IRI"
        if self.kind == "typed":
            return "xsd:" + self.datatype.removeprefix(XSD)
        return f"text@{self.language}" if self.kind == "lang" else "text"

    def term(self, value: str) -> ox.NamedNode | ox.Literal:
        """Parse ``value`` into one RDF term of this parameter's type, or raise UsageError saying how to fix it."""
        import pyoxigraph as ox

        if re.search(r"[\\\x00-\x1f\x7f]", value):
            raise UsageError(
                f"parameter {self.name}: backslashes and control characters are not allowed in values; "
                f"give the value as plain text"
            )
        if self.kind == "iri":
            return iri_term(self.name, value)
        if self.kind == "typed":
            _check_lexical(self.name, self.datatype.removeprefix(XSD), value)
            return ox.Literal(value, datatype=ox.NamedNode(self.datatype))
        if self.kind == "lang":
            return ox.Literal(value, language=self.language)
        return ox.Literal(value)


def iri_term(name: str, value: str) -> ox.NamedNode:
    """An absolute IRI, or a CURIE with a known prefix (``MONDO:0010604``, ``dkg:Serious``), as a NamedNode."""
    import pyoxigraph as ox

    from drugkg.prefixes import PREFIXES, CurieError, expand
    from drugkg.vocab import WRITE_PREFIXES

    prefix = value.split(":", 1)[0]
    if prefix in PREFIXES:
        try:
            expanded = expand(value)
        except CurieError as exc:
            raise UsageError(f"parameter {name}: {exc}") from None
        if expanded is None:
            raise UsageError(f"parameter {name}: {prefix} identifiers have no IRI; give an entity IRI instead")
        value = expanded
    elif prefix in WRITE_PREFIXES and ":" in value:
        value = WRITE_PREFIXES[prefix] + value.split(":", 1)[1]
    try:
        term = ox.NamedNode(value)
    except ValueError as exc:
        raise UsageError(
            f"parameter {name} expects an IRI, but {value!r} is not one ({exc}); "
            f"give an absolute IRI such as https://w3id.org/drugkg/id/hemgenix or a CURIE such as MONDO:0010604"
        ) from None
    if ":" not in value:
        raise UsageError(f"parameter {name} expects an absolute IRI, got {value!r}")
    return term


def _check_lexical(name: str, datatype: str, value: str) -> None:
    import datetime as dt
    from decimal import InvalidOperation

    checks = {
        "integer": lambda v: re.fullmatch(r"[+-]?[0-9]+", v),
        "decimal": lambda v: re.fullmatch(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)", v),
        "double": lambda v: re.fullmatch(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?|[+-]?INF|NaN", v),
        "boolean": lambda v: v in {"true", "false", "1", "0"},
        "date": lambda v: re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", v) and dt.date.fromisoformat(v),
        "dateTime": lambda v: re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+(Z|[+-][0-9]{2}:[0-9]{2})?", v)
        and dt.datetime.fromisoformat(v.replace("Z", "+00:00")),
        "string": lambda v: True,
    }
    try:
        ok = checks[datatype](value)
    except (ValueError, InvalidOperation):
        ok = False
    if not ok:
        example = {"integer": "42", "decimal": "1.5", "double": "1.5e3", "boolean": "true", "date": "2022-11-22",
                   "dateTime": "2022-11-22T10:00:00Z"}[datatype]
        raise UsageError(f"parameter {name} expects an xsd:{datatype} such as {example}, got {value!r}")


class SavedQuery(namedtuple("SavedQuery", "name path text summary description tags defaults parameters",
                            defaults=("", (), MappingProxyType({}), ()))):
    """One query file: its ``name``, ``path``, ``text``, the header's ``summary``, ``description``, ``tags`` and
    ``defaults`` (parameter name to value), and the ``parameters`` its variables declare."""

    __slots__ = ()

    @property
    def form(self) -> str:
        """SELECT, ASK, CONSTRUCT or DESCRIBE: the first query-form keyword outside comments, strings and IRIs."""
        for kind, token, _ in _tokens(self.text):
            if kind == "word" and token.upper() in {"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"}:
                return token.upper()
        return "SELECT"

    def bind(self, values: Mapping[str, str]) -> str:
        """The query text with ``values`` (by parameter name; defaults fill the gaps) bound in a VALUES block.

        >>> q = parse_query("q", "SELECT ?s WHERE { ?s ?p ?_o_iri }")
        >>> q.bind({"o": "https://example.org/x"})
        'SELECT ?s WHERE {\\nVALUES (?_o_iri) { (<https://example.org/x>) }\\n ?s ?p ?_o_iri }'
        """
        known = {p.name for p in self.parameters}
        unknown = sorted(set(values) - known)
        if unknown:
            accepted = ", ".join(sorted(known)) or "none"
            raise UsageError(f"query {self.name} has no parameter {', '.join(unknown)} (its parameters: {accepted})")
        if not self.parameters:
            return self.text
        terms = []
        for p in self.parameters:
            value = values.get(p.name)
            if value is None or value == "":
                value = self.defaults.get(p.name) if value is None else None
            if value is None or value == "":
                if p.required:
                    raise UsageError(
                        f"query {self.name} needs parameter {p.name} ({p.type_name}); pass --param {p.name}=VALUE"
                    )
                terms.append("UNDEF")
            else:
                terms.append(str(p.term(str(value))))
        block = f"VALUES ({' '.join('?' + p.variable for p in self.parameters)}) {{ ({' '.join(terms)}) }}"
        at = _where_group_start(self.text)
        if at is None:
            raise UsageError(f"{self.path}: a query with parameters needs an explicit WHERE {{ ... }} to bind them into")
        return f"{self.text[:at]}\n{block}\n{self.text[at:]}"


_ENDS_OPERAND = frozenset(("var", "string", "iri", "word"))


def _tokens(text: str):
    """(kind, token, end offset) for each token of ``text``, by :data:`_TOKEN_PATTERN`, with one rule of context:
    inside parentheses (an expression), a '<' right after an operand (a variable, literal, IRI, name, number or
    closing bracket) is the less-than operator, not the start of an IRI. SPARQL's grammar decides this by context,
    and a lexer that does not would read ``FILTER(?a<(1))SERVICE?u#>`` as one IRI and miss the SERVICE after it.

    >>> [t for _, t, _ in _tokens("FILTER(?a<(1))SERVICE?u#>") if t.strip()][:6]
    ['FILTER', '(', '?a', '<', '(', '1']
    >>> [k for k, _, _ in _tokens("FILTER(?a = <http://e.org/a>)")][-2:]
    ['iri', 'other']
    """
    regex = _token_regex()
    pos, end_of_text = 0, len(text)
    brackets: list[str] = []
    operand = False  # whether the last significant token ends an operand
    while pos < end_of_text:
        if text[pos] == "<" and operand and brackets and brackets[-1] == "(":
            kind, token, end = "other", "<", pos + 1
        else:
            match = regex.match(text, pos)
            kind, token, end = match.lastgroup, match.group(), match.end()
        if kind == "open" or token in _OPENERS:
            brackets.append(token)
        elif (kind == "close" or token in _CLOSERS) and brackets:
            brackets.pop()
        if kind != "comment" and not (kind == "other" and token.isspace()):
            operand = kind in _ENDS_OPERAND or token in _CLOSERS or token.isdigit()
        yield kind, token, end
        pos = end


_OPENERS, _CLOSERS, _UNARY = frozenset("({["), frozenset(")}]"), frozenset("!+-^")


def without_comments(text: str) -> str:
    r"""``text`` without its comments (a saved query's header among them), and without the lines they leave blank:
    what a remote endpoint needs, shorter (a GET carries the query in a URL, which servers cap at 8 KB or so).

    >>> without_comments('#+ summary: x\nSELECT ?s # the subject\nWHERE { ?s ?p "#not a comment" }\n')
    'SELECT ?s\nWHERE { ?s ?p "#not a comment" }\n'
    """
    kept = "".join(token for kind, token, _ in _tokens(text) if kind != "comment")
    return "".join(line.rstrip() + "\n" for line in kept.splitlines() if line.strip())


def projection_order(text: str, variables: list[str]) -> list[str]:
    """The columns of an answer to ``text``: for ``SELECT *`` (the first query form of the text), ``variables`` (the
    engine's columns, which Oxigraph sorts by name) in the order each first appears in the query, as the SPARQL 1.1
    test suite's CSV and TSV answers have them; for any other query, ``variables`` unchanged (the projection's order).

    >>> projection_order("SELECT * WHERE { ?s ?p $o FILTER(?s != ?x) }", ["o", "p", "s"])
    ['s', 'p', 'o']
    >>> projection_order("SELECT ?o ?s WHERE { ?s ?p ?o }", ["o", "s"])
    ['o', 's']
    """
    return list(_projection_order(text, tuple(variables)))


@functools.lru_cache(maxsize=256)  # a server answers the same texts (saved queries) again and again
def _projection_order(text: str, variables: tuple[str, ...]) -> tuple[str, ...]:
    tokens = [(kind, token) for kind, token, _ in _tokens(text) if kind not in ("comment", "other") or token.strip()]
    start = next((i for i, (kind, token) in enumerate(tokens)
                  if kind == "word" and token.upper() in ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")), None)
    if start is None or tokens[start][1].upper() != "SELECT":
        return variables
    rest = tokens[start + 1:]
    if rest and rest[0][0] == "word" and rest[0][1].upper() in ("DISTINCT", "REDUCED"):
        rest = rest[1:]
    if not rest or rest[0] != ("other", "*"):
        return variables
    first: dict[str, int] = {}
    for position, (kind, token) in enumerate(rest):
        if kind == "var":
            first.setdefault(token[1:], position)
    return tuple(sorted(variables, key=lambda name: (first.get(name, len(rest)), variables.index(name))))


def nesting(text: str, tokens: list | None = None) -> int:
    """How deep the query nests: brackets (``{``, ``(``, ``[``) open at once, plus the longest run of unary
    operators (``!``, ``+``, ``-``, ``^``) in a row; comments, strings and IRIs do not count.

    pyoxigraph parses and evaluates queries recursively, and crashes (stack overflow) on some thousands of levels,
    so a query deeper than :data:`MAX_NESTING` is refused before it is parsed (:func:`check_nesting`).

    >>> nesting("SELECT * WHERE { { ?s ?p ?o FILTER(!!(?o > 1)) } } # {{{{")
    5

    ``tokens``, if given, are ``list(_tokens(text))`` already made (the server reads them for several checks).
    """
    depth = deepest = run = 0
    for kind, token, _ in _tokens(text) if tokens is None else tokens:
        if kind == "open" or token in _OPENERS:
            depth += 1
        elif kind == "close" or token in _CLOSERS:
            depth -= 1
        if kind == "other" and token in _UNARY:
            run += 1
        elif kind != "other" or not token.isspace():
            run = 0
        deepest = max(deepest, depth + run)
    return deepest


def check_nesting(text: str, source: str) -> None:
    """Raise UsageError if ``text`` nests deeper than :data:`MAX_NESTING` (see :func:`nesting`).

    >>> check_nesting("SELECT * WHERE " + "{" * 101 + "}" * 101, "q.rq")
    Traceback (most recent call last):
    drugkg.errors.UsageError: q.rq: the query nests 101 levels deep (brackets and unary operators), past the limit of 100; write it flatter (fewer nested groups, a VALUES block instead of nested UNIONs)
    """
    depth = nesting(text)
    if depth > MAX_NESTING:
        raise UsageError(f"{source}: {too_deep(depth)}")


def too_deep(depth: int, limit: str = "the limit") -> str:
    """Why a query nesting ``depth`` levels deep is refused, and the fix (``limit`` names whose limit it is)."""
    return (f"the query nests {depth} levels deep (brackets and unary operators), past {limit} of {MAX_NESTING}; "
            f"write it flatter (fewer nested groups, a VALUES block instead of nested UNIONs)")


@functools.lru_cache(maxsize=256)  # SavedQuery.bind: a server binds the same saved queries again and again
def _where_group_start(text: str) -> int | None:
    """The offset just after the '{' that opens the group following the first top-level WHERE keyword."""
    depth, seen_where = 0, False
    for kind, token, end in _tokens(text):
        if kind == "open":
            if seen_where:
                return end
            depth += 1
        elif kind == "close":
            depth -= 1
        elif kind == "word" and depth == 0 and token.upper() == "WHERE":
            seen_where = True
    return None


def parse_header(text: str, source: str) -> dict:
    """The YAML of the leading ``#+ `` lines (blank lines and plain comments between them are allowed)."""
    lines = []
    for line in text.splitlines():
        if line.startswith("#+"):
            lines.append(line[3:] if line.startswith("#+ ") else line[2:])
        elif line.strip() and not line.startswith("#"):
            break
    if not lines:
        return {}
    import yaml

    try:  # libyaml when PyYAML has it: headers parse 5x faster
        header = yaml.load("\n".join(lines), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}" if mark is not None else ""
        raise UsageError(f"{source}{where}: the '#+' header is not valid YAML ({exc.__class__.__name__}); fix its indentation") from None
    if not isinstance(header, dict):
        raise UsageError(f"{source}:1: the '#+' header must be a mapping of 'key: value' lines")
    unknown = sorted(set(header) - HEADER_KEYS)
    if unknown:
        raise UsageError(f"{source}:1: unknown header key(s) {', '.join(unknown)}; use {', '.join(sorted(HEADER_KEYS))}")
    return header


def _defaults(raw, source: str) -> dict[str, str]:
    """grlc writes defaults as a list of one-key mappings; a plain mapping is accepted too."""
    if raw is None:
        return {}
    items = raw if isinstance(raw, list) else [raw]
    out = {}
    for item in items:
        if not isinstance(item, dict):
            raise UsageError(f"{source}: 'defaults' must list 'name: value' entries, got {item!r}")
        for key, value in item.items():
            out[str(key)] = "" if value is None else str(value).lower() if isinstance(value, bool) else str(value)
    return out


_PARSED = ParsedQueries()


def parse_query(name: str, text: str, path: Path | None = None) -> SavedQuery:
    """Read a query's header and parameters; raise UsageError naming the file for a malformed header. A text parsed
    before, in this process or another, is not parsed again (:mod:`drugkg.parsed_queries`)."""
    parsed = _PARSED.get(text)
    if parsed is None:
        parsed = _parse(text, str(path or name))
        _PARSED.put(text, parsed)
    summary, description, tags, defaults, parameters = parsed
    return SavedQuery(name=name, path=path or Path(name), text=text, summary=summary, description=description,
                      tags=tuple(tags), defaults=dict(defaults), parameters=tuple(Parameter(*p) for p in parameters))


def _parse(text: str, source: str) -> tuple:
    """The parts of a query that :func:`parse_query` reads from its text, as values ``marshal`` can keep: summary,
    description, tags, defaults and each parameter's fields."""
    header = parse_header(text, source)
    params: dict[str, Parameter] = {}
    # tokenizing is most of the time 'drugkg queries' takes: skipped for the texts with no parameter-like variable
    for kind, token, _ in (_tokens(text) if "?_" in text or "$_" in text else ()):
        if kind == "var" and token[1:].startswith("_") and token[1:] not in (p.variable for p in params.values()):
            param = Parameter.from_variable(token[1:])
            if param.name in params:
                raise UsageError(f"{source}: variables ?{params[param.name].variable} and {token} both name parameter {param.name}; rename one")
            params[param.name] = param
    tags = header.get("tags") or []
    return (str(header.get("summary") or "").strip(), " ".join(str(header.get("description") or "").split()),
            tuple(str(t) for t in (tags if isinstance(tags, list) else [tags])), _defaults(header.get("defaults"), source),
            tuple(tuple(p) for p in params.values()))


def load_query_file(path: Path) -> SavedQuery:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise UsageError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start}); save the query as UTF-8") from None
    return parse_query(path.stem, text, path)


def catalogue(folder: Path) -> dict[str, SavedQuery]:
    """Every saved query in ``folder`` by name (checks under ``checks/`` are named ``checks/NAME``)."""
    if not folder.is_dir():
        raise UsageError(f"query folder {folder} does not exist; run from the repository root or pass --queries DIR")
    paths = sorted(folder.glob("*.rq")) + sorted(folder.glob("checks/*.rq"))
    return {query.name: query for query in (_saved(folder, path) for path in paths)}


def _saved(folder: Path, path: Path) -> SavedQuery:
    query = load_query_file(path)
    name = path.stem if path.parent == folder else f"checks/{path.stem}"
    return query._replace(name=name)


def find(folder: Path, name: str) -> SavedQuery:
    """The saved query called ``name`` (only its own file is read), or UsageError listing near names."""
    path = folder / f"{name}.rq"
    if re.fullmatch(r"(checks/)?[a-z0-9]+(-[a-z0-9]+)*", name) and path.is_file():
        return _saved(folder, path)
    queries = catalogue(folder)
    near = [n for n in queries if name in n or n in name][:5]
    hint = f"did you mean {', '.join(near)}? " if near else ""
    raise UsageError(f"no saved query named {name!r} in {folder}; {hint}'drugkg queries' lists them all")


def parse_assignments(items: list[str] | None, option: str = "--param",
                      example: str = "drug=https://w3id.org/drugkg/id/hemgenix") -> dict[str, str]:
    """``["drug=https://...", "band=x"]`` as a mapping; each item must be NAME=VALUE, each name once."""
    values: dict[str, str] = {}
    for item in items or []:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise UsageError(f"{option} {item!r} must be written NAME=VALUE, e.g. {option} {example}")
        if name.strip() in values:
            raise UsageError(f"{option} {name.strip()} is given twice; give each once")
        values[name.strip()] = value
    return values


def curie(iri: str, extra: Mapping[str, str] | None = None) -> str:
    """A short form of ``iri`` for reading (``dkg:Drug``, ``MONDO:0010604``), or the IRI itself."""
    from drugkg.prefixes import PREFIXES
    from drugkg.vocab import WRITE_PREFIXES

    for prefix, ns in {**WRITE_PREFIXES, **(extra or {})}.items():
        if iri.startswith(ns) and re.fullmatch(r"[A-Za-z0-9_\-.]+", iri[len(ns):] or "-"):
            return f"{prefix}:{iri[len(ns):]}"
    for prefix, spec in PREFIXES.items():
        if spec.iri and iri.startswith(spec.iri) and re.fullmatch(spec.pattern, iri[len(spec.iri):]):
            return f"{prefix}:{iri[len(spec.iri):]}"
    return iri


def decimal_text(value: str) -> str:
    """Numbers read as written: ``2E13`` and ``20000000000000.0`` both as ``20000000000000``."""
    from decimal import Decimal, InvalidOperation

    try:
        number = Decimal(value)
    except InvalidOperation:
        return value
    text = format(number, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


_INTEGER = re.compile(r"\s*(\d+)")


def _top_level_words(text: str):
    """(WORD in upper case, start, end) of each keyword outside every ``{ }`` group, comment, string and IRI."""
    depth = 0
    for kind, token, end in _tokens(text):
        if kind == "open":
            depth += 1
        elif kind == "close":
            depth -= 1
        elif kind == "word" and depth == 0:
            yield token.upper(), end - len(token), end


def _first_top_level(text: str, word: str) -> int | None:
    return next((start for token, start, _ in _top_level_words(text) if token == word), None)


def solution_slice(text: str) -> tuple[str, int | None, int]:
    """Split off the query's own top-level ``LIMIT`` and ``OFFSET``: (text without them, limit or None, offset).

    >>> solution_slice("SELECT ?s WHERE { { SELECT ?s WHERE { ?s ?p ?o } LIMIT 5 } } ORDER BY ?s LIMIT 10")
    ('SELECT ?s WHERE { { SELECT ?s WHERE { ?s ?p ?o } LIMIT 5 } } ORDER BY ?s ', 10, 0)
    """
    cuts, found = [], {"LIMIT": None, "OFFSET": None}
    for word, start, end in _top_level_words(text):
        if word in found:
            number = _INTEGER.match(text, end)
            if number is None:
                raise UsageError(f"{word} must be followed by a whole number")
            found[word] = int(number.group(1))
            cuts.append((start, number.end()))
    for start, stop in reversed(cuts):
        text = text[:start] + text[stop:]
    return text, found["LIMIT"], found["OFFSET"] or 0


def with_slice(text: str, limit: int, offset: int) -> str:
    """``text`` (without a top-level LIMIT or OFFSET) with ``LIMIT limit OFFSET offset`` as its solution modifiers:
    at the end, or before a trailing ``VALUES`` block.

    >>> with_slice("SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s  # sorted", 100, 200)
    'SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s  # sorted\\nLIMIT 100 OFFSET 200\\n'
    """
    at = _first_top_level(text, "VALUES")
    if at is not None:
        return f"{text[:at]}LIMIT {limit} OFFSET {offset}\n{text[at:]}"
    return f"{text}\nLIMIT {limit} OFFSET {offset}\n"


def subselect_slice(text: str, variables: list[str], limit: int, offset: int) -> str:
    """``text`` (a SELECT without a top-level LIMIT or OFFSET) as a sub-select, sliced by the outer query.

    An outer slice keeps the inner ``ORDER BY`` whole: Virtuoso refuses to sort more than 10,000 rows for an
    ``ORDER BY`` with ``LIMIT`` and ``OFFSET`` at one level, and answers the nested form.

    >>> print(subselect_slice("PREFIX ex: <https://example.org/>\\nSELECT ?s WHERE { ?s a ex:C } ORDER BY ?s", ["s"], 5, 10))
    PREFIX ex: <https://example.org/>
    SELECT ?s WHERE {
    { SELECT ?s WHERE { ?s a ex:C } ORDER BY ?s
    }
    }
    LIMIT 5 OFFSET 10
    <BLANKLINE>
    """
    at = _first_top_level(text, "SELECT")
    if at is None:
        raise UsageError("only a SELECT query can be paged")
    projection = " ".join("?" + name for name in variables) or "*"
    return f"{text[:at]}SELECT {projection} WHERE {{\n{{ {text[at:]}\n}}\n}}\nLIMIT {limit} OFFSET {offset}\n"
