"""What every template may use."""
from __future__ import annotations

import json
from functools import lru_cache
from typing import NamedTuple, Optional

from flask import current_app, request, url_for
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape

from app.audit.labels import action_label
from app.clock import now
from app.i18n import current_locale, format_relative, text

ROLE_LABELS = {
    "admin": _l("administrator"), "officer": _l("officer"), "evaluator": _l("evaluator"),
    "bureau": _l("bureau"), "system": _l("system"),
}
INVITATION_LABELS = {
    "planned": _l("planned"), "sent": _l("sent"), "opened": _l("opened"), "accepted": _l("accepted"),
    "declined": _l("declined"), "replaced": _l("replaced"),
}


def _stage_label(state: str) -> str:
    """The label of a tender stage, or of a programme stage (a tender's audit trail holds both)."""
    from workflows import programme_engine, tender_engine
    for engine in (tender_engine(), programme_engine()):
        try:
            return text(engine.workflow.state(state).label)
        except KeyError:
            continue
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


class EventRow(NamedTuple):
    """Every field an audit event's row shows, so equal keys render equal rows."""

    id: int
    seq: int
    occurred_at: object
    actor_name: str
    actor_role: str
    action: str
    from_state: Optional[str]
    to_state: Optional[str]
    changes: str
    reason: Optional[str]


@lru_cache(maxsize=10_000)
def _rendered_event_row(event: EventRow, language: str) -> Markup:
    return Markup(current_app.jinja_env.get_template("tenders/_event_row.html").render(e=event))


def _event_row(e) -> Markup:
    """An audit event as a table row. Events never change (the database refuses it), and the key holds
    every field the row shows and the language, so a row rendered once is kept (LRU, per worker): the
    last page of a long trail shows fifty rows that each cost dates, labels and parsed changes."""
    fields = EventRow(e.id, e.seq, e.occurred_at, e.actor_name, e.actor_role, e.action, e.from_state, e.to_state,
                      e.changes, e.reason)
    return _rendered_event_row(fields, current_locale().language)


_SENTINEL = 987654321


def _tender_url(tender_id: int) -> str:
    """url_for('tenders.show', tender_id=…) for long lists: the URL's shape is looked up once per site root."""
    shapes = current_app.extensions.setdefault("samenspel.tender_url", {})
    parts = shapes.get(request.script_root)
    if parts is None:
        prefix, _sep, suffix = url_for("tenders.show", tender_id=_SENTINEL).partition(str(_SENTINEL))
        parts = shapes[request.script_root] = (prefix, suffix)
    return f"{parts[0]}{int(tender_id)}{parts[1]}"


def _anchor_list(anchors) -> Markup:
    """<dt>score</dt><dd>text</dd> for a criterion's scale anchors (a tender page shows dozens)."""
    return Markup("".join(f"<dt>{escape(a.score)}</dt><dd>{escape(a.text)}</dd>" for a in anchors))


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
        event_row=_event_row,
        tender_url=_tender_url,
        get_locale=get_locale,
        now=now,
    )
    app.jinja_env.filters.update(
        relative=format_relative,
        fromjson=lambda text: json.loads(text) if text else {},
        shorten=_shorten,
        options=_options,
        anchor_list=_anchor_list,
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    @app.context_processor
    def _languages():
        return {"languages": current_app.config["LANGUAGES"]}
