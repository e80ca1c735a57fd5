"""Discovery sources proven live: the probe's records and the dead-source rule's queries.

Table ``source_probes`` (one row per feed, sitemap or listing page). The probe writes its
answer (``record_probe``); the monitor's own fetch failures are folded in at the start of
each of its runs (``note_monitor_fetches``, from ``fetch_state``). A source that has not
answered for ``dead_after`` is dead: ``dead_urls`` gives the monitor what to skip,
``newly_dead`` what the health mail reports (each source once: ``mark_reported``). Only a
probe that sees it answer brings it back (the monitor does not ask a skipped source).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import FetchState, SourceProbeRow

__all__ = [
    "ProbeRecord",
    "dead_urls",
    "mark_reported",
    "newly_dead",
    "note_monitor_fetches",
    "record_probe",
    "source_rows",
]

ANSWERED = frozenset({"live", "stale", "empty"})  # outcomes of a source that answered


@dataclass(frozen=True, slots=True)
class ProbeRecord:
    """What the probe saw of one source (``outcome``: live, stale, empty, dead, blocked)."""

    url: str
    outlet_key: str
    kind: str
    outcome: str
    status: int | None = None
    final_url: str | None = None
    items: int | None = None
    matching: int | None = None
    newest_at: datetime | None = None
    detail: str | None = None


def source_rows(session: Session, urls: Iterable[str] | None = None) -> dict[str, SourceProbeRow]:
    """The rows of ``urls`` (all rows when None), by URL."""
    query = select(SourceProbeRow)
    if urls is not None:
        query = query.where(SourceProbeRow.url.in_(list(urls)))
    return {row.url: row for row in session.scalars(query)}


def _row(session: Session, url: str, outlet_key: str, kind: str) -> SourceProbeRow:
    row = session.get(SourceProbeRow, url)
    if row is None:
        row = SourceProbeRow(url=url, outlet_key=outlet_key, kind=kind)
        session.add(row)
    return row


def record_probe(session: Session, record: ProbeRecord, now: datetime) -> None:
    """Store the probe's answer; an answer ends the source's failures, a failure starts them."""
    row = _row(session, record.url, record.outlet_key, record.kind)
    row.kind = record.kind
    row.probed_at = now
    row.outcome = record.outcome
    row.status = record.status
    row.final_url = record.final_url
    row.items = record.items
    row.matching = record.matching
    row.newest_at = record.newest_at
    row.detail = (record.detail or "")[:2000] or None
    if record.outcome in ANSWERED:
        row.last_seen_at = now
        row.failing_since = None
        row.dead_reported_at = None
    elif row.failing_since is None:
        row.failing_since = now


def note_monitor_fetches(
    session: Session, outlet_key: str, sources: Sequence[tuple[str, str]], now: datetime
) -> None:
    """Fold the monitor's fetch state of ``sources`` ((url, kind) pairs) into their rows:
    a source whose last fetch succeeded was seen answering then; one whose last fetch failed
    (after anything the probe saw) has been failing since at least now."""
    states = {
        state.url: state
        for state in session.scalars(
            select(FetchState).where(FetchState.url.in_([url for url, _ in sources]))
        )
    }
    rows = source_rows(session, states)
    for url, kind in sources:
        state = states.get(url)
        if state is None or state.last_fetched_at is None:
            continue
        row = rows.get(url)
        seen = row.last_seen_at if row is not None else None
        if state.failures == 0:
            if seen is None or state.last_fetched_at > seen:
                row = row or _row(session, url, outlet_key, kind)
                row.last_seen_at = state.last_fetched_at
                row.failing_since = None
                row.dead_reported_at = None
        elif seen is None or state.last_fetched_at > seen:
            row = row or _row(session, url, outlet_key, kind)
            if row.failing_since is None:
                row.failing_since = min(now, state.last_fetched_at)


def _dead(row: SourceProbeRow, now: datetime, dead_after: timedelta) -> bool:
    since = row.failing_since
    return since is not None and now - since.astimezone(UTC) >= dead_after


def dead_urls(
    session: Session, urls: Iterable[str], now: datetime, dead_after: timedelta
) -> set[str]:
    """Those of ``urls`` that have not answered for ``dead_after``."""
    return {url for url, row in source_rows(session, urls).items() if _dead(row, now, dead_after)}


def newly_dead(
    session: Session, outlet_keys: Sequence[str], now: datetime, dead_after: timedelta
) -> list[SourceProbeRow]:
    """Dead sources of ``outlet_keys`` not reported yet, by outlet then URL."""
    query = (
        select(SourceProbeRow)
        .where(SourceProbeRow.outlet_key.in_(list(outlet_keys)))
        .where(SourceProbeRow.failing_since.is_not(None))
        .where(SourceProbeRow.dead_reported_at.is_(None))
        .order_by(SourceProbeRow.outlet_key, SourceProbeRow.url)
    )
    return [row for row in session.scalars(query) if _dead(row, now, dead_after)]


def mark_reported(session: Session, urls: Iterable[str], now: datetime) -> None:
    for row in source_rows(session, urls).values():
        row.dead_reported_at = now
