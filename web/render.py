"""Pages from Jinja2 templates (``web/templates``), every value autoescaped, and the
headers every response carries.

``href(path, **params)`` builds a link inside the reading room: the root path the server was
mounted at, the path, and the non-empty parameters URL-encoded (the template escapes the
result once more for the attribute). Page strings from articles go through
``digest.labels.clean_text`` in ``web.views`` before they reach a template.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from web.charts import CHART_STYLE

__all__ = ["CSP", "SECURITY_HEADERS", "app_css", "href_for", "page"]

# No script at all, styles only from our stylesheet, images only ours (and inline SVG,
# which is markup, not an image), forms only to ourselves, never framed.
CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "content-security-policy": CSP,
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
    "cross-origin-opener-policy": "same-origin",
    "cache-control": "private, no-cache",
}

_ENV = Environment(
    loader=PackageLoader("web", "templates"),
    autoescape=True,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def href_for(root: str) -> Callable[..., str]:
    def href(path: str, **params: Any) -> str:
        kept = [(k, str(v)) for k, v in params.items() if v not in (None, "", False)]
        query = f"?{urlencode(kept)}" if kept else ""
        return f"{root}{path}{query}"

    return href


def path_part(text: str) -> str:
    """A path segment (a person's name in ``/people/<name>``), percent-encoded."""
    return quote(text, safe="")


def page(
    request: Request, template: str, status_code: int = 200, **context: Any
) -> HTMLResponse:
    root = str(request.scope.get("root_path", "")).rstrip("/")
    html = _ENV.get_template(template).render(
        href=href_for(root), path_part=path_part, root=root, **context
    )
    return HTMLResponse(html, status_code=status_code)


def svg_markup(svg: str) -> Markup:
    """An SVG we drew (``web.charts``, every label escaped there) placed in a page."""
    return Markup(svg)  # noqa: S704 - built from escaped parts only


_BASE_CSS = (Path(__file__).parent / "static" / "app.css").read_text(encoding="utf-8")


def app_css() -> Response:
    return Response(_BASE_CSS + CHART_STYLE, media_type="text/css; charset=utf-8")
