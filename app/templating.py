"""What every template may use."""
from __future__ import annotations

import json

from flask import current_app, request, url_for
from flask_babel import get_locale
from markupsafe import Markup, escape
from flask_babel import lazy_gettext as _l

from app.audit.labels import action_label
from app.clock import now
from app.i18n import format_relative, text

ROLE_LABELS = {
    "admin": _l("administrator"), "officer": _l("officer"), "evaluator": _l("evaluator"),
    "bureau": _l("bureau"), "system": _l("system"),
}
INVITATION_LABELS = {
    "planned": _l("planned"), "sent": _l("sent"), "opened": _l("opened"), "accepted": _l("accepted"),
    "declined": _l("declined"), "replaced": _l("replaced"),
}


def _stage_label(state: str) -> str:
    from workflows import tender_engine
    try:
        return text(tender_engine().workflow.state(state).label)
    except KeyError:
        return state


def _procedure_label(value: str) -> str:
    from forms.tender import PROCEDURE_LABELS
    return text(PROCEDURE_LABELS.get(value, value))


def _timeline_rows(_tender):
    from app.tenders.queries import DEADLINE_LABELS
    return list(DEADLINE_LABELS.items())


def _url_with(**changes) -> str:
    """The current URL with some query arguments replaced (pagination, filters)."""
    args = request.args.to_dict()
    args.update({k: v for k, v in changes.items() if v is not None})
    return url_for(request.endpoint, **(request.view_args or {}), **args)


def _shorten(value, length: int = 120) -> str:
    if value is None:
        return "—"
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= length else text[: length - 1] + "…"


def _options(pairs) -> Markup:
    """<option> elements for (value, label) pairs; a picker lists hundreds, so not a template loop."""
    return Markup("".join(f'<option value="{escape(value)}">{escape(label)}</option>' for value, label in pairs))


def init_app(app) -> None:
    app.jinja_env.globals.update(
        stage_label=_stage_label,
        action_label=action_label,
        procedure_label=_procedure_label,
        timeline_rows=_timeline_rows,
        role_label=lambda role: text(ROLE_LABELS.get(role, role)),
        invitation_status=lambda status: text(INVITATION_LABELS.get(status, status)),
        url_with=_url_with,
        get_locale=get_locale,
        now=now,
    )
    app.jinja_env.filters.update(
        relative=format_relative,
        fromjson=lambda text: json.loads(text) if text else {},
        shorten=_shorten,
        options=_options,
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    @app.context_processor
    def _languages():
        return {"languages": current_app.config["LANGUAGES"]}
