"""The per-host delay across processes, through Prefect global concurrency limits.

Inside one process the crawler's ``HostGate`` spaces request starts to a host. Several
workers, or two flow runs that share an outlet, each have their own gate, so on a server a
process must also hold the host's global concurrency limit ``diplowatch-host:<host>`` (one
slot, created on first use) to send to that host. It takes the slot before its first
request, keeps it while its requests to the host follow each other, and gives it back
``delay`` seconds after its last request started. Request starts to one host, from any
process on any machine, are therefore at least ``delay`` apart; contention costs nothing
in throughput since a host takes one request per ``delay`` whoever sends it.

Why Prefect's limits and not leases in our own database: the workers already talk to the
Prefect server, no table or migration is needed, the operator sees and tunes them with
``prefect gcl ls`` / ``prefect gcl disable diplowatch-host:vnexpress.net`` (an inactive or
deleted limit is skipped), and a slot held by a worker that died is freed when its lease
expires (60 s, the server's minimum; held leases are renewed). The cost is about two API
calls per host and burst of requests. The setting ``politeness.shared_limits`` turns them on;
``deploy/prefect.yaml`` sets it for every run on the work pool. If the server cannot be
reached the gate falls back to this process's own spacing, with a warning.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

import httpx
from prefect.client.orchestration import PrefectClient, get_client
from prefect.client.schemas.actions import GlobalConcurrencyLimitCreate
from prefect.exceptions import ObjectAlreadyExists, ObjectNotFound
from prefect.settings import PREFECT_API_URL

from crawler.client import Crawler, CrawlerConfig
from crawler.politeness import HostGate
from flows.settings import Settings

log = logging.getLogger("diplowatch.hostlimits")

LIMIT_PREFIX = "diplowatch-host:"
LEASE_SECONDS = 60.0  # the server's minimum lease; a dead worker's slot is free after it
RENEW_SECONDS = 20.0
HTTP_LOCKED = 423
API_ATTEMPTS = 5


def limit_name(host: str) -> str:
    """The global concurrency limit that spaces requests to ``host``."""
    return f"{LIMIT_PREFIX}{host.lower().rstrip('.')}"


def shared_limits_enabled(settings: Settings) -> bool:
    """Explicit setting, else on whenever a Prefect server (PREFECT_API_URL) is configured."""
    if settings.politeness.shared_limits is not None:
        return settings.politeness.shared_limits
    return bool(PREFECT_API_URL.value())


class ApiUnavailableError(Exception):
    """The Prefect API failed several times in a row."""


@dataclass
class _Held:
    lease: UUID
    release: asyncio.Task[None] | None = None
    renew: asyncio.Task[None] | None = None


@dataclass
class _HostLease:
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    held: _Held | None = None


class SharedHostGate(HostGate):
    """``HostGate`` that also holds the host's global limit while it sends to the host."""

    def __init__(self, max_connections_per_host: int, client: PrefectClient) -> None:
        super().__init__(max_connections_per_host)
        self._client = client
        self._limits: set[str] = set()
        self._leases: dict[str, _HostLease] = {}
        self._pending: set[asyncio.Task[None]] = set()
        self._degraded = False

    @asynccontextmanager
    async def slot(self, host: str, delay: float) -> AsyncIterator[None]:
        async with super().slot(host, delay):
            if delay > 0 and not self._degraded:
                await self._hold(host, delay)
                # The wait for the slot may have been long: this process's next request to
                # the host is spaced from now, when this one really starts.
                self._state(host).last_start = time.monotonic()
            yield

    async def _hold(self, host: str, delay: float) -> None:
        """Make sure this process holds the host's slot until ``delay`` after now."""
        state = self._leases.setdefault(host, _HostLease())
        async with state.lock:
            held = state.held
            if held is None:
                try:
                    lease = await self._acquire(limit_name(host), delay)
                except ApiUnavailableError as error:
                    self._degraded = True
                    log.warning("host limits unavailable, spacing within this process: %s", error)
                    return
                if lease is None:
                    return
                held = state.held = _Held(lease)
                held.renew = self._spawn(self._renew(held))
            elif held.release is not None:
                held.release.cancel()
            held.release = self._spawn(self._release_after(state, held, delay))

    def _spawn(self, coroutine: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
        task = asyncio.create_task(coroutine)
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)
        return task

    async def _api(self, call: Callable[[], Awaitable[httpx.Response]]) -> httpx.Response:
        """One API call, tried again on server errors and network failures."""
        for attempt in range(1, API_ATTEMPTS + 1):
            try:
                return await call()
            except httpx.HTTPStatusError as error:
                if error.response.status_code < 500 or attempt == API_ATTEMPTS:
                    if error.response.status_code >= 500:
                        raise ApiUnavailableError(str(error)) from error
                    raise
            except httpx.TransportError as error:
                if attempt == API_ATTEMPTS:
                    raise ApiUnavailableError(str(error)) from error
            await asyncio.sleep(0.2 * 2**attempt)
        raise AssertionError("unreachable")  # pragma: no cover

    async def _ensure_limit(self, name: str) -> None:
        if name in self._limits:
            return
        try:
            await self._client.read_global_concurrency_limit_by_name(name)
        except ObjectNotFound:
            try:
                await self._client.create_global_concurrency_limit(
                    GlobalConcurrencyLimitCreate(name=name, limit=1)
                )
                log.info("created global concurrency limit %s", name)
            except ObjectAlreadyExists:  # another worker was first
                pass
        except (httpx.HTTPStatusError, httpx.TransportError) as error:
            raise ApiUnavailableError(str(error)) from error
        self._limits.add(name)

    async def _acquire(self, name: str, delay: float) -> UUID | None:
        """Wait for the host's slot; None when the limit is inactive (not coordinated)."""
        await self._ensure_limit(name)
        poll = max(0.01, delay / 4)
        while True:
            try:
                response = await self._api(
                    lambda: self._client.increment_concurrency_slots_with_lease(
                        names=[name], slots=1, mode="concurrency", lease_duration=LEASE_SECONDS
                    )
                )
            except httpx.HTTPStatusError as error:
                if error.response.status_code != HTTP_LOCKED:
                    raise ApiUnavailableError(str(error)) from error
                # Another process sends to the host. The server's Retry-After is a
                # randomised average: poll a little faster, the wait is at most its burst.
                retry_after = float(error.response.headers.get("Retry-After") or poll)
                await asyncio.sleep(min(max(retry_after, 0.01), poll))
                continue
            body = response.json()
            if not body.get("limits"):
                return None
            return UUID(str(body["lease_id"]))

    async def _renew(self, held: _Held) -> None:
        while True:
            await asyncio.sleep(RENEW_SECONDS)
            try:
                await self._client.renew_concurrency_lease(held.lease, LEASE_SECONDS)
            except Exception as error:
                log.warning("could not renew host slot lease: %s", error)

    async def _release_after(self, state: _HostLease, held: _Held, seconds: float) -> None:
        await asyncio.sleep(seconds)
        if state.held is held:
            state.held = None
        if held.renew is not None:
            held.renew.cancel()
        try:
            await self._api(lambda: self._client.release_concurrency_slots_with_lease(held.lease))
        except Exception as error:  # the lease expires on its own
            log.warning("could not release host slot (expires in %.0fs): %s", LEASE_SECONDS, error)

    async def drain(self) -> None:
        """Give every slot back once its delay has passed (at most ``delay`` seconds)."""
        while True:
            releases = [
                state.held.release
                for state in self._leases.values()
                if state.held is not None and state.held.release is not None
            ]
            if not releases:
                break
            await asyncio.gather(*releases, return_exceptions=True)
        for task in list(self._pending):  # renewals of leases given back
            task.cancel()
        await asyncio.gather(*self._pending, return_exceptions=True)


class SharedLimitsCrawler(Crawler):
    """The crawler, with request starts spaced per host across every worker."""

    def __init__(self, config: CrawlerConfig) -> None:
        super().__init__(config)
        self._prefect: PrefectClient | None = None
        self._shared_gate: SharedHostGate | None = None

    async def __aenter__(self) -> SharedLimitsCrawler:
        client = get_client()
        await client.__aenter__()
        self._prefect = client
        self._shared_gate = SharedHostGate(self.config.max_connections_per_host, client)
        self._gate = self._shared_gate
        await super().__aenter__()
        return self

    async def aclose(self) -> None:
        try:
            await super().aclose()
            if self._shared_gate is not None:
                await self._shared_gate.drain()
        finally:
            if self._prefect is not None:
                client, self._prefect = self._prefect, None
                await client.__aexit__(None, None, None)


def crawler_factory(settings: Settings) -> Callable[[CrawlerConfig], Crawler]:
    """The crawler class that keeps the configured politeness across processes."""
    return SharedLimitsCrawler if shared_limits_enabled(settings) else Crawler
