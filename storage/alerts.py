"""Story alerts in the database: raised once per story and profile, delivered at most once
per channel. What to raise is decided by ``digest.alert_rules``; this module only stores.

- Raising is an INSERT … ON CONFLICT DO NOTHING on (profile, story, kind): two monitor runs
  that decide the same alert at once store it once, and only the one that stored it adds
  its deliveries (in the same transaction).
- Sending takes a lease on the delivery (one atomic UPDATE, as ``storage.digests`` does for
  digests): a delivery is marked sent only after the server or service accepted it; a
  failure is recorded and releases the lease; a sender that died leaves the lease to expire.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import insert, or_, select, update
from sqlalchemy.orm import Session

from storage.models import AlertDeliveryRow, StoryAlertRow, StoryRow
from storage.repository import dialect_insert

__all__ = [
    "Channel",
    "StoredAlert",
    "alert_delivery",
    "alert_profiles",
    "alerted_stories",
    "alerts_since",
    "claim_delivery",
    "due_deliveries",
    "latest_alerted_stories",
    "mark_delivery_sent",
    "move_story_alerts",
    "previous_alerts",
    "raise_alert",
    "recent_story_ids",
    "record_delivery_failure",
]

_CHUNK = 500


@dataclass(frozen=True)
class Channel:
    """A delivery to create with an alert: ``email`` or an apprise channel's name."""

    name: str
    recipients: Sequence[str] = ()
    message_id: str | None = None


@dataclass(frozen=True)
class StoredAlert:
    alert: StoryAlertRow
    deliveries: tuple[AlertDeliveryRow, ...]


def recent_story_ids(session: Session, since: datetime) -> list[int]:
    """Stories whose first article is at ``since`` or later (the ones that may alert)."""
    return list(
        session.scalars(
            select(StoryRow.id).where(StoryRow.first_seen_at >= since).order_by(StoryRow.id)
        )
    )


def previous_alerts(
    session: Session, profile: str, story_ids: Iterable[int]
) -> dict[int, dict[str, StoryAlertRow]]:
    """story id → kind → the alert raised for it and ``profile``."""
    wanted = sorted(set(story_ids))
    found: dict[int, dict[str, StoryAlertRow]] = {}
    for offset in range(0, len(wanted), _CHUNK):
        rows = session.scalars(
            select(StoryAlertRow)
            .where(StoryAlertRow.profile == profile)
            .where(StoryAlertRow.story_id.in_(wanted[offset : offset + _CHUNK]))
        )
        for row in rows:
            if row.story_id is not None:
                found.setdefault(row.story_id, {})[row.kind] = row
    return found


def raise_alert(
    session: Session, *, channels: Sequence[Channel], **values: Any
) -> int | None:
    """Store an alert (``values``: the columns of ``story_alerts``) and its deliveries; its
    id, or None when (profile, story, kind) was raised already (by this run or another)."""
    statement = (
        dialect_insert(session, StoryAlertRow)
        .values(**values)
        .on_conflict_do_nothing(
            index_elements=[StoryAlertRow.profile, StoryAlertRow.story_id, StoryAlertRow.kind]
        )
        .returning(StoryAlertRow.id)
    )
    alert_id = session.scalar(statement)
    if alert_id is None:
        return None
    if channels:
        session.execute(
            insert(AlertDeliveryRow),
            [
                {
                    "alert_id": alert_id,
                    "channel": channel.name,
                    "state": "pending",
                    "attempts": 0,
                    "recipients": list(channel.recipients),
                    "message_id": channel.message_id,
                }
                for channel in channels
            ],
        )
    return int(alert_id)


def due_deliveries(
    session: Session, now: datetime, *, profiles: Sequence[str] | None = None
) -> list[tuple[int, str]]:
    """(alert id, channel) of the pending deliveries whose alert is due and that nobody is
    sending, oldest alert first."""
    query = (
        select(AlertDeliveryRow.alert_id, AlertDeliveryRow.channel)
        .join(StoryAlertRow, StoryAlertRow.id == AlertDeliveryRow.alert_id)
        .where(AlertDeliveryRow.state == "pending", StoryAlertRow.due_at <= now)
        .where(
            or_(AlertDeliveryRow.sending_until.is_(None), AlertDeliveryRow.sending_until < now)
        )
        .order_by(StoryAlertRow.raised_at, AlertDeliveryRow.alert_id, AlertDeliveryRow.channel)
    )
    if profiles is not None:
        query = query.where(StoryAlertRow.profile.in_(list(profiles)))
    return [(alert_id, channel) for alert_id, channel in session.execute(query)]


def alert_profiles(session: Session, alert_ids: Iterable[int]) -> dict[int, str]:
    """alert id → its profile."""
    wanted = sorted(set(alert_ids))
    found: dict[int, str] = {}
    for offset in range(0, len(wanted), _CHUNK):
        query = select(StoryAlertRow.id, StoryAlertRow.profile).where(
            StoryAlertRow.id.in_(wanted[offset : offset + _CHUNK])
        )
        found.update((alert_id, profile) for alert_id, profile in session.execute(query))
    return found


def alert_delivery(
    session: Session, alert_id: int, channel: str
) -> tuple[StoryAlertRow, AlertDeliveryRow] | None:
    alert = session.get(StoryAlertRow, alert_id)
    delivery = session.get(AlertDeliveryRow, (alert_id, channel))
    if alert is None or delivery is None:
        return None
    return alert, delivery


def claim_delivery(
    session: Session, alert_id: int, channel: str, *, now: datetime, lease: timedelta
) -> bool:
    """Take the right to send this delivery for ``lease``: False when it was sent, given
    up, or another run holds it."""
    result = session.execute(
        update(AlertDeliveryRow)
        .where(AlertDeliveryRow.alert_id == alert_id, AlertDeliveryRow.channel == channel)
        .where(AlertDeliveryRow.state == "pending", AlertDeliveryRow.sent_at.is_(None))
        .where(
            or_(AlertDeliveryRow.sending_until.is_(None), AlertDeliveryRow.sending_until < now)
        )
        .values(sending_until=now + lease),
        execution_options={"synchronize_session": False},
    )
    return bool(getattr(result, "rowcount", 0) == 1)


def mark_delivery_sent(
    session: Session,
    alert_id: int,
    channel: str,
    *,
    sent_at: datetime,
    recipients: Sequence[str] = (),
    message_id: str | None = None,
    refused: str | None = None,
) -> None:
    row = session.get(AlertDeliveryRow, (alert_id, channel))
    if row is None:
        raise KeyError(f"no delivery {alert_id}/{channel}")
    row.state = "sent"
    row.sent_at = sent_at
    row.attempts = (row.attempts or 0) + 1
    row.sending_until = None
    row.last_error = refused
    if recipients:
        row.recipients = list(recipients)
    if message_id:
        row.message_id = message_id
    session.add(row)


def record_delivery_failure(
    session: Session, alert_id: int, channel: str, error: str, *, give_up: bool
) -> int:
    """Record a failed try and release the lease; ``give_up`` marks it failed for good.
    Returns the number of tries so far."""
    row = session.get(AlertDeliveryRow, (alert_id, channel))
    if row is None:
        raise KeyError(f"no delivery {alert_id}/{channel}")
    row.attempts = (row.attempts or 0) + 1
    row.last_error = error[:2000]
    row.sending_until = None
    if give_up:
        row.state = "failed"
    session.add(row)
    return row.attempts


def alerts_since(
    session: Session, since: datetime | None, *, profile: str | None = None
) -> list[StoredAlert]:
    """Alerts raised at ``since`` or later (all when None), oldest first, with deliveries."""
    query = select(StoryAlertRow).order_by(StoryAlertRow.raised_at, StoryAlertRow.id)
    if since is not None:
        query = query.where(StoryAlertRow.raised_at >= since)
    if profile is not None:
        query = query.where(StoryAlertRow.profile == profile)
    alerts = list(session.scalars(query))
    deliveries: dict[int, list[AlertDeliveryRow]] = {}
    ids = [alert.id for alert in alerts]
    for offset in range(0, len(ids), _CHUNK):
        for row in session.scalars(
            select(AlertDeliveryRow)
            .where(AlertDeliveryRow.alert_id.in_(ids[offset : offset + _CHUNK]))
            .order_by(AlertDeliveryRow.channel)
        ):
            deliveries.setdefault(row.alert_id, []).append(row)
    return [StoredAlert(alert, tuple(deliveries.get(alert.id, ()))) for alert in alerts]


def alerted_stories(
    session: Session, profile: str, story_ids: Iterable[int]
) -> dict[int, datetime]:
    """story id → when it first alerted for ``profile`` (the digest marks these)."""
    return {
        story_id: min(row.raised_at for row in rows.values())
        for story_id, rows in previous_alerts(session, profile, story_ids).items()
    }


def move_story_alerts(session: Session, into: int, other: int) -> None:
    """Stories merged: ``other``'s alerts become ``into``'s, unless ``into`` has one of
    that profile and kind already (then the older record stays, unattached), so that the
    merged story does not alert again for an event it already alerted for."""
    query = select(StoryAlertRow.profile, StoryAlertRow.kind).where(
        StoryAlertRow.story_id == into
    )
    taken = {(profile, kind) for profile, kind in session.execute(query)}
    for row in session.scalars(select(StoryAlertRow).where(StoryAlertRow.story_id == other)):
        row.story_id = None if (row.profile, row.kind) in taken else into
        session.add(row)
    session.flush()



def latest_alerted_stories(
    session: Session, profile: str, *, limit: int = 50
) -> list[tuple[int, datetime]]:
    """(story id, first alert time) of the profile's latest alerted stories, newest first."""
    firsts: dict[int, datetime] = {}
    query = (
        select(StoryAlertRow.story_id, StoryAlertRow.raised_at)
        .where(StoryAlertRow.profile == profile, StoryAlertRow.story_id.is_not(None))
        .order_by(StoryAlertRow.raised_at.desc(), StoryAlertRow.id.desc())
        .limit(limit * 2)
    )
    for story_id, raised_at in session.execute(query):
        if story_id is not None:
            firsts[story_id] = min(raised_at, firsts.get(story_id, raised_at))
    ordered = sorted(firsts.items(), key=lambda item: item[1], reverse=True)
    return ordered[:limit]
