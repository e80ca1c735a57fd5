"""Outlet parsers, one module per outlet layout, by parser key (``Outlet.parser``).

Each module exposes ``METHOD`` (the ``Article.extraction_method`` it records),
``PARSER_VERSION`` (outlet@layout-date) and ``parse(tree, url, *, now=None) -> Article``,
raising ``ExtractionError`` when the page is not in its layout. A redesign gets a new module
(``vnexpress_v2``) registered here under a new key; the old one stays for archived pages.
"""

from __future__ import annotations

from types import ModuleType

from parsers.outlets import (
    baochinhphu,
    baodautu,
    cafef,
    dantri,
    nld,
    tuoitre,
    vietnamnet,
    vnexpress,
)

OUTLET_PARSERS: dict[str, ModuleType] = {
    vnexpress.METHOD: vnexpress,
    baochinhphu.METHOD: baochinhphu,
    tuoitre.METHOD: tuoitre,
    dantri.METHOD: dantri,
    vietnamnet.METHOD: vietnamnet,
    nld.METHOD: nld,
    cafef.METHOD: cafef,
    baodautu.METHOD: baodautu,
}
