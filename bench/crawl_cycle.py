"""Crawl-cycle bench: N outlets x M new articles over a local server with latency.

    uv run python -m bench.crawl_cycle [--outlets 20] [--articles 30] [--delay 1.0]
                                        [--latency 0.05] [--repeat 2]

Every outlet is its own host on the local HTTP server (tests/http_server.py, reached through
``host_map``), with a robots.txt, two feeds (the latest M articles; the first 10 again in
a section feed) and M article pages, every reply after ``--latency`` seconds; the per-host
minimum delay is ``--delay``. The outlets are synthetic registry entries (generic parser),
put in the registry for the bench only. Cycles, each on a fresh database unless "no news":

- plain functions: ``flows.monitoring.monitor_outlet`` for every outlet at once, no Prefect;
- monitor flow: the real ``monitor`` flow (one task per outlet) on a temporary Prefect API;
- monitor flow, shared limits: the same with the per-host delay held across processes
  (Prefect global concurrency limits, as on a server with several workers);
- no news: the same again on the same database: every feed answers 304, and robots.txt
  comes from the database (kept 24 h), not from the host.

The politeness bound of a cycle is the busiest host's requests x the delay (from the
server's request log); "robots" counts the robots.txt requests. "cpu s" is this process's
CPU time (the Prefect API server runs in another process): a cycle whose CPU time nears its
bound is CPU-bound, not politeness-bound.
Prefect's share is (flow - plain) / flow. Prefect's start (temporary
API server and first flow run) is measured apart.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from records import VIETNAM_TZ, Outlet
from tests.http_server import LocalServer
from tests.site import TestArticle as Page
from tests.site import article_html, rss_feed

DIPLOMACY = (
    "Chiều 23/11, tại Hà Nội, Phó Thủ tướng tiếp Đại sứ Hoa Kỳ tại Việt Nam đến chào xã giao.",
    "Hai bên trao đổi về hợp tác kinh tế, thương mại, đầu tư, khoa học công nghệ và giáo dục.",
    "Đại sứ khẳng định Hoa Kỳ coi trọng quan hệ Đối tác chiến lược toàn diện với Việt Nam.",
)
VOCABULARY = """thành phố người dân giao thông dự án nhà ở giá vàng thị trường bóng đá đội tuyển
học sinh bệnh viện mưa lũ công trình cao tốc doanh nghiệp xuất khẩu nông sản lễ hội du lịch
điện nước ngân hàng lãi suất chứng khoán cầu thủ sân vận động trường học"""
WORDS = VOCABULARY.split()


def paragraphs(outlet: int, article: int) -> tuple[str, ...]:
    """Distinct text per article; a third are diplomacy news, one story per article number
    carried by every outlet (as a day's few diplomacy stories are)."""

    def sentence(rng: random.Random) -> str:
        return " ".join(rng.choice(WORDS) for _ in range(40)).capitalize() + "."

    if article % 3 == 0:
        story = random.Random(article)
        return (f"Tin {article} của báo {outlet}.", *DIPLOMACY, sentence(story), sentence(story))
    rng = random.Random(outlet * 1000 + article)
    return tuple(sentence(rng) for _ in range(4))


def bench_outlets(count: int) -> list[Outlet]:
    return [
        Outlet(
            key=f"bench{i:02d}",
            name=f"Báo thử {i:02d}",
            domains=(f"bao{i:02d}.bench.vn",),
            feeds=(
                f"https://bao{i:02d}.bench.vn/rss/tin-moi-nhat.rss",
                f"https://bao{i:02d}.bench.vn/rss/the-gioi.rss",
            ),
            min_delay_seconds=1.0,
        )
        for i in range(1, count + 1)
    ]


def serve(server: LocalServer, outlets: list[Outlet], articles: int, latency: float) -> None:
    base = datetime(2026, 11, 23, 8, 0, tzinfo=VIETNAM_TZ)
    for number, outlet in enumerate(outlets, start=1):
        host = outlet.domains[0]
        pages = [
            Page(
                path=f"/thoi-su/tin-so-{number:02d}-{j:02d}-49{number:02d}{j:03d}.html",
                title=f"Tin số {j} của báo {number}"
                + (": hợp tác Việt Nam - Hoa Kỳ" if j % 3 == 0 else ""),
                sapo=paragraphs(number, j)[0],
                paragraphs=paragraphs(number, j)[1:],
                published_at=base + timedelta(minutes=j),
                section="Thời sự",
            )
            for j in range(articles)
        ]
        server.add(host, "/robots.txt", "User-agent: *\nAllow: /\n", delay=latency)
        for index, (feed, items) in enumerate(zip(outlet.feeds, (pages, pages[:10]), strict=True)):
            server.add(
                host,
                feed.split(host, 1)[1],
                rss_feed(host, items),
                headers={"ETag": f'"{host}-{index}"'},
                content_type="application/rss+xml; charset=utf-8",
                delay=latency,
            )
        for page in pages:
            server.add(host, page.path, article_html(host, page), delay=latency)


def configure(data: Path, server: LocalServer, outlets: list[Outlet], delay: float) -> None:
    from flows.settings import get_settings

    os.environ["DIPLOWATCH_DATA_DIR"] = str(data)
    os.environ["DIPLOWATCH_HOST_MAP"] = json.dumps(
        server.host_map(*(outlet.domains[0] for outlet in outlets))
    )
    os.environ["DIPLOWATCH_POLITENESS__MIN_DELAY_SECONDS"] = str(delay)
    os.environ["DIPLOWATCH_POLITENESS__OUTLET_DELAYS"] = json.dumps(
        {outlet.key: delay for outlet in outlets}
    )
    get_settings.cache_clear()


def shared_limits(on: bool) -> None:
    from flows.settings import get_settings

    os.environ["DIPLOWATCH_POLITENESS__SHARED_LIMITS"] = "true" if on else "false"
    get_settings.cache_clear()


async def plain_cycle(keys: list[str], url: str) -> None:
    from flows.hostlimits import crawler_factory
    from flows.monitoring import monitor_outlet
    from flows.settings import get_settings
    from parsers.registry import outlet_by_key
    from storage.db import Database

    settings = get_settings()
    db = Database(url)
    make_crawler = crawler_factory(settings, db)  # as the flow: one robots.txt cache, in the db
    try:
        await asyncio.gather(
            *(
                monitor_outlet(outlet_by_key(key), settings, db, make_crawler=make_crawler)
                for key in keys
            )
        )
    finally:
        db.dispose()


def measure(name: str, server: LocalServer, delay: float, run: Callable[[], Any]) -> dict[str, Any]:
    server.clear_requests()
    started, cpu = time.perf_counter(), time.process_time()
    run()
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    per_host = Counter(request.host for request in server.requests)
    busiest = max(per_host.values())
    row = {
        "cycle": name,
        "wall": wall,
        "cpu": cpu,
        "requests": sum(per_host.values()),
        "robots": sum(request.path == "/robots.txt" for request in server.requests),
        "busiest": busiest,
        "bound": busiest * delay,
    }
    print(format_row(row), flush=True)
    return row


HEADER = (
    f"{'cycle':30} {'wall s':>8} {'cpu s':>7} {'requests':>9} {'robots':>7} {'busiest':>8}"
    f" {'bound s':>8}"
    f" {'wall/bound':>10}"
)


def format_row(row: dict[str, Any]) -> str:
    return (
        f"{row['cycle']:30} {row['wall']:8.2f} {row['cpu']:7.2f} {row['requests']:9d}"
        f" {row['robots']:7d} {row['busiest']:8d} {row['bound']:8.2f}"
        f" {row['wall'] / row['bound']:10.2f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--outlets", type=int, default=20)
    parser.add_argument("--articles", type=int, default=30)
    parser.add_argument("--delay", type=float, default=1.0, help="per-host minimum delay, s")
    parser.add_argument("--latency", type=float, default=0.05, help="server latency, s")
    parser.add_argument("--repeat", type=int, default=2, help="plain and flow cycles (best kept)")
    args = parser.parse_args()
    os.environ.setdefault("DO_NOT_TRACK", "1")
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")

    import parsers.registry as registry

    outlets = bench_outlets(args.outlets)
    registry.OUTLETS = (*registry.OUTLETS, *outlets)  # the bench's outlets, for this process
    registry._by_key.cache_clear()
    keys = [outlet.key for outlet in outlets]
    rows: list[dict[str, Any]] = []
    from prefect import flow
    from prefect.testing.utilities import prefect_test_harness

    from analysis.classifier import classify
    from flows.monitor import monitor

    classify("Thủ tướng tiếp Đại sứ Hoa Kỳ", " ".join(DIPLOMACY))  # load the model before timing

    @flow
    def hello() -> int:
        return 1

    with tempfile.TemporaryDirectory() as tmp, LocalServer() as server:
        root = Path(tmp)
        serve(server, outlets, args.articles, args.latency)
        configure(root / "data", server, outlets, args.delay)
        shared_limits(False)
        started = time.perf_counter()
        with prefect_test_harness(server_startup_timeout=180):
            hello()
            prefect_start = time.perf_counter() - started
            print(HEADER, flush=True)

            def plain(url: str) -> Callable[[], Any]:
                return lambda: asyncio.run(plain_cycle(keys, url))

            def in_flow(url: str) -> Callable[[], Any]:
                return lambda: asyncio.run(monitor(outlets=keys, database_url=url))

            plain_rows, flow_rows = [], []
            for rep in range(args.repeat):
                plain_url = f"sqlite:///{root / f'plain{rep}.db'}"
                flow_url = f"sqlite:///{root / f'flow{rep}.db'}"
                plain_rows.append(measure("plain functions", server, args.delay, plain(plain_url)))
                flow_rows.append(measure("monitor flow", server, args.delay, in_flow(flow_url)))
            rows.append(min(plain_rows, key=lambda row: row["wall"]))
            rows.append(min(flow_rows, key=lambda row: row["wall"]))
            shared_limits(True)
            shared_url = f"sqlite:///{root / 'shared.db'}"
            rows.append(
                measure("monitor flow, shared limits", server, args.delay, in_flow(shared_url))
            )
            shared_limits(False)
            rows.append(measure("no news: plain functions", server, args.delay, plain(plain_url)))
            rows.append(measure("no news: monitor flow", server, args.delay, in_flow(flow_url)))

    print(f"\n{args.outlets} outlets x {args.articles} new articles", end="")
    print(f" (plain and flow: best of {args.repeat})", end="")
    print(f", latency {args.latency * 1000:.0f} ms, per-host delay {args.delay} s\n")
    print(HEADER)
    for row in rows:
        print(format_row(row))
    plain_wall, flow_wall, shared_wall = rows[0]["wall"], rows[1]["wall"], rows[2]["wall"]
    print(f"\nPrefect's start (temporary API server + first flow run): {prefect_start:.2f} s")
    share = 1 - plain_wall / flow_wall
    print(f"Prefect's share of the flow cycle, (flow - plain) / flow: {share:.1%}")
    print(f"shared limits / local gate: {shared_wall / flow_wall:.2f}x")
    print(f"no-news flow cycle: {rows[4]['wall']:.2f} s + Prefect's start {prefect_start:.2f} s")


if __name__ == "__main__":
    main()
