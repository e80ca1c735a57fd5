"""A real HTTP/1.1 server on 127.0.0.1 for offline tests, serving many virtual hosts.

Routes are keyed by (Host header without port, path). The crawler reaches the server through
``CrawlerConfig.host_map`` while using real URLs (``https://vnexpress.net/...``)::

    from tests.http_server import LocalServer, Reply, local_server  # fixture

    async def test_something(local_server: LocalServer) -> None:
        local_server.add("vnexpress.net", "/a.html", "<html>...</html>")
        local_server.add_sequence("vnexpress.net", "/flaky", [Reply(503), Reply(200, "ok")])
        config = CrawlerConfig(user_agent="t", host_map=local_server.host_map("vnexpress.net"))
        ...
        assert local_server.requests_to("vnexpress.net", "/a.html")[0].headers["user-agent"]

Features:
- ``add(host, path, body, status=200, headers=None, **options)``: a fixed reply; ``options``
  are ``Reply`` fields (``delay``, ``chunked``, ``chunk_delay``, ``gzip``, ``drop``...).
- ``add_sequence``: replies served in order, the last one repeating ("503 then 200").
- ``add_handler``: any ``Callable[[RecordedRequest], Reply]``.
- ``add_redirect``: a 3xx with Location.
- Conditional GET: a 200 reply carrying ``ETag`` / ``Last-Modified`` is answered 304 when the
  request's ``If-None-Match`` / ``If-Modified-Since`` matches (disable with
  ``conditional=False``).
- ``host="*"`` matches any host; a path with a query string matches exactly, otherwise the
  path without query is tried. Unknown routes get 404.
- ``requests``: every request received (method, host, path, lower-cased headers, arrival
  time from ``time.monotonic()``), in arrival order.

Faults (``Reply`` fields, for the fault-injection tests):
- ``stream``: a callable returning an iterable of byte pieces, sent as they come (a 100 MB
  body without building it); with ``stream_length`` it is sent with that Content-Length
  (and may stop short of it), otherwise chunked;
- ``reset``: the connection is reset (TCP RST) before any byte of the answer;
  ``reset_after=N``: headers and the first N body bytes go out, then the reset;
- ``raw``: these bytes are written as the whole answer (status line, headers, body),
  then the connection is closed: malformed HTTP, lying Content-Length, anything.
"""

from __future__ import annotations

import contextlib
import gzip
import socket
import struct
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

__all__ = ["LocalServer", "RecordedRequest", "Reply", "local_server"]

HeaderInput = Mapping[str, str] | Sequence[tuple[str, str]] | None


@dataclass
class Reply:
    """What the server answers. ``body`` str is encoded as UTF-8."""

    status: int = 200
    body: bytes | str = b""
    headers: HeaderInput = None
    content_type: str | None = ""  # "" = automatic (text/html[; charset=utf-8]), None = omit
    delay: float = 0.0  # seconds to wait before sending anything
    chunked: bool = False  # Transfer-Encoding: chunked instead of Content-Length
    chunk_size: int = 16_384
    chunk_delay: float = 0.0  # seconds between body chunks (a slow body)
    gzip: bool = False  # gzip the body and send Content-Encoding: gzip
    drop: bool = False  # close the connection without answering (a network error)
    conditional: bool = True  # answer 304 when the request's validators match
    stream: Callable[[], Iterable[bytes]] | None = None  # body pieces, sent as produced
    stream_length: int | None = None  # Content-Length announced for ``stream`` (else chunked)
    reset: bool = False  # TCP reset before any byte of the answer
    reset_after: int | None = None  # TCP reset after this many body bytes
    raw: bytes | None = None  # the whole answer, verbatim; the connection is then closed

    def header_list(self) -> list[tuple[str, str]]:
        if self.headers is None:
            return []
        if isinstance(self.headers, Mapping):
            return list(self.headers.items())
        return list(self.headers)

    def header(self, name: str) -> str | None:
        for key, value in self.header_list():
            if key.lower() == name.lower():
                return value
        return None

    def body_bytes(self) -> bytes:
        return self.body.encode("utf-8") if isinstance(self.body, str) else self.body


@dataclass(frozen=True)
class RecordedRequest:
    """One request as the server received it."""

    method: str
    host: str  # Host header, lower-case, without port
    path: str  # path with query string
    headers: dict[str, str]  # lower-case names
    time: float  # time.monotonic() when the request line and headers were read
    body: bytes = b""


Handler = Callable[[RecordedRequest], Reply]


@dataclass
class _Sequence:
    replies: list[Reply]
    index: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __call__(self, request: RecordedRequest) -> Reply:
        with self.lock:
            reply = self.replies[min(self.index, len(self.replies) - 1)]
            self.index += 1
            return reply


def _not_modified(request: RecordedRequest, reply: Reply) -> bool:
    if not reply.conditional or reply.status != 200:
        return False
    etag = reply.header("etag")
    if_none_match = request.headers.get("if-none-match")
    if etag and if_none_match:
        tags = {tag.strip() for tag in if_none_match.split(",")}
        return etag in tags or "*" in tags
    last_modified = reply.header("last-modified")
    if_modified_since = request.headers.get("if-modified-since")
    return bool(last_modified and if_modified_since and last_modified == if_modified_since)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    local: LocalServer

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            return  # the client went away (timeouts, body caps): expected in tests
        super().handle_error(request, client_address)


class _RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out in separate writes
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # silence stderr logging
        pass

    def do_GET(self) -> None:
        self._serve()

    def do_HEAD(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def _serve(self) -> None:
        arrived = time.monotonic()
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        host = (self.headers.get("Host") or "").lower()
        host = host.rsplit(":", 1)[0] if not host.endswith("]") else host
        request = RecordedRequest(
            method=self.command,
            host=host,
            path=self.path,
            headers={key.lower(): value for key, value in self.headers.items()},
            time=arrived,
            body=body,
        )
        local = self.server.local
        local._record(request)
        reply = local._reply_for(request)
        try:
            self._send(request, reply)
        except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError):
            self.close_connection = True

    def _reset(self) -> None:
        """Abort the connection with a TCP RST (SO_LINGER 0), not an orderly FIN."""
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()

    def _send_stream(self, reply: Reply) -> None:
        assert reply.stream is not None
        headers = reply.header_list()
        names = {key.lower() for key, _ in headers}
        if reply.content_type is not None and "content-type" not in names:
            headers.append(("Content-Type", reply.content_type or "text/html"))
        self.send_response(reply.status)
        for key, value in headers:
            self.send_header(key, value)
        if reply.stream_length is not None:
            self.send_header("Content-Length", str(reply.stream_length))
        else:
            self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        for piece in reply.stream():
            if reply.chunk_delay:
                time.sleep(reply.chunk_delay)
            if reply.stream_length is None:
                self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
            else:
                self.wfile.write(piece)
        if reply.stream_length is None:
            self.wfile.write(b"0\r\n\r\n")
        else:
            self.close_connection = True  # the body may have stopped short of its length

    def _send(self, request: RecordedRequest, reply: Reply) -> None:
        if reply.delay:
            time.sleep(reply.delay)
        if reply.reset:
            self._reset()
            return
        if reply.raw is not None:
            self.close_connection = True
            self.wfile.write(reply.raw)
            self.wfile.flush()
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_WR)
            return
        if reply.stream is not None:
            self._send_stream(reply)
            return
        if reply.drop:
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(2)  # socket.SHUT_RDWR
            return
        status = reply.status
        body = reply.body_bytes()
        headers = reply.header_list()
        if _not_modified(request, reply):
            status, body = 304, b""
        names = {key.lower() for key, _ in headers}
        if reply.content_type is not None and "content-type" not in names and status != 304:
            auto = "text/html; charset=utf-8" if isinstance(reply.body, str) else "text/html"
            headers.append(("Content-Type", reply.content_type or auto))
        if reply.gzip and body:
            body = gzip.compress(body)
            headers.append(("Content-Encoding", "gzip"))
        no_body = request.method == "HEAD" or status in (204, 304) or 100 <= status < 200
        self.send_response(status)
        for key, value in headers:
            self.send_header(key, value)
        if reply.chunked and not no_body:
            self.send_header("Transfer-Encoding", "chunked")
        elif status not in (204, 304):
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if no_body:
            return
        if reply.reset_after is not None:
            self.wfile.write(body[: reply.reset_after])
            self.wfile.flush()
            time.sleep(0.05)  # let the client read the partial body before the reset
            self._reset()
            return
        if not reply.chunked and not reply.chunk_delay:
            self.wfile.write(body)
            return
        step = max(1, reply.chunk_size)
        for start in range(0, len(body), step):
            piece = body[start : start + step]
            if reply.chunk_delay:
                time.sleep(reply.chunk_delay)
            if reply.chunked:
                self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
            else:
                self.wfile.write(piece)
            self.wfile.flush()
        if reply.chunked:
            self.wfile.write(b"0\r\n\r\n")


class LocalServer:
    """A threaded HTTP/1.1 server on 127.0.0.1 with per-Host routes and a request log."""

    def __init__(self) -> None:
        self._routes: dict[tuple[str, str], Handler] = {}
        self._lock = threading.Lock()
        self._requests: list[RecordedRequest] = []
        self._server = _Server(("127.0.0.1", 0), _RequestHandler)
        self._server.local = self
        self.port: int = self._server.server_address[1]
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        self._closed = False

    # -- addresses -----------------------------------------------------------------------

    @property
    def address(self) -> str:
        """``"127.0.0.1:<port>"``, the value to put in ``CrawlerConfig.host_map``."""
        return f"127.0.0.1:{self.port}"

    def host_map(self, *hosts: str) -> dict[str, str]:
        """``{host: address}`` for each host (``"*.example.com"`` wildcards are fine)."""
        return dict.fromkeys(hosts, self.address)

    def url(self, path: str = "/") -> str:
        """Direct URL on the loopback address (Host header will be 127.0.0.1)."""
        return f"http://{self.address}{path}"

    # -- routes --------------------------------------------------------------------------

    def add(
        self,
        host: str,
        path: str,
        body: bytes | str = b"",
        status: int = 200,
        headers: HeaderInput = None,
        **options: Any,
    ) -> None:
        """Serve a fixed reply. ``options`` are other ``Reply`` fields."""
        self.add_reply(host, path, Reply(status=status, body=body, headers=headers, **options))

    def add_reply(self, host: str, path: str, reply: Reply) -> None:
        self.add_handler(host, path, lambda _request: reply)

    def add_sequence(self, host: str, path: str, replies: Sequence[Reply]) -> None:
        """Serve ``replies`` in order; the last one repeats forever."""
        if not replies:
            raise ValueError("add_sequence needs at least one reply")
        self.add_handler(host, path, _Sequence(list(replies)))

    def add_redirect(self, host: str, path: str, location: str, status: int = 301) -> None:
        self.add(host, path, status=status, headers={"Location": location}, content_type=None)

    def add_handler(self, host: str, path: str, handler: Handler) -> None:
        with self._lock:
            self._routes[(host.lower(), path)] = handler

    def remove(self, host: str, path: str) -> None:
        with self._lock:
            self._routes.pop((host.lower(), path), None)

    # -- request log ---------------------------------------------------------------------

    @property
    def requests(self) -> list[RecordedRequest]:
        """A snapshot of every request received so far, in arrival order."""
        with self._lock:
            return list(self._requests)

    def requests_to(
        self, host: str | None = None, path: str | None = None
    ) -> list[RecordedRequest]:
        """Requests for ``host`` (and ``path``, with query string) only."""
        return [
            request
            for request in self.requests
            if (host is None or request.host == host.lower())
            and (path is None or request.path == path)
        ]

    def clear_requests(self) -> None:
        with self._lock:
            self._requests.clear()

    # -- lifecycle -----------------------------------------------------------------------

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> LocalServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- used by the request handler -----------------------------------------------------

    def _record(self, request: RecordedRequest) -> None:
        with self._lock:
            self._requests.append(request)

    def _reply_for(self, request: RecordedRequest) -> Reply:
        bare_path = request.path.split("?", 1)[0]
        with self._lock:
            handler = None
            for host in (request.host, "*"):
                for path in (request.path, bare_path):
                    handler = self._routes.get((host, path))
                    if handler is not None:
                        break
                if handler is not None:
                    break
        if handler is None:
            return Reply(404, "not found", content_type="text/plain; charset=utf-8")
        return handler(request)


@pytest.fixture
def local_server() -> Iterator[LocalServer]:
    """A started ``LocalServer``; closed after the test."""
    server = LocalServer()
    try:
        yield server
    finally:
        server.close()
