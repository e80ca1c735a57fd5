"""Tuổi Trẻ article pages, layout as served in March 2026 (``pages/tuoitre_article.html``).

JSON-LD NewsArticle gives headline, lead, section and dates; its time has no seconds
(08:01:00) while ``article:published_time`` has them (08:01:53), and the more precise one
naming the same minute wins (``assemble.best_date``). Its author is the outlet
("TUOI TRE ONLINE"), so the writers come from the visible author list (``.author-item-name``,
upper case on the page). The body ``div.detail-content.afcbc-body[itemprop=articleBody]``
carries boxed sub-stories (kept: they are part of the article), a "RelatedOneNews" teaser of
another story and a "Đọc tiếp" read-more button (both dropped). A second, empty
``detail-content`` further down the page belongs to a pop-up, hence the itemprop.
"""

from __future__ import annotations

from parsers.outlets.base import detail_cms_parser

METHOD = "tuoitre"
PARSER_VERSION = "tuoitre@2026-03"

PARSER = detail_cms_parser(
    METHOD,
    PARSER_VERSION,
    authors=".author-item-name a, .detail-author-bot a.name",
    breadcrumb=".detail-cate a",
    body='div.detail-content[itemprop="articleBody"], .detail-cmain div.detail-content',
    drop='[type="RelatedOneNews"], [type="RelatedNewsBox"], .readmore-body-box',
)
parse = PARSER.parse
