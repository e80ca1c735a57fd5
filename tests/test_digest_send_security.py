"""digest.send security: TLS (implicit and STARTTLS), authentication, no clear-text fallback.

Real aiosmtpd servers on 127.0.0.1; the TLS tests make a throwaway certificate with openssl.
"""

from __future__ import annotations

import shutil
import ssl
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from digest.render import render_digest
from digest.send import Security, SendError, SmtpConfig, send_digest
from tests.smtp_server import RecordingHandler, free_port, start_server
from tests.test_digest_render import make_digest, make_story
from tests.test_digest_send import PASSWORD, RECIPIENTS


@pytest.fixture
def smtp_server() -> Iterator[tuple[RecordingHandler, SmtpConfig]]:
    handler = RecordingHandler()
    port = free_port()
    controller = start_server(handler, port)
    try:
        yield handler, SmtpConfig(host="127.0.0.1", port=port, security="none", timeout_seconds=5)
    finally:
        controller.stop()


@pytest.fixture(scope="module")
def self_signed(tmp_path_factory: pytest.TempPathFactory) -> tuple[ssl.SSLContext, Path]:
    """A server TLS context with a throwaway self-signed certificate (needs openssl)."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("openssl not installed")
    folder: Path = tmp_path_factory.mktemp("tls")
    key, cert = folder / "key.pem", folder / "cert.pem"
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-keyout", str(key), "-out", str(cert), "-days", "1",
         "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"],
        check=True,
        capture_output=True,
    )  # fmt: skip
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return context, cert


def tls_server(
    handler: RecordingHandler, port: int, context: ssl.SSLContext, security: Security, **kw: Any
) -> Any:
    if security == "ssl":
        controller = Controller(
            handler, hostname="127.0.0.1", port=port, server_hostname="localhost",
            ssl_context=context, **kw,
        )  # fmt: skip
        controller.start()
        return controller
    return start_server(handler, port, tls_context=context, **kw)


@pytest.mark.parametrize("security", ["ssl", "starttls"])
def test_untrusted_certificate_is_refused(
    self_signed: tuple[ssl.SSLContext, Path], security: Security
) -> None:
    handler = RecordingHandler()
    port = free_port()
    controller = tls_server(handler, port, self_signed[0], security)
    config = SmtpConfig(host="127.0.0.1", port=port, security=security, timeout_seconds=5)
    try:
        with pytest.raises(SendError, match="TLS failure") as caught:
            send_digest(render_digest(make_digest()), RECIPIENTS, config)
    finally:
        controller.stop()
    assert caught.value.temporary is False
    assert handler.envelopes == []


@pytest.mark.parametrize("security", ["ssl", "starttls"])
def test_tls_with_trusted_certificate_and_login_delivers(
    self_signed: tuple[ssl.SSLContext, Path],
    security: Security,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", str(self_signed[1]))  # read by create_default_context
    logins: list[bytes] = []

    def authenticator(
        server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
    ) -> AuthResult:
        logins.append(auth_data.login)
        return AuthResult(success=auth_data.password == PASSWORD.encode())

    handler = RecordingHandler()
    port = free_port()
    # With STARTTLS, aiosmtpd offers AUTH only once the session is encrypted; with implicit
    # TLS it does not see the session as TLS, so its check is switched off there.
    controller = tls_server(
        handler,
        port,
        self_signed[0],
        security,
        authenticator=authenticator,
        auth_require_tls=security == "starttls",
    )
    config = SmtpConfig(
        host="127.0.0.1",
        port=port,
        username="diplowatch",
        password=PASSWORD,
        security=security,
        timeout_seconds=5,
    )
    try:
        result = send_digest(render_digest(make_digest(make_story())), RECIPIENTS, config)
    finally:
        controller.stop()
    assert logins == [b"diplowatch"]
    assert result.accepted == RECIPIENTS
    assert len(handler.envelopes) == 1


def test_failed_authentication_is_permanent_and_hides_password() -> None:
    def authenticator(
        server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
    ) -> AuthResult:
        assert isinstance(auth_data, LoginPassword)
        return AuthResult(success=False, handled=False)

    handler = RecordingHandler()
    port = free_port()
    controller = start_server(handler, port, authenticator=authenticator, auth_require_tls=False)
    config = SmtpConfig(
        host="127.0.0.1",
        port=port,
        username="diplowatch",
        password=PASSWORD,
        security="none",
        timeout_seconds=5,
    )
    try:
        with pytest.raises(SendError) as caught:
            send_digest(render_digest(make_digest()), RECIPIENTS, config)
    finally:
        controller.stop()
    error = caught.value
    assert error.temporary is False
    assert error.code == 535
    assert "authentication failed" in str(error)
    for shown in (str(error), repr(error), repr(config)):
        assert PASSWORD not in shown
    assert handler.envelopes == []


def test_non_ascii_credentials_fail_clearly(
    smtp_server: tuple[RecordingHandler, SmtpConfig],
) -> None:
    handler, plain = smtp_server
    password = "mật-khẩu-bí-mật"
    config = SmtpConfig(
        host=plain.host,
        port=plain.port,
        username="u",
        password=password,
        security="none",
        timeout_seconds=5,
    )
    with pytest.raises(SendError, match="ASCII") as caught:
        send_digest(render_digest(make_digest()), RECIPIENTS, config)
    assert caught.value.temporary is False
    assert password not in str(caught.value)
    assert caught.value.__cause__ is None
    assert handler.envelopes == []


def test_successful_authentication() -> None:
    seen: list[tuple[bytes, bytes]] = []

    def authenticator(
        server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
    ) -> AuthResult:
        seen.append((auth_data.login, auth_data.password))
        return AuthResult(success=True)

    handler = RecordingHandler()
    port = free_port()
    controller = start_server(handler, port, authenticator=authenticator, auth_require_tls=False)
    config = SmtpConfig(
        host="127.0.0.1",
        port=port,
        username="diplowatch",
        password=PASSWORD,
        security="none",
        timeout_seconds=5,
    )
    try:
        result = send_digest(render_digest(make_digest()), RECIPIENTS, config)
    finally:
        controller.stop()
    assert seen == [(b"diplowatch", PASSWORD.encode("utf-8"))]
    assert result.accepted == RECIPIENTS
    assert len(handler.envelopes) == 1


def test_starttls_required_but_not_offered_is_permanent(
    smtp_server: tuple[RecordingHandler, SmtpConfig],
) -> None:
    handler, plain = smtp_server
    config = SmtpConfig(host=plain.host, port=plain.port, security="starttls", timeout_seconds=5)
    with pytest.raises(SendError, match="STARTTLS") as caught:
        send_digest(render_digest(make_digest()), RECIPIENTS, config)
    assert caught.value.temporary is False
    assert handler.envelopes == []  # never falls back to clear text
