"""PostgreSQL for the tests: a fresh database per test on the server CI starts.

``DIPLOWATCH_TEST_POSTGRES_URL`` names a database on that server whose role may create
databases (``.ci/run`` sets it up). When the variable is unset, the PostgreSQL variants
skip; when it is set but the server does not answer, they fail.

Use the ``database_url`` fixture (import it into the test module): it is parametrized over
``sqlite`` and ``postgresql`` and yields a URL of an empty database, not yet migrated.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

POSTGRES_URL_VARIABLE = "DIPLOWATCH_TEST_POSTGRES_URL"
BACKENDS = ["sqlite", "postgresql"]


def postgres_server_url() -> str | None:
    return os.environ.get(POSTGRES_URL_VARIABLE) or None


def drop_database(admin: Engine, name: str, attempts: int = 20) -> None:
    """DROP DATABASE … WITH (FORCE), tried again for a while: a test that deleted many rows
    may have woken autovacuum in that database, whose worker our role may not terminate
    (it ends by itself within moments)."""
    for attempt in range(attempts):
        try:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            return
        except DBAPIError:
            if attempt == attempts - 1:
                raise
            time.sleep(0.5)


@contextmanager
def fresh_postgres_database(server_url: str, prefix: str = "dw_test") -> Iterator[str]:
    """Create an empty database on the server of ``server_url``; drop it afterwards."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}" TEMPLATE template0 ENCODING UTF8'))
        try:
            yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
        finally:
            drop_database(admin, name)
    finally:
        admin.dispose()


@contextmanager
def database_for(backend: str, tmp_path: Path) -> Iterator[str]:
    """The URL of an empty database on ``backend`` (``sqlite`` or ``postgresql``)."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'diplowatch.db'}"
        return
    server = postgres_server_url()
    if server is None:
        pytest.skip(f"PostgreSQL variant: set {POSTGRES_URL_VARIABLE} (.ci/run does)")
    with fresh_postgres_database(server) as url:
        yield url


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database on SQLite, then on PostgreSQL (each test runs on both)."""
    with database_for(request.param, tmp_path) as url:
        yield url
