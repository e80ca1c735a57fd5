"""When and in what order: Prefect flows and tasks, the CLI, settings.

Prefect telemetry is off unless the operator turns it on explicitly; these defaults are set
before Prefect is imported anywhere in the process.
"""

import os

os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
