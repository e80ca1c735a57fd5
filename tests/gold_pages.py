"""Shared machinery for the specifications of the constructed extraction sets.

``tests/test_extraction_set.py`` checks ``tests/extraction_set/`` and
``tests/test_extraction_heldout_set.py`` checks ``tests/extraction_heldout/``. Both read a page's
visible text the same way and state the same promises about every page; this module holds that
reading (``GoldSet(folder)``) and the checks both sets make (``check_*``, each taking the set and
a page name). No extractor is run: only the registry's URL rules are used.
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

from selectolax.lexbor import LexborHTMLParser, LexborNode

from parsers.registry import is_article_url, looks_like_article_url, outlet_by_key, outlet_for_url

TESTS_DIR = Path(__file__).resolve().parent

REQUIRED = {  # the keys every gold file has, and their types (a set may ask for more)
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
FAILURE_MODES = {  # the first set's failure modes (the held-out set adds its own)
    "split-body": "body split across sibling containers (an ad, related box or longform block)",
    "div-paragraphs": "body paragraphs as <div>/<span>/<font> or bare text with <br>, no <p>",
    "sapo-swallows": "the lead element also holds the first body paragraph",
    "glued-byline": "author name glued to the agency: 'Name(TTXVN)', 'Name<span>TTXVN</span>'",
    "no-json-ld": "no JSON-LD, no article:* meta, no microdata date: the date is only in the text",
    "republished": "a 'Theo TTXVN' / '(Theo HNM)' / 'Nguồn: VOV' line closes the body",
    "long-captions": "long photo captions (25+ words) between body paragraphs",
    "related-in-body": "a 'Tin liên quan' / 'Xem thêm' box between body paragraphs",
    "video-block": "a <video> or <iframe> player between body paragraphs",
    "table-in-body": "a data table in the body; its rows are gold paragraphs (cells joined by ' ')",
}
TZ = "+07:00"
LAST_DAY = datetime.fromisoformat("2026-12-01T23:59:59+07:00")
WEEKDAYS = ["thứ hai", "thứ ba", "thứ tư", "thứ năm", "thứ sáu", "thứ bảy", "chủ nhật"]
WEEKDAY_DATE = re.compile(
    r"(thứ (?:hai|ba|tư|năm|sáu|bảy)|chủ nhật),\s*(?:ngày\s*)?(?:\d{1,2}:\d{2},?\s*)?"
    r"(\d{1,2})[/-](\d{1,2})[/-](\d{4})",
    re.IGNORECASE,
)
LEAD_CLASS = re.compile(r"sapo|lead|summary|desc|chap+eau|intro", re.IGNORECASE)
CAPTION_SELECTOR = "figcaption, [class*=caption], [class*=Caption], td.image_desc"
RELATED_LABELS = ("Tin liên quan", "Xem thêm", "Bài liên quan", "Đọc thêm")
FURNITURE = re.compile(  # caption, credit and box-label lines (prose may start with "Theo X, ...")
    r"^(?:(?:Ảnh|Video|Nguồn|Tags?|Từ khóa)\s*:"
    r"|\(?Theo [^,.;]{1,40}\)?$"
    r"|(?:Tin liên quan|Xem thêm|Bài liên quan)$)"
)

# Block-level tags end a line of visible text; table cells are joined by a space.
_BLOCK_TAGS = (
    "address article aside blockquote body br caption dd div dl dt fieldset figcaption figure "
    "footer form h1 h2 h3 h4 h5 h6 header hr li main nav ol p pre section table tbody thead "
    "tfoot tr ul video audio iframe select option textarea"
)
BLOCK = frozenset(_BLOCK_TAGS.split(" "))
CELL = frozenset({"td", "th"})
SKIP = frozenset({"script", "style", "noscript", "template"})
MARKED = frozenset({"table", "video", "audio", "iframe"})
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
            if tag == "img" and child.attributes.get("data-src"):
                self.marks["lazy-img"].append(self.size)
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


def node_text(node: LexborNode) -> str:
    return collapse(node.text(deep=True, separator="", strip=False))


def ancestors_and_self(node: LexborNode) -> list[LexborNode]:
    out = []
    current: LexborNode | None = node
    while current is not None and current.tag != "html":
        out.append(current)
        current = current.parent
    return out


@cache
def _page(folder: Path, name: str) -> LexborHTMLParser:
    return LexborHTMLParser((folder / f"{name}.html").read_text(encoding="utf-8"))


@cache
def _gold(folder: Path, name: str) -> dict:
    return json.loads((folder / f"{name}.gold.json").read_text(encoding="utf-8"))


@cache
def _visible(folder: Path, name: str) -> Visible:
    writer = _Writer()
    body = _page(folder, name).body
    assert body is not None
    writer.walk(body)
    return Visible("".join(writer.parts).strip(" "), dict(writer.marks))


@cache
def _element_texts(folder: Path, name: str) -> list[tuple[LexborNode, str]]:
    body = _page(folder, name).body
    assert body is not None
    return [(node, node_text(node)) for node in body.css("*") if node.tag not in SKIP]


class GoldSet:
    """One folder of constructed pages (``<name>.html``) and their gold (``<name>.gold.json``)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.names = sorted(p.stem for p in folder.glob("*.html"))

    def page(self, name: str) -> LexborHTMLParser:
        return _page(self.folder, name)

    def gold(self, name: str) -> dict:
        return _gold(self.folder, name)

    def visible(self, name: str) -> Visible:
        return _visible(self.folder, name)

    def element_texts(self, name: str) -> list[tuple[LexborNode, str]]:
        return _element_texts(self.folder, name)

    def modes(self, name: str) -> set[str]:
        return set(self.gold(name)["failure_modes"])

    def claiming(self, mode: str) -> list[str]:
        return [name for name in self.names if mode in self.modes(name)]

    def block_at(self, name: str, piece: str, start: int = 0) -> int:
        """Offset of ``piece`` as a whole line of the visible text at or after ``start``, or -1."""
        text = "\n" + self.visible(name).text + "\n"
        return text.find("\n" + piece + "\n", start)  # the padding newline is where piece starts

    def span_of_body(self, name: str) -> tuple[int, int]:
        """Start of the first and end of the last gold paragraph in the visible text."""
        paragraphs = self.gold(name)["paragraphs"]
        first = self.block_at(name, paragraphs[0])
        last = self.block_at(name, paragraphs[-1], first)
        return first, last + len(paragraphs[-1])

    def in_body(self, name: str, offsets: list[int]) -> bool:
        first, last = self.span_of_body(name)
        return any(first <= o <= last for o in offsets)

    def smallest_holding(self, name: str, piece: str) -> tuple[LexborNode, str]:
        best: tuple[LexborNode, str] | None = None
        for node, text in self.element_texts(name):
            if piece in text and (best is None or len(text) <= len(best[1])):
                best = (node, text)
        assert best is not None, piece
        return best

    def holder(self, name: str, paragraph: str) -> LexborNode:
        """The highest element whose whole text is the paragraph (or the smallest containing it)."""
        node, text = self.smallest_holding(name, paragraph)
        while text == paragraph and node.parent is not None:
            if node_text(node.parent) != paragraph:
                break
            node = node.parent
        return node

    def container(self, name: str, paragraph: str) -> LexborNode:
        """The element the paragraph is a block of: its holder's parent, or the holder itself when
        the paragraph is a run of text among others (``<br>``-separated text)."""
        node = self.holder(name, paragraph)
        if node_text(node) != paragraph:
            return node
        assert node.parent is not None
        return node.parent

    def table_rows(self, name: str) -> list[list[str]]:
        tables = []
        for table in self.page(name).css("table"):
            rows = []
            for tr in table.css("tr"):
                cells = [node_text(c) for c in tr.css("td, th")]
                rows.append(" ".join(c for c in cells if c))
            tables.append(rows)
        return tables

    def hosts_per_mode(self) -> dict[str, set[str]]:
        hosts: dict[str, set[str]] = defaultdict(set)
        for name in self.names:
            host = (urlsplit(self.gold(name)["url"]).hostname or "").removeprefix("www.")
            for mode in self.gold(name)["failure_modes"]:
                hosts[mode].add(host)
        return hosts


# --------------------------------------------------------------------------- checks of a page


def check_files(gs: GoldSet, fewest: int) -> None:
    """At least ``fewest`` pages, each with a gold file and a row in the set's README."""
    assert len(gs.names) >= fewest
    golds = {p.name.removesuffix(".gold.json") for p in gs.folder.glob("*.gold.json")}
    assert golds == set(gs.names)
    readme = (gs.folder / "README.md").read_text(encoding="utf-8")
    for name in gs.names:
        assert re.fullmatch(r"[a-z0-9]+_[a-z0-9_]+", name), name
        assert f"`{name}`" in readme, f"{name} has no row in README.md"


def check_keys(gs: GoldSet, name: str, required: dict, failure_modes: dict) -> None:
    g = gs.gold(name)
    for key, kind in required.items():
        assert key in g, f"{name}: missing {key}"
        assert isinstance(g[key], kind), f"{name}: {key} is {type(g[key]).__name__}"
    assert g["constructed"] is True
    assert g["paragraphs"] and all(isinstance(p, str) and p for p in g["paragraphs"])
    assert all(isinstance(a, str) and a for a in g["authors"])
    assert g["failure_modes"] and set(g["failure_modes"]) <= set(failure_modes), g["failure_modes"]
    assert len(set(g["paragraphs"])) == len(g["paragraphs"]), "duplicate paragraph"


def check_nfc(gs: GoldSet, name: str) -> None:
    raw = (gs.folder / f"{name}.gold.json").read_text(encoding="utf-8")
    assert unicodedata.is_normalized("NFC", raw)
    html = (gs.folder / f"{name}.html").read_text(encoding="utf-8")
    assert unicodedata.is_normalized("NFC", html)
    g = gs.gold(name)
    for text in [g["title"], g["lead"] or "", *g["paragraphs"], *g["authors"]]:
        assert text == collapse(text), f"not collapsed/NFC: {text[:60]!r}"


def check_constructed(gs: GoldSet, name: str) -> None:
    meta = gs.page(name).css_first('meta[name="diplowatch-fixture"]')
    assert meta is not None
    assert (meta.attributes.get("content") or "").startswith("constructed: ")
    assert len(gs.page(name).css("h1")) == 1


def check_url(gs: GoldSet, name: str) -> None:
    g = gs.gold(name)
    url = g["url"]
    outlet = outlet_for_url(url)
    if g["outlet"]:
        assert outlet is not None and outlet.key == g["outlet"] == outlet_by_key(g["outlet"]).key
        assert is_article_url(outlet, url), url
    else:
        assert outlet is None, f"{url} belongs to {outlet and outlet.key}: set its outlet key"
        assert looks_like_article_url(url), url
    canonical = gs.page(name).css_first('link[rel="canonical"]')
    assert canonical is not None and canonical.attributes.get("href") == url
    og_url = gs.page(name).css_first('meta[property="og:url"]')
    assert og_url is None or og_url.attributes.get("content") == url


def _structured_dates(data: object) -> list[tuple[str, dict]]:
    """(type, object) for every schema.org object carrying a datePublished."""
    found: list[tuple[str, dict]] = []
    if isinstance(data, list):
        for item in data:
            found += _structured_dates(item)
    elif isinstance(data, dict):
        if "datePublished" in data:
            found.append((str(data.get("@type")), data))
        for value in data.values():
            if isinstance(value, (list, dict)):
                found += _structured_dates(value)
    return found


def check_published_at(gs: GoldSet, name: str) -> None:
    """A 2026 time in Vietnam, its date and time shown in the text, equal to structured dates."""
    g = gs.gold(name)
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
    text = gs.visible(name).text
    assert any(s in text for s in shown), f"{name}: date not shown in the page text"
    assert published.strftime("%H:%M") in text, "time not shown in the page text"
    for meta in gs.page(name).css(
        'meta[property="article:published_time"], meta[itemprop="datePublished"]'
    ):
        assert meta.attributes.get("content") == g["published_at"]
    for script in gs.page(name).css('script[type="application/ld+json"]'):
        data = json.loads(script.text())
        if isinstance(data, dict) and data.get("@type") == "NewsArticle":
            assert data["datePublished"] == g["published_at"]
            assert data["headline"] == g["title"]
        for kind, obj in _structured_dates(data):
            assert obj["datePublished"] == g["published_at"], kind
            if "headline" in obj:
                assert obj["headline"] == g["title"]


def check_weekdays(gs: GoldSet, name: str) -> None:
    for match in WEEKDAY_DATE.finditer(gs.visible(name).text):
        day = datetime(int(match[4]), int(match[3]), int(match[2]))
        assert WEEKDAYS[day.weekday()] == match[1].lower(), match[0]


def check_blocks_in_order(gs: GoldSet, name: str) -> None:
    """The title (also the h1), the lead and the paragraphs are whole visible blocks, in order."""
    g = gs.gold(name)
    assert gs.block_at(name, g["title"]) >= 0, "title"
    assert node_text(gs.page(name).css_first("h1")) == g["title"]
    og_title = gs.page(name).css_first('meta[property="og:title"]')
    assert og_title is not None and og_title.attributes.get("content") == g["title"]
    if g["lead"] is not None:
        assert gs.block_at(name, g["lead"]) >= 0, "lead"
    position = 0
    for paragraph in g["paragraphs"]:
        found = gs.block_at(name, paragraph, position)
        assert found >= 0, f"{name}: not a visible block (or out of order): {paragraph[:80]!r}"
        position = found + len(paragraph)


def check_no_furniture(gs: GoldSet, name: str) -> None:
    """The gold body leaves out captions, credits and bylines; those are on the page."""
    g = gs.gold(name)
    captions = [node_text(n) for n in gs.page(name).css(CAPTION_SELECTOR)]
    for paragraph in g["paragraphs"]:
        assert not FURNITURE.match(paragraph), paragraph[:60]
        assert paragraph not in g["authors"] and paragraph != g["credited_source"]
        assert paragraph != g["lead"] and paragraph != g["title"]
        assert not any(paragraph in c for c in captions if c), (
            f"caption in gold: {paragraph[:60]!r}"
        )
        if g["credited_source"]:
            assert g["credited_source"] not in paragraph
    text = gs.visible(name).text
    for author in g["authors"]:
        assert author in text, author
    if g["credited_source"] is not None:
        assert g["credited_source"] in text, g["credited_source"]


def check_body_length(gs: GoldSet, name: str, fewest: int, most: int) -> None:
    words = sum(len(p.split()) for p in gs.gold(name)["paragraphs"])
    assert fewest <= words <= most, words


def check_boilerplate(gs: GoldSet, name: str) -> None:
    body_chars = sum(len(p) for p in gs.gold(name)["paragraphs"])
    other_chars = len(gs.visible(name).text) - body_chars
    assert other_chars >= 2 * body_chars, (other_chars, body_chars)
    tree = gs.page(name)
    assert len(tree.css("a[href]")) >= 100
    assert tree.css_first("nav, header") is not None
    assert tree.css_first("footer") is not None
    assert len(tree.css("script")) >= 4


# --------------------------------------------------------------------------- failure modes


def check_split_body(gs: GoldSet, name: str) -> None:
    """A page claiming split-body holds its text in several containers (lists, quotes and tables
    inside the body are not containers of their own)."""
    rows = {row for table in gs.table_rows(name) for row in table}
    containers = set()
    for paragraph in gs.gold(name)["paragraphs"]:
        if paragraph in rows:
            continue
        node = gs.container(name, paragraph)
        if node.tag in {"ul", "ol", "blockquote"} or node.css_first("h1") is not None:
            continue
        containers.add(node.mem_id)
    if "split-body" in gs.modes(name):
        assert len(containers) >= 2, "split-body claimed, but one container holds the text"


def check_div_paragraphs(gs: GoldSet, name: str) -> None:
    rows = {row for table in gs.table_rows(name) for row in table}
    paragraphs = [p for p in gs.gold(name)["paragraphs"] if p not in rows]
    outside = [
        p
        for p in paragraphs
        if not any(n.tag == "p" for n in ancestors_and_self(gs.holder(name, p)))
    ]
    assert len(outside) >= len(paragraphs) / 2, f"{len(outside)} of {len(paragraphs)} outside <p>"


def check_sapo_swallows(gs: GoldSet, name: str) -> None:
    g = gs.gold(name)
    swallowing = g["lead"] is not None and any(
        LEAD_CLASS.search(node.attributes.get("class") or "")
        and g["lead"] in text
        and g["paragraphs"][0] in text
        and node.css_first("h1") is None
        for node, text in gs.element_texts(name)
    )
    assert swallowing == ("sapo-swallows" in gs.modes(name))


def check_glued_byline(gs: GoldSet, name: str) -> None:
    g = gs.gold(name)
    assert g["authors"] and g["credited_source"]
    joined = node_text(gs.page(name).body)  # type: ignore[arg-type]
    glued = re.escape(g["authors"][0]) + r"\(?" + re.escape(g["credited_source"])
    assert re.search(glued, joined), f"no glued byline for {g['authors'][0]}"


def check_no_json_ld(gs: GoldSet, name: str) -> None:
    tree = gs.page(name)
    structured = bool(
        tree.css('script[type="application/ld+json"]')
        or tree.css('meta[property^="article:"]')
        or tree.css('[itemprop="datePublished"]')
    )
    assert structured == ("no-json-ld" not in gs.modes(name))
    if "no-json-ld" in gs.modes(name):
        published = datetime.fromisoformat(gs.gold(name)["published_at"])
        assert published.strftime("%H:%M") in gs.visible(name).text


def check_credit_closes_body(gs: GoldSet, name: str) -> None:
    g = gs.gold(name)
    credit = g["credited_source"]
    assert credit and re.match(r"(?:Theo|Nguồn:) ", credit), credit
    _, end = gs.span_of_body(name)
    assert gs.visible(name).text.find(credit, end) > 0, "the credit line does not follow the body"
    assert not any(credit in p for p in g["paragraphs"])


def check_long_captions(gs: GoldSet, name: str) -> None:
    first, last = gs.span_of_body(name)
    text = gs.visible(name).text
    long_ones = [
        c
        for c in (node_text(n) for n in gs.page(name).css(CAPTION_SELECTOR))
        if len(c.split()) >= 25 and first <= text.find(c) <= last
    ]
    assert long_ones, "no caption of 25+ words inside the body"


def check_related_box(gs: GoldSet, name: str) -> None:
    first, last = gs.span_of_body(name)
    assert any(first < gs.block_at(name, label, first) < last for label in RELATED_LABELS)


def check_marks_in_body(gs: GoldSet, name: str, *tags: str) -> None:
    """A ``video``/``iframe``/``audio``/``table``/``lazy-img`` mark lies within the body."""
    marks = gs.visible(name).marks
    assert gs.in_body(name, [offset for tag in tags for offset in marks.get(tag, [])])


def check_data_tables(gs: GoldSet, name: str) -> None:
    paragraphs = set(gs.gold(name)["paragraphs"])
    in_gold = [rows for rows in gs.table_rows(name) if any(r in paragraphs for r in rows)]
    for rows in in_gold:  # a table is in the gold entirely or not at all
        assert all(r in paragraphs for r in rows if r), rows
    if "table-in-body" in gs.modes(name):
        assert in_gold
        check_marks_in_body(gs, name, "table")
    else:
        assert not in_gold


# --------------------------------------------------------------------------- the whole set


def check_structured_data_varies(gs: GoldSet, not_article: int) -> None:
    """A third of the pages have no JSON-LD; ``not_article`` pages do not say og:type=article."""
    without = [n for n in gs.names if not gs.page(n).css('script[type="application/ld+json"]')]
    assert len(without) * 3 >= len(gs.names), "at least a third of the pages have no JSON-LD"
    og_types = [gs.page(n).css_first('meta[property="og:type"]') for n in gs.names]
    others = [m for m in og_types if m is None or m.attributes.get("content") != "article"]
    assert len(others) >= not_article, "some pages must not say og:type=article"


def check_outlets_spread(gs: GoldSet, outlets: int, per_outlet: int) -> None:
    """``outlets`` registry outlets and two hosts outside it, at most ``per_outlet`` pages each
    (the pages outside the registry counted together), and some short pages."""
    counts: dict[str, int] = defaultdict(int)
    outside = set()
    for name in gs.names:
        g = gs.gold(name)
        counts[g["outlet"]] += 1
        if not g["outlet"]:
            outside.add(urlsplit(g["url"]).hostname)
    assert len([k for k in counts if k]) >= outlets
    assert len(outside) >= 2, "two provincial papers outside the registry"
    assert max(counts.values()) <= per_outlet
    short = [n for n in gs.names if sum(len(p.split()) for p in gs.gold(n)["paragraphs"]) < 160]
    assert len(short) >= 2, "some short pages"
