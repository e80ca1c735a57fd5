"""URL normalisation (the storage upsert key) and the outlet registry."""

from __future__ import annotations

import re

import pytest

from parsers.registry import OUTLETS, is_article_url, outlet_by_key, outlet_for_url
from parsers.urls import normalize_url

ARTICLE = "https://vnexpress.net/cach-cac-nuoc-doi-pho-cu-soc-nang-luong-tu-trung-dong-5047363.html"


@pytest.mark.parametrize(
    "spelling",
    [
        ARTICLE,
        "http://vnexpress.net/cach-cac-nuoc-doi-pho-cu-soc-nang-luong-tu-trung-dong-5047363.html",
        "HTTPS://VnExpress.NET/cach-cac-nuoc-doi-pho-cu-soc-nang-luong-tu-trung-dong-5047363.html",
        "https://vnexpress.net:443/cach-cac-nuoc-doi-pho-cu-soc-nang-luong-tu-trung-dong-5047363.html",
        "https://m.vnexpress.net/cach-cac-nuoc-doi-pho-cu-soc-nang-luong-tu-trung-dong-5047363.html",
        "https://www.vnexpress.net/cach-cac-nuoc-doi-pho-cu-soc-nang-luong-tu-trung-dong-5047363.html",
        f"{ARTICLE}#box_comment",
        f"{ARTICLE}?utm_source=facebook&utm_campaign=x&fbclid=IwAR0",
        f"{ARTICLE}?zarsrc=30&zacc=1&gclid=abc",
        "  //vnexpress.net/cach-cac-nuoc-doi-pho-cu-soc-nang-luong-tu-trung-dong-5047363.html  ",
    ],
)
def test_every_spelling_of_an_article_url_normalises_to_one_key(spelling: str) -> None:
    assert normalize_url(spelling) == ARTICLE


def test_relative_urls_resolve_against_the_base() -> None:
    base = "https://baochinhphu.vn/quoc-te.htm"
    assert normalize_url("/a-102260228093004191.htm", base) == (
        "https://baochinhphu.vn/a-102260228093004191.htm"
    )
    assert normalize_url("b.htm?page=2", "https://tuoitre.vn/the-gioi/") == (
        "https://tuoitre.vn/the-gioi/b.htm?page=2"
    )


def test_content_parameters_path_case_and_foreign_ports_are_kept() -> None:
    assert normalize_url("https://example.org:8080/Path/To?id=7&utm_medium=x") == (
        "https://example.org:8080/Path/To?id=7"
    )


def test_mobile_and_www_hosts_fold_onto_the_outlets_web_host() -> None:
    assert normalize_url("https://m.vietnamplus.vn/a-post123456.vnp") == (
        "https://www.vietnamplus.vn/a-post123456.vnp"
    )
    assert normalize_url("https://m.dantri.com.vn/x/a.htm") == "https://dantri.com.vn/x/a.htm"
    # Other subdomains are other sites (English edition), and unknown hosts are left alone.
    assert normalize_url("https://e.vnexpress.net/news/a-1234567.html").startswith("https://e.")
    assert normalize_url("https://m.example.org/a") == "https://m.example.org/a"


def test_percent_encoding_is_canonical() -> None:
    assert normalize_url("https://a.vn/tin%20m%E1%BB%9Bi") == normalize_url("https://a.vn/tin mới")


@pytest.mark.parametrize("bad", ["", "mailto:a@b.vn", "javascript:void(0)", "/relative/only"])
def test_non_http_urls_are_refused(bad: str) -> None:
    with pytest.raises(ValueError, match="not an absolute http"):
        normalize_url(bad)


# --- registry ------------------------------------------------------------------------------


def test_registry_keys_are_unique_ascii_slugs_and_cover_the_national_outlets() -> None:
    keys = [outlet.key for outlet in OUTLETS]
    assert len(keys) == len(set(keys))
    assert all(re.fullmatch(r"[a-z0-9]+", key) for key in keys)
    assert set(keys) >= {
        "vnexpress",
        "baochinhphu",
        "tuoitre",
        "thanhnien",
        "dantri",
        "vietnamnet",
        "vietnamplus",
        "vnanet",
        "baotintuc",
        "nhandan",
        "quandoinhandan",
        "vov",
        "baoquocte",
        "nld",
        "sggp",
        "hanoimoi",
        "laodong",
        "tienphong",
        "znews",
        "cafef",
        "baodautu",
    }
    assert len(keys) >= 20


def test_every_outlet_url_in_the_registry_is_already_normalised() -> None:
    for outlet in OUTLETS:
        for url in (*outlet.feeds, *outlet.sitemaps, *outlet.listing_pages):
            assert normalize_url(url) == url, (outlet.key, url)
            assert outlet_for_url(url) == outlet
            assert not is_article_url(outlet, url), (outlet.key, url)
        if outlet.article_url_pattern:
            re.compile(outlet.article_url_pattern)
        assert outlet.min_delay_seconds >= 1.0


def test_vnexpress_and_baochinhphu_are_fully_described() -> None:
    for key, parser in (("vnexpress", "vnexpress"), ("baochinhphu", "baochinhphu")):
        outlet = outlet_by_key(key)
        assert outlet.parser == parser
        assert outlet.feeds and outlet.listing_pages and outlet.article_url_pattern
    assert outlet_by_key("vnexpress").sitemaps


def test_outlet_by_key_names_the_known_keys_when_missing() -> None:
    with pytest.raises(KeyError, match=r"unknown outlet key 'cnn'; known outlets: .*vnexpress"):
        outlet_by_key("cnn")


@pytest.mark.parametrize(
    ("url", "key"),
    [
        (ARTICLE, "vnexpress"),
        ("https://m.vnexpress.net/a-1234567.html", "vnexpress"),
        ("https://e.vnexpress.net/news/news/a-4797063.html", "vnexpress"),
        ("https://baodientu.chinhphu.vn/a.htm", "baochinhphu"),
        ("https://www.qdnd.vn/chinh-tri", "quandoinhandan"),
        ("https://news.zing.vn/a-post1.html", "znews"),
        ("https://vnexpress.net.evil.example/a", None),
        ("https://notvnexpress.net/a", None),
        ("https://baodienbienphu.com.vn/a-123.html", "baodienbienphu"),
        ("https://baoyenbai.com.vn/a-123.html", None),  # a provincial paper not registered
    ],
)
def test_outlet_for_url_matches_hosts_and_their_subdomains(url: str, key: str | None) -> None:
    outlet = outlet_for_url(url)
    assert (outlet.key if outlet else None) == key


@pytest.mark.parametrize(
    ("key", "url", "expected"),
    [
        ("vnexpress", ARTICLE, True),
        ("vnexpress", f"{ARTICLE}?utm_source=rss", True),
        ("vnexpress", "https://m.vnexpress.net/a-b-5047363.html", True),
        ("vnexpress", "http://vnexpress.net/tin-tuc/thoi-su/a-b-3572838.html", True),  # 2017 form
        ("vnexpress", "https://vnexpress.net/thoi-su", False),
        ("vnexpress", "https://vnexpress.net/rss/thoi-su.rss", False),
        ("vnexpress", "https://tuoitre.vn/a-20260307075519174.htm", False),
        ("baochinhphu", "https://baochinhphu.vn/chinh-sach-moi-102260228093004191.htm", True),
        ("baochinhphu", "https://baochinhphu.vn/chinh-sach-12-2025-10225112819203167.htm", True),
        ("baochinhphu", "https://baochinhphu.vn/quoc-te.htm", False),
        ("tuoitre", "https://tuoitre.vn/chien-su-day-gia-hoa-20260307075519174.htm", True),
        ("dantri", "https://dantri.com.vn/kinh-doanh/gia-vang-giam-20260307080054340.htm", True),
        ("vietnamnet", "https://vietnamnet.vn/co-phieu-flc-2495349.html", True),
        ("nld", "https://nld.com.vn/nhung-sai-sot-196260307071308923.htm", True),
        ("vov", "https://vov.vn/chinh-tri/a-b-post1311198.vov", True),
        ("tienphong", "https://tienphong.vn/a-b-post1234567.tpo", True),
        # no pattern known for baoquocte: the slug-and-numeric-id heuristic decides
        ("baoquocte", "https://baoquocte.vn/thu-tuong-tiep-dai-su-312345.html", True),
        ("baoquocte", "https://baoquocte.vn/the-gioi", False),
    ],
)
def test_is_article_url(key: str, url: str, expected: bool) -> None:
    assert is_article_url(outlet_by_key(key), url) is expected
