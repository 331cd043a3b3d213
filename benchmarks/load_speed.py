"""Speed: ``load_survey`` on a 1,000,000-row CSV vs plain pandas plus the same checks by hand.

Run:  python benchmarks/load_speed.py [n_rows]

The file (written to a temporary folder and deleted afterwards) looks like a
large consumer survey export: respondent_id with leading zeros, a 0-10 score
with 2 % blanks, a weight, an ISO time stamp, a region and a sparse comment.

* toolkit: ``load_survey(path)`` - delimiter/decimal sniffing, the file's
  line number of every record, ids kept as text, missing markers, leading-zero
  codes, and every validation check (score 0-10 and whole, weight >= 0 and not
  blank, duplicate ids, dates), with the counts in ``attrs``.
* alternative: ``pandas.read_csv`` with the id as text, ``to_datetime`` and the
  same checks written by hand as vectorised masks (no messages, no line
  numbers) - what a careful analyst would type in a notebook.

Both read the same file; the script asserts that they agree on the values.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

import nps_toolkit as nps

SEED = 20261123


def write_survey(path: Path, n: int) -> None:
    rng = np.random.default_rng(SEED)
    score = rng.choice(11, size=n, p=np.r_[np.full(7, 0.04), 0.1, 0.14, 0.24, 0.24]).astype(float)
    score[rng.random(n) < 0.02] = np.nan
    start = np.datetime64("2024-01-01T00:00:00")
    seconds = np.sort(rng.integers(0, 2 * 365 * 24 * 3600, size=n))
    comments = np.array(
        ["Hyvä palvelu", "Liian kallis", "Slow support", "Great value"], dtype=object
    )
    comment = np.where(rng.random(n) < 0.15, comments[rng.integers(0, 4, size=n)], None)
    df = pd.DataFrame(
        {
            "respondent_id": np.char.zfill(np.arange(1, n + 1).astype(str), 8),
            "recommend": pd.array(score, dtype="Int64"),
            "weight": np.round(rng.gamma(4.0, 0.25, size=n), 3),
            "responded_at": (start + seconds.astype("timedelta64[s]")).astype(str),
            "region": rng.choice(["South", "West", "East", "North"], size=n),
            "comment": comment,
        }
    )
    df.to_csv(path, index=False)


def by_hand(path: Path) -> tuple[pd.DataFrame, int]:
    a = pd.read_csv(path, dtype={"respondent_id": "str", "comment": "str"})
    a["responded_at"] = pd.to_datetime(a["responded_at"])
    s = a["recommend"]
    bad = s.notna() & ((s < 0) | (s > 10) | (s % 1 != 0))
    w = a["weight"]
    bad_w = w.isna() | (w < 0)
    dup = a["respondent_id"].duplicated()
    bad_date = a["responded_at"].isna()
    return a, int(bad.sum() + bad_w.sum() + dup.sum() + bad_date.sum())


def timed(fn):
    t = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t


def main(n: int = 1_000_000) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "survey.csv"
        _, t_write = timed(lambda: write_survey(path, n))
        print(f"{n:,} rows, {path.stat().st_size / 1e6:.0f} MB written in {t_write:.1f} s")
        pd.read_csv(path, nrows=5)  # warm imports and the file cache for both
        (alt, problems), t_alt = timed(lambda: by_hand(path))
        df, t_toolkit = timed(lambda: nps.load_survey(path))
        assert problems == 0
        assert df["respondent_id"].iloc[0] == "00000001"  # leading zeros kept
        np.testing.assert_array_equal(df["recommend"].to_numpy(), alt["recommend"].to_numpy())
        assert (df["responded_at"] == alt["responded_at"]).all()
        assert df.attrs["excluded_blank"] == int(alt["recommend"].isna().sum())
    print(f"pandas read_csv + checks by hand: {t_alt:6.2f} s")
    print(f"load_survey:                      {t_toolkit:6.2f} s")
    print(f"ratio load_survey / by hand:      {t_toolkit / t_alt:6.2f}x")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
