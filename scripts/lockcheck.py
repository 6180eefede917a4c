"""Does requirements.lock belong to pyproject.toml's dependencies?

``scripts/lock`` stamps the lock with a fingerprint of every requirement pyproject.toml
declares (``[project] dependencies`` and each optional group); ``scripts/bootstrap`` runs this
check before installing from the lock, and tests/unit/test_lock.py runs it too, so a dependency
added, removed or re-pinned in pyproject.toml without re-locking fails at once. Standard
library only: it runs before the virtual environment exists.

    python3 scripts/lockcheck.py            # exit 1 (with the fix) when they disagree
    python3 scripts/lockcheck.py --stamp    # write the fingerprint into requirements.lock
"""

from __future__ import annotations

import argparse
import hashlib
import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = ROOT / "pyproject.toml"
LOCK = ROOT / "requirements.lock"
STAMP = "# pyproject-fingerprint: "


def declared(pyproject_text: str) -> list[str]:
    """Every requirement string of the project: runtime first, then each optional group."""
    project = tomllib.loads(pyproject_text)["project"]
    requirements = list(project.get("dependencies", []))
    for group in sorted(project.get("optional-dependencies", {})):
        requirements += project["optional-dependencies"][group]
    return requirements


def fingerprint(requirements: list[str]) -> str:
    """Order- and spacing-independent digest of the requirements."""
    canonical = sorted(re.sub(r"\s+", "", r).lower() for r in requirements)
    return hashlib.sha256("\n".join(canonical).encode()).hexdigest()


def recorded(lock_text: str) -> str | None:
    for line in lock_text.splitlines():
        if line.startswith(STAMP):
            return line[len(STAMP):].strip()
    return None


def problem(pyproject_text: str, lock_text: str | None) -> str | None:
    """Why the lock does not fit pyproject.toml, or None when it does."""
    if lock_text is None:
        return "requirements.lock is missing; run scripts/lock"
    stamp = recorded(lock_text)
    if stamp is None:
        return "requirements.lock has no pyproject fingerprint; run scripts/lock"
    if stamp != fingerprint(declared(pyproject_text)):
        return ("requirements.lock was made for other dependencies than pyproject.toml declares; "
                "run scripts/lock (add --upgrade-package NAME to move one package)")
    return None


def stamped(lock_text: str, pyproject_text: str) -> str:
    lines = [line for line in lock_text.splitlines() if not line.startswith(STAMP)]
    return "\n".join([STAMP + fingerprint(declared(pyproject_text)), *lines]) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="requirements.lock versus pyproject.toml")
    parser.add_argument("--stamp", action="store_true", help="write the fingerprint")
    args = parser.parse_args(argv)
    pyproject_text = PYPROJECT.read_text(encoding="utf-8")
    if args.stamp:
        LOCK.write_text(stamped(LOCK.read_text(encoding="utf-8"), pyproject_text),
                        encoding="utf-8")
        return 0
    lock_text = LOCK.read_text(encoding="utf-8") if LOCK.exists() else None
    reason = problem(pyproject_text, lock_text)
    if reason is not None:
        print(f"lockcheck: {reason}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
