"""Trends and goals: NPS per period with intervals, change tests and goal tracking.

``nps_trend`` is built only from ``scoring.group_counts`` (category counts per
period) and ``scoring.summary_from_counts``, so a trend over files too large
for memory costs what counting them costs in DuckDB or Spark: no raw rows are
read here.  The change between periods comes from ``compare.compare_nps`` on
the two periods' counts, so the trend and a direct comparison always agree.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from ._core import NPS_PSEUDO, NPS_VALUES, SUMMARY_STATISTICS
from ._dates import PERIOD_FREQ, as_dates, wall_time
from ._difference import analytic_two_sample
from ._suppression import hidden_groups
from ._validation import (
    N_RESAMPLES,
    check_columns,
    check_level,
    check_method,
    check_min_n,
    check_resamples,
)
from .compare import compare_nps
from .scoring import group_counts, summary_from_counts

TREND_FREQS = ("QE", "ME", "YE")
# other names of the same periods: a month is one Period whether its label is its
# start ("MS") or its end ("ME"); "M", "Q", "Y" are what pandas < 2.2 called them.
FREQ_ALIASES = {
    **{f: f for f in TREND_FREQS},
    **dict.fromkeys(("M", "MS", "month", "monthly"), "ME"),
    **dict.fromkeys(("Q", "QS", "quarter", "quarterly"), "QE"),
    **dict.fromkeys(("Y", "YS", "A", "AS", "year", "yearly", "annual"), "YE"),
}

# what a suppressed period does not show
_PERIOD_STATISTICS = ["detractors", "passives", "promoters", *SUMMARY_STATISTICS, "n_effective"]

# periods per year for the pandas Period frequencies a trend can have
_PERIODS_PER_YEAR = {"Y": 1.0, "Q": 4.0, "M": 12.0, "W": 52.1775, "D": 365.2425}

TREND_COLUMNS = [
    "period",
    "n",
    "nps",
    "ci_low",
    "ci_high",
    "standard_error",
    "pct_promoters",
    "pct_detractors",
    "change",
    "change_low",
    "change_high",
    "change_p_value",
    "compared_to",
    "below_min_n",
    "suppressed",
    "excluded_blank",
    "detractors",
    "passives",
    "promoters",
    "pct_passives",
]


def _dates_of(df: pd.DataFrame, date: str, score: str) -> pd.Series:
    """``df[date]`` read as dates; numbers there are probably the score passed second."""
    try:
        return as_dates(df[date], column=date)
    except ValueError as err:
        if not pd.api.types.is_numeric_dtype(df[date]) or pd.api.types.is_bool_dtype(df[date]):
            raise
        times = [c for c in df.columns if pd.api.types.is_datetime64_any_dtype(df[c])]
        when = repr(times[0]) if times else "<the response-time column>"
        raise ValueError(
            f"{err}. nps_trend(df, {date!r}) reads {date!r} as the date column (the second "
            f"argument is date; the score is score=): did you mean "
            f"nps_trend(df, date={when}, score={date!r})?"
        ) from None


def _period_base(freq) -> str:
    """'Q', 'M', 'Y', ... for a Period dtype frequency (e.g. ``<QuarterEnd: startingMonth=12>``)."""
    code = pd.Period("2000-01-01", freq=freq).freqstr  # "Q-DEC", "M", "Y-DEC"
    return code.split("-")[0]


def nps_trend(
    df,
    date: str = "responded_at",
    *,
    freq: str = "QE",
    wave: str | None = None,
    score: str = "recommend",
    weights=None,
    method: str = "adjusted-wald",
    confidence_level: float = 0.95,
    min_n: int = 5,
    n_resamples: int = N_RESAMPLES,
    rng=None,
) -> pd.DataFrame:
    """NPS per period (quarter, month, year or survey wave) with intervals and changes.

    Parameters
    ----------
    df : DataFrame with one row per respondent, or anything ``group_counts``
        accepts (a path or glob of Parquet/CSV files, a DuckDB relation, a
        Spark DataFrame): only category counts per period are computed from it.
    date : column with the response time; used unless ``wave`` is given.
    freq : "QE" (quarters), "ME" (months) or "YE" (years); "Q"/"QS", "M"/"MS"
        and "Y"/"YS" (and "quarter", "month", "year") name the same periods
        and are read as these (``attrs["freq"]`` holds the "E" form).
    wave : column with a survey wave (e.g. 1..7).  When given, one row per
        wave value in sorted order and ``date``/``freq`` are not used.
    score : column with the 0-10 answers.  Blank answers are excluded from the
        score and counted per period in ``excluded_blank``.
    weights : column of survey weights (see ``summarize``): percentages, NPS
        and intervals are weighted, with the effective sample size of the linearised variance
        (``n_effective``) for the intervals and the change tests; ``n`` stays
        the unweighted number of answers.
    method, confidence_level : interval method for each period (any
        ``nps_interval`` method) and for each change (``compare_nps``).
        ``compare_nps`` has no score or BCa test, so changes use
        ``"adjusted-wald"`` for ``method="score"`` and ``"bootstrap"`` for
        ``"bca"``; with weights, changes are effective-count Wald tests
        (``"wald"`` for ``method="wald"``, else ``"adjusted-wald"``).  The
        method used is in ``attrs["change_method"]``.
    min_n : periods with fewer answers are flagged ``below_min_n`` and
        ``suppressed``: their counts, shares, NPS and interval are missing and
        no change is computed to or from them.  As in ``summarize``, while the
        suppressed periods hold fewer than ``min_n`` answers together the
        next smallest period is suppressed too, since the overall score minus
        the shown periods would reveal them.  A period keeps its label and
        ``n`` (a period is not a person; its answers are what is hidden).
    n_resamples, rng : resamples (or posterior draws) and their seed or
        Generator for the resampling methods, so that a trend is reproducible.

    Returns
    -------
    DataFrame, one row per period in time order, with ``period``, ``n``,
    ``nps``, ``ci_low``, ``ci_high``, ``standard_error``, ``pct_promoters``,
    ``pct_detractors``, ``change``, ``change_low``, ``change_high``,
    ``change_p_value``, ``compared_to``, ``below_min_n``, ``suppressed``,
    ``excluded_blank``, the category counts and
    ``pct_passives`` (and ``n_effective`` when weighted).

    Notes
    -----
    *Empty periods.*  With ``date``/``freq``, every period between the first
    and the last observed one gets a row, so gaps in the survey stay visible:
    an empty period has ``n == 0`` and missing NPS, interval and change.
    (Waves are labels, so no missing waves are invented.)

    *Changes.*  ``change`` is NPS(this period) - NPS(``compared_to``), where
    ``compared_to`` is the closest earlier period that is shown (has answers
    and is not suppressed): usually the previous period; after an empty or a
    suppressed period, the one before it.  So a change never uses a suppressed
    period's answers, and a reader still sees how the score moved across it.
    ``change_low``/``change_high`` and ``change_p_value`` are the interval and
    two-sided p-value of ``compare_nps(counts_before, counts_now)`` for
    independent samples.

    *What the counts cannot know.*  A trend is built from counts, so it
    treats periods as independent samples of independent respondents.  When
    many of the same people answer in both periods (a panel, as in the
    b2b-annual example), the test of their change is
    ``compare_nps(a, b, paired=True)`` on the matched answers (usually more
    powerful); when several respondents come from one client account, pass
    ``clusters=`` to ``nps_interval`` for an honest interval of one period.

    *Rows without a period* (blank date or wave) cannot be placed on the time
    axis: they are left out, counted in ``attrs["excluded_no_period"]``, and a
    warning says how many.  ``attrs`` also hold ``excluded_blank``, ``freq``
    or ``wave``, ``method``, ``confidence_level`` and ``min_n``.

    Examples
    --------
    Quarter 1: 5 promoters, 3 passives, 2 detractors (NPS 30); quarter 2:
    6 promoters, 4 passives, no detractors (NPS 60), a change of +30 points.

    >>> df = pd.DataFrame({
    ...     "responded_at": pd.to_datetime(["2024-02-01"] * 10 + ["2024-05-01"] * 10),
    ...     "recommend": [10] * 5 + [8] * 3 + [0] * 2 + [9] * 6 + [7] * 4,
    ... })
    >>> t = nps_trend(df, min_n=5)
    >>> t[["period", "n", "nps", "change"]].astype({"period": str}).to_dict("records")
    [{'period': '2024Q1', 'n': 10, 'nps': 30.0, 'change': nan}, {'period': '2024Q2', 'n': 10, 'nps': 60.0, 'change': 30.0}]
    """
    check_method(method)
    level = check_level(confidence_level)
    n_resamples = check_resamples(n_resamples, method)
    min_n = check_min_n(min_n)
    if weights is not None and method in ("bootstrap", "bca"):
        raise ValueError(
            f"method {method!r} resamples respondents and cannot be computed from weighted "
            "counts per period; with weights use 'adjusted-wald', 'wald', 'score' or 'bayes'"
        )
    if wave is None:
        if not isinstance(freq, str) or freq not in FREQ_ALIASES:
            raise ValueError(
                f"unknown freq {freq!r}; valid: {list(TREND_FREQS)} (months, quarters, years; "
                "'M'/'MS', 'Q'/'QS' and 'Y'/'YS' are read the same), or use wave="
            )
        freq = FREQ_ALIASES[freq]
        key, by, period = date, None, (date, freq)
    else:
        key, by, period = wave, [wave], None
    if isinstance(df, pd.DataFrame):
        check_columns(df, [score, key])
        if wave is None and not pd.api.types.is_datetime64_dtype(df[date].dtype):
            df = df.assign(**{date: wall_time(_dates_of(df, date, score))})

    counts = group_counts(df, score=score, by=by, weights=weights, period=period)
    if wave is not None:
        counts = counts.rename(columns={wave: "period"})

    # rows whose date/wave is blank have no place on the time axis
    no_period = counts["period"].isna().to_numpy()
    excluded_no_period = int((counts["n"] + counts["excluded_blank"])[no_period].sum())
    if excluded_no_period:
        warnings.warn(
            f"nps_trend: {excluded_no_period} row(s) have a blank {key!r} and are left out "
            "of the trend (see attrs['excluded_no_period'])",
            UserWarning,
            stacklevel=2,
        )
    counts = counts.loc[~no_period].sort_values("period").reset_index(drop=True)

    if wave is None:
        counts = _fill_periods(counts, PERIOD_FREQ[freq])

    weighted = weights is not None
    gen = np.random.default_rng(rng)
    table = summary_from_counts(
        counts,
        "period",
        weighted=weighted,
        method=method,
        confidence_level=level,
        min_n=0,  # small periods are suppressed below, after the changes skip them
        n_resamples=n_resamples,
        rng=gen,
    )
    n = table["n"].to_numpy()
    table["below_min_n"] = n < min_n
    table["suppressed"] = hidden_groups(n, min_n) & (n > 0)  # empty periods: nothing to hide
    change_method = _change_method(method, weighted)
    table = _add_changes(table, weighted, change_method, level, n_resamples, gen)
    hide = [c for c in _PERIOD_STATISTICS if c in table.columns]
    for c in hide:
        table[c] = table[c].mask(table["suppressed"].to_numpy(bool))
    cols = TREND_COLUMNS + (["n_effective"] if weighted else [])
    out = table[cols].copy()
    out.attrs.update(
        method=method,
        change_method=change_method,
        confidence_level=confidence_level,
        min_n=min_n,
        freq=None if wave is not None else freq,
        wave=wave,
        weighted=weighted,
        excluded_blank=int(out["excluded_blank"].sum()),
        excluded_no_period=excluded_no_period,
    )
    return out


def _fill_periods(counts: pd.DataFrame, base: str) -> pd.DataFrame:
    """One row for every period from the first to the last, n = 0 where nobody answered."""
    if counts.empty:
        return counts
    periods = counts["period"]
    if not isinstance(periods.dtype, pd.PeriodDtype):  # e.g. strings from a backend
        periods = pd.PeriodIndex(periods.astype(str), freq=base)
    periods = pd.PeriodIndex(periods)
    full = pd.period_range(periods.min(), periods.max(), freq=periods.freq)
    value_cols = [c for c in counts.columns if c != "period"]
    filled = counts[value_cols].set_axis(periods).reindex(full, fill_value=0)
    filled.index.name = "period"
    return filled.reset_index()


def _change_method(method: str, weighted: bool) -> str:
    """The ``compare_nps`` method for the changes of a trend made with ``method``."""
    if method in ("wald", "adjusted-wald"):
        return method
    if weighted:  # fractional effective counts: the analytic test only
        return "adjusted-wald"
    return {"bca": "bootstrap", "score": "adjusted-wald"}.get(method, method)


def _add_changes(
    table, weighted, method, confidence_level, n_resamples=N_RESAMPLES, rng=None
) -> pd.DataFrame:
    """change vs the closest earlier shown period, via compare_nps on counts.

    Empty and suppressed periods are skipped: no change is computed to or from them.
    """
    table = table.copy()
    k = len(table)
    change, low, high, p_value = (np.full(k, np.nan) for _ in range(4))
    compared_to = np.full(k, -1)  # row of the earlier period, -1: none
    skip = (table["n"].to_numpy() <= 0) | table["suppressed"].to_numpy(bool)
    if weighted:
        # the weighted shares on the effective sample size (linearised variance)
        shares = table[["pct_detractors", "pct_passives", "pct_promoters"]].to_numpy(float) / 100
        counts = shares * table["n_effective"].to_numpy(float)[:, None]
    else:
        counts = table[["detractors", "passives", "promoters"]].to_numpy(float)
    prev = None
    for i in range(k):
        if skip[i]:
            continue
        if prev is not None:
            if weighted:
                res = _weighted_change(counts[prev], counts[i], method, confidence_level)
            else:
                res = compare_nps(
                    counts_a=tuple(counts[prev]),
                    counts_b=tuple(counts[i]),
                    method=method,
                    confidence_level=confidence_level,
                    n_resamples=n_resamples,
                    rng=rng,
                )
                res = (res.difference, res.low, res.high, res.p_value)
            change[i], low[i], high[i], p_value[i] = res
            compared_to[i] = prev
        prev = i
    table["change"], table["change_low"], table["change_high"] = change, low, high
    table["change_p_value"] = p_value
    labels = table["period"]
    if pd.api.types.is_integer_dtype(labels.dtype):
        labels = labels.astype("Int64")  # wave numbers: keep them whole, NA for none
    labels = labels.iloc[np.maximum(compared_to, 0)].set_axis(table.index)
    table["compared_to"] = labels.mask(compared_to < 0)
    return table


def _weighted_change(a, b, method, confidence_level):
    """compare_nps's two-sample computation on fractional (effective) counts.

    ``compare_nps`` takes whole-number counts only, so weighted periods use the
    same vectorised helper it uses itself; with unit weights the results are
    identical to ``compare_nps`` (pinned by a test).
    """
    pseudo = NPS_PSEUDO if method == "adjusted-wald" else None
    low, high, _, p = (
        float(np.ravel(x)[0])
        for x in analytic_two_sample(
            NPS_VALUES, a[None], b[None], pseudo, confidence_level, "two-sided"
        )
    )
    diff = b @ NPS_VALUES / b.sum() - a @ NPS_VALUES / a.sum()
    return 100 * diff, 100 * low, 100 * high, p


def _baseline_row(periods: pd.Series, answered: np.ndarray, baseline) -> int:
    """Row of the goal's baseline: the named period, or the first shown one with answers."""
    if baseline is None:
        if not answered.any():
            raise ValueError("the trend has no shown period with answers: no baseline")
        return int(np.flatnonzero(answered)[0])
    labels = periods.astype(str).tolist()
    if str(baseline) not in labels:
        raise KeyError(f"baseline {baseline!r} is not a period of the trend; periods: {labels}")
    b = labels.index(str(baseline))
    if not answered[b]:
        raise ValueError(f"baseline period {baseline!r} has no answers, or too few to be shown")
    return b


def _period_steps(periods: pd.Series, b: int, is_period: bool) -> np.ndarray:
    """Periods from the baseline row ``b``: Period distance, numeric wave distance or rows."""
    if is_period:
        return np.array([(p - periods.iat[b]).n for p in periods], dtype=float)
    if pd.api.types.is_numeric_dtype(periods):
        return periods.to_numpy(float) - float(periods.iat[b])
    return np.arange(len(periods), dtype=float) - b


def goal_progress(
    trend: pd.DataFrame,
    promoter_growth: float = 0.10,
    *,
    baseline=None,
    absolute: bool = False,
    periods_per_year: float | None = None,
    confidence_level: float = 0.95,
) -> pd.DataFrame:
    """Track a promoter-share goal such as "grow the promoter share by 10 % a year".

    Parameters
    ----------
    trend : a table from ``nps_trend`` (needs ``period``, ``n`` and
        ``pct_promoters``; ``n_effective`` is used when present).
    promoter_growth : growth per year.  By default *relative*: 0.10 means
        the share grows by a tenth of itself each year (40 % -> 44 % -> 48.4 %,
        compounding).  With ``absolute=True`` it is a share of respondents
        added each year: 0.10 means +10 percentage points a year
        (40 % -> 50 % -> 60 %).
    baseline : the period the goal starts from (a label in ``trend.period``,
        e.g. ``"2024"``, ``pd.Period("2024")`` or a wave number); default the
        first period with answers that is not suppressed.
    absolute : see ``promoter_growth``.
    periods_per_year : how many trend periods make a year.  Taken from the
        period frequency (4 for quarters, 12 for months); for waves it defaults
        to 1 (one wave a year) and the waves' numeric distance is used as the
        number of periods when the labels are numbers (row distance otherwise).
    confidence_level : level of the Wilson interval for the promoter share.

    Returns
    -------
    DataFrame, one row per period after the baseline: ``period``, ``n``,
    ``years`` (since the baseline), ``baseline_share``, ``target``,
    ``actual`` (all in percent), ``gap`` (actual - target, percentage
    points), ``on_track`` (actual >= target; missing for empty and
    suppressed periods),
    ``share_low``/``share_high`` (interval of the actual share) and
    ``target_in_interval`` (the data cannot tell the actual share from the
    target), plus ``below_min_n`` when the trend has it.  ``attrs`` record
    the goal.

    Notes
    -----
    The target is fixed from the baseline's observed share; the baseline's own
    sampling error is not carried into it, so with small samples read
    ``target_in_interval`` before ``on_track``.  For a yearly goal a yearly
    trend (``freq="YE"`` or yearly waves) is the natural input; with quarters
    or months the target grows by the matching fraction of a year
    (``(1 + growth) ** (quarters / 4)``).

    Examples
    --------
    40 % promoters last year; a 10 % growth goal makes this year's target
    44 %, so 44 % is on track and 43 % is not.

    >>> trend = pd.DataFrame({"period": [2024, 2025, 2026], "n": [100] * 3,
    ...                       "pct_promoters": [40.0, 44.0, 47.0]})
    >>> g = goal_progress(trend, 0.10)
    >>> g[["period", "target", "actual", "on_track"]].round(2).to_dict("records")
    [{'period': 2025, 'target': 44.0, 'actual': 44.0, 'on_track': True}, {'period': 2026, 'target': 48.4, 'actual': 47.0, 'on_track': False}]
    """
    from statsmodels.stats.proportion import proportion_confint

    check_columns(trend, ["period", "n", "pct_promoters"], where="trend (make it with nps_trend)")
    g = float(promoter_growth)
    if not np.isfinite(g) or (not absolute and g <= -1):
        raise ValueError(f"promoter_growth must be a number above -1, got {promoter_growth!r}")
    confidence_level = check_level(confidence_level)
    t = trend.reset_index(drop=True)
    periods = t["period"]
    is_period = isinstance(periods.dtype, pd.PeriodDtype)
    if periods_per_year is None:
        periods_per_year = _PERIODS_PER_YEAR[_period_base(periods.dtype.freq)] if is_period else 1
    if not periods_per_year > 0:
        raise ValueError(f"periods_per_year must be positive, got {periods_per_year!r}")

    # a suppressed period (too few answers) has no share to start from or to track
    answered = (t["n"].to_numpy() > 0) & t["pct_promoters"].notna().to_numpy()
    b = _baseline_row(periods, answered, baseline)
    steps = _period_steps(periods, b, is_period)
    years = steps / periods_per_year
    base_share = float(t["pct_promoters"].iat[b])
    if absolute:
        target = base_share + 100 * g * years
    else:
        target = base_share * (1 + g) ** years
    target = np.clip(target, 0, 100)

    actual = t["pct_promoters"].to_numpy(float)
    n_ci = t["n_effective"].to_numpy(float) if "n_effective" in t else t["n"].to_numpy(float)
    low, high = np.full(len(t), np.nan), np.full(len(t), np.nan)
    ok = answered & np.isfinite(actual)
    if ok.any():
        lo, hi = proportion_confint(
            actual[ok] / 100 * n_ci[ok], n_ci[ok], alpha=1 - confidence_level, method="wilson"
        )
        low[ok], high[ok] = 100 * np.asarray(lo), 100 * np.asarray(hi)
    # 40 * 1.1 is 44.000000000000006 in floating point: compare with a
    # tolerance far below any meaningful share difference.
    tol = 1e-9
    on_track = pd.array(np.where(ok, actual >= target - tol, False), dtype="boolean")
    on_track[~ok] = pd.NA
    in_interval = pd.array((low <= target + tol) & (target - tol <= high), dtype="boolean")
    in_interval[~ok] = pd.NA
    out = pd.DataFrame(
        {
            "period": periods,
            "n": t["n"],
            "years": years,
            "baseline_share": base_share,
            "target": target,
            "actual": actual,
            "gap": actual - target,
            "on_track": on_track,
            "share_low": low,
            "share_high": high,
            "target_in_interval": in_interval,
        }
    )
    if "below_min_n" in t.columns:
        out["below_min_n"] = t["below_min_n"].to_numpy(bool)
    out = out.iloc[b + 1 :].reset_index(drop=True)
    out.attrs.update(
        baseline=periods.iat[b],
        promoter_growth=g,
        absolute=absolute,
        periods_per_year=periods_per_year,
        confidence_level=confidence_level,
    )
    return out
