"""Compression and validators over HTTP (issue "Fit the ecosystem", item 4), with a raw HTTP client against the real
``drugkg serve`` process (the ``served`` fixture): answers are gzip-, Brotli- or Zstandard-encoded when the client
accepts it and decode to the same bytes; successful GETs carry ETag, Last-Modified and Cache-Control; a conditional
request that matches gets 304 with no body.
"""

from __future__ import annotations

import email.utils
import gzip
import json
import urllib.parse

import brotli
import pytest
import zstandard

from tests.test_server import raw  # the request exactly as sent, the answer as received (no decoding)

# no blank node: their labels differ from one answer to the next (a weak tag allows that; a byte comparison does not)
QUERY = "SELECT ?s ?p ?o WHERE { ?s ?p ?o FILTER(isIRI(?s) && !isBlank(?o)) } ORDER BY ?s ?p ?o LIMIT 1000"
SPARQL_GET = "/sparql?" + urllib.parse.urlencode({"query": QUERY})
DECODE = {"gzip": gzip.decompress, "br": brotli.decompress,
          "zstd": lambda body: zstandard.ZstdDecompressor().decompressobj().decompress(body)}


@pytest.mark.parametrize("encoding", ["gzip", "br", "zstd"])
def test_a_large_answer_is_compressed_when_the_client_accepts_it(served, encoding):
    status, plain_headers, plain = raw(served, "GET", SPARQL_GET, {"Accept": "application/sparql-results+json"})
    assert status == 200 and "content-encoding" not in plain_headers
    assert len(json.loads(plain)["results"]["bindings"]) == 1000
    status, headers, body = raw(served, "GET", SPARQL_GET, {"Accept": "application/sparql-results+json",
                                                                "Accept-Encoding": encoding})
    assert (status, headers["content-encoding"]) == (200, encoding)
    assert "accept-encoding" in headers["vary"].lower() and "accept" in headers["vary"].lower()
    assert DECODE[encoding](body) == plain
    assert len(body) * 5 < len(plain)  # measured at 2,000 rows: 485 KB plain, 32 KB gzip, 26 KB br, 29 KB zstd
    assert headers["etag"] == plain_headers["etag"]  # a weak tag: the same representation, whatever its encoding


@pytest.mark.parametrize(("path", "accept"), [
    (SPARQL_GET, "text/tab-separated-values"),
    ("/id/hemgenix", "text/turtle"),
    ("/id/hemgenix", "text/html"),
    ("/void", "text/turtle"),
    ("/queries/adverse-events", "application/sparql-results+json"),
])
def test_successful_gets_carry_validators_and_a_matching_request_gets_304(served, path, accept):
    status, headers, body = raw(served, "GET", path, {"Accept": accept})
    assert status == 200 and body
    tag, modified = headers["etag"], headers["last-modified"]
    assert tag.startswith('W/"') and headers["cache-control"] == "no-cache"
    assert email.utils.parsedate_to_datetime(modified).tzinfo is not None
    for method in ("GET", "HEAD"):
        status, again, body = raw(served, method, path, {"Accept": accept, "If-None-Match": tag,
                                                             "Origin": "https://yasgui.example"})
        assert (status, body, again["etag"], again["last-modified"]) == (304, b"", tag, modified)
        assert again["access-control-allow-origin"] == "*" and again["cache-control"] == "no-cache"
        assert "content-length" not in again or again["content-length"] == "0"
    status, _, body = raw(served, "GET", path, {"Accept": accept, "If-Modified-Since": modified})
    assert (status, body) == (304, b"")
    earlier = email.utils.formatdate(email.utils.parsedate_to_datetime(modified).timestamp() - 1, usegmt=True)
    assert raw(served, "GET", path, {"Accept": accept, "If-Modified-Since": earlier})[0] == 200
    # If-None-Match wins over If-Modified-Since: another tag means the client's copy is another one
    status, _, body = raw(served, "GET", path, {"Accept": accept, "If-None-Match": 'W/"other"',
                                                    "If-Modified-Since": modified})
    assert status == 200 and body


def test_each_representation_has_its_own_tag(served):
    tags = {accept: raw(served, "GET", "/id/hemgenix", {"Accept": accept})[1]["etag"]
            for accept in ("text/turtle", "application/n-triples", "text/html")}
    assert len(set(tags.values())) == 3
    status, _, body = raw(served, "GET", "/id/hemgenix", {"Accept": "application/n-triples",
                                                              "If-None-Match": tags["text/turtle"]})
    assert status == 200 and body  # the Turtle copy's tag does not validate the N-Triples answer


def test_errors_and_posts_get_no_validators(served):
    status, headers, _ = raw(served, "GET", "/id/no-such-thing", {"Accept": "text/turtle", "If-None-Match": "*"})
    assert status == 404 and "etag" not in headers  # never a 304 for what does not exist
    form = urllib.parse.urlencode({"query": QUERY}).encode()
    status, headers, _ = raw(served, "POST", "/sparql", {"Content-Type": "application/x-www-form-urlencoded"}, form)
    assert status == 200 and "etag" not in headers and "last-modified" not in headers


def test_an_unreadable_if_modified_since_is_ignored(served):
    status, _, body = raw(served, "GET", "/void", {"If-Modified-Since": "yesterday"})
    assert status == 200 and body
