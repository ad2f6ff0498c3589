"""Workflow definitions as data.

A definition lists its states and transitions; a transition names the roles that may fire it,
the guards that must hold (each answers with a human-readable refusal reason), whether a
written reason is required, and the effects that run inside the same transaction.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Optional


@dataclass
class Context:
    """Everything a guard or effect may look at while one action is considered or fired."""

    session: Any
    obj: Any
    actor: Any  # app.audit.Actor
    user: Any = None  # the logged-in User, or None for the system
    reason: Optional[str] = None
    data: dict = field(default_factory=dict)
    # Facts computed once per context and shared by several guards (counts, loaded rows).
    cache: dict = field(default_factory=dict)

    def memo(self, key: str, compute: Callable[[], Any]) -> Any:
        if key not in self.cache:
            self.cache[key] = compute()
        return self.cache[key]


GuardCheck = Callable[[Context], Optional[str]]
Effect = Callable[[Context], None]


@dataclass(frozen=True)
class Guard:
    """A rule that must hold. `check` returns None when it holds, else the reason it does not."""

    name: str
    check: GuardCheck


@dataclass(frozen=True)
class State:
    name: str
    label: Any  # lazy string
    summary: Any = ""  # what happens in this stage
    final: bool = False
    on_enter: tuple[Effect, ...] = ()


@dataclass(frozen=True)
class Transition:
    event: str
    sources: tuple[str, ...]
    dest: str
    label: Any
    roles: frozenset[str]
    guards: tuple[Guard, ...] = ()
    reason_required: bool = False
    effects: tuple[Effect, ...] = ()
    danger: bool = False  # rendered as a destructive action (cancel, end)
    help: Any = ""


@dataclass(frozen=True)
class Workflow:
    name: str
    states: tuple[State, ...]
    transitions: tuple[Transition, ...]
    initial: str
    # Where each state sits in the diagram: (column, row).
    layout: dict[str, tuple[int, int]] = field(default_factory=dict)
    # Object-level permission: None when the user may act on this object, else the reason.
    authorise: Callable[[Context], Optional[str]] = lambda ctx: None
    # Which audit chain an object's events go to.
    tender_id_of: Callable[[Any], int] = lambda obj: obj.id
    object_type: str = ""

    def state(self, name: str) -> State:
        for s in self.states:
            if s.name == name:
                return s
        raise KeyError(name)

    def transitions_from(self, state: str) -> list[Transition]:
        return [t for t in self.transitions if state in t.sources]

    def transition(self, event: str, state: str) -> Optional[Transition]:
        for t in self.transitions:
            if t.event == event and state in t.sources:
                return t
        return None

    def has_event(self, event: str) -> bool:
        return any(t.event == event for t in self.transitions)
