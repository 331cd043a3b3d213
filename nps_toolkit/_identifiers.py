"""Columns that identify people: never a group of a report.

A segment, banner, wave or split column, or one given ``value_labels``, puts
its values into the report as group labels.  A column holding contact
details or identifiers (e-mail addresses, phone numbers, identity codes, the
loader's id columns) or a value unique to each respondent would turn a
report into a list of people, each with their own score, so it is refused,
with the column named.  So is a column with more distinct values than
``MAX_GROUPS``: such a report would take hours and gigabytes to show
thousands of groups of one or two answers, all hidden.
"""

from __future__ import annotations

import pandas as pd

from ._redact import redact

MAX_GROUPS = 1_000  # distinct values of a group column
# A column is an identifier when at least this share of its (at least
# UNIQUE_MIN_ROWS) filled-in values are different: a customer number, a name
UNIQUE_SHARE = 0.9
UNIQUE_MIN_ROWS = 10
# the loader's id columns and the usual names of contact columns
ID_COLUMNS = frozenset(
    {"respondent_id", "account_id", "email", "e-mail", "phone", "sähköposti", "puhelin"}
)
GROUP_KEYS = ("segments", "banners", "wave", "split", "value_labels")


class IdentifyingColumnError(ValueError):
    """A column of contact details, identifiers or too many values was named as groups."""


def identifying_reason(values: pd.Series, column: str) -> str | None:
    """Why ``values`` may not be a group column, in words; None when it may.

    >>> identifying_reason(pd.Series(["a@x.fi", "b@x.fi", "a@x.fi"]), "contact")
    'holds e-mail addresses, phone numbers or identity codes (e.g. row 1)'
    >>> identifying_reason(pd.Series(["North", "South"] * 10), "region") is None
    True
    """
    if str(column).strip().lower() in ID_COLUMNS:
        return "is an id or contact column"
    filled = values.dropna()
    distinct = filled.drop_duplicates()
    if len(filled) >= UNIQUE_MIN_ROWS and len(distinct) >= UNIQUE_SHARE * len(filled):
        return (
            f"has a different value for {len(distinct):,} of its {len(filled):,} answers "
            "(an identifier, not groups)"
        )
    if len(distinct) > MAX_GROUPS:
        return (
            f"has {len(distinct):,} different values, more than the {MAX_GROUPS:,} groups allowed"
        )
    for position, value in zip(range(len(distinct)), distinct.astype(str), strict=False):
        if redact(value) != value:
            row = values.index.get_loc(distinct.index[position])
            row = row + 1 if isinstance(row, int) else distinct.index[position]
            return f"holds e-mail addresses, phone numbers or identity codes (e.g. row {row})"
    return None


def check_group_columns(df: pd.DataFrame, columns, *, key: str) -> None:
    """Raise ``IdentifyingColumnError`` for a column of ``columns`` that may not form groups.

    ``key`` is the config key naming them (``segments``, ``banners``,
    ``wave``, ``split``, ``value_labels``); columns not in ``df`` are left to
    the caller's own check.

    >>> df = pd.DataFrame({"email": ["a@x.fi"] * 3, "region": ["N", "S", "N"]})
    >>> check_group_columns(df, ["region"], key="segments")
    >>> check_group_columns(df, ["region", "email"], key="banners")
    Traceback (most recent call last):
    ...
    nps_toolkit._identifiers.IdentifyingColumnError: key 'banners': column 'email' is an id or contact column; a report never shows groups of such a column (see README 'Security and privacy')
    """
    for column in [columns] if isinstance(columns, str) else columns:
        if column in df.columns:
            reason = identifying_reason(df[column], column)
            if reason:
                raise IdentifyingColumnError(
                    f"key {key!r}: column {column!r} {reason}; a report never shows groups "
                    "of such a column (see README 'Security and privacy')"
                )
