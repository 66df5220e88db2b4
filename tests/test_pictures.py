"""The pictures on the pages, without a browser: the data of a drug product's diagram (the worker job
``neighbourhood``) and its text alternative in the HTML, and the chart data on the dataset statistics' page.

The expected edges are read off the golden answers of the saved queries (gene-therapy-construct, indications,
adverse-events, label-products, label-ingredients, label-packages), never off the diagram's own output;
``tests/test_browser.py`` checks the same edges on the drawn pages.
"""

from __future__ import annotations

import html
import json
import re

from drugkg.server import work
from tests.test_queries import GOLDEN
from tests.test_server import fetch

BASE = "https://w3id.org/drugkg/id/"
# The construct's parts in the gene-therapy-construct answer (?component) and the ontology's label of the property
# each is reached by (ontology/drugkg.ttl: dkg:hasActiveSubstance "has active substance", ...)
COMPONENT_VERBS = {"gene therapy construct": "has active substance", "vector": "has vector",
                   "vector serotype": "has serotype", "transgene": "has transgene", "gene": "encodes gene",
                   "promoter": "has promoter", "target cell type": "targets cell type", "target organ": "targets organ"}
TRIAMINIC = "0067-6344"  # a label product with active and inactive ingredients and nested packages


def lexical(cell: str) -> str:
    """A golden TSV cell's value: an IRI without its brackets, a literal without its quotes, language or datatype.

    >>> lexical('"5"^^<http://www.w3.org/2001/XMLSchema#decimal>'), lexical('"F9"@en'), lexical("<http://e.org/a>")
    ('5', 'F9', 'http://e.org/a')
    """
    if cell.startswith("<"):
        return cell[1:-1]
    if cell.startswith('"'):
        return re.sub(r'"(@[\w-]+|\^\^<[^>]*>)?$', "", cell[1:])
    return cell


def golden(name: str) -> list[dict[str, str]]:
    """The rows of a saved query's golden answer, each {variable: lexical value} (unbound cells left out)."""
    head, *lines = (GOLDEN / f"{name}.tsv").read_text(encoding="utf-8").splitlines()
    names = [v.lstrip("?") for v in head.split("\t")]
    return [{n: lexical(c) for n, c in zip(names, line.split("\t"), strict=True) if c} for line in lines]


def hemgenix_edges() -> list[str]:
    """What Hemgenix's diagram states, as sentences: its construct's parts, its indication's disease and its adverse
    events, from the golden answers."""
    parts = [f"{r['subjectLabel']} {COMPONENT_VERBS[r['component']]} {r['valueLabel']}"
             for r in golden("gene-therapy-construct") if r["component"] in COMPONENT_VERBS]
    diseases = sorted({r["diseaseLabel"] for r in golden("indications")})
    events = sorted({r["eventLabel"] for r in golden("adverse-events")})
    return sorted([*parts, *(f"Hemgenix is indicated for {d}" for d in diseases),
                   *(f"Hemgenix has adverse event {e}" for e in events)])


def label_product_edges(ndc: str) -> list[str]:
    """What a label product's diagram states: its active substances, its ingredients with their strengths, and the
    packages that hold it (an outer package, described "OUTER > INNER", contains the inner one, which contains the
    product), from the golden answers; the product is named as the label model names it (docs/label-model.md:
    "NAME (DOSAGE FORM), NDC ndc")."""
    product = next(r for r in golden("label-products") if r.get("ndc") == ndc)
    name = f"{product['name']} ({product['dosageForm']}), NDC {ndc}"
    edges = []
    for r in golden("label-ingredients"):
        if r.get("ndc") != ndc:
            continue
        strength = ""
        if "numeratorValue" in r:
            strength = f" ({r['numeratorValue']} {r['numeratorUnit']} per {r['denominatorValue']} {r['denominatorUnit']})"
        edges.append(f"{name} has {r['role']} ingredient {r['substance']}{strength}")
        if r["role"] == "active":
            edges.append(f"{name} has active substance {r['substance']}")
    for r in golden("label-packages"):
        if r.get("ndc") != ndc:
            continue
        outer, *inner = r["description"].split(" > ")
        assert len(inner) <= 1, "a package nested three deep: extend this reading"
        if inner:
            edges.append(f"{r['description']} contains {inner[0]}")
        edges.append(f"{inner[0] if inner else r['description']} contains {name}")
    return sorted(edges)


def test_hemgenix_neighbourhood_has_exactly_its_edges(built):
    diagram = work.neighbourhood(built.store, BASE + "hemgenix")
    assert sorted(e["sentence"] for e in diagram["edges"]) == hemgenix_edges()
    assert diagram["truncated"] is False
    assert diagram["nodes"][0] == {"id": BASE + "hemgenix", "label": "Hemgenix", "kind": "product", "page": True}
    ends = {n for e in diagram["edges"] for n in (e["source"], e["target"])}
    assert ends == {n["id"] for n in diagram["nodes"]}  # every node is on an edge, every edge's ends are nodes
    kinds = {n["label"]: n["kind"] for n in diagram["nodes"]}
    assert (kinds["adeno-associated virus serotype 5"], kinds["hemophilia B"], kinds["headache"]) == (
        "construct", "disease", "adverse-event")


def test_the_neighbourhood_is_cut_at_the_cap_and_says_so(built):
    diagram = work.neighbourhood(built.store, BASE + "hemgenix", cap=5)
    assert len(diagram["nodes"]) == 5 and diagram["truncated"] is True
    # the construct comes first: its edges are kept before the indications' and the adverse events'
    assert [e["sentence"] for e in diagram["edges"]] == sorted(hemgenix_edges(), key=lambda s: not s.startswith(
        ("Hemgenix has active", "etranacogene")))[:4]


def test_only_drug_products_have_a_neighbourhood(built):
    assert work.neighbourhood(built.store, BASE + "hepatocyte-missing") is None
    assert work.neighbourhood(built.store, BASE + "mono-indication-hemophilia-b") is None


def _html(server, path: str) -> str:
    status, _, body = fetch(server.url + path.lstrip("/"), headers={"Accept": "text/html"})
    assert status == 200, body
    return body.decode("utf-8")


def _json_in(page_html: str, element_id: str):
    found = re.search(rf'<script type="application/json" id="{element_id}">(.*?)</script>', page_html, re.S)
    return json.loads(found.group(1))  # tojson escapes <, >, & and ' as \\u00XX: no entities


def _edges_on(page_html: str) -> list[str]:
    listed = re.search(r'<ul id="diagram-edges">(.*?)</ul>', page_html, re.S).group(1)
    return sorted(html.unescape(item) for item in re.findall(r"<li>(.*?)</li>", listed))


def test_hemgenix_page_carries_the_diagram_and_its_text_alternative(served):
    text = _html(served, "/id/hemgenix")
    assert 'aria-describedby="diagram-edges"' in text
    assert _edges_on(text) == hemgenix_edges()
    data = _json_in(text, "diagram-data")
    hrefs = {n["label"]: n["href"] for n in data["nodes"]}
    assert hrefs["etranacogene dezaparvovec"] == "/id/etranacogene-dezaparvovec"
    assert hrefs["F9"] == "/resource?iri=https%3A%2F%2Fidentifiers.org%2Fhgnc%3A3551"
    assert '<script src="/static/vendor/cytoscape/cytoscape.min.js"></script>' in text
    # no diagram on a page that is not a drug product's
    assert "diagram-data" not in _html(served, "/id/etranacogene-dezaparvovec")


def test_label_product_page_lists_its_ingredients_and_packages(served_labels):
    assert _edges_on(_html(served_labels, f"/id/ndc/{TRIAMINIC}")) == label_product_edges(TRIAMINIC)


def test_statistics_pages_carry_their_answer_for_the_chart(served):
    text = _html(served, "/queries/dataset-statistics")
    data = _json_in(text, "chart-data")
    assert data["variables"] == ["statistic", "count"]
    assert sorted([c["value"] for c in row] for row in data["rows"]) == sorted(
        [r["statistic"], r["count"]] for r in golden("dataset-statistics"))
    assert '<script src="/static/saved-query-chart.js"></script>' in text
    assert "chart-data" not in _html(served, "/queries/indications")  # not a statistics query
    assert "chart-data" not in _html(served, "/queries/units")  # statistics, but four columns: no single count
