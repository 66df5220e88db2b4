"""A real browser on the served pages: Debian's Chromium driven by Playwright (never ``playwright install``).

It opens the Hemgenix page, saves a screenshot, follows the links from the product to its gene, and runs a saved
query from the query page. Every request the pages make must go to the local server (no CDN, nothing external).
"""

from __future__ import annotations

import shutil
import urllib.parse
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.servers import require_or_skip
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


@pytest.fixture
def page(browser, served):
    """A new tab that records every URL it requests."""
    tab = browser.new_page()
    tab.requested = []
    tab.on("request", lambda request: tab.requested.append(request.url))
    yield tab
    assert tab.requested, "the page made no request"
    assert all(url.startswith(served.url) for url in tab.requested), [u for u in tab.requested if not u.startswith(served.url)]
    tab.close()


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


def test_query_page_runs_a_saved_query(page, served, tmp_path):
    page.goto(served.url + "query")
    page.select_option("#saved-query", "gene-therapies-by-serotype")
    assert page.locator("#query-editor").input_value() == SAVED["gene-therapies-by-serotype"].bind({})
    page.click("#run-query")
    page.wait_for_selector("#results-table tbody tr")
    golden = (GOLDEN / "gene-therapies-by-serotype.tsv").read_text(encoding="utf-8").splitlines()
    headers = page.locator("#results-table thead th").all_inner_texts()
    assert headers == [name.lstrip("?") for name in golden[0].split("\t")]
    rows = page.locator("#results-table tbody tr")
    assert rows.count() == len(golden) - 1
    cells = rows.first.locator("td").all_inner_texts()
    assert cells[headers.index("productLabel")] == "Hemgenix @en"
    assert cells[headers.index("product")] == "id:hemgenix"
    assert page.locator("#result-status").inner_text() == "1 row"
    page.screenshot(path=str(tmp_path / "query.png"))
    # a link in the table leads to the resource's page
    rows.first.get_by_role("link", name="id:hemgenix", exact=True).click()
    page.wait_for_url(served.url + "id/hemgenix")


def test_query_page_shows_the_servers_refusal(page, served):
    page.goto(served.url + "query")
    page.fill("#query-editor", "SELECT ?s WHERE { ?s ?p }")
    page.click("#run-query")
    page.wait_for_selector("#result-status.error")
    assert page.locator("#result-status").inner_text() == (
        "400 Bad Request: SPARQL syntax error: error at 1:26: expected one of LATERAL, SERVICE, [_]")
    assert page.locator("#results-table").count() == 0
