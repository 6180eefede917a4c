"""The benchmarks still run end to end (tiny counts), so their figures can be reproduced.

They start their own PostgreSQL cluster, emulator and gunicorn; this only checks that every
step works and nothing fails, not the timings (CI machines vary too much for that).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.postgres import find_bindir
from tests.support.services import unavailable

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [pytest.mark.slow, pytest.mark.postgres]


def run(*args: str) -> str:
    if find_bindir() is None:
        unavailable("PostgreSQL binaries (initdb, pg_ctl, postgres) not found")
    done = subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return done.stdout


def test_launch_benchmark_runs_every_step() -> None:
    out = run("benchmarks/launch.py", "--levels", "1,2", "--launches", "4", "--warmup", "2",
              "--workers", "2")  # fmt: skip
    assert "== 1 concurrent: 4 launches" in out
    assert "== 2 concurrent: 4 launches" in out
    assert " 0 failed" in out
    assert "tool CPU" in out
    assert "inside the tool (Server-Timing)" in out  # every tool response carried the header
    for reading in ("per request, inside", "per launch, inside", "per request, client"):
        assert reading in out
    # The pylti1p3 example ran side by side (with two workers it may lose launches: its
    # state lives in one process; the tool's count of lost launches is what must be 0).
    assert "pylti1p3 example: " in out
    assert "== tool vs pylti1p3 example (same run, 2 gunicorn worker(s) each)" in out
    assert "target 0 lost tool launches: 0 met" in out


def test_pages_benchmark_runs_every_page() -> None:
    out = run("benchmarks/pages.py", "--jobs", "200", "--requests", "4", "--concurrency", "2",
              "--workers", "2")  # fmt: skip
    assert "200 jobs inserted" in out
    for page in ("/account", "/course", "/reports/account", "/reports/course", "/api/jobs"):
        assert f"GET {page}" in out
    assert out.count("inside the tool      p50=") == 6  # every page carried Server-Timing


def test_diff_benchmark_runs_and_counts_every_kind() -> None:
    out = run("benchmarks/diff.py", "--rows", "2000")
    assert "files: 2,000 rows" in out
    assert "peak RSS:" in out
    counts = out.split("rows: ", 1)[1].split("\n", 1)[0]
    for kind in ("added", "removed", "changed", "unchanged", "duplicate-key rows"):
        assert kind in counts
    assert "0 changed" not in counts


def test_start_latency_benchmark_runs_every_phase() -> None:
    out = run("benchmarks/start_latency.py", "--starts", "6", "--clients", "2")
    for phase in ("no faults", "latency 1 s", "5xx (503)", "throttled (403)", "hanging (30 s)"):
        assert f"{phase:<22} n=6 " in out, phase
    assert out.count("inside the tool      n=6 ") == 5  # every start carried Server-Timing
    assert "jobs recorded: 30;" in out
    assert "worst p99" in out
