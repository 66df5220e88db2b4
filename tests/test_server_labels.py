"""``drugkg serve`` browses the FDA drug labels: a real server on the graph built with the shared labels.

The label version page links to DailyMed and lists its products and the outline of its sections; a section's page
shows its text and where it sits; a product's page its ingredients with their strengths, its packages and its
adverse-reaction rows with the rate in each arm, each with the label version and the section or product-data element
it is stated in. Expected values are read from the label files (``../shared/labels``), named at each assertion.
"""

from __future__ import annotations

import html.parser

import pyoxigraph as ox
import pytest

from drugkg import engine
from tests.test_queries import GOLDEN, LABEL_QUERIES
from tests.test_server import fetch, html_page

LIPITOR_SET = "c6e131fe-e7df-4876-83f7-9156fc4e8228"
LIPITOR = f"/id/spl/{LIPITOR_SET}/11"  # lipitor-orig.xml, version 11
LIPITOR_NAME = ("Lipitor label (HUMAN PRESCRIPTION DRUG LABEL) by Parke-Davis Div of Pfizer Inc, version 11 "
                "(2014-01-13)")
DAILYMED = f"https://dailymed.nlm.nih.gov/dailymed/drugInfo.cfm?setid={LIPITOR_SET}"
SKELETAL_MUSCLE = f"{LIPITOR}/section/79a02fa7-701e-4457-84ff-1a6f771fa129"  # "5.1 Skeletal Muscle", line 1869
WARNINGS = f"{LIPITOR}/section/d970197d-c477-43fe-9fa1-7fd4eeae1b2b"  # "5 WARNINGS AND PRECAUTIONS", line 1852
HUMIRA = "/id/spl/608d4f0d-b19f-46d3-749a-7159aa5f933d/1560"  # humira.xml, version 1560
HUMIRA_NAME = "Humira label (HUMAN PRESCRIPTION DRUG LABEL) by AbbVie Inc., version 1560 (2013-09-30)"
HUMIRA_VIAL = f"{HUMIRA}/product/4"  # the 4th manufacturedProduct, NDC 0074-3797, line 762
# "6.1 Clinical Trials Experience", line 1643
CLINICAL_TRIALS = f"{HUMIRA}/section/cabfc420-c38a-d009-79ab-4a90ca2914c1"


class Outline(html.parser.HTMLParser):
    """The links of a page's ``ol.outline`` lists, in order, each with its nesting depth (1 = top level)."""

    def __init__(self, body: bytes):
        super().__init__()
        self.items: list[tuple[int, str, str]] = []
        self._depth = 0
        self._link: list | None = None
        self.feed(body.decode("utf-8"))

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "ol" and (self._depth or "outline" in (attrs.get("class") or "").split()):
            self._depth += 1
        elif tag == "a" and self._depth:
            self._link = [attrs.get("href"), ""]

    def handle_endtag(self, tag):
        if tag == "ol" and self._depth:
            self._depth -= 1
        elif tag == "a" and self._link is not None:
            self.items.append((self._depth, self._link[0], " ".join(self._link[1].split())))
            self._link = None

    def handle_data(self, data):
        if self._link is not None:
            self._link[1] += data


def test_label_version_page_links_to_dailymed(served_labels):
    page = html_page(served_labels, LIPITOR)
    assert f"{LIPITOR_NAME} https://w3id.org/drugkg{LIPITOR}" in page.all_text()
    # shown prominently, above the description: rdfs:seeAlso, the DailyMed page of the set id
    assert "see-also" in page.ids
    assert (DAILYMED, f"This label on DailyMed (set id {LIPITOR_SET}) ↗") in page.links
    # and still in the statements, as every rdfs:seeAlso
    rows = {row[0]: row for row in page.rows["statements"] if len(row) == 3}
    assert rows["rdfs:seeAlso ↗"][1] == f"{DAILYMED} ↗"


def test_label_version_page_lists_its_products(served_labels):
    page = html_page(served_labels, LIPITOR)
    # lipitor-orig.xml has four manufacturedProducts, at lines 645, 878, 1111 and 1344
    assert page.rows["products"] == [["NDC", "product", "described in"]] + [
        [ndc, f"Lipitor (TABLET, FILM COATED), NDC {ndc}", f"Product data: Lipitor (NDC {ndc}) (line {line})"]
        for ndc, line in (("0071-0155", 645), ("0071-0156", 878), ("0071-0157", 1111), ("0071-0158", 1344))
    ]
    for n, ndc in enumerate(("0071-0155", "0071-0156", "0071-0157", "0071-0158"), 1):
        assert (f"/id/ndc/{ndc}", f"Lipitor (TABLET, FILM COATED), NDC {ndc}") in page.links
        assert (f"{LIPITOR}/product/{n}", f"Product data: Lipitor (NDC {ndc})") in page.links
    status, _, _ = fetch(served_labels.url + "id/ndc/0071-0155", headers={"Accept": "text/html"})
    assert status == 200


def test_label_version_page_outlines_its_sections(served_labels):
    status, _, body = fetch(served_labels.url + LIPITOR.lstrip("/"), headers={"Accept": "text/html"})
    assert status == 200
    outline = Outline(body).items
    assert (2, SKELETAL_MUSCLE, "5.1 Skeletal Muscle") in outline
    # nested (5.1 under 5) and in document order; the product-data elements under the product data section
    position = {text: (i, depth) for i, (depth, _, text) in enumerate(outline)}
    assert position["5 WARNINGS AND PRECAUTIONS"][1] == 1
    assert position["5 WARNINGS AND PRECAUTIONS"][0] + 1 == position["5.1 Skeletal Muscle"][0]
    assert position["5.1 Skeletal Muscle"][0] + 1 == position["5.2 Liver Dysfunction"][0]
    assert outline[:2] == [(1, f"{LIPITOR}/section/c02cb2e3-92e2-4e7a-bb72-302a801d6091",
                            "[untitled] SPL PRODUCT DATA ELEMENTS SECTION"),
                           (2, f"{LIPITOR}/product/1", "Product data: Lipitor (NDC 0071-0155)")]
    assert len(outline) == 114  # 110 sections and 4 product-data elements
    # the sections are no longer repeated among the page's incoming links
    page = html_page(served_labels, LIPITOR)
    assert "5.1 Skeletal Muscle" not in " ".join(" ".join(row) for row in page.rows.get("incoming", []))


def test_section_page_shows_its_text_and_links_back_to_the_label_version(served_labels):
    status, _, body = fetch(served_labels.url + SKELETAL_MUSCLE.lstrip("/"), headers={"Accept": "text/html"})
    assert status == 200
    # lipitor-orig.xml line 1876, escaped once on the page
    sentence = ("Atorvastatin, like other statins, occasionally causes myopathy, defined as muscle aches or muscle "
                "weakness in conjunction with increases in creatine phosphokinase (CPK) values >10 times ULN.")
    assert sentence.replace(">", "&gt;").encode() in body
    assert b"&amp;gt;" not in body
    page = html_page(served_labels, SKELETAL_MUSCLE)
    assert sentence in page.all_text()
    assert '<pre class="section-text">' in body.decode()
    # where it sits: the label version, then its parent section
    assert "section-path" in page.ids
    assert (LIPITOR, LIPITOR_NAME) in page.links
    assert (WARNINGS, "5 WARNINGS AND PRECAUTIONS") in page.links
    assert (f"{LIPITOR_NAME} › 5 WARNINGS AND PRECAUTIONS (line 1852) › 5.1 Skeletal Muscle "
            f"(line 1869 of lipitor-orig.xml)") in page.all_text()
    # the text is shown once, not again in the statements table
    assert not [row for row in page.rows["statements"] if row[0] == "schema:text ↗"]
    # the parent's page lists it as a subsection
    status, _, body = fetch(served_labels.url + WARNINGS.lstrip("/"), headers={"Accept": "text/html"})
    assert (1, SKELETAL_MUSCLE, "5.1 Skeletal Muscle") in Outline(body).items


def test_product_element_page_lists_the_statements_derived_from_it(served_labels):
    page = html_page(served_labels, HUMIRA_VIAL)
    assert (HUMIRA, HUMIRA_NAME) in page.links
    rows = page.rows["claims"]
    assert rows[0] == ["statement", "about", "kind"]
    statement = "Humira (INJECTION, SOLUTION), NDC 0074-3797 active ingredient: ADALIMUMAB, 40 mg per 0.8 mL"
    assert [statement, "Humira (INJECTION, SOLUTION), NDC 0074-3797", "active ingredient"] in rows
    assert (f"{HUMIRA_VIAL}/ingredient/1", statement) in page.links


def test_product_page_shows_ingredients_with_strengths(served_labels):
    page = html_page(served_labels, "/id/ndc/0074-3797")
    rows = page.rows["ingredients"]
    assert rows[0] == ["ingredient", "substance", "strength", "stated in"]
    # humira.xml lines 771-775: ACTIB adalimumab, 40 mg per 0.8 mL
    stated = f"{HUMIRA_NAME} › Product data: Humira (NDC 0074-3797) (line 762) · claim"
    assert rows[1] == ["active ingredient", "ADALIMUMAB ↗", "40 mg per 0.8 mL", stated]
    assert ["inactive ingredient", "MANNITOL ↗", "9.6 mg per 0.8 mL", stated] in rows
    assert len(rows) == 1 + 10
    links = page.section_links["ingredients"]
    assert {HUMIRA, HUMIRA_VIAL, f"{HUMIRA_VIAL}/ingredient/1"} <= set(links)
    assert "https://identifiers.org/unii:FYS6T7F842" in links


def test_product_page_shows_packages(served_labels):
    page = html_page(served_labels, "/id/ndc/0074-3797")
    stated = f"{HUMIRA_NAME} › Product data: Humira (NDC 0074-3797) (line 762) · claim"
    vial, carton = "0.8 mL in 1 VIAL, SINGLE-USE", "1 VIAL, SINGLE-USE in 1 CARTON > 0.8 mL in 1 VIAL, SINGLE-USE"
    assert page.rows["packages"] == [
        ["NDC", "package", "holds", "stated in"],
        ["", vial, "Humira (INJECTION, SOLUTION), NDC 0074-3797", stated],
        ["0074-3797-01", carton, vial, stated],
    ]
    assert ("/id/ndc/0074-3797-01", carton) in page.links
    # a package's page: what it holds, down to the product
    page = html_page(served_labels, "/id/ndc/0071-0155-40")
    assert page.rows["contents"] == [
        ["level", "NDC", "holds"],
        ["1", "", "1 TABLET, FILM COATED in 1 BLISTER PACK"],
        ["2", "0071-0155", "Lipitor (TABLET, FILM COATED), NDC 0071-0155"],
    ]


def test_product_page_shows_adverse_reaction_rows_with_the_rate_per_arm(served_labels):
    page = html_page(served_labels, "/id/ndc/0074-3797")
    rows = page.rows["reactions"]
    # humira.xml Table 1 (line 1703): arms "HUMIRA 40 mg subcutaneous Every Other Week" (N=705) and "Placebo"
    # (N=690); line 1727: Upper respiratory infection, 17% and 13%
    assert rows[0] == ["adverse reaction", "HUMIRA 40 mg subcutaneous Every Other Week (N=705)", "Placebo (N=690)",
                       "stated in"]
    assert rows[1] == ["Upper respiratory infection", "17%", "13%",
                       f"{HUMIRA_NAME} › 6.1 Clinical Trials Experience (line 1643) · claim"]
    assert len(rows) == 1 + 17
    claim = f"{CLINICAL_TRIALS}/table/1/row/1/product/4"
    assert (claim, "claim") in page.links
    assert {HUMIRA, CLINICAL_TRIALS, claim} <= set(page.section_links["reactions"])
    status, _, _ = fetch(served_labels.url + claim.lstrip("/"), headers={"Accept": "text/html"})
    assert status == 200


def test_section_page_shows_its_reaction_rows_for_each_product(served_labels):
    page = html_page(served_labels, CLINICAL_TRIALS)
    rows = page.rows["reactions"]
    assert rows[0][-1] == "stated for"
    first = rows[1]
    assert first[:3] == ["Upper respiratory infection", "17%", "13%"]
    for ndc in ("0074-3799", "0074-9374", "0074-4339"):
        assert f"Humira (KIT), NDC {ndc} · claim" in first[3]
    assert "Humira (INJECTION, SOLUTION), NDC 0074-3797 · claim" in first[3]


def test_the_index_leaves_out_arm_rates(served_labels):
    page = html_page(served_labels, "")
    assert ("/ontology#SourceDocument", "source document") in page.links
    assert not [link for link in page.links if link[0] == "/ontology#ArmRate"]
    assert (LIPITOR, LIPITOR_NAME) in page.links


# label-changes' golden is for two versions of one label (tests/conftest.py built_versions); the default graph has
# one version of each, so it answers no row there (tests/test_push_labels.py compares it across stores all the same)
@pytest.mark.parametrize("name", sorted(LABEL_QUERIES - {"label-changes"}))
def test_label_queries_over_http_give_their_golden_rows(name, served_labels):
    """The saved label queries, whose golden answers are the labels graph's, answer the same over HTTP."""
    status, headers, body = fetch(served_labels.url + f"queries/{name}?format=tsv")
    assert status == 200, body
    parsed = ox.parse_query_results(body, format=ox.QueryResultsFormat.TSV)
    assert engine.sorted_tsv(parsed) == (GOLDEN / f"{name}.tsv").read_text(encoding="utf-8")


COUGH_SET = "00f66f25-3469-4c16-9baf-fba21e9628bd"  # cough.xml is version 1; version 2 is made by the tests (synthetic)
COUGH_V2_NAME = ("TRIAMINIC Childrens Night Time Cold and Cough label (HUMAN OTC DRUG LABEL) by Novartis Consumer "
                 "Health, Inc., version 2 (2012-03-01)")
COUGH_V1_NAME = COUGH_V2_NAME.replace("version 2 (2012-03-01)", "version 1 (2011-04-26)")


def test_a_label_version_page_shows_the_version_history_and_links_each_versions_changes(served_versions):
    changes = f"/queries/label-changes?set_id={COUGH_SET}&version=2"
    header = ["version", "effective", "label", "changes"]
    page = html_page(served_versions, f"/id/spl/{COUGH_SET}/1")
    assert page.rows["versions"] == [header, ["1", "2011-04-26", "this version", "first version in this graph"],
                                     ["2", "2012-03-01", COUGH_V2_NAME, "since version 1"]]
    assert page.section_links["versions"] == [f"/id/spl/{COUGH_SET}/2", changes]
    page = html_page(served_versions, f"/id/spl/{COUGH_SET}/2")
    assert page.rows["versions"] == [header, ["1", "2011-04-26", COUGH_V1_NAME, "first version in this graph"],
                                     ["2", "2012-03-01", "this version", "since version 1"]]
    assert page.section_links["versions"] == [f"/id/spl/{COUGH_SET}/1", changes]
    # the link answers the changes into version 2: the golden rows of label-changes (tests/golden/queries)
    status, _, body = fetch(served_versions.url + changes.lstrip("/") + "&format=tsv")
    assert status == 200, body
    assert engine.sorted_tsv(ox.parse_query_results(body, format=ox.QueryResultsFormat.TSV)) == \
        (GOLDEN / "label-changes.tsv").read_text(encoding="utf-8")
    # into version 1, the first loaded: no change
    status, _, body = fetch(served_versions.url + f"queries/label-changes?set_id={COUGH_SET}&version=1&format=tsv")
    assert status == 200 and len(engine.sorted_tsv(ox.parse_query_results(body, format=ox.QueryResultsFormat.TSV))
                                 .splitlines()) == 1


def test_a_label_with_one_version_loaded_says_so(served_labels):
    assert html_page(served_labels, LIPITOR).rows["versions"] == [
        ["version", "effective", "label", "changes"], ["11", "2014-01-13", "this version", "first version in this graph"]]
