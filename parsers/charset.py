"""Bytes → text for web pages: pick the character encoding the way browsers roughly do.

Pure: no network. Order of evidence (first that works wins):

1. a byte order mark (UTF-8, UTF-16 LE/BE);
2. the ``charset`` of the HTTP ``Content-Type`` header, when it is a known encoding and the
   body decodes with it strictly;
3. ``<meta charset>``, ``<meta http-equiv="Content-Type" content="...; charset=...">`` or an
   XML declaration ``<?xml ... encoding="..."?>`` within the first 4 KB;
4. detection: strict UTF-8 first, then charset-normalizer;
5. UTF-8 with ``errors="replace"``.

A declared single-byte encoding (ISO-8859-1, windows-1252, windows-1258, ...) is overridden
by UTF-8 when the bytes are valid UTF-8 *and* contain multibyte sequences: that is the
common mislabelling (servers sending UTF-8 pages with a default ``charset=iso-8859-1``), and
genuine single-byte text almost never happens to be valid UTF-8.

Labels follow the WHATWG Encoding Standard where it matters: ``iso-8859-1``, ``latin1`` and
``us-ascii`` mean windows-1252. The returned text is Unicode NFC (Vietnamese in windows-1258
uses combining tone marks, which NFC composes).
"""

from __future__ import annotations

import codecs
import logging
import re
import unicodedata

from charset_normalizer import from_bytes

__all__ = ["canonical_charset", "charset_from_content_type", "decode_html", "sniff_declared"]

logger = logging.getLogger("diplowatch.parsers.charset")

PRESCAN_BYTES = 4096
DETECTION_BYTES = 200_000  # charset-normalizer is given at most this much of the body

_BOMS: tuple[tuple[bytes, str, str], ...] = (  # (bom, Python codec, reported name)
    (codecs.BOM_UTF8, "utf-8", "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "utf-16le"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "utf-16be"),
)

# WHATWG: these labels all mean windows-1252 on the web.
_WHATWG_ALIASES: dict[str, str] = {
    "iso-8859-1": "windows-1252",
    "iso8859-1": "windows-1252",
    "iso_8859-1": "windows-1252",
    "latin1": "windows-1252",
    "latin-1": "windows-1252",
    "l1": "windows-1252",
    "l1252": "windows-1252",
    "ascii": "windows-1252",
    "us-ascii": "windows-1252",
    "ansi_x3.4-1968": "windows-1252",
    "x-cp1252": "windows-1252",
    "cp1252": "windows-1252",
    "cp1258": "windows-1258",
    "x-cp1258": "windows-1258",
    "unicode-1-1-utf-8": "utf-8",
    "utf8": "utf-8",
    "x-unicode20utf8": "utf-8",
}

# Python codec names → the names we report (IANA / WHATWG style).
_REPORTED_NAMES: dict[str, str] = {
    "utf-8": "utf-8",
    "utf-16-le": "utf-16le",
    "utf-16-be": "utf-16be",
    "utf-16": "utf-16",
    "latin-1": "iso-8859-1",
    "ascii": "us-ascii",
}

_CHARSET_PARAM = re.compile(r"""charset\s*=\s*["']?\s*([^\s"';,]+)""", re.IGNORECASE)
_META_TAG = re.compile(rb"<meta\b[^>]*>", re.IGNORECASE)
_META_CHARSET = re.compile(rb"""charset\s*=\s*["']?\s*([A-Za-z0-9._:\-]+)""", re.IGNORECASE)
_XML_DECL = re.compile(
    rb"""^\s*<\?xml\b[^>]*?\bencoding\s*=\s*["']([A-Za-z0-9._:\-]+)["']""", re.IGNORECASE
)


def charset_from_content_type(value: str | None) -> str | None:
    """The ``charset`` parameter of a Content-Type value, lower-cased, or None.

    >>> charset_from_content_type('text/html; charset="UTF-8"')
    'utf-8'
    """
    if not value:
        return None
    match = _CHARSET_PARAM.search(value)
    if match is None:
        return None
    label = match.group(1).strip().lower()
    return label or None


def canonical_charset(label: str | None) -> str | None:
    """A charset label → our canonical name (``windows-1258``, ``utf-8``...), or None if unknown.

    Applies the WHATWG aliases (``iso-8859-1`` → ``windows-1252``) before looking the label up
    among Python's codecs.
    """
    if not label:
        return None
    label = label.strip().strip("\"'").lower()
    label = _WHATWG_ALIASES.get(label, label)
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    match = re.fullmatch(r"cp(125\d)", name)
    if match:
        return f"windows-{match.group(1)}"
    match = re.fullmatch(r"iso8859-(\d+)", name)
    if match:
        return f"iso-8859-{match.group(1)}"
    return _REPORTED_NAMES.get(name, name)


def sniff_declared(body: bytes) -> str | None:
    """The charset declared inside the document (meta tag or XML declaration), if any.

    Only the first 4 KB are examined. Returns the canonical name, or None when nothing usable
    is declared. A declared UTF-16 in an ASCII-compatible prescan means UTF-8 (WHATWG).
    """
    head = body[:PRESCAN_BYTES]
    candidates: list[bytes] = []
    xml = _XML_DECL.match(head)
    if xml:
        candidates.append(xml.group(1))
    for tag in _META_TAG.finditer(head):
        found = _META_CHARSET.search(tag.group(0))
        if found:
            candidates.append(found.group(1))
    for raw in candidates:
        name = canonical_charset(raw.decode("ascii", errors="ignore"))
        if name is None:
            continue
        if name.startswith("utf-16") or name.startswith("utf-32"):
            return "utf-8"
        return name
    return None


def _decode_strict(body: bytes, charset: str) -> str | None:
    try:
        return body.decode(charset)
    except (UnicodeDecodeError, LookupError):
        return None


def _is_multibyte_utf8(body: bytes) -> str | None:
    """The body decoded as UTF-8 when it is valid UTF-8 with at least one non-ASCII char."""
    if body.isascii():
        return None
    return _decode_strict(body, "utf-8")


def _with_declared(body: bytes, charset: str) -> tuple[str, str] | None:
    """Decode with a declared charset, preferring UTF-8 when the label is a mislabelling."""
    if charset != "utf-8" and not charset.startswith(("utf-16", "utf-32")):
        as_utf8 = _is_multibyte_utf8(body)
        if as_utf8 is not None:
            logger.debug("declared %s but body is valid multibyte UTF-8: using utf-8", charset)
            return as_utf8, "utf-8"
    text = _decode_strict(body, charset)
    if text is None:
        return None
    return text, charset


def _detect(body: bytes) -> tuple[str, str] | None:
    text = _decode_strict(body, "utf-8")
    if text is not None:
        return text, "utf-8"
    best = from_bytes(body[:DETECTION_BYTES]).best()
    if best is None:
        return None
    name = canonical_charset(best.encoding)
    if name is None:
        return None
    decoded = _decode_strict(body, name)
    if decoded is None:
        # The sample decoded but the full body does not: keep what can be kept.
        decoded = body.decode(name, errors="replace")
    return decoded, name


def _nfc(result: tuple[str, str]) -> tuple[str, str]:
    text, charset = result
    return unicodedata.normalize("NFC", text), charset


def _as_is(result: tuple[str, str]) -> tuple[str, str]:
    return result


def decode_html(
    body: bytes, header_charset: str | None = None, *, nfc: bool = True
) -> tuple[str, str]:
    """Decode an HTML/XML body. Returns ``(text in NFC, charset name used)``.

    ``header_charset`` is the charset from the HTTP header (a bare label such as ``"utf-8"``
    or a whole Content-Type value; both are accepted). ``nfc=False`` skips the final NFC pass
    (a few milliseconds on a large page that is not NFC): for callers that normalise every
    piece of text they keep, as the article parsers do.
    """
    finish = _nfc if nfc else _as_is
    for bom, codec, reported in _BOMS:
        if body.startswith(bom):
            return finish((body[len(bom) :].decode(codec, errors="replace"), reported))

    if header_charset and ("/" in header_charset or "=" in header_charset):
        header_charset = charset_from_content_type(header_charset)
    declared = canonical_charset(header_charset)
    if declared is not None:
        result = _with_declared(body, declared)
        if result is not None:
            return finish(result)
        logger.debug("body does not decode with header charset %s", declared)

    in_document = sniff_declared(body)
    if in_document is not None and in_document != declared:
        result = _with_declared(body, in_document)
        if result is not None:
            return finish(result)
        logger.debug("body does not decode with declared charset %s", in_document)

    detected = _detect(body)
    if detected is not None:
        return finish(detected)
    return finish((body.decode("utf-8", errors="replace"), "utf-8"))
