"""The examples in the docstrings run and give what they say."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = ["drugkg.errors", "drugkg.prefixes", "drugkg.terms", "drugkg.vocab", "drugkg.context", "drugkg.queries",
           "drugkg.engine", "drugkg.schema", "drugkg.reader", "drugkg.ontology", "drugkg.push",
           "drugkg.fetch", "drugkg.kgx", "drugkg.parallel", "drugkg.server.work", "drugkg.server.media",
           "drugkg.server.app"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0, f"{name} has no examples"
    assert result.failed == 0
