"""Forms for the selection per lot, contract terms and objections."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import BooleanField, DateField, FieldList, FormField, HiddenField, IntegerField, RadioField
from wtforms.validators import InputRequired, NumberRange, Optional

from forms.common import LONG_TEXT, VersionField, choices, text_area

REQUIRED = _l("This field is required.")


class BureauChoiceForm(FlaskForm):
    class Meta:
        csrf = False  # part of LotSelectionForm, which carries the token

    bureau_id = HiddenField()
    selected = BooleanField(_l("Select"))
    motivation = text_area(_l("Motivation"), required=True, max_length=LONG_TEXT)


class Prefixed(FlaskForm):
    """Several of these share one page, each with its own prefix; the page's CSRF token is checked by
    CSRFProtect for every POST (a prefixed form would otherwise look for a prefixed token field)."""

    class Meta:
        csrf = False


class LotSelectionForm(Prefixed):
    version = VersionField()
    bureaus = FieldList(FormField(BureauChoiceForm), min_entries=0, max_entries=50)


class ContractTermsForm(Prefixed):
    start_date = DateField(_l("Start date"), validators=[Optional()])
    duration_years = IntegerField(_l("Duration (years)"), default=1, validators=[
        InputRequired(REQUIRED), NumberRange(min=1, max=30, message=_l("Between 1 and 30."))])
    value_eur = IntegerField(_l("Value (euro, excl. VAT)"), validators=[
        Optional(), NumberRange(min=0, max=10**11, message=_l("Enter an amount between 0 and 100 billion."))])


class ObjectionForm(FlaskForm):
    text = text_area(_l("Your objection"), required=True)
    files = MultipleFileField(_l("Attachments (PDF, DOCX or ODT; optional)"))


class HandleObjectionForm(Prefixed):
    version = VersionField()
    outcome = RadioField(_l("Decision on the objection"), choices=choices((
        ("rejected", _l("Reject: the decision stands and the standstill goes on")),
        ("upheld", _l("Uphold: withdraw the decision and return to selection")),
    )), validators=[InputRequired(_l("Choose whether the objection is rejected or upheld."))])
    reason = text_area(_l("Reason (sent to the bureau)"), required=True)
