"""Search: what a reader typing a query relies on, on SQLite and on PostgreSQL alike."""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import MetaData, Table, delete, select

import storage.search
from flows.cli import main
from records import VIETNAM_TZ, Article, Verdict
from storage.db import Database, alembic_config, make_engine
from storage.models import ArticleRow
from storage.repository import save_verdict, upsert_article
from storage.search import SearchHit, parse_query, search_articles
from tests.postgres import database_url

__all__ = ["database_url"]  # every test here runs on SQLite and on PostgreSQL

NOON = datetime(2026, 11, 23, 12, 0, tzinfo=VIETNAM_TZ)


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    database = Database(database_url)
    yield database
    database.dispose()


def store(
    db: Database,
    key: str,
    title: str,
    *paragraphs: str,
    sapo: str | None = None,
    outlet: str = "vnexpress",
    published_at: datetime = NOON,
    verdict: Verdict | None = None,
) -> int:
    article = Article(
        outlet=outlet,
        url=f"https://{outlet}.example/{key}.html",
        canonical_url=None,
        title=title,
        sapo=sapo,
        paragraphs=paragraphs,
        published_at=published_at,
        extraction_method="test",
    )
    with db.session() as session:
        article_id = upsert_article(session, article, url_key=key, fetched_at=published_at)
        if verdict is not None:
            save_verdict(session, article_id, verdict)
    return article_id


def search(db: Database, query: str, **filters: object) -> list[SearchHit]:
    with db.session() as session:
        return search_articles(session, query, **filters)  # type: ignore[arg-type]


def keys(hits: list[SearchHit]) -> list[str]:
    return [hit.url.rsplit("/", 1)[1].removesuffix(".html") for hit in hits]


RECEPTION = "Phó Thủ tướng tiếp Đại sứ Hoa Kỳ tại Việt Nam"
FOOTBALL = "Đội tuyển Việt Nam thắng đậm trận giao hữu"


def test_queries_ignore_accents_case_and_the_stroke_of_d(db: Database) -> None:
    store(db, "reception", RECEPTION, "Hai bên trao đổi về hợp tác kinh tế.")
    store(db, "football", FOOTBALL, "Các cầu thủ thi đấu tốt.")
    assert keys(search(db, "hoa ky")) == ["reception"]
    assert keys(search(db, "dai su")) == ["reception"]
    assert keys(search(db, "ĐẠI SỨ HOA KỲ")) == ["reception"]
    assert keys(search(db, "doi tuyen")) == ["football"]
    assert keys(search(db, "hop tac kinh te")) == ["reception"]
    assert sorted(keys(search(db, "viet nam"))) == ["football", "reception"]


def test_nfd_queries_find_nfc_text_and_nfc_queries_find_nfd_text(db: Database) -> None:
    store(db, "nfc", RECEPTION)
    store(db, "nfd", unicodedata.normalize("NFD", "Thủ tướng điện đàm với Thủ tướng Nhật Bản"))
    assert keys(search(db, unicodedata.normalize("NFD", "Đại sứ Hoa Kỳ"))) == ["nfc"]
    assert keys(search(db, "điện đàm Nhật Bản")) == ["nfd"]
    assert keys(search(db, "dien dam")) == ["nfd"]


def test_every_word_is_required_and_quotes_require_them_side_by_side(db: Database) -> None:
    store(db, "adjacent", "Đại sứ Hoa Kỳ chào xã giao")
    store(db, "apart", "Hoa đào nở sớm", "Kỳ nghỉ Tết kéo dài chín ngày.")
    assert sorted(keys(search(db, "hoa ky"))) == ["adjacent", "apart"]
    assert keys(search(db, '"hoa ky"')) == ["adjacent"]
    assert keys(search(db, "hoa ky nhat ban")) == []
    assert keys(search(db, 'dai su "hoa ky"')) == ["adjacent"]
    assert keys(search(db, '"đại sứ hoa kỳ"')) == ["adjacent"]
    assert sorted(keys(search(db, '"hoa"'))) == ["adjacent", "apart"]


def test_the_title_ranks_first_then_the_lead_then_the_body_newest_first(db: Database) -> None:
    hour = timedelta(hours=1)
    store(db, "title", "Đại sứ Hoa Kỳ thăm Đà Nẵng", "Chuyến thăm kéo dài hai ngày.")
    store(db, "lead", "Tin trong ngày", "Giá vàng tăng.", sapo="Đại sứ Hoa Kỳ thăm Huế.")
    store(db, "body", "Tin trong ngày", "Đại sứ Hoa Kỳ phát biểu.", published_at=NOON - hour)
    store(db, "body-newer", "Tin khác", "Đại sứ Hoa Kỳ dự lễ.", published_at=NOON + hour)
    assert keys(search(db, "dai su")) == ["title", "lead", "body-newer", "body"]


def test_words_side_by_side_rank_above_the_same_words_apart(db: Database) -> None:
    store(db, "together", "Du khách Hoa Kỳ đến thăm phố cổ Hội An")
    store(db, "apart", "Hoa mai nở rộ, học sinh nghỉ học kỳ hai")  # newer id: ties go to it
    store(db, "neither", "Giá vàng tăng mạnh trong phiên sáng nay")
    assert keys(search(db, "hoa ky")) == ["together", "apart"]


def test_on_postgresql_only_the_newest_matches_are_ranked_when_very_many_match(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(storage.search, "RANK_WINDOW", 2)  # 10,000 in production
    day = timedelta(days=1)
    store(db, "old", "Đại sứ Hoa Kỳ chào từ biệt", published_at=NOON - 3 * day)
    store(db, "mid", "Tin trong ngày", "Đại sứ Hoa Kỳ dự lễ.", published_at=NOON - 2 * day)
    store(db, "new", "Tin trong ngày", "Đại sứ Hoa Kỳ dự lễ.", published_at=NOON - day)
    if db.engine.dialect.name == "postgresql":
        assert keys(search(db, "dai su hoa ky")) == ["new", "mid"]
    else:  # SQLite ranks every match: the title match wins, then the newest
        assert keys(search(db, "dai su hoa ky")) == ["old", "new", "mid"]


def test_snippets_show_the_matching_passage_with_the_original_words_highlighted(
    db: Database,
) -> None:
    long = (
        "Trong khuôn khổ chuyến thăm chính thức, hai bên đã có nhiều hoạt động trao đổi "
        "về văn hóa, giáo dục, du lịch và giao lưu nhân dân giữa các địa phương. "
        * 3
        + "Bộ trưởng khẳng định Việt Nam coi trọng quan hệ Đối tác chiến lược toàn diện "
        "với Hoa Kỳ và mong muốn thúc đẩy hợp tác bán dẫn. " + "Các bên nhất trí tiếp tục. " * 5
    )
    store(db, "long", "Bộ trưởng Ngoại giao tiếp đoàn", "Mở đầu ngắn.", long, sapo="Sáng 23/11.")
    [hit] = search(db, "ban dan hoa ky")
    assert hit.snippet.render().count("[") == 4
    assert "[Hoa] [Kỳ]" in hit.snippet.render()
    assert "[bán] [dẫn]" in hit.snippet.render()
    assert hit.snippet.text.startswith("…") and hit.snippet.text.endswith("…")
    assert len(hit.snippet.text) < 260
    [titled] = search(db, "bo truong ngoai giao")
    assert [titled.title[s:e] for s, e in titled.title_highlights] == [
        "Bộ",
        "trưởng",
        "Ngoại",
        "giao",
    ]


def test_the_index_follows_updates_and_deletes(db: Database) -> None:
    store(db, "k", "Thủ tướng tiếp Đại sứ Nhật Bản")
    assert keys(search(db, "nhat ban")) == ["k"]
    store(db, "k", "Thủ tướng tiếp Đại sứ Hàn Quốc")  # the same URL, re-parsed
    assert keys(search(db, "nhat ban")) == []
    assert keys(search(db, "han quoc")) == ["k"]
    with db.session() as session:
        session.execute(delete(ArticleRow))
    assert keys(search(db, "han quoc")) == []


def test_filters_since_outlet_and_diplomacy(db: Database) -> None:
    diplomacy = Verdict(is_diplomacy=True, score=0.9, partners=("US",))
    store(db, "old", "Hoa Kỳ và Việt Nam", published_at=NOON - timedelta(days=30))
    store(db, "new", "Hoa Kỳ và Việt Nam", verdict=diplomacy)
    store(db, "other", "Hoa Kỳ và Việt Nam", outlet="vov", verdict=Verdict(False, 0.1))
    assert sorted(keys(search(db, "hoa ky"))) == ["new", "old", "other"]
    assert sorted(keys(search(db, "hoa ky", since=NOON - timedelta(days=1)))) == [
        "new",
        "other",
    ]
    assert keys(search(db, "hoa ky", outlets=["vov"])) == ["other"]
    [hit] = search(db, "hoa ky", diplomacy_only=True)
    assert (keys([hit]), hit.is_diplomacy, hit.partners) == (["new"], True, ("US",))
    assert hit.time == NOON.astimezone(UTC)
    assert len(search(db, "hoa ky", limit=2)) == 2


def test_search_syntax_typed_by_a_user_is_taken_as_words(db: Database) -> None:
    store(db, "k", "Hoa Kỳ AND Việt Nam: NOT a NEAR miss")
    for query in ["hoa* ky", "NOT", "AND hoa", "(hoa)", 'hoa "ky', "hoa:ky", "^hoa", "hoa & ky"]:
        search(db, query)  # no syntax error from FTS5 or tsquery
    assert keys(search(db, "not near")) == ["k"]
    assert keys(search(db, "hoa ky -viet")) == ["k"]  # "-" is not an operator
    with pytest.raises(ValueError, match="nothing to search for"):
        parse_query(' " !? " ')


def test_articles_stored_before_the_search_migration_are_indexed_by_it(
    database_url: str,
) -> None:
    engine = make_engine(database_url)
    config = alembic_config(engine)
    before = ScriptDirectory.from_config(config).get_revision("0004").down_revision
    command.upgrade(config, str(before))
    # An article as the code of that revision stored it: only the columns its schema has.
    articles = Table("articles", MetaData(), autoload_with=engine)
    with engine.begin() as connection:
        connection.execute(articles.insert().values({
            column: value for column, value in {
                "url_key": "old", "url": "https://vnexpress.example/old.html",
                "outlet_key": "vnexpress", "title": "Đại sứ Hoa Kỳ chào Chủ tịch nước",
                "paragraphs": [], "authors": [], "tags": [], "images": [],
                "extraction_method": "test", "published_at": NOON, "first_seen_at": NOON,
                "fetched_at": NOON,
            }.items() if column in articles.c
        }))
    db = Database(database_url)  # migrates to the newest revision
    assert keys(search(db, "dai su hoa ky")) == ["old"]
    command.downgrade(alembic_config(db.engine), str(before))  # and back, cleanly
    command.upgrade(alembic_config(db.engine), "head")
    assert keys(search(db, "chu tich nuoc")) == ["old"]
    db.dispose()
    engine.dispose()


def test_the_search_command_prints_ranked_hits_with_highlights(
    db: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    store(db, "reception", RECEPTION, "Hai bên trao đổi về hợp tác bán dẫn.", sapo="Chiều 23/11.")
    store(db, "football", FOOTBALL, verdict=Verdict(False, 0.0))
    assert main(["search", "ban", "dan", "--db", db.url]) == 0
    out = capsys.readouterr().out
    assert " 1. " + RECEPTION in out
    assert "hợp tác [bán] [dẫn]." in out
    assert main(["search", "viet nam", "--json", "--limit", "5", "--db", db.url]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert sorted(row["title"] for row in rows) == sorted([RECEPTION, FOOTBALL])
    assert [row["rank"] for row in rows] == [1, 2]
    football = next(row for row in rows if row["title"] == FOOTBALL)
    assert football["is_diplomacy"] is False
    assert football["time"] == "2026-11-23T12:00:00+07:00"
    [[start, end], _] = football["title_highlights"]
    assert FOOTBALL[start:end] == "Việt"
    assert main(["search", "hoa ky", "--since", "2026-11-24", "--json", "--db", db.url]) == 0
    assert capsys.readouterr().out == ""


def test_the_search_command_refuses_bad_input_in_one_line(
    db: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["search", "hoa", "--outlet", "nope", "--db", db.url]) == 2
    assert main(["search", "?!", "--db", db.url]) == 2
    assert main(["search", "hoa", "--limit", "0", "--db", db.url]) == 2
    errors = capsys.readouterr().err.splitlines()
    assert len(errors) == 3
    assert all(line.startswith("diplowatch search: ") for line in errors)
    assert "unknown outlet key 'nope'" in errors[0]


def test_nothing_stored_means_no_hits(db: Database) -> None:
    assert search(db, "hoa ky") == []
    with db.session() as session:
        assert session.scalars(select(ArticleRow)).all() == []
