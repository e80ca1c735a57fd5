"""Crash safety: a monitor killed with SIGKILL at any point, or two monitors at once, store
every article exactly once and never half of one.

Each monitor pass runs in its own process (tests/monitor_child.py) against the fault site on
127.0.0.1; the feeds carry ETags, so a run that recorded a feed's validators and died before
fetching its articles would, without care, see only 304s afterwards and lose them. Runs on
SQLite and on PostgreSQL.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from storage.db import Database
from storage.models import ArticleRow, PendingUrl, StoryArticleRow, StoryRow, VerdictRow
from tests.fault_site import FEED, FEED_2, HOST, FaultSite, article, fault_site, url_of
from tests.http_server import RecordedRequest, Reply
from tests.postgres import database_url
from tests.site import article_html, rss_feed

__all__ = ["database_url", "fault_site"]

REPO_ROOT = Path(__file__).resolve().parent.parent
PAGES = [article(number) for number in range(1, 13)]
PAGE_DELAY = 0.05  # seconds the server takes per article page: a pass lasts a little while


class Outlet:
    """The outlet's server: feeds with ETags, article pages that can kill the monitor when
    the n-th of them is requested (the moment after the feeds were read and queued)."""

    def __init__(self, site: FaultSite) -> None:
        self.site = site
        self.lock = threading.Lock()
        self.article_requests = 0
        self.kill_on: int | None = None
        self.child: subprocess.Popen[str] | None = None
        site.serve_robots()
        for feed_url, pages in ((FEED, PAGES), (FEED_2, [])):
            site.server.add(
                HOST,
                feed_url.split(HOST, 1)[1],
                rss_feed(HOST, pages),
                content_type="application/rss+xml; charset=utf-8",
                headers={"ETag": f'"{feed_url[-12:]}-v1"'},
            )
        for page in PAGES:
            site.server.add_handler(HOST, page.path, self._page_handler(page.path))

    def _page_handler(self, path: str) -> Callable[[RecordedRequest], Reply]:
        page = next(p for p in PAGES if p.path == path)
        html = article_html(HOST, page)

        def reply(_request: RecordedRequest) -> Reply:
            with self.lock:
                self.article_requests += 1
                if self.child is not None and self.article_requests == self.kill_on:
                    os.kill(self.child.pid, signal.SIGKILL)
            return Reply(200, html, content_type="text/html; charset=utf-8", delay=PAGE_DELAY)

        return reply

    def start(self, database: str, *, kill_on: int | None = None) -> subprocess.Popen[str]:
        """A monitor pass in a child process (settings from this test's environment)."""
        self.site.settings(max_connections_per_host=2)  # writes the settings to the env
        env = dict(os.environ, PYTHONPATH=str(REPO_ROOT))
        with self.lock:
            self.article_requests, self.kill_on = 0, kill_on
            self.child = subprocess.Popen(
                [sys.executable, "-m", "tests.monitor_child", database],
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
        return self.child


def finish(child: subprocess.Popen[str]) -> str:
    out, err = child.communicate(timeout=120)
    assert child.returncode == 0, err[-3000:]
    return out


def kill_after(child: subprocess.Popen[str], seconds: float) -> None:
    """SIGKILL the child ``seconds`` after its database is open."""
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "started"
    time.sleep(seconds)
    child.kill()
    child.wait(timeout=30)


def assert_whole(db: Database) -> None:
    """No article twice, none without its verdict, every diplomacy article in exactly one
    story, and every story's count matching its members."""
    with db.session() as session:
        keys = list(session.scalars(select(ArticleRow.url_key)))
        assert len(keys) == len(set(keys)), "an article is stored twice"
        verdicts = session.scalar(select(func.count()).select_from(VerdictRow))
        assert verdicts == len(keys), "an article without its verdict (or the reverse)"
        diplomacy = session.scalar(
            select(func.count()).select_from(VerdictRow).where(VerdictRow.is_diplomacy)
        )
        members = session.scalar(select(func.count()).select_from(StoryArticleRow))
        assert members == diplomacy, "a diplomacy article outside any story"
        for story in session.scalars(select(StoryRow)):
            count = session.scalar(
                select(func.count())
                .select_from(StoryArticleRow)
                .where(StoryArticleRow.story_id == story.id)
            )
            assert story.article_count == count


def stored_urls(db: Database) -> list[str]:
    with db.session() as session:
        return sorted(session.scalars(select(ArticleRow.url_key)))


def waiting_urls(db: Database) -> list[str]:
    with db.session() as session:
        return sorted(session.scalars(select(PendingUrl.url_key)))


@pytest.fixture
def database(database_url: str) -> Iterator[tuple[str, Database]]:
    db = Database(database_url)  # migrated here, so that the children only open it
    try:
        yield database_url, db
    finally:
        db.dispose()


def test_a_monitor_killed_at_random_points_and_run_again_stores_every_article_once(
    fault_site: FaultSite, database: tuple[str, Database]
) -> None:
    url, db = database
    outlet = Outlet(fault_site)
    rng = random.Random(20261124)
    # Killed the moment the first article is asked for (feeds read, validators recorded,
    # nothing stored), then at a random later article, then at random times.
    for kill_on in (1, rng.randint(2, len(PAGES))):
        child = outlet.start(url, kill_on=kill_on)
        _, err = child.communicate(timeout=120)
        assert outlet.article_requests > 0, "no article asked for: the queued ones were lost"
        assert child.returncode == -signal.SIGKILL, f"the child was not killed: {err[-3000:]}"
        assert_whole(db)
    for _ in range(3):
        kill_after(outlet.start(url), rng.uniform(0.0, 1.5))
        assert_whole(db)

    finish(outlet.start(url))
    assert_whole(db)
    assert stored_urls(db) == sorted(url_of(page) for page in PAGES), "an article was lost"
    assert waiting_urls(db) == []
    feed_requests = fault_site.server.requests_to(HOST, FEED.split(HOST, 1)[1])
    assert feed_requests[-1].headers.get("if-none-match"), "the feed's ETag was never used"

    again = finish(outlet.start(url))
    assert again.strip().endswith("stored 0")
    assert stored_urls(db) == sorted(url_of(page) for page in PAGES)


def test_two_monitors_at_once_store_every_article_once(
    fault_site: FaultSite, database: tuple[str, Database]
) -> None:
    url, db = database
    outlet = Outlet(fault_site)
    first, second = outlet.start(url), outlet.start(url)
    finish(first)
    finish(second)
    assert_whole(db)
    assert stored_urls(db) == sorted(url_of(page) for page in PAGES)
    assert waiting_urls(db) == []
