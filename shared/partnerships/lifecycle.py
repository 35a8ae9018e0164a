"""The partnership's status machine (seed: partnerships.status), pure.

    suggested → contacted → in_discussion → active     the way forward, one step at a time
    suggested | contacted | in_discussion → rejected   a "no" at any open step; rejected is final
    suggested | contacted | in_discussion | active → paused
    paused → the status it was paused from, or rejected

Skipping steps (suggested → active) is refused: `contacted_at` and the history would lie. An active
partnership is not "rejected": it is paused (and can resume), so its outcomes stay attached.
"""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    SUGGESTED = "suggested"
    CONTACTED = "contacted"
    IN_DISCUSSION = "in_discussion"
    ACTIVE = "active"
    REJECTED = "rejected"
    PAUSED = "paused"


OPEN = (Status.SUGGESTED, Status.CONTACTED, Status.IN_DISCUSSION)
FORWARD = {
    Status.SUGGESTED: Status.CONTACTED,
    Status.CONTACTED: Status.IN_DISCUSSION,
    Status.IN_DISCUSSION: Status.ACTIVE,
}


def allowed_moves(current: Status, paused_from: Status | None = None) -> list[Status]:
    """Where `current` may go; a paused partnership goes back to `paused_from` or is rejected."""
    if current == Status.PAUSED:
        return [s for s in (paused_from, Status.REJECTED) if s is not None]
    if current == Status.REJECTED:
        return []
    moves = [FORWARD[current]] if current in FORWARD else []
    if current in OPEN:
        moves.append(Status.REJECTED)
    moves.append(Status.PAUSED)
    return moves


def can_move(current: Status, target: Status, paused_from: Status | None = None) -> bool:
    return target in allowed_moves(current, paused_from)
