"""The job worker's entry points outside Flask's CLI: ``python -m app.consumer`` and
``huey_consumer app.consumer.huey``.

They live here, beside the application factory, because building the app wires every layer
(the web included), and ``app.reports.worker`` sits below the web layer: it is handed the app
(``worker.init_app``) instead of importing the factory.
"""

from __future__ import annotations

import logging
from typing import Any

from huey.api import Huey

from app import create_app


def build_huey() -> Huey:
    """The app's Huey with every task registered (``create_app`` wires them)."""
    huey: Huey = create_app().extensions["huey"]
    return huey


def __getattr__(name: str) -> Any:
    """``huey_consumer app.consumer.huey`` finds the app's Huey here (built on first use)."""
    if name == "huey":
        return build_huey()
    raise AttributeError(name)


def main() -> None:
    """Run a consumer with the periodic tasks (``python -m app.consumer``)."""
    logging.basicConfig(level=logging.INFO)
    build_huey().create_consumer(workers=2, worker_type="thread", periodic=True).run()


if __name__ == "__main__":
    main()
