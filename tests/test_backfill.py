"""Backfill: the articles of a date range from news sitemaps, sitemap indexes and listings."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from flows.backfill import backfill_outlet, parse_sitemap
from flows.cli import main
from flows.settings import get_settings
from parsers.registry import outlet_by_key
from records import VIETNAM_TZ
from storage.db import Database
from storage.models import ArticleRow, OutletRun
from tests.http_server import LocalServer
from tests.site import DIPLOMACY_ARTICLE, SPORT_ARTICLE, article_html
from tests.site import TestArticle as Page

HOST = "vnexpress.net"
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
</urlset>"""

SITEMAP_INDEX = f"""<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <sitemap><loc>https://{HOST}/sitemap/2026-11.xml</loc><lastmod>2026-11-23</lastmod></sitemap>
  <sitemap><loc>https://{HOST}/sitemap/2026-09.xml</loc><lastmod>2026-09-30</lastmod></sitemap>
</sitemapindex>"""

MONTH_SITEMAP = f"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <url><loc>https://{HOST}{SPORT_ARTICLE.path}</loc><lastmod>2026-11-23T21:15:00+07:00</lastmod></url>
</urlset>"""

LISTING = f"""<html><body><nav><a href="/">Trang chủ</a> <a href="/the-gioi">Thế giới</a></nav>
<h3><a href="{LISTED.path}">{LISTED.title}</a></h3>
<h3><a href="https://{HOST}{LISTED.path}#box_comment">{LISTED.title}</a></h3>
<a href="https://elsewhere.example/tin-khac-4900009.html">Elsewhere</a></body></html>"""


def test_a_sitemap_index_and_a_news_sitemap_are_read_with_their_dates() -> None:
    index = parse_sitemap(SITEMAP_INDEX.encode())
    assert [c.url for c in index.children] == [
        f"https://{HOST}/sitemap/2026-11.xml",
        f"https://{HOST}/sitemap/2026-09.xml",
    ]
    assert index.children[0].when == datetime(2026, 11, 23, tzinfo=VIETNAM_TZ)
    news = parse_sitemap(NEWS_SITEMAP.encode())
    assert [(u.url.rsplit("/", 1)[1], u.when) for u in news.urls] == [
        (DIPLOMACY_ARTICLE.path.rsplit("/", 1)[1], DIPLOMACY_ARTICLE.published_at),
        (OLD.path.rsplit("/", 1)[1], OLD.published_at),
    ]


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
    configure(
        host_map=server.host_map(HOST),
        politeness={"min_delay_seconds": 0.0, "outlet_delays": {"vnexpress": 0.0},
                    "max_retries": 0, "shared_limits": False},
    )  # fmt: skip
    return server


def test_backfill_stores_the_ranges_articles_once_and_leaves_the_rest(
    site: LocalServer, tmp_path: Path
) -> None:
    db = Database(f"sqlite:///{tmp_path / 'backfill.db'}")

    def run() -> tuple[int, int, int, int]:
        counters = asyncio.run(
            backfill_outlet(
                outlet_by_key("vnexpress"),
                get_settings(),
                db,
                since=date(2026, 11, 22),
                until=date(2026, 11, 23),
                max_articles=100,
            )
        )
        return counters.discovered, counters.new, counters.stored, counters.errors

    # 3 in range (news sitemap, month sitemap, listing); /sitemap/news.rss and /the-gioi fail.
    assert run() == (3, 3, 3, 2)
    with db.session() as session:
        titles = set(session.scalars(select(ArticleRow.title)))
        assert titles == {DIPLOMACY_ARTICLE.title, SPORT_ARTICLE.title, LISTED.title}
        assert session.scalars(select(OutletRun)).all() == []  # not a monitor run
    assert not site.requests_to(HOST, OLD.path), "an article outside the range is not fetched"
    assert not site.requests_to(HOST, "/sitemap/2026-09.xml"), "an old child sitemap is skipped"
    site.clear_requests()
    assert run() == (3, 0, 0, 2)
    assert not [r for r in site.requests if r.path.endswith(".html")]
    db.dispose()


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
