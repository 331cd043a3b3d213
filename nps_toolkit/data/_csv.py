"""Reading CSV: encodings, delimiters, decimal marks, title lines and line numbers."""

from __future__ import annotations

import codecs
import csv
import io
import re

import numpy as np
import pandas as pd

from ._common import (
    HEADER_SEARCH_ROWS,
    MAX_KEPT,
    Problem,
    SurveyDataError,
    _dedupe,
    _header_index,
    _missing_markers,
    _Raw,
)
from ._layouts import dedupe, resolve


def _decode(data: bytes, encoding) -> tuple[str, str]:
    """Bytes -> text: UTF-16/32 by their BOM (or UTF-16 by its zero bytes), UTF-8
    (BOM removed) or, failing that, cp1252 (Finnish Excel)."""
    if encoding is not None:
        return data.decode(encoding), encoding
    for bom, name in (
        (codecs.BOM_UTF32_LE, "utf-32"),  # before UTF-16: its BOM starts the same way
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            return data.decode(name), name
    head = data[:2000]
    # UTF-16 without a BOM ("Unicode text" from Excel, PowerShell): every other byte is 0
    if len(head) >= 4 and head[1::2].count(0) > 0.4 * len(head[1::2]) and not head[::2].count(0):
        return data.decode("utf-16-le"), "utf-16-le"
    if len(head) >= 4 and head[::2].count(0) > 0.4 * len(head[::2]) and not head[1::2].count(0):
        return data.decode("utf-16-be"), "utf-16-be"
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:  # 5 byte values cp1252 leaves undefined
        return data.decode("latin-1"), "latin-1"


_NON_ASCII_LINE = re.compile(rb"[^\n]*[\x80-\xff][^\n]*")


def _refuse_mixed_encodings(data: bytes, source: str) -> None:
    """A file whose lines are partly UTF-8 and partly not (two files pasted together).

    Read as cp1252, its UTF-8 lines would turn "Etelä" into "EtelÃ¤"; read as
    UTF-8, the others fail.  Neither reading is right, so the file is refused,
    naming a line of each.
    """
    utf8 = other = None
    for match in _NON_ASCII_LINE.finditer(data):
        try:
            match.group().decode("utf-8")
            utf8 = utf8 or match
        except UnicodeDecodeError:
            other = other or match
        if utf8 is not None and other is not None:
            break
    if utf8 is None or other is None:
        return

    def line(m):
        return data.count(b"\n", 0, m.start()) + 1

    reason = (
        f"mixes two text encodings: line {line(utf8)} is UTF-8 "
        f"({utf8.group().decode('utf-8').strip()[:40]!r}) but line {line(other)} is not "
        f"(cp1252 reads it as {other.group().decode('cp1252', 'replace').strip()[:40]!r}); "
        "save the file again in one encoding (UTF-8), or pass encoding= to read it as one"
    )
    raise SurveyDataError([Problem(source, None, None, None, reason)])


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


def _bare_cr_lines(data: bytes) -> list[int]:
    """Lines holding a carriage return that is neither a line end nor quoted.

    pandas (and Excel) end a record at a lone CR, so a CR pasted into an
    unquoted comment would split one respondent into two.  Files whose lines
    all end in CR alone (classic Mac) are read as such and not checked.
    """
    arr = np.frombuffer(data, dtype=np.uint8)
    newlines = np.flatnonzero(arr == 10)
    if newlines.size == 0:
        return []
    cr = np.flatnonzero(arr == 13)
    cr = cr[cr + 1 < arr.size]
    cr = cr[arr[cr + 1] != 10]
    if cr.size == 0:
        return []
    quotes = np.flatnonzero(arr == 34)
    cr = cr[np.searchsorted(quotes, cr) % 2 == 0]
    return sorted(set((1 + np.searchsorted(newlines, cr)).tolist()))


def _field_counts_fast(data: bytes, delimiter: str) -> tuple[np.ndarray, np.ndarray]:
    """(start line, number of fields) of every non-blank record, vectorised.

    The same RFC 4180 quote parity as ``_segments``: a delimiter outside
    quotes separates fields, a newline outside quotes ends a record.
    """
    arr = np.frombuffer(data, dtype=np.uint8)
    line, blank = _segments(data)
    newlines = np.flatnonzero(arr == 10)
    quotes = np.flatnonzero(arr == 34)
    ends = newlines[np.searchsorted(quotes, newlines) % 2 == 0]
    starts = np.concatenate(([0], ends + 1))
    delims = np.flatnonzero(arr == ord(delimiter))
    delims = delims[np.searchsorted(quotes, delims) % 2 == 0]
    fields = np.bincount(np.searchsorted(starts, delims, "right") - 1, minlength=starts.size) + 1
    # a line of spaces is a blank line to pandas too
    for i in np.flatnonzero((fields == 1) & ~blank):
        stop = ends[i] if i < ends.size else arr.size
        blank[i] = not data[starts[i] : stop].strip()
    return line[~blank], fields[~blank]


def _field_counts(text: str, delimiter: str) -> tuple[np.ndarray, np.ndarray] | None:
    """``_field_counts_fast`` by csv.reader: exact with stray quotes, ~10 times slower."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    lines, fields, prev = [], [], 0
    try:
        for rec in reader:
            if rec and any(f.strip() for f in rec) or len(rec) > 1:
                lines.append(prev + 1)
                fields.append(len(rec))
            prev = reader.line_num
    except csv.Error:
        return None
    return np.asarray(lines, dtype=np.int64), np.asarray(fields, dtype=np.int64)


def _shape_problems(data: bytes, text: str, delimiter: str, offset: int, source: str) -> list:
    """Bare CRs in unquoted fields and records with more or fewer fields than the header.

    pandas pads a short record with blanks and reads a header one field
    short as an index column: both would put answers under the wrong
    column without a word, so both are refused, naming each line.
    """
    cr = _bare_cr_lines(data)
    if cr:
        reason = (
            "holds a carriage return (CR) inside an unquoted field, which would split "
            "this record in two; put the field in quotes or remove the CR"
        )
        return [Problem(source, line + offset, None, None, reason) for line in cr]
    lines, fields = _field_counts_fast(data, delimiter)
    if fields.size and (fields[1:] != fields[0]).any():
        # confirm with csv.reader: a stray quote in an unquoted field breaks the parity count
        exact = _field_counts(text, delimiter)
        if exact is not None:
            lines, fields = exact
    if fields.size == 0:
        return []
    width = int(fields[0])
    out = []
    for i in np.flatnonzero(fields[1:] != width)[:MAX_KEPT] + 1:
        n = int(fields[i])
        why = (
            f"(delimiter {delimiter!r}; a comment with an unquoted {delimiter!r}?)"
            if n > width
            else "(a missing delimiter, or a record cut short?)"
        )
        reason = f"has {n} field{'s' if n != 1 else ''} but the header has {width} {why}"
        out.append(Problem(source, int(lines[i]) + offset, None, None, reason))
    return out


_ASCII_COMPATIBLE = {"utf-8", "cp1252", "latin-1", "iso8859-1", "iso8859-15", "ascii"}


def _parser_error(exc, data: bytes | None, delimiter: str, offset: int, source: str):
    """pandas' ParserError as a SurveyDataError naming the physical line."""
    message = str(exc).strip().replace("\n", " ")
    found = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", message)
    if not found:
        reason = f"cannot be read as {delimiter!r}-delimited CSV: {message}"
        return SurveyDataError([Problem(source, None, None, None, reason)])
    # pandas counts records (and blank lines), not lines inside quotes
    want, record, saw = map(int, found.groups())
    lines = _segments(data)[0] if data is not None else None
    line = int(lines[record - 1]) + offset if lines is not None and record <= len(lines) else None
    reason = (
        f"has {saw} fields but the header has {want} "
        f"(delimiter {delimiter!r}; a comment with an unquoted {delimiter!r}?)"
    )
    if line is None:
        reason = f"record {record} {reason}"
    return SurveyDataError([Problem(source, line, None, None, reason)])


def _record_numbers(data: bytes | None, text: str, delimiter: str, n: int):
    """(line of each of the ``n`` records, "line" or "data row", blank lines skipped)."""
    n_lines = text.count("\n") + (0 if text.endswith("\n") else 1)
    if n_lines == n + 1:  # one line per record: no quoted newlines, no blank lines
        return np.arange(2, n + 2, dtype=np.int64), "line", 0
    found = _record_lines_fast(data) if data is not None else None
    if found is None or len(found[0]) != n:
        found = _record_lines(text, delimiter)
    if found is not None and len(found[0]) == n:
        return found[0], "line", found[1]
    return np.arange(1, n + 1, dtype=np.int64), "data row", 0  # be honest: count records


def _read_csv(
    data: bytes, source: str, opts: dict, text_columns, wanted=frozenset(), numeric=()
) -> _Raw:
    if not data.strip():
        raise SurveyDataError([Problem(source, None, None, None, "the file is empty")])
    text, encoding = _decode(data, opts.get("encoding"))
    if encoding in ("cp1252", "latin-1") and opts.get("encoding") is None:
        _refuse_mixed_encodings(data, source)
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
    first = _sample_records(text, delimiter, max(4, (opts.get("header_rows") or 0) + 1))
    layout = resolve(first, opts.get("header_rows"), source)
    header, repeated = dedupe(layout.names)
    if layout.header_rows > 1 or repeated:
        # the header rows become one line of unique names; line numbers stay the file's
        consumed = _lines_of_records(text, delimiter, layout.header_rows)
        line = io.StringIO()
        csv.writer(line, delimiter=delimiter, lineterminator="\n").writerow(header)
        text = line.getvalue() + _after_lines(text, "\n", consumed)
        if fast:
            data = line.getvalue().encode(encoding) + _after_lines(data, b"\n", consumed)
        offset += consumed - 1
    decimal = opts.get("decimal") or _sniff_decimal(text, delimiter)
    shape = _shape_problems(data if fast else text.encode("utf-8"), text, delimiter, offset, source)
    if shape:
        raise SurveyDataError(shape, n_problems=len(shape), row_label="line")
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
        raise _parser_error(exc, data if fast else None, delimiter, offset, source) from None
    rows, row_label, blank = _record_numbers(data if fast else None, text, delimiter, len(frame))
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
    info.update(_layout_info(layout, header, repeated))
    return _Raw(frame, rows, row_label, source, info)


def _layout_info(layout, names, repeated) -> dict:
    """What the loader records of the layout (``df.attrs``) and passes on to the checks."""
    return dict(
        layout=layout.name,
        header_rows=layout.header_rows,
        column_labels=layout.labels(names),
        repeated_names=repeated,
        _layout=layout,
    )


def _lines_of_records(text: str, delimiter: str, n: int) -> int:
    """Physical lines taken by the first ``n`` non-blank records (quoted newlines count)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    seen = 0
    for rec in reader:
        if rec and any(f.strip() for f in rec):
            seen += 1
            if seen == n:
                break
    return reader.line_num


def _after_lines(text, newline, n: int):
    """``text`` without its first ``n`` lines (empty when it has no more)."""
    parts = text.split(newline, n)
    return parts[n] if len(parts) > n else text[:0]


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
