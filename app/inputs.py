"""Input rules shared by every layer: ids, control characters, local return paths.

Pure functions (no Flask, no database), so web views, report services, the LTI claims
reader, the pure insights parsers and the log formatter all apply the same rules.
``docs/security.md`` ("Input rules") describes them.

- **Ids** are ASCII digits only (``str.isdigit`` also accepts ``"²"`` or ``"١٢"``, which
  ``int()`` refuses or reads as another number) and at most ``MAX_ID`` = 2**63-1, the
  database's 64-bit integers (the same cap as the ``<int:...>`` URL converter).
- **Control characters** (C0, DEL, C1, U+2028 LINE SEPARATOR, U+2029 PARAGRAPH SEPARATOR)
  are refused in return paths and escaped in text logs.
- **Return paths** (a form's ``next``) are local ``/reports/...`` paths without ``//`` or a
  backslash.
"""

from __future__ import annotations

import re

MAX_ID = 2**63 - 1

_ASCII_DIGITS = re.compile(r"[0-9]+")
# C0 controls, DEL, C1 controls, and the two Unicode line/paragraph separators: every
# character a log reader, a terminal or an HTTP header could take as the end of a line.
CONTROL_CHARACTERS = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_NAMED_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
RETURN_PREFIX = "/reports/"
# The tool's own pages a user may be sent back to (after Canvas consent, from an error page).
PAGE_PATHS = ("/course", "/account", "/quiz")
PAGE_PREFIXES = ("/reports/", "/insights/")
MAX_RETURN_PATH = 2048


def parse_id(text: str | None) -> int | None:
    """``text`` as an id: ASCII digits only, 0 <= id <= ``MAX_ID``; else None.

    No sign, no spaces, no underscores, no other scripts' digits: exactly what the
    ``<int:...>`` URL converter accepts.
    """
    if text is None or not _ASCII_DIGITS.fullmatch(text):
        return None
    number = int(text)
    return number if number <= MAX_ID else None


def parse_positive_id(text: str | None) -> int | None:
    """``parse_id``, but 0 is not an id either (Canvas ids start at 1)."""
    number = parse_id(text)
    return number if number else None


def has_control_characters(text: str) -> bool:
    return CONTROL_CHARACTERS.search(text) is not None


def escape_controls(text: str) -> str:
    r"""``text`` with every control character written as an escape (``\n``, ``\x1b``,
    ``\u2028``), so it can never start a new line in a log or a terminal."""
    return CONTROL_CHARACTERS.sub(_escape_one, text)


def _escape_one(match: re.Match[str]) -> str:
    char = match.group(0)
    named = _NAMED_ESCAPES.get(char)
    if named is not None:
        return named
    code = ord(char)
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def is_local_return_path(target: str) -> bool:
    """A ``next`` the tool may redirect to: a ``/reports/...`` path of this tool, no ``//``
    (protocol-relative), no backslash (browsers read it as ``/``), no control character
    (header splitting)."""
    return (
        target.startswith(RETURN_PREFIX)
        and "//" not in target
        and "\\" not in target
        and not has_control_characters(target)
    )


def is_tool_page_path(target: str) -> bool:
    """A page of this tool to go back to: ``/course``, ``/account``, ``/quiz`` or a
    ``/reports/...`` or ``/insights/...`` path, with an optional query; the same refusals as
    ``is_local_return_path`` (no ``//``, backslash or control character), at most 2 KB."""
    path = target.split("?", 1)[0]
    return (
        len(target) <= MAX_RETURN_PATH
        and (path in PAGE_PATHS or path.startswith(PAGE_PREFIXES))
        and "/." not in path  # no dot segments: a browser would resolve them elsewhere
        and "%2e" not in path.lower()
        and "//" not in target
        and "\\" not in target
        and not has_control_characters(target)
    )
