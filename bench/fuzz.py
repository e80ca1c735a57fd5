"""A longer fuzzing run (hypothesis, no atheris) over the parsers, normalisation and dates.

    uv run python -m bench.fuzz                      # 20 s per target
    uv run python -m bench.fuzz --seconds 120 --seed 7 --target parse_article

Each target gets arbitrary bytes or text, plus structured hostile input (article-shaped
pages with random dates and JSON-LD, feeds cut anywhere, sitemaps, URL pieces), for a
fixed time. A call may return or raise the error its function documents; anything else is
an *escape*. The returned values are checked too (text in NFC, times aware and not after
the fetch, URL keys stable under re-normalisation); a failed check is a *violation*.
Prints one row per target (examples, documented errors, escapes, violations, examples per
second) and the first input of each kind of problem; exits 1 when anything escaped or was
violated. The pytest suite runs the same properties briefly (tests/test_properties_*.py).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import time
import unicodedata
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from hypothesis import HealthCheck, Phase, Verbosity, given, seed, settings
from hypothesis import strategies as st

from analysis.classifier import classify
from analysis.text import normalize_text
from parsers.article import ParseError, parse_article
from parsers.charset import decode_html
from parsers.dates import FUTURE_TOLERANCE, parse_date
from parsers.discovery import SitemapError, parse_sitemap
from parsers.feeds import FeedError, parse_feed
from parsers.urls import normalize_url
from tests.strategies import urls as url_strings

NOW = datetime(2026, 11, 24, 6, 0, tzinfo=UTC)
LATEST = NOW + FUTURE_TOLERANCE

VIETNAMESE = "ăâđêôơưáàảãạắằẳẵặấầẩẫậéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵĐƯƠ"
PIECES = [
    *VIETNAMESE,
    *unicodedata.normalize("NFD", VIETNAMESE),
    *"abcxyz ABC 0123456789.,;:-/()",
    "<",
    ">",
    "&",
    "&amp;",
    "&#7871;",
    "&lol;",
    "\u200b",
    "\ufeff",
    "\x00",
    "\r\n",
    "\t",
    "\ufffd",
    "Thủ tướng",
    "Đại sứ Hoa Kỳ",
    "hội đàm",
    "Việt Nam",
    "hoà",
    "thuý",
    "<p>",
    "</p>",
    "<br>",
    "<script>",
    "<!--",
    "]]>",
    "<![CDATA[",
    "<!DOCTYPE x [",
    '<!ENTITY e "x">',
    "&e;",
]
texts = st.lists(st.sampled_from(PIECES), max_size=80).map("".join)
digits = st.integers(0, 99).map(lambda n: f"{n:02d}")
years = st.integers(0, 9999).map(lambda n: f"{n:04d}")
zones = st.tuples(st.sampled_from("+-"), st.integers(0, 99), st.integers(0, 99)).map(
    lambda t: f"{t[0]}{t[1]:02d}:{t[2]:02d}"
)
dates = st.one_of(
    st.tuples(years, digits, digits, digits, digits, zones | st.just("Z")).map(
        lambda t: f"{t[0]}-{t[1]}-{t[2]}T{t[3]}:{t[4]}:00{t[5]}"
    ),
    st.tuples(digits, digits, years, digits, digits, st.integers(-30, 30)).map(
        lambda t: f"Thứ hai, {t[0]}/{t[1]}/{t[2]}, {t[3]}:{t[4]} (GMT{t[5]:+d})"
    ),
    texts,
    st.text(max_size=40),
)


@st.composite
def pages(draw: st.DrawFn) -> bytes:
    title, published = draw(texts), draw(dates)
    ld = draw(
        st.recursive(
            st.none() | st.booleans() | st.integers() | texts | dates,
            lambda inner: (
                st.lists(inner, max_size=4)
                | st.dictionaries(
                    st.sampled_from(["@type", "headline", "datePublished", "author", "@graph"]),
                    inner,
                    max_size=4,
                )
            ),
            max_leaves=12,
        )
    )
    body = "".join(f"<p>{text}</p>" for text in draw(st.lists(texts, max_size=8)))
    page = (
        f"<!doctype html><html><head><title>{title}</title>"
        f'<meta property="og:title" content="{draw(texts)}">'
        f'<meta property="article:published_time" content="{published}">'
        f'<script type="application/ld+json">{json.dumps(ld, ensure_ascii=False)}</script>'
        f"</head><body><h1>{title}</h1><article>{body}</article><time>{draw(dates)}</time>"
        "</body></html>"
    )
    encoding = draw(st.sampled_from(["utf-8", "utf-16", "cp1258", "latin-1"]))
    data = page.encode(encoding, errors="replace")
    return data[: len(data) - draw(st.integers(0, 200))]


@st.composite
def xml_documents(draw: st.DrawFn) -> bytes:
    kind = draw(st.sampled_from(["rss", "feed", "urlset", "sitemapindex"]))
    item = {"rss": "item", "feed": "entry", "urlset": "url", "sitemapindex": "sitemap"}[kind]
    links = st.sampled_from(["https://baothu.vn/a-1.html", "/b-2.html", "javascript:x", ""])
    entries = draw(st.lists(st.tuples(texts, links | texts, dates), max_size=6))
    body = "".join(
        f"<{item}><title>{t}</title><link>{u}</link><loc>{u}</loc><pubDate>{d}</pubDate>"
        f"<updated>{d}</updated><lastmod>{d}</lastmod></{item}>"
        for t, u, d in entries
    )
    doctype = draw(st.sampled_from(["", '<!DOCTYPE x [<!ENTITY e "lol">]>']))
    document = f'<?xml version="1.0"?>{doctype}<{kind}><channel>{body}</channel></{kind}>'
    data = document.encode()
    return data[: len(data) - draw(st.integers(0, 300))]


urls = url_strings(12)


# -- invariants --------------------------------------------------------------------------------


def nfc(*values: str | None) -> str | None:
    for value in values:
        if value is not None and not unicodedata.is_normalized("NFC", value):
            return f"not NFC: {value[:60]!r}"
    return None


def timely(*moments: datetime | None) -> str | None:
    for moment in moments:
        if moment is None:
            continue
        if moment.tzinfo is None:
            return f"naive datetime {moment!r}"
        if moment > LATEST:
            return f"in the future: {moment.isoformat()}"
    return None


def check_article(data: bytes) -> str | None:
    article = parse_article(data, "https://baothu.vn/the-gioi/bai-1.html", now=NOW)
    return nfc(article.title, article.sapo, *article.paragraphs, *article.authors) or timely(
        article.published_at, article.updated_at
    )


def check_decode(data: bytes) -> str | None:
    text, _ = decode_html(data, None)
    return nfc(text)


def check_feed(data: bytes) -> str | None:
    for entry in parse_feed(data, "https://baothu.vn/rss/tin-moi.rss"):
        problem = nfc(entry.title, entry.summary) or timely(entry.published_at)
        if problem is None and normalize_url(entry.url) != entry.url:
            problem = f"unstable URL key {entry.url!r}"
        if problem:
            return problem
    return None


def check_sitemap(data: bytes) -> str | None:
    found = parse_sitemap(data, "https://baothu.vn/sitemap.xml", now=NOW)
    moments = [entry.published_at for entry in found.entries]
    return timely(*moments, *(child.lastmod for child in found.sitemaps))


def check_date(value: str) -> str | None:
    return timely(parse_date(value, now=NOW))


def check_url(value: str) -> str | None:
    key = normalize_url(value, "https://baothu.vn/rss/tin-moi.rss")
    return None if normalize_url(key) == key else f"unstable key {value!r} -> {key!r}"


def check_normalize(value: str) -> str | None:
    result = normalize_text(value)
    return nfc(result) or (None if normalize_text(result) == result else "not idempotent")


def check_classify(value: str) -> str | None:
    title, _, text = value.partition("\n")
    verdict = classify(title, text)
    if not 0.0 <= verdict.score <= 1.0:
        return f"score {verdict.score}"
    return nfc(*verdict.evidence)


@dataclass
class Target:
    name: str
    check: Callable[[Any], str | None]
    strategy: st.SearchStrategy[Any]
    documented: tuple[type[BaseException], ...] = ()


TARGETS = [
    Target("decode_html", check_decode, st.binary(max_size=4000) | pages()),
    Target("parse_article", check_article, st.binary(max_size=4000) | pages(), (ParseError,)),
    Target("parse_feed", check_feed, st.binary(max_size=3000) | xml_documents(), (FeedError,)),
    Target(
        "parse_sitemap", check_sitemap, st.binary(max_size=3000) | xml_documents(), (SitemapError,)
    ),
    Target("parse_date", check_date, dates),
    Target("normalize_url", check_url, urls, (ValueError,)),
    Target("normalize_text", check_normalize, texts | st.text(max_size=300)),
    Target("classify", check_classify, texts | st.text(max_size=400)),
]


class _OutOfTime(BaseException):
    """Ends one target's run (a BaseException, so hypothesis lets it through)."""


@dataclass
class Tally:
    examples: int = 0
    documented: int = 0
    escapes: Counter[str] = field(default_factory=Counter)
    violations: Counter[str] = field(default_factory=Counter)
    samples: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0


def fuzz(target: Target, seconds: float, run_seed: int) -> Tally:
    tally = Tally()
    started = time.monotonic()

    @seed(run_seed)
    @settings(
        max_examples=10**9,
        deadline=None,
        phases=[Phase.generate],
        database=None,
        verbosity=Verbosity.quiet,
        suppress_health_check=list(HealthCheck),
    )
    @given(value=target.strategy)
    def run(value: Any) -> None:
        if time.monotonic() - started > seconds:
            raise _OutOfTime
        tally.examples += 1
        try:
            problem = target.check(value)
        except target.documented:
            tally.documented += 1
            return
        except Exception as error:
            kind = f"{type(error).__name__}: {str(error)[:70]}"
            tally.escapes[kind] += 1
            tally.samples.setdefault(kind, repr(value)[:300])
            return
        if problem:
            kind = problem.split(":", 1)[0]
            tally.violations[kind] += 1
            tally.samples.setdefault(kind, f"{problem} <- {repr(value)[:240]}")

    with contextlib.suppress(_OutOfTime):
        run()
    tally.seconds = time.monotonic() - started
    return tally


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--seconds", type=float, default=20.0, help="time per target")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--target", action="append", choices=[t.name for t in TARGETS])
    args = parser.parse_args(argv)
    chosen = [t for t in TARGETS if not args.target or t.name in args.target]
    print(f"fuzzing {len(chosen)} targets, {args.seconds:g} s each, seed {args.seed}")
    print(
        f"{'target':<16}{'examples':>10}{'documented':>12}{'escapes':>9}{'violations':>12}"
        f"{'per s':>9}"
    )
    problems: list[tuple[str, str, int, str]] = []
    for target in chosen:
        tally = fuzz(target, args.seconds, args.seed)
        escapes, violations = sum(tally.escapes.values()), sum(tally.violations.values())
        rate = tally.examples / tally.seconds if tally.seconds else 0.0
        print(
            f"{target.name:<16}{tally.examples:>10}{tally.documented:>12}{escapes:>9}"
            f"{violations:>12}{rate:>9.0f}",
            flush=True,
        )
        for kind, count in (tally.escapes + tally.violations).most_common():
            problems.append((target.name, kind, count, tally.samples[kind]))
    for name, kind, count, sample in problems:
        print(f"\n{name}: {count} x {kind}\n  first input: {sample}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
