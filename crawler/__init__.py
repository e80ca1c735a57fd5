"""HTTP for diplowatch: politeness, robots.txt, retries, conditional GET, WARC archive/replay.

Public API::

    from crawler import Crawler, CrawlerConfig, FetchError

    async with Crawler(CrawlerConfig(user_agent="diplowatch/0.1 (+contact)")) as crawler:
        fetched = await crawler.fetch(url, etag=..., last_modified=...)
"""

from crawler.client import Crawler
from crawler.config import DEFAULT_ACCEPT, CrawlerConfig
from crawler.errors import FetchError, FetchErrorReason
from crawler.exchange import is_textual, parse_retry_after
from crawler.politeness import HostGate
from crawler.robots import RobotsCache, RobotsRules
from crawler.transport import HostMap, HostMapTransport
from crawler.warc import REPLAY_HEADER, ReplayTransport, WarcArchive

__all__ = [
    "DEFAULT_ACCEPT",
    "REPLAY_HEADER",
    "Crawler",
    "CrawlerConfig",
    "FetchError",
    "FetchErrorReason",
    "HostGate",
    "HostMap",
    "HostMapTransport",
    "ReplayTransport",
    "RobotsCache",
    "RobotsRules",
    "WarcArchive",
    "is_textual",
    "parse_retry_after",
]
