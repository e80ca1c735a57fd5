"""Stories as plain functions: filing a stored article in its story (the monitor calls this
in the article's own transaction) and catching up articles stored before stories existed.

Filing: hash the article (``analysis.stories``), look up candidates by key
(``storage.stories``), join the best matching story or found a new one, merge any other
story it also matches, refresh the story's summary (``digest.summary``). Idempotent: filing
the same article again changes nothing; an article that is no longer diplomacy leaves its
story, and an emptied story goes.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from analysis.stories import (
    STORY_MODEL_VERSION,
    WINDOW,
    StoryItem,
    best_stories,
    decode_signature,
    encode_signature,
    story_item,
)
from digest.summary import summarize
from records import Article, Verdict
from storage.models import ArticleRow
from storage.repository import article_from_row, verdict_from_row
from storage.stories import (
    StoredMember,
    as_member,
    candidates,
    delete_story_if_empty,
    detach_article,
    file_article,
    members_of,
    membership,
    merge_stories,
    serialize_story_filing,
    unfiled_diplomacy_articles,
    update_story,
)

__all__ = ["file_in_story", "file_unfiled", "refresh_story"]


def _item(member: StoredMember) -> StoryItem:
    verdict = verdict_from_row(member.verdict) if member.verdict else Verdict(False, 0.0)
    signature = decode_signature(member.signature) if member.signature else None
    return story_item(
        article_from_row(member.article),
        verdict,
        member.moment,
        signature=signature,
        shingle_count=member.shingle_count,
    )


def refresh_story(session: Session, story_id: int) -> None:
    """Recompute the story's representative, coverage and merged fields from its members."""
    members = members_of(session, [story_id]).get(story_id, [])
    if not members:
        delete_story_if_empty(session, story_id)
        return
    summary = summarize([as_member(m) for m in members])
    update_story(
        session,
        story_id,
        representative_id=summary.representative_id,
        title=summary.title,
        first_seen_at=summary.first_seen_at,
        last_seen_at=summary.last_seen_at,
        article_count=summary.article_count,
        outlets=summary.outlets,
        partners=summary.partners,
        people=[asdict(person) for person in summary.people],
        topics=summary.topics,
        event=summary.event,
        score=summary.score,
    )


def file_in_story(
    session: Session, article_id: int, article: Article, verdict: Verdict
) -> int | None:
    """File a stored article in its story (in the caller's transaction); the story id, or
    None for an article that is not diplomacy (taken out of any story it was in)."""
    row = session.get(ArticleRow, article_id)
    moment = article.published_at or (row.first_seen_at if row else None) or datetime.now(UTC)
    if verdict.is_diplomacy or membership(session, article_id) is not None:
        serialize_story_filing(session)  # one filing at a time across workers
    current = membership(session, article_id)
    if not verdict.is_diplomacy:
        left = detach_article(session, article_id)
        if left is not None:
            refresh_story(session, left)
        return None
    item = story_item(article, verdict, moment)
    signature = encode_signature(item.signature)
    if (
        current is not None
        and current.signature == signature
        and current.moment == moment
        and current.model_version == STORY_MODEL_VERSION
    ):
        refresh_story(session, current.story_id)  # the verdict may have changed
        return current.story_id
    found = candidates(
        session, item.lookup_keys(), moment - WINDOW, moment + WINDOW, exclude_article_id=article_id
    )
    matches = best_stories(item, [(m.story_id, _item(m)) for m in found])
    matched = [story for story, _ in matches]
    target: int | None = matched[0] if matched else None
    if current is not None and (current.story_id in matched or not matched):
        target = current.story_id  # stay put unless the article now matches elsewhere only
    score = next((s for story, s in matches if story == target), 1.0)
    story_id = file_article(
        session,
        article_id,
        story_id=target,
        moment=moment,
        signature=signature,
        shingle_count=item.shingle_count,
        keys=item.keys,
        similarity=score,
        model_version=STORY_MODEL_VERSION,
        title=article.title,
    )
    merge_stories(session, story_id, [s for s in matched if s != story_id])
    if current is not None and current.story_id != story_id:
        refresh_story(session, current.story_id)
    refresh_story(session, story_id)
    return story_id


def file_unfiled(session: Session, start: datetime, end: datetime) -> int:
    """File the diplomacy articles of [start, end) that are in no story; how many."""
    rows = unfiled_diplomacy_articles(session, start, end)
    for article, verdict in rows:
        file_in_story(session, article.id, article_from_row(article), verdict_from_row(verdict))
    return len(rows)
