"""``diplowatch outlets --probe [--outlet KEY...] [--json]``: before the first schedule, ask
every registry source once, politely, and fetch one recent article per outlet.

One line per source (outcome, status, item count, share matching the outlet's article
pattern, newest item, URL, final URL after redirects, evidence), one per article (extraction
method, body words, date, authors), a summary per outlet (live, stale, dead, blocked); exit
status 1 when any outlet has no live source. What answered is recorded in the database
(``diplowatch outlets`` shows when each source was last seen answering).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys

from flows.commands.common import CliError


def command_probe(args: argparse.Namespace) -> int:
    # No Prefect here: the probe needs no API server.
    from flows.probe_report import probe_json, report_lines
    from flows.probing import probe_outlets, record_probes
    from flows.settings import get_settings
    from parsers.registry import OUTLETS, outlet_by_key
    from storage.db import Database

    try:
        outlets = [outlet_by_key(key) for key in args.outlet] or list(OUTLETS)
    except KeyError as error:
        raise CliError(str(error.args[0])) from error
    settings = get_settings()
    probes = asyncio.run(probe_outlets(outlets, settings))
    db = Database(args.db or settings.resolved_database_url)
    try:
        changed = record_probes(db, probes)
    finally:
        db.dispose()
    if args.json:
        for probe in probes:
            print(json.dumps(probe_json(probe), ensure_ascii=False))
    else:
        print("\n".join(report_lines(probes)))
    not_live = [probe.key for probe in probes if probe.status != "live"]
    summary = f"{len(probes) - len(not_live)} of {len(probes)} outlets live"
    summary += f"; {len(changed)} sources changed since the last probe"
    print(f"{summary}; not live: {', '.join(not_live)}" if not_live else summary, file=sys.stderr)
    return 1 if not_live else 0
