"""The reading room as an ASGI application (Starlette): routes, errors, middleware.

Only GET (and HEAD) routes exist, so any other method is a 405. Errors are pages of their
own (400 with the reason, 404, 500 without details); every response carries the security
headers, and the credentials are checked before any route runs (``web.auth``).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from storage.archive import has_table, open_read_only
from storage.db import Database
from web import chartpages, finder, pages
from web.auth import Guard, SecurityHeaders
from web.config import WebConfig
from web.params import BadRequestError
from web.render import SECURITY_HEADERS, app_css, page

__all__ = ["create_app"]

log = logging.getLogger("diplowatch.web")


def _css(request: Request) -> Response:
    return app_css()


ROUTES = [
    Route("/", pages.home, methods=["GET"]),
    Route("/healthz", pages.healthz, methods=["GET"]),
    Route("/static/app.css", _css, methods=["GET"]),
    Route("/stories", pages.stories, methods=["GET"]),
    Route("/stories/{story_id:int}", pages.story, methods=["GET"]),
    Route("/search", finder.search, methods=["GET"]),
    Route("/partners/{code}", pages.partner, methods=["GET"]),
    Route("/people/{name:path}", pages.person, methods=["GET"]),
    Route("/outlets", pages.outlets, methods=["GET"]),
    Route("/charts", chartpages.charts, methods=["GET"]),
    Route("/charts/{chart:str}.svg", chartpages.chart_svg, methods=["GET"]),
    Route("/charts/{chart:str}.csv", chartpages.chart_csv, methods=["GET"]),
]

async def _bad_request(request: Request, error: Exception) -> Response:
    return page(request, "error.html.j2", status_code=400, page_title="Yêu cầu không hợp lệ",
                status=400, message=str(error))  # fmt: skip


async def _http_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, HTTPException)
    if error.status_code == 405:
        return Response("405 Method Not Allowed\n", 405, {"allow": "GET, HEAD"},
                        media_type="text/plain; charset=utf-8")  # fmt: skip
    message = error.detail if error.status_code in (400, 404) else "Lỗi"
    if error.status_code == 404 and message == "Not Found":
        message = "Không có trang này"
    return page(request, "error.html.j2", status_code=error.status_code, page_title=message,
                status=error.status_code, message=message)  # fmt: skip


async def _server_error(request: Request, error: Exception) -> Response:
    log.error("page %s failed", request.url.path, exc_info=error)
    response = page(request, "error.html.j2", status_code=500, page_title="Lỗi máy chủ", status=500,
                    message="Trang này gặp lỗi; chi tiết ở nhật ký máy chủ.")  # fmt: skip
    response.headers.update(SECURITY_HEADERS)  # outside the middleware: added here
    return response


def create_app(config: WebConfig, db: Database | None = None) -> Starlette:
    """The application over ``config.database_url`` (opened read only) or ``db``."""
    database = db or open_read_only(config.database_url)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        if db is None:
            database.dispose()

    app = Starlette(
        routes=ROUTES,
        middleware=[Middleware(SecurityHeaders), Middleware(Guard, config=config)],
        exception_handlers={
            BadRequestError: _bad_request,
            HTTPException: _http_error,
            Exception: _server_error,
        },
        lifespan=lifespan,
    )
    app.state.config = config
    app.state.db = database
    app.state.alerts = has_table(database, "story_alerts")  # migration 0009 and later
    return app
