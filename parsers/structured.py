"""Structured data a page declares about itself: JSON-LD, OpenGraph, article:* meta, canonical.

``read_page_meta(tree)`` gathers it into ``PageMeta``; each field keeps the first value found in
the order JSON-LD → OpenGraph/article:* → plain meta tags. Dates stay raw strings (in priority
order) so the caller decides with its own ``now`` which one is usable.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from parsers.text import clean_text, unique

ARTICLE_TYPES = frozenset({
    "NewsArticle", "Article", "ReportageNewsArticle", "AnalysisNewsArticle", "BlogPosting",
    "OpinionNewsArticle", "BackgroundNewsArticle", "ReviewNewsArticle", "LiveBlogPosting",
})
_HOME_CRUMBS = frozenset({"trang chủ", "home", "trang chu", "trang nhất"})


@dataclass(slots=True)
class PageMeta:
    title: str | None = None  # JSON-LD headline, else og:title
    description: str | None = None  # JSON-LD description, else og:description, else meta
    published: list[str] = field(default_factory=list)  # raw date strings, best first
    modified: list[str] = field(default_factory=list)
    authors: list[str] = field(default_factory=list)  # people only (no organisations, no URLs)
    section: str | None = None
    tags: tuple[str, ...] = ()
    images: list[str] = field(default_factory=list)
    canonical: str | None = None
    og_url: str | None = None
    og_type: str | None = None
    site_name: str | None = None
    html_title: str | None = None
    has_article_ld: bool = False


def _types(obj: dict[str, Any]) -> set[str]:
    kind = obj.get("@type")
    if isinstance(kind, str):
        return {kind}
    if isinstance(kind, list):
        return {k for k in kind if isinstance(k, str)}
    return set()  # missing, null, a number or an object: no type we know


def _walk(data: Any) -> Iterator[dict[str, Any]]:
    """Every JSON object at the top, inside lists and inside ``@graph``."""
    if isinstance(data, list):
        for item in data:
            yield from _walk(item)
    elif isinstance(data, dict):
        yield data
        yield from _walk(data.get("@graph", ()))


def json_ld_objects(tree: Any) -> list[dict[str, Any]]:
    objects: list[dict[str, Any]] = []
    for script in tree.css('script[type="application/ld+json"]'):
        raw = (script.text(deep=True) or "").strip().rstrip(";")
        if not raw:
            continue
        try:
            data = json.loads(raw, strict=False)  # control characters occur inside strings
        except ValueError:
            continue
        objects.extend(_walk(data))
    return objects


def _strings(value: Any, key: str = "name") -> list[str]:
    """Strings in a JSON-LD value that may be a string, an object with ``key`` or a list."""
    if isinstance(value, str):
        return [clean_text(value)]
    if isinstance(value, dict):
        return _strings(value.get(key), key)
    if isinstance(value, list):
        return [s for item in value for s in _strings(item, key)]
    return []


def _people(value: Any) -> list[str]:
    items = value if isinstance(value, list) else [value]
    names: list[str] = []
    for item in items:
        if isinstance(item, dict) and "Organization" in _types(item):
            continue
        names.extend(n for n in _strings(item) if n and "://" not in n)
    return names


def _split_list(value: str) -> list[str]:
    return [clean_text(part) for part in value.split(",") if clean_text(part)]


MetaIndex = dict[tuple[str, str], list[str]]


def _meta_index(tree: Any) -> MetaIndex:
    """Every <meta> content by (attribute, its value): one pass over the page's meta tags."""
    index: MetaIndex = {}
    for node in tree.css("meta[content]"):
        attrs = node.attributes
        content = attrs.get("content")
        if not content:
            continue
        for attr in ("property", "name", "itemprop"):
            key = attrs.get(attr)
            if key:
                index.setdefault((attr, key), []).append(content)
    return index


def _meta(index: MetaIndex, attr: str, name: str) -> list[str]:
    return [c for c in (clean_text(v) for v in index.get((attr, name), ())) if c]


def _first(*candidates: list[str] | str | None) -> str | None:
    for candidate in candidates:
        if isinstance(candidate, list):
            candidate = candidate[0] if candidate else None
        if candidate:
            return candidate
    return None


def _read_ld(meta: PageMeta, objects: list[dict[str, Any]]) -> list[str]:
    """Fill ``meta`` from the first article object; returns its keywords."""
    keywords: list[str] = []
    for obj in objects:
        kinds = _types(obj)
        if "BreadcrumbList" in kinds and meta.section is None:
            crumbs = [
                name for element in _walk(obj.get("itemListElement") or [])
                for name in _strings(element.get("name")) or _strings(element.get("item"))
                if name and "://" not in name and name.casefold() not in _HOME_CRUMBS
            ]
            meta.section = crumbs[-1] if crumbs else None
        if not kinds & ARTICLE_TYPES or meta.has_article_ld:
            continue
        meta.has_article_ld = True
        meta.title = _first(_strings(obj.get("headline")))
        meta.description = _first(_strings(obj.get("description")))
        meta.published.extend(_strings(obj.get("datePublished")))
        meta.modified.extend(_strings(obj.get("dateModified")))
        meta.authors.extend(_people(obj.get("author")))
        meta.images.extend(_strings(obj.get("image"), "url"))
        sections = [p for s in _strings(obj.get("articleSection")) for p in _split_list(s)]
        if sections:  # the most specific (last) of the article's own sections beats breadcrumbs
            meta.section = sections[-1]
        raw_keywords = obj.get("keywords")
        if isinstance(raw_keywords, str):
            keywords = _split_list(clean_text(raw_keywords))
        else:
            keywords = _strings(raw_keywords)
    return keywords


def read_page_meta(tree: Any) -> PageMeta:
    """Everything the page declares in its head (and JSON-LD anywhere)."""
    meta = PageMeta()
    ld_keywords = _read_ld(meta, json_ld_objects(tree))
    index = _meta_index(tree)

    def prop(name: str) -> list[str]:
        return _meta(index, "property", name) or _meta(index, "name", name)

    meta.title = meta.title or _first(prop("og:title"), prop("twitter:title"))
    meta.description = meta.description or _first(
        prop("og:description"), _meta(index, "name", "description")
    )
    meta.published.extend(
        prop("article:published_time") + _meta(index, "itemprop", "datePublished")
        + _meta(index, "name", "pubdate") + prop("og:published_time")
    )
    meta.modified.extend(
        prop("article:modified_time") + _meta(index, "itemprop", "dateModified")
        + _meta(index, "name", "lastmod") + prop("og:updated_time")
    )
    meta.authors.extend(a for a in prop("article:author") if "://" not in a)
    meta.section = meta.section or _first(prop("article:section"))
    tags = [t for raw in prop("article:tag") for t in _split_list(raw)]
    keywords = [
        t for raw in _meta(index, "name", "news_keywords") or _meta(index, "name", "keywords")
        for t in _split_list(raw)
    ]
    meta.tags = unique(tags or keywords or ld_keywords)
    meta.images.extend(prop("og:image"))
    meta.images = list(unique(meta.images))
    meta.authors = list(unique(meta.authors))
    canonical = tree.css_first('link[rel="canonical"]')
    if canonical is not None:
        meta.canonical = clean_text(canonical.attributes.get("href")) or None
    meta.og_url = _first(prop("og:url"))
    meta.og_type = _first(prop("og:type"))
    meta.site_name = _first(prop("og:site_name"))
    title_node = tree.css_first("head title") or tree.css_first("title")
    if title_node is not None:
        meta.html_title = clean_text(title_node.text()) or None
    return meta
