"""What the pages show, built from the archive: stories ranked as the digest ranks them,
story list items, a story's articles, search hits, pagination.

The day's stories are the stories of that day's digest window (the 24 hours before 07:00
Asia/Ho_Chi_Minh) for a watch profile, chosen and ranked exactly as ``flows.digesting``
does (``digest.summary.summarize`` and ``digest.model.rank_stories``), without the
digest's "not sent before" rule: the page shows the day as it was, every time.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from digest.labels import (
    clean_text,
    event_label,
    format_vietnam_time,
    partner_name,
    person_label,
    safe_link,
    topic_label,
)
from digest.links import STORY_PATH
from digest.model import DigestStory, StoryDigest, digest_window, rank_stories
from digest.summary import digest_story
from parsers.registry import outlet_display_name
from records import Person
from storage.models import StoryRow
from storage.search import SearchHit
from storage.stories import StoredMember, as_member, members_of, window_members
from web.config import Profile

outlet_name = outlet_display_name
__all__ = ["digest_window", "outlet_name"]  # (pages.py imports them from here)


def story_path(story_id: int) -> str:
    return STORY_PATH.format(story_id=story_id)


# --------------------------------------------------------------------------- the day


def _digest_story(story_id: int, members: list[StoredMember]) -> DigestStory:
    return digest_story(story_id, [as_member(m) for m in members], outlet_name)


def day_stories(session: Session, profile: Profile, day: date) -> tuple[DigestStory, ...]:
    """The stories of ``day``'s digest window for ``profile``, in the digest's order."""
    start, end = digest_window(day)
    wanted = set(profile.partners)
    hits = window_members(session, start, end, min_score=profile.min_score)
    ids = list(dict.fromkeys(s for s, _, partners in hits if not wanted or wanted & set(partners)))
    members = members_of(session, ids, until=end)
    stories = tuple(_digest_story(story, rows) for story, rows in members.items())
    if profile.topics:
        stories = tuple(s for s in stories if set(profile.topics) & set(s.topics))
    record = StoryDigest(profile=profile.name, day=day.isoformat(), window_start=start,
                         window_end=end, stories=stories, partners=profile.partners)  # fmt: skip
    return rank_stories(record)


# --------------------------------------------------------------------------- view models


@dataclass(frozen=True)
class StoryItem:
    id: int
    page: str
    title: str
    source: str | None  # the representative article, when an http(s) URL
    outlet: str
    time: str
    event: str
    partners: tuple[tuple[str, str], ...]  # (code, name)
    people: tuple[tuple[str, str], ...]  # (name, "name (title)")
    topics: tuple[str, ...]
    outlet_count: int
    article_count: int
    lead: str = ""


def _people(people: Sequence[Person]) -> tuple[tuple[str, str], ...]:
    return tuple(
        (clean_text(p.name), person_label(p)) for p in people if clean_text(p.name)
    )


def _partners(codes: Sequence[str]) -> tuple[tuple[str, str], ...]:
    return tuple((clean_text(c).upper(), partner_name(c)) for c in codes if clean_text(c))


def item_from_digest(story: DigestStory) -> StoryItem:
    return StoryItem(
        id=story.story_id or 0,
        page=story_path(story.story_id or 0),
        title=clean_text(story.title) or "(không có tiêu đề)",
        source=safe_link(story.url),
        outlet=clean_text(story.outlet_name),
        time=format_vietnam_time(story.first_seen_at),
        event=event_label(story.event),
        partners=_partners(story.partners),
        people=_people(story.people),
        topics=tuple(label for label in map(topic_label, story.topics) if label),
        outlet_count=len(story.outlet_keys),
        article_count=len(story.coverage),
        lead=clean_text(story.lead),
    )


def people_of(row: StoryRow) -> tuple[Person, ...]:
    found = []
    for person in row.people or []:
        if isinstance(person, dict) and isinstance(person.get("name"), str):
            title = person.get("title")
            found.append(Person(person["name"], title if isinstance(title, str) else None))
    return tuple(found)


def item_from_row(row: StoryRow) -> StoryItem:
    outlets = [str(key) for key in row.outlets or []]
    return StoryItem(
        id=row.id,
        page=story_path(row.id),
        title=clean_text(row.title) or "(không có tiêu đề)",
        source=None,
        outlet=outlet_name(outlets[0]) if outlets else "",
        time=format_vietnam_time(row.first_seen_at),
        event=event_label(row.event),
        partners=_partners([str(p) for p in row.partners or []]),
        people=_people(people_of(row)),
        topics=tuple(label for label in (topic_label(str(t)) for t in row.topics or []) if label),
        outlet_count=row.outlet_count,
        article_count=row.article_count,
    )


@dataclass(frozen=True)
class Span:
    text: str
    marked: bool


def marked(text: str, spans: Sequence[tuple[int, int]]) -> tuple[Span, ...]:
    """``text`` cut into plain and highlighted pieces (the template escapes each)."""
    out, position = [], 0
    for start, end in spans:
        if start > position:
            out.append(Span(text[position:start], False))
        out.append(Span(text[start:end], True))
        position = end
    out.append(Span(text[position:], False))
    return tuple(span for span in out if span.text)


@dataclass(frozen=True)
class HitItem:
    title: tuple[Span, ...]
    link: str | None
    outlet: str
    time: str
    diplomacy: bool
    partners: tuple[tuple[str, str], ...]
    snippet: tuple[Span, ...]
    story: str | None


_BIDI = frozenset([*map(chr, range(0x202A, 0x202F)), *map(chr, range(0x2066, 0x206A)),
                   "\u200e", "\u200f", "\u061c"])  # fmt: skip


def _piece(text: str) -> str:
    """A piece of a highlighted line: like ``clean_text`` but keeping its edge spaces."""
    return "".join(
        " " if char.isspace() else char
        for char in text
        if char not in _BIDI and (char.isspace() or unicodedata.category(char) not in ("Cc", "Cs"))
    )


def _spans(text: str, highlights: Sequence[tuple[int, int]]) -> tuple[Span, ...]:
    return tuple(Span(_piece(s.text), s.marked) for s in marked(text, highlights) if _piece(s.text))


def hit_item(hit: SearchHit, story_id: int | None) -> HitItem:
    return HitItem(
        title=_spans(hit.title, hit.title_highlights) or (Span("(không có tiêu đề)", False),),
        link=safe_link(hit.url),
        outlet=outlet_name(hit.outlet_key),
        time=format_vietnam_time(hit.time),
        diplomacy=bool(hit.is_diplomacy),
        partners=_partners(hit.partners),
        snippet=_spans(hit.snippet.text, hit.snippet.highlights),
        story=story_path(story_id) if story_id is not None else None,
    )


@dataclass(frozen=True)
class Pager:
    page: int
    pages: int
    total: int
    capped: bool = False  # the total is a lower bound

    def items(self, per_page: int) -> tuple[int, int]:
        """(offset, limit) of this page."""
        return (self.page - 1) * per_page, per_page


def pager(page: int, total: int, per_page: int, *, cap: int | None = None) -> Pager:
    capped = cap is not None and total >= cap
    shown = min(total, cap) if cap is not None else total
    return Pager(page=page, pages=max(1, math.ceil(shown / per_page)), total=shown, capped=capped)


def article_item(article: Any, verdict: Any, moment: datetime) -> dict[str, Any]:
    """One article of a story page (a dict for the template)."""
    people = [Person(**p) for p in (verdict.people if verdict else []) if isinstance(p, dict)]
    return {
        "title": clean_text(article.title) or "(không có tiêu đề)",
        "link": safe_link(article.url),
        "url": clean_text(article.url),
        "outlet": outlet_name(article.outlet_key),
        "time": format_vietnam_time(moment),
        "credited": clean_text(article.credited_source),
        "method": clean_text(article.extraction_method),
        "diplomacy": bool(verdict and verdict.is_diplomacy),
        "score": f"{verdict.score:.2f}" if verdict else "",
        "event": event_label(verdict.event) if verdict else "",
        "partners": _partners([str(p) for p in verdict.partners]) if verdict else (),
        "people": _people(people),
        "evidence": tuple(clean_text(str(e)) for e in (verdict.evidence if verdict else [])),
        "model": clean_text(verdict.model_version) if verdict else "",
    }
