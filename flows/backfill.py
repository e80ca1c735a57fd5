"""The ``backfill`` flow: crawl news sitemaps and listing pages for a date range.

Recipe for an outlet:
1. sitemaps: read each of the outlet's sitemaps; follow a sitemap index into the child
   sitemaps whose ``lastmod`` is not before the range (or that have none), two levels deep;
   keep the article URLs whose publication date (``news:publication_date``, else
   ``lastmod``) is in the range, and those without a date;
2. listing pages: the article links of each listing page (URL pattern of the registry);
3. drop the URLs already stored, fetch the rest politely (newest first, at most
   ``max_articles`` per outlet), parse, classify and store them as the monitor does.
A backfill is not a monitor run: it leaves the outlet's health and error streak alone.

Sitemaps and listing pages are read here with the standard library's XML parser and
selectolax until ``parsers`` offers sitemap and listing parsers of its own.
"""

from __future__ import annotations

import asyncio
import logging
import xml.etree.ElementTree as ET
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any

from prefect import flow, task
from prefect.artifacts import acreate_markdown_artifact
from prefect.cache_policies import NONE
from selectolax.lexbor import LexborHTMLParser

from crawler.client import Crawler, FetchError
from flows.hostlimits import crawler_factory
from flows.monitoring import crawler_config, fetch_and_store, outlet_delay
from flows.reparse import day_range
from flows.settings import Settings, get_settings
from parsers.dates import parse_date
from parsers.registry import is_article_url, outlet_by_key
from parsers.urls import normalize_url
from records import VIETNAM_TZ, Outlet
from storage.db import Database
from storage.repository import OutletCounters, known_url_keys

log = logging.getLogger("diplowatch.backfill")

MAX_CHILD_SITEMAPS = 50
SITEMAP_ACCEPT = "application/xml,text/xml;q=0.9,*/*;q=0.5"


@dataclass(frozen=True)
class SitemapEntry:
    url: str
    when: datetime | None


@dataclass
class Sitemap:
    urls: list[SitemapEntry] = field(default_factory=list)
    children: list[SitemapEntry] = field(default_factory=list)  # a sitemap index's sitemaps


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1].lower()


def _when(text: str | None) -> datetime | None:
    if not text or not text.strip():
        return None
    value = text.strip()
    if len(value) == 10:  # W3C date only: the day in Asia/Ho_Chi_Minh
        try:
            return datetime.combine(date.fromisoformat(value), time(), tzinfo=VIETNAM_TZ)
        except ValueError:
            return None
    return parse_date(value)


def parse_sitemap(body: bytes) -> Sitemap:
    """A sitemap (``urlset``, with or without Google News tags) or a sitemap index.

    Python's expat refuses external entities and caps entity expansion; the body is
    already capped in size by the crawler.
    """
    root = ET.fromstring(body)  # noqa: S314 - see the docstring
    found = Sitemap()
    for node in root:
        kind = _local(node.tag)
        if kind not in ("url", "sitemap"):
            continue
        loc = lastmod = published = None
        for child in node.iter():
            name = _local(child.tag)
            if name == "loc" and loc is None:
                loc = (child.text or "").strip()
            elif name == "lastmod":
                lastmod = child.text
            elif name == "publication_date":
                published = child.text
        if not loc:
            continue
        entry = SitemapEntry(loc, _when(published) or _when(lastmod))
        (found.urls if kind == "url" else found.children).append(entry)
    return found


def listing_links(html: str, base_url: str, outlet: Outlet) -> list[str]:
    """The outlet's article URLs linked from a listing page, in page order."""
    links: dict[str, None] = {}
    for node in LexborHTMLParser(html).css("a[href]"):
        href = node.attributes.get("href") or ""
        try:
            url = normalize_url(href, base_url)
        except ValueError:
            continue
        if is_article_url(outlet, url):
            links[url] = None
    return list(links)


def in_range(moment: datetime | None, start: datetime | None, end: datetime | None) -> bool:
    if moment is None:
        return True
    return (start is None or moment >= start) and (end is None or moment < end)


async def sitemap_candidates(
    outlet: Outlet,
    settings: Settings,
    crawler: Crawler,
    start: datetime | None,
    end: datetime | None,
    counters: OutletCounters,
) -> list[SitemapEntry]:
    """Step 1: article URLs of the outlet's sitemaps in the range."""
    found: list[SitemapEntry] = []
    queue = [(url, 0) for url in outlet.sitemaps]
    children_read = 0
    while queue:
        url, depth = queue.pop(0)
        try:
            fetched = await crawler.fetch(
                url, min_delay=outlet_delay(outlet, settings), accept=SITEMAP_ACCEPT
            )
            sitemap = parse_sitemap(fetched.body)
        except (FetchError, ET.ParseError) as error:
            counters.error(f"{outlet.key}: sitemap {url}: {error}")
            continue
        found += [entry for entry in sitemap.urls if in_range(entry.when, start, end)]
        for child in sitemap.children:
            fresh = child.when is None or start is None or child.when >= start
            if depth < 2 and fresh and children_read < MAX_CHILD_SITEMAPS:
                children_read += 1
                queue.append((child.url, depth + 1))
    return found


async def listing_candidates(
    outlet: Outlet, settings: Settings, crawler: Crawler, counters: OutletCounters
) -> list[str]:
    """Step 2: article URLs linked from the outlet's listing pages."""
    urls: list[str] = []
    for page in outlet.listing_pages:
        try:
            fetched = await crawler.fetch(page, min_delay=outlet_delay(outlet, settings))
        except FetchError as error:
            counters.error(f"{outlet.key}: listing {page}: {error}")
            continue
        urls += listing_links(fetched.text or "", fetched.final_url, outlet)
    return urls


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
    async with crawler_factory(settings)(crawler_config(settings)) as crawler:
        entries = await sitemap_candidates(outlet, settings, crawler, start, end, counters)
        entries.sort(key=lambda e: e.when or datetime.max.replace(tzinfo=UTC), reverse=True)
        urls: dict[str, None] = {}
        for entry in entries:
            try:
                url = normalize_url(entry.url)
            except ValueError:
                continue
            if is_article_url(outlet, url):
                urls[url] = None
        for url in await listing_candidates(outlet, settings, crawler, counters):
            urls.setdefault(url, None)
        counters.discovered = len(urls)
        with db.session() as session:
            seen = known_url_keys(session, list(urls))
        new = [url for url in urls if url not in seen]
        counters.new = len(new)
        await asyncio.gather(
            *(
                fetch_and_store(url, outlet, settings, crawler, db, counters)
                for url in new[:max_articles]
            )
        )
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
