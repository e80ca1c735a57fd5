"""robots.txt kept between monitor runs

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25 09:00:00

``robots_txt``: one row per origin (``scheme://host[:port]``) with the last answer (status,
body, ETag, Last-Modified), when it was fetched or confirmed by a 304, and when to ask again
(crawler.robots: 24 h after a 2xx or 4xx, 10 minutes after a failure).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.models

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "robots_txt",
        sa.Column("origin", sa.String(length=512), nullable=False),
        sa.Column("status", sa.Integer(), nullable=True),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.Column("etag", sa.String(length=512), nullable=True),
        sa.Column("last_modified", sa.String(length=128), nullable=True),
        sa.Column("fetched_at", storage.models.UtcDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", storage.models.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("origin"),
    )


def downgrade() -> None:
    op.drop_table("robots_txt")
