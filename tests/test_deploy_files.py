"""The deployment files an operator installs: systemd units and the compose file.

There is no Docker engine and no systemd as PID 1 on the test machines, so these files are
checked as far as the machine allows: systemd's own verifier reads each unit (with the
install prefix pointed at this checkout, whose .venv holds the programs), and every command
the units and the compose file start is asked for its ``--help`` with the same arguments
(an unknown option or command fails). The commands themselves run for real in
tests/test_deployment_integration.py.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import REPO_ROOT

SYSTEMD_DIR = REPO_ROOT / "deploy" / "systemd"
COMPOSE = REPO_ROOT / "deploy" / "compose.yaml"
PREFIX = "/opt/diplowatch"
UNITS = sorted(SYSTEMD_DIR.glob("*.service"))


def exec_start(unit: Path) -> list[str]:
    [line] = [ln for ln in unit.read_text().splitlines() if ln.startswith("ExecStart=")]
    return shlex.split(line.removeprefix("ExecStart="))


def accepts(args: list[str]) -> None:
    """The program takes these arguments (checked with ``--help``: nothing is started)."""
    program = Path(args[0].replace(PREFIX, str(REPO_ROOT)))
    if not program.is_absolute():
        program = REPO_ROOT / ".venv" / "bin" / program
    options = [arg for arg in args[1:] if "%" not in arg]  # systemd specifiers
    env = dict(os.environ, DO_NOT_TRACK="1", PREFECT_SERVER_ANALYTICS_ENABLED="false")
    done = subprocess.run(
        [str(program), *options, "--help"],
        capture_output=True, text=True, timeout=120, env=env, cwd=REPO_ROOT,
    )  # fmt: skip
    assert done.returncode == 0, f"{args}: {done.stdout[-1500:]}{done.stderr[-1500:]}"


@pytest.mark.parametrize("unit", UNITS, ids=lambda unit: unit.name)
def test_each_systemd_unit_passes_systemds_verifier(unit: Path, tmp_path: Path) -> None:
    verifier = shutil.which("systemd-analyze")
    if verifier is None:
        pytest.skip("systemd-analyze is not installed")
    copy = tmp_path / unit.name
    copy.write_text(unit.read_text().replace(PREFIX, str(REPO_ROOT)))
    done = subprocess.run(
        [verifier, "verify", str(copy)], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0 and not done.stderr.strip(), done.stderr


@pytest.mark.parametrize("unit", UNITS, ids=lambda unit: unit.name)
def test_each_systemd_unit_starts_a_command_that_exists(unit: Path) -> None:
    args = exec_start(unit)
    assert args[0].startswith(f"{PREFIX}/.venv/bin/")
    accepts(args)


def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(COMPOSE.read_text())
    return loaded


def test_the_compose_file_runs_postgres_a_prefect_server_the_deploy_step_and_workers() -> None:
    services = compose()["services"]
    assert {"postgres", "prefect-server", "deploy", "worker"} <= set(services)
    worker = services["worker"]
    assert worker["deploy"]["replicas"] >= 2
    assert worker["depends_on"]["deploy"]["condition"] == "service_completed_successfully"
    pool = shlex.split(worker["command"])
    assert pool[:3] == ["prefect", "worker", "start"] and pool[pool.index("--pool") + 1] == (
        "diplowatch"
    )
    prefect_yaml = yaml.safe_load((REPO_ROOT / "deploy" / "prefect.yaml").read_text())
    pools = {d["work_pool"]["name"] for d in prefect_yaml["deployments"]}
    assert pools == {"diplowatch"}, "every deployment on the pool the workers serve"
    for name in ("prefect-server", "deploy", "worker"):
        environment = services[name]["environment"]
        assert environment["PREFECT_API_URL"] == "http://prefect-server:4200/api"
        assert environment["DIPLOWATCH_DATABASE_URL"].startswith("postgresql+psycopg://")


@pytest.mark.parametrize("service", ["prefect-server", "worker", "web"])
def test_the_compose_services_start_commands_that_exist(service: str) -> None:
    accepts(shlex.split(compose()["services"][service]["command"]))


def test_the_reading_room_is_published_on_loopback_only() -> None:
    web = compose()["services"]["web"]
    assert web["ports"] == ["127.0.0.1:8080:8080"]
    assert web["depends_on"]["deploy"]["condition"] == "service_completed_successfully"
    unit = exec_start(SYSTEMD_DIR / "diplowatch-web.service")
    assert unit[1:] == ["web", "--host", "127.0.0.1", "--port", "8080"]
