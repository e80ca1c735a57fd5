"""Where each discovery URL of the registry came from, and when: the evidence behind it.

Every feed, sitemap and listing page of ``parsers.registry.OUTLETS`` has an entry here (a
test holds the two together). ``label`` is the evidence as ``../shared/corpus/OUTLETS.md``
names it, with its date: "DTW-2026-07" (a digest project's feed notes, fetch-checked July
2026), "press-scanning-2026-07", "NewsV2-2026-10", "local 2026-03" (the March-2026 pages in
``../shared/corpus/pages``), "robots.txt 2024" (quoted by sitemap_sources.py), "inferred
2026-03" (built from a rule the evidence states, not reported as fetched), "listed 2025"
(a list entry nobody reported fetching), "OUTLETS.md 2026-11" (the compiled list, no source
named). When it was last seen answering is not evidence but a measurement: ``diplowatch
outlets --probe`` records it in the database (table ``source_probes``).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Provenance:
    """The evidence for one URL: its label as OUTLETS.md gives it, the year, a short note."""

    label: str  # e.g. "DTW-2026-07", "local 2026-03"
    year: int  # the year of the evidence
    note: str = ""  # e.g. "60 items"

    def __str__(self) -> str:
        return f"{self.label} ({self.note})" if self.note else self.label


DTW = "DTW-2026-07"
PRESS = "press-scanning-2026-07"
NEWSV2 = "NewsV2-2026-10"
LOCAL = "local 2026-03"
INFERRED = "inferred 2026-03"
COMPILED = "OUTLETS.md 2026-11"
RSSSERVICE = "RSSService.js, undated"  # year 0: unknown


def _p(label: str, note: str = "") -> Provenance:
    years = [int(part[:4]) for part in label.replace(" ", "-").split("-") if part[:4].isdigit()]
    return Provenance(label, years[0] if years else 0, note)


SOURCE_PROVENANCE: dict[str, Provenance] = {
    # VnExpress
    "https://vnexpress.net/rss/thoi-su.rss": _p(COMPILED, "fundus lists 16 section feeds"),
    "https://vnexpress.net/rss/the-gioi.rss": _p(DTW, "60 items"),
    "https://vnexpress.net/rss/tin-moi-nhat.rss": _p("snapshots 2017", "format unchanged"),
    "https://vnexpress.net/rss/tin-noi-bat.rss": _p(COMPILED, "fundus lists 16 section feeds"),
    "https://vnexpress.net/google-news-sitemap.xml": _p("robots.txt 2024", "sitemap_sources.py"),
    "https://vnexpress.net/sitemap/news.rss": _p("robots.txt 2024", "sitemap_sources.py"),
    "https://vnexpress.net/sitemap/sitemap-index.xml": _p(COMPILED, "archive index"),
    "https://vnexpress.net/thoi-su": _p(LOCAL, "navigation"),
    "https://vnexpress.net/the-gioi": _p(LOCAL, "navigation"),
    # Báo Chính phủ
    "https://baochinhphu.vn/home.rss": _p(PRESS, "and NewsV2-2026-10"),
    "https://baochinhphu.vn/quoc-te.rss": _p(DTW, "50 items, no dates in items"),
    "https://baochinhphu.vn/chinh-tri/doi-ngoai.rss": _p(INFERRED, "section path + .rss"),
    "https://baochinhphu.vn/chinh-tri.rss": _p(INFERRED, "section path + .rss"),
    "https://baochinhphu.vn/chinh-tri/doi-ngoai.htm": _p(LOCAL, "navigation"),
    "https://baochinhphu.vn/quoc-te.htm": _p(LOCAL, "navigation"),
    "https://baochinhphu.vn/chinh-tri.htm": _p(LOCAL, "navigation"),
    "https://baochinhphu.vn/tin-moi.htm": _p(LOCAL, "navigation"),
    # Tuổi Trẻ
    "https://tuoitre.vn/rss/thoi-su.rss": _p(COMPILED, "/rss/<section>.rss"),
    "https://tuoitre.vn/rss/the-gioi.rss": _p(DTW, "50 items"),
    "https://tuoitre.vn/rss/tin-moi-nhat.rss": _p(COMPILED, "/rss/<section>.rss"),
    "https://tuoitre.vn/sitemap.xml": _p("robots.txt 2024", "sitemap_sources.py"),
    "https://tuoitre.vn/thoi-su.htm": _p(LOCAL, "navigation"),
    "https://tuoitre.vn/the-gioi.htm": _p(LOCAL, "navigation"),
    "https://tuoitre.vn/chinh-tri.htm": _p(LOCAL, "navigation"),
    # Thanh Niên
    "https://thanhnien.vn/rss/thoi-su.rss": _p(COMPILED),
    "https://thanhnien.vn/rss/chinh-tri.rss": _p(COMPILED),
    "https://thanhnien.vn/rss/the-gioi.rss": _p(DTW, "50 items, entity-encoded titles"),
    "https://thanhnien.vn/chinh-tri.htm": _p(COMPILED, "2024-25 crawlers"),
    "https://thanhnien.vn/thoi-su.htm": _p(COMPILED, "2024-25 crawlers"),
    "https://thanhnien.vn/the-gioi.htm": _p(COMPILED, "2024-25 crawlers"),
    # Dân trí
    "https://dantri.com.vn/rss/tin-moi-nhat.rss": _p(COMPILED, "/rss/<section>.rss"),
    "https://dantri.com.vn/rss/the-gioi.rss": _p(DTW, "100 items"),
    "https://dantri.com.vn/rss/su-kien.rss": _p(COMPILED, "/rss/<section>.rss"),
    "https://dantri.com.vn/rss/xa-hoi.rss": _p(COMPILED, "/rss/<section>.rss"),
    "https://dantri.com.vn/the-gioi.htm": _p(LOCAL, "navigation"),
    "https://dantri.com.vn/xa-hoi/chinh-tri.htm": _p(LOCAL, "navigation"),
    # VietnamNet
    "https://vietnamnet.vn/rss/the-gioi.rss": _p(DTW, "1000 items; disputed"),
    "https://vietnamnet.vn/the-gioi.rss": _p(LOCAL, "form /<section>.rss"),
    "https://vietnamnet.vn/chinh-tri.rss": _p(LOCAL, "form /<section>.rss"),
    "https://vietnamnet.vn/chinh-tri": _p(LOCAL, "navigation"),
    "https://vietnamnet.vn/the-gioi": _p(LOCAL, "navigation"),
    "https://vietnamnet.vn/thoi-su": _p(LOCAL, "navigation"),
    # VietnamPlus
    "https://www.vietnamplus.vn/rss/home.rss": _p(PRESS),
    "https://www.vietnamplus.vn/rss/thegioi.rss": _p(DTW, "50 items"),
    # Thông tấn xã Việt Nam
    "https://vnanet.vn/en/rss": _p(COMPILED, "English feed"),
    "https://vnanet.vn/vi/tin/thoi-su-the-gioi-3/": _p("Scrapy spider 2025"),
    # Báo Tin tức
    "https://baotintuc.vn/the-gioi.rss": _p(DTW, "no /rss/ in the path"),
    "https://baotintuc.vn/the-gioi.html": _p(COMPILED, "section page"),
    # Nhân Dân
    "https://nhandan.vn/rss/home.rss": _p(PRESS),
    "https://nhandan.vn/rss/chinhtri-1171.rss": _p(COMPILED, "numeric-ID feed"),
    "https://nhandan.vn/rss/thegioi-1231.rss": _p(DTW, "50 items"),
    "https://nhandan.vn/thegioi": _p(COMPILED, "section page"),
    # Quân đội Nhân dân
    "https://www.qdnd.vn/rss/cate/tin-tuc-moi-nhat.rss": _p(PRESS, "50 entries, session cookie"),
    "https://www.qdnd.vn/rss/cate/chinh-tri-3429.rss": _p(RSSSERVICE, "ID in two files"),
    "https://www.qdnd.vn/rss/cate/quoc-te-3447.rss": _p(RSSSERVICE, "ID in two files"),
    "https://www.qdnd.vn/chinh-tri": _p("register_site crawler 2025"),
    "https://www.qdnd.vn/quoc-te": _p("register_site crawler 2025"),
    # VOV
    "https://vov.vn/rss.xml": _p(PRESS, "DTW-2026-07 got 403"),
    "https://vov.vn/chinh-tri": _p(COMPILED, "section page"),
    "https://vov.vn/the-gioi": _p(COMPILED, "section page"),
    # Báo Quốc tế
    "https://baoquocte.vn/rss_feed/": _p(DTW, "25 items, re-verified 25/07/2026"),
    "https://baoquocte.vn/the-gioi": _p(COMPILED, "section page"),
    # Người Lao Động
    "https://nld.com.vn/rss/thoi-su.rss": _p(COMPILED, "reported lagging in 2026"),
    "https://nld.com.vn/rss/quoc-te.rss": _p(COMPILED, "reported lagging in 2026"),
    "https://nld.com.vn/rss/home.rss": _p(COMPILED, "reported lagging in 2026"),
    # Sài Gòn Giải Phóng
    "https://www.sggp.org.vn/rss/home.rss": _p(PRESS),
    "https://www.sggp.org.vn/thegioi/": _p(COMPILED, "section page"),
    # Hà Nội Mới
    "https://hanoimoi.vn/rss/the-gioi": _p(NEWSV2, "form without extension"),
    # Lao Động
    "https://laodong.vn/rss/thoi-su.rss": _p(PRESS, "JavaScript cookie challenge"),
    "https://laodong.vn/rss/the-gioi.rss": _p(PRESS, "JavaScript cookie challenge"),
    # Tiền Phong
    "https://tienphong.vn/rss/home.rss": _p(COMPILED),
    "https://tienphong.vn/rss/the-gioi-5.rss": _p(DTW, "50 items"),
    # Znews
    "https://znews.vn/rss/the-gioi.rss": _p(DTW, "46 items"),
    "https://znews.vn/rss/thoi-su.rss": _p(COMPILED, "in code"),
    "https://znews.vn/the-gioi.html": _p(COMPILED, "section page"),
    # CafeF (not in OUTLETS.md)
    "https://cafef.vn/vi-mo-dau-tu.rss": _p(INFERRED, "section page links <section>.rss"),
    "https://cafef.vn/tai-chinh-quoc-te.rss": _p(INFERRED, "section page links <section>.rss"),
    "https://cafef.vn/xa-hoi.rss": _p(INFERRED, "section page links <section>.rss"),
    "https://cafef.vn/vi-mo-dau-tu.chn": _p(LOCAL, "navigation"),
    "https://cafef.vn/tai-chinh-quoc-te.chn": _p(LOCAL, "navigation"),
    # Báo Đầu tư (not in OUTLETS.md)
    "https://baodautu.vn/thoi-su-dau-tu-d1/": _p(LOCAL, "navigation"),
    "https://baodautu.vn/diem-tin-noi-bat-d76/": _p(LOCAL, "navigation"),
    # Provincial papers
    "https://baodienbienphu.com.vn/rss/home.rss": _p("listed 2025", "unverified"),
    "https://baolaocai.vn/rss/home.rss": _p("listed 2025", "unverified, templated list"),
}

UNKNOWN = Provenance("unknown", 0)


def provenance(url: str) -> Provenance:
    """The evidence for ``url`` (``UNKNOWN`` for a URL outside the registry)."""
    return SOURCE_PROVENANCE.get(url, UNKNOWN)
