"""``diplowatch serve``, ``reparse`` and ``backfill``: the operator's commands."""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import date
from pathlib import Path

from flows.commands.common import CliError, Subcommands, add_db, print_table


def register(commands: Subcommands) -> None:
    serve = commands.add_parser(
        "serve", help="serve every deployment of deploy/prefect.yaml on schedule (one machine)"
    )
    serve.add_argument("--prefect-file", type=Path, metavar="PATH", help="prefect.yaml to serve")
    serve.add_argument(
        "--limit", type=int, metavar="N", help="at most N flow runs at once (default: no limit)"
    )
    serve.set_defaults(handler=command_serve)

    reparse = commands.add_parser(
        "reparse", help="parse and classify archived pages again (WARC), in place"
    )
    reparse.add_argument("--outlet", nargs="+", default=[], metavar="KEY", help="only these")
    add_days(reparse, required=False)
    add_db(reparse)
    reparse.set_defaults(handler=command_reparse)

    backfill = commands.add_parser(
        "backfill", help="crawl sitemaps and listing pages for a range of days"
    )
    backfill.add_argument("--outlet", nargs="+", default=[], metavar="KEY", help="only these")
    add_days(backfill, required=True)
    backfill.add_argument(
        "--max-articles", type=int, default=500, metavar="N", help="per outlet (default 500)"
    )
    add_db(backfill)
    backfill.set_defaults(handler=command_backfill)


def add_days(parser: argparse.ArgumentParser, *, required: bool) -> None:
    parser.add_argument(
        "--since",
        type=date.fromisoformat,
        required=required,
        metavar="YYYY-MM-DD",
        help="first day, Asia/Ho_Chi_Minh" + ("" if required else " (default: open)"),
    )
    parser.add_argument(
        "--until",
        type=date.fromisoformat,
        metavar="YYYY-MM-DD",
        help="last day, included (default: open)",
    )


def check_outlets(keys: list[str]) -> None:
    from flows.monitor import select_outlets

    try:
        select_outlets(keys)
    except KeyError as error:
        raise CliError(str(error.args[0])) from error


def command_serve(args: argparse.Namespace) -> int:
    from prefect import serve
    from prefect.settings import PREFECT_API_URL

    from flows.serve import DEPLOY_FILE, runner_deployments

    if not PREFECT_API_URL.value():
        # Prefect's embedded API runs no scheduler: nothing would ever start.
        raise CliError(
            "needs a Prefect server: run `prefect server start` and set PREFECT_API_URL "
            "(e.g. http://127.0.0.1:4200/api)"
        )
    path = args.prefect_file or DEPLOY_FILE
    if not path.is_file():
        raise CliError(f"{path}: no such file")
    deployments = runner_deployments(path)
    names = ", ".join(d.name for d in deployments)
    print(f"serving {len(deployments)} deployments from {path}: {names}", flush=True)
    serve(*deployments, limit=args.limit, print_starting_message=False)
    return 0


def command_reparse(args: argparse.Namespace) -> int:
    from flows.reparse import reparse

    check_outlets(args.outlet)
    if args.since and args.until and args.until < args.since:
        raise CliError("--until is before --since")
    rows = asyncio.run(
        reparse(
            outlets=args.outlet or None, since=args.since, until=args.until, database_url=args.db
        )
    )
    columns = ["outlet", "examined", "reparsed", "changed", "verdicts_changed", "no_archive"]
    print_table(rows or [{c: "" for c in columns}], [*columns, "errors"])
    for row in rows:
        for message in row["error_messages"][:3]:
            print(f"  {message}", file=sys.stderr)
    return 1 if any(row["errors"] for row in rows) else 0


def command_backfill(args: argparse.Namespace) -> int:
    from flows.backfill import backfill

    check_outlets(args.outlet)
    if args.until and args.until < args.since:
        raise CliError("--until is before --since")
    rows = asyncio.run(
        backfill(
            since=args.since,
            until=args.until,
            outlets=args.outlet or None,
            max_articles_per_outlet=args.max_articles,
            database_url=args.db,
        )
    )
    for row in rows:
        row["outlet"] = row["outlet_key"]
    print_table(rows, ["outlet", "discovered", "new", "stored", "diplomacy", "errors"])
    for row in rows:
        for message in row["error_messages"][:3]:
            print(f"  {message}", file=sys.stderr)
    return 0
