"""The records that travel between stages (see DESIGN.md, "Records that travel").

Plain frozen dataclasses with no behaviour beyond (de)serialisation helpers. Every stage may
import this package; it imports no other package of ours. Times are timezone-aware;
text is Unicode NFC (the parsers and analysis guarantee it, this module does not check).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any, Literal
from zoneinfo import ZoneInfo

VIETNAM_TZ = ZoneInfo("Asia/Ho_Chi_Minh")

EventKind = Literal[
    "reception", "call", "visit", "talks", "conference", "agreement", "statement", "other"
]
EVENT_KINDS: tuple[EventKind, ...] = (
    "reception",
    "call",
    "visit",
    "talks",
    "conference",
    "agreement",
    "statement",
    "other",
)


def to_vietnam_iso(moment: datetime | None) -> str | None:
    """ISO 8601 in Asia/Ho_Chi_Minh (``2025-09-29T17:30:00+07:00``), or None."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        raise ValueError(f"naive datetime {moment!r}: times must be timezone-aware")
    return moment.astimezone(VIETNAM_TZ).isoformat()


@dataclass(frozen=True, slots=True)
class Outlet:
    """A news outlet we watch: where to discover articles and how politely to fetch."""

    key: str  # ascii slug, e.g. "vnexpress"
    name: str
    domains: tuple[str, ...]  # registrable hosts, e.g. ("vnexpress.net",)
    feeds: tuple[str, ...] = ()
    sitemaps: tuple[str, ...] = ()
    listing_pages: tuple[str, ...] = ()
    article_url_pattern: str = ""  # regular expression matched against the full URL
    parser: str = "generic"  # key of the article parser in parsers.registry
    min_delay_seconds: float = 1.0  # politeness: minimum delay between requests per host

    def owns_host(self, host: str) -> bool:
        host = host.lower().rstrip(".")
        return any(host == d or host.endswith("." + d) for d in self.domains)


@dataclass(frozen=True, slots=True)
class Fetched:
    """One HTTP exchange as the crawler saw it (after redirects and decoding of gzip)."""

    url: str
    final_url: str
    status: int
    headers: dict[str, str]
    body: bytes
    fetched_at: datetime
    text: str | None = None  # body decoded with the detected charset, when it is text
    charset: str | None = None

    @property
    def not_modified(self) -> bool:
        return self.status == 304


@dataclass(frozen=True, slots=True)
class FeedEntry:
    """One item of a feed, sitemap or listing page: a candidate article URL."""

    url: str
    title: str | None = None
    published_at: datetime | None = None
    summary: str | None = None


@dataclass(frozen=True, slots=True)
class Image:
    url: str
    caption: str | None = None


@dataclass(frozen=True, slots=True)
class Article:
    """An article as extracted from one page."""

    outlet: str  # outlet key, or "" when no registry outlet owns the URL
    url: str
    canonical_url: str | None
    title: str
    sapo: str | None
    paragraphs: tuple[str, ...]
    authors: tuple[str, ...] = ()
    published_at: datetime | None = None
    updated_at: datetime | None = None
    section: str | None = None
    tags: tuple[str, ...] = ()
    images: tuple[Image, ...] = ()
    credited_source: str | None = None
    extraction_method: str = ""  # e.g. "vnexpress", "generic", "trafilatura", "title-and-lead"
    # Why each extractor tried before the winner lost, e.g. "generic: lead only (...)".
    extraction_notes: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        """Body text: the paragraphs joined by blank lines."""
        return "\n\n".join(self.paragraphs)

    def to_json(self) -> dict[str, Any]:
        """The JSON shape of ``diplowatch parse`` (times in Asia/Ho_Chi_Minh)."""
        return {
            "outlet": self.outlet,
            "url": self.url,
            "canonical_url": self.canonical_url,
            "title": self.title,
            "sapo": self.sapo,
            "paragraphs": list(self.paragraphs),
            "authors": list(self.authors),
            "published_at": to_vietnam_iso(self.published_at),
            "updated_at": to_vietnam_iso(self.updated_at),
            "section": self.section,
            "tags": list(self.tags),
            "images": [asdict(image) for image in self.images],
            "credited_source": self.credited_source,
            "extraction_method": self.extraction_method,
            "extraction_notes": list(self.extraction_notes),
        }


@dataclass(frozen=True, slots=True)
class Person:
    name: str
    title: str | None = None


@dataclass(frozen=True, slots=True)
class Verdict:
    """What analysis concluded about one article, and why."""

    is_diplomacy: bool
    score: float  # 0..1
    partners: tuple[str, ...] = ()  # ISO 3166 alpha-2 codes, or "ASEAN", "EU", "UN"
    event: EventKind | None = None
    topics: tuple[str, ...] = ()
    people: tuple[Person, ...] = ()
    evidence: tuple[str, ...] = ()
    model_version: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "is_diplomacy": self.is_diplomacy,
            "score": round(self.score, 4),
            "partners": list(self.partners),
            "event": self.event,
            "topics": list(self.topics),
            "people": [asdict(person) for person in self.people],
            "evidence": list(self.evidence),
            "model_version": self.model_version,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Verdict:
        return cls(
            is_diplomacy=bool(data["is_diplomacy"]),
            score=float(data["score"]),
            partners=tuple(data.get("partners", ())),
            event=data.get("event"),
            topics=tuple(data.get("topics", ())),
            people=tuple(Person(**person) for person in data.get("people", ())),
            evidence=tuple(data.get("evidence", ())),
            model_version=str(data.get("model_version", "")),
        )


@dataclass(frozen=True, slots=True)
class DigestEntry:
    """One article of a digest, with its verdict, as the digest stage receives it."""

    outlet: str
    outlet_name: str
    url: str
    title: str
    sapo: str | None
    published_at: datetime | None
    verdict: Verdict


@dataclass(frozen=True, slots=True)
class Digest:
    """One digest for one watch profile and one day."""

    profile: str
    day: str  # YYYY-MM-DD, the day in Asia/Ho_Chi_Minh the digest is for
    window_start: datetime
    window_end: datetime
    entries: tuple[DigestEntry, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class RobotsRecord:
    """One origin's robots.txt as last seen: what a ``RobotsStore`` keeps between runs.

    ``status`` is None after a network failure. ``fetched_at`` is when ``body`` was fetched
    or last confirmed by a 304; ``expires_at`` is when to ask the origin again.
    """

    origin: str
    status: int | None
    body: bytes
    fetched_at: datetime
    expires_at: datetime
    etag: str | None = None
    last_modified: str | None = None

    @property
    def succeeded(self) -> bool:
        """A 2xx answer: ``body`` holds the rules."""
        return self.status is not None and 200 <= self.status < 300

    def fresh(self, now: datetime) -> bool:
        return now < self.expires_at
