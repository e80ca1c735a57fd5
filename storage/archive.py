"""What the reading room (the ``web`` package) reads, and nothing else: it never writes.

- ``open_read_only``: a :class:`storage.db.Database` that is not migrated and whose every
  connection refuses writes (SQLite ``PRAGMA query_only``, PostgreSQL read-only
  transactions), so a bug in a page cannot change the archive.
- Stories by filter (partner, person, event kind, outlet, time), newest first, with a total;
  a story's articles page by page; the digests that carried a story.
- Full-text search with the reading room's filters (``storage.search`` ranks and counts;
  the verdict conditions are added here).
- The rows behind the weekly charts (first time, partners and event of each story).

Every value reaches the database as a bound parameter; JSON lists (partners, people,
outlets) are tested with ``json_each`` on SQLite and ``@>`` on a ``jsonb`` cast on
PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, Engine, Select, cast, event, func, inspect, literal, select, true
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Session

from records import VIETNAM_TZ
from storage.db import Database
from storage.models import (
    AlertDeliveryRow,
    ArticleRow,
    DigestRow,
    DigestStoryRow,
    StoryAlertRow,
    StoryArticleRow,
    StoryRow,
    VerdictRow,
)
from storage.search import RANK_WINDOW, SearchHit, SearchQuery, search_articles

__all__ = [
    "COUNT_CAP",
    "ArticleFilters",
    "SchemaMissingError",
    "StoryFilters",
    "find_stories",
    "has_table",
    "latest_story_time",
    "open_read_only",
    "search_page",
    "stories_by_id",
    "story_alerts",
    "story_articles",
    "story_digests",
    "story_ids_of",
    "story_weeks",
]

COUNT_CAP = RANK_WINDOW  # PostgreSQL ranks (and so counts) at most this many matches


class SchemaMissingError(RuntimeError):
    """The database has no diplowatch schema yet (never migrated)."""


def _read_only(engine: Engine) -> None:
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        if engine.dialect.name == "sqlite":
            cursor.execute("PRAGMA query_only = ON")
        else:
            cursor.execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")
            dbapi_connection.commit()
            # No server-side prepared statements: after five runs of a query psycopg would
            # prepare it, and PostgreSQL's generic plan for a search (its filters unknown)
            # is 3-4 times slower than the plan made for the values at hand.
            dbapi_connection.prepare_threshold = None
        cursor.close()

    event.listen(engine, "connect", on_connect)


def open_read_only(database_url: str) -> Database:
    """The database at ``database_url``, read only and not migrated (the monitor migrates).

    Raises SchemaMissingError when it holds no stories table (a new, never migrated database).
    """
    db = Database(database_url, run_migrations=False)
    _read_only(db.engine)
    try:
        tables = set(inspect(db.engine).get_table_names())
    except Exception:
        db.dispose()
        raise
    if not {"articles", "verdicts", "stories", "story_articles"} <= tables:
        db.dispose()
        raise SchemaMissingError(
            "the database holds no diplowatch archive yet: run `diplowatch run` once "
            "(or `alembic upgrade head`) before serving it"
        )
    return db


# --------------------------------------------------------------------------- JSON lists


def _has(session: Session, column: Any, item: Any) -> Any:
    """``item`` is an element of the JSON list in ``column`` (a dict: a partial match)."""
    if session.get_bind().dialect.name == "postgresql":
        return cast(column, JSONB).contains([item])
    each = func.json_each(column).table_valued("value")
    if isinstance(item, dict):
        [(key, value)] = item.items()
        condition = func.json_extract(each.c.value, f"$.{key}") == value
    else:
        condition = each.c.value == item
    return select(literal(1)).select_from(each).where(condition).exists()


# --------------------------------------------------------------------------- stories


@dataclass(frozen=True)
class StoryFilters:
    """Which stories: every condition given must hold (``start``/``end`` on first seen)."""

    start: datetime | None = None
    end: datetime | None = None
    partner: str | None = None
    person: str | None = None
    event: str | None = None
    outlet: str | None = None
    min_score: float = 0.0


def _story_query(session: Session, filters: StoryFilters, *columns: Any) -> Select[Any]:
    query = select(*columns) if columns else select(StoryRow)
    if filters.start is not None:
        query = query.where(StoryRow.first_seen_at >= filters.start)
    if filters.end is not None:
        query = query.where(StoryRow.first_seen_at < filters.end)
    if filters.partner:
        query = query.where(_has(session, StoryRow.partners, filters.partner))
    if filters.person:
        query = query.where(_has(session, StoryRow.people, {"name": filters.person}))
    if filters.outlet:
        query = query.where(_has(session, StoryRow.outlets, filters.outlet))
    if filters.event:
        query = query.where(StoryRow.event == filters.event)
    if filters.min_score > 0:
        query = query.where(StoryRow.score >= filters.min_score)
    return query


def find_stories(
    session: Session, filters: StoryFilters, *, offset: int = 0, limit: int = 20
) -> tuple[list[StoryRow], int]:
    """The stories matching ``filters``, newest first, and how many match in all."""
    query = _story_query(session, filters)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    page = query.order_by(StoryRow.first_seen_at.desc(), StoryRow.id.desc())
    return list(session.scalars(page.offset(offset).limit(limit))), total


def latest_story_time(session: Session) -> datetime | None:
    """When the newest story was last reported (None: no story yet)."""
    return session.scalar(select(func.max(StoryRow.last_seen_at)))


def stories_by_id(session: Session, story_ids: Iterable[int]) -> dict[int, StoryRow]:
    wanted = sorted(set(story_ids))
    if not wanted:
        return {}
    return {row.id: row for row in session.scalars(select(StoryRow).where(StoryRow.id.in_(wanted)))}


def story_articles(
    session: Session, story_id: int, *, offset: int = 0, limit: int = 20
) -> tuple[list[tuple[ArticleRow, VerdictRow | None, datetime]], int]:
    """A page of the story's articles in time order (article, verdict, time), and the total."""
    members = select(StoryArticleRow).where(StoryArticleRow.story_id == story_id).subquery()
    total = session.scalar(select(func.count()).select_from(members)) or 0
    rows = session.execute(
        select(ArticleRow, VerdictRow, StoryArticleRow.moment)
        .join(StoryArticleRow, StoryArticleRow.article_id == ArticleRow.id)
        .outerjoin(VerdictRow, VerdictRow.article_id == ArticleRow.id)
        .where(StoryArticleRow.story_id == story_id)
        .order_by(StoryArticleRow.moment, StoryArticleRow.article_id)
        .offset(offset)
        .limit(limit)
    ).all()
    return [(article, verdict, moment) for article, verdict, moment in rows], total


def story_digests(session: Session, story_id: int) -> list[tuple[str, str, datetime | None]]:
    """(profile, day, sent at) of every digest that carried the story, newest day first."""
    rows = session.execute(
        select(DigestRow.profile, DigestRow.day, DigestRow.sent_at)
        .join(DigestStoryRow, DigestStoryRow.digest_id == DigestRow.id)
        .where(DigestStoryRow.story_id == story_id)
        .order_by(DigestRow.day.desc(), DigestRow.profile)
    ).all()
    return [(profile, day, sent_at) for profile, day, sent_at in rows]


def has_table(db: Database, name: str) -> bool:
    """Whether the archive has ``name`` (a table a later migration added, e.g. alerts)."""
    return name in set(inspect(db.engine).get_table_names())


def story_alerts(session: Session, story_id: int) -> list[dict[str, Any]]:
    """The alerts raised for the story (oldest first), each with its channels' states."""
    alerts = session.execute(
        select(StoryAlertRow.id, StoryAlertRow.profile, StoryAlertRow.kind, StoryAlertRow.level,
               StoryAlertRow.raised_at, StoryAlertRow.reasons)
        .where(StoryAlertRow.story_id == story_id)
        .order_by(StoryAlertRow.raised_at, StoryAlertRow.id)
    ).all()  # fmt: skip
    channels: dict[int, list[tuple[str, str]]] = {}
    if alerts:
        for alert_id, channel, state in session.execute(
            select(AlertDeliveryRow.alert_id, AlertDeliveryRow.channel, AlertDeliveryRow.state)
            .where(AlertDeliveryRow.alert_id.in_([row[0] for row in alerts]))
            .order_by(AlertDeliveryRow.channel)
        ):  # fmt: skip
            channels.setdefault(alert_id, []).append((channel, state))
    return [
        {"profile": profile, "kind": kind, "level": level, "raised_at": raised_at,
         "reasons": [str(r) for r in reasons or []], "channels": channels.get(alert_id, [])}
        for alert_id, profile, kind, level, raised_at, reasons in alerts
    ]  # fmt: skip


def story_ids_of(session: Session, article_ids: Sequence[int]) -> dict[int, int]:
    """The story of each of ``article_ids`` that is in one."""
    if not article_ids:
        return {}
    rows = session.execute(
        select(StoryArticleRow.article_id, StoryArticleRow.story_id).where(
            StoryArticleRow.article_id.in_(list(article_ids))
        )
    ).all()
    return {article_id: story_id for article_id, story_id in rows}


def story_weeks(
    session: Session, filters: StoryFilters, by: str
) -> list[tuple[date, str, int]]:
    """(Monday, key, stories) per week (Asia/Ho_Chi_Minh, a story in the week of its first
    article) of the stories matching ``filters``; the key is each of a story's partners
    (``by="partner"``) or its event kind (``by="event"``, "" for none). Counted in SQL."""
    first = StoryRow.first_seen_at
    if session.get_bind().dialect.name == "postgresql":
        local = func.timezone(VIETNAM_TZ.key, first)
        week: Any = cast(func.date_trunc("week", local), Date)
        each = func.jsonb_array_elements_text(cast(StoryRow.partners, JSONB))
    else:  # stored as naive UTC text; Vietnam keeps UTC+7 all year
        week = func.date(first, "+7 hours", "-6 days", "weekday 1")
        each = func.json_each(StoryRow.partners)
    key: Any = func.coalesce(StoryRow.event, "")
    values = each.table_valued("value")
    if by == "partner":
        key = values.c.value
    query = _story_query(session, filters, week.label("week"), key.label("key"), func.count())
    if by == "partner":  # one row per partner of a story (the function sees the row: lateral)
        query = query.select_from(StoryRow).join(values, true())
    rows = session.execute(query.group_by(week, key)).all()
    return [(w if isinstance(w, date) else date.fromisoformat(w), str(k), int(n))
            for w, k, n in rows]  # fmt: skip


# --------------------------------------------------------------------------- search


@dataclass(frozen=True)
class ArticleFilters:
    """Search filters: time range on the article time, outlets, and the verdict's fields."""

    since: datetime | None = None
    until: datetime | None = None
    outlets: tuple[str, ...] = ()
    diplomacy_only: bool = False
    partner: str | None = None
    event: str | None = None
    person: str | None = None

    def verdict_condition(self, session: Session) -> Any:
        """A condition on an article id column for the verdict filters, or None."""
        if not (self.partner or self.event or self.person):
            return None
        conditions: list[Any] = []
        if self.partner:
            conditions.append(_has(session, VerdictRow.partners, self.partner))
        if self.person:
            conditions.append(_has(session, VerdictRow.people, {"name": self.person}))
        if self.event:
            conditions.append(VerdictRow.event == self.event)

        def condition(article_id: Any) -> Any:
            return select(VerdictRow.article_id).where(
                VerdictRow.article_id == article_id, *conditions
            ).exists()

        return condition


def search_page(
    session: Session, query: SearchQuery, filters: ArticleFilters, *, offset: int, limit: int
) -> tuple[list[SearchHit], int]:
    """One page of ``storage.search.search_articles`` with the reading room's filters, and
    how many match: every match on SQLite, at most ``COUNT_CAP`` on PostgreSQL (the search
    ranks the newest ``RANK_WINDOW`` matches there). Counted in the same query, by a window
    function over the ranked rows; 0 when the page is past the last one."""
    totals: list[int] = []
    hits = search_articles(
        session,
        query,
        since=filters.since,
        until=filters.until,
        outlets=filters.outlets,
        diplomacy_only=filters.diplomacy_only,
        article_filter=filters.verdict_condition(session),
        offset=offset,
        limit=limit,
        totals=totals,
    )
    return hits, totals[0] if totals else 0
