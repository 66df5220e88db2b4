"""The curated data against its sources: section headings sit on the lines the data says, facts are
paraphrased (never pasted), and every external identifier comes from ../shared/identifiers.md."""

from __future__ import annotations

import re

import pytest

from drugkg.reader import data_files, read_yaml
from tests.conftest import DATA, SEEDS, SHARED

# Fields holding prose; names, labels and titles are allowed to repeat the source's wording.
PROSE_FIELDS = {"reason", "action", "mechanism", "purpose", "rationale", "result", "topic", "context", "description",
                "note", "condition", "intent", "scope", "setting", "dose_basis", "timing", "mitigation", "value",
                "result_interpretation"}
PASTE_WORDS = 8  # this many consecutive words shared with a source counts as a pasted sentence


def _records():
    for path in data_files(DATA):
        parsed, errors = read_yaml(path)
        assert not errors, errors
        for kind, items in parsed.content.items():
            if isinstance(items, list):
                for item in items:
                    yield kind, item


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower().replace("’", "'"))


def _strings(value, key=None):
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _strings(v, k)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v, key)
    elif isinstance(value, str):
        yield key, value


def test_seed_documents_are_present():
    """The sources are part of every checkout's surroundings (../shared/seeds); without them nothing is traceable."""
    assert SEEDS.is_dir(), f"{SEEDS} is missing: the source documents must sit beside the checkout"


def test_sections_point_at_their_headings():
    problems = []
    for kind, record in _records():
        if kind != "document":
            continue
        lines = (SEEDS / record["file"]).read_text(encoding="utf-8").splitlines()
        for section in record["sections"]:
            heading = lines[section["line"] - 1].strip() if section["line"] <= len(lines) else ""
            if heading != section["title"].strip():
                problems.append(f"{record['id']}#{section['id']}: line {section['line']} is {heading!r}, not {section['title']!r}")
    assert problems == []


def test_facts_are_paraphrased_not_pasted():
    grams = set()
    for seed in SEEDS.glob("*.txt"):
        words = _words(seed.read_text(encoding="utf-8"))
        grams |= {tuple(words[i:i + PASTE_WORDS]) for i in range(len(words) - PASTE_WORDS + 1)}
    pasted = []
    for _, record in _records():
        for key, text in _strings(record):
            if key not in PROSE_FIELDS:
                continue
            words = _words(text)
            if any(tuple(words[i:i + PASTE_WORDS]) in grams for i in range(len(words) - PASTE_WORDS + 1)):
                pasted.append(f"{record.get('id')}.{key}: {text}")
    assert pasted == []


def _entity_xrefs():
    """(entity id, CURIE, local part, confidence) for every external identifier in the data."""
    for kind, record in _records():
        if kind == "entity":
            for xref in record.get("xrefs", []):
                yield record["id"], xref["id"], xref["id"].split(":", 1)[1], xref["confidence"]


@pytest.fixture(scope="module")
def identifiers_text() -> str:
    return (SHARED / "identifiers.md").read_text(encoding="utf-8")


def test_identifiers_come_from_the_verified_list(identifiers_text):
    assert [f"{e}: {curie}" for e, curie, local, _ in _entity_xrefs() if local not in identifiers_text] == []


def test_likely_identifiers_are_marked_likely(identifiers_text):
    """An id that identifiers.md rates only 'likely' (in every table row whose ID cell holds it) is not 'verified'."""
    rows = [[c.strip() for c in line.split("|")[1:-1]] for line in identifiers_text.splitlines() if line.startswith("|")]
    wrongly_verified = []
    for entity, curie, local, confidence in _entity_xrefs():
        pattern = rf"(?<![\w.-]){re.escape(local)}(?![\w-])"
        ratings = [" ".join(row) for row in rows if len(row) > 4 and re.search(pattern, " ".join(row[:3]))]
        if confidence == "verified" and ratings and all("verified" not in r for r in ratings):
            wrongly_verified.append(f"{entity}: {curie}")
    assert wrongly_verified == []
