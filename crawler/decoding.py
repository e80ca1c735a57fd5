"""Content-Encoding decoding with a hard cap on the decoded size.

httpx decodes ``Content-Encoding`` itself, one network chunk at a time and without an output
limit, so a few hundred bytes of ``Content-Encoding: gzip, gzip`` expand to hundreds of
megabytes in memory before the crawler can count them; and a gzip stream cut short inside
a correctly framed response comes out as a silently truncated page. ``BoundedDecoder``
decodes the raw bytes instead: each layer (gzip, x-gzip, deflate, identity) is asked for at
most ``max_bytes + 1`` bytes, so memory stays bounded by the cap, and ``finish`` refuses a
compressed stream that did not reach its end.
"""

from __future__ import annotations

import zlib

import httpx

from crawler.errors import FetchError
from crawler.exchange import RetryableTransportError

__all__ = [
    "SUPPORTED_ENCODINGS",
    "BodyTooLargeError",
    "BoundedDecoder",
    "DecodingError",
    "read_body",
]

SUPPORTED_ENCODINGS = ("gzip", "x-gzip", "deflate", "identity")


class DecodingError(Exception):
    """The body cannot be decoded: corrupt or truncated compressed data, unknown coding."""


class BodyTooLargeError(Exception):
    """The decoded body would exceed the cap."""


class _Layer:
    """One ``Content-Encoding`` step, decoding incrementally with a total output cap."""

    def __init__(self, coding: str, max_bytes: int, *, truncate: bool = False) -> None:
        self.coding = coding
        self.max_bytes = max_bytes
        self.truncate = truncate  # keep the first max_bytes instead of failing
        self.produced = 0
        self.fed = False
        self.full = False  # truncate mode: the cap was reached, later input is dropped
        self._raw_deflate_tried = False
        self._zlib: zlib._Decompress | None = None
        if coding in ("gzip", "x-gzip"):
            self._zlib = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif coding == "deflate":  # zlib-wrapped, as the RFC says; raw deflate on failure
            self._zlib = zlib.decompressobj(zlib.MAX_WBITS)

    def feed(self, data: bytes) -> bytes:
        if not data or self.full:
            return b""
        first = not self.fed
        self.fed = True
        # One byte more than allowed detects excess; zlib reads a limit of 0 as "no limit".
        limit = self.max_bytes - self.produced + (0 if self.truncate else 1)
        if limit <= 0:
            self.full = True
            return b""
        if self._zlib is None:
            out = data[:limit]
        elif self._zlib.eof:  # bytes after the end of the stream (ignored, as browsers do)
            return b""
        else:
            out = self._decompress(data, limit, first)
        self.produced += len(out)
        if self.truncate and len(out) >= limit:
            self.full = True
        elif self.produced > self.max_bytes:
            raise BodyTooLargeError(f"more than {self.max_bytes} bytes after decoding")
        return out

    def _decompress(self, data: bytes, limit: int, first: bool) -> bytes:
        assert self._zlib is not None
        try:
            return self._zlib.decompress(data, limit)
        except zlib.error as error:
            if self.coding == "deflate" and first and not self._raw_deflate_tried:
                self._raw_deflate_tried = True
                self._zlib = zlib.decompressobj(-zlib.MAX_WBITS)
                return self._decompress(data, limit, first)
            raise DecodingError(f"corrupt {self.coding} data: {error}") from error

    def finish(self) -> None:
        if self._zlib is not None and self.fed and not self.full and not self._zlib.eof:
            raise DecodingError(f"truncated {self.coding} data: the stream ends early")


class BoundedDecoder:
    """Decode a body sent with ``content_encoding``; never holds more than ``max_bytes``.

    ``decode`` takes raw chunks in order and returns decoded bytes; it raises ``BodyTooLargeError``
    as soon as any layer's output passes ``max_bytes`` and ``DecodingError`` on corrupt data
    or an unsupported coding (br, zstd, compress: we never ask for them). ``finish`` raises
    ``DecodingError`` when a compressed stream stopped before its end. With
    ``truncate=True`` the decoded body is cut at ``max_bytes`` instead (``full`` then tells
    that the rest may be skipped).
    """

    def __init__(
        self, content_encoding: str | None, max_bytes: int, *, truncate: bool = False
    ) -> None:
        codings = [c.strip().lower() for c in (content_encoding or "").split(",") if c.strip()]
        unknown = [c for c in codings if c not in SUPPORTED_ENCODINGS]
        if unknown:
            raise DecodingError(f"unsupported Content-Encoding: {', '.join(unknown)}")
        # Codings are listed in the order they were applied: undo them from the last one.
        steps = [c for c in reversed(codings) if c != "identity"] or ["identity"]
        self.encoded = steps != ["identity"]
        self._layers = [_Layer(c, max_bytes) for c in steps[:-1]]
        self._layers.append(_Layer(steps[-1], max_bytes, truncate=truncate))

    @property
    def full(self) -> bool:
        return self._layers[-1].full

    def decode(self, data: bytes) -> bytes:
        for layer in self._layers:
            data = layer.feed(data)
        return data

    def finish(self) -> None:
        for layer in self._layers:
            layer.finish()


async def read_body(
    response: httpx.Response, url: str, max_bytes: int, *, truncate: bool = False
) -> bytes:
    """The decoded body of a streamed ``response``, at most ``max_bytes``.

    Raises ``FetchError("too-large")`` past the cap (or ``truncate``: cuts the body there),
    ``FetchError("network")`` for an unsupported coding and ``RetryableTransportError`` for
    corrupt or truncated compressed data.
    """
    if response.is_stream_consumed:  # built in memory (replay): httpx has decoded it already
        body = response.content
        if len(body) > max_bytes and not truncate:
            raise FetchError(url, "too-large", detail=f"more than {max_bytes} bytes")
        return body[:max_bytes]
    try:
        decoder = BoundedDecoder(
            response.headers.get("content-encoding"), max_bytes, truncate=truncate
        )
    except DecodingError as exc:
        raise FetchError(url, "network", detail=str(exc)) from exc
    declared = response.headers.get("content-length")
    if (
        not truncate
        and not decoder.encoded
        and declared
        and declared.isdigit()
        and int(declared) > max_bytes
    ):
        raise FetchError(url, "too-large", detail=f"Content-Length {declared} > {max_bytes}")
    chunks: list[bytes] = []
    try:
        async for chunk in response.aiter_raw():
            chunks.append(decoder.decode(chunk))
            if decoder.full:
                return b"".join(chunks)
        decoder.finish()
    except BodyTooLargeError as exc:
        raise FetchError(url, "too-large", detail=str(exc)) from exc
    except DecodingError as exc:
        raise RetryableTransportError("network", exc) from exc
    return b"".join(chunks)
