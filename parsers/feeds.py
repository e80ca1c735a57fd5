"""RSS 2.0, RSS 1.0 and Atom feeds → ``FeedEntry`` records, with feedparser.

Safety: the document is always handed to feedparser as an in-memory stream, never as a str
or bytes (feedparser treats a str as a URL to fetch or a file to open, and bytes as a file
name). feedparser disables external entities in its SAX parser; on top of that a document
declaring its own entities (``<!ENTITY``, the "billion laughs" shape) is refused before
parsing: no real news feed needs one.

Dates: a pubDate/updated with a zone keeps it; one without (or with the RFC 822 "unknown"
zone -0000) is Asia/Ho_Chi_Minh, the outlets' clock. feedparser's own ``*_parsed`` fields are
only a last resort because they silently read naive times as UTC.
"""

from __future__ import annotations

import calendar
import io
import re
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import feedparser
from selectolax.lexbor import LexborHTMLParser

from parsers.dates import EARLIEST_YEAR, not_in_future, parse_iso
from parsers.errors import FeedError
from parsers.text import clean_text
from parsers.urls import normalize_url
from records import VIETNAM_TZ, FeedEntry

__all__ = ["FeedError", "parse_feed"]

_ENTITY_DECLARATION = re.compile(rb"<!ENTITY", re.IGNORECASE)


def _as_bytes(body: bytes | str) -> bytes:
    return body.encode("utf-8") if isinstance(body, str) else body


def _date(raw: str | None, parsed: Any) -> datetime | None:
    if raw:
        raw = raw.strip()
        try:
            moment = parsedate_to_datetime(raw)
        except (TypeError, ValueError, IndexError):
            moment = None
        if moment is not None:
            # email.utils marks "-0000" (zone unknown) and missing zones as naive.
            return moment if moment.tzinfo else moment.replace(tzinfo=VIETNAM_TZ)
        iso = parse_iso(raw)
        if iso is not None:
            return iso
    if parsed:
        try:
            return datetime.fromtimestamp(calendar.timegm(parsed), UTC)
        except (ValueError, OverflowError, OSError):
            return None  # feedparser's reading of an impossible date ("0000")
    return None


def _usable(moment: datetime | None, now: datetime | None) -> datetime | None:
    """A date that can be true: not a template default (before 1990), not after ``now``."""
    if moment is None or moment.year < EARLIEST_YEAR:
        return None
    return not_in_future(moment, now)


def _summary(entry: Any) -> str | None:
    html = entry.get("summary") or entry.get("description")
    if not html:
        return None
    if "<" in html:
        tree = LexborHTMLParser(html)
        for br in tree.css("br"):
            br.replace_with(" ")
        html = (tree.body or tree.root).text(deep=True, separator=" ") if tree.root else ""
    return clean_text(html) or None


def _link(entry: Any) -> str | None:
    link = (entry.get("link") or "").strip()
    if link:
        return link
    for candidate in entry.get("links") or []:
        if candidate.get("rel", "alternate") == "alternate" and candidate.get("href"):
            return str(candidate["href"]).strip()
    guid = (entry.get("id") or "").strip()
    return guid if guid.startswith(("http://", "https://")) else None


def parse_feed(
    body: bytes | str, base_url: str, *, now: datetime | None = None
) -> list[FeedEntry]:
    """The entries of an RSS/Atom document fetched from ``base_url``, in document order.

    Entry URLs are normalised (``parsers.urls.normalize_url``); entries without a usable
    URL are skipped. Raises FeedError when the document is not a feed at all (HTML, garbage,
    empty) or declares XML entities; a malformed ("bozo") feed that still yields entries is
    accepted. An entry date before 1990 or after ``now`` (default: the clock) is dropped.
    """
    data = _as_bytes(body)
    if not data.strip():
        raise FeedError(f"{base_url}: empty document, not a feed")
    if _ENTITY_DECLARATION.search(data[:65536]):
        raise FeedError(f"{base_url}: document declares XML entities; refused")
    parsed = feedparser.parse(io.BytesIO(data))
    if not parsed.get("version") and not parsed.entries:
        reason = parsed.get("bozo_exception") or "no RSS/Atom root element"
        raise FeedError(f"{base_url}: not an RSS or Atom feed ({reason})")
    entries: list[FeedEntry] = []
    for entry in parsed.entries:
        link = _link(entry)
        if not link:
            continue
        try:
            url = normalize_url(link, base_url)
        except ValueError:
            continue
        published = _usable(
            _date(entry.get("published"), entry.get("published_parsed"))
            or _date(entry.get("updated"), entry.get("updated_parsed")),
            now,
        )
        entries.append(FeedEntry(
            url=url,
            title=clean_text(entry.get("title")) or None,
            published_at=published,
            summary=_summary(entry),
        ))
    return entries
