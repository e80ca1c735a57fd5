"""The weekly charts page, and each chart as a standalone SVG and as CSV.

``/charts?profile=&from=&to=``: diplomacy stories per week by partner (the profile's
partners and the most frequent others) and by event kind, as inline SVG (styled by the
page's stylesheet, dark mode included); ``/charts/<partners|events>.svg`` and ``.csv`` give
the same numbers for the same query string. Stories count from the profile's minimum score.
"""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from storage.archive import StoryFilters, story_weeks
from web.charts import (
    Weekly,
    by_event,
    by_partner,
    csv_text,
    line_svg,
    stacked_svg,
    standalone,
    weeks_between,
)
from web.pages import _profile, _span, latest_day, session_of
from web.params import Params
from web.render import page, svg_markup

__all__ = ["chart_csv", "chart_svg", "charts"]

DEFAULT_DAYS = 26 * 7
STANDALONE_CSP = "default-src 'none'; style-src 'unsafe-inline'"


def _weekly(request: Request) -> tuple[Weekly, Weekly, dict[str, str], str]:
    params = Params(request.query_params)
    profile = _profile(request, params)
    with session_of(request) as session:
        span = params.day_range(latest_day(session), DEFAULT_DAYS)
        filters = StoryFilters(start=span.start, end=span.end, min_score=profile.min_score)
        partners = story_weeks(session, filters, "partner")
        events = story_weeks(session, filters, "event")
    weeks = weeks_between(span.first, span.last)
    return (by_partner(partners, weeks, profile.partners), by_event(events, weeks), _span(span),
            profile.name)  # fmt: skip


def charts(request: Request) -> HTMLResponse:
    partners, events, span, profile = _weekly(request)
    config = request.app.state.config
    return page(
        request, "charts.html.j2", page_title="Biểu đồ theo tuần", span=span, profile=profile,
        profiles=[p.name for p in config.profiles],
        charts=[("partners", partners, svg_markup(line_svg(partners))),
                ("events", events, svg_markup(stacked_svg(events)))],
    )  # fmt: skip


def _pick(request: Request) -> Weekly:
    if request.path_params["chart"] not in ("partners", "events"):
        raise HTTPException(404, "không có biểu đồ này")
    partners, events, _, _ = _weekly(request)
    return partners if request.path_params["chart"] == "partners" else events


def chart_svg(request: Request) -> Response:
    weekly = _pick(request)
    svg = line_svg(weekly) if request.path_params["chart"] == "partners" else stacked_svg(weekly)
    return Response(
        standalone(svg), media_type="image/svg+xml; charset=utf-8",
        headers={"content-security-policy": STANDALONE_CSP},
    )  # fmt: skip


def chart_csv(request: Request) -> Response:
    weekly = _pick(request)
    name = f"diplowatch-{request.path_params['chart']}-weekly.csv"
    return Response(
        csv_text(weekly), media_type="text/csv; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="{name}"'},
    )  # fmt: skip
