"""Extraction quality floors, measured by the evaluation on the recorded pages.

``uv run python -m bench.extraction`` prints the full table (and the speed, which is not
asserted here); this test runs the same evaluation on the recorded pages of
../shared/corpus/pages that have an expected JSON, and fails when a change makes the outlet
parsers or the generic extractor worse than the floors below (pinned a little under what
was measured: 1.000 everywhere on the nine pages, against trafilatura's body F1 0.977,
dates 0.89 and authors 0.00, and resiliparse's body F1 0.957, on the same pages).
``chain`` is ``parse_article`` as the monitor runs it (the outlet parser first).
"""

from __future__ import annotations

import pytest

from bench.extraction import CORPUS_PAGES, Report, Summary, evaluate, load_fixtures

pytestmark = pytest.mark.corpus

FLOORS = {  # system: (body precision, body recall, body F1, title, date, authors)
    "chain": (0.99, 0.99, 0.99, 0.99, 0.99, 0.99),
    "generic": (0.99, 0.99, 0.99, 0.99, 0.99, 0.99),
}
PAGES = 9  # the recorded article pages with an expected JSON


@pytest.fixture(scope="module")
def report() -> Report:
    fixtures = load_fixtures([CORPUS_PAGES])
    if not fixtures:
        pytest.skip(f"third-party material not present: {CORPUS_PAGES}")
    return evaluate(fixtures)


def measured(summary: Summary) -> tuple[float, ...]:
    return (summary.precision, summary.recall, summary.f1, summary.title, summary.date,
            summary.authors)


@pytest.mark.parametrize("system", sorted(FLOORS))
def test_extraction_stays_above_its_floors(report: Report, system: str) -> None:
    summary = report.summary(system)
    assert summary.pages == PAGES
    assert summary.errors == 0
    names = ("body precision", "body recall", "body F1", "title", "date", "authors")
    below = {
        name: f"{value:.3f} < {floor}"
        for name, value, floor in zip(names, measured(summary), FLOORS[system], strict=True)
        if value < floor
    }
    assert not below, f"{system} below its floors: {below}"


@pytest.mark.parametrize("system", sorted(FLOORS))
def test_every_outlet_is_above_the_body_floor_on_its_own(report: Report, system: str) -> None:
    for outlet in report.outlets():
        summary = report.summary(system, outlet)
        assert summary.f1 >= 0.98 and summary.precision >= 0.99, (outlet, summary)
        assert summary.date == 1.0, f"{system} got a date wrong on {outlet}"


@pytest.mark.parametrize("library", ["trafilatura", "resiliparse"])
def test_our_bodies_are_cleaner_than_the_libraries_on_the_same_pages(
    report: Report, library: str
) -> None:
    ours, theirs = report.summary("chain"), report.summary(library)
    assert theirs.pages == PAGES
    assert ours.f1 > theirs.f1 and ours.precision > theirs.precision
