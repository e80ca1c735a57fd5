"""Stories on real news: the VNTC sample (2,000 articles of about 2006, ten topics, four
outlets), every article placed at the same moment and without a verdict (no partners or
names to tell events apart), so that only texts and titles decide.

The pairs merged today were each read and judged the same event (reviewed list below: three
are the same text twice in the corpus, three are two outlets' reports of one event). A merge
outside this list fails the test: read the pair, then either fix the matching or, when it
truly is one event, add it here. Skipped when ../shared/corpus is absent.
"""

from __future__ import annotations

import itertools
import tarfile
from collections import defaultdict
from datetime import datetime

import pytest

from analysis.stories import StoryItem, cluster, story_item
from records import VIETNAM_TZ, Article, Verdict
from tests.conftest import CORPUS_DIR, require_shared
from tests.test_analysis_vntc import read_vntc

pytestmark = pytest.mark.corpus

REVIEWED_DUPLICATES = {
    frozenset({"DS_TN_T_ (437).txt", "DS_VNE_T_ (1262).txt"}),  # "nhà tạm lánh", TN and VNE
    frozenset({"DS_VNE_T_ (1613).txt", "DS_VNE_T_ (1823).txt"}),  # the same file twice
    frozenset({"KH_VNE_T_ (1946).txt", "KH_VNE_T_ (71).txt"}),  # the same file twice
    frozenset({"KH_VNE_T_ (2036).txt", "KH_VNE_T_ (908).txt"}),  # the same file twice
    frozenset({"PL_NLD_T_ (4009).txt", "PL_VNE_T_ (1162).txt"}),  # quận 10 court, NLĐ and VNE
    frozenset({"PL_TT_T_ (3383).txt", "PL_VNE_T_ (220).txt"}),  # Kiên Giang, TT and VNE
}
MOMENT = datetime(2006, 1, 1, 12, 0, tzinfo=VIETNAM_TZ)


@pytest.fixture(scope="module")
def vntc_items(tmp_path_factory: pytest.TempPathFactory) -> dict[str, StoryItem]:
    archive = require_shared(CORPUS_DIR / "vntc_sample.tar.xz")
    target = tmp_path_factory.mktemp("vntc_stories")
    with tarfile.open(archive) as tar:
        tar.extractall(target, filter="data")
    items: dict[str, StoryItem] = {}
    for path in sorted(target.rglob("*.txt"), key=lambda p: p.name):
        title, body = read_vntc(path)
        paragraphs = tuple(line.strip() for line in body.splitlines() if line.strip())
        outlet = path.name.split("_")[1].lower()
        article = Article(
            outlet=outlet,
            url=f"https://{outlet}.example/{path.name}",
            canonical_url=None,
            title=title,
            sapo=None,
            paragraphs=paragraphs,
        )
        items[path.name] = story_item(article, Verdict(False, 0.0), MOMENT)
    assert len(items) >= 1000
    return items


def merged_pairs(names: list[str], labels: list[int]) -> set[frozenset[str]]:
    groups: dict[int, list[str]] = defaultdict(list)
    for name, label in zip(names, labels, strict=True):
        groups[label].append(name)
    return {
        frozenset(pair)
        for members in groups.values()
        for pair in itertools.combinations(members, 2)
    }


def test_only_reviewed_duplicates_are_merged(vntc_items: dict[str, StoryItem]) -> None:
    names = sorted(vntc_items)
    merged = merged_pairs(names, cluster([vntc_items[name] for name in names]))
    present = {pair for pair in REVIEWED_DUPLICATES if pair <= set(names)}
    print(
        f"\nVNTC sample, {len(names)} articles at one moment: {len(merged)} merged pairs, "
        f"{len(merged & present)} of the {len(present)} reviewed duplicates, "
        f"{len(merged - present)} unreviewed"
    )
    assert merged - present == set(), "unreviewed merges: read them (see the docstring)"
    assert present <= merged, "a reviewed duplicate is no longer found"


def test_arrival_order_does_not_change_the_stories(vntc_items: dict[str, StoryItem]) -> None:
    names = sorted(vntc_items)
    forward = merged_pairs(names, cluster([vntc_items[name] for name in names]))
    backward_names = names[::-1]
    backward = merged_pairs(backward_names, cluster([vntc_items[n] for n in backward_names]))
    assert forward == backward


def test_an_empty_article_matches_nothing(vntc_items: dict[str, StoryItem]) -> None:
    empty = [name for name, item in vntc_items.items() if not item.grams]
    assert empty, "the sample has articles whose text is empty after extraction"
    labels = cluster([vntc_items[name] for name in empty])
    assert len(set(labels)) == len(empty)
