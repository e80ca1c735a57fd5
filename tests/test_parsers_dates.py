"""Dates as outlets write them → timezone-aware datetimes; never in the future."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from parsers.dates import FUTURE_TOLERANCE, parse_date

NOW = datetime(2026, 3, 8, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        # visible Vietnamese datelines (day before month; no zone means Vietnam time)
        ("Thứ hai, 29/9/2025, 17:30 (GMT+7)", "2025-09-29T17:30:00+07:00"),
        ("07:53 - Thứ Năm, 01/02/2024", "2024-02-01T07:53:00+07:00"),
        ("01/03/2026 09:51", "2026-03-01T09:51:00+07:00"),
        ("29/09/2025 17:30 GMT+7", "2025-09-29T17:30:00+07:00"),
        ("Thứ bảy, 07/03/2026 - 08:07", "2026-03-07T08:07:00+07:00"),
        ("  01/03/2026\n      09:51  ", "2026-03-01T09:51:00+07:00"),
        ("- 07/03/2026 08:47", "2026-03-07T08:47:00+07:00"),
        ("7-3-2026 8h05", "2026-03-07T08:05:00+07:00"),
        ("01/03/2026", "2026-03-01T00:00:00+07:00"),
        # ISO 8601 from JSON-LD and meta tags
        ("2026-03-07T00:05:00+07:00", "2026-03-07T00:05:00+07:00"),
        ("2026-03-07T08:52:11.000 +07:00", "2026-03-07T08:52:11+07:00"),
        ("2026-03-07T00:01:00", "2026-03-07T00:01:00+07:00"),
        ("2026-03-07 08:07", "2026-03-07T08:07:00+07:00"),
        ("2026-03-07T01:05:00Z", "2026-03-07T01:05:00+00:00"),
        ("2026-03-07T01:05:00+0000", "2026-03-07T01:05:00+00:00"),
    ],
)
def test_accepted_forms(text: str, iso: str) -> None:
    moment = parse_date(text, now=NOW)
    assert moment is not None and moment.tzinfo is not None
    assert moment.isoformat() == iso


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        None,
        "Trang chủ",
        "31/02/2026 10:00",
        "2026-13-01",
        "0001-01-01T00:00:00",
        "1970-01-01T00:00:00Z",
    ],
)
def test_unparseable_impossible_or_placeholder_dates_are_none(text: str | None) -> None:
    assert parse_date(text, now=NOW) is None


def test_future_dates_are_rejected_beyond_a_small_tolerance() -> None:
    just_after = NOW + FUTURE_TOLERANCE - timedelta(minutes=1)
    too_late = NOW + FUTURE_TOLERANCE + timedelta(minutes=1)
    assert parse_date(just_after.isoformat(), now=NOW) == just_after
    assert parse_date(too_late.isoformat(), now=NOW) is None
    assert parse_date("01/01/2031 08:00", now=NOW) is None


def test_without_now_the_clock_is_used() -> None:
    assert parse_date("01/01/2999") is None
    assert parse_date("01/01/2020") is not None
