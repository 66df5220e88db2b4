"""Saved queries as parsed before, kept between runs (drugkg.parsed_queries): the same queries as parsing afresh,
an edited text never matched to its old form, and a cache that cannot be read or written never in the way."""

from __future__ import annotations

import marshal
import os
import subprocess
import sys

from drugkg import parsed_queries
from drugkg.parsed_queries import ParsedQueries
from drugkg.queries import catalogue, parse_query
from tests.conftest import QUERIES, ROOT

LISTING = """
import contextlib, io, sys
from drugkg.cli import main
out = io.StringIO()
with contextlib.redirect_stdout(out):
    code = main(["queries", "--verbose"])
print(code, "yaml" in sys.modules)
print(out.getvalue(), end="")
"""
TEXT = """#+ summary: Which drugs?
#+ tags: [product]
#+ defaults:
#+   - drug: https://w3id.org/drugkg/id/hemgenix
SELECT ?x WHERE { ?_drug_iri ?p ?x . OPTIONAL { ?x ?q ?__band } }
"""


def listing(cache: str) -> tuple[str, str]:
    done = subprocess.run([sys.executable, "-c", LISTING], cwd=ROOT, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "DRUGKG_CACHE_DIR": cache})
    assert done.stderr == ""
    first, _, rest = done.stdout.partition("\n")
    return first, rest


def test_a_second_process_lists_the_same_queries_without_parsing_them(tmp_path):
    fresh = listing("")  # nothing kept: every header parsed
    assert fresh[0] == "0 True"
    assert listing(str(tmp_path)) == fresh  # parsed, and kept
    (kept,) = tmp_path.glob("saved-queries-*.marshal")
    assert listing(str(tmp_path)) == ("0 False", fresh[1])  # read back: PyYAML not even imported
    assert len(marshal.loads(kept.read_bytes())) == len(catalogue(QUERIES))


def test_what_is_read_back_equals_what_is_parsed(tmp_path, monkeypatch):
    monkeypatch.setenv("DRUGKG_CACHE_DIR", str(tmp_path))
    first = ParsedQueries()
    monkeypatch.setattr("drugkg.queries._PARSED", first)
    parsed = parse_query("q", TEXT)
    first.flush()
    again = ParsedQueries()
    monkeypatch.setattr("drugkg.queries._PARSED", again)
    assert again.get(TEXT) is not None
    assert parse_query("q", TEXT) == parsed
    assert (parsed.summary, parsed.tags, parsed.defaults) == ("Which drugs?", ("product",),
                                                             {"drug": "https://w3id.org/drugkg/id/hemgenix"})
    assert [(p.name, p.required, p.kind) for p in parsed.parameters] == [("drug", True, "iri"), ("band", False, "plain")]


def test_an_edited_text_is_parsed_afresh(tmp_path, monkeypatch):
    monkeypatch.setenv("DRUGKG_CACHE_DIR", str(tmp_path))
    cache = ParsedQueries()
    cache.put(TEXT, ("old", "", (), {}, ()))
    cache.flush()
    later = ParsedQueries()
    assert later.get(TEXT) == ("old", "", (), {}, ())
    assert later.get(TEXT.replace("?__band", "?__grade")) is None


def test_a_damaged_cache_is_ignored_and_replaced(tmp_path, monkeypatch):
    monkeypatch.setenv("DRUGKG_CACHE_DIR", str(tmp_path))
    path = parsed_queries.cache_file()
    path.write_bytes(b"\x00not marshal")
    cache = ParsedQueries()
    assert cache.get(TEXT) is None
    cache.put(TEXT, ("s", "", (), {}, ()))
    cache.flush()
    assert marshal.loads(path.read_bytes()) == {TEXT: ("s", "", (), {}, ())}


def test_a_cache_that_cannot_be_written_is_not_kept(tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("DRUGKG_CACHE_DIR", str(blocker / "cache"))
    cache = ParsedQueries()
    cache.put(TEXT, ("s", "", (), {}, ()))
    cache.flush()  # no error
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file"]
    assert listing(str(blocker / "cache"))[0] == "0 True"


def test_files_an_older_parser_wrote_are_removed_and_the_latest_texts_kept(tmp_path, monkeypatch):
    monkeypatch.setenv("DRUGKG_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(parsed_queries, "LIMIT", 3)
    stale = tmp_path / "saved-queries-cpython-39-1-2.marshal"
    stale.write_bytes(marshal.dumps({}))
    first = ParsedQueries()
    for n in range(2):
        first.put(f"text {n}", (str(n),))
    first.flush()
    second = ParsedQueries()
    for n in range(2, 4):
        second.put(f"text {n}", (str(n),))
    second.flush()
    assert [p.name for p in tmp_path.iterdir()] == [parsed_queries.cache_file().name]
    assert marshal.loads(parsed_queries.cache_file().read_bytes()) == {f"text {n}": (str(n),) for n in (1, 2, 3)}
