"""Bylines and credited sources at the end of an article body.

Vietnamese articles end with some of: the author's name (right-aligned or bold:
"Hà Thu (tổng hợp)", "NHẬT XUÂN - NGHI VŨ"), a credited source on its own line ("Theo TTXVN",
"Theo HNM", "(Chinhphu.vn)", "Nguồn: VOV") or appended to the last sentence ("... ./. (TTXVN)").
``split_trailer`` peels those off the last blocks so the paragraphs are body text only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from parsers.content import Block
from parsers.text import clean_text

_UPPER = "A-ZÀ-ỸĐ"
_NAME_WORD = re.compile(rf"^(?:[{_UPPER}][\w'’.-]*|[{_UPPER}]\.)+$")
_NOT_NAMES = frozenset({
    "ông", "bà", "theo", "ảnh", "nguồn", "video", "clip", "tin", "bài", "xem", "đọc", "trong",
    "chiều", "sáng", "tối", "ngày", "tại", "khi", "các", "những", "một", "việt", "nam",
    "nhóm",  # "NHÓM PV": the reporters' desk, not a person
})
_NAME_SPLIT = re.compile(r"\s*(?:,|;|\s-\s|\s–\s|&|\svà\s)\s*")
_BYLINE_SUFFIX = re.compile(
    r"\s*[(\[](?P<note>tổng hợp|lược dịch|biên dịch|dịch|t/h|th|theo\s+[^)\]]{2,50})[)\]]\.?$",
    re.IGNORECASE,
)
AGENCIES = r"TTXVN/Vietnam\+|TTXVN|VNA|VOV\.VN|VOV|TTXVN/VNA|Vietnam\+|VNS"
# "Theo:", "Tác giả:", and the labels of a Vietnamese byline: "Bài và ảnh:", "Bài, ảnh:",
# "Tin, ảnh:", "Thực hiện:", "Nội dung:", "Bài:".
_BYLINE_LABEL = re.compile(
    r"^(?:theo|bởi|by|tác giả|(?:bài|tin)(?:\s*(?:,|và)\s*ảnh)?|thực hiện|nội dung|nhóm pv)"
    r"\s*(?::\s*|\s+(?=[A-ZÀ-ỸĐ]))",
    re.IGNORECASE,
)
# "Tâm Hằng/TTXVN", "Tâm Hằng - TTXVN", "Tâm Hằng (TTXVN)", and glued: "Tâm HằngTTXVN"
# (a byline box whose name and agency were two elements without a space between them).
_AGENCY_SUFFIX = re.compile(
    rf"(?:\s*(?:/|\s-\s|\s–\s)\s*|\s*\(\s*|(?<=[a-zà-ỹđ]))(?P<agency>{AGENCIES})\s*\)?\.?$"
)
_AGENCY_ONLY = re.compile(
    rf"^[(\[]?\s*(?:theo\s+|nguồn\s*:?\s*)?(?P<agency>{AGENCIES})\s*[)\]]?\.?$", re.IGNORECASE
)
_CREDIT_LINE = re.compile(
    r"^[(\[]?\s*(?P<kind>theo|nguồn)\s*:?\s+(?P<source>[^()\[\]]{2,60}?)\s*[)\]]?\s*\.?$",
    re.IGNORECASE,
)
_PAREN_LINE = re.compile(r"^\((?P<source>[^()]{2,40})\)\.?$")
_TAIL_CREDIT = re.compile(
    r"(?<=[.!?…\"”/])\s*\((?P<source>(?:[Tt]heo\s+)?[^()]{2,30})\)\s*$"
)


@dataclass(slots=True)
class Trailer:
    blocks: list[Block]
    authors: list[str] = field(default_factory=list)
    credited_source: str | None = None


def normalize_name(name: str) -> str:
    """Clean one author name; ALL-CAPS names become title case ("NHẬT XUÂN" -> "Nhật Xuân")."""
    name = clean_text(name).strip(" .,-–:")
    name = _BYLINE_LABEL.sub("", name)
    if name.isupper() and len(name) > 3:
        name = name.title()
    return name


def looks_like_name(text: str) -> bool:
    """One person's name: 1-5 capitalised words, no digits, not a sentence."""
    words = text.split()
    if not 1 <= len(words) <= 5 or len(text) > 40 or re.search(r"\d", text):
        return False
    if words[0].casefold() in _NOT_NAMES:
        return False
    return all(_NAME_WORD.match(word) for word in words)


def byline_names(text: str) -> list[str] | None:
    """The names of a byline line ("A, B và C"), or None when the line is not a byline."""
    parts = [part for part in _NAME_SPLIT.split(text.strip()) if part]
    if not parts or len(parts) > 4:
        return None
    names = [normalize_name(part) for part in parts]
    return names if all(looks_like_name(name) for name in names) else None


def _credit_text(kind: str, source: str) -> str:
    return f"Nguồn: {source}" if kind.casefold() == "nguồn" else f"Theo {source}"


def _credit_line(text: str) -> str | None:
    if len(text) > 80:
        return None
    match = _CREDIT_LINE.match(text)
    if match and len(match["source"].split()) <= 8:
        return _credit_text(match["kind"], match["source"].strip())
    match = _PAREN_LINE.match(text)
    if match:
        source = match["source"].strip()
        theo = re.match(r"(?i)theo\s+(.+)", source)
        return f"Theo {theo.group(1)}" if theo else f"({source})"
    return None


def split_agency(name: str) -> tuple[str, str | None]:
    """A name without the agency glued or attached to it, and that agency ("Tâm HằngTTXVN"
    -> ("Tâm Hằng", "TTXVN")); the name unchanged and None when there is none."""
    match = _AGENCY_SUFFIX.search(name)
    if match is None or match.start() == 0:
        return name, None
    return name[: match.start()].rstrip(" ,-–/("), match["agency"]


def credit_text(text: str) -> str | None:
    """A visible source box's text as a credit: "(Theo Bangkok Post)" -> "Theo Bangkok Post",
    "(TTXVN/Vietnam+)" -> "TTXVN/Vietnam+", "Nguồn: VOV" -> "Nguồn: VOV"; None otherwise."""
    text = text.strip()
    only = _AGENCY_ONLY.match(text)
    if only:
        return only["agency"]
    return _credit_line(text)


def split_byline(text: str) -> tuple[list[str], str | None] | None:
    """A byline piece read on its own: the names it gives and the agency it credits.

    "Tâm Hằng" -> (["Tâm Hằng"], None); "TTXVN" or "(Theo TTXVN)" -> ([], "TTXVN");
    "Minh Anh (TTXVN)" -> (["Minh Anh"], "TTXVN"); a piece that is neither -> None.
    """
    text = text.strip()
    only = _AGENCY_ONLY.match(text)
    if only:
        return [], only["agency"]
    if re.match(r"(?i)(?:theo|nguồn)\b", text):
        credit = _credit_line(text)  # "Theo Yonhap, Korea Herald": a source, not names
        return ([], credit) if credit else None
    rest, agency = split_agency(_BYLINE_LABEL.sub("", text))
    names = byline_names(rest)
    return (names, agency) if names else None


def _byline(block: Block) -> tuple[list[str], str | None] | None:
    """Names (and a credit) when ``block``, at the end of the body, is a byline."""
    labelled = _BYLINE_LABEL.sub("", block.text)
    text = labelled
    credit: str | None = None
    note = _BYLINE_SUFFIX.search(text)
    if note:
        text = text[: note.start()]
        theo = re.match(r"(?i)theo\s+(.+)", note["note"])
        credit = f"Theo {theo.group(1).strip()}" if theo else None
    agency = _AGENCY_SUFFIX.search(text)
    if agency:
        text = text[: agency.start()]
        credit = credit or agency["agency"]
    names = byline_names(text)
    if names is None:
        return None
    styled = (block.right_aligned or block.bold or text.isupper() or note or agency
              or labelled != block.text)
    if not styled and len(text.split()) > 4:
        return None  # an unstyled line must be a short name to count as a byline
    return names, credit


_DATE_TAIL = re.compile(
    r"\s*[|,–-]?\s*(?:\d{1,2}:\d{2}\s*[|,–-]?\s*)?\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}"
    r"(?:\s*[|,–-]?\s*\d{1,2}:\d{2})?(?:\s*\(?GMT[+-]\d+\)?)?\s*$"
)


def byline_with_date(text: str) -> list[str] | None:
    """The names of a line that is a byline followed by its date ("Ngọc Ánh - Thái Phương
    23/07/2026 | 14:28"): page furniture read into a body container; None otherwise."""
    if len(text) > 120:
        return None
    match = _DATE_TAIL.search(text)
    if match is None or match.start() == 0:
        return None
    return byline_names(text[: match.start()])


def drop_byline_datelines(items: list[Block]) -> tuple[list[Block], list[str]]:
    """``items`` without byline-and-date lines, and the names those lines gave."""
    kept: list[Block] = []
    names: list[str] = []
    for block in items:
        found = byline_with_date(block.text)
        if found is None:
            kept.append(block)
        else:
            names += [name for name in found if name not in names]
    return kept, names


def split_trailer(items: list[Block], *, max_lines: int = 3) -> Trailer:
    """Remove byline and credit lines from the end of ``items``; see the module docstring."""
    trailer = Trailer(blocks=list(items))
    for _ in range(max_lines):
        if not trailer.blocks:
            break
        last = trailer.blocks[-1]
        credit = _credit_line(last.text)
        if credit is not None:
            trailer.credited_source = trailer.credited_source or credit
            trailer.blocks.pop()
            continue
        found = _byline(last)
        if found is None:
            break
        names, credit = found
        trailer.authors = names + [a for a in trailer.authors if a not in names]
        trailer.credited_source = trailer.credited_source or credit
        trailer.blocks.pop()
    if trailer.blocks and trailer.credited_source is None:
        last = trailer.blocks[-1]
        match = _TAIL_CREDIT.search(last.text)
        if match and _is_source_name(match["source"]):
            trailer.credited_source = _credit_line(f"({match['source']})")
            stripped = last.text[: match.start()].rstrip()
            trailer.blocks[-1] = Block(stripped, last.tag, last.right_aligned, last.bold)
    return trailer


def _is_source_name(source: str) -> bool:
    """"TTXVN", "Chinhphu.vn", "Theo HNM": an agency abbreviation, a domain or a "Theo" credit."""
    source = source.strip()
    return bool(
        re.match(r"(?i)theo\s", source) or re.search(r"\.(?:vn|com|net|org)\b", source, re.I)
        or (source.replace("/", "").replace("+", "").isupper() and len(source) <= 12)
    )
