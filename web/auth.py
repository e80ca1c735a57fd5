"""Credentials and headers, as ASGI middleware around the whole application.

``Guard``: when a token or basic credentials are configured, every request but ``/healthz``
must carry them (``Authorization: Bearer <token>`` or ``Basic``), compared in constant time;
otherwise 401 with a ``WWW-Authenticate`` challenge. ``Headers``: the security headers of
``web.render.SECURITY_HEADERS`` on every response, errors and 401s included.
"""

from __future__ import annotations

import base64
import binascii
import hmac

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from web.config import WebConfig
from web.render import SECURITY_HEADERS

__all__ = ["Guard", "SecurityHeaders", "authorized"]

OPEN_PATHS = frozenset({"/healthz"})


def _same(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


def authorized(header: str, config: WebConfig) -> bool:
    scheme, _, value = header.partition(" ")
    value = value.strip()
    if scheme.lower() == "bearer" and config.token:
        return _same(value, config.token)
    if scheme.lower() == "basic" and config.username and config.password:
        try:
            decoded = base64.b64decode(value, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return False
        user, colon, password = decoded.partition(":")
        # Both compared, always: the time taken does not tell which one was wrong.
        user_ok = _same(user, config.username)
        password_ok = _same(password, config.password)
        return bool(colon) and user_ok and password_ok
    return False


class Guard:
    def __init__(self, app: ASGIApp, config: WebConfig) -> None:
        self.app = app
        self.config = config

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or not self.config.protected
            or scope["path"] in OPEN_PATHS
            or authorized(Headers(scope=scope).get("authorization", ""), self.config)
        ):
            await self.app(scope, receive, send)
            return
        challenge = (
            'Basic realm="diplowatch", charset="UTF-8"'
            if self.config.username
            else 'Bearer realm="diplowatch"'
        )
        body = "Cần đăng nhập (authentication required)\n".encode()
        await send({
            "type": "http.response.start",
            "status": 401,
            "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
                (b"www-authenticate", challenge.encode()),
            ],
        })  # fmt: skip
        await send({"type": "http.response.body", "body": body})


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    if name not in headers:
                        headers[name] = value
            await send(message)

        await self.app(scope, receive, with_headers)
