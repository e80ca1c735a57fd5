"""The generic main-content extractor: any outlet, any language, by page structure alone.

Order of evidence:
1. structured data (JSON-LD, OpenGraph, article:* meta) for title, lead, dates, authors,
   section, tags;
2. visible page furniture read before pruning (sapo/lead element, dateline, breadcrumb,
   author and source boxes) for what the structured data lacks;
3. the main content container: every <p> scores its parent, grandparent and great-grandparent
   by length and commas (readability-style), the best candidate is discounted by its link
   density; the winner is pruned (``content.prune``), walked into blocks, cleaned of
   boilerplate lines and of the trailing byline/credit (``credits.split_trailer``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from parsers.assemble import Found, best_date, build_article, choose_title, h1_text, split_dateline
from parsers.content import blocks, drop_boilerplate, is_dateline, prune
from parsers.credits import byline_names, split_trailer
from parsers.errors import ExtractionError
from parsers.registry import looks_like_article_url
from parsers.structured import PageMeta, read_page_meta
from parsers.text import clean_text, node_text
from records import Article

METHOD = "generic"

SAPO_SELECTORS = (
    '[data-role="sapo"]', '[data-slot="sapo"]', ".detail-sapo", ".content-detail-sapo",
    ".sapo_detail", ".article__sapo", ".sapo", "p.description", ".article-sapo", ".lead",
    ".chapeau", ".summary",
)
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
    "p.author", "a.author", "span.author", ".byline",
)
SOURCE_SELECTORS = ('[data-field="source"]', "p.source", ".news-source", ".link-source-text-name")
_HOME = frozenset({"trang chủ", "home", "trang nhất"})


def _visible_sapo(tree: Any) -> str | None:
    for selector in SAPO_SELECTORS:
        for node in tree.css(selector):
            if node.tag == "meta":
                continue
            text = node_text(node)
            if 30 <= len(text) <= 1500:
                node.decompose()  # so the body does not repeat it
                return text
    return None


def visible_dates(tree: Any) -> list[str]:
    found: list[str] = []
    for selector in DATE_SELECTORS:
        for node in tree.css(selector)[:5]:
            for value in (node.attributes.get("datetime"), node.attributes.get("content")):
                if value:
                    found.append(value)
            text = node_text(node)
            if text and len(text) <= 100 and is_dateline(text):
                found.append(text)
        if found:
            break
    return found


def _visible_section(tree: Any) -> str | None:
    for selector in BREADCRUMB_SELECTORS:
        names = [node_text(n) for n in tree.css(selector)]
        names = [n for n in names if n and n.casefold() not in _HOME and len(n) <= 60]
        if names:
            return names[-1]
    return None


def _visible_authors(tree: Any) -> list[str]:
    for selector in AUTHOR_SELECTORS:
        for node in tree.css(selector):
            names = byline_names(node_text(node))
            if names:
                return names
    return []


def _visible_source(tree: Any) -> str | None:
    for selector in SOURCE_SELECTORS:
        node = tree.css_first(selector)
        text = node_text(node) if node is not None else ""
        if 2 <= len(text) <= 60:
            return text if text.casefold().startswith(("theo ", "nguồn")) else f"Theo {text}"
    return None


def _visible_tags(tree: Any) -> tuple[str, ...]:
    for selector in ('[class*="tag"] a[href*="tag"]', '[class*="keyword"] a', ".tags a"):
        tags = [node_text(n).lstrip("#").strip() for n in tree.css(selector)]
        tags = [t for t in tags if 1 < len(t) <= 60]
        if tags:
            return tuple(tags[:30])
    return ()


def _paragraph_score(text: str) -> float:
    return 1.0 + text.count(",") + min(len(text) / 100.0, 3.0)


def _text_length(node: Any) -> int:
    """Length of the node's text with whitespace collapsed (cheaper than ``node_text``)."""
    return len(" ".join(node.text(deep=True, separator="").split()))


def _link_density(node: Any) -> float:
    text = _text_length(node)
    if not text:
        return 1.0
    return min(1.0, sum(_text_length(a) for a in node.css("a")) / text)


def find_main(root: Any) -> Any | None:
    """The element holding the article body (see the module docstring), or None."""
    scores: dict[int, float] = {}
    nodes: dict[int, Any] = {}
    for paragraph in root.css("p, pre, div, td"):
        if paragraph.tag in ("div", "td"):
            # Old CMSs write paragraphs as bare text separated by <br> inside a div or cell.
            text = clean_text(paragraph.text(deep=False))
            start = paragraph
        else:
            text = node_text(paragraph)
            start = paragraph.parent
        if len(text) < 25 or (start is paragraph and len(text) < 100):
            continue
        score = _paragraph_score(text)
        ancestor, level = start, 0
        while ancestor is not None and level < 3 and ancestor.tag not in ("html", "-document"):
            key = ancestor.mem_id
            nodes[key] = ancestor
            scores[key] = scores.get(key, 0.0) + score / (1 if level == 0 else 2 * level)
            ancestor, level = ancestor.parent, level + 1
    if not scores:
        return None
    top = sorted(scores, key=scores.__getitem__, reverse=True)[:8]
    best = max(top, key=lambda key: scores[key] * (1.0 - _link_density(nodes[key])))
    return nodes[best]


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


def extract(tree: Any, url: str, *, now: datetime | None = None) -> Article:
    """The generic extraction of one parsed page; ExtractionError when it finds no body."""
    meta = read_page_meta(tree)
    found = found_from_meta(meta, tree, url)
    if not found.title:
        raise ExtractionError(f"{url}: no title")
    found.sapo = _visible_sapo(tree) or found.sapo
    if best_date(found.published, now) is None:
        found.published += visible_dates(tree)
    declared_article = meta.has_article_ld or (meta.og_type or "").lower() == "article"
    if not declared_article and best_date(found.published, now) is None and not (
        url and looks_like_article_url(url)
    ):
        # No article markup, no date, no article URL: a section front or a listing.
        raise ExtractionError(f"{url}: no article markup, publication date or article URL")
    found.section = found.section or _visible_section(tree)
    found.tags = found.tags or _visible_tags(tree)
    found.authors = found.authors or _visible_authors(tree)
    source = _visible_source(tree)
    body = tree.body
    if body is None:
        raise ExtractionError(f"{url}: no <body>")
    prune(body)
    main = find_main(body)
    if main is None:
        raise ExtractionError(f"{url}: no main content found")
    items, found.images = blocks(main, url)
    trailer = split_trailer(drop_boilerplate(items))
    found.paragraphs = [b.text for b in trailer.blocks]
    if not found.paragraphs:
        raise ExtractionError(f"{url}: main content has no paragraphs")
    found.authors = found.authors or trailer.authors
    found.sapo, dateline = split_dateline(clean_text(found.sapo), url, meta.site_name)
    found.credited_source = trailer.credited_source or source or dateline
    return build_article(found, url, METHOD, now)
