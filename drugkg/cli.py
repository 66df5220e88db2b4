"""The ``drugkg`` command line: thin commands over plain, tested functions.

Exit codes: 0 success, 1 invalid data or an invalid graph (every error listed as ``file:line: record-id: problem (fix)``),
2 usage or tool error.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from drugkg.errors import EXIT_DATA_INVALID, EXIT_OK, EXIT_USAGE, DataInvalid, UsageError
from drugkg.paths import (
    default_checks_dir,
    default_data_dir,
    default_documents_dir,
    default_labels_dir,
    default_ontology,
    default_out_dir,
    default_queries_dir,
    default_shapes,
)


def _progress(message: str) -> None:
    print(f"drugkg: {message}", file=sys.stderr)


def cmd_build(args: argparse.Namespace) -> int:
    from drugkg.build import build

    compiled, written = build(
        args.data, args.out, args.ontology, args.base_iri, progress=_progress, checks_dir=args.checks,
        shapes=args.shapes, labels=_labels(args), documents=args.documents,
    )
    counts = compiled.counts
    print(
        f"Built {counts['triples']} triples: {counts['claims']} claims, {counts['entities']} entities, "
        f"{counts['documents']} source documents, from {len(compiled.files)} data files"
        + (f" and {counts['labels']} labels" if counts["labels"] else "") + "."
    )
    print(f"Wrote to {args.out}/: {', '.join(p.name for p in written)}, and the query store store/")
    return EXIT_OK


def cmd_validate(args: argparse.Namespace) -> int:
    from drugkg.build import check_graph, compile_graph, inferred_graph_triples
    from drugkg.engine import write_store

    _progress(f"reading {args.data}")
    compiled = compile_graph(args.data, args.ontology, args.base_iri, _labels(args), _progress,
                             documents=args.documents)
    store = write_store(None, compiled.ntriples, args.ontology)
    reasoned = check_graph(compiled, store, args.ontology, args.checks, args.shapes, _progress)
    hierarchy = len(inferred_graph_triples(store, args.ontology, reasoned)) - len(reasoned.inferred)
    defined_classes = _defined(args.ontology)
    inferred_classes = {t.object.value.rsplit("#", 1)[1] for t in reasoned.inferred}
    defined = sorted(inferred_classes & defined_classes)
    counts = compiled.counts
    print(f"Valid: {counts['triples']} triples ({counts['claims']} claims, {counts['entities']} entities) from "
          f"{len(compiled.files)} data files" + (f" and {counts['labels']} labels" if counts["labels"] else "") + ".")
    if compiled.warnings:
        print(f"  labels: {len(compiled.warnings)} fact(s) left out, each named above")
    print(f"  data-quality checks: {len(list(args.checks.glob('*-violation.rq')))} run, no violations")
    print(f"  SHACL shapes ({args.shapes.name}): no violations")
    print(f"  OWL reasoning (HermiT): consistent, no unsatisfiable classes; {len(reasoned.inferred)} class memberships inferred"
          + (f", among them the defined classes {', '.join(defined)}" if defined else "")
          + f"; {hierarchy} more from the class hierarchy (the superclasses of every type)")
    if args.coverage:
        from drugkg.documents import coverage_table

        print()
        print(coverage_table(compiled.coverage) if compiled.coverage else
              "Coverage: no curated document was checked (give --documents DIR)")
    return EXIT_OK


def _labels(args: argparse.Namespace) -> Path | None:
    """The labels folder to load: --labels, else the shared labels beside the checkout when they are there."""
    if args.no_labels:
        return None
    if args.labels is not None:
        return args.labels
    folder = default_labels_dir()
    if not folder.is_dir():
        _progress(f"no labels folder at {folder}: loading the curated data only (pass --labels DIR to load labels)")
        return None
    return folder


def _defined(ontology: Path) -> set[str]:
    from drugkg.ontology import load_ontology

    return load_ontology(ontology.resolve()).defined


def cmd_queries(args: argparse.Namespace) -> int:
    from drugkg.queries import catalogue

    queries = [q for name, q in catalogue(args.queries).items() if args.checks == name.startswith("checks/")]
    width = max((len(q.name) for q in queries), default=0)
    for query in queries:
        params = " ".join(f"{p.name}={'' if p.required else '?'}{p.type_name}" for p in query.parameters)
        print(f"{query.name.ljust(width)}  {query.summary}" + (f"  [{params}]" if params and args.verbose else ""))
    return EXIT_OK


def cmd_query(args: argparse.Namespace) -> int:
    from drugkg import engine
    from drugkg.queries import check_nesting, find, load_query_file, parse_assignments

    if (args.name is None) == (args.file is None):
        raise UsageError("give either a saved query NAME or --file FILE.rq ('drugkg queries' lists the names)")
    if args.file is not None:
        if not args.file.is_file():
            raise UsageError(f"query file {args.file} does not exist")
        query = load_query_file(args.file)
    else:
        query = find(args.queries, args.name)
    text = query.bind(parse_assignments(args.param))
    check_nesting(text, str(args.file or f"query {query.name}"))
    if args.show:
        print(text)
        return EXIT_OK
    source = str(args.file or f"query {query.name}")
    if args.endpoint:
        from drugkg.push import default_graphs

        if args.page_size < 1:
            raise UsageError(f"--page-size must be at least 1, got {args.page_size}")

        graphs = [] if args.endpoint_default_graph else (args.graph or default_graphs(_base_iri(args.store)))
        result = engine.run_remote(
            args.endpoint, text, query.form, method=args.method, timeout=args.timeout, graphs=graphs, source=source,
            credentials=_credentials(args), page_size=args.page_size,
            params=parse_assignments(args.endpoint_param, "--endpoint-param", "timeout=30000"),
        )
        engine.write_result(result, args.format, sys.stdout.buffer, {"id": _base_iri(args.store)})
    else:
        # opened first, here: the store's own threads and caches before the deep stack's address space
        store, prefixes = engine.open_store(args.store), {"id": _base_iri(args.store)}

        def run() -> None:  # on one thread: pyoxigraph's answers may not cross threads (the store may)
            engine.write_result(engine.run_local(store, text, source), args.format, sys.stdout.buffer, prefixes)

        # pyoxigraph parses and evaluates recursively: on a deep stack, as the server's workers do
        engine.on_deep_stack(run)
    sys.stdout.buffer.flush()
    return EXIT_OK


def cmd_push(args: argparse.Namespace) -> int:
    from drugkg.push import push

    results = push(
        args.store, args.endpoint, gsp=args.gsp, update=args.update, graph=args.graph,
        credentials=_credentials(args), size=args.chunk, timeout=args.timeout, progress=_progress,
    )
    for upload, count in results:
        print(f"<{upload.graph}>: {count} triples from {upload.path.name}, count checked in the store")
    return EXIT_OK


DIFF_DATASET_FORMATS = ("trig", "nq")  # the changeset's two graphs in one file; the graph formats: two files


def cmd_diff(args: argparse.Namespace) -> int:
    import pyoxigraph as ox

    import json

    from drugkg.diff import changeset_quads, diff_builds, write_json, write_text
    from drugkg.engine import GRAPH_FORMATS
    from drugkg.label_diff import diff_label_files, is_label_file
    from drugkg.label_diff import json_document as label_json
    from drugkg.label_diff import write_text as write_label_text
    from drugkg.vocab import WRITE_PREFIXES

    if args.format in GRAPH_FORMATS and args.out is None:
        raise UsageError(f"--format {args.format} holds one graph: give --out DIR for added.{args.format} and "
                         f"removed.{args.format}, or use --format trig or nq for both graphs in one file")
    labels = None
    if is_label_file(args.old) or is_label_file(args.new):
        if not (is_label_file(args.old) and is_label_file(args.new)):
            raise UsageError(f"give two build folders or two label files (*.xml), not one of each: {args.old}, "
                             f"{args.new}")
        labels = diff_label_files(args.old, args.new, args.data, args.ontology, args.queries)
        diff, base = labels.diff, labels.base
    else:
        diff, base = diff_builds(args.old, args.new), _base_iri(args.new)
    prefixes = {**WRITE_PREFIXES, "id": base}
    if args.format == "text" and labels is not None:
        write_label_text(labels, sys.stdout)
    elif args.format == "text":
        write_text(diff, sys.stdout, prefixes)
    elif args.format == "json" and labels is not None:
        json.dump(label_json(labels), sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
    elif args.format == "json":
        write_json(diff, sys.stdout)
    elif args.format in DIFF_DATASET_FORMATS:
        fmt = ox.RdfFormat.TRIG if args.format == "trig" else ox.RdfFormat.N_QUADS
        sys.stdout.buffer.write(ox.serialize(changeset_quads(diff), format=fmt, prefixes=prefixes) or b"")
    else:
        args.out.mkdir(parents=True, exist_ok=True)
        for name, triples in (("added", diff.added), ("removed", diff.removed)):
            path = args.out / f"{name}.{args.format}"
            path.write_bytes(ox.serialize(triples, format=GRAPH_FORMATS[args.format], prefixes=prefixes) or b"")
        print(f"wrote {args.out}/added.{args.format} ({len(diff.added)} triples) and {args.out}/removed.{args.format} "
              f"({len(diff.removed)} triples)", file=sys.stderr)
    return EXIT_OK if diff.equal else EXIT_DATA_INVALID


def cmd_serve(args: argparse.Namespace) -> int:
    from drugkg.server import Settings
    from drugkg.server.app import serve

    settings = Settings(dist=args.store, queries=args.queries, host=args.host, port=args.port, workers=args.workers,
                        timeout=args.timeout, max_rows=args.max_rows, max_triples=args.max_triples,
                        max_query_bytes=args.max_query_bytes, on_disk=args.on_disk, documents=args.documents,
                        public_url=args.public_url)
    serve(settings, announce=_progress)
    return EXIT_OK


def cmd_fetch_labels(args: argparse.Namespace) -> int:
    from drugkg.fetch import DAILYMED, FetchError, fetch_labels

    results = fetch_labels(args.set_ids, args.out, args.base_url or DAILYMED, args.timeout, progress=_progress)
    failed = [r for r in results if isinstance(r, FetchError)]
    for error in failed:
        print(f"drugkg: error: {error}", file=sys.stderr)
    if failed:
        print(f"drugkg: {len(failed)} of {len(results)} set id(s) failed; nothing was written for them.", file=sys.stderr)
        return EXIT_USAGE
    return EXIT_OK


def _credentials(args: argparse.Namespace):
    """User from --user, password from the environment variable named by --password-env (never the command line)."""
    import os

    from drugkg.push import Credentials

    if args.user is None:
        if args.password_env:
            raise UsageError("--password-env needs --user")
        return None
    if not args.password_env:
        raise UsageError("--user needs --password-env VAR, the environment variable that holds the password")
    password = os.environ.get(args.password_env)
    if password is None:
        raise UsageError(f"environment variable {args.password_env} is not set; export it with the password")
    return Credentials(args.user, password)


def _base_iri(dist: Path) -> str:
    """The base IRI of the graph: the one the build in ``dist`` used (its VoID), else data/dataset.yaml's."""
    from drugkg.engine import built_base  # not from drugkg.push: its HTTP client costs a local query 100 ms

    if (dist / "void.ttl").is_file():
        return built_base(dist)
    import yaml

    try:
        meta = yaml.safe_load((default_data_dir() / "dataset.yaml").read_text(encoding="utf-8"))
        return str(meta["dataset"]["base_iri"])
    except (OSError, KeyError, TypeError, yaml.YAMLError):
        return "https://w3id.org/drugkg/id/"


def make_parser() -> argparse.ArgumentParser:
    from drugkg.formats import GRAPH_FORMAT_NAMES, PAGE_SIZE, QUERY_FORMATS

    parser = argparse.ArgumentParser(
        prog="drugkg",
        description="drugkg: a structured drug knowledge graph built from curated, source-cited facts.",
        epilog="Exit codes: 0 ok, 1 invalid data, 2 usage or tool error.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    build = sub.add_parser(
        "build",
        help="validate the data and write the graph in every RDF format",
        description="Validate data/, run the loaders and write drugkg.ttl, .nt, .jsonld, .rdf and void.ttl.",
        epilog="Example: drugkg build --out dist/",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    build.add_argument("--out", type=Path, default=default_out_dir(), help="output folder (default: ./dist)")
    _input_options(build)
    build.set_defaults(func=cmd_build)

    validate = sub.add_parser(
        "validate",
        help="check the data without writing anything: data-quality queries, SHACL shapes, OWL reasoning",
        description=(
            "Validate data/ in three layers: the data-quality checks (queries/checks/), the SHACL shapes "
            "(ontology/shapes.ttl, with pySHACL) and OWL reasoning over the ontology and data (HermiT, needs Java): "
            "consistency and unsatisfiable classes. Every problem names the rule, the record, its label and the "
            "file and line it came from."
        ),
        epilog="Exit codes: 0 valid, 1 invalid, 2 tool error (for example Java missing).",
    )
    _input_options(validate)
    validate.add_argument("--coverage", action="store_true",
                          help="also print, per curated document and section, its non-blank lines and how each is "
                               "accounted for: headings, lines claims cite, lines listed as stating no drug fact "
                               "(by reason)")
    validate.set_defaults(func=cmd_validate)

    queries = sub.add_parser(
        "queries",
        help="list the saved queries with the question each answers",
        description="List the saved SPARQL queries in queries/ with their summaries.",
    )
    queries.add_argument("--queries", type=Path, default=default_queries_dir(), help="query folder (default: queries/)")
    queries.add_argument("--checks", action="store_true", help="list the data-quality checks instead")
    queries.add_argument("-v", "--verbose", action="store_true", help="also show each query's parameters and types")
    queries.set_defaults(func=cmd_queries)

    query = sub.add_parser(
        "query",
        help="run a saved query (or a .rq file) on the built graph or on a remote SPARQL endpoint",
        description=(
            "Run a saved query by NAME, or an ad-hoc query with --file. Parameters are bound as typed RDF terms, "
            "never pasted into the query text; a parameter that is not given takes the query's default."
        ),
        epilog=(
            "Examples:\n"
            "  drugkg query adverse-events\n"
            "  drugkg query adverse-events --param drug=https://w3id.org/drugkg/id/hemgenix --format csv\n"
            "  drugkg query --file my.rq --format json\n"
            "  drugkg query drug-profile --endpoint http://127.0.0.1:7878/query"
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    query.add_argument("name", nargs="?", help="saved query name (see 'drugkg queries')")
    query.add_argument("--file", type=Path, help="run the query in this .rq file instead of a saved one")
    query.add_argument("--param", "-p", action="append", metavar="NAME=VALUE", help="a parameter value (repeatable)")
    query.add_argument("--format", "-f", choices=QUERY_FORMATS, default="table",
                       help="table (default), csv, tsv, json or xml; ttl, nt, jsonld or rdf for CONSTRUCT/DESCRIBE")
    query.add_argument("--store", type=Path, default=default_out_dir(), help="the build output holding store/ (default: ./dist)")
    query.add_argument("--queries", type=Path, default=default_queries_dir(), help="query folder (default: queries/)")
    query.add_argument("--endpoint", help="run on this SPARQL endpoint URL instead of the built graph")
    query.add_argument("--method", choices=("GET", "POST"), default="GET", help="HTTP method for --endpoint; POST is form-encoded (default: GET)")
    query.add_argument("--timeout", type=float, default=60.0, help="seconds to wait for --endpoint (default: 60)")
    query.add_argument("--graph", action="append", default=[], metavar="IRI",
                       help="with --endpoint: a graph to query as the default graph (repeatable; sent as "
                            "default-graph-uri; default: the three graphs 'drugkg push' writes)")
    query.add_argument("--endpoint-param", action="append", metavar="NAME=VALUE",
                       help="with --endpoint: an extra protocol parameter the store understands (repeatable; e.g. "
                            "Virtuoso's timeout=30000, in ms)")
    query.add_argument("--page-size", type=int, default=PAGE_SIZE, metavar="ROWS",
                       help="with --endpoint: rows asked for per request; SELECT answers are fetched page by page "
                            "past a store's silent row cap (default: 10000, Virtuoso's cap)")
    query.add_argument("--endpoint-default-graph", action="store_true",
                       help="with --endpoint: query the endpoint's own default graph instead of drugkg's named graphs")
    _credential_options(query)
    query.add_argument("--show", action="store_true", help="print the query with its parameters bound, and do not run it")
    query.set_defaults(func=cmd_query)

    push = sub.add_parser(
        "push",
        help="load the built graph into a triple store (Graph Store Protocol, or SPARQL Update) and check it",
        description=(
            "Replace three named graphs in a triple store with the build's asserted data, ontology and inferred "
            "triples: each is loaded into a temporary graph, in chunks, through the SPARQL 1.1 Graph Store Protocol "
            "(--gsp) or SPARQL 1.1 Update (--update, also the fallback when the store has no Graph Store Protocol), "
            "its triple count compared with the build's, and then all three are switched in by one SPARQL Update "
            "(MOVE), so a failed or killed push leaves the previous graphs (the next push removes its temporary "
            "graphs). The switch needs the update endpoint even with --gsp. Passwords come only from an environment "
            "variable."
        ),
        epilog=(
            "Examples:\n"
            "  drugkg push --endpoint http://127.0.0.1:7878/query --gsp http://127.0.0.1:7878/store \\\n"
            "      --update http://127.0.0.1:7878/update\n"
            "  VIRTUOSO_PASSWORD=... drugkg push --endpoint http://127.0.0.1:8890/sparql \\\n"
            "      --gsp http://127.0.0.1:8890/sparql-graph-crud-auth --update http://127.0.0.1:8890/sparql-auth \\\n"
            "      --user dba --password-env VIRTUOSO_PASSWORD"
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    push.add_argument("--endpoint", required=True, help="the store's SPARQL query endpoint (for the count check)")
    push.add_argument("--gsp", help="the store's Graph Store Protocol endpoint")
    push.add_argument("--update", help="the store's SPARQL Update endpoint (default: --endpoint)")
    push.add_argument("--graph", metavar="IRI", help="named graph for the asserted data (default: BASE + graph/asserted)")
    push.add_argument("--store", type=Path, default=default_out_dir(), help="the build output to push (default: ./dist)")
    push.add_argument("--chunk", type=int, default=50_000, help="triples per request (default: 50000)")
    push.add_argument("--timeout", type=float, default=300.0, help="seconds to wait for each request (default: 300)")
    _credential_options(push)
    push.set_defaults(func=cmd_push)

    serve = sub.add_parser(
        "serve",
        help="serve the built graph: a read-only SPARQL endpoint, linked-data pages and the saved queries",
        description=(
            "Serve the build in --store over HTTP: the SPARQL 1.1 Protocol at /sparql (read-only), an HTML page and "
            "RDF (by content negotiation) for every resource, the ontology, the dataset description and the saved "
            "queries, and a query page. Queries run in worker processes under a hard timeout; answers over the "
            "caps are refused, never cut short. Listens on 127.0.0.1 unless --host says otherwise."
        ),
        epilog=(
            "Examples:\n"
            "  drugkg serve                       # then open http://127.0.0.1:8000/\n"
            "  drugkg serve --port 8080 --timeout 10 --max-rows 5000"
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1, this machine only)")
    serve.add_argument("--port", type=int, default=8000, help="port to listen on (default: 8000; 0 picks a free one)")
    serve.add_argument("--store", type=Path, default=default_out_dir(), help="the build output holding store/ (default: ./dist)")
    serve.add_argument("--queries", type=Path, default=default_queries_dir(), help="saved query folder (default: queries/)")
    serve.add_argument("--workers", type=int, default=2, help="query worker processes (default: 2)")
    serve.add_argument("--timeout", type=float, default=30.0, help="seconds a query may run; longer ones are stopped with 503 (default: 30)")
    serve.add_argument("--max-rows", type=int, default=10_000, help="largest SELECT answer; larger ones are refused with 422 (default: 10000)")
    serve.add_argument("--max-triples", type=int, default=100_000,
                       help="largest CONSTRUCT/DESCRIBE answer; larger ones are refused with 422 (default: 100000)")
    serve.add_argument("--on-disk", action="store_true",
                       help="query the on-disk store (dist/store) instead of loading the build into each worker's "
                            "memory: starts at once and needs little memory, but answers about five times slower")
    serve.add_argument("--documents", type=Path, default=default_documents_dir(), metavar="DIR",
                       help="folder of the curated documents' files: each claim's page quotes the lines it cites when "
                            "the file there is the one the build checked (default: ../shared/seeds beside the checkout)")
    serve.add_argument("--max-query-bytes", type=int, default=65_536, help="longest query text; longer ones are refused with 413 (default: 65536)")
    serve.add_argument("--public-url", metavar="URL",
                       help="the URL clients reach this server at (behind a proxy, say https://drugkg.example.org): "
                            "the dataset description (/void) gives the SPARQL endpoint and the download URLs under it "
                            "(default: http://HOST:PORT, the address it listens on)")
    serve.set_defaults(func=cmd_serve)

    diff = sub.add_parser(
        "diff",
        help="compare two builds, or two versions of a label: the facts added, removed and changed, with their sources",
        description=(
            "Compare the builds in OLD and NEW (two folders 'drugkg build' wrote, such as the previous dist/ and "
            "the new one): the facts added, removed and changed, grouped by entity (the drug a claim is about, an "
            "attribute's subject, a section's document) and kind (names, classes, indications, dosing, adverse "
            "events, tests, products, packages, ingredients, sections, other), each with its source section on "
            "each side; a changed value shows old and new. As text (default), JSON, or the RDF changeset: the "
            "removed and the added triples as two graphs (urn:drugkg:diff:removed, urn:drugkg:diff:added), in "
            "TriG or N-Quads on standard output, or in one of the graph formats as two files in --out.\n\n"
            "OLD and NEW may also be two versions of one FDA label (SPL *.xml files of one set id, the older "
            "first): each is loaded alone with the curated data (--data), and the text and JSON say which "
            "sections were added, removed or reworded and which product data changed (the rows of the saved query "
            "label-changes), then the changes of the two graphs; the RDF formats give the graphs' changeset."
        ),
        epilog=(
            "Examples:\n"
            "  drugkg diff old-dist dist\n"
            "  drugkg diff old-dist dist --format json > changes.json\n"
            "  drugkg diff old-dist dist --format ttl --out changes/\n"
            "  drugkg diff labels/lipitor-v10.xml labels/lipitor-v11.xml\n"
            "Exit codes, as diff's: 0 the builds (or label files) hold the same triples, 1 they differ, 2 an error."
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    diff.add_argument("old", type=Path, help="the earlier build's folder, or the earlier version of a label (.xml)")
    diff.add_argument("new", type=Path, help="the later build's folder, or the later version of the label (.xml)")
    diff.add_argument("--data", type=Path, default=default_data_dir(),
                      help="for two label files: the curated data folder they are loaded with (default: data/)")
    diff.add_argument("--ontology", type=Path, default=default_ontology(), help="for two label files: the ontology "
                      "file (default: ontology/drugkg.ttl)")
    diff.add_argument("--queries", type=Path, default=default_queries_dir(),
                      help="for two label files: the folder of the saved query label-changes (default: queries/)")
    diff.add_argument("--format", "-f", default="text", choices=["text", "json", *DIFF_DATASET_FORMATS, *GRAPH_FORMAT_NAMES],
                      help="text (default), json, trig or nq (the changeset as two graphs), or ttl, nt, jsonld, rdf "
                           "(two files in --out)")
    diff.add_argument("--out", type=Path, metavar="DIR", help="folder for added.FORMAT and removed.FORMAT")
    diff.set_defaults(func=cmd_diff)

    fetch = sub.add_parser(
        "fetch-labels",
        help="download the current FDA label (SPL XML) of each set id from DailyMed into a labels folder",
        description=(
            "Download the current SPL document of each SET_ID from DailyMed's web services "
            "(BASE/services/v2/spls/SET_ID.xml) into --out as SET_ID_VERSION.xml, so versions fetched at different "
            "times sit side by side. Each answer is read with the hardened label reader and must be the label of "
            "the set id asked for; it is written whole or not at all, and an existing file is never replaced (the "
            "same version with the same bytes is reported as already there). Every set id is tried; each failure "
            "is one line."
        ),
        epilog=(
            "Examples:\n"
            "  drugkg fetch-labels 608d4f0d-b19f-46d3-749a-7159aa5f933d\n"
            "  drugkg fetch-labels c6e131fe-e7df-4876-83f7-9156fc4e8228 17a163ef-b349-4e32-bc8c-b02bac7f65d6 "
            "--out labels/\n"
            "Exit codes: 0 every set id fetched (or already there), 2 a bad set id, or any set id failed."
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    fetch.add_argument("set_ids", nargs="+", metavar="SET_ID", help="a label's set id (8-4-4-4-12 hex digits)")
    fetch.add_argument("--out", type=Path, default=Path("labels"), help="labels folder (default: ./labels)")
    # the default is drugkg.fetch.DAILYMED, not imported here: building the parser stays free of urllib and dataclasses
    fetch.add_argument("--base-url", help="DailyMed's address (default: https://dailymed.nlm.nih.gov/dailymed)")
    fetch.add_argument("--timeout", type=float, default=60.0, help="seconds for each whole download (default: 60)")
    fetch.set_defaults(func=cmd_fetch_labels)
    return parser


def _credential_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--user", help="user name for a store that asks for one (HTTP basic or digest)")
    parser.add_argument("--password-env", metavar="VAR", help="environment variable holding the password")


def _input_options(parser: argparse.ArgumentParser) -> None:
    """What build and validate read: the data, the ontology, the base IRI, the checks and the shapes."""
    parser.add_argument("--data", type=Path, default=default_data_dir(), help="curated data folder (default: data/)")
    parser.add_argument("--ontology", type=Path, default=default_ontology(), help="ontology file (default: ontology/drugkg.ttl)")
    parser.add_argument("--base-iri", default=None, help="base IRI for minted resources (default: the dataset's base_iri)")
    parser.add_argument("--checks", type=Path, default=default_checks_dir(), help="folder of *-violation.rq data-quality checks (default: queries/checks/)")
    parser.add_argument("--shapes", type=Path, default=default_shapes(), help="SHACL shapes file (default: ontology/shapes.ttl)")
    documents = parser.add_mutually_exclusive_group()
    documents.add_argument("--documents", type=Path, default=default_documents_dir(), metavar="DIR",
                           help="folder of the curated documents' files, checked against each document record's "
                                "sha256 and sections (default: ../shared/seeds beside the checkout)")
    documents.add_argument("--no-documents", dest="documents", action="store_const", const=None,
                           help="do not check the documents against their files (a synthetic benchmark corpus has none)")
    labels = parser.add_mutually_exclusive_group()
    labels.add_argument("--labels", type=Path, default=None, metavar="DIR",
                        help="folder of FDA drug labels (SPL *.xml) to load with the data (default: ../shared/labels "
                             "beside the checkout, when it is there)")
    labels.add_argument("--no-labels", action="store_true", help="load the curated data only")


def main(argv: list[str] | None = None) -> int:
    parser = make_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        return args.func(args)
    except DataInvalid as exc:
        for error in exc.errors:
            print(error, file=sys.stderr)
        suffix = "; nothing was written." if args.command == "build" else "."
        print(f"drugkg: {len(exc.errors)} error(s){suffix}", file=sys.stderr)
        return EXIT_USAGE if args.command == "diff" else EXIT_DATA_INVALID  # diff's 1 says "they differ"
    except UsageError as exc:
        suffix = "; nothing was written." if args.command == "build" else ""
        print(f"drugkg: error: {exc}{suffix}", file=sys.stderr)
        return EXIT_USAGE
    except OSError as exc:
        print(f"drugkg: error: {exc.strerror or exc}: {exc.filename or ''}", file=sys.stderr)
        return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
