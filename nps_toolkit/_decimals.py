"""How many decimals NPS-scale numbers are shown with: read from the width of their intervals.

One rule for the whole report (tables, headline, trend, findings): a set of
numbers shown together (a table, a section, a sentence) gets the decimals
its narrowest interval needs.

* **Whole points** while every interval is at least 2 points wide: an
  ordinary survey (up to some 25,000 answers in a group) looks as it always
  did, "+6 (1 to 11)".
* **One decimal** when an interval is narrower than 2 points: whole points
  would print it as "6 to 6" or "6 to 7", an interval no wider than the
  rounding of its own ends.  "+5.9 (5.6 to 6.2)".
* **Two decimals** only when an interval is narrower than 0.1 points (some
  ten million answers in one group): there one decimal could print both
  ends as the same number ("-17.6 to -17.6"), the very defect the rule is
  for.  Never more: no survey is large enough to need a third decimal, and
  the sampling interval is then far smaller than the survey's other errors.

Missing ends (hidden groups) and intervals of zero width (a census with the
finite-population correction: nothing to estimate) do not decide.  Only the
display rounds: the CSV and Excel tables keep every number unrounded.
"""

from __future__ import annotations

import numpy as np

# (narrowest width at least, decimals), tried in order; below the last: MAX_DIGITS
_STEPS = ((2.0, 0), (0.1, 1))
MAX_DIGITS = 2


def point_digits(*intervals) -> int:
    """Decimals for NPS-scale numbers shown with these intervals (each a ``(low, high)``
    pair of numbers or of equally long array-likes).

    >>> point_digits((1.0, 11.0)), point_digits((5.6, 6.2)), point_digits((-17.61, -17.54))
    (0, 1, 2)
    >>> point_digits(([1.0, 5.6], [11.0, 6.2]), (None, None)), point_digits()
    (1, 0)
    """
    widths = []
    for low, high in intervals:
        lo = np.asarray(_floats(low), dtype=float).ravel()
        hi = np.asarray(_floats(high), dtype=float).ravel()
        widths.append(hi - lo)
    w = np.concatenate(widths) if widths else np.array([])
    w = w[np.isfinite(w) & (w > 0)]
    if not w.size:
        return 0
    narrowest = float(w.min())
    for least, digits in _STEPS:
        if narrowest >= least:
            return digits
    return MAX_DIGITS


def _floats(x):
    """``x`` with missing values (None, pd.NA) as NaN, so that numpy reads it as floats."""
    import pandas as pd

    if np.ndim(x) == 0:
        return np.nan if x is None or pd.isna(x) else float(x)
    return pd.to_numeric(pd.Series(list(x), dtype=object), errors="coerce").to_numpy(float)
