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


# Plain ALTER TABLE, never a batch copy: on SQLite a batch operation rebuilds the table and
# loses what reflection cannot see, the expression index and the full-text triggers that
# migration 0004 put on ``articles``. (SQLite adds and drops a column in place since 3.35.)


def upgrade() -> None:
    op.add_column(
        "articles", sa.Column("extraction_notes", sa.JSON(), nullable=False, server_default="[]")
    )
    op.add_column(
        "outlet_runs", sa.Column("fallbacks", sa.Integer(), server_default="0", nullable=False)
    )


def downgrade() -> None:
    op.drop_column("outlet_runs", "fallbacks")
    op.drop_column("articles", "extraction_notes")
