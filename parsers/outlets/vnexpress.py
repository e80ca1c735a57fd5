"""VnExpress article pages, layout as served in March 2026 (``pages/vnexpress_article.html``).

JSON-LD NewsArticle gives headline, lead, dates (dateModified is the real edit time; the
``lastmod`` meta repeats the publication time) and tags via ``article:tag``; the JSON-LD
BreadcrumbList gives the most specific section ("Phân tích"). Selectors fill the rest: the
body ``article.fck_detail`` whose last right-aligned paragraph is the byline
("Hà Thu (tổng hợp)"), captions in ``figure > figcaption > p.Image``.
"""

from __future__ import annotations

from parsers.outlets.base import SelectorParser

METHOD = "vnexpress"
PARSER_VERSION = "vnexpress@2026-03"

PARSER = SelectorParser(
    method=METHOD,
    version=PARSER_VERSION,
    title="h1.title-detail",
    body="article.fck_detail",
    sapo="p.description",
    date="span.date",
    authors="article.fck_detail p.author_mail, article.fck_detail p.author",
    breadcrumb="ul.breadcrumb li a",
    drop='[data-component-type="tin_xemthem"], .box_embed_video, .box-tinlienquanv2',
)
parse = PARSER.parse
