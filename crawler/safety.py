"""Safe fetching: refuse private, loopback, link-local and other internal addresses.

The check runs on the *resolved* address, and the connection goes to exactly the address
that was checked (the original host name stays in the Host header and in TLS SNI), so a
name that resolves differently on a second lookup (DNS rebinding) cannot slip through.
Hosts sent elsewhere by ``host_map`` are an explicit operator decision and are not guarded.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket

import httpx

__all__ = ["AddressGuardTransport", "ForbiddenAddressError", "is_public_address"]


class ForbiddenAddressError(httpx.TransportError):
    """The host resolves to an address the crawler must not reach."""


def is_public_address(address: str) -> bool:
    """True for a globally routable unicast address (IPv4 or IPv6)."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or not ip.is_global
    )


async def resolve(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to (an IP literal resolves to itself)."""
    try:
        return [str(ipaddress.ip_address(host.strip("[]")))]
    except ValueError:
        pass
    loop = asyncio.get_running_loop()
    infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


class AddressGuardTransport(httpx.AsyncBaseTransport):
    """Resolve, refuse internal addresses, then connect to the checked address."""

    def __init__(self, inner: httpx.AsyncBaseTransport, *, allow_private: bool = False) -> None:
        self._inner = inner
        self._allow_private = allow_private

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self._allow_private:
            return await self._inner.handle_async_request(request)
        host = request.url.host
        port = request.url.port or (443 if request.url.scheme == "https" else 80)
        try:
            addresses = await resolve(host, port)
        except OSError as error:
            raise httpx.ConnectError(f"cannot resolve {host}: {error}", request=request) from error
        refused = [address for address in addresses if not is_public_address(address)]
        if refused or not addresses:
            raise ForbiddenAddressError(
                f"{host} resolves to a non-public address ({', '.join(refused) or 'none'})",
                request=request,
            )
        address = addresses[0]
        extensions = dict(request.extensions)
        if request.url.scheme == "https":
            extensions.setdefault("sni_hostname", host)
        pinned = httpx.Request(
            request.method,
            request.url.copy_with(host=address),
            headers=request.headers,  # keeps the original Host header
            stream=request.stream,
            extensions=extensions,
        )
        return await self._inner.handle_async_request(pinned)

    async def aclose(self) -> None:
        await self._inner.aclose()
