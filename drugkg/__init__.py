"""drugkg: a structured drug knowledge graph built from curated, source-cited facts."""

__version__ = "0.1.0"
