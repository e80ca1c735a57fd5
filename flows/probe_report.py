"""``diplowatch outlets --probe``, the pure part: judging what each source answered, the
outlet's summary, the lines and JSON printed, what changed since the last probe, the mail.

No network, no database: ``flows.probing`` asks the sources and hands the answers here.

A source (feed, sitemap, listing page) is
- ``live``: it answered with at least one URL matching the outlet's article pattern, and its
  newest dated item (if any item is dated) is at most ``STALE_AFTER`` old;
- ``stale``: it answered with article URLs, but the newest is older than ``STALE_AFTER``;
- ``empty``: it answered, but nothing in it is an article of the outlet;
- ``blocked``: robots.txt forbids it to us, or the server refused us (401, 403, 429, 451);
- ``dead``: anything else (404, 5xx, timeouts, refused connections, redirect loops or off the
  outlet's hosts, not a feed or sitemap at all).
An outlet is ``live`` when one of its sources is, else ``stale`` when one is, else
``blocked`` when one is, else ``dead``. Any outlet that is not live makes the exit status 1.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from html import escape
from typing import Any, Literal

from digest.render import RenderedDigest
from records import to_vietnam_iso

STALE_AFTER = timedelta(days=3)
DEAD_AFTER = timedelta(days=7)  # a source failing this long is skipped by the monitor
BLOCKED_STATUSES = frozenset({401, 403, 429, 451})

Outcome = Literal["live", "stale", "empty", "dead", "blocked"]
OutletStatus = Literal["live", "stale", "dead", "blocked"]


@dataclass(frozen=True, slots=True)
class EndpointProbe:
    """What one source answered."""

    outlet_key: str
    kind: str  # feed, sitemap, listing
    url: str
    provenance: str
    outcome: Outcome
    status: int | None = None  # the last HTTP status seen (None: no answer)
    final_url: str | None = None  # after redirects
    items: int | None = None
    matching: int | None = None  # items matching the outlet's article pattern
    newest_at: datetime | None = None
    detail: str | None = None  # why it failed, or a note ("index of 12 sitemaps")

    @property
    def share(self) -> float | None:
        return None if not self.items or self.matching is None else self.matching / self.items


@dataclass(frozen=True, slots=True)
class ArticleProbe:
    """One recent article of the outlet, fetched and parsed as the monitor would."""

    url: str
    ok: bool
    method: str | None = None  # extraction method that won
    words: int = 0  # body words
    published_at: datetime | None = None
    authors: tuple[str, ...] = ()
    detail: str | None = None  # why it failed


@dataclass(frozen=True, slots=True)
class OutletProbe:
    key: str
    endpoints: tuple[EndpointProbe, ...]
    article: ArticleProbe | None

    @property
    def status(self) -> OutletStatus:
        return outlet_status(self.endpoints)


def judge_endpoint(
    *,
    status: int | None,
    error: str | None,
    matching: int | None,
    newest_at: datetime | None,
    now: datetime,
) -> Outcome:
    """The outcome of one source. ``error`` is the crawler's reason (``FetchError.reason``)
    or "parse" (the body is not what the source should serve); None when it answered."""
    if error == "robots" or (error is not None and status in BLOCKED_STATUSES):
        return "blocked"
    if error is not None:
        return "dead"
    if not matching:
        return "empty"
    if newest_at is not None and now - newest_at > STALE_AFTER:
        return "stale"
    return "live"


def outlet_status(endpoints: Sequence[EndpointProbe]) -> OutletStatus:
    outcomes = {endpoint.outcome for endpoint in endpoints}
    statuses: tuple[OutletStatus, ...] = ("live", "stale", "blocked")
    return next((status for status in statuses if status in outcomes), "dead")


def _when(moment: datetime | None) -> str:
    return (to_vietnam_iso(moment) or "")[:16].replace("T", " ") or "-"


def endpoint_line(endpoint: EndpointProbe) -> str:
    """One line: outlet, kind, outcome, status, counts, newest item, URL, evidence."""
    status = str(endpoint.status) if endpoint.status is not None else "---"
    parts = [f"{endpoint.outlet_key:<14} {endpoint.kind:<8} {endpoint.outcome:<8} {status:>3}"]
    if endpoint.items is not None:
        share = endpoint.share
        matching = f"{share:.0%}" if share is not None else "-"
        parts.append(
            f"items {endpoint.items:>4}  matching {matching:>4}  newest {_when(endpoint.newest_at)}"
        )
    parts.append(endpoint.url)
    if endpoint.final_url and endpoint.final_url != endpoint.url:
        parts.append(f"-> {endpoint.final_url}")
    parts.append(f"[{endpoint.provenance}]")
    if endpoint.detail:
        parts.append(f"({endpoint.detail})")
    return "  ".join(parts)


def article_line(key: str, article: ArticleProbe | None) -> str:
    if article is None:
        return f"{key:<14} article  none     no article URL found in any source"
    if not article.ok:
        return f"{key:<14} article  failed   {article.url}  ({article.detail})"
    authors = ", ".join(article.authors) or "no author"
    return (
        f"{key:<14} article  {article.method or '?':<8} {article.words} words  "
        f"dated {_when(article.published_at)}  {authors}  {article.url}"
    )


def summary_line(probe: OutletProbe) -> str:
    counts: dict[str, int] = {}
    for endpoint in probe.endpoints:
        counts[endpoint.outcome] = counts.get(endpoint.outcome, 0) + 1
    detail = ", ".join(f"{counts[o]} {o}" for o in ("live", "stale", "empty", "blocked", "dead")
                       if o in counts)
    return f"{probe.key}: {probe.status} ({detail or 'no sources'})"


def report_lines(probes: Sequence[OutletProbe]) -> list[str]:
    """The whole table: per outlet its sources, its article, its summary."""
    lines: list[str] = []
    for probe in probes:
        lines += [endpoint_line(endpoint) for endpoint in probe.endpoints]
        lines.append(article_line(probe.key, probe.article))
        lines.append(summary_line(probe))
    return lines


def probe_json(probe: OutletProbe) -> dict[str, Any]:
    article = probe.article
    return {
        "key": probe.key,
        "status": probe.status,
        "sources": [
            {
                "kind": e.kind, "url": e.url, "provenance": e.provenance, "outcome": e.outcome,
                "status": e.status, "final_url": e.final_url, "items": e.items,
                "matching": e.matching,
                "matching_share": round(e.share, 3) if e.share is not None else None,
                "newest_at": to_vietnam_iso(e.newest_at), "detail": e.detail,
            }
            for e in probe.endpoints
        ],
        "article": None if article is None else {
            "url": article.url, "ok": article.ok, "extraction_method": article.method,
            "words": article.words, "published_at": to_vietnam_iso(article.published_at),
            "authors": list(article.authors), "detail": article.detail,
        },
    }  # fmt: skip


def changes(previous: Mapping[str, str | None], probes: Sequence[OutletProbe]) -> list[str]:
    """What changed since the last probe: a source's outcome (``previous``: URL → the last
    outcome, None or absent when never probed)."""
    found = []
    for probe in probes:
        for endpoint in probe.endpoints:
            before = previous.get(endpoint.url)
            if before != endpoint.outcome:
                found.append(
                    f"{endpoint.outlet_key} {endpoint.kind} {endpoint.url}: "
                    f"{before or 'never probed'} -> {endpoint.outcome}"
                )
    return found


def render_probe_mail(probes: Sequence[OutletProbe], changed: Sequence[str]) -> RenderedDigest:
    """The operator's mail: what changed, then the same table as ``outlets --probe``."""
    not_live = [probe.key for probe in probes if probe.status != "live"]
    subject = (
        f"diplowatch: outlet probe: {len(changed)} changes; "
        + (f"not live: {', '.join(not_live)}" if not_live else "every outlet live")
    )
    table = report_lines(probes)
    text = "\n".join(["Changed since the last probe:", *changed, "", *table, ""])
    items = "".join(f"<li>{escape(line)}</li>" for line in changed)
    html = (
        f"<html><body><p>Changed since the last probe:</p><ul>{items}</ul>"
        f"<pre>{escape(chr(10).join(table))}</pre></body></html>"
    )
    return RenderedDigest(subject, html, text)
