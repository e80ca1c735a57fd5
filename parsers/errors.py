"""Errors raised by the parsers; each message names the document and says what was wrong."""

from __future__ import annotations


class ParserError(ValueError):
    """Base class: the input could not be turned into a record."""


class ParseError(ParserError):
    """An article page yielded nothing usable, not even a title (``parse_article``)."""


class FeedError(ParserError):
    """The document is not an RSS/Atom feed at all (``parse_feed``)."""


class SitemapError(ParserError):
    """The document is not a sitemap, a sitemap index or a feed (``parse_sitemap``)."""


class ExtractionError(ParserError):
    """One step of the article fallback chain found nothing; the next step is tried."""


class NotAnArticleError(ExtractionError):
    """The page is no article (a section front, a listing): no later step is tried."""
