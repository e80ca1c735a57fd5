"""Politeness under concurrency, per-host connection limits, robots.txt (rules, delay, errors)."""

from __future__ import annotations

import asyncio
import itertools
import logging
import threading
import time
from typing import Any

import pytest

from crawler import Crawler, CrawlerConfig, FetchError
from crawler.politeness import HostGate
from tests import http_server
from tests.http_server import LocalServer, RecordedRequest, Reply

local_server = http_server.local_server

HOST = "vnexpress.net"
UA = "diplowatch-test/0.1 (+https://example.invalid/bot)"
# Spacing is measured on the server, at request arrival; the first request of a host also pays
# for the TCP connect (and a loaded machine delays it further), so arrivals can be closer than
# starts. Allow that much: without the gate the gaps would be about zero.
SLACK = 0.05


def config_for(server: LocalServer, *hosts: str, **overrides: Any) -> CrawlerConfig:
    settings: dict[str, Any] = {
        "user_agent": UA,
        "default_min_delay_seconds": 0.0,
        "backoff_seconds": 0.01,
        "timeout_seconds": 5.0,
        "respect_robots": False,
        "host_map": server.host_map(*(hosts or (HOST,))),
    }
    settings.update(overrides)
    return CrawlerConfig(**settings)


def gaps(requests: list[RecordedRequest]) -> list[float]:
    times = sorted(request.time for request in requests)
    return [later - earlier for earlier, later in itertools.pairwise(times)]


def add_pages(server: LocalServer, host: str, count: int) -> list[str]:
    urls = []
    for index in range(count):
        server.add(host, f"/p{index}", f"page {index}")
        urls.append(f"https://{host}/p{index}")
    return urls


# -- spacing -------------------------------------------------------------------------------


async def test_concurrent_fetches_of_one_host_are_spaced(local_server: LocalServer) -> None:
    delay = 0.15
    urls = add_pages(local_server, HOST, 5)
    async with Crawler(config_for(local_server, default_min_delay_seconds=delay)) as crawler:
        results = await asyncio.gather(*(crawler.fetch(url) for url in urls))
    assert sorted(r.text or "" for r in results) == [f"page {i}" for i in range(5)]
    spacing = gaps(local_server.requests_to(HOST))
    assert len(spacing) == 4
    assert min(spacing) >= delay - SLACK, spacing


async def test_per_call_min_delay_raises_the_host_delay(local_server: LocalServer) -> None:
    urls = add_pages(local_server, HOST, 3)
    async with Crawler(config_for(local_server, default_min_delay_seconds=0.01)) as crawler:
        await asyncio.gather(*(crawler.fetch(url, min_delay=0.2) for url in urls))
    assert min(gaps(local_server.requests_to(HOST))) >= 0.2 - SLACK


async def test_different_hosts_proceed_in_parallel(local_server: LocalServer) -> None:
    delay = 0.2
    urls = add_pages(local_server, "a.vn", 3) + add_pages(local_server, "b.vn", 3)
    config = config_for(local_server, "a.vn", "b.vn", default_min_delay_seconds=delay)
    async with Crawler(config) as crawler:
        await asyncio.gather(*(crawler.fetch(url) for url in urls))
    a_requests = local_server.requests_to("a.vn")
    b_requests = local_server.requests_to("b.vn")
    assert min(gaps(a_requests)) >= delay - SLACK
    assert min(gaps(b_requests)) >= delay - SLACK
    # b.vn did not wait for a.vn: its first request came before a.vn's second one
    assert min(r.time for r in b_requests) < sorted(r.time for r in a_requests)[1]


async def test_connection_limit_per_host(local_server: LocalServer) -> None:
    lock = threading.Lock()
    in_flight = {"now": 0, "peak": 0}

    def slow(request: RecordedRequest) -> Reply:
        with lock:
            in_flight["now"] += 1
            in_flight["peak"] = max(in_flight["peak"], in_flight["now"])
        time.sleep(0.15)
        with lock:
            in_flight["now"] -= 1
        return Reply(200, request.path)

    local_server.add_handler(HOST, "/slow", slow)
    urls = [f"https://vnexpress.net/slow?i={i}" for i in range(6)]
    config = config_for(local_server, max_connections_per_host=2)
    async with Crawler(config) as crawler:
        await asyncio.gather(*(crawler.fetch(url) for url in urls))
    assert in_flight["peak"] == 2


async def test_retry_after_holds_back_the_whole_host(local_server: LocalServer) -> None:
    local_server.add_sequence(
        HOST, "/busy", [Reply(429, headers={"Retry-After": "1"}), Reply(200, "ok")]
    )
    local_server.add(HOST, "/other", "other")

    async def later() -> None:
        await asyncio.sleep(0.2)  # after the 429 came back
        await crawler.fetch("https://vnexpress.net/other")

    async with Crawler(config_for(local_server)) as crawler:
        await asyncio.gather(crawler.fetch("https://vnexpress.net/busy"), later())
    busy = local_server.requests_to(HOST, "/busy")[0]
    other = local_server.requests_to(HOST, "/other")[0]
    assert other.time - busy.time >= 0.95


async def test_crawlers_given_one_gate_space_their_requests_to_a_host_together(
    local_server: LocalServer,
) -> None:
    delay = 0.15
    urls = add_pages(local_server, HOST, 6)
    gate = HostGate(max_connections_per_host=2)
    config = config_for(local_server, default_min_delay_seconds=delay)
    async with Crawler(config, gate=gate) as first, Crawler(config, gate=gate) as second:
        await asyncio.gather(
            *(crawler.fetch(url) for crawler, url in zip(itertools.cycle((first, second)), urls))
        )
    spacing = gaps(local_server.requests_to(HOST))
    assert len(spacing) == 5
    assert min(spacing) >= delay - SLACK, spacing
    assert gate.last_start(HOST) is not None  # the crawlers used the gate they were given


async def test_host_gate_spacing_without_network() -> None:
    gate = HostGate(max_connections_per_host=4)
    starts: list[float] = []

    async def one() -> None:
        async with gate.slot("h", 0.05):
            starts.append(time.monotonic())

    await asyncio.gather(*(one() for _ in range(4)))
    assert all(b - a >= 0.05 for a, b in itertools.pairwise(starts))


# -- robots.txt ----------------------------------------------------------------------------

ROBOTS = """\
User-agent: *
Disallow: /private
Allow: /

User-agent: BadBot
Disallow: /
"""


async def test_robots_disallow_and_single_fetch(local_server: LocalServer) -> None:
    local_server.add(HOST, "/robots.txt", ROBOTS, content_type="text/plain")
    urls = add_pages(local_server, HOST, 4)
    local_server.add(HOST, "/private/x", "secret")
    async with Crawler(config_for(local_server, respect_robots=True)) as crawler:
        await asyncio.gather(*(crawler.fetch(url) for url in urls))
        with pytest.raises(FetchError) as caught:
            await crawler.fetch("https://vnexpress.net/private/x")
        assert await crawler.robots_allowed("https://vnexpress.net/p1")
        assert not await crawler.robots_allowed("https://vnexpress.net/private/y")
    assert caught.value.reason == "robots"
    assert "robots.txt" in str(caught.value)
    assert len(local_server.requests_to(HOST, "/robots.txt")) == 1
    assert local_server.requests_to(HOST, "/private/x") == []


async def test_robots_group_for_our_user_agent(local_server: LocalServer) -> None:
    local_server.add(HOST, "/robots.txt", ROBOTS, content_type="text/plain")
    local_server.add(HOST, "/", "home")
    config = config_for(local_server, respect_robots=True, user_agent="BadBot/2.0")
    async with Crawler(config) as crawler:
        with pytest.raises(FetchError) as caught:
            await crawler.fetch("https://vnexpress.net/")
    assert caught.value.reason == "robots"


async def test_robots_crawl_delay_spaces_requests(local_server: LocalServer) -> None:
    local_server.add(HOST, "/robots.txt", "User-agent: *\nCrawl-delay: 0.2\n")
    urls = add_pages(local_server, HOST, 3)
    config = config_for(local_server, respect_robots=True, default_min_delay_seconds=0.0)
    async with Crawler(config) as crawler:
        await asyncio.gather(*(crawler.fetch(url) for url in urls))
    pages = [r for r in local_server.requests_to(HOST) if r.path != "/robots.txt"]
    assert len(pages) == 3
    assert min(gaps(pages)) >= 0.2 - SLACK


async def test_redirect_into_disallowed_path_is_refused(local_server: LocalServer) -> None:
    local_server.add(HOST, "/robots.txt", ROBOTS)
    local_server.add_redirect(HOST, "/go", "/private/page")
    async with Crawler(config_for(local_server, respect_robots=True)) as crawler:
        with pytest.raises(FetchError) as caught:
            await crawler.fetch("https://vnexpress.net/go")
    assert (caught.value.reason, caught.value.url) == (
        "robots",
        "https://vnexpress.net/private/page",
    )


@pytest.mark.parametrize(
    ("reply", "warns"),
    [
        (Reply(404, "nope"), False),
        (Reply(410), False),
        (Reply(500), True),
        (Reply(503), True),
        (Reply(429), True),
        (Reply(drop=True), True),
    ],
)
async def test_robots_failures_allow_everything(
    local_server: LocalServer, caplog: pytest.LogCaptureFixture, reply: Reply, warns: bool
) -> None:
    local_server.add_reply(HOST, "/robots.txt", reply)
    local_server.add(HOST, "/", "home")
    caplog.set_level(logging.INFO, logger="diplowatch.crawler")
    async with Crawler(config_for(local_server, respect_robots=True)) as crawler:
        assert (await crawler.fetch("https://vnexpress.net/")).text == "home"
        assert (await crawler.fetch("https://vnexpress.net/")).text == "home"
    assert len(local_server.requests_to(HOST, "/robots.txt")) == 1  # cached, never retried
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING and "robots" in r.message]
    assert bool(warnings) is warns


async def test_robots_redirect_is_followed(local_server: LocalServer) -> None:
    local_server.add_redirect(HOST, "/robots.txt", "https://www.vnexpress.net/robots.txt")
    local_server.add("www.vnexpress.net", "/robots.txt", "User-agent: *\nDisallow: /\n")
    config = config_for(local_server, HOST, "www.vnexpress.net", respect_robots=True)
    async with Crawler(config) as crawler:
        with pytest.raises(FetchError):
            await crawler.fetch("https://vnexpress.net/anything")


async def test_robots_not_requested_when_not_respected(local_server: LocalServer) -> None:
    local_server.add(HOST, "/robots.txt", "User-agent: *\nDisallow: /\n")
    local_server.add(HOST, "/", "home")
    async with Crawler(config_for(local_server, respect_robots=False)) as crawler:
        assert (await crawler.fetch("https://vnexpress.net/")).text == "home"
    assert local_server.requests_to(HOST, "/robots.txt") == []
