"""Display helpers shared by the email, the feed and the artifact: cleaning of page strings,
safe links, Vietnamese labels and times. Pure.

Every string that comes from a page (titles, leads, names, URLs) goes through
``clean_text`` before it is shown: control characters, lone surrogates and bidi
overrides/isolates are removed, so a hostile title can neither change the markup nor visually
reorder what the reader sees. Only absolute http(s) URLs become links (``safe_link``).
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime
from urllib.parse import urlsplit

from records import VIETNAM_TZ, Person

__all__ = [
    "EVENT_LABELS",
    "NO_PARTNER_LABEL",
    "PARTNER_NAMES",
    "TOPIC_LABELS",
    "clean_text",
    "event_label",
    "format_day",
    "format_vietnam_time",
    "partner_name",
    "person_label",
    "safe_link",
    "topic_label",
]

EVENT_LABELS: dict[str, str] = {  # keys: records.EVENT_KINDS
    "reception": "Tiếp",
    "call": "Điện đàm",
    "visit": "Thăm",
    "talks": "Hội đàm",
    "conference": "Hội nghị",
    "agreement": "Ký kết",
    "statement": "Tuyên bố",
    "other": "Khác",
}

# Vietnamese names of the partners we expect most; any other code is shown as the code.
PARTNER_NAMES: dict[str, str] = {
    "US": "Hoa Kỳ",
    "CN": "Trung Quốc",
    "JP": "Nhật Bản",
    "KR": "Hàn Quốc",
    "KP": "Triều Tiên",
    "RU": "Nga",
    "IN": "Ấn Độ",
    "AU": "Australia",
    "NZ": "New Zealand",
    "FR": "Pháp",
    "DE": "Đức",
    "GB": "Anh",
    "IT": "Italy",
    "CA": "Canada",
    "LA": "Lào",
    "KH": "Campuchia",
    "TH": "Thái Lan",
    "SG": "Singapore",
    "MY": "Malaysia",
    "ID": "Indonesia",
    "PH": "Philippines",
    "MM": "Myanmar",
    "BN": "Brunei",
    "TL": "Timor-Leste",
    "CU": "Cuba",
    "ASEAN": "ASEAN",
    "EU": "Liên minh châu Âu (EU)",
    "UN": "Liên hợp quốc",
}
NO_PARTNER_LABEL = "Chưa xác định đối tác"

# Fields of cooperation (keys of analysis topics) in Vietnamese; others are shown as given.
TOPIC_LABELS: dict[str, str] = {
    "economy-trade-investment": "kinh tế - thương mại - đầu tư",
    "defence-security": "quốc phòng - an ninh",
    "science-technology": "khoa học - công nghệ",
    "semiconductors": "bán dẫn",
    "ai": "trí tuệ nhân tạo",
    "energy": "năng lượng",
    "digital-transformation": "chuyển đổi số",
    "education": "giáo dục - đào tạo",
    "health": "y tế",
    "climate": "khí hậu - chuyển đổi xanh",
    "war-legacy": "khắc phục hậu quả chiến tranh",
    "south-china-sea": "Biển Đông",
    "culture-people-to-people": "văn hóa - giao lưu nhân dân",
    "mekong": "Mekong",
    "agriculture": "nông nghiệp",
    "labour-migration": "lao động",
    "law-enforcement": "phòng, chống tội phạm",
}

# Bidi embeddings/overrides (U+202A–U+202E), isolates (U+2066–U+2069) and the invisible
# direction marks: none belongs in a digest line, and they can disguise what a reader sees.
_BIDI_CHARS = frozenset(
    [chr(c) for c in range(0x202A, 0x202F)]
    + [chr(c) for c in range(0x2066, 0x206A)]
    + ["\u200e", "\u200f", "\u061c"]
)
_WHITESPACE_RE = re.compile(r"\s+")
_DAY_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_TIME_FORMAT = "%d/%m/%Y %H:%M"


def clean_text(value: str | None) -> str:
    """One line of display text: no control, surrogate, non-character or bidi characters,
    spaces collapsed (what XML 1.0 and HTML both accept)."""
    if not value:
        return ""
    kept: list[str] = []
    for char in value:
        if char in _BIDI_CHARS:
            continue
        if char.isspace():
            kept.append(" ")
            continue
        if unicodedata.category(char) in ("Cc", "Cs") or _noncharacter(char):
            continue
        kept.append(char)
    return _WHITESPACE_RE.sub(" ", "".join(kept)).strip()


def _noncharacter(char: str) -> bool:
    code = ord(char)
    return 0xFDD0 <= code <= 0xFDEF or (code & 0xFFFE) == 0xFFFE


def safe_link(url: str | None) -> str | None:
    """The cleaned URL when it is an absolute http(s) URL that can go in an href, else None."""
    cleaned = clean_text(url)
    if not cleaned or " " in cleaned:
        return None
    try:
        parts = urlsplit(cleaned)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    return cleaned


def format_vietnam_time(moment: datetime | None) -> str:
    """``24/11/2026 06:30`` in Asia/Ho_Chi_Minh, or "" for None. Naive times are refused."""
    if moment is None:
        return ""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"naive datetime {moment!r}: times must be timezone-aware")
    return moment.astimezone(VIETNAM_TZ).strftime(_TIME_FORMAT)


def format_day(day: str) -> str:
    """``2026-11-24`` → ``24/11/2026``; anything unparsable is shown cleaned, as is."""
    cleaned = clean_text(day)
    if _DAY_RE.match(cleaned):
        try:
            return date.fromisoformat(cleaned).strftime("%d/%m/%Y")
        except ValueError:
            pass
    return cleaned


def partner_name(code: str) -> str:
    """Vietnamese display name of a partner code (``US`` → ``Hoa Kỳ``), the code otherwise."""
    cleaned = clean_text(code)
    if not cleaned:
        return NO_PARTNER_LABEL
    return PARTNER_NAMES.get(cleaned.upper(), cleaned)


def event_label(event: str | None) -> str:
    if not event:
        return ""
    return EVENT_LABELS.get(event, EVENT_LABELS["other"])


def topic_label(topic: str) -> str:
    cleaned = clean_text(topic)
    return TOPIC_LABELS.get(cleaned, cleaned)


def person_label(person: Person) -> str:
    """``Tô Lâm (Tổng Bí thư)``."""
    name = clean_text(person.name)
    title = clean_text(person.title)
    if name and title:
        return f"{name} ({title})"
    return name or title
