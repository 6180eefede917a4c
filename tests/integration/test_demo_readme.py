"""The README stays true: its two commands exist, its scopes and variables match the code."""

from __future__ import annotations

import os
import re
from pathlib import Path

from app.config import CANVAS_SCOPES

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()
CONFIG_SOURCE = (ROOT / "app" / "config.py").read_text()


def test_the_two_commands_exist_and_are_executable() -> None:
    for command in ("scripts/demo", "scripts/test"):
        assert f"\n{command}\n" in README
        assert os.access(ROOT / command, os.X_OK), command


def test_ci_runs_the_readme_test_command() -> None:
    assert "scripts/test" in (ROOT / ".ci" / "run").read_text()


def test_scopes_listed_are_exactly_the_configured_ones() -> None:
    block = README.split("### Canvas API scopes", 1)[1].split("```text\n", 1)[1].split("```", 1)[0]
    assert block.split() == list(CANVAS_SCOPES)


def test_every_environment_variable_in_the_table_is_read_by_the_tool() -> None:
    table = README.split("## Configuration", 1)[1].split("###", 1)[0]
    documented = set(re.findall(r"^\| `([A-Z_]+)`", table, flags=re.MULTILINE))
    documented |= set(re.findall(r"`([A-Z_]{4,})`", table))
    assert documented, "the configuration table lists no variables"
    unread = {name for name in documented if f'"{name}"' not in CONFIG_SOURCE}
    assert not unread, f"documented but not read by app/config.py: {sorted(unread)}"


def test_every_variable_the_tool_reads_is_documented() -> None:
    read = set(re.findall(r'env(?:\.get\(|\[)"([A-Z_]+)"', CONFIG_SOURCE))
    read |= set(re.findall(r'_int\(env, "([A-Z_]+)"', CONFIG_SOURCE))
    missing = {name for name in read if f"`{name}`" not in README}
    assert not missing, f"read by app/config.py but not in the README: {sorted(missing)}"
