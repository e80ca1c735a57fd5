"""Queries for the operator's jobs: outlet health history, re-parsing archived articles."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import ArticleRow, OutletRun
from storage.repository import article_time


def recent_outlet_runs(session: Session, outlet_key: str, limit: int) -> list[OutletRun]:
    """The outlet's latest ``limit`` monitor runs, newest first."""
    query = (
        select(OutletRun)
        .where(OutletRun.outlet_key == outlet_key)
        .order_by(OutletRun.started_at.desc(), OutletRun.id.desc())
        .limit(limit)
    )
    return list(session.scalars(query))


@dataclass(frozen=True)
class ArchivedArticle:
    """Where a stored article's raw page is: enough to parse it again."""

    id: int
    url_key: str
    url: str
    outlet_key: str
    fetched_at: datetime
    warc_file: str | None


def archived_articles(
    session: Session,
    *,
    outlets: Sequence[str] = (),
    start: datetime | None = None,
    end: datetime | None = None,
) -> list[ArchivedArticle]:
    """Stored articles of ``outlets`` (all when empty) whose time is in [start, end).

    An article's time is its published time, else when it was first seen. Ordered by WARC
    file then id, so that each archive is read once.
    """
    when = article_time()
    query = select(
        ArticleRow.id,
        ArticleRow.url_key,
        ArticleRow.url,
        ArticleRow.outlet_key,
        ArticleRow.fetched_at,
        ArticleRow.warc_file,
    )
    if outlets:
        query = query.where(ArticleRow.outlet_key.in_(list(outlets)))
    if start is not None:
        query = query.where(when >= start)
    if end is not None:
        query = query.where(when < end)
    query = query.order_by(ArticleRow.warc_file, ArticleRow.id)
    return [ArchivedArticle(*row) for row in session.execute(query)]
