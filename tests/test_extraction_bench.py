"""The extraction benchmark on folders of pages with gold articles (``--gold DIR``).

Every page here is constructed by the test (made-up text, no third-party material): our
layout (``<name>.html[.gz]`` + ``<name>.gold.json``) and ScrapingHub's article-extraction-
benchmark layout (``ground-truth.json`` + ``html/<id>.html.gz``).
"""

from __future__ import annotations

import gzip
import json
from datetime import datetime
from pathlib import Path

import pytest

from bench.extraction import main, render
from bench.extraction_gold import OURS, SCRAPINGHUB, GoldPage, load_gold
from bench.extraction_score import Report, evaluate, score_page
from bench.extraction_systems import SYSTEMS, Extracted, System
from parsers.errors import ParseError

TITLE = "Bộ trưởng Ngoại giao tiếp Đại sứ nước bạn tại Hà Nội"
LEAD = "Chiều 2/3, Bộ trưởng Ngoại giao đã tiếp Đại sứ nước bạn nhân dịp kết thúc nhiệm kỳ."
PARAGRAPHS = [
    "Tại buổi tiếp, Bộ trưởng đánh giá cao những đóng góp của Đại sứ cho quan hệ hai nước "
    "trong suốt ba năm công tác, đặc biệt là trong lĩnh vực thương mại và giáo dục.",
    "Đại sứ cảm ơn sự hỗ trợ của các bộ ngành và khẳng định sẽ tiếp tục làm cầu nối để "
    "thúc đẩy hợp tác giữa các địa phương, doanh nghiệp và trường đại học của hai bên.",
    "Hai bên nhất trí phối hợp chuẩn bị cho chuyến thăm cấp cao dự kiến diễn ra vào cuối "
    "năm nay, đồng thời mở rộng trao đổi đoàn ở mọi cấp và tăng cường giao lưu nhân dân.",
]
PUBLISHED = "2026-03-02T08:15:00+07:00"
URL = "https://tin-thu-nghiem.example/the-gioi/bo-truong-tiep-dai-su-123456.html"


def article_page(title: str = TITLE, lead: str = LEAD,
                 paragraphs: list[str] = PARAGRAPHS) -> str:
    body = "\n".join(f"<p>{text}</p>" for text in paragraphs)
    return f"""<!doctype html>
<html lang="vi"><head><meta charset="utf-8">
<title>{title} - Tin Thử Nghiệm</title>
<meta property="og:type" content="article">
<meta property="og:title" content="{title}">
<meta property="og:description" content="{lead}">
<meta property="article:published_time" content="{PUBLISHED}">
</head><body>
<nav><a href="/">Trang chủ</a> <a href="/the-gioi">Thế giới</a></nav>
<article>
<h1>{title}</h1>
<time datetime="{PUBLISHED}">02/03/2026 08:15</time>
<p class="sapo"><strong>{lead}</strong></p>
{body}
</article>
<footer><p>Tin Thử Nghiệm, trang tin dựng sẵn cho kiểm thử.</p></footer>
</body></html>"""


def gold_json(url: str = URL, **changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "url": url, "outlet": "", "title": TITLE, "lead": LEAD, "paragraphs": PARAGRAPHS,
        "authors": [], "credited_source": None, "published_at": PUBLISHED,
        "constructed": True, "layout": "article-tag", "failure_modes": [],
    }
    data.update(changes)
    return data


@pytest.fixture
def ours_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "ours"
    folder.mkdir()
    (folder / "plain.html").write_text(article_page(), encoding="utf-8")
    (folder / "plain.gold.json").write_text(json.dumps(gold_json()), encoding="utf-8")
    (folder / "zipped.html.gz").write_bytes(gzip.compress(article_page().encode()))
    (folder / "zipped.gold.json").write_text(
        json.dumps(gold_json(URL.replace("123456", "123457"), authors=["Minh Anh"])),
        encoding="utf-8")
    (folder / "empty.html").write_text("", encoding="utf-8")  # ParseError: empty document
    (folder / "empty.gold.json").write_text(json.dumps(gold_json(URL.replace("123456", "9"))),
                                            encoding="utf-8")
    (folder / "no-page.gold.json").write_text(json.dumps(gold_json()), encoding="utf-8")
    (folder / "half-written.html").write_text(article_page(), encoding="utf-8")
    (folder / "half-written.gold.json").write_text('{"url": "https://', encoding="utf-8")
    return folder


@pytest.fixture
def scrapinghub_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "scrapinghub"
    (folder / "html").mkdir(parents=True)
    truth = {}
    for number in range(2):
        key = f"{number:040x}"
        page = article_page(paragraphs=PARAGRAPHS[number:])
        (folder / "html" / f"{key}.html.gz").write_bytes(gzip.compress(page.encode()))
        truth[key] = {"articleBody": "\n".join(PARAGRAPHS[number:]),
                      "url": URL.replace("123456", f"5{number}")}
    truth["ffff"] = {"articleBody": "no page for this one", "url": URL}
    (folder / "ground-truth.json").write_text(json.dumps(truth), encoding="utf-8")
    return folder


def test_our_layout_is_read_with_every_field_and_bad_entries_are_skipped(
    ours_folder: Path,
) -> None:
    found = load_gold(ours_folder)
    assert found.layout == OURS
    assert [page.name for page in found.pages] == ["empty", "plain", "zipped"]
    assert sorted(why.split(":")[0] for why in found.skipped) == ["half-written", "no-page"]
    plain, zipped = found.pages[1], found.pages[2]
    assert plain.html() == zipped.html() == article_page().encode()
    gold = zipped.gold()
    assert gold.body == "\n".join([LEAD, *PARAGRAPHS]) and gold.paragraphs == 3
    assert gold.title == TITLE and gold.authors == ("Minh Anh",)
    assert gold.published == datetime.fromisoformat(PUBLISHED)
    assert gold.scored == {"title", "date", "authors", "credited"}
    assert zipped.url.endswith("123457.html") and zipped.group == str(ours_folder)
    assert zipped.layout == "article-tag" and zipped.constructed


def test_scrapinghubs_layout_is_read_body_only(scrapinghub_folder: Path) -> None:
    found = load_gold(scrapinghub_folder)
    assert found.layout == SCRAPINGHUB
    assert len(found.pages) == 2 and [why.split(":")[0] for why in found.skipped] == ["ffff"]
    first = found.pages[0]
    assert first.name == "0" * 40 and first.url.endswith("50.html")
    assert first.html() == article_page().encode()
    assert first.gold().body == "\n".join(PARAGRAPHS) and first.gold().scored == frozenset()


def test_a_folder_of_neither_layout_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"ground-truth\.json"):
        load_gold(tmp_path)


def returning(found: Extracted) -> System:
    def run(html: bytes, url: str, now: datetime | None) -> Extracted:
        return found

    return run


def page(ours_folder: Path, name: str = "plain") -> GoldPage:
    return next(p for p in load_gold(ours_folder).pages if p.name == name)


def test_an_exact_body_scores_one_and_a_partial_one_less(ours_folder: Path) -> None:
    case = page(ours_folder)
    exact = Extracted(TITLE, "\n".join([LEAD, *PARAGRAPHS]),
                      datetime.fromisoformat(PUBLISHED), ())
    score = score_page(case, "generic", returning(exact))
    assert (score.precision, score.recall) == (1.0, 1.0) and score.error is None
    assert score.title and score.date and score.authors and score.credited
    partial = Extracted(TITLE, PARAGRAPHS[0] + "\nXem thêm: tin liên quan khác ở chuyên mục",
                        None, ("Tin Thử Nghiệm",))
    score = score_page(case, "trafilatura", returning(partial))
    assert 0.0 < score.precision < 1.0 and 0.0 < score.recall < 1.0
    assert score.title and not score.date and not score.authors
    assert score.credited is None  # a library reports no credited source: not scored


def test_a_page_that_raises_parse_error_is_scored_zero_and_reported(ours_folder: Path) -> None:
    def refuses(html: bytes, url: str, now: datetime | None) -> Extracted:
        raise ParseError(f"{url}: not an article (made up)")

    score = score_page(page(ours_folder), "chain", refuses)
    assert (score.precision, score.recall, score.title, score.date) == (0.0, 0.0, False, False)
    assert score.error is not None and "made up" in score.error
    report = Report(pages=[score])
    assert report.summary("chain").errors == 1 and report.chain().methods == {"(error)": 1}
    assert "- chain on plain: " in render(report, "folder")
    # The real chain refuses the empty page of the folder the same way.
    [empty] = evaluate([page(ours_folder, "empty")], names=("outlet",)).pages
    assert empty.system == "chain" and empty.error and "empty document" in empty.error
    assert (empty.precision, empty.recall) == (0.0, 0.0)


def test_the_chain_reports_fallbacks_and_collapses(ours_folder: Path) -> None:
    case = page(ours_folder)
    collapsed = Extracted(TITLE, LEAD, None, (), method="title-and-lead",
                          notes=("generic: lead only",), fallback=True)
    report = Report(pages=[score_page(case, "chain", returning(collapsed))])
    stats = report.chain()
    assert stats.fallback == 1.0 and stats.methods == {"title-and-lead": 1}
    assert stats.collapses == ["plain"] and report.fast_path() == set()
    assert f"collapses in {case.group} (title-and-lead, the gold has paragraphs): plain" in (
        render(report, "folder"))
    assert "- plain: title-and-lead (fallback); generic: lead only" in render(
        report, "folder", notes=True)


def test_the_cli_scores_gold_folders_with_all_four_systems(
    ours_folder: Path, scrapinghub_folder: Path, capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    out_json = tmp_path / "scores.json"
    assert main(["--gold", str(ours_folder), "--gold", str(scrapinghub_folder),
                 "--rounds", "1", "--json", str(out_json)]) == 0
    out, err = capsys.readouterr()
    assert "diplowatch layout, 3 pages, 2 skipped" in err and "scrapinghub layout" in err
    rows = [line for line in out.splitlines()
            if line.startswith("| **overall** | 5 |") and line.count("|") == 12]
    assert [row.split(" | ")[2] for row in rows] == list(SYSTEMS)
    for folder in (ours_folder, scrapinghub_folder):
        assert sum(line.startswith(f"| {folder} |") for line in out.splitlines()) == 5
    assert "| scrapinghub" not in out  # rows are labelled by the folder path given
    speed = {line.split(" | ")[0].removeprefix("| "): line for line in out.splitlines()
             if line.startswith("| ") and "pages/s" not in line and line.count("|") == 7}
    assert set(SYSTEMS) <= set(speed)
    assert "- chain on empty: " in out  # the empty page: scored zero and reported
    data = json.loads(out_json.read_text(encoding="utf-8"))
    assert set(data["summary"]) == set(SYSTEMS) and data["chain"]["pages"] == 5
