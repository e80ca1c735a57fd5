"""An archive for the reading room's tests: stories over several weeks, stored and filed
through the real storage functions (the summary by ``flows.stories.refresh_story``).

- 24/11/2026 (the digest window 23/11 07:00 → 24/11 07:00): a reception of the US
  ambassador by the General Secretary carried by 3 outlets; a call between the foreign
  ministers of Vietnam and the US (2 outlets); a Vietnam–Japan visit (1 outlet); a
  Vietnam–US talks story carried by 30 outlets (23 registry outlets and 7 provincial
  papers); a story whose page strings are hostile (markup, bidi overrides, a
  ``javascript:`` URL).
- One story a week for ten weeks before that (US and JP, alternating event kinds).
- A sent digest of ``vn-us`` for 25/11 carrying the reception story, an alert for it
  (mailed); outlet health rows.
- ``bulk_articles``: many non-story articles matching one query (search pagination).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import insert

from flows.stories import refresh_story
from parsers.registry import OUTLETS
from records import VIETNAM_TZ, Article, Person, Verdict
from storage.db import Database
from storage.digests import mark_digest_sent, save_rendered_digest
from storage.models import AlertDeliveryRow, ArticleRow, OutletRow, StoryAlertRow, VerdictRow
from storage.repository import save_verdict, upsert_article
from storage.stories import file_article, save_digest_stories

DAY = datetime(2026, 11, 24, tzinfo=VIETNAM_TZ).date()
NOON = datetime(2026, 11, 23, 12, 0, tzinfo=VIETNAM_TZ)
TO_LAM = Person("Tô Lâm", "Tổng Bí thư")
AMBASSADOR = Person("Marc Knapper", "Đại sứ Hoa Kỳ")
MINISTER = Person("Bùi Thanh Sơn", "Phó Thủ tướng, Bộ trưởng Ngoại giao")
HOSTILE_TITLE = '<script>alert("x")</script> Tin \u202egiả\u202c <b>đậm</b>'
OUTLET_KEYS = [outlet.key for outlet in OUTLETS]
THIRTY = OUTLET_KEYS + [f"baotinh{n}" for n in range(1, 31 - len(OUTLET_KEYS))]


@dataclass
class Archive:
    url: str
    stories: dict[str, int] = field(default_factory=dict)


def _article(key: str, outlet: str, title: str, sapo: str, moment: datetime,
             url: str | None = None) -> Article:  # fmt: skip
    body = (
        f"{sapo} Hai bên trao đổi về quan hệ song phương, hợp tác kinh tế, thương mại, "
        "đầu tư, khoa học công nghệ và giao lưu nhân dân trong thời gian tới.",
        "Hai bên nhất trí tăng cường trao đổi đoàn các cấp và phối hợp tại các diễn đàn "
        "đa phương, trong đó có ASEAN và Liên hợp quốc.",
    )
    return Article(
        outlet=outlet,
        url=url or f"https://{outlet}.example/{key}.html",
        canonical_url=None,
        title=title,
        sapo=sapo,
        paragraphs=body,
        published_at=moment,
        extraction_method="test",
    )


def add_story(
    db: Database,
    name: str,
    outlets: list[str],
    title: str,
    verdict: Verdict,
    moment: datetime,
    *,
    url: str | None = None,
) -> int:
    """Store one article per outlet (a minute apart) and file them all in one story."""
    with db.session() as session:
        story_id: int | None = None
        for number, outlet in enumerate(outlets):
            when = moment + timedelta(minutes=number)
            sapo = f"Sáng {when.day}/{when.month}, tin: {title}."
            article = _article(f"{name}-{number}", outlet, title, sapo, when,
                               url if number == 0 else None)  # fmt: skip
            article_id = upsert_article(
                session, article, url_key=f"{outlet}.example/{name}-{number}", fetched_at=when
            )
            save_verdict(session, article_id, verdict)
            story_id = file_article(
                session, article_id, story_id=story_id, moment=when, signature=b"",
                shingle_count=0, keys=[], similarity=1.0, model_version="test", title=title,
            )  # fmt: skip
        assert story_id is not None
        refresh_story(session, story_id)
        return story_id


def verdict(partners: tuple[str, ...], event: str, *people: Person, score: float = 0.9,
            topics: tuple[str, ...] = ("economy-trade-investment",)) -> Verdict:  # fmt: skip
    return Verdict(
        is_diplomacy=True, score=score, partners=partners, event=event,  # type: ignore[arg-type]
        topics=topics, people=people,
        evidence=(f"tiêu đề: {event}", "đối tác: " + ", ".join(partners)),
        model_version="rules-test",
    )  # fmt: skip


def build_archive(url: str) -> Archive:
    db = Database(url)
    archive = Archive(url)
    try:
        s = archive.stories
        s["reception"] = add_story(
            db, "reception", ["vnexpress", "tuoitre", "baochinhphu"],
            "Tổng Bí thư Tô Lâm tiếp Đại sứ Hoa Kỳ Marc Knapper",
            verdict(("US",), "reception", TO_LAM, AMBASSADOR), NOON,
        )  # fmt: skip
        s["call"] = add_story(
            db, "call", ["vietnamnet", "dantri"],
            "Bộ trưởng Ngoại giao điện đàm với Ngoại trưởng Hoa Kỳ",
            verdict(("US",), "call", MINISTER), NOON + timedelta(hours=3),
        )  # fmt: skip
        s["japan"] = add_story(
            db, "japan", ["nld"], "Thủ tướng Nhật Bản thăm chính thức Việt Nam",
            verdict(("JP",), "visit", Person("Ishiba Shigeru", "Thủ tướng Nhật Bản")),
            NOON + timedelta(hours=1),
        )  # fmt: skip
        s["thirty"] = add_story(
            db, "thirty", THIRTY, "Việt Nam và Hoa Kỳ hội đàm về hợp tác bán dẫn",
            verdict(("US",), "talks", MINISTER, topics=("semiconductors",)),
            NOON - timedelta(hours=2),
        )  # fmt: skip
        s["hostile"] = add_story(
            db, "hostile", ["vov"], HOSTILE_TITLE,
            verdict(("US",), "statement", Person('<img src=x onerror="alert(1)">', "Đại sứ")),
            NOON + timedelta(hours=4), url="javascript:alert(document.cookie)",
        )  # fmt: skip
        for week in range(1, 11):
            code = "US" if week % 2 else "JP"
            kind = ("visit", "call", "conference")[week % 3]
            s[f"week{week}"] = add_story(
                db, f"week{week}", ["vnexpress", "tuoitre"][: 1 + week % 2],
                f"Tuần {week}: Việt Nam và {'Hoa Kỳ' if code == 'US' else 'Nhật Bản'} gặp gỡ",
                verdict((code,), kind, MINISTER), NOON - timedelta(days=7 * week),
            )  # fmt: skip
        with db.session() as session:
            row = save_rendered_digest(
                session, profile="vn-us", day="2026-11-25",
                window_start=NOON + timedelta(hours=19), window_end=NOON + timedelta(hours=43),
                subject="s", html="<p>h</p>", text="t", article_ids=[], html_path=None,
            )  # fmt: skip
            save_digest_stories(session, row.id, [s["reception"]])
            mark_digest_sent(session, row, message_id="<m@x>", recipients=["a@example.org"],
                             refused={}, sent_at=NOON + timedelta(days=2))  # fmt: skip
            alert = StoryAlertRow(
                profile="vn-us", story_id=s["reception"], kind="alert", level=2,
                rules=["top-leader"], reasons=["Tổng Bí thư tiếp Đại sứ Hoa Kỳ"], changes=[],
                facts={}, title="t", url="https://vnexpress.example/reception-0.html",
                subject="s", html="<p>h</p>", text="t", markdown="m",
                raised_at=NOON + timedelta(minutes=5), due_at=NOON + timedelta(minutes=5),
                day="2026-11-23",
            )  # fmt: skip
            session.add(alert)
            session.flush()
            session.add(AlertDeliveryRow(alert_id=alert.id, channel="email", state="sent",
                                         attempts=1, recipients=["desk@example.org"]))  # fmt: skip
            now = datetime(2026, 11, 24, 6, 0, tzinfo=UTC)
            session.add(OutletRow(
                key="vnexpress", name="VnExpress", last_run_at=now, last_success_at=now,
                error_streak=0, articles_stored=40,
            ))  # fmt: skip
            session.add(OutletRow(
                key="tuoitre", name="Tuổi Trẻ", last_run_at=now,
                last_success_at=now - timedelta(days=1), error_streak=4,
                last_error="<b>timeout</b> fetching feed", articles_stored=12,
            ))  # fmt: skip
    finally:
        db.dispose()
    return archive


def bulk_articles(url: str, count: int, *, word: str = "thượng đỉnh") -> None:
    """``count`` articles (not in stories) each with ``word`` in its title, over 100 days;
    every tenth classified as diplomacy with Korea; inserted in bulk (search triggers on)."""
    db = Database(url)
    try:
        with db.session() as session:
            first = datetime(2026, 8, 1, tzinfo=UTC)
            rows: list[dict[str, Any]] = []
            for n in range(count):
                when = first + timedelta(minutes=14 * n)
                rows.append({
                    "url_key": f"bulk.example/{n}", "url": f"https://vov.example/bulk/{n}.html",
                    "canonical_url": None, "outlet_key": OUTLET_KEYS[n % len(OUTLET_KEYS)],
                    "title": f"Hội nghị {word} số {n}", "sapo": f"Bài {n} về hội nghị {word}.",
                    "paragraphs": ["Nội dung thử nghiệm."], "authors": [],
                    "published_at": when, "updated_at": None, "section": None, "tags": [],
                    "images": [], "credited_source": None, "extraction_method": "bulk",
                    "extraction_notes": [], "first_seen_at": when, "fetched_at": when,
                    "warc_file": None,
                })  # fmt: skip
            session.execute(insert(ArticleRow), rows)
            ids = session.execute(
                ArticleRow.__table__.select().where(ArticleRow.url_key.like("bulk.example/%"))
            ).all()
            verdicts = [
                {"article_id": row.id, "is_diplomacy": n % 10 == 0, "score": 0.8 if n % 10 == 0
                 else 0.1, "partners": ["KR"] if n % 10 == 0 else [], "event": None,
                 "topics": [], "people": [], "evidence": [], "model_version": "bulk",
                 "classified_at": first}
                for n, row in enumerate(sorted(ids, key=lambda r: r.id))
            ]  # fmt: skip
            session.execute(insert(VerdictRow), verdicts)
    finally:
        db.dispose()


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)
