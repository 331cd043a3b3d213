"""Load survey files into one canonical frame and validate them at the edge.

``load_survey`` reads CSV (comma, semicolon, tab or pipe delimited; decimal
point or comma; UTF-8 with or without BOM, or cp1252 as written by Finnish
and other Western European Excel), Excel ``.xlsx``, Parquet and SPSS ``.sav``
(needs the optional ``pyreadstat``), renames the file's columns to canonical
names, turns text-labelled or shifted ratings into numbers (``recode``) and
runs ``validate``.

Canonical column names
    ``respondent_id``, ``recommend`` (the 0-10 answer), ``responded_at``,
    ``account_id``, ``weight``, ``comment``, ``email``; segment and driver
    columns keep whatever names you give them.

Every bad value is reported at once in a ``SurveyDataError`` that names the
file, the row and the column of each problem.  Rows are numbered the way you
find them in the file:

* CSV: the physical **line** of the file where the record starts, the header
  being line 1.  Records whose quoted comments span several lines, and blank
  lines (which are skipped, and counted), are accounted for.
* Excel: the sheet **row** number shown by Excel.
* Parquet and SPSS: the 1-based **data row** (record) number.
* ``validate`` on your own DataFrame: the **index** label.

A blank recommend answer is not an error: the row stays in the frame with a
missing score, is left out of NPS by ``summarize`` and counted in
``df.attrs["excluded_blank"]``.  Nothing is dropped without being counted.
"""

from __future__ import annotations

import codecs
import csv
import difflib
import fnmatch
import gzip
import hashlib
import io
import os
import re
import warnings
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd

from ._dates import not_dates, parse_dates

CANONICAL = (
    "respondent_id",
    "recommend",
    "responded_at",
    "account_id",
    "weight",
    "comment",
    "email",
)
# columns kept as text whatever they look like (an id "00123" must not become 123)
TEXT_COLUMNS = ("respondent_id", "account_id", "email", "comment")
FORMATS = {
    ".csv": "csv",
    ".txt": "csv",
    ".tsv": "csv",
    ".xlsx": "excel",
    ".xlsm": "excel",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".sav": "spss",
    ".zsav": "spss",
}
CONFIG_KEYS = (
    "columns",
    "recode",
    "score",
    "required",
    "sheet",
    "encoding",
    "delimiter",
    "decimal",
    "date_format",
)
MAX_SHOWN = 20  # problems written into the message; the rest are counted
MAX_KEPT = 10_000  # problems kept per check in ``.problems`` (all are counted)
# words that usually name the recommend question, used only to suggest a mapping
_SCORE_HINTS = ("recommend", "nps", "ltr", "likely", "likelihood", "rec", "suosit", "empfehl")
# Cells that mean "no answer" in exports (R writes NA, SQL NULL, Excel #N/A).  In
# numeric columns and in the score, weight and date every one of them is a
# blank.  In text columns "NA" and "None" are kept as written: a region "NA"
# is North America, a comment "None" an answer; the others become blanks.
# pandas' own list is not used because it silently blanks those words.
MISSING_MARKERS = ("NA", "N/A", "n/a", "#N/A", "#NA", "NULL", "null", "NaN", "nan", "<NA>", "None")
_TEXT_KEPT = frozenset({"NA", "None"})
HEADER_SEARCH_ROWS = 30  # non-empty rows searched for the header below title rows


# --------------------------------------------------------------------------- errors


class Problem(NamedTuple):
    """One bad value (or a file-level problem when ``row`` is None).

    ``row`` is the line (CSV), sheet row (Excel), data row (Parquet, SPSS) or
    index label (a DataFrame given to ``validate``).
    """

    file: str
    row: object
    column: str | None
    value: object
    reason: str


class SurveyDataError(ValueError):
    """Survey data that cannot be analysed as it is; lists every problem found.

    Attributes
    ----------
    problems : list of ``Problem(file, row, column, value, reason)``, in file
        order (file-level problems first).  At most 10,000 per check are kept.
    n_problems : the number of problems found (may exceed ``len(problems)``).
    row_label : what ``row`` counts: ``"line"`` (CSV), ``"row"`` (Excel),
        ``"data row"`` (Parquet, SPSS) or ``"index"`` (a DataFrame).
    hints : advice on a likely cause (e.g. a 0-10 scale coded 1-11), printed
        under the problems.

    The message names the file, then one problem a line (the first 20) and
    "... and N more".

    >>> err = SurveyDataError([Problem("s.csv", 3, "recommend", "ten", "is not a number")])
    >>> print(err)
    s.csv: 1 problem in the survey data
      s.csv, line 3, column 'recommend': value 'ten' is not a number
    >>> isinstance(err, ValueError)
    True
    """

    def __init__(self, problems, *, n_problems=None, row_label="line", hints=()):
        self.problems = list(problems)
        self.hints = list(hints)
        self.n_problems = len(self.problems) if n_problems is None else int(n_problems)
        self.row_label = row_label
        super().__init__(self._message())

    def __reduce__(self):  # keep the fields when pickled (multiprocessing, papermill)
        return (
            _rebuild_error,
            (self.problems, self.n_problems, self.row_label, self.hints),
        )

    def _message(self) -> str:
        files = list(dict.fromkeys(p.file for p in self.problems)) or ["survey data"]
        n = self.n_problems
        head = f"{', '.join(files)}: {n} problem{'s' if n != 1 else ''} in the survey data"
        shown = self.problems[:MAX_SHOWN]
        lines = [head] + ["  " + self._describe(p) for p in shown]
        if n > len(shown):
            lines.append(f"  ... and {n - len(shown)} more")
        lines += [f"hint: {h}" for h in self.hints]
        return "\n".join(lines)

    def _describe(self, p: Problem) -> str:
        where = [p.file]
        if p.row is not None:
            where.append(f"{self.row_label} {p.row}")
        if p.column is not None:
            where.append(f"column {p.column!r}")
        what = p.reason if p.value is None else f"value {p.value!r} {p.reason}"
        return f"{', '.join(where)}: {what}"


def _rebuild_error(problems, n_problems, row_label, hints):
    return SurveyDataError(problems, n_problems=n_problems, row_label=row_label, hints=hints)


def _py(value):
    """A plain Python value for messages (numpy scalars print as np.float64(...))."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


@dataclass
class _Problems:
    """Collects problems from vectorised checks: masks in, ``Problem`` rows out."""

    source: str
    rows: np.ndarray
    label: str = "line"  # what rows count: line, row, data row, index
    shown: dict = field(default_factory=dict)  # canonical name -> file's name
    items: list = field(default_factory=list)
    hints: list = field(default_factory=list)  # advice printed under the problems
    total: int = 0

    def column(self, name: str) -> str:
        # messages name the column as it is spelled in the file
        return self.shown.get(name, name)

    def add(self, column, reason):
        """A file-level problem (a missing column, a bad mapping)."""
        self.total += 1
        col = None if column is None else self.column(column)
        self.items.append((-1, Problem(self.source, None, col, None, reason)))

    def add_mask(self, mask, column, values, reason):
        """One problem per True in ``mask``; ``reason`` is a str or ``f(position)``.

        ``values`` (a Series) is only touched at the bad positions, so clean
        columns cost one mask test.
        """
        pos = np.flatnonzero(np.asarray(mask, dtype=bool))
        if pos.size == 0:
            return
        self.total += int(pos.size)
        col = self.column(column)
        kept = pos[:MAX_KEPT]
        shown = pd.Series(values).iloc[kept].to_numpy(object)
        for p, value in zip(kept.tolist(), shown, strict=True):
            text = reason if isinstance(reason, str) else reason(p)
            problem = Problem(self.source, _py(self.rows[p]), col, _py(value), text)
            self.items.append((p, problem))

    def raise_if_any(self, row_label):
        if self.total:
            # file-level problems first, then in file order (stable: checks keep their order)
            items = [problem for _, problem in sorted(self.items, key=lambda item: item[0])]
            raise SurveyDataError(
                items, n_problems=self.total, row_label=row_label, hints=self.hints
            )


# ------------------------------------------------------------------- column names


def _suggest(name: str, found) -> list[str]:
    """Up to three column names close to ``name`` (difflib, substrings, NPS hints)."""
    found = [str(c) for c in found]
    folded = {c.casefold(): c for c in found}
    key = str(name).casefold()
    out = [folded[key]] if key in folded else []
    out += [folded[m] for m in difflib.get_close_matches(key, list(folded), n=3, cutoff=0.6)]
    out += [c for c in found if len(c) >= 3 and (key in c.casefold() or c.casefold() in key)]
    if key == "recommend":
        out += [c for c in found if any(h in c.casefold() for h in _SCORE_HINTS)]
    return list(dict.fromkeys(out))[:3]


def _found_and_suggest(name: str, found) -> str:
    found = [str(c) for c in found]
    shown = found if len(found) <= 30 else found[:30] + [f"... ({len(found) - 30} more)"]
    text = f"columns found: {shown}"
    close = _suggest(name, found)
    if close:
        text += f"; did you mean {close[0]!r}"
        text += f" (or {', '.join(map(repr, close[1:]))})?" if len(close) > 1 else "?"
        text += f" Map it with columns={{{close[0]!r}: {name!r}}}"
    return text


# ------------------------------------------------------------------------ config


def _read_yaml(path) -> dict:
    import yaml

    with open(path, encoding="utf-8") as fh:
        data = yaml.safe_load(fh)
    if data is None:
        return {}
    if not isinstance(data, Mapping):
        raise ValueError(f"{path}: expected a mapping of column names, got {type(data).__name__}")
    return dict(data)


def _resolve_config(columns) -> dict:
    """``columns`` as given -> config dict with at least the key "columns"."""
    if columns is None:
        return {"columns": {}}
    if isinstance(columns, str | os.PathLike):
        path = Path(columns)
        if not path.is_file():
            raise FileNotFoundError(f"column mapping file not found: {path}")
        columns = _read_yaml(path)
    if not isinstance(columns, Mapping):
        raise TypeError(
            f"columns must be a dict {{file name: canonical name}} or a YAML file path, "
            f"got {type(columns).__name__}"
        )
    # A plain mapping has only text values; a config has nested parts (columns:, recode:).
    if any(isinstance(v, Mapping | list) for v in columns.values()) or (
        "columns" in columns and columns["columns"] is None
    ):
        unknown = sorted(set(map(str, columns)) - set(CONFIG_KEYS))
        if unknown:
            raise ValueError(
                f"unknown key(s) {unknown} in the survey config; valid keys: {list(CONFIG_KEYS)}"
            )
        config = dict(columns)
        config["columns"] = dict(config.get("columns") or {})
    else:
        config = {"columns": dict(columns)}
    mapping = {}
    for k, v in config["columns"].items():
        if not isinstance(v, str):
            raise TypeError(f"column mapping {k!r}: {v!r} must map to a column name (text)")
        mapping[str(k)] = v
    config["columns"] = mapping
    return config


# ----------------------------------------------------------------------- reading


@dataclass
class _Raw:
    frame: pd.DataFrame
    rows: np.ndarray  # the number of each record as the user finds it in the file
    row_label: str
    source: str
    info: dict


def _source_name(path) -> str:
    if isinstance(path, str | os.PathLike):
        return str(path)
    return str(getattr(path, "name", "<data>"))


def _read_bytes(path) -> bytes:
    if isinstance(path, str | os.PathLike):
        return Path(path).read_bytes()
    data = path.read()
    return data.encode("utf-8") if isinstance(data, str) else bytes(data)


def _format_of(path, fmt) -> str:
    if fmt is not None:
        if fmt not in set(FORMATS.values()):
            raise ValueError(f"unknown format {fmt!r}; valid: {sorted(set(FORMATS.values()))}")
        return fmt
    if not isinstance(path, str | os.PathLike):
        return "csv"  # a buffer
    suffixes = [s.lower() for s in Path(path).suffixes]
    if suffixes and suffixes[-1] == ".gz":
        suffixes = suffixes[:-1]
    suffix = suffixes[-1] if suffixes else ""
    if suffix in (".xls", ".sas7bdat", ".dta"):
        hint = "save it as .xlsx" if suffix == ".xls" else "export it as CSV or Parquet"
        raise ValueError(f"{path}: {suffix} files are not supported; {hint}")
    if suffix not in FORMATS:
        raise ValueError(
            f"{path}: cannot tell the file format from {suffix or 'a missing suffix'!r}; "
            f"supported: {sorted(FORMATS)} (or pass format='csv')"
        )
    return FORMATS[suffix]


def _decode(data: bytes, encoding) -> tuple[str, str]:
    """Bytes -> text: UTF-8 (BOM removed) or, failing that, cp1252 (Finnish Excel)."""
    if encoding is not None:
        return data.decode(encoding), encoding
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:  # 5 byte values cp1252 leaves undefined
        return data.decode("latin-1"), "latin-1"


def _sample_records(text: str, delimiter: str, n: int = 50) -> list[list[str]]:
    reader = csv.reader(io.StringIO(text[:200_000], newline=""), delimiter=delimiter)
    out = []
    try:
        for rec in reader:
            if rec and any(f.strip() for f in rec):
                out.append(rec)
            if len(out) >= n:
                break
    except csv.Error:
        pass
    return out[:-1] if len(out) > 1 and len(text) > 200_000 else out  # last may be cut


def _sniff_delimiter(text: str) -> str:
    """The delimiter that splits the header into the most fields consistently.

    Counting characters fails on headers like "On a scale of 0-10, how ...";
    parsing a sample with each candidate and preferring a consistent field
    count does not.
    """
    best, best_key = ",", (-1.0, 0)
    for delim in (",", ";", "\t", "|"):
        recs = _sample_records(text, delim)
        if not recs or len(recs[0]) < 2:
            continue
        width = len(recs[0])
        body = recs[1:] or recs
        key = (sum(len(r) == width for r in body) / len(body), width)
        if key > best_key:
            best, best_key = delim, key
    return best


_DECIMAL_COMMA = re.compile(r"^[-+]?\d*,\d+$")
_DECIMAL_POINT = re.compile(r"^[-+]?\d*\.\d+$")


def _sniff_decimal(text: str, delimiter: str) -> str:
    if delimiter == ",":
        return "."
    fields = [f.strip() for rec in _sample_records(text, delimiter, 200)[1:] for f in rec]
    commas = sum(bool(_DECIMAL_COMMA.match(f)) for f in fields)
    points = sum(bool(_DECIMAL_POINT.match(f)) for f in fields)
    if commas != points:
        return "," if commas > points else "."
    return "," if delimiter == ";" else "."  # European Excel writes ; with decimal commas


def _header_index(records, wanted) -> int:
    """Which of the first non-empty rows is the header (0 = the first).

    Exports often put a title ("Asiakaskysely 2025", a date) above the table.
    The header is the first row naming a column the caller asked for (the
    score, a mapped or a canonical name); failing that, leading rows with at
    most one filled cell above wider rows are taken as titles.
    """
    names = [{str(c).strip() for c in rec if c is not None and str(c).strip()} for rec in records]
    if not names:
        return 0
    for i, found in enumerate(names):
        if found & wanted:
            return i
    i = 0
    while i < len(names) - 1 and len(names[i]) <= 1 and any(len(n) >= 2 for n in names[i + 1 :]):
        i += 1
    return i


def _csv_header_line(text: str, delimiter: str, wanted) -> int:
    """Physical line (1-based) where the CSV header starts."""
    reader = csv.reader(io.StringIO(text[:200_000], newline=""), delimiter=delimiter)
    records, starts, prev = [], [], 0
    try:
        for rec in reader:
            if rec and any(f.strip() for f in rec):
                records.append(rec)
                starts.append(prev + 1)
            prev = reader.line_num
            if len(records) >= HEADER_SEARCH_ROWS:
                break
    except csv.Error:
        return 1
    return starts[_header_index(records, wanted)] if records else 1


def _segments(data: bytes) -> tuple[np.ndarray, np.ndarray]:
    """Start line and blankness of every newline-separated record (vectorised).

    Hand-written because neither pandas nor csv reports line numbers: with
    RFC 4180 quoting ("" inside a quoted field), a newline ends a record iff
    an even number of quote characters precede it, which numpy answers for
    every newline at once (a csv.reader loop is ~10 times slower).  Works on
    the raw bytes of ASCII-compatible encodings.
    """
    arr = np.frombuffer(data, dtype=np.uint8)
    newlines = np.flatnonzero(arr == 10)
    quotes = np.flatnonzero(arr == 34)
    ends = newlines[np.searchsorted(quotes, newlines) % 2 == 0]  # outside quotes
    starts = np.concatenate(([0], ends + 1))
    length = np.concatenate((ends, [arr.size])) - starts
    first = arr[np.minimum(starts, max(arr.size - 1, 0))] if arr.size else np.zeros(1, np.uint8)
    blank = (length == 0) | ((length == 1) & (first == 13))  # "" or a lone \r
    line = 1 + np.searchsorted(newlines, starts)  # newlines before the start, + 1
    return line.astype(np.int64), blank


def _record_lines_fast(data: bytes) -> tuple[np.ndarray, int]:
    """Line where each data record starts, and blank lines skipped.

    The caller checks the record count against pandas and falls back to
    ``_record_lines`` when a stray quote inside an unquoted field makes them
    disagree.
    """
    line, blank = _segments(data)
    content = np.flatnonzero(~blank)
    if content.size == 0:
        return np.zeros(0, np.int64), 0
    n_blank = int(blank[content[0] :].sum()) - int(blank[-1])  # end-of-file newline: no line
    return line[content[1:]], n_blank


def _record_lines(text: str, delimiter: str) -> tuple[np.ndarray, int] | None:
    """Line where each data record starts, and the number of blank lines skipped.

    The slow but general path (a Python loop over csv.reader, ~1 s per
    million records), used only when ``_record_lines_fast`` disagrees with
    pandas.  Returns None if csv.reader disagrees too.
    """
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    starts, prev, blank = [], 0, 0
    try:
        for rec in reader:
            if not rec or (len(rec) == 1 and not rec[0].strip()):
                blank += reader.line_num - prev  # pandas skips blank lines
            else:
                starts.append(prev + 1)
            prev = reader.line_num
    except csv.Error:  # e.g. a field over csv's size limit
        return None
    return np.asarray(starts[1:], dtype=np.int64), blank


_ASCII_COMPATIBLE = {"utf-8", "cp1252", "latin-1", "iso8859-1", "iso8859-15", "ascii"}


def _read_csv(
    data: bytes, source: str, opts: dict, text_columns, wanted=frozenset(), numeric=()
) -> _Raw:
    if not data.strip():
        raise SurveyDataError([Problem(source, None, None, None, "the file is empty")])
    text, encoding = _decode(data, opts.get("encoding"))
    delimiter = opts.get("delimiter") or _sniff_delimiter(text)
    fast = codecs.lookup(encoding).name in _ASCII_COMPATIBLE
    offset = 0  # physical lines above the header (a title, an export date)
    header_line = _csv_header_line(text, delimiter, wanted)
    if header_line > 1:
        offset = header_line - 1
        text = text.split("\n", offset)[-1]
        if fast:
            data = data.split(b"\n", offset)[-1]
        delimiter = opts.get("delimiter") or _sniff_delimiter(text)
    decimal = opts.get("decimal") or _sniff_decimal(text, delimiter)
    header = next(iter(_sample_records(text, delimiter, 1)), [])
    dtype = {c: "str" for c in header if c.strip() in text_columns}
    # pandas decodes bytes itself faster than it re-reads a Python str
    buffer = io.BytesIO(data) if fast else io.StringIO(text)
    try:
        frame = pd.read_csv(
            buffer,
            sep=delimiter,
            decimal=decimal,
            dtype=dtype,
            encoding=("utf-8-sig" if encoding == "utf-8" else encoding) if fast else None,
            # only empty cells are blanks here; "NA", "NULL", ... are judged
            # per column by _missing_markers (pandas would blank a region "NA")
            keep_default_na=False,
            na_values=[""],
        )
    except pd.errors.EmptyDataError:
        raise SurveyDataError([Problem(source, None, None, None, "the file is empty")]) from None
    except pd.errors.ParserError as exc:
        message = str(exc).strip().replace("\n", " ")
        found = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", message)
        if found:  # pandas counts records (and blank lines), not lines inside quotes
            want, record, saw = map(int, found.groups())
            lines = _segments(data)[0] if fast else None
            line = int(lines[record - 1]) if lines is not None and record <= len(lines) else None
            reason = (
                f"has {saw} fields but the header has {want} "
                f"(delimiter {delimiter!r}; a comment with an unquoted {delimiter!r}?)"
            )
            if line is None:
                line, reason = None, f"record {record} {reason}"
            else:
                line += offset
            raise SurveyDataError([Problem(source, line, None, None, reason)]) from None
        else:
            reason = f"cannot be read as {delimiter!r}-delimited CSV: {message}"
        raise SurveyDataError([Problem(source, None, None, None, reason)]) from None
    n_lines = text.count("\n") + (0 if text.endswith("\n") else 1)
    row_label, blank = "line", 0
    if n_lines == len(frame) + 1:  # one line per record: no quoted newlines, no blank lines
        rows = np.arange(2, len(frame) + 2, dtype=np.int64)
    else:
        found = _record_lines_fast(data) if fast else None
        if found is None or len(found[0]) != len(frame):
            found = _record_lines(text, delimiter)
        if found is not None and len(found[0]) == len(frame):
            rows, blank = found
        else:  # be honest: count records, not lines
            rows, row_label = np.arange(1, len(frame) + 1, dtype=np.int64), "data row"
    if row_label == "line":
        rows = rows + offset
    frame.columns = _dedupe(frame.columns)
    read_encoding = ("utf-8-sig" if encoding == "utf-8" else encoding) if fast else None
    kept_text = _leading_zero_columns(
        frame,
        data if fast else text,
        buffer,
        dict(sep=delimiter, encoding=read_encoding),
        set(text_columns) | set(numeric),
    )
    markers = _missing_markers(frame, decimal, text_columns)
    info = dict(format="csv", encoding=encoding, delimiter=delimiter, decimal=decimal)
    info.update(skipped_blank_lines=int(blank), header_row=header_line)
    info.update(missing_markers=markers, kept_as_text=kept_text)
    return _Raw(frame, rows, row_label, source, info)


_LEADING_ZERO = re.compile(rb"(?:^|[,;\t|\"])[ ]*0\d", re.M)


def _leading_zero_columns(frame, data, buffer, read_kwargs, skip) -> list[str]:
    """Keep whole-number columns with a leading zero ("007", "00100") as text, in place.

    ``skip``: columns already read as text, and the score and weight (numbers
    whatever their zeros).

    A code such as a customer number or a postcode is not a number: reading
    "007" as 7 would lose it and could merge two ids.  One regular-expression
    scan of the file decides whether any column needs a second look.
    """
    raw = data if isinstance(data, bytes) else data.encode("utf-8", "replace")
    if not _LEADING_ZERO.search(raw):
        return []
    candidates = []
    for i, c in enumerate(frame.columns):
        s = frame[c]
        if c in skip or not pd.api.types.is_numeric_dtype(s):
            continue
        if pd.api.types.is_bool_dtype(s):
            continue
        if pd.api.types.is_float_dtype(s) and not (s.dropna() == np.round(s.dropna())).all():
            continue
        candidates.append(i)
    if not candidates:
        return []
    buffer.seek(0)
    again = pd.read_csv(
        buffer, usecols=candidates, dtype=str, keep_default_na=False, na_values=[""], **read_kwargs
    )
    kept = []
    for j, i in enumerate(candidates):
        s = again.iloc[:, j]
        if s.str.match(r"\s*0\d").any():
            name = frame.columns[i]
            frame[name] = s.str.strip().to_numpy()
            kept.append(name)
    return kept


def _missing_markers(frame: pd.DataFrame, decimal: str, text_columns=()) -> dict:
    """Turn export missing markers into blanks, per column, in place; count them.

    A column that is numeric apart from markers ("NA", "NULL", "#N/A", ...)
    becomes numeric.  A text column keeps "NA" and "None" as written and
    blanks the other markers.  Returns ``{column: cells blanked}``.
    """
    counts = {}
    for c in frame.columns:
        s = frame[c]
        if not (pd.api.types.is_string_dtype(s) or pd.api.types.is_object_dtype(s)):
            continue
        if pd.api.types.is_string_dtype(s) and not pd.api.types.is_object_dtype(s):
            text = s  # a text column as the CSV reader gives it: one vectorised test
            is_marker = s.isin(MISSING_MARKERS).to_numpy(dtype=bool, na_value=False)
        else:  # mixed cells (an Excel column of numbers and text)
            text = s.where(s.map(lambda v: isinstance(v, str), na_action="ignore").eq(True))
            text = text.astype("str").str.strip().where(text.notna())
            is_marker = text.isin(MISSING_MARKERS).to_numpy(dtype=bool, na_value=False)
        if not is_marker.any():
            continue
        rest = s[~is_marker]
        nums = rest
        if pd.api.types.is_string_dtype(rest) or pd.api.types.is_object_dtype(rest):
            nums = rest.astype("str").str.strip().where(rest.notna())
            if decimal == ",":
                nums = nums.str.replace(",", ".", regex=False)
        num = pd.to_numeric(nums, errors="coerce")
        numeric = (
            c not in text_columns
            and bool(rest.notna().any())
            and bool((num.notna() | rest.isna()).all())
        )
        if numeric:
            out = np.full(len(s), np.nan)
            out[~is_marker] = num.astype(float).to_numpy()
            frame[c] = out
            counts[str(c)] = int(is_marker.sum())
        else:
            blank = is_marker & ~text.isin(_TEXT_KEPT).to_numpy(dtype=bool, na_value=False)
            if blank.any():
                frame[c] = s.mask(blank)
                counts[str(c)] = int(blank.sum())
    return counts


def _dedupe(names) -> list[str]:
    seen, out = Counter(), []
    for i, name in enumerate(names):
        name = f"Unnamed: {i}" if name is None or not str(name).strip() else str(name).strip()
        out.append(name if not seen[name] else f"{name}.{seen[name]}")
        seen[name] += 1
    return out


def _sheet_table(ws, wanted):
    """(header, header_row, rows, row numbers, blank rows) of one worksheet."""
    records, numbers = [], []
    # openpyxl's read-only reader yields empty rows too, so i is Excel's row number
    for i, row in enumerate(ws.iter_rows(min_row=1, values_only=True), start=1):
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


def _read_excel(
    data: bytes, source: str, sheet, wanted=frozenset(), score_name=None, text_columns=()
) -> _Raw:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # zip/xml errors: name the file, not openpyxl's internals
        reason = f"cannot be read as an Excel .xlsx workbook ({type(exc).__name__}: {exc})"
        raise SurveyDataError([Problem(source, None, None, None, reason)]) from None
    try:
        names = wb.sheetnames
        chosen_by = None
        if sheet is None:
            ws = wb.worksheets[0]
            if score_name is not None and len(names) > 1:
                # a workbook with a cover sheet ("Info") before the answers: take
                # the one sheet that has the score column, and say so
                having = [w for w in wb.worksheets if score_name in _sheet_header(w, wanted)]
                if having and ws not in having:
                    if len(having) > 1:
                        titles = [w.title for w in having]
                        raise SurveyDataError(
                            [
                                Problem(
                                    source,
                                    None,
                                    None,
                                    None,
                                    f"the first sheet {names[0]!r} has no column "
                                    f"{score_name!r}; sheets {titles} have: choose one with "
                                    f"sheet=...",
                                )
                            ]
                        )
                    ws, chosen_by = having[0], score_name
        elif isinstance(sheet, int) and 0 <= sheet < len(names):
            ws = wb.worksheets[sheet]
        elif isinstance(sheet, str) and sheet in names:
            ws = wb[sheet]
        else:
            close = [
                n for n in names if isinstance(sheet, str) and n.casefold() == sheet.casefold()
            ]
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise SurveyDataError(
                [
                    Problem(
                        source, None, None, None, f"has no sheet {sheet!r}; sheets: {names}{hint}"
                    )
                ]
            )
        header, header_row, rows, numbers, blank = _sheet_table(ws, wanted)
        title = ws.title
        padded = _zero_padded_ids(ws, header, header_row, rows, numbers, text_columns)
    finally:
        wb.close()
    if chosen_by is not None:
        warnings.warn(
            f"{source}: read sheet {title!r}, the only sheet with a {chosen_by!r} column "
            f"(the first sheet is {names[0]!r}); pass sheet= to choose another",
            UserWarning,
            stacklevel=4,
        )
    where = f"{source} [sheet {title!r}]"
    if header is None:
        raise SurveyDataError([Problem(where, None, None, None, "the sheet is empty")])
    names = _dedupe(header)
    frame = pd.DataFrame(rows, columns=names) if rows else pd.DataFrame(columns=names)
    for j, values in padded.items():
        frame[names[j]] = values
    markers = _missing_markers(frame, ",", text_columns)
    info = dict(format="excel", sheet=title, header_row=header_row, skipped_blank_lines=blank)
    info["missing_markers"] = markers
    return _Raw(frame, np.asarray(numbers, dtype=np.int64), "row", where, info)


def _read_parquet(data: bytes, source: str) -> _Raw:
    try:
        frame = pd.read_parquet(io.BytesIO(data))
    except Exception as exc:  # pyarrow errors: name the file
        reason = f"cannot be read as Parquet ({type(exc).__name__}: {exc})"
        raise SurveyDataError([Problem(source, None, None, None, reason)]) from None
    frame = frame.reset_index(drop=True)
    rows = np.arange(1, len(frame) + 1, dtype=np.int64)
    return _Raw(frame, rows, "data row", source, dict(format="parquet", skipped_blank_lines=0))


def _read_spss(path, source: str, score_names) -> _Raw:
    try:
        import pyreadstat
    except ImportError:
        raise ImportError(
            "reading SPSS .sav files needs pyreadstat, an optional extra: "
            "pip install 'nps-toolkit[spss]' (or export the file as CSV)"
        ) from None
    if not isinstance(path, str | os.PathLike):
        raise TypeError("SPSS files must be given as a path, not a buffer")
    # user-defined missing values (e.g. 99 = "don't know") are read as blanks
    frame, meta = pyreadstat.read_sav(str(path), apply_value_formats=False, user_missing=False)
    labels = {k: dict(v) for k, v in meta.variable_value_labels.items()}
    for col, mapping in labels.items():
        # label a column only when every answer has a label (segments such as
        # region); the score and partly labelled rating scales keep their codes
        if col in score_names or col not in frame:
            continue
        values = frame[col].dropna()
        if len(values) and values.isin(list(mapping)).all():
            frame[col] = frame[col].map(mapping).astype("str").where(frame[col].notna())
    rows = np.arange(1, len(frame) + 1, dtype=np.int64)
    info = dict(format="spss", skipped_blank_lines=0, value_labels=labels)
    info["column_labels"] = dict(zip(meta.column_names, meta.column_labels, strict=False))
    return _Raw(frame, rows, "data row", source, info)


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


def _check(
    df: pd.DataFrame,
    problems: _Problems,
    originals: dict,
    *,
    score,
    required,
    weight,
    id_column,
    date,
    date_format,
) -> pd.DataFrame:
    """Run every check (vectorised), convert the canonical columns, return the frame."""
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

    def raw(col):
        return originals.get(col, df[col])

    def reason(col, what, num):
        if col not in originals:
            return what
        return lambda p: f"(recoded to {_py(num[p])!r}) {what}"

    if score in df.columns:
        num, not_number, blank = _to_number(df[score])
        finite = ~np.isnan(num)
        outside = finite & ((num < 0) | (num > 10))
        fraction = finite & ~outside & (num != np.round(num))
        problems.add_mask(not_number, score, raw(score), "is not a number (0-10 expected)")
        whole = num[finite]
        if outside.any() and whole.min() == 1 and whole.max() == 11:
            name = problems.column(score)
            problems.hints.append(
                f"column {name!r} runs from 1 to 11: if the 0-10 answers were coded 1-11, "
                f"shift them with recode={{{name!r}: -1}}"
            )
        problems.add_mask(outside, score, raw(score), reason(score, "is outside 0-10", num))
        problems.add_mask(
            fraction, score, raw(score), reason(score, "is not a whole number 0-10", num)
        )
        df[score] = num
    if weight and weight in df.columns:
        s = df[weight]
        num, not_number, blank = _to_number(s)
        problems.add_mask(not_number, weight, raw(weight), "is not a number (weights must be >= 0)")
        problems.add_mask(blank, weight, raw(weight), "is blank (every row needs a weight)")
        problems.add_mask(num < 0, weight, raw(weight), "is negative (weights must be >= 0)")
        problems.add_mask(np.isinf(num), weight, raw(weight), "is not a finite number")
        df[weight] = num
    if id_column and id_column in df.columns:
        ids = _as_text(df[id_column], strip=True)
        # is_unique first: one hash pass for the usual clean file
        dup = None if ids.dropna().is_unique else ids.duplicated(keep="first") & ids.notna()
        if dup is not None:
            rows = pd.Series(problems.rows, index=ids.index)
            first = rows.groupby(ids, dropna=True).transform("first").to_numpy()
            problems.add_mask(
                dup.to_numpy(),
                id_column,
                ids,
                lambda p: f"is a duplicate respondent id (first on {problems.label} {first[p]})",
            )
        df[id_column] = ids
    for col in TEXT_COLUMNS:
        if col in df.columns and col != id_column:
            # ids and addresses: "A1 " is "A1"; comments keep what was written
            df[col] = _as_text(df[col], strip=col != "comment")
    if "email" in df.columns:  # "NA", "None", "NULL" are not addresses (follow-up lists)
        df["email"] = df["email"].mask(df["email"].isin(MISSING_MARKERS).to_numpy(dtype=bool))
    if date and date in df.columns:
        values = df[date]
        if pd.api.types.is_string_dtype(values) or pd.api.types.is_object_dtype(values):
            marker = values.map(lambda v: isinstance(v, str) and v.strip() in MISSING_MARKERS)
            values = values.mask(marker.eq(True).to_numpy(bool))
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            parsed = parse_dates(values, date_format=date_format, column=problems.column(date))
        for w in caught:  # the file's name in front of the reader's warnings
            warnings.warn(f"{problems.source}: {w.message}", w.category, stacklevel=4)
        reason = "is not a date" + (f" in the format {date_format!r}" if date_format else "")
        problems.add_mask(not_dates(values, parsed), date, raw(date), reason)
        df[date] = parsed
    return df


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


# -------------------------------------------------------------------------- load


def load_survey(
    path,
    columns=None,
    *,
    score: str | None = None,
    sheet=None,
    encoding: str | None = None,
    delimiter: str | None = None,
    decimal: str | None = None,
    recode: Mapping | None = None,
    required=None,
    format: str | None = None,
    date_format: str | None = None,
) -> pd.DataFrame:
    """Read a survey file into canonical columns, validated.

    Parameters
    ----------
    path : ``.csv`` (also ``.txt``, ``.tsv``, and ``.gz`` compressed), ``.xlsx``,
        ``.parquet`` or ``.sav`` file, or a text/bytes buffer read as CSV.
    columns : dict mapping the file's column names to canonical names
        (``{"REC": "recommend", "Account": "account_id"}``); columns not named
        keep their names.  Or the path of a YAML file holding that mapping, or
        holding a whole survey config with the keys ``columns``, ``recode``,
        ``score``, ``required``, ``sheet``, ``encoding``, ``delimiter``,
        ``decimal`` and ``date_format`` (arguments given here
        win over the file)::

            columns:
              nps_value: recommend
              respondent_id: respondent_id
              nps_com: comment
            recode:
              "ratings_*": {Very bad: 1, Bad: 2, Ok: 3, Good: 4, Very good: 5}

        (Quote column names YAML would read as something else: ``"yes"``,
        ``"no"``, ``"on"``, ``"null"`` or numbers.)

    score : canonical name of the 0-10 column (default ``"recommend"``).
    sheet : Excel sheet name or 0-based position (default: the first sheet).
    encoding : text encoding of a CSV; default: UTF-8 (with or without BOM),
        falling back to cp1252, the encoding of Finnish/Western Excel exports.
    delimiter, decimal : CSV delimiter and decimal mark; default: detected
        (comma, semicolon, tab or pipe; a semicolon file with decimal commas
        is the usual European Excel export).
    recode : turn answers into numbers, per column.  Keys are column names
        (canonical or the file's; glob patterns such as ``"ratings_*"`` match
        several), values are either

        * a dict ``{label: value}`` for text-labelled ratings; labels match
          ignoring case and surrounding spaces, blanks stay blank, and any
          other answer is an error naming its row; or
        * a number added to every answer: ``{"recommend": -1}`` turns a
          score coded 1-11 (1 = "0 - not at all likely") into 0-10.
    required : more canonical columns that must exist, e.g. ``["account_id"]``.
    format : "csv", "excel", "parquet" or "spss" when the suffix does not tell.
    date_format : how to read ``responded_at``, in ``strftime`` codes (e.g.
        ``"%m/%d/%Y"`` for a US export); a time after the date is allowed.
        Default: ISO 8601 as ISO, ``d.m.y`` (23.11.2026) and ``d/m/y``
        day-first, the European convention.  A ``d/m/y`` column is read
        month-first only when its values prove it (a middle number above 12,
        no first number above 12); when every value could be either, it is
        read day-first with a warning naming the file and the column.

    Returns
    -------
    DataFrame, one row per record in the file (blank lines and empty sheet
    rows are skipped and counted), with ``recommend`` as float (NaN = blank
    answer), ``weight`` float, ids, e-mail and comments as text and
    ``responded_at`` as datetime.  ``df.attrs`` holds the provenance and
    counts: ``source``, ``sha256`` (of the file's bytes), ``format``,
    ``n_rows``, ``n_answered``, ``excluded_blank`` (blank answers, left out
    of NPS), ``skipped_blank_lines``, ``columns`` (the mapping used),
    ``row_label``, ``dropped_empty_columns`` (unnamed, entirely empty columns
    such as the trailing ``;;;`` of Excel exports), ``header_row`` (the line or
    sheet row of the header: title rows above it are skipped),
    ``missing_markers`` (cells such as "NULL", "#N/A", "N/A" read as blanks,
    per column; text columns keep "NA" and "None" as written, numeric columns
    and the score, weight and date read them as blanks too) and, for CSV,
    ``kept_as_text`` (columns of whole numbers with a leading zero, such as
    customer numbers "00123" or postcodes, kept as text), ``encoding``,
    ``delimiter``, ``decimal``; for Excel ``sheet`` (when ``sheet`` is not
    given and the first sheet has no score column, the one sheet that has
    it is read, with a warning; several such sheets are an error); for
    SPSS ``column_labels`` (the question texts) and ``value_labels``.
    Excel id columns typed as numbers keep the leading zeros their cell
    format shows (7 in a "000" cell is "007").  SPSS
    value labels are applied to columns where every answer has a label (such
    as region), never to the score; user-missing codes are read as blanks.

    Raises
    ------
    SurveyDataError
        (a ``ValueError``) listing every bad value with its file, row and
        column; see ``validate`` for the checks.

    Examples
    --------
    A Finnish Excel export: semicolons, decimal commas, a blank answer.

    >>> import io
    >>> text = "id;suosittelu;paino\\n1;10;1,5\\n2;;0,5\\n3;6;1,0\\n"
    >>> df = load_survey(io.StringIO(text),
    ...                  columns={"id": "respondent_id", "suosittelu": "recommend",
    ...                           "paino": "weight"})
    >>> df["recommend"].tolist(), df["weight"].tolist()
    ([10.0, nan, 6.0], [1.5, 0.5, 1.0])
    >>> df.attrs["n_rows"], df.attrs["excluded_blank"], df.attrs["delimiter"]
    (3, 1, ';')

    Text-labelled ratings and a 1-11 coded score:

    >>> text = "nps,service\\n11,Very good\\n1,bad\\n"
    >>> df = load_survey(io.StringIO(text), columns={"nps": "recommend"},
    ...                  recode={"recommend": -1,
    ...                          "service": {"Very bad": 1, "Bad": 2, "Very good": 5}})
    >>> df[["recommend", "service"]].values.tolist()
    [[10.0, 5.0], [0.0, 2.0]]

    Errors name the line in the file (the header is line 1):

    >>> try:
    ...     load_survey(io.StringIO("recommend\\n10\\nten\\n"))
    ... except SurveyDataError as err:
    ...     print(err)
    <data>: 1 problem in the survey data
      <data>, line 3, column 'recommend': value 'ten' is not a number (0-10 expected)
    """
    config = _resolve_config(columns)
    explicit = dict(
        score=score,
        sheet=sheet,
        encoding=encoding,
        delimiter=delimiter,
        decimal=decimal,
        recode=recode,
        required=required,
        date_format=date_format,
    )
    opts = {k: v for k, v in config.items() if k != "columns"}
    opts.update({k: v for k, v in explicit.items() if v is not None})
    mapping = config["columns"]
    score = opts.get("score") or "recommend"
    source = _source_name(path)
    fmt = _format_of(path, format)

    reverse = {v: k for k, v in mapping.items()}
    text_columns = {reverse.get(c, c) for c in TEXT_COLUMNS}
    # names that identify the header row below any title rows
    wanted = frozenset(mapping) | {reverse.get(score, score)} | set(CANONICAL)
    stored = _read_bytes(path)  # the bytes the SHA-256 is taken of (compressed if .gz)
    data = stored
    if isinstance(path, str | os.PathLike) and str(path).lower().endswith(".gz"):
        data = gzip.decompress(stored)
    if fmt == "spss":
        raw = _read_spss(path, source, {score, reverse.get(score, score)})
    else:
        if fmt == "csv":
            numeric = {reverse.get(score, score), reverse.get("weight", "weight")}
            raw = _read_csv(data, source, opts, text_columns, wanted, numeric)
        elif fmt == "excel":
            raw = _read_excel(
                data, source, opts.get("sheet"), wanted, reverse.get(score, score), text_columns
            )
        else:
            raw = _read_parquet(data, source)

    frame = raw.frame
    frame.columns = _dedupe(frame.columns)
    # trailing ";;;" in Excel exports make empty unnamed columns: not data
    empty = [c for c in frame.columns if c.startswith("Unnamed: ") and frame[c].isna().all()]
    frame = frame.drop(columns=empty)

    problems = _Problems(raw.source, raw.rows, raw.row_label)
    # ---- column mapping
    for name, n in Counter(mapping.values()).items():
        if n > 1:
            dupes = [k for k, v in mapping.items() if v == name]
            problems.add(None, f"the column mapping sends {dupes} all to {name!r}")
    for file_name, canon in mapping.items():
        if file_name not in frame.columns:
            problems.add(
                None,
                f"column {file_name!r} (mapped to {canon!r}) is not in the file; "
                + _found_and_suggest(file_name, frame.columns),
            )
        elif canon in frame.columns and canon not in mapping and canon != file_name:
            problems.add(
                None,
                f"mapping {file_name!r} to {canon!r} would hide the file's own column {canon!r}; "
                f"map that one to another name too",
            )
    if problems.total:
        problems.raise_if_any(raw.row_label)
    frame = frame.rename(columns=mapping)
    problems.shown = {canon: name for name, canon in mapping.items()}

    originals: dict = {}
    if opts.get("recode"):
        _recode(frame, opts["recode"], problems, originals)
    required = opts.get("required") or []
    if isinstance(required, str):
        required = [required]
    df = _validate(
        frame,
        problems,
        originals,
        score=score,
        required=list(required),
        weight="weight",
        id_column="respondent_id",
        date="responded_at",
        date_format=opts.get("date_format"),
    )
    problems.raise_if_any(raw.row_label)
    df.attrs.update(
        source=source,
        sha256=hashlib.sha256(stored).hexdigest(),
        row_label=raw.row_label,
        columns=dict(mapping),
        dropped_empty_columns=empty,
        **{k: v for k, v in raw.info.items() if k not in ("value_labels", "column_labels")},
    )
    if "value_labels" in raw.info:
        df.attrs["value_labels"] = raw.info["value_labels"]
        df.attrs["column_labels"] = raw.info["column_labels"]
    return df
