"""Confidence intervals for NPS (all values on the -100..100 scale).

(Being extended: nps_interval / NPSInterval and the score, bootstrap, bca
and bayes methods.)
"""

from __future__ import annotations

import numpy as np
from scipy import stats

ANALYTIC_METHODS = ("wald", "adjusted-wald")


def interval_arrays(
    promoter_share, detractor_share, n, *, method="adjusted-wald", confidence_level=0.95
):
    """Vectorised interval from proportions and (effective) sample sizes.

    Returns ``(estimate, low, high, standard_error)`` arrays on the -100..100
    scale.  Used by ``summarize`` so that thousands of groups cost one numpy
    expression, not a Python loop.
    """
    p = np.asarray(promoter_share, dtype=float)
    d = np.asarray(detractor_share, dtype=float)
    n = np.asarray(n, dtype=float)
    if method not in ANALYTIC_METHODS:
        raise ValueError(f"unknown method {method!r}; valid methods: {list(ANALYTIC_METHODS)}")
    if not 0 < confidence_level < 1:
        raise ValueError(f"confidence_level must lie in (0, 1), got {confidence_level}")
    z = stats.norm.ppf(0.5 + confidence_level / 2)
    estimate = 100 * (p - d)
    if method == "adjusted-wald":
        n_adj = n + 3
        pa = (p * n + 0.75) / n_adj
        da = (d * n + 0.75) / n_adj
        centre = pa - da
        se = np.sqrt((pa + da - centre**2) / n_adj)
    else:
        centre = p - d
        se = np.sqrt((p + d - centre**2) / n)
    low = np.clip(100 * (centre - z * se), -100, 100)
    high = np.clip(100 * (centre + z * se), -100, 100)
    return estimate, low, high, 100 * se
