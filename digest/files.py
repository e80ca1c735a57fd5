"""Write a rendered digest to a folder (the default when no SMTP server is configured).

Layout: ``<out_dir>/<profile>/<day>.html`` and ``<out_dir>/<profile>/<day>.txt``, UTF-8;
the message as sent, ``<day>.eml`` (the archive of what readers got); the profile's Atom
feed, ``<out_dir>/<profile>/feed.atom``. Each file is written to a temporary file in the
same folder, flushed to disk and renamed over the target, so a reader never sees a
half-written digest.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from datetime import date
from pathlib import Path

from digest.render import RenderedDigest

__all__ = ["FEED_NAME", "write_digest", "write_feed", "write_message"]

FEED_NAME = "feed.atom"

# A profile becomes a folder name: keep it to a safe slug (no separators, no "..").
_PROFILE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
_DAY_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _check_names(profile: str, day: str) -> None:
    if not _PROFILE_RE.match(profile) or ".." in profile:
        raise ValueError(f"profile {profile!r} is not a safe folder name (letters, digits, . _ -)")
    try:
        valid_day = bool(_DAY_RE.match(day)) and bool(date.fromisoformat(day))
    except ValueError:  # 2026-13-40
        valid_day = False
    if not valid_day:
        raise ValueError(f"day {day!r} is not a YYYY-MM-DD date")


def _atomic_write(path: Path, content: str | bytes) -> None:
    data = content.encode("utf-8") if isinstance(content, str) else content
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp_name, 0o644)
        os.replace(tmp_name, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp_name)
        raise


def write_digest(
    rendered: RenderedDigest, out_dir: Path, profile: str, day: str
) -> tuple[Path, Path]:
    """Write ``<out_dir>/<profile>/<day>.html`` and ``.txt``; return (html_path, text_path).

    Existing files for the same profile and day are replaced (re-rendering is idempotent).
    """
    _check_names(profile, day)
    folder = Path(out_dir) / profile
    folder.mkdir(parents=True, exist_ok=True)
    html_path = folder / f"{day}.html"
    text_path = folder / f"{day}.txt"
    _atomic_write(html_path, rendered.html)
    _atomic_write(text_path, rendered.text)
    return html_path, text_path


def write_message(message: bytes, out_dir: Path, profile: str, day: str) -> Path:
    """Archive the message exactly as sent: ``<out_dir>/<profile>/<day>.eml``."""
    _check_names(profile, day)
    folder = Path(out_dir) / profile
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{day}.eml"
    _atomic_write(path, message)
    return path


def write_feed(feed: str, out_dir: Path, profile: str) -> Path:
    """Write the profile's Atom feed, ``<out_dir>/<profile>/feed.atom``."""
    _check_names(profile, "2000-01-01")
    folder = Path(out_dir) / profile
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / FEED_NAME
    _atomic_write(path, feed)
    return path
