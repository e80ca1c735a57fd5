"""httpx transport that sends requests for mapped hosts to another address.

``HostMapTransport`` rewrites the request URL's scheme/host/port to the mapped target (plain
http) and keeps the original ``Host`` header, then delegates to an inner transport
(``httpx.AsyncHTTPTransport`` by default). The client still sees the original URL on the
response, so redirects, cookies and logs keep talking about the real site.
"""

from __future__ import annotations

from collections.abc import Mapping

import httpx

__all__ = ["HostMap", "HostMapTransport"]


class HostMap:
    """Host → ``(ip_or_name, port)`` lookups with exact keys and ``*.domain`` wildcards."""

    def __init__(self, mapping: Mapping[str, str]) -> None:
        self._exact: dict[str, tuple[str, int]] = {}
        self._wildcards: list[tuple[str, tuple[str, int]]] = []
        for key, target in mapping.items():
            address = _parse_target(target)
            key = key.strip().lower().rstrip(".")
            if key.startswith("*."):
                self._wildcards.append((key[1:], address))  # ".example.com"
            else:
                self._exact[key] = address
        # longest suffix first, so "*.a.example.com" beats "*.example.com"
        self._wildcards.sort(key=lambda item: len(item[0]), reverse=True)

    def __bool__(self) -> bool:
        return bool(self._exact or self._wildcards)

    def lookup(self, host: str) -> tuple[str, int] | None:
        host = host.lower().rstrip(".")
        found = self._exact.get(host)
        if found is not None:
            return found
        for suffix, address in self._wildcards:
            if host.endswith(suffix):
                return address
        return None


def _parse_target(target: str) -> tuple[str, int]:
    text = target.strip()
    if "://" not in text:
        text = "http://" + text
    url = httpx.URL(text)
    if not url.host:
        raise ValueError(f"host_map target without a host: {target!r}")
    return url.host, url.port or 80


class HostMapTransport(httpx.AsyncBaseTransport):
    """Send requests whose host is in ``host_map`` to the mapped address over plain http."""

    def __init__(
        self,
        host_map: Mapping[str, str] | HostMap,
        inner: httpx.AsyncBaseTransport | None = None,
        *,
        mapped: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        """``inner`` carries unmapped requests; ``mapped`` (default: ``inner``) mapped ones."""
        self._map = host_map if isinstance(host_map, HostMap) else HostMap(host_map)
        self._inner = inner if inner is not None else httpx.AsyncHTTPTransport()
        self._mapped = mapped if mapped is not None else self._inner

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        target = self._map.lookup(request.url.host)
        if target is None:
            return await self._inner.handle_async_request(request)
        host, port = target
        mapped = httpx.Request(
            request.method,
            request.url.copy_with(scheme="http", host=host, port=port),
            headers=request.headers,  # includes the original Host header
            stream=request.stream,
            extensions=request.extensions,
        )
        return await self._mapped.handle_async_request(mapped)

    async def aclose(self) -> None:
        await self._inner.aclose()
        if self._mapped is not self._inner:
            await self._mapped.aclose()
