"""The columnar planner against its oracle, plan_day, on books wider than the other properties
draw: places of every kind in one book, states moved on by time (dropped, dripping) and far
from the planned day, meetings their out-of-office covered, agreed contacts, reps' hours,
suppression lists and capacity per (rep, channel), under policies of every kind."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from hypothesis import event, given, note, settings
from hypothesis import strategies as st

import cadence
from cadence import events as ev
from cadence.batch import from_table, plan_day, plan_table, to_table
from cadence.calendar import resolve_local
from cadence.errors import CadenceError, InvalidInputError, NoSlotError
from cadence.policy import TimeSlot
from cadence.testing import REGIONS, History, Region, histories, policies, regions, transitions_of
from tests.conftest import UNUSUAL_PLACES, bound_by_law
from tests.test_batch_table import _REP_HOURS, _same_plan

_PLACES = tuple(REGIONS) + tuple(r for r in UNUSUAL_PLACES if bound_by_law(r) is False)

#: How far the plan is made after one prospect's newest event: hours, weeks or years.
_LATER = st.one_of(
    st.integers(0, 48 * 60).map(lambda m: timedelta(minutes=m)),
    st.integers(0, 90).map(lambda d: timedelta(days=d)),
    st.integers(0, 1500).map(lambda d: timedelta(days=d)),
)


@st.composite
def _wide_books(draw: st.DrawFn) -> tuple[list[cadence.Prospect], cadence.Policy]:
    policy = draw(policies())
    engine = cadence.Engine(policy)
    found: list[History] = draw(
        st.lists(
            histories(policies=st.just(policy), places=regions(_PLACES), max_events=10),
            min_size=1,
            max_size=7,
        )
    )
    book = []
    for i, h in enumerate(found):
        p = h.final
        moved = draw(st.none() | _LATER)
        if moved is not None:  # stored as time moved it on (dropped, dripping, back from a pause)
            p = engine.advance(p, p.last_event_at + moved)
        book.append(
            p.model_copy(
                update={
                    "id": f"p{i:02d}",
                    "owner": draw(st.sampled_from(["ana", "bo", ""])) or None,
                    "phone": f"+1555{i % 4}",
                    "email": f"p{i}@example.com",
                }
            )
        )
    return book, policy


def _book_on_the_day(
    engine: cadence.Engine,
    book: list[cadence.Prospect],
    day: Any,
    meetings: list[tuple[int, int, int, int, int | None]],
) -> list[cadence.Prospect]:
    """``meetings`` booked on or around ``day``; some then covered by an out-of-office."""
    book = list(book)
    for n, (which, minutes, duration, days, away) in enumerate(meetings):
        i = which % len(book)
        p = book[i]
        zone = engine.calendar(p).zone
        starts = resolve_local(day + timedelta(days=days), time(0), zone)
        starts += timedelta(minutes=minutes)
        try:
            p = engine.apply(
                p,
                ev.MeetingBooked(
                    at=p.last_event_at,
                    meeting_id=f"m{n}",
                    starts_at=max(starts, p.last_event_at + timedelta(minutes=1)),
                    duration_minutes=duration,
                ),
            )
            if away is not None:  # R17: they will be away, from before the meeting
                at = p.last_event_at + timedelta(minutes=1)
                until = max(starts + timedelta(minutes=away), at + timedelta(minutes=1))
                p = engine.apply(p, ev.OutOfOffice(at=at, until=until))
        except InvalidInputError:
            event("an event the engine refused")
        book[i] = p
    return book


#: Meetings to book: (which prospect, minutes after local midnight, duration, day after the
#: planned one, and minutes after the meeting's start an out-of-office then given ends).
_DAY_MEETINGS = st.lists(
    st.tuples(
        st.integers(0, 100),
        st.integers(-120, 26 * 60),
        st.sampled_from([15, 30, 90]),
        st.sampled_from([0, 0, -1, 1]),
        st.none() | st.integers(-60, 3 * 24 * 60),
    ),
    max_size=4,
)


def _outcome(planner: Any, *args: Any, **kw: Any) -> Any:
    try:
        return planner(*args, **kw)
    except CadenceError as exc:
        return (type(exc).__name__, str(exc))


@given(
    data=_wide_books(),
    meetings=_DAY_MEETINGS,
    which=st.integers(0, 100),
    later=_LATER,
    day_shift=st.integers(-1, 3),
    capacity=st.one_of(
        st.integers(0, 3),
        st.fixed_dictionaries(
            {},
            optional={
                "ana": st.integers(0, 2),
                ("bo", "email"): st.integers(0, 2),
                ("ana", "phone"): st.integers(0, 2),
                "phone": st.integers(0, 2),
                "": st.integers(0, 2),
            },
        ),
    ),
    hours=st.none() | _REP_HOURS,
    suppress=st.sets(st.sampled_from(["p00", "p03", "+15551", "p2@example.com"]), max_size=2),
    indexed=st.booleans(),
    near_change=st.none() | st.integers(-30 * 60, 30 * 60),
    before_pause=st.none() | st.integers(0, 36 * 60),
)
def test_plan_table_equals_plan_day_on_wide_books(
    data: tuple[list[cadence.Prospect], cadence.Policy],
    meetings: list[tuple[int, int, int, int, int | None]],
    which: int,
    later: timedelta,
    day_shift: int,
    capacity: Any,
    hours: Any,
    suppress: set[str],
    indexed: bool,
    near_change: int | None,
    before_pause: int | None,
) -> None:
    """plan_table (indexed or not) gives plan_day's plan, or refuses the book as it does, for
    a book of every kind planned hours, months or years after one prospect's newest event,
    on the day its clocks change or minutes before its pause ends."""
    book, policy = data
    engine = cadence.Engine(policy)
    base = book[which % len(book)]
    now = base.last_event_at + later
    if near_change is not None:  # the day a prospect's clocks change, either way
        changes = [t for t in transitions_of(base.timezone) if t > base.last_event_at]
        if changes:
            now = changes[which % len(changes)] + timedelta(minutes=near_change)
            now = max(now, base.last_event_at)
    paused = [p for p in book if p.paused_until is not None and p.paused_until > p.last_event_at]
    if before_pause is not None and paused:  # minutes before a pause (R17) ends
        base = paused[which % len(paused)]
        assert base.paused_until is not None
        now = max(base.last_event_at, base.paused_until - timedelta(minutes=before_pause))
    day = (now.astimezone(engine.calendar(base).zone) + timedelta(days=day_shift)).date()
    book = _book_on_the_day(engine, book, day, meetings)
    if now >= datetime.combine(day + timedelta(days=1), time(12), UTC):
        return
    note(f"now={now.isoformat()} day={day}")
    args: dict[str, Any] = {
        "day": day,
        "now": now,
        "capacity": capacity,
        "suppressions": suppress,
        "rep_hours": hours,
    }
    expected = _outcome(plan_day, engine, book, **args)
    table = to_table(book, engine if indexed else None)
    got = _outcome(plan_table, engine, table, **args)
    if isinstance(expected, tuple) or isinstance(got, tuple):
        event("refused")
        assert expected == got
        return
    event(f"touches: {min(len(expected.touches), 3)}, deferred: {min(len(expected.deferred), 2)}")
    event(f"sources={ {k: bool(v) for k, v in got.sources.items()} }")
    _same_plan(expected, got)


@settings(max_examples=6)  # (Dask is slow: the one-process planners are drawn more)
@given(
    data=_wide_books(),
    meetings=_DAY_MEETINGS,
    suppress=st.sets(st.sampled_from(["p00", "+15551"]), max_size=1),
    which=st.integers(0, 100),
    later=_LATER,
    day_shift=st.integers(-1, 2),
    capacity=st.integers(0, 3) | st.just({"ana": 1, ("bo", "email"): 2, "phone": 1}),
    hours=st.none() | _REP_HOURS,
    npartitions=st.integers(2, 4),
)
def test_plan_frame_equals_plan_table_on_wide_books_in_several_partitions(
    data: tuple[list[cadence.Prospect], cadence.Policy],
    meetings: list[tuple[int, int, int, int, int | None]],
    suppress: set[str],
    which: int,
    later: timedelta,
    day_shift: int,
    capacity: Any,
    hours: Any,
    npartitions: int,
) -> None:
    dask = pytest.importorskip("dask")
    cadence_dask = pytest.importorskip("cadence.dask")
    book, policy = data
    engine = cadence.Engine(policy)
    base = book[which % len(book)]
    now = base.last_event_at + later
    day = (now.astimezone(engine.calendar(base).zone) + timedelta(days=day_shift)).date()
    if now >= datetime.combine(day + timedelta(days=1), time(12), UTC):
        return
    book = _book_on_the_day(engine, book, day, meetings)
    table = to_table(book, engine)
    args: dict[str, Any] = {
        "day": day,
        "now": now,
        "capacity": capacity,
        "rep_hours": hours,
        "suppressions": suppress,
    }
    expected = _outcome(plan_table, engine, table, **args)
    frame = cadence_dask.from_table(table, npartitions=npartitions)
    with dask.config.set(scheduler="sync"):
        got = _outcome(cadence_dask.plan_frame, engine, frame, **args)
    if isinstance(expected, tuple) or isinstance(got, tuple):
        assert expected == got
        return
    assert got.touches.equals(expected.touches)
    assert got.deferred.equals(expected.deferred)
    assert got.counts == expected.counts


def test_a_suppressed_row_whose_zone_is_not_of_its_country_is_skipped_as_by_plan_day() -> None:
    """R13: a suppressed row is never planned, so its place is never read: a re-imported
    opted-out contact stored with the CRM's default zone ``UTC`` did not stop ``plan_day``,
    but ``plan_table`` (and ``plan_frame``) refused the whole book for it."""
    engine = cadence.Engine()
    now = datetime(2026, 3, 9, 18, tzinfo=UTC)
    good = engine.enroll("fl", timezone="America/New_York", at=now, country="US", subdivision="FL")
    stored = cadence.Prospect.model_validate_json(
        good.model_dump_json().replace('"America/New_York"', '"UTC"').replace('"fl"', '"bad"')
    )
    args: dict[str, Any] = {"day": date(2026, 3, 10), "now": now, "capacity": 3}
    expected = plan_day(engine, [good, stored], **args, suppressions={"bad"})
    assert expected.counts == {"suppressed": 1, "not_due": 0, "planned": 1, "deferred": 0}
    _same_plan(expected, plan_table(engine, to_table([good, stored]), **args, suppressions={"bad"}))
    with pytest.raises(InvalidInputError, match=r"^timezone: 'UTC' .* US-FL"):
        plan_table(engine, to_table([good, stored]), **args)  # not suppressed: refused


def test_a_book_with_an_id_twice_is_refused_as_such_whatever_else_is_wrong_in_it() -> None:
    """Every planner names the duplicated id first (plan_table checks a table's ids before
    anything else): plan_day raised the NoSlotError of a prospect its policy can never call
    met before the copy, and plan_frame that of the partition that held it."""
    engine = cadence.Engine(
        cadence.Policy(call_slots=(TimeSlot(name="early", start=time(7), end=time(9)),))
    )
    now = datetime(2026, 3, 9, 23, tzinfo=UTC)
    ny = engine.enroll("p00", timezone="America/New_York", at=now, country="US", owner="ana")
    paris = engine.enroll("p01", timezone="Europe/Paris", at=now, country="FR", owner="bo")
    args: dict[str, Any] = {"day": date(2026, 3, 10), "now": now, "capacity": 3}
    said = r"^id: 'p00' is in the book twice"
    copy = ny.model_copy(update={"owner": "cy"})  # (an export row under another owner)
    with pytest.raises(InvalidInputError, match=said):
        plan_day(engine, [ny, paris, copy], **args)
    table = to_table([ny, paris, copy])
    with pytest.raises(InvalidInputError, match=said):
        plan_table(engine, table, **args)
    with pytest.raises(NoSlotError, match=r"^prospect 'p01': no allowed phone window"):
        plan_day(engine, [ny, paris], **args)  # (without the copy: the place is named)
    dask = pytest.importorskip("dask")
    cadence_dask = pytest.importorskip("cadence.dask")
    with dask.config.set(scheduler="sync"):
        for n in (1, 3):
            frame = cadence_dask.from_table(table, npartitions=n)
            with pytest.raises(InvalidInputError, match=said):
                cadence_dask.plan_frame(engine, frame, **args)


_CAPPED = (
    Region("America/New_York", "US", "FL"),
    Region("America/Chicago", "US", "OK"),
    Region("America/New_York", "US", "MD"),
    Region("Europe/Paris", "FR"),
    Region("America/Chicago", "US", "IL"),
)


@st.composite
def _called_often(draw: st.DrawFn) -> tuple[list[cadence.Prospect], cadence.Policy, datetime]:
    """Prospects under elapsed-time caps (FL, OK, MD: 3 calls in 24 hours; France: 4 in 30
    days; a team's rule in IL) called several times in a day or two, some calls agreed (R1)."""
    policy = draw(policies())
    engine = cadence.Engine(policy)
    start = draw(st.datetimes(datetime(2026, 1, 1), datetime(2026, 12, 1), timezones=st.just(UTC)))
    book = []
    for i in range(draw(st.integers(1, 6))):
        region = draw(st.sampled_from(_CAPPED))
        p = engine.enroll(
            f"p{i:02d}",
            timezone=region.timezone,
            at=start,
            country=region.country,
            subdivision=region.subdivision,
            owner=draw(st.sampled_from(["ana", "bo"])),
        )
        at = start
        for _ in range(draw(st.integers(0, 5))):
            at += timedelta(minutes=draw(st.integers(1, 16 * 60)))
            outcome = draw(st.sampled_from(["voicemail", "no_answer", "connected", "gatekeeper"]))
            agreed = None
            if outcome == "connected" and draw(st.booleans()):
                agreed = at + timedelta(minutes=draw(st.integers(1, 3 * 24 * 60)))
            try:
                p = engine.apply(
                    p, ev.CallAttempted(at=at, outcome=outcome, next_contact_at=agreed)
                )
            except InvalidInputError:
                event("a call the engine refused")
        book.append(p)
    now = start + timedelta(minutes=draw(st.integers(0, 4 * 24 * 60)))
    return book, policy, now


@given(
    data=_called_often(),
    day_shift=st.integers(0, 2),
    capacity=st.integers(1, 4),
    indexed=st.booleans(),
)
def test_plan_table_equals_plan_day_under_elapsed_time_caps(
    data: tuple[list[cadence.Prospect], cadence.Policy, datetime],
    day_shift: int,
    capacity: int,
    indexed: bool,
) -> None:
    book, policy, now = data
    engine = cadence.Engine(policy)
    now = max(now, *(p.last_event_at for p in book))
    day = (now.astimezone(engine.calendar(book[0]).zone) + timedelta(days=day_shift)).date()
    args: dict[str, Any] = {"day": day, "now": now, "capacity": capacity}
    expected = _outcome(plan_day, engine, book, **args)
    got = _outcome(plan_table, engine, to_table(book, engine if indexed else None), **args)
    if isinstance(expected, tuple) or isinstance(got, tuple):
        assert expected == got
        return
    event(f"sources={ {k: bool(v) for k, v in got.sources.items()} }")
    _same_plan(expected, got)


@given(data=_wide_books(), meetings=_DAY_MEETINGS)
def test_to_table_is_lossless_for_states_of_every_kind(
    data: tuple[list[cadence.Prospect], cadence.Policy],
    meetings: list[tuple[int, int, int, int, int | None]],
) -> None:
    """Moved on by time (dropped, dripping, back from a pause), with meetings booked, held
    or covered by an out-of-office: ``from_table`` gives back every state, indexed or not."""
    book, policy = data
    engine = cadence.Engine(policy)
    day = max(p.last_event_at for p in book).date()
    book = _book_on_the_day(engine, book, day, meetings)
    assert from_table(to_table(book)) == book
    assert from_table(to_table(book, engine)) == book


def test_a_book_refused_twice_over_is_refused_for_the_same_reason_by_every_planner() -> None:
    """A rep named ``phone`` under a capacity keyed ``phone`` (which cannot be read) and a
    prospect the policy can never call: plan_table reads every row's action before the
    capacities, so names the prospect; plan_day named the capacity (its rep came first)."""
    engine = cadence.Engine(
        cadence.Policy(call_slots=(TimeSlot(name="early", start=time(7), end=time(9)),))
    )
    now = datetime(2026, 3, 9, 23, tzinfo=UTC)
    rep = engine.enroll("p00", timezone="America/New_York", at=now, country="US", owner="phone")
    paris = engine.enroll("p01", timezone="Europe/Paris", at=now, country="FR", owner="bo")
    args: dict[str, Any] = {"day": date(2026, 3, 10), "now": now, "capacity": {"phone": 2}}
    said = r"^prospect 'p01': no allowed phone window"
    with pytest.raises(NoSlotError, match=said):
        plan_table(engine, to_table([rep, paris]), **args)
    with pytest.raises(NoSlotError, match=said):
        plan_day(engine, [rep, paris], **args)
    with pytest.raises(InvalidInputError, match=r"^capacity: key 'phone' names both"):
        plan_day(engine, [rep], **args)  # (alone, the capacity is named)
