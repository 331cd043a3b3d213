"""Category counts per group: the only thing every NPS statistic needs.

``group_counts`` counts a pandas DataFrame here and sends every other source
(Parquet/CSV paths, DuckDB relations, Arrow tables, Spark DataFrames) to
``backends``, which counts where the data lives and returns the same frame.
Sits below ``scoring``; imports ``_core``, ``_dates``, ``_validation`` and ``backends``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._core import COUNT_COLUMNS, category_codes, fill_weighted
from ._dates import to_period
from ._validation import as_list, as_score_array, check_columns, resolve_weights


def group_counts(source, score="recommend", by=None, *, weights=None, period=None) -> pd.DataFrame:
    """Category counts per group: the only thing every NPS statistic needs.

    Parameters
    ----------
    source : a pandas DataFrame, or (counted by ``nps_toolkit.backends``) a
        path or glob of Parquet/CSV files, a DuckDB relation, an Arrow table
        or a Spark DataFrame, counted where the data lives.
    score : column with the 0-10 answers; blanks are counted in
        ``excluded_blank``.
    by : group column name or list of names; missing values form their own group.
    weights : column name (or, for a DataFrame, an array) of survey weights.
    period : ``(date_column, freq)`` adds a ``period`` key (a pandas Period,
        e.g. freq "QE" -> "2024Q1").

    Returns
    -------
    DataFrame with one row per group: the key columns and ``COUNT_COLUMNS``:
    unweighted ``n`` (answered), ``detractors``, ``passives``, ``promoters``,
    ``excluded_blank``, and weighted sums ``w_n``, ``w_detractors``,
    ``w_promoters``, ``w_sq`` (sum of squared weights) and ``w_sq_detractors``
    / ``w_sq_promoters`` (the same over detractors / promoters, for the
    linearised variance); without weights the weighted sums equal the counts.

    >>> df = pd.DataFrame({"recommend": [10, 9, 3, None], "shop": ["a", "a", "b", "b"]})
    >>> group_counts(df, by="shop")[["shop", "n", "detractors", "promoters", "excluded_blank"]]
      shop  n  detractors  promoters  excluded_blank
    0    a  2           0          2               0
    1    b  1           1          0               1
    """
    if isinstance(source, pd.Series):
        # a Series would reach the engines as a one-column Arrow table named 'value'
        raise TypeError(
            f"df must be a DataFrame of respondents (one row each), got a Series "
            f"{source.name!r}: for one column of scores use nps.nps(...) or "
            "nps.nps_interval(...); to group, pass the DataFrame with score= and by="
        )
    if not isinstance(source, pd.DataFrame):
        from . import backends

        return backends.group_counts(source, score, by, weights=weights, period=period)
    keys = as_list(by)
    check_columns(source, [score, *keys])
    codes = category_codes(as_score_array(source[score], name=f"column {score!r}"))
    w = resolve_weights(source, weights)
    frame = source[keys]
    if period is not None:
        date, freq = period
        check_columns(source, [date])
        frame = frame.assign(period=to_period(source[date], freq, column=date))
        keys = [*keys, "period"]
    if keys:
        grouped = frame.groupby(keys, dropna=False, observed=True, sort=True)
        gid = grouped.ngroup().to_numpy()
        out = grouped.size().index.to_frame(index=False)
    else:
        gid = np.zeros(len(codes), dtype=np.intp)
        out = pd.DataFrame(index=pd.RangeIndex(1))
    return _fill_counts(out, gid, codes, w)[[*keys, *COUNT_COLUMNS]]


def _fill_counts(out: pd.DataFrame, gid, codes, w) -> pd.DataFrame:
    """The count columns of groups ``gid`` (0..k-1) from category codes and weights."""
    # Hand-written rather than groupby().sum() over indicator columns: one
    # bincount over (group, category) cells needs no n x 11 frame, which makes
    # summarize about as fast as a bare value_counts (benchmarks/scale.py).
    k = len(out)
    cell = gid * 4 + (codes + 1)  # per group: 0 blank, 1 detractor, 2 passive, 3 promoter
    c = np.bincount(cell, minlength=4 * k).reshape(k, 4).astype(np.int64)
    out["n"] = c[:, 1:].sum(axis=1)
    out["detractors"], out["passives"], out["promoters"] = c[:, 1], c[:, 2], c[:, 3]
    out["excluded_blank"] = c[:, 0]
    if w is None:
        sw = sw2 = c
    else:
        sw = np.bincount(cell, weights=w, minlength=4 * k).reshape(k, 4)
        sw2 = np.bincount(cell, weights=w * w, minlength=4 * k).reshape(k, 4)
    return fill_weighted(out, sw, sw2)
