"""Tomorrow's calls from a CRM export held in polars or pandas, planned through Arrow.

A sales-ops team exports its book as a DataFrame: one row per prospect with the columns its CRM
already has (owner, phone, region...) and the cadence state as a JSON column. This example

1. builds such an export (a generated book driven through the engine, as a CRM would have
   stored it) and keeps it as a **polars** DataFrame and as a **pandas** DataFrame;
2. hands each to ``cadence.batch.plan_table`` through Arrow (``DataFrame.to_arrow()`` for
   polars and ``pyarrow.Table.from_pandas`` for pandas: no per-row Python objects on the way in);
3. reads the plan back as a DataFrame, summarises each rep's day, and checks that both routes
   and the per-prospect planner agree.

Run: ``python examples/plan_dataframe.py`` (needs the ``batch`` extra, plus polars and pandas).
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd
import polars as pl
import pyarrow as pa

import cadence
from cadence import events as ev
from cadence.batch import plan_day, plan_table, to_table

NOW = datetime(2026, 3, 9, 18, 0, tzinfo=ZoneInfo("America/Chicago"))
DAY = date(2026, 3, 10)
PLACES = (
    ("America/Chicago", "US", "IL"),
    ("America/New_York", "US", "NY"),
    ("America/Los_Angeles", "US", "CA"),
    ("Europe/Paris", "FR", None),
)
REPS = ("ana", "ben", "chloe")


def crm_book(engine: cadence.Engine, size: int = 120, seed: int = 7) -> list[cadence.Prospect]:
    """Prospects a CRM has been following for a few weeks: the engine's own next actions,
    answered mostly by voicemail (R18), sometimes by a conversation with an agreed time (R1)."""
    rng = random.Random(seed)
    book = []
    for i in range(size):
        tz, country, subdivision = PLACES[i % len(PLACES)]
        enrolled = NOW - timedelta(days=rng.randint(1, 30), hours=rng.randint(0, 9))
        p = engine.enroll(
            f"crm-{i:04d}",
            timezone=tz,
            at=enrolled,
            country=country,
            subdivision=subdivision,
            owner=REPS[i % len(REPS)],
            phone=f"+1555{i:07d}",
        )
        t = enrolled
        for _ in range(rng.randint(0, 4)):
            act = engine.next_action(p, t)
            if act.channel is None or act.earliest_utc >= NOW:
                break
            t = act.earliest_utc
            if act.channel is cadence.Channel.PHONE:
                connected = rng.random() < 0.15
                agreed = t + timedelta(days=rng.randint(1, 3)) if connected else None
                outcome = "connected" if connected else "voicemail"
                p = engine.apply(p, ev.CallAttempted(at=t, outcome=outcome, next_contact_at=agreed))
            else:
                p = engine.apply(p, ev.EmailSent(at=t))
        book.append(p)
    return book


def export(engine: cadence.Engine, book: list[cadence.Prospect]) -> pl.DataFrame:
    """The CRM's export: cadence's documented Arrow schema, as a polars DataFrame."""
    return pl.from_arrow(to_table(book, engine))  # type: ignore[return-value]


def main() -> dict[str, Any]:
    engine = cadence.Engine()
    book = crm_book(engine)
    frame = export(engine, book)
    as_pandas: pd.DataFrame = frame.to_pandas(use_pyarrow_extension_array=True)
    options: dict[str, Any] = {"day": DAY, "now": NOW, "capacity": {"phone": 12, "email": 20}}

    from_polars = plan_table(engine, frame.to_arrow(), **options)
    from_pandas = plan_table(
        engine, pa.Table.from_pandas(as_pandas, preserve_index=False), **options
    )
    direct = plan_day(engine, book, **options)

    touches = pl.from_arrow(from_polars.touches)
    assert isinstance(touches, pl.DataFrame)
    per_rep = (
        touches.group_by("owner", "channel")
        .agg(pl.len().alias("touches"), pl.col("local_start").min().alias("first"))
        .sort("owner", "channel")
    )
    same = (
        from_polars.touches.equals(from_pandas.touches)
        and from_polars.deferred.equals(from_pandas.deferred)
        and from_polars.touches.column("prospect_id").to_pylist()
        == [t.prospect_id for t in direct.touches]
    )
    return {
        "rows": frame.height,
        "per_rep": per_rep.to_dicts(),
        "planned": from_polars.touches.num_rows,
        "deferred": from_polars.deferred.num_rows,
        "counts": dict(from_polars.counts),
        "sources": dict(from_polars.sources),
        "same_plan": same,
    }


if __name__ == "__main__":
    result = main()
    print(f"{result['rows']} prospects exported; plan for {DAY:%A %d %B}:")
    for row in result["per_rep"]:
        owner, channel, n = row["owner"], row["channel"], row["touches"]
        print(f"  {owner:<6} {channel:<6} {n:>3} touches, the first at {row['first']:%H:%M} local")
    print(f"{result['planned']} planned, {result['deferred']} deferred; counts {result['counts']}")
    print(f"decided by the table's index or by the engine: {result['sources']}")
    print("polars, pandas and the per-prospect planner agree:", result["same_plan"])
