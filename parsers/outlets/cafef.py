"""CafeF article pages, layout as served in March 2026 (``pages/cafef_article.html`` and
``pages/cafef_article_batdongsan.html``).

The ``detail-*``/``afcbc-body`` CMS family again, with no JSON-LD article: the title is
``h1.title[data-role=title]``, the lead ``h2.sapo``, the date the visible
``span.pdate[data-role=publishdate]`` ("07-03-2026 - 00:01 AM", Vietnam time), the section
``[data-role=cate-name]``. Writer and credited source sit under the body in
``.content_source``: ``p.author`` ("Dương Ngọc") and ``p.source`` ("Nhịp sống thị trường",
credited as "Theo ..."). The body opens with a "TIN MỚI" list of other stories
(``.tindnd``) and carries banner slots, all dropped; photos marked ``noCaption`` have none.
"""

from __future__ import annotations

from parsers.outlets.base import SelectorParser

METHOD = "cafef"
PARSER_VERSION = "cafef@2026-03"

PARSER = SelectorParser(
    method=METHOD,
    version=PARSER_VERSION,
    title='h1.title[data-role="title"], h1.title',
    body="div.detail-content.afcbc-body, div.detail-content",
    sapo='h2.sapo[data-role="sapo"], h2.sapo',
    date='.dateandcat [data-role="publishdate"], .pdate',
    authors=".content_source p.author",
    breadcrumb='.dateandcat [data-role="cate-name"]',
    drop=".tindnd, #listNewsInContent, .c-banner, .h-show-pc, .h-show-mobile",
    source='.content_source [data-field="source"], .link-source-text-name',
)
parse = PARSER.parse
