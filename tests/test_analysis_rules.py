"""General rules of the classifier, each on short texts written for these tests (constructed,
not real articles): a multilateral meeting Vietnam hosts, a foreign diplomat's apology to
Vietnam, diplomats below the ambassador, and people-to-people events that are not relations
between states (docs/labelling-guideline.md)."""

from __future__ import annotations

from analysis import classify
from analysis.lexicon import lower_same_length
from analysis.people import find_people
from analysis.places import GATHERING_RE, find_host_places
from analysis.rules import RULES_THRESHOLD, apply_rules
from records import Verdict


def diplomacy(title: str, body: str) -> Verdict:
    verdict = classify(title, body)
    assert verdict.is_diplomacy, verdict
    assert verdict.evidence, verdict
    return verdict


def not_diplomacy(title: str, body: str) -> Verdict:
    verdict = classify(title, body)
    assert not verdict.is_diplomacy, verdict
    assert verdict.event is None
    return verdict


# --- a meeting of several countries' officials held in Vietnam ------------------------------
HOSTED = (
    "Khối Đông Nam Á bàn về an ninh hàng hải",
    "Ngoại trưởng các nước Đông Nam Á hôm nay nhóm họp tại thành phố Nha Trang, bàn về hợp "
    "tác an ninh hàng hải và ứng phó thiên tai trong khu vực.\n\n"
    "Theo chương trình, các bên cũng thảo luận về việc mở rộng khu vực thương mại tự do và "
    "chuẩn bị cho hội nghị cấp cao cuối năm.\n\n"
    "Bộ trưởng Ngoại giao Phạm Gia Khiêm cho biết, các thành viên ASEAN sẽ thông qua kế hoạch "
    "hành động về ứng phó thiên tai.",
)


def test_a_ministers_meeting_hosted_in_vietnam_is_vietnams_diplomacy() -> None:
    verdict = diplomacy(*HOSTED)
    assert verdict.partners[0] == "ASEAN"
    assert verdict.event == "conference"
    assert any("Nha Trang" in line for line in verdict.evidence)


def test_the_same_meeting_held_abroad_without_vietnam_is_not() -> None:
    title, body = HOSTED
    abroad = body.replace("thành phố Nha Trang", "thủ đô Kuala Lumpur").replace(
        "Bộ trưởng Ngoại giao Phạm Gia Khiêm", "Người phát ngôn của khối")
    not_diplomacy(title, abroad)


def test_a_domestic_meeting_of_ministers_in_hanoi_hosts_no_one() -> None:
    not_diplomacy(
        "Các bộ trưởng trả lời chất vấn về giá xăng",
        "Sáng nay tại Hà Nội, các bộ trưởng Công Thương và Tài chính trả lời chất vấn của đại "
        "biểu Quốc hội về giá xăng dầu, dẫn kinh nghiệm quản lý thị trường của Nhật Bản và Hàn "
        "Quốc. Thủ tướng Nguyễn Tấn Dũng phát biểu làm rõ thêm một số vấn đề.",
    )


def test_places_in_vietnam_and_gatherings_of_countries() -> None:
    text = "Lãnh đạo 21 nền kinh tế APEC họp tại Đà Nẵng, trên bờ Thái Bình Dương."
    spans = find_host_places(text)
    assert [text[a:b] for a, b in spans] == ["tại Đà Nẵng"]
    ocean = "Tàu cá gặp nạn ở Thái Bình Dương; lễ hội tại Thái Bình."
    assert [ocean[a:b] for a, b in find_host_places(ocean)] == ["tại Thái Bình"]
    assert GATHERING_RE.search(lower_same_length(text))
    assert GATHERING_RE.search("các ngoại trưởng đã tới")
    assert not GATHERING_RE.search("các bộ trưởng trả lời chất vấn")
    assert not GATHERING_RE.search("các nhà khoa học của nhiều nước")


# --- a foreign diplomat addressing Vietnam --------------------------------------------------
def test_a_foreign_embassys_apology_to_vietnam_is_a_statement() -> None:
    verdict = diplomacy(
        "Đại sứ quán Nhật Bản xin lỗi người dân Việt Nam",
        "Tùy viên báo chí Đại sứ quán Nhật Bản hôm qua đã xin lỗi người dân Việt Nam về phát "
        "ngôn xúc phạm của một quan chức địa phương. Bộ Ngoại giao đề nghị phía Nhật Bản làm rõ "
        "sự việc.",
    )
    assert verdict.partners[0] == "JP"
    assert verdict.event == "statement"


def test_an_apology_to_anyone_else_is_not_a_statement_to_vietnam() -> None:
    not_diplomacy(
        "Chính phủ New Zealand xin lỗi các cựu binh",
        "Chính phủ New Zealand đã chính thức xin lỗi các cựu binh từng tham chiến tại Việt Nam "
        "và bị phơi nhiễm chất độc da cam, mở đường cho việc bồi thường.",
    )
    not_diplomacy(
        "Hãng hàng không Hàn Quốc xin lỗi hành khách",
        "Hãng hàng không Hàn Quốc xin lỗi hành khách Việt Nam vì chuyến bay bị hoãn sáu giờ "
        "tại sân bay Nội Bài.",
    )


def test_an_attache_of_an_embassy_is_that_countrys_diplomat() -> None:
    text = "Ông Kim, Tùy viên quốc phòng Đại sứ quán Hàn Quốc, và Tùy viên quân sự Lê Văn Hòa."
    foreign, vietnamese = [p for p in find_people(text) if p.title.startswith("Tùy viên")]
    assert (foreign.title, foreign.code, foreign.vietnamese) == (
        "Tùy viên quốc phòng Hàn Quốc", "KR", False)
    assert (vietnamese.name, vietnamese.vietnamese) == ("Lê Văn Hòa", True)


# --- people-to-people, not states -----------------------------------------------------------
def test_a_seminar_of_scholars_on_two_countries_is_not_diplomacy() -> None:
    seminar = (
        "Hội thảo góp phần tăng cường quan hệ hợp tác Việt - Nhật",
        "Hội thảo do hội những người Nhật Bản yêu mến Việt Nam tổ chức tại một trường đại học ở "
        "Osaka, quy tụ các nhà nghiên cứu, nhà văn, nhà ngoại giao Việt Nam và Nhật Bản.\n\n"
        "Các giáo sư thảo luận về lịch sử quan hệ hai nước kể từ khi thiết lập quan hệ ngoại "
        "giao và về giao lưu văn hóa giữa nhân dân hai nước.",
    )
    rules = apply_rules(*seminar)
    assert rules.signals["civil"] == 1.0
    assert rules.score < RULES_THRESHOLD  # the rules alone already say no
    assert rules.partners == ("JP",)
    not_diplomacy(*seminar)


def test_an_official_receiving_an_envoy_about_universities_is_still_diplomacy() -> None:
    verdict = diplomacy(
        "Bộ trưởng Giáo dục tiếp Đại sứ Hoa Kỳ",
        "Bộ trưởng Giáo dục và Đào tạo Nguyễn Thiện Nhân đã tiếp Đại sứ Hoa Kỳ Michael Marine, "
        "bàn về hợp tác giữa các trường đại học, học bổng cho sinh viên và hội thảo khoa học "
        "giữa hai nước.",
    )
    assert (verdict.partners[0], verdict.event) == ("US", "reception")
    assert "education" in verdict.topics
