"""Structured data (JSON-LD, OpenGraph, meta) and end-of-article bylines and credits.

All pages here are constructed for the tests.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from selectolax.lexbor import LexborHTMLParser

from parsers.content import Block
from parsers.credits import byline_names, split_trailer
from parsers.structured import read_page_meta


def page(*ld: Any, head: str = "") -> Any:
    scripts = "".join(
        f'<script type="application/ld+json">{json.dumps(d, ensure_ascii=False)}</script>'
        for d in ld
    )
    return LexborHTMLParser(f"<html><head>{head}{scripts}</head><body></body></html>")


def test_json_ld_article_inside_a_graph() -> None:
    graph = {
        "@context": "https://schema.org",
        "@graph": [
            {"@type": "WebPage", "name": "page"},
            {
                "@type": "ReportageNewsArticle",
                "headline": "Ch&#237;nh s&#225;ch",
                "datePublished": "2026-03-01T09:51:00+07:00",
                "articleSection": ["Thời sự", "Đối ngoại"],
                "author": [
                    {"@type": "Person", "name": "Minh Anh"},
                    {"@type": "Organization", "name": "TTXVN"},
                ],
                "keywords": "Việt Nam, Hoa Kỳ",
            },
        ],
    }
    meta = read_page_meta(page(graph))
    assert meta.has_article_ld
    assert meta.title == "Chính sách"  # entities left in JSON-LD strings are decoded
    assert meta.published == ["2026-03-01T09:51:00+07:00"]
    assert meta.section == "Đối ngoại"  # the most specific section
    assert meta.authors == ["Minh Anh"]  # organisations are not authors
    assert meta.tags == ("Việt Nam", "Hoa Kỳ")


def test_json_ld_list_broken_scripts_and_breadcrumbs() -> None:
    tree = LexborHTMLParser(
        '<script type="application/ld+json">{not json</script>'
        '<script type="application/ld+json">[{"@type": "BreadcrumbList", "itemListElement": [['
        '{"@type": "ListItem", "name": "Trang chủ", "item": "https://a.vn"},'
        '{"@type": "ListItem", "item": {"@id": "https://a.vn/tg", "name": "Thế giới"}}]]},'
        '{"@type": ["NewsArticle"], "headline": "Tiêu đề", "author": "Lan Hương"}]</script>'
    )
    meta = read_page_meta(tree)
    assert (meta.title, meta.section, meta.authors) == ("Tiêu đề", "Thế giới", ["Lan Hương"])


def test_opengraph_and_meta_fill_what_json_ld_lacks() -> None:
    head = (
        '<meta property="og:title" content="OG title"><meta property="og:type" content="article">'
        '<meta property="og:description" content="Lead">'
        '<meta property="article:published_time" content="2026-03-07T08:01:53+07:00">'
        '<meta property="article:tag" content="a,b"><meta property="article:tag" content="B, c">'
        '<meta property="article:author" content="https://facebook.com/outlet">'
        '<meta property="og:site_name" content="Báo A">'
        '<link rel="canonical" href="https://a.vn/x-1.html"><title>OG title - Báo A</title>'
    )
    meta = read_page_meta(page(head=head))
    assert not meta.has_article_ld
    assert (meta.title, meta.description, meta.og_type) == ("OG title", "Lead", "article")
    assert meta.published == ["2026-03-07T08:01:53+07:00"]
    assert meta.tags == ("a", "b", "c")  # deduplicated case-insensitively
    assert meta.authors == []  # a profile URL is not a name
    assert (meta.canonical, meta.html_title, meta.site_name) == (
        "https://a.vn/x-1.html",
        "OG title - Báo A",
        "Báo A",
    )


# --- bylines and credited sources -----------------------------------------------------------


def blocks(*lines: str, right: bool = False) -> list[Block]:
    body = [Block("Đoạn văn đầu tiên của bài, đủ dài để là thân bài thật sự.", "p")]
    return body + [Block(line, "p", right_aligned=right) for line in lines]


@pytest.mark.parametrize(
    ("lines", "right", "authors", "credit"),
    [
        (("Theo TTXVN",), False, [], "Theo TTXVN"),
        (("(Theo HNM)",), False, [], "Theo HNM"),
        (("(Chinhphu.vn)",), False, [], "(Chinhphu.vn)"),
        (("Nguồn: VOV",), False, [], "Nguồn: VOV"),
        (("Hà Thu (tổng hợp)",), True, ["Hà Thu"], None),
        (("Minh Anh (Theo Reuters)",), False, ["Minh Anh"], "Theo Reuters"),
        (("NHẬT XUÂN - NGHI VŨ",), False, ["Nhật Xuân", "Nghi Vũ"], None),
        (("Thu Hằng", "Theo Báo Tin tức"), False, ["Thu Hằng"], "Theo Báo Tin tức"),
        (("Lan Anh/TTXVN",), True, ["Lan Anh"], "TTXVN"),
    ],
)
def test_trailing_bylines_and_credits_leave_the_body(
    lines: tuple[str, ...], right: bool, authors: list[str], credit: str | None
) -> None:
    trailer = split_trailer(blocks(*lines, right=right))
    assert [b.text for b in trailer.blocks] == [blocks()[0].text]
    assert (trailer.authors, trailer.credited_source) == (authors, credit)


def test_a_credit_appended_to_the_last_sentence_is_split_off() -> None:
    trailer = split_trailer([Block("Hai bên nhất trí tăng cường hợp tác./. (TTXVN)", "p")])
    assert trailer.blocks[0].text == "Hai bên nhất trí tăng cường hợp tác./."
    assert trailer.credited_source == "(TTXVN)"


def test_sentences_and_subheadings_are_not_bylines() -> None:
    items = blocks("Hai nước nhất trí thúc đẩy hợp tác.", "Thúc đẩy hợp tác kinh tế, thương mại")
    trailer = split_trailer(items)
    assert len(trailer.blocks) == 3 and trailer.authors == [] and trailer.credited_source is None
    assert byline_names("Ông Nguyễn Văn A phát biểu") is None
    assert split_trailer([Block("Quan hệ Việt Nam - Hoa Kỳ (UN).", "p")]).credited_source is None
