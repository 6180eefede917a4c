"""Polling cost: Canvas calls per job vs. job duration, with and without viewers.

50 viewers watch 20 running account reports through the tool's JSON endpoint
(``/api/jobs?ids=...``) while the worker sweeps every simulated second. Both programs
share one frozen clock that the benchmark advances, so a simulated hour takes seconds.
Canvas calls are counted at the emulator (every request on a report's own URL), as are
throttled answers (429 / 403 "Rate Limit Exceeded").

Run: ``.venv/bin/python benchmarks/polling.py`` (``--quick`` for a short check).
Target: calls per job grow ~logarithmically with duration and do not depend on viewers;
no throttled answers.
"""

from __future__ import annotations

import argparse
import logging
import math
import re
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app import create_app
from app.config import Settings
from app.db import Base, Database
from emulator.settings import EmulatorSettings
from emulator.testing import LiveEmulator
from tests.integration.reports_harness import ADMIN_ROLES, World, build_world

REPORT_URL = re.compile(r"^/api/v1/accounts/\d+/reports/[a-z_]+/(\d+)$")
REPORT_TYPES = (
    "last_user_access_csv",
    "grade_export_csv",
    "provisioning_csv",
    "unused_courses_csv",
    "zero_activity_csv",
)


class CallCounter:
    """WSGI middleware on the emulator: counts report polls per report id and throttles."""

    def __init__(self, app: Callable[..., Iterable[bytes]]) -> None:
        self.app = app
        self.per_report: Counter[int] = Counter()
        self.throttled = 0
        self.total = 0

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        path = environ.get("PATH_INFO", "")

        def counting_start(status: str, headers: list[tuple[str, str]], *rest: Any) -> Any:
            code = int(status.split(maxsplit=1)[0])
            if code == 429 or (code == 403 and "Rate Limit" in status):
                self.throttled += 1
            return start_response(status, headers, *rest)

        self.total += 1
        match = REPORT_URL.match(path)
        if match:
            self.per_report[int(match.group(1))] += 1
        return self.app(environ, counting_start)


@dataclass(frozen=True)
class Outcome:
    duration: int
    viewers: int
    jobs: int
    calls_per_job: float
    min_calls: int
    max_calls: int
    throttled: int
    viewer_requests: int
    still_running: int
    wall_seconds: float


def run(duration: int, viewers: int, jobs: int, view_every: int) -> Outcome:
    """One scenario: ``jobs`` reports that run for longer than ``duration`` seconds."""
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(
            database_url=f"sqlite:///{Path(tmp) / 'tool.db'}",
            secret_key="benchmark-secret-" + "x" * 32,
            tool_base_url="http://127.0.0.1:5000",
            encryption_keys=(Fernet.generate_key().decode(),),
            huey_immediate=True,
        )
        app = create_app(settings)
        db: Database = app.extensions["db"]
        Base.metadata.create_all(db.engine)
        # Reports take a little longer than the window, so every job is live throughout.
        emu_settings = EmulatorSettings(size="small", report_seconds=duration * 1.1 + 30)
        with LiveEmulator(emu_settings) as live:
            counter = CallCounter(live.app.wsgi_app)
            live.app.wsgi_app = counter  # type: ignore[method-assign]
            world = build_world(app, live)
            outcome = _scenario(
                world,
                counter,
                duration=duration,
                viewers=viewers,
                jobs=jobs,
                view_every=view_every,
            )
        db.engine.dispose()
    return Outcome(**outcome, wall_seconds=round(time.perf_counter() - started, 1))


def _scenario(
    world: World, counter: CallCounter, *, duration: int, viewers: int, jobs: int, view_every: int
) -> dict[str, Any]:
    admin = world.launch(1, roles=ADMIN_ROLES, canvas_roles=["Account Admin"], account_id=1)
    for index in range(jobs):
        answer = admin.post(f"/reports/account/{REPORT_TYPES[index % len(REPORT_TYPES)]}")
        if answer.status_code != 303:
            raise RuntimeError(f"start failed: {answer.status_code} {answer.text[:200]}")
    rows = world.jobs()
    ids = ",".join(str(row.id) for row in rows)
    watchers = [
        world.launch(
            1, roles=ADMIN_ROLES, canvas_roles=["Account Admin"], account_id=1, authorize=False
        )
        for _ in range(viewers)
    ]
    counter.per_report.clear()  # count polling only, not the starts
    viewer_requests = 0
    for second in range(1, duration + 1):
        world.advance(1)
        world.sweep()
        if viewers and second % view_every == 0:
            for watcher in watchers:
                answer = watcher.api(f"/api/jobs?ids={ids}")
                if answer.status_code != 200:
                    raise RuntimeError(f"viewer got {answer.status_code}")
                viewer_requests += 1
    calls = [counter.per_report[row.canvas_report_id or 0] for row in rows]
    live = [row for row in world.jobs() if row.status in {"queued", "running"}]
    return {
        "duration": duration,
        "viewers": viewers,
        "jobs": jobs,
        "calls_per_job": sum(calls) / len(calls),
        "min_calls": min(calls),
        "max_calls": max(calls),
        "throttled": counter.throttled,
        "viewer_requests": viewer_requests,
        "still_running": len(live),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="short durations only")
    parser.add_argument("--viewers", type=int, default=50)
    parser.add_argument("--jobs", type=int, default=20)
    parser.add_argument("--view-every", type=int, default=15, help="simulated seconds")
    args = parser.parse_args(argv)
    logging.disable(logging.INFO)  # request and task logs would drown the table
    durations = [60, 300] if args.quick else [60, 300, 900, 3600]
    print(f"{args.jobs} running account reports; worker sweeps every simulated second;")
    print(f"viewers poll /api/jobs every {args.view_every} simulated seconds.\n")
    header = (
        f"{'duration':>9} {'viewers':>7} {'calls/job':>9} {'min':>4} {'max':>4} "
        f"{'ln(dur)':>7} {'throttled':>9} {'viewer reqs':>11} {'live':>4} {'wall s':>6}"
    )
    print(header)
    print("-" * len(header))
    outcomes = []
    scenarios = [(d, args.viewers) for d in durations] + [(durations[-1], 0)]
    for duration, viewers in scenarios:
        outcome = run(duration, viewers, args.jobs, args.view_every)
        outcomes.append(outcome)
        print(
            f"{outcome.duration:>8}s {outcome.viewers:>7} {outcome.calls_per_job:>9.1f} "
            f"{outcome.min_calls:>4} {outcome.max_calls:>4} {math.log(outcome.duration):>7.2f} "
            f"{outcome.throttled:>9} {outcome.viewer_requests:>11} {outcome.still_running:>4} "
            f"{outcome.wall_seconds:>6}",
            flush=True,
        )
    with_viewers = next(o for o in outcomes if o.duration == durations[-1] and o.viewers)
    without = outcomes[-1]
    print()
    print(
        f"Viewers add {with_viewers.calls_per_job - without.calls_per_job:+.1f} "
        "Canvas calls per job "
        f"({with_viewers.viewer_requests} viewer requests served from the database)."
    )
    print(f"Throttled answers in total: {sum(o.throttled for o in outcomes)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
