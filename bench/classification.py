"""Classification quality on the labelled development set, and the speed of `classify`.

    uv run python -m bench.classification [--shared ../shared] [--folds 5] [--no-speed]

The development set: the labels in ``bench/labels/diplomacy_devset.csv`` (file name →
diplomacy, partners, event, note; see ``docs/labelling-guideline.md``); the texts stay in
../shared (seeds, the VNTC sample, the recorded article pages, the items of the recorded
RSS snapshots: title and description). Printed side by side:

- the keyword alert a user would set up instead (a partner's name plus a diplomatic word);
- the rules alone (``analysis.rules``, score >= 0.5);
- rules + model, cross-validated: every labelled article is judged by a model trained
  without it (k folds, stratified, fixed seed). This is the fair figure;
- rules + shipped model: trained on the whole set, so optimistic on it (not a fair figure).

Then event accuracy, partner accuracy, the same figures on each part of the set (the old set
the rules were written on; the feed items, labelled after them: the honest estimate; both
together), the rate flagged per VNTC topic (whole sample: labelled
articles judged out of fold, the others by the shipped model) and articles per second for
the whole ``diplowatch classify`` command on one core.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from analysis.classifier import decide
from analysis.model import Model, load_model
from analysis.rules import RULES_THRESHOLD, RuleResult, apply_rules
from analysis.text import normalize_text
from records import Verdict

REPO = Path(__file__).resolve().parent.parent
LABELS = REPO / "bench" / "labels" / "diplomacy_devset.csv"
DEFAULT_SHARED = Path(os.environ.get("DIPLOWATCH_SHARED_DIR", REPO.parent / "shared"))
VNTC_TOPICS = {
    "XH": "politics-society", "TG": "world", "KD": "business", "PL": "law",
    "TT": "sport", "SK": "health", "VT": "computing", "DS": "lifestyle", "VH": "culture",
    "KH": "science",
}
MUST_BE_RARE = ("TT", "SK", "VT", "DS", "VH", "KH")  # target: under 1% flagged
# Parts of the development set scored apart: the set the rules were written on, and the feed
# items labelled after them (title and description only; the rules were not tuned on them).
SUBSETS: dict[str, Callable[[str], bool]] = {
    "old set (seeds, VNTC, pages)": lambda key: not key.startswith("feeds/"),
    "feed items alone": lambda key: key.startswith("feeds/"),
    "enlarged set": lambda key: True,
}
PROFILE_PARTNERS = {"US": ("Mỹ", "Hoa Kỳ")}
_ALERT_WORDS = ("tiếp", "hội đàm", "hội kiến", "điện đàm", "thăm", "Đại sứ", "đại sứ",
                "ngoại giao", "Ngoại giao")
_ALERT_PARTNERS = ("Mỹ", "Hoa Kỳ", "Trung Quốc", "Nhật Bản", "Nhật", "Hàn Quốc", "Nga",
                   "Pháp", "Đức", "Anh", "Lào", "Campuchia", "Thái Lan", "Ấn Độ", "Úc",
                   "Australia", "Singapore", "ASEAN", "EU", "Liên hợp quốc")


def _any_word(words: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, words)) + r")(?!\w)")


_ALERT_WORD_RE = _any_word(_ALERT_WORDS)


@dataclass(frozen=True, slots=True)
class Text:
    key: str  # "vntc/TG_VNE_T_ (544).txt", "seeds/000_….txt", "pages/vnexpress_article.html",
    # "feeds/vnexpress_tin-moi-nhat_2017_1.xml#http://vnexpress.net/…html"
    topic: str  # VNTC topic prefix, "SEED", "PAGE" or "FEED"
    title: str
    body: str


@dataclass(frozen=True, slots=True)
class Label:
    diplomacy: bool
    partners: tuple[str, ...]
    event: str | None
    note: str


def read_vntc(raw: bytes) -> tuple[str, str]:
    """(title, body) of a VNTC file: UTF-16 with BOM, CRLF; the first non-blank line is the
    title unless it runs over 200 characters (then the text has no title line)."""
    text = raw.decode("utf-16").replace("\r\n", "\n")
    lines = text.lstrip("\ufeff \n\t").split("\n", 1)
    first, rest = lines[0].strip(), (lines[1] if len(lines) > 1 else "")
    return (first, rest) if len(first) <= 200 else ("", text)


def read_feed(raw: bytes) -> list[tuple[str, str, str]]:
    """(guid, title, description) of each item of an RSS document, in document order: the
    guid (else the link) as written in the file, the description's HTML stripped (the
    thumbnail link goes), NFC. Items without a guid or link have nothing to key them by."""
    import feedparser
    from selectolax.lexbor import LexborHTMLParser

    from parsers.text import clean_text

    items: list[tuple[str, str, str]] = []
    for entry in feedparser.parse(io.BytesIO(raw)).entries:
        guid = (entry.get("id") or entry.get("link") or "").strip()
        if not guid:
            continue
        html = entry.get("summary") or ""
        text = html
        if "<" in html:
            tree = LexborHTMLParser(html)
            node = tree.body or tree.root
            text = node.text(deep=True, separator=" ") if node is not None else ""
        items.append((guid, clean_text(entry.get("title")), clean_text(text)))
    return items


def load_corpus(shared: Path = DEFAULT_SHARED) -> dict[str, Text]:
    """Every text of the seeds, the VNTC sample, the recorded article pages and the items of
    the recorded RSS snapshots (``feeds/<file>#<guid>``: an item in several snapshots is
    read once, from the first file, in name order)."""
    texts: dict[str, Text] = {}
    for path in sorted((shared / "seeds").glob("*.txt")):
        first, _, rest = path.read_text(encoding="utf-8").strip().partition("\n")
        texts[f"seeds/{path.name}"] = Text(f"seeds/{path.name}", "SEED", first, rest)
    with tarfile.open(shared / "corpus" / "vntc_sample.tar.xz") as tar:
        for member in tar.getmembers():
            name = member.name.rsplit("/", 1)[-1]
            handle = tar.extractfile(member) if member.isfile() else None
            if handle is None or not name.endswith(".txt"):
                continue
            title, body = read_vntc(handle.read())
            key = f"vntc/{name}"
            texts[key] = Text(key, name.split("_", 1)[0], title, body)
    pages = shared / "corpus" / "pages"
    truth_path = pages / "ground_truth_partial.json"
    truth = json.loads(truth_path.read_text(encoding="utf-8")) if truth_path.exists() else {}
    from parsers.article import ParseError, parse_article  # only the pages need a parser

    for path in sorted(pages.glob("*_article*.html")):
        url = next((e["url"] for e in truth.get(path.name, []) if "url" in e), "")
        try:
            article = parse_article(path.read_bytes(), url)
        except ParseError:
            continue
        body = "\n\n".join([article.sapo or "", *article.paragraphs]).strip()
        texts[f"pages/{path.name}"] = Text(f"pages/{path.name}", "PAGE", article.title, body)
    guids: set[str] = set()
    for path in sorted((shared / "corpus" / "feeds").glob("*.xml")):
        for guid, title, description in read_feed(path.read_bytes()):
            if guid not in guids:
                guids.add(guid)
                key = f"feeds/{path.name}#{guid}"
                texts[key] = Text(key, "FEED", title, description)
    return texts


def load_labels(path: Path = LABELS) -> dict[str, Label]:
    with path.open(encoding="utf-8", newline="") as handle:
        return {
            row["file"]: Label(row["diplomacy"] == "1", tuple(row["partners"].split()),
                               row["event"] or None, row["note"])
            for row in csv.DictReader(handle)
        }


# --- scoring --------------------------------------------------------------------------------
def prf(pairs: list[tuple[bool, bool]]) -> dict[str, float]:
    """Precision, recall, F1 and counts of (gold, predicted) pairs."""
    tp = sum(g and p for g, p in pairs)
    fp = sum(p and not g for g, p in pairs)
    fn = sum(g and not p for g, p in pairs)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "tp": tp, "fp": fp, "fn": fn}


def keyword_alert(text: Text, partners: tuple[str, ...] = _ALERT_PARTNERS) -> bool:
    """The alert a user would set up: a partner's name and a diplomatic word anywhere."""
    full = normalize_text(f"{text.title}\n{text.body}")
    return bool(_any_word(partners).search(full) and _ALERT_WORD_RE.search(full))


def rules_verdict(rules: RuleResult) -> Verdict:
    """The rules alone, as a verdict."""
    yes = rules.score >= RULES_THRESHOLD
    return Verdict(yes, rules.score, rules.partners, rules.event if yes else None)


@dataclass(slots=True)
class System:
    name: str
    verdicts: dict[str, Verdict]  # file key → verdict


def partner_match(verdict: Verdict, code: str) -> bool:
    return verdict.is_diplomacy and code in verdict.partners


def score_system(system: System, labels: dict[str, Label]) -> dict[str, Any]:
    keys = [k for k in labels if k in system.verdicts]
    v = system.verdicts
    out: dict[str, Any] = {"diplomacy": prf([(labels[k].diplomacy, v[k].is_diplomacy)
                                             for k in keys])}
    for code in PROFILE_PARTNERS:
        out[code] = prf([(labels[k].diplomacy and code in labels[k].partners,
                          partner_match(v[k], code)) for k in keys])
    found = [k for k in keys if labels[k].diplomacy and v[k].is_diplomacy]
    out["event"] = (sum(v[k].event == labels[k].event for k in found), len(found))
    out["partner"] = (sum(bool(v[k].partners) and v[k].partners[0] == labels[k].partners[0]
                          for k in found if labels[k].partners), len(found))
    return out


def flagged_rates(verdicts: dict[str, Verdict],
                  texts: dict[str, Text]) -> dict[str, tuple[int, int]]:
    rates: dict[str, tuple[int, int]] = {}
    for topic in VNTC_TOPICS:
        keys = [k for k, t in texts.items() if t.topic == topic]
        rates[topic] = (sum(verdicts[k].is_diplomacy for k in keys), len(keys))
    return rates


def evaluate(shared: Path = DEFAULT_SHARED, folds: int = 5,
             progress: Callable[[str], None] = lambda _: None) -> dict[str, Any]:
    """Everything the report prints, as numbers (the quality test pins floors on them)."""
    from bench.train_classifier import DEFAULT_C, cross_validated, fit

    texts = load_corpus(shared)
    labels = {k: lab for k, lab in load_labels().items() if k in texts}
    progress(f"{len(texts)} texts, {len(labels)} labelled "
             f"({sum(lab.diplomacy for lab in labels.values())} diplomacy)")
    rules = {k: apply_rules(t.title, t.body) for k, t in texts.items()}
    keys = sorted(labels)
    oof_models = cross_validated(rules, labels, keys, DEFAULT_C, folds)
    shipped = load_model()
    cv: dict[str, Verdict] = {k: decide(rules[k], oof_models[k]) for k in keys}
    whole: dict[str, Verdict] = {k: decide(r, shipped) for k, r in rules.items()}
    alert = {k: Verdict(keyword_alert(t), 0.0, tuple(
        c for c, names in PROFILE_PARTNERS.items() if keyword_alert(t, names))) for k, t in
        texts.items()}
    systems = [
        System("keyword alert", alert),
        System("rules alone", {k: rules_verdict(r) for k, r in rules.items()}),
        System(f"rules + model, {folds}-fold CV", cv),
        System("rules + shipped model (trained on this set)", whole),
    ]
    parts = {name: {k: lab for k, lab in labels.items() if keep(k)}
             for name, keep in SUBSETS.items()}
    report: dict[str, Any] = {
        "texts": len(texts), "labelled": len(labels),
        "diplomacy": sum(lab.diplomacy for lab in labels.values()),
        "systems": {s.name: score_system(s, labels) for s in systems},
        "subsets": {name: {"labelled": len(part),
                           "diplomacy": sum(lab.diplomacy for lab in part.values()),
                           "systems": {s.name: score_system(s, part) for s in systems}}
                    for name, part in parts.items()},
        "flagged": {"alert": flagged_rates(alert, texts),
                    "combined": flagged_rates({**whole, **cv}, texts)},
        "errors": [(k, labels[k].diplomacy, cv[k].score, labels[k].note) for k in keys
                   if cv[k].is_diplomacy != labels[k].diplomacy],
        "refit_check": _refit_check(rules, labels, keys, shipped, fit, DEFAULT_C),
    }
    return report


def _refit_check(rules: dict[str, RuleResult], labels: dict[str, Label], keys: list[str],
                 shipped: Model, fit: Callable[..., Model], c: float) -> bool:
    """The shipped weights are what `bench.train_classifier` makes of this set today (to
    1e-4: the last digits of an optimiser may differ between machines)."""
    refit = fit([rules[k] for k in keys], [labels[k].diplomacy for k in keys], c)
    names = set(refit.weights) | set(shipped.weights)
    return abs(refit.bias - shipped.bias) <= 1e-4 and all(
        abs(refit.weights.get(n, 0.0) - shipped.weights.get(n, 0.0)) <= 1e-4 for n in names)


def measure_speed(texts: dict[str, Text], repeats: int = 3) -> dict[str, float]:
    """Articles per second of the whole `diplowatch classify` command on one core: a JSON
    lines file of every text in, verdicts out, process start-up included, pinned to one core
    with taskset. Best of three, by wall-clock time and by the CPU time the process used
    (on a machine shared with other work the CPU time is the steadier measure)."""
    script = Path(sys.executable).with_name("diplowatch")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "flows.cli"]
    if shutil.which("taskset"):
        command = ["taskset", "-c", "0", *command]
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "articles.jsonl"
        with source.open("w", encoding="utf-8") as out:
            for key, text in texts.items():
                out.write(json.dumps({"id": key, "title": text.title, "text": text.body},
                                     ensure_ascii=False) + "\n")
        best = best_cpu = float("inf")
        lines = 0
        for _ in range(repeats):
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            done = subprocess.run([*command, "classify", str(source)], cwd=REPO, check=True,
                                  capture_output=True)
            best = min(best, time.perf_counter() - start)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
            best_cpu = min(best_cpu, cpu)
            lines = done.stdout.count(b"\n")
        size = source.stat().st_size
    return {"articles": float(lines), "seconds": best, "per_second": lines / best,
            "cpu_seconds": best_cpu, "per_cpu_second": lines / best_cpu, "mb": size / 1e6}


def _row(name: str, m: dict[str, Any]) -> str:
    d, us = m["diplomacy"], m["US"]
    return (f"| {name} | {d['precision']:.3f} | {d['recall']:.3f} | {d['f1']:.3f} | "
            f"{us['precision']:.3f} | {us['recall']:.3f} | {us['f1']:.3f} |")


def render(report: dict[str, Any], speed: dict[str, float] | None) -> str:
    out = io.StringIO()
    w = out.write
    w(f"Development set: {report['labelled']} labelled texts, {report['diplomacy']} diplomacy "
      f"(of {report['texts']} read).\n\n")
    w("| system | diplomacy P | R | F1 | Vietnam–US (vn-us) P | R | F1 |\n"
      "|---|---|---|---|---|---|---|\n")
    for name, m in report["systems"].items():
        w(_row(name, m) + "\n")
    w("\n| system | event accuracy | first partner |\n|---|---|---|\n")
    for name, m in report["systems"].items():
        if name == "keyword alert":
            continue
        (ev, n), (pa, _) = m["event"], m["partner"]
        w(f"| {name} | {ev}/{n} = {ev / max(n, 1):.2f} | {pa}/{n} = {pa / max(n, 1):.2f} |\n")
    w("\nBy part of the set (the rules were written reading the old set, not the feed "
      "items):\n\n| part | system | diplomacy P | R | F1 (tp/fp/fn) | vn-us F1 | event |\n"
      "|---|---|---|---|---|---|---|\n")
    for part, sub in report["subsets"].items():
        for name, m in sub["systems"].items():
            d, us, (ev, n) = m["diplomacy"], m["US"], m["event"]
            us_f1 = f"{us['f1']:.3f}" if us["tp"] + us["fp"] + us["fn"] else "–"
            w(f"| {part}: {sub['labelled']} texts, {sub['diplomacy']} diplomacy | {name} | "
              f"{d['precision']:.3f} | {d['recall']:.3f} | {d['f1']:.3f} ({d['tp']}/{d['fp']}/"
              f"{d['fn']}) | {us_f1} | {ev}/{n} |\n")
    w("\n| VNTC topic | flagged: keyword alert | flagged: rules + model |\n|---|---|---|\n")
    for topic, label in VNTC_TOPICS.items():
        a, n = report["flagged"]["alert"][topic]
        c, _ = report["flagged"]["combined"][topic]
        mark = " (target < 1%)" if topic in MUST_BE_RARE else ""
        w(f"| {topic} {label}{mark} | {a}/{n} = {100 * a / n:.1f}% | {c}/{n} = "
          f"{100 * c / n:.1f}% |\n")
    if speed:
        w(f"\n`diplowatch classify` on one core (taskset), {speed['articles']:.0f} articles "
          f"({speed['mb']:.1f} MB of JSON lines), start-up included, best of 3: "
          f"**{speed['per_cpu_second']:.0f} articles per CPU-second** "
          f"({speed['cpu_seconds']:.2f} s of CPU); {speed['per_second']:.0f} articles/s by "
          f"the wall clock ({speed['seconds']:.2f} s, machine load "
          f"{os.getloadavg()[0]:.1f})\n")
    w(f"\nShipped weights reproduced by `bench.train_classifier`: {report['refit_check']}\n")
    w("\nCross-validated errors (file, gold, score, note):\n")
    for key, gold, score, note in report["errors"]:
        w(f"- {key}: gold {'yes' if gold else 'no'}, score {score:.2f} — {note}\n")
    return out.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--no-speed", action="store_true")
    args = parser.parse_args(argv)
    if not (args.shared / "corpus").exists():
        print(f"no ../shared corpus at {args.shared}", file=sys.stderr)
        return 2
    report = evaluate(args.shared, args.folds, progress=lambda m: print(m, file=sys.stderr))
    speed = None if args.no_speed else measure_speed(load_corpus(args.shared))
    print(render(report, speed))
    return 0


if __name__ == "__main__":
    sys.exit(main())
