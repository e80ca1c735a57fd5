"""Alert rules: which stories cannot wait for tomorrow's digest (pure).

Why here, in ``digest/``: an alert is the digest's job done early — pick the stories a
reader must see, render them, send them. The rules judge a *story* for a *watch profile*
(its coverage across outlets and hours, the rank of the highest person, whether the
profile's partner is the main party), on the same scale the digest ranks stories with
(``digest.model.person_rank``) and on the same record (``digest.model.DigestStory``).
``analysis/`` judges one article (Article → Verdict) and knows nothing of profiles,
readers or coverage over time; ``storage/`` keeps what was decided; ``flows/`` only calls
this. No network, database or Prefect here, so every rule is specified by plain tests.

A rule matches when every condition it sets holds (unset conditions are ignored):

- ``min_person_rank``: the highest person of the story ranks at least this (Tổng Bí thư,
  Chủ tịch nước, Thủ tướng, Chủ tịch Quốc hội, a president: 1; a deputy prime minister or
  foreign minister: 0.8; a minister: 0.6; a vice minister or ambassador: 0.45);
- ``partner_is_main``: one of the profile's partners is the story's main (first) partner;
- ``events``: the story's event is one of these (``call``, ``visit``, ``agreement``…);
- ``min_outlets`` (with ``within_hours``): that many outlets carried it (within that many
  hours of its first article);
- ``min_score``, ``topics``: the classifier's score, a field of cooperation.

Rules carry a ``level``: a story alerts once (the first rules it meets); it may send one
update later if it meets a rule of a higher level than any it met then (wide coverage after
a leader's meeting). Quiet hours hold alerts below ``urgent_level`` until they end.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any

from digest.labels import EVENT_LABELS, clean_text, event_label, partner_name, person_label
from digest.model import DigestStory, person_rank
from records import EVENT_KINDS, VIETNAM_TZ, Person

__all__ = [
    "DEFAULT_RULES",
    "AlertDecision",
    "AlertRule",
    "Match",
    "QuietHours",
    "StoryFacts",
    "concerns_profile",
    "decide",
    "describe_rule",
    "matching_rules",
    "outlets_within",
    "story_facts",
    "top_person",
]


@dataclass(frozen=True)
class AlertRule:
    """One condition set; see the module docstring. ``name`` is shown to readers."""

    name: str = ""
    level: int = 1
    min_person_rank: float | None = None
    partner_is_main: bool = False
    events: tuple[str, ...] = ()
    min_outlets: int | None = None
    within_hours: float | None = None
    min_score: float | None = None
    topics: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        unknown = [event for event in self.events if event not in EVENT_KINDS]
        if unknown:
            raise ValueError(f"unknown event kinds {unknown} (known: {', '.join(EVENT_KINDS)})")
        if self.level < 1:
            raise ValueError("level must be 1 or more")
        if self.within_hours is not None and self.within_hours <= 0:
            raise ValueError("within_hours must be positive")
        if self.within_hours is not None and self.min_outlets is None:
            raise ValueError("within_hours needs min_outlets")
        if self.min_person_rank is not None and not 0 <= self.min_person_rank <= 1:
            raise ValueError("min_person_rank is between 0 and 1")

    @property
    def label(self) -> str:
        return self.name or describe_rule(self)


# What a desk officer on the Vietnam–US desk wants at once (see the README).
DEFAULT_RULES: tuple[AlertRule, ...] = (
    AlertRule(name="leader", level=1, min_person_rank=0.8, partner_is_main=True),
    AlertRule(
        name="call-visit-agreement",
        level=1,
        events=("call", "visit", "agreement"),
        partner_is_main=True,
        min_person_rank=0.6,
    ),
    AlertRule(name="top-leader", level=2, min_person_rank=1.0, partner_is_main=True),
    AlertRule(name="wide", level=2, min_outlets=4, within_hours=3),
)


def describe_rule(rule: AlertRule) -> str:
    """The rule's conditions in a few words (when it has no name)."""
    parts: list[str] = []
    if rule.min_person_rank is not None:
        parts.append(f"rank ≥ {rule.min_person_rank:g}")
    if rule.partner_is_main:
        parts.append("main partner")
    if rule.events:
        parts.append("/".join(rule.events))
    if rule.min_outlets is not None:
        within = f" in {rule.within_hours:g} h" if rule.within_hours else ""
        parts.append(f"≥ {rule.min_outlets} outlets{within}")
    if rule.min_score is not None:
        parts.append(f"score ≥ {rule.min_score:g}")
    if rule.topics:
        parts.append("/".join(rule.topics))
    return ", ".join(parts) or "any story"


# --------------------------------------------------------------------------- evaluation


def top_person(people: Sequence[Person]) -> tuple[Person | None, float]:
    """The highest ranked person and their rank (``digest.model.person_rank``)."""
    best: Person | None = None
    rank = 0.0
    for person in people:
        value = person_rank(person.title)
        if best is None or value > rank:
            best, rank = person, value
    return best, rank


def outlets_within(story: DigestStory, hours: float | None) -> int:
    """Outlets that carried the story (within ``hours`` of its first article)."""
    limit = story.first_seen_at + timedelta(hours=hours) if hours else None
    keys = {
        c.outlet or c.outlet_name
        for c in story.coverage
        if limit is None or c.published_at is None or c.published_at <= limit
    }
    return len(keys) or 1


def concerns_profile(
    story: DigestStory, partners: Sequence[str], min_score: float, topics: Sequence[str]
) -> bool:
    """The story is one the profile's digest would carry: one of its partners (any when it
    lists none), a score of at least ``min_score``, one of its fields when it lists some."""
    wanted = {p.upper() for p in partners}
    if wanted and not wanted.intersection(p.upper() for p in story.partners):
        return False
    if story.score < min_score:
        return False
    return not topics or bool(set(topics).intersection(story.topics))


def _main_partner(story: DigestStory, partners: Sequence[str]) -> bool:
    wanted = {p.upper() for p in partners}
    return not wanted or bool(story.partners and story.partners[0].upper() in wanted)


@dataclass(frozen=True)
class Match:
    rule: AlertRule
    reason: str  # why, in the readers' words


def _reason(rule: AlertRule, story: DigestStory, partners: Sequence[str]) -> str | None:
    """Why ``rule`` matches ``story``, or None when it does not."""
    why: list[str] = []
    if rule.min_person_rank is not None:
        person, rank = top_person(story.people)
        if person is None or rank < rule.min_person_rank:
            return None
        why.append(person_label(person))
    if rule.partner_is_main:
        if not _main_partner(story, partners):
            return None
        if story.partners:
            why.append(f"đối tác chính {partner_name(story.partners[0])}")
    if rule.events:
        if story.event not in rule.events:
            return None
        why.append(event_label(story.event).lower())
    if rule.min_outlets is not None:
        count = outlets_within(story, rule.within_hours)
        if count < rule.min_outlets:
            return None
        within = f" trong {rule.within_hours:g} giờ" if rule.within_hours else ""
        why.append(f"{count} báo đưa tin{within}")
    if rule.min_score is not None:
        if story.score < rule.min_score:
            return None
        why.append(f"điểm {story.score:.2f}")
    if rule.topics:
        shared = [topic for topic in story.topics if topic in rule.topics]
        if not shared:
            return None
        why.append(", ".join(shared))
    return f"{clean_text(rule.label)}: " + "; ".join(why) if why else clean_text(rule.label)


def matching_rules(
    story: DigestStory, rules: Sequence[AlertRule], partners: Sequence[str]
) -> list[Match]:
    """The rules ``story`` meets for a profile watching ``partners``, strongest first."""
    found = [
        Match(rule, reason)
        for rule in rules
        if (reason := _reason(rule, story, partners)) is not None
    ]
    return sorted(found, key=lambda m: -m.rule.level)


# --------------------------------------------------------------------------- decisions


@dataclass(frozen=True)
class StoryFacts:
    """What an alert said, kept with it so that an update can say what changed."""

    outlets: int
    top_person: str
    event: str

    def to_json(self) -> dict[str, Any]:
        return {"outlets": self.outlets, "top_person": self.top_person, "event": self.event}

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> StoryFacts:
        data = data or {}
        return cls(
            int(data.get("outlets") or 0),
            str(data.get("top_person") or ""),
            str(data.get("event") or ""),
        )


def story_facts(story: DigestStory) -> StoryFacts:
    person, _ = top_person(story.people)
    return StoryFacts(
        outlets=outlets_within(story, None),
        top_person=person_label(person) if person else "",
        event=story.event or "",
    )


@dataclass(frozen=True)
class AlertDecision:
    kind: str  # "alert" or "update"
    level: int
    matches: tuple[Match, ...]
    changes: tuple[str, ...] = field(default_factory=tuple)  # an update: what changed

    @property
    def rule_names(self) -> list[str]:
        return [m.rule.label for m in self.matches]

    @property
    def reasons(self) -> list[str]:
        return [m.reason for m in self.matches]


def _changes(before: StoryFacts, now: StoryFacts, new_rules: Sequence[Match]) -> list[str]:
    changes: list[str] = []
    if now.outlets != before.outlets:
        changes.append(f"số báo đưa tin: {before.outlets} → {now.outlets}")
    if now.top_person and now.top_person != before.top_person:
        changes.append(f"nhân vật cao nhất: {now.top_person}")
    if now.event and now.event != before.event and now.event in EVENT_LABELS:
        changes.append(f"sự kiện: {event_label(now.event)}")
    changes += [f"đạt quy tắc {m.reason}" for m in new_rules]
    return changes


def decide(
    story: DigestStory,
    rules: Sequence[AlertRule],
    partners: Sequence[str],
    previous: Mapping[str, tuple[int, StoryFacts, Sequence[str]]],
) -> AlertDecision | None:
    """What to raise for ``story`` now, given what was raised before for it and this profile
    (``previous``: kind → (level, facts, rule names)): the first alert when it meets a rule;
    one update when, alerted already, it meets a rule of a higher level; else nothing."""
    matches = matching_rules(story, rules, partners)
    if not matches:
        return None
    level = max(m.rule.level for m in matches)
    if "alert" not in previous:
        return AlertDecision("alert", level, tuple(matches))
    if "update" in previous:
        return None
    alerted_level, facts, names = previous["alert"]
    if level <= alerted_level:
        return None
    new = [m for m in matches if m.rule.level > alerted_level and m.rule.label not in names]
    changes = _changes(facts, story_facts(story), new)
    return AlertDecision("update", level, tuple(matches), tuple(changes))


# --------------------------------------------------------------------------- quiet hours

_QUIET = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")


@dataclass(frozen=True)
class QuietHours:
    """A daily span in Asia/Ho_Chi_Minh (``22:00-06:00`` crosses midnight) when alerts
    below ``urgent_level`` are held until it ends."""

    start: time
    end: time
    urgent_level: int = 2

    @classmethod
    def parse(cls, text: str, urgent_level: int = 2) -> QuietHours:
        found = _QUIET.match(text)
        if not found:
            raise ValueError(f"quiet hours {text!r}: expected HH:MM-HH:MM")
        h1, m1, h2, m2 = (int(group) for group in found.groups())
        return cls(time(h1, m1), time(h2, m2), urgent_level)

    def holds(self, moment: datetime) -> bool:
        local = moment.astimezone(VIETNAM_TZ).time()
        if self.start <= self.end:
            return self.start <= local < self.end
        return local >= self.start or local < self.end

    def due(self, moment: datetime, level: int) -> datetime:
        """When an alert of ``level`` raised at ``moment`` may be sent."""
        if level >= self.urgent_level or not self.holds(moment):
            return moment
        local = moment.astimezone(VIETNAM_TZ)
        end = datetime.combine(local.date(), self.end, tzinfo=VIETNAM_TZ)
        if end <= local:
            end += timedelta(days=1)
        return end
