"""HTTP details the crawler needs: exchanges, Retry-After, content types, URL checks."""

from __future__ import annotations

import email.utils
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx

from crawler.errors import FetchError, FetchErrorReason

_TEXTUAL_MARKERS = ("html", "xml", "rss", "atom")


def is_textual(content_type: str | None) -> bool:
    """Whether a body of this Content-Type gets ``Fetched.text`` (HTML, XML, feeds, text/*)."""
    if not content_type or not content_type.strip():
        return True
    media = content_type.split(";", 1)[0].strip().lower()
    return media.startswith("text/") or any(marker in media for marker in _TEXTUAL_MARKERS)


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Retry-After as seconds from now (delta-seconds or HTTP-date), or None if unusable."""
    if value is None or not value.strip():
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    current = now or datetime.now(UTC)
    return max(0.0, (moment - current).total_seconds())


@dataclass
class Exchange:
    """One request/response on the wire (body decoded, headers cleaned)."""

    url: str
    status: int
    headers: list[tuple[str, str]]
    body: bytes
    fetched_at: datetime
    attempts: int = 1

    def header(self, name: str) -> str | None:
        name = name.lower()
        values = [value for key, value in self.headers if key.lower() == name]
        return ", ".join(values) if values else None

    def header_dict(self) -> dict[str, str]:
        merged: dict[str, str] = {}
        for key, value in self.headers:
            key = key.lower()
            merged[key] = f"{merged[key]}, {value}" if key in merged else value
        return merged


class RetryableTransportError(Exception):
    """A timeout or network error on one attempt (retryable)."""

    def __init__(self, reason: FetchErrorReason, cause: BaseException) -> None:
        super().__init__(f"{type(cause).__name__}: {cause}".rstrip(": "))
        self.reason: FetchErrorReason = reason


def absolute_url(url: str) -> httpx.URL:
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError, ValueError) as exc:
        raise FetchError(url, "bad-url", detail=str(exc)) from exc
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise FetchError(url, "bad-url")
    return parsed.copy_with(fragment=None)


def within_domains(host: str, domains: Sequence[str]) -> bool:
    host = host.lower().rstrip(".")
    return any(host == d or host.endswith("." + d) for d in (d.lower() for d in domains))
