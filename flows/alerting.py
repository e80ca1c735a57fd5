"""Story alerts as plain functions (``flows.alert_tasks`` wraps them in Prefect tasks and the
monitor flow calls them after its outlets; not to be confused with ``flows.alerts``, the
operator's outlet health mail).

Recipe, on every monitor run:
1. raise: for each watch profile with alerts on, the stories whose first article is recent
   (``max_age_hours``) and that the profile's digest would carry; ``digest.alert_rules``
   decides (an alert the first time a story meets a rule, one update when it later meets a
   rule of a higher level); the message is rendered and stored with one delivery per
   channel, once (``storage.alerts.raise_alert``); quiet hours set when it is due;
2. deliver: each pending delivery that is due, under a send lease: email through the
   digest's SMTP settings, chat and webhooks through apprise; marked sent only once the
   server or service accepted it; a failure is recorded, retried while temporary (by the
   Prefect task, then by later runs up to ``max_attempts``).
A run killed anywhere loses nothing: the next run raises what was not raised (the stories
are looked at again) and sends what was not sent (leases expire).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from digest.alert_render import render_alert
from digest.alert_rules import QuietHours, StoryFacts, concerns_profile, decide, story_facts
from digest.labels import clean_text
from digest.notify import notify_chat
from digest.render import RenderedDigest, md
from digest.send import SendError, build_message, new_message_id, send_message
from flows.digesting import digest_story, smtp_config
from flows.settings import Settings, WatchProfile
from records import VIETNAM_TZ
from storage.alerts import (
    Channel,
    alert_delivery,
    claim_delivery,
    due_deliveries,
    mark_delivery_sent,
    previous_alerts,
    raise_alert,
    recent_story_ids,
    record_delivery_failure,
)
from storage.db import Database
from storage.stories import members_of

__all__ = [
    "ALERT_LEASE",
    "EMAIL",
    "Delivered",
    "Raised",
    "deliver_alert",
    "pending_deliveries",
    "raise_alerts",
]

log = logging.getLogger("diplowatch.story_alerts")

EMAIL = "email"  # the email channel's name; any other is an apprise channel of the profile
ALERT_LEASE = timedelta(minutes=5)  # a sender that died holds a delivery this long


@dataclass
class Raised:
    alert_id: int
    profile: str
    story_id: int
    kind: str
    level: int
    title: str
    reasons: list[str]
    channels: list[str]
    due_at: datetime


@dataclass
class Delivered:
    alert_id: int
    channel: str
    sent: bool = False
    skipped: str | None = None  # another run holds it, or it is done already
    error: str | None = None
    attempts: int = 0
    detail: dict[str, str] = field(default_factory=dict)


def email_recipients(profile: WatchProfile) -> list[str]:
    wanted = profile.story_alerts.recipients
    return list(profile.recipients if wanted is None else wanted)


def channels_for(settings: Settings, profile: WatchProfile) -> list[Channel]:
    """The deliveries an alert of ``profile`` gets: email when SMTP is configured and the
    profile has recipients, then each apprise channel by name."""
    found: list[Channel] = []
    config = smtp_config(settings)
    recipients = email_recipients(profile)
    if config is not None and recipients:
        found.append(Channel(EMAIL, recipients, new_message_id(config.sender)))
    found += [Channel(name) for name in profile.story_alerts.channels]
    return found


def raise_alerts(db: Database, settings: Settings, *, now: datetime | None = None) -> list[Raised]:
    """Step 1 for every profile; the alerts this call stored (none that another run did)."""
    moment = now or datetime.now(UTC)
    raised: list[Raised] = []
    for profile in settings.profiles:
        if profile.story_alerts.enabled and profile.story_alerts.rules:
            raised += raise_profile_alerts(db, settings, profile, moment)
    return raised


def raise_profile_alerts(
    db: Database, settings: Settings, profile: WatchProfile, now: datetime
) -> list[Raised]:
    options = profile.story_alerts
    quiet = (
        QuietHours.parse(options.quiet_hours, options.urgent_level)
        if options.quiet_hours
        else None
    )
    with db.session() as session:
        ids = recent_story_ids(session, now - timedelta(hours=options.max_age_hours))
        previous = previous_alerts(session, profile.name, ids)
        ids = [story_id for story_id in ids if len(previous.get(story_id, {})) < 2]
        members = members_of(session, ids)
    raised: list[Raised] = []
    for story_id, rows in members.items():
        story = digest_story(story_id, rows)
        if not concerns_profile(story, profile.partners, profile.min_score, profile.topics):
            continue
        before = {
            kind: (row.level, StoryFacts.from_json(row.facts), list(row.rules))
            for kind, row in previous.get(story_id, {}).items()
        }
        decision = decide(story, options.rules, profile.partners, before)
        if decision is None:
            continue
        rendered = render_alert(
            story,
            profile.name,
            kind=decision.kind,
            reasons=decision.reasons,
            changes=decision.changes,
        )
        due = quiet.due(now, decision.level) if quiet else now
        channels = channels_for(settings, profile)
        with db.session() as session:
            alert_id = raise_alert(
                session,
                channels=channels,
                profile=profile.name,
                story_id=story_id,
                kind=decision.kind,
                level=decision.level,
                rules=decision.rule_names,
                reasons=decision.reasons,
                changes=list(decision.changes),
                facts=story_facts(story).to_json(),
                title=clean_text(story.title) or story.url,
                url=story.url[:2048],
                subject=rendered.email.subject,
                html=rendered.email.html,
                text=rendered.email.text,
                markdown=rendered.markdown,
                raised_at=now,
                due_at=due,
                day=now.astimezone(VIETNAM_TZ).date().isoformat(),
            )
        if alert_id is None:
            continue  # another run raised it a moment ago
        log.info("%s %s for %s: %s", profile.name, decision.kind, story_id, story.title)
        raised.append(
            Raised(
                alert_id=alert_id,
                profile=profile.name,
                story_id=story_id,
                kind=decision.kind,
                level=decision.level,
                title=story.title,
                reasons=decision.reasons,
                channels=[channel.name for channel in channels],
                due_at=due,
            )
        )
    return raised


def pending_deliveries(
    db: Database, settings: Settings, *, now: datetime | None = None
) -> list[tuple[int, str]]:
    """Step 2's work list: (alert id, channel) due now for the configured profiles."""
    names = [p.name for p in settings.profiles if p.story_alerts.enabled]
    with db.session() as session:
        return due_deliveries(session, now or datetime.now(UTC), profiles=names)


def _send(settings: Settings, profile: WatchProfile, channel: str, alert: RenderedDigest,
          recipients: list[str], message_id: str | None) -> tuple[list[str], str | None, str]:
    """One attempt on one channel: (accepted recipients, message id, refused detail)."""
    if channel == EMAIL:
        config = smtp_config(settings)
        if config is None:
            raise SendError("no SMTP server configured (set DIPLOWATCH_SMTP__HOST)")
        message = build_message(
            alert, config.sender, recipients, message_id=message_id or new_message_id(config.sender)
        )
        result = send_message(message, recipients, config)
        refused = "; ".join(f"{rcpt}: {why}" for rcpt, why in result.refused.items())
        return list(result.accepted), result.message_id, refused
    url = profile.story_alerts.channels.get(channel)
    if url is None:
        raise SendError(f"channel {channel!r} is no longer configured for {profile.name}")
    notify_chat(url.get_secret_value(), md(alert.subject), alert.markdown or alert.text)
    return [], None, ""


def deliver_alert(
    db: Database, settings: Settings, alert_id: int, channel: str, *, now: datetime | None = None
) -> Delivered:
    """Step 2 for one delivery, one attempt. Raises SendError (after recording it) when it
    was not delivered, so that the caller may retry; ``temporary`` says whether to."""
    outcome = Delivered(alert_id, channel)
    moment = now or datetime.now(UTC)
    with db.session() as session:
        if not claim_delivery(session, alert_id, channel, now=moment, lease=ALERT_LEASE):
            outcome.skipped = "sent, given up, or being sent by another run"
            return outcome
        found = alert_delivery(session, alert_id, channel)
        assert found is not None, "a claimed delivery exists"
        alert, delivery = found
        rendered = RenderedDigest(alert.subject, alert.html, alert.text, alert.markdown)
        recipients, message_id = list(delivery.recipients), delivery.message_id
        profile_name, attempts = alert.profile, delivery.attempts
    try:
        profile = settings.profile(profile_name)
        accepted, sent_id, refused = _send(
            settings, profile, channel, rendered, recipients, message_id
        )
    except (SendError, KeyError, ValueError) as error:
        temporary = isinstance(error, SendError) and error.temporary
        give_up = not temporary or attempts + 1 >= profile_max_attempts(settings, profile_name)
        text = str(error.args[0]) if isinstance(error, KeyError) else str(error)
        with db.session() as session:
            outcome.attempts = record_delivery_failure(
                session, alert_id, channel, text, give_up=give_up
            )
        outcome.error = text
        log.warning("alert %s %s: %s (try %d)", alert_id, channel, text, outcome.attempts)
        raise SendError(text, temporary=temporary and not give_up) from None
    with db.session() as session:
        mark_delivery_sent(
            session,
            alert_id,
            channel,
            sent_at=datetime.now(UTC),
            recipients=accepted,
            message_id=sent_id,
            refused=refused or None,
        )
    outcome.sent, outcome.attempts = True, attempts + 1
    return outcome


def profile_max_attempts(settings: Settings, name: str) -> int:
    try:
        return settings.profile(name).story_alerts.max_attempts
    except KeyError:
        return 1
