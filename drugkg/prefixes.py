"""External identifier prefixes: how a CURIE is checked and which IRI it expands to.

The IRI patterns are the ones recommended in ``../shared/identifiers.md`` (section 10, "IRI patterns"): OBO PURLs
for OBO ontologies, identifiers.org where the registry default is not a good RDF IRI. A prefix without a pattern
(``iri=None``) is still a valid identifier scheme; it is published as a value only, never as a made-up IRI.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote


@dataclass(frozen=True)
class Prefix:
    name: str
    pattern: str  # regular expression for the local part
    iri: str | None  # IRI prefix; the local part is appended
    example: str


def _obo(name: str, digits: int) -> Prefix:
    return Prefix(name, rf"\d{{{digits}}}", f"http://purl.obolibrary.org/obo/{name}_", "0" * digits)


PREFIXES: dict[str, Prefix] = {
    p.name: p
    for p in [
        _obo("MONDO", 7),
        _obo("HP", 7),
        _obo("CL", 7),
        _obo("UBERON", 7),
        _obo("OAE", 7),
        _obo("MAXO", 7),
        Prefix("NCBITaxon", r"\d+", "http://purl.obolibrary.org/obo/NCBITaxon_", "82300"),
        Prefix("CHEBI", r"\d+", "http://purl.obolibrary.org/obo/CHEBI_", "8382"),
        Prefix("DOID", r"\d+", "http://purl.obolibrary.org/obo/DOID_", "12259"),
        Prefix("NCIT", r"C\d+", "http://purl.obolibrary.org/obo/NCIT_", "C26721"),
        Prefix("ORPHA", r"\d+", "http://www.orpha.net/ORDO/Orphanet_", "98879"),
        Prefix("MESH", r"[CD]\d{6,9}", "http://id.nlm.nih.gov/mesh/", "D002836"),
        Prefix("HGNC", r"\d+", "https://identifiers.org/hgnc:", "3551"),
        Prefix("NCBIGene", r"\d+", "https://identifiers.org/ncbigene:", "2158"),
        Prefix("ENSEMBL", r"ENSG\d{11}", "https://identifiers.org/ensembl:", "ENSG00000101981"),
        Prefix("UNIPROT", r"[OPQ][0-9][A-Z0-9]{3}[0-9]|[A-NR-Z][0-9]([A-Z][A-Z0-9]{2}[0-9]){1,2}",
               "http://purl.uniprot.org/uniprot/", "P00740"),
        Prefix("LOINC", r"\d{1,7}-\d", "https://loinc.org/", "1742-6"),
        Prefix("DRUGBANK", r"DB\d{5}", "https://go.drugbank.com/drugs/", "DB00635"),
        Prefix("ATC", r"[A-Z](\d{2}([A-Z]([A-Z](\d{2})?)?)?)?", "https://identifiers.org/atc:", "B02BD16"),
        Prefix("RXNORM", r"\d+", "http://purl.bioontology.org/ontology/RXNORM/", "8640"),
        Prefix("NCT", r"NCT\d{8}", "https://identifiers.org/clinicaltrials:", "NCT03569891"),
        Prefix("OMIM", r"\d{6}", "https://omim.org/entry/", "306900"),
        Prefix("DBSNP", r"rs\d+", "https://www.ncbi.nlm.nih.gov/snp/", "rs137852283"),
        Prefix("SNOMEDCT", r"\d{6,18}", "http://snomed.info/id/", "41788008"),
        Prefix("ICD10CM", r"[A-Z]\d{2}(\.[0-9A-Z]{1,4})?", None, "D67"),
        Prefix("UMLS", r"C\d{7}", None, "C0008533"),
        Prefix("NDC", r"\d{4,5}-\d{3,4}(-\d{1,2})?", None, "0053-0300"),
        # Drug labels (docs/label-model.md section 1 says which registry each pattern is from and why).
        Prefix("UNII", r"[A-Z0-9]+", "https://identifiers.org/unii:", "U4VJ29L7BQ"),
        Prefix("NDFRT", r"N\d+", "http://purl.bioontology.org/ontology/NDFRT/", "N0000175984"),
        Prefix("DUNS", r"\d{9}", None, "927645523"),
        Prefix("DAILYMED", r"[A-Za-z0-9-]+", "https://identifiers.org/dailymed:", "c6e131fe-e7df-4876-83f7-9156fc4e8228"),
        Prefix("HGVS", r"\S+", None, "NM_000133.4:c.1151G>T"),
    ]
}


class CurieError(ValueError):
    """A CURIE with an unknown prefix or a local part in the wrong format; the message names the fix."""


def parse_curie(curie: str) -> tuple[Prefix, str]:
    """Split and check a CURIE.

    >>> parse_curie("MONDO:0010604")[1]
    '0010604'
    """
    if not isinstance(curie, str) or ":" not in curie:
        raise CurieError(f"{curie!r} is not a CURIE: write PREFIX:LOCAL, for example MONDO:0010604")
    name, local = curie.split(":", 1)
    prefix = PREFIXES.get(name)
    if prefix is None:
        raise CurieError(f"unknown identifier prefix {name!r}: use one of {', '.join(sorted(PREFIXES))}")
    if not re.fullmatch(prefix.pattern, local):
        raise CurieError(
            f"{curie!r} is not a well-formed {name} identifier: the local part must match "
            f"{prefix.pattern}, for example {name}:{prefix.example}"
        )
    return prefix, local


def expand(curie: str) -> str | None:
    """The IRI of a CURIE, or None when its scheme has no IRI pattern.

    >>> expand("HP:0002315")
    'http://purl.obolibrary.org/obo/HP_0002315'
    """
    prefix, local = parse_curie(curie)
    return None if prefix.iri is None else prefix.iri + local


def slug(curie: str) -> str:
    """An IRI-safe, lower-case path segment for a CURIE, used to mint identifier-node IRIs.

    >>> slug("HGVS:NM_000133.4:c.1151G>T")
    'hgvs-NM_000133.4%3Ac.1151G%3ET'
    """
    prefix, local = parse_curie(curie)
    return f"{prefix.name.lower()}-{quote(local, safe='-._~')}"
