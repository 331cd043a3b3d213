"""Tables for readers: headers in words, numbers in the report's language, marks not booleans.

``reader_table`` turns a toolkit table into text cells formatted by the
report's ``Texts`` (Babel): NPS in whole points (with decimals when an
interval of the table is narrower than 2 points: ``_decimals.point_digits``),
shares with one decimal, p-values as "< 0.001", a significant difference as
▲ (higher) or ▼ (lower than the rest), a hidden (suppressed) value as "–".
Every cell is escaped for HTML and Markdown (``presentation.escape``): group names and
quotes come from respondents.
"""

from __future__ import annotations

import pandas as pd

from .._decimals import point_digits
from .._i18n import Texts, _missing
from .presentation import ReportStyler, escape, stable_uuid, table_class

DASH = "\u2013"
UP, DOWN = "\u25b2", "\u25bc"


def mark(significant, difference) -> str:
    """▲ for a significant positive difference, ▼ for a negative one, else nothing.

    >>> mark(True, 12.0), mark(True, -3.0), mark(False, 40.0), mark(None, 1.0)
    ('▲', '▼', '', '')
    """
    if _missing(significant) or not bool(significant) or _missing(difference):
        return ""
    return UP if difference > 0 else DOWN


# decimals of the other number kinds (a value rounding to zero is shown as 0, not -0)
_DIGITS = {"int": 0, "pct": 1, "num1": 1, "num2": 2}


def cell(t: Texts, kind: str, value, digits: int = 0) -> str:
    """One value as text: ``kind`` is text, int, nps, signed, pct, num1, num2, p, band, yesno.

    ``digits``: the decimals of the NPS-scale kinds (nps, signed).

    >>> cell(Texts("en"), "nps", -0.3), cell(Texts("en"), "num1", -0.04)
    ('0', '0.0')
    >>> cell(Texts("fi"), "nps", 5.94, 1), cell(Texts("en"), "signed", -0.04, 1)
    ('5,9', '0.0')
    """
    if kind == "text":
        return DASH if _missing(value) else str(value)
    places = digits if kind in ("nps", "signed") else _DIGITS.get(kind)
    if places is not None and not _missing(value) and round(float(value), places) == 0:
        value = 0.0  # "-0" reads as a sign a reader looks for in vain
    if kind == "int":
        return t.number(value)
    if kind == "nps":
        return t.number(value, digits)
    if kind == "signed":
        return t.signed(value, digits)
    if kind == "signed1":
        return t.signed(value, 1)
    if kind == "pct":
        return t.pct(value)
    if kind == "num1":
        return t.number(value, 1)
    if kind == "num2":
        return t.number(value, 2)
    if kind == "p":
        return t.p(value)
    if kind == "band":
        return DASH if _missing(value) else t.label("bands", value)
    if kind == "yesno":
        return DASH if _missing(value) else t("tables.yes" if bool(value) else "tables.no")
    raise ValueError(f"unknown cell kind {kind!r}")


def interval(t: Texts, low, high, kind: str = "nps", digits: int = 0) -> str:
    """An interval as one cell: "45 to 65" (Finnish "45…65"); "–" when hidden.

    >>> interval(Texts("en"), 5.61, 6.24, digits=1), interval(Texts("fi"), 1, 11)
    ('5.6 to 6.2', '1…11')
    """
    if _missing(low) or _missing(high):
        return DASH
    return t("tables.interval").format(
        low=cell(t, kind, low, digits), high=cell(t, kind, high, digits)
    )


def table_digits(df: pd.DataFrame, spec) -> int:
    """The decimals of a table's NPS-scale cells: from the widths of all its intervals."""
    pairs = [column for _, kind, column in spec if kind == "interval"]
    return point_digits(*((df[lo], df[hi]) for lo, hi in pairs))


def reader_table(df: pd.DataFrame, spec, t: Texts, *, digits: int | None = None) -> pd.DataFrame:
    """A table of formatted text cells.

    ``spec`` is a list of ``(header key, kind, column)``: the header is
    ``t("headers.<key>")``; ``kind`` is a ``cell`` kind, or ``"interval"``
    (``column`` a pair of columns; ``"interval1"`` one of ``signed1`` cells), ``"mark"`` (``column`` the pair
    significant, difference) or ``"marked"`` (difference in points with its
    mark beside it).  ``digits``: the decimals of its NPS-scale cells (nps,
    signed, marked, interval); by default ``table_digits``, so that a table
    of an ordinary survey is in whole points and one with an interval
    narrower than 2 points in tenths.
    """
    if digits is None:
        digits = table_digits(df, spec)
    out = {}
    for key, kind, column in spec:
        header = t(f"headers.{key}")
        if kind in ("interval", "interval1"):  # interval1: of a signed1 value (an impact)
            lo, hi = column
            ends = {"digits": digits} if kind == "interval" else {"kind": "signed1"}
            out[header] = [interval(t, a, b, **ends) for a, b in zip(df[lo], df[hi], strict=True)]
        elif kind == "marked":
            sig, diff = column
            out[header] = [
                f"{cell(t, 'signed', d, digits)} {mark(s_, d)}".strip() if not _missing(d) else DASH
                for s_, d in zip(df[sig], df[diff], strict=True)
            ]
        else:
            out[header] = [cell(t, kind, v, digits) for v in df[column]]
    return pd.DataFrame(out)


# cells of these kinds are words (left-aligned, wrapping); all others are numbers
TEXT_KINDS = frozenset({"text", "band", "yesno"})


def numeric_columns(table: pd.DataFrame, spec) -> list:
    """The columns of a ``reader_table`` whose ``spec`` kind is a number (not words)."""
    return [
        c for c, (_, kind, _) in zip(table.columns, spec, strict=True) if kind not in TEXT_KINDS
    ]


def styled(table: pd.DataFrame, *, numeric_from: int = 1, numeric=None, wide=None):
    """A reader table as the report shows it: no index, escaped, numbers right-aligned.

    ``numeric`` names the columns holding numbers (``numeric_columns``); by
    default every column from ``numeric_from`` on.  Numbers are right-aligned
    and kept on one line; words (group names, themes, quotes) are
    left-aligned and wrap, as a reader reads them (JupyterLab's own style
    right-aligns every cell).  ``wide`` columns (sentences: quotes) take
    about half the width, so that a sentence reads as lines, not as a
    column of single words.  The HTML's ids come from the table's content,
    so the same table gives the same HTML; its text view is the table itself
    (``ReportStyler``).
    """
    numeric = list(table.columns[numeric_from:]) if numeric is None else list(numeric)
    wide = list(wide or [])
    styler = ReportStyler(table, uuid=stable_uuid(table), cell_ids=False)
    styler = styler.hide(axis="index").format(escape)
    rules = []
    for i, column in enumerate(table.columns):
        align = "right" if column in numeric else "left"
        # headers wrap (they are words); a number or an interval stays on one line
        head = cells = f"text-align: {align};"
        if column in numeric:
            cells += " white-space: nowrap;"
        if column in wide:  # on the header too: a fixed table layout sizes columns by it
            head, cells = head + " width: 55%;", cells + " width: 55%;"
        rules.append({"selector": f"th.col_heading.col{i}", "props": head})
        rules.append({"selector": f"td.col{i}", "props": cells})
    styler = styler.set_table_styles(rules, overwrite=False)
    styler = styler.set_table_attributes(f'class="{table_class(table)}"')
    styler.words = [c for c in table.columns if c not in numeric]
    return styler
