"""The house rules of DESIGN.md, checked on the source: stages import only to their right."""

from __future__ import annotations

import ast

import pytest

from tests.conftest import REPO_ROOT

# web (the reading room) comes right after flows: it reads storage and digest, and only the
# CLI (flows) starts it.
STAGES = ["flows", "web", "crawler", "parsers", "analysis", "storage", "digest"]
OURS = {*STAGES, "records"}
# Pure stages: no network, no database, no Prefect (digest may send mail: smtplib).
FORBIDDEN_IN_PURE = {"httpx", "sqlalchemy", "alembic", "prefect", "storage", "crawler", "flows"}


def imported_top_levels(package: str) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for path in sorted((REPO_ROOT / package).rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module.split(".")[0])
        found[str(path.relative_to(REPO_ROOT))] = names
    return found


@pytest.mark.parametrize("package", STAGES)
def test_a_stage_imports_only_stages_to_its_right(package: str) -> None:
    allowed = {"records", package, *STAGES[STAGES.index(package) + 1 :]}
    for module, names in imported_top_levels(package).items():
        backwards = (names & OURS) - allowed
        assert not backwards, f"{module} imports {sorted(backwards)} (to its left)"


@pytest.mark.parametrize("package", ["parsers", "analysis", "digest", "records"])
def test_pure_stages_touch_no_network_database_or_prefect(package: str) -> None:
    for module, names in imported_top_levels(package).items():
        assert not names & FORBIDDEN_IN_PURE, (
            f"{module} imports {sorted(names & FORBIDDEN_IN_PURE)}"
        )


def test_records_import_nothing_of_ours() -> None:
    for module, names in imported_top_levels("records").items():
        assert not names & (OURS - {"records"}), module


def test_modules_stay_small() -> None:
    big = {
        str(path.relative_to(REPO_ROOT)): n
        for package in [*STAGES, "records"]
        for path in (REPO_ROOT / package).rglob("*.py")
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > 450
    }
    assert not big, f"modules over 450 lines: {big}"


def test_the_reading_room_never_writes_nor_crawls() -> None:
    """web reads the archive: no crawler, no Prefect, no flows, no alembic (it never migrates),
    and no storage module that writes (it goes through storage.archive, read only)."""
    writers = {"storage.repository", "storage.stories", "storage.digests", "storage.health"}
    for module, names in imported_top_levels("web").items():
        assert not names & {"crawler", "prefect", "flows", "alembic", "httpx"}, module
    for path in sorted((REPO_ROOT / "web").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module in writers:
                names = {alias.name for alias in node.names}
                # read functions only: the digest's window query, members, health, rows
                assert names <= {"members_of", "window_members", "StoredMember",
                                 "DriftLimits", "extraction_drift", "outlet_health",
                                 "article_from_row", "verdict_from_row", "as_member"}, (path, names)

