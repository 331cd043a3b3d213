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

import itertools

import numpy as np
import pandas as pd


def hidden_groups(n, min_n: int, *, unshown: float = 0, hidden=None) -> np.ndarray:
    """Which groups to hide, as a boolean array in the order of ``n``.

    Groups with fewer than ``min_n`` answers are hidden; then, while the
    hidden answers (plus ``unshown``: answers that are in the published total
    but in no group, such as a blank banner value) number more than zero but
    fewer than ``min_n``, the smallest group still shown is hidden too (the
    first of equal ones).  ``min_n=0`` hides nothing.  ``hidden``: groups
    already hidden for another reason (they stay hidden and count as hidden).

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
    hidden = n < min_n if hidden is None else np.asarray(hidden, dtype=bool) | (n < min_n)
    held = float(n[hidden].sum()) + float(unshown)
    for i in np.argsort(n, kind="stable"):
        if held <= 0 or held >= min_n:
            break
        if not hidden[i]:
            hidden[i] = True
            held += n[i]
    return hidden


def hidden_cells(keys: pd.DataFrame, n, min_n: int) -> np.ndarray:
    """``hidden_groups`` for a cross table: groups crossed by two or more key columns.

    Beside a table of region x tenure, the tables of regions and of tenures
    may be published too, so every row and column total they show is known.
    Then hiding the small cells and topping them up against the overall total
    is not enough: a row's total minus its shown cells gives its hidden cells,
    a hidden cell alone in its row is the row total minus the rest and can
    then be subtracted from its column, and rows and columns can be added and
    subtracted together.  So:

    1. in every line of the table (the cells that share the values of some of
       the keys, and the whole table) the hidden cells with answers are none,
       or two or more that hold ``min_n`` answers together: while a line falls
       short, its smallest shown cell is hidden too;
    2. then the table is audited: a mixed-integer program (scipy's ``milp``)
       looks for a set of hidden cells holding between 1 and ``min_n - 1``
       answers that some combination of the published margins (those their
       own tables show, by this same rule) and the shown cells gives exactly;
       while there is one, the smallest shown cell in a line through it is
       hidden and step 1 runs again.

    Step 1 alone leaves about 1 random table in 50 open to some combination
    of margins (tests/test_suppression.py); statistical offices audit the
    same way (as tau-argus and R's sdcTable do).  With fewer than two keys
    this is ``hidden_groups``.

    >>> keys = pd.DataFrame({"region": ["N", "N", "S", "S"], "tenure": ["new", "old"] * 2})
    >>> hidden_groups([3, 20, 20, 20], 5).tolist()   # the "new" column: 23 - 20 = 3
    [True, True, False, False]
    >>> hidden_cells(keys, [3, 20, 20, 20], 5).tolist()
    [True, True, True, True]
    """
    n = np.asarray(n, dtype=float)
    hidden = hidden_groups(n, min_n)
    columns = list(keys.columns)
    if len(columns) < 2 or min_n <= 1:
        return hidden
    lines, published = [np.arange(len(n))], [np.arange(len(n))]
    for size in range(1, len(columns)):
        for subset in itertools.combinations(columns, size):
            groups = keys.groupby(list(subset), sort=False, dropna=False).indices
            members = list(groups.values())
            lines += [idx for idx in members if len(idx) > 1]
            # what the table by these keys alone shows, by this same rule
            margin_keys = pd.DataFrame(list(groups), columns=list(subset))
            shown = ~hidden_cells(margin_keys, [n[idx].sum() for idx in members], min_n)
            published += [idx for idx, ok in zip(members, shown, strict=True) if ok]
    margins = np.zeros((len(published), len(n)))  # one row of 0/1 cell memberships each
    for row, idx in enumerate(published):
        margins[row, idx] = 1
    while True:
        hidden = _top_up_lines(n, hidden, min_n, lines)
        solved = _solvable_small_set(n, hidden, min_n, margins)
        if solved is None:
            return hidden
        through = [idx for idx in lines if np.isin(idx, solved).any()]
        shown = np.unique(np.concatenate(through))
        shown = shown[~hidden[shown] & (n[shown] > 0)]
        if not len(shown):  # the margins alone give it: nothing in this table to hide
            return hidden
        hidden[shown[np.argmin(n[shown])]] = True


def _top_up_lines(n: np.ndarray, hidden: np.ndarray, min_n: int, lines: list) -> np.ndarray:
    """Step 1 of ``hidden_cells``: every line's hidden cells with answers are none,
    or two or more holding ``min_n`` together (its smallest shown cells hidden)."""
    hidden = hidden.copy()
    changed = True
    while changed:
        changed = False
        for idx in lines:
            for i in idx[np.argsort(n[idx], kind="stable")]:
                held = idx[hidden[idx] & (n[idx] > 0)]
                if not len(held) or (len(held) >= 2 and n[held].sum() >= min_n):
                    break
                if not hidden[i] and n[i] > 0:
                    hidden[i] = changed = True
    return hidden


def _solvable_small_set(n, hidden, min_n: int, margins: np.ndarray):
    """Cells of a set of hidden cells with 1 to ``min_n - 1`` answers that a linear
    combination of the published ``margins`` (rows of 0/1 cell memberships)
    gives exactly (shown cells being known numbers), or None.

    The set's indicator ``d`` (0/1 per hidden cell) must equal ``lam @ K``,
    ``K`` the margins restricted to the hidden cells, for some real ``lam``:
    a feasibility problem in ``d`` (integer) and ``lam`` (free), solved by
    HiGHS through ``scipy.optimize.milp``.
    """
    from scipy.optimize import Bounds, LinearConstraint, milp

    cells = np.flatnonzero(hidden)
    if not len(cells) or n[cells].sum() < 1:
        return None
    known = margins[:, cells]
    known = known[known.any(axis=1)]
    h, m = len(cells), len(known)
    if not m:
        return None
    span = LinearConstraint(np.hstack([-np.eye(h), known.T]), 0, 0)  # d = lam @ known
    size = LinearConstraint(np.concatenate([n[cells], np.zeros(m)])[None, :], 1, min_n - 1)
    result = milp(
        c=np.zeros(h + m),
        constraints=[span, size],
        integrality=np.r_[np.ones(h), np.zeros(m)],
        bounds=Bounds(
            np.r_[np.zeros(h), np.full(m, -np.inf)], np.r_[np.ones(h), np.full(m, np.inf)]
        ),
    )
    if result.status != 0:  # 2: infeasible, no such set
        return None
    return cells[np.round(result.x[:h]) == 1]


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
        shown = pd.DataFrame({c: _nullable(shown[c]) for c in shown.columns})  # even when empty
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
