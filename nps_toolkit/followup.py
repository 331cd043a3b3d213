"""Closing the loop: who to call back (detractors) and who to thank (promoters).

These lists are the ONLY place in the toolkit where contact details appear:
reports and summaries never carry them.  Treat the lists (and the files
``write_followup`` makes) as personal data: share them only with the people
who make the calls, and delete them when the loop is closed.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import numpy as np
import pandas as pd

from ._core import CATEGORIES
from ._core import category_codes as _category_codes
from ._dates import as_dates
from ._export import defuse_frame, write_xlsx
from ._redact import redact
from ._validation import as_list as _as_list
from ._validation import as_score_array as _as_score_array
from ._validation import check_columns

FOLLOWUP_COLUMNS = [
    "respondent_id",
    "score",
    "category",
    "contact",
    "no_contact",
    "comment",
    "themes",
    "responded_at",
    "due_by",
    "overdue",
]


def followup_list(
    df: pd.DataFrame,
    *,
    score: str = "recommend",
    include_passives: bool = False,
    within_hours: float = 48,
    responded_at: str = "responded_at",
    contact: str | None = "email",
    comment: str | None = "comment",
    id_column: str | None = "respondent_id",
    extra_columns=None,
    now=None,
) -> pd.DataFrame:
    """Detractors (and passives when asked) to contact, most urgent first.

    Parameters
    ----------
    df : one row per respondent.
    score : column with the 0-10 answers.  Blank answers are not listed (they
        are no one's category) and are counted in ``attrs["excluded_blank"]``.
    include_passives : also list passives (7-8); they sort by score like
        everyone else, so they come after the detractors.
    within_hours : the promise: contact within this many hours of the answer.
        ``due_by = responded_at + within_hours``.
    responded_at : column with the response time.  A blank time gives a blank
        ``due_by`` and ``overdue``; the row is still listed.
    contact : column with the contact details (e-mail, phone).  Rows with no
        contact details are kept and flagged ``no_contact`` (and counted in
        ``attrs["no_contact"]``): someone may still reach them through the
        account.  ``None``: the survey has no contact column (every row is
        flagged), and e-mail addresses, phone numbers and other personal data
        in the comments are redacted (``themes.redact``): a list made without
        contact details carries none.
    comment : column with the open "why" answer; ``None`` or a column that
        does not exist gives empty ``comment`` and ``themes``.  When
        ``nps_toolkit.themes`` is available, ``themes`` names the themes the
        comment mentions, comma-separated.
    id_column : column identifying the respondent (``None``: the index).
    extra_columns : more columns to carry into the list (e.g. ``account_id``).
    now : the time ``overdue`` is judged at (default: the current time, UTC
        when ``responded_at`` has a time zone, local wall time otherwise).

    Returns
    -------
    DataFrame with ``respondent_id``, ``score``, ``category``, ``contact``,
    ``no_contact``, ``comment``, ``themes``, ``responded_at``, ``due_by``,
    ``overdue`` and the extra columns; lowest score first, then the most
    recent answer first.  ``attrs`` count ``n_listed``, ``no_contact``,
    ``excluded_blank`` and record ``within_hours`` and ``now``.

    Examples
    --------
    >>> df = pd.DataFrame({
    ...     "respondent_id": ["a", "b", "c", "d"],
    ...     "recommend": [6, 2, 10, 6],
    ...     "email": ["a@x.fi", None, "c@x.fi", "d@x.fi"],
    ...     "responded_at": pd.to_datetime(["2025-03-01 09:00", "2025-03-01 10:00",
    ...                                     "2025-03-02 08:00", "2025-03-02 12:00"]),
    ... })
    >>> out = followup_list(df, now=pd.Timestamp("2025-03-03 11:00"))
    >>> out[["respondent_id", "score", "no_contact", "overdue"]].values.tolist()
    [['b', 2, True, True], ['d', 6, False, False], ['a', 6, False, True]]
    >>> str(out["due_by"].iloc[0])
    '2025-03-03 10:00:00'
    """
    wanted = ("detractor", "passive") if include_passives else ("detractor",)
    return _contact_list(
        df,
        wanted=wanted,
        highest_first=False,
        score=score,
        within_hours=within_hours,
        responded_at=responded_at,
        contact=contact,
        comment=comment,
        id_column=id_column,
        extra_columns=extra_columns,
        now=now,
    )


def thank_list(
    df: pd.DataFrame,
    *,
    score: str = "recommend",
    within_hours: float = 48,
    responded_at: str = "responded_at",
    contact: str | None = "email",
    comment: str | None = "comment",
    id_column: str | None = "respondent_id",
    extra_columns=None,
    now=None,
) -> pd.DataFrame:
    """Promoters (9-10) to thank: highest score first, then the most recent.

    Same columns, flags and ``attrs`` as ``followup_list``; promoters are
    good candidates for references and reviews, so thank them promptly too.

    >>> df = pd.DataFrame({"respondent_id": ["a", "b", "c"], "recommend": [9, 10, 3],
    ...                    "email": ["a@x.fi", "b@x.fi", "c@x.fi"],
    ...                    "responded_at": pd.to_datetime(["2025-01-02", "2025-01-01", "2025-01-03"])})
    >>> thank_list(df, now=pd.Timestamp("2025-01-02"))["respondent_id"].tolist()
    ['b', 'a']
    """
    return _contact_list(
        df,
        wanted=("promoter",),
        highest_first=True,
        score=score,
        within_hours=within_hours,
        responded_at=responded_at,
        contact=contact,
        comment=comment,
        id_column=id_column,
        extra_columns=extra_columns,
        now=now,
    )


def _contact_list(
    df,
    *,
    wanted,
    highest_first,
    score,
    within_hours,
    responded_at,
    contact,
    comment,
    id_column,
    extra_columns,
    now,
) -> pd.DataFrame:
    # --- validate at the edge -------------------------------------------------
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"expected a pandas DataFrame of responses, got {type(df).__name__}")
    extra = _as_list(extra_columns)
    required = [score, responded_at, *extra] + [c for c in (contact, id_column) if c is not None]
    check_columns(df, required)
    clash = [c for c in extra if c in FOLLOWUP_COLUMNS]
    if clash:
        raise ValueError(f"extra_columns {clash} clash with the list's own columns")
    try:
        hours = float(within_hours)
    except (TypeError, ValueError):
        raise ValueError(f"within_hours must be a number of hours, got {within_hours!r}") from None
    if not (np.isfinite(hours) and hours >= 0):
        raise ValueError(f"within_hours must be a non-negative number, got {within_hours!r}")
    scores = _as_score_array(df[score], name=f"column {score!r}")
    times = _as_times(df[responded_at], responded_at)
    now = _as_now(now, times)

    # --- compute ----------------------------------------------------------------
    codes = _category_codes(scores)
    keep = np.isin(codes, [CATEGORIES.index(c) for c in wanted])
    sel = df.loc[keep]
    ids = sel.index.to_series() if id_column is None else sel[id_column]
    if contact is None:  # a survey without contact details: everyone is flagged
        contact_values = pd.Series(pd.NA, index=sel.index, dtype="string")
    else:
        contact_values = sel[contact]
    text = contact_values.astype("string").str.strip()
    no_contact = (text.isna() | (text == "")).to_numpy(bool)
    has_comment = comment is not None and comment in df.columns
    comments = sel[comment] if has_comment else pd.Series(pd.NA, index=sel.index, dtype="string")
    if contact is None and has_comment:  # no contact details asked for: none in comments either
        comments = comments.map(lambda v: redact(str(v)), na_action="ignore")
    due = times[keep] + pd.Timedelta(hours=hours)
    overdue = pd.array(now > due.to_numpy(), dtype="boolean")
    overdue[due.isna().to_numpy()] = pd.NA
    score_col = pd.array(scores[keep], dtype="Int64")
    out = pd.DataFrame(
        {
            "respondent_id": ids.to_numpy(),
            "score": score_col,
            "category": pd.Categorical.from_codes(codes[keep], categories=list(CATEGORIES)),
            "contact": contact_values.to_numpy(),
            "no_contact": no_contact,
            "comment": comments.to_numpy(),
            "themes": _theme_names(comments) if has_comment else pd.NA,
            "responded_at": times[keep].reset_index(drop=True),
            "due_by": due.reset_index(drop=True),
            "overdue": overdue,
        }
    )
    for c in extra:
        out[c] = sel[c].to_numpy()
    # most urgent first: lowest score (highest for thank-you lists), then the
    # most recent answer; blank times last; ties keep the input order.
    order = np.lexsort(
        (
            np.arange(len(out)),
            out["responded_at"].isna().to_numpy(),
            -_as_seconds(out["responded_at"]),
            -scores[keep] if highest_first else scores[keep],
        )
    )
    out = out.iloc[order].reset_index(drop=True)
    out.attrs.update(
        categories=list(wanted),
        n_listed=len(out),
        no_contact=int(no_contact.sum()),
        excluded_blank=int(np.isnan(scores).sum()),
        within_hours=hours,
        now=now,
        themes=bool(has_comment and _tagger() is not None),
        personal_data=True,
    )
    return out


def _as_times(values: pd.Series, column: str) -> pd.Series:
    """Response times as datetimes; unparseable values raise naming their rows."""
    if isinstance(values.dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_dtype(values):
        return values
    # the toolkit's one date reader: dotted Finnish dates (01.03.2025) are day-first
    return as_dates(values, column=column)


def _as_now(now, times: pd.Series) -> pd.Timestamp:
    tz = times.dt.tz
    if now is None:
        return pd.Timestamp.now(tz="UTC").tz_convert(tz) if tz is not None else pd.Timestamp.now()
    stamp = pd.Timestamp(now)
    if tz is not None and stamp.tz is None:
        return stamp.tz_localize(tz)  # a wall time in the responses' zone
    if tz is None and stamp.tz is not None:
        return stamp.tz_convert("UTC").tz_localize(None)  # naive times are read as UTC
    return stamp


def _as_seconds(times: pd.Series) -> np.ndarray:
    """Seconds since the epoch as floats (NaN for blanks), for sorting."""
    ns = times.astype("datetime64[ns, UTC]" if times.dt.tz is not None else "datetime64[ns]")
    secs = ns.astype("int64").to_numpy().astype(float) / 1e9
    secs[times.isna().to_numpy()] = 0.0  # blanks are sorted last by their own key
    return secs


def _tagger():
    """``themes.tag_themes`` when the themes module is installed, else ``None``."""
    try:
        from .themes import tag_themes
    except ModuleNotFoundError as err:  # only a missing themes module is tolerated
        if err.name != f"{__package__}.themes":
            raise
        return None
    return tag_themes


def _theme_names(comments: pd.Series) -> np.ndarray:
    """Comma-separated names of the themes each comment mentions (blank: missing)."""
    out = np.full(len(comments), pd.NA, dtype=object)
    tag = _tagger()
    text = comments.astype("string")
    answered = (text.notna() & (text.str.strip() != "")).to_numpy(bool)
    if tag is None or not answered.any():
        return out
    flags = tag(text[answered].reset_index(drop=True))
    # tag_themes adds a non-theme "language" column: keep the boolean theme flags
    names = [c for c in flags.columns if c != "language" and pd.api.types.is_bool_dtype(flags[c])]
    hits = flags[names].to_numpy(bool)
    out[answered] = [", ".join(n for n, h in zip(names, row, strict=True) if h) for row in hits]
    return out


# digits that Excel reads as a different number: leading zeros, a plus, more than 15 digits
_EXCEL_CHANGES = re.compile(r"0\d+|'?\+\d{2,}|\d{16,}")


def _excel_text(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` with every text cell of digits that Excel would change written as ``="..."``.

    Only digits (and a leading plus) are wrapped, so nothing but a text
    constant can ever be made: the cell is the text, shown as written.

    >>> _excel_text(pd.DataFrame({"id": ["00123", "a1", "'+358401234567", "12"]}))["id"].tolist()
    ['="00123"', 'a1', '="+358401234567"', '12']
    """
    out = df.copy()
    for column in out.columns:
        s = out[column]
        if s.dtype == object or isinstance(s.dtype, pd.StringDtype):
            text = s.astype(object)
            wrap = text.map(lambda v: isinstance(v, str) and bool(_EXCEL_CHANGES.fullmatch(v)))
            digits = text.astype(str).str.removeprefix("'")
            out[column] = text.where(~wrap, '="' + digits + '"')
    return out


def write_followup(df_list: pd.DataFrame, path, *, sheet_name: str = "followup") -> Path:
    """Write a follow-up or thank-you list to ``.csv`` or ``.xlsx`` (chosen by extension).

    Both go through the toolkit's one export helper: time-zone aware times
    are written with their UTC offset in CSV and as wall times in their zone
    in Excel (which has no time zones); a text cell that a spreadsheet would
    run as a formula (starting with ``=``, ``+``, ``-``, ``@``, a tab or a
    carriage return, e.g. ``=HYPERLINK(...)`` or ``+358 40 123 4567``) gets a
    leading apostrophe, as OWASP advises against CSV injection, and is stored
    as text in Excel; numbers stay numbers; line breaks inside a comment stay
    inside its quoted cell.  In CSV, a text of digits that Excel would turn
    into a number and change (``00123`` loses its zeros, ``+358401234567``
    becomes 3.58E+11, more than 15 digits lose the last ones) is written as
    Excel's text constant ``="00123"``, which Excel shows as ``00123``; in
    ``.xlsx`` every text is a text cell.  The file holds contact details:
    keep it out of shared folders and reports.

    Returns the path written.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise ValueError(f"cannot write {path.name!r}: use a .csv or .xlsx file name")
    path.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".csv":
        # defused first (the plus of "+358..." gets its apostrophe), then the digits wrapped
        _excel_text(defuse_frame(df_list)).to_csv(
            path, index=False, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n", encoding="utf-8"
        )
        return path
    return write_xlsx({sheet_name: df_list}, path, freeze_header=True)
