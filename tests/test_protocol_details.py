"""HTTP details (issue "Fit the ecosystem", item 6): Link headers name a resource's alternate formats and its
dataset, and ``SELECT *`` answers list their columns in the order the variables appear in the query (the engine
sorts them by name), over HTTP with SPARQLWrapper and a raw client, and from ``drugkg query``.
"""

from __future__ import annotations

import re
import urllib.parse

import pytest
from SPARQLWrapper import JSON, SPARQLWrapper

from drugkg.cli import main
from tests.test_server import raw

STAR = "SELECT * WHERE { ?subject ?predicate ?object . BIND(STRLEN(STR(?object)) AS ?length) } LIMIT 3"
COLUMNS = ["subject", "predicate", "object", "length"]  # as they appear; the engine alone gives length, object, ...


def links(header: str) -> list[tuple[str, dict[str, str]]]:
    """A Link header as (target, {parameter: value}) pairs."""
    found = []
    for target, params in re.findall(r"<([^>]*)>((?:\s*;\s*[a-z]+=\"[^\"]*\")*)", header):
        found.append((target, dict(re.findall(r'([a-z]+)="([^"]*)"', params))))
    return found


@pytest.mark.parametrize("accept", ["text/html", "text/turtle"])
def test_a_resource_links_its_alternate_formats_and_its_dataset(served, accept):
    status, headers, _ = raw(served, "GET", "/id/hemgenix", {"Accept": accept})
    found = links(headers["Link"])
    assert status == 200
    alternates = {params["type"]: target for target, params in found if params.get("rel") == "alternate"}
    assert alternates == {kind: f"/id/hemgenix?format={name}" for name, kind in (
        ("ttl", "text/turtle"), ("nt", "application/n-triples"), ("jsonld", "application/ld+json"),
        ("rdf", "application/rdf+xml"), ("html", "text/html"))}
    assert ("/void", {"rel": "http://rdfs.org/ns/void#inDataset"}) in found
    for kind, target in alternates.items():  # each one answers in the type it names
        status, answer, _ = raw(served, "GET", target)
        assert (status, answer["Content-Type"].split(";")[0]) == (200, kind)


def test_links_keep_the_resource_iri_of_an_external_resource(served):
    iri = "http://purl.obolibrary.org/obo/MONDO_0010604"
    status, headers, _ = raw(served, "GET", "/resource?" + urllib.parse.urlencode({"iri": iri}), {"Accept": "text/turtle"})
    targets = [target for target, params in links(headers["Link"]) if params.get("type") == "application/n-triples"]
    assert status == 200 and targets == ["/resource?" + urllib.parse.urlencode({"iri": iri, "format": "nt"})]


def test_select_star_columns_come_in_query_order_over_http(served):
    client = SPARQLWrapper(served.url + "sparql")
    client.setQuery(STAR)
    client.setReturnFormat(JSON)
    assert client.query().convert()["head"]["vars"] == COLUMNS
    status, _, body = raw(served, "GET", "/sparql?" + urllib.parse.urlencode({"query": STAR}),
                          {"Accept": "text/tab-separated-values"})
    assert (status, body.decode("utf-8").splitlines()[0]) == (200, "\t".join(f"?{c}" for c in COLUMNS))
    status, _, body = raw(served, "GET", "/sparql?" + urllib.parse.urlencode({"query": STAR}), {"Accept": "text/csv"})
    assert body.decode("utf-8").splitlines()[0] == ",".join(COLUMNS)


def test_select_star_columns_come_in_query_order_from_the_command_line(built, capsysbinary, tmp_path):
    query = tmp_path / "star.rq"
    query.write_text(STAR, encoding="utf-8")
    assert main(["query", "--file", str(query), "--store", str(built.out), "--format", "tsv"]) == 0
    assert capsysbinary.readouterr().out.decode("utf-8").splitlines()[0] == "\t".join(f"?{c}" for c in COLUMNS)
