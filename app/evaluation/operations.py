"""Changes made by the evaluation panel and its chair, gathered from the modules that hold them:
conflicts of interest (`conflicts`), independent scoring (`scoring`), consensus (`consensus`), the
shortlist (`shortlist`) and the pitch slots (`pitch_slots`); the checks they share are in `rules`.

This module only re-exports them, so callers (views, tests, the demo data) keep one import.
"""
from app.evaluation.conflicts import declare_conflicts, excuse_member
from app.evaluation.consensus import CriterionStats, criterion_stats, record_consensus, stats_for, submitted_scores
from app.evaluation.pitch_slots import add_slot, book_slot, publish_slots, remove_slot
from app.evaluation.rules import stage_label
from app.evaluation.scoring import fingerprint, reopen_sheet, save_sheet, set_due
from app.evaluation.shortlist import decide_shortlist, withdraw_from_pitch

__all__ = [
    "CriterionStats", "add_slot", "book_slot", "criterion_stats", "decide_shortlist", "declare_conflicts",
    "excuse_member", "fingerprint", "publish_slots", "record_consensus", "remove_slot", "reopen_sheet",
    "save_sheet", "set_due", "stage_label", "stats_for", "submitted_scores", "withdraw_from_pitch",
]
