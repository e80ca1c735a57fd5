"""Folders of pages with gold articles, in two layouts, told apart per folder.

- ours (``diplowatch``): ``<name>.html`` (or ``<name>.html.gz``) beside ``<name>.gold.json``
  with the keys ``url``, ``outlet``, ``title``, ``lead`` (or null), ``paragraphs`` (a list),
  ``authors``, ``credited_source``, ``published_at`` (ISO 8601 or null), ``constructed``,
  ``layout`` and ``failure_modes``; optionally ``fetched_at`` (ISO 8601: the time to parse
  with; default the clock). The gold body is the lead plus the paragraphs; title, date,
  authors and the credited source are scored too.
- ScrapingHub's article-extraction-benchmark (``scrapinghub``): ``ground-truth.json``
  (``{id: {"articleBody": ..., "url": ..., ...}}``) and ``html/<id>.html.gz``. Only the body
  is scored (it is all that benchmark's truth has, as far as this bench reads it).

A page whose gold JSON is unreadable or incomplete, or whose HTML is missing, is skipped with
a warning (a set may still be being written).
"""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from bench.extraction_score import Gold
from parsers.registry import outlet_for_url

OURS, SCRAPINGHUB = "diplowatch", "scrapinghub"
GOLD_SUFFIX = ".gold.json"
GROUND_TRUTH = "ground-truth.json"


def read_page(path: Path) -> bytes:
    data = path.read_bytes()
    return gzip.decompress(data) if path.suffix == ".gz" else data


@dataclass(frozen=True)
class GoldPage:
    """One page of a gold folder and its gold article."""

    name: str
    page: Path
    url: str
    outlet: str
    group: str  # the folder, as named on the command line
    truth: Gold
    now: datetime | None = None
    layout: str = ""
    failure_modes: tuple[str, ...] = ()
    constructed: bool = False

    def html(self) -> bytes:
        return read_page(self.page)

    def gold(self) -> Gold:
        return self.truth


@dataclass
class GoldSet:
    folder: Path
    layout: str  # OURS or SCRAPINGHUB
    pages: list[GoldPage] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # "name: why", for each page left out


def gold_layout(folder: Path) -> str | None:
    """OURS, SCRAPINGHUB, or None when the folder holds neither."""
    if (folder / GROUND_TRUTH).is_file():
        return SCRAPINGHUB
    if any(folder.glob(f"*{GOLD_SUFFIX}")):
        return OURS
    return None


def load_gold(folder: Path) -> GoldSet:
    """Every scorable page of ``folder``, sorted by name; ValueError if it is no gold folder."""
    layout = gold_layout(folder)
    if layout is None:
        raise ValueError(f"{folder}: no {GROUND_TRUTH} and no *{GOLD_SUFFIX} files")
    found = GoldSet(folder, layout)
    (_load_scrapinghub if layout == SCRAPINGHUB else _load_ours)(found)
    found.pages.sort(key=lambda page: page.name)
    return found


def _outlet(url: str) -> str:
    outlet = outlet_for_url(url)
    return outlet.key if outlet else "(none)"


def _page_file(folder: Path, name: str) -> Path | None:
    for suffix in (".html", ".html.gz"):
        if (folder / f"{name}{suffix}").is_file():
            return folder / f"{name}{suffix}"
    return None


def _texts(value: Any, key: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"{key} is not a list of strings")
    return list(value)


def _when(value: Any, key: str) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError(f"{key} is not an ISO 8601 string")
    return datetime.fromisoformat(value)


def ours_page(folder: Path, name: str, data: dict[str, Any], page: Path) -> GoldPage:
    """A page of our layout from its gold JSON; ValueError/KeyError if the JSON is unusable."""
    url, title, lead = data["url"], data["title"], data.get("lead")
    if not isinstance(url, str) or not isinstance(title, str):
        raise ValueError("url or title is not a string")
    if lead is not None and not isinstance(lead, str):
        raise ValueError("lead is neither a string nor null")
    paragraphs = _texts(data["paragraphs"], "paragraphs")
    credited = data.get("credited_source")
    truth = Gold(
        body="\n".join([lead or "", *paragraphs]), paragraphs=len(paragraphs), title=title,
        published=_when(data.get("published_at"), "published_at"),
        authors=tuple(_texts(data.get("authors", []), "authors")),
        credited_source=credited if isinstance(credited, str) else None,
        scored=frozenset({"title", "date", "authors"}
                         | ({"credited"} if "credited_source" in data else set())),
    )
    return GoldPage(
        name=name, page=page, url=url, outlet=str(data.get("outlet") or _outlet(url)),
        group=str(folder), truth=truth, now=_when(data.get("fetched_at"), "fetched_at"),
        layout=str(data.get("layout") or ""),
        failure_modes=tuple(_texts(data.get("failure_modes", []), "failure_modes")),
        constructed=bool(data.get("constructed", False)),
    )


def _load_ours(found: GoldSet) -> None:
    for path in sorted(found.folder.glob(f"*{GOLD_SUFFIX}")):
        name = path.name.removesuffix(GOLD_SUFFIX)
        page = _page_file(found.folder, name)
        if page is None:
            found.skipped.append(f"{name}: no {name}.html or {name}.html.gz")
            continue
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if not isinstance(data, dict):
                raise ValueError("not a JSON object")
            found.pages.append(ours_page(found.folder, name, data, page))
        except (ValueError, KeyError, TypeError) as error:
            found.skipped.append(f"{name}: {path.name}: {type(error).__name__}: {error}")


def _load_scrapinghub(found: GoldSet) -> None:
    path = found.folder / GROUND_TRUTH
    try:
        truth = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as error:
        found.skipped.append(f"{GROUND_TRUTH}: {error}")
        return
    if not isinstance(truth, dict):
        found.skipped.append(f"{GROUND_TRUTH}: not a JSON object")
        return
    for name, item in truth.items():
        page = _page_file(found.folder / "html", name)
        body = item.get("articleBody") if isinstance(item, dict) else None
        if page is None:
            found.skipped.append(f"{name}: no html/{name}.html.gz")
        elif not isinstance(body, str):
            found.skipped.append(f"{name}: no articleBody")
        else:
            url = str(item.get("url") or "")
            lines = [line for line in body.splitlines() if line.strip()]
            found.pages.append(GoldPage(
                name=name, page=page, url=url, outlet=_outlet(url), group=str(found.folder),
                truth=Gold(body=body, paragraphs=len(lines), scored=frozenset()),
            ))
