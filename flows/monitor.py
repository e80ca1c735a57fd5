"""The ``monitor`` flow: one task per outlet, run concurrently; politeness is per host.

Each run ends with a summary table (a Prefect markdown artifact, key ``monitor-summary``)
and mails the operator about outlet health incidents that start on this run.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

from prefect import flow, task
from prefect.artifacts import acreate_markdown_artifact
from prefect.cache_policies import NONE

from crawler.client import Crawler, CrawlerConfig
from flows.alert_tasks import story_alerts_step
from flows.alerts import find_incidents, mail_incidents, summary_markdown
from flows.deadsources import dead_source_incidents
from flows.hostlimits import crawler_factory
from flows.monitoring import monitor_outlet
from flows.settings import Settings, get_settings
from parsers.registry import OUTLETS, outlet_by_key
from records import Outlet
from storage.db import Database
from storage.repository import outlet_health


def select_outlets(keys: list[str] | None) -> list[Outlet]:
    """The registry outlets named by ``keys`` (all of them when None or empty)."""
    if not keys:
        return list(OUTLETS)
    return [outlet_by_key(key) for key in keys]


@task(name="monitor-outlet", cache_policy=NONE, persist_result=False, task_run_name="{outlet_key}")
async def monitor_outlet_task(
    outlet_key: str,
    database_url: str,
    replay: list[str],
    settings: Settings,
    make_crawler: Callable[[CrawlerConfig], Crawler] | None = None,
) -> dict[str, Any]:
    """Discover, fetch, parse, classify and store one outlet's new articles.

    The outlet's own faults (a dead feed, a broken page) are counted, not raised, so that
    the task does not retry a whole outlet for one bad page; the crawler retries requests.
    """
    db = Database(database_url, run_migrations=False)
    try:
        counters = await monitor_outlet(
            outlet_by_key(outlet_key),
            settings,
            db,
            replay=tuple(Path(path) for path in replay),
            make_crawler=make_crawler or crawler_factory(settings, db),
        )
        with db.session() as session:
            health = outlet_health(session).get(outlet_key)
            streak = health.error_streak if health is not None else 0
    finally:
        db.dispose()
    return {
        "outlet": counters.outlet_key,
        "discovered": counters.discovered,
        "new": counters.new,
        "stored": counters.stored,
        "diplomacy": counters.diplomacy,
        "errors": counters.errors,
        "error_messages": counters.error_messages,
        "empty_bodies": counters.empty_bodies,
        "fallbacks": counters.fallbacks,
        "short_bodies": counters.short_bodies,
        "missing_dates": counters.missing_dates,
        "error_streak": streak,
    }


@flow(name="monitor", persist_result=False, log_prints=True)
async def monitor(
    outlets: list[str] | None = None,
    replay: list[str] | None = None,
    database_url: str | None = None,
) -> list[dict[str, Any]]:
    """One monitor run.

    1. pick the outlets (all registry outlets by default);
    2. migrate the database to the newest schema;
    3. run one task per outlet, all at once (each task is polite per host);
    4. raise the story alerts the new articles call for and deliver them (flows.alert_tasks);
    5. find the outlet health incidents that start now and mail the operator;
    6. publish the summary table; return one row of counters per outlet.
    """
    settings = get_settings()
    chosen = select_outlets(outlets)
    url = database_url or settings.resolved_database_url
    Database(url).dispose()  # migrations run once per flow, not once per task
    # One robots.txt cache for the run's crawlers, kept in the database for the next runs.
    robots_db = Database(url, run_migrations=False)
    make_crawler = crawler_factory(settings, robots_db)
    try:
        rows = list(
            await asyncio.gather(
                *(
                    monitor_outlet_task(outlet.key, url, list(replay or []), settings, make_crawler)
                    for outlet in chosen
                )
            )
        )
    finally:
        robots_db.dispose()
    if not replay:  # story alerts: raised in the run that filed the story's news (issue 13)
        await story_alerts_step(url, settings)
    db = Database(url, run_migrations=False)
    try:
        incidents = find_incidents(db, [outlet.key for outlet in chosen], settings.alerts)
        if not replay:  # sources dead for a week, each reported once
            incidents += dead_source_incidents(db, [outlet.key for outlet in chosen])
    finally:
        db.dispose()
    mail_incidents(incidents, settings)
    await acreate_markdown_artifact(
        key="monitor-summary",
        markdown=summary_markdown(rows, incidents),
        description=f"{len(rows)} outlets, {sum(r['stored'] for r in rows)} articles stored",
    )
    return rows
