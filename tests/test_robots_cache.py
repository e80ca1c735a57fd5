"""robots.txt kept between runs: asked once per TTL, revalidated, failures retried soon.

Real parts: the loopback HTTP server counts the robots.txt requests; the cache lives in a real
SQLite or PostgreSQL database (``database_url`` runs each test on both) and is reached the way
the monitor reaches it, through ``flows.hostlimits.crawler_factory``. A "run" is a crawler
made by a fresh factory over a fresh ``Database``, as each monitor run (or worker) makes.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import update

from crawler import Crawler, FetchError
from crawler.robots import RobotsCache
from flows.hostlimits import crawler_factory
from flows.monitoring import crawler_config
from flows.settings import PolitenessSettings, Settings, get_settings
from records import RobotsRecord
from storage.db import Database
from storage.models import RobotsTxtRow
from storage.robots import load_robots
from tests import http_server, postgres
from tests.http_server import LocalServer, Reply

local_server = http_server.local_server
database_url = postgres.database_url

HOST = "baothu.vn"
ORIGIN = f"https://{HOST}"
PAGE = f"{ORIGIN}/the-gioi/bai-1.html"
PRIVATE = f"{ORIGIN}/private/so-1.html"
ROBOTS = "User-agent: *\nDisallow: /private\n"
ETAG = '"robots-v1"'
LAST_MODIFIED = "Mon, 23 Nov 2026 01:00:00 GMT"


@pytest.fixture
def settings(configure: Callable[..., None], local_server: LocalServer) -> Settings:
    configure(
        host_map=local_server.host_map(HOST),
        politeness={"min_delay_seconds": 0.0, "backoff_seconds": 0.01, "timeout_seconds": 2.0},
    )
    local_server.add(HOST, "/the-gioi/bai-1.html", "bài 1")
    local_server.add(HOST, "/private/so-1.html", "riêng")
    return get_settings()


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    database = Database(database_url)
    try:
        yield database
    finally:
        database.dispose()


async def run(settings: Settings, db: Database, *urls: str) -> dict[str, str]:
    """One monitor-like run: a new factory and crawler over a new connection to ``db``;
    each URL → its text, or "robots" when robots.txt refused it."""
    database = Database(db.url, run_migrations=False)
    outcome: dict[str, str] = {}
    try:
        make = crawler_factory(settings, database)
        async with make(crawler_config(settings, archive=False)) as crawler:
            for url in urls:
                try:
                    outcome[url] = (await crawler.fetch(url)).text or ""
                except FetchError as error:
                    outcome[url] = error.reason
    finally:
        database.dispose()
    return outcome


def robots_requests(server: LocalServer) -> list[http_server.RecordedRequest]:
    return server.requests_to(HOST, "/robots.txt")


def stored(db: Database) -> RobotsRecord:
    with db.session() as session:
        record = load_robots(session, ORIGIN)
    assert record is not None
    return record


def let_expire(db: Database) -> None:
    """The stored copy's time is up (as a day later)."""
    with db.session() as session:
        session.execute(
            update(RobotsTxtRow).values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )


def serve_robots(server: LocalServer, body: str = ROBOTS, **options: Any) -> None:
    headers = {"ETag": ETAG, "Last-Modified": LAST_MODIFIED}
    server.add(HOST, "/robots.txt", body, headers=headers, content_type="text/plain", **options)


# -- within the TTL: asked once, obeyed from the cache ---------------------------------------


async def test_a_second_run_within_the_ttl_does_not_ask_for_robots_txt_again(
    settings: Settings, db: Database, local_server: LocalServer
) -> None:
    serve_robots(local_server)
    first = await run(settings, db, PAGE)
    second = await run(settings, db, PAGE)
    assert first == second == {PAGE: "bài 1"}
    assert len(robots_requests(local_server)) == 1
    record = stored(db)
    assert (record.status, record.etag, record.last_modified) == (200, ETAG, LAST_MODIFIED)
    assert record.body == ROBOTS.encode()
    ttl = record.expires_at - record.fetched_at
    assert ttl == timedelta(seconds=settings.politeness.robots_ttl_seconds) == timedelta(hours=24)


async def test_a_disallowed_path_stays_blocked_when_the_rules_come_from_the_cache(
    settings: Settings, db: Database, local_server: LocalServer
) -> None:
    serve_robots(local_server)
    await run(settings, db, PAGE)
    outcome = await run(settings, db, PRIVATE, PAGE)
    assert outcome == {PRIVATE: "robots", PAGE: "bài 1"}
    assert len(robots_requests(local_server)) == 1
    assert local_server.requests_to(HOST, "/private/so-1.html") == []


async def test_the_crawlers_of_one_run_share_one_robots_txt_request(
    settings: Settings, db: Database, local_server: LocalServer
) -> None:
    serve_robots(local_server, delay=0.2)  # both crawlers ask while the first answer is due
    make = crawler_factory(settings, db)
    config = crawler_config(settings, archive=False)

    async def one_outlet(url: str) -> str:
        async with make(config) as crawler:
            return (await crawler.fetch(url)).text or ""

    assert await asyncio.gather(one_outlet(PAGE), one_outlet(PAGE)) == ["bài 1", "bài 1"]
    assert len(robots_requests(local_server)) == 1


# -- after the TTL: revalidated with a conditional GET ------------------------------------------


async def test_after_the_ttl_robots_txt_is_revalidated_and_a_304_keeps_the_rules(
    settings: Settings, db: Database, local_server: LocalServer
) -> None:
    serve_robots(local_server)
    await run(settings, db, PAGE)
    first = stored(db)
    let_expire(db)
    outcome = await run(settings, db, PRIVATE, PAGE)
    assert outcome == {PRIVATE: "robots", PAGE: "bài 1"}
    first_request, revalidation = robots_requests(local_server)
    assert "if-none-match" not in first_request.headers
    assert revalidation.headers["if-none-match"] == ETAG
    assert revalidation.headers["if-modified-since"] == LAST_MODIFIED
    again = stored(db)
    assert again.body == ROBOTS.encode() and again.status == 200  # the 304 kept the rules
    assert again.fetched_at > first.fetched_at
    assert again.expires_at - again.fetched_at == timedelta(hours=24)
    assert len(robots_requests(local_server)) == 2
    await run(settings, db, PAGE)
    assert len(robots_requests(local_server)) == 2  # good for another day


async def test_a_changed_robots_txt_is_read_anew_after_the_ttl(
    settings: Settings, db: Database, local_server: LocalServer
) -> None:
    serve_robots(local_server)
    await run(settings, db, PAGE)
    local_server.add(
        HOST, "/robots.txt", "User-agent: *\nDisallow: /the-gioi\n", headers={"ETag": '"v2"'}
    )
    assert await run(settings, db, PAGE) == {PAGE: "bài 1"}  # still within the TTL
    let_expire(db)
    assert await run(settings, db, PAGE, PRIVATE) == {PAGE: "robots", PRIVATE: "riêng"}
    assert stored(db).etag == '"v2"'


# -- failures: kept a short time only ------------------------------------------------------


async def test_a_503_robots_txt_is_retried_after_the_short_ttl(
    settings: Settings, configure: Callable[..., None], db: Database, local_server: LocalServer
) -> None:
    error_ttl = 0.5
    politeness = settings.politeness.model_copy(update={"robots_error_ttl_seconds": error_ttl})
    configure(politeness=politeness.model_dump())
    settings = get_settings()
    local_server.add(HOST, "/robots.txt", status=503)
    assert await run(settings, db, PRIVATE) == {PRIVATE: "riêng"}  # failing robots: allow all
    failed = stored(db)
    assert failed.status == 503
    assert failed.expires_at - failed.fetched_at == timedelta(seconds=error_ttl)
    assert await run(settings, db, PRIVATE) == {PRIVATE: "riêng"}
    assert len(robots_requests(local_server)) == 1  # not asked again at once
    serve_robots(local_server)
    await asyncio.sleep(error_ttl + 0.1)
    assert await run(settings, db, PRIVATE, PAGE) == {PRIVATE: "robots", PAGE: "bài 1"}
    assert len(robots_requests(local_server)) == 2
    recovered = stored(db)
    assert recovered.status == 200
    assert recovered.expires_at - recovered.fetched_at == timedelta(hours=24)


async def test_a_failing_revalidation_keeps_the_last_rules_and_asks_again_soon(
    settings: Settings, db: Database, local_server: LocalServer
) -> None:
    serve_robots(local_server)
    await run(settings, db, PAGE)
    let_expire(db)
    local_server.add_reply(HOST, "/robots.txt", Reply(drop=True))  # the origin is unreachable
    before = datetime.now(UTC)
    assert await run(settings, db, PRIVATE, PAGE) == {PRIVATE: "robots", PAGE: "bài 1"}
    kept = stored(db)
    assert kept.body == ROBOTS.encode()
    error_ttl = timedelta(seconds=settings.politeness.robots_error_ttl_seconds)
    assert before + error_ttl <= kept.expires_at <= datetime.now(UTC) + error_ttl


# -- without a database: the crawler's own cache -------------------------------------------


async def test_a_crawler_without_a_store_revalidates_after_its_ttl(
    local_server: LocalServer,
) -> None:
    serve_robots(local_server)
    local_server.add(HOST, "/private/so-1.html", "riêng")
    config = crawler_config(
        Settings(
            host_map=local_server.host_map(HOST),
            politeness=PolitenessSettings(min_delay_seconds=0.0),
        ),
        archive=False,
    )
    robots = RobotsCache(ttl_seconds=0.3)
    async with Crawler(config, robots=robots) as crawler:
        assert not await crawler.robots_allowed(PRIVATE)
        assert not await crawler.robots_allowed(PRIVATE)
        assert len(robots_requests(local_server)) == 1
        await asyncio.sleep(0.35)
        assert not await crawler.robots_allowed(PRIVATE)
    first, revalidation = robots_requests(local_server)
    assert "if-none-match" not in first.headers
    assert revalidation.headers["if-none-match"] == ETAG


# -- the monitor flow: the next run reuses what this one fetched -----------------------------


@pytest.mark.prefect
def test_the_next_monitor_run_does_not_ask_for_robots_txt_again(
    prefect_harness: object, configure: Callable[..., None], local_server: LocalServer
) -> None:
    from flows.monitor import monitor
    from parsers.registry import outlet_by_key
    from tests.site import rss_feed

    host = "vnexpress.net"
    outlet = outlet_by_key("vnexpress")
    local_server.add(host, "/robots.txt", ROBOTS, content_type="text/plain")
    for feed in outlet.feeds:
        local_server.add(host, feed.split(host, 1)[1], rss_feed(host, []), headers={"ETag": '"1"'})
    configure(
        host_map=local_server.host_map(host),
        politeness={"min_delay_seconds": 0.01, "outlet_delays": {"vnexpress": 0.01}},
    )
    for _ in range(2):
        [row] = asyncio.run(monitor(outlets=["vnexpress"]))
        assert (row["outlet"], row["errors"]) == ("vnexpress", 0)
    assert len(local_server.requests_to(host, "/robots.txt")) == 1
    assert len(local_server.requests_to(host, outlet.feeds[0].split(host, 1)[1])) == 2
    db = Database(get_settings().resolved_database_url, run_migrations=False)
    try:
        with db.session() as session:
            record = load_robots(session, f"https://{host}")
    finally:
        db.dispose()
    assert record is not None and record.body == ROBOTS.encode()
