"""The digest of a stored day, end to end: ``diplowatch digest`` and the ``daily_digest`` flow
under Prefect's test harness, SQLite, and a real SMTP server (aiosmtpd) on loopback.

The stored day is the seed copies of tests/test_stories.py (built at test time from
../shared/seeds; skipped when absent), filed in stories as the monitor files them: on
29/9/2025 four US stories (a reception carried by three outlets, another reception, a call,
a working visit) and one Japan story; the digest of 30/9/2025 covers 29/9 07:00 to 30/9
07:00 Asia/Ho_Chi_Minh.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import feedparser
import pytest
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey
from sqlalchemy import select

from digest.send import SmtpConfig
from flows.cli import main
from flows.daily_digest import daily_digest
from flows.settings import get_settings
from records import Article, Person, Verdict
from storage.db import Database
from storage.models import DigestRow, DigestStoryRow
from tests.smtp_server import RecordingHandler, free_port, parse, start_server
from tests.test_stories import Copy, at, seed_copies
from tests.test_stories_storage import store

pytestmark = pytest.mark.prefect

DAY = date(2025, 9, 30)
DESK = "desk@example.org"
US_TITLES = {
    "A": "Tổng Bí thư đề nghị Việt - Mỹ tăng hợp tác lĩnh vực mũi nhọn",  # VnExpress: longest
    "B": "Phó Thủ tướng Chính phủ Lê Minh Khái tiếp Đại sứ Hoa Kỳ tại Việt Nam",
    "C": "Tổng Bí thư Nguyễn Phú Trọng điện đàm cấp cao với Tổng thống Hoa Kỳ Joe Biden",
    "D": "Tổng Bí thư, Chủ tịch nước Tô Lâm kết thúc chuyến công tác tại Mỹ",
}


@pytest.fixture
def stored_day(configure: Callable[..., None], tmp_path: Path) -> Iterator[Database]:
    """The seed copies stored and filed in the default database of the settings."""
    configure(profiles=[{"name": "vn-us", "partners": ["US"], "recipients": [DESK]}])
    db = Database(get_settings().resolved_database_url)
    for copy in seed_copies():
        store(db, copy)
    yield db
    db.dispose()


def use_smtp(configure: Callable[..., None], config: SmtpConfig, **more: Any) -> None:
    configure(
        smtp={
            "host": config.host,
            "port": config.port,
            "security": "none",
            "sender": "Bản tin diplowatch <bot@tin.example.vn>",
        },
        **more,
    )


@pytest.fixture
def mailbox(
    configure: Callable[..., None], smtp_server: tuple[RecordingHandler, SmtpConfig]
) -> RecordingHandler:
    """The local SMTP server, configured as the digest's mail server; what it received."""
    handler, config = smtp_server
    use_smtp(configure, config)
    return handler


def flat(text: str) -> str:
    """The plain-text part with its wrapped lines joined (titles may wrap)."""
    return " ".join(text.split())


def digest_row(db: Database, day: date = DAY) -> DigestRow:
    with db.session() as session:
        row = session.scalars(select(DigestRow).where(DigestRow.day == day.isoformat())).one()
        session.expunge(row)
        return row


def test_digest_out_writes_the_stories_of_a_stored_day(
    prefect_harness: object,
    stored_day: Database,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = tmp_path / "out"
    assert main(["digest", "--date", DAY.isoformat(), "--out", str(out)]) == 0
    line = capsys.readouterr().out.strip()
    # a3 (30/9 08:00) is after the window; A keeps its three other articles.
    assert line == (f"digest vn-us {DAY}: 4 stories, 11 articles, written: {out}/vn-us/{DAY}.html")
    html = (out / "vn-us" / f"{DAY}.html").read_text(encoding="utf-8")
    text = flat((out / "vn-us" / f"{DAY}.txt").read_text(encoding="utf-8"))
    for title in US_TITLES.values():
        assert text.count(title) == 1
        assert title in html
    assert "Ito Naoki" not in text  # the Japan story is not for this profile
    assert "4 tin, 11 bài từ 9 báo" in text
    assert "Đưa tin (3 báo):" in text
    feed = feedparser.parse((out / "vn-us" / "feed.atom").read_bytes())
    assert not feed.bozo
    assert sorted(entry.title for entry in feed.entries) == sorted(US_TITLES.values())
    row = digest_row(stored_day)
    assert row.sent_at is None and len(row.article_ids) == 11


def test_a_profile_with_topics_gets_only_the_stories_in_those_fields(
    prefect_harness: object,
    stored_day: Database,
    configure: Callable[..., None],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Fields of the stored stories (tests/test_stories.py): A, B and D touch semiconductors,
    # C is the call on climate and the South China Sea, E (Japan) is economy only.
    configure(profiles=[
        {"name": "chips", "partners": ["US"], "topics": ["semiconductors"]},
        {"name": "sea", "partners": [], "topics": ["south-china-sea", "mekong"]},
    ])
    out = tmp_path / "out"
    expected = {"chips": {"A", "B", "D"}, "sea": {"C"}}
    for profile, keys in expected.items():
        assert main(["digest", "--date", DAY.isoformat(), "--profile", profile,
                     "--out", str(out)]) == 0
        assert f"digest {profile} {DAY}: {len(keys)} stories" in capsys.readouterr().out
        text = flat((out / profile / f"{DAY}.txt").read_text(encoding="utf-8"))
        for key, title in US_TITLES.items():
            assert (title in text) == (key in keys), (profile, key)
        assert "Ito Naoki" not in text


def test_send_mails_once_archives_and_force_sends_again(
    prefect_harness: object,
    stored_day: Database,
    mailbox: RecordingHandler,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    handler = mailbox
    out = tmp_path / "out"
    assert main(["digest", "--date", DAY.isoformat(), "--out", str(out), "--send"]) == 0
    assert ", sent: " in capsys.readouterr().out
    [(mail_from, rcpt_tos, raw)] = handler.envelopes
    assert (mail_from, rcpt_tos) == ("bot@tin.example.vn", [DESK])
    message = parse(raw)
    assert message.get_content_type() == "multipart/alternative"
    parts = {part.get_content_type(): part.get_content() for part in message.iter_parts()}
    assert set(parts) == {"text/plain", "text/html"}
    plain = flat(parts["text/plain"])
    assert all(part.get_content_charset() == "utf-8" for part in message.iter_parts())
    headers = raw.split(b"\r\n\r\n", 1)[0].decode("ascii")  # 7-bit: RFC 2047 subject
    assert "=?utf-8?" in headers.split("Subject:", 1)[1].split("\r\nFrom:", 1)[0]
    assert message["Subject"] == "diplowatch vn-us — 30/09/2025: 4 tin, 11 bài từ 9 báo"
    assert message["Date"] is not None and message["Message-ID"].endswith("@tin.example.vn>")
    for title in US_TITLES.values():
        assert plain.count(title) == 1
        assert title in parts["text/html"]
    row = digest_row(stored_day)
    assert row.sent_at is not None and row.message_id == message["Message-ID"]
    assert row.recipients == [DESK] and row.refused == {} and row.send_attempts == 1
    eml = parse((out / "vn-us" / f"{DAY}.eml").read_bytes())  # the archive: what was sent
    assert eml["Message-ID"] == message["Message-ID"]
    assert eml.get_body(("plain",)).get_content() == parts["text/plain"]  # type: ignore[union-attr]

    # Run again: nothing is sent twice.
    assert main(["digest", "--date", DAY.isoformat(), "--out", str(out), "--send"]) == 0
    assert "already sent" in capsys.readouterr().out
    assert len(handler.envelopes) == 1
    # --force: sent again, as a new message with the archived bodies.
    assert main(["digest", "--date", DAY.isoformat(), "--out", str(out), "--send", "--force"]) == 0
    assert len(handler.envelopes) == 2
    again = parse(handler.envelopes[1][2])
    assert again["Message-ID"] != message["Message-ID"]
    assert again["Subject"] == message["Subject"]
    with stored_day.session() as session:
        assert len(session.scalars(select(DigestRow)).all()) == 1
        assert len(session.scalars(select(DigestStoryRow)).all()) == 4


def test_a_refused_connection_is_retried_and_not_marked_sent_before_it_passes(
    prefect_harness: object, stored_day: Database, configure: Callable[..., None]
) -> None:
    port = free_port()  # nothing listens yet
    use_smtp(configure, SmtpConfig(host="127.0.0.1", port=port, security="none"))
    handler = RecordingHandler()
    controllers: list[Any] = []
    starter = threading.Timer(1.0, lambda: controllers.append(start_server(handler, port)))
    starter.start()
    try:
        [outcome] = daily_digest(day=DAY, send=True, send_retry_delay_seconds=1.5)
    finally:
        starter.join()
        for controller in controllers:
            controller.stop()
    assert outcome["sent"] is True and outcome["error"] is None
    assert len(handler.envelopes) == 1
    row = digest_row(stored_day)
    assert row.send_attempts == 2  # one refused connection, then the send
    assert row.sent_at is not None and row.last_error is None


def test_a_send_that_keeps_failing_is_recorded_and_not_marked_sent(
    prefect_harness: object,
    stored_day: Database,
    configure: Callable[..., None],
    capsys: pytest.CaptureFixture[str],
) -> None:
    use_smtp(configure, SmtpConfig(host="127.0.0.1", port=free_port(), security="none"))
    [outcome] = daily_digest(day=DAY, send=True, send_retry_delay_seconds=0.1)
    assert outcome["sent"] is False and "connection failed" in outcome["error"]
    row = digest_row(stored_day)
    assert row.sent_at is None and row.send_attempts == 3  # the try and two retries
    assert row.last_error is not None and "connection failed" in row.last_error
    # Every recipient refused for good (550): not retried, not sent, the CLI says why.
    handler = RecordingHandler(refuse={DESK: "550 no such user"})
    port = free_port()
    controller = start_server(handler, port)
    try:
        use_smtp(configure, SmtpConfig(host="127.0.0.1", port=port, security="none"))
        assert main(["digest", "--date", DAY.isoformat(), "--send"]) == 1
    finally:
        controller.stop()
    assert "550 no such user" in capsys.readouterr().err
    row = digest_row(stored_day)
    assert row.sent_at is None and row.send_attempts == 4  # one more try, no retry


def test_a_partly_refused_send_is_recorded(
    prefect_harness: object,
    stored_day: Database,
    configure: Callable[..., None],
    capsys: pytest.CaptureFixture[str],
) -> None:
    handler = RecordingHandler(refuse={"ghost@example.org": "550 no such user"})
    port = free_port()
    controller = start_server(handler, port)
    try:
        use_smtp(
            configure,
            SmtpConfig(host="127.0.0.1", port=port, security="none"),
            profiles=[
                {"name": "vn-us", "partners": ["US"], "recipients": [DESK, "ghost@example.org"]}
            ],
        )
        assert main(["digest", "--date", DAY.isoformat(), "--send"]) == 0
    finally:
        controller.stop()
    assert "refused ghost@example.org: 550 no such user" in capsys.readouterr().err
    assert handler.envelopes[0][1] == [DESK]
    row = digest_row(stored_day)
    assert row.sent_at is not None
    assert row.recipients == [DESK] and row.refused == {"ghost@example.org": "550 no such user"}


@pytest.mark.parametrize("send_empty", [True, False])
def test_an_empty_day_sends_a_short_message_or_nothing_as_configured(
    prefect_harness: object,
    stored_day: Database,
    configure: Callable[..., None],
    smtp_server: tuple[RecordingHandler, SmtpConfig],
    send_empty: bool,
) -> None:
    handler, config = smtp_server
    use_smtp(configure, config, send_empty_digest=str(send_empty).lower())
    quiet = date(2025, 9, 20)
    [outcome] = daily_digest(day=quiet, send=True)
    assert outcome["stories"] == 0 and Path(outcome["html_path"]).is_file()
    if send_empty:
        assert outcome["sent"] is True
        message = parse(handler.envelopes[0][2])
        assert message["Subject"].endswith("Không có tin ngoại giao mới")
    else:
        assert outcome["sent"] is False and outcome["skipped"] == "empty"
        assert handler.envelopes == []
        assert digest_row(stored_day, quiet).sent_at is None


def test_the_window_starts_at_the_last_sent_digest_and_a_story_is_sent_once(
    prefect_harness: object,
    stored_day: Database,
    mailbox: RecordingHandler,
) -> None:
    handler = mailbox
    [first] = daily_digest(day=DAY, send=True)
    assert first["sent"] is True and first["stories"] == 4
    # 1/10: a story of that day (our text); a3, the next-morning copy of a story already
    # sent, is stored too. No digest is sent on 1/10: the 2/10 one covers both days.
    news = Article(
        outlet="tuoitre",
        url="https://tuoitre.vn/thu-tuong-tiep-bo-truong-thuong-mai-hoa-ky.htm",
        canonical_url=None,
        title="Thủ tướng Phạm Minh Chính tiếp Bộ trưởng Thương mại Hoa Kỳ",
        sapo="Chiều 1/10, Thủ tướng Phạm Minh Chính tiếp Bộ trưởng Thương mại Hoa Kỳ đang "
        "thăm Việt Nam, đề nghị hai nước thúc đẩy hợp tác thương mại cân bằng.",
        paragraphs=(
            "Hai bên trao đổi về chuỗi cung ứng, bán dẫn và năng lượng sạch, nhất trí "
            "tăng cường đối thoại kinh tế thường niên giữa hai Chính phủ.",
        ),
        published_at=at(24 + 10),
    )
    verdict = Verdict(
        True,
        0.9,
        ("US",),
        "reception",
        ("economy-trade-investment",),
        (Person("Phạm Minh Chính", "Thủ tướng"),),
    )
    store(stored_day, Copy("f1-tuoitre", "F", news, at(24 + 10)), verdict)
    [later] = daily_digest(day=DAY + timedelta(days=2), send=True)
    assert later["sent"] is True and later["stories"] == 1
    message = parse(handler.envelopes[-1][2])
    text = flat(message.get_body(("plain",)).get_content())  # type: ignore[union-attr]
    assert "Từ 30/09/2025 07:00 đến 02/10/2025 07:00" in text  # since the last sent one
    assert news.title in text
    assert US_TITLES["A"] not in text  # its new copy does not send the story again


def test_each_digest_is_published_as_a_markdown_artifact(
    prefect_harness: object, stored_day: Database
) -> None:
    daily_digest(day=DAY)
    with get_client(sync_client=True) as client:
        artifacts = client.read_artifacts(
            artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=["digest-vn-us"]))
        )
    assert artifacts, "the flow publishes the digest"
    latest = max(artifacts, key=lambda a: a.created.timestamp() if a.created else 0.0)
    assert latest.type == "markdown"
    assert "4 tin, 11 bài từ 9 báo" in str(latest.data)
    assert "vn-us 2025-09-30 (written, not sent)" in str(latest.description)


def test_a_hostile_stored_title_cannot_change_the_mail(
    prefect_harness: object,
    stored_day: Database,
    mailbox: RecordingHandler,
) -> None:
    handler = mailbox
    hostile = Article(
        outlet="vnexpress",
        url="javascript:alert(document.cookie)",
        canonical_url=None,
        title='<script>alert(1)</script><a href="javascript:x">Đại sứ</a>\u202e',
        sapo="<img src=x onerror=alert(1)> Thủ tướng tiếp Đại sứ Hoa Kỳ.",
        paragraphs=(),
        published_at=at(11),
    )
    verdict = Verdict(True, 0.9, ("US",), "reception", (), (Person("<b>X</b>", "Thủ tướng"),))
    store(stored_day, Copy("h1", "H", hostile, at(11)), verdict)
    [outcome] = daily_digest(day=DAY, send=True)
    assert outcome["sent"] is True and outcome["stories"] == 5
    message = parse(handler.envelopes[0][2])
    html = message.get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert "<script" not in html and "<img" not in html and "<b>X" not in html
    assert 'href="javascript' not in html.replace("&lt;a href=", "")
    assert "\u202e" not in html and "\u202e" not in str(message["Subject"])
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
