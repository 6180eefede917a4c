"""Purges that ride along with requests, at most once per interval in each process.

Expired states and old launches used to be deleted on every login and every launch: one
more round trip per request for rows that only expire over minutes or days. Once a minute
per process keeps the tables just as small; which request pays for it does not matter.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime

DEFAULT_INTERVAL_SECONDS = 60.0


class Housekeeping:
    """``due(name)`` is true for the first caller, then again once ``interval`` has passed.

    It reads the app's clock (tests move it); a clock set back makes the purge due at once.
    """

    def __init__(
        self,
        now: Callable[[], datetime],
        interval_seconds: float = DEFAULT_INTERVAL_SECONDS,
    ) -> None:
        self._interval = interval_seconds
        self._now = now
        self._last: dict[str, float] = {}
        self._lock = threading.Lock()  # gthread workers: one caller per interval, not one each

    def due(self, name: str) -> bool:
        now = self._now().timestamp()
        with self._lock:
            last = self._last.get(name)
            if last is not None and 0 <= now - last < self._interval:
                return False
            self._last[name] = now
            return True
