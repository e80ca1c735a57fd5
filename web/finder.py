"""Search over the archive: the full-text search of ``diplowatch search`` with filters.

With words (``q``): the articles that match, best first (``storage.search`` ranking), each
linked to its story page, with the total counted up to ``storage.archive.COUNT_CAP``.
Without words but with filters: the stories that match them, newest first (every meeting
of a person with a partner since a date). Filters: partner, event kind, person (the name
as the story pages show it), outlet, date range (Asia/Ho_Chi_Minh days), diplomacy only.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse

from digest.labels import PARTNER_NAMES
from parsers.registry import OUTLETS
from storage.archive import (
    COUNT_CAP,
    ArticleFilters,
    StoryFilters,
    find_stories,
    search_page,
    story_ids_of,
)
from storage.search import parse_query
from web.pages import config_of, event_options, session_of
from web.params import BadRequestError, Params, day_start
from web.render import page
from web.views import hit_item, item_from_row, pager

__all__ = ["search"]


def search(request: Request) -> HTMLResponse:
    params = Params(request.query_params)
    config = config_of(request)
    text = params.text("q")
    form: dict[str, Any] = {
        "q": text or "",
        "partner": params.partner() or "",
        "event": params.event() or "",
        "person": params.text("person", limit=200) or "",
        "outlet": params.outlet() or "",
        "from": params.day("from"),
        "to": params.day("to"),
        "diplomacy": params.flag("diplomacy"),
    }
    number = params.page()
    if form["from"] and form["to"] and form["from"] > form["to"]:
        raise BadRequestError("from phải trước to")
    since = day_start(form["from"]) if form["from"] else None
    until = day_start(form["to"] + timedelta(days=1)) if form["to"] else None
    offset = (number - 1) * config.per_page
    hits: list[Any] = []
    stories: list[Any] = []
    total, capped, mode = 0, False, "form"
    if text:
        try:
            query = parse_query(text)
        except ValueError:
            raise BadRequestError("q: hãy nhập ít nhất một từ") from None
        filters = ArticleFilters(
            since=since, until=until, outlets=(form["outlet"],) if form["outlet"] else (),
            diplomacy_only=form["diplomacy"], partner=form["partner"] or None,
            event=form["event"] or None, person=form["person"] or None,
        )  # fmt: skip
        with session_of(request) as session:
            found, total = search_page(
                session, query, filters, offset=offset, limit=config.per_page
            )
            owners = story_ids_of(session, [hit.article_id for hit in found])
        hits = [hit_item(hit, owners.get(hit.article_id)) for hit in found]
        pages = pager(number, total, config.per_page, cap=COUNT_CAP)
        capped, mode = pages.capped, "articles"
    elif any(form[k] for k in ("partner", "event", "person", "outlet", "from", "to")):
        filters_s = StoryFilters(
            start=since, end=until, partner=form["partner"] or None, event=form["event"] or None,
            person=form["person"] or None, outlet=form["outlet"] or None,
        )  # fmt: skip
        with session_of(request) as session:
            rows, total = find_stories(session, filters_s, offset=offset, limit=config.per_page)
        stories = [item_from_row(row) for row in rows]
        pages = pager(number, total, config.per_page)
        mode = "stories"
    else:
        pages = pager(1, 0, config.per_page)
    if number > pages.pages:
        raise HTTPException(404, "không có trang này")
    shown = {k: (v.isoformat() if isinstance(v, date) else v) for k, v in form.items()}
    return page(
        request, "search.html.j2", page_title=f"Tìm: {text}" if text else "Tìm kiếm",
        form=shown, mode=mode, hits=hits, stories=stories, total=total, capped=capped,
        pager=pages, first_number=offset + 1,
        partners=sorted(PARTNER_NAMES.items(), key=lambda item: item[1]),
        events=event_options(), outlets=[(o.key, o.name) for o in OUTLETS],
    )  # fmt: skip
