"""Báo Đầu tư article pages, layout as served in March 2026 (``pages/baodautu_article.html``).

No JSON-LD and no ``article:*`` dates: og:title and og:description give title and lead, and
the rest is visible markup. Title ``div.title-detail`` (no <h1>), lead ``.sapo_detail``,
byline ``.author-share-top a.author`` followed by ``.post-time`` (" - 07/03/2026 08:47",
Vietnam time), section in the upper-case link above the title, body
``#content_detail_news``. Photos sit in layout tables whose ``td.media-caption`` is the
caption. A "TIN LIÊN QUAN" box between lead and body is outside the body.
"""

from __future__ import annotations

from parsers.outlets.base import SelectorParser

METHOD = "baodautu"
PARSER_VERSION = "baodautu@2026-03"

PARSER = SelectorParser(
    method=METHOD,
    version=PARSER_VERSION,
    title="div.title-detail",
    body="#content_detail_news",
    sapo=".sapo_detail",
    date=".author-share-top .post-time",
    authors=".author-share-top a.author",
    breadcrumb="div.text-uppercase > a",
    drop="#boxcauhoi, .list_news_relation_top",
)
parse = PARSER.parse
