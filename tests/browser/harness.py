"""Playwright harness: Debian's Chromium with a chosen cookie policy, screenshots, axe checks.

Why a persistent context per test: Chromium 156 blocks third-party cookies by default, and
Playwright's ordinary contexts are off-the-record profiles whose cookie settings cannot be
changed. A persistent context reads a profile ``Preferences`` file written before launch, which
is where Chromium keeps its cookie controls: ``profile.cookie_controls_mode`` (0 allow, 1 block
third-party cookies) and per-site content settings (``setting: 2`` blocks every cookie of a
site, partitioned ones included). ``tests/browser/test_cookie_policy.py`` proves each policy.
"""

from __future__ import annotations

import contextlib
import enum
import json
import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import BrowserContext, Frame, Page, Playwright
from playwright.sync_api import Error as PlaywrightError

REPO_ROOT = Path(__file__).resolve().parents[2]
SCREENSHOT_DIR = REPO_ROOT / "test-output" / "screenshots"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
# Without the background-networking flags Chromium keeps dialling Google on a closed network.
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
)
BLOCKING_IMPACTS = frozenset({"serious", "critical"})


class CookiePolicy(enum.Enum):
    """What the browser does with cookies."""

    ALLOW_ALL = "allow_all"
    """Third-party cookies allowed (an older or permissive browser)."""
    BLOCK_THIRD_PARTY = "block_third_party"
    """Chromium's "block third-party cookies"; partitioned (CHIPS) cookies still work."""
    BLOCK_TOOL = "block_tool"
    """Third-party cookies blocked and every cookie of the tool's origin refused inside
    Canvas (``canvas_origin``), partitioned ones too; as a top-level page (a popup) the tool
    keeps first-party cookies. A launch can then only succeed through LTI platform storage.
    Without ``canvas_origin`` the tool's cookies are refused everywhere."""


def profile_preferences(
    policy: CookiePolicy, tool_origin: str | None = None, canvas_origin: str | None = None
) -> dict[str, Any]:
    """The ``Default/Preferences`` content that puts Chromium under ``policy``.

    A cookie content-setting key is ``"<cookie's site>,<top-level site>"``; ``2`` blocks.
    """
    profile: dict[str, Any] = {
        "cookie_controls_mode": 0 if policy is CookiePolicy.ALLOW_ALL else 1,
        "block_third_party_cookies": policy is not CookiePolicy.ALLOW_ALL,
    }
    if policy is CookiePolicy.BLOCK_TOOL:
        if not tool_origin:
            raise ValueError("CookiePolicy.BLOCK_TOOL needs the tool's origin")
        embedder = canvas_origin.rstrip("/") if canvas_origin else "*"
        profile["content_settings"] = {
            "exceptions": {"cookies": {f"{tool_origin.rstrip('/')},{embedder}": {"setting": 2}}}
        }
    return {"profile": profile, "intl": {"accept_languages": "en-US,en"}}


def launch_context(
    playwright: Playwright,
    user_data_dir: Path,
    policy: CookiePolicy = CookiePolicy.ALLOW_ALL,
    *,
    tool_origin: str | None = None,
    canvas_origin: str | None = None,
    viewport: tuple[int, int] = (1280, 900),
    locale: str = "en-US",
) -> BrowserContext:
    """A headless Chromium with its own profile in ``user_data_dir`` under ``policy``."""
    default = user_data_dir / "Default"
    default.mkdir(parents=True, exist_ok=True)
    (default / "Preferences").write_text(
        json.dumps(profile_preferences(policy, tool_origin, canvas_origin))
    )
    context = playwright.chromium.launch_persistent_context(
        str(user_data_dir),
        executable_path=CHROMIUM,
        headless=True,
        args=list(CHROMIUM_ARGS),
        viewport={"width": viewport[0], "height": viewport[1]},
        locale=locale,
    )
    context.set_default_timeout(10_000)
    return context


def screenshot(page: Page, name: str, *, full_page: bool = True) -> Path:
    """Save ``page`` as ``test-output/screenshots/<name>.png`` (a CI artifact) and return it."""
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-") or "page"
    path = SCREENSHOT_DIR / f"{safe}.png"
    settle(page)
    page.screenshot(path=str(path), full_page=full_page)
    return path


_TWO_FRAMES = "() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))"


def settle(page: Page) -> None:
    """Let every frame paint twice: a cross-site iframe renders in its own process, and a
    screenshot taken right after it navigated can show its previous document."""
    for frame in page.frames:
        with contextlib.suppress(PlaywrightError):
            frame.evaluate(_TWO_FRAMES)


_AXE = Axe()


def axe_violations(target: Page | Frame, *, rules_off: Sequence[str] = ()) -> list[dict[str, Any]]:
    """Run axe-core in ``target`` (a page or the tool's iframe); return all violations."""
    target.evaluate(_AXE.axe_script)
    options: dict[str, Any] = {"resultTypes": ["violations"]}
    if rules_off:
        options["rules"] = {rule: {"enabled": False} for rule in rules_off}
    results: dict[str, Any] = target.evaluate("options => axe.run(document, options)", options)
    violations: list[dict[str, Any]] = results["violations"]
    return violations


def assert_accessible(target: Page | Frame, *, rules_off: Sequence[str] = ()) -> None:
    """Fail on any serious or critical axe violation, naming the rule and the elements."""
    blocking = [
        v
        for v in axe_violations(target, rules_off=rules_off)
        if v.get("impact") in BLOCKING_IMPACTS
    ]
    if blocking:
        lines = [
            f"{v['impact']}: {v['id']} ({v['help']}) at "
            + ", ".join(str(node.get("target")) for node in v.get("nodes", [])[:5])
            for v in blocking
        ]
        raise AssertionError("axe found blocking violations:\n" + "\n".join(lines))
