"""Property tests (hypothesis): text normalisation and the classifier on arbitrary text.

``normalize_text`` gives NFC text without control or bidi characters, is idempotent and
agrees on the old and new tone placements; ``classify`` never raises and returns a verdict
that is consistent with itself, whatever the title and body hold.
"""

from __future__ import annotations

import unicodedata

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from analysis.classifier import THRESHOLD, classify
from analysis.text import normalize_text
from records import EVENT_KINDS

FAST = settings(
    max_examples=150,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)

VIETNAMESE = "ăâđêôơưáàảãạắằẳẵặấầẩẫậéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵĐ"
WORDS = [
    "Thủ tướng",
    "Phạm Minh Chính",
    "tiếp",
    "Đại sứ",
    "Hoa Kỳ",
    "Mỹ",
    "Trung Quốc",
    "Việt Nam",
    "hội đàm",
    "điện đàm",
    "thăm",
    "chính thức",
    "Bộ Ngoại giao",
    "ASEAN",
    "EU",
    "hợp tác",
    "bóng đá",
    "chứng khoán",
    "hoà",
    "thuý",
    "khoẻ",
    "quý",
    "Hà Nội",
    "(TTXVN)",
    "Theo HNM",
]
CONTROLS = ["\x00", "\x07", "\x1b", "\x7f", "\u0085", "\u200b", "\u200e", "\u202e", "\u2066"]
SPACES = [" ", "  ", "\t", "\n", "\n\n\n", "\r\n", "\u00a0", "\u2028", "\u3000", "\x0c"]

pieces = st.sampled_from(
    WORDS
    + CONTROLS
    + SPACES
    + list(VIETNAMESE)
    + list(unicodedata.normalize("NFD", VIETNAMESE))
    + [".", ",", ";", ":", "-", "–", "(", ")", '"', "'", "…", "0", "42", "2026"]
)
documents = st.lists(pieces, max_size=80).map("".join) | st.text(max_size=300)
INVISIBLE = set("\x00\x07\x1b\x7f\u0085\u200b\u200e\u202e\u2066\ufeff\u00ad")


visible_documents = st.lists(
    pieces.filter(lambda piece: not INVISIBLE & set(piece)), max_size=80
).map("".join)


@FAST
@given(text=documents)
@example(text="Hoà bình\u200b và  thuý\r\n\r\n\r\nkhoẻ\x00")
def test_normalize_text_drops_controls_and_collapses_whitespace(text: str) -> None:
    result = normalize_text(text)
    assert result == result.strip()
    assert not INVISIBLE & set(result)
    assert "\r" not in result and "\n\n\n" not in result and "  " not in result


@FAST
@given(text=visible_documents | st.text(alphabet=st.characters(codec="utf-8"), max_size=200))
def test_normalize_text_is_nfc_and_idempotent(text: str) -> None:
    result = normalize_text(text)
    assert unicodedata.is_normalized("NFC", result)
    assert normalize_text(result) == result


def test_an_invisible_character_inside_a_letter_still_gives_nfc() -> None:
    assert normalize_text("Hoa Ky\u200b\u0300") == "Hoa Kỳ"
    assert normalize_text("o\x00\u0301") == "ó"


def test_a_letter_with_two_tone_marks_still_gives_nfc() -> None:
    result = normalize_text("thuý\u0300")
    assert unicodedata.is_normalized("NFC", result)


@FAST
@given(text=documents)
def test_normalize_text_reads_decomposed_and_composed_alike(text: str) -> None:
    assert normalize_text(unicodedata.normalize("NFD", text)) == normalize_text(
        unicodedata.normalize("NFC", text)
    )


@settings(
    max_examples=100,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(title=documents, text=documents)
@example(title="", text="")
@example(title="\x00" * 50, text="\n" * 500)
@example(
    title="Thủ tướng tiếp Đại sứ Hoa Kỳ",
    text="Chiều 23/11, tại Hà Nội, Thủ tướng Phạm Minh Chính tiếp Đại sứ Hoa Kỳ.",
)
def test_classify_never_raises_and_its_verdict_is_consistent(title: str, text: str) -> None:
    verdict = classify(title, text)
    assert 0.0 <= verdict.score <= 1.0
    assert verdict.is_diplomacy == (verdict.score >= THRESHOLD)
    assert verdict.event is None or verdict.event in EVENT_KINDS
    if not verdict.is_diplomacy:
        assert verdict.event is None
    assert len(set(verdict.partners)) == len(verdict.partners)
    assert "VN" not in verdict.partners
    for line in (*verdict.evidence, *(person.name for person in verdict.people)):
        assert unicodedata.is_normalized("NFC", line)
    # The same article in another Unicode form gets the same verdict.
    again = classify(unicodedata.normalize("NFD", title), unicodedata.normalize("NFD", text))
    assert (again.is_diplomacy, again.score, again.partners) == (
        verdict.is_diplomacy,
        verdict.score,
        verdict.partners,
    )
