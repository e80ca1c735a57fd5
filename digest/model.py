"""What a digest is made of (stories, their coverage) and how stories are ranked and grouped.

Pure: no network, database or Prefect. The flows build a :class:`StoryDigest` from storage;
``digest.render`` turns it into an email, ``digest.feed`` into an Atom feed.

Weight of a story (0 to 1), the order readers see:
- 0.35 × the rank of the highest person involved (Tổng Bí thư, Chủ tịch nước, Thủ tướng,
  Chủ tịch Quốc hội, a president or king: 1; a deputy prime minister or foreign minister:
  0.8; a minister: 0.6; a vice minister or ambassador: 0.45; anyone else: 0.3; nobody: 0.2);
- 0.25 × whether the profile's partner is a party (the main partner: 1, another one: 0.6; a
  profile without partners counts every story as 0.5);
- 0.25 × coverage (outlets that carried it, saturating at eight);
- 0.15 × recency (where its latest article falls in the digest's window).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from records import VIETNAM_TZ, Person

__all__ = [
    "Coverage",
    "DigestStory",
    "Section",
    "StoryDigest",
    "make_lead",
    "person_rank",
    "rank_stories",
    "sections",
    "story_weight",
]


@dataclass(frozen=True, slots=True)
class Coverage:
    """One outlet's article of a story."""

    outlet: str
    outlet_name: str
    url: str
    title: str
    published_at: datetime | None
    credited_source: str | None = None


@dataclass(frozen=True, slots=True)
class DigestStory:
    """One story as the digest shows it; ``title``, ``url`` and ``outlet_name`` are the
    representative article's; ``lead`` is two or three sentences (see ``make_lead``)."""

    title: str
    lead: str
    url: str
    outlet_name: str
    first_seen_at: datetime
    last_seen_at: datetime
    partners: tuple[str, ...] = ()
    event: str | None = None
    people: tuple[Person, ...] = ()
    topics: tuple[str, ...] = ()
    score: float = 0.0
    coverage: tuple[Coverage, ...] = ()
    story_id: int | None = None
    alerted_at: datetime | None = None  # when it was sent as an alert (issue 13), if it was

    @property
    def outlet_keys(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(c.outlet or c.outlet_name for c in self.coverage))


@dataclass(frozen=True, slots=True)
class StoryDigest:
    """One digest for one watch profile and day (YYYY-MM-DD in Asia/Ho_Chi_Minh)."""

    profile: str
    day: str
    window_start: datetime
    window_end: datetime
    stories: tuple[DigestStory, ...] = ()
    partners: tuple[str, ...] = ()  # the profile's partners: ranking and sections

    @property
    def article_count(self) -> int:
        return sum(len(story.coverage) for story in self.stories)

    @property
    def outlet_count(self) -> int:
        return len({key for story in self.stories for key in story.outlet_keys})


@dataclass(frozen=True, slots=True)
class Section:
    key: str  # a partner code or an event kind ("" for none)
    by: str  # "partner" or "event"
    stories: tuple[DigestStory, ...] = field(default_factory=tuple)


# --------------------------------------------------------------------------- ranking

_RANKS: tuple[tuple[str, float], ...] = (
    # Longest first: "phó thủ tướng" must not be read as "thủ tướng".
    ("phó chủ tịch quốc hội", 0.8),
    ("phó chủ tịch nước", 0.8),
    ("phó tổng thống", 0.8),
    ("phó thủ tướng", 0.8),
    ("thường trực ban bí thư", 0.8),
    ("bộ trưởng ngoại giao", 0.8),
    ("ngoại trưởng", 0.8),
    ("thứ trưởng", 0.45),
    ("tổng bí thư", 1.0),
    ("chủ tịch nước", 1.0),
    ("chủ tịch quốc hội", 1.0),
    ("thủ tướng", 1.0),
    ("tổng thống", 1.0),
    ("quốc vương", 1.0),
    ("nhà vua", 1.0),
    ("hoàng đế", 1.0),
    ("tổng thư ký liên hợp quốc", 1.0),
    ("bộ trưởng", 0.6),
    ("chủ nhiệm", 0.6),
    ("trưởng ban", 0.6),
    ("đặc phái viên", 0.6),
    ("tổng lãnh sự", 0.45),
    ("đại sứ", 0.45),
    ("người phát ngôn", 0.45),
)
NOBODY = 0.2
SOMEBODY = 0.3
COVERAGE_SATURATION = 8


def person_rank(title: str | None) -> float:
    """How high an office is, 0.3 (unknown) to 1 (head of party, state or government)."""
    if not title:
        return SOMEBODY
    low = unicodedata.normalize("NFC", title).lower()
    best = SOMEBODY
    for office in re.split(r"\s*[,;]\s*", low):
        for words, rank in _RANKS:
            if office.startswith(words):
                best = max(best, rank)
                break
    return best


def story_weight(
    story: DigestStory, profile_partners: Sequence[str], start: datetime, end: datetime
) -> float:
    people = max((person_rank(p.title) for p in story.people), default=NOBODY)
    wanted = {p.upper() for p in profile_partners}
    codes = [p.upper() for p in story.partners]
    if not wanted:
        party = 0.5
    elif codes and codes[0] in wanted:
        party = 1.0
    elif wanted.intersection(codes):
        party = 0.6
    else:
        party = 0.0
    outlets = len(story.outlet_keys) or 1
    coverage = min(1.0, math.log2(1 + outlets) / math.log2(1 + COVERAGE_SATURATION))
    span = (end - start).total_seconds()
    recency = (story.last_seen_at - start).total_seconds() / span if span > 0 else 1.0
    recency = min(1.0, max(0.0, recency))
    return 0.35 * people + 0.25 * party + 0.25 * coverage + 0.15 * recency


def rank_stories(digest: StoryDigest) -> tuple[DigestStory, ...]:
    """Heaviest first; ties by score, then newest, then title."""

    def key(story: DigestStory) -> tuple[float, float, float, str]:
        weight = story_weight(story, digest.partners, digest.window_start, digest.window_end)
        return (-round(weight, 6), -story.score, -story.last_seen_at.timestamp(), story.title)

    return tuple(sorted(digest.stories, key=key))


def _main_partner(story: DigestStory, wanted: Sequence[str]) -> str:
    codes = [p.upper() for p in story.partners]
    for code in codes:
        if code in wanted:
            return code
    return codes[0] if codes else ""


def sections(digest: StoryDigest) -> tuple[Section, ...]:
    """Ranked stories grouped by partner when they concern several partners, else by event.

    Sections come in the order of their best story; the group without partner or event last.
    """
    ranked = rank_stories(digest)
    wanted = [p.upper() for p in digest.partners]
    partners = {_main_partner(story, wanted) for story in ranked}
    by = "partner" if len(partners - {""}) > 1 else "event"
    groups: dict[str, list[DigestStory]] = {}
    for story in ranked:
        key = _main_partner(story, wanted) if by == "partner" else (story.event or "")
        groups.setdefault(key, []).append(story)
    ordered = sorted(groups.items(), key=lambda item: item[0] == "")  # stable: rank order kept
    return tuple(Section(key=key, by=by, stories=tuple(members)) for key, members in ordered)


# --------------------------------------------------------------------------- the lead

_SENTENCE = re.compile(r"(?<=[.!?…])[\"”’»)]*\s+(?=[\"“‘«(]?[A-ZÀ-ỸĐ0-9])")
_CAPTION = re.compile(
    r"(?:\bẢnh\s*:|\(Ảnh|\bảnh\s+\d+\s*$|^\S+\.(?:jpe?g|png|gif|webp)$)", re.IGNORECASE
)
_ABBREVIATION = re.compile(r"(?:\b(?:TP|Th|ThS|TS|PGS|GS|Mr|Mrs|Ms|Dr|St|BS)|\b[A-Z])\.$")
LEAD_SENTENCES = 3
LEAD_CHARS = 420


def _sentences(text: str) -> list[str]:
    parts = _SENTENCE.split(" ".join(text.split()))
    merged: list[str] = []
    for part in parts:
        if merged and _ABBREVIATION.search(merged[-1]):
            merged[-1] = f"{merged[-1]} {part}"
        else:
            merged.append(part)
    return [part.strip() for part in merged if part.strip()]


def _shorten(sentence: str, room: int) -> str:
    """``sentence`` cut at a word boundary to at most ``room`` characters, with "…"."""
    if len(sentence) <= room:
        return sentence
    cut = sentence[: max(room - 1, 0)].rsplit(" ", 1)[0].rstrip(",;:–- ")
    return f"{cut}…"


def _plain(text: str) -> str:
    return " ".join(re.findall(r"[^\W_]+", text.lower()))


def make_lead(sapo: str | None, paragraphs: Iterable[str], *, title: str = "") -> str:
    """Two or three sentences: the lead (sapo), topped up from the first real paragraphs.

    Captions, file names, short lines (bylines, menus) and a repeat of the title are
    skipped. Stops at three sentences, or before a sentence that would take the lead past
    ``LEAD_CHARS`` characters once it has two; a second sentence that long is shortened
    with "…".
    """
    sources = [sapo or ""] + [p for p in paragraphs if len(p.split()) >= 8]
    heading = _plain(title)
    chosen: list[str] = []
    for source in sources:
        if _CAPTION.search(source.strip()):
            continue
        for sentence in _sentences(source):
            if sentence in chosen or len(sentence.split()) < 4 or _plain(sentence) == heading:
                continue
            used = sum(len(c) + 1 for c in chosen)
            if used + len(sentence) > LEAD_CHARS:
                if len(chosen) >= 2:
                    return " ".join(chosen)
                sentence = _shorten(sentence, max(LEAD_CHARS - used, 120))
            chosen.append(sentence)
            if len(chosen) >= LEAD_SENTENCES:
                return " ".join(chosen)
    return " ".join(chosen)


DIGEST_HOUR = time(7, 0)  # the digest of day D covers the 24 hours before D 07:00


def digest_window(day: date) -> tuple[datetime, datetime]:
    """[day-1 07:00, day 07:00) in Asia/Ho_Chi_Minh, as aware UTC datetimes."""
    end = datetime.combine(day, DIGEST_HOUR, tzinfo=VIETNAM_TZ)
    return (end - timedelta(days=1)).astimezone(UTC), end.astimezone(UTC)
