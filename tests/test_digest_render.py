"""digest.render and digest.model: what a reader sees in the morning email, and in what order.

Stories here are constructed (our titles and leads, example outlets and URLs).
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser

import pytest

from digest.labels import TOPIC_LABELS, clean_text, format_vietnam_time, partner_name, safe_link
from digest.model import (
    Coverage,
    DigestStory,
    StoryDigest,
    make_lead,
    person_rank,
    rank_stories,
    sections,
)
from digest.render import EVENT_LABELS, RenderedDigest, render_digest
from records import EVENT_KINDS, Person

WINDOW_START = datetime(2026, 11, 23, 0, 0, tzinfo=UTC)  # 07:00 in Hanoi
WINDOW_END = datetime(2026, 11, 24, 0, 0, tzinfo=UTC)
HOSTILE_TITLE = (
    '<script>alert(1)</script>"><a href="javascript:alert(2)">x</a>'
    "\u202egnp.exe\u2066\u0000\u0007 'quoted' [md](javascript:x) *bold* #h"
)
OUTLETS = {"vnexpress": "VnExpress", "tuoitre": "Tuổi Trẻ", "baochinhphu": "Báo Chính phủ"}


def cover(outlet: str, url: str, hour: float, credited: str | None = None) -> Coverage:
    return Coverage(
        outlet=outlet,
        outlet_name=OUTLETS.get(outlet, outlet),
        url=url,
        title="",
        published_at=WINDOW_START + timedelta(hours=hour),
        credited_source=credited,
    )


def make_story(
    title: str = "Thủ tướng tiếp Đại sứ Hoa Kỳ",
    *,
    url: str = "https://vnexpress.net/thu-tuong-tiep-dai-su-hoa-ky-4800001.html",
    lead: str = "Thủ tướng đề nghị Hoa Kỳ sớm công nhận quy chế kinh tế thị trường.",
    outlet_name: str = "VnExpress",
    hours: tuple[float, float] = (23.5, 23.5),
    score: float = 0.9,
    partners: tuple[str, ...] = ("US",),
    event: str | None = "reception",
    people: tuple[Person, ...] = (Person("Phạm Minh Chính", "Thủ tướng"),),
    topics: tuple[str, ...] = ("economy-trade-investment",),
    coverage: tuple[Coverage, ...] | None = None,
    story_id: int | None = 1,
) -> DigestStory:
    first, last = (WINDOW_START + timedelta(hours=h) for h in hours)
    return DigestStory(
        title=title,
        lead=lead,
        url=url,
        outlet_name=outlet_name,
        first_seen_at=first,
        last_seen_at=last,
        partners=partners,
        event=event,
        people=people,
        topics=topics,
        score=score,
        coverage=coverage if coverage is not None else (cover("vnexpress", url, hours[0]),),
        story_id=story_id,
    )


def make_digest(
    *stories: DigestStory, profile: str = "vn-us", partners: tuple[str, ...] = ("US",)
) -> StoryDigest:
    return StoryDigest(
        profile=profile,
        day="2026-11-24",
        window_start=WINDOW_START,
        window_end=WINDOW_END,
        stories=tuple(stories),
        partners=partners,
    )


def three_stories() -> tuple[DigestStory, ...]:
    """A reception carried by three outlets, a call, a minister's visit to Japan."""
    return (
        make_story(
            coverage=(
                cover("vnexpress", "https://vnexpress.net/thu-tuong-tiep-4800001.html", 23.5),
                cover("tuoitre", "https://tuoitre.vn/thu-tuong-tiep-20261124.htm", 23.7),
                cover("baolaocai", "https://baolaocai.vn/thu-tuong-tiep.html", 24.5, "TTXVN"),
            ),
            hours=(23.5, 24.5),
            story_id=1,
        ),
        make_story(
            "Việt Nam và Hoa Kỳ điện đàm về thương mại",
            url="https://tuoitre.vn/dien-dam-20261123.htm",
            outlet_name="Tuổi Trẻ",
            score=0.7,
            event="call",
            hours=(3, 3),
            people=(Person("Bùi Thanh Sơn", "Bộ trưởng Ngoại giao"),),
            coverage=(cover("tuoitre", "https://tuoitre.vn/dien-dam-20261123.htm", 3),),
            story_id=2,
        ),
        make_story(
            "Bộ trưởng Ngoại giao thăm Nhật Bản",
            url="https://tuoitre.vn/tham-nhat-ban-20261123.htm",
            outlet_name="Tuổi Trẻ",
            score=0.8,
            partners=("JP", "US"),
            event="visit",
            people=(Person("Bùi Thanh Sơn", "Bộ trưởng Ngoại giao"),),
            topics=("education", "labour-migration"),
            coverage=(cover("tuoitre", "https://tuoitre.vn/tham-nhat-ban-20261123.htm", 10),),
            story_id=3,
        ),
    )


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self.tags: list[str] = []
        self.unstyled: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        names = dict(attrs)
        self.hrefs.extend(value or "" for name, value in attrs if name == "href")
        if names.get("class") and not names.get("style"):
            self.unstyled.append(f"{tag}.{names['class']}")


def parse_html(html: str) -> _Page:
    parser = _Page()
    parser.feed(html)
    parser.close()
    return parser


def test_subject_and_header_count_stories_articles_and_outlets() -> None:
    rendered = render_digest(make_digest(*three_stories()))
    assert isinstance(rendered, RenderedDigest)
    assert rendered.subject == "diplowatch vn-us — 24/11/2026: 3 tin, 5 bài từ 3 báo"
    for body in (rendered.html, rendered.text, rendered.markdown):
        assert "3 tin, 5 bài từ 3 báo" in body
        assert "23/11/2026 07:00" in body  # window start in Asia/Ho_Chi_Minh
        assert "24/11/2026 07:00" in body
    assert render_digest(make_digest(make_story()), title="Bản tin").subject.startswith(
        "Bản tin vn-us — 24/11/2026: 1 tin, 1 bài từ 1 báo"
    )


def test_each_story_appears_once_with_the_outlets_that_carried_it() -> None:
    rendered = render_digest(make_digest(*three_stories()))
    text = rendered.text
    assert text.count("Thủ tướng tiếp Đại sứ Hoa Kỳ") == 1
    assert "Đưa tin (3 báo):" in text
    assert "baolaocai (theo TTXVN), 24/11/2026 07:30" in text
    page = parse_html(rendered.html)
    assert "https://baolaocai.vn/thu-tuong-tiep.html" in page.hrefs
    assert "https://tuoitre.vn/thu-tuong-tiep-20261124.htm" in page.hrefs
    # The headline links to the representative; each outlet links to its own article.
    assert page.hrefs[:4] == [
        "https://vnexpress.net/thu-tuong-tiep-dai-su-hoa-ky-4800001.html",
        "https://vnexpress.net/thu-tuong-tiep-4800001.html",
        "https://tuoitre.vn/thu-tuong-tiep-20261124.htm",
        "https://baolaocai.vn/thu-tuong-tiep.html",
    ]


def test_times_are_shown_in_vietnam_time() -> None:
    rendered = render_digest(make_digest(make_story(hours=(23.5, 26))))  # 23:30Z to 02:00Z
    assert "24/11/2026 06:30 → 09:00" in rendered.text
    assert "24/11/2026 06:30" in rendered.html
    assert "23/11/2026 23:30" not in rendered.html
    assert format_vietnam_time(datetime(2026, 11, 24, 7, 30, tzinfo=UTC)) == "24/11/2026 14:30"
    across = render_digest(make_digest(make_story(hours=(16, 18))))  # 23:00 to 01:00 next day
    assert "23/11/2026 23:00 → 24/11/2026 01:00" in across.text


def test_naive_times_are_refused() -> None:
    naive = replace(make_story(), first_seen_at=datetime(2026, 11, 23, 8, 0))
    with pytest.raises(ValueError, match="timezone-aware"):
        render_digest(make_digest(naive))


@pytest.mark.parametrize(
    ("title", "rank"),
    [
        ("Tổng Bí thư", 1.0),
        ("Tổng Bí thư, Chủ tịch nước", 1.0),
        ("Thủ tướng Chính phủ", 1.0),
        ("Tổng thống Hoa Kỳ", 1.0),
        ("Phó Thủ tướng", 0.8),
        ("Phó Thủ tướng, Bộ trưởng Ngoại giao", 0.8),
        ("Bí thư Trung ương Đảng, Phó Thủ tướng Chính phủ", 0.8),
        ("Bộ trưởng Công Thương", 0.6),
        ("Thứ trưởng Ngoại giao", 0.45),
        ("Đại sứ Hoa Kỳ", 0.45),
        ("Giám đốc", 0.3),
        (None, 0.3),
    ],
)
def test_person_rank(title: str | None, rank: float) -> None:
    assert person_rank(title) == rank


def test_stories_are_ranked_by_people_partner_coverage_and_recency() -> None:
    leader = make_story("Tổng Bí thư tiếp", people=(Person("Tô Lâm", "Tổng Bí thư"),), story_id=1)
    envoy = make_story("Thứ trưởng tiếp", people=(Person("A", "Thứ trưởng"),), story_id=2)
    other = make_story("Thủ tướng tiếp Nhật", partners=("JP", "US"), story_id=3)
    wide = make_story(
        "Thứ trưởng tiếp, năm báo",
        people=(Person("B", "Thứ trưởng"),),
        coverage=tuple(cover(f"o{i}", f"https://o{i}.vn/a", 5) for i in range(5)),
        story_id=4,
    )
    late = make_story(
        "Thứ trưởng tiếp, muộn", people=(Person("C", "Thứ trưởng"),), hours=(20, 23.9), story_id=5
    )
    early = make_story(
        "Thứ trưởng tiếp, sớm", people=(Person("D", "Thứ trưởng"),), hours=(1, 1), story_id=6
    )
    ranked = [s.title for s in rank_stories(make_digest(early, late, wide, other, envoy, leader))]
    assert ranked.index("Tổng Bí thư tiếp") < ranked.index("Thứ trưởng tiếp")  # rank
    assert ranked.index("Tổng Bí thư tiếp") < ranked.index("Thủ tướng tiếp Nhật")  # partner
    assert ranked.index("Thứ trưởng tiếp, năm báo") < ranked.index("Thứ trưởng tiếp")  # outlets
    assert ranked.index("Thứ trưởng tiếp, muộn") < ranked.index("Thứ trưởng tiếp, sớm")  # recency


def test_sections_by_event_for_one_partner_and_by_partner_for_several() -> None:
    text = render_digest(make_digest(*three_stories())).text
    assert re.findall(r"^== (.+) \(\d+\) ==$", text, re.MULTILINE) == ["Tiếp", "Thăm", "Điện đàm"]
    several = make_digest(
        *three_stories(),
        make_story("Tin không rõ đối tác", url="https://a.vn/1", partners=(), story_id=7),
        make_story("Tin ASEAN", url="https://a.vn/2", partners=("ASEAN",), story_id=8),
        partners=(),
    )
    names = [s.key for s in sections(several)]
    assert names[-1] == ""  # the stories without partner come last
    assert set(names) == {"US", "JP", "ASEAN", ""}
    headings = re.findall(r"^== (.+) \(\d+\) ==$", render_digest(several).text, re.MULTILINE)
    assert headings[-1] == "Chưa xác định đối tác"
    assert "Nhật Bản" in headings and "Hoa Kỳ" in headings


def test_a_story_shows_lead_people_partners_and_fields_of_cooperation() -> None:
    rendered = render_digest(make_digest(*three_stories()))
    for body in (rendered.html, rendered.text):
        assert "quy chế kinh tế thị trường" in body
        assert "Phạm Minh Chính (Thủ tướng)" in body
        assert "Bùi Thanh Sơn (Bộ trưởng Ngoại giao)" in body
        assert "Nhật Bản, Hoa Kỳ" in body  # partners, by name
        assert "giáo dục - đào tạo, lao động" in body  # fields, in Vietnamese
        assert "kinh tế - thương mại - đầu tư" in body
    assert set(TOPIC_LABELS) >= {"economy-trade-investment", "semiconductors", "war-legacy"}


def test_the_lead_is_two_or_three_sentences_without_captions() -> None:
    title = "Tổng Bí thư tiếp Đại sứ Hoa Kỳ"
    paragraphs = [
        "Tổng Bí thư tiếp Đại sứ Hoa Kỳ.",  # the title again, under the photo
        "Tổng Bí thư Tô Lâm phát biểu tại buổi tiếp. Ảnh: TTXVN",
        "Hai bên trao đổi về hợp tác kinh tế, khoa học công nghệ và giáo dục. "
        "Đại sứ khẳng định Hoa Kỳ coi trọng quan hệ với Việt Nam. Câu thứ ba của đoạn văn này.",
    ]
    lead = make_lead(
        "Chiều 29/9, Tổng Bí thư Tô Lâm tiếp Đại sứ Marc Knapper.", paragraphs, title=title
    )
    assert lead == (
        "Chiều 29/9, Tổng Bí thư Tô Lâm tiếp Đại sứ Marc Knapper. Hai bên trao đổi về hợp tác "
        "kinh tế, khoa học công nghệ và giáo dục. Đại sứ khẳng định Hoa Kỳ coi trọng quan hệ "
        "với Việt Nam."
    )
    long_sentence = "Hai bên nhất trí thúc đẩy hợp tác " * 30
    shortened = make_lead("Câu mở đầu của bài báo rất ngắn.", [long_sentence + "."])
    assert shortened.startswith("Câu mở đầu của bài báo rất ngắn. Hai bên")
    assert shortened.endswith("…") and len(shortened) <= 421
    assert (
        make_lead(None, ["TP. Hồ Chí Minh tiếp đón đoàn đại biểu cấp cao của nước bạn hôm nay."])
        == "TP. Hồ Chí Minh tiếp đón đoàn đại biểu cấp cao của nước bạn hôm nay."
    )


def test_plain_text_stands_on_its_own() -> None:
    stories = three_stories()
    text = render_digest(make_digest(*stories)).text
    for story in stories:
        assert story.title in text
        for item in story.coverage:
            assert item.url in text
    assert "<" not in text and "&amp;" not in text
    assert max(len(line) for line in text.splitlines() if "https://" not in line) <= 80
    assert "Đưa tin" in text and "Nhân vật:" in text


@pytest.mark.parametrize("event", EVENT_KINDS)
def test_every_event_kind_has_a_vietnamese_label(event: str) -> None:
    rendered = render_digest(make_digest(make_story(event=event)))
    assert EVENT_LABELS[event] in rendered.html
    assert f"· {EVENT_LABELS[event]}" in rendered.text


def test_empty_digest_renders_a_short_message() -> None:
    rendered = render_digest(make_digest())
    assert rendered.subject == "diplowatch vn-us — 24/11/2026: Không có tin ngoại giao mới"
    for body in (rendered.html, rendered.text, rendered.markdown):
        assert "Không có tin ngoại giao mới" in body
    assert parse_html(rendered.html).hrefs == []
    assert len(rendered.text.splitlines()) < 10


def test_css_is_inlined_for_mail_clients_and_kept_for_dark_mode_and_phones() -> None:
    html = render_digest(make_digest(*three_stories())).html
    page = parse_html(html)
    assert page.unstyled == []  # every element with a class carries its style inline
    assert 'style="max-width: 640px;' in html
    assert "@media (prefers-color-scheme: dark)" in html
    assert "@media (max-width: 480px)" in html
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    assert '<meta name="color-scheme" content="light dark">' in html
    assert 'lang="vi"' in html
    assert "<table" in html and 'role="presentation"' in html


def test_hostile_text_is_escaped_and_cannot_make_links() -> None:
    hostile = make_story(
        HOSTILE_TITLE,
        url='https://ok.example/a"><script>x</script>',
        outlet_name="<b>Báo</b>\u202e",
        lead="<img src=x onerror=alert(1)> \u2067lead\u2069 [x](javascript:y)",
        people=(Person('"><i>Tên</i>', "<u>chức</u>"),),
        topics=("<svg onload=alert(1)>",),
        partners=("<US>",),
        coverage=(
            Coverage("o", "<b>Báo</b>", "javascript:alert(document.cookie)", "", None, "<i>x"),
            Coverage("o2", "ok", "https://ok.example/b", "", None),
        ),
    )
    rendered = render_digest(make_digest(hostile, profile="vn-us\u202e<x>"))
    page = parse_html(rendered.html)
    assert "script" not in page.tags
    assert {"img", "svg", "i", "u", "b"}.isdisjoint(page.tags)
    # Only the two https URLs became links (the odd one stays inside its quoted attribute).
    assert page.hrefs == ['https://ok.example/a"><script>x</script>', "https://ok.example/b"]
    assert not re.search(r"<a\s[^>]*href=[\"']?javascript", rendered.html, re.IGNORECASE)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in rendered.html
    assert "javascript:alert(document.cookie)" in rendered.text  # shown as text only
    bidi = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
    for part in (rendered.subject, rendered.html, rendered.text, rendered.markdown):
        assert not any(char in part for char in bidi)
        assert "\x00" not in part and "\x07" not in part
    assert "\n" not in rendered.subject
    # Markdown: the hostile strings are inert text (every markup character escaped).
    markdown = rendered.markdown
    assert "<script>" not in markdown and "](javascript" not in markdown
    assert "\\<script\\>" in markdown
    destinations = re.findall(r"\]\(([^)]*)\)", markdown)
    assert destinations[-1] == "https://ok.example/b"
    assert destinations[0] == "https://ok.example/a%22%3E%3Cscript%3Ex%3C/script%3E"
    assert len(destinations) == 2  # the headline and the one outlet with a safe link


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  Việt\tNam\r\nHoa Kỳ ", "Việt Nam Hoa Kỳ"),
        ("a\u202eb\u2066c\u200fd\x00e\x1bf", "abcdef"),
        ("line\u2028break", "line break"),
        ("lone\ud800surrogate", "lonesurrogate"),
        ("non\ufffechar\ufdd0s", "nonchars"),
        (None, ""),
    ],
)
def test_clean_text(raw: str | None, expected: str) -> None:
    assert clean_text(raw) == expected


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://vnexpress.net/a.html", "https://vnexpress.net/a.html"),
        (" HTTP://Tuoitre.vn/b ", "HTTP://Tuoitre.vn/b"),
        ("javascript:alert(1)", None),
        ("JaVaScRiPt:alert(1)", None),
        ("java\tscript:alert(1)", None),
        ("data:text/html,<script>", None),
        ("//evil.example/x", None),
        ("/relative/path", None),
        ("https://", None),
        ("https://a.vn/x y", None),
        ("https://[::1", None),
        ("", None),
    ],
)
def test_safe_link(url: str, expected: str | None) -> None:
    assert safe_link(url) == expected


def test_partner_names_fall_back_to_code() -> None:
    assert partner_name("US") == "Hoa Kỳ"
    assert partner_name("cn") == "Trung Quốc"
    assert partner_name("XK") == "XK"
