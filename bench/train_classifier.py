"""Train the classifier's model on the labelled development set and write its weights.

    uv run python -m bench.train_classifier [--shared ../shared] [--folds 5]

The model is a logistic regression that *corrects* the rules: the rules' log-odds is a fixed
offset (weight 4 on ``rule:logit``, no intercept), and L2-regularised weights on the rules'
signals and the syllable n-grams move the verdict away from the rules only as far as the
labels support. With every learned weight at zero it is the rules' verdict; with few
labelled diplomacy articles that is where strong regularisation keeps it.

Prints a cross-validated comparison (same stratified folds, fixed seed) of: the rules alone;
the correction over the rules' signals only; over signals and syllable n-grams (shipped);
over signals and underthesea's words; a plain logistic regression on syllable n-grams
without the rules; and the regularisation grid. Then fits the shipped model on the whole
set and writes ``analysis/models/diplomacy.json`` (plain JSON: feature → weight; no
pickle). Deterministic: running it again on the same labels gives the same file.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from analysis.model import MODEL_PATH, Model, features
from analysis.rules import RuleResult, apply_rules
from bench.classification import DEFAULT_SHARED, Label, load_corpus, load_labels, prf

DEFAULT_C = 0.01  # inverse regularisation strength: the best of C_GRID under cross-validation
C_GRID = (0.003, 0.01, 0.03, 0.1, 0.3, 1.0)
RULES_WEIGHT = 4.0  # rule:logit is log-odds / 4; this weight restores the log-odds (fixed)
MIN_DOCS = 2  # an n-gram must occur in at least this many training articles...
MAX_DOC_SHARE = 0.3  # ...and in at most this share of them ("và", "của" tell nothing)
MIN_WEIGHT = 1e-3  # smaller weights are dropped from the shipped file
SEED = 0
VERSION = "lr-1"

Featurizer = Callable[[RuleResult], dict[str, float]]


def fit(rows: Sequence[RuleResult], y: Sequence[bool], c: float = DEFAULT_C,
        featurize: Featurizer = features, offset: bool = True) -> Model:
    """The correction model (see the module docstring); ``offset=False``: a plain,
    class-balanced logistic regression with an intercept, for comparison."""
    import numpy as np
    from scipy.optimize import minimize  # type: ignore[import-untyped]
    from sklearn.feature_extraction import DictVectorizer  # type: ignore[import-untyped]

    xs = [featurize(r) for r in rows]
    df = Counter(name for x in xs for name in x)
    base = np.array([RULES_WEIGHT * x.get("rule:logit", 0.0) if offset else 0.0 for x in xs])
    most = MAX_DOC_SHARE * len(xs)
    xs = [{k: v for k, v in x.items() if k != "rule:logit"
           and (k.split(":", 1)[0] == "sig" or MIN_DOCS <= df[k] <= most)} for x in xs]
    vec = DictVectorizer()
    matrix = vec.fit_transform(xs).tocsr()
    sign = np.array([1.0 if v else -1.0 for v in y])
    positives = max(int((sign > 0).sum()), 1)
    share = np.ones(len(sign)) if offset else np.where(
        sign > 0, len(sign) / (2.0 * positives), len(sign) / (2.0 * max(len(sign) - positives, 1)))
    n = matrix.shape[1]

    def loss(p: Any) -> tuple[float, Any]:
        w, b = p[:n], p[n]
        margin = -sign * (base + matrix @ w + b)
        g = -share * sign / (1.0 + np.exp(-margin))
        grad_b = 0.0 if offset else float(g.sum())
        value = float((share * np.logaddexp(0.0, margin)).sum() + 0.5 / c * (w @ w))
        return value, np.concatenate([matrix.T @ g + w / c, [grad_b]])

    result = minimize(loss, np.zeros(n + 1), jac=True, method="L-BFGS-B",
                      options={"maxiter": 5000, "gtol": 1e-7})
    names = vec.get_feature_names_out()
    weights = {str(k): round(float(w), 6) for k, w in zip(names, result.x[:n], strict=True)
               if abs(w) >= MIN_WEIGHT}
    if offset:
        weights["rule:logit"] = RULES_WEIGHT
    return Model(VERSION, round(float(result.x[n]), 6), weights)


def folds_of(keys: Sequence[str], y: Sequence[bool], k: int) -> list[list[int]]:
    """Stratified folds (indices of the test part), shuffled with a fixed seed."""
    from sklearn.model_selection import StratifiedKFold  # type: ignore[import-untyped]

    splitter = StratifiedKFold(n_splits=k, shuffle=True, random_state=SEED)
    return [list(test) for _, test in splitter.split(list(keys), [int(v) for v in y])]


def cross_validated(rules: dict[str, RuleResult], labels: dict[str, Label],
                    keys: Sequence[str], c: float = DEFAULT_C, k: int = 5,
                    featurize: Featurizer = features, offset: bool = True) -> dict[str, Model]:
    """For each labelled article, the model trained on the folds that do not contain it."""
    y = [labels[key].diplomacy for key in keys]
    out: dict[str, Model] = {}
    for test in folds_of(keys, y, k):
        held = set(test)
        train = [i for i in range(len(keys)) if i not in held]
        model = fit([rules[keys[i]] for i in train], [y[i] for i in train], c, featurize,
                    offset)
        for i in test:
            out[keys[i]] = model
    return out


def cv_f1(rules: dict[str, RuleResult], labels: dict[str, Label], keys: Sequence[str],
          c: float, k: int, featurize: Featurizer, offset: bool = True) -> dict[str, float]:
    models = cross_validated(rules, labels, keys, c, k, featurize, offset)
    pairs = [(labels[key].diplomacy, models[key].probability(featurize(rules[key])) >= 0.5)
             for key in keys]
    return prf(pairs)


def _only(prefixes: tuple[str, ...]) -> Featurizer:
    def featurize(r: RuleResult) -> dict[str, float]:
        return {n: v for n, v in features(r).items() if n.split(":", 1)[0] in prefixes}
    return featurize


def _with_words(words: dict[int, list[str]]) -> Featurizer:
    def featurize(r: RuleResult) -> dict[str, float]:
        return features(r, words[id(r)])
    return featurize


def underthesea_words(rules: Sequence[RuleResult]) -> dict[int, list[str]]:
    """underthesea's word segmentation of each article (lowercased words, "_" joined)."""
    from underthesea import word_tokenize  # type: ignore[import-untyped]

    out: dict[int, list[str]] = {}
    for r in rules:
        tokens = word_tokenize(r.doc.text, format="text").lower().split()
        out[id(r)] = [t for t in tokens if any(ch.isalpha() for ch in t)]
    return out


def compare(rules: dict[str, RuleResult], labels: dict[str, Label], keys: list[str],
            k: int) -> list[tuple[str, dict[str, float]]]:
    rows: list[tuple[str, dict[str, float]]] = [
        ("rules alone (score >= 0.5)",
         prf([(labels[key].diplomacy, rules[key].score >= 0.5) for key in keys])),
    ]
    started = time.perf_counter()
    words = underthesea_words([rules[key] for key in keys])
    seconds = (time.perf_counter() - started) / max(len(keys), 1)
    variants: list[tuple[str, Featurizer, bool, float]] = [
        ("rules corrected by their signals", _only(("rule", "sig")), True, DEFAULT_C),
        ("rules corrected by signals + syllable n-grams (shipped)", features, True, DEFAULT_C),
        (f"rules corrected by signals + underthesea words ({1000 * seconds:.0f} ms/article)",
         _with_words(words), True, DEFAULT_C),
        ("plain LR on syllable n-grams, no rules (balanced, C = 10)", _only(("f", "a")), False,
         10.0),
    ]
    for name, featurize, offset, c in variants:
        rows.append((name, cv_f1(rules, labels, keys, c, k, featurize, offset)))
    for c in C_GRID:
        rows.append((f"  shipped features, C = {c}", cv_f1(rules, labels, keys, c, k,
                                                           features)))
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--out", type=Path, default=MODEL_PATH)
    parser.add_argument("--no-compare", action="store_true")
    args = parser.parse_args(argv)
    texts = load_corpus(args.shared)
    labels = {key: lab for key, lab in load_labels().items() if key in texts}
    keys = sorted(labels)
    rules = {key: apply_rules(texts[key].title, texts[key].body) for key in keys}
    info: dict[str, Any] = {
        "trained_on": f"bench/labels/diplomacy_devset.csv: {len(keys)} articles, "
                      f"{sum(labels[key].diplomacy for key in keys)} diplomacy",
        "features": "rule:logit, sig:* (analysis.rules), f:/a: syllable uni+bigrams "
                    f"(in >= {MIN_DOCS} articles and <= {MAX_DOC_SHARE:.0%} of them)",
        "model": f"rules' log-odds as offset + L2 (C = {DEFAULT_C}) correction, no intercept",
    }
    if not args.no_compare:
        print(f"{args.folds}-fold cross-validation, diplomacy F1 (precision, recall):")
        for name, m in compare(rules, labels, keys, args.folds):
            print(f"  {name:70} F1 {m['f1']:.3f} (P {m['precision']:.3f}, "
                  f"R {m['recall']:.3f}; tp {m['tp']}, fp {m['fp']}, fn {m['fn']})")
    shipped = cv_f1(rules, labels, keys, DEFAULT_C, args.folds, features)
    info["cross_validated_f1"] = round(shipped["f1"], 4)
    model = fit([rules[key] for key in keys], [labels[key].diplomacy for key in keys])
    model = Model(model.version, model.bias, model.weights, info=info)
    model.save(args.out)
    print(f"wrote {args.out}: {len(model.weights)} weights, "
          f"{args.out.stat().st_size / 1000:.0f} kB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
