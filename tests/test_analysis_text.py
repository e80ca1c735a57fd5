"""analysis.text: one Unicode form, one tone-mark placement, clean whitespace; accent folding."""

from __future__ import annotations

import unicodedata

import pytest

from analysis.text import fold_accents, normalize_text, normalize_tones, trie_pattern


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("hoà", "hòa"),
        ("Hoà Bình", "Hòa Bình"),
        ("thuý", "thúy"),
        ("khoẻ", "khỏe"),
        ("Uỷ ban", "Ủy ban"),
        ("Thuỵ Điển", "Thụy Điển"),
        ("thoả thuận", "thỏa thuận"),
        ("hoá học", "hóa học"),
        ("HOÀ", "HÒA"),
        ("tuỳ", "tùy"),
        ("hoạ sĩ", "họa sĩ"),
    ],
)
def test_new_style_tone_marks_move_to_the_common_placement(old: str, new: str) -> None:
    assert normalize_text(old) == new
    assert normalize_text(new) == new


@pytest.mark.parametrize(
    "word", ["quý", "Quỳnh", "hoàng", "ngoài", "khuyến", "khuya", "khuỷu", "thuở", "hoài"]
)
def test_syllables_that_have_one_spelling_are_left_alone(word: str) -> None:
    assert normalize_tones(word) == word


def test_nfd_input_becomes_nfc() -> None:
    text = "Tổng Bí thư tiếp Đại sứ Hoa Kỳ; hoà bình"
    nfd = unicodedata.normalize("NFD", text)
    assert nfd != text
    assert normalize_text(nfd) == normalize_text(text)
    assert unicodedata.is_normalized("NFC", normalize_text(nfd))


def test_whitespace_control_and_bidi_characters() -> None:
    raw = "\ufeff  Hà\u00a0 Nội\t\tngày\u200b 1/2 \r\n\r\n\r\n\u2028Đại\u202e sứ\x00 \u2029cuối  "
    assert normalize_text(raw) == "Hà Nội ngày 1/2\n\nĐại sứ\ncuối"


def test_fold_accents() -> None:
    assert fold_accents("Đại sứ Hoa Kỳ THỤY ĐIỂN") == "dai su hoa ky thuy dien"
    assert fold_accents(unicodedata.normalize("NFD", "Đức")) == "duc"


def test_trie_pattern_prefers_the_longest_name() -> None:
    import re

    pattern = re.compile(trie_pattern(["Mỹ", "Mỹ Latinh", "Nga", "Liên bang Nga"]))
    assert [m.group(0) for m in pattern.finditer("Mỹ Latinh, Mỹ, Liên bang Nga")] == [
        "Mỹ Latinh",
        "Mỹ",
        "Liên bang Nga",
    ]
