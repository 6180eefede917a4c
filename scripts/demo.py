"""Run the demo: the Canvas emulator, the tool and its job worker, wired together.

``scripts/demo`` installs what is needed and runs this file. It starts three processes,

- the emulator on ``http://localhost:<emulator-port>`` (a local Canvas with seeded data),
- the tool on ``http://127.0.0.1:<tool-port>`` (a different site from the emulator, so the
  browser treats the tool in Canvas's iframe as third-party, as in production),
- the tool's job worker (polls Canvas for running reports),

prepares the tool's SQLite database, registers the tool in the emulator through the
emulator's ``POST /_emulator/tools`` with the tool's own ``/lti_config.json``, gives the answer
to ``flask --app app platforms add``, and prints what to open. Ctrl-C stops everything.

``--check`` starts, registers, then completes a real teacher launch (OIDC login, id_token,
Canvas consent) up to the course's reports page listing its quizzes, and stops: a quick
self-test for a person and the test in ``tests/integration/test_demo.py``.

``--help`` answers at once: this file imports nothing outside the standard library before
the arguments are read (``scripts/demo`` runs it with the system Python for ``--help``,
before installing anything).
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

ROOT = Path(__file__).resolve().parents[1]
# The launch check lives beside this file (third-party imports wait until it runs).
sys.path.insert(0, str(Path(__file__).resolve().parent))
from demo_check import DemoError, find_tool_link, launch_page_loads  # noqa: E402

__all__ = ["DemoError", "find_tool_link", "launch_page_loads"]
BIN = Path(sys.executable).parent
START_TIMEOUT_SECONDS = 60.0


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


def registration_fields() -> tuple[str, ...]:
    """The fields ``platforms add`` takes, named as ``POST /_emulator/tools`` answers them."""
    from app.lti.registrations import PlatformInput  # noqa: PLC0415 - after --help

    return tuple(field.name for field in dataclasses.fields(PlatformInput))


def wait_until_up(url: str, processes: Processes, timeout: float = START_TIMEOUT_SECONDS) -> None:
    """Poll ``url`` until it answers below 500; fail early if a child died."""
    import requests  # noqa: PLC0415 - after --help

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
    import requests  # noqa: PLC0415 - after --help

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
    missing = [name for name in registration_fields() if not registration.get(name)]
    if missing:
        raise DemoError(f"the emulator's registration answer lacks {', '.join(missing)}")
    return registration


def platform_add_args(registration: dict[str, str]) -> list[str]:
    """``platforms add`` arguments: the registration answer's fields, names dashed."""
    args = ["platforms", "add"]
    for name in registration_fields():
        args += [f"--{name.replace('_', '-')}", str(registration[name])]
    return args


def add_platform(config: DemoConfig, registration: dict[str, str]) -> None:
    """Record the emulator as a platform in the tool (``platforms add`` updates a known one)."""
    run_tool_command(config, *platform_add_args(registration))


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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="scripts/demo",
        description=(
            "Run the demo: a local Canvas (the emulator), the Canvas Reports tool and its job "
            "worker, wired together. Installs what is missing first (a .venv), except for "
            "--help. Ctrl-C stops everything."
        ),
        epilog=(
            "In the emulated Canvas act as Tina Teacher (Biology 101 -> Reports), Ada Admin "
            "(Admin -> State University -> Reports) or Sofía Profesora (Spanish UI: Art "
            "History -> Reports). Logs go to <instance-dir>/demo-logs/."
        ),
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--emulator-port", type=int, default=5001,
                        help="port of the emulated Canvas on localhost")  # fmt: skip
    parser.add_argument("--tool-port", type=int, default=5000,
                        help="port of the tool on 127.0.0.1 (not Canvas's site)")  # fmt: skip
    parser.add_argument("--instance-dir", type=Path, default=ROOT / "instance",
                        help="folder for the tool's SQLite database, secrets and logs")  # fmt: skip
    parser.add_argument("--size", choices=("small", "demo", "load"), default="demo",
                        help="seeded data: students per course and quiz submissions")  # fmt: skip
    parser.add_argument("--no-worker", action="store_true",
                        help="do not start the job worker (reports then stay queued)")  # fmt: skip
    parser.add_argument("--check", action="store_true",
                        help="start, launch as a teacher up to the reports, stop")  # fmt: skip
    return parser


def parse_args(argv: Sequence[str]) -> tuple[DemoConfig, bool]:
    args = build_parser().parse_args(argv)
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
       (or act as "Ada Admin" -> Admin -> State University -> "Reports";
       or act as "Sofía Profesora" -> "Art History" -> "Reports" for the Spanish UI);
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
                print(
                    f"demo check passed: a teacher's launch in {config.emulator_url} reached "
                    f"the course's reports in {config.tool_url}"
                )
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
