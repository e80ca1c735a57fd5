"""Crawler settings."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["DEFAULT_ACCEPT", "CrawlerConfig"]

DEFAULT_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@dataclass
class CrawlerConfig:
    """How the crawler behaves. Only ``user_agent`` is required.

    ``host_map`` sends requests for a host elsewhere (plain http), keeping the ``Host`` header:
    keys are exact host names (``"vnexpress.net"``) or wildcards (``"*.vnexpress.net"``, which
    match subdomains but not the bare domain); values are ``"127.0.0.1:8765"`` (or
    ``"http://127.0.0.1:8765"``). Used by tests and staging mirrors.

    ``warc_dir`` archives every exchange into one gzip WARC per crawler lifetime.
    ``replay_warcs`` answers every request from those WARC files, never from the network (no
    archive is written and no delays are applied).
    """

    user_agent: str
    default_min_delay_seconds: float = 1.0  # per host, between request starts
    max_connections_per_host: int = 2
    timeout_seconds: float = 20.0  # read/write/pool timeout; also caps a whole attempt
    connect_timeout_seconds: float = 10.0
    max_body_bytes: int = 15_000_000  # after content decoding
    max_redirects: int = 5
    max_retries: int = 2  # extra attempts after the first
    backoff_seconds: float = 1.0  # first retry wait; doubles each retry, with jitter
    max_retry_after_seconds: float = 120.0
    respect_robots: bool = True
    host_map: dict[str, str] = field(default_factory=dict)
    warc_dir: Path | None = None
    replay_warcs: tuple[Path, ...] = ()
    accept_language: str = "vi,en;q=0.8"
    robots_max_bytes: int = 512_000  # larger robots.txt files are truncated (as Google does)
    # Private, loopback, link-local and reserved addresses are refused (checked on the
    # resolved address) unless this is set; hosts in ``host_map`` are never checked.
    allow_private_addresses: bool = False

    def __post_init__(self) -> None:
        if not self.user_agent.strip():
            raise ValueError("CrawlerConfig.user_agent must not be empty")
        if self.max_connections_per_host < 1:
            raise ValueError("max_connections_per_host must be at least 1")
        if self.max_retries < 0 or self.max_redirects < 0:
            raise ValueError("max_retries and max_redirects must not be negative")
        if self.warc_dir is not None:
            self.warc_dir = Path(self.warc_dir)
        self.replay_warcs = tuple(Path(p) for p in self.replay_warcs)
