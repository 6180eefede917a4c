"""The demo (scripts/demo.py): its pieces, its failure messages, and a real run with --check."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from werkzeug.serving import make_server
from werkzeug.wrappers import Response

from emulator.testing import LiveEmulator
from tests.support.services import free_port

ROOT = Path(__file__).resolve().parents[2]


def _load_demo() -> ModuleType:
    spec = importlib.util.spec_from_file_location("demo_script", ROOT / "scripts" / "demo.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["demo_script"] = module
    spec.loader.exec_module(module)
    return module


demo = _load_demo()

REGISTRATION = {
    "issuer": "http://localhost:5001",
    "client_id": "10000000000001",
    "deployment_id": "1:abc",
    "auth_login_url": "http://localhost:5001/api/lti/authorize_redirect",
    "auth_token_url": "http://localhost:5001/login/oauth2/token",
    "key_set_url": "http://localhost:5001/api/lti/security/jwks",
    "canvas_url": "http://localhost:5001",
    "api_client_id": "10000000000002",
    "api_client_secret": "s3cret",
}


def test_platform_add_args_pass_every_registration_field_dashed() -> None:
    args = demo.platform_add_args(REGISTRATION)
    assert args[:2] == ["platforms", "add"]
    pairs = dict(zip(args[2::2], args[3::2], strict=True))
    assert pairs == {f"--{k.replace('_', '-')}": v for k, v in REGISTRATION.items()}


def test_find_tool_link_reads_the_course_navigation_link() -> None:
    html = (
        '<nav><a href="/courses/101/grades">Grades</a>'
        '<a href="/courses/101/external_tools/7?launch_type=course_navigation&amp;x=1">Reports</a>'
    )
    assert demo.find_tool_link(html, 101) == (
        "/courses/101/external_tools/7?launch_type=course_navigation&x=1"
    )


def test_find_tool_link_explains_a_missing_placement() -> None:
    with pytest.raises(demo.DemoError, match="no external tool link"):
        demo.find_tool_link("<nav></nav>", 101)


@pytest.fixture
def fake_tool() -> Iterator[str]:
    """A site whose ``/lti_config.json`` is not a valid developer key."""

    def wsgi(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        if environ["PATH_INFO"] == "/lti_config.json":
            response = Response('{"title": "no urls"}', mimetype="application/json")
        else:
            response = Response("not found", status=404)
        return response(environ, start_response)

    server = make_server("127.0.0.1", 0, wsgi, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def test_register_reports_the_emulators_refusal(emulator: LiveEmulator, fake_tool: str) -> None:
    with pytest.raises(demo.DemoError, match="refused the registration"):
        demo.register(emulator.url, fake_tool)


def test_register_reports_a_tool_without_lti_config(emulator: LiveEmulator, fake_tool: str) -> None:
    with pytest.raises(demo.DemoError, match=r"lti_config\.json answered 404"):
        demo.register(emulator.url, f"{fake_tool}/missing")


def test_wait_until_up_names_a_child_that_died(tmp_path: Path) -> None:
    processes = demo.Processes()
    processes.start(
        "tool",
        [sys.executable, "-c", "import sys; print('boom'); sys.exit(3)"],
        {},
        tmp_path / "tool.log",
    )
    processes.children["tool"].wait()
    with pytest.raises(demo.DemoError, match=r"(?s)the tool exited with 3.*boom"):
        demo.wait_until_up(f"http://127.0.0.1:{free_port()}/", processes, timeout=5)
    processes.stop()


@pytest.mark.slow
def test_demo_check_starts_registers_and_frames_the_tool(tmp_path: Path) -> None:
    """The real thing: three processes, registration over HTTP, a teacher's launch page."""
    result = subprocess.run(
        [
            sys.executable,
            str(ROOT / "scripts" / "demo.py"),
            "--check",
            "--size",
            "small",
            "--emulator-port",
            str(free_port()),
            "--tool-port",
            str(free_port()),
            "--instance-dir",
            str(tmp_path / "instance"),
        ],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "demo check passed" in result.stdout


def test_a_failing_tool_command_is_reported_with_its_output(tmp_path: Path) -> None:
    config = demo.DemoConfig(instance_dir=tmp_path)
    with pytest.raises(
        demo.DemoError, match=r"(?s)`flask --app app no-such-command` failed.*No such command"
    ):
        demo.run_tool_command(config, "no-such-command")


def test_demo_environment_keeps_the_tool_in_demo_mode(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TOOL_ENV", "production")
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://elsewhere/db")
    config = demo.DemoConfig(tool_port=5123, emulator_port=5124, instance_dir=tmp_path)
    env = config.tool_env()
    assert "TOOL_ENV" not in env
    assert "DATABASE_URL" not in env
    assert env["TOOL_BASE_URL"] == "http://127.0.0.1:5123"
    assert env["TOOL_INSTANCE_DIR"] == str(tmp_path)
    # Dynamic registration may fetch this http emulator only (allow-list; https otherwise).
    assert env["DYNAMIC_REGISTRATION_HTTP_ORIGINS"] == "http://localhost:5124"
    assert config.emulator_env()["EMULATOR_BASE_URL"] == "http://localhost:5124"


def test_help_answers_at_once_with_descriptions_and_defaults() -> None:
    """``scripts/demo --help`` runs on the system Python before any install step."""
    result = subprocess.run(
        [str(ROOT / "scripts" / "demo"), "--help"],
        capture_output=True,
        text=True,
        timeout=10,
        check=False,
        env={"PATH": "/usr/bin:/bin"},  # no .venv on the path: nothing installed is needed
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr
    assert "bootstrap" not in result.stdout + result.stderr
    for text in (
        "port of the emulated Canvas on localhost (default: 5001)",
        "(default: 5000)",
        "seeded data",
        "(default: demo)",
        "launch as a teacher up to the reports",
        "Sofía Profesora",
    ):
        assert text in " ".join(result.stdout.split()), text
