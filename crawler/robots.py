"""robots.txt: fetched per origin, parsed with protego, cached for a TTL, kept in a store.

Status handling (close to Google's): 2xx → parse; 4xx → allow everything; 5xx, 429 or a
network failure → allow everything but log a warning (we crawl politely anyway, and a flaky
robots.txt must not stop monitoring).

Caching: each origin's answer is a ``RobotsRecord`` (body, status, validators, when it was
fetched and when it expires), kept in a ``RobotsStore``. A ``MemoryRobotsStore`` lives as
long as the cache; ``flows`` supplies one backed by the database, so that the next monitor
run, and every worker, reuses it. A record is good for ``ttl_seconds`` (24 h, as Google)
when robots.txt answered 2xx or 4xx; then it is revalidated with a conditional GET
(If-None-Match / If-Modified-Since), a 304 keeping the rules. A failure (5xx, 429, network)
is kept ``error_ttl_seconds`` only (10 min), so that a flaky robots.txt is asked again soon;
meanwhile the rules of the last good answer stay in force if there is one (no older than
``STALE_IF_ERROR``), else everything is allowed.

One ``RobotsCache`` may serve several crawlers in one event loop (the per-outlet crawlers of
a monitor run): an origin is fetched once, by whichever crawler asks first, while the others
wait for it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol
from urllib.parse import urlsplit

from protego import Protego

from records import RobotsRecord

__all__ = [
    "ROBOTS_ERROR_TTL_SECONDS",
    "ROBOTS_TTL_SECONDS",
    "MemoryRobotsStore",
    "RobotsAnswer",
    "RobotsCache",
    "RobotsFetcher",
    "RobotsRecord",
    "RobotsRules",
    "RobotsStore",
    "origin_of",
]

logger = logging.getLogger("diplowatch.crawler")

ROBOTS_TTL_SECONDS = 24 * 3600.0
ROBOTS_ERROR_TTL_SECONDS = 600.0
# While robots.txt fails, the last good copy is obeyed for this long after it was last
# confirmed; after that, everything is allowed until robots.txt answers again.
STALE_IF_ERROR = timedelta(days=30)


def origin_of(url: str) -> str:
    """``scheme://host[:port]`` of an absolute URL, lower-cased."""
    parts = urlsplit(url)
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}"


def _utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class RobotsAnswer:
    """What the origin answered for robots.txt (the last hop after redirects)."""

    status: int
    body: bytes = b""
    etag: str | None = None
    last_modified: str | None = None


# Fetch ``robots_url`` sending ``headers`` (the conditional ones, may be empty); raise any
# exception on network failure.
RobotsFetcher = Callable[[str, Mapping[str, str]], Awaitable[RobotsAnswer]]


class RobotsStore(Protocol):
    """Where robots.txt records live between requests, crawlers and runs."""

    async def get(self, origin: str) -> RobotsRecord | None: ...

    async def put(self, record: RobotsRecord) -> None: ...


class MemoryRobotsStore:
    """Records kept in this process only (a crawler's default)."""

    def __init__(self) -> None:
        self._records: dict[str, RobotsRecord] = {}

    async def get(self, origin: str) -> RobotsRecord | None:
        return self._records.get(origin)

    async def put(self, record: RobotsRecord) -> None:
        self._records[record.origin] = record


@dataclass(frozen=True)
class RobotsRules:
    """Parsed rules for one origin; ``parser is None`` means everything is allowed."""

    origin: str
    parser: Any | None  # protego.Protego (untyped library)
    status: int | None  # HTTP status of robots.txt, None on network failure

    def allowed(self, url: str, user_agent: str) -> bool:
        if self.parser is None:
            return True
        return bool(self.parser.can_fetch(url, user_agent))

    def crawl_delay(self, user_agent: str) -> float | None:
        if self.parser is None:
            return None
        delay = self.parser.crawl_delay(user_agent)
        return None if delay is None else float(delay)


def parse_record(record: RobotsRecord) -> RobotsRules:
    """The rules a record stands for: parsed when it holds a 2xx body, else allow-all."""
    if not record.succeeded:
        return RobotsRules(record.origin, None, record.status)
    text = record.body.decode("utf-8", errors="replace").lstrip("\ufeff")
    try:
        parser = Protego.parse(text)
    except Exception as exc:  # protego is lenient; be safe anyway
        logger.warning("robots.txt unparsable, allowing all: %s (%s)", record.origin, exc)
        return RobotsRules(record.origin, None, record.status)
    return RobotsRules(record.origin, parser, record.status)


class RobotsCache:
    """Per-origin robots.txt rules: from memory, else the store, else fetched (once: concurrent
    callers of one origin wait for the first)."""

    def __init__(
        self,
        store: RobotsStore | None = None,
        *,
        ttl_seconds: float = ROBOTS_TTL_SECONDS,
        error_ttl_seconds: float = ROBOTS_ERROR_TTL_SECONDS,
        clock: Callable[[], datetime] = _utcnow,
    ) -> None:
        self.store: RobotsStore = store if store is not None else MemoryRobotsStore()
        self._ttl = timedelta(seconds=ttl_seconds)
        self._error_ttl = timedelta(seconds=error_ttl_seconds)
        self._clock = clock
        self._rules: dict[str, tuple[RobotsRules, datetime]] = {}  # origin → rules, expiry
        self._locks: dict[str, asyncio.Lock] = {}

    async def rules_for(self, url: str, fetch: RobotsFetcher) -> RobotsRules:
        """The rules for ``url``'s origin; ``fetch`` gets robots.txt when it must be asked."""
        origin = origin_of(url)
        cached = self._cached(origin)
        if cached is not None:
            return cached
        lock = self._locks.setdefault(origin, asyncio.Lock())
        async with lock:
            cached = self._cached(origin)
            if cached is not None:
                return cached
            record = await self._stored(origin)
            now = self._clock()
            if record is None or not record.fresh(now):
                record = await self._refresh(origin, record, fetch, now)
                await self._keep(record)
            rules = parse_record(record)
            self._rules[origin] = (rules, record.expires_at)
            return rules

    def _cached(self, origin: str) -> RobotsRules | None:
        entry = self._rules.get(origin)
        if entry is None or self._clock() >= entry[1]:
            return None
        return entry[0]

    async def _stored(self, origin: str) -> RobotsRecord | None:
        try:
            return await self.store.get(origin)
        except Exception as exc:  # a store that fails must not stop crawling
            logger.warning("robots.txt store unavailable, asking %s: %s", origin, exc)
            return None

    async def _keep(self, record: RobotsRecord) -> None:
        try:
            await self.store.put(record)
        except Exception as exc:
            logger.warning("robots.txt store unavailable, %s not kept: %s", record.origin, exc)

    async def _refresh(
        self, origin: str, old: RobotsRecord | None, fetch: RobotsFetcher, now: datetime
    ) -> RobotsRecord:
        """Ask the origin: conditionally when a good copy is held."""
        robots_url = origin + "/robots.txt"
        good = old if old is not None and old.succeeded else None
        headers: dict[str, str] = {}
        if good is not None and good.etag:
            headers["If-None-Match"] = good.etag
        if good is not None and good.last_modified:
            headers["If-Modified-Since"] = good.last_modified
        try:
            answer = await fetch(robots_url, headers)
        except Exception as exc:  # network failure of any kind: allow, but say so
            logger.warning("robots.txt unreachable: %s (%s)", robots_url, exc)
            return self._failed(origin, None, good, now)
        status = answer.status
        if status == 304 and good is not None:
            logger.debug("robots.txt not modified: %s", robots_url)
            return replace(
                good,
                fetched_at=now,
                expires_at=now + self._ttl,
                etag=answer.etag or good.etag,
                last_modified=answer.last_modified or good.last_modified,
            )
        if 200 <= status < 300 or (400 <= status < 500 and status != 429):
            if status in (401, 403):
                logger.info("robots.txt %s answered %d; allowing all", robots_url, status)
            else:
                logger.debug("robots.txt %s answered %d", robots_url, status)
            return RobotsRecord(
                origin=origin,
                status=status,
                body=answer.body if 200 <= status < 300 else b"",
                fetched_at=now,
                expires_at=now + self._ttl,
                etag=answer.etag,
                last_modified=answer.last_modified,
            )
        logger.warning("robots.txt %s answered %d", robots_url, status)
        return self._failed(origin, status, good, now)

    def _failed(
        self, origin: str, status: int | None, good: RobotsRecord | None, now: datetime
    ) -> RobotsRecord:
        """A failure, asked again after the short TTL; the last good rules hold meanwhile."""
        expires_at = now + self._error_ttl
        if good is not None and now - good.fetched_at <= STALE_IF_ERROR:
            logger.warning(
                "robots.txt of %s: keeping the copy of %s until %s",
                origin,
                good.fetched_at.isoformat(timespec="seconds"),
                expires_at.isoformat(timespec="seconds"),
            )
            return replace(good, expires_at=expires_at)
        logger.warning("robots.txt of %s: allowing all until %s", origin, expires_at)
        return RobotsRecord(origin, status, b"", now, expires_at)
