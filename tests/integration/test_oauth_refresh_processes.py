"""One refresh across real processes: two worker processes share the SQLite database."""

from __future__ import annotations

import multiprocessing
from multiprocessing.synchronize import Barrier

import pytest

from app.canvas.factory import ClientOptions, canvas_client_for_user
from app.config import Settings
from app.crypto import SecretBox
from app.db import Database
from emulator import faults
from tests.integration.oauth_harness import CanvasWorld, canvas_world_fixture  # noqa: F401
from tests.integration.test_oauth_refresh import TINA, refreshes
from tests.support.canvas_probe import ProbeClient

pytestmark = pytest.mark.slow  # spawns two interpreters


def call_canvas_in_a_process(
    settings: Settings,
    platform_id: int,
    barrier: Barrier,
    ready: multiprocessing.Queue[str],
    results: multiprocessing.Queue[object],
) -> None:
    """A worker process: build its own client, wait for the others, call Canvas once."""
    db = Database(settings.database_url)
    options = ClientOptions(settings=settings, box=SecretBox(settings.encryption_keys))
    with db.session() as session:
        client = ProbeClient.of(canvas_client_for_user(session, platform_id, TINA, options))
    client.get_self()  # every process now holds the same token in memory
    ready.put("ready")
    barrier.wait(timeout=60)
    try:
        results.put(client.get_self().id)
    except Exception as exc:  # reported to the parent, which asserts on it
        results.put(repr(exc))
    finally:
        db.engine.dispose()


def test_two_processes_refresh_once(canvas: CanvasWorld) -> None:
    canvas.connected_client(TINA)
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(3)
    ready: multiprocessing.Queue[str] = context.Queue()
    results: multiprocessing.Queue[object] = context.Queue()
    processes = [
        context.Process(
            target=call_canvas_in_a_process,
            args=(canvas.settings, canvas.platform_id, barrier, ready, results),
        )
        for _ in range(2)
    ]
    for process in processes:
        process.start()
    for _ in processes:
        assert ready.get(timeout=60) == "ready"
    # Canvas expires the token; the processes run on real time, so they learn it from the 401.
    canvas.advance(3601)
    faults.add_route_fault(
        canvas.live.emulator, "latency", r"^/login/oauth2/token$", method="POST", delay=0.3
    )
    barrier.wait(timeout=60)
    answers = [results.get(timeout=60) for _ in processes]
    for process in processes:
        process.join(timeout=30)
    faults.clear(canvas.live.emulator)
    assert answers == [TINA, TINA]
    assert refreshes(canvas) == 1
