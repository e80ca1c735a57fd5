"""What the tests read back from the database."""

from __future__ import annotations

from sqlalchemy import select

from storage.db import Database
from storage.models import ArticleRow, StoryArticleRow


def stories_by_title(db: Database) -> dict[str, int]:
    """Story id by article title, for the articles filed in a story."""
    with db.session() as session:
        rows = session.execute(
            select(ArticleRow.title, StoryArticleRow.story_id)
            .join(StoryArticleRow, StoryArticleRow.article_id == ArticleRow.id)
        ).all()  # fmt: skip
        return {title: story_id for title, story_id in rows}
