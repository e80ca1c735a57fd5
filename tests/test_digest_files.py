"""digest.files: digests written to <out_dir>/<profile>/<day>.html|.txt, atomically."""

from __future__ import annotations

from pathlib import Path

import pytest

from digest.files import FEED_NAME, write_digest, write_feed, write_message
from digest.render import RenderedDigest

RENDERED = RenderedDigest(
    subject="diplowatch vn-us — 24/11/2026: 1 bài ngoại giao",
    html="<!DOCTYPE html><p>Thủ tướng tiếp Đại sứ Hoa Kỳ</p>\n",
    text="Thủ tướng tiếp Đại sứ Hoa Kỳ\r\nhttps://vnexpress.net/a.html\n",
)


def test_writes_html_and_text_as_utf8(tmp_path: Path) -> None:
    html_path, text_path = write_digest(RENDERED, tmp_path / "out", "vn-us", "2026-11-24")
    assert html_path == tmp_path / "out" / "vn-us" / "2026-11-24.html"
    assert text_path == tmp_path / "out" / "vn-us" / "2026-11-24.txt"
    assert html_path.read_bytes() == RENDERED.html.encode("utf-8")
    assert text_path.read_bytes() == RENDERED.text.encode("utf-8")  # no newline translation


def test_rewrites_in_place_without_leftovers(tmp_path: Path) -> None:
    write_digest(RENDERED, tmp_path, "vn-us", "2026-11-24")
    again = RenderedDigest(subject="s", html="<p>mới</p>", text="mới")
    html_path, text_path = write_digest(again, tmp_path, "vn-us", "2026-11-24")
    assert html_path.read_text(encoding="utf-8") == "<p>mới</p>"
    assert text_path.read_text(encoding="utf-8") == "mới"
    assert sorted(p.name for p in (tmp_path / "vn-us").iterdir()) == [
        "2026-11-24.html",
        "2026-11-24.txt",
    ]


@pytest.mark.parametrize(
    ("profile", "day"),
    [
        ("../escape", "2026-11-24"),
        ("vn/us", "2026-11-24"),
        (".hidden", "2026-11-24"),
        ("", "2026-11-24"),
        ("vn-us", "../../etc/passwd"),
        ("vn-us", "2026-13-40"),
        ("vn-us", "24/11/2026"),
    ],
)
def test_unsafe_names_are_refused(tmp_path: Path, profile: str, day: str) -> None:
    with pytest.raises(ValueError, match=r"profile|day"):
        write_digest(RENDERED, tmp_path, profile, day)
    assert list(tmp_path.iterdir()) == []


def test_the_sent_message_and_the_feed_are_written_next_to_the_digest(tmp_path: Path) -> None:
    html_path, _ = write_digest(RENDERED, tmp_path, "vn-us", "2026-11-24")
    eml = write_message(b"Subject: x\r\n\r\nbody\r\n", tmp_path, "vn-us", "2026-11-24")
    feed = write_feed('<?xml version="1.0"?><feed/>', tmp_path, "vn-us")
    assert eml == html_path.with_suffix(".eml")
    assert eml.read_bytes() == b"Subject: x\r\n\r\nbody\r\n"
    assert feed == tmp_path / "vn-us" / FEED_NAME
    assert feed.read_text(encoding="utf-8").endswith("<feed/>")
    with pytest.raises(ValueError, match="profile"):
        write_feed("<feed/>", tmp_path, "../x")
