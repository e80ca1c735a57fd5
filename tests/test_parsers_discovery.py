"""Discovery beyond feeds: news sitemaps, sitemap indexes, listing pages, article URL filters.

The parsers (``parsers.discovery``) on constructed sitemaps and on the recorded listing pages,
then the monitor's discovery step (``flows.monitoring.discover_pages``) against the local
HTTP server: conditional GET like the feeds, only the outlet's own hosts, only its article
URLs, only recent sitemap entries.
"""

from __future__ import annotations

import gzip
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from flows.monitoring import monitor_outlet
from flows.settings import get_settings
from parsers.discovery import SitemapError, article_entries, listing_links, parse_sitemap
from parsers.registry import outlet_by_key
from records import VIETNAM_TZ, FeedEntry, Outlet
from storage.db import Database
from tests import site as pages
from tests.conftest import CORPUS_DIR, require_shared
from tests.http_server import LocalServer

NOW = datetime(2026, 3, 8, 9, 0, tzinfo=UTC)
NEWS_NS = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" ' + (
    'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"'
)


def news_sitemap(*items: tuple[str, str, str]) -> str:
    """A Google News sitemap (constructed) of (url, publication date, title)."""
    urls = "".join(
        f"<url><loc>{url}</loc><news:news><news:publication>"
        f"<news:name>Báo</news:name><news:language>vi</news:language></news:publication>"
        f"<news:publication_date>{date}</news:publication_date><news:title>{title}</news:title>"
        f"</news:news></url>"
        for url, date, title in items
    )
    return f'<?xml version="1.0" encoding="UTF-8"?><urlset {NEWS_NS}>{urls}</urlset>'


def sitemap_index(*children: tuple[str, str]) -> str:
    items = "".join(
        f"<sitemap><loc>{url}</loc><lastmod>{lastmod}</lastmod></sitemap>"
        for url, lastmod in children
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{items}</sitemapindex>'
    )


# --- parse_sitemap -----------------------------------------------------------------------------


def test_a_news_sitemap_gives_urls_titles_and_aware_dates() -> None:
    body = news_sitemap(
        ("https://vnexpress.net/a-b-5047363.html?utm_source=gg", "2026-03-07T08:01:00+07:00",
         "Thủ tướng tiếp Đại sứ"),
        ("/c-d-5047364.html", "2026-03-07", "Tin &amp; ảnh"),
    )
    sitemap = parse_sitemap(body, "https://vnexpress.net/google-news-sitemap.xml", now=NOW)
    assert sitemap.sitemaps == []
    first, second = sitemap.entries
    assert first.url == "https://vnexpress.net/a-b-5047363.html"
    assert first.title == "Thủ tướng tiếp Đại sứ"
    assert first.published_at == datetime(2026, 3, 7, 1, 1, tzinfo=UTC)
    assert second.url == "https://vnexpress.net/c-d-5047364.html"
    assert second.title == "Tin & ảnh"
    assert second.published_at == datetime(2026, 3, 7, tzinfo=VIETNAM_TZ)


def test_a_sitemap_index_lists_its_children_newest_first() -> None:
    body = sitemap_index(
        ("https://tuoitre.vn/StaticSitemaps/sitemaps-2026-01.xml", "2026-01-31T23:00:00+07:00"),
        ("https://tuoitre.vn/StaticSitemaps/sitemaps-2026-03.xml", "2026-03-07T08:00:00+07:00"),
        ("https://tuoitre.vn/StaticSitemaps/undated.xml", ""),
        ("https://tuoitre.vn/StaticSitemaps/sitemaps-2026-02.xml", "2026-02-28T23:00:00+07:00"),
    )
    sitemap = parse_sitemap(body.encode(), "https://tuoitre.vn/sitemap.xml", now=NOW)
    assert sitemap.entries == []
    assert [c.url.rsplit("/", 1)[1] for c in sitemap.sitemaps] == [
        "sitemaps-2026-03.xml", "sitemaps-2026-02.xml", "sitemaps-2026-01.xml", "undated.xml",
    ]


def test_a_gzipped_sitemap_is_inflated() -> None:
    body = gzip.compress(news_sitemap(("https://vnexpress.net/a-5047363.html", "", "")).encode())
    [entry] = parse_sitemap(body, "https://vnexpress.net/sitemap.xml.gz", now=NOW).entries
    assert entry.url == "https://vnexpress.net/a-5047363.html" and entry.published_at is None


def test_an_rss_feed_served_as_a_sitemap_is_read_as_a_feed() -> None:
    rss = (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>VnExpress</title>'
        "<item><title>Tin</title><link>https://vnexpress.net/a-5047363.html</link>"
        "<pubDate>Sat, 07 Mar 2026 08:01:00 +0700</pubDate></item></channel></rss>"
    )
    [entry] = parse_sitemap(rss, "https://vnexpress.net/sitemap/news.rss", now=NOW).entries
    assert (entry.url, entry.title) == ("https://vnexpress.net/a-5047363.html", "Tin")


def test_a_date_after_the_fetch_is_dropped_from_a_sitemap() -> None:
    body = news_sitemap(("https://vnexpress.net/a-5047363.html", "2031-01-01T00:00:00Z", "x"))
    [entry] = parse_sitemap(body, "https://vnexpress.net/s.xml", now=NOW).entries
    assert entry.published_at is None


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"", "empty document"),
        ("<html><body><p>Trang chủ</p></body></html>".encode(), "not a sitemap"),
        (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><urlset>&a;</urlset>',
         "declares XML entities"),
        (b"\x1f\x8b\x08\x00broken", "unreadable gzip"),
        (b"<?xml version='1.0'?><urlset><url><loc>https://a.vn/x", "XML error"),
    ],
)
def test_what_is_not_a_sitemap_is_refused_with_the_reason(body: bytes, reason: str) -> None:
    with pytest.raises(SitemapError, match=rf"https://vnexpress\.net/s\.xml: .*{reason}"):
        parse_sitemap(body, "https://vnexpress.net/s.xml", now=NOW)


# --- listing pages and the article filter ------------------------------------------------------

RECORDED_LISTINGS = {
    "vnexpress": ("https://vnexpress.net/kinh-doanh", "5047363"),
    "tuoitre": ("https://tuoitre.vn/kinh-doanh.htm", "20260307075519174"),
    "dantri": ("https://dantri.com.vn/kinh-doanh.htm", "20260307080054340"),
    "vietnamnet": ("https://vietnamnet.vn/kinh-doanh", "2495349"),
    "nld": ("https://nld.com.vn/kinh-te.htm", "196260307071308923"),
    "baochinhphu": ("https://baochinhphu.vn/chinh-sach-va-cuoc-song/chinh-sach-moi.htm",
                    "102260228093004191"),
    "cafef": ("https://cafef.vn/thi-truong-chung-khoan.chn", "18826030622484142"),
    "baodautu": ("https://baodautu.vn/tai-chinh-chung-khoan-d6/", "d538952"),
}


@pytest.mark.corpus
@pytest.mark.parametrize("key", sorted(RECORDED_LISTINGS))
def test_a_recorded_listing_page_gives_its_article_links_with_titles(key: str) -> None:
    url, article_id = RECORDED_LISTINGS[key]
    page = require_shared(CORPUS_DIR / "pages" / f"{key}_list.html").read_bytes()
    outlet = outlet_by_key(key)
    links = listing_links(page, url, outlet)
    assert len(links) >= 10
    assert len({link.url for link in links}) == len(links)
    assert all(article_entries(outlet, [link]) == [link] for link in links)
    assert all(link.title for link in links)
    assert any(link.url.endswith(f"{article_id}.html") or link.url.endswith(f"{article_id}.htm")
               or link.url.endswith(f"{article_id}.chn") for link in links)


def test_article_entries_keep_the_outlets_articles_once_and_normalised() -> None:
    outlet = outlet_by_key("vnexpress")
    entries = [
        FeedEntry("https://m.vnexpress.net/a-b-5047363.html?utm_source=fb", title="A"),
        FeedEntry("https://vnexpress.net/a-b-5047363.html", title="A again"),
        FeedEntry("https://vnexpress.net/thoi-su", title="section"),
        FeedEntry("https://tuoitre.vn/a-20260307075519174.htm", title="another outlet"),
        FeedEntry("https://vnexpress.net.evil.example/a-b-5047364.html", title="lookalike"),
        FeedEntry("javascript:void(0)", title="script"),
    ]
    assert article_entries(outlet, entries) == [
        FeedEntry("https://vnexpress.net/a-b-5047363.html", title="A")
    ]


# --- the monitor's discovery step on the local server ------------------------------------------

HOST = "baothu.vn"
OUTLET = Outlet(
    key="baothu",
    name="Báo Thử (constructed for this test)",
    domains=(HOST,),
    sitemaps=(f"https://{HOST}/sitemap-index.xml",),
    listing_pages=(f"https://{HOST}/the-gioi",),
    article_url_pattern=r"^https://baothu[.]vn/[a-z0-9-]+/[a-z0-9-]+-\d{6}\.html$",
    min_delay_seconds=1.0,
)


def story(number: int, hours_ago: float) -> pages.TestArticle:
    published = datetime.now(UTC) - timedelta(hours=hours_ago)
    return pages.TestArticle(
        path=f"/the-gioi/thu-tuong-tiep-dai-su-{number:06d}.html",
        title=f"Thủ tướng tiếp Đại sứ, bài số {number}",
        sapo="Chiều nay, Thủ tướng tiếp Đại sứ đến chào xã giao và trao đổi về hợp tác.",
        paragraphs=("Hai bên trao đổi về hợp tác kinh tế, thương mại, đầu tư và giáo dục.",),
        published_at=published.astimezone(VIETNAM_TZ),
        section="Thế giới",
    )


@pytest.fixture
def site(local_server: LocalServer, configure: Callable[..., None]) -> LocalServer:
    configure(
        host_map=local_server.host_map(HOST, "other.example"),
        politeness={"min_delay_seconds": 0.01, "outlet_delays": {"baothu": 0.01},
                    "backoff_seconds": 0.05, "max_retries": 0},
    )
    fresh, older, listed = story(1, 2), story(2, 30), story(3, 1)
    stale = story(4, 24 * 10)
    iso = "%Y-%m-%dT%H:%M:%S%z"
    server = local_server
    server.add(HOST, "/robots.txt", "User-agent: *\nAllow: /\n", content_type="text/plain")
    xml = "application/xml; charset=utf-8"
    server.add(HOST, "/sitemap-index.xml", sitemap_index(
        (f"https://{HOST}/sitemaps/2026-03.xml", "2026-03-08T08:00:00+07:00"),
        ("https://other.example/sitemap.xml", "2026-03-08T09:00:00+07:00"),
        (f"https://{HOST}/sitemaps/2026-02.xml", "2026-02-28T08:00:00+07:00"),
        (f"https://{HOST}/sitemaps/2026-01.xml", "2026-01-31T08:00:00+07:00"),
    ), headers={"ETag": '"index-1"'}, content_type=xml)
    server.add(HOST, "/sitemaps/2026-03.xml", news_sitemap(
        (f"https://{HOST}{fresh.path}", fresh.published_at.strftime(iso), fresh.title),
        (f"https://{HOST}{stale.path}", stale.published_at.strftime(iso), stale.title),
        (f"https://{HOST}/the-gioi", "", "a section"),
        (f"https://other.example{fresh.path}", "", "another host"),
    ), headers={"ETag": '"march-1"'}, content_type=xml)
    server.add(HOST, "/sitemaps/2026-02.xml", news_sitemap(
        (f"https://{HOST}{older.path}", older.published_at.strftime(iso), older.title),
    ), headers={"ETag": '"feb-1"'}, content_type=xml)
    server.add(HOST, "/the-gioi", f"""<html><body><nav><a href="/">Trang chủ</a>
<a href="/the-gioi">Thế giới</a></nav>
<h3><a href="{listed.path}?utm_source=home">{listed.title}</a></h3>
<h3><a href="https://{HOST}{fresh.path}">{fresh.title}</a></h3>
<a href="https://other.example/the-gioi/khac-000009.html">Báo khác</a></body></html>""",
               headers={"ETag": '"listing-1"'})
    for article in (fresh, older, listed, stale):
        server.add(HOST, article.path, pages.article_html(HOST, article))
    return server


async def test_the_monitor_discovers_articles_in_sitemaps_and_listing_pages(
    site: LocalServer, tmp_path: Path
) -> None:
    db = Database(f"sqlite:///{tmp_path / 'discovery.db'}")
    try:
        counters = await monitor_outlet(OUTLET, get_settings(), db)
        # fresh (March sitemap and listing), older (February: the second newest child),
        # listed (listing page only); not the 10-day-old entry, the section, other hosts,
        # nor the January sitemap (only the two newest children are followed).
        assert (counters.discovered, counters.stored, counters.errors) == (3, 3, 0)
        assert site.requests_to("other.example", "/sitemap.xml") == []
        assert not [r for r in site.requests if r.host == "other.example"]
        assert not site.requests_to(HOST, "/sitemaps/2026-01.xml")
        assert not site.requests_to(HOST, story(4, 0).path)

        site.clear_requests()
        again = await monitor_outlet(OUTLET, get_settings(), db)
        assert (again.discovered, again.stored, again.errors) == (0, 0, 0)  # nothing changed
        # The index and the listing page answer 304 to conditional requests: nothing to follow.
        discovery = [r for r in site.requests if r.path.endswith((".xml", "/the-gioi"))]
        assert sorted(r.path for r in discovery) == ["/sitemap-index.xml", "/the-gioi"]
        assert all("if-none-match" in r.headers for r in discovery)
    finally:
        db.dispose()


async def test_a_missing_sitemap_backs_off_without_counting_as_a_run_error(
    site: LocalServer, tmp_path: Path
) -> None:
    site.add(HOST, "/sitemap-index.xml", "gone", status=404)
    db = Database(f"sqlite:///{tmp_path / 'discovery.db'}")
    try:
        counters = await monitor_outlet(OUTLET, get_settings(), db)
        assert (counters.discovered, counters.errors) == (2, 0)  # the listing page still works
        site.clear_requests()
        await monitor_outlet(OUTLET, get_settings(), db)
        assert not site.requests_to(HOST, "/sitemap-index.xml"), "backing off"
    finally:
        db.dispose()
