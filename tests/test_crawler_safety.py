"""Safe fetching: nothing is fetched from internal addresses or from other outlets' hosts."""

from __future__ import annotations

import pytest

from crawler.client import Crawler, CrawlerConfig, FetchError
from crawler.safety import is_public_address
from flows.monitoring import candidate_urls
from parsers.registry import outlet_by_key
from records import FeedEntry
from tests.http_server import LocalServer


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.1.2.3",
        "172.16.0.5",
        "192.168.1.1",
        "169.254.169.254",  # cloud metadata
        "100.64.0.1",  # carrier-grade NAT
        "0.0.0.0",
        "224.0.0.1",
        "::1",
        "fe80::1",
        "fc00::1",
        "::ffff:127.0.0.1",
        "::ffff:10.0.0.1",
    ],
)
def test_internal_addresses_are_not_public(address: str) -> None:
    assert not is_public_address(address)


@pytest.mark.parametrize("address", ["8.8.8.8", "203.162.4.190", "2001:4860:4860::8888"])
def test_global_addresses_are_public(address: str) -> None:
    assert is_public_address(address)


def config(**overrides: object) -> CrawlerConfig:
    values: dict[str, object] = {
        "user_agent": "diplowatch-test",
        "default_min_delay_seconds": 0.0,
        "max_retries": 0,
        "respect_robots": False,
    }
    values.update(overrides)
    return CrawlerConfig(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
async def test_a_loopback_url_is_refused_before_any_request(
    local_server: LocalServer, host: str
) -> None:
    local_server.add("*", "/internal", "secret")
    async with Crawler(config()) as crawler:
        with pytest.raises(FetchError) as caught:
            await crawler.fetch(f"http://{host}:{local_server.port}/internal")
    assert caught.value.reason == "forbidden-address"
    assert local_server.requests == []


async def test_a_test_setting_allows_private_addresses(local_server: LocalServer) -> None:
    local_server.add("*", "/internal", "ok")
    async with Crawler(config(allow_private_addresses=True)) as crawler:
        fetched = await crawler.fetch(f"http://127.0.0.1:{local_server.port}/internal")
    assert fetched.body == b"ok"


async def test_a_redirect_from_an_outlet_to_an_internal_address_is_refused(
    local_server: LocalServer,
) -> None:
    local_server.add("*", "/internal", "secret")
    internal = f"http://127.0.0.1:{local_server.port}/internal"
    local_server.add_redirect("vnexpress.net", "/trap.html", internal)
    host_map = local_server.host_map("vnexpress.net")
    async with Crawler(config(host_map=host_map)) as crawler:
        with pytest.raises(FetchError) as caught:
            await crawler.fetch("https://vnexpress.net/trap.html")
    assert caught.value.reason == "forbidden-address"
    assert not local_server.requests_to(path="/internal")


async def test_a_redirect_to_another_site_is_refused_when_domains_are_confined(
    local_server: LocalServer,
) -> None:
    local_server.add_redirect("vnexpress.net", "/away.html", "https://evil.example/x")
    local_server.add_redirect("vnexpress.net", "/www.html", "https://e.vnexpress.net/y")
    local_server.add("e.vnexpress.net", "/y", "<html><title>y</title></html>")
    host_map = local_server.host_map("vnexpress.net", "evil.example", "e.vnexpress.net")
    async with Crawler(config(host_map=host_map)) as crawler:
        with pytest.raises(FetchError) as caught:
            await crawler.fetch(
                "https://vnexpress.net/away.html", allowed_domains=["vnexpress.net"]
            )
        same_site = await crawler.fetch(
            "https://vnexpress.net/www.html", allowed_domains=["vnexpress.net"]
        )
    assert caught.value.reason == "foreign-redirect"
    assert not local_server.requests_to("evil.example")
    assert same_site.final_url == "https://e.vnexpress.net/y"


def test_only_the_outlets_own_hosts_are_followed_from_its_feed() -> None:
    outlet = outlet_by_key("vnexpress")
    entries = [
        FeedEntry(url="https://vnexpress.net/a-1.html"),
        FeedEntry(url="https://e.vnexpress.net/b-2.html?utm_source=rss"),
        FeedEntry(url="https://tuoitre.vn/c-3.htm"),
        FeedEntry(url="http://169.254.169.254/latest/meta-data/"),
        FeedEntry(url="file:///etc/passwd"),
        FeedEntry(url="javascript:alert(1)"),
        FeedEntry(url="https://vnexpress.net.evil.example/d-4.html"),
    ]
    assert candidate_urls(outlet, entries) == [
        "https://vnexpress.net/a-1.html",
        "https://e.vnexpress.net/b-2.html",
    ]
