"""Query-string parameters, checked: anything malformed is a 400 with a plain reason.

Every value is taken once (a repeated parameter is refused), cut to a sane length, cleaned
of control and bidi characters (``digest.labels.clean_text``) and checked against what the
archive can hold: dates are YYYY-MM-DD, pages small positive integers, partners short
letter codes, events one of ``records.EVENT_KINDS``, outlets registry keys.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from starlette.datastructures import QueryParams

from digest.labels import clean_text
from parsers.registry import OUTLETS
from records import EVENT_KINDS, VIETNAM_TZ

__all__ = [
    "MAX_PAGE",
    "BadRequestError",
    "DayRange",
    "Params",
    "day_start",
]

MAX_PAGE = 10_000
MAX_TEXT = 300
_PARTNER = re.compile(r"^[A-Za-z]{2,5}$")
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
OUTLET_KEYS = frozenset(outlet.key for outlet in OUTLETS)


class BadRequestError(ValueError):
    """A query string the pages cannot serve; the message is shown to the reader."""


def day_start(day: date) -> datetime:
    """00:00 Asia/Ho_Chi_Minh of ``day``, in UTC."""
    return datetime.combine(day, time(0), VIETNAM_TZ).astimezone(UTC)


@dataclass(frozen=True)
class DayRange:
    """Days ``first`` to ``last`` (both included) in Asia/Ho_Chi_Minh."""

    first: date
    last: date

    @property
    def start(self) -> datetime:
        return day_start(self.first)

    @property
    def end(self) -> datetime:
        return day_start(self.last + timedelta(days=1))


class Params:
    """The query string of one request, read one checked value at a time."""

    def __init__(self, query: QueryParams) -> None:
        self._query = query

    def text(self, name: str, *, limit: int = MAX_TEXT) -> str | None:
        values = self._query.getlist(name)
        if len(values) > 1:
            raise BadRequestError(f"tham số {name} chỉ được dùng một lần")
        if not values:
            return None
        if len(values[0]) > limit:
            raise BadRequestError(f"tham số {name} quá dài (tối đa {limit} ký tự)")
        cleaned = clean_text(unicodedata.normalize("NFC", values[0]))
        return cleaned or None

    def day(self, name: str) -> date | None:
        value = self.text(name, limit=10)
        if value is None:
            return None
        try:
            if not _DAY.match(value):
                raise ValueError(value)
            day = date.fromisoformat(value)
        except ValueError:
            raise BadRequestError(f"{name}: ngày phải có dạng YYYY-MM-DD") from None
        if not 2000 <= day.year <= 2100:
            raise BadRequestError(f"{name}: năm phải trong khoảng 2000–2100")
        return day

    def page(self) -> int:
        value = self.text("page", limit=6)
        if value is None:
            return 1
        if not value.isdigit() or not 1 <= int(value) <= MAX_PAGE:
            raise BadRequestError(f"page: số trang từ 1 đến {MAX_PAGE}")
        return int(value)

    def partner(self, name: str = "partner") -> str | None:
        value = self.text(name, limit=5)
        if value is None:
            return None
        return checked_partner(value)

    def event(self) -> str | None:
        value = self.text("event", limit=20)
        if value is not None and value not in EVENT_KINDS:
            raise BadRequestError(f"event: một trong {', '.join(EVENT_KINDS)}")
        return value

    def outlet(self) -> str | None:
        value = self.text("outlet", limit=64)
        if value is not None and value not in OUTLET_KEYS:
            raise BadRequestError("outlet: không có báo này trong danh sách")
        return value

    def flag(self, name: str) -> bool:
        value = self.text(name, limit=5)
        if value in (None, "0", "false", "off"):
            return False
        if value in ("1", "true", "on"):
            return True
        raise BadRequestError(f"{name}: 1 hoặc 0")

    def day_range(self, default_last: date, default_days: int) -> DayRange:
        """``from`` and ``to`` (both optional); at most ten years."""
        last = self.day("to") or default_last
        first = self.day("from") or last - timedelta(days=default_days - 1)
        if first > last:
            raise BadRequestError("from phải trước to")
        if (last - first).days > 3660:
            raise BadRequestError("khoảng thời gian tối đa mười năm")
        return DayRange(first, last)


def checked_partner(value: str) -> str:
    if not _PARTNER.match(value):
        raise BadRequestError("đối tác: mã 2–5 chữ cái (US, JP, ASEAN, EU, UN…)")
    return value.upper()
