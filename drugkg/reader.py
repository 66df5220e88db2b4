"""Read YAML data files strictly, keeping the line of every mapping, key and list item.

Duplicate keys are errors (PyYAML silently keeps the last one; we do not). Parsing uses libyaml when it is
available, which matters once the data grows to thousands of drugs.
"""

from __future__ import annotations

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


@dataclass
class ParsedFile:
    path: str  # as shown in messages: relative to the working directory when possible
    content: object
    duplicates: list[tuple[int, str]]  # (line, key) of every repeated key; reported with their record


def display_path(path: Path) -> str:
    """The path as messages show it: relative to the working directory when it lies below it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def read_yaml(path: Path) -> tuple[ParsedFile | None, list[DataError]]:
    """Parse one YAML file; return its content (None if unreadable) and the errors found."""
    shown = display_path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return None, [DataError(shown, 1, "-", f"cannot read the file: {exc}", "make it a readable UTF-8 text file")]
    loader = _Loader(text)
    try:
        content = loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        problem = exc.problem or exc.context or "unreadable YAML"
        if exc.context and exc.context_mark and exc.problem:
            problem += f" ({exc.context} at line {exc.context_mark.line + 1})"
        return None, [DataError(shown, line, "-", f"YAML syntax error: {problem}", "fix the YAML syntax at this line")]
    except yaml.YAMLError as exc:
        return None, [DataError(shown, 1, "-", f"YAML error: {exc}", "fix the YAML syntax")]
    finally:
        loader.dispose()
    return ParsedFile(shown, content, loader.duplicates), []


def data_files(data_dir: Path) -> list[Path]:
    """All ``*.yaml``/``*.yml`` files below ``data_dir``, in a stable order."""
    return sorted(p for p in data_dir.rglob("*") if p.suffix in {".yaml", ".yml"} and p.is_file())
