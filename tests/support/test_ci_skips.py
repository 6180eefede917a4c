"""The ``ci_skips`` plugin: under ``CI=true`` a skip fails the run; without it, it is a skip."""

from __future__ import annotations

import pytest

PLUGIN = ("-p", "tests.support.ci_skips")

SKIPPING = """
import pytest

def test_runs():
    pass

def test_skips_inside():
    pytest.skip("no widget here")

@pytest.mark.skipif(True, reason="never on this box")
def test_skipif_mark():
    pass

@pytest.fixture
def needs_service():
    pytest.skip("service missing")

def test_fixture_skips(needs_service):
    pass
"""

XFAILS = """
import pytest

@pytest.mark.xfail(reason="known bug")
def test_loose_xfail():
    assert False

@pytest.mark.xfail(reason="maybe fixed")
def test_loose_xpass():
    pass

@pytest.mark.xfail(strict=True, reason="tracked bug")
def test_strict_xfail():
    assert False

def test_imperative_xfail():
    pytest.xfail("later")
"""


@pytest.fixture
def ci_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)


@pytest.fixture
def ci_on(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")


@pytest.mark.usefixtures("ci_off")
def test_without_ci_skips_are_skips(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_skipping=SKIPPING)
    result = pytester.runpytest(*PLUGIN)
    result.assert_outcomes(passed=1, skipped=3)
    assert result.ret == pytest.ExitCode.OK


@pytest.mark.usefixtures("ci_on")
def test_under_ci_every_skip_fails_the_run_and_is_named(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_skipping=SKIPPING)
    result = pytester.runpytest(*PLUGIN)
    # skipif marks and skipping fixtures act in setup: a failed setup counts as an error.
    result.assert_outcomes(passed=1, failed=1, errors=2)
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(
        [
            "*skipped under CI=true (each one failed the run)*",
            "test_skipping.py::test_skips_inside [[]call]: skipped: no widget here",
            "test_skipping.py::test_skipif_mark [[]setup]: skipped: never on this box",
            "test_skipping.py::test_fixture_skips [[]setup]: skipped: service missing",
        ]
    )
    result.stdout.fnmatch_lines(["*CI=true: test_skipping.py::test_skips_inside did not run*"])


@pytest.mark.usefixtures("ci_on")
def test_under_ci_only_strict_xfail_passes(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_xfails=XFAILS)
    result = pytester.runpytest(*PLUGIN)
    result.assert_outcomes(failed=3, xfailed=1)
    result.stdout.fnmatch_lines(
        [
            "*test_loose_xfail [[]call]: xfail (known bug)*",
            "*test_loose_xpass [[]call]: xfail (maybe fixed)*",
            "*test_imperative_xfail [[]call]: xfail (later)*",
        ]
    )


@pytest.mark.usefixtures("ci_off")
def test_without_ci_xfails_are_xfails(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_xfails=XFAILS)
    result = pytester.runpytest(*PLUGIN)
    result.assert_outcomes(xfailed=3, xpassed=1)
    assert result.ret == pytest.ExitCode.OK


@pytest.mark.parametrize("ci", ["true", ""])
def test_a_module_skipped_at_collection(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, ci: str
) -> None:
    monkeypatch.setenv("CI", ci)
    pytester.makepyfile(
        test_optional='import pytest\npytest.importorskip("no_such_module_xyz")\n'
        "def test_never():\n    pass\n",
        test_other="def test_fine():\n    pass\n",
    )
    result = pytester.runpytest(*PLUGIN)
    if ci:
        assert result.ret != pytest.ExitCode.OK
        result.stdout.fnmatch_lines(["*test_optional.py: skipped at collection:*no_such_module*"])
    else:
        result.assert_outcomes(passed=1, skipped=1)
        assert result.ret == pytest.ExitCode.OK
