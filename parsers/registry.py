"""The outlets we watch: discovery entry points, article URL patterns, parser, politeness.

Every value comes from ``../shared/corpus/OUTLETS.md`` (public evidence, 2024-2026) or from the
March-2026 pages in ``../shared/corpus/pages`` ("local"). Comments say which; "inferred" marks
a URL built from a rule the evidence states (e.g. Báo Chính phủ feeds are "section path + .rss")
rather than a URL someone reported fetching. Feeds are limited to front page / latest,
politics, current affairs and world sections: the sections where diplomacy news appears.

An empty ``article_url_pattern`` means no reliable pattern is known; ``is_article_url`` then
uses a conservative heuristic shared by Vietnamese CMSs (slug ending in a long numeric id).

Outlets whose ``parser`` is "generic" (and every host outside the registry: provincial party
papers that republish central news) are read by ``parsers.generic``: structured data first,
then the main-content finder. CafeF and Báo Đầu tư are not in OUTLETS.md: their entries come
from their March-2026 pages only.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache
from urllib.parse import urlsplit

from records import Outlet

_ID_TAIL = r"(?:[a-z0-9-]+/)*[a-z0-9-]+"

OUTLETS: tuple[Outlet, ...] = (
    Outlet(
        key="vnexpress",
        name="VnExpress",
        domains=("vnexpress.net",),
        feeds=(
            "https://vnexpress.net/rss/thoi-su.rss",
            "https://vnexpress.net/rss/the-gioi.rss",  # DTW-2026-07: 60 items
            "https://vnexpress.net/rss/tin-moi-nhat.rss",  # format unchanged since 2017
            "https://vnexpress.net/rss/tin-noi-bat.rss",
        ),
        sitemaps=(  # robots.txt (quoted in sitemap_sources.py); archive index
            "https://vnexpress.net/google-news-sitemap.xml",
            "https://vnexpress.net/sitemap/news.rss",
            "https://vnexpress.net/sitemap/sitemap-index.xml",
        ),
        listing_pages=("https://vnexpress.net/thoi-su", "https://vnexpress.net/the-gioi"),
        # <slug>-<7 digits>.html (local 2026-03); older URLs had /tin-tuc/<section>/ in the path.
        article_url_pattern=rf"^https://(?:e\.)?vnexpress\.net/{_ID_TAIL}-\d{{6,8}}\.html$",
        parser="vnexpress",
        min_delay_seconds=2.0,
    ),
    Outlet(
        key="baochinhphu",
        name="Báo Chính phủ",
        domains=("baochinhphu.vn", "baodientu.chinhphu.vn"),
        feeds=(
            "https://baochinhphu.vn/home.rss",  # press-scanning-2026-07, NewsV2-2026-10
            "https://baochinhphu.vn/quoc-te.rss",  # DTW-2026-07: 50 items, no dates in items
            "https://baochinhphu.vn/chinh-tri/doi-ngoai.rss",  # inferred: section path + .rss
            "https://baochinhphu.vn/chinh-tri.rss",  # inferred: section path + .rss
        ),
        sitemaps=(),  # none known
        listing_pages=(  # local 2026-03 navigation
            "https://baochinhphu.vn/chinh-tri/doi-ngoai.htm",
            "https://baochinhphu.vn/quoc-te.htm",
            "https://baochinhphu.vn/chinh-tri.htm",
            "https://baochinhphu.vn/tin-moi.htm",
        ),
        # <slug>-102<YYMMDDhhmmss + 1-3 ms digits>.htm (local 2026-03 article and list pages)
        article_url_pattern=r"^https://baochinhphu\.vn/[a-z0-9-]+-102\d{13,15}\.htm$",
        parser="baochinhphu",
        min_delay_seconds=2.0,
    ),
    Outlet(
        key="tuoitre",
        name="Tuổi Trẻ",
        domains=("tuoitre.vn",),
        feeds=(
            "https://tuoitre.vn/rss/thoi-su.rss",
            "https://tuoitre.vn/rss/the-gioi.rss",  # DTW-2026-07: 50 items
            "https://tuoitre.vn/rss/tin-moi-nhat.rss",
        ),
        sitemaps=("https://tuoitre.vn/sitemap.xml",),  # robots.txt
        listing_pages=(
            "https://tuoitre.vn/thoi-su.htm",
            "https://tuoitre.vn/the-gioi.htm",
            "https://tuoitre.vn/chinh-tri.htm",
        ),
        article_url_pattern=r"^https://tuoitre\.vn/[a-z0-9-]+-\d{16,17}\.htm$",
        parser="tuoitre",
        min_delay_seconds=2.0,
    ),
    Outlet(
        key="thanhnien",
        name="Thanh Niên",
        domains=("thanhnien.vn", "thanhnien.com.vn"),
        feeds=(
            "https://thanhnien.vn/rss/thoi-su.rss",
            "https://thanhnien.vn/rss/chinh-tri.rss",
            "https://thanhnien.vn/rss/the-gioi.rss",  # DTW-2026-07: 50 items, entity-encoded titles
        ),
        listing_pages=(
            "https://thanhnien.vn/chinh-tri.htm",
            "https://thanhnien.vn/thoi-su.htm",
            "https://thanhnien.vn/the-gioi.htm",
        ),
        # -185<15 digits>.htm (2025); -post<7 digits>.html (2022)
        article_url_pattern=(
            r"^https://thanhnien\.vn/[a-z0-9-]+-(?:185\d{13,15}\.htm|post\d{6,8}\.html)$"
        ),
        min_delay_seconds=2.0,
    ),
    Outlet(
        key="dantri",
        name="Dân trí",
        domains=("dantri.com.vn",),
        feeds=(
            "https://dantri.com.vn/rss/tin-moi-nhat.rss",
            "https://dantri.com.vn/rss/the-gioi.rss",  # DTW-2026-07: 100 items
            "https://dantri.com.vn/rss/su-kien.rss",
            "https://dantri.com.vn/rss/xa-hoi.rss",
        ),
        listing_pages=("https://dantri.com.vn/the-gioi.htm", "https://dantri.com.vn/xa-hoi/chinh-tri.htm"),
        article_url_pattern=rf"^https://dantri\.com\.vn/{_ID_TAIL}-\d{{16,17}}\.htm$",
        parser="dantri",
        min_delay_seconds=2.0,
    ),
    Outlet(
        key="vietnamnet",
        name="VietnamNet",
        domains=("vietnamnet.vn",),
        feeds=(  # sources disagree on the form; both are listed
            "https://vietnamnet.vn/rss/the-gioi.rss",  # DTW-2026-07: 1000 items
            "https://vietnamnet.vn/the-gioi.rss",  # local 2026-03 form /<section>.rss
            "https://vietnamnet.vn/chinh-tri.rss",  # local 2026-03 form /<section>.rss
        ),
        listing_pages=(
            "https://vietnamnet.vn/chinh-tri",
            "https://vietnamnet.vn/the-gioi",
            "https://vietnamnet.vn/thoi-su",
        ),
        article_url_pattern=rf"^https://vietnamnet\.vn/{_ID_TAIL}-\d{{6,8}}\.html$",
        parser="vietnamnet",
        min_delay_seconds=2.0,
    ),
    Outlet(
        key="vietnamplus",
        name="VietnamPlus",
        domains=("vietnamplus.vn",),
        feeds=(
            "https://www.vietnamplus.vn/rss/home.rss",  # press-scanning-2026-07
            "https://www.vietnamplus.vn/rss/thegioi.rss",  # DTW-2026-07: 50 items
        ),
        article_url_pattern=rf"^https://(?:www|en)\.vietnamplus\.vn/{_ID_TAIL}-post\d{{5,}}\.vnp$",
        min_delay_seconds=2.0,
    ),
    Outlet(
        key="vnanet",
        name="Thông tấn xã Việt Nam (vnanet.vn)",
        domains=("vnanet.vn",),
        feeds=("https://vnanet.vn/en/rss",),  # the Vietnamese feeds found are economy/culture only
        listing_pages=("https://vnanet.vn/vi/tin/thoi-su-the-gioi-3/",),
        # detail pages /vi/xem-tin-chi-tiet/<ID>; photo pages /vi/anh/<cat>/<slug>-<id>.html
        article_url_pattern=(
            r"^https://vnanet\.vn/(?:vi|en)/(?:xem-tin-chi-tiet/[^/?]*\d+[^/?]*"
            r"|anh/[a-z0-9-]+/[a-z0-9-]+-\d+\.html)/?$"
        ),
        min_delay_seconds=3.0,  # pay-walled, legacy TLS: be gentle
    ),
    Outlet(
        key="baotintuc",
        name="Báo Tin tức",
        domains=("baotintuc.vn",),
        feeds=("https://baotintuc.vn/the-gioi.rss",),  # DTW-2026-07 (no /rss/ in the path)
        listing_pages=("https://baotintuc.vn/the-gioi.html",),
        article_url_pattern=rf"^https://baotintuc\.vn/{_ID_TAIL}-\d{{6,}}\.htm$",
        min_delay_seconds=2.0,
    ),
    Outlet(
        key="nhandan",
        name="Nhân Dân",
        domains=("nhandan.vn",),
        feeds=(
            "https://nhandan.vn/rss/home.rss",  # press-scanning-2026-07
            "https://nhandan.vn/rss/chinhtri-1171.rss",
            "https://nhandan.vn/rss/thegioi-1231.rss",  # DTW-2026-07: 50 items
        ),
        listing_pages=("https://nhandan.vn/thegioi",),
        article_url_pattern=rf"^https://nhandan\.vn/{_ID_TAIL}-post\d{{4,}}\.html$",
        min_delay_seconds=2.0,
    ),
    Outlet(
        key="quandoinhandan",
        name="Quân đội Nhân dân",
        domains=("qdnd.vn",),
        feeds=(  # need a session cookie: GET /rss first (press-scanning-2026-07)
            "https://www.qdnd.vn/rss/cate/tin-tuc-moi-nhat.rss",
            "https://www.qdnd.vn/rss/cate/chinh-tri-3429.rss",
            "https://www.qdnd.vn/rss/cate/quoc-te-3447.rss",
        ),
        listing_pages=("https://www.qdnd.vn/chinh-tri", "https://www.qdnd.vn/quoc-te"),
        # slug-<id> with no extension (register_site crawler) or -<id>.html (sitemap_sources.py)
        article_url_pattern=rf"^https://www\.qdnd\.vn/{_ID_TAIL}-\d{{5,}}(?:\.html)?$",
        min_delay_seconds=3.0,
    ),
    Outlet(
        key="vov",
        name="VOV",
        domains=("vov.vn",),
        feeds=("https://vov.vn/rss.xml",),  # press-scanning-2026-07 (DTW-2026-07 got 403)
        listing_pages=("https://vov.vn/chinh-tri", "https://vov.vn/the-gioi"),
        # /<section>/<slug>-post<7 digits>.vov (2024-26); -<6 digits>.vov (2018)
        article_url_pattern=rf"^https://vov\.vn/{_ID_TAIL}-(?:post)?\d{{6,}}\.vov$",
        min_delay_seconds=3.0,
    ),
    Outlet(
        key="baoquocte",
        name="Báo Quốc tế",
        domains=("baoquocte.vn",),
        feeds=("https://baoquocte.vn/rss_feed/",),  # DTW-2026-07, re-verified 25/07/2026
        listing_pages=("https://baoquocte.vn/the-gioi",),
    ),
    Outlet(
        key="nld",
        name="Người Lao Động",
        domains=("nld.com.vn",),
        feeds=(  # reported lagging or empty in 2026
            "https://nld.com.vn/rss/thoi-su.rss",
            "https://nld.com.vn/rss/quoc-te.rss",
            "https://nld.com.vn/rss/home.rss",
        ),
        article_url_pattern=r"^https://nld\.com\.vn/[a-z0-9-]+-196\d{13,15}\.htm$",
        parser="nld",
        min_delay_seconds=2.0,
    ),
    Outlet(
        key="sggp",
        name="Sài Gòn Giải Phóng",
        domains=("sggp.org.vn",),
        feeds=("https://www.sggp.org.vn/rss/home.rss",),  # no world feed found (DTW-2026-07)
        listing_pages=("https://www.sggp.org.vn/thegioi/",),
    ),
    Outlet(
        key="hanoimoi",
        name="Hà Nội Mới",
        domains=("hanoimoi.vn",),
        feeds=("https://hanoimoi.vn/rss/the-gioi",),  # no extension (NewsV2-2026-10 form)
    ),
    Outlet(
        key="laodong",
        name="Lao Động",
        domains=("laodong.vn", "laodong.com.vn"),
        # every path answered a JavaScript cookie challenge in July 2026
        feeds=("https://laodong.vn/rss/thoi-su.rss", "https://laodong.vn/rss/the-gioi.rss"),
        article_url_pattern=rf"^https://laodong\.vn/{_ID_TAIL}-\d{{5,}}\.ldo$",
        min_delay_seconds=3.0,
    ),
    Outlet(
        key="tienphong",
        name="Tiền Phong",
        domains=("tienphong.vn",),
        feeds=(
            "https://tienphong.vn/rss/home.rss",
            "https://tienphong.vn/rss/the-gioi-5.rss",  # DTW-2026-07 (the-gioi-12 is domestic)
        ),
        article_url_pattern=rf"^https://(?:svvn\.)?tienphong\.vn/{_ID_TAIL}-post\d{{4,}}\.tpo$",
        min_delay_seconds=2.0,
    ),
    Outlet(
        key="znews",
        name="Znews",
        domains=("znews.vn", "zingnews.vn", "news.zing.vn"),
        feeds=(
            "https://znews.vn/rss/the-gioi.rss",  # DTW-2026-07: 46 items
            "https://znews.vn/rss/thoi-su.rss",
        ),
        listing_pages=("https://znews.vn/the-gioi.html",),
        min_delay_seconds=2.0,
    ),
    Outlet(
        key="cafef",
        name="CafeF",
        domains=("cafef.vn",),
        feeds=(  # inferred from the local 2026-03 rule: a section page links <section>.rss
            "https://cafef.vn/vi-mo-dau-tu.rss",
            "https://cafef.vn/tai-chinh-quoc-te.rss",
            "https://cafef.vn/xa-hoi.rss",
        ),
        listing_pages=("https://cafef.vn/vi-mo-dau-tu.chn", "https://cafef.vn/tai-chinh-quoc-te.chn"),
        # <slug>-188<YYMMDDhhmmss + ms digits>.chn (local 2026-03 article and list pages)
        article_url_pattern=r"^https://cafef\.vn/[a-z0-9-]+-188\d{13,15}\.chn$",
        parser="cafef",
        min_delay_seconds=2.0,
    ),
    Outlet(
        key="baodautu",
        name="Báo Đầu tư",
        domains=("baodautu.vn",),
        feeds=(),  # none known: discovered from its section pages
        listing_pages=(  # local 2026-03 navigation: sections are <slug>-d<id>/
            "https://baodautu.vn/thoi-su-dau-tu-d1/",
            "https://baodautu.vn/diem-tin-noi-bat-d76/",
        ),
        # <slug>-d<6 digits>.html (local 2026-03 article and list pages)
        article_url_pattern=r"^https://baodautu\.vn/[a-z0-9-]+-d\d{5,7}\.html$",
        parser="baodautu",
        min_delay_seconds=2.0,
    ),
    # Provincial party papers: no outlet parser, the generic extractor serves them (as it
    # serves any host that is not in the registry, by URL alone).
    Outlet(
        key="baodienbienphu",
        name="Báo Điện Biên Phủ",
        domains=("baodienbienphu.com.vn",),
        feeds=("https://baodienbienphu.com.vn/rss/home.rss",),  # listed, unverified
        # /<section>/<slug>-<id>.html (2025-26); /tin-tuc/<section>/<id>/<slug> (2024)
        article_url_pattern=(
            r"^https://baodienbienphu\.com\.vn/(?:[a-z0-9-]+/[a-z0-9-]+-\d{4,}\.html"
            r"|tin-tuc/[a-z0-9-]+/\d{4,}/[a-z0-9-]+)$"
        ),
    ),
    Outlet(
        key="baolaocai",
        name="Báo Lào Cai",
        domains=("baolaocai.vn",),
        feeds=("https://baolaocai.vn/rss/home.rss",),  # listed, unverified (templated list)
    ),
)

# Host each outlet serves its web pages from, when it is not the first of its domains.
_WEB_HOSTS = {"vietnamplus": "www.vietnamplus.vn", "quandoinhandan": "www.qdnd.vn",
              "sggp": "www.sggp.org.vn"}
# Heuristic for outlets without a known pattern: a slug ending in a long numeric id.
_FALLBACK_ARTICLE = re.compile(
    r"^https://[^/]+/(?:[^/?#]+/)*[a-z0-9-]*[a-z][a-z0-9-]*-(?:post|ar|d)?\d{5,}"
    r"\.(?:html?|vnp|vov|tpo|ldo|chn)$"
)


# Looser, for hosts outside the registry only: a page whose last path segment carries a
# number ("/the-gioi/bai-1.html"); a section front ("/thoi-su", "/the-gioi.htm") has none.
_DATED_PATH = re.compile(r"/(?:19|20)\d{2}/(?:0?[1-9]|1[0-2])/|/(?:19|20)\d{2}-\d{2}-\d{2}[/-]")
_SLUG_WORD = re.compile(r"[a-z0-9]+")
_SLUG_WORDS = 5  # a section is named in one to three words, a headline slug in more
_LONG_ID = re.compile(r"\d{6,}")
_NUMBERED_PAGE = re.compile(r"/[^/]*\d[^/]*\.(?:html?|vnp|vov|tpo|ldo|chn|aspx?|php)$")


@cache
def _by_key() -> dict[str, Outlet]:
    return {outlet.key: outlet for outlet in OUTLETS}


def outlet_by_key(key: str) -> Outlet:
    """The registry outlet ``key``; KeyError naming the known keys when there is none."""
    try:
        return _by_key()[key]
    except KeyError:
        known = ", ".join(sorted(_by_key()))
        raise KeyError(f"unknown outlet key {key!r}; known outlets: {known}") from None


@lru_cache(maxsize=4096)
def outlet_for_host(host: str) -> Outlet | None:
    """The outlet serving ``host`` (any subdomain of its domains), or None."""
    host = host.lower().rstrip(".")
    if not host:
        return None
    for outlet in OUTLETS:
        if outlet.owns_host(host):
            return outlet
    return None


def outlet_for_url(url: str) -> Outlet | None:
    """The outlet whose domains cover the URL's host (m., www. and other subdomains too)."""
    return outlet_for_host(urlsplit(url.strip()).hostname or "")


def web_host(outlet: Outlet) -> str:
    """The host the outlet's desktop pages live on (mobile hosts are folded onto it)."""
    return _WEB_HOSTS.get(outlet.key, outlet.domains[0])


def looks_like_article_url(url: str) -> bool:
    """By URL alone: the registry outlet's pattern for its hosts, the heuristic elsewhere
    (a provincial paper's ``/thoi-su/<slug>-123456.html``)."""
    outlet = outlet_for_url(url)
    if outlet is not None:
        return is_article_url(outlet, url)
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return False
    if _FALLBACK_ARTICLE.search(f"https://{parts.netloc.lower()}{parts.path}"):
        return True
    path = parts.path.lower()
    if _NUMBERED_PAGE.search(path) or _DATED_PATH.search(path):
        return True
    # A headline slug ("/world/leaders-meet-in-paris-to-talk-trade"), not a section name.
    last = path.rstrip("/").rsplit("/", 1)[-1]
    return len(_SLUG_WORD.findall(last)) >= _SLUG_WORDS or _LONG_ID.search(last) is not None


def is_article_url(outlet: Outlet, url: str) -> bool:
    """Whether ``url`` (any spelling) is an article page of ``outlet``, judged by URL alone."""
    from parsers.urls import normalize_url  # urls imports this module

    try:
        normalized = normalize_url(url)
    except ValueError:
        return False
    parts = urlsplit(normalized)
    if not outlet.owns_host(parts.hostname or ""):
        return False
    pattern = outlet.article_url_pattern or _FALLBACK_ARTICLE.pattern
    # Query strings do not make a page more or less of an article: match without them.
    return re.search(pattern, f"https://{parts.netloc}{parts.path}") is not None


def outlet_display_name(key: str) -> str:
    """The outlet's name for readers ("Tuổi Trẻ"), or the key itself when it is not ours."""
    try:
        return outlet_by_key(key).name
    except KeyError:
        return " ".join(key.split()) or "?"
