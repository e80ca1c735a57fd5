"""Story alert rules, the alert message and the apprise channel, without a database.

The rules (``digest.alert_rules``) are specified on constructed stories; the message
(``digest.alert_render``) on a hostile story; the chat channel (``digest.notify``) against a
real HTTP server on 127.0.0.1 standing in for a JSON webhook (apprise's ``json://`` URL).
"""

from __future__ import annotations

import json
import time
from datetime import datetime, timedelta

import pytest

from digest.alert_render import render_alert
from digest.alert_rules import (
    DEFAULT_RULES,
    AlertRule,
    QuietHours,
    StoryFacts,
    concerns_profile,
    decide,
    matching_rules,
    story_facts,
)
from digest.model import Coverage, DigestStory
from digest.notify import describe_url, notify_chat
from digest.send import SendError
from records import VIETNAM_TZ, Person
from tests.http_server import LocalServer, Reply

T0 = datetime(2026, 12, 4, 10, 0, tzinfo=VIETNAM_TZ)
OUTLETS = ["vnexpress", "tuoitre", "thanhnien", "dantri", "vietnamnet", "nhandan"]


def story(
    *,
    people: tuple[Person, ...] = (Person("Bùi Thanh Sơn", "Phó Thủ tướng"),),
    partners: tuple[str, ...] = ("US",),
    event: str | None = "reception",
    outlets: int = 1,
    spacing: timedelta = timedelta(minutes=20),
    title: str = "Phó Thủ tướng Bùi Thanh Sơn tiếp Đại sứ Hoa Kỳ",
    url: str = "https://vnexpress.net/pho-thu-tuong-tiep-dai-su-hoa-ky-4900001.html",
    lead: str = "Chiều 4/12, Phó Thủ tướng tiếp Đại sứ Hoa Kỳ Marc Knapper.",
) -> DigestStory:
    coverage = tuple(
        Coverage(key, key.title(), f"https://{key}.vn/bai-{i}.html", title, T0 + i * spacing)
        for i, key in enumerate(OUTLETS[:outlets])
    )
    return DigestStory(
        title=title,
        lead=lead,
        url=url,
        outlet_name="VnExpress",
        first_seen_at=T0,
        last_seen_at=coverage[-1].published_at or T0,
        partners=partners,
        event=event,
        people=people,
        topics=("economy-trade-investment",),
        score=0.9,
        coverage=coverage,
        story_id=7,
    )


def names(found: list[object]) -> list[str]:
    return [m.rule.label for m in found]  # type: ignore[attr-defined]


def test_default_rules_alert_a_leader_or_a_call_with_the_us_as_main_partner() -> None:
    assert names(matching_rules(story(), DEFAULT_RULES, ["US"])) == ["leader"]
    general_secretary = (Person("Tô Lâm", "Tổng Bí thư"), Person("Marc Knapper", "Đại sứ"))
    assert names(matching_rules(story(people=general_secretary), DEFAULT_RULES, ["US"])) == [
        "top-leader",
        "leader",
    ]
    minister_call = story(people=(Person("Nguyễn Văn A", "Bộ trưởng Công Thương"),), event="call")
    assert names(matching_rules(minister_call, DEFAULT_RULES, ["US"])) == ["call-visit-agreement"]
    # An ambassador's courtesy call on a vice minister: tomorrow's digest is soon enough.
    envoy = story(people=(Person("Đỗ Hùng Việt", "Thứ trưởng Ngoại giao"),))
    assert matching_rules(envoy, DEFAULT_RULES, ["US"]) == []
    # The US is a party but not the main one (a meeting about Japan that mentions the US).
    assert matching_rules(story(partners=("JP", "US")), DEFAULT_RULES, ["US"]) == []


def test_wide_coverage_counts_outlets_within_the_hours_of_the_first_article() -> None:
    wide = AlertRule(name="wide", min_outlets=4, within_hours=3)
    nobody = (Person("Phóng viên", None),)
    assert names(matching_rules(story(people=nobody, outlets=4), [wide], ["US"])) == ["wide"]
    slow = story(people=nobody, outlets=4, spacing=timedelta(hours=1, minutes=10))
    assert matching_rules(slow, [wide], ["US"]) == []  # the fourth came after 3 h
    assert matching_rules(story(people=nobody, outlets=3), [wide], ["US"]) == []


def test_events_score_and_topics_conditions_and_rule_validation() -> None:
    calls = AlertRule(events=("call", "visit"))
    assert matching_rules(story(event="reception"), [calls], ["US"]) == []
    [found] = matching_rules(story(event="call"), [calls], ["US"])
    assert found.reason == "call/visit: điện đàm"
    assert matching_rules(story(), [AlertRule(min_score=0.95)], ["US"]) == []
    assert matching_rules(story(), [AlertRule(topics=("semiconductors",))], ["US"]) == []
    for bad in ({"events": ("dance",)}, {"within_hours": 3}, {"level": 0}):
        with pytest.raises(ValueError, match=r"event|within_hours|level"):
            AlertRule(**bad)  # type: ignore[arg-type]


def test_a_story_alerts_once_and_sends_one_update_for_a_stronger_rule() -> None:
    first = decide(story(), DEFAULT_RULES, ["US"], {})
    assert first is not None and (first.kind, first.level) == ("alert", 1)
    before = {"alert": (1, story_facts(story()), first.rule_names)}
    assert decide(story(outlets=2), DEFAULT_RULES, ["US"], before) is None  # nothing stronger
    update = decide(story(outlets=5), DEFAULT_RULES, ["US"], before)
    assert update is not None and (update.kind, update.level) == ("update", 2)
    assert "số báo đưa tin: 1 → 5" in update.changes
    assert any(change.startswith("đạt quy tắc wide: 5 báo") for change in update.changes)
    after = {**before, "update": (2, StoryFacts(5, "", ""), update.rule_names)}
    assert decide(story(outlets=6), DEFAULT_RULES, ["US"], after) is None  # one update, ever


def test_the_profile_filter_is_the_digests() -> None:
    assert concerns_profile(story(), ["US"], 0.5, [])
    assert not concerns_profile(story(partners=("JP",)), ["US"], 0.5, [])
    assert concerns_profile(story(partners=("JP",)), [], 0.5, [])
    assert not concerns_profile(story(), ["US"], 0.95, [])
    assert not concerns_profile(story(), ["US"], 0.5, ["semiconductors"])


def test_quiet_hours_hold_alerts_below_the_urgent_level_until_they_end() -> None:
    quiet = QuietHours.parse("22:00-06:00", urgent_level=2)
    night = datetime(2026, 12, 4, 23, 30, tzinfo=VIETNAM_TZ)
    assert quiet.due(night, 1) == datetime(2026, 12, 5, 6, 0, tzinfo=VIETNAM_TZ)
    assert quiet.due(night, 2) == night  # a top leader's call goes out at once
    early = datetime(2026, 12, 5, 5, 0, tzinfo=VIETNAM_TZ)
    assert quiet.due(early, 1) == datetime(2026, 12, 5, 6, 0, tzinfo=VIETNAM_TZ)
    assert quiet.due(T0, 1) == T0
    lunch = QuietHours.parse("12:00-13:30")
    noon = datetime(2026, 12, 4, 12, 15, tzinfo=VIETNAM_TZ)
    assert lunch.due(noon, 1) == datetime(2026, 12, 4, 13, 30, tzinfo=VIETNAM_TZ)
    with pytest.raises(ValueError, match="HH:MM"):
        QuietHours.parse("10pm-6am")


HOSTILE_TITLE = '<script>alert(1)</script>[x](javascript:alert(1)) *Đại sứ*\u202e'


def hostile_story() -> DigestStory:
    return story(
        title=HOSTILE_TITLE,
        url="javascript:alert(document.cookie)",
        lead="<img src=x onerror=alert(1)> Thủ tướng tiếp Đại sứ Hoa Kỳ.\x07",
        people=(Person("<b>X</b>", "Thủ tướng"),),
    )


def test_the_alert_message_says_what_why_and_who_carried_it() -> None:
    decision = decide(story(outlets=3), DEFAULT_RULES, ["US"], {})
    assert decision is not None
    rendered = render_alert(story(outlets=3), "vn-us", reasons=decision.reasons)
    email = rendered.email
    assert email.subject == "BÁO NHANH · vn-us: Phó Thủ tướng Bùi Thanh Sơn tiếp Đại sứ Hoa Kỳ"
    for raw in (email.text, email.html, rendered.markdown):
        part = raw.replace("\\", "")  # Markdown escapes
        assert "Bùi Thanh Sơn (Phó Thủ tướng)" in part
        assert "Hoa Kỳ" in part and "Tiếp" in part
        assert "leader: Bùi Thanh Sơn (Phó Thủ tướng); đối tác chính Hoa Kỳ" in part
        assert "Đưa tin (3 báo)" in part
    assert 'href="https://tuoitre.vn/bai-1.html"' in email.html
    assert "https://thanhnien.vn/bai-2.html" in email.text
    update = render_alert(story(), "vn-us", kind="update", changes=["số báo đưa tin: 1 → 5"])
    assert update.email.subject.startswith("CẬP NHẬT · vn-us: ")
    assert "Có gì mới" in update.email.text and "1 → 5" in update.markdown


def test_hostile_strings_are_escaped_in_the_email_and_the_chat_message() -> None:
    rendered = render_alert(hostile_story(), "vn-us", reasons=["leader: <i>x</i>"])
    html, text, markdown = rendered.email.html, rendered.email.text, rendered.markdown
    assert "<script" not in html and "<img" not in html and "<b>X" not in html
    assert "<i>x" not in html and 'href="javascript' not in html
    assert "&lt;script&gt;" in html
    for part in (html, text, markdown, rendered.email.subject, rendered.title):
        assert "\u202e" not in part and "\x07" not in part
    # Markdown: no live markup from the page (every punctuation escaped, no javascript link).
    assert "<script" not in markdown.replace("\\<script", "")
    assert "](javascript" not in markdown.replace("\\](javascript", "")
    assert "\\*Đại sứ\\*" in markdown


@pytest.fixture
def webhook() -> LocalServer:
    with LocalServer() as server:
        yield server  # type: ignore[misc]


def posts(server: LocalServer) -> list[dict[str, object]]:
    return [json.loads(r.body) for r in server.requests if r.method == "POST"]


def test_apprise_delivers_to_a_json_webhook_and_reports_failures_as_temporary(
    webhook: LocalServer,
) -> None:
    url = f"json://{webhook.address}/hooks/desk?rto=1&cto=1"
    webhook.add_sequence(
        "127.0.0.1",
        "/hooks/desk",
        [Reply(200), Reply(500, "boom"), Reply(200, delay=3), Reply(200)],
    )
    rendered = render_alert(hostile_story(), "vn-us", reasons=["leader"])
    assert notify_chat(url, rendered.title, rendered.markdown) == "JSON"
    [payload] = posts(webhook)
    assert payload["message"] == rendered.markdown.strip() and payload["title"] == rendered.title
    assert "<script" not in str(payload["message"]).replace("\\<script", "")
    with pytest.raises(SendError) as failed:
        notify_chat(url, "t", "m")
    assert failed.value.temporary and "500" in str(failed.value)
    started = time.monotonic()
    with pytest.raises(SendError) as slow:
        notify_chat(url, "t", "m")
    assert slow.value.temporary and time.monotonic() - started < 2.5  # rto=1: no hanging
    with pytest.raises(SendError) as bad:
        notify_chat("nosuchservice://token-abc123@x", "t", "m")
    assert not bad.value.temporary and "token-abc123" not in str(bad.value)


def test_a_webhook_secret_never_appears_in_errors_or_descriptions(webhook: LocalServer) -> None:
    webhook.add("127.0.0.1", "/hooks/desk", "", status=403)
    url = f"json://desk:s3cr3t-pw@{webhook.address}/hooks/desk"
    with pytest.raises(SendError) as failed:
        notify_chat(url, "t", "m")
    assert "s3cr3t-pw" not in str(failed.value)
    assert "s3cr3t-pw" not in describe_url(url) and describe_url(url).startswith("JSON ")
