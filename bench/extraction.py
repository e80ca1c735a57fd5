"""Extraction quality and speed: our fallback chain, our generic extractor, trafilatura and
resiliparse, on the same pages in the same run.

    uv run python -m bench.extraction [--pages DIR ...] [--rounds N] [--json PATH]
    uv run python -m bench.extraction --gold DIR [--gold DIR ...] [--rounds N] [--json PATH]

Without ``--gold``: every fixture page that has an expected JSON in ``tests/expected/``
(hand-checked against the page): the recorded pages in ``../shared/corpus/pages``
(``<name>.html``) and the pages an operator recorded with ``diplowatch record-fixture``
(``<name>.html.gz`` in ``$DIPLOWATCH_FIXTURES_DIR``, default
``~/.local/share/diplowatch/fixtures``); reported per outlet and overall.

With ``--gold DIR``: every page of each folder of pages with gold articles, in our layout
(``<name>.html[.gz]`` + ``<name>.gold.json``) or ScrapingHub's article-extraction-benchmark
layout (``ground-truth.json`` + ``html/<id>.html.gz``), detected per folder
(``bench.extraction_gold``); reported per folder and overall.

The systems (``bench.extraction_systems``): ``chain`` (``parse_article`` as the monitor runs
it; ``outlet`` is accepted as its old name), ``generic`` (our generic extractor forced),
``trafilatura`` and ``resiliparse`` (the options used, and why, are in that module).

Measures (``bench.extraction_score``): body shingle precision, recall and F1; title, date,
authors and credited-source accuracy where the gold has them; for the chain, the share of
pages where its winner was not its first step (fallback share), the pages won by each
extraction method, and the "collapses" (pages the chain ended at title-and-lead although
the gold has paragraphs), by name. Speed: pages per second of each system, and of the chain
on the pages where its first step won, with the ratios to trafilatura and to resiliparse,
from the fastest of ``--rounds`` passes over all pages, the systems taking turns, timed in
CPU seconds of this process (``measure_speed``).

A page that fails (``ParseError``: empty, truncated, wrong charset, not an article; or a
crash) is reported with its reason and scored zero; the run goes on.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.extraction_gold import GoldSet, load_gold, read_page
from bench.extraction_score import (
    FAST_PATH,
    SHINGLE,
    Case,
    Gold,
    PageScore,
    Report,
    Summary,
    evaluate,
    f1,
    measure_speed,
    precision_recall,
    same_minute,
    shingles,
    summarize,
    tokens,
)
from bench.extraction_systems import (
    ALIASES,
    CHAIN,
    RESILIPARSE,
    SYSTEMS,
    TRAFILATURA,
    Extracted,
    System,
    canonical_names,
    ours,
    resiliparse_system,
    systems,
    trafilatura_json,
    trafilatura_system,
)
from flows.commands.fixtures import operator_fixtures_dir

__all__ = [
    "ALIASES", "CORPUS_PAGES", "EXPECTED_DIR", "SHINGLE", "SYSTEMS", "Case", "Extracted",
    "Fixture", "Gold", "PageScore", "Report", "Summary", "System", "default_page_dirs",
    "evaluate", "expected_article", "f1", "find_page", "load_fixtures", "main",
    "measure_speed", "ours", "precision_recall", "read_page", "render", "resiliparse_system",
    "same_minute", "shingles", "summarize", "systems", "tokens", "trafilatura_json",
    "trafilatura_system",
]

REPO_ROOT = Path(__file__).resolve().parent.parent
EXPECTED_DIR = REPO_ROOT / "tests" / "expected"
SHARED_DIR = Path(os.environ.get("DIPLOWATCH_SHARED_DIR", REPO_ROOT.parent / "shared"))
CORPUS_PAGES = SHARED_DIR / "corpus" / "pages"
# The corpus pages were recorded in March 2026: dates after this are "in the future".
RECORDED_AT = datetime(2026, 3, 8, tzinfo=UTC)


def default_page_dirs() -> list[Path]:
    return [CORPUS_PAGES, operator_fixtures_dir()]


# --- the recorded pages and their expected JSON ----------------------------------------------


@dataclass(frozen=True)
class Fixture:
    """One page and the article JSON expected from it (``Article.to_json()``)."""

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
    def group(self) -> str:
        return self.outlet

    @property
    def now(self) -> datetime | None:
        """The fetch time to parse with: the corpus pages' recording month, else the clock."""
        return RECORDED_AT if self.page.parent == CORPUS_PAGES else None

    def html(self) -> bytes:
        return read_page(self.page)

    def gold(self) -> Gold:
        data = self.expected
        paragraphs = list(data.get("paragraphs", []))
        published = data.get("published_at")
        return Gold(
            body="\n".join([data.get("sapo") or "", *paragraphs]), paragraphs=len(paragraphs),
            title=data.get("title") or "",
            published=datetime.fromisoformat(published) if published else None,
            authors=tuple(data.get("authors", [])),
            credited_source=data.get("credited_source"),
            scored=frozenset({"title", "date", "authors"}
                             | ({"credited"} if "credited_source" in data else set())),
        )


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


# --- output --------------------------------------------------------------------------------

COLUMNS = ("pages", "system", "body P", "body R", "body F1", "title", "date", "authors",
           "credited", "errors")


def _table(head: Sequence[str]) -> list[str]:
    return ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]


def _share(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}"


def _row(label: str, s: Summary) -> str:
    return (
        f"| {label} | {s.pages} | {s.system} | {s.precision:.3f} | {s.recall:.3f} | "
        f"{s.f1:.3f} | {_share(s.title)} | {_share(s.date)} | {_share(s.authors)} | "
        f"{_share(s.credited)} | {s.errors} |"
    )


def _quality(report: Report, by: str) -> list[str]:
    names = report.systems()
    labels = report.groups() if by == "folder" else report.outlets()
    lines = _table((by, *COLUMNS))
    for label in labels:
        chosen = {"group": label} if by == "folder" else {"outlet": label}
        lines += [_row(label, report.summary(name, **chosen)) for name in names]
    lines += [_row("**overall**", report.summary(name)) for name in names]
    return lines


def _chain_lines(report: Report, by: str, notes: bool = False) -> list[str]:
    if CHAIN not in report.systems():
        return []
    lines = ["", *_table((by, "pages", "fallback share", "extraction methods", "collapses"))]
    groups: list[str | None] = [*report.groups(), None] if by == "folder" else [None]
    collapses: list[str] = []
    for group in groups:
        stats = report.chain(group)
        methods = ", ".join(f"{name} {count}" for name, count in stats.methods.items())
        label = "**overall**" if group is None else group
        lines.append(f"| {label} | {stats.pages} | {stats.fallback:.2f} | {methods} | "
                     f"{len(stats.collapses)} |")
        if stats.collapses and (group is not None or by != "folder"):
            where = f" in {group}" if group is not None else ""
            collapses.append(f"collapses{where} (title-and-lead, the gold has paragraphs): "
                             + ", ".join(stats.collapses))
    lines += ["", *collapses] if collapses else []
    if notes:
        fell = [s for s in report.pages if s.system == CHAIN and (s.fallback or s.notes)]
        lines += ["", *(_notes_line(s) for s in fell)] if fell else []
    return lines


def _notes_line(score: PageScore) -> str:
    fallback = " (fallback)" if score.fallback else ""
    return f"- {score.name}: {score.method}{fallback}; {'; '.join(score.notes) or 'no notes'}"


def _speed_lines(report: Report) -> list[str]:
    if not report.speed:
        return []
    fast = len(report.fast_path())
    everything = len({(s.group, s.name) for s in report.pages})
    lines = ["", *_table(("system", "pages", "pages/s", "× trafilatura", "× resiliparse",
                          "fallback share"))]
    bases = [report.speed.get(TRAFILATURA), report.speed.get(RESILIPARSE)]
    fallback = report.chain().fallback
    order = [CHAIN, FAST_PATH, *SYSTEMS]
    for name, rate in sorted(report.speed.items(), key=lambda item: order.index(item[0])):
        ratios = " | ".join(f"{rate / base:.1f}" if base else "-" for base in bases)
        share = f"{fallback:.2f}" if name == CHAIN else ("0.00" if name == FAST_PATH else "")
        pages = fast if name == FAST_PATH else everything
        lines.append(f"| {name} | {pages} | {rate:.0f} | {ratios} | {share} |")
    return lines


def render(report: Report, by: str = "outlet", notes: bool = False) -> str:
    """The report as Markdown tables, grouped ``by`` outlet or by gold ``folder``; with
    ``notes``, each page where the chain fell back or left notes, with its notes."""
    lines = [*_quality(report, by), *_chain_lines(report, by, notes), *_speed_lines(report)]
    failures = [s for s in report.pages if s.error]
    if failures:
        lines.append("")
        lines += [f"- {s.system} on {s.name}: {s.error}" for s in failures]
    return "\n".join(lines)


def _gold_cases(folders: Sequence[Path]) -> list[Case]:
    cases: list[Case] = []
    for folder in folders:
        found: GoldSet = load_gold(folder)
        print(f"{folder}: {found.layout} layout, {len(found.pages)} pages"
              + (f", {len(found.skipped)} skipped" if found.skipped else ""), file=sys.stderr)
        for why in found.skipped:
            print(f"  skipped {why}", file=sys.stderr)
        cases += found.pages
    return cases


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.extraction", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=Path, action="append", metavar="DIR",
                        help="folder of fixture pages (repeatable; default: the shared corpus "
                             "and the operator fixtures folder)")
    parser.add_argument("--expected", type=Path, default=EXPECTED_DIR, metavar="DIR")
    parser.add_argument("--gold", type=Path, action="append", metavar="DIR",
                        help="folder of pages with gold articles (repeatable; replaces "
                             "--pages/--expected)")
    parser.add_argument("--systems", default=",".join(SYSTEMS),
                        help=f"comma-separated systems (default {','.join(SYSTEMS)})")
    parser.add_argument("--notes", action="store_true",
                        help="list the pages where the chain fell back, with its notes")
    parser.add_argument("--rounds", type=int, default=10, help="timed passes (default 10)")
    parser.add_argument("--json", type=Path, metavar="PATH", help="also write the scores here")
    args = parser.parse_args(argv)
    logging.getLogger("trafilatura").setLevel(logging.CRITICAL)  # its per-page complaints
    try:
        names = canonical_names([n.strip() for n in args.systems.split(",") if n.strip()])
        cases: Sequence[Case] = (_gold_cases(args.gold) if args.gold
                                 else load_fixtures(args.pages, args.expected))
    except ValueError as error:
        print(f"bench.extraction: {error}", file=sys.stderr)
        return 2
    if not cases:
        print("no page with a gold or expected article found", file=sys.stderr)
        return 1
    report = evaluate(cases, names)
    if args.rounds > 0:
        fast = report.fast_path() if CHAIN in names else None
        report.speed = measure_speed(cases, args.rounds, names, fast_path=fast)
    by = "folder" if args.gold else "outlet"
    print(f"{len(cases)} pages: {', '.join(c.name for c in cases)}\n")
    print(render(report, by, args.notes))
    if args.json:
        args.json.write_text(json.dumps(_as_json(report, by), ensure_ascii=False, indent=1),
                             encoding="utf-8")
    return 0


def _as_json(report: Report, by: str) -> dict[str, Any]:
    groups = report.groups() if by == "folder" else report.outlets()
    return {
        "pages": [asdict(s) for s in report.pages],
        "summary": {
            name: {
                "overall": asdict(report.summary(name)),
                **{g: asdict(report.summary(name, **({"group": g} if by == "folder"
                                                     else {"outlet": g}))) for g in groups},
            } for name in report.systems()
        },
        "chain": asdict(report.chain()) if CHAIN in report.systems() else None,
        "speed": report.speed,
    }


if __name__ == "__main__":
    sys.exit(main())
