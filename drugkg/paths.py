"""Where drugkg finds its data and ontology by default: the checkout it is installed from, else the cwd."""

from __future__ import annotations

from pathlib import Path

PACKAGE_ROOT = Path(__file__).resolve().parent.parent


def project_root() -> Path:
    """The folder holding ``data/`` and ``ontology/``: the source checkout for an editable install, else cwd."""
    for candidate in (Path.cwd(), PACKAGE_ROOT):
        if (candidate / "ontology" / "drugkg.ttl").is_file() and (candidate / "data").is_dir():
            return candidate
    return Path.cwd()


def default_data_dir() -> Path:
    return project_root() / "data"


def default_labels_dir() -> Path:
    """The shared FDA labels beside the checkout (``../shared/labels``), which the default build loads."""
    return project_root().parent / "shared" / "labels"


def default_documents_dir() -> Path:
    """The curated documents' files beside the checkout (``../shared/seeds``), which the build checks claims against."""
    return project_root().parent / "shared" / "seeds"


def default_ontology() -> Path:
    return project_root() / "ontology" / "drugkg.ttl"


def default_out_dir() -> Path:
    return Path.cwd() / "dist"


def default_queries_dir() -> Path:
    return project_root() / "queries"


def default_checks_dir() -> Path:
    return default_queries_dir() / "checks"


def default_shapes() -> Path:
    return project_root() / "ontology" / "shapes.ttl"
