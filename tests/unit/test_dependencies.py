"""Every third-party package that ``app/`` or ``emulator/`` imports is declared in pyproject.

An import that works only because some other package happened to pull it in (``itsdangerous``
through Flask, say) breaks the day that package drops it; this test fails first.
"""

from __future__ import annotations

import ast
import importlib.metadata
import re
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OWN = {"app", "emulator"}
# Typeshed's stubs of the standard library, imported under TYPE_CHECKING only.
STUB_ONLY = {"_typeshed"}


def _imported_top_levels(source: str) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def imports_of_packages() -> dict[str, set[Path]]:
    """Top-level module name -> the files of app/ and emulator/ that import it."""
    found: dict[str, set[Path]] = {}
    for package in sorted(OWN):
        for path in sorted((ROOT / package).rglob("*.py")):
            for name in _imported_top_levels(path.read_text(encoding="utf-8")):
                found.setdefault(name, set()).add(path.relative_to(ROOT))
    return found


def _normalise(distribution: str) -> str:
    return re.sub(r"[-_.]+", "-", distribution).lower()


def declared_distributions() -> set[str]:
    """The runtime dependencies of ``[project]`` (extras' dev tools do not count)."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return {_normalise(re.split(r"[\s<>=!~;\[]", spec, maxsplit=1)[0])
            for spec in project["dependencies"]}


def undeclared(imports: dict[str, set[Path]], declared: set[str]) -> dict[str, list[str]]:
    """Imported top-level names provided by no declared distribution (nor stdlib, nor ours)."""
    providers = importlib.metadata.packages_distributions()
    missing: dict[str, list[str]] = {}
    for name, files in sorted(imports.items()):
        if name in OWN | STUB_ONLY or name in sys.stdlib_module_names or name == "__future__":
            continue
        distributions = {_normalise(d) for d in providers.get(name, [])}
        if not distributions & declared:
            missing[name] = sorted(str(f) for f in files)
    return missing


def test_every_imported_package_is_declared_in_pyproject() -> None:
    assert undeclared(imports_of_packages(), declared_distributions()) == {}


def test_an_undeclared_import_is_reported_with_its_files() -> None:
    imports = {"flask": {Path("app/a.py")}, "itsdangerous": {Path("emulator/b.py")},
               "json": {Path("app/c.py")}, "app": {Path("app/d.py")},
               "no_such_package_xyz": {Path("app/e.py")}}
    assert undeclared(imports, {"flask"}) == {
        "itsdangerous": ["emulator/b.py"],
        "no_such_package_xyz": ["app/e.py"],
    }


def test_imports_are_read_from_the_syntax_tree() -> None:
    source = ("import os.path, yaml\nfrom flask import Flask\nfrom . import sibling\n"
              "from .x import y\ndef f():\n    import werkzeug.exceptions\n")
    assert _imported_top_levels(source) == {"os", "yaml", "flask", "werkzeug"}


def test_declared_names_are_normalised() -> None:
    declared = declared_distributions()
    assert "pyjwt" in declared  # "pyjwt[crypto]>=2.8,<3"
    assert "psycopg" in declared  # "psycopg[binary]>=3.2,<4"
    assert "flask-babel" in declared
