"""Notes ``cadence policy validate`` prints for a valid policy that holds a setting the engine
will not follow as written (the places it never calls are :func:`cadence._cli_rules.never_called`).
Part of the CLI edge."""

from __future__ import annotations

from cadence.policy import Policy

__all__ = ["overridden"]


def overridden(policy: Policy) -> list[str]:
    """A note for each setting another one overrides."""
    notes = []
    gap, offer_gap = policy.min_gap_business_days, policy.opt_out_gap_business_days
    if offer_gap < gap:  # R8's longer gap is never shorter than R3's (_agenda)
        notes.append(
            f"note: opt_out_gap_business_days {offer_gap} is shorter than "
            f"min_gap_business_days {gap}, so the gap after the opt-out offer (R8) is {gap} "
            f"business days, as between any two attempts (R3); give opt_out_gap_business_days "
            f"at least {gap}"
        )
    return notes
