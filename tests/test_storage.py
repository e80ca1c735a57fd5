"""Storage: what the rest of diplowatch relies on from the database."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import inspect, select

from records import VIETNAM_TZ, Article, Image, Person, Verdict
from storage.db import Database
from storage.digests import get_digest, mark_digest_sent, save_rendered_digest
from storage.models import ArticleRow, VerdictRow
from storage.repository import (
    OutletCounters,
    article_from_row,
    diplomacy_articles,
    fetch_state,
    known_url_keys,
    outlet_health,
    record_fetch_failure,
    record_fetch_success,
    record_outlet_run,
    save_verdict,
    upsert_article,
    verdict_from_row,
)
from tests.postgres import database_url

__all__ = ["database_url"]  # every test here runs on SQLite and on PostgreSQL

PUBLISHED = datetime(2025, 9, 29, 17, 30, tzinfo=VIETNAM_TZ)


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    database = Database(database_url)
    yield database
    database.dispose()


def make_article(url: str = "https://vnexpress.net/a-1.html", title: str = "Tiêu đề") -> Article:
    return Article(
        outlet="vnexpress",
        url=url,
        canonical_url=url,
        title=title,
        sapo="Sapo",
        paragraphs=("Đoạn một.", "Đoạn hai."),
        authors=("Thống Nhất",),
        published_at=PUBLISHED,
        images=(Image(url="https://i.vnecdn.net/1.jpg", caption="Ảnh"),),
        extraction_method="vnexpress",
    )


DIPLOMACY = Verdict(
    is_diplomacy=True,
    score=0.9,
    partners=("US",),
    event="reception",
    people=(Person("Tô Lâm", "Tổng Bí thư"),),
    evidence=("Tổng Bí thư Tô Lâm tiếp Đại sứ Hoa Kỳ",),
    model_version="test",
)


def test_migrations_create_every_table_and_are_safe_to_rerun(database_url: str) -> None:
    first = Database(database_url)
    with first.session() as session:
        upsert_article(session, make_article(), url_key="k", fetched_at=PUBLISHED)
    first.dispose()
    again = Database(database_url)  # a second start migrates nothing and loses nothing
    tables = set(inspect(again.engine).get_table_names())
    assert {"articles", "verdicts", "outlets", "fetch_state", "outlet_runs", "digests"} <= tables
    assert "alembic_version" in tables
    with again.session() as session:
        assert known_url_keys(session, ["k"]) == {"k"}
    again.dispose()


def test_storing_the_same_url_twice_keeps_one_row_with_the_newest_content(db: Database) -> None:
    fetched = datetime(2025, 9, 29, 11, 0, tzinfo=UTC)
    with db.session() as session:
        first = upsert_article(session, make_article(), url_key="k1", fetched_at=fetched)
    with db.session() as session:
        second = upsert_article(
            session,
            make_article(title="Tiêu đề mới"),
            url_key="k1",
            fetched_at=fetched + timedelta(hours=1),
        )
    assert first == second
    with db.session() as session:
        rows = session.scalars(select(ArticleRow)).all()
        assert len(rows) == 1
        assert rows[0].title == "Tiêu đề mới"
        assert rows[0].first_seen_at == fetched  # the first sighting is kept
        assert known_url_keys(session, ["k1", "k2"]) == {"k1"}


def test_times_come_back_timezone_aware_and_equal(db: Database) -> None:
    with db.session() as session:
        upsert_article(session, make_article(), url_key="k", fetched_at=datetime.now(UTC))
    with db.session() as session:
        row = session.scalars(select(ArticleRow)).one()
        article = article_from_row(row)
    assert article.published_at == PUBLISHED
    assert article.published_at is not None and article.published_at.tzinfo is not None
    assert article.images == (Image(url="https://i.vnecdn.net/1.jpg", caption="Ảnh"),)


def test_naive_times_are_refused(db: Database) -> None:
    with pytest.raises(Exception, match="naive datetime"), db.session() as session:
        upsert_article(session, make_article(), url_key="k", fetched_at=datetime(2025, 1, 1))


def test_a_verdict_is_replaced_not_duplicated(db: Database) -> None:
    with db.session() as session:
        article_id = upsert_article(session, make_article(), url_key="k", fetched_at=PUBLISHED)
        save_verdict(session, article_id, DIPLOMACY)
    with db.session() as session:
        save_verdict(session, article_id, Verdict(is_diplomacy=False, score=0.1))
    with db.session() as session:
        rows = session.scalars(select(VerdictRow)).all()
        assert len(rows) == 1
        assert verdict_from_row(rows[0]).is_diplomacy is False


def test_the_digest_query_filters_by_window_partner_and_score(db: Database) -> None:
    with db.session() as session:
        us = upsert_article(session, make_article("https://a/1"), url_key="1", fetched_at=PUBLISHED)
        save_verdict(session, us, DIPLOMACY)
        jp = upsert_article(session, make_article("https://a/2"), url_key="2", fetched_at=PUBLISHED)
        save_verdict(session, jp, Verdict(is_diplomacy=True, score=0.9, partners=("JP",)))
        sport = upsert_article(
            session, make_article("https://a/3"), url_key="3", fetched_at=PUBLISHED
        )
        save_verdict(session, sport, Verdict(is_diplomacy=False, score=0.0))
    start, end = PUBLISHED - timedelta(hours=1), PUBLISHED + timedelta(hours=1)
    with db.session() as session:
        found = diplomacy_articles(session, start, end, partners=["US"], min_score=0.5)
        assert [article.url for article, _ in found] == ["https://a/1"]
        assert len(diplomacy_articles(session, start, end)) == 2
        assert diplomacy_articles(session, end, end + timedelta(hours=1)) == []
        assert diplomacy_articles(session, start, end, min_score=0.95) == []


def test_feed_failures_back_off_and_a_success_clears_them(db: Database) -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    url = "https://vnexpress.net/rss/thoi-su.rss"
    with db.session() as session:
        record_fetch_failure(session, url, outlet_key="vnexpress", error="HTTP 503", now=now)
        state = record_fetch_failure(
            session, url, outlet_key="vnexpress", error="HTTP 503", now=now
        )
        assert state.failures == 2
        assert state.next_fetch_at is not None and state.next_fetch_at > now + timedelta(minutes=5)
    with db.session() as session:
        record_fetch_success(
            session,
            url,
            outlet_key="vnexpress",
            status=200,
            etag='"v1"',
            last_modified=None,
            now=now,
        )
        record_fetch_success(
            session, url, outlet_key="vnexpress", status=304, etag=None, last_modified=None, now=now
        )
    with db.session() as session:
        saved = fetch_state(session, url)
        assert saved is not None
        assert (saved.failures, saved.next_fetch_at, saved.etag) == (0, None, '"v1"')


def test_outlet_health_counts_an_error_streak(db: Database) -> None:
    now = datetime.now(UTC)
    for _ in range(2):
        failed = OutletCounters(outlet_key="vov")
        failed.error("vov: feed https://vov.vn/rss: connection refused")
        with db.session() as session:
            record_outlet_run(session, failed, outlet_name="VOV", started_at=now, finished_at=now)
    with db.session() as session:
        assert outlet_health(session)["vov"].error_streak == 2
    with db.session() as session:
        ok = OutletCounters(outlet_key="vov", discovered=3, new=3, stored=3)
        record_outlet_run(session, ok, outlet_name="VOV", started_at=now, finished_at=now)
    with db.session() as session:
        health = outlet_health(session)["vov"]
        assert (health.error_streak, health.articles_stored) == (0, 3)


def test_a_sent_digest_is_never_overwritten(db: Database) -> None:
    start = datetime(2026, 11, 23, 0, 0, tzinfo=UTC)
    common: dict[str, Any] = {
        "profile": "vn-us",
        "day": "2026-11-24",
        "window_start": start,
        "window_end": start + timedelta(days=1),
        "article_ids": [1],
        "html_path": None,
    }
    with db.session() as session:
        row = save_rendered_digest(session, subject="v1", html="<p>v1</p>", text="v1", **common)
        mark_digest_sent(
            session, row, message_id="<m@x>", recipients=["a@x"], refused={}, sent_at=start
        )
    with db.session() as session:
        save_rendered_digest(session, subject="v2", html="<p>v2</p>", text="v2", **common)
    with db.session() as session:
        stored = get_digest(session, "vn-us", "2026-11-24")
        assert stored is not None
        assert (stored.subject, stored.message_id) == ("v1", "<m@x>")


def test_on_sqlite_a_transaction_that_reads_then_writes_waits_for_another_writer(
    tmp_path: Path,
) -> None:
    # Two processes on the embedded database (two overlapping monitor runs): one reads and
    # then writes while the other writes in between. SQLite must make the other wait, not
    # refuse the first one's write half-way ("database is locked").
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    first, second = Database(url), Database(url, run_migrations=False)
    now = datetime.now(UTC)
    has_read = threading.Event()

    def other_process() -> None:
        has_read.wait(timeout=10)
        with second.session() as session:
            record_fetch_failure(
                session, "https://vov.vn/rss", outlet_key="vov", error="timeout", now=now
            )

    other = threading.Thread(target=other_process)
    other.start()
    with first.session() as session:
        assert fetch_state(session, "https://vnexpress.net/rss") is None
        has_read.set()
        time.sleep(0.3)  # the other process tries to write now
        record_fetch_failure(
            session, "https://vnexpress.net/rss", outlet_key="vnexpress", error="500", now=now
        )
    other.join(timeout=30)
    with first.session() as session:
        assert fetch_state(session, "https://vnexpress.net/rss") is not None
        assert fetch_state(session, "https://vov.vn/rss") is not None
    first.dispose()
    second.dispose()
