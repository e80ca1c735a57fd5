"""The ``diplowatch`` command line. Errors are one clear line on stderr, not a traceback."""

from __future__ import annotations

import argparse
import asyncio
import gzip
import json
import logging
import os
import sys
from collections.abc import Iterator, Sequence
from datetime import date
from pathlib import Path
from typing import IO, Any

from analysis.classifier import classify
from parsers.article import ParseError, parse_article
from parsers.registry import OUTLETS

log = logging.getLogger("diplowatch.cli")


class CliError(Exception):
    """A failure the user can act on; printed as one line."""


def _add_db(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", metavar="URL", help="database URL (default: settings)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="diplowatch", description="Watch Vietnamese news for diplomacy; mail a daily digest."
    )
    commands = parser.add_subparsers(dest="command", required=True)

    parse = commands.add_parser("parse", help="extract articles from saved pages (JSON lines)")
    parse.add_argument("paths", nargs="+", type=Path, metavar="PATH", help=".html or .html.gz")
    parse.add_argument("--url", help="the URL the page was served from")
    parse.add_argument(
        "--extractor", default="auto", help="auto, generic, or an outlet key (default: auto)"
    )
    _add_db(parse)

    classify_cmd = commands.add_parser("classify", help="classify JSON lines with title and text")
    classify_cmd.add_argument("path", nargs="?", default="-", help="JSON lines file, or - (stdin)")
    _add_db(classify_cmd)

    run = commands.add_parser("run", help="one monitor run over the outlets")
    run.add_argument(
        "--replay",
        nargs="+",
        type=Path,
        default=[],
        metavar="WARC",
        help="answer requests from these WARC files instead of the network",
    )
    run.add_argument("--outlet", nargs="+", default=[], metavar="KEY", help="only these outlets")
    run.add_argument(
        "--digest", action="store_true", help="then produce today's digest for every watch profile"
    )
    _add_db(run)

    digest = commands.add_parser("digest", help="produce (and send) the digest of a day")
    digest.add_argument(
        "--date",
        type=date.fromisoformat,
        metavar="YYYY-MM-DD",
        help="the digest's day in Asia/Ho_Chi_Minh (default: today)",
    )
    digest.add_argument(
        "--profile",
        action="append",
        metavar="NAME",
        help="watch profile (repeatable; default: all)",
    )
    digest.add_argument("--out", type=Path, metavar="DIR", help="output folder")
    digest.add_argument("--send", action="store_true", help="send by SMTP")
    digest.add_argument("--force", action="store_true", help="re-send a digest already sent")
    _add_db(digest)

    outlets = commands.add_parser("outlets", help="the outlet registry and its health")
    outlets.add_argument("--json", action="store_true", help="one JSON object per outlet")
    _add_db(outlets)
    return parser


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
        print(json.dumps({"path": str(path), **article.to_json()}, ensure_ascii=False), flush=True)
    return 1 if failures else 0


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
    finally:
        if stream is not sys.stdin:
            stream.close()
    out.flush()
    return 1 if failures else 0


def _print_table(rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> None:
    widths = {c: max(len(c), *(len(str(r.get(c, ""))) for r in rows)) for c in columns}
    print("  ".join(c.ljust(widths[c]) for c in columns))
    for row in rows:
        print("  ".join(str(row.get(c, "")).ljust(widths[c]) for c in columns))


def command_run(args: argparse.Namespace) -> int:
    from flows.monitor import monitor, select_outlets

    try:
        select_outlets(args.outlet)
    except KeyError as error:
        raise CliError(str(error.args[0])) from error
    for path in args.replay:
        if not path.is_file():
            raise CliError(f"{path}: no such WARC file")
    rows = asyncio.run(
        monitor(
            outlets=args.outlet or None,
            replay=[str(path) for path in args.replay],
            database_url=args.db,
        )
    )
    columns = ["outlet", "discovered", "new", "stored", "diplomacy", "errors"]
    _print_table(rows, columns)
    for row in rows:
        for message in row["error_messages"][:3]:
            print(f"  {message}", file=sys.stderr)
    if args.digest:
        return _produce_digests(
            day=None, profiles=None, out=None, send=None, force=False, db=args.db
        )
    return 0


def _produce_digests(
    *,
    day: date | None,
    profiles: list[str] | None,
    out: Path | None,
    send: bool | None,
    force: bool,
    db: str | None,
) -> int:
    from flows.daily_digest import daily_digest
    from flows.settings import get_settings

    settings = get_settings()
    for name in profiles or []:
        try:
            settings.profile(name)
        except KeyError as error:
            raise CliError(str(error.args[0])) from error
    outcomes = daily_digest(
        day=day,
        profiles=profiles,
        out_dir=str(out) if out else None,
        send=send,
        force=force,
        database_url=db,
    )
    status = 0
    for outcome in outcomes:
        state = (
            "sent" if outcome["sent"] else "already sent" if outcome["already_sent"] else "written"
        )
        print(
            f"digest {outcome['profile']} {outcome['day']}: {outcome['articles']} articles, "
            f"{state}: {outcome['html_path']}"
        )
        for address, reason in outcome["refused"].items():
            print(f"  refused {address}: {reason}", file=sys.stderr)
        if outcome["error"]:
            print(f"diplowatch digest: {outcome['profile']}: {outcome['error']}", file=sys.stderr)
            status = 1
    return status


def command_digest(args: argparse.Namespace) -> int:
    return _produce_digests(
        day=args.date,
        profiles=args.profile,
        out=args.out,
        send=True if args.send else None,
        force=args.force,
        db=args.db,
    )


def command_outlets(args: argparse.Namespace) -> int:
    from flows.settings import get_settings
    from storage.db import Database
    from storage.repository import outlet_health

    db = Database(args.db or get_settings().resolved_database_url)
    try:
        with db.session() as session:
            health = outlet_health(session)
            rows: list[dict[str, Any]] = []
            for outlet in OUTLETS:
                state = health.get(outlet.key)
                rows.append(
                    {
                        "key": outlet.key,
                        "name": outlet.name,
                        "domains": list(outlet.domains),
                        "feeds": list(outlet.feeds),
                        "sitemaps": list(outlet.sitemaps),
                        "listing_pages": list(outlet.listing_pages),
                        "parser": outlet.parser,
                        "last_run_at": state.last_run_at.isoformat()
                        if state and state.last_run_at
                        else None,
                        "last_success_at": state.last_success_at.isoformat()
                        if state and state.last_success_at
                        else None,
                        "error_streak": state.error_streak if state else 0,
                        "last_error": state.last_error if state else None,
                        "articles_stored": state.articles_stored if state else 0,
                    }
                )
    finally:
        db.dispose()
    if args.json:
        for row in rows:
            print(json.dumps(row, ensure_ascii=False))
        return 0
    table = [
        {
            "key": r["key"],
            "name": r["name"],
            "feeds": len(r["feeds"]),
            "stored": r["articles_stored"],
            "error streak": r["error_streak"],
            "last success": (r["last_success_at"] or "never")[:16],
        }
        for r in rows
    ]
    _print_table(table, ["key", "name", "feeds", "stored", "error streak", "last success"])
    return 0


COMMANDS = {
    "parse": command_parse,
    "classify": command_classify,
    "run": command_run,
    "digest": command_digest,
    "outlets": command_outlets,
}


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=os.environ.get("DIPLOWATCH_LOG_LEVEL", "WARNING").upper(),
        format="%(levelname)s %(name)s: %(message)s",
    )
    try:
        return COMMANDS[args.command](args)
    except CliError as error:
        print(f"diplowatch {args.command}: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"diplowatch {args.command}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as error:
        log.debug("unexpected failure", exc_info=True)
        print(f"diplowatch {args.command}: {type(error).__name__}: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
