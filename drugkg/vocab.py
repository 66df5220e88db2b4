"""The one place where vocabulary IRIs are written down.

Ontology terms (``DKG``) are declared by name below and a test checks every one of them against
``ontology/drugkg.ttl``; a term missing from the ontology fails that test. External vocabularies are plain
namespaces: ``RDF.type`` gives ``NamedNode('http://www.w3.org/1999/02/22-rdf-syntax-ns#type')``.
"""

from __future__ import annotations

from pyoxigraph import NamedNode

DKG_NS = "https://w3id.org/drugkg/ontology#"
ONTOLOGY_IRI = "https://w3id.org/drugkg/ontology"


class Namespace:
    """Builds NamedNodes under one IRI prefix; with ``terms`` given, only those names are allowed.

    >>> Namespace("http://example.org/", ["a"]).a
    <NamedNode value=http://example.org/a>
    """

    def __init__(self, prefix: str, terms: list[str] | None = None):
        self._prefix = prefix
        self._terms = frozenset(terms) if terms is not None else None
        self._nodes: dict[str, NamedNode] = {}  # made once each: the loaders ask for the same terms a million times

    @property
    def prefix(self) -> str:
        return self._prefix

    @property
    def terms(self) -> frozenset[str]:
        return self._terms or frozenset()

    def __getattr__(self, name: str) -> NamedNode:
        if name.startswith("_"):
            raise AttributeError(name)
        node = self[name]
        object.__setattr__(self, name, node)  # later lookups find the attribute and skip __getattr__
        return node

    def __getitem__(self, name: str) -> NamedNode:
        node = self._nodes.get(name)
        if node is None:
            if self._terms is not None and name not in self._terms:
                raise AttributeError(f"{name!r} is not a declared term of {self._prefix}")
            node = self._nodes[name] = NamedNode(self._prefix + name)
        return node


DKG_CLASSES = [
    # claims (facts with provenance)
    "Claim", "AttributeClaim", "RegulatoryApproval", "Indication", "NonIndication", "DosageRegimen",
    "DoseAdjustment", "AdverseEventAssociation", "AdverseEventManagement", "TestRequirement", "TrialOutcome",
    "PatientGuidance", "EffectivenessFactor", "ResearchArea", "AlternativeMention",
    # interventions and the gene therapy construct
    "Intervention", "DrugProduct", "DrugClass", "DrugSubstance", "GeneTherapyConstruct", "Vector",
    "ViralSerotype", "AAVSerotype", "Transgene", "Gene", "GeneVariant", "Protein", "Promoter", "PersistenceMode",
    # biology and medicine
    "CellType", "AnatomicalStructure", "InheritancePattern", "ClinicalEntity", "Disease", "AdverseEvent",
    "ClinicalFinding", "MedicalTest", "ClinicalTrial", "OutcomeMeasure", "Population", "EligibilityCriterion",
    "Route", "DosageForm", "DosingFrequency", "FrequencyBand",
    # defined classes (inferred by the reasoner, never asserted)
    "AAVGeneTherapy", "MonitoredDrug", "SeriousAdverseEventAssociation", "DisputedClaim",
    # value sets
    "TreatmentPhase", "GuidanceDirection", "ResearchStatus", "Seriousness", "Certainty", "CriteriaLogic",
    "ConfidenceLevel",
    # structured values, sources, agents, identifiers
    "Quantity", "Unit", "Schedule", "SourceDocument", "DocumentSection", "Organization", "Person",
    "ExternalIdentifier",
    # drug labels (SPL): substances, packages, ingredients, codes, adverse-reaction rates, FDA class kinds
    "Substance", "DocumentType", "Package", "PackageType", "RegulatoryCategory", "ProductIngredient",
    "ActiveIngredient", "InactiveIngredient", "ArmRate", "EstablishedPharmacologicClass", "MechanismOfActionClass",
    "PhysiologicEffectClass", "ChemicalStructureClass",
    # declared differences between claims; summary statistics of trial outcomes
    "ClaimDifference", "DifferenceKind", "SummaryStatistic",
]

DKG_INDIVIDUALS = [
    "PreTreatment", "Monitoring", "Do", "Dont", "Investigational", "Observational", "Serious", "NonSerious",
    "Established", "Theoretical", "AnyOf", "AllOf", "Verified", "Likely",
    "Contradiction", "ScopeDifference", "PrecisionDifference", "UnitDifference", "WordingDifference", "Mean",
]

DKG_PROPERTIES = [
    # claim bookkeeping
    "differsFrom", "claimSubject", "claimProperty", "claimObject",
    # n-ary claim roles
    "drug", "hasDisease", "hasPopulation", "hasEligibilityCriterion", "hasCriteriaLogic", "approval",
    "agency", "approvalDate", "scope", "intent", "reason", "offLabelExcluded", "dose", "hasDosingFrequency",
    "hasRoute", "hasDosageForm", "infusionRate", "forIndication", "administrationSetting", "doseBasis",
    "adjusts", "condition", "action", "hasAdverseEvent", "hasFrequencyBand", "hasSeriousness", "hasCertainty",
    "mechanism", "timing", "severity", "manages", "agent", "test", "phase", "purpose", "hasSchedule",
    "interval", "duration", "scheduleDescription", "sequenceNumber", "trial", "hasOutcomeMeasure",
    "outcomeValue", "timePoint", "participantCount", "resultDescription", "direction", "rationale", "factor",
    "mitigation", "topic", "hasResearchStatus", "periodStart", "periodEnd", "alternative", "context",
    # attribute properties (entity-level facts)
    "brandName", "genericName", "hasDrugClass", "hasBoxedWarning", "hasActiveSubstance", "hasVector",
    "hasTransgene", "targetsCellType", "targetsOrgan", "hasPersistenceMode", "producesProtein",
    "onsetDescription", "hasSerotype", "replicationCompetent", "pathogenic", "encodesGene", "hasVariant",
    "codonOptimized", "hasPromoter", "expressionRestrictedTo", "encodesProtein", "producedIn", "variantOf",
    "aminoAcidChange", "relativeActivity", "causedByVariantIn", "deficientProtein", "hasInheritancePattern",
    "primarilyAffects", "hasManifestation", "isRare", "usualFrequency", "studiesDrug", "isPivotal",
    "trialStatus", "followUpDuration", "ageRange", "frequencyRange", "contains", "hasPackageType",
    "packageQuantity", "partQuantity", "activeMoiety", "marketingCategory", "applicationNumber",
    "marketingStatus", "deaSchedule", "repackagedFrom",
    # product ingredients and adverse-reaction rates (drug labels)
    "hasSubstance", "strengthNumerator", "strengthDenominator", "strengthOf", "hasArmRate",
    # quantities and units
    "numericValue", "minInclusive", "minExclusive", "maxInclusive", "maxExclusive", "approximate", "hasUnit",
    "ucumCode",
    # sources
    "documentKind", "fileName", "fileHash", "startLine", "endLine", "citedLine", "textHash", "sectionKey",
    # identifiers
    "identifies", "identifierValue", "identifierScheme", "identifierIRI", "confidence", "seenAt",
    # declared differences between claims; roles that carry what the seeds state beyond the core claim fields
    "betweenClaim", "hasDifferenceKind", "oneValuePerSource", "manifestationOf", "scheduleEnd",
    "interchangeableWith", "permanent", "statistic", "selectionReason", "therapeuticEffect",
    # what the curators' notes held, as data: a protein's role, where a variant was first found, what a test's
    # result means for treatment
    "biologicalRole", "firstIdentifiedIn", "resultInterpretation",
]

DKG_DATATYPES = ["partialDate"]

DKG = Namespace(DKG_NS, DKG_CLASSES + DKG_INDIVIDUALS + DKG_PROPERTIES + DKG_DATATYPES)

RDF = Namespace("http://www.w3.org/1999/02/22-rdf-syntax-ns#")
RDFS = Namespace("http://www.w3.org/2000/01/rdf-schema#")
OWL = Namespace("http://www.w3.org/2002/07/owl#")
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")
PROV = Namespace("http://www.w3.org/ns/prov#")
DCTERMS = Namespace("http://purl.org/dc/terms/")
SCHEMA = Namespace("http://schema.org/")
VOID = Namespace("http://rdfs.org/ns/void#")
DCAT = Namespace("http://www.w3.org/ns/dcat#")
FOAF = Namespace("http://xmlns.com/foaf/0.1/")
SPDX = Namespace("http://spdx.org/rdf/terms#")  # checksums of the published files (as DCAT 3 recommends)
IANA_MEDIA_TYPES = "https://www.iana.org/assignments/media-types/"  # media types as IRIs (dcat:mediaType)

# Prefixes used when writing Turtle (and offered to other serializers that take them).
WRITE_PREFIXES = {
    "dkg": DKG_NS,
    "rdf": RDF.prefix,
    "rdfs": RDFS.prefix,
    "owl": OWL.prefix,
    "xsd": XSD.prefix,
    "skos": SKOS.prefix,
    "prov": PROV.prefix,
    "dcterms": DCTERMS.prefix,
    "schema": SCHEMA.prefix,
    "void": VOID.prefix,
    "dcat": DCAT.prefix,
}
