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

import unicodedata

import numpy as np
import pandas as pd

from ._redact import redact, visible

MAX_GROUPS = 1_000  # distinct values of a group column
# A column is an identifier when at least this share of its (at least
# UNIQUE_MIN_ROWS) filled-in values are different: a customer number, a name
UNIQUE_SHARE = 0.9
UNIQUE_MIN_ROWS = 10
# the loader's id columns and the usual names of contact columns
ID_COLUMNS = frozenset(
    {"respondent_id", "account_id", "email", "e-mail", "phone", "sähköposti", "puhelin"}
)
# keys whose columns' values a report shows as labels (language: the codes it warns of)
GROUP_KEYS = ("segments", "banners", "wave", "split", "value_labels", "language")


def _row(label):
    """A row of the data as people count them: the loader's 0-based index plus one."""
    return label + 1 if isinstance(label, int | np.integer) else label


class IdentifyingColumnError(ValueError):
    """A column of contact details, identifiers or too many values was named as groups."""


def identifying_reason(values: pd.Series, column: str, *, counts=None) -> str | None:
    """Why ``values`` may not be a group column, in words; None when it may.

    ``counts``: ``values`` are a column's distinct values (as a backend counts
    them) and ``counts`` the rows holding each; the share of different values
    is then taken over those rows, not over the distinct values.

    >>> identifying_reason(pd.Series(["a@x.fi", "b@x.fi", "a@x.fi"]), "contact")
    'holds e-mail addresses, phone numbers or identity codes (e.g. row 1)'
    >>> identifying_reason(pd.Series(["North", "South"] * 10), "region") is None
    True
    """
    if str(column).strip().lower() in ID_COLUMNS:
        return "is an id or contact column"
    filled = values.dropna()
    distinct = filled.drop_duplicates()
    rows = len(filled)
    if counts is not None:
        rows = int(pd.Series(np.asarray(counts), index=values.index)[values.notna()].sum())
    if rows >= UNIQUE_MIN_ROWS and len(distinct) >= UNIQUE_SHARE * rows:
        return (
            f"has a different value for {len(distinct):,} of its {rows:,} answers "
            "(an identifier, not groups)"
        )
    if len(distinct) > MAX_GROUPS:
        return (
            f"has {len(distinct):,} different values, more than the {MAX_GROUPS:,} groups allowed"
        )
    for label, value in zip(distinct.index, distinct.astype(str), strict=True):
        if redact(value) != value:
            return (
                f"holds e-mail addresses, phone numbers or identity codes (e.g. row {_row(label)})"
            )
    return None


def check_group_columns(df: pd.DataFrame, columns, *, key: str, counts=None) -> None:
    """Raise ``IdentifyingColumnError`` for a column of ``columns`` that may not form groups.

    ``counts``: ``df`` holds one column's distinct values, ``counts`` the rows of each
    (see ``identifying_reason``).

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
            reason = identifying_reason(df[column], column, counts=counts)
            if reason:
                raise IdentifyingColumnError(
                    f"key {key!r}: column {column!r} {reason}; a report never shows groups "
                    "of such a column (see README 'Security and privacy')"
                )


class LookAlikeError(ValueError):
    """Two values of a group column differ only by invisible or control characters."""


def _visible_text(value):
    return visible(value) if isinstance(value, str) else value


def clean_group_values(df: pd.DataFrame, columns, *, key: str) -> pd.DataFrame:
    """``df`` with control, bidi and zero-width characters removed from the values of
    the group columns ``columns``: the report shows each group as it reads.

    Two values that then read the same (``"North"`` and ``"North\\u200b"``)
    would be two groups that look like one: ``LookAlikeError`` names the
    column, the two values (with their invisible characters spelled out) and
    a row of each.

    >>> df = pd.DataFrame({"region": ["North\\u202e", "South\\x1b[31m", "East"]})
    >>> clean_group_values(df, ["region"], key="segments")["region"].tolist()
    ['North', 'South[31m', 'East']
    >>> clean_group_values(pd.DataFrame({"r": ["N", "N\\u200b"]}), ["r"], key="segments")
    Traceback (most recent call last):
    ...
    nps_toolkit._identifiers.LookAlikeError: key 'segments': column 'r' has values that read the same but differ by invisible, control or look-alike characters: 'N' (row 1) and 'N\\u200b' (row 2); remove those characters from the data
    """
    out = None
    for column in dict.fromkeys([columns] if isinstance(columns, str) else columns):
        if column not in df.columns:
            continue
        values = df[column]
        is_cat = isinstance(values.dtype, pd.CategoricalDtype)
        distinct = pd.Series(values.cat.categories if is_cat else values.dropna().unique())
        distinct = distinct[distinct.map(lambda v: isinstance(v, str))]
        cleaned = distinct.map(visible)
        first = {}
        for original, clean in zip(distinct, cleaned, strict=True):
            clean = unicodedata.normalize("NFKC", clean)  # "Ｎorth" reads as "North"
            if clean in first:
                a, b = first[clean], original
                rows = [_row(values.index[(values == v).to_numpy()][0]) for v in (a, b)]
                raise LookAlikeError(
                    f"key {key!r}: column {column!r} has values that read the same but differ "
                    f"by invisible, control or look-alike characters: {ascii(a)[:60]} (row {rows[0]}) and "
                    f"{ascii(b)[:60]} (row {rows[1]}); remove those characters from the data"
                )
            first[clean] = original
        if (cleaned == distinct).all():
            continue
        if out is None:
            out = df.copy()
            out.attrs = dict(df.attrs)
        if is_cat:
            out[column] = values.cat.rename_categories(dict(zip(distinct, cleaned, strict=True)))
        else:
            out[column] = values.map(_visible_text)
    return df if out is None else out
