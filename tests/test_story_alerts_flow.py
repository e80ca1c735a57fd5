"""Story alerts raised by the real monitor flow: a loopback outlet (tests/http_server.py),
aiosmtpd, a local HTTP server standing in for a chat webhook (apprise ``json://``), SQLite
and Prefect's test harness; and two monitor processes at once (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import feedparser
import pytest
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey
from sqlalchemy import select

from digest.send import SmtpConfig
from flows.monitor import monitor
from records import VIETNAM_TZ
from storage.db import Database
from storage.models import AlertDeliveryRow, StoryAlertRow
from tests.fault_site import FEED, FEED_2, FaultSite, fault_site
from tests.http_server import LocalServer, Reply
from tests.postgres import database_url
from tests.site import DIPLOMACY_ARTICLE, article_html, rss_feed
from tests.smtp_server import RecordingHandler, parse

__all__ = ["database_url", "fault_site"]

REPO_ROOT = Path(__file__).resolve().parent.parent
OUTLET_HOST = "vnexpress.net"
DESK = "desk@example.org"
HOOK = "/hooks/desk"


def fresh_article(minutes_ago: int = 5, path: str = DIPLOMACY_ARTICLE.path) -> Any:
    moment = datetime.now(UTC).astimezone(VIETNAM_TZ) - timedelta(minutes=minutes_ago)
    return replace(DIPLOMACY_ARTICLE, path=path, published_at=moment.replace(microsecond=0))


def serve_vnexpress(server: LocalServer, page: Any) -> None:
    from parsers.registry import outlet_by_key

    server.add(OUTLET_HOST, "/robots.txt", "User-agent: *\nAllow: /\n", content_type="text/plain")
    for index, feed_url in enumerate(outlet_by_key("vnexpress").feeds):
        server.add(
            OUTLET_HOST,
            feed_url.split(OUTLET_HOST, 1)[1],
            rss_feed(OUTLET_HOST, [page] if index == 0 else []),
            content_type="application/rss+xml; charset=utf-8",
        )
    server.add(OUTLET_HOST, page.path, article_html(OUTLET_HOST, page))


@pytest.fixture
def webhook() -> Iterator[LocalServer]:
    with LocalServer() as server:
        yield server


def posts(server: LocalServer) -> list[dict[str, Any]]:
    return [json.loads(r.body) for r in server.requests if r.method == "POST"]


def alert_settings(webhook: LocalServer, smtp: SmtpConfig, **story_alerts: Any) -> dict[str, Any]:
    options = {
        "channels": {"desk": f"json://{webhook.address}{HOOK}?rto=1&cto=1"},
        "quiet_hours": None,
        "retry_delay_seconds": 0.2,
        **story_alerts,
    }
    return {
        "smtp": {"host": smtp.host, "port": smtp.port, "security": "none"},
        "profiles": [
            {"name": "vn-us", "partners": ["US"], "recipients": [DESK], "story_alerts": options}
        ],
    }


def rows(db: Database, model: type[Any]) -> list[Any]:
    with db.session() as session:
        return list(session.scalars(select(model)))


def test_the_monitor_run_that_files_the_story_sends_the_alert_once(
    prefect_harness: object,
    local_server: LocalServer,
    webhook: LocalServer,
    configure: Callable[..., None],
    smtp_server: tuple[RecordingHandler, SmtpConfig],
    tmp_path: Path,
) -> None:
    handler, smtp = smtp_server
    serve_vnexpress(local_server, fresh_article())
    webhook.add_sequence("127.0.0.1", HOOK, [Reply(500, "busy"), Reply(200, "ok")])
    configure(
        host_map=local_server.host_map(OUTLET_HOST),
        politeness={"min_delay_seconds": 0.01, "outlet_delays": {"vnexpress": 0.01}},
        **alert_settings(webhook, smtp),
    )
    db = Database(f"sqlite:///{(tmp_path / 'data' / 'diplowatch.db').resolve()}")
    try:
        [row] = asyncio.run(monitor(outlets=["vnexpress"]))
        assert row["stored"] == 1 and row["diplomacy"] == 1
        # In the same run: mailed, and posted to the webhook after one retry (a 500).
        [(_, recipients, raw)] = handler.envelopes
        assert recipients == [DESK]
        assert parse(raw)["Subject"] == f"BÁO NHANH · vn-us: {DIPLOMACY_ARTICLE.title}"
        [payload] = posts(webhook)[1:]
        assert DIPLOMACY_ARTICLE.title in payload["message"].replace("\\", "")
        [alert] = rows(db, StoryAlertRow)
        sent = {d.channel: d for d in rows(db, AlertDeliveryRow)}
        assert sent["email"].state == sent["desk"].state == "sent"
        assert sent["desk"].attempts == 2 and sent["email"].attempts == 1
        feed_path = tmp_path / "data" / "digests" / "vn-us" / "feed.atom"
        feed = feedparser.parse(feed_path.read_bytes())
        assert feed.entries[0].title == DIPLOMACY_ARTICLE.title
        assert "alert" in [tag.term for tag in feed.entries[0].tags]
        with get_client(sync_client=True) as client:
            artifacts = client.read_artifacts(
                artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=["story-alerts"]))
            )
        assert any("vn\\-us" in str(a.data) and "desk: sent" in str(a.data) for a in artifacts)
        # The next run: nothing new, nothing sent twice.
        asyncio.run(monitor(outlets=["vnexpress"]))
        assert len(handler.envelopes) == 1 and len(posts(webhook)) == 2
        assert [a.id for a in rows(db, StoryAlertRow)] == [alert.id]
    finally:
        db.dispose()


def test_two_monitor_processes_at_once_alert_once(
    fault_site: FaultSite,
    database_url: str,
    webhook: LocalServer,
    smtp_server: tuple[RecordingHandler, SmtpConfig],
) -> None:
    handler, smtp = smtp_server
    webhook.add("127.0.0.1", HOOK, "ok")
    pages = [fresh_article(m, f"/the-gioi/bai-{m}.html") for m in (4, 6, 8, 10)]
    fault_site.serve_robots()
    fault_site.serve_feed(FEED, pages)
    fault_site.serve_feed(FEED_2, [])
    for page in pages:
        fault_site.serve_page(page, delay=0.1)
    fault_site.apply(**alert_settings(webhook, smtp))
    fault_site.settings(max_connections_per_host=2)
    db = Database(database_url)  # migrated once, here
    try:
        env = dict(os.environ, PYTHONPATH=str(REPO_ROOT))
        command = [sys.executable, "-m", "tests.alert_monitor_child", database_url]
        children = [
            subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True)
            for _ in range(2)
        ]  # fmt: skip
        outputs = [child.communicate(timeout=180) for child in children]
        for child, (_, err) in zip(children, outputs, strict=True):
            assert child.returncode == 0, err[-3000:]
        assert len(rows(db, StoryAlertRow)) == 1, [out for out, _ in outputs]
        assert len(handler.envelopes) == 1 and len(posts(webhook)) == 1
        assert {d.state for d in rows(db, AlertDeliveryRow)} == {"sent"}
        # Between them the two runs raised one alert and sent its two deliveries.
        lasts = [out.strip().splitlines()[-1] for out, _ in outputs]
        assert sorted(lasts) == ["raised 0, sent 0", "raised 1, sent 2"] or sum(
            int(last.rsplit(" ", 1)[-1]) for last in lasts
        ) == 2, lasts
    finally:
        db.dispose()
