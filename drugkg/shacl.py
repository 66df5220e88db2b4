"""SHACL shapes compiled to SPARQL: the shapes become SELECT queries that the Oxigraph store answers.

pySHACL (:func:`drugkg.validate.shacl_results`) stays the reference: :func:`validate_store` returns the same
:class:`~drugkg.validate.ShapeResult` list (focus node, source shape, message, path and value as strings) from one
query per targeted shape (and one per SHACL-SPARQL constraint) on the store, where pySHACL walks an rdflib graph in
Python. The data graph is what pySHACL validates: the store's default graph (the asserted data) with the ontology's
named graph mixed in, so ``sh:targetClass`` and ``sh:class`` follow ``rdfs:subClassOf`` (the reasoner's named
graph is left out).

The compiler translates exactly what ``ontology/shapes.ttl`` uses: ``sh:targetClass``; ``sh:property`` with a
predicate IRI as ``sh:path``; ``sh:minCount``, ``sh:maxCount``, ``sh:datatype``, ``sh:languageIn``, ``sh:class``,
``sh:nodeKind``, ``sh:in``, ``sh:or``, ``sh:pattern`` (with ``sh:flags``), ``sh:minInclusive``, ``sh:lessThan``,
``sh:lessThanOrEquals``, ``sh:qualifiedValueShape`` with ``sh:qualifiedMinCount`` / ``sh:qualifiedMaxCount``,
``sh:closed`` with ``sh:ignoredProperties``, and SHACL-SPARQL constraints (``sh:sparql`` with ``sh:select``,
``sh:prefixes`` and ``sh:declare``; ``$this`` is bound to the focus nodes, ``$PATH`` replaced by the path);
``sh:message`` and ``sh:severity``, and the annotations ``sh:name``, ``sh:description``, ``sh:order``, ``sh:group``
and ``sh:defaultValue``. Anything else in the shapes file (another constraint or target, a path expression, a
recursive shape, a SPARQL constraint inside ``sh:or``...) raises :class:`UnsupportedShapes` naming it, and the
caller validates with pySHACL instead; nothing is skipped silently.

Where pySHACL decides in Python, the same Python decides here, as SPARQL functions the store calls back, and only
for the values a plain SPARQL test cannot settle: whether a literal's lexical form is valid for its datatype
(rdflib's ``ill_typed``, so ``"abc"^^xsd:integer`` fails ``sh:datatype xsd:integer``), ``sh:pattern`` (Python's
``re``), the rdflib comparisons behind ``sh:minInclusive`` and ``sh:lessThan`` when SPARQL's comparison is not
true, and rdflib term equality for literal members of ``sh:in``. Messages are the shape's ``sh:message``, or
pySHACL's own default text for the component.

Oxigraph stores some literals in canonical form (``"20.0"^^xsd:decimal`` comes back as ``"20"``), while pySHACL
reports the value as rdflib read it from the N-Triples. Given the N-Triples, :func:`validate_store` looks the
written form up (only for typed literals among the results), so the value strings agree. Two literals that differ
only in such a form are one term in the store, so a count differs from pySHACL's then (``"1.0"`` and ``"1.00"`` as
two values of an ``sh:maxCount 1`` property).

Example: a unit without its label and UCUM code::

    >>> from drugkg.engine import write_store
    >>> from drugkg.paths import default_ontology, default_shapes
    >>> shapes = compile_shapes(default_shapes())
    >>> data = "<https://w3id.org/drugkg/id/u> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://w3id.org/drugkg/ontology#Unit> ."
    >>> store = write_store(None, data, default_ontology())
    >>> [(r.focus, r.shape.rsplit("#")[1], r.message[:30]) for r in validate_store(store, shapes, data)]
    [('https://w3id.org/drugkg/id/u', 'Unit-label', 'must have exactly one label (r'), ('https://w3id.org/drugkg/id/u', 'Unit-ucumCode', 'must have exactly one UCUM cod')]
"""

from __future__ import annotations

import contextlib
import logging
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path

import pyoxigraph as ox
import rdflib
from rdflib.term import BNode, Literal, Node, URIRef

from drugkg.parallel import ordered_map
from drugkg.validate import ShapeResult

SH = rdflib.Namespace("http://www.w3.org/ns/shacl#")
RDF_TYPE = str(rdflib.RDF.type)
RDFS_RESOURCE = str(rdflib.RDFS.Resource)
XSD_STRING = str(rdflib.XSD.string)
LANG_STRING = str(rdflib.RDF.langString)
VIOLATION = str(SH.Violation)
DEFAULT_MESSAGE = "violates a shape"  # what drugkg.validate.shacl_results reports for a result without a message
CLASS_MARK = re.compile(r"__(IN|VALUES)_([0-9]+)__")  # in query texts, where a class and its subclasses go
FOCUS_MARK = "__FOCUS__"  # in detail queries, where the focus nodes with a violation go
MOST_FOCUS_NODES = 2000  # more focus nodes with a violation than this: the detail queries run over all of them
FUNCTION = "urn:drugkg:shacl:function:"  # the SPARQL functions that call back into Python are named under this

# Predicates of the SHACL vocabulary the compiler reads: constraint parameters, targets, SHACL-SPARQL, messages.
TRANSLATED = {
    SH[name] for name in (
        "targetClass", "property", "path", "minCount", "maxCount", "datatype", "languageIn", "class", "nodeKind",
        "in", "or", "pattern", "flags", "minInclusive", "lessThan", "lessThanOrEquals", "qualifiedValueShape",
        "qualifiedMinCount", "qualifiedMaxCount", "closed", "ignoredProperties", "sparql", "select", "prefixes",
        "declare", "prefix", "namespace", "message", "severity",
    )
}
ANNOTATIONS = {SH[name] for name in ("name", "description", "order", "group", "defaultValue")}  # no effect on results
SHAPE_TYPES = {SH[name] for name in ("NodeShape", "PropertyShape", "Shape", "SPARQLConstraint", "PrefixDeclaration")}
NODE_KINDS = {  # sh:nodeKind -> the SPARQL test of a value
    SH.IRI: "isIRI({v})",
    SH.BlankNode: "isBlank({v})",
    SH.Literal: "isLiteral({v})",
    SH.BlankNodeOrIRI: "!isLiteral({v})",
    SH.BlankNodeOrLiteral: "!isIRI({v})",
    SH.IRIOrLiteral: "!isBlank({v})",
}
# Lexical forms that rdflib surely reads as a valid value of the datatype: other values are checked in Python.
SAFE_LEXICAL = {
    str(rdflib.XSD.integer): "^[+-]?[0-9]+$",
    str(rdflib.XSD.decimal): "^[+-]?([0-9]+([.][0-9]*)?|[.][0-9]+)$",
    str(rdflib.XSD.boolean): "^(true|false|1|0)$",
    str(rdflib.XSD.date): "^[1-9][0-9]{3}-(0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])$",
}
PROLOGUE = re.compile(r"^\s*((?:(?:PREFIX\s+[^\s:]*:\s*<[^>]*>|BASE\s*<[^>]*>)\s*)*)", re.IGNORECASE)
FORBIDDEN_IN_SPARQL = re.compile(r"(?<![\w?$:])(MINUS|VALUES|SERVICE)\b|[$?](shapesGraph|currentShape)\b", re.IGNORECASE)
PATH_VARIABLE = re.compile(r"([\s{}()])[$?]PATH")  # as pySHACL substitutes $PATH


class UnsupportedShapes(ValueError):
    """The shapes use SHACL that the compiler does not translate to SPARQL; ``components`` names each part."""

    def __init__(self, path: Path, components: list[str]):
        self.path = path
        self.components = components
        super().__init__(f"{path} uses {', '.join(components)}, which drugkg.shacl does not translate to SPARQL")


@dataclass(eq=False)
class Shape:
    """One node or property shape as the compiler reads it (constraint parameters as rdflib terms)."""

    node: Node
    path: str | None = None
    targets: list[str] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)
    severity: str = VIOLATION
    classes: list[URIRef] = field(default_factory=list)
    datatype: URIRef | None = None
    node_kind: URIRef | None = None
    in_values: list[Node] | None = None
    language_in: list[str] | None = None
    patterns: list[Literal] = field(default_factory=list)
    flags: str = ""
    min_inclusive: list[Literal] = field(default_factory=list)
    ors: list[list[Shape]] = field(default_factory=list)
    properties: list[Shape] = field(default_factory=list)
    min_count: int | None = None
    max_count: int | None = None
    qualified: list[Shape] = field(default_factory=list)
    qualified_min: int | None = None
    qualified_max: int | None = None
    closed: bool = False
    ignored: list[str] = field(default_factory=list)
    less_than: list[str] = field(default_factory=list)
    less_than_or_equals: list[str] = field(default_factory=list)
    sparql: list[SparqlConstraint] = field(default_factory=list)

    @property
    def iri(self) -> str:
        return str(self.node)


@dataclass(eq=False)
class SparqlConstraint:
    """A SHACL-SPARQL constraint: the SELECT text, its prefixes and its own messages."""

    select: str
    prefixes: dict[str, str]
    messages: list[str]


@dataclass(eq=False)
class Query:
    """One compiled SELECT: the violations of ``shape``, or of one of its SPARQL constraints (``sparql``)."""

    shape: Shape
    text: str
    sparql: SparqlConstraint | None = None
    projects_this: bool = True


@dataclass(eq=False)
class Group:
    """The queries for one set of focus nodes: ``check`` finds the nodes with a violation, ``details`` list
    them for those nodes (in place of FOCUS_MARK), ``full`` for all; ``sparql`` are run for all of them."""

    check: str | None
    details: list[Query] = field(default_factory=list)
    full: list[Query] = field(default_factory=list)
    sparql: list[Query] = field(default_factory=list)


@dataclass(eq=False)
class CompiledShapes:
    """The SPARQL queries of a shapes file and the Python functions they call, ready for :func:`validate_store`."""

    path: Path
    graph: rdflib.Graph
    groups: list[Group]
    functions: dict[ox.NamedNode, Callable]
    class_sets: list[list[str]]

    @property
    def queries(self) -> list[str]:
        """Every query text (with the placeholders for classes and focus nodes)."""
        return [q for g in self.groups for q in [g.check] * bool(g.check) + [d.text for d in g.details + g.full + g.sparql]]


# ---------------------------------------------------------------------------------------------------------------
# Reading the shapes graph
# ---------------------------------------------------------------------------------------------------------------


def _name(term: Node) -> str:
    return "sh:" + str(term)[len(str(SH)):] if str(term).startswith(str(SH)) else str(term)


class _Reader:
    """Reads shapes from the rdflib shapes graph, collecting what cannot be translated instead of failing early."""

    def __init__(self, graph: rdflib.Graph):
        self.graph = graph
        self.shapes: dict[Node, Shape] = {}
        self.reading: list[Node] = []
        self.unsupported: list[str] = []

    def problem(self, text: str) -> None:
        if text not in self.unsupported:
            self.unsupported.append(text)

    def vocabulary(self) -> None:
        """Every SHACL term in the file must be one the compiler translates (or an annotation)."""
        for _, p, o in self.graph:
            if str(p).startswith(str(SH)) and p not in TRANSLATED | ANNOTATIONS:
                self.problem(_name(p))
            if p == rdflib.RDF.type and str(o).startswith(str(SH)) and o not in SHAPE_TYPES:
                self.problem(f"rdf:type {_name(o)}")
        subclasses_of_class = set(self.graph.transitive_subjects(rdflib.RDFS.subClassOf, rdflib.RDFS.Class))
        for shape in set(self.graph.subjects(rdflib.RDF.type, SH.NodeShape)) | set(self.graph.subjects(SH.targetClass)):
            if set(self.graph.objects(shape, rdflib.RDF.type)) & (subclasses_of_class | {rdflib.OWL.Class}):
                self.problem(f"an implicit class target (a shape that is also a class: {shape})")

    def one(self, node: Node, predicate: URIRef) -> Node | None:
        values = list(self.graph.objects(node, predicate))
        if len(values) > 1:
            self.problem(f"more than one {_name(predicate)} on one shape")
        return values[0] if values else None

    def count(self, node: Node, predicate: URIRef) -> int | None:
        value = self.one(node, predicate)
        if value is None:
            return None
        if not (isinstance(value, Literal) and isinstance(value.value, int) and value.value >= 0):
            self.problem(f"{_name(predicate)} that is not a non-negative integer")
            return None
        return int(value.value)

    def items(self, node: Node) -> list[Node]:
        return list(self.graph.items(node))

    def shape(self, node: Node) -> Shape:
        if node in self.reading:
            self.problem(f"recursive shapes ({node} refers back to itself)")
            return Shape(node)
        if node in self.shapes:
            return self.shapes[node]
        self.reading.append(node)
        g = self.graph
        shape = Shape(node)
        path = self.one(node, SH.path)
        if path is not None:
            if isinstance(path, URIRef):
                shape.path = str(path)
            else:
                self.problem("sh:path that is not a predicate IRI (sequence, inverse, alternative or repeated paths)")
        shape.targets = [str(c) for c in g.objects(node, SH.targetClass)]
        shape.messages = sorted(str(m) for m in g.objects(node, SH.message))
        severity = self.one(node, SH.severity)
        shape.severity = str(severity) if severity is not None else VIOLATION
        shape.classes = list(g.objects(node, SH["class"]))
        shape.datatype = self.one(node, SH.datatype)
        if shape.datatype == rdflib.RDFS.Datatype:
            self.problem("sh:datatype rdfs:Datatype")
        shape.node_kind = self.one(node, SH.nodeKind)
        if shape.node_kind is not None and shape.node_kind not in NODE_KINDS:
            self.problem(f"sh:nodeKind {shape.node_kind}")
        in_list = self.one(node, SH["in"])
        shape.in_values = None if in_list is None else self.items(in_list)
        languages = self.one(node, SH.languageIn)
        if languages is not None:
            shape.language_in = [str(item).lower() for item in self.items(languages)]
        shape.patterns = list(g.objects(node, SH.pattern))
        flags = next(iter(g.objects(node, SH.flags)), None)
        shape.flags = str(flags) if flags is not None else ""
        shape.min_inclusive = list(g.objects(node, SH.minInclusive))
        shape.ors = [[self.shape(member) for member in self.items(o)] for o in g.objects(node, SH["or"])]
        shape.properties = [self.shape(p) for p in g.objects(node, SH.property)]
        if any(next(g.objects(p, SH.path), None) is None for p in g.objects(node, SH.property)):
            self.problem("sh:property naming a shape without sh:path")
        shape.min_count = self.count(node, SH.minCount)
        shape.max_count = self.count(node, SH.maxCount)
        shape.qualified = [self.shape(q) for q in g.objects(node, SH.qualifiedValueShape)]
        shape.qualified_min = self.count(node, SH.qualifiedMinCount)
        shape.qualified_max = self.count(node, SH.qualifiedMaxCount)
        closed = self.one(node, SH.closed)
        shape.closed = bool(closed.value) if isinstance(closed, Literal) else False
        shape.ignored = [str(i) for ignored in g.objects(node, SH.ignoredProperties) for i in self.items(ignored)]
        shape.less_than = [str(p) for p in g.objects(node, SH.lessThan)]
        shape.less_than_or_equals = [str(p) for p in g.objects(node, SH.lessThanOrEquals)]
        shape.sparql = [self.sparql(c) for c in g.objects(node, SH.sparql)]
        if path is None and (shape.min_count is not None or shape.max_count is not None or shape.qualified
                                   or shape.less_than or shape.less_than_or_equals):
            self.problem("a cardinality, qualified or property-pair constraint on a node shape")
        if shape.qualified and shape.qualified_min is None and shape.qualified_max is None:
            self.problem("sh:qualifiedValueShape without sh:qualifiedMinCount or sh:qualifiedMaxCount")
        self.reading.pop()
        self.shapes[node] = shape
        return shape

    def sparql(self, node: Node) -> SparqlConstraint:
        select = self.one(node, SH.select)
        if select is None:
            self.problem("sh:sparql without sh:select")
            select = Literal("")
        text = str(select)
        found = FORBIDDEN_IN_SPARQL.search(text)
        if found:
            self.problem(f"sh:select using {found.group(0)}")
        if len(re.findall(r"(?<![\w?$:])SELECT\b", text, re.IGNORECASE)) != 1:
            self.problem("sh:select with a nested SELECT")
        if re.search(r"(?<![\w?$:])EXISTS\b", PROLOGUE.sub("", text).partition("{")[0], re.IGNORECASE):
            self.problem("sh:select with EXISTS in its projection")
        prefixes = {"rdf": str(rdflib.RDF), "rdfs": str(rdflib.RDFS), "owl": str(rdflib.OWL)}  # as pySHACL does
        for source in self.graph.objects(node, SH.prefixes):
            for declaration in self.graph.objects(source, SH.declare):
                prefix, namespace = self.one(declaration, SH.prefix), self.one(declaration, SH.namespace)
                if prefix is not None and namespace is not None:
                    prefixes[str(prefix)] = str(namespace)
        return SparqlConstraint(text, prefixes, sorted(str(m) for m in self.graph.objects(node, SH.message)))

    def nested_only(self, shape: Shape, seen: set[Node]) -> None:
        """Constraints that only make sense reported (SPARQL, property pairs) cannot be tested inside sh:or or
        sh:qualifiedValueShape, where a value must conform without a report."""
        if shape.node in seen:
            return
        seen.add(shape.node)
        for name, present in (("sh:sparql", shape.sparql), ("sh:lessThan", shape.less_than),
                              ("sh:lessThanOrEquals", shape.less_than_or_equals)):
            if present:
                self.problem(f"{name} inside sh:or or sh:qualifiedValueShape")
        for inner in [s for members in shape.ors for s in members] + shape.properties + shape.qualified:
            self.nested_only(inner, seen)


# ---------------------------------------------------------------------------------------------------------------
# Python checks that mirror pySHACL's, called from SPARQL
# ---------------------------------------------------------------------------------------------------------------


def rdflib_term(term) -> Node:
    """The rdflib term for a pyoxigraph term, as rdflib reads it from N-Triples (a plain string has no datatype).

    >>> rdflib_term(ox.Literal("abc", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer"))).ill_typed
    True
    """
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    with _quiet_rdflib():
        if term.language:
            return Literal(term.value, lang=term.language)
        if term.datatype.value == XSD_STRING:
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(term.datatype.value))


@contextlib.contextmanager
def _quiet_rdflib() -> Iterator[None]:
    """rdflib logs a warning with a traceback for every ill-typed literal it reads; here they are expected."""
    logger = logging.getLogger("rdflib.term")
    disabled, logger.disabled = logger.disabled, True
    try:
        yield
    finally:
        logger.disabled = disabled


_TRUE = ox.Literal("true", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#boolean"))
_FALSE = ox.Literal("false", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#boolean"))


def _boolean(check: Callable[..., bool]) -> Callable:
    def function(*terms):
        try:
            return _TRUE if check(*(rdflib_term(t) for t in terms)) else _FALSE
        except Exception:  # pySHACL fails the value (or stops) where its comparison raises
            return _FALSE
    return function


def _datatype_check(datatype: URIRef) -> Callable[[Node], bool]:
    """pySHACL's sh:datatype test for a literal that has the datatype: not ill-typed, and of the Python type."""
    from datetime import date, datetime, time
    from decimal import Decimal

    xsd = rdflib.XSD
    kinds = {xsd.string: (str, bytes), rdflib.RDF.langString: (str, bytes), xsd.integer: int, xsd.float: float,
             xsd.decimal: Decimal, xsd.boolean: bool, xsd.date: date, xsd.time: time, xsd.dateTime: datetime}

    def check(value: Node) -> bool:
        if not isinstance(value, Literal) or getattr(value, "ill_typed", None) is True:
            return False
        return datatype not in kinds or isinstance(value.value, kinds[datatype])
    return check


def _pattern_check(pattern: str, flags: str) -> Callable[[Node], bool]:
    re_flags = (re.IGNORECASE if "i" in flags.lower() else 0) | (re.MULTILINE if "m" in flags.lower() else 0)
    compiled = re.compile(pattern, re_flags)

    def check(value: Node) -> bool:
        if isinstance(value, Literal) and value.value is not None and (
                value.datatype in (None, rdflib.RDF.langString, rdflib.XSD.string)):
            text = str(value.value)
        else:
            text = str(value)
        return compiled.search(text) is not None
    return check


def _min_inclusive_check(minimum: Literal) -> Callable[[Node], bool]:
    min_is_string = isinstance(minimum.value, str)

    def check(value: Node) -> bool:
        if not isinstance(value, Literal) or min_is_string != isinstance(value.value, str):
            return False
        # pySHACL's own comparison, loaded when first needed
        from pyshacl.rdfutil.compare import compare_literal

        try:
            return compare_literal(value, minimum) >= 0
        except (TypeError, NotImplementedError):
            return False
    return check


def _less_than_check(or_equal: bool) -> Callable[[Node, Node], bool]:
    def plain(term: Node):
        if isinstance(term, URIRef):
            return str(term), True
        if isinstance(term, Literal) and isinstance(term.value, str):
            return term.value, True
        return term, False

    def check(value: Node, other: Node) -> bool:
        if isinstance(value, BNode) or isinstance(other, BNode):
            return False  # pySHACL stops with an error here
        (a, a_string), (b, b_string) = plain(value), plain(other)
        if a_string != b_string:
            return False
        return bool(a <= b) if or_equal else bool(a < b)
    return check


def _in_check(members: list[Node]) -> Callable[[Node], bool]:
    allowed = set(members)
    return lambda value: value in allowed


# ---------------------------------------------------------------------------------------------------------------
# SPARQL generation
# ---------------------------------------------------------------------------------------------------------------


class _Compiler:
    def __init__(self) -> None:
        self.functions: dict[ox.NamedNode, Callable] = {}
        self.names: dict[tuple, ox.NamedNode] = {}
        self.class_sets: dict[tuple[str, ...], int] = {}
        self.counter = 0

    def var(self) -> str:
        self.counter += 1
        return f"?x{self.counter}"

    def function(self, key: tuple, make: Callable[[], Callable]) -> str:
        """The IRI of the Python function ``make()`` under ``key``, registered once."""
        if key not in self.names:
            self.names[key] = ox.NamedNode(f"{FUNCTION}{len(self.functions) + 1}")
            self.functions[self.names[key]] = make()
        return f"<{self.names[key].value}>"

    # -- tests of one value node, as SPARQL expressions that never raise an error ------------------------------

    def class_set(self, classes: list[str]) -> int:
        """The number under which the query texts name ``classes`` and their subclasses (filled in at run time)."""
        key = tuple(sorted(set(classes)))
        if key not in self.class_sets:
            self.class_sets[key] = len(self.class_sets)
        return self.class_sets[key]

    def instance_of(self, v: str, classes: list[str]) -> str:
        """SPARQL test: ``v`` is an instance of one of ``classes`` or of a subclass. A single triple pattern
        inside EXISTS, since Oxigraph plans the pattern before it knows that ``v`` is bound."""
        t = self.var()
        return f"EXISTS {{ {v} <{RDF_TYPE}> {t} FILTER({t} IN (__IN_{self.class_set(classes)}__)) }}"

    def targets(self, classes: list[str]) -> Callable[[str], str]:
        """The focus nodes of ``sh:targetClass``: the instances of the classes and of their subclasses."""
        def pattern(v: str) -> str:
            t = self.var()
            return f"VALUES {t} {{ __VALUES_{self.class_set(classes)}__ }} {v} <{RDF_TYPE}> {t} ."
        return pattern

    def datatype(self, datatype: URIRef, v: str) -> str:
        if datatype == rdflib.RDF.langString:
            return f'(isLiteral({v}) && lang({v}) != "")'
        if datatype == rdflib.XSD.string:
            return f'(isLiteral({v}) && lang({v}) = "" && sameTerm(datatype({v}), <{XSD_STRING}>))'
        if datatype == rdflib.RDFS.Literal:
            return f"isLiteral({v})"
        same = f"(isLiteral({v}) && sameTerm(datatype({v}), {datatype.n3()})"
        known = getattr(rdflib.term, "_toPythonMapping", None)  # the datatypes rdflib reads (and flags ill-typed)
        if known is not None and datatype not in known:  # any lexical form passes, as in pySHACL
            return same + ")"
        check = self.function(("datatype", datatype), lambda: _boolean(_datatype_check(datatype)))
        call = f"COALESCE({check}({v}), false)"
        safe = SAFE_LEXICAL.get(str(datatype))
        return same + (f' && IF(REGEX(STR({v}), "{safe}"), true, {call}))' if safe else f" && {call})")

    def language_in(self, languages: list[str], v: str) -> str:
        if "*" in languages:
            return f'(isLiteral({v}) && lang({v}) != "")'
        listed = ", ".join(Literal(language).n3() for language in languages)
        return (f'(isLiteral({v}) && lang({v}) != "" && (LCASE(lang({v})) IN ({listed}) || '
                f'LCASE(STRBEFORE(CONCAT(lang({v}), "-"), "-")) IN ({listed})))')

    def in_values(self, members: list[Node], v: str) -> str:
        named = [f"sameTerm({v}, {m.n3()})" for m in members if isinstance(m, URIRef)]
        literals = [m for m in members if isinstance(m, Literal)]
        if literals:
            check = self.function(("in", tuple(literals)), lambda: _boolean(_in_check(literals)))
            named.append(f"(isLiteral({v}) && COALESCE({check}({v}), false))")
        return "(" + (" || ".join(named) or "false") + ")"

    def value_tests(self, shape: Shape, v: str, nested: bool) -> list[tuple[str, str]]:
        """(component, SPARQL test) for each constraint on each value node; at the top level ``sh:property`` and
        ``sh:closed`` are reported on their own and left out."""
        tests = []
        if shape.classes:
            tests.append(("class", " && ".join(self.instance_of(v, [str(c)]) for c in shape.classes)))
        if shape.datatype is not None:
            tests.append(("datatype", self.datatype(shape.datatype, v)))
        if shape.node_kind is not None:
            tests.append(("nodeKind", NODE_KINDS[shape.node_kind].format(v=v)))
        if shape.in_values is not None:
            tests.append(("in", self.in_values(shape.in_values, v)))
        if shape.language_in is not None:
            tests.append(("languageIn", self.language_in(shape.language_in, v)))
        if shape.patterns:
            checks = [self.function(("pattern", str(p), shape.flags), lambda p=p: _boolean(_pattern_check(str(p), shape.flags)))
                      for p in shape.patterns]
            calls = [f"COALESCE({check}({v}), false)" for check in checks]
            tests.append(("pattern", f"(!isBlank({v}) && {' && '.join(calls)})"))
        if shape.min_inclusive:
            minimums = []
            for m in shape.min_inclusive:  # SPARQL's comparison when true, else pySHACL's in Python
                check = self.function(("minInclusive", m), lambda m=m: _boolean(_min_inclusive_check(m)))
                minimums.append(f"IF(COALESCE({v} >= {m.n3()}, false), true, COALESCE({check}({v}), false))")
            tests.append(("minInclusive", " && ".join(minimums)))
        if shape.ors:
            tests.append(("or", " && ".join(
                "(" + (" || ".join(self.conforms(member, v) for member in members) or "false") + ")"
                for members in shape.ors)))
        if nested:
            if shape.closed:
                p, o = self.var(), self.var()
                tests.append(("closed", f"NOT EXISTS {{ {v} {p} {o} FILTER({self.not_allowed(shape, p, o)}) }}"))
            tests += [("property", self.conforms(p, v)) for p in shape.properties]
        return tests

    def not_allowed(self, shape: Shape, p: str, o: str) -> str:
        allowed = [s.path for s in shape.properties if s.path] + shape.ignored
        listed = ", ".join(f"<{iri}>" for iri in allowed)
        return f"!({p} IN ({listed})) && !(sameTerm({p}, <{RDF_TYPE}>) && sameTerm({o}, <{RDFS_RESOURCE}>))"

    def at_least(self, v: str, path: str, count: int, condition: Callable[[str], str] | None = None) -> str:
        """SPARQL test: ``v`` has at least ``count`` different values of ``path`` (that meet ``condition``)."""
        if count <= 0:
            return "true"
        values = [self.var() for _ in range(count)]
        pattern = " ".join(f"{v} <{path}> {x} ." for x in values)
        tests = [f"!sameTerm({a}, {b})" for a, b in combinations(values, 2)]
        tests += [condition(x) for x in values] if condition else []
        return f"EXISTS {{ {pattern}{' FILTER(' + ' && '.join(tests) + ')' if tests else ''} }}"

    def count_tests(self, shape: Shape, v: str) -> list[tuple[str, str]]:
        """(component, SPARQL test that is true when ``v`` violates it) for the cardinality constraints."""
        tests, path = [], shape.path
        if shape.min_count:
            tests.append(("minCount", "!" + self.at_least(v, path, shape.min_count)))
        if shape.max_count is not None:
            tests.append(("maxCount", self.at_least(v, path, shape.max_count + 1)))
        for qualified in shape.qualified:
            def conforming(x: str, q: Shape = qualified) -> str:
                return self.conforms(q, x)
            if shape.qualified_max is not None:
                tests.append(("qualified", self.at_least(v, path, shape.qualified_max + 1, conforming)))
            if shape.qualified_min:
                tests.append(("qualified", "!" + self.at_least(v, path, shape.qualified_min, conforming)))
        return tests

    def conforms(self, shape: Shape, v: str) -> str:
        """SPARQL test: the node ``v`` conforms to ``shape`` (as a value inside sh:or or sh:qualifiedValueShape)."""
        if shape.path is None:
            parts = [test for _, test in self.value_tests(shape, v, nested=True)]
        else:
            x = self.var()
            value_tests = self.value_tests(shape, x, nested=True)
            parts = []
            if value_tests:
                failing = " && ".join(test for _, test in value_tests)
                parts.append(f"NOT EXISTS {{ {v} <{shape.path}> {x} FILTER(!({failing})) }}")
            parts += [f"!{test}" for _, test in self.count_tests(shape, v)]
        return "(" + " && ".join(parts) + ")" if parts else "true"

    # -- top-level queries --------------------------------------------------------------------------------------

    def less_than(self, kind: str, value: str, other: str) -> str:
        """SPARQL test: ``value`` < (or <=) ``other`` as pySHACL compares them (SPARQL's answer when it is true)."""
        check = self.function((kind,), lambda: _boolean(_less_than_check(kind == "lessThanOrEquals")))
        operator = "<=" if kind == "lessThanOrEquals" else "<"
        return f"IF(COALESCE({value} {operator} {other}, false), true, COALESCE({check}({value}, {other}), false))"

    def detail(self, shape: Shape, focus: Callable[[str], str]) -> Query | None:
        """The query listing each violation of ``shape``'s own constraints for the focus nodes that
        ``focus("?this")`` binds: rows of ?this, ?value, ?path and the component ?k."""
        separate = not shape.messages  # each component gives its own default message
        branches: list[str] = []
        f = focus("?this")
        if shape.path is None:
            value, walk = "?this", ""
        else:
            value, walk = "?value", f"?this <{shape.path}> ?value ."
        tests = self.value_tests(shape, value, nested=False)
        if tests and not separate:  # one message for all: one test per value node
            tests = [("value", " && ".join(test for _, test in tests))]
        bind = "BIND(?this AS ?value) " if shape.path is None else ""
        for kind, test in tests:
            branches.append(f'{{ {f} {walk} FILTER(!({test})) {bind}BIND("{kind}" AS ?k) }}')
        counts = self.count_tests(shape, "?this") if shape.path else []
        if counts and not separate:
            counts = [("count", " || ".join(test for _, test in counts))]
        for kind, test in counts:
            branches.append(f'{{ {f} FILTER({test}) BIND("{kind}" AS ?k) }}')
        if shape.closed:
            node = "?this" if shape.path is None else "?node"
            walk_node = "" if shape.path is None else f"?this <{shape.path}> ?node ."
            branches.append(f'{{ {f} {walk_node} {node} ?path ?value FILTER({self.not_allowed(shape, "?path", "?value")}) '
                            f'BIND("closed" AS ?k) }}')
        for kind, others in (("lessThan", shape.less_than), ("lessThanOrEquals", shape.less_than_or_equals)):
            for other in others:
                branches.append(f"{{ {f} {walk} ?this <{other}> ?other "
                                f'FILTER(!{self.less_than(kind, "?value", "?other")}) BIND("{kind}" AS ?k) }}')
        if not branches:
            return None
        return Query(shape, "SELECT DISTINCT ?this ?value ?path ?k WHERE {\n  " + "\n  UNION\n  ".join(branches) + "\n}")

    def fails(self, shape: Shape, v: str) -> str | None:
        """SPARQL test: the focus node ``v`` violates one of ``shape``'s own constraints (not its SHACL-SPARQL
        ones). The same answer as :meth:`detail` for one node, in fewer lookups: a property with one value
        is checked with two, where the constraints one by one take four."""
        if shape.path is None:
            tests = [test for _, test in self.value_tests(shape, v, nested=False)]
            if shape.closed:
                p, o = self.var(), self.var()
                tests.append(f"NOT EXISTS {{ {v} {p} {o} FILTER({self.not_allowed(shape, p, o)}) }}")
            return f"!({' && '.join(tests)})" if tests else None
        path, a = shape.path, self.var()
        tests = [test for _, test in self.value_tests(shape, a, nested=False)]
        if shape.closed:
            p, o = self.var(), self.var()
            tests.append(f"NOT EXISTS {{ {a} {p} {o} FILTER({self.not_allowed(shape, p, o)}) }}")
        for kind, others in (("lessThan", shape.less_than), ("lessThanOrEquals", shape.less_than_or_equals)):
            for other in others:
                w = self.var()
                tests.append(f"NOT EXISTS {{ {v} <{other}> {w} FILTER(!{self.less_than(kind, a, w)}) }}")
        passing = " && ".join(tests) or "true"
        counts = self.count_tests(shape, v)
        parts = [test for kind, test in counts if kind == "qualified"]
        if shape.max_count == 1 and (shape.min_count or 0) <= 1:
            b = self.var()
            alone = f"!EXISTS {{ {v} <{path}> {b} FILTER(!sameTerm({a}, {b})) }}"
            if shape.min_count == 1:  # exactly one value, and it passes
                parts.append(f"!EXISTS {{ {v} <{path}> {a} FILTER({passing} && {alone}) }}")
            else:  # no value that fails or has a second one beside it
                parts.append(f"EXISTS {{ {v} <{path}> {a} FILTER(!({passing}) || !{alone}) }}")
        else:
            if tests:
                parts.append(f"EXISTS {{ {v} <{path}> {a} FILTER(!({passing})) }}")
            parts += [test for kind, test in counts if kind in ("minCount", "maxCount")]
        return " || ".join(parts) or None

    def groups(self, shape: Shape, focus: Callable[[str], str]) -> list[Group]:
        """The queries for the focus nodes ``focus("?this")`` binds: one check that finds the nodes violating
        ``shape`` or (for a node shape) its property shapes, the detail queries for those nodes, and the
        SHACL-SPARQL constraints; then the same for property shapes below a property shape (their focus nodes
        are its values)."""
        members = [shape] + (shape.properties if shape.path is None else [])
        fails = [test for test in (self.fails(m, "?this") for m in members) if test]
        check = None
        if fails:
            check = f"SELECT DISTINCT ?this WHERE {{ {focus('?this')} FILTER({' || '.join(fails)}) }}"
        group = Group(check)
        for member in members:
            restricted = self.detail(member, lambda v: f"VALUES {v} {{ {FOCUS_MARK} }}")
            if restricted is not None:
                group.details.append(restricted)
                group.full.append(self.detail(member, focus))
            group.sparql += [self.sparql_query(member, constraint, focus) for constraint in member.sparql]
        found = [group]
        for member in members:
            if member.path is not None:
                for inner in member.properties:
                    found += self.groups(inner, self.values_of(member.path, focus))
        return found

    def values_of(self, path: str, focus: Callable[[str], str]) -> Callable[[str], str]:
        def pattern(v: str) -> str:
            outer = self.var()
            return f"{{ SELECT DISTINCT {v} WHERE {{ {focus(outer)} {outer} <{path}> {v} . }} }}"
        return pattern

    def sparql_query(self, shape: Shape, constraint: SparqlConstraint, focus: Callable[[str], str]) -> Query:
        text = constraint.select
        if shape.path is not None:
            text = PATH_VARIABLE.sub(lambda m: f"{m.group(1)}<{shape.path}>", text)
        prologue = PROLOGUE.match(text).group(1)
        body = text[len(prologue):] if text.startswith(prologue) else text
        head, brace, rest = body.partition("{")
        projection = re.sub(r"^\s*SELECT\s+((DISTINCT|REDUCED)\s+)?", "", head, flags=re.IGNORECASE)
        projection = re.sub(r"\bWHERE\s*$", "", projection.strip(), flags=re.IGNORECASE)
        projects_this = projection.strip() == "*" or re.search(r"[$?]this\b", projection) is not None
        if not projects_this:
            head = re.sub(r"^(\s*SELECT\s+((DISTINCT|REDUCED)\s+)?)", r"\1?this ", head, flags=re.IGNORECASE)
        prefixes = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in constraint.prefixes.items())
        # $this is bound to the focus nodes by joining them in first, the way pySHACL pre-binds it
        query = f"{prefixes}{prologue}{head}{brace} {focus('?this')}\n{rest}"
        return Query(shape, query, constraint, projects_this)


def _shapes_graph(path: Path) -> rdflib.Graph:
    """The shapes as an rdflib graph with the file's prefixes, read by pyoxigraph (ten times faster)."""
    parser = ox.parse(path=str(path), format=ox.RdfFormat.TURTLE)
    graph = rdflib.Graph()
    add = graph.add
    try:
        for quad in parser:
            add((rdflib_term(quad.subject), rdflib_term(quad.predicate), rdflib_term(quad.object)))
    except SyntaxError as exc:
        from drugkg.ontology import turtle_error

        raise turtle_error(exc, path, "SHACL shapes file") from None
    for prefix, namespace in parser.prefixes.items():
        graph.bind(prefix, namespace)
    return graph


def compile_shapes(path: Path) -> CompiledShapes:
    """Compile the shapes in the Turtle file ``path`` to SPARQL; raise UnsupportedShapes for what cannot be.

    >>> from drugkg.paths import default_shapes
    >>> len(compile_shapes(default_shapes()).groups)
    59
    """
    graph = _shapes_graph(path)
    reader = _Reader(graph)
    reader.vocabulary()
    targeted = sorted({s for s in graph.subjects(SH.targetClass)}, key=str)
    top = [reader.shape(node) for node in targeted]
    nested_seen: set[Node] = set()
    for shape in list(reader.shapes.values()):
        for inner in [s for members in shape.ors for s in members] + shape.qualified:
            reader.nested_only(inner, nested_seen)
    if reader.unsupported:
        raise UnsupportedShapes(path, sorted(reader.unsupported))
    compiler = _Compiler()
    groups = []
    for shape in top:
        groups += compiler.groups(shape, compiler.targets(shape.targets))
    class_sets = [list(key) for key, _ in sorted(compiler.class_sets.items(), key=lambda item: item[1])]
    return CompiledShapes(path, graph, groups, compiler.functions, class_sets)


# ---------------------------------------------------------------------------------------------------------------
# Running the queries and reporting as pySHACL does
# ---------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Violation:
    """One result before it becomes a ShapeResult: pyoxigraph terms, the component and SPARQL bindings."""

    shape: Shape
    kind: str
    focus: object
    value: object | None
    path: str | None
    severity: str
    messages: tuple[str, ...] = ()
    bindings: tuple[tuple[str, object], ...] = ()


def violations(store: ox.Store, compiled: CompiledShapes, graphs: list | None = None,
               two_phase: bool = True) -> list[Violation]:
    """Run the compiled queries on ``store`` over ``graphs`` (default: its default graph and the ontology graph).

    Each group's check finds the focus nodes with a violation, and the detail queries run for those nodes only
    (for all of them with ``two_phase=False``, which gives the same answer more slowly).
    """
    from drugkg.engine import ONTOLOGY_GRAPH

    # The default graph and the ontology's. When the store holds no other graph (as the build's store, before the
    # reasoner's graph is added), they are its union of all graphs, which Oxigraph answers about a sixth faster.
    dataset = {"default_graph": graphs}
    if graphs is None:
        graphs = [ox.DefaultGraph(), ONTOLOGY_GRAPH]
        dataset = {"use_default_graph_as_union": True} if list(store.named_graphs()) == [ONTOLOGY_GRAPH] \
            else {"default_graph": graphs}
    closures = _subclasses(store, compiled.class_sets, graphs)

    def fill(match: re.Match) -> str:
        return (", " if match.group(1) == "IN" else " ").join(closures[int(match.group(2))])

    def run(text: str):
        return store.query(CLASS_MARK.sub(fill, text), **dataset, custom_functions=compiled.functions)

    def group_violations(group: Group) -> list[Violation]:
        found = []
        details = group.full
        if group.check is not None and two_phase:
            failing = [row["this"] for row in run(group.check)]
            if not failing:
                details = []
            elif len(failing) <= MOST_FOCUS_NODES and all(isinstance(t, ox.NamedNode) for t in failing):
                nodes = " ".join(str(t) for t in failing)
                details = [Query(q.shape, q.text.replace(FOCUS_MARK, nodes)) for q in group.details]
        for query in details:
            for row in run(query.text):
                path = row["path"].value if row["path"] is not None else query.shape.path
                found.append(Violation(query.shape, row["k"].value, row["this"], row["value"], path,
                                       query.shape.severity, tuple(query.shape.messages)))
        for query in group.sparql:
            found += _sparql_violations(query, run(query.text))
        return found

    # the groups side by side (drugkg.parallel), their violations in the groups' order
    return [v for found in ordered_map(group_violations, compiled.groups) for v in found]


def _subclasses(store: ox.Store, class_sets: list[list[str]], graphs: list) -> list[list[str]]:
    """For each set of classes, the classes and their subclasses (rdfs:subClassOf*) in ``graphs``, as SPARQL."""
    classes = sorted({c for found in class_sets for c in found})
    below: dict[str, set[str]] = {c: {f"<{c}>"} for c in classes}
    if classes:
        query = ("SELECT ?class ?sub WHERE { VALUES ?class { " + " ".join(f"<{c}>" for c in classes) + " } "
                 "?sub <http://www.w3.org/2000/01/rdf-schema#subClassOf>* ?class FILTER(isIRI(?sub)) }")
        for row in store.query(query, default_graph=graphs):
            below[row["class"].value].add(str(row["sub"]))  # str() gives <iri>, as SPARQL reads it
    return [sorted({sub for c in found for sub in below[c]}) for found in class_sets]


def _sparql_violations(query: Query, solutions) -> list[Violation]:
    """pySHACL's reading of a SHACL-SPARQL result row: ``?failure``, or ``$this``, ``?path`` and ``?value``."""
    shape, names = query.shape, [v.value for v in solutions.variables]
    messages = tuple(query.sparql.messages) + tuple(shape.messages)
    found, failed = [], set()
    for row in solutions:
        bound = {name: row[name] for name in names if row[name] is not None}
        focus = bound["this"]
        if not query.projects_this:
            bound.pop("this")
        node_value = focus if shape.path is None else None
        if bound.pop("failure", None) is not None:
            if focus not in failed:
                failed.add(focus)
                found.append(Violation(shape, "sparql", focus, node_value, shape.path, shape.severity, messages,
                                       tuple(sorted(bound.items()))))
            continue
        path, value, this = bound.pop("path", None), bound.pop("value", None), bound.pop("this", None)
        if path is None and value is None and this is None:
            continue
        value = value if value is not None else node_value
        substitutions = dict(bound)
        for name, term in (("this", this), ("path", path), ("value", value)):
            if term is not None:
                substitutions[name] = term
        path_iri = path.value if isinstance(path, ox.NamedNode) else (None if path is not None else shape.path)
        found.append(Violation(shape, "sparql", focus, value, path_iri, shape.severity, messages,
                               tuple(substitutions.items())))
    return found


def validate_store(store: ox.Store, compiled: CompiledShapes, ntriples: str | Callable[[], str] | None = None,
                   ontology: Path | None = None, graphs: list | None = None,
                   two_phase: bool = True) -> list[ShapeResult]:
    """Validate the graph in ``store`` against the compiled shapes: pySHACL's results, sorted and without repeats.

    ``ntriples`` (the data as loaded) gives literal values in their written form; ``ontology`` (its prefixes) the
    default messages of shapes without ``sh:message``, as pySHACL words them. ``graphs`` and ``two_phase`` are
    passed to :func:`violations`.
    """
    with _quiet_rdflib():
        found = violations(store, compiled, graphs, two_phase)
        text = ntriples() if callable(ntriples) and found else ntriples  # a function: read only when needed
        written = _written_forms(found, text) if found and text else {}
        messages = _Messages(compiled.graph, ontology)
        results = set()
        for v in found:
            values = written.get((v.focus.value, v.path, v.value), [v.value]) if v.value is not None else [None]
            for value in values:
                results.add(ShapeResult(
                    focus=v.focus.value,
                    shape=v.shape.iri,
                    message=messages.text(v, value),
                    path=v.path or "",
                    value="" if value is None else value_text(value),
                ))
    return sorted(results)


def value_text(term) -> str:
    """A value as pySHACL reports it: an IRI, or a literal's lexical form as rdflib normalises it.

    >>> value_text(ox.Literal("+01", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")))
    '1'
    """
    if isinstance(term, ox.Literal) and (term.language or term.datatype.value == XSD_STRING):
        return term.value
    return str(rdflib_term(term))


def _written_forms(found: list[Violation], ntriples: str) -> dict[tuple, list]:
    """For typed literal values (which the store may hold in canonical form) the literals of the same focus node
    and path as written in ``ntriples``, grouped by the term the store made of them."""
    wanted = {(v.focus.value, v.path) for v in found
              if isinstance(v.value, ox.Literal) and v.path and not v.value.language
              and v.value.datatype.value != XSD_STRING and isinstance(v.focus, ox.NamedNode)}
    if not wanted:
        return {}
    lines = []
    if len(wanted) <= 32:
        for focus, path in wanted:
            start = f"<{focus}> <{path}> "
            at = ntriples.find(start)
            while at != -1:
                if at == 0 or ntriples[at - 1] == "\n":
                    end = ntriples.find("\n", at)
                    lines.append(ntriples[at:end if end != -1 else None])
                at = ntriples.find(start, at + 1)
    else:
        starts = tuple(f"<{focus}> <{path}> " for focus, path in wanted)
        lines = [line for line in ntriples.splitlines() if line.startswith(starts)]
    canonical = ox.Store()
    forms: dict[tuple, list] = {}
    for quad in ox.parse("\n".join(lines).encode("utf-8"), format=ox.RdfFormat.N_TRIPLES):
        if not isinstance(quad.object, ox.Literal):
            continue
        canonical.add(ox.Quad(quad.subject, quad.predicate, quad.object))
        stored = next(iter(canonical.quads_for_pattern(quad.subject, quad.predicate, None))).object
        canonical.remove(ox.Quad(quad.subject, quad.predicate, stored))
        forms.setdefault((quad.subject.value, quad.predicate.value, stored), []).append(quad.object)
    return forms


class _Messages:
    """Result messages as pySHACL gives them: the shape's sh:message, or the component's default text."""

    def __init__(self, shapes: rdflib.Graph, ontology: Path | None):
        self.shapes = shapes
        self.ontology = ontology
        self._data: rdflib.Graph | None = None

    def text(self, v: Violation, value) -> str:
        if v.messages:
            message = v.messages[0]
            if v.kind == "sparql":
                for name, term in v.bindings:
                    message = re.sub(f"{{[?$]{name}}}", value_text(value if name == "value" and value is not None else term), message)
            return message
        if v.kind == "sparql":
            return DEFAULT_MESSAGE
        return self.default(v, value)

    def data(self) -> rdflib.Graph:
        """A graph with the prefixes of pySHACL's data graph: rdflib's defaults, then the ontology's."""
        if self._data is None:
            graph = rdflib.Graph()
            if self.ontology is not None:
                ontology = rdflib.Graph().parse(self.ontology, format="turtle")
                known = {prefix for prefix, _ in graph.namespaces()}
                for prefix, namespace in ontology.namespaces():
                    if prefix not in known:
                        graph.bind(prefix, namespace)
            self._data = graph
        return self._data

    def default(self, v: Violation, value) -> str:
        from pyshacl.rdfutil import stringify_node

        sg, node = self.shapes, v.shape.node

        def shape_text(term: Node) -> str:
            return stringify_node(sg, term)

        def data_text(term) -> str:
            term = rdflib_term(term)
            try:
                return stringify_node(self.data(), term)
            except (LookupError, ValueError):
                return str(term)

        def listed(predicate: URIRef) -> list[Node]:
            return list(sg.objects(node, predicate))

        kind = v.kind
        if kind == "class":
            classes = listed(SH["class"])
            if len(classes) < 2:
                return f"Value does not have class {shape_text(classes[0])}"
            return "Value class is not in classes ({})".format(", ".join(shape_text(c) for c in classes))
        if kind == "datatype":
            return f"Value is not Literal with datatype {shape_text(listed(SH.datatype)[0])}"
        if kind == "nodeKind":
            return f"Value is not of Node Kind {shape_text(listed(SH.nodeKind)[0])}"
        if kind in ("minCount", "maxCount"):
            count = listed(SH[kind])[0].value
            words = "Less than" if kind == "minCount" else "More than"
            return f"{words} {count} values on {data_text(v.focus)}->{shape_text(URIRef(v.shape.path))}"
        if kind == "in":
            members = [shape_text(m) for m in set(sg.items(listed(SH["in"])[0]))]
            return f"Value {data_text(value)} not in list {members}"
        if kind == "languageIn":
            return f"String language is not in {shape_text(listed(SH.languageIn)[0])}"
        if kind == "pattern":
            patterns = listed(SH.pattern)
            if len(patterns) < 2:
                return f"Value does not match pattern '{patterns[0].value}'"
            return "Value does not match every pattern in ('{}')".format("', '".join(str(p.value) for p in patterns))
        if kind == "minInclusive":
            minimums = listed(SH.minInclusive)
            if len(minimums) < 2:
                return f"Value is not >= {shape_text(minimums[0])}"
            return "Value is not >= in ({})".format(", ".join(shape_text(m) for m in minimums))
        if kind in ("lessThan", "lessThanOrEquals"):
            others = set(listed(SH[kind]))
            sign = "<=" if kind == "lessThan" else "<"
            rules = ", ".join(shape_text(p) for p in others)
            return f"Value of {data_text(v.focus)}->{rules} {sign} {data_text(value)}"
        if kind == "or":
            lists = listed(SH["or"])
            if len(lists) < 2:
                text = " , ".join(shape_text(member) for member in sg.items(lists[0]))
            else:
                text = " and ".join("({})".format(" , ".join(shape_text(m) for m in sg.items(o))) for o in lists)
            return f"Node {data_text(value)} must conform to one or more shapes in {text}"
        if kind == "qualified":
            shapes = listed(SH.qualifiedValueShape)
            counts = "".join(f" {name} {c}" for name, c in (("MinCount", v.shape.qualified_min),
                                                              ("MaxCount", v.shape.qualified_max)) if c is not None)
            text = ",".join(shape_text(s) for s in set(shapes))
            return (f"Focus node does not conform to shapes{counts}: ({text})" if len(shapes) > 1
                    else f"Focus node does not conform to shape{counts}: {text}")
        if kind == "closed":
            return f"Node {data_text(v.focus)} is closed. It cannot have value: {data_text(value)}"
        raise AssertionError(f"no default message for {kind}")
