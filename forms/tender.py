"""Forms for a draft tender, section by section."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, FieldList, FormField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from app.models.tenders import PROCEDURE_TYPES
from forms.common import AmsterdamDateTimeField, NoNullBytes, VersionField, choices, strip, text_area

PROCEDURE_LABELS = {
    "multiple_private": _l("Multiple private procedure (meervoudig onderhands)"),
    "single_private": _l("Single private procedure (enkelvoudig onderhands)"),
    "national_open": _l("National open procedure"),
    "european_restricted": _l("European restricted procedure"),
}
REQUIRED = _l("This field is required.")


class VersionedForm(FlaskForm):
    version = VersionField()


class TenderNewForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(REQUIRED), Length(max=200), NoNullBytes()],
                        filters=[strip])
    description = text_area(_l("Short description"))


class BasicsForm(VersionedForm):
    title = StringField(_l("Title"), validators=[DataRequired(REQUIRED), Length(max=200), NoNullBytes()],
                        filters=[strip])
    description = text_area(_l("Short description"))
    procedure_type = SelectField(_l("Procedure"), choices=choices((p, PROCEDURE_LABELS[p]) for p in PROCEDURE_TYPES))
    estimated_value_eur = IntegerField(_l("Estimated value (euro, excl. VAT)"), validators=[
        Optional(), NumberRange(min=0, max=10**11, message=_l("Enter an amount between 0 and 100 billion."))])


class BriefForm(VersionedForm):
    city_goals = text_area(_l("Goals for the city"))
    development_track = text_area(_l("Organisation-development track"))
    open_question = text_area(_l("The open question to the bureaus"))


class TimelineForm(VersionedForm):
    invitation_at = AmsterdamDateTimeField(_l("Invitations go out"), validators=[Optional()])
    questions_deadline = AmsterdamDateTimeField(_l("Questions deadline"), validators=[Optional()])
    vision_deadline = AmsterdamDateTimeField(_l("Vision deadline"), validators=[Optional()])
    pitch_start = AmsterdamDateTimeField(_l("Pitches from"), validators=[Optional()])
    pitch_end = AmsterdamDateTimeField(_l("Pitches until"), validators=[Optional()])
    selection_at = AmsterdamDateTimeField(_l("Selection decision"), validators=[Optional()])

    ORDER = ("invitation_at", "questions_deadline", "vision_deadline", "pitch_start", "pitch_end", "selection_at")

    def validate(self, extra_validators=None):
        if not super().validate(extra_validators):
            return False
        filled = [(name, getattr(self, name)) for name in self.ORDER if getattr(self, name).data]
        for (_a, a), (_b, b) in zip(filled, filled[1:]):
            if not a.data < b.data:
                b.errors.append(_l("Must come after “%(prev)s”.", prev=a.label.text))
                return False
        return True


class SettingsForm(VersionedForm):
    vision_stage_weight = IntegerField(_l("Weight of the vision in the final ranking (%)"), validators=[
        InputRequired(REQUIRED), NumberRange(min=0, max=100, message=_l("Between 0 and 100."))])
    max_winners_per_lot = IntegerField(_l("Maximum number of bureaus per lot"), validators=[
        InputRequired(REQUIRED), NumberRange(min=1, max=10, message=_l("Between 1 and 10."))])
    invitee_motivation = text_area(
        _l("Motivation for inviting fewer than 3 or more than 5 bureaus (only when you deviate)"))


class LotForm(VersionedForm):
    title = StringField(_l("Lot (management layer)"), validators=[DataRequired(REQUIRED), Length(max=200),
                                                                  NoNullBytes()], filters=[strip])
    description = text_area(_l("Description"))


class AnchorForm(FlaskForm):
    class Meta:
        csrf = False  # part of CriterionForm, which carries the token

    score = IntegerField(validators=[InputRequired()])
    text = StringField(validators=[Optional(), Length(max=500), NoNullBytes()], filters=[strip])


class CriterionForm(VersionedForm):
    title = StringField(_l("Criterion"), validators=[DataRequired(REQUIRED), Length(max=200), NoNullBytes()],
                        filters=[strip])
    description = text_area(_l("What the panel looks for"))
    weight = IntegerField(_l("Weight (%)"), validators=[
        InputRequired(REQUIRED), NumberRange(min=0, max=100, message=_l("Between 0 and 100."))])
    scale_min = IntegerField(_l("Lowest score"), default=0, validators=[
        InputRequired(REQUIRED), NumberRange(min=0, max=100, message=_l("Between 0 and 100."))])
    scale_max = IntegerField(_l("Highest score"), default=10, validators=[
        InputRequired(REQUIRED), NumberRange(min=1, max=100, message=_l("Between 1 and 100."))])
    scale_step = IntegerField(_l("Step"), default=2, validators=[
        InputRequired(REQUIRED), NumberRange(min=1, max=100, message=_l("Between 1 and 100."))])
    required = BooleanField(_l("Required (every evaluator must score it)"), default=True)
    counts_in_total = BooleanField(_l("Counts in the total score"), default=True)
    anchors = FieldList(FormField(AnchorForm), min_entries=0, max_entries=101)

    def validate_scale_max(self, field):
        if self.scale_min.data is not None and field.data is not None and field.data <= self.scale_min.data:
            raise ValidationError(_l("The highest score must be above the lowest."))

    def validate_scale_step(self, field):
        lo, hi = self.scale_min.data, self.scale_max.data
        # The range check above reports a step below 1 but does not stop this one from running.
        if None in (lo, hi, field.data) or hi <= lo or field.data < 1:
            return
        if (hi - lo) % field.data:
            raise ValidationError(_l("The step must divide the range from lowest to highest score."))
        if (hi - lo) // field.data > 20:
            raise ValidationError(_l("A scale has at most 21 levels."))

    def validate_weight(self, field):
        if not self.counts_in_total.data and field.data:
            raise ValidationError(_l("A criterion that does not count in the total has weight 0."))


class PickForm(VersionedForm):
    """Choose one item from a list (an evaluator for the panel, a bureau to invite, a co-buyer)."""

    item = IntegerField(validators=[InputRequired(_l("Make a choice from the list.")),
                                    NumberRange(min=1, max=2**31 - 1, message=_l("Make a choice from the list."))])


class RemoveForm(VersionedForm):
    pass


class ActionForm(VersionedForm):
    reason = TextAreaField(_l("Reason"), validators=[Optional(), Length(max=5000), NoNullBytes()], filters=[strip])
