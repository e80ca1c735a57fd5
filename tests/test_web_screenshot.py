"""The reading room in a real browser: each page served by uvicorn on 127.0.0.1, shot by
headless Chromium at 375 px (a phone) and 1280 px (a desktop), light and dark.

Each screenshot is decoded (tests/test_digest_screenshot.decode_png) and checked: the size
asked for, not blank, nothing running into the right edge, dark mode dark and still
written on. ``--dump-dom`` checks the page's own text is there (the charts are inline SVG,
drawn by the server, with no script). Skipped when chromium is not installed (.ci/run
installs it). Set DIPLOWATCH_SCREENSHOT_DIR to keep the PNG files (README's docs/).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from bench.web_pages import serve
from tests.test_digest_screenshot import CHROMIUM, Picture, chromium, decode_png
from tests.web_archive import build_archive, bulk_articles

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed")

HEIGHT = 2000  # tests/test_digest_screenshot.chromium opens its window this tall
PAGES = {
    "stories": ("/stories?day=2026-11-24", "Tổng Bí thư Tô Lâm tiếp Đại sứ Hoa Kỳ"),
    "story": ("/stories/4", "Việt Nam và Hoa Kỳ hội đàm về hợp tác bán dẫn"),
    "search": ("/search?q=hoa+ky&partner=US", "bài khớp"),
    "partner": ("/partners/US?from=2026-08-01&to=2026-11-30", "Việt Nam – Hoa Kỳ"),
    "person": ("/people/B%C3%B9i%20Thanh%20S%C6%A1n?from=2026-08-01&to=2026-11-30",
               "Bùi Thanh Sơn"),
    "outlets": ("/outlets", "Tình trạng các báo"),
    "charts": ("/charts?from=2026-08-01&to=2026-11-30", "Tin ngoại giao theo tuần"),
}  # fmt: skip


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    url = f"sqlite:///{tmp_path_factory.mktemp('shots') / 'diplowatch.db'}"
    archive = build_archive(url)
    bulk_articles(url, 200, word="Hoa Kỳ")
    assert archive.stories["thirty"] == 4
    server, thread, base = serve(url)
    yield base
    server.should_exit = True
    thread.join(timeout=10)


def shoot(site: str, name: str, width: int, dark: bool, folder: Path) -> Picture:
    import os
    import shutil

    png = folder / f"web-{name}-{width}{'-dark' if dark else ''}.png"
    scheme = "0" if dark else "1"  # Blink: 0 dark, 1 light
    extra = ["--force-dark-mode"] if dark else []
    command_page = _UrlPage(site + PAGES[name][0])
    chromium(command_page, folder / f"profile-{png.stem}", width, f"--screenshot={png}",
             f"--blink-settings=preferredColorScheme={scheme}", *extra)  # fmt: skip
    keep = os.environ.get("DIPLOWATCH_SCREENSHOT_DIR")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copyfile(png, Path(keep) / png.name)
    return decode_png(png.read_bytes())


class _UrlPage(type(Path())):  # type: ignore[misc]
    """A "page" whose URI is an http URL (``chromium`` asks the page for ``as_uri``)."""

    _url = ""

    def __new__(cls, url: str) -> _UrlPage:
        page = super().__new__(cls, "/")
        page._url = url
        return page

    def as_uri(self) -> str:
        return self._url


@pytest.mark.parametrize("name", list(PAGES))
def test_each_page_reads_well_on_a_phone_and_a_desktop_light_and_dark(
    site: str, name: str, tmp_path: Path
) -> None:
    shots = [(width, dark) for width in (375, 1280) for dark in (False, True)]
    with ThreadPoolExecutor(max_workers=2) as pool:
        pictures = dict(zip(shots, pool.map(lambda s: shoot(site, name, *s, tmp_path), shots),
                            strict=True))  # fmt: skip
    for (width, dark), picture in pictures.items():
        assert (picture.width, picture.height) == (width, HEIGHT)
        if dark:
            assert picture.dark > 0.5, f"{name} {width}: dark mode gives a dark page"
            assert picture.ink > 0.5
        else:
            assert picture.dark < 0.2 and 0.005 < picture.ink < 0.9, f"{name} {width} light"
            assert picture.right_ink < 0.05, f"{name} {width}: text runs into the right edge"
    dom = chromium(_UrlPage(site + PAGES[name][0]), tmp_path / "profile-dom", 375,
                   "--dump-dom").stdout  # fmt: skip
    text = " ".join(re.sub(r"<[^>]+>", " ", dom).split())
    assert PAGES[name][1] in text
