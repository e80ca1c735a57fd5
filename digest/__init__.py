"""Digest stage: stories → email (Jinja2, HTML with inlined CSS + plain text), Atom feed and
Markdown; written to files and sent by SMTP.

Rendering is pure (no database, no Prefect); sending uses smtplib.
"""

from digest.feed import render_feed
from digest.files import write_digest, write_feed, write_message
from digest.model import Coverage, DigestStory, StoryDigest, make_lead, rank_stories, sections
from digest.render import RenderedDigest, render_digest
from digest.send import (
    SendError,
    SendResult,
    SmtpConfig,
    build_message,
    send_digest,
    send_digest_with_retry,
    send_message,
)

__all__ = [
    "Coverage",
    "DigestStory",
    "RenderedDigest",
    "SendError",
    "SendResult",
    "SmtpConfig",
    "StoryDigest",
    "build_message",
    "make_lead",
    "rank_stories",
    "render_digest",
    "render_feed",
    "sections",
    "send_digest",
    "send_digest_with_retry",
    "send_message",
    "write_digest",
    "write_feed",
    "write_message",
]
