"""``diplowatch alerts``: the story alerts raised, with the state of each delivery.

(Story alerts for readers, issue 13; the operator's outlet health mail is ``flows.alerts``.)
"""

from __future__ import annotations

import argparse
import json
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from flows.commands.common import CliError, Subcommands, add_db, print_table
from records import VIETNAM_TZ, to_vietnam_iso

if TYPE_CHECKING:
    from storage.alerts import StoredAlert
    from storage.models import AlertDeliveryRow

DEFAULT_DAYS = 7


def register(commands: Subcommands) -> None:
    alerts = commands.add_parser(
        "alerts", help="list the story alerts raised and the state of each delivery"
    )
    alerts.add_argument(
        "--since",
        type=date.fromisoformat,
        metavar="YYYY-MM-DD",
        help=f"from this day on, Asia/Ho_Chi_Minh (default: the last {DEFAULT_DAYS} days)",
    )
    alerts.add_argument("--profile", metavar="NAME", help="only this watch profile")
    alerts.add_argument("--json", action="store_true", help="one JSON object per alert")
    add_db(alerts)
    alerts.set_defaults(handler=command_alerts)


def _clock(moment: datetime | None) -> str:
    return moment.astimezone(VIETNAM_TZ).strftime("%d/%m %H:%M") if moment else ""


def delivery_state(row: AlertDeliveryRow, due_at: datetime, now: datetime) -> str:
    """``sent 04/12 10:05``, ``held until 05/12 06:00``, ``pending, 2 tries: …``,
    ``failed after 8 tries: …``."""
    from digest.labels import clean_text

    error = clean_text(row.last_error)[:120]
    if row.state == "sent":
        return f"sent {_clock(row.sent_at)}" + (f" (refused: {error})" if error else "")
    if row.state == "failed":
        return f"failed after {row.attempts} tries: {error}"
    if due_at > now:
        return f"held until {_clock(due_at)} (quiet hours)"
    if row.attempts:
        return f"pending, {row.attempts} tries: {error}"
    return "pending"


def as_json(stored: StoredAlert, now: datetime) -> dict[str, Any]:
    alert = stored.alert
    return {
        "id": alert.id,
        "profile": alert.profile,
        "story_id": alert.story_id,
        "kind": alert.kind,
        "level": alert.level,
        "rules": list(alert.rules),
        "reasons": list(alert.reasons),
        "changes": list(alert.changes),
        "title": alert.title,
        "url": alert.url,
        "raised_at": to_vietnam_iso(alert.raised_at),
        "due_at": to_vietnam_iso(alert.due_at),
        "deliveries": [
            {
                "channel": row.channel,
                "state": row.state,
                "attempts": row.attempts,
                "sent_at": to_vietnam_iso(row.sent_at),
                "last_error": row.last_error,
                "summary": delivery_state(row, alert.due_at, now),
            }
            for row in stored.deliveries
        ],
    }


def command_alerts(args: argparse.Namespace) -> int:
    from digest.labels import clean_text
    from flows.settings import get_settings
    from storage.alerts import alerts_since
    from storage.db import Database

    settings = get_settings()
    if args.profile:
        try:
            settings.profile(args.profile)
        except KeyError as error:
            raise CliError(str(error.args[0])) from error
    now = datetime.now(VIETNAM_TZ)
    day = args.since or (now.date() - timedelta(days=DEFAULT_DAYS))
    since = datetime.combine(day, time(0, 0), tzinfo=VIETNAM_TZ)
    db = Database(args.db or settings.resolved_database_url)
    try:
        with db.session() as session:
            found = alerts_since(session, since, profile=args.profile)
    finally:
        db.dispose()
    if args.json:
        for stored in found:
            print(json.dumps(as_json(stored, now), ensure_ascii=False))
        return 0
    if not found:
        print(f"no alerts since {day.isoformat()}")
        return 0
    rows = [
        {
            "raised": _clock(s.alert.raised_at),
            "profile": clean_text(s.alert.profile),
            "kind": s.alert.kind,
            "level": s.alert.level,
            "story": clean_text(s.alert.title)[:70],
            "deliveries": "; ".join(
                f"{clean_text(row.channel)} {delivery_state(row, s.alert.due_at, now)}"
                for row in s.deliveries
            )
            or "no channel configured",
        }
        for s in found
    ]
    print_table(rows, ["raised", "profile", "kind", "level", "story", "deliveries"])
    return 0
