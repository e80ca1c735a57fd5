"""A story's summary: its representative article, coverage and merged fields (pure).

The representative is the original when one is known (an article crediting no other source),
else the most complete version; coverage is the outlets in order of first appearance, the
article count and the first and last times; people, partners and topics are merged over all
members (named by more articles first), the event is the most common one.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from digest.model import Coverage, DigestStory, make_lead
from records import Article, Person, Verdict

__all__ = ["Member", "StorySummary", "name_key", "representative", "summarize"]

_INITIAL = re.compile(r"\b[^\W\d_]\.\s*")


def name_key(name: str) -> str:
    """``"Marc E.Knapper"`` → ``"marc knapper"``: one person however the name is written."""
    text = unicodedata.normalize("NFC", name)
    return " ".join(_INITIAL.sub(" ", text).split()).lower()


@dataclass(frozen=True, slots=True)
class Member:
    """One article of a story, as summarising needs it."""

    article_id: int
    article: Article
    verdict: Verdict | None
    moment: datetime


@dataclass(frozen=True, slots=True)
class StorySummary:
    representative_id: int
    title: str
    first_seen_at: datetime
    last_seen_at: datetime
    article_count: int
    outlets: tuple[str, ...]  # in order of first appearance
    partners: tuple[str, ...]
    people: tuple[Person, ...]
    topics: tuple[str, ...]
    event: str | None
    score: float


def _completeness(member: Member) -> int:
    return len(member.article.text.split()) + len((member.article.sapo or "").split())


def representative(members: Sequence[Member]) -> Member:
    """The original when one is known, else the most complete version.

    An article crediting another source ("Theo HNM") is a copy; among the others the most
    complete (longest) wins, earliest first on ties; when all are copies, the most complete.
    """
    originals = [m for m in members if not m.article.credited_source] or list(members)
    return max(originals, key=lambda m: (_completeness(m), -m.moment.timestamp(), -m.article_id))


def _ranked(values: Iterable[str]) -> tuple[str, ...]:
    counts = Counter(values)
    order = {value: index for index, value in enumerate(dict.fromkeys(values))}
    return tuple(sorted(counts, key=lambda v: (-counts[v], order[v])))


def summarize(members: Sequence[Member]) -> StorySummary:
    """Coverage and merged fields of one story (members in any order)."""
    if not members:
        raise ValueError("a story has at least one article")
    ordered = sorted(members, key=lambda m: (m.moment, m.article_id))
    rep = representative(ordered)
    verdicts = [m.verdict for m in ordered if m.verdict is not None]
    if rep.verdict is not None:
        verdicts.remove(rep.verdict)
        verdicts.insert(0, rep.verdict)  # the representative's order leads
    people: dict[str, Person] = {}
    mentions: Counter[str] = Counter()
    for verdict in verdicts:
        for key in {name_key(person.name) for person in verdict.people}:
            mentions[key] += 1
        for person in verdict.people:
            key = name_key(person.name)
            known = people.get(key)
            if known is None or (not known.title and person.title):
                people[key] = person
    order = {key: index for index, key in enumerate(people)}
    ranked_people = sorted(people, key=lambda key: (-mentions[key], order[key]))
    events = [v.event for v in verdicts if v.event and v.event != "other"]
    return StorySummary(
        representative_id=rep.article_id,
        title=rep.article.title,
        first_seen_at=ordered[0].moment,
        last_seen_at=ordered[-1].moment,
        article_count=len(ordered),
        outlets=tuple(dict.fromkeys(m.article.outlet for m in ordered if m.article.outlet)),
        partners=_ranked([p for v in verdicts for p in v.partners]),
        people=tuple(people[key] for key in ranked_people),
        topics=_ranked([t for v in verdicts for t in v.topics]),
        event=Counter(events).most_common(1)[0][0]
        if events
        else (verdicts[0].event if verdicts else None),
        score=max((v.score for v in verdicts), default=0.0),
    )


def digest_story(
    story_id: int, members: Sequence[Member], outlet_name: Callable[[str], str]
) -> DigestStory:
    """One story as the digest (and the reading room) shows it, from its members in time
    order; ``outlet_name`` names an outlet key for readers."""
    summary = summarize(members)
    rep = next(m for m in members if m.article_id == summary.representative_id)
    return DigestStory(
        title=rep.article.title,
        lead=make_lead(rep.article.sapo, rep.article.paragraphs, title=rep.article.title),
        url=rep.article.url,
        outlet_name=outlet_name(rep.article.outlet),
        first_seen_at=summary.first_seen_at,
        last_seen_at=summary.last_seen_at,
        partners=summary.partners,
        event=summary.event,
        people=summary.people,
        topics=summary.topics,
        score=summary.score,
        coverage=tuple(
            Coverage(m.article.outlet, outlet_name(m.article.outlet), m.article.url,
                     m.article.title, m.moment, m.article.credited_source)
            for m in members
        ),
        story_id=story_id,
    )
