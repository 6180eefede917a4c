"""Spreadsheet-formula neutralisation for every CSV the tool writes (OWASP "CSV injection").

A cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a CR gets a leading ``'``, and so
does one whose first character after leading spaces, tabs, CRs or LFs is ``=``, ``+``, ``-``
or ``@`` (spreadsheets skip those blanks before reading a formula). Only free text passes
through here: a text cell ``-5`` is shown as ``'-5``; numbers the tool computes itself are
written without it, so real negative numbers stay numbers.
"""

from __future__ import annotations

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_FORMULA_CHARS = frozenset("=+-@")
_LEADING_BLANKS = " \t\r\n"


def neutralise(value: str) -> str:
    """``value`` safe to open in a spreadsheet (see the module docstring)."""
    if value.startswith(_FORMULA_START) or value.lstrip(_LEADING_BLANKS)[:1] in _FORMULA_CHARS:
        return "'" + value
    return value
