"""Body text and images out of a content container: pruning, blocks, boilerplate lines.

Shared by the generic extractor and the outlet parsers. ``prune`` removes what is never body
text (scripts, navigation, share/comment widgets, related-news boxes, captions' containers are
kept for images); ``blocks`` walks the container in document order and yields paragraph-like
``Block``s and ``Image``s; ``drop_boilerplate`` removes Vietnamese boilerplate lines and cuts
the trailing "Tin khác"/"Tin liên quan" lists.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from urllib.parse import urljoin, urlsplit, urlunsplit

from parsers.text import clean_text, fold, node_text
from records import Image

# Elements that never hold body text.
DROP_TAGS = (
    "script", "style", "noscript", "template", "iframe", "svg", "canvas", "form", "button",
    "input", "select", "textarea", "nav", "footer", "header", "aside", "object", "embed",
    "video", "audio", "zone", "ins", "link", "meta",
)
_DROP_SELECTOR = ", ".join(tag for tag in DROP_TAGS if tag != "form")
FORM_PAGE_TEXT = 600  # characters: a form holding more text than this wraps the page
# Class/id/type fragments of widgets: matched as substrings of the folded attribute value.
_HINT_SUBSTRINGS = (
    "related", "lienquan", "social", "share", "comment", "breadcrumb", "banner", "advert",
    "sponsor", "popup", "modal", "newsletter", "readmore", "recommend", "mostview", "docnhieu",
    "xemthem", "tinkhac", "tindnd", "listnewsincontent", "tagdetail", "boxtag", "tagslist",
    "keyword", "widget", "subscribe", "rating", "vote", "toolbar", "printpage", "fontsize",
)
# Class/id words (split on - and _) that mark widgets when they appear as a whole word.
_HINT_WORDS = frozenset({"tag", "tags", "ads", "ad", "qc", "menu", "sidebar", "footer", "header"})
_NOT_HINT_CHAR = re.compile(r"[^a-z0-9 ]+")
_HINT_SPLIT = re.compile(r"[\s_-]+")
CAPTION_CLASSES = ("caption", "photocms", "image-desc", "imgdesc", "desc_image", "chuthich")
BLOCK_TAGS = frozenset({"p", "h2", "h3", "h4", "h5", "h6", "li", "pre", "dd", "dt"})
CONTAINER_TAGS = frozenset({
    "div", "section", "article", "main", "span", "blockquote", "ul", "ol", "dl", "table",
    "tbody", "thead", "tr", "td", "th", "center", "font", "body",
})
INLINE_TAGS = frozenset({
    "a", "b", "strong", "i", "em", "u", "sup", "sub", "small", "mark", "abbr", "cite", "q",
    "code", "time", "span", "font", "big", "s", "del", "ins",
})

# Lines that are page furniture, never body text (compared after fold()).
_FURNITURE = frozenset(fold(s) for s in (
    "Back To Top", "Xem thêm", "Đọc thêm", "Bình luận", "Chia sẻ", "In bài viết", "Gửi bài",
    "Tin khác", "Tin liên quan", "Có thể bạn quan tâm", "Bài liên quan", "Tin cùng chuyên mục",
    "Xem tiếp", "Cỡ chữ", "Lưu", "Quay lại", "Trở lại", "Lên đầu trang", "Theo dõi chúng tôi",
    "Mời quý độc giả theo dõi", "Nghe bài viết", "Nghe đọc bài", "Tham khảo thêm",
))
# Headings after which the rest of the container is a list of other articles.
_CUT_HEADINGS = frozenset(fold(s) for s in (
    "Tin khác", "Tin liên quan", "Có thể bạn quan tâm", "Bài liên quan", "Tin cùng chuyên mục",
    "Bài viết liên quan", "Đọc nhiều", "Tin mới", "Tin mới nhất", "Tin cùng chủ đề",
    "Cùng chuyên mục", "Tin nổi bật",
))
_FURNITURE_PATTERNS = re.compile(
    r"^(?:(?:xem thêm|đọc thêm|tin liên quan|>>|»)\s*[:>»]|lượt xem\s*:?\s*\d|"
    r"\d[\d.,]*\s*lượt xem|từ khóa\s*:|từ khoá\s*:|tags?\s*:|chia sẻ\s*:|"
    r"theo dõi .{0,40} trên google news|ảnh\s*:\s*\S.{0,40}$)",
    re.IGNORECASE,
)
_DATELINE_PARTS = re.compile(
    r"\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}|\d{1,2}\s*[:hg]\s*\d{2}|\b(?:gmt|utc)\s*[+-]?\s*\d*|"
    r"thứ\s+(?:hai|ba|tư|năm|sáu|bảy|2|3|4|5|6|7)|chủ\s+nhật|cập nhật|ngày|lúc|đăng",
    re.IGNORECASE,
)


# <br> becomes this character: whitespace inside a <p>, a paragraph break in bare div text.
LINE_BREAK = "\u2029"


@dataclass(slots=True)
class Block:
    """One paragraph-like unit of body text with the hints needed to classify it."""

    text: str
    tag: str
    right_aligned: bool = False
    bold: bool = False  # all of its text is inside <strong>/<b>
    link_ratio: float = 0.0
    after_image: bool = False


def attr_hints(node: Any) -> str:
    """class, id, type, data-role and itemprop of ``node``, lower-cased, space-separated."""
    get = node.attributes.get
    return (
        f"{get('class') or ''} {get('id') or ''} {get('type') or ''} "
        f"{get('data-role') or ''} {get('itemprop') or ''}"
    ).lower()


def is_widget(node: Any) -> bool:
    return _widget_hints(attr_hints(node))


@lru_cache(maxsize=8192)
def _widget_hints(hints: str) -> bool:
    """Whether class/id/type hints name a widget (cached: pages repeat their class names)."""
    if not hints.strip():
        return False
    folded = _NOT_HINT_CHAR.sub("", hints)
    if any(fragment in folded for fragment in _HINT_SUBSTRINGS):
        return True
    return any(word in _HINT_WORDS for word in _HINT_SPLIT.split(hints))


def is_caption(node: Any) -> bool:
    if node.tag == "figcaption":
        return True
    hints = attr_hints(node)
    return any(name in hints for name in CAPTION_CLASSES) or (
        node.tag == "p" and "image" in hints.split()
    )


def _long_paragraphs(node: Any, enough: int = 3) -> int:
    """How many paragraphs of over 150 characters ``node`` holds (counting stops at ``enough``)."""
    found = 0
    for paragraph in node.css("p"):
        if len(node_text(paragraph)) > 150:
            found += 1
            if found >= enough:
                break
    return found


def prune(container: Any) -> None:
    """Remove non-body elements inside ``container`` (in place)."""
    for br in container.css("br"):
        br.replace_with(LINE_BREAK)
    # One query, not one per tag. A <form> holding much text is the page itself (ASP.NET
    # pages wrap everything in one form): it stays.
    remove_all(container.css(_DROP_SELECTOR))
    remove_all(container.css("form"), lambda form: len(form.text(deep=True)) < FORM_PAGE_TEXT)
    # A widget hint on a container holding several real paragraphs is the page layout
    # (e.g. "main-content-share-wrap"), not a widget: keep it.
    remove_all(
        container.css("[class],[id],[type]"),
        lambda node: is_widget(node) and _long_paragraphs(node) < 3,
    )
    remove_all(container.css('[style*="display:none"],[style*="display: none"],[hidden]'))


def remove_all(nodes: list[Any], predicate: Callable[[Any], bool] | None = None) -> None:
    """Decompose ``nodes`` (document order) that satisfy ``predicate``; a node inside one
    already chosen goes with it and is never touched again (its memory is freed)."""
    chosen: list[Any] = []
    chosen_ids: set[int] = set()
    for node in nodes:
        if chosen_ids and _inside(node, chosen_ids):
            continue
        if predicate is not None and not predicate(node):
            continue
        chosen.append(node)
        chosen_ids.add(node.mem_id)
    for node in chosen:  # never nested in one another: each is decomposed once
        node.decompose()


def _inside(node: Any, ids: set[int]) -> bool:
    if node.mem_id in ids:
        return True
    parent = node.parent
    while parent is not None:
        if parent.mem_id in ids:
            return True
        parent = parent.parent
    return False


def _link_ratio(node: Any, text: str) -> float:
    if not text:
        return 0.0
    linked = sum(len(node_text(a)) for a in node.css("a"))
    return min(1.0, linked / len(text))


def _is_bold(node: Any, text: str) -> bool:
    strong = "".join(node_text(b) for b in node.css("strong, b"))
    return bool(strong) and len(strong) >= 0.9 * len(text.replace(" ", ""))


def _absolute(url: str, base: str) -> str:
    parts = urlsplit(urljoin(base, url))
    return urlunsplit(parts._replace(scheme=parts.scheme.lower(), netloc=parts.netloc.lower()))


def _image_url(img: Any, base: str) -> str | None:
    attrs = img.attributes
    for name in ("data-src", "data-original", "data-lazy-src", "src"):
        value = (attrs.get(name) or "").strip()
        if value and not value.startswith("data:"):
            return _absolute(value, base)
    srcset = (attrs.get("data-srcset") or attrs.get("srcset") or "").strip()
    if srcset:
        return _absolute(srcset.split(",")[0].strip().split(" ")[0], base)
    return None


def _figure_image(node: Any, base: str) -> Image | None:
    img = node if node.tag == "img" else node.css_first("img")
    if img is None:
        return None
    url = _image_url(img, base)
    if url is None:
        return None
    caption_node = next((n for n in node.css("*") if is_caption(n)), None)
    caption = node_text(caption_node) if caption_node is not None else ""
    return Image(url=url, caption=caption or None)


_BYLINE_MAX = 160  # characters: a byline (up to four names and a note) is shorter
_LINK_LINE_MAX = 200  # characters: shorter lines made of links are dropped as link lists
_BLOCKISH_TAGS = BLOCK_TAGS | (CONTAINER_TAGS - {"span", "font"}) | {"figure", "img", "picture"}


def has_block_child(node: Any) -> bool:
    return any(child.tag in _BLOCKISH_TAGS for child in node.iter(include_text=False))


class _Walker:
    def __init__(self, base: str) -> None:
        self.base = base
        self.blocks: list[Block] = []
        self.images: list[Image] = []
        self._inline: list[str] = []
        self._linked = ""  # text of the links among the pending inline pieces
        self._after_image = False

    def _emit(self, text: str, tag: str, node: Any | None = None) -> None:
        text = clean_text(text)
        if not text:
            return
        style = ((node.attributes.get("style") or "") if node is not None else "").lower()
        align = ((node.attributes.get("align") or "") if node is not None else "").lower()
        self.blocks.append(Block(
            text=text, tag=tag,
            right_aligned="right" in style.replace(" ", "") or align == "right",
            # Only short lines can be bylines (bold) or stray links (link ratio): spare the
            # selector queries on long paragraphs.
            bold=_is_bold(node, text) if node is not None and len(text) <= _BYLINE_MAX else False,
            link_ratio=_link_ratio(node, text) if node is not None and len(text) < _LINK_LINE_MAX
            else 0.0,
            after_image=self._after_image,
        ))
        self._after_image = False

    def _flush(self) -> None:
        if self._inline:
            pieces = "".join(self._inline).split(LINE_BREAK)
            before = len(self.blocks)
            for text in pieces:
                self._emit(text, "p")
            if len(pieces) == 1 and self._linked and len(self.blocks) > before:
                # Loose inline text made only of links ("Quảng cáo", a related headline).
                last = self.blocks[-1]
                linked = len(clean_text(self._linked))
                last.link_ratio = min(1.0, linked / len(last.text)) if last.text else 0.0
            self._inline = []
        self._linked = ""

    def _image(self, node: Any) -> None:
        self._flush()
        image = _figure_image(node, self.base)
        if image is not None:
            self.images.append(image)
            self._after_image = True

    def walk(self, node: Any) -> None:
        for child in node.iter(include_text=True):
            tag = child.tag
            if tag == "-text":
                self._inline.append(child.text_content or "")
            elif tag in ("figure", "picture", "img") or (tag == "table" and child.css_first("img")):
                self._image(child)
            elif is_caption(child):
                self._flush()
                if self.images and self.images[-1].caption is None:
                    last = self.images[-1]
                    self.images[-1] = Image(last.url, node_text(child) or None)
            elif tag in BLOCK_TAGS:
                self._flush()
                if tag in ("li",) and has_block_child(child):
                    self.walk(child)
                else:
                    self._emit(child.text(deep=True, separator=""), tag, child)
            elif tag in INLINE_TAGS and not has_block_child(child):
                text = child.text(deep=True, separator="")
                self._inline.append(text)
                if tag == "a":
                    self._linked += text
            elif tag in ("hr",):
                self._flush()
            elif tag.startswith("-"):
                continue  # comments
            else:
                self._flush()
                if not is_related_box(child):
                    self.walk(child)
        self._flush()


def blocks(container: Any, base: str) -> tuple[list[Block], list[Image]]:
    """Paragraph-like blocks and images of a pruned container, in document order."""
    walker = _Walker(base)
    walker.walk(container)
    return walker.blocks, walker.images


_SHORT_LINE = 120  # furniture phrases and cut headings are far shorter than this


def is_furniture(text: str) -> bool:
    if _FURNITURE_PATTERNS.search(text):
        return True
    if len(text) > _SHORT_LINE:  # body text; spare the cost of folding a long paragraph
        return not any(ch.isalnum() for ch in text)
    folded = fold(text)
    return not folded or folded in _FURNITURE or is_dateline(text)


def is_dateline(text: str) -> bool:
    """A line that is only a date, a time, a weekday and punctuation ("07:53 - Thứ Năm, ...")."""
    if len(text) > 80 or not re.search(r"\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}", text):
        return False
    return len(fold(_DATELINE_PARTS.sub(" ", text))) < 3


_RELATED_BOX_TEXT = 1500  # characters: a box of other articles' headlines is shorter
_SUBSTANTIAL = 200  # characters: a paragraph this long (not a link) is body text


def is_related_box(node: Any) -> bool:
    """A box inside the body that opens with "Tin liên quan", "Bài liên quan"... and holds
    other articles' headlines and leads (the body goes on after it)."""
    text = node.text(deep=True, separator="\n")
    if len(text) > _RELATED_BOX_TEXT:
        return False
    first = next((line for line in text.split("\n") if line.strip()), "")
    if fold(first.strip().rstrip(":")) not in _CUT_HEADINGS:
        return False
    # Not a body container that merely opens with such a box: no paragraph of body length.
    return _long_paragraphs(node, enough=1) == 0


def _body_goes_on(items: list[Block], start: int) -> bool:
    return any(
        len(block.text) >= _SUBSTANTIAL and block.link_ratio < 0.5 for block in items[start:]
    )


def drop_boilerplate(items: list[Block]) -> list[Block]:
    """Drop furniture lines, captions that follow images, link lists; cut at "Tin khác"
    (unless real paragraphs follow: then the heading labelled a box inside the body)."""
    kept: list[Block] = []
    for position, block in enumerate(items):
        short = len(block.text) <= _SHORT_LINE
        if short and kept and fold(block.text.rstrip(":")) in _CUT_HEADINGS:
            if _body_goes_on(items, position + 1):
                continue
            break
        if is_furniture(block.text):
            continue
        if block.link_ratio > 0.8 and len(block.text) < _LINK_LINE_MAX:
            continue  # a related-article link standing as a paragraph
        if block.after_image and re.search(r"(?:^|\s)\(?Ảnh\s*(?:minh họa)?\s*:", block.text) \
                and len(block.text) < 300:
            continue  # a caption written as a plain paragraph under the photo
        kept.append(block)
    return kept
