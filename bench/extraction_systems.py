"""The extraction systems the benchmark compares, each page → ``Extracted``.

- ``chain``: ``parse_article(html, url)`` as the monitor runs it (``extractor="auto"``): the
  outlet parser, then our generic extractor, trafilatura, resiliparse and title-and-lead,
  each result judged and the first good one kept. ``outlet`` is an old name for it.
- ``generic``: ``parse_article(..., extractor="generic")``, our generic extractor forced.
- ``trafilatura``: ``trafilatura.extract(html, url=..., output_format="json",
  with_metadata=True)``, asked for dates with their time (``date_extraction_params``
  ``outputformat="%Y-%m-%dT%H:%M:%S%z"``) so that it can get the minute right. In JSON output
  reader comments go to their own key: ``text`` is the article alone.
- ``resiliparse``: ``extract_plain_text(HTMLTree.parse_from_bytes(html, encoding),
  main_content=True, ...)``, the encoding from resiliparse's own ``detect_encoding(html,
  from_html_meta=True)`` (the page's meta charset, else uchardet). Options, set to what a
  fair user extracting an article body would set (``resiliparse_text``):
  ``alt_texts=False`` (image alt text is not article text; trafilatura leaves it out too);
  ``links=False``, ``form_fields=False``, ``noscript=False`` (the defaults: URLs, form values
  and noscript fallbacks are not text either); ``comments=False`` (reader comments are not
  the article; trafilatura keeps them apart); ``post_meta=False`` (bylines and dates are
  fields, not body); ``list_bullets=False`` (bullets are not words: no effect on the score).
  Measured on the nine recorded pages (body P / R / F1): the defaults give 0.903 / 0.987 /
  0.943; ``alt_texts=False`` 0.922 / 0.990 / 0.955 (the one option that matters); with
  ``comments=False`` too 0.925 / 0.990 / 0.957; ``links=True`` would give 0.924 and
  ``form_fields=True`` 0.931, and ``list_bullets``, ``noscript``, ``post_meta`` and
  ``preserve_formatting`` change nothing there. resiliparse gives no title, date, authors or
  credited source: the first three are scored as not found.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from parsers.article import parse_article
from parsers.dates import parse_iso
from parsers.errors import ParseError
from parsers.outlets import OUTLET_PARSERS
from parsers.registry import outlet_for_url

CHAIN, GENERIC, TRAFILATURA, RESILIPARSE = "chain", "generic", "trafilatura", "resiliparse"
SYSTEMS = (CHAIN, GENERIC, TRAFILATURA, RESILIPARSE)
ALIASES = {"outlet": CHAIN, "auto": CHAIN}  # older names still accepted
CREDITING = frozenset({CHAIN, GENERIC})  # the systems that report a credited source
TITLE_AND_LEAD = "title-and-lead"
_SPACES = re.compile(r"\s+")


def canonical(name: str) -> str:
    """The system's name in reports (``outlet`` → ``chain``); ValueError for an unknown one."""
    name = ALIASES.get(name, name)
    if name not in SYSTEMS:
        raise ValueError(f"unknown system {name!r}; choose among {', '.join(SYSTEMS)}")
    return name


def canonical_names(names: Sequence[str]) -> list[str]:
    """Known systems in ``SYSTEMS`` order, without repeats."""
    wanted = {canonical(name) for name in names}
    return [name for name in SYSTEMS if name in wanted]


def clean(text: str | None) -> str:
    return _SPACES.sub(" ", unicodedata.normalize("NFC", text or "")).strip()


@dataclass(frozen=True)
class Extracted:
    """What one system found on one page.

    ``method`` and ``notes`` are the chain's ``extraction_method`` and ``extraction_notes``;
    ``fallback`` says the winner was not the chain's first step.
    """

    title: str
    body: str
    published: datetime | None
    authors: tuple[str, ...]
    credited_source: str | None = None
    method: str | None = None
    notes: tuple[str, ...] = ()
    fallback: bool = False


System = Callable[[bytes, str, datetime | None], Extracted]


def first_step(url: str, extractor: str = "auto") -> str:
    """The name of the chain's first step for ``url``: the outlet parser, else generic."""
    if extractor == "auto":
        outlet = outlet_for_url(url)
        return outlet.parser if outlet and outlet.parser in OUTLET_PARSERS else GENERIC
    return extractor


def is_fallback(method: str, url: str, extractor: str = "auto") -> bool:
    """Whether the chain's winner (``method``) was not its first step for ``url`` (the
    article's URL: the page's declared one when parsed without a URL). Judged by the method,
    not by the notes: a note can also be a warning about a page that won at the first step."""
    return method != first_step(url, extractor)


def ours(extractor: str) -> System:
    def run(html: bytes, url: str, now: datetime | None) -> Extracted:
        article = parse_article(html, url, extractor=extractor, now=now)
        notes = article.extraction_notes
        method = article.extraction_method
        return Extracted(
            title=article.title,
            body="\n".join([article.sapo or "", *article.paragraphs]),
            published=article.published_at,
            authors=article.authors,
            credited_source=article.credited_source,
            method=method,
            notes=notes,
            fallback=is_fallback(method, article.url or url, extractor),
        )

    return run


TRAFILATURA_DATES = {"extensive_search": True, "original_date": True,
                     "outputformat": "%Y-%m-%dT%H:%M:%S%z"}


def trafilatura_json(html: bytes, url: str) -> dict[str, Any]:
    import trafilatura

    raw = trafilatura.extract(
        html, url=url, output_format="json", with_metadata=True,
        date_extraction_params=TRAFILATURA_DATES,
    )
    if raw is None:
        raise ParseError(f"{url}: trafilatura extracted nothing")
    data: dict[str, Any] = json.loads(raw)
    return data


def trafilatura_system(html: bytes, url: str, now: datetime | None = None) -> Extracted:
    data = trafilatura_json(html, url)
    date = parse_iso(data.get("date") or "") if re.search(r"T\d", data.get("date") or "") else None
    authors = [a for a in re.split(r"\s*;\s*", data.get("author") or "") if a]
    return Extracted(
        title=clean(data.get("title")), body=data.get("text") or "", published=date,
        authors=tuple(authors),
    )


def resiliparse_text(html: bytes) -> str:
    from resiliparse.extract.html2text import extract_plain_text
    from resiliparse.parse.encoding import detect_encoding
    from resiliparse.parse.html import HTMLTree

    tree = HTMLTree.parse_from_bytes(html, detect_encoding(html, from_html_meta=True) or "utf-8")
    text: str = extract_plain_text(
        tree, main_content=True, alt_texts=False, links=False, list_bullets=False,
        noscript=False, form_fields=False, comments=False, post_meta=False,
    )
    return text


def resiliparse_system(html: bytes, url: str, now: datetime | None = None) -> Extracted:
    text = resiliparse_text(html)
    if not text.strip():
        raise ParseError(f"{url}: resiliparse extracted nothing")
    return Extracted(title="", body=text, published=None, authors=())


def systems() -> dict[str, System]:
    return {CHAIN: ours("auto"), GENERIC: ours("generic"), TRAFILATURA: trafilatura_system,
            RESILIPARSE: resiliparse_system}
