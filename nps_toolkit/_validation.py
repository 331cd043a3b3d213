"""Checks at the edge, shared by the public modules (scipy's ``_iv`` helpers in spirit).

Each function takes what a caller passed, raises a ``ValueError`` (or
``KeyError``/``TypeError``) that says what was wrong and where, and returns
the value in the form the inner code trusts.  Imports only ``_core``.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd

# scipy.special holds the normal (and t) distribution functions that
# scipy.stats' norm and t call (ndtr, ndtri, stdtrit); importing scipy.stats
# itself costs about 0.5 s in every report kernel.
from scipy import special

from ._core import Counts

ANALYTIC_METHODS = ("wald", "adjusted-wald", "score")
RESAMPLING_METHODS = ("bootstrap", "bca", "bayes")
METHODS = ANALYTIC_METHODS + RESAMPLING_METHODS
ALTERNATIVES = ("two-sided", "less", "greater")

# The one default for "how many resamples or posterior draws" wherever an
# interval is resampled (intervals, comparisons, summaries, trends, themes).
N_RESAMPLES = 9999


# --------------------------------------------------------------------------
# data
# --------------------------------------------------------------------------


def as_score_array(scores, name: str = "scores") -> np.ndarray:
    """0-10 answers as a float array (NaN = blank), validated.

    Raises ``ValueError`` naming the positions (or index labels) of values
    that are not whole numbers between 0 and 10.
    """
    if not isinstance(scores, pd.Series | np.ndarray) or scores.dtype == object:
        scores = pd.Series(np.asarray(scores, dtype=object).ravel())
    if not pd.api.types.is_numeric_dtype(scores):
        converted = pd.to_numeric(scores, errors="coerce")
        bad = converted.isna() & scores.notna()
        if bad.any():
            where = list(scores.index[bad][:5])
            raise ValueError(
                f"{name}: {int(bad.sum())} non-numeric value(s), e.g. "
                f"{scores[bad].iloc[0]!r} at index {where}"
            )
        scores = converted
    if isinstance(scores, pd.Series):
        arr = scores.to_numpy(dtype=float, na_value=np.nan)  # nullable Int64 / Float64 too
        labels, where = scores.index, "index label(s)"
    else:
        arr = np.asarray(scores, dtype=float).ravel()
        labels, where = pd.RangeIndex(arr.size), "position(s)"
    finite = ~np.isnan(arr)
    bad = finite & ((arr < 0) | (arr > 10) | (arr != np.round(arr)))
    if bad.any():
        examples = ", ".join(f"{v:g}" for v in pd.unique(arr[bad])[:5])
        raise ValueError(
            f"{name}: {int(bad.sum())} value(s) are not whole numbers from 0 to 10 "
            f"({examples}) at {where} {labels[bad][:5].tolist()}"
        )
    return arr


def as_weights(
    weights, size: int, *, name: str = "weights", index=None, positive: bool = False
) -> np.ndarray:
    """Survey weights as a float array of ``size`` finite non-negative numbers.

    Text and other values that are not numbers count as missing (as
    ``pd.to_numeric(errors="coerce")``), so they are refused with the rest.
    ``name`` starts the messages (``"weights"``, ``"weights column 'w'"``);
    ``index``, the labels of the rows (a DataFrame's index), makes them name
    bad rows by index label, as a Series' own index does, where an array has
    positions.  ``positive``: zero weights are refused too.

    >>> as_weights(pd.Series([1, "2", 0.5]), 3).tolist()
    [1.0, 2.0, 0.5]
    >>> as_weights(pd.Series([1, "two"], index=["a", "b"]), 2)
    Traceback (most recent call last):
    ...
    ValueError: weights must be finite non-negative numbers; 1 bad value(s) ('two') at index label(s) ['b']
    """
    given = weights.to_numpy() if isinstance(weights, pd.Series) else np.asarray(weights)
    given = given.ravel()
    if given.shape[0] != size:
        rows = "scores" if index is None else "rows in the data"
        raise ValueError(f"{name} has length {given.shape[0]} but there are {size} {rows}")
    if isinstance(weights, pd.Series) and index is None:
        index = weights.index
    if given.dtype.kind in "biuf":  # numbers already: no coercion to pay for
        w = given.astype(float)
    elif given.dtype.kind in "OUS":  # text, None, pd.NA ...: what is not a number is NaN
        w = pd.to_numeric(pd.Series(given, dtype=object), errors="coerce")
        w = w.to_numpy(dtype=float, na_value=np.nan)
    else:
        raise TypeError(f"{name} must be numbers, got values of type {given.dtype}")
    bad = ~np.isfinite(w) | ((w <= 0) if positive else (w < 0))
    if bad.any():
        examples = ", ".join(_shown(v) for v in pd.unique(given[bad])[:3])
        where = "position(s)" if index is None else "index label(s)"
        labels = np.flatnonzero(bad) if index is None else pd.Index(index)[bad]
        raise ValueError(
            f"{weights_rule(name, positive=positive)}; {int(bad.sum())} bad value(s) "
            f"({examples}) at {where} {labels[:5].tolist()}"
        )
    return w


def weights_rule(name: str = "weights", *, positive: bool = False) -> str:
    """What weights must be, as every bad-weights message starts (here and in ``backends``).

    >>> weights_rule("weights column 'w'")
    "weights column 'w' must be finite non-negative numbers"
    """
    return f"{name} must be finite {'positive' if positive else 'non-negative'} numbers"


def _shown(value) -> str:
    """A value of a data column as an error message shows it (-2, 'two', None)."""
    if isinstance(value, float | np.floating | int | np.integer) and not isinstance(value, bool):
        return f"{value:g}"
    return repr(str(value) if isinstance(value, str) else value)  # np.str_ as plain text


def resolve_weights(
    df: pd.DataFrame, weights, *, name: str = "weights", positive: bool = False
) -> np.ndarray | None:
    """Weights given as a column name of ``df`` or as an array aligned with its rows.

    Messages name ``name`` (the argument: ``"weights"``, ``"base_weights"``)
    and the bad rows by ``df``'s index labels; see ``as_weights``.

    >>> df = pd.DataFrame({"w": [1.0, -2.0, "x"]}, index=[10, 11, 12])
    >>> resolve_weights(df, "w")
    Traceback (most recent call last):
    ...
    ValueError: weights column 'w' must be finite non-negative numbers; 2 bad value(s) (-2, 'x') at index label(s) [11, 12]
    """
    if weights is None:
        return None
    if isinstance(weights, str):
        check_columns(df, [weights], what=f"{name} column")
        return as_weights(
            df[weights], len(df), name=f"{name} column {weights!r}", positive=positive
        )
    return as_weights(weights, len(df), name=name, index=df.index, positive=positive)


def as_list(by) -> list:
    """``None`` -> [], one name -> [name], a sequence of names -> a list."""
    if by is None:
        return []
    if isinstance(by, str) or not isinstance(by, Sequence | pd.Index):
        return [by]
    return list(by)


def check_columns(df: pd.DataFrame, columns, *, what: str = "column(s)") -> None:
    """KeyError listing the columns of ``df`` when any of ``columns`` is missing.

    ``what`` names the missing columns in the message (``"weights column"``,
    ``"raking target column(s)"``).

    >>> check_columns(pd.DataFrame({"recommend": [9]}), ["recommend", "region"])
    Traceback (most recent call last):
    ...
    KeyError: "column(s) ['region'] not in the data; columns are ['recommend']"
    """
    missing = [c for c in dict.fromkeys(columns) if c is not None and c not in df.columns]
    if missing:
        raise KeyError(f"{what} {missing} not in the data; columns are {list(df.columns)}")


def check_counts(counts) -> tuple[int, int, int]:
    """``(detractors, passives, promoters)`` from a Counts or a 3-sequence, validated."""
    if isinstance(counts, Counts):
        values = (counts.detractors, counts.passives, counts.promoters)
    else:
        values = tuple(np.asarray(counts, dtype=float).ravel())
        if len(values) != 3:
            raise ValueError(
                "counts must be (detractors, passives, promoters) or a Counts, "
                f"got {len(values)} number(s)"
            )
    names = ("detractors", "passives", "promoters")
    out = []
    for name, v in zip(names, values, strict=True):
        v = float(v)
        if np.isnan(v) or v < 0:
            raise ValueError(f"counts: {name} must be a non-negative count, got {v}")
        if v != round(v):
            raise ValueError(
                f"counts: {name} must be a whole number, got {v} (weighted counts "
                "need the raw scores: pass scores= with weights=)"
            )
        out.append(int(round(v)))
    if sum(out) == 0:
        raise ValueError("no responses: all three counts are zero")
    return tuple(out)


def check_population(population_size, n) -> float | None:
    """The number invited, N >= n, or None."""
    if population_size is None:
        return None
    N = float(population_size)
    if not np.isfinite(N) or N < 1:
        raise ValueError(f"population_size must be a positive number, got {population_size}")
    if np.any(N < np.asarray(n)):
        raise ValueError(
            f"population_size ({population_size}) is smaller than the number of "
            f"answers ({np.max(n)}): it must be the number invited, N >= n"
        )
    return N


# --------------------------------------------------------------------------
# options
# --------------------------------------------------------------------------


def check_method(method, valid=METHODS) -> str:
    if method not in valid:
        raise ValueError(f"unknown method {method!r}; valid methods: {list(valid)}")
    return method


def check_choice(value, valid, what: str):
    """``value`` if it is one of ``valid``, else a ValueError listing them."""
    if value not in valid:
        raise ValueError(f"unknown {what} {value!r}; valid: {list(valid)}")
    return value


def check_level(confidence_level) -> float:
    """A confidence level in (0, 1) (95 is a percentage, not a level: it is refused)."""
    try:
        level = float(confidence_level)
    except (TypeError, ValueError):
        raise ValueError(
            f"confidence_level must be a number in (0, 1), got {confidence_level!r}"
        ) from None
    if not 0 < level < 1:
        hint = f" (did you mean {level / 100:g}?)" if 1 < level < 100 else ""
        raise ValueError(f"confidence_level must lie in (0, 1), got {confidence_level}{hint}")
    return level


def check_resamples(n_resamples, method=None, *, allow_zero: bool = False) -> int:
    """A whole number of resamples (or posterior draws), at least 2.

    With ``method`` given, only resampling methods are checked (the others
    ignore ``n_resamples``).  ``allow_zero``: 0 means "no resampling".
    """
    if method is not None and method not in RESAMPLING_METHODS:
        return n_resamples
    try:
        ok = int(n_resamples) == n_resamples and (
            n_resamples >= 2 or (allow_zero and n_resamples == 0)
        )
    except (TypeError, ValueError):
        ok = False
    if not ok:
        what = "0 (none) or " if allow_zero else ""
        where = f" for method {method!r}" if method is not None else ""
        raise ValueError(
            f"n_resamples must be {what}a whole number >= 2{where}, got {n_resamples!r}"
        )
    return int(n_resamples)


def check_min_n(min_n) -> int:
    if isinstance(min_n, bool) or not (isinstance(min_n, int | np.integer) and min_n >= 0):
        raise ValueError(f"min_n must be a non-negative whole number, got {min_n!r}")
    return int(min_n)


def check_alternative(alternative) -> str:
    if alternative not in ALTERNATIVES:
        raise ValueError(
            f"unknown alternative {alternative!r}; valid alternatives: {list(ALTERNATIVES)}"
        )
    return alternative


# --------------------------------------------------------------------------
# critical values
# --------------------------------------------------------------------------


def z(confidence_level: float) -> float:
    """Two-sided normal critical value."""
    return float(special.ndtri(0.5 + confidence_level / 2))  # stats.norm.ppf


def t(confidence_level: float, df: float) -> float:
    """Two-sided Student t critical value with ``df`` degrees of freedom."""
    return float(special.stdtrit(df, 0.5 + confidence_level / 2))  # stats.t.ppf


def planning_variance(expected, name: str = "expected") -> float:
    """Per-respondent variance p + d - (p - d)^2 of expected (promoter, detractor) shares.

    ``None`` gives 1, its maximum (p = d = 1/2): the conservative plan.

    >>> planning_variance((0.5, 0.2)), planning_variance(None)
    (0.61, 1.0)
    """
    if expected is None:
        return 1.0
    try:
        p, d = (float(x) for x in expected)
    except (TypeError, ValueError):
        raise ValueError(
            f"{name} must be (promoter share, detractor share), got {expected!r}"
        ) from None
    if not (0 <= p <= 1 and 0 <= d <= 1 and p + d <= 1):
        raise ValueError(
            f"{name} must be shares between 0 and 1 with promoters + detractors <= 1 "
            f"(e.g. (0.5, 0.2), not percentages), got {expected!r}"
        )
    return p + d - (p - d) ** 2


# --------------------------------------------------------------------------
# the answer scale
# --------------------------------------------------------------------------

SCALE_MIN_ANSWERS = 20  # fewer answers cannot tell a 1-5 scale from a 0-10 one


class ScaleWarning(UserWarning):
    """A 0-10 score column whose answers look like another scale (1-5, 1-7, 1-10)."""


def likely_scale(values) -> tuple[int, int] | None:
    """The scale a 0-10 column's answers more likely come from, or None when 0-10 fits.

    The answers must be whole numbers 1 or more, at least ``SCALE_MIN_ANSWERS``
    of them, with the top of a shorter scale used: all in 1-5 with a 5, all
    in 1-7 with a 7, or all in 1-10 with no 0 but five answers or more of 1
    (on 0-10 scales 0 is given at least as often as 1, so five 1s and no 0
    would happen about once in 30 surveys).

    >>> likely_scale([1, 2, 3, 4, 5] * 5), likely_scale(list(range(11)) * 3)
    ((1, 5), None)
    >>> likely_scale([1] * 5 + [7, 8, 9, 10] * 5)
    (1, 10)
    """
    arr = np.asarray(values, dtype=float).ravel()
    arr = arr[~np.isnan(arr)]
    if arr.size < SCALE_MIN_ANSWERS or (arr != np.round(arr)).any() or arr.min() < 1:
        return None
    top = arr.max()
    if top in (5, 7):
        return 1, int(top)
    if top == 10 and (arr == 1).sum() >= 5:
        return 1, 10
    return None


def scale_message(name: str, values, scale: tuple[int, int], *, label: str | None = None) -> str:
    """Why a column looks like a ``scale`` rating and what to do about it, in words.

    ``label`` names the column in the sentence (default: ``name``).
    """
    arr = np.asarray(values, dtype=float)
    n = int((~np.isnan(arr)).sum())
    lo, hi = scale
    seen = f"its {n} answers only span {lo}-{hi}" + (" (no 0)" if hi == 10 else "")
    shift = (
        f"If the 0-10 answers were coded 1-11 (nobody chose the top), shift them with "
        f"recode={{{name!r}: -1}}; "
        if hi == 10
        else ""
    )
    return (
        f"{label or name}: {seen}, so it is likely a {lo}-{hi} rating, not the 0-10 "
        f"likelihood-to-recommend scale NPS needs, and an NPS of it would be wrong. "
        + (f"{shift}if" if shift else "If")
        + " it really is 0-10, say so with scale='0-10'"
    )


def check_scale(scores, name: str = "scores", *, stacklevel: int = 3) -> None:
    """Warn (``ScaleWarning``) when 0-10 ``scores`` look like a 1-5, 1-7 or 1-10 scale."""
    scale = likely_scale(scores)
    if scale is not None:
        warnings.warn(scale_message(name, scores, scale), ScaleWarning, stacklevel=stacklevel)
