"""The classifier on the VNTC topic corpus sample (news of about 2006, ten topics).

A real floor: sport, health, computing, lifestyle, culture and science news mention foreign
countries all the time and must almost never be flagged as diplomacy (under 1%: at most one
article of 200). Skipped when ../shared/corpus is absent. The cross-validated figures are in
tests/test_classification_quality.py."""

from __future__ import annotations

import tarfile
from collections import defaultdict
from pathlib import Path

import pytest

from analysis import classify
from bench.classification import read_vntc as read_vntc_bytes
from records import Verdict
from tests.conftest import CORPUS_DIR, require_shared

pytestmark = pytest.mark.corpus

TOPICS = {
    "TT": "sport (Thể thao)",
    "SK": "health (Sức khỏe)",
    "VT": "computing (Vi tính)",
    "TG": "world (Thế giới)",
    "XH": "politics-society (Chính trị Xã hội)",
    "KD": "business (Kinh doanh)",
    "PL": "law (Pháp luật)",
    "KH": "science (Khoa học)",
    "VH": "culture (Văn hóa)",
    "DS": "life (Đời sống)",
}
MUST_BE_RARE = ("TT", "SK", "VT", "DS", "VH", "KH")
MAX_RATE = 0.01


def read_vntc(path: Path) -> tuple[str, str]:
    """(title, body) of a VNTC file: the first non-blank line is the title, unless the file
    has its text on one line (see ``bench.classification.read_vntc``)."""
    return read_vntc_bytes(path.read_bytes())


@pytest.fixture(scope="module")
def verdicts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Verdict]]:
    archive = require_shared(CORPUS_DIR / "vntc_sample.tar.xz")
    target = tmp_path_factory.mktemp("vntc")
    with tarfile.open(archive) as tar:
        tar.extractall(target, filter="data")
    by_topic: dict[str, dict[str, Verdict]] = defaultdict(dict)
    for path in sorted(target.rglob("*.txt")):
        topic = path.name.split("_", 1)[0]
        by_topic[topic][path.name] = classify(*read_vntc(path))
    assert sum(len(v) for v in by_topic.values()) >= 1000
    return by_topic


def test_flagged_rate_per_topic(verdicts: dict[str, dict[str, Verdict]]) -> None:
    rates = {}
    for topic, files in sorted(verdicts.items()):
        flagged = sum(v.is_diplomacy for v in files.values())
        rates[topic] = flagged / len(files)
        print(
            f"{topic} {TOPICS.get(topic, '?'):38} {flagged:3}/{len(files)} = "
            f"{100 * rates[topic]:.1f}% flagged as diplomacy"
        )
    for topic in MUST_BE_RARE:
        assert rates[topic] < MAX_RATE, (topic, rates[topic])


@pytest.mark.parametrize(
    ("name", "partner"),
    [
        ("XH_VNE_T_ (96).txt", "CN"),  # Việt Nam - Trung Quốc đàm phán về biên giới lãnh thổ
        ("XH_TT_T_ (9780).txt", "US"),  # Chuyến thăm của Thủ tướng Phan Văn Khải ... Hoa Kỳ
        ("XH_NLD_T_ (9615).txt", "US"),  # Đàm phán Việt - Mỹ về việc Việt Nam gia nhập WTO
        ("XH_NLD_T_ (9625).txt", "KH"),  # Tăng cường hợp tác toàn diện Việt Nam - Campuchia
        ("XH_NLD_T_ (9203).txt", "FR"),  # Phát triển quan hệ Việt - Pháp hữu nghị
    ],
)
def test_diplomacy_in_the_politics_section_is_found(
    verdicts: dict[str, dict[str, Verdict]], name: str, partner: str
) -> None:
    verdict = verdicts["XH"].get(name)
    if verdict is None:
        pytest.skip(f"{name} not in this sample")
    assert verdict.is_diplomacy
    assert verdict.partners[0] == partner
