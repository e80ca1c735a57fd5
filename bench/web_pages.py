"""Reading room page times over the storage bench's synthetic archive, with stories.

    uv run python -m bench.web_pages --postgres URL [--rows 1000000] [--reuse] [--runs 30]
    uv run python -m bench.web_pages --sqlite PATH --rows 20000

The articles are bench.storage_scale's (real VNTC sentences, 12% diplomacy naming a
partner, 20 outlets), loaded the same way (COPY / executemany, search triggers on) into
``diplowatch_scale_<rows>`` (shared with that bench: ``--reuse`` keeps a filled one).
Then the diplomacy articles are filed in stories: one story per partner, title and
Asia/Ho_Chi_Minh day (every outlet that ran that headline that day), inserted in bulk.
``--days`` (default: the full bench's density, 1,370 articles a day) sets the span.

Timed over a real socket (uvicorn on 127.0.0.1, one keep-alive client, ``--runs`` runs
after one warm-up; median and p95): the stories page of a day (profile vn-us), the page of
the story with the most articles, a filtered search (words + partner + diplomacy + 30
days), the weekly charts page (26 weeks) and its CSV, a partner's and a person's page (52
weeks); side by side, the same search as
``diplowatch search`` runs it (``storage.search.search_articles``, in process), and the
whole ``diplowatch search`` command as a user starts it (a new process: Python start-up,
settings, schema check, query, printing).
"""

from __future__ import annotations

import argparse
import json
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import uvicorn
from sqlalchemy import event, func, insert, select, text

from bench.storage_scale import END, LEADERS, bench_database, load_postgres, load_sqlite
from records import VIETNAM_TZ
from storage.db import Database
from storage.models import ArticleRow, StoryArticleRow, StoryRow, VerdictRow, utcnow
from storage.search import search_articles
from web import Profile, WebConfig, create_app

QUERY = "dai su hoa ky"
DENSITY = 1_000_000 / 730  # articles a day in the full bench


def file_stories(db: Database) -> int:
    """One story per (partner, title, day) of the diplomacy articles; returns the count."""
    when = func.coalesce(ArticleRow.published_at, ArticleRow.first_seen_at)
    with db.session() as session:
        rows = session.execute(
            select(ArticleRow.id, ArticleRow.outlet_key, ArticleRow.title, when,
                   VerdictRow.partners, VerdictRow.score)
            .join(VerdictRow, VerdictRow.article_id == ArticleRow.id)
            .where(VerdictRow.is_diplomacy.is_(True))
            .order_by(when, ArticleRow.id)
        ).all()  # fmt: skip
    groups: dict[tuple[str, str, str], list[Any]] = defaultdict(list)
    for row in rows:
        day = row[3].astimezone(VIETNAM_TZ).date().isoformat()
        groups[(",".join(row[4]), row[2], day)].append(row)
    now = utcnow()
    stories, members = [], []
    for story_id, ((partners, title, _), group) in enumerate(groups.items(), start=1):
        leader = next((name for name in LEADERS if title.startswith(name)), "Lãnh đạo")
        outlets = list(dict.fromkeys(r[1] for r in group))
        stories.append({
            "id": story_id, "representative_id": group[0][0], "title": title,
            "first_seen_at": group[0][3], "last_seen_at": group[-1][3],
            "article_count": len(group), "outlet_count": len(outlets), "outlets": outlets,
            "partners": partners.split(","), "people": [{"name": f"{leader} X", "title": leader}],
            "topics": [], "event": "reception", "score": max(r[5] for r in group),
            "created_at": now, "updated_at": now,
        })  # fmt: skip
        members += [
            {"article_id": r[0], "story_id": story_id, "moment": r[3], "similarity": 1.0,
             "signature": b"", "shingle_count": 0, "model_version": "bench", "joined_at": now}
            for r in group
        ]  # fmt: skip
    with db.session() as session:
        for offset in range(0, len(stories), 5000):
            session.execute(insert(StoryRow), stories[offset : offset + 5000])
        for offset in range(0, len(members), 5000):
            session.execute(insert(StoryArticleRow), members[offset : offset + 5000])
        if session.get_bind().dialect.name == "postgresql":
            session.execute(text("SELECT setval('stories_id_seq', (SELECT max(id) FROM stories))"))
    with db.engine.connect() as connection:
        connection.execute(text("ANALYZE"))
        connection.commit()
    return len(stories)


def no_prepared_statements(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.prepare_threshold = None


def serve(url: str) -> tuple[uvicorn.Server, threading.Thread, str]:
    """The reading room on ``url``'s database, served by uvicorn in a thread on a free
    loopback port: (server, thread, base URL). Stop it with ``server.should_exit = True``."""
    app = create_app(WebConfig(url, profiles=(Profile("vn-us", ("US",)),)))
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    return server, thread, f"http://127.0.0.1:{port}"


def laps(run: Callable[[], Any], runs: int) -> tuple[float, float, float]:
    """(first, median, p95) in milliseconds over ``runs`` runs after the first."""
    start = time.perf_counter()
    run()
    first = (time.perf_counter() - start) * 1000
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        run()
        times.append((time.perf_counter() - start) * 1000)
    p95 = statistics.quantiles(times, n=20)[18] if len(times) >= 2 else times[0]
    return first, statistics.median(times), p95


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    target = parser.add_mutually_exclusive_group(required=True)
    target.add_argument("--postgres", metavar="URL", help="any database on the server")
    target.add_argument("--sqlite", type=Path, metavar="PATH", help="a SQLite file")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--days", type=int, help="span (default: the full bench's density)")
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--reuse", action="store_true", help="keep a database already filled")
    parser.add_argument("--json", type=Path, help="write the results here")
    args = parser.parse_args(argv)
    days = args.days or max(7, round(args.rows / DENSITY))
    url, filled = bench_database(args)
    db = Database(url)
    backend = db.engine.dialect.name
    if backend == "postgresql":  # as the web's engine, and as one `diplowatch search` process
        event.listen(db.engine, "connect", no_prepared_statements)
    if not filled:
        start = time.perf_counter()
        (load_postgres if backend == "postgresql" else load_sqlite)(db.engine, args.rows, days)
        print(f"loaded {args.rows} articles over {days} days in "
              f"{time.perf_counter() - start:.0f} s")  # fmt: skip
    with db.session() as session:
        has_stories = bool(session.scalar(select(func.count()).select_from(StoryRow)))
    if not has_stories:
        start = time.perf_counter()
        count = file_stories(db)
        print(f"filed {count} stories in {time.perf_counter() - start:.0f} s")
    with db.session() as session:
        articles = session.scalar(select(func.count()).select_from(ArticleRow))
        stories = session.scalar(select(func.count()).select_from(StoryRow))
        biggest, size = session.execute(
            select(StoryRow.id, StoryRow.article_count).order_by(StoryRow.article_count.desc())
        ).first() or (0, 0)  # fmt: skip
    end_day = END.astimezone(VIETNAM_TZ).date()
    middle = end_day - timedelta(days=days // 2)
    since = end_day - timedelta(days=30)
    print(f"{backend}: {articles} articles, {stories} stories over {days} days; {args.runs}"
          f" runs after a warm-up; biggest story {biggest} ({size} articles)")  # fmt: skip
    db.engine.dispose()  # the connections opened so far were made before the listener
    server, thread, base = serve(url)
    results: dict[str, tuple[float, float, float]] = {}
    pages = {
        f"stories page (day {middle}, vn-us)": f"/stories?day={middle}&profile=vn-us",
        f"story page ({size} articles, page 1)": f"/stories/{biggest}",
        f"search page: {QUERY} + diplomacy + 30 days": f"/search?q={QUERY}&diplomacy=1"
        f"&from={since}&to={end_day}",
        f"search page: {QUERY} + partner US + diplomacy + 30 days": f"/search?q={QUERY}"
        f"&partner=US&diplomacy=1&from={since}&to={end_day}",
        "weekly charts page (26 weeks, 2 SVG charts)": f"/charts?to={end_day}",
        "partner page US (52 weeks: chart, newest 20)": f"/partners/US?to={end_day}",
        "person page (52 weeks: chart, newest 20)": f"/people/{quote('Thủ tướng X')}"
        f"?to={end_day}",
        "weekly chart CSV (partners, 26 weeks)": f"/charts/partners.csv?to={end_day}",
    }  # fmt: skip
    try:
        with httpx.Client(base_url=base, timeout=120) as client:
            for label, path in pages.items():

                def get(path: str = path) -> None:
                    response = client.get(path)
                    assert response.status_code == 200, (path, response.text[-500:])

                results[label] = laps(get, args.runs)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
    since_time = since.isoformat()
    since_start = datetime.combine(since, datetime.min.time(), VIETNAM_TZ)

    def in_process() -> None:
        with db.session() as session:
            search_articles(session, QUERY, diplomacy_only=True, limit=20, since=since_start)

    results[f"diplowatch search's query, in process: {QUERY} --diplomacy --since"] = laps(
        in_process, args.runs
    )
    command = [sys.executable, "-m", "flows.cli", "search", *QUERY.split(), "--diplomacy",
               "--since", since_time, "--db", url]  # fmt: skip

    def process() -> None:
        subprocess.run(command, check=True, capture_output=True)

    results[f"diplowatch search {QUERY} --diplomacy --since (new process)"] = laps(
        process, min(args.runs, 5)
    )
    db.dispose()
    print(f"\n{'':<70} {'first':>8} {'median':>8} {'p95':>8}  (ms)")
    for label, (first, median, p95) in results.items():
        print(f"{label:<70} {first:8.1f} {median:8.1f} {p95:8.1f}")
    worst = max(p95 for label, (_, _, p95) in results.items() if "diplowatch search" not in label)
    print(f"slowest page p95: {worst:.1f} ms ({'under' if worst < 300 else 'OVER'} 300 ms)")
    if args.json:
        args.json.write_text(json.dumps({"backend": backend, "articles": articles,
                                         "stories": stories, "days": days,
                                         "results": results}, indent=2))  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
