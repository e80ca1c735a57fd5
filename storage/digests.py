"""Digest records: one per watch profile and day; marked sent only after a real send."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from storage.models import DigestRow, utcnow
from storage.repository import dialect_insert


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
    # Insert-if-missing first (two runs preparing the same digest at once must not collide
    # on the (profile, day) key), then lock the row for the rest of the transaction.
    values = {"profile": profile, "day": day, "window_start": window_start,
              "window_end": window_end, "subject": subject, "html": html, "text": text,
              "article_ids": list(article_ids), "html_path": html_path, "recipients": [],
              "refused": {}, "send_attempts": 0, "created_at": utcnow()}  # fmt: skip
    session.execute(
        dialect_insert(session, DigestRow)
        .values(**values)
        .on_conflict_do_nothing(index_elements=[DigestRow.profile, DigestRow.day])
    )
    row = session.scalars(
        select(DigestRow)
        .where(DigestRow.profile == profile, DigestRow.day == day)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
    if row.sent_at is not None:
        return row
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
    row.sending_until = None
    session.add(row)


def claim_digest_send(
    session: Session, profile: str, day: str, *, now: datetime, lease: timedelta, force: bool
) -> bool:
    """Take the right to send the digest for ``lease`` (one atomic UPDATE): False when
    another run holds it, or when the digest was sent and this is not a forced re-send.
    A run that dies while sending leaves the lease to expire; a failed send releases it."""
    statement = (
        update(DigestRow)
        .where(DigestRow.profile == profile, DigestRow.day == day)
        .where(or_(DigestRow.sending_until.is_(None), DigestRow.sending_until < now))
        .values(sending_until=now + lease)
    )
    if not force:
        statement = statement.where(DigestRow.sent_at.is_(None))
    result = session.execute(statement, execution_options={"synchronize_session": False})
    return bool(getattr(result, "rowcount", 0) == 1)


def record_digest_send_failure(session: Session, row: DigestRow, error: str) -> None:
    row.send_attempts = (row.send_attempts or 0) + 1
    row.last_error = error[:2000]
    row.sending_until = None
    session.add(row)
