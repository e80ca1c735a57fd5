"""``diplowatch parse`` and ``diplowatch classify``: pure commands, no database."""

from __future__ import annotations

import argparse
import gzip
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from analysis.classifier import classify
from flows.commands.common import CliError, Subcommands, add_db
from parsers.article import TITLE_AND_LEAD, ParseError, fell_back, parse_article
from records import Article


def register(commands: Subcommands) -> None:
    parse = commands.add_parser("parse", help="extract articles from saved pages (JSON lines)")
    parse.add_argument("paths", nargs="+", type=Path, metavar="PATH", help=".html or .html.gz")
    parse.add_argument("--url", help="the URL the page was served from")
    parse.add_argument(
        "--extractor", default="auto", help="auto, generic, or an outlet key (default: auto)"
    )
    add_db(parse)
    parse.set_defaults(handler=command_parse)

    classify_cmd = commands.add_parser("classify", help="classify JSON lines with title and text")
    classify_cmd.add_argument("path", nargs="?", default="-", help="JSON lines file, or - (stdin)")
    add_db(classify_cmd)
    classify_cmd.set_defaults(handler=command_classify)


def read_page(path: Path) -> bytes:
    try:
        data = path.read_bytes()
    except OSError as error:
        raise CliError(f"{path}: cannot read: {error.strerror or error}") from error
    if path.suffix == ".gz":
        try:
            return gzip.decompress(data)
        except (OSError, EOFError) as error:
            raise CliError(f"{path}: not a readable gzip file: {error}") from error
    return data


def command_parse(args: argparse.Namespace) -> int:
    failures = 0
    for path in args.paths:
        try:
            article = parse_article(read_page(path), args.url or "", extractor=args.extractor)
        except (CliError, ParseError) as error:
            print(f"diplowatch parse: {path}: {error}", file=sys.stderr)
            failures += 1
            continue
        for line in extraction_warnings(article):
            print(f"diplowatch parse: {path}: warning: {line}", file=sys.stderr)
        print(json.dumps({"path": str(path), **article.to_json()}, ensure_ascii=False), flush=True)
    return 1 if failures else 0


def extraction_warnings(article: Article) -> list[str]:
    """What an operator must know of how the article was read: a fallback, a collapse."""
    warnings = list(article.extraction_notes)
    if fell_back(article) and article.extraction_method != TITLE_AND_LEAD:
        warnings.append(f"read by the fallback {article.extraction_method}")
    if article.extraction_method == TITLE_AND_LEAD:
        warnings.append("collapsed to title and lead: no extractor found a body")
    return warnings


def _json_lines(stream: IO[str]) -> Iterator[tuple[int, str]]:
    for number, line in enumerate(stream, start=1):
        if line.strip():
            yield number, line


def command_classify(args: argparse.Namespace) -> int:
    stream: IO[str]
    if args.path == "-":
        stream = sys.stdin
    else:
        try:
            stream = open(args.path, encoding="utf-8")  # noqa: SIM115 - closed below
        except OSError as error:
            raise CliError(f"{args.path}: cannot read: {error.strerror or error}") from error
    failures = 0
    out = sys.stdout
    # From stdin, each verdict is written as soon as its line is classified (a producer can
    # stream articles through); from a file, output is buffered for speed.
    streaming = stream is sys.stdin
    try:
        for number, line in _json_lines(stream):
            try:
                record = json.loads(line)
                if not isinstance(record, dict):
                    raise ValueError("not a JSON object")
                title, text = record.get("title") or "", record.get("text") or ""
                if not isinstance(title, str) or not isinstance(text, str):
                    raise ValueError("title and text must be strings")
            except ValueError as error:
                print(f"diplowatch classify: line {number}: {error}", file=sys.stderr)
                failures += 1
                continue
            record["verdict"] = classify(title, text).to_json()
            out.write(json.dumps(record, ensure_ascii=False))
            out.write("\n")
            if streaming:
                out.flush()
    finally:
        if stream is not sys.stdin:
            stream.close()
    out.flush()
    return 1 if failures else 0
