"""The quality gate: is an extraction a real article body, or did it collapse?

Every step of the fallback chain (``parsers.article``) is judged here against the page it came
from. The page is profiled once (``profile_page``): its *prose*, the runs of text that read
like paragraphs (a text node of at least ``PROSE_RUN`` characters outside links, scripts,
navigation and forms, counted in words). Menus, link lists, buttons and dates are short runs and
do not count; related-news leads and comments do, which is why the coverage test below leaves
room for them.

An extraction fails the gate (``judge``) when
- it has no body: no paragraph at all, or fewer than ``MIN_BODY_WORDS`` words beyond the lead
  ("lead only");
- it covers too little of the page's prose: under ``MIN_COVERAGE`` of it while the page holds
  at least ``MISSED_WORDS`` words of prose more than the body (a caption, a comment or a box
  taken for the body). The prose is counted after the same widget pruning as the generic
  extractor's (``content.prune``: related boxes, comments, sidebars named as such), so what
  remains is the body plus unnamed furniture. Between ``MIN_COVERAGE`` and
  ``DOUBT_COVERAGE`` the body passes with a *doubt* written to the notes: on the 54
  constructed pages (tests/extraction_set, tests/extraction_heldout), right bodies covered
  31-68% of the prose on furniture-heavy pages, and replacing them by a library's reading of
  the page lost far more (sidebars read as body) than it won;
- it is mostly boilerplate: over ``MAX_SHORT_SHARE`` of its words in short lines (menus, link
  lists and captions taken for paragraphs).

``Judgement.score`` orders candidates when every step fails: the body's words, discounted by
its boilerplate share; the best-scoring candidate is kept. The reason of each failure is
recorded in ``Article.extraction_notes`` so a collapse is never silent.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from parsers.content import prune
from records import Article

PROSE_RUN = 60  # characters: a text run this long outside a link reads like a paragraph
MIN_BODY_WORDS = 30
MIN_COVERAGE = 0.2
DOUBT_COVERAGE = 0.4
MISSED_WORDS = 120
MAX_SHORT_SHARE = 0.5
SHORT_LINE_WORDS = 6
WHOLE_WORDS = 250
WHOLE_PARAGRAPHS = 5
_NOT_PROSE = (
    "script", "style", "noscript", "template", "a", "nav", "button", "select", "option",
    "textarea", "svg", "iframe",
)  # not <form>: ASP.NET pages wrap the whole page in one
_RUN_BREAK = "\x00"  # between text nodes: a run never spans two elements' texts
_LONG_RUN = re.compile(f"[^{_RUN_BREAK}]{{{PROSE_RUN},}}")


@dataclass(frozen=True, slots=True)
class PageProfile:
    """What the page holds, independent of any extractor."""

    prose_words: int  # words in paragraph-like text runs (see the module docstring)


@dataclass(frozen=True, slots=True)
class Judgement:
    passed: bool
    score: float
    reason: str  # why it failed, or a short summary when it passed
    usable: bool = True  # worth keeping when no step passes (a body, not a stray line)
    doubt: str = ""  # passed, but an operator may want to look (recorded in the notes)


def words(text: str) -> int:
    """Whitespace-separated words (cheap: the gate runs on every page)."""
    return len(text.split())


def profile_page(tree: Any, *, pruned: bool = False) -> PageProfile:
    """Profile one parsed page. The tree is consumed (widgets, links and scripts are removed
    from it): pass a tree an extractor is done with, or a copy (``tree.clone()``);
    ``pruned``: ``content.prune`` already ran on its body."""
    body = tree.body
    if body is None:
        return PageProfile(prose_words=0)
    if not pruned:
        prune(body)  # the widgets every extractor drops: related boxes, comments, sidebars
    tree.strip_tags(list(_NOT_PROSE))
    total = 0
    for run in _LONG_RUN.findall(body.text(deep=True, separator=_RUN_BREAK)):
        tokens = run.split()
        if sum(map(len, tokens)) + len(tokens) > PROSE_RUN:  # not mostly whitespace
            total += len(tokens)
    return PageProfile(prose_words=total)


def evidently_whole(article: Article) -> bool:
    """A body from an outlet's own parser that needs no profile: ``WHOLE_WORDS`` words in
    ``WHOLE_PARAGRAPHS`` paragraphs or more. An outlet parser reads the container its outlet
    puts the body in; when a redesign moves or empties it, the parser finds nothing (and
    fails) or a short remnant, which the full gate then judges."""
    paragraphs = article.paragraphs
    return len(paragraphs) >= WHOLE_PARAGRAPHS and sum(map(words, paragraphs)) >= WHOLE_WORDS


def judge(article: Article, profile: PageProfile, *, strict: bool = False) -> Judgement:
    """Whether ``article``'s body stands as the page's article body (module docstring).

    ``strict``: a doubt fails (for an outlet parser, whose next step is our own generic
    extractor: a body container left with a remnant of the text is a redesign)."""
    body_words = [words(p) for p in article.paragraphs]
    total = sum(body_words)
    lead = words(article.sapo or "")
    short = sum(n for n in body_words if n <= SHORT_LINE_WORDS)
    short_share = short / total if total else 0.0
    score = total * (1.0 - short_share)
    prose = profile.prose_words
    summary = f"{total} body words in {len(body_words)} paragraphs, {prose} words of prose"
    if not article.paragraphs:
        return Judgement(
            False, 0.0, f"no body (lead only; the page has {prose} words of prose)", usable=False
        )
    if total < MIN_BODY_WORDS and prose - lead >= MIN_BODY_WORDS * 2:
        return Judgement(False, score, f"lead only ({summary})", usable=False)
    # The lead is part of the page's prose: count it on the body's side.
    covered = total + lead
    share = covered / prose if prose else 1.0
    missed = prose - covered >= MISSED_WORDS
    if share < (DOUBT_COVERAGE if strict else MIN_COVERAGE) and missed:
        return Judgement(False, score, f"covers {share:.0%} of the page's prose ({summary})")
    if total >= MIN_BODY_WORDS and short_share > MAX_SHORT_SHARE:
        return Judgement(
            False, score, f"mostly short lines: {short_share:.0%} of {total} words (menus?)"
        )
    if share < DOUBT_COVERAGE and missed:
        return Judgement(True, score, summary, doubt=f"covers only {share:.0%} of the page's "
                         f"prose ({summary}); kept: a library read more of the page's furniture "
                         "than of its body wherever we measured")
    return Judgement(True, score, summary)
