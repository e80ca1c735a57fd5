"""Discovery beyond feeds: news sitemaps, sitemap indexes and listing (section) pages.

- ``parse_sitemap(body, base_url)``: a ``<urlset>`` (Google News sitemaps included: the
  ``news:publication_date`` and ``news:title`` of each ``<url>``), a ``<sitemapindex>`` (its
  child sitemaps, newest first), a gzipped sitemap, or an RSS/Atom document served as a
  sitemap (VnExpress's ``/sitemap/news.rss``), which goes to ``parsers.feeds``.
- ``listing_links(html, base_url, outlet)``: the article links of a section page, in page
  order, with the link text as title.
- ``article_entries(outlet, entries)``: only what is an article of the outlet, by URL alone
  (its own hosts and its article URL pattern), normalised and without repeats.

Safety as for feeds: a document declaring XML entities is refused, a gzip body is inflated
only up to ``MAX_SITEMAP_BYTES``.
"""

from __future__ import annotations

import gzip
import io
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from selectolax.lexbor import LexborHTMLParser

from parsers.dates import parse_date
from parsers.errors import FeedError, SitemapError
from parsers.feeds import parse_feed
from parsers.registry import is_article_url
from parsers.text import clean_text, node_text
from parsers.urls import normalize_url
from records import FeedEntry, Outlet

__all__ = [
    "Sitemap", "SitemapError", "article_entries", "listing_links", "parse_sitemap",
]

MAX_SITEMAP_BYTES = 50_000_000  # the sitemaps protocol's own limit, uncompressed
_ENTITY_DECLARATION = re.compile(rb"<!ENTITY", re.IGNORECASE)
_FEED_ROOTS = frozenset({"rss", "feed", "RDF"})


@dataclass(frozen=True, slots=True)
class ChildSitemap:
    url: str
    lastmod: datetime | None = None


@dataclass(frozen=True, slots=True)
class Sitemap:
    """What one sitemap document lists: article candidates, or other sitemaps (an index)."""

    entries: list[FeedEntry] = field(default_factory=list)
    sitemaps: list[ChildSitemap] = field(default_factory=list)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _child_text(element: ET.Element, *path: str) -> str | None:
    """Text of the first descendant following local names ``path`` (namespaces ignored)."""
    current: ET.Element | None = element
    for name in path:
        if current is None:
            return None
        current = next((c for c in current if _local(c.tag) == name), None)
    text = current.text if current is not None else None
    return clean_text(text) or None


def _inflate(data: bytes, base_url: str) -> bytes:
    if not data.startswith(b"\x1f\x8b"):
        return data
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as stream:
            inflated = stream.read(MAX_SITEMAP_BYTES + 1)
    except (OSError, EOFError) as error:
        raise SitemapError(f"{base_url}: unreadable gzip sitemap: {error}") from None
    if len(inflated) > MAX_SITEMAP_BYTES:
        raise SitemapError(f"{base_url}: sitemap larger than {MAX_SITEMAP_BYTES} bytes")
    return inflated


def _url(raw: str | None, base_url: str) -> str | None:
    if not raw:
        return None
    try:
        return normalize_url(raw, base_url)
    except ValueError:
        return None


def parse_sitemap(
    body: bytes | str, base_url: str, *, now: datetime | None = None
) -> Sitemap:
    """The entries (or child sitemaps) of a sitemap fetched from ``base_url``.

    Raises SitemapError when the document is neither a sitemap nor a feed, declares XML
    entities, or is a broken gzip file. Dates after ``now`` (default: the clock) are dropped.
    """
    data = _inflate(body.encode("utf-8") if isinstance(body, str) else body, base_url)
    if not data.strip():
        raise SitemapError(f"{base_url}: empty document, not a sitemap")
    if _ENTITY_DECLARATION.search(data[:65536]):
        raise SitemapError(f"{base_url}: document declares XML entities; refused")
    try:
        root = ET.fromstring(data)  # noqa: S314 - entity declarations are refused above
    except ET.ParseError as error:
        raise SitemapError(f"{base_url}: not a sitemap (XML error: {error})") from None
    kind = _local(root.tag)
    if kind in _FEED_ROOTS:
        try:
            return Sitemap(entries=parse_feed(data, base_url))
        except FeedError as error:
            raise SitemapError(str(error)) from None
    if kind == "sitemapindex":
        children = [
            ChildSitemap(url, parse_date(_child_text(item, "lastmod"), now=now))
            for item in root if _local(item.tag) == "sitemap"
            if (url := _url(_child_text(item, "loc"), base_url))
        ]
        oldest = datetime.min.replace(tzinfo=UTC)
        children.sort(key=lambda child: child.lastmod or oldest, reverse=True)
        return Sitemap(sitemaps=children)
    if kind != "urlset":
        raise SitemapError(f"{base_url}: not a sitemap (root element <{kind}>)")
    entries = []
    for item in root:
        if _local(item.tag) != "url":
            continue
        url = _url(_child_text(item, "loc"), base_url)
        if url is None:
            continue
        published = parse_date(_child_text(item, "news", "publication_date"), now=now)
        entries.append(FeedEntry(
            url=url,
            title=_child_text(item, "news", "title"),
            published_at=published or parse_date(_child_text(item, "lastmod"), now=now),
        ))
    return Sitemap(entries=entries)


def listing_links(html: str | bytes, base_url: str, outlet: Outlet) -> list[FeedEntry]:
    """Article links of a listing page of ``outlet``, in page order, each once."""
    tree: Any = LexborHTMLParser(html)
    base = tree.css_first("base[href]")
    if base is not None:
        base_url = _url(base.attributes.get("href"), base_url) or base_url
    titles: dict[str, str | None] = {}
    for anchor in tree.css("a[href]"):
        url = _url(anchor.attributes.get("href"), base_url)
        if url is None or not is_article_url(outlet, url):
            continue
        title = node_text(anchor) or clean_text(anchor.attributes.get("title")) or None
        if titles.get(url) is None:  # a thumbnail link first, its headline link later
            titles[url] = title
    return [FeedEntry(url=url, title=title) for url, title in titles.items()]


def article_entries(outlet: Outlet, entries: list[FeedEntry]) -> list[FeedEntry]:
    """The entries that are articles of ``outlet`` by URL alone, normalised, first of each."""
    kept: dict[str, FeedEntry] = {}
    for entry in entries:
        url = _url(entry.url, entry.url)
        if url is None or url in kept or not is_article_url(outlet, url):
            continue
        kept[url] = entry if entry.url == url else FeedEntry(
            url=url, title=entry.title, published_at=entry.published_at, summary=entry.summary
        )
    return list(kept.values())
