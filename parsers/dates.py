"""Dates as Vietnamese outlets write them, always returned timezone-aware.

Accepted forms (times without a zone are Asia/Ho_Chi_Minh, the outlets' own clock):

- ISO 8601 from JSON-LD and meta tags: ``2026-03-07T00:05:00+07:00``,
  ``2026-03-07T08:52:11.000 +07:00``, ``2026-03-07T00:01:00`` (naive), ``2026-03-07 08:07``,
  ``2026-03-07T01:05:00Z``;
- visible Vietnamese datelines, day before month: ``Thứ hai, 29/9/2025, 17:30 (GMT+7)``,
  ``07:53 - Thứ Năm, 01/02/2024``, ``01/03/2026 09:51``, ``29/09/2025 17:30 GMT+7``,
  ``07/03/2026 - 08:47``, ``7-3-2026 8h05``.

A date more than ``FUTURE_TOLERANCE`` after ``now`` is rejected (None): a page cannot have been
published after we fetched it, so such a value is a template default or a typo.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from functools import lru_cache

from records import VIETNAM_TZ

FUTURE_TOLERANCE = timedelta(minutes=10)
EARLIEST_YEAR = 1990  # older "dates" are template defaults (0001-01-01, 1970-01-01)

_ISO = re.compile(
    r"(?P<y>\d{4})-(?P<mo>\d{1,2})-(?P<d>\d{1,2})"
    r"(?:[T ]+(?P<h>\d{1,2}):(?P<mi>\d{2})(?::(?P<s>\d{2})(?:[.,]\d+)?)?)?"
    r"\s*(?P<tz>Z|[+-]\d{2}:?\d{2}\b)?",
    re.IGNORECASE,
)
_DMY = re.compile(r"(?<!\d)(?P<d>\d{1,2})[/.-](?P<mo>\d{1,2})[/.-](?P<y>\d{4})(?!\d)")
_TIME = re.compile(r"(?<![\d/.-])(?P<h>\d{1,2})\s*[:hg]\s*(?P<mi>\d{2})(?::(?P<s>\d{2}))?(?!\d)")
_ZONE = re.compile(r"\b(?:GMT|UTC)\s*(?P<sign>[+-])\s*(?P<h>\d{1,2})(?::?(?P<mi>\d{2}))?\b", re.I)


MAX_OFFSET = timedelta(hours=14)  # UTC-12 to UTC+14: the offsets clocks actually use


@lru_cache(maxsize=64)
def _offset(text: str) -> tzinfo | None:
    """The zone of "Z", "+07:00" or "+0700"; None for an impossible offset ("+99:00")."""
    if text.upper() == "Z":
        return UTC
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    return _zone(sign, int(digits[:2]), int(digits[2:4] or 0))


def _zone(sign: int, hours: int, minutes: int) -> tzinfo | None:
    delta = timedelta(hours=hours, minutes=minutes)
    if minutes >= 60 or delta > MAX_OFFSET:
        return None
    return timezone(sign * delta)


def _build(
    year: str, month: str, day: str, hour: str | None, minute: str | None,
    second: str | None, zone: tzinfo | None,
) -> datetime | None:
    try:
        moment = datetime(
            int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0),
            tzinfo=zone or VIETNAM_TZ,
        )
    except ValueError:
        return None
    return moment if moment.year >= EARLIEST_YEAR else None


def parse_iso(value: str) -> datetime | None:
    """An ISO 8601 date or date-time at the start of ``value``; naive means Vietnam time."""
    match = _ISO.match(value.strip())
    if match is None:
        return None
    zone = _offset(match["tz"]) if match["tz"] else None
    if match["tz"] and zone is None:
        return None  # an impossible offset: the time cannot be placed
    return _build(match["y"], match["mo"], match["d"], match["h"], match["mi"], match["s"], zone)


def parse_dmy(value: str) -> datetime | None:
    """A visible dateline: day/month/year plus an optional time and GMT offset, anywhere."""
    date = _DMY.search(value)
    if date is None:
        return None
    rest = value[: date.start()] + " " + value[date.end():]
    time = _TIME.search(rest)
    zone_match = _ZONE.search(rest)
    zone: tzinfo | None = None
    if zone_match is not None:
        sign = -1 if zone_match["sign"] == "-" else 1
        # An impossible "GMT+99" is ignored: the dateline's own time is Vietnam time.
        zone = _zone(sign, int(zone_match["h"]), int(zone_match["mi"] or 0))
    return _build(
        date["y"], date["mo"], date["d"],
        time["h"] if time else None, time["mi"] if time else None,
        time["s"] if time else None, zone,
    )


def not_in_future(moment: datetime | None, now: datetime | None = None) -> datetime | None:
    """``moment`` unless it lies more than FUTURE_TOLERANCE after ``now`` (default: the clock)."""
    if moment is None:
        return None
    now = now or datetime.now(UTC)
    if now.tzinfo is None:
        now = now.replace(tzinfo=VIETNAM_TZ)
    return None if moment > now + FUTURE_TOLERANCE else moment


def parse_date(value: str | None, *, now: datetime | None = None) -> datetime | None:
    """Any accepted form (see the module docstring) as an aware datetime, or None.

    None also when the value is in the future relative to ``now``.
    """
    if not value or not value.strip():
        return None
    text = value.strip()
    moment = parse_iso(text) if re.match(r"\d{4}-\d{1,2}-\d{1,2}", text) else parse_dmy(text)
    return not_in_future(moment, now)
