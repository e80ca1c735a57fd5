"""Parsers: bytes/str → records. Pure: no network, no database, no Prefect.

Public entry points (import them from their modules; this package imports nothing eagerly so
``parsers.charset`` stays cheap for the crawler):

- ``parsers.article.parse_article(html, url, *, extractor="auto", now=None) -> Article``
  and ``ParseError`` (per page: empty, not HTML, truncated, wrong charset, not an article,
  no title; the checks are in ``parsers.checks``);
- ``parsers.feeds.parse_feed(body, base_url) -> list[FeedEntry]`` and ``FeedError``;
- ``parsers.discovery``: ``parse_sitemap`` (news sitemaps, indexes), ``listing_links``
  (section pages), ``article_entries`` (only an outlet's article URLs);
- ``parsers.urls.normalize_url(url, base=None) -> str`` (the storage upsert key);
- ``parsers.registry``: ``OUTLETS``, ``outlet_by_key``, ``outlet_for_url``, ``is_article_url``,
  ``looks_like_article_url``; a host outside the registry (a provincial paper) is parsed by
  the generic extractor, by URL alone;
- ``parsers.dates.parse_date(value, *, now=None) -> datetime | None``;
- ``parsers.structured.read_page_meta(tree) -> PageMeta``;
- ``parsers.generic.extract(tree, url, *, now=None) -> Article`` (the generic extractor);
- ``parsers.outlets``: one module per outlet layout (``vnexpress``, ``baochinhphu``,
  ``tuoitre``, ``dantri``, ``vietnamnet``, ``nld``, ``cafef``, ``baodautu``).
- ``parsers.charset.decode_html`` (bytes → text; written separately).
"""
