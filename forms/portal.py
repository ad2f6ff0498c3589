"""Forms of the bureau portal and the officer's questions bulletin."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import FileField, SelectField, StringField
from wtforms.validators import InputRequired, Length, Optional

from app.portal.submissions import SECTION_LABELS
from forms.common import NoNullBytes, strip, text_area

REQUIRED = _l("This field is required.")


class DeclineForm(FlaskForm):
    reason = text_area(_l("Why do you decline?"), required=True, max_length=5_000)


class QuestionForm(FlaskForm):
    text = text_area(_l("Your question"), required=True, max_length=5_000)


class AnswerForm(FlaskForm):
    answer = text_area(_l("Answer"), max_length=20_000)


class ClarificationForm(FlaskForm):
    heading = StringField(_l("Subject"), validators=[Optional(), Length(max=300), NoNullBytes()], filters=[strip])
    text = text_area(_l("Clarification"), required=True)


class PublishForm(FlaskForm):
    intro = text_area(_l("Introduction (optional)"), max_length=5_000)


class ReplaceForm(FlaskForm):
    bureau = SelectField(_l("Invite instead"), coerce=int,
                         validators=[InputRequired(_l("Make a choice from the list."))])
    motivation = text_area(_l("Motivation"), required=True, max_length=5_000)


class VisionForm(FlaskForm):
    """The sections the open question asks for; the lots are read from `lot-<id>`/`approach-<id>`."""

    view = text_area(SECTION_LABELS["view"])
    co_creation = text_area(SECTION_LABELS["co_creation"])
    personal_level = text_area(SECTION_LABELS["personal_level"])
    experience = text_area(SECTION_LABELS["experience"])
    team = text_area(SECTION_LABELS["team"])
    attachment = FileField(_l("Add an attachment (PDF, DOCX or ODT)"))


class PlainForm(FlaskForm):
    """Only the CSRF token: for buttons (accept, withdraw, re-send, remove)."""
