"""A real SMTP server (aiosmtpd) on 127.0.0.1 for the tests, recording what it receives."""

from __future__ import annotations

import email
import socket
from collections.abc import Iterator
from email.message import EmailMessage
from email.policy import default
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from digest.send import SmtpConfig


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class RecordingHandler:
    """Stores every delivered envelope; refuses the RCPTs listed in ``refuse``."""

    def __init__(
        self, refuse: dict[str, str] | None = None, data_reply: str = "250 Message accepted"
    ) -> None:
        self.refuse = refuse or {}
        self.data_reply = data_reply
        self.envelopes: list[tuple[str, list[str], bytes]] = []

    async def handle_RCPT(  # noqa: N802 - aiosmtpd hook name
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: Any
    ) -> str:
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        if not self.data_reply.startswith("250"):
            return self.data_reply
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return self.data_reply


def start_server(handler: RecordingHandler, port: int, **kwargs: Any) -> Any:
    controller = Controller(
        handler, hostname="127.0.0.1", port=port, server_hostname="localhost", **kwargs
    )
    controller.start()
    return controller


@pytest.fixture
def smtp_server() -> Iterator[tuple[RecordingHandler, SmtpConfig]]:
    handler = RecordingHandler()
    port = free_port()
    controller = start_server(handler, port)
    config = SmtpConfig(
        host="127.0.0.1",
        port=port,
        security="none",
        sender="diplowatch@news.example.vn",
        timeout_seconds=5,
    )
    try:
        yield handler, config
    finally:
        controller.stop()


def parse(raw: bytes) -> EmailMessage:
    message = email.message_from_bytes(raw, policy=default)
    assert isinstance(message, EmailMessage)
    return message
