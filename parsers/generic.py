"""The generic main-content extractor: any outlet, any language, by page structure alone.

Order of evidence:
1. structured data and visible page furniture (``parsers.furniture.page_facts``): title, lead,
   dates, authors, section, tags, credit;
2. the main content: every paragraph (a ``<p>``, or a ``div`` holding only inline text) scores
   its parent, grandparent and great-grandparent by length and commas (readability-style);
   the best candidate is discounted by its link density. Its siblings that hold real body
   text too (a body split by an ad or an inline related box into several containers) are
   taken with it, in document order. The containers are pruned (``content.prune``), walked
   into blocks, cleaned of boilerplate lines and of the trailing byline/credit
   (``credits.split_trailer``).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from parsers.assemble import build_article, split_dateline
from parsers.content import Block, blocks, drop_boilerplate, has_block_child, prune
from parsers.credits import drop_byline_datelines, split_trailer
from parsers.errors import ExtractionError
from parsers.furniture import page_facts
from parsers.text import clean_text, node_text
from records import Article, Image

METHOD = "generic"

def _paragraph_score(text: str) -> float:
    return 1.0 + text.count(",") + min(len(text) / 100.0, 3.0)


def _text_length(node: Any) -> int:
    """Length of the node's text with whitespace collapsed (cheaper than ``node_text``)."""
    return len(" ".join(node.text(deep=True, separator="").split()))


def _link_density(node: Any) -> float:
    text = _text_length(node)
    if not text:
        return 1.0
    return min(1.0, sum(_text_length(a) for a in node.css("a")) / text)


SIBLING_SHARE = 0.2  # a sibling scoring this share of the best container is body too
CLIMB_LEVELS = 5  # how far up paragraph text is summed
CLIMB_GAIN = 2.0  # an ancestor holding this many times the chosen one's text is taken instead
PASS_THROUGH = 1.1  # a wrapper holding no more than this many times its text is passed through
CLIMB_MAX_PARAGRAPHS = 2  # only a container of one or two paragraphs is climbed out of


def _paragraph_text(node: Any) -> tuple[str, Any] | None:
    """The paragraph text of ``node`` and the element it scores first, or None."""
    if node.tag not in ("div", "td"):
        return node_text(node), node.parent
    if not has_block_child(node):
        # A div written as a paragraph (text, maybe inside <span>/<font>, no block inside);
        # not a list item made of a link (a related headline).
        text = node_text(node)
        if len(text) >= 25 and node.css_first("a") is not None and (
            sum(_text_length(a) for a in node.css("a")) > len(text) / 2
        ):
            return None
        return text, node.parent
    # Old CMSs write paragraphs as bare text separated by <br> inside a div or cell.
    text = clean_text(node.text(deep=False))
    return (text, node) if len(text) >= 100 else None


def _scores(root: Any) -> tuple[dict[int, float], dict[int, int], dict[int, Any]]:
    """Per element: its paragraph score, the paragraph text it holds (characters, up to
    ``CLIMB_LEVELS`` levels up), and the element itself, by ``mem_id``."""
    scores: dict[int, float] = {}
    held: dict[int, int] = {}
    nodes: dict[int, Any] = {}
    for paragraph in root.css("p, pre, div, td"):
        found = _paragraph_text(paragraph)
        if found is None or len(found[0]) < 25:
            continue
        text, start = found
        score = _paragraph_score(text)
        ancestor, level = start, 0
        while ancestor is not None and level < CLIMB_LEVELS and ancestor.tag not in (
            "html", "-document"
        ):
            key = ancestor.mem_id
            nodes[key] = ancestor
            held[key] = held.get(key, 0) + len(text)
            if level < 3:
                scores[key] = scores.get(key, 0.0) + score / (1 if level == 0 else 2 * level)
            ancestor, level = ancestor.parent, level + 1
    return scores, held, nodes


def held_paragraphs(node: Any) -> int:
    """Paragraphs among ``node``'s children: ``<p>``, ``<pre>``, divs of inline text."""
    return sum(
        1 for child in node.iter(include_text=False)
        if child.tag in ("p", "pre") or (child.tag == "div" and not has_block_child(child))
    )


def find_main(root: Any) -> list[Any]:
    """The elements holding the article body (see the module docstring), in document order;
    empty when there is none."""
    scores, held, nodes = _scores(root)
    if not scores:
        return []
    top = sorted(scores, key=scores.__getitem__, reverse=True)[:8]
    best = max(top, key=lambda key: scores[key] * (1.0 - _link_density(nodes[key])))
    main = nodes[best]
    # Each paragraph wrapped in containers of its own (longform blocks): the best single
    # container holds one paragraph; climb while an ancestor holds far more paragraph text.
    # Wrappers holding no more text than the one below are passed through. A container
    # already holding several paragraphs is the body's own: it is not climbed out of.
    ancestor = main.parent if held_paragraphs(main) <= CLIMB_MAX_PARAGRAPHS else None
    for _ in range(CLIMB_LEVELS - 1):
        if ancestor is None or ancestor.mem_id not in held or ancestor.tag in ("body", "html"):
            break
        if held[ancestor.mem_id] >= CLIMB_GAIN * held[main.mem_id]:
            if _link_density(ancestor) > 0.3:
                break
            main = ancestor
        elif held[ancestor.mem_id] > PASS_THROUGH * held[main.mem_id]:
            break  # a container with other text besides: the body is not spread under it
        ancestor = ancestor.parent
    threshold = max(3.0, SIBLING_SHARE * scores.get(main.mem_id, scores[best]))
    # Siblings are looked for beside the outermost wrapper holding just the chosen text
    # (<div class="boxdetail"><div class="contents">…</div></div>, then an ad, then
    # <div class="boxdetail-more"><div class="contents">…</div></div>).
    anchor = main
    while (
        anchor.parent is not None and anchor.parent.tag not in ("body", "html")
        and held.get(anchor.parent.mem_id, 0) <= PASS_THROUGH * held.get(main.mem_id, 0)
    ):
        anchor = anchor.parent
    parent = anchor.parent
    if parent is None:
        return [main]
    chosen = []
    for sibling in parent.iter(include_text=False):
        if sibling.mem_id == anchor.mem_id:
            chosen.append(main)
        elif scores.get(sibling.mem_id, 0.0) >= threshold and _link_density(sibling) < 0.3:
            chosen.append(sibling)
    return chosen


def _read_containers(containers: list[Any], url: str) -> tuple[list[Block], list[Image]]:
    items: list[Block] = []
    images: list[Image] = []
    for container in containers:
        more, pictures = blocks(container, url)
        items += more
        images += pictures
    return items, images


def extract(
    tree: Any, url: str, *, now: datetime | None = None, strict: bool = True
) -> Article:
    """The generic extraction of one parsed page; ExtractionError when it finds no body,
    NotAnArticleError when the page is no article (only when ``strict``)."""
    facts = page_facts(tree, url, now, strict=strict)
    found = facts.found
    body = tree.body
    if body is None:
        raise ExtractionError(f"{url}: no <body>")
    prune(body)
    containers = find_main(body)
    if not containers:
        raise ExtractionError(f"{url}: no main content found")
    items, found.images = _read_containers(containers, url)
    items, dated_byline = drop_byline_datelines(drop_boilerplate(items))
    trailer = split_trailer(items)
    found.paragraphs = [b.text for b in trailer.blocks]
    if not found.paragraphs:
        raise ExtractionError(f"{url}: main content has no paragraphs")
    found.authors = found.authors or trailer.authors or dated_byline
    found.sapo, dateline = split_dateline(clean_text(found.sapo), url, facts.meta.site_name)
    found.credited_source = trailer.credited_source or facts.source or dateline
    article = build_article(found, url, METHOD, now)
    return replace(article, extraction_notes=tuple(facts.warnings))
