"""What every NPS statistic shares: categories, their codes, counts and pseudo counts.

The bottom layer of the package: it imports nothing from ``nps_toolkit``.
Public modules re-export the public names (``scoring.CATEGORIES``,
``scoring.Counts``); private modules and inner functions import them from here.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd

# Promoters 9-10, passives 7-8, detractors 0-6; codes 0, 1, 2 in this order.
CATEGORIES = ("detractor", "passive", "promoter")
CATEGORY_DTYPE = pd.CategoricalDtype(list(CATEGORIES), ordered=True)
PASSIVE_MIN = 7  # lowest passive score
PROMOTER_MIN = 9  # lowest promoter score

# An NPS is the mean of s = -1 (detractor), 0 (passive), +1 (promoter), i.e.
# the value of category code c is c - 1.
NPS_VALUES = np.array([-1.0, 0.0, 1.0])

# Pseudo-respondents of the adjusted Wald interval (Rocks 2016): detractor,
# passive, promoter.
ADJUST = (0.75, 1.5, 0.75)
NPS_PSEUDO = np.array(ADJUST)

# The columns of a counts frame (``group_counts``), after the key columns:
# unweighted counts, then weighted sums; ``w_sq*`` are sums of squared
# weights (all answers, detractors, promoters), which the linearised variance
# of a weighted NPS needs.  Without weights the weighted sums are the counts.
# what a summary adds per group to its counts, in column order (hidden when suppressed)
SUMMARY_STATISTICS = [
    "pct_detractors",
    "pct_passives",
    "pct_promoters",
    "nps",
    "ci_low",
    "ci_high",
    "standard_error",
    "band",
]

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
    "w_sq_detractors",
    "w_sq_promoters",
]


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


def category_codes(arr: np.ndarray) -> np.ndarray:
    """0 detractor, 1 passive, 2 promoter, -1 blank, for a validated float array."""
    codes = np.where(arr >= PROMOTER_MIN, 2, np.where(arr >= PASSIVE_MIN, 1, 0)).astype(np.int8)
    codes[np.isnan(arr)] = -1
    return codes


def linearised_variance(wn, wd, wp, wsq, wsq_d, wsq_p):
    """Linearised variance of a weighted NPS (proportion scale), each respondent its own PSU.

    With s_i = +1/0/-1 and m = sum w s / sum w the weighted NPS, the
    sandwich variance of the ratio estimator is
    sum_i w_i^2 (s_i - m)^2 / (sum w)^2 (the n-divisor convention of the R
    ``NPS`` package: ``survey::svymean``'s variance times (n - 1)/n).  As
    s^2 = 1 for promoters and detractors, it needs only per-group sums:
    (W2p + W2d - 2 m (W2p - W2d) + m^2 W2) / W^2.  Unit weights give
    (p + d - (p - d)^2) / n, the simple random sample variance.
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        m = (wp - wd) / wn
        num = wsq_p + wsq_d - 2 * m * (wsq_p - wsq_d) + m * m * wsq
        return np.maximum(num, 0.0) / wn**2


def effective_n(n, p, d, variance):
    """Sample size a weighted group is worth: n / design effect.

    The design effect is the linearised variance over the simple random
    sample variance (p + d - (p - d)^2) / n of the same shares; where that is
    0 (all answers in one category) the group is worth its n.
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        srs = np.maximum(p + d - (p - d) ** 2, 0.0)
        n_eff = np.where(variance > 0, srs / variance, n)
    return np.where(srs > 0, n_eff, n)


def fill_weighted(out: pd.DataFrame, sw, sw2) -> pd.DataFrame:
    """Weighted count columns from (group, category) sums of w and w^2.

    ``sw``/``sw2`` have one row per group and the columns (..., detractor,
    passive, promoter) as their last three.
    """
    out["w_n"] = sw[:, -3:].sum(axis=1)
    out["w_detractors"], out["w_promoters"] = sw[:, -3], sw[:, -1]
    out["w_sq"] = sw2[:, -3:].sum(axis=1)
    out["w_sq_detractors"], out["w_sq_promoters"] = sw2[:, -3], sw2[:, -1]
    return out
