"""Run the demo: the Canvas emulator, the tool and its job worker, wired together.

``scripts/demo`` installs what is needed and runs this file. It starts three processes,

- the emulator on ``http://localhost:<emulator-port>`` (a local Canvas with seeded data),
- the tool on ``http://127.0.0.1:<tool-port>`` (a different site from the emulator, so the
  browser treats the tool in Canvas's iframe as third-party, as in production),
- the tool's job worker (polls Canvas for running reports),

prepares the tool's SQLite database, registers the tool in the emulator through the
emulator's ``POST /_emulator/tools`` with the tool's own ``/lti_config.json``, gives the answer
to ``flask --app app platforms add``, and prints what to open. Ctrl-C stops everything.

``--check`` starts, registers, verifies that a teacher's launch page loads, then stops: a quick
self-test for a person and the test in ``tests/integration/test_demo.py``.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import requests

from app.lti.registrations import PlatformInput

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
# The fields ``platforms add`` takes, named as ``POST /_emulator/tools`` answers them.
REGISTRATION_FIELDS = tuple(field.name for field in dataclasses.fields(PlatformInput))
TEACHER_ID = 3  # "Tina Teacher" in the seeded data (docs/architecture.md)
COURSE_ID = 101  # "Biology 101"
START_TIMEOUT_SECONDS = 60.0


class DemoError(RuntimeError):
    """Something the person can act on (the message says what)."""


@dataclass
class DemoConfig:
    emulator_port: int = 5001
    tool_port: int = 5000
    instance_dir: Path = ROOT / "instance"
    size: str = "demo"
    worker: bool = True

    @property
    def emulator_url(self) -> str:
        return f"http://localhost:{self.emulator_port}"

    @property
    def tool_url(self) -> str:
        return f"http://127.0.0.1:{self.tool_port}"

    @property
    def log_dir(self) -> Path:
        return self.instance_dir / "demo-logs"

    def tool_env(self) -> dict[str, str]:
        """The tool's environment: demo mode, its URL, its instance folder (SQLite, secrets)."""
        env = {k: v for k, v in os.environ.items() if k not in {"TOOL_ENV", "DATABASE_URL"}}
        env.update(
            TOOL_BASE_URL=self.tool_url,
            TOOL_INSTANCE_DIR=str(self.instance_dir),
            # Dynamic registration fetches https only, plus this allow-listed http emulator.
            DYNAMIC_REGISTRATION_HTTP_ORIGINS=self.emulator_url,
            PYTHONUNBUFFERED="1",
        )
        return env

    def emulator_env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            EMULATOR_BASE_URL=self.emulator_url, EMULATOR_SIZE=self.size, PYTHONUNBUFFERED="1"
        )
        return env


@dataclass
class Processes:
    """Children started by the demo, each in its own process group, stopped together."""

    children: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    logs: dict[str, Path] = field(default_factory=dict)
    _files: list[IO[bytes]] = field(default_factory=list)

    def start(self, name: str, argv: Sequence[str], env: dict[str, str], log: Path) -> None:
        log.parent.mkdir(parents=True, exist_ok=True)
        handle = log.open("wb")
        self._files.append(handle)
        self.logs[name] = log
        self.children[name] = subprocess.Popen(
            list(argv),
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def dead(self) -> dict[str, int]:
        return {
            name: code
            for name, child in self.children.items()
            if (code := child.poll()) is not None
        }

    def stop(self) -> None:
        for child in self.children.values():
            if child.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(child.pid, signal.SIGTERM)
        deadline = time.monotonic() + 10
        for child in self.children.values():
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(child.pid, signal.SIGKILL)
                child.wait()
        for handle in self._files:
            handle.close()

    def tail(self, name: str, lines: int = 25) -> str:
        path = self.logs.get(name)
        if path is None or not path.exists():
            return ""
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


def flask(app: str, *args: str) -> list[str]:
    return [str(BIN / "flask"), "--app", app, *args]


def run_tool_command(config: DemoConfig, *args: str) -> subprocess.CompletedProcess[str]:
    """Run a ``flask --app app`` command with the demo's environment; raise with its output."""
    result = subprocess.run(
        flask("app", *args),
        cwd=ROOT,
        env=config.tool_env(),
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    if result.returncode != 0:
        raise DemoError(
            f"`flask --app app {' '.join(args[:2])}` failed:\n{result.stdout}{result.stderr}"
        )
    return result


def wait_until_up(url: str, processes: Processes, timeout: float = START_TIMEOUT_SECONDS) -> None:
    """Poll ``url`` until it answers below 500; fail early if a child died."""
    deadline = time.monotonic() + timeout
    while True:
        dead = processes.dead()
        if dead:
            name, code = next(iter(dead.items()))
            raise DemoError(f"the {name} exited with {code}:\n{processes.tail(name)}")
        with contextlib.suppress(requests.RequestException):
            if requests.get(url, timeout=2).status_code < 500:
                return
        if time.monotonic() > deadline:
            raise DemoError(f"{url} did not answer within {timeout:.0f}s")
        time.sleep(0.2)  # waiting for another process to bind its port


def register(emulator_url: str, tool_url: str) -> dict[str, str]:
    """Register the tool in the emulator from its ``/lti_config.json``; return the answer."""
    config = requests.get(f"{tool_url}/lti_config.json", timeout=10)
    if config.status_code != 200:
        raise DemoError(f"{tool_url}/lti_config.json answered {config.status_code}")
    answer = requests.post(
        f"{emulator_url}/_emulator/tools",
        json={
            "lti_config": config.json(),
            "api_redirect_uris": [f"{tool_url}/oauth/callback"],
            "require_scopes": False,
        },
        timeout=10,
    )
    if answer.status_code >= 400:
        raise DemoError(f"the emulator refused the registration: {answer.text}")
    registration: dict[str, str] = answer.json()
    missing = [name for name in REGISTRATION_FIELDS if not registration.get(name)]
    if missing:
        raise DemoError(f"the emulator's registration answer lacks {', '.join(missing)}")
    return registration


def platform_add_args(registration: dict[str, str]) -> list[str]:
    """``platforms add`` arguments: the registration answer's fields, names dashed."""
    args = ["platforms", "add"]
    for name in REGISTRATION_FIELDS:
        args += [f"--{name.replace('_', '-')}", str(registration[name])]
    return args


def add_platform(config: DemoConfig, registration: dict[str, str]) -> None:
    """Record the emulator as a platform in the tool (``platforms add`` updates a known one)."""
    run_tool_command(config, *platform_add_args(registration))


def launch_page_loads(config: DemoConfig) -> str:
    """Act as the teacher and open the course's tool placement; return the page's HTML.

    The page is Canvas's chrome with an iframe that starts the tool's OIDC login; a browser
    finishes the launch (tests/browser covers that part).
    """
    with requests.Session() as browser:
        browser.get(f"{config.emulator_url}/_emulator/login_as/{TEACHER_ID}", timeout=10)
        course = browser.get(f"{config.emulator_url}/courses/{COURSE_ID}", timeout=10)
        if course.status_code != 200:
            raise DemoError(f"course {COURSE_ID} page answered {course.status_code}")
        link = find_tool_link(course.text, COURSE_ID)
        page = browser.get(f"{config.emulator_url}{link}", timeout=10)
        if page.status_code != 200 or config.tool_url not in page.text:
            raise DemoError(f"the tool placement {link} did not frame the tool")
        return page.text


def find_tool_link(html: str, course_id: int) -> str:
    """The course-navigation link to an external tool in a course page."""
    marker = f"/courses/{course_id}/external_tools/"
    start = html.find(marker)
    if start < 0:
        raise DemoError(f"course {course_id} shows no external tool link")
    end = min(i for i in (html.find('"', start), html.find("'", start)) if i >= 0)
    return html[start:end].replace("&amp;", "&")


@contextlib.contextmanager
def running(config: DemoConfig) -> Iterator[tuple[Processes, dict[str, str]]]:
    """Prepare the database, start the three processes, register; stop them on exit."""
    config.instance_dir.mkdir(parents=True, exist_ok=True)
    run_tool_command(config, "db", "upgrade")
    processes = Processes()
    try:
        processes.start(
            "emulator",
            flask(
                "emulator",
                "run",
                "--host",
                "localhost",
                "--port",
                str(config.emulator_port),
                "--no-reload",
                "--no-debugger",
            ),
            config.emulator_env(),
            config.log_dir / "emulator.log",
        )
        processes.start(
            "tool",
            flask(
                "app",
                "run",
                "--host",
                "127.0.0.1",
                "--port",
                str(config.tool_port),
                "--no-reload",
                "--no-debugger",
            ),
            config.tool_env(),
            config.log_dir / "tool.log",
        )
        if config.worker:
            processes.start(
                "worker", flask("app", "worker"), config.tool_env(), config.log_dir / "worker.log"
            )
        wait_until_up(f"{config.emulator_url}/", processes)
        wait_until_up(f"{config.tool_url}/healthz", processes)
        registration = register(config.emulator_url, config.tool_url)
        add_platform(config, registration)
        yield processes, registration
    finally:
        processes.stop()


def parse_args(argv: Sequence[str]) -> tuple[DemoConfig, bool]:
    parser = argparse.ArgumentParser(prog="scripts/demo", description=__doc__.split("\n\n")[0])
    parser.add_argument("--emulator-port", type=int, default=5001)
    parser.add_argument("--tool-port", type=int, default=5000)
    parser.add_argument("--instance-dir", type=Path, default=ROOT / "instance")
    parser.add_argument("--size", choices=("small", "demo", "load"), default="demo")
    parser.add_argument("--no-worker", action="store_true", help="do not start the job worker")
    parser.add_argument("--check", action="store_true", help="start, verify a launch page, stop")
    args = parser.parse_args(argv)
    config = DemoConfig(
        emulator_port=args.emulator_port,
        tool_port=args.tool_port,
        instance_dir=args.instance_dir.resolve(),
        size=args.size,
        worker=not args.no_worker,
    )
    return config, args.check


def instructions(config: DemoConfig) -> str:
    return f"""
Canvas Reports demo is running.

  Open {config.emulator_url}/ in a browser (the emulated Canvas), then:
    1. act as "Tina Teacher" and open "Biology 101" -> "Reports" in the course menu
       (or act as "Ada Admin" -> Admin -> State University -> "Reports");
    2. the tool ({config.tool_url}) opens inside Canvas's page.

  Logs: {config.log_dir}/  (emulator.log, tool.log, worker.log)
  Stop with Ctrl-C.
"""


def main(argv: Sequence[str] | None = None) -> int:
    config, check = parse_args(sys.argv[1:] if argv is None else argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        with running(config) as (processes, _registration):
            if check:
                launch_page_loads(config)
                print(f"demo check passed: {config.emulator_url} frames {config.tool_url}")
                return 0
            print(instructions(config), flush=True)
            while not processes.dead():
                time.sleep(1)  # a person is using the demo; wake up to notice a crashed child
            name, code = next(iter(processes.dead().items()))
            print(f"the {name} exited with {code}:\n{processes.tail(name)}", file=sys.stderr)
            return 1
    except DemoError as exc:
        print(f"demo: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0


if __name__ == "__main__":
    sys.exit(main())
