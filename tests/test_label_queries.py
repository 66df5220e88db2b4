"""The saved queries over the FDA labels (label-documents, label-products, label-packages, label-ingredients,
pharmacologic-classes), checked against the labels themselves.

The golden answers of label-documents (6 rows) and pharmacologic-classes (5 rows) were written by hand from the XML
headers and the indexing file. Those of label-products, label-packages and label-ingredients are checked here by an
oracle: a few short functions that read the shared SPL files with ``xml.etree.ElementTree`` (not with
``loaders/spl``, whose output is what the queries read) and compute the rows the way ``docs/label-model.md``
(sections 4 and 6) says they should be. Oracle, golden file and query answer must be equal; a few rows of each query
are also spelled out below, each value traced to its line in the XML.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest

from drugkg import engine
from drugkg.queries import catalogue
from tests.conftest import LABELS, QUERIES, ROOT

GOLDEN = ROOT / "tests" / "golden" / "queries"
SAVED = catalogue(QUERIES)

V = "{urn:hl7-org:v3}"
NDC_SYSTEM = "2.16.840.1.113883.6.69"
UNII_SYSTEM = "2.16.840.1.113883.4.9"
XSD = "http://www.w3.org/2001/XMLSchema#"

# SPL ingredient class codes (HL7 RoleClassIngredientEntity, as the SPL Implementation Guide uses them): ACTI* are
# active (ACTIB strength of the ingredient itself, ACTIM of its active moiety, ACTIR of a reference substance), IACT
# and its specialisations inactive.
ACTIVE = {"ACTI", "ACTIB", "ACTIM", "ACTIR"}
INACTIVE = {"IACT", "COLR", "FLVR", "PRSV", "STBL"}

SET_LIPITOR = "c6e131fe-e7df-4876-83f7-9156fc4e8228"
SET_REPACK = "17a163ef-b349-4e32-bc8c-b02bac7f65d6"
SET_HUMIRA = "608d4f0d-b19f-46d3-749a-7159aa5f933d"
SET_COUGH = "00f66f25-3469-4c16-9baf-fba21e9628bd"
SET_NO_TITLE = "0027b8a3-73bf-4005-a7e3-b035f451a861"
SET_METHOXSALEN = "ea1a6225-0eb9-4743-9601-23d5795936a3"


# ---- SPARQL TSV cells, as engine.sorted_tsv writes them

def s(value: str) -> str:
    """A plain string."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t") + '"'


def en(value: str) -> str:
    """English text."""
    return s(value) + "@en"


def dec(value: str) -> str:
    """An xsd:decimal in canonical form (7.0 -> 7): bare when it has a point, else typed."""
    lexical = format(Decimal(value).normalize(), "f")
    return lexical if "." in lexical else f'"{lexical}"^^<{XSD}decimal>'


def date(yyyymmdd: str) -> str:
    return f'"{yyyymmdd[:4]}-{yyyymmdd[4:6]}-{yyyymmdd[6:8]}"^^<{XSD}date>'


def opt(cell, value) -> str:
    """``cell(value)``, or an empty cell when nothing is stated."""
    return "" if value is None else cell(value)


def tsv(*cells: str) -> str:
    return "\t".join(cells)


# ---- the oracle: the shared XML files read with ElementTree

def _root(path):
    return ET.parse(path).getroot()


def _text(el) -> str | None:
    return el.text.strip() if el is not None and el.text and el.text.strip() else None


def _attr(el, name: str) -> str | None:
    return el.get(name) if el is not None else None


def _header(root) -> tuple[str, int, str]:
    return root.find(V + "setId").get("root"), int(root.find(V + "versionNumber").get("value")), \
        root.find(V + "effectiveTime").get("value")


def documents() -> list:
    """(root, set id) of the latest version of each set id among the shared labels."""
    latest: dict[str, tuple[int, object]] = {}
    for path in sorted(LABELS.glob("*.xml")):
        root = _root(path)
        set_id, version, _ = _header(root)
        if set_id not in latest or version > latest[set_id][0]:
            latest[set_id] = (version, root)
    return [(root, set_id) for set_id, (_, root) in sorted(latest.items())]


def _ndc(entity) -> str | None:
    code = entity.find(V + "code")
    if code is None or code.get("codeSystem") != NDC_SYSTEM:
        return None
    return code.get("code") or None


def products(root):
    """(role, entity, kit NDC) of every product and kit part: for a product, the role is the outer
    ``manufacturedProduct`` (approval, route) and the entity the inner one; for a part, ``part`` and
    ``part/partProduct``."""
    for subject in root.iter(V + "subject"):
        role = subject.find(V + "manufacturedProduct")
        entity = role.find(V + "manufacturedProduct") if role is not None else None
        if entity is None:
            continue
        yield role, entity, None
        for part in entity.findall(V + "part"):
            yield part, part.find(V + "partProduct"), _ndc(entity)


def _name(entity) -> str | None:
    name = entity.find(V + "name")
    if name is None:
        return None
    suffix = _text(name.find(V + "suffix"))
    return f"{_text(name)} {suffix}" if suffix else _text(name)


def product_rows() -> list[str]:
    rows = []
    for root, set_id in documents():
        for role, entity, kit_ndc in products(root):
            name = _name(entity)
            if name is None:  # the query lists a product by its stated name
                continue
            approval = role.find(f"{V}subjectOf/{V}approval")
            category = _attr(approval.find(V + "code"), "displayName") if approval is not None else None
            application = _attr(approval.find(V + "id"), "extension") if approval is not None else None
            source = entity.find(f"{V}asEquivalentEntity/{V}definingMaterialKind/{V}code")
            route_path = f"{V}consumedIn/{V}substanceAdministration/{V}routeCode"
            routes = [r.get("displayName") for r in role.findall(route_path)]
            for route in routes or [None]:
                rows.append(tsv(s(set_id), opt(s, _ndc(entity)), en(name),
                                opt(en, _text(entity.find(f"{V}asEntityWithGeneric/{V}genericMedicine/{V}name"))),
                                opt(en, _attr(entity.find(V + "formCode"), "displayName")), opt(en, route),
                                opt(en, category), opt(s, application), opt(s, _attr(source, "code")),
                                opt(s, kit_ndc)))
    return sorted(rows)


def _package_rows(set_id: str, ndc: str, holder, contents: str | None, inner: str | None = None) -> list[str]:
    """Rows of the packages around ``holder`` (a product or a package), outwards. The description reads from the
    package inwards: "{quantity} {what} in 1 {package type}", what = the numerator's unit when it is not 1, else its
    coded translation, else what the package holds (the inner package's type, or the product's form), then " > "
    and the description of the package inside."""
    rows = []
    for content in holder.findall(V + "asContent"):
        package = content.find(V + "containerPackagedProduct")
        numerator = content.find(f"{V}quantity/{V}numerator")
        unit = _attr(numerator, "unit")
        translation = _attr(numerator.find(V + "translation"), "displayName") if numerator is not None else None
        what = unit if unit and unit != "1" else translation or contents or "unit"
        kind = _attr(package.find(V + "formCode"), "displayName") or "package"
        description = f"{_attr(numerator, 'value') or '?'} {what} in 1 {kind}" + (f" > {inner}" if inner else "")
        if _ndc(package):
            rows.append(tsv(s(set_id), s(ndc), s(_ndc(package)), en(description)))
        rows += _package_rows(set_id, ndc, package, kind, description)
    return rows


def package_rows() -> list[str]:
    rows = []
    for root, set_id in documents():
        for _, entity, _ in products(root):
            if _ndc(entity):  # a kit part has no NDC: its packages hold no product with one
                rows += _package_rows(set_id, _ndc(entity), entity,
                                      _attr(entity.find(V + "formCode"), "displayName"))
    return sorted(rows)


def substance_names() -> dict[str, str]:
    """The one name of each substance (UNII) in the graph (docs/label-model.md 4.9): the name stated by the label
    with the latest effective date, ties broken by the smallest set id, then the highest version (then the larger
    name), from ingredients, active moieties and pharmacologic-class indexing."""
    best: dict[str, tuple] = {}
    for path in LABELS.glob("*.xml"):
        root = _root(path)
        set_id, version, effective = _header(root)
        rank = (effective, tuple(-ord(c) for c in set_id), version)
        for tag in ("ingredientSubstance", "activeMoiety", "identifiedSubstance"):
            for el in root.iter(V + tag):
                code, name = el.find(V + "code"), _text(el.find(V + "name"))
                if code is None or code.get("codeSystem") != UNII_SYSTEM or name is None:
                    continue
                key = (rank, name)
                if code.get("code") not in best or key > best[code.get("code")]:
                    best[code.get("code")] = key
    return {unii: name for unii, (_, name) in best.items()}


def ingredient_rows() -> list[str]:
    names = substance_names()
    rows = []
    for root, set_id in documents():
        for _, entity, kit_ndc in products(root):
            for ingredient in entity.findall(V + "ingredient"):
                class_code = ingredient.get("classCode")
                role = "active" if class_code in ACTIVE else "inactive" if class_code in INACTIVE else ""
                substance = ingredient.find(V + "ingredientSubstance")
                unii = substance.find(V + "code").get("code")
                numerator = ingredient.find(f"{V}quantity/{V}numerator")
                denominator = ingredient.find(f"{V}quantity/{V}denominator")
                cells = ["", "", "", ""]
                if _attr(numerator, "value") is not None:
                    cells[:2] = dec(numerator.get("value")), s(numerator.get("unit") or "1")
                    if _attr(denominator, "value") is not None:
                        cells[2:] = dec(denominator.get("value")), s(denominator.get("unit") or "1")
                basis = [unii] if class_code == "ACTIB" else [
                    m.find(V + "code").get("code") for m in substance.findall(f"{V}activeMoiety/{V}activeMoiety")
                ] if class_code == "ACTIM" else []
                if not cells[0]:
                    basis = []  # no strength stated: nothing it is the strength of
                for strength_of in basis or [None]:
                    rows.append(tsv(s(set_id), opt(s, _ndc(entity)), en(names[unii]), s(unii), s(role), *cells,
                                    opt(s, strength_of), opt(s, kit_ndc), opt(en, _name(entity))))
    return sorted(rows)


ORACLES = {"label-products": product_rows, "label-packages": package_rows, "label-ingredients": ingredient_rows}


# ---- helpers

def answer(store, name: str, **params: str) -> list[str]:
    """The query's answer as sorted TSV lines, the header first."""
    return engine.sorted_tsv(engine.run_local(store, SAVED[name].bind(params), name)).splitlines()


def golden(name: str) -> list[str]:
    return (GOLDEN / f"{name}.tsv").read_text(encoding="utf-8").splitlines()


HEADERS = {
    "label-documents": "?setId ?version ?effectiveDate ?documentType ?title ?labeler ?labelerDuns",
    "label-products": "?setId ?ndc ?name ?genericName ?dosageForm ?route ?marketingCategory ?applicationNumber "
                      "?sourceNdc ?kitNdc",
    "label-packages": "?setId ?ndc ?packageNdc ?description",
    "label-ingredients": "?setId ?ndc ?substance ?unii ?role ?numeratorValue ?numeratorUnit ?denominatorValue "
                         "?denominatorUnit ?strengthOf ?kitNdc ?productName",
    "pharmacologic-classes": "?unii ?substance ?classCode ?className ?classKind",
}
COUNTS = {"label-documents": 6, "label-products": 17, "label-packages": 33, "label-ingredients": 106,
          "pharmacologic-classes": 5}


# ---- the tests

@pytest.mark.parametrize("name", sorted(ORACLES))
def test_oracle_golden_and_query_agree(name, built_labels):
    """The rows computed from the XML, the golden file and the query's answer are the same."""
    expected = ORACLES[name]()
    gold = golden(name)
    assert gold[0] == HEADERS[name].replace(" ", "\t")
    assert len(expected) == len(set(expected)) == COUNTS[name], "one distinct row per product / package / ingredient"
    assert gold[1:] == expected
    assert answer(built_labels.store, name) == gold


@pytest.mark.parametrize("name", sorted(HEADERS))
def test_golden_has_the_columns_and_rows_expected(name, built_labels):
    gold = golden(name)
    assert gold[0] == HEADERS[name].replace(" ", "\t") and len(gold) - 1 == COUNTS[name]
    assert answer(built_labels.store, name) == gold


# Rows spelled out from the XML; each comment gives the file and line of the values.
SPELLED = {
    "label-documents": [
        # lipitor-orig.xml: setId line 7, versionNumber 8, effectiveTime 6, document code 4, title 5 (its <br/>s as
        # line breaks, the empty line between the first two dropped), labeler name line 14, D-U-N-S line 13
        tsv(s(SET_LIPITOR), "11", date("20140113"), s("34391-3"),
            en("These highlights do not include all the information needed to use LIPITOR safely and effectively. "
               "See full prescribing information for LIPITOR.\nLIPITOR\u00ae (atorvastatin calcium) Tablets for oral "
               "administration\nInitial U.S. Approval: 1996"),
            en("Parke-Davis Div of Pfizer Inc"), s("829076962")),
        # no-title.xml: setId line 7, version 8, effectiveTime 6, code 4, the empty <title/> line 5, name 13, DUNS 12
        tsv(s(SET_NO_TITLE), "1", date("20100728"), s("34391-3"), en(""), en("Contract Pharmacy Services-PA"),
            s("945429777")),
        # methoxsalen-pharmacologic-class.xml: setId line 7, version 8, effectiveTime 6, code 4 (60685-5), title 5,
        # name line 13, DUNS line 12
        tsv(s(SET_METHOXSALEN), "1", date("20101101"), s("60685-5"), en("METHOXSALEN Pharmacologic Class Indexing"),
            en("Food and Drug Administration"), s("927645523")),
        # cough.xml: setId 7, version 8, effectiveTime 6, code 4 (OTC), title 5, name 13, DUNS 12
        tsv(s(SET_COUGH), "1", date("20110426"), s("34390-5"), en("Drug Facts"), en("Novartis Consumer Health, Inc."),
            s("879821635")),
    ],
    "label-products": [
        # lipitor-orig.xml: product at line 645, NDC 646, name 647, form 648, generic name 651, approval id 815 and
        # code 816 (NDA), route 871
        tsv(s(SET_LIPITOR), s("0071-0155"), en("Lipitor"), en("atorvastatin calcium"), en("TABLET, FILM COATED"),
            en("ORAL"), en("NDA"), s("NDA020702"), "", ""),
        # lipitor-repack.xml: NDC line 45, name 46 (an empty <suffix/>), form 48, generic name 51, source NDC 57,
        # approval id 163 and code 164, route 219
        tsv(s(SET_REPACK), s("55289-800"), en("Lipitor"), en("atorvastatin calcium trihydrate"),
            en("TABLET, FILM COATED"), en("ORAL"), en("NDA"), s("NDA020702"), s("0071-0156"), ""),
        # humira.xml: the kit 0074-9374 (line 249), its second part: name line 387, form 388, generic name 391,
        # approval id 419 (lower-case "part333", as stated) and code 420, route 441
        tsv(s(SET_HUMIRA), "", en("Alcohol Swabs"), en("isopropyl alcohol"), en("SWAB"), en("TOPICAL"),
            en("OTC monograph final"), s("part333"), "", s("0074-9374")),
        # humira.xml: the kit 0074-3799 itself (line 31): name 32, form 33 (KIT), generic 36, approval id 224 and
        # code 225; a kit states no route (its parts do)
        tsv(s(SET_HUMIRA), s("0074-3799"), en("Humira"), en("Adalimumab"), en("KIT"), "", en("BLA"), s("BLA125057"),
            "", ""),
        # cough.xml: NDC line 48, name and suffix 49, form 51, generic name 54, approval id 196 and code 197,
        # route 218
        tsv(s(SET_COUGH), s("0067-6344"), en("TRIAMINIC Childrens Night Time Cold and Cough"),
            en("Diphenhydramine HCl, Phenylephrine HCl"), en("SYRUP"), en("ORAL"), en("OTC monograph final"),
            s("part341"), "", ""),
    ],
    "label-packages": [
        # lipitor-orig.xml: carton 0071-0155-40 (line 776) of 100 (line 772) blister packs (769), each of 1 (764)
        # tablet of the product 0071-0155 (line 646, form TABLET, FILM COATED line 648)
        tsv(s(SET_LIPITOR), s("0071-0155"), s("0071-0155-40"),
            en("100 BLISTER PACK in 1 CARTON > 1 TABLET, FILM COATED in 1 BLISTER PACK")),
        # cough.xml: carton 0067-6344-04 (lines 165-166) of 1 bottle (159-160) of 118 mL (151, bottle 156) of
        # 0067-6344 (48)
        tsv(s(SET_COUGH), s("0067-6344"), s("0067-6344-04"), en("1 BOTTLE in 1 CARTON > 118 mL in 1 BOTTLE")),
        # humira.xml: carton 0074-3797-01 (lines 883-884) of 1 (879) single-use vial (876) of 0.8 mL (871)
        tsv(s(SET_HUMIRA), s("0074-3797"), s("0074-3797-01"),
            en("1 VIAL, SINGLE-USE in 1 CARTON > 0.8 mL in 1 VIAL, SINGLE-USE")),
        # lipitor-repack.xml: plastic bottle 55289-800-30 (lines 156-157) of 30 tablets (150-151) of 55289-800
        tsv(s(SET_REPACK), s("55289-800"), s("55289-800-30"), en("30 TABLET in 1 BOTTLE, PLASTIC")),
        # lipitor-orig.xml: carton 0071-0158-92 (line 1485) of 64 (line 1481) blister packs (1478) of 0071-0158
        tsv(s(SET_LIPITOR), s("0071-0158"), s("0071-0158-92"),
            en("64 BLISTER PACK in 1 CARTON > 1 TABLET, FILM COATED in 1 BLISTER PACK")),
    ],
    "label-ingredients": [
        # lipitor-orig.xml: product 0071-0155 (line 646) Lipitor (647), ingredient ACTIM line 654, 10 mg (656)
        # per 1 (657), substance 48A5M73Z4Q (660) ATORVASTATIN CALCIUM TRIHYDRATE (661), strength of the moiety
        # A0JWA85V8F (664)
        tsv(s(SET_LIPITOR), s("0071-0155"), en("ATORVASTATIN CALCIUM TRIHYDRATE"), s("48A5M73Z4Q"), s("active"),
            dec("10"), s("mg"), dec("1"), s("1"), s("A0JWA85V8F"), "", en("Lipitor")),
        # cough.xml: product 0067-6344 (line 48, name 49), ACTIB line 57, 6.25 mg (59) per 5 mL (60), TC2D6JAD40 (63)
        # DIPHENHYDRAMINE HYDROCHLORIDE (64): the strength is of the ingredient itself
        tsv(s(SET_COUGH), s("0067-6344"), en("DIPHENHYDRAMINE HYDROCHLORIDE"), s("TC2D6JAD40"), s("active"),
            dec("6.25"), s("mg"), dec("5"), s("mL"), s("TC2D6JAD40"), "",
            en("TRIAMINIC Childrens Night Time Cold and Cough")),
        # humira.xml: kit 0074-9374 (line 249), part 1 Humira (302-303), ACTIB line 310, 20 mg (312) per 0.4 mL (313),
        # FYS6T7F842 (316) ADALIMUMAB (317)
        tsv(s(SET_HUMIRA), "", en("ADALIMUMAB"), s("FYS6T7F842"), s("active"), dec("20"), s("mg"), dec("0.4"),
            s("mL"), s("FYS6T7F842"), s("0074-9374"), en("Humira")),
        # no-title.xml: product 67046-268 (line 31) Haloperidol (32), IACT ingredient H77VEI93A8 (69)
        # FD&C YELLOW NO. 6 (70), no strength
        tsv(s(SET_NO_TITLE), s("67046-268"), en("FD&C YELLOW NO. 6"), s("H77VEI93A8"), s("inactive"), "", "", "", "",
            "", "", en("Haloperidol")),
        # humira.xml: kit 0074-4339 (line 473) states WATER (059QF0KO0R) in both its parts: the syringe, Humira
        # (lines 587, 612-613), and the swab, Alcohol Swabs (677, 692-693); productName tells the two rows apart
        tsv(s(SET_HUMIRA), "", en("WATER"), s("059QF0KO0R"), s("inactive"), "", "", "", "", "", s("0074-4339"),
            en("Humira")),
        tsv(s(SET_HUMIRA), "", en("WATER"), s("059QF0KO0R"), s("inactive"), "", "", "", "", "", s("0074-4339"),
            en("Alcohol Swabs")),
    ],
    "pharmacologic-classes": [
        # methoxsalen-pharmacologic-class.xml: UNII U4VJ29L7BQ (lines 29, 31), name METHOXSALEN (32), each class's
        # code and display name without its [kind] bracket: line 35, 40, 57
        tsv(s("U4VJ29L7BQ"), en("METHOXSALEN"), s("N0000010217"), en("Photoabsorption"), s("MoA")),
        tsv(s("U4VJ29L7BQ"), en("METHOXSALEN"), s("N0000175984"), en("Photoactivated Radical Generator"), s("EPC")),
        tsv(s("U4VJ29L7BQ"), en("METHOXSALEN"), s("N0000007909"), en("Psoralens"), s("chemical")),
    ],
}


@pytest.mark.parametrize("name", sorted(SPELLED))
def test_rows_traced_to_the_xml(name, built_labels):
    rows = set(answer(built_labels.store, name)[1:])
    assert set(golden(name)[1:]) == rows
    for row in SPELLED[name]:
        assert row in rows, row


def test_version_picks_one_version_and_defaults_to_the_latest(built_labels):
    store = built_labels.store
    # lipitor-orig.xml line 8: version 11 of its set id; there is no version 1
    assert answer(store, "label-documents", set_id=SET_LIPITOR, version="1")[1:] == []
    only = answer(store, "label-documents", set_id=SET_LIPITOR, version="11")[1:]
    assert [r.split("\t")[:2] for r in only] == [[s(SET_LIPITOR), "11"]]
    # version 1 of every set id: cough.xml and no-title.xml list one product each (methoxsalen's file has none);
    # Humira (1560), LIPITOR (11) and PD-Rx (8) have no version 1
    products = answer(store, "label-products", version="1")[1:]
    assert sorted(r.split("\t")[1] for r in products) == [s("0067-6344"), s("67046-268")]
    assert answer(store, "label-ingredients", version="11") == answer(store, "label-ingredients", set_id=SET_LIPITOR)
    assert len(answer(store, "label-ingredients", version="11")) - 1 == 52  # 4 products x 13 ingredients
    assert answer(store, "pharmacologic-classes", version="2")[1:] == []


def test_set_id_keeps_one_label(built_labels):
    store = built_labels.store
    # lipitor-repack.xml: one package, 55289-800-30 (line 156)
    assert answer(store, "label-packages", set_id=SET_REPACK)[1:] == [
        tsv(s(SET_REPACK), s("55289-800"), s("55289-800-30"), en("30 TABLET in 1 BOTTLE, PLASTIC"))]
    # cough.xml: the 2 active and 10 inactive ingredients of its one product (lines 57-148)
    cough = answer(store, "label-ingredients", set_id=SET_COUGH)[1:]
    assert len(cough) == 12 and {r.split("\t")[0] for r in cough} == {s(SET_COUGH)}
    assert answer(store, "label-products", set_id="not-a-set-id")[1:] == []
    # no-title.xml: the whole label's rows are the rows of its set id in the default answer
    everything = answer(store, "label-packages")[1:]
    assert answer(store, "label-packages", set_id=SET_NO_TITLE)[1:] == [r for r in everything
                                                                         if r.startswith(s(SET_NO_TITLE))]
    assert answer(store, "pharmacologic-classes", unii="U4VJ29L7BQ") == golden("pharmacologic-classes")
    assert answer(store, "pharmacologic-classes", unii="48A5M73Z4Q")[1:] == []
