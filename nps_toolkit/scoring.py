"""Scoring: classify 0-10 answers, count categories, NPS, bands and summaries.

NPS = % promoters (9-10) - % detractors (0-6), on the -100..100 scale.
Blank answers (NaN) are never an error: they are excluded from the score and
counted, so nothing disappears without a trace.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._core import (
    CATEGORIES,
    CATEGORY_DTYPE,
    COUNT_COLUMNS,
    SUMMARY_STATISTICS,
    Counts,
    category_codes,
    effective_n,
    linearised_variance,
)
from ._counting import group_counts
from ._suppression import collapse_hidden, hidden_cells
from ._validation import (
    N_RESAMPLES,
    RESAMPLING_METHODS,
    as_list,
    as_score_array,
    as_weights,
    check_columns,
    check_level,
    check_method,
    check_min_n,
    check_resamples,
    check_scale,
    check_score_column,
    close_names,
    resolve_weights,
    series_expected,
)
from .intervals import interval_arrays

__all__ = [
    "BANDS",
    "CATEGORIES",
    "CATEGORY_DTYPE",
    "COUNT_COLUMNS",
    "Counts",
    "band",
    "category_counts",
    "ces",
    "classify",
    "csat",
    "group_counts",
    "nps",
    "response_rate",
    "summarize",
    "summary_from_counts",
]

BANDS = ("needs improvement", "acceptable", "good", "excellent", "world-class")
# Upper edges of the bands.  A band includes its upper edge and excludes its
# lower edge, except that 0 belongs to "acceptable" ("below 0" is the only way
# to "need improvement"): 0 -> acceptable, 30 -> acceptable, 50 -> good,
# 70 -> excellent, 70.1 -> world-class.
_BAND_EDGES = (0.0, 30.0, 50.0, 70.0)


def classify(scores) -> pd.Series:
    """Classify 0-10 answers as detractor (0-6), passive (7-8) or promoter (9-10).

    Returns an ordered categorical Series (blank answers stay missing); a
    pandas Series keeps its index.

    >>> classify([0, 6, 7, 8, 9, 10]).tolist()
    ['detractor', 'detractor', 'passive', 'passive', 'promoter', 'promoter']
    """
    arr = as_score_array(scores)
    codes = np.full(arr.shape, -1, dtype=np.int8)
    codes[arr <= 6] = 0
    codes[(arr >= 7) & (arr <= 8)] = 1
    codes[arr >= 9] = 2
    index = scores.index if isinstance(scores, pd.Series) else None
    name = scores.name if isinstance(scores, pd.Series) else None
    return pd.Series(pd.Categorical.from_codes(codes, dtype=CATEGORY_DTYPE), index=index, name=name)


def category_counts(scores, *, weights=None) -> Counts:
    """Count detractors, passives and promoters (weighted sums when weights are given).

    Blank answers are left out of every count and of ``n``.

    >>> category_counts([10, 9, 8, 3, None])
    Counts(detractors=1.0, passives=1.0, promoters=2.0, n=4.0)
    """
    arr = as_score_array(scores)
    codes = category_codes(arr)
    w = np.ones(arr.shape) if weights is None else as_weights(weights, arr.shape[0])
    sums = np.bincount(codes[codes >= 0], weights=w[codes >= 0], minlength=3)
    return Counts(float(sums[0]), float(sums[1]), float(sums[2]), float(sums.sum()))


def nps(scores, *, weights=None) -> float:
    """Net Promoter Score, % promoters - % detractors, from -100 to 100.

    >>> nps([10] * 60 + [8] * 20 + [2] * 20)
    40.0
    """
    check_scale(as_score_array(scores))  # a 1-5 rating read as 0-10 gives -100: say so
    return category_counts(scores, weights=weights).nps


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


def csat(ratings, *, scale: int = 5, top: int = 2) -> float:
    """Customer satisfaction: percent of answers in the top ``top`` boxes of a 1..scale scale.

    Blank ratings are excluded.

    >>> csat([5, 4, 3, 2, 5])
    60.0
    """
    if isinstance(ratings, pd.DataFrame):
        raise TypeError(series_expected(ratings, "ratings", f"1-{scale} ratings", "csat"))
    arr = np.asarray(pd.to_numeric(pd.Series(ratings), errors="raise"), dtype=float)
    arr = arr[~np.isnan(arr)]
    if arr.size == 0:
        raise ValueError("no ratings: CSAT is undefined for zero answers")
    if ((arr < 1) | (arr > scale)).any():
        raise ValueError(f"CSAT ratings must lie between 1 and {scale}")
    if not 1 <= top < scale:
        raise ValueError(f"top must be between 1 and {scale - 1}, got {top}")
    return 100.0 * float(np.mean(arr > scale - top))


def ces(ratings, *, scale: int = 7) -> float:
    """Customer effort score: the mean effort rating on a 1..scale scale (blank ratings excluded).

    >>> ces([1, 2, 3, 6])
    3.0
    """
    if isinstance(ratings, pd.DataFrame):
        raise TypeError(series_expected(ratings, "ratings", f"1-{scale} ratings", "ces"))
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


def summary_from_counts(
    counts: pd.DataFrame,
    by=None,
    *,
    weighted: bool = False,
    method: str = "adjusted-wald",
    confidence_level: float = 0.95,
    min_n: int = 5,
    n_resamples: int = N_RESAMPLES,
    rng=None,
) -> pd.DataFrame:
    """The ``summarize`` table from a ``group_counts`` frame (see ``summarize``).

    With ``weighted`` the intervals use each group's linearised variance
    through its effective sample size (``n_effective``, see ``nps_interval``).
    """
    keys = as_list(by)
    out = counts.copy()
    pp, pd_, n_eff = _shares(out, weighted)
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
    suppressed = hidden_cells(out[keys], out["n"].to_numpy(), min_n)
    out["suppressed"] = suppressed
    hide = [*cats, *SUMMARY_STATISTICS, *extras]
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


def _shares(counts: pd.DataFrame, weighted: bool):
    """Promoter and detractor shares and the effective n of every group of a counts frame."""
    col = {c: counts[c].to_numpy(float) for c in counts.columns if c.startswith("w_")}
    with np.errstate(invalid="ignore", divide="ignore"):
        pp = col["w_promoters"] / col["w_n"]
        pd_ = col["w_detractors"] / col["w_n"]
    n = counts["n"].to_numpy(float)
    if not weighted:
        return pp, pd_, n
    var = linearised_variance(
        col["w_n"],
        col["w_detractors"],
        col["w_promoters"],
        col["w_sq"],
        col["w_sq_detractors"],
        col["w_sq_promoters"],
    )
    return pp, pd_, effective_n(n, pp, pd_, var)


def summarize(
    df,
    score: str = "recommend",
    by=None,
    *,
    weights=None,
    method: str = "adjusted-wald",
    confidence_level: float = 0.95,
    min_n: int = 5,
    csat_column: str | None = "csat",
    csat_scale: int = 5,
    ces_column: str | None = "ces",
    ces_scale: int = 7,
    retention_column: str | None = "retained",
    n_resamples: int = N_RESAMPLES,
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
        Percentages, NPS, CSAT, CES, retention and the interval are weighted
        (the interval on the linearised variance, through the effective
        sample size reported as ``n_effective``); ``n`` and the category
        counts stay unweighted respondent counts.
    method, confidence_level : interval method and level (see ``nps_interval``);
        with weights the analytic methods and ``"bayes"``.
    min_n : groups with fewer answers are ``suppressed`` so that small
        groups stay anonymous; while the hidden groups hold fewer than
        ``min_n`` answers together, the next smallest group is hidden too, so
        that the overall counts minus the shown groups reveal only a set of at
        least ``min_n`` answers.  Hidden groups show neither label nor
        numbers: they are replaced by one last row, ``suppressed`` true,
        whose first group column says how many groups were hidden
        (``attrs["n_hidden"]``).  Without ``by`` the one row keeps its ``n``.
        With two or more ``by`` columns the cells are also protected against
        the margins (the tables by fewer of the columns), row by row, column
        by column and by an exact audit (see ``_suppression.hidden_cells``).
    n_resamples, rng : resamples and seed (or Generator) for the "bootstrap",
        "bca" and "bayes" methods, so their intervals are reproducible.
    csat_column, ces_column, retention_column : when these columns exist
        (a name other than the default must exist; ``None`` leaves it out),
        CSAT (top-2-box % on a 1..csat_scale scale), CES (mean on a
        1..ces_scale scale) and retention rate (% true) are added, each over
        the group's non-blank values.  A rating outside its scale (6 on 1-5)
        or not whole is an error naming the column and its rows, never counted.

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
    # every argument is checked before anything is counted (counting a large
    # file can take minutes)
    check_method(method)
    level = check_level(confidence_level)
    n_resamples = check_resamples(n_resamples, method)
    min_n = check_min_n(min_n)
    if weights is not None and method in RESAMPLING_METHODS and method != "bayes":
        raise ValueError(
            f"method {method!r} resamples respondents and cannot be computed from weighted "
            "counts per group; with weights use 'adjusted-wald', 'wald', 'score' or 'bayes', "
            f"or nps_interval(scores, weights=..., method={method!r}) per group"
        )
    for name, scale in (("csat_scale", csat_scale), ("ces_scale", ces_scale)):
        if int(scale) != scale or scale < 3:
            raise ValueError(f"{name} must be a whole number >= 3, got {scale!r}")
    keys = as_list(by)
    if isinstance(df, pd.DataFrame) and isinstance(score, str):
        # summarize(df, "flight_class"): a segment passed where the score goes
        call, fix = f"summarize(df, {score!r})", f"summarize(df, by={score!r})"
        if "recommend" not in df.columns:  # the default score is not there either
            numeric = [c for c in df.columns if pd.api.types.is_numeric_dtype(df[c])]
            guess = close_names("recommend", numeric, n=1)
            fix = f"summarize(df, score={guess[0] if guess else '<0-10 column>'!r}, by={score!r})"
        if keys:
            call = f"summarize(df, {score!r}, {by!r})"
            numeric = [k for k in keys if k in df.columns and pd.api.types.is_numeric_dtype(df[k])]
            score_hint = f"score={numeric[0]!r}" if len(numeric) == 1 else "score=<0-10 column>"
            others = [k for k in keys if k not in numeric[:1]] + [score]
            fix = f"summarize(df, {score_hint}, by={others[0] if len(others) == 1 else others!r})"
        check_score_column(df, score, call=call, fix=fix)
        if score in df.columns:
            check_scale(pd.to_numeric(df[score], errors="coerce"), score)
        # the default names are optional; a name the caller chose must exist
        for option, column, default in (
            ("csat_column", csat_column, "csat"),
            ("ces_column", ces_column, "ces"),
            ("retention_column", retention_column, "retained"),
        ):
            if column is not None and column != default:
                check_columns(df, [column], what=f"{option}")
    counts = group_counts(df, score, keys, weights=weights)
    scales = {"csat": csat_scale, "ces": ces_scale}
    extra = _summary_extras(df, keys, weights, csat_column, ces_column, retention_column, scales)
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
        confidence_level=level,
        min_n=min_n,
        n_resamples=n_resamples,
        rng=rng,
    )


def _summary_extras(df, keys, weights, csat_column, ces_column, retention_column, scales):
    """CSAT, CES and retention per group (weighted like the NPS), or None when absent."""
    if not isinstance(df, pd.DataFrame):
        from . import backends

        return backends.summary_extras(
            df,
            keys,
            weights=weights,
            csat_column=csat_column,
            csat_scale=scales["csat"],
            ces_column=ces_column,
            ces_scale=scales["ces"],
            retention_column=retention_column,
        )
    extras = {}
    if csat_column and csat_column in df.columns:
        _check_scale(df[csat_column], csat_column, scales["csat"], "CSAT")
        c = pd.to_numeric(df[csat_column], errors="raise")
        extras["csat"] = 100.0 * (c > scales["csat"] - 2).astype(float).where(c.notna())
    if ces_column and ces_column in df.columns:
        _check_scale(df[ces_column], ces_column, scales["ces"], "CES")
        extras["ces"] = pd.to_numeric(df[ces_column], errors="raise").astype(float)
    if retention_column and retention_column in df.columns:
        extras["retention_rate"] = 100.0 * df[retention_column].astype("boolean").astype(float)
    if not extras:
        return None
    values = pd.DataFrame(extras, index=df.index)
    w = resolve_weights(df, weights)
    w = pd.Series(1.0 if w is None else w, index=df.index)
    # weighted mean over each column's non-blank values: sum(w x) / sum(w)
    given = values.notna().astype(float).mul(w, axis=0)
    weighted = values.fillna(0.0).mul(w, axis=0)
    if keys:
        frame_keys = df[keys]
        num = weighted.join(frame_keys).groupby(keys, dropna=False, observed=True).sum()
        den = given.join(frame_keys).groupby(keys, dropna=False, observed=True).sum()
        with np.errstate(invalid="ignore", divide="ignore"):
            return (num / den.where(den > 0)).reset_index()
    den = given.sum()
    return (weighted.sum() / den.where(den > 0)).to_frame().T
