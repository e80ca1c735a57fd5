"""robots.txt: fetched once per origin per crawler lifetime, parsed with protego, cached.

Status handling (close to Google's): 2xx → parse; 4xx → allow everything; 5xx, 429 or a
network failure → allow everything but log a warning (we crawl politely anyway, and a flaky
robots.txt must not stop monitoring). The outcome is cached either way.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from protego import Protego

__all__ = ["RobotsCache", "RobotsFetcher", "RobotsRules", "origin_of"]

logger = logging.getLogger("diplowatch.crawler")

# Fetch ``robots_url`` and return (final status, body). Raise any exception on network failure.
RobotsFetcher = Callable[[str], Awaitable[tuple[int, bytes]]]


def origin_of(url: str) -> str:
    """``scheme://host[:port]`` of an absolute URL, lower-cased."""
    parts = urlsplit(url)
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}"


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


class RobotsCache:
    """Per-origin robots.txt rules, fetched lazily and exactly once (concurrent callers wait)."""

    def __init__(self, user_agent: str, fetch: RobotsFetcher) -> None:
        self._user_agent = user_agent
        self._fetch = fetch
        self._rules: dict[str, RobotsRules] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    async def rules_for(self, url: str) -> RobotsRules:
        origin = origin_of(url)
        cached = self._rules.get(origin)
        if cached is not None:
            return cached
        lock = self._locks.setdefault(origin, asyncio.Lock())
        async with lock:
            cached = self._rules.get(origin)
            if cached is None:
                cached = await self._load(origin)
                self._rules[origin] = cached
            return cached

    async def allowed(self, url: str) -> bool:
        return (await self.rules_for(url)).allowed(url, self._user_agent)

    async def crawl_delay(self, url: str) -> float | None:
        return (await self.rules_for(url)).crawl_delay(self._user_agent)

    async def _load(self, origin: str) -> RobotsRules:
        robots_url = origin + "/robots.txt"
        try:
            status, body = await self._fetch(robots_url)
        except Exception as exc:  # network failure of any kind: allow, but say so
            logger.warning("robots.txt unreachable, allowing all: %s (%s)", robots_url, exc)
            return RobotsRules(origin, None, None)
        if 200 <= status < 300:
            text = body.decode("utf-8", errors="replace").lstrip("\ufeff")
            try:
                parser = Protego.parse(text)
            except Exception as exc:  # protego is lenient; be safe anyway
                logger.warning("robots.txt unparsable, allowing all: %s (%s)", robots_url, exc)
                return RobotsRules(origin, None, status)
            logger.debug("robots.txt loaded: %s", robots_url)
            return RobotsRules(origin, parser, status)
        if 400 <= status < 500 and status != 429:
            if status in (401, 403):
                logger.info("robots.txt %s answered %d; allowing all", robots_url, status)
            return RobotsRules(origin, None, status)
        logger.warning("robots.txt %s answered %d; allowing all", robots_url, status)
        return RobotsRules(origin, None, status)
