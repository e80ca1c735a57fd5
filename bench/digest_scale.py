"""Digest scale: the time to build one digest over many stored articles (SQLite).

    uv run python -m bench.digest_scale [--articles 100000] [--compare 10000] [--runs 5]

The rows are SYNTHETIC, generated here: ``--articles`` articles over ``--days`` days (20
registry outlets), 35% of them diplomacy. Diplomacy articles come in stories of 1 to 8
articles (a "leader receives/calls/visits partner" event, US for a fifth of them, told by
several outlets, a third of the copies crediting "TTXVN"), each with a verdict, a story
row, a membership row with a 512-byte signature and 66 lookup keys (random: the digest does
not read them, they only give the tables their real size); the text is our own sentences
built from templates. The other articles get a non-diplomacy verdict.

Timed (first run, then the median of ``--runs``): ``flows.digesting.prepare_digest`` for
profile vn-us (partner US) and a day near the end: the window query, the stories and their
coverage, ranking, rendering (HTML with css-inline, text, Markdown), writing the files and
the Atom feed, storing the digest row. Then ``collect_digest`` and ``render_digest`` alone,
and filing 100 new articles in stories (``file_in_story``: real MinHash, candidate lookup
among the stored keys, matching, summary refresh). The same at ``--compare`` articles, and
the ratio: a digest reads one window, so its time should not grow with the archive.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert

from digest.render import render_digest
from flows.digesting import collect_digest, prepare_digest
from flows.settings import Settings, WatchProfile
from flows.stories import file_in_story
from parsers.registry import OUTLETS
from records import VIETNAM_TZ, Article, Person, Verdict
from storage.db import Database
from storage.models import (
    ArticleRow,
    StoryArticleRow,
    StoryKeyRow,
    StoryRow,
    VerdictRow,
)
from storage.repository import save_verdict, upsert_article

END = datetime(2026, 11, 24, 0, 0, tzinfo=UTC)  # 07:00 in Hanoi
PARTNERS = {"US": "Hoa Kỳ", "JP": "Nhật Bản", "CN": "Trung Quốc", "KR": "Hàn Quốc",
            "LA": "Lào", "KH": "Campuchia", "FR": "Pháp", "AU": "Australia"}  # fmt: skip
WEIGHTS = [20, 14, 14, 12, 10, 10, 10, 10]
LEADERS = [("Tổng Bí thư", "Tô Lâm"), ("Thủ tướng", "Phạm Minh Chính"),
           ("Chủ tịch Quốc hội", "Trần Thanh Mẫn"), ("Phó Thủ tướng", "Bùi Thanh Sơn"),
           ("Thứ trưởng Ngoại giao", "Nguyễn Minh Vũ")]  # fmt: skip
EVENTS = [
    ("reception", "tiếp Đại sứ {p}"),
    ("call", "điện đàm với lãnh đạo {p}"),
    ("visit", "thăm chính thức {p}"),
    ("talks", "hội đàm với Bộ trưởng Ngoại giao {p}"),
]
TOPICS = ["economy-trade-investment", "science-technology", "semiconductors", "energy",
          "education", "defence-security", "climate"]  # fmt: skip
SENTENCES = [
    "Hai bên đánh giá cao những bước phát triển tích cực trong quan hệ song phương thời gian qua.",
    "Lãnh đạo hai nước nhất trí tăng cường tiếp xúc, trao đổi đoàn ở các cấp, các kênh.",
    "Hợp tác kinh tế, thương mại, đầu tư tiếp tục là trụ cột quan trọng của quan hệ hai nước.",
    "Hai bên thống nhất thúc đẩy hợp tác khoa học công nghệ, đổi mới sáng tạo và chuyển đổi số.",
    "Phía bạn khẳng định coi trọng vai trò và vị thế ngày càng tăng của Việt Nam trong khu vực.",
    "Hai bên trao đổi về các vấn đề quốc tế và khu vực cùng quan tâm, trong đó có Biển Đông.",
    "Lãnh đạo hai nước nhất trí phối hợp chặt chẽ tại các diễn đàn đa phương.",
    "Hai bên nhất trí đẩy mạnh giao lưu nhân dân, hợp tác giáo dục, đào tạo và du lịch.",
]
OTHER = [
    "Giá vàng trong nước hôm nay biến động nhẹ theo xu hướng thế giới.",
    "Đội tuyển bóng đá quốc gia chuẩn bị cho trận đấu vòng loại sắp tới.",
    "Thành phố triển khai nhiều giải pháp giảm ùn tắc giao thông giờ cao điểm.",
    "Ngành y tế khuyến cáo người dân chủ động phòng bệnh trong mùa mưa.",
]


def synthetic_rows(count: int, days: int, rng: random.Random) -> dict[str, list[dict[str, Any]]]:
    """Rows for the five tables (see the module docstring)."""
    outlets = [outlet.key for outlet in OUTLETS[:20]]
    start = END - timedelta(days=days)
    rows: dict[str, list[dict[str, Any]]] = {
        k: [] for k in ("articles", "verdicts", "stories", "members", "keys")
    }
    now = datetime.now(UTC)
    article_id = story_id = 0
    while article_id < count:
        moment = start + timedelta(seconds=rng.uniform(0, days * 86400))
        diplomacy = rng.random() < 0.35
        size = min(8, 1 + int(rng.expovariate(0.6))) if diplomacy else 1
        partner = rng.choices(list(PARTNERS), WEIGHTS)[0]
        office, leader = rng.choice(LEADERS)
        event, phrase = rng.choice(EVENTS)
        title = f"{office} {leader} {phrase.format(p=PARTNERS[partner])}"
        body = rng.sample(SENTENCES if diplomacy else OTHER, k=4 if diplomacy else 3)
        story_id += int(diplomacy)
        members = []
        for copy in range(min(size, count - article_id)):
            article_id += 1
            when = moment + timedelta(hours=copy * rng.uniform(0.5, 6))
            outlet = rng.choice(outlets)
            rows["articles"].append({
                "id": article_id, "url_key": f"https://{outlet}.example/{article_id}",
                "url": f"https://{outlet}.example/{article_id}", "canonical_url": None,
                "outlet_key": outlet, "title": title if diplomacy else body[0][:60],
                "sapo": f"Ngày {when.astimezone(VIETNAM_TZ):%d/%m}, {title.lower()}.",
                "paragraphs": body, "authors": [], "published_at": when, "updated_at": None,
                "section": "Thời sự", "tags": [], "images": [],
                "credited_source": "TTXVN" if copy and rng.random() < 0.33 else None,
                "extraction_method": "synthetic", "first_seen_at": when, "fetched_at": when,
                "warc_file": None,
            })  # fmt: skip
            rows["verdicts"].append({
                "article_id": article_id, "is_diplomacy": diplomacy,
                "score": rng.uniform(0.6, 1.0) if diplomacy else rng.uniform(0, 0.3),
                "partners": [partner] if diplomacy else [], "event": event if diplomacy else None,
                "topics": rng.sample(TOPICS, k=2) if diplomacy else [],
                "people": [{"name": leader, "title": office}] if diplomacy else [],
                "evidence": [], "model_version": "synthetic", "classified_at": now,
            })  # fmt: skip
            if diplomacy:
                members.append((article_id, when, outlet))
                rows["members"].append({
                    "article_id": article_id, "story_id": story_id, "moment": when,
                    "similarity": 1.0, "signature": rng.randbytes(512), "shingle_count": 200,
                    "model_version": "synthetic", "joined_at": now,
                })  # fmt: skip
                rows["keys"].extend(
                    {"article_id": article_id, "band_key": rng.getrandbits(63), "moment": when}
                    for _ in range(66)
                )
        if diplomacy and members:
            rows["stories"].append({
                "id": story_id, "representative_id": members[0][0], "title": title,
                "first_seen_at": members[0][1], "last_seen_at": max(m[1] for m in members),
                "article_count": len(members),
                "outlet_count": len({m[2] for m in members}),
                "outlets": list(dict.fromkeys(m[2] for m in members)), "partners": [partner],
                "people": [{"name": leader, "title": office}], "topics": TOPICS[:2],
                "event": event, "score": 0.9, "created_at": now, "updated_at": now,
            })  # fmt: skip
    return rows


def build(path: Path, count: int, days: int, seed: int) -> Database:
    db = Database(f"sqlite:///{path}")
    rows = synthetic_rows(count, days, random.Random(seed))
    started = time.perf_counter()
    with db.session() as session:
        for model, name in ((ArticleRow, "articles"), (VerdictRow, "verdicts"),
                            (StoryRow, "stories"), (StoryArticleRow, "members"),
                            (StoryKeyRow, "keys")):  # fmt: skip
            batch = rows[name]
            for offset in range(0, len(batch), 20_000):
                session.execute(insert(model), batch[offset : offset + 20_000])
    print(
        f"  built {path.name}: {len(rows['articles']):,} articles, {len(rows['stories']):,} "
        f"stories, {len(rows['members']):,} filed, {len(rows['keys']):,} keys "
        f"in {time.perf_counter() - started:.1f} s ({path.stat().st_size / 1e6:.0f} MB)"
    )
    return db


def timed(action: Callable[[], Any], runs: int) -> tuple[float, float, Any]:
    started = time.perf_counter()
    result = action()
    first = time.perf_counter() - started
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        result = action()
        times.append(time.perf_counter() - started)
    return first, statistics.median(times), result


def file_new(db: Database, rng: random.Random, count: int) -> float:
    """Seconds per article to store and file ``count`` new diplomacy articles."""
    outlets = [outlet.key for outlet in OUTLETS[:20]]
    started = time.perf_counter()
    for number in range(count):
        partner = rng.choices(list(PARTNERS), WEIGHTS)[0]
        office, leader = rng.choice(LEADERS)
        when = END - timedelta(hours=rng.uniform(1, 20))
        outlet = rng.choice(outlets)
        article = Article(
            outlet=outlet, url=f"https://{outlet}.example/new-{number}", canonical_url=None,
            title=f"{office} {leader} tiếp Đại sứ {PARTNERS[partner]} số {number}",
            sapo="Chiều nay " + rng.choice(SENTENCES).lower(),
            paragraphs=tuple(rng.sample(SENTENCES, k=4)), published_at=when,
        )  # fmt: skip
        verdict = Verdict(True, 0.9, (partner,), "reception", ("education",),
                          (Person(leader, office),))  # fmt: skip
        with db.session() as session:
            article_id = upsert_article(session, article, url_key=article.url, fetched_at=when)
            save_verdict(session, article_id, verdict)
            file_in_story(session, article_id, article, verdict)
    return (time.perf_counter() - started) / count


def measure(folder: Path, count: int, days: int, runs: int, seed: int) -> dict[str, float]:
    path = folder / f"digest_scale_{count}.db"
    if path.exists():
        path.unlink()
    db = build(path, count, days, seed)
    settings = Settings(data_dir=folder)
    profile = WatchProfile(name="vn-us", partners=["US"])
    day = END.astimezone(VIETNAM_TZ).date() - timedelta(days=1)
    out = folder / f"out_{count}"
    first, median, (outcome, _) = timed(lambda: prepare_digest(db, settings, profile, day, out),
                                        runs)  # fmt: skip
    _, collect, (record, _, _) = timed(lambda: collect_digest(db, profile, day), runs)
    _, render, _ = timed(lambda: render_digest(record), runs)
    filing = file_new(db, random.Random(seed + 1), 100)
    db.dispose()
    print(
        f"  digest {day} vn-us: {outcome.stories} stories, {outcome.articles} articles, "
        f"{outcome.outlets} outlets"
    )
    return {"first": first, "median": median, "collect": collect, "render": render,
            "file": filing}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--compare", type=int, default=10_000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--dir", type=Path, help="where the databases go (default: a temp dir)")
    args = parser.parse_args()
    os.environ.setdefault("DO_NOT_TRACK", "1")
    with tempfile.TemporaryDirectory(prefix="digest_scale_") as scratch:
        folder = args.dir or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        print("warm-up (templates, regexes, first queries; not reported):")
        measure(folder, 1_000, max(1, round(args.days * 1_000 / args.articles)), 1, args.seed)
        results = {}
        for count in (args.compare, args.articles):
            days = max(1, round(args.days * count / args.articles))  # same articles per day
            print(f"{count:,} synthetic articles over {days} days (SQLite):")
            results[count] = measure(folder, count, days, args.runs, args.seed)
    small, big = results[args.compare], results[args.articles]
    print()
    print(f"{'':34}{args.compare:>12,}{args.articles:>12,}{'ratio':>8}")
    for key, label in (("first", "prepare_digest, first run (s)"),
                       ("median", "prepare_digest, median (s)"),
                       ("collect", "collect_digest, median (s)"),
                       ("render", "render_digest, median (s)"),
                       ("file", "file_in_story, per article (s)")):  # fmt: skip
        print(f"{label:34}{small[key]:>12.3f}{big[key]:>12.3f}{big[key] / small[key]:>8.2f}")


if __name__ == "__main__":
    main()
