"""The diff as a CSV download and as a bounded sample for the page."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field

from flask_babel import gettext as _

from app.csv_safety import neutralise
from app.reports.diff.engine import Change, ChangeKind, ReportDiff

#: Words written in the CSV's "change" column (stable, not translated: files get parsed).
CHANGE_WORDS: dict[ChangeKind, str] = {
    ChangeKind.ADDED: "added",
    ChangeKind.REMOVED: "removed",
    ChangeKind.CHANGED: "changed",
    ChangeKind.DUPLICATE_OLD: "duplicate key in older file",
    ChangeKind.DUPLICATE_NEW: "duplicate key in newer file",
}


def change_label(kind: ChangeKind) -> str:
    """The page's words for a change kind."""
    labels = {
        ChangeKind.ADDED: _("Added"),
        ChangeKind.REMOVED: _("Removed"),
        ChangeKind.CHANGED: _("Changed"),
        ChangeKind.DUPLICATE_OLD: _("Duplicate key (older file)"),
        ChangeKind.DUPLICATE_NEW: _("Duplicate key (newer file)"),
    }
    return str(labels[kind])


def diff_csv(diff: ReportDiff) -> Iterator[str]:
    """``change, changed columns, <every column>, <column> (before)…``, one line per change.

    The value columns hold the newer row (the older one for removed rows and older-file
    duplicates); "(before)" columns hold the older value of each changed column only.
    Every cell from Canvas is neutralised against spreadsheet formulas.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    before_at = {name: diff.columns.index(name) for name in diff.compared}
    writer.writerow(
        ["change", "changed columns", *diff.columns, *(f"{n} (before)" for n in diff.compared)]
    )
    yield buffer.getvalue()
    for change in diff.changes():
        buffer.seek(0)
        buffer.truncate()
        shown = change.new if change.new is not None else change.old or []
        before = [
            change.old[at] if change.old is not None and name in change.changed else ""
            for name, at in before_at.items()
        ]
        writer.writerow(
            [
                CHANGE_WORDS[change.kind],
                "; ".join(change.changed),
                *(neutralise(value) for value in shown),
                *(neutralise(value) for value in before),
            ]
        )
        yield buffer.getvalue()


@dataclass
class Sample:
    """The first ``limit`` changes of each kind (what the page shows) and the total counts."""

    limit: int
    shown: dict[ChangeKind, list[Change]] = field(default_factory=dict)

    def add(self, change: Change) -> None:
        kept = self.shown.setdefault(change.kind, [])
        if len(kept) < self.limit:
            kept.append(change)


def sample(diff: ReportDiff, limit: int = 50) -> Sample:
    """Run the whole diff (its ``summary`` fills up) keeping a few rows of each kind."""
    kept = Sample(limit)
    for change in diff.changes():
        kept.add(change)
    return kept
