"""digest.render: grouping, ordering, Vietnamese labels and times, escaping of hostile text."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser

import pytest

from digest.render import (
    EVENT_LABELS,
    RenderedDigest,
    clean_text,
    format_vietnam_time,
    partner_name,
    render_digest,
    safe_link,
)
from records import EVENT_KINDS, Digest, DigestEntry, Person, Verdict

WINDOW_START = datetime(2026, 11, 23, 0, 0, tzinfo=UTC)  # 07:00 in Hanoi
WINDOW_END = datetime(2026, 11, 24, 0, 0, tzinfo=UTC)
HOSTILE_TITLE = (
    '<script>alert(1)</script>"><a href="javascript:alert(2)">x</a>'
    "\u202egnp.exe\u2066\u0000\u0007 'quoted'"
)


def make_entry(
    title: str = "Thủ tướng tiếp Đại sứ Hoa Kỳ",
    *,
    url: str = "https://vnexpress.net/thu-tuong-tiep-dai-su-hoa-ky-4800001.html",
    outlet: str = "vnexpress",
    outlet_name: str = "VnExpress",
    sapo: str | None = "Thủ tướng đề nghị Hoa Kỳ sớm công nhận quy chế kinh tế thị trường.",
    published_at: datetime | None = datetime(2026, 11, 23, 23, 30, tzinfo=UTC),
    score: float = 0.9,
    partners: tuple[str, ...] = ("US",),
    event: str | None = "reception",
    people: tuple[Person, ...] = (Person("Phạm Minh Chính", "Thủ tướng"),),
    topics: tuple[str, ...] = ("thương mại",),
) -> DigestEntry:
    verdict = Verdict(
        is_diplomacy=True,
        score=score,
        partners=partners,
        event=event,  # type: ignore[arg-type]
        topics=topics,
        people=people,
    )
    return DigestEntry(
        outlet=outlet,
        outlet_name=outlet_name,
        url=url,
        title=title,
        sapo=sapo,
        published_at=published_at,
        verdict=verdict,
    )


def make_digest(*entries: DigestEntry, profile: str = "vn-us") -> Digest:
    return Digest(
        profile=profile,
        day="2026-11-24",
        window_start=WINDOW_START,
        window_end=WINDOW_END,
        entries=tuple(entries),
    )


def three_entries() -> tuple[DigestEntry, ...]:
    return (
        make_entry(),
        make_entry(
            "Việt Nam và Hoa Kỳ điện đàm về thương mại",
            url="https://tuoitre.vn/dien-dam-20261123.htm",
            outlet="tuoitre",
            outlet_name="Tuổi Trẻ",
            score=0.7,
            event="call",
            published_at=datetime(2026, 11, 23, 3, 0, tzinfo=UTC),
        ),
        make_entry(
            "Bộ trưởng Ngoại giao thăm Nhật Bản",
            url="https://tuoitre.vn/tham-nhat-ban-20261123.htm",
            outlet="tuoitre",
            outlet_name="Tuổi Trẻ",
            score=0.8,
            partners=("JP", "US"),
            event="visit",
            people=(Person("Bùi Thanh Sơn", "Bộ trưởng Ngoại giao"),),
            topics=("đầu tư", "lao động"),
        ),
    )


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.hrefs.extend(value or "" for name, value in attrs if name == "href")


def parse_html(html: str) -> _Links:
    parser = _Links()
    parser.feed(html)
    parser.close()
    return parser


def test_subject_and_header_count_articles_and_outlets() -> None:
    rendered = render_digest(make_digest(*three_entries()))
    assert isinstance(rendered, RenderedDigest)
    assert rendered.subject == "diplowatch vn-us — 24/11/2026: 3 bài ngoại giao"
    for body in (rendered.html, rendered.text):
        assert "3 bài ngoại giao" in body
        assert "từ 2 báo" in body
        assert "23/11/2026 07:00" in body  # window start in Asia/Ho_Chi_Minh
        assert "24/11/2026 07:00" in body
    assert render_digest(make_digest(make_entry()), title="Bản tin").subject.startswith(
        "Bản tin vn-us — 24/11/2026: 1 bài"
    )


def test_times_are_shown_in_vietnam_time() -> None:
    rendered = render_digest(make_digest(make_entry()))  # 2026-11-23T23:30Z
    assert "24/11/2026 06:30" in rendered.html
    assert "24/11/2026 06:30" in rendered.text
    assert "23/11/2026 23:30" not in rendered.html
    plus_seven = datetime(2026, 11, 24, 6, 30, tzinfo=UTC) + timedelta(hours=1)
    assert format_vietnam_time(plus_seven) == "24/11/2026 14:30"


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        render_digest(make_digest(make_entry(published_at=datetime(2026, 11, 23, 8, 0))))


def test_entries_grouped_by_first_partner_and_ordered_by_score_then_time() -> None:
    entries = (
        *three_entries(),
        make_entry("Tin không rõ đối tác", url="https://a.vn/1", partners=(), score=0.99),
        make_entry("Tin đối tác lạ", url="https://a.vn/2", partners=("ZZ",), score=0.1),
        make_entry(
            "Cùng điểm, mới hơn",
            url="https://a.vn/3",
            score=0.7,
            published_at=datetime(2026, 11, 23, 12, 0, tzinfo=UTC),
        ),
    )
    text = render_digest(make_digest(*entries)).text
    us, jp, zz, unknown = (
        text.index("== Hoa Kỳ (3) =="),
        text.index("== Nhật Bản (1) =="),
        text.index("== ZZ (1) =="),
        text.index("== Chưa xác định đối tác (1) =="),
    )
    assert us < jp < zz < unknown  # by best score; the group without partner comes last
    first, newer, older = (
        text.index("Thủ tướng tiếp Đại sứ Hoa Kỳ"),  # 0.9
        text.index("Cùng điểm, mới hơn"),  # 0.7, 12:00Z
        text.index("Việt Nam và Hoa Kỳ điện đàm"),  # 0.7, 03:00Z
    )
    assert us < first < newer < older < jp
    assert "Bộ trưởng Ngoại giao thăm Nhật Bản" in text[jp:zz]


def test_partner_names_fall_back_to_code() -> None:
    assert partner_name("US") == "Hoa Kỳ"
    assert partner_name("cn") == "Trung Quốc"
    assert partner_name("ASEAN") == "ASEAN"
    assert partner_name("XK") == "XK"


@pytest.mark.parametrize("event", EVENT_KINDS)
def test_every_event_kind_has_a_vietnamese_label(event: str) -> None:
    rendered = render_digest(make_digest(make_entry(event=event)))
    label = EVENT_LABELS[event]
    assert label in rendered.html
    assert f"· {label}" in rendered.text


def test_event_labels() -> None:
    assert EVENT_LABELS == {
        "reception": "Tiếp",
        "call": "Điện đàm",
        "visit": "Thăm",
        "talks": "Hội đàm",
        "conference": "Hội nghị",
        "agreement": "Ký kết",
        "statement": "Tuyên bố",
        "other": "Khác",
    }


def test_entry_shows_link_outlet_lead_people_and_topics() -> None:
    entries = three_entries()
    rendered = render_digest(make_digest(*entries))
    links = parse_html(rendered.html)
    assert links.hrefs == [entries[0].url, entries[1].url, entries[2].url]
    for body in (rendered.html, rendered.text):
        assert "VnExpress" in body
        assert "Tuổi Trẻ" in body
        assert "quy chế kinh tế thị trường" in body
        assert "Phạm Minh Chính (Thủ tướng)" in body
        assert "Bùi Thanh Sơn (Bộ trưởng Ngoại giao)" in body
        assert "đầu tư, lao động" in body
    assert 'lang="vi"' in rendered.html
    assert "max-width:640px" in rendered.html
    assert 'name="viewport"' in rendered.html


def test_plain_text_stands_on_its_own() -> None:
    long_lead = "Hai bên nhất trí thúc đẩy hợp tác " * 8
    entries = (*three_entries(), make_entry("Tin dài", url="https://a.vn/x", sapo=long_lead))
    text = render_digest(make_digest(*entries)).text
    for entry in entries:
        assert entry.title in text
        assert entry.url in text
    assert "<" not in text
    assert "&amp;" not in text
    assert max(len(line) for line in text.splitlines()) <= 80
    assert "Hai bên nhất trí" in text


def test_empty_digest_renders_a_short_message() -> None:
    rendered = render_digest(make_digest())
    assert rendered.subject == "diplowatch vn-us — 24/11/2026: Không có bài ngoại giao mới"
    for body in (rendered.html, rendered.text):
        assert "Không có bài ngoại giao mới" in body
        assert "23/11/2026 07:00" in body
    assert parse_html(rendered.html).hrefs == []
    assert len(rendered.text.splitlines()) < 10


def test_hostile_text_is_escaped_and_cannot_make_links() -> None:
    entry = make_entry(
        HOSTILE_TITLE,
        url='https://ok.example/a"><script>x</script>',
        outlet_name="<b>Báo</b>\u202e",
        sapo="<img src=x onerror=alert(1)> \u2067lead\u2069",
        people=(Person('"><i>Tên</i>', "<u>chức</u>"),),
        topics=("<svg onload=alert(1)>",),
        partners=("<US>",),
    )
    bad_url = make_entry("Liên kết xấu", url="javascript:alert(document.cookie)", partners=("US",))
    rendered = render_digest(make_digest(entry, bad_url, profile="vn-us\u202e<x>"))
    parsed = parse_html(rendered.html)
    assert "script" not in parsed.tags
    assert {"img", "svg", "i", "u", "b"}.isdisjoint(parsed.tags)
    assert parsed.tags.count("a") == 1  # only the https entry became a link
    assert all(href.startswith("https://") for href in parsed.hrefs)
    assert "javascript:" not in "".join(parsed.hrefs)
    assert 'href="javascript' not in rendered.html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&#34;&gt;" in rendered.html
    assert "javascript:alert(document.cookie)" in rendered.html  # shown as text
    bidi = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
    for part in (rendered.subject, rendered.html, rendered.text):
        assert not any(char in part for char in bidi)
        assert "\x00" not in part
        assert "\x07" not in part
    assert "\n" not in rendered.subject


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  Việt\tNam\r\nHoa Kỳ ", "Việt Nam Hoa Kỳ"),
        ("a\u202eb\u2066c\u200fd\x00e\x1bf", "abcdef"),
        ("line\u2028break", "line break"),
        ("lone\ud800surrogate", "lonesurrogate"),
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
