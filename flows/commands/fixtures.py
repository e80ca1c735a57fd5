"""``diplowatch record-fixture URL``: record a page an outlet really served, for parser tests.

    diplowatch record-fixture URL [--name NAME] [--out DIR] [--expected-dir DIR] [--force]

Fetches ``URL`` with the crawler (the settings' user agent, politeness, robots.txt and
``host_map``), then writes:

- the page as served, gzipped, to ``<out>/<name>.html.gz``. The default folder is outside the
  repository (third-party pages never go into it): ``$DIPLOWATCH_FIXTURES_DIR``, else
  ``$XDG_DATA_HOME/diplowatch/fixtures`` (``~/.local/share/diplowatch/fixtures``);
- the article the parsers extract from it to ``<expected-dir>/<name>.json`` (default: the
  repository's ``tests/expected``), with a ``"_review"`` note on top. The operator checks
  every field against the page, corrects what the parser got wrong, and deletes the note;
  ``tests/test_parsers_articles.py`` then holds the parser to it (and fails while a note is
  left), and ``python -m bench.extraction`` counts the page.

A page the parsers cannot read (not an article, broken, a new layout) is still written, so a
parser can be developed on it; the command then says why and exits with status 1.
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import hashlib
import json
import os
import re
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

from flows.commands.common import CliError, Subcommands
from records import Fetched

REPO_EXPECTED = Path(__file__).resolve().parents[2] / "tests" / "expected"
_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,80}$")


def operator_fixtures_dir() -> Path:
    """Where recorded pages go by default: outside the repository."""
    configured = os.environ.get("DIPLOWATCH_FIXTURES_DIR")
    if configured:
        return Path(configured).expanduser()
    data_home = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return data_home / "diplowatch" / "fixtures"


def register(commands: Subcommands) -> None:
    record = commands.add_parser(
        "record-fixture", help="fetch a page and write it with its expected JSON for review"
    )
    record.add_argument("url", metavar="URL", help="an article page of an outlet")
    record.add_argument("--name", help="file name without extension (default: outlet_id)")
    record.add_argument("--out", type=Path, metavar="DIR",
                        help=f"folder for the page (default: {operator_fixtures_dir()})")
    record.add_argument("--expected-dir", type=Path, metavar="DIR",
                        help=f"folder for the expected JSON (default: {REPO_EXPECTED})")
    record.add_argument("--force", action="store_true", help="overwrite existing files")
    record.set_defaults(handler=command_record_fixture)


def default_name(url: str) -> str:
    """``<outlet key or host>_<article id>`` ("vnexpress_5047363"), or a hash for the id."""
    from parsers.registry import outlet_for_url

    parts = urlsplit(url)
    outlet = outlet_for_url(url)
    prefix = outlet.key if outlet else re.sub(r"[^a-z0-9]+", "-", (parts.hostname or "page"))
    ids = re.findall(r"\d{5,}", parts.path)
    suffix = ids[-1] if ids else hashlib.sha1(url.encode(), usedforsecurity=False).hexdigest()[:10]
    return f"{prefix.strip('-')}_{suffix}"


def command_record_fixture(args: argparse.Namespace) -> int:
    from parsers.article import ParseError, parse_article
    from parsers.urls import normalize_url

    try:
        url = normalize_url(args.url)
    except ValueError as error:
        raise CliError(str(error)) from error
    name = args.name if args.name is not None else default_name(url)
    if not _NAME.match(name):
        raise CliError(f"--name {name!r}: use lower-case letters, digits, - and _ only")
    out = (args.out or operator_fixtures_dir()).expanduser()
    expected_dir = args.expected_dir or REPO_EXPECTED
    if args.expected_dir is None and not REPO_EXPECTED.is_dir():
        raise CliError(f"{REPO_EXPECTED} does not exist: pass --expected-dir")
    page_path, json_path = out / f"{name}.html.gz", expected_dir / f"{name}.json"
    for path in (page_path, json_path):
        if path.exists() and not args.force:
            raise CliError(f"{path} exists (use --force to overwrite)")

    fetched = asyncio.run(_fetch(url))
    out.mkdir(parents=True, exist_ok=True)
    page_path.write_bytes(gzip.compress(fetched.body, mtime=0))
    print(f"page: {page_path} ({len(fetched.body)} bytes from {fetched.final_url})")
    try:
        article = parse_article(
            fetched.body, fetched.final_url, now=fetched.fetched_at,
            header_charset=fetched.headers.get("content-type"),
        )
    except ParseError as error:
        raise CliError(f"the parsers cannot read this page ({error}); the page is kept at "
                       f"{page_path} for a new parser") from error
    review = (
        f"unreviewed: recorded by diplowatch record-fixture from {fetched.final_url} at "
        f"{_iso(fetched.fetched_at)}; check every field against the page ({page_path}), "
        "correct what the parser got wrong, then delete this key"
    )
    expected_dir.mkdir(parents=True, exist_ok=True)
    json_path.write_text(
        json.dumps({"_review": review, **article.to_json()}, ensure_ascii=False, indent=1) + "\n",
        encoding="utf-8",
    )
    print(f"expected: {json_path} (extracted by {article.extraction_method}: review it, then "
          'delete its "_review" key)')
    return 0


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds")


async def _fetch(url: str) -> Fetched:
    from crawler.client import Crawler, FetchError
    from flows.monitoring import crawler_config
    from flows.settings import get_settings

    config = crawler_config(get_settings(), archive=False)
    async with Crawler(config) as crawler:
        try:
            fetched = await crawler.fetch(url)
        except FetchError as error:
            raise CliError(f"cannot fetch {url}: {error}") from error
    if fetched.not_modified or not fetched.body:
        raise CliError(f"{url}: the server sent no page (status {fetched.status})")
    return fetched
