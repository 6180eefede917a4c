"""Report diff: what changed between two runs of the same CSV report (docs/reports.md)."""

from app.reports.diff.engine import Change, ChangeKind, ReportDiff, Summary, partitions_for
from app.reports.diff.keys import NATURAL_KEYS, diffable, key_columns
from app.reports.diff.output import Sample, change_label, diff_csv, sample

__all__ = [
    "NATURAL_KEYS",
    "Change",
    "ChangeKind",
    "ReportDiff",
    "Sample",
    "Summary",
    "change_label",
    "diff_csv",
    "diffable",
    "key_columns",
    "partitions_for",
    "sample",
]
