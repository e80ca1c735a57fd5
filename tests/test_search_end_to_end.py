"""End to end on SQLite and on PostgreSQL: a monitor run stores pages, ``search`` finds them.

Real parts only: the HTTP server on 127.0.0.1 reached through ``host_map``, the database
named by ``DIPLOWATCH_DATABASE_URL`` (as an operator sets it), the monitor flow under
Prefect's test harness, and the ``diplowatch search`` command.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable

import pytest

from flows.cli import main
from flows.monitor import monitor
from parsers.registry import outlet_by_key
from tests.http_server import LocalServer
from tests.postgres import database_url
from tests.site import DIPLOMACY_ARTICLE, SPORT_ARTICLE, article_html, rss_feed

__all__ = ["database_url"]  # runs on SQLite and on PostgreSQL

pytestmark = pytest.mark.prefect

HOST = "vnexpress.net"


def serve_vnexpress(server: LocalServer) -> None:
    """The outlet's first feed lists both test articles; its other feeds are empty."""
    server.add(HOST, "/robots.txt", "User-agent: *\nAllow: /\n", content_type="text/plain")
    for index, feed_url in enumerate(outlet_by_key("vnexpress").feeds):
        articles = [DIPLOMACY_ARTICLE, SPORT_ARTICLE] if index == 0 else []
        server.add(
            HOST,
            feed_url.split(HOST, 1)[1],
            rss_feed(HOST, articles),
            content_type="application/rss+xml; charset=utf-8",
        )
    for article in (DIPLOMACY_ARTICLE, SPORT_ARTICLE):
        server.add(HOST, article.path, article_html(HOST, article))


def search_json(capsys: pytest.CaptureFixture[str], *args: str) -> list[dict[str, object]]:
    capsys.readouterr()
    assert main(["search", *args, "--json"]) == 0
    return [json.loads(line) for line in capsys.readouterr().out.splitlines()]


def test_articles_stored_by_a_monitor_run_are_found_without_accents(
    prefect_harness: object,
    local_server: LocalServer,
    configure: Callable[..., None],
    database_url: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    serve_vnexpress(local_server)
    configure(
        database_url=database_url,
        host_map=local_server.host_map(HOST),
        politeness={"min_delay_seconds": 0.01, "outlet_delays": {"vnexpress": 0.01}},
    )
    [row] = asyncio.run(monitor(outlets=["vnexpress"]))
    assert (row["stored"], row["diplomacy"], row["errors"]) == (2, 1, 0)

    [hit] = search_json(capsys, "pho thu tuong tiep dai su hoa ky")
    assert hit["title"] == DIPLOMACY_ARTICLE.title
    assert hit["url"] == f"https://{HOST}{DIPLOMACY_ARTICLE.path}"
    assert (hit["is_diplomacy"], hit["partners"]) == (True, ["US"])

    everything = search_json(capsys, "Việt Nam")
    assert {h["title"] for h in everything} == {DIPLOMACY_ARTICLE.title, SPORT_ARTICLE.title}
    [diplomacy] = search_json(capsys, "viet nam", "--diplomacy", "--outlet", "vnexpress")
    assert diplomacy["title"] == DIPLOMACY_ARTICLE.title
    [sport] = search_json(capsys, "my dinh", "--since", "2026-11-23")
    assert sport["title"] == SPORT_ARTICLE.title
    snippet, spans = str(sport["snippet"]), sport["snippet_highlights"]
    assert isinstance(spans, list)
    assert [snippet[s:e] for s, e in spans] == ["Mỹ", "Đình"]
    assert search_json(capsys, "my dinh", "--since", "2026-11-24") == []

    # A second run stores nothing twice, so nothing is found twice.
    asyncio.run(monitor(outlets=["vnexpress"]))
    assert len(search_json(capsys, "viet nam")) == 2
