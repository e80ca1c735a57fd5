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
calls per host and burst of requests, made one at a time (a server on SQLite answers
concurrent lease calls with 503s, and the client then backs off for seconds). The setting
``politeness.shared_limits`` turns them on; ``deploy/prefect.yaml`` sets it for every run on
the work pool. If the server cannot be reached the gate falls back to this process's own
spacing, with a warning.

``crawler_factory`` builds the crawlers of a run (one per outlet). They share one gate,
passed in through the crawler's constructor, so that outlets on one host are spaced
together, and one robots.txt cache kept in the database (``DatabaseRobotsStore``, table
``robots_txt``), so that a run does not ask an origin for robots.txt again within
``politeness.robots_ttl_seconds`` (24 h) of the run that did.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine
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
from crawler.robots import RobotsCache
from flows.settings import Settings
from records import RobotsRecord
from storage.db import Database
from storage.robots import load_robots, save_robots

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
    """``HostGate`` that also holds the host's global limit while it sends to the host.

    Several crawlers may share it (``open`` / ``close`` around each one's life): the first
    opens a Prefect client, the last gives every slot back and closes it. Not open, it
    spaces requests within this process only.
    """

    def __init__(self, max_connections_per_host: int) -> None:
        super().__init__(max_connections_per_host)
        self._prefect: PrefectClient | None = None
        self._users = 0
        self._opening = asyncio.Lock()
        self._limits: set[str] = set()
        self._leases: dict[str, _HostLease] = {}
        self._pending: set[asyncio.Task[None]] = set()
        self._degraded = False
        # One API call at a time: to concurrent lease calls (every host of a run at its
        # start) a server on SQLite answers 503 and the client backs off for seconds; one
        # after the other they take milliseconds (bench.crawl_cycle, shared limits).
        self._api_lock = asyncio.Lock()

    async def _admit(self, host: str, delay: float) -> None:
        # In turn, holding the host's lock: no other request of this process to the host
        # starts while this one waits for the global slot, and the next is spaced from when
        # this one really starts (HostGate counts the start once this returns).
        if delay > 0 and not self._degraded and self._prefect is not None:
            await self._hold(host, delay)

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

    async def open(self) -> None:
        """A crawler starts to use the gate; the first one opens the Prefect client."""
        async with self._opening:
            if self._prefect is None:
                client = get_client()
                await client.__aenter__()
                self._prefect = client
            self._users += 1

    async def close(self) -> None:
        """A crawler is done; the last one gives every slot back and closes the client."""
        async with self._opening:  # a crawler opening meanwhile waits for the drain
            self._users -= 1
            if self._users > 0 or self._prefect is None:
                return
            try:
                await self.drain()
            finally:
                client, self._prefect = self._prefect, None
                await client.__aexit__(None, None, None)

    @property
    def _client(self) -> PrefectClient:
        if self._prefect is None:
            raise RuntimeError("SharedHostGate is not open")
        return self._prefect

    def _spawn(self, coroutine: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
        task = asyncio.create_task(coroutine)
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)
        return task

    async def _api(self, call: Callable[[], Awaitable[httpx.Response]]) -> httpx.Response:
        """One API call, tried again on server errors and network failures."""
        for attempt in range(1, API_ATTEMPTS + 1):
            try:
                async with self._api_lock:
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
            async with self._api_lock:
                await self._client.read_global_concurrency_limit_by_name(name)
        except ObjectNotFound:
            try:
                async with self._api_lock:
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
    """The crawler, with request starts spaced per host across every worker. Crawlers given
    one ``gate`` (a run's) also space their requests to a host among themselves."""

    def __init__(
        self,
        config: CrawlerConfig,
        *,
        gate: SharedHostGate | None = None,
        robots: RobotsCache | None = None,
    ) -> None:
        self._shared_gate = gate or SharedHostGate(config.max_connections_per_host)
        self._gate_open = False
        super().__init__(config, gate=self._shared_gate, robots=robots)

    async def __aenter__(self) -> SharedLimitsCrawler:
        await self._shared_gate.open()
        self._gate_open = True
        try:
            await super().__aenter__()
        except BaseException:
            await self.aclose()
            raise
        return self

    async def aclose(self) -> None:
        try:
            await super().aclose()
        finally:
            if self._gate_open:
                self._gate_open = False
                await self._shared_gate.close()


class DatabaseRobotsStore:
    """``crawler.robots.RobotsStore`` on the database: robots.txt outlives the run."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def get(self, origin: str) -> RobotsRecord | None:
        with self._db.session() as session:
            return load_robots(session, origin)

    async def put(self, record: RobotsRecord) -> None:
        with self._db.session() as session:
            save_robots(session, record)


def robots_cache(settings: Settings, db: Database | None = None) -> RobotsCache:
    """A robots.txt cache with the configured TTLs, kept in ``db`` (else in memory)."""
    politeness = settings.politeness
    return RobotsCache(
        DatabaseRobotsStore(db) if db is not None else None,
        ttl_seconds=politeness.robots_ttl_seconds,
        error_ttl_seconds=politeness.robots_error_ttl_seconds,
    )


def crawler_factory(
    settings: Settings, db: Database | None = None
) -> Callable[[CrawlerConfig], Crawler]:
    """Builds a run's crawlers (one event loop): they share one host gate, so that requests
    to a host are spaced across the run's outlets (and across processes when shared limits
    are on), and one robots.txt cache, kept in ``db`` when given. A replaying crawler keeps
    its own robots.txt cache: it answers robots.txt from the archive.
    """
    robots = robots_cache(settings, db)
    connections = settings.politeness.max_connections_per_host
    if shared_limits_enabled(settings):
        shared_gate = SharedHostGate(connections)

        def make_shared(config: CrawlerConfig) -> Crawler:
            cache = None if config.replay_warcs else robots
            return SharedLimitsCrawler(config, gate=shared_gate, robots=cache)

        return make_shared
    gate = HostGate(connections)

    def make(config: CrawlerConfig) -> Crawler:
        return Crawler(config, gate=gate, robots=None if config.replay_warcs else robots)

    return make
