"""WARC archiving of every exchange, then replay of the same URLs with no server running."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from warcio.archiveiterator import ArchiveIterator

from crawler import Crawler, CrawlerConfig, FetchError, ReplayTransport
from records import Fetched
from tests import http_server
from tests.http_server import LocalServer, Reply

local_server = http_server.local_server

HOST = "vnexpress.net"
UA = "diplowatch-test/0.1 (+https://example.invalid/bot)"
ARTICLE = "<html><body><h1>Thủ tướng tiếp Đại sứ Hoa Kỳ</h1></body></html>"
CP1258_PAGE = b'<meta charset="windows-1258"><p>\xd0a\xf2i s\xfd\xec</p>'


def live_config(server: LocalServer, warc_dir: Path, **overrides: Any) -> CrawlerConfig:
    settings: dict[str, Any] = {
        "user_agent": UA,
        "default_min_delay_seconds": 0.0,
        "backoff_seconds": 0.01,
        "host_map": server.host_map(HOST, "tuoitre.vn"),
        "warc_dir": warc_dir,
    }
    settings.update(overrides)
    return CrawlerConfig(**settings)


def serve_site(server: LocalServer) -> None:
    server.add(
        HOST, "/robots.txt", "User-agent: *\nDisallow: /private\n", content_type="text/plain"
    )
    server.add(HOST, "/thoi-su/a.html", ARTICLE, headers={"ETag": '"a1"'}, gzip=True)
    server.add(HOST, "/cp1258.html", CP1258_PAGE)
    server.add_redirect(HOST, "/old", "https://tuoitre.vn/moved", status=301)
    server.add("tuoitre.vn", "/moved", "moved here")
    server.add_sequence(HOST, "/flaky", [Reply(503), Reply(200, "finally")])
    server.add(HOST, "/logo.png", b"\x89PNG\r\n\x1a\n", content_type="image/png")


async def record(server: LocalServer, warc_dir: Path) -> tuple[Path, dict[str, Fetched]]:
    serve_site(server)
    live: dict[str, Fetched] = {}
    async with Crawler(live_config(server, warc_dir)) as crawler:
        assert crawler.warc_path is not None
        for url in (
            "https://vnexpress.net/thoi-su/a.html",
            "https://vnexpress.net/cp1258.html",
            "https://vnexpress.net/old",
            "https://vnexpress.net/flaky",
            "https://vnexpress.net/logo.png",
        ):
            live[url] = await crawler.fetch(url)
        not_modified = await crawler.fetch("https://vnexpress.net/thoi-su/a.html", etag='"a1"')
        assert not_modified.status == 304
        with pytest.raises(FetchError):
            await crawler.fetch("https://vnexpress.net/gone")
        path = Path(crawler.warc_path)
    return path, live


def read_records(path: Path) -> list[dict[str, Any]]:
    records = []
    with path.open("rb") as stream:
        for item in ArchiveIterator(stream):
            records.append(
                {
                    "type": item.rec_type,
                    "uri": item.rec_headers.get_header("WARC-Target-URI"),
                    "id": item.rec_headers.get_header("WARC-Record-ID"),
                    "concurrent": item.rec_headers.get_header("WARC-Concurrent-To"),
                    "status": item.http_headers.get_statuscode() if item.http_headers else None,
                    "headers": dict(item.http_headers.headers) if item.http_headers else {},
                    "body": item.content_stream().read(),
                }
            )
    return records


async def test_every_exchange_is_archived(local_server: LocalServer, tmp_path: Path) -> None:
    path, _ = await record(local_server, tmp_path / "warc")
    assert path.parent == tmp_path / "warc"
    assert re.fullmatch(r"diplowatch-\d{8}T\d{6}Z-[0-9a-f]{8}\.warc\.gz", path.name)
    records = read_records(path)
    assert records[0]["type"] == "warcinfo"
    responses = [r for r in records if r["type"] == "response"]
    requests = [r for r in records if r["type"] == "request"]
    assert len(requests) == len(responses) == len(local_server.requests)
    assert {r["concurrent"] for r in requests} == {r["id"] for r in responses}

    seen = [(r["uri"], r["status"]) for r in responses]
    assert ("https://vnexpress.net/robots.txt", "200") in seen
    assert ("https://vnexpress.net/old", "301") in seen
    assert ("https://tuoitre.vn/moved", "200") in seen
    assert ("https://tuoitre.vn/robots.txt", "404") in seen
    assert seen.count(("https://vnexpress.net/flaky", "503")) == 1
    assert ("https://vnexpress.net/flaky", "200") in seen
    assert ("https://vnexpress.net/thoi-su/a.html", "304") in seen
    assert ("https://vnexpress.net/gone", "404") in seen
    assert all("127.0.0.1" not in (r["uri"] or "") for r in records)

    article = next(r for r in responses if r["uri"].endswith("/a.html") and r["status"] == "200")
    names = {name.lower(): value for name, value in article["headers"].items()}
    assert "content-encoding" not in names and "transfer-encoding" not in names
    assert names["content-length"] == str(len(ARTICLE.encode()))
    assert article["body"] == ARTICLE.encode()  # stored decoded
    request = next(r for r in requests if r["uri"].endswith("/a.html"))
    assert {k.lower(): v for k, v in request["headers"].items()}["host"] == HOST


async def test_replay_answers_like_the_live_site(local_server: LocalServer, tmp_path: Path) -> None:
    path, live = await record(local_server, tmp_path)
    local_server.close()  # replay must not need the network

    config = CrawlerConfig(user_agent=UA, replay_warcs=(path,), default_min_delay_seconds=5.0)
    started = time.monotonic()
    async with Crawler(config) as crawler:
        assert crawler.warc_path is None  # replay writes nothing
        for url, expected in live.items():
            replayed = await crawler.fetch(url)
            assert replayed.status == expected.status, url
            assert replayed.final_url == expected.final_url, url
            assert replayed.body == expected.body, url
            assert (replayed.text, replayed.charset) == (expected.text, expected.charset), url
            assert replayed.headers.get("content-type") == expected.headers.get("content-type")
        not_modified = await crawler.fetch("https://vnexpress.net/thoi-su/a.html", etag='"a1"')
        with pytest.raises(FetchError) as gone:
            await crawler.fetch("https://vnexpress.net/gone")
        with pytest.raises(FetchError) as miss:
            await crawler.fetch("https://vnexpress.net/never-crawled")
        with pytest.raises(FetchError) as robots:
            await crawler.fetch("https://vnexpress.net/private/x")
    assert time.monotonic() - started < 2.0  # no politeness delays in replay
    assert live["https://vnexpress.net/old"].final_url == "https://tuoitre.vn/moved"
    assert (
        live["https://vnexpress.net/cp1258.html"].text
        == '<meta charset="windows-1258"><p>Đại sứ</p>'
    )
    assert not_modified.status == 304
    assert (gone.value.reason, gone.value.status) == ("status", 404)
    assert miss.value.reason == "replay-miss"
    assert robots.value.reason == "robots"


async def test_replay_transport_with_plain_httpx(local_server: LocalServer, tmp_path: Path) -> None:
    path, _ = await record(local_server, tmp_path)
    transport = ReplayTransport([path])
    assert "https://vnexpress.net/thoi-su/a.html" in transport
    assert "https://vnexpress.net/thoi-su/a.html#comments" in transport
    assert "https://vnexpress.net/old" in transport.urls()
    async with httpx.AsyncClient(transport=transport, follow_redirects=True) as client:
        article = await client.get("https://vnexpress.net/thoi-su/a.html#comments")
        moved = await client.get("https://vnexpress.net/old")
        missing = await client.get("https://example.com/")
    assert article.status_code == 200 and article.text == ARTICLE
    assert str(moved.url) == "https://tuoitre.vn/moved"
    assert missing.status_code == 404
    assert missing.headers["x-diplowatch-replay"] == "miss"


async def test_later_recordings_win_and_several_files_combine(
    local_server: LocalServer, tmp_path: Path
) -> None:
    local_server.add(HOST, "/page", "version 1")
    config = live_config(local_server, tmp_path, respect_robots=False)
    async with Crawler(config) as crawler:
        await crawler.fetch("https://vnexpress.net/page")
        first = Path(crawler.warc_path or "")
    local_server.add(HOST, "/page", "version 2")
    local_server.add(HOST, "/other", "other")
    async with Crawler(config) as crawler:
        await crawler.fetch("https://vnexpress.net/page")
        await crawler.fetch("https://vnexpress.net/other")
        second = Path(crawler.warc_path or "")
    assert first != second
    replay = CrawlerConfig(user_agent=UA, replay_warcs=(first, second), respect_robots=False)
    async with Crawler(replay) as crawler:
        assert (await crawler.fetch("https://vnexpress.net/page")).text == "version 2"
        assert (await crawler.fetch("https://vnexpress.net/other")).text == "other"
