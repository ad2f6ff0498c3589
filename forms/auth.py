from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField
from wtforms.validators import DataRequired, EqualTo, InputRequired, Length

from forms.common import NoNullBytes, strip

MIN_PASSWORD = 10


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail address"), validators=[DataRequired(_l("Fill in your e-mail address.")),
                                                         Length(max=254), NoNullBytes()], filters=[strip])
    password = PasswordField(_l("Password"), validators=[InputRequired(_l("Fill in your password.")),
                                                         Length(max=200)])
    remember = BooleanField(_l("Stay logged in on this device"))


class PasswordForm(FlaskForm):
    """Set a new password (after a reset or an invitation link)."""

    password = PasswordField(_l("New password"), validators=[
        InputRequired(_l("Choose a password.")),
        Length(min=MIN_PASSWORD, max=200, message=_l("Use at least %(min)d characters.", min=MIN_PASSWORD)),
    ])
    confirm = PasswordField(_l("Repeat the new password"), validators=[
        InputRequired(_l("Repeat the password.")), EqualTo("password", _l("The passwords do not match.")),
    ])


class PasswordChangeForm(PasswordForm):
    current = PasswordField(_l("Current password"), validators=[InputRequired(_l("Fill in your current password."))])


class ForgotForm(FlaskForm):
    email = EmailField(_l("E-mail address"), validators=[DataRequired(_l("Fill in your e-mail address.")),
                                                         Length(max=254), NoNullBytes()], filters=[strip])
