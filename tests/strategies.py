"""Hypothesis strategies shared by the property tests and the longer fuzzing run
(bench/fuzz.py)."""

from __future__ import annotations

from hypothesis import strategies as st

# Pieces of URLs, valid and not: schemes, hosts, ports, paths, escapes, queries, fragments.
URL_PIECES = [
    "https://", "http://", "//", "HTTPS://", "ftp://", "javascript:", "", "m.", "www.",
    "vnexpress.net", "baothu.vn", "BAOTHU.VN.", ":443", ":8080", ":99999", "/", "/thế-giới",
    "%C3%A2", "%zz", "%2F", "?", "&", "=", "utm_source=rss", "id=1", "#top", "[::1]", "@", " ",
    "\t", "\\", "..", "./",
]  # fmt: skip


def urls(max_pieces: int) -> st.SearchStrategy[str]:
    """Strings made of up to ``max_pieces`` URL pieces, or any short text."""
    return st.lists(st.sampled_from(URL_PIECES), max_size=max_pieces).map("".join) | st.text(
        max_size=60
    )
