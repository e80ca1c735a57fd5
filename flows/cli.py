"""The ``diplowatch`` command line. Errors are one clear line on stderr, not a traceback.

Each command lives in a module of ``flows.commands`` with a ``register(subcommands)``
function; add a command by adding a module to ``COMMAND_MODULES``.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence
from types import ModuleType

from flows.commands import fixtures, monitoring, operations, outlets, pages, search, story_alerts
from flows.commands import web as web_command
from flows.commands.common import CliError

log = logging.getLogger("diplowatch.cli")

COMMAND_MODULES: tuple[ModuleType, ...] = (
    pages, monitoring, outlets, search, operations, fixtures, story_alerts, web_command
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="diplowatch", description="Watch Vietnamese news for diplomacy; mail a daily digest."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    for module in COMMAND_MODULES:
        module.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=os.environ.get("DIPLOWATCH_LOG_LEVEL", "WARNING").upper(),
        format="%(levelname)s %(name)s: %(message)s",
    )
    try:
        status: int = args.handler(args)
        return status
    except CliError as error:
        print(f"diplowatch {args.command}: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"diplowatch {args.command}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as error:  # one clear line instead of a traceback
        log.debug("unexpected failure", exc_info=True)
        print(f"diplowatch {args.command}: {explain(error)}", file=sys.stderr)
        return 1


def explain(error: BaseException) -> str:
    """One line for an unexpected failure: what to do when we know, else what happened."""
    text = str(error)
    if isinstance(error, RuntimeError) and "ephemeral Prefect API server" in text:
        from prefect.settings import PREFECT_HOME, PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS

        waited = PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS.value()
        return (
            f"Prefect's temporary API server did not start within {waited} s (its first start "
            f"creates its database in {PREFECT_HOME.value()}). Run the command again; on a slow "
            "machine set PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS higher, or start a "
            "server (`prefect server start`) and set PREFECT_API_URL"
        )
    if isinstance(error, RuntimeError) and text.startswith("Failed to reach API at"):
        return (
            f"{text.rstrip('.')}: start the Prefect server there (`prefect server start`), "
            "or unset PREFECT_API_URL to use a temporary one"
        )
    module = type(error).__module__.split(".")[0]
    if module == "sqlalchemy" and "OperationalError" in type(error).__name__:
        first = text.split("\n", 1)[0]
        return (
            f"cannot use the database: {first} (check --db or DIPLOWATCH_DATABASE_URL; "
            "a PostgreSQL server must be running)"
        )
    first = text.strip().split("\n", 1)[0]
    return f"{type(error).__name__}: {first[:500]}"


if __name__ == "__main__":
    sys.exit(main())
