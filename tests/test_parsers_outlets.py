"""Every registry outlet has a test.

Outlets with recorded pages (../shared/corpus/pages) are held to their hand-checked expected
JSON in tests/test_parsers_articles.py; this module checks that none of them lacks one. For
the others the registry entry is all we have: its article URL pattern (against URL shapes
that OUTLETS.md documents for the outlet), its feeds and listing pages, and the generic
extractor on a page written for this test in the markup that public crawlers report for the
outlet. Those pages are constructed: each says so in a <meta name="diplowatch-fixture">, no
outlet served them, and no parser is tuned to them (the generic extractor reads them as it
reads any page).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from html import escape
from pathlib import Path

import pytest

from parsers.article import parse_article
from parsers.errors import ParseError
from parsers.outlets import OUTLET_PARSERS
from parsers.registry import OUTLETS, is_article_url, outlet_by_key, outlet_for_url
from parsers.urls import normalize_url
from records import Outlet

EXPECTED = Path(__file__).resolve().parent / "expected"
NOW = datetime(2026, 3, 8, tzinfo=UTC)


def test_the_registry_has_at_least_twenty_outlets_and_provincial_papers() -> None:
    assert len(OUTLETS) >= 20
    generic = {o.key for o in OUTLETS if o.parser == "generic"}
    assert {"baodienbienphu", "baolaocai"} <= generic


def test_every_outlet_parser_is_named_by_an_outlet_and_tested_on_a_page_it_served() -> None:
    pages = EXPECTED.glob("*.json")
    tested = {json.loads(p.read_text("utf-8"))["extraction_method"] for p in pages}
    named = {o.parser for o in OUTLETS if o.parser != "generic"}
    assert named == set(OUTLET_PARSERS)
    assert named <= tested, f"outlet parsers without an expected page: {named - tested}"


@pytest.mark.parametrize("outlet", OUTLETS, ids=lambda o: o.key)
def test_every_outlet_can_be_discovered_on_its_own_hosts(outlet: Outlet) -> None:
    assert outlet.feeds or outlet.sitemaps or outlet.listing_pages, "no way to discover it"
    for url in (*outlet.feeds, *outlet.sitemaps, *outlet.listing_pages):
        assert normalize_url(url) == url
        assert outlet_for_url(url) == outlet
        assert not is_article_url(outlet, url), f"{url} taken for an article"


# --- outlets without recorded pages ------------------------------------------------------------


@dataclass(frozen=True)
class Shape:
    """An article URL shape and the markup public crawlers report for one outlet."""

    article: str  # an article URL in the shape OUTLETS.md documents (slug written here)
    section: str  # one of its section or listing URLs
    title: str = "h1"  # element and class of the headline
    body: str = 'div class="content"'  # element and class of the body container
    lead: str = "p"  # a class only where OUTLETS.md documents the lead's markup
    dated: str = "ld"  # "ld" (JSON-LD NewsArticle), "time" (<time datetime>), "text" (dateline)


# The CMS family of Nhân Dân, VietnamPlus, Tiền Phong and provincial papers (OUTLETS.md).
CMS_TITLE = 'h1 class="article__title cms-title"'
CMS_BODY = 'div class="article__body zce-content-body cms-body"'

SHAPES: dict[str, Shape] = {
    "thanhnien": Shape(
        "https://thanhnien.vn/thu-tuong-tiep-dai-su-hoa-ky-185251022190804651.htm",
        "https://thanhnien.vn/chinh-tri.htm",
        'h1 class="detail-title"', 'div class="detail-content afcbc-body"',
        'h2 class="detail-sapo"', "time",
    ),
    "vietnamplus": Shape(
        "https://www.vietnamplus.vn/viet-nam-hoa-ky-trao-doi-post619310.vnp",
        "https://www.vietnamplus.vn/thegioi.vnp",
        CMS_TITLE, CMS_BODY,
        "p", "ld",
    ),
    "vnanet": Shape(
        "https://vnanet.vn/vi/xem-tin-chi-tiet/thu-tuong-tiep-dai-su-7123456.html",
        "https://vnanet.vn/vi/tin/thoi-su-the-gioi-3/",
        body='div class="post-content"', dated="text",
    ),
    "baotintuc": Shape(
        "https://baotintuc.vn/thoi-su/thu-tuong-tiep-dai-su-20260307123456789.htm",
        "https://baotintuc.vn/the-gioi.html",
        'h1 class="sc-longform-header-title block-sc-title"', 'div class="boxdetail"', "p", "ld",
    ),
    "nhandan": Shape(
        "https://nhandan.vn/thu-tuong-tiep-dai-su-hoa-ky-post912345.html",
        "https://nhandan.vn/thegioi",
        CMS_TITLE, CMS_BODY,
        "p", "time",
    ),
    "quandoinhandan": Shape(
        "https://www.qdnd.vn/chinh-tri/tin-tuc/thu-tuong-tiep-dai-su-1020977",
        "https://www.qdnd.vn/chinh-tri",
        'h1 class="post-title"', 'div class="article-detail"', 'div class="post-summary"', "text",
    ),
    "vov": Shape(
        "https://vov.vn/chinh-tri/thu-tuong-tiep-dai-su-post1311198.vov",
        "https://vov.vn/chinh-tri",
        'h1 class="article-title mb-0"', 'div class="detail detail--normal"',
        "p", "ld",
    ),
    "baoquocte": Shape(
        "https://baoquocte.vn/thu-tuong-tiep-dai-su-hoa-ky-312345.html",
        "https://baoquocte.vn/the-gioi",
        'h1 class="article-detail-title f0"', 'div class="article-detail fw lt mb clearfix"',
        "p", "time",
    ),
    "sggp": Shape(
        "https://www.sggp.org.vn/thu-tuong-tiep-dai-su-post812345.html",
        "https://www.sggp.org.vn/thegioi/",
        dated="ld",
    ),
    "hanoimoi": Shape(
        "https://hanoimoi.vn/thu-tuong-tiep-dai-su-hoa-ky-712345.html",
        "https://hanoimoi.vn/the-gioi",
        dated="text",
    ),
    "laodong": Shape(
        "https://laodong.vn/thoi-su/thu-tuong-tiep-dai-su-1412345.ldo",
        "https://laodong.vn/thoi-su",
        dated="ld",
    ),
    "tienphong": Shape(
        "https://tienphong.vn/thu-tuong-tiep-dai-su-hoa-ky-post1712345.tpo",
        "https://tienphong.vn/the-gioi/",
        CMS_TITLE, CMS_BODY,
        "p", "time",
    ),
    "znews": Shape(
        "https://znews.vn/thu-tuong-tiep-dai-su-hoa-ky-post1512345.html",
        "https://znews.vn/the-gioi.html",
        'h1 class="the-article-title"', 'div class="the-article-body"',
        "p", "ld",
    ),
    "baodienbienphu": Shape(
        "https://baodienbienphu.com.vn/thoi-su/thu-tuong-tiep-dai-su-245678.html",
        "https://baodienbienphu.com.vn/thoi-su",
        CMS_TITLE, CMS_BODY,
        "p", "text",
    ),
    "baolaocai": Shape(
        "https://baolaocai.vn/thu-tuong-tiep-dai-su-post412345.html",
        "https://baolaocai.vn/thoi-su",
        CMS_TITLE, CMS_BODY,
        "p", "time",
    ),
}

TITLE = "Thủ tướng tiếp Đại sứ Hoa Kỳ tại Việt Nam"
LEAD = "Chiều 6/3, tại Trụ sở Chính phủ, Thủ tướng tiếp Đại sứ Hoa Kỳ đến chào xã giao."
PARAGRAPHS = (
    "Thủ tướng đánh giá cao những bước phát triển trong quan hệ Đối tác chiến lược toàn diện "
    "Việt Nam - Hoa Kỳ, nhất là hợp tác kinh tế, thương mại, đầu tư và giáo dục.",
    "Hai bên trao đổi về hợp tác khoa học công nghệ, bán dẫn, năng lượng sạch và khắc phục "
    "hậu quả chiến tranh, vì lợi ích của nhân dân hai nước.",
    "Đại sứ khẳng định Hoa Kỳ coi trọng quan hệ với Việt Nam, mong muốn thúc đẩy các chuyến "
    "thăm cấp cao và trao đổi đoàn các cấp trong thời gian tới.",
)
PUBLISHED = "2026-03-06T16:30:00+07:00"


def tag(spec: str) -> tuple[str, str]:
    """('<h1 class="x">', '</h1>') from 'h1 class="x"'."""
    return f"<{spec}>", f"</{spec.split()[0]}>"


def constructed_page(key: str, shape: Shape) -> str:
    """A page in the outlet's reported markup; written here, never served by the outlet."""
    title_open, title_close = tag(shape.title)
    body_open, body_close = tag(shape.body)
    lead_open, lead_close = tag(shape.lead)
    ld = ""
    if shape.dated == "ld":
        ld = json.dumps({"@context": "https://schema.org", "@type": "NewsArticle",
                         "headline": TITLE, "datePublished": PUBLISHED}, ensure_ascii=False)
        ld = f'<script type="application/ld+json">{ld}</script>'
    dateline = {
        "ld": "",
        "time": f'<time datetime="{PUBLISHED}">16:30 06/03/2026</time>',
        "text": '<span class="post-time">Thứ sáu, 06/03/2026, 16:30 (GMT+7)</span>',
    }[shape.dated]
    paragraphs = "\n".join(f"<p>{escape(p)}</p>" for p in PARAGRAPHS)
    return f"""<!doctype html><html lang="vi"><head><meta charset="utf-8">
<meta name="diplowatch-fixture" content="constructed for tests/test_parsers_outlets.py in the
 markup public crawlers report for {key}; never served by {key}">
<title>{escape(TITLE)} | {key}</title>{ld}
<meta property="og:description" content="{escape(LEAD)}"></head><body>
<header><nav><a href="/">Trang chủ</a> <a href="{shape.section}">Chuyên mục</a></nav></header>
{title_open}{escape(TITLE)}{title_close}
{dateline}
{lead_open}{escape(LEAD)}{lead_close}
{body_open}
{paragraphs}
<div class="box-related"><h3>Tin liên quan</h3><ul><li><a href="/tin-khac-123456.html">Một
 tin khác, không liên quan, về một chủ đề khác hẳn</a></li></ul></div>
<div class="social-share"><a href="#">Facebook</a> <a href="#">Zalo</a></div>
{body_close}
<footer><p>Giấy phép số 1, cơ quan chủ quản, địa chỉ tòa soạn, điện thoại, thư điện tử.</p>
</footer></body></html>"""


def test_the_constructed_shapes_cover_every_outlet_without_a_recorded_page() -> None:
    without_parser = {o.key for o in OUTLETS if o.parser == "generic"}
    assert set(SHAPES) == without_parser


@pytest.mark.parametrize("key", sorted(SHAPES))
def test_article_url_pattern_takes_the_documented_shape_and_not_a_section(key: str) -> None:
    outlet, shape = outlet_by_key(key), SHAPES[key]
    assert is_article_url(outlet, shape.article)
    assert is_article_url(outlet, f"{shape.article}?utm_source=facebook#binh-luan")
    assert not is_article_url(outlet, shape.section)
    assert not is_article_url(outlet, f"https://{outlet.domains[0]}/")


@pytest.mark.parametrize("key", sorted(SHAPES))
def test_generic_extractor_reads_a_constructed_page_in_the_outlets_markup(key: str) -> None:
    shape = SHAPES[key]
    article = parse_article(constructed_page(key, shape), shape.article, now=NOW)
    assert (article.outlet, article.extraction_method) == (key, "generic")
    assert article.url == normalize_url(shape.article)
    assert article.title == TITLE
    assert article.sapo == LEAD
    assert article.paragraphs == PARAGRAPHS
    assert article.published_at is not None
    assert article.published_at.isoformat() == PUBLISHED


@pytest.mark.parametrize("key", sorted(SHAPES))
def test_a_section_page_of_the_outlet_is_not_an_article(key: str) -> None:
    shape = SHAPES[key]
    html = constructed_page(key, shape).replace(PUBLISHED, "").replace("06/03/2026", "")
    html = html.replace('"datePublished": ""', '"x": ""').replace("NewsArticle", "WebPage")
    with pytest.raises(ParseError, match="not an article page"):
        parse_article(html, shape.section, now=NOW)
