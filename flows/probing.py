"""``diplowatch outlets --probe``, the I/O: ask every registry source once, politely, then
fetch and parse one recent article per outlet; record what answered; mail the operator.

The crawler does the asking (robots.txt obeyed, the settings' user agent, the outlet's delay
between requests to a host, redirects confined to the outlet's hosts), with no retries (each
source is asked once) and no archive; ``parsers`` read the answers as the monitor reads them
(``parse_feed``, ``parse_sitemap`` following the newest child of an index, ``listing_links``,
``parse_article``); ``flows.probe_report`` judges them.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Sequence
from datetime import UTC, datetime
from urllib.parse import urlsplit

from crawler.client import Crawler, FetchError
from digest.send import SendError, send_digest
from flows.digesting import smtp_config
from flows.monitoring import crawler_config, outlet_delay, parse_fetched
from flows.probe_report import (
    ArticleProbe,
    EndpointProbe,
    OutletProbe,
    changes,
    judge_endpoint,
    render_probe_mail,
)
from flows.settings import Settings
from parsers.article import ParseError
from parsers.discovery import SitemapError, listing_links, parse_sitemap
from parsers.feeds import FeedError, parse_feed
from parsers.provenance import provenance
from parsers.registry import is_article_url
from records import FeedEntry, Fetched, Outlet
from storage.db import Database
from storage.probes import ProbeRecord, record_probe, source_rows

log = logging.getLogger("diplowatch.probe")


def sources(outlet: Outlet) -> list[tuple[str, str]]:
    """(kind, URL) of every discovery source of the outlet, in registry order."""
    return [
        *(("feed", url) for url in outlet.feeds),
        *(("sitemap", url) for url in outlet.sitemaps),
        *(("listing", url) for url in outlet.listing_pages),
    ]


class UnreadableError(Exception):
    """The source answered with something that is not what it should serve."""


async def _get(crawler: Crawler, outlet: Outlet, url: str, settings: Settings) -> Fetched:
    return await crawler.fetch(
        url, min_delay=outlet_delay(outlet, settings), allowed_domains=outlet.domains
    )


async def _entries(
    kind: str, fetched: Fetched, outlet: Outlet, crawler: Crawler, settings: Settings,
    now: datetime,
) -> tuple[list[FeedEntry], str | None]:
    """The items of an answer, and a note (a sitemap index: which child was read)."""
    try:
        if kind == "feed":
            return parse_feed(fetched.body, fetched.final_url, now=now), None
        if kind == "listing":
            page = fetched.text if fetched.text is not None else fetched.body
            return listing_links(page, fetched.final_url, outlet), None
        sitemap = parse_sitemap(fetched.body, fetched.final_url, now=now)
        own = [c for c in sitemap.sitemaps if outlet.owns_host(urlsplit(c.url).hostname or "")]
        if not sitemap.sitemaps:
            return sitemap.entries, None
        if not own:
            return [], f"index of {len(sitemap.sitemaps)} sitemaps, none on the outlet's hosts"
        child = await _get(crawler, outlet, own[0].url, settings)
        entries = parse_sitemap(child.body, child.final_url, now=now).entries
        return entries, f"index of {len(sitemap.sitemaps)} sitemaps; read {own[0].url}"
    except (FeedError, SitemapError) as error:
        raise UnreadableError(str(error)) from error


async def probe_source(
    outlet: Outlet, kind: str, url: str, settings: Settings, crawler: Crawler, now: datetime
) -> tuple[EndpointProbe, list[FeedEntry]]:
    """Ask one source once; its judged answer and its article entries."""
    base = EndpointProbe(outlet.key, kind, url, str(provenance(url)), outcome="dead")
    try:
        fetched = await _get(crawler, outlet, url, settings)
        entries, note = await _entries(kind, fetched, outlet, crawler, settings, now)
    except FetchError as error:
        outcome = judge_endpoint(
            status=error.status, error=error.reason, matching=None, newest_at=None, now=now
        )
        detail = str(error).replace(f"{url}: ", "")
        return dataclasses.replace(base, outcome=outcome, status=error.status, detail=detail), []
    except UnreadableError as error:
        detail = str(error).replace(f"{fetched.final_url}: ", "")
        return dataclasses.replace(
            base, status=fetched.status, final_url=fetched.final_url, detail=detail
        ), []
    articles = [entry for entry in entries if is_article_url(outlet, entry.url)]
    dates = [entry.published_at for entry in entries if entry.published_at is not None]
    newest = max(dates) if dates else None
    outcome = judge_endpoint(
        status=fetched.status, error=None, matching=len(articles), newest_at=newest, now=now
    )
    endpoint = dataclasses.replace(
        base, outcome=outcome, status=fetched.status, final_url=fetched.final_url,
        items=len(entries), matching=len(articles), newest_at=newest, detail=note,
    )  # fmt: skip
    return endpoint, articles


def recent_article(entries: Sequence[FeedEntry]) -> FeedEntry | None:
    """The newest dated entry, else the first listed."""
    if not entries:
        return None
    oldest = datetime.min.replace(tzinfo=UTC)
    dated = [entry for entry in entries if entry.published_at is not None]
    return max(dated, key=lambda e: e.published_at or oldest) if dated else entries[0]


async def probe_article(
    outlet: Outlet, url: str, settings: Settings, crawler: Crawler
) -> ArticleProbe:
    try:
        fetched = await _get(crawler, outlet, url, settings)
        article = parse_fetched(fetched)
    except (FetchError, ParseError) as error:
        return ArticleProbe(url, ok=False, detail=str(error).replace(f"{url}: ", ""))
    return ArticleProbe(
        url, ok=True, method=article.extraction_method, words=len(article.text.split()),
        published_at=article.published_at, authors=article.authors,
    )  # fmt: skip


async def probe_outlet(
    outlet: Outlet, settings: Settings, crawler: Crawler, now: datetime
) -> OutletProbe:
    endpoints: list[EndpointProbe] = []
    found: list[FeedEntry] = []
    for kind, url in sources(outlet):
        endpoint, entries = await probe_source(outlet, kind, url, settings, crawler, now)
        endpoints.append(endpoint)
        if endpoint.outcome in ("live", "stale"):
            found += entries
    candidate = recent_article(found)
    article = (
        await probe_article(outlet, candidate.url, settings, crawler) if candidate else None
    )
    return OutletProbe(outlet.key, tuple(endpoints), article)


async def probe_outlets(outlets: Sequence[Outlet], settings: Settings) -> list[OutletProbe]:
    """Every source of every outlet asked once (outlets at once, each outlet's in turn)."""
    now = datetime.now(UTC)
    config = dataclasses.replace(crawler_config(settings, archive=False), max_retries=0)
    async with Crawler(config) as crawler:
        return list(
            await asyncio.gather(
                *(probe_outlet(outlet, settings, crawler, now) for outlet in outlets)
            )
        )


def record_probes(db: Database, probes: Sequence[OutletProbe]) -> list[str]:
    """Store each source's answer; returns what changed since the previous probe."""
    now = datetime.now(UTC)
    urls = [endpoint.url for probe in probes for endpoint in probe.endpoints]
    with db.session() as session:
        previous = {url: row.outcome for url, row in source_rows(session, urls).items()}
        for probe in probes:
            for e in probe.endpoints:
                record_probe(session, ProbeRecord(
                    url=e.url, outlet_key=e.outlet_key, kind=e.kind, outcome=e.outcome,
                    status=e.status, final_url=e.final_url, items=e.items, matching=e.matching,
                    newest_at=e.newest_at, detail=e.detail,
                ), now)  # fmt: skip
    return changes(previous, probes)


def mail_probe_report(
    probes: Sequence[OutletProbe], changed: Sequence[str], settings: Settings
) -> str | None:
    """Mail the table to the operator (``alerts.recipients``) when something changed;
    the message id, or None when nothing changed, nothing is configured, or sending failed."""
    if not changed:
        return None
    config = smtp_config(settings)
    if config is None or not settings.alerts.recipients:
        log.warning("probe report not mailed: set alerts.recipients and smtp.host")
        return None
    try:
        sent = send_digest(render_probe_mail(probes, changed), settings.alerts.recipients, config)
    except SendError as error:
        log.error("could not mail the probe report: %s", error)
        return None
    return sent.message_id
