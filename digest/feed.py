"""An Atom feed (RFC 4287) of a watch profile's stories, for readers who prefer a feed reader.

Pure: the flows pass the stories of the profile's latest digests and write the result next to
the digests (``digest.files.write_feed``). Built with ElementTree, so every page string is
escaped as XML; strings are cleaned first (no control or bidi characters: XML 1.0 forbids
the former). Ids are stable ``urn:uuid`` values derived from the profile and the story id, so
a reader does not show a story twice when the feed is rewritten.
"""

from __future__ import annotations

import uuid
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from datetime import UTC, datetime

from digest.labels import clean_text, event_label, partner_name, person_label, safe_link
from digest.links import story_page_url
from digest.model import DigestStory

__all__ = ["ATOM_NS", "render_feed", "story_uuid"]

ATOM_NS = "http://www.w3.org/2005/Atom"
_NAMESPACE = uuid.UUID("5d6c1f0e-4f7b-5a38-9a52-6b3f3c1d7e21")  # diplowatch stories


def story_uuid(profile: str, story: DigestStory) -> str:
    """``urn:uuid:...``, stable for (profile, story id); by title and first time otherwise."""
    basis = (
        f"{profile}/story/{story.story_id}"
        if story.story_id is not None
        else f"{profile}/{story.title}/{story.first_seen_at.isoformat()}"
    )
    return uuid.uuid5(_NAMESPACE, basis).urn


def _stamp(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError(f"naive datetime {moment!r}: times must be timezone-aware")
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM_NS}}}{tag}", attrs)
    if text is not None:
        element.text = text
    return element


def _summary(story: DigestStory) -> str:
    parts = [clean_text(story.lead)]
    people = [label for label in map(person_label, story.people) if label]
    if people:
        parts.append("Nhân vật: " + "; ".join(people))
    outlets = list(
        dict.fromkeys(clean_text(c.outlet_name) or clean_text(c.outlet) for c in story.coverage)
    )
    if outlets:
        parts.append(f"Đưa tin ({len(outlets)} báo): " + ", ".join(o for o in outlets if o))
    return "\n".join(part for part in parts if part)


def render_feed(
    profile: str,
    stories: Sequence[DigestStory],
    *,
    updated: datetime,
    title: str = "diplowatch",
    self_url: str | None = None,
    story_base_url: str | None = None,
) -> str:
    """The feed of ``stories`` (newest first as given) as a UTF-8 XML document string.

    With ``story_base_url`` (the reading room's address) an entry's ``alternate`` link is the
    story's page there, and the representative article is one more ``related`` link."""
    ET.register_namespace("", ATOM_NS)
    feed = ET.Element(f"{{{ATOM_NS}}}feed", {"{http://www.w3.org/XML/1998/namespace}lang": "vi"})
    name = clean_text(profile)
    _sub(feed, "id", uuid.uuid5(_NAMESPACE, f"feed/{name}").urn)
    _sub(feed, "title", f"{clean_text(title)} {name}: tin ngoại giao".strip())
    _sub(feed, "subtitle", "Mỗi sự kiện một lần, kèm các báo đã đưa tin")
    latest = max([updated, *(story.last_seen_at for story in stories)])
    _sub(feed, "updated", _stamp(latest))
    author = _sub(feed, "author")
    _sub(author, "name", clean_text(title) or "diplowatch")
    _sub(feed, "generator", "diplowatch")
    link = safe_link(self_url)
    if link:
        _sub(feed, "link", rel="self", href=link, type="application/atom+xml")
    for story in stories:
        entry = _sub(feed, "entry")
        _sub(entry, "id", story_uuid(name, story))
        _sub(entry, "title", clean_text(story.title) or "(không có tiêu đề)", type="text")
        _sub(entry, "published", _stamp(story.first_seen_at))
        _sub(entry, "updated", _stamp(story.last_seen_at))
        main = safe_link(story.url)
        page = story_page_url(story_base_url, story.story_id)
        if page or main:
            _sub(entry, "link", rel="alternate", href=page or main or "", type="text/html")
        for item in story.coverage:
            href = safe_link(item.url)
            if href and (href != main or page):
                label = clean_text(item.outlet_name) or clean_text(item.outlet)
                _sub(entry, "link", rel="related", href=href, title=label, type="text/html")
        for code in story.partners:
            if clean_text(code):
                _sub(entry, "category", term=clean_text(code), label=partner_name(code))
        if clean_text(story.event):
            event = clean_text(story.event)
            _sub(entry, "category", term=f"event:{event}", label=event_label(event))
        if story.alerted_at is not None:  # sent as an alert before the digest (issue 13)
            _sub(entry, "category", term="alert", label="Báo nhanh")
        _sub(entry, "summary", _summary(story), type="text")
    ET.indent(feed)
    body = ET.tostring(feed, encoding="unicode")
    return f'<?xml version="1.0" encoding="utf-8"?>\n{body}\n'
