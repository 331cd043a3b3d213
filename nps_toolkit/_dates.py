"""The one date reader and the one period rule of the toolkit.

Every module that turns text into dates (the loader, ``nps_trend``, period
counts, follow-up lists) calls ``parse_dates`` or ``as_dates``, and every
module that puts a date in a period calls ``to_period``, so one string is the
same day everywhere.

How text is read, value by value, with one day/month order per column:

* ISO 8601 (``2025-03-01``, ``2025-03-01T10:00:00+02:00``) as ISO; year-first
  ``2025/03/01`` and ``2025.03.01`` as year, month, day.
* ``d.m.y`` (``01.03.2025``, ``1.3.25``, with an optional ``10:00`` or
  ``10:00:00``): day-first, always.
* ``d/m/y`` and ``d-m-y``: day-first (the European convention).  A column is
  read month-first only when it proves it: a middle number above 12 and no
  first number above 12.  A column whose values could be either (every first
  and middle number 12 or less, not all equal) is read day-first with a
  warning naming the column; ``date_format="%m/%d/%Y"`` reads it month-first.
  A column with first numbers above 12 on some rows and middle numbers above
  12 on others mixes the two orders: the values that are not day-first
  dates are not dates.
* other text with a month name (``1 March 2025``) is left to pandas'
  parser, day-first; other digits (``10``, ``20250301``) are not dates.
* a time may be on a 12-hour clock (``9:15:32 PM``); a trailing ``GMT+2`` or
  ``UTC`` (Google Forms) is dropped, keeping the respondent's wall time.
* numbers and booleans are not dates (an Excel serial number is not a date
  we can trust: Excel stores real dates as dates).

``date_format`` (``strftime`` codes, e.g. ``"%m/%d/%Y"``) overrides all of
this; a time of day (`` %H:%M`` or `` %H:%M:%S``) after the date is allowed.
"""

from __future__ import annotations

import datetime as _dt
import re
import warnings

import numpy as np
import pandas as pd

# pandas offset aliases ending in "E" (period end) name the same periods as
# the Period frequencies without it.
PERIOD_FREQ = {"QE": "Q", "ME": "M", "YE": "Y", "Q": "Q", "M": "M", "Y": "Y", "W": "W", "D": "D"}

_TIME = r"(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,6}))?)?(?: ?[AaPp][Mm])?)?"
# day or month first: 1.3.2025, 01/03/25, 1-3-2025 10:00
_DM = re.compile(rf"^(\d{{1,2}})([./-])(\d{{1,2}})\2(\d{{4}}|\d{{2}})(?!\d){_TIME}$")
# year first (2025/03/01, 2025-3-1); padded 2025-03-01 is ISO and goes to pandas' ISO reader
_YMD = re.compile(rf"^(\d{{4}})([./-])(\d{{1,2}})\2(\d{{1,2}})(?!\d){_TIME}$")
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}(?:$|[T ])")
# a UTC offset after a time of day ("23:30:00+03:00", "10:05Z"); never a date's "-05"
OFFSET_AFTER_TIME = re.compile(
    r"^(?P<time>.*\d:\d\d(?::\d\d)?(?:[.,]\d+)?)\s*(?:Z|[+-]\d{2}(?::?\d{2})?)$"
)
_GMT_SUFFIX = re.compile(r"\s+(?:GMT|UTC)(?:[+-]\d{1,2}(?::?\d{2})?)?$")


def parse_dates(
    values, *, date_format: str | None = None, column: str = "date", order: str | None = None
) -> pd.Series:
    """Dates from text (or dates), NaT where a value is blank or not a date.

    Parameters
    ----------
    values : Series (or list) of text, dates or a mix of both.
    date_format : ``strftime`` codes for every value, e.g. ``"%m/%d/%Y"``;
        a time after the date is allowed.  Default: the rules of the module
        docstring (ISO, day-first ``d.m.y`` and ``d/m/y``).
    column : the column's name, used in the warning about ambiguous dates.
    order : ``"month-first"`` when the file's origin fixes the order of
        ``d/m/y``-looking dates (a US export such as Google Forms or Microsoft
        Forms): dates that could be read either way are read month-first
        without a warning.  Default: day-first, with a warning.

    Returns
    -------
    Series of datetimes with the index of ``values``; time-zone aware when
    the text carries one UTC offset; naive wall times when it carries several
    (each value's own clock: "+02:00" in winter, "+03:00" in summer).

    Warns
    -----
    UserWarning
        when ``d/m/y`` (or ``d-m-y``) dates could be read either way.

    Examples
    --------
    >>> s = pd.Series(["01.03.2025", "2025-03-02", "13/03/2025", "1 March 2025", "soon"])
    >>> parse_dates(s).dt.strftime("%Y-%m-%d").tolist()
    ['2025-03-01', '2025-03-02', '2025-03-13', '2025-03-01', nan]
    """
    s = values if isinstance(values, pd.Series) else pd.Series(values)
    if pd.api.types.is_datetime64_any_dtype(s):
        return s
    if pd.api.types.is_bool_dtype(s) or pd.api.types.is_numeric_dtype(s):
        return pd.Series(pd.NaT, index=s.index, dtype="datetime64[us]")
    if pd.api.types.is_string_dtype(s) and not pd.api.types.is_object_dtype(s):
        text, stamps = s, np.zeros(len(s), bool)  # a text column: no per-cell type test
    else:
        is_text = s.map(lambda v: isinstance(v, str), na_action="ignore").eq(True).to_numpy(bool)
        stamps = s.map(lambda v: isinstance(v, _dt.date), na_action="ignore")
        stamps = stamps.eq(True).to_numpy(bool)
        text = s.where(is_text).astype("object").where(is_text)
    codes, uniques = pd.factorize(pd.Series(text, index=s.index).str.strip())
    read = _parse_text(pd.Series(uniques, dtype="object"), date_format, column, order)
    if len(read):
        out = pd.Series(read.to_numpy()[np.maximum(codes, 0)], index=s.index, dtype=read.dtype)
        out = out.mask(codes < 0)
    else:  # no text at all (a Parquet DATE column holds date objects only)
        out = pd.Series(pd.NaT, index=s.index, dtype="datetime64[us]")
    if stamps.any():  # datetime objects in an object column (Excel mixes them with text)
        given = pd.to_datetime(s[stamps], errors="coerce")
        out, given = _same_zone(out, given)
        out = out.copy()
        out[stamps] = given.to_numpy()
    return out


def as_dates(values, *, column: str, date_format: str | None = None) -> pd.Series:
    """``parse_dates`` that raises a ``ValueError`` naming the rows that are not dates.

    Blank cells (missing values, empty text) stay NaT.

    >>> as_dates(pd.Series(["01.03.2025", "31.13.2025"]), column="when")
    Traceback (most recent call last):
    ...
    ValueError: column 'when': 1 value(s) are not dates, e.g. '31.13.2025' at row(s) [1]
    """
    s = values if isinstance(values, pd.Series) else pd.Series(values)
    out = parse_dates(s, date_format=date_format, column=column)
    bad = not_dates(s, out)
    if bad.any():
        rows = list(s.index[bad][:5])
        raise ValueError(
            f"column {column!r}: {int(bad.sum())} value(s) are not dates, "
            f"e.g. {s[bad].iloc[0]!r} at row(s) {rows}"
        )
    return out


def not_dates(values: pd.Series, parsed: pd.Series) -> np.ndarray:
    """Mask of the cells that hold something (not blank text) but no date."""
    given = values.notna().to_numpy(bool, copy=True)
    if given.any() and not pd.api.types.is_datetime64_any_dtype(values):
        text = values.map(lambda v: isinstance(v, str) and not v.strip(), na_action="ignore")
        given &= ~text.eq(True).to_numpy(bool)
    return parsed.isna().to_numpy(bool) & given


def to_period(dates, freq: str, *, column: str = "date") -> pd.Series:
    """Each date's period (``freq`` "QE", "ME", "YE", "W", "D" ...) as pandas Periods.

    Text is read with ``as_dates``.  A period is the respondent's own
    quarter or month: time-zone aware times keep their wall time.

    >>> to_period(pd.Series(["01.03.2025", "02.04.2025"]), "QE").astype(str).tolist()
    ['2025Q1', '2025Q2']
    """
    if freq not in PERIOD_FREQ:
        raise ValueError(f"unknown freq {freq!r}; valid: {sorted(PERIOD_FREQ)}")
    dates = as_dates(dates, column=column)
    if isinstance(dates.dtype, pd.DatetimeTZDtype):
        dates = dates.dt.tz_localize(None)
    return dates.dt.to_period(PERIOD_FREQ[freq])


def wall_time(dates: pd.Series) -> pd.Series:
    """Naive datetimes: time-zone aware times become wall times in their own zone."""
    if isinstance(dates.dtype, pd.DatetimeTZDtype):
        return dates.dt.tz_localize(None)
    return dates


# ---------------------------------------------------------------------- inside


def _parse_text(text: pd.Series, date_format, column, order=None) -> pd.Series:
    """Distinct stripped strings (no missing values) -> datetimes, NaT if not a date.

    Each family is picked out with a quick ``str.match`` and parsed with
    explicit ``strftime`` formats (pandas' vectorised parser), so a million
    dates cost about what ``pd.to_datetime(format=...)`` costs.
    """
    if date_format is not None:
        return _with_format(text, date_format)
    out = pd.Series(pd.NaT, index=text.index, dtype="datetime64[us]")
    if text.empty:
        return out
    text = text.astype("str")
    # "2021/03/15 10:12:33 AM GMT+2" (Google Forms' CSV): the respondent's wall time is kept
    text = text.str.replace(_GMT_SUFFIX, "", regex=True)
    parts = []
    iso = text.str.match(_ISO).to_numpy(bool)
    if iso.any():
        parts.append(_to_datetime(text[iso], format="ISO8601"))
    rest = text[~iso]
    dm = rest.str.match(_DM).to_numpy(bool)
    if dm.any():
        parts.append(_day_month(rest[dm], column, order))
    rest = rest[~dm]
    ymd = rest.str.match(_YMD).to_numpy(bool)
    if ymd.any():
        g = rest[ymd]
        sep = g.str.slice(4, 5)
        for mark in pd.unique(sep):
            parts.append(_with_formats(g[sep.eq(mark).to_numpy(bool)], [f"%Y{mark}%m{mark}%d"]))
    rest = rest[~ymd]
    # other text with a month name ("1 March 2025"); digits alone ("10") are not dates
    rest = rest[rest.str.contains(r"[^\W\d_]").to_numpy(bool)]
    if len(rest):
        with warnings.catch_warnings():  # "could not infer format": parsed one by one, on purpose
            warnings.simplefilter("ignore", UserWarning)
            parts.append(_to_datetime(rest, format="mixed", dayfirst=True))
    return _combine(out, parts)


_TIMES = ("", " %H:%M", " %H:%M:%S", " %H:%M:%S.%f", "T%H:%M", "T%H:%M:%S", "T%H:%M:%S.%f")
_TIMES += (" %I:%M %p", " %I:%M:%S %p", " %I:%M%p", " %I:%M:%S%p")  # US 12-hour clocks


def _with_formats(text: pd.Series, dates: list[str]) -> pd.Series:
    """Each value parsed with the first of ``dates`` x ``_TIMES`` that reads it.

    The formats that read the first values are tried first, so a uniform
    column costs one vectorised pass.
    """
    formats = [d + t for d in dates for t in _TIMES]
    head = text.iloc[:50]
    hits = {f: int(_to_datetime(head, format=f).notna().sum()) for f in formats}
    formats.sort(key=lambda f: -hits[f])
    out = pd.Series(pd.NaT, index=text.index, dtype="datetime64[us]")
    todo = text
    for f in formats:
        if todo.empty:
            break
        got = _to_datetime(todo, format=f).astype("datetime64[us]")
        ok = got.notna().to_numpy(bool)
        out = _place(out, got[ok])
        todo = todo[~ok]
    return out


def _day_month(text: pd.Series, column, order=None) -> pd.Series:
    """d.m.y always day-first; d/m/y and d-m-y day-first unless the column proves m/d/y."""
    sep = text.str.extract(r"^\d{1,2}([./-])", expand=False)
    parts = []
    for mark in pd.unique(sep):
        g = text[sep.eq(mark).to_numpy(bool)]
        month_first = mark != "." and _proves_month_first(g, mark, column, order)
        order = ("%m", "%d") if month_first else ("%d", "%m")
        # strptime's %Y would read a two-digit year 25 as the year 25: split by year length
        long_year = g.str.match(rf"^\d{{1,2}}\{mark}\d{{1,2}}\{mark}\d{{4}}").to_numpy(bool)
        for years, rows in (("%Y", long_year), ("%y", ~long_year)):
            if rows.any():
                parts.append(_with_formats(g[rows], [f"{order[0]}{mark}{order[1]}{mark}{years}"]))
    out = pd.Series(pd.NaT, index=text.index, dtype="datetime64[us]")
    return _combine(out, parts)


def _proves_month_first(text: pd.Series, mark: str, column, order=None) -> bool:
    """Whether d/m/y-looking text is m/d/y (a middle number above 12, no first above 12).

    Warns when every value could be read either way, unless ``order`` is
    "month-first" (the file's origin fixes the order).
    """
    nums = text.str.extract(rf"^(\d{{1,2}})\{mark}(\d{{1,2}})").astype(int)
    first, middle = nums[0], nums[1]
    if (middle > 12).any() and not (first > 12).any():
        return True  # 03/25/2025: the column is m/d/y
    if order == "month-first" and not (first > 12).any():
        return True  # a US export (Google Forms, Microsoft Forms): its order is known
    if not (first > 12).any() and not (middle > 12).any() and (first != middle).any():
        example = text[(first != middle).to_numpy(bool)].iloc[0]
        warnings.warn(
            f"column {column!r}: dates such as {example!r} could be day-first or "
            f"month-first; read day-first (d/m/y, the European convention). Pass "
            f"date_format='%m/%d/%Y' if they are month-first",
            UserWarning,
            stacklevel=6,
        )
    return False


def _with_format(text: pd.Series, date_format: str) -> pd.Series:
    out = _to_datetime(text, format=date_format)
    for suffix in (" %H:%M", " %H:%M:%S"):
        failed = out.isna()
        if not failed.any():
            break
        again = _to_datetime(text[failed], format=date_format + suffix)
        out, again = _same_zone(out, again)
        out = out.copy()
        out[failed] = again
    return out


def _to_datetime(text: pd.Series, **kw) -> pd.Series:
    try:
        return pd.to_datetime(text, errors="coerce", **kw)
    except (ValueError, TypeError):  # several UTC offsets, which pandas will not mix
        pass
    if "%z" not in str(kw.get("format", "")):
        # "+02:00" in winter and "+03:00" in summer: each value's own wall time, the
        # respondent's clock, as a column with one offset is read (``wall_time``)
        bare = text.astype("str").str.replace(OFFSET_AFTER_TIME, r"\g<time>", regex=True)
        try:
            return pd.to_datetime(bare, errors="coerce", **kw)
        except (ValueError, TypeError):
            pass
    return pd.to_datetime(text, errors="coerce", utc=True, **kw)


def _same_zone(a: pd.Series, b: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Two datetime Series made comparable: naive wall times unless both are aware."""
    a_tz = isinstance(a.dtype, pd.DatetimeTZDtype)
    b_tz = isinstance(b.dtype, pd.DatetimeTZDtype)
    if a_tz and b_tz:
        return a, b.dt.tz_convert(a.dt.tz)
    if a_tz and not b.notna().any():  # nothing to place: keep the zone
        return a, b.astype("datetime64[us]").dt.tz_localize(a.dt.tz)
    if b_tz and not a.notna().any():
        return a.astype("datetime64[us]").dt.tz_localize(b.dt.tz), b
    return wall_time(a).astype("datetime64[us]"), wall_time(b).astype("datetime64[us]")


def _combine(out: pd.Series, parts: list[pd.Series]) -> pd.Series:
    """``out`` with each part's values placed at the part's index labels."""
    for part in parts:
        out, part = _same_zone(out, part)
        out = _place(out, part)
    return out


def _place(out: pd.Series, part: pd.Series) -> pd.Series:
    if isinstance(out.dtype, pd.DatetimeTZDtype):  # rare: UTC offsets in the text
        out = out.copy()
        out.loc[part.index] = part
        return out
    values = out.to_numpy(copy=True)
    values[out.index.get_indexer(part.index)] = part.to_numpy()
    return pd.Series(values, index=out.index, dtype=out.dtype)
