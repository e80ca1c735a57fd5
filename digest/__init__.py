"""Digest stage: render a Digest (Jinja2, HTML + plain text), write it to files, send it by SMTP.

Rendering is pure (no database, no Prefect); sending uses smtplib.
"""

from digest.files import write_digest
from digest.render import RenderedDigest, render_digest
from digest.send import (
    SendError,
    SendResult,
    SmtpConfig,
    build_message,
    send_digest,
    send_digest_with_retry,
)

__all__ = [
    "RenderedDigest",
    "SendError",
    "SendResult",
    "SmtpConfig",
    "build_message",
    "render_digest",
    "send_digest",
    "send_digest_with_retry",
    "write_digest",
]
