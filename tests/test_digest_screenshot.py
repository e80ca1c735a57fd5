"""The HTML digest in a real browser: Debian's chromium, headless, at 375 px (a phone) and
1024 px (a desktop mail client), in light and dark mode.

The digest is a real one: the seed copies of tests/test_stories.py (built at test time from
../shared/seeds) stored, filed in stories and rendered by ``flows.digesting.prepare_digest``;
without the seeds, a digest of constructed stories (tests/test_digest_render.py) is used.
Each screenshot is decoded here (PNG header and IDAT with zlib, no image library) to check
its size and that it is neither blank nor cut; ``--dump-dom`` checks the content and that
nothing overflows the phone's width. Skipped only when chromium is not installed (.ci/run
installs it). Set DIPLOWATCH_SCREENSHOT_DIR to keep the PNG files (README's docs/).
"""

from __future__ import annotations

import os
import re
import shutil
import struct
import subprocess
import zlib
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pytest

from digest.render import render_digest
from flows.digesting import prepare_digest
from flows.settings import Settings, WatchProfile
from storage.db import Database
from tests.conftest import SEEDS_DIR
from tests.test_digest_render import make_digest, make_story, three_stories
from tests.test_stories import seed_copies
from tests.test_stories_storage import store

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed")

DAY = date(2025, 9, 30)
HEIGHT = 2000
LONG_URL = "https://baolaocai.vn/" + "tin-rat-dai-" * 30 + ".html"


@dataclass(frozen=True)
class Picture:
    width: int
    height: int
    ink: float  # share of pixels that are not (nearly) white
    dark: float  # share of pixels that are (nearly) black or dark grey
    right_ink: float  # share of non-white pixels in the rightmost 8 % of columns


def decode_png(data: bytes) -> Picture:
    """Size and pixel statistics of an 8-bit RGB or RGBA PNG (Chromium's screenshots), with
    numpy where the PNG filters allow (None, Sub, Up: whole rows at once; Average and Paeth
    row by row)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG file"
    position, idat, width, height, channels = 8, b"", 0, 0, 0
    while position < len(data):
        length, kind = struct.unpack(">I4s", data[position : position + 8])
        body = data[position + 8 : position + 8 + length]
        if kind == b"IHDR":
            width, height, depth, color = struct.unpack(">IIBB", body[:10])
            assert depth == 8 and color in (2, 6), (depth, color)
            channels = 3 if color == 2 else 4
        elif kind == b"IDAT":
            idat += body
        position += 12 + length
    stride = width * channels
    raw = np.frombuffer(zlib.decompress(idat), np.uint8).reshape(height, stride + 1)
    rows = np.zeros((height, stride), np.int32)
    previous = np.zeros(stride, np.int32)
    for number in range(height):
        kind, line = raw[number, 0], raw[number, 1:].astype(np.int32)
        if kind == 1:
            line = line.reshape(width, channels).cumsum(axis=0).reshape(-1) % 256
        elif kind == 2:
            line = (line + previous) % 256
        elif kind in (3, 4):
            line = np.array(_unfilter(int(kind), line.tolist(), previous.tolist(), channels))
        rows[number] = previous = line
    pixels = rows.reshape(height, width, channels)[:, :, :3]
    ink = pixels.min(axis=2) < 235
    total = width * height
    inked = int(ink.sum())
    right = int(ink[:, int(width * 0.92) :].sum())
    dark = int((pixels.max(axis=2) < 60).sum())
    return Picture(width, height, inked / total, dark / total, right / max(inked, 1))


def _unfilter(kind: int, line: list[int], up: list[int], channels: int) -> list[int]:
    for i in range(len(line)):
        left = line[i - channels] if i >= channels else 0
        corner = up[i - channels] if i >= channels else 0
        if kind == 3:
            line[i] = (line[i] + (left + up[i]) // 2) & 0xFF
            continue
        estimate = left + up[i] - corner
        pa, pb, pc = abs(estimate - left), abs(estimate - up[i]), abs(estimate - corner)
        best = left if pa <= pb and pa <= pc else up[i] if pb <= pc else corner
        line[i] = (line[i] + best) & 0xFF
    return line


def chromium(
    page: Path, profile: Path, width: int, *extra: str
) -> subprocess.CompletedProcess[str]:
    assert CHROMIUM is not None
    command = [
        CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
        "--no-first-run", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", f"--user-data-dir={profile}", f"--window-size={width},{HEIGHT}",
        "--force-device-scale-factor=1", "--hide-scrollbars", *extra, page.as_uri(),
    ]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, timeout=180, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return done


def screenshot(page: Path, png: Path, width: int, *extra: str) -> Picture:
    chromium(page, png.parent / f"profile-{png.stem}", width, f"--screenshot={png}", *extra)
    picture = decode_png(png.read_bytes())
    keep = os.environ.get("DIPLOWATCH_SCREENSHOT_DIR")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copyfile(png, Path(keep) / png.name)
    print(f"\nscreenshot {png} ({picture.width}x{picture.height}, ink {picture.ink:.1%})")
    return picture


@pytest.fixture(scope="module")
def digest_page(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    """The digest HTML file and the story titles it must show."""
    folder = tmp_path_factory.mktemp("screenshot")
    if SEEDS_DIR.exists():
        db = Database(f"sqlite:///{folder / 'digest.db'}")
        try:
            for copy in seed_copies():
                store(db, copy)
            outcome, _ = prepare_digest(
                db, Settings(data_dir=folder), WatchProfile(name="vn-us"), DAY, folder / "out"
            )
        finally:
            db.dispose()
        page = Path(outcome.html_path)
        titles = re.findall(r'class="headline"[^>]*>([^<]+)<', page.read_text(encoding="utf-8"))
        return page, titles
    stories = (*three_stories(), make_story("Tin có đường dẫn rất dài", url=LONG_URL, story_id=9))
    page = folder / "digest.html"
    page.write_text(render_digest(make_digest(*stories)).html, encoding="utf-8")
    return page, [story.title for story in stories]


@pytest.mark.parametrize("width", [375, 1024])
def test_the_digest_renders_in_chromium(
    digest_page: tuple[Path, list[str]], tmp_path: Path, width: int
) -> None:
    page, titles = digest_page
    assert titles
    picture = screenshot(page, tmp_path / f"digest-{width}.png", width)
    assert (picture.width, picture.height) == (width, HEIGHT)
    assert 0.03 < picture.ink < 0.9, "blank, or one solid colour"
    assert picture.right_ink < 0.05, "text runs into the right edge"
    dom = chromium(page, tmp_path / "profile-dom", width, "--dump-dom").stdout
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", dom)).replace("&amp;", "&")
    for title in titles:
        assert " ".join(title.split()) in text
    assert re.search(r"\d+ tin, \d+ bài từ \d+ báo", text)
    assert "Đưa tin" in text


FRAME = """<!DOCTYPE html><html><body style="margin:0">
<iframe id="phone" src="{src}" width="375" height="2000" style="border:0"></iframe>
<script>
document.getElementById("phone").addEventListener("load", function () {{
  var inner = this.contentWindow, root = this.contentDocument.documentElement;
  document.body.setAttribute("data-phone", [root.scrollWidth, inner.innerWidth,
    inner.matchMedia("(max-width: 480px)").matches].join(" "));
}});
</script></body></html>"""


def test_nothing_overflows_a_phone_screen(
    digest_page: tuple[Path, list[str]], tmp_path: Path
) -> None:
    """Measured by the browser in a 375 px frame (headless windows are at least 500 px
    wide): the page is no wider than the frame, a long URL included."""
    page, _ = digest_page
    html = page.read_text(encoding="utf-8")
    long_url = f'<p class="url" style="word-break: break-all;">{LONG_URL}</p>'
    (tmp_path / "digest.html").write_text(html.replace("</h1>", f"</h1>{long_url}", 1), "utf-8")
    frame = tmp_path / "frame.html"
    frame.write_text(FRAME.format(src="digest.html"), encoding="utf-8")
    flags = ("--dump-dom", "--allow-file-access-from-files", "--virtual-time-budget=5000")
    dom = chromium(frame, tmp_path / "profile", 500, *flags).stdout
    found = re.search(r'data-phone="(\d+) (\d+) (\w+)"', dom)
    assert found, dom[-500:]
    scroll_width, frame_width, phone_rules = found.groups()
    assert frame_width == "375" and phone_rules == "true"  # the narrow-screen CSS applies
    assert int(scroll_width) <= 375


def test_dark_mode_turns_the_page_dark(digest_page: tuple[Path, list[str]], tmp_path: Path) -> None:
    page, _ = digest_page
    light = screenshot(page, tmp_path / "digest-375-light.png", 375)
    dark = screenshot(page, tmp_path / "digest-375-dark.png", 375, "--force-dark-mode",
                      "--blink-settings=preferredColorScheme=0")  # fmt: skip
    assert light.dark < 0.2
    assert dark.dark > 0.5, "prefers-color-scheme: dark gives a dark page"
    assert dark.ink > 0.5, "and its text is still there (light on dark)"
