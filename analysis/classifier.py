"""The diplomacy classifier: the rules (``analysis.rules``) and the trained model
(``analysis.model``) together, with the evidence for each verdict.

The rules find who, what and with whom (partners, event, people, fields of cooperation, the
sentences that decided) and give a score; the model reweighs that score with the article's
vocabulary. The verdict's ``score`` is the model's probability and ``THRESHOLD`` decides. Its
evidence is the rules' sentences, then one line telling the model's reading: the rules'
score and the words that weighed most, for and against.
"""

from __future__ import annotations

from analysis.model import Model, load_model
from analysis.rules import RuleResult, apply_rules
from records import Article, Verdict

__all__ = ["MODEL_VERSION", "THRESHOLD", "classify", "classify_article", "decide"]

MODEL_VERSION = "rules-2+lr-1"
THRESHOLD = 0.5
EVIDENCE_WORDS = 4  # words shown in the model's evidence line, for and against...
EVIDENCE_SHARE = 0.05  # ...when they move the log-odds at least this much


def classify(title: str, text: str, *, model: Model | None = None) -> Verdict:
    """Classify one article: ``title`` and body ``text`` (sapo and paragraphs), any Unicode
    form. Never raises on odd text; an empty article is not diplomacy.

    ``model``: another trained model (cross-validation); by default the shipped one."""
    return decide(apply_rules(title, text), model)


def classify_article(article: Article) -> Verdict:
    """``classify`` on an ``Article``: its title, and its sapo (lead) before the paragraphs."""
    parts = list(article.paragraphs)
    if article.sapo and (not parts or parts[0].strip() != article.sapo.strip()):
        parts.insert(0, article.sapo)
    return classify(article.title, "\n\n".join(parts))


def decide(rules: RuleResult, model: Model | None = None) -> Verdict:
    """The verdict on an article the rules have read."""
    if not rules.doc.sentences:
        return Verdict(False, 0.0, model_version=MODEL_VERSION)
    model = model or load_model()
    probability, parts = model.probability_of(rules)
    score = round(probability, 4)
    is_diplomacy = score >= THRESHOLD
    return Verdict(
        is_diplomacy=is_diplomacy,
        score=score,
        partners=rules.partners,
        event=(rules.event or "other") if is_diplomacy else None,
        topics=rules.topics,
        people=rules.people,
        evidence=(*rules.evidence, _model_line(parts, rules.score, score)),
        model_version=MODEL_VERSION,
    )


def _model_line(parts: list[tuple[str, float]], rules_score: float, score: float) -> str:
    """"model 0.97 (rules 0.95); for: hội đàm, đại sứ; against: chứng khoán"."""
    words_for: list[str] = []
    words_against: list[str] = []
    for name, part in parts:
        prefix, _, gram = name.partition(":")
        if abs(part) < EVIDENCE_SHARE:
            break  # sorted by magnitude: the rest weigh less
        if prefix not in ("f", "a") or gram in words_for or gram in words_against:
            continue
        bucket = words_for if part > 0 else words_against
        if len(bucket) < EVIDENCE_WORDS:
            bucket.append(gram)
        if len(words_for) >= EVIDENCE_WORDS and len(words_against) >= EVIDENCE_WORDS:
            break
    line = f"model {score:.2f} (rules {rules_score:.2f})"
    if words_for:
        line += "; for: " + ", ".join(words_for)
    if words_against:
        line += "; against: " + ", ".join(words_against)
    return line
