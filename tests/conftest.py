"""Shared test fixtures. Tests are offline: servers run on 127.0.0.1 only."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.http_server import local_server
from tests.smtp_server import smtp_server

__all__ = ["local_server", "smtp_server"]  # fixtures shared by every test module

os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")

REPO_ROOT = Path(__file__).resolve().parent.parent
SHARED_DIR = Path(os.environ.get("DIPLOWATCH_SHARED_DIR", REPO_ROOT.parent / "shared"))
CORPUS_DIR = SHARED_DIR / "corpus"
SEEDS_DIR = SHARED_DIR / "seeds"
FIXTURES_DIR = Path(__file__).resolve().parent / "fixtures"


def require_shared(path: Path) -> Path:
    """Return ``path`` inside ../shared, or skip the test when it is absent."""
    if not path.exists():
        pytest.skip(f"third-party material not present: {path}")
    return path


@pytest.fixture
def corpus_dir() -> Path:
    return require_shared(CORPUS_DIR)


@pytest.fixture
def seeds_dir() -> Path:
    return require_shared(SEEDS_DIR)


@pytest.fixture(scope="session")
def prefect_harness() -> object:
    """Prefect's test harness: a temporary API server and database for the whole session."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=180):
        yield


@pytest.fixture
def configure(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> object:
    """Set diplowatch settings through the environment, as an operator would.

    Returns a function taking keyword settings (``data_dir``, ``host_map``, ...); values
    that are not strings are passed as JSON. The settings cache is cleared around the test.
    """
    import json

    from flows.settings import get_settings

    def apply(**values: object) -> None:
        for name, value in values.items():
            text = value if isinstance(value, str) else json.dumps(value)
            monkeypatch.setenv(f"DIPLOWATCH_{name.upper()}", str(text))
        get_settings.cache_clear()

    monkeypatch.chdir(tmp_path)  # no stray .env or diplowatch.toml from the developer
    apply(data_dir=str(tmp_path / "data"))
    yield apply
    get_settings.cache_clear()
