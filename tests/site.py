"""Pages and feeds written for the tests (constructed: no outlet ever served them).

They imitate the shape of a Vietnamese news site (JSON-LD, a sapo, body paragraphs, a
caption, a related-news block) so that the whole pipeline runs on realistic input.
"""

from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime
from html import escape

from records import VIETNAM_TZ


@dataclass(frozen=True)
class TestArticle:
    path: str
    title: str
    sapo: str
    paragraphs: tuple[str, ...]
    published_at: datetime
    section: str


DIPLOMACY_ARTICLE = TestArticle(
    path="/thoi-su/pho-thu-tuong-tiep-dai-su-hoa-ky-4900001.html",
    title="Phó Thủ tướng tiếp Đại sứ Hoa Kỳ tại Việt Nam",
    sapo=(
        "Chiều 23/11, tại Hà Nội, Phó Thủ tướng Bùi Thanh Sơn tiếp Đại sứ Hoa Kỳ tại Việt Nam "
        "Marc Knapper đến chào xã giao."
    ),
    paragraphs=(
        "Tại cuộc tiếp, Phó Thủ tướng Bùi Thanh Sơn đánh giá cao những bước phát triển trong "
        "quan hệ Đối tác chiến lược toàn diện Việt Nam - Hoa Kỳ thời gian qua.",
        "Hai bên trao đổi về hợp tác kinh tế, thương mại, đầu tư, khoa học công nghệ, bán dẫn "
        "và khắc phục hậu quả chiến tranh.",
        "Đại sứ Marc Knapper khẳng định Hoa Kỳ coi trọng quan hệ với Việt Nam và mong muốn "
        "thúc đẩy các chuyến thăm cấp cao giữa hai nước trong thời gian tới.",
    ),
    published_at=datetime(2026, 11, 23, 16, 30, tzinfo=VIETNAM_TZ),
    section="Thời sự",
)

SPORT_ARTICLE = TestArticle(
    path="/the-thao/doi-tuyen-viet-nam-thang-dam-4900002.html",
    title="Đội tuyển Việt Nam thắng đậm trận giao hữu",
    sapo="Đội tuyển bóng đá Việt Nam thắng 3-0 trong trận giao hữu tối 23/11 tại sân Mỹ Đình.",
    paragraphs=(
        "Ngay từ những phút đầu, các cầu thủ Việt Nam chủ động pressing và sớm có bàn mở tỷ số.",
        "Huấn luyện viên trưởng hài lòng với tinh thần thi đấu của toàn đội sau trận đấu.",
        "Trận đấu tiếp theo diễn ra vào cuối tuần này trên sân Mỹ Đình, Hà Nội.",
    ),
    published_at=datetime(2026, 11, 23, 21, 15, tzinfo=VIETNAM_TZ),
    section="Thể thao",
)


def article_html(host: str, article: TestArticle) -> str:
    url = f"https://{host}{article.path}"
    ld = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article.title,
        "description": article.sapo,
        "datePublished": article.published_at.isoformat(),
        "articleSection": article.section,
        "mainEntityOfPage": url,
    }
    body = "\n".join(f'<p class="Normal">{escape(text)}</p>' for text in article.paragraphs)
    return f"""<!DOCTYPE html>
<html lang="vi"><head><meta charset="utf-8">
<title>{escape(article.title)} - Báo thử nghiệm</title>
<link rel="canonical" href="{url}">
<meta property="og:title" content="{escape(article.title)}">
<meta property="og:description" content="{escape(article.sapo)}">
<meta property="article:published_time" content="{article.published_at.isoformat()}">
<script type="application/ld+json">{json.dumps(ld, ensure_ascii=False)}</script>
</head><body>
<header><nav><a href="/">Trang chủ</a> <a href="/thoi-su">Thời sự</a></nav></header>
<article class="fck_detail">
<h1 class="title-detail">{escape(article.title)}</h1>
<p class="description">{escape(article.sapo)}</p>
<figure><img src="https://{host}/img/1.jpg" alt=""><figcaption>Ảnh minh họa.</figcaption></figure>
{body}
</article>
<div class="box-tinlienquan"><h3>Tin liên quan</h3>
<ul><li><a href="/khac-1.html">Một tin khác không liên quan</a></li></ul></div>
<footer>Bản quyền thuộc về báo thử nghiệm.</footer>
</body></html>"""


def rss_feed(host: str, articles: list[TestArticle]) -> str:
    items = "\n".join(
        f"""<item><title>{escape(a.title)}</title>
<link>https://{host}{a.path}</link>
<pubDate>{format_datetime(a.published_at)}</pubDate>
<description>{escape(a.sapo)}</description></item>"""
        for a in articles
    )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Tin mới - báo thử nghiệm</title>
<link>https://{host}/</link><description>Feed written for diplowatch tests</description>
{items}
</channel></rss>"""


_TONE_MARKS = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}


def to_cp1258(text: str) -> bytes:
    """Vietnamese the windows-1258 way: precomposed base letters + combining tone marks."""
    out: list[bytes] = []
    for char in text:
        try:
            out.append(char.encode("cp1258"))
            continue
        except UnicodeEncodeError:
            pass
        parts = unicodedata.normalize("NFD", char)
        base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in _TONE_MARKS))
        tones = "".join(c for c in parts if c in _TONE_MARKS)
        out.append((base + tones).encode("cp1258"))
    return b"".join(out)
