"""Stories: articles about one event, across outlets, days and republications (pure).

An article becomes a :class:`StoryItem`: a MinHash signature (rensa) of its body's
normalised syllable shingles, the syllables of its title, the names its title gives, its
partners and its time. Two items are one story when they are close in time, do not contradict
each other (disjoint partners, or a person named in one title who never appears in the other
article) and overlap enough in body (estimated Jaccard, or containment for a short copy of a
long article) or in body and title together. The signature's LSH band keys find candidates
in storage without comparing against every article.

Normalisation before shingling: NFC and one tone-mark placement (``analysis.text``), lower
case, captions ("Ảnh: TTXVN"), credit lines ("Theo HNM", "Báo điện tử Chính phủ"), file
names and everything after a related-news heading ("Tin khác") dropped, and a few partner
aliases folded ("Hoa Kỳ" and "Mỹ" are one word here).
"""

from __future__ import annotations

import hashlib
import re
import struct
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from rensa import RMinHash  # type: ignore[import-untyped]

from analysis.text import normalize_text, normalize_tones
from records import VIETNAM_TZ, Article, Verdict

__all__ = [
    "BANDS",
    "NUM_PERM",
    "STORY_MODEL_VERSION",
    "THRESHOLD",
    "WINDOW",
    "Clusterer",
    "StoryItem",
    "band_keys",
    "best_stories",
    "body_syllables",
    "cluster",
    "contradicts",
    "decode_signature",
    "encode_signature",
    "entity_keys",
    "estimated_jaccard",
    "minhash",
    "overlap",
    "shingles",
    "similarity",
    "story_item",
    "syllables",
    "title_similarity",
]

STORY_MODEL_VERSION = "minhash-3x128-1"  # changes when signatures stop being comparable
SHINGLE = 3  # syllables per shingle
NUM_PERM = 128
ROWS = 2  # rows per LSH band: 64 bands, a pair at Jaccard 0.2 collides with p ≈ 0.93
BANDS = NUM_PERM // ROWS
SEED = 1_724_2026
WINDOW = timedelta(hours=72)  # republications come hours, at most a few days, later

# Thresholds on the exact shingle overlap of two bodies and on title overlap; see
# ``similarity``. Unrelated articles on one subject share background paragraphs and formulae
# ("quan hệ Đối tác chiến lược toàn diện"): Jaccard up to about 0.1 (seeds, VNTC sample).
STRONG_JACCARD = 0.45  # a republication or a light edit, whatever its title
CONTAINED = 0.8  # a short copy made of the long article's paragraphs...
CONTAINED_JACCARD = 0.1  # ...and more than shared background
BODY_JACCARD = 0.15  # a rewrite sharing sentences...
BODY_TITLE = 0.3  # ...and some of its title (or half of the shorter body: containment)
BODY_CONTAINED = 0.5
OTHER_EVENT_JACCARD = 0.25  # the event kinds differ: a rewrite must share more
TITLE_ALONE = 0.65  # nearly the same title...
TITLE_JACCARD = 0.08  # ...and a little shared body...
SAME_DAY = timedelta(hours=36)  # ...close in time
KEY_DAYS = 3  # entity keys are looked up this many days around an article's date

_WORD = re.compile(r"[^\W_]+")
_ALIASES = (  # folded before shingling, so that "Việt - Mỹ" and "Việt Nam - Hoa Kỳ" meet
    (re.compile(r"\bhoa kỳ\b"), "mỹ"),
    (re.compile(r"\bviệt nam\b"), "việt"),
    (re.compile(r"\bliên hợp quốc\b"), "lhq"),
    (re.compile(r"\btrung quốc\b"), "tq"),
    (re.compile(r"\bthành phố hồ chí minh\b|\btp\.? ?hcm\b"), "tphcm"),
)
_RELATED = re.compile(
    normalize_tones(
        r"^(?:tin khác|các tin khác|tin cùng chuyên mục|có thể bạn quan tâm|tin liên quan|"
        r"bài liên quan|bài viết liên quan|xem thêm|đọc thêm|back to top|bình luận|"
        r"tin mới nhất|tin đọc nhiều|tin nổi bật|ý kiến bạn đọc)\s*:?\s*$"
    ),
    re.IGNORECASE,
)
_CREDIT = re.compile(
    normalize_tones(
        r"^(?:\(?(?:theo|nguồn)\s*:?\s+[^.]{1,60}\)?\.?|báo điện tử [^.]{1,40}|"
        r"[A-ZĐ]{2,10}(?:\s*/\s*[A-ZĐ]{2,10})?)$"
    ),
    re.IGNORECASE,
)
_CAPTION = re.compile(
    normalize_tones(r"(?:\bẢnh\s*:|\(Ảnh:|\bảnh\s+\d+\s*$|\bPhoto\s*:)"), re.IGNORECASE
)
_FILE = re.compile(r"^\S+\.(?:jpe?g|png|gif|webp)$", re.IGNORECASE)
_META = re.compile(  # "07:53 - Thứ Năm, 01/02/2024 Lượt xem: 6021 In bài viết"
    normalize_tones(r"^\d{1,2}:\d{2}\b|\bLượt xem\b|\bIn bài viết\b|^(?:Thứ \w+|Chủ nhật),"),
    re.IGNORECASE,
)
_LINKED_HEADLINE = re.compile(r"\(\d{1,2}/\d{1,2}(?:/\d{2,4})?\)$")  # "Tin khác(05/04/2004)"
_INITIAL = re.compile(r"\b[^\W\d_]\.\s*")
_SPACES = re.compile(r"\s+")
_TITLE_STOP = frozenset(map(normalize_tones, re.findall(r"\S+", """
    và với của các những tại trong cho về là có thể được đã sẽ đến từ theo này một hai
    ông bà ngày chiều sáng tối vì làm khi sau trước tới
""")))  # fmt: skip


def syllables(text: str) -> list[str]:
    """Lower-case syllables of ``text`` after normalisation and alias folding."""
    low = normalize_text(text).lower()
    for pattern, replacement in _ALIASES:
        low = pattern.sub(replacement, low)
    return _WORD.findall(low)


def body_syllables(title: str, sapo: str | None, paragraphs: Iterable[str]) -> list[str]:
    """The syllables that carry the story: title, lead and paragraphs without captions,
    credit lines, file names, date and view-count lines, very short lines, repeated lines
    (the title again under a photo), dated links to other articles ("… (05/04/2004)") and
    anything after a related-news heading."""
    lines = [title, sapo or ""]
    seen = {normalize_text(title).lower(), normalize_text(sapo or "").lower()}
    for paragraph in paragraphs:
        for line in normalize_text(paragraph).split("\n"):
            stripped = line.strip()
            if _RELATED.match(stripped):
                return _joined(lines)
            if (
                not stripped
                or stripped.lower() in seen  # the title again, above the body or under a photo
                or _META.search(stripped)
                or _FILE.match(stripped)
                or _LINKED_HEADLINE.search(stripped)
                or _CREDIT.match(stripped)
                or _CAPTION.search(stripped)
                or len(stripped.split()) < 6
            ):
                continue
            lines.append(stripped)
            seen.add(stripped.lower())
    return _joined(lines)


def _joined(lines: list[str]) -> list[str]:
    words: list[str] = []
    for line in lines:
        words.extend(syllables(line))
    return words


def shingles(words: Sequence[str], size: int = SHINGLE) -> set[str]:
    """Every run of ``size`` consecutive syllables (the words themselves for short texts)."""
    if len(words) < size:
        return {" ".join(words)} if words else set()
    return {" ".join(words[i : i + size]) for i in range(len(words) - size + 1)}


def minhash(items: Iterable[str]) -> tuple[int, ...]:
    """A ``NUM_PERM``-value MinHash signature of ``items`` (rensa, fixed seed)."""
    sketch = RMinHash(num_perm=NUM_PERM, seed=SEED)
    sketch.update(sorted(items))
    return tuple(sketch.digest())


def encode_signature(signature: Sequence[int]) -> bytes:
    return struct.pack(f"<{len(signature)}I", *signature)


def decode_signature(data: bytes) -> tuple[int, ...]:
    return struct.unpack(f"<{len(data) // 4}I", data)


def band_keys(signature: Sequence[int]) -> tuple[int, ...]:
    """One signed 64-bit key per LSH band (band number included): equal keys, candidate pair."""
    keys = []
    for band in range(len(signature) // ROWS):
        rows = signature[band * ROWS : (band + 1) * ROWS]
        digest = hashlib.blake2b(struct.pack(f"<I{ROWS}I", band, *rows), digest_size=8).digest()
        keys.append(struct.unpack("<q", digest)[0])
    return tuple(keys)


def estimated_jaccard(a: Sequence[int], b: Sequence[int]) -> float:
    if not a or len(a) != len(b):
        return 0.0
    return sum(x == y for x, y in zip(a, b, strict=True)) / len(a)


def title_similarity(a: frozenset[str], b: frozenset[str]) -> float:
    """Overlap of two titles' content syllables: shared / the shorter title's count."""
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))


def name_key(name: str) -> str:
    """``"Marc E.Knapper"`` → ``"marc knapper"``: lower case, initials dropped."""
    return _SPACES.sub(" ", _INITIAL.sub(" ", normalize_text(name))).strip().lower()


@dataclass(frozen=True, slots=True)
class StoryItem:
    """What story matching knows about one article."""

    signature: tuple[int, ...]  # MinHash of ``grams``: LSH band keys for candidate lookup
    shingle_count: int
    grams: frozenset[str]  # the body's shingles: exact overlap once a candidate is found
    title_words: frozenset[str]
    title_names: tuple[str, ...]  # name keys of the people its title names
    text_key: str  # the article's text, lower case, initials dropped (to look names up)
    moment: datetime
    partners: frozenset[str]
    event: str | None

    @property
    def keys(self) -> tuple[int, ...]:
        """Where storage files this item: its LSH band keys and its entity keys."""
        return band_keys(self.signature) + entity_keys(
            self, self.moment.astimezone(VIETNAM_TZ).date()
        )

    def lookup_keys(self) -> tuple[int, ...]:
        """What to look up to find candidates: band keys and entity keys of nearby days."""
        day = self.moment.astimezone(VIETNAM_TZ).date()
        keys = list(band_keys(self.signature))
        for offset in range(-KEY_DAYS, KEY_DAYS + 1):
            keys.extend(entity_keys(self, day + timedelta(days=offset)))
        return tuple(dict.fromkeys(keys))


def _key(*parts: str) -> int:
    digest = hashlib.blake2b("\x1f".join(parts).encode("utf-8"), digest_size=8).digest()
    value: int = struct.unpack("<q", digest)[0]
    return value


def entity_keys(item: StoryItem, day: date) -> tuple[int, ...]:
    """Keys shared by articles of one day naming the same partner and event kind, or the
    same person in their titles: candidates that share little text (a short rewrite)."""
    iso = day.isoformat()
    keys = [_key("pe", partner, item.event or "", iso) for partner in sorted(item.partners)]
    keys.extend(_key("name", name, iso) for name in item.title_names)
    return tuple(keys)


def story_item(
    article: Article,
    verdict: Verdict,
    moment: datetime,
    signature: Sequence[int] | None = None,
    shingle_count: int | None = None,
) -> StoryItem:
    """The matching features of ``article``; pass its stored signature to skip hashing."""
    if moment.tzinfo is None:
        raise ValueError(f"naive datetime {moment!r}: times must be timezone-aware")
    grams = frozenset(shingles(body_syllables(article.title, article.sapo, article.paragraphs)))
    if signature is None or shingle_count != len(grams):
        signature = minhash(grams)
    parts = (article.title, article.sapo or "", *article.paragraphs)
    text_key = " " + " ".join(name_key(part) for part in parts) + " "
    title_key = name_key(article.title)
    names = tuple(
        key
        for key in dict.fromkeys(name_key(p.name) for p in verdict.people if p.name)
        if key and _mentions(key, title_key, exact=True)
    )
    words = frozenset(w for w in syllables(article.title) if w not in _TITLE_STOP)
    return StoryItem(
        signature=tuple(signature),
        shingle_count=len(grams),
        grams=grams,
        title_words=words,
        title_names=names,
        text_key=text_key,
        moment=moment,
        partners=frozenset(verdict.partners),
        event=verdict.event if verdict.event != "other" else None,
    )


def _mentions(name: str, text: str, *, exact: bool = False) -> bool:
    if re.search(rf"(?<!\w){re.escape(name)}(?!\w)", text):
        return True
    tokens = name.split()
    # A foreign name may be written shorter ("Đại sứ Knapper"): its long latin words will do.
    foreign = [t for t in tokens if t.isascii() and len(t) >= 5]
    return (
        not exact
        and len(tokens) >= 2
        and bool(foreign)
        and all(re.search(rf"(?<!\w){re.escape(t)}(?!\w)", text) for t in foreign)
    )


def overlap(a: StoryItem, b: StoryItem) -> tuple[float, float]:
    """(Jaccard, containment) of the two bodies' shingle sets: containment is the share of
    the shorter body found in the longer one (a three-paragraph copy of a long article)."""
    if not a.grams or not b.grams:
        return 0.0, 0.0
    shared = len(a.grams & b.grams)
    union = len(a.grams) + len(b.grams) - shared
    return shared / union, shared / min(len(a.grams), len(b.grams))


def contradicts(a: StoryItem, b: StoryItem) -> bool:
    """Too far apart in time, about other countries, or a title naming someone the other
    article never mentions: not one story, however alike the words."""
    if abs(a.moment - b.moment) > WINDOW:
        return True
    if a.partners and b.partners and not a.partners & b.partners:
        return True
    return any(not _mentions(n, b.text_key) for n in a.title_names) or any(
        not _mentions(n, a.text_key) for n in b.title_names
    )


def similarity(a: StoryItem, b: StoryItem) -> float:
    """How surely ``a`` and ``b`` are one story, 0 to 1; one story from ``THRESHOLD`` on.

    A republication shares most shingles; a short copy is contained in the original; a
    rewrite shares sentences and some title words (more when the event kinds differ); a
    new headline over the same text shares the title and a little body the same day.
    """
    if contradicts(a, b):
        return 0.0
    jaccard, held = overlap(a, b)
    title = title_similarity(a.title_words, b.title_words)
    other_event = a.event is not None and b.event is not None and a.event != b.event
    sure = 0.5 + (max(jaccard, held) + title) / 8
    if jaccard >= STRONG_JACCARD or (held >= CONTAINED and jaccard >= CONTAINED_JACCARD):
        return min(1.0, 0.5 + max(jaccard, held) / 2)
    need = OTHER_EVENT_JACCARD if other_event else BODY_JACCARD
    if jaccard >= need and (title >= BODY_TITLE or held >= BODY_CONTAINED):
        return sure
    if (
        not other_event
        and abs(a.moment - b.moment) <= SAME_DAY
        and title >= TITLE_ALONE
        and jaccard >= TITLE_JACCARD
    ):
        return sure
    return min(0.49, (jaccard + title) / 4)


THRESHOLD = 0.5


def best_stories(
    item: StoryItem, candidates: Iterable[tuple[int, StoryItem]]
) -> list[tuple[int, float]]:
    """The stories ``item`` belongs to, best first: (story id, best member similarity) for
    every story with a member at ``THRESHOLD`` or above."""
    best: dict[int, float] = {}
    for story_id, other in candidates:
        score = similarity(item, other)
        if score >= THRESHOLD and score > best.get(story_id, 0.0):
            best[story_id] = score
    return sorted(best.items(), key=lambda pair: (-pair[1], pair[0]))


class Clusterer:
    """Stories in memory, built one article at a time the way storage builds them: look up
    candidates by key, join the best matching story, merge the other matching stories into
    it. For tests, benchmarks and evaluations; storage keeps the same state in tables."""

    def __init__(self) -> None:
        self.items: list[StoryItem] = []
        self.story_of: list[int] = []
        self._index: dict[int, list[int]] = {}

    def add(self, item: StoryItem) -> int:
        """File ``item``; returns its story id (the index of the story's first article)."""
        seen: set[int] = set()
        for key in item.lookup_keys():
            seen.update(self._index.get(key, ()))
        matches = best_stories(item, ((self.story_of[i], self.items[i]) for i in sorted(seen)))
        number = len(self.items)
        story = matches[0][0] if matches else number
        merged = {other for other, _ in matches[1:]}
        if merged:
            self.story_of = [story if s in merged else s for s in self.story_of]
        self.items.append(item)
        self.story_of.append(story)
        for key in item.keys:
            self._index.setdefault(key, []).append(number)
        return story


def cluster(items: Sequence[StoryItem]) -> list[int]:
    """Story labels of ``items`` filed in order (see :class:`Clusterer`)."""
    clusterer = Clusterer()
    for item in items:
        clusterer.add(item)
    return list(clusterer.story_of)
