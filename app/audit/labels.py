"""Human labels for audit actions, and the categories the audit page filters on."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

CATEGORIES = {
    "tender.": _l("Tender and stages"),
    "lot.": _l("Lots"),
    "criterion.": _l("Criteria"),
    "panel.": _l("Panel"),
    "invitee.": _l("Bureaus to invite"),
    "buyer.": _l("Co-buyers"),
}

LABELS = {
    "tender.created": _l("Tender created"),
    "tender.updated": _l("Tender changed"),
    "tender.open_invitation": _l("Invitations sent"),
    "tender.open_submission": _l("Vision submission opened"),
    "tender.close_submission": _l("Submission closed, visions opened"),
    "tender.declare_unsuccessful": _l("Declared unsuccessful"),
    "tender.start_pitches": _l("Pitches started"),
    "tender.start_selection": _l("Selection started"),
    "tender.send_decision": _l("Award decision sent"),
    "tender.reopen_selection": _l("Returned to selection"),
    "tender.award": _l("Awarded definitively"),
    "tender.cancel": _l("Tender cancelled"),
    "lot.added": _l("Lot added"),
    "lot.updated": _l("Lot changed"),
    "lot.removed": _l("Lot removed"),
    "criterion.added": _l("Criterion added"),
    "criterion.updated": _l("Criterion changed"),
    "criterion.removed": _l("Criterion removed"),
    "panel.added": _l("Evaluator added to the panel"),
    "panel.removed": _l("Evaluator removed from the panel"),
    "invitee.added": _l("Bureau added to the invitation list"),
    "invitee.removed": _l("Bureau removed from the invitation list"),
    "buyer.added": _l("Co-buyer added"),
    "buyer.removed": _l("Co-buyer removed"),
    "organisation.created": _l("Organisation created"),
    "organisation.updated": _l("Organisation changed"),
    "bureau.created": _l("Bureau created"),
    "bureau.updated": _l("Bureau changed"),
    "user.created": _l("Account created"),
    "user.updated": _l("Account changed"),
    "user.password_set": _l("Password set"),
    "user.reset_requested": _l("New password requested"),
}


def action_label(action: str) -> str:
    from app.i18n import text

    label = LABELS.get(action)
    return text(label) if label is not None else action


def register(labels: dict, categories: dict | None = None) -> None:
    """Later areas (portal, evaluation, …) add the labels of their own actions."""
    LABELS.update(labels)
    CATEGORIES.update(categories or {})
