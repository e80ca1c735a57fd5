"""Người Lao Động article pages, layout as served in March 2026 (``pages/nld_article.html``).

The CMS family of Tuổi Trẻ and Báo Chính phủ (``detail-*`` classes, ``afcbc-body``). JSON-LD
NewsArticle gives headline, lead, section and dates; the byline is
``.detail-author [data-role=author]``; the visible ``time[data-role=publishdate]`` carries an
ISO ``datetime``. The lead starts with the outlet's own dateline "(NLĐO)- ", which is stripped.
The body carries a "RelatedNewsBox" of three other stories (dropped) and a boxed summary of
the decree (kept: part of the article).
"""

from __future__ import annotations

from parsers.outlets.base import detail_cms_parser

METHOD = "nld"
PARSER_VERSION = "nld@2026-03"

PARSER = detail_cms_parser(
    METHOD,
    PARSER_VERSION,
    authors='.detail-author [data-role="author"], .detail-author .name',
    breadcrumb=".detail-cate a",
)
parse = PARSER.parse
