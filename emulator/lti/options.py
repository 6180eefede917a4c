"""Switches for platform behaviours that differ between Canvas clients or are unverified.

- ``storage_mode``: ``normal`` (browser Canvas answers platform-storage messages), ``silent``
  (Canvas mobile apps: ``lti_storage_target`` is sent but nothing answers), ``absent`` (a
  tool inside the Rich Content Editor: no sibling ``post_message_forwarding`` frame; only
  the parent window answers).
- ``quiz_id_mode``: whether a ``quiz_menu``/``assignment_menu`` launch names the selected item
  (reference 3.8). ``none`` (the default) is Canvas's real behaviour (canvas-lms
  ``ExternalToolsController`` and ``lib/lti/variable_expander.rb``): the 1.3 launch names no
  item, ``$Canvas.quiz.id`` (no such variable) and ``$Canvas.assignment.id`` (no
  ``assignment_id`` parameter) arrive as literals. Opt-in modes play "a Canvas that does send
  the id": ``custom`` expands ``$Canvas.quiz.id`` (quiz_menu) and ``$Canvas.assignment.id``
  (assignment_menu) in custom fields, the way an institution might configure it;
  ``target_link_uri`` appends ``quizzes[]``/``assignments[]`` to the launch's target_link_uri.
- ``strict_oidc_params``: also refuse auth requests whose ``response_mode``, ``prompt`` or
  ``response_type`` are wrong or that lack ``state``; Canvas itself only checks presence and
  ``scope``, but a tool that sends anything else is wrong by the spec.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

if TYPE_CHECKING:
    from emulator.state import Emulator

PART = "lti_options"
STORAGE_MODES = ("normal", "silent", "absent")
QUIZ_ID_MODES = ("none", "custom", "target_link_uri")
CANVAS_QUIZ_ID_MODE = "none"  # what Canvas does: the default and what reset restores


@dataclass
class LtiOptions:
    storage_mode: str = "normal"
    quiz_id_mode: str = CANVAS_QUIZ_ID_MODE
    strict_oidc_params: bool = True


def lti_options(emulator: Emulator) -> LtiOptions:
    with emulator.store.lock:
        options = emulator.parts.get(PART)
        if options is None:
            options = LtiOptions()
            emulator.parts[PART] = options
        return cast(LtiOptions, options)


def set_storage_mode(emulator: Emulator, mode: str) -> None:
    if mode not in STORAGE_MODES:
        raise ValueError(f"storage mode must be one of {', '.join(STORAGE_MODES)}")
    lti_options(emulator).storage_mode = mode


def set_quiz_id_mode(emulator: Emulator, mode: str) -> None:
    if mode not in QUIZ_ID_MODES:
        raise ValueError(f"quiz id mode must be one of {', '.join(QUIZ_ID_MODES)}")
    lti_options(emulator).quiz_id_mode = mode
