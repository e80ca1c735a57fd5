"""Story alerts through the recipe (``flows.alerting``) on a real database (SQLite, and
PostgreSQL when ``DIPLOWATCH_TEST_POSTGRES_URL`` is set), a real SMTP server (aiosmtpd) and a
real HTTP server on 127.0.0.1 standing in for a chat webhook (apprise ``json://``).

Articles are stored and filed in stories as the monitor does (upsert, verdict, story, one
transaction); the monitor flow itself is driven in tests/test_story_alerts_flow.py.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import feedparser
import pytest
from sqlalchemy import select

from digest.send import SendError, SmtpConfig
from flows.alerting import deliver_alert, pending_deliveries, raise_alerts
from flows.cli import main
from flows.digesting import prepare_digest
from flows.settings import Settings
from flows.stories import file_in_story
from records import VIETNAM_TZ, Article, Person, Verdict
from storage.db import Database
from storage.models import AlertDeliveryRow, StoryAlertRow
from storage.repository import save_verdict, upsert_article
from storage.stories import merge_stories
from tests.http_server import LocalServer, Reply
from tests.postgres import database_url
from tests.site import DIPLOMACY_ARTICLE
from tests.smtp_server import RecordingHandler, free_port, parse, start_server

__all__ = ["database_url"]

DESK = "desk@example.org"
HOOK = "/hooks/desk"
NOW = datetime.now(UTC).replace(microsecond=0)
LEADER = Verdict(
    True, 0.9, ("US",), "reception", ("economy-trade-investment",),
    (Person("Bùi Thanh Sơn", "Phó Thủ tướng"), Person("Marc Knapper", "Đại sứ")),
)  # fmt: skip


EVENTS = [
    (DIPLOMACY_ARTICLE.title, DIPLOMACY_ARTICLE.sapo, " ".join(DIPLOMACY_ARTICLE.paragraphs)),
    (
        "Phó Thủ tướng Trần Hồng Hà điện đàm với Bộ trưởng Năng lượng Hoa Kỳ",
        "Tối 3/12, hai bên trao đổi qua điện thoại về điện hạt nhân nhỏ và lưới điện thông minh.",
        "Bộ trưởng cho biết các doanh nghiệp năng lượng sẵn sàng chuyển giao công nghệ lò phản "
        "ứng mô-đun, đào tạo kỹ sư vận hành và hỗ trợ xây dựng khung pháp lý an toàn bức xạ.",
    ),
    (
        "Phó Thủ tướng Lê Thành Long làm việc với đoàn nghị sĩ Quốc hội Hoa Kỳ",
        "Sáng 4/12, đoàn nghị sĩ thăm Quảng Trị, tìm hiểu công tác rà phá bom mìn còn sót lại.",
        "Các nghị sĩ cam kết vận động ngân sách cho chương trình tìm kiếm hài cốt quân nhân "
        "mất tích, tẩy độc dioxin tại sân bay Biên Hòa và trợ giúp người khuyết tật.",
    ),
]


def article(outlet: str, number: int, moment: datetime, **changes: Any) -> Article:
    base = Article(
        outlet=outlet,
        url=f"https://{outlet}.vn/thoi-su/pho-thu-tuong-tiep-dai-su-hoa-ky-{number}.html",
        canonical_url=None,
        title=DIPLOMACY_ARTICLE.title,
        sapo=DIPLOMACY_ARTICLE.sapo,
        paragraphs=DIPLOMACY_ARTICLE.paragraphs,
        published_at=moment,
    )
    return replace(base, **changes)


def store(db: Database, item: Article, verdict: Verdict = LEADER) -> int | None:
    with db.session() as session:
        article_id = upsert_article(session, item, url_key=item.url, fetched_at=NOW)
        save_verdict(session, article_id, verdict)
        return file_in_story(session, article_id, item, verdict)


@pytest.fixture
def webhook() -> Iterator[LocalServer]:
    with LocalServer() as server:
        server.add("127.0.0.1", HOOK, "ok")
        yield server


def posts(server: LocalServer) -> list[dict[str, Any]]:
    return [json.loads(r.body) for r in server.requests if r.method == "POST"]


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    database = Database(database_url)
    try:
        yield database
    finally:
        database.dispose()


def make_settings(
    tmp_path: Path, smtp: SmtpConfig | None, webhook: LocalServer | None, **alerts: Any
) -> Settings:
    channels = {"desk": f"json://{webhook.address}{HOOK}?rto=1&cto=1"} if webhook else {}
    options: dict[str, Any] = {"channels": channels, "quiet_hours": None, **alerts}
    return Settings(
        data_dir=tmp_path / "data",
        smtp={"host": smtp.host, "port": smtp.port, "security": "none",
              "sender": "Tin nhanh <bot@tin.example.vn>"} if smtp else {},
        profiles=[{"name": "vn-us", "partners": ["US"], "recipients": [DESK],
                   "story_alerts": options}],
    )  # fmt: skip


def deliver_all(db: Database, settings: Settings, now: datetime | None = None) -> list[Any]:
    outcomes: list[Any] = []
    for alert_id, channel in pending_deliveries(db, settings, now=now):
        try:
            outcomes.append(deliver_alert(db, settings, alert_id, channel, now=now))
        except SendError as error:
            outcomes.append(error)
    return outcomes


def deliveries(db: Database) -> dict[str, AlertDeliveryRow]:
    with db.session() as session:
        return {row.channel: row for row in session.scalars(select(AlertDeliveryRow))}


def alerts(db: Database) -> list[StoryAlertRow]:
    with db.session() as session:
        return list(session.scalars(select(StoryAlertRow).order_by(StoryAlertRow.id)))


def test_a_story_meeting_a_rule_alerts_once_by_email_and_webhook(
    db: Database,
    tmp_path: Path,
    smtp_server: tuple[RecordingHandler, SmtpConfig],
    webhook: LocalServer,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    handler, config = smtp_server
    settings = make_settings(tmp_path, config, webhook)
    story_id = store(db, article("vnexpress", 1, NOW - timedelta(minutes=10)))
    [raised] = raise_alerts(db, settings)
    assert (raised.story_id, raised.kind, raised.level) == (story_id, "alert", 1)
    assert raised.channels == ["email", "desk"]
    assert raise_alerts(db, settings) == []  # once, ever
    sent = deliver_all(db, settings)
    assert [outcome.sent for outcome in sent] == [True, True]
    assert deliver_all(db, settings) == []  # nothing left to send
    [(mail_from, rcpt, raw)] = handler.envelopes
    message = parse(raw)
    assert (mail_from, rcpt) == ("bot@tin.example.vn", [DESK])
    assert message["Subject"] == f"BÁO NHANH · vn-us: {DIPLOMACY_ARTICLE.title}"
    text = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "Bùi Thanh Sơn (Phó Thủ tướng)" in text and "Vì sao báo nhanh" in text
    assert "https://vnexpress.vn/thoi-su/pho-thu-tuong-tiep-dai-su-hoa-ky-1.html" in text
    [payload] = posts(webhook)
    assert "Bùi Thanh Sơn" in payload["message"] and "BÁO NHANH" in payload["title"]
    rows = deliveries(db)
    assert rows["email"].message_id == message["Message-ID"] and rows["email"].state == "sent"
    assert rows["desk"].state == "sent" and rows["desk"].attempts == 1
    # Listed with their delivery state; the digest of the day marks the story; the feed too.
    monkeypatch.chdir(tmp_path)
    assert main(["alerts", "--db", db.url]) == 0
    listing = capsys.readouterr().out
    assert "vn-us" in listing and "email sent" in listing and "desk sent" in listing
    day = (NOW.astimezone(VIETNAM_TZ) + timedelta(hours=17)).date()  # the next 07:00 digest
    outcome, rendered = prepare_digest(db, settings, settings.profiles[0], day, tmp_path / "out")
    assert "Báo nhanh" in rendered.text and "Báo nhanh" in rendered.html
    feed = feedparser.parse(Path(outcome.feed_path or "").read_bytes())
    assert [tag.term for tag in feed.entries[0].tags][-1] == "alert"


def test_wider_coverage_later_sends_one_update_saying_what_changed(
    db: Database, tmp_path: Path, webhook: LocalServer
) -> None:
    settings = make_settings(tmp_path, None, webhook)
    first = NOW - timedelta(hours=2)
    story_id = store(db, article("vnexpress", 1, first))
    [alert] = raise_alerts(db, settings)
    assert alert.kind == "alert" and alert.channels == ["desk"]  # no SMTP: no email
    for number, outlet in enumerate(("tuoitre", "thanhnien", "dantri"), start=2):
        assert store(db, article(outlet, number, first + timedelta(minutes=20 * number))) == (
            story_id
        )
    [update] = raise_alerts(db, settings)
    assert (update.kind, update.level, update.story_id) == ("update", 2, story_id)
    row = alerts(db)[-1]
    assert "số báo đưa tin: 1 → 4" in row.changes and row.rules[0] == "wide"
    assert "Có gì mới" in row.text and row.subject.startswith("CẬP NHẬT")
    store(db, article("vietnamnet", 9, first + timedelta(minutes=90)))
    assert raise_alerts(db, settings) == []  # one update, ever
    deliver_all(db, settings)
    assert [p["title"].split(":")[0] for p in posts(webhook)] == [
        "BÁO NHANH · vn\\-us",
        "CẬP NHẬT · vn\\-us",
    ]


def test_old_stories_other_partners_and_disabled_profiles_do_not_alert(
    db: Database, tmp_path: Path
) -> None:
    settings = make_settings(tmp_path, None, None)
    store(db, article("vnexpress", 1, NOW - timedelta(hours=30)))  # a backlog, not news
    japan = replace(LEADER, partners=("JP",))
    store(db, article("tuoitre", 2, NOW, title="Phó Thủ tướng tiếp Đại sứ Nhật Bản"), japan)
    assert raise_alerts(db, settings) == []
    store(db, article("dantri", 3, NOW - timedelta(minutes=5)))  # a fresh copy of old news
    assert raise_alerts(db, settings) == []
    off = make_settings(tmp_path, None, None, enabled=False)
    news = article("nhandan", 4, NOW, title="Phó Thủ tướng điện đàm với Bộ trưởng Hoa Kỳ",
                   sapo="Sáng nay có cuộc điện đàm.",
                   paragraphs=("Một cuộc điện đàm hoàn toàn khác, về năng lượng sạch. " * 9,))
    store(db, news, replace(LEADER, event="call", people=(Person("Lê Văn C", "Phó Thủ tướng"),)))
    assert raise_alerts(db, off) == []
    assert len(raise_alerts(db, settings)) == 1


def test_faults_are_retried_recorded_and_never_marked_sent_before_delivery(
    db: Database, tmp_path: Path, webhook: LocalServer
) -> None:
    webhook.add_sequence(
        "127.0.0.1", HOOK, [Reply(500, "down"), Reply(200, delay=3), Reply(200, "ok")]
    )
    port = free_port()  # the SMTP server is down
    settings = make_settings(
        tmp_path, SmtpConfig(host="127.0.0.1", port=port, security="none"), webhook
    )
    store(db, article("vnexpress", 1, NOW))
    raise_alerts(db, settings)
    first = deliver_all(db, settings)
    assert all(isinstance(e, SendError) and e.temporary for e in first)
    rows = deliveries(db)
    assert rows["email"].state == "pending" and rows["email"].sent_at is None
    assert "connection failed" in (rows["email"].last_error or "")
    assert rows["desk"].attempts == 1 and "500" in (rows["desk"].last_error or "")
    second = deliver_all(db, settings)  # the webhook times out (rto=1), SMTP still down
    assert all(isinstance(e, SendError) and e.temporary for e in second)
    handler = RecordingHandler()
    controller = start_server(handler, port)
    try:
        third = deliver_all(db, settings)
    finally:
        controller.stop()
    assert [outcome.sent for outcome in third] == [True, True]
    rows = deliveries(db)
    assert (rows["email"].attempts, rows["desk"].attempts) == (3, 3)
    assert rows["email"].last_error is None and len(handler.envelopes) == 1
    assert len(posts(webhook)) == 3  # 500, timeout, accepted


def test_permanent_failures_and_exhausted_tries_give_up(
    db: Database, tmp_path: Path, webhook: LocalServer
) -> None:
    handler = RecordingHandler(refuse={DESK: "550 no such user"})
    port = free_port()
    controller = start_server(handler, port)
    webhook.add("127.0.0.1", HOOK, "down", status=503)
    settings = make_settings(
        tmp_path, SmtpConfig(host="127.0.0.1", port=port, security="none"), webhook,
        max_attempts=2,
    )  # fmt: skip
    try:
        store(db, article("vnexpress", 1, NOW))
        raise_alerts(db, settings)
        deliver_all(db, settings)
        rows = deliveries(db)
        assert rows["email"].state == "failed" and "550" in (rows["email"].last_error or "")
        assert rows["desk"].state == "pending"
        [error] = deliver_all(db, settings)
        assert isinstance(error, SendError) and not error.temporary  # the last try
        assert deliveries(db)["desk"].state == "failed"
        assert deliver_all(db, settings) == []
    finally:
        controller.stop()


def test_quiet_hours_hold_an_alert_until_they_end(
    db: Database, tmp_path: Path, webhook: LocalServer, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = make_settings(tmp_path, None, webhook, quiet_hours="22:00-06:00")
    local = NOW.astimezone(VIETNAM_TZ)
    night = datetime.combine(local.date(), datetime.min.time(), VIETNAM_TZ) + timedelta(hours=23)
    morning = night + timedelta(hours=7)
    store(db, article("vnexpress", 1, night - timedelta(minutes=30)))
    [alert] = raise_alerts(db, settings, now=night)
    assert alert.due_at == morning
    assert pending_deliveries(db, settings, now=night + timedelta(hours=1)) == []
    assert main(["alerts", "--db", db.url, "--since", local.date().isoformat()]) == 0
    assert "held until" in capsys.readouterr().out
    [(alert_id, channel)] = pending_deliveries(db, settings, now=morning)
    assert deliver_alert(db, settings, alert_id, channel, now=morning).sent


def test_a_story_merged_into_another_does_not_alert_again(db: Database, tmp_path: Path) -> None:
    settings = make_settings(tmp_path, None, None)
    first = store(db, article("vnexpress", 1, NOW))
    [alert] = raise_alerts(db, settings)
    other = store(
        db,
        article("tuoitre", 2, NOW, title="Hội đàm cấp cao", sapo="Một sự kiện khác hẳn.",
                    paragraphs=("Hai bên bàn về giáo dục và y tế cộng đồng vùng cao. " * 9,)),
        replace(LEADER, event="talks", people=(Person("Lê Văn B", "Phó Thủ tướng"),)),
    )
    assert other is not None and other != first
    with db.session() as session:
        merge_stories(session, other, [first or 0])  # keeps "other"
    assert raise_alerts(db, settings) == []  # the merged story alerted already
    assert alerts(db)[0].story_id == other and alert.story_id == first


@pytest.mark.parametrize("runs", [2])
def test_two_runs_at_once_raise_and_send_each_alert_once(
    database_url: str,
    tmp_path: Path,
    smtp_server: tuple[RecordingHandler, SmtpConfig],
    webhook: LocalServer,
    runs: int,
) -> None:
    handler, config = smtp_server
    settings = make_settings(tmp_path, config, webhook)
    setup = Database(database_url)
    for number, (title, sapo, body) in enumerate(EVENTS, start=1):  # three events
        store(
            setup,
            article("vnexpress", number, NOW, title=title, sapo=sapo, paragraphs=(body,)),
            replace(LEADER, people=(Person(f"Người {number}", "Phó Thủ tướng"),)),
        )
    setup.dispose()
    barrier = threading.Barrier(runs)
    errors: list[BaseException] = []

    def run() -> None:
        db = Database(database_url, run_migrations=False)
        try:
            barrier.wait()
            raise_alerts(db, settings)
            deliver_all(db, settings)
        except BaseException as error:  # reported below
            errors.append(error)
        finally:
            db.dispose()

    threads = [threading.Thread(target=run) for _ in range(runs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    check = Database(database_url, run_migrations=False)
    try:
        assert len(alerts(check)) == 3
        assert len(handler.envelopes) == 3 and len(posts(webhook)) == 3
        assert {row.state for row in deliveries(check).values()} == {"sent"}
    finally:
        check.dispose()


def test_hostile_strings_are_escaped_in_every_channel(
    db: Database,
    tmp_path: Path,
    smtp_server: tuple[RecordingHandler, SmtpConfig],
    webhook: LocalServer,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    handler, config = smtp_server
    settings = make_settings(tmp_path, config, webhook)
    hostile = article(
        "vnexpress", 1, NOW,
        url="https://vnexpress.vn/a.html?<script>",
        title='<script>alert(1)</script>[x](javascript:alert(1)) Đại sứ\u202e\x1b[31m',
        sapo="<img src=x onerror=alert(1)> Phó Thủ tướng tiếp Đại sứ Hoa Kỳ.",
    )  # fmt: skip
    store(db, hostile, replace(LEADER, people=(Person("<b>X</b>", "Phó Thủ tướng"),)))
    raise_alerts(db, settings)
    deliver_all(db, settings)
    message = parse(handler.envelopes[0][2])
    html = message.get_body(("html",)).get_content()  # type: ignore[union-attr]
    text = message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "<script" not in html and "<img" not in html and "<b>X" not in html
    assert "&lt;script&gt;" in html
    [payload] = posts(webhook)
    chat = payload["message"] + payload["title"]
    assert "<script" not in chat.replace("\\<script", "")
    assert "](javascript" not in chat.replace("\\](javascript", "")
    monkeypatch.chdir(tmp_path)
    assert main(["alerts", "--db", db.url]) == 0
    listing = capsys.readouterr().out
    for part in (html, text, chat, str(message["Subject"]), listing):
        assert "\u202e" not in part and "\x1b" not in part

