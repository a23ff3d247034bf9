"""Bad input gets a clear, typed error that names the field, and loses nothing (DESIGN §9)."""

from __future__ import annotations

import json
import re
import warnings
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

import cadence
from cadence import events as ev
from cadence.batch import plan_day
from cadence.channel import Channel
from cadence.errors import (
    CadenceError,
    ConflictingEventError,
    InvalidInputError,
    LateEventError,
    NoSlotError,
)
from cadence.files import read_policy, read_responder
from cadence.policy import Policy, TimeSlot
from tests.conftest import CHICAGO


def _enroll(engine: cadence.Engine, at: datetime) -> cadence.Prospect:
    return engine.enroll("p1", timezone="America/Chicago", at=at, country="US", subdivision="IL")


_MONDAY = "2026-03-09T10:00:00Z"
_T = datetime(2026, 3, 3, 15, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "wrap",
    [
        lambda body: b"\xef\xbb\xbf" + body,  # a .NET stream writer's UTF-8 byte order mark
        lambda body: "\ufeff" + body.decode(),  # the same, decoded as UTF-8 by the framework
        bytearray,
        memoryview,
    ],
    ids=["bom-bytes", "bom-text", "bytearray", "memoryview"],
)
def test_parse_event_reads_a_webhook_body_as_frameworks_hand_it_over(
    wrap: Callable[[bytes], Any],
) -> None:
    """A body that starts with a byte order mark, or comes as a ``bytearray`` or a
    ``memoryview`` (what some servers and queues hand over), is the JSON it holds: it was
    refused as invalid JSON "at line 1 column 1", or as not a JSON object."""
    body = b'{"type": "email_sent", "at": "2026-03-02T15:00:00-06:00", "id": "h-1"}'
    assert cadence.parse_event(wrap(body)) == cadence.parse_event(body)


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"type": "call_attempted", "at": "2026-03-09T10:00:00", "outcome": "voicemail"}, "at"),
        ({"type": "teleport", "at": "2026-03-09T10:00:00Z"}, "type"),
        ({"at": "2026-03-09T10:00:00Z"}, "type"),
        ({"type": "call_attempted", "at": "2026-03-09T10:00:00Z"}, "outcome"),
        ({"type": "call_attempted", "at": "2026-03-09T10:00:00Z", "outcome": "maybe"}, "outcome"),
        ({"type": "meeting_booked", "at": "2026-03-09T10:00:00Z", "meeting_id": "m"}, "starts_at"),
        ({"type": "email_sent"}, "at"),
        ({"type": "email_sent", "at": "2026-03-09T10:00:00Z", "colour": "red"}, "colour"),
        # An empty id would be one id shared by every event that carries it.
        ({"type": "email_sent", "at": "2026-03-09T10:00:00Z", "id": ""}, "id"),
        (
            {"type": "meeting_no_show", "at": "2026-03-09T10:00:00Z", "meeting_id": ""},
            "meeting_id",
        ),
        # So would an id of spaces: a CRM's empty field, padded.
        ({"type": "email_sent", "at": "2026-03-09T10:00:00Z", "id": "   "}, "id"),
        (
            {"type": "meeting_cancelled", "at": _MONDAY, "meeting_id": "\t", "by": "rep"},
            "meeting_id",
        ),
        # Checks across fields name the field their intent or outcome does not read.
        (
            {"type": "email_replied", "at": _MONDAY, "resume_at": "2026-04-01T10:00:00Z"},
            "resume_at",
        ),
        (
            {"type": "email_replied", "at": "2026-03-09T10:00:00Z", "referral": "Dana"},
            "referral",
        ),
        (
            {
                "type": "call_attempted",
                "at": "2026-03-09T10:00:00Z",
                "outcome": "voicemail",
                "next_contact_at": "2026-03-12T10:00:00Z",
            },
            "next_contact_at",
        ),
        (
            {"type": "out_of_office", "at": _MONDAY, "until": "2026-03-01T10:00:00Z"},
            "until",
        ),
    ],
)
def test_parse_event_names_the_field(payload: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidInputError) as info:
        cadence.parse_event(payload)
    assert info.value.field == field
    assert field in str(info.value)
    assert "valid datetime" not in str(info.value)  # each payload fails for its own reason
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize("sent", ["Phone", "sms"])
def test_a_channel_preference_lists_the_channels_as_json_spells_them(sent: str) -> None:
    """The message listed Python's reprs, ``<Channel.PHONE: 'phone'> or <Channel.EMAIL:
    'email'>``, to a webhook sender who writes ``"phone"``."""
    with pytest.raises(InvalidInputError) as info:
        cadence.parse_event({"type": "channel_preference", "at": _MONDAY, "channel": sent})
    assert info.value.field == "channel"
    said = f"channel: Input should be 'phone' or 'email' (got {sent!r})"
    assert str(info.value) == said + ("; did you mean 'phone'?" if sent == "Phone" else "")


def test_a_misspelt_field_is_told_the_name_it_was_meant_to_be(tmp_path: Any) -> None:
    """A misspelt knob left its default in force and said only "Extra inputs are not
    permitted": the closest name is offered, at any depth, in events, policies, responders and
    stored states; a name like none of them lists the names there are."""
    with pytest.raises(InvalidInputError, match=r"^chanels: not a field; did you mean 'channels'"):
        cadence.parse_event({"type": "opted_out", "at": _MONDAY, "chanels": ["phone"]})
    cases = {
        "policy.json": (
            {"min_gap_busines_days": 2},
            "min_gap_busines_days: not a field; did you mean 'min_gap_business_days'?",
        ),
        "nested.json": (
            {"templates": {"voicemal": "x"}},
            "templates.voicemal: not a field; did you mean 'voicemail'?",
        ),
        "far.json": ({"zzz": 1}, "zzz: not a field; the fields here are breakup_wait_business"),
        # A required field in another case is missing too: that said "call_slots.0.name:
        # missing; policy needs it", and not why.
        "case.json": (
            {"call_slots": [{"Name": "am", "start": "09:00", "end": "12:00"}]},
            "call_slots.0.Name: not a field; did you mean 'name'? (and 1 more problem)",
        ),
    }
    for name, (data, said) in cases.items():
        (tmp_path / name).write_text(json.dumps(data))
        with pytest.raises(InvalidInputError) as info:
            read_policy(tmp_path / name)
        assert str(info.value).startswith(f"{tmp_path / name}: {said}"), str(info.value)
        assert info.value.field == said.split(":", 1)[0]
    (tmp_path / "responder.json").write_text('{"answer_rte": 0.2}')
    with pytest.raises(InvalidInputError, match="answer_rte: not a field; did you mean 'answer_"):
        read_responder(tmp_path / "responder.json")


def test_a_policy_tweaked_with_model_copy_is_checked_by_the_engine(monday: datetime) -> None:
    """pydantic's ``model_copy(update=...)`` validates nothing: a policy with a gap of 0
    business days ran (DESIGN §9 refuses zero gaps), and so did a simulation of it. The
    engine checks a policy validation did not make; one it did is taken as it is."""
    policy = Policy()
    assert cadence.Engine(policy).policy is policy
    zero = policy.model_copy(update={"min_gap_business_days": 0})
    with pytest.raises(InvalidInputError, match=r"^min_gap_business_days: .*greater than or eq"):
        cadence.Engine(zero)
    with pytest.raises(InvalidInputError, match=r"^min_gap_business_days: "):
        cadence.simulate(zero, prospects=2, days=2, seed=1)
    misspelt = policy.model_copy(update={"min_gap_busines_days": 2})
    with pytest.raises(InvalidInputError, match="did you mean 'min_gap_business_days'"):
        cadence.Engine(misspelt)
    two = policy.model_copy(update={"min_gap_business_days": 2})
    engine = cadence.Engine(two)
    assert engine.policy == two
    assert engine.policy.min_gap_business_days == 2
    p = engine.enroll("p", timezone="America/Chicago", at=monday, country="US")
    assert engine.next_action(p, monday).kind is cadence.ActionKind.CALL


def test_a_message_shows_the_start_of_a_huge_input_not_all_of_it() -> None:
    """A webhook's field can be megabytes, and YAML aliases nest a billion items in a few
    lines: the one-line message shows their start (it used to print all of them)."""
    huge = {"type": "call_attempted", "at": "2026-03-09T10:00:00Z", "outcome": "x" * 1_000_000}
    with pytest.raises(InvalidInputError, match=r"^outcome: .* \(got 'xxx.*\.\.\.x*'\)$") as info:
        cadence.parse_event(huge)
    assert len(str(info.value)) < 400
    nested: list[Any] = ["x"] * 10
    for _ in range(7):  # ten million leaves, shared as YAML aliases share them
        nested = [nested] * 10
    with pytest.raises(InvalidInputError, match=r"^next_contact_at: ") as info:
        cadence.parse_event({**huge, "outcome": "connected", "next_contact_at": nested})
    assert len(str(info.value)) < 600


@pytest.mark.parametrize("data", ["{not json", b"[]", "42", 42, None, ["x"]])
def test_parse_event_rejects_non_objects(data: Any) -> None:
    with pytest.raises(InvalidInputError):
        cadence.parse_event(data)


def test_naive_datetime_is_an_error_never_a_guess(engine: cadence.Engine, monday: datetime) -> None:
    with pytest.raises(InvalidInputError, match="naive") as info:
        engine.enroll("p", timezone="America/Chicago", at=monday.replace(tzinfo=None))
    assert info.value.field == "at"
    p = _enroll(engine, monday)
    with pytest.raises(InvalidInputError, match="now"):
        engine.next_action(p, monday.replace(tzinfo=None))
    with pytest.raises(ValueError, match="naive"):
        ev.EmailSent(at=monday.replace(tzinfo=None))


class _NoOffset(tzinfo):
    """A tzinfo that knows no offset: Python calls such a datetime naive too."""

    def utcoffset(self, dt: datetime | None) -> None:
        return None

    def dst(self, dt: datetime | None) -> None:
        return None

    def tzname(self, dt: datetime | None) -> str:
        return "?"


def test_a_datetime_whose_zone_gives_no_offset_is_naive(
    engine: cadence.Engine, monday: datetime
) -> None:
    unknown = monday.replace(tzinfo=_NoOffset())
    p = _enroll(engine, monday)
    for asked in (engine.next_action, engine.plan, engine.advance):
        with pytest.raises(InvalidInputError, match=r"^now: .* is a naive datetime") as info:
            asked(p, unknown)
        assert info.value.field == "now"
    with pytest.raises(InvalidInputError, match=r"^at: .* is a naive datetime"):
        engine.enroll("q", timezone="America/Chicago", at=unknown)
    with pytest.raises(ValueError, match="naive"):
        ev.EmailSent(at=unknown)


class _IntOffset(_NoOffset):
    """A tzinfo that gives its offset as a number of hours, not a timedelta."""

    def utcoffset(self, dt: datetime | None) -> Any:
        return 5


class _DayOffset(_NoOffset):
    """A tzinfo whose offset is a day or more: no offset ``datetime`` can use."""

    def utcoffset(self, dt: datetime | None) -> Any:
        return timedelta(hours=30)


class _Unfinished(_NoOffset):
    """A tzinfo subclass that left ``utcoffset`` as ``tzinfo``'s (NotImplementedError)."""

    utcoffset = tzinfo.utcoffset  # type: ignore[assignment]


@pytest.mark.parametrize("odd", [_IntOffset(), _DayOffset(), _Unfinished()], ids=type)
def test_a_datetime_whose_zone_gives_an_offset_python_cannot_use_is_refused(
    engine: cadence.Engine, monday: datetime, odd: tzinfo
) -> None:
    """A broken tzinfo raised its TypeError, NotImplementedError or a bare ValueError from
    every entry point: now an error naming the field, the tzinfo and the fix."""
    broken = monday.replace(tzinfo=odd)
    p = _enroll(engine, monday)
    shown = rf"{type(odd).__name__}\) that gives no UTC offset cadence can use"
    for asked in (engine.next_action, engine.plan, engine.advance):
        with pytest.raises(InvalidInputError, match=rf"^now: .*{shown}") as info:
            asked(p, broken)
        assert info.value.field == "now"
    with pytest.raises(InvalidInputError, match=rf"^at: .*{shown}"):
        engine.enroll("q", timezone="America/Chicago", at=broken)
    with pytest.raises(InvalidInputError, match=rf"^at: .*{shown}") as info:
        cadence.parse_event({"type": "email_sent", "at": broken})
    with pytest.raises(InvalidInputError, match=rf"^next_contact_at: .*{shown}"):
        cadence.parse_event(
            {"type": "meeting_held", "at": monday, "meeting_id": "m", "next_contact_at": broken}
        )
    with pytest.raises(ValueError, match=shown):
        ev.EmailSent(at=broken)


@pytest.mark.parametrize("zone", ["EST5", "Mars/Olympus", "", " America/Chicago", "../etc"])
def test_unknown_zone_is_an_error(engine: cadence.Engine, monday: datetime, zone: str) -> None:
    with pytest.raises(InvalidInputError, match="IANA") as info:
        engine.enroll("p", timezone=zone, at=monday)
    assert info.value.field == "timezone"


def test_unknown_country_or_subdivision(engine: cadence.Engine, monday: datetime) -> None:
    with pytest.raises(InvalidInputError, match="'XX'"):
        engine.enroll("p", timezone="America/Chicago", at=monday, country="XX")
    with pytest.raises(InvalidInputError, match=r"^subdivision: 'ZZ' is not a subdivision of US"):
        engine.enroll("p", timezone="America/Chicago", at=monday, country="US", subdivision="ZZ")


def test_wrong_types_raise_cadence_errors(engine: cadence.Engine, monday: datetime) -> None:
    p = _enroll(engine, monday)
    with pytest.raises(InvalidInputError, match="parse_event"):
        engine.apply(p, {"type": "email_sent"})  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match="got Prospect"):  # a model, but not an event
        engine.apply(p, p)  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match="Prospect"):
        engine.next_action("p1", monday)  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match=r"^prospect: expected a cadence\.Prospect"):
        engine.calendar("acme-42")  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match="now"):
        engine.plan(p, "tomorrow")  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match="policy"):
        cadence.Engine({"min_gap_business_days": 2})  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match="prospect_id"):
        engine.enroll("", timezone="America/Chicago", at=monday)


@pytest.mark.parametrize("blank", [" ", "\t", "  \n"])
def test_a_blank_prospect_id_is_named_as_the_argument_given(
    engine: cadence.Engine, monday: datetime, blank: str
) -> None:
    """A CRM's empty id field padded with spaces, given to ``enroll`` or ``replay``: the error
    named ``id`` (the stored state's field, not the argument) and said to leave it out
    "where optional", though a prospect cannot go without one."""
    calls: list[Callable[[], object]] = [
        lambda: engine.enroll(blank, timezone="America/Chicago", at=monday),
        lambda: engine.replay(blank, [], timezone="America/Chicago", at=monday),
    ]
    for call in calls:
        with pytest.raises(InvalidInputError, match=r"^prospect_id: .*blank") as caught:
            call()
        assert caught.value.field == "prospect_id"
        assert caught.value.value == blank
        assert "optional" not in str(caught.value)


def test_bad_policies_are_value_errors_naming_the_knob() -> None:
    for kwargs in (
        {"min_gap_business_days": 0},
        {"min_gap_business_days": -1},
        {"weekmask": "1111111x"},
        {"weekmask": "0000000"},
        {"opt_out_offer_after": 0},
    ):
        with pytest.raises(ValueError, match=next(iter(kwargs))):
            Policy(**kwargs)


_DAY = TimeSlot(name="day", start="09:00", end="17:00")


@pytest.mark.parametrize(
    ("kwargs", "names"),
    [
        (
            {"call_slots": ({"name": "am", "start": "09:00+01:00", "end": "12:00"},)},
            ("call_slots", "slot 'am': start and end are local wall-clock times; drop the tzinfo"),
        ),
        (
            {"call_slots": ({"name": "late", "start": "22:00", "end": "02:00"},)},
            (
                "call_slots",
                "slot 'late': start 22:00:00 must be before end",
                "split it in two there: 22:00-24:00 and 00:00-02:00",
            ),
        ),
        (
            {
                "email_hours": (
                    {"name": "a", "start": "09:00", "end": "12:00"},
                    {"name": "b", "start": "11:00", "end": "13:00"},
                )
            },
            ("email_hours", "slots 'a' and 'b' overlap; make them disjoint"),
        ),
        ({"call_slots": ()}, ("call_slots", "needs at least one slot, e.g. TimeSlot(")),
        (
            {
                "weekday_hours": (
                    {"weekday": 5, "channel": "phone", "slots": (_DAY,)},
                    {"weekday": 5, "channel": "phone", "slots": ()},
                )
            },
            ("weekday_hours: one entry per (weekday, channel); merge the duplicates",),
        ),
        # Each step was taken as often as listed: the manager asked twice to call the superior.
        (
            {"escalations": ("manager_escalation", "contact_receptionist", "manager_escalation")},
            ("escalations: 'manager_escalation' listed more than once; list each step once",),
        ),
        # Saturday's hours with Saturday off were kept, and never used.
        (
            {"weekday_hours": ({"weekday": 5, "channel": "phone", "slots": (_DAY,)},)},
            (
                "weekday_hours: weekday 5 (Saturday) has phone hours, but weekmask '1111100' "
                "makes it a day off",
                "write weekmask '1111110' to work that day, or drop the entry",
            ),
        ),
        # Every prospect's first email raised NoSlotError.
        (
            {
                "weekmask": "0000011",
                "weekday_hours": (
                    {"weekday": 5, "channel": "email", "slots": ()},
                    {"weekday": 6, "channel": "email", "slots": ()},
                ),
            },
            (
                "weekday_hours: closes email on every working day of weekmask '0000011' "
                "(Saturday, Sunday), so no email contact could ever be made",
            ),
        ),
        (
            {"team_subdivision": "IL"},
            ("team_subdivision needs team_country (e.g. team_country='US')",),
        ),
        # A proposed meeting ran past the calling hours (a 14:00 start for five hours).
        (
            {
                "meeting_minutes": 300,
                "call_slots": (
                    {"name": "am", "start": "09:00", "end": "12:00"},
                    {"name": "pm", "start": "13:00", "end": "17:00"},
                ),
            },
            (
                "meeting_minutes: 300 is longer than any stretch of calling hours on a working "
                "day (the longest is Monday's 13:00-17:00, 240 minutes)",
                "give meeting_minutes at most 240, or widen call_slots",
            ),
        ),
        # A text the engine fills (was a KeyError at every prospect's first call, or worse).
        (
            {"templates": {"voicemail": "Call {nope}"}},
            ("templates.voicemail: {nope} is not a field", "it may hold {next_attempt}"),
        ),
        (
            {"templates": {"voicemail": "Say {next_attempt.__class__.__mro__}"}},
            ("templates.voicemail: {next_attempt.__class__.__mro__} is not a field",),
        ),
        (
            {"templates": {"voicemail_email": "Left {next_attempt!r}"}},
            ("templates.voicemail_email: {next_attempt!r}", "it may hold {voicemail_day}"),
        ),
        # A blank text was a blank talking point, or an email without a subject.
        (
            {"templates": {"ask_channel": " "}},
            ("templates.ask_channel: blank; write the text, or leave ask_channel out",),
        ),
        (
            {"templates": {"switch_to_email_subject": ""}},
            ("templates.switch_to_email_subject: blank;",),
        ),
        (
            {"templates": {"switch_to_email_subject": "Re: {topic"}},
            ("templates.switch_to_email_subject: expected '}'", "write a literal brace twice"),
        ),
        # An email subject of two lines, cut by a mail client or read as another header.
        (
            {"templates": {"switch_to_email_subject": "Your request\nabout {topic}"}},
            (
                "templates.switch_to_email_subject: 'Your request\\nabout {topic}' is not one "
                "line; an email subject is: remove the line breaks",
            ),
        ),
        # A text the engine does not fill was said with its braces ("Hi {first_name}, ...").
        (
            {"templates": {"breakup": "Hi {first_name}, I am closing your file."}},
            (
                "templates.breakup: {first_name} is not a field this text can hold",
                "it holds none: write the words themselves (a literal brace twice)",
            ),
        ),
        (
            {"templates": {"drip_touch": "Share {news"}},
            ("templates.drip_touch: expected '}'", "write a literal brace twice"),
        ),
    ],
    ids=[
        "slot-tz",
        "slot-reversed",
        "slots-overlap",
        "no-slots",
        "weekday-twice",
        "escalation-twice",
        "hours-on-a-day-off",
        "closed-every-day",
        "sub-alone",
        "meeting-too-long",
        "unknown-field",
        "attribute",
        "conversion",
        "blank-point",
        "blank-subject",
        "brace",
        "subject-two-lines",
        "field-in-a-plain-text",
        "brace-in-a-plain-text",
    ],
)
def test_a_bad_policy_says_which_knob_and_how_to_fix_it(
    kwargs: dict[str, Any], names: tuple[str, ...]
) -> None:
    with pytest.raises(ValueError, match=re.escape(names[0])) as info:
        Policy(**kwargs)
    for text in names:
        assert text in str(info.value)


def test_a_window_across_midnight_is_written_as_the_refusal_says(monday: datetime) -> None:
    """The refusal of 22:00-02:00 said to split it in two, and its first half, ending at
    midnight, could not be written: 24:00 was not a time."""
    with pytest.raises(ValueError, match="split it in two there: 22:00-24:00 and 00:00-02:00"):
        TimeSlot(name="late", start="22:00", end="02:00")
    night = Policy.model_validate(
        {
            "weekmask": "1111111",
            "email_hours": [
                {"name": "late", "start": "22:00", "end": "24:00"},
                {"name": "early", "start": "00:00", "end": "02:00"},
            ],
        }
    )
    assert night.email_hours[1].end == time.max
    assert Policy.model_validate_json(night.model_dump_json()) == night
    engine = cadence.Engine(night)
    zone = ZoneInfo("America/Chicago")
    late = datetime(2026, 3, 3, 23, 30, tzinfo=zone)
    p = engine.enroll("p", timezone="America/Chicago", at=late, country="US")
    p = engine.apply(p, cadence.events.CallAttempted(at=late, outcome="voicemail"))
    email = engine.next_action(p, late)  # R6: the same night, before midnight
    assert email.kind is cadence.ActionKind.EMAIL
    assert email.earliest == late + timedelta(minutes=5)
    assert email.latest.date() == late.date()
    assert email.latest.time() >= time(23, 59, 59)


def test_no_slot_without_a_legal_rule_says_what_leaves_no_time(monday: datetime) -> None:
    """Without a legal rule to blame, the message had no verb: "the policy's hours 09:00-17:00
    on weekmask '0000001' once holidays are removed"."""
    sundays = frozenset(date(2026, 3, 8) + timedelta(weeks=n) for n in range(60))
    policy = Policy(weekmask="0000001", extra_holidays=sundays, legal_guards=False)
    engine = cadence.Engine(policy)
    p = engine.enroll("p", timezone="Europe/Berlin", at=monday, country="DE")
    with pytest.raises(cadence.NoSlotError) as info:
        engine.next_action(p, monday)
    assert "on weekmask '0000001' leave no time once holidays are removed; widen" in str(info.value)


def test_a_literal_brace_written_twice_is_said_once(monday: datetime) -> None:
    said = "If you reach voicemail: {{brief}}, then say you will try again {next_attempt}."
    engine = cadence.Engine(Policy(templates={"voicemail": said}))
    p = _enroll(engine, monday)
    point = engine.next_action(p, monday).talking_points[0]
    assert point.startswith("If you reach voicemail: {brief}, then say you will try again on ")


def test_an_outcome_that_cannot_carry_a_conversations_fields_is_refused(monday: datetime) -> None:
    for extra in ({"permission": True}, {"next_contact_at": "2026-03-12T10:00:00Z"}):
        payload = {"type": "call_attempted", "at": "2026-03-09T15:00:00Z", "outcome": "voicemail"}
        with pytest.raises(InvalidInputError, match="need a live conversation, but outcome is"):
            cadence.parse_event({**payload, **extra})


def test_a_subdivision_without_a_country_is_refused(
    engine: cadence.Engine, monday: datetime
) -> None:
    with pytest.raises(InvalidInputError, match="subdivision 'IL' needs a country") as info:
        engine.enroll("p", timezone="America/Chicago", at=monday, subdivision="IL")
    assert info.value.field == "country"


_AT = "2026-03-09T15:00:00Z"
_NEVER = "9999-01-01T10:00:00Z"


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"type": "out_of_office", "at": _AT, "until": "9999-12-31T23:59:59-05:00"}, "until"),
        ({"type": "out_of_office", "at": _AT, "until": "9999-12-31T00:00:00Z"}, "until"),
        (
            {
                "type": "call_attempted",
                "at": _AT,
                "outcome": "connected",
                "next_contact_at": "9000-01-01T00:00:00Z",
            },
            "next_contact_at",
        ),
        (
            {"type": "meeting_booked", "at": _AT, "meeting_id": "m", "starts_at": _NEVER},
            "starts_at",
        ),
        ({"type": "email_sent", "at": "0001-01-01T00:00:00+05:00"}, "at"),
        ({"type": "email_sent", "at": "1899-12-31T23:59:59Z"}, "at"),
    ],
    ids=["until-9999", "until-9999-utc", "next-contact-9000", "meeting-9999", "year-1", "1899"],
)
def test_a_stand_in_for_never_or_unknown_is_refused_naming_the_field(
    engine: cadence.Engine, monday: datetime, payload: dict[str, Any], field: str
) -> None:
    """A CRM's 9999-12-31 for "never" (or 0001-01-01 for "unknown") was stored, and every
    later question about the prospect failed with a bare ValueError or OverflowError: the
    calendar looks years past an instant. It is refused at the edge, and nothing is lost."""
    with pytest.raises(InvalidInputError, match="outside the instants cadence plans in") as info:
        cadence.parse_event(payload)
    assert info.value.field == field
    assert "leave an optional one out" in str(info.value)


def test_instants_at_the_ends_of_the_range_are_planned_or_refused_never_crash(
    engine: cadence.Engine,
) -> None:
    far = datetime(9999, 12, 31, 23, 59, tzinfo=UTC)
    ahead = datetime(8999, 12, 31, 23, 59, tzinfo=UTC)
    p = _enroll(engine, datetime(2026, 3, 9, 15, tzinfo=UTC))
    with pytest.raises(InvalidInputError, match=r"^now: .* \(years 1900 to 8999\); pass the real"):
        engine.next_action(p, far)
    with pytest.raises(InvalidInputError, match=r"^at: '0001-01-01T00:00:00\+00:00' is outside"):
        engine.enroll("p", timezone="America/Chicago", at=datetime(1, 1, 1, tzinfo=UTC))
    for last in (date(9999, 12, 30), date.max):  # (the last date: no day after it)
        with pytest.raises(InvalidInputError, match=rf"^day: {last} is outside the years"):
            plan_day(engine, [p], day=last, now=ahead, capacity=1)
    # The last instants of the range are planned, years of calendar after them included.
    away = engine.apply(p, ev.OutOfOffice(at=p.last_event_at, until=ahead))
    assert engine.next_action(away, ahead).earliest_utc >= ahead
    late = engine.enroll("q", timezone="Pacific/Kiritimati", at=ahead, country="KI")
    assert engine.plan(late, ahead)[0].kind is cadence.ActionKind.CALL
    first = datetime(1900, 1, 1, tzinfo=UTC)
    early = engine.enroll("r", timezone="America/Chicago", at=first, country="US")
    assert engine.next_action(early, first).earliest_utc >= first
    # A state stored by a version that took 9999-12-31 is refused on load, not planned.
    stored = json.loads(away.model_dump_json())
    stored["paused_until"] = "9999-12-31T23:59:00Z"
    with pytest.raises(ValueError, match=r"paused_until\n.* is outside what a stored state may"):
        cadence.Prospect.model_validate(stored)


def test_a_policy_with_no_allowed_window_raises_no_slot(monday: datetime) -> None:
    # Calls only 06:00-07:00: the US federal window (08:00-21:00) leaves nothing.
    policy = Policy(call_slots=(TimeSlot(name="dawn", start="06:00", end="07:00"),))
    engine = cadence.Engine(policy)
    p = _enroll(engine, monday)
    with pytest.raises(NoSlotError, match="06:00-07:00") as info:
        engine.next_action(p, monday)
    assert isinstance(info.value, CadenceError)


def test_failed_apply_leaves_the_state_untouched(engine: cadence.Engine, monday: datetime) -> None:
    p = _enroll(engine, monday)
    p = engine.apply(p, ev.CallAttempted(at=monday, outcome="voicemail", id="e1"))
    before = p.model_dump()
    with pytest.raises(LateEventError, match="replay"):
        engine.apply(p, ev.EmailSent(at=monday - timedelta(hours=1)))
    with pytest.raises(ConflictingEventError, match="e1"):
        engine.apply(p, ev.CallAttempted(at=monday, outcome="no_answer", id="e1"))
    assert p.model_dump() == before


def test_duplicate_event_is_a_no_op(engine: cadence.Engine, monday: datetime) -> None:
    p = _enroll(engine, monday)
    e = ev.CallAttempted(at=monday, outcome="voicemail", id="e1")
    once = engine.apply(p, e)
    twice = engine.apply(once, e)
    assert twice is once
    same_instant_other_offset = ev.CallAttempted(
        at=monday.astimezone(cadence.calendar.zone("Asia/Tokyo")), outcome="voicemail", id="e1"
    )
    assert engine.apply(once, same_instant_other_offset) is once


def test_a_state_that_forgets_ids_stays_small_and_never_applies_one_twice(
    monday: datetime,
) -> None:
    """``event_id_memory_days``: three years of daily emails leave a month of ids in the
    state (the default remembers all of them); a redelivery inside the month is a no-op, one
    older is refused as late with a message that says what to do, and the state is untouched."""
    forever, month = cadence.Engine(Policy()), cadence.Engine(Policy(event_id_memory_days=30))
    p = q = _enroll(month, monday)
    sent = [ev.EmailSent(at=monday + timedelta(days=d), id=f"mail-{d}") for d in range(1096)]
    for e in sent:
        p, q = forever.apply(p, e), month.apply(q, e)
    assert len(p.seen) == 1096
    assert sorted(q.seen) == sorted(f"mail-{d}" for d in range(1065, 1096))  # 30 days back
    assert len(q.model_dump_json()) < len(p.model_dump_json()) / 10
    assert month.apply(q, sent[1065]) is q
    before = q.model_dump()
    with pytest.raises(LateEventError, match=r"redelivery, drop it.*event_id_memory_days=30"):
        month.apply(q, sent[1064])
    assert q.model_dump() == before
    # A state stored while every id was remembered: its ids count from its newest event.
    r = month.apply(p, ev.EmailSent(at=sent[-1].at + timedelta(days=29), id="next"))
    stamps = {int(at.timestamp()) * 1_000_000 for at in (sent[-1].at, r.last_event_at)}
    assert len(r.seen) == 1097
    assert set(r.seen_at.values()) == stamps
    r = month.apply(r, ev.EmailSent(at=sent[-1].at + timedelta(days=31), id="later"))
    assert sorted(r.seen) == ["later", "next"]


def test_replay_takes_an_id_again_once_apply_forgot_it(monday: datetime) -> None:
    """With ``event_id_memory_days=1`` an id is free again a day after its event: ``apply``
    took a call that reused an email's id three days later, and ``replay`` of the same log
    refused it (``ConflictingEventError``: it checked ids across the whole history). It now
    forgets ids as ``apply`` does, in any order of the log, a redelivery included; an id
    reused while it is remembered is still a conflict for both."""
    engine = cadence.Engine(Policy(event_id_memory_days=1))
    email = ev.EmailSent(at=monday, id="a")
    call = ev.CallAttempted(at=monday + timedelta(days=3, hours=1), outcome="voicemail", id="a")
    log: list[ev.Event] = [email, ev.EmailSent(at=monday + timedelta(days=3)), call]
    p = _enroll(engine, monday)
    for e in log:
        p = engine.apply(p, e)
        if e is log[1]:  # the email delivered again once "a" is forgotten: refused as late
            with pytest.raises(LateEventError, match="redelivery, drop it"):
                engine.apply(p, email)
    assert p.seen == {"a": ev.event_fingerprint(call)}
    with pytest.raises(ConflictingEventError):  # and now "a" is the call's
        engine.apply(p, email)
    for history in (log, log[::-1], [email, *log]):
        q = engine.replay("p1", history, timezone="America/Chicago", country="US", subdivision="IL")
        assert q.model_dump_json() == p.model_dump_json()
    # Without the email in between, "a" is remembered when the call comes: a conflict.
    q = engine.apply(_enroll(engine, monday), email)
    with pytest.raises(ConflictingEventError, match="'a'"):
        engine.apply(q, call)
    with pytest.raises(ConflictingEventError, match=r"'a'.*event_id_memory_days=1.*own id"):
        engine.replay("p1", [call, email], timezone="America/Chicago", at=monday)


@pytest.mark.parametrize("between", [None, 3], ids=["remembered", "forgotten"])
def test_a_late_opt_out_under_a_remembered_id_replays_without_taking_it(
    monday: datetime, between: int | None
) -> None:
    """R13 under ``event_id_memory_days``: an opt-out logged before an email that shares its
    id, delivered after it, is honoured without the id (``apply``); ``replay`` sorts the
    opt-out first, and gives its id up to the email while it would still remember it. An
    email after the opt-out's id is forgotten takes the id either way."""
    engine = cadence.Engine(Policy(event_id_memory_days=1))
    opt_out = ev.OptedOut(at=monday, id="a", channels=frozenset({Channel.EMAIL}))
    later = monday + timedelta(days=4)
    log: list[ev.Event] = [ev.EmailSent(at=later, id="a")]
    if between is not None:
        log.insert(0, ev.EmailSent(at=monday + timedelta(days=between)))
    p = _enroll(engine, monday - timedelta(hours=1))
    for e in [*log, opt_out]:  # the opt-out last, late
        p = engine.apply(p, e)
    assert p.seen == {"a": ev.event_fingerprint(log[-1])}
    assert p.seen_at == {"a": int(later.timestamp()) * 1_000_000}
    q = engine.replay(
        "p1", [opt_out, *log], timezone="America/Chicago", at=monday - timedelta(hours=1)
    )
    assert (q.seen, q.seen_at, q.blocked_channels) == (p.seen, p.seen_at, p.blocked_channels)


def test_newer_schema_version_is_refused(engine: cadence.Engine, monday: datetime) -> None:
    data = _enroll(engine, monday).model_dump(mode="json")
    data["schema_version"] = 99
    with pytest.raises(ValueError, match="upgrade cadence"):
        cadence.Prospect.model_validate(data)
    with pytest.raises(ValueError, match="upgrade cadence"):
        Policy.model_validate({"schema_version": 99})


def test_a_stored_version_this_cadence_cannot_read_is_a_schema_version_error(
    engine: cadence.Engine, monday: datetime, tmp_path: Any
) -> None:
    """``cadence.SchemaVersionError`` was exported and documented, and never raised: a CRM's
    ``except cadence.SchemaVersionError`` (to say "upgrade cadence" rather than "corrupt
    state") caught nothing. The loaders a host calls raise it, naming ``schema_version``;
    it is still a ValueError (DESIGN §9)."""
    state = _enroll(engine, monday).model_dump(mode="json")
    loads: list[Callable[[], object]] = [
        lambda: cadence.Prospect.model_validate({**state, "schema_version": 99}),
        lambda: cadence.Prospect.model_validate_json(json.dumps({**state, "schema_version": 99})),
        lambda: cadence.Prospect.model_validate({**state, "schema_version": 0}),
        lambda: Policy.model_validate({"schema_version": 99}),
        lambda: Policy.model_validate_json('{"schema_version": 99}'),
    ]
    for load in loads:
        with pytest.raises(cadence.SchemaVersionError, match="schema_version") as caught:
            load()
        assert caught.value.field == "schema_version"
        assert isinstance(caught.value, ValueError)
    (tmp_path / "policy.json").write_text('{"schema_version": 99}')
    with pytest.raises(cadence.SchemaVersionError, match=r"policy\.json: .*upgrade cadence"):
        read_policy(tmp_path / "policy.json")
    # What else is wrong with a state is pydantic's error, as before.
    with pytest.raises(ValidationError):
        cadence.Prospect.model_validate({**state, "stage": "won"})


def test_replay_of_nothing_needs_an_instant(engine: cadence.Engine) -> None:
    with pytest.raises(InvalidInputError, match="at"):
        engine.replay("p", [], timezone="America/Chicago")


def test_replay_says_what_is_not_a_history(engine: cadence.Engine, monday: datetime) -> None:
    """A history is events or their JSON: anything else was a TypeError, an AttributeError
    (a Prospect in the list) or a JSON error per character of a string."""
    sent = {"type": "email_sent", "at": monday.isoformat()}
    for events in (None, "[]", sent, 42):
        with pytest.raises(InvalidInputError, match=r"^events: expected a list \(or any") as info:
            engine.replay("p", events, timezone="America/Chicago")  # type: ignore[arg-type]
        assert info.value.field == "events"
    p = _enroll(engine, monday)
    for bad, name in (([p], "Prospect"), ([ev.EmailSent(at=monday), 5], "int")):
        with pytest.raises(InvalidInputError, match=rf"^events: item \d \({name}\) is not an"):
            engine.replay("p", bad, timezone="America/Chicago")  # type: ignore[arg-type]
    mixed: list[ev.Event | dict[str, str] | str] = [
        ev.EmailSent(at=monday),
        sent | {"id": "a"},
        '{"type": "opted_out", "at": "2026-03-20T10:00:00Z"}',
    ]
    assert engine.replay("p", mixed, timezone="America/Chicago").stage is cadence.Stage.OPTED_OUT


def test_replay_names_the_item_of_the_history_that_is_bad(
    engine: cadence.Engine, monday: datetime
) -> None:
    """A CRM replaying thousands of stored webhooks learns which one to fix, and the error
    still names the field (it said only "at: ... is a naive datetime")."""
    sent = {"type": "email_sent", "at": monday.isoformat()}
    history: list[Any] = [sent] * 5 + [{**sent, "at": "2026-03-09T10:00:00"}]
    with pytest.raises(InvalidInputError, match=r"^events: item 5: at: .* naive") as info:
        engine.replay("p", [*history, sent], timezone="America/Chicago")
    assert (info.value.field, info.value.value) == ("at", "2026-03-09T10:00:00")
    history[5] = '{"type": "teleport", "at": "2026-03-09T10:00:00Z"}'
    with pytest.raises(InvalidInputError, match=r"^events: item 5: type: 'teleport' is not"):
        engine.replay("p", history, timezone="America/Chicago")


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        # What most CRMs send for an id: a JSON number (HubSpot's, Salesforce's)
        (
            {"type": "email_sent", "at": _MONDAY, "id": 48151623},
            'id: expected a string, got the number 48151623; send it as a string, e.g. "48151623"',
        ),
        (
            {"type": "meeting_no_show", "at": _MONDAY, "meeting_id": 7},
            'meeting_id: expected a string, got the number 7; send it as a string, e.g. "7"',
        ),
        # A JSON null is null, not Python's 'None'
        ({"type": None, "at": _MONDAY}, "type: null is not an event type; use one of "),
        ({"type": True, "at": _MONDAY}, "type: true is not an event type; use one of "),
        ('{"type": null, "at": "2026-03-09T10:00:00Z"}', "type: null is not an event type"),
        # An integer past Python's 4,300 digits has no repr: the message raised a ValueError
        (
            {"type": "email_sent", "at": _MONDAY, "id": 10**5000},
            "id: expected a string, got the number <a number too long to show>; send it as a",
        ),
    ],
)
def test_a_message_says_what_was_sent_as_json_spells_it_and_the_fix(
    payload: dict[str, Any] | str, message: str
) -> None:
    with pytest.raises(InvalidInputError) as info:
        cadence.parse_event(payload)
    assert str(info.value).startswith(message), str(info.value)


def test_a_redelivered_call_counts_once_toward_the_florida_cap() -> None:
    from cadence.policy import TimeSlot

    wide = cadence.Policy(call_slots=(TimeSlot(name="day", start="08:00", end="21:00"),))
    engine = cadence.Engine(wide)
    t0 = datetime(2026, 3, 9, 9, 0, tzinfo=cadence.calendar.zone("America/New_York"))
    p = engine.enroll("fl", timezone="America/New_York", at=t0, country="US", subdivision="FL")
    first = ev.CallAttempted(at=t0, outcome="no_answer", id="dialer-1")
    p = engine.apply(p, first)
    p = engine.apply(
        p, ev.CallAttempted(at=t0 + timedelta(hours=1), outcome="no_answer", id="dialer-2")
    )
    for _ in range(3):  # the dialer's webhook retries the first call three times
        p = engine.apply(p, first)
    assert len(p.recent_calls) == 2
    agreed = t0 + timedelta(hours=3)
    p = engine.apply(
        p,
        ev.CallAttempted(
            at=t0 + timedelta(hours=2), outcome="connected", next_contact_at=agreed, id="dialer-3"
        ),
    )
    # Three distinct calls: the promised fourth waits 24 h after the first (FL: 3 per 24 h).
    act = engine.next_action(p, t0 + timedelta(hours=2, minutes=1))
    call = next(a for a in engine.plan(p, t0 + timedelta(hours=2, minutes=1)) if "R1" in a.rules)
    assert call.earliest == t0 + timedelta(hours=24)
    assert act.earliest <= call.earliest


def test_blank_ids_are_refused_and_padded_ones_kept_as_given() -> None:
    with pytest.raises(InvalidInputError, match=r"^id: blank \(only spaces\); give a value"):
        cadence.parse_event({"type": "email_sent", "at": _MONDAY, "id": " "})
    # (a blank prospect_id: test_a_blank_prospect_id_is_named_as_the_argument_given)
    # An id is opaque: spaces around a real key are part of it, not trimmed away.
    assert cadence.parse_event({"type": "email_sent", "at": _MONDAY, "id": " a "}).id == " a "


@pytest.mark.parametrize("name", ["localtime", "Factory", "posixrules", "right/America/New_York"])
def test_zone_files_that_name_no_place_are_refused(name: str) -> None:
    """``localtime`` is the server's own zone (DESIGN §4: never the server's zone), ``Factory``
    means "unknown" and runs as UTC, ``right/`` zones count leap seconds. Each loaded."""
    engine = cadence.Engine(cadence.Policy())
    with pytest.raises(InvalidInputError, match=r"^timezone: .* names no place") as info:
        engine.enroll("p", timezone=name, at=datetime(2026, 3, 9, tzinfo=UTC))
    assert info.value.field == "timezone"


def test_a_country_that_is_not_a_string_is_refused_naming_the_field() -> None:
    """It raised a bare ``AttributeError`` (DESIGN §9: never)."""
    engine = cadence.Engine(cadence.Policy())
    with pytest.raises(InvalidInputError, match=r"^country: expected a country code") as info:
        engine.enroll(
            "p",
            timezone="America/New_York",
            at=datetime(2026, 3, 9, tzinfo=UTC),
            country=5,  # type: ignore[arg-type]
        )
    assert info.value.field == "country"


@pytest.mark.parametrize(
    "at", [datetime(2026, 3, 3, 16), datetime(9999, 12, 31, tzinfo=UTC), None, "3 March"]
)
def test_an_event_copied_without_validation_is_checked_by_apply(at: object) -> None:
    """pydantic's ``model_copy(update=...)`` does not validate: an instant that is naive,
    missing, out of range or not an instant escaped ``apply`` as a TypeError or OverflowError
    (DESIGN §9). (A valid instant as text is read, as ``parse_event`` reads it.)"""
    engine = cadence.Engine()
    t = datetime(2026, 3, 3, 15, 0, tzinfo=UTC)
    p = engine.enroll("a", timezone="America/Chicago", at=t, country="US", subdivision="IL")
    logged = ev.CallAttempted(at=t, outcome="voicemail", id="call-1")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # (pydantic warns when it dumps the wrong type)
        copied = logged.model_copy(update={"at": at})
        with pytest.raises(InvalidInputError) as info:
            engine.apply(p, copied)
    assert info.value.field == "at"


def _booked_and_called() -> tuple[cadence.Engine, cadence.Prospect, datetime]:
    """A prospect with a meeting, a promise and an id seen, and an instant after them."""
    engine = cadence.Engine()
    t = datetime(2026, 3, 3, 15, 0, tzinfo=UTC)
    p = engine.enroll("a", timezone="America/Chicago", at=t, country="US", subdivision="IL")
    agreed = t + timedelta(days=2)
    p = engine.apply(p, ev.CallAttempted(at=t, outcome="connected", next_contact_at=agreed, id="a"))
    p = engine.apply(p, ev.MeetingBooked(at=t, meeting_id="m1", starts_at=t + timedelta(days=3)))
    return engine, p, t + timedelta(hours=1)


class _Mine(ev.EmailSent):
    """A CRM's own subclass of an event."""


_LATER = _T + timedelta(hours=1)
_CALL = ev.CallAttempted(at=_LATER, outcome="voicemail")
_COPIES: list[tuple[Any, str]] = [
    (lambda: _CALL.model_copy(update={"outcome": "bogus"}), "outcome"),
    (lambda: _CALL.model_copy(update={"id": 5}), "id"),  # stored as an int: JSON makes it "5"
    (lambda: _CALL.model_copy(update={"id": ["x"]}), "id"),  # TypeError: unhashable
    (lambda: _CALL.model_copy(update={"id": ""}), "id"),
    (
        lambda: _CALL.model_copy(update={"next_contact_at": _LATER + timedelta(days=1)}),
        "next_contact_at",
    ),
    (
        lambda: ev.MeetingCancelled(at=_LATER, meeting_id="m1", by="rep").model_copy(
            update={"by": "nobody"}  # stored as status 'cancelled_by_nobody': never loads again
        ),
        "by",
    ),
    (
        lambda: ev.MeetingBooked(
            at=_LATER, meeting_id="m2", starts_at=_LATER + timedelta(days=1)
        ).model_copy(update={"duration_minutes": 10**12}),  # OverflowError from next_action
        "duration_minutes",
    ),
    (
        lambda: ev.OptedOut(at=_LATER).model_copy(update={"channels": frozenset({"fax"})}),
        "channels.0",
    ),
    (lambda: ev.EmailReplied(at=_LATER).model_copy(update={"intent": "angry"}), "intent"),
    (lambda: ev.EmailSent(at=_LATER).model_copy(update={"type": "email_replied"}), "type"),
    (lambda: ev.MeetingCancelled.model_construct(at=_LATER, meeting_id="m1"), "by"),  # type: ignore[call-arg]
    (lambda: ev.EmailSent.model_construct(), "at"),  # type: ignore[call-arg]  # AttributeError
    (lambda: _Mine(at=_LATER).model_copy(update={"id": 7}), "id"),  # KeyError on the subclass
]


@pytest.mark.parametrize(("made", "field"), _COPIES)
def test_an_event_made_without_validation_is_checked_and_the_state_kept(
    made: Any, field: str
) -> None:
    """pydantic's ``model_copy(update=...)`` and ``model_construct`` check nothing, and
    ``apply`` checked only an event's instants: a bogus outcome or intent was folded, a numeric
    id stored (its redelivery, once the state went through JSON, was applied again), a
    cancellation ``by`` someone stored a state that never loads again, and others escaped as a
    TypeError, an AttributeError or a KeyError (DESIGN §9). Now ``apply`` and ``replay`` refuse
    them, naming the field, and the caller's state is untouched."""
    engine, p, _ = _booked_and_called()
    before, kept = p.model_dump_json(), dict(p.__dict__)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # (pydantic warns when it dumps the wrong type)
        event = made()
        with pytest.raises(InvalidInputError) as info:
            engine.apply(p, event)
        assert info.value.field == field
        with pytest.raises(InvalidInputError, match=r"^events: item 1: ") as info:
            engine.replay("a", [ev.EmailSent(at=_T), event], timezone="America/Chicago")
        assert info.value.field == field
    assert p.model_dump_json() == before
    assert p.__dict__ == kept


def test_a_subclass_of_an_event_is_read_as_the_event() -> None:
    engine, p, later = _booked_and_called()
    assert engine.apply(p, _Mine(at=later, id="s")) == engine.apply(
        p, ev.EmailSent(at=later, id="s")
    )


_JUNK = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.text(max_size=8),
    st.sampled_from(["connected", "rep", "phone", "2026-03-05T10:00:00Z", "yes", "meeting"]),
    st.lists(st.sampled_from(["email", "phone", "x"]), max_size=2),
    st.datetimes(
        min_value=datetime(1899, 1, 1), max_value=datetime(9999, 1, 1), timezones=st.none()
    ),
    st.datetimes(
        min_value=datetime(2026, 3, 1), max_value=datetime(2027, 1, 1), timezones=st.just(UTC)
    ),
)


@given(
    base=st.sampled_from(
        [
            ev.CallAttempted(at=_LATER, outcome="connected", id="c"),
            ev.EmailReplied(at=_LATER, intent="not_now"),
            ev.MeetingBooked(at=_LATER, meeting_id="m2", starts_at=_LATER + timedelta(days=2)),
            ev.MeetingCancelled(at=_LATER, meeting_id="m1", by="prospect"),
            ev.MeetingHeld(at=_LATER, meeting_id="m1"),
            ev.OutOfOffice(at=_LATER),
            ev.OptedOut(at=_LATER),
            ev.DealClosed(at=_LATER, won=False),
            ev.ChannelPreference(at=_LATER, channel="email"),
            ev.ContactUpdated(at=_LATER, owner="bo"),
        ]
    ),
    data=st.data(),
)
def test_apply_takes_a_copied_event_exactly_as_its_validated_twin(base: Any, data: Any) -> None:
    """Whatever a ``model_copy(update=...)`` puts in an event's fields, ``apply`` gives what it
    gives the event validation makes of the same fields (pydantic's coercions included), or an
    ``InvalidInputError`` when validation refuses them; never another exception, and the
    caller's state is untouched either way."""
    engine, p, _ = _booked_and_called()
    names = sorted(n for n in type(base).model_fields if n != "type")
    update = data.draw(st.dictionaries(st.sampled_from(names), _JUNK, min_size=1, max_size=2))
    before = p.model_dump_json()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        copied = base.model_copy(update=update)
        try:
            twin = type(base).model_validate({**base.__dict__, **update})
        except ValueError:
            with pytest.raises(InvalidInputError):
                engine.apply(p, copied)
        else:
            try:
                expected: Any = engine.apply(p, twin)
            except InvalidInputError as exc:
                expected = (type(exc), exc.field, str(exc))
            try:
                got: Any = engine.apply(p, copied)
            except InvalidInputError as exc:
                got = (type(exc), exc.field, str(exc))
            assert got == expected
    assert p.model_dump_json() == before


@pytest.mark.parametrize(
    ("update", "field"),
    [
        ({"last_event_at": datetime(2026, 3, 3, 16)}, "last_event_at"),  # TypeError in apply
        ({"unanswered": "three"}, "unanswered"),  # TypeError in apply
        ({"meetings": ({"id": "m1"},)}, "meetings.0.starts_at"),  # AttributeError
        ({"seen": None}, "seen"),
        ({"stage": "Engaged"}, "stage"),
        ({"unanswered": -1}, "unanswered"),
    ],
)
def test_a_prospect_copied_without_validation_is_checked_by_every_call(
    update: dict[str, Any], field: str
) -> None:
    """A CRM that edits a loaded state with ``model_copy(update=...)`` (pydantic checks none
    of it) got a TypeError or an AttributeError from the engine, or a wrong state stored.
    Every call now checks such a copy first, naming the field; a valid copy is read as the
    state it spells, and the caller's copy is untouched."""
    engine, p, later = _booked_and_called()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        bad = p.model_copy(update=update)
        before = dict(bad.__dict__)
        for call in (
            lambda: engine.apply(bad, ev.EmailSent(at=later)),
            lambda: engine.next_action(bad, later),
            lambda: engine.plan(bad, later),
            lambda: engine.advance(bad, later + timedelta(days=90)),
            lambda: plan_day(engine, [bad], day=later.date(), now=later, capacity=9),
        ):
            with pytest.raises(InvalidInputError) as info:
                call()
            assert info.value.field == field
        assert bad.__dict__ == before
    good = p.model_copy(update={"owner": "bo", "unanswered": 2})
    same = cadence.Prospect.model_validate_json(good.model_dump_json())
    e = ev.EmailSent(at=later)
    assert engine.apply(good, e) == engine.apply(same, e)
    assert engine.plan(good, later) == engine.plan(same, later)


def test_an_event_copied_with_another_offset_is_the_same_event() -> None:
    """A copy re-timed in the prospect's zone is stored in UTC, as a parsed one is: the same
    webhook redelivered is a no-op, not a conflict."""
    engine = cadence.Engine()
    t = datetime(2026, 3, 3, 15, 0, tzinfo=UTC)
    p = engine.enroll("a", timezone="America/Chicago", at=t, country="US", subdivision="IL")
    logged = ev.CallAttempted(at=t, outcome="voicemail", id="call-1")
    local = logged.model_copy(update={"at": datetime(2026, 3, 3, 10, tzinfo=CHICAGO)})
    q = engine.apply(p, local)
    assert q.last_event_at == datetime(2026, 3, 3, 16, tzinfo=UTC)
    hook = {"type": "call_attempted", "at": "2026-03-03T16:00:00Z", "outcome": "voicemail"}
    assert engine.apply(q, cadence.parse_event({**hook, "id": "call-1"})) is q


@pytest.mark.parametrize(
    "knob",
    ["min_gap_business_days", "opt_out_offer_after", "event_id_memory_days", "drip_interval_days"],
)
def test_a_boolean_where_a_policy_wants_a_number_is_refused(knob: str) -> None:
    """pydantic's lax mode read ``true`` (YAML's ``yes``) as 1: R3's gap became one business
    day without a word (DESIGN §9)."""
    with pytest.raises(
        ValueError, match=f"{knob}[\\s\\S]*expected a whole number, got the boolean"
    ):
        Policy.model_validate_json(f'{{"{knob}": true}}')
    assert getattr(Policy.model_validate_json(f'{{"{knob}": 7}}'), knob) == 7


def test_a_boolean_meeting_length_or_cap_is_refused() -> None:
    hook = {
        "type": "meeting_booked",
        "at": "2026-03-03T15:00:00Z",
        "meeting_id": "m1",
        "starts_at": "2026-03-05T15:00:00Z",
        "duration_minutes": True,
    }
    with pytest.raises(InvalidInputError, match="duration_minutes"):
        cadence.parse_event(hook)
    with pytest.raises(ValueError, match="count"):
        cadence.compliance.Cap.model_validate({"count": True, "per": "PT24H"})


def test_an_opt_out_whose_id_another_event_had_is_honoured(monday: datetime) -> None:
    """A CRM that merges two sources numbering their events apart sends an opt-out with the id
    of an earlier call (`1001`). A conflicting id is refused for any other event; the opt-out
    is honoured all the same (R13), as a late one is, by `apply` and by `replay` alike."""
    engine = cadence.Engine()
    p = _enroll(engine, monday)
    call = ev.CallAttempted(at=monday, outcome="voicemail", id="1001")
    p = engine.apply(p, call)
    opt_out = ev.OptedOut(at=monday + timedelta(hours=1), id="1001")
    out = engine.apply(p, opt_out)
    assert out.stage is cadence.Stage.OPTED_OUT
    assert out.seen == p.seen  # the id still names the call: its redelivery stays a no-op
    assert engine.apply(out, call) is out
    with pytest.raises(ConflictingEventError):
        engine.apply(p, ev.EmailSent(at=monday + timedelta(hours=1), id="1001"))
    rebuilt = engine.replay(
        "p1", [call, opt_out], timezone="America/Chicago", at=monday, country="US", subdivision="IL"
    )
    assert rebuilt == out
    # Late, and sharing the id of an event after it: replay sorts it first, and honours it
    # without letting it take the id (which used to make the later event a conflict).
    sent = engine.apply(p, ev.EmailSent(at=monday + timedelta(hours=2), id="2002"))
    late = engine.apply(sent, ev.OptedOut(at=monday + timedelta(minutes=30), id="2002"))
    assert late.stage is cadence.Stage.OPTED_OUT
    history: list[ev.Event] = [call, ev.EmailSent(at=monday + timedelta(hours=2), id="2002")]
    history.append(ev.OptedOut(at=monday + timedelta(minutes=30), id="2002"))
    again = engine.replay(
        "p1", history, timezone="America/Chicago", at=monday, country="US", subdivision="IL"
    )
    assert again.stage is cadence.Stage.OPTED_OUT
    assert again.seen == late.seen


@pytest.mark.parametrize(
    ("event", "update"),
    [
        (
            ev.MeetingBooked(at=_T, meeting_id="m1", starts_at=_T + timedelta(days=2)),
            {"starts_at": datetime(2026, 3, 5, 16)},
        ),
        (ev.OutOfOffice(at=_T), {"until": datetime(9999, 12, 31, tzinfo=UTC)}),
        (ev.OutOfOffice(at=_T), {"until": datetime(2026, 3, 20)}),
        (
            ev.EmailReplied(at=_T, intent="not_now", resume_at=_T + timedelta(days=9)),
            {"resume_at": datetime(2026, 3, 20)},
        ),
        (
            ev.CallAttempted(at=_T, outcome="connected", next_contact_at=_T + timedelta(days=1)),
            {"next_contact_at": datetime(2026, 3, 5, 16)},
        ),
    ],
)
def test_every_instant_of_an_event_copied_without_validation_is_checked(
    event: ev.Event, update: dict[str, object]
) -> None:
    """Not only ``at``: a naive or far-off agreed time, return or meeting start, set with
    ``model_copy``, escaped as a TypeError or OverflowError, or was stored naive and the state
    no longer loaded. It is an InvalidInputError naming the field, and nothing is stored."""
    engine = cadence.Engine()
    p = engine.enroll("a", timezone="America/Chicago", at=_T, country="US", subdivision="IL")
    with pytest.raises(InvalidInputError) as info:
        engine.apply(p, event.model_copy(update=update))
    assert info.value.field == next(iter(update))
