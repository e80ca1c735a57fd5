"""``parse_article``: one page → one ``Article``, through an explicit, quality-gated chain.

1. the outlet parser: the one the registry names for the URL's outlet (``extractor="auto"``),
   or the one named explicitly (``extractor="vnexpress"``);
2. the generic extractor (``parsers.generic``), also forced by ``extractor="generic"``;
3. the libraries (``parsers.libraries``): trafilatura, then resiliparse (``extractor="auto"``
   only, or forced by name);
4. title and lead: og:title / headline / <title> and og:description, no paragraphs.

Every result of steps 1-3 is judged by the quality gate (``parsers.quality``) against the
page's own prose: the first that passes wins; when none passes, the best-scoring one is
kept. ``Article.extraction_method`` names the winner and ``Article.extraction_notes`` says
why each earlier step lost, so a fallback, or a collapse to title and lead, is never
silent. With an extractor forced by name there is no fallback beyond it (an outlet parser
still falls back to the generic extractor), and a page that does not look like an article
is extracted anyway, with a warning in the notes. When even step 4 finds no title, or the
page is no article (``extractor="auto"``), ``ParseError`` says which URL and why.
"""

from __future__ import annotations

import codecs
import logging
import re
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import Any

from selectolax.lexbor import LexborHTMLParser

from parsers import checks, generic, libraries
from parsers.assemble import best_date, build_article, split_dateline
from parsers.charset import (
    canonical_charset,
    charset_from_content_type,
    decode_html,
    sniff_declared,
)
from parsers.errors import ExtractionError, NotAnArticleError, ParseError
from parsers.furniture import found_from_meta, visible_dates
from parsers.outlets import OUTLET_PARSERS
from parsers.quality import (
    PageProfile,
    evidently_whole,
    judge,
    profile_page,
)
from parsers.registry import is_article_url, outlet_for_url
from parsers.structured import read_page_meta
from parsers.urls import normalize_url
from records import Article

TITLE_AND_LEAD = "title-and-lead"
GENERIC = "generic"
AUTO = "auto"
LIBRARIES = (libraries.TRAFILATURA, libraries.RESILIPARSE)  # in the order they are tried

__all__ = ["AUTO", "GENERIC", "TITLE_AND_LEAD", "ParseError", "fell_back", "parse_article"]

logger = logging.getLogger(__name__)

StepFn = Callable[[Any, str | bytes, str, datetime | None], Article]
_HTML_SNIFF = re.compile(rb"<(?:!doctype\s+html|html|head|body|meta|title|p|div)\b", re.I)


def _looks_like_html(document: str | bytes) -> bool:
    head = document[:65536]
    if isinstance(head, str):
        head = head.encode("utf-8", errors="ignore")
    return bool(_HTML_SNIFF.search(head.lstrip()))


def _title_and_lead(
    tree: Any, url: str, now: datetime | None, *, strict: bool = True
) -> tuple[Article, list[str]]:
    meta = read_page_meta(tree)
    found = found_from_meta(meta, tree, url)
    if not found.title:
        raise ParseError(f"{url}: no title (no og:title, headline, <h1> or <title>)")
    declared = meta.has_article_ld or (meta.og_type or "").lower() == "article"
    dated = best_date(found.published + visible_dates(tree), now) is not None
    reason = checks.not_an_article(url, declared=declared, dated=dated)
    warnings = []
    if reason and strict:
        raise ParseError(f"{url}: {reason}")
    if reason:
        warnings.append(f"may not be {reason.removeprefix('not ')}")
    found.sapo, found.credited_source = split_dateline(found.sapo, url, meta.site_name)
    return build_article(found, url, TITLE_AND_LEAD, now), warnings


def _outlet_step(key: str) -> StepFn:
    module = OUTLET_PARSERS[key]

    def step(tree: Any, document: str | bytes, url: str, now: datetime | None) -> Article:
        article: Article = module.parse(tree, url, now=now)
        return article

    return step


def _generic_step(strict: bool) -> StepFn:
    def step(tree: Any, document: str | bytes, url: str, now: datetime | None) -> Article:
        return generic.extract(tree, url, now=now, strict=strict)

    return step


def _library_step(name: str, strict: bool) -> StepFn:
    def step(tree: Any, document: str | bytes, url: str, now: datetime | None) -> Article:
        return libraries.library_article(name, tree, document, url, now, strict=strict)

    return step


def _declared_url(text: str | bytes) -> str:
    """The page's own canonical link or og:url, for pages parsed without a URL ("" if none)."""
    meta = read_page_meta(LexborHTMLParser(text))
    for candidate in (meta.canonical, meta.og_url):
        try:
            return normalize_url(candidate) if candidate else ""
        except ValueError:
            continue
    return ""


def _chain(
    url: str, extractor: str, *, strict: bool, vietnamese: bool
) -> list[tuple[str, StepFn]]:
    if extractor == AUTO:
        outlet = outlet_for_url(url)
        first = outlet.parser if outlet and outlet.parser in OUTLET_PARSERS else None
        steps = [(first, _outlet_step(first))] if first else []
        ours = (GENERIC, _generic_step(strict))
        libs = [(name, _library_step(name, strict)) for name in LIBRARIES]
        if outlet is None and not vietnamese:
            # Pages in other languages: trafilatura leads (measured far ahead of our
            # Vietnamese-tuned generic extractor there); ours and resiliparse follow.
            return [libs[0], ours, *libs[1:]]
        return [*steps, ours, *libs]
    if extractor == GENERIC:
        return [(GENERIC, _generic_step(False))]
    if extractor in LIBRARIES:
        return [(extractor, _library_step(extractor, False))]
    if extractor in OUTLET_PARSERS:
        return [(extractor, _outlet_step(extractor)), (GENERIC, _generic_step(False))]
    known = ", ".join([AUTO, GENERIC, *LIBRARIES, *sorted(OUTLET_PARSERS)])
    raise ValueError(f"unknown extractor {extractor!r}; choose one of: {known}")


_VIETNAMESE_LETTERS = re.compile(
    "[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]", re.IGNORECASE
)


def _is_vietnamese(tree: Any) -> bool:
    """The page declares Vietnamese, or its title and lead are written in it."""
    root = tree.css_first("html")
    lang = ((root.attributes.get("lang") or "") if root is not None else "").lower()
    if lang:
        return lang.startswith("vi")
    meta = read_page_meta(tree)
    sample = f"{meta.title or meta.html_title or ''} {meta.description or ''}"
    return len(_VIETNAMESE_LETTERS.findall(sample)) >= 3


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
    published/updated dates after it are dropped (default: the clock). ValueError for an
    unknown ``extractor``; ParseError, naming the URL and the reason, when the page is
    unusable: empty, not HTML, truncated, not an article (``parsers.checks``), decoded with
    the wrong character set, or without any title; or when the URL is not http(s).
    """
    # Bytes declared UTF-8 go to the HTML parser as they are (no decoding in Python); when
    # that yields replacement characters, the page is decoded properly and parsed again.
    # There is no NFC pass over the whole document either: every piece of text kept goes
    # through ``clean_text``, which normalises it.
    document: str | bytes = html
    if isinstance(html, bytes) and not _declares_utf8(html, header_charset):
        document = _decoded(html, header_charset)
    if not document.strip():
        raise ParseError(f"{url}: empty document")
    if not _looks_like_html(document):
        raise ParseError(f"{url}: not an HTML page (no <html>, <head>, <body> or <p> markup)")
    reason = checks.truncated(document)
    if reason:
        raise ParseError(f"{url}: {reason}")
    if url.strip():
        try:
            url = normalize_url(url)
        except ValueError as error:
            raise ParseError(f"{url!r}: {error}") from None
    else:
        url = _declared_url(document)
    warning = ""
    verified = checks.verified_outlet(url, frozenset(OUTLET_PARSERS))
    if verified is not None and not is_article_url(verified, url):
        meta = read_page_meta(LexborHTMLParser(document))
        reason = checks.not_an_outlet_article(url, verified, meta.has_article_ld)
        if reason and extractor == AUTO:
            raise ParseError(f"{url}: {reason}")
        if reason:  # an extractor forced by the user extracts what is there
            warning = f"may not be an article: {reason.removeprefix('not an article page: ')}"
    article = _extract(document, url, extractor, now)
    if isinstance(html, bytes) and document is html and checks.garbled(article):
        # Not UTF-8 after all (or partly): decode with detection, keep the cleaner reading.
        again = _extract(_decoded(html, header_charset), url, extractor, now)
        article = min(article, again, key=checks.garbled)
    reason = checks.wrong_encoding(article)
    if reason:
        raise ParseError(f"{url}: {reason}")
    if warning:
        article = replace(article, extraction_notes=(warning, *article.extraction_notes))
    return article


def _declares_utf8(body: bytes, header_charset: str | None) -> bool:
    """Whether the page is to be read as UTF-8 first: the HTTP header, or else the document,
    says UTF-8 or nothing at all, and there is no byte order mark."""
    if body.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return False
    if header_charset and ("/" in header_charset or "=" in header_charset):
        header_charset = charset_from_content_type(header_charset)
    declared = canonical_charset(header_charset) or sniff_declared(body)
    return declared in ("utf-8", None)  # undeclared: UTF-8 first, as most pages are


def _decoded(body: bytes, header_charset: str | None) -> str | bytes:
    text, charset = decode_html(body, header_charset, nfc=False)
    utf8 = charset == "utf-8" and not body.startswith(codecs.BOM_UTF8)
    return body if utf8 else text  # lexbor reads valid UTF-8 bytes without a re-encoding


def _extract(text: str | bytes, url: str, extractor: str, now: datetime | None) -> Article:
    """Run the chain (module docstring) over one decoded page."""
    page = LexborHTMLParser(text)
    outlet = outlet_for_url(url)
    known_outlet = outlet is not None
    # The page's prose, profiled on a copy before any step prunes the tree; for an outlet's
    # own parser it is needed only when the parser's body is not evidently whole.
    own_parser = extractor == AUTO and outlet is not None and outlet.parser in OUTLET_PARSERS
    # The page's prose (``parsers.quality``) is profiled on the first step's tree once that
    # step is done with it (the generic extractor leaves it pruned); an outlet parser's
    # evidently whole body needs no profile at all.
    profile: PageProfile | None = None
    # Automatic extraction refuses a page without article signs (markup, date, article URL):
    # a listing or a section front. An extractor forced by name reads it, with a warning.
    strict = extractor == AUTO
    vietnamese = known_outlet or _is_vietnamese(page)
    notes: list[str] = []
    kept: list[tuple[float, int, Article]] = []  # (score, -position, article) of the losers
    chain = _chain(url, extractor, strict=strict, vietnamese=vietnamese)
    pristine: Any = page
    for position, (name, step) in enumerate(chain):
        # Every step prunes the tree it is given: the first gets the parsed page itself (the
        # common, fast path), each later one a fresh parse.
        tree, pristine = (pristine if pristine is not None else LexborHTMLParser(text)), None
        try:
            article = step(tree, text, url, now)
        except NotAnArticleError:
            break  # a listing or section front: no extractor will make an article of it
        except ExtractionError as failure:
            notes.append(f"{name}: {_reason(failure, url)}")
            logger.debug("%s step failed on %s: %s", name, url, failure)
            profile = profile or profile_page(tree, pruned=name == GENERIC)
            continue
        except Exception as crash:
            if name == GENERIC:
                raise
            # An outlet parser broken by a redesign must not stop the pipeline: fall back.
            logger.warning("%s parser crashed on %s; falling back", name, url, exc_info=True)
            notes.append(f"{name}: crashed ({type(crash).__name__})")
            continue
        if profile is None:
            if position == 0 and own_parser and evidently_whole(article):
                return article
            profile = profile_page(tree, pruned=name == GENERIC)
        judgement = judge(article, profile, strict=name in OUTLET_PARSERS)
        if judgement.passed:
            doubt = [f"{name}: {judgement.doubt}"] if judgement.doubt else []
            return replace(article, extraction_notes=(*article.extraction_notes, *notes, *doubt))
        notes.append(f"{name}: {judgement.reason}")
        if judgement.usable:
            kept.append((judgement.score, -position, article))
    if kept:
        best = max(kept, key=lambda entry: (entry[0], entry[1]))[2]
        if best.paragraphs:
            return replace(best, extraction_notes=(*best.extraction_notes, *notes))
    article, warnings = _title_and_lead(LexborHTMLParser(text), url, now, strict=strict)
    return replace(article, extraction_notes=(*warnings, *notes))


def fell_back(article: Article) -> bool:
    """Whether an earlier step of the chain lost to the one that read ``article`` (its notes
    name another step); a doubt about the winner itself or a warning is not a fallback."""
    own = f"{article.extraction_method}:"
    return any(
        not note.startswith((own, "may not be")) for note in article.extraction_notes
    )


def _reason(failure: ExtractionError, url: str) -> str:
    message = str(failure)
    return message.removeprefix(f"{url}: ") if url else message
