from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length, Optional, URL

from app.models.accounts import ORGANISATION_KINDS, ROLES
from forms.common import NoNullBytes, choices, strip

KIND_LABELS = {
    "municipality": _l("Municipality"),
    "housing_corporation": _l("Housing corporation"),
    "utility": _l("Utility"),
    "water_board": _l("Water board"),
    "province": _l("Province"),
    "other": _l("Other"),
}
ROLE_LABELS = {
    "admin": _l("Administrator"),
    "officer": _l("Procurement officer"),
    "evaluator": _l("Evaluator"),
    "bureau": _l("Bureau"),
}


def _name(label):
    return StringField(label, validators=[DataRequired(_l("This field is required.")), Length(max=200), NoNullBytes()],
                       filters=[strip])


class OrganisationForm(FlaskForm):
    name = _name(_l("Name"))
    kind = SelectField(_l("Kind"), choices=choices((k, KIND_LABELS[k]) for k in ORGANISATION_KINDS))
    identifier = StringField(_l("Identifier (OIN or KvK number)"), validators=[Optional(), Length(max=60), NoNullBytes()],
                             filters=[strip])
    city = StringField(_l("City"), validators=[Optional(), Length(max=120), NoNullBytes()], filters=[strip])


class BureauForm(FlaskForm):
    name = _name(_l("Name"))
    contact_name = StringField(_l("Contact person"), validators=[Optional(), Length(max=200), NoNullBytes()],
                               filters=[strip])
    contact_email = EmailField(_l("Contact e-mail"), validators=[
        DataRequired(_l("This field is required.")), Email(_l("Enter a valid e-mail address.")), Length(max=254)],
        filters=[strip])
    city = StringField(_l("City"), validators=[Optional(), Length(max=120), NoNullBytes()], filters=[strip])
    website = StringField(_l("Website"), validators=[Optional(), URL(message=_l("Enter a full web address (https://…).")),
                                                      Length(max=300)], filters=[strip])
    kvk_number = StringField(_l("KvK number"), validators=[Optional(), Length(max=20), NoNullBytes()], filters=[strip])


class UserForm(FlaskForm):
    name = _name(_l("Name"))
    email = EmailField(_l("E-mail address"), validators=[
        DataRequired(_l("This field is required.")), Email(_l("Enter a valid e-mail address.")), Length(max=254)],
        filters=[strip])
    role = SelectField(_l("Role"), choices=choices((r, ROLE_LABELS[r]) for r in ROLES))
    organisation_id = SelectField(_l("Organisation"), coerce=int)
    bureau_id = SelectField(_l("Bureau"), coerce=int)
    active = BooleanField(_l("Active"), default=True)

    def validate_organisation_id(self, field):
        if self.role.data in ("officer", "evaluator") and not field.data:
            raise _required_for_role(_l("Officers and evaluators belong to an organisation."))

    def validate_bureau_id(self, field):
        if self.role.data == "bureau" and not field.data:
            raise _required_for_role(_l("A bureau user belongs to a bureau."))


def _required_for_role(message):
    from wtforms.validators import ValidationError
    return ValidationError(message)
