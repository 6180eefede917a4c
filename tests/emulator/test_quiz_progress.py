"""Quiz report Progress: queued, 10 % steps, completed at ``report_seconds``, lazily."""

from __future__ import annotations

from datetime import timedelta

import pytest

from emulator.control import reset
from emulator.reports.quiz_jobs import completion_after
from emulator.settings import EmulatorSettings
from emulator.testing import LiveEmulator
from tests.emulator.conftest import api_as

REPORTS = "/api/v1/courses/101/quizzes/201/reports"


@pytest.mark.parametrize(
    ("calls", "rows", "expected"),
    [
        (1, 20, 0),  # update_progress(0, 20): 0 %
        (3, 20, 10),  # i = 2: 10 %
        (4, 20, 10),  # i = 3: 15 % is in the same decade
        (20, 20, 90),  # i = 19: 95 % — the last step before "completed"
        (5, 7, 57),  # i = 4 of 7: 57 %, the rounded percent (not 50)
        (3, 3, 67),
        (0, 0, 0),
    ],
)
def test_completion_is_the_rounded_percent_at_each_new_decade(calls: int, rows: int,
                                                              expected: int) -> None:
    assert completion_after(calls, rows)[0] == expected


def test_item_analysis_progress_moves_in_ten_percent_steps(frozen: LiveEmulator) -> None:
    store = frozen.emulator.store
    total = frozen.emulator.settings.report_seconds
    api = api_as(frozen, 3)
    report = api.post(REPORTS, data={"quiz_report[report_type]": "item_analysis"}).json()
    start = store.progresses[int(report["progress_url"].rsplit("/", 1)[1])].created_at
    seen: list[tuple[str, float]] = []
    for step in range(0, 101):
        store.clock.freeze(start + timedelta(seconds=total * step / 100))
        progress = api.get(report["progress_url"]).json()
        state = (progress["workflow_state"], progress["completion"])
        if not seen or seen[-1] != state:
            seen.append(state)
    # 20 items: update_progress(i, 20) gives 5 % per item, so every decade appears once.
    assert seen == [("queued", 0), ("running", 0), ("running", 10), ("running", 20),
                    ("running", 30), ("running", 40), ("running", 50), ("running", 60),
                    ("running", 70), ("running", 80), ("running", 90), ("completed", 100)]


def test_progress_advances_with_nobody_polling(frozen: LiveEmulator) -> None:
    store = frozen.emulator.store
    api = api_as(frozen, 3)
    report = api.post(REPORTS, data={"quiz_report[report_type]": "student_analysis"}).json()
    store.clock.advance(frozen.emulator.settings.report_seconds * 10)
    # The first look after a long quiet time sees the finished report and its file.
    shown = api.get(f"{REPORTS}/{report['id']}").json()
    assert "file" in shown
    progress = api.get(report["progress_url"]).json()
    assert progress["workflow_state"] == "completed"
    # updated_at is when the job finished, not when somebody looked.
    created = store.progresses[progress["id"]].created_at
    finished = created + timedelta(seconds=frozen.emulator.settings.report_seconds)
    assert progress["updated_at"] == finished.strftime("%Y-%m-%dT%H:%M:%SZ")


def test_zero_report_seconds_completes_at_once() -> None:
    with LiveEmulator(EmulatorSettings(size="small", report_seconds=0)) as live:
        live.emulator.store.clock.freeze()
        api = api_as(live, 3)
        report = api.post(REPORTS, data={"quiz_report[report_type]": "item_analysis"}).json()
        assert "file" in api.get(f"{REPORTS}/{report['id']}").json()


def test_reset_forgets_jobs(frozen: LiveEmulator) -> None:
    api = api_as(frozen, 3)
    api.post(REPORTS, data={"quiz_report[report_type]": "item_analysis"})
    reset(frozen.emulator)
    assert frozen.emulator.parts["quiz_jobs"] == {}
    assert frozen.emulator.store.quiz_statistics == {}
