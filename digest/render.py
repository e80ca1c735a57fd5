"""Render a :class:`records.Digest` into an email subject, an HTML body and a plain-text body.

Pure: no network, no database, no Prefect. The templates live in ``digest/templates`` and are
loaded with Jinja2's ``PackageLoader``; the HTML template is autoescaped, the text one is not.
Every string that comes from a page (titles, leads, names, URLs) is cleaned here first:
control characters, lone surrogates and bidi overrides/isolates are removed, so a hostile
title can neither change the markup nor visually reorder what the reader sees. Only http(s)
URLs become links; anything else is shown as text.
"""

from __future__ import annotations

import re
import textwrap
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from urllib.parse import urlsplit

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from records import VIETNAM_TZ, Digest, DigestEntry, Person

__all__ = [
    "EVENT_LABELS",
    "PARTNER_NAMES",
    "RenderedDigest",
    "clean_text",
    "event_label",
    "format_vietnam_time",
    "partner_name",
    "render_digest",
    "safe_link",
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
NO_ARTICLES = "Không có bài ngoại giao mới"

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
_TEXT_WIDTH = 76


@dataclass(frozen=True)
class RenderedDigest:
    """The three parts of a digest email, ready to write to files or send."""

    subject: str
    html: str
    text: str


def clean_text(value: str | None) -> str:
    """One line of display text: no control, surrogate or bidi characters, spaces collapsed."""
    if not value:
        return ""
    kept: list[str] = []
    for char in value:
        if char in _BIDI_CHARS:
            continue
        if char.isspace():
            kept.append(" ")
            continue
        if unicodedata.category(char) in ("Cc", "Cs"):
            continue
        kept.append(char)
    return _WHITESPACE_RE.sub(" ", "".join(kept)).strip()


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


def _person_label(person: Person) -> str:
    name = clean_text(person.name)
    title = clean_text(person.title)
    if name and title:
        return f"{name} ({title})"
    return name or title


# --------------------------------------------------------------------------- view model


@dataclass(frozen=True)
class EntryView:
    title: str
    url: str  # cleaned URL text (shown as text when it is not a safe link)
    link: str | None  # http(s) URL safe for href, or None
    outlet: str
    time: str
    sapo: str
    sapo_lines: tuple[str, ...]  # the lead wrapped for the plain-text part
    event: str
    people: tuple[str, ...]
    topics: tuple[str, ...]


@dataclass(frozen=True)
class GroupView:
    code: str
    name: str
    entries: tuple[EntryView, ...]


def _entry_sort_key(entry: DigestEntry) -> tuple[float, float, str]:
    stamp = entry.published_at.timestamp() if entry.published_at is not None else float("-inf")
    # Highest score first, then newest first, then title for a stable order.
    return (-entry.verdict.score, -stamp, entry.title)


def _entry_view(entry: DigestEntry) -> EntryView:
    url = clean_text(entry.url)
    sapo = clean_text(entry.sapo)
    outlet = clean_text(entry.outlet_name) or clean_text(entry.outlet)
    title = clean_text(entry.title) or url or "(không có tiêu đề)"
    sapo_lines = tuple(
        textwrap.wrap(sapo, _TEXT_WIDTH, break_long_words=False, break_on_hyphens=False)
    )
    people = tuple(label for label in map(_person_label, entry.verdict.people) if label)
    topics = tuple(topic for topic in map(clean_text, entry.verdict.topics) if topic)
    return EntryView(
        title=title,
        url=url,
        link=safe_link(entry.url),
        outlet=outlet,
        time=format_vietnam_time(entry.published_at),
        sapo=sapo,
        sapo_lines=sapo_lines,
        event=event_label(entry.verdict.event),
        people=people,
        topics=topics,
    )


def group_entries(entries: tuple[DigestEntry, ...]) -> tuple[GroupView, ...]:
    """Entries grouped by first partner; groups ordered by their best entry, unknown last."""
    buckets: dict[str, list[DigestEntry]] = {}
    for entry in entries:
        code = clean_text(entry.verdict.partners[0]).upper() if entry.verdict.partners else ""
        buckets.setdefault(code, []).append(entry)
    ordered: list[tuple[tuple[bool, float, float, str], GroupView]] = []
    for code, members in buckets.items():
        members.sort(key=_entry_sort_key)
        best = _entry_sort_key(members[0])
        view = GroupView(
            code=code,
            name=partner_name(code),
            entries=tuple(_entry_view(member) for member in members),
        )
        ordered.append(((code == "", best[0], best[1], code), view))
    ordered.sort(key=lambda pair: pair[0])
    return tuple(view for _, view in ordered)


# --------------------------------------------------------------------------- rendering

_ENV = Environment(
    loader=PackageLoader("digest", "templates"),
    autoescape=select_autoescape(
        enabled_extensions=("html.j2", "html"), default_for_string=False, default=False
    ),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)


def render_digest(digest: Digest, *, title: str = "diplowatch") -> RenderedDigest:
    """Render ``digest`` as a subject line, an HTML page and a plain-text part."""
    groups = group_entries(digest.entries)
    article_count = len(digest.entries)
    outlet_count = len({clean_text(e.outlet) or clean_text(e.outlet_name) for e in digest.entries})
    day = format_day(digest.day)
    heading = " ".join(part for part in (clean_text(title), clean_text(digest.profile)) if part)
    heading = f"{heading} — {day}" if heading else day
    summary = f"{article_count} bài ngoại giao" if article_count else NO_ARTICLES
    context: dict[str, Any] = {
        "title": clean_text(title),
        "profile": clean_text(digest.profile),
        "day": day,
        "heading": heading,
        "article_count": article_count,
        "outlet_count": outlet_count,
        "window_start": format_vietnam_time(digest.window_start),
        "window_end": format_vietnam_time(digest.window_end),
        "groups": groups,
    }
    html = _ENV.get_template("digest.html.j2").render(context)
    text = _ENV.get_template("digest.txt.j2").render(context)
    return RenderedDigest(subject=f"{heading}: {summary}", html=html, text=text)
