"""Read YAML data files strictly, keeping the line of every mapping, key and list item.

Duplicate keys are errors (PyYAML silently keeps the last one; we do not). Parsing uses libyaml when it is
available, which matters once the data grows to thousands of drugs, and the values are built straight from the
parsed nodes, falling back to PyYAML's own constructors for anything beyond plain YAML (see :func:`_load`).
"""

from __future__ import annotations

import functools
import os
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from drugkg.errors import DataError

_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class LineDict(dict):
    """A mapping that remembers its own line and the line of each key (1-based)."""

    line: int = 0
    key_lines: dict

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, self.line)


class LineList(list):
    """A sequence that remembers its own line and the line of each item (1-based)."""

    line: int = 0
    item_lines: list

    def line_of(self, index: int) -> int:
        return self.item_lines[index] if index < len(self.item_lines) else self.line


class _Loader(_BaseLoader):
    """SafeLoader whose mappings and sequences carry line numbers; duplicate keys are collected as errors."""

    def __init__(self, stream):
        super().__init__(stream)
        self.duplicates: list[tuple[int, str]] = []

    def resolve(self, kind, value, implicit):
        """The tag of an untagged node, as SafeLoader resolves it, only faster: a plain scalar whose first
        character starts no implicit type is a string without trying the resolvers' regular expressions (most
        values in the data are such strings)."""
        if not _PLAIN_RESOLVERS:
            return super().resolve(kind, value, implicit)
        if kind is yaml.ScalarNode:
            if implicit[0] and value and value[0] not in _TYPED_STARTS:
                return _STR_TAG
            return super().resolve(kind, value, implicit)
        return _SEQ_TAG if kind is yaml.SequenceNode else _MAP_TAG  # as without path resolvers


_STR_TAG = "tag:yaml.org,2002:str"
_MAP_TAG = yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG
_SEQ_TAG = yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG
# Scalar tags built by PyYAML's own constructors in the fast path; any other tag takes the full path.
_SCALAR_TAGS = frozenset(
    f"tag:yaml.org,2002:{kind}" for kind in ("bool", "float", "int", "null", "timestamp")
)
# First characters for which an implicit resolver exists. The shortcuts hold while there is no resolver for
# any first character (key None) and no path resolver, as in SafeLoader.
_TYPED_STARTS = frozenset(_Loader.yaml_implicit_resolvers)
_PLAIN_RESOLVERS = None not in _TYPED_STARTS and not _Loader.yaml_path_resolvers


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> LineDict:
    loader.flatten_mapping(node)
    result = LineDict()
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        line = key_node.start_mark.line + 1
        if not isinstance(key, str):
            key = str(key)
        if key in result.key_lines:
            loader.duplicates.append((line, key))
            continue
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[key] = line
    return result


def _construct_sequence(loader: _Loader, node: yaml.SequenceNode) -> LineList:
    result = LineList(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    result.item_lines = [child.start_mark.line + 1 for child in node.value]
    return result


def _construct_timestamp(loader: _Loader, node: yaml.ScalarNode) -> str:
    """Keep dates as text: the validator checks them and reports an impossible one as a data error."""
    return loader.construct_scalar(node)


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_Loader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


class _Unusual(Exception):
    """Raised by the fast constructor on YAML it leaves to PyYAML's constructors: explicit tags, merge keys,
    complex keys, recursive aliases and anything PyYAML reports as an error."""


_PENDING = object()  # marks a collection whose construction has started (an alias to it is recursive)


class _FastConstructor:
    """Builds the same values as ``loader.construct_document(node)`` for the plain YAML the data uses,
    straight from the nodes (PyYAML's generic construction costs about as much as parsing); raises _Unusual
    otherwise."""

    def __init__(self, loader: _Loader):
        self.loader = loader
        self.scalars = {tag: loader.yaml_constructors[tag] for tag in _SCALAR_TAGS}
        self.built: dict[int, object] = {}  # id(node) -> value, so that aliases share one object as in PyYAML

    def build(self, node: yaml.Node) -> object:
        kind = type(node)
        if kind is yaml.ScalarNode:
            if node.tag == _STR_TAG:
                return node.value
            constructor = self.scalars.get(node.tag)
            if constructor is None:
                raise _Unusual(node.tag)
            return constructor(self.loader, node)
        ident = id(node)
        done = self.built.get(ident)
        if done is not None:
            if done is _PENDING:
                raise _Unusual("recursive alias")
            return done
        self.built[ident] = _PENDING
        if kind is yaml.SequenceNode and node.tag == _SEQ_TAG:
            result = self.sequence(node.value)
        elif kind is yaml.MappingNode and node.tag == _MAP_TAG:
            result = self.mapping(node.value)
        else:
            raise _Unusual(node.tag)
        result.line = node.start_mark.line + 1
        self.built[ident] = result
        return result

    def sequence(self, items: list[yaml.Node]) -> LineList:
        build, scalar = self.build, yaml.ScalarNode
        # strings, the most common items, are taken here: a call per item costs as much as the rest
        result = LineList(
            [item.value if type(item) is scalar and item.tag == _STR_TAG else build(item) for item in items]
        )
        result.item_lines = [child.start_mark.line + 1 for child in items]
        return result

    def mapping(self, pairs: list[tuple[yaml.Node, yaml.Node]]) -> LineDict:
        build, duplicates = self.build, self.loader.duplicates
        result = LineDict()
        key_lines = result.key_lines = {}
        for key_node, value_node in pairs:
            if type(key_node) is not yaml.ScalarNode:
                raise _Unusual("complex key")
            if key_node.tag == _STR_TAG:
                key = key_node.value
            elif key_node.tag in self.scalars:
                key = str(build(key_node))
            else:
                raise _Unusual(key_node.tag)  # merge keys (<<), value keys (=), explicit tags
            line = key_node.start_mark.line + 1
            if key in key_lines:
                duplicates.append((line, key))
                continue
            if type(value_node) is yaml.ScalarNode and value_node.tag == _STR_TAG:
                result[key] = value_node.value
            else:
                result[key] = build(value_node)
            key_lines[key] = line
        return result


def _load(text: str) -> tuple[object, list[tuple[int, str]]]:
    """The content of one YAML document and its repeated keys; raise yaml.YAMLError on bad YAML.

    The fast constructor handles the plain YAML of the data; on anything else the document is read again with
    PyYAML's constructors, so results and errors are exactly theirs.
    """
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, []
        try:
            return _FastConstructor(loader).build(node), loader.duplicates
        except (_Unusual, yaml.YAMLError):
            pass
    finally:
        loader.dispose()
    loader = _Loader(text)
    try:
        return loader.get_single_data(), loader.duplicates
    finally:
        loader.dispose()


@dataclass
class ParsedFile:
    path: str  # as shown in messages: relative to the working directory when possible
    content: object
    duplicates: list[tuple[int, str]]  # (line, key) of every repeated key; reported with their record
    # What bounds the file's text values, so that their checks (drugkg.schema.text_problems) can skip most files:
    # YAML refuses control characters written raw, so only a backslash escape in a double-quoted string can make
    # one, and no value is longer than the file's text.
    has_backslash: bool = True
    length: int = 0


def display_path(path: Path) -> str:
    """The path as messages show it: relative to the working directory when it lies below it."""
    try:
        return str(path.resolve().relative_to(_resolved_dir(os.getcwd())))
    except ValueError:
        return str(path)


@functools.lru_cache(maxsize=16)
def _resolved_dir(folder: str) -> Path:
    """``Path(folder).resolve()``, remembered: messages name thousands of files relative to one folder."""
    return Path(folder).resolve()


def read_yaml(path: Path) -> tuple[ParsedFile | None, list[DataError]]:
    """Parse one YAML file; return its content (None if unreadable) and the errors found."""
    shown = display_path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return None, [DataError(shown, 1, "-", f"cannot read the file: {exc}", "make it a readable UTF-8 text file")]
    try:
        content, duplicates = _load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        problem = exc.problem or exc.context or "unreadable YAML"
        if exc.context and exc.context_mark and exc.problem:
            problem += f" ({exc.context} at line {exc.context_mark.line + 1})"
        return None, [DataError(shown, line, "-", f"YAML syntax error: {problem}", "fix the YAML syntax at this line")]
    except yaml.YAMLError as exc:
        return None, [DataError(shown, 1, "-", f"YAML error: {exc}", "fix the YAML syntax")]
    return ParsedFile(shown, content, duplicates, "\\" in text, len(text)), []


# A superset of the ids a file can declare: every run of lower-case letters and digits joined by single hyphens.
_ID_WORD = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


@dataclass(frozen=True)
class UnreadFile:
    """A data file that could not be read or parsed, and what it may have declared.

    Its records are missing from the run, so a reference to one of them would be reported as undeclared: a
    consequence of the one error that stopped the file, not an error of its own. ``words`` holds every word of
    the file's text that could be an id (None when even the text could not be read: then it may declare any).

    >>> UnreadFile("a.yaml", 3, frozenset({"monograph"})).may_declare("monograph")
    True
    """

    path: str  # as shown in messages
    line: int  # the line of the error that stopped it
    words: frozenset[str] | None

    def may_declare(self, ident: str) -> bool:
        return self.words is None or ident in self.words


def unread_file(path: Path, error: DataError) -> UnreadFile:
    """What :func:`read_yaml` could not read, given the error it reported for ``path``."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return UnreadFile(error.file, error.line, None)
    return UnreadFile(error.file, error.line, frozenset(_ID_WORD.findall(text)))


def data_files(data_dir: Path) -> list[Path]:
    """All ``*.yaml``/``*.yml`` files below ``data_dir``, in a stable order."""
    return sorted(p for p in data_dir.rglob("*") if p.suffix in {".yaml", ".yml"} and p.is_file())
