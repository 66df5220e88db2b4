"""Loaders: one small pure function per record kind, registered by kind.

A loader takes one validated record and the read-only :class:`~drugkg.context.Context` and returns triples.
No I/O, no global state. ``loader(kind, fields)`` registers both the function and the record's field spec,
so the validator and the loader can never disagree on what a kind accepts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from drugkg.context import Context
from drugkg.schema import Field, KindSpec, Record, register_spec
from drugkg.terms import Triple

LoaderFn = Callable[[Record, Context], Iterable[Triple]]

LOADERS: dict[str, LoaderFn] = {}


class UnknownKind(KeyError):
    """A record kind with no registered loader; the message lists the known kinds."""


def loader(kind: str, fields: Mapping[str, Field], *, claim: bool = True, check=None):
    """Register ``fn`` as the loader of ``kind`` with its field spec (decorator)."""

    def register(fn: LoaderFn) -> LoaderFn:
        register_spec(KindSpec(kind, fields, claim, check))
        LOADERS[kind] = fn
        return fn

    return register


def load(record: Record, ctx: Context) -> list[Triple]:
    """Run the loader registered for the record's kind."""
    try:
        fn = LOADERS[record.kind]
    except KeyError:
        raise UnknownKind(f"no loader for record kind {record.kind!r}; known kinds: {', '.join(sorted(LOADERS))}") from None
    return list(fn(record, ctx))


# Importing the modules registers their loaders.
from loaders import (  # noqa: E402,F401
    adverse_event,
    ae_management,
    alternative,
    approval,
    attribute,
    document,
    dosage_regimen,
    dose_adjustment,
    effectiveness_factor,
    entity,
    indication,
    non_indication,
    patient_guidance,
    research_area,
    test_requirement,
    trial_outcome,
    unit,
)
