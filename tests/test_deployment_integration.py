"""Deployed as an operator deploys it: a Prefect server, the work pool, deploy/prefect.yaml,
process workers, runs triggered with ``prefect deployment run``; then the database, the
outlet's request log (politeness across concurrent runs) and the digest in the mailbox.

Everything is real and local: ``prefect server start`` on 127.0.0.1 with its own
PREFECT_HOME (SQLite), the workers and flow runs as subprocesses, the outlet served by the
test HTTP server through DIPLOWATCH_HOST_MAP, the mail received by aiosmtpd. The deploy step
(migrations, work pool, ``prefect deploy``) and the workers are started with the very
commands of deploy/compose.yaml's ``deploy`` and ``worker`` services, two workers as its
replicas, against diplowatch's PostgreSQL database when DIPLOWATCH_TEST_POSTGRES_URL names a
server (.ci/run does), else SQLite: a rehearsal of the compose file without Docker. Select it
with ``uv run pytest tests/test_deployment_integration.py`` (about two minutes).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import re
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml
from sqlalchemy import func, select

from storage.db import Database
from storage.models import ArticleRow, DigestRow, OutletRun, VerdictRow
from tests.conftest import REPO_ROOT
from tests.http_server import LocalServer
from tests.postgres import fresh_postgres_database, postgres_server_url
from tests.site import DIPLOMACY_ARTICLE, SPORT_ARTICLE, article_html, rss_feed
from tests.smtp_server import RecordingHandler, free_port, parse

pytestmark = pytest.mark.prefect

HOST = "vnexpress.net"
DELAY = 0.5  # seconds between two requests to the outlet's host, whoever sends them
STARTUP_SECONDS = 120


def serve_outlet(server: LocalServer) -> None:
    server.add(HOST, "/robots.txt", "User-agent: *\nAllow: /\n", content_type="text/plain")
    server.add(HOST, "/rss/thoi-su.rss", rss_feed(HOST, [DIPLOMACY_ARTICLE, SPORT_ARTICLE]))
    for article in (DIPLOMACY_ARTICLE, SPORT_ARTICLE):
        server.add(HOST, article.path, article_html(HOST, article))


class Processes:
    """Background processes in their own process groups, killed as groups at the end."""

    def __init__(self, logs: Path, env: dict[str, str]) -> None:
        self.logs, self.env, self.started = logs, env, list[subprocess.Popen[bytes]]()

    def start(self, name: str, *args: str) -> subprocess.Popen[bytes]:
        log = (self.logs / f"{name}.log").open("wb")
        process = subprocess.Popen(
            args, cwd=REPO_ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        self.started.append(process)
        return process

    def run(self, *args: str, timeout: float = 120) -> str:
        done = subprocess.run(
            args, cwd=REPO_ROOT, env=self.env, capture_output=True, text=True, timeout=timeout
        )
        assert done.returncode == 0, f"{' '.join(args)}:\n{done.stdout}\n{done.stderr}"
        return done.stdout

    def stop(self) -> None:
        for process in self.started:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + 15
        for process in self.started:
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=5)

    def log(self, name: str) -> str:
        """The output of the processes started as ``name`` or ``name-<n>``."""
        files = sorted(self.logs.glob(f"{name}.log")) + sorted(self.logs.glob(f"{name}-*.log"))
        return "".join(path.read_text(errors="replace") for path in files)


def compose_command(service: str) -> list[str]:
    """The command of a deploy/compose.yaml service, as its container would run it."""
    compose = yaml.safe_load((REPO_ROOT / "deploy" / "compose.yaml").read_text())
    command = compose["services"][service]["command"]
    args = command if isinstance(command, list) else command.split()
    return [arg.replace("$$", "$") for arg in args]  # compose's escape of a literal $


@pytest.fixture
def database_url(tmp_path: Path) -> Iterator[str]:
    """diplowatch's database for the deployment: PostgreSQL when CI provides a server."""
    server = postgres_server_url()
    if server is None:
        yield f"sqlite:///{tmp_path / 'data' / 'diplowatch.db'}"
        return
    with fresh_postgres_database(server, prefix="dw_deploy") as url:
        yield url


@pytest.fixture
def prefect_server(
    tmp_path: Path,
    local_server: LocalServer,
    smtp_server: tuple[RecordingHandler, Any],
    database_url: str,
) -> Iterator[Processes]:
    """A Prefect server on 127.0.0.1, and the environment an operator would set for
    diplowatch (the outlet on the local server, the mail to aiosmtpd)."""
    _, smtp = smtp_server
    serve_outlet(local_server)
    port = free_port()
    data = tmp_path / "data"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "DIPLOWATCH_"))}
    env.update(
        PATH=f"{REPO_ROOT / '.venv' / 'bin'}{os.pathsep}{env.get('PATH', '')}",
        DIPLOWATCH_DATABASE_URL=database_url,
        DO_NOT_TRACK="1",
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        PREFECT_HOME=str(tmp_path / "prefect"),
        PREFECT_API_URL=f"http://127.0.0.1:{port}/api",
        PREFECT_LOGGING_LEVEL="INFO",
        DIPLOWATCH_HOME=str(REPO_ROOT),
        DIPLOWATCH_DATA_DIR=str(data),
        DIPLOWATCH_HOST_MAP=json.dumps(local_server.host_map(HOST)),
        DIPLOWATCH_POLITENESS__MIN_DELAY_SECONDS=str(DELAY),
        DIPLOWATCH_POLITENESS__OUTLET_DELAYS=json.dumps({"vnexpress": DELAY}),
        DIPLOWATCH_POLITENESS__MAX_RETRIES="0",
        DIPLOWATCH_SMTP__HOST=smtp.host,
        DIPLOWATCH_SMTP__PORT=str(smtp.port),
        DIPLOWATCH_SMTP__SECURITY="none",
        DIPLOWATCH_PROFILES=json.dumps(
            [{"name": "vn-us", "partners": ["US"], "recipients": ["desk@example.org"]}]
        ),
    )
    processes = Processes(tmp_path, env)
    prefect = str(REPO_ROOT / ".venv" / "bin" / "prefect")
    try:
        processes.start(
            "server", prefect, "server", "start", "--host", "127.0.0.1", "--port", str(port)
        )
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=2).is_success:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, processes.log("server")[-2000:]
            time.sleep(0.5)
        data.mkdir(parents=True, exist_ok=True)
        yield processes
    finally:
        processes.stop()


@pytest.fixture
def deployed(prefect_server: Processes, database_url: str) -> tuple[Processes, str]:
    """Then compose's deploy step (migrations, work pool, prefect.yaml deployed). Returns
    the processes and diplowatch's database URL."""
    prefect_server.run(*compose_command("deploy"), timeout=300)
    return prefect_server, database_url


PREFECT = str(REPO_ROOT / ".venv" / "bin" / "prefect")
DIPLOWATCH = str(REPO_ROOT / ".venv" / "bin" / "diplowatch")
ALEMBIC = str(REPO_ROOT / ".venv" / "bin" / "alembic")
UUID = re.compile(r"UUID: ([0-9a-f-]{36})")


def run_deployment(processes: Processes, name: str, *params: str) -> str:
    """``prefect deployment run NAME -p ...`` as in the README; returns the flow run's id."""
    args = [PREFECT, "deployment", "run", name]
    for param in params:
        args += ["-p", param]
    found = UUID.search(processes.run(*args))
    assert found, f"no flow run id printed by {args}"
    return found.group(1)


def wait_completed(
    processes: Processes, run_ids: list[str], timeout: float = 150, log: str = "worker"
) -> list[Any]:
    """Poll the API until the runs are final; they must have completed. Returns the runs."""
    api = processes.env["PREFECT_API_URL"]
    deadline = time.monotonic() + timeout
    while True:
        runs = httpx.post(
            f"{api}/flow_runs/filter", json={"flow_runs": {"id": {"any_": run_ids}}}, timeout=10
        ).json()
        states = [run["state"]["type"] for run in runs]
        final = ("COMPLETED", "FAILED", "CRASHED", "CANCELLED")
        if len(runs) == len(run_ids) and all(state in final for state in states):
            break
        assert time.monotonic() < deadline, f"{states}\n{processes.log(log)[-3000:]}"
        time.sleep(1)
    assert states == ["COMPLETED"] * len(run_ids), f"{states}\n{processes.log(log)[-4000:]}"
    return list(runs)


def count(db: Database, model: type[Any], *where: Any) -> int:
    with db.session() as session:
        return session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def start_gaps(server: LocalServer) -> list[float]:
    times = sorted(request.time for request in server.requests_to(HOST))
    return [later - earlier for earlier, later in itertools.pairwise(times)]


def test_deployed_flows_run_on_a_worker_politely_and_the_digest_arrives(
    deployed: tuple[Processes, str],
    local_server: LocalServer,
    smtp_server: tuple[RecordingHandler, Any],
) -> None:
    processes, database_url = deployed
    started = time.monotonic()
    # Two monitor runs on the same outlet, triggered by hand as in the README, both waiting
    # when the workers start (compose's worker service, two replicas): they run at once.
    outlets = 'outlets=["vnexpress"]'
    run_ids = [run_deployment(processes, "monitor/monitor", outlets) for _ in range(2)]
    processes.start("worker", *compose_command("worker"))
    processes.start("worker-2", *compose_command("worker"))
    runs = wait_completed(processes, run_ids)
    monitored = time.monotonic() - started
    first_end = min(run["end_time"] for run in runs)
    assert max(run["start_time"] for run in runs) < first_end, "the two runs overlapped"

    db = Database(database_url, run_migrations=False)  # compose's deploy step migrated it
    assert count(db, ArticleRow) == 2, "both runs stored the same two articles once"
    assert count(db, VerdictRow, VerdictRow.is_diplomacy.is_(True)) == 1
    assert count(db, OutletRun) == 2
    feed_requests = local_server.requests_to(HOST, "/rss/thoi-su.rss")
    assert len(feed_requests) == 2, "each run read the feed"
    gaps = start_gaps(local_server)
    # 10% for the arrival times the server's threads record on a busy machine.
    assert min(gaps) >= DELAY * 0.9, f"requests to {HOST} closer than {DELAY}s: {gaps}"

    wait_completed(
        processes, [run_deployment(processes, "daily-digest/daily-digest", "day=2026-11-24")]
    )
    handler, _ = smtp_server
    [(_, recipients, raw)] = handler.envelopes
    assert recipients == ["desk@example.org"]
    message = parse(raw)
    text = message.get_body(("plain",))
    assert text is not None and DIPLOMACY_ARTICLE.title in text.get_content()
    assert SPORT_ARTICLE.title not in text.get_content()
    assert count(db, DigestRow, DigestRow.sent_at.is_not(None)) == 1
    db.dispose()
    print(f"\nmonitor runs {monitored:.1f}s, all runs {time.monotonic() - started:.1f}s")


@pytest.fixture
def two_runs_site(
    local_server: LocalServer, configure: Callable[..., None]
) -> Callable[[bool], list[float]]:
    """Two monitor flow runs at once on one outlet; returns the gaps between request starts.
    The feed lists a dozen articles, so that each run lasts long enough (a dozen delays) for
    the two runs to overlap even when one of them starts late on a busy machine."""
    serve_outlet(local_server)
    pages = [
        replace(SPORT_ARTICLE, path=f"/the-thao/tin-{n}-49000{n:02d}.html", title=f"Tin {n}")
        for n in range(12)
    ]
    local_server.add(HOST, "/rss/thoi-su.rss", rss_feed(HOST, [DIPLOMACY_ARTICLE, *pages]))
    for page in pages:
        local_server.add(HOST, page.path, article_html(HOST, page))

    def run(shared: bool) -> list[float]:
        from flows.monitor import monitor

        local_server.clear_requests()
        configure(
            host_map=local_server.host_map(HOST),
            database_url=f"sqlite:///{local_server.port}-{shared}.db",
            politeness={"min_delay_seconds": 0.2, "outlet_delays": {"vnexpress": 0.2},
                        "max_retries": 0, "shared_limits": shared},
        )  # fmt: skip

        async def both() -> None:
            from flows.settings import get_settings

            Database(get_settings().resolved_database_url).dispose()
            await asyncio.gather(monitor(outlets=["vnexpress"]), monitor(outlets=["vnexpress"]))

        asyncio.run(both())
        return start_gaps(local_server)

    return run


def test_two_flow_runs_on_one_outlet_keep_the_host_delay_through_the_global_limit(
    prefect_harness: object, two_runs_site: Callable[[bool], list[float]]
) -> None:
    # Without the shared limit each run spaces only its own requests ...
    assert min(two_runs_site(False)) < 0.1
    # ... with it, every request start to the host is 0.2 s after the previous one (less
    # the jitter of arrival times recorded by the server's threads on a busy machine).
    gaps = two_runs_site(True)
    assert len(gaps) >= 10 and min(gaps) >= 0.18, gaps


def test_the_deployments_run_on_hanoi_time_and_take_typed_parameters() -> None:
    from prefect.client.schemas.schedules import CronSchedule

    from flows.serve import runner_deployments

    deployments = {d.name: d for d in runner_deployments()}  # what `diplowatch serve` serves
    assert set(deployments) == {"monitor", "daily-digest", "probe", "reparse", "backfill"}

    def crons(name: str) -> list[tuple[str, str | None]]:
        schedules = [s.schedule for s in deployments[name].schedules or []]
        assert all(isinstance(s, CronSchedule) for s in schedules)
        return [(s.cron, s.timezone) for s in schedules if isinstance(s, CronSchedule)]

    assert crons("monitor") == [("*/15 * * * *", "Asia/Ho_Chi_Minh")]
    assert crons("daily-digest") == [("0 7 * * *", "Asia/Ho_Chi_Minh")]
    assert crons("probe") == [("0 6 * * 1", "Asia/Ho_Chi_Minh")]  # Mondays 06:00
    assert crons("reparse") == crons("backfill") == []  # on demand
    backfill = deployments["backfill"]._parameter_openapi_schema.model_dump()
    assert backfill["required"] == ["since"]
    assert backfill["properties"]["since"]["format"] == "date"
    reparse = deployments["reparse"]._parameter_openapi_schema.model_dump()
    assert reparse["properties"]["outlets"]["anyOf"][0] == {
        "items": {"type": "string"},
        "type": "array",
    }


def test_serve_refuses_to_start_without_a_prefect_server(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from prefect.settings import PREFECT_API_URL, temporary_settings

    from flows.cli import main

    with temporary_settings(restore_defaults={PREFECT_API_URL}):
        assert main(["serve"]) == 2
    assert "needs a Prefect server" in capsys.readouterr().err


def test_diplowatch_serve_runs_a_deployment_triggered_by_hand(
    prefect_server: Processes, database_url: str
) -> None:
    # The README's "one machine": migrate, `diplowatch serve` against the server, then a run
    # triggered with `prefect deployment run` is executed by the serving process.
    prefect_server.run(ALEMBIC, "-x", f"url={database_url}", "upgrade", "head")
    serving = prefect_server.start("serve", DIPLOWATCH, "serve")
    api = prefect_server.env["PREFECT_API_URL"]
    deadline = time.monotonic() + STARTUP_SECONDS
    while True:
        names = {
            d["name"] for d in httpx.post(f"{api}/deployments/filter", json={}, timeout=10).json()
        }
        if {"monitor", "daily-digest", "reparse", "backfill"} <= names:
            break
        assert time.monotonic() < deadline, prefect_server.log("serve")[-3000:]
        time.sleep(1)
    run_id = run_deployment(prefect_server, "monitor/monitor", 'outlets=["vnexpress"]')
    wait_completed(prefect_server, [run_id], log="serve")
    db = Database(database_url, run_migrations=False)
    assert count(db, ArticleRow) == 2
    assert count(db, VerdictRow, VerdictRow.is_diplomacy.is_(True)) == 1
    db.dispose()
    # systemd stops the service with SIGTERM: it must end promptly, not wait to be killed.
    stopping = time.monotonic()
    os.killpg(serving.pid, signal.SIGTERM)
    serving.wait(timeout=60)
    print(f"serve stopped in {time.monotonic() - stopping:.1f}s, exit {serving.returncode}")
    assert time.monotonic() - stopping < 10, prefect_server.log("serve")[-2000:]
