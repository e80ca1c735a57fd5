"""With DIPLOWATCH_WEB__BASE_URL set, the digest email (HTML and text) and the Atom feed
link each story to its page in the reading room; without it, nothing changes."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from digest.feed import ATOM_NS, render_feed
from digest.links import story_page_url
from digest.render import render_digest
from flows.digesting import prepare_digest
from flows.settings import get_settings
from storage.db import Database
from tests.test_digest_render import make_digest, make_story
from tests.web_archive import DAY, build_archive

BASE = "https://watch.example.org/diplowatch/"
PAGE = "https://watch.example.org/diplowatch/stories/7"


def test_story_page_urls() -> None:
    assert story_page_url(BASE, 7) == PAGE
    assert story_page_url("https://watch.example.org", 7) == "https://watch.example.org/stories/7"
    assert story_page_url(None, 7) is None and story_page_url(BASE, None) is None
    assert story_page_url("javascript:alert(1)//", 7) is None


def test_the_email_links_each_story_to_its_page() -> None:
    story = make_story(story_id=7)
    linked = render_digest(make_digest(story), story_base_url=BASE)
    assert f'href="{PAGE}"' in linked.html and f"Trang tin: {PAGE}" in linked.text
    plain = render_digest(make_digest(story))
    assert "/stories/" not in plain.html and "Trang tin" not in plain.text


def entry_links(feed: str) -> list[tuple[str, str]]:
    entry = ET.fromstring(feed).find(f"{{{ATOM_NS}}}entry")
    assert entry is not None
    return [(link.get("rel", ""), link.get("href", ""))
            for link in entry.findall(f"{{{ATOM_NS}}}link")]  # fmt: skip


def test_the_feed_entry_opens_the_story_page_and_keeps_the_article() -> None:
    story = make_story(story_id=7)
    now = datetime(2026, 11, 24, tzinfo=UTC)
    linked = entry_links(render_feed("vn-us", [story], updated=now, story_base_url=BASE))
    assert linked[0] == ("alternate", PAGE)
    assert ("related", story.url) in linked
    plain = entry_links(render_feed("vn-us", [story], updated=now))
    assert plain[0] == ("alternate", story.url) and ("related", story.url) not in plain


def test_a_digest_run_with_the_setting_links_to_the_pages(
    configure: Callable[..., None], tmp_path: Path
) -> None:
    configure(web__base_url=BASE)
    url = f"sqlite:///{tmp_path / 'archive.db'}"
    archive = build_archive(url)
    db = Database(url)
    try:
        settings = get_settings()
        outcome, rendered = prepare_digest(
            db, settings, settings.profiles[0], DAY, tmp_path / "out"
        )
    finally:
        db.dispose()
    page = f"{BASE}stories/{archive.stories['thirty']}"
    assert page in rendered.html and page in rendered.text
    assert outcome.feed_path is not None
    assert Path(outcome.html_path).read_text(encoding="utf-8").count(f'href="{BASE}stories/') >= 3
