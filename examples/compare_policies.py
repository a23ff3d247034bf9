"""A sales leader's question, run instead of argued: offer the opt-out after 3 unanswered
attempts, or after 5?

Both policies see the same synthetic population with the same luck (common random numbers), the
real engine decides every touch, and every difference comes with a paired bootstrap interval.
The comparison is drawn to a PNG (the ``plot`` extra); the docs show the one this script wrote.

Run: ``python examples/compare_policies.py [OUT.png]`` (default ``compare.png``).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import cadence
from cadence.simulation import Responder, compare

#: Metrics a sales leader reads first, with the direction that is better.
READ_FIRST = ("connect_rate", "meetings_booked", "touches_per_connect", "opt_out_rate")


def main(out: str | Path = "compare.png", *, prospects: int = 1500, days: int = 120) -> Any:
    early = cadence.Policy(opt_out_offer_after=3)  # the seeds' default (R8)
    late = cadence.Policy(opt_out_offer_after=5)
    # Prospects who take the offer when it comes: the thing the two policies disagree about.
    responder = Responder.typical().model_copy(update={"opt_out_rate": 0.25})
    comparison = compare(
        early,
        late,
        prospects=prospects,
        days=days,
        seed=2026,
        responder=responder,
        n_boot=400,
    )
    comparison.plot(Path(out))
    return comparison


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("compare.png")
    c = main(target)
    print("opt-out offered after 3 (a) vs after 5 (b), 1,500 prospects, 120 days:")
    for name in READ_FIRST:
        i = c.intervals[name]
        if i.difference is None or i.low is None or i.high is None:
            print(f"  {name:<22} not defined for one of the runs")
            continue
        mark = "" if i.contains_zero else "  (the interval excludes 0)"
        print(
            f"  {name:<22} a={i.a:<9.4g} b={i.b:<9.4g} b-a={i.difference:+.4f} "
            f"[{i.low:+.4f}, {i.high:+.4f}]{mark}"
        )
    print(f"plot: {target}")
