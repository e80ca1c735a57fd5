"""Text normalisation for Vietnamese news: one Unicode form, one tone-mark style, clean spaces.

Everything the analysis matches runs on ``normalize_text`` output, and every pattern of the
lexicons is passed through ``normalize_tones`` when it is compiled, so text and patterns agree.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

__all__ = [
    "fold_accents",
    "normalize_text",
    "normalize_tones",
    "trie_pattern",
    "word_set",
]

# Tone marks as combining characters (NFD): grave, acute, tilde, hook above, dot below.
_TONE_MARKS = frozenset("\u0300\u0301\u0303\u0309\u0323")


def _split_tone(ch: str) -> tuple[str, str]:
    """``'à'`` → ``('a', '\\u0300')``; a letter without tone → ``(ch, '')``."""
    decomposed = unicodedata.normalize("NFD", ch)
    marks = "".join(c for c in decomposed if c in _TONE_MARKS)
    base = "".join(c for c in decomposed if c not in _TONE_MARKS)
    return unicodedata.normalize("NFC", base), marks


def _toned(letters: str) -> str:
    out = []
    for base in letters:
        for tone in sorted(_TONE_MARKS):
            out.append(unicodedata.normalize("NFC", base + tone))
    return "".join(out)


# "New style" placement puts the tone on the second vowel of the open syllables oa, oe, uy
# (hoà, khoẻ, thuý); most outlets (and VNTC, mostly) use the other placement (hòa, khỏe, thúy).
# Only open syllables: "hoàng", "khuyến" are written alike in both styles. After "q" the "u"
# belongs to the consonant ("quý" is correct), so it is left alone.
_NOT_BEFORE = frozenset("qQaăâeêioôơuưyAĂÂEÊIOÔƠUƯY")
_PAIRS = {"o": "ae", "u": "y"}
_NEW_STYLE = re.compile(rf"[oOuU][{_toned('aAeEyY')}](?![^\W\d_])")


def _fix_tone(m: re.Match[str]) -> str:
    v1, v2 = m.group(0)[0], m.group(0)[1]
    start = m.start()
    before = m.string[start - 1] if start else ""
    base2, tone = _split_tone(v2)
    if base2.lower() not in _PAIRS[v1.lower()] or (before and before in _NOT_BEFORE):
        return m.group(0)  # not oa/oe/uy; "quý" is right; a longer cluster is not ours
    return unicodedata.normalize("NFC", v1 + tone) + base2


def normalize_tones(s: str) -> str:
    """Move old/new-style tone marks to one placement: hoà→hòa, thuý→thúy, khoẻ→khỏe.

    Expects NFC text (``normalize_text`` takes care of that)."""
    return _NEW_STYLE.sub(_fix_tone, s)


# Control characters (except tab/newline, handled as whitespace), soft hyphen, zero-width and
# bidi formatting characters, byte order marks: removed.
_INVISIBLE = re.compile(
    "[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f\u00ad\u061c\u180e\u200b-\u200f"
    "\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb]"
)
_LINE_BREAKS = re.compile("[\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")


def normalize_text(s: str) -> str:
    """NFC, one tone-mark placement, no control/bidi characters, collapsed whitespace.

    Runs of spaces become one space; line breaks are kept (paragraphs matter to the
    classifier), with blank-line runs reduced to one blank line. Leading and trailing
    whitespace is stripped."""
    s = unicodedata.normalize("NFC", s)
    s = s.replace("\r\n", "\n")
    if _LINE_BREAKS.search(s):
        s = _LINE_BREAKS.sub("\n", s)
    if _INVISIBLE.search(s):
        s = _INVISIBLE.sub("", s)
    lines: list[str] = []
    blank = False
    for line in s.split("\n"):
        words = line.split()  # every Unicode space, the no-break ones too
        if words:
            if blank and lines:
                lines.append("")
            lines.append(" ".join(words))
            blank = False
        else:
            blank = True
    # Tone placement can leave a second combining mark apart, and removing an invisible
    # character can bring a letter and its mark together: compose once more at the end.
    return unicodedata.normalize("NFC", normalize_tones("\n".join(lines)))


_COMBINING = re.compile("[\u0300-\u036f]")


def fold_accents(s: str) -> str:
    """Lowercase, without diacritics, đ→d: ``"Đại sứ Hoa Kỳ"`` → ``"dai su hoa ky"``."""
    s = _COMBINING.sub("", unicodedata.normalize("NFD", s))
    return s.lower().replace("đ", "d")


def word_set(words: str) -> frozenset[str]:
    """The space-separated words of ``words``, tone-normalised: for word lists in code."""
    return frozenset(normalize_tones(w) for w in words.split())


def trie_pattern(words: Iterable[str]) -> str:
    """A regex source matching any of ``words``, longest first, factored as a trie.

    Python's ``re`` tries alternatives one by one; a trie keeps big gazetteers fast."""
    trie: _Trie = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}
    return _trie_to_regex(trie)


_Trie = dict[str, "_Trie"]


def _trie_to_regex(node: _Trie) -> str:
    ends = "" in node
    branches = [re.escape(ch) + _trie_to_regex(node[ch]) for ch in sorted(k for k in node if k)]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    if ends:
        if len(branches) == 1 and len(branches[0]) == 1:
            return body + "?"
        return "(?:" + body + ")?"
    return body
