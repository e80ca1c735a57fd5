"""Storage scale check: the digest query and full-text search over many stored articles.

    uv run python -m bench.storage_scale --postgres URL [--rows 1000000] [--reuse]
    uv run python -m bench.storage_scale --sqlite PATH [--rows 100000]

The articles are SYNTHETIC: 20 outlets x ~1,370 articles a day over two years (1,000,000
rows), each a real VNTC title and 4-8 real VNTC paragraphs (../shared/corpus, ~2,000 texts
of 2006 news) drawn at random, so words are distributed like Vietnamese news; 12% get a
diplomacy title and lead naming a partner ("... tiếp Đại sứ Hoa Kỳ ...") and a diplomacy
verdict with that partner, the rest a non-diplomacy verdict; 5% have no published time.
Rows go in through COPY (PostgreSQL) or executemany (SQLite) with the search triggers on,
so the load also measures index upkeep. ``--postgres URL`` names any database on the
server; the bench creates and fills its own database ``diplowatch_scale_<rows>`` there
(``--reuse`` keeps a filled one; ``--drop`` removes it at the end).

Timed (median of ``--runs`` warm runs, plus the first run): the digest query
(storage.repository.diplomacy_articles, 24 h window, partner US, min score 0.5) and
storage.search.search_articles for several queries; then the plan of each (EXPLAIN
ANALYZE on PostgreSQL, EXPLAIN QUERY PLAN on SQLite) of the statements they really sent.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tarfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url

from parsers.registry import OUTLETS
from records import VIETNAM_TZ
from storage.db import Database
from storage.repository import diplomacy_articles
from storage.search import count_matches, search_articles

SHARED = Path(
    os.environ.get("DIPLOWATCH_SHARED_DIR", Path(__file__).resolve().parents[2] / "shared")
)
VNTC = SHARED / "corpus" / "vntc_sample.tar.xz"
END = datetime(2026, 11, 24, 0, 0, tzinfo=UTC)
PARTNERS = {
    "US": "Hoa Kỳ", "JP": "Nhật Bản", "CN": "Trung Quốc", "KR": "Hàn Quốc", "LA": "Lào",
    "KH": "Campuchia", "RU": "Liên bang Nga", "IN": "Ấn Độ", "AU": "Australia",
    "FR": "Pháp", "DE": "Đức", "EU": "Liên minh châu Âu",
}  # fmt: skip
PARTNER_WEIGHTS = [20, 12, 12, 10, 8, 6, 6, 6, 5, 5, 5, 5]
LEADERS = ["Tổng Bí thư", "Chủ tịch nước", "Thủ tướng", "Phó Thủ tướng", "Bộ trưởng Ngoại giao"]
TITLES = [
    "{leader} tiếp Đại sứ {partner} tại Việt Nam",
    "{leader} điện đàm với lãnh đạo {partner}",
    "{leader} hội đàm với Thủ tướng {partner}",
    "Việt Nam và {partner} thúc đẩy hợp tác kinh tế, thương mại",
    "Đoàn đại biểu cấp cao {partner} thăm chính thức Việt Nam",
]
LEADS = [
    "Chiều nay, tại Hà Nội, {leader} đã tiếp Đại sứ {partner} đến chào xã giao nhân dịp "
    "bắt đầu nhiệm kỳ công tác tại Việt Nam.",
    "{leader} đề nghị hai bên tăng cường trao đổi đoàn cấp cao, mở rộng hợp tác đầu tư, "
    "khoa học công nghệ và giao lưu nhân dân giữa Việt Nam và {partner}.",
]
COLUMNS = (
    "url_key, url, canonical_url, outlet_key, title, sapo, paragraphs, authors, published_at,"
    " updated_at, section, tags, images, credited_source, extraction_method, first_seen_at,"
    " fetched_at, warc_file"
)
VERDICT_COLUMNS = (
    "article_id, is_diplomacy, score, partners, event, topics, people, evidence,"
    " model_version, classified_at"
)
SEARCHES: list[tuple[str, str, dict[str, Any]]] = [
    ("rare name", '"phu cat"', {}),
    ("words", "dai su hoa ky", {}),
    ("phrase", '"dai su hoa ky"', {}),
    ("most common words", "viet nam", {}),
    ("accented (folds to common)", "thượng thẩm", {}),
    ("words, diplomacy, 30 days", "dai su hoa ky", {"diplomacy_only": True, "days": 30}),
    ("common, one outlet, 7 days", "viet nam", {"outlets": ["vnexpress"], "days": 7}),
]


def vntc_texts() -> tuple[list[str], list[str]]:
    """VNTC titles and paragraphs (UTF-16 files; line 1 is the title)."""
    if not VNTC.is_file():
        sys.exit(f"needs {VNTC} (the shared corpus)")
    titles: list[str] = []
    paragraphs: list[str] = []
    with tarfile.open(VNTC) as archive:
        for member in archive.getmembers():
            handle = archive.extractfile(member) if member.name.endswith(".txt") else None
            if handle is None:
                continue
            lines = [line.strip() for line in handle.read().decode("utf-16").splitlines()]
            lines = [line for line in lines if line]
            titles.append(lines[0])
            paragraphs.extend(line for line in lines[1:] if len(line) > 40)
    return titles, paragraphs


def synthetic(rows: int, days: int, seed: int = 6) -> Iterator[tuple[tuple[Any, ...], ...]]:
    """(article row, verdict row without its article id) in COLUMNS order."""
    rng = random.Random(seed)
    titles, paragraphs = vntc_texts()
    outlets = [outlet.key for outlet in OUTLETS][:20]
    span = days * 86400
    for number in range(rows):
        outlet = outlets[number % len(outlets)]
        seen = END - timedelta(seconds=rng.random() * span)
        published = None if rng.random() < 0.05 else seen - timedelta(minutes=rng.randint(1, 90))
        body = rng.sample(paragraphs, rng.randint(4, 8))
        title, sapo = rng.choice(titles), body[0].split(". ")[0]
        partners: list[str] = []
        if rng.random() < 0.12:
            code = rng.choices(list(PARTNERS), PARTNER_WEIGHTS)[0]
            names = {"leader": rng.choice(LEADERS), "partner": PARTNERS[code]}
            title = rng.choice(TITLES).format(**names)
            sapo = rng.choice(LEADS).format(**names)
            partners = [code]
        url = f"https://{outlet}.example/{number}.html"
        article = (
            f"{outlet}.example/{number}", url, url, outlet, title, sapo,
            json.dumps(body), "[]", published, None, None, "[]", "[]", None, "synthetic",
            seen, seen, None,
        )  # fmt: skip
        score = rng.uniform(0.55, 0.99) if partners else rng.uniform(0.0, 0.3)
        verdict = (
            bool(partners), score, json.dumps(partners), "reception" if partners else None,
            "[]", "[]", "[]", "synthetic", seen,
        )  # fmt: skip
        yield article, verdict


def load_postgres(engine: Engine, rows: int, days: int) -> None:
    raw = engine.raw_connection()
    try:
        connection: Any = raw.driver_connection
        cursor = connection.cursor()
        with cursor.copy(f"COPY articles ({COLUMNS}) FROM STDIN") as copy:
            verdicts = []
            for article, verdict in synthetic(rows, days):
                copy.write_row(article)
                verdicts.append(verdict)
        first = cursor.execute("SELECT min(id) FROM articles").fetchone()[0]
        with cursor.copy(f"COPY verdicts ({VERDICT_COLUMNS}) FROM STDIN") as copy:
            for offset, verdict in enumerate(verdicts):
                copy.write_row((first + offset, *verdict))
        connection.commit()
        cursor.execute("ANALYZE")
        connection.commit()
    finally:
        raw.close()


def load_sqlite(engine: Engine, rows: int, days: int) -> None:
    def naive(value: Any) -> Any:  # what storage.models.UtcDateTime stores on SQLite
        return value.astimezone(UTC).replace(tzinfo=None) if isinstance(value, datetime) else value

    raw = engine.raw_connection()
    try:
        cursor: Any = raw.cursor()
        marks = ", ".join("?" * 18)
        batch: list[tuple[Any, ...]] = []
        verdicts: list[tuple[Any, ...]] = []
        for article, verdict in synthetic(rows, days):
            batch.append(tuple(naive(v) for v in article))
            verdicts.append(tuple(naive(v) for v in verdict))
            if len(batch) == 5000:
                cursor.executemany(f"INSERT INTO articles ({COLUMNS}) VALUES ({marks})", batch)
                raw.commit()
                batch = []
        cursor.executemany(f"INSERT INTO articles ({COLUMNS}) VALUES ({marks})", batch)
        cursor.executemany(
            f"INSERT INTO verdicts ({VERDICT_COLUMNS}) VALUES ({', '.join('?' * 10)})",
            [(number + 1, *verdict) for number, verdict in enumerate(verdicts)],
        )
        raw.commit()
        cursor.execute("ANALYZE")
    finally:
        raw.close()


def timed(run: Callable[[], int], runs: int) -> tuple[float, float, int]:
    """(first run, median of the next ``runs``) in milliseconds, and the result count."""
    start = time.perf_counter()
    found = run()
    first = (time.perf_counter() - start) * 1000
    laps = []
    for _ in range(runs):
        start = time.perf_counter()
        run()
        laps.append((time.perf_counter() - start) * 1000)
    return first, statistics.median(laps), found


def captured(engine: Engine, run: Callable[[], int]) -> list[tuple[str, Any]]:
    """The statements ``run`` sends to the database, with their parameters."""
    sent: list[tuple[str, Any]] = []

    def record(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        sent.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", record)
    try:
        run()
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return sent


def explain(engine: Engine, statements: list[tuple[str, Any]]) -> list[str]:
    """The plan of the main statement (the first that is not a settings call), run after
    the statements before it in the same transaction, as the application ran them."""
    main = next(i for i, (sql, _) in enumerate(statements) if "current_setting" not in sql)
    prefix = (
        "EXPLAIN (ANALYZE, BUFFERS) "
        if engine.dialect.name == "postgresql"
        else "EXPLAIN QUERY PLAN "
    )
    with engine.connect() as connection:
        for statement, parameters in statements[:main]:
            connection.exec_driver_sql(statement, parameters)
        result = connection.exec_driver_sql(prefix + statements[main][0], statements[main][1])
        lines = [" ".join(str(v) for v in row[-1:]) for row in result]
        connection.rollback()
    keep = ("Scan", "Join", "Loop", "Sort", "Limit", "Execution", "SEARCH", "SCAN", "USE", "Heap")
    return [line for line in lines if any(word in line for word in keep)][:16]


def bench(db: Database, runs: int, days: int) -> list[tuple[str, float, float, int]]:
    middle = (END - timedelta(days=days // 2)).astimezone(VIETNAM_TZ)
    window_end = middle.replace(hour=7, minute=0, second=0, microsecond=0)
    cases: list[tuple[str, Callable[[], int]]] = []

    def digest() -> int:
        with db.session() as session:
            start = window_end - timedelta(days=1)
            return len(
                diplomacy_articles(session, start, window_end, partners=["US"], min_score=0.5)
            )

    cases.append(("digest query (24 h, partner US)", digest))
    for label, query, options in SEARCHES:
        filters = dict(options)
        if "days" in filters:
            filters["since"] = END - timedelta(days=filters.pop("days"))

        def run(query: str = query, filters: dict[str, Any] = filters) -> int:
            with db.session() as session:
                return len(search_articles(session, query, limit=20, **filters))

        with db.session() as session:
            matches = count_matches(session, query)
        cases.append((f"search {label}: {query} ({matches} match)", run))
    results = []
    for label, case in cases:
        first, median, found = timed(case, runs)
        results.append((label, first, median, found))
        print(f"{label:<72} first {first:8.1f} ms  median {median:8.1f} ms  hits {found}")
        for line in explain(db.engine, captured(db.engine, case)):
            print(f"      {line}")
    return results


def bench_database(args: argparse.Namespace) -> tuple[str, bool]:
    """(database URL, already filled) from ``--postgres``/``--sqlite``, ``--rows``,
    ``--reuse``: a new database unless one filled earlier is to be reused."""
    if args.postgres:
        return postgres_database(args.postgres, args.rows, args.reuse)
    filled = bool(args.reuse and args.sqlite.exists())
    if not filled:
        args.sqlite.unlink(missing_ok=True)
    return f"sqlite:///{args.sqlite.resolve()}", filled


def postgres_database(server_url: str, rows: int, reuse: bool) -> tuple[str, bool]:
    """The URL of ``diplowatch_scale_<rows>`` on the server, and whether it is filled."""
    name = f"diplowatch_scale_{rows}"
    url = make_url(server_url).set(database=name).render_as_string(hide_password=False)
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        exists = connection.scalar(
            text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}
        )
        if exists and not reuse:
            connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        if not exists or not reuse:
            connection.execute(text(f'CREATE DATABASE "{name}" TEMPLATE template0 ENCODING UTF8'))
    admin.dispose()
    return url, bool(exists and reuse)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    target = parser.add_mutually_exclusive_group(required=True)
    target.add_argument("--postgres", metavar="URL", help="any database on the server")
    target.add_argument("--sqlite", type=Path, metavar="PATH", help="a SQLite file")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--days", type=int, default=730, help="the rows span this many days")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--reuse", action="store_true", help="keep a database already filled")
    parser.add_argument("--drop", action="store_true", help="drop the database at the end")
    args = parser.parse_args(argv)
    url, filled = bench_database(args)
    db = Database(url)
    backend = db.engine.dialect.name
    if not filled:
        start = time.perf_counter()
        (load_postgres if backend == "postgresql" else load_sqlite)(db.engine, args.rows, args.days)
        seconds = time.perf_counter() - start
        print(f"loaded {args.rows} synthetic articles in {seconds:.0f} s", end="")
        print(f" ({args.rows / seconds:.0f} rows/s, search triggers on)")
    with db.engine.connect() as connection:
        count = connection.scalar(text("SELECT count(*) FROM articles"))
        size = (
            connection.scalar(text("SELECT pg_size_pretty(pg_database_size(current_database()))"))
            if backend == "postgresql"
            else f"{Path(make_url(url).database or '').stat().st_size / 2**30:.1f} GB"
        )
    print(f"{backend}: {count} articles over {args.days} days, database {size}, {args.runs} runs")
    results = bench(db, args.runs, args.days)
    slowest = max(median for _, _, median, _ in results)
    print(f"slowest median: {slowest:.1f} ms ({'under' if slowest < 1000 else 'OVER'} 1 s)")
    db.dispose()
    if args.drop and args.postgres:
        admin = create_engine(args.postgres, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            name = make_url(url).database
            connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
