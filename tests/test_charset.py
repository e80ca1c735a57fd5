"""parsers.charset: BOM, header, meta, XML declaration, detection, windows-1258, mislabelling."""

from __future__ import annotations

import codecs
import unicodedata

import pytest

from parsers.charset import canonical_charset, charset_from_content_type, decode_html
from tests.site import to_cp1258

VI = (
    "Thủ tướng Phạm Minh Chính tiếp Đại sứ Hoa Kỳ tại Việt Nam. Hai bên nhất trí tăng "
    "cường hợp tác kinh tế, thương mại và đầu tư; Việt Nam coi trọng quan hệ Đối tác Chiến "
    "lược Toàn diện với Hoa Kỳ."
)




def page(body: bytes, head: bytes = b"") -> bytes:
    return (
        b"<!doctype html><html><head>"
        + head
        + b"<title>t</title></head><body><p>"
        + body
        + (b"</p></body></html>")
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("text/html; charset=UTF-8", "utf-8"),
        ('text/html; charset="windows-1258"', "windows-1258"),
        ("text/html;charset='ISO-8859-1'", "iso-8859-1"),
        ("text/html; Charset = utf-8 ; foo=bar", "utf-8"),
        ("text/html", None),
        ("", None),
        (None, None),
    ],
)
def test_charset_from_content_type(value: str | None, expected: str | None) -> None:
    assert charset_from_content_type(value) == expected


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("UTF8", "utf-8"),
        ("cp1258", "windows-1258"),
        ("windows-1258", "windows-1258"),
        ("iso-8859-1", "windows-1252"),  # WHATWG
        ("us-ascii", "windows-1252"),
        ("no-such-charset", None),
        (None, None),
    ],
)
def test_canonical_charset(label: str | None, expected: str | None) -> None:
    assert canonical_charset(label) == expected


def test_windows_1258_from_header_is_nfc() -> None:
    raw = page(to_cp1258(VI))
    assert b"\xd2" in raw  # a combining hook-above byte: the text really is decomposed
    text, charset = decode_html(raw, "windows-1258")
    assert charset == "windows-1258"
    assert VI in text
    assert unicodedata.is_normalized("NFC", text)


def test_windows_1258_from_meta_charset() -> None:
    raw = page(to_cp1258(VI), b'<meta charset="windows-1258">')
    text, charset = decode_html(raw)
    assert (charset, VI in text) == ("windows-1258", True)


def test_meta_http_equiv_content_type() -> None:
    head = b'<meta http-equiv="Content-Type" content="text/html; charset=windows-1258" />'
    text, charset = decode_html(page(to_cp1258(VI), head), None)
    assert charset == "windows-1258"
    assert VI in text


def test_xml_declaration() -> None:
    raw = (
        b'<?xml version="1.0" encoding="windows-1258"?><rss><title>'
        + to_cp1258(VI)
        + (b"</title></rss>")
    )
    text, charset = decode_html(raw)
    assert charset == "windows-1258"
    assert VI in text


def test_header_wins_over_meta_when_it_decodes() -> None:
    raw = page(VI.encode("utf-8"), b'<meta charset="windows-1258">')
    text, charset = decode_html(raw, "utf-8")
    assert (charset, VI in text) == ("utf-8", True)


def test_header_that_does_not_decode_falls_back_to_meta() -> None:
    raw = page(to_cp1258(VI), b'<meta charset="windows-1258">')
    text, charset = decode_html(raw, "utf-8")  # cp1258 bytes are not valid UTF-8
    assert (charset, VI in text) == ("windows-1258", True)


def test_unknown_header_charset_is_ignored() -> None:
    raw = page(to_cp1258(VI), b'<meta charset="windows-1258">')
    _, charset = decode_html(raw, "x-no-such-thing")
    assert charset == "windows-1258"


def test_whole_content_type_value_is_accepted_as_header() -> None:
    _, charset = decode_html(page(to_cp1258(VI)), "text/html; charset=windows-1258")
    assert charset == "windows-1258"


@pytest.mark.parametrize("label", ["iso-8859-1", "windows-1252", "latin1", "windows-1258"])
def test_mislabelled_utf8_is_decoded_as_utf8(label: str) -> None:
    raw = page(VI.encode("utf-8"))
    text, charset = decode_html(raw, label)
    assert charset == "utf-8"
    assert VI in text


def test_mislabelled_utf8_in_meta_is_decoded_as_utf8() -> None:
    raw = page(VI.encode("utf-8"), b'<meta charset="iso-8859-1">')
    text, charset = decode_html(raw)
    assert (charset, VI in text) == ("utf-8", True)


def test_ascii_body_keeps_declared_single_byte_charset() -> None:
    text, charset = decode_html(b"<p>plain ascii</p>", "iso-8859-1")
    assert (text, charset) == ("<p>plain ascii</p>", "windows-1252")


def test_genuine_latin1_is_not_mistaken_for_utf8() -> None:
    raw = page("Café à Hà Nội? non: café crème".encode("cp1252", errors="replace"))
    text, charset = decode_html(raw, "iso-8859-1")
    assert charset == "windows-1252"
    assert "Café à" in text


@pytest.mark.parametrize(
    ("bom", "codec", "expected"),
    [
        (codecs.BOM_UTF8, "utf-8", "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le", "utf-16le"),
        (codecs.BOM_UTF16_BE, "utf-16-be", "utf-16be"),
    ],
)
def test_bom_wins_over_everything(bom: bytes, codec: str, expected: str) -> None:
    raw = bom + page(b"").decode().replace("<p>", "<p>" + VI).encode(codec)
    text, charset = decode_html(raw, "windows-1258")
    assert charset == expected
    assert VI in text
    assert not text.startswith("\ufeff")


def test_detection_of_undeclared_utf8() -> None:
    text, charset = decode_html(page(VI.encode("utf-8")))
    assert (charset, VI in text) == ("utf-8", True)


def test_detection_of_undeclared_windows_1258() -> None:
    text, charset = decode_html(page(to_cp1258(VI)))
    assert charset == "windows-1258"
    assert VI in text


def test_detection_of_undeclared_cyrillic() -> None:
    russian = "Министр иностранных дел России провёл переговоры с вьетнамским коллегой. " * 3
    text, charset = decode_html(russian.encode("cp1251"))
    assert charset == "windows-1251"
    assert text == russian


def test_nfd_utf8_comes_back_nfc() -> None:
    decomposed = unicodedata.normalize("NFD", VI)
    assert decomposed != VI
    text, charset = decode_html(decomposed.encode("utf-8"), "utf-8")
    assert (text, charset) == (VI, "utf-8")


def test_undecodable_garbage_never_raises() -> None:
    raw = bytes(range(256)) * 4
    text, charset = decode_html(raw, "utf-8")
    assert isinstance(text, str)
    assert charset


def test_empty_body() -> None:
    assert decode_html(b"") == ("", "utf-8")
