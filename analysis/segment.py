"""Cut an article into zones and sentences: the title and lead weigh more than the tail,
and the related-news blocks after the body ("Tin khác", "Có thể bạn quan tâm") go."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from analysis.text import normalize_text, normalize_tones

__all__ = ["Document", "Sentence", "segment"]

TITLE_WEIGHT = 1.0
LEAD_WEIGHT = 0.9
BODY_WEIGHT = 0.5
TAIL_WEIGHT = 0.35
LEAD_PARAGRAPHS = 2
LEAD_MAX_CHARS = 700
SUBSTANTIAL = 80  # characters: shorter lines are captions, bylines, menus
BOILERPLATE_AFTER = 300  # characters of body before a "Tin khác" line may end it

_BOILERPLATE = re.compile(normalize_tones(
    r"(?i:tin khác|các tin khác|tin cùng chuyên mục|cùng chuyên mục|có thể bạn quan tâm|"
    r"tin liên quan|bài liên quan|bài viết liên quan|tin tức liên quan|xem thêm|đọc thêm|"
    r"tin mới|tin mới nhất|tin mới hơn|tin cũ hơn|tin đọc nhiều|đọc nhiều|đọc nhiều nhất|"
    r"bình luận|back to top|ý kiến bạn đọc|gửi bình luận|ý kiến của bạn|tags?|từ khóa|"
    r"chia sẻ|tin nổi bật|tin tiêu điểm|tin cùng chủ đề|theo dòng sự kiện|tin xem nhiều|"
    r"bạn có thể quan tâm|xem tiếp|tin bài liên quan)\s*:?"
))
_FILE_LINE = re.compile(r"\S+\.(?:jpe?g|png|gif|webp|JPE?G|PNG)")
# A photo credit ("Ảnh: TTXVN", "(Ảnh: VGP)"): the sentence it ends, or that ends just before
# it, is a caption. A caption alone does not make a Vietnamese actor (a leader in the photo
# of a summit is not Vietnam's part in it).
_CREDIT = re.compile(normalize_tones(r"\(?(?:Ảnh|ẢNH|Nguồn ảnh)\s*:"))
_SENTENCE_END = re.compile(r"[.!?…]+[\"”’)»]*\s+|\n+")
_ABBREVIATIONS = frozenset({"TP", "Th", "ThS", "TS", "PGS", "GS", "Mr", "Mrs", "Ms", "St", "Dr",
                            "Q", "P", "Tp", "BS", "NXB"})


@dataclass(frozen=True, slots=True)
class Sentence:
    start: int
    end: int
    weight: float
    zone: str  # "title", "lead", "body"
    caption: bool = False  # a photo caption


@dataclass(frozen=True, slots=True)
class Document:
    text: str
    title_end: int  # text[:title_end] is the title ("" when none)
    lead_end: int
    sentences: tuple[Sentence, ...]
    starts: tuple[int, ...]

    def sentence_at(self, pos: int) -> int:
        return bisect.bisect_right(self.starts, pos) - 1

    def in_front(self, pos: int) -> bool:
        """Inside the title or the lead."""
        return pos < self.lead_end


def _clean_body(body: str) -> str:
    kept: list[str] = []
    seen = 0
    for line in body.split("\n"):
        stripped = line.strip()
        if seen >= BOILERPLATE_AFTER and _BOILERPLATE.fullmatch(stripped):
            break
        if _FILE_LINE.fullmatch(stripped):
            continue
        kept.append(line)
        seen += len(stripped)
    return "\n".join(kept).strip()


def _lead_end(text: str, body_start: int) -> int:
    substantial = 0
    pos = body_start
    while pos < len(text):
        nl = text.find("\n", pos)
        end = len(text) if nl < 0 else nl
        if end - pos >= SUBSTANTIAL:
            substantial += 1
        pos = end + 1
        if substantial >= LEAD_PARAGRAPHS:
            break
    return min(pos, body_start + LEAD_MAX_CHARS, len(text))


def _split(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Sentences: at line breaks, and after .!?… followed by a capital (not after an
    initial or an abbreviation: "Marc E. Knapper", "TP. Hồ Chí Minh")."""
    spans = []
    pos = start
    for m in _SENTENCE_END.finditer(text, start, end):
        cut = m.start()
        if "\n" not in m.group(0):
            nxt = text[m.end():m.end() + 1]
            if not nxt or not (nxt.isupper() or nxt in "\"“‘("):
                continue
            space = text.rfind(" ", pos, cut)
            word = text[space + 1:cut]
            if len(word) == 1 or word in _ABBREVIATIONS:
                continue
            cut += 1
        if cut > pos:
            spans.append((pos, cut))
        pos = m.end()
    if pos < end:
        spans.append((pos, end))
    return spans


def segment(title: str, text: str) -> Document:
    """Normalise and join title and body; cut boilerplate; zone and split sentences."""
    title = " ".join(normalize_text(title).split())
    body = _clean_body(normalize_text(text))
    if title and body.startswith(title):
        body = body[len(title):].lstrip()
    joined = f"{title}\n\n{body}" if title else body
    title_end = len(title)
    body_start = title_end + 2 if title else 0
    lead_end = _lead_end(joined, body_start)
    half = lead_end + (len(joined) - lead_end) // 2
    sentences = []
    if title:
        sentences.append(Sentence(0, title_end, TITLE_WEIGHT, "title"))
    spans = _split(joined, body_start, len(joined))
    for n, (start, end) in enumerate(spans):
        nxt = spans[n + 1][0] if n + 1 < len(spans) else end
        caption = (_CREDIT.search(joined, start, end) is not None
                   or _CREDIT.match(joined, nxt) is not None)
        if start < lead_end:
            sentences.append(Sentence(start, end, LEAD_WEIGHT, "lead", caption))
        else:
            weight = BODY_WEIGHT if start < half else TAIL_WEIGHT
            sentences.append(Sentence(start, end, weight, "body", caption))
    return Document(joined, title_end, lead_end, tuple(sentences),
                    tuple(s.start for s in sentences))
