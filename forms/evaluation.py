"""Forms of the evaluation panel. Sheets, declarations, consensus and the shortlist have one field per
criterion or bureau, so their classes are built for the tender at hand (WTForms' dynamic forms)."""
from __future__ import annotations

from functools import lru_cache

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, SelectField, StringField, URLField
from wtforms.fields import Field
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, URL, ValidationError

from app.models.scoring import CONFLICT_KINDS
from forms.common import AmsterdamDateTimeField, NoNullBytes, VersionField, choices, strip, text_area

REQUIRED = _l("This field is required.")
CONFLICT_LABELS = {
    "none": _l("No conflict of interest"),
    "personal": _l("Personal (family, friendship)"),
    "professional": _l("Professional (worked with or for them)"),
    "financial": _l("Financial (shares, payments, debts)"),
    "other": _l("Other"),
}


class ScoreField(Field):
    """A score on a criterion's scale, or empty (not scored yet). Rendered as radio buttons with the
    anchor texts by the template; a value off the scale is refused with the scale in the message."""

    def __init__(self, label=None, validators=None, levels=(), **kw):
        super().__init__(label, validators, **kw)
        self.levels = list(levels)
        self._invalid = False

    def process_formdata(self, valuelist):
        raw = (valuelist[0] if valuelist else "").strip()
        self.raw_data = [raw]
        if raw == "":
            self.data = None
            return
        try:
            self.data = int(raw)
        except ValueError:
            self.data, self._invalid = None, True

    def pre_validate(self, form):
        if self._invalid or (self.data is not None and self.data not in self.levels):
            self.data = None
            raise ValidationError(_l("Choose a score on the scale: %(levels)s.",
                                     levels=", ".join(str(v) for v in self.levels)))

    def _value(self):
        return "" if self.data is None else str(self.data)


class SheetBase(FlaskForm):
    version = VersionField()
    action = StringField()  # "save" (draft) or "submit": the button pressed


def _per_criterion(base, criteria, text_name: str, text_label, formdata, data):
    """A form with value_<criterion id> (a score) and <text_name>_<criterion id> per criterion."""
    spec = tuple((c.id, c.title, tuple(c.levels())) for c in criteria)
    return _criterion_form_class(base, text_name, spec, text_label)(formdata=formdata, data=data)


@lru_cache(maxsize=512)
def _criterion_form_class(base, text_name: str, spec: tuple, text_label):
    """The class for one set of criteria, kept: WTForms sorts a new class's fields on its first use, which
    cost a fifth of a scoring sheet's time when the class was built per request (bench/RESULTS.md). The key
    holds every criterion's id, title and scale, so an edited criterion gets a new class."""
    form_class = type(base.__name__.replace("Base", "Form"), (base,), {})
    for cid, title, levels in spec:
        setattr(form_class, f"value_{cid}", ScoreField(title, levels=levels))
        setattr(form_class, f"{text_name}_{cid}", text_area(text_label, max_length=10_000))
    return form_class


def sheet_form(criteria, formdata=None, data=None):
    """value_<criterion id> and rationale_<criterion id> for each criterion of the stage."""
    return _per_criterion(SheetBase, criteria, "rationale", _l("Rationale"), formdata, data)


class DeclarationBase(FlaskForm):
    pass


def declaration_form(bureau_ids, formdata=None, data=None):
    """kind_<bureau id> and explanation_<bureau id> for each bureau still to declare or changeable."""
    class DeclarationForm(DeclarationBase):
        def validate(self, extra_validators=None):
            ok = super().validate(extra_validators)
            for bid in bureau_ids:
                kind, expl = getattr(self, f"kind_{bid}"), getattr(self, f"explanation_{bid}")
                if kind.data and kind.data != "none" and not expl.data:
                    expl.errors.append(_l("Explain the conflict of interest."))
                    ok = False
            return ok
    options = [("", _l("— choose —"))] + [(k, CONFLICT_LABELS[k]) for k in CONFLICT_KINDS]
    for bid in bureau_ids:
        setattr(DeclarationForm, f"kind_{bid}", SelectField(
            _l("Conflict of interest"), choices=choices(options),
            validators=[DataRequired(_l("Declare a conflict of interest, or none."))]))
        setattr(DeclarationForm, f"explanation_{bid}", text_area(_l("Explanation"), max_length=5000))
    return DeclarationForm(formdata=formdata, data=data)


class ConsensusBase(FlaskForm):
    pass


def consensus_form(criteria, formdata=None, data=None):
    """value_<criterion id> and note_<criterion id> for each criterion of the stage."""
    return _per_criterion(ConsensusBase, criteria, "note", _l("Consensus note"), formdata, data)


def shortlist_form(bureau_ids, formdata=None):
    """pick_<bureau id> (goes on to pitch) and reason_<bureau id> (why not) for each bureau."""
    class ShortlistForm(FlaskForm):
        def validate(self, extra_validators=None):
            ok = super().validate(extra_validators)
            for bid in bureau_ids:
                if not getattr(self, f"pick_{bid}").data and not getattr(self, f"reason_{bid}").data:
                    getattr(self, f"reason_{bid}").errors.append(
                        _l("Give the reason this bureau does not go on to pitch."))
                    ok = False
            if not any(getattr(self, f"pick_{bid}").data for bid in bureau_ids):
                self.form_errors.append(_l("Choose at least one bureau to pitch."))
                ok = False
            return ok
    for bid in bureau_ids:
        setattr(ShortlistForm, f"pick_{bid}", BooleanField(_l("Invite to pitch")))
        setattr(ShortlistForm, f"reason_{bid}", text_area(_l("Reason (when not invited)"), max_length=5000))
    return ShortlistForm(formdata=formdata)


class ReasonForm(FlaskForm):
    reason = text_area(_l("Reason"), required=True, max_length=5000)


class ExcuseForm(ReasonForm):
    member = IntegerField(validators=[InputRequired(REQUIRED)])
    bureau = IntegerField(validators=[InputRequired(REQUIRED)])


class WithdrawForm(ReasonForm):
    bureau = IntegerField(validators=[InputRequired(REQUIRED)])


class DueForm(FlaskForm):
    due_at = AmsterdamDateTimeField(_l("Scores due"), validators=[InputRequired(REQUIRED)])


class SlotForm(FlaskForm):
    starts_at = AmsterdamDateTimeField(_l("Date and time"), validators=[InputRequired(REQUIRED)])
    duration_minutes = IntegerField(_l("Duration (minutes)"), default=60, validators=[
        InputRequired(REQUIRED), NumberRange(min=10, max=480, message=_l("Between 10 and 480 minutes."))])
    location = StringField(_l("Place (address, room)"), validators=[Optional(), Length(max=500), NoNullBytes()],
                           filters=[strip])
    online_url = URLField(_l("Online link (video call)"), validators=[
        Optional(), Length(max=500), URL(require_tld=False, message=_l("Enter a full web address (https://…)."))],
        filters=[strip])

    def validate_online_url(self, field):
        if field.data and not field.data.lower().startswith(("https://", "http://")):
            raise ValidationError(_l("Enter a full web address (https://…)."))

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        if ok and not self.location.data and not self.online_url.data:
            self.location.errors.append(_l("Give a place or an online link (or both)."))
            return False
        return ok


class BookForm(FlaskForm):
    slot = IntegerField(validators=[InputRequired(_l("Choose a slot."))])
