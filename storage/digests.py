"""Digest records: one per watch profile and day; marked sent only after a real send."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import DigestRow, utcnow


def get_digest(session: Session, profile: str, day: str) -> DigestRow | None:
    return session.scalar(
        select(DigestRow).where(DigestRow.profile == profile, DigestRow.day == day)
    )


def save_rendered_digest(
    session: Session,
    *,
    profile: str,
    day: str,
    window_start: datetime,
    window_end: datetime,
    subject: str,
    html: str,
    text: str,
    article_ids: Sequence[int],
    html_path: str | None,
) -> DigestRow:
    """Store the rendered digest of (profile, day), replacing an unsent one.

    A digest already sent is never overwritten: its stored bodies are what readers got.
    """
    row = get_digest(session, profile, day)
    if row is not None and row.sent_at is not None:
        return row
    if row is None:
        row = DigestRow(
            profile=profile,
            day=day,
            recipients=[],
            refused={},
            send_attempts=0,
            created_at=utcnow(),
        )
    row.window_start = window_start
    row.window_end = window_end
    row.subject = subject
    row.html = html
    row.text = text
    row.article_ids = list(article_ids)
    row.html_path = html_path
    session.add(row)
    session.flush()
    return row


def mark_digest_sent(
    session: Session,
    row: DigestRow,
    *,
    message_id: str,
    recipients: Sequence[str],
    refused: dict[str, str],
    sent_at: datetime,
) -> None:
    row.message_id = message_id
    row.recipients = list(recipients)
    row.refused = dict(refused)
    row.sent_at = sent_at
    row.send_attempts = (row.send_attempts or 0) + 1
    row.last_error = None
    session.add(row)


def record_digest_send_failure(session: Session, row: DigestRow, error: str) -> None:
    row.send_attempts = (row.send_attempts or 0) + 1
    row.last_error = error[:2000]
    session.add(row)
