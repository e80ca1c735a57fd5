"""Fault injection, transport: bodies and connections that break, at the crawler.

The loopback server (``tests.http_server``) sends gzip bombs, truncated or undecodable
gzip, 100 MB bodies, connection resets and broken HTTP; the crawler must stop at
``max_body_bytes`` without inflating or holding more (checked with tracemalloc), never hand
back a cut body as a page, and say which URL failed and why. The same faults inside a
monitor run are in ``tests/test_faults_http.py``; what ``tests/test_crawler_fetch.py``
already covers (timeouts, 503/429 retries, redirect caps) is not repeated.
"""

from __future__ import annotations

import asyncio
import gzip
import tracemalloc
from typing import Any

import pytest

from crawler import Crawler, CrawlerConfig, FetchError
from tests.fault_site import CAP, HOST, Producer, article, gzip_bomb
from tests.http_server import LocalServer, Reply
from tests.site import article_html


def crawler_config(server: LocalServer, **overrides: Any) -> CrawlerConfig:
    values: dict[str, Any] = {
        "user_agent": "diplowatch-test",
        "default_min_delay_seconds": 0.0,
        "backoff_seconds": 0.01,
        "max_retries": 1,
        "timeout_seconds": 2.0,
        "connect_timeout_seconds": 2.0,
        "respect_robots": False,
        "host_map": server.host_map(HOST),
    }
    values.update(overrides)
    return CrawlerConfig(**values)


async def peak_memory_of_fetch(crawler: Crawler, url: str) -> tuple[FetchError, int]:
    """The FetchError of fetching ``url`` and the peak of Python allocations meanwhile."""
    tracemalloc.start()
    try:
        with pytest.raises(FetchError) as caught:
            await crawler.fetch(url)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return caught.value, peak


# -- bodies that are too big, compressed or not ------------------------------------------------


@pytest.mark.parametrize("encoding", ["gzip", "gzip, gzip", "x-gzip"])
async def test_a_gzip_bomb_stops_at_the_cap_without_being_inflated(
    local_server: LocalServer, encoding: str
) -> None:
    layers = encoding.count("gzip")
    bomb = gzip_bomb(128, layers)  # 128 MB of zeros in 130 KB (one layer) or 350 bytes (two)
    local_server.add(HOST, "/bomb", bomb, headers={"Content-Encoding": encoding})
    async with Crawler(crawler_config(local_server, max_body_bytes=CAP)) as crawler:
        error, peak = await peak_memory_of_fetch(crawler, f"https://{HOST}/bomb")
    assert error.reason == "too-large"
    assert "more than 1000000 bytes" in str(error)
    assert peak < 8 * CAP, f"decoding held {peak / 1e6:.0f} MB for a 1 MB cap"
    assert len(local_server.requests_to(HOST, "/bomb")) == 1  # too large is not retried


async def test_a_truncated_gzip_body_is_an_error_never_a_short_page(
    local_server: LocalServer,
) -> None:
    page = gzip.compress(article_html(HOST, article(1)).encode())
    # The HTTP message is complete (Content-Length matches) but the gzip stream stops short.
    local_server.add(HOST, "/cut", page[: len(page) // 2], headers={"Content-Encoding": "gzip"})
    local_server.add(HOST, "/whole", page, headers={"Content-Encoding": "gzip"})
    async with Crawler(crawler_config(local_server)) as crawler:
        with pytest.raises(FetchError) as caught:
            await crawler.fetch(f"https://{HOST}/cut")
        whole = await crawler.fetch(f"https://{HOST}/whole")
    assert caught.value.reason == "network"
    assert "truncated gzip" in str(caught.value)
    assert caught.value.attempts == 2  # a proxy may have cut it: worth one more try
    assert whole.body == gzip.decompress(page)


@pytest.mark.parametrize(
    ("headers", "body", "expected"),
    [
        ({"Content-Encoding": "gzip"}, b"\x1f\x8b\x08\x00garbage, not deflate", "corrupt gzip"),
        ({"Content-Encoding": "br"}, b"\x8b\x03\x80brotli-ish", "unsupported Content-Encoding"),
    ],
)
async def test_an_undecodable_body_is_an_error_never_stored_as_text(
    local_server: LocalServer, headers: dict[str, str], body: bytes, expected: str
) -> None:
    local_server.add(HOST, "/odd", body, headers=headers)
    async with Crawler(crawler_config(local_server)) as crawler:
        with pytest.raises(FetchError) as caught:
            await crawler.fetch(f"https://{HOST}/odd")
    assert caught.value.reason == "network"
    assert expected in str(caught.value)
    assert local_server.requests_to(HOST, "/odd")[0].headers["accept-encoding"] == "gzip, deflate"


@pytest.mark.parametrize("announced", [False, True], ids=["chunked", "content-length"])
async def test_a_100_mb_body_is_refused_at_the_cap_while_streaming(
    local_server: LocalServer, announced: bool
) -> None:
    body = Producer(100_000_000)
    length = body.total if announced else None
    local_server.add_reply(HOST, "/huge", Reply(200, stream=body, stream_length=length))
    async with Crawler(crawler_config(local_server, max_body_bytes=CAP)) as crawler:
        error, peak = await peak_memory_of_fetch(crawler, f"https://{HOST}/huge")
    assert error.reason == "too-large"
    assert peak < 8 * CAP
    if announced:
        assert "Content-Length 100000000 > 1000000" in str(error)  # refused before the body
    # The client hung up: the server never got to send the 100 MB (socket buffers aside).
    await asyncio.sleep(0.2)
    assert body.produced < 30_000_000


# -- connections that break --------------------------------------------------------------------


async def test_connection_resets_are_retried_and_a_cut_body_is_never_returned(
    local_server: LocalServer,
) -> None:
    html = article_html(HOST, article(1))
    local_server.add_sequence(HOST, "/once", [Reply(reset=True), Reply(200, html)])
    local_server.add_reply(HOST, "/mid", Reply(200, html, reset_after=500))
    lying = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 5000\r\n\r\n<html>"
    local_server.add_reply(HOST, "/lying", Reply(raw=lying))
    local_server.add_reply(HOST, "/garbage", Reply(raw=b"SSH-2.0-OpenSSH_9.6\r\n\r\n"))
    async with Crawler(crawler_config(local_server)) as crawler:
        recovered = await crawler.fetch(f"https://{HOST}/once")
        failures = {}
        for path in ("/mid", "/lying", "/garbage"):
            with pytest.raises(FetchError) as caught:
                await crawler.fetch(f"https://{HOST}{path}")
            failures[path] = caught.value
    assert recovered.text == html
    for path, error in failures.items():
        assert (error.reason, error.attempts) == ("network", 2), path
        assert str(error).startswith(f"https://{HOST}{path}: network error after 2 attempts")
    assert "received 6 bytes, expected 5000" in str(failures["/lying"])


async def test_a_huge_gzipped_robots_txt_is_read_up_to_its_cap(local_server: LocalServer) -> None:
    rules = b"User-agent: *\nDisallow: /private/\n" + b"# padding\n" * 200_000  # 2 MB
    local_server.add(
        HOST,
        "/robots.txt",
        gzip.compress(rules),
        gzip=False,
        headers={"Content-Encoding": "gzip"},
        content_type="text/plain",
    )
    config = crawler_config(local_server, respect_robots=True, robots_max_bytes=100_000)
    async with Crawler(config) as crawler:
        assert not await crawler.robots_allowed(f"https://{HOST}/private/a.html")
        assert await crawler.robots_allowed(f"https://{HOST}/the-gioi/bai-1.html")
