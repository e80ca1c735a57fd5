"""Scoring extraction systems against gold articles: per page, per group, and speed.

Body: the gold body is the lead plus the paragraphs (third-party systems do not separate the
lead, so it is counted on both sides; the title is not); lowercase word tokens (``\\w+`` on
NFC text), shingles of 4 consecutive tokens, as sets; per page precision and recall, each
averaged over the pages, and F1 of the two averages. Fields, each only where the gold has
it: title (exact, after whitespace clean-up), published date (the same minute and the same
UTC offset; a date without a time or an offset is wrong), authors (the same set of names,
case-insensitive), credited source (the same name, case-insensitive, or both none; only
for systems that report one). A page on which a system raises is scored zero and reported.
"""

from __future__ import annotations

import contextlib
import re
import time
import unicodedata
from collections import Counter
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from bench.extraction_systems import (
    CHAIN,
    CREDITING,
    SYSTEMS,
    TITLE_AND_LEAD,
    Extracted,
    System,
    canonical,
    canonical_names,
    clean,
    systems,
)
from parsers.errors import ParseError

SHINGLE = 4
FIELDS = ("title", "date", "authors", "credited")
FAST_PATH = "chain (fast path)"  # the chain timed on the pages where its first step won
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Gold:
    """The hand-checked article of one page; ``scored`` names the fields the gold has."""

    body: str
    paragraphs: int  # 0: the gold has no body beyond the title (and maybe a lead)
    title: str = ""
    published: datetime | None = None
    authors: tuple[str, ...] = ()
    credited_source: str | None = None
    scored: frozenset[str] = frozenset(FIELDS)


class Case(Protocol):
    """One page to score: a corpus fixture or a page of a gold folder."""

    @property
    def name(self) -> str: ...
    @property
    def url(self) -> str: ...
    @property
    def outlet(self) -> str: ...
    @property
    def group(self) -> str: ...
    @property
    def now(self) -> datetime | None: ...
    def html(self) -> bytes: ...
    def gold(self) -> Gold: ...


def tokens(text: str) -> list[str]:
    return _WORD.findall(unicodedata.normalize("NFC", text).lower())


def shingles(words: Sequence[str], size: int = SHINGLE) -> set[tuple[str, ...]]:
    if 0 < len(words) < size:
        return {tuple(words)}
    return {tuple(words[i : i + size]) for i in range(len(words) - size + 1)}


def precision_recall(predicted: str, gold: str) -> tuple[float, float]:
    """Shingle precision and recall of ``predicted`` against ``gold`` (both 1.0 if both empty)."""
    mine, theirs = shingles(tokens(predicted)), shingles(tokens(gold))
    if not mine or not theirs:
        both_empty = not mine and not theirs
        return (1.0, 1.0) if both_empty else (0.0 if mine else 1.0, 0.0 if theirs else 1.0)
    common = len(mine & theirs)
    return common / len(mine), common / len(theirs)


def f1(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def same_minute(found: datetime | None, expected: datetime | None) -> bool:
    if found is None or expected is None:
        return found is expected
    if found.tzinfo is None or found.utcoffset() != expected.utcoffset():
        return False
    return found.replace(second=0, microsecond=0) == expected.replace(second=0, microsecond=0)


def names(values: Iterable[str]) -> set[str]:
    return {clean(v).casefold() for v in values if clean(v)}


# --- per page ------------------------------------------------------------------------------


@dataclass
class PageScore:
    name: str
    outlet: str
    system: str
    precision: float = 0.0
    recall: float = 0.0
    title: bool | None = False  # None: not scored (the gold does not have it)
    date: bool | None = False
    authors: bool | None = False
    credited: bool | None = None
    error: str | None = None
    group: str = ""
    method: str | None = None  # the chain's extraction_method
    fallback: bool = False  # the chain's winner was not its first step
    collapsed: bool = False  # the chain ended at title-and-lead, the gold has paragraphs
    notes: list[str] = field(default_factory=list)


def run_page(run: System, case: Case) -> Extracted | str:
    """What ``run`` extracts from the page, or why it failed (a crash is reported, too)."""
    try:
        return run(case.html(), case.url, case.now)
    except ParseError as error:  # a bad page is reported; the run goes on
        return str(error)
    except Exception as error:  # a crash on one page must not stop a benchmark of many
        return f"crashed: {type(error).__name__}: {error}"


def score_page(case: Case, system: str, run: System) -> PageScore:
    gold = case.gold()
    score = PageScore(case.name, case.outlet, system, group=case.group)
    for name in FIELDS:
        setattr(score, name, False if name in gold.scored else None)
    if system not in CREDITING:
        score.credited = None
    found = run_page(run, case)
    if isinstance(found, str):
        score.error = found
        return score
    score.precision, score.recall = precision_recall(found.body, gold.body)
    if "title" in gold.scored:
        score.title = clean(found.title) == clean(gold.title)
    if "date" in gold.scored:
        score.date = same_minute(found.published, gold.published)
    if "authors" in gold.scored:
        score.authors = names(found.authors) == names(gold.authors)
    if score.credited is not None:
        score.credited = names([found.credited_source or ""]) == names([gold.credited_source or ""])
    score.method, score.fallback, score.notes = found.method, found.fallback, list(found.notes)
    score.collapsed = found.method == TITLE_AND_LEAD and gold.paragraphs > 0
    return score


# --- per group -----------------------------------------------------------------------------


@dataclass
class Summary:
    """Scores of one system over a group of pages (a field is None where none was scored)."""

    system: str
    pages: int
    precision: float
    recall: float
    f1: float
    title: float | None
    date: float | None
    authors: float | None
    errors: int
    credited: float | None = None


def _share(values: Iterable[bool | None]) -> float | None:
    scored = [float(v) for v in values if v is not None]
    return sum(scored) / len(scored) if scored else None


def summarize(system: str, scores: Sequence[PageScore]) -> Summary:
    n = len(scores)
    precision = sum(s.precision for s in scores) / n if n else 0.0
    recall = sum(s.recall for s in scores) / n if n else 0.0
    return Summary(
        system=system, pages=n, precision=precision, recall=recall, f1=f1(precision, recall),
        title=_share(s.title for s in scores), date=_share(s.date for s in scores),
        authors=_share(s.authors for s in scores), errors=sum(1 for s in scores if s.error),
        credited=_share(s.credited for s in scores),
    )


@dataclass
class ChainStats:
    """How the chain got its articles on a group of pages."""

    pages: int
    fallback: float  # share of pages whose winner was not the first step
    methods: dict[str, int]  # extraction_method → pages ("(error)" for a page it refused)
    collapses: list[str]  # pages ended at title-and-lead whose gold has paragraphs


@dataclass
class Report:
    pages: list[PageScore] = field(default_factory=list)
    speed: dict[str, float] = field(default_factory=dict)  # pages per second

    def _chosen(self, system: str, outlet: str | None, group: str | None) -> list[PageScore]:
        system = canonical(system)
        return [s for s in self.pages if s.system == system
                and (outlet is None or s.outlet == outlet) and (group is None or s.group == group)]

    def summary(self, system: str, outlet: str | None = None, *,
                group: str | None = None) -> Summary:
        return summarize(canonical(system), self._chosen(system, outlet, group))

    def outlets(self) -> list[str]:
        return sorted({s.outlet for s in self.pages})

    def groups(self) -> list[str]:
        return list(dict.fromkeys(s.group for s in self.pages))

    def systems(self) -> list[str]:
        return [name for name in SYSTEMS if any(s.system == name for s in self.pages)]

    def chain(self, group: str | None = None) -> ChainStats:
        scores = self._chosen(CHAIN, None, group)
        methods = Counter(s.method or "(error)" for s in scores)
        fallbacks = sum(1 for s in scores if s.fallback)
        return ChainStats(
            pages=len(scores), fallback=fallbacks / len(scores) if scores else 0.0,
            methods=dict(methods.most_common()),
            collapses=[s.name for s in scores if s.collapsed],
        )

    def fast_path(self) -> set[tuple[str, str]]:
        """(group, name) of the pages where the chain's first step won."""
        return {(s.group, s.name) for s in self._chosen(CHAIN, None, None)
                if not s.error and not s.fallback}


def evaluate(cases: Sequence[Case], names: Sequence[str] = SYSTEMS) -> Report:
    """Quality of each system on every page (speed is measured by ``measure_speed``)."""
    everything = systems()
    chosen = {name: everything[name] for name in canonical_names(names)}
    report = Report()
    for case in cases:
        for name, run in chosen.items():
            report.pages.append(score_page(case, name, run))
    return report


def measure_speed(
    cases: Sequence[Case], rounds: int, names: Sequence[str] = SYSTEMS,
    fast_path: Collection[tuple[str, str]] | None = None,
) -> dict[str, float]:
    """Pages per second of each system over every page.

    After a warm-up pass, ``rounds`` rounds each time one pass of every system in turn (so a
    busy spell on the machine hits them alike); a pass is timed in CPU seconds of this
    process (``time.process_time``: time spent waiting for the CPU while other processes run
    is not counted) and the fastest pass of each system counts, as ``timeit`` does. With
    ``fast_path`` ((group, name) of pages, from ``Report.fast_path``), the chain also takes
    its turn on those pages alone, reported as ``FAST_PATH``.
    """
    pages = [(c.html(), c.url, c.now) for c in cases]
    everything = systems()
    passes: dict[str, tuple[System, list[tuple[bytes, str, datetime | None]]]] = {
        name: (everything[name], pages) for name in canonical_names(names)}
    if fast_path is not None and CHAIN in passes:
        subset = [page for case, page in zip(cases, pages, strict=True)
                  if (case.group, case.name) in fast_path]
        if subset:
            passes[FAST_PATH] = (everything[CHAIN], subset)
    best = dict.fromkeys(passes, float("inf"))
    for index in range(rounds + 1):
        for name, (run, chosen) in passes.items():
            started = time.process_time()
            for html, url, now in chosen:
                with contextlib.suppress(Exception):  # scored as an error by ``evaluate``
                    run(html, url, now)
            if index:  # the first round warms caches up
                best[name] = min(best[name], time.process_time() - started)
    return {name: len(passes[name][1]) / seconds for name, seconds in best.items()
            if passes[name][1] and seconds and seconds != float("inf")}
