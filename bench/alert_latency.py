"""Alert latency bench: from an article appearing in an outlet's feed to its alert accepted
by the SMTP server and by the chat webhook, through the real monitor flow.

    uv run python -m bench.alert_latency [--articles 20] [--interval 10] [--seed 13]

A loopback outlet (``vnexpress`` reached through ``host_map`` on tests/http_server.py) whose
feed grows while the bench runs: ``--articles`` distinct diplomacy events (a Vietnamese
leader receiving a US visitor, each its own story, each meeting the default ``leader`` rule)
appear at random moments over ``articles x interval / 2`` seconds. The ``monitor`` flow runs
on a schedule every ``--interval`` seconds (the production schedule is 15 minutes; the bench
shortens it so that it runs in a few minutes: the bound scales with it) on Prefect's
temporary API, with SQLite, aiosmtpd and an HTTP server standing in for a JSON webhook
(apprise ``json://``). Latency of an article = the later of the two acceptances (the SMTP
server's DATA reply, the webhook's POST) minus the moment it entered the feed. Its bound =
one interval + the duration of the run that sent it.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import tempfile
import threading
import time
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from records import VIETNAM_TZ
from tests.http_server import LocalServer, RecordedRequest, Reply
from tests.site import DIPLOMACY_ARTICLE, TestArticle, article_html, rss_feed

HOST = "vnexpress.net"
HOOK = "/hooks/desk"
LEADERS = [
    ("Phó Thủ tướng", name)
    for name in (
        "Bùi Thanh Sơn", "Trần Hồng Hà", "Lê Thành Long", "Hồ Đức Phớc", "Nguyễn Hòa Bình",
        "Mai Văn Chính", "Trần Lưu Quang", "Lê Minh Khái", "Nguyễn Chí Dũng", "Phạm Thị Thanh Trà",
    )
] + [("Bộ trưởng Ngoại giao", "Lê Hoài Trung")]  # fmt: skip
VISITORS = [
    "Đại sứ Hoa Kỳ", "Bộ trưởng Thương mại Hoa Kỳ", "Thượng nghị sĩ Hoa Kỳ",
    "Thứ trưởng Ngoại giao Hoa Kỳ", "Bộ trưởng Năng lượng Hoa Kỳ", "Đặc phái viên Hoa Kỳ",
]  # fmt: skip
VOCABULARY = (
    "năng lượng bán dẫn giáo dục y tế nông nghiệp khí hậu chuỗi cung ứng hàng không cảng biển "
    "đường sắt tài chính ngân hàng du lịch văn hóa khoa học công nghệ khởi nghiệp đổi mới sáng "
    "tạo thủy sản dệt may điện tử logistics lao động đào tạo nghề hạ tầng số an ninh mạng vũ trụ "
    "đại dương rừng nước sạch đô thị thông minh"
)
WORDS = VOCABULARY.split()


def event(number: int, rng: random.Random) -> TestArticle:
    title_word, leader = LEADERS[number % len(LEADERS)]
    visitor = VISITORS[number % len(VISITORS)]
    field = " ".join(rng.sample(WORDS, 3))
    filler = [" ".join(rng.choice(WORDS) for _ in range(60)).capitalize() + "." for _ in range(3)]
    return replace(
        DIPLOMACY_ARTICLE,
        path=f"/thoi-su/bao-nhanh-{number:02d}-49{number:05d}.html",
        title=f"{title_word} {leader} tiếp {visitor} về {field} (số {number})",
        sapo=f"Ngày hôm nay, tại Hà Nội, {title_word} {leader} tiếp {visitor} đang thăm Việt Nam.",
        paragraphs=(
            f"Tại cuộc tiếp, {title_word} {leader} đánh giá cao quan hệ Đối tác chiến lược toàn "
            f"diện Việt Nam - Hoa Kỳ và đề nghị hai bên thúc đẩy hợp tác về {field}.",
            *filler,
        ),
    )


@dataclass
class Article:
    page: TestArticle
    appear_at: float  # seconds after the bench's start
    appeared: float | None = None  # time.time() when it entered the feed
    mailed: float | None = None
    posted: float | None = None


class Mailbox:
    def __init__(self) -> None:
        self.received: list[tuple[float, str]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        from email import message_from_bytes
        from email.policy import default

        message = message_from_bytes(envelope.content, policy=default)
        self.received.append((time.time(), str(message["Subject"])))
        return "250 Message accepted"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=20)
    parser.add_argument("--interval", type=float, default=10.0, help="monitor interval, s")
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args()
    for name, value in (("DO_NOT_TRACK", "1"), ("PREFECT_SERVER_ANALYTICS_ENABLED", "false"),
                        ("PREFECT_LOGGING_LEVEL", "WARNING")):  # fmt: skip
        os.environ.setdefault(name, value)
    from aiosmtpd.controller import Controller
    from prefect.testing.utilities import prefect_test_harness

    from analysis.classifier import classify
    from flows.monitor import monitor
    from flows.settings import get_settings
    from parsers.registry import outlet_by_key
    from tests.smtp_server import free_port

    rng = random.Random(args.seed)
    span = args.articles * args.interval / 2
    articles = [Article(event(n, rng), rng.uniform(0, span)) for n in range(1, args.articles + 1)]
    articles.sort(key=lambda a: a.appear_at)
    lock = threading.Lock()
    listed: list[TestArticle] = []
    classify("Thủ tướng tiếp Đại sứ Hoa Kỳ", "Hai bên trao đổi về hợp tác.")  # load the model

    def feed(_: RecordedRequest) -> Reply:
        with lock:
            body = rss_feed(HOST, list(reversed(listed)))
        return Reply(200, body, content_type="application/rss+xml; charset=utf-8")

    posts: list[tuple[float, str]] = []

    def hook(request: RecordedRequest) -> Reply:
        posts.append((time.time(), str(json.loads(request.body)["title"]).replace("\\", "")))
        return Reply(200, "ok")

    mailbox = Mailbox()
    port = free_port()
    smtp = Controller(mailbox, hostname="127.0.0.1", port=port)
    smtp.start()
    with tempfile.TemporaryDirectory() as tmp, LocalServer() as site, LocalServer() as webhook:
        site.add(HOST, "/robots.txt", "User-agent: *\nAllow: /\n", content_type="text/plain")
        feeds = outlet_by_key("vnexpress").feeds
        site.add_handler(HOST, feeds[0].split(HOST, 1)[1], feed)
        for other in feeds[1:]:
            site.add(HOST, other.split(HOST, 1)[1], rss_feed(HOST, []),
                     content_type="application/rss+xml; charset=utf-8")  # fmt: skip
        for item in articles:
            site.add(HOST, item.page.path, "", status=404)  # not published yet
        webhook.add_handler("127.0.0.1", HOOK, hook)
        env = {
            "DIPLOWATCH_DATA_DIR": str(Path(tmp) / "data"),
            "DIPLOWATCH_HOST_MAP": json.dumps(site.host_map(HOST)),
            "DIPLOWATCH_POLITENESS__MIN_DELAY_SECONDS": "0.05",
            "DIPLOWATCH_POLITENESS__OUTLET_DELAYS": json.dumps({"vnexpress": 0.05}),
            "DIPLOWATCH_SMTP__HOST": "127.0.0.1",
            "DIPLOWATCH_SMTP__PORT": str(port),
            "DIPLOWATCH_SMTP__SECURITY": "none",
            "DIPLOWATCH_PROFILES": json.dumps([{
                "name": "vn-us", "partners": ["US"], "recipients": ["desk@example.org"],
                "story_alerts": {"quiet_hours": None,
                                 "channels": {"desk": f"json://{webhook.address}{HOOK}"}},
            }]),
        }  # fmt: skip
        os.environ.update(env)
        get_settings.cache_clear()
        with prefect_test_harness(server_startup_timeout=180):
            runs = schedule(articles, site, lock, listed, args.interval, span, monitor)
    smtp.stop()
    report(articles, runs, mailbox.received, posts, args)


def schedule(
    articles: list[Article],
    site: LocalServer,
    lock: threading.Lock,
    listed: list[TestArticle],
    interval: float,
    span: float,
    monitor: Any,
) -> list[tuple[float, float]]:
    """Publish the articles on their times (a thread) while the monitor runs every
    ``interval`` seconds; the runs' (start, end) as time.time()."""
    start = time.time()

    def publish() -> None:
        for item in articles:
            time.sleep(max(0.0, start + item.appear_at - time.time()))
            moment = datetime.now(UTC).astimezone(VIETNAM_TZ).replace(microsecond=0)
            page = replace(item.page, published_at=moment - timedelta(seconds=30))
            item.page = page
            site.add(HOST, page.path, article_html(HOST, page))
            with lock:
                listed.append(page)
                item.appeared = time.time()

    publisher = threading.Thread(target=publish, daemon=True)
    publisher.start()
    runs: list[tuple[float, float]] = []
    next_start = start
    while True:
        time.sleep(max(0.0, next_start - time.time()))
        began = time.time()
        asyncio.run(monitor(outlets=["vnexpress"]))
        runs.append((began, time.time()))
        print(f"run {len(runs)}: {runs[-1][1] - began:.1f} s, {len(listed)} articles listed",
              flush=True)  # fmt: skip
        next_start += interval
        if not publisher.is_alive() and began > start + span + 0.1:
            return runs


def report(
    articles: list[Article],
    runs: list[tuple[float, float]],
    mails: list[tuple[float, str]],
    posts: list[tuple[float, str]],
    args: argparse.Namespace,
) -> None:
    rows: list[tuple[float, float, float]] = []  # latency, mail latency, bound
    for item in articles:
        title = item.page.title
        item.mailed = next((t for t, subject in mails if title in subject), None)
        item.posted = next((t for t, text in posts if title in text), None)
        if item.appeared is None or item.mailed is None or item.posted is None:
            print(f"NOT ALERTED: {title}")
            continue
        done = max(item.mailed, item.posted)
        run = next(((s, e) for s, e in runs if s <= done <= e + 0.5), None)
        duration = (run[1] - run[0]) if run else max(e - s for s, e in runs)
        rows.append((done - item.appeared, item.mailed - item.appeared, args.interval + duration))
    durations = [e - s for s, e in runs]
    print(f"\n{len(articles)} articles, {len(rows)} alerted by email and webhook; "
          f"{len(mails)} mails, {len(posts)} webhook posts; {len(runs)} monitor runs "
          f"every {args.interval:g} s (median run {statistics.median(durations):.1f} s, "
          f"longest {max(durations):.1f} s)")  # fmt: skip
    if not rows:
        return
    latencies = [r[0] for r in rows]
    ratios = [r[0] / r[2] for r in rows]
    print(f"latency, feed → accepted by SMTP and webhook: median "
          f"{statistics.median(latencies):.1f} s, worst {max(latencies):.1f} s")  # fmt: skip
    print(f"email alone: median {statistics.median(r[1] for r in rows):.1f} s, "
          f"worst {max(r[1] for r in rows):.1f} s")  # fmt: skip
    bound = statistics.median(r[2] for r in rows)
    print(f"bound (interval + the run's duration): median {bound:.1f}"
          f" s; latency / bound: median {statistics.median(ratios):.2f}, worst {max(ratios):.2f}"
          f"; over the bound: {sum(r > 1 for r in ratios)}")  # fmt: skip


if __name__ == "__main__":
    main()
