"""Counter-based random numbers: every draw is a pure function of (seed, prospect, purpose, n).

Common random numbers need more than a seeded generator: the same prospect must see the same
luck under two policies even when the policies ask for different numbers of draws, and a run
split into chunks (or processes) must give exactly the serial result. So each draw is a hash of
the seed, the prospect's index in the population, what the draw is for (its *purpose*: answering
a call, replying to an email, ...) and how many draws of that purpose the prospect has had
before. The third call to a prospect is answered or not whatever happened on the email stream in
between, and whichever process simulates that prospect.

The hash is SplitMix64's finaliser (Steele, Lea and Flood, 2014), the mixer behind Java's
``SplittableRandom``; it needs only integer arithmetic, so draws are identical on every platform
and in every process.

>>> a, b = Luck(7, 3), Luck(7, 3)
>>> a.draw(ANSWER) == b.draw(ANSWER)
True
>>> _ = a.draw(REPLY)  # another purpose does not shift the answer stream
>>> a.draw(ANSWER) == b.draw(ANSWER)
True
"""

from __future__ import annotations

__all__ = [
    "ANSWER",
    "BOOK",
    "BREAKUP",
    "CALLBACK",
    "COMMIT",
    "DATA",
    "DELAY",
    "DETAILS",
    "DO_NOT_CALL",
    "ENROL",
    "MEETING",
    "OPT_OUT",
    "OUT_OF_OFFICE",
    "PERMISSION",
    "PREFERENCE",
    "REGION",
    "REPLY",
    "REP_CANCEL",
    "UNSUBSCRIBE",
    "WIN",
    "Luck",
]

# Purposes: one independent stream each.
REGION, ENROL, ANSWER, CALLBACK, REPLY, OPT_OUT, BREAKUP, BOOK = range(8)
MEETING, OUT_OF_OFFICE, PERMISSION, COMMIT, PREFERENCE, WIN, DELAY = range(8, 15)
# (Added last: the streams before keep their keys.)
DATA, DETAILS, UNSUBSCRIBE, DO_NOT_CALL, REP_CANCEL = range(15, 20)
_PURPOSES = 20

_MASK = (1 << 64) - 1
_GOLDEN = 0x9E3779B97F4A7C15
_UNIT = 2.0**-53


def _mix(x: int) -> int:
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _MASK
    return x ^ (x >> 31)


class Luck:
    """The draws of one prospect of one simulation (see the module docstring).

    A simulation makes a few draws per engine step, so the hot path is written out: the n-th
    draw of a purpose hashes ``key + n * golden``, and the stream keeps that sum (``_next``)
    and adds the golden ratio after each draw instead of multiplying, with ``_mix`` inlined.
    The numbers are exactly those of ``_mix((key + n * golden) & mask)``.
    """

    __slots__ = ("_next",)

    def __init__(self, seed: int, index: int) -> None:
        base = _mix((_mix(seed & _MASK) + (index + 1) * _GOLDEN) & _MASK)
        # Purpose p's key is _mix(base + (p + 1) * golden), written out as in draw().
        keys = []
        for _ in range(_PURPOSES):
            base = (base + _GOLDEN) & _MASK
            x = ((base ^ (base >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
            x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _MASK
            keys.append(x ^ (x >> 31))
        self._next = keys

    def draw(self, purpose: int) -> float:
        """The next uniform number in ``[0, 1)`` of ``purpose``'s stream."""
        nxt = self._next
        x = nxt[purpose]
        nxt[purpose] = (x + _GOLDEN) & _MASK
        x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
        x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _MASK
        return ((x ^ (x >> 31)) >> 11) * _UNIT

    def chance(self, purpose: int, probability: float) -> bool:
        """Whether the next draw of ``purpose`` falls under ``probability``. A draw is used
        whatever the probability, so that the n-th opportunity of a kind sees the same number
        under every policy and responder effect."""
        nxt = self._next
        x = nxt[purpose]
        nxt[purpose] = (x + _GOLDEN) & _MASK
        x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
        x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _MASK
        return ((x ^ (x >> 31)) >> 11) * _UNIT < probability

    def below(self, purpose: int, n: int) -> int:
        """A uniform integer in ``[0, n)`` from ``purpose``'s stream."""
        return int(self.draw(purpose) * n)
