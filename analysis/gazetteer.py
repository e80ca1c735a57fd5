"""Partners: countries and organisations, their Vietnamese names and transliterations.

Codes are ISO 3166 alpha-2, or "ASEAN", "APEC", "EU", "UN", "WTO". Vietnam ("VN") is never a
partner.
Names are matched on ``normalize_text`` output, case-sensitively (capitals tell "Pháp" (France)
from "pháp luật", "Nhật" (Japan) from "cập nhật"). Four kinds of names:

- safe: unambiguous (Hoa Kỳ, Trung Quốc, Liên hợp quốc, Campuchia...);
- ambiguous: also a syllable of Vietnamese names and places (Mỹ Đình, Thủ Đức, Lào Cai,
  Tống Văn Nga): rejected next to another capitalised syllable unless an office title
  precedes ("Đại sứ Mỹ Marc Knapper"), after honorifics ("ông Đức"), and in compounds
  ("mỹ phẩm", "thẩm mỹ", "châu Mỹ", "Pháp luật");
- strict: a common word or name first (Anh, Ý, Áo) or short for a longer name (Trung, Hàn,
  Thái, Xô): only after an office title or a country word ("Thủ tướng Anh", "nước Anh",
  "Vương quốc Anh") or in a dash pair ("Việt - Trung", "Nhật - Hàn");
- metonyms: capitals and seats of government (Washington, Bắc Kinh, Nhà Trắng), lower weight.

Names mapped to "" are regions and false friends matched only to be skipped, longest first:
"Mỹ Latinh", "Nam Mỹ", "Ấn Độ Dương", "bán đảo Triều Tiên", "Washington Post".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from analysis.text import fold_accents, normalize_tones, trie_pattern, word_set

__all__ = [
    "PARTNER_NAMES",
    "PartnerMention",
    "VietnamMention",
    "find_partners",
    "lookup_partner",
    "partner_at",
    "scan_names",
]

# code: (display name, safe names, ambiguous names, strict names, metonyms)
_P = tuple[str, tuple[str, ...], tuple[str, ...], tuple[str, ...], tuple[str, ...]]
_PARTNERS: dict[str, _P] = {
    "US": ("Hoa Kỳ", ("Hoa Kỳ", "Hợp chúng quốc Hoa Kỳ", "Hợp chúng quốc Mỹ", "USA"),
           ("Mỹ", "Mĩ"), (), ("Washington", "Nhà Trắng", "Lầu Năm Góc", "Oa-sinh-tơn")),
    "CN": ("Trung Quốc", ("Trung Quốc", "Cộng hòa Nhân dân Trung Hoa", "CHND Trung Hoa", "TQ"),
           (), ("Trung", "Trung Hoa"), ("Bắc Kinh", "Trung Nam Hải")),
    "JP": ("Nhật Bản", ("Nhật Bản",), ("Nhật",), (), ("Tokyo", "Tô-ky-ô")),
    "KR": ("Hàn Quốc", ("Hàn Quốc", "Đại Hàn Dân Quốc", "Nam Triều Tiên"), (), ("Hàn",),
           ("Seoul", "Xơ-un")),
    "KP": ("Triều Tiên", ("Triều Tiên", "CHDCND Triều Tiên", "Bắc Triều Tiên"), (), (),
           ("Bình Nhưỡng",)),
    "RU": ("Nga", ("Liên bang Nga", "LB Nga", "Liên Xô"), ("Nga",), ("Xô",),
           ("Mát-xcơ-va", "Mátxcơva", "Matxcơva", "Moskva", "Moscow", "Điện Kremlin")),
    "IN": ("Ấn Độ", ("Ấn Độ",), (), (), ("New Delhi", "Niu Đê-li")),
    "AU": ("Australia", ("Australia", "Ô-xtrây-li-a", "Ôxtrâylia"), ("Úc",), (), ("Canberra",)),
    "FR": ("Pháp", ("Cộng hòa Pháp",), ("Pháp",), (), ("Điện Élysée", "Điện Elysee")),
    "DE": ("Đức", ("CHLB Đức", "Cộng hòa Liên bang Đức"), ("Đức",), (), ("Berlin",)),
    "GB": ("Vương quốc Anh", ("Vương quốc Anh", "Anh Quốc", "Vương quốc Liên hiệp Anh"), (),
           ("Anh",), ("London", "Luân Đôn", "Phố Downing")),
    "IT": ("Italy", ("Italy", "Italia", "I-ta-li-a"), (), ("Ý",), ("Rome", "Rô-ma")),
    "ES": ("Tây Ban Nha", ("Tây Ban Nha",), (), (), ("Madrid",)),
    "PT": ("Bồ Đào Nha", ("Bồ Đào Nha",), (), (), ()),
    "NL": ("Hà Lan", (), ("Hà Lan",), (), ()),
    "BE": ("Bỉ", (), ("Bỉ",), (), ()),
    "CH": ("Thụy Sĩ", ("Thụy Sĩ",), (), (), ()),
    "AT": ("Áo", (), (), ("Áo",), ("Vienna",)),
    "SE": ("Thụy Điển", ("Thụy Điển",), (), (), ()),
    "NO": ("Na Uy", ("Na Uy",), (), (), ()),
    "FI": ("Phần Lan", ("Phần Lan",), (), (), ()),
    "DK": ("Đan Mạch", ("Đan Mạch",), (), (), ()),
    "IE": ("Ireland", ("Ireland", "Ai-len", "Ailen"), (), (), ()),
    "PL": ("Ba Lan", ("Ba Lan",), (), (), ()),
    "CZ": ("Séc", ("Cộng hòa Séc", "CH Séc", "Czech"), ("Séc",), (), ()),
    "SK": ("Slovakia", ("Slovakia", "Xlô-va-ki-a"), (), (), ()),
    "HU": ("Hungary", ("Hungary", "Hung-ga-ri", "Hungari"), (), (), ()),
    "RO": ("Romania", ("Romania", "Rumani", "Ru-ma-ni"), (), (), ()),
    "BG": ("Bulgaria", ("Bulgaria", "Bun-ga-ri", "Bungari"), (), (), ()),
    "GR": ("Hy Lạp", ("Hy Lạp",), (), (), ()),
    "RS": ("Serbia", ("Serbia", "Xéc-bi-a"), (), (), ()),
    "UA": ("Ukraine", ("Ukraine", "Ucraina", "U-crai-na", "Ukraina"), (), (), ("Kiev", "Kyiv")),
    "BY": ("Belarus", ("Belarus", "Bê-la-rút", "Bêlarút"), (), (), ("Minsk",)),
    "KZ": ("Kazakhstan", ("Kazakhstan", "Ca-dắc-xtan", "Cadắcxtan"), (), (), ()),
    "UZ": ("Uzbekistan", ("Uzbekistan", "U-dơ-bê-ki-xtan"), (), (), ()),
    "AZ": ("Azerbaijan", ("Azerbaijan", "A-déc-bai-gian"), (), (), ()),
    "MN": ("Mông Cổ", ("Mông Cổ",), (), (), ("Ulan Bator",)),
    "LA": ("Lào", ("CHDCND Lào",), ("Lào",), (), ("Viêng Chăn", "Vientiane")),
    "KH": ("Campuchia", ("Campuchia", "Cam-pu-chia", "Căm-pu-chia", "Cambodia"), (), (),
           ("Phnôm Pênh", "Phnom Penh")),
    "TH": ("Thái Lan", ("Thái Lan",), (), ("Thái",), ("Bangkok", "Băng Cốc")),
    "MM": ("Myanmar", ("Myanmar", "Mi-an-ma", "Miến Điện"), (), (), ("Nay Pyi Taw",)),
    "SG": ("Singapore", ("Singapore", "Xin-ga-po", "Xingapo"), (), (), ()),
    "MY": ("Malaysia", ("Malaysia", "Ma-lai-xi-a", "Malaixia"), (), (), ("Kuala Lumpur",)),
    "ID": ("Indonesia", ("Indonesia", "In-đô-nê-xi-a", "Inđônêxia"), (), (), ("Jakarta",)),
    "PH": ("Philippines", ("Philippines", "Philippin", "Phi-líp-pin", "Philíppin"), (), (),
           ("Manila",)),
    "BN": ("Brunei", ("Brunei", "Bru-nây"), (), (), ()),
    "TL": ("Timor-Leste", ("Timor-Leste", "Đông Timor", "Timor Leste"), (), (), ()),
    "CA": ("Canada", ("Canada", "Ca-na-đa"), (), (), ("Ottawa",)),
    "CU": ("Cuba", ("Cuba", "Cu-ba"), (), (), ("La Habana", "Havana")),
    "VE": ("Venezuela", ("Venezuela", "Vê-nê-xu-ê-la"), (), (), ("Caracas",)),
    "BR": ("Brazil", ("Brazil", "Braxin", "Bra-xin"), (), (), ("Brasilia",)),
    "AR": ("Argentina", ("Argentina", "Ác-hen-ti-na", "Áchentina"), (), (), ("Buenos Aires",)),
    "MX": ("Mexico", ("Mexico", "Mê-hi-cô", "Mêhicô"), (), (), ()),
    "CL": ("Chile", ("Chile", "Chi-lê"), (), (), ("Santiago",)),
    "PE": ("Peru", ("Peru", "Pê-ru"), (), (), ()),
    "CO": ("Colombia", ("Colombia", "Cô-lôm-bi-a"), (), (), ()),
    "NI": ("Nicaragua", ("Nicaragua", "Ni-ca-ra-goa"), (), (), ()),
    "ZA": ("Nam Phi", ("Nam Phi",), (), (), ("Pretoria",)),
    "EG": ("Ai Cập", ("Ai Cập",), (), (), ("Cairo",)),
    "DZ": ("Algeria", ("Algeria", "An-giê-ri", "Angiêri"), (), (), ()),
    "MA": ("Ma-rốc", ("Morocco", "Ma-rốc", "Marốc"), (), (), ()),
    "NG": ("Nigeria", ("Nigeria", "Ni-giê-ri-a"), (), (), ()),
    "MZ": ("Mozambique", ("Mozambique", "Mô-dăm-bích"), (), (), ()),
    "AO": ("Angola", ("Angola", "Ăng-gô-la"), (), (), ()),
    "IL": ("Israel", ("Israel", "I-xra-en", "Ixraen"), (), (), ("Tel Aviv",)),
    "PS": ("Palestine", ("Palestine", "Pa-le-xtin", "Palextin"), (), (), ()),
    "IR": ("Iran", ("Iran", "I-ran"), (), (), ("Tehran", "Têhêran")),
    "IQ": ("Iraq", ("Iraq", "I-rắc", "Irắc"), (), (), ("Baghdad",)),
    "SY": ("Syria", ("Syria", "Xy-ri", "Xi-ri"), (), (), ("Damascus",)),
    "SA": ("Saudi Arabia", ("Saudi Arabia", "Arab Saudi", "Ả-rập Xê-út", "Ả Rập Xê Út",
                            "Arập Xêút"), (), (), ("Riyadh",)),
    "AE": ("UAE", ("UAE", "Các Tiểu vương quốc Ả-rập Thống nhất",
                   "Các Tiểu vương quốc Arab Thống nhất"), (), (), ("Abu Dhabi", "Dubai")),
    "QA": ("Qatar", ("Qatar", "Ca-ta"), (), (), ("Doha",)),
    "KW": ("Kuwait", ("Kuwait", "Cô-oét", "Côoét"), (), (), ()),
    "TR": ("Thổ Nhĩ Kỳ", ("Thổ Nhĩ Kỳ", "Türkiye"), (), (), ("Ankara",)),
    "PK": ("Pakistan", ("Pakistan", "Pa-ki-xtan"), (), (), ("Islamabad",)),
    "BD": ("Bangladesh", ("Bangladesh", "Băng-la-đét"), (), (), ("Dhaka",)),
    "LK": ("Sri Lanka", ("Sri Lanka", "Xri Lan-ca"), (), (), ()),
    "NZ": ("New Zealand", ("New Zealand", "Niu Di-lân", "Niu Dilân"), (), (), ("Wellington",)),
    "TW": ("Đài Loan", ("Đài Loan",), (), (), ("Đài Bắc",)),
    "VA": ("Tòa Thánh Vatican", ("Tòa Thánh Vatican", "Vatican"), (), (), ()),
    "ASEAN": ("ASEAN", ("ASEAN", "Hiệp hội các quốc gia Đông Nam Á"), (), (), ()),
    "EU": ("Liên minh châu Âu", ("Liên minh châu Âu", "Liên minh Châu Âu", "Liên hiệp châu Âu",
                                 "Ủy ban châu Âu", "Nghị viện châu Âu", "EU"), (), (), ()),
    "APEC": ("APEC", ("APEC", "Diễn đàn Hợp tác Kinh tế châu Á - Thái Bình Dương"), (), (), ()),
    "WTO": ("WTO", ("WTO", "Tổ chức Thương mại Thế giới"), (), (), ()),
    "UN": ("Liên hợp quốc", ("Liên hợp quốc", "Liên Hợp Quốc", "Liên Hợp quốc",
                             "Liên hiệp quốc", "Liên Hiệp Quốc", "LHQ", "UN"), (), (), ()),
}

# Matched only to be skipped: regions, oceans, newspapers, Vietnamese places.
_SKIP = (
    "Mỹ Latinh", "Mỹ La-tinh", "Mỹ latinh", "Nam Mỹ", "Bắc Mỹ", "Trung Mỹ", "châu Mỹ", "Châu Mỹ",
    "Ấn Độ Dương", "bán đảo Triều Tiên", "Bán đảo Triều Tiên", "Washington Post",
    "Washington Times", "George Washington", "Đại học Washington", "Trung Đông", "Trung Á",
    "Thái Bình Dương", "Thái Bình", "Thái Nguyên", "Nhật Tân", "Lào Cai",
    "Đông Nam Á", "Trung ương", "Trung tâm", "Trung tướng", "Trung úy", "Trung tá", "Trung Bộ",
    "Trung Thu", "Trung Hoa Dân Quốc", "Tòa Thánh Tây Ninh", "VN-Index", "VN30",
    # Vietnam as a war, not an actor.
    "chiến tranh Việt Nam", "Chiến tranh Việt Nam", "Hội chứng Việt Nam", "hội chứng Việt Nam",
    "cuộc chiến tại Việt Nam", "cuộc chiến ở Việt Nam", "cuộc chiến Việt Nam",
)
# Vietnam as an actor, with a strength: the name, "nước ta", the seats of power...
# "Bộ Ngoại giao" alone is Vietnam's ministry ("Bộ Ngoại giao Mỹ" is checked for).
_VIETNAM: dict[str, float] = {
    **dict.fromkeys((
        "Việt Nam", "VN", "nước ta", "phía ta", "Nhà nước ta", "Đại sứ quán Việt Nam",
        "Đảng Cộng sản Việt Nam", "Trụ sở Trung ương Đảng", "Phủ Chủ tịch", "Nhà Quốc hội",
        "Trụ sở Chính phủ", "Nhà khách Chính phủ", "Cộng hòa Xã hội chủ nghĩa Việt Nam",
    ), 1.0),
    "Bộ Ngoại giao": 0.8, "Người phát ngôn Bộ Ngoại giao": 1.0,
    **dict.fromkeys(("Hà Nội", "người Việt", "kiều bào", "Việt kiều"), 0.4),
}

ORG_CODES = frozenset({"ASEAN", "APEC", "EU", "UN", "WTO"})
PARTNER_NAMES: dict[str, str] = {code: entry[0] for code, entry in _PARTNERS.items()}

_SAFE, _AMBIGUOUS, _STRICT, _METONYM, _SKIPPED, _VN = range(6)
_ALIASES: dict[str, tuple[str, int]] = {}
for _code, (_display, _safe, _amb, _strict, _meto) in _PARTNERS.items():
    for _kind, _names in ((_SAFE, _safe), (_AMBIGUOUS, _amb), (_STRICT, _strict),
                          (_METONYM, _meto)):
        for _name in _names:
            _ALIASES[normalize_tones(_name)] = (_code, _kind)
for _name in _SKIP:
    _ALIASES[normalize_tones(_name)] = ("", _SKIPPED)
# Marks of Vietnam that are not its state: the country's name, its people.
_PEOPLE_WORDS = frozenset(normalize_tones(w) for w in (
    "Việt Nam", "VN", "nước ta", "phía ta", "Hà Nội", "người Việt", "kiều bào", "Việt kiều",
))
for _name in _VIETNAM:
    _ALIASES[normalize_tones(_name)] = ("VN", _VN)

_FOLDED = {fold_accents(name): code for name, (code, kind) in _ALIASES.items()
           if kind in (_SAFE, _AMBIGUOUS, _STRICT) and code != "VN" and code}
# No look-behind: the word-start check is done on each match (twice as fast a scan).
_ALIAS_RE = re.compile(trie_pattern(_ALIASES) + r"(?!\w)")

# An office or institution before the name: "Đại sứ Mỹ Marc Knapper", "Chính phủ Anh".
_TITLE_BEFORE = re.compile(normalize_tones(
    r"(?:Thủ tướng|Tổng thống|Đại sứ|Đại sứ quán|Ngoại trưởng|Bộ trưởng(?: [\w ]{1,30})?|"
    r"Thứ trưởng(?: [\w ]{1,30})?|Chủ tịch(?: nước)?|Quốc vương|Nhà vua|Vua|Nữ hoàng|"
    r"Hoàng gia|Hoàng tử|Thái tử|Công chúa|Chính phủ|Nội các|Bộ Ngoại giao|Quốc hội|"
    r"Nghị viện|Hạ viện|Thượng viện|Lãnh sự quán|Tổng Lãnh sự(?: quán)?|Đại biện|"
    r"Nhà nước|Vương quốc|Cộng hòa|Liên bang|Quân đội|quân đội|Hải quân|Không quân|"
    r"Lục quân|Bộ Quốc phòng|Bộ Thương mại|Bộ Tài chính|Tổng Bí thư|Đảng|Phó Tổng thống|"
    r"Thủ hiến|Thị trưởng|Đại sứ đặc mệnh toàn quyền|Đặc phái viên|Người phát ngôn|"
    r"Cố vấn|Tư lệnh|Đô đốc|Nghị sĩ|Thượng nghị sĩ|Hạ nghị sĩ|đoàn|Đoàn|phái đoàn|"
    r"Phái đoàn|Tòa án|Ngân hàng Trung ương|Cục Dự trữ Liên bang)\s+$"))
# A country word or preposition before: accepted when no capitalised syllable follows.
_COUNTRY_WORD_BEFORE = re.compile(normalize_tones(
    r"(?:^|[\s(\"“'‘,;:])(?:nước|Nước|phía|Phía|người|Người|tại|Tại|ở|Ở|sang|Sang|tới|Tới|"
    r"đến|thăm|với|Với|và|của|giữa|Giữa|cùng|từ|Từ|bởi|cho|là|doanh nghiệp|nhà đầu tư|"
    r"công dân|du khách|hàng|thị trường|chính quyền|giới chức|quan chức|lãnh đạo|dân|"
    r"quân|tàu|hai nước|nền kinh tế|các)\s+$"))
_DASH_BEFORE = re.compile(r"[^\W\d_]\w*\s*[-–—]\s*$")
_DASH_AFTER = re.compile(r"^\s*[-–—]\s*[^\W\d_]")
_WORD_BEFORE = re.compile(r"([^\W\d_]\w*)\s+$")
_WORD_AFTER = re.compile(r"^\s+([^\W\d_][\w-]*)")
_DASH = re.compile(r"[-–—]")
_VN_BEFORE = re.compile(normalize_tones(r"(?:Việt Nam|Việt|VN)\s*(?:[-–—]|và|với)\s*$"))
_VN_AFTER = re.compile(normalize_tones(r"^\s*(?:[-–—]|và|với)\s*(?:Việt Nam|Việt|VN)\b"))

_HONORIFICS = word_set(
    "ông bà anh chị em cô chú bác cháu cụ bé chàng nàng cậu thầy con vợ chồng mẹ bố cha tên hắn "
    "lão sĩ viên hậu thủ vợt sinh Ông Bà Anh Chị Em Cô Chú Bác Cụ Bé Cháu"
)
# Capitalised words that may stand before a country without being part of a name.
_FUNCTION_CAPS = word_set(
    "Tại Ở Với Theo Từ Sang Tới Đến Và Của Cùng Giữa Trong Về Nước Phía Người Khi Nhưng Còn "
    "Nếu Hai Các Những Cả Cho Như Đối Riêng Trước Sau Tuy Dù Vì Do Bởi Tháng Năm Ngày Hôm "
    "Sáng Chiều Tối Trưa Đêm Hiện Là Chính Ngoài Chỉ Thậm Ngay Cũng Đó Này Ảnh"
)
# Compounds by alias: syllable after / syllable before that make it a common word or place.
_NOT_AFTER: dict[str, frozenset[str]] = {
    normalize_tones(k): word_set(v) for k, v in {
        "Mỹ": "phẩm thuật nghệ nhân mãn học quan vị cảm miều kim viện dung nữ tửu từ ý",
        "Mĩ": "phẩm thuật nghệ nhân mãn học quan vị cảm miều kim viện dung nữ",
        "Pháp": "luật lý nhân lệnh chế sư danh trị quyền điển y môn bảo thuật",
        "Nhật": "ký thực trình kỳ dụng lệnh tụng quang thường báo",
        "Đức": "tin độ tính hạnh dục trị vọng",
        "Nga": "ngũ",
        "Séc": "du",
        "Bỉ": "ổi",
        "Washington": "DC D.C",
    }.items()
}
_NOT_BEFORE: dict[str, frozenset[str]] = {
    normalize_tones(k): word_set(v) for k, v in {
        "Mỹ": "thẩm hoàn tuyệt châu tráng diễm hoa ưu xú tiếng",
        "Mĩ": "thẩm hoàn tuyệt châu tráng diễm hoa",
        "Pháp": "tiếng phật luật",
        "Nhật": "cập chủ sinh tiếng",
        "Đức": "đạo phúc nhân công tiếng tài",
        "Anh": "tiếng",
        "Nga": "tiếng",
        "Trung": "tiếng",
    }.items()
}

WEIGHTS = {_SAFE: 1.0, _AMBIGUOUS: 1.0, _STRICT: 1.0, _METONYM: 0.6}
ORG_WEIGHT = 0.8


@dataclass(frozen=True, slots=True)
class PartnerMention:
    start: int
    end: int
    code: str
    surface: str
    weight: float
    with_vietnam: bool  # in a pair with Vietnam: "Việt Nam - Hoa Kỳ", "Việt - Mỹ", "VN và Nhật"
    pair_dash: bool = False  # the pair is written with a dash ("Việt - Mỹ"), not "và"/"với"


def lookup_partner(name: str) -> str | None:
    """Partner code of a name, any case or accents (``"hoa ky"`` → ``"US"``), else None."""
    return _FOLDED.get(fold_accents(" ".join(name.split())))


@dataclass(frozen=True, slots=True)
class VietnamMention:
    start: int
    end: int
    strength: float  # 1: "Việt Nam"; 0.8: "Bộ Ngoại giao"; 0.4: "Hà Nội", "kiều bào"
    official: bool  # an organ or seat of the state ("Bộ Ngoại giao", "Phủ Chủ tịch")


def scan_names(text: str) -> tuple[list[PartnerMention], list[VietnamMention]]:
    """Partner names (ambiguous ones in context) and marks of Vietnam, in one pass over
    ``text`` (``normalize_text`` output)."""
    partners: list[PartnerMention] = []
    vietnam: list[VietnamMention] = []
    for m in _ALIAS_RE.finditer(text):
        surface = m.group(0)
        code, kind = _ALIASES[surface]
        start, end = m.span()
        if not code or (start and text[start - 1].isalnum()):
            continue
        if kind == _VN:
            official = surface not in _PEOPLE_WORDS
            if official and partner_at(text, end) is not None:
                continue  # "Người phát ngôn Bộ Ngoại giao Trung Quốc" is not Vietnam's
            vietnam.append(VietnamMention(start, end, _VIETNAM[surface], official))
            continue
        before = text[max(0, start - 48):start]
        after = text[end:end + 24]
        if kind in (_AMBIGUOUS, _STRICT, _METONYM) and not _accept(surface, kind, before, after):
            continue
        weight = ORG_WEIGHT if code in ORG_CODES else WEIGHTS[kind]
        pair = _VN_BEFORE.search(before[-16:]) or _VN_AFTER.match(after)
        dash = pair is not None and bool(_DASH.search(pair.group(0)))
        partners.append(PartnerMention(start, end, code, surface, weight, pair is not None, dash))
    return partners, vietnam


def find_partners(text: str) -> list[PartnerMention]:
    """Partner names in ``text`` (``normalize_text`` output), ambiguous ones in context."""
    return scan_names(text)[0]


def _accept(surface: str, kind: int, before: str, after: str) -> bool:
    prev_m = _WORD_BEFORE.search(before)
    prev = prev_m.group(1) if prev_m else ""
    next_m = _WORD_AFTER.match(after)
    nxt = next_m.group(1) if next_m else ""
    if nxt.lower() in _NOT_AFTER.get(surface, ()) or prev.lower() in _NOT_BEFORE.get(surface, ()):
        return False
    if _TITLE_BEFORE.search(before):  # "Thượng nghị sĩ Mỹ", before "ca sĩ Mỹ Tâm" below
        return True
    if prev in _HONORIFICS and kind != _METONYM:
        return False
    next_capital = bool(nxt) and nxt[0].isupper()
    prev_capital = bool(prev) and prev[0].isupper() and prev not in _FUNCTION_CAPS
    if kind == _STRICT:
        if _DASH_BEFORE.search(before) or _DASH_AFTER.match(after):
            return True
        return bool(_COUNTRY_WORD_BEFORE.search(before)) and not next_capital
    if kind == _METONYM:
        return not prev_capital
    return not (prev_capital or next_capital)


_LEADING_SPACE = re.compile(r"\s+")


def partner_at(text: str, pos: int) -> tuple[int, str, str] | None:
    """A partner name starting at ``pos`` (after spaces), as ``(end, code, surface)``.

    Used right after an office title ("Đại sứ Hoa Kỳ", "Thủ tướng Anh"), where even the
    ambiguous and strict names are taken."""
    space = _LEADING_SPACE.match(text, pos)
    if space is None:
        return None
    m = _ALIAS_RE.match(text, space.end())
    if m is None or text[m.start() - 1].isalnum():
        return None
    code, kind = _ALIASES[m.group(0)]
    if not code or kind == _VN:
        return None
    nxt = _WORD_AFTER.match(text[m.end():m.end() + 24])
    if nxt and nxt.group(1).lower() in _NOT_AFTER.get(m.group(0), ()):
        return None
    return m.end(), code, m.group(0)
