"""source probes: each discovery source's last probe, last seen answering, failing since

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05 09:00:00

``source_probes``: one row per feed, sitemap or listing page of the registry, written by
``diplowatch outlets --probe`` (and the weekly ``probe`` flow): the outcome, status, final URL,
item counts and newest item of the last probe, when the source last answered, since when it
has failed (the probe, or the monitor's fetch failures), and when the health mail reported
it dead. A source dead for a week is skipped by the monitor until a probe sees it answer.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.models

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    moment = storage.models.UtcDateTime(timezone=True)
    op.create_table(
        "source_probes",
        sa.Column("url", sa.String(length=2048), nullable=False),
        sa.Column("outlet_key", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("probed_at", moment, nullable=True),
        sa.Column("outcome", sa.String(length=16), nullable=True),
        sa.Column("status", sa.Integer(), nullable=True),
        sa.Column("final_url", sa.String(length=2048), nullable=True),
        sa.Column("items", sa.Integer(), nullable=True),
        sa.Column("matching", sa.Integer(), nullable=True),
        sa.Column("newest_at", moment, nullable=True),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column("last_seen_at", moment, nullable=True),
        sa.Column("failing_since", moment, nullable=True),
        sa.Column("dead_reported_at", moment, nullable=True),
        sa.PrimaryKeyConstraint("url"),
    )
    op.create_index("ix_source_probes_outlet_key", "source_probes", ["outlet_key"])


def downgrade() -> None:
    op.drop_index("ix_source_probes_outlet_key", table_name="source_probes")
    op.drop_table("source_probes")
