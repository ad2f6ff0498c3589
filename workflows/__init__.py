"""The state-machine engine and the workflow definitions it runs.

Each definition gets one engine (one `transitions.Machine`), built on first use and kept.
"""
from __future__ import annotations

from functools import cache

from workflows.core import Context, Guard, State, Transition, Workflow  # noqa: F401
from workflows.engine import Action, Engine, Refused  # noqa: F401


@cache
def tender_engine() -> Engine:
    from workflows.tender import TENDER
    return Engine(TENDER)


@cache
def programme_engine() -> Engine:
    from workflows.programme import PROGRAMME
    return Engine(PROGRAMME)
