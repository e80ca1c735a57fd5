"""The one exception the crawler raises for a fetch that did not produce a usable response."""

from __future__ import annotations

from typing import Literal

__all__ = ["FetchError", "FetchErrorReason"]

FetchErrorReason = Literal[
    "status",  # final HTTP status was not 2xx/304 (after retries); see ``.status``
    "robots",  # robots.txt disallows the URL
    "too-large",  # body exceeded CrawlerConfig.max_body_bytes (after decoding)
    "too-many-redirects",  # more than CrawlerConfig.max_redirects hops
    "bad-redirect",  # a 3xx without a usable Location
    "timeout",  # connect/read timeouts on every attempt
    "network",  # connection refused/reset, protocol errors on every attempt
    "bad-url",  # not an absolute http(s) URL
    "replay-miss",  # replay mode: the URL is not in the WARC files
    "forbidden-address",  # the host resolves to a private/loopback/link-local address
    "foreign-redirect",  # a redirect left the domains the caller allowed
]


class FetchError(Exception):
    """A fetch failed. ``reason`` says why; ``status`` is the last HTTP status seen, if any."""

    def __init__(
        self,
        url: str,
        reason: FetchErrorReason,
        *,
        status: int | None = None,
        attempts: int = 1,
        detail: str | None = None,
    ) -> None:
        self.url = url
        self.reason: FetchErrorReason = reason
        self.status = status
        self.attempts = attempts
        self.detail = detail
        super().__init__(self._message())

    def _message(self) -> str:
        tries = f"{self.attempts} attempt{'s' if self.attempts != 1 else ''}"
        if self.reason == "status":
            return f"{self.url}: HTTP {self.status} after {tries}"
        if self.reason in ("timeout", "network"):
            what = "timed out" if self.reason == "timeout" else "network error"
            extra = f" ({self.detail})" if self.detail else ""
            return f"{self.url}: {what} after {tries}{extra}"
        text = {
            "robots": "disallowed by robots.txt",
            "too-large": "body larger than the configured maximum",
            "too-many-redirects": "too many redirects",
            "bad-redirect": "redirect without a usable Location",
            "bad-url": "not an absolute http(s) URL",
            "replay-miss": "not found in the replayed WARC files",
            "forbidden-address": "refused: the host resolves to a non-public address",
            "foreign-redirect": "refused: redirect outside the allowed domains",
        }[self.reason]
        extra = f" ({self.detail})" if self.detail else ""
        return f"{self.url}: {text}{extra}"

    def __reduce__(self) -> tuple[object, ...]:  # keep picklable (Prefect may ship it)
        return (
            _rebuild,
            (self.url, self.reason, self.status, self.attempts, self.detail),
        )


def _rebuild(
    url: str, reason: FetchErrorReason, status: int | None, attempts: int, detail: str | None
) -> FetchError:
    return FetchError(url, reason, status=status, attempts=attempts, detail=detail)
