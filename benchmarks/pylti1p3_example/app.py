"""A minimal LTI 1.3 tool on pylti1p3's documented Flask example pattern (benchmark only).

It follows dmitry-viskov/pylti1.3-flask-example ``game/app.py``: a ``ToolConfJsonFile`` read
per request, ``FlaskCacheDataStorage`` over Flask-Caching's ``simple`` cache (a dict in the
worker process's memory), ``FlaskOIDCLogin(...).redirect(target_link_uri)`` for the login
and ``FlaskMessageLaunch(...).get_launch_data()`` plus a rendered page for the launch.
One departure, in the example's favour: no ``enable_check_cookies()`` (its JS page needs a
browser and costs an extra request). Like the example, it fetches the platform's key set on
every launch; ``EXAMPLE_KEY_CACHE=1`` turns on pylti1p3's documented
``set_public_key_caching`` on the same in-process cache instead.

``benchmarks/launch.py`` runs it under the same gunicorn configuration as the tool, side by
side. Because its state lives in one process, launches whose login and launch land on
different workers fail ("State not found"); the benchmark counts them as lost.

Configuration (environment): ``EXAMPLE_CONFIG`` (path of the pylti1p3 JSON tool config),
``EXAMPLE_BASE_URL`` (this app's URL, for ``/lti_config.json``).
"""

from __future__ import annotations

import os
import threading
import time
from typing import Any

from flask import Flask, jsonify, render_template
from pylti1p3.contrib.flask import (
    FlaskCacheDataStorage,
    FlaskMessageLaunch,
    FlaskOIDCLogin,
    FlaskRequest,
)
from pylti1p3.tool_config import ToolConfJsonFile
from werkzeug.exceptions import BadRequest


class SimpleCache:
    """Flask-Caching's ``CACHE_TYPE = "simple"`` (cachelib ``SimpleCache``): a dict in this
    process, with expiry and a size threshold. Written out so the benchmark needs no extra
    package; the behaviour that matters (state in one process's memory) is the same."""

    def __init__(self, threshold: int = 500, default_timeout: int = 600) -> None:
        self._cache: dict[str, tuple[float, Any]] = {}
        self._threshold = threshold
        self._default_timeout = default_timeout
        self._lock = threading.Lock()

    def get(self, key: str) -> Any:
        with self._lock:
            found = self._cache.get(key)
            if found is None or (found[0] and found[0] < time.time()):
                return None
            return found[1]

    def set(self, key: str, value: Any, timeout: int | None = None) -> bool:
        expires = time.time() + (timeout or self._default_timeout)
        with self._lock:
            if len(self._cache) > self._threshold:  # cachelib prunes expired, then every 3rd
                now = time.time()
                for name, (at, _) in list(self._cache.items()):
                    if at < now:
                        del self._cache[name]
                for name in list(self._cache)[::3]:
                    self._cache.pop(name, None)
            self._cache[key] = (expires, value)
        return True

    def delete(self, key: str) -> bool:
        with self._lock:
            return self._cache.pop(key, None) is not None


app = Flask("pylti1p3-example", template_folder="templates")
app.config.update(SECRET_KEY=os.urandom(16).hex(), SESSION_COOKIE_HTTPONLY=True)
cache = SimpleCache()
CONFIG_PATH = os.environ.get("EXAMPLE_CONFIG", "game.json")
BASE_URL = os.environ.get("EXAMPLE_BASE_URL", "http://127.0.0.1:9001").rstrip("/")
KEY_CACHE = os.environ.get("EXAMPLE_KEY_CACHE", "0") == "1"


def get_launch_data_storage() -> FlaskCacheDataStorage:
    return FlaskCacheDataStorage(cache)


@app.route("/login/", methods=["GET", "POST"])
def login() -> Any:
    tool_conf = ToolConfJsonFile(CONFIG_PATH)
    launch_data_storage = get_launch_data_storage()
    flask_request = FlaskRequest()
    target_link_uri = flask_request.get_param("target_link_uri")
    if not target_link_uri:
        raise BadRequest('Missing "target_link_uri" param')
    oidc_login = FlaskOIDCLogin(flask_request, tool_conf, launch_data_storage=launch_data_storage)
    return oidc_login.redirect(target_link_uri)


@app.route("/launch/", methods=["POST"])
def launch() -> Any:
    tool_conf = ToolConfJsonFile(CONFIG_PATH)
    flask_request = FlaskRequest()
    launch_data_storage = get_launch_data_storage()
    message_launch = FlaskMessageLaunch(
        flask_request, tool_conf, launch_data_storage=launch_data_storage
    )
    if KEY_CACHE:
        message_launch.set_public_key_caching(launch_data_storage, cache_lifetime=7200)
    message_launch_data = message_launch.get_launch_data()
    context = message_launch_data.get("https://purl.imsglobal.org/spec/lti/claim/context", {})
    return render_template(
        "game.html",
        page_title="Game Example",
        is_deep_link_launch=message_launch.is_deep_link_launch(),
        launch_id=message_launch.get_launch_id(),
        curr_user_name=message_launch_data.get("name", ""),
        context_title=context.get("title", ""),
    )


@app.route("/jwks/", methods=["GET"])
def get_jwks() -> Any:
    tool_conf = ToolConfJsonFile(CONFIG_PATH)
    return jsonify(tool_conf.get_jwks())


@app.route("/lti_config.json")
def lti_config() -> Any:
    """A Canvas developer-key JSON for this app (what the emulator registers)."""
    launch_url = f"{BASE_URL}/launch/"
    return jsonify(
        {
            "title": "pylti1p3 example",
            "description": "pylti1p3's Flask example pattern (benchmark)",
            "oidc_initiation_url": f"{BASE_URL}/login/",
            "target_link_uri": launch_url,
            "public_jwk_url": f"{BASE_URL}/jwks/",
            "scopes": [],
            "extensions": [
                {
                    "platform": "canvas.instructure.com",
                    "privacy_level": "public",
                    "settings": {
                        "placements": [
                            {
                                "placement": "course_navigation",
                                "message_type": "LtiResourceLinkRequest",
                                "target_link_uri": launch_url,
                                "text": "Example",
                            }
                        ]
                    },
                }
            ],
        }
    )


@app.get("/healthz")
def healthz() -> Any:
    return "ok"
