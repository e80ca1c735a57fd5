"""The crawlers of one run (flows.hostlimits.crawler_factory) share their host gate.

A monitor run makes one crawler per outlet. Two outlets may live on one host; the run's
crawlers then space their requests to it together, with the local gate and, when shared
limits are on, with the host's Prefect global concurrency limit, which is given back once
the last crawler is done. Real loopback HTTP, real Prefect API (test harness).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import time
from collections.abc import Callable
from uuid import UUID

import pytest
from prefect.client.orchestration import get_client
from prefect.client.schemas.actions import GlobalConcurrencyLimitCreate
from prefect.exceptions import ObjectAlreadyExists

from flows.hostlimits import crawler_factory, limit_name
from flows.monitoring import crawler_config
from flows.settings import Settings, get_settings
from tests import http_server
from tests.http_server import LocalServer

local_server = http_server.local_server

HOST = "baothu.vn"
DELAY = 0.2
SLACK = 0.05  # arrival jitter at the server (see tests/test_crawler_politeness.py)


def settings_for(
    configure: Callable[..., None], server: LocalServer, *, shared_limits: bool
) -> Settings:
    configure(
        host_map=server.host_map(HOST),
        politeness={
            "min_delay_seconds": DELAY,
            "respect_robots": False,
            "shared_limits": shared_limits,
        },
    )
    for index in range(6):
        server.add(HOST, f"/bai-{index}.html", f"bài {index}")
    return get_settings()


async def two_outlets_on_one_host(settings: Settings) -> list[str]:
    """Two crawlers of one factory (two outlets of a run) fetch 3 pages each, at once."""
    make = crawler_factory(settings)
    config = crawler_config(settings, archive=False)

    async def outlet(indexes: range) -> list[str]:
        async with make(config) as crawler:
            pages = [crawler.fetch(f"https://{HOST}/bai-{i}.html") for i in indexes]
            return [page.text or "" for page in await asyncio.gather(*pages)]

    first, second = await asyncio.gather(outlet(range(3)), outlet(range(3, 6)))
    return first + second


def assert_spaced(server: LocalServer) -> None:
    times = sorted(request.time for request in server.requests_to(HOST))
    assert len(times) == 6
    gaps = [later - earlier for earlier, later in itertools.pairwise(times)]
    assert min(gaps) >= DELAY - SLACK, gaps


async def test_the_crawlers_of_a_run_space_their_requests_to_a_shared_host(
    configure: Callable[..., None], local_server: LocalServer
) -> None:
    settings = settings_for(configure, local_server, shared_limits=False)
    assert await two_outlets_on_one_host(settings) == [f"bài {i}" for i in range(6)]
    assert_spaced(local_server)


@pytest.mark.prefect
def test_with_shared_limits_the_run_waits_for_the_host_slot_spaces_and_gives_it_back(
    prefect_harness: object, configure: Callable[..., None], local_server: LocalServer
) -> None:
    settings = settings_for(configure, local_server, shared_limits=True)
    name = limit_name(HOST)
    busy = 0.6  # another worker sends to the host for this long when the run starts

    async def scenario() -> tuple[list[str], float]:
        async with get_client() as other_worker:
            with contextlib.suppress(ObjectAlreadyExists):
                await other_worker.create_global_concurrency_limit(
                    GlobalConcurrencyLimitCreate(name=name, limit=1)
                )
            taken = await other_worker.increment_concurrency_slots_with_lease(
                names=[name], slots=1, mode="concurrency", lease_duration=60
            )
            started = time.monotonic()

            async def give_back() -> None:
                await asyncio.sleep(busy)
                await other_worker.release_concurrency_slots_with_lease(
                    UUID(taken.json()["lease_id"])
                )

            texts, _ = await asyncio.gather(two_outlets_on_one_host(settings), give_back())
            return texts, started

    texts, started = asyncio.run(scenario())
    assert texts == [f"bài {i}" for i in range(6)]
    assert min(request.time for request in local_server.requests_to(HOST)) >= started + busy
    assert_spaced(local_server)  # the run's two crawlers did not both go when the slot came

    async def active_slots() -> int:
        async with get_client() as client:
            limit = await client.read_global_concurrency_limit_by_name(name)
        return limit.active_slots

    assert asyncio.run(active_slots()) == 0
