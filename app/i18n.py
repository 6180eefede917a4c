"""Flask-Babel: every page is translatable; the locale follows the launch, then the browser."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Flask, current_app, g, has_request_context, request
from flask_babel import Babel, get_babel, get_locale, get_translations, gettext
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup

TRANSLATIONS = Path(__file__).parent / "translations"
DEFAULT_LOCALE = "en"


def N_(message: str) -> str:  # noqa: N802 - gettext's conventional name for the marker
    """Mark ``message`` for ``pybabel extract`` only; it is translated where it is shown.

    For English strings made outside a request's locale (role labels, ``ToolError``
    messages raised before the launch is known): templates and ``app/web/handlers.py`` look
    them up in the catalogue at render time.
    """
    return message


def translate_known(message: str | None) -> str:
    """``message`` in the request's locale when the catalogue has it, else unchanged.

    For texts stored or raised in English and marked with ``N_()`` (job errors, ToolError
    messages); Canvas's own words and already translated texts are not msgids and pass
    through. Jinja filter ``translated``.
    """
    if not message:
        return ""  # gettext("") would answer the catalogue's header
    return str(gettext(message))


def available_locales() -> list[str]:
    """English plus every compiled catalogue in the translation directories (``de``, ...).

    Listed once per set of directories: every page asks, and the scan reads the disk.
    """
    babel = get_babel()
    directories = tuple(babel.translation_directories)
    cache: dict[tuple[str, ...], tuple[str, ...]] = current_app.extensions.setdefault(
        "available_locales", {}
    )
    if directories not in cache:
        found = sorted(str(locale) for locale in babel.instance.list_translations())
        cache[directories] = (DEFAULT_LOCALE, *(name for name in found if name != DEFAULT_LOCALE))
    return list(cache[directories])


def match_locale(wanted: str | None, available: list[str]) -> str | None:
    """``pt-BR`` → ``pt_BR`` if available, else ``pt`` if available, else None."""
    if not wanted:
        return None
    normalized = wanted.replace("-", "_")
    lowered = {name.lower(): name for name in available}
    for candidate in (normalized, normalized.split("_")[0]):
        if candidate.lower() in lowered:
            return lowered[candidate.lower()]
    return None


def select_locale() -> str:
    """The current launch's locale, else the browser's Accept-Language, else English.

    Before the ``Launch`` row exists (the platform-storage page, a role refusal) a verified
    id_token's locale is in ``g.launch_locale`` (set by ``app/web/lti.py``). Outside a request
    (the worker starting a scheduled run) there is no reader: English, the stored language
    that pages translate when they show it.
    """
    if not has_request_context():
        return DEFAULT_LOCALE
    available = available_locales()
    launch = g.get("launch")
    wanted = launch.locale if launch is not None else g.get("launch_locale")
    chosen = match_locale(wanted, available)
    if chosen:
        return chosen
    header = request.accept_languages.best_match([name.replace("_", "-") for name in available])
    return match_locale(header, available) or DEFAULT_LOCALE


def html_lang() -> str:
    """The page's ``lang`` attribute (``pt-BR`` style)."""
    return str(get_locale() or DEFAULT_LOCALE).replace("_", "-")


def page_gettext() -> Callable[..., str]:
    """The templates' ``gettext`` (and so ``_``) for one render, with the catalogue looked up
    once.

    Flask-Babel's template ``gettext`` finds the request's locale, domain and catalogue again
    for every string; a report page translates one to three hundred strings (labels in every
    job row), and that lookup was a fifth of its rendering time. This is the function Jinja's
    i18n extension builds (newstyle: the translation is markup when autoescaping and always
    %-formatted with escaped variables), over the catalogue Flask-Babel gives this request,
    so pages read exactly the same. Jinja's ``_`` and ``{% trans %}`` call whatever
    ``gettext`` the template context holds; ``init_app`` puts this one there for every render.
    """
    translations = get_translations()

    @pass_context
    def gettext(context: Context, message: str, **variables: Any) -> str:
        text: str = translations.ugettext(message)
        if context.eval_ctx.autoescape:
            text = Markup(text)  # noqa: S704 - the catalogue's text, trusted as by Jinja's i18n
        return text % variables

    return gettext


def init_app(app: Flask) -> None:
    Babel(app, locale_selector=select_locale, default_translation_directories=str(TRANSLATIONS))
    app.jinja_env.globals["html_lang"] = html_lang
    app.jinja_env.filters["translated"] = translate_known
    app.context_processor(lambda: {"gettext": page_gettext()})
