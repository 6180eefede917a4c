"""Under ``CI=true`` a skipped test is a failed test (loaded by ``tests/conftest.py``).

CI has every service the suite needs (PostgreSQL, Redis, Chromium: ``scripts/bootstrap``), so a
skip there hides a test that never ran. With ``CI=true`` this plugin turns into failures:

- a test skipped in setup, call or teardown (``pytest.skip``, ``skip``/``skipif`` marks,
  a fixture that skips);
- a module skipped at collection (``pytest.importorskip``, ``allow_module_level=True``);
- a non-strict ``xfail``, expected or not (``pytest.xfail()``, ``xfail(strict=False)``);
  a strict ``xfail`` (``strict=True`` or ``xfail_strict``) stays a pass when it fails as
  expected, since then it really checks something.

Each failure says it was a skip and gives the reason; the terminal summary lists them all.
A test that is legitimately not applicable in CI must not be collected there (e.g. a marker
deselected by ``-m``), rather than skip.
"""

from __future__ import annotations

from collections.abc import Generator

import pytest

from tests.support.services import in_ci

_SKIPS = pytest.StashKey[list[str]]()


def _reason(report: pytest.TestReport | pytest.CollectReport) -> str:
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        return str(longrepr[2]).removeprefix("Skipped: ")
    return str(longrepr)


def _strict_xfail(item: pytest.Item) -> bool:
    marker = item.get_closest_marker("xfail")
    if marker is None:  # an imperative pytest.xfail(): never strict
        return False
    return bool(marker.kwargs.get("strict", item.config.getini("xfail_strict")))


def _record(config: pytest.Config, line: str) -> None:
    config.stash.setdefault(_SKIPS, []).append(line)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    if not in_ci():
        return report
    xfailed = hasattr(report, "wasxfail")
    if xfailed and _strict_xfail(item):
        return report
    if report.skipped or (xfailed and report.passed):
        if xfailed:
            reason = f"xfail ({report.wasxfail or 'no reason'}); only strict xfail is allowed"
            del report.wasxfail  # otherwise pytest shows a failed xfail as XPASS/XFAIL
        else:
            reason = f"skipped: {_reason(report)}"
        message = f"CI=true: {item.nodeid} did not run ({reason}). Skips fail in CI."
        _record(item.config, f"{item.nodeid} [{report.when}]: {reason}")
        report.outcome = "failed"
        report.longrepr = message
    return report


@pytest.hookimpl(wrapper=True)
def pytest_make_collect_report(
    collector: pytest.Collector,
) -> Generator[None, pytest.CollectReport, pytest.CollectReport]:
    report = yield
    if in_ci() and report.skipped:
        reason = f"skipped at collection: {_reason(report)}"
        _record(collector.config, f"{collector.nodeid}: {reason}")
        report.outcome = "failed"
        report.longrepr = (
            f"CI=true: {collector.nodeid} was not collected ({reason}). Skips fail in CI."
        )
    return report


def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, exitstatus: int, config: pytest.Config
) -> None:
    skips = config.stash.get(_SKIPS, [])
    if skips:
        terminalreporter.section("skipped under CI=true (each one failed the run)", red=True)
        for line in skips:
            terminalreporter.line(line)
