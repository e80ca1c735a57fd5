"""Stories in the database, on SQLite and on PostgreSQL: filing the seed copies one by one
(as the monitor does, in each article's transaction) builds the same stories as matching
them in memory; filing again duplicates nothing; stories merge and shrink as they should;
the monitor files what it stores. The copies are those of tests/test_stories.py (built at
test time from ../shared/seeds; skipped when absent)."""

from __future__ import annotations

import asyncio
import threading
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, func, select

from analysis.stories import cluster
from flows.digesting import collect_digest, prepare_digest
from flows.monitoring import monitor_outlet
from flows.settings import Settings, WatchProfile
from flows.stories import file_in_story
from parsers.registry import outlet_by_key
from records import Verdict
from storage.db import Database
from storage.models import ArticleRow, StoryArticleRow, StoryKeyRow, StoryRow
from storage.repository import save_verdict, upsert_article
from tests import site
from tests.http_server import LocalServer
from tests.postgres import database_url
from tests.test_stories import Copy, items_of, label, seed_copies

__all__ = ["database_url"]  # every test here runs on SQLite and on PostgreSQL


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    database = Database(database_url)
    yield database
    database.dispose()


@pytest.fixture(scope="module")
def copies() -> list[Copy]:
    return seed_copies()


def store(db: Database, copy: Copy, verdict: Verdict | None = None) -> tuple[int, int | None]:
    """Upsert the copy and its verdict and file it, in one transaction (as the monitor)."""
    verdict = verdict or label(copy)
    with db.session() as session:
        article_id = upsert_article(
            session, copy.article, url_key=copy.article.url, fetched_at=copy.moment
        )
        save_verdict(session, article_id, verdict)
        return article_id, file_in_story(session, article_id, copy.article, verdict)


def count(db: Database, model: type[Any]) -> int:
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def groups(labels: dict[str, int | None]) -> set[frozenset[str]]:
    found: dict[int | None, set[str]] = defaultdict(set)
    for key, story in labels.items():
        found[story].add(key)
    return {frozenset(members) for members in found.values()}


def test_filed_stories_are_the_stories_found_in_memory(db: Database, copies: list[Copy]) -> None:
    filed = {copy.key: store(db, copy)[1] for copy in copies}
    expected = cluster(items_of(copies))
    assert groups(filed) == groups(dict(zip([c.key for c in copies], expected, strict=True)))
    truth: dict[str, set[str]] = defaultdict(set)
    for copy in copies:
        truth[copy.story].add(copy.key)
    assert groups(filed) == {frozenset(keys) for keys in truth.values()}
    assert count(db, StoryRow) == 5
    assert count(db, StoryArticleRow) == len(copies)


def test_filing_again_duplicates_nothing(db: Database, copies: list[Copy]) -> None:
    first = {copy.key: store(db, copy) for copy in copies}
    tables = (count(db, StoryRow), count(db, StoryArticleRow), count(db, StoryKeyRow))
    again = {copy.key: store(db, copy) for copy in reversed(copies)}
    assert again == first  # same article ids, same stories
    assert (count(db, StoryRow), count(db, StoryArticleRow), count(db, StoryKeyRow)) == tables
    # An edited article (the outlet fixed a typo in the title) stays in its story.
    edited = replace(
        copies[0], article=replace(copies[0].article, title=copies[0].article.title + ".")
    )
    assert store(db, edited) == first[copies[0].key]
    assert count(db, StoryArticleRow) == len(copies)


def test_a_story_keeps_its_summary(db: Database, copies: list[Copy]) -> None:
    for copy in copies:
        store(db, copy)
    with db.session() as session:
        story = session.scalars(select(StoryRow).where(StoryRow.article_count == 4)).one()
        rep = session.get(ArticleRow, story.representative_id)
        assert rep is not None
        assert rep.credited_source is None  # the original, not the provincial copy
        assert story.outlets == ["vnexpress", "baotintuc", "vietnamnet", "baodienbienphu"]
        assert story.outlet_count == 4
        assert story.partners == ["US"]
        assert [p["name"] for p in story.people] == ["Tô Lâm", "Marc Knapper"]
        assert story.event == "reception"
        assert story.first_seen_at < story.last_seen_at
        assert story.first_seen_at.utcoffset() is not None  # aware, UTC


def test_an_article_matching_two_stories_merges_them(db: Database, copies: list[Copy]) -> None:
    by_key = {copy.key: copy for copy in copies}
    _, first = store(db, by_key["a1-baotintuc"])
    _, second = store(db, by_key["a4-vietnamnet"])  # a rewrite of a2, too far from a1 alone
    assert first != second
    _, bridge = store(db, by_key["a2-vnexpress"])  # matches both
    assert bridge in (first, second)
    assert count(db, StoryRow) == 1
    with db.session() as session:
        story = session.get(StoryRow, bridge)
        assert story is not None and story.article_count == 3


def test_an_article_that_is_no_longer_diplomacy_leaves_its_story(
    db: Database, copies: list[Copy]
) -> None:
    d1, d2 = (copy for copy in copies if copy.story == "D")
    store(db, d1)
    _, story = store(db, d2)
    assert story is not None
    assert store(db, d2, Verdict(False, 0.1))[1] is None
    with db.session() as session:
        row = session.get(StoryRow, story)
        assert row is not None and row.article_count == 1
    assert store(db, d1, Verdict(False, 0.1))[1] is None
    assert count(db, StoryRow) == 0  # an emptied story goes
    assert count(db, StoryKeyRow) == 0


HOSTS = {"vnexpress": "vnexpress.net", "baotintuc": "baotintuc.vn"}


def test_the_monitor_files_the_articles_it_stores(
    local_server: LocalServer,
    configure: Callable[..., None],
    copies: list[Copy],
    database_url: str,
) -> None:
    """Two outlets carry the same reception: after one monitor pass over each, the
    database holds one story with both, filed with the real classifier's verdicts."""
    by_key = {copy.key: copy for copy in copies}
    pages = {"vnexpress": by_key["a2-vnexpress"], "baotintuc": by_key["a1-baotintuc"]}
    for outlet_key, copy in pages.items():
        host = HOSTS[outlet_key]
        article = site.TestArticle(
            path=f"/thoi-su/{copy.key}.html",
            title=copy.article.title,
            sapo=copy.article.sapo or copy.article.paragraphs[0],
            paragraphs=copy.article.paragraphs[0 if copy.article.sapo else 1 :],
            published_at=copy.moment,
            section="Thời sự",
        )
        local_server.add(
            host, "/robots.txt", "User-agent: *\nAllow: /\n", content_type="text/plain"
        )
        for feed in outlet_by_key(outlet_key).feeds:
            local_server.add(
                host,
                feed.split(host, 1)[1],
                site.rss_feed(host, [article]),
                content_type="application/rss+xml; charset=utf-8",
            )
        local_server.add(
            host,
            article.path,
            site.article_html(host, article),
            content_type="text/html; charset=utf-8",
        )
    configure(
        host_map={**local_server.host_map(*HOSTS.values())},
        politeness={
            "min_delay_seconds": 0.01,
            "backoff_seconds": 0.05,
            "max_retries": 1,
            "outlet_delays": {key: 0.01 for key in HOSTS},
        },
    )
    settings = Settings()
    db = Database(database_url)
    try:
        for outlet_key in HOSTS:
            counters = asyncio.run(monitor_outlet(outlet_by_key(outlet_key), settings, db))
            assert (counters.stored, counters.diplomacy, counters.errors) == (1, 1, 0)
        assert count(db, StoryRow) == 1
        with db.session() as session:
            story = session.scalars(select(StoryRow)).one()
            assert sorted(story.outlets) == ["baotintuc", "vnexpress"]
            assert story.article_count == 2
        again = asyncio.run(monitor_outlet(outlet_by_key("vnexpress"), settings, db))
        assert again.stored == 0
        assert count(db, StoryArticleRow) == 2
    finally:
        db.dispose()


def test_the_digest_of_a_stored_day_is_collected_from_stories(
    db: Database, copies: list[Copy], tmp_path: Path
) -> None:
    """The digest queries on this backend: the 30/9 window's US stories, each once."""
    for copy in copies:
        store(db, copy)
    profile = WatchProfile(name="vn-us", partners=["US"])
    record, story_ids, article_ids = collect_digest(db, profile, date(2025, 9, 30))
    assert len(record.stories) == len(story_ids) == 4
    assert len(article_ids) == 11  # a3 comes after the window's end
    assert {story.title for story in record.stories} >= {
        "Tổng Bí thư đề nghị Việt - Mỹ tăng hợp tác lĩnh vực mũi nhọn"
    }
    outcome, rendered = prepare_digest(
        db, Settings(data_dir=tmp_path), profile, date(2025, 9, 30), tmp_path / "out"
    )
    assert (outcome.stories, outcome.articles) == (4, 11)
    assert "4 tin, 11 bài" in rendered.subject


def test_reports_of_one_event_stored_at_once_by_several_workers_make_one_story(
    db: Database, copies: list[Copy]
) -> None:
    by_story: dict[str, list[Copy]] = defaultdict(list)
    for copy in copies:
        by_story[copy.story].append(copy)
    same_event = max(by_story.values(), key=len)
    assert len(same_event) >= 3
    for _ in range(3):  # three rounds of simultaneous transactions, one worker per report
        start = threading.Barrier(len(same_event))

        def worker(copy: Copy, start: threading.Barrier) -> None:
            start.wait(timeout=30)
            store(db, copy)

        threads = [threading.Thread(target=worker, args=(c, start)) for c in same_event]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        with db.session() as session:
            stories = set(session.scalars(select(StoryArticleRow.story_id)))
        assert len(stories) == 1, "one event filed in several stories"
        with db.session() as session:  # the next round starts from nothing again
            session.execute(delete(StoryRow))
            session.execute(delete(ArticleRow))
