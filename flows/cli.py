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

from flows.commands import fixtures, monitoring, operations, outlets, pages, search
from flows.commands.common import CliError

log = logging.getLogger("diplowatch.cli")

COMMAND_MODULES: tuple[ModuleType, ...] = (
    pages, monitoring, outlets, search, operations, fixtures
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
        print(f"diplowatch {args.command}: {type(error).__name__}: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
