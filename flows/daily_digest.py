"""The ``daily_digest`` flow: per watch profile, render, write, send once, and publish the
digest as a Prefect markdown artifact (key ``digest-<profile>``)."""

from __future__ import annotations

import re
from dataclasses import asdict
from datetime import date
from pathlib import Path
from typing import Any

from prefect import flow, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NONE
from prefect.client.schemas.objects import State

from digest.render import RenderedDigest
from digest.send import SendError
from flows.digesting import (
    DigestOutcome,
    default_digest_day,
    deliver_digest,
    prepare_digest,
    smtp_config,
)
from flows.settings import get_settings
from storage.db import Database


def is_temporary_send_failure(task: object, task_run: object, state: State[Any]) -> bool:
    """Retry only what may pass later (4xx, refused connection), not a refused login."""
    try:
        state.result()
    except SendError as error:
        return error.temporary
    except Exception:  # anything unexpected is worth one more try
        return True
    return False


@task(
    name="send-digest",
    cache_policy=NONE,
    persist_result=False,
    retries=2,
    retry_delay_seconds=30,
    retry_condition_fn=is_temporary_send_failure,
)
def send_digest_task(
    database_url: str, outcome: DigestOutcome, rendered: RenderedDigest, force: bool
) -> DigestOutcome:
    """I/O: one SMTP send; Prefect retries it, and a failure is never marked sent."""
    db = Database(database_url, run_migrations=False)
    try:
        return deliver_digest(db, get_settings(), outcome, rendered, force=force)
    finally:
        db.dispose()


def artifact_key(profile: str) -> str:
    """Prefect artifact keys are lower-case letters, digits and dashes."""
    slug = re.sub(r"[^a-z0-9]+", "-", profile.lower()).strip("-")
    return f"digest-{slug or 'profile'}"


def publish_artifact(outcome: DigestOutcome, rendered: RenderedDigest) -> None:
    """The digest as a markdown artifact of this flow run (when it has markdown: a digest
    rendered in this run, not one reloaded from the archive)."""
    if not rendered.markdown:
        return
    state = "sent" if outcome.sent else "written, not sent"
    create_markdown_artifact(
        markdown=rendered.markdown,
        key=artifact_key(outcome.profile),
        description=f"Digest {outcome.profile} {outcome.day} ({state}): {outcome.stories} "
        f"stories, {outcome.articles} articles",
    )


@flow(name="daily-digest", persist_result=False)
def daily_digest(
    day: date | None = None,
    profiles: list[str] | None = None,
    out_dir: str | None = None,
    send: bool | None = None,
    force: bool = False,
    database_url: str | None = None,
    send_retry_delay_seconds: float = 30.0,
) -> list[dict[str, Any]]:
    """One digest per watch profile for ``day`` (today in Asia/Ho_Chi_Minh by default).

    1. for each profile: collect the window's stories, render, write (digest and feed), store;
    2. send when asked (``send=True``) or, by default, whenever SMTP is configured and the
       profile has recipients; never twice unless ``force``; an empty digest only when the
       ``send_empty_digest`` setting says so;
    3. publish each digest rendered in this run as a markdown artifact;
    4. return one outcome per profile.
    """
    settings = get_settings()
    url = database_url or settings.resolved_database_url
    digest_day = day or default_digest_day()
    folder = Path(out_dir) if out_dir else settings.resolved_digest_dir
    names = profiles or [profile.name for profile in settings.profiles]
    db = Database(url)
    outcomes: list[dict[str, Any]] = []
    try:
        for name in names:
            profile = settings.profile(name)
            outcome, rendered = prepare_digest(db, settings, profile, digest_day, folder)
            wants_send = (
                send
                if send is not None
                else (smtp_config(settings) is not None and bool(profile.recipients))
            )
            if (
                wants_send
                and not outcome.stories
                and not outcome.already_sent
                and (not settings.send_empty_digest)
            ):
                outcome.skipped = "empty"  # configured: no mail on a day without stories
            elif wants_send and (force or not outcome.already_sent):
                sender = send_digest_task.with_options(retry_delay_seconds=send_retry_delay_seconds)
                state = sender(url, outcome, rendered, force, return_state=True)
                if state.is_completed():
                    outcome = state.result()
                else:
                    outcome.error = outcome.error or str(state.message)
                    try:
                        state.result()
                    except Exception as error:
                        outcome.error = str(error)
            if outcome.sent or not outcome.already_sent:
                publish_artifact(outcome, rendered)
            outcomes.append(asdict(outcome))
    finally:
        db.dispose()
    return outcomes
