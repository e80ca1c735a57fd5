"""Outlet health incidents and the monitor run's summary table.

An incident is derived from the stored run history (``outlet_runs``), so it needs no state of
its own and is reported once, on the run where it starts:
- ``failing``: the outlet's run failed (errors, nothing discovered or stored) and that makes
  exactly ``alerts.error_streak`` failed runs in a row;
- ``extraction``: over the outlet's latest runs holding at least ``alerts.min_articles``
  stored articles, the share of empty bodies or of undated articles went above its
  threshold on this run (a redesign the parser no longer fits);
- ``recovered``: the first good run after a failing or extraction incident.
A run that did nothing (no error, nothing discovered: every feed in back-off, or every
feed unchanged) tells nothing about the outlet and neither extends nor ends a streak.
The operator gets one mail per run that has incidents (``alerts.recipients``, SMTP settings).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from typing import Any, Literal

from digest.render import RenderedDigest
from digest.send import SendError, send_digest
from flows.digesting import smtp_config
from flows.settings import AlertSettings, Settings
from storage.db import Database
from storage.models import OutletRun
from storage.operations import recent_outlet_runs

log = logging.getLogger("diplowatch.alerts")

IncidentKind = Literal["failing", "extraction", "recovered", "dead-source"]
HISTORY_RUNS = 200  # how far back an extraction window may reach


@dataclass(frozen=True)
class Incident:
    outlet_key: str
    kind: IncidentKind
    detail: str


def run_failed(run: OutletRun) -> bool:
    """The failure rule of ``storage.repository.record_outlet_run``."""
    return run.errors > 0 and run.stored == 0 and run.discovered == 0


def run_idle(run: OutletRun) -> bool:
    return run.errors == 0 and run.discovered == 0 and run.stored == 0


def failure_streak(runs: Sequence[OutletRun]) -> int:
    """Failed runs in a row at the head of ``runs`` (newest first)."""
    streak = 0
    for run in runs:
        if not run_failed(run):
            break
        streak += 1
    return streak


@dataclass(frozen=True)
class ExtractionHealth:
    articles: int
    empty_share: float
    missing_date_share: float
    fallback_share: float = 0.0

    def is_bad(self, alerts: AlertSettings) -> bool:
        return self.articles >= alerts.min_articles and (
            self.empty_share > alerts.max_empty_share
            or self.missing_date_share > alerts.max_missing_date_share
            or self.fallback_share > alerts.max_fallback_share
        )


def extraction_health(runs: Sequence[OutletRun], min_articles: int) -> ExtractionHealth:
    """Shares over the newest runs (newest first) until ``min_articles`` articles are covered."""
    stored = empty = missing = fallbacks = 0
    for run in runs:
        stored += run.stored
        empty += run.empty_bodies
        missing += run.missing_dates
        fallbacks += run.fallbacks or 0
        if stored >= min_articles:
            break
    if not stored:
        return ExtractionHealth(0, 0.0, 0.0)
    return ExtractionHealth(stored, empty / stored, missing / stored, fallbacks / stored)


def outlet_incidents(
    outlet_key: str, runs: Sequence[OutletRun], alerts: AlertSettings
) -> list[Incident]:
    """The incidents that start (or end) with the newest of ``runs`` (newest first)."""
    runs = [run for run in runs if not run_idle(run)] if runs and not run_idle(runs[0]) else []
    if not runs:
        return []
    latest, earlier = runs[0], runs[1:]
    incidents: list[Incident] = []
    streak = failure_streak(runs)
    if streak == alerts.error_streak:
        message = (latest.error_messages or ["no detail"])[0]
        incidents.append(
            Incident(outlet_key, "failing", f"{streak} failed runs in a row: {message}")
        )
    elif streak == 0 and failure_streak(earlier) >= alerts.error_streak:
        incidents.append(
            Incident(
                outlet_key, "recovered", f"runs again after {failure_streak(earlier)} failures"
            )
        )
    now = extraction_health(runs, alerts.min_articles)
    before = extraction_health(earlier, alerts.min_articles)
    if latest.stored and now.is_bad(alerts) and not before.is_bad(alerts):
        incidents.append(
            Incident(
                outlet_key,
                "extraction",
                f"of the last {now.articles} articles, {now.empty_share:.0%} have an empty "
                f"body, {now.missing_date_share:.0%} no date and {now.fallback_share:.0%} "
                "needed a fallback extractor",
            )
        )
    elif latest.stored and before.is_bad(alerts) and not now.is_bad(alerts):
        incidents.append(Incident(outlet_key, "recovered", "extraction healthy again"))
    return incidents


def find_incidents(
    db: Database, outlet_keys: Sequence[str], alerts: AlertSettings
) -> list[Incident]:
    incidents: list[Incident] = []
    with db.session() as session:
        for key in outlet_keys:
            runs = recent_outlet_runs(session, key, HISTORY_RUNS)
            incidents.extend(outlet_incidents(key, runs, alerts))
    return incidents


def render_alert(incidents: Sequence[Incident]) -> RenderedDigest:
    outlets = sorted({incident.outlet_key for incident in incidents})
    kinds = sorted({incident.kind for incident in incidents})
    subject = f"diplowatch: outlet health: {', '.join(kinds)}: {', '.join(outlets)}"
    lines = [f"{i.outlet_key}: {i.kind}: {i.detail}" for i in incidents]
    footer = "Details: `diplowatch outlets` and the monitor run's summary in Prefect."
    text = "\n".join([*lines, "", footer]) + "\n"
    items = "".join(
        f"<li><b>{escape(i.outlet_key)}</b> {escape(i.kind)}: {escape(i.detail)}</li>"
        for i in incidents
    )
    html = f"<html><body><ul>{items}</ul><p>{escape(footer)}</p></body></html>"
    return RenderedDigest(subject, html, text)


def mail_incidents(incidents: Sequence[Incident], settings: Settings) -> str | None:
    """Mail the operator; returns the message id, or None when not configured or failed."""
    if not incidents:
        return None
    for incident in incidents:
        log.warning("outlet %s %s: %s", incident.outlet_key, incident.kind, incident.detail)
    config = smtp_config(settings)
    if config is None or not settings.alerts.recipients:
        log.warning("outlet health incidents not mailed: set alerts.recipients and smtp.host")
        return None
    try:
        result = send_digest(render_alert(incidents), settings.alerts.recipients, config)
    except SendError as error:
        log.error("could not mail outlet health incidents: %s", error)
        return None
    return result.message_id


SUMMARY_COLUMNS = (
    ("outlet", "outlet"),
    ("discovered", "discovered"),
    ("new", "new"),
    ("stored", "stored"),
    ("diplomacy", "diplomacy"),
    ("errors", "errors"),
    ("empty", "empty_bodies"),
    ("short", "short_bodies"),
    ("undated", "missing_dates"),
    ("fallback", "fallbacks"),
    ("error streak", "error_streak"),
)


def _cell(value: Any) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")


def summary_markdown(rows: Sequence[dict[str, Any]], incidents: Sequence[Incident]) -> str:
    """The run summary: one table row per outlet, then incidents and first errors."""
    header = "| " + " | ".join(title for title, _ in SUMMARY_COLUMNS) + " |"
    rule = "|" + "|".join("---" for _ in SUMMARY_COLUMNS) + "|"
    body = [
        "| " + " | ".join(_cell(row.get(key, "")) for _, key in SUMMARY_COLUMNS) + " |"
        for row in rows
    ]
    total = {key: sum(int(row.get(key) or 0) for row in rows) for _, key in SUMMARY_COLUMNS[1:-1]}
    totals = (
        "| **all** | " + " | ".join(str(total[key]) for _, key in SUMMARY_COLUMNS[1:-1]) + " | |"
    )
    parts = ["# Monitor run", "", header, rule, *body, totals]
    if incidents:
        parts += ["", "## Incidents", ""]
        parts += [f"- **{i.outlet_key}** {i.kind}: {_cell(i.detail)}" for i in incidents]
    errors = [
        (row["outlet"], message) for row in rows for message in row.get("error_messages", [])[:3]
    ]
    if errors:
        parts += ["", "## First errors", ""]
        parts += [f"- {_cell(message)}" for _, message in errors]
    return "\n".join(parts) + "\n"
