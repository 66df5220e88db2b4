"""The server quotes a claim's cited lines from the document's file only when the file is the one the build
checked (its SHA-256), and reads only plain file names inside its documents folder (drugkg/server/quotes.py)."""

from __future__ import annotations

import hashlib

from drugkg.server.quotes import Quotes

TEXT = "Heading\nThe first fact: 54 people.\nThe second fact.\n"


def page_citing(file: str, digest: str, lines: list[int]) -> dict:
    source = {"claim": "https://example.org/id/c", "section": "https://example.org/id/doc/s", "lines": lines}
    return {"sections": {source["section"]: {"file": file, "sha256": digest}},
            "statements": [{"values": [{"sources": [source]}]}]}


def quoted(page: dict):
    return page["statements"][0]["values"][0]["sources"][0].get("quote")


def test_the_cited_lines_are_quoted_from_the_checked_file(tmp_path):
    (tmp_path / "doc.txt").write_text(TEXT, encoding="utf-8")
    page = page_citing("doc.txt", hashlib.sha256(TEXT.encode()).hexdigest(), [2, 3, 9])
    Quotes(tmp_path).add(page)
    assert quoted(page) == [(2, "The first fact: 54 people."), (3, "The second fact.")]  # 9 is past the end


def test_a_changed_file_a_missing_folder_or_a_path_is_not_quoted(tmp_path):
    (tmp_path / "doc.txt").write_text(TEXT, encoding="utf-8")
    (tmp_path / "inner").mkdir()
    (tmp_path / "inner" / "doc.txt").write_text(TEXT, encoding="utf-8")
    digest = hashlib.sha256(TEXT.encode()).hexdigest()
    for folder, file, sha in ((tmp_path, "doc.txt", "0" * 64), (tmp_path / "nowhere", "doc.txt", digest),
                              (None, "doc.txt", digest), (tmp_path / "inner", "../doc.txt", digest),
                              (tmp_path, "inner/doc.txt", digest), (tmp_path, "doc.txt", None)):
        page = page_citing(file, sha, [2])
        Quotes(folder).add(page)
        assert quoted(page) is None, (folder, file, sha)
