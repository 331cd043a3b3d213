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

_TIME = r"(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,6}))?)?)?"
# day or month first: 1.3.2025, 01/03/25, 1-3-2025 10:00
_DM = re.compile(rf"^(\d{{1,2}})([./-])(\d{{1,2}})\2(\d{{4}}|\d{{2}})(?!\d){_TIME}$")
# year first (2025/03/01, 2025-3-1); padded 2025-03-01 is ISO and goes to pandas' ISO reader
_YMD = re.compile(rf"^(\d{{4}})([./-])(\d{{1,2}})\2(\d{{1,2}})(?!\d){_TIME}$")
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}(?:$|[T ])")


def parse_dates(values, *, date_format: str | None = None, column: str = "date") -> pd.Series:
    """Dates from text (or dates), NaT where a value is blank or not a date.

    Parameters
    ----------
    values : Series (or list) of text, dates or a mix of both.
    date_format : ``strftime`` codes for every value, e.g. ``"%m/%d/%Y"``;
        a time after the date is allowed.  Default: the rules of the module
        docstring (ISO, day-first ``d.m.y`` and ``d/m/y``).
    column : the column's name, used in the warning about ambiguous dates.

    Returns
    -------
    Series of datetimes with the index of ``values``; time-zone aware when
    the text carries UTC offsets (several different offsets are read as UTC).

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
    is_text = s.map(lambda v: isinstance(v, str), na_action="ignore").eq(True).to_numpy(bool)
    stamps = s.map(lambda v: isinstance(v, _dt.date), na_action="ignore").eq(True).to_numpy(bool)
    text = s.where(is_text).astype("object").where(is_text)
    codes, uniques = pd.factorize(pd.Series(text, index=s.index).str.strip())
    read = _parse_text(pd.Series(uniques, dtype="object"), date_format, column)
    out = pd.Series(read.to_numpy()[np.maximum(codes, 0)], index=s.index, dtype=read.dtype)
    out = out.mask(codes < 0)
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


def _parse_text(text: pd.Series, date_format, column) -> pd.Series:
    """Distinct stripped strings (no missing values) -> datetimes, NaT if not a date."""
    if date_format is not None:
        return _with_format(text, date_format)
    out = pd.Series(pd.NaT, index=text.index, dtype="datetime64[us]")
    if text.empty:
        return out
    parts = []
    iso = text.str.match(_ISO).to_numpy(bool)
    if iso.any():
        parts.append(_to_datetime(text[iso], format="ISO8601"))
    dm = text.str.extract(_DM)
    is_dm = dm[0].notna().to_numpy(bool) & ~iso
    if is_dm.any():
        parts.append(_day_month(dm[is_dm], column, text[is_dm]))
    ymd = text.str.extract(_YMD)
    is_ymd = ymd[0].notna().to_numpy(bool) & ~iso & ~is_dm
    if is_ymd.any():
        g = ymd[is_ymd]
        parts.append(_build(g[0], g[2], g[3], g.iloc[:, 4:]))
    # other text with a month name ("1 March 2025"); digits alone ("10") are not dates
    rest = ~(iso | is_dm | is_ymd) & text.str.contains(r"[^\W\d_]").to_numpy(bool)
    if rest.any():
        with warnings.catch_warnings():  # "could not infer format": parsed one by one, on purpose
            warnings.simplefilter("ignore", UserWarning)
            parts.append(_to_datetime(text[rest], format="mixed", dayfirst=True))
    return _combine(out, parts)


def _day_month(groups: pd.DataFrame, column, shown: pd.Series) -> pd.Series:
    """d.m.y always day-first; d/m/y and d-m-y day-first unless the column proves m/d/y."""
    first, middle = groups[0].astype(int), groups[2].astype(int)
    dotted = groups[1].eq(".").to_numpy(bool)
    other = ~dotted
    month_first = np.zeros(len(groups), bool)
    if other.any():
        f, m = first[other], middle[other]
        if (m > 12).any() and not (f > 12).any():
            month_first[other] = True  # 03/25/2025: the column is m/d/y
        elif not (f > 12).any() and not (m > 12).any() and (f != m).any():
            example = shown[other][(f != m).to_numpy(bool)].iloc[0]
            warnings.warn(
                f"column {column!r}: dates such as {example!r} could be day-first or "
                f"month-first; read day-first (d/m/y, the European convention). Pass "
                f"date_format='%m/%d/%Y' if they are month-first",
                UserWarning,
                stacklevel=4,
            )
    day = first.where(~month_first, middle)
    month = middle.where(~month_first, first)
    return _build(groups[3], month, day, groups.iloc[:, 4:])


def _build(year, month, day, time: pd.DataFrame) -> pd.Series:
    """Datetimes from text parts; impossible dates (31.02.) are NaT."""
    year = year.astype(int)
    # two-digit years as strptime's %y reads them: 00-68 -> 2000s, 69-99 -> 1900s
    year = year.where(year >= 100, year + np.where(year < 69, 2000, 1900))
    parts = pd.DataFrame({"year": year, "month": pd.Series(month).astype(int)})
    parts["day"] = pd.Series(day).astype(int).to_numpy()
    hour, minute, second, frac = (time.iloc[:, i] for i in range(4))
    parts["hour"] = pd.to_numeric(hour).fillna(0).to_numpy()
    parts["minute"] = pd.to_numeric(minute).fillna(0).to_numpy()
    parts["second"] = pd.to_numeric(second).fillna(0).to_numpy()
    micro = frac.fillna("0").str.ljust(6, "0").astype(int)
    parts["microsecond"] = micro.to_numpy()
    bad = (parts["hour"] > 23) | (parts["minute"] > 59) | (parts["second"] > 59)
    out = pd.to_datetime(parts, errors="coerce").astype("datetime64[us]")
    return out.mask(bad.to_numpy(bool))


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
    except (ValueError, TypeError):  # mixed UTC offsets: read them as UTC
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
    for part in parts:
        out, part = _same_zone(out, part)
        out = out.copy()
        out.loc[part.index] = part.to_numpy()
    return out
