"""When and in what order: Prefect flows and tasks, the CLI, settings.

Prefect defaults for diplowatch, set before Prefect is imported anywhere in the process (an
operator's own environment variable always wins):

- telemetry is off unless the operator turns it on explicitly;
- Prefect's temporary API server (used when no ``PREFECT_API_URL`` is set) gets
  ``EPHEMERAL_STARTUP_TIMEOUT`` seconds to answer instead of Prefect's 20. Its first start in
  a new ``PREFECT_HOME`` creates its SQLite database and runs every one of Prefect's schema
  migrations, then registers its block types: 35 s on one loaded core of our 2-core
  machine (17 s for a later start), which failed the README's first command.
"""

import os

# Generous: a server that never answers is rare (its own errors are printed as it exits),
# a slow first start on a small, busy machine is not.
EPHEMERAL_STARTUP_TIMEOUT = 300

os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault(
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", str(EPHEMERAL_STARTUP_TIMEOUT)
)
