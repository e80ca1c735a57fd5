"""The ``probe`` flow (deployment ``probe/probe``, weekly): ``diplowatch outlets --probe`` on
schedule. It records what answered and mails the operator the table when a source's outcome
changed since the last probe; the table is also published as the artifact ``probe-report``.
"""

from __future__ import annotations

from typing import Any

from prefect import flow
from prefect.artifacts import acreate_markdown_artifact

from flows.monitor import select_outlets
from flows.probe_report import probe_json, report_lines
from flows.probing import mail_probe_report, probe_outlets, record_probes
from flows.settings import get_settings
from storage.db import Database


@flow(name="probe", persist_result=False, log_prints=True)
async def probe(
    outlets: list[str] | None = None, database_url: str | None = None
) -> list[dict[str, Any]]:
    """Ask every source of the outlets once; record it; mail the changes. One JSON object per
    outlet, as ``diplowatch outlets --probe --json`` prints."""
    settings = get_settings()
    probes = await probe_outlets(select_outlets(outlets), settings)
    db = Database(database_url or settings.resolved_database_url)
    try:
        changed = record_probes(db, probes)
    finally:
        db.dispose()
    mail_probe_report(probes, changed, settings)
    lines = "\n".join(report_lines(probes))
    live = sum(p.status == "live" for p in probes)
    await acreate_markdown_artifact(
        key="probe-report",
        markdown=f"# Outlet probe\n\n{len(changed)} changes\n\n```text\n{lines}\n```\n",
        description=f"{live} of {len(probes)} outlets live",
    )
    return [probe_json(p) for p in probes]
