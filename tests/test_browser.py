"""A real browser on the served pages: Debian's Chromium driven by Playwright (never ``playwright install``).

It opens the Hemgenix page, saves a screenshot, follows the links from the product to its gene, checks the diagrams
of Hemgenix's and a label product's neighbourhoods and their text alternatives, and the chart of the dataset
statistics, and drives the query page's YASGUI: runs a saved query, types one whose answer is numeric and charts it,
and shows a refusal. The pictures and the query page log no console error (a script error, or anything the security
policy refuses). Every request the pages make must go to the local server (no CDN, nothing external).
"""

from __future__ import annotations

import hashlib
import re
import shutil
import urllib.parse
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.servers import require_or_skip
from tests.test_pictures import TRIAMINIC, golden, hemgenix_edges, label_product_edges
from tests.test_queries import GOLDEN, SAVED

CHROMIUM = Path("/usr/bin/chromium")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SCREENSHOTS = ROOT / "dist" / "screenshots"  # a copy for people to look at; the build never writes there


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    """A fresh Chromium profile in a temporary folder, headless, with the flags that keep it off the network."""
    if not CHROMIUM.is_file():
        require_or_skip("Chromium", "apt-get install chromium (.ci/run does)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        require_or_skip("Playwright", "pip install -e '.[test]' installs it")
    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile), executable_path=str(CHROMIUM), headless=True, args=FLAGS,
            viewport={"width": 1280, "height": 900},
        )
        yield context
        context.close()


def _tab(browser, server):
    """A new tab that records every URL it requests and every error on its console (a script error, or anything the
    security policy refuses); on closing, every request must have gone to ``server``."""
    tab = browser.new_page()
    tab.requested, tab.errors = [], []
    tab.on("request", lambda request: tab.requested.append(request.url))
    tab.on("console", lambda message: tab.errors.append(message.text) if message.type == "error" else None)
    yield tab
    assert tab.requested, "the page made no request"
    assert all(url.startswith(server.url) for url in tab.requested), [u for u in tab.requested if not u.startswith(server.url)]
    tab.close()


@pytest.fixture
def page(browser, served):
    """A new tab on the Hemgenix graph's server (see :func:`_tab`)."""
    yield from _tab(browser, served)


@pytest.fixture
def labels_page(browser, served_labels):
    """A new tab on the server of the graph built with the shared labels (see :func:`_tab`)."""
    yield from _tab(browser, served_labels)


def test_hemgenix_page_and_the_links_to_its_gene(page, served, tmp_path):
    page.goto(served.url + "id/hemgenix")
    assert page.locator("#resource-label").inner_text() == "Hemgenix"
    assert page.title() == "Hemgenix · drugkg"
    types = page.locator("#resource-types").inner_text()
    assert "drug product" in types and "AAV gene therapy (inferred by the reasoner)" in types
    brand = page.locator("#statements tr", has_text="brand name")
    # the section and the line the claim cites, and that line quoted from the document (hemgenix-monograph.txt:5)
    assert "Hemgenix drug monograph › Drug Overview (line 5) · claim\n5 - US Brand Names: Hemgenix" in brand.inner_text()

    screenshot = tmp_path / "hemgenix.png"
    page.screenshot(path=str(screenshot), full_page=False)
    data = screenshot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 10_000
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(screenshot, SCREENSHOTS / "hemgenix.png")

    # product -> active substance (the construct) -> its transgene -> the gene it encodes
    for text, path in (("etranacogene dezaparvovec", "id/etranacogene-dezaparvovec"),
                       ("Hemgenix factor IX (Padua) transgene", "id/fix-padua-transgene"),
                       ("F9", "resource?iri=" + urllib.parse.quote("https://identifiers.org/hgnc:3551", safe=""))):
        page.locator("#statements").get_by_role("link", name=text, exact=True).click()
        page.wait_for_url(served.url + path)
    assert page.locator("#resource-label").inner_text() == "F9"
    assert "gene" in page.locator("#resource-types").inner_text()
    assert page.locator("#resource-iri").inner_text() == "https://identifiers.org/hgnc:3551"


# The pixels a canvas shows, counted over every canvas in an element (Cytoscape.js draws on several layers)
PAINTED = """(selector) => [...document.querySelectorAll(selector + ' canvas')].reduce((sum, canvas) => {
  const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  let painted = 0;
  for (let i = 3; i < pixels.length; i += 4) if (pixels[i] > 0) painted++;
  return sum + painted;
}, 0)"""


def check_diagram(page, expected: list[str], screenshot: Path) -> None:
    """The diagram is drawn (a canvas with thousands of painted pixels, one node per end of an edge, no console
    error) and its text alternative, the list the diagram names with aria-describedby, states exactly ``expected``."""
    page.wait_for_function("window.drugkgDiagram !== undefined")
    assert page.locator("#diagram canvas").count() > 0
    assert page.evaluate(PAINTED, "#diagram") > 2_000
    assert page.locator("#diagram").get_attribute("aria-describedby") == "diagram-edges"
    assert sorted(page.locator("#diagram-edges li").all_inner_texts()) == expected
    assert page.evaluate("window.drugkgDiagram.edges().length") == len(expected)
    page.locator("#neighbourhood").screenshot(path=str(screenshot))
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(screenshot, SCREENSHOTS / screenshot.name)
    assert page.errors == []  # nothing refused by the page's security policy (Cytoscape's own style sheet), no error


def test_hemgenix_page_draws_its_neighbourhood(page, served, tmp_path):
    page.goto(served.url + "id/hemgenix")
    check_diagram(page, hemgenix_edges(), tmp_path / "hemgenix-diagram.png")
    assert "cut" not in page.locator("#diagram-caption").inner_text()
    # a node is a link: the construct's opens its page
    position = page.evaluate("""() => {
      const node = window.drugkgDiagram.nodes().filter((n) => n.data('label') === 'etranacogene dezaparvovec')[0];
      const box = document.getElementById('diagram').getBoundingClientRect();
      return [box.left + node.renderedPosition('x'), box.top + node.renderedPosition('y')];
    }""")
    page.mouse.click(*position)
    page.wait_for_url(served.url + "id/etranacogene-dezaparvovec")


def test_label_product_page_draws_its_ingredients_and_packages(labels_page, served_labels, tmp_path):
    labels_page.goto(served_labels.url + f"id/ndc/{TRIAMINIC}")
    check_diagram(labels_page, label_product_edges(TRIAMINIC), tmp_path / "label-product-diagram.png")


def test_dataset_statistics_page_charts_every_count(page, served, tmp_path):
    page.goto(served.url + "queries/dataset-statistics")
    page.wait_for_selector(".drugkg-chart canvas")
    caption = page.locator(".drugkg-chart figcaption").inner_text()
    assert caption == page.locator(".drugkg-chart canvas").get_attribute("aria-label")
    # the triples' count is thousands of times the smallest: the scale is logarithmic, and the caption says so
    assert caption.startswith("Bar chart of count by statistic. ") and caption.endswith(". The scale is logarithmic.")
    bars = caption.removeprefix("Bar chart of count by statistic. ").removesuffix(". The scale is logarithmic.").split("; ")
    assert sorted(tuple(bar.rsplit(": ", 1)) for bar in bars) == sorted(
        (r["statistic"], r["count"]) for r in golden("dataset-statistics"))
    assert page.evaluate(PAINTED, ".drugkg-chart") > 2_000
    assert page.evaluate("window.drugkgChart.data.datasets[0].data.length") == len(bars)
    assert page.evaluate("window.drugkgChart.options.scales.x.type") == "logarithmic"
    page.screenshot(path=str(tmp_path / "statistics-chart.png"), full_page=True)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(tmp_path / "statistics-chart.png", SCREENSHOTS / "statistics-chart.png")
    assert page.errors == []


def run(page) -> None:
    """Run the query in YASGUI's editor, as its run button does."""
    page.locator(".yasqe_queryButton").click()


def test_query_page_is_yasgui_and_runs_a_saved_query(page, served, tmp_path):
    page.goto(served.url + "query")
    page.select_option("#saved-query", "gene-therapies-by-serotype")
    assert page.evaluate("window.drugkgYasgui.getTab().getQuery()") == SAVED["gene-therapies-by-serotype"].bind({})
    assert page.evaluate("window.drugkgYasgui.getTab().getEndpoint()") == served.url + "sparql"
    run(page)
    page.wait_for_selector(".yasr_results table.dataTable tbody tr")
    golden = (GOLDEN / "gene-therapies-by-serotype.tsv").read_text(encoding="utf-8").splitlines()
    headers = page.locator(".yasr_results table.dataTable thead th").all_inner_texts()
    assert headers[1:] == [name.lstrip("?") for name in golden[0].split("\t")]  # the first column numbers the rows
    rows = page.locator(".yasr_results table.dataTable tbody tr")
    assert rows.count() == len(golden) - 1
    cells = rows.first.locator("td").all_inner_texts()
    assert cells[headers.index("product")] == "id:hemgenix"  # shortened with the graph's prefixes, preset
    assert page.locator(".yasr_response_chip").inner_text().startswith("1 result in ")
    page.screenshot(path=str(tmp_path / "query.png"))
    assert page.errors == []  # nothing refused by the page's security policy, no script error


def test_query_page_charts_a_numeric_answer_with_a_text_alternative(page, served, tmp_path):
    page.goto(served.url + "query")
    page.locator(".yasqe .CodeMirror").click()
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    query = ("SELECT ?claimClass (COUNT(?claim) AS ?claims) WHERE { ?claim a ?claimClass . "
             "?claimClass rdfs:subClassOf dkg:Claim } GROUP BY ?claimClass ORDER BY ?claimClass")
    page.keyboard.type(query)
    # the graph's prefixes are preset: typing one declares it
    assert page.evaluate("window.drugkgYasgui.getTab().getQuery()") == (
        "PREFIX dkg: <https://w3id.org/drugkg/ontology#>\nPREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n" + query)
    page.keyboard.press("Control+Enter")
    page.wait_for_selector(".yasr_results table.dataTable tbody tr")
    page.locator(".yasr .select_chart").click()
    page.wait_for_selector(".drugkg-chart canvas")
    caption = page.locator(".drugkg-chart figcaption").inner_text()
    rows = page.locator(".drugkg-chart canvas").get_attribute("aria-label")
    assert caption == rows and caption.startswith("Bar chart of claims by claimClass. ")
    # the claim classes counted in dataset-statistics, each a bar in the words of the caption
    golden = (GOLDEN / "dataset-statistics.tsv").read_text(encoding="utf-8").splitlines()
    counted = [line.split("\t") for line in golden if line.startswith('"claims: ')]
    assert caption.count(": ") == len(counted)
    for name, count in counted:
        label = "".join(w.capitalize() for w in name.strip('"').removeprefix("claims: ").replace("-", " ").split())
        assert f"dkg:{label}: {count}" in caption, (label, caption)
    drawn = page.evaluate("document.querySelector('.drugkg-chart canvas').toDataURL().length")
    assert drawn > 5_000  # the canvas holds a picture, not a blank
    page.screenshot(path=str(tmp_path / "chart.png"), full_page=True)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(tmp_path / "chart.png", SCREENSHOTS / "query-chart.png")


def test_query_page_shows_the_servers_refusal(page, served):
    page.goto(served.url + "query")
    page.locator(".yasqe .CodeMirror").click()
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.keyboard.type("SELECT ?s WHERE { ?s ?p }")
    run(page)
    message = page.get_by_text("SPARQL syntax error: error at 1:26: expected one of LATERAL, SERVICE, [_]")
    message.wait_for()
    assert page.locator(".yasr_results table.dataTable").count() == 0


def test_the_vendored_libraries_are_the_listed_files():
    """drugkg/static/vendor/README.md lists each file copied from npm with its SHA-256: a change is deliberate."""
    vendor = ROOT / "drugkg" / "static" / "vendor"
    listed = dict(re.findall(r"\| `([a-z/.]+)` \| `([0-9a-f]{64})` \|", (vendor / "README.md").read_text(encoding="utf-8")))
    files = {p.relative_to(vendor).as_posix() for p in vendor.rglob("*") if p.suffix in (".js", ".css")}
    assert sorted(listed) == sorted(files)
    for name, digest in listed.items():
        assert hashlib.sha256((vendor / name).read_bytes()).hexdigest() == digest, name
