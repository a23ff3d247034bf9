"""One email, not two: the R6 email after a voicemail and the ladder's written step (R7's
switch, R8's offer, R10's breakup by email) that start at the same moment are one action.

A rep does not send a prospect two emails in a minute. The plan and the next action join them
the same way: the ladder's step, with R6 among its rules, mentioning the voicemail. One
``email_sent`` performs both (``cadence._choosing.named``) once the ladder's step is due; one sent
before performs the R6 email alone, so that the ladder's gap holds.
"""

from __future__ import annotations

from collections.abc import Iterable

from cadence._agenda import Task
from cadence._placing import Spot
from cadence.actions import ActionKind
from cadence.channel import Channel

__all__ = ["one_email", "partner"]

_EMAIL = Channel.EMAIL
_WRITTEN = frozenset({ActionKind.EMAIL, ActionKind.OPT_OUT_OFFER, ActionKind.BREAKUP})
_VOICEMAIL_EMAIL = "voicemail_email"  # the R6 obligation's key


def _voicemail_email(task: Task) -> bool:
    """The R6 email owed after a voicemail."""
    return task.key == _VOICEMAIL_EMAIL


def _written_step(task: Task) -> bool:
    """A step of the ladder that goes out as an email (R7's switch, an email lead, the R8
    offer or the R10 breakup in writing)."""
    return task.ladder and task.channel is _EMAIL and task.kind in _WRITTEN


def partner(best: Spot, spots: Iterable[Spot]) -> Spot | None:
    """When ``best`` is the R6 email or the ladder's written step, the other one among
    ``spots`` if it starts with ``best``: the two are one email (:func:`one_email`)."""
    task = best.task
    if task.channel is not _EMAIL:
        return None
    if _voicemail_email(task):
        wanted = _written_step
    elif _written_step(task):
        wanted = _voicemail_email
    else:
        return None
    for spot in spots:
        if spot is not best and spot.start_utc == best.start_utc and wanted(spot.task):
            return spot
    return None


def one_email(best: Spot, other: Spot) -> Spot:
    """The one email that does the R6 email and the ladder's written step, ``best`` and its
    :func:`partner` ``other`` (either way round): the ladder's step, placed as it is (its
    window, whether it is overdue), with what it counts as and its subject, mentioning the
    voicemail."""
    step, r6 = (other, best) if _voicemail_email(best.task) else (best, other)
    return step._replace(task=_joined(step.task, r6.task))


def _joined(step: Task, r6: Task) -> Task:
    """The ladder's written ``step`` that also does the R6 email ``r6`` (:func:`one_email`):
    it performs the obligation (``key``) and counts as the ladder's attempt (``ladder``)."""
    return step._replace(
        priority=min(step.priority, r6.priority),
        rules=(*step.rules, *(r for r in r6.rules if r not in step.rules)),
        reason=f"{step.reason}; one email that also follows up the voicemail of {r6.detail}",
        flags=(*step.flags, *(f for f in r6.flags if f not in step.flags)),
        detail=r6.detail,
        key=r6.key,
    )
