"""The daily digest as plain functions (the Prefect flow wraps them).

The digest of one watch profile and day:
1. the window: since the profile's last sent digest (at most ``MAX_WINDOW``), else the 24
   hours before 07:00 Asia/Ho_Chi_Minh on that day;
2. file any diplomacy article of the window not in a story yet (stored before stories,
   see ``flows.stories``);
3. the stories with a diplomacy article of the window for the profile's partners and score,
   less those a sent digest already carried; each with its coverage up to the window's end;
   with the profile's topics, only the stories whose fields of cooperation include one;
4. render HTML, plain text and Markdown, write them and the Atom feed, store the digest row
   and its stories;
5. send it when asked and configured, once: a sent digest is only re-sent with force; the
   message as sent is archived next to the digest.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy.orm import Session

from digest.feed import render_feed
from digest.files import write_digest, write_feed, write_message
from digest.model import DigestStory, StoryDigest, digest_window, rank_stories
from digest.render import RenderedDigest, render_digest
from digest.send import SendError, SmtpConfig, build_message, new_message_id, send_message
from digest.summary import digest_story as story_of
from flows.settings import Settings, WatchProfile
from flows.stories import file_unfiled
from parsers.registry import outlet_display_name
from records import VIETNAM_TZ
from storage.alerts import alerted_stories, latest_alerted_stories
from storage.db import Database
from storage.digests import (
    claim_digest_send,
    get_digest,
    mark_digest_sent,
    record_digest_send_failure,
    save_rendered_digest,
)
from storage.stories import (
    StoredMember,
    as_member,
    digest_story_ids,
    last_sent_window_end,
    members_of,
    recent_digest_stories,
    save_digest_stories,
    sent_story_ids,
    window_members,
)

log = logging.getLogger("diplowatch.digest")

MAX_WINDOW = timedelta(days=7)  # a digest after a long pause covers at most a week
SEND_LEASE = timedelta(minutes=10)  # a run that died while sending blocks others this long
FEED_STORIES = 50

# --------------------------------------------------------------------------- collecting


def profile_window(session: Session, profile: str, day: date) -> tuple[datetime, datetime]:
    """Since the end of the profile's last sent digest before ``day`` (at most a week),
    else the 24 hours before 07:00 on ``day``."""
    start, end = digest_window(day)
    last = last_sent_window_end(session, profile, day.isoformat())
    if last is not None and last < start:
        start = max(last, end - MAX_WINDOW)
    return start, end


def default_digest_day(now: datetime | None = None) -> date:
    """Today in Asia/Ho_Chi_Minh."""
    return (now or datetime.now(UTC)).astimezone(VIETNAM_TZ).date()


def digest_story(story_id: int, members: list[StoredMember]) -> DigestStory:
    """One story as the digest shows it, from its members (time order)."""
    return story_of(story_id, [as_member(m) for m in members], outlet_display_name)


def collect_digest(
    db: Database, profile: WatchProfile, day: date
) -> tuple[StoryDigest, list[int], list[int]]:
    """Steps 1 to 3: the digest, its story ids (in rank order) and its article ids."""
    wanted = set(profile.partners)
    with db.session() as session:
        start, end = profile_window(session, profile.name, day)
        file_unfiled(session, start, end)
    with db.session() as session:
        hits = window_members(session, start, end, min_score=profile.min_score)
        ids = list(
            dict.fromkeys(
                story for story, _, partners in hits if not wanted or wanted.intersection(partners)
            )
        )
        done = sent_story_ids(session, profile.name, ids, except_day=day.isoformat())
        members = members_of(session, [s for s in ids if s not in done], until=end)
        stories = tuple(digest_story(story, rows) for story, rows in members.items())
        alerted = alerted_stories(session, profile.name, members)  # marked (issue 13)
        stories = tuple(
            replace(s, alerted_at=alerted.get(s.story_id or 0)) if s.story_id in alerted else s
            for s in stories
        )
    if profile.topics:  # fields of cooperation to watch: a story must touch one of them
        topics = set(profile.topics)
        stories = tuple(s for s in stories if topics.intersection(s.topics))
    record = StoryDigest(
        profile=profile.name,
        day=day.isoformat(),
        window_start=start,
        window_end=end,
        stories=stories,
        partners=tuple(profile.partners),
    )
    ranked = rank_stories(record)
    article_ids = [m.article.id for story in ranked for m in members[story.story_id or 0]]
    return record, [s.story_id for s in ranked if s.story_id is not None], article_ids


# --------------------------------------------------------------------------- producing


@dataclass
class DigestOutcome:
    """What producing one digest did; printed by the CLI and returned by the flow."""

    profile: str
    day: str
    articles: int
    html_path: str
    text_path: str
    stories: int = 0
    outlets: int = 0
    feed_path: str | None = None
    recipients: list[str] = field(default_factory=list)
    sent: bool = False
    already_sent: bool = False
    skipped: str | None = None  # why it was not sent although asked ("empty")
    message_id: str | None = None
    eml_path: str | None = None
    refused: dict[str, str] = field(default_factory=dict)
    error: str | None = None


def write_profile_feed(
    db: Database, profile: str, out_dir: Path, story_base_url: str | None = None
) -> Path:
    """The Atom feed of the stories of the profile's latest digests, next to the digests."""
    with db.session() as session:
        recent = recent_digest_stories(session, profile, limit=FEED_STORIES)
        stories: list[DigestStory] = []
        for _, story_id, end in recent:
            rows = members_of(session, [story_id], until=end).get(story_id)
            if rows:
                stories.append(digest_story(story_id, rows))
        # Alerted stories (issue 13): marked, and at the top until a digest carries them.
        carried = {story_id for _, story_id, _ in recent}
        latest = latest_alerted_stories(session, profile, limit=FEED_STORIES)
        fresh = [story_id for story_id, _ in latest if story_id not in carried]
        found = members_of(session, fresh)
        stories[:0] = [digest_story(s, found[s]) for s in fresh if s in found]
        alerted = dict(latest) | alerted_stories(session, profile, carried)
        stories = [
            replace(s, alerted_at=alerted[s.story_id]) if s.story_id in alerted else s
            for s in stories
        ]
    feed = render_feed(
        profile, stories, updated=datetime.now(UTC), story_base_url=story_base_url
    )
    return write_feed(feed, out_dir, profile)


def prepare_digest(
    db: Database, settings: Settings, profile: WatchProfile, day: date, out_dir: Path
) -> tuple[DigestOutcome, RenderedDigest]:
    """Steps 1 to 4. A digest already sent keeps its stored bodies (what readers got)."""
    iso = day.isoformat()
    with db.session() as session:
        existing = get_digest(session, profile.name, iso)
        sent = existing is not None and existing.sent_at is not None
        if existing is not None and sent:
            rendered = RenderedDigest(existing.subject, existing.html, existing.text)
            article_ids, story_ids = list(existing.article_ids), None
            start, end = existing.window_start, existing.window_end
            carried = digest_story_ids(session, existing.id)
            counts = (len(carried), 0)
    if not sent:
        record, story_ids, article_ids = collect_digest(db, profile, day)
        rendered = render_digest(record, story_base_url=settings.web.base_url)
        start, end = record.window_start, record.window_end
        counts = (len(record.stories), record.outlet_count)
    html_path, text_path = write_digest(rendered, out_dir, profile.name, iso)
    with db.session() as session:
        row = save_rendered_digest(
            session,
            profile=profile.name,
            day=iso,
            window_start=start,
            window_end=end,
            subject=rendered.subject,
            html=rendered.html,
            text=rendered.text,
            article_ids=article_ids,
            html_path=str(html_path),
        )
        if story_ids is not None:
            save_digest_stories(session, row.id, story_ids)
        outcome = DigestOutcome(
            profile=profile.name,
            day=iso,
            articles=len(article_ids),
            stories=counts[0],
            outlets=counts[1],
            html_path=str(html_path),
            text_path=str(text_path),
            recipients=list(profile.recipients),
            already_sent=row.sent_at is not None,
            message_id=row.message_id,
        )
    outcome.feed_path = str(
        write_profile_feed(db, profile.name, out_dir, settings.web.base_url)
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
    """Step 5, one attempt: marks the digest sent only when the server accepted it, and
    archives the message as sent (``<day>.eml`` next to the digest).

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
    with db.session() as session:
        claimed = claim_digest_send(
            session, outcome.profile, outcome.day, now=datetime.now(UTC), lease=SEND_LEASE,
            force=force,
        )
    if not claimed:  # another run is sending it right now (or just sent it)
        log.info("digest %s %s is being sent by another run", outcome.profile, outcome.day)
        outcome.skipped = "being sent by another run"
        return outcome
    # A retry of an unsent digest keeps its Message-ID (a duplicate can be recognised);
    # a forced re-send of a sent one is a new message.
    if outcome.message_id is None or outcome.already_sent:
        outcome.message_id = new_message_id(config.sender)
    message = build_message(
        rendered, config.sender, outcome.recipients, message_id=outcome.message_id
    )
    try:
        result = send_message(message, outcome.recipients, config)
    except SendError as error:
        with db.session() as session:
            row = get_digest(session, outcome.profile, outcome.day)
            if row is not None:
                record_digest_send_failure(session, row, str(error))
        outcome.error = str(error)
        raise
    eml = write_message(
        message.as_bytes(), Path(outcome.html_path).parent.parent, outcome.profile, outcome.day
    )
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
    outcome.eml_path = str(eml)
    outcome.refused = dict(result.refused)
    outcome.error = None
    return outcome
