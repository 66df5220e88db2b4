"""Shared fixtures: the real graph built once per session, and paths to the project's inputs."""

from __future__ import annotations

import shutil
from pathlib import Path
from types import SimpleNamespace

import pyoxigraph as ox
import pytest

from drugkg.build import build
from drugkg.engine import open_store

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
ONTOLOGY = ROOT / "ontology" / "drugkg.ttl"
SHARED = ROOT.parent / "shared"
SEEDS = SHARED / "seeds"
LABELS = SHARED / "labels"
QUERIES = ROOT / "queries"

# The Hemgenix claims, counted by hand in data/hemgenix: 108 attribute, 17 adverse-event, 15 test-requirement,
# 8 patient-guidance, 6 effectiveness-factor, 6 trial-outcome, 2 alternative, 5 research-area, 3 ae-management,
# 3 dose-adjustment, 3 non-indication, 1 indication, 1 dosage-regimen, 1 approval.
HEMGENIX_CLAIMS = 179


@pytest.fixture(scope="session", autouse=True)
def query_cache(tmp_path_factory):
    """The parsed saved queries (drugkg.parsed_queries) are kept in a folder of the session's, never in the user's
    cache, by this process and every drugkg process the tests start."""
    folder = tmp_path_factory.mktemp("query-cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DRUGKG_CACHE_DIR", str(folder))
        yield folder


def pytest_addoption(parser):
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="rewrite golden files from the current output (review every diff before committing)",
    )


@pytest.fixture(scope="session")
def update_golden(request) -> bool:
    return request.config.getoption("--update-golden")


@pytest.fixture(scope="session")
def built(tmp_path_factory):
    """The real Hemgenix graph, built once as ``drugkg build --no-labels`` builds it (its documents checked against
    their files): the compiled graph, the output folder and its store (read-only)."""
    out = tmp_path_factory.mktemp("build") / "dist"
    compiled, written = build(DATA, out, ONTOLOGY, documents=SEEDS)
    return SimpleNamespace(compiled=compiled, out=out, written=written, store=open_store(out))


@pytest.fixture(scope="session")
def built_labels(tmp_path_factory):
    """The default graph, as ``drugkg build`` makes it: the Hemgenix data and the shared FDA labels (read-only)."""
    out = tmp_path_factory.mktemp("build-labels") / "dist"
    compiled, written = build(DATA, out, ONTOLOGY, labels=LABELS, documents=SEEDS)
    return SimpleNamespace(compiled=compiled, out=out, written=written, store=open_store(out))


# A SYNTHETIC second version of cough.xml, made from a copy for the tests of label versions (issue "What changed"):
# version 2, another document id and date, one word added to the "Uses" section, "(synthetic)" added to the
# generic name. The shared file is never edited.
SYNTHETIC_V2_EDITS = (
    ('<versionNumber value="1"/>', '<versionNumber value="2"/>'),
    ('<effectiveTime value="20110426"/>', '<effectiveTime value="20120301"/>'),
    ('<id root="00f66f25-3469-4c16-9baf-fba21e9628bd"/>', '<id root="11111111-2222-4333-8444-555555555555"/>'),
    ("• runny nose</paragraph>", "• runny nose (synthetic test edit)</paragraph>"),
    ("<name>Diphenhydramine HCl, Phenylephrine HCl</name>", "<name>Diphenhydramine HCl, Phenylephrine HCl (synthetic)</name>"),
)


def synthetic_second_version(folder: Path) -> Path:
    """Write ``folder/cough-v2-synthetic.xml``: cough.xml with :data:`SYNTHETIC_V2_EDITS`, each made exactly once."""
    text = (LABELS / "cough.xml").read_text(encoding="utf-8")
    for old, new in SYNTHETIC_V2_EDITS:
        assert old in text, old
        text = text.replace(old, new, 1)
    path = folder / "cough-v2-synthetic.xml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def built_versions(tmp_path_factory):
    """The shared labels and a synthetic second version of one of them (cough.xml): two versions of one set id."""
    labels = tmp_path_factory.mktemp("labels-versions")
    for path in LABELS.glob("*.xml"):
        shutil.copyfile(path, labels / path.name)
    synthetic_second_version(labels)
    out = tmp_path_factory.mktemp("build-versions") / "dist"
    compiled, written = build(DATA, out, ONTOLOGY, labels=labels, documents=SEEDS)
    return SimpleNamespace(compiled=compiled, out=out, written=written, store=open_store(out))


@pytest.fixture(scope="session")
def served(built, tmp_path_factory):
    """``drugkg serve`` on the built graph, a real process on a free loopback port, with caps small enough for the
    tests to pass them (1000 rows, 1000 triples); stopped by its process id when the session ends."""
    from tests.servers import start_drugkg

    server = start_drugkg(tmp_path_factory.mktemp("serve"), built.out, "--max-rows", "1000", "--max-triples", "1000")
    yield server
    server.stop()


@pytest.fixture(scope="session")
def served_labels(built_labels, tmp_path_factory):
    """``drugkg serve`` on the graph built with the shared labels, a real process on a free loopback port; stopped
    by its process id when the session ends."""
    from tests.servers import start_drugkg

    server = start_drugkg(tmp_path_factory.mktemp("serve-labels"), built_labels.out)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def served_versions(built_versions, tmp_path_factory):
    """``drugkg serve`` on the build with two versions of one label (:func:`built_versions`); stopped by its process
    id when the session ends."""
    from tests.servers import start_drugkg

    server = start_drugkg(tmp_path_factory.mktemp("serve-versions"), built_versions.out)
    yield server
    server.stop()


PREFIXES = """
PREFIX dkg: <https://w3id.org/drugkg/ontology#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX dcterms: <http://purl.org/dc/terms/>
"""


def select(store: ox.Store, query: str) -> list[dict[str, str]]:
    """Run a SELECT with the common prefixes on the asserted data; rows as {variable: lexical value}."""
    results = store.query(PREFIXES + query)
    names = [v.value for v in results.variables]
    return [{n: row[n].value for n in names if row[n] is not None} for row in results]
