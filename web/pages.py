"""The reading room's pages (GET only): stories by day, a story, a partner, a person, the
outlets' health. Search is ``web.finder``, charts ``web.chartpages``.

Handlers are plain functions: Starlette runs them in its thread pool, each with one
read-only session (``storage.archive.open_read_only``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from digest.labels import (
    EVENT_LABELS,
    clean_text,
    event_label,
    format_day,
    format_vietnam_time,
    partner_name,
    person_label,
    safe_link,
    topic_label,
)
from digest.model import make_lead
from parsers.registry import OUTLETS
from records import VIETNAM_TZ
from storage.archive import (
    StoryFilters,
    find_stories,
    latest_story_time,
    story_alerts,
    story_articles,
    story_digests,
    story_weeks,
)
from storage.db import Database
from storage.health import DriftLimits, extraction_drift
from storage.models import ArticleRow, StoryRow
from storage.repository import outlet_health
from web.charts import by_event, stacked_svg, weeks_between
from web.config import WebConfig
from web.params import BadRequestError, DayRange, Params, checked_partner
from web.render import page, svg_markup
from web.views import (
    article_item,
    day_stories,
    digest_window,
    item_from_digest,
    item_from_row,
    pager,
    people_of,
)

__all__ = ["home", "outlets", "partner", "person", "stories", "story"]

MAX_NAME = 200


def config_of(request: Request) -> WebConfig:
    config: WebConfig = request.app.state.config
    return config


@contextmanager
def session_of(request: Request) -> Iterator[Session]:
    db: Database = request.app.state.db
    with db.session() as session:
        yield session


def today() -> date:
    return datetime.now(UTC).astimezone(VIETNAM_TZ).date()


def latest_day(session: Session) -> date:
    """The day of the newest story (today when the archive has none)."""
    latest = latest_story_time(session)
    return latest.astimezone(VIETNAM_TZ).date() if latest else today()


def home(request: Request) -> Response:
    return RedirectResponse(f"{request.scope.get('root_path', '')}/stories", status_code=307)


def healthz(request: Request) -> Response:
    return Response("ok\n", media_type="text/plain; charset=utf-8")


def _profile(request: Request, params: Params) -> Any:
    config = config_of(request)
    name = params.text("profile", limit=100)
    if name is not None and name not in {p.name for p in config.profiles}:
        raise BadRequestError("profile: không có hồ sơ theo dõi này")
    return config.profile(name)


def stories(request: Request) -> HTMLResponse:
    """The stories of a day's digest window for a watch profile, in the digest's order."""
    params = Params(request.query_params)
    config = config_of(request)
    profile = _profile(request, params)
    day = params.day("day") or today()
    number = params.page()
    with session_of(request) as session:
        ranked = day_stories(session, profile, day)
        newest = latest_day(session) if not ranked else None
    items = [item_from_digest(story) for story in ranked]
    pages = pager(number, len(items), config.per_page)
    if number > pages.pages:
        raise HTTPException(404, "không có trang này")
    offset, limit = pages.items(config.per_page)
    start, end = digest_window(day)
    return page(
        request, "stories.html.j2", page_title=f"Tin ngày {format_day(day.isoformat())}",
        profile=profile.name, profiles=[p.name for p in config.profiles],
        partners=[partner_name(p) for p in profile.partners], day=day.isoformat(),
        day_label=format_day(day.isoformat()), window=(format_vietnam_time(start),
        format_vietnam_time(end)), items=items[offset : offset + limit], first_rank=offset + 1,
        pager=pages, previous=(day - timedelta(days=1)).isoformat(),
        next=(day + timedelta(days=1)).isoformat(),
        newest=newest.isoformat() if newest and newest != day else None,
    )  # fmt: skip


def story(request: Request) -> HTMLResponse:
    story_id: int = request.path_params["story_id"]
    config = config_of(request)
    number = Params(request.query_params).page()
    with session_of(request) as session:
        row = session.get(StoryRow, story_id) if story_id < 2**31 else None
        if row is None:
            raise HTTPException(404, "không có tin này")
        offset = (number - 1) * config.per_page
        articles, total = story_articles(session, story_id, offset=offset, limit=config.per_page)
        pages = pager(number, total, config.per_page)
        if number > pages.pages:
            raise HTTPException(404, "không có trang này")
        rep = session.get(ArticleRow, row.representative_id) if row.representative_id else None
        digests = story_digests(session, story_id)
        alerts = story_alerts(session, story_id) if request.app.state.alerts else []
        lead = make_lead(rep.sapo, [p for p in rep.paragraphs if isinstance(p, str)],
                         title=rep.title) if rep else ""  # fmt: skip
        item = item_from_row(row)
        view: dict[str, Any] = {
            "item": item,
            "lead": clean_text(lead),
            "source": safe_link(rep.url) if rep else None,
            "last": format_vietnam_time(row.last_seen_at),
            "score": f"{row.score:.2f}",
            "people": [(clean_text(p.name), person_label(p)) for p in people_of(row)],
            "topics": [topic_label(str(t)) for t in row.topics or []],
            "articles": [article_item(a, v, moment) for a, v, moment in articles],
            "first_number": offset + 1,
            "digests": [
                {"profile": clean_text(profile), "day": day, "day_label": format_day(day),
                 "sent": format_vietnam_time(sent)} for profile, day, sent in digests
            ],
            "alerts": [
                {**alert, "profile": clean_text(alert["profile"]),
                 "raised": format_vietnam_time(alert["raised_at"]),
                 "reasons": [clean_text(r) for r in alert["reasons"]],
                 "channels": [(clean_text(c), clean_text(st)) for c, st in alert["channels"]]}
                for alert in alerts
            ],
        }
    return page(request, "story.html.j2", page_title=item.title, pager=pages, **view)


def _story_list(
    request: Request, filters: StoryFilters, title: str, heading: str, **extra: Any
) -> HTMLResponse:
    """A partner's or a person's stories over a range: a weekly chart by event, then the list."""
    config = config_of(request)
    params = Params(request.query_params)
    number = params.page()
    with session_of(request) as session:
        span = params.day_range(latest_day(session), 52 * 7)
        ranged = StoryFilters(
            start=span.start, end=span.end, partner=filters.partner, person=filters.person
        )
        rows, total = find_stories(
            session, ranged, offset=(number - 1) * config.per_page, limit=config.per_page
        )
        events = story_weeks(session, ranged, "event")
    pages = pager(number, total, config.per_page)
    if number > pages.pages:
        raise HTTPException(404, "không có trang này")
    weekly = by_event(events, weeks_between(span.first, span.last))
    return page(
        request, "list.html.j2", page_title=title, heading=heading, span=_span(span),
        chart=svg_markup(stacked_svg(weekly)), items=[item_from_row(r) for r in rows],
        pager=pages, **extra,
    )  # fmt: skip


def _span(span: DayRange) -> dict[str, str]:
    first, last = span.first.isoformat(), span.last.isoformat()
    return {"from": first, "to": last, "label": f"{format_day(first)} – {format_day(last)}"}


def partner(request: Request) -> HTMLResponse:
    code = checked_partner(str(request.path_params["code"]))
    name = partner_name(code)
    return _story_list(
        request, StoryFilters(partner=code), name, f"Việt Nam – {name}",
        path=f"/partners/{code}", kind="partner",
    )  # fmt: skip


def person(request: Request) -> HTMLResponse:
    raw = str(request.path_params["name"])
    if len(raw) > MAX_NAME:
        raise BadRequestError("tên quá dài")
    name = clean_text(raw)
    if not name:
        raise HTTPException(404, "không có nhân vật này")
    return _story_list(
        request, StoryFilters(person=name), name, name, path=None, kind="person", name=name
    )


def outlets(request: Request) -> HTMLResponse:
    """Each outlet of the registry: last run, last success, error streak, drift flags."""
    keys = [outlet.key for outlet in OUTLETS]
    parsers = {o.key: o.parser for o in OUTLETS if o.parser != "generic"}
    with session_of(request) as session:
        health = outlet_health(session)
        drift = {d.outlet_key: d for d in extraction_drift(session, keys, DriftLimits(), parsers)}
    rows = []
    for outlet in OUTLETS:
        known = health.get(outlet.key)
        report = drift[outlet.key]
        rows.append({
            "key": outlet.key, "name": clean_text(outlet.name), "parser": outlet.parser,
            "last_run": format_vietnam_time(known.last_run_at) if known else "",
            "last_success": format_vietnam_time(known.last_success_at) if known else "",
            "streak": known.error_streak if known else 0,
            "error": clean_text(known.last_error)[:300] if known else "",
            "stored": known.articles_stored if known else 0,
            "flags": [clean_text(r) for r in report.reasons],
            "verdict": "drift" if report.flagged else "ok" if report.enough else "few",
        })  # fmt: skip
    failing = sum(1 for r in rows if r["streak"] or r["flags"])
    return page(request, "outlets.html.j2", page_title="Tình trạng các báo", rows=rows,
                failing=failing)  # fmt: skip


def event_options() -> list[tuple[str, str]]:
    return [(key, event_label(key)) for key in EVENT_LABELS]
