"""Feeds → FeedEntry: the recorded VnExpress RSS snapshots and constructed RSS 1.0/Atom feeds."""

from __future__ import annotations

import unicodedata
from datetime import timedelta

import pytest

from parsers.errors import FeedError
from parsers.feeds import parse_feed
from tests.conftest import CORPUS_DIR, require_shared

FEEDS = CORPUS_DIR / "feeds"
VNEXPRESS_FEED = "https://vnexpress.net/rss/tin-moi-nhat.rss"
SNAPSHOTS = [f"vnexpress_tin-moi-nhat_2017_{n}.xml" for n in range(1, 6)]


@pytest.mark.corpus
@pytest.mark.parametrize(
    ("name", "count"),
    # 25 items each; snapshot 5 has one item with no title and no link ("No Description"),
    # which is skipped.
    [*((name, 25) for name in SNAPSHOTS[:4]), (SNAPSHOTS[4], 24)],
)
def test_recorded_vnexpress_feed_gives_clean_entries(name: str, count: int) -> None:
    entries = parse_feed(require_shared(FEEDS / name).read_bytes(), VNEXPRESS_FEED)
    assert len(entries) == count
    for entry in entries:
        assert entry.url.startswith("https://") and "vnexpress.net/" in entry.url
        assert entry.title and entry.title == entry.title.strip()
        assert unicodedata.is_normalized("NFC", entry.title)
        assert entry.published_at is not None
        assert entry.published_at.utcoffset() == timedelta(hours=7)
        assert entry.summary and "<" not in entry.summary


@pytest.mark.corpus
def test_recorded_feed_first_entry_in_detail() -> None:
    entries = parse_feed(require_shared(FEEDS / SNAPSHOTS[0]).read_bytes(), VNEXPRESS_FEED)
    first = entries[0]
    assert first.url == (
        "https://vnexpress.net/tin-tuc/thoi-su/"
        "uy-ban-tai-chinh-chi-65-ty-dong-mua-qua-tang-thanh-lap-tinh-la-qua-lang-phi-3572838.html"
    )
    assert first.title == (
        "Ủy ban Tài chính: Chi 65 tỷ đồng mua quà tặng thành lập tỉnh là quá lãng phí"
    )
    assert first.published_at is not None
    assert first.published_at.isoformat() == "2017-04-19T19:45:55+07:00"
    assert first.summary is not None and first.summary.startswith("Quốc hội đánh giá")


@pytest.mark.corpus
def test_a_str_feed_is_parsed_like_bytes_and_never_fetched_or_opened() -> None:
    text = require_shared(FEEDS / SNAPSHOTS[1]).read_text("utf-8")
    assert parse_feed(text, VNEXPRESS_FEED) == parse_feed(text.encode("utf-8"), VNEXPRESS_FEED)
    with pytest.raises(FeedError):
        parse_feed("https://vnexpress.net/rss/tin-moi-nhat.rss", VNEXPRESS_FEED)
    with pytest.raises(FeedError):
        parse_feed("/etc/hostname", VNEXPRESS_FEED)


ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Constructed</title>
<entry><title>Th&#x1EE7; t&#x1B0;&#x1EDB;ng &amp; &#x110;&#x1EA1;i s&#x1EE9;</title>
<link rel="alternate" href="/thu-tuong-1234567.html?utm_source=rss&amp;utm_medium=feed"/>
<id>tag:a,1</id><updated>2025-09-29T17:30:00</updated>
<summary type="html">&lt;p&gt;Chi&#x1EC1;u 29/9.&lt;/p&gt;</summary></entry>
</feed>"""

RSS1 = b"""<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
 xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel rdf:about="https://a.vn/rss"><title>c</title><link>https://a.vn</link></channel>
<item rdf:about="https://m.vnexpress.net/a-7654321.html"><title>RSS 1.0 item</title>
<link>https://m.vnexpress.net/a-7654321.html#comments</link><dc:date>2025-09-29T10:30:00Z</dc:date></item>
</rdf:RDF>"""


def test_atom_entry_relative_link_tracking_and_naive_time() -> None:
    # constructed feed; a naive time is Vietnam time, tracking parameters are dropped
    [entry] = parse_feed(ATOM, "https://vnexpress.net/rss/the-gioi.rss")
    assert entry.url == "https://vnexpress.net/thu-tuong-1234567.html"
    assert entry.title == "Thủ tướng & Đại sứ"
    assert entry.published_at is not None
    assert entry.published_at.isoformat() == "2025-09-29T17:30:00+07:00"
    assert entry.summary == "Chiều 29/9."


def test_rss_1_0_item_mobile_host_and_utc_date() -> None:
    # constructed feed
    [entry] = parse_feed(RSS1, "https://a.vn/rss")
    assert entry.url == "https://vnexpress.net/a-7654321.html"
    assert entry.published_at is not None
    assert entry.published_at.isoformat() == "2025-09-29T10:30:00+00:00"


def test_bozo_feed_with_entries_is_tolerated() -> None:
    # constructed: unescaped "&", no closing </rss>, RFC 822 date without a zone
    broken = (
        b'<rss version="2.0"><channel><item><title>A & B</title>'
        b"<link>https://a.vn/b-2.html</link><pubDate>Mon, 29 Sep 2025 17:30:00</pubDate>"
        b"</item></channel>"
    )
    [entry] = parse_feed(broken, "https://a.vn/rss")
    assert entry.url == "https://a.vn/b-2.html"
    assert entry.published_at is not None
    assert entry.published_at.isoformat() == "2025-09-29T17:30:00+07:00"


def test_entries_without_a_usable_link_are_skipped() -> None:
    feed = (
        b'<rss version="2.0"><channel><item><title>no link</title></item>'
        b"<item><title>ok</title><link>https://a.vn/ok-1.html</link></item></channel></rss>"
    )
    assert [e.title for e in parse_feed(feed, "https://a.vn/rss")] == ["ok"]


def test_an_empty_but_valid_feed_has_no_entries() -> None:
    empty = b'<rss version="2.0"><channel><title>t</title></channel></rss>'
    assert parse_feed(empty, "https://a.vn/rss") == []


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"", "empty document"),
        ("<!doctype html><html><body><p>Trang chủ</p></body></html>", "not an RSS or Atom feed"),
        (b"\x00\x01garbage\xff", "not an RSS or Atom feed"),
        ('{"items": []}', "not an RSS or Atom feed"),
        (
            b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]>'
            b'<rss version="2.0"><channel><item><title>&b;</title></item></channel></rss>',
            "document declares XML entities",
        ),
    ],
)
def test_not_a_feed_raises_feed_error_naming_the_url(body: bytes | str, reason: str) -> None:
    with pytest.raises(FeedError, match=rf"https://a\.vn/rss: {reason}"):
        parse_feed(body, "https://a.vn/rss")


@pytest.mark.corpus
def test_a_recorded_html_page_is_not_a_feed() -> None:
    html = require_shared(CORPUS_DIR / "pages" / "vnexpress_article.html").read_bytes()
    with pytest.raises(FeedError, match="not an RSS or Atom feed"):
        parse_feed(html, "https://vnexpress.net/rss/thoi-su.rss")
