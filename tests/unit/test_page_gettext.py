"""``page_gettext`` (every template's ``gettext``) renders exactly what Flask-Babel's renders."""

from __future__ import annotations

import pytest
from flask import Flask, render_template_string

from app.i18n import page_gettext

TEMPLATES = [
    "{{ _('Report') }}|{{ gettext('Status') }}",
    "{{ _('Progress of %(title)s', title=title) }}",
    "{{ _('Run or view history: %(title)s', title=title) }}",
    "{{ _('line %(n)s', n=7) }}|{{ _('A text the catalogue does not have <b>') }}",
    "{% trans %}Report{% endtrans %}|{% trans t=title %}Progress of {{ t }}{% endtrans %}",
    "{% autoescape false %}{{ _('Progress of %(title)s', title=title) }}{% endautoescape %}",
    "{{ ngettext('%(num)d report', '%(num)d reports', 2) }}",
]


@pytest.mark.parametrize("lang", ["en", "es"])
@pytest.mark.parametrize("source", TEMPLATES)
def test_same_output_as_flask_babel(app: Flask, lang: str, source: str) -> None:
    title = 'Quiz <b>"1"</b> & more'
    with app.test_request_context("/", headers={"Accept-Language": lang}):
        flask_babel_gettext = app.jinja_env.globals["gettext"]
        expected = render_template_string(source, title=title, gettext=flask_babel_gettext)
        assert render_template_string(source, title=title) == expected  # the default now
        assert render_template_string(source, title=title, gettext=page_gettext()) == expected
    if lang == "es" and source.startswith("{{ _('Progress of"):
        assert "Progreso de" in expected
        assert "&lt;b&gt;" in expected
