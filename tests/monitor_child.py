"""A monitor pass over the fault site's outlet, in its own process (for the crash tests).

Usage: ``python -m tests.monitor_child DATABASE_URL`` with the settings (host_map,
politeness) in the environment, as tests/test_crash_safety.py sets them. It prints
``started`` once the database is open, and ``stored N`` when the pass is over.
"""

from __future__ import annotations

import asyncio
import sys

from flows.monitoring import monitor_outlet
from flows.settings import get_settings
from storage.db import Database
from tests.fault_site import OUTLET


def main(database_url: str) -> None:
    db = Database(database_url)
    print("started", flush=True)
    counters = asyncio.run(monitor_outlet(OUTLET, get_settings(), db))
    print(f"stored {counters.stored}", flush=True)
    db.dispose()


if __name__ == "__main__":
    main(sys.argv[1])
