"""Forms for programmes: the plan, comments, acceptance, participants, the evaluation and its decision."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField, FieldList, Form, FormField, HiddenField, IntegerField, RadioField, SelectField, StringField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from app.models.programme_cycle import CADENCE_LABELS, FORM_LABELS, FORM_TEXTS, SCORE_MAX, SCORE_MIN
from forms.common import NoNullBytes, VersionField, choices, strip, text_area

REQUIRED = _l("This field is required.")


def _line(label, required=False, max_length=200, **kw):
    validators = [DataRequired(REQUIRED)] if required else [Optional()]
    return StringField(label, validators=validators + [Length(max=max_length), NoNullBytes()], filters=[strip], **kw)


class SessionRow(Form):
    held_on = DateField(_l("Date"), validators=[Optional()])
    themes = _line(_l("Themes"), max_length=2000)

    def validate_themes(self, field):  # (a validator on the date would not run: Optional() stops its chain)
        if field.data and self.held_on.data is None and not self.held_on.errors:
            raise ValidationError(_l("Give the session a date."))


class SpreadRow(Form):
    organisation = _line(_l("Organisation"))
    places = IntegerField(_l("Places"), validators=[Optional(), NumberRange(min=0, max=10_000,
                                                                            message=_l("Between 0 and 10,000."))])

    def validate_organisation(self, field):
        if field.data and self.places.data is None and not self.places.errors:
            raise ValidationError(_l("How many places?"))


class IndicatorRow(Form):
    name = _line(_l("Indicator"))
    description = _line(_l("What it means"), max_length=1000)


class PlanForm(FlaskForm):
    revision = VersionField()
    target_group = text_area(_l("Target group"))
    intake = text_area(_l("Intake"))
    max_participants = IntegerField(_l("Maximum number of participants"), validators=[
        Optional(), NumberRange(min=1, max=10_000, message=_l("Between 1 and 10,000."))])
    cost_per_participant_eur = IntegerField(_l("Cost per participant (euro)"), validators=[
        Optional(), NumberRange(min=0, max=10**7, message=_l("Enter an amount between 0 and 10 million."))])
    time_investment = text_area(_l("Time investment per participant"))
    enrolment_deadline = DateField(_l("Enrolment deadline"), validators=[Optional()])
    programme_leads = text_area(_l("Programme leads"))
    cadence = SelectField(_l("Evaluation cadence"), choices=choices(CADENCE_LABELS.items()))
    sessions = FieldList(FormField(SessionRow), min_entries=0, max_entries=60)
    spread = FieldList(FormField(SpreadRow), min_entries=0, max_entries=40)
    indicators = FieldList(FormField(IndicatorRow), min_entries=0, max_entries=30)

    def validate_spread(self, field):
        names = [e.form.organisation.data.lower() for e in field.entries if e.form.organisation.data]
        if len(names) != len(set(names)):
            raise ValidationError(_l("Name each organisation once."))
        total = sum(e.form.places.data or 0 for e in field.entries if e.form.organisation.data)
        if self.max_participants.data and total > self.max_participants.data:
            raise ValidationError(_l("The places add up to %(total)d, more than the maximum of %(max)d.",
                                     total=total, max=self.max_participants.data))

    def validate_indicators(self, field):
        names = [e.form.name.data.lower() for e in field.entries if e.form.name.data]
        if len(names) != len(set(names)):
            raise ValidationError(_l("Name each indicator once."))


class RevisionForm(FlaskForm):
    """Accepting exactly what the user saw: the revision number and the content's hash."""

    revision = VersionField()
    content_hash = HiddenField()


class CommentForm(FlaskForm):
    body = text_area(_l("Comment"), required=True, max_length=5000)


class ParticipantForm(FlaskForm):
    name = _line(_l("Name"), required=True)
    organisation = _line(_l("Organisation"), required=True, render_kw={"list": "organisations"})
    role = _line(_l("Role or position"))


class EmptyForm(FlaskForm):
    pass


class ScoreRow(Form):
    indicator = HiddenField()
    score = IntegerField(_l("Score"), validators=[Optional(), NumberRange(
        min=SCORE_MIN, max=SCORE_MAX, message=_l("A score from %(lo)d to %(hi)d.", lo=SCORE_MIN, hi=SCORE_MAX))])


class EvaluationFormForm(FlaskForm):
    revision = VersionField()
    scores = FieldList(FormField(ScoreRow), min_entries=0, max_entries=30)


for _name in FORM_TEXTS:
    setattr(EvaluationFormForm, _name, text_area(FORM_LABELS[_name]))


class FeedbackForm(FlaskForm):
    revision = VersionField()
    participant_feedback = text_area(_l("Summary of the participants' feedback"))


class DecisionForm(FlaskForm):
    version = VersionField()
    decision = RadioField(_l("Decision"), choices=choices((
        ("continue", _l("Continue as is")),
        ("adjust", _l("Continue with adjustments (opens a new plan version)")),
        ("end", _l("End the programme")))),
                          validators=[InputRequired(_l("Choose a decision."))])
    meeting_on = DateField(_l("Date of the joint evaluation meeting"), validators=[InputRequired(REQUIRED)])
    notes = text_area(_l("Notes: what was agreed (required to adjust or end)"))

    def validate(self, extra_validators=None):
        # A check on the field itself would not run when it is empty: Optional() stops its chain.
        valid = super().validate(extra_validators)
        if self.decision.data in ("adjust", "end") and not (self.notes.data or "").strip():
            self.notes.errors = [*self.notes.errors, _l("Say what should change, or why the programme ends.")]
            return False
        return valid
