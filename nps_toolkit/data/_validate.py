"""Recoding labelled answers and checking a survey frame (``validate``)."""

from __future__ import annotations

import fnmatch
import re
import warnings
from collections.abc import Mapping

import numpy as np
import pandas as pd

from .._dates import not_dates, parse_dates
from .._validation import ScaleWarning, likely_scale, scale_message
from ._common import MISSING_MARKERS, TEXT_COLUMNS, _found_and_suggest, _Problems, _py
from ._score import labelled_numbers

# ------------------------------------------------------------------------ recode


def _norm_label(x) -> str:
    if isinstance(x, float | np.floating) and float(x).is_integer():
        x = int(x)
    return str(x).strip().casefold()


def _recode(df: pd.DataFrame, recode: Mapping, problems: _Problems, originals: dict) -> None:
    """Apply ``recode`` in place (``df`` is a fresh copy); record bad labels."""
    for key, rule in recode.items():
        targets = [c for c in df.columns if fnmatch.fnmatchcase(str(c), str(key))]
        targets += [
            canon
            for canon, original in problems.shown.items()
            if canon in df.columns and fnmatch.fnmatchcase(original, str(key))
        ]
        targets = list(dict.fromkeys(targets))
        if not targets:
            problems.add(
                None,
                f"recode names {key!r}, which matches no column; {_found_and_suggest(key, df.columns)}",
            )
            continue
        for col in targets:
            s = df[col]
            originals.setdefault(col, s)
            if isinstance(rule, Mapping):
                table = {_norm_label(k): v for k, v in rule.items()}
                # look each distinct answer up once, then map the rows (vectorised)
                norm = {u: _norm_label(u) for u in pd.unique(s.dropna().to_numpy(object))}
                new = pd.to_numeric(
                    s.map({u: table.get(k, np.nan) for u, k in norm.items()}), errors="coerce"
                )
                blank = s.isna() | s.map({u: k == "" for u, k in norm.items()}).eq(True)
                bad = (new.isna() & ~blank).to_numpy(dtype=bool)
                problems.add_mask(bad, col, s, f"is not one of the recode labels {list(rule)}")
                df[col] = new.astype(float)
            elif isinstance(rule, int | float) and not isinstance(rule, bool):
                num, bad, blank = _to_number(s)
                problems.add_mask(bad, col, s, "is not a number (cannot shift it)")
                df[col] = num + rule
            else:
                raise TypeError(
                    f"recode[{key!r}] must be a dict {{label: value}} or a number to add, "
                    f"got {rule!r}"
                )


# ---------------------------------------------------------------------- validate


def _to_number(s: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(float values, not-a-number mask, blank mask), vectorised.

    Text is stripped; "7,5" is read as 7.5 whatever the file's decimal mark.
    """
    if pd.api.types.is_bool_dtype(s):
        return np.full(len(s), np.nan), s.notna().to_numpy(), s.isna().to_numpy()
    if pd.api.types.is_numeric_dtype(s):
        num = s.astype(float).to_numpy()
        return num, np.zeros(len(s), bool), np.isnan(num)
    text = s.astype("str").str.strip().where(s.notna())
    blank = (text.isna() | text.eq("") | text.isin(MISSING_MARKERS)).to_numpy(
        dtype=bool, na_value=True
    )
    num = pd.to_numeric(text, errors="coerce")
    retry = num.isna() & ~blank
    if retry.any():
        num[retry] = pd.to_numeric(text[retry].str.replace(",", ".", regex=False), errors="coerce")
    num = num.astype(float).to_numpy()
    return num, np.isnan(num) & ~blank, blank


def _as_text(s: pd.Series, strip: bool = False) -> pd.Series:
    """Ids and free text as strings; whole-number floats (1.0 from Excel) as "1".

    ``strip``: remove surrounding spaces (ids, e-mail addresses), so that a
    stray space cannot hide a duplicate id.
    """
    if pd.api.types.is_float_dtype(s):
        whole = s.dropna()
        if (whole == np.round(whole)).all():
            s = s.astype("Int64")
    if not (pd.api.types.is_string_dtype(s) and not pd.api.types.is_object_dtype(s)):
        s = s.astype("str").where(s.notna())
    if strip:
        s = s.str.strip()
    # "" is a blank (SPSS stores missing text that way)
    return s.mask(s.eq("").to_numpy(dtype=bool, na_value=False))


# "1,234" in a decimal-point file (or "1.234" in a decimal-comma file): a
# thousands separator or a decimal mark?  Either reading is a guess.
_THOUSANDS = {
    ".": re.compile(r"^[-+]?\d{1,3}(?:,\d{3})+(?:\.\d*)?$"),
    ",": re.compile(r"^[-+]?\d{1,3}(?:\.\d{3})+(?:,\d*)?$"),
}


def _ambiguous_thousands(s: pd.Series, decimal: str | None) -> np.ndarray:
    if not (pd.api.types.is_string_dtype(s) or pd.api.types.is_object_dtype(s)):
        return np.zeros(len(s), bool)
    text = s.where(s.map(lambda v: isinstance(v, str), na_action="ignore").eq(True))
    text = text.astype("str").str.strip().where(text.notna())
    return text.str.match(_THOUSANDS[decimal or "."]).to_numpy(dtype=bool, na_value=False)


def _thousands_reason(decimal: str | None) -> str:
    mark = decimal or "."
    other = "," if mark == "." else "."
    return (
        f"is ambiguous: {other!r} could be a thousands separator or a decimal mark (the "
        f"file's decimal mark is {mark!r}); write the number without a thousands separator"
    )


def _check(df: pd.DataFrame, problems: _Problems, originals: dict, **kw) -> pd.DataFrame:
    """Run every check (vectorised), convert the canonical columns, return the frame.

    Keywords: score, required, weight, id_column, date, date_format, decimal.
    """
    score, required = kw["score"], kw["required"]
    if len(df.columns) == 0:
        problems.add(None, "the file has no columns")
        return df
    if len(df) == 0:
        problems.add(None, f"has no data rows below the header (columns: {list(df.columns)})")
    for name in dict.fromkeys([score, *required]):
        if name not in df.columns:
            problems.add(
                name, f"required column is missing; {_found_and_suggest(name, df.columns)}"
            )
    if len(df) == 0:
        return df
    if score in df.columns:
        _check_score(df, problems, originals, score, kw.get("decimal"), kw.get("scale"))
    if kw["weight"] and kw["weight"] in df.columns:
        _check_weight(df, problems, originals, kw["weight"], kw.get("decimal"))
    id_column = kw["id_column"]
    if id_column and id_column in df.columns:
        _check_ids(df, problems, id_column)
    for col in TEXT_COLUMNS:
        if col in df.columns and col != id_column:
            # ids and addresses: "A1 " is "A1"; comments keep what was written
            df[col] = _as_text(df[col], strip=col != "comment")
    if "email" in df.columns:  # "NA", "None", "NULL" are not addresses (follow-up lists)
        df["email"] = df["email"].mask(df["email"].isin(MISSING_MARKERS).to_numpy(dtype=bool))
    if kw["date"] and kw["date"] in df.columns:
        _check_date(df, problems, originals, kw["date"], kw["date_format"], kw.get("date_order"))
    return df


def _recoded(originals, col, what, num):
    if col not in originals:
        return what
    return lambda p: f"(recoded to {_py(num[p])!r}) {what}"


def _check_score(df, problems, originals, score, decimal, scale=None) -> None:
    raw = originals.get(score, df[score])
    thousands = _ambiguous_thousands(df[score], decimal)
    # "10 - Extremely likely", "0 = Ei lainkaan todennäköistä": the number is the answer
    values, n_labelled = labelled_numbers(df[score])
    if n_labelled:
        df.attrs["score_labels_read"] = n_labelled
    num, not_number, blank = _to_number(values)
    num = np.where(thousands, np.nan, num)
    finite = ~np.isnan(num)
    outside = finite & ((num < 0) | (num > 10))
    fraction = finite & ~outside & (num != np.round(num))
    problems.add_mask(not_number & ~thousands, score, raw, "is not a number (0-10 expected)")
    problems.add_mask(thousands, score, raw, _thousands_reason(decimal))
    whole = num[finite]
    if outside.any() and whole.min() == 1 and whole.max() == 11:
        name = problems.column(score)
        problems.hints.append(
            f"column {name!r} runs from 1 to 11: if the 0-10 answers were coded 1-11, "
            f"shift them with recode={{{name!r}: -1}}"
        )
    problems.add_mask(outside, score, raw, _recoded(originals, score, "is outside 0-10", num))
    problems.add_mask(
        fraction, score, raw, _recoded(originals, score, "is not a whole number 0-10", num)
    )
    if scale != "0-10" and not (outside.any() or fraction.any()):
        _check_scale(num, problems.column(score), problems)
    df[score] = num


def _check_scale(num, name, problems) -> None:
    """A 1-5 or 1-7 rating is refused as the score, a likely 1-10 one warned about."""
    found = likely_scale(num)
    if found is None:
        return
    message = scale_message(name, num, found, label=f"column {name!r}")
    if found[1] == 10:
        warnings.warn(f"{problems.source}: {message}", ScaleWarning, stacklevel=6)
    else:
        problems.add(None, message)


def _check_weight(df, problems, originals, weight, decimal) -> None:
    raw = originals.get(weight, df[weight])
    thousands = _ambiguous_thousands(df[weight], decimal)
    num, not_number, blank = _to_number(df[weight])
    not_number = not_number & ~thousands
    problems.add_mask(not_number, weight, raw, "is not a number (weights must be >= 0)")
    problems.add_mask(thousands, weight, raw, _thousands_reason(decimal))
    problems.add_mask(blank, weight, raw, "is blank (every row needs a weight)")
    problems.add_mask(num < 0, weight, raw, "is negative (weights must be >= 0)")
    problems.add_mask(np.isinf(num), weight, raw, "is not a finite number")
    finite = num[np.isfinite(num)]
    if finite.size == len(num) and not (finite > 0).any():
        problems.add(weight, "every weight is 0, so no weighted estimate exists")
    df[weight] = num


def _check_ids(df, problems, id_column) -> None:
    ids = _as_text(df[id_column], strip=True)
    # is_unique first: one hash pass for the usual clean file
    if not ids.dropna().is_unique:
        dup = ids.duplicated(keep="first") & ids.notna()
        rows = pd.Series(problems.rows, index=ids.index)
        first = rows.groupby(ids, dropna=True).transform("first").to_numpy()
        problems.add_mask(
            dup.to_numpy(),
            id_column,
            ids,
            lambda p: f"is a duplicate respondent id (first on {problems.label} {first[p]})",
        )
    df[id_column] = ids


def _check_date(df, problems, originals, date, date_format, date_order=None) -> None:
    values = df[date]
    if pd.api.types.is_string_dtype(values) or pd.api.types.is_object_dtype(values):
        marker = values.map(lambda v: isinstance(v, str) and v.strip() in MISSING_MARKERS)
        values = values.mask(marker.eq(True).to_numpy(bool))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        parsed = parse_dates(
            values, date_format=date_format, column=problems.column(date), order=date_order
        )
    for w in caught:  # the file's name in front of the reader's warnings
        warnings.warn(f"{problems.source}: {w.message}", w.category, stacklevel=5)
    reason = "is not a date" + (f" in the format {date_format!r}" if date_format else "")
    problems.add_mask(not_dates(values, parsed), date, originals.get(date, df[date]), reason)
    df[date] = parsed


def validate(
    df: pd.DataFrame,
    *,
    score: str = "recommend",
    required=(),
    weight: str | None = "weight",
    id_column: str | None = "respondent_id",
    date: str | None = "responded_at",
    date_format: str | None = None,
    source: str = "survey data",
    rows=None,
    row_label: str = "index",
) -> pd.DataFrame:
    """Check a survey frame in canonical names and return it with clean types.

    Raises ``SurveyDataError`` listing every problem (row and column of each):

    * ``score`` (required): text ("ten"), a fraction (7.5) or a number outside
      0-10.  Blank answers are allowed: they stay missing and are counted in
      ``attrs["excluded_blank"]``.
    * ``weight`` (when present): text, blank, negative or infinite weights.
    * ``id_column`` (when present): a respondent id seen on an earlier row.
    * ``date`` (when present): values that are not dates.
    * columns in ``required`` that are missing (the columns found are listed
      with the closest name); a frame without rows.

    Parameters
    ----------
    df : one row per respondent, in canonical column names (see ``load_survey``).
    score, weight, id_column, date : names of those columns; ``None`` skips
        the weight, id or date check.
    required : more columns that must exist (e.g. ``["account_id"]``).
    date_format : ``strftime`` codes of the ``date`` column (e.g.
        ``"%m/%d/%Y"``); default: ISO as ISO, ``d.m.y`` and ``d/m/y`` day-first
        (see ``load_survey``).
    source : file name used in messages.
    rows, row_label : the number of each row in messages (default: the index
        labels, called "index"); ``load_survey`` passes file line numbers.

    Returns
    -------
    A copy with ``score`` and ``weight`` as floats (NaN = blank), ids and
    comments as text, ``date`` as datetime, and ``attrs`` ``n_rows``,
    ``n_answered``, ``excluded_blank`` and ``score``.

    >>> df = pd.DataFrame({"respondent_id": ["a", "b", "c"], "recommend": [10, None, 6]})
    >>> clean = validate(df)
    >>> clean.attrs["n_rows"], clean.attrs["excluded_blank"]
    (3, 1)
    >>> from nps_toolkit.data import SurveyDataError
    >>> try:
    ...     validate(pd.DataFrame({"recommend": [10, 7.5, 11]}))
    ... except SurveyDataError as err:
    ...     print(err)
    survey data: 2 problems in the survey data
      survey data, index 1, column 'recommend': value 7.5 is not a whole number 0-10
      survey data, index 2, column 'recommend': value 11 is outside 0-10
    """
    rows = np.asarray(df.index if rows is None else rows)
    problems = _Problems(source, rows, row_label)
    out = _validate(
        df.copy(),
        problems,
        {},
        score=score,
        required=list(required or ()),
        weight=weight,
        id_column=id_column,
        date=date,
        date_format=date_format,
    )
    problems.raise_if_any(row_label)
    return out


def _validate(df, problems, originals, **kw) -> pd.DataFrame:
    df = _check(df, problems, originals, **kw)
    if problems.total:
        return df
    blank = int(df[kw["score"]].isna().sum())
    df.attrs.update(
        score=kw["score"], n_rows=len(df), n_answered=len(df) - blank, excluded_blank=blank
    )
    return df
