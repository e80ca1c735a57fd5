"""Queries and idempotent writes. Every write is an upsert keyed on a natural key."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from records import Article, Image, Verdict
from storage.models import (
    ArticleRow,
    FetchState,
    OutletRow,
    OutletRun,
    PendingUrl,
    VerdictRow,
    utcnow,
)

MAX_FETCH_BACKOFF = timedelta(hours=6)


def dialect_insert(session: Session, model: type[Any]) -> Any:
    """A dialect-specific INSERT that supports ON CONFLICT (SQLite and PostgreSQL)."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return postgresql.insert(model)
    if dialect == "sqlite":
        return sqlite.insert(model)
    raise RuntimeError(f"unsupported database dialect {dialect!r}: use SQLite or PostgreSQL")


# --- articles and verdicts -------------------------------------------------------------


def known_url_keys(session: Session, url_keys: Iterable[str]) -> set[str]:
    """Those of ``url_keys`` already stored."""
    keys = list(dict.fromkeys(url_keys))
    found: set[str] = set()
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        found.update(
            session.scalars(select(ArticleRow.url_key).where(ArticleRow.url_key.in_(chunk)))
        )
    return found


def upsert_article(
    session: Session,
    article: Article,
    *,
    url_key: str,
    fetched_at: datetime,
    warc_file: str | None = None,
) -> int:
    """Insert or update the article stored under ``url_key``; returns its id."""
    values: dict[str, Any] = {
        "url_key": url_key,
        "url": article.url,
        "canonical_url": article.canonical_url,
        "outlet_key": article.outlet,
        "title": article.title,
        "sapo": article.sapo,
        "paragraphs": list(article.paragraphs),
        "authors": list(article.authors),
        "published_at": article.published_at,
        "updated_at": article.updated_at,
        "section": article.section,
        "tags": list(article.tags),
        "images": [asdict(image) for image in article.images],
        "credited_source": article.credited_source,
        "extraction_method": article.extraction_method,
        "extraction_notes": list(article.extraction_notes),
        "fetched_at": fetched_at,
        "warc_file": warc_file,
    }
    insert = dialect_insert(session, ArticleRow).values(first_seen_at=fetched_at, **values)
    update = {name: insert.excluded[name] for name in values if name != "url_key"}
    statement = insert.on_conflict_do_update(
        index_elements=[ArticleRow.url_key], set_=update
    ).returning(ArticleRow.id)
    article_id: int = session.execute(statement).scalar_one()
    return article_id


def save_verdict(session: Session, article_id: int, verdict: Verdict) -> None:
    values: dict[str, Any] = {
        "is_diplomacy": verdict.is_diplomacy,
        "score": verdict.score,
        "partners": list(verdict.partners),
        "event": verdict.event,
        "topics": list(verdict.topics),
        "people": [asdict(person) for person in verdict.people],
        "evidence": list(verdict.evidence),
        "model_version": verdict.model_version,
        "classified_at": utcnow(),
    }
    insert = dialect_insert(session, VerdictRow).values(article_id=article_id, **values)
    session.execute(
        insert.on_conflict_do_update(
            index_elements=[VerdictRow.article_id],
            set_={name: insert.excluded[name] for name in values},
        )
    )


def article_from_row(row: ArticleRow) -> Article:
    return Article(
        outlet=row.outlet_key,
        url=row.url,
        canonical_url=row.canonical_url,
        title=row.title,
        sapo=row.sapo,
        paragraphs=tuple(row.paragraphs),
        authors=tuple(row.authors),
        published_at=row.published_at,
        updated_at=row.updated_at,
        section=row.section,
        tags=tuple(row.tags),
        images=tuple(Image(**image) for image in row.images),
        credited_source=row.credited_source,
        extraction_method=row.extraction_method,
        extraction_notes=tuple(row.extraction_notes or ()),
    )


def verdict_from_row(row: VerdictRow) -> Verdict:
    return Verdict.from_json(
        {
            "is_diplomacy": row.is_diplomacy,
            "score": row.score,
            "partners": row.partners,
            "event": row.event,
            "topics": row.topics,
            "people": row.people,
            "evidence": row.evidence,
            "model_version": row.model_version,
        }
    )


def article_time() -> ColumnElement[datetime]:
    """When an article happened: its published time, else when we first saw it."""
    return func.coalesce(ArticleRow.published_at, ArticleRow.first_seen_at)


def diplomacy_articles(
    session: Session,
    start: datetime,
    end: datetime,
    *,
    partners: Sequence[str] = (),
    min_score: float = 0.0,
) -> list[tuple[ArticleRow, VerdictRow]]:
    """Diplomacy articles in [start, end), newest first, filtered to a profile's partners."""
    when = article_time()
    query = (
        select(ArticleRow, VerdictRow)
        .join(VerdictRow, VerdictRow.article_id == ArticleRow.id)
        .where(VerdictRow.is_diplomacy.is_(True))
        .where(VerdictRow.score >= min_score)
        .where(when >= start, when < end)
        .order_by(when.desc(), ArticleRow.id)
    )
    wanted = set(partners)
    rows = [(article, verdict) for article, verdict in session.execute(query)]
    if not wanted:
        return rows
    return [(a, v) for a, v in rows if wanted.intersection(v.partners)]


def count_articles(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(ArticleRow)) or 0


# --- fetch state of discovery URLs -------------------------------------------------------


def fetch_state(session: Session, url: str) -> FetchState | None:
    return session.get(FetchState, url)


def record_fetch_success(
    session: Session,
    url: str,
    *,
    outlet_key: str,
    status: int,
    etag: str | None,
    last_modified: str | None,
    now: datetime,
) -> None:
    state = session.get(FetchState, url) or FetchState(url=url, outlet_key=outlet_key)
    if status != 304:  # a 304 keeps the validators we sent
        state.etag = etag
        state.last_modified = last_modified
    state.last_status = status
    state.last_fetched_at = now
    state.failures = 0
    state.last_error = None
    state.next_fetch_at = None
    session.add(state)


def record_fetch_failure(
    session: Session, url: str, *, outlet_key: str, error: str, now: datetime
) -> FetchState:
    """Count a failure and back off exponentially (capped) before the next attempt."""
    state = session.get(FetchState, url) or FetchState(url=url, outlet_key=outlet_key, failures=0)
    state.failures = (state.failures or 0) + 1
    state.last_error = error[:2000]
    state.last_fetched_at = now
    state.next_fetch_at = now + min(
        timedelta(minutes=5 * 2 ** (state.failures - 1)), MAX_FETCH_BACKOFF
    )
    session.add(state)
    return state


# --- outlet runs and health ---------------------------------------------------------------


@dataclass
class OutletCounters:
    """What one monitor run did for one outlet."""

    outlet_key: str
    discovered: int = 0
    new: int = 0
    stored: int = 0
    diplomacy: int = 0
    errors: int = 0
    error_messages: list[str] = field(default_factory=list)
    empty_bodies: int = 0
    short_bodies: int = 0
    missing_dates: int = 0
    fallbacks: int = 0  # articles whose first extractor failed the quality gate
    answers: int = 0  # feeds, sitemaps and listing pages that answered (304 included)

    def error(self, message: str) -> None:
        self.errors += 1
        if len(self.error_messages) < 50:
            self.error_messages.append(message)


def record_outlet_run(
    session: Session,
    counters: OutletCounters,
    *,
    outlet_name: str,
    started_at: datetime,
    finished_at: datetime,
) -> None:
    session.add(
        OutletRun(
            outlet_key=counters.outlet_key,
            started_at=started_at,
            finished_at=finished_at,
            discovered=counters.discovered,
            new=counters.new,
            stored=counters.stored,
            diplomacy=counters.diplomacy,
            errors=counters.errors,
            error_messages=counters.error_messages,
            empty_bodies=counters.empty_bodies,
            short_bodies=counters.short_bodies,
            missing_dates=counters.missing_dates,
            fallbacks=counters.fallbacks,
        )
    )
    outlet = session.get(OutletRow, counters.outlet_key) or OutletRow(
        key=counters.outlet_key, name=outlet_name, error_streak=0, articles_stored=0
    )
    outlet.name = outlet_name
    outlet.last_run_at = finished_at
    failed = counters.errors > 0 and counters.stored == 0 and counters.discovered == 0
    if failed:
        outlet.error_streak = (outlet.error_streak or 0) + 1
        outlet.last_error = counters.error_messages[0] if counters.error_messages else "error"
    elif counters.answers == 0 and counters.stored == 0:
        pass  # nothing was asked of the outlet (every source backing off): no news of its health
    else:
        outlet.error_streak = 0
        outlet.last_success_at = finished_at
        outlet.last_error = None
    outlet.articles_stored = (outlet.articles_stored or 0) + counters.stored
    session.add(outlet)


def outlet_health(session: Session) -> dict[str, OutletRow]:
    return {row.key: row for row in session.scalars(select(OutletRow))}


# --- article URLs that failed and wait for another attempt ------------------------------

MAX_PENDING_ATTEMPTS = 8


def record_article_failure(
    session: Session, url_key: str, *, outlet_key: str, error: str, now: datetime
) -> PendingUrl:
    """Remember a failed article URL; it is tried again after an exponential back-off."""
    pending = session.get(PendingUrl, url_key) or PendingUrl(
        url_key=url_key, outlet_key=outlet_key, attempts=0, first_failed_at=now
    )
    pending.attempts = (pending.attempts or 0) + 1
    pending.last_error = error[:2000]
    pending.next_attempt_at = now + min(
        timedelta(minutes=2 ** (pending.attempts - 1)), MAX_FETCH_BACKOFF
    )
    session.add(pending)
    return pending


def queue_article_urls(
    session: Session, outlet_key: str, url_keys: Sequence[str], now: datetime
) -> None:
    """Remember newly discovered article URLs (no attempt yet, due now) before their feed's
    validators are recorded, so that a run killed before fetching them, or a URL beyond the
    run's cap, is fetched by a later run. Idempotent: a URL already waiting keeps its row."""
    for start in range(0, len(url_keys), 500):
        rows = [
            {
                "url_key": url_key,
                "outlet_key": outlet_key,
                "attempts": 0,
                "first_failed_at": now,
                "next_attempt_at": now,
            }
            for url_key in url_keys[start : start + 500]
        ]
        insert = dialect_insert(session, PendingUrl).values(rows)
        session.execute(insert.on_conflict_do_nothing(index_elements=[PendingUrl.url_key]))


def due_pending_urls(session: Session, outlet_key: str, now: datetime) -> list[str]:
    """Waiting article URLs of the outlet (never tried, or failed and past their back-off),
    oldest first."""
    query = (
        select(PendingUrl.url_key)
        .where(PendingUrl.outlet_key == outlet_key)
        .where(PendingUrl.next_attempt_at <= now)
        .where(PendingUrl.attempts < MAX_PENDING_ATTEMPTS)
        .order_by(PendingUrl.first_failed_at, PendingUrl.url_key)
    )
    return list(session.scalars(query))


def clear_pending_url(session: Session, url_key: str) -> None:
    pending = session.get(PendingUrl, url_key)
    if pending is not None:
        session.delete(pending)
