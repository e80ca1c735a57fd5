"""Memory over a 10,000-page backfill or 20 monitor runs: does it stay flat?

    uv run python -m bench.memory                          # monitor: 20 runs x 500 new pages
    uv run python -m bench.memory --mode backfill          # one backfill of 10,000 pages
    uv run python -m bench.memory --pages 2000 --step 250  # smaller

A child process serves constructed pages (Vietnamese, article-shaped, each different, half
of them diplomacy) on 127.0.0.1 for a test outlet; this process runs the real pipeline
(crawler with WARC archive, parsers, classifier, stories, SQLite) through the real recipes:

- ``monitor``: ``flows.monitoring.monitor_outlet`` again and again; each run's feed lists the
  next ``--step`` pages, as a busy outlet would between two runs;
- ``backfill``: ``flows.backfill.backfill_outlet`` once over a sitemap of ``--pages`` URLs.

Every ``--step`` stored pages it samples the resident set size (VmRSS) and the peak
(ru_maxrss), then prints the curve, the growth from the first sample to the last, and the
peak. Flat means the growth per 1,000 pages is small next to the peak; a leak or an
accumulation shows as a steady climb.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

HOST = "baothu.vn"
FEED = f"https://{HOST}/rss/tin-moi.rss"
SITEMAP = f"https://{HOST}/sitemap.xml"
STARTED = datetime(2026, 8, 1, tzinfo=UTC)  # one page every 15 minutes from here

WORDS = (  # noqa: SIM905 - a sentence is easier to read than a list of syllables
    "Thủ tướng Chủ tịch nước Bộ trưởng Ngoại giao Đại sứ tiếp hội đàm điện đàm thăm chính thức "
    "hợp tác kinh tế thương mại đầu tư khoa học công nghệ giáo dục văn hóa du lịch quốc phòng "
    "an ninh biển đảo năng lượng bán dẫn nông nghiệp y tế hai nước quan hệ đối tác chiến lược "
    "toàn diện thúc đẩy tăng cường khẳng định đánh giá cao mong muốn trao đổi nhất trí ký kết "
    "thỏa thuận biên bản ghi nhớ diễn đàn hội nghị cấp cao đoàn đại biểu nhân dân Quốc hội "
    "doanh nghiệp thị trường xuất khẩu chuỗi cung ứng chuyển đổi số khí hậu phát triển bền vững "
    "bóng đá trận đấu sân vận động giá vàng chứng khoán thời tiết mưa lớn giao thông"
).split()
PARTNERS = ["Hoa Kỳ", "Nhật Bản", "Hàn Quốc", "Australia", "Pháp", "Đức", "Ấn Độ", "Singapore"]
LEADERS = ["Thủ tướng Phạm Minh Chính", "Phó Thủ tướng Bùi Thanh Sơn", "Chủ tịch nước"]


# -- the pages (served by the child process) ---------------------------------------------------


def page_path(index: int) -> str:
    return f"/the-gioi/bai-viet-so-{index}-{4_900_000 + index}.html"


def page_html(index: int) -> str:
    rng = random.Random(index)
    diplomacy = index % 2 == 0
    partner = rng.choice(PARTNERS)
    words = " ".join(rng.choices(WORDS, k=8))
    if diplomacy:  # each title and lead its own: no two pages are one story
        title = f"{rng.choice(LEADERS)} tiếp Đại sứ {partner}, {words} ({index})"
        lead = f"Tại Hà Nội, {rng.choice(LEADERS)} tiếp Đại sứ {partner}: {words} {index}."
    else:
        title = f"Đội tuyển thắng trận giao hữu, {words} ({index})"
        lead = f"Đội tuyển bóng đá thắng 3-0 trong trận giao hữu {index}: {words}."
    paragraphs = [" ".join(rng.choices(WORDS, k=60)) + "." for _ in range(rng.randint(3, 8))]
    published = STARTED + timedelta(minutes=15 * index)
    body = "".join(f'<p class="Normal">{text}</p>' for text in paragraphs)
    return (
        f'<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8"><title>{title}</title>'
        f'<link rel="canonical" href="https://{HOST}{page_path(index)}">'
        f'<meta property="og:title" content="{title}">'
        f'<meta property="og:description" content="{lead}">'
        f'<meta property="article:published_time" content="{published.isoformat()}">'
        '<script type="application/ld+json">{"@type": "NewsArticle", "headline": "'
        f'{title}", "datePublished": "{published.isoformat()}"}}</script></head><body>'
        "<nav><a href='/'>Trang chủ</a></nav><article>"
        f'<h1>{title}</h1><p class="description">{lead}</p>{body}</article>'
        "<footer>Báo thử nghiệm</footer></body></html>"
    )


class _Pages(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: Any

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        step, total = self.server.step, self.server.total
        if path == "/robots.txt":
            body, kind = b"User-agent: *\nAllow: /\n", "text/plain"
        elif path == "/rss/tin-moi.rss":
            first = self.server.next_first
            self.server.next_first = min(first + step, total)
            items = "".join(
                f"<item><title>t{i}</title><link>https://{HOST}{page_path(i)}</link></item>"
                for i in range(first, min(first + step, total))
            )
            body = f'<rss version="2.0"><channel><title>t</title>{items}</channel></rss>'.encode()
            kind = "application/rss+xml"
        elif path == "/sitemap.xml":
            urls = "".join(
                f"<url><loc>https://{HOST}{page_path(i)}</loc></url>" for i in range(total)
            )
            body = (
                '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                f"{urls}</urlset>"
            ).encode()
            kind = "application/xml"
        elif path.startswith("/the-gioi/bai-viet-so-"):
            body, kind = page_html(int(path.split("-")[4])).encode(), "text/html; charset=utf-8"
        else:
            body, kind = b"not found", "text/plain"
        self.send_response(200 if kind != "text/plain" or path == "/robots.txt" else 404)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def serve(port_file: Path, step: int, total: int) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Pages)
    server.daemon_threads = True
    server.step, server.total, server.next_first = step, total, 0  # type: ignore[attr-defined]
    port_file.write_text(str(server.server_address[1]))
    server.serve_forever()


# -- measuring (this process) ------------------------------------------------------------------


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@dataclass
class Sample:
    pages: int
    rss: float
    peak: float
    seconds: float


def settings_for(port: int, data_dir: Path, step: int) -> Any:
    from flows.settings import PolitenessSettings, Settings

    return Settings(
        data_dir=data_dir,
        host_map={HOST: f"127.0.0.1:{port}"},
        politeness=PolitenessSettings(
            min_delay_seconds=0.0, max_connections_per_host=8, max_retries=0
        ),
        max_articles_per_outlet=step,
    )


def test_outlet() -> Any:
    from records import Outlet

    return Outlet(
        key="baothu",
        name="Báo Thử",
        domains=(HOST,),
        feeds=(FEED,),
        sitemaps=(SITEMAP,),
        article_url_pattern=r"^https://baothu\.vn/the-gioi/bai-viet-so-\d+-\d+\.html$",
        min_delay_seconds=0.0,
    )


async def run_monitor(port: int, data_dir: Path, pages: int, step: int) -> list[Sample]:
    from dataclasses import replace

    from flows.monitoring import monitor_outlet
    from storage.db import Database

    settings = settings_for(port, data_dir, step)
    outlet = replace(test_outlet(), sitemaps=())  # the feed only: one window per run
    db = Database(settings.resolved_database_url)
    samples = [Sample(0, rss_mb(), peak_mb(), 0.0)]
    started, stored = time.monotonic(), 0
    try:
        while stored < pages:
            counters = await monitor_outlet(outlet, settings, db)
            if counters.stored == 0:
                raise SystemExit(f"a run stored nothing: {counters.error_messages[:3]}")
            stored += counters.stored
            samples.append(Sample(stored, rss_mb(), peak_mb(), time.monotonic() - started))
            print(f"  {stored:>6} pages  rss {samples[-1].rss:7.1f} MB", flush=True)
    finally:
        db.dispose()
    return samples


async def run_backfill(port: int, data_dir: Path, pages: int, step: int) -> list[Sample]:
    from sqlalchemy import func, select

    from flows.backfill import backfill_outlet
    from storage.db import Database
    from storage.models import ArticleRow

    settings = settings_for(port, data_dir, step)
    outlet = test_outlet()
    db = Database(settings.resolved_database_url)
    samples = [Sample(0, rss_mb(), peak_mb(), 0.0)]
    started = time.monotonic()

    async def sample_every_step() -> None:
        mark = step
        while True:
            await asyncio.sleep(0.25)
            with db.session() as session:
                count = session.scalar(select(func.count()).select_from(ArticleRow)) or 0
            if count >= mark:
                samples.append(Sample(count, rss_mb(), peak_mb(), time.monotonic() - started))
                print(f"  {count:>6} pages  rss {samples[-1].rss:7.1f} MB", flush=True)
                mark = (count // step + 1) * step

    sampler = asyncio.create_task(sample_every_step())
    try:
        counters = await backfill_outlet(
            outlet, settings, db, since=date(2026, 7, 1), until=None, max_articles=pages
        )
    finally:
        sampler.cancel()
        db.dispose()
    samples.append(Sample(counters.stored, rss_mb(), peak_mb(), time.monotonic() - started))
    if counters.errors:
        print(f"  errors: {counters.errors} {counters.error_messages[:3]}")
    return samples


def report(mode: str, samples: list[Sample]) -> None:
    print(f"\n{mode}: resident memory (MB) against pages stored")
    print(f"{'pages':>8}{'rss':>9}{'peak':>9}{'seconds':>9}")
    for sample in samples:
        print(f"{sample.pages:>8}{sample.rss:>9.1f}{sample.peak:>9.1f}{sample.seconds:>9.1f}")
    warm = samples[1] if len(samples) > 2 else samples[0]  # after the first run: imports, caches
    last = samples[-1]
    span = max(1, last.pages - warm.pages)
    growth = last.rss - warm.rss
    print(
        f"\npeak {max(s.peak for s in samples):.1f} MB; rss {warm.rss:.1f} MB after "
        f"{warm.pages} pages, {last.rss:.1f} MB after {last.pages} pages: "
        f"{growth:+.1f} MB, {1000 * growth / span:+.2f} MB per 1,000 pages; "
        f"{last.pages / max(last.seconds, 1e-9):.0f} pages/s"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--mode", choices=["monitor", "backfill"], default="monitor")
    parser.add_argument("--pages", type=int, default=10_000)
    parser.add_argument("--step", type=int, default=500, help="pages per run / per sample")
    parser.add_argument("--serve", type=Path, help=argparse.SUPPRESS)  # child process
    args = parser.parse_args(argv)
    if args.serve:
        serve(args.serve, args.step, args.pages)
        return 0
    os.environ.setdefault("DO_NOT_TRACK", "1")
    with tempfile.TemporaryDirectory(prefix="diplowatch-memory-") as tmp:
        port_file = Path(tmp) / "port"
        command = [
            sys.executable,
            "-m",
            "bench.memory",
            "--serve",
            str(port_file),
            "--pages",
            str(args.pages),
            "--step",
            str(args.step),
        ]
        child = subprocess.Popen(command)
        try:
            while not port_file.exists() or not port_file.read_text():
                time.sleep(0.05)
            port = int(port_file.read_text())
            print(
                f"{args.mode}: {args.pages} pages from 127.0.0.1:{port}, sampled every {args.step}",
                flush=True,
            )
            run = run_monitor if args.mode == "monitor" else run_backfill
            samples = asyncio.run(run(port, Path(tmp) / "data", args.pages, args.step))
        finally:
            child.terminate()
            child.wait(timeout=10)
    report(args.mode, samples)
    return 0


if __name__ == "__main__":
    sys.exit(main())
