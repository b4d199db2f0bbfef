"""Where a campaign can be and how it gets there: the one table of allowed moves.

Every change of state goes through `move`, so a listener, the console or a bug cannot put a
campaign where it may not go (a rejected campaign scheduled, a sent one approved again).
"""

from __future__ import annotations

from enum import StrEnum


class State(StrEnum):
    AWAITING_APPROVAL = "awaiting_approval"
    APPROVED = "approved"
    REJECTED = "rejected"
    SCHEDULED = "scheduled"
    SENDING = "sending"
    SENT = "sent"
    CANCELLED = "cancelled"
    #: stopped before sending, waiting for a person (the head count moved since approval)
    HELD = "held"


class Action(StrEnum):
    DRAFTED = "drafted"
    #: one approval; the campaign is approved when it has as many as the workspace requires
    APPROVED = "approved"
    CHANGES_REQUESTED = "changes_requested"
    REJECTED = "rejected"
    #: its segment, template version or subject changed
    CHANGED = "changed"
    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"
    STARTED = "started"
    FINISHED = "finished"
    HELD = "held"
    RELEASED = "released"
    #: a person asked for the recipients whose fate is unknown to be sent again
    RESENT = "resent"


A = State.AWAITING_APPROVAL
#: (state, action) -> the state it leads to. What is not here is refused.
MOVES: dict[tuple[State, Action], State] = {
    (A, Action.APPROVED): A,  # not yet enough approvals; `approve` moves on when there are
    (A, Action.CHANGES_REQUESTED): A,
    (A, Action.REJECTED): State.REJECTED,
    (A, Action.CHANGED): A,
    (A, Action.CANCELLED): State.CANCELLED,
    (State.APPROVED, Action.CHANGED): A,  # a change voids the approval
    (State.APPROVED, Action.SCHEDULED): State.SCHEDULED,
    (State.APPROVED, Action.CANCELLED): State.CANCELLED,
    (State.SCHEDULED, Action.CHANGED): A,
    (State.SCHEDULED, Action.SCHEDULED): State.SCHEDULED,  # rescheduled
    (State.SCHEDULED, Action.CANCELLED): State.CANCELLED,
    (State.SCHEDULED, Action.STARTED): State.SENDING,
    (State.SCHEDULED, Action.HELD): State.HELD,
    (State.HELD, Action.RELEASED): State.SENDING,
    (State.HELD, Action.CANCELLED): State.CANCELLED,
    (State.SENDING, Action.FINISHED): State.SENT,
    (State.SENDING, Action.CANCELLED): State.CANCELLED,  # the rest stays unsent
    (State.SENT, Action.RESENT): State.SENDING,
}

#: What each action is called in a refusal ("cannot approve a campaign that was rejected").
VERBS = {
    Action.APPROVED: "approve",
    Action.CHANGES_REQUESTED: "request changes to",
    Action.REJECTED: "reject",
    Action.CHANGED: "change",
    Action.SCHEDULED: "schedule",
    Action.CANCELLED: "cancel",
    Action.STARTED: "start sending",
    Action.FINISHED: "finish",
    Action.HELD: "hold",
    Action.RELEASED: "release",
    Action.RESENT: "send again to the unknown recipients of",
}
#: A state as the end of a sentence: "... a campaign that is awaiting approval".
SAID = {
    A: "is awaiting approval",
    State.APPROVED: "is approved",
    State.REJECTED: "was rejected",
    State.SCHEDULED: "is scheduled",
    State.SENDING: "is sending",
    State.SENT: "was sent",
    State.CANCELLED: "was cancelled",
    State.HELD: "is held",
}


class Refused(Exception):
    """A move the campaign cannot make, or a person who may not make it, in plain words."""

    def __init__(self, message: str, people: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.message = message
        #: who could do it instead (the approvers), for a reply that names them
        self.people = people

    def __str__(self) -> str:
        return self.message


def move(state: State, action: Action) -> State:
    """The state `action` leads to from `state`; Refused when the table has no such move."""
    try:
        return MOVES[state, action]
    except KeyError:
        raise Refused(f"cannot {VERBS.get(action, action.value)} a campaign that {SAID[state]}") from None


def may(state: State, action: Action) -> bool:
    return (state, action) in MOVES
