"""Multiple-testing corrections shared by segment comparisons and banner tables."""

from __future__ import annotations

import numpy as np


def adjust_p_values(p: np.ndarray, correction: str, alpha: float) -> np.ndarray:
    """Multiple-testing adjusted p-values, as ``statsmodels``' ``multipletests(...)[1]``.

    Holm, Bonferroni and Benjamini-Hochberg (the corrections a report offers)
    are written out: importing statsmodels.stats.multitest costs about 0.9 s
    in a report kernel (it loads scipy.stats) and its Holm branch runs a full
    ``gc.collect()`` on every call (0.1-0.5 s each in a kernel with matplotlib
    loaded).  The other corrections go to statsmodels.  Tests pin all three to
    statsmodels, ties included.
    """
    m = len(p)
    if correction == "bonferroni":
        return np.minimum(p * m, 1.0)
    if correction in ("holm", "fdr_bh"):
        order = np.argsort(p)
        ranked = p[order]
        if correction == "holm":  # step-down: max over j <= i of (m - j + 1) p_(j)
            adjusted = np.maximum.accumulate(ranked * np.arange(m, 0, -1))
        else:  # step-up: min over j >= i of m p_(j) / j
            adjusted = np.minimum.accumulate((ranked * m / np.arange(1, m + 1))[::-1])[::-1]
        out = np.empty(m)
        out[order] = np.minimum(adjusted, 1.0)
        return out
    from statsmodels.stats.multitest import multipletests

    return multipletests(p, alpha=alpha, method=correction)[1]
