"""Is this page usable at all? The checks behind ``parse_article``'s per-page errors.

Each function returns None when the page passes, else the reason (the caller raises
``ParseError`` with the URL in front). They look for the ways a page goes bad on the way to
us, so that a bad page is reported, retried later, and never stored half-read:

- ``truncated``: a full document (it opens ``<html>`` or ``<body>``) that never closes
  ``</body>`` or ``</html>``: the transfer stopped early, the body is cut short;
- ``wrong_encoding``: the extracted text is full of U+FFFD replacement characters, or reads
  like UTF-8 decoded as windows-1252 ("Thá»§ tÆ°á»›ng" for "Thủ tướng");
- ``not_an_article``: a section front, listing or home page of an outlet whose article URLs
  are known (a verified pattern) that declares no NewsArticle either; for other hosts, a page
  with no article markup, no date and no article-like URL.
"""

from __future__ import annotations

import re
from typing import AnyStr

from parsers.registry import is_article_url, looks_like_article_url, outlet_for_url
from records import Article, Outlet

_OPENS_DOCUMENT = re.compile(r"<(?:html|body)\b", re.IGNORECASE)
_CLOSES_DOCUMENT = re.compile(r"</(?:body|html)\s*>", re.IGNORECASE)
_OPENS_DOCUMENT_BYTES = re.compile(rb"<(?:html|body)\b", re.IGNORECASE)
_CLOSES_DOCUMENT_BYTES = re.compile(rb"</(?:body|html)\s*>", re.IGNORECASE)
_TAIL = 65_536
# UTF-8 Vietnamese read as windows-1252: "ư" -> "Æ°", "ế" -> "áº¿", "ủ" -> "á»§", "đ" -> "Ä‘",
# "â" -> "Ã¢". None of these pairs occurs in real Vietnamese (or English) text.
_MOJIBAKE = re.compile("á»|áº|Æ°|Ä‘|Ã¢|Ãª|Ã´|Ã¡|Ã©|Ã³|Ãº|Ã\u00a0")
_MOJIBAKE_LIMIT = 3
_REPLACEMENT_LIMIT = 3
_REPLACEMENT_SHARE = 0.005


def truncated(document: str | bytes) -> str | None:
    """Why a full HTML document looks cut short (no closing body/html tag), or None."""
    if isinstance(document, str):
        cut = _cut_short(document, _OPENS_DOCUMENT, _CLOSES_DOCUMENT)
        unit = "characters"
    else:
        cut = _cut_short(document, _OPENS_DOCUMENT_BYTES, _CLOSES_DOCUMENT_BYTES)
        unit = "bytes"
    if not cut:
        return None
    return f"truncated document: it ends after {len(document)} {unit} without </body> or </html>"


def _cut_short(document: AnyStr, opens: re.Pattern[AnyStr], closes: re.Pattern[AnyStr]) -> bool:
    tail = max(0, len(document) - _TAIL)
    if closes.search(document, tail) or (tail and closes.search(document)):
        return False
    # A fragment (no <html> or <body>) has no end to miss.
    return opens.search(document, 0, _TAIL) is not None


def _text(article: Article) -> str:
    return "\n".join((article.title, article.sapo or "", *article.paragraphs))


def garbled(article: Article) -> int:
    """How many replacement characters and mojibake sequences the article's text holds."""
    text = _text(article)
    return text.count("\ufffd") + len(_MOJIBAKE.findall(text))


def wrong_encoding(article: Article) -> str | None:
    """Why the article's text looks decoded with the wrong character set, or None."""
    text = _text(article)
    if not text:
        return None
    replaced = text.count("\ufffd")
    if replaced >= _REPLACEMENT_LIMIT and replaced > _REPLACEMENT_SHARE * len(text):
        return (
            f"wrong character encoding: {replaced} of {len(text)} characters could not be "
            "decoded (U+FFFD)"
        )
    garbled = _MOJIBAKE.findall(text)
    if len(garbled) >= _MOJIBAKE_LIMIT:
        sample = ", ".join(repr(s) for s in dict.fromkeys(garbled))
        return (
            "wrong character encoding: the text reads like UTF-8 decoded as windows-1252 "
            f"({len(garbled)} sequences such as {sample})"
        )
    return None


def verified_outlet(url: str, parsers: frozenset[str]) -> Outlet | None:
    """The URL's outlet when its article URL pattern was checked on pages it served (it has
    an outlet parser in ``parsers``), else None."""
    outlet = outlet_for_url(url) if url else None
    if outlet is None or not outlet.article_url_pattern or outlet.parser not in parsers:
        return None
    return outlet


def not_an_outlet_article(url: str, outlet: Outlet, declares_article: bool) -> str | None:
    """Why ``url`` of a verified ``outlet`` is not one of its articles, or None."""
    if declares_article or is_article_url(outlet, url):
        return None
    return (
        f"not an article page: the URL is not an article URL of {outlet.name} "
        "(a section, listing or home page?) and the page declares no NewsArticle"
    )


def not_an_article(url: str, *, declared: bool, dated: bool) -> str | None:
    """Why a page of any host is not an article: no article markup (``declared``), no
    publication date (``dated``) and no article-like URL; None when one of them is there."""
    if declared or dated or (url and looks_like_article_url(url)):
        return None
    return "not an article page: no article markup, no publication date, no article URL"
