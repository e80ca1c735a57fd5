"""Fault injection, HTTP: what the network does to a monitor run, and what the user relies on.

Every fault is served by the real loopback server (``tests.http_server``) and goes through
the real monitor recipe (``flows.monitoring.monitor_outlet``) so that its outcome is checked
where an operator sees it: the error is counted and names the outlet and the URL, the rest
of the run goes on, nothing stored is lost, half-read or stored twice, and no host outside
the outlet's domains is contacted. The crawler-level side of these faults is in
``tests/test_faults_transport.py``.
"""

from __future__ import annotations

import gzip
from datetime import UTC, datetime

import pytest
from sqlalchemy import update

from storage.models import OutletRow, PendingUrl
from tests import fault_site as site_module
from tests.fault_site import (
    CAP,
    FEED,
    FEED_2,
    HOST,
    FaultSite,
    Producer,
    article,
    gzip_bomb,
    url_of,
)
from tests.http_server import Reply
from tests.site import article_html, rss_feed

fault_site = site_module.fault_site


# -- through the monitor: counted, named, the run goes on, nothing lost or doubled -------------


async def test_a_feed_that_times_out_is_counted_backed_off_and_the_other_feed_delivers(
    fault_site: FaultSite,
) -> None:
    pages = [article(1), article(2)]
    fault_site.serve(pages)
    fault_site.serve_feed(FEED, [], delay=1.5)  # answers after the attempt deadline
    fault_site.serve_feed(FEED_2, pages)
    counters = await fault_site.monitor(timeout_seconds=0.3, connect_timeout_seconds=0.3)
    assert (counters.stored, counters.errors) == (2, 1)
    [message] = counters.error_messages
    assert message.startswith(f"baothu: feed {FEED}: timed out after 2 attempts")
    state = fault_site.feed_state(FEED)
    assert state is not None and state.failures == 1 and state.next_fetch_at is not None
    assert state.next_fetch_at > datetime.now(UTC)
    # The next run leaves the feed alone while it backs off, and stores nothing twice.
    fault_site.server.clear_requests()
    again = await fault_site.monitor(timeout_seconds=0.3, connect_timeout_seconds=0.3)
    assert (again.stored, again.errors) == (0, 0)
    assert not fault_site.server.requests_to(HOST, "/rss/tin-moi.rss")
    assert set(fault_site.articles()) == {url_of(page) for page in pages}


async def test_a_slow_drip_page_times_out_and_is_stored_on_a_later_run(
    fault_site: FaultSite,
) -> None:
    slow, fine = article(1), article(2)
    fault_site.serve([slow, fine])
    fault_site.serve_page(slow, chunk_size=64, chunk_delay=0.05)  # ~2 s for the page
    counters = await fault_site.monitor(timeout_seconds=0.3, connect_timeout_seconds=0.3)
    assert (counters.stored, counters.errors) == (1, 1)
    assert counters.error_messages == [
        f"baothu: {url_of(slow)}: timed out after 2 attempts (TimeoutError)"
    ]
    assert set(fault_site.articles()) == {url_of(fine)}
    assert fault_site.pending()[url_of(slow)].attempts == 1
    # The page recovers; once its back-off has passed the next run stores it, once.
    fault_site.serve_page(slow)
    with fault_site.db.session() as session:
        session.execute(update(PendingUrl).values(next_attempt_at=datetime.now(UTC)))
    again = await fault_site.monitor()
    assert (again.stored, again.errors) == (1, 0)
    assert set(fault_site.articles()) == {url_of(slow), url_of(fine)}
    assert fault_site.pending() == {}


async def test_connection_resets_store_nothing_half_read_and_lose_nothing(
    fault_site: FaultSite,
) -> None:
    flaky, cut, fine = article(1), article(2), article(3)
    fault_site.serve([flaky, cut, fine])
    html = article_html(HOST, flaky)
    fault_site.server.add_sequence(HOST, flaky.path, [Reply(reset=True), Reply(200, html)])
    fault_site.serve_page(cut, reset_after=700)
    counters = await fault_site.monitor()
    assert (counters.discovered, counters.stored, counters.errors) == (3, 2, 1)
    [message] = counters.error_messages
    assert message.startswith(f"baothu: {url_of(cut)}: network error after 2 attempts")
    stored = fault_site.articles()
    assert set(stored) == {url_of(flaky), url_of(fine)}
    assert stored[url_of(flaky)].paragraphs == list(flaky.paragraphs)
    assert url_of(cut) in fault_site.pending()


async def test_server_errors_are_retried_then_counted_per_url(fault_site: FaultSite) -> None:
    recovers, broken = article(1), article(2)
    fault_site.serve([recovers, broken])
    html = article_html(HOST, recovers)
    fault_site.server.add_sequence(HOST, recovers.path, [Reply(503), Reply(200, html)])
    fault_site.server.add(HOST, broken.path, "upstream exploded", status=500)
    fault_site.server.add(HOST, "/rss/the-gioi.rss", "maintenance", status=503)
    counters = await fault_site.monitor()
    assert (counters.stored, counters.errors) == (1, 2)
    assert sorted(counters.error_messages) == sorted(
        [
            f"baothu: feed {FEED_2}: HTTP 503 after 2 attempts",
            f"baothu: {url_of(broken)}: HTTP 500 after 2 attempts",
        ]
    )
    assert set(fault_site.articles()) == {url_of(recovers)}
    assert fault_site.pending()[url_of(broken)].last_error == (
        f"{url_of(broken)}: HTTP 500 after 2 attempts"
    )
    assert len(fault_site.server.requests_to(HOST, broken.path)) == 2


async def test_429_with_retry_after_is_waited_out_and_the_page_stored(
    fault_site: FaultSite,
) -> None:
    page = article(1)
    fault_site.serve([page])
    html = article_html(HOST, page)
    busy = Reply(429, "slow down", headers={"Retry-After": "1"})
    fault_site.server.add_sequence(HOST, page.path, [busy, Reply(200, html)])
    counters = await fault_site.monitor()
    assert (counters.stored, counters.errors) == (1, 0)
    first, second = fault_site.server.requests_to(HOST, page.path)
    assert second.time - first.time >= 0.95
    assert set(fault_site.articles()) == {url_of(page)}


async def test_redirect_loops_and_redirects_off_the_outlet_are_refused_and_never_followed(
    fault_site: FaultSite,
) -> None:
    loop, away, inward, moved = article(1), article(2), article(3), article(4)
    fault_site.serve([loop, away, inward, moved])
    server = fault_site.server
    server.add_redirect(HOST, loop.path, "/the-gioi/vong-lap.html")
    server.add_redirect(HOST, "/the-gioi/vong-lap.html", loop.path)
    server.add_redirect(HOST, away.path, "https://evil.example/steal.html")
    server.add_redirect(HOST, inward.path, f"http://127.0.0.1:{server.port}/admin")
    server.add_redirect(HOST, moved.path, f"https://m.{HOST}{moved.path}")
    server.add(f"m.{HOST}", moved.path, article_html(f"m.{HOST}", moved))
    server.add("*", "/steal.html", "<html><title>stolen</title></html>")
    server.add("*", "/admin", "<html><title>internal</title></html>")
    counters = await fault_site.monitor()
    assert (counters.stored, counters.errors) == (1, 3)
    messages = "\n".join(counters.error_messages)
    assert f"baothu: {url_of(loop)}: too many redirects" in messages
    assert f"baothu: {url_of(away)}: refused: redirect outside the allowed domains" in messages
    assert f"baothu: {url_of(inward)}: refused" in messages
    assert set(fault_site.articles()) == {url_of(moved)}  # a move within the outlet is fine
    assert fault_site.hosts_contacted() == {HOST, f"m.{HOST}"}


async def test_feed_entries_on_other_hosts_or_schemes_are_never_fetched(
    fault_site: FaultSite,
) -> None:
    own = article(1)
    fault_site.serve([own])
    hostile = "\n".join(
        f"<item><title>x</title><link>{link}</link></item>"
        for link in (
            "https://evil.example/the-gioi/bai-9.html",
            "https://tuoitre.vn/the-gioi/bai-8.htm",
            "http://169.254.169.254/latest/meta-data/",
            f"http://127.0.0.1:{fault_site.server.port}/admin",
            "file:///etc/passwd",
            "javascript:alert(1)",
            f"https://{HOST}.evil.example/bai-7.html",
        )
    )
    feed = f'<rss version="2.0"><channel><title>t</title>{hostile}</channel></rss>'
    fault_site.server.add(HOST, "/rss/the-gioi.rss", feed, content_type="application/rss+xml")
    counters = await fault_site.monitor()
    assert (counters.discovered, counters.stored, counters.errors) == (1, 1, 0)
    assert fault_site.hosts_contacted() == {HOST}


async def test_gzip_faults_in_a_run_are_counted_and_only_whole_pages_stored(
    fault_site: FaultSite,
) -> None:
    whole, cut, bomb = article(1), article(2), article(3)
    fault_site.serve([whole, cut, bomb])
    fault_site.serve_page(whole, gzip=True)
    packed = gzip.compress(article_html(HOST, cut).encode())
    gz = {"Content-Encoding": "gzip"}
    fault_site.server.add(HOST, cut.path, packed[: len(packed) * 2 // 3], headers=gz)
    fault_site.server.add(
        HOST, bomb.path, gzip_bomb(128, 2), headers={"Content-Encoding": "gzip, gzip"}
    )
    counters = await fault_site.monitor(max_body_bytes=CAP)
    assert (counters.stored, counters.errors) == (1, 2)
    messages = "\n".join(counters.error_messages)
    assert f"baothu: {url_of(cut)}: network error after 2 attempts" in messages
    assert "truncated gzip" in messages
    assert f"baothu: {url_of(bomb)}: body larger than the configured maximum" in messages
    assert set(fault_site.articles()) == {url_of(whole)}
    assert set(fault_site.pending()) == {url_of(cut), url_of(bomb)}


async def test_a_100_mb_page_is_refused_and_the_run_goes_on(fault_site: FaultSite) -> None:
    huge, fine = article(1), article(2)
    fault_site.serve([huge, fine])
    body = Producer(100_000_000)
    fault_site.server.add_reply(HOST, huge.path, Reply(200, stream=body))
    counters = await fault_site.monitor(max_body_bytes=CAP)
    assert (counters.stored, counters.errors) == (1, 1)
    assert counters.error_messages == [
        f"baothu: {url_of(huge)}: body larger than the configured maximum "
        "(more than 1000000 bytes after decoding)"
    ]
    assert set(fault_site.articles()) == {url_of(fine)}
    assert body.produced < 30_000_000


# -- robots.txt --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "robots",
    [
        Reply(404, "not found"),
        Reply(500, "oops"),
        Reply(200, "late", delay=1.0),  # slower than the attempt deadline
        Reply(reset=True),
        Reply(200, b"\x00\xff\xfe garbage \x89PNG", content_type="image/png"),
    ],
    ids=["missing", "500", "timeout", "reset", "garbage"],
)
async def test_a_missing_or_failing_robots_txt_does_not_stop_monitoring(
    fault_site: FaultSite, robots: Reply
) -> None:
    pages = [article(1), article(2)]
    fault_site.serve(pages)
    fault_site.server.add_reply(HOST, "/robots.txt", robots)
    counters = await fault_site.monitor(timeout_seconds=0.3, connect_timeout_seconds=0.3)
    assert (counters.stored, counters.errors) == (2, 0)
    assert len(fault_site.server.requests_to(HOST, "/robots.txt")) == 1  # cached for the run


async def test_robots_txt_disallowing_everything_is_obeyed_and_reported(
    fault_site: FaultSite,
) -> None:
    fault_site.serve([article(1)])
    fault_site.serve_robots("User-agent: *\nDisallow: /\n")
    counters = await fault_site.monitor()
    assert (counters.discovered, counters.stored, counters.errors) == (0, 0, 2)
    assert sorted(counters.error_messages) == [
        f"baothu: feed {FEED_2}: disallowed by robots.txt",
        f"baothu: feed {FEED}: disallowed by robots.txt",
    ]
    assert [r.path for r in fault_site.server.requests] == ["/robots.txt"]


async def test_a_run_where_everything_fails_keeps_what_earlier_runs_stored(
    fault_site: FaultSite,
) -> None:
    pages = [article(1), article(2)]
    fault_site.serve(pages)
    await fault_site.monitor()
    before = {key: (row.title, row.paragraphs) for key, row in fault_site.articles().items()}
    for path in ("/rss/tin-moi.rss", "/rss/the-gioi.rss", *(page.path for page in pages)):
        fault_site.server.add(HOST, path, "down", status=500)
    counters = await fault_site.monitor()
    assert (counters.stored, counters.errors) == (0, 2)
    after = {key: (row.title, row.paragraphs) for key, row in fault_site.articles().items()}
    assert after == before
    with fault_site.db.session() as session:
        health = session.get(OutletRow, "baothu")
        assert health is not None and health.error_streak == 1
        assert health.last_error is not None and FEED in health.last_error


async def test_a_run_with_every_source_backing_off_leaves_the_error_streak_alone(
    fault_site: FaultSite,
) -> None:
    fault_site.serve_robots()
    for path in ("/rss/tin-moi.rss", "/rss/the-gioi.rss"):
        fault_site.server.add(HOST, path, "down", status=500)
    await fault_site.monitor()  # both feeds fail: streak 1, both back off
    counters = await fault_site.monitor()  # nothing is asked of the outlet
    assert (counters.answers, counters.errors, counters.stored) == (0, 0, 0)
    with fault_site.db.session() as session:
        health = session.get(OutletRow, "baothu")
        assert health is not None and health.error_streak == 1
        assert health.last_success_at is None and health.last_error is not None


async def test_articles_beyond_a_runs_cap_are_fetched_by_the_next_runs_even_behind_a_304(
    fault_site: FaultSite,
) -> None:
    pages = [article(number) for number in range(1, 8)]
    fault_site.serve_robots()
    fault_site.server.add(
        HOST,
        "/rss/tin-moi.rss",
        rss_feed(HOST, pages),
        content_type="application/rss+xml; charset=utf-8",
        headers={"ETag": '"feed-v1"'},
    )
    fault_site.serve_feed(FEED_2, [])
    for page in pages:
        fault_site.serve_page(page)
    fault_site.apply(max_articles_per_outlet=3)
    first = await fault_site.monitor()
    assert (first.new, first.stored) == (7, 3)
    assert len(fault_site.pending()) == 4  # queued, not dropped
    second = await fault_site.monitor()  # the feed now answers 304
    third = await fault_site.monitor()
    assert fault_site.server.requests_to(HOST, "/rss/tin-moi.rss")[-1].headers.get(
        "if-none-match"
    ) == '"feed-v1"'
    assert (second.stored, third.stored) == (3, 1)
    assert sorted(fault_site.articles()) == sorted(url_of(page) for page in pages)
    assert fault_site.pending() == {}
