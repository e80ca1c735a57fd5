"""Full-text search over stored articles: SQLite FTS5 or PostgreSQL, ranked, with snippets.

Matching ignores case, tone marks and other diacritics (đ as d too), in NFC or NFD: "hoa ky"
finds "Hoa Kỳ", "dai su" finds "Đại sứ". Words are all required; "double quotes" require
them side by side. Ranking looks at the title, then the lead (a match in the body only
scores 0); ties go to the newest. Triggers of migration 0004 keep the index in step with
``articles``, so no writer has to call anything here:

- SQLite: FTS5 table ``article_search`` (title, sapo, body), tokenizer ``unicode61
  remove_diacritics 2`` (folds NFC and NFD alike, but not đ: the triggers index it as d);
  bm25 with a bonus when the loose words stand side by side.
- PostgreSQL: table ``article_search`` with, per article, the folded words and the pairs of
  adjacent words ("hoa ky") of all its text (``document``, GIN, exact for words and phrases)
  and of its title and lead (``head``, weighted, ranked by ts_rank); among the newest
  ``RANK_WINDOW`` matches when more match.

Snippets are cut here, in Python, from the stored text: a match on folded text is shown
on the original accented words, the same on both backends.
"""

from __future__ import annotations

import functools
import itertools
import re
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Float, Select, column, func, literal_column, select, table, text
from sqlalchemy.orm import Session

from storage.models import ArticleRow, UtcDateTime, VerdictRow
from storage.repository import article_time

_TOKEN = re.compile(r"[^\W_]+")


def fold(text: str) -> str:
    """Lowercase, no diacritics, ``đ``→``d``, NFC or NFD alike: "Đại sứ" → "dai su"."""
    decomposed = unicodedata.normalize("NFD", text)
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return bare.lower().replace("đ", "d")


_fold_char = functools.lru_cache(maxsize=4096)(fold)


def tokens(text: str) -> list[str]:
    """The folded words of ``text`` (runs of letters and digits), as the index sees them."""
    return _TOKEN.findall(fold(text))


@dataclass(frozen=True)
class SearchQuery:
    """A parsed query: ``words`` (each required) and ``phrases`` (adjacent words)."""

    text: str
    words: tuple[str, ...]
    phrases: tuple[tuple[str, ...], ...]

    @property
    def terms(self) -> frozenset[str]:
        """Every folded word of the query: what a snippet highlights."""
        return frozenset(self.words).union(*self.phrases)

    @property
    def loose_text(self) -> str:
        """The unquoted part of the query, as typed."""
        return " ".join(_split_quoted(self.text)[0])

    @property
    def quoted_texts(self) -> tuple[str, ...]:
        """The quoted parts that hold words, as typed."""
        return tuple(part for part in _split_quoted(self.text)[1] if tokens(part))


def _split_quoted(text: str) -> tuple[list[str], list[str]]:
    """Unquoted and quoted parts of ``text``; an unbalanced quote runs to the end."""
    pieces = text.split('"')
    return pieces[0::2], pieces[1::2]


def parse_query(text: str) -> SearchQuery:
    """``dai su "hoa ky"`` → words (dai, su), phrases ((hoa, ky),). Raises on no words."""
    loose, quoted = _split_quoted(unicodedata.normalize("NFC", text))
    words = tuple(word for part in loose for word in tokens(part))
    phrases = tuple(p for part in quoted if (p := tuple(tokens(part))))
    if not words and not phrases:
        raise ValueError(f"nothing to search for in {text!r}: give at least one word")
    return SearchQuery(text=text, words=words, phrases=phrases)


def fts5_expression(query: SearchQuery) -> str:
    """The FTS5 MATCH expression: every word and phrase required, adjacency ranked higher.

    Words are quoted, so FTS5 operators typed by a user (AND, NOT, NEAR, *, ^) are words.
    When several loose words are given, the same words as a phrase are OR-ed in: the set of
    matches is unchanged, but bm25 adds the phrase's score to articles where they are adjacent.
    """
    required = [f'"{word}"' for word in query.words]
    required += ['"' + " ".join(phrase) + '"' for phrase in query.phrases]
    expression = " AND ".join(required)
    if len(query.words) > 1:
        expression = f'({expression}) OR "{" ".join(query.words)}"'
    return expression


# --- snippets --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Snippet:
    """A piece of stored text and the (start, end) offsets of the matched words in it."""

    text: str
    highlights: tuple[tuple[int, int], ...] = ()

    def render(self, before: str = "[", after: str = "]") -> str:
        """The text with every highlighted span wrapped in ``before`` … ``after``."""
        out, position = [], 0
        for start, end in self.highlights:
            out += [self.text[position:start], before, self.text[start:end], after]
            position = end
        out.append(self.text[position:])
        return "".join(out)


def _matches(text: str, terms: frozenset[str]) -> list[tuple[int, int, str]]:
    """(start, end, term) in ``text`` of the words whose folded form is a query term."""
    folded_chars: list[str] = []
    origin: list[int] = []
    for index, ch in enumerate(text):
        for folded_ch in _fold_char(ch):
            folded_chars.append(folded_ch)
            origin.append(index)
    folded = "".join(folded_chars)
    found = []
    for match in _TOKEN.finditer(folded):
        if match.group() in terms:
            start, end = origin[match.start()], origin[match.end() - 1] + 1
            while end < len(text) and unicodedata.combining(text[end]):
                end += 1  # an NFD word keeps its trailing marks
            found.append((start, end, match.group()))
    return found


_Match = tuple[int, int, str]


def make_snippet(units: Sequence[str], terms: frozenset[str], *, width: int = 220) -> Snippet:
    """The passage of ``units`` (sapo, paragraphs) that best shows the query ``terms``.

    Among windows of about ``width`` characters, the one with the most distinct terms wins,
    then the one where more matched words stand side by side (the query's "hoa ky" as
    "Hoa Kỳ", not "hòa" here and "kỳ" there), then the one with fewer stray matches, then
    the earliest. A cut window is marked with "…". Without any match (e.g. only the title
    matched) the snippet is the start of the first unit, without highlights.
    """
    best: tuple[tuple[int, int, int], int, int] | None = None
    best_text, best_matches = next((u for u in units if u.strip()), ""), []
    for index, unit in enumerate(units):
        matches = _matches(unit, terms)
        starts = [0] if len(unit) <= width else [max(0, s - width // 4) for s, _, _ in matches]
        for low in starts if matches else []:
            key = (_window_score(unit, matches, low, low + width), -index, -low)
            if best is None or key > best:
                best, best_text, best_matches = key, unit, matches
    low = -best[2] if best else 0
    return _cut(best_text, best_matches, low, width)


def _window_score(text: str, matches: list[_Match], low: int, high: int) -> tuple[int, int, int]:
    inside = [m for m in matches if m[0] >= low and m[1] <= high]
    paired: set[_Match] = set()
    for left, right in itertools.pairwise(inside):
        if not text[left[1] : right[0]].strip(" -"):  # nothing but a space or a hyphen
            paired.update((left, right))
    distinct = len({term for _, _, term in inside})
    return distinct, len(paired), len(paired) - len(inside)


def _cut(text: str, matches: list[_Match], low: int, width: int) -> Snippet:
    if len(text) <= width:
        return Snippet(text, tuple((s, e) for s, e, _ in matches))
    start = 0 if low == 0 else _word_start(text, low)
    end = _word_end(text, min(len(text), start + width))
    piece = text[start:end]
    start += len(piece) - len(piece.lstrip())
    piece = piece.strip()
    prefix = "…" if start > 0 else ""
    suffix = "…" if start + len(piece) < len(text) else ""
    shift = len(prefix) - start
    highlights = tuple((s + shift, e + shift) for s, e, _ in matches if s >= start and e <= end)
    return Snippet(prefix + piece + suffix, highlights)


def _word_start(text: str, position: int) -> int:
    space = text.find(" ", position)
    return position if space == -1 else space + 1


def _word_end(text: str, position: int) -> int:
    if position >= len(text):
        return len(text)
    space = text.rfind(" ", 0, position)
    return position if space <= 0 else space


# --- the query ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SearchHit:
    """One article found; ``score`` is the backend's relevance (higher is better)."""

    article_id: int
    score: float
    outlet_key: str
    url: str
    title: str
    time: datetime  # published, else first seen (UTC)
    is_diplomacy: bool | None
    partners: tuple[str, ...]
    snippet: Snippet
    title_highlights: tuple[tuple[int, int], ...] = field(default=())


_FTS5 = table("article_search", column("rowid"))
_PG_INDEX = table(
    "article_search",
    column("article_id"),
    column("at", UtcDateTime()),
    column("outlet_key"),
    column("head"),
    column("document"),
)
# What ranks is the title and the lead: bm25 column weights (title, sapo, body) on SQLite,
# ts_rank weights {D, C, B, A} of the head vector (title A, sapo B) on PostgreSQL. A match
# in the body only scores 0 on both: such articles come after, newest first.
_BM25 = "bm25(article_search, 10.0, 4.0, 0.0)"
_PG_WEIGHTS = "'{0.0, 0.0, 0.4, 1.0}'::float4[]"
# PostgreSQL ranks at most this many matches, the newest: a common word matches most of a
# million articles, and the head vectors of all of them are too many to read in a second.
RANK_WINDOW = 10_000
ArticleFilter = Callable[[Any], Any]  # article id column -> a condition on it (storage.archive)


def search_articles(
    session: Session,
    query: SearchQuery | str,
    *,
    since: datetime | None = None,
    outlets: Sequence[str] = (),
    diplomacy_only: bool = False,
    limit: int = 20,
    until: datetime | None = None,
    offset: int = 0,
    article_filter: ArticleFilter | None = None,
    totals: list[int] | None = None,
) -> list[SearchHit]:
    """Stored articles matching ``query``, best first (ties: newest first).

    On PostgreSQL, when more than ``RANK_WINDOW`` articles match, the best are picked among
    the newest ``RANK_WINDOW`` of them; SQLite ranks every match (bm25 in FTS5 is cheap).
    ``until`` (exclusive), ``offset``, ``article_filter`` (a condition on the article id
    column, e.g. on its verdict) and ``totals`` (gets how many matched: at most
    ``RANK_WINDOW`` on PostgreSQL) serve the reading room's pages (``storage.archive``).
    """
    parsed = parse_query(query) if isinstance(query, str) else query
    dialect = session.get_bind().dialect.name
    extra, rows, found = (until, article_filter), list[Any](), None
    if dialect == "sqlite":
        ranked = _sqlite_ranked(parsed, since, outlets, diplomacy_only, limit, extra)
        rows = list(session.execute(ranked.offset(offset)))
        if totals is not None:  # bm25 cannot share a query with a window function
            matched = ranked.with_only_columns(ArticleRow.id).order_by(None).limit(None)
            found = session.scalar(select(func.count()).select_from(matched.subquery()))
    elif dialect == "postgresql":
        ranked = _postgresql_ranked(parsed, since, outlets, diplomacy_only, limit, extra)
        with _bitmap_scans_only(session):
            rows = list(session.execute(ranked.offset(offset)))
        found = rows[0][2] if rows else 0  # count(*) over the ranked candidates
    else:
        raise RuntimeError(f"search needs SQLite or PostgreSQL, not {dialect!r}")
    if totals is not None:
        totals.append(found or 0)
    scores = {row[0]: float(row[1]) for row in rows}
    return _hits(session, scores, parsed.terms)


def count_matches(session: Session, query: SearchQuery | str) -> int:
    """How many stored articles match ``query`` (no filters): for benchmarks and diagnostics."""
    parsed = parse_query(query) if isinstance(query, str) else query
    counted = select(func.count())
    if session.get_bind().dialect.name == "sqlite":
        match = literal_column("article_search").op("MATCH")(fts5_expression(parsed))
        counted = counted.select_from(_FTS5).where(match)
    else:
        counted = counted.select_from(_PG_INDEX).where(
            _PG_INDEX.c.document.op("@@")(_pg_match(parsed))
        )
    return session.scalar(counted) or 0


def _diplomacy(article_id: Any) -> Any:
    return (
        select(VerdictRow.article_id)
        .where(VerdictRow.article_id == article_id, VerdictRow.is_diplomacy.is_(True))
        .exists()
    )


def _sqlite_ranked(
    query: SearchQuery, since: datetime | None, outlets: Sequence[str], diplomacy: bool, limit: int,
    extra: tuple[datetime | None, ArticleFilter | None] = (None, None),  # until, filter
) -> Select[Any]:
    when = article_time()
    ranked = (
        select(ArticleRow.id, (-literal_column(_BM25, Float)).label("score"))
        .select_from(_FTS5)
        .join(ArticleRow, ArticleRow.id == _FTS5.c.rowid)
        .where(literal_column("article_search").op("MATCH")(fts5_expression(query)))
        .order_by(literal_column("score").desc(), when.desc(), ArticleRow.id.desc())
        .limit(limit)
    )
    if since is not None:
        ranked = ranked.where(when >= since)
    if outlets:
        ranked = ranked.where(ArticleRow.outlet_key.in_(list(outlets)))
    if diplomacy:
        ranked = ranked.where(_diplomacy(ArticleRow.id))
    if extra[0] is not None:
        ranked = ranked.where(when < extra[0])
    if extra[1] is not None:
        ranked = ranked.where(extra[1](ArticleRow.id))
    return ranked


def _postgresql_ranked(
    query: SearchQuery, since: datetime | None, outlets: Sequence[str], diplomacy: bool, limit: int,
    extra: tuple[datetime | None, ArticleFilter | None] = (None, None),  # until, filter
) -> Select[Any]:
    index = _PG_INDEX.c
    newest = select(index.article_id, index.at, index.head).where(
        index.document.op("@@")(_pg_match(query))
    )
    if since is not None:
        newest = newest.where(index.at >= since)
    if outlets:
        newest = newest.where(index.outlet_key.in_(list(outlets)))
    if diplomacy:
        newest = newest.where(_diplomacy(index.article_id))
    if extra[0] is not None:
        newest = newest.where(index.at < extra[0])
    if extra[1] is not None:
        newest = newest.where(extra[1](index.article_id))
    candidates = newest.order_by(index.at.desc()).limit(RANK_WINDOW).subquery("candidates")
    weights: Any = literal_column(_PG_WEIGHTS)
    terms = func.diplowatch_any_term(query.text)  # words and adjacent pairs: "hoa ky" ranks
    score = func.ts_rank(weights, candidates.c.head, terms, type_=Float)
    return (
        select(candidates.c.article_id, score.label("score"), func.count().over())
        .order_by(literal_column("score").desc(), candidates.c.at.desc())
        .order_by(candidates.c.article_id.desc())
        .limit(limit)
    )


def _pg_match(query: SearchQuery) -> Any:
    """All loose words && each phrase (its adjacent word pairs), as tsquery terms.

    The functions (migration 0004) fold and split the query exactly as the index was built,
    and the planner evaluates them once: their arguments are constants.
    """
    parts: list[Any] = []
    if query.words:
        parts.append(func.diplowatch_all_words(query.loose_text))
    for phrase in query.quoted_texts:
        parts.append(func.diplowatch_phrase(phrase))
    combined = parts[0]
    for part in parts[1:]:
        combined = combined.op("&&")(part)
    return combined


@contextmanager
def _bitmap_scans_only(session: Session) -> Iterator[None]:
    """Keep the planner on the GIN index for one query (then restore its settings).

    Whether ``document @@ query`` is checked by the GIN index (exact, nearly free) or on the
    row (reading the document back from TOAST, ~50 µs) is a cost the planner cannot see: it
    would walk the time index and test rows one by one, which takes seconds when matches are
    rare. Without plain index scans and sequential scans, it combines bitmaps instead.
    """
    previous = session.execute(
        text(
            "SELECT current_setting('enable_seqscan'), current_setting('enable_indexscan'),"
            " set_config('enable_seqscan', 'off', true),"
            " set_config('enable_indexscan', 'off', true)"
        )
    ).one()
    yield
    restore = (
        "SELECT set_config('enable_seqscan', :s, true), set_config('enable_indexscan', :i, true)"
    )
    session.execute(text(restore), {"s": previous[0], "i": previous[1]})


def _hits(session: Session, scores: dict[int, float], terms: frozenset[str]) -> list[SearchHit]:
    if not scores:
        return []
    rows = session.execute(
        select(ArticleRow, VerdictRow, article_time())
        .outerjoin(VerdictRow, VerdictRow.article_id == ArticleRow.id)
        .where(ArticleRow.id.in_(list(scores)))
    ).all()
    found = {article.id: (article, verdict, when) for article, verdict, when in rows}
    hits = []
    for article_id, score in scores.items():  # already in rank order
        article, verdict, when = found[article_id]
        units = [u for u in [article.sapo or "", *article.paragraphs] if isinstance(u, str)]
        hits.append(
            SearchHit(
                article_id=article_id,
                score=score,
                outlet_key=article.outlet_key,
                url=article.url,
                title=article.title,
                time=when if isinstance(when, datetime) else article.first_seen_at,
                is_diplomacy=verdict.is_diplomacy if verdict else None,
                partners=tuple(verdict.partners) if verdict else (),
                snippet=make_snippet(units, terms),
                title_highlights=tuple((s, e) for s, e, _ in _matches(article.title, terms)),
            )
        )
    return hits
