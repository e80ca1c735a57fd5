"""People: office titles with names ("Tổng Bí thư Tô Lâm", "Đại sứ Hoa Kỳ Marc Knapper").

A title followed by a country is that country's office; a title with a Vietnamese name and
no country is Vietnamese (Vietnamese news names its own officials without "Việt Nam"); a
Vietnamese-only office ("Tổng Bí thư", "Phó Thủ tướng") without a name is Vietnamese too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

from analysis.gazetteer import PARTNER_NAMES, partner_at
from analysis.leaders import leader_code
from analysis.lexicon import TITLE_RE, VN_ONLY_TITLES, VN_SURNAMES, lower_same_length
from analysis.text import fold_accents, normalize_tones, word_set
from records import Person

__all__ = ["PersonMention", "find_people", "merge_people"]


@dataclass(frozen=True, slots=True)
class PersonMention:
    start: int
    end: int
    title: str  # "Tổng Bí thư", "Đại sứ Hoa Kỳ"
    name: str | None  # None: the title alone ("Phó Thủ tướng cho biết")
    code: str | None  # "VN", a partner code, or None when neither is known
    vietnamese: bool  # a Vietnamese actor
    strength: float


# "Phó Thủ tướng Chính phủ", "Tùy viên Đại sứ quán Hàn Quốc": the country follows these.
_QUALIFIER = re.compile(normalize_tones(
    r"\s+(?:Chính phủ|Quốc hội|Đại sứ quán|Tổng Lãnh sự quán|Lãnh sự quán|ĐSQ)(?!\w)"))
_VIETNAM = re.compile(normalize_tones(r"\s+(?:Việt Nam|VN)(?![\w-])"))
_POSTED_AT = re.compile(normalize_tones(r"\s+tại\s+(?:Việt Nam|Hà Nội|TP\.? Hồ Chí Minh)(?!\w)"))
_NAME_TOKEN = re.compile(r"(?:[ \t]+|(?<=\b[A-Z]\.))([^\W\d_][\w'’-]*)(\.?)")
_INITIAL = re.compile(r"[^\W\d_]\.")
_ANY_STOP = word_set(
    "Tại Ảnh Theo Trong Sáng Chiều Tối Trưa Ngày Hôm Khi Và Cùng Về Với Trước Sau Đây TTXVN "
    "VGP VNA"
)
# Capitalised words that begin an institution, not a name: "Giám đốc Phòng Thương mại".
_FIRST_STOP = _ANY_STOP | word_set(
    "Nhân Ông Bà Chính Nhà Bộ Ban Ủy Đảng Quốc Trung Tổng Phó Đại Thủ Tỉnh Thành Sở Cục Viện "
    "Công Hội Liên Đoàn Hai Các Những Phòng Trường Học Vụ Ngân Hiệp Hãng Quỹ Tổ Báo Đài Khu "
    "Quận Huyện Xã Cơ Văn"
)
_VN_SYLLABLE = re.compile(
    r"(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnpqrstvx])?"
    r"(?:[aeiouy]{1,3})(?:ng|nh|ch|[cmnpt])?"
)
# Sino-Vietnamese renderings of foreign leaders that look like Vietnamese names.
_FOREIGN_NAMES = frozenset(fold_accents(n) for n in (
    "Tập Cận Bình", "Lý Cường", "Vương Nghị", "Hồ Cẩm Đào", "Ôn Gia Bảo", "Lý Khắc Cường",
    "Giang Trạch Dân", "Lý Hiển Long", "Lý Quang Diệu", "Thái Anh Văn", "Lại Thanh Đức",
    "Mã Anh Cửu", "Trần Thủy Biển", "Mao Trạch Đông", "Đặng Tiểu Bình", "Chu Ân Lai",
    "Triệu Lạc Tế", "Hàn Chính", "Thái Kỳ", "Đinh Tiết Tường", "Lý Thượng Phúc", "Đổng Quân",
    "Tống Đào", "Chu Dung Cơ", "Lưu Kiến Siêu", "Kim Nhật Thành", "Kim Chính Nhật",
    "Kim Chính Ân", "Hun Sen", "Hun Manet", "Lưu Hạc", "Hà Lập Phong", "Vương Hỗ Ninh",
))


@lru_cache(maxsize=8192)
def _fold(word: str) -> str:
    return fold_accents(word)


@lru_cache(maxsize=8192)
def _vn_syllable(token: str) -> bool:
    return _VN_SYLLABLE.fullmatch(fold_accents(token)) is not None


def _looks_vietnamese(tokens: list[str]) -> bool:
    return all(_vn_syllable(t) for t in tokens)


def _split_name(tokens: list[str]) -> tuple[list[str], bool]:
    """(name tokens, Vietnamese-looking) from the capitalised run after a title."""
    for i, token in enumerate(tokens):
        if token in VN_SURNAMES and 2 <= len(tokens) - i <= 4 and _looks_vietnamese(tokens[i:]):
            return tokens[i:], True
    return [t for t in tokens if not _INITIAL.fullmatch(t)], False


def _name_tokens(text: str, pos: int) -> tuple[list[str], int]:
    tokens: list[str] = []
    end = pos
    while len(tokens) < 6:
        m = _NAME_TOKEN.match(text, end)
        stops = _ANY_STOP if tokens else _FIRST_STOP
        if m is None or not m.group(1)[0].isupper() or m.group(1) in stops:
            break
        word, dot = m.group(1), m.group(2)
        if dot and len(word) > 1:  # a full stop after a word ends the sentence
            tokens.append(word)
            end = m.end() - 1
            break
        tokens.append(word + dot)
        end = m.end()
    return tokens, end


_MINISTER_OF = re.compile(normalize_tones(r"(Bộ trưởng|Thứ trưởng) Bộ "), re.IGNORECASE)


def _clean_title(title: str) -> str:
    """"Phó Thủ tướng Chính phủ" → "Phó Thủ tướng"; "Bộ trưởng Bộ Y tế" → "Bộ trưởng Y tế"."""
    title = " ".join(title.split()).replace(" Chính phủ", "")
    return _MINISTER_OF.sub(r"\1 ", title) if " Bộ " in title else title


class _Parsed(NamedTuple):
    title: str  # as shown: "Đại sứ Hoa Kỳ"
    name: str | None
    code: str | None
    end: int  # relative to the title's start
    vn_name: bool  # a Vietnamese-looking name of two to four syllables
    vn_office: bool  # a Vietnamese-only office ("Tổng Bí thư")


_WINDOW = 160  # characters after a title's start that its country and name fit in


@lru_cache(maxsize=4096)
def _parse(snippet: str, title_len: int) -> _Parsed:
    """Country, posting and name after the title ``snippet[:title_len]`` (cached: the same
    title and name recur within and across articles)."""
    title = snippet[:title_len]
    pos = title_len
    q = _QUALIFIER.match(snippet, pos)
    if q:
        pos = q.end()
    code: str | None = None
    country = ""
    vn = _VIETNAM.match(snippet, pos)
    if vn:
        code, pos = "VN", vn.end()
    else:
        partner = partner_at(snippet, pos)
        if partner:
            pos, code, country = partner
    posted = _POSTED_AT.match(snippet, pos)
    if posted:
        pos = posted.end()
    tokens, end = _name_tokens(snippet, pos)
    name_tokens, vn_looking = _split_name(tokens)
    name = " ".join(name_tokens) if name_tokens else None
    offices = {part.strip().lower() for part in title.split(",")}
    return _Parsed(_clean_title(title + (" " + country if country else "")), name, code,
                   end if name else pos, vn_looking and len(name_tokens) >= 2,
                   bool(offices & VN_ONLY_TITLES))


def find_people(text: str, low: str | None = None) -> list[PersonMention]:
    """Office titles in ``text`` with their country and name when given.

    ``low`` is ``lower_same_length(text)`` when the caller has it already."""
    found: list[PersonMention] = []
    foreign_keys: set[str] = set(_FOREIGN_NAMES)
    for m in TITLE_RE.finditer(lower_same_length(text) if low is None else low):
        start = m.start()
        p = _parse(text[start:start + _WINDOW], m.end() - start)
        key = _fold(p.name) if p.name else ""
        title, code = p.title, p.code
        if code is None and p.name and (known := leader_code(p.name)) is not None:
            # "Tổng thống Donald Trump": the leaders' gazetteer knows the country
            title, code = f"{title} {PARTNER_NAMES[known]}", known
        if code == "VN":
            vietnamese, strength = True, 1.0
        elif code is not None:
            vietnamese, strength = False, 0.0
            if p.name:
                foreign_keys.add(key)
        elif p.name:
            vietnamese = p.vn_name and key not in foreign_keys
            strength = 1.0 if vietnamese else 0.0
        else:
            vietnamese = p.vn_office
            strength = 0.7 if vietnamese else 0.0
        found.append(PersonMention(start, start + p.end, title, p.name, code, vietnamese,
                                   strength))
    return found


def merge_people(mentions: list[PersonMention], limit: int = 12) -> tuple[Person, ...]:
    """One ``Person`` per name, in the order of ``mentions``, with its most frequent title
    (one naming the country first: "Thủ tướng Nhật Bản" over a later "Thủ tướng").

    "Marc E. Knapper", "Marc Knapper" and "Đại sứ Knapper" are one person."""
    groups: dict[str, list[PersonMention]] = {}
    order: list[str] = []
    singles: list[PersonMention] = []
    for mention in mentions:
        if not mention.name:
            continue
        tokens = [t for t in mention.name.split() if not _INITIAL.fullmatch(t)]
        if len(tokens) < 2:
            singles.append(mention)
            continue
        key = _fold(" ".join(tokens))
        if key not in groups:
            groups[key] = []
            order.append(key)
        groups[key].append(mention)
    for mention in singles:
        assert mention.name is not None
        last = _fold(mention.name)
        for key in order:
            if key.split()[-1] == last and not groups[key][0].vietnamese:
                groups[key].append(mention)
                break
    people = []
    for key in order[:limit]:
        group = groups[key]
        names = [m.name for m in group if m.name and len(m.name.split()) >= 2]
        name = " ".join(t for t in names[0].split() if not _INITIAL.fullmatch(t))
        titles = [m.title for m in group]
        qualified = {m.title for m in group if m.code not in (None, "VN")}
        title = max(titles, key=lambda t: (t in qualified, titles.count(t), -titles.index(t)))
        people.append(Person(name, title))
    return tuple(people)
