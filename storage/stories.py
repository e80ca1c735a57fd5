"""Stories in the database: candidate lookup by key, membership, merges, summaries, and the
queries the digest needs. Matching itself is decided by ``analysis.stories`` (the flows
call both); this module only stores and fetches.

Idempotent: an article is in at most one story (``story_articles`` is keyed on the article),
re-filing an article replaces its signature and keys instead of adding rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.orm import Session

from digest.summary import Member
from storage.alerts import move_story_alerts
from storage.models import (
    ArticleRow,
    DigestRow,
    DigestStoryRow,
    StoryArticleRow,
    StoryKeyRow,
    StoryRow,
    VerdictRow,
    utcnow,
)
from storage.repository import article_from_row, verdict_from_row

__all__ = [
    "StoredMember",
    "candidates",
    "delete_story_if_empty",
    "detach_article",
    "digest_story_ids",
    "file_article",
    "last_sent_window_end",
    "members_of",
    "membership",
    "merge_stories",
    "recent_digest_stories",
    "save_digest_stories",
    "sent_story_ids",
    "unfiled_diplomacy_articles",
    "update_story",
    "window_members",
]

_CHUNK = 500  # bound parameters per IN list (SQLite allows 32766, keep statements small)


@dataclass(frozen=True)
class StoredMember:
    """A filed article with what matching and summarising need."""

    story_id: int
    article: ArticleRow
    verdict: VerdictRow | None
    moment: datetime
    signature: bytes
    shingle_count: int


STORY_FILING_LOCK = 0x6470_7374  # an arbitrary PostgreSQL advisory-lock key ("dpst")


def serialize_story_filing(session: Session) -> None:
    """Make concurrent transactions file articles one at a time, so that two workers storing
    two reports of one event at once cannot each found a story of its own. On PostgreSQL a
    transaction-scoped advisory lock (released at commit or rollback); SQLite needs nothing,
    as the monitor's transaction writes first and so already holds the database's write
    lock."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(func.pg_advisory_xact_lock(STORY_FILING_LOCK)))


def membership(session: Session, article_id: int) -> StoryArticleRow | None:
    return session.get(StoryArticleRow, article_id)


def candidates(
    session: Session,
    keys: Sequence[int],
    start: datetime,
    end: datetime,
    *,
    exclude_article_id: int | None = None,
) -> list[StoredMember]:
    """Filed articles sharing a key with ``keys`` whose time is in [start, end]."""
    ids: set[int] = set()
    unique = list(dict.fromkeys(keys))
    for offset in range(0, len(unique), _CHUNK):
        chunk = unique[offset : offset + _CHUNK]
        ids.update(
            session.scalars(
                select(StoryKeyRow.article_id)
                .where(StoryKeyRow.band_key.in_(chunk))
                .where(StoryKeyRow.moment >= start, StoryKeyRow.moment <= end)
                .distinct()
            )
        )
    ids.discard(exclude_article_id if exclude_article_id is not None else -1)
    return _members_by_article(session, sorted(ids))


def _members_by_article(session: Session, article_ids: Sequence[int]) -> list[StoredMember]:
    found: list[StoredMember] = []
    for offset in range(0, len(article_ids), _CHUNK):
        chunk = article_ids[offset : offset + _CHUNK]
        query = (
            select(StoryArticleRow, ArticleRow, VerdictRow)
            .join(ArticleRow, ArticleRow.id == StoryArticleRow.article_id)
            .outerjoin(VerdictRow, VerdictRow.article_id == ArticleRow.id)
            .where(StoryArticleRow.article_id.in_(chunk))
            .order_by(StoryArticleRow.moment, StoryArticleRow.article_id)
        )
        found.extend(
            StoredMember(
                story_id=member.story_id,
                article=article,
                verdict=verdict,
                moment=member.moment,
                signature=member.signature,
                shingle_count=member.shingle_count,
            )
            for member, article, verdict in session.execute(query)
        )
    return found


def members_of(
    session: Session, story_ids: Iterable[int], *, until: datetime | None = None
) -> dict[int, list[StoredMember]]:
    """The members of each story (time order), only those before ``until`` when given."""
    wanted = sorted(set(story_ids))
    article_ids: list[int] = []
    for offset in range(0, len(wanted), _CHUNK):
        query = select(StoryArticleRow.article_id).where(
            StoryArticleRow.story_id.in_(wanted[offset : offset + _CHUNK])
        )
        if until is not None:
            query = query.where(StoryArticleRow.moment < until)
        article_ids.extend(session.scalars(query))
    grouped: dict[int, list[StoredMember]] = {story_id: [] for story_id in wanted}
    for member in _members_by_article(session, sorted(article_ids)):
        grouped.setdefault(member.story_id, []).append(member)
    return {story_id: members for story_id, members in grouped.items() if members}


def file_article(
    session: Session,
    article_id: int,
    *,
    story_id: int | None,
    moment: datetime,
    signature: bytes,
    shingle_count: int,
    keys: Sequence[int],
    similarity: float,
    model_version: str,
    title: str,
) -> int:
    """Put the article in ``story_id`` (a new story when None) with its signature and keys.

    Re-filing an article replaces its row and keys (no duplicate membership). Returns the
    story id. The story's summary is the caller's to refresh (``update_story``).
    """
    now = utcnow()
    if story_id is None:
        story = StoryRow(
            representative_id=article_id,
            title=title,
            first_seen_at=moment,
            last_seen_at=moment,
            article_count=1,
            outlet_count=0,
            outlets=[],
            partners=[],
            people=[],
            topics=[],
            score=0.0,
            created_at=now,
            updated_at=now,
        )
        session.add(story)
        session.flush()
        story_id = story.id
    row = session.get(StoryArticleRow, article_id)
    if row is None:
        row = StoryArticleRow(article_id=article_id, joined_at=now)
    row.story_id = story_id
    row.moment = moment
    row.similarity = similarity
    row.signature = signature
    row.shingle_count = shingle_count
    row.model_version = model_version
    session.add(row)
    session.execute(delete(StoryKeyRow).where(StoryKeyRow.article_id == article_id))
    unique = list(dict.fromkeys(keys))
    if unique:
        session.execute(
            insert(StoryKeyRow),
            [{"article_id": article_id, "band_key": key, "moment": moment} for key in unique],
        )
    session.flush()
    return story_id


def merge_stories(session: Session, into: int, others: Iterable[int]) -> None:
    """Move every member of ``others`` into ``into`` and delete the emptied stories; the
    digests that carried one of them now count as having carried ``into``."""
    for other in sorted(set(others) - {into}):
        session.execute(
            update(StoryArticleRow).where(StoryArticleRow.story_id == other).values(story_id=into)
        )
        carried = set(
            session.scalars(select(DigestStoryRow.digest_id).where(DigestStoryRow.story_id == into))
        )
        for row in session.scalars(select(DigestStoryRow).where(DigestStoryRow.story_id == other)):
            if row.digest_id in carried:
                session.delete(row)
            else:
                row.story_id = into
        move_story_alerts(session, into, other)  # a merged story does not alert again
        session.flush()
        session.execute(delete(StoryRow).where(StoryRow.id == other))
    session.flush()


def detach_article(session: Session, article_id: int) -> int | None:
    """Take the article out of its story (no longer diplomacy); returns the story it left."""
    row = session.get(StoryArticleRow, article_id)
    session.execute(delete(StoryKeyRow).where(StoryKeyRow.article_id == article_id))
    if row is None:
        return None
    story_id = row.story_id
    session.delete(row)
    session.flush()
    return story_id


def delete_story_if_empty(session: Session, story_id: int) -> bool:
    count = session.scalar(
        select(func.count())
        .select_from(StoryArticleRow)
        .where(StoryArticleRow.story_id == story_id)
    )
    if count:
        return False
    session.execute(delete(StoryRow).where(StoryRow.id == story_id))
    return True


def update_story(
    session: Session,
    story_id: int,
    *,
    representative_id: int,
    title: str,
    first_seen_at: datetime,
    last_seen_at: datetime,
    article_count: int,
    outlets: Sequence[str],
    partners: Sequence[str],
    people: Sequence[dict[str, Any]],
    topics: Sequence[str],
    event: str | None,
    score: float,
) -> None:
    story = session.get(StoryRow, story_id)
    if story is None:
        raise KeyError(f"no story {story_id}")
    story.representative_id = representative_id
    story.title = title
    story.first_seen_at = first_seen_at
    story.last_seen_at = last_seen_at
    story.article_count = article_count
    story.outlet_count = len(outlets)
    story.outlets = list(outlets)
    story.partners = list(partners)
    story.people = list(people)
    story.topics = list(topics)
    story.event = event
    story.score = score
    story.updated_at = utcnow()
    session.add(story)


# --- what the digest asks -----------------------------------------------------------------


def window_members(
    session: Session, start: datetime, end: datetime, *, min_score: float = 0.0
) -> list[tuple[int, int, list[Any]]]:
    """(story id, article id, partners) of the diplomacy articles filed with a time in
    [start, end) and a score of at least ``min_score``.

    Only the time range is a condition in SQL (its index leads; an index on the verdict
    flag would make SQLite walk every diplomacy verdict); the verdict is checked here.
    """
    query = (
        select(
            StoryArticleRow.story_id,
            StoryArticleRow.article_id,
            VerdictRow.partners,
            VerdictRow.is_diplomacy,
            VerdictRow.score,
        )
        .join(VerdictRow, VerdictRow.article_id == StoryArticleRow.article_id)
        .where(StoryArticleRow.moment >= start, StoryArticleRow.moment < end)
        .order_by(StoryArticleRow.moment, StoryArticleRow.article_id)
    )
    return [
        (story_id, article_id, list(partners))
        for story_id, article_id, partners, diplomacy, score in session.execute(query)
        if diplomacy and score >= min_score
    ]


def unfiled_diplomacy_articles(
    session: Session, start: datetime, end: datetime
) -> list[tuple[ArticleRow, VerdictRow]]:
    """Diplomacy articles of [start, end) in no story yet (stored before stories existed).

    The window is found by the article-time index; verdicts are checked here (see
    ``window_members``), and only the unfiled diplomacy articles are loaded whole.
    """
    when = func.coalesce(ArticleRow.published_at, ArticleRow.first_seen_at)
    filed = select(StoryArticleRow.article_id)
    ids = [
        article_id
        for article_id, diplomacy in session.execute(
            select(ArticleRow.id, VerdictRow.is_diplomacy)
            .join(VerdictRow, VerdictRow.article_id == ArticleRow.id)
            .where(when >= start, when < end)
            .where(ArticleRow.id.not_in(filed))
            .order_by(when, ArticleRow.id)
        )
        if diplomacy
    ]
    found: list[tuple[ArticleRow, VerdictRow]] = []
    for offset in range(0, len(ids), _CHUNK):
        chunk = ids[offset : offset + _CHUNK]
        query = (
            select(ArticleRow, VerdictRow)
            .join(VerdictRow, VerdictRow.article_id == ArticleRow.id)
            .where(ArticleRow.id.in_(chunk))
            .order_by(when, ArticleRow.id)
        )
        found.extend((article, verdict) for article, verdict in session.execute(query))
    return found


def last_sent_window_end(session: Session, profile: str, before_day: str) -> datetime | None:
    """Where the profile's last sent digest before ``before_day`` stopped, if any."""
    return session.scalar(
        select(func.max(DigestRow.window_end))
        .where(DigestRow.profile == profile, DigestRow.day < before_day)
        .where(DigestRow.sent_at.is_not(None))
    )


def sent_story_ids(
    session: Session, profile: str, story_ids: Iterable[int], *, except_day: str
) -> set[int]:
    """Those of ``story_ids`` a sent digest of the profile (another day) already carried."""
    wanted = sorted(set(story_ids))
    found: set[int] = set()
    for offset in range(0, len(wanted), _CHUNK):
        found.update(
            session.scalars(
                select(DigestStoryRow.story_id)
                .join(DigestRow, DigestRow.id == DigestStoryRow.digest_id)
                .where(DigestRow.profile == profile, DigestRow.day != except_day)
                .where(DigestRow.sent_at.is_not(None))
                .where(DigestStoryRow.story_id.in_(wanted[offset : offset + _CHUNK]))
            )
        )
    return found


def save_digest_stories(session: Session, digest_id: int, story_ids: Sequence[int]) -> None:
    """Record the stories of a digest in order (replacing what an unsent render stored)."""
    session.execute(delete(DigestStoryRow).where(DigestStoryRow.digest_id == digest_id))
    unique = list(dict.fromkeys(story_ids))
    if unique:
        session.execute(
            insert(DigestStoryRow),
            [
                {"digest_id": digest_id, "story_id": story_id, "position": position}
                for position, story_id in enumerate(unique)
            ],
        )


def digest_story_ids(session: Session, digest_id: int) -> list[int]:
    return list(
        session.scalars(
            select(DigestStoryRow.story_id)
            .where(DigestStoryRow.digest_id == digest_id)
            .order_by(DigestStoryRow.position)
        )
    )


def recent_digest_stories(
    session: Session, profile: str, *, limit: int = 50
) -> list[tuple[str, int, datetime]]:
    """(day, story id, window end) of the profile's latest digests' stories, newest first."""
    query = (
        select(DigestRow.day, DigestStoryRow.story_id, DigestRow.window_end)
        .join(DigestStoryRow, DigestStoryRow.digest_id == DigestRow.id)
        .where(DigestRow.profile == profile)
        .order_by(DigestRow.day.desc(), DigestStoryRow.position)
        .limit(limit)
    )
    return [(day, story_id, end) for day, story_id, end in session.execute(query)]


def as_member(stored: StoredMember) -> Member:
    """A stored member as ``digest.summary`` takes it."""
    verdict = verdict_from_row(stored.verdict) if stored.verdict else None
    return Member(stored.article.id, article_from_row(stored.article), verdict, stored.moment)
