"""URL normalisation: the key for idempotent storage upserts.

``normalize_url`` turns every spelling of one article URL into one string:
absolute, https, lower-case host without default port, no fragment, no tracking
parameters, mobile hosts of registry outlets folded onto the desktop host
(``m.vnexpress.net`` -> ``vnexpress.net``). Path case is kept (paths are case-sensitive).
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, quote, unquote, urlencode, urljoin, urlsplit, urlunsplit

from parsers.registry import outlet_for_host, web_host

# Query parameters that only track the reader or the campaign, never select content.
_TRACKING_EXACT = frozenset({
    "fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "igshid", "mc_cid",
    "mc_eid", "zarsrc", "zacc", "zlsid", "_ga", "_gl", "ref", "ref_src", "cmpid", "ncid",
    "vn_source", "vn_medium", "vn_campaign", "vn_content", "vn_term", "vnecampaign", "s_cid",
})
_TRACKING_PREFIX = ("utm_", "pk_", "mtm_", "itm_", "vn_")
# Host prefixes that serve the same articles as an outlet's desktop host.
_ALIAS_PREFIXES = ("", "www.", "m.", "mobile.", "amp.", "www.m.")
_SAFE_PATH = "/%:@!$&'()*+,;=-._~"


def _is_tracking(name: str) -> bool:
    name = name.lower()
    return name in _TRACKING_EXACT or name.startswith(_TRACKING_PREFIX)


def _canonical_host(host: str) -> str:
    """Fold www./m./amp. aliases of a registry outlet's main domain onto its web host."""
    host = host.lower().rstrip(".")
    outlet = outlet_for_host(host)
    if outlet is None:
        return host
    main = outlet.domains[0]
    if any(host == prefix + main for prefix in _ALIAS_PREFIXES):
        return web_host(outlet)
    return host


def normalize_url(url: str, base: str | None = None) -> str:
    """Normalise ``url`` (resolved against ``base`` when relative); see the module docstring.

    Raises ValueError when the result is not an absolute http(s) URL.
    """
    url = url.strip()
    if base:
        url = urljoin(base.strip(), url)
    if url.startswith("//"):
        url = "https:" + url
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"not an absolute http(s) URL: {url!r}")
    host = _canonical_host(parts.hostname)
    netloc = f"[{host}]" if ":" in host else host  # an IPv6 literal keeps its brackets
    if parts.port is not None and parts.port not in (80, 443):
        netloc = f"{netloc}:{parts.port}"
    # Re-quote the path so "%C3%A2" and "â" spellings agree; keep its case.
    path = quote(unquote(parts.path), safe=_SAFE_PATH) or "/"
    path = re.sub(r"/{2,}", "/", path)
    query_pairs = [
        (name, value)
        for name, value in parse_qsl(parts.query, keep_blank_values=True)
        if not _is_tracking(name)
    ]
    query = urlencode(query_pairs, doseq=True)
    return urlunsplit(("https", netloc, path, query, ""))


def host_of(url: str) -> str:
    """Lower-case host of ``url`` ("" when it has none)."""
    return (urlsplit(url.strip()).hostname or "").lower().rstrip(".")
