"""Error pages: a clear message in the user's language, never a stack trace."""
from __future__ import annotations

from flask import render_template
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException


def _page(status: int, title: str, message: str):
    return render_template("errors/error.html", status=status, title=title, message=message), status


def init_app(app) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(_e):
        return _page(400, _("The form has expired"),
                     _("For your security the form was refused (missing or expired security token). "
                       "Go back, reload the page and try again; nothing was saved."))

    @app.errorhandler(404)
    def not_found(_e):
        return _page(404, _("Not found"), _("This page does not exist, or you have no access to it."))

    @app.errorhandler(413)
    def too_large(_e):
        limit = app.config["MAX_CONTENT_LENGTH"] // (1024 * 1024)
        return _page(413, _("File too large"),
                     _("The upload is larger than %(mb)d MB. Make the file smaller and try again; "
                       "nothing was saved.", mb=limit))

    @app.errorhandler(429)
    def throttled(_e):
        return _page(429, _("Too many attempts"),
                     _("Too many attempts in a short time. Wait a minute and try again."))

    @app.errorhandler(HTTPException)
    def other_http(e: HTTPException):
        return _page(e.code or 400, e.name, _("The request could not be handled."))

    @app.errorhandler(500)
    def server_error(_e):
        return _page(500, _("Something went wrong"),
                     _("The action could not be completed and nothing was changed. Try again; if it keeps "
                       "happening, contact the administrator."))
