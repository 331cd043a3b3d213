"""Scoring: classify 0-10 answers, count categories, NPS, bands and summaries.

NPS = % promoters (9-10) - % detractors (0-6), on the -100..100 scale.
Blank answers (NaN) are never an error: they are excluded from the score and
counted, so nothing disappears without a trace.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
import pandas as pd

from ._dates import to_period
from ._suppression import collapse_hidden, hidden_groups

CATEGORIES = ("detractor", "passive", "promoter")
CATEGORY_DTYPE = pd.CategoricalDtype(list(CATEGORIES), ordered=True)

BANDS = ("needs improvement", "acceptable", "good", "excellent", "world-class")
# Upper edges of the bands.  A band includes its upper edge and excludes its
# lower edge, except that 0 belongs to "acceptable" ("below 0" is the only way
# to "need improvement"): 0 -> acceptable, 30 -> acceptable, 50 -> good,
# 70 -> excellent, 70.1 -> world-class.
_BAND_EDGES = (0.0, 30.0, 50.0, 70.0)


class Counts(NamedTuple):
    """Category counts of one set of answers (weighted sums when weights are given).

    ``n`` is the number (or weighted total) of non-blank answers.
    """

    detractors: float
    passives: float
    promoters: float
    n: float

    @property
    def nps(self) -> float:
        """NPS of these counts on the -100..100 scale."""
        if self.n <= 0:
            raise ValueError("no responses: NPS is undefined for zero answers")
        return 100.0 * (self.promoters - self.detractors) / self.n


def _as_score_array(scores, name: str = "scores") -> np.ndarray:
    """0-10 answers as a float array (NaN = blank), validated.

    Raises ``ValueError`` naming the positions of values that are not whole
    numbers between 0 and 10.
    """
    if not isinstance(scores, pd.Series | np.ndarray) or scores.dtype == object:
        scores = pd.Series(np.asarray(scores, dtype=object).ravel())
    if not pd.api.types.is_numeric_dtype(scores):
        converted = pd.to_numeric(scores, errors="coerce")
        bad = converted.isna() & scores.notna()
        if bad.any():
            where = list(scores.index[bad][:5])
            raise ValueError(
                f"{name}: {int(bad.sum())} non-numeric value(s), e.g. "
                f"{scores[bad].iloc[0]!r} at index {where}"
            )
        scores = converted
    if isinstance(scores, pd.Series):
        arr = scores.to_numpy(dtype=float, na_value=np.nan)  # nullable Int64 / Float64 too
        labels, where = scores.index, "index label(s)"
    else:
        arr = np.asarray(scores, dtype=float).ravel()
        labels, where = pd.RangeIndex(arr.size), "position(s)"
    finite = ~np.isnan(arr)
    bad = finite & ((arr < 0) | (arr > 10) | (arr != np.round(arr)))
    if bad.any():
        examples = ", ".join(f"{v:g}" for v in pd.unique(arr[bad])[:5])
        raise ValueError(
            f"{name}: {int(bad.sum())} value(s) are not whole numbers from 0 to 10 "
            f"({examples}) at {where} {labels[bad][:5].tolist()}"
        )
    return arr


def _as_weights(weights, size: int) -> np.ndarray:
    w = np.asarray(weights, dtype=float).ravel()
    if w.shape[0] != size:
        raise ValueError(f"weights has length {w.shape[0]} but there are {size} scores")
    bad = ~np.isfinite(w) | (w < 0)
    if bad.any():
        pos = np.flatnonzero(bad)
        raise ValueError(
            f"weights must be finite non-negative numbers; bad at position(s) {pos[:5].tolist()}"
        )
    return w


def classify(scores) -> pd.Series:
    """Classify 0-10 answers as detractor (0-6), passive (7-8) or promoter (9-10).

    Returns an ordered categorical Series (blank answers stay missing); a
    pandas Series keeps its index.

    >>> classify([0, 6, 7, 8, 9, 10]).tolist()
    ['detractor', 'detractor', 'passive', 'passive', 'promoter', 'promoter']
    """
    arr = _as_score_array(scores)
    codes = np.full(arr.shape, -1, dtype=np.int8)
    codes[arr <= 6] = 0
    codes[(arr >= 7) & (arr <= 8)] = 1
    codes[arr >= 9] = 2
    index = scores.index if isinstance(scores, pd.Series) else None
    name = scores.name if isinstance(scores, pd.Series) else None
    return pd.Series(pd.Categorical.from_codes(codes, dtype=CATEGORY_DTYPE), index=index, name=name)


def _category_codes(arr: np.ndarray) -> np.ndarray:
    """0 detractor, 1 passive, 2 promoter, -1 blank, for a validated float array."""
    codes = np.where(arr >= 9, 2, np.where(arr >= 7, 1, 0)).astype(np.int8)
    codes[np.isnan(arr)] = -1
    return codes


def category_counts(scores, weights=None) -> Counts:
    """Count detractors, passives and promoters (weighted sums when weights are given).

    Blank answers are left out of every count and of ``n``.

    >>> category_counts([10, 9, 8, 3, None])
    Counts(detractors=1.0, passives=1.0, promoters=2.0, n=4.0)
    """
    arr = _as_score_array(scores)
    codes = _category_codes(arr)
    w = np.ones(arr.shape) if weights is None else _as_weights(weights, arr.shape[0])
    sums = np.bincount(codes[codes >= 0], weights=w[codes >= 0], minlength=3)
    return Counts(float(sums[0]), float(sums[1]), float(sums[2]), float(sums.sum()))


def nps(scores, weights=None) -> float:
    """Net Promoter Score, % promoters - % detractors, from -100 to 100.

    >>> nps([10] * 60 + [8] * 20 + [2] * 20)
    40.0
    """
    return category_counts(scores, weights).nps


def band(value: float) -> str | None:
    """Name the band an NPS value falls in.

    Bands: below 0 "needs improvement"; 0-30 "acceptable"; above 30 to 50
    "good"; above 50 to 70 "excellent"; above 70 "world-class".  Each band
    includes its upper edge (30 is "acceptable", 50 "good", 70 "excellent")
    and 0 is "acceptable".  Missing values give ``None``.

    >>> [band(v) for v in (-1, 0, 30, 30.5, 50, 70, 71)]
    ['needs improvement', 'acceptable', 'acceptable', 'good', 'good', 'excellent', 'world-class']
    """
    if value is None or pd.isna(value):
        return None
    value = float(value)
    if not -100.0 <= value <= 100.0:
        raise ValueError(f"NPS must lie between -100 and 100, got {value}")
    if value < 0:
        return BANDS[0]
    for edge, name in zip(_BAND_EDGES[1:], BANDS[1:], strict=False):
        if value <= edge:
            return name
    return BANDS[-1]


def _check_scale(values: pd.Series, column: str, scale: int, what: str) -> None:
    """Refuse ratings outside 1..scale, naming the column, how many and where.

    A 6 on a 1-5 scale would otherwise count as a top box (CSAT) or pull a
    mean (CES) without a word.
    """
    v = pd.to_numeric(values, errors="raise")
    bad = (v.notna() & ((v < 1) | (v > scale) | (v != v.round()))).to_numpy(bool)
    if bad.any():
        rows = list(values.index[bad][:5])
        raise ValueError(
            f"{what} column {column!r}: {int(bad.sum())} value(s) are not whole numbers on "
            f"the 1-{scale} scale, e.g. {values[bad].tolist()[0]!r} at row(s) {rows}"
        )


def csat(ratings, scale: int = 5, top: int = 2) -> float:
    """Customer satisfaction: percent of answers in the top ``top`` boxes of a 1..scale scale.

    Blank ratings are excluded.

    >>> csat([5, 4, 3, 2, 5])
    60.0
    """
    arr = np.asarray(pd.to_numeric(pd.Series(ratings), errors="raise"), dtype=float)
    arr = arr[~np.isnan(arr)]
    if arr.size == 0:
        raise ValueError("no ratings: CSAT is undefined for zero answers")
    if ((arr < 1) | (arr > scale)).any():
        raise ValueError(f"CSAT ratings must lie between 1 and {scale}")
    if not 1 <= top < scale:
        raise ValueError(f"top must be between 1 and {scale - 1}, got {top}")
    return 100.0 * float(np.mean(arr > scale - top))


def ces(ratings, scale: int = 7) -> float:
    """Customer effort score: the mean effort rating on a 1..scale scale (blank ratings excluded).

    >>> ces([1, 2, 3, 6])
    3.0
    """
    arr = np.asarray(pd.to_numeric(pd.Series(ratings), errors="raise"), dtype=float)
    arr = arr[~np.isnan(arr)]
    if ((arr < 1) | (arr > scale)).any():
        raise ValueError(f"CES ratings must lie between 1 and {scale}")
    if arr.size == 0:
        raise ValueError("no ratings: CES is undefined for zero answers")
    return float(arr.mean())


def response_rate(invited: int, responses: int) -> float:
    """Percent of invited people who answered.

    >>> round(response_rate(1055, 180), 1)
    17.1
    """
    if invited is None or invited <= 0:
        raise ValueError(f"invited must be a positive number, got {invited}")
    if responses < 0:
        raise ValueError(f"responses cannot be negative, got {responses}")
    if responses > invited:
        raise ValueError(f"responses ({responses}) exceed the number invited ({invited})")
    return 100.0 * responses / invited


def _as_list(by) -> list:
    if by is None:
        return []
    if isinstance(by, str) or not isinstance(by, Sequence):
        return [by]
    return list(by)


COUNT_COLUMNS = [
    "n",
    "detractors",
    "passives",
    "promoters",
    "excluded_blank",
    "w_n",
    "w_detractors",
    "w_promoters",
    "w_sq",
]


def _resolve_weights(df: pd.DataFrame, weights) -> np.ndarray | None:
    if weights is None:
        return None
    if isinstance(weights, str):
        if weights not in df.columns:
            raise KeyError(
                f"weight column {weights!r} not in the data; columns are {list(df.columns)}"
            )
        return _as_weights(df[weights], len(df))
    return _as_weights(weights, len(df))


def group_counts(
    source, score: str = "recommend", by=None, weights=None, *, period=None
) -> pd.DataFrame:
    """Category counts per group: the only thing every NPS statistic needs.

    ``source`` is a pandas DataFrame, or (handled by ``nps_toolkit.backends``)
    a path or glob of Parquet/CSV files, a DuckDB relation or a Spark
    DataFrame, counted where the data lives.  ``period=(date_column, freq)``
    adds a ``period`` key (a pandas Period, e.g. freq "QE" -> "2024Q1").

    Returns one row per group with the key columns and ``COUNT_COLUMNS``:
    unweighted ``n`` (answered), ``detractors``, ``passives``, ``promoters``,
    ``excluded_blank``, and weighted sums ``w_n``, ``w_detractors``,
    ``w_promoters`` and ``w_sq`` (sum of squared weights, for Kish's n_eff);
    without weights the weighted sums equal the counts.
    """
    if not isinstance(source, pd.DataFrame):
        from . import backends

        return backends.group_counts(source, score=score, by=by, weights=weights, period=period)
    keys = _as_list(by)
    missing = [c for c in [score, *keys] if c not in source.columns]
    if missing:
        raise KeyError(f"column(s) {missing} not in the data; columns are {list(source.columns)}")
    codes = _category_codes(_as_score_array(source[score], name=f"column {score!r}"))
    w = _resolve_weights(source, weights)
    frame = source[keys]
    if period is not None:
        date, freq = period
        frame = frame.assign(period=to_period(source[date], freq, column=date))
        keys = [*keys, "period"]
    if keys:
        grouped = frame.groupby(keys, dropna=False, observed=True, sort=True)
        gid = grouped.ngroup().to_numpy()
        out = grouped.size().index.to_frame(index=False)
    else:
        gid = np.zeros(len(codes), dtype=np.intp)
        out = pd.DataFrame(index=pd.RangeIndex(1))
    # Hand-written rather than groupby().sum() over indicator columns: one
    # bincount over (group, category) cells needs no n x 9 frame, which makes
    # summarize about as fast as a bare value_counts (benchmarks/scale.py).
    k = len(out)
    cell = gid * 4 + (codes + 1)  # per group: 0 blank, 1 detractor, 2 passive, 3 promoter
    c = np.bincount(cell, minlength=4 * k).reshape(k, 4).astype(np.int64)
    out["n"] = c[:, 1:].sum(axis=1)
    out["detractors"], out["passives"], out["promoters"] = c[:, 1], c[:, 2], c[:, 3]
    out["excluded_blank"] = c[:, 0]
    if w is None:
        out["w_n"], out["w_detractors"] = out["n"], out["detractors"]
        out["w_promoters"], out["w_sq"] = out["promoters"], out["n"]
    else:
        sw = np.bincount(cell, weights=w, minlength=4 * k).reshape(k, 4)
        sw2 = np.bincount(cell, weights=w * w, minlength=4 * k).reshape(k, 4)
        out["w_n"] = sw[:, 1:].sum(axis=1)
        out["w_detractors"], out["w_promoters"] = sw[:, 1], sw[:, 3]
        out["w_sq"] = sw2[:, 1:].sum(axis=1)
    return out[[*keys, *COUNT_COLUMNS]]


# what summary_from_counts adds per group, in column order (hidden when suppressed)
_SUMMARY_STATISTICS = [
    "pct_detractors",
    "pct_passives",
    "pct_promoters",
    "nps",
    "ci_low",
    "ci_high",
    "standard_error",
    "band",
]


def summary_from_counts(
    counts: pd.DataFrame,
    by=None,
    *,
    weighted: bool = False,
    method: str = "adjusted-wald",
    confidence_level: float = 0.95,
    min_n: int = 5,
    n_resamples: int = 9999,
    rng=None,
) -> pd.DataFrame:
    """The ``summarize`` table from a ``group_counts`` frame (see ``summarize``)."""
    from .intervals import interval_arrays

    keys = _as_list(by)
    out = counts.copy()
    with np.errstate(invalid="ignore", divide="ignore"):
        wn = out["w_n"].to_numpy(float)
        pd_ = out["w_detractors"].to_numpy(float) / wn
        pp = out["w_promoters"].to_numpy(float) / wn
        n_eff = wn**2 / out["w_sq"].to_numpy(float) if weighted else out["n"].to_numpy(float)
    out["pct_detractors"] = 100 * pd_
    out["pct_passives"] = 100 * (1 - pd_ - pp)
    out["pct_promoters"] = 100 * pp
    out["nps"] = 100 * (pp - pd_)
    ok = out["n"].to_numpy() > 0
    low, high, se = (np.full(len(out), np.nan) for _ in range(3))
    if ok.any():
        _, low[ok], high[ok], se[ok] = interval_arrays(
            pp[ok],
            pd_[ok],
            n_eff[ok],
            method=method,
            confidence_level=confidence_level,
            n_resamples=n_resamples,
            rng=rng,
        )
    out["ci_low"], out["ci_high"], out["standard_error"] = low, high, se
    # rounded so that engines that sum in another order (DuckDB, Spark) agree at band edges
    out["band"] = [band(None if pd.isna(v) else round(v, 9)) for v in out["nps"]]
    extras = [c for c in ("csat", "ces", "retention_rate") if c in out.columns]
    if weighted:
        out["n_effective"] = n_eff
        extras.append("n_effective")
    cats = ["detractors", "passives", "promoters"]
    out[cats] = out[cats].astype("Int64")
    suppressed = hidden_groups(out["n"].to_numpy(), min_n)
    out["suppressed"] = suppressed
    hide = [*cats, *_SUMMARY_STATISTICS, *extras]
    for c in hide:
        out[c] = out[c].mask(suppressed)  # missing: numbers of small groups stay hidden
    cols = [*keys, "n", *hide, "suppressed", "excluded_blank"]
    out = out[cols].astype({"n": np.int64, "excluded_blank": np.int64})
    out.attrs.update(
        method=method,
        confidence_level=confidence_level,
        min_n=min_n,
        excluded_blank=int(out["excluded_blank"].sum()),
    )
    return collapse_hidden(out, keys, suppressed, min_n)  # hidden groups: no label, no n


def summarize(
    df,
    score: str = "recommend",
    by=None,
    weights=None,
    method: str = "adjusted-wald",
    confidence_level: float = 0.95,
    min_n: int = 5,
    *,
    csat_column: str | None = "csat",
    csat_scale: int = 5,
    ces_column: str | None = "ces",
    ces_scale: int = 7,
    retention_column: str | None = "retained",
    n_resamples: int = 9999,
    rng=None,
) -> pd.DataFrame:
    """NPS per group as a tidy table, one row per group.

    Parameters
    ----------
    df : DataFrame with one row per respondent, or a path/glob of Parquet or
        CSV files, a DuckDB relation or a Spark DataFrame (counted where the
        data lives; see ``group_counts``).
    score : column with the 0-10 answers; blanks are excluded and counted in
        ``excluded_blank``.
    by : column name or list of names to group by; ``None`` gives one row for
        all respondents.  Missing segment values form their own group.
    weights : column name (or, for a DataFrame, an array) of survey weights.
        Percentages, NPS and the interval are weighted (interval on Kish's
        effective sample size, reported as ``n_effective``); ``n`` and the
        category counts stay unweighted respondent counts.
    method, confidence_level : interval method and level (see ``nps_interval``).
    min_n : groups with fewer answers are ``suppressed`` so that small
        groups stay anonymous; while the hidden groups hold fewer than
        ``min_n`` answers together, the next smallest group is hidden too, so
        that the overall counts minus the shown groups reveal only a set of at
        least ``min_n`` answers.  Hidden groups show neither label nor
        numbers: they are replaced by one last row, ``suppressed`` true,
        whose first group column says how many groups were hidden
        (``attrs["n_hidden"]``).  Without ``by`` the one row keeps its ``n``.
    n_resamples, rng : resamples and seed (or Generator) for the "bootstrap",
        "bca" and "bayes" methods, so their intervals are reproducible.
    csat_column, ces_column, retention_column : when these columns exist in a
        DataFrame, CSAT (top-2-box % on a 1..csat_scale scale), CES (mean on a
        1..ces_scale scale) and retention rate (% true) are added.  A rating
        outside its scale (6 on 1-5) or not whole is an error naming the
        column and its rows, never counted.

    Returns
    -------
    DataFrame with the group columns, ``n``, ``detractors``, ``passives``,
    ``promoters``, ``pct_detractors``, ``pct_passives``, ``pct_promoters``,
    ``nps``, ``ci_low``, ``ci_high``, ``standard_error``, ``band``,
    ``suppressed`` and ``excluded_blank``.

    >>> df = pd.DataFrame({"recommend": [10] * 6 + [8] * 2 + [0] * 2})
    >>> summarize(df)[["n", "nps", "band"]].to_dict("records")
    [{'n': 10, 'nps': 40.0, 'band': 'good'}]
    """
    keys = _as_list(by)
    counts = group_counts(df, score=score, by=keys, weights=weights)
    if isinstance(df, pd.DataFrame):
        extras = {}
        if csat_column and csat_column in df.columns:
            _check_scale(df[csat_column], csat_column, csat_scale, "CSAT")
            c = pd.to_numeric(df[csat_column], errors="raise")
            extras["csat"] = 100.0 * (c > csat_scale - 2).astype(float).where(c.notna())
        if ces_column and ces_column in df.columns:
            _check_scale(df[ces_column], ces_column, ces_scale, "CES")
            extras["ces"] = pd.to_numeric(df[ces_column], errors="raise")
        if retention_column and retention_column in df.columns:
            extras["retention_rate"] = 100.0 * df[retention_column].astype("boolean").astype(float)
        if extras:
            frame = pd.DataFrame(extras, index=df.index)
            if keys:
                means = frame.join(df[keys]).groupby(keys, dropna=False, observed=True).mean()
                counts = counts.merge(means.reset_index(), on=keys, how="left")
            else:
                counts = counts.assign(**frame.mean().to_dict())
    else:
        from . import backends

        extra = backends.summary_extras(
            df,
            keys,
            csat_column=csat_column,
            csat_scale=csat_scale,
            ces_column=ces_column,
            retention_column=retention_column,
        )
        if extra is not None:
            if keys:
                counts = counts.merge(extra, on=keys, how="left")
            else:
                counts = counts.assign(**extra.iloc[0].to_dict())
    return summary_from_counts(
        counts,
        keys,
        weighted=weights is not None,
        method=method,
        confidence_level=confidence_level,
        min_n=min_n,
        n_resamples=n_resamples,
        rng=rng,
    )
