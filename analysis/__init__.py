"""Analysis: Article → Verdict (pure: no network, no database, no Prefect).

Rules and gazetteers (``analysis.rules``) combined with a small trained model
(``analysis.model``, weights in ``analysis/models/diplomacy.json``). Public API:

- ``classify(title, text) -> Verdict`` and ``classify_article(article) -> Verdict``;
- ``normalize_text`` (NFC, one tone-mark placement, clean whitespace) and ``fold_accents``;
- ``lookup_partner(name) -> code`` and ``PARTNER_NAMES`` (code → Vietnamese name).
"""

from analysis.classifier import MODEL_VERSION, THRESHOLD, classify, classify_article
from analysis.gazetteer import PARTNER_NAMES, lookup_partner
from analysis.text import fold_accents, normalize_text

__all__ = [
    "MODEL_VERSION",
    "PARTNER_NAMES",
    "THRESHOLD",
    "classify",
    "classify_article",
    "fold_accents",
    "lookup_partner",
    "normalize_text",
]
