"""The crawler: one ``httpx.AsyncClient`` with politeness, robots.txt, retries and archiving.

    async with Crawler(CrawlerConfig(user_agent="diplowatch/0.1 (+https://...)")) as crawler:
        page = await crawler.fetch("https://vnexpress.net/...", etag=old_etag)

``fetch`` returns a ``records.Fetched`` for 2xx and 304 answers and raises ``FetchError`` for
everything else. Redirects are followed by hand (each hop is checked against robots.txt, is
spaced politely and archived); ``Fetched.final_url`` is the last hop.

``Fetched.headers`` describe the body as stored: lower-case names, duplicates joined by
``", "``, no Content-Encoding / Transfer-Encoding (``crawler.decoding`` has decoded the
body, never holding more than ``max_body_bytes``), and Content-Length equal to ``len(body)``.
Live and replayed fetches therefore look the same.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from types import TracebackType
from typing import Self

import httpx

from crawler.config import DEFAULT_ACCEPT, CrawlerConfig
from crawler.decoding import read_body
from crawler.errors import FetchError
from crawler.exchange import (
    Exchange,
    RetryableTransportError,
    absolute_url,
    is_textual,
    parse_retry_after,
    within_domains,
)
from crawler.politeness import HostGate, RequestGate
from crawler.robots import RobotsAnswer, RobotsCache
from crawler.safety import AddressGuardTransport, ForbiddenAddressError
from crawler.transport import HostMapTransport
from crawler.warc import REPLAY_HEADER, ReplayTransport, WarcArchive, clean_stored_headers
from parsers.charset import charset_from_content_type, decode_html
from records import Fetched

__all__ = ["Crawler", "CrawlerConfig", "FetchError"]

logger = logging.getLogger("diplowatch.crawler")

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
_ROBOTS_MAX_REDIRECTS = 5
ACCEPT_ENCODING = "gzip, deflate"


class Crawler:
    """Polite async HTTP fetcher. Use as ``async with Crawler(config) as crawler: ...``.

    ``gate`` spaces request starts per host (default: a ``HostGate`` of this crawler alone;
    ``flows.hostlimits`` passes one that also holds across processes). ``robots`` is the
    robots.txt cache (default: this crawler's own, in memory); one cache may serve several
    crawlers, and its store may outlive them (``flows.hostlimits``: the database).
    """

    def __init__(
        self,
        config: CrawlerConfig,
        *,
        gate: RequestGate | None = None,
        robots: RobotsCache | None = None,
    ) -> None:
        self.config = config
        self.replaying = bool(config.replay_warcs)
        self._client: httpx.AsyncClient | None = None
        self._archive: WarcArchive | None = None
        self._gate: RequestGate = (
            gate if gate is not None else HostGate(config.max_connections_per_host)
        )
        self._robots = robots if robots is not None else RobotsCache()

    # -- lifecycle -----------------------------------------------------------------------

    async def __aenter__(self) -> Self:
        config = self.config
        transport: httpx.AsyncBaseTransport
        if self.replaying:
            transport = ReplayTransport(config.replay_warcs)
        else:
            raw = httpx.AsyncHTTPTransport(retries=0)
            guarded = AddressGuardTransport(raw, allow_private=config.allow_private_addresses)
            transport = (
                HostMapTransport(config.host_map, guarded, mapped=raw)
                if config.host_map
                else guarded
            )
            if config.warc_dir is not None:
                self._archive = WarcArchive(config.warc_dir)
                logger.info("archiving exchanges to %s", self._archive.path)
        self._client = httpx.AsyncClient(
            transport=transport,
            timeout=httpx.Timeout(config.timeout_seconds, connect=config.connect_timeout_seconds),
            follow_redirects=False,
            # the per-host gate bounds connections; no global cap to wait on (pool timeouts)
            limits=httpx.Limits(max_connections=None, max_keepalive_connections=64),
            headers={
                "User-Agent": config.user_agent,
                "Accept-Language": config.accept_language,
                # exactly what crawler.decoding decodes (httpx would add br/zstd if installed)
                "Accept-Encoding": ACCEPT_ENCODING,
            },
            trust_env=False,
        )
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None
        if self._archive is not None:
            self._archive.close()

    @property
    def warc_path(self) -> str | None:
        """Path of the WARC file being written, if archiving."""
        return None if self._archive is None else str(self._archive.path)

    # -- public API ----------------------------------------------------------------------

    async def fetch(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        min_delay: float | None = None,
        accept: str | None = None,
        allowed_domains: Sequence[str] | None = None,
    ) -> Fetched:
        """GET ``url`` politely. Returns the 2xx or 304 answer; raises ``FetchError`` otherwise.

        ``allowed_domains`` (e.g. an outlet's domains) confines redirects: a hop to a host
        that is neither one of them nor a subdomain raises ``FetchError("foreign-redirect")``.

        ``etag`` / ``last_modified`` make the request conditional (If-None-Match /
        If-Modified-Since); a 304 comes back as a ``Fetched`` with status 304 and empty body.
        ``min_delay`` raises (never lowers) the per-host delay for this request.
        """
        current = absolute_url(url)
        headers = {"Accept": accept or DEFAULT_ACCEPT}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified

        exchange: Exchange | None = None
        for _hop in range(self.config.max_redirects + 1):
            delay = await self._admit(str(current), min_delay)
            exchange = await self._with_retries(str(current), headers, delay)
            if exchange.status not in REDIRECT_STATUSES:
                return self._result(url, exchange)
            location = exchange.header("location")
            try:
                target = current.join(location.strip()) if location else None
            except (httpx.InvalidURL, ValueError):
                target = None
            if target is None or target.scheme not in ("http", "https") or not target.host:
                raise FetchError(
                    str(current), "bad-redirect", status=exchange.status, detail=location
                )
            target = target.copy_with(fragment=None)
            if allowed_domains is not None and not within_domains(target.host, allowed_domains):
                raise FetchError(
                    str(current), "foreign-redirect", status=exchange.status, detail=str(target)
                )
            logger.debug("redirect %d %s -> %s", exchange.status, current, target)
            current = target
        assert exchange is not None
        raise FetchError(
            url,
            "too-many-redirects",
            status=exchange.status,
            detail=f"more than {self.config.max_redirects}, last to {current}",
        )

    async def robots_allowed(self, url: str) -> bool:
        """Whether robots.txt lets us fetch ``url`` (True when ``respect_robots`` is off)."""
        if not self.config.respect_robots:
            return True
        self._require_client()
        target = str(absolute_url(url))
        rules = await self._robots.rules_for(target, self._fetch_robots)
        return rules.allowed(target, self.config.user_agent)

    # -- internals -----------------------------------------------------------------------

    def _require_client(self) -> httpx.AsyncClient:
        if self._client is None:
            raise RuntimeError("Crawler is not open: use 'async with Crawler(config) as c'")
        return self._client

    def _base_delay(self, min_delay: float | None = None) -> float:
        if self.replaying:
            return 0.0
        return max(self.config.default_min_delay_seconds, min_delay or 0.0)

    async def _admit(self, url: str, min_delay: float | None) -> float:
        """Check robots.txt for ``url``; return the delay to keep before starting it."""
        delay = self._base_delay(min_delay)
        if not self.config.respect_robots:
            return delay
        rules = await self._robots.rules_for(url, self._fetch_robots)
        if not rules.allowed(url, self.config.user_agent):
            logger.info("robots.txt disallows %s", url)
            raise FetchError(url, "robots")
        crawl_delay = rules.crawl_delay(self.config.user_agent)
        if crawl_delay is not None and not self.replaying:
            delay = max(delay, crawl_delay)
        return delay

    def _result(self, original_url: str, exchange: Exchange) -> Fetched:
        final_url = exchange.url
        if exchange.status == 304:
            logger.info("not modified: %s", final_url)
            return Fetched(
                url=original_url,
                final_url=final_url,
                status=304,
                headers=exchange.header_dict(),
                body=b"",
                fetched_at=exchange.fetched_at,
            )
        if not 200 <= exchange.status < 300:
            if self.replaying and exchange.header(REPLAY_HEADER) == "miss":
                raise FetchError(final_url, "replay-miss", status=exchange.status)
            logger.warning(
                "HTTP %d for %s after %d attempt(s)", exchange.status, final_url, exchange.attempts
            )
            raise FetchError(
                original_url, "status", status=exchange.status, attempts=exchange.attempts
            )
        content_type = exchange.header("content-type")
        text: str | None = None
        charset: str | None = None
        if is_textual(content_type):
            text, charset = decode_html(exchange.body, charset_from_content_type(content_type))
        logger.info("fetched %s (%d, %d bytes)", final_url, exchange.status, len(exchange.body))
        return Fetched(
            url=original_url,
            final_url=final_url,
            status=exchange.status,
            headers=exchange.header_dict(),
            body=exchange.body,
            fetched_at=exchange.fetched_at,
            text=text,
            charset=charset,
        )

    def _retry_wait(self, attempt: int, retry_after: str | None) -> tuple[float, bool]:
        """Seconds to wait before attempt ``attempt + 1``; True when it came from Retry-After."""
        if self.replaying:
            return 0.0, False
        cap = self.config.max_retry_after_seconds
        seconds = parse_retry_after(retry_after)
        if seconds is not None:
            return min(seconds, cap), True
        backoff = self.config.backoff_seconds * (2 ** (attempt - 1))
        return min(backoff * random.uniform(0.75, 1.25), cap), False

    async def _with_retries(self, url: str, headers: dict[str, str], delay: float) -> Exchange:
        attempts = 1 + self.config.max_retries
        host = httpx.URL(url).host
        for attempt in range(1, attempts + 1):
            try:
                exchange = await self._attempt(url, headers, delay, self.config.max_body_bytes)
            except RetryableTransportError as failure:
                if attempt >= attempts:
                    logger.warning("giving up on %s after %d attempt(s): %s", url, attempt, failure)
                    raise FetchError(
                        url, failure.reason, attempts=attempt, detail=str(failure)
                    ) from failure
                wait, _ = self._retry_wait(attempt, None)
                logger.info("retrying %s in %.2fs (attempt %d): %s", url, wait, attempt, failure)
                await asyncio.sleep(wait)
                continue
            exchange.attempts = attempt
            replay_miss = exchange.header(REPLAY_HEADER) == "miss"
            if exchange.status not in RETRY_STATUSES or attempt >= attempts or replay_miss:
                return exchange
            wait, from_header = self._retry_wait(attempt, exchange.header("retry-after"))
            if from_header:
                self._gate.defer(host, wait)  # the whole host asked us to slow down
            logger.info(
                "HTTP %d for %s, retrying in %.2fs (attempt %d of %d)",
                exchange.status,
                url,
                wait,
                attempt,
                attempts,
            )
            await asyncio.sleep(wait)
        raise AssertionError("unreachable")  # pragma: no cover

    async def _attempt(
        self,
        url: str,
        headers: dict[str, str],
        delay: float,
        max_bytes: int,
        *,
        truncate: bool = False,
    ) -> Exchange:
        """One request through the host gate.

        Raises ``RetryableTransportError`` (timeouts, network) or ``FetchError``.
        """
        client = self._require_client()
        request = client.build_request("GET", url, headers=headers)
        host = request.url.host
        deadline = self.config.connect_timeout_seconds + self.config.timeout_seconds
        async with self._gate.slot(host, delay):
            started = time.monotonic()
            logger.debug("GET %s", url)
            try:
                async with asyncio.timeout(deadline):
                    response = await client.send(request, stream=True)
                    try:
                        body = await read_body(response, url, max_bytes, truncate=truncate)
                    finally:
                        await response.aclose()
            except ForbiddenAddressError as exc:
                raise FetchError(url, "forbidden-address", detail=str(exc)) from exc
            except (httpx.TimeoutException, TimeoutError) as exc:
                raise RetryableTransportError("timeout", exc) from exc
            except (httpx.NetworkError, httpx.RemoteProtocolError, httpx.ProxyError) as exc:
                raise RetryableTransportError("network", exc) from exc
            except httpx.HTTPError as exc:  # unsupported protocol, local protocol error, ...
                raise FetchError(url, "network", detail=f"{type(exc).__name__}: {exc}") from exc
        fetched_at = datetime.now(UTC)
        logger.debug(
            "%s -> %d (%d bytes, %.3fs)",
            url,
            response.status_code,
            len(body),
            time.monotonic() - started,
        )
        exchange = Exchange(
            url=url,
            status=response.status_code,
            headers=clean_stored_headers(response.headers.multi_items(), len(body)),
            body=body,
            fetched_at=fetched_at,
        )
        if self._archive is not None:
            await self._archive.awrite_exchange(
                url=url,
                request_headers=request.headers.multi_items(),
                status=response.status_code,
                reason=response.reason_phrase,
                response_headers=exchange.headers,
                body=body,
                fetched_at=fetched_at,
            )
        return exchange

    async def _fetch_robots(self, robots_url: str, conditional: Mapping[str, str]) -> RobotsAnswer:
        """Fetch robots.txt (one attempt per hop, redirects followed, body truncated), with
        the ``conditional`` headers (If-None-Match / If-Modified-Since) on every hop."""
        current = absolute_url(robots_url)
        headers = {"Accept": "text/plain,*/*;q=0.8", **conditional}
        for _hop in range(_ROBOTS_MAX_REDIRECTS + 1):
            exchange = await self._attempt(
                str(current),
                headers,
                self._base_delay(),
                self.config.robots_max_bytes,
                truncate=True,
            )
            location = exchange.header("location")
            if exchange.status in REDIRECT_STATUSES and location:
                current = current.join(location.strip()).copy_with(fragment=None)
                continue
            return RobotsAnswer(
                exchange.status,
                exchange.body,
                etag=exchange.header("etag") or None,
                last_modified=exchange.header("last-modified") or None,
            )
        logger.warning("robots.txt redirects too often, allowing all: %s", robots_url)
        return RobotsAnswer(404)
