"""Weekly charts, drawn on the server as SVG, and the same numbers as CSV. Pure.

A story counts in the week (Monday to Sunday, Asia/Ho_Chi_Minh) of its first article, once
for each of its partners (by partner) and once under its event kind (by event); the database
counts (``storage.archive.story_weeks``), this module draws. The SVG has
no script and no external reference; colours are CSS classes (``s0``…``s7``) whose palette
(``CHART_STYLE``) follows ``prefers-color-scheme``: the page's stylesheet carries it, and a
standalone ``.svg`` embeds it. Every label is escaped.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from markupsafe import escape

from digest.labels import EVENT_LABELS, partner_name
from records import EVENT_KINDS, VIETNAM_TZ

__all__ = [
    "CHART_STYLE",
    "Weekly",
    "by_event",
    "by_partner",
    "csv_text",
    "line_svg",
    "stacked_svg",
    "week_of",
    "weeks_between",
]

TOP_OTHERS = 5
NO_EVENT = "none"
WIDTH = 420
LEFT, RIGHT, TOP, AXIS = 30, 10, 10, 180  # plot box: x from LEFT, y from TOP to AXIS

CHART_STYLE = """
.chart{--c0:#0b57d0;--c1:#c2410c;--c2:#15803d;--c3:#7e22ce;--c4:#b91c1c;--c5:#0e7490;
--c6:#a16207;--c7:#4b5563;--ink:#1f2328;--muted:#57606a;--grid:#d0d7de;color:var(--ink)}
@media (prefers-color-scheme: dark){.chart{--c0:#79b8ff;--c1:#fdba74;--c2:#86efac;
--c3:#d8b4fe;--c4:#fca5a5;--c5:#67e8f9;--c6:#fde68a;--c7:#cbd5e1;--ink:#e6edf3;
--muted:#9da7b3;--grid:#30363d}}
.chart text{fill:var(--muted);font:13px -apple-system,'Segoe UI',Roboto,Arial,sans-serif}
.chart .legend text{fill:var(--ink)}
.chart .grid{stroke:var(--grid);stroke-width:1}
.chart .line{fill:none;stroke-width:2.2;stroke-linejoin:round}
""" + "".join(
    f".chart .s{i}{{stroke:var(--c{i})}}.chart .bar.s{i},.chart .sw.s{i}{{fill:var(--c{i})}}"
    for i in range(8)
)


def week_of(moment: datetime) -> date:
    """The Monday of ``moment``'s week in Asia/Ho_Chi_Minh."""
    day = moment.astimezone(VIETNAM_TZ).date()
    return day - timedelta(days=day.weekday())


def weeks_between(first: date, last: date) -> list[date]:
    """The Mondays of every week from ``first``'s to ``last``'s."""
    monday = first - timedelta(days=first.weekday())
    weeks = []
    while monday <= last:
        weeks.append(monday)
        monday += timedelta(days=7)
    return weeks


@dataclass(frozen=True)
class Weekly:
    """Counts per week (``weeks``: Mondays) for each series (key, label, counts)."""

    title: str
    weeks: tuple[date, ...]
    series: tuple[tuple[str, str, tuple[int, ...]], ...]

    @property
    def total(self) -> int:
        return sum(sum(counts) for _, _, counts in self.series)


Counts = Iterable[tuple[date, str, int]]  # (Monday, key, stories): storage.archive


def _count(rows: Counts, weeks: Sequence[date], partners: bool) -> dict[str, Counter[date]]:
    found: dict[str, Counter[date]] = {}
    known = set(weeks)
    for week, key, count in rows:
        name = key.upper() if partners else key or NO_EVENT
        if week in known:
            found.setdefault(name, Counter())[week] += count
    return found


def by_partner(rows: Counts, weeks: Sequence[date], profile_partners: Sequence[str] = ()) -> Weekly:
    """The profile's partners, then the ``TOP_OTHERS`` others with the most stories."""
    counts = _count(rows, weeks, partners=True)
    wanted = [p.upper() for p in profile_partners]
    others = sorted(
        (key for key in counts if key not in wanted), key=lambda k: (-sum(counts[k].values()), k)
    )
    keys = [*wanted, *others[:TOP_OTHERS]]
    series = tuple(
        (key, partner_name(key), tuple(counts.get(key, Counter())[w] for w in weeks))
        for key in keys
    )
    return Weekly("Tin ngoại giao mỗi tuần theo đối tác", tuple(weeks), series)


def by_event(rows: Counts, weeks: Sequence[date]) -> Weekly:
    counts = _count(rows, weeks, partners=False)
    keys = [kind for kind in (*EVENT_KINDS, NO_EVENT) if kind in counts]
    series = tuple(
        (key, EVENT_LABELS.get(key, "Chưa rõ"), tuple(counts[key][w] for w in weeks))
        for key in keys
    )
    return Weekly("Tin ngoại giao mỗi tuần theo loại sự kiện", tuple(weeks), series)


# --------------------------------------------------------------------------- SVG


def _nice_max(value: int) -> int:
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000):
        if value <= step * 4:
            return step * 4
    return ((value // 10000) + 1) * 10000


def _frame(weekly: Weekly, top: int, legend_rows: list[str]) -> list[str]:
    height = AXIS + 30 + 19 * max(1, -(-len(legend_rows) // 2))
    label = f"{weekly.title}: {weekly.total} (tuần đầu {_day(weekly.weeks[0])})"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {WIDTH} {height}"'
        f' role="img" aria-label="{escape(label)}">',
        f"<title>{escape(weekly.title)}</title>",
    ]
    for tick in range(5):
        value = top * tick // 4
        y = AXIS - (AXIS - TOP) * tick / 4
        parts.append(f'<line class="grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}"'
                     f' y2="{y:.1f}"/>')  # fmt: skip
        parts.append(f'<text x="{LEFT - 4}" y="{y + 4:.1f}" text-anchor="end">{value}</text>')
    every = max(1, -(-len(weekly.weeks) // 5))
    for index, week in enumerate(weekly.weeks):
        if index % every == 0:
            x = _x(index, len(weekly.weeks))
            anchor = "end" if x > WIDTH - 30 else "middle"
            parts.append(f'<text x="{x:.1f}" y="{AXIS + 15}" text-anchor="{anchor}">'
                         f"{_day(week)}</text>")  # fmt: skip
    parts.append('<g class="legend">')
    parts += legend_rows
    parts.append("</g>")
    return parts


def _day(day: date) -> str:
    return day.strftime("%d/%m")


def _x(index: int, count: int) -> float:
    span = WIDTH - LEFT - RIGHT
    return LEFT + span * (index + 0.5) / max(count, 1)


def _legend(weekly: Weekly) -> list[str]:
    rows = []
    for index, (_, label, counts) in enumerate(weekly.series):
        column, row = index % 2, index // 2
        x, y = LEFT + column * 190, AXIS + 36 + row * 19
        rows.append(
            f'<rect class="sw s{index % 8}" x="{x}" y="{y - 9}" width="10" height="10"/>'
            f'<text x="{x + 14}" y="{y}">{escape(label[:16])} ({sum(counts)})</text>'
        )
    return rows


def _empty(weekly: Weekly) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {WIDTH} 60"'
        f' role="img" aria-label="{escape(weekly.title)}: 0"><title>{escape(weekly.title)}'
        '</title><text x="10" y="35">Không có tin trong khoảng thời gian này.</text></svg>'
    )


def line_svg(weekly: Weekly) -> str:
    """One line per series over the weeks."""
    if not weekly.weeks or not weekly.total:
        return _empty(weekly)
    top = _nice_max(max(max(counts) for _, _, counts in weekly.series))
    parts = _frame(weekly, top, _legend(weekly))
    count = len(weekly.weeks)
    for index, (_, _, counts) in enumerate(weekly.series):
        points = " ".join(
            f"{_x(i, count):.1f},{AXIS - (AXIS - TOP) * value / top:.1f}"
            for i, value in enumerate(counts)
        )
        parts.append(f'<polyline class="line s{index % 8}" points="{points}"/>')
    parts.append("</svg>")
    return "".join(parts)


def stacked_svg(weekly: Weekly) -> str:
    """One bar per week, stacked by series."""
    if not weekly.weeks or not weekly.total:
        return _empty(weekly)
    count = len(weekly.weeks)
    totals = [sum(counts[i] for _, _, counts in weekly.series) for i in range(count)]
    top = _nice_max(max(totals))
    parts = _frame(weekly, top, _legend(weekly))
    width = max(1.0, (WIDTH - LEFT - RIGHT) / count * 0.8)
    for i in range(count):
        base = 0
        for index, (_, _, counts) in enumerate(weekly.series):
            if not counts[i]:
                continue
            y = AXIS - (AXIS - TOP) * (base + counts[i]) / top
            h = (AXIS - TOP) * counts[i] / top
            parts.append(f'<rect class="bar s{index % 8}" x="{_x(i, count) - width / 2:.1f}"'
                         f' y="{y:.1f}" width="{width:.1f}" height="{h:.1f}"/>')  # fmt: skip
            base += counts[i]
    parts.append("</svg>")
    return "".join(parts)


def standalone(svg: str) -> str:
    """An SVG document of its own: the palette embedded (dark mode included)."""
    head = '<?xml version="1.0" encoding="utf-8"?>\n'
    return head + svg.replace("<title>", f"<style>{CHART_STYLE}</style><title>", 1)


# --------------------------------------------------------------------------- CSV


def csv_text(weekly: Weekly) -> str:
    """``week,<key>,<key>,…`` then one row per week (Monday, ISO); keys are partner codes or
    event kinds, so no cell can start a spreadsheet formula."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["week", *(_cell(key) for key, _, _ in weekly.series)])
    for i, week in enumerate(weekly.weeks):
        writer.writerow([week.isoformat(), *(counts[i] for _, _, counts in weekly.series)])
    return out.getvalue()


def _cell(text: str) -> str:
    """A header cell that a spreadsheet will not read as a formula."""
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
