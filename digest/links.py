"""Links from the digest to the reading room (``web``): each story's page.

Pure. The path is defined here, where the email and the feed need it, and the reading room
serves the same path (``web`` imports this module), so the two cannot drift apart. Without
a base URL (``DIPLOWATCH_WEB__BASE_URL`` unset) there is no link.
"""

from __future__ import annotations

from digest.labels import safe_link

__all__ = ["STORY_PATH", "story_page_url"]

STORY_PATH = "/stories/{story_id}"


def story_page_url(base_url: str | None, story_id: int | None) -> str | None:
    """``https://watch.example/stories/42`` for ``base_url`` ``https://watch.example``; None
    without a base URL, a story id, or when the base is not an absolute http(s) URL."""
    if not base_url or story_id is None:
        return None
    return safe_link(base_url.rstrip("/") + STORY_PATH.format(story_id=int(story_id)))
