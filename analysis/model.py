"""The trained part of the classifier: a logistic regression that corrects the rules.

Its log-odds is the rules' own log-odds (``rule:logit``, a fixed weight, no intercept) plus
learned, L2-regularised weights on the rules' named signals (``sig:front``, ``sig:sport``,
``sig:event_reception``...) and on syllable unigrams and bigrams of the title and lead
(``f:``) and of the whole text (``a:``). With every learned weight at zero it gives the
rules' verdict; the labels move it away only as far as they support.

Why this model: the labelled development set is small (hundreds of articles, only 19 of them
diplomacy), so the model must be simple, strongly regularised and cheap to run. A plain
classifier over n-grams cannot learn diplomacy from 18 examples (its cross-validated F1 is
printed by ``bench/train_classifier.py``), but it can learn corrections to the rules, and it
will learn more as the labels grow. It is trained with scipy (``bench/train_classifier.py``)
and runs here in plain Python from a small JSON file of weights, so production needs neither
scikit-learn nor ../shared, and the classifier stays at a thousand articles per CPU-second.

Syllables, not words: the training script compares them with underthesea's word
segmentation under the same cross-validation (no gain, tens of milliseconds per article).
"""

from __future__ import annotations

import itertools
import json
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from analysis.lexicon import lower_same_length
from analysis.rules import RuleResult

__all__ = [
    "MODEL_PATH",
    "Model",
    "features",
    "load_model",
    "ngram_features",
    "syllables",
]

MODEL_PATH = Path(__file__).resolve().parent / "models" / "diplomacy.json"
_SYLLABLE = re.compile(r"[^\W\d_]+")


def syllables(text: str) -> list[str]:
    """Lowercased letter runs of ``text`` (``normalize_text`` output): Vietnamese syllables."""
    return _SYLLABLE.findall(lower_same_length(text))


def block_value(tokens: list[str]) -> float:
    """The value of each n-gram present in a block: about one over the square root of the
    number of n-grams (long articles do not outweigh short ones)."""
    n = len(set(tokens)) + max(len(tokens) - 1, 0)
    return 1.0 / math.sqrt(n) if n else 0.0


def ngram_features(prefix: str, tokens: list[str], out: dict[str, float]) -> None:
    """Unigrams and bigrams of ``tokens`` as present/absent features (``block_value``)."""
    value = block_value(tokens)
    for gram in tokens:
        out[prefix + gram] = value
    for a, b in itertools.pairwise(tokens):
        out[f"{prefix}{a} {b}"] = value


def text_blocks(rules: RuleResult) -> list[tuple[str, list[str]]]:
    """The n-gram blocks: the title and lead ("f:"), the whole text ("a:")."""
    doc = rules.doc
    return [("f:", syllables(doc.text[:doc.lead_end])), ("a:", syllables(doc.text))]


def rule_features(rules: RuleResult) -> dict[str, float]:
    """``rule:logit`` (the rules' log-odds / 4) and the rules' signals (``sig:``)."""
    score = min(max(rules.score, 0.01), 0.99)
    out = {"rule:logit": math.log(score / (1.0 - score)) / 4.0}
    for name, value in rules.signals.items():
        out["sig:" + name] = value
    return out


def features(rules: RuleResult, words: Iterable[str] | None = None) -> dict[str, float]:
    """The model's inputs for one article (see the module docstring).

    ``words``: other tokens for the text blocks (the training script passes underthesea's
    words to compare); by default the syllables."""
    out = rule_features(rules)
    if words is None:
        for prefix, tokens in text_blocks(rules):
            ngram_features(prefix, tokens, out)
    else:
        ngram_features("a:", list(words), out)
    return out


@dataclass(frozen=True, slots=True)
class Model:
    """Weights of a logistic regression over ``features``."""

    version: str
    bias: float
    weights: dict[str, float]
    threshold: float = 0.5
    info: dict[str, Any] = field(default_factory=dict)  # how it was trained and measured
    # n-gram weights by block prefix: unigram → weight, and first word → second → weight
    _unigrams: dict[str, dict[str, float]] = field(init=False, repr=False, compare=False)
    _bigrams: dict[str, dict[str, dict[str, float]]] = field(init=False, repr=False,
                                                             compare=False)

    def __post_init__(self) -> None:
        unigrams: dict[str, dict[str, float]] = {}
        bigrams: dict[str, dict[str, dict[str, float]]] = {}
        for name, weight in self.weights.items():
            prefix, sep, gram = name.partition(":")
            if not sep or prefix in ("rule", "sig"):
                continue
            first, space, second = gram.partition(" ")
            if space:
                bigrams.setdefault(prefix + ":", {}).setdefault(first, {})[second] = weight
            else:
                unigrams.setdefault(prefix + ":", {})[gram] = weight
        object.__setattr__(self, "_unigrams", unigrams)
        object.__setattr__(self, "_bigrams", bigrams)

    def explain(self, rules: RuleResult) -> tuple[float, list[tuple[str, float]]]:
        """The logit of ``features(rules)`` and each weighted feature's share of it, computed
        without building the features the model has no weight for (fast)."""
        w = self.weights
        parts = [(name, value * w[name]) for name, value in rule_features(rules).items()
                 if name in w]
        for prefix, tokens in text_blocks(rules):
            unigrams = self._unigrams.get(prefix, {})
            bigrams = self._bigrams.get(prefix, {})
            value = block_value(tokens)
            seen: set[str] = set()
            for i, token in enumerate(tokens):
                weight = unigrams.get(token)
                if weight is not None and token not in seen:
                    seen.add(token)
                    parts.append((prefix + token, value * weight))
                following = bigrams.get(token)
                if following is not None and i + 1 < len(tokens):
                    nxt = tokens[i + 1]
                    weight = following.get(nxt)
                    gram = f"{token} {nxt}"
                    if weight is not None and gram not in seen:
                        seen.add(gram)
                        parts.append((prefix + gram, value * weight))
        return self.bias + sum(part for _, part in parts), parts

    def probability_of(self, rules: RuleResult) -> tuple[float, list[tuple[str, float]]]:
        """``explain`` as a probability, with the shares sorted by magnitude."""
        z, parts = self.explain(rules)
        return _sigmoid(z), sorted(parts, key=lambda kv: -abs(kv[1]))

    def logit(self, x: dict[str, float]) -> float:
        w = self.weights
        return self.bias + sum(value * w[name] for name, value in x.items() if name in w)

    def probability(self, x: dict[str, float]) -> float:
        return _sigmoid(self.logit(x))

    def contributions(self, x: dict[str, float]) -> list[tuple[str, float]]:
        """Each known feature's share of the logit, largest magnitude first."""
        w = self.weights
        parts = [(name, value * w[name]) for name, value in x.items() if name in w]
        return sorted(parts, key=lambda kv: -abs(kv[1]))

    def to_json(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "threshold": self.threshold,
            "bias": round(self.bias, 6),
            "info": self.info,
            "weights": {k: round(v, 6) for k, v in sorted(self.weights.items())},
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Model:
        return cls(
            version=str(data["version"]),
            bias=float(data["bias"]),
            weights={str(k): float(v) for k, v in data["weights"].items()},
            threshold=float(data.get("threshold", 0.5)),
            info=dict(data.get("info", {})),
        )

    def save(self, path: Path = MODEL_PATH) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps(self.to_json(), ensure_ascii=False, indent=0, sort_keys=False)
        path.write_text(text + "\n", encoding="utf-8")


def _sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z)) if z >= -500 else 0.0


@lru_cache(maxsize=4)
def load_model(path: Path = MODEL_PATH) -> Model:
    """The shipped model (read once per process)."""
    return Model.from_json(json.loads(path.read_text(encoding="utf-8")))
