"""stories: story table, membership with MinHash signatures, candidate keys, digest stories

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24 14:00:00

- ``stories``: one row per event, with its representative article and merged summary;
- ``story_articles``: one row per article in a story (the primary key keeps an article in
  one story only), its article time, MinHash signature and shingle count;
- ``story_keys``: (article, key) pairs, the LSH band keys of the signature and the entity
  keys (partner + event + day, title names + day), indexed by (key, time) so candidates are
  found with one indexed ``IN`` query on SQLite and PostgreSQL alike;
- ``digest_stories``: which stories each digest carried, so a story is sent once.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.models


revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "stories",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("representative_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("first_seen_at", storage.models.UtcDateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", storage.models.UtcDateTime(timezone=True), nullable=False),
        sa.Column("article_count", sa.Integer(), nullable=False),
        sa.Column("outlet_count", sa.Integer(), nullable=False),
        sa.Column("outlets", sa.JSON(), nullable=False),
        sa.Column("partners", sa.JSON(), nullable=False),
        sa.Column("people", sa.JSON(), nullable=False),
        sa.Column("topics", sa.JSON(), nullable=False),
        sa.Column("event", sa.String(length=32), nullable=True),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("created_at", storage.models.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", storage.models.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["representative_id"], ["articles.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("stories", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_stories_first_seen_at"), ["first_seen_at"])
        batch_op.create_index(batch_op.f("ix_stories_last_seen_at"), ["last_seen_at"])

    op.create_table(
        "story_articles",
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("story_id", sa.Integer(), nullable=False),
        sa.Column("moment", storage.models.UtcDateTime(timezone=True), nullable=False),
        sa.Column("similarity", sa.Float(), nullable=False),
        sa.Column("signature", sa.LargeBinary(), nullable=False),
        sa.Column("shingle_count", sa.Integer(), nullable=False),
        sa.Column("model_version", sa.String(length=32), nullable=False),
        sa.Column("joined_at", storage.models.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["article_id"], ["articles.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["story_id"], ["stories.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("article_id"),
    )
    with op.batch_alter_table("story_articles", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_story_articles_story_id"), ["story_id"])
        batch_op.create_index(batch_op.f("ix_story_articles_moment"), ["moment"])

    op.create_table(
        "story_keys",
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("band_key", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("moment", storage.models.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["article_id"], ["articles.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("article_id", "band_key"),
    )
    with op.batch_alter_table("story_keys", schema=None) as batch_op:
        batch_op.create_index("ix_story_keys_key_moment", ["band_key", "moment"])

    op.create_table(
        "digest_stories",
        sa.Column("digest_id", sa.Integer(), nullable=False),
        sa.Column("story_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["digest_id"], ["digests.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["story_id"], ["stories.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("digest_id", "story_id"),
    )
    with op.batch_alter_table("digest_stories", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_digest_stories_story_id"), ["story_id"])


def downgrade() -> None:
    op.drop_table("digest_stories")
    op.drop_table("story_keys")
    op.drop_table("story_articles")
    op.drop_table("stories")
