"""Render a story alert: a short email (subject, HTML, plain text) and a chat message
(Markdown, for apprise). Pure, like ``digest.render``.

What it says: the headline linked to the representative article, its outlet, time and event,
the lead, the people and partners, why it alerted (the rules met, in words), for an update
what changed, and every outlet that carried it with its link. Every page string is cleaned
(``digest.labels.clean_text``); the HTML is autoescaped, the Markdown escaped with
``digest.render.md`` (so a title cannot become markup in any chat service), and only
http(s) URLs become links.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from digest.labels import (
    clean_text,
    event_label,
    format_vietnam_time,
    partner_name,
    person_label,
    safe_link,
)
from digest.model import DigestStory
from digest.render import TEMPLATES, RenderedDigest, md, md_url

__all__ = ["RenderedAlert", "render_alert"]

KIND_BANNERS = {"alert": "BÁO NHANH", "update": "CẬP NHẬT"}

_ENV = TEMPLATES  # the digest's templates and settings: one environment


@dataclass(frozen=True)
class RenderedAlert:
    """The email parts (``email``: subject, HTML, text) and the chat message (``title``
    and ``markdown``) of one alert."""

    email: RenderedDigest
    title: str
    markdown: str


def _context(
    story: DigestStory,
    profile: str,
    kind: str,
    reasons: Sequence[str],
    changes: Sequence[str],
) -> dict[str, Any]:
    url = clean_text(story.url)
    title = clean_text(story.title) or url or "(không có tiêu đề)"
    meta = " · ".join(
        part
        for part in (
            clean_text(story.outlet_name),
            format_vietnam_time(story.first_seen_at),
            event_label(story.event),
        )
        if part
    )
    coverage = [
        {
            "outlet": clean_text(item.outlet_name) or clean_text(item.outlet) or "?",
            "link": safe_link(item.url),
            "url": clean_text(item.url),
            "time": format_vietnam_time(item.published_at),
        }
        for item in story.coverage
    ]
    banner = f"{KIND_BANNERS.get(kind, 'BÁO NHANH')} · {clean_text(profile)}"
    return {
        "subject": f"{banner}: {title}",
        "banner": banner,
        "profile": clean_text(profile),
        "title": title,
        "link": safe_link(story.url),
        "url": url,
        "meta": meta,
        "lead": clean_text(story.lead),
        "people": [label for label in map(person_label, story.people) if label],
        "partners": [partner_name(code) for code in story.partners if clean_text(code)],
        "reasons": [clean_text(reason) for reason in reasons if clean_text(reason)],
        "changes": [clean_text(change) for change in changes if clean_text(change)],
        "coverage": coverage,
        "outlet_count": len({item["outlet"] for item in coverage}),
    }


def _markdown(context: dict[str, Any]) -> str:
    link = context["link"]
    headline = f"[{md(context['title'])}]({md_url(link)})" if link else md(context["title"])
    lines = [f"**{md(context['banner'])}**", "", f"**{headline}**", f"_{md(context['meta'])}_"]
    if context["lead"]:
        lines += ["", md(context["lead"])]
    lines.append("")
    if context["people"]:
        lines.append(f"- **Nhân vật:** {md('; '.join(context['people']))}")
    if context["partners"]:
        lines.append(f"- **Đối tác:** {md(', '.join(context['partners']))}")
    if context["changes"]:
        lines.append(f"- **Có gì mới:** {md('; '.join(context['changes']))}")
    lines.append(f"- **Vì sao báo nhanh:** {md('; '.join(context['reasons']))}")
    carried = ", ".join(
        f"[{md(item['outlet'])}]({md_url(item['link'])})" if item["link"] else md(item["outlet"])
        for item in context["coverage"]
    )
    lines.append(f"- **Đưa tin ({context['outlet_count']} báo):** {carried}")
    return "\n".join(lines) + "\n"


def render_alert(
    story: DigestStory,
    profile: str,
    *,
    kind: str = "alert",
    reasons: Sequence[str] = (),
    changes: Sequence[str] = (),
) -> RenderedAlert:
    """The alert (``kind`` "alert") or the one update (``kind`` "update") for ``story``."""
    context = _context(story, profile, kind, reasons, changes)
    html = _ENV.get_template("alert.html.j2").render(context)
    text = _ENV.get_template("alert.txt.j2").render(context)
    email = RenderedDigest(context["subject"], html, text, _markdown(context))
    return RenderedAlert(email=email, title=md(context["subject"]), markdown=email.markdown)
