"""Which groups a table may show: the toolkit's one small-group rule.

Every table of groups (``summarize``, ``compare_segments``, ``nps_trend``,
the report's tables and summary files) hides groups with fewer than
``min_n`` answers.  Hiding them alone is not enough: the overall score is
published, so the overall counts minus the shown groups' counts give the
hidden groups' counts together.  So while the hidden groups hold fewer than
``min_n`` answers together (and more than none), the next smallest shown group
is hidden too (complementary suppression, as statistical offices do for
tables with a published total).  Whatever can then be worked out by
subtraction is the union of the hidden groups, which holds at least
``min_n`` answers.

A hidden group shows neither its label (a label can be a person's or a
client's name) nor its number of answers: ``collapse_hidden`` replaces the
hidden rows by one row whose label says how many groups were hidden.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def hidden_groups(n, min_n: int, *, unshown: float = 0) -> np.ndarray:
    """Which groups to hide, as a boolean array in the order of ``n``.

    Groups with fewer than ``min_n`` answers are hidden; then, while the
    hidden answers (plus ``unshown``: answers that are in the published total
    but in no group, such as a blank banner value) number more than zero but
    fewer than ``min_n``, the smallest group still shown is hidden too (the
    first of equal ones).  ``min_n=0`` hides nothing.

    >>> hidden_groups([2, 2, 6, 50], 5).tolist()   # 2 + 2 < 5: the 6 goes too
    [True, True, True, False]
    >>> hidden_groups([3, 4, 50, 60], 5).tolist()  # 3 + 4 >= 5: enough
    [True, True, False, False]
    >>> hidden_groups([0, 40, 50], 5).tolist()     # nobody in the empty group
    [True, False, False]
    >>> hidden_groups([40, 50], 5, unshown=2).tolist()
    [True, False]
    """
    n = np.asarray(n, dtype=float)
    hidden = n < min_n
    held = float(n[hidden].sum()) + float(unshown)
    for i in np.argsort(n, kind="stable"):
        if held <= 0 or held >= min_n:
            break
        if not hidden[i]:
            hidden[i] = True
            held += n[i]
    return hidden


def hidden_label(k: int, min_n: int) -> str:
    """What the one row standing for ``k`` hidden groups says instead of a label.

    >>> hidden_label(2, 5)
    '2 groups hidden (fewer than 5 answers, or hidden with them)'
    """
    groups = "group" if k == 1 else "groups"
    return f"{k} {groups} hidden (fewer than {min_n} answers, or hidden with them)"


def _nullable(s: pd.Series) -> pd.Series:
    """The column with a missing value it can hold (ints and booleans become nullable)."""
    if pd.api.types.is_bool_dtype(s.dtype):
        return s.astype("boolean")
    if pd.api.types.is_integer_dtype(s.dtype):
        return s.astype("Int64")
    return s


def collapse_hidden(table: pd.DataFrame, keys, hidden, min_n: int) -> pd.DataFrame:
    """``table`` with its ``hidden`` rows replaced by one row that only counts them.

    The shown rows keep their order; the last row has ``hidden_label`` in the
    first key column, every other cell missing and ``suppressed`` true.
    Integer and boolean columns become nullable so that the row can hold
    missing values; ``attrs`` are kept and ``attrs["n_hidden"]`` counts the
    hidden groups.

    >>> t = pd.DataFrame({"seg": ["a", "b", "c"], "n": [2, 9, 40], "suppressed": False})
    >>> out = collapse_hidden(t, ["seg"], [True, True, False], 5)
    >>> out["seg"].tolist(), out["n"].tolist(), out["suppressed"].tolist()
    (['c', '2 groups hidden (fewer than 5 answers, or hidden with them)'], [40, <NA>], [False, True])
    """
    hidden = np.asarray(hidden, dtype=bool)
    attrs = dict(table.attrs)
    k = int(hidden.sum())
    if not k or not keys:
        out = table.copy()
    else:
        shown = table.loc[~hidden].reset_index(drop=True)
        shown = shown.apply(_nullable)
        shown[keys[0]] = shown[keys[0]].astype(object)
        row = shown.iloc[:0].reindex([0])  # one all-missing row with the shown dtypes
        row[keys[0]] = hidden_label(k, min_n)
        if "suppressed" in row.columns:
            row["suppressed"] = True
        out = pd.concat([shown, row.astype(shown.dtypes.to_dict())], ignore_index=True)
    out.attrs.update(attrs, n_hidden=k)
    return out


def shown_rows(table: pd.DataFrame) -> np.ndarray:
    """Positions of a trend's rows that show numbers: answered and not suppressed.

    The "latest" and "previous" periods a report talks about are the last two
    of these, so no sentence reads a suppressed period.

    >>> t = pd.DataFrame({"n": [40, 0, 50, 3], "suppressed": [False, False, False, True]})
    >>> shown_rows(t).tolist()
    [0, 2]
    """
    ok = np.ones(len(table), dtype=bool)
    if "n" in table.columns:
        ok &= table["n"].fillna(0).to_numpy(float) > 0
    if "suppressed" in table.columns:
        ok &= ~table["suppressed"].fillna(False).to_numpy(bool)
    return np.flatnonzero(ok)
