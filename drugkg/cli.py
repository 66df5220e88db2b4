"""The ``drugkg`` command line: thin commands over plain, tested functions.

Exit codes: 0 success, 1 invalid data (every error listed as ``file:line: record-id: problem (fix)``),
2 usage or tool error.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from drugkg.errors import EXIT_DATA_INVALID, EXIT_OK, EXIT_USAGE, DataInvalid, UsageError
from drugkg.paths import default_data_dir, default_ontology, default_out_dir


def _progress(message: str) -> None:
    print(f"drugkg: {message}", file=sys.stderr)


def cmd_build(args: argparse.Namespace) -> int:
    from drugkg.build import build

    compiled, written = build(args.data, args.out, args.ontology, args.base_iri, progress=_progress)
    counts = compiled.counts
    print(
        f"Built {counts['triples']} triples: {counts['claims']} claims, {counts['entities']} entities, "
        f"{counts['documents']} source documents, from {len(compiled.files)} data files."
    )
    print(f"Wrote to {args.out}/: {', '.join(p.name for p in written)}")
    return EXIT_OK


def make_parser() -> argparse.ArgumentParser:
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
    build.add_argument("--data", type=Path, default=default_data_dir(), help="curated data folder (default: data/)")
    build.add_argument("--ontology", type=Path, default=default_ontology(), help="ontology file (default: ontology/drugkg.ttl)")
    build.add_argument("--base-iri", default=None, help="base IRI for minted resources (default: the dataset's base_iri)")
    build.set_defaults(func=cmd_build)
    return parser


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
        print(f"drugkg: {len(exc.errors)} error(s); nothing was written.", file=sys.stderr)
        return EXIT_DATA_INVALID
    except UsageError as exc:
        print(f"drugkg: error: {exc}; nothing was written.", file=sys.stderr)
        return EXIT_USAGE
    except OSError as exc:
        print(f"drugkg: error: {exc.strerror or exc}: {exc.filename or ''}", file=sys.stderr)
        return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
