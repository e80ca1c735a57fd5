"""Text helpers shared by every parser: NFC, whitespace, entity clean-up, node text."""

from __future__ import annotations

import html
import re
import unicodedata
from typing import Any

# Zero-width and BOM characters that CMS editors leave inside Vietnamese text.
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_NOT_ASCII_ALNUM = bytes(b for b in range(128) if not chr(b).isdigit() and not "a" <= chr(b) <= "z")
# Leftover entities after a parser already decoded once (JSON-LD strings often carry "&#237;").
_ENTITY = re.compile(r"&(?:#\d{2,7}|#x[0-9a-fA-F]{2,6}|[a-zA-Z]{2,8});")


def clean_text(value: str | None) -> str:
    """NFC, entities decoded, invisible characters dropped, whitespace collapsed, stripped."""
    if not value:
        return ""
    if "&" in value:
        for _ in range(3):  # "&amp;#7871;" (double-escaped, seen in Tuổi Trẻ JSON-LD) needs two
            if not _ENTITY.search(value):
                break
            value = html.unescape(value)
    value = " ".join(_INVISIBLE.sub("", value).split())  # split(): any Unicode whitespace
    if unicodedata.is_normalized("NFC", value):
        return value
    return unicodedata.normalize("NFC", value)


def node_text(node: Any) -> str:
    """Visible text of a selectolax node, cleaned; inline elements do not split words."""
    if node is None:
        return ""
    return clean_text(node.text(deep=True, separator=""))


def fold(value: str) -> str:
    """Lower-case ASCII letters and digits only ("Dân trí" -> "dantri"), for loose comparisons."""
    value = unicodedata.normalize("NFD", value.lower().replace("đ", "d"))
    return value.encode("ascii", "ignore").translate(None, _NOT_ASCII_ALNUM).decode("ascii")


def unique(values: list[str]) -> tuple[str, ...]:
    """Drop empty strings and case-insensitive duplicates, keeping first-seen order."""
    seen: set[str] = set()
    out: list[str] = []
    for value in values:
        key = value.casefold()
        if value and key not in seen:
            seen.add(key)
            out.append(value)
    return tuple(out)
