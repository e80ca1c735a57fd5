"""Dân trí article pages, layout as served in March 2026 (``pages/dantri_article.html``).

The March-2026 redesign uses utility classes only (``dt-flex``...), so the selectors are the
``data-slot`` attributes the layout keeps: ``h1[data-slot=title]``, ``h2[data-slot=sapo]``,
``[data-slot=content]``. JSON-LD NewsArticle gives headline, dates (with seconds), the author
as a Person and keywords; the visible ``time[datetime]`` repeats the minute. The lead starts
with the outlet's own dateline "(Dân trí) - ", which is stripped. Inside the body: an empty
gold-price widget and an ``aside`` (dropped by pruning).
"""

from __future__ import annotations

from parsers.outlets.base import SelectorParser

METHOD = "dantri"
PARSER_VERSION = "dantri@2026-03"

PARSER = SelectorParser(
    method=METHOD,
    version=PARSER_VERSION,
    title='h1[data-slot="title"]',
    body='[data-slot="content"]',
    sapo='h2[data-slot="sapo"], [data-slot="sapo"]',
    date='article[data-slot="container"] time[datetime]',
    authors='article[data-slot="container"] a[href*="/tac-gia/"]',
    drop=".dantri-widget",
)
parse = PARSER.parse
