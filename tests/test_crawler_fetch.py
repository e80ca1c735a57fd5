"""crawler.Crawler.fetch against a real loopback server reached through host_map."""

from __future__ import annotations

import asyncio
import logging
import pickle
import time
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import httpx
import pytest

from crawler import Crawler, CrawlerConfig, FetchError, HostMap, HostMapTransport
from crawler.exchange import is_textual, parse_retry_after
from tests import http_server
from tests.http_server import LocalServer, RecordedRequest, Reply

local_server = http_server.local_server

HOST = "vnexpress.net"
UA = "diplowatch-test/0.1 (+https://example.invalid/bot)"
VI = "Thủ tướng tiếp Đại sứ Hoa Kỳ tại Hà Nội"


def config_for(server: LocalServer, *hosts: str, **overrides: Any) -> CrawlerConfig:
    settings: dict[str, Any] = {
        "user_agent": UA,
        "default_min_delay_seconds": 0.0,
        "backoff_seconds": 0.01,
        "timeout_seconds": 2.0,
        "connect_timeout_seconds": 2.0,
        "host_map": server.host_map(*(hosts or (HOST,))),
    }
    settings.update(overrides)
    return CrawlerConfig(**settings)


# -- host mapping --------------------------------------------------------------------------


async def test_host_map_keeps_url_and_host_header(local_server: LocalServer) -> None:
    local_server.add(HOST, "/thoi-su/a.html?x=1", f"<p>{VI}</p>")
    async with Crawler(config_for(local_server)) as crawler:
        fetched = await crawler.fetch("https://vnexpress.net/thoi-su/a.html?x=1#top")
    assert fetched.status == 200
    assert fetched.url == "https://vnexpress.net/thoi-su/a.html?x=1#top"
    assert fetched.final_url == "https://vnexpress.net/thoi-su/a.html?x=1"
    assert fetched.text is not None and VI in fetched.text
    assert fetched.fetched_at.tzinfo is not None
    request = local_server.requests_to(HOST, "/thoi-su/a.html?x=1")[0]
    assert request.headers["host"] == HOST
    assert request.headers["user-agent"] == UA
    assert "text/html" in request.headers["accept"]
    assert request.headers["accept-language"].startswith("vi")


async def test_wildcard_host_map_and_different_hosts(local_server: LocalServer) -> None:
    local_server.add("e.vnexpress.net", "/news", "english")
    local_server.add("tuoitre.vn", "/", "tuoi tre")
    config = config_for(local_server, "*.vnexpress.net", "tuoitre.vn")
    async with Crawler(config) as crawler:
        english = await crawler.fetch("https://e.vnexpress.net/news")
        tuoitre = await crawler.fetch("http://tuoitre.vn/")
    assert (english.text, tuoitre.text) == ("english", "tuoi tre")
    assert {r.host for r in local_server.requests} >= {"e.vnexpress.net", "tuoitre.vn"}


def test_host_map_lookup_rules() -> None:
    host_map = HostMap(
        {
            "vnexpress.net": "127.0.0.1:1",
            "*.example.com": "http://10.0.0.1:2",
            "*.a.example.com": "10.0.0.2",
        }
    )
    assert host_map.lookup("VNEXPRESS.NET.") == ("127.0.0.1", 1)
    assert host_map.lookup("e.vnexpress.net") is None  # exact keys do not cover subdomains
    assert host_map.lookup("x.example.com") == ("10.0.0.1", 2)
    assert host_map.lookup("x.a.example.com") == ("10.0.0.2", 80)
    assert host_map.lookup("example.com") is None


async def test_host_map_transport_is_a_plain_httpx_transport(local_server: LocalServer) -> None:
    local_server.add(HOST, "/", "hello")
    transport = HostMapTransport({HOST: local_server.address})
    async with httpx.AsyncClient(transport=transport) as client:
        response = await client.get("https://vnexpress.net/")
    assert response.text == "hello"
    assert str(response.url) == "https://vnexpress.net/"


# -- charsets through the crawler ------------------------------------------------------------


async def test_text_uses_header_charset_and_meta(local_server: LocalServer) -> None:
    cp1258 = b"\xd0a\xf2i s\xfd\xec"  # "Đại sứ" in windows-1258 (combining tone marks)
    local_server.add(HOST, "/header", cp1258, content_type="text/html; charset=windows-1258")
    local_server.add(HOST, "/meta", b'<meta charset="windows-1258">' + cp1258)
    local_server.add(
        HOST, "/mislabelled", VI.encode(), content_type="text/html; charset=iso-8859-1"
    )
    local_server.add(HOST, "/image.png", b"\x89PNG\r\n", content_type="image/png")
    local_server.add(HOST, "/feed", "<rss>ư</rss>", content_type="application/rss+xml")
    async with Crawler(config_for(local_server)) as crawler:
        header = await crawler.fetch("https://vnexpress.net/header")
        meta = await crawler.fetch("https://vnexpress.net/meta")
        mislabelled = await crawler.fetch("https://vnexpress.net/mislabelled")
        image = await crawler.fetch("https://vnexpress.net/image.png")
        feed = await crawler.fetch("https://vnexpress.net/feed")
    assert (header.charset, header.text) == ("windows-1258", "Đại sứ")
    assert meta.charset == "windows-1258"
    assert (mislabelled.charset, mislabelled.text) == ("utf-8", VI)
    assert (image.text, image.charset, image.body) == (None, None, b"\x89PNG\r\n")
    assert (feed.charset, feed.text) == ("utf-8", "<rss>ư</rss>")


@pytest.mark.parametrize(
    ("content_type", "expected"),
    [
        (None, True),
        ("text/html; charset=utf-8", True),
        ("application/xhtml+xml", True),
        ("application/atom+xml", True),
        ("text/plain", True),
        ("image/jpeg", False),
        ("application/pdf", False),
    ],
)
def test_is_textual(content_type: str | None, expected: bool) -> None:
    assert is_textual(content_type) is expected


async def test_gzip_is_decoded_and_headers_describe_the_decoded_body(
    local_server: LocalServer,
) -> None:
    body = ("<p>" + VI + "</p>") * 200
    local_server.add(HOST, "/gz", body, gzip=True)
    async with Crawler(config_for(local_server)) as crawler:
        fetched = await crawler.fetch("https://vnexpress.net/gz")
    assert fetched.text == body
    assert "content-encoding" not in fetched.headers
    assert fetched.headers["content-length"] == str(len(fetched.body))
    assert "gzip" in local_server.requests[0].headers["accept-encoding"]


# -- conditional GET -----------------------------------------------------------------------


async def test_conditional_get_etag_and_last_modified(local_server: LocalServer) -> None:
    stamp = "Wed, 01 Oct 2025 08:00:00 GMT"
    local_server.add(
        HOST, "/rss", "<rss/>", headers={"ETag": '"v1"'}, content_type="application/rss+xml"
    )
    local_server.add(
        HOST,
        "/sitemap.xml",
        "<urlset/>",
        headers={"Last-Modified": stamp},
        content_type="application/xml",
    )
    async with Crawler(config_for(local_server)) as crawler:
        first = await crawler.fetch("https://vnexpress.net/rss")
        again = await crawler.fetch("https://vnexpress.net/rss", etag=first.headers["etag"])
        changed = await crawler.fetch("https://vnexpress.net/rss", etag='"v0"')
        by_date = await crawler.fetch("https://vnexpress.net/sitemap.xml", last_modified=stamp)
    assert first.status == 200 and first.headers["etag"] == '"v1"'
    assert again.status == 304 and again.not_modified
    assert (again.body, again.text) == (b"", None)
    assert changed.status == 200 and changed.body == b"<rss/>"
    assert by_date.status == 304
    sent = local_server.requests_to(HOST, "/rss")
    assert "if-none-match" not in sent[0].headers
    assert sent[1].headers["if-none-match"] == '"v1"'
    assert local_server.requests_to(HOST, "/sitemap.xml")[0].headers["if-modified-since"] == stamp


# -- redirects -----------------------------------------------------------------------------


async def test_redirects_are_followed_and_final_url_recorded(local_server: LocalServer) -> None:
    local_server.add_redirect(HOST, "/old", "/mid", status=301)
    local_server.add_redirect(HOST, "/mid", "https://tuoitre.vn/new", status=302)
    local_server.add("tuoitre.vn", "/new", "arrived")
    async with Crawler(config_for(local_server, HOST, "tuoitre.vn")) as crawler:
        fetched = await crawler.fetch("https://vnexpress.net/old")
    assert fetched.url == "https://vnexpress.net/old"
    assert fetched.final_url == "https://tuoitre.vn/new"
    assert fetched.text == "arrived"


async def test_redirect_cap(local_server: LocalServer) -> None:
    for index in range(5):
        local_server.add_redirect(HOST, f"/r{index}", f"/r{index + 1}")
    local_server.add(HOST, "/r5", "end")
    async with Crawler(config_for(local_server, max_redirects=4)) as crawler:
        with pytest.raises(FetchError) as caught:
            await crawler.fetch("https://vnexpress.net/r0")
    assert caught.value.reason == "too-many-redirects"
    hops = [r for r in local_server.requests_to(HOST) if r.path != "/robots.txt"]
    assert [r.path for r in hops] == ["/r0", "/r1", "/r2", "/r3", "/r4"]  # 1 + 4 redirects
    async with Crawler(config_for(local_server, max_redirects=5)) as crawler:
        fetched = await crawler.fetch("https://vnexpress.net/r0")
    assert fetched.final_url == "https://vnexpress.net/r5"


async def test_redirect_loop_and_missing_location(local_server: LocalServer) -> None:
    local_server.add_redirect(HOST, "/a", "/b")
    local_server.add_redirect(HOST, "/b", "/a")
    local_server.add(HOST, "/nowhere", status=302, content_type=None)
    async with Crawler(config_for(local_server)) as crawler:
        with pytest.raises(FetchError) as loop:
            await crawler.fetch("https://vnexpress.net/a")
        with pytest.raises(FetchError) as nowhere:
            await crawler.fetch("https://vnexpress.net/nowhere")
    assert loop.value.reason == "too-many-redirects"
    assert (nowhere.value.reason, nowhere.value.status) == ("bad-redirect", 302)


# -- retries -------------------------------------------------------------------------------


async def test_retry_on_503_then_success(local_server: LocalServer) -> None:
    local_server.add_sequence(HOST, "/flaky", [Reply(503), Reply(502), Reply(200, "ok")])
    async with Crawler(config_for(local_server, max_retries=2)) as crawler:
        fetched = await crawler.fetch("https://vnexpress.net/flaky")
    assert fetched.text == "ok"
    assert len(local_server.requests_to(HOST, "/flaky")) == 3


async def test_503_after_all_retries_raises(local_server: LocalServer) -> None:
    local_server.add(HOST, "/down", status=503)
    async with Crawler(config_for(local_server, max_retries=2)) as crawler:
        with pytest.raises(FetchError) as caught:
            await crawler.fetch("https://vnexpress.net/down")
    error = caught.value
    assert (error.reason, error.status, error.attempts) == ("status", 503, 3)
    assert str(error) == "https://vnexpress.net/down: HTTP 503 after 3 attempts"
    assert len(local_server.requests_to(HOST, "/down")) == 3
    clone = pickle.loads(pickle.dumps(error))
    assert (clone.url, clone.reason, clone.status, str(clone)) == (
        error.url,
        error.reason,
        error.status,
        str(error),
    )


async def test_429_honours_retry_after_seconds(local_server: LocalServer) -> None:
    local_server.add_sequence(
        HOST, "/busy", [Reply(429, headers={"Retry-After": "1"}), Reply(200, "done")]
    )
    async with Crawler(config_for(local_server)) as crawler:
        fetched = await crawler.fetch("https://vnexpress.net/busy")
    assert fetched.text == "done"
    first, second = local_server.requests_to(HOST, "/busy")
    assert second.time - first.time >= 0.95


async def test_retry_after_is_capped(local_server: LocalServer) -> None:
    local_server.add_sequence(
        HOST, "/slow-down", [Reply(503, headers={"Retry-After": "3600"}), Reply(200, "ok")]
    )
    started = time.monotonic()
    async with Crawler(config_for(local_server, max_retry_after_seconds=0.2)) as crawler:
        fetched = await crawler.fetch("https://vnexpress.net/slow-down")
    assert fetched.text == "ok"
    first, second = local_server.requests_to(HOST, "/slow-down")
    assert second.time - first.time >= 0.19
    assert time.monotonic() - started < 5


def test_parse_retry_after() -> None:
    now = datetime(2025, 10, 1, 8, 0, 0, tzinfo=UTC)
    later = format_datetime(now + timedelta(seconds=30), usegmt=True)
    assert parse_retry_after("7") == 7.0
    assert parse_retry_after(later, now=now) == pytest.approx(30.0)
    assert parse_retry_after(format_datetime(now - timedelta(days=1), usegmt=True), now=now) == 0
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None


async def test_retry_after_http_date(local_server: LocalServer) -> None:
    soon = format_datetime(datetime.now(UTC) + timedelta(seconds=2), usegmt=True)
    local_server.add_sequence(
        HOST, "/date", [Reply(429, headers={"Retry-After": soon}), Reply(200, "ok")]
    )
    async with Crawler(config_for(local_server, max_retry_after_seconds=0.6)) as crawler:
        assert (await crawler.fetch("https://vnexpress.net/date")).text == "ok"
    first, second = local_server.requests_to(HOST, "/date")
    assert second.time - first.time >= 0.55  # 1-2 s from the date, capped at 0.6


async def test_no_retry_on_404(local_server: LocalServer) -> None:
    async with Crawler(config_for(local_server, max_retries=3)) as crawler:
        with pytest.raises(FetchError) as caught:
            await crawler.fetch("https://vnexpress.net/missing")
    assert (caught.value.status, caught.value.attempts) == (404, 1)
    assert str(caught.value) == "https://vnexpress.net/missing: HTTP 404 after 1 attempt"
    assert len(local_server.requests_to(HOST, "/missing")) == 1


async def test_dropped_connection_is_retried(local_server: LocalServer) -> None:
    local_server.add_sequence(HOST, "/drop", [Reply(drop=True), Reply(200, "fine")])
    async with Crawler(config_for(local_server)) as crawler:
        fetched = await crawler.fetch("https://vnexpress.net/drop")
    assert fetched.text == "fine"


async def test_connection_refused_is_a_network_error() -> None:
    with LocalServer() as server:
        address = server.address
    config = CrawlerConfig(
        user_agent=UA,
        default_min_delay_seconds=0,
        backoff_seconds=0.01,
        max_retries=1,
        host_map={HOST: address},
        respect_robots=False,
    )
    async with Crawler(config) as crawler:
        with pytest.raises(FetchError) as caught:
            await crawler.fetch("https://vnexpress.net/")
    assert (caught.value.reason, caught.value.attempts) == ("network", 2)


# -- timeouts and size limits ----------------------------------------------------------------


async def test_slow_response_times_out(local_server: LocalServer) -> None:
    local_server.add(HOST, "/slow", "late", delay=1.0)
    config = config_for(local_server, timeout_seconds=0.2, max_retries=1)
    started = time.monotonic()
    async with Crawler(config) as crawler:
        with pytest.raises(FetchError) as caught:
            await crawler.fetch("https://vnexpress.net/slow")
    assert (caught.value.reason, caught.value.attempts) == ("timeout", 2)
    assert "timed out after 2 attempts" in str(caught.value)
    assert time.monotonic() - started < 1.8
    assert len(local_server.requests_to(HOST, "/slow")) == 2


async def test_slow_drip_body_hits_the_attempt_deadline(local_server: LocalServer) -> None:
    # each read is quick (no read timeout) but the whole body takes ~2 s
    local_server.add(HOST, "/drip", b"x" * 40, chunk_size=1, chunk_delay=0.05)
    config = config_for(
        local_server, timeout_seconds=0.3, connect_timeout_seconds=0.2, max_retries=0
    )
    async with Crawler(config) as crawler:
        with pytest.raises(FetchError) as caught:
            await crawler.fetch("https://vnexpress.net/drip")
    assert caught.value.reason == "timeout"


@pytest.mark.parametrize("options", [{}, {"chunked": True}, {"gzip": True}])
async def test_body_cap(local_server: LocalServer, options: dict[str, Any]) -> None:
    local_server.add(HOST, "/big", b"a" * 200_000, **options)
    local_server.add(HOST, "/small", b"a" * 1_000, **options)
    async with Crawler(config_for(local_server, max_body_bytes=50_000)) as crawler:
        with pytest.raises(FetchError) as caught:
            await crawler.fetch("https://vnexpress.net/big")
        small = await crawler.fetch("https://vnexpress.net/small")
    assert caught.value.reason == "too-large"
    assert len(local_server.requests_to(HOST, "/big")) == 1  # not retried
    assert len(small.body) == 1_000


# -- misc ----------------------------------------------------------------------------------


async def test_bad_urls_and_closed_crawler(local_server: LocalServer) -> None:
    crawler = Crawler(config_for(local_server))
    with pytest.raises(RuntimeError):
        await crawler.fetch("https://vnexpress.net/")
    async with crawler:
        for url in ("ftp://vnexpress.net/x", "/relative/path", "https://"):
            with pytest.raises(FetchError) as caught:
                await crawler.fetch(url)
            assert caught.value.reason == "bad-url"


async def test_accept_header_override_and_logging(
    local_server: LocalServer, caplog: pytest.LogCaptureFixture
) -> None:
    local_server.add(HOST, "/feed.json", "{}", content_type="application/json")
    caplog.set_level(logging.DEBUG, logger="diplowatch.crawler")
    async with Crawler(config_for(local_server)) as crawler:
        fetched = await crawler.fetch("https://vnexpress.net/feed.json", accept="application/json")
    assert fetched.text is None
    assert local_server.requests_to(HOST, "/feed.json")[0].headers["accept"] == "application/json"
    assert any("https://vnexpress.net/feed.json" in r.getMessage() for r in caplog.records)


async def test_handler_routes_and_concurrent_fetches(local_server: LocalServer) -> None:
    def echo(request: RecordedRequest) -> Reply:
        return Reply(200, f"{request.host} {request.path}")

    local_server.add_handler("*", "/echo", echo)
    async with Crawler(config_for(local_server, "a.vn", "b.vn")) as crawler:
        results = await asyncio.gather(
            crawler.fetch("https://a.vn/echo?q=1"), crawler.fetch("https://b.vn/echo")
        )
    assert [r.text for r in results] == ["a.vn /echo?q=1", "b.vn /echo"]
