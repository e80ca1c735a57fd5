"""``diplowatch outlets --probe``: every outcome against the local probe site, the judging
rules on their own, what is recorded, the operator's mail, and the registry's provenance."""

from __future__ import annotations

import asyncio
import itertools
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from flows.cli import main
from flows.probe_report import (
    EndpointProbe,
    OutletProbe,
    changes,
    judge_endpoint,
    outlet_status,
    render_probe_mail,
    report_lines,
)
from flows.probing import mail_probe_report, probe_outlets, record_probes
from parsers.provenance import SOURCE_PROVENANCE, provenance
from parsers.registry import OUTLETS
from storage.db import Database
from storage.probes import source_rows
from tests.probe_site import (
    ALL,
    DEAD,
    EMPTY,
    FORBIDDEN,
    FOREIGN,
    FRESH,
    LIVE,
    REFUSED,
    ROBOTS,
    STALE,
    UA,
    ProbeSite,
    probe_site,
)
from tests.smtp_server import RecordingHandler, parse

__all__ = ["probe_site"]

NOW = datetime(2026, 12, 7, 0, 0, tzinfo=UTC)


# -- the rules -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "error", "matching", "age_days", "outcome"),
    [
        (200, None, 5, 0.5, "live"),
        (200, None, 5, None, "live"),  # no dates in the items (Báo Chính phủ's quoc-te.rss)
        (200, None, 5, 3.5, "stale"),
        (200, None, 0, 0.5, "empty"),
        (None, "robots", None, None, "blocked"),
        (403, "status", None, None, "blocked"),
        (429, "status", None, None, "blocked"),
        (404, "status", None, None, "dead"),
        (500, "status", None, None, "dead"),
        (None, "timeout", None, None, "dead"),
        (None, "network", None, None, "dead"),
        (301, "too-many-redirects", None, None, "dead"),
        (301, "foreign-redirect", None, None, "dead"),
    ],
)
def test_a_source_is_judged_by_its_answer(
    status: int | None, error: str | None, matching: int | None, age_days: float | None,
    outcome: str,
) -> None:
    newest = None if age_days is None else NOW - timedelta(days=age_days)
    judged = judge_endpoint(status=status, error=error, matching=matching, newest_at=newest,
                            now=NOW)  # fmt: skip
    assert judged == outcome


def endpoint(outcome: Any, url: str = "https://a.vn/rss") -> EndpointProbe:
    return EndpointProbe("a", "feed", url, "DTW-2026-07", outcome=outcome)


@pytest.mark.parametrize(
    ("outcomes", "status"),
    [
        (["dead", "stale", "live"], "live"),
        (["dead", "stale", "blocked"], "stale"),
        (["dead", "blocked", "empty"], "blocked"),
        (["dead", "empty"], "dead"),
        ([], "dead"),
    ],
)
def test_an_outlet_is_live_when_one_source_is(outcomes: list[str], status: str) -> None:
    assert outlet_status([endpoint(o) for o in outcomes]) == status


def test_changes_name_each_source_whose_outcome_moved() -> None:
    probe = OutletProbe("a", (endpoint("live", "https://a.vn/1"), endpoint("dead", "https://a.vn/2")),
                        None)  # fmt: skip
    assert changes({"https://a.vn/1": "live", "https://a.vn/2": "live"}, [probe]) == [
        "a feed https://a.vn/2: live -> dead"
    ]
    assert changes({}, [probe])[0] == "a feed https://a.vn/1: never probed -> live"
    mail = render_probe_mail([probe], changes({}, [probe]))
    assert "2 changes" in mail.subject and "every outlet live" in mail.subject
    assert "a: live (1 live, 1 dead)" in mail.text


def test_every_registry_source_says_where_it_came_from_and_when() -> None:
    urls = {url for o in OUTLETS for url in (*o.feeds, *o.sitemaps, *o.listing_pages)}
    assert urls == set(SOURCE_PROVENANCE)
    for url in urls:
        evidence = provenance(url)
        assert evidence.label and (evidence.year == 0 or 2017 <= evidence.year <= 2026), url
    assert str(provenance("https://vnexpress.net/rss/the-gioi.rss")) == "DTW-2026-07 (60 items)"
    assert provenance("https://vietnamnet.vn/the-gioi.rss").label == "local 2026-03"
    assert provenance("https://elsewhere.vn/rss").label == "unknown"


# -- against the probe site ------------------------------------------------------------------


def by_url(probes: list[OutletProbe]) -> dict[str, EndpointProbe]:
    return {e.url: e for probe in probes for e in probe.endpoints}


def test_the_probe_reports_every_outcome_against_the_local_site(probe_site: ProbeSite) -> None:
    probe_site.serve_all()
    settings = probe_site.settings()
    probes = asyncio.run(probe_outlets(ALL, settings))
    status = {probe.key: probe.status for probe in probes}
    assert status == {"songmoi": "live", "baocu": "stale", "baochet": "dead", "baotat": "dead",
                      "baocam": "blocked", "bao403": "blocked", "baokhac": "dead"}  # fmt: skip
    found = by_url(probes)

    feed = found[LIVE.feeds[0]]
    assert (feed.outcome, feed.status, feed.items, feed.matching) == ("live", 200, 2, 2)
    assert feed.newest_at == max(page.published_at for page in FRESH)
    moved = found[LIVE.feeds[1]]  # a 301 to the first feed: its final URL is reported
    assert (moved.outcome, moved.final_url) == ("live", LIVE.feeds[0])
    index = found[LIVE.sitemaps[0]]
    assert (index.outcome, index.items, index.matching) == ("live", 2, 2)
    assert index.detail and "read https://songmoi.vn/sitemaps/news-1.xml" in index.detail
    assert (found[LIVE.listing_pages[0]].outcome, found[LIVE.listing_pages[0]].items) == ("live", 2)

    assert found[STALE.feeds[0]].outcome == "stale"
    dead = {url: (found[url].outcome, found[url].status) for url in (*DEAD.feeds, *DEAD.sitemaps,
                                                                     *DEAD.listing_pages)}
    assert dead == {
        "https://baochet.vn/rss/404.rss": ("dead", 404),
        "https://baochet.vn/rss/500.rss": ("dead", 500),
        "https://baochet.vn/rss/cham.rss": ("dead", None),
        "https://baochet.vn/rss/html.rss": ("dead", 200),
        "https://baochet.vn/sitemap.xml": ("dead", 301),
        "https://baochet.vn/vong-lap": ("dead", 301),
    }  # fmt: skip
    assert "timed out" in (found["https://baochet.vn/rss/cham.rss"].detail or "")
    assert "not an RSS or Atom feed" in (found["https://baochet.vn/rss/html.rss"].detail or "")
    assert "outside the allowed domains" in (found[DEAD.sitemaps[0]].detail or "")
    assert "too many redirects" in (found[DEAD.listing_pages[0]].detail or "")
    assert "network error" in (found[REFUSED.feeds[0]].detail or "")
    assert (found[ROBOTS.feeds[0]].outcome, found[ROBOTS.feeds[0]].detail) == (
        "blocked", "disallowed by robots.txt")
    assert (found[FORBIDDEN.feeds[0]].outcome, found[FORBIDDEN.feeds[0]].status) == ("blocked", 403)
    empty = found[EMPTY.feeds[0]]
    assert (empty.outcome, empty.items, empty.matching, empty.share) == ("empty", 2, 0, 0.0)

    articles = {probe.key: probe.article for probe in probes}
    live = articles["songmoi"]
    assert live is not None and live.ok and live.url == f"https://songmoi.vn{FRESH[0].path}"
    assert live.method == "generic" and live.words > 40
    assert live.published_at == FRESH[0].published_at
    assert articles["baocu"] is not None and articles["baocu"].ok  # stale still reads
    assert articles["baochet"] is None and articles["baokhac"] is None

    requests = probe_site.server.requests
    assert {r.headers["user-agent"] for r in requests} == {UA}
    assert not probe_site.server.requests_to("baocam.vn", "/rss/moi.rss")  # robots obeyed
    assert not probe_site.server.requests_to(FOREIGN)  # never leaves the outlet's hosts
    assert len(probe_site.server.requests_to("baochet.vn", "/rss/500.rss")) == 1  # asked once

    lines = report_lines(probes)
    assert len(lines) == sum(len(p.endpoints) + 2 for p in probes)  # sources, article, summary
    assert "songmoi: live (4 live)" in lines
    assert any(line.startswith("songmoi") and "-> https://songmoi.vn/rss/moi.rss" in line
               for line in lines)  # fmt: skip


def test_the_outlets_delay_spaces_the_probes_requests(probe_site: ProbeSite) -> None:
    probe_site.serve_live()
    settings = probe_site.settings(outlet_delays={"songmoi": 0.3})
    asyncio.run(probe_outlets([LIVE], settings))
    times = [r.time for r in probe_site.server.requests_to("songmoi.vn")]
    assert len(times) >= 7
    assert min(b - a for a, b in itertools.pairwise(times)) >= 0.29


def test_the_command_prints_the_table_records_it_and_fails_when_an_outlet_is_not_live(
    probe_site: ProbeSite, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    host = "vnexpress.net"
    vnexpress = next(o for o in OUTLETS if o.key == "vnexpress")
    server = probe_site.server
    server.add(host, "/robots.txt", "User-agent: *\nAllow: /\n", content_type="text/plain")
    page = FRESH[0]
    server.add(host, "/rss/the-gioi.rss", probe_site_feed(host), content_type="application/rss+xml")
    server.add(host, page.path, probe_article(host))
    probe_site.apply(host_map=server.host_map(host, f"*.{host}"),
                     politeness={"min_delay_seconds": 0.0, "outlet_delays": {"vnexpress": 0.0},
                                 "timeout_seconds": 1.0})  # fmt: skip
    db = f"sqlite:///{tmp_path / 'probe.db'}"
    assert main(["outlets", "--probe", "--outlet", "vnexpress", "--db", db]) == 0
    out, err = capsys.readouterr()
    lines = out.splitlines()
    assert len(lines) == len(vnexpress.feeds) + len(vnexpress.sitemaps) + len(
        vnexpress.listing_pages) + 2
    assert lines[-1].startswith("vnexpress: live (1 live,")
    assert "[DTW-2026-07 (60 items)]" in next(line for line in lines if "the-gioi.rss" in line)
    assert "1 of 1 outlets live" in err

    assert main(["outlets", "--json", "--db", db]) == 0
    [row] = [r for r in map(json.loads, capsys.readouterr().out.splitlines())
             if r["key"] == "vnexpress"]  # fmt: skip
    sources = {s["url"]: s for s in row["sources"]}
    world = sources["https://vnexpress.net/rss/the-gioi.rss"]
    assert (world["provenance"], world["outcome"]) == ("DTW-2026-07", "live")
    assert world["last_seen_at"] is not None and world["failing_since"] is None
    gone = sources["https://vnexpress.net/rss/thoi-su.rss"]
    assert gone["outcome"] == "dead" and gone["last_seen_at"] is None and gone["failing_since"]
    assert main(["outlets", "--db", db]) == 0
    table = capsys.readouterr().out
    assert "DTW-2026-07" in table and "last seen" in table

    server.remove(host, "/rss/the-gioi.rss")
    assert main(["outlets", "--probe", "--outlet", "vnexpress", "--json", "--db", db]) == 1
    out, err = capsys.readouterr()
    [report] = [json.loads(line) for line in out.splitlines()]
    assert report["status"] == "dead" and report["article"] is None
    assert "not live: vnexpress" in err and "1 sources changed" in err


def probe_site_feed(host: str) -> str:
    from tests.site import rss_feed

    return rss_feed(host, [FRESH[0]])


def probe_article(host: str) -> str:
    from tests.site import article_html

    return article_html(host, FRESH[0])


def test_an_unknown_outlet_to_probe_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["outlets", "--probe", "--outlet", "nosuchpaper"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "nosuchpaper" in err


# -- the record and the mail -----------------------------------------------------------------


def test_the_operator_is_mailed_the_table_only_when_something_changed(
    probe_site: ProbeSite, smtp_server: tuple[RecordingHandler, Any], tmp_path: Path
) -> None:
    handler, smtp = smtp_server
    probe_site.serve_live()
    probe_site.settings()
    probe_site.apply(smtp={"host": smtp.host, "port": smtp.port, "security": "none"},
                     alerts={"recipients": ["ops@example.org"]})  # fmt: skip
    from flows.settings import get_settings

    settings = get_settings()
    db = Database(f"sqlite:///{tmp_path / 'probe.db'}")
    try:
        first = asyncio.run(probe_outlets([LIVE], settings))
        changed = record_probes(db, first)
        assert len(changed) == 4  # never probed before
        assert mail_probe_report(first, changed, settings) is not None

        again = asyncio.run(probe_outlets([LIVE], settings))
        assert record_probes(db, again) == []
        assert mail_probe_report(again, [], settings) is None  # nothing changed: no mail

        probe_site.server.remove("songmoi.vn", "/the-gioi")
        third = asyncio.run(probe_outlets([LIVE], settings))
        changed = record_probes(db, third)
        assert changed == ["songmoi listing https://songmoi.vn/the-gioi: live -> dead"]
        assert mail_probe_report(third, changed, settings) is not None
        with db.session() as session:
            rows = source_rows(session)
        listing = rows["https://songmoi.vn/the-gioi"]
        assert listing.outcome == "dead" and listing.status == 404
        assert listing.failing_since is not None and listing.last_seen_at is not None
        assert rows[LIVE.feeds[0]].failing_since is None
    finally:
        db.dispose()
    first_mail, second_mail = (parse(raw) for _, _, raw in handler.envelopes)
    assert all(rcpt == ["ops@example.org"] for _, rcpt, _ in handler.envelopes)
    assert "4 changes" in first_mail["Subject"]
    text = second_mail.get_body(("plain",))
    assert text is not None
    body = text.get_content()
    assert "songmoi listing https://songmoi.vn/the-gioi: live -> dead" in body
    assert "songmoi: live (3 live, 1 dead)" in body


@pytest.mark.prefect
def test_the_weekly_probe_flow_mails_the_table_when_something_changed(
    prefect_harness: object,
    probe_site: ProbeSite,
    smtp_server: tuple[RecordingHandler, Any],
) -> None:
    from flows.probe import probe

    host = "vnexpress.net"
    server = probe_site.server
    server.add(host, "/robots.txt", "User-agent: *\nAllow: /\n", content_type="text/plain")
    server.add(host, "/rss/the-gioi.rss", probe_site_feed(host), content_type="application/rss+xml")
    server.add(host, FRESH[0].path, probe_article(host))
    handler, smtp = smtp_server
    probe_site.apply(
        host_map=server.host_map(host, f"*.{host}"),
        politeness={"min_delay_seconds": 0.0, "outlet_delays": {"vnexpress": 0.0},
                    "timeout_seconds": 1.0},
        smtp={"host": smtp.host, "port": smtp.port, "security": "none"},
        alerts={"recipients": ["ops@example.org"]},
    )  # fmt: skip
    [first] = asyncio.run(probe(outlets=["vnexpress"]))
    assert first["status"] == "live" and first["article"]["ok"]
    [again] = asyncio.run(probe(outlets=["vnexpress"]))  # nothing changed: no second mail
    assert again["status"] == "live"
    [(_, recipients, raw)] = handler.envelopes
    assert recipients == ["ops@example.org"]
    message = parse(raw)
    assert "outlet probe" in message["Subject"]
    text = message.get_body(("plain",))
    assert text is not None and "vnexpress: live" in text.get_content()


def test_the_probe_command_needs_no_prefect() -> None:
    import subprocess
    import sys

    code = ("import sys, flows.cli, flows.commands.probe, flows.probing, flows.deadsources; "
            "sys.exit('prefect' in sys.modules)")  # fmt: skip
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0
