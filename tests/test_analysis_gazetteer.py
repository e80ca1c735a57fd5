"""analysis.gazetteer: partner names, including the ones that are also Vietnamese words.

The sentences here are constructed for the tests, not taken from articles."""

from __future__ import annotations

import pytest

from analysis.gazetteer import PARTNER_NAMES, find_partners, lookup_partner, scan_names
from analysis.leaders import find_leaders, leader_code
from analysis.text import normalize_text


def codes(text: str) -> list[str]:
    return [m.code for m in find_partners(normalize_text(text))]


@pytest.mark.parametrize(
    "text",
    [
        "Đêm nhạc tại sân vận động Mỹ Đình thu hút hàng vạn khán giả.",
        "Thị trường mỹ phẩm và dịch vụ thẩm mỹ tăng trưởng mạnh.",
        "Mỹ phẩm nhập lậu bị thu giữ tại một thẩm mỹ viện.",
        "Ca sĩ Mỹ Linh và Mỹ Tâm biểu diễn ở Mỹ Tho, Mỹ Tú, Mỹ Lai.",
        "Chị Nguyễn Thị Mỹ Hạnh làm đồ mỹ nghệ, học mỹ thuật.",
        "Du lịch châu Mỹ, Nam Mỹ và Mỹ Latinh đang hút khách.",
        "Ông Tống Văn Nga, Thứ trưởng Bộ Xây dựng, làm việc tại Thủ Đức.",
        "Anh cho biết đã học tiếng Anh và tiếng Pháp từ nhỏ; chị Lan Anh đồng ý.",
        "Pháp luật quy định rõ; cập nhật nhật ký; Chủ Nhật ở Lào Cai.",
        "Ông Đức cho biết Đức Mẹ được rước qua Đức Phổ.",
        "Khu vực Ấn Độ Dương - Thái Bình Dương rộng lớn; tỉnh Thái Bình.",
        "UN71066315_20240924_LF_5459_.jpg",
        "VN-Index tăng mạnh.",
    ],
)
def test_vietnamese_words_and_places_are_not_partners(text: str) -> None:
    assert codes(text) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Tổng Bí thư Tô Lâm tiếp Đại sứ Hoa Kỳ Marc Knapper.", ["US"]),
        ("Tổng Bí thư tiếp Đại sứ Mỹ Marc Knapper.", ["US"]),
        ("Quan hệ Việt - Mỹ, Việt-Trung và Nhật - Hàn.", ["US", "CN", "JP", "KR"]),
        ("Thủ tướng Anh Keir Starmer thăm Vương quốc Anh và nước Anh.", ["GB", "GB", "GB"]),
        ("Tại Mỹ, Nga và Đức phản đối; Pháp ủng hộ.", ["US", "RU", "DE", "FR"]),
        ("Australia, Ô-xtrây-li-a và Úc là một.", ["AU", "AU", "AU"]),
        (
            "Liên hợp quốc, LHQ, Liên Hợp Quốc, ASEAN và Liên minh châu Âu (EU).",
            ["UN", "UN", "UN", "ASEAN", "EU", "EU"],
        ),
        (
            "Triều Tiên và Hàn Quốc; Đài Loan; Lào, Campuchia và Thái Lan.",
            ["KP", "KR", "TW", "LA", "KH", "TH"],
        ),
        ("Bộ trưởng Ngoại giao Ý hội đàm với Ngoại trưởng Ấn Độ.", ["IT", "IN"]),
        ("Thượng nghị sĩ Mỹ John McCain gặp ca sĩ Mỹ Tâm.", ["US"]),
    ],
)
def test_partners_in_context(text: str, expected: list[str]) -> None:
    assert codes(text) == expected


def test_washington_is_a_metonym_with_less_weight() -> None:
    [mention] = find_partners(normalize_text("Washington hoan nghênh quyết định này."))
    assert mention.code == "US"
    assert mention.weight < 1.0
    assert codes("Tờ Washington Post đưa tin.") == []


def test_pairs_with_vietnam_are_marked() -> None:
    mentions = find_partners(normalize_text("Quan hệ Việt Nam - Hoa Kỳ và Nhật Bản."))
    assert [(m.code, m.with_vietnam, m.pair_dash) for m in mentions] == [
        ("US", True, True),
        ("JP", False, False),
    ]


def test_vietnam_is_never_a_partner_but_a_marker() -> None:
    partners, vietnam = scan_names(normalize_text("Việt Nam và nước ta; Bộ Ngoại giao Mỹ."))
    assert [m.code for m in partners] == ["US"]
    assert [v.strength for v in vietnam] == [1.0, 1.0]  # "Bộ Ngoại giao Mỹ" is not Vietnam's
    assert "VN" not in PARTNER_NAMES


def test_lookup_partner_ignores_case_and_accents() -> None:
    assert lookup_partner("hoa ky") == "US"
    assert lookup_partner("Liên minh châu Âu") == "EU"
    assert lookup_partner("TRUNG QUỐC") == "CN"
    assert lookup_partner("Việt Nam") is None
    assert lookup_partner("Mỹ Đình") is None


def test_apec_and_wto_are_partners() -> None:
    assert codes("Việt Nam đăng cai APEC và đàm phán gia nhập WTO.") == ["APEC", "WTO"]
    assert lookup_partner("Tổ chức Thương mại Thế giới") == "WTO"


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("Donald Trump", "US"),
        ("Marc E. Knapper", "US"),
        ("Knapper", "US"),
        ("Kofi Annan", "UN"),
        ("ho cam dao", "CN"),
        ("Hun Manet", "KH"),
        ("Nguyễn Văn An", None),
        ("Tô Lâm", None),
    ],
)
def test_leaders_and_envoys_map_to_their_country(name: str, code: str | None) -> None:
    assert leader_code(name) == code


def test_leaders_are_found_by_full_name_or_unambiguous_surname() -> None:
    text = normalize_text("Ông Bush gặp Tổng thống Vladimir Putin; Bushra và Abe không phải.")
    assert [(m.name, m.code) for m in find_leaders(text)] == [
        ("Bush", "US"),
        ("Vladimir Putin", "RU"),
    ]
