"""The extraction chain: a quality gate judges every step, a weak step falls back, and the
article says which step won and why the earlier ones lost.

Pages are constructed (tests/chain_pages.py): an article body in a site's furniture, in the
layouts that made the generic path collapse on real pages (a body split across containers,
paragraphs each in blocks of their own, div paragraphs, a sapo holding the first paragraph,
a byline glued to the agency, an ASP.NET form around the page, an old table layout).
"""

from __future__ import annotations

import json
import re
from html import escape
from pathlib import Path

import pytest
from selectolax.lexbor import LexborHTMLParser

from flows.cli import main
from parsers.article import LIBRARIES, TITLE_AND_LEAD, ParseError, parse_article
from parsers.quality import PageProfile, judge, profile_page
from parsers.registry import looks_like_article_url
from records import Article
from tests.chain_pages import LEAD, PARAGRAPHS, TITLE, URL, furnished, paragraphs_as

SAPO = f'<h2 class="sapo">{escape(LEAD)}</h2>'
COLLAPSE = r"generic: (?:no body|lead only)"  # the gate's words for a body that is not there


def body_of(article: Article) -> str:
    return " ".join(article.paragraphs)


def assert_whole_body(article: Article) -> None:
    assert article.sapo == LEAD
    assert list(article.paragraphs) == list(PARAGRAPHS)


def article_with(paragraphs: tuple[str, ...], sapo: str | None = LEAD) -> Article:
    return Article(outlet="", url=URL, canonical_url=None, title=TITLE, sapo=sapo,
                   paragraphs=paragraphs)


# --- the gate --------------------------------------------------------------------------------


def test_the_page_profile_counts_prose_not_menus_links_or_scripts() -> None:
    page = furnished(SAPO + '<div class="content">' + paragraphs_as("p") + "</div>")
    prose = profile_page(LexborHTMLParser(page)).prose_words
    body = sum(len(p.split()) for p in PARAGRAPHS) + len(LEAD.split())
    # The body, the lead and the side box's two leads and the footer; no menu, no script.
    assert body <= prose <= body + 80


def test_the_gate_passes_a_whole_body() -> None:
    verdict = judge(article_with(PARAGRAPHS), PageProfile(prose_words=300))
    assert verdict.passed, verdict.reason


def test_the_gate_fails_a_lead_without_a_body() -> None:
    verdict = judge(article_with(()), PageProfile(prose_words=300))
    assert not verdict.passed and "no body" in verdict.reason


def test_the_gate_fails_a_body_of_a_few_words_as_lead_only() -> None:
    verdict = judge(article_with(("Ảnh: TTXVN. Chia sẻ bài viết.",)), PageProfile(300))
    assert not verdict.passed and verdict.reason.startswith("lead only")


def test_the_gate_fails_a_body_that_covers_a_small_part_of_the_pages_prose() -> None:
    verdict = judge(article_with(PARAGRAPHS[:1]), PageProfile(prose_words=900))
    assert not verdict.passed and "covers" in verdict.reason


def test_the_gate_fails_a_body_made_of_short_lines() -> None:
    menu = tuple(f"Chuyên mục số {i}" for i in range(40))
    verdict = judge(article_with(menu, sapo=None), PageProfile(prose_words=150))
    assert not verdict.passed and "short lines" in verdict.reason


def test_a_short_article_on_a_short_page_passes() -> None:
    verdict = judge(article_with(PARAGRAPHS[:1], sapo=None), PageProfile(prose_words=70))
    assert verdict.passed, verdict.reason


# --- layouts the generic extractor reads whole -------------------------------------------


def test_a_plain_article_is_read_by_the_generic_extractor_without_notes() -> None:
    article = parse_article(furnished(SAPO + paragraphs_as("p")), URL)
    assert article.extraction_method == "generic" and article.extraction_notes == ()
    assert_whole_body(article)


def test_a_body_split_by_an_ad_across_two_containers_is_read_whole() -> None:
    page = furnished(
        SAPO + f'<div class="c1">{paragraphs_as("p", PARAGRAPHS[:2])}</div>'
        '<div class="adv-box"><a href="/qc">Quảng cáo</a></div>'
        f'<div class="c2">{paragraphs_as("p", PARAGRAPHS[2:])}</div>'
    )
    article = parse_article(page, URL)
    assert article.extraction_method == "generic"
    assert_whole_body(article)


def test_paragraphs_each_in_blocks_of_their_own_are_read_whole() -> None:
    blocks = "".join(
        f'<div class="block"><div class="inner"><p>{escape(t)}</p></div></div>'
        for t in PARAGRAPHS
    )
    article = parse_article(furnished(SAPO + f'<div class="content">{blocks}</div>'), URL)
    assert article.extraction_method == "generic"
    assert_whole_body(article)


def test_paragraphs_written_as_divs_with_spans_are_read() -> None:
    divs = "".join(f"<div><span>{escape(t)}</span></div>" for t in PARAGRAPHS)
    article = parse_article(furnished(SAPO + f'<div class="content">{divs}</div>'), URL)
    assert_whole_body(article)


@pytest.mark.parametrize("box", [
    '<div class="inner-box"><p>Bài liên quan</p><p><a href="/a-1.html">Thủ tướng tiếp Bộ '
    'trưởng Thương mại Hàn Quốc</a></p><p>Hai bên bàn về thương mại.</p></div>',
    '<p><strong>Tin liên quan:</strong></p><ul><li><a href="/a-1.html">Thủ tướng tiếp Bộ '
    'trưởng Thương mại Hàn Quốc</a></li></ul>',
])
def test_a_related_box_in_the_middle_of_the_body_does_not_cut_it(box: str) -> None:
    page = furnished(
        SAPO + f'<div class="content">{paragraphs_as("p", PARAGRAPHS[:2])}{box}'
        f'{paragraphs_as("p", PARAGRAPHS[2:])}</div>'
    )
    assert_whole_body(parse_article(page, URL))


def test_a_related_list_after_the_body_is_still_cut_off() -> None:
    tail = "".join(
        f'<p><a href="/tin-{i}.html">Tin số {i} về hợp tác kinh tế</a></p><p>Tóm tắt {i}.</p>'
        for i in range(6)
    )
    page = furnished(SAPO + f'<div class="content">{paragraphs_as("p")}<p>Tin khác</p>{tail}</div>')
    assert_whole_body(parse_article(page, URL))


def test_a_sapo_element_holding_the_first_paragraph_leaves_it_in_the_body() -> None:
    page = furnished(
        f'<div class="sapo"><h2>{escape(LEAD)}</h2><p>{escape(PARAGRAPHS[0])}</p></div>'
        f'<div class="content">{paragraphs_as("p", PARAGRAPHS[1:])}</div>'
    )
    assert_whole_body(parse_article(page, URL))


@pytest.mark.parametrize("byline", [
    '<div class="author">Tâm Hằng<span>TTXVN</span></div>',
    '<p class="author"><strong>Tâm Hằng</strong>(TTXVN)</p>',
    '<div class="author">Tâm HằngTTXVN</div>',
    '<span class="author">Tâm Hằng/TTXVN</span>',
])
def test_a_byline_glued_to_the_agency_gives_the_writer_and_credits_the_agency(
    byline: str,
) -> None:
    page = furnished(SAPO + f'<div class="content">{paragraphs_as("p")}</div>{byline}')
    article = parse_article(page, URL)
    assert article.authors == ("Tâm Hằng",)
    assert article.credited_source == "TTXVN"


def test_an_author_named_with_the_agency_in_structured_data_is_split_too() -> None:
    head = ('<script type="application/ld+json">{"@type": "NewsArticle", "author": '
            '{"@type": "Person", "name": "Tâm HằngTTXVN"}}</script>')
    article = parse_article(furnished(SAPO + paragraphs_as("p"), head=head), URL)
    assert article.authors == ("Tâm Hằng",) and article.credited_source == "TTXVN"


def test_a_page_wrapped_in_an_aspnet_form_is_read() -> None:
    page = furnished(f'<form id="aspnetForm" action="/">{SAPO}{paragraphs_as("p")}</form>')
    article = parse_article(page, URL)
    assert article.extraction_method == "generic"
    assert_whole_body(article)


# --- fallbacks --------------------------------------------------------------------------


OLD_TABLE_LAYOUT = furnished(
    SAPO + '<table><tr><td class="noidung"><table class="anh"><tr><td><img src="/a.jpg">'
    "</td></tr></table>"
    + "<br><br>".join(f'<font face="Arial">{escape(t)}</font>' for t in PARAGRAPHS)
    + "</td></tr></table>"
)


def test_when_our_extractors_collapse_a_library_reads_the_body_and_the_notes_say_why() -> None:
    article = parse_article(OLD_TABLE_LAYOUT, URL)
    assert article.extraction_method in LIBRARIES
    assert article.extraction_notes and article.extraction_notes[0].startswith("generic: ")
    assert all(paragraph in body_of(article) for paragraph in PARAGRAPHS)
    assert article.title == TITLE and article.published_at is not None


def test_a_forced_generic_extractor_has_no_fallback_and_says_it_collapsed() -> None:
    article = parse_article(OLD_TABLE_LAYOUT, URL, extractor="generic")
    assert article.extraction_method == TITLE_AND_LEAD
    assert any(re.match(COLLAPSE, note) for note in article.extraction_notes)


@pytest.mark.parametrize("library", LIBRARIES)
def test_each_library_can_be_forced_by_name(library: str) -> None:
    article = parse_article(furnished(SAPO + paragraphs_as("p")), URL, extractor=library)
    assert article.extraction_method == library
    assert all(paragraph in body_of(article) for paragraph in PARAGRAPHS)


def test_an_outlet_parser_whose_body_container_lost_most_of_the_text_falls_back() -> None:
    # A VnExpress page after a redesign: the old body container holds one paragraph, the
    # rest moved to a new container the parser does not know.
    page = furnished(
        f'<p class="description">{escape(LEAD)}</p>'
        f'<article class="fck_detail"><p class="Normal">{escape(PARAGRAPHS[0])}</p></article>'
        f'<div class="body-v2">{paragraphs_as("p", PARAGRAPHS[1:])}</div>',
        head='<meta name="its_publication" content="1784172300">',
    ).replace("<h1>", '<h1 class="title-detail">')
    url = "https://vnexpress.net/chu-tich-nuoc-tiep-dai-su-hoa-ky-4999999.html"
    article = parse_article(page, url)
    assert article.extraction_method != "vnexpress"
    assert article.extraction_notes[0].startswith("vnexpress: covers")
    assert all(paragraph in body_of(article) for paragraph in PARAGRAPHS)


def test_a_listing_page_is_still_refused_rather_than_read_by_a_library() -> None:
    listing = "".join(
        f'<div class="item"><a href="/tin-{i}.html">Tin số {i} về hợp tác quốc tế</a></div>'
        for i in range(40)
    )
    page = f"<html><head><title>Thế giới</title></head><body>{listing}</body></html>"
    with pytest.raises(ParseError, match="not an article"):
        parse_article(page, "https://baomoi-tinh.example.vn/the-gioi")


def test_a_forced_generic_extractor_reads_a_page_without_article_signs_with_a_warning() -> None:
    page = ("<html><head><title>Giới thiệu</title></head><body><div>"
            + paragraphs_as("p") + "</div></body></html>")
    article = parse_article(page, "https://baomoi-tinh.example.vn/gioi-thieu",
                            extractor="generic")
    assert article.extraction_method == "generic"
    assert list(article.paragraphs) == list(PARAGRAPHS)
    assert any(note.startswith("may not be an article") for note in article.extraction_notes)


# --- the command line ----------------------------------------------------------------------


def test_parse_says_on_stderr_when_a_page_needed_a_fallback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page = tmp_path / "page.html"
    page.write_text(OLD_TABLE_LAYOUT, encoding="utf-8")
    assert main(["parse", str(page), "--url", URL]) == 0
    captured = capsys.readouterr()
    record = json.loads(captured.out)
    assert record["extraction_method"] in LIBRARIES
    assert record["extraction_notes"] == list(parse_article(OLD_TABLE_LAYOUT, URL)
                                              .extraction_notes)
    assert re.search(f"warning: {COLLAPSE}", captured.err)
    assert f"read by the fallback {record['extraction_method']}" in captured.err


def test_parse_says_on_stderr_when_a_forced_extractor_collapsed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page = tmp_path / "page.html"
    page.write_text(OLD_TABLE_LAYOUT, encoding="utf-8")
    assert main(["parse", str(page), "--url", URL, "--extractor", "generic"]) == 0
    assert "collapsed to title and lead" in capsys.readouterr().err


def test_parse_is_silent_on_stderr_when_the_first_extractor_won(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page = tmp_path / "page.html"
    page.write_text(furnished(SAPO + paragraphs_as("p")), encoding="utf-8")
    assert main(["parse", str(page), "--url", URL]) == 0
    assert capsys.readouterr().err == ""


# --- pages of other hosts and languages ---------------------------------------------------


@pytest.mark.parametrize(("url", "article"), [
    ("https://news.example.org/world/leaders-meet-in-paris-to-talk-trade", True),
    ("https://news.example.org/2019/05/12/summit", True),
    ("https://news.example.org/news/world-us-canada-48212345", True),
    ("https://news.example.org/world", False),
    ("https://news.example.org/news/world-asia/", False),
    ("https://baotinh.example.vn/thoi-su", False),
])
def test_article_urls_of_unknown_hosts_are_told_from_sections(url: str, article: bool) -> None:
    assert looks_like_article_url(url) is article


ENGLISH = (
    "The two foreign ministers met in Hanoi on Tuesday to discuss trade, maritime security "
    "and the preparations for a state visit planned later this year, officials said.",
    "Both sides agreed to expand cooperation in education, health care and clean energy, "
    "and to hold regular consultations between their ministries at the deputy level.",
    "The ministers also exchanged views on regional issues, including the situation in the "
    "South China Sea, and reaffirmed the importance of freedom of navigation and overflight.",
)


def test_a_page_in_another_language_is_read_by_trafilatura_first() -> None:
    page = (
        "<html lang='en'><head><title>Ministers meet in Hanoi</title>"
        "<meta property='article:published_time' content='2026-07-16T03:25:00Z'></head><body>"
        "<nav>" + "".join(f"<a href='/s{i}'>Section {i}</a>" for i in range(20)) + "</nav>"
        "<article><h1>Ministers meet in Hanoi</h1>" + paragraphs_as("p", ENGLISH)
        + "</article><footer>All rights reserved.</footer></body></html>"
    )
    article = parse_article(page, "https://news.example.org/world/ministers-meet-in-hanoi")
    assert article.extraction_method == "trafilatura" and article.extraction_notes == ()
    assert list(article.paragraphs) == list(ENGLISH)
