"""Banner tables: statistics by group with significance letters, as market researchers read them.

A banner table puts the groups of one or more "banner" variables (tenure,
region, product line) side by side, each with a column letter (A, B, C, ...;
the total is a column too), and beside each value the letters of the columns
in the same banner it is significantly higher than.  ``banner_table`` returns
that table in tidy form, one row per (banner, group, statistic);
``nps_toolkit.reporting.workbook.write_banner_workbook`` lays it out as a
spreadsheet.
"""

from __future__ import annotations

import string
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from ._multitest import adjust_p_values
from ._suppression import hidden_groups, hidden_label
from ._validation import (
    check_choice,
    check_columns,
    check_level,
    check_method,
    check_min_n,
    resolve_weights,
)
from .intervals import nps_interval
from .scoring import classify

ROWS = ("nps", "promoters", "passives", "detractors")
CORRECTIONS = {"bh": "fdr_bh", "holm": "holm", "bonferroni": "bonferroni", "none": None}
BANNER_METHODS = ("wald", "adjusted-wald")
TOTAL = "Total"
# one record per pair test, in attrs["pairs"] (see banner_pairs)
PAIR_COLUMNS = (
    "banner",
    "statistic",
    "letter_a",
    "letter_b",
    "group_a",
    "group_b",
    "difference",
    "p_value",
    "p_adjusted",
    "significant",
)
_SHARE_CODES = {"promoters": 2, "passives": 1, "detractors": 0}
# Every pair of a banner's groups is tested and each cell lists the letters it
# beats: 60 groups are 1,770 tests and cells of up to 60 letters per statistic.
# Beyond that the table is unreadable and the tests grow with the square of
# the groups (500 stores: 124,750 a statistic), so more groups are refused.
MAX_GROUPS = 60

TEST_NAMES = {
    "nps": "two-sample z test of the NPS ({method}, as compare_nps)",
    "share": "two-proportion z test ({share_method})",
    "mean": "Welch's t test",
}


@dataclass(frozen=True)
class _Statistic:
    name: str  # as given: "nps", "promoters", "mean:csat", "top2:csat"
    kind: str  # "nps", "share" or "mean"
    column: str | None = None
    top: float | None = None  # lowest value counted in the top 2 boxes


def letters(k: int) -> list[str]:
    """Column letters A..Z, then AA, AB, ... (as spreadsheets name columns).

    >>> letters(3), letters(28)[-2:]
    (['A', 'B', 'C'], ['AA', 'AB'])
    """
    out = []
    for i in range(k):
        label, j = "", i
        while True:
            label = string.ascii_uppercase[j % 26] + label
            j = j // 26 - 1
            if j < 0:
                break
        out.append(label)
    return out


# --------------------------------------------------------------------------
# validation at the edge
# --------------------------------------------------------------------------


def _numeric_column(df, column, what):
    check_columns(df, [column], what=f"{what}: column")
    values = pd.to_numeric(df[column], errors="coerce")
    bad = values.isna() & df[column].notna()
    if bad.any():
        raise ValueError(
            f"{what}: column {column!r} has {int(bad.sum())} non-numeric value(s), e.g. "
            f"{df[column][bad].iloc[0]!r} at index {df.index[bad][:5].tolist()}"
        )
    return values.to_numpy(float)


def _parse_rows(df, rows) -> list[_Statistic]:
    if isinstance(rows, str):
        rows = [rows]
    out = []
    for row in rows:
        if row == "nps":
            out.append(_Statistic("nps", "nps"))
        elif row in _SHARE_CODES:
            out.append(_Statistic(row, "share"))
        elif isinstance(row, str) and row.startswith(("mean:", "top2:")):
            kind, _, rest = row.partition(":")
            column, _, scale = rest.partition(":")
            values = _numeric_column(df, column, f"banner row {row!r}")
            if kind == "mean":
                out.append(_Statistic(row, "mean", column))
                continue
            if scale:
                try:
                    top = float(scale) - 1
                except ValueError:
                    raise ValueError(
                        f"banner row {row!r}: the scale after the column must be a number, "
                        "e.g. 'top2:csat:5'"
                    ) from None
            elif np.isfinite(values).any():
                top = float(np.nanmax(values)) - 1  # the scale's top as the data show it
            else:
                raise ValueError(f"banner row {row!r}: column {column!r} has no answers")
            out.append(_Statistic(row, "share", column, top))
        else:
            raise ValueError(
                f"unknown banner row {row!r}; valid rows: {list(ROWS)}, 'mean:<column>' "
                "or 'top2:<column>' (optionally 'top2:<column>:<scale maximum>')"
            )
    if not out:
        raise ValueError("rows must name at least one statistic")
    return out


def _group_levels(values: pd.Series) -> list:
    if isinstance(values.dtype, pd.CategoricalDtype):
        present = set(values.dropna().unique())
        return [c for c in values.cat.categories if c in present]
    uniques = list(pd.unique(values.dropna()))
    try:
        return sorted(uniques)
    except TypeError:  # mixed types: keep the order of first appearance
        return uniques


# --------------------------------------------------------------------------
# one sample, two samples
# --------------------------------------------------------------------------


def _sample(stat, y, w, mask, scores, method):
    """Value, base and the variance of the estimate of one group (or its complement).

    Shares and means use the linearised variance of a weighted mean, each
    respondent their own cluster: sum w^2 (y - mean)^2 / (sum w)^2, which
    without weights is p(1 - p) / n for a share; means take it times
    n / (n - 1), so that without weights it is s^2 / n of Welch's test.  The
    NPS takes its centre and standard error from ``nps_interval``, so it has
    exactly the toolkit's interval variance (weights included).
    """
    wv = np.ones(mask.sum()) if w is None else w[mask]
    n = int(mask.sum())
    out = {"n": n, "n_effective": np.nan, "value": np.nan, "centre": np.nan, "var": np.nan}
    if n == 0 or wv.sum() <= 0:
        return out
    n_eff = wv.sum() ** 2 / np.sum(wv**2)
    out["n_effective"] = n_eff
    if stat.kind == "nps":
        res = nps_interval(scores[mask], method=method, weights=None if w is None else wv)
        out["value"] = res.estimate
        ne = res.n_effective
        # the adjusted-Wald centre: 0.75 promoter and 0.75 detractor added to
        # n_effective answers pull the NPS towards 0 by n_eff / (n_eff + 3)
        centre = res.estimate * ne / (ne + 3) if method == "adjusted-wald" else res.estimate
        out["centre"], out["var"] = centre / 100, (res.standard_error / 100) ** 2
        out["n_effective"] = ne
        return out
    yv = y[mask]
    mean = float(np.sum(wv * yv) / wv.sum())
    var = float(np.sum(wv**2 * (yv - mean) ** 2) / wv.sum() ** 2)
    if stat.kind == "mean":
        var = var * n / (n - 1) if n > 1 else np.nan
        out["value"] = mean
    else:
        out["value"] = 100 * mean
        # the share's own effective n, p(1 - p) / variance (n without
        # weights); Kish's where the share is 0 or 1 and has no variance
        out["n_share"] = mean * (1 - mean) / var if var > 0 else n_eff
    out["centre"], out["var"] = mean, var
    return out


def _outcome(df, stat, codes, answered):
    """Per-respondent values of one statistic and which respondents have one."""
    if stat.kind == "nps":
        return codes - 1.0, answered
    if stat.column is None:
        return (codes == _SHARE_CODES[stat.name]).astype(float), answered
    x = _numeric_column(df, stat.column, f"banner row {stat.name!r}")
    valid = np.isfinite(x)
    return (x if stat.kind == "mean" else (x >= stat.top).astype(float)), valid


def _two_sample_p(kind, a, b, method) -> float:
    """Two-sided p-value of "no difference" between samples a and b."""
    if kind == "share":
        from statsmodels.stats.proportion import test_proportions_2indep

        # Agresti-Caffo adds one success and one failure to each sample, the
        # shares' counterpart of the adjusted-Wald NPS: sound with 0 % cells
        with np.errstate(divide="ignore", invalid="ignore"):
            res = test_proportions_2indep(
                b["centre"] * b["n_share"],
                b["n_share"],
                a["centre"] * a["n_share"],
                a["n_share"],
                method="agresti-caffo" if method == "adjusted-wald" else "wald",
            )
        if np.isnan(res.pvalue):  # plain Wald with no spread in either sample
            return 1.0 if b["centre"] == a["centre"] else 0.0
        return float(res.pvalue)
    diff = b["centre"] - a["centre"]
    se2 = a["var"] + b["var"]
    if not np.isfinite(se2):
        return np.nan
    if se2 == 0:  # no spread in either sample: any difference is certain
        return 1.0 if diff == 0 else 0.0
    if kind == "mean":
        # Welch's t with Satterthwaite's df on the effective sample sizes:
        # with std = sqrt(var * n_eff) scipy's vn = std^2 / nobs is our var
        res = stats.ttest_ind_from_stats(
            b["centre"],
            np.sqrt(b["var"] * b["n_effective"]),
            b["n_effective"],
            a["centre"],
            np.sqrt(a["var"] * a["n_effective"]),
            a["n_effective"],
            equal_var=False,
        )
        return float(res.pvalue)
    return float(2 * stats.norm.sf(abs(diff) / np.sqrt(se2)))


# --------------------------------------------------------------------------
# the table
# --------------------------------------------------------------------------


def banner_table(
    df,
    banners,
    *,
    rows=ROWS,
    score="recommend",
    weights=None,
    confidence_level=0.95,
    correction="bh",
    min_n=5,
    method="adjusted-wald",
) -> pd.DataFrame:
    """Statistics by banner group with significance letters, one row per (banner, group, statistic).

    Parameters
    ----------
    df : one row per respondent: a DataFrame, or a path, glob or folder of
        Parquet/CSV files, a DuckDB relation, an Arrow table or a Spark
        DataFrame, of which only the columns the table needs are read (by
        DuckDB; selected by Spark and collected).  A banner
        with more than ``MAX_GROUPS`` groups is refused (every pair of
        groups is tested).
    banners : a column name or a list of them (e.g. ``["tenure", "region"]``);
        each is a block of columns: the total (letter A) and one column per
        value, in category order (or sorted).  Rows with a blank banner value
        are in the total only (their number is in ``.attrs["blank"]``).
    rows : the statistics: ``"nps"``, ``"promoters"``, ``"passives"``,
        ``"detractors"`` (shares in %), ``"mean:<column>"`` (mean of a
        numeric column) and ``"top2:<column>"`` (% in the top two boxes of a
        rating column; the scale's top is the column's largest value, or
        name it: ``"top2:csat:5"``).
    score : column of 0-10 answers.
    weights : weight column name or array aligned with ``df``.
    confidence_level : a difference is significant when its corrected
        p-value is below 1 - confidence_level.
    correction : over the pairs of each banner and statistic: ``"bh"``
        (Benjamini-Hochberg false discovery rate, default), ``"holm"``
        (family-wise error), ``"bonferroni"`` or ``"none"``; by
        ``statsmodels.stats.multitest.multipletests``.
    min_n : groups with fewer answers to a statistic are ``suppressed``:
        value and n hidden, not tested.  While the hidden answers (with
        those of a blank banner value) number fewer than ``min_n``, the
        smallest shown group is hidden too, so that none can be worked out
        from the total (the toolkit's one rule, ``_suppression``).  Groups
        hidden for every statistic show no label either: they become one
        row per statistic, labelled with how many groups it stands for, with
        no letter (``.attrs["n_hidden"]`` counts them per banner).
    method : ``"adjusted-wald"`` (default) or ``"wald"``: the NPS by the
        two-sample z test of ``compare_nps`` with that method, shares by the
        Agresti-Caffo (or the plain Wald) two-proportion test.

    Returns
    -------
    DataFrame with columns ``banner``, ``group``, ``letter``, ``statistic``,
    ``value``, ``n`` (answers to that statistic; missing where hidden),
    ``n_effective`` (only with weights: for ``"nps"`` rows the linearised
    effective sample size, n / design effect of the NPS's linearised
    variance, as ``nps_interval`` reports it, not Kish's (sum w)^2 / sum w^2;
    for share and mean rows Kish's), ``higher_than`` (the letters of the
    columns of the same banner that this one is significantly higher than,
    e.g. ``"BD"``; empty when none) and ``suppressed``.  ``.attrs`` holds
    the settings, the tests used, and ``pairs``: every test with its
    p-values, as plain records (``banner_pairs(table)`` gives them as a
    DataFrame).  The attrs hold no DataFrame, so ``.copy()``, ``.astype()``,
    ``.merge()`` and ``pd.concat`` work on the table and keep them where
    pandas keeps attrs.

    Notes
    -----
    Tests, all two-sided: the NPS by the two-sample z test of ``compare_nps``
    on the toolkit's interval variance (so with weights as ``nps_interval``
    weights); shares by the unpooled two-proportion z test and means by
    Welch's t test, both with the linearised variance of a weighted mean
    (without weights, the textbook tests).  Every pair of groups is tested,
    and the total against each group: the total overlaps the group, so this
    is the test of the group against everyone else (the total minus the
    group has the same sign of difference), as in ``compare_segments(...,
    reference="overall")``.

    Examples
    --------
    Two regions, 20 answers each: north 15 promoters, 5 detractors (NPS 50),
    south 5 promoters, 15 detractors (NPS -50), so north (B) is higher than
    south (C) and than the total (A, NPS 0):

    >>> df = pd.DataFrame({"region": ["north"] * 20 + ["south"] * 20,
    ...                    "recommend": [10] * 15 + [3] * 5 + [10] * 5 + [3] * 15})
    >>> t = banner_table(df, "region", rows=["nps"])
    >>> t[["group", "letter", "value", "higher_than"]].to_dict("records")
    [{'group': 'Total', 'letter': 'A', 'value': 0.0, 'higher_than': 'C'}, {'group': 'north', 'letter': 'B', 'value': 50.0, 'higher_than': 'AC'}, {'group': 'south', 'letter': 'C', 'value': -50.0, 'higher_than': ''}]
    """
    df = _as_frame(df, banners, rows, score, weights)
    banners, level, key, min_n = _checked(
        df, banners, score, confidence_level, correction, method, min_n
    )
    statistics = _parse_rows(df, rows)
    w = resolve_weights(df, weights)
    codes = classify(df[score].reset_index(drop=True)).cat.codes.to_numpy()
    scores = pd.to_numeric(df[score], errors="coerce").to_numpy(float)
    answered = codes >= 0

    records, pairs = [], []
    blank = {}
    n_hidden = {}
    for banner in banners:
        values = df[banner].reset_index(drop=True)
        levels = _group_levels(values)
        in_group = [(values == g).to_numpy() for g in levels]
        blank[banner] = int(values.isna().sum())
        computed = []
        for stat in statistics:
            y, valid = _outcome(df, stat, codes, answered)
            total = _sample(stat, y, w, valid, scores, method)
            groups = [_sample(stat, y, w, valid & m, scores, method) for m in in_group]
            n = np.array([g["n"] for g in groups])
            # the toolkit's one small-group rule; blank banner values are in
            # the total but in no column, so they count as hidden answers
            hide = hidden_groups(n, min_n, unshown=total["n"] - int(n.sum()))
            computed.append((stat, y, valid, total, groups, hide | (total["n"] < min_n)))
        # a group hidden for every statistic shows neither its label nor its n:
        # those groups become one unlabelled column, and letters go to the others
        gone = np.logical_and.reduce([c[-1] for c in computed])
        keep = [k for k in range(len(levels)) if not gone[k]]
        labels = letters(len(keep) + 1)
        n_hidden[banner] = int(gone.sum())
        for stat, y, valid, total, groups, hide in computed:
            total_hidden = total["n"] < min_n
            shown = [(k, groups[k], bool(hide[k])) for k in keep]
            tests, p, p_adj = _pair_tests(
                stat,
                (y, w, valid, scores),
                method,
                shown,
                in_group,
                min_n,
                total_hidden,
                CORRECTIONS[key],
                level,
            )
            names = [TOTAL] + [levels[k] for k, _, _ in shown]
            higher = _higher(banner, stat, tests, p, p_adj, names, labels, level, pairs)
            cells = [(total, total_hidden), *[(g, off) for _, g, off in shown]]
            records += _cell_records(banner, stat, cells, names, labels, higher)
            if gone.any():
                records.append(_hidden_record(banner, stat, int(gone.sum()), min_n))
    return _assembled(records, pairs, statistics, w, level, key, min_n, method, blank, n_hidden)


def _checked(df, banners, score, confidence_level, correction, method, min_n):
    """banner_table's arguments, validated: (banners, level, correction key, min_n)."""
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"df must be a pandas DataFrame, got {type(df).__name__}")
    banners = [banners] if isinstance(banners, str) else list(banners)
    if not banners:
        raise ValueError("banners must name at least one column")
    check_columns(df, [score, *banners])
    level = check_level(confidence_level)
    key = check_choice("none" if correction is None else correction, CORRECTIONS, "correction")
    check_method(method, BANNER_METHODS)
    min_n = max(check_min_n(min_n), 1)
    for banner in banners:
        k = int(df[banner].nunique())
        if k > MAX_GROUPS:
            raise ValueError(
                f"banner {banner!r} has {k} groups; a banner table tests every pair of groups "
                f"and is limited to {MAX_GROUPS} (banners.MAX_GROUPS): compare each group with "
                f"the rest with compare_segments(df, {banner!r}) (one test a group), or group "
                "the values first (e.g. stores into regions)"
            )
    return banners, level, key, min_n


def _as_frame(source, banners, rows, score, weights) -> pd.DataFrame:
    """A path, glob, folder, DuckDB relation, Arrow table or Spark DataFrame as a frame of
    only the needed columns.

    The columns (score, banners, weights and those the rows name) are read
    by DuckDB, or selected on the cluster and collected from Spark
    (``backends.read_columns``): a banner table tests pairs of groups row by
    row, so those few columns of every row come to pandas.
    """
    if isinstance(source, pd.DataFrame):
        return source
    from .backends import read_columns

    if not (isinstance(banners, str) or isinstance(banners, list | tuple)):
        raise TypeError(f"banners must be a column name or a list of them, got {banners!r}")
    named = [banners] if isinstance(banners, str) else list(banners)
    rows = [rows] if isinstance(rows, str) else list(rows)
    for row in rows:
        if isinstance(row, str) and row.startswith(("mean:", "top2:")):
            named.append(row.split(":")[1])
    if isinstance(weights, str):
        named.append(weights)
    elif weights is not None:
        raise TypeError("for files, relations and Spark DataFrames weights must be a column name")
    return read_columns(source, [score, *named])


def _pair_tests(stat, data, method, shown, in_group, min_n, total_hidden, method_mt, level):
    """Every pair of shown groups, and the total against each: (tests, p, p_adjusted).

    ``tests`` holds ``(i, j, a, b)``: column j against column i, positions
    among the shown columns (column 0 is the total).
    """
    y, w, valid, scores = data
    tests = []
    for i, (k, group, off) in enumerate(shown, start=1):
        if off:
            continue
        rest = _sample(stat, y, w, valid & ~in_group[k], scores, method)
        if rest["n"] >= min_n and not total_hidden:
            tests.append((0, i, rest, group))
        for j, (_, other, other_off) in enumerate(shown[i:], start=i + 1):
            if not other_off:
                tests.append((i, j, group, other))
    p = np.array([_two_sample_p(stat.kind, a, b, method) for _, _, a, b in tests])
    p_adj = np.full(p.shape, np.nan)
    ok = np.isfinite(p)
    if ok.any():
        p_adj[ok] = (
            p[ok] if method_mt is None else adjust_p_values(p[ok], method_mt, alpha=1 - level)
        )
    return tests, p, p_adj


def _higher(banner, stat, tests, p, p_adj, names, labels, level, pairs) -> list:
    """The letters each column is significantly higher than; each test goes into ``pairs``."""
    higher = [set() for _ in names]
    for (i, j, a, b), pv, pa in zip(tests, p, p_adj, strict=True):
        diff = b["centre"] - a["centre"]
        significant = bool(pa < 1 - level)
        if significant and diff != 0:
            winner, loser = (j, i) if diff > 0 else (i, j)
            higher[winner].add(labels[loser])
        pairs.append(
            {
                "banner": banner,
                "statistic": stat.name,
                "letter_a": labels[i],
                "letter_b": labels[j],
                "group_a": names[i],
                "group_b": names[j],
                "difference": (1 if stat.kind == "mean" else 100) * diff,
                "p_value": pv,
                "p_adjusted": pa,
                "significant": significant,
            }
        )
    return higher


def _cell_records(banner, stat, cells, names, labels, higher) -> list:
    """One record per shown column of one statistic."""
    records = []
    for c, ((cell, off), name) in enumerate(zip(cells, names, strict=True)):
        records.append(
            {
                "banner": banner,
                "group": name,
                "letter": labels[c],
                "statistic": stat.name,
                "value": np.nan if off else cell["value"],
                "n": pd.NA if off and c > 0 else cell["n"],
                "n_effective": np.nan if off else cell["n_effective"],
                "higher_than": "".join(sorted(higher[c], key=lambda s: (len(s), s))),
                "suppressed": bool(off),
            }
        )
    return records


def _hidden_record(banner, stat, n_groups: int, min_n: int) -> dict:
    """The one unlabelled column standing for the groups hidden for every statistic."""
    return {
        "banner": banner,
        "group": hidden_label(n_groups, min_n),
        "letter": "",
        "statistic": stat.name,
        "value": np.nan,
        "n": pd.NA,
        "n_effective": np.nan,
        "higher_than": "",
        "suppressed": True,
    }


def _assembled(records, pairs, statistics, w, level, key, min_n, method, blank, n_hidden):
    """The tidy banner table with its attributes (level, correction, tests, pairs ...)."""
    out = pd.DataFrame.from_records(records)
    out["group"] = out["group"].astype(object)
    out["n"] = out["n"].astype("Int64")  # missing for hidden groups
    if w is None:
        out = out.drop(columns="n_effective")
    kinds = {s.kind for s in statistics}
    out.attrs.update(
        confidence_level=level,
        correction=key,
        min_n=int(min_n),
        method=method,
        weighted=w is not None,
        tests={
            k: TEST_NAMES[k].format(
                method=method,
                share_method="Agresti-Caffo" if method == "adjusted-wald" else "Wald",
            )
            for k in ("nps", "share", "mean")
            if k in kinds
        },
        blank=blank,
        n_hidden=n_hidden,
        # plain records, not a DataFrame: pandas compares attrs when it combines
        # frames (astype, merge, concat), and a DataFrame there cannot be compared
        pairs=tuple({c: record[c] for c in PAIR_COLUMNS} for record in pairs),
    )
    return out


def banner_pairs(table: pd.DataFrame) -> pd.DataFrame:
    """Every test behind a ``banner_table``'s letters, one row per pair of columns.

    Columns ``banner``, ``statistic``, ``letter_a``, ``letter_b``,
    ``group_a``, ``group_b``, ``difference`` (b - a), ``p_value``,
    ``p_adjusted`` and ``significant``, read from ``table.attrs["pairs"]``
    (kept there as plain records, so that pandas can still copy, convert and
    merge the table).

    >>> df = pd.DataFrame({"region": ["north"] * 20 + ["south"] * 20,
    ...                    "recommend": [10] * 15 + [3] * 5 + [10] * 5 + [3] * 15})
    >>> pairs = banner_pairs(banner_table(df, "region", rows=["nps"]))
    >>> pairs[["statistic", "letter_a", "letter_b", "significant"]].to_dict("records")
    [{'statistic': 'nps', 'letter_a': 'A', 'letter_b': 'B', 'significant': True}, {'statistic': 'nps', 'letter_a': 'B', 'letter_b': 'C', 'significant': True}, {'statistic': 'nps', 'letter_a': 'A', 'letter_b': 'C', 'significant': True}]
    """
    if "pairs" not in table.attrs:
        raise ValueError(
            "the table has no attrs['pairs']: pass the table banner_table returned "
            "(pandas operations that drop attrs, such as groupby, lose them)"
        )
    return pd.DataFrame.from_records(list(table.attrs["pairs"]), columns=list(PAIR_COLUMNS))
