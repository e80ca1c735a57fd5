"""``parse_article``: one page → one ``Article``, through an explicit fallback chain.

1. the outlet parser: the one the registry names for the URL's outlet (``extractor="auto"``),
   or the one named explicitly (``extractor="vnexpress"``);
2. the generic extractor (``parsers.generic``), also forced by ``extractor="generic"``;
3. title and lead: og:title / headline / <title> and og:description, no paragraphs.

``Article.extraction_method`` records which step won. When even step 3 finds no title the
page is not an article we can use, and ``ParseError`` says which URL and why.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Callable
from datetime import datetime
from typing import Any

from selectolax.lexbor import LexborHTMLParser

from parsers import generic
from parsers.assemble import build_article, split_dateline
from parsers.charset import decode_html
from parsers.errors import ExtractionError, ParseError
from parsers.generic import found_from_meta
from parsers.outlets import OUTLET_PARSERS
from parsers.registry import outlet_for_url
from parsers.structured import read_page_meta
from parsers.urls import normalize_url
from records import Article

TITLE_AND_LEAD = "title-and-lead"
GENERIC = "generic"
AUTO = "auto"

__all__ = ["AUTO", "GENERIC", "TITLE_AND_LEAD", "ParseError", "parse_article"]

logger = logging.getLogger(__name__)

StepFn = Callable[[Any, str, datetime | None], Article]
_HTML_SNIFF = re.compile(rb"<(?:!doctype\s+html|html|head|body|meta|title|p|div)\b", re.I)


def _looks_like_html(text: str) -> bool:
    head = text[:65536].lstrip().encode("utf-8", errors="ignore")
    return bool(_HTML_SNIFF.search(head))


def _title_and_lead(tree: Any, url: str, now: datetime | None) -> Article:
    meta = read_page_meta(tree)
    found = found_from_meta(meta, tree, url)
    if not found.title:
        raise ParseError(f"{url}: no title (no og:title, headline, <h1> or <title>)")
    found.sapo, found.credited_source = split_dateline(found.sapo, url, meta.site_name)
    return build_article(found, url, TITLE_AND_LEAD, now)


def _outlet_step(key: str) -> StepFn:
    module = OUTLET_PARSERS[key]

    def step(tree: Any, url: str, now: datetime | None) -> Article:
        article: Article = module.parse(tree, url, now=now)
        return article

    return step


def _generic_step(tree: Any, url: str, now: datetime | None) -> Article:
    return generic.extract(tree, url, now=now)


def _declared_url(text: str) -> str:
    """The page's own canonical link or og:url, for pages parsed without a URL ("" if none)."""
    meta = read_page_meta(LexborHTMLParser(text))
    for candidate in (meta.canonical, meta.og_url):
        try:
            return normalize_url(candidate) if candidate else ""
        except ValueError:
            continue
    return ""


def _chain(url: str, extractor: str) -> list[tuple[str, StepFn]]:
    if extractor == AUTO:
        outlet = outlet_for_url(url)
        first = outlet.parser if outlet and outlet.parser in OUTLET_PARSERS else None
    elif extractor == GENERIC:
        first = None
    elif extractor in OUTLET_PARSERS:
        first = extractor
    else:
        known = ", ".join([AUTO, GENERIC, *sorted(OUTLET_PARSERS)])
        raise ValueError(f"unknown extractor {extractor!r}; choose one of: {known}")
    steps: list[tuple[str, StepFn]] = [(first, _outlet_step(first))] if first else []
    return [*steps, (GENERIC, _generic_step)]


def parse_article(
    html: str | bytes,
    url: str,
    *,
    extractor: str = AUTO,
    now: datetime | None = None,
    header_charset: str | None = None,
) -> Article:
    """Parse one article page fetched from ``url`` (see the module docstring).

    ``url`` may be empty (a file parsed from the command line): the page's canonical link or
    og:url then stands in for it. ``html`` may be bytes: ``parsers.charset.decode_html``
    decodes them (with the HTTP header's charset when given). ``now`` is the fetch time:
    published/updated dates after it are dropped (default: the clock). Raises ParseError when
    the input is not an HTML page, the URL is not http(s), or the page has no title at all;
    ValueError for an unknown ``extractor``.
    """
    if isinstance(html, bytes):
        text, _charset = decode_html(html, header_charset)
    else:
        text = unicodedata.normalize("NFC", html)
    if not text.strip():
        raise ParseError(f"{url}: empty document")
    if not _looks_like_html(text):
        raise ParseError(f"{url}: not an HTML page (no <html>, <head>, <body> or <p> markup)")
    if url.strip():
        try:
            url = normalize_url(url)
        except ValueError as error:
            raise ParseError(f"{url!r}: {error}") from None
    else:
        url = _declared_url(text)
    for name, step in _chain(url, extractor):
        try:
            return step(LexborHTMLParser(text), url, now)
        except ExtractionError as failure:
            logger.debug("%s step failed: %s", name, failure)
        except Exception:
            if name == GENERIC:
                raise
            # An outlet parser broken by a redesign must not stop the pipeline: fall back.
            logger.warning("%s parser crashed on %s; falling back", name, url, exc_info=True)
        # The next step parses a fresh tree: every step prunes the tree it is given.
    return _title_and_lead(LexborHTMLParser(text), url, now)
