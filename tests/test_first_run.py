"""The first run on a fresh machine, as a new user makes it (issue 12).

Each command runs as the installed ``diplowatch`` script (what ``uv run diplowatch`` runs) in
a subprocess, with a fresh ``PREFECT_HOME`` (Prefect's temporary API server creates and
migrates its database on its first start), a fresh data folder (the working directory), no
``DIPLOWATCH_*`` or ``PREFECT_*`` variable of ours (so that only the project's defaults
apply), and no network: every outlet host is mapped to a closed port on 127.0.0.1.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import pytest

from flows.cli import main
from parsers.registry import OUTLETS
from records import VIETNAM_TZ

DIPLOWATCH = Path(sys.executable).parent / "diplowatch"


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def new_user_env(home: Path, **extra: str) -> dict[str, str]:
    """The environment of a new user: fresh PREFECT_HOME, no settings of ours, no network."""
    dead = f"127.0.0.1:{closed_port()}"
    host_map = {}
    for outlet in OUTLETS:
        for domain in outlet.domains:
            host_map[domain] = host_map[f"*.{domain}"] = dead
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DIPLOWATCH_", "PREFECT_"))
    }
    env.update(
        PREFECT_HOME=str(home / "prefect"),
        DIPLOWATCH_HOST_MAP=json.dumps(host_map),
        DIPLOWATCH_POLITENESS__BACKOFF_SECONDS="0.05",
        **extra,
    )
    return env


def start(home: Path, *args: str, **extra: str) -> subprocess.Popen[str]:
    home.mkdir(parents=True, exist_ok=True)
    assert not (home / "prefect").exists()
    return subprocess.Popen(
        [str(DIPLOWATCH), *args],
        cwd=home,
        env=new_user_env(home, **extra),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(process: subprocess.Popen[str], timeout: float = 900) -> tuple[int, str, str]:
    out, err = process.communicate(timeout=timeout)
    return process.returncode, out, err


def today() -> str:
    return datetime.now(VIETNAM_TZ).date().isoformat()


def our_lines(stderr: str) -> list[str]:
    """Our own error lines (Prefect logs its server's start and stop at INFO)."""
    return [line for line in stderr.splitlines() if line.startswith("diplowatch ")]


@pytest.mark.prefect
def test_the_readmes_first_command_succeeds_on_its_first_try_on_a_fresh_machine(
    tmp_path: Path,
) -> None:
    """``diplowatch run --digest``: each outlet's error, a database, today's digest files."""
    began = time.monotonic()
    status, out, err = finish(start(tmp_path, "run", "--digest"))
    elapsed = time.monotonic() - began
    assert status == 0, err[-3000:]
    assert "Traceback" not in err and "Timed out" not in err
    table = out.splitlines()
    assert table[0].split()[:3] == ["outlet", "discovered", "new"]
    reported = {line.split()[0] for line in table[1:] if line and not line.startswith("digest")}
    assert reported == {outlet.key for outlet in OUTLETS}
    assert (tmp_path / "prefect" / "prefect.db").is_file()  # Prefect's first start happened
    assert (tmp_path / "data" / "diplowatch.db").is_file()
    for suffix in ("html", "txt"):
        assert (tmp_path / "data" / "digests" / "vn-us" / f"{today()}.{suffix}").is_file()
    print(f"first run from a fresh PREFECT_HOME: {elapsed:.1f} s")


@pytest.mark.prefect
@pytest.mark.slow
def test_digest_search_backfill_and_reparse_each_work_from_a_fresh_home(tmp_path: Path) -> None:
    """The four started at once, each in its own fresh home: four first starts of Prefect's
    server on two cores, the load under which the start-up timeout used to fail."""
    commands = {
        "digest": ["digest"],
        "search": ["search", "đại sứ", "Hoa Kỳ"],
        "backfill": ["backfill", "--since", today(), "--outlet", "vnexpress", "baochinhphu"],
        "reparse": ["reparse", "--since", "2026-01-01"],
    }
    running = {name: start(tmp_path / name, *args) for name, args in commands.items()}
    results = {name: finish(process) for name, process in running.items()}
    for name, (status, _out, err) in results.items():
        assert status == 0, f"{name}: {err[-3000:]}"
        assert "Traceback" not in err, name
        assert (tmp_path / name / "data" / "diplowatch.db").is_file(), name
    assert (tmp_path / "digest" / "data" / "digests" / "vn-us" / f"{today()}.html").is_file()
    assert "digest vn-us" in results["digest"][1]
    assert "no article matches" in results["search"][2]
    backfilled = results["backfill"][1].splitlines()
    assert backfilled[0].split()[:3] == ["outlet", "discovered", "new"]
    assert {line.split()[0] for line in backfilled[1:]} == {"vnexpress", "baochinhphu"}
    assert results["reparse"][1].splitlines()[0].split()[:2] == ["outlet", "examined"]
    for name in ("digest", "backfill", "reparse"):
        assert (tmp_path / name / "prefect" / "prefect.db").is_file(), name


def test_a_prefect_server_that_does_not_start_in_time_is_one_line_saying_what_to_do(
    tmp_path: Path,
) -> None:
    status, _out, err = finish(
        start(tmp_path, "digest", PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS="1"),
        timeout=300,
    )
    assert status == 1
    assert "Traceback" not in err
    [line] = our_lines(err)
    assert line.startswith("diplowatch digest: Prefect's temporary API server did not start")
    assert "Run the command again" in line and "PREFECT_API_URL" in line
    assert str(tmp_path / "prefect") in line


def test_an_unreachable_prefect_server_is_one_line_saying_what_to_do(tmp_path: Path) -> None:
    status, _out, err = finish(
        start(tmp_path, "digest", PREFECT_API_URL=f"http://127.0.0.1:{closed_port()}/api"),
        timeout=300,
    )
    assert status == 1
    assert "Traceback" not in err
    [line] = our_lines(err)
    assert "Failed to reach API" in line and "prefect server start" in line


def test_an_unreachable_database_is_one_line_saying_what_to_do(
    capsys: pytest.CaptureFixture[str],
) -> None:
    url = f"postgresql+psycopg://diplowatch@127.0.0.1:{closed_port()}/diplowatch"
    assert main(["search", "hoa ky", "--db", url]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    assert err.startswith("diplowatch search: cannot use the database: ")
    assert "DIPLOWATCH_DATABASE_URL" in err
