"""``diplowatch search``: full-text search over every stored article, ranked, with snippets."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date, datetime, time
from typing import TYPE_CHECKING, Any

from flows.commands.common import CliError, Subcommands, add_db
from records import VIETNAM_TZ, to_vietnam_iso

if TYPE_CHECKING:
    from storage.search import SearchHit


def register(commands: Subcommands) -> None:
    search = commands.add_parser(
        "search",
        help="search stored articles (accents and case ignored)",
        description=(
            "Every word is required; accents, đ/d and case are ignored. "
            'Put words in "double quotes" to require them side by side. '
            "Best matches first; the matched words are shown [in brackets]."
        ),
    )
    search.add_argument("query", nargs="+", metavar="QUERY", help='e.g. dai su "hoa ky"')
    search.add_argument(
        "--since",
        type=date.fromisoformat,
        metavar="YYYY-MM-DD",
        help="only articles from this day on (Asia/Ho_Chi_Minh)",
    )
    search.add_argument(
        "--outlet", action="append", default=[], metavar="KEY", help="only this outlet (repeatable)"
    )
    search.add_argument(
        "--diplomacy", action="store_true", help="only articles classified as diplomacy"
    )
    search.add_argument("--limit", type=int, default=20, metavar="N", help="at most N (20)")
    search.add_argument("--json", action="store_true", help="one JSON object per article")
    add_db(search)
    search.set_defaults(handler=command_search)


def command_search(args: argparse.Namespace) -> int:
    from flows.settings import get_settings
    from parsers.registry import outlet_by_key
    from storage.db import Database
    from storage.search import parse_query, search_articles

    if args.limit < 1:
        raise CliError("--limit must be at least 1")
    for key in args.outlet:
        try:
            outlet_by_key(key)
        except KeyError as error:
            raise CliError(str(error.args[0])) from error
    try:
        query = parse_query(" ".join(args.query))
    except ValueError as error:
        raise CliError(str(error)) from error
    since = datetime.combine(args.since, time(0), VIETNAM_TZ) if args.since else None
    db = Database(args.db or get_settings().resolved_database_url)
    try:
        with db.session() as session:
            hits = search_articles(
                session,
                query,
                since=since,
                outlets=args.outlet,
                diplomacy_only=args.diplomacy,
                limit=args.limit,
            )
    finally:
        db.dispose()
    if args.json:
        for rank, hit in enumerate(hits, start=1):
            print(json.dumps(hit_json(rank, hit), ensure_ascii=False))
        return 0
    if not hits:
        print(f"no article matches {query.text!r}", file=sys.stderr)
        return 0
    before, after = ("\033[1m", "\033[0m") if sys.stdout.isatty() else ("[", "]")
    for rank, hit in enumerate(hits, start=1):
        when = (to_vietnam_iso(hit.time) or "")[:16].replace("T", " ")
        flag = "  diplomacy " + ",".join(hit.partners) if hit.is_diplomacy else ""
        title = _render(hit.title, hit.title_highlights, before, after)
        print(f"{rank:>2}. {title}")
        print(f"    {hit.outlet_key}  {when}{flag}")
        print(f"    {hit.url}")
        if hit.snippet.text:
            print(f"    {hit.snippet.render(before, after)}")
        print()
    return 0


def _render(text: str, spans: tuple[tuple[int, int], ...], before: str, after: str) -> str:
    from storage.search import Snippet

    return Snippet(text, spans).render(before, after)


def hit_json(rank: int, hit: SearchHit) -> dict[str, Any]:
    return {
        "rank": rank,
        "score": round(hit.score, 6),
        "article_id": hit.article_id,
        "outlet": hit.outlet_key,
        "url": hit.url,
        "title": hit.title,
        "title_highlights": [list(span) for span in hit.title_highlights],
        "time": to_vietnam_iso(hit.time),
        "is_diplomacy": hit.is_diplomacy,
        "partners": list(hit.partners),
        "snippet": hit.snippet.text,
        "snippet_highlights": [list(span) for span in hit.snippet.highlights],
    }
