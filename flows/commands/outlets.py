"""``diplowatch outlets``: the registry and each outlet's health."""

from __future__ import annotations

import argparse
import json
from typing import Any

from flows.commands.common import Subcommands, add_db, print_table
from parsers.registry import OUTLETS


def register(commands: Subcommands) -> None:
    outlets = commands.add_parser("outlets", help="the outlet registry and its health")
    outlets.add_argument("--json", action="store_true", help="one JSON object per outlet")
    add_db(outlets)
    outlets.set_defaults(handler=command_outlets)


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
    print_table(table, ["key", "name", "feeds", "stored", "error streak", "last success"])
    return 0
