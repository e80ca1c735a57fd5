"""Pages written for the extraction-chain tests (constructed: no outlet served them).

Each page wraps an article body in the furniture real Vietnamese pages carry (a menu of
links, a breadcrumb, a related-news box with leads, a footer), so that the quality gate
sees a page, not a bare fragment.
"""

from __future__ import annotations

from html import escape

PARAGRAPHS = (
    "Chiều 16/7, tại Phủ Chủ tịch, Chủ tịch nước đã tiếp Đại sứ Hợp chúng quốc Hoa Kỳ đến "
    "chào từ biệt nhân dịp kết thúc nhiệm kỳ công tác tại Việt Nam, đánh giá cao những đóng "
    "góp của Đại sứ cho quan hệ Đối tác chiến lược toàn diện giữa hai nước.",
    "Chủ tịch nước khẳng định Việt Nam coi Hoa Kỳ là một trong những đối tác quan trọng hàng "
    "đầu, mong muốn hai bên tiếp tục tăng cường tin cậy chính trị, mở rộng hợp tác kinh tế, "
    "thương mại, đầu tư, khoa học công nghệ, giáo dục và đào tạo.",
    "Về các vấn đề quốc tế và khu vực, Chủ tịch nước đề nghị Hoa Kỳ tiếp tục ủng hộ vai trò "
    "trung tâm của ASEAN, cùng Việt Nam duy trì hòa bình, ổn định, an ninh, an toàn, tự do "
    "hàng hải và hàng không ở Biển Đông trên cơ sở luật pháp quốc tế.",
    "Đại sứ bày tỏ vinh dự được công tác tại Việt Nam trong giai đoạn quan hệ hai nước phát "
    "triển mạnh mẽ, cho biết sẽ tiếp tục đóng góp vào việc thúc đẩy hợp tác giữa hai dân "
    "tộc trên cương vị mới, nhất là trong lĩnh vực khắc phục hậu quả chiến tranh.",
    "Hai bên nhất trí cần phối hợp chặt chẽ để triển khai hiệu quả các thỏa thuận đã đạt "
    "được, chuẩn bị tốt cho các chuyến thăm và tiếp xúc cấp cao trong thời gian tới, đồng "
    "thời thúc đẩy giao lưu nhân dân, hợp tác giữa các địa phương và doanh nghiệp.",
)
TITLE = "Chủ tịch nước tiếp Đại sứ Hoa Kỳ chào từ biệt"
LEAD = (
    "Chủ tịch nước đề nghị hai bên tiếp tục làm sâu sắc quan hệ Đối tác chiến lược toàn diện, "
    "vì hòa bình, hợp tác và phát triển bền vững."
)
URL = "https://baomoi-tinh.example.vn/chu-tich-nuoc-tiep-dai-su-hoa-ky-post123456.html"
RELATED = (
    ("Thủ tướng tiếp Bộ trưởng Thương mại Hàn Quốc", "Thủ tướng đề nghị hai bên sớm đưa kim "
     "ngạch thương mại song phương lên mức mới, mở rộng hợp tác công nghiệp chế biến."),
    ("Bộ trưởng Ngoại giao điện đàm với người đồng cấp Nhật Bản", "Hai bộ trưởng trao đổi về "
     "việc chuẩn bị các hoạt động kỷ niệm và hợp tác trong khuôn khổ Mekong - Nhật Bản."),
)


def furnished(body: str, *, head: str = "", before: str = "", after: str = "") -> str:
    """A full page: ``body`` (the article's markup) inside a site's furniture."""
    menu = "".join(f'<li><a href="/muc-{i}">Chuyên mục {i}</a></li>' for i in range(30))
    related = "".join(
        f'<div class="story"><a href="/tin-{i}.html">{escape(t)}</a><p>{escape(s)}</p></div>'
        for i, (t, s) in enumerate(RELATED)
    )
    return (
        "<!DOCTYPE html><html lang='vi'><head><meta charset='utf-8'>"
        f"<title>{escape(TITLE)} | Báo tỉnh</title>"
        f"<meta property='og:title' content='{escape(TITLE)}'>"
        f"<meta property='og:description' content='{escape(LEAD)}'>"
        "<meta property='og:type' content='article'>"
        "<meta property='article:published_time' content='2026-07-16T10:25:00+07:00'>"
        f"{head}</head><body><div class='header'><ul class='menu'>{menu}</ul></div>"
        "<div class='breadcrumb'><a href='/'>Trang chủ</a> <a href='/the-gioi'>Thế giới</a>"
        f"</div><div class='wrapper'><div class='main-col'>{before}<h1>{escape(TITLE)}</h1>"
        f"{body}</div><div class='side-col'><h3>Đọc nhiều</h3>{related}</div>{after}</div>"
        "<div class='site-info'>Cơ quan chủ quản: Tỉnh ủy. Giấy phép số 123/GP-BTTTT. "
        "Địa chỉ: số 1 đường Trần Hưng Đạo, thành phố.</div><script>var x = 1;</script>"
        "</body></html>"
    )


def paragraphs_as(tag: str, texts: tuple[str, ...] = PARAGRAPHS) -> str:
    return "".join(f"<{tag}>{escape(t)}</{tag}>" for t in texts)
