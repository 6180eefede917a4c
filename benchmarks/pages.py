"""Report pages with 10,000 tracked jobs in PostgreSQL, served by gunicorn.

Setup: the tool (gunicorn, PostgreSQL) registered in a child emulator; an admin (user 1,
account 1) and a teacher (user 3, course 101) launch for real and authorize the tool
through Canvas's consent page; then 10,000 jobs (half account reports of account 1, half
course reports of course 101, three history events each) are inserted.

Timed, with ``--concurrency`` clients (default 1: one page at a time): the account and course
landing pages (database only), ``/reports/account`` and ``/reports/course`` (these also need
Canvas's catalogue / quiz lists, which each gunicorn worker keeps per user for a minute:
``app/reports/canvas_cache.py``; a worker's first view asks the emulator), a job page, and
the JSON job list ``/api/jobs?ids=<50 ids>``. Target: p50 <= 20 ms per page. Each page is
read as the client saw it and inside the tool (its ``Server-Timing`` header, see
``benchmarks/launch.py``); ``--concurrency 4`` shows what four clients at once cost on this
machine's cores.

Run: ``.venv/bin/python benchmarks/pages.py`` (``--jobs 10000 --requests 200``).
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from html import unescape
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import requests
from sqlalchemy import insert, select

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _support import (
    Summary,
    emulator_process,
    gunicorn_tool,
    postgres,
    register,
    summarize,
    tree_cpu_seconds,
    workdir,
)
from launch import Browser, server_timing

from app import create_app
from app.models.job import Job, JobEvent
from app.models.platform import Platform

ADMIN, TEACHER = 1, 3
_TICKET = re.compile(r'name="ticket" value="([^"]+)"')


def launch_token(browser: Browser) -> tuple[str, requests.Session]:
    """Launch for real; returns the launch token and the tool session."""
    tool = requests.Session()
    browser.launch(tool)
    landing = browser.last_landing_url
    token = parse_qs(urlsplit(landing).query)["lt"][0]
    return token, tool


def authorize(browser: Browser, tool: requests.Session, tool_url: str, token: str) -> None:
    """The OAuth round trip as the popup runs it: authorize, consent, callback."""
    start = tool.get(f"{tool_url}/oauth/authorize?lt={token}", allow_redirects=False, timeout=30)
    if start.status_code != 302:
        raise RuntimeError(f"/oauth/authorize answered {start.status_code}")
    consent = browser.canvas.get(start.headers["Location"], timeout=30)
    ticket = _TICKET.search(consent.text)
    if ticket is None:
        raise RuntimeError("no consent form")
    confirm = browser.canvas.post(
        f"{browser.emulator_url}/login/oauth2/confirm",
        data={"ticket": unescape(ticket.group(1)), "decision": "authorize"},
        allow_redirects=False,
        timeout=30,
    )
    callback = tool.get(confirm.headers["Location"], timeout=30)
    if callback.status_code != 200:
        raise RuntimeError(f"/oauth/callback answered {callback.status_code}")


def seed_jobs(settings_source: object, count: int) -> list[int]:
    """``count`` finished jobs, half per context, with three history events each."""
    app = create_app(settings_source)  # type: ignore[arg-type]
    db = app.extensions["db"]
    now = datetime.now(UTC)
    with db.session() as session:
        platform_id = session.scalars(select(Platform.id)).one()
        rows = []
        for n in range(count):
            account = n % 2 == 0
            at = now - timedelta(minutes=count - n)
            rows.append(
                {
                    "platform_id": platform_id,
                    "canvas_user_id": ADMIN if account else TEACHER,
                    "user_name": "Ada Admin" if account else "Tina Teacher",
                    "family": "account" if account else "course",
                    "report_type": "last_user_access_csv" if account else "course_pace_docx",
                    "title": "Last User Access" if account else "Course Pace",
                    "parameters": {},
                    "canvas_account_id": 1 if account else None,
                    "canvas_course_id": None if account else 101,
                    "canvas_report_id": 100000 + n,
                    "status": "complete",
                    "percent": 100.0,
                    "polls": 5,
                    "retries": 0,
                    "file_name": f"report_{n}.csv",
                    "file_size": 1234,
                    "progress_changed_at": at,
                    "started_at": at,
                    "created_at": at,
                    "updated_at": at,
                    "finished_at": at + timedelta(minutes=1),
                }
            )
        session.execute(insert(Job), rows)  # executemany: one pipeline, not 10,000 trips
        ids = list(session.scalars(select(Job.id).order_by(Job.id)))
        events = []
        for job_id, row in zip(ids, rows, strict=True):
            at = row["created_at"]
            for previous, status in (
                (None, "queued"),
                ("queued", "running"),
                ("running", "complete"),
            ):
                events.append({"job_id": job_id, "at": at, "from_status": previous,
                               "to_status": status, "detail": "Canvas: " + status})  # fmt: skip
        session.execute(insert(JobEvent), events)
    db.engine.dispose()
    return ids


def time_page(session: requests.Session, url: str, headers: dict[str, str]) -> tuple[float, float]:
    """(seconds as the client saw it, seconds inside the tool) for one page."""
    started = time.perf_counter()
    answer = session.get(url, headers=headers, timeout=30)
    elapsed = time.perf_counter() - started
    if answer.status_code != 200:
        raise RuntimeError(f"{url} answered {answer.status_code}: {answer.text[:300]}")
    return elapsed, server_timing(answer)[0]


def measure(
    name: str, url: str, token: str, requests_count: int, concurrency: int, *, header: bool = False
) -> tuple[Summary, Summary]:
    """(as the client saw it, inside the tool) for ``requests_count`` views of one page."""
    headers = {"Authorization": f"Bearer {token}"} if header else {}
    target = url if header else f"{url}{'&' if '?' in url else '?'}lt={token}"
    sessions = [requests.Session() for _ in range(concurrency)]
    for session in sessions:  # warm connections and the workers' caches
        time_page(session, target, headers)

    def run(session: requests.Session) -> list[tuple[float, float]]:
        return [time_page(session, target, headers) for _ in range(requests_count // concurrency)]

    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        samples = [s for chunk in pool.map(run, sessions) for s in chunk]
    return (
        summarize(name, [client for client, _ in samples]),
        summarize(name, [inside for _, inside in samples]),
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--jobs", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=200, help="per page")
    parser.add_argument("--concurrency", type=int, default=1)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    args = parser.parse_args()
    with workdir("bench-pages-") as work, postgres() as pg, emulator_process(work) as emu:
        database_url = pg.create_database("pages_bench")
        with gunicorn_tool(work, database_url, workers=args.workers) as tool:
            registration = register(tool.settings, emu, tool.url)
            tool_id = registration["deployment_id"].split(":")[0]
            admin = Browser(emu, tool_id, user_id=ADMIN, context="accounts/1",
                            placement="account_navigation")  # fmt: skip
            teacher = Browser(emu, tool_id, user_id=TEACHER, context="courses/101",
                              placement="course_navigation")  # fmt: skip
            admin_lt, admin_tool = launch_token(admin)
            teacher_lt, teacher_tool = launch_token(teacher)
            authorize(admin, admin_tool, tool.url, admin_lt)
            authorize(teacher, teacher_tool, tool.url, teacher_lt)
            started = time.perf_counter()
            ids = seed_jobs(tool.settings, args.jobs)
            print(f"tool {tool.url} (gunicorn, {args.workers} workers) on PostgreSQL; "
                  f"{len(ids)} jobs inserted in {time.perf_counter() - started:.1f} s")  # fmt: skip
            account_ids = ",".join(str(i) for i in ids[-100:][::2])  # 50 of the admin's
            n, c = args.requests, args.concurrency
            pages = [
                ("GET /account", f"{tool.url}/account", admin_lt, False),
                ("GET /course", f"{tool.url}/course", teacher_lt, False),
                ("GET /reports/account", f"{tool.url}/reports/account", admin_lt, False),
                ("GET /reports/course", f"{tool.url}/reports/course", teacher_lt, False),
                ("GET /reports/jobs/<id>", f"{tool.url}/reports/jobs/{ids[-2]}", admin_lt, False),
                (
                    "GET /api/jobs?ids=(50)",
                    f"{tool.url}/api/jobs?ids={account_ids}",
                    admin_lt,
                    True,
                ),
            ]
            seen: list[Summary] = []
            inside: list[Summary] = []
            print(f"\n{n} requests per page, {c} concurrent clients "
                  "(as the client saw it; inside the tool):")  # fmt: skip
            for name, url, token, header in pages:
                cpu_before = tree_cpu_seconds(tool.process.pid)
                client_view, tool_view = measure(name, url, token, n, c, header=header)
                cpu = tree_cpu_seconds(tool.process.pid) - cpu_before
                seen.append(client_view)
                inside.append(tool_view)
                per_request = cpu / (client_view.count + c) * 1000
                print(f"  {client_view.row()}  tool CPU {per_request:5.1f} ms/req")
                print(f"  {'  inside the tool':<22} p50={tool_view.p50_ms:7.2f} ms  "
                      f"p99={tool_view.p99_ms:7.2f} ms")  # fmt: skip
            print("\ntarget p50 <= 20 ms on every page:")
            for reading, summaries in (("as the client saw it", seen), ("inside the tool", inside)):
                worst = max(summary.p50_ms for summary in summaries)
                print(f"  {reading:<22} worst p50 {worst:6.2f} ms  "
                      f"{'met' if worst <= 20 else 'missed'}")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
