"""WARC archive of every exchange, and replay of WARC files as an httpx transport.

Archive: one gzip WARC per crawler lifetime, ``diplowatch-YYYYmmddTHHMMSSZ-<hex>.warc.gz``,
starting with a ``warcinfo`` record, then a ``request`` + ``response`` pair per exchange
(linked by ``WARC-Concurrent-To``). httpx decodes Content-Encoding, so the stored response
holds the *decoded* body; Content-Encoding and Transfer-Encoding are dropped from the stored
headers and Content-Length is set to the stored length. ``WARC-Target-URI`` is the URL the
crawler asked for (the real site, never a host-mapped address).

Replay: ``ReplayTransport`` indexes response records by URL and answers requests with the
stored status, headers and body; unknown URLs get a 404 with ``X-Diplowatch-Replay: miss``.
"""

from __future__ import annotations

import asyncio
import io
import logging
import secrets
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

import httpx
from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.timeutils import datetime_to_iso_date
from warcio.warcwriter import WARCWriter

__all__ = [
    "REPLAY_HEADER",
    "ReplayTransport",
    "WarcArchive",
    "clean_stored_headers",
]

logger = logging.getLogger("diplowatch.crawler")

REPLAY_HEADER = "X-Diplowatch-Replay"
_DROPPED = frozenset({"content-encoding", "transfer-encoding", "content-length"})


def clean_stored_headers(
    headers: Iterable[tuple[str, str]], body_length: int
) -> list[tuple[str, str]]:
    """Headers describing a decoded body: no Content/Transfer-Encoding, exact Content-Length."""
    kept = [(name, value) for name, value in headers if name.lower() not in _DROPPED]
    kept.append(("Content-Length", str(body_length)))
    return kept


def _request_line(url: str) -> str:
    parsed = httpx.URL(url)
    target = parsed.raw_path.decode("ascii", errors="replace") or "/"
    return f"GET {target} HTTP/1.1"


class WarcArchive:
    """Append-only gzip WARC file for one crawler lifetime. Thread-safe writes."""

    def __init__(self, directory: Path, *, software: str = "diplowatch") -> None:
        directory.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        self.path = directory / f"diplowatch-{stamp}-{secrets.token_hex(4)}.warc.gz"
        self._file: BinaryIO = self.path.open("xb")
        self._writer = WARCWriter(self._file, gzip=True, warc_version="1.1")
        self._lock = threading.Lock()
        self._closed = False
        info = self._writer.create_warcinfo_record(
            self.path.name,
            {"software": software, "format": "WARC File Format 1.1"},
        )
        self._writer.write_record(info)
        self._file.flush()

    def write_exchange(
        self,
        *,
        url: str,
        request_headers: Sequence[tuple[str, str]],
        status: int,
        reason: str,
        response_headers: Sequence[tuple[str, str]],
        body: bytes,
        fetched_at: datetime,
    ) -> None:
        """Write one request + response pair. ``response_headers`` must already be cleaned."""
        date = datetime_to_iso_date(fetched_at.astimezone(UTC).replace(tzinfo=None))
        status_line = f"{status} {reason or httpx.codes.get_reason_phrase(status)}".strip()
        response = self._writer.create_warc_record(
            url,
            "response",
            payload=io.BytesIO(body),
            length=len(body),
            warc_headers_dict={"WARC-Date": date},
            http_headers=StatusAndHeaders(status_line, list(response_headers), protocol="HTTP/1.1"),
        )
        request = self._writer.create_warc_record(
            url,
            "request",
            payload=io.BytesIO(b""),
            length=0,
            warc_headers_dict={
                "WARC-Date": date,
                "WARC-Concurrent-To": response.rec_headers.get_header("WARC-Record-ID"),
            },
            http_headers=StatusAndHeaders(
                _request_line(url), list(request_headers), is_http_request=True
            ),
        )
        with self._lock:
            if self._closed:
                logger.warning("WARC already closed, exchange not archived: %s", url)
                return
            self._writer.write_record(request)
            self._writer.write_record(response)
            self._file.flush()

    async def awrite_exchange(self, **kwargs: Any) -> None:
        """``write_exchange`` in a worker thread (gzip of a large body must not block the loop)."""
        await asyncio.to_thread(lambda: self.write_exchange(**kwargs))

    def close(self) -> None:
        with self._lock:
            if not self._closed:
                self._closed = True
                self._file.close()


@dataclass(frozen=True)
class _Stored:
    status: int
    reason: str
    headers: tuple[tuple[str, str], ...]
    body: bytes

    def header(self, name: str) -> str | None:
        name = name.lower()
        for key, value in self.headers:
            if key.lower() == name:
                return value
        return None


def _url_keys(url: str) -> list[str]:
    keys = [url, url.split("#", 1)[0]]
    try:
        normal = str(httpx.URL(url).copy_with(fragment=None))
    except (httpx.InvalidURL, ValueError):
        return keys
    keys.append(normal)
    return keys


class ReplayTransport(httpx.AsyncBaseTransport):
    """Answer requests from WARC files; never touches the network.

    The latest full response per URL wins. A stored 304 is only used when the URL has no
    full response. A conditional request whose ``If-None-Match`` / ``If-Modified-Since`` matches
    the stored ``ETag`` / ``Last-Modified`` is answered 304, like the live server would.
    """

    def __init__(self, paths: Iterable[Path]) -> None:
        self._full: dict[str, _Stored] = {}
        self._not_modified: dict[str, _Stored] = {}
        self.paths = tuple(Path(p) for p in paths)
        for path in self.paths:
            self._load(path)
        logger.info("replaying %d URLs from %d WARC file(s)", len(self._full), len(self.paths))

    def _load(self, path: Path) -> None:
        with path.open("rb") as stream:
            for record in ArchiveIterator(stream):
                if record.rec_type != "response" or record.http_headers is None:
                    continue
                uri = record.rec_headers.get_header("WARC-Target-URI")
                if not uri:
                    continue
                body = record.content_stream().read()  # undoes chunked / content-encoding
                status_line = record.http_headers.statusline or ""
                code, _, reason = status_line.partition(" ")
                try:
                    status = int(code)
                except ValueError:
                    continue
                headers = clean_stored_headers(record.http_headers.headers, len(body))
                stored = _Stored(status, reason.strip(), tuple(headers), body)
                target = self._not_modified if status == 304 else self._full
                for key in _url_keys(uri):
                    target[key] = stored

    def urls(self) -> list[str]:
        """Every URL with a full (non-304) stored response, as recorded."""
        return sorted({key for key in self._full if "#" not in key})

    def __contains__(self, url: object) -> bool:
        return isinstance(url, str) and any(key in self._full for key in _url_keys(url))

    def _find(self, url: str) -> _Stored | None:
        for table in (self._full, self._not_modified):
            for key in _url_keys(url):
                if key in table:
                    return table[key]
        return None

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        url = str(request.url)
        stored = self._find(url)
        if stored is None:
            logger.debug("replay miss: %s", url)
            return httpx.Response(
                404,
                headers={REPLAY_HEADER: "miss", "Content-Type": "text/plain"},
                content=b"not in the replayed WARC files\n",
                request=request,
            )
        headers = list(stored.headers)
        headers.append((REPLAY_HEADER, "hit"))
        if stored.status != 304 and _matches_validators(request, stored):
            kept = [(k, v) for k, v in headers if k.lower() != "content-length"]
            return httpx.Response(
                304,
                headers=[*kept, ("Content-Length", "0")],
                content=b"",
                request=request,
                extensions={"reason_phrase": b"Not Modified"},
            )
        return httpx.Response(
            stored.status,
            headers=headers,
            content=stored.body,
            request=request,
            extensions={"reason_phrase": stored.reason.encode("latin-1", errors="replace")},
        )


def _matches_validators(request: httpx.Request, stored: _Stored) -> bool:
    if_none_match = request.headers.get("if-none-match")
    etag = stored.header("etag")
    if if_none_match and etag:
        candidates = {tag.strip() for tag in if_none_match.split(",")}
        return etag in candidates or "*" in candidates
    if_modified_since = request.headers.get("if-modified-since")
    last_modified = stored.header("last-modified")
    return bool(if_modified_since and last_modified and if_modified_since == last_modified)
