"""cadence: decide, for each sales prospect, what to do next and when.

A pure, sans-I/O engine: the host feeds it events and the current time; it returns the next action
with its due window in the prospect's local time, the rules that produced it and what to say.

>>> import cadence
>>> cadence.Policy().min_gap_business_days
4
"""

from cadence import events
from cadence.actions import Action, ActionKind, Priority
from cadence.channel import Channel
from cadence.engine import Engine
from cadence.errors import (
    CadenceError,
    ConflictingEventError,
    IllegalTransitionError,
    InvalidInputError,
    LateEventError,
    NoSlotError,
    SchemaVersionError,
)
from cadence.events import Event, parse_event
from cadence.lifecycle import Stage
from cadence.policy import Policy, Templates, TimeSlot, WeekdayHours
from cadence.prospect import Prospect
from cadence.simulation import simulate

__version__ = "0.1.0"

__all__ = [
    "Action",
    "ActionKind",
    "CadenceError",
    "Channel",
    "ConflictingEventError",
    "Engine",
    "Event",
    "IllegalTransitionError",
    "InvalidInputError",
    "LateEventError",
    "NoSlotError",
    "Policy",
    "Priority",
    "Prospect",
    "SchemaVersionError",
    "Stage",
    "Templates",
    "TimeSlot",
    "WeekdayHours",
    "__version__",
    "events",
    "parse_event",
    "simulate",
]
