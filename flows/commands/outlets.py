"""``diplowatch outlets``: the registry and each outlet's health.

``--check`` looks for parser drift (a site redesign): over each outlet's last runs that
stored articles, too many empty, short or dateless articles, too many whose first extractor
failed the quality gate (read by a fallback: generic, trafilatura, resiliparse), or too many
read by the generic fallback instead of the outlet's own parser. One line per outlet; exit
status 1 when any outlet is flagged.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from flows.commands.common import CliError, Subcommands, add_db, print_table
from parsers.registry import OUTLETS
from records import Outlet

if TYPE_CHECKING:
    from storage.models import SourceProbeRow


def register(commands: Subcommands) -> None:
    outlets = commands.add_parser("outlets", help="the outlet registry and its health")
    outlets.add_argument("--json", action="store_true", help="one JSON object per outlet")
    check = outlets.add_argument_group("drift check")
    check.add_argument(
        "--check", action="store_true",
        help="flag outlets whose recent articles come back empty, short, dateless or read "
        "by the fallback (exit status 1 when any is flagged)",
    )
    check.add_argument("--runs", type=_positive, default=5, metavar="N",
                       help="look at each outlet's last N runs that stored articles (5)")
    check.add_argument("--min-articles", type=_positive, default=10, metavar="M",
                       help="judge an outlet only with at least M articles in them (10)")
    check.add_argument("--max-share", type=_share, default=0.3, metavar="X",
                       help="flag a share of bad articles above X, 0 to 1 (0.3)")
    probe = outlets.add_argument_group("probe (needs the internet)")
    probe.add_argument(
        "--probe", action="store_true",
        help="ask every feed, sitemap and listing page once and parse one recent article per "
        "outlet (exit status 1 when an outlet has no live source)",
    )
    probe.add_argument("--outlet", nargs="+", default=[], metavar="KEY",
                       help="probe only these outlets")
    add_db(outlets)
    outlets.set_defaults(handler=command_outlets)


def _positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1: {value}")
    return number


def _share(value: str) -> float:
    number = float(value)
    if not 0.0 <= number < 1.0:
        raise argparse.ArgumentTypeError(f"must be between 0 and 1: {value}")
    return number


def command_check(args: argparse.Namespace) -> int:
    from flows.settings import get_settings
    from storage.db import Database
    from storage.health import DriftLimits, extraction_drift

    limits = DriftLimits(runs=args.runs, min_articles=args.min_articles,
                         max_share=args.max_share)
    parsers = {o.key: o.parser for o in OUTLETS if o.parser != "generic"}
    db = Database(args.db or get_settings().resolved_database_url)
    try:
        with db.session() as session:
            report = extraction_drift(session, [o.key for o in OUTLETS], limits, parsers)
    finally:
        db.dispose()
    for drift in report:
        if args.json:
            print(json.dumps({
                "key": drift.outlet_key, "flagged": drift.flagged, "reasons": list(drift.reasons),
                "runs": drift.runs, "articles": drift.stored, "empty": drift.empty,
                "short": drift.short, "dateless": drift.dateless, "fallback": drift.fallback,
                "gate_fallbacks": drift.gate_fallbacks,
            }, ensure_ascii=False))
        else:
            print(drift.line())
    flagged = [d.outlet_key for d in report if d.flagged]
    summary = f"{len(flagged)} of {len(report)} outlets flagged"
    print(f"{summary}: {', '.join(flagged)}" if flagged else summary, file=sys.stderr)
    return 1 if flagged else 0


def command_outlets(args: argparse.Namespace) -> int:
    if args.check:
        return command_check(args)
    if args.probe:
        from flows.commands.probe import command_probe

        return command_probe(args)
    if args.outlet:
        raise CliError("--outlet goes with --probe")
    from flows.settings import get_settings
    from storage.db import Database
    from storage.probes import source_rows
    from storage.repository import outlet_health

    db = Database(args.db or get_settings().resolved_database_url)
    try:
        with db.session() as session:
            health = outlet_health(session)
            seen = source_rows(session)
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
                        "sources": source_entries(outlet, seen),
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
    print()
    print_table(
        [{**source, "key": row["key"], "last seen": _day(source["last_seen_at"]),
          "probe": source["outcome"] or "never", "failing since": _day(source["failing_since"])}
         for row in rows for source in row["sources"]],
        ["key", "kind", "probe", "last seen", "failing since", "provenance", "url"],
    )  # fmt: skip
    return 0


def _day(moment: str | None) -> str:
    return (moment or "-")[:16].replace("T", " ")


def source_entries(outlet: Outlet, seen: Mapping[str, SourceProbeRow]) -> list[dict[str, Any]]:
    """Each source of ``outlet``: its evidence, and what the probe and the monitor saw of it."""
    from parsers.provenance import provenance

    entries = []
    for kind, urls in (("feed", outlet.feeds), ("sitemap", outlet.sitemaps),
                       ("listing", outlet.listing_pages)):
        for url in urls:
            row = seen.get(url)
            evidence = provenance(url)
            entries.append({
                "kind": kind, "url": url, "provenance": evidence.label,
                "provenance_year": evidence.year, "provenance_note": evidence.note,
                "outcome": row.outcome if row else None,
                "probed_at": _iso(row.probed_at if row else None),
                "last_seen_at": _iso(row.last_seen_at if row else None),
                "failing_since": _iso(row.failing_since if row else None),
            })  # fmt: skip
    return entries


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None
