"""``drugkg serve``: a read-only SPARQL 1.1 Protocol endpoint and a linked-data browser over the built graph.

The package is split by what imports what, so that the query workers (separate processes) never load the web stack:

- :mod:`drugkg.server.work`: what a worker does with the store (run SPARQL under the result caps, describe a
  resource, list the ontology); plain functions over a pyoxigraph store, returning plain picklable values.
- :mod:`drugkg.server.pool`: the worker processes, each with the store open read-only, and the hard timeout.
- :mod:`drugkg.server.media`: format names, media types and ``Accept`` negotiation.
- :mod:`drugkg.server.app`: the Starlette application (routes, HTML pages) and :func:`drugkg.server.app.serve`.

Nothing here imports Starlette, uvicorn or Jinja2 at module level; ``drugkg.server.app`` does.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Settings:
    """How ``drugkg serve`` runs: what it serves, where it listens, and its limits."""

    dist: Path  # the build output folder holding store/ and void.ttl
    queries: Path  # the saved queries folder
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 2  # query worker processes
    timeout: float = 30.0  # seconds a query may run before its worker is stopped and the client gets 503
    max_rows: int = 10_000  # a SELECT answer with more rows is refused with 422
    max_triples: int = 100_000  # a CONSTRUCT or DESCRIBE answer with more triples is refused with 422
    max_query_bytes: int = 65_536  # a longer query text or request body is refused with 413
    on_disk: bool = False  # query the on-disk store instead of loading the build into each worker's memory
    documents: Path | None = None  # the curated documents' files, to quote the lines each claim cites
    public_url: str | None = None  # the URL clients reach the server at, for the description's links (else the address)
