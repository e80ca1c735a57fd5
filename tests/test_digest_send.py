"""digest.send against a real aiosmtpd server on 127.0.0.1 (random free port)."""

from __future__ import annotations

import pickle
import threading
import time
from email.utils import parsedate_to_datetime
from html.parser import HTMLParser
from typing import Any

import pytest

from digest.render import RenderedDigest, render_digest
from digest.send import (
    SendError,
    SmtpConfig,
    build_message,
    send_digest,
    send_digest_with_retry,
)
from tests.smtp_server import (
    RecordingHandler,
    free_port,
    parse,
    start_server,
)
from tests.test_digest_render import HOSTILE_TITLE, make_digest, make_story, three_stories

RECIPIENTS = ("analyst@example.org", "desk@example.org")
PASSWORD = "s3cret-Password!"


def test_digest_arrives_as_multipart_alternative(
    smtp_server: tuple[RecordingHandler, SmtpConfig],
) -> None:
    handler, config = smtp_server
    rendered = render_digest(make_digest(*three_stories()))
    result = send_digest(rendered, RECIPIENTS, config)

    assert result.accepted == RECIPIENTS
    assert result.refused == {}
    assert len(handler.envelopes) == 1
    mail_from, rcpt_tos, raw = handler.envelopes[0]
    assert mail_from == "diplowatch@news.example.vn"
    assert rcpt_tos == list(RECIPIENTS)
    assert all(byte < 128 for byte in raw)  # 7-bit clean: no 8BITMIME needed

    message = parse(raw)
    assert message.get_content_type() == "multipart/alternative"
    parts = list(message.iter_parts())
    assert [part.get_content_type() for part in parts] == ["text/plain", "text/html"]
    assert all(part.get_content_charset() == "utf-8" for part in parts)
    # Transport turns line ends into CRLF; the content is otherwise unchanged.
    assert parts[0].get_content().replace("\r\n", "\n") == rendered.text
    assert parts[1].get_content().replace("\r\n", "\n") == rendered.html
    assert "Thủ tướng tiếp Đại sứ Hoa Kỳ" in parts[0].get_content()

    assert "=?utf-8?" in raw.decode("ascii").split("\r\n\r\n")[0]  # RFC 2047 subject
    assert message["Subject"] == rendered.subject
    assert message["Subject"] == "diplowatch vn-us — 24/11/2026: 3 tin, 5 bài từ 3 báo"
    assert message["Message-ID"] == result.message_id
    assert result.message_id.startswith("<")
    assert result.message_id.endswith("@news.example.vn>")
    assert parsedate_to_datetime(message["Date"]).utcoffset() is not None
    assert message["From"] == "diplowatch@news.example.vn"
    assert [a.addr_spec for a in message["To"].addresses] == list(RECIPIENTS)


def test_hostile_title_survives_transport_escaped(
    smtp_server: tuple[RecordingHandler, SmtpConfig],
) -> None:
    handler, config = smtp_server
    entries = (
        make_story(HOSTILE_TITLE),
        make_story("Liên kết xấu", url="javascript:alert(1)"),
    )
    rendered = render_digest(make_digest(*entries))
    send_digest(rendered, RECIPIENTS[:1], config)
    message = parse(handler.envelopes[0][2])
    html_part = message.get_body(preferencelist=("html",))
    assert html_part is not None
    html = html_part.get_content()

    hrefs: list[str] = []
    tags: list[str] = []

    class Collect(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            tags.append(tag)
            hrefs.extend(v or "" for k, v in attrs if k == "href")

    Collect().feed(html)
    assert "script" not in tags
    assert hrefs == [entries[0].url, entries[0].url]  # its headline and its one outlet
    assert not any("javascript:" in href for href in hrefs)
    assert "\u202e" not in html
    assert "\u202e" not in str(message["Subject"])


def test_empty_digest_is_sent(smtp_server: tuple[RecordingHandler, SmtpConfig]) -> None:
    handler, config = smtp_server
    send_digest(render_digest(make_digest()), RECIPIENTS, config)
    message = parse(handler.envelopes[0][2])
    assert message["Subject"] == "diplowatch vn-us — 24/11/2026: Không có tin ngoại giao mới"
    text_part = message.get_body(preferencelist=("plain",))
    assert text_part is not None
    assert "Không có tin ngoại giao mới" in text_part.get_content()


def test_one_refused_recipient_is_reported_and_others_delivered() -> None:
    handler = RecordingHandler(refuse={"ghost@example.org": "550 no such user"})
    port = free_port()
    controller = start_server(handler, port)
    try:
        config = SmtpConfig(host="127.0.0.1", port=port, security="none", timeout_seconds=5)
        result = send_digest(
            render_digest(make_digest(make_story())),
            ["analyst@example.org", "ghost@example.org", "desk@example.org"],
            config,
        )
    finally:
        controller.stop()
    assert result.accepted == ("analyst@example.org", "desk@example.org")
    assert result.refused == {"ghost@example.org": "550 no such user"}
    assert handler.envelopes[0][1] == ["analyst@example.org", "desk@example.org"]


@pytest.mark.parametrize(
    ("reply", "temporary"), [("550 no such user", False), ("450 mailbox busy", True)]
)
def test_all_recipients_refused_raises(reply: str, temporary: bool) -> None:
    handler = RecordingHandler(refuse={"ghost@example.org": reply})
    port = free_port()
    controller = start_server(handler, port)
    try:
        config = SmtpConfig(host="127.0.0.1", port=port, security="none", timeout_seconds=5)
        with pytest.raises(SendError) as caught:
            send_digest(render_digest(make_digest()), ["ghost@example.org"], config)
    finally:
        controller.stop()
    assert caught.value.temporary is temporary
    assert f"127.0.0.1:{port}" in str(caught.value)
    assert reply in str(caught.value)
    assert handler.envelopes == []


@pytest.mark.parametrize(
    ("reply", "temporary"), [("451 local error, try later", True), ("554 rejected", False)]
)
def test_refused_message_data_raises(reply: str, temporary: bool) -> None:
    handler = RecordingHandler(data_reply=reply)
    port = free_port()
    controller = start_server(handler, port)
    try:
        config = SmtpConfig(host="127.0.0.1", port=port, security="none", timeout_seconds=5)
        with pytest.raises(SendError) as caught:
            send_digest(render_digest(make_digest()), RECIPIENTS, config)
    finally:
        controller.stop()
    assert caught.value.temporary is temporary
    assert caught.value.code == int(reply[:3])
    assert reply in str(caught.value)


def test_connection_refused_is_temporary() -> None:
    port = free_port()  # nothing listens there
    config = SmtpConfig(host="127.0.0.1", port=port, security="none", timeout_seconds=2)
    with pytest.raises(SendError) as caught:
        send_digest(render_digest(make_digest()), RECIPIENTS, config)
    assert caught.value.temporary is True
    assert str(caught.value).startswith(f"SMTP 127.0.0.1:{port}: connection failed")
    assert (caught.value.host, caught.value.port, caught.value.code) == ("127.0.0.1", port, None)


def test_retry_succeeds_once_the_server_comes_up(caplog: pytest.LogCaptureFixture) -> None:
    handler = RecordingHandler()
    port = free_port()
    controllers: list[Any] = []
    starter = threading.Timer(0.3, lambda: controllers.append(start_server(handler, port)))
    config = SmtpConfig(host="127.0.0.1", port=port, security="none", timeout_seconds=5)
    started = time.monotonic()
    starter.start()
    try:
        result = send_digest_with_retry(
            render_digest(make_digest(make_story())),
            RECIPIENTS,
            config,
            attempts=6,
            backoff_seconds=0.15,
        )
    finally:
        starter.join()
        for controller in controllers:
            controller.stop()
    assert time.monotonic() - started < 5
    retries = [r for r in caplog.records if "retrying" in r.getMessage()]
    assert retries  # the first try found nothing listening
    assert all("connection failed" in r.getMessage() for r in retries)
    assert result.accepted == RECIPIENTS
    assert len(handler.envelopes) == 1
    assert parse(handler.envelopes[0][2])["Message-ID"] == result.message_id


def test_retry_gives_up_after_attempts_with_doubling_waits() -> None:
    waits: list[float] = []
    config = SmtpConfig(host="127.0.0.1", port=free_port(), security="none", timeout_seconds=2)
    with pytest.raises(SendError) as caught:
        send_digest_with_retry(
            render_digest(make_digest()),
            RECIPIENTS,
            config,
            attempts=3,
            backoff_seconds=1.5,
            sleep=waits.append,
        )
    assert caught.value.temporary is True
    assert waits == [1.5, 3.0]


def test_retry_does_not_repeat_permanent_errors() -> None:
    handler = RecordingHandler(refuse={"ghost@example.org": "550 no such user"})
    port = free_port()
    controller = start_server(handler, port)
    waits: list[float] = []
    try:
        config = SmtpConfig(host="127.0.0.1", port=port, security="none", timeout_seconds=5)
        with pytest.raises(SendError) as caught:
            send_digest_with_retry(
                render_digest(make_digest()),
                ["ghost@example.org"],
                config,
                attempts=3,
                backoff_seconds=1,
                sleep=waits.append,
            )
    finally:
        controller.stop()
    assert caught.value.temporary is False
    assert waits == []


def test_build_message_without_a_server() -> None:
    rendered = RenderedDigest(subject="Tin\r\nBcc: x@evil.example", html="<p>á</p>", text="á")
    message = build_message(rendered, "Bản tin diplowatch <bot@tin.example.vn>", ["a@b.vn"])
    assert message["Subject"] == "Tin Bcc: x@evil.example"  # no header injection
    assert message["Bcc"] is None
    assert str(message["Message-ID"]).endswith("@tin.example.vn>")
    assert message["Date"] is not None
    assert message.get_content_type() == "multipart/alternative"
    again = parse(message.as_bytes())
    assert again["From"].addresses[0].display_name == "Bản tin diplowatch"
    with pytest.raises(ValueError, match="no recipients"):
        build_message(rendered, "bot@tin.example.vn", [])
    with pytest.raises(ValueError, match="not an email address"):
        build_message(rendered, "bot@tin.example.vn", ["a@b.vn\r\nBcc: x@evil.example"])


def test_send_error_pickles_with_its_fields() -> None:
    error = SendError(
        "SMTP smtp.example.vn:587: 421 try later",
        temporary=True,
        host="smtp.example.vn",
        port=587,
        code=421,
    )
    copy = pickle.loads(pickle.dumps(error))
    assert (copy.host, copy.port, copy.temporary, copy.code) == ("smtp.example.vn", 587, True, 421)
    assert str(copy) == "SMTP smtp.example.vn:587: 421 try later"
    plain = SendError("no SMTP server configured", temporary=False)
    assert (str(plain), plain.temporary, plain.host, plain.port) == (
        "no SMTP server configured",
        False,
        None,
        None,
    )


def test_config_validation() -> None:
    with pytest.raises(ValueError, match="security"):
        SmtpConfig(host="h", security="tls")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="port"):
        SmtpConfig(host="h", port=0)
    assert "password" not in repr(SmtpConfig(host="h", password=PASSWORD))
