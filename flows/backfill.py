"""The ``backfill`` flow: crawl news sitemaps and listing pages for a date range.

Recipe for an outlet:
1. sitemaps: read each of the outlet's sitemaps (``parsers.discovery.parse_sitemap``, the
   parser the monitor uses); follow a sitemap index into the child sitemaps on the outlet's
   own hosts whose ``lastmod`` is not before the range (or that have none), two levels deep,
   never to another host; keep the article URLs whose publication date
   (``news:publication_date``, else ``lastmod``) is in the range, and those without a date;
2. listing pages: the article links of each listing page (``listing_links``);
3. keep only the outlet's article URLs (``article_entries``: its own hosts, its URL pattern),
   drop those already stored, and fetch the rest politely (newest first, at most
   ``max_articles`` per outlet) with a bounded pool of workers, one per connection the
   politeness settings allow a host: only the pages in flight are in memory, whatever the
   size of the range. Each page is parsed, classified, stored and filed in its story as the
   monitor does (``flows.monitoring.fetch_and_store``).
Every fetch is confined to the outlet's domains (redirects included).
A backfill is not a monitor run: it leaves the outlet's health and error streak alone.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import asdict
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import urlsplit

from prefect import flow, task
from prefect.artifacts import acreate_markdown_artifact
from prefect.cache_policies import NONE

from crawler.client import Crawler, FetchError
from flows.hostlimits import crawler_factory
from flows.monitoring import crawler_config, fetch_and_store, outlet_delay
from flows.reparse import day_range
from flows.settings import Settings, get_settings
from parsers.discovery import SitemapError, article_entries, listing_links, parse_sitemap
from parsers.registry import outlet_by_key
from records import FeedEntry, Outlet
from storage.db import Database
from storage.repository import OutletCounters, known_url_keys

log = logging.getLogger("diplowatch.backfill")

MAX_CHILD_SITEMAPS = 50  # per outlet and backfill, over every index
MAX_DEPTH = 2  # an index of indexes of sitemaps, no deeper
SITEMAP_ACCEPT = "application/xml,text/xml;q=0.9,*/*;q=0.5"
UNDATED = datetime.max.replace(tzinfo=UTC)  # sorts an undated sitemap entry first


def in_range(moment: datetime | None, start: datetime | None, end: datetime | None) -> bool:
    """Whether ``moment`` falls in [start, end) (an open side when None); undated: yes."""
    if moment is None:
        return True
    return (start is None or moment >= start) and (end is None or moment < end)


def _reason(error: Exception, *urls: str) -> str:
    """The error's message without the URL it starts with (the caller names the URL)."""
    text = str(error)
    for url in urls:
        if text.startswith(f"{url}: "):
            return text[len(url) + 2 :]
    return text


async def sitemap_candidates(
    outlet: Outlet,
    settings: Settings,
    crawler: Crawler,
    start: datetime | None,
    end: datetime | None,
    counters: OutletCounters,
) -> list[tuple[datetime, str]]:
    """Step 1: the outlet's article URLs of its sitemaps in the range, each with its date
    (``UNDATED`` for none) and nothing else: the titles are not kept."""
    found: list[tuple[datetime, str]] = []
    queue = [(url, 0) for url in outlet.sitemaps]
    children_read = 0
    while queue:
        url, depth = queue.pop(0)
        try:
            fetched = await crawler.fetch(
                url,
                min_delay=outlet_delay(outlet, settings),
                accept=SITEMAP_ACCEPT,
                allowed_domains=outlet.domains,
            )
            sitemap = parse_sitemap(fetched.body, fetched.final_url)
        except FetchError as error:
            counters.error(f"{outlet.key}: sitemap {url}: {_reason(error, url)}")
            continue
        except SitemapError as error:
            counters.error(f"{outlet.key}: sitemap {url}: {_reason(error, fetched.final_url)}")
            continue
        in_days = [e for e in sitemap.entries if in_range(e.published_at, start, end)]
        found += [(e.published_at or UNDATED, e.url) for e in article_entries(outlet, in_days)]
        for child in sitemap.sitemaps:
            if not outlet.owns_host(urlsplit(child.url).hostname or ""):
                log.warning("%s: sitemap %s: not following %s (another host)",
                            outlet.key, url, child.url)  # fmt: skip
                continue
            fresh = child.lastmod is None or start is None or child.lastmod >= start
            if depth < MAX_DEPTH and fresh and children_read < MAX_CHILD_SITEMAPS:
                children_read += 1
                queue.append((child.url, depth + 1))
    return found


async def listing_candidates(
    outlet: Outlet, settings: Settings, crawler: Crawler, counters: OutletCounters
) -> list[str]:
    """Step 2: the outlet's article URLs linked from its listing pages, in page order."""
    found: list[FeedEntry] = []
    for page in outlet.listing_pages:
        try:
            fetched = await crawler.fetch(
                page, min_delay=outlet_delay(outlet, settings), allowed_domains=outlet.domains
            )
        except FetchError as error:
            counters.error(f"{outlet.key}: listing {page}: {_reason(error, page)}")
            continue
        html = fetched.text if fetched.text is not None else fetched.body
        found += listing_links(html, fetched.final_url, outlet)
    return [entry.url for entry in article_entries(outlet, found)]


async def run_pool(
    urls: Iterable[str], workers: int, work: Callable[[str], Awaitable[object]]
) -> None:
    """``work`` on each of ``urls`` by ``workers`` coroutines sharing one iterator: at most
    ``workers`` items are in flight, and nothing a call returns is kept. An exception other
    than those ``work`` handles itself cancels the other workers and propagates."""
    shared = iter(urls)

    async def worker() -> None:
        for url in shared:  # next() runs between awaits: each URL goes to one worker
            await work(url)

    try:
        async with asyncio.TaskGroup() as group:
            for _ in range(max(1, workers)):
                group.create_task(worker())
    except BaseExceptionGroup as failed:
        raise failed.exceptions[0] from None  # the first failure; the others were cancelled


async def backfill_outlet(
    outlet: Outlet,
    settings: Settings,
    db: Database,
    *,
    since: date,
    until: date | None,
    max_articles: int,
) -> OutletCounters:
    """Steps 1 to 3 for one outlet; its own faults are counted, never raised."""
    counters = OutletCounters(outlet_key=outlet.key)
    start, end = day_range(since, until)
    async with crawler_factory(settings, db)(crawler_config(settings)) as crawler:
        dated = await sitemap_candidates(outlet, settings, crawler, start, end, counters)
        dated.sort(key=lambda pair: pair[0], reverse=True)  # newest first, undated before
        listed = await listing_candidates(outlet, settings, crawler, counters)
        urls = list(dict.fromkeys([url for _, url in dated] + listed))  # strings from here on
        del dated, listed
        counters.discovered = len(urls)
        with db.session() as session:
            seen = known_url_keys(session, urls)
        new = [url for url in urls if url not in seen]
        del urls, seen
        counters.new = len(new)
        del new[max_articles:]

        async def store(url: str) -> None:
            await fetch_and_store(url, outlet, settings, crawler, db, counters)

        await run_pool(new, settings.politeness.max_connections_per_host, store)
    log.info(
        "%s: backfill discovered %d, new %d, stored %d, errors %d",
        outlet.key,
        counters.discovered,
        counters.new,
        counters.stored,
        counters.errors,
    )
    return counters


COLUMNS = ("outlet_key", "discovered", "new", "stored", "diplomacy", "errors")


@task(name="backfill-outlet", cache_policy=NONE, persist_result=False, task_run_name="{outlet_key}")
async def backfill_outlet_task(
    outlet_key: str,
    since: date,
    until: date | None,
    max_articles: int,
    database_url: str,
    settings: Settings,
) -> dict[str, Any]:
    db = Database(database_url, run_migrations=False)
    try:
        counters = await backfill_outlet(
            outlet_by_key(outlet_key),
            settings,
            db,
            since=since,
            until=until,
            max_articles=max_articles,
        )
    finally:
        db.dispose()
    return asdict(counters)


@flow(name="backfill", persist_result=False, log_prints=True)
async def backfill(
    since: date,
    until: date | None = None,
    outlets: list[str] | None = None,
    max_articles_per_outlet: int = 500,
    database_url: str | None = None,
) -> list[dict[str, Any]]:
    """Store the articles of [``since``, ``until``] (days in Asia/Ho_Chi_Minh; ``until``
    open when None) found in the sitemaps and listing pages of ``outlets`` (all by default).
    """
    from flows.monitor import select_outlets

    settings = get_settings()
    chosen = select_outlets(outlets)
    url = database_url or settings.resolved_database_url
    Database(url).dispose()  # migrate once
    rows = list(
        await asyncio.gather(
            *(
                backfill_outlet_task(
                    outlet.key, since, until, max_articles_per_outlet, url, settings
                )
                for outlet in chosen
            )
        )
    )
    lines = ["# Backfill", "", "| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    lines += ["| " + " | ".join(str(row[c]) for c in COLUMNS) + " |" for row in rows]
    await acreate_markdown_artifact(key="backfill-summary", markdown="\n".join(lines) + "\n")
    return rows
