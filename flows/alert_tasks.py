"""Story alerts in the monitor run: a task that raises them (database only, no retries), one
task per delivery (I/O: Prefect retries temporary failures), the profiles' Atom feeds
rewritten when a run raised alerts, and a Prefect markdown artifact (key ``story-alerts``)
per run that alerted. The recipe is ``flows.alerting``."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from dataclasses import asdict
from typing import Any, cast

from prefect import task
from prefect.artifacts import acreate_markdown_artifact
from prefect.cache_policies import NONE
from prefect.client.schemas.objects import State

from digest.labels import clean_text
from digest.render import md
from digest.send import SendError
from flows.alerting import Delivered, Raised, deliver_alert, pending_deliveries, raise_alerts
from flows.digesting import write_profile_feed
from flows.settings import Settings, get_settings
from storage.alerts import alert_profiles
from storage.db import Database

__all__ = ["alert_markdown", "deliver_alert_task", "raise_alerts_task", "story_alerts_step"]

log = logging.getLogger("diplowatch.story_alerts")


@task(name="raise-story-alerts", cache_policy=NONE, persist_result=False)
async def raise_alerts_task(database_url: str) -> list[Raised]:
    """Decide and store the alerts of the stories filed so far (idempotent)."""
    settings = get_settings()

    def work() -> list[Raised]:
        db = Database(database_url, run_migrations=False)
        try:
            raised = raise_alerts(db, settings)
            for profile in sorted({r.profile for r in raised}):
                write_profile_feed(db, profile, settings.resolved_digest_dir)
            return raised
        finally:
            db.dispose()

    return await asyncio.to_thread(work)


@task(
    name="deliver-story-alert",
    cache_policy=NONE,
    persist_result=False,
    retries=2,
    retry_delay_seconds=20,
    task_run_name="{channel}-{alert_id}",
)
async def deliver_alert_task(database_url: str, alert_id: int, channel: str) -> Delivered:
    """I/O: one try to send one alert on one channel; never marked sent unless delivered.

    A temporary failure is raised (Prefect retries the task); a permanent one is recorded
    and returned, not retried."""
    settings = get_settings()

    def work() -> Delivered:
        db = Database(database_url, run_migrations=False)
        try:
            return deliver_alert(db, settings, alert_id, channel)
        except SendError as error:
            if error.temporary:
                raise
            return Delivered(alert_id, channel, error=str(error))
        finally:
            db.dispose()

    return await asyncio.to_thread(work)


def _due_deliveries(
    database_url: str, settings: Settings
) -> tuple[list[tuple[int, str]], dict[int, str]]:
    db = Database(database_url, run_migrations=False)
    try:
        due = pending_deliveries(db, settings)
        with db.session() as session:
            return due, alert_profiles(session, [alert_id for alert_id, _ in due])
    finally:
        db.dispose()


def _retry_options(settings: Settings, alert_profiles: dict[int, str], alert_id: int) -> Any:
    name = alert_profiles.get(alert_id)
    try:
        options = settings.profile(name).story_alerts if name else None
    except KeyError:
        options = None
    if options is None:
        return deliver_alert_task
    return deliver_alert_task.with_options(
        retries=options.retries, retry_delay_seconds=options.retry_delay_seconds
    )


async def story_alerts_step(database_url: str, settings: Settings) -> dict[str, Any]:
    """Raise, then deliver what is due (this run's alerts and earlier ones still pending),
    each delivery in its own task, all at once; publish the artifact when anything happened.
    Never raises: a failure here is logged and left for the next run."""
    if not any(p.story_alerts.enabled for p in settings.profiles):
        return {"raised": [], "deliveries": []}
    state = await cast(
        "Awaitable[State[list[Raised]]]", raise_alerts_task(database_url, return_state=True)
    )
    raised: list[Raised] = []
    if state.is_completed():
        raised = await state.aresult()
    else:
        log.error("raising story alerts failed: %s", state.message)
    try:
        due, profiles = _due_deliveries(database_url, settings)
    except Exception:  # e.g. the database went away: the next run sends what is due
        log.exception("listing the story alerts to deliver failed")
        due, profiles = [], {}
    states: list[State[Delivered]] = await asyncio.gather(
        *(
            cast(
                "Awaitable[State[Delivered]]",
                _retry_options(settings, profiles, alert_id)(
                    database_url, alert_id, channel, return_state=True
                ),
            )
            for alert_id, channel in due
        )
    )
    deliveries: list[Delivered] = []
    for (alert_id, channel), outcome in zip(due, states, strict=True):
        if outcome.is_completed():
            deliveries.append(await outcome.aresult())
            continue
        failed = Delivered(alert_id, channel, error=str(outcome.message))
        try:
            await outcome.aresult()
        except Exception as error:
            failed.error = str(error)
        deliveries.append(failed)
    if raised or any(d.sent or d.error for d in deliveries):
        await acreate_markdown_artifact(
            key="story-alerts",
            markdown=alert_markdown(raised, deliveries),
            description=f"{len(raised)} alerts raised, "
            f"{sum(d.sent for d in deliveries)} deliveries sent",
        )
    return {
        "raised": [asdict(r) for r in raised],
        "deliveries": [asdict(d) for d in deliveries],
    }


def alert_markdown(raised: list[Raised], deliveries: list[Delivered]) -> str:
    """The run's alerts and deliveries, page strings escaped."""
    lines = ["# Story alerts", ""]
    if raised:
        lines += [
            "| profile | kind | level | story | why | channels | due |",
            "|---|---|---|---|---|---|---|",
        ]
        for r in raised:
            cells = [
                r.profile, r.kind, str(r.level), clean_text(r.title), "; ".join(r.reasons),
                ", ".join(r.channels) or "none", r.due_at.isoformat(timespec="minutes"),
            ]
            lines.append("| " + " | ".join(md(clean_text(cell)) for cell in cells) + " |")
        lines.append("")
    if deliveries:
        lines += ["## Deliveries", ""]
        for d in deliveries:
            state = "sent" if d.sent else d.skipped or f"not sent: {d.error}"
            lines.append(f"- alert {d.alert_id} {md(d.channel)}: {md(clean_text(state))}")
    return "\n".join(lines) + "\n"
