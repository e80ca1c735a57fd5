"""robots.txt answers kept between monitor runs (table ``robots_txt``, one row per origin).

The crawler decides what to keep and for how long (``crawler.robots``); this module only
reads and writes the rows. Writes are upserts, so two workers refreshing one origin at once
both succeed (the later answer stays).
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from records import RobotsRecord
from storage.models import RobotsTxtRow
from storage.repository import dialect_insert

__all__ = ["load_robots", "save_robots"]


def load_robots(session: Session, origin: str) -> RobotsRecord | None:
    row = session.get(RobotsTxtRow, origin)
    if row is None:
        return None
    return RobotsRecord(
        origin=row.origin,
        status=row.status,
        body=row.body,
        fetched_at=row.fetched_at,
        expires_at=row.expires_at,
        etag=row.etag,
        last_modified=row.last_modified,
    )


def save_robots(session: Session, robots: RobotsRecord) -> None:
    """Insert or replace the origin's row."""
    values = {
        "status": robots.status,
        "body": robots.body,
        "etag": robots.etag,
        "last_modified": robots.last_modified,
        "fetched_at": robots.fetched_at,
        "expires_at": robots.expires_at,
    }
    insert = dialect_insert(session, RobotsTxtRow).values(origin=robots.origin, **values)
    session.execute(insert.on_conflict_do_update(index_elements=["origin"], set_=values))
    session.expire_all()  # a row loaded earlier in this session must not shadow the write
