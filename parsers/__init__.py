"""Parsers: bytes/str → records. Pure: no network, no database, no Prefect.

Public entry points (import them from their modules; this package imports nothing eagerly so
``parsers.charset`` stays cheap for the crawler):

- ``parsers.article.parse_article(html, url, *, extractor="auto", now=None) -> Article``
  and ``ParseError``;
- ``parsers.feeds.parse_feed(body, base_url) -> list[FeedEntry]`` and ``FeedError``;
- ``parsers.urls.normalize_url(url, base=None) -> str`` (the storage upsert key);
- ``parsers.registry``: ``OUTLETS``, ``outlet_by_key``, ``outlet_for_url``, ``is_article_url``;
- ``parsers.dates.parse_date(value, *, now=None) -> datetime | None``;
- ``parsers.structured.read_page_meta(tree) -> PageMeta``;
- ``parsers.generic.extract(tree, url, *, now=None) -> Article`` (the generic extractor);
- ``parsers.outlets``: one module per outlet layout (``vnexpress``, ``baochinhphu``).
- ``parsers.charset.decode_html`` (bytes → text; written separately).
"""
