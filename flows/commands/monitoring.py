"""``diplowatch run`` and ``diplowatch digest``: the two jobs, through Prefect flows."""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import date
from pathlib import Path

from flows.commands.common import CliError, Subcommands, add_db, print_table


def register(commands: Subcommands) -> None:
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
    add_db(run)
    run.set_defaults(handler=command_run)

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
    digest.add_argument(
        "--force", action="store_true", help="send again a digest already sent (a new message)"
    )
    add_db(digest)
    digest.set_defaults(handler=command_digest)


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
    print_table(rows, ["outlet", "discovered", "new", "stored", "diplomacy", "errors"])
    for row in rows:
        for message in row["error_messages"][:3]:
            print(f"  {message}", file=sys.stderr)
    if args.digest:
        return produce_digests(
            day=None, profiles=None, out=None, send=None, force=False, db=args.db
        )
    return 0


def produce_digests(
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
            "sent"
            if outcome["sent"]
            else "already sent"
            if outcome["already_sent"]
            else f"written, not sent ({outcome['skipped']})"
            if outcome["skipped"]
            else "written"
        )
        print(
            f"digest {outcome['profile']} {outcome['day']}: {outcome['stories']} stories, "
            f"{outcome['articles']} articles, {state}: {outcome['html_path']}"
        )
        for address, reason in outcome["refused"].items():
            print(f"  refused {address}: {reason}", file=sys.stderr)
        if outcome["error"]:
            print(f"diplowatch digest: {outcome['profile']}: {outcome['error']}", file=sys.stderr)
            status = 1
    return status


def command_digest(args: argparse.Namespace) -> int:
    return produce_digests(
        day=args.date,
        profiles=args.profile,
        out=args.out,
        send=True if args.send else None,
        force=args.force,
        db=args.db,
    )
