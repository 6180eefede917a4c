"""Report diff at scale: two Grade Export CSVs of 200,000 rows each, compared by natural key.

The files are synthetic but shaped like Canvas's Grade Export (its 21 columns, quoted names,
a BOM on the older file, the newer file's columns reordered and one column added), with 2 %
of rows changed, 1 % removed, 1 % added and a duplicate key. They are written to a
temporary directory and streamed to the diff in 64 KiB chunks, as a download from Canvas
would be; the diff's CSV is written out in full (so the whole pipeline runs).

Run: ``.venv/bin/python benchmarks/diff.py`` (``--rows`` to resize).
Target: <= 5 s and <= 200 MB peak resident memory for 200,000 rows.

The diff runs in a fresh interpreter so its peak resident set size (``ru_maxrss``, which
includes the interpreter and the imported tool) is its own.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TIME_TARGET_S = 5.0
MEMORY_TARGET_MB = 200.0
CHUNK = 64 * 1024
HEADER = [
    "student name", "student id", "student sis", "course", "course id", "course sis",
    "section", "section id", "section sis", "term", "term id", "term sis", "current score",
    "final score", "enrollment state", "unposted current score", "unposted final score",
    "current grade", "final grade", "unposted current grade", "unposted final grade",
]  # fmt: skip


def _row(rng: random.Random, number: int) -> list[str]:
    course = 1000 + number % 400
    score = f"{rng.uniform(40, 100):.2f}"
    return [
        f"Student, Number {number}", str(100_000 + number), f"SIS{number:07d}",
        f"Course {course}", str(course), f"C{course}", f"Section {course}-1", str(course * 10),
        f"S{course}", "Fall 2026", "3", "F26", score, score, "active", score, score,
        "B", "B", "B", "B",
    ]  # fmt: skip


def write_files(folder: Path, rows: int, seed: int = 7) -> tuple[Path, Path]:
    rng = random.Random(seed)
    old_path, new_path = folder / "old.csv", folder / "new.csv"
    new_header = [*HEADER[1:], HEADER[0], "override score"]  # reordered, one column added
    order = [HEADER.index(name) for name in new_header[:-1]]
    with (
        old_path.open("w", newline="", encoding="utf-8-sig") as old_file,
        new_path.open("w", newline="", encoding="utf-8") as new_file,
    ):
        old, new = csv.writer(old_file), csv.writer(new_file)
        old.writerow(HEADER)
        new.writerow(new_header)
        for number in range(rows):
            row = _row(rng, number)
            draw = rng.random()
            if draw >= 0.01:  # 1 % only in the newer file: added
                old.writerow(row)
            if draw >= 0.99:  # 1 % only in the older file: removed
                continue
            if 0.01 <= draw < 0.03:  # 2 % changed
                row[12] = row[13] = "12.50"
            new.writerow([row[i] for i in order] + [""])
        old.writerow(_row(rng, 5))  # a duplicate key in the older file
    return old_path, new_path


def _chunks(path: Path) -> Iterator[bytes]:
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            yield chunk


def measure(old_path: Path, new_path: Path, out_path: Path) -> dict[str, float | int]:
    """Child process: run the diff, write its CSV, report time, counts and peak RSS."""
    from flask import Flask  # noqa: PLC0415 - imported in the child only
    from flask_babel import Babel  # noqa: PLC0415

    from app.reports.diff import ReportDiff, diff_csv, partitions_for  # noqa: PLC0415

    app = Flask("bench")
    Babel(app)
    with app.app_context():
        started, cpu = time.perf_counter(), time.process_time()
        parts = partitions_for(old_path.stat().st_size, new_path.stat().st_size)
        diff = ReportDiff("grade_export_csv", _chunks(old_path), _chunks(new_path),
                          partitions=parts)  # fmt: skip
        with out_path.open("w", encoding="utf-8", newline="") as out:
            for line in diff_csv(diff):
                out.write(line)
        wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    summary = diff.summary
    return {
        "wall_s": wall,
        "cpu_s": cpu,
        "partitions": parts,
        "added": summary.added,
        "removed": summary.removed,
        "changed": summary.changed,
        "unchanged": summary.unchanged,
        "duplicates": summary.duplicates,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(*(Path(p) for p in args.child))))
        return 0
    with tempfile.TemporaryDirectory() as folder:
        old_path, new_path = write_files(Path(folder), args.rows)
        sizes = old_path.stat().st_size / 1e6, new_path.stat().st_size / 1e6
        print(f"files: {args.rows:,} rows, {sizes[0]:.1f} MB and {sizes[1]:.1f} MB")
        done = subprocess.run(
            [sys.executable, __file__, "--child", str(old_path), str(new_path),
             str(Path(folder) / "diff.csv")],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
        result = json.loads(done.stdout)
    print(
        f"diff: {result['wall_s']:.2f} s wall, {result['cpu_s']:.2f} s CPU, "
        f"{result['partitions']} partitions"
    )
    print(
        f"rows: {result['added']:,} added, {result['removed']:,} removed, "
        f"{result['changed']:,} changed, {result['unchanged']:,} unchanged, "
        f"{result['duplicates']} duplicate-key rows"
    )
    print(f"peak RSS: {result['peak_rss_mb']:.0f} MB (interpreter and tool included)")
    ok = result["wall_s"] <= TIME_TARGET_S and result["peak_rss_mb"] <= MEMORY_TARGET_MB
    print(
        f"targets: <= {TIME_TARGET_S:.0f} s and <= {MEMORY_TARGET_MB:.0f} MB: "
        f"{'met' if ok else 'MISSED'}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
