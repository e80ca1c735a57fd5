"""Places in Vietnam, and meetings of several countries' officials held there.

A multilateral meeting hosted by Vietnam is Vietnam's foreign relations even when the
sentence names no Vietnamese actor: "Ngoại trưởng các nước ASEAN tề tựu ở Hạ Long",
"Lãnh đạo 21 nền kinh tế APEC họp tại Đà Nẵng". The rules (``analysis.rules``) credit such a
sentence with Vietnam as the host, a multilateral partner and a conference, and only when the
article names Vietnam or a Vietnamese official elsewhere.

Two parts must meet in one sentence: a place in Vietnam after "ở"/"tại" (the provinces,
the cities and the venues where meetings are held; case-sensitive, so "hòa bình" is not the
province of Hòa Bình), and a gathering of officials of several countries (officials "của
các nước", "các ngoại trưởng", officials of ASEAN/APEC/ASEM, a summit or ministerial
meeting). A domestic meeting ("các bộ trưởng trả lời chất vấn tại Hà Nội") has no gathering
of countries; a seminar of scholars from several countries has no officials.
"""

from __future__ import annotations

import re
from typing import Final

from analysis.text import normalize_tones, trie_pattern

__all__ = ["GATHERING_RE", "VN_PLACES", "find_host_places"]

VN_PLACES: Final = frozenset(normalize_tones(p) for p in (
    "Việt Nam", "Hà Nội", "TP Hồ Chí Minh", "TP. Hồ Chí Minh", "TP.Hồ Chí Minh",
    "Thành phố Hồ Chí Minh", "thành phố Hồ Chí Minh", "TP HCM", "TP.HCM", "TP. HCM", "TPHCM",
    "Sài Gòn", "Hải Phòng", "Đà Nẵng", "Cần Thơ", "Huế", "An Giang", "Bà Rịa - Vũng Tàu",
    "Vũng Tàu", "Bắc Giang", "Bắc Kạn", "Bạc Liêu", "Bắc Ninh", "Bến Tre", "Bình Định",
    "Bình Dương", "Bình Phước", "Bình Thuận", "Cà Mau", "Cao Bằng", "Đắk Lắk", "Đắk Nông",
    "Điện Biên", "Đồng Nai", "Đồng Tháp", "Gia Lai", "Hà Giang", "Hà Nam", "Hà Tĩnh",
    "Hải Dương", "Hậu Giang", "Hòa Bình", "Hưng Yên", "Khánh Hòa", "Kiên Giang", "Kon Tum",
    "Lai Châu", "Lâm Đồng", "Lạng Sơn", "Lào Cai", "Long An", "Nam Định", "Nghệ An",
    "Ninh Bình", "Ninh Thuận", "Phú Thọ", "Phú Yên", "Quảng Bình", "Quảng Nam", "Quảng Ngãi",
    "Quảng Ninh", "Quảng Trị", "Sóc Trăng", "Sơn La", "Tây Ninh", "Thái Bình", "Thái Nguyên",
    "Thanh Hóa", "Thừa Thiên Huế", "Thừa Thiên - Huế", "Tiền Giang", "Trà Vinh",
    "Tuyên Quang", "Vĩnh Long", "Vĩnh Phúc", "Yên Bái",
    # cities and venues of international meetings
    "Hạ Long", "Tuần Châu", "Nha Trang", "Cam Ranh", "Hội An", "Phú Quốc", "Đà Lạt",
    "Quy Nhơn", "Phan Thiết", "Vinh", "Buôn Ma Thuột", "Pleiku", "Sa Pa", "Sapa", "Cửa Lò",
    "Côn Đảo", "Móng Cái", "Mỹ Đình", "Trung tâm Hội nghị Quốc gia",
))
# "ở/tại [thành phố|tỉnh|…] <place>", not "Thái Bình Dương", not "Hòa Bình" in a longer name.
_HOST_PLACE = re.compile(
    r"(?<!\w)(?:ở|Ở|tại|Tại)\s+(?:(?:thành phố|TP\.?|tỉnh|thủ đô|Thủ đô|đảo|vịnh|đặc khu)\s+)?"
    rf"(?P<place>{trie_pattern(set(VN_PLACES))})(?![\w-])(?!\s+Dương)"
)

_OFFICIALS = (r"(?:ngoại trưởng|bộ trưởng(?: ngoại giao| kinh tế| thương mại| tài chính| "
              r"quốc phòng)?|thứ trưởng|nguyên thủ|nhà lãnh đạo|lãnh đạo|quan chức(?: cấp cao)?|"
              r"thủ tướng|tổng thống|trưởng đoàn|đại diện|đại sứ|nghị sĩ)")
_SEVERAL = (r"(?:của\s+)?(?:các|nhiều|hơn\s+\d+|\d+|mười|\w+\s+mươi(?:\s+\w+)?)\s+"
            r"(?:nước|quốc gia|nền kinh tế)")
_BLOCS = r"(?:asean|apec|asem|eu|g20|liên minh châu âu|liên hợp quốc|đông nam á|á - âu)"
# On lowercased text (``analysis.lexicon.lower_same_length``).
GATHERING_RE: Final = re.compile(normalize_tones(
    rf"(?<!\w)(?:{_OFFICIALS}\s+{_SEVERAL}|{_OFFICIALS}(?:\s+các nước)?\s+{_BLOCS}|"
    r"(?:các|\d+)\s+(?:ngoại trưởng|bộ trưởng ngoại giao|nguyên thủ)|"
    r"hội nghị (?:thượng đỉnh|cấp cao|bộ trưởng)|thượng đỉnh)(?!\w)"
))


def find_host_places(text: str) -> list[tuple[int, int]]:
    """Spans of "ở/tại <a place in Vietnam>" in ``text`` (``normalize_text`` output)."""
    return [m.span() for m in _HOST_PLACE.finditer(text)]
