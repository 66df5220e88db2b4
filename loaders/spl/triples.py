"""Turn one read label (:class:`~loaders.spl.read.Label`) into triples: the second room of the label loader.

The mapping is the one of ``docs/label-model.md`` (section 4), in the claim model the YAML loaders use. A label
version (set id + version) is a ``dkg:SourceDocument`` under ``{base}spl/{setId}/{version}``; its sections, and each
product-data element (a product, a kit part, an indexed substance), are ``dkg:DocumentSection``s of it, located by
their XML line; everything the label states about a product, a package or a substance is a claim derived from the
element that states it. Products, packages, substances, labelers and codes are **shared nodes**, one per identifier
across all labels (NDC, UNII, DUNS, LOINC, NCI Thesaurus, NDF-RT): :class:`SharedNodes` collects what the labels say
about their identity (type, names, identifier) and writes it once, after every label has been read, so that the node
gets one name chosen the same way whatever the order of the files.

Nothing here does I/O: a label and the :class:`LabelContext` in, triples and warnings out. Facts that cannot be
mapped without guessing (a code outside NCI Thesaurus, a strength that is not a number, an adverse-reaction table
the rule cannot read) are left out and reported as warnings naming ``file:line``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from pyoxigraph import NamedNode

from drugkg.prefixes import CurieError, expand, parse_curie, slug
from drugkg.terms import Triple, boolean, date_literal, decimal, integer, plain, text
from drugkg.vocab import DCTERMS, DKG, RDF, RDFS, SCHEMA, SKOS
from loaders._common import KEYWORDS, claim_core
from loaders.attribute import attribute_roles
from loaders.spl.read import (
    NCI_THESAURUS,
    NDF_RT_NCI,
    Amount,
    Coded,
    Ingredient,
    Label,
    Package,
    Part,
    Product,
    Section,
    iso_date,
)
from loaders.spl.reactions import ReactionTable, read_reactions

SEEN_AT = "FDA Structured Product Labeling (SPL)"
LOINC_IRI = "https://loinc.org/"
DAILYMED_PAGE = "https://dailymed.nlm.nih.gov/dailymed/drugInfo.cfm?setid="
INDEXING = "60685-5"  # LOINC: pharmacologic class indexing, not a label
ADVERSE_REACTIONS = "34084-4"
CLASS_KINDS = {
    "EPC": DKG.EstablishedPharmacologicClass,
    "MoA": DKG.MechanismOfActionClass,
    "PE": DKG.PhysiologicEffectClass,
    "Chemical/Ingredient": DKG.ChemicalStructureClass,
}
_BRACKET = re.compile(r"\s*\[[^\]]*\]\s*$")


@dataclass(frozen=True)
class LabelContext:
    """What the mapping needs from the rest of the build: the base IRI, the declared units by UCUM code and the
    ontology's property labels (an attribute claim's label names its property as "has route", not hasRoute)."""

    base: str
    units: dict[str, tuple[NamedNode, str]] = field(default_factory=dict)  # UCUM code -> (unit IRI, label)
    percent: NamedNode | None = None  # the declared unit for "%", if any
    property_labels: dict[str, str] = field(default_factory=dict)  # dkg property -> its rdfs:label

    def version_iri(self, label: Label) -> NamedNode:
        return version_iri(self.base, label.set_id, label.version)


def version_iri(base: str, set_id: str, version: int) -> NamedNode:
    """The IRI of a label version: ``{base}spl/{setId}/{version}``."""
    return NamedNode(f"{base}spl/{_seg(set_id)}/{version}")


@dataclass
class _Node:
    """What the labels say about one shared node: its types, names (with the rank of the label stating each) and
    identifier, and where it was first seen."""

    types: set[NamedNode] = field(default_factory=set)
    names: dict[str, tuple] = field(default_factory=dict)  # name -> best rank of a label stating it
    curie: str | None = None
    where: tuple[str, int] = ("", 0)


class SharedNodes:
    """The identity of the nodes shared across labels, collected label by label and written once.

    The name of a node is the one stated by the label that ranks highest: a name stated by the node's own product
    data before a name made up from a mention (a repackager's source NDC), then the latest effective date, then the
    smallest set id, then the highest version; every other name is a ``skos:altLabel``. Memory grows with the number
    of shared nodes, not with the number of labels.
    """

    def __init__(self, base: str):
        self.base = base
        self.nodes: dict[NamedNode, _Node] = {}

    def add(self, node: NamedNode, types: Iterable[NamedNode], name: str | None, rank: tuple,
            curie: str | None = None, where: tuple[str, int] = ("", 0)) -> NamedNode:
        entry = self.nodes.get(node)
        if entry is None:
            entry = self.nodes[node] = _Node(where=where)
        entry.types.update(types)
        if name:
            best = entry.names.get(name)
            if best is None or rank > best:
                entry.names[name] = rank
        if curie:
            entry.curie = curie
        return node

    def triples(self) -> Iterable[Triple]:
        for node, entry in self.nodes.items():
            for cls in sorted(entry.types, key=lambda t: t.value):
                yield node, RDF.type, cls
            if entry.names:
                ranked = sorted(entry.names, key=lambda n: (entry.names[n], n), reverse=True)
                yield node, RDFS.label, text(ranked[0])
                for other in ranked[1:]:
                    if other != ranked[0]:
                        yield node, SKOS.altLabel, text(other)
            if entry.curie:
                yield from _identifier(self.base, node, entry.curie)


def _identifier(base: str, node: NamedNode, curie: str) -> Iterable[Triple]:
    """The ``dkg:ExternalIdentifier`` node of a shared node, as ``loaders/entity.py`` makes them."""
    prefix, _ = parse_curie(curie)
    ident = NamedNode(base + "xref/" + slug(curie))
    yield ident, RDF.type, DKG.ExternalIdentifier
    yield ident, RDFS.label, plain(curie)
    yield ident, DKG.identifies, node
    yield ident, DKG.identifierValue, plain(curie)
    yield ident, DKG.identifierScheme, plain(prefix.name)
    yield ident, DKG.confidence, KEYWORDS["verified"]
    yield ident, DKG.seenAt, plain(SEEN_AT)
    external = expand(curie)
    if external is not None:
        yield ident, DKG.identifierIRI, NamedNode(external)


def _seg(value: str) -> str:
    """One IRI path segment from a stated code (set ids, NDCs, section ids): unreserved characters kept."""
    return quote(value, safe="-._~")


def _curie(scheme: str, code: str) -> str | None:
    """``scheme:code`` when the code is well formed for the scheme, else None (the node gets no identifier)."""
    try:
        parse_curie(f"{scheme}:{code}")
    except CurieError:
        return None
    return f"{scheme}:{code}"


def norm_title(title: str) -> str:
    """A title as sections are matched across labels: NFKC, case folded, letters and digits only.

    >>> norm_title("17.4 Breast-feeding") == norm_title("17.4 Breastfeeding")
    True
    """
    return re.sub(r"[^0-9a-z]", "", unicodedata.normalize("NFKC", title).casefold())


def section_keys(sections: tuple[Section, ...]) -> dict[str, str]:
    """The matching key of every section (``docs/label-model.md`` 4.2): ``{code}|{normalised title}`` (``#n`` for the
    n-th repeat in the document), or, untitled, ``{parent key}/{code}#{n}`` by position among untitled siblings."""
    keys: dict[str, str] = {}
    titled: dict[str, int] = {}
    untitled: dict[tuple[str | None, str], int] = {}
    for section in sections:
        code = section.code.code if section.code is not None else "-"
        if section.title:
            base = f"{code}|{norm_title(section.title)}"
            titled[base] = titled.get(base, 0) + 1
            keys[section.section_id] = base if titled[base] == 1 else f"{base}#{titled[base]}"
        else:
            slot = (section.parent_id, code)
            untitled[slot] = untitled.get(slot, 0) + 1
            parent = keys.get(section.parent_id, "") if section.parent_id else ""
            keys[section.section_id] = f"{parent}/{code}#{untitled[slot]}"
    return keys


def section_title(section: Section) -> str:
    """The stated title, or ``[untitled] {the code's display name}`` for a section without one."""
    if section.title:
        return section.title
    if section.code is not None and section.code.display:
        return f"[untitled] {section.code.display}"
    return "[untitled section]"


class _Mapper:
    """The triples of one label; ``warnings`` collects what was left out, as ``file:line: reason``."""

    def __init__(self, label: Label, ctx: LabelContext, shared: SharedNodes):
        self.label, self.ctx, self.shared = label, ctx, shared
        self.base = ctx.base
        self.doc = ctx.version_iri(label)
        self.triples: list[Triple] = []
        self.warnings: list[str] = []
        self.file = Path(label.path).name
        self.rank = (1, label.effective_iso, tuple(-ord(c) for c in label.set_id), label.version)
        self.section_iris = {s.section_id: self._iri("section", _seg(s.section_id)) for s in label.sections}
        self.product_nodes: list[NamedNode] = []
        self.names = self._product_names()

    # ---- helpers
    def _iri(self, *parts: str) -> NamedNode:
        return NamedNode(self.doc.value + "/" + "/".join(parts))

    def warn(self, line: int, reason: str) -> None:
        self.warnings.append(f"{self.label.path}:{line}: {reason}")

    def add(self, *triples: Triple) -> None:
        self.triples.extend(triples)

    def share(self, node: NamedNode, types, name, line: int, curie=None, rank=None) -> NamedNode:
        return self.shared.add(node, types, name, rank or self.rank, curie, (self.label.path, line))

    def coded(self, value: Coded | None, cls: NamedNode, what: str) -> NamedNode | None:
        """The shared node of an NCI Thesaurus code (form, route, package type, category); None, with a warning,
        for a code of another system."""
        if value is None or not value.code:
            return None
        if value.system != NCI_THESAURUS:
            self.warn(value.line, f"{what} code {value.code!r} is not an NCI Thesaurus code (code system "
                      f"{value.system}); it is left out")
            return None
        curie = _curie("NCIT", value.code)
        if curie is None:
            self.warn(value.line, f"{what} code {value.code!r} is not a well-formed NCI Thesaurus code; it is left out")
            return None
        return self.share(NamedNode(expand(curie)), [cls], value.display, value.line, curie)

    def loinc(self, value: Coded) -> NamedNode:
        curie = _curie("LOINC", value.code)
        node = NamedNode(LOINC_IRI + _seg(value.code))
        return self.share(node, [DKG.DocumentType], value.display, value.line, curie)

    def ndc_node(self, code: str, line: int) -> tuple[NamedNode, str | None]:
        curie = _curie("NDC", code)
        if curie is None:
            self.warn(line, f"NDC {code!r} is not a well-formed NDC (4-5 digits, 3-4 digits, 1-2 digits); "
                      "the node gets no NDC identifier")
        return NamedNode(f"{self.base}ndc/{_seg(code)}"), curie

    def attribute(self, node: NamedNode, source: NamedNode, subject: NamedNode, prop: str, obj,
                  subject_label: str, shown: str) -> None:
        named = self.ctx.property_labels.get(prop, prop)
        self.add(*claim_core(node, DKG.AttributeClaim, f"{subject_label} {named}: {shown}", source))
        self.add(*attribute_roles(node, subject, DKG[prop], [obj]))

    def element(self, node: NamedNode, title: str, parents: list[NamedNode], line: int, sequence: int) -> None:
        self.add((node, RDF.type, DKG.DocumentSection), (node, RDFS.label, text(f"{self.short}: {title}")),
                 (node, DCTERMS.title, text(title)), (node, DKG.startLine, integer(line)),
                 (node, DKG.sequenceNumber, integer(sequence)))
        self.add(*[(node, DCTERMS.isPartOf, p) for p in parents])

    def unit(self, code: str | None) -> tuple[NamedNode, str]:
        code = code or "1"
        declared = self.ctx.units.get(code)
        if declared is not None:
            return declared
        node = NamedNode(f"{self.base}ucum/{_seg(code)}")
        self.share(node, [DKG.Unit], code, self.label.line)
        self.add((node, DKG.ucumCode, plain(code)))
        return node, code

    def amount(self, node: NamedNode, amount: Amount, what: str) -> str | None:
        """A quantity node for a stated amount; its label, or None (with a warning) when the value is no number."""
        try:
            value = decimal(amount.value)
        except ValueError:
            self.warn(amount.line, f"{what} value {amount.value!r} is not a number; it is left out")
            return None
        unit, unit_label = self.unit(amount.unit)
        shown = value.value if (amount.unit or "1") == "1" else f"{value.value} {amount.unit}"
        self.add((node, RDF.type, DKG.Quantity), (node, RDFS.label, text(shown)), (node, DKG.numericValue, value),
                 (node, DKG.hasUnit, unit))
        return shown

    # ---- the label
    def _product_names(self) -> list[str]:
        names: list[str] = []
        for product in self.label.products:
            name = _full_name(product)
            if name and name not in names:
                names.append(name)
        return names

    def run(self) -> None:
        label = self.label
        kind = label.document_type.display or label.document_type.code
        if label.indexing:
            subjects = ", ".join(dict.fromkeys(i.name or i.unii or "substance" for i in label.indexing))
            what = f"{subjects} pharmacologic class indexing"
        else:
            what = f"{', '.join(self.names) or 'Drug'} label"
        by = f" by {label.labeler.name}" if label.labeler is not None and label.labeler.name else ""
        self.short = f"{', '.join(self.names) or what} label, version {label.version}" if not label.indexing \
            else f"{what}, version {label.version}"
        doc = self.doc
        self.add((doc, RDF.type, DKG.SourceDocument),
                 (doc, RDFS.label, text(f"{what} ({kind}){by}, version {label.version} ({label.effective_iso})")),
                 (doc, DCTERMS.title, text(label.title)),
                 (doc, DKG.documentKind, text(f"FDA Structured Product Labeling: {kind}")),
                 (doc, DKG.fileName, plain(self.file)),
                 (doc, DKG.fileHash, plain(label.sha256)),
                 (doc, DCTERMS.identifier, plain(label.document_id)),
                 (doc, DCTERMS.isVersionOf, NamedNode(expand(f"DAILYMED:{label.set_id}")
                                                      if _curie("DAILYMED", label.set_id)
                                                      else f"{self.base}spl/{_seg(label.set_id)}")),
                 (doc, RDFS.seeAlso, NamedNode(DAILYMED_PAGE + _seg(label.set_id))),
                 (doc, SCHEMA.version, integer(label.version)),
                 (doc, DCTERMS.issued, date_literal(label.effective_iso)),
                 (doc, DCTERMS.type, self.loinc(label.document_type)))
        if label.labeler is not None and (label.labeler.name or label.labeler.duns):
            org = label.labeler
            curie = _curie("DUNS", org.duns) if org.duns else None
            if org.duns and curie is None:
                self.warn(org.line, f"labeler D-U-N-S number {org.duns!r} is not nine digits; it is left out")
            node = NamedNode(f"{self.base}duns/{org.duns}") if curie else self._iri("labeler")
            self.share(node, [DKG.Organization], org.name or f"D-U-N-S {org.duns}", org.line, curie)
            self.add((doc, DCTERMS.publisher, node))
        self.sections()
        for n, product in enumerate(label.products, 1):
            self.product_nodes.append(self.product(product, self._iri("product", str(n)), n))
        self.boxed_warnings()
        self.reactions()
        self.indexing()

    def sections(self) -> None:
        keys = section_keys(self.label.sections)
        for section in self.label.sections:
            node = self.section_iris[section.section_id]
            parents = [self.doc] + ([self.section_iris[section.parent_id]] if section.parent_id else [])
            self.element(node, section_title(section), parents, section.line, section.document_index + 1)
            self.add((node, DCTERMS.identifier, plain(section.section_id)),
                     (node, DKG.textHash, plain(section.sha256)),
                     (node, DKG.sectionKey, plain(keys[section.section_id])))
            if section.code is not None and section.code.code:
                self.add((node, DCTERMS.type, self.loinc(section.code)))
            if section.text:
                self.add((node, SCHEMA.text, text(section.text)))

    # ---- products
    def product(self, product: Product, element: NamedNode, sequence: int, kit: tuple[NamedNode, str, int] | None = None
                ) -> NamedNode:
        """Map a product (or a kit's part: ``kit`` = the kit's node, NDC and the part's position)."""
        name = _full_name(product)
        form = product.form.display if product.form is not None and product.form.display else None
        shown = f"{name or 'Unnamed product'}" + (f" ({form})" if form else "")
        if kit is not None:
            kit_node, kit_ndc, m = kit
            node = NamedNode(f"{kit_node.value}/part/{m}")
            label, curie = f"{shown}, part {m} of kit" + (f" NDC {kit_ndc}" if kit_ndc else ""), None
            title = f"Kit part {m}" + (f" of NDC {kit_ndc}" if kit_ndc else "") + f": {name or 'unnamed'}"
            self.element(element, title, [self.doc, NamedNode(element.value.rsplit("/part/", 1)[0])], product.line, m)
        else:
            if product.ndc:
                node, curie = self.ndc_node(product.ndc, product.line_of("ndc"))
                label = f"{shown}, NDC {product.ndc}"
            else:
                node, curie, label = NamedNode(element.value + "/drug"), None, shown
            title = f"Product data: {name or 'unnamed product'}" + (f" (NDC {product.ndc})" if product.ndc else "")
            parents = [self.doc] + ([self.section_iris[product.section_id]]
                                    if product.section_id in self.section_iris else [])
            self.element(element, title, parents, product.line, sequence)
        self.share(node, [DKG.DrugProduct], label, product.line, curie)

        def say(suffix: str, prop: str, obj, shown_as: str) -> None:
            """An attribute claim of this product, from its product-data element, at ``{element}/{suffix}``."""
            self.attribute(NamedNode(f"{element.value}/{suffix}"), element, node, prop, obj, label, shown_as)

        if name:
            say("brand-name", "brandName", text(name), name)
        if product.generic_name:
            say("generic-name", "genericName", text(product.generic_name), product.generic_name)
        form_node = self.coded(product.form, DKG.DosageForm, "dosage form")
        if form_node is not None:
            say("dosage-form", "hasDosageForm", form_node, product.form.display or product.form.code)
        for i, route in enumerate(product.routes, 1):
            route_node = self.coded(route, DKG.Route, "route")
            if route_node is not None:
                say(f"route/{i}", "hasRoute", route_node, route.display or route.code)
        category = self.coded(product.marketing_category, DKG.RegulatoryCategory, "marketing category")
        if category is not None:
            say("marketing-category", "marketingCategory", category,
                product.marketing_category.display or product.marketing_category.code)
        if product.application_number:
            say("application-number", "applicationNumber", plain(product.application_number),
                product.application_number)
        if product.marketing_status:
            say("marketing-status", "marketingStatus", plain(product.marketing_status), product.marketing_status)
        for field_name, suffix, prop in (("marketing_start", "marketing-start", "periodStart"),
                                         ("marketing_end", "marketing-end", "periodEnd")):
            stated = getattr(product, field_name)
            if stated:
                iso = iso_date(stated)
                if iso is None:
                    self.warn(product.line_of(field_name), f"marketing date {stated!r} is not a date (YYYYMMDD); "
                              "it is left out")
                else:
                    say(suffix, prop, date_literal(iso), iso)
        schedule = self.coded(product.dea_schedule, DKG.RegulatoryCategory, "DEA schedule")
        if schedule is not None:
            say("dea-schedule", "deaSchedule", schedule, product.dea_schedule.display or product.dea_schedule.code)
        if product.source_ndc:
            source, source_curie = self.ndc_node(product.source_ndc, product.line_of("source_ndc"))
            self.share(source, [DKG.DrugProduct], f"NDC {product.source_ndc}", product.line_of("source_ndc"),
                       source_curie, rank=(0,) + self.rank[1:])
            say("repackaged-from", "repackagedFrom", source, f"NDC {product.source_ndc}")
        for i, ingredient in enumerate(product.ingredients, 1):
            self.ingredient(ingredient, element, node, label, i)
        for i, package in enumerate(product.packages, 1):
            self.package(package, element, node, label, str(i), i, _contents_name(product))
        for m, part in enumerate(product.parts, 1):
            self.part(part, element, node, product.ndc, label, m)
        return node

    def part(self, part: Part, element: NamedNode, kit: NamedNode, kit_ndc: str | None, kit_label: str, m: int) -> None:
        part_element = NamedNode(f"{element.value}/part/{m}")
        part_node = self.product(part.product, part_element, m, (kit, kit_ndc or "", m))
        self.attribute(NamedNode(f"{part_element.value}/in-kit"), part_element, kit, "contains", part_node,
                       kit_label, f"part {m}")
        if part.quantity is not None and part.quantity.numerator is not None:
            claim = NamedNode(f"{part_element.value}/quantity")
            q = NamedNode(f"{claim.value}/quantity")
            shown = self.amount(q, part.quantity.numerator, "kit part quantity")
            if shown is not None:
                self.attribute(claim, part_element, part_node, "partQuantity", q, f"part {m} of {kit_label}",
                               shown)

    def ingredient(self, ingredient: Ingredient, element: NamedNode, product: NamedNode, product_label: str,
                   i: int) -> None:
        claim = NamedNode(f"{element.value}/ingredient/{i}")
        drug_like = ingredient.role == "active"
        substance = self.substance(ingredient.unii, ingredient.name, ingredient.line, drug_like,
                                   NamedNode(f"{claim.value}/substance"))
        cls = {"active": DKG.ActiveIngredient, "inactive": DKG.InactiveIngredient}.get(ingredient.role,
                                                                                        DKG.ProductIngredient)
        role = {"active": "active ingredient", "inactive": "inactive ingredient"}.get(ingredient.role, "ingredient")
        strength = ""
        roles: list[Triple] = [(claim, DKG.drug, product), (claim, DKG.hasSubstance, substance)]
        q = ingredient.strength
        if q is not None and q.numerator is not None and q.numerator.value is not None:
            numerator = NamedNode(f"{claim.value}/numerator")
            top = self.amount(numerator, q.numerator, "strength numerator")
            bottom = None
            if top is not None and q.denominator is not None and q.denominator.value is not None:
                denominator = NamedNode(f"{claim.value}/denominator")
                bottom = self.amount(denominator, q.denominator, "strength denominator")
                if bottom is not None:
                    roles.append((claim, DKG.strengthDenominator, denominator))
            if top is not None:
                roles.append((claim, DKG.strengthNumerator, numerator))
                strength = f", {top}" + (f" per {bottom}" if bottom is not None else "")
                if ingredient.basis == "active ingredient":
                    roles.append((claim, DKG.strengthOf, substance))
                elif ingredient.basis == "active moiety":
                    for j, moiety in enumerate(ingredient.moieties, 1):
                        roles.append((claim, DKG.strengthOf, self.moiety_node(moiety, claim, j)))
        self.add(*claim_core(claim, cls, f"{product_label} {role}: {ingredient.name or ingredient.unii}{strength}",
                             element))
        self.add(*roles)
        if drug_like:
            self.attribute(NamedNode(f"{element.value}/active-substance/{i}"), element, product,
                           "hasActiveSubstance", substance, product_label, ingredient.name or ingredient.unii or "")
        for j, moiety in enumerate(ingredient.moieties, 1):
            moiety_node = self.moiety_node(moiety, claim, j)
            if moiety_node != substance:
                self.attribute(NamedNode(f"{claim.value}/moiety/{j}"), element, substance, "activeMoiety",
                               moiety_node, ingredient.name or ingredient.unii or "substance",
                               moiety.name or moiety.unii or "")

    def moiety_node(self, moiety, claim: NamedNode, j: int) -> NamedNode:
        return self.substance(moiety.unii, moiety.name, moiety.line, True, NamedNode(f"{claim.value}/moiety/{j}/substance"))

    def substance(self, unii: str | None, name: str | None, line: int, drug: bool, fallback: NamedNode) -> NamedNode:
        curie = _curie("UNII", unii) if unii else None
        if unii and curie is None:
            self.warn(line, f"UNII {unii!r} is not a well-formed UNII (capital letters and digits); the substance "
                      "is minted under the label")
        node = NamedNode(expand(curie)) if curie else fallback
        types = [DKG.Substance] + ([DKG.DrugSubstance] if drug else [])
        return self.share(node, types, name or unii or "unnamed substance", line, curie)

    def package(self, package: Package, element: NamedNode, contents: NamedNode, contents_label: str, path: str,
                position: int, contents_name: str | None, inner: str | None = None) -> None:
        """Map a package and, outwards, the larger ones holding it. Its name is DailyMed's description from the
        package inwards: ``100 BLISTER PACK in 1 CARTON > 1 TABLET, FILM COATED in 1 BLISTER PACK``."""
        if package.ndc:
            node, curie = self.ndc_node(package.ndc, package.line)
        else:
            node, curie = NamedNode(f"{contents.value}/package/{position}"), None
        kind = package.form.display if package.form is not None and package.form.display else "package"
        numerator = package.quantity.numerator if package.quantity is not None else None
        if numerator is not None and numerator.unit and numerator.unit != "1":
            what = numerator.unit
        elif numerator is not None and numerator.translation is not None and numerator.translation.display:
            what = numerator.translation.display
        else:
            what = contents_name or "unit"
        amount = numerator.value if numerator is not None and numerator.value else "?"
        own = f"{amount} {what} in 1 {kind}"
        name = own if inner is None else f"{own} > {inner}"
        self.share(node, [DKG.Package], name, package.line, curie)
        claim_base = f"{element.value}/package/{path}"
        self.attribute(NamedNode(f"{claim_base}/contains"), element, node, "contains", contents,
                       name, contents_label)
        type_node = self.coded(package.form, DKG.PackageType, "package type")
        if type_node is not None:
            self.attribute(NamedNode(f"{claim_base}/type"), element, node, "hasPackageType", type_node, name, kind)
        if numerator is not None and numerator.value is not None:
            q = NamedNode(f"{claim_base}/quantity/quantity")
            shown = self.amount(q, numerator, "package quantity")
            if shown is not None:
                self.attribute(NamedNode(f"{claim_base}/quantity"), element, node, "packageQuantity", q, name,
                               shown)
            denominator = package.quantity.denominator
            if denominator is not None and denominator.value not in (None, "1"):
                self.warn(denominator.line, f"package quantity per {denominator.value!r} (not per 1) is kept as stated "
                          "for the numerator only")
        for i, outer in enumerate(package.packaged_in, 1):
            self.package(outer, element, node, name, f"{path}.{i}", i, kind, name)

    # ---- statements of sections
    def boxed_warnings(self) -> None:
        top = [n for n in self.product_nodes]
        for section in self.label.sections:
            if not section.is_boxed_warning:
                continue
            source = self.section_iris[section.section_id]
            for n, (product, node) in enumerate(zip(self.label.products, top), 1):
                label = f"{_full_name(product) or 'Product'}" + (f", NDC {product.ndc}" if product.ndc else "")
                self.attribute(NamedNode(f"{source.value}/boxed-warning/{n}"), source, node, "hasBoxedWarning",
                               boolean(True), label, "true")

    def reactions(self) -> None:
        tables, problems = read_reactions(self.label)
        by_id = {s.section_id: s for s in self.label.sections}
        for problem in problems:
            section = by_id.get(problem.section_id)
            where = f"section {section_title(section)!r} (line {section.line})" if section else problem.section_id
            self.warnings.append(
                f"{self.label.path}:{problem.line}: adverse-reaction table {problem.table!r} in {where} was not "
                f"read: {problem.reason} (its rows are left out; fix the table or read it by hand)")
        for table in tables:
            self.reaction_table(table, by_id[table.section_id])

    def reaction_table(self, table: ReactionTable, section: Section) -> None:
        source = self.section_iris[section.section_id]
        k = next((i for i, t in enumerate(section.tables, 1) if t.line == table.line), 1)
        t = NamedNode(f"{source.value}/table/{k}")
        arms = []
        for a, arm in enumerate(table.arms, 1):
            population = NamedNode(f"{t.value}/arm/{a}")
            self.add((population, RDF.type, DKG.Population), (population, RDFS.label, text(arm.name)))
            arms.append(population)
        percent = self.ctx.percent or self.unit("%")[0]
        for r, row in enumerate(table.rows, 1):
            row_iri = f"{t.value}/row/{r}"
            reaction = NamedNode(f"{row_iri}/reaction")
            self.add((reaction, RDF.type, DKG.AdverseEvent), (reaction, RDFS.label, text(row.reaction)))
            rates = []
            for a, value in row.rates:
                arm = table.arms[a]
                rate = NamedNode(f"{row_iri}/arm/{a + 1}")
                q = NamedNode(f"{rate.value}/rate")
                number = decimal(value)
                size = f" (N={arm.size})" if arm.size is not None else ""
                self.add((rate, RDF.type, DKG.ArmRate),
                         (rate, RDFS.label, text(f"{arm.name}{size}: {number.value}%")),
                         (rate, DKG.hasPopulation, arms[a]), (rate, DKG.outcomeValue, q),
                         (q, RDF.type, DKG.Quantity), (q, RDFS.label, text(f"{number.value}%")),
                         (q, DKG.numericValue, number), (q, DKG.hasUnit, percent))
                if arm.size is not None:
                    self.add((rate, DKG.participantCount, integer(arm.size)))
                if arm.footnotes:
                    self.add((rate, RDFS.comment, text("\n".join(arm.footnotes))))
                rates.append(rate)
            for n, (product, node) in enumerate(zip(self.label.products, self.product_nodes), 1):
                claim = NamedNode(f"{row_iri}/product/{n}")
                name = _full_name(product) or "Product"
                self.add(*claim_core(claim, DKG.AdverseEventAssociation, f"{name} and {row.reaction}", source))
                self.add((claim, DKG.drug, node), (claim, DKG.hasAdverseEvent, reaction))
                self.add(*[(claim, DKG.hasArmRate, rate) for rate in rates])
                if row.footnotes:
                    self.add((claim, RDFS.comment, text("\n".join(row.footnotes))))

    def indexing(self) -> None:
        for n, item in enumerate(self.label.indexing, 1):
            element = self._iri("substance", str(n))
            name = item.name or item.unii or "substance"
            parents = [self.doc] + ([self.section_iris[item.section_id]] if item.section_id in self.section_iris else [])
            self.element(element, f"Indexing data: {name}" + (f" (UNII {item.unii})" if item.unii else ""), parents,
                         item.line, n)
            substance = self.substance(item.unii, item.name, item.line, True, NamedNode(f"{element.value}/drug"))
            for i, indexed in enumerate(item.classes, 1):
                code = indexed.code
                if code.system != NDF_RT_NCI or _curie("NDFRT", code.code) is None:
                    self.warn(indexed.line, f"pharmacologic class {code.code!r} (code system {code.system}) is not an "
                              "NDF-RT code; it is left out")
                    continue
                curie = f"NDFRT:{code.code}"
                kind = CLASS_KINDS.get(indexed.kind or "")
                if kind is None:
                    self.warn(indexed.line, f"pharmacologic class {code.code!r} has the kind {indexed.kind!r}, not one "
                              f"of {', '.join(CLASS_KINDS)}; it is kept as a plain drug class")
                display = _BRACKET.sub("", code.display or "") or indexed.name or code.code
                node = self.share(NamedNode(expand(curie)), [DKG.DrugClass] + ([kind] if kind else []), display,
                                  indexed.line, curie)
                if indexed.name and indexed.name.casefold() != display.casefold():
                    self.share(node, [], indexed.name, indexed.line, rank=(-1,))
                self.attribute(NamedNode(f"{element.value}/class/{i}"), element, substance, "hasDrugClass",
                               node, name, display)


def _full_name(product: Product) -> str | None:
    """The proprietary name with its suffix, as the label states them."""
    if not product.name:
        return None
    return f"{product.name} {product.suffix}" if product.suffix else product.name


def _contents_name(product: Product) -> str | None:
    return product.form.display if product.form is not None and product.form.display else None


def label_triples(label: Label, ctx: LabelContext, shared: SharedNodes) -> tuple[list[Triple], list[str]]:
    """The triples of one label (its shared nodes' identity goes to ``shared``), and the warnings about what was
    left out, each ``file:line: reason``."""
    mapper = _Mapper(label, ctx, shared)
    mapper.run()
    return mapper.triples, mapper.warnings
