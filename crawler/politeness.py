"""Per-host politeness: a concurrency limit and a minimum delay between request starts.

Holds under concurrency: callers for one host queue on a per-host lock (FIFO) while they wait
for their turn, so N concurrent fetches of one host start at least ``delay`` apart, while
different hosts never wait for each other.

The crawler takes its gate in its constructor (``Crawler(config, gate=...)``): anything with
``slot`` and ``defer`` as below (``RequestGate``), e.g. ``flows.hostlimits.SharedHostGate``,
which also spaces requests across processes.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field
from typing import Protocol

__all__ = ["HostGate", "RequestGate"]


class RequestGate(Protocol):
    """What the crawler needs from a gate: admission per host, and holding a host back."""

    def slot(self, host: str, delay: float) -> AbstractAsyncContextManager[None]:
        """Wait until one more request to ``host`` may start ``delay`` after the previous."""
        ...

    def defer(self, host: str, seconds: float) -> None:
        """No request to ``host`` starts within the next ``seconds``."""
        ...


@dataclass
class _HostState:
    semaphore: asyncio.Semaphore
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    last_start: float | None = None
    not_before: float = 0.0  # set by Retry-After: nobody starts before this moment


class HostGate:
    """Admission control per host. Use ``async with gate.slot(host, delay): <one request>``."""

    def __init__(self, max_connections_per_host: int) -> None:
        self._max = max_connections_per_host
        self._hosts: dict[str, _HostState] = {}

    def _state(self, host: str) -> _HostState:
        state = self._hosts.get(host)
        if state is None:
            state = _HostState(semaphore=asyncio.Semaphore(self._max))
            self._hosts[host] = state
        return state

    def defer(self, host: str, seconds: float) -> None:
        """No request to ``host`` starts within the next ``seconds`` (e.g. after Retry-After)."""
        state = self._state(host)
        state.not_before = max(state.not_before, time.monotonic() + seconds)

    def last_start(self, host: str) -> float | None:
        """``time.monotonic()`` of the latest request start for ``host``, if any."""
        state = self._hosts.get(host)
        return None if state is None else state.last_start

    @asynccontextmanager
    async def slot(self, host: str, delay: float) -> AsyncIterator[None]:
        """Wait for a connection slot and for ``delay`` since the previous start, then run."""
        state = self._state(host)
        async with state.semaphore:
            async with state.lock:
                while True:
                    earliest = state.not_before
                    if state.last_start is not None:
                        earliest = max(earliest, state.last_start + delay)
                    wait = earliest - time.monotonic()
                    if wait <= 0:
                        break
                    await asyncio.sleep(wait)
                await self._admit(host, delay)
                state.last_start = time.monotonic()
            yield

    async def _admit(self, host: str, delay: float) -> None:
        """Called in turn (holding the host's lock) just before a request to ``host`` starts:
        a subclass may wait for more here (``flows.hostlimits``: the host's global slot),
        and the start is counted from when this returns."""
