"""analysis.classifier: the five real seeds, and constructed texts for each pitfall.

The short texts in this file are written for the tests (constructed, not real articles);
the seeds are read from ../shared/seeds and skipped when that folder is absent."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

from analysis import MODEL_VERSION, classify, classify_article
from records import Article, Person, Verdict
from tests.conftest import SEEDS_DIR, require_shared

# seed prefix -> (expected event, the Vietnamese leader with their title)
SEEDS = {
    "000": ("reception", Person("Tô Lâm", "Tổng Bí thư")),
    "001": ("reception", Person("Tô Lâm", "Tổng Bí thư")),
    "002": ("visit", Person("Tô Lâm", "Tổng Bí thư, Chủ tịch nước")),
    "003": ("reception", Person("Lê Minh Khái", "Phó Thủ tướng")),
    "004": ("call", Person("Nguyễn Phú Trọng", "Tổng Bí thư")),
}


def seed_text(prefix: str) -> str:
    [path] = sorted(require_shared(SEEDS_DIR).glob(f"{prefix}_*.txt"))
    return Path(path).read_text(encoding="utf-8")


def split_title(raw: str) -> tuple[str, str]:
    lines = raw.strip().split("\n")
    return lines[0], "\n".join(lines[1:])


@pytest.mark.parametrize("prefix", sorted(SEEDS))
@pytest.mark.parametrize("with_title", [True, False], ids=["title+body", "body-only"])
def test_seeds_are_vietnam_us_diplomacy(prefix: str, with_title: bool) -> None:
    raw = seed_text(prefix)
    title, body = split_title(raw) if with_title else ("", raw)
    verdict = classify(title, body)
    event, leader = SEEDS[prefix]
    assert verdict.is_diplomacy, verdict
    assert verdict.score >= 0.8
    assert verdict.partners[0] == "US"
    assert verdict.event == event
    assert leader in verdict.people
    assert verdict.evidence
    assert verdict.model_version == MODEL_VERSION


# What a reader of each seed would name: the partners, the event, the people with their
# titles, and the fields of cooperation the article discusses.
READER = {
    "000": (("US",), "reception",
            [Person("Tô Lâm", "Tổng Bí thư"), Person("Marc Knapper", "Đại sứ Hoa Kỳ")],
            {"economy-trade-investment", "defence-security", "war-legacy"}),
    "001": (("US",), "reception",
            [Person("Tô Lâm", "Tổng Bí thư"), Person("Marc Knapper", "Đại sứ Mỹ"),
             Person("Donald Trump", "Tổng thống Hoa Kỳ")],
            {"science-technology", "semiconductors", "energy", "digital-transformation",
             "economy-trade-investment"}),
    "002": (("US", "UN", "CU"), "visit",
            [Person("Tô Lâm", "Tổng Bí thư, Chủ tịch nước"),
             Person("Bùi Thanh Sơn", "Phó Thủ tướng, Bộ trưởng Ngoại giao"),
             Person("Joe Biden", "Tổng thống Mỹ")],
            {"economy-trade-investment", "science-technology", "semiconductors", "ai",
             "defence-security", "war-legacy", "education"}),
    "003": (("US",), "reception",
            [Person("Lê Minh Khái", "Phó Thủ tướng"), Person("Marc Knapper", "Đại sứ Hoa Kỳ")],
            {"economy-trade-investment", "semiconductors", "mekong"}),
    "004": (("US",), "call",
            [Person("Nguyễn Phú Trọng", "Tổng Bí thư"), Person("Joe Biden", "Tổng thống Hoa Kỳ")],
            {"economy-trade-investment", "climate", "south-china-sea", "defence-security",
             "health", "science-technology"}),
}


@pytest.mark.parametrize("prefix", sorted(READER))
def test_each_seed_names_what_a_reader_would(prefix: str) -> None:
    partners, event, people, fields = READER[prefix]
    verdict = classify(*split_title(seed_text(prefix)))
    assert verdict.is_diplomacy
    assert verdict.partners[: len(partners)] == partners
    assert verdict.event == event
    assert verdict.people[: len(people)] == tuple(people)
    assert fields <= set(verdict.topics)
    assert verdict.evidence[-1].startswith(f"model {verdict.score:.2f} (rules ")


def test_seed_000_people_and_evidence() -> None:
    verdict = classify("", seed_text("000"))
    assert verdict.people[:2] == (
        Person("Tô Lâm", "Tổng Bí thư"),
        Person("Marc Knapper", "Đại sứ Hoa Kỳ"),
    )
    assert verdict.evidence[0] == "Tổng Bí thư Tô Lâm tiếp Đại sứ Hoa Kỳ Marc Knapper"
    assert {"economy-trade-investment", "defence-security", "war-legacy"} <= set(verdict.topics)


def test_related_news_after_the_body_is_ignored() -> None:
    # Seed 004 ends with a "Tin cùng chuyên mục" block about a visit to Cambodia.
    verdict = classify("", seed_text("004"))
    assert "KH" not in verdict.partners
    assert all(person.name != "Trần Thanh Mẫn" for person in verdict.people)


def test_nfc_and_nfd_inputs_give_identical_verdicts() -> None:
    raw = seed_text("003")
    title, body = split_title(raw)
    nfc = classify(title, body)
    nfd = classify(unicodedata.normalize("NFD", title), unicodedata.normalize("NFD", body))
    assert nfd == nfc


# --- constructed texts ---------------------------------------------------------------------

JAPAN_CALL = (
    "Thủ tướng Phạm Minh Chính điện đàm với Thủ tướng Nhật Bản Ishiba Shigeru",
    "Tối 12/11, Thủ tướng Chính phủ Phạm Minh Chính đã điện đàm với Thủ tướng Nhật Bản "
    "Ishiba Shigeru. Hai nhà lãnh đạo vui mừng trước sự phát triển của quan hệ Đối tác chiến "
    "lược toàn diện Việt Nam - Nhật Bản, nhất trí thúc đẩy hợp tác kinh tế, đầu tư, lao động "
    "và chuyển đổi xanh.\n\nThủ tướng Ishiba cảm ơn Việt Nam đã tạo điều kiện cho doanh nghiệp "
    "Nhật Bản.",
)


def test_phone_call_between_vietnamese_and_japanese_prime_ministers() -> None:
    verdict = classify(*JAPAN_CALL)
    assert verdict.is_diplomacy
    assert verdict.partners == ("JP",)
    assert verdict.event == "call"
    assert verdict.people[:2] == (
        Person("Phạm Minh Chính", "Thủ tướng"),
        Person("Ishiba Shigeru", "Thủ tướng Nhật Bản"),
    )
    assert verdict.evidence[0] == (
        "Thủ tướng Phạm Minh Chính điện đàm với Thủ tướng Nhật Bản Ishiba Shigeru"
    )


def test_old_style_tone_marks_give_the_same_verdict() -> None:
    title, body = JAPAN_CALL
    old_style = body.replace("hòa", "hoà").replace("thỏa", "thoả") + " Hoà bình, thoả thuận."
    new_style = body + " Hòa bình, thỏa thuận."
    assert classify(title, old_style) == classify(title, new_style)


def test_spokesperson_statement() -> None:
    verdict = classify(
        "Việt Nam kiên quyết phản đối Trung Quốc tập trận ở Hoàng Sa",
        "Trả lời câu hỏi của phóng viên tại họp báo thường kỳ chiều 15/6, Người phát ngôn Bộ "
        "Ngoại giao Phạm Thu Hằng khẳng định Việt Nam có đầy đủ căn cứ pháp lý và bằng chứng "
        "lịch sử khẳng định chủ quyền đối với quần đảo Hoàng Sa. Việt Nam kiên quyết phản đối "
        "việc Trung Quốc tổ chức tập trận tại khu vực này.",
    )
    assert verdict.is_diplomacy
    assert verdict.partners == ("CN",)
    assert verdict.event == "statement"
    assert "south-china-sea" in verdict.topics
    assert Person("Phạm Thu Hằng", "Người phát ngôn Bộ Ngoại giao") in verdict.people


def test_talks_on_tariffs_are_diplomacy() -> None:
    verdict = classify(
        "Việt Nam và Hoa Kỳ đàm phán về thuế đối ứng",
        "Chiều 10/5, tại Washington, Bộ trưởng Công Thương Nguyễn Hồng Diên đã hội đàm với "
        "Đại diện Thương mại Hoa Kỳ Jamieson Greer về thỏa thuận thương mại đối ứng.",
    )
    assert verdict.is_diplomacy
    assert (verdict.partners, verdict.event) == (("US",), "talks")


def not_diplomacy(title: str, body: str) -> Verdict:
    verdict = classify(title, body)
    assert not verdict.is_diplomacy, verdict
    assert verdict.score < 0.5
    assert verdict.event is None
    return verdict


def test_my_dinh_cosmetics_and_aesthetics_are_not_the_united_states() -> None:
    verdict = not_diplomacy(
        "Sôi động đêm nhạc tại sân vận động Mỹ Đình",
        "Hàng chục nghìn khán giả có mặt tại sân vận động Mỹ Đình. Ca sĩ Mỹ Linh và Mỹ Tâm mở "
        "màn. Nhiều gian hàng mỹ phẩm, thẩm mỹ viện và đồ mỹ nghệ. Chị Mỹ, một khán giả đến từ "
        "Mỹ Tho, rất hài lòng. Mỹ phẩm Hàn được bán chạy.",
    )
    assert "US" not in verdict.partners


def test_fed_and_stock_market_news_is_not_diplomacy() -> None:
    verdict = not_diplomacy(
        "Chứng khoán giảm điểm sau quyết định của Fed",
        "VN-Index giảm hơn 10 điểm sau khi Cục Dự trữ Liên bang Mỹ (Fed) giữ nguyên lãi suất. "
        "Theo các chuyên gia, chính sách tiền tệ của Hoa Kỳ tác động đến tỷ giá và dòng vốn "
        "vào Việt Nam. Chứng khoán Mỹ phục hồi nhẹ, chỉ số Dow Jones tăng 0,5%.",
    )
    assert verdict.partners == ("US",)


def test_world_summit_without_vietnam_is_not_diplomacy() -> None:
    not_diplomacy(
        "Lãnh đạo G20 nhóm họp tại Rio de Janeiro",
        "Hội nghị thượng đỉnh G20 khai mạc tại Brazil. Bên lề hội nghị, Tổng thống Mỹ Joe Biden "
        "đã gặp Chủ tịch Trung Quốc Tập Cận Bình. Hai nhà lãnh đạo hội đàm về quan hệ song "
        "phương. Thủ tướng Ấn Độ Narendra Modi điện đàm với Thủ tướng Anh Keir Starmer. Các "
        "nhà lãnh đạo ra tuyên bố chung về biến đổi khí hậu.",
    )


def test_us_tariff_decision_alone_is_not_diplomacy() -> None:
    not_diplomacy(
        "Mỹ áp thuế chống bán phá giá với tôm Việt Nam",
        "Bộ Thương mại Mỹ vừa công bố kết luận sơ bộ, áp thuế chống bán phá giá 25,76% đối với "
        "tôm nhập khẩu từ Việt Nam. Nhiều doanh nghiệp Việt Nam sẽ phải ký quỹ khi xuất khẩu "
        "sang Hoa Kỳ. Thị trường Mỹ chiếm khoảng 20% kim ngạch xuất khẩu tôm của Việt Nam.",
    )


def test_football_match_against_thailand_is_not_diplomacy() -> None:
    not_diplomacy(
        "Đội tuyển Việt Nam gặp Thái Lan ở chung kết",
        "Tối nay, đội tuyển Việt Nam gặp Thái Lan trong trận chung kết AFF Cup. HLV cho biết "
        "các cầu thủ đã sẵn sàng. Người hâm mộ Việt Nam - Thái Lan chật kín khán đài.",
    )


def test_the_given_name_anh_is_not_britain() -> None:
    verdict = not_diplomacy(
        "Anh Tuấn giành học bổng",
        "Anh Nguyễn Anh Tuấn vừa giành học bổng. Anh cho biết đã học tiếng Anh từ nhỏ.",
    )
    assert "GB" not in verdict.partners


def test_empty_article() -> None:
    verdict = classify("", "  \n ")
    assert verdict == Verdict(False, 0.0, model_version=MODEL_VERSION)


def test_classify_article_uses_title_sapo_and_paragraphs() -> None:
    title, body = JAPAN_CALL
    first, *rest = body.split("\n\n")
    article = Article(
        outlet="",
        url="https://example.test/a",
        canonical_url=None,
        title=title,
        sapo=first,
        paragraphs=tuple(rest),
    )
    assert classify_article(article) == classify(title, body)


def test_a_leader_named_without_a_country_is_the_countrys() -> None:
    verdict = classify(
        "Thủ tướng Phan Văn Khải hội kiến Tổng thống George W. Bush",
        "Chiều 21/6, tại Nhà Trắng, Thủ tướng Phan Văn Khải đã hội kiến Tổng thống George W. "
        "Bush. Hai bên nhất trí thúc đẩy quan hệ hai nước. Ông Bush ủng hộ Việt Nam sớm gia "
        "nhập WTO.",
    )
    assert verdict.is_diplomacy
    assert verdict.partners[0] == "US"
    assert verdict.event == "reception"
    assert Person("George Bush", "Tổng thống Hoa Kỳ") in verdict.people  # initials dropped


def test_a_vietnamese_leader_only_in_the_photo_caption_of_a_world_summit() -> None:
    not_diplomacy(
        "Hội nghị thượng đỉnh về cứu trợ sóng thần khai mạc tại Jakarta",
        "Thủ tướng Phan Văn Khải tại hội nghị. Ảnh: TTXVN\n\nHội nghị thượng đỉnh khai mạc "
        "tại Jakarta với sự tham gia của lãnh đạo 26 quốc gia. Tổng thống Indonesia phát biểu "
        "khai mạc. Tổng Thư ký Liên hợp quốc Kofi Annan kêu gọi các nước giải ngân viện trợ. "
        "Nhật Bản, Trung Quốc và Liên minh châu Âu cam kết thêm viện trợ.",
    )


def test_a_speech_to_a_company_is_not_relations_between_states() -> None:
    not_diplomacy(
        "Thủ tướng phát biểu tại tập đoàn Microsoft",
        "Thủ tướng Phan Văn Khải đã tới thăm trụ sở tập đoàn Microsoft tại Seattle, Mỹ và "
        "phát biểu trước lãnh đạo công ty. Thủ tướng đánh giá cao thành công của công ty và "
        "mong tập đoàn đầu tư vào Việt Nam.",
    )


def test_the_verdict_needs_no_shared_folder_and_the_model_line_ends_the_evidence() -> None:
    title, body = JAPAN_CALL
    verdict = classify(title, body)
    assert verdict.evidence[0].startswith("Thủ tướng Phạm Minh Chính điện đàm")
    assert verdict.evidence[-1].startswith(f"model {verdict.score:.2f} (rules ")

