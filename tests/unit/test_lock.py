"""requirements.lock belongs to pyproject.toml: same fingerprint, every declared requirement
pinned to a version it allows, every pin hashed (scripts/lockcheck.py, scripts/lock)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from scripts import lockcheck

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
LOCK = (ROOT / "requirements.lock").read_text(encoding="utf-8")
PIN = re.compile(r"^(?P<name>[A-Za-z0-9._-]+)==(?P<version>\S+)(?: ; (?P<marker>[^\\]+?))? \\$")


def pins(lock: str) -> dict[str, list[tuple[str, str | None]]]:
    """Package -> [(version, marker)] as pinned in the lock."""
    found: dict[str, list[tuple[str, str | None]]] = {}
    for line in lock.splitlines():
        match = PIN.match(line)
        if match:
            found.setdefault(canonicalize_name(match["name"]), []).append(
                (match["version"], match["marker"]))
    return found


def pinned_version_here(lock: str, name: str) -> str | None:
    """The version this interpreter would install (markers evaluated), or None."""
    for version, marker in pins(lock).get(canonicalize_name(name), []):
        if marker is None or Requirement(f"x ; {marker}").marker.evaluate():  # type: ignore[union-attr]
            return version
    return None


def test_the_lock_was_made_for_pyprojects_dependencies() -> None:
    assert lockcheck.problem(PYPROJECT, LOCK) is None


@pytest.mark.parametrize("requirement", lockcheck.declared(PYPROJECT))
def test_every_declared_requirement_is_pinned_to_an_allowed_version(requirement: str) -> None:
    parsed = Requirement(requirement)
    if parsed.marker is not None and not parsed.marker.evaluate(default_environment()):
        pytest.fail(f"{requirement}: markers are not expected in pyproject")
    version = pinned_version_here(LOCK, parsed.name)
    assert version is not None, f"{parsed.name} is not in requirements.lock"
    assert parsed.specifier.contains(version, prereleases=True), (requirement, version)


def test_every_pin_has_sha256_hashes() -> None:
    blocks = re.split(r"\n(?=[A-Za-z0-9])", LOCK.split("\n", 3)[3])
    assert len(blocks) == sum(len(v) for v in pins(LOCK).values()) > 50
    for block in blocks:
        assert "--hash=sha256:" in block, block.splitlines()[0]


def test_a_new_dependency_without_relocking_is_refused() -> None:
    changed = PYPROJECT.replace('"flask>=3.1,<4",', '"flask>=3.1,<4",\n  "pyyaml>=6",', 1)
    assert changed != PYPROJECT
    assert lockcheck.problem(changed, LOCK) == (
        "requirements.lock was made for other dependencies than pyproject.toml declares; "
        "run scripts/lock (add --upgrade-package NAME to move one package)")


def test_a_changed_dev_tool_bound_is_refused_too() -> None:
    changed = PYPROJECT.replace('"pytest>=8",', '"pytest>=9",', 1)
    assert changed != PYPROJECT
    assert lockcheck.problem(changed, LOCK) is not None


def test_a_missing_or_unstamped_lock_is_refused() -> None:
    assert lockcheck.problem(PYPROJECT, None) == "requirements.lock is missing; run scripts/lock"
    unstamped = "\n".join(line for line in LOCK.splitlines()
                          if not line.startswith(lockcheck.STAMP))
    assert lockcheck.problem(PYPROJECT, unstamped) == (
        "requirements.lock has no pyproject fingerprint; run scripts/lock")


def test_the_fingerprint_ignores_order_and_spacing() -> None:
    assert lockcheck.fingerprint(["a>=1", "b <2"]) == lockcheck.fingerprint(["b<2", "a >= 1"])
    assert lockcheck.fingerprint(["a>=1"]) != lockcheck.fingerprint(["a>=2"])


def test_stamping_replaces_an_old_fingerprint() -> None:
    restamped = lockcheck.stamped(LOCK, PYPROJECT)
    assert restamped == LOCK
    assert restamped.count(lockcheck.STAMP) == 1
