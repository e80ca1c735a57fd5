"""End to end: feed → pages → stored articles and verdicts → digest file and email.

Real parts only: an HTTP server on 127.0.0.1 that the crawler reaches through the
``host_map`` setting, SQLite, aiosmtpd, and the flows under Prefect's test harness.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, update

from flows.cli import main
from flows.daily_digest import daily_digest
from flows.monitor import monitor
from parsers.registry import outlet_by_key
from records import Outlet
from storage.db import Database
from storage.models import ArticleRow, DigestRow, OutletRun, PendingUrl, VerdictRow
from tests.http_server import LocalServer
from tests.site import DIPLOMACY_ARTICLE, SPORT_ARTICLE, article_html, rss_feed
from tests.smtp_server import RecordingHandler, parse

pytestmark = pytest.mark.prefect

DIGEST_DAY = date(2026, 11, 24)  # covers 23/11 07:00 to 24/11 07:00 Asia/Ho_Chi_Minh
HOST = "vnexpress.net"


def serve_outlet(server: LocalServer, outlet: Outlet) -> None:
    """The outlet's first feed lists both test articles; its other feeds are empty."""
    server.add(HOST, "/robots.txt", "User-agent: *\nAllow: /\n", content_type="text/plain")
    for index, feed_url in enumerate(outlet.feeds):
        path = feed_url.split(HOST, 1)[1]
        articles = [DIPLOMACY_ARTICLE, SPORT_ARTICLE] if index == 0 else []
        server.add(
            HOST,
            path,
            rss_feed(HOST, articles),
            headers={"ETag": f'"feed-{index}-v1"'},
            content_type="application/rss+xml; charset=utf-8",
        )
    for article in (DIPLOMACY_ARTICLE, SPORT_ARTICLE):
        server.add(
            HOST, article.path, article_html(HOST, article), content_type="text/html; charset=utf-8"
        )


@pytest.fixture
def site(local_server: LocalServer) -> LocalServer:
    serve_outlet(local_server, outlet_by_key("vnexpress"))
    return local_server


@pytest.fixture
def settings_for(
    configure: Callable[..., None], smtp_server: tuple[RecordingHandler, Any], tmp_path: Path
) -> Callable[[LocalServer], Path]:
    def apply(server: LocalServer) -> Path:
        _, smtp = smtp_server
        configure(
            host_map=server.host_map(HOST),
            politeness={
                "min_delay_seconds": 0.01,
                "outlet_delays": {"vnexpress": 0.01},
                "backoff_seconds": 0.05,
                "max_retries": 1,
            },
            smtp={"host": smtp.host, "port": smtp.port, "security": "none"},
            profiles=[{"name": "vn-us", "partners": ["US"], "recipients": ["desk@example.org"]}],
        )
        return tmp_path / "data"

    return apply


def count(db: Database, model: type[Any], *where: Any) -> int:
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def run_monitor(**kwargs: Any) -> list[dict[str, Any]]:
    return asyncio.run(monitor(outlets=["vnexpress"], **kwargs))


def test_a_monitor_run_stores_articles_and_the_digest_carries_only_diplomacy(
    prefect_harness: object,
    site: LocalServer,
    settings_for: Callable[[LocalServer], Path],
    smtp_server: tuple[RecordingHandler, Any],
) -> None:
    data_dir = settings_for(site)
    db = Database(f"sqlite:///{(data_dir / 'diplowatch.db').resolve()}")

    [row] = run_monitor()
    assert (row["outlet"], row["discovered"], row["new"], row["stored"]) == ("vnexpress", 2, 2, 2)
    assert (row["diplomacy"], row["errors"]) == (1, 0)
    assert count(db, ArticleRow) == 2
    assert count(db, VerdictRow, VerdictRow.is_diplomacy.is_(True)) == 1
    with db.session() as session:
        stored = session.scalars(select(ArticleRow).order_by(ArticleRow.id)).all()
        titles = {article.title for article in stored}
        assert titles == {DIPLOMACY_ARTICLE.title, SPORT_ARTICLE.title}
        assert all(article.published_at is not None for article in stored)
        for article in stored:
            assert "Tin liên quan" not in " ".join(article.paragraphs)
            assert "Ảnh minh họa." not in article.paragraphs
    assert list((data_dir / "warc").glob("*.warc.gz")), "every response is archived to WARC"

    [outcome] = daily_digest(day=DIGEST_DAY, send_retry_delay_seconds=0.1)
    assert outcome["sent"] is True and outcome["articles"] == 1
    html = Path(outcome["html_path"]).read_text(encoding="utf-8")
    assert DIPLOMACY_ARTICLE.title in html
    assert SPORT_ARTICLE.title not in html
    handler, _ = smtp_server
    [(_, recipients, raw)] = handler.envelopes
    assert recipients == ["desk@example.org"]
    message = parse(raw)
    assert message.get_content_type() == "multipart/alternative"
    parts = {part.get_content_type(): part.get_content() for part in message.iter_parts()}
    assert DIPLOMACY_ARTICLE.title in parts["text/plain"]
    assert DIPLOMACY_ARTICLE.title in parts["text/html"]
    assert SPORT_ARTICLE.title not in parts["text/plain"]

    # A second run and a second digest store nothing twice and send nothing twice.
    site.clear_requests()
    [again] = run_monitor()
    assert (again["new"], again["stored"], again["errors"]) == (0, 0, 0)
    assert count(db, ArticleRow) == 2
    feed_replies = [r for r in site.requests if r.path.endswith((".rss", ".xml"))]
    assert feed_replies and all("if-none-match" in r.headers for r in feed_replies)
    assert not site.requests_to(HOST, DIPLOMACY_ARTICLE.path), "seen pages are not fetched again"
    [second] = daily_digest(day=DIGEST_DAY, send_retry_delay_seconds=0.1)
    assert second["already_sent"] is True and second["sent"] is False
    assert len(handler.envelopes) == 1
    assert count(db, DigestRow) == 1
    assert count(db, OutletRun) == 2
    with db.session() as session:
        first_run = session.scalars(select(OutletRun).order_by(OutletRun.id)).first()
        assert first_run is not None
        # Both test pages are dated and not empty; the sport one is under 80 words.
        health = (first_run.empty_bodies, first_run.short_bodies, first_run.missing_dates)
        assert health == (0, 1, 0)
    db.dispose()


def test_a_broken_page_is_counted_and_the_rest_of_the_run_goes_on(
    prefect_harness: object, site: LocalServer, settings_for: Callable[[LocalServer], Path]
) -> None:
    site.add(HOST, SPORT_ARTICLE.path, "upstream exploded", status=500)
    data_dir = settings_for(site)
    [row] = run_monitor()
    assert (row["discovered"], row["stored"], row["errors"]) == (2, 1, 1)
    assert SPORT_ARTICLE.path in row["error_messages"][0]
    assert row["error_messages"][0].startswith("vnexpress:")
    # The page is retried on a later run once its back-off has passed, even though the
    # feed itself has not changed (it answers 304).
    site.add(HOST, SPORT_ARTICLE.path, article_html(HOST, SPORT_ARTICLE))
    db = Database(f"sqlite:///{(data_dir / 'diplowatch.db').resolve()}")
    with db.session() as session:
        session.execute(update(PendingUrl).values(next_attempt_at=datetime.now(UTC)))
    [again] = run_monitor()
    assert (again["new"], again["stored"], again["errors"]) == (0, 1, 0)
    assert count(db, ArticleRow) == 2
    assert count(db, PendingUrl) == 0
    db.dispose()


def test_replay_stores_the_articles_from_a_warc_without_the_network(
    prefect_harness: object,
    site: LocalServer,
    settings_for: Callable[[LocalServer], Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    data_dir = settings_for(site)
    run_monitor()
    [warc] = list((data_dir / "warc").glob("*.warc.gz"))
    site.close()  # nothing answers any more: the replay must not need the network
    replay_db = f"sqlite:///{tmp_path / 'replay.db'}"
    capsys.readouterr()
    status = main(["run", "--replay", str(warc), "--outlet", "vnexpress", "--db", replay_db])
    assert status == 0
    header, row = capsys.readouterr().out.splitlines()[:2]
    assert header.split() == ["outlet", "discovered", "new", "stored", "diplomacy", "errors"]
    assert row.split() == ["vnexpress", "2", "2", "2", "1", "0"]
    db = Database(replay_db)
    assert count(db, ArticleRow) == 2
    db.dispose()
