"""Checks at the edge, shared by the public modules (scipy's ``_iv`` helpers in spirit).

Each function takes what a caller passed, raises a ``ValueError`` (or
``KeyError``/``TypeError``) that says what was wrong and where, and returns
the value in the form the inner code trusts.  Imports only ``_core``.
"""

from __future__ import annotations

import difflib
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
    if isinstance(scores, pd.DataFrame):
        raise TypeError(series_expected(scores, name))
    if isinstance(scores, np.ndarray) and scores.ndim == 2 and min(scores.shape) > 1:
        raise TypeError(
            f"{name} must be one column of 0-10 answers, got a {scores.shape[0]} x "
            f"{scores.shape[1]} array: pass one column, e.g. df['recommend']"
        )
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


def series_expected(
    frame: pd.DataFrame, name: str = "scores", what: str = "0-10 answers", column="recommend"
) -> str:
    """The message for a DataFrame passed where one column (a Series) is expected.

    ``name`` is the parameter, ``what`` what its column holds, ``column`` the
    column name to suggest when the frame has it (or one close to it).

    >>> series_expected(pd.DataFrame({"channel": ["web"], "recommend": [9]}))
    "scores must be one column of 0-10 answers (a Series), got a DataFrame with columns ['channel', 'recommend']: pass one column, e.g. df['recommend']"
    """
    columns = [str(c) for c in frame.columns]
    numeric = [str(c) for c in frame.columns if pd.api.types.is_numeric_dtype(frame[c])]
    pick = (close_names(column, columns, n=1) or numeric or columns or [column])[0]
    shown = columns[:10] + (["..."] if len(columns) > 10 else [])
    return (
        f"{name} must be one column of {what} (a Series), got a DataFrame with columns "
        f"{shown}: pass one column, e.g. df[{pick!r}]"
    )


def check_score_column(df, score, *, call: str, fix: str) -> None:
    """A clear ``ValueError`` when ``df[score]`` holds segment labels, not 0-10 answers.

    ``summarize(df, "flight_class")`` reads ``"flight_class"`` as the score
    (the second argument); the plain "non-numeric values" error would not
    say so.  A column is taken for a segment when most of its non-blank
    values are not numbers (a numeric column with a few typos gets the usual
    error naming its rows).  ``call`` is the call as the user wrote it
    (``"summarize(df, 'flight_class')"``), ``fix`` the call they probably
    meant.

    >>> df = pd.DataFrame({"recommend": [9, 3], "flight_class": ["Eco", "Business"]})
    >>> check_score_column(df, "flight_class", call="summarize(df, 'flight_class')",
    ...                    fix="summarize(df, by='flight_class')")
    Traceback (most recent call last):
    ...
    ValueError: summarize(df, 'flight_class') reads 'flight_class' as the score column, but it holds labels such as 'Eco', 'Business', not 0-10 answers: did you mean summarize(df, by='flight_class')?
    """
    if not isinstance(df, pd.DataFrame) or score not in df.columns:
        return
    column = df[score]
    if pd.api.types.is_numeric_dtype(column) or pd.api.types.is_bool_dtype(column):
        return
    given = column.dropna()
    text = given[pd.to_numeric(given, errors="coerce").isna()]
    if text.empty or 2 * len(text) < len(given):
        return
    examples = ", ".join(_shown(v) for v in pd.unique(text.to_numpy(dtype=object))[:3])
    raise ValueError(
        f"{call} reads {score!r} as the score column, but it holds labels such as "
        f"{examples}, not 0-10 answers: did you mean {fix}?"
    )


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
    if isinstance(weights, pd.DataFrame):
        raise TypeError(
            f"{name} must be one column of weights (a Series or a column name), got a "
            f"DataFrame with columns {list(weights.columns)[:10]}"
        )
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


class ColumnError(KeyError, ValueError):
    """A column the caller named is not in the data; the message suggests the closest names.

    Both a ``ValueError`` (bad input, like ``SurveyDataError``) and a
    ``KeyError`` (what pandas raises for a missing column, so older
    ``except KeyError`` code keeps working).

    Attributes
    ----------
    missing : the names not found, in the order given.
    suggestions : ``{missing name: [closest existing names]}``.
    """

    def __init__(self, message: str, missing=(), suggestions=None):
        super().__init__(message)
        self.missing = list(missing)
        self.suggestions = dict(suggestions or {})

    def __str__(self) -> str:  # KeyError's own str() would wrap the message in quotes
        return str(self.args[0]) if self.args else ""


# words that name the 0-10 answer in survey exports, for "recommend" missing
_SCORE_HINTS = ("recommend", "nps", "ltr", "likel", "suosit", "empfehl")


def close_names(name, names, n: int = 3) -> list[str]:
    """Up to ``n`` of ``names`` closest to ``name``: same letters in another case,
    then ``difflib`` matches (those about as close as the closest), then names
    containing it (or contained in it).

    >>> close_names("Segmnet", ["segment", "score", "recommend"])
    ['segment']
    >>> close_names("recommend", ["Recommend_NPS", "region"])
    ['Recommend_NPS']
    """
    found = {str(c).casefold(): c for c in names}
    key = str(name).casefold()
    out = [found[key]] if key in found else []
    scored = [
        (difflib.SequenceMatcher(None, key, k).ratio(), found[k])
        for k in difflib.get_close_matches(key, list(found), n=n, cutoff=0.6)
    ]
    # a clearly closer name alone: 'recomend' suggests 'recommend', not 'comment' too
    out += [c for r, c in scored if r >= scored[0][0] - 0.15] if scored else []
    out += [c for k, c in found.items() if len(k) >= 3 and (key in k or k in key)]
    if key == "recommend":
        out += [c for k, c in found.items() if any(h in k for h in _SCORE_HINTS)]
    return list(dict.fromkeys(out))[:n]


def missing_column_error(
    missing, existing, *, what: str = "column", where: str = "the data"
) -> ColumnError:
    """The ``ColumnError`` for ``missing`` names: each with its closest existing names,
    or the existing columns (the first 30) when none is close."""
    existing = list(existing)
    suggestions = {m: close_names(m, existing) for m in missing}
    one = len(missing) == 1
    plural = f"{what}s" if what.endswith("column") else what
    head = f"{what} {missing[0]!r}" if one else f"{plural} {list(missing)}"
    text = f"{head} not in {where}"
    hints = [(m, s) for m, s in suggestions.items() if s]
    if hints:
        parts = [" or ".join(map(repr, s)) + ("" if one else f" for {m!r}") for m, s in hints]
        text += f"; did you mean {', '.join(parts)}?"
    if len(hints) < len(missing):
        shown = [str(c) for c in existing[:30]]
        more = f" ... ({len(existing) - 30} more)" if len(existing) > 30 else ""
        text += f" Columns are {shown}{more}" if hints else f"; columns are {shown}{more}"
    return ColumnError(text, missing, suggestions)


def check_columns(df, columns, *, what: str = "column", where: str = "the data") -> None:
    """A ``ColumnError`` naming each of ``columns`` missing from ``df`` and the closest
    names it has (``difflib``), so a typo gets a "did you mean".

    ``df`` is a DataFrame or the list of its column names; ``what`` names the
    missing columns in the message (``"weights column"``, ``"raking target
    column"``), ``where`` the data (``"the data"``, ``"files matching ..."``).

    >>> check_columns(pd.DataFrame({"recommend": [9], "region": ["N"]}), ["recommend", "regoin"])
    Traceback (most recent call last):
    ...
    nps_toolkit._validation.ColumnError: column 'regoin' not in the data; did you mean 'region'?
    """
    existing = list(df.columns) if isinstance(df, pd.DataFrame) else list(df)
    present = set(existing)
    missing = [c for c in dict.fromkeys(columns) if c is not None and not _in_columns(c, present)]
    if missing:
        raise missing_column_error(missing, existing, what=what, where=where)


def _in_columns(name, present: set) -> bool:
    try:
        return name in present
    except TypeError:  # an unhashable "name" (a list inside a list) is never a column
        return False


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
