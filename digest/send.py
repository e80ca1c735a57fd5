"""Send a rendered digest by SMTP (smtplib), as one multipart/alternative message.

``send_digest`` makes one attempt and raises :class:`SendError` when nothing was delivered
(server unreachable, TLS or authentication failure, sender or every recipient refused).
``SendError.temporary`` tells a retry worth making (4xx replies, refused or dropped
connections, timeouts) from one that is not (5xx replies, bad credentials, a server without
STARTTLS when STARTTLS is required). Retries are normally the caller's job (a Prefect task
retries); ``send_digest_with_retry`` is a small helper that retries temporary errors only.
No error message ever contains the password.
"""

from __future__ import annotations

import contextlib
import logging
import smtplib
import ssl
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import default as default_policy
from email.utils import format_datetime, make_msgid, parseaddr
from typing import Literal

from digest.render import RenderedDigest, clean_text
from records import VIETNAM_TZ

__all__ = [
    "SendError",
    "SendResult",
    "SmtpConfig",
    "build_message",
    "new_message_id",
    "send_digest",
    "send_digest_with_retry",
    "send_message",
]

log = logging.getLogger(__name__)

Security = Literal["none", "starttls", "ssl"]
_SECURITY_MODES = ("none", "starttls", "ssl")

# The default policy (RFC 2047 headers, CRLF-safe) but bodies kept 7-bit: the text parts
# are quoted-printable or base64, so no server needs 8BITMIME.
_POLICY = default_policy.clone(cte_type="7bit")


@dataclass(frozen=True)
class SmtpConfig:
    """How to reach the SMTP server. ``password`` is kept out of ``repr``."""

    host: str
    port: int = 587
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    security: Security = "starttls"
    sender: str = "diplowatch@localhost"
    timeout_seconds: float = 30.0

    def __post_init__(self) -> None:
        if self.security not in _SECURITY_MODES:
            raise ValueError(f"security must be one of {_SECURITY_MODES}, not {self.security!r}")
        if not 0 < self.port < 65536:
            raise ValueError(f"port {self.port} is out of range")
        if self.timeout_seconds <= 0:
            raise ValueError("timeout_seconds must be positive")


@dataclass(frozen=True)
class SendResult:
    message_id: str
    accepted: tuple[str, ...]
    refused: dict[str, str]  # recipient → "550 no such user"


class SendError(Exception):
    """Nothing was delivered. ``temporary`` is True when trying again later may succeed.

    Raised by this module with ``host``, ``port`` and (for SMTP replies) ``code`` set and a
    message ``SMTP host:port: reason``; callers may raise it with just a message too.
    """

    def __init__(
        self,
        message: str,
        temporary: bool = False,
        host: str | None = None,
        port: int | None = None,
        code: int | None = None,
    ) -> None:
        super().__init__(message)
        self.temporary = temporary
        self.host = host
        self.port = port
        self.code = code

    def __reduce__(
        self,
    ) -> tuple[type[SendError], tuple[str, bool, str | None, int | None, int | None]]:
        # Picklable with all its fields (Prefect may carry task exceptions across processes).
        return (type(self), (str(self), self.temporary, self.host, self.port, self.code))


def _clean_recipients(recipients: Sequence[str]) -> tuple[str, ...]:
    if isinstance(recipients, str):
        raise TypeError("recipients must be a sequence of addresses, not one string")
    seen: dict[str, None] = {}
    for raw in recipients:
        address = raw.strip()
        if not address or "@" not in address or any(c.isspace() for c in address):
            raise ValueError(f"not an email address: {raw!r}")
        seen.setdefault(address, None)
    if not seen:
        raise ValueError("no recipients")
    return tuple(seen)


def _envelope_address(sender: str) -> str:
    address = parseaddr(sender)[1]
    if not address or "@" not in address or any(c.isspace() for c in address):
        raise ValueError(f"not a sender address: {sender!r}")
    return address


def _msgid_domain(sender: str) -> str:
    domain = _envelope_address(sender).rpartition("@")[2].strip("[]")
    try:
        encoded = domain.encode("idna").decode("ascii")
    except UnicodeError:
        return "localhost"
    return encoded or "localhost"


def build_message(
    rendered: RenderedDigest,
    sender: str,
    recipients: Sequence[str],
    *,
    message_id: str | None = None,
) -> EmailMessage:
    """One multipart/alternative message: text/plain then text/html, both UTF-8.

    The subject is RFC 2047-encoded by the email policy; Message-ID uses the sender's domain
    unless ``message_id`` is given (the same message re-tried keeps its id).
    """
    addresses = _clean_recipients(recipients)
    message = EmailMessage(policy=_POLICY)
    message["Subject"] = clean_text(rendered.subject)
    message["From"] = sender
    message["To"] = [Address(addr_spec=address) for address in addresses]
    message["Date"] = format_datetime(datetime.now(VIETNAM_TZ))
    message["Message-ID"] = message_id or make_msgid(domain=_msgid_domain(sender))
    message["Content-Language"] = "vi"
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation replies
    message.set_content(rendered.text, subtype="plain", charset="utf-8")
    message.add_alternative(rendered.html, subtype="html", charset="utf-8")
    return message


def _is_temporary(code: int | None) -> bool:
    return code is not None and 400 <= code < 500


def _reply(code: int, text: bytes | str) -> str:
    decoded = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
    return f"{code} {' '.join(decoded.split())}".strip()


def _connect(config: SmtpConfig) -> smtplib.SMTP:
    if config.security == "ssl":
        return smtplib.SMTP_SSL(
            config.host,
            config.port,
            timeout=config.timeout_seconds,
            context=ssl.create_default_context(),
        )
    return smtplib.SMTP(config.host, config.port, timeout=config.timeout_seconds)


def _secure(smtp: smtplib.SMTP, config: SmtpConfig) -> None:
    """STARTTLS when configured; never falls back to clear text."""
    if config.security != "starttls":
        return
    smtp.ehlo()
    if not smtp.has_extn("starttls"):
        raise _PermanentError("server does not offer STARTTLS (security='starttls')")
    smtp.starttls(context=ssl.create_default_context())
    smtp.ehlo()


def _close(smtp: smtplib.SMTP) -> None:
    try:
        smtp.quit()
    except (smtplib.SMTPException, OSError):
        with contextlib.suppress(OSError):
            smtp.close()


class _PermanentError(Exception):
    """Internal: a local decision that no retry will fix."""


def _login(smtp: smtplib.SMTP, username: str, password: str) -> None:
    # smtplib encodes credentials as ASCII; say so plainly instead of leaking a
    # UnicodeEncodeError whose ``object`` carries the whole credential string.
    if not (username.isascii() and password.isascii()):
        raise _PermanentError("username and password must be ASCII (smtplib limitation)")
    smtp.login(username, password)


def _deliver(message: EmailMessage, recipients: tuple[str, ...], config: SmtpConfig) -> SendResult:
    """One SMTP session delivering an already built ``message`` to ``recipients``."""
    message_id = str(message["Message-ID"])
    envelope_from = _envelope_address(config.sender)

    def fail(reason: str, temporary: bool, code: int | None = None) -> SendError:
        if config.password:
            reason = reason.replace(config.password, "***")
        message = f"SMTP {config.host}:{config.port}: {reason}"
        return SendError(message, temporary, host=config.host, port=config.port, code=code)

    smtp: smtplib.SMTP | None = None
    try:
        smtp = _connect(config)
        _secure(smtp, config)
        if config.username:
            _login(smtp, config.username, config.password or "")
        refused_raw = smtp.send_message(message, from_addr=envelope_from, to_addrs=list(recipients))
    except _PermanentError as exc:
        raise fail(str(exc), temporary=False) from None
    except smtplib.SMTPRecipientsRefused as exc:
        replies = {rcpt: _reply(code, text) for rcpt, (code, text) in exc.recipients.items()}
        codes = [code for code, _ in exc.recipients.values()]
        detail = "; ".join(f"{rcpt}: {reply}" for rcpt, reply in replies.items())
        temporary = bool(codes) and all(_is_temporary(code) for code in codes)
        raise fail(f"all recipients refused ({detail})", temporary) from None
    except smtplib.SMTPAuthenticationError as exc:
        reply = _reply(exc.smtp_code, exc.smtp_error)
        raise fail(
            f"authentication failed: {reply}", _is_temporary(exc.smtp_code), exc.smtp_code
        ) from None
    except smtplib.SMTPSenderRefused as exc:
        reply = _reply(exc.smtp_code, exc.smtp_error)
        raise fail(
            f"sender {exc.sender} refused: {reply}", _is_temporary(exc.smtp_code), exc.smtp_code
        ) from None
    except smtplib.SMTPResponseException as exc:  # connect greeting, DATA, STARTTLS replies
        reply = _reply(exc.smtp_code, exc.smtp_error)
        raise fail(f"server replied {reply}", _is_temporary(exc.smtp_code), exc.smtp_code) from None
    except smtplib.SMTPServerDisconnected as exc:
        raise fail(f"connection closed by server: {exc}", temporary=True) from None
    except smtplib.SMTPNotSupportedError as exc:
        raise fail(f"not supported by server: {exc}", temporary=False) from None
    except smtplib.SMTPException as exc:
        raise fail(f"SMTP error: {exc}", temporary=False) from None
    except ssl.SSLError as exc:  # before OSError: certificate or handshake problems
        raise fail(f"TLS failure: {exc}", temporary=False) from None
    except (ConnectionError, TimeoutError) as exc:
        raise fail(f"connection failed: {exc}", temporary=True) from None
    except OSError as exc:  # DNS failure, unreachable network
        raise fail(f"network error: {exc}", temporary=True) from None
    finally:
        if smtp is not None:
            _close(smtp)

    refused = {rcpt: _reply(code, text) for rcpt, (code, text) in refused_raw.items()}
    accepted = tuple(rcpt for rcpt in recipients if rcpt not in refused)
    if refused:
        log.warning("SMTP %s:%s refused %s", config.host, config.port, refused)
    return SendResult(message_id=message_id, accepted=accepted, refused=refused)


def send_message(
    message: EmailMessage, recipients: Sequence[str], config: SmtpConfig
) -> SendResult:
    """Send an already built ``message`` (see :func:`build_message`) in one SMTP session."""
    return _deliver(message, _clean_recipients(recipients), config)


def new_message_id(sender: str) -> str:
    """A fresh Message-ID on the sender's domain."""
    return make_msgid(domain=_msgid_domain(sender))


def send_digest(
    rendered: RenderedDigest, recipients: Sequence[str], config: SmtpConfig
) -> SendResult:
    """Send ``rendered`` to ``recipients`` in one SMTP session (one attempt).

    Recipients refused individually while others were accepted are reported in
    ``SendResult.refused``; :class:`SendError` is raised only when nothing was delivered.
    """
    addresses = _clean_recipients(recipients)
    message = build_message(rendered, config.sender, addresses)
    return _deliver(message, addresses, config)


def send_digest_with_retry(
    rendered: RenderedDigest,
    recipients: Sequence[str],
    config: SmtpConfig,
    *,
    attempts: int = 3,
    backoff_seconds: float = 5.0,
    sleep: Callable[[float], None] = time.sleep,
) -> SendResult:
    """Like :func:`send_digest`, retrying temporary errors up to ``attempts`` tries in all.

    The waits double each time (``backoff_seconds``, then twice that, ...). The same message,
    with the same Message-ID, is sent on every try, so a duplicate can be recognised.
    Permanent errors are raised at once; the last temporary error is raised when tries run out.
    """
    if attempts < 1:
        raise ValueError("attempts must be at least 1")
    addresses = _clean_recipients(recipients)
    message = build_message(rendered, config.sender, addresses)
    for attempt in range(1, attempts + 1):
        try:
            return _deliver(message, addresses, config)
        except SendError as exc:
            if not exc.temporary or attempt == attempts:
                raise
            wait = backoff_seconds * 2 ** (attempt - 1)
            log.warning("%s (try %d of %d); retrying in %.1fs", exc, attempt, attempts, wait)
            sleep(wait)
    raise AssertionError("unreachable")  # pragma: no cover
