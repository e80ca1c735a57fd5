"""Property tests (hypothesis): the parsers on arbitrary and hostile input.

Whatever bytes an outlet sends, the parsers either return records or raise the one error
they document (``ParseError`` for pages, ``FeedError`` for feeds, ``ValueError`` for URLs);
text they return is Unicode NFC; times are timezone-aware and never in the future.
Example counts stay modest so the suite is fast; ``bench/fuzz.py`` runs the long version.
"""

from __future__ import annotations

import json
import unicodedata
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from parsers.article import ParseError, parse_article
from parsers.charset import decode_html
from parsers.dates import FUTURE_TOLERANCE, parse_date
from parsers.feeds import FeedError, parse_feed
from parsers.urls import normalize_url
from records import Article
from tests.strategies import urls

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:feedparser.*")

# No example database: nothing is written into the checkout; failures print their input.
FAST = settings(
    max_examples=150,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
NOW = datetime(2026, 11, 24, 6, 0, tzinfo=UTC)
LATEST = NOW + FUTURE_TOLERANCE

# Vietnamese letters in both precomposed and decomposed forms, markup characters, controls.
VIETNAMESE = "ăâđêôơưáàảãạắằẳẵặấầẩẫậéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵĐƯƠ"
DECOMPOSED = unicodedata.normalize("NFD", VIETNAMESE)
LATIN = "abcdefghijklmnopqrstuvwxyz ABC 0123456789.,;:-/()'\""
MARKUP = ["<", ">", "&", "&amp;", "&#7871;", "\u200b", "\ufeff", "\x00", "\r\n", "\t", "\ufffd"]
ALPHABET = st.sampled_from([*VIETNAMESE, *DECOMPOSED, *LATIN, *MARKUP])
texts = st.lists(ALPHABET, max_size=60).map("".join)
CHARSETS = [None, "utf-8", "windows-1258", "iso-8859-1", "utf-16", "x-no-such-charset", "", "gbk"]


def date_strings() -> st.SearchStrategy[str]:
    """Date spellings seen on Vietnamese pages, with random (also impossible) fields."""
    number = st.integers(min_value=0, max_value=99).map(lambda n: f"{n:02d}")
    year = st.integers(min_value=1, max_value=9999).map(lambda n: f"{n:04d}")
    offset = st.tuples(st.sampled_from("+-"), st.integers(0, 99), st.integers(0, 99)).map(
        lambda t: f"{t[0]}{t[1]:02d}:{t[2]:02d}"
    )
    iso = st.tuples(year, number, number, number, number, number, offset | st.just("Z")).map(
        lambda t: f"{t[0]}-{t[1]}-{t[2]}T{t[3]}:{t[4]}:{t[5]}{t[6]}"
    )
    dmy = st.tuples(number, number, year, number, number).map(
        lambda t: f"Thứ hai, {t[0]}/{t[1]}/{t[2]}, {t[3]}:{t[4]} (GMT+7)"
    )
    return iso | dmy | texts


@st.composite
def html_pages(draw: st.DrawFn) -> str:
    """An article-shaped page with random text, dates, JSON-LD and broken markup."""
    title = draw(texts)
    published = draw(date_strings())
    ld: object = draw(
        st.one_of(
            st.just({"@type": "NewsArticle", "headline": title, "datePublished": published}),
            st.recursive(
                st.none() | st.booleans() | st.integers() | texts,
                lambda inner: (
                    st.lists(inner, max_size=3)
                    | st.dictionaries(st.sampled_from(["@type", "headline", "author", "x"]), inner)
                ),
                max_leaves=8,
            ),
        )
    )
    paragraphs = draw(st.lists(texts, max_size=6))
    junk = draw(st.sampled_from(["", "<div><p><b>", "</span></div></div>", "<!--", "<![CDATA["]))
    body = "".join(f"<p>{text}</p>" for text in paragraphs)
    return (
        f"<!doctype html><html><head><title>{title}</title>"
        f'<meta property="og:title" content="{draw(texts)}">'
        f'<meta property="article:published_time" content="{published}">'
        f'<script type="application/ld+json">{json.dumps(ld, ensure_ascii=False)}</script>'
        f"</head><body><h1>{title}</h1>{junk}<article>{body}</article>"
        f"<time>{draw(date_strings())}</time></body></html>"
    )


def assert_nfc(value: str | None) -> None:
    if value is not None:
        assert unicodedata.is_normalized("NFC", value), value


def assert_article_invariants(article: Article) -> None:
    for text in (article.title, article.sapo, *article.paragraphs, *article.authors):
        assert_nfc(text)
    assert article.title.strip()
    for moment in (article.published_at, article.updated_at):
        if moment is not None:
            assert moment.tzinfo is not None
            assert moment <= LATEST
    assert article.url == "" or article.url.startswith("https://")


# -- decode_html -------------------------------------------------------------------------------


@FAST
@given(body=st.binary(max_size=2000), charset=st.sampled_from(CHARSETS))
@example(body=b"\xff\xfe<\x00p\x00", charset=None)  # UTF-16 BOM
@example(body="Thủ tướng".encode("cp1258", errors="ignore"), charset="windows-1258")
def test_decode_html_never_raises_and_returns_nfc(body: bytes, charset: str | None) -> None:
    text, used = decode_html(body, charset)
    assert isinstance(text, str) and used
    assert_nfc(text)


@FAST
@given(text=texts, charset=st.sampled_from(["utf-8", "windows-1258", "iso-8859-1", None]))
def test_utf8_text_comes_back_as_written_whatever_the_label(text: str, charset: str | None) -> None:
    """UTF-8 is read as UTF-8 even when the server calls it windows-1258 or latin-1."""
    body = f"<html><body><p>{text}</p></body></html>".encode()
    decoded, _ = decode_html(body, charset)
    assert unicodedata.normalize("NFC", text) in decoded


# -- parse_article -----------------------------------------------------------------------------


@FAST
@given(body=st.binary(max_size=3000))
def test_parse_article_on_arbitrary_bytes_raises_only_parse_error(body: bytes) -> None:
    try:
        article = parse_article(body, "https://baothu.vn/bai-1.html", now=NOW)
    except ParseError:
        return
    assert_article_invariants(article)


@settings(FAST, max_examples=75)  # three encodings of each page
@given(page=html_pages(), url=st.sampled_from(["https://baothu.vn/the-gioi/bai-1.html", ""]))
def test_parse_article_on_hostile_pages(page: str, url: str) -> None:
    for document in (page, page.encode("utf-8"), page.encode("utf-16")):
        try:
            article = parse_article(document, url, now=NOW)
        except ParseError:
            continue
        assert_article_invariants(article)


def test_an_impossible_zone_offset_is_ignored_not_raised() -> None:
    assert parse_date("2026-11-20T08:00:00+99:00", now=NOW) is None
    assert parse_date("20/11/2026 08:00 GMT+99", now=NOW) is not None
    page = (
        "<html><head><title>Tiêu đề bài báo</title>"
        '<meta property="article:published_time" content="2026-11-20T08:00:00+99:00">'
        "</head><body><h1>Tiêu đề bài báo</h1><p>Nội dung.</p></body></html>"
    )
    article = parse_article(page, "https://baothu.vn/the-gioi/bai-1.html", now=NOW)
    assert article.published_at is None


@pytest.mark.parametrize("kind", ["5", "null", "{}"])
def test_json_ld_with_an_odd_type_is_ignored(kind: str) -> None:
    page = (
        "<html><head><title>Tiêu đề bài báo</title>"
        f'<script type="application/ld+json">{{"@type": {kind}, "headline": "x"}}</script>'
        "</head><body><h1>Tiêu đề bài báo</h1><p>Nội dung.</p></body></html>"
    )
    article = parse_article(page, "https://baothu.vn/the-gioi/bai-1.html", now=NOW)
    assert article.title == "Tiêu đề bài báo"  # the odd JSON-LD object is ignored


# -- parse_feed --------------------------------------------------------------------------------


@st.composite
def feeds(draw: st.DrawFn) -> bytes:
    items = draw(
        st.lists(
            st.tuples(
                texts,
                st.sampled_from(
                    ["https://baothu.vn/a-1.html", "/relative-2.html", "javascript:x", "", "%%"]
                )
                | texts,
                date_strings(),
            ),
            max_size=5,
        )
    )
    body = "".join(
        f"<item><title>{t}</title><link>{link}</link><pubDate>{d}</pubDate>"
        f"<description>{t}</description></item>"
        for t, link, d in items
    )
    cut = draw(st.integers(min_value=0, max_value=400))
    document = f'<?xml version="1.0"?><rss version="2.0"><channel>{body}</channel></rss>'
    return document.encode("utf-8")[: len(document) - cut]


def check_feed(body: bytes) -> None:
    try:
        entries = parse_feed(body, "https://baothu.vn/rss/tin-moi.rss", now=NOW)
    except FeedError:
        return
    for entry in entries:
        assert entry.url.startswith(("https://", "http://"))
        assert normalize_url(entry.url) == entry.url
        assert_nfc(entry.title)
        assert_nfc(entry.summary)
        if entry.published_at is not None:
            assert entry.published_at.tzinfo is not None
            assert entry.published_at <= LATEST


@FAST
@given(body=st.binary(max_size=2000))
def test_parse_feed_on_arbitrary_bytes_raises_only_feed_error(body: bytes) -> None:
    check_feed(body)


YEAR_ZERO_FEED = (
    b'<rss version="2.0"><channel><item><title>Tin</title>'
    b"<link>https://baothu.vn/the-gioi/bai-1.html</link><pubDate>0000</pubDate></item>"
    b"</channel></rss>"
)


@settings(FAST, max_examples=100)
@given(body=feeds())
@example(body=YEAR_ZERO_FEED)
def test_parse_feed_on_hostile_feeds_raises_only_feed_error(body: bytes) -> None:
    check_feed(body)


def test_a_feed_with_an_impossible_date_keeps_its_entries() -> None:
    [entry] = parse_feed(YEAR_ZERO_FEED, "https://baothu.vn/rss/tin-moi.rss")
    assert entry.url == "https://baothu.vn/the-gioi/bai-1.html"
    assert entry.published_at is None


def test_a_feed_entry_dated_after_the_fetch_has_no_date() -> None:
    feed = (
        '<rss version="2.0"><channel><item><link>https://baothu.vn/the-gioi/bai-1.html</link>'
        "<pubDate>Mon, 01 Feb 2669 00:00:00 +0700</pubDate></item></channel></rss>"
    )
    [entry] = parse_feed(feed, "https://baothu.vn/rss/tin-moi.rss")
    assert entry.published_at is None


# -- dates -------------------------------------------------------------------------------------


@FAST
@given(value=date_strings() | st.text(max_size=80))
def test_parse_date_is_aware_and_never_in_the_future(value: str) -> None:
    moment = parse_date(value, now=NOW)
    if moment is not None:
        assert moment.tzinfo is not None
        assert moment <= LATEST
        assert moment.year >= 1990


@FAST
@given(hours=st.integers(min_value=0, max_value=24 * 365))
def test_a_date_after_the_fetch_is_dropped(hours: int) -> None:
    later = NOW + FUTURE_TOLERANCE + timedelta(hours=hours, seconds=1)
    assert parse_date(later.isoformat(), now=NOW) is None


# -- normalize_url -----------------------------------------------------------------------------

def test_an_ipv6_host_keeps_its_brackets() -> None:
    key = normalize_url("https://[2001:db8::1]:8080/bai-1.html")
    assert key == "https://[2001:db8::1]:8080/bai-1.html"
    assert normalize_url(key) == key


@FAST
@given(
    url=urls(10),
    base=st.sampled_from([None, "https://baothu.vn/rss/tin-moi.rss", "not a url"]),
)
def test_normalize_url_raises_only_value_error_and_is_stable(url: str, base: str | None) -> None:
    try:
        key = normalize_url(url, base)
    except ValueError:
        return
    assert key.startswith("https://")
    assert "#" not in key
    assert normalize_url(key) == key, "a stored key must normalise to itself (no duplicates)"
