"""The YAML reader's fast path (values built straight from libyaml's nodes) gives exactly what PyYAML's own
constructors give: the same values, types, lines of mappings, keys and list items, repeated keys and errors, on
tricky snippets (where it hands over to PyYAML) and on every data file."""

from __future__ import annotations

import pytest
import yaml

from drugkg.reader import _load, _Loader, data_files
from tests.conftest import ROOT


def pyyaml(text: str):
    """The old way: PyYAML's constructors (with the reader's own mapping, sequence and timestamp ones)."""
    loader = _Loader(text)
    try:
        return loader.get_single_data(), loader.duplicates
    finally:
        loader.dispose()


def snapshot(value):
    """The value with every line the reader keeps, and the type of every scalar."""
    if isinstance(value, dict):
        return ("map", getattr(value, "line", None), dict(getattr(value, "key_lines", {})),
                [(k, snapshot(v)) for k, v in value.items()])
    if isinstance(value, list):
        return ("seq", getattr(value, "line", None), list(getattr(value, "item_lines", [])), [snapshot(v) for v in value])
    return (type(value).__name__, repr(value))


def outcome(load, text: str):
    try:
        value, duplicates = load(text)
    except yaml.YAMLError as exc:
        return ("error", type(exc).__name__, str(exc))
    return snapshot(value), duplicates


SNIPPETS = [
    "a: 1\nb: 1.5\nc: true\nd: null\ne: ~\nf: 2022-01-01\ng: 2022-13-45\nh: 0x1F\ni: 1_000\nj: .inf\nk: -.5\nl: yes\n",
    "a: 1\na: 2\nb: {x: 1, x: 2}\n",
    "- a\n- b: &x {q: 1}\n- c: *x\n",
    "base: &b {a: 1, b: 2}\nd:\n  <<: *b\n  c: 3\n",
    "a: {<<: [{x: 1}, {y: 2}]}\n",
    "a: !!binary aGVsbG8=\n",
    "a: !!set {x, y}\n",
    "a: !foo bar\n",
    "a: &r [*r]\n",
    "? [a, b]\n: 1\n",
    "1: a\ntrue: b\nnull: c\n2020-01-01: d\n",
    "a: !!str 1\nb: !!int '3'\nc: !!float 1\n",
    "a: '1'\nb: \"true\"\nc: Yes\nd: Off\n",
    "",
    "# a comment only\n",
    "---\na: 1\n---\nb: 2\n",
    "a: [1, 2\n",
    "a: b: c\n",
    "a: *missing\n",
    "x: &a 1\ny: *a\nz: *a\n",
    "a: [&s {x: 1}, *s]\n",
    "a: 0o17\nb: 0b101\nc: 1:30\nd: 1e3\ne: 1.0e+3\nf: .nan\ng: -.inf\nh: +1\n",
    "foo: |\n  multi\n  line\nbar: >\n  folded\n  text\n",
    "y: 2001-12-14t21:59:43.10-05:00\n",
    "s: [a, b, a]\nt: {}\nu: []\n- - - 1\n",
]


@pytest.mark.parametrize("text", SNIPPETS)
def test_fast_path_equals_pyyaml_on_tricky_yaml(text):
    assert outcome(_load, text) == outcome(pyyaml, text)


def test_fast_path_equals_pyyaml_on_every_data_file():
    files = data_files(ROOT / "data")
    assert len(files) > 10
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert outcome(_load, text) == outcome(pyyaml, text), path
