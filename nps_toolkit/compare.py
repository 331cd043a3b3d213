"""Comparing NPS values and planning sample sizes (NPS points throughout).

``compare_nps`` tests the difference of two NPS values (independent samples
or the same respondents twice), ``compare_segments`` tests every segment of a
survey against the rest, the overall score or a named segment with a
multiple-testing correction, and ``sample_size`` / ``margin_of_error`` plan a
survey.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ._core import COUNT_COLUMNS, Counts, category_codes, effective_n, linearised_variance
from ._core import NPS_PSEUDO as _NPS_PSEUDO
from ._core import NPS_VALUES as _NPS_VALUES
from ._counting import group_counts
from ._difference import PAIRED_PSEUDO as _PAIRED_PSEUDO
from ._difference import PAIRED_VALUES as _PAIRED_VALUES
from ._difference import analytic_paired as _analytic_paired
from ._difference import analytic_two_sample as _analytic_two_sample
from ._multitest import adjust_p_values
from ._results import TableRow
from ._suppression import collapse_hidden, hidden_cells
from ._validation import (
    N_RESAMPLES,
    ColumnError,
    as_list,
    as_score_array,
    check_alternative,
    check_choice,
    check_counts,
    check_level,
    check_method,
    check_min_n,
    check_resamples,
    check_score_column,
    close_names,
    planning_variance,
)
from ._validation import z as z_critical

COMPARE_METHODS = ("wald", "adjusted-wald", "bootstrap", "bayes")
CORRECTIONS = (
    "holm",
    "fdr_bh",
    "bonferroni",
    "sidak",
    "holm-sidak",
    "hommel",
    "fdr_by",
    None,
)


@dataclass(frozen=True, repr=False)
class NPSComparison(TableRow):
    """Difference of two NPS values, NPS(b) - NPS(a), with interval and test.

    ``to_frame()`` gives it as a one-row table with the column names of
    ``compare_segments`` (``difference``, ``ci_low``, ``ci_high``,
    ``statistic``, ``p_value``, ...); in a notebook it shows as a small table.

    Attributes
    ----------
    difference : NPS(b) - NPS(a) in NPS points (-200..200).
    low, high : confidence interval of the difference (one-sided intervals
        end at -200 or 200).
    statistic : z statistic (difference / standard error; for the bootstrap
        and Bayes methods the difference over the resampled SD).
    p_value : p-value of "no difference" against ``alternative`` (for
        ``bayes`` the posterior tail probability, doubled when two-sided).
    method, confidence_level, alternative, paired : how it was computed.
    n_a, n_b : answers in a and b (for paired data: complete pairs).
    nps_a, nps_b : the two NPS values.
    """

    difference: float
    low: float
    high: float
    statistic: float
    p_value: float
    method: str
    confidence_level: float
    n_a: int
    n_b: int
    nps_a: float = np.nan
    nps_b: float = np.nan
    alternative: str = "two-sided"
    paired: bool = False

    _COLUMNS = {"low": "ci_low", "high": "ci_high"}

    def __repr__(self) -> str:
        kind = "paired" if self.paired else "independent"
        return (
            f"NPSComparison(difference={self.difference:.1f} (b {self.nps_b:.1f} - "
            f"a {self.nps_a:.1f}), {100 * self.confidence_level:g}% CI "
            f"[{self.low:.1f}, {self.high:.1f}], statistic={self.statistic:.3f}, "
            f"p_value={self.p_value:.4g}, method={self.method!r}, {kind}, "
            f"alternative={self.alternative!r}, n_a={self.n_a}, n_b={self.n_b})"
        )


# --------------------------------------------------------------------------
# input
# --------------------------------------------------------------------------


def _sample_counts(x, counts, name: str) -> np.ndarray:
    """(detractors, passives, promoters) of one independent sample.

    ``x`` holds raw 0-10 scores (any sequence, array or Series); ``counts``
    (keyword ``counts_a``/``counts_b``) a ``Counts`` or a 3-sequence of
    counts.  Exactly one of them is given.
    """
    if (x is None) == (counts is None):
        raise ValueError(
            f"give either {name} (raw 0-10 scores) or counts_{name} (category counts), "
            "not both or neither"
        )
    if counts is not None:
        try:
            return np.array(check_counts(counts), dtype=float)
        except ValueError as err:
            raise ValueError(f"counts_{name}: {err}") from None
    if isinstance(x, Counts):
        raise TypeError(
            f"{name} is a Counts: a positional sample is always raw scores; pass category "
            f"counts as counts_{name}=..."
        )
    codes = category_codes(as_score_array(x, name=name))
    counts = np.bincount(codes[codes >= 0], minlength=3).astype(float)
    if counts.sum() == 0:
        raise ValueError(f"no responses in {name}: every score is blank")
    return counts


def _align_pairs(a, b):
    """Two pandas Series are paired by their index (respondent id), not by position."""
    if not (isinstance(a, pd.Series) and isinstance(b, pd.Series)) or a.index.equals(b.index):
        return a, b
    if not a.index.is_unique or not b.index.is_unique:
        raise ValueError("paired Series must have unique respondent ids in their index")
    only_a = a.index.difference(b.index)
    only_b = b.index.difference(a.index)
    if len(only_a) or len(only_b):
        raise ValueError(
            "paired Series must hold the same respondents (their index): "
            f"{len(only_a)} id(s) only in a (e.g. {list(only_a[:3])}), "
            f"{len(only_b)} only in b (e.g. {list(only_b[:3])})"
        )
    return a, b.reindex(a.index)


def _paired_nps(a, b) -> tuple[float, float]:
    """NPS of each of two paired samples over the complete pairs."""
    a, b = _align_pairs(a, b)
    ca = category_codes(as_score_array(a, name="a"))
    cb = category_codes(as_score_array(b, name="b"))
    keep = (ca >= 0) & (cb >= 0)
    return 100 * float(np.mean(ca[keep] - 1)), 100 * float(np.mean(cb[keep] - 1))


def _paired_counts(a, b) -> np.ndarray:
    """Counts of the per-respondent differences s(b) - s(a) = -2..2."""
    a, b = _align_pairs(a, b)
    xa = as_score_array(a, name="a")
    xb = as_score_array(b, name="b")
    if xa.shape != xb.shape:
        raise ValueError(
            f"paired samples must have the same length (one row per respondent, "
            f"aligned): a has {xa.shape[0]}, b has {xb.shape[0]}"
        )
    ca, cb = category_codes(xa), category_codes(xb)
    complete = (ca >= 0) & (cb >= 0)
    dropped = int((~complete).sum())
    if dropped:
        warnings.warn(
            f"paired comparison: {dropped} respondent(s) with a blank answer in a or b "
            "left out (only complete pairs are compared)",
            stacklevel=3,
        )
    diff = (cb[complete] - 1) - (ca[complete] - 1)  # codes 0/1/2 -> s = -1/0/1
    counts = np.bincount(diff + 2, minlength=5).astype(float)
    if counts.sum() == 0:
        raise ValueError("no responses: no respondent answered in both a and b")
    return counts


# --------------------------------------------------------------------------
# the two-sample computations, on the proportion scale
# --------------------------------------------------------------------------


def _draws(values, counts, method, n_resamples, rng, prior):
    """Resampled (bootstrap) or posterior (bayes) means of one sample."""
    n = counts.sum()
    if method == "bootstrap":
        m = rng.multinomial(int(round(n)), counts / n, size=n_resamples)
        return m @ values / n
    g = rng.standard_gamma(counts + prior, size=(n_resamples, counts.size))
    return (g @ values) / g.sum(-1)


def _resampled_result(delta, observed, level, alternative):
    """Interval and p-value from draws of the difference."""
    alpha = 1 - level
    if alternative == "two-sided":
        low, high = np.quantile(delta, [alpha / 2, 1 - alpha / 2])
    elif alternative == "greater":
        low, high = np.quantile(delta, alpha), 2.0
    else:
        low, high = -2.0, np.quantile(delta, 1 - alpha)
    # p-value by inverting the percentile interval: the smallest level at
    # which 0 falls outside it
    below = (np.sum(delta < 0) + 0.5 * np.sum(delta == 0)) / delta.size
    above = 1 - below
    p = {"two-sided": min(1.0, 2 * min(below, above)), "greater": below, "less": above}[alternative]
    sd = delta.std(ddof=1)
    if sd > 0:
        stat = observed / sd
    else:  # every draw identical: no spread (see _z_interval)
        stat = 0.0 if observed == 0 else np.sign(observed) * np.inf
    return float(low), float(high), float(stat), float(p)


def compare_nps(
    a=None,
    b=None,
    *,
    counts_a=None,
    counts_b=None,
    paired=False,
    method="adjusted-wald",
    confidence_level=0.95,
    alternative="two-sided",
    n_resamples=N_RESAMPLES,
    rng=None,
    prior=0.5,
) -> NPSComparison:
    """Test and estimate the difference NPS(b) - NPS(a).

    Parameters
    ----------
    a, b : raw 0-10 scores (list, tuple, array or Series; NaN = blank).  A
        positional sample is always read as scores.  ``b`` is the "new"
        sample (this wave, a segment), so a positive difference means b
        scores higher.
    counts_a, counts_b : instead of ``a`` / ``b``, for independent samples:
        category counts, a ``Counts`` or ``(detractors, passives, promoters)``
        (counted elsewhere, as ``nps_interval(counts=...)``).
    paired : the same respondents answered twice (e.g. two waves).  Then
        ``a`` and ``b`` are equal-length arrays aligned by respondent (row i
        of a and row i of b are the same person: align them by respondent
        id first), and the test is on the mean of the per-respondent
        differences s_i(b) - s_i(a), with s = +1 promoter, 0 passive,
        -1 detractor.  Two pandas Series are paired by their index instead
        (it must hold the same respondent ids).  Pairs with a blank in either
        wave are left out (with a warning).
    method : ``"adjusted-wald"`` (default: each sample gets the 0.75/1.5/0.75
        pseudo-respondents, for paired data 3 pseudo-pairs, see the module
        source), ``"wald"`` (z test on the plain difference), ``"bootstrap"``
        (percentile interval of resampled differences) or ``"bayes"``
        (Dirichlet posteriors, prior ``prior`` per category).
    confidence_level : of the interval; the p-value is for "no difference".
    alternative : ``"two-sided"``, ``"greater"`` (b higher than a) or
        ``"less"``; one-sided intervals end at 200 or -200.
    n_resamples, rng : resamples / posterior draws and their seed or
        Generator (``bootstrap``, ``bayes``).

    Returns
    -------
    NPSComparison

    Notes
    -----
    Which method?  ``python benchmarks/coverage.py --compare`` simulated the
    coverage of the 95 % interval of the difference (1,000 samples a cell,
    ``benchmarks/results/compare_coverage.csv``):

    * Independent samples (n = 30/30 to 500/500, five pairs of
      promoter/detractor mixes): ``adjusted-wald`` 94.6-99.3 % (mean 96.2 %;
      conservative, most at n = 30 with 90 % promoters), ``bayes``
      93.8-97.5 %, ``bootstrap`` 92.0-96.0 %, ``wald`` 91.2-96.0 %.
    * Paired panels (n = 20 to 500, 60-80 % of respondents repeating their
      category): ``adjusted-wald`` 94.6-100 % (mean 97.2 %), ``bayes`` the
      same; plain ``wald`` and ``bootstrap`` fail in small, stable panels
      (61 % and 44 % at n = 20 with 90 % promoters: often every difference
      is 0, so their interval is "0 to 0").  Use them only from n = 100 on.

    The adjusted-Wald default therefore errs on the safe side: its p-values
    are somewhat conservative for small or lopsided samples.

    Examples
    --------
    Wald, by hand: a = 50 promoters, 30 passives, 20 detractors (NPS 30,
    variance 0.7 - 0.3^2 = 0.61); b = 60/30/10 (NPS 50, variance
    0.7 - 0.5^2 = 0.45).  SE = sqrt(0.61/100 + 0.45/100) = 0.10296, so
    z = 0.2 / 0.10296 = 1.943 and p = 2 * (1 - Phi(1.943)) = 0.052:

    >>> res = compare_nps(counts_a=(20, 30, 50), counts_b=(10, 30, 60), method="wald")
    >>> round(res.difference, 1), round(res.statistic, 3), round(res.p_value, 3)
    (20.0, 1.943, 0.052)

    A tuple passed positionally is scores, as everywhere else:

    >>> round(compare_nps((10, 9, 8), (10, 9, 3)).nps_a, 1)
    66.7
    """
    check_method(method, COMPARE_METHODS)
    level = check_level(confidence_level)
    n_resamples = check_resamples(n_resamples, method)
    check_alternative(alternative)
    prior = float(prior)
    if not prior > 0:
        raise ValueError(f"prior must be positive, got {prior}")
    if paired:
        if counts_a is not None or counts_b is not None:
            raise ValueError(
                "paired comparisons need the raw scores of each respondent in both "
                "samples (two aligned arrays), not counts"
            )
        values, counts, pseudo = _PAIRED_VALUES, _paired_counts(a, b), _PAIRED_PSEUDO
        n_a = n_b = int(counts.sum())
        nps_a, nps_b = _paired_nps(a, b)
    else:
        values, pseudo = _NPS_VALUES, _NPS_PSEUDO
        ca, cb = _sample_counts(a, counts_a, "a"), _sample_counts(b, counts_b, "b")
        n_a, n_b = int(ca.sum()), int(cb.sum())
        nps_a, nps_b = 100 * float(ca @ values / n_a), 100 * float(cb @ values / n_b)
    observed = (nps_b - nps_a) / 100
    if method in ("wald", "adjusted-wald"):
        pseudo = pseudo if method == "adjusted-wald" else None
        if paired:
            low, high, stat, p = _analytic_paired(counts, pseudo, level, alternative)
        else:
            out = _analytic_two_sample(values, ca[None], cb[None], pseudo, level, alternative)
            low, high, stat, p = (float(np.ravel(x)[0]) for x in out)
    else:
        rng = np.random.default_rng(rng)
        if paired:
            delta = _draws(values, counts, method, n_resamples, rng, prior)
        else:
            delta = _draws(values, cb, method, n_resamples, rng, prior) - _draws(
                values, ca, method, n_resamples, rng, prior
            )
        low, high, stat, p = _resampled_result(delta, observed, level, alternative)
    return NPSComparison(
        difference=100 * observed,
        low=float(np.clip(100 * low, -200, 200)),
        high=float(np.clip(100 * high, -200, 200)),
        statistic=float(stat),
        p_value=float(p),
        method=method,
        confidence_level=level,
        n_a=n_a,
        n_b=n_b,
        nps_a=nps_a,
        nps_b=nps_b,
        alternative=alternative,
        paired=bool(paired),
    )


# --------------------------------------------------------------------------
# segments
# --------------------------------------------------------------------------


def compare_segments(
    df,
    by,
    score="recommend",
    *,
    reference="rest",
    correction="holm",
    method="adjusted-wald",
    confidence_level=0.95,
    min_n=5,
    weights=None,
    n_resamples=N_RESAMPLES,
    rng=None,
) -> pd.DataFrame:
    """Test every segment's NPS against the rest, the overall NPS or one segment.

    Parameters
    ----------
    df : respondent rows (a DataFrame), or anything ``group_counts``
        accepts (Parquet/CSV paths, DuckDB, Spark): only per-segment counts
        are read, so large files are compared without loading them.
    by : segment column or list of columns.
    score : column of 0-10 answers.
    reference : ``"rest"`` (each segment against everyone else: two
        independent samples), ``"overall"`` (against the NPS of all
        respondents) or the name of one segment (a tuple with several
        ``by`` columns).
    correction : multiple-testing correction of the p-values over the tested
        segments (``statsmodels.stats.multitest.multipletests``): ``"holm"``
        (default, family-wise error), ``"fdr_bh"`` (false discovery rate),
        another multipletests method, or ``None``.
    method : ``"adjusted-wald"`` (default), ``"wald"``, ``"bootstrap"`` or
        ``"bayes"`` (see ``compare_nps``); with weights only the Wald methods
        (on effective sample sizes from the linearised variance, as in
        ``nps_interval``).
    confidence_level : of the intervals; ``significant`` means
        ``p_adjusted < 1 - confidence_level``.
    min_n : segments with fewer answers are ``suppressed`` by the rule of
        ``summarize`` (the next smallest segments are hidden with them until
        the hidden ones hold ``min_n`` answers together): they are not tested,
        so they neither reveal small groups nor spend the multiple-testing
        budget, and they are replaced by one last row that says how many
        segments were hidden, with no label and no numbers.  A segment whose
        reference holds fewer than ``min_n`` answers is shown but not tested.
        A named reference segment that would be hidden is an error.
    weights : weight column (or array) for weighted NPS.
    n_resamples, rng : resamples / posterior draws and their seed or
        Generator (``bootstrap``, ``bayes``).

    Returns
    -------
    DataFrame, one row per segment: the ``by`` columns, ``n``, ``nps``,
    ``reference``, ``reference_nps``, ``difference`` (segment minus
    reference), ``ci_low``, ``ci_high`` (interval of the difference),
    ``statistic``, ``p_value``, ``p_adjusted``, ``significant`` and
    ``suppressed``.

    Examples
    --------
    Segment A: 30 promoters, 10 detractors of 50 (NPS 40); B: 10 promoters, 30
    detractors of 50 (NPS -40).  Each against the other ("rest"):

    >>> df = pd.DataFrame({"seg": ["A"] * 50 + ["B"] * 50,
    ...                    "recommend": [10] * 30 + [8] * 10 + [0] * 10
    ...                               + [10] * 10 + [8] * 10 + [0] * 30})
    >>> out = compare_segments(df, "seg", method="wald")
    >>> out[["seg", "nps", "reference_nps", "difference"]].to_dict("records")
    [{'seg': 'A', 'nps': 40.0, 'reference_nps': -40.0, 'difference': 80.0}, {'seg': 'B', 'nps': -40.0, 'reference_nps': 40.0, 'difference': -80.0}]
    """
    check_method(method, COMPARE_METHODS)
    level = check_level(confidence_level)
    n_resamples = check_resamples(n_resamples, method)
    check_choice(correction, CORRECTIONS, "correction")
    min_n = check_min_n(min_n)
    keys = as_list(by)
    if not keys:
        raise ValueError("by must name at least one segment column")
    if weights is not None and method not in ("wald", "adjusted-wald"):
        raise ValueError(
            f"method {method!r} needs unweighted counts; with weights use 'wald' or "
            "'adjusted-wald' (effective sample sizes)"
        )
    if isinstance(score, str) and score in keys:
        raise ValueError(
            f"by names the score column {score!r}: compare_segments(df, by, score) takes the "
            f"segment column second, e.g. compare_segments(df, by='region', score={score!r})"
        )
    if isinstance(df, pd.DataFrame) and isinstance(score, str) and len(keys) == 1:
        # compare_segments(df, "recommend", "region"): score and segment swapped
        check_score_column(
            df,
            score,
            call=f"compare_segments(df, {keys[0]!r}, {score!r})",
            fix=f"compare_segments(df, by={score!r}, score={keys[0]!r})",
        )
    counts = group_counts(df, score, keys, weights=weights)
    seg = {c: counts[c].to_numpy(float) for c in _SUM_COLUMNS}
    ref, ref_label, is_ref = _reference_sums(counts, keys, seg, reference, min_n)
    # small segments are hidden with the next smallest until the hidden ones hold
    # min_n answers (the one rule, in _suppression): otherwise their counts follow
    # from the total and the shown segments.  A reference of fewer than min_n
    # answers (only the rest of a segment holding nearly everyone) is not tested.
    suppressed = hidden_cells(counts[keys], seg["n"], min_n)  # a cross of segments: margins too
    if is_ref.any() and suppressed[is_ref].any():
        raise ValueError(
            f"reference segment {reference!r} is hidden: smaller segments are hidden with "
            f"it so that none of them can be worked out (min_n={min_n}); use 'rest' or 'overall'"
        )
    untestable = suppressed | (ref["n"] < min_n)
    tested = ~untestable & ~is_ref
    weighted = weights is not None
    seg_counts, nps = _effective_counts(seg, weighted)
    ref_counts, ref_nps = _effective_counts(ref, weighted)
    low, high, stat, p = _test_segments(
        ref_counts, seg_counts, tested, method, level, n_resamples, rng
    )
    if isinstance(reference, str) and reference == "overall":
        # A segment is part of the overall sample, so segment and overall are
        # not independent.  With W_s, W_r the (weighted) sizes of the segment
        # and the rest, overall = (W_s seg + W_r rest) / W, hence
        # seg - overall = (W_r / W) (seg - rest) exactly.  The test of
        # seg - overall = 0 is therefore the test of seg - rest = 0 (same z
        # and p), and the interval is the seg-vs-rest interval times W_r / W.
        total = seg["w_n"].sum()
        factor = ref["w_n"] / total
        low, high = low * factor, high * factor
        ref_nps = np.full(
            len(counts), 100 * (seg["w_promoters"].sum() - seg["w_detractors"].sum()) / total
        )
        ref_label[:] = "overall"
    out = counts[keys].copy()
    out["n"] = counts["n"].astype(np.int64).to_numpy()
    out["nps"] = np.where(suppressed, np.nan, nps)
    out["reference"] = pd.array(ref_label.astype(str), dtype="string")
    out["reference_nps"] = np.where(untestable, np.nan, ref_nps)
    out["difference"] = np.where(untestable, np.nan, nps - ref_nps)
    out.loc[is_ref, "difference"] = 0.0
    out["ci_low"], out["ci_high"], out["statistic"] = low, high, stat
    out["p_value"] = p
    out["p_adjusted"], out["significant"] = _adjust(p, tested, correction, level)
    out["suppressed"] = suppressed
    out.attrs.update(
        method=method,
        confidence_level=level,
        correction=correction,
        reference=reference,
        min_n=min_n,
        n_tested=int(tested.sum()),
        n_suppressed=int(suppressed.sum()),
    )
    return collapse_hidden(out, keys, suppressed, min_n)  # hidden segments: no label, no n


# the additive per-segment sums a comparison needs: n and the weighted sums of group_counts
_SUM_COLUMNS = tuple(c for c in COUNT_COLUMNS if c == "n" or c.startswith("w_"))


def _reference_sums(counts, keys, seg, reference, min_n):
    """Sums of the reference of every row (everyone else, or one named segment)."""
    k = len(counts)
    is_ref = np.zeros(k, bool)
    if isinstance(reference, str) and reference in ("rest", "overall"):
        ref = {c: v.sum() - v for c, v in seg.items()}
        return ref, np.array([reference] * k, dtype=object), is_ref
    level_keys = [tuple(r) for r in counts[keys].itertuples(index=False)]
    want = reference if isinstance(reference, tuple) else (reference,)
    if want not in level_keys:
        valid = [x[0] if len(keys) == 1 else x for x in level_keys]
        close = close_names(reference, [v for v in valid if isinstance(v, str)], n=1)
        hint = f"did you mean {close[0]!r}? " if close else ""
        raise ColumnError(
            f"reference {reference!r} is not a level of {keys}; {hint}use 'rest', "
            f"'overall' or one of {valid[:30]}"
        )
    r = level_keys.index(want)
    if seg["n"][r] < min_n:
        raise ValueError(
            f"reference segment {reference!r} has only {int(seg['n'][r])} answers (< min_n={min_n})"
        )
    is_ref[r] = True
    ref = {c: np.full(k, v[r]) for c, v in seg.items()}
    return ref, np.array([str(reference)] * k, dtype=object), is_ref


def _effective_counts(sums, weighted):
    """(detractor, passive, promoter) counts on the effective sample size, and the NPS.

    Without weights these are the counts; with weights the weighted shares
    times n / design effect of the linearised variance (see ``nps_interval``).
    """
    wn = sums["w_n"]
    with np.errstate(divide="ignore", invalid="ignore"):
        d, p = sums["w_detractors"] / wn, sums["w_promoters"] / wn
    n_eff = sums["n"]
    if weighted:
        var = linearised_variance(
            wn,
            sums["w_detractors"],
            sums["w_promoters"],
            sums["w_sq"],
            sums["w_sq_detractors"],
            sums["w_sq_promoters"],
        )
        n_eff = effective_n(sums["n"], p, d, var)
    shares = np.stack([d, 1 - d - p, p], axis=1)
    return shares * n_eff[:, None], 100 * (p - d)


def _test_segments(ref_counts, seg_counts, tested, method, level, n_resamples, rng):
    """Interval (NPS points), statistic and p-value of segment minus reference, per row."""
    k = len(tested)
    low, high, stat, p = (np.full(k, np.nan) for _ in range(4))
    idx = np.flatnonzero(tested)
    if not idx.size:
        return low, high, stat, p
    if method in ("wald", "adjusted-wald"):
        pseudo = _NPS_PSEUDO if method == "adjusted-wald" else None
        lo, hi, st, pv = _analytic_two_sample(
            _NPS_VALUES, ref_counts[idx], seg_counts[idx], pseudo, level, "two-sided"
        )
        low[idx], high[idx], stat[idx], p[idx] = 100 * lo, 100 * hi, st, pv
        return low, high, stat, p
    rng = np.random.default_rng(rng)
    for i in idx:
        res = compare_nps(
            counts_a=tuple(np.round(ref_counts[i])),
            counts_b=tuple(np.round(seg_counts[i])),
            method=method,
            confidence_level=level,
            n_resamples=n_resamples,
            rng=rng,
        )
        low[i], high[i], stat[i], p[i] = res.low, res.high, res.statistic, res.p_value
    return low, high, stat, p


def _adjust(p, tested, correction, level):
    """Multiple-testing adjusted p-values and significance of the tested rows."""

    p_adj = np.full(len(p), np.nan)
    idx = np.flatnonzero(tested)
    if idx.size:
        p_adj[idx] = (
            p[idx] if correction is None else adjust_p_values(p[idx], correction, alpha=1 - level)
        )
    significant = pd.array(np.where(tested, p_adj < 1 - level, False), dtype="boolean")
    significant[~tested] = pd.NA
    return p_adj, significant


# --------------------------------------------------------------------------
# planning
# --------------------------------------------------------------------------


def _check_design_effect(design_effect) -> float:
    deff = float(design_effect)
    if not deff > 0 or not np.isfinite(deff):
        raise ValueError(f"design_effect must be a positive number, got {design_effect}")
    return deff


def margin_of_error(
    n, *, confidence_level=0.95, expected=None, design_effect=1.0, population_size=None
) -> float:
    """Half-width of the NPS interval (in NPS points) that n answers give.

    margin = 100 * z * sqrt(V * design_effect / n) * sqrt((N - n)/(N - 1)),
    with V = p + d - (p - d)^2 for ``expected=(p, d)`` or the worst case
    V = 1 (half promoters, half detractors).

    >>> round(margin_of_error(385), 2)   # 1.96 * sqrt(1/385) * 100
    9.99
    """
    level = check_level(confidence_level)
    n = float(n)
    if not n > 0:
        raise ValueError(f"n must be a positive number of answers, got {n}")
    var = planning_variance(expected) * _check_design_effect(design_effect)
    fpc = 1.0
    if population_size is not None:
        N = float(population_size)
        if N < n:
            raise ValueError(f"population_size ({N:g}) is smaller than n ({n:g})")
        fpc = np.sqrt((N - n) / (N - 1)) if N > 1 else 0.0
    return float(100 * z_critical(level) * np.sqrt(var / n) * fpc)


def sample_size(
    margin_of_error,
    *,
    confidence_level=0.95,
    expected=None,
    design_effect=1.0,
    population_size=None,
) -> int:
    """Answers needed for an NPS interval of +/- ``margin_of_error`` points.

    n0 = z^2 V design_effect / m^2 (m on the proportion scale), with V as in
    ``margin_of_error``; with a population of N, n = n0 N / (n0 + N - 1),
    which solves m = z sqrt(V deff / n) sqrt((N - n)/(N - 1)).  Rounded up.

    Worst case, 95 %, +/- 10 points: ceil(1.96^2 / 0.1^2) = 385.

    >>> sample_size(10)
    385
    >>> sample_size(10, population_size=1055)   # 384.15 * 1055 / 1438.15
    282
    """
    m = float(margin_of_error)
    if not 0 < m <= 200:
        raise ValueError(f"margin_of_error must be in NPS points, between 0 and 200, got {m}")
    level = check_level(confidence_level)
    v = planning_variance(expected) * _check_design_effect(design_effect)
    n0 = z_critical(level) ** 2 * v / (m / 100) ** 2
    if population_size is not None:
        N = float(population_size)
        if not N >= 1:
            raise ValueError(f"population_size must be at least 1, got {population_size}")
        n0 = n0 * N / (n0 + N - 1)
    # guard against 384.0000000001 from floating point
    return max(1, int(np.ceil(n0 - 1e-9)))
