"""``diplowatch serve``: every deployment of ``deploy/prefect.yaml`` served from one process.

The single-machine way to run diplowatch on schedule: no work pool and no worker, the
same deployment names, schedules (with their time zone), parameters and descriptions as
``prefect deploy --prefect-file deploy/prefect.yaml --all`` creates, so that manual
triggers (``prefect deployment run 'monitor/monitor' ...``) work the same way.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml  # type: ignore[import-untyped]
from prefect import Flow
from prefect.deployments.runner import RunnerDeployment
from prefect.schedules import Cron, Interval, Schedule

DEPLOY_FILE = Path(__file__).resolve().parent.parent / "deploy" / "prefect.yaml"


@dataclass(frozen=True)
class DeploymentSpec:
    """One entry of ``deployments:`` in prefect.yaml, as far as serving needs it."""

    name: str
    entrypoint: str  # "flows/monitor.py:monitor"
    description: str | None
    tags: tuple[str, ...]
    parameters: dict[str, Any]
    schedules: tuple[Schedule, ...]


def _schedule(entry: dict[str, Any]) -> Schedule:
    active = bool(entry.get("active", True))
    timezone = entry.get("timezone")
    if "cron" in entry:
        return Cron(str(entry["cron"]), timezone=timezone, active=active)
    if "interval" in entry:
        return Interval(float(entry["interval"]), timezone=timezone, active=active)
    raise ValueError(f"unsupported schedule in prefect.yaml: {entry!r} (use cron or interval)")


def read_deployments(path: Path = DEPLOY_FILE) -> list[DeploymentSpec]:
    """The deployments declared in ``path``."""
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    specs: list[DeploymentSpec] = []
    for entry in document.get("deployments") or []:
        specs.append(
            DeploymentSpec(
                name=str(entry["name"]),
                entrypoint=str(entry["entrypoint"]),
                description=entry.get("description"),
                tags=tuple(entry.get("tags") or ()),
                parameters=dict(entry.get("parameters") or {}),
                schedules=tuple(_schedule(s) for s in entry.get("schedules") or ()),
            )
        )
    return specs


def load_flow(entrypoint: str) -> Flow[..., Any]:
    """The flow object of ``path/to/module.py:name``, imported as a module of this package."""
    path, _, name = entrypoint.partition(":")
    module = importlib.import_module(path.removesuffix(".py").replace("/", "."))
    found = getattr(module, name)
    if not isinstance(found, Flow):
        raise TypeError(f"{entrypoint} is not a Prefect flow")
    return found


def runner_deployments(path: Path = DEPLOY_FILE) -> list[RunnerDeployment]:
    """What ``prefect.serve`` serves: one runner deployment per prefect.yaml entry."""
    deployments: list[RunnerDeployment] = []
    for spec in read_deployments(path):
        deployment = load_flow(spec.entrypoint).to_deployment(
            name=spec.name,
            description=spec.description,
            tags=list(spec.tags),
            parameters=spec.parameters,
            schedules=list(spec.schedules),
        )
        if not isinstance(deployment, RunnerDeployment):  # called from async code
            raise TypeError("runner_deployments() must be called outside an event loop")
        deployments.append(deployment)
    return deployments
