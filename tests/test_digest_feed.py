"""digest.feed: the Atom feed of a profile's stories, read back with feedparser (what a feed
reader does) and with a strict XML parser."""

from __future__ import annotations

import calendar
import xml.etree.ElementTree as ET
from datetime import UTC, datetime

import feedparser

from digest.feed import ATOM_NS, render_feed, story_uuid
from digest.model import Coverage
from records import Person
from tests.test_digest_render import HOSTILE_TITLE, cover, make_story, three_stories

UPDATED = datetime(2026, 11, 24, 0, 5, tzinfo=UTC)


def parse(feed: str) -> feedparser.FeedParserDict:
    parsed = feedparser.parse(feed.encode("utf-8"))
    assert not parsed.bozo, parsed.get("bozo_exception")
    return parsed


def test_the_feed_is_valid_atom_with_one_entry_per_story() -> None:
    stories = three_stories()
    xml = render_feed("vn-us", stories, updated=UPDATED, self_url="https://tin.example/vn-us.atom")
    parsed = parse(xml)
    assert parsed.version == "atom10"
    assert parsed.feed.title == "diplowatch vn-us: tin ngoại giao"
    assert parsed.feed.id.startswith("urn:uuid:")
    assert parsed.feed.author == "diplowatch"
    assert [link.href for link in parsed.feed.links if link.rel == "self"] == [
        "https://tin.example/vn-us.atom"
    ]
    assert [entry.title for entry in parsed.entries] == [story.title for story in stories]
    first = parsed.entries[0]
    assert first.id == story_uuid("vn-us", stories[0])
    assert first.link == stories[0].url  # the representative article
    related = [link.href for link in first.links if link.rel == "related"]
    assert related == [c.url for c in stories[0].coverage if c.url != stories[0].url]
    assert calendar.timegm(first.published_parsed) == int(stories[0].first_seen_at.timestamp())
    assert calendar.timegm(first.updated_parsed) == int(stories[0].last_seen_at.timestamp())
    assert "quy chế kinh tế thị trường" in first.summary
    assert "Phạm Minh Chính (Thủ tướng)" in first.summary
    assert "Đưa tin (3 báo): VnExpress, Tuổi Trẻ, baolaocai" in first.summary
    assert {tag.term for tag in first.tags} == {"US", "event:reception"}
    # The feed is as new as its newest story or the time it was written.
    assert calendar.timegm(parsed.feed.updated_parsed) == int(
        max(UPDATED, *(s.last_seen_at for s in stories)).timestamp()
    )


def test_entry_ids_are_stable_and_per_profile() -> None:
    stories = three_stories()
    once = [e.id for e in parse(render_feed("vn-us", stories, updated=UPDATED)).entries]
    again = [e.id for e in parse(render_feed("vn-us", stories[::-1], updated=UPDATED)).entries]
    assert once == again[::-1]
    assert len(set(once)) == 3
    other = [e.id for e in parse(render_feed("vn-jp", stories, updated=UPDATED)).entries]
    assert set(once).isdisjoint(other)


def test_hostile_strings_stay_text_and_keep_the_xml_well_formed() -> None:
    story = make_story(
        HOSTILE_TITLE + "\x0b\ufffe",
        url="javascript:alert(1)",
        lead="<b>lead</b> & \x1b[31m",
        people=(Person("<i>x</i>", None),),
        partners=("US\x00",),
        coverage=(
            Coverage("o", "<b>Báo</b>", "javascript:alert(2)", "", None),
            cover("tuoitre", "https://tuoitre.vn/ok.htm", 3),
        ),
    )
    xml = render_feed("vn-us", [story], updated=UPDATED)
    root = ET.fromstring(xml.encode("utf-8"))  # strict: any stray control character fails
    entry = root.find(f"{{{ATOM_NS}}}entry")
    assert entry is not None
    title = entry.findtext(f"{{{ATOM_NS}}}title")
    assert title is not None and title.startswith("<script>alert(1)</script>")  # as text
    assert "\u202e" not in xml and "\x0b" not in xml and "\ufffe" not in xml
    hrefs = [link.get("href") for link in entry.iter(f"{{{ATOM_NS}}}link")]
    assert hrefs == ["https://tuoitre.vn/ok.htm"]
    parsed = parse(xml)
    assert "javascript" not in " ".join(link.href for link in parsed.entries[0].links)


def test_an_empty_feed_is_still_valid() -> None:
    parsed = parse(render_feed("vn-us", [], updated=UPDATED))
    assert parsed.entries == []
    assert calendar.timegm(parsed.feed.updated_parsed) == int(UPDATED.timestamp())
