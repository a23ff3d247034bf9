"""Policy simulation: synthetic populations through the real engine (DESIGN §1, user 2).

"Is a 4-business-day gap better than 2?" Run the question: :func:`simulate` sends a synthetic
population (mixed zones and countries) through :class:`cadence.Engine` on a simulated clock,
carrying out every action at the time the engine asks for, while a :class:`Responder` decides
what comes of it (R18: most calls reach voicemail). :func:`compare` runs two policies on the same
prospects with the same luck and puts bootstrap intervals on every metric's difference.

>>> import cadence
>>> from cadence.simulation import Responder, simulate
>>> result = simulate(cadence.Policy(), prospects=50, days=60, seed=7,
...                   responder=Responder(answer_rate=0.3))
>>> result.metrics.violations
0
>>> 0 < result.metrics.connect_rate < 1
True

Everything here is pure and deterministic: the same arguments give the same result in every
process, with any number of ``workers``. Plots (``result.plot(path)``) need the ``plot``
extra; :func:`compare` needs numpy (the ``simulation`` extra).
"""

from cadence.simulation._compare import Comparison, Interval, compare
from cadence.simulation._life import Record
from cadence.simulation._population import PLACES, Place
from cadence.simulation._responder import Responder
from cadence.simulation._result import METRICS, Metrics, Series, SimulationResult
from cadence.simulation._simulate import DEFAULT_START, simulate

__all__ = [
    "DEFAULT_START",
    "METRICS",
    "PLACES",
    "Comparison",
    "Interval",
    "Metrics",
    "Place",
    "Record",
    "Responder",
    "Series",
    "SimulationResult",
    "compare",
    "simulate",
]
