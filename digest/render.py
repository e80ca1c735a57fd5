"""Render a :class:`digest.model.StoryDigest` as an email (subject, HTML, plain text) and as
Markdown (the Prefect artifact).

Pure: no network, no database, no Prefect. The templates live in ``digest/templates`` and are
loaded with Jinja2's ``PackageLoader``; the HTML template is autoescaped, the text one is not.
The HTML carries its CSS in a ``<style>`` block that css-inline moves onto the elements (what
mail clients without ``<style>`` support see), keeping the two ``@media`` rules for narrow
screens and dark mode. Every page string is cleaned first (``digest.labels.clean_text``) and
only http(s) URLs become links.
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass
from typing import Any

import css_inline
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from digest.labels import (
    EVENT_LABELS,
    NO_PARTNER_LABEL,
    PARTNER_NAMES,
    clean_text,
    event_label,
    format_day,
    format_vietnam_time,
    partner_name,
    person_label,
    safe_link,
    topic_label,
)
from digest.links import story_page_url
from digest.model import DigestStory, Section, StoryDigest, sections

__all__ = [
    "EVENT_LABELS",
    "NO_STORIES",
    "PARTNER_NAMES",
    "RenderedDigest",
    "clean_text",
    "event_label",
    "format_vietnam_time",
    "partner_name",
    "render_digest",
    "render_markdown",
    "safe_link",
]

NO_STORIES = "Không có tin ngoại giao mới"
OTHER_SECTION = "Khác"
_TEXT_WIDTH = 76
_INLINER = css_inline.CSSInliner(keep_at_rules=True, load_remote_stylesheets=False)


@dataclass(frozen=True)
class RenderedDigest:
    """The parts of a digest email, ready to write to files or send; ``markdown`` is the
    Prefect artifact's body (not stored: an archived digest keeps subject, HTML and text)."""

    subject: str
    html: str
    text: str
    markdown: str = ""


# --------------------------------------------------------------------------- view model


@dataclass(frozen=True)
class CoverageView:
    outlet: str
    link: str | None
    url: str
    time: str
    credited: str


@dataclass(frozen=True)
class StoryView:
    number: int
    title: str
    link: str | None
    url: str
    outlet: str
    time: str
    until: str  # the latest article's time when it differs from the first
    event: str
    lead: str
    lead_lines: tuple[str, ...]
    people: tuple[str, ...]
    partners: tuple[str, ...]
    topics: tuple[str, ...]
    coverage: tuple[CoverageView, ...]
    outlet_count: int
    page: str | None = None  # the story's page in the reading room (web), when configured
    alerted: str = ""  # when it went out as an alert (digest.alert_rules), if it did


@dataclass(frozen=True)
class SectionView:
    name: str
    stories: tuple[StoryView, ...]


def _wrap(text: str, indent: str = "") -> tuple[str, ...]:
    return tuple(
        textwrap.wrap(
            text, _TEXT_WIDTH - len(indent), break_long_words=False, break_on_hyphens=False
        )
    )


def _story_view(story: DigestStory, number: int, base_url: str | None = None) -> StoryView:
    url = clean_text(story.url)
    title = clean_text(story.title) or url or "(không có tiêu đề)"
    lead = clean_text(story.lead)
    first, last = format_vietnam_time(story.first_seen_at), format_vietnam_time(story.last_seen_at)
    coverage = tuple(
        CoverageView(
            outlet=clean_text(item.outlet_name) or clean_text(item.outlet) or "?",
            link=safe_link(item.url),
            url=clean_text(item.url),
            time=format_vietnam_time(item.published_at),
            credited=clean_text(item.credited_source),
        )
        for item in story.coverage
    )
    return StoryView(
        number=number,
        title=title,
        link=safe_link(story.url),
        url=url,
        outlet=clean_text(story.outlet_name),
        time=first,
        until="" if last == first else last[-5:] if last[:10] == first[:10] else last,
        event=event_label(story.event),
        lead=lead,
        lead_lines=_wrap(lead, "   "),
        people=tuple(label for label in map(person_label, story.people) if label),
        partners=tuple(partner_name(code) for code in story.partners if clean_text(code)),
        topics=tuple(label for label in map(topic_label, story.topics) if label),
        coverage=coverage,
        outlet_count=len({c.outlet for c in coverage}),
        page=story_page_url(base_url, story.story_id),
        alerted=format_vietnam_time(story.alerted_at),
    )


def _section_name(section: Section) -> str:
    if section.by == "partner":
        return partner_name(section.key) if section.key else NO_PARTNER_LABEL
    return event_label(section.key) if section.key else OTHER_SECTION


def section_views(digest: StoryDigest, base_url: str | None = None) -> tuple[SectionView, ...]:
    number = 0
    views = []
    for section in sections(digest):
        stories = []
        for story in section.stories:
            number += 1
            stories.append(_story_view(story, number, base_url))
        views.append(SectionView(name=_section_name(section), stories=tuple(stories)))
    return tuple(views)


# --------------------------------------------------------------------------- rendering

TEMPLATES = _ENV = Environment(
    loader=PackageLoader("digest", "templates"),
    autoescape=select_autoescape(
        enabled_extensions=("html.j2", "html"), default_for_string=False, default=False
    ),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)


def counts_line(stories: int, articles: int, outlets: int) -> str:
    if not stories:
        return NO_STORIES
    return f"{stories} tin, {articles} bài từ {outlets} báo"


def _context(digest: StoryDigest, title: str, base_url: str | None = None) -> dict[str, Any]:
    views = section_views(digest, base_url)
    day = format_day(digest.day)
    heading = " ".join(part for part in (clean_text(title), clean_text(digest.profile)) if part)
    heading = f"{heading} — {day}" if heading else day
    stories = len(digest.stories)
    return {
        "title": clean_text(title),
        "profile": clean_text(digest.profile),
        "day": day,
        "heading": heading,
        "story_count": stories,
        "article_count": digest.article_count,
        "outlet_count": digest.outlet_count,
        "counts": counts_line(stories, digest.article_count, digest.outlet_count),
        "window_start": format_vietnam_time(digest.window_start),
        "window_end": format_vietnam_time(digest.window_end),
        "sections": views,
    }


def render_digest(
    digest: StoryDigest, *, title: str = "diplowatch", story_base_url: str | None = None
) -> RenderedDigest:
    """Render ``digest`` as a subject line, an HTML page (CSS inlined), a plain-text part and
    the Markdown of the Prefect artifact; with ``story_base_url`` (the reading room's
    address) each story links to its page there."""
    context = _context(digest, title, story_base_url)
    html = _INLINER.inline(_ENV.get_template("digest.html.j2").render(context)).rstrip() + "\n"
    text = _ENV.get_template("digest.txt.j2").render(context)
    subject = f"{context['heading']}: {context['counts']}"
    return RenderedDigest(subject=subject, html=html, text=text, markdown=render_markdown(context))


# --------------------------------------------------------------------------- markdown

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~&\"'])")


def md(text: str) -> str:
    """Page text made inert in Markdown: every ASCII punctuation that could start markup is
    backslash-escaped (CommonMark allows it before any ASCII punctuation)."""
    return _MD_SPECIAL.sub(r"\\\1", text)


def md_url(link: str) -> str:
    """A safe http(s) link as a Markdown destination: no bracket, parenthesis or quote."""
    for char, code in (
        ("\\", "%5C"),
        ("(", "%28"),
        (")", "%29"),
        ("<", "%3C"),
        (">", "%3E"),
        ('"', "%22"),
        ("'", "%27"),
        (" ", "%20"),
    ):
        link = link.replace(char, code)
    return link


def _md_link(text: str, link: str | None) -> str:
    return f"[{md(text)}]({md_url(link)})" if link else md(text)


def render_markdown(context: dict[str, Any]) -> str:
    lines = [
        f"# {md(context['heading'])}",
        "",
        f"**{md(context['counts'])}** · {md(context['window_start'])} → "
        f"{md(context['window_end'])} (giờ Việt Nam)",
        "",
    ]
    for section in context["sections"]:
        lines += [f"## {md(section.name)} ({len(section.stories)})", ""]
        for story in section.stories:
            lines.append(f"### {story.number}\\. {_md_link(story.title, story.link)}")
            alerted = f"Báo nhanh {story.alerted[-5:]}" if story.alerted else ""
            meta = " · ".join(
                part for part in (story.outlet, story.time, story.event, alerted) if part
            )
            lines += ["", f"_{md(meta)}_", ""]
            if story.lead:
                lines += [md(story.lead), ""]
            for label, values in (
                ("Nhân vật", story.people),
                ("Đối tác", story.partners),
                ("Lĩnh vực", story.topics),
            ):
                if values:
                    lines.append(f"- **{label}:** {md('; '.join(values))}")
            carried = ", ".join(_md_link(c.outlet, c.link) for c in story.coverage)
            lines += [f"- **Đưa tin ({story.outlet_count} báo):** {carried}", ""]
    if not context["sections"]:
        lines += [md(f"{NO_STORIES} trong khoảng thời gian này."), ""]
    return "\n".join(lines)
