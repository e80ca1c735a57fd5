"""A monitor pass over the fault site's outlet followed by the story alert step, in its own
process (for tests/test_story_alerts_flow.py: two monitors at once alert once).

Usage: ``python -m tests.alert_monitor_child DATABASE_URL`` with the settings (host_map,
politeness, SMTP, profiles) in the environment. Prints ``raised N, sent M`` at the end.
"""

from __future__ import annotations

import asyncio
import sys

from digest.send import SendError
from flows.alerting import deliver_alert, pending_deliveries, raise_alerts
from flows.monitoring import monitor_outlet
from flows.settings import get_settings
from storage.db import Database
from tests.fault_site import OUTLET


def main(database_url: str) -> None:
    settings = get_settings()
    db = Database(database_url, run_migrations=False)
    print("started", flush=True)
    asyncio.run(monitor_outlet(OUTLET, settings, db))
    raised = raise_alerts(db, settings)
    sent = 0
    for alert_id, channel in pending_deliveries(db, settings):
        try:
            sent += int(deliver_alert(db, settings, alert_id, channel).sent)
        except SendError as error:
            print(f"failed {channel}: {error}", flush=True)
    print(f"raised {len(raised)}, sent {sent}", flush=True)
    db.dispose()


if __name__ == "__main__":
    main(sys.argv[1])
