"""Dumps for harvesters (issue "Fit the ecosystem", item 5), with a raw HTTP client against the real ``drugkg serve``:
every published file and its gzip copy can be downloaded, the VoID/DCAT description links them (void:dataDump,
dcat:downloadURL, dcat:accessURL, IANA media-type IRIs, size and SHA-256) and the SPARQL endpoint, and it is found at
``/.well-known/void``.
"""

from __future__ import annotations

import gzip
import hashlib
import urllib.parse

import pyoxigraph as ox
import pytest

from drugkg.cli import main
from drugkg.kgx import KGX_FILES
from tests.servers import start_drugkg
from tests.test_server import raw

VOID = "http://rdfs.org/ns/void#"
DCAT = "http://www.w3.org/ns/dcat#"
DCTERMS = "http://purl.org/dc/terms/"
SPDX = "http://spdx.org/rdf/terms#"
IANA = "https://www.iana.org/assignments/media-types/"
FILES = {"drugkg.ttl": ox.RdfFormat.TURTLE, "drugkg.nt": ox.RdfFormat.N_TRIPLES, "drugkg.jsonld": ox.RdfFormat.JSON_LD,
         "drugkg.rdf": ox.RdfFormat.RDF_XML, "drugkg-ontology.ttl": ox.RdfFormat.TURTLE,
         "inferred.ttl": ox.RdfFormat.TURTLE}
# the KGX nodes and edges and their prefixes' JSON-LD context, as each format is served
KGX = {name: {"tsv": "text/tab-separated-values", "jsonl": "application/jsonl", "jsonld": "application/ld+json"}[fmt]
       for name, (_, fmt) in KGX_FILES.items()}


def description(server, path: str = "/void") -> ox.Store:
    status, _, body = raw(server, "GET", path, {"Accept": "text/turtle"})
    assert status == 200
    store = ox.Store()
    store.load(body, format=ox.RdfFormat.TURTLE)
    return store


def objects(store: ox.Store, subject, predicate: str) -> list:
    subject = subject if isinstance(subject, ox.NamedNode) else ox.NamedNode(subject)
    return sorted((q.object for q in store.quads_for_pattern(subject, ox.NamedNode(predicate), None, None)), key=str)


def test_the_description_is_at_the_well_known_path_too(served):
    assert set(description(served, "/.well-known/void")) == set(description(served))


def test_the_description_names_the_endpoint_and_every_dump(served):
    void = description(served)
    (dataset,) = {q.subject for q in void.quads_for_pattern(None, ox.NamedNode(VOID + "uriSpace"), None, None)}
    site = served.url.rstrip("/")
    assert objects(void, dataset, VOID + "sparqlEndpoint") == [ox.NamedNode(site + "/sparql")]
    dumps = [f"{site}/download/drugkg.{ext}{gz}" for ext in ("jsonld", "nt", "rdf", "ttl") for gz in ("", ".gz")]
    assert {d.value for d in objects(void, dataset, VOID + "dataDump")} == set(dumps)
    (service,) = objects(void, dataset, DCAT + "accessService")
    assert objects(void, service, DCAT + "endpointURL") == [ox.NamedNode(site + "/sparql")]
    titles = {objects(void, d, DCTERMS + "title")[0].value: d for d in objects(void, dataset, DCAT + "distribution")}
    assert sorted(titles) == sorted([*FILES, *KGX, *(f"{name}.gz" for name in [*FILES, *KGX])])
    for title, dist in titles.items():
        url = ox.NamedNode(f"{site}/download/{title}")
        assert objects(void, dist, DCAT + "downloadURL") == objects(void, dist, DCAT + "accessURL") == [url]
        if title.removesuffix(".gz").endswith(".jsonl"):  # JSON Lines: no IANA media type, so said in words
            assert objects(void, dist, DCAT + "mediaType") == []
            assert objects(void, dist, DCTERMS + "format") == [ox.Literal("application/jsonl (not registered with IANA)")]
            continue
        (media,) = objects(void, dist, DCAT + "mediaType")
        assert isinstance(media, ox.NamedNode) and media.value.startswith(IANA)  # an IRI, not a string


@pytest.mark.parametrize("name", sorted(FILES))
def test_every_file_downloads_as_published_with_its_size_and_checksum(name, served, built):
    status, headers, body = raw(served, "GET", f"/download/{name}")
    assert status == 200 and body == (built.out / name).read_bytes()
    assert headers["Content-Disposition"] == f'attachment; filename="{name}"'
    graph = ox.Store()
    graph.load(body, format=FILES[name])  # parses back in its own format
    void = description(served)
    dist = f"https://w3id.org/drugkg/id/drugkg/distribution/{name}"
    (media,) = objects(void, dist, DCAT + "mediaType")
    assert headers["Content-Type"].split(";")[0] == media.value.removeprefix(IANA)
    assert objects(void, dist, DCAT + "byteSize") == [ox.Literal(str(len(body)), datatype=ox.NamedNode(
        "http://www.w3.org/2001/XMLSchema#integer"))]
    (checksum,) = objects(void, dist, SPDX + "checksum")
    assert objects(void, checksum, SPDX + "algorithm") == [ox.NamedNode(SPDX + "checksumAlgorithm_sha256")]
    assert objects(void, checksum, SPDX + "checksumValue")[0].value == hashlib.sha256(body).hexdigest()


@pytest.mark.parametrize("name", ["drugkg.nt", "drugkg.ttl"])
def test_a_gzip_copy_decompresses_to_the_file(name, served, built):
    status, headers, body = raw(served, "GET", f"/download/{name}.gz")
    assert (status, headers["Content-Type"]) == (200, "application/gzip")
    assert "Content-Encoding" not in headers  # a gzip file, not a gzip-encoded answer
    assert gzip.decompress(body) == (built.out / name).read_bytes()


@pytest.mark.parametrize("path", ["/download/store", "/download/void.ttl.gz.gz", "/download/..%2Fvoid.ttl",
                                  "/download/%2e%2e/drugkg.nt", "/download/drugkg.NT", "/download"])
def test_nothing_else_downloads(path, served):
    status, _, body = raw(served, "GET", path, {"Accept": "text/plain"})
    assert status == 404, (path, body)


def test_a_bad_public_url_is_refused_and_a_good_one_is_used(built, tmp_path, capsys):
    assert main(["serve", "--store", str(built.out), "--public-url", "ftp://example.org"]) == 2
    assert "--public-url 'ftp://example.org' is not an http(s) URL" in capsys.readouterr().err
    server = start_drugkg(tmp_path, built.out, "--public-url", "https://drugkg.example.org/")
    try:
        void = description(server)
        endpoints = {q.object.value for q in void.quads_for_pattern(None, ox.NamedNode(VOID + "sparqlEndpoint"), None, None)}
        assert endpoints == {"https://drugkg.example.org/sparql"}
    finally:
        server.stop()


def test_the_void_page_links_each_download(served):
    status, _, body = raw(served, "GET", "/void", {"Accept": "text/html"})
    page = body.decode("utf-8")
    assert status == 200
    for name in FILES:
        assert f'<a href="/download/{urllib.parse.quote(name)}">{name}</a>' in page
        assert f'<a href="/download/{urllib.parse.quote(name)}.gz">{name}.gz</a>' in page


@pytest.mark.parametrize("name", sorted(KGX))
def test_the_kgx_files_download_too(name, served, built):
    status, headers, body = raw(served, "GET", f"/download/{name}")
    assert (status, headers["Content-Type"].split(";")[0]) == (200, KGX[name])
    assert body == (built.out / name).read_bytes()
