"""Run the emulator on a free local port (pytest fixtures, benchmarks, the demo)."""

from __future__ import annotations

import threading
from types import TracebackType

from flask import Flask
from werkzeug.serving import BaseWSGIServer, make_server

from emulator import Emulator, create_app
from emulator.settings import EmulatorSettings


class LiveEmulator:
    """A threaded emulator server; ``url`` is its base URL and issuer.

    ``emulator`` gives direct (in-process) access to the store and the fault knobs.
    """

    def __init__(self, settings: EmulatorSettings | None = None, host: str = "localhost") -> None:
        self.settings = settings or EmulatorSettings(size="small")
        self.host = host
        self.app: Flask = create_app(self.settings)
        self._server: BaseWSGIServer = make_server(host, 0, self.app, threaded=True)
        self.url = f"http://{host}:{self._server.server_port}"
        self.settings.base_url = self.url
        # A short poll interval keeps shutdown fast (the default 0.5 s adds up over a test suite).
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def emulator(self) -> Emulator:
        emulator: Emulator = self.app.extensions["emulator"]
        return emulator

    def start(self) -> LiveEmulator:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> LiveEmulator:
        return self.start()

    def __exit__(
        self,
        _type: type[BaseException] | None,
        _value: BaseException | None,
        _tb: TracebackType | None,
    ) -> None:
        self.stop()
