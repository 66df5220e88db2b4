"""The query output format names and the remote page size, in a module that imports nothing.

The command line's parser needs them for every command, and ``drugkg queries`` must start in a few tens of
milliseconds, so they cannot come from :mod:`drugkg.engine` (which imports pyoxigraph, SPARQLWrapper's helpers and
the query module). The engine maps the same names to pyoxigraph's formats; a test checks that the two agree.
"""

GRAPH_FORMAT_NAMES = ("ttl", "nt", "jsonld", "rdf")  # the formats a graph is written in (engine.GRAPH_FORMATS)
QUERY_FORMATS = ("table", "csv", "tsv", "json", "xml", *GRAPH_FORMAT_NAMES)
PAGE_SIZE = 10_000  # rows asked for per request: Virtuoso's default cap (ResultSetMaxRows) is 10,000
