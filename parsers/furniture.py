"""Page furniture read before any body extraction: what every extraction step shares.

Structured data (JSON-LD, OpenGraph, article:* meta) first (``found_from_meta``), then the
visible furniture for what it lacks: the sapo/lead element, datelines, the breadcrumb, author
and source boxes, tags. ``page_facts`` gathers it all for the generic extractor and the library
fallbacks (``parsers.libraries``), and decides whether the page is an article at all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from parsers.assemble import Found, best_date, choose_title, h1_text
from parsers.content import BLOCK_TAGS, is_dateline, is_widget
from parsers.credits import byline_names, credit_text, split_byline
from parsers.errors import ExtractionError, NotAnArticleError
from parsers.registry import looks_like_article_url
from parsers.structured import PageMeta, read_page_meta
from parsers.text import clean_text, fold, node_text
from parsers.urls import host_of

SAPO_SELECTORS = (
    '[data-role="sapo"]', '[data-slot="sapo"]', ".detail-sapo", ".content-detail-sapo",
    ".sapo_detail", ".article__sapo", ".sapo", "p.description", ".article-sapo", ".lead",
    ".chapeau", ".summary", '[class*="sapo"]',
)
_ANY_SAPO = ", ".join(SAPO_SELECTORS)
DATE_SELECTORS = (
    '[data-role="publishdate"]', "time[datetime]", '[itemprop="datePublished"]', ".detail-time",
    ".publish-date", ".post-time", ".date-time", ".time-source-detail", "span.date", ".date",
    ".time", '[class*="date"]', '[class*="time"]',
)
BREADCRUMB_SELECTORS = (
    '[class*="breadcrumb"] a', '[class*="bread-crumb"] a', ".detail-cate a",
    '[data-role="cate-name"]',
)
AUTHOR_SELECTORS = (
    '[data-role="author"]', '[rel="author"]', ".author-item-name", ".author-name",
    ".article-detail-author__info .name", ".author .name", '[class*="author"] .name',
    "p.author", "a.author", "span.author", "div.author", ".byline", ".author",
    '[class*="author"]', '[class*="byline"]', '[class*="credit"]',
)
SOURCE_SELECTORS = ('[data-field="source"]', "p.source", ".news-source", ".link-source-text-name")
_TIME_OF_DAY = re.compile(r"\d{1,2}\s*[:h]\s*\d{2}|T\d{2}:\d{2}")
_LABELLED_DATE = re.compile(
    r"(?:ngày xuất bản|xuất bản|ngày đăng|đăng ngày|đăng lúc|cập nhật)\s*:?\s*"
    r"(?P<when>[^\n]{0,30}\d{1,2}[/.-]\d{1,2}[/.-]\d{4}[^\n]{0,20})",
    re.IGNORECASE,
)
_HOME = frozenset({"trang chủ", "home", "trang nhất"})


def _visible_sapo(tree: Any, description: str | None) -> str | None:
    """The lead element's text (removed from the tree so the body does not repeat it).

    Related-news boxes carry ``.sapo`` elements of their own: a candidate inside a widget is
    skipped, and when the page declares a description, a candidate that agrees with it is
    preferred over the first one found."""
    wanted = fold(description)[:60] if description else ""
    # With a description to agree with, one query in document order; without, the
    # selectors in order of trust.
    queries = [_ANY_SAPO] if wanted else list(SAPO_SELECTORS)
    for query in queries:
        for node in tree.css(query)[:20]:
            if node.tag == "meta" or _in_widget(node):
                continue
            lead = _lead_block(node)
            text = node_text(lead)
            if not 30 <= len(text) <= 1500 or (wanted and wanted[:40] not in fold(text)[:100]):
                continue  # (agreeing: the description, maybe after a "(NLĐO) - " dateline)
            lead.decompose()
            return text
    return None  # (with a description: it stands as the lead)


def _in_widget(node: Any, levels: int = 6) -> bool:
    ancestor = node.parent
    for _ in range(levels):
        if ancestor is None or ancestor.tag in ("body", "html"):
            return False
        if is_widget(ancestor):
            return True
        ancestor = ancestor.parent
    return False


def _lead_block(node: Any) -> Any:
    """The lead itself when the sapo element also holds the body's first blocks.

    Some CMSs put ``<h2>lead</h2><p>first paragraph</p>`` (or two ``div``s) inside the
    sapo element: taking all of it as the lead would drop that paragraph from the body.
    """
    children = [
        child for child in node.iter(include_text=False)
        if (child.tag in BLOCK_TAGS or child.tag == "div") and node_text(child)
    ]
    if len(children) >= 2:
        return children[0]
    return node


def visible_dates(tree: Any) -> list[str]:
    """Date candidates shown on the page, those with a time of day first.

    A page header often shows today's date without a time ("Thứ Ba, 20/10/2026") above the
    article's own dateline ("Thứ Ba, 20/10/2026 | 16:00"): the one with the time wins. When
    no date element is found, a labelled line anywhere ("Ngày xuất bản: 26-07-2026, 06:00")
    is used.
    """
    found: list[str] = []
    for selector in DATE_SELECTORS:
        for node in tree.css(selector)[:5]:
            for value in (node.attributes.get("datetime"), node.attributes.get("content")):
                if value:
                    found.append(value)
            text = node_text(node)
            if text and len(text) <= 100 and is_dateline(text):
                found.append(text)
        if found and any(_TIME_OF_DAY.search(value) for value in found):
            break
    if not found and tree.body is not None:
        found = [m["when"] for m in _LABELLED_DATE.finditer(tree.body.text(separator="\n"))][:3]
    return sorted(dict.fromkeys(found), key=lambda value: not _TIME_OF_DAY.search(value))


def _visible_section(tree: Any) -> str | None:
    for selector in BREADCRUMB_SELECTORS:
        names = [node_text(n) for n in tree.css(selector)]
        names = [n for n in names if n and n.casefold() not in _HOME and len(n) <= 60]
        if names:
            return names[-1]
    return None


def visible_byline(tree: Any) -> tuple[list[str], str | None]:
    """Author names from the page's byline box, and the agency it credits, if any.

    The box's text pieces are read apart, so "Tâm Hằng<span>TTXVN</span>" gives the writer
    "Tâm Hằng" and the credit "TTXVN", not one name "Tâm HằngTTXVN".
    """
    for selector in AUTHOR_SELECTORS:
        for node in tree.css(selector):
            pieces = [clean_text(p) for p in node.text(deep=True, separator="\n").split("\n")]
            names: list[str] = []
            credit: str | None = None
            for piece in (p for p in pieces if p):
                found = split_byline(piece)
                if found is None:
                    continue
                more, agency = found
                names += [n for n in more if n not in names]
                credit = credit or agency
            if names:
                return names, credit
            joined = byline_names(node_text(node))
            if joined:
                return joined, None
    return [], None


def _visible_source(tree: Any) -> str | None:
    for selector in SOURCE_SELECTORS:
        node = tree.css_first(selector)
        text = node_text(node) if node is not None else ""
        if 2 <= len(text) <= 60:
            return text if text.casefold().startswith(("theo ", "nguồn")) else f"Theo {text}"
    # "(Theo Bangkok Post)", "(TTXVN/Vietnam+)", a credit line beside the writer's name.
    for node in tree.css('[class*="source"], [class*="credit"]')[:8]:
        for piece in node.text(deep=True, separator="\n").split("\n"):
            credit = credit_text(clean_text(piece))
            if credit:
                return credit
    return None


def _visible_tags(tree: Any) -> tuple[str, ...]:
    for selector in ('[class*="tag"] a[href*="tag"]', '[class*="keyword"] a', ".tags a"):
        tags = [node_text(n).lstrip("#").strip() for n in tree.css(selector)]
        tags = [t for t in tags if 1 < len(t) <= 60]
        if tags:
            return tuple(tags[:30])
    return ()


def found_from_meta(meta: PageMeta, tree: Any, url: str) -> Found:
    """Title, lead and declared facts of the page, before any body extraction."""
    found = Found(title=choose_title(meta, h1_text(tree), url))
    found.sapo = meta.description
    found.published = list(meta.published)
    found.updated = list(meta.modified)
    found.authors = list(meta.authors)
    found.section = meta.section
    found.tags = meta.tags
    found.canonical = meta.canonical or meta.og_url
    found.site_name = meta.site_name
    return found




@dataclass(slots=True)
class PageFacts:
    """What the page says of itself before any body is extracted."""

    meta: PageMeta
    found: Found
    source: str | None  # a visible "Theo ..." box or the byline's agency
    warnings: list[str]


def page_facts(tree: Any, url: str, now: datetime | None, *, strict: bool = True) -> PageFacts:
    """Title, lead, dates, authors, section, tags and credit of one page (a fresh tree: the
    lead element is removed from it so the body does not repeat it).

    ``NotAnArticleError`` when the page has no article markup, no date and no article URL (a
    section front or listing); with ``strict=False`` (an extractor forced by the user) that
    is only a warning. ``ExtractionError`` when there is no title at all.
    """
    meta = read_page_meta(tree)
    found = found_from_meta(meta, tree, url)
    if not found.title:
        raise ExtractionError(f"{url}: no title")
    found.sapo = _visible_sapo(tree, found.sapo) or found.sapo
    if best_date(found.published, now) is None:
        found.published += visible_dates(tree)
    warnings: list[str] = []
    declared_article = meta.has_article_ld or (meta.og_type or "").lower() == "article"
    if not declared_article and best_date(found.published, now) is None and not (
        url and looks_like_article_url(url)
    ):
        reason = "no article markup, publication date or article URL"
        if strict:
            raise NotAnArticleError(f"{url}: {reason}")
        warnings.append(f"may not be an article: {reason}")
    found.section = found.section or _visible_section(tree)
    found.tags = found.tags or _visible_tags(tree)
    names, agency = visible_byline(tree)
    found.authors = found.authors or names
    if agency and fold(agency) in fold(host_of(url)):
        agency = None  # "Hồng Nhung/VOV.VN" on vov.vn: the outlet's own writer
    source = _visible_source(tree) or agency
    return PageFacts(meta=meta, found=found, source=source, warnings=warnings)
