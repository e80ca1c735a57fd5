"""Backfill: the articles of a date range from news sitemaps, sitemap indexes and listings,
each stored once and filed in its story, without leaving the outlet's hosts (on SQLite and on
PostgreSQL), fetched by a bounded pool of workers."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from flows.backfill import backfill_outlet, run_pool
from flows.cli import main
from flows.settings import get_settings
from parsers.registry import outlet_by_key
from records import VIETNAM_TZ
from storage.db import Database
from storage.models import ArticleRow, OutletRun, StoryRow, VerdictRow
from storage.repository import OutletCounters
from tests.http_server import LocalServer
from tests.postgres import database_url
from tests.site import DIPLOMACY_ARTICLE, SPORT_ARTICLE, article_html
from tests.site import TestArticle as Page
from tests.stored import stories_by_title

__all__ = ["database_url"]  # the storing tests run on SQLite and on PostgreSQL

HOST = "vnexpress.net"
FOREIGN = ("evil.example", "elsewhere.example")  # mapped to the server: a request would show
LISTED = Page(
    path="/the-gioi/ngoai-truong-hai-nuoc-dien-dam-4900003.html",
    title="Ngoại trưởng hai nước điện đàm",
    sapo="Tối 22/11, Bộ trưởng Ngoại giao điện đàm với Ngoại trưởng Hoa Kỳ.",
    paragraphs=("Hai bên trao đổi về quan hệ song phương.",),
    published_at=datetime(2026, 11, 22, 20, 0, tzinfo=VIETNAM_TZ),
    section="Thế giới",
)
OLD = Page(
    path="/thoi-su/tin-cu-thang-muoi-4800001.html",
    title="Tin cũ tháng Mười",
    sapo="Một tin cũ.",
    paragraphs=("Nội dung cũ.",),
    published_at=datetime(2026, 10, 1, 9, 0, tzinfo=VIETNAM_TZ),
    section="Thời sự",
)

NEWS_SITEMAP = f"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
  <url><loc>https://{HOST}{DIPLOMACY_ARTICLE.path}</loc>
    <news:news><news:publication><news:name>VnExpress</news:name><news:language>vi</news:language>
    </news:publication><news:publication_date>2026-11-23T16:30:00+07:00</news:publication_date>
    <news:title>{DIPLOMACY_ARTICLE.title}</news:title></news:news></url>
  <url><loc>https://{HOST}{OLD.path}</loc>
    <news:news><news:publication_date>2026-10-01T09:00:00+07:00</news:publication_date></news:news>
  </url>
  <url><loc>https://evil.example/thoi-su/tin-gia-4900007.html</loc>
    <news:news><news:publication_date>2026-11-23T10:00:00+07:00</news:publication_date></news:news>
  </url>
</urlset>"""

SITEMAP_INDEX = f"""<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <sitemap><loc>https://{HOST}/sitemap/2026-11.xml</loc><lastmod>2026-11-23</lastmod></sitemap>
  <sitemap><loc>https://{HOST}/sitemap/2026-09.xml</loc><lastmod>2026-09-30</lastmod></sitemap>
  <sitemap><loc>https://evil.example/sitemap/2026-11.xml</loc><lastmod>2026-11-23</lastmod></sitemap>
</sitemapindex>"""

MONTH_SITEMAP = f"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <url><loc>https://{HOST}{SPORT_ARTICLE.path}</loc><lastmod>2026-11-23T21:15:00+07:00</lastmod></url>
</urlset>"""

LISTING = f"""<html><body><nav><a href="/">Trang chủ</a> <a href="/the-gioi">Thế giới</a></nav>
<h3><a href="{LISTED.path}">{LISTED.title}</a></h3>
<h3><a href="https://{HOST}{LISTED.path}#box_comment">{LISTED.title}</a></h3>
<a href="https://elsewhere.example/tin-khac-4900009.html">Elsewhere</a></body></html>"""


@pytest.fixture
def site(local_server: LocalServer, configure: Callable[..., None]) -> LocalServer:
    server = local_server
    server.add(HOST, "/robots.txt", "User-agent: *\nAllow: /\n", content_type="text/plain")
    xml = "application/xml; charset=utf-8"
    server.add(HOST, "/google-news-sitemap.xml", NEWS_SITEMAP, content_type=xml)
    server.add(HOST, "/sitemap/sitemap-index.xml", SITEMAP_INDEX, content_type=xml)
    server.add(HOST, "/sitemap/2026-11.xml", MONTH_SITEMAP, content_type=xml)
    server.add(HOST, "/sitemap/2026-09.xml", MONTH_SITEMAP, content_type=xml)
    server.add(HOST, "/thoi-su", LISTING)  # /the-gioi (the other listing page) is missing
    for article in (DIPLOMACY_ARTICLE, SPORT_ARTICLE, LISTED, OLD):
        server.add(HOST, article.path, article_html(HOST, article))
    for host in FOREIGN:  # what another host would serve, were it asked
        server.add(host, "/sitemap/2026-11.xml", MONTH_SITEMAP, content_type=xml)
        server.add(host, "/thoi-su/tin-gia-4900007.html", article_html(host, DIPLOMACY_ARTICLE))
        server.add(host, "/tin-khac-4900009.html", article_html(host, DIPLOMACY_ARTICLE))
    configure(
        host_map=server.host_map(HOST, *FOREIGN),
        politeness={"min_delay_seconds": 0.0, "outlet_delays": {"vnexpress": 0.0},
                    "max_retries": 0, "shared_limits": False},
    )  # fmt: skip
    return server


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    database = Database(database_url)
    yield database
    database.dispose()


def backfill_range(db: Database, max_articles: int = 100) -> OutletCounters:
    """Backfill VnExpress for 22-23/11/2026 (Asia/Ho_Chi_Minh days)."""
    return asyncio.run(
        backfill_outlet(
            outlet_by_key("vnexpress"),
            get_settings(),
            db,
            since=date(2026, 11, 22),
            until=date(2026, 11, 23),
            max_articles=max_articles,
        )
    )


def stored_titles(db: Database) -> list[str]:
    with db.session() as session:
        return sorted(session.scalars(select(ArticleRow.title)))


def test_backfill_stores_the_ranges_articles_once_and_leaves_the_rest(
    site: LocalServer, db: Database
) -> None:
    def run() -> tuple[int, int, int, int]:
        counters = backfill_range(db)
        return counters.discovered, counters.new, counters.stored, counters.errors

    # 3 in range (news sitemap, month sitemap, listing); /sitemap/news.rss and /the-gioi fail.
    assert run() == (3, 3, 3, 2)
    assert stored_titles(db) == sorted([DIPLOMACY_ARTICLE.title, SPORT_ARTICLE.title, LISTED.title])
    with db.session() as session:
        assert session.scalars(select(OutletRun)).all() == []  # not a monitor run
    assert not site.requests_to(HOST, OLD.path), "an article outside the range is not fetched"
    assert not site.requests_to(HOST, "/sitemap/2026-09.xml"), "an old child sitemap is skipped"
    assert {r.host for r in site.requests} == {HOST}, "only the outlet's host is contacted"
    site.clear_requests()
    assert run() == (3, 0, 0, 2)
    assert not [r for r in site.requests if r.path.endswith(".html")]
    assert len(stored_titles(db)) == 3


def test_backfilled_diplomacy_articles_are_filed_in_their_stories(
    site: LocalServer, db: Database
) -> None:
    backfill_range(db)
    with db.session() as session:
        diplomacy = set(
            session.scalars(
                select(ArticleRow.title)
                .join(VerdictRow, VerdictRow.article_id == ArticleRow.id)
                .where(VerdictRow.is_diplomacy)
            )
        )
        story_titles = set(session.scalars(select(StoryRow.title)))
    filed = stories_by_title(db)
    assert DIPLOMACY_ARTICLE.title in diplomacy and SPORT_ARTICLE.title not in diplomacy
    assert set(filed) == diplomacy  # every diplomacy article in a story, nothing else
    assert DIPLOMACY_ARTICLE.title in story_titles
    backfill_range(db)  # stores nothing new: the stories stay as they were
    assert stories_by_title(db) == filed


def test_a_capped_backfill_stores_the_newest_first_and_the_next_one_goes_on(
    site: LocalServer, tmp_path: Path
) -> None:
    db = Database(f"sqlite:///{tmp_path / 'capped.db'}")
    # Newest first: the sport article (23/11 21:15), then the diplomacy one (23/11 16:30),
    # then what the listing pages link to.
    assert backfill_range(db, max_articles=1).stored == 1
    assert stored_titles(db) == [SPORT_ARTICLE.title]
    counters = backfill_range(db, max_articles=1)
    assert (counters.discovered, counters.new, counters.stored) == (3, 2, 1)
    assert stored_titles(db) == sorted([SPORT_ARTICLE.title, DIPLOMACY_ARTICLE.title])
    db.dispose()


async def test_the_fetch_pool_keeps_at_most_its_workers_in_flight_and_takes_each_url_once() -> (
    None
):
    urls = [f"https://{HOST}/bai-{n}.html" for n in range(300)]
    taken: list[str] = []
    done: list[str] = []
    ahead = 0  # the most URLs taken from the list and not yet finished, at any moment

    def lazily() -> Iterator[str]:
        nonlocal ahead
        for url in urls:
            taken.append(url)
            ahead = max(ahead, len(taken) - len(done))
            yield url

    async def work(url: str) -> None:
        await asyncio.sleep(0.001 * (len(url) % 3))
        done.append(url)

    await run_pool(lazily(), 4, work)
    assert sorted(done) == sorted(urls) and len(done) == len(urls)
    assert ahead == 4

    async def fails(url: str) -> None:
        if url.endswith("-7.html"):
            raise RuntimeError(f"database gone at {url}")
        await asyncio.sleep(0.001)

    with pytest.raises(RuntimeError, match="database gone"):
        await run_pool(urls, 4, fails)


@pytest.mark.prefect
def test_the_backfill_command_runs_the_flow(
    prefect_harness: object, site: LocalServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    capsys.readouterr()
    args = ["backfill", "--outlet", "vnexpress", "--since", "2026-11-22", "--until", "2026-11-23"]
    assert main([*args, "--db", url]) == 0
    header, row = capsys.readouterr().out.splitlines()[:2]
    assert header.split() == ["outlet", "discovered", "new", "stored", "diplomacy", "errors"]
    assert row.split()[:4] == ["vnexpress", "3", "3", "3"]
    assert main(["backfill", "--since", "2026-11-23", "--until", "2026-11-22"]) == 2
