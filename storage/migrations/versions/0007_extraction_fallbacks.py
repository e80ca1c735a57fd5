"""extraction fallbacks: why earlier extractors lost, and a per-run count of fallbacks

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04 04:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("articles", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("extraction_notes", sa.JSON(), nullable=False, server_default="[]")
        )
    with op.batch_alter_table("outlet_runs", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("fallbacks", sa.Integer(), server_default="0", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("outlet_runs", schema=None) as batch_op:
        batch_op.drop_column("fallbacks")
    with op.batch_alter_table("articles", schema=None) as batch_op:
        batch_op.drop_column("extraction_notes")
