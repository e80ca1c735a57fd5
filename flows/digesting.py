"""The daily digest as plain functions (the Prefect flow wraps them).

Recipe for one watch profile and day:
1. the window: the 24 hours before 07:00 Asia/Ho_Chi_Minh on that day;
2. pick the profile's diplomacy articles of the window (time published, else first seen);
3. render HTML and plain text, write both to the output folder, store the digest row;
4. send it by SMTP when asked and configured, once: a sent digest is only re-sent with force.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from digest.files import write_digest
from digest.render import RenderedDigest, render_digest
from digest.send import SendError, SmtpConfig, send_digest
from flows.settings import Settings, WatchProfile
from parsers.registry import outlet_by_key
from records import VIETNAM_TZ, Digest, DigestEntry
from storage.db import Database
from storage.digests import (
    get_digest,
    mark_digest_sent,
    record_digest_send_failure,
    save_rendered_digest,
)
from storage.repository import diplomacy_articles, verdict_from_row

log = logging.getLogger("diplowatch.digest")

DIGEST_HOUR = time(7, 0)


def digest_window(day: date) -> tuple[datetime, datetime]:
    """[day-1 07:00, day 07:00) in Asia/Ho_Chi_Minh, as aware UTC datetimes."""
    end = datetime.combine(day, DIGEST_HOUR, tzinfo=VIETNAM_TZ)
    return (end - timedelta(days=1)).astimezone(UTC), end.astimezone(UTC)


def default_digest_day(now: datetime | None = None) -> date:
    """Today in Asia/Ho_Chi_Minh."""
    return (now or datetime.now(UTC)).astimezone(VIETNAM_TZ).date()


def outlet_name(key: str) -> str:
    try:
        return outlet_by_key(key).name
    except KeyError:
        return key or "?"


def collect_digest(db: Database, profile: WatchProfile, day: date) -> tuple[Digest, list[int]]:
    """Steps 1 and 2: the records the digest is made of, and the ids of its articles."""
    start, end = digest_window(day)
    with db.session() as session:
        rows = diplomacy_articles(
            session, start, end, partners=profile.partners, min_score=profile.min_score
        )
        entries = tuple(
            DigestEntry(
                outlet=article.outlet_key,
                outlet_name=outlet_name(article.outlet_key),
                url=article.url,
                title=article.title,
                sapo=article.sapo,
                published_at=article.published_at or article.first_seen_at,
                verdict=verdict_from_row(verdict),
            )
            for article, verdict in rows
        )
        ids = [article.id for article, _ in rows]
    record = Digest(
        profile=profile.name,
        day=day.isoformat(),
        window_start=start,
        window_end=end,
        entries=entries,
    )
    return record, ids


@dataclass
class DigestOutcome:
    """What producing one digest did; printed by the CLI and returned by the flow."""

    profile: str
    day: str
    articles: int
    html_path: str
    text_path: str
    recipients: list[str] = field(default_factory=list)
    sent: bool = False
    already_sent: bool = False
    message_id: str | None = None
    refused: dict[str, str] = field(default_factory=dict)
    error: str | None = None


def prepare_digest(
    db: Database, settings: Settings, profile: WatchProfile, day: date, out_dir: Path
) -> tuple[DigestOutcome, RenderedDigest]:
    """Steps 1 to 3. A digest already sent keeps its stored bodies (what readers got)."""
    stored: tuple[RenderedDigest, list[int]] | None = None
    with db.session() as session:
        existing = get_digest(session, profile.name, day.isoformat())
        if existing is not None and existing.sent_at is not None:
            sent_body = RenderedDigest(existing.subject, existing.html, existing.text)
            stored = (sent_body, list(existing.article_ids))
    if stored is None:
        record, ids = collect_digest(db, profile, day)
        stored = (render_digest(record), ids)
    rendered, article_ids = stored
    html_path, text_path = write_digest(rendered, out_dir, profile.name, day.isoformat())
    start, end = digest_window(day)
    with db.session() as session:
        row = save_rendered_digest(
            session,
            profile=profile.name,
            day=day.isoformat(),
            window_start=start,
            window_end=end,
            subject=rendered.subject,
            html=rendered.html,
            text=rendered.text,
            article_ids=article_ids,
            html_path=str(html_path),
        )
        outcome = DigestOutcome(
            profile=profile.name,
            day=day.isoformat(),
            articles=len(article_ids),
            html_path=str(html_path),
            text_path=str(text_path),
            recipients=list(profile.recipients),
            already_sent=row.sent_at is not None,
            message_id=row.message_id,
        )
    return outcome, rendered


def smtp_config(settings: Settings) -> SmtpConfig | None:
    smtp = settings.smtp
    if not smtp.host:
        return None
    return SmtpConfig(
        host=smtp.host,
        port=smtp.port,
        username=smtp.username,
        password=smtp.password.get_secret_value() if smtp.password else None,
        security=smtp.security,
        sender=smtp.sender,
        timeout_seconds=smtp.timeout_seconds,
    )


def deliver_digest(
    db: Database,
    settings: Settings,
    outcome: DigestOutcome,
    rendered: RenderedDigest,
    *,
    force: bool = False,
) -> DigestOutcome:
    """Step 4, one attempt: marks the digest sent only when the server accepted it.

    Raises SendError (after recording the failure) so that the caller may retry.
    """
    if outcome.already_sent and not force:
        log.info(
            "digest %s %s was sent already; use force to re-send", outcome.profile, outcome.day
        )
        return outcome
    config = smtp_config(settings)
    if config is None:
        raise SendError("no SMTP server configured (set DIPLOWATCH_SMTP__HOST)", temporary=False)
    if not outcome.recipients:
        raise SendError(
            f"watch profile {outcome.profile!r} has no recipients configured", temporary=False
        )
    try:
        result = send_digest(rendered, outcome.recipients, config)
    except SendError as error:
        with db.session() as session:
            row = get_digest(session, outcome.profile, outcome.day)
            if row is not None:
                record_digest_send_failure(session, row, str(error))
        outcome.error = str(error)
        raise
    with db.session() as session:
        row = get_digest(session, outcome.profile, outcome.day)
        assert row is not None, "the digest row is stored before it is sent"
        mark_digest_sent(
            session,
            row,
            message_id=result.message_id,
            recipients=result.accepted,
            refused=result.refused,
            sent_at=datetime.now(UTC),
        )
    outcome.sent = True
    outcome.message_id = result.message_id
    outcome.refused = dict(result.refused)
    outcome.error = None
    return outcome
