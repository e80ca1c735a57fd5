"""A constructed outlet on the loopback fault server, and monitor runs over it.

The fault-injection tests (``tests/test_faults_*.py``) serve this outlet's feeds, robots.txt
and pages from ``tests.http_server.LocalServer``, break one of them, run the real monitor
recipe (``flows.monitoring.monitor_outlet``: crawler, parsers, classifier, SQLite) and check
what an operator relies on: the fault is counted with the outlet and the URL, the rest of the
run goes on, nothing stored is lost or stored twice, and no other host is contacted.
"""

from __future__ import annotations

import functools
import gzip
import unicodedata
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from flows.monitoring import monitor_outlet
from flows.settings import Settings, get_settings
from records import VIETNAM_TZ, Outlet
from storage.db import Database
from storage.models import ArticleRow, FetchState, PendingUrl
from storage.repository import OutletCounters
from tests.http_server import LocalServer
from tests.site import DIPLOMACY_ARTICLE, TestArticle, article_html, rss_feed

HOST = "baothu.vn"
FEED = f"https://{HOST}/rss/tin-moi.rss"
FEED_2 = f"https://{HOST}/rss/the-gioi.rss"
OUTLET = Outlet(
    key="baothu",
    name="Báo Thử",
    domains=(HOST,),
    feeds=(FEED, FEED_2),
    min_delay_seconds=0.0,
)
# Hosts a hostile feed or page points at; they are mapped to the server so that a request
# to them would be seen (and must not happen).
FOREIGN_HOSTS = ("evil.example", "tuoitre.vn")

CAP = 1_000_000  # max_body_bytes in the size tests: 1 MB



def article(number: int, title: str | None = None) -> TestArticle:
    """A diplomacy-like test article at ``/the-gioi/bai-<number>.html``, dated 20/11/2026."""
    return replace(
        DIPLOMACY_ARTICLE,
        path=f"/the-gioi/bai-{number}.html",
        title=title or f"{DIPLOMACY_ARTICLE.title} (bài {number})",
        published_at=datetime(2026, 11, 20, 8, number % 60, tzinfo=VIETNAM_TZ),
    )


def url_of(page: TestArticle) -> str:
    return f"https://{HOST}{page.path}"




@functools.cache
def gzip_bomb(decoded_mb: int, layers: int) -> bytes:
    """``decoded_mb`` MB of zeros, gzipped ``layers`` times (never held decoded in memory)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = bytes(1 << 20)
    data = b"".join(packer.compress(block) for _ in range(decoded_mb)) + packer.flush()
    for _ in range(layers - 1):
        data = gzip.compress(data, 9)
    return data


class Producer:
    """A body of ``total`` bytes made on demand; counts what the server actually sent."""

    def __init__(self, total: int, piece: int = 65_536) -> None:
        self.total = total
        self.piece = piece
        self.produced = 0

    def __call__(self) -> Iterator[bytes]:
        block = b"a" * self.piece
        while self.produced < self.total:
            self.produced += self.piece
            yield block


# -- hostile documents -------------------------------------------------------------------------

PASSWD_MARKERS = ("root:x:0:0", "root:*:0:0", "/bin/sh", "/usr/sbin/nologin")
PAD = "<!--" + "x" * 70_000 + "-->"  # pushes a DOCTYPE past a 64 KB pre-check


def billion_laughs(root: str) -> str:
    levels = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)
    ]
    return f"<!DOCTYPE {root} [{''.join(levels)}]>"


def external_entity(root: str) -> str:
    return f'<!DOCTYPE {root} [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'


def all_text(row: ArticleRow) -> str:
    return "\n".join([row.title, row.sapo or "", *row.paragraphs, *row.authors])


def assert_clean(row: ArticleRow) -> None:
    text = all_text(row)
    assert unicodedata.is_normalized("NFC", text)
    assert "\x00" not in text and "\ufffd" not in text
    assert not any(marker in text for marker in PASSWD_MARKERS)
    assert "lollollol" not in text


@dataclass
class FaultSite:
    """The outlet's server, its settings and database; ``monitor()`` runs one pass."""

    server: LocalServer
    db: Database
    apply: Callable[..., None]

    def serve_robots(self, text: str = "User-agent: *\nAllow: /\n") -> None:
        self.server.add(HOST, "/robots.txt", text, content_type="text/plain; charset=utf-8")

    def serve_feed(self, feed_url: str, pages: list[TestArticle], **options: Any) -> None:
        path = feed_url.split(HOST, 1)[1]
        self.server.add(
            HOST,
            path,
            rss_feed(HOST, pages),
            content_type="application/rss+xml; charset=utf-8",
            **options,
        )

    def serve_page(self, page: TestArticle, **options: Any) -> None:
        options.setdefault("content_type", "text/html; charset=utf-8")
        self.server.add(HOST, page.path, article_html(HOST, page), **options)

    def serve(self, pages: list[TestArticle], *, empty_second_feed: bool = True) -> None:
        """robots.txt, the first feed listing ``pages``, the pages themselves."""
        self.serve_robots()
        self.serve_feed(FEED, pages)
        if empty_second_feed:
            self.serve_feed(FEED_2, [])
        for page in pages:
            self.serve_page(page)

    def settings(self, **politeness: Any) -> Settings:
        """Settings through the environment: fast politeness, this server in host_map."""
        values: dict[str, Any] = {
            "min_delay_seconds": 0.0,
            "backoff_seconds": 0.01,
            "max_retries": 1,
            "timeout_seconds": 2.0,
            "connect_timeout_seconds": 2.0,
        }
        values.update(politeness)
        hosts = (HOST, f"*.{HOST}", *FOREIGN_HOSTS)
        self.apply(host_map=self.server.host_map(*hosts), politeness=values)
        return get_settings()

    async def monitor(self, outlet: Outlet = OUTLET, **politeness: Any) -> OutletCounters:
        return await monitor_outlet(outlet, self.settings(**politeness), self.db)

    # -- what is stored ------------------------------------------------------------------

    def articles(self) -> dict[str, ArticleRow]:
        with self.db.session() as session:
            rows = session.scalars(select(ArticleRow).order_by(ArticleRow.id)).all()
        keys = [row.url_key for row in rows]
        assert len(keys) == len(set(keys)), f"an article is stored twice: {keys}"
        return {row.url_key: row for row in rows}

    def pending(self) -> dict[str, PendingUrl]:
        with self.db.session() as session:
            return {row.url_key: row for row in session.scalars(select(PendingUrl))}

    def feed_state(self, feed_url: str) -> FetchState | None:
        with self.db.session() as session:
            return session.get(FetchState, feed_url)

    def hosts_contacted(self) -> set[str]:
        return {request.host for request in self.server.requests}


@pytest.fixture
def fault_site(
    local_server: LocalServer, configure: Callable[..., None], tmp_path: Path
) -> Iterator[FaultSite]:
    db = Database(f"sqlite:///{tmp_path / 'diplowatch.db'}")
    try:
        yield FaultSite(local_server, db, configure)
    finally:
        db.dispose()
