"""SQLAlchemy 2 typed models. Times are stored in UTC and come back timezone-aware."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class UtcDateTime(TypeDecorator[datetime]):
    """A timezone-aware datetime stored as UTC on every backend (SQLite keeps it naive)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: store timezone-aware times only")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UtcDateTime(),
        dict[str, Any]: JSON,
        list[Any]: JSON,
    }


class OutletRow(Base):
    """An outlet's health across runs (its registry entry lives in code)."""

    __tablename__ = "outlets"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    last_run_at: Mapped[datetime | None]
    last_success_at: Mapped[datetime | None]
    error_streak: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    articles_stored: Mapped[int] = mapped_column(Integer, default=0)


class FetchState(Base):
    """Conditional-GET and back-off state of one discovery URL (feed, sitemap, listing)."""

    __tablename__ = "fetch_state"

    url: Mapped[str] = mapped_column(String(2048), primary_key=True)
    outlet_key: Mapped[str] = mapped_column(String(64), index=True)
    etag: Mapped[str | None] = mapped_column(String(512))
    last_modified: Mapped[str | None] = mapped_column(String(128))
    last_status: Mapped[int | None]
    last_fetched_at: Mapped[datetime | None]
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    next_fetch_at: Mapped[datetime | None]


class PendingUrl(Base):
    """An article URL that failed to fetch or parse: retried on later runs with back-off."""

    __tablename__ = "pending_urls"

    url_key: Mapped[str] = mapped_column(String(2048), primary_key=True)
    outlet_key: Mapped[str] = mapped_column(String(64), index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    first_failed_at: Mapped[datetime]
    next_attempt_at: Mapped[datetime] = mapped_column(index=True)


class ArticleRow(Base):
    __tablename__ = "articles"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    url_key: Mapped[str] = mapped_column(String(2048), unique=True)  # normalised URL
    url: Mapped[str] = mapped_column(String(2048))
    canonical_url: Mapped[str | None] = mapped_column(String(2048))
    outlet_key: Mapped[str] = mapped_column(String(64), index=True)
    title: Mapped[str] = mapped_column(Text)
    sapo: Mapped[str | None] = mapped_column(Text)
    paragraphs: Mapped[list[Any]] = mapped_column(JSON)
    authors: Mapped[list[Any]] = mapped_column(JSON)
    published_at: Mapped[datetime | None] = mapped_column(index=True)
    updated_at: Mapped[datetime | None]
    section: Mapped[str | None] = mapped_column(String(300))
    tags: Mapped[list[Any]] = mapped_column(JSON)
    images: Mapped[list[Any]] = mapped_column(JSON)
    credited_source: Mapped[str | None] = mapped_column(String(300))
    extraction_method: Mapped[str] = mapped_column(String(64))
    # Why the extractors before the winner lost ("generic: 12 body words of 640 visible").
    extraction_notes: Mapped[list[Any]] = mapped_column(JSON, default=list, server_default="[]")
    first_seen_at: Mapped[datetime] = mapped_column(index=True)
    fetched_at: Mapped[datetime]
    warc_file: Mapped[str | None] = mapped_column(String(1024))

    verdict: Mapped[VerdictRow | None] = relationship(
        back_populates="article", uselist=False, cascade="all, delete-orphan"
    )


class VerdictRow(Base):
    __tablename__ = "verdicts"

    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    )
    is_diplomacy: Mapped[bool] = mapped_column(Boolean, index=True)
    score: Mapped[float] = mapped_column(Float)
    partners: Mapped[list[Any]] = mapped_column(JSON)
    event: Mapped[str | None] = mapped_column(String(32))
    topics: Mapped[list[Any]] = mapped_column(JSON)
    people: Mapped[list[Any]] = mapped_column(JSON)
    evidence: Mapped[list[Any]] = mapped_column(JSON)
    model_version: Mapped[str] = mapped_column(String(64))
    classified_at: Mapped[datetime]

    article: Mapped[ArticleRow] = relationship(back_populates="verdict")


class OutletRun(Base):
    """Per outlet and monitor run: the counters that outlet health is computed from."""

    __tablename__ = "outlet_runs"
    __table_args__ = (Index("ix_outlet_runs_outlet_started", "outlet_key", "started_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    outlet_key: Mapped[str] = mapped_column(String(64))
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    discovered: Mapped[int] = mapped_column(Integer, default=0)
    new: Mapped[int] = mapped_column(Integer, default=0)
    stored: Mapped[int] = mapped_column(Integer, default=0)
    diplomacy: Mapped[int] = mapped_column(Integer, default=0)
    errors: Mapped[int] = mapped_column(Integer, default=0)
    error_messages: Mapped[list[Any]] = mapped_column(JSON)
    # Extraction health of the articles stored in this run (a redesign shows up here).
    empty_bodies: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    short_bodies: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    missing_dates: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Articles whose first extractor failed the quality gate (a later one won).
    fallbacks: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class DigestRow(Base):
    """One digest per watch profile and day; ``sent_at`` is set only after a real send."""

    __tablename__ = "digests"
    __table_args__ = (UniqueConstraint("profile", "day", name="uq_digests_profile_day"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    profile: Mapped[str] = mapped_column(String(64))
    day: Mapped[str] = mapped_column(String(10))  # YYYY-MM-DD in Asia/Ho_Chi_Minh
    window_start: Mapped[datetime]
    window_end: Mapped[datetime]
    subject: Mapped[str] = mapped_column(Text)
    html: Mapped[str] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    article_ids: Mapped[list[Any]] = mapped_column(JSON)
    recipients: Mapped[list[Any]] = mapped_column(JSON)
    refused: Mapped[dict[str, Any]] = mapped_column(JSON)
    html_path: Mapped[str | None] = mapped_column(String(1024))
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    message_id: Mapped[str | None] = mapped_column(String(512))
    send_attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    sending_until: Mapped[datetime | None]  # a run is sending it (a lease, storage.digests)


# --- stories (issue 5): articles about one event, across outlets and republications -------


class StoryRow(Base):
    """One event as many outlets reported it; the summary is refreshed on every new member."""

    __tablename__ = "stories"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    representative_id: Mapped[int | None] = mapped_column(
        ForeignKey("articles.id", ondelete="SET NULL")
    )
    title: Mapped[str] = mapped_column(Text)
    first_seen_at: Mapped[datetime] = mapped_column(index=True)
    last_seen_at: Mapped[datetime] = mapped_column(index=True)
    article_count: Mapped[int] = mapped_column(Integer, default=0)
    outlet_count: Mapped[int] = mapped_column(Integer, default=0)
    outlets: Mapped[list[Any]] = mapped_column(JSON)
    partners: Mapped[list[Any]] = mapped_column(JSON)
    people: Mapped[list[Any]] = mapped_column(JSON)
    topics: Mapped[list[Any]] = mapped_column(JSON)
    event: Mapped[str | None] = mapped_column(String(32))
    score: Mapped[float] = mapped_column(Float, default=0.0)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class StoryArticleRow(Base):
    """An article's membership of its story (one story per article) and its signature."""

    __tablename__ = "story_articles"

    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    )
    story_id: Mapped[int] = mapped_column(ForeignKey("stories.id", ondelete="CASCADE"), index=True)
    moment: Mapped[datetime] = mapped_column(index=True)  # published, else first seen
    similarity: Mapped[float] = mapped_column(Float)  # to the member it matched; 1 for a founder
    signature: Mapped[bytes] = mapped_column(LargeBinary)  # MinHash, little-endian uint32s
    shingle_count: Mapped[int] = mapped_column(Integer)
    model_version: Mapped[str] = mapped_column(String(32))
    joined_at: Mapped[datetime]


class StoryKeyRow(Base):
    """Candidate lookup: an article's LSH band keys and entity keys (plain indexed integers,
    the same on SQLite and PostgreSQL)."""

    __tablename__ = "story_keys"
    __table_args__ = (Index("ix_story_keys_key_moment", "band_key", "moment"),)

    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    )
    band_key: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    moment: Mapped[datetime]


class DigestStoryRow(Base):
    """The stories a digest carried, in order (a story sent once is not sent again)."""

    __tablename__ = "digest_stories"

    digest_id: Mapped[int] = mapped_column(
        ForeignKey("digests.id", ondelete="CASCADE"), primary_key=True
    )
    story_id: Mapped[int] = mapped_column(
        ForeignKey("stories.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    position: Mapped[int] = mapped_column(Integer)


# --- robots.txt (issue 6): kept between monitor runs and shared by workers ----------------


class RobotsTxtRow(Base):
    """An origin's robots.txt as last fetched: asked again after ``expires_at`` (conditional
    GET with ``etag`` / ``last_modified`` when ``body`` holds a 2xx answer)."""

    __tablename__ = "robots_txt"

    origin: Mapped[str] = mapped_column(String(512), primary_key=True)  # scheme://host[:port]
    status: Mapped[int | None]  # None: the origin could not be reached
    body: Mapped[bytes] = mapped_column(LargeBinary)
    etag: Mapped[str | None] = mapped_column(String(512))
    last_modified: Mapped[str | None] = mapped_column(String(128))
    fetched_at: Mapped[datetime]  # body fetched, or confirmed by a 304
    expires_at: Mapped[datetime]


# --- discovery sources proven live (issue 12): what ``diplowatch outlets --probe`` saw ----


class SourceProbeRow(Base):
    """A feed, sitemap or listing page of the registry: the probe's last answer, when it was
    last seen answering, and since when it has not (by the probe or the monitor's failures).
    A source failing for a week is reported once (``dead_reported_at``) and skipped by the
    monitor until a probe sees it answer again."""

    __tablename__ = "source_probes"

    url: Mapped[str] = mapped_column(String(2048), primary_key=True)
    outlet_key: Mapped[str] = mapped_column(String(64), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # feed, sitemap, listing
    probed_at: Mapped[datetime | None]  # the last probe
    outcome: Mapped[str | None] = mapped_column(String(16))  # live, stale, empty, dead, blocked
    status: Mapped[int | None]  # HTTP status of the last probe (None: no answer)
    final_url: Mapped[str | None] = mapped_column(String(2048))
    items: Mapped[int | None]
    matching: Mapped[int | None]  # items whose URL matches the outlet's article pattern
    newest_at: Mapped[datetime | None]
    detail: Mapped[str | None] = mapped_column(Text)
    last_seen_at: Mapped[datetime | None]  # last answered (2xx) a probe or the monitor
    failing_since: Mapped[datetime | None]  # start of the current run of failures
    dead_reported_at: Mapped[datetime | None]  # the health mail reported it dead


# --- story alerts (issue 13): stories that cannot wait for tomorrow's digest ---------------


class StoryAlertRow(Base):
    """An alert raised for a story and a watch profile: one ``alert`` per story and profile,
    ever, and at most one ``update``. Its message is rendered once, when raised (a retried
    send sends the same message); ``due_at`` is later than ``raised_at`` in quiet hours."""

    __tablename__ = "story_alerts"
    __table_args__ = (
        UniqueConstraint("profile", "story_id", "kind", name="uq_story_alerts_profile_story_kind"),
        Index("ix_story_alerts_raised", "raised_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    profile: Mapped[str] = mapped_column(String(64))
    # SET NULL: a story emptied later keeps its alert's record (the title and url below).
    story_id: Mapped[int | None] = mapped_column(
        ForeignKey("stories.id", ondelete="SET NULL"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))  # alert, update
    level: Mapped[int] = mapped_column(Integer)
    rules: Mapped[list[Any]] = mapped_column(JSON)  # names of the rules met
    reasons: Mapped[list[Any]] = mapped_column(JSON)  # why, in the readers' words
    changes: Mapped[list[Any]] = mapped_column(JSON)  # an update: what changed
    facts: Mapped[dict[str, Any]] = mapped_column(JSON)  # outlets, top person, event then
    title: Mapped[str] = mapped_column(Text)
    url: Mapped[str] = mapped_column(String(2048))
    subject: Mapped[str] = mapped_column(Text)
    html: Mapped[str] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    markdown: Mapped[str] = mapped_column(Text)
    raised_at: Mapped[datetime]
    due_at: Mapped[datetime]
    day: Mapped[str] = mapped_column(String(10))  # raised_at's day in Asia/Ho_Chi_Minh


class AlertDeliveryRow(Base):
    """One channel of one alert (``email``, or the name of an apprise URL of the profile;
    never the URL: it holds secrets). Sent at most once: a send lease (``sending_until``),
    and ``sent_at`` only after the server or service accepted it."""

    __tablename__ = "alert_deliveries"
    __table_args__ = (Index("ix_alert_deliveries_state", "state"),)

    alert_id: Mapped[int] = mapped_column(
        ForeignKey("story_alerts.id", ondelete="CASCADE"), primary_key=True
    )
    channel: Mapped[str] = mapped_column(String(100), primary_key=True)
    state: Mapped[str] = mapped_column(String(16))  # pending, sent, failed (gave up)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    message_id: Mapped[str | None] = mapped_column(String(512))  # email: kept across retries
    recipients: Mapped[list[Any]] = mapped_column(JSON)
    sending_until: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
