"""A background ticker that advances clock-driven report families with nobody polling.

Each family registers ``advance_all(emulator) -> bool`` (True while it has pending work;
``advance_pending`` is the usual body) when it creates a report, which also starts the
ticker thread if it is not running (``register_family``). The thread calls every family every
``TICK_SECONDS`` and stops once nothing is pending or after ``MAX_RUN_SECONDS`` (a frozen
clock never finishes anything; the next report creation restarts it). It holds the emulator
only weakly, so a stopped test emulator is not kept alive by its ticker.
"""

from __future__ import annotations

import logging
import threading
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from emulator.state import Emulator

log = logging.getLogger(__name__)

TICK_SECONDS = 0.1
MAX_RUN_SECONDS = 30.0
AdvanceAll = Callable[[Emulator], bool]
Record = TypeVar("Record")
Entry = TypeVar("Entry")


@dataclass
class TickerState:
    families: dict[str, AdvanceAll] = field(default_factory=dict)
    thread: threading.Thread | None = None


def state(emulator: Emulator) -> TickerState:
    current: TickerState = emulator.parts.setdefault("report_ticker", TickerState())
    return current


def register_family(emulator: Emulator, name: str, advance_all: AdvanceAll) -> None:
    """Have the ticker advance family ``name`` (it now has pending work) and start it."""
    with emulator.store.lock:
        state(emulator).families[name] = advance_all
    _ensure_ticker(emulator)


def advance_pending(emulator: Emulator, pending: dict[int, Entry],
                    records: dict[int, Record],
                    advance: Callable[[Emulator, Record], None]) -> bool:
    """Advance every record with an entry in ``pending`` (dropping entries whose record is
    gone); True if any is still pending. ``advance`` removes the entries it finishes."""
    with emulator.store.lock:
        for record_id in list(pending):
            record = records.get(record_id)
            if record is None:
                pending.pop(record_id, None)
                continue
            advance(emulator, record)
        return bool(pending)


def tick(emulator: Emulator) -> bool:
    """Advance every family once; True if any still has pending work."""
    busy = False
    for name, advance_all in list(state(emulator).families.items()):
        try:
            busy = advance_all(emulator) or busy
        except Exception:  # one broken family must not stop the others
            log.exception("report family %s failed to advance", name)
    return busy


def _ensure_ticker(emulator: Emulator) -> None:
    with emulator.store.lock:
        ticker = state(emulator)
        if ticker.thread is not None and ticker.thread.is_alive():
            return
        ticker.thread = threading.Thread(target=_run, args=(weakref.ref(emulator),),
                                         daemon=True, name="emulator-report-ticker")
        ticker.thread.start()


def _run(ref: weakref.ReferenceType[Emulator]) -> None:
    waiter = threading.Event()
    elapsed = 0.0
    while elapsed < MAX_RUN_SECONDS:
        emulator = ref()
        if emulator is None or not tick(emulator):
            return
        del emulator
        waiter.wait(TICK_SECONDS)
        elapsed += TICK_SECONDS
