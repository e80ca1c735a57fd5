"""The ``reparse`` flow: parse archived raw pages again and classify them again.

After a parser is fixed (a site redesign) or the classifier improves, the stored articles of
an outlet or a date range are rebuilt from the WARC archive, never from the network:
1. pick the stored articles (outlets, article time in [since, until] Asia/Ho_Chi_Minh days);
2. per WARC file, answer each article's URL from the archive (redirects included);
3. parse and classify as the monitor does; update the article and its verdict in place
   (same row, same id, same first-seen and fetch times: nothing is duplicated) and file it
   in its story in the same transaction (``flows.stories.file_in_story``): a diplomacy
   article joins or stays in its story, one that is no longer diplomacy leaves it (an
   emptied story goes).
Running it twice changes nothing the second time.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from prefect import flow, task
from prefect.artifacts import acreate_markdown_artifact
from prefect.cache_policies import NONE

from analysis.classifier import classify_article
from crawler.client import Crawler, FetchError
from flows.monitoring import crawler_config, parse_fetched
from flows.settings import Settings, get_settings
from flows.stories import file_in_story
from parsers.article import ParseError
from parsers.registry import outlet_by_key
from records import VIETNAM_TZ
from storage.db import Database
from storage.models import ArticleRow
from storage.operations import ArchivedArticle, archived_articles
from storage.repository import (
    article_from_row,
    save_verdict,
    upsert_article,
    verdict_from_row,
)

log = logging.getLogger("diplowatch.reparse")


def day_range(since: date | None, until: date | None) -> tuple[datetime | None, datetime | None]:
    """[since 00:00, until+1 00:00) in Asia/Ho_Chi_Minh as UTC; None leaves a side open."""
    start = datetime.combine(since, time(), tzinfo=VIETNAM_TZ).astimezone(UTC) if since else None
    end = (
        datetime.combine(until + timedelta(days=1), time(), tzinfo=VIETNAM_TZ).astimezone(UTC)
        if until
        else None
    )
    return start, end


@dataclass
class ReparseCounters:
    outlet: str
    examined: int = 0
    reparsed: int = 0
    changed: int = 0  # article fields differ from what was stored
    verdicts_changed: int = 0
    no_archive: int = 0  # no WARC file recorded, or the file is gone
    errors: int = 0
    error_messages: list[str] = field(default_factory=list)

    def error(self, message: str) -> None:
        log.warning(message)
        self.errors += 1
        if len(self.error_messages) < 50:
            self.error_messages.append(message)


def resolve_warc(path: str | None, settings: Settings) -> Path | None:
    """The archive file as recorded, else the file of that name in the WARC folder."""
    if not path:
        return None
    recorded = Path(path)
    if recorded.is_file():
        return recorded
    moved = settings.resolved_warc_dir / recorded.name
    return moved if moved.is_file() else None


async def reparse_one(
    crawler: Crawler, item: ArchivedArticle, db: Database, counters: ReparseCounters
) -> None:
    try:
        fetched = await crawler.fetch(item.url_key)
        article = parse_fetched(fetched)
    except (FetchError, ParseError) as error:
        counters.error(f"{item.outlet_key}: {item.url_key}: {error}")
        return
    if not article.outlet:
        article = replace(article, outlet=item.outlet_key)
    verdict = classify_article(article)
    with db.session() as session:
        row = session.get(ArticleRow, item.id)
        before = article_from_row(row) if row is not None else None
        old_verdict = verdict_from_row(row.verdict) if row is not None and row.verdict else None
        article_id = upsert_article(
            session,
            article,
            url_key=item.url_key,
            fetched_at=item.fetched_at,
            warc_file=item.warc_file,
        )
        save_verdict(session, article_id, verdict)
        # The upserts bypass the ORM: forget the rows read above, or the story's summary
        # would be made from the article as it was before this reparse.
        session.expire_all()
        file_in_story(session, article_id, article, verdict)  # idempotent; leaves if not diplomacy
    counters.reparsed += 1
    counters.changed += int(before != article)
    counters.verdicts_changed += int(old_verdict is None or asdict(old_verdict) != asdict(verdict))


async def reparse_outlet(
    outlet_key: str,
    items: list[ArchivedArticle],
    settings: Settings,
    db: Database,
) -> ReparseCounters:
    """Steps 2 and 3 for one outlet's articles; failures are counted, never raised."""
    counters = ReparseCounters(outlet=outlet_key, examined=len(items))
    by_file: dict[Path | None, list[ArchivedArticle]] = defaultdict(list)
    for item in items:
        by_file[resolve_warc(item.warc_file, settings)].append(item)
    for path, group in by_file.items():
        if path is None:
            counters.no_archive += len(group)
            continue
        # Replay never touches the network; robots.txt was obeyed when the page was fetched.
        config = replace(crawler_config(settings, replay=(path,)), respect_robots=False)
        async with Crawler(config) as crawler:
            for item in group:
                await reparse_one(crawler, item, db, counters)
    log.info(
        "%s: examined %d, reparsed %d, changed %d, verdicts changed %d, no archive %d, errors %d",
        outlet_key,
        counters.examined,
        counters.reparsed,
        counters.changed,
        counters.verdicts_changed,
        counters.no_archive,
        counters.errors,
    )
    return counters


async def reparse_articles(
    db: Database,
    settings: Settings,
    *,
    outlets: list[str] | None = None,
    since: date | None = None,
    until: date | None = None,
) -> list[ReparseCounters]:
    """The whole recipe as plain functions: one row of counters per outlet met."""
    start, end = day_range(since, until)
    with db.session() as session:
        items = archived_articles(session, outlets=outlets or [], start=start, end=end)
    per_outlet: dict[str, list[ArchivedArticle]] = defaultdict(list)
    for item in items:
        per_outlet[item.outlet_key].append(item)
    return [
        await reparse_outlet(key, group, settings, db) for key, group in sorted(per_outlet.items())
    ]


COLUMNS = ("outlet", "examined", "reparsed", "changed", "verdicts_changed", "no_archive", "errors")


def reparse_markdown(rows: list[dict[str, Any]]) -> str:
    lines = ["# Reparse", "", "| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    lines += ["| " + " | ".join(str(row[c]) for c in COLUMNS) + " |" for row in rows]
    return "\n".join(lines) + "\n"


@task(name="reparse-outlet", cache_policy=NONE, persist_result=False, task_run_name="{outlet_key}")
async def reparse_outlet_task(
    outlet_key: str,
    since: date | None,
    until: date | None,
    database_url: str,
    settings: Settings,
) -> dict[str, Any]:
    db = Database(database_url, run_migrations=False)
    try:
        [counters] = await reparse_articles(
            db, settings, outlets=[outlet_key], since=since, until=until
        ) or [ReparseCounters(outlet=outlet_key)]
    finally:
        db.dispose()
    return asdict(counters)


@flow(name="reparse", persist_result=False, log_prints=True)
async def reparse(
    outlets: list[str] | None = None,
    since: date | None = None,
    until: date | None = None,
    database_url: str | None = None,
) -> list[dict[str, Any]]:
    """Re-run parsers and analysis over archived pages of ``outlets`` (all by default) whose
    article time falls in [``since``, ``until``] (days in Asia/Ho_Chi_Minh; open when None).
    """
    settings = get_settings()
    url = database_url or settings.resolved_database_url
    keys = [outlet_by_key(key).key for key in outlets] if outlets else None
    db = Database(url)
    try:
        start, end = day_range(since, until)
        with db.session() as session:
            met = sorted(
                {
                    i.outlet_key
                    for i in archived_articles(session, outlets=keys or [], start=start, end=end)
                }
            )
    finally:
        db.dispose()
    rows = list(
        await asyncio.gather(
            *(reparse_outlet_task(key, since, until, url, settings) for key in met)
        )
    )
    await acreate_markdown_artifact(key="reparse-summary", markdown=reparse_markdown(rows))
    return rows
