"""Fault injection, documents: what hostile or broken pages and feeds do to a monitor run.

Wrong or missing charsets (windows-1258, mislabelled UTF-8, decomposed text), malformed HTML,
non-HTML bodies at article URLs, broken feeds, XML entity expansion ("billion laughs") and
external entities, each through the real monitor recipe: the text stored is the right NFC
Vietnamese, a bad document is counted with the outlet and its URL, the rest of the run goes
on, and nothing is expanded, read from disk or fetched elsewhere. Sitemaps are in
``tests/test_faults_sitemaps.py``.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable

import pytest

from tests import fault_site as site_module
from tests.fault_site import (
    FEED,
    FEED_2,
    HOST,
    PAD,
    FaultSite,
    article,
    assert_clean,
    billion_laughs,
    external_entity,
    url_of,
)
from tests.site import TestArticle as Page
from tests.site import article_html, rss_feed, to_cp1258

fault_site = site_module.fault_site
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:feedparser.*")


# -- charsets: the stored text is the right NFC Vietnamese -------------------------------------


def html_of(page: Page, meta: str | None) -> str:
    html = article_html(HOST, page)
    declared = f'<meta charset="{meta}">' if meta else ""
    return html.replace('<meta charset="utf-8">', declared)


CHARSET_CASES: dict[str, Callable[[Page], tuple[bytes, str]]] = {
    "windows-1258 in the header": lambda p: (
        to_cp1258(html_of(p, None)),
        "text/html; charset=windows-1258",
    ),
    "windows-1258 in <meta> only": lambda p: (to_cp1258(html_of(p, "windows-1258")), "text/html"),
    "windows-1258 in <meta>, server says utf-8": lambda p: (
        to_cp1258(html_of(p, "windows-1258")),
        "text/html; charset=utf-8",
    ),
    "windows-1258 undeclared": lambda p: (to_cp1258(html_of(p, None)), "text/html"),
    "utf-8 labelled iso-8859-1": lambda p: (
        html_of(p, None).encode(),
        "text/html; charset=iso-8859-1",
    ),
    "utf-8 labelled windows-1258 everywhere": lambda p: (
        html_of(p, "windows-1258").encode(),
        "text/html; charset=windows-1258",
    ),
    "utf-8 undeclared": lambda p: (html_of(p, None).encode(), "text/html"),
    "utf-8 decomposed (NFD)": lambda p: (
        unicodedata.normalize("NFD", html_of(p, "utf-8")).encode(),
        "text/html; charset=utf-8",
    ),
    "utf-16 with a byte order mark": lambda p: (html_of(p, None).encode("utf-16"), "text/html"),
}


@pytest.mark.parametrize("case", list(CHARSET_CASES))
async def test_wrong_or_missing_charsets_store_the_right_nfc_vietnamese(
    fault_site: FaultSite, case: str
) -> None:
    page = article(1)
    fault_site.serve([page])
    body, content_type = CHARSET_CASES[case](page)
    fault_site.server.add(HOST, page.path, body, content_type=content_type)
    counters = await fault_site.monitor()
    assert (counters.stored, counters.errors) == (1, 0), counters.error_messages
    row = fault_site.articles()[url_of(page)]
    assert row.title == page.title
    assert row.sapo == page.sapo
    assert row.paragraphs == list(page.paragraphs)
    assert_clean(row)


# -- malformed HTML: stored cleanly or counted, never the end of the run -----------------------


def malformed_pages() -> dict[str, str]:
    good = article_html(HOST, article(10))
    head, body = good.split("<body>", 1)
    return {
        "unclosed tags": good.replace("</p>", "").replace("</article>", "<div><span><b>"),
        "deep nesting": head + "<body>" + "<div>" * 5000 + body.replace("</body>", "</body>"),
        "nul and control bytes": good.replace("Hai bên", "Hai\x00 bên\x07\x1b"),
        "unterminated comment": good.replace('<article class="fck_detail">', "<!-- <article>"),
        "tags inside script": good.replace(
            "</head>", '<script>var s = "</p><title>Giả</title><p>";</script></head>'
        ),
        "a 1 MB attribute": good.replace("<article ", '<article data-x="' + "A" * 1_000_000 + '" '),
        "mismatched nesting": good.replace('<p class="Normal">', "<p><div><i></p></div>"),
        "two documents": good + good.replace(article(10).title, "Một tiêu đề khác"),
        "no markup at all": "Chỉ là một dòng chữ, không có thẻ nào.",
        "binary noise": "\x89PNG\r\n\x1a\n" + "\x00\xff" * 2000,
    }


async def test_malformed_html_is_stored_cleanly_or_counted_and_the_run_goes_on(
    fault_site: FaultSite,
) -> None:
    cases = malformed_pages()
    pages = [article(20 + index) for index in range(len(cases))]
    fine = article(99)
    fault_site.serve([*pages, fine])
    for page, html in zip(pages, cases.values(), strict=True):
        fault_site.server.add(HOST, page.path, html, content_type="text/html; charset=utf-8")
    counters = await fault_site.monitor()
    stored = fault_site.articles()
    pending = fault_site.pending()
    assert url_of(fine) in stored
    for name, page in zip(cases, pages, strict=True):
        assert (url_of(page) in stored) != (url_of(page) in pending), name
    assert counters.stored + counters.errors == len(pages) + 1
    assert counters.stored == len(stored)
    for message in counters.error_messages:
        assert message.startswith(f"baothu: https://{HOST}/the-gioi/bai-")
    for row in stored.values():
        assert_clean(row)
    assert url_of(pages[list(cases).index("no markup at all")]) in pending
    assert url_of(pages[list(cases).index("binary noise")]) in pending


# -- not HTML at an article URL ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (
            b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n",
            "application/pdf",
        ),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 64, "image/png"),
        (b'{"id": 4900001, "title": "Ti\\u1ebfp \\u0110\\u1ea1i s\\u1ee9"}', "application/json"),
        (b"\x00\x01\x02\x03" * 500, "application/octet-stream"),
    ],
    ids=["pdf", "png", "json", "octets"],
)
async def test_a_non_html_body_at_an_article_url_is_counted_not_stored(
    fault_site: FaultSite, body: bytes, content_type: str
) -> None:
    odd, fine = article(1), article(2)
    fault_site.serve([odd, fine])
    fault_site.server.add(HOST, odd.path, body, content_type=content_type)
    counters = await fault_site.monitor()
    assert (counters.stored, counters.errors) == (1, 1)
    assert counters.error_messages[0].startswith(f"baothu: {url_of(odd)}: ")
    assert set(fault_site.articles()) == {url_of(fine)}
    assert url_of(odd) in fault_site.pending()


# -- broken feeds ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"", "empty document"),
        (
            b"<!doctype html><html><body><p>Trang ch\xe1\xbb\xa7</p></body></html>",
            "not an RSS or Atom feed",
        ),
        (b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03garbage", "not an RSS or Atom feed"),
    ],
    ids=["empty", "html", "binary"],
)
async def test_a_broken_feed_is_counted_and_the_other_feed_still_delivers(
    fault_site: FaultSite, body: bytes, reason: str
) -> None:
    pages = [article(1), article(2)]
    fault_site.serve(pages)
    fault_site.serve_feed(FEED_2, pages)
    fault_site.server.add(HOST, "/rss/tin-moi.rss", body, content_type="application/rss+xml")
    counters = await fault_site.monitor()
    assert counters.stored == 2
    [message] = counters.error_messages
    assert message.startswith(f"baothu: feed {FEED}: ")
    assert reason in message
    state = fault_site.feed_state(FEED)
    assert state is not None and state.failures == 1


async def test_a_feed_cut_short_keeps_the_entries_before_the_cut(fault_site: FaultSite) -> None:
    pages = [article(1), article(2), article(3)]
    fault_site.serve(pages)
    whole = rss_feed(HOST, pages)
    cut = whole[: whole.index(pages[2].path) - 40]  # inside the third item
    fault_site.server.add(HOST, "/rss/tin-moi.rss", cut, content_type="application/rss+xml")
    counters = await fault_site.monitor()
    assert counters.errors == 0
    assert set(fault_site.articles()) == {url_of(pages[0]), url_of(pages[1])}


async def test_a_feed_with_an_impossible_date_does_not_end_the_run(fault_site: FaultSite) -> None:
    page = article(1)
    fault_site.serve([page])
    feed = rss_feed(HOST, [page])
    published = feed.split("<pubDate>", 1)[1].split("</pubDate>", 1)[0]
    feed = feed.replace(published, "0000")
    fault_site.server.add(HOST, "/rss/tin-moi.rss", feed, content_type="application/rss+xml")
    counters = await fault_site.monitor()
    assert counters.stored == 1


async def test_a_page_with_an_impossible_date_does_not_end_the_run(fault_site: FaultSite) -> None:
    odd, fine = article(1), article(2)
    fault_site.serve([odd, fine])
    html = article_html(HOST, odd).replace("+07:00", "+99:00")
    fault_site.server.add(HOST, odd.path, html, content_type="text/html; charset=utf-8")
    counters = await fault_site.monitor()
    assert url_of(fine) in fault_site.articles()
    assert counters.stored + counters.errors == 2


# -- XML entities: nothing expanded, nothing read from disk ------------------------------------


async def test_feeds_declaring_entities_are_refused(fault_site: FaultSite) -> None:
    page = article(1)
    fault_site.serve([page])
    items = rss_feed(HOST, [page]).split("?>", 1)[1]
    lol = (
        '<?xml version="1.0"?>'
        + billion_laughs("rss")
        + items.replace("<title>Tin mới", "<title>&lol9;Tin mới")
    )
    xxe = (
        '<?xml version="1.0"?>'
        + external_entity("rss")
        + items.replace("<description>", "<description>&xxe;")
    )
    fault_site.server.add(HOST, "/rss/tin-moi.rss", lol, content_type="application/rss+xml")
    fault_site.server.add(HOST, "/rss/the-gioi.rss", xxe, content_type="application/rss+xml")
    counters = await fault_site.monitor()
    assert (counters.stored, counters.errors) == (0, 2)
    assert set(counters.error_messages) == {
        f"baothu: feed {feed_url}: document declares XML entities; refused"
        for feed_url in (FEED, FEED_2)
    }


async def test_entities_hidden_past_the_precheck_are_still_neither_expanded_nor_resolved(
    fault_site: FaultSite,
) -> None:
    one, two = article(1), article(2)
    fault_site.serve([one, two])
    lol_items = (
        rss_feed(HOST, [one]).split("?>", 1)[1].replace("<description>", "<description>&lol9;")
    )
    xxe_items = (
        rss_feed(HOST, [two]).split("?>", 1)[1].replace("<description>", "<description>&xxe;")
    )
    lol = '<?xml version="1.0"?>' + PAD + billion_laughs("rss") + lol_items
    xxe = '<?xml version="1.0"?>' + PAD + external_entity("rss") + xxe_items
    fault_site.server.add(HOST, "/rss/tin-moi.rss", lol, content_type="application/rss+xml")
    fault_site.server.add(HOST, "/rss/the-gioi.rss", xxe, content_type="application/rss+xml")
    await fault_site.monitor()
    for row in fault_site.articles().values():
        assert_clean(row)
    assert fault_site.hosts_contacted() == {HOST}


async def test_an_html_page_with_entity_declarations_stores_no_expansion(
    fault_site: FaultSite,
) -> None:
    page = article(1)
    fault_site.serve([page])
    html = article_html(HOST, page)
    hostile = html.replace(
        "<!DOCTYPE html>", billion_laughs("html") + external_entity("html")
    ).replace("Hai bên", "&xxe; &lol9; Hai bên")
    fault_site.server.add(HOST, page.path, hostile, content_type="text/html; charset=utf-8")
    await fault_site.monitor()
    for row in fault_site.articles().values():
        assert_clean(row)
