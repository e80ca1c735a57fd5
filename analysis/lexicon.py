"""Word lists: office titles, diplomatic events and relations, fields of cooperation, and the
vocabulary of domains that mention foreign countries without being diplomacy.

Each list is compiled once into a ``Lexicon``: one regular expression whose matches tell
their entry. Patterns are written in the tone placement of
``analysis.text.normalize_tones`` and pass through it anyway when compiled. Events, topics
and noise match lowercased text (``lower_same_length``): case-insensitive matching in ``re``
is several times slower; the few words whose case matters are in ``CASED``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Final

from analysis.text import normalize_tones, trie_pattern, word_set
from records import EventKind

__all__ = [
    "CASED",
    "CUES",
    "EVENTS",
    "FIRST_NOISE",
    "FIRST_TOPIC",
    "NOISE_NAMES",
    "TITLE_RE",
    "TOPICS",
    "TOPIC_NAMES",
    "VN_ONLY_TITLES",
    "VN_SURNAMES",
    "lower_same_length",
]

def _compile_part(pattern: str) -> str:
    """A pattern for lowercased text (see ``lower_same_length``), tones normalised."""
    if re.search(r"\\[SWDB]", pattern):
        raise ValueError(f"uppercase escape in a pattern for lowercased text: {pattern!r}")
    return normalize_tones(pattern).lower().replace("(?p<", "(?P<")


_GROUP = re.compile(r"\(\?:([^()]*)\)(\??)")
_PLAIN = re.compile(r"[^()\[\]\\?*+.{}^$|]*")


def _top_level_split(pattern: str) -> list[str]:
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(pattern):
        depth += (ch == "(") - (ch == ")")
        if ch == "|" and depth == 0:
            parts.append(pattern[start:i])
            start = i + 1
    return [*parts, pattern[start:]]


def _expand(pattern: str) -> list[str] | None:
    """The phrases of a pattern made of words, "|" and un-nested ``(?:a|b)`` groups
    (optionally "?"), or None when it uses any other regex syntax."""
    phrases = []
    for alternative in _top_level_split(pattern):
        variants, pos = [""], 0
        for m in _GROUP.finditer(alternative):
            text = alternative[pos:m.start()]
            choices = m.group(1).split("|") + ([""] if m.group(2) else [])
            if not _PLAIN.fullmatch(text) or not all(_PLAIN.fullmatch(c) for c in choices):
                return None
            variants = [v + text + c for v in variants for c in choices]
            pos = m.end()
        if not _PLAIN.fullmatch(alternative[pos:]):
            return None
        phrases += [" ".join((v + alternative[pos:]).split()) for v in variants]
    return phrases


@dataclass(frozen=True, slots=True)
class Lexicon:
    """Entries compiled into one regex over lowercased text: the literal phrases of all
    entries as one trie (fast), then the entries that need real regex syntax."""

    regex: re.Pattern[str]
    literals: dict[str, int]  # phrase -> entry index

    @classmethod
    def build(cls, patterns: list[str]) -> Lexicon:
        literals: dict[str, int] = {}
        regex_parts = []
        for i, pattern in enumerate(patterns):
            source = _compile_part(pattern)
            phrases = _expand(source)
            if phrases is None:
                regex_parts.append(f"(?P<e{i}>{source})")
            else:
                for phrase in phrases:
                    literals.setdefault(phrase, i)
        body = "|".join([f"(?P<lit>{trie_pattern(literals)})", *regex_parts])
        return cls(re.compile(rf"(?<!\w)(?:{body})(?!\w)"), literals)

    def scan(self, low: str) -> Iterator[tuple[int, re.Match[str]]]:
        """(entry index, match) over ``low``, a ``lower_same_length`` text."""
        for m in self.regex.finditer(low):
            group = m.lastgroup
            if group == "lit":
                yield self.literals[m.group(0)], m
            elif group is not None:
                yield int(group[1:]), m


def lower_same_length(text: str) -> str:
    """``text.lower()``, index for index (a few characters lowercase to two)."""
    low = text.lower()
    if len(low) == len(text):
        return low
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


# Lowercased matches that must have this form in the original text ("AI", not "ai" = who).
CASED: Final = {"ai": "AI"}


# --- office titles -------------------------------------------------------------------------
MINISTRIES: Final = (
    "Ngoại giao", "Quốc phòng", "Công an", "Công Thương", "Công thương", "Tài chính",
    "Kế hoạch và Đầu tư", "Tư pháp", "Nội vụ", "Giáo dục và Đào tạo", "Y tế",
    "Khoa học và Công nghệ", "Thông tin và Truyền thông", "Giao thông vận tải", "Xây dựng",
    "Tài nguyên và Môi trường", "Nông nghiệp và Phát triển nông thôn", "Nông nghiệp và Môi trường",
    "Lao động - Thương binh và Xã hội", "Lao động, Thương binh và Xã hội",
    "Văn hóa, Thể thao và Du lịch", "Văn hóa - Thể thao và Du lịch", "Dân tộc và Tôn giáo",
    "Thương mại", "Năng lượng", "Ngân khố", "An ninh Nội địa", "Nội an", "Lục quân", "Hải quân",
    "Không quân", "Chiến tranh", "Kinh tế", "Ngoại thương", "Công nghiệp", "Nông nghiệp",
    "Giáo dục", "Môi trường", "Du lịch", "Văn hóa", "Thương mại và Công nghiệp", "Tư pháp",
    "Kinh tế, Thương mại và Công nghiệp", "Đối ngoại", "Giao thông", "Y tế và Phúc lợi",
)
# Titles that, without a country, name a Vietnamese office in Vietnamese news.
VN_ONLY_TITLES: Final = frozenset(normalize_tones(t).lower() for t in (
    "Tổng Bí thư", "Chủ tịch nước", "Phó Chủ tịch nước", "Thủ tướng Chính phủ",
    "Phó Thủ tướng Chính phủ", "Phó Thủ tướng", "Phó Thủ tướng Thường trực",
    "Chủ tịch Quốc hội", "Phó Chủ tịch Quốc hội", "Thường trực Ban Bí thư",
    "Bí thư Trung ương Đảng", "Ủy viên Bộ Chính trị", "Trưởng Ban Đối ngoại Trung ương",
    "Người phát ngôn Bộ Ngoại giao", "Phát ngôn viên Bộ Ngoại giao", "Thủ tướng",
    "Chủ nhiệm Ủy ban Đối ngoại của Quốc hội", "Chủ nhiệm Ủy ban Đối ngoại",
    "Đại tướng", "Thượng tướng", "Thống đốc Ngân hàng Nhà nước", "Chủ nhiệm Văn phòng Chính phủ",
))
_TITLES: Final = (
    *VN_ONLY_TITLES, "Chủ tịch", "Phó Chủ tịch", "Bộ trưởng", "Thứ trưởng",
    "Thứ trưởng Thường trực", "Đại sứ", "Đại sứ đặc mệnh toàn quyền", "Tổng Lãnh sự",
    "Đại biện", "Tổng thống", "Phó Tổng thống", "Ngoại trưởng", "Quốc vương", "Nhà vua",
    "Nữ hoàng", "Thái tử", "Hoàng tử", "Công chúa", "Tổng Thư ký", "Phó Tổng Thư ký",
    "Thượng nghị sĩ", "Hạ nghị sĩ", "Nghị sĩ", "Chủ tịch Hạ viện", "Chủ tịch Thượng viện",
    "Thủ hiến", "Thị trưởng", "Đặc phái viên", "Cố vấn An ninh Quốc gia", "Đô đốc", "Tư lệnh",
    "Trợ lý Ngoại trưởng", "Phó Trợ lý Ngoại trưởng", "Thủ tướng Quốc vụ viện",
    "Chủ tịch UBND", "Bí thư Thành ủy", "Bí thư Tỉnh ủy", "Trung tướng", "Thiếu tướng",
    "Chánh án", "Tổng Giám đốc", "Giám đốc", "Trưởng Ban", "Đại sứ lưu động", "Điều phối viên",
    "Cựu Tổng thống", "Cựu Thủ tướng", "Cựu Ngoại trưởng", "Nguyên Thủ tướng",
    "Đại diện Thương mại", "Tổng Giám đốc điều hành", "Chủ tịch Ủy ban châu Âu",
    # diplomats below the ambassador: "Tùy viên văn hóa Đại sứ quán Hàn Quốc"
    "Tùy viên", "Tùy viên quân sự", "Tùy viên báo chí", "Tham tán", "Tham tán công sứ",
    "Công sứ", "Bí thư thứ nhất",
)
_TITLE_ONE = trie_pattern({normalize_tones(t).lower() for t in _TITLES})
_MINISTRY = r"(?:\s+bộ)?\s+" + trie_pattern({normalize_tones(m).lower() for m in MINISTRIES})
# A chain of titles: "Ủy viên Bộ Chính trị, Phó Thủ tướng, Bộ trưởng Ngoại giao". Matched on
# lowercased text (so "Tổng bí thư" too).
TITLE_RE: Final = re.compile(
    rf"(?<!\w){_TITLE_ONE}(?:{_MINISTRY}(?!\w))?"
    rf"(?:\s*,\s*{_TITLE_ONE}(?:{_MINISTRY}(?!\w))?)*(?!\w)"
)

VN_SURNAMES: Final = word_set(
    "Nguyễn Trần Lê Phạm Hoàng Huỳnh Phan Vũ Võ Đặng Bùi Đỗ Hồ Ngô Dương Lý Tô Trương Đinh "
    "Lương Mai Lâm Hà Đào Cao Chu Tạ Thái Kiều Quách Đoàn Vương Triệu Tống Lưu Lại Khổng Đàm "
    "Hứa Giang Châu La Thân Trịnh Nông Mạc Hầu Phùng Doãn Từ Cù Lò Văn Âu Diệp Ông Quan Tăng "
    "Đồng Nghiêm Phương Ninh Mẫn Lục Giáp Kim Tôn Thạch Lã Bế Hoa Lăng Ma Y Ksor Nay Rơ "
    "Danh Sơn Viên Ưng Khúc Trang Khương Chế Lam Bạch Phí Tiêu Vi Lộc Tráng Sầm Hàn"
)

# --- events and relations ------------------------------------------------------------------
_PERSON_NEXT = (
    r"(?=\s+(?:Đại sứ|Bộ trưởng|Ngoại trưởng|Thủ tướng|Tổng thống|Chủ tịch|Phó|Thứ trưởng|"
    r"Quốc vương|Nhà vua|Thái tử|Hoàng|Công chúa|Thượng nghị sĩ|Hạ nghị sĩ|Nghị sĩ|"
    r"Đặc phái viên|Tổng Thư ký|Trợ lý|Cố vấn|Tổng Giám đốc|Chủ nhiệm|Trưởng|Đô đốc|"
    r"Tư lệnh|Đại biện|Tổng Lãnh sự|Thống đốc|Chánh án|Nguyên|cựu|đoàn|phái đoàn|lãnh đạo|"
    r"Ngài|ông|bà|Tổng|Bí thư|Ủy viên|các Đại sứ|các Trưởng|Đoàn đại biểu|Thị trưởng|"
    r"Thủ hiến|Tướng|Bộ Trưởng|Hoàng tử|Nữ hoàng)(?!\w))"
)
# (kind or None for a relation, strength, pattern). Case-insensitive.
EVENTS: Final[tuple[tuple[EventKind | None, float, str], ...]] = (
    ("reception", 1.0, r"(?:tiếp|đón tiếp|tiếp đón|tiếp xã giao)" + _PERSON_NEXT),
    ("reception", 1.0, r"hội kiến|tiếp kiến|chào xã giao|tiếp xã giao|chào từ biệt|"
                       r"chào kết thúc nhiệm kỳ|trình quốc thư|nhận quốc thư|trình thư ủy nhiệm"),
    ("reception", 0.9, r"(?:cuộc|buổi) tiếp(?! (?:tục|xúc|nhận|cận|theo|thu))|"
                       r"tiếp và (?:nói chuyện|làm việc|hội đàm|trao đổi|chúc mừng)"),
    ("call", 1.0, r"điện đàm|hội đàm trực tuyến|hội đàm qua (?:điện thoại|video)"),
    ("call", 0.6, r"gọi điện (?:cho|với)|điện thoại (?:cho|với)|cuộc gọi điện|"
                  r"(?:cuộc )?(?:nói chuyện|trao đổi) qua điện thoại"),
    ("visit", 1.0, r"thăm chính thức|thăm cấp nhà nước|thăm làm việc|thăm hữu nghị|"
                   r"thăm và làm việc|thăm song phương|lễ đón chính thức"),
    ("visit", 0.85, r"chuyến thăm|chuyến công du|công du|(?:sang|đến|tới|lên đường) thăm|"
                    r"đón chính thức"),
    ("visit", 0.6, r"chuyến công tác|đoàn đại biểu cấp cao"),
    ("visit", 0.7, r"thăm(?=\s+(?P<cap>\w))"),
    ("talks", 1.0, r"hội đàm|tham vấn chính trị|gặp song phương|"
                   r"tiếp xúc song phương|gặp gỡ song phương"),
    ("talks", 0.8, r"đối thoại (?:chiến lược|chính sách|an ninh|quốc phòng|nhân quyền|"
                   r"chính trị|cấp)|đàm phán"),
    ("talks", 0.6, r"(?:gặp|gặp gỡ|làm việc với|tiếp xúc với|trao đổi với|hội ngộ)" + _PERSON_NEXT),
    ("talks", 0.5, r"cuộc gặp|bên lề"),
    ("conference", 0.9, r"hội nghị (?:cấp cao|thượng đỉnh|bộ trưởng|quốc tế|toàn cầu)|"
                        r"đại hội đồng liên hợp quốc|đại hội đồng liên hiệp quốc|"
                        r"hội đồng bảo an|thượng đỉnh|hội nghị (?:giữa kỳ )?(?:nhóm tư vấn|"
                        r"các nhà tài trợ)|hội nghị giữa kỳ"),
    ("conference", 0.7, r"(?:tham dự|dự|chủ trì|đồng chủ trì|phát biểu tại) "
                        r"(?:hội nghị|diễn đàn|phiên)|APEC|G20|G7|BRICS|"
                        r"kỳ họp (?:lần thứ \w+ )?(?:của )?ủy ban liên chính phủ"),
    ("conference", 0.35, r"hội nghị|diễn đàn"),
    ("agreement", 1.0, r"(?:ký|ký kết|trao|trao đổi) (?:các |nhiều |hai )?(?:văn kiện|hiệp định|"
                       r"thỏa thuận|bản ghi nhớ|biên bản ghi nhớ|MOU|tuyên bố chung|hiệp ước|"
                       r"kế hoạch hành động|công hàm|nghị định thư)|lễ ký|"
                       r"(?:ra|thông qua) tuyên bố chung"),
    ("agreement", 0.8, r"ký kết|tuyên bố chung|nâng cấp quan hệ|"
                       r"thiết lập (?:khuôn khổ )?quan hệ đối tác"),
    ("agreement", 0.4, r"hiệp định|bản ghi nhớ|thỏa thuận"),
    ("statement", 1.0, r"người phát ngôn bộ ngoại giao|phát ngôn viên bộ ngoại giao|"
                       r"họp báo (?:thường kỳ )?(?:của )?bộ ngoại giao|công hàm phản đối"),
    ("statement", 0.8, r"(?:kiên quyết|cực lực) phản đối|họp báo thường kỳ|"
                       r"khẳng định chủ quyền"),
    # an apology addressed to Vietnam ("xin lỗi người dân Việt Nam"); to anyone else, weak
    ("statement", 0.8, r"xin lỗi (?:việt nam|vn)|xin lỗi (?:nhân dân|người dân|chính phủ|phía|"
                       r"cộng đồng|độc giả|công dân|cô dâu|phụ nữ|lao động) (?:việt nam|vn)"),
    ("statement", 0.4, r"phản đối|lên án|bác bỏ|tuyên bố|trả lời (?:câu hỏi của )?phóng viên|"
                       r"xin lỗi|lấy làm tiếc"),
    ("other", 0.8, r"kỷ niệm \d+ năm (?:ngày )?thiết lập quan hệ ngoại giao|"
                   r"điện (?:mừng|chúc mừng|chia buồn|thăm hỏi)|thư (?:mừng|chúc mừng|chia buồn)"),
    ("other", 0.6, r"thiết lập quan hệ ngoại giao|chúc mừng quốc khánh|bổ nhiệm đại sứ"),
    ("talks", 0.7, r"ủy ban hỗn hợp|ủy ban liên chính phủ"),
    ("other", 0.45, r"viện trợ|ODA|vốn vay ưu đãi"),
    (None, 0.8, r"quan hệ (?:hai nước|song phương|ngoại giao|hữu nghị|đối tác|giữa hai nước|"
                r"Việt)|đối tác chiến lược|đối tác toàn diện|hợp tác song phương"),
    (None, 0.6, r"quan hệ (?:hợp tác|kinh tế|chính trị)"),
    (None, 0.5, r"hai nước|hai bên|song phương|ngoại giao|đối ngoại|hai nhà lãnh đạo"),
    (None, 0.3, r"hợp tác|quan hệ|đại sứ quán|tổng lãnh sự quán"),
)


# --- fields of cooperation -----------------------------------------------------------------
TOPICS: Final[dict[str, str]] = {
    "economy-trade-investment": r"kinh tế|thương mại|đầu tư|xuất khẩu|nhập khẩu|FTA|"
                                r"hiệp định thương mại|chuỗi cung ứng|kinh tế thị trường|thuế quan",
    "defence-security": r"quốc phòng|an ninh|quân sự|hải quân|tàu chiến|gìn giữ hòa bình|"
                        r"chống khủng bố",
    "science-technology": r"khoa học|công nghệ|đổi mới sáng tạo",
    "semiconductors": r"bán dẫn|vi mạch|chip",
    "ai": r"trí tuệ nhân tạo|AI",
    "energy": r"năng lượng|điện hạt nhân|LNG|dầu khí|điện gió|điện mặt trời",
    "digital-transformation": r"chuyển đổi số|kinh tế số|chính phủ số|an ninh mạng|số hóa",
    "education": r"giáo dục|đào tạo|du học|học bổng|Fulbright|trường đại học",
    "health": r"y tế|COVID|vắc xin|vaccine|dịch bệnh|bệnh viện|HIV",
    "climate": r"biến đổi khí hậu|khí hậu|chuyển đổi xanh|phát thải|tăng trưởng xanh|JETP",
    "war-legacy": r"hậu quả chiến tranh|chất độc da cam|dioxin|bom mìn|vật liệu nổ|"
                  r"quân nhân mất tích|MIA|hài cốt|cựu chiến binh",
    "south-china-sea": r"Biển Đông|Hoàng Sa|Trường Sa|COC|UNCLOS|tự do hàng hải|"
                       r"Công ước Luật biển",
    "culture-people-to-people": r"văn hóa|giao lưu nhân dân|nhân dân hai nước|du lịch|"
                                r"người dân hai nước|kiều bào|cộng đồng người Việt",
    "mekong": r"Mekong|Mê Kông|Mê-kông",
    "agriculture": r"nông nghiệp|nông sản|thủy sản",
    "labour-migration": r"lao động Việt Nam|xuất khẩu lao động|người lao động Việt Nam|thị thực",
    "law-enforcement": r"phòng, chống tội phạm|phòng chống tội phạm|ma túy|buôn người|"
                       r"tương trợ tư pháp|dẫn độ",
}

TOPIC_NAMES: Final = tuple(TOPICS)

# --- domains that mention foreign countries without being diplomacy ------------------------
NOISE: Final[dict[str, str]] = {
    "sport": r"bóng đá|đội tuyển|cầu thủ|HLV|huấn luyện viên|trận đấu|bàn thắng|ghi bàn|"
             r"thủ môn|tiền đạo|tiền vệ|hậu vệ|vòng loại|V-League|SEA Games|AFF Cup|World Cup|"
             r"Olympic|ASIAD|giải vô địch|tay vợt|quần vợt|bóng chuyền|bóng rổ|vận động viên|VĐV|"
             r"huy chương|HCV|tỷ số|sân cỏ|câu lạc bộ|CLB|Premier League|Champions League|"
             r"võ sĩ|kỳ thủ|cờ vua|đua xe|điền kinh|hiệp một|hiệp hai|vô địch|chung kết|"
             r"bán kết|tứ kết|trọng tài|sân vận động|FIFA|AFC",
    "markets": r"chứng khoán|cổ phiếu|VN-Index|Dow Jones|S&P 500|Nasdaq|lãi suất|Fed|"
               r"Cục Dự trữ Liên bang|tỷ giá|giá vàng|trái phiếu|giá dầu|thanh khoản|"
               r"vốn hóa|niêm yết|đồng bạc xanh|lạm phát|phố Wall",
    "business": r"công ty|tập đoàn|CTCP|cổ đông|thương hiệu|khách hàng|startup|hãng|"
                r"ngân hàng thương mại|doanh nhân",
    # scholars, artists and associations: people-to-people, not states (when no Vietnamese
    # official leads the article)
    "civil": r"hội thảo|tọa đàm|nhà nghiên cứu|học giả|giáo sư|nhà văn|nhà thơ|nghệ sĩ|"
             r"viện nghiên cứu|trường đại học|sinh viên|triển lãm|liên hoan|lễ hội|"
             r"hội hữu nghị|tổ chức phi chính phủ|tình nguyện viên",
    "trade-remedy": r"chống bán phá giá|bán phá giá|chống trợ cấp|vụ kiện|thuế đối ứng|áp thuế|"
                    r"thuế chống|"
                    r"phòng vệ thương mại|lẩn tránh thuế|biên độ phá giá|tự vệ thương mại|"
                    r"USTR|Bộ Thương mại Mỹ|Bộ Thương mại Hoa Kỳ",
}
NOISE_NAMES: Final = tuple(NOISE)

# Events, topics and noise in one pass (one scan of the text costs about as much as three
# lexicons would each). Entry i is EVENTS[i], then TOPICS, then NOISE.
CUES: Final = Lexicon.build([p for _, _, p in EVENTS] + list(TOPICS.values())
                            + list(NOISE.values()))
FIRST_TOPIC: Final = len(EVENTS)
FIRST_NOISE: Final = len(EVENTS) + len(TOPICS)
