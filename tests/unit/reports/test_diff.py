"""The report diff engine on real-shaped CSVs (app/reports/diff)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

import pytest
from cryptography.exceptions import InvalidTag
from flask import Flask
from flask_babel import Babel

from app.errors import BadRequest
from app.reports.diff import ChangeKind, ReportDiff, diff_csv, partitions_for
from app.reports.diff.spill import Partitions

HEADER = "user id,user sis id,user name,last access at,last ip\r\n"


@pytest.fixture(autouse=True)
def _app_context() -> Iterator[None]:
    app = Flask(__name__)
    Babel(app)
    with app.app_context():
        yield


def chunks(text: str, size: int = 7, bom: bool = False) -> list[bytes]:
    data = ("\ufeff" if bom else "").encode() + text.encode()
    return [data[i : i + size] for i in range(0, len(data), size)]


def run(old: str, new: str, report: str = "last_user_access_csv", **kw: int) -> ReportDiff:
    return ReportDiff(report, chunks(old, bom=True), chunks(new), **kw)


def kinds(diff: ReportDiff) -> list[tuple[str, tuple[str, ...], tuple[str, ...]]]:
    return [(c.kind.value, c.key, c.changed) for c in diff.changes()]


def test_added_removed_and_changed_rows_are_matched_by_the_natural_key() -> None:
    old = HEADER + "1,S1,Ann,2026-01-01,10.0.0.1\r\n2,S2,Bob,2026-01-02,\r\n3,S3,Cy,,\r\n"
    new = HEADER + "3,S3,Cy,,\r\n1,S1,Ann,2026-02-01,10.0.0.1\r\n4,S4,Dee,2026-02-02,\r\n"
    diff = run(old, new)
    assert sorted(kinds(diff)) == [
        ("added", ("4",), ()),
        ("changed", ("1",), ("last access at",)),
        ("removed", ("2",), ()),
    ]
    s = diff.summary
    assert (s.added, s.removed, s.changed, s.unchanged, s.duplicates) == (1, 1, 1, 1, 0)
    assert s.changed_columns == {"last access at": 1}


def test_bom_quoted_newlines_and_reordered_columns() -> None:
    old = HEADER + '1,S1,"Smith,\r\nAnn",2026-01-01,\r\n'
    new = (
        "last ip,user name,user id,last access at,user sis id\r\n"
        '10.0.0.9,"Smith,\r\nAnn",1,2026-01-01,S1\r\n'
    )
    diff = run(old, new)
    [change] = list(diff.changes())
    assert change.kind is ChangeKind.CHANGED
    assert change.changed == ("last ip",)
    assert diff.columns == ["user id", "user sis id", "user name", "last access at", "last ip"]
    assert change.new == ["1", "S1", "Smith,\r\nAnn", "2026-01-01", "10.0.0.9"]
    assert diff.summary.unchanged == 0


def test_columns_added_or_removed_are_reported_and_not_compared() -> None:
    old = "user id,user name,gone\r\n1,Ann,x\r\n"
    new = "user id,user name,fresh\r\n1,Ann,y\r\n"
    diff = run(old, new)
    assert list(diff.changes()) == []
    assert diff.added_columns == ["fresh"]
    assert diff.removed_columns == ["gone"]
    assert diff.summary.unchanged == 1


def test_duplicate_keys_are_reported_as_such_and_not_compared() -> None:
    old = HEADER + "1,S1,Ann,,\r\n1,S1,Ann again,,\r\n2,S2,Bob,,\r\n"
    new = HEADER + "1,S1,Ann,,\r\n2,S2,Bob,,\r\n2,S2,Bob twin,,\r\n"
    diff = run(old, new)
    got = sorted((c.kind.value, c.key) for c in diff.changes())
    assert got == [
        ("duplicate_new", ("2",)),
        ("duplicate_new", ("2",)),
        ("duplicate_old", ("1",)),
        ("duplicate_old", ("1",)),
    ]
    assert diff.summary.duplicates == 4
    assert diff.summary.changed == diff.summary.added == diff.summary.removed == 0


def test_multi_column_keys_and_repeated_header_names() -> None:
    header = "student id,assignment id,learning outcome id,attempt,course id,course id,score\r\n"
    old = header + "5,7,9,1,100,100,3\r\n5,7,9,2,100,100,4\r\n"
    new = header + "5,7,9,1,100,100,3\r\n5,7,9,2,100,101,4\r\n"
    diff = run(old, new, report="outcome_results_csv")
    assert diff.key == ("student id", "assignment id", "learning outcome id", "attempt")
    assert kinds(diff) == [("changed", ("5", "7", "9", "2"), ("course id (2)",))]


def test_ragged_rows_are_padded_and_blank_lines_skipped() -> None:
    old = HEADER + "1,S1\r\n\r\n"
    new = HEADER + "1,S1,,,\r\n"
    assert kinds(run(old, new)) == []


@pytest.mark.parametrize("count", [1, 3, 16])
def test_the_result_does_not_depend_on_the_partition_count(count: int) -> None:
    old = HEADER + "".join(f"{i},S{i},N{i},2026-01-01,\r\n" for i in range(200))
    new = HEADER + "".join(
        f"{i},S{i},N{i},{'2026-02-01' if i % 7 == 0 else '2026-01-01'},\r\n" for i in range(3, 210)
    )
    diff = run(old, new, partitions=count)
    got = sorted(kinds(diff))
    sevens = [i for i in range(3, 200) if i % 7 == 0]
    assert len([g for g in got if g[0] == "changed"]) == len(sevens)
    assert [g[1] for g in got if g[0] == "removed"] == [("0",), ("1",), ("2",)]
    assert len([g for g in got if g[0] == "added"]) == 10


def test_the_csv_marks_changes_keeps_before_values_and_neutralises_formulas() -> None:
    old = HEADER + "1,S1,Ann,2026-01-01,\r\n2,S2,Bob,,\r\n"
    new = HEADER + "1,S1,Ann,2026-02-01,\r\n3,S3,=HYPERLINK(1),,\r\n"
    rows = list(csv.reader(io.StringIO("".join(diff_csv(run(old, new))))))
    assert rows[0] == [
        "change", "changed columns", "user id", "user sis id", "user name", "last access at",
        "last ip", "user id (before)", "user sis id (before)", "user name (before)",
        "last access at (before)", "last ip (before)",
    ]  # fmt: skip
    body = sorted(rows[1:])
    assert body == [
        ["added", "", "3", "S3", "'=HYPERLINK(1)", "", "", "", "", "", "", ""],
        ["changed", "last access at", "1", "S1", "Ann", "2026-02-01",
         "", "", "", "", "2026-01-01", ""],
        ["removed", "", "2", "S2", "Bob", "", "", "", "", "", "", ""],
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("", HEADER, "One of the files is empty: it has no header row."),
        ("a,b\r\n1,2\r\n", HEADER,
         "These files do not have the columns that identify a row (user id)."),
        (HEADER, "user name\r\nAnn\r\n",
         "The newer file lacks the columns that identify a row (user id)."),
    ],
)  # fmt: skip
def test_files_without_the_key_or_header_are_refused_with_a_clear_message(
    old: str, new: str, message: str
) -> None:
    with pytest.raises(BadRequest) as caught:
        run(old, new)
    assert caught.value.message == message


def test_a_report_type_without_a_key_is_refused() -> None:
    with pytest.raises(BadRequest) as caught:
        run(HEADER, HEADER, report="course_pace_docx")
    assert caught.value.message == "The tool cannot compare runs of this report: it has no row key."


def test_bytes_that_are_not_utf8_are_refused() -> None:
    bad = [HEADER.encode() + b"1,\xff\xfe,x,,\r\n"]
    with pytest.raises(BadRequest) as caught:
        list(ReportDiff("last_user_access_csv", [HEADER.encode()], bad).changes())
    assert caught.value.message == "One of the files is not a readable CSV file."


def test_partition_count_grows_with_the_file_and_is_bounded() -> None:
    assert partitions_for(None, None) == 16
    assert partitions_for(30_000_000, 1_000) == 29
    assert partitions_for(10**12) == 4096


def test_spilled_partitions_are_encrypted_and_tamper_evident() -> None:
    secret = "Student Secretname"
    with Partitions(2, batch=1) as parts:
        parts.add(0, ["1", secret, "a\x1fb"])  # a cell holding the separator survives
        handle = parts._files[0]  # the scratch file itself
        handle.seek(0)
        raw = handle.read()
        assert secret.encode() not in raw
        assert list(parts.rows(0)) == [["1", secret, "a\x1fb"]]
        handle.seek(10)
        handle.write(b"\x00")
        with pytest.raises(InvalidTag):
            list(parts.rows(0))
