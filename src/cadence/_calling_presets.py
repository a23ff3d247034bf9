"""The shipped legal calling rules, as plain data; ``cadence.compliance.PRESETS`` validates them.

Each row is read from the page in its ``source``; comments flag what was not verified. The US
rules aim at telephone solicitation of consumers; applying them to every sales call is the
conservative reading for an engine that can't tell a business line from a home one. Caps that a
statute counts per subject ("on the same subject matter or issue") are applied to all calls.
"""

from __future__ import annotations

from datetime import date, time, timedelta

__all__ = ["ROWS"]

_Windows = tuple[tuple[time, time], ...]


def _days(days: range, *windows: tuple[time, time]) -> dict[int, _Windows]:
    return dict.fromkeys(days, windows)


_EVERY_DAY, _MON_SAT, _MON_FRI, _WEEKEND = range(7), range(6), range(5), range(5, 7)
_THREE_A_DAY = {"count": 3, "per": timedelta(hours=24)}

ROWS: tuple[dict[str, object], ...] = (
    {
        "id": "us-federal",
        "version": "1992-12-20",
        "name": "Telephone Consumer Protection Act rules, 47 CFR 64.1200(c)(1)",
        "country": "US",
        "windows": _days(_EVERY_DAY, (time(8), time(21))),
        "effective_from": date(1992, 12, 20),  # the FCC's 1992 TCPA order took effect that day
        "source": (
            "https://www.ecfr.gov/current/title-47/chapter-I/subchapter-B/part-64/subpart-L"
            "/section-64.1200"
        ),
    },
    {
        "id": "us-fl",
        "version": "2021-07-01",
        "name": "Florida Telemarketing Act, Fla. Stat. 501.616(6), as amended by SB 1120 (2021)",
        "country": "US",
        "subdivision": "FL",
        "windows": _days(_EVERY_DAY, (time(8), time(20))),
        "cap": _THREE_A_DAY,
        "effective_from": date(2021, 7, 1),
        "source": "https://flsenate.gov/Session/Bill/2021/1120/BillText/er/HTML",
    },
    {
        "id": "us-ok",
        "version": "2022-11-01",
        "name": "Oklahoma Telephone Solicitation Act of 2022 (HB 3168)",
        "country": "US",
        "subdivision": "OK",
        "windows": _days(_EVERY_DAY, (time(8), time(20))),
        "cap": _THREE_A_DAY,
        "effective_from": date(2022, 11, 1),
        "source": "https://app.legiplex.com/ok/legislature/2022/2022-r/bills/hb3168/drafts-latest",
    },
    {
        "id": "us-md",
        "version": "2024-01-01",
        "name": "Maryland Stop the Spam Calls Act of 2023 (SB 90, ch. 413)",
        "country": "US",
        "subdivision": "MD",
        "windows": _days(_EVERY_DAY, (time(8), time(20))),
        "cap": _THREE_A_DAY,
        "effective_from": date(2024, 1, 1),  # signed in May 2023, in force from 2024
        "source": "https://mgaleg.maryland.gov/mgawebsite/Legislation/Details/SB0090?ys=2023RS",
    },
    {
        "id": "us-ct",
        "version": "2023-10-01",
        "name": "Connecticut telemarketing law, Conn. Gen. Stat. ch. 743m, as amended by PA 23-98",
        "country": "US",
        "subdivision": "CT",
        "windows": _days(_EVERY_DAY, (time(9), time(20))),  # was 09:00-21:00 before P.A. 23-98
        "effective_from": date(2023, 10, 1),
        "source": "https://cga.ct.gov/current/pub/chap_743m.htm",
    },
    {
        "id": "us-al",
        "version": "2024-11-27",  # the text as published in the Register through that date
        "name": "Alabama PSC telephone rules, Ala. Admin. Code r. 770-X-5-.17",
        "country": "US",
        "subdivision": "AL",
        "windows": _days(_MON_SAT, (time(8), time(20))),
        "no_holidays": True,
        # Unsure: the rule is worded for automated solicitation calls (compliance guides apply it
        # to live calls too, as we do), and its adoption date was not verified: 2000-07-01 is the
        # deadline Ala. Code 8-19C-2 set for the PSC's do-not-call regulations.
        "effective_from": date(2000, 7, 1),
        "source": (
            "https://casetext.com/regulation/alabama-administrative-code"
            "/title-770-alabama-public-service-commission/chapter-770-x-5-telephone-rules"
            "/section-770-x-5-17-live-and-automated-solicitations-and-announcements"
        ),
    },
    {
        "id": "us-la",
        "version": "1991",
        "name": "Louisiana Consumer Telemarketing Protection Act of 1991, La. R.S. 45:811",
        "country": "US",
        "subdivision": "LA",
        "windows": _days(_MON_SAT, (time(8), time(20))),  # live operators as well as ADADs
        "no_holidays": True,  # state holidays, including ones the governor declares ad hoc
        # Acts 1991, No. 917. Unsure: the day and month it took effect were not verified. The
        # page id in the URL is inferred: the chapter's sections have consecutive ids (45:810 is
        # 100114, 45:812 is 100116, 45:814 is 100118).
        "effective_from": date(1991, 9, 6),
        "source": "https://legis.la.gov/Legis/Law.aspx?d=100115",
    },
    {
        "id": "us-ma",
        "version": "2003-01-01",
        "name": "Massachusetts Do Not Call regulations, 201 CMR 12.02(2) (M.G.L. c. 159C)",
        "country": "US",
        "subdivision": "MA",
        "windows": _days(_EVERY_DAY, (time(8), time(20))),  # consumer's local time
        # The Act (ch. 265 of the Acts of 2002) took effect that day; the regulation's own date
        # was not verified.
        "effective_from": date(2003, 1, 1),
        "source": (
            "https://regulations.justia.com/states/massachusetts/201-cmr/title-201-cmr-12-00"
            "/section-12-02"
        ),
    },
    {
        "id": "us-ms",
        "version": "2003-07-01",
        "name": "Mississippi Telephone Solicitation Act, Miss. Code 77-3-723(1)",
        "country": "US",
        "subdivision": "MS",
        # "8:00 a.m. and 8:00 p.m. Central Standard Time": a fixed zone, which under daylight
        # time is 09:00-21:00 on the clock. Both readings hold here, all year: 09:00-20:00 local
        # (an hour lost on winter mornings, never one taken). No Sunday calls. The holiday ban
        # was a PSC rule, reported repealed in 2023: not modelled.
        "windows": _days(_MON_SAT, (time(9), time(20))),
        "effective_from": date(2003, 7, 1),  # Laws 2003, ch. 478
        "source": (
            "https://getpocketlaw.com/law/state_mississippi"
            "/section-77-3-723-rules-for-authorized-calls_57b73fa7ff73"
        ),
    },
    {
        "id": "us-ri",
        "version": "1999",
        "name": (
            "Rhode Island Telephone Sales Solicitation Act, R.I. Gen. Laws 5-61-3.6, with its "
            '"hours of operation" in 5-61-2'
        ),
        "country": "US",
        "subdivision": "RI",
        "windows": _days(_MON_FRI, (time(9), time(18))) | {5: ((time(10), time(17)),)},
        # The definition excepts state and federal holidays from Monday to Friday; whether a
        # holiday on a Saturday is one is unclear, so every holiday is (the stricter reading).
        "no_holidays": True,
        # P.L. 1999, ch. 456. Unsure: the day it took effect was not verified; the start of
        # the year is the stricter choice.
        "effective_from": date(1999, 1, 1),
        # The hours are the definition's (source); 5-61-3.6 (the legislature's page, webserver.
        # rilin.state.ri.us, Statutes/TITLE5/5-61/5-61-3.6.HTM) bars calls outside them.
        "source": "https://instalawyer.io/laws/rhode-island-general-laws/section-5-61-2-definitions",
    },
    {
        "id": "us-sd",
        "version": "1997",
        "name": "South Dakota telemarketing law, SDCL 37-30A-3(2)",
        "country": "US",
        "subdivision": "SD",
        "windows": _days(_MON_SAT, (time(9), time(21))),  # consumer's local time; no Sundays
        # SL 1997, ch. 222. Unsure: the day it took effect was not verified; the start of the
        # year is the stricter choice. Automated dialers (SDCL 37-30-28, weekdays only) are
        # not modelled: cadence schedules calls a rep makes.
        "effective_from": date(1997, 1, 1),
        "source": (
            "https://law.uslawyerdatabase.com/category/us-law/2022-south-dakota-codified-laws"
            "/title-37-trade-regulation/page/8"
        ),
    },
    {
        "id": "us-ut",
        "version": "2004",
        "name": "Utah Telephone and Facsimile Solicitation Act, Utah Code 13-25a-103(3)",
        "country": "US",
        "subdivision": "UT",
        "windows": _days(_MON_SAT, (time(8), time(21))),  # local time; no Sundays
        "no_holidays": True,  # "on a legal holiday"
        # The section as last amended by Laws of Utah 2004, chapters 90 and 263 (the chapter
        # dates from 1996). Unsure: when the hours clause took its present form was not
        # verified; the start of 2004 is the stricter choice. Prior express consent lifts it.
        "effective_from": date(2004, 1, 1),
        "source": "https://codes.findlaw.com/ut/title-13-commerce-and-trade/ut-code-sect-13-25a-103/",
    },
    {
        "id": "us-wa",
        "version": "2022-06-09",
        "name": "Washington, RCW 80.36.390(7), as amended by ESHB 1497 (Laws of 2022, ch. 195)",
        "country": "US",
        "subdivision": "WA",
        "windows": _days(_EVERY_DAY, (time(8), time(20))),  # the recipient's local time
        "effective_from": date(2022, 6, 9),
        "source": "https://wa-law.org/bill/2021-22/hb/1497/S.PL/",
    },
    {
        "id": "ca-crtc",
        "version": "2008-09-30",
        "name": "CRTC Unsolicited Telecommunications Rules, Part III (Telemarketing Rules)",
        "country": "CA",
        # Provinces may add limits of their own (e.g. holiday bans); none are modelled here.
        "windows": _days(_MON_FRI, (time(9), time(21, 30))) | _days(_WEEKEND, (time(10), time(18))),
        "effective_from": date(2008, 9, 30),  # launch of the National DNCL with these rules
        "source": "https://crtc.gc.ca/eng/phone/telemarketing/tobligations/rules-regles.htm",
    },
    {
        "id": "fr",
        "version": "2023-03-01",
        "name": "Code de la consommation, art. D223-9 (décret n° 2022-1313 du 13 octobre 2022)",
        "country": "FR",
        "windows": _days(_MON_FRI, (time(10), time(13)), (time(14), time(20))),
        "no_holidays": True,  # the public holidays of art. L3133-1 of the Code du travail
        # "30 jours calendaires", read as 30 days of elapsed time. The 60 days of silence owed
        # after a refusal during a call are an opt-out matter, not a cap: not modelled here.
        "cap": {"count": 4, "per": timedelta(days=30)},
        "effective_from": date(2023, 3, 1),
        "source": "https://www.legifrance.gouv.fr/jorf/id/JORFTEXT000046421823",
    },
)
