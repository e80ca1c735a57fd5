"""Classification quality on the labelled development set: floors a regression must not cross.

Runs the evaluation of `uv run python -m bench.classification` (labels in
bench/labels/diplomacy_devset.csv, texts in ../shared; skipped when ../shared is absent) and
pins its cross-validated figures slightly under the values measured when they were set
(README, "Classification quality"). Speed is measured by the bench command, not here.
"""

from __future__ import annotations

from typing import Any

import pytest

from bench.classification import MUST_BE_RARE, evaluate
from tests.conftest import CORPUS_DIR, SHARED_DIR, require_shared

pytestmark = pytest.mark.corpus

CV = "rules + model, 5-fold CV"

# Measured: diplomacy F1 0.914 (P 0.941, R 0.889; 18 diplomacy articles), Vietnam–US F1 1.000
# (7 articles), event 14/16, 0 of 200 flagged in each of the six non-political topics.
DIPLOMACY_F1 = 0.90
DIPLOMACY_PRECISION = 0.90
DIPLOMACY_RECALL = 0.85
US_F1 = 0.97
EVENT_ACCURACY = 0.80
MAX_FLAGGED = 1  # of 200 per non-political topic: under 1%


@pytest.fixture(scope="module")
def report() -> dict[str, Any]:
    require_shared(CORPUS_DIR / "vntc_sample.tar.xz")
    return evaluate(SHARED_DIR)


def test_diplomacy_is_found_with_few_false_alarms(report: dict[str, Any]) -> None:
    diplomacy = report["systems"][CV]["diplomacy"]
    assert diplomacy["f1"] >= DIPLOMACY_F1, diplomacy
    assert diplomacy["precision"] >= DIPLOMACY_PRECISION, diplomacy
    assert diplomacy["recall"] >= DIPLOMACY_RECALL, diplomacy


def test_the_vietnam_us_profile_gets_its_articles(report: dict[str, Any]) -> None:
    us = report["systems"][CV]["US"]
    assert us["f1"] >= US_F1, us


def test_the_event_is_named_right(report: dict[str, Any]) -> None:
    correct, found = report["systems"][CV]["event"]
    assert correct / found >= EVENT_ACCURACY


def test_non_political_news_is_almost_never_flagged(report: dict[str, Any]) -> None:
    for topic in MUST_BE_RARE:
        flagged, total = report["flagged"]["combined"][topic]
        assert total == 200
        assert flagged <= MAX_FLAGGED, (topic, flagged)


def test_far_better_than_the_keyword_alert(report: dict[str, Any]) -> None:
    ours = report["systems"][CV]
    alert = report["systems"]["keyword alert"]
    assert ours["diplomacy"]["f1"] >= alert["diplomacy"]["f1"] + 0.5
    assert ours["US"]["f1"] >= alert["US"]["f1"] + 0.5


def test_the_shipped_weights_are_what_training_makes_of_the_labels(
    report: dict[str, Any],
) -> None:
    # Labels or features changed without `uv run python -m bench.train_classifier`?
    assert report["refit_check"]
