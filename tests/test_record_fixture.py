"""``diplowatch record-fixture URL``: a page as the outlet served it, with its expected JSON.

The outlet is the local HTTP server, reached through the ``host_map`` setting as in
production; the page is one the tests write (tests/site.py), never one an outlet served.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from bench.extraction import evaluate, load_fixtures
from flows.cli import main
from parsers.article import parse_article
from tests.http_server import LocalServer
from tests.site import DIPLOMACY_ARTICLE, article_html

HOST = "vnexpress.net"
URL = f"https://{HOST}{DIPLOMACY_ARTICLE.path}"


@pytest.fixture
def outlet(local_server: LocalServer, configure: Callable[..., None]) -> LocalServer:
    configure(host_map=local_server.host_map(HOST), politeness={"min_delay_seconds": 0.01})
    local_server.add(HOST, "/robots.txt", "User-agent: *\nAllow: /\n", content_type="text/plain")
    local_server.add(HOST, DIPLOMACY_ARTICLE.path, article_html(HOST, DIPLOMACY_ARTICLE),
                     content_type="text/html; charset=utf-8")
    return local_server


def test_the_page_and_its_expected_json_are_written_for_review(
    outlet: LocalServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pages, expected = tmp_path / "operator", tmp_path / "expected"
    status = main(["record-fixture", URL, "--out", str(pages), "--expected-dir", str(expected)])
    out = capsys.readouterr().out
    assert status == 0
    page = pages / "vnexpress_4900001.html.gz"  # outlet key and article id
    served = article_html(HOST, DIPLOMACY_ARTICLE).encode("utf-8")
    assert gzip.decompress(page.read_bytes()) == served
    [request] = outlet.requests_to(HOST, DIPLOMACY_ARTICLE.path)
    assert request.headers["user-agent"].startswith("diplowatch/")

    data = json.loads((expected / "vnexpress_4900001.json").read_text("utf-8"))
    review = data.pop("_review")
    assert review.startswith(f"unreviewed: recorded by diplowatch record-fixture from {URL}")
    assert str(page) in review and "delete this key" in review
    assert data == parse_article(served, URL).to_json()
    assert data["extraction_method"] == "vnexpress" and data["title"] == DIPLOMACY_ARTICLE.title
    assert f"page: {page}" in out and "review it" in out

    # Once reviewed, the page counts in the extraction benchmark.
    [fixture] = load_fixtures([pages], expected)
    assert fixture.name == "vnexpress_4900001" and fixture.url == URL
    report = evaluate([fixture], names=("outlet", "generic"))
    assert all((s.precision, s.recall, s.date) == (1.0, 1.0, True) for s in report.pages)


def test_the_default_folder_is_the_operators_outside_the_repository(
    outlet: LocalServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DIPLOWATCH_FIXTURES_DIR", str(tmp_path / "fixtures"))
    expected = tmp_path / "expected"
    assert main(["record-fixture", URL, "--name", "vnx-tiep-dai-su",
                 "--expected-dir", str(expected)]) == 0
    assert (tmp_path / "fixtures" / "vnx-tiep-dai-su.html.gz").is_file()
    assert (expected / "vnx-tiep-dai-su.json").is_file()


def test_existing_files_are_not_overwritten_without_force(
    outlet: LocalServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["record-fixture", URL, "--out", str(tmp_path), "--expected-dir", str(tmp_path)]
    assert main(args) == 0
    capsys.readouterr()
    assert main(args) == 2
    assert "exists (use --force to overwrite)" in capsys.readouterr().err
    assert main([*args, "--force"]) == 0


def test_a_page_the_parsers_cannot_read_is_kept_and_the_reason_given(
    outlet: LocalServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    outlet.add(HOST, "/the-gioi", "<html><head><title>Thế giới</title></head><body>"
               "<h1>Thế giới</h1><ul><li><a href='/a-4900009.html'>Tin</a></li></ul></body></html>")
    status = main(["record-fixture", f"https://{HOST}/the-gioi", "--name", "vnexpress-section",
                   "--out", str(tmp_path / "pages"), "--expected-dir", str(tmp_path / "exp")])
    err = capsys.readouterr().err.strip()
    assert status == 2
    assert err.startswith("diplowatch record-fixture: the parsers cannot read this page (")
    assert "not an article page" in err and "kept at" in err
    assert (tmp_path / "pages" / "vnexpress-section.html.gz").is_file()
    assert not (tmp_path / "exp").exists()


def test_a_failed_fetch_is_one_line_and_writes_nothing(
    outlet: LocalServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status = main(["record-fixture", f"https://{HOST}/khong-co-5999999.html",
                   "--out", str(tmp_path), "--expected-dir", str(tmp_path)])
    err = capsys.readouterr().err.strip().splitlines()
    assert status == 2 and len(err) == 1
    assert err[0].startswith("diplowatch record-fixture: cannot fetch https://vnexpress.net/")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("name", ["../escape", "Có dấu", ""])
def test_a_name_that_is_not_a_plain_file_name_is_refused(
    name: str, outlet: LocalServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status = main(["record-fixture", URL, "--name", name, "--out", str(tmp_path),
                   "--expected-dir", str(tmp_path)])
    assert status == 2
    assert "use lower-case letters, digits, - and _ only" in capsys.readouterr().err
    assert not outlet.requests, "refused before fetching anything"
