"""Outlet health incidents: mailed once when they start, and the run summary in Prefect."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update

from flows.alerts import find_incidents, mail_incidents, outlet_incidents, summary_markdown
from flows.settings import AlertSettings, Settings
from storage.db import Database
from storage.models import FetchState
from storage.operations import recent_outlet_runs
from storage.repository import OutletCounters, record_outlet_run
from tests.http_server import LocalServer
from tests.site import DIPLOMACY_ARTICLE, article_html, rss_feed
from tests.smtp_server import RecordingHandler, parse

ALERTS = AlertSettings(
    recipients=["ops@example.org"],
    error_streak=3,
    min_articles=4,
    max_empty_share=0.3,
    max_missing_date_share=0.5,
    max_fallback_share=0.3,
)
START = datetime(2026, 11, 24, 1, 0, tzinfo=UTC)


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = Database(f"sqlite:///{tmp_path / 'alerts.db'}")
    yield database
    database.dispose()


class History:
    """Monitor runs of one outlet, stored as the monitor stores them."""

    def __init__(self, db: Database, outlet: str = "vnexpress") -> None:
        self.db, self.outlet, self.runs = db, outlet, 0

    def run(self, **counts: int) -> list[str]:
        counters = OutletCounters(outlet_key=self.outlet)
        for name, value in counts.items():
            setattr(counters, name, value)
        if counters.errors:
            counters.error_messages = ["vnexpress: feed https://vnexpress.net/rss: HTTP 500"]
        started = START + timedelta(minutes=15 * self.runs)
        self.runs += 1
        with self.db.session() as session:
            record_outlet_run(
                session, counters, outlet_name="VnExpress", started_at=started, finished_at=started
            )
        return [f"{i.kind}" for i in find_incidents(self.db, [self.outlet], ALERTS)]

    def fail(self) -> list[str]:
        return self.run(errors=4)

    def succeed(
        self, stored: int = 5, empty: int = 0, undated: int = 0, fallbacks: int = 0
    ) -> list[str]:
        return self.run(
            discovered=stored, new=stored, stored=stored, empty_bodies=empty,
            missing_dates=undated, fallbacks=fallbacks,
        )


def test_an_outlet_failing_runs_in_a_row_is_one_incident_until_it_recovers(db: Database) -> None:
    history = History(db)
    assert history.fail() == []
    assert history.fail() == []
    assert history.fail() == ["failing"]  # the third failure in a row starts the incident
    assert history.fail() == []  # and it is reported once, not on every run
    assert history.fail() == []
    assert history.succeed() == ["recovered"]
    assert history.succeed() == []
    assert [history.fail(), history.fail(), history.fail()] == [[], [], ["failing"]]


def test_a_run_that_did_nothing_neither_extends_nor_ends_a_streak(db: Database) -> None:
    history = History(db)
    # Feeds in back-off after failures are skipped: such a run is no news either way.
    assert [history.fail(), history.fail(), history.run(), history.fail()] == [
        [],
        [],
        [],
        ["failing"],
    ]
    assert [history.run(), history.run(), history.fail()] == [[], [], []]
    assert history.succeed() == ["recovered"]


def test_a_run_that_stores_something_is_not_a_failure(db: Database) -> None:
    history = History(db)
    for _ in range(5):
        assert history.run(errors=2, discovered=3, stored=1) == []


def test_extraction_health_that_drops_is_one_incident(db: Database) -> None:
    history = History(db)
    assert history.succeed(stored=5) == []
    assert history.succeed(stored=5, empty=1) == []  # 20% empty: within the threshold
    assert history.succeed(stored=5, empty=4) == ["extraction"]  # 80%: the parser broke
    assert history.succeed(stored=5, empty=5) == []  # same incident, not mailed again
    assert history.run() == []  # a run that stores nothing changes nothing
    assert history.succeed(stored=5) == ["recovered"]


def test_undated_articles_count_as_bad_extraction(db: Database) -> None:
    history = History(db)
    assert history.succeed(stored=4, undated=3) == ["extraction"]


def test_incidents_are_mailed_to_the_operator_by_smtp(
    smtp_server: tuple[RecordingHandler, Any], db: Database
) -> None:
    handler, smtp = smtp_server
    history = History(db)
    history.fail()
    history.fail()
    history.fail()
    incidents = find_incidents(db, ["vnexpress"], ALERTS)
    settings = Settings(
        alerts=ALERTS,
        smtp={"host": smtp.host, "port": smtp.port, "security": "none"},  # type: ignore[arg-type]
    )
    assert mail_incidents(incidents, settings) is not None
    [(_, recipients, raw)] = handler.envelopes
    assert recipients == ["ops@example.org"]
    message = parse(raw)
    assert "vnexpress" in message["Subject"] and "failing" in message["Subject"]
    text = message.get_body(("plain",))
    assert text is not None and "HTTP 500" in text.get_content()


def test_without_recipients_nothing_is_sent(
    smtp_server: tuple[RecordingHandler, Any], db: Database
) -> None:
    handler, smtp = smtp_server
    history = History(db)
    for _ in range(3):
        history.fail()
    settings = Settings(smtp={"host": smtp.host, "port": smtp.port, "security": "none"})  # type: ignore[arg-type]
    assert mail_incidents(find_incidents(db, ["vnexpress"], ALERTS), settings) is None
    assert handler.envelopes == []


def test_the_summary_is_a_markdown_table_with_one_row_per_outlet() -> None:
    rows = [
        {"outlet": "vnexpress", "discovered": 3, "new": 2, "stored": 2, "diplomacy": 1,
         "errors": 0, "empty_bodies": 0, "short_bodies": 1, "missing_dates": 0,
         "fallbacks": 1, "error_streak": 0, "error_messages": []},
        {"outlet": "tuoitre", "discovered": 0, "new": 0, "stored": 0, "diplomacy": 0,
         "errors": 1, "empty_bodies": 0, "short_bodies": 0, "missing_dates": 0,
         "fallbacks": 0, "error_streak": 3, "error_messages": ["tuoitre: feed x: HTTP 500 | boom"]},
    ]  # fmt: skip
    lines = summary_markdown(rows, []).splitlines()
    assert lines[2].startswith("| outlet | discovered | new | stored | diplomacy | errors |")
    assert "| vnexpress | 3 | 2 | 2 | 1 | 0 | 0 | 1 | 0 | 1 | 0 |" in lines
    assert "| tuoitre | 0 | 0 | 0 | 0 | 1 | 0 | 0 | 0 | 0 | 3 |" in lines
    assert "| **all** | 3 | 2 | 2 | 1 | 1 | 0 | 1 | 0 | 1 | |" in lines
    assert "- tuoitre: feed x: HTTP 500 \\| boom" in lines  # a pipe cannot break the table


@pytest.mark.prefect
def test_a_monitor_run_publishes_its_summary_and_mails_a_new_incident_once(
    prefect_harness: object,
    local_server: LocalServer,
    configure: Callable[..., None],
    smtp_server: tuple[RecordingHandler, Any],
) -> None:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey
    from prefect.client.schemas.sorting import ArtifactSort

    from flows.monitor import monitor
    from flows.settings import get_settings

    host = "vnexpress.net"
    local_server.add(host, "/robots.txt", "User-agent: *\nAllow: /\n", content_type="text/plain")
    local_server.add("*", "/rss/thoi-su.rss", rss_feed(host, [DIPLOMACY_ARTICLE]))
    local_server.add(host, DIPLOMACY_ARTICLE.path, article_html(host, DIPLOMACY_ARTICLE))
    handler, smtp = smtp_server
    configure(
        host_map=local_server.host_map(host),
        politeness={"min_delay_seconds": 0.0, "outlet_delays": {"vnexpress": 0.0},
                    "max_retries": 0, "shared_limits": False},
        smtp={"host": smtp.host, "port": smtp.port, "security": "none"},
        alerts={"recipients": ["ops@example.org"], "error_streak": 2},
    )  # fmt: skip
    # The other feeds of the outlet are missing (404): the run still stores the article.
    [row] = asyncio.run(monitor(outlets=["vnexpress"]))
    assert (row["stored"], row["error_streak"]) == (1, 0)

    async def summary() -> str:
        async with get_client() as client:
            [artifact] = await client.read_artifacts(
                artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=["monitor-summary"])),
                limit=1,
                sort=ArtifactSort.CREATED_DESC,
            )
            return str(artifact.data)

    assert "| vnexpress | 1 | 1 | 1 | 1 |" in asyncio.run(summary())

    local_server.close()  # the outlet goes down: every feed fails
    db = Database(get_settings().resolved_database_url, run_migrations=False)
    for _ in range(3):
        with db.session() as session:  # 15 minutes later: the feeds' back-off has passed
            session.execute(update(FetchState).values(next_fetch_at=None))
        [row] = asyncio.run(monitor(outlets=["vnexpress"]))
    db.dispose()
    assert row["error_streak"] == 3
    assert "## Incidents" not in asyncio.run(summary())  # the incident started a run earlier
    [(_, recipients, raw)] = handler.envelopes  # one mail, on the second failed run
    assert recipients == ["ops@example.org"]
    assert "vnexpress" in parse(raw)["Subject"]


def test_pages_that_need_a_fallback_extractor_are_an_extraction_incident(db: Database) -> None:
    history = History(db)
    assert [history.succeed(stored=5) for _ in range(2)] == [[], []]
    # The outlet's layout changed: most pages now fail the quality gate of its first
    # extractor and are read by a fallback (bodies whole, so nothing is empty).
    assert history.succeed(stored=5, fallbacks=4) == ["extraction"]  # 80% over 30%
    assert history.succeed(stored=5, fallbacks=4) == []  # reported once
    assert history.succeed(stored=5, fallbacks=1) == ["recovered"]  # 20%: healthy again
    with db.session() as session:
        runs = recent_outlet_runs(session, "vnexpress", 10)
    [incident] = outlet_incidents("vnexpress", runs[2:], ALERTS)
    assert incident.kind == "extraction" and "80% needed a fallback extractor" in incident.detail
