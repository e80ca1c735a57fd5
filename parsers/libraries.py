"""Well-kept extraction libraries as steps of the fallback chain: trafilatura and resiliparse.

They are tried only when our own steps fail the quality gate (``parsers.quality``). The
library gives the body text; everything else (title, lead, dates, authors, section, tags,
credit) comes from the same page furniture as the generic extractor
(``parsers.furniture.page_facts``), and the body goes through the same clean-up (Vietnamese
boilerplate lines, trailing bylines and credits), so a fallback article has every field a
generic one has.

- trafilatura (lxml; precision-oriented heuristics with its own fallbacks, jusText and a
  readability port): ``extract(..., output_format="txt", include_comments=False)``, one line
  per paragraph.
- resiliparse (C++ DOM and a main-content heuristic; about ten times trafilatura's speed):
  ``extract_plain_text(..., main_content=True)`` without alt texts, link targets, list
  bullets, form fields or noscript content.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import Any

from parsers.assemble import build_article, split_dateline
from parsers.content import Block, drop_boilerplate
from parsers.credits import split_trailer
from parsers.errors import ExtractionError
from parsers.furniture import page_facts
from parsers.text import clean_text
from records import Article

TRAFILATURA = "trafilatura"
RESILIPARSE = "resiliparse"
BodyReader = Callable[[str | bytes, str], str | None]


def trafilatura_text(document: str | bytes, url: str) -> str | None:
    import trafilatura  # imported on first use: lxml and its models cost ~0.5 s to load

    text: str | None = trafilatura.extract(
        document, url=url or None, output_format="txt", include_comments=False,
        include_images=False, include_links=False, deduplicate=False,
    )
    return text


def resiliparse_text(document: str | bytes, url: str) -> str | None:
    from resiliparse.extract.html2text import extract_plain_text
    from resiliparse.parse.html import HTMLTree

    tree = (
        HTMLTree.parse_from_bytes(document, "utf-8")
        if isinstance(document, bytes) else HTMLTree.parse(document)
    )
    text: str = extract_plain_text(
        tree, main_content=True, alt_texts=False, links=False, list_bullets=False,
        form_fields=False, noscript=False,
    )
    return text


READERS: dict[str, BodyReader] = {TRAFILATURA: trafilatura_text, RESILIPARSE: resiliparse_text}


def library_article(
    name: str, tree: Any, document: str | bytes, url: str, now: datetime | None,
    *, strict: bool = True,
) -> Article:
    """The article of one page with the body read by library ``name`` (``READERS``)."""
    facts = page_facts(tree, url, now, strict=strict)
    found = facts.found
    try:
        text = READERS[name](document, url)
    except Exception as error:  # a library's bug must not stop the chain
        raise ExtractionError(f"{url}: {name} failed: {type(error).__name__}") from error
    lines = [clean_text(line) for line in (text or "").splitlines()]
    items = [Block(text=line, tag="p") for line in lines if line]
    trailer = split_trailer(drop_boilerplate(items))
    found.paragraphs = [b.text for b in trailer.blocks]
    if not found.paragraphs:
        raise ExtractionError(f"{url}: {name} found no body text")
    found.authors = found.authors or trailer.authors
    found.sapo, dateline = split_dateline(clean_text(found.sapo), url, facts.meta.site_name)
    found.credited_source = trailer.credited_source or facts.source or dateline
    article = build_article(found, url, name, now)
    return replace(article, extraction_notes=tuple(facts.warnings))
