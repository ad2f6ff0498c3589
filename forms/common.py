"""Fields and validators shared by several forms."""
from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from wtforms import DateTimeLocalField, HiddenField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from app.clock import AMSTERDAM, local_to_utc

LONG_TEXT = 20_000


class NoNullBytes:
    """Refuse NUL and other control characters that databases (PostgreSQL) reject or mangle."""

    message = _l("The text contains characters that are not allowed.")

    def __call__(self, form, field):
        data = field.data
        if isinstance(data, str) and any(ord(c) < 32 and c not in "\t\n\r" for c in data):
            raise ValidationError(self.message)


def choices(pairs) -> list:
    """WTForms 3.3 wants SelectChoice objects rather than (value, label) tuples."""
    from wtforms.fields.choices import SelectChoice
    return [SelectChoice(value, label) for value, label in pairs]


def strip(value):
    return value.strip() if isinstance(value, str) else value


class AmsterdamDateTimeField(DateTimeLocalField):
    """A date and time typed in Amsterdam wall-clock time; `data` is aware UTC."""

    def __init__(self, label=None, validators=None, **kw):
        super().__init__(label, validators, format="%Y-%m-%dT%H:%M", **kw)

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        if self.data is not None:
            self.data = local_to_utc(self.data)

    def _value(self):
        if self.raw_data:
            return " ".join(self.raw_data)
        if isinstance(self.data, datetime):
            return self.data.astimezone(AMSTERDAM).strftime("%Y-%m-%dT%H:%M")
        return ""


def text_area(label, required=False, max_length=LONG_TEXT, **kw):
    validators = [DataRequired(message=_l("This field is required."))] if required else [Optional()]
    validators += [Length(max=max_length), NoNullBytes()]
    return TextAreaField(label, validators=validators, filters=[strip], **kw)


class VersionField(HiddenField):
    """The version of the object the user looked at; a mismatch means someone else changed it."""

    STALE = -1  # a version no object has: garbage is treated as out of date, never as "no check"

    def process_formdata(self, valuelist):
        raw = valuelist[0] if valuelist else ""
        if not raw:
            self.data = None
            return
        try:
            self.data = int(raw)
        except ValueError:
            self.data = self.STALE
        if not 0 <= self.data < 2**31:
            self.data = self.STALE
