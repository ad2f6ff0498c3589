"""The tender procedure (meervoudig onderhands, co-creative)."""
from __future__ import annotations

from typing import Optional

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.authz import is_buyer_officer
from app.award import operations as award
from workflows.core import Context, State, Transition, Workflow
from app.portal.invitations import send_invitations
from app.portal.submissions import record_opening
from workflows.guards.award import CAN_AWARD, CAN_REOPEN, SELECTION_COMPLETE
from workflows.guards.draft import READY_TO_INVITE
from workflows.guards.evaluation import PITCH_DONE, VISION_DONE
from workflows.guards.invitation import QUESTIONS_SETTLED
from workflows.guards.submission import DEADLINE_PASSED, VISIONS_TO_OPEN

OFFICER = frozenset({"officer"})
OFFICER_OR_SYSTEM = frozenset({"officer", "system"})
BEFORE_AWARD = ("draft", "invitation", "vision_submission", "vision_review", "pitch", "selection", "standstill")

STATES = (
    State("draft", _l("Draft"),
          _l("The officer describes the goals, the development track and the open question, and fixes lots, "
             "criteria with weights, the timeline, the panel and the bureaus to invite.")),
    State("invitation", _l("Invitation"),
          _l("Invited bureaus accept or decline and may ask questions; answers go to all of them at once.")),
    State("vision_submission", _l("Vision submission"),
          _l("Bureaus submit their vision. Submissions stay sealed until the deadline.")),
    State("vision_review", _l("Vision review"),
          _l("Visions are opened; evaluators score them independently, then agree in consensus and "
             "choose the shortlist for the pitches.")),
    State("pitch", _l("Pitches"),
          _l("Shortlisted bureaus pitch their vision; the panel scores the pitches.")),
    State("selection", _l("Selection"),
          _l("Per lot the officer selects the co-creation partner(s), with a motivation per bureau.")),
    State("standstill", _l("Standstill"),
          _l("The award decision has been sent to every bureau; bureaus may object until the standstill ends.")),
    State("awarded", _l("Awarded"), _l("Contracts are in place; the programmes start."), final=True),
    State("cancelled", _l("Cancelled"), _l("The tender was withdrawn."), final=True),
    State("unsuccessful", _l("Unsuccessful"), _l("No valid vision arrived."), final=True),
)


def authorise(ctx: Context) -> Optional[str]:
    if ctx.actor.role == "system":
        return None
    if not is_buyer_officer(ctx.session, ctx.user, ctx.obj):
        return _("Only an officer of a buying organisation may do this.")
    return None


def keep_cancel_reason(ctx: Context) -> None:
    ctx.obj.cancel_reason = (ctx.reason or "").strip()


TRANSITIONS = (
    Transition("open_invitation", ("draft",), "invitation", _l("Send the invitations"), OFFICER,
               guards=READY_TO_INVITE, effects=(send_invitations,),
               help=_l("Criteria, weights and lots are frozen from this moment on; every bureau receives its "
                       "personal invitation link by e-mail.")),
    Transition("open_submission", ("invitation",), "vision_submission", _l("Open vision submission"),
               OFFICER_OR_SYSTEM, guards=QUESTIONS_SETTLED),
    Transition("close_submission", ("vision_submission",), "vision_review", _l("Close submission and open the visions"),
               OFFICER_OR_SYSTEM, guards=VISIONS_TO_OPEN, effects=(record_opening,),
               help=_l("The opening record lists every submission; from then on the panel can read the visions.")),
    Transition("declare_unsuccessful", ("vision_submission",), "unsuccessful", _l("Declare unsuccessful"),
               OFFICER_OR_SYSTEM, guards=DEADLINE_PASSED, reason_required=True, danger=True,
               effects=(record_opening,)),
    Transition("start_pitches", ("vision_review",), "pitch", _l("Start the pitches"), OFFICER,
               guards=VISION_DONE),
    Transition("start_selection", ("pitch",), "selection", _l("Start the selection"), OFFICER,
               guards=PITCH_DONE),
    Transition("send_decision", ("selection",), "standstill", _l("Send the award decision"), OFFICER,
               guards=SELECTION_COMPLETE, effects=(award.send_decision_effect,),
               help=_l("Every participating bureau receives its letter (e-mail with PDF) at the same moment; "
                       "the standstill period starts.")),
    Transition("reopen_selection", ("standstill",), "selection", _l("Return to selection (objection upheld)"),
               OFFICER, guards=CAN_REOPEN, reason_required=True, danger=True,
               effects=(award.reopen_selection_effect,),
               help=_l("The decision is withdrawn and the bureaus are told; a new decision restarts the standstill.")),
    Transition("award", ("standstill",), "awarded", _l("Award definitively"), OFFICER_OR_SYSTEM,
               guards=CAN_AWARD, effects=(award.award_effect,),
               help=_l("Creates a contract and a programme per awarded lot and bureau; everyone involved is told.")),
    Transition("cancel", BEFORE_AWARD, "cancelled", _l("Cancel the tender"), OFFICER,
               reason_required=True, danger=True, effects=(keep_cancel_reason, award.cancel_effect),
               help=_l("Every invited bureau is told, with your reason.")),
)

TENDER = Workflow(
    name="tender",
    object_type="tender",
    states=STATES,
    transitions=TRANSITIONS,
    initial="draft",
    layout={
        "draft": (0, 0), "invitation": (1, 0), "vision_submission": (2, 0), "vision_review": (3, 0),
        "pitch": (0, 1), "selection": (1, 1), "standstill": (2, 1), "awarded": (3, 1),
        "unsuccessful": (2, 2), "cancelled": (0, 2),
    },
    authorise=authorise,
    tender_id_of=lambda t: t.id,
)
