"""One module per ``diplowatch`` command; each exposes ``register(subcommands)``."""
