"""cadence.dask: a Dask DataFrame planned partition by partition gives the one-process plan."""

from __future__ import annotations

import os
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

import cadence
from cadence import events as ev
from cadence._table_verify import Verify
from cadence.batch import plan_table, to_table
from tests.conftest import (
    CHICAGO,
    NOT_SUPPRESSED,
    SUPPRESSED,
    WRITTEN_OTHERWISE,
    in_chicago,
    stale_copies,
)

dask = pytest.importorskip("dask")
distributed = pytest.importorskip("distributed")
pa = pytest.importorskip("pyarrow")
cadence_dask = pytest.importorskip("cadence.dask")

DAY = date(2026, 3, 10)
NOW = datetime(2026, 3, 9, 18, 0, tzinfo=CHICAGO)
ZONES = (("America/Chicago", "US", "IL"), ("America/New_York", "US", "FL"), ("Europe/Paris", "FR"))


def _plans_as_one_process(
    engine: cadence.Engine,
    table: Any,
    expected: Any,
    partitions: tuple[int, ...],
    *,
    capacity: int,
) -> None:
    """``plan_frame`` on ``table`` split into each of ``partitions`` gives ``expected``, the
    plan ``plan_table`` made of it in one process (touches, deferred rows and counts)."""
    for n in partitions:
        frame = cadence_dask.from_table(table, npartitions=n)
        got = cadence_dask.plan_frame(engine, frame, day=DAY, now=NOW, capacity=capacity)
        assert got.touches.equals(expected.touches)
        assert got.deferred.equals(expected.deferred)
        assert got.counts == expected.counts


def _book(engine: cadence.Engine, n: int) -> list[cadence.Prospect]:
    book = []
    for i in range(n):
        tz, country, *sub = ZONES[i % 3]
        p = engine.enroll(
            f"p{i:03d}",
            timezone=tz,
            at=NOW - timedelta(days=i % 11, hours=i % 7),
            country=country,
            subdivision=sub[0] if sub else None,
            owner=f"rep{i % 7}" if i % 13 else None,
            phone=f"+1555{i:04d}",
        )
        if i % 3 == 1:
            p = engine.apply(p, ev.CallAttempted(at=p.enrolled_at, outcome="voicemail"))
        if i % 5 == 2:
            p = engine.apply(p, ev.EmailSent(at=p.last_event_at + timedelta(minutes=5)))
        if i % 9 == 4:  # a meeting on Thursday 12 March, local time: it blocks the rep's time
            starts = datetime(2026, 3, 12, 9 + i % 4, 15 * (i % 3), tzinfo=ZoneInfo(tz))
            booked = ev.MeetingBooked(at=p.last_event_at, meeting_id=f"m{i}", starts_at=starts)
            p = engine.apply(p, booked)
        book.append(p)
    return book


def test_plan_frame_on_a_two_worker_local_cluster_equals_the_single_process_plan() -> None:
    engine = cadence.Engine()
    table = to_table(_book(engine, 120), engine)
    day, now, blocked = date(2026, 3, 12), NOW + timedelta(days=2), {"+15550004", "p010"}
    expected = plan_table(
        engine, table, day=day, now=now, capacity=4, suppressions=blocked, deferred_limit=25
    )
    frame = cadence_dask.from_table(table, npartitions=4)
    # Started as docs/batch.md recommends for planning workers (Arrow's allocator keeps pages).
    environ = dask.config.get("distributed.nanny.pre-spawn-environ")
    with dask.config.set(
        {"distributed.nanny.pre-spawn-environ": {**environ, "MIMALLOC_PURGE_DELAY": "-1"}}
    ):
        cluster = distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
        )
    with cluster, distributed.Client(cluster) as client:
        seen = client.run(lambda: os.environ.get("MIMALLOC_PURGE_DELAY"))
        got = cadence_dask.plan_frame(
            engine, frame, day=day, now=now, capacity=4, suppressions=blocked, deferred_limit=25
        )
    assert list(seen.values()) == ["-1", "-1"]
    assert expected.touches.num_rows > 0
    assert "attend_meeting" in expected.touches.column("kind").to_pylist()
    assert got.touches.equals(expected.touches)
    assert got.deferred.equals(expected.deferred)
    assert got.counts == expected.counts
    assert got.sources == expected.sources


def test_by_owner_frames_skip_the_shuffle_and_are_checked() -> None:
    engine = cadence.Engine()
    table = to_table(_book(engine, 40), engine)
    expected = plan_table(engine, table, day=DAY, now=NOW, capacity=2)
    frame = cadence_dask.from_table(table.sort_by("owner"), npartitions=1)
    with dask.config.set(scheduler="sync"):
        got = cadence_dask.plan_frame(engine, frame, day=DAY, now=NOW, capacity=2, by_owner=True)
        assert got.touches.equals(expected.touches)
        mixed = cadence_dask.from_table(table, npartitions=3)  # owners spread over partitions
        with pytest.raises(ValueError, match=r"owner .* has rows in partitions"):
            cadence_dask.plan_frame(engine, mixed, day=DAY, now=NOW, capacity=2, by_owner=True)


def test_a_prospect_twice_across_partitions_is_refused_as_in_one_process() -> None:
    """A duplicated export row under another owner lands in another partition, where no
    partition sees both copies: the client checks every partition's ids together, as
    ``plan_table`` checks the table's."""
    engine = cadence.Engine()
    book = [
        engine.enroll(f"p{i}", timezone="America/Chicago", at=NOW, country="US", owner="ana")
        for i in range(4)
    ]
    copy = book[2].model_copy(update={"owner": "bo"})
    with pytest.raises(cadence.errors.InvalidInputError, match=r"^id: 'p2' is in the book twice"):
        plan_table(engine, to_table([*book, copy], engine), day=DAY, now=NOW, capacity=5)
    parts = [to_table(book, engine), to_table([copy], engine)]
    frame = dask.dataframe.concat([cadence_dask.from_table(t, npartitions=1) for t in parts])
    assert frame.npartitions == 2
    with dask.config.set(scheduler="sync"):
        with pytest.raises(cadence.errors.InvalidInputError, match=r"^id: 'p2' is in the book tw"):
            cadence_dask.plan_frame(engine, frame, day=DAY, now=NOW, capacity=5, by_owner=True)
        with pytest.raises(cadence.errors.InvalidInputError, match=r"^id: 'p2' is in the book tw"):
            cadence_dask.plan_frame(engine, frame, day=DAY, now=NOW, capacity=5)
        # A copy that would not be touched is refused too, as in one process.
        with pytest.raises(cadence.errors.InvalidInputError, match=r"^id: 'p2' is in the book tw"):
            cadence_dask.plan_frame(engine, frame, day=DAY, now=NOW, capacity={"ana": 5})


@pytest.mark.parametrize("newest", ["opted out", "closed", "meeting to log", "away"])
@pytest.mark.parametrize("npartitions", [1, 2, 3])
def test_r13_a_stale_copy_of_an_opted_out_prospect_is_refused_as_in_one_process(
    newest: str, npartitions: int
) -> None:
    """A prospect's newest row (opted out, closed, owing the reminder to log an ended
    meeting, or away) and an older export row of it that owes a first call: refused with
    ``plan_table``'s words, in one partition or apart (the older copy under another owner),
    never a call to an opted-out person."""
    engine = cadence.Engine()
    book = stale_copies(engine, NOW)[newest]
    apart = [*book[:-1], book[-1].model_copy(update={"owner": "bo"})]
    for given_ in (book, apart):
        frame = cadence_dask.from_table(to_table(given_, engine), npartitions=npartitions)
        with (
            dask.config.set(scheduler="sync"),
            pytest.raises(
                cadence.errors.InvalidInputError, match=r"^id: 'p1' is in the book twice; give"
            ),
        ):
            cadence_dask.plan_frame(engine, frame, day=DAY, now=NOW, capacity=5)


def test_plan_frame_refuses_what_it_cannot_plan_naming_the_argument() -> None:
    engine = cadence.Engine()
    table = to_table(_book(engine, 6), engine)
    frame = cadence_dask.from_table(table, npartitions=2)
    refused = [
        ({"engine": None}, "engine", r"^engine: expected a cadence\.Engine, got NoneType"),
        ({"frame": table}, "frame", r"^frame: expected a dask DataFrame, got Table; build one"),
        ({"frame": frame.drop(columns="owner")}, "frame", r"^frame: no 'owner' column"),
    ]
    for given_, field, message in refused:
        arguments = {"engine": engine, "frame": frame, **given_}
        with pytest.raises(cadence.errors.InvalidInputError, match=message) as info:
            cadence_dask.plan_frame(**arguments, day=DAY, now=NOW, capacity=2)
        assert info.value.field == field
    for bad, field in (({"table": [1]}, "table"), ({"npartitions": 0}, "npartitions")):
        given_args = {"table": table, "npartitions": 2, **bad}
        with pytest.raises(cadence.errors.InvalidInputError, match=rf"^{field}: ") as info:
            cadence_dask.from_table(**given_args)
        assert info.value.field == field


def test_a_missing_owner_and_an_empty_one_are_one_pool_on_dask_as_in_one_process() -> None:
    """One prospect never had an owner (null), another's was emptied by the CRM (""): both
    planners in one process plan them as the one pool of the owner "", and so does
    plan_frame, however many partitions the frame has (the shuffle groups them as one). A
    frame passed as by owner that splits them is refused with advice that fits."""
    engine = cadence.Engine()
    at = NOW - timedelta(hours=1)
    book = [
        engine.enroll("a", timezone="America/Chicago", at=at, owner="ana"),
        engine.apply(
            engine.enroll("b", timezone="America/Chicago", at=at, owner="ana"),
            ev.ContactUpdated(at=NOW, owner=""),
        ),
        engine.enroll("c", timezone="America/Chicago", at=at),
    ]
    assert [p.owner for p in book] == ["ana", "", None]
    table = to_table(book, engine)
    expected = plan_table(engine, table, day=DAY, now=NOW, capacity=1)
    assert expected.counts == {"suppressed": 0, "not_due": 0, "planned": 2, "deferred": 1}
    with dask.config.set(scheduler="sync"):
        _plans_as_one_process(engine, table, expected, (1, 2, 3), capacity=1)
        split = cadence_dask.from_table(table.slice(1), npartitions=2)
        with pytest.raises(cadence.errors.InvalidInputError) as info:
            cadence_dask.plan_frame(engine, split, day=DAY, now=NOW, capacity=1, by_owner=True)
    said = str(info.value)
    assert said.startswith("frame: owner '' has rows in partitions 0 and 1")
    assert "a missing owner is ''" in said
    assert "by_owner=False" in said


def test_a_row_whose_zone_is_not_of_its_country_stops_the_plan_as_in_one_process() -> None:
    engine = cadence.Engine()
    book = _book(engine, 6)
    table = to_table(book, engine)
    zones = pa.array(["UTC", *table.column("timezone").to_pylist()[1:]])
    bad = table.set_column(table.schema.get_field_index("timezone"), "timezone", zones)
    frame = cadence_dask.from_table(bad, npartitions=2)
    refused = pytest.raises(cadence.errors.InvalidInputError, match=r"^timezone: 'UTC' .* US-IL")
    with dask.config.set(scheduler="sync"), refused:
        cadence_dask.plan_frame(engine, frame, day=DAY, now=NOW, capacity=5)


@pytest.mark.parametrize(
    ("state", "said"),
    [
        (None, " has no state; build the table with cadence.batch.to_table(...)"),
        ('{"id": 5}', ": id: expected a string, got the number 5"),
    ],
)
def test_a_state_that_does_not_load_is_named_by_its_id_on_dask(
    state: str | None, said: str
) -> None:
    """Row 3 of the book (prospect p003) holds no state, or one that does not load. In one
    process the error names row 3 and its id; on Dask, after the shuffle by owner, it named
    "row 1", its row in a partition, which is no row of the book: it names the id."""
    engine = cadence.Engine()
    table = to_table(_book(engine, 30), engine)
    states = table.column("state").to_pylist()
    states[3] = state
    bad = table.set_column(table.schema.get_field_index("state"), "state", pa.array(states))
    with pytest.raises(cadence.errors.InvalidInputError) as one:
        plan_table(engine, bad, day=DAY, now=NOW, capacity=5, verify="all")
    assert str(one.value).startswith(f"table: row 3 (id 'p003'){said}")
    frame = cadence_dask.from_table(bad, npartitions=3)
    with dask.config.set(scheduler="sync"), pytest.raises(cadence.errors.InvalidInputError) as on:
        cadence_dask.plan_frame(engine, frame, day=DAY, now=NOW, capacity=5, verify="all")
    assert str(on.value).startswith(f"frame: the row of id 'p003'{said}")
    assert (on.value.field, on.value.value) == (one.value.field, one.value.value)


def test_a_call_with_no_free_time_takes_no_place_on_dask_as_in_one_process() -> None:
    """Monday 16:55 in Chicago, Ana and Bo each have two calls left: their first overdue
    calls to Chicago start at 16:55, inside the calling hours that end at 17:00 (a call need
    only start inside them), the second ones find no time left to start in and are deferred,
    and their calls to Los Angeles (15:05 there, once the calls to Chicago are over) take the
    places those did not use, in every partition."""
    engine = cadence.Engine()
    late = datetime(2026, 3, 9, 16, 55, tzinfo=CHICAGO)
    book = [
        engine.enroll(
            f"{owner}-{pid}", timezone=tz, at=late - timedelta(days=days), country="US", owner=owner
        )
        for owner in ("ana", "bo")
        for pid, tz, days in (
            ("chicago0", "America/Chicago", 6),
            ("chicago1", "America/Chicago", 5),
            ("la", "America/Los_Angeles", 3),
        )
    ]
    table = to_table(book, engine)
    expected = plan_table(engine, table, day=late.date(), now=late, capacity=2)
    with dask.config.set(scheduler="sync"):
        for n in (1, 2):
            frame = cadence_dask.from_table(table, npartitions=n)
            got = cadence_dask.plan_frame(engine, frame, day=late.date(), now=late, capacity=2)
            assert got.touches.column("prospect_id").to_pylist() == [
                "ana-chicago0",
                "ana-la",
                "bo-chicago0",
                "bo-la",
            ]
            assert got.deferred.column("prospect_id").to_pylist() == [
                "ana-chicago1",
                "bo-chicago1",
            ]
            assert got.deferred.column("deferred_reason").to_pylist() == [
                "no free time in window",
                "no free time in window",
            ]
            assert got.touches.equals(expected.touches)
            assert got.deferred.equals(expected.deferred)
            assert got.counts == expected.counts


def test_a_reimported_contact_written_otherwise_stays_suppressed_on_dask() -> None:
    """R13 on Dask: each partition matches numbers and addresses as plan_day does."""
    engine = cadence.Engine()
    variants = [*WRITTEN_OTHERWISE.values(), *NOT_SUPPRESSED.values()]
    book = [
        in_chicago(engine, f"p{i:02d}", NOW, f"rep{i % 3}", **contact)
        for i, contact in enumerate(variants)
    ]
    table = to_table(book, engine)
    expected = plan_table(engine, table, day=DAY, now=NOW, capacity=50, suppressions=SUPPRESSED)
    assert expected.counts["suppressed"] == len(WRITTEN_OTHERWISE)
    with dask.config.set(scheduler="sync"):
        frame = cadence_dask.from_table(table, npartitions=2)
        got = cadence_dask.plan_frame(
            engine, frame, day=DAY, now=NOW, capacity=50, suppressions=SUPPRESSED
        )
    assert got.touches.equals(expected.touches)
    assert got.counts == expected.counts


def test_r2_reminders_to_log_meetings_are_listed_on_dask_as_in_one_process() -> None:
    """Ana's and Bo's meetings on Monday ended with nothing logged: the reminders to log them
    (R2) are on their Tuesday in every partition, as plan_table lists them, on no capacity."""
    engine = cadence.Engine()
    three = datetime(2026, 3, 9, 15, 0, tzinfo=CHICAGO)
    book = []
    for owner in ("ana", "bo"):
        for n in range(2):
            p = engine.enroll(
                f"{owner}{n}",
                timezone="America/Chicago",
                at=NOW - timedelta(days=3),
                country="US",
                owner=owner,
            )
            if n == 0:
                p = engine.apply(p, ev.CallAttempted(at=p.enrolled_at, outcome="connected"))
                p = engine.apply(
                    p, ev.MeetingBooked(at=p.enrolled_at, meeting_id="m1", starts_at=three)
                )
            book.append(p)
    table = to_table(book, engine)
    expected = plan_table(engine, table, day=DAY, now=NOW, capacity=0)
    assert expected.touches.column("prospect_id").to_pylist() == ["ana0", "bo0"]
    assert expected.counts == {"suppressed": 0, "not_due": 0, "planned": 2, "deferred": 2}
    with dask.config.set(scheduler="sync"):
        _plans_as_one_process(engine, table, expected, (1, 2, 4), capacity=0)


def test_reps_working_hours_plan_on_dask_as_in_one_process() -> None:
    """Reps with working hours in their own zones (one in Paris, one in Chicago who is off on
    Thursdays), the others without: every partition keeps them, as plan_table does."""
    from cadence.batch import RepHours, plan_day

    engine = cadence.Engine()
    book = _book(engine, 60)
    table = to_table(book, engine)
    day, now = date(2026, 3, 12), NOW + timedelta(days=2)
    hours = {
        "rep1": RepHours(timezone="Europe/Paris", windows=["09:00-12:00", "13:00-18:00"]),
        "rep2": RepHours(timezone="America/Chicago", windows=["08:00-17:00"], weekmask="1110100"),
        "rep3": RepHours(timezone="Asia/Tokyo", windows=["20:00-24:00"], weekmask="1111111"),
    }
    expected = plan_table(engine, table, day=day, now=now, capacity=4, rep_hours=hours)
    assert (
        expected.counts
        == plan_day(engine, book, day=day, now=now, capacity=4, rep_hours=hours).counts
    )
    without = plan_table(engine, table, day=day, now=now, capacity=4)
    assert not expected.touches.equals(without.touches)  # the hours change the plan
    reasons = expected.deferred.column("deferred_reason").to_pylist()
    assert "outside the rep's hours" in reasons
    owners = expected.touches.column("owner").to_pylist()
    kinds = expected.touches.column("kind").to_pylist()
    assert all(
        kind == "attend_meeting" for o, kind in zip(owners, kinds, strict=True) if o == "rep2"
    )
    with dask.config.set(scheduler="sync"):
        for n in (1, 3):
            frame = cadence_dask.from_table(table, npartitions=n)
            got = cadence_dask.plan_frame(
                engine, frame, day=day, now=now, capacity=4, rep_hours=hours
            )
            assert got.touches.equals(expected.touches)
            assert got.deferred.equals(expected.deferred)
            assert got.counts == expected.counts
        frame = cadence_dask.from_table(table, npartitions=2)
        with pytest.raises(cadence.errors.InvalidInputError, match=r"^rep_hours: 'rep1'") as info:
            cadence_dask.plan_frame(
                engine, frame, day=day, now=now, capacity=4, rep_hours={"rep1": {"timezone": "X"}}
            )
        assert info.value.field == "rep_hours"


@pytest.mark.parametrize("verify", ["planned", "all", "off"])
def test_plan_frame_checks_states_written_alone_as_plan_table_does(verify: Verify) -> None:
    """``verify`` reaches every partition: an opt-out written to a row's state alone (its
    index untouched) is not called unless the check is off, and the counts (the rows not
    checked included) are plan_table's."""
    engine = cadence.Engine()
    book = [in_chicago(engine, f"p{i}", NOW, ("ana", "bo")[i % 2]) for i in range(8)]
    for i in (4, 7):  # not due on the day: not checked by default
        book[i] = engine.apply(
            book[i], ev.CallAttempted(at=NOW - timedelta(minutes=50), outcome="no_answer")
        )
    table = to_table(book, engine)
    texts = table.column("state").to_pylist()
    texts[3] = engine.apply(book[3], ev.OptedOut(at=NOW - timedelta(minutes=5))).model_dump_json()
    texts[7] = engine.apply(book[7], ev.OptedOut(at=NOW - timedelta(minutes=5))).model_dump_json()
    table = table.set_column(table.schema.get_field_index("state"), "state", pa.array(texts))
    expected = plan_table(engine, table, day=DAY, now=NOW, capacity=5, verify=verify)
    assert ("p3" in expected.touches.column("prospect_id").to_pylist()) is (verify == "off")
    with dask.config.set(scheduler="sync"):
        got = cadence_dask.plan_frame(
            engine,
            cadence_dask.from_table(table, 3),
            day=DAY,
            now=NOW,
            capacity=5,
            verify=verify,
        )
    assert got.touches.equals(expected.touches)
    assert (got.counts, got.sources, got.unverified) == (
        expected.counts,
        expected.sources,
        expected.unverified,
    )
    assert expected.unverified == {"planned": 2, "all": 0, "off": 8}[verify]


def test_plan_frame_refuses_a_verify_that_is_not_one_of_the_three() -> None:
    engine = cadence.Engine()
    table = to_table([engine.enroll("p0", timezone="America/Chicago", at=NOW, country="US")])
    with pytest.raises(
        cadence.errors.InvalidInputError, match=r"^verify: expected 'planned'"
    ) as info:
        cadence_dask.plan_frame(
            engine,
            cadence_dask.from_table(table, 1),
            day=DAY,
            now=NOW,
            capacity=5,
            verify=True,
        )
    assert (info.value.field, info.value.value) == ("verify", True)
