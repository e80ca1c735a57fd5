"""Article pages → Article: the recorded outlet pages, the generic extractor, the fallback chain.

The recorded pages live in ../shared/corpus/pages (third-party material, not copied here);
those tests skip when it is absent. Expected JSON for the outlet parsers is in tests/expected/,
checked by hand against the pages.
"""

from __future__ import annotations

import json
import unicodedata
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bench.extraction import Fixture, default_page_dirs, expected_article, find_page
from parsers.article import parse_article
from parsers.dates import parse_date
from parsers.errors import ParseError
from parsers.registry import outlet_by_key, outlet_for_url
from tests.conftest import CORPUS_DIR, require_shared
from tests.site import to_cp1258

PAGES = CORPUS_DIR / "pages"
EXPECTED = Path(__file__).resolve().parent / "expected"
FETCHED_AT = datetime(2026, 3, 8, tzinfo=UTC)  # the pages were recorded in March 2026

BOILERPLATE = (
    "Tin khác",
    "Tin liên quan",
    "Có thể bạn quan tâm",
    "Back To Top",
    "Xem thêm",
    "Đọc thêm",
    "Tham khảo thêm",
    "Lượt xem",
    "In bài viết",
    "Bình luận",
    "Chia sẻ",
)


def page(name: str) -> bytes:
    return require_shared(PAGES / f"{name}.html").read_bytes()


def truth(name: str) -> dict[str, Any]:
    data = json.loads(require_shared(PAGES / "ground_truth_partial.json").read_text("utf-8"))
    entry: dict[str, Any] = data[f"{name}.html"][0]
    return entry


def assert_clean_body(article: Any) -> None:
    captions = {image.caption for image in article.images if image.caption}
    for paragraph in article.paragraphs:
        assert paragraph == paragraph.strip() and "  " not in paragraph
        assert unicodedata.is_normalized("NFC", paragraph)
        assert paragraph not in captions, f"caption in body: {paragraph!r}"
        assert not any(paragraph.startswith(b) for b in BOILERPLATE), paragraph
    assert article.title not in article.paragraphs
    if article.sapo:
        assert article.sapo not in article.paragraphs


# --- outlet parsers against hand-checked expected JSON -------------------------------------
#
# One test over every page with an expected JSON in tests/expected/: the recorded pages in
# ../shared/corpus/pages and those an operator recorded with `diplowatch record-fixture`
# (bench.extraction finds them). Each JSON was checked by hand against its page.

EXPECTED_NAMES = sorted(path.stem for path in EXPECTED.glob("*.json"))


@pytest.mark.corpus
@pytest.mark.parametrize("name", EXPECTED_NAMES)
def test_outlet_page_gives_the_hand_checked_article_json(name: str) -> None:
    page = find_page(name, default_page_dirs())
    if page is None:
        pytest.skip(f"page {name} not present (third-party material, kept outside the repo)")
    fixture = Fixture(name, page, expected_article(EXPECTED / f"{name}.json"))
    article = parse_article(fixture.html(), fixture.url, now=fixture.now)
    assert article.to_json() == fixture.expected
    # The outlet's own parser read it, not the generic fallback.
    assert article.extraction_method == outlet_by_key(article.outlet).parser
    assert article.extraction_method != "generic"


@pytest.mark.parametrize("name", EXPECTED_NAMES)
def test_every_expected_json_was_reviewed(name: str) -> None:
    data = json.loads((EXPECTED / f"{name}.json").read_text("utf-8"))
    assert "_review" not in data, f"{name}.json: {data['_review']}"


CORPUS_ARTICLES = [
    "baochinhphu_article", "baodautu_article", "cafef_article", "cafef_article_batdongsan",
    "dantri_article", "nld_article", "tuoitre_article", "vietnamnet_article",
    "vnexpress_article",
]


def test_every_recorded_article_page_has_an_expected_json() -> None:
    assert set(CORPUS_ARTICLES) <= set(EXPECTED_NAMES)


@pytest.mark.corpus
@pytest.mark.parametrize("name", CORPUS_ARTICLES)
def test_outlet_pages_agree_with_ground_truth_and_are_clean(name: str) -> None:
    known = truth(name)
    article = parse_article(page(name), known["url"], now=FETCHED_AT)
    outlet = outlet_for_url(known["url"])
    assert outlet is not None and known.get("source", outlet.key) == outlet.key
    assert article.extraction_method == outlet.parser == outlet.key
    expected_time = parse_date(known["published_at"])
    assert article.published_at is not None and expected_time is not None
    assert article.published_at.replace(second=0) == expected_time.replace(second=0)
    assert article.published_at.utcoffset() == expected_time.utcoffset()
    assert article.section == known["category"]
    if "title" in known:
        assert article.title == known["title"]
    lead_and_body = f"{article.sapo}\n{article.text}"  # some snippets are in the lead
    assert all(snippet in lead_and_body for snippet in known["content_contains"])
    assert_clean_body(article)


@pytest.mark.corpus
@pytest.mark.parametrize("name", CORPUS_ARTICLES)
def test_generic_extractor_finds_the_same_body_as_the_outlet_parser(name: str) -> None:
    url = truth(name)["url"]
    outlet = parse_article(page(name), url, now=FETCHED_AT)
    generic = parse_article(page(name), url, extractor="generic", now=FETCHED_AT)
    assert generic.extraction_method == "generic"
    assert generic.paragraphs == outlet.paragraphs
    assert (generic.title, generic.sapo, generic.published_at) == (
        outlet.title,
        outlet.sapo,
        outlet.published_at,
    )


def test_vnexpress_byline_is_an_author_not_a_paragraph() -> None:
    article = parse_article(page("vnexpress_article"), truth("vnexpress_article")["url"])
    assert article.authors == ("Hà Thu",)
    assert not any("Hà Thu" in p for p in article.paragraphs)


def test_baochinhphu_lead_loses_its_own_dateline_and_related_box() -> None:
    article = parse_article(page("baochinhphu_article"), truth("baochinhphu_article")["url"])
    assert article.sapo is not None and article.sapo.startswith("Tháng 3/2026")
    assert article.credited_source is None  # "(Chinhphu.vn) - " is the outlet's own dateline
    assert not any("Chính sách mới có hiệu lực từ tháng 2/2026" in p for p in article.paragraphs)


# --- the generic extractor on the other recorded pages -------------------------------------

# Hand-checked against each page: paragraph count, date, section, authors, credited source.
GENERIC_PAGES: dict[str, dict[str, Any]] = {
    "tuoitre_article": dict(
        paragraphs=26,
        published="2026-03-07T08:01:53+07:00",
        section="Kinh doanh",
        authors=("Nhật Xuân", "Nghi Vũ"),
        images=2,
    ),
    "dantri_article": dict(
        paragraphs=12,
        published="2026-03-07T08:07:18+07:00",
        section="Tài chính",
        authors=("Tri Túc",),
        images=0,
    ),
    "vietnamnet_article": dict(
        paragraphs=8,
        published="2026-03-07T08:52:11+07:00",
        section="Tài chính",
        authors=("Duy Anh",),
        images=1,
    ),
    "nld_article": dict(
        paragraphs=19,
        published="2026-03-07T08:06:00+07:00",
        section="Kinh tế",
        authors=("Minh Chiến",),
        images=2,
    ),
    "cafef_article": dict(
        paragraphs=12,
        published="2026-03-07T00:01:00+07:00",
        section="Thị trường chứng khoán",
        authors=("Dương Ngọc",),
        images=2,
        credited="Theo Nhịp sống thị trường",
    ),
    "cafef_article_batdongsan": dict(
        paragraphs=9,
        published="2026-03-07T09:40:00+07:00",
        section="Bất động sản",
        authors=("Hồ Hương",),
        images=1,
        credited="Theo Đại Đoàn kết",
    ),
    "baodautu_article": dict(
        paragraphs=12,
        published="2026-03-07T08:47:00+07:00",
        section=None,
        authors=("Nguyên Minh",),
        images=1,
    ),
}


@pytest.mark.corpus
@pytest.mark.parametrize("name", sorted(GENERIC_PAGES))
def test_generic_extractor_on_recorded_pages(name: str) -> None:
    known, want = truth(name), GENERIC_PAGES[name]
    article = parse_article(page(name), known["url"], extractor="generic", now=FETCHED_AT)
    assert article.extraction_method == "generic"
    if "title" in known:
        assert article.title == known["title"]
    lead_and_body = f"{article.sapo}\n{article.text}"  # some snippets are in the lead
    assert all(snippet in lead_and_body for snippet in known["content_contains"])
    assert len(article.paragraphs) == want["paragraphs"]
    assert article.published_at is not None
    assert article.published_at.isoformat() == want["published"]
    assert article.section == want["section"]
    assert article.authors == want["authors"]
    assert len(article.images) == want["images"]
    assert article.credited_source == want.get("credited")
    assert article.canonical_url == known["url"]
    assert_clean_body(article)


def test_generic_lead_drops_the_outlets_own_dateline() -> None:
    dantri = parse_article(page("dantri_article"), truth("dantri_article")["url"])
    nld = parse_article(page("nld_article"), truth("nld_article")["url"])
    assert dantri.sapo is not None and dantri.sapo.startswith("Giá vàng trong nước")
    assert nld.sapo is not None and nld.sapo.startswith("Không ít hộ kinh doanh")
    assert dantri.credited_source is None and nld.credited_source is None


# --- a constructed page (written for this test, not recorded from any outlet) ---------------

CONSTRUCTED = """<!doctype html><html lang="vi"><head>
<title>Thủ tướng tiếp Đại sứ Hoa Kỳ - Báo Tỉnh Mẫu</title>
<meta property="og:description" content="(TTXVN) - Chiều 29/9, Thủ tướng tiếp Đại sứ Hoa Kỳ.">
</head><body>
<header><nav><a href="/">Trang chủ</a> <a href="/thoi-su">Thời sự</a></nav></header>
<div class="breadcrumb"><a href="/">Trang chủ</a> › <a href="/doi-ngoai">Đối ngoại</a></div>
<h1>Thủ tướng tiếp Đại sứ Hoa Kỳ</h1>
<div class="post-date">07:53 - Thứ Năm, 01/02/2024</div><span>Lượt xem: 6021</span>
<div class="content">
 <p>Chiều 29/9, tại Trụ sở Chính phủ, Thủ tướng đã tiếp Đại sứ Hoa Kỳ tại Việt Nam, hai bên
  trao đổi về quan hệ Đối tác chiến lược toàn diện, hợp tác kinh tế, thương mại, đầu tư.</p>
 <figure><img data-src="/img/tiep.jpg" src="data:image/gif;base64,R0lGOD">
  <figcaption>Thủ tướng tiếp Đại sứ. Ảnh: TTXVN</figcaption></figure>
 <p>Thủ tướng đề nghị hai bên tiếp tục thúc đẩy hợp tác trong các lĩnh vực khoa học, công nghệ,
  giáo dục, khắc phục hậu quả chiến tranh, vì lợi ích của nhân dân hai nước.</p>
 <div class="box-tinlienquan"><p>Tin liên quan</p>
  <ul><li><a href="/a-1.html">Bài cũ</a></li></ul></div>
 <p>Đại sứ khẳng định Hoa Kỳ coi trọng quan hệ với Việt Nam, mong muốn tăng cường hợp tác,
  trao đổi đoàn các cấp, thúc đẩy thương mại cân bằng, bền vững.</p>
 <div class="social-share"><a href="#">Facebook</a> <a href="#">Zalo</a></div>
 <p>Theo TTXVN</p>
 <p>Back To Top</p>
</div>
<div class="tin-khac"><h3>Tin khác</h3><p>Một bài khác rất dài, rất dài, rất dài, để đánh lừa
 bộ chấm điểm đoạn văn, với nhiều dấu phẩy, nhiều chữ, nhiều câu.</p></div>
<footer><p>Báo Tỉnh Mẫu, cơ quan của Đảng bộ tỉnh, giấy phép số 1, địa chỉ số 1.</p></footer>
</body></html>"""


def test_generic_extractor_on_a_constructed_provincial_page() -> None:
    article = parse_article(
        CONSTRUCTED, "https://baotinhmau.vn/thu-tuong-tiep-dai-su-123456.html", now=FETCHED_AT
    )
    assert article.extraction_method == "generic"
    assert article.outlet == ""  # not a registry outlet: served by URL alone
    assert article.title == "Thủ tướng tiếp Đại sứ Hoa Kỳ"
    assert article.sapo == "Chiều 29/9, Thủ tướng tiếp Đại sứ Hoa Kỳ."
    assert [p[:20] for p in article.paragraphs] == [
        "Chiều 29/9, tại Trụ ",
        "Thủ tướng đề nghị ha",
        "Đại sứ khẳng định Ho",
    ]
    assert article.credited_source == "Theo TTXVN"
    assert article.published_at is not None
    assert article.published_at.isoformat() == "2024-02-01T07:53:00+07:00"
    assert article.section == "Đối ngoại"
    assert [(i.url, i.caption) for i in article.images] == [
        ("https://baotinhmau.vn/img/tiep.jpg", "Thủ tướng tiếp Đại sứ. Ảnh: TTXVN")
    ]


def test_a_lead_dateline_naming_another_outlet_is_the_credited_source() -> None:
    html = CONSTRUCTED.replace("(TTXVN) - ", "(Chinhphu.vn) - ").replace("<p>Theo TTXVN</p>", "")
    article = parse_article(html, "https://baotinhmau.vn/a-123456.html", now=FETCHED_AT)
    assert article.credited_source == "(Chinhphu.vn)"
    assert article.sapo == "Chiều 29/9, Thủ tướng tiếp Đại sứ Hoa Kỳ."


def test_text_is_nfc_and_whitespace_is_collapsed() -> None:
    spaced = CONSTRUCTED.replace("Chiều 29/9, tại", "Chiều\t 29/9,\n tại")
    decomposed = unicodedata.normalize("NFD", spaced)
    assert decomposed != spaced
    article = parse_article(decomposed, "https://baotinhmau.vn/a-123456.html", now=FETCHED_AT)
    assert article.title == "Thủ tướng tiếp Đại sứ Hoa Kỳ"
    assert article.paragraphs[0].startswith("Chiều 29/9, tại Trụ sở Chính phủ")
    assert all(unicodedata.is_normalized("NFC", p) for p in article.paragraphs)


def test_bytes_are_decoded_with_the_declared_charset_into_nfc() -> None:
    html = CONSTRUCTED.replace("<head>", '<head><meta charset="windows-1258">')
    article = parse_article(to_cp1258(html), "https://baotinhmau.vn/a-123456.html")
    assert article.title == "Thủ tướng tiếp Đại sứ Hoa Kỳ"
    assert article.paragraphs[0].startswith("Chiều 29/9, tại Trụ sở Chính phủ")


def test_dates_after_the_fetch_time_are_dropped() -> None:
    html = CONSTRUCTED.replace("01/02/2024", "01/02/2031")
    article = parse_article(html, "https://baotinhmau.vn/a-123456.html", now=FETCHED_AT)
    assert article.published_at is None


# --- the fallback chain and errors ---------------------------------------------------------


def test_page_without_body_text_falls_back_to_title_and_lead() -> None:
    html = (
        '<html><head><meta property="og:title" content="Tiêu đề">'
        '<meta property="og:description" content="Tóm tắt bài."></head><body></body></html>'
    )
    article = parse_article(html, "https://vnexpress.net/tieu-de-1234567.html")
    assert article.extraction_method == "title-and-lead"
    assert (article.title, article.sapo, article.paragraphs) == ("Tiêu đề", "Tóm tắt bài.", ())
    assert article.outlet == "vnexpress"


def test_outlet_parser_on_a_foreign_layout_falls_back_to_generic() -> None:
    article = parse_article(CONSTRUCTED, "https://vnexpress.net/a-1234567.html", now=FETCHED_AT)
    assert article.extraction_method == "generic"
    article = parse_article(
        CONSTRUCTED, "https://baotinhmau.vn/a-1.html", extractor="baochinhphu", now=FETCHED_AT
    )
    assert article.extraction_method == "generic"


def test_unknown_extractor_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown extractor 'nope'"):
        parse_article(CONSTRUCTED, "https://baotinhmau.vn/a-1.html", extractor="nope")


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"", "empty document"),
        ("   \n", "empty document"),
        (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3 binary", "not an HTML page"),
        ('{"headline": "JSON, not HTML"}', "not an HTML page"),
        ("<html><head></head><body><p>text without any title</p></body></html>", "no title"),
    ],
)
def test_parse_error_names_the_url_and_the_reason(body: str | bytes, reason: str) -> None:
    with pytest.raises(ParseError, match=rf"https://example\.vn/x: {reason}"):
        parse_article(body, "https://example.vn/x")


def test_without_a_url_the_pages_canonical_link_stands_in() -> None:
    html = CONSTRUCTED.replace(
        "<head>", '<head><link rel="canonical" href="https://vnexpress.net/a-1234567.html">'
    )
    article = parse_article(html, "", now=FETCHED_AT)
    assert (article.url, article.outlet) == ("https://vnexpress.net/a-1234567.html", "vnexpress")
    bare = parse_article(CONSTRUCTED, "", now=FETCHED_AT)
    assert (bare.url, bare.outlet, bare.canonical_url) == ("", "", None)


def test_an_invalid_url_is_a_parse_error() -> None:
    with pytest.raises(ParseError, match="not an absolute http"):
        parse_article(CONSTRUCTED, "mailto:toasoan@example.vn")


def test_generic_extractor_reads_bare_text_paragraphs_separated_by_br() -> None:
    # constructed: an old-style CMS page without <p> elements
    text = "Đoạn {n}: hai bên trao đổi về hợp tác kinh tế, thương mại, đầu tư, giáo dục và y tế."
    body = "<br><br>".join(text.format(n=n) for n in range(1, 5))
    html = (
        f"<html><head><title>Tin đối ngoại</title></head><body><div id='menu'><a>Trang chủ</a>"
        f"</div><span class='date'>01/02/2024 07:53</span>"
        f"<div class='noidung'>{body}</div></body></html>"
    )
    article = parse_article(html, "https://baotinh.vn/tin-1234567.html", extractor="generic")
    assert article.extraction_method == "generic"
    assert [p[:6] for p in article.paragraphs] == ["Đoạn 1", "Đoạn 2", "Đoạn 3", "Đoạn 4"]


def test_a_page_without_article_markup_date_or_article_url_is_not_an_article() -> None:
    # constructed: a section front has long text too, but nothing says it is an article
    html = CONSTRUCTED.replace("07:53 - Thứ Năm, 01/02/2024", "Thứ Năm")
    with pytest.raises(ParseError, match=r"https://baotinhmau\.vn/thoi-su: not an article page"):
        parse_article(html, "https://baotinhmau.vn/thoi-su", now=FETCHED_AT)
    # The same page at an article URL is an article whose body could be read.
    article = parse_article(html, "https://baotinhmau.vn/thoi-su/tiep-dai-su-123456.html")
    assert article.extraction_method == "generic" and len(article.paragraphs) == 3
