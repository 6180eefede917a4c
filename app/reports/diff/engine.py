"""What changed between two runs of one CSV report, in memory bounded by a partition.

Both files arrive as byte chunks streamed from Canvas. Their headers are read first (BOM
stripped, duplicate names numbered), the natural key is found (``keys.py``) and the union of
columns fixed: the older file's columns in its order, then columns only the newer one has.
Every row is then mapped to that order and spilled to one of ``count`` encrypted partitions
by a stable hash of its key (``spill.py``). Comparing partition *i* of both files needs only
those two partitions in memory, so memory is set by the partition size, not the file size:
``partitions_for`` picks the count from the files' sizes.

Rows are matched by key; a key seen twice in one file is reported as a duplicate and not
compared (which of the two rows would be "the" row is unknowable). Only columns both files
have are compared; columns added or removed are reported once, in the summary.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from operator import itemgetter
from typing import Any

from flask_babel import gettext as _

from app.errors import BadRequest
from app.reports.diff.keys import Key, key_columns
from app.reports.diff.spill import Partitions, Row

_PARTITION_BYTES = 1024 * 1024  # aim: about 1 MB of CSV per partition and file
_MIN_PARTITIONS = 16
_MAX_PARTITIONS = 4096
_PENDING_ROWS = 64_000  # rows buffered across all partitions before they are sealed


class ChangeKind(StrEnum):
    ADDED = "added"
    REMOVED = "removed"
    CHANGED = "changed"
    DUPLICATE_OLD = "duplicate_old"
    DUPLICATE_NEW = "duplicate_new"


@dataclass(frozen=True)
class Change:
    """One row of the diff; ``old``/``new`` are in ``ReportDiff.columns`` order."""

    kind: ChangeKind
    key: tuple[str, ...]
    old: Row | None
    new: Row | None
    changed: tuple[str, ...] = ()


@dataclass
class Summary:
    added: int = 0
    removed: int = 0
    changed: int = 0
    unchanged: int = 0
    duplicates: int = 0
    changed_columns: dict[str, int] = field(default_factory=dict)

    def count(self, change: Change) -> None:
        if change.kind is ChangeKind.ADDED:
            self.added += 1
        elif change.kind is ChangeKind.REMOVED:
            self.removed += 1
        elif change.kind is ChangeKind.CHANGED:
            self.changed += 1
            for name in change.changed:
                self.changed_columns[name] = self.changed_columns.get(name, 0) + 1
        else:
            self.duplicates += 1


class _ChunkReader(io.RawIOBase):
    """A readable binary stream over an iterator of byte chunks (a streamed download)."""

    def __init__(self, chunks: Iterable[bytes]) -> None:
        self._chunks = iter(chunks)
        self._rest = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        while not self._rest:
            try:
                self._rest = next(self._chunks)
            except StopIteration:
                return 0
        size = min(len(buffer), len(self._rest))
        buffer[:size] = self._rest[:size]
        self._rest = self._rest[size:]
        return size


def csv_rows(chunks: Iterable[bytes]) -> Iterator[list[str]]:
    """CSV rows of a UTF-8 file given as chunks: BOM dropped, quoted newlines kept in cells.

    Raises:
        BadRequest: the bytes are not UTF-8 or not CSV.
    """
    text = io.TextIOWrapper(
        io.BufferedReader(_ChunkReader(chunks), 256 * 1024), encoding="utf-8-sig", newline=""
    )
    try:
        yield from csv.reader(text, strict=True)
    except (UnicodeDecodeError, csv.Error) as exc:
        raise BadRequest(_("One of the files is not a readable CSV file.")) from exc


def unique_names(header: list[str]) -> list[str]:
    """Header names made unique: a repeated name gets " (2)", " (3)"… (Canvas repeats some,
    e.g. "course id" in Outcome Results)."""
    seen: dict[str, int] = {}
    names = []
    for name in header:
        seen[name] = seen.get(name, 0) + 1
        names.append(name if seen[name] == 1 else f"{name} ({seen[name]})")
    return names


def partitions_for(*sizes: int | None) -> int:
    """How many partitions keep one partition of the larger file near 1 MB."""
    largest = max((size or 0 for size in sizes), default=0)
    wanted = largest // _PARTITION_BYTES + 1
    return max(_MIN_PARTITIONS, min(_MAX_PARTITIONS, wanted))


_KeyGetter = Callable[[Row], Key]


def _getter(indexes: list[int]) -> _KeyGetter:
    """A fast ``row -> tuple of the cells at indexes`` (a tuple also for one index)."""
    if len(indexes) == 1:
        (only,) = indexes
        return lambda row: (row[only],)
    getter: Any = itemgetter(*indexes)
    return getter  # type: ignore[no-any-return]


class ReportDiff:
    """Reads both headers at construction; ``changes()`` partitions, then compares."""

    def __init__(
        self,
        report_type: str,
        old: Iterable[bytes],
        new: Iterable[bytes],
        *,
        partitions: int = _MIN_PARTITIONS,
    ) -> None:
        self._old_rows = csv_rows(old)
        self._new_rows = csv_rows(new)
        old_header = unique_names(self._header(self._old_rows))
        new_header = unique_names(self._header(self._new_rows))
        self.key: Key = key_columns(report_type, old_header)
        if not set(self.key) <= set(new_header):
            raise BadRequest(
                _("The newer file lacks the columns that identify a row (%(columns)s).",
                  columns=", ".join(self.key))
            )
        self.columns: list[str] = old_header + [n for n in new_header if n not in old_header]
        self.added_columns = [n for n in new_header if n not in old_header]
        self.removed_columns = [n for n in old_header if n not in new_header]
        self.compared = [n for n in old_header if n in new_header]
        self._old_width, self._new_width = len(old_header), len(new_header)
        self._old_key = _getter([old_header.index(n) for n in self.key])
        self._new_key = _getter([new_header.index(n) for n in self.key])
        self._old_compared = itemgetter(*(old_header.index(n) for n in self.compared))
        self._new_compared = itemgetter(*(new_header.index(n) for n in self.compared))
        self._old_columns = [old_header.index(n) if n in old_header else -1 for n in self.columns]
        self._new_columns = [new_header.index(n) if n in new_header else -1 for n in self.columns]
        self._compared_at = [(self.columns.index(n), n) for n in self.compared]
        self._count = partitions
        self.summary = Summary()

    @staticmethod
    def _header(rows: Iterator[list[str]]) -> list[str]:
        header = next(rows, None)
        if not header:
            raise BadRequest(_("One of the files is empty: it has no header row."))
        return header

    def _spill(
        self, rows: Iterator[list[str]], width: int, key: _KeyGetter, parts: Partitions
    ) -> None:
        count = parts.count
        add = parts.add
        for raw in rows:
            row = raw
            if len(raw) != width:
                if not raw:
                    continue
                row = (raw + [""] * width)[:width]
            add(hash(key(row)) % count, row)

    def changes(self) -> Iterator[Change]:
        """Every difference, partition by partition, sorted by key within a partition.

        Counts land in ``summary`` as they are yielded.
        """
        batch = max(16, _PENDING_ROWS // self._count)
        with (
            Partitions(self._count, batch=batch) as old_parts,
            Partitions(self._count, batch=batch) as new_parts,
        ):
            self._spill(self._old_rows, self._old_width, self._old_key, old_parts)
            self._spill(self._new_rows, self._new_width, self._new_key, new_parts)
            for index in range(self._count):
                for change in self._compare(old_parts.rows(index), new_parts.rows(index)):
                    self.summary.count(change)
                    yield change

    @staticmethod
    def _load(
        rows: Iterator[Row], key_of: _KeyGetter
    ) -> tuple[dict[Key, Row], dict[Key, list[Row]]]:
        table: dict[Key, Row] = {}
        duplicates: dict[Key, list[Row]] = {}
        for row in rows:
            key = key_of(row)
            if key in duplicates:
                duplicates[key].append(row)
            elif key in table:
                duplicates[key] = [table.pop(key), row]
            else:
                table[key] = row
        return table, duplicates

    @staticmethod
    def _in_order(row: Row, columns: list[int]) -> Row:
        return [row[i] if i >= 0 else "" for i in columns]

    def _compare(self, old_rows: Iterator[Row], new_rows: Iterator[Row]) -> Iterator[Change]:
        old, old_dups = self._load(old_rows, self._old_key)
        new, new_dups = self._load(new_rows, self._new_key)
        out: list[Change] = []
        for key, rows in old_dups.items():
            out.extend(
                Change(ChangeKind.DUPLICATE_OLD, key, self._in_order(row, self._old_columns), None)
                for row in rows
            )
        for key, rows in new_dups.items():
            out.extend(
                Change(ChangeKind.DUPLICATE_NEW, key, None, self._in_order(row, self._new_columns))
                for row in rows
            )
        old_compared, new_compared = self._old_compared, self._new_compared
        unchanged = 0
        for key, before in old.items():
            if key in new_dups or key in old_dups:
                continue
            after = new.pop(key, None)
            if after is None:
                removed = self._in_order(before, self._old_columns)
                out.append(Change(ChangeKind.REMOVED, key, removed, None))
                continue
            if old_compared(before) == new_compared(after):
                unchanged += 1
                continue
            old_row = self._in_order(before, self._old_columns)
            new_row = self._in_order(after, self._new_columns)
            changed = tuple(name for at, name in self._compared_at if old_row[at] != new_row[at])
            out.append(Change(ChangeKind.CHANGED, key, old_row, new_row, changed))
        self.summary.unchanged += unchanged
        out.extend(
            Change(ChangeKind.ADDED, key, None, self._in_order(after, self._new_columns))
            for key, after in new.items()
            if key not in old_dups
        )
        out.sort(key=lambda change: (change.key, change.kind))
        yield from out
