"""Per-outlet extraction health: the queries behind ``diplowatch outlets --check``.

A site redesign seldom breaks the fetch; it breaks the parser. Articles keep coming, but with
an empty or short body, without a date, or read by the generic fallback instead of the
outlet's own parser. Each monitor run records, per outlet, how many of the articles it stored
were empty, short or dateless, and how many needed a fallback extractor because the quality
gate failed the first one (``outlet_runs``); ``extraction_drift`` sums them over each
outlet's last runs that stored articles and flags the outlet when a share passes the limit.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage.models import ArticleRow, OutletRun


@dataclass(frozen=True, slots=True)
class DriftLimits:
    runs: int = 5  # the outlet's last runs that stored at least one article
    min_articles: int = 10  # fewer articles than this over those runs: too few to judge
    max_share: float = 0.3  # a larger share of empty, short, dateless or fallback: drift

    def __post_init__(self) -> None:
        if self.runs < 1 or self.min_articles < 1 or not 0.0 <= self.max_share < 1.0:
            raise ValueError("runs and min_articles must be at least 1, max_share in [0, 1)")


@dataclass(frozen=True, slots=True)
class OutletDrift:
    """One outlet's extraction health over its recent runs."""

    outlet_key: str
    runs: int  # runs looked at (those that stored articles, newest first, at most limits.runs)
    since: datetime | None  # start of the oldest of them
    stored: int
    empty: int
    short: int
    dateless: int
    gate_fallbacks: int  # articles whose first extractor failed the quality gate
    fallback: int | None  # articles not read by the outlet's own parser (None: no parser)
    reasons: tuple[str, ...]  # why it is flagged; empty when it is not
    enough: bool  # stored >= limits.min_articles

    @property
    def flagged(self) -> bool:
        return bool(self.reasons)

    def line(self) -> str:
        """One line for an operator: the verdict and its reasons."""
        if self.flagged:
            window = f"over its last {self.runs} runs with articles"
            return f"{self.outlet_key}: drift: {'; '.join(self.reasons)} ({window})"
        if not self.enough:
            return (
                f"{self.outlet_key}: too few articles to judge: {self.stored} "
                f"in its last {self.runs} runs with articles"
            )
        return f"{self.outlet_key}: ok: {self.stored} articles in its last {self.runs} runs"


def recent_runs(session: Session, outlet_key: str, limit: int) -> list[OutletRun]:
    """The outlet's last ``limit`` runs that stored at least one article, newest first."""
    query = (
        select(OutletRun)
        .where(OutletRun.outlet_key == outlet_key, OutletRun.stored > 0)
        .order_by(OutletRun.started_at.desc(), OutletRun.id.desc())
        .limit(limit)
    )
    return list(session.scalars(query))


def fallback_count(
    session: Session, outlet_key: str, method: str, since: datetime
) -> tuple[int, int]:
    """(articles first seen since ``since``, those of them not extracted by ``method``)."""
    base = select(func.count()).select_from(ArticleRow).where(
        ArticleRow.outlet_key == outlet_key, ArticleRow.first_seen_at >= since
    )
    total = session.scalar(base) or 0
    other = session.scalar(base.where(ArticleRow.extraction_method != method)) or 0
    return total, other


def _share(part: int, whole: int) -> str:
    return f"{part}/{whole} ({part / whole:.0%})"


def outlet_drift(
    session: Session, outlet_key: str, limits: DriftLimits, parser: str | None = None
) -> OutletDrift:
    """``outlet_key``'s health; ``parser`` is its own parser's extraction method, if any."""
    runs = recent_runs(session, outlet_key, limits.runs)
    stored = sum(run.stored for run in runs)
    empty = sum(run.empty_bodies for run in runs)
    short = sum(run.short_bodies for run in runs)
    dateless = sum(run.missing_dates for run in runs)
    gate_fallbacks = sum(run.fallbacks or 0 for run in runs)
    since = runs[-1].started_at if runs else None
    fallback: int | None = None
    reasons: list[str] = []
    enough = stored >= limits.min_articles
    if parser and since is not None:
        seen, fallback = fallback_count(session, outlet_key, parser, since)
        if seen >= limits.min_articles and fallback > limits.max_share * seen:
            reasons.append(f"not read by the {parser} parser: {_share(fallback, seen)}")
    if enough:
        for label, count in (("empty bodies", empty), ("short bodies", short),
                             ("no publication date", dateless),
                             ("needed a fallback extractor", gate_fallbacks)):
            if count > limits.max_share * stored:
                reasons.append(f"{label}: {_share(count, stored)}")
    return OutletDrift(
        outlet_key=outlet_key, runs=len(runs), since=since, stored=stored, empty=empty,
        short=short, dateless=dateless, gate_fallbacks=gate_fallbacks, fallback=fallback,
        reasons=tuple(reasons), enough=enough,
    )


def extraction_drift(
    session: Session,
    outlet_keys: Sequence[str],
    limits: DriftLimits | None = None,
    parsers: Mapping[str, str] | None = None,
) -> list[OutletDrift]:
    """The health of each outlet in ``outlet_keys`` (in that order); ``parsers`` maps an
    outlet key to the extraction method of its own parser (outlets on the generic path have
    none, and cannot fall back)."""
    limits = limits or DriftLimits()
    parsers = parsers or {}
    return [outlet_drift(session, key, limits, parsers.get(key)) for key in outlet_keys]
