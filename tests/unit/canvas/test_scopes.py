"""The tool's Canvas scopes come from its client: one declared endpoint per method, each
method calls exactly its endpoint, every one is used by the tool, and the README lists them."""

from __future__ import annotations

import ast
import inspect
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

import pytest

from app.canvas.client import CanvasClient
from app.canvas.errors import CanvasNotFound
from app.canvas_endpoints import ENDPOINTS, Endpoint, canvas_scopes, endpoint
from app.config import CANVAS_SCOPES
from scripts import canvas_scopes as script

ROOT = Path(__file__).resolve().parents[3]


class Recorder:
    """Stands in for ``CanvasRequester``: records each call's method and path, answers 404."""

    base_url = "https://canvas.example"

    def __init__(self) -> None:
        self.calls: list[tuple[str, str]] = []

    def request_json(self, method: str, path: str, **_: Any) -> Any:
        self.calls.append((method, path))
        raise CanvasNotFound("no")

    def get_pages(self, path: str, **_: Any) -> Any:
        self.calls.append(("GET", path))
        raise CanvasNotFound("no")


CALLS: dict[str, Callable[[CanvasClient], object]] = {
    "list_available_reports": lambda c: c.list_available_reports(1),
    "list_account_reports": lambda c: c.list_account_reports(1, "grades"),
    "start_account_report": lambda c: c.start_account_report(1, "grades", {}),
    "get_account_report": lambda c: c.get_account_report(1, "grades", 5),
    "delete_account_report": lambda c: c.delete_account_report(1, "grades", 5),
    "abort_account_report": lambda c: c.abort_account_report(1, "grades", 5),
    "list_terms": lambda c: c.list_terms(1),
    "start_course_report": lambda c: c.start_course_report(101, "pace", {}),
    "get_course_report": lambda c: c.get_course_report(101, "pace", 5),
    "list_quizzes": lambda c: c.list_quizzes(101),
    "list_assignments": lambda c: c.list_assignments(101),
    "list_quiz_reports": lambda c: c.list_quiz_reports(101, 201),
    "create_quiz_report": lambda c: c.create_quiz_report(101, 201, "item_analysis"),
    "get_quiz_report": lambda c: c.get_quiz_report(101, 201, 5),
    "abort_quiz_report": lambda c: c.abort_quiz_report(101, 201, 5),
    "create_new_quiz_report": lambda c: c.create_new_quiz_report(101, 301, "item_analysis", "csv"),
    "get_progress": lambda c: c.get_progress(7),
    "cancel_progress": lambda c: c.cancel_progress(7),
    "get_file": lambda c: c.get_file(9),
    "get_account": lambda c: c.get_account(1),
    "list_accounts": lambda c: c.list_accounts(),
    "list_sub_accounts": lambda c: c.list_sub_accounts(1, recursive=True),
    "list_courses": lambda c: c.list_courses(1),
    "last_course_report": lambda c: _not_found_if_none(c.last_course_report(101, "pace")),
}


def _not_found_if_none(value: object) -> object:
    """``last_course_report`` answers None for Canvas's 404 (no report yet)."""
    if value is None:
        raise CanvasNotFound("none")
    return value


def route(declared: Endpoint) -> re.Pattern[str]:
    """The declared route as a regex: each ``:name`` is one path segment."""
    pattern = re.sub(r":\w+", "[^/]+", re.escape(declared.path).replace(r"\:", ":"))
    return re.compile(pattern + r"\Z")


def api_methods() -> set[str]:
    """CanvasClient's public methods that send API requests (downloads use a file URL)."""
    return {name for name, member in inspect.getmembers(CanvasClient, inspect.isfunction)
            if not name.startswith("_") and name not in {"open_download", "budget"}}


def test_every_api_method_declares_an_endpoint_and_nothing_else_is_declared() -> None:
    assert api_methods() == set(ENDPOINTS) == set(CALLS)


@pytest.mark.parametrize("name", sorted(ENDPOINTS))
def test_each_method_calls_exactly_its_declared_endpoint(name: str) -> None:
    recorder = Recorder()
    with pytest.raises(CanvasNotFound):
        CALLS[name](CanvasClient(cast(Any, recorder)))
    [(method, path)] = recorder.calls
    declared = ENDPOINTS[name]
    assert method == declared.method
    assert route(declared).match(path), (path, declared.path)


def test_every_declared_endpoint_is_called_by_the_tool() -> None:
    """No scope is asked for a method only tests call (those live in tests/support)."""
    used: set[str] = set()
    for path in (ROOT / "app").rglob("*.py"):
        if path == ROOT / "app" / "canvas" / "client.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        used |= {node.attr for node in ast.walk(tree) if isinstance(node, ast.Attribute)}
    assert sorted(set(ENDPOINTS) - used) == []


def test_config_scopes_are_the_endpoints_scopes_each_once() -> None:
    assert canvas_scopes() == CANVAS_SCOPES
    assert len(set(CANVAS_SCOPES)) == len(CANVAS_SCOPES) == len(ENDPOINTS)
    assert "url:GET|/api/v1/accounts/:account_id/reports" in CANVAS_SCOPES
    assert "url:GET|/api/v1/users/:id" not in CANVAS_SCOPES  # only tests read the user


def test_a_method_without_a_declared_endpoint_is_refused_at_import() -> None:
    def list_everything() -> None: ...

    with pytest.raises(LookupError, match=r"CanvasClient\.list_everything has no entry"):
        endpoint(list_everything)


def test_the_readme_lists_exactly_the_scopes_printed_by_the_script(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert script.main([]) == 0
    printed = capsys.readouterr().out
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    start, end = script.readme_block(readme)
    assert readme[start:end] == printed == "".join(f"{s}\n" for s in CANVAS_SCOPES)
    assert script.main(["--check-readme"]) == 0


def test_an_outdated_readme_list_is_rewritten() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    start, end = script.readme_block(readme)
    stale = readme[:start] + "url:GET|/api/v1/users/:id\n" + readme[end:]
    assert script.with_scopes(stale) == readme
    assert script.with_scopes(stale) != stale
