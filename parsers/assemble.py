"""Turning what a parser found into an ``Article``: titles, leads, dates, final clean-up.

Every extraction step (outlet parser, generic extractor, title-and-lead) ends in
``build_article`` so the guarantees hold whichever step won: NFC text with collapsed whitespace,
normalised URLs, aware dates never in the future, no empty or repeated paragraphs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from parsers.credits import normalize_name, split_agency
from parsers.dates import parse_date
from parsers.registry import outlet_for_url
from parsers.structured import PageMeta
from parsers.text import clean_text, fold, unique
from parsers.urls import host_of, normalize_url
from records import Article, Image

# "(Dân trí) - ", "(NLĐO)- ", "(Chinhphu.vn) - ", "(PLO)- ", "TTXVN - ": the lead's dateline.
_DATELINE = re.compile(r"^\s*\((?P<source>[^()]{2,30})\)\s*[-–—:]\s*")
_TITLE_SEPARATORS = re.compile(r"\s+[-|–—]\s+")


@dataclass(slots=True)
class Found:
    """What one extraction step found, before clean-up."""

    title: str
    sapo: str | None = None
    paragraphs: list[str] = field(default_factory=list)  # each already ``clean_text``-ed
    authors: list[str] = field(default_factory=list)
    published: list[str] = field(default_factory=list)  # raw candidates, best first
    updated: list[str] = field(default_factory=list)
    section: str | None = None
    tags: tuple[str, ...] = ()
    images: list[Image] = field(default_factory=list)
    credited_source: str | None = None
    canonical: str | None = None
    site_name: str | None = None


def best_date(candidates: list[str], now: datetime | None) -> datetime | None:
    """The first usable candidate, or a more precise one naming the same minute.

    Tuổi Trẻ's JSON-LD says 08:01:00 while its meta tags say 08:01:53: the seconds win.
    """
    parsed = [d for d in (parse_date(c, now=now) for c in candidates) if d is not None]
    if not parsed:
        return None
    first = parsed[0]
    if first.second == 0 and first.microsecond == 0:
        for other in parsed[1:]:
            if timedelta(0) <= other - first < timedelta(minutes=1):
                return other
    return first


def owns_name(source: str, url: str, site_name: str | None) -> bool:
    """Whether a dateline/credit names the page's own outlet ("Dân trí" on dantri.com.vn)."""
    name = fold(source)
    if name.endswith("o") and len(name) <= 5:
        name = name[:-1]  # "NLĐO" = NLĐ Online
    if len(name) < 2:
        return False
    host = fold(host_of(url).removeprefix("www."))
    outlet = outlet_for_url(url)
    names = [host, fold(site_name or "")] + ([fold(outlet.name)] if outlet else [])
    return any(name in candidate or (len(candidate) > 2 and candidate in name)
               for candidate in names if candidate)


def split_dateline(
    sapo: str | None, url: str, site_name: str | None
) -> tuple[str | None, str | None]:
    """The lead without its "(Outlet) - " dateline, and the dateline when it credits another
    outlet (a provincial paper's "(Chinhphu.vn) - " lead is republished government news)."""
    if not sapo:
        return None, None
    match = _DATELINE.match(sapo)
    if match is None:
        return sapo, None
    source = match["source"].strip()
    rest = sapo[match.end():].strip() or None
    return rest, None if owns_name(source, url, site_name) else f"({source})"


def strip_title_suffix(title: str, url: str, site_name: str | None) -> str:
    """"X - Tuổi Trẻ Online" -> "X"; "X | Báo Dân trí" -> "X" (when the tail names the site)."""
    parts = _TITLE_SEPARATORS.split(title)
    while len(parts) > 1 and owns_name(parts[-1], url, site_name):
        parts.pop()
    return " - ".join(parts) if len(parts) > 1 else parts[0]


def choose_title(meta: PageMeta, h1: str | None, url: str) -> str:
    """The visible <h1> when it agrees with the declared title; else the declared title."""
    declared = meta.title or (
        strip_title_suffix(meta.html_title, url, meta.site_name) if meta.html_title else ""
    )
    declared = clean_text(declared)
    h1 = clean_text(h1)
    if not declared:
        return h1
    shown, meant = fold(h1), fold(declared)
    if shown and (shown.startswith(meant) or meant.startswith(shown)):
        return h1 if len(h1) >= len(declared.rstrip(".… ")) else declared
    return declared


def _clean_paragraphs(paragraphs: list[str], title: str, sapo: str | None) -> tuple[str, ...]:
    """Clean paragraphs without repeats, nor repeats of the title or the lead.

    A repeat is the same text ignoring case; the title and the lead are also matched loosely
    (``fold``: no accents, no punctuation), for paragraphs of about their length only, since
    folding every paragraph of a long article is the slowest part of assembling it.
    """
    out: list[str] = []
    seen: set[str] = set()
    heads = [head for head in (title, sapo) if head]
    loose = {fold(head) for head in heads}
    sizes = [(len(h) - len(h) // 5 - 5, len(h) + len(h) // 5 + 5) for h in heads]
    for text in paragraphs:  # already clean: every step builds them with ``clean_text``
        key = text.casefold()
        if not text or key in seen:
            continue
        size = len(text)
        for low, high in sizes:
            if low <= size <= high:
                if fold(text) in loose:
                    key = ""  # the title or the lead again
                break
        if not key:
            continue
        seen.add(key)
        out.append(text)
    return tuple(out)


def _safe_url(url: str | None, base: str) -> str | None:
    if not url:
        return None
    try:
        return normalize_url(url, base)
    except ValueError:
        return None


def build_article(found: Found, url: str, method: str, now: datetime | None) -> Article:
    """The final ``Article``; see the module docstring for what is guaranteed."""
    page_url = normalize_url(url) if url else ""
    outlet = outlet_for_url(page_url)
    title = clean_text(found.title)
    sapo = clean_text(found.sapo) or None
    published = best_date(found.published, now)
    updated = best_date(found.updated, now)
    if updated is not None and published is not None and updated < published:
        updated = None
    images = unique_images(found.images)
    authors, agency = _authors(found.authors, page_url, found.site_name)
    return Article(
        outlet=outlet.key if outlet else "",
        url=page_url,
        canonical_url=_safe_url(found.canonical, page_url),
        title=title,
        sapo=sapo,
        paragraphs=_clean_paragraphs(found.paragraphs, title, sapo),
        authors=authors,
        published_at=published,
        updated_at=updated,
        section=clean_text(found.section) or None,
        tags=unique([clean_text(t).lstrip("#").strip() for t in found.tags]),
        images=images,
        credited_source=_not_own(clean_text(found.credited_source) or agency, page_url),
        extraction_method=method,
    )


_CREDIT_PREFIX = re.compile(r"^[(\[]?\s*(?:theo|nguồn)?\s*:?\s*", re.IGNORECASE)


def _not_own(credit: str | None, url: str) -> str | None:
    """The credit, unless it names the page's own site ("Nguồn: baochinhphu.vn" on
    baochinhphu.vn, "VOV.VN" on vov.vn): that is no other source."""
    if not credit or not url:
        return credit or None
    name = fold(_CREDIT_PREFIX.sub("", credit))
    host = fold(host_of(url).removeprefix("www."))
    return None if name and (name == host or (name in host and len(name) > 3)) else credit


def _authors(
    names: list[str], url: str, site_name: str | None
) -> tuple[tuple[str, ...], str | None]:
    """People only: no handles ("baotuoitre"), no outlet names ("VnExpress", "Dân Trí"); an
    agency attached to a name ("Tâm HằngTTXVN", "Minh Anh/TTXVN") is split off and returned."""
    kept = []
    agency: str | None = None
    for name in (normalize_name(n) for n in names):
        name, attached = split_agency(name)
        agency = agency or attached
        if not name or "://" in name or "@" in name:
            continue
        if (" " not in name and name.islower()) or owns_name(name, url, site_name):
            continue
        kept.append(name)
    return unique(kept), agency


def unique_images(images: list[Image]) -> tuple[Image, ...]:
    seen: set[str] = set()
    out: list[Image] = []
    for image in images:
        if image.url in seen:
            continue
        seen.add(image.url)
        caption = clean_text(image.caption) or None
        out.append(Image(url=image.url, caption=caption))
    return tuple(out)


def h1_text(tree: Any) -> str | None:
    node = tree.css_first("h1")
    return clean_text(node.text(deep=True, separator="")) if node is not None else None
