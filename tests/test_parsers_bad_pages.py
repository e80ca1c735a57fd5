"""Bad pages: each gives one clear error naming the page and the reason, and the run goes on.

Empty, not HTML, truncated in transfer, decoded with the wrong character set, or not an
article at all (a section front, a listing, a home page): ``parse_article`` raises
``ParseError`` with the URL and the reason; ``diplowatch parse`` reports the file and goes on
to the next one; the extraction benchmark scores the page as failed and goes on.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.extraction import Fixture, evaluate, expected_article
from flows.cli import main
from parsers.article import parse_article
from parsers.errors import ParseError
from tests.conftest import CORPUS_DIR, require_shared
from tests.site import to_cp1258

PAGES = CORPUS_DIR / "pages"
EXPECTED = Path(__file__).resolve().parent / "expected"
VNEXPRESS = "https://vnexpress.net/cach-cac-nuoc-doi-pho-cu-soc-nang-luong-tu-trung-dong-5047363.html"


def recorded(name: str) -> bytes:
    return require_shared(PAGES / f"{name}.html").read_bytes()


# --- empty and not HTML ------------------------------------------------------------------------


@pytest.mark.parametrize("body", [b"", b"  \r\n\t ", "", "\n"])
def test_an_empty_page_is_an_empty_document(body: str | bytes) -> None:
    with pytest.raises(ParseError, match=r"^https://baothu\.vn/a-123456\.html: empty document$"):
        parse_article(body, "https://baothu.vn/a-123456.html")


def test_a_json_answer_is_not_an_html_page() -> None:
    with pytest.raises(ParseError, match="not an HTML page"):
        parse_article(b'{"error": "rate limited"}', VNEXPRESS)


# --- truncated ---------------------------------------------------------------------------------


@pytest.mark.corpus
@pytest.mark.parametrize("kept", [0.3, 0.6, 0.95])
def test_a_page_cut_short_in_transfer_is_truncated(kept: float) -> None:
    page = recorded("vnexpress_article")
    cut = page[: int(len(page) * kept)]
    for document in (cut, cut.decode("utf-8", errors="ignore")):
        with pytest.raises(ParseError, match=r"5047363\.html: truncated document: it ends after"):
            parse_article(document, VNEXPRESS)


def test_a_fragment_without_html_or_body_tags_is_not_taken_for_truncated() -> None:
    fragment = "<h1>Tin vắn</h1><time datetime='2026-03-06T16:30:00+07:00'></time>" + (
        "<p>Thủ tướng tiếp Đại sứ Hoa Kỳ tại Trụ sở Chính phủ, hai bên trao đổi về hợp tác.</p>"
    )
    article = parse_article(fragment, "https://baothu.vn/tin-van-123456.html")
    assert article.title == "Tin vắn"


# --- wrong character set -----------------------------------------------------------------------


@pytest.mark.corpus
@pytest.mark.parametrize("decoder", ["latin-1", "cp1252"])
def test_utf8_read_as_a_western_charset_is_a_wrong_encoding(decoder: str) -> None:
    garbled = recorded("vnexpress_article").decode(decoder, errors="replace")
    assert "Æ°" in garbled  # "ư" as it comes out
    with pytest.raises(ParseError, match=r"5047363\.html: wrong character encoding"):
        parse_article(garbled, VNEXPRESS)


def test_undecodable_bytes_are_a_wrong_encoding() -> None:
    # constructed: a page whose every Vietnamese letter was lost on the way (U+FFFD)
    text = "Thủ tướng tiếp Đại sứ Hoa Kỳ, hai bên trao đổi về hợp tác kinh tế và thương mại."
    lost = "".join("\ufffd" if not ch.isascii() else ch for ch in text)
    page = f"<html><head><title>{lost}</title></head><body><h1>{lost}</h1>" + (
        f"<p>{lost}</p>" * 5 + "</body></html>"
    )
    with pytest.raises(ParseError, match=r"wrong character encoding: \d+ of \d+ characters"):
        parse_article(page, "https://baothu.vn/thoi-su/tiep-dai-su-123456.html")


@pytest.mark.corpus
def test_a_windows_1258_page_labelled_utf8_is_still_read_right() -> None:
    page = recorded("vnexpress_article")
    article = parse_article(page, VNEXPRESS, header_charset="text/html; charset=utf-8")
    relabelled = to_cp1258(page.decode("utf-8"))
    again = parse_article(relabelled, VNEXPRESS, header_charset="text/html; charset=utf-8")
    assert (again.title, again.paragraphs) == (article.title, article.paragraphs)


# --- not an article ----------------------------------------------------------------------------

LISTINGS = {
    "vnexpress_list": "https://vnexpress.net/kinh-doanh",
    "tuoitre_list": "https://tuoitre.vn/kinh-doanh.htm",
    "dantri_list": "https://dantri.com.vn/kinh-doanh.htm",
    "vietnamnet_list": "https://vietnamnet.vn/kinh-doanh",
    "nld_list": "https://nld.com.vn/kinh-te.htm",
    "baochinhphu_list": "https://baochinhphu.vn/chinh-sach-va-cuoc-song/chinh-sach-moi.htm",
    "cafef_list": "https://cafef.vn/thi-truong-chung-khoan.chn",
    "baodautu_list": "https://baodautu.vn/tai-chinh-chung-khoan-d6/",
    "dantri_home_2017": "https://dantri.com.vn/",
    "dantri_home_2019": "https://dantri.com.vn/",
}


@pytest.mark.corpus
@pytest.mark.parametrize("name", sorted(LISTINGS))
def test_a_recorded_listing_or_home_page_is_not_an_article(name: str) -> None:
    url = LISTINGS[name]
    # Several of them claim og:type "article"; the URL and the missing NewsArticle decide.
    with pytest.raises(ParseError, match=rf"^{url}: not an article page"):
        parse_article(recorded(name), url)


@pytest.mark.corpus
def test_a_listing_parsed_without_a_url_is_judged_by_its_canonical_link() -> None:
    with pytest.raises(ParseError, match=r"^https://cafef\.vn/thi-truong-chung-khoan\.chn: not"):
        parse_article(recorded("cafef_list"), "")


# --- the run goes on ---------------------------------------------------------------------------


@pytest.mark.corpus
def test_diplowatch_parse_reports_each_bad_page_and_goes_on(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = tmp_path / "tuoitre.html"
    good.write_bytes(recorded("tuoitre_article"))
    cut = tmp_path / "cut.html"
    cut.write_bytes(recorded("dantri_article")[:100_000])
    listing = tmp_path / "listing.html"
    listing.write_bytes(recorded("nld_list"))
    empty = tmp_path / "empty.html"
    empty.write_bytes(b"")
    other = tmp_path / "vietnamnet.html"
    other.write_bytes(recorded("vietnamnet_article"))

    status = main(["parse", str(good), str(cut), str(listing), str(empty), str(other)])
    out, err = capsys.readouterr()
    assert status == 1
    parsed = [json.loads(line) for line in out.splitlines()]
    assert [(p["path"], p["outlet"]) for p in parsed] == [
        (str(good), "tuoitre"), (str(other), "vietnamnet"),
    ]
    errors = err.splitlines()
    assert len(errors) == 3
    assert errors[0].startswith(f"diplowatch parse: {cut}: ") and "truncated document" in errors[0]
    assert errors[1].startswith(f"diplowatch parse: {listing}: ") and "not an article" in errors[1]
    assert errors[2].startswith(f"diplowatch parse: {empty}: ") and "empty document" in errors[2]


@pytest.mark.corpus
def test_the_extraction_benchmark_scores_a_bad_page_as_failed_and_goes_on(tmp_path: Path) -> None:
    cut = tmp_path / "baodautu_article.html"
    cut.write_bytes(recorded("baodautu_article")[:20_000])
    fixtures = [
        Fixture("baodautu_article", cut, expected_article(EXPECTED / "baodautu_article.json")),
        Fixture("nld_article", require_shared(PAGES / "nld_article.html"),
                expected_article(EXPECTED / "nld_article.json")),
    ]
    report = evaluate(fixtures, names=("outlet",))
    bad, good = report.pages
    assert bad.error is not None and "truncated document" in bad.error
    assert (bad.precision, bad.recall, bad.title) == (0.0, 0.0, False)
    assert good.error is None and (good.precision, good.recall, good.date) == (1.0, 1.0, True)
    assert report.summary("outlet").errors == 1
