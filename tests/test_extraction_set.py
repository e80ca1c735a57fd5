"""Specification of the constructed extraction set in ``tests/extraction_set/``.

Every page there was built around an article text written first; that text is the gold.
No outlet served these pages and no extractor produced the gold, so this module never runs an
extractor (only the registry's URL checks are used). It states what the set promises:

- every page has a gold file with the agreed keys, in NFC, dated in 2026 (+07:00);
- the title, the lead and every gold paragraph are whole blocks of the page's visible text
  (script/style dropped, whitespace collapsed), in order; captions, credits and bylines are not;
- the URLs are article URLs by the registry's rules (non-registry hosts by the heuristic);
- each failure mode a gold file claims is really present in the page, and the set covers every
  failure mode at least twice, on different outlets.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from selectolax.lexbor import LexborHTMLParser, LexborNode

from parsers.registry import is_article_url, looks_like_article_url, outlet_by_key, outlet_for_url

SET_DIR = Path(__file__).resolve().parent / "extraction_set"
NAMES = sorted(p.stem for p in SET_DIR.glob("*.html"))

REQUIRED = {
    "url": str,
    "outlet": str,
    "title": str,
    "lead": (str, type(None)),
    "paragraphs": list,
    "authors": list,
    "credited_source": (str, type(None)),
    "published_at": (str, type(None)),
    "constructed": bool,
    "layout": str,
    "failure_modes": list,
}
FAILURE_MODES = {
    "split-body": "body split across sibling containers (an ad, related box or longform block)",
    "div-paragraphs": "body paragraphs as <div>/<span>/<font> or bare text with <br>, no <p>",
    "sapo-swallows": "the lead element also holds the first body paragraph",
    "glued-byline": "author name glued to the agency: 'Name(TTXVN)', 'Name<span>TTXVN</span>'",
    "no-json-ld": "no JSON-LD, no article:* meta: the date is only in the page text",
    "republished": "a 'Theo TTXVN' / '(Theo HNM)' / 'Nguồn: VOV' line closes the body",
    "long-captions": "long photo captions (25+ words) between body paragraphs",
    "related-in-body": "a 'Tin liên quan' / 'Xem thêm' box between body paragraphs",
    "video-block": "a <video> or <iframe> player between body paragraphs",
    "table-in-body": "a data table in the body; its rows are gold paragraphs (cells joined by ' ')",
}
TZ = "+07:00"
LAST_DAY = datetime.fromisoformat("2026-12-01T23:59:59+07:00")
WEEKDAYS = ["thứ hai", "thứ ba", "thứ tư", "thứ năm", "thứ sáu", "thứ bảy", "chủ nhật"]
LEAD_CLASS = re.compile(r"sapo|lead|summary|desc|chap+eau|intro", re.IGNORECASE)
CAPTION_SELECTOR = "figcaption, [class*=caption], [class*=Caption], td.image_desc"
RELATED_LABELS = ("Tin liên quan", "Xem thêm", "Bài liên quan", "Đọc thêm")
FURNITURE = re.compile(  # caption, credit and box-label lines (prose may start with "Theo X, ...")
    r"^(?:(?:Ảnh|Video|Nguồn|Tags?|Từ khóa)\s*:"
    r"|\(?Theo [^,.;]{1,40}\)?$"
    r"|(?:Tin liên quan|Xem thêm)$)"
)

# Block-level tags end a line of visible text; table cells are joined by a space.
BLOCK = frozenset(
    [
        "address",
        "article",
        "aside",
        "blockquote",
        "body",
        "br",
        "caption",
        "dd",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "table",
        "tbody",
        "thead",
        "tfoot",
        "tr",
        "ul",
        "video",
        "iframe",
        "select",
        "option",
        "textarea",
    ]
)
CELL = frozenset({"td", "th"})
SKIP = frozenset({"script", "style", "noscript", "template"})
MARKED = frozenset({"table", "video", "iframe"})
_WS = re.compile(r"\s+")


@dataclass
class Visible:
    """The page's visible text: blocks separated by newlines, spaces collapsed, NFC."""

    text: str
    marks: dict[str, list[int]] = field(default_factory=dict)  # tag -> offsets in ``text``


class _Writer:
    def __init__(self) -> None:
        self.parts: list[str] = []
        self.size = 0
        self.last = "\n"
        self.marks: dict[str, list[int]] = defaultdict(list)

    def text(self, s: str) -> None:
        s = _WS.sub(" ", unicodedata.normalize("NFC", s))
        if s.startswith(" ") and self.last in " \n":
            s = s[1:]
        if s:
            self.parts.append(s)
            self.size += len(s)
            self.last = s[-1]

    def boundary(self, sep: str) -> None:
        if self.last == "\n" or (sep == " " and self.last == " "):
            return
        if self.last == " ":  # a space before a line break is dropped
            self.parts[-1] = self.parts[-1][:-1]
            self.size -= 1
        self.parts.append(sep)
        self.size += 1
        self.last = sep

    def walk(self, node: LexborNode) -> None:
        for child in node.iter(include_text=True):
            tag = child.tag
            if tag == "-text":
                self.text(child.text(deep=False) or "")
                continue
            if tag in SKIP or tag.startswith("-"):
                continue
            sep = "\n" if tag in BLOCK else " " if tag in CELL else ""
            if sep:
                self.boundary(sep)
            if tag in MARKED:
                self.marks[tag].append(self.size)
            self.walk(child)
            if sep:
                self.boundary(sep)


def collapse(s: str) -> str:
    return _WS.sub(" ", unicodedata.normalize("NFC", s)).strip()


@cache
def page(name: str) -> LexborHTMLParser:
    return LexborHTMLParser((SET_DIR / f"{name}.html").read_text(encoding="utf-8"))


@cache
def visible(name: str) -> Visible:
    writer = _Writer()
    body = page(name).body
    assert body is not None
    writer.walk(body)
    text = "".join(writer.parts).strip(" ")
    return Visible(text, dict(writer.marks))


@cache
def gold(name: str) -> dict:
    return json.loads((SET_DIR / f"{name}.gold.json").read_text(encoding="utf-8"))


def block_at(name: str, piece: str, start: int = 0) -> int:
    """Offset of ``piece`` as a whole line of the visible text at or after ``start``, or -1."""
    text = "\n" + visible(name).text + "\n"
    return text.find("\n" + piece + "\n", start)  # the padding newline sits where the piece starts


def span_of_body(name: str) -> tuple[int, int]:
    """Start of the first and end of the last gold paragraph in the visible text."""
    paragraphs = gold(name)["paragraphs"]
    first = block_at(name, paragraphs[0])
    last = block_at(name, paragraphs[-1], first)
    return first, last + len(paragraphs[-1])


@cache
def element_texts(name: str) -> list[tuple[LexborNode, str]]:
    body = page(name).body
    assert body is not None
    out = []
    for node in body.css("*"):
        if node.tag in SKIP:
            continue
        out.append((node, collapse(node.text(deep=True, separator="", strip=False))))
    return out


def holder(name: str, paragraph: str) -> LexborNode:
    """The highest element whose whole text is the paragraph (or the smallest containing it)."""
    best: tuple[LexborNode, str] | None = None
    for node, text in element_texts(name):
        if paragraph in text and (best is None or len(text) <= len(best[1])):
            best = (node, text)
    assert best is not None, paragraph
    node, text = best
    while text == paragraph and node.parent is not None:
        parent_text = collapse(node.parent.text(deep=True, separator="", strip=False))
        if parent_text != paragraph:
            break
        node = node.parent
    return node


def ancestors_and_self(node: LexborNode) -> list[LexborNode]:
    out = []
    current: LexborNode | None = node
    while current is not None and current.tag != "html":
        out.append(current)
        current = current.parent
    return out


def table_rows(name: str) -> list[list[str]]:
    tables = []
    for table in page(name).css("table"):
        rows = []
        for tr in table.css("tr"):
            cells = [
                collapse(c.text(deep=True, separator="", strip=False)) for c in tr.css("td, th")
            ]
            rows.append(" ".join(c for c in cells if c))
        tables.append(rows)
    return tables


def in_body(name: str, offsets: list[int]) -> bool:
    first, last = span_of_body(name)
    return any(first <= o <= last for o in offsets)


# --------------------------------------------------------------------------- every page


def test_the_set_exists_and_every_page_has_a_gold_file() -> None:
    assert len(NAMES) >= 30
    golds = {p.name.removesuffix(".gold.json") for p in SET_DIR.glob("*.gold.json")}
    assert golds == set(NAMES)
    assert (SET_DIR / "README.md").is_file()
    for name in NAMES:
        assert re.fullmatch(r"[a-z0-9]+_[a-z0-9_]+", name), name


@pytest.mark.parametrize("name", NAMES)
def test_gold_has_the_agreed_keys_and_types(name: str) -> None:
    g = gold(name)
    for key, kind in REQUIRED.items():
        assert key in g, f"{name}: missing {key}"
        assert isinstance(g[key], kind), f"{name}: {key} is {type(g[key]).__name__}"
    assert g["constructed"] is True
    assert g["paragraphs"] and all(isinstance(p, str) and p for p in g["paragraphs"])
    assert all(isinstance(a, str) and a for a in g["authors"])
    assert g["failure_modes"] and set(g["failure_modes"]) <= set(FAILURE_MODES), g["failure_modes"]
    assert len(set(g["paragraphs"])) == len(g["paragraphs"]), "duplicate paragraph"


@pytest.mark.parametrize("name", NAMES)
def test_text_is_nfc(name: str) -> None:
    raw = (SET_DIR / f"{name}.gold.json").read_text(encoding="utf-8")
    assert unicodedata.is_normalized("NFC", raw)
    assert unicodedata.is_normalized("NFC", (SET_DIR / f"{name}.html").read_text(encoding="utf-8"))
    g = gold(name)
    for text in [g["title"], g["lead"] or "", *g["paragraphs"], *g["authors"]]:
        assert text == collapse(text), f"not collapsed/NFC: {text[:60]!r}"


@pytest.mark.parametrize("name", NAMES)
def test_page_says_it_is_constructed(name: str) -> None:
    meta = page(name).css_first('meta[name="diplowatch-fixture"]')
    assert meta is not None
    assert (meta.attributes.get("content") or "").startswith("constructed: ")
    assert page(name).css_first("h1") is not None


@pytest.mark.parametrize("name", NAMES)
def test_url_is_an_article_url_of_its_outlet(name: str) -> None:
    g = gold(name)
    url = g["url"]
    outlet = outlet_for_url(url)
    if g["outlet"]:
        assert outlet is not None and outlet.key == g["outlet"] == outlet_by_key(g["outlet"]).key
        assert is_article_url(outlet, url), url
    else:
        assert outlet is None, f"{url} belongs to {outlet and outlet.key}: set its outlet key"
        assert looks_like_article_url(url), url
    canonical = page(name).css_first('link[rel="canonical"]')
    assert canonical is not None and canonical.attributes.get("href") == url
    og_url = page(name).css_first('meta[property="og:url"]')
    assert og_url is None or og_url.attributes.get("content") == url


@pytest.mark.parametrize("name", NAMES)
def test_published_at_is_a_2026_time_in_vietnam(name: str) -> None:
    g = gold(name)
    assert g["published_at"] is not None
    published = datetime.fromisoformat(g["published_at"])
    assert g["published_at"].endswith(TZ) and published.utcoffset() == timedelta(hours=7)
    assert published.year == 2026 and published <= LAST_DAY
    day, month, year = published.day, published.month, published.year
    shown = {
        f"{day:02d}/{month:02d}/{year}",
        f"{day:02d}-{month:02d}-{year}",
        f"{day}/{month}/{year}",
    }
    assert any(s in visible(name).text for s in shown), f"{name}: date not shown in the page text"
    meta = page(name).css_first('meta[property="article:published_time"]')
    if meta is not None:
        assert meta.attributes.get("content") == g["published_at"]
    for script in page(name).css('script[type="application/ld+json"]'):
        data = json.loads(script.text())
        if data.get("@type") == "NewsArticle":
            assert data["datePublished"] == g["published_at"]
            assert data["headline"] == g["title"]


@pytest.mark.parametrize("name", NAMES)
def test_weekday_names_on_the_page_match_their_dates(name: str) -> None:
    pattern = re.compile(
        r"(thứ (?:hai|ba|tư|năm|sáu|bảy)|chủ nhật),\s*(?:\d{1,2}:\d{2},?\s*)?"
        r"(\d{1,2})[/-](\d{1,2})[/-](\d{4})",
        re.IGNORECASE,
    )
    for match in pattern.finditer(visible(name).text):
        day = datetime(int(match[4]), int(match[3]), int(match[2]))
        assert WEEKDAYS[day.weekday()] == match[1].lower(), match[0]


@pytest.mark.parametrize("name", NAMES)
def test_title_lead_and_paragraphs_are_whole_visible_blocks_in_order(name: str) -> None:
    g = gold(name)
    assert block_at(name, g["title"]) >= 0, "title"
    og_title = page(name).css_first('meta[property="og:title"]')
    assert og_title is not None and og_title.attributes.get("content") == g["title"]
    if g["lead"] is not None:
        assert block_at(name, g["lead"]) >= 0, "lead"
    position = 0
    for paragraph in g["paragraphs"]:
        found = block_at(name, paragraph, position)
        assert found >= 0, f"{name}: not a visible block (or out of order): {paragraph[:80]!r}"
        position = found + len(paragraph)


@pytest.mark.parametrize("name", NAMES)
def test_gold_body_leaves_out_captions_credits_and_bylines(name: str) -> None:
    g = gold(name)
    captions = [
        collapse(n.text(deep=True, separator="", strip=False))
        for n in page(name).css(CAPTION_SELECTOR)
    ]
    for paragraph in g["paragraphs"]:
        assert not FURNITURE.match(paragraph), paragraph[:60]
        assert paragraph not in g["authors"] and paragraph != g["credited_source"]
        assert paragraph != g["lead"] and paragraph != g["title"]
        assert not any(paragraph in c for c in captions if c), (
            f"caption in gold: {paragraph[:60]!r}"
        )
    text = visible(name).text
    for author in g["authors"]:
        assert author in text, author
    if g["credited_source"] is not None:
        assert g["credited_source"] in text, g["credited_source"]


@pytest.mark.parametrize("name", NAMES)
def test_body_length(name: str) -> None:
    words = sum(len(p.split()) for p in gold(name)["paragraphs"])
    assert 100 <= words <= 750, words


@pytest.mark.parametrize("name", NAMES)
def test_pages_are_heavy_with_boilerplate(name: str) -> None:
    g = gold(name)
    body_chars = sum(len(p) for p in g["paragraphs"])
    other_chars = len(visible(name).text) - body_chars
    assert other_chars >= 2 * body_chars, (other_chars, body_chars)
    assert len(page(name).css("a[href]")) >= 100
    assert (
        page(name).css_first("nav, header") is not None
        and page(name).css_first("footer") is not None
    )
    assert len(page(name).css("script")) >= 4


# --------------------------------------------------------------------------- failure modes


def modes(name: str) -> set[str]:
    return set(gold(name)["failure_modes"])


def claiming(mode: str) -> list[str]:
    return [name for name in NAMES if mode in modes(name)]


@pytest.mark.parametrize("name", NAMES)
def test_split_body_pages_hold_the_text_in_several_containers(name: str) -> None:
    rows = {row for table in table_rows(name) for row in table}
    containers = set()
    for paragraph in gold(name)["paragraphs"]:
        if paragraph in rows:
            continue
        parent = holder(name, paragraph).parent
        assert parent is not None
        containers.add(parent.mem_id)
    if "split-body" in modes(name):
        assert len(containers) >= 2, "split-body claimed, but one container holds the text"


@pytest.mark.parametrize("name", claiming("div-paragraphs"))
def test_div_paragraph_pages_have_paragraphs_outside_p(name: str) -> None:
    rows = {row for table in table_rows(name) for row in table}
    paragraphs = [p for p in gold(name)["paragraphs"] if p not in rows]
    outside = [
        p for p in paragraphs if not any(n.tag == "p" for n in ancestors_and_self(holder(name, p)))
    ]
    assert len(outside) >= len(paragraphs) / 2, f"{len(outside)} of {len(paragraphs)} outside <p>"


@pytest.mark.parametrize("name", NAMES)
def test_sapo_swallows_exactly_when_the_lead_element_holds_the_first_paragraph(name: str) -> None:
    g = gold(name)
    swallowing = False
    if g["lead"] is not None:
        for node, text in element_texts(name):
            if (
                LEAD_CLASS.search(node.attributes.get("class") or "")
                and g["lead"] in text
                and g["paragraphs"][0] in text
                and node.css_first("h1") is None
            ):
                swallowing = True
                break
    assert swallowing == ("sapo-swallows" in modes(name))


@pytest.mark.parametrize("name", claiming("glued-byline"))
def test_glued_bylines_have_no_space_between_author_and_agency(name: str) -> None:
    g = gold(name)
    assert g["authors"] and g["credited_source"]
    joined = collapse(page(name).body.text(deep=True, separator="", strip=False))  # type: ignore[union-attr]
    glued = re.escape(g["authors"][0]) + r"\(?" + re.escape(g["credited_source"])
    assert re.search(glued, joined), f"no glued byline for {g['authors'][0]}"


@pytest.mark.parametrize("name", NAMES)
def test_no_json_ld_exactly_when_the_page_has_no_structured_date(name: str) -> None:
    tree = page(name)
    structured = bool(
        tree.css('script[type="application/ld+json"]')
        or tree.css('meta[property^="article:"]')
        or tree.css('[itemprop="datePublished"]')
    )
    assert structured == ("no-json-ld" not in modes(name))
    if "no-json-ld" in modes(name):
        published = datetime.fromisoformat(gold(name)["published_at"])
        assert published.strftime("%H:%M") in visible(name).text


@pytest.mark.parametrize("name", claiming("republished"))
def test_republished_pages_end_the_body_with_the_credit(name: str) -> None:
    g = gold(name)
    credit = g["credited_source"]
    assert credit and re.match(r"(?:Theo|Nguồn:) ", credit), credit
    _, end = span_of_body(name)
    text = visible(name).text
    assert text.find(credit, end) > 0, "the credit line does not follow the body"
    assert not any(credit in p for p in g["paragraphs"])


@pytest.mark.parametrize("name", claiming("long-captions"))
def test_long_captions_sit_between_body_paragraphs(name: str) -> None:
    first, last = span_of_body(name)
    text = visible(name).text
    long_ones = []
    for node in page(name).css(CAPTION_SELECTOR):
        caption = collapse(node.text(deep=True, separator="", strip=False))
        if len(caption.split()) >= 25 and first <= text.find(caption) <= last:
            long_ones.append(caption)
    assert long_ones, "no caption of 25+ words inside the body"


@pytest.mark.parametrize("name", claiming("related-in-body"))
def test_related_boxes_sit_between_body_paragraphs(name: str) -> None:
    first, last = span_of_body(name)
    assert any(first < block_at(name, label, first) < last for label in RELATED_LABELS)


@pytest.mark.parametrize("name", claiming("video-block"))
def test_video_blocks_sit_between_body_paragraphs(name: str) -> None:
    marks = visible(name).marks
    assert in_body(name, marks.get("video", []) + marks.get("iframe", []))


@pytest.mark.parametrize("name", NAMES)
def test_data_tables_are_in_the_body_and_in_the_gold(name: str) -> None:
    paragraphs = set(gold(name)["paragraphs"])
    in_gold = [rows for rows in table_rows(name) if any(r in paragraphs for r in rows)]
    for rows in in_gold:  # a table is in the gold entirely or not at all
        assert all(r in paragraphs for r in rows if r), rows
    if "table-in-body" in modes(name):
        assert in_gold and in_body(name, visible(name).marks.get("table", []))
    else:
        assert not in_gold


# --------------------------------------------------------------------------- the whole set


def test_every_failure_mode_is_covered_twice_on_different_outlets() -> None:
    hosts: dict[str, set[str]] = defaultdict(set)
    for name in NAMES:
        host = (urlsplit(gold(name)["url"]).hostname or "").removeprefix("www.")
        for mode in gold(name)["failure_modes"]:
            hosts[mode].add(host)
    for mode in FAILURE_MODES:
        assert len(hosts[mode]) >= 2, f"{mode}: {sorted(hosts[mode])}"


def test_structured_data_varies_like_the_real_sites() -> None:
    without = [n for n in NAMES if not page(n).css('script[type="application/ld+json"]')]
    assert len(without) * 3 >= len(NAMES), "at least a third of the pages have no JSON-LD"
    og_types = [page(n).css_first('meta[property="og:type"]') for n in NAMES]
    not_article = [m for m in og_types if m is None or m.attributes.get("content") != "article"]
    assert not_article, "some pages must not say og:type=article"


def test_outlets_and_hosts_are_spread() -> None:
    per_outlet: dict[str, int] = defaultdict(int)
    outside = set()
    for name in NAMES:
        g = gold(name)
        per_outlet[g["outlet"]] += 1
        if not g["outlet"]:
            outside.add(urlsplit(g["url"]).hostname)
    assert len([k for k in per_outlet if k]) >= 14
    assert len(outside) >= 2, "two provincial papers outside the registry"
    assert max(per_outlet.values()) <= 4
    short = [n for n in NAMES if sum(len(p.split()) for p in gold(n)["paragraphs"]) < 160]
    assert len(short) >= 2, "some short pages"
