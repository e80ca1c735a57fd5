"""Reparse: stored articles are rebuilt from the WARC archive, in place, without the network,
and each is filed in its story again (the story tests run on SQLite and on PostgreSQL)."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import delete, func, select, update

from flows.cli import main
from flows.monitoring import monitor_outlet
from flows.reparse import reparse_articles
from flows.settings import Settings, get_settings
from flows.stories import file_in_story
from parsers.registry import outlet_by_key
from records import Verdict
from storage.db import Database
from storage.models import ArticleRow, StoryArticleRow, StoryKeyRow, StoryRow, VerdictRow
from storage.repository import article_from_row
from tests.http_server import LocalServer
from tests.postgres import database_url
from tests.site import DIPLOMACY_ARTICLE, SPORT_ARTICLE, article_html, rss_feed
from tests.stored import stories_by_title

__all__ = ["database_url"]  # the story tests run on SQLite and on PostgreSQL

HOST = "vnexpress.net"


@pytest.fixture
def archived(
    local_server: LocalServer, configure: Callable[..., None], tmp_path: Path
) -> tuple[Database, Settings]:
    """A monitor pass has stored both test articles and archived their pages to WARC;
    then the site went away."""
    return monitor_then_close(local_server, configure, f"sqlite:///{tmp_path / 'reparse.db'}")


@pytest.fixture
def archived_on(
    local_server: LocalServer, configure: Callable[..., None], database_url: str
) -> tuple[Database, Settings]:
    """The same, on SQLite and on PostgreSQL."""
    return monitor_then_close(local_server, configure, database_url)


def monitor_then_close(
    local_server: LocalServer, configure: Callable[..., None], url: str
) -> tuple[Database, Settings]:
    local_server.add(HOST, "/robots.txt", "User-agent: *\nAllow: /\n", content_type="text/plain")
    local_server.add(HOST, "/rss/thoi-su.rss", rss_feed(HOST, [DIPLOMACY_ARTICLE, SPORT_ARTICLE]))
    for article in (DIPLOMACY_ARTICLE, SPORT_ARTICLE):
        local_server.add(HOST, article.path, article_html(HOST, article))
    configure(
        host_map=local_server.host_map(HOST),
        politeness={"min_delay_seconds": 0.0, "outlet_delays": {"vnexpress": 0.0},
                    "max_retries": 0, "shared_limits": False},
    )  # fmt: skip
    settings = get_settings()
    db = Database(url)
    counters = asyncio.run(monitor_outlet(outlet_by_key("vnexpress"), settings, db))
    assert counters.stored == 2
    local_server.close()
    return db, settings


def break_rows(db: Database) -> dict[str, int]:
    """What a broken parser and a bad classifier would have stored; returns ids by title."""
    with db.session() as session:
        ids = {row.title: row.id for row in session.scalars(select(ArticleRow))}
        session.execute(update(ArticleRow).values(title="(lỗi)", paragraphs=[], sapo=None))
        session.execute(update(VerdictRow).values(is_diplomacy=False, score=0.0, partners=[]))
    return ids


def stored(db: Database) -> dict[int, tuple[str, int, bool]]:
    with db.session() as session:
        rows = session.execute(
            select(ArticleRow.id, ArticleRow.title, ArticleRow.paragraphs, VerdictRow.is_diplomacy)
            .join(VerdictRow, VerdictRow.article_id == ArticleRow.id)
        ).all()  # fmt: skip
        return {row.id: (row.title, len(row.paragraphs), row.is_diplomacy) for row in rows}


def test_reparse_rebuilds_articles_and_verdicts_in_place_from_the_archive(
    archived: tuple[Database, Settings],
) -> None:
    db, settings = archived
    good = stored(db)
    ids = break_rows(db)
    assert stored(db) != good

    [counters] = asyncio.run(reparse_articles(db, settings, outlets=["vnexpress"]))
    assert (counters.examined, counters.reparsed, counters.changed) == (2, 2, 2)
    assert (counters.verdicts_changed, counters.no_archive, counters.errors) == (2, 0, 0)
    assert stored(db) == good  # same rows, same ids, the content of the first parse
    assert ids[DIPLOMACY_ARTICLE.title] in good and good[ids[DIPLOMACY_ARTICLE.title]][2]
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(ArticleRow)) == 2
        assert session.scalar(select(func.count()).select_from(VerdictRow)) == 2

    [again] = asyncio.run(reparse_articles(db, settings, outlets=["vnexpress"]))
    assert (again.reparsed, again.changed, again.verdicts_changed) == (2, 0, 0)
    db.dispose()


def test_reparse_selects_by_day_and_outlet(archived: tuple[Database, Settings]) -> None:
    db, settings = archived
    break_rows(db)
    # The sport article is dated 23/11 21:15 and the diplomacy one 23/11 16:30 (Hanoi).
    assert asyncio.run(reparse_articles(db, settings, since=date(2026, 11, 24))) == []
    assert asyncio.run(reparse_articles(db, settings, outlets=["tuoitre"])) == []
    [counters] = asyncio.run(
        reparse_articles(db, settings, since=date(2026, 11, 23), until=date(2026, 11, 23))
    )
    assert counters.reparsed == 2
    db.dispose()


def test_an_archive_moved_into_the_warc_folder_is_found_and_a_lost_one_is_counted(
    archived: tuple[Database, Settings], tmp_path: Path
) -> None:
    db, settings = archived
    [warc] = list(settings.resolved_warc_dir.glob("*.warc.gz"))
    elsewhere = tmp_path / "old-place" / warc.name
    with db.session() as session:
        session.execute(update(ArticleRow).values(warc_file=str(elsewhere)))
    [counters] = asyncio.run(reparse_articles(db, settings))
    assert (counters.reparsed, counters.no_archive) == (2, 0)

    shutil.move(warc, tmp_path / "lost.warc.gz")
    [counters] = asyncio.run(reparse_articles(db, settings))
    assert (counters.reparsed, counters.no_archive) == (0, 2)
    db.dispose()


def stories(db: Database) -> dict[int, tuple[str, int]]:
    with db.session() as session:
        rows = session.scalars(select(StoryRow)).all()
        return {row.id: (row.title, row.article_count) for row in rows}


def test_reparse_files_a_diplomacy_article_in_its_story_once(
    archived_on: tuple[Database, Settings],
) -> None:
    db, settings = archived_on
    break_rows(db)  # a broken parser and classifier: nothing was diplomacy, no story was filed
    with db.session() as session:
        for model in (StoryKeyRow, StoryArticleRow, StoryRow):
            session.execute(delete(model))
    assert stories_by_title(db) == {}

    asyncio.run(reparse_articles(db, settings, outlets=["vnexpress"]))
    filed = stories_by_title(db)
    assert set(filed) == {DIPLOMACY_ARTICLE.title}  # the sport article is in no story
    assert stories(db) == {filed[DIPLOMACY_ARTICLE.title]: (DIPLOMACY_ARTICLE.title, 1)}

    asyncio.run(reparse_articles(db, settings, outlets=["vnexpress"]))
    assert stories_by_title(db) == filed  # filed again in place: same story, nothing added
    assert stories(db) == {filed[DIPLOMACY_ARTICLE.title]: (DIPLOMACY_ARTICLE.title, 1)}
    db.dispose()


def test_an_article_no_longer_diplomacy_leaves_its_story_on_reparse(
    archived_on: tuple[Database, Settings],
) -> None:
    db, settings = archived_on
    # An older classifier had called the sport article diplomacy and filed it in a story.
    with db.session() as session:
        row = session.scalars(select(ArticleRow).where(ArticleRow.title == SPORT_ARTICLE.title))
        sport = row.one()
        file_in_story(session, sport.id, article_from_row(sport), Verdict(True, 0.9, ("US",)))
    before = stories_by_title(db)
    assert set(before) == {DIPLOMACY_ARTICLE.title, SPORT_ARTICLE.title}

    asyncio.run(reparse_articles(db, settings, outlets=["vnexpress"]))
    after = stories_by_title(db)
    assert after == {DIPLOMACY_ARTICLE.title: before[DIPLOMACY_ARTICLE.title]}
    # The sport article's story went with it, or (had it joined) was refreshed without it.
    assert stories(db) == {after[DIPLOMACY_ARTICLE.title]: (DIPLOMACY_ARTICLE.title, 1)}
    db.dispose()


@pytest.mark.prefect
def test_the_reparse_command_runs_the_flow_and_prints_a_table(
    prefect_harness: object,
    archived: tuple[Database, Settings],
    capsys: pytest.CaptureFixture[str],
) -> None:
    db, _ = archived
    break_rows(db)
    capsys.readouterr()
    status = main(["reparse", "--outlet", "vnexpress", "--since", "2026-11-23", "--db", db.url])
    assert status == 0
    header, row = capsys.readouterr().out.splitlines()[:2]
    assert header.split()[:4] == ["outlet", "examined", "reparsed", "changed"]
    assert row.split() == ["vnexpress", "2", "2", "2", "2", "0", "0"]
    assert main(["reparse", "--outlet", "nosuch"]) == 2
    db.dispose()
