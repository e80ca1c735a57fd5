"""``diplowatch web`` for real: the command started as a process, uvicorn listening on
127.0.0.1, pages asked over a real socket; settings from the environment as an operator
sets them; the command's refusals (exposed without credentials, no archive)."""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from flows.cli import main
from tests.web_archive import Archive, build_archive

TOKEN = "a-long-random-token"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Archive:
    return build_archive(f"sqlite:///{tmp_path_factory.mktemp('server') / 'diplowatch.db'}")


@pytest.fixture(scope="module")
def server(archive: Archive, tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    port = free_port()
    env = dict(os.environ, DIPLOWATCH_WEB__TOKEN=TOKEN, DIPLOWATCH_DATABASE_URL=archive.url,
               DIPLOWATCH_PROFILES='[{"name": "vn-us", "partners": ["US"]}]')  # fmt: skip
    process = subprocess.Popen(
        [sys.executable, "-m", "flows.cli", "web", "--port", str(port)],
        cwd=tmp_path_factory.mktemp("cwd"), env=env, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if request(port, "GET", "/healthz")[0] == 200:
                    break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                output = process.stdout.read() if process.stdout else ""
                pytest.fail(f"diplowatch web did not start: {output[-2000:]}")
            time.sleep(0.2)
        yield port
    finally:
        process.send_signal(signal.SIGINT)
        try:
            assert process.wait(timeout=20) == 0, "stops cleanly on Ctrl+C / SIGINT"
        finally:
            if process.poll() is None:
                process.kill()
        output = process.stdout.read() if process.stdout else ""
        assert "http://127.0.0.1:" in output, output[-2000:]


def request(
    port: int, method: str, path: str, headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
    try:
        connection.request(method, path, headers=headers or {})
        response = connection.getresponse()
        body = response.read().decode("utf-8", "replace")
        return response.status, {k.lower(): v for k, v in response.getheaders()}, body
    finally:
        connection.close()


AUTH = {"Authorization": f"Bearer {TOKEN}"}


def test_the_server_listens_on_loopback_and_serves_the_pages(
    server: int, archive: Archive
) -> None:
    status, headers, body = request(server, "GET", "/stories?day=2026-11-24", AUTH)
    assert status == 200
    assert "Tổng Bí thư Tô Lâm tiếp Đại sứ Hoa Kỳ Marc Knapper" in body
    assert "server" not in headers and "script-src" not in headers["content-security-policy"]
    story = archive.stories["thirty"]
    status, _, body = request(server, "GET", f"/stories/{story}?page=2", AUTH)
    assert status == 200 and "Trang 2/2" in body
    status, headers, body = request(server, "GET", "/charts/events.csv?from=2026-11-01", AUTH)
    assert status == 200 and headers["content-type"].startswith("text/csv")
    assert body.startswith("week,")
    # Only loopback: the listening socket is bound to 127.0.0.1, not to every address.
    with socket.create_connection(("127.0.0.1", server), timeout=5) as connection:
        assert connection.getpeername()[0] == "127.0.0.1"


def test_the_token_from_the_environment_is_required(server: int) -> None:
    status, headers, _ = request(server, "GET", "/stories")
    assert status == 401 and headers["www-authenticate"].startswith("Bearer")
    assert request(server, "GET", "/stories", {"Authorization": "Bearer nope"})[0] == 401
    assert request(server, "GET", "/healthz")[0] == 200


def test_writes_and_odd_requests_are_refused(server: int) -> None:
    for method in ("POST", "PUT", "DELETE", "PATCH"):
        assert request(server, method, "/stories", AUTH)[0] == 405
    assert request(server, "GET", "/stories?day=%00%ff", AUTH)[0] == 400
    assert request(server, "GET", "/search?q=%E2%80%AE%3Cscript%3E", AUTH)[0] == 200
    assert request(server, "GET", "/nothing/here", AUTH)[0] == 404


def test_the_command_refuses_to_expose_the_archive_without_credentials(
    archive: Archive, capsys: pytest.CaptureFixture[str], configure: object
) -> None:
    code = main(["web", "--host", "0.0.0.0", "--db", archive.url])
    assert code == 2
    assert "DIPLOWATCH_WEB__TOKEN" in capsys.readouterr().err


def test_the_command_refuses_a_database_without_an_archive(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], configure: object
) -> None:
    assert main(["web", "--db", f"sqlite:///{tmp_path / 'new.db'}"]) == 2
    assert "diplowatch run" in capsys.readouterr().err
