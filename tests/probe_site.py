"""Constructed outlets on the loopback server, one per outcome of ``outlets --probe``.

- ``songmoi.vn`` live: a feed of recent articles, the same feed behind a 301, a sitemap
  index and its child, a listing page, the articles themselves;
- ``baocu.vn`` stale: its feed's newest item is ten days old;
- ``baochet.vn`` dead: 404, 500, a feed that never answers in time, an HTML page at a feed
  URL, a redirect loop, a sitemap redirecting off the outlet's hosts;
- ``baotat.vn`` dead: connection refused (mapped to a closed port);
- ``baocam.vn`` blocked by robots.txt (Disallow: /);
- ``bao403.vn`` blocked: 403 Forbidden;
- ``baokhac.vn`` empty: its feed answers, but no item is an article of the outlet.
"""

from __future__ import annotations

import re
import socket
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from flows.settings import Settings, get_settings
from records import Outlet
from tests.http_server import LocalServer
from tests.site import DIPLOMACY_ARTICLE, SPORT_ARTICLE, TestArticle, article_html, rss_feed

NOW = datetime.now(UTC).replace(microsecond=0)
FOREIGN = "evil.example"
UA = "diplowatch-probe-test/1.0 (+https://example.org/ops)"


def make_outlet(key: str, host: str, **sources: Any) -> Outlet:
    pattern = rf"^https://{re.escape(host)}/[a-z-]+/[a-z0-9-]+-\d{{7}}\.html$"
    return Outlet(key=key, name=key, domains=(host,), article_url_pattern=pattern,
                  min_delay_seconds=0.0, **sources)  # fmt: skip


def aged(page: TestArticle, number: int, age: timedelta) -> TestArticle:
    path = re.sub(r"-\d+\.html$", f"-{4_900_000 + number}.html", page.path)
    return replace(page, path=path, published_at=NOW - age)


FRESH = [
    aged(DIPLOMACY_ARTICLE, 11, timedelta(hours=2)),
    aged(SPORT_ARTICLE, 12, timedelta(days=1)),
]
OLD = [aged(DIPLOMACY_ARTICLE, 21, timedelta(days=10))]

LIVE = make_outlet(
    "songmoi", "songmoi.vn",
    feeds=("https://songmoi.vn/rss/moi.rss", "https://songmoi.vn/rss/cu.rss"),
    sitemaps=("https://songmoi.vn/sitemap-index.xml",),
    listing_pages=("https://songmoi.vn/the-gioi",),
)  # fmt: skip
STALE = make_outlet("baocu", "baocu.vn", feeds=("https://baocu.vn/rss/moi.rss",))
DEAD = make_outlet(
    "baochet", "baochet.vn",
    feeds=("https://baochet.vn/rss/404.rss", "https://baochet.vn/rss/500.rss",
           "https://baochet.vn/rss/cham.rss", "https://baochet.vn/rss/html.rss"),
    sitemaps=("https://baochet.vn/sitemap.xml",),
    listing_pages=("https://baochet.vn/vong-lap",),
)  # fmt: skip
REFUSED = make_outlet("baotat", "baotat.vn", feeds=("https://baotat.vn/rss/moi.rss",))
ROBOTS = make_outlet("baocam", "baocam.vn", feeds=("https://baocam.vn/rss/moi.rss",))
FORBIDDEN = make_outlet("bao403", "bao403.vn", feeds=("https://bao403.vn/rss/moi.rss",))
EMPTY = make_outlet("baokhac", "baokhac.vn", feeds=("https://baokhac.vn/rss/moi.rss",))
ALL = (LIVE, STALE, DEAD, REFUSED, ROBOTS, FORBIDDEN, EMPTY)


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def sitemap_index(host: str, child: str) -> str:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>https://{host}{child}</loc><lastmod>{NOW.isoformat()}</lastmod></sitemap>
<sitemap><loc>https://{host}/sitemaps/old.xml</loc><lastmod>2020-01-01</lastmod></sitemap>
</sitemapindex>"""


def urlset(host: str, pages: list[TestArticle]) -> str:
    urls = "".join(
        f"<url><loc>https://{host}{p.path}</loc><lastmod>{p.published_at.isoformat()}</lastmod>"
        "</url>"
        for p in pages
    )
    return ('<?xml version="1.0" encoding="UTF-8"?><urlset '
            f'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>')  # fmt: skip


def listing(host: str, pages: list[TestArticle]) -> str:
    links = "".join(f'<h3><a href="{p.path}">{p.title}</a></h3>' for p in pages)
    return f"<html><body><nav><a href='/thoi-su'>Thời sự</a></nav>{links}</body></html>"


RSS = "application/rss+xml; charset=utf-8"
ALLOW = "User-agent: *\nAllow: /\n"


@dataclass
class ProbeSite:
    server: LocalServer
    apply: Callable[..., None]

    def settings(self, **politeness: Any) -> Settings:
        values: dict[str, Any] = {"min_delay_seconds": 0.0, "backoff_seconds": 0.01,
                                  "timeout_seconds": 1.0, "connect_timeout_seconds": 1.0}
        values.update(politeness)  # fmt: skip
        hosts = [host for outlet in ALL if outlet is not REFUSED for host in outlet.domains]
        mapping = self.server.host_map(*hosts, FOREIGN)
        mapping["baotat.vn"] = f"127.0.0.1:{closed_port()}"
        self.apply(host_map=mapping, politeness=values, user_agent=UA)
        return get_settings()

    def serve_live(self) -> None:
        add, host = self.server.add, "songmoi.vn"
        add(host, "/robots.txt", ALLOW, content_type="text/plain")
        add(host, "/rss/moi.rss", rss_feed(host, FRESH), content_type=RSS)
        self.server.add_redirect(host, "/rss/cu.rss", f"https://{host}/rss/moi.rss")
        add(host, "/sitemap-index.xml", sitemap_index(host, "/sitemaps/news-1.xml"),
            content_type="application/xml")  # fmt: skip
        add(host, "/sitemaps/news-1.xml", urlset(host, FRESH), content_type="application/xml")
        add(host, "/the-gioi", listing(host, FRESH))
        for page in FRESH:
            add(host, page.path, article_html(host, page))

    def serve_all(self) -> None:
        add = self.server.add
        self.serve_live()
        add("baocu.vn", "/robots.txt", ALLOW, content_type="text/plain")
        add("baocu.vn", "/rss/moi.rss", rss_feed("baocu.vn", OLD), content_type=RSS)
        for page in OLD:
            add("baocu.vn", page.path, article_html("baocu.vn", page))
        dead = "baochet.vn"
        add(dead, "/rss/500.rss", "boom", status=500)
        add(dead, "/rss/cham.rss", rss_feed(dead, FRESH), content_type=RSS, delay=3.0)
        add(dead, "/rss/html.rss", "<html><body><p>Trang chủ</p></body></html>")
        self.server.add_redirect(dead, "/vong-lap", f"https://{dead}/vong-lap-2")
        self.server.add_redirect(dead, "/vong-lap-2", f"https://{dead}/vong-lap")
        self.server.add_redirect(dead, "/sitemap.xml", f"https://{FOREIGN}/sitemap.xml")
        add("baocam.vn", "/robots.txt", "User-agent: *\nDisallow: /\n", content_type="text/plain")
        add("baocam.vn", "/rss/moi.rss", rss_feed("baocam.vn", FRESH), content_type=RSS)
        add("bao403.vn", "/rss/moi.rss", "Forbidden", status=403)
        other = [replace(FRESH[0], path="/video/clip-hay.html")]
        add("baokhac.vn", "/rss/moi.rss", rss_feed("baokhac.vn", other).replace(
            "</channel>", "<item><link>https://evil.example/the-gioi/tin-4900099.html</link>"
            "<title>x</title></item></channel>"), content_type=RSS)  # fmt: skip


@pytest.fixture
def probe_site(local_server: LocalServer, configure: Callable[..., None]) -> Iterator[ProbeSite]:
    return ProbeSite(local_server, configure)
