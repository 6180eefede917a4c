"""Full LTI launches at 1, 8 and 32 concurrent: gunicorn + PostgreSQL, through the emulator.

One launch is what a browser does when a teacher opens the tool in Canvas:
1. Canvas's launch page (emulator) names the tool's OIDC login URL and fields;
2. ``POST /lti/login`` (tool)  → redirect to Canvas's authorize endpoint;
3. Canvas's authorize (emulator) → the auto-posted ``id_token`` form;
4. ``POST /lti/launch`` (tool) → 303 to the landing page;
5. ``GET /course?lt=...`` (tool) → the landing page.
Steps 2, 4 and 5 are the tool's side; 1 and 3 are the emulator's. Launches/s counts whole
launches (both sides). The tool's side is reported twice, per request and per launch:
- **inside the tool**: the ``Server-Timing: app;dur=…, cpu;dur=…`` every response carries
  (``app/server_timing.py``): wall and CPU time from the moment a worker hands the request
  to the app until the response starts;
- **as the client saw it**: the same requests timed by the client, which adds the wait for
  a free gunicorn worker, the loopback network and the client's own scheduling. With 32
  browsers and no think time the machine is saturated, so this is mostly that queue.
The target (p50 <= 10 ms, p99 <= 50 ms at 32 concurrent) is read per tool request inside
the tool; the other three readings are printed next to it.

Defaults, and why: one gunicorn worker per core with one thread each (``--workers``,
``--threads``): launches are CPU-bound, and more threads than cores only queue for the GIL
inside a worker. The client and the emulator (Canvas's side) run at ``--nice 10``: a load
generator and Canvas are other machines in production, and here they must not take the
tool's cores; PostgreSQL and gunicorn keep normal priority. ``--nice 0`` shows the raw
contention. Run: ``.venv/bin/python benchmarks/launch.py`` (``--launches 300 --max-seconds
60`` per level). Loopback only; a throwaway PostgreSQL cluster and emulator are started and
removed.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from html import unescape
from pathlib import Path
from urllib.parse import urlsplit

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _example import example_tool
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

TEACHER = 3
COURSE = 101
_INPUT = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)"')
_FORM = re.compile(r'<form id="tool_form" action="([^"]+)"')


def fields(html: str) -> dict[str, str]:
    return {unescape(k): unescape(v) for k, v in _INPUT.findall(html)}


_SERVER_TIMING = re.compile(r"(\w+);dur=([0-9.]+)")


def server_timing(response: requests.Response) -> tuple[float, float] | None:
    """(app wall seconds, app CPU seconds) from the tool's ``Server-Timing`` header; None for
    an app without one (the pylti1p3 example)."""
    found = dict(_SERVER_TIMING.findall(response.headers.get("Server-Timing", "")))
    if "app" not in found or "cpu" not in found:
        return None
    return float(found["app"]) / 1000, float(found["cpu"]) / 1000


@dataclass
class Launched:
    """One launch: the client's view of each tool request, the tool's own, the emulator's."""

    client: tuple[float, float, float]  # login, launch, landing as the client timed them
    server: tuple[float, float, float] | None  # the same, from Server-Timing (inside the tool)
    cpu: float | None  # the tool's CPU for the three requests (Server-Timing)
    canvas: float


@dataclass
class Timings:
    login: list[float] = field(default_factory=list)
    launch: list[float] = field(default_factory=list)
    landing: list[float] = field(default_factory=list)
    tool: list[float] = field(default_factory=list)
    server_login: list[float] = field(default_factory=list)
    server_launch: list[float] = field(default_factory=list)
    server_landing: list[float] = field(default_factory=list)
    server_tool: list[float] = field(default_factory=list)
    server_cpu: list[float] = field(default_factory=list)
    canvas: list[float] = field(default_factory=list)
    failures: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, launched: Launched) -> None:
        with self.lock:
            for series, value in zip(
                (self.login, self.launch, self.landing), launched.client, strict=True
            ):
                series.append(value)
            self.tool.append(sum(launched.client))
            self.canvas.append(launched.canvas)
            if launched.server is None or launched.cpu is None:
                return
            for series, value in zip(
                (self.server_login, self.server_launch, self.server_landing),
                launched.server,
                strict=True,
            ):
                series.append(value)
            self.server_tool.append(sum(launched.server))
            self.server_cpu.append(launched.cpu)

    def merge(self, other: Timings) -> None:
        for name in (
            "login", "launch", "landing", "tool", "server_login", "server_launch",
            "server_landing", "server_tool", "server_cpu", "canvas",
        ):  # fmt: skip
            getattr(self, name).extend(getattr(other, name))
        self.failures += other.failures


def _auth_url(login: requests.Response) -> str:
    """Where the login sends the browser: a redirect, or (platform storage offered) the
    page that stores the state and then navigates to ``data-auth-url``."""
    if login.status_code == 302:
        return login.headers["Location"]
    found = re.search(r'data-auth-url="([^"]*)"', login.text)
    if login.status_code != 200 or found is None:
        raise RuntimeError(f"login answered {login.status_code}")
    return unescape(found.group(1))


class Browser:
    """One user's browser: Canvas session cookie, the tool's own cookie jar, keep-alive."""

    def __init__(
        self,
        emulator_url: str,
        tool_id: str,
        *,
        user_id: int = TEACHER,
        context: str = f"courses/{COURSE}",
        placement: str = "course_navigation",
    ) -> None:
        self.emulator_url = emulator_url
        self.launch_path = f"/{context}/external_tools/{tool_id}?launch_type={placement}"
        self.canvas = requests.Session()
        self.canvas.get(f"{emulator_url}/_emulator/login_as/{user_id}", timeout=10)
        self.last_landing_url = ""

    def launch(self, tool: requests.Session | None = None) -> Launched:
        """One full launch, timed."""
        keep = tool is not None
        tool = tool or requests.Session()  # a new tab's third-party jar is empty at login
        started = time.perf_counter()
        page = self.canvas.get(self.emulator_url + self.launch_path, timeout=30)
        page.raise_for_status()
        action = _FORM.search(page.text)
        if action is None:
            raise RuntimeError("Canvas launch page without the tool form")
        canvas_time = time.perf_counter() - started

        t0 = time.perf_counter()
        login = tool.post(unescape(action.group(1)), data=fields(page.text), timeout=30,
                          allow_redirects=False)  # fmt: skip
        login_time = time.perf_counter() - t0
        auth_url = _auth_url(login)
        for cookie in tool.cookies:  # browsers send Secure cookies to loopback http too
            cookie.secure = False

        t0 = time.perf_counter()
        auth = self.canvas.get(auth_url, timeout=30)
        auth.raise_for_status()
        canvas_time += time.perf_counter() - t0
        form = fields(auth.text)
        target = re.search(r'<form[^>]*action="([^"]+)"', auth.text)
        if target is None or "id_token" not in form:
            raise RuntimeError("Canvas authorize without an id_token form")

        t0 = time.perf_counter()
        launched = tool.post(unescape(target.group(1)), data=form, timeout=30,
                             allow_redirects=False)  # fmt: skip
        launch_time = time.perf_counter() - t0
        if launched.status_code == 200 and "data-launch-id" in launched.text:
            # The pylti1p3 example renders its page in the launch answer itself.
            if not keep:
                tool.close()
            return Launched((login_time, launch_time, 0.0), None, None, canvas_time)
        if launched.status_code != 303:
            raise RuntimeError(f"launch answered {launched.status_code}: {launched.text[:300]}")

        location = launched.headers["Location"]
        base = f"{urlsplit(login.url).scheme}://{urlsplit(login.url).netloc}"
        t0 = time.perf_counter()
        landing = tool.get(location if location.startswith("http") else base + location,
                           timeout=30)  # fmt: skip
        landing_time = time.perf_counter() - t0
        if landing.status_code != 200:
            raise RuntimeError(f"landing answered {landing.status_code}")
        self.last_landing_url = landing.url
        if not keep:
            tool.close()
        inside = [server_timing(answer) for answer in (login, launched, landing)]
        if inside[0] is None or inside[1] is None or inside[2] is None:
            raise RuntimeError("the tool's response has no Server-Timing header")
        return Launched(
            client=(login_time, launch_time, landing_time),
            server=(inside[0][0], inside[1][0], inside[2][0]),
            cpu=inside[0][1] + inside[1][1] + inside[2][1],
            canvas=canvas_time,
        )


def run_level(
    emulator_url: str,
    tool_id: str,
    concurrency: int,
    launches: int,
    max_seconds: float,
    *,
    quiet_failures: bool = False,
) -> tuple[Timings, float, int]:
    """``launches`` launches on ``concurrency`` browsers (stops early at ``max_seconds``)."""
    timings = Timings()
    browsers = [Browser(emulator_url, tool_id) for _ in range(concurrency)]
    counter = iter(range(launches))
    counter_lock = threading.Lock()
    deadline = time.monotonic() + max_seconds

    def drive(browser: Browser) -> None:
        while time.monotonic() < deadline:
            with counter_lock:
                if next(counter, None) is None:
                    return
            try:
                launched = browser.launch()
            except (requests.RequestException, RuntimeError) as exc:
                with timings.lock:
                    timings.failures += 1
                    if timings.failures <= 3 and not quiet_failures:
                        print(f"  launch failed: {exc}", file=sys.stderr)
                continue
            timings.add(launched)

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        list(pool.map(drive, browsers))
    elapsed = time.perf_counter() - started
    return timings, elapsed, len(timings.tool)


def report(
    concurrency: int, timings: Timings, elapsed: float, done: int, cpu_seconds: float
) -> dict[str, Summary]:
    """Print one level; returns the summaries the target is read on."""
    print(f"\n== {concurrency} concurrent: {done} launches in {elapsed:.1f} s "
          f"= {done / elapsed:.1f} launches/s, {timings.failures} failed")  # fmt: skip
    if not timings.tool:
        raise SystemExit("no launch succeeded")
    found = {
        "request, inside": summarize(
            "any tool request",
            timings.server_login + timings.server_launch + timings.server_landing,
        ),
        "launch, inside": summarize("login+launch+page", timings.server_tool),
        "request, client": summarize(
            "any tool request", timings.login + timings.launch + timings.landing
        ),
        "launch, client": summarize("login+launch+page", timings.tool),
    }
    sections = (
        ("inside the tool (Server-Timing):", timings.server_login, timings.server_launch,
         timings.server_landing, "request, inside", "launch, inside",
         summarize("CPU of the three", timings.server_cpu)),
        ("as the client saw it (adds the wait for a worker and a core):", timings.login,
         timings.launch, timings.landing, "request, client", "launch, client",
         summarize("emulator (Canvas side)", timings.canvas)),
    )  # fmt: skip
    for title, login, launch, landing, per_request, per_launch, last in sections:
        print(f"  {title}")
        for summary in (
            summarize("POST /lti/login", login),
            summarize("POST /lti/launch", launch),
            summarize("GET landing", landing),
            found[per_request],
            found[per_launch],
            last,
        ):
            print("    " + summary.row())
    print(f"  tool CPU (all gunicorn processes, incl. gunicorn itself): "
          f"{cpu_seconds / max(done, 1) * 1000:.1f} ms per launch")  # fmt: skip
    return found


@dataclass
class Side:
    """One app's share of a level, summed over the alternating rounds."""

    name: str
    tool_id: str
    pid: int
    timings: Timings = field(default_factory=Timings)
    elapsed: float = 0.0
    done: int = 0
    cpu: float = 0.0

    @property
    def rate(self) -> float:
        return self.done / self.elapsed if self.elapsed else 0.0

    @property
    def cpu_ms(self) -> float:
        return self.cpu / max(self.done, 1) * 1000


def run_pair(emu: str, sides: list[Side], level: int, args: argparse.Namespace) -> None:
    """Alternate the apps in ``--rounds`` rounds (ABBA...), so drifting load from the
    machine's other tenants falls on both alike."""
    per_round = max(1, args.launches // args.rounds)
    for number in range(args.rounds):
        order = sides if number % 2 == 0 else sides[::-1]
        for side in order:
            before = tree_cpu_seconds(side.pid)
            timings, elapsed, done = run_level(
                emu, side.tool_id, level, per_round, args.max_seconds / args.rounds,
                quiet_failures=side.name != "tool",
            )  # fmt: skip
            side.cpu += tree_cpu_seconds(side.pid) - before
            side.timings.merge(timings)
            side.elapsed += elapsed
            side.done += done


def compare(results: dict[int, tuple[Side, Side]], workers: int) -> None:
    """The side-by-side table and the issue's targets (ratio >= 1.5 at 8 and 32, tool CPU
    <= 4 ms per launch, 0 lost)."""
    print(f"\n== tool vs pylti1p3 example (same run, {workers} gunicorn worker(s) each)")
    print("  level  tool l/s  example l/s  ratio  lost tool/example  "
          "gunicorn CPU per launch tool/example  tool app CPU p50/mean")  # fmt: skip
    for level, (tool, example) in results.items():
        ratio = tool.rate / example.rate if example.rate else float("inf")
        cpu = tool.timings.server_cpu
        app_cpu = summarize("cpu", cpu) if cpu else None
        app_text = f"{app_cpu.p50_ms:.2f} / {app_cpu.mean_ms:.2f} ms" if app_cpu else "-"
        lost = f"{tool.timings.failures}/{tool.done + tool.timings.failures}"
        lost_example = f"{example.timings.failures}/{example.done + example.timings.failures}"
        print(f"  {level:>5}  {tool.rate:8.1f}  {example.rate:11.1f}  {ratio:5.2f}  "
              f"{lost:>8} {lost_example:>8}  {tool.cpu_ms:17.2f} / {example.cpu_ms:.2f} ms"
              f"  {app_text}")  # fmt: skip
    for level in (8, 32):
        if level in results:
            tool, example = results[level]
            ratio = tool.rate / example.rate if example.rate else float("inf")
            print(f"  target at {level}: ratio >= 1.50: {ratio:.2f} "
                  f"{'met' if ratio >= 1.5 else 'missed'}")  # fmt: skip
    cpus = [c for tool, _ in results.values() for c in tool.timings.server_cpu]
    if cpus:
        mean = summarize("cpu", cpus).mean_ms
        print(f"  target tool CPU <= 4 ms per launch (app, Server-Timing, mean of all levels): "
              f"{mean:.2f} ms {'met' if mean <= 4 else 'missed'}")  # fmt: skip
    lost = sum(tool.timings.failures for tool, _ in results.values())
    print(f"  target 0 lost tool launches: {lost} {'met' if lost == 0 else 'missed'}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--levels", default="1,8,32")
    parser.add_argument("--launches", type=int, default=300, help="per level and app")
    parser.add_argument("--max-seconds", type=float, default=60.0, help="per level and app")
    parser.add_argument("--rounds", type=int, default=4, help="alternations per level")
    parser.add_argument("--warmup", type=int, default=40)
    parser.add_argument("--workers", type=int, default=1, help="gunicorn workers, each app")
    parser.add_argument("--threads", type=int, default=1, help="threads per gunicorn worker")
    parser.add_argument("--no-example", action="store_true", help="the tool alone")
    parser.add_argument(
        "--example-key-cache",
        action="store_true",
        help="let the example cache the platform's JWKS (pylti1p3's set_public_key_caching)",
    )
    parser.add_argument(
        "--nice", type=int, default=10, help="lower CPU priority of the client and the emulator"
    )
    args = parser.parse_args()
    levels = [int(level) for level in args.levels.split(",")]

    with contextlib.ExitStack() as stack:
        work = stack.enter_context(workdir("bench-launch-"))
        pg = stack.enter_context(postgres())
        emu = stack.enter_context(emulator_process(work, nice=args.nice))
        database_url = pg.create_database("launch_bench")
        tool = stack.enter_context(
            gunicorn_tool(work, database_url, workers=args.workers, threads=args.threads)
        )
        registration = register(tool.settings, emu, tool.url)
        sides = [Side("tool", registration["deployment_id"].split(":")[0], tool.process.pid)]
        example = None
        if not args.no_example:
            example = stack.enter_context(
                example_tool(
                    work,
                    workers=args.workers,
                    threads=args.threads,
                    key_cache=args.example_key_cache,
                )
            )
            answer = example.register(emu)
            sides.append(Side("example", answer["deployment_id"].split(":")[0],
                              example.process.pid))  # fmt: skip
        if args.nice:  # after PostgreSQL and gunicorn have forked at normal priority
            os.nice(args.nice)
        print(f"tool {tool.url} and pylti1p3 example {example.url if example else '-'} "
              f"(gunicorn, {args.workers} workers x {args.threads} threads each); "
              f"tool on PostgreSQL; emulator {emu}")  # fmt: skip
        for side in sides:
            warm, _, _ = run_level(emu, side.tool_id, 4, args.warmup, args.max_seconds,
                                   quiet_failures=side.name != "tool")  # fmt: skip
            if warm.failures and side.name == "tool":  # warming every worker must not fail
                print(tool.log.read_text()[-4000:], file=sys.stderr)
        results: dict[int, tuple[Side, Side]] = {}
        for level in levels:
            fresh = [Side(side.name, side.tool_id, side.pid) for side in sides]
            run_pair(emu, fresh, level, args)
            print(f"\n#### {level} concurrent")
            report(level, fresh[0].timings, fresh[0].elapsed, fresh[0].done, fresh[0].cpu)
            if fresh[0].timings.failures:
                print(tool.log.read_text()[-2000:], file=sys.stderr)
            if len(fresh) > 1:
                side = fresh[1]
                print(f"  pylti1p3 example: {side.done} launches in {side.elapsed:.1f} s = "
                      f"{side.rate:.1f} launches/s, {side.timings.failures} lost; "
                      f"{summarize('two requests', side.timings.tool).row()}; "
                      f"gunicorn CPU {side.cpu_ms:.1f} ms per launch")  # fmt: skip
                results[level] = (fresh[0], fresh[1])
        if results:
            compare(results, args.workers)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
