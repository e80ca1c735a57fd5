"""Extraction quality and speed: our outlet parsers, our generic extractor and trafilatura.

    uv run python -m bench.extraction [--pages DIR ...] [--rounds N] [--json PATH]

Runs over every fixture page that has an expected JSON in ``tests/expected/`` (hand-checked
against the page): the recorded pages in ``../shared/corpus/pages`` (``<name>.html``) and the
pages an operator recorded with ``diplowatch record-fixture`` (``<name>.html.gz`` in
``$DIPLOWATCH_FIXTURES_DIR``, default ``~/.local/share/diplowatch/fixtures``).

Three systems on the same pages in the same run:

- ``outlet``: ``parse_article`` as the monitor runs it (the outlet parser the registry names,
  falling back to the generic extractor);
- ``generic``: ``parse_article(..., extractor="generic")``, our generic extractor forced;
- ``trafilatura``: ``trafilatura.extract(html, url=..., output_format="json",
  with_metadata=True)``, asked for dates with their time (``date_extraction_params``
  ``outputformat="%Y-%m-%dT%H:%M:%S%z"``) so that it can get the minute right.

Measures, per outlet and overall:

- body shingle-F1: the body is the lead plus the paragraphs (trafilatura does not separate the
  lead, so it is counted on both sides; the title is not); lowercase word tokens (``\\w+`` on
  NFC text), shingles of 4 consecutive tokens, as sets; per page precision and recall, each
  averaged over the pages, and F1 of the two averages;
- field accuracy: title (exact, after whitespace clean-up), published date (the same minute
  and the same UTC offset as expected; a date without a time or an offset is wrong), authors
  (the same set of names, case-insensitive; an outlet name among them is wrong);
- speed: pages per second and the ratio ours / trafilatura, from the fastest of ``--rounds``
  passes over all pages, the systems taking turns, timed in CPU seconds of this process
  (see ``measure_speed``).

A page that fails (``ParseError``: empty, truncated, wrong charset, not an article) is reported
with its reason and scored zero; the run goes on.
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import json
import os
import re
import sys
import time
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from flows.commands.fixtures import operator_fixtures_dir
from parsers.article import parse_article
from parsers.dates import parse_iso
from parsers.errors import ParseError

REPO_ROOT = Path(__file__).resolve().parent.parent
EXPECTED_DIR = REPO_ROOT / "tests" / "expected"
SHARED_DIR = Path(os.environ.get("DIPLOWATCH_SHARED_DIR", REPO_ROOT.parent / "shared"))
CORPUS_PAGES = SHARED_DIR / "corpus" / "pages"
# The corpus pages were recorded in March 2026: dates after this are "in the future".
RECORDED_AT = datetime(2026, 3, 8, tzinfo=UTC)
SHINGLE = 4
SYSTEMS = ("outlet", "generic", "trafilatura")
_WORD = re.compile(r"\w+")
_SPACES = re.compile(r"\s+")


def default_page_dirs() -> list[Path]:
    return [CORPUS_PAGES, operator_fixtures_dir()]


# --- fixtures ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Fixture:
    """One page and the article JSON expected from it."""

    name: str
    page: Path
    expected: dict[str, Any]

    @property
    def url(self) -> str:
        return str(self.expected["url"])

    @property
    def outlet(self) -> str:
        return str(self.expected.get("outlet") or "(none)")

    @property
    def now(self) -> datetime | None:
        """The fetch time to parse with: the corpus pages' recording month, else the clock."""
        return RECORDED_AT if self.page.parent == CORPUS_PAGES else None

    def html(self) -> bytes:
        return read_page(self.page)


def read_page(path: Path) -> bytes:
    data = path.read_bytes()
    return gzip.decompress(data) if path.suffix == ".gz" else data


def find_page(name: str, dirs: Iterable[Path]) -> Path | None:
    for folder in dirs:
        for suffix in (".html", ".html.gz"):
            candidate = folder / f"{name}{suffix}"
            if candidate.is_file():
                return candidate
    return None


def expected_article(path: Path) -> dict[str, Any]:
    """An expected JSON without its review note (``_review``, written by record-fixture)."""
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    data.pop("_review", None)
    return data


def load_fixtures(
    dirs: Sequence[Path] | None = None, expected_dir: Path = EXPECTED_DIR
) -> list[Fixture]:
    """Every expected JSON whose page is found in ``dirs``, sorted by name."""
    folders = list(dirs) if dirs is not None else default_page_dirs()
    fixtures = []
    for path in sorted(expected_dir.glob("*.json")):
        page = find_page(path.stem, folders)
        if page is not None:
            fixtures.append(Fixture(path.stem, page, expected_article(path)))
    return fixtures


# --- what a system extracted, and how it is scored ------------------------------------------


@dataclass(frozen=True)
class Extracted:
    title: str
    body: str
    published: datetime | None
    authors: tuple[str, ...]


def _clean(text: str | None) -> str:
    return _SPACES.sub(" ", unicodedata.normalize("NFC", text or "")).strip()


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


def _names(values: Iterable[str]) -> set[str]:
    return {_clean(v).casefold() for v in values if _clean(v)}


def expected_extracted(fixture: Fixture) -> Extracted:
    data = fixture.expected
    body = "\n".join([data.get("sapo") or "", *data.get("paragraphs", [])])
    published = data.get("published_at")
    return Extracted(
        title=_clean(data.get("title")),
        body=body,
        published=datetime.fromisoformat(published) if published else None,
        authors=tuple(data.get("authors", [])),
    )


# --- the systems ----------------------------------------------------------------------------


System = Callable[[bytes, str, datetime | None], Extracted]


def ours(extractor: str) -> System:
    def run(html: bytes, url: str, now: datetime | None) -> Extracted:
        article = parse_article(html, url, extractor=extractor, now=now)
        return Extracted(
            title=article.title,
            body="\n".join([article.sapo or "", *article.paragraphs]),
            published=article.published_at,
            authors=article.authors,
        )

    return run


TRAFILATURA_DATES = {"extensive_search": True, "original_date": True,
                     "outputformat": "%Y-%m-%dT%H:%M:%S%z"}


def trafilatura_json(html: bytes, url: str) -> dict[str, Any]:
    import trafilatura

    raw = trafilatura.extract(
        html, url=url, output_format="json", with_metadata=True,
        date_extraction_params=TRAFILATURA_DATES,
    )
    if raw is None:
        raise ParseError(f"{url}: trafilatura extracted nothing")
    data: dict[str, Any] = json.loads(raw)
    return data


def trafilatura_system(html: bytes, url: str, now: datetime | None = None) -> Extracted:
    data = trafilatura_json(html, url)
    date = parse_iso(data.get("date") or "") if re.search(r"T\d", data.get("date") or "") else None
    authors = [a for a in re.split(r"\s*;\s*", data.get("author") or "") if a]
    return Extracted(
        title=_clean(data.get("title")), body=data.get("text") or "", published=date,
        authors=tuple(authors),
    )


def systems() -> dict[str, System]:
    return {"outlet": ours("auto"), "generic": ours("generic"), "trafilatura": trafilatura_system}


# --- evaluation ----------------------------------------------------------------------------


@dataclass
class PageScore:
    name: str
    outlet: str
    system: str
    precision: float = 0.0
    recall: float = 0.0
    title: bool = False
    date: bool = False
    authors: bool = False
    error: str | None = None


def score_page(fixture: Fixture, system: str, run: System) -> PageScore:
    score = PageScore(fixture.name, fixture.outlet, system)
    try:
        found = run(fixture.html(), fixture.url, fixture.now)
    except ParseError as error:  # a bad page is reported; the run goes on
        score.error = str(error)
        return score
    want = expected_extracted(fixture)
    score.precision, score.recall = precision_recall(found.body, want.body)
    score.title = _clean(found.title) == want.title
    score.date = same_minute(found.published, want.published)
    score.authors = _names(found.authors) == _names(want.authors)
    return score


@dataclass
class Summary:
    """Scores of one system over a group of pages."""

    system: str
    pages: int
    precision: float
    recall: float
    f1: float
    title: float
    date: float
    authors: float
    errors: int


def summarize(system: str, scores: Sequence[PageScore]) -> Summary:
    n = len(scores)

    def mean(values: Iterable[float]) -> float:
        return sum(values) / n if n else 0.0

    precision, recall = mean(s.precision for s in scores), mean(s.recall for s in scores)
    return Summary(
        system=system, pages=n, precision=precision, recall=recall, f1=f1(precision, recall),
        title=mean(float(s.title) for s in scores), date=mean(float(s.date) for s in scores),
        authors=mean(float(s.authors) for s in scores),
        errors=sum(1 for s in scores if s.error),
    )


@dataclass
class Report:
    pages: list[PageScore] = field(default_factory=list)
    speed: dict[str, float] = field(default_factory=dict)  # pages per second

    def summary(self, system: str, outlet: str | None = None) -> Summary:
        chosen = [s for s in self.pages
                  if s.system == system and (outlet is None or s.outlet == outlet)]
        return summarize(system, chosen)

    def outlets(self) -> list[str]:
        return sorted({s.outlet for s in self.pages})


def evaluate(fixtures: Sequence[Fixture], names: Sequence[str] = SYSTEMS) -> Report:
    """Quality of each system on every fixture page (speed is measured by ``measure_speed``)."""
    chosen = {name: run for name, run in systems().items() if name in names}
    report = Report()
    for fixture in fixtures:
        for name, run in chosen.items():
            report.pages.append(score_page(fixture, name, run))
    return report


def measure_speed(
    fixtures: Sequence[Fixture], rounds: int, names: Sequence[str] = SYSTEMS
) -> dict[str, float]:
    """Pages per second of each system over every page.

    After a warm-up pass, ``rounds`` rounds each time one pass of every system in turn (so a
    busy spell on the machine hits them alike); a pass is timed in CPU seconds of this
    process (``time.process_time``: time spent waiting for the CPU while other processes run
    is not counted) and the fastest pass of each system counts, as ``timeit`` does.
    """
    pages = [(f.html(), f.url, f.now) for f in fixtures]
    chosen = {name: run for name, run in systems().items() if name in names}
    best = dict.fromkeys(chosen, float("inf"))
    for index in range(rounds + 1):
        for name, run in chosen.items():
            started = time.process_time()
            for html, url, now in pages:
                with contextlib.suppress(ParseError):  # scored as an error by ``evaluate``
                    run(html, url, now)
            if index:  # the first round warms caches up
                best[name] = min(best[name], time.process_time() - started)
    return {name: len(pages) / seconds for name, seconds in best.items() if pages and seconds}


# --- output --------------------------------------------------------------------------------

HEADER = ("| outlet | pages | system | body P | body R | body F1 | title | date | authors |"
          " errors |")


def _row(outlet: str, s: Summary) -> str:
    return (
        f"| {outlet} | {s.pages} | {s.system} | {s.precision:.3f} | {s.recall:.3f} | "
        f"{s.f1:.3f} | {s.title:.2f} | {s.date:.2f} | {s.authors:.2f} | {s.errors} |"
    )


def render(report: Report) -> str:
    lines = [HEADER, _separator()]
    systems_run = [name for name in SYSTEMS if any(s.system == name for s in report.pages)]
    for outlet in report.outlets():
        lines += [_row(outlet, report.summary(name, outlet)) for name in systems_run]
    lines += [_row("**overall**", report.summary(name)) for name in systems_run]
    if report.speed:
        lines.append("")
        lines.append("| system | pages/s | × trafilatura |")
        lines.append("|---|---|---|")
        base = report.speed.get("trafilatura")
        for name, rate in report.speed.items():
            ratio = f"{rate / base:.1f}" if base else "-"
            lines.append(f"| {name} | {rate:.0f} | {ratio} |")
    failures = [s for s in report.pages if s.error]
    if failures:
        lines.append("")
        lines += [f"- {s.system} on {s.name}: {s.error}" for s in failures]
    return "\n".join(lines)


def _separator() -> str:
    return "|" + "---|" * (HEADER.count("|") - 1)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.extraction", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=Path, action="append", metavar="DIR",
                        help="folder of fixture pages (repeatable; default: the shared corpus "
                             "and the operator fixtures folder)")
    parser.add_argument("--expected", type=Path, default=EXPECTED_DIR, metavar="DIR")
    parser.add_argument("--rounds", type=int, default=10, help="timed passes (default 10)")
    parser.add_argument("--json", type=Path, metavar="PATH", help="also write the scores here")
    args = parser.parse_args(argv)
    fixtures = load_fixtures(args.pages, args.expected)
    if not fixtures:
        print("no fixture page with an expected JSON found", file=sys.stderr)
        return 1
    report = evaluate(fixtures)
    report.speed = measure_speed(fixtures, args.rounds) if args.rounds > 0 else {}
    print(f"{len(fixtures)} pages: {', '.join(f.name for f in fixtures)}\n")
    print(render(report))
    if args.json:
        args.json.write_text(json.dumps(
            {"pages": [asdict(s) for s in report.pages], "speed": report.speed},
            ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
