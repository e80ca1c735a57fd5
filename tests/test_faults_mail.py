"""Fault injection, mail: the digest flow against a real SMTP server (aiosmtpd) that fails.

``digest.send`` itself is tested in ``tests/test_digest_send*.py``; here the outcome is the
flow's (``flows.digesting.prepare_digest`` / ``deliver_digest``, and the Prefect task's
retries): a digest whose sending failed is never marked sent, the failure is recorded
(``send_attempts``, ``last_error``) and a later try delivers it exactly once; refused
recipients are recorded; the written digest is never lost.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.smtp import AuthResult

from digest.render import RenderedDigest
from digest.send import SendError
from flows.digesting import DigestOutcome, deliver_digest, prepare_digest
from flows.settings import Settings, get_settings
from records import VIETNAM_TZ, Article, Verdict
from storage.db import Database
from storage.digests import get_digest
from storage.models import DigestRow
from storage.repository import save_verdict, upsert_article
from tests.smtp_server import RecordingHandler, free_port, parse, start_server

DAY = date(2026, 11, 24)  # covers 23/11 07:00 to 24/11 07:00 Asia/Ho_Chi_Minh
PASSWORD = "s3cret-Pa55word"
DESK, CHAMBER = "desk@news.example.vn", "chamber@biz.example.org"
TITLE = "Phó Thủ tướng tiếp Đại sứ Hoa Kỳ tại Việt Nam"


class ScriptedHandler(RecordingHandler):
    """Answers DATA with the next of ``data_replies`` (the last one repeats)."""

    def __init__(self, data_replies: list[str], refuse: dict[str, str] | None = None) -> None:
        super().__init__(refuse=refuse)
        self.data_replies = data_replies
        self.data_calls = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.data_reply = self.data_replies[min(self.data_calls, len(self.data_replies) - 1)]
        self.data_calls += 1
        return await super().handle_DATA(server, session, envelope)


class MailDesk:
    """A database with one diplomacy article of the day, and the settings to mail it."""

    def __init__(self, tmp_path: Path, configure: Callable[..., None]) -> None:
        self.tmp_path = tmp_path
        self.configure = configure
        self.db = Database(f"sqlite:///{tmp_path / 'diplowatch.db'}")
        self.out_dir = tmp_path / "digests"
        self.port = free_port()
        published = datetime(2026, 11, 23, 16, 30, tzinfo=VIETNAM_TZ)
        story = Article(
            outlet="vnexpress",
            url="https://vnexpress.net/thoi-su/pho-thu-tuong-tiep-dai-su-hoa-ky-4900001.html",
            canonical_url=None,
            title=TITLE,
            sapo="Chiều 23/11, Phó Thủ tướng Bùi Thanh Sơn tiếp Đại sứ Hoa Kỳ Marc Knapper.",
            paragraphs=("Hai bên trao đổi về hợp tác kinh tế, thương mại, đầu tư.",),
            published_at=published,
            extraction_method="generic",
        )
        verdict = Verdict(True, 0.97, partners=("US",), event="reception", model_version="t")
        with self.db.session() as session:
            article_id = upsert_article(session, story, url_key=story.url, fetched_at=published)
            save_verdict(session, article_id, verdict)

    def settings(self, recipients: list[str] | None = None, **smtp: Any) -> Settings:
        values: dict[str, Any] = {
            "host": "127.0.0.1",
            "port": self.port,
            "security": "none",
            "sender": "diplowatch@news.example.vn",
            "timeout_seconds": 5,
        }
        values.update(smtp)
        self.configure(
            smtp=values,
            profiles=[{"name": "vn-us", "partners": ["US"], "recipients": recipients or [DESK]}],
        )
        return get_settings()

    def prepare(self, settings: Settings) -> tuple[DigestOutcome, RenderedDigest]:
        return prepare_digest(self.db, settings, settings.profile("vn-us"), DAY, self.out_dir)

    def row(self) -> DigestRow:
        with self.db.session() as session:
            row = get_digest(session, "vn-us", DAY.isoformat())
        assert row is not None
        return row


@pytest.fixture
def desk(tmp_path: Path, configure: Callable[..., None]) -> Iterator[MailDesk]:
    mail_desk = MailDesk(tmp_path, configure)
    try:
        yield mail_desk
    finally:
        mail_desk.db.dispose()


def test_server_down_is_recorded_and_the_digest_is_sent_once_when_it_is_back(
    desk: MailDesk,
) -> None:
    settings = desk.settings()
    outcome, rendered = desk.prepare(settings)
    assert outcome.articles == 1
    with pytest.raises(SendError) as caught:
        deliver_digest(desk.db, settings, outcome, rendered)
    assert caught.value.temporary
    row = desk.row()
    assert row.sent_at is None and row.send_attempts == 1
    assert row.last_error is not None and f"127.0.0.1:{desk.port}" in row.last_error
    assert TITLE in Path(outcome.html_path).read_text(encoding="utf-8")  # written, not lost
    first_id = outcome.message_id

    handler = RecordingHandler()
    controller = start_server(handler, desk.port)
    try:
        sent = deliver_digest(desk.db, settings, outcome, rendered)
        again, rendered_again = desk.prepare(settings)
        deliver_digest(desk.db, settings, again, rendered_again)  # already sent: no-op
    finally:
        controller.stop()
    assert sent.sent and again.already_sent
    [(_, recipients, raw)] = handler.envelopes
    assert recipients == [DESK]
    assert parse(raw)["Message-ID"] == first_id == sent.message_id  # a retry keeps its id
    row = desk.row()
    assert row.sent_at is not None and row.send_attempts == 2 and row.last_error is None
    assert row.message_id == first_id


def test_refused_authentication_is_recorded_without_the_password_and_not_retried(
    desk: MailDesk,
) -> None:
    def refuse(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> Any:
        return AuthResult(success=False, handled=False)

    handler = RecordingHandler()
    controller = start_server(handler, desk.port, authenticator=refuse, auth_require_tls=False)
    try:
        settings = desk.settings(username="desk", password=PASSWORD)
        outcome, rendered = desk.prepare(settings)
        with pytest.raises(SendError) as caught:
            deliver_digest(desk.db, settings, outcome, rendered)
    finally:
        controller.stop()
    assert not caught.value.temporary  # a wrong password does not fix itself
    assert "authentication failed: 535" in str(caught.value)
    row = desk.row()
    assert row.sent_at is None and row.send_attempts == 1 and row.message_id is None
    assert row.last_error is not None and "authentication failed" in row.last_error
    assert PASSWORD not in row.last_error and PASSWORD not in (outcome.error or "")
    assert handler.envelopes == []


@pytest.mark.parametrize(
    ("handler", "expected"),
    [
        (ScriptedHandler(["451 4.3.0 Mail server temporarily rejected message"]), "451"),
        (ScriptedHandler(["250 OK"], refuse={DESK: "450 4.2.1 Mailbox busy"}), "450"),
        (ScriptedHandler(["421 4.3.2 Service shutting down"]), "421"),
    ],
    ids=["data-451", "rcpt-450", "closing-421"],
)
def test_a_temporary_refusal_is_recorded_and_a_later_try_delivers_once(
    desk: MailDesk, handler: ScriptedHandler, expected: str
) -> None:
    controller = start_server(handler, desk.port)
    try:
        settings = desk.settings()
        outcome, rendered = desk.prepare(settings)
        with pytest.raises(SendError) as caught:
            deliver_digest(desk.db, settings, outcome, rendered)
        assert caught.value.temporary
        row = desk.row()
        assert row.sent_at is None and row.send_attempts == 1
        assert row.last_error is not None and expected in row.last_error
        assert handler.envelopes == []
        # The server recovers; the same digest is delivered, once.
        handler.data_replies = ["250 OK"]
        handler.refuse = {}
        delivered = deliver_digest(desk.db, settings, outcome, rendered)
    finally:
        controller.stop()
    assert delivered.sent
    assert len(handler.envelopes) == 1
    row = desk.row()
    assert row.sent_at is not None and row.send_attempts == 2 and row.last_error is None


def test_refused_recipients_are_recorded_and_the_others_get_the_digest_once(
    desk: MailDesk,
) -> None:
    handler = RecordingHandler(refuse={CHAMBER: "550 5.1.1 No such user"})
    controller = start_server(handler, desk.port)
    try:
        settings = desk.settings(recipients=[DESK, CHAMBER])
        outcome, rendered = desk.prepare(settings)
        sent = deliver_digest(desk.db, settings, outcome, rendered)
        again, rendered_again = desk.prepare(settings)
        deliver_digest(desk.db, settings, again, rendered_again)
    finally:
        controller.stop()
    assert sent.sent and sent.refused == {CHAMBER: "550 5.1.1 No such user"}
    assert again.already_sent and not again.sent
    [(_, recipients, _raw)] = handler.envelopes
    assert recipients == [DESK]
    row = desk.row()
    assert row.sent_at is not None
    assert (row.recipients, row.refused) == ([DESK], {CHAMBER: "550 5.1.1 No such user"})


def test_every_recipient_refused_is_never_marked_sent(desk: MailDesk) -> None:
    handler = RecordingHandler(
        refuse={DESK: "550 5.1.1 No such user", CHAMBER: "553 5.7.1 Relaying denied"}
    )
    controller = start_server(handler, desk.port)
    try:
        settings = desk.settings(recipients=[DESK, CHAMBER])
        outcome, rendered = desk.prepare(settings)
        with pytest.raises(SendError) as caught:
            deliver_digest(desk.db, settings, outcome, rendered)
    finally:
        controller.stop()
    assert not caught.value.temporary
    row = desk.row()
    assert row.sent_at is None and row.send_attempts == 1
    assert row.last_error is not None
    assert f"{DESK}: 550" in row.last_error and f"{CHAMBER}: 553" in row.last_error
    assert handler.envelopes == []


def test_a_forced_resend_is_a_new_message_and_an_unforced_one_sends_nothing(
    desk: MailDesk,
) -> None:
    handler = RecordingHandler()
    controller = start_server(handler, desk.port)
    try:
        settings = desk.settings()
        outcome, rendered = desk.prepare(settings)
        first = deliver_digest(desk.db, settings, outcome, rendered)
        first_id = first.message_id
        again, rendered_again = desk.prepare(settings)
        deliver_digest(desk.db, settings, again, rendered_again)
        assert len(handler.envelopes) == 1
        forced = deliver_digest(desk.db, settings, again, rendered_again, force=True)
    finally:
        controller.stop()
    assert len(handler.envelopes) == 2
    assert forced.message_id != first_id
    assert parse(handler.envelopes[1][2])["Message-ID"] == forced.message_id


@pytest.mark.prefect
def test_the_digest_flow_retries_a_temporary_refusal_and_sends_once(
    prefect_harness: object, desk: MailDesk
) -> None:
    from flows.daily_digest import daily_digest

    handler = ScriptedHandler(["451 4.3.0 Try again later", "250 OK"])
    controller = start_server(handler, desk.port)
    try:
        desk.settings()
        desk.configure(database_url=f"sqlite:///{desk.tmp_path / 'diplowatch.db'}")
        [outcome] = daily_digest(day=DAY, send_retry_delay_seconds=0.1)
    finally:
        controller.stop()
    assert outcome["sent"] is True and outcome["error"] is None
    assert handler.data_calls == 2
    assert len(handler.envelopes) == 1
    row = desk.row()
    assert row.sent_at is not None and row.send_attempts == 2 and row.last_error is None


class SlowHandler(RecordingHandler):
    """Takes ``seconds`` to accept a message (a slow or distant mail server)."""

    def __init__(self, seconds: float) -> None:
        super().__init__()
        self.seconds = seconds

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        await asyncio.sleep(self.seconds)
        return await super().handle_DATA(server, session, envelope)


def test_two_runs_sending_the_same_digest_at_once_send_it_once(desk: MailDesk) -> None:
    handler = SlowHandler(1.0)
    controller = start_server(handler, desk.port)
    settings = desk.settings()
    outcomes: list[DigestOutcome] = []

    def run() -> None:
        outcome, rendered = desk.prepare(settings)
        outcomes.append(deliver_digest(desk.db, settings, outcome, rendered))

    try:
        runs = [threading.Thread(target=run) for _ in range(2)]
        for thread in runs:
            thread.start()
        for thread in runs:
            thread.join(timeout=60)
    finally:
        controller.stop()
    assert len(handler.envelopes) == 1
    assert sorted(o.sent for o in outcomes) == [False, True]
    [waiting] = [o for o in outcomes if not o.sent]
    assert waiting.skipped is not None and waiting.error is None
    row = desk.row()
    assert row.sent_at is not None and row.send_attempts == 1 and row.sending_until is None


def test_a_run_that_died_while_sending_holds_the_digest_until_its_lease_expires(
    desk: MailDesk,
) -> None:
    handler = RecordingHandler()
    controller = start_server(handler, desk.port)
    settings = desk.settings()
    try:
        outcome, rendered = desk.prepare(settings)
        with desk.db.session() as session:  # what a run killed in the middle of SMTP leaves
            row = get_digest(session, "vn-us", DAY.isoformat())
            assert row is not None
            row.sending_until = datetime.now(UTC) + timedelta(minutes=5)
        blocked = deliver_digest(desk.db, settings, outcome, rendered)
        assert not blocked.sent and handler.envelopes == []
        with desk.db.session() as session:  # five minutes later
            row = get_digest(session, "vn-us", DAY.isoformat())
            assert row is not None
            row.sending_until = datetime.now(UTC) - timedelta(seconds=1)
        sent = deliver_digest(desk.db, settings, outcome, rendered)
    finally:
        controller.stop()
    assert sent.sent and len(handler.envelopes) == 1
    assert desk.row().sent_at is not None
