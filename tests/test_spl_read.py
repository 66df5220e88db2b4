"""The SPL reader (loaders/spl/read.py): the six shared FDA labels read into exactly what their XML states, and
hostile or broken files refused with a precise ``path:line: reason (fix)``.

Every expected value below was read by hand from the XML; the comment names the file, line and element.
"""

from __future__ import annotations

import dataclasses
import doctest
import hashlib
import re
import shutil
from pathlib import Path

import pytest

from loaders.spl import read as spl
from loaders.spl.read import (
    MAX_DEPTH,
    MAX_ELEMENTS,
    MAX_FILE_BYTES,
    MAX_TEXT_CHARS,
    LabelError,
    read_label,
    read_labels,
)
from tests.conftest import SHARED

LABELS = SHARED / "labels"
DTD_FIX = "remove the DOCTYPE and any entity declarations; an SPL file needs no DTD and no entities"
REFETCH_FIX = "the file is damaged or cut short; download it again from DailyMed"
UTF8_FIX = 'save the file as UTF-8 and declare encoding="UTF-8" (FDA publishes SPL as UTF-8)'
HOSTILE_FIX = "a real label's longest text is a few thousand characters; this file is malformed or hostile"


@pytest.fixture(scope="module")
def labels():
    read, errors = read_labels(LABELS)
    assert errors == []
    return {Path(label.path).name: label for label in read}


def refused(path: Path) -> LabelError:
    with pytest.raises(LabelError) as caught:
        read_label(path)
    return caught.value


def test_docstring_examples():
    result = doctest.testmod(spl, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0


def test_the_folder_is_read_in_name_order(labels):
    assert list(labels) == ["cough.xml", "humira.xml", "lipitor-orig.xml", "lipitor-repack.xml",
                            "methoxsalen-pharmacologic-class.xml", "no-title.xml"]


# ---------------------------------------------------------------------------------------------------- humira.xml
def test_humira_header(labels):
    h = labels["humira.xml"]
    assert h.document_id == "2c9fb32d-4b1b-b5da-4bdf-6b06908ba8b3"  # line 3: <id root="2c9f...">
    assert h.set_id == "608d4f0d-b19f-46d3-749a-7159aa5f933d"  # line 7: <setId root="608d...">
    assert h.version == 1560  # line 8: <versionNumber value="1560"/>
    assert (h.effective_date, h.effective_iso) == ("20130930", "2013-09-30")  # line 6: <effectiveTime>
    # line 4: <code code="34391-3" codeSystem="2.16.840.1.113883.6.1" displayName="HUMAN PRESCRIPTION DRUG LABEL"/>
    assert (h.document_type.code, h.document_type.system, h.document_type.display) == (
        "34391-3", "2.16.840.1.113883.6.1", "HUMAN PRESCRIPTION DRUG LABEL")
    # line 5: <title>These highlights ... for HUMIRA.<br/>HUMIRA (adalimumab) ...<br/>Initial U.S. Approval: 2002
    assert h.title == ("These highlights do not include all the information needed to use HUMIRA safely and "
                       "effectively. See full prescribing information for HUMIRA.\n"
                       "HUMIRA (adalimumab) injection, for subcutaneous use\nInitial U.S. Approval: 2002")
    # lines 13-14: <id extension="078458370" root="1.3.6.1.4.1.519.1"/> <name>AbbVie Inc.</name>
    assert (h.labeler.name, h.labeler.duns) == ("AbbVie Inc.", "078458370")
    assert [h.line_of(f) for f in ("document_id", "document_type", "title", "effective_date", "set_id", "version")] \
        == [3, 4, 5, 6, 7, 8]


def test_humira_products_kits_and_packages(labels):
    h = labels["humira.xml"]
    # three kits (lines 31, 249, 473) and one prefilled vial product (line 763)
    assert [p.ndc for p in h.products] == ["0074-3799", "0074-9374", "0074-4339", "0074-3797"]
    assert [p.form.display for p in h.products] == ["KIT", "KIT", "KIT", "INJECTION, SOLUTION"]
    assert sum(len(p.package_ndcs()) for p in h.products) == 10
    kit = h.products[0]
    # lines 40-58: the kit is asContent (1) of a KIT package with an empty <code/>, which is asContent (2) of
    # line 52: <containerPackagedProduct><code code="0074-3799-02"/> ... displayName="CARTON"
    assert kit.package_ndcs() == ("0074-3799-02", "0074-3799-71")
    inner = kit.packages[0]
    assert (inner.ndc, inner.form.code, inner.quantity.numerator.value) == (None, "C43197", "1")
    carton = inner.packaged_in[0]
    assert (carton.ndc, carton.form.display, carton.quantity.numerator.value, carton.line) == (
        "0074-3799-02", "CARTON", "2", 52)
    assert kit.routes == () and kit.ingredients == ()  # a kit states routes and ingredients on its parts
    syringe, swab = kit.parts
    # lines 80-82: <part><quantity><numerator value="0.8" unit="mL"/>
    assert (syringe.quantity.numerator.value, syringe.quantity.numerator.unit) == ("0.8", "mL")
    assert (syringe.product.name, syringe.product.ndc, syringe.product.form.display) == (
        "Humira", None, "INJECTION, SOLUTION")
    assert [r.display for r in syringe.product.routes] == ["SUBCUTANEOUS"]  # line 153
    # lines 187-196: the swab's <approval><id extension="PART333" root="2.16.840.1.113883.3.149"/>
    #                <code code="C73603" ... displayName="OTC monograph final"/>
    assert (swab.product.name, swab.product.application_number, swab.product.application_system) == (
        "Alcohol Swabs", "PART333", "2.16.840.1.113883.3.149")
    assert swab.product.marketing_category.display == "OTC monograph final"
    assert [(i.class_code, i.role, i.name) for i in swab.product.ingredients] == [
        ("IACT", "inactive", "ISOPROPYL ALCOHOL"), ("IACT", "inactive", "WATER")]
    # line 224: <id extension="BLA125057" root="2.16.840.1.113883.3.150"/>
    # line 225: <code code="C73585" ... displayName="BLA"/>
    assert (kit.application_number, kit.marketing_category.code, kit.marketing_category.display) == (
        "BLA125057", "C73585", "BLA")
    assert (kit.marketing_status, kit.marketing_start, kit.marketing_end) == ("active", "20110405", None)


def test_humira_vial_ingredient_and_route(labels):
    vial = labels["humira.xml"].products[3]
    assert (vial.ndc, vial.name, vial.generic_name, vial.line_of("code")) == (
        "0074-3797", "Humira", "Adalimumab", 763)
    assert [(r.code, r.system, r.display, r.line) for r in vial.routes] == [
        ("C38299", "2.16.840.1.113883.3.26.1.1", "SUBCUTANEOUS", 914)]  # line 914: <routeCode .../>
    active = vial.ingredients[0]
    # lines 771-777: <ingredient classCode="ACTIB"><numerator value="40" unit="mg"/>
    #                <denominator value="0.8" unit="mL"/>
    #                <code code="FYS6T7F842" codeSystem="2.16.840.1.113883.4.9"/>
    assert (active.class_code, active.role, active.basis, active.unii) == (
        "ACTIB", "active", "active ingredient", "FYS6T7F842")
    s = active.strength
    assert (s.numerator.value, s.numerator.unit, s.denominator.value, s.denominator.unit) == ("40", "mg", "0.8", "mL")
    assert [(m.name, m.unii) for m in active.moieties] == [("ADALIMUMAB", "FYS6T7F842")]
    assert vial.marketing_start == "20021230"  # line 908: <low value="20021230"/>


def test_humira_sections_and_boxed_warning(labels):
    h = labels["humira.xml"]
    assert (len(h.top_sections()), len(h.sections)) == (21, 73)
    (boxed,) = h.boxed_warnings()
    # lines 922-925: <section ID="GN67060"><id root="f6fa..."/><code code="34066-1" .../><title>WARNING: ...
    assert (boxed.section_id, boxed.anchor, boxed.code.code, boxed.title, boxed.line, boxed.depth) == (
        "f6fac0b1-d630-1e4a-b1d2-48852684aadb", "GN67060", "34066-1", "WARNING: SERIOUS INFECTIONS AND MALIGNANCY",
        922, 1)
    assert boxed.text.startswith("SERIOUS INFECTIONS\n\nPatients treated with HUMIRA are at increased risk")
    assert "\n• Active tuberculosis (TB), including reactivation of latent TB." in boxed.text  # line 938: <br/>•
    assert boxed.sha256 == hashlib.sha256(boxed.text.encode("utf-8")).hexdigest()
    assert boxed.highlight.startswith("WARNING: SERIOUS INFECTIONS AND MALIGNANCY\nSee full prescribing information")
    ra = h.section("7deb7721-65af-a06e-0f77-4b458c64f249")  # lines 1072-1075: section_1.1
    assert (ra.title, ra.code.code, ra.code.display, ra.parent_id, ra.depth, ra.sibling_index) == (
        "1.1 Rheumatoid Arthritis", "42229-5", "SPL UNCLASSIFIED SECTION",
        "6f689f5d-430c-02a4-fb90-567c766db058", 2, 0)  # the parent: line 1018, "1 INDICATIONS AND USAGE"
    assert h.section(ra.parent_id).title == "1 INDICATIONS AND USAGE"
    assert [s.document_index for s in h.sections] == list(range(73))


def test_humira_adverse_reaction_table_without_thead(labels):
    section = next(s for s in labels["humira.xml"].sections if s.title == "6.1 Clinical Trials Experience")
    table = section.tables[0]
    # line 1702: <table ID="t56551338" ...> with only a <tbody>: the arms are in its first two rows
    assert (table.table_id, table.line, table.header_rows, len(table.body_rows)) == ("t56551338", 1702, (), 25)
    assert table.caption.startswith("Table 1. Adverse Reactions Reported by ≥5% of Patients Treated with HUMIRA")
    assert table.body_rows[:2] == (("", "HUMIRA 40 mg subcutaneous Every Other Week", "Placebo"),
                                   ("", "(N=705)", "(N=690)"))
    assert ("Upper respiratory infection", "17%", "13%") in table.body_rows  # lines 1727-1729
    assert "\nUpper respiratory infection | 17% | 13%\n" in section.text
    # each row's <tr> line: 1705 and 1710, the arm names and sizes; 1726, the <tr> of "Upper respiratory
    # infection" (its cells on 1727-1729); 1832, the last <tr>, the "* Laboratory test abnormalities" note row
    assert (len(table.body_lines), table.header_lines, table.footer_lines) == (25, (), ())
    assert table.body_lines[:2] == (1705, 1710)
    assert table.body_lines[table.body_rows.index(("Upper respiratory infection", "17%", "13%"))] == 1726
    assert table.body_lines[-1] == 1832


# ---------------------------------------------------------------------------------------------- lipitor-orig.xml
def test_lipitor_originator(labels):
    lip = labels["lipitor-orig.xml"]
    assert (lip.set_id, lip.version, lip.effective_date) == (  # lines 6-8
        "c6e131fe-e7df-4876-83f7-9156fc4e8228", 11, "20140113")
    assert (lip.labeler.name, lip.labeler.duns) == ("Parke-Davis Div of Pfizer Inc", "829076962")  # lines 13-14
    assert [p.ndc for p in lip.products] == ["0071-0155", "0071-0156", "0071-0157", "0071-0158"]
    assert sum(len(p.package_ndcs()) for p in lip.products) == 19
    ten = lip.products[0]
    assert (ten.name, ten.generic_name, ten.form.code, ten.form.display) == (  # lines 646-651
        "Lipitor", "atorvastatin calcium", "C42931", "TABLET, FILM COATED")
    active = ten.ingredients[0]
    # lines 654-664: <ingredient classCode="ACTIM"> 10 mg per 1, substance 48A5M73Z4Q, moiety A0JWA85V8F
    assert (active.class_code, active.basis, active.unii, active.moieties[0].unii) == (
        "ACTIM", "active moiety", "48A5M73Z4Q", "A0JWA85V8F")
    assert (active.strength.numerator.value, active.strength.numerator.unit,
            active.strength.denominator.value, active.strength.denominator.unit) == ("10", "mg", "1", "1")
    assert len(ten.ingredients) == 13 and sum(i.role == "inactive" for i in ten.ingredients) == 12
    assert (ten.application_number, ten.marketing_category.display) == ("NDA020702", "NDA")  # lines 815-816
    assert {(c.code.code, c.value, c.unit) for c in ten.characteristics if c.value} == {
        ("SPLSCORE", "1", None), ("SPLSIZE", "10", "mm"), ("SPLIMPRINT", "PD;155;10", None)}
    assert (len(lip.top_sections()), len(lip.sections), lip.boxed_warnings()) == (38, 110, ())


def test_lipitor_table_with_thead_and_footnotes(labels):
    sections = labels["lipitor-orig.xml"].sections
    section = next(s for s in sections if s.title == "6.1 Clinical Trial Adverse Experiences")
    table = section.tables[0]
    # line 2025: <table ID="table2">; line 2036: <th>Adverse Reaction<footnote>Adverse Reaction ≥ 2% ...</footnote>
    assert table.table_id == "table2"
    assert table.header_rows == (("Adverse Reaction[1]", "Any dose N=8755", "10 mg N=3908", "20 mg N=188",
                                  "40 mg N=604", "80 mg N=4055", "Placebo N=7311"),)
    assert table.body_rows[0] == ("Nasopharyngitis", "8.3", "12.9", "5.3", "7.0", "4.2", "8.2")
    assert table.footnotes == ("[1] Adverse Reaction ≥ 2% in any dose greater than placebo",)
    # line 2035: the <thead>'s one <tr>; 2047: the <tr> of "Nasopharyngitis" (its cells on 2048-2054), 2056 of
    # "Arthralgia"; 2146: the last <tr>, "Pharyngolaryngeal pain"
    assert (table.header_lines, len(table.body_lines), table.footer_lines) == ((2035,), 12, ())
    assert table.body_lines[:2] == (2047, 2056) and table.body_lines[-1] == 2146
    tnt = next(s for s in labels["lipitor-orig.xml"].sections if s.line == 3113).tables[0]
    # line 3148: TABLE 5, header cells with colspan="2" are repeated over the columns they span; a <tfoot>
    assert tnt.header_rows[0][1:3] == ("Atorvastatin 10 mg (N=5006)", "Atorvastatin 10 mg (N=5006)")
    assert len(tnt.footer_rows) == 1 and len(set(tnt.footer_rows[0])) == 1
    assert tnt.footnotes[0] == "[1] Atorvastatin 80 mg: atorvastatin 10 mg"
    # lines 3157 (<thead><tr>), 3165 (<tfoot><tr>, stated before the <tbody>), 3170 (the first <tbody><tr>)
    assert (tnt.header_lines, tnt.footer_lines, tnt.body_lines[0]) == ((3157,), (3165,), 3170)


# -------------------------------------------------------------------------------------------- lipitor-repack.xml
def test_lipitor_repackager(labels):
    rep = labels["lipitor-repack.xml"]
    assert (rep.set_id, rep.version, rep.effective_iso) == ("17a163ef-b349-4e32-bc8c-b02bac7f65d6", 8, "2012-02-29")
    assert (rep.labeler.name, rep.labeler.duns) == ("PD-Rx Pharmaceuticals, Inc.", "156893695")  # lines 13-14
    (product,) = rep.products
    # line 45: <code code="55289-800"/>; line 46: <name>Lipitor<suffix/>; line 57: the source NDC 0071-0156
    assert (product.ndc, product.name, product.suffix, product.source_ndc, product.line_of("source_ndc")) == (
        "55289-800", "Lipitor", "", "0071-0156", 57)
    assert product.equivalence.code == "C64637"  # line 55: <asEquivalentEntity><code code="C64637"/>
    assert product.source_ndc in [p.ndc for p in labels["lipitor-orig.xml"].products]
    # line 51; the originator's label (line 651) says "atorvastatin calcium"
    assert product.generic_name == "atorvastatin calcium trihydrate"
    assert product.package_ndcs() == ("55289-800-30",)  # line 156
    assert product.ingredients[0].strength.numerator.value == "20"  # line 62
    assert (len(rep.top_sections()), len(rep.sections)) == (21, 93)


# ---------------------------------------------------------------------------------------------------- cough.xml
def test_cough_otc_label(labels):
    c = labels["cough.xml"]
    assert (c.set_id, c.version, c.effective_date, c.title) == (  # lines 5-8
        "00f66f25-3469-4c16-9baf-fba21e9628bd", 1, "20110426", "Drug Facts")
    assert (c.document_type.code, c.document_type.display) == ("34390-5", "HUMAN OTC DRUG LABEL")  # line 4
    assert (c.labeler.name, c.labeler.duns) == ("Novartis Consumer Health, Inc.", "879821635")  # lines 13-14
    (p,) = c.products
    # line 49: <name>TRIAMINIC<suffix>Childrens Night Time Cold and Cough</suffix>
    assert (p.ndc, p.name, p.suffix, p.line_of("suffix")) == (
        "0067-6344", "TRIAMINIC", "Childrens Night Time Cold and Cough", 49)
    assert (p.form.display, [r.display for r in p.routes]) == ("SYRUP", ["ORAL"])  # lines 51, 218
    actives = [i for i in p.ingredients if i.role == "active"]
    # lines 58-76: 6.25 mg and 2.5 mg per 5 mL
    assert [(i.name, i.unii, i.strength.numerator.value, i.strength.denominator.value, i.strength.denominator.unit)
            for i in actives] == [("DIPHENHYDRAMINE HYDROCHLORIDE", "TC2D6JAD40", "6.25", "5", "mL"),
                                  ("PHENYLEPHRINE HYDROCHLORIDE", "04JA59TNSJ", "2.5", "5", "mL")]
    assert (p.application_number, p.marketing_category.display) == ("part341", "OTC monograph final")  # 196-197
    assert p.package_ndcs() == ("0067-6344-04", "0067-6344-08")
    assert (len(c.top_sections()), len(c.sections)) == (11, 19)


def test_cough_tamper_evident_box_is_not_a_boxed_warning(labels):
    c = labels["cough.xml"]
    box = next(s for s in c.sections if s.code.code == "34066-1")
    # line 451: a 34066-1 section inside "Additional information listed" (line 440)
    assert (box.line, box.depth, box.is_boxed_warning, c.section(box.parent_id).title) == (
        451, 2, False, "Additional information listed")
    assert box.text == ("TAMPER-EVIDENT FEATURE:\n\nDO NOT USE IF SAFETY SEAL IMPRINTED WITH “TRIAMINIC” AROUND "
                        "BOTTLE CAP IS BROKEN OR MISSING.")
    assert c.boxed_warnings() == ()
    directions = next(s for s in c.sections if s.title == "Directions")  # line 362: a list, then a table
    assert directions.text.startswith("may be given every 4 hours. Do not give more than 6 doses in 24 hours unless "
                                      "directed by a doctor.\nfind the right dose on chart below.\n")
    assert "\n\nAge | Dose\nchildren under 4 years of age | do not use\n" in directions.text


# ---------------------------------------------------------------------------------------------------- no-title.xml
def test_no_title_repackager(labels):
    n = labels["no-title.xml"]
    assert (n.title, n.line_of("title")) == ("", 5)  # line 5: <title/>
    assert (n.set_id, n.version, n.effective_iso) == ("0027b8a3-73bf-4005-a7e3-b035f451a861", 1, "2010-07-28")
    assert (n.labeler.name, n.labeler.duns) == ("Contract Pharmacy Services-PA", "945429777")
    (p,) = n.products
    assert (p.ndc, p.name, p.form.display, p.source_ndc) == ("67046-268", "Haloperidol", "TABLET", "0378-0327")
    assert (p.application_number, p.marketing_category.display) == ("ANDA070278", "ANDA")  # lines 112-113
    assert (p.ingredients[0].unii, p.ingredients[0].strength.numerator.value) == ("J6292F8L3D", "5")  # lines 47, 51
    assert (len(n.top_sections()), len(n.sections)) == (13, 44)


def test_no_title_boxed_warning_codes_inside_sections_are_not_boxed_warnings(labels):
    n = labels["no-title.xml"]
    # line 172: a top-level 34066-1 (increased mortality in elderly patients with dementia) is the boxed warning
    assert [(s.line, s.section_id, s.title) for s in n.boxed_warnings()] == [
        (172, "719b99cf-8da1-4a20-beac-50522f53fb9c", None)]
    nested = [(s.line, s.depth > 1, s.is_boxed_warning) for s in n.sections
              if s.code.code == "34066-1" and s.line != 172]
    assert nested == [(585, True, False), (604, True, False), (632, True, False)]  # dosing boxes in section 554


# ---------------------------------------------------------------------------------------------------- indexing
def test_methoxsalen_pharmacologic_class_indexing(labels):
    m = labels["methoxsalen-pharmacologic-class.xml"]
    assert (m.document_type.code, m.set_id, m.products) == ("60685-5", "ea1a6225-0eb9-4743-9601-23d5795936a3", ())
    assert (m.labeler.name, m.labeler.duns) == ("Food and Drug Administration", "927645523")  # line 13
    (ix,) = m.indexing
    # line 29: <id extension="U4VJ29L7BQ" root="2.16.840.1.113883.4.9"/>; line 32: <name use="L">METHOXSALEN
    assert (ix.unii, ix.name, ix.code.system, ix.line) == ("U4VJ29L7BQ", "METHOXSALEN", "2.16.840.1.113883.4.9", 28)
    # lines 35-57: every class is coded in NCI's NDF-RT; the axis is only in the displayName's [suffix]
    assert [(k.code.code, k.code.system, k.code.display, k.kind, k.name) for k in ix.classes] == [
        ("N0000010217", "2.16.840.1.113883.3.26.1.5", "Photoabsorption [MoA]", "MoA", None),
        ("N0000175984", "2.16.840.1.113883.3.26.1.5", "Photoactivated Radical Generator [EPC]", "EPC",
         "photoactivated radical generator"),
        ("N0000009801", "2.16.840.1.113883.3.26.1.5", "Photosensitizing Activity [PE]", "PE", None),
        ("N0000175879", "2.16.840.1.113883.3.26.1.5", "Psoralen [EPC]", "EPC", "psoralen"),
        ("N0000007909", "2.16.840.1.113883.3.26.1.5", "Psoralens [Chemical/Ingredient]", "Chemical/Ingredient", None)]


# ---------------------------------------------------------------------------------------------------- records
def test_records_are_plain_immutable_python(labels):
    allowed = (str, int, bool, type(None))

    def walk(value, where):
        if dataclasses.is_dataclass(value):
            assert type(value).__dataclass_params__.frozen and hasattr(type(value), "__slots__"), where
            for f in dataclasses.fields(value):
                walk(getattr(value, f.name), f"{where}.{f.name}")
        elif isinstance(value, tuple):
            for i, item in enumerate(value):
                walk(item, f"{where}[{i}]")
        else:
            assert isinstance(value, allowed), f"{where} is a {type(value).__module__}.{type(value).__name__}"

    for name, label in labels.items():
        walk(label, name)
    with pytest.raises(dataclasses.FrozenInstanceError):
        labels["cough.xml"].set_id = "x"


# ---------------------------------------------------------------------------------------------------- hostile input
SPL_HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n'


def test_xxe_reading_a_local_file_is_refused_and_the_file_is_never_read(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-4711")
    bad = tmp_path / "xxe.xml"
    bad.write_text(f'{SPL_HEAD}<!DOCTYPE document [\n  <!ENTITY xxe SYSTEM "file://{secret}">\n]>\n'
                   '<document xmlns="urn:hl7-org:v3"><title>&xxe;</title></document>\n')
    err = refused(bad)
    assert (err.line, str(err)) == (3, f"{bad}:3: the DOCTYPE declares an external entity 'xxe' (SYSTEM "
                                       f'"file://{secret}"); it was refused, not resolved: no file or network '
                                       f"address was read ({DTD_FIX})")
    # defence in depth: the parser settings alone neither read the file nor accept the DTD
    with pytest.raises(LabelError) as second:
        spl._parse(bad, bad.read_bytes())
    assert str(second.value) == (f"{bad}:1: the file has a DOCTYPE declaration; DTDs are refused, not loaded "
                                 f"({DTD_FIX})")
    labels, errors = read_labels(tmp_path)
    assert labels == [] and "TOP-SECRET-4711" not in repr(errors) + repr(err.args) + str(second.value)


def test_external_entity_over_the_network_is_refused(tmp_path):
    bad = tmp_path / "net.xml"
    bad.write_text(f'{SPL_HEAD}<!DOCTYPE document [<!ENTITY ext SYSTEM "http://127.0.0.1:1/">]>\n'
                   '<document xmlns="urn:hl7-org:v3">&ext;</document>\n')
    err = refused(bad)
    assert str(err) == (f"{bad}:2: the DOCTYPE declares an external entity 'ext' (SYSTEM \"http://127.0.0.1:1/\"); "
                        f"it was refused, not resolved: no file or network address was read ({DTD_FIX})")


def test_billion_laughs_is_refused_before_anything_expands(tmp_path):
    entities = ['  <!ENTITY lol "lol">'] + [
        f'  <!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10 if i > 1 else "&lol;" * 10}">' for i in range(1, 10)]
    bad = tmp_path / "bomb.xml"
    bad.write_text(SPL_HEAD + "<!DOCTYPE lolz [\n" + "\n".join(entities) + "\n]>\n"
                   '<document xmlns="urn:hl7-org:v3"><title>&lol9;</title></document>\n')
    err = refused(bad)
    assert str(err) == (f"{bad}:4: the DOCTYPE declares entity 'lol1' that expands other entities (lol): an "
                        f"entity-expansion bomb; it was refused, not expanded ({DTD_FIX})")


def test_a_harmless_internal_entity_is_refused_too(tmp_path):
    bad = tmp_path / "dtd.xml"
    bad.write_text(f'{SPL_HEAD}<!-- a comment first -->\n<!DOCTYPE document [\n<!ENTITY company "Acme">\n]>\n'
                   '<document xmlns="urn:hl7-org:v3"><title>&company;</title></document>\n')
    err = refused(bad)
    assert str(err) == (f"{bad}:4: the DOCTYPE declares entity 'company'; DTDs and entities are refused, not "
                        f"resolved ({DTD_FIX})")
    plain = tmp_path / "doctype.xml"
    plain.write_text(f'{SPL_HEAD}<!DOCTYPE document SYSTEM "spl.dtd">\n<document xmlns="urn:hl7-org:v3"/>\n')
    assert str(refused(plain)) == (f"{plain}:2: the file has a DOCTYPE declaration; DTDs are refused, not loaded "
                                   f"({DTD_FIX})")


def test_deep_nesting_is_refused_at_the_limit(tmp_path):
    bad = tmp_path / "deep.xml"
    # the root is on line 2 at depth 1, so the element at depth MAX_DEPTH + 1 is on line MAX_DEPTH + 2
    bad.write_text(SPL_HEAD + '<document xmlns="urn:hl7-org:v3">\n' + "<section>\n" * 10_000
                   + "</section>" * 10_000 + "</document>\n")
    err = refused(bad)
    assert (MAX_DEPTH, err.line) == (200, 202)
    assert str(err) == (f"{bad}:202: elements nest deeper than 200 levels (a real label nests fewer than 30 "
                        "levels; this file is malformed or hostile)")


def test_a_huge_text_node_is_refused(tmp_path):
    bad = tmp_path / "big-text.xml"
    bad.write_text(SPL_HEAD + '<document xmlns="urn:hl7-org:v3">\n<title>' + "x" * 5_000_000
                   + "</title>\n</document>\n")
    err = refused(bad)
    assert MAX_TEXT_CHARS == 1_048_576
    assert str(err) == (f"{bad}:3: a text of 5,000,000 characters is over the limit of 1,048,576 ({HOSTILE_FIX})")


def test_a_huge_attribute_value_is_refused(tmp_path):
    bad = tmp_path / "big-attr.xml"
    bad.write_text(SPL_HEAD + '<document xmlns="urn:hl7-org:v3">\n\n<id root="' + "7" * 2_000_000
                   + '"/>\n</document>\n')
    assert str(refused(bad)) == (f"{bad}:4: an attribute value of 2,000,000 characters is over the limit of "
                                 f"1,048,576 ({HOSTILE_FIX})")


def test_a_flood_of_elements_is_refused(tmp_path):
    bad = tmp_path / "flood.xml"
    bad.write_text(SPL_HEAD + '<document xmlns="urn:hl7-org:v3">\n' + "<br/>" * 600_000 + "\n</document>\n")
    assert MAX_ELEMENTS == 500_000
    assert str(refused(bad)) == (f"{bad}:3: the file has more than 500,000 elements (a real label has a few "
                                 "thousand; this file is malformed or hostile)")


def test_a_file_over_the_size_limit_is_refused_unread(tmp_path):
    bad = tmp_path / "huge.xml"
    with bad.open("wb") as f:
        f.truncate(MAX_FILE_BYTES + 1)  # sparse: nothing to write, nothing read
    assert str(refused(bad)) == (f"{bad}:0: the file is 52,428,801 bytes, over the limit of 52,428,800 (an SPL "
                                 "label is at most a few MB; check that this is one label)")


def test_a_wrongly_declared_encoding_is_refused(tmp_path):
    bad = tmp_path / "utf16.xml"
    original = (LABELS / "cough.xml").read_bytes()
    bad.write_bytes(original.replace(b'encoding="UTF-8"', b'encoding="UTF-16"', 1))
    assert str(refused(bad)) == (f'{bad}:1: the XML declaration says encoding="UTF-16" but the bytes are not '
                                 f"UTF-16: the declaration itself is written one byte per character ({UTF8_FIX})")
    invalid = tmp_path / "latin1.xml"
    data = original.replace("“TRIAMINIC”".encode(), b"\xabTRIAMINIC\xbb")  # Latin-1 quotes in a UTF-8 file
    invalid.write_bytes(data)
    at = data.index(b"\xab")
    assert str(refused(invalid)) == (f"{invalid}:459: invalid UTF-8: byte 0xab at byte offset {at:,} is not UTF-8 "
                                     f"({UTF8_FIX})")


def test_a_truncated_label_gives_the_parsers_line_and_column(tmp_path):
    lines = (LABELS / "cough.xml").read_bytes().splitlines(keepends=True)
    bad = tmp_path / "cut.xml"
    bad.write_bytes(b"".join(lines[:100]))  # cut after line 100, "</ingredient>", inside the product of line 47
    assert str(refused(bad)) == (f"{bad}:101: not well-formed XML at line 101, column 1: Premature end of data in "
                                 f"tag manufacturedProduct line 47 ({REFETCH_FIX})")
    broken = tmp_path / "tag.xml"
    broken.write_text(SPL_HEAD + '<document xmlns="urn:hl7-org:v3">\n<title>a</titel>\n</document>\n')
    assert str(refused(broken)) == (f"{broken}:3: not well-formed XML at line 3, column 17: Opening and ending tag "
                                    f"mismatch: title line 3 and titel ({REFETCH_FIX})")


def test_wrong_root_or_namespace_is_refused(tmp_path):
    bad = tmp_path / "ns.xml"
    bad.write_bytes((LABELS / "cough.xml").read_bytes().replace(b'xmlns="urn:hl7-org:v3"', b'xmlns="urn:hl7-org:v2"'))
    assert str(refused(bad)) == (f"{bad}:2: the root element is {{urn:hl7-org:v2}}document, not "
                                 '{urn:hl7-org:v3}document (check that this is an HL7 SPL file: '
                                 '<document xmlns="urn:hl7-org:v3">)')


def test_missing_set_id_and_bad_versions_are_refused(tmp_path):
    text = (LABELS / "humira.xml").read_text(encoding="utf-8")
    no_set = tmp_path / "no-set.xml"
    no_set.write_text(text.replace('<setId root="608d4f0d-b19f-46d3-749a-7159aa5f933d"/>', "", 1), encoding="utf-8")
    assert str(refused(no_set)) == (f"{no_set}:2: the document has no setId/@root (state the set id as "
                                    '<setId root="..."/>; it names all versions of this label)')
    no_version = tmp_path / "no-version.xml"
    no_version.write_text(text.replace('<versionNumber value="1560"/>', "", 1), encoding="utf-8")
    assert str(refused(no_version)) == (f"{no_version}:2: the document has no versionNumber/@value (state the "
                                        'version as <versionNumber value="1"/>)')
    bad_version = tmp_path / "bad-version.xml"
    bad_version.write_text(text.replace('<versionNumber value="1560"/>', '<versionNumber value="15.6"/>', 1),
                           encoding="utf-8")
    assert str(refused(bad_version)) == (f"{bad_version}:8: versionNumber/@value '15.6' is not a whole number "
                                         '(state the version as a whole number, e.g. <versionNumber value="1"/>)')


def test_read_labels_reports_every_bad_file_and_duplicate_versions(tmp_path):
    shutil.copy(LABELS / "cough.xml", tmp_path / "a.xml")
    shutil.copy(LABELS / "cough.xml", tmp_path / "b.xml")  # same set id and version as a.xml
    newer = (LABELS / "cough.xml").read_bytes().replace(b'<versionNumber value="1"/>', b'<versionNumber value="2"/>')
    (tmp_path / "c.xml").write_bytes(newer)  # the same set id in another version is fine
    (tmp_path / "d.xml").write_text("<document")
    (tmp_path / "e.xml").write_text('<document xmlns="urn:hl7-org:v3"/>')
    (tmp_path / "notes.txt").write_text("not a label")
    labels, errors = read_labels(tmp_path)
    assert [(Path(x.path).name, x.version) for x in labels] == [("a.xml", 1), ("c.xml", 2)]
    assert [str(e) for e in errors] == [
        f"{tmp_path / 'b.xml'}:7: set id 00f66f25-3469-4c16-9baf-fba21e9628bd version 1 is also in "
        f"{tmp_path / 'a.xml'}:7 (keep one of the two files: a set id and version name exactly one document)",
        f"{tmp_path / 'd.xml'}:1: not well-formed XML at line 1, column 10: Couldn't find end of Start Tag "
        f"document ({REFETCH_FIX})",
        f"{tmp_path / 'e.xml'}:1: the document has no id/@root (state the document id as <id root=\"...\"/> after "
        "<document>)"]


def test_an_unknown_ingredient_class_is_refused(tmp_path):
    bad = tmp_path / "class.xml"
    bad.write_bytes((LABELS / "no-title.xml").read_bytes().replace(b'classCode="ACTIB"', b'classCode="ACTIVE"', 1))
    err = refused(bad)
    assert err.line == 45 and re.fullmatch(
        r"ingredient classCode 'ACTIVE' is not an HL7 ingredient role", err.reason)
    assert err.fix == "use one of ACTI, ACTIB, ACTIM, ACTIR, ADJV, ADTV, BASE, CNTM, COLR, FLVR, IACT, INGR, MECH, " \
                      "PRSV, STBL"
