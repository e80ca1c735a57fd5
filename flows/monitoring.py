"""One monitor pass over one outlet, as plain functions (the Prefect flow wraps them).

Recipe for an outlet:
1. discover: fetch each feed with conditional GET (skipping feeds in back-off), parse entries;
   then the news sitemaps and listing pages the same way, keeping their article URLs only;
2. keep the URLs on the outlet's own hosts, normalised, and drop those already stored; queue
   the new ones and only then record the sources' validators (ETag, Last-Modified), in one
   transaction: a run killed after this point leaves the URLs queued for the next run, one
   killed before it sees the same entries again. Add the URLs queued earlier (beyond a
   run's cap, or failed and past their back-off);
3. fetch the new pages politely and concurrently, parse them (outlet parser → generic →
   title and lead) and classify them;
4. upsert article and verdict together, one transaction per article, and file the article
   in its story (flows.stories.file_in_story) in that same transaction;
5. record the run's counters and the outlet's health.
Every failure is logged with outlet and URL, counted, and left for the next run.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

from analysis.classifier import classify_article
from crawler.client import Crawler, CrawlerConfig, FetchError
from flows.settings import Settings
from flows.stories import file_in_story
from parsers.article import ParseError, fell_back, parse_article
from parsers.discovery import SitemapError, article_entries, listing_links, parse_sitemap
from parsers.feeds import FeedError, parse_feed
from parsers.urls import normalize_url
from records import Article, FeedEntry, Fetched, Outlet, Verdict
from storage.db import Database
from storage.repository import (
    OutletCounters,
    clear_pending_url,
    due_pending_urls,
    fetch_state,
    known_url_keys,
    queue_article_urls,
    record_article_failure,
    record_fetch_failure,
    record_fetch_success,
    record_outlet_run,
    save_verdict,
    upsert_article,
)

log = logging.getLogger("diplowatch.monitor")


def crawler_config(
    settings: Settings, *, replay: tuple[Path, ...] = (), archive: bool = True
) -> CrawlerConfig:
    politeness = settings.politeness
    return CrawlerConfig(
        user_agent=settings.user_agent,
        default_min_delay_seconds=politeness.min_delay_seconds,
        max_connections_per_host=politeness.max_connections_per_host,
        timeout_seconds=politeness.timeout_seconds,
        connect_timeout_seconds=politeness.connect_timeout_seconds,
        max_body_bytes=politeness.max_body_bytes,
        max_redirects=politeness.max_redirects,
        max_retries=politeness.max_retries,
        backoff_seconds=politeness.backoff_seconds,
        respect_robots=politeness.respect_robots,
        allow_private_addresses=settings.allow_private_addresses,
        host_map=dict(settings.host_map),
        warc_dir=settings.resolved_warc_dir if archive and not replay else None,
        replay_warcs=replay,
    )


def outlet_delay(outlet: Outlet, settings: Settings) -> float:
    """The outlet's minimum delay between requests to one host, in seconds."""
    return settings.politeness.outlet_delays.get(outlet.key, outlet.min_delay_seconds)


def candidate_urls(outlet: Outlet, entries: list[FeedEntry]) -> list[str]:
    """Normalised, de-duplicated article URLs of ``entries`` that the outlet itself hosts."""
    urls: dict[str, None] = {}
    for entry in entries:
        try:
            url = normalize_url(entry.url)
        except ValueError:
            continue
        host = urlsplit(url).hostname or ""
        if urlsplit(url).scheme in ("http", "https") and outlet.owns_host(host):
            urls[url] = None
    return list(urls)


SHORT_BODY_WORDS = 80


def count_extraction_health(article: Article, counters: OutletCounters) -> None:
    """Count the signs of a parser that no longer fits its outlet's pages."""
    words = len(article.text.split())
    counters.empty_bodies += int(words == 0)
    counters.short_bodies += int(0 < words < SHORT_BODY_WORDS)
    counters.missing_dates += int(article.published_at is None)
    # The first extractor failed the quality gate and a later one won.
    counters.fallbacks += int(fell_back(article))
    if article.extraction_notes:
        log.warning(
            "%s: %s read by %s after the quality gate: %s", article.outlet, article.url,
            article.extraction_method, "; ".join(article.extraction_notes),
        )


@dataclass(frozen=True)
class StoredArticle:
    url_key: str
    article: Article
    verdict: Verdict


@dataclass(frozen=True)
class SourceAnswer:
    """A feed, sitemap or listing page that answered: its validators are recorded only once
    the article URLs it listed are queued (record_answers), so that a run killed in between
    sees the same entries again instead of a 304 that hides them."""

    url: str
    status: int
    etag: str | None
    last_modified: str | None

    @classmethod
    def of(cls, url: str, fetched: Fetched) -> SourceAnswer:
        return cls(
            url=url,
            status=fetched.status,
            etag=fetched.headers.get("etag"),
            last_modified=fetched.headers.get("last-modified"),
        )


def due_for_fetch(url: str, db: Database, now: datetime) -> tuple[bool, str | None, str | None]:
    """Whether ``url`` is past its back-off, and the validators to send with it."""
    with db.session() as session:
        state = fetch_state(session, url)
        if state is not None and state.next_fetch_at is not None and state.next_fetch_at > now:
            return False, None, None
        return True, state.etag if state else None, state.last_modified if state else None


async def discover(
    outlet: Outlet,
    settings: Settings,
    crawler: Crawler,
    db: Database,
    counters: OutletCounters,
    answers: list[SourceAnswer],
) -> list[FeedEntry]:
    """Steps 1: every feed of the outlet not in back-off, with conditional GET. Each feed
    that answered is appended to ``answers`` (its validators are not recorded yet)."""
    entries: list[FeedEntry] = []
    now = datetime.now(UTC)
    for feed_url in outlet.feeds:
        due, etag, last_modified = due_for_fetch(feed_url, db, now)
        if not due:
            log.info("%s: %s backing off", outlet.key, feed_url)
            continue
        try:
            fetched = await crawler.fetch(
                feed_url,
                etag=etag,
                last_modified=last_modified,
                min_delay=outlet_delay(outlet, settings),
                allowed_domains=outlet.domains,
            )
            found = [] if fetched.not_modified else parse_feed(fetched.body, fetched.final_url)
        except (FetchError, FeedError) as error:
            detail = str(error) if feed_url in str(error) else f"{feed_url}: {error}"
            message = f"{outlet.key}: feed {detail}"
            log.warning(message)
            counters.error(message)
            with db.session() as session:
                record_fetch_failure(
                    session, feed_url, outlet_key=outlet.key, error=str(error), now=now
                )
            continue
        entries.extend(found)
        answers.append(SourceAnswer.of(feed_url, fetched))
    return entries


def record_answers(
    outlet: Outlet, answers: list[SourceAnswer], new_urls: list[str], db: Database
) -> None:
    """Step 2's commit: queue the new article URLs and record the sources' validators in
    one transaction, so that no entry is ever hidden behind a 304 without being queued."""
    now = datetime.now(UTC)
    with db.session() as session:
        queue_article_urls(session, outlet.key, new_urls, now)
        for answer in answers:
            record_fetch_success(
                session,
                answer.url,
                outlet_key=outlet.key,
                status=answer.status,
                etag=answer.etag,
                last_modified=answer.last_modified,
                now=now,
            )


# --- discovery beyond feeds: news sitemaps and listing pages ------------------------------

SITEMAP_MAX_AGE = timedelta(days=2)  # older entries of a news sitemap are not news any more
SITEMAP_CHILDREN = 2  # newest child sitemaps followed from a sitemap index
MAX_SITEMAP_FETCHES = 8  # per outlet and run, indexes and children together


async def fetch_discovery_page(
    url: str,
    outlet: Outlet,
    settings: Settings,
    crawler: Crawler,
    db: Database,
    answers: list[SourceAnswer],
) -> Fetched | None:
    """Conditional GET of a sitemap or listing page, with back-off like the feeds; None when
    it is backing off, not modified, or failed (logged and recorded in its fetch state). An
    answer is appended to ``answers``; its validators are recorded by record_answers."""
    due, etag, last_modified = due_for_fetch(url, db, datetime.now(UTC))
    if not due:
        return None
    try:
        fetched = await crawler.fetch(
            url, etag=etag, last_modified=last_modified, min_delay=outlet_delay(outlet, settings),
            allowed_domains=outlet.domains,
        )
    except FetchError as error:
        record_discovery_failure(url, outlet, db, str(error))
        return None
    answers.append(SourceAnswer.of(url, fetched))
    return None if fetched.not_modified else fetched


def record_discovery_failure(url: str, outlet: Outlet, db: Database, error: str) -> None:
    log.warning("%s: %s: %s", outlet.key, url, error)
    with db.session() as session:
        record_fetch_failure(
            session, url, outlet_key=outlet.key, error=error, now=datetime.now(UTC)
        )


async def discover_pages(
    outlet: Outlet,
    settings: Settings,
    crawler: Crawler,
    db: Database,
    answers: list[SourceAnswer],
) -> list[FeedEntry]:
    """Step 1, after the feeds: the outlet's news sitemaps (following the newest children of
    an index) and its listing pages. Only URLs on the outlet's own hosts that match its
    article URL pattern are kept; sitemap entries older than SITEMAP_MAX_AGE are dropped.

    These sources complement the feeds: a failure is logged and backs the URL off (its fetch
    state), but is not counted among the run's errors.
    """
    now = datetime.now(UTC)
    found: list[FeedEntry] = []
    queue, fetches = list(outlet.sitemaps), 0
    while queue and fetches < MAX_SITEMAP_FETCHES:
        url, fetches = queue.pop(0), fetches + 1
        fetched = await fetch_discovery_page(url, outlet, settings, crawler, db, answers)
        if fetched is None:
            continue
        try:
            sitemap = parse_sitemap(fetched.body, fetched.final_url, now=now)
        except SitemapError as error:
            answers[:] = [answer for answer in answers if answer.url != url]  # not a success
            record_discovery_failure(url, outlet, db, str(error))
            continue
        own = [c.url for c in sitemap.sitemaps if outlet.owns_host(urlsplit(c.url).hostname or "")]
        queue += own[:SITEMAP_CHILDREN]  # never a sitemap on another host
        found += [
            entry for entry in sitemap.entries
            if entry.published_at is None or now - entry.published_at <= SITEMAP_MAX_AGE
        ]
    for url in outlet.listing_pages:
        fetched = await fetch_discovery_page(url, outlet, settings, crawler, db, answers)
        if fetched is not None:
            page = fetched.text if fetched.text is not None else fetched.body
            found += listing_links(page, fetched.final_url, outlet)
    return article_entries(outlet, found)


def parse_fetched(fetched: Fetched) -> Article:
    return parse_article(
        fetched.text if fetched.text is not None else fetched.body, fetched.final_url
    )


async def fetch_and_store(
    url: str,
    outlet: Outlet,
    settings: Settings,
    crawler: Crawler,
    db: Database,
    counters: OutletCounters,
) -> StoredArticle | None:
    """Steps 3 and 4 for one URL; a failure is logged and counted, never raised."""
    try:
        fetched = await crawler.fetch(
            url, min_delay=outlet_delay(outlet, settings), allowed_domains=outlet.domains
        )
        article = parse_fetched(fetched)
    except (FetchError, ParseError) as error:
        detail = str(error) if url in str(error) else f"{url}: {error}"
        message = f"{outlet.key}: {detail}"
        log.warning(message)
        counters.error(message)
        with db.session() as session:
            record_article_failure(
                session, url, outlet_key=outlet.key, error=str(error), now=datetime.now(UTC)
            )
        return None
    if not article.outlet:
        article = replace(article, outlet=outlet.key)
    verdict = classify_article(article)
    with db.session() as session:
        article_id = upsert_article(
            session,
            article,
            url_key=url,
            fetched_at=fetched.fetched_at,
            warc_file=crawler.warc_path,
        )
        save_verdict(session, article_id, verdict)
        file_in_story(session, article_id, article, verdict)  # same transaction, idempotent
        clear_pending_url(session, url)
    counters.stored += 1
    counters.diplomacy += int(verdict.is_diplomacy)
    count_extraction_health(article, counters)
    return StoredArticle(url_key=url, article=article, verdict=verdict)


async def monitor_outlet(
    outlet: Outlet,
    settings: Settings,
    db: Database,
    *,
    replay: tuple[Path, ...] = (),
    make_crawler: Callable[[CrawlerConfig], Crawler] = Crawler,
) -> OutletCounters:
    """One monitor pass over ``outlet``: never raises for the outlet's own faults.

    ``make_crawler`` builds the crawler (flows.hostlimits: politeness across workers).
    Sources dead for a week are left out until a probe sees them answer (flows.deadsources).
    """
    if not replay:
        from flows.deadsources import without_dead_sources

        outlet = without_dead_sources(outlet, db)
    counters = OutletCounters(outlet_key=outlet.key)
    started_at = datetime.now(UTC)
    async with make_crawler(crawler_config(settings, replay=replay)) as crawler:
        answers: list[SourceAnswer] = []
        entries = await discover(outlet, settings, crawler, db, counters, answers)
        entries += await discover_pages(outlet, settings, crawler, db, answers)
        counters.answers = len(answers)
        urls = candidate_urls(outlet, entries)
        counters.discovered = len(urls)
        with db.session() as session:
            seen = known_url_keys(session, urls)
        new_urls = [url for url in urls if url not in seen]
        counters.new = len(new_urls)
        record_answers(outlet, answers, new_urls, db)
        with db.session() as session:
            waiting = due_pending_urls(session, outlet.key, datetime.now(UTC))
        fresh = set(new_urls)
        backlog = [url for url in waiting if url not in fresh]
        cap = settings.max_articles_per_outlet
        to_fetch = list(dict.fromkeys(new_urls[:cap] + backlog[:cap]))
        await asyncio.gather(
            *(fetch_and_store(url, outlet, settings, crawler, db, counters) for url in to_fetch)
        )
    with db.session() as session:
        record_outlet_run(
            session,
            counters,
            outlet_name=outlet.name,
            started_at=started_at,
            finished_at=datetime.now(UTC),
        )
    log.info(
        "%s: discovered %d, new %d, stored %d, diplomacy %d, errors %d",
        outlet.key,
        counters.discovered,
        counters.new,
        counters.stored,
        counters.diplomacy,
        counters.errors,
    )
    return counters
