"""Language and time display: Dutch by default, English on request; times in Europe/Amsterdam."""
from __future__ import annotations

from datetime import date, datetime

from babel import Locale as _Locale
from babel.dates import format_date as _babel_date
from babel.dates import format_timedelta as _babel_timedelta
from babel.dates import parse_pattern
from babel.numbers import format_currency as _babel_currency
from flask import current_app, has_request_context, session
from flask.globals import _cv_app
from flask_babel import Babel, get_locale, get_translations
from flask_babel import gettext as _babel_gettext
from flask_babel.speaklater import LazyString
from flask_login import current_user

from app.clock import AMSTERDAM

babel = Babel()


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    if has_request_context():
        chosen = session.get("lang")
        if chosen in languages:
            return chosen
        if getattr(current_user, "is_authenticated", False) and current_user.locale in languages:
            return current_user.locale
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def _locale() -> str:
    try:
        return str(get_locale() or "nl")
    except (RuntimeError, KeyError):  # outside an app/request context (CLI output, PDFs)
        return "nl"


# --- the fast path ------------------------------------------------------------------------------------
# Flask-Babel looks up the locale and the catalogue on every string (about ten context-local lookups
# each); a page with fifty audit events asks hundreds of times. Flask-Babel keeps the request's locale
# in `g._flask_babel.babel_locale`; while that object stays the same, the catalogue found for it stays
# valid, so it is kept beside it. `force_locale` (mail in the recipient's language) swaps the locale
# object, so the catalogue is looked up again, as before. Without that attribute (another Flask-Babel)
# every call simply takes Flask-Babel's own path.

def _babel_state():
    app_ctx = _cv_app.get(None)
    return app_ctx.g.__dict__.get("_flask_babel") if app_ctx is not None else None


def translations():
    state = _babel_state()
    locale = getattr(state, "babel_locale", None)
    if locale is None:
        return get_translations()
    cached = getattr(state, "samenspel_catalogue", None)
    if cached is not None and cached[0] is locale:
        return cached[1]
    catalogue = get_translations()
    state.samenspel_catalogue = (locale, catalogue)
    return catalogue


def current_locale():
    """The request's babel Locale (or the default outside a request)."""
    locale = getattr(_babel_state(), "babel_locale", None)
    if locale is None:
        try:
            locale = get_locale()
        except (RuntimeError, KeyError):  # outside an app/request context (CLI output, PDFs)
            locale = None
    return locale if locale is not None else _Locale.parse("nl")


def text(label) -> str:
    """A (lazy) label as text in the current language; `lazy_gettext` labels take the fast path."""
    if type(label) is LazyString and label._func is _babel_gettext and len(label._args) == 1 and not label._kwargs:
        return translations().ugettext(label._args[0])
    return str(label)


_PATTERNS = {"medium": "d MMM y HH:mm", "long": "EEEE d MMMM y 'om' HH:mm", "short": "d-M-y HH:mm"}
_PARSED: dict[tuple[str, str], object] = {}


def format_local(moment: datetime | None, fmt: str = "medium") -> str:
    """A UTC datetime as Amsterdam wall-clock time, e.g. '12 mrt 2027 17:00'."""
    if moment is None:
        return "—"
    locale = current_locale()
    key = (fmt, locale.language)
    pattern = _PARSED.get(key)
    if pattern is None:
        raw = _PATTERNS[fmt]
        if locale.language == "en":
            raw = raw.replace("'om'", "'at'")
        pattern = _PARSED[key] = parse_pattern(raw)
    # What babel's format_datetime does for an aware datetime, without parsing locale and pattern again.
    return pattern.apply(moment.astimezone(AMSTERDAM), locale)


def format_day(value: date | datetime | None) -> str:
    if value is None:
        return "—"
    if isinstance(value, datetime):
        value = value.astimezone(AMSTERDAM).date()
    return _babel_date(value, "d MMMM y", locale=_locale())


def format_money(value: int | None) -> str:
    if value is None:
        return "—"
    return _babel_currency(value, "EUR", locale=_locale(), format="¤ #,##0", currency_digits=False)


def init_app(app) -> None:
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(app.root_path + "/translations"))
    babel.init_app(app, locale_selector=select_locale, default_timezone="Europe/Amsterdam")
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: translations().ugettext(s),
        ngettext=lambda s, p, n: translations().ungettext(s, p, n),
        pgettext=lambda c, s: translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: translations().unpgettext(c, s, p, n),
        newstyle=True,
    )
    app.jinja_env.filters["local"] = format_local
    app.jinja_env.filters["day"] = format_day
    app.jinja_env.filters["money"] = format_money


def format_relative(moment: datetime | None) -> str:
    """'in 3 days' / '2 hours ago', relative to app.clock.now()."""
    if moment is None:
        return ""
    from app.clock import now
    delta = moment - now()
    return _babel_timedelta(delta, add_direction=True, threshold=1.1, locale=current_locale())
