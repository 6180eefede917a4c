"""What ``launch.py`` measures, per app and level, and how it prints it (tables, targets)."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from _support import Summary, summarize


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
    lost_total = sum(tool.timings.failures for tool, _ in results.values())
    print(f"  target 0 lost tool launches: {lost_total} "
          f"{'met' if lost_total == 0 else 'missed'}")  # fmt: skip
