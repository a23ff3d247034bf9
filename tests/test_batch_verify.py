"""The columnar planner checks each row's ``state`` against the checksum ``to_table`` wrote: a CRM
that writes the prospect's JSON alone after an event (not the row) must not have the old index
planned (an opt-out still called, R13)."""

from __future__ import annotations

import zlib
from datetime import UTC, datetime, time, timedelta
from typing import Any

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import event, given, note
from hypothesis import strategies as st

import cadence
from cadence import events as ev
from cadence._day import booked_meetings, meeting_span
from cadence._table_verify import CHECK, stale_rows
from cadence.batch import from_table, plan_day, plan_table, to_table
from cadence.errors import CadenceError, InvalidInputError
from cadence.testing import History, histories
from tests.test_batch_parity import _outcome
from tests.test_batch_table import DAY, NOW, _laid_out, _new, _same_plan


def _states_written_alone(table: pa.Table, states: dict[int, cadence.Prospect]) -> pa.Table:
    """``table`` with the ``state`` of some rows replaced, and nothing else: the index, the
    flat columns and the checksum are the old state's."""
    texts = table.column("state").to_pylist()
    for row, p in states.items():
        texts[row] = p.model_dump_json()
    at = table.schema.get_field_index("state")
    return table.set_column(at, "state", pa.array(texts, pa.string()))


def test_an_opt_out_written_to_the_state_alone_is_not_called() -> None:
    """R13: the index says call; the state says they opted out. The state is the truth."""
    engine = cadence.Engine()
    book = [_new(engine, f"p{i}") for i in range(3)]
    table = to_table(book, engine)
    before = plan_table(engine, table, day=DAY, now=NOW, capacity=5)
    assert "p1" in before.touches.column("prospect_id").to_pylist()
    out = engine.apply(book[1], ev.OptedOut(at=NOW - timedelta(minutes=30)))
    changed = _states_written_alone(table, {1: out})
    got = plan_table(engine, changed, day=DAY, now=NOW, capacity=5)
    assert "p1" not in got.touches.column("prospect_id").to_pylist()
    assert "p1" not in got.deferred.column("prospect_id").to_pylist()
    assert got.sources == {"index": 2, "late": 0, "engine": 0, "stale": 1}
    assert got.unverified == 0
    _same_plan(plan_day(engine, [book[0], out, book[2]], day=DAY, now=NOW, capacity=5), got)


def test_a_new_number_or_owner_written_to_the_state_alone_is_the_one_planned() -> None:
    """The flat columns of a stale row are stale too: its suppressed new number (R13) and its
    new owner (capacity) are read from its state."""
    engine = cadence.Engine()
    book = [_new(engine, f"p{i}", phone=f"+1312555010{i}") for i in range(3)]
    table = to_table(book, engine)
    at = NOW - timedelta(minutes=30)
    moved = engine.apply(book[0], ev.ContactUpdated(at=at, phone="+13125550199"))
    handed = engine.apply(book[2], ev.ContactUpdated(at=at, owner="bo"))
    changed = _states_written_alone(table, {0: moved, 2: handed})
    args: dict[str, Any] = {"day": DAY, "now": NOW, "capacity": 1, "suppressions": {"+13125550199"}}
    got = plan_table(engine, changed, **args)
    assert got.counts["suppressed"] == 1
    assert dict(
        zip(*got.touches.select(["prospect_id", "owner"]).to_pydict().values(), strict=True)
    ) == {
        "p1": "ana",
        "p2": "bo",
    }
    _same_plan(plan_day(engine, [moved, book[1], handed], **args), got)


def test_without_verifying_the_index_is_planned_and_every_row_counted_unverified() -> None:
    engine = cadence.Engine()
    book = [_new(engine, f"p{i}") for i in range(3)]
    table = to_table(book, engine)
    out = engine.apply(book[1], ev.OptedOut(at=NOW - timedelta(minutes=30)))
    changed = _states_written_alone(table, {1: out})
    got = plan_table(engine, changed, day=DAY, now=NOW, capacity=5, verify="off")
    assert "p1" in got.touches.column("prospect_id").to_pylist()  # what verify="off" means
    assert got.sources["stale"] == 0
    assert got.unverified == 3


def test_a_table_written_before_the_checksum_plans_as_before_and_says_it_is_unverified() -> None:
    engine = cadence.Engine()
    book = [_new(engine, f"p{i}") for i in range(3)]
    table = to_table(book, engine)
    old = table.drop_columns([CHECK])
    got = plan_table(engine, old, day=DAY, now=NOW, capacity=5)
    expected = plan_table(engine, table, day=DAY, now=NOW, capacity=5)
    assert got.touches.equals(expected.touches)
    assert got.sources == expected.sources
    assert (got.unverified, expected.unverified) == (3, 0)
    # A row of such a table among newer rows (concatenated with nulls): that row only.
    mixed = pa.concat_tables([old.slice(0, 1), table.slice(1)], promote_options="default")
    assert plan_table(engine, mixed, day=DAY, now=NOW, capacity=5).unverified == 1


@pytest.mark.parametrize("verify", ["no", "All", True, False, None, 1])
def test_verify_is_one_of_three_names(verify: Any) -> None:
    """A bool is refused too: ``True`` would not say whether every row or the planned ones."""
    engine = cadence.Engine()
    table = to_table([_new(engine, "p0")], engine)
    with pytest.raises(InvalidInputError) as info:
        plan_table(engine, table, day=DAY, now=NOW, capacity=5, verify=verify)
    assert str(info.value) == (
        "verify: expected 'planned' (the default: the rows the day's plan draws from), 'all' or "
        f"'off', got {verify!r}; pass verify='all' to check every row, 'off' to check none"
    )
    assert (info.value.field, info.value.value) == ("verify", verify)


def test_the_checksum_is_adler32_of_the_state_utf8_bytes() -> None:
    """Documented (docs/batch.md): a CRM writing rows itself can compute it."""
    engine = cadence.Engine()
    book = [_new(engine, "p0", owner="Zoë Ångström")]
    table = to_table(book, engine)
    text = table.column("state")[0].as_py()
    assert table.column(CHECK).type == pa.uint32()
    assert table.column(CHECK)[0].as_py() == zlib.adler32(text.encode("utf-8"))


@given(
    texts=st.lists(st.text(max_size=30), min_size=1, max_size=40).flatmap(
        lambda base: st.tuples(
            st.just(base),
            st.lists(st.integers(0, len(base) * 120), max_size=5),
            st.sampled_from(["as is", "chunks of 7", "chunks of 2500", "a slice"]),
            st.sampled_from([pa.string(), pa.large_string(), pa.string_view()]),
        )
    ),
    edit=st.text(min_size=1, max_size=3),
    subset=st.none() | st.lists(st.integers(0, 10**6), max_size=5_000),
    no_sum=st.lists(st.integers(0, 10**6), max_size=5),
)
def test_stale_rows_are_exactly_those_whose_text_changed(
    texts: Any, edit: str, subset: list[int] | None, no_sum: list[int]
) -> None:
    """Whatever the layout (chunks, an offset into a shared buffer, blocks of rows checked at
    once), the string flavour and the rows asked about (all, or some: copied in groups), the
    rows found are those whose text is not the one checked, and those without a checksum are
    counted (and not found)."""
    base, picks, layout, kind = texts
    rows = [base[i % len(base)] for i in range(len(base) * 120)]  # several blocks of rows
    sums = [zlib.adler32(t.encode()) for t in rows]
    changed = set()
    for pick in picks:
        row = pick % len(rows)
        new = rows[row] + edit if pick % 2 else edit + rows[row][1:]
        if new != rows[row]:
            changed.add(row)
            rows[row] = new
    unknown = {i % len(rows) for i in no_sum}
    known_sums = [None if i in unknown else sum_ for i, sum_ in enumerate(sums)]
    table = pa.table(
        {"state": pa.array(rows, pa.string()), CHECK: pa.array(known_sums, pa.uint32())}
    )
    table = _laid_out(table, layout)
    table = table.set_column(0, "state", table.column("state").cast(kind))
    asked = range(len(rows)) if subset is None else sorted({i % len(rows) for i in subset})
    found, unchecked = stale_rows(table, None if subset is None else np.array(asked, np.int64))
    note(f"{layout} {kind} {len(asked)} rows asked")
    assert found.tolist() == sorted((changed - unknown).intersection(asked))
    assert unchecked == len(unknown.intersection(asked))


@st.composite
def _books_with_states_written_alone(
    draw: st.DrawFn,
) -> tuple[list[cadence.Prospect], dict[int, cadence.Prospect], cadence.Engine]:
    """A book indexed as stored, and for some rows the state after one more event (from the
    drawn history, or an opt-out, a new number or a new owner), written without the index."""
    found: list[History] = draw(st.lists(histories(max_events=8), min_size=1, max_size=7))
    engine = cadence.Engine()
    stored, truth = [], {}
    for i, h in enumerate(found):
        update = {
            "id": f"p{i:02d}",
            "owner": draw(st.sampled_from(["ana", "bo", None])),
            "phone": f"+1555{i % 4}",
            "email": f"p{i}@example.com",
        }
        how = draw(st.sampled_from(["fresh", "history", "opted_out", "phone", "owner"]))
        p = h.final.model_copy(update=update)
        if how == "history" and len(h.states) > 1:
            p, true = h.states[-2].model_copy(update=update), p
        elif how in ("opted_out", "phone", "owner"):
            at = p.last_event_at + timedelta(minutes=draw(st.integers(0, 3 * 24 * 60)))
            more: dict[str, ev.OptedOut | ev.ContactUpdated] = {
                "opted_out": ev.OptedOut(at=at),
                "phone": ev.ContactUpdated(at=at, phone="+15559"),
                "owner": ev.ContactUpdated(at=at, owner="cy"),
            }
            try:
                true = engine.apply(p, more[how])
            except CadenceError:
                true = p
        else:
            true = p
        event(f"state written alone: {how != 'fresh' and true != p}")
        stored.append(p)
        if true != p:
            truth[i] = true
    return stored, truth, engine


def _checked_by_default(
    engine: cadence.Engine, p: cadence.Prospect, args: dict[str, Any]
) -> bool | None:
    """Whether the default check reads ``p``'s row (``p`` as its columns were written): its
    contact points are not suppressed, and the day's plan draws from it (it is due, or has a
    booked meeting that may block its owner's time) or the engine decides it (no index, or an
    expired one); ``None`` if planning it alone is refused."""
    alone = _outcome(plan_day, engine, [p], **args)
    if isinstance(alone, tuple):
        return None
    if alone.counts["suppressed"]:
        return False
    lo, hi = meeting_span(args["day"], args["now"])
    meets = any(us(end) > lo and us(start) < hi for start, end, _ in booked_meetings(p))
    routed = plan_table(engine, to_table([p], engine), **args, verify="off").sources
    return alone.counts["not_due"] == 0 or meets or routed["engine"] == 1


def us(t: datetime) -> int:
    return (t - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(microseconds=1)


@given(
    data=_books_with_states_written_alone(),
    which=st.integers(0, 100),
    later=st.integers(0, 10 * 24 * 60),
    day_shift=st.integers(0, 2),
    capacity=st.integers(0, 3),
    suppress=st.sets(st.sampled_from(["+15551", "+15559", "p2@example.com"]), max_size=2),
    layout=st.sampled_from(["as is", "chunks of 2", "a slice"]),
)
def test_plan_table_with_states_written_alone_is_plan_day_on_the_true_states(
    data: tuple[list[cadence.Prospect], dict[int, cadence.Prospect], cadence.Engine],
    which: int,
    later: int,
    day_shift: int,
    capacity: int,
    suppress: set[str],
    layout: str,
) -> None:
    """``verify="all"``: the plan of the true states. ``"planned"`` (the default): the plan of
    the true states of the rows checked (:func:`_checked_by_default`, from their columns as
    written), and of the old states of the others (which plan nothing that day): nothing
    planned comes from a stale row's columns, and a stale row's entries are the true state's."""
    stored, truth, engine = data
    true_book = [truth.get(i, p) for i, p in enumerate(stored)]
    base = true_book[which % len(true_book)]
    now = max(p.last_event_at for p in true_book) + timedelta(minutes=later)
    day = (now.astimezone(engine.calendar(base).zone) + timedelta(days=day_shift)).date()
    if now >= datetime.combine(day + timedelta(days=1), time(12), UTC):
        return
    args: dict[str, Any] = {"day": day, "now": now, "capacity": capacity, "suppressions": suppress}
    table = _laid_out(_states_written_alone(to_table(stored, engine), truth), layout)
    assert from_table(table) == true_book
    assert np.array_equal(stale_rows(table)[0], sorted(truth))
    checked = {i: _checked_by_default(engine, p, args) for i, p in enumerate(stored)}
    hybrid = [truth[i] if i in truth and checked[i] else p for i, p in enumerate(stored)]
    for verify, book in (("all", true_book), ("planned", hybrid)):
        expected = _outcome(plan_day, engine, book, **args)
        got = _outcome(plan_table, engine, table, **args, verify=verify)
        if isinstance(expected, tuple) or isinstance(got, tuple) or None in checked.values():
            event(f"{verify}: refused")
            assert expected == got or None in checked.values()
            continue
        _same_plan(expected, got)
        assert sum(got.sources.values()) == len(stored) - got.counts["suppressed"]
        if verify == "all":
            assert got.unverified == 0
            continue
        assert got.unverified == len(stored) - sum(map(bool, checked.values()))
        listed = {*got.touches.column("prospect_id").to_pylist()}
        listed |= {*got.deferred.column("prospect_id").to_pylist()}
        unseen = {stored[i].id for i in truth if not checked[i]}
        event(f"planned: a stale row not checked: {bool(unseen)}")
        assert not listed & unseen  # planned from nothing stale


def test_by_default_a_stale_row_the_index_does_not_plan_that_day_waits_for_its_next_write() -> None:
    """The documented limit of ``verify="planned"``: a meeting booked on the day, written to
    the state alone of a prospect whose index plans nothing that day, is not in the plan until
    the row is written again (or ``verify="all"``, which finds it)."""
    engine = cadence.Engine()
    book = [_new(engine, f"p{i}") for i in range(3)]
    called = engine.apply(
        book[0], ev.CallAttempted(at=NOW - timedelta(minutes=50), outcome="no_answer")
    )
    book[0] = called
    table = to_table(book, engine)
    before = plan_table(engine, table, day=DAY, now=NOW, capacity=5)
    assert "p0" not in before.touches.column("prospect_id").to_pylist()  # not due on the day
    starts = datetime.combine(DAY, time(15), NOW.tzinfo)
    booked = engine.apply(
        called, ev.MeetingBooked(at=NOW - timedelta(minutes=5), meeting_id="m1", starts_at=starts)
    )
    changed = _states_written_alone(table, {0: booked})
    args: dict[str, Any] = {"day": DAY, "now": NOW, "capacity": 5}
    default = plan_table(engine, changed, **args)
    assert "p0" not in default.touches.column("prospect_id").to_pylist()
    assert (default.sources["stale"], default.unverified) == (0, 1)
    every = plan_table(engine, changed, **args, verify="all")
    assert "p0" in every.touches.column("prospect_id").to_pylist()
    assert (every.sources["stale"], every.unverified) == (1, 0)
    _same_plan(plan_day(engine, [booked, *book[1:]], **args), every)
    # Written again, the row's index plans the meeting by default.
    again = to_table([booked, *book[1:]], engine)
    _same_plan(plan_day(engine, [booked, *book[1:]], **args), plan_table(engine, again, **args))


def test_by_default_the_rows_the_plan_does_not_draw_from_are_counted_unverified() -> None:
    """``unverified``: the rows whose state was not compared with its checksum. By default,
    the rows the index decides and the day's plan draws nothing from."""
    engine = cadence.Engine()
    due = [_new(engine, f"p{i}") for i in range(3)]
    waiting = [
        engine.apply(
            _new(engine, f"w{i}"),
            ev.CallAttempted(at=NOW - timedelta(minutes=50), outcome="no_answer"),
        )
        for i in range(2)
    ]
    table = to_table([*due, *waiting], engine)
    args: dict[str, Any] = {"day": DAY, "now": NOW, "capacity": 5}
    got = {
        v: plan_table(engine, table, **args, verify=v).unverified for v in ("planned", "all", "off")
    }
    assert got == {"planned": 2, "all": 0, "off": 5}
