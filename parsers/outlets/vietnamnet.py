"""VietnamNet article pages, layout as served in March 2026 (``pages/vietnamnet_article.html``).

JSON-LD NewsArticle gives headline, lead, section and dates (``2026-03-07T08:52:11.000 +07:00``,
a space before the offset); the visible ``.publish-date`` reads "07/03/2026 08:52 (GMT+07:00)".
The byline is ``.article-detail-author__info .name``. Body: ``div.maincontent.main-content``
with figures whose ``figcaption`` is the caption.
"""

from __future__ import annotations

from parsers.outlets.base import SelectorParser

METHOD = "vietnamnet"
PARSER_VERSION = "vietnamnet@2026-03"

PARSER = SelectorParser(
    method=METHOD,
    version=PARSER_VERSION,
    title="h1.content-detail-title",
    body="div.maincontent.main-content, div.maincontent",
    sapo="h2.content-detail-sapo, .content-detail-sapo",
    date=".publish-date",
    authors=".article-detail-author__info .name",
    breadcrumb=".breadcrumb-box__content li a",
)
parse = PARSER.parse
