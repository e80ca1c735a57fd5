"""Sources dead for a week: skipped by the monitor, reported once in the health mail.

A feed, sitemap or listing page that has not answered for ``DEAD_AFTER`` (by the probe's
records or the monitor's own fetch failures, ``storage.probes``) is left out of the monitor's
runs until a probe (``diplowatch outlets --probe``, the weekly ``probe`` flow) sees it
answer again; the outlet health mail reports it once, on the run where it turns dead.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Sequence
from datetime import UTC, datetime

from flows.alerts import Incident
from flows.probe_report import DEAD_AFTER
from records import Outlet
from storage.db import Database
from storage.probes import dead_urls, mark_reported, newly_dead, note_monitor_fetches

log = logging.getLogger("diplowatch.monitor")


def without_dead_sources(outlet: Outlet, db: Database, now: datetime | None = None) -> Outlet:
    """``outlet`` without its dead sources (after folding in the monitor's last fetches)."""
    now = now or datetime.now(UTC)
    sources = [
        *((url, "feed") for url in outlet.feeds),
        *((url, "sitemap") for url in outlet.sitemaps),
        *((url, "listing") for url in outlet.listing_pages),
    ]
    if not sources:
        return outlet
    with db.session() as session:
        note_monitor_fetches(session, outlet.key, sources, now)
        dead = dead_urls(session, [url for url, _ in sources], now, DEAD_AFTER)
    if not dead:
        return outlet
    log.info("%s: skipping %d dead sources until a probe sees them: %s",
             outlet.key, len(dead), ", ".join(sorted(dead)))  # fmt: skip
    return dataclasses.replace(
        outlet,
        feeds=tuple(url for url in outlet.feeds if url not in dead),
        sitemaps=tuple(url for url in outlet.sitemaps if url not in dead),
        listing_pages=tuple(url for url in outlet.listing_pages if url not in dead),
    )


def dead_source_incidents(
    db: Database, outlet_keys: Sequence[str], now: datetime | None = None
) -> list[Incident]:
    """One incident per source that turned dead since the last report; each reported once."""
    now = now or datetime.now(UTC)
    with db.session() as session:
        rows = newly_dead(session, outlet_keys, now, DEAD_AFTER)
        incidents = [
            Incident(
                row.outlet_key,
                "dead-source",
                f"{row.kind} {row.url} has not answered since "
                f"{row.failing_since:%Y-%m-%d %H:%M} UTC ({row.detail or 'monitor failures'}); "
                "skipped until `diplowatch outlets --probe` sees it answer",
            )
            for row in rows
            if row.failing_since is not None
        ]
        mark_reported(session, [row.url for row in rows], now)
    return incidents
