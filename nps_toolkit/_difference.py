"""The analytic (Wald and adjusted-Wald) difference of two NPS values, vectorised.

Shared by ``compare`` (``compare_nps``, ``compare_segments``) and ``trends``
(the changes of a weighted trend, on fractional effective counts), so that a
trend and a direct comparison always agree.  Everything is on the -1..1
(proportion) scale of the mean of s = +1/0/-1; differences on -2..2.
"""

from __future__ import annotations

import numpy as np

# scipy.special holds the normal (and t) distribution functions that
# scipy.stats' norm and t call (ndtr, ndtri, stdtrit); importing scipy.stats
# itself costs about 0.5 s in every report kernel.
from scipy import special

from ._validation import z as z_critical

# An NPS is the mean of s = +1 (promoter), 0 (passive), -1 (detractor); a
# paired difference s(b) - s(a) takes the values -2..2.
PAIRED_VALUES = np.array([-2.0, -1.0, 0.0, 1.0, 2.0])
# Adjusted-Wald pseudo-respondents: 0.75 detractor, 1.5 passive, 0.75
# promoter (``_core.NPS_PSEUDO``).  For paired data we add 3 pseudo-pairs
# whose two answers are independent draws from that same (1/4, 1/2, 1/4)
# distribution, so their differences are -2..2 with probabilities
# (1, 4, 6, 4, 1)/16: mean 0, variance 1.  Like the one-sample adjustment,
# this pulls the centre towards 0 and keeps the variance away from 0 in
# small or one-sided samples.
PAIRED_PSEUDO = 3 * np.array([1.0, 4.0, 6.0, 4.0, 1.0]) / 16


def _mean_var(values, counts):
    n = counts.sum(-1)
    mean = (counts * values).sum(-1) / n
    var = (counts * (values - mean[..., None]) ** 2).sum(-1) / n
    return mean, var, n


def _p_value(stat, alternative):
    if alternative == "two-sided":
        return 2 * special.ndtr(-np.abs(stat))  # stats.norm.sf
    if alternative == "greater":
        return special.ndtr(-stat)
    return special.ndtr(stat)  # stats.norm.cdf


def _z_interval(centre, se, level, alternative):
    """Normal interval of a difference (-2..2 scale) and its z statistic."""
    if alternative == "two-sided":
        z = z_critical(level)
        low, high = centre - z * se, centre + z * se
    else:
        z = float(special.ndtri(level))  # stats.norm.ppf
        low = centre - z * se if alternative == "greater" else np.full_like(centre, -2.0)
        high = centre + z * se if alternative == "less" else np.full_like(centre, 2.0)
    # se = 0 happens with plain Wald when both samples sit in one category:
    # a non-zero difference is then "infinitely" significant (Wald's known
    # failure; use adjusted-wald), and no difference at all is z = 0, p = 1
    # (np.sign(0) * inf would be NaN)
    with np.errstate(divide="ignore", invalid="ignore"):
        stat = np.where(
            se > 0,
            centre / np.where(se > 0, se, 1),
            np.where(centre == 0, 0.0, np.sign(centre) * np.inf),
        )
    return np.clip(low, -2, 2), np.clip(high, -2, 2), stat


def analytic_two_sample(values, counts_a, counts_b, pseudo, level, alternative):
    """Wald (pseudo=None) or adjusted Wald difference of means b - a, vectorised."""
    if pseudo is not None:
        counts_a, counts_b = counts_a + pseudo, counts_b + pseudo
    ma, va, na = _mean_var(values, counts_a)
    mb, vb, nb = _mean_var(values, counts_b)
    se = np.sqrt(va / na + vb / nb)
    low, high, stat = _z_interval(mb - ma, se, level, alternative)
    return low, high, stat, _p_value(stat, alternative)


def analytic_paired(counts, pseudo, level, alternative):
    """Wald (pseudo=None) or adjusted Wald mean of paired differences -2..2."""
    if pseudo is not None:
        counts = counts + pseudo
    m, v, n = _mean_var(PAIRED_VALUES, counts)
    se = np.sqrt(v / n)
    low, high, stat = _z_interval(np.atleast_1d(m), np.atleast_1d(se), level, alternative)
    return low[0], high[0], stat[0], float(_p_value(stat, alternative)[0])
