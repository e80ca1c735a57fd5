"""story alerts: alerts raised for stories per watch profile, and their deliveries

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04 11:00:00

``story_alerts``: one ``alert`` per story and profile, ever, and at most one ``update``
(unique on profile, story, kind: two monitor runs at once raise it once); the message as
rendered when raised; ``due_at`` (quiet hours) and the day it belongs to (the digest marks
it). ``alert_deliveries``: per alert and channel (``email`` or the name of an apprise URL),
its state, attempts, last error, Message-ID and a send lease, as ``digests`` has.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.models

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    moment = storage.models.UtcDateTime(timezone=True)
    op.create_table(
        "story_alerts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("profile", sa.String(length=64), nullable=False),
        sa.Column("story_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("rules", sa.JSON(), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.Column("facts", sa.JSON(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("url", sa.String(length=2048), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("html", sa.Text(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("markdown", sa.Text(), nullable=False),
        sa.Column("raised_at", moment, nullable=False),
        sa.Column("due_at", moment, nullable=False),
        sa.Column("day", sa.String(length=10), nullable=False),
        sa.ForeignKeyConstraint(["story_id"], ["stories.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(
            "profile", "story_id", "kind", name="uq_story_alerts_profile_story_kind"
        ),
    )
    op.create_index("ix_story_alerts_raised", "story_alerts", ["raised_at"])
    op.create_index("ix_story_alerts_story_id", "story_alerts", ["story_id"])
    op.create_table(
        "alert_deliveries",
        sa.Column("alert_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=100), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("message_id", sa.String(length=512), nullable=True),
        sa.Column("recipients", sa.JSON(), nullable=False),
        sa.Column("sending_until", moment, nullable=True),
        sa.Column("sent_at", moment, nullable=True),
        sa.ForeignKeyConstraint(["alert_id"], ["story_alerts.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("alert_id", "channel"),
    )
    op.create_index("ix_alert_deliveries_state", "alert_deliveries", ["state"])


def downgrade() -> None:
    op.drop_index("ix_alert_deliveries_state", table_name="alert_deliveries")
    op.drop_table("alert_deliveries")
    op.drop_index("ix_story_alerts_story_id", table_name="story_alerts")
    op.drop_index("ix_story_alerts_raised", table_name="story_alerts")
    op.drop_table("story_alerts")
