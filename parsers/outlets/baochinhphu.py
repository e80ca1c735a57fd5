"""Báo Chính phủ article pages, layout as served in March 2026 (``pages/baochinhphu_article.html``).

JSON-LD NewsArticle gives headline, lead and dates (its HTML entities are decoded); its author
is an empty Person, so authors come from ``.detail-author-top``/``.detail-author`` when filled
or from the byline at the end of the body. The lead starts with the outlet's own dateline
"(Chinhphu.vn) - ", which is stripped. The body ``div.detail-content.afcbc-body`` carries
"Tham khảo thêm" RelatedNewsBox widgets and empty photo captions, both dropped.
og:type is "website" on these pages although they are articles.
"""

from __future__ import annotations

from parsers.outlets.base import detail_cms_parser

METHOD = "baochinhphu"
PARSER_VERSION = "baochinhphu@2026-03"

PARSER = detail_cms_parser(
    METHOD,
    PARSER_VERSION,
    authors=".detail-author-top, .detail-author",
    breadcrumb=".detail-breadcrumb a",
)
parse = PARSER.parse
