"""The one way the toolkit writes tables for people: CSV and XLSX with no live formula.

Every CSV and workbook the toolkit writes (summary tables, follow-up and
thank-you lists, banner workbooks) goes through ``write_csv`` /
``write_xlsx``.  Cells come from respondents and configs, so a text cell that
a spreadsheet would run as a formula (starting with ``= + - @``, a tab or a
carriage return, after leading spaces) is defused with a leading apostrophe
as OWASP's CSV-injection advice says; numbers stay numbers (also a text cell
that is just a signed number such as ``"-5"``: a spreadsheet reads it as that
number and runs nothing); embedded line breaks stay inside quotes
(``csv.QUOTE_MINIMAL`` with a ``\r\n`` line end quotes CR as well as LF).
"""

from __future__ import annotations

import csv
import math
import os
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ._redact import strip_invisible


def write_text_whole(path, text: str) -> Path:
    """Write ``text`` to ``path`` whole or not at all (a lexicon or model file a config
    names): into a temporary file beside it, then renamed over it, so a failed or
    interrupted write leaves the file as it was."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


_DANGEROUS = re.compile(r"^[ ]*[=+\-@\t\r]")
_SIGNED_NUMBER = re.compile(r"[+-]?\d+(?:[.,]\d+)?")


def defuse(value):
    """A cell value that no spreadsheet runs as a formula, without control characters.

    >>> defuse("=HYPERLINK(\\"http://x\\")"), defuse("  +1"), defuse(-3), defuse("ok")
    ('\\'=HYPERLINK("http://x")', "'  +1", -3, 'ok')
    >>> defuse("-5"), defuse("-2+3"), defuse("\\r=1")
    ('-5', "'-2+3", "'\\r=1")
    """
    if not isinstance(value, str):
        return value
    # control characters (ESC, NUL, VT ...) are no XML: openpyxl refuses them and
    # the workbook fails; bidi overrides and zero-width characters mislead
    value = strip_invisible(value)
    if _DANGEROUS.match(value) and not _SIGNED_NUMBER.fullmatch(value):
        return "'" + value
    return value


def defuse_frame(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` whose text cells and column names are defused; numbers untouched."""
    out = df.copy()
    for column in out.columns:
        s = out[column]
        if s.dtype == object or isinstance(s.dtype, pd.StringDtype | pd.CategoricalDtype):
            out[column] = s.astype(object).map(defuse)
    out.columns = [defuse(str(c)) if not isinstance(c, int | float) else c for c in out.columns]
    return out


def excel_ready(df: pd.DataFrame) -> pd.DataFrame:
    """Excel has no time zones nor Periods: periods become text, times lose their zone."""
    out = df.copy()
    for c in out.columns:
        if isinstance(out[c].dtype, pd.PeriodDtype):
            out[c] = out[c].astype(str)
        elif isinstance(out[c].dtype, pd.DatetimeTZDtype):
            out[c] = out[c].dt.tz_localize(None)
    return out


def write_csv(df: pd.DataFrame, path, *, index: bool = False) -> Path:
    """Write ``df`` as UTF-8 CSV with text defused and line breaks quoted."""
    path = Path(path)
    defuse_frame(df).to_csv(
        path, index=index, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n", encoding="utf-8"
    )
    return path


def sheet_name(name: str, used: set | None = None) -> str:
    """A valid, unique Excel sheet name (31 characters, no ``[]:*?/\\``)."""
    base = re.sub(r"[\[\]:*?/\\]", " ", str(name)).strip("' ")[:31] or "sheet"
    out, i = base, 2
    while used is not None and out.lower() in {u.lower() for u in used}:
        suffix = f" ({i})"
        out, i = base[: 31 - len(suffix)] + suffix, i + 1
    if used is not None:
        used.add(out)
    return out


def write_xlsx(sheets: dict, path, *, freeze_header: bool = False) -> Path:
    """Write ``{sheet name: DataFrame}`` as one workbook; text defused and stored as text.

    ``freeze_header`` keeps each sheet's header row in view when scrolling.
    """
    path = Path(path)
    used: set = set()
    with pd.ExcelWriter(path, engine="openpyxl") as xl:
        for name, df in sheets.items():
            sheet = sheet_name(name, used)
            defuse_frame(excel_ready(df)).to_excel(xl, sheet_name=sheet, index=False)
            for cells in xl.sheets[sheet].iter_rows():
                for cell in cells:
                    if cell.data_type == "f":  # openpyxl reads "=..." as a formula
                        cell.data_type = "s"
            if freeze_header:
                xl.sheets[sheet].freeze_panes = "A2"
    return path


@dataclass(frozen=True)
class Cell:
    """One laid-out spreadsheet cell: a value with its number format and style."""

    value: object = None
    number_format: str | None = None
    bold: bool = False
    align: str | None = None  # "left", "center", "right"
    wrap: bool = False


def write_grid(
    path,
    rows: list[list],
    *,
    sheet: str = "Sheet1",
    merges: tuple = (),
    freeze: str | None = None,
    widths: dict | None = None,
) -> Path:
    """Write a laid-out sheet (a report table rather than a data frame).

    ``rows`` is a list of rows, each a list of plain values or ``Cell``;
    ``merges`` are ranges such as ``"B2:D2"``; ``freeze`` the top-left cell
    that stays scrollable (``"B5"`` keeps rows 1-4 and column A in view);
    ``widths`` maps column letters to widths.  Text is defused and stored as
    text like every other cell this module writes; numbers stay numbers.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    path = Path(path)
    wb = Workbook()
    ws = wb.active
    ws.title = sheet_name(sheet)
    for r, row in enumerate(rows, start=1):
        for c, item in enumerate(row, start=1):
            cell = item if isinstance(item, Cell) else Cell(item)
            value = cell.value
            if value is None or (isinstance(value, float) and math.isnan(value)):
                continue
            target = ws.cell(row=r, column=c, value=defuse(value))
            if isinstance(target.value, str):
                target.data_type = "s"  # never a formula, whatever openpyxl guessed
            if cell.number_format:
                target.number_format = cell.number_format
            if cell.bold:
                target.font = Font(bold=True)
            if cell.align or cell.wrap:
                target.alignment = Alignment(horizontal=cell.align, wrap_text=cell.wrap)
    for span in merges:
        ws.merge_cells(span)
    if freeze:
        ws.freeze_panes = freeze
    for column, width in (widths or {}).items():
        ws.column_dimensions[column].width = width
    wb.save(path)
    return path
