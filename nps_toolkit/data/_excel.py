"""Reading Excel .xlsx workbooks with openpyxl."""

from __future__ import annotations

import io
import re
import warnings
import zipfile

import numpy as np
import pandas as pd

from ._common import (
    HEADER_SEARCH_ROWS,
    Problem,
    SurveyDataError,
    _header_index,
    _missing_markers,
    _Raw,
)
from ._csv import _layout_info
from ._layouts import dedupe, resolve

# Excel's own limit of rows per sheet: a larger sheet was not written by Excel, and
# reading it cell by cell would take many minutes (a CSV or Parquet file takes seconds)
MAX_EXCEL_ROWS = 1_048_576


def _too_many_rows(source, title, rows) -> None:
    _refuse(
        f"{source} [sheet {title!r}]",
        f"the sheet has {rows:,} rows, more than the {MAX_EXCEL_ROWS:,} an Excel sheet "
        "holds and this reader takes; export the data as CSV or Parquet",
    )


def _sheet_table(ws, wanted, source=""):
    """(header, header_row, rows, row numbers, blank rows) of one worksheet."""
    records, numbers = [], []
    declared = ws.max_row  # the sheet's own <dimension>: checked before any row is read
    if declared is not None and declared > MAX_EXCEL_ROWS:
        _too_many_rows(source, ws.title, declared)
    # openpyxl's read-only reader yields empty rows too, so i is Excel's row number
    for i, row in enumerate(ws.iter_rows(min_row=1, values_only=True), start=1):
        if i > MAX_EXCEL_ROWS:  # no or a wrong <dimension>: stop at the limit
            _too_many_rows(source, ws.title, i)
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in row):
            continue
        records.append(row)
        numbers.append(i)
    if not records:
        return None, None, [], [], 0
    h = _header_index(records[:HEADER_SEARCH_ROWS], wanted)
    header, header_row = records[h], numbers[h]
    rows, numbers = records[h + 1 :], numbers[h + 1 :]
    # blank rows between the header and the last answer are skipped and counted;
    # trailing empty rows are formatting, not respondents
    blank = (numbers[-1] - header_row - len(numbers)) if numbers else 0
    return header, header_row, rows, numbers, blank


_ZEROS_FORMAT = re.compile(r"^0+$")


def _zero_padded_ids(ws, header, header_row, rows, numbers, text_columns) -> dict:
    """Id columns typed as numbers but shown with a "000" cell format, as Excel shows them.

    A customer number typed as 7 in a cell formatted "000" reads as 7 but is
    "007" on screen and in the CRM.  Only id columns (text columns) holding
    numbers are read a second time, for their cell formats.
    """
    out = {}
    if header is None or not rows:
        return out
    for j, name in enumerate(header):
        if name is None or str(name).strip() not in text_columns:
            continue
        if not any(isinstance(r[j], int | float) for r in rows if j < len(r)):
            continue
        fmt = {}
        for (cell,) in ws.iter_rows(min_row=header_row + 1, min_col=j + 1, max_col=j + 1):
            if isinstance(cell.value, int | float) and _ZEROS_FORMAT.match(cell.number_format):
                fmt[cell.row] = len(cell.number_format)
        if not fmt:
            continue
        values = []
        for r, i in zip(rows, numbers, strict=True):
            v = r[j] if j < len(r) else None
            if i in fmt and float(v).is_integer():
                v = str(int(v)).zfill(fmt[i])
            values.append(v)
        out[j] = values
    return out


def _sheet_header(ws, wanted) -> set:
    """Names in the header row of a worksheet (its first rows only)."""
    records = []
    for row in ws.iter_rows(min_row=1, max_row=200, values_only=True):
        if any(v is not None and not (isinstance(v, str) and not v.strip()) for v in row):
            records.append(row)
            if len(records) >= HEADER_SEARCH_ROWS:
                break
    if not records:
        return set()
    return {str(v).strip() for v in records[_header_index(records, wanted)] if v is not None}


def _refuse(source, reason):
    raise SurveyDataError([Problem(source, None, None, None, reason)])


def _choose_sheet(wb, source, sheet, wanted, score_name):
    """(worksheet, name of the column it was chosen by, or None)."""
    names = wb.sheetnames
    if sheet is None:
        ws = wb.worksheets[0]
        if score_name is None or len(names) == 1:
            return ws, None
        # a workbook with a cover sheet ("Info") before the answers: take
        # the one sheet that has the score column, and say so
        having = [w for w in wb.worksheets if score_name in _sheet_header(w, wanted)]
        if not having or ws in having:
            return ws, None
        if len(having) > 1:
            titles = [w.title for w in having]
            _refuse(
                source,
                f"the first sheet {names[0]!r} has no column {score_name!r}; sheets {titles} "
                f"have: choose one with sheet=...",
            )
        return having[0], score_name
    if isinstance(sheet, int) and 0 <= sheet < len(names):
        return wb.worksheets[sheet], None
    if isinstance(sheet, str) and sheet in names:
        return wb[sheet], None
    close = [n for n in names if isinstance(sheet, str) and n.casefold() == sheet.casefold()]
    hint = f"; did you mean {close[0]!r}?" if close else ""
    _refuse(source, f"has no sheet {sheet!r}; sheets: {names}{hint}")


_FORMULA = re.compile(rb"<(?:\w+:)?f[ >/]")


def _has_formulas(data: bytes) -> bool:
    """Whether any worksheet of the .xlsx holds a formula (one scan of its XML)."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        for name in zf.namelist():
            if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                if _FORMULA.search(zf.read(name)):
                    return True
    return False


def _uncomputed_formulas(data: bytes, title: str, header_row, rows, numbers) -> list[str]:
    """Cells (from the header down) holding a formula but no value computed by Excel.

    openpyxl reads the value Excel saved with each formula (``data_only``);
    a file written by a program that does not calculate (a script, some
    exporters) has none, and the cell would be read as a blank answer.  The
    workbook is read a second time with the formulas (``data_only=False``)
    and the two compared.
    """
    from openpyxl import load_workbook
    from openpyxl.utils import get_column_letter

    if header_row is None or not _has_formulas(data):
        return []
    values = dict(zip(numbers, rows, strict=True))
    wb = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    try:
        cells = []
        for i, row in enumerate(wb[title].iter_rows(min_row=header_row, values_only=True)):
            got = values.get(header_row + i, ())
            for j, v in enumerate(row):
                formula = (isinstance(v, str) and v.startswith("=")) or (
                    v is not None
                    and not isinstance(v, str | int | float | bool)
                    and type(v).__name__ in ("ArrayFormula", "DataTableFormula")
                )
                if formula and (j >= len(got) or got[j] is None):
                    cells.append(f"{get_column_letter(j + 1)}{header_row + i}")
    finally:
        wb.close()
    return cells


def _read_excel(
    data: bytes,
    source: str,
    sheet,
    wanted=frozenset(),
    score_name=None,
    text_columns=(),
    header_rows=None,
) -> _Raw:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # zip/xml errors: name the file, not openpyxl's internals
        _refuse(source, f"cannot be read as an Excel .xlsx workbook ({type(exc).__name__}: {exc})")
    try:
        first = wb.sheetnames[0]
        ws, chosen_by = _choose_sheet(wb, source, sheet, wanted, score_name)
        header, header_row, rows, numbers, blank = _sheet_table(ws, wanted, source)
        title = ws.title
        padded = _zero_padded_ids(ws, header, header_row, rows, numbers, text_columns)
    finally:
        wb.close()
    if chosen_by is not None:
        warnings.warn(
            f"{source}: read sheet {title!r}, the only sheet with a {chosen_by!r} column "
            f"(the first sheet is {first!r}); pass sheet= to choose another",
            UserWarning,
            stacklevel=4,
        )
    where = f"{source} [sheet {title!r}]"
    if header is None:
        _refuse(where, "the sheet is empty")
    cells = _uncomputed_formulas(data, title, header_row, [header, *rows], [header_row, *numbers])
    if cells:
        shown = ", ".join(cells[:20]) + (f" and {len(cells) - 20} more" if len(cells) > 20 else "")
        _refuse(
            where,
            f"{len(cells)} cell(s) hold a formula with no computed value: {shown} (the file "
            f"was saved by a program that does not calculate formulas, so these would read "
            f"as blanks); open and save it in Excel or LibreOffice, or export it as CSV",
        )
    layout = resolve([header, *rows[: max(3, header_rows or 0)]], header_rows, where)
    names, repeated = dedupe(layout.names)
    if layout.header_rows > 1:
        rows, numbers = rows[layout.header_rows - 1 :], numbers[layout.header_rows - 1 :]
        padded = {j: v[layout.header_rows - 1 :] for j, v in padded.items()}
    width = len(names)
    rows = [tuple(r[:width]) + (None,) * (width - len(r)) for r in rows]
    frame = pd.DataFrame(rows, columns=names) if rows else pd.DataFrame(columns=names)
    for j, values in padded.items():
        frame[names[j]] = values
    markers = _missing_markers(frame, ",", text_columns)
    info = dict(format="excel", sheet=title, header_row=header_row, skipped_blank_lines=blank)
    info["missing_markers"] = markers
    info.update(_layout_info(layout, names, repeated))
    return _Raw(frame, np.asarray(numbers, dtype=np.int64), "row", where, info)
