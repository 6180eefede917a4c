"""Byte-for-byte Ruby output rules shared by the quiz report CSVs.

Canvas builds the quiz CSVs with Ruby's ``CSV`` library and Ruby's number formatting, so a
faithful emulator has to print ``1.0`` (not ``1``), ``NaN``, ``1.0e-05``, quote empty strings
(``""``) but leave ``nil`` empty, and sum floats the way ``Array#sum`` does (Kahan-Babuska).
It also needs Canvas's two HTML-to-text helpers (``HtmlTextHelper.strip_tags`` and
``html_to_text``, gems/html_text_helper/lib/html_text_helper.rb).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from html.parser import HTMLParser

RubyValue = str | int | float | bool | datetime | None


def ruby_float(value: float) -> str:
    """``Float#to_s``: shortest round-trip digits, ``.0`` for integral values, ``e`` style."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    text = repr(float(value))
    if "e" in text:
        mantissa, exponent = text.split("e")
        if "." not in mantissa:
            mantissa += ".0"
        sign = exponent[0] if exponent[0] in "+-" else "+"
        digits = exponent.lstrip("+-").rjust(2, "0")
        return f"{mantissa}e{sign}{digits}"
    return text


def ruby_value(value: RubyValue) -> str:
    """How Ruby's ``to_s`` prints a CSV cell value (``nil`` is the empty string)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return ruby_float(value)
    if isinstance(value, datetime):
        return ruby_time(value)
    return value


def ruby_time(value: datetime) -> str:
    """``ActiveSupport::TimeWithZone#to_s`` in UTC: ``2026-09-15 10:00:00 UTC``."""
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def ruby_round(value: float) -> int:
    """``Float#round``: halves away from zero (Python's ``round`` rounds halves to even)."""
    magnitude = abs(value)
    floor = math.floor(magnitude)
    rounded = floor + 1 if magnitude - floor >= 0.5 else floor
    return int(rounded if value >= 0 else -rounded)


def ruby_sum(values: Iterable[float]) -> float | int:
    """``Array#sum``: exact integer prefix, then Kahan-Babuska compensated float summation."""
    items = list(values)
    total: float | int = 0
    index = 0
    while index < len(items) and isinstance(items[index], int):
        total += items[index]
        index += 1
    if index == len(items):
        return total
    result = float(total)
    compensation = 0.0
    for item in items[index:]:
        x = float(item)
        if math.isnan(result):
            continue
        if math.isnan(x) or math.isinf(x):
            result = x if not math.isinf(result) or x == result else math.nan
            continue
        if math.isinf(result):
            continue
        t = result + x
        if abs(result) >= abs(x):
            compensation += (result - t) + x
        else:
            compensation += (x - t) + result
        result = t
    return result + compensation


def simple_variance(items: Sequence[float]) -> float | int:
    """Canvas ``SimpleStats.variance`` (population): integer ``0`` below two items."""
    if len(items) < 2:
        return 0
    mean = ruby_sum(items) / float(len(items))
    return float(ruby_sum([(item - mean) ** 2 for item in items]) / len(items))


def csv_cell(value: RubyValue) -> str:
    """One Ruby ``CSV`` field: quote when needed, and always quote an empty *string*."""
    if value is None:
        return ""
    if isinstance(value, str):
        if value == "" or any(ch in value for ch in ',"\r\n'):
            return '"' + value.replace('"', '""') + '"'
        return value
    return ruby_value(value)


def csv_line(values: Iterable[RubyValue]) -> str:
    return ",".join(csv_cell(value) for value in values) + "\n"


# ---------------------------------------------------------------- HTML helpers

_TAG = re.compile(r"</?[^<>\n]*>?")
_NUMERIC_ENTITY = re.compile(r"&#\d+;")
_NAMED_ENTITY = re.compile(r"&\w+;")


def strip_tags(text: str | None) -> str:
    """``HtmlTextHelper.strip_tags``: drop tags, decode ``&#NN;``, *delete* named entities."""

    def numeric(match: re.Match[str]) -> str:
        try:
            return chr(int(match.group(0)[2:-1]))
        except (ValueError, OverflowError):
            return ""

    stripped = _TAG.sub("", text or "")
    return _NAMED_ENTITY.sub("", _NUMERIC_ENTITY.sub(numeric, stripped))


# Elements libxml2 describes as block-level (those the quiz content uses).
_BLOCK = frozenset((
    "address", "blockquote", "center", "dd", "dir", "div", "dl", "dt", "fieldset", "form",
    "h1", "h2", "h3", "h4", "h5", "h6", "hr", "li", "menu", "noframes", "ol", "p", "pre",
    "table", "tbody", "thead", "tfoot", "tr", "ul",
))
_VOID = frozenset((
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
    "source", "track", "wbr",
))


class _Node:
    def __init__(self, name: str, attrs: dict[str, str | None]) -> None:
        self.name = name
        self.attrs = attrs
        self.children: list[_Node | str] = []


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = _Node("#fragment", {})
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = _Node(tag, dict(attrs))
        self.stack[-1].children.append(node)
        if tag not in _VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack[-1].children.append(_Node(tag, dict(attrs)))

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].name == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def _banner(text: str, char: str, *, underline: bool) -> str:
    if not text:
        return text
    width = max(len(line.strip()) for line in text.splitlines() or [""])
    line = char * width
    return ("" if underline else line + "\n") + text + "\n" + line


def _node_text(node: _Node | str, *, pre: bool = False) -> str:
    if isinstance(node, str):
        return node if pre else re.sub(r"\s+", " ", node)
    name = node.name
    if name in ("link", "script"):
        text = ""
    elif name == "pre":
        text = "".join(_node_text(child, pre=True) for child in node.children)
    elif name == "img":
        src = node.attrs.get("src")
        alt = node.attrs.get("alt")
        text = (f"[{alt}] ({src})" if alt is not None else src) if src else ""
    elif name == "br":
        text = "\n"
    else:
        sub = "".join(_node_text(child, pre=pre) for child in node.children)
        href = node.attrs.get("href")
        if name == "a" and href:
            text = sub if href == sub else f"[{sub}] ({href})"
        elif name == "h1":
            text = _banner(sub, "*", underline=False)
        elif name == "h2":
            text = _banner(sub, "-", underline=False)
        elif name in ("h3", "h4", "h5", "h6"):
            text = _banner(sub, "-", underline=True)
        elif name == "li":
            text = f"* {sub}"
        else:
            text = sub
    return f"\n\n{text}\n\n" if name in _BLOCK else text


def html_to_text(html: str | None) -> str:
    """``HtmlTextHelper#html_to_text`` (no options): readable plain text from quiz HTML."""
    if html is None or not html.strip():
        return ""
    builder = _TreeBuilder()
    builder.feed(html)
    builder.close()
    text = _node_text(builder.root)
    text = re.sub(r" {2,}", " ", text)
    text = re.sub(r"\r\n?", "\n", text)
    text = re.sub(r"\n +", "\n", text)
    text = re.sub(r" +\n", "\n", text)
    text = re.sub(r"\n\n\n+", "\n\n", text)
    return text.strip()
