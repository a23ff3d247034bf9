"""Notes ``cadence policy validate`` prints for a valid policy that holds a setting the engine
will not follow as written, or one that leaves a rule no way to apply (the places it never calls
are :func:`cadence._cli_rules.never_called`). Part of the CLI edge."""

from __future__ import annotations

from cadence.policy import Policy

__all__ = ["overridden"]


def overridden(policy: Policy) -> list[str]:
    """A note for each setting another one overrides or makes pointless."""
    notes = []
    gap, offer_gap = policy.min_gap_business_days, policy.opt_out_gap_business_days
    if offer_gap < gap:  # R8's longer gap is never shorter than R3's (_agenda)
        notes.append(
            f"note: opt_out_gap_business_days {offer_gap} is shorter than "
            f"min_gap_business_days {gap}, so the gap after the opt-out offer (R8) is {gap} "
            f"business days, as between any two attempts (R3); give opt_out_gap_business_days "
            f"at least {gap}"
        )
    switch, offer = policy.switch_channel_after, policy.opt_out_offer_after
    if switch >= offer:  # the ladder reaches R8 before R7's count (_ladder, _agenda)
        notes.append(
            f"note: switch_channel_after {switch} is not below opt_out_offer_after {offer}, so "
            f"the opt-out offer (R8) comes after {offer} unanswered attempts, before any switch: "
            "no attempt goes by email because calls went unanswered (R7); give "
            "switch_channel_after less than opt_out_offer_after"
        )
    working = policy.weekmask.count("1")  # (holidays aside) a business day is 7/working days
    drip = policy.drip_interval_days
    if drip * working < gap * 7:  # R11's slow drip faster than R3's ladder
        span = -(-gap * 7 // working)
        notes.append(
            f"note: drip_interval_days {drip} is shorter than the {gap} business days between "
            f"unanswered attempts (min_gap_business_days, about {span} days), so the drip (R11) "
            "touches a dropped prospect more often than the ladder tried them (R3); give "
            f"drip_interval_days at least {span}"
        )
    return notes
