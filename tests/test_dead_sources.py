"""A source dead for a week (by the monitor's failures or the probe's records) is reported
once in the health mail and skipped by the monitor until a probe sees it answer again."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from sqlalchemy import update

from flows.alerts import mail_incidents
from flows.deadsources import dead_source_incidents
from flows.probing import probe_outlets, record_probes
from flows.settings import get_settings
from storage.models import FetchState
from storage.probes import source_rows
from tests.fault_site import FEED, FEED_2, HOST, OUTLET, FaultSite, article, fault_site
from tests.smtp_server import RecordingHandler, parse

__all__ = ["fault_site"]


def a_week_passes(site: FaultSite) -> None:
    """Every failure began eight days ago, and no back-off is pending."""
    with site.db.session() as session:
        rows = [row for row in source_rows(session).values() if row.failing_since is not None]
        for row in rows:
            assert row.failing_since is not None
            row.failing_since -= timedelta(days=8)
        session.execute(update(FetchState).values(next_fetch_at=None))
    assert rows


def asked(site: FaultSite, feed_url: str) -> int:
    return len(site.server.requests_to(HOST, feed_url.split(HOST, 1)[1]))


def probe(site: FaultSite) -> list[str]:
    return record_probes(site.db, asyncio.run(probe_outlets([OUTLET], site.settings())))


def test_a_feed_failing_in_the_monitor_for_a_week_is_reported_once_and_skipped_until_probed_alive(
    fault_site: FaultSite, smtp_server: tuple[RecordingHandler, Any]
) -> None:
    site = fault_site
    site.serve([article(1)], empty_second_feed=False)
    site.server.add(HOST, "/rss/the-gioi.rss", "boom", status=500)
    asyncio.run(site.monitor())  # the second feed fails
    asyncio.run(site.monitor())  # its failure is noted at the start of the next run
    with site.db.session() as session:
        assert source_rows(session)[FEED_2].failing_since is not None
    assert dead_source_incidents(site.db, [OUTLET.key]) == []  # not a week yet

    a_week_passes(site)
    site.server.clear_requests()
    asyncio.run(site.monitor())
    assert asked(site, FEED) == 1 and asked(site, FEED_2) == 0  # skipped

    [incident] = dead_source_incidents(site.db, [OUTLET.key])
    assert (incident.outlet_key, incident.kind) == ("baothu", "dead-source")
    assert FEED_2 in incident.detail and "diplowatch outlets --probe" in incident.detail
    assert dead_source_incidents(site.db, [OUTLET.key]) == []  # reported once
    handler, smtp = smtp_server
    site.apply(smtp={"host": smtp.host, "port": smtp.port, "security": "none"},
               alerts={"recipients": ["ops@example.org"]})  # fmt: skip
    assert mail_incidents([incident], get_settings()) is not None
    [(_, recipients, raw)] = handler.envelopes
    assert recipients == ["ops@example.org"]
    assert "dead-source" in parse(raw)["Subject"] and "baothu" in parse(raw)["Subject"]

    asyncio.run(site.monitor())
    assert asked(site, FEED_2) == 0  # still skipped: only a probe brings it back
    site.serve_feed(FEED_2, [article(2)])
    site.serve_page(article(2))
    # It answers (the test outlet has no article URL pattern: "empty", but answering).
    assert f"baothu feed {FEED_2}: never probed -> empty" in probe(site)
    site.server.clear_requests()
    counters = asyncio.run(site.monitor())
    assert asked(site, FEED_2) == 1 and counters.stored == 1  # asked again, its article stored
    with site.db.session() as session:
        row = source_rows(session)[FEED_2]
        assert row.failing_since is None and row.dead_reported_at is None


def test_a_feed_the_probe_found_dead_a_week_ago_is_skipped_and_reported_once(
    fault_site: FaultSite,
) -> None:
    site = fault_site
    site.serve([article(1)], empty_second_feed=False)  # the second feed answers 404
    assert sorted(probe(site)) == sorted([
        f"baothu feed {FEED}: never probed -> empty",
        f"baothu feed {FEED_2}: never probed -> dead",
    ])  # fmt: skip
    asyncio.run(site.monitor())
    assert asked(site, FEED_2) == 2  # the probe and the monitor: not dead for a week yet

    a_week_passes(site)
    site.server.clear_requests()
    asyncio.run(site.monitor())
    assert asked(site, FEED) == 1 and asked(site, FEED_2) == 0
    [incident] = dead_source_incidents(site.db, [OUTLET.key])
    assert FEED_2 in incident.detail and "HTTP 404" in incident.detail
    assert dead_source_incidents(site.db, [OUTLET.key]) == []
