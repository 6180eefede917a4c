"""Turning a downloaded report (bytes, streamed) into CSV records with line numbers."""

from __future__ import annotations

import csv
import io
import itertools
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from app.errors import ToolError
from app.insights.headers import first_columns

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer

_DELIMITERS = (",", ";", "\t")
#: First header cells of the reports this package reads (Student Analysis anonymous or not,
#: classic and New Quizzes Item Analysis), in every language Canvas writes them in.
_FIRST_COLUMNS = first_columns()


class ParseError(ToolError):
    """The report cannot be read; ``line`` is the 1-based physical line where reading stopped."""

    status = 422
    code = "parse_error"

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(f"line {line}: {message}" if line is not None else message)
        self.line = line


class _ChunkStream(io.RawIOBase):
    """A read-only binary stream over an iterator of byte chunks (a streamed download)."""

    def __init__(self, chunks: Iterable[bytes]) -> None:
        self._chunks = iter(chunks)
        self._pending = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: WriteableBuffer) -> int:
        while not self._pending:
            chunk = next(self._chunks, None)
            if chunk is None:
                return 0
            self._pending = chunk
        view = memoryview(buffer).cast("B")
        size = min(len(view), len(self._pending))
        view[:size] = self._pending[:size]
        self._pending = self._pending[size:]
        return size


def open_text(source: Iterable[bytes] | bytes | str) -> io.TextIOBase:
    """A text stream (UTF-8, BOM dropped, newlines untranslated as the csv module needs)."""
    if isinstance(source, str):
        return io.StringIO(source.removeprefix("\ufeff"), newline="")
    if isinstance(source, bytes):
        source = (source,)
    raw = io.BufferedReader(_ChunkStream(source), buffer_size=1 << 16)
    return io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")


def first_line(text: io.TextIOBase) -> str:
    """The first line (for format and separator detection).

    Raises:
        ParseError: the file is empty or not UTF-8.
    """
    try:
        first = text.readline()
    except UnicodeDecodeError as exc:
        raise ParseError("the file is not UTF-8 text", 1) from exc
    if not first.strip():
        raise ParseError("the file is empty", 1)
    return first


def _strip_quoted(line: str) -> str:
    """Drop quoted segments so separators inside question texts are not counted."""
    return "".join(line.split('"')[0::2])


def detect_delimiter(first_line: str) -> str:
    """Canvas writes ``,`` or, with the user's CSV i18n setting, ``;``.

    The first column of every quiz report is known, so the character after it decides;
    otherwise the commonest candidate outside quotes wins (question texts are quoted only
    when they contain the separator, so counting alone can be fooled by ``a; b; c``).
    """
    lowered = first_line.lower()
    for column in _FIRST_COLUMNS:
        if lowered.startswith(column):
            following = first_line[len(column) : len(column) + 1]
            if following in _DELIMITERS:
                return following
    bare = _strip_quoted(first_line)
    counts = [(bare.count(d), -i, d) for i, d in enumerate(_DELIMITERS)]
    best = max(counts)
    return best[2] if best[0] > 0 else ","


class RecordReader:
    """Iterates CSV records after the header, tracking the physical line for error messages.

    Every record has as many fields as the header (blank lines are skipped).
    """

    def __init__(self, text: io.TextIOBase, first: str) -> None:
        self.delimiter = detect_delimiter(first)
        self._reader = csv.reader(
            itertools.chain((first,), text), delimiter=self.delimiter, strict=True
        )
        self.header = [cell.strip() for cell in self._next_or_error()]

    @property
    def line(self) -> int:
        return self._reader.line_num

    def _next_or_error(self) -> list[str]:
        try:
            return next(self._reader)
        except csv.Error as exc:
            raise ParseError(f"malformed CSV ({exc})", self._reader.line_num) from exc
        except UnicodeDecodeError as exc:
            raise ParseError("the file is not UTF-8 text", self._reader.line_num + 1) from exc

    def __iter__(self) -> Iterator[list[str]]:
        """Raises ``ParseError`` for malformed CSV, non-UTF-8 text or a record whose width
        differs from the header's."""
        width = len(self.header)
        while True:
            try:
                row = self._next_or_error()
            except StopIteration:
                return
            if not row:
                continue
            if len(row) != width:
                raise ParseError(
                    f"expected {width} fields as in the header, found {len(row)}", self.line
                )
            yield row
