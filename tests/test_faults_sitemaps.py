"""Fault injection, sitemaps: broken and hostile sitemaps in a backfill and a monitor run.

A sitemap cut short, one declaring entities ("billion laughs"), one with an external entity,
a sitemap index pointing at another host, and sitemaps or listing pages redirecting to one:
each is reported with the outlet and the sitemap's URL, the good sitemap still delivers,
nothing is expanded or read from disk, and no host outside the outlet's domains is contacted.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from flows.backfill import backfill_outlet
from records import Outlet
from storage.repository import OutletCounters
from tests import fault_site as site_module
from tests.fault_site import (
    FEED,
    HOST,
    OUTLET,
    FaultSite,
    article,
    billion_laughs,
    external_entity,
    url_of,
)
from tests.site import TestArticle as Page

fault_site = site_module.fault_site


# -- sitemaps (backfill) -----------------------------------------------------------------------

SITEMAPS = tuple(f"https://{HOST}/sitemap-{index}.xml" for index in range(1, 5))
SITEMAP_OUTLET = replace(
    OUTLET,
    feeds=(),
    sitemaps=SITEMAPS,
    article_url_pattern=r"^https://baothu\.vn/the-gioi/bai-\d+\.html$",
)


def urlset(pages: list[Page], doctype: str = "", extra: str = "") -> str:
    urls = "".join(
        f"<url><loc>{url_of(page)}{extra}</loc><lastmod>2026-11-20</lastmod></url>"
        for page in pages
    )
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>{doctype}'
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'
    )


async def backfill(site: FaultSite, outlet: Outlet = SITEMAP_OUTLET) -> OutletCounters:
    return await backfill_outlet(
        outlet,
        site.settings(),
        site.db,
        since=date(2026, 11, 1),
        until=None,
        max_articles=50,
    )


async def test_broken_and_hostile_sitemaps_are_counted_and_the_good_one_delivers(
    fault_site: FaultSite,
) -> None:
    good, other = article(1), article(2)
    fault_site.serve_robots()
    for page in (good, other):
        fault_site.serve_page(page)
    bodies = {
        SITEMAPS[0]: urlset([good]),
        SITEMAPS[1]: urlset([other])[:-30],  # cut short
        SITEMAPS[2]: urlset([other], billion_laughs("urlset"), "&lol9;"),
        SITEMAPS[3]: urlset([other], external_entity("urlset"), "&xxe;"),
    }
    for url, body in bodies.items():
        fault_site.server.add(HOST, url.split(HOST, 1)[1], body, content_type="application/xml")
    counters = await backfill(fault_site)
    assert counters.stored == 1
    messages = counters.error_messages
    assert len(messages) == 3
    for url, message in zip(SITEMAPS[1:], messages, strict=True):
        assert message.startswith(f"baothu: sitemap {url}: ")
    assert set(fault_site.articles()) == {url_of(good)}
    assert not fault_site.server.requests_to(HOST, other.path)


def serve_index_listing_another_host(fault_site: FaultSite, child: str) -> None:
    """/sitemap-1.xml: an index of a child sitemap on evil.example (served too, so that a
    request to it would be seen) and of the outlet's own /sitemap-child.xml (``child``)."""
    index = (
        '<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        "<sitemap><loc>https://evil.example/sitemap.xml</loc></sitemap>"
        f"<sitemap><loc>https://{HOST}/sitemap-child.xml</loc></sitemap></sitemapindex>"
    )
    fault_site.server.add(HOST, "/sitemap-1.xml", index, content_type="application/xml")
    fault_site.server.add(HOST, "/sitemap-child.xml", child, content_type="text/xml")
    fault_site.server.add("evil.example", "/sitemap.xml", child, content_type="text/xml")


async def test_a_sitemap_index_pointing_at_another_host_is_not_followed(
    fault_site: FaultSite,
) -> None:
    page = article(1)
    fault_site.serve_robots()
    fault_site.serve_page(page)
    serve_index_listing_another_host(fault_site, urlset([page]))
    one_sitemap = replace(SITEMAP_OUTLET, sitemaps=SITEMAPS[:1])
    counters = await backfill(fault_site, one_sitemap)
    assert counters.stored == 1
    assert fault_site.hosts_contacted() == {HOST}


async def test_sitemaps_and_listings_redirecting_off_the_outlet_are_refused_in_a_backfill(
    fault_site: FaultSite,
) -> None:
    page, foreign = article(1), article(2)
    fault_site.serve_robots()
    fault_site.serve_page(page)
    fault_site.server.add(HOST, "/sitemap-1.xml", urlset([page]), content_type="text/xml")
    fault_site.server.add_redirect(HOST, "/sitemap-2.xml", "https://evil.example/sitemap.xml")
    fault_site.server.add_redirect(HOST, "/the-gioi", "https://evil.example/the-gioi")
    listing = f'<html><body><a href="https://{HOST}{foreign.path}">x</a></body></html>'
    evil = fault_site.server
    evil.add("evil.example", "/sitemap.xml", urlset([foreign]), content_type="text/xml")
    evil.add("evil.example", "/the-gioi", listing, content_type="text/html")
    outlet = replace(
        SITEMAP_OUTLET, sitemaps=SITEMAPS[:2], listing_pages=(f"https://{HOST}/the-gioi",)
    )
    counters = await backfill(fault_site, outlet)
    assert counters.stored == 1
    assert set(fault_site.articles()) == {url_of(page)}
    sitemap_error, listing_error = counters.error_messages
    assert sitemap_error.startswith(f"baothu: sitemap {SITEMAPS[1]}: ")
    assert listing_error.startswith(f"baothu: listing https://{HOST}/the-gioi: ")
    assert "evil.example" in sitemap_error and "evil.example" in listing_error
    assert fault_site.hosts_contacted() == {HOST}


# -- sitemaps in the monitor (news sitemaps complement the feeds) ---------------------------------

MONITOR_SITEMAPS = replace(SITEMAP_OUTLET, feeds=(FEED,))


async def test_hostile_sitemaps_in_a_monitor_run_are_recorded_and_nothing_leaks(
    fault_site: FaultSite,
) -> None:
    from_feed, from_sitemap, hidden = article(1), article(2), article(3)
    fault_site.serve([from_feed])
    fault_site.serve_page(from_sitemap)
    fault_site.serve_page(hidden)
    bodies = {
        SITEMAPS[0]: urlset([from_sitemap]).replace("<lastmod>2026-11-20</lastmod>", ""),
        SITEMAPS[1]: urlset([hidden])[:-30],
        SITEMAPS[2]: urlset([hidden], billion_laughs("urlset"), "&lol9;"),
        SITEMAPS[3]: urlset([hidden], external_entity("urlset"), "&xxe;"),
    }
    for url, body in bodies.items():
        fault_site.server.add(HOST, url.split(HOST, 1)[1], body, content_type="application/xml")
    counters = await fault_site.monitor(MONITOR_SITEMAPS)
    assert counters.errors == 0  # sitemaps complement the feeds: recorded, not counted
    assert set(fault_site.articles()) == {url_of(from_feed), url_of(from_sitemap)}
    for url in SITEMAPS[1:]:
        state = fault_site.feed_state(url)
        assert state is not None and state.failures == 1 and state.last_error, url
        assert url in state.last_error
    assert not fault_site.server.requests_to(HOST, hidden.path)


async def test_a_sitemap_index_in_a_monitor_run_never_leaves_the_outlet(
    fault_site: FaultSite,
) -> None:
    page = article(1)
    fault_site.serve([])
    fault_site.serve_page(page)
    serve_index_listing_another_host(
        fault_site, urlset([page]).replace("<lastmod>2026-11-20</lastmod>", "")
    )
    await fault_site.monitor(replace(MONITOR_SITEMAPS, sitemaps=SITEMAPS[:1]))
    assert set(fault_site.articles()) == {url_of(page)}
    assert fault_site.hosts_contacted() == {HOST}
