"""Shared test fixtures. Tests are offline: servers run on 127.0.0.1 only."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

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
