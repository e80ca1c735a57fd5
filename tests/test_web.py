"""The reading room as a reader uses it: every route over HTTP (Starlette's TestClient), on
SQLite and on PostgreSQL, over the archive of tests/web_archive.py (stories of several
weeks, a story carried by 30 outlets, hostile page strings, 10,050 search hits).
The real server over a real socket is tests/test_web_server.py."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, OperationalError
from starlette.testclient import TestClient

from storage.archive import SchemaMissingError, open_read_only
from tests.postgres import BACKENDS, database_for
from tests.web_archive import HOSTILE_TITLE, NOON, THIRTY, Archive, build_archive, bulk_articles
from web import Profile, WebConfig, create_app
from web.config import ExposedError, check_exposure

PROFILES = (Profile("vn-us", ("US",)), Profile("vn-jp", ("JP",)))
BULK = 10_050


@pytest.fixture(scope="module", params=BACKENDS)
def archive(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
            ) -> Iterator[Archive]:  # fmt: skip
    with database_for(request.param, tmp_path_factory.mktemp("web")) as url:
        built = build_archive(url)
        bulk_articles(url, BULK)
        yield built


@pytest.fixture(scope="module")
def client(archive: Archive) -> Iterator[TestClient]:
    with TestClient(create_app(WebConfig(archive.url, profiles=PROFILES))) as test_client:
        yield test_client


class Page(HTMLParser):
    """Text, links and tags of a page (what a reader sees and can click)."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.text: list[str] = []
        self.links: list[str] = []
        self.tags: set[str] = set()
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self.links += [value or "" for name, value in attrs if name == "href"]

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    @property
    def words(self) -> str:
        return " ".join(" ".join(self.text).split())


def get(client: TestClient, path: str, status: int = 200, **params: Any) -> Page:
    response = client.get(path, params=params)
    assert response.status_code == status, (path, response.text[-800:])
    return Page(response.text)


def story_titles(page: Page) -> list[str]:
    return [t for t in re.findall(r"\d+\. (.+?) [A-ZĐ][\w ]* · \d\d/", page.words)]


# --------------------------------------------------------------------------- every route


ROUTES = [
    "/stories?day=2026-11-24", "/stories/{reception}", "/search?q=hoa+ky", "/partners/US",
    "/people/T%C3%B4%20L%C3%A2m", "/outlets", "/charts", "/charts/partners.svg",
    "/charts/events.svg", "/charts/partners.csv", "/charts/events.csv", "/healthz",
    "/static/app.css",
]  # fmt: skip


def test_every_route_answers_with_the_security_headers(
    client: TestClient, archive: Archive
) -> None:
    for route in ROUTES:
        response = client.get(route.format(**archive.stories))
        assert response.status_code == 200, (route, response.text[-500:])
        csp = response.headers["content-security-policy"]
        assert "script-src" not in csp and "default-src 'none'" in csp
        assert "unsafe-inline" not in csp or route.endswith(".svg")
        assert response.headers["x-content-type-options"] == "nosniff"
        if response.headers["content-type"].startswith("text/html"):
            assert "<script" not in response.text.lower()
            assert " style=" not in response.text and "<style" not in response.text
    home = client.get("/", follow_redirects=False)
    assert home.status_code == 307 and home.headers["location"] == "/stories"


def test_there_are_no_write_routes(client: TestClient, archive: Archive) -> None:
    for route in ROUTES:
        for method in ("POST", "PUT", "PATCH", "DELETE"):
            response = client.request(method, route.format(**archive.stories))
            assert response.status_code == 405, (method, route)
    assert client.head("/stories?day=2026-11-24").status_code == 200


def test_the_reading_room_cannot_write_to_the_database(archive: Archive) -> None:
    db = open_read_only(archive.url)
    try:
        with pytest.raises((OperationalError, DBAPIError)), db.session() as session:
            session.execute(text("DELETE FROM stories"))
        with db.session() as session:
            assert session.scalar(text("SELECT count(*) FROM stories")) == 15
    finally:
        db.dispose()


def test_a_database_never_migrated_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SchemaMissingError, match="diplowatch run"):
        open_read_only(f"sqlite:///{tmp_path / 'empty.db'}")


# --------------------------------------------------------------------------- pages


def test_the_stories_of_a_day_come_in_the_digests_order(
    client: TestClient, archive: Archive
) -> None:
    page = get(client, "/stories", day="2026-11-24", profile="vn-us")
    words = page.words
    assert "4 tin" in words and "từ 23/11/2026 07:00 đến 24/11/2026 07:00" in words
    order = [words.index(title) for title in (
        "Việt Nam và Hoa Kỳ hội đàm về hợp tác bán dẫn",  # a minister, 30 outlets
        "Tổng Bí thư Tô Lâm tiếp Đại sứ Hoa Kỳ Marc Knapper",  # the head of party, 3 outlets
        "Bộ trưởng Ngoại giao điện đàm với Ngoại trưởng Hoa Kỳ",  # a minister, 2 outlets
    )]  # fmt: skip
    assert order == sorted(order)
    assert "Thủ tướng Nhật Bản" not in words, "a Japan story is not in the vn-us profile"
    assert f"/stories/{archive.stories['reception']}" in page.links
    assert "/people/T%C3%B4%20L%C3%A2m" in page.links and "/partners/US" in page.links
    japan = get(client, "/stories", day="2026-11-24", profile="vn-jp").words
    assert "Thủ tướng Nhật Bản thăm chính thức Việt Nam" in japan and "bán dẫn" not in japan
    empty = get(client, "/stories", day="2026-12-20").words
    assert "Không có tin ngoại giao" in empty and "Ngày gần nhất có tin" in empty


def test_the_digest_ranks_the_same_day_the_same_way(archive: Archive) -> None:
    from flows.digesting import collect_digest
    from flows.settings import WatchProfile
    from storage.db import Database
    from web.views import day_stories

    db = Database(archive.url, run_migrations=False)
    try:
        _, digest_order, _ = collect_digest(db, WatchProfile(name="vn-us"), NOON.date() +
                                            timedelta(days=1))  # fmt: skip
        with db.session() as session:
            web_order = [s.story_id for s in day_stories(session, PROFILES[0], NOON.date()
                                                         + timedelta(days=1))]  # fmt: skip
    finally:
        db.dispose()
    # The digest leaves out what a sent digest already carried (the reception, sent on
    # 25/11); the page shows the day as it was, in the same order.
    reception = archive.stories["reception"]
    assert len(web_order) == 4 and reception in web_order
    assert [story for story in web_order if story != reception] == digest_order


def test_a_story_page_shows_outlets_people_partners_evidence_and_digests(
    client: TestClient, archive: Archive
) -> None:
    page = get(client, f"/stories/{archive.stories['reception']}")
    words = page.words
    for expected in (
        "Tổng Bí thư Tô Lâm tiếp Đại sứ Hoa Kỳ Marc Knapper", "Tô Lâm (Tổng Bí thư)",
        "Marc Knapper (Đại sứ Hoa Kỳ)", "Hoa Kỳ", "Tiếp", "kinh tế - thương mại - đầu tư",
        "3 bài từ 3 báo", "VnExpress · 23/11/2026 12:00", "Tuổi Trẻ · 23/11/2026 12:01",
        "Bằng chứng của bộ phân loại (rules-test)", "tiêu đề: reception",
        "vn-us 25/11/2026 (đã gửi 25/11/2026 12:00)",
        "vn-us · cảnh báo mức 2 · 23/11/2026 12:05 · Tổng Bí thư tiếp Đại sứ Hoa Kỳ"
        " · email: đã gửi",
    ):  # fmt: skip
        assert expected in words, expected
    assert "https://tuoitre.example/reception-1.html" in page.links
    assert "/stories?day=2026-11-25&profile=vn-us" in page.links
    assert "details" in page.tags  # evidence folds away without a script
    get(client, "/stories/999999", 404)


def test_a_story_carried_by_30_outlets_is_paginated(client: TestClient, archive: Archive) -> None:
    path = f"/stories/{archive.stories['thirty']}"
    first, second = get(client, path), get(client, path, page=2)
    assert "30 bài từ 30 báo" in first.words and "Các bài (30)" in first.words
    assert "Trang 1/2" in first.words and f"{path}?page=2" in first.links
    outlets = [f"https://{key}.example/thirty-{n}.html" for n, key in enumerate(THIRTY)]
    # (the first outlet's link is also the representative's, "bài gốc", above the list)
    assert list(dict.fromkeys(link for link in first.links if link in outlets)) == outlets[:20]
    assert [link for link in second.links if link in outlets][1:] == outlets[20:]
    assert "Trang 2/2" in second.words and f"{path}?page=1" in second.links
    get(client, path, 404, page=3)


def test_search_with_10000_hits_is_paginated(client: TestClient) -> None:
    first = get(client, "/search", q="thuong dinh")
    assert "Ít nhất 10000 bài khớp" in first.words and "Trang 1/500" in first.words
    last = get(client, "/search", q="thuong dinh", page=500)
    assert "Trang 500/500" in last.words
    numbers = [set(re.findall(r"thượng đỉnh số (\d+)", p.words)) for p in (first, last)]
    assert all(len(found) == 20 for found in numbers) and not numbers[0] & numbers[1]
    assert "/search?page=2&q=thuong+dinh" in first.links
    get(client, "/search", 404, q="thuong dinh", page=501)


def test_search_filters(client: TestClient, archive: Archive) -> None:
    diplomacy = get(client, "/search", q="thuong dinh", partner="KR", diplomacy="1")
    assert "1005 bài khớp" in diplomacy.words  # every tenth of 10,050
    dated = get(client, "/search", q="thuong dinh", **{"from": "2026-08-01", "to": "2026-08-01"})
    assert "73 bài khớp" in dated.words  # one every 14 minutes from 07:00 to midnight
    outlet = get(client, "/search", q="thuong dinh", outlet="vnexpress")
    assert f"{-(-BULK // len(THIRTY[:23]))} bài khớp" in outlet.words
    people = get(client, "/search", q="hoa ky", person="Tô Lâm")
    assert "1 bài khớp" not in people.words and "Tô Lâm" in people.words
    assert "Tổng Bí thư Tô Lâm tiếp" in people.words and "điện đàm" not in people.words
    talks = get(client, "/search", q="hoa ky", event="talks")
    assert "30 bài khớp" in talks.words
    assert f"/stories/{archive.stories['thirty']}" in talks.links
    assert "<mark>" in client.get("/search", params={"q": "hoa ky"}).text


def test_filters_without_words_list_the_stories(client: TestClient, archive: Archive) -> None:
    page = get(client, "/search", person="Bùi Thanh Sơn", partner="US",
               **{"from": "2026-10-01"})  # fmt: skip
    assert "tin khớp bộ lọc" in page.words
    linked = {f"/stories/{archive.stories[k]}" for k in ("call", "thirty", "week1", "week3",
                                                          "week5", "week7")}  # fmt: skip
    assert linked <= set(page.links)
    assert f"/stories/{archive.stories['week2']}" not in page.links  # Japan


def test_partner_and_person_pages_show_stories_over_time(
    client: TestClient, archive: Archive
) -> None:
    japan = client.get("/partners/jp")
    assert japan.status_code == 200 and "<svg" in japan.text
    words = Page(japan.text).words
    assert "Việt Nam – Nhật Bản" in words and "6 tin" in words  # 1 visit and 5 weeks
    person = get(client, "/people/Bùi Thanh Sơn")
    assert "12 tin" in person.words  # the call, the talks and the ten weekly stories
    assert f"/stories/{archive.stories['week10']}" in person.links
    older = get(client, "/people/Bùi Thanh Sơn", page=1, **{"from": "2026-01-01",
                                                             "to": "2026-10-01"})  # fmt: skip
    assert "3 tin" in older.words  # the weekly stories of 28/9 and before
    get(client, "/people/Không Có Ai")


def test_outlet_health_shows_last_success_streak_and_flags(client: TestClient) -> None:
    page = get(client, "/outlets")
    words = page.words
    assert "Tuổi Trẻ" in words and "timeout fetching feed" not in words  # escaped, not bold
    assert "<b>timeout</b> fetching feed" in words
    assert "24/11/2026 13:00" in words and "4" in words
    assert "Báo Lào Cai" in words or "baolaocai" in words


def test_weekly_charts_and_their_csv_agree(client: TestClient) -> None:
    span = {"from": "2026-09-01", "to": "2026-11-29", "profile": "vn-us"}
    csv_text = client.get("/charts/partners.csv", params=span).text
    rows = [line.split(",") for line in csv_text.strip().splitlines()]
    assert rows[0][:3] == ["week", "US", "JP"]
    totals = {key: sum(int(row[i]) for row in rows[1:]) for i, key in enumerate(rows[0][1:], 1)}
    assert totals == {"US": 9, "JP": 6}  # 4 US + 1 JP on 23/11, 5 + 5 weekly stories
    events = client.get("/charts/events.csv", params=span).text.splitlines()
    assert events[-1].startswith("2026-11-23,1,1,1,1,0,1")
    svg = client.get("/charts/partners.svg", params=span)
    assert svg.headers["content-type"].startswith("image/svg+xml")
    assert "prefers-color-scheme: dark" in svg.text and "<script" not in svg.text
    assert "Hoa Kỳ (9)" in svg.text and "Nhật Bản (6)" in svg.text
    page = client.get("/charts", params=span).text
    assert page.count("<svg") == 2 and "Hoa Kỳ (9)" in page
    assert "/charts/partners.csv?profile=vn-us&amp;from=2026-09-01&amp;to=2026-11-29" in page


# --------------------------------------------------------------------------- hostile input


def test_hostile_page_strings_are_escaped(client: TestClient, archive: Archive) -> None:
    for path in (f"/stories/{archive.stories['hostile']}", "/stories?day=2026-11-24"):
        html = client.get(path).text
        assert "<script" not in html and "<img" not in html and "<b>đậm" not in html
        assert "javascript:" not in re.sub(r"<p class=\"url\">[^<]*</p>", "", html)
        assert "\u202e" not in html
        assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; Tin giả" in html
    assert HOSTILE_TITLE.startswith("<script>")


HOSTILE = [
    ("/stories", {"day": "2026-13-40"}, 400),
    ("/stories", {"day": "<script>"}, 400),
    ("/stories", {"day": "1900-01-01"}, 400),
    ("/stories", {"profile": "<svg onload=alert(1)>"}, 400),
    ("/stories", {"page": "-1"}, 400),
    ("/stories", {"page": "99999999999999999999"}, 400),
    ("/stories", {"page": "1e3"}, 400),
    ("/search", {"q": "' OR 1=1 --"}, 200),
    ("/search", {"q": '"unbalanced'}, 200),
    ("/search", {"q": "NEAR(hoa ky) AND * ^"}, 200),
    ("/search", {"q": "\x00\x01\u202e"}, 200),
    ("/search", {"q": "x" * 301}, 400),
    ("/search", {"q": "!!!"}, 400),
    ("/search", {"partner": "US'; DROP TABLE stories; --"}, 400),
    ("/search", {"event": "<b>"}, 400),
    ("/search", {"outlet": "../../etc/passwd"}, 400),
    ("/search", {"person": "' OR ''='"}, 200),
    ("/search", {"from": "2026-11-30", "to": "2026-11-01"}, 400),
    ("/search", {"diplomacy": "yes please"}, 400),
    ("/partners/%3Cscript%3E", {}, 400),
    ("/partners/US", {"from": "0001-01-01"}, 400),
    ("/people/%3Cscript%3Ealert(1)%3C%2Fscript%3E", {}, 200),
    ("/people/" + "a" * 300, {}, 400),
    ("/stories/abc", {}, 404),
    ("/stories/-1", {}, 404),
    ("/stories/99999999999999999999999", {}, 404),
    ("/charts/../../etc/passwd.csv", {}, 404),
    ("/charts/other.csv", {}, 404),
    ("/charts", {"from": "2000-01-01", "to": "2026-01-01"}, 400),
]


@pytest.mark.parametrize(("path", "params", "status"), HOSTILE,
                         ids=[f"{p}?{'&'.join(q)}"[:60] for p, q, _ in HOSTILE])  # fmt: skip
def test_hostile_query_strings_get_a_clear_answer(
    client: TestClient, path: str, params: dict[str, str], status: int
) -> None:
    response = client.get(path, params=params)
    assert response.status_code == status, response.text[-600:]
    body = response.text
    assert "<script" not in body and "<svg onload" not in body and "Traceback" not in body
    assert response.headers["content-security-policy"]


def test_a_repeated_parameter_is_refused(client: TestClient) -> None:
    assert client.get("/stories?page=1&page=2").status_code == 400
    assert "chỉ được dùng một lần" in client.get("/search?q=a&q=b").text


# --------------------------------------------------------------------------- credentials


def test_credentials_are_required_when_configured(archive: Archive) -> None:
    config = WebConfig(archive.url, profiles=PROFILES, token="s3cret-token",
                       username="analyst", password="pässword")  # fmt: skip
    with TestClient(create_app(config)) as guarded:
        refused = guarded.get("/stories")
        assert refused.status_code == 401 and "Basic" in refused.headers["www-authenticate"]
        assert refused.headers["content-security-policy"]
        assert guarded.get("/stories", headers={"Authorization": "Bearer wrong"}).status_code == 401
        assert guarded.get("/stories", auth=("analyst", "wrong")).status_code == 401
        assert guarded.get("/stories", headers={"Authorization": "Basic %%%"}).status_code == 401
        assert guarded.get("/healthz").status_code == 200  # the health check only
        ok = {"Authorization": "Bearer s3cret-token"}
        assert guarded.get("/stories", headers=ok).status_code == 200
        assert guarded.get("/charts/events.csv", headers=ok).status_code == 200
        assert guarded.get("/stories", auth=("analyst", "pässword")).status_code == 200


def test_listening_beyond_loopback_needs_credentials() -> None:
    bare = WebConfig("sqlite://")
    for host in ("127.0.0.1", "::1", "localhost", "127.0.0.2"):
        check_exposure(host, bare)
    for host in ("0.0.0.0", "::", "192.168.1.10", "watch.example.org"):
        with pytest.raises(ExposedError, match="DIPLOWATCH_WEB__TOKEN"):
            check_exposure(host, bare)
        check_exposure(host, WebConfig("sqlite://", token="t"))
        check_exposure(host, WebConfig("sqlite://", username="u", password="p"))
    with pytest.raises(ExposedError, match="both"):
        check_exposure("127.0.0.1", WebConfig("sqlite://", username="u"))
