"""``SelectorParser``: an outlet parser described by its CSS selectors.

Structured data (JSON-LD, OpenGraph, article:* meta) always comes first; the selectors fill
what it lacks (title as displayed, lead, body container, visible dateline, byline, breadcrumb).
The body is then cleaned by the same code as the generic extractor (``content``, ``credits``).

One instance is one layout of one outlet. When an outlet redesigns, add a new module
(``vnexpress_v2``) with a new instance and point the registry at it; the old one keeps
re-parsing archived pages of the old layout.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from parsers.assemble import Found, build_article, choose_title, split_dateline
from parsers.content import blocks, drop_boilerplate, prune, remove_all
from parsers.credits import byline_names, split_trailer
from parsers.errors import ExtractionError
from parsers.furniture import found_from_meta
from parsers.structured import read_page_meta
from parsers.text import node_text
from records import Article


@dataclass(frozen=True, slots=True)
class SelectorParser:
    method: str  # recorded as Article.extraction_method, e.g. "vnexpress"
    version: str  # e.g. "vnexpress@2026-03": the layout it was written against
    title: str
    body: str
    sapo: str = ""
    date: str = ""
    authors: str = ""  # elements holding author names (removed from the body)
    breadcrumb: str = ""  # links of the breadcrumb; the last one is the section
    drop: str = ""  # extra elements to remove from the body before reading it
    source: str = ""  # element naming the credited source ("Theo ..."), outside the body

    def _first_text(self, tree: Any, selector: str) -> str:
        if not selector:
            return ""
        node = tree.css_first(selector)
        return node_text(node) if node is not None else ""

    def _source(self, tree: Any) -> str | None:
        text = self._first_text(tree, self.source)
        if not 2 <= len(text) <= 60:
            return None
        return text if text.casefold().startswith(("theo ", "nguồn")) else f"Theo {text}"

    def _authors(self, tree: Any) -> list[str]:
        names: list[str] = []
        for node in tree.css(self.authors) if self.authors else ():
            names.extend(byline_names(node_text(node)) or [])
        return names

    def parse(self, tree: Any, url: str, *, now: datetime | None = None) -> Article:
        meta = read_page_meta(tree)
        heading = self._first_text(tree, self.title)
        body = tree.css_first(self.body)
        if not heading or body is None:
            missing = "title " + self.title if not heading else "body " + self.body
            raise ExtractionError(f"{url}: {self.version} layout not found ({missing})")
        found: Found = found_from_meta(meta, tree, url)
        found.title = choose_title(meta, heading, url)
        found.sapo = self._first_text(tree, self.sapo) or meta.description
        found.published += [self._first_text(tree, self.date)]
        if not found.section and self.breadcrumb:
            crumbs = [node_text(n) for n in tree.css(self.breadcrumb)]
            found.section = next((c for c in reversed(crumbs) if c), None)
        visible_authors = self._authors(tree)
        if self.authors:
            remove_all(body.css(self.authors))
        if self.drop:
            remove_all(body.css(self.drop))
        prune(body)
        items, found.images = blocks(body, url)
        trailer = split_trailer(drop_boilerplate(items))
        found.paragraphs = [b.text for b in trailer.blocks]
        if not found.paragraphs:
            raise ExtractionError(f"{url}: {self.version} body {self.body} has no paragraphs")
        # A visible byline names the writers; JSON-LD often names only the organisation.
        found.authors = visible_authors or trailer.authors or found.authors
        found.sapo, dateline = split_dateline(found.sapo, url, meta.site_name)
        found.credited_source = trailer.credited_source or self._source(tree) or dateline
        return build_article(found, url, self.method, now)


def detail_cms_parser(
    method: str,
    version: str,
    *,
    authors: str,
    breadcrumb: str,
    body: str = "div.detail-content.afcbc-body, div.detail-content",
    drop: str = '[type="RelatedNewsBox"], .kbwscwl-relatedbox',
) -> SelectorParser:
    """A parser for the CMS shared by Tuổi Trẻ, Báo Chính phủ and Người Lao Động
    (``detail-*`` classes): the same title, lead and date; each outlet its byline, breadcrumb
    and, where it differs, body and widgets."""
    return SelectorParser(
        method=method,
        version=version,
        title="h1.detail-title",
        body=body,
        sapo="h2.detail-sapo, .detail-sapo",
        date='.detail-time [data-role="publishdate"], .detail-time',
        authors=authors,
        breadcrumb=breadcrumb,
        drop=drop,
    )
