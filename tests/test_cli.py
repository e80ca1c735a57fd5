"""The ``diplowatch`` command line: the contracts users and scripts rely on."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from flows.cli import main
from parsers.registry import OUTLETS
from tests.site import DIPLOMACY_ARTICLE, SPORT_ARTICLE, article_html

PARSE_KEYS = {
    "path",
    "outlet",
    "url",
    "canonical_url",
    "title",
    "sapo",
    "paragraphs",
    "authors",
    "published_at",
    "updated_at",
    "section",
    "tags",
    "images",
    "credited_source",
    "extraction_method",
    "extraction_notes",
}


def test_parse_prints_one_json_object_per_page_including_gzip(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plain = tmp_path / "a.html"
    plain.write_text(article_html("example.com", DIPLOMACY_ARTICLE), encoding="utf-8")
    packed = tmp_path / "b.html.gz"
    packed.write_bytes(gzip.compress(article_html("example.com", SPORT_ARTICLE).encode()))
    url = "https://example.com" + DIPLOMACY_ARTICLE.path

    assert main(["parse", str(plain), str(packed), "--url", url]) == 0

    lines = capsys.readouterr().out.splitlines()
    first, second = (json.loads(line) for line in lines)
    assert set(first) == PARSE_KEYS
    assert first["path"] == str(plain)
    assert first["title"] == DIPLOMACY_ARTICLE.title
    assert first["published_at"] == "2026-11-23T16:30:00+07:00"
    assert first["paragraphs"] == list(DIPLOMACY_ARTICLE.paragraphs)
    assert first["extraction_method"] == "generic"
    assert second["title"] == SPORT_ARTICLE.title


def test_parse_reports_a_bad_file_on_one_line_and_goes_on(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = tmp_path / "good.html"
    good.write_text(article_html("example.com", SPORT_ARTICLE), encoding="utf-8")
    broken = tmp_path / "broken.html.gz"
    broken.write_bytes(b"not gzip at all")
    missing = tmp_path / "missing.html"

    status = main(["parse", str(broken), str(missing), str(good), "--url", "https://example.com/x"])

    captured = capsys.readouterr()
    assert status == 1
    assert [json.loads(line)["title"] for line in captured.out.splitlines()] == [
        SPORT_ARTICLE.title
    ]
    errors = captured.err.strip().splitlines()
    assert len(errors) == 2
    assert "broken.html.gz" in errors[0] and "missing.html" in errors[1]
    assert "Traceback" not in captured.err


def test_classify_streams_json_lines_and_passes_other_keys_through(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "in.jsonl"
    lines = [
        {"id": 1, "title": DIPLOMACY_ARTICLE.title, "text": DIPLOMACY_ARTICLE.sapo},
        {"id": 2, "title": SPORT_ARTICLE.title, "text": " ".join(SPORT_ARTICLE.paragraphs)},
    ]
    source.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines) + "\n", "utf-8")

    assert main(["classify", str(source)]) == 0

    diplomacy, sport = (json.loads(line) for line in capsys.readouterr().out.splitlines())
    assert diplomacy["id"] == 1 and sport["id"] == 2
    assert diplomacy["verdict"]["is_diplomacy"] is True
    assert diplomacy["verdict"]["partners"][0] == "US"
    assert diplomacy["verdict"]["event"] == "reception"
    assert sport["verdict"]["is_diplomacy"] is False
    assert set(diplomacy["verdict"]) >= {
        "is_diplomacy",
        "score",
        "partners",
        "event",
        "topics",
        "people",
        "evidence",
    }


def test_classify_reports_a_malformed_line_and_keeps_the_others(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text('{"title": "a", "text": "b"}\nnot json\n[1]\n', encoding="utf-8")
    assert main(["classify", str(source)]) == 1
    captured = capsys.readouterr()
    assert len(captured.out.splitlines()) == 1
    assert [line.split(":")[1].strip() for line in captured.err.splitlines()] == [
        "line 2",
        "line 3",
    ]


def test_outlets_lists_the_registry_as_json(
    configure: object, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert main(["outlets", "--json", "--db", f"sqlite:///{tmp_path / 'o.db'}"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [row["key"] for row in rows] == [outlet.key for outlet in OUTLETS]
    vnexpress = next(row for row in rows if row["key"] == "vnexpress")
    assert vnexpress["feeds"] and vnexpress["domains"] == ["vnexpress.net"]
    assert {"name", "sitemaps", "listing_pages", "error_streak", "last_success_at"} <= set(
        vnexpress
    )


def test_an_unknown_outlet_is_one_clear_error_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "--outlet", "nosuchpaper"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "nosuchpaper" in err
