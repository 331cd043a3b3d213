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

import contextlib
import hashlib
import os
import shlex
import warnings
from collections import Counter
from collections.abc import Mapping

import pandas as pd

from .._redact import visible
from ._common import (
    CANONICAL,
    CONFIG_KEYS,
    FORMATS,
    MISSING_MARKERS,
    TEXT_COLUMNS,
    Problem,
    SurveyDataError,
    _dedupe,
    _found_and_suggest,
    _Problems,
    blank_cells,
    second_header_row,
)
from ._config import _resolve_config
from ._csv import _read_csv
from ._excel import _read_excel
from ._files import _file_bytes, _format_of, _source_name
from ._inspect import describe
from ._other import _read_parquet, _read_spss
from ._score import comment_candidates, score_candidates
from ._validate import _recode, _validate, validate

# the public home of the error and its rows (tracebacks and reprs say nps_toolkit.data)
Problem.__module__ = SurveyDataError.__module__ = validate.__module__ = __name__

__all__ = [
    "CANONICAL",
    "CONFIG_KEYS",
    "FORMATS",
    "MISSING_MARKERS",
    "Problem",
    "SurveyDataError",
    "TEXT_COLUMNS",
    "inspect_survey",
    "load_survey",
    "read_table",
    "validate",
]


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
    header_rows: int | None = None,
    na_values=None,
    scale: str | None = None,
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
    header_rows : how many rows the header takes.  Default: detected.  The
        exports of Qualtrics (three rows, or two in the legacy layout),
        SurveyMonkey (two rows, names filled forward), KoBoToolbox (the
        ``#hashtag`` row), Google and Microsoft Forms, Typeform, Formbricks,
        ODK and LimeSurvey are recognised (``attrs["layout"]``); another table
        whose first data row looks like a second header row is refused unless
        ``header_rows`` says so (its first row names the columns, the rows
        below are kept as question texts).
    na_values : answers read as blanks besides empty cells and the usual
        markers, e.g. ``["Don't know", 99]``; counted per column in
        ``attrs["na_values_blanked"]``.
    scale : ``"0-10"`` to say the score really is 0-10.  Otherwise a score
        whose answers (20 or more) only span 1-5 or 1-7 is refused, and one
        spanning 1-10 with no 0 and five 1s or more is warned about: NPS of a
        shorter scale is wrong.
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
    SPSS ``value_labels``.  Always: ``layout`` (the platform recognised, or
    None), ``header_rows``, ``column_labels`` (question texts by column, from
    the export's header rows or SPSS labels; a column renamed from a question
    keeps it), ``repeated_names`` (a name the file repeats: read as ``name``,
    ``name.2``, ... and refused only where the survey uses it),
    ``platform_columns`` (the platform's id, answer-time and "why" columns
    copied to ``respondent_id``, ``responded_at`` and ``comment``),
    ``score_found`` (with no ``score`` and no ``recommend`` column, the one
    column that is the likelihood-to-recommend question, and why; several
    candidates are an error listing them) and ``load_warnings`` (the
    warnings given while loading, for the report's appendix).
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
    with warnings.catch_warnings(record=True) as caught, _point_to_inspect(path):
        warnings.simplefilter("always")
        df = _load(
            path,
            columns,
            dict(
                score=score,
                sheet=sheet,
                encoding=encoding,
                delimiter=delimiter,
                decimal=decimal,
                recode=recode,
                required=required,
                date_format=date_format,
                header_rows=header_rows,
                na_values=na_values,
                scale=scale,
            ),
            format,
        )
    for w in caught:  # shown as usual, and kept with the data for the report's appendix
        warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    df.attrs["load_warnings"] = [str(w.message) for w in caught]
    return df


# problems that ``nps-toolkit inspect`` shows the way out of (columns, header, score, scale)
_INSPECT_HELPS = (
    "required column is missing",
    "second header row",
    "could be the 0-10",
    "is the name of",
    "is not in the file",
    "likely a 1-",
)


@contextlib.contextmanager
def _point_to_inspect(path):
    """A ``SurveyDataError`` about a file's columns or layout ends with the command that
    shows how the file is read."""
    try:
        yield
    except SurveyDataError as exc:
        # a bad value names its line; a column, header or layout problem is where inspect helps
        helps = any(any(m in p.reason for m in _INSPECT_HELPS) for p in exc.problems)
        if not isinstance(path, str | os.PathLike) or not helps:
            raise
        hint = f"nps-toolkit inspect {shlex.quote(str(path))} shows how the file is read"
        raise SurveyDataError(
            exc.problems,
            n_problems=exc.n_problems,
            row_label=exc.row_label,
            hints=[*exc.hints, hint],
        ) from None


def read_table(path, columns=None, **options) -> pd.DataFrame:
    """A file's table as ``load_survey`` reads it, with no score column needed.

    For a sheet that is not a survey export, such as comments coded by hand
    (``nps-toolkit themes learn``): the format, encoding, delimiter, header
    row and platform layout are found as ``load_survey`` finds them and the
    columns are renamed by ``columns`` (checked as there), but no answer is
    checked or converted.  ``options`` are ``load_survey``'s reading options
    (``sheet``, ``encoding``, ``delimiter``, ``format``, ``header_rows``).
    ``attrs["source"]`` names the file and ``attrs["rows"]`` holds each row's
    number in it (``attrs["row_label"]``: "line" in a CSV, "row" in a sheet).
    """
    raw, frame, _, mapping, _ = _table(path, columns, options, options.get("format"))
    problems = _Problems(raw.source, raw.rows, raw.row_label)
    _check_mapping(frame, mapping, problems)
    problems.raise_if_any(raw.row_label)
    frame = frame.rename(columns=mapping)
    frame.attrs.update(source=raw.source, row_label=raw.row_label, rows=list(raw.rows))
    return frame


def _table(path, columns, explicit: dict, format):
    """(raw, frame with unique names and no empty unnamed columns, options, mapping, bytes)."""
    config = _resolve_config(columns)
    opts = {k: v for k, v in config.items() if k != "columns"}
    opts.update({k: v for k, v in explicit.items() if v is not None})
    _check_options(opts)
    mapping = config["columns"]
    source = _source_name(path)
    fmt = _format_of(path, format)
    # the bytes the SHA-256 is taken of (compressed if .gz), and the bytes read
    stored, data = _file_bytes(path, source)
    raw = _read_raw(path, data, fmt, source, opts, mapping, opts.get("score") or "recommend")
    frame = raw.frame
    frame.columns = _dedupe(frame.columns)
    # trailing ";;;" in Excel exports make empty unnamed columns: not data
    empty = [c for c in frame.columns if c.startswith("Unnamed: ") and frame[c].isna().all()]
    raw.info["dropped_empty_columns"] = empty
    return raw, frame.drop(columns=empty), opts, mapping, stored


def _load(path, columns, explicit: dict, format) -> pd.DataFrame:
    raw, frame, opts, mapping, stored = _table(path, columns, explicit, format)
    score_given = opts.get("score")
    score = score_given or "recommend"
    source = raw.source
    empty = raw.info.pop("dropped_empty_columns")
    layout = raw.info.pop("_layout", None)
    labels = dict(raw.info.pop("column_labels", None) or {})

    problems = _Problems(raw.source, raw.rows, raw.row_label)
    _check_repeated(raw.info.get("repeated_names") or {}, mapping, opts, problems)
    _check_mapping(frame, mapping, problems)
    problems.raise_if_any(raw.row_label)
    blanked = _na_values(frame, opts.get("na_values"))
    bookkeeping = _status_counts(frame, layout, problems.source)
    platform, fallbacks = _platform_columns(frame, layout, mapping)
    found = None
    if not score_given and "recommend" not in frame.columns and "recommend" not in mapping.values():
        found = _find_score(frame, labels, mapping, problems)
        problems.raise_if_any(raw.row_label)
    if layout is not None and layout.canonical and "comment" not in frame.columns:
        if "comment" not in mapping.values():  # a platform export: its "why" question
            score_name = next((k for k, v in mapping.items() if v == "recommend"), None)
            said = comment_candidates(frame, labels, score_name)
            if len(said) == 1:
                platform[said[0]] = "comment"
    frame = frame.rename(columns=mapping)
    for name, canon in platform.items():
        frame[canon] = frame[name]
    for canon, names in fallbacks.items():  # "end" blank: the server's time in that row
        for name in names:
            frame[canon] = frame[canon].where(~blank_cells(frame[canon]), frame[name])
    # by the frame's names, and by the file's too (SPSS users look up their variable names)
    # a column renamed from a question (Google Forms, SurveyMonkey) keeps it as its text
    renamed = {**mapping, **platform}
    labels.update(
        {canon: labels.get(name, name) for name, canon in renamed.items() if name in labels}
    )
    labels.update(
        {c: n for n, c in renamed.items() if c not in labels and len(str(n).split()) >= 4}
    )
    problems.shown = {canon: name for name, canon in mapping.items()}
    problems.shown.update({canon: name for name, canon in platform.items()})
    for canon, names in fallbacks.items():  # a bad value may come from either column
        problems.shown[canon] = " / ".join([problems.shown[canon], *names])

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
        date_format=opts.get("date_format") or _platform_date_format(layout, platform),
        date_order=layout.date_order if layout is not None else None,
        decimal=raw.info.get("decimal"),
        scale=opts.get("scale"),
    )
    problems.raise_if_any(raw.row_label)
    df.attrs.update(
        source=source,
        sha256=hashlib.sha256(stored).hexdigest(),
        row_label=raw.row_label,
        columns=dict(mapping),
        platform_columns=platform,
        platform_fallbacks=fallbacks,
        dropped_empty_columns=empty,
        **{k: v for k, v in raw.info.items() if k != "value_labels"},
    )
    df.attrs.setdefault("layout", None)
    # question texts are shown in reports and charts: no control, bidi or zero-width character
    df.attrs["column_labels"] = {k: visible(v) for k, v in labels.items()}
    df.attrs["score_found"] = found
    if blanked:
        df.attrs["na_values_blanked"] = blanked
    df.attrs.update(bookkeeping)
    if "value_labels" in raw.info:
        df.attrs["value_labels"] = raw.info["value_labels"]
    return df


def _check_options(opts: dict) -> None:
    rows = opts.get("header_rows")
    if rows is not None and (isinstance(rows, bool) or not isinstance(rows, int) or rows < 1):
        raise ValueError(f"header_rows must be a whole number 1 or more, got {rows!r}")
    if opts.get("scale") not in (None, "0-10"):
        raise ValueError(
            f"scale={opts['scale']!r}: the only scale to declare is '0-10' (the score really "
            "is 0-10, do not check it); recode other scales to 0-10 first"
        )


def _check_repeated(repeated: dict, mapping: dict, opts: dict, problems: _Problems) -> None:
    """A repeated column name is refused only when the survey uses it (it is ambiguous)."""
    used = set(mapping) | set(map(str, opts.get("recode") or {}))
    required = opts.get("required") or []
    used |= {required} if isinstance(required, str) else set(required)
    if opts.get("score"):
        used.add(opts["score"])
    for name, names in repeated.items():
        if name in used:
            problems.add(
                None,
                f"column {name!r} is the name of {len(names)} columns, read as {names}; "
                f"name the one you mean (e.g. columns={{{names[-1]!r}: ...}})",
            )


def _na_values(frame: pd.DataFrame, na_values) -> dict:
    """Cells equal to one of ``na_values`` (e.g. "Don't know", 99) made blank; counted."""
    if not na_values:
        return {}
    values = [na_values] if isinstance(na_values, str | int | float) else list(na_values)
    texts = {str(v).strip() for v in values}
    out = {}
    for c in frame.columns:
        s = frame[c]
        hit = s.map(lambda v: str(v).strip() in texts, na_action="ignore").eq(True)
        hit = hit.to_numpy(bool)
        if hit.any():
            frame[c] = s.mask(hit)
            out[str(c)] = int(hit.sum())
    return out


_PREVIEW = ("Survey Preview", "Survey Test", 1, 2, "1", "2")  # Qualtrics' Status codes
_UNFINISHED = (False, "False", "FALSE", 0, "0")


def _status_counts(frame: pd.DataFrame, layout, source: str) -> dict:
    """Qualtrics preview / test answers and unfinished responses: counted and said, kept.

    They stay in the data (nothing is dropped unasked); the warning gives the
    filter that leaves them out.
    """
    if layout is None or not layout.status or layout.status not in frame.columns:
        return {}
    status = frame[layout.status]
    preview = int(status.isin(_PREVIEW).sum())
    finished = frame["Finished"] if "Finished" in frame.columns else None
    unfinished = int(finished.isin(_UNFINISHED).sum()) if finished is not None else 0
    if preview or unfinished:
        warnings.warn(
            f"{source}: {preview} preview or test response(s) ({layout.status!r} 'Survey "
            f"Preview' / 'Survey Test') and {unfinished} unfinished one(s) ('Finished' false) "
            "are in the data; leave them out with a filter such as "
            f"\"{layout.status} != 'Survey Preview' and Finished == True\"",
            UserWarning,
            stacklevel=5,
        )
    return {"preview_responses": preview, "unfinished_responses": unfinished}


def _platform_columns(frame: pd.DataFrame, layout, mapping: dict) -> tuple[dict, dict]:
    """The platform's id and answer-time columns copied to canonical names the file lacks.

    ``({platform column: canonical name}, {canonical name: [columns filling its blanks]})``:
    where several columns give one canonical name (KoBo's ``end`` and
    ``_submission_time``), the first that holds any value is copied and the
    others, in order, fill the rows it leaves blank.
    """
    if layout is None:
        return {}, {}
    taken = set(frame.columns) | set(mapping.values())
    options: dict = {}  # canonical name -> the platform's columns for it, in preference order
    for name, canon in layout.canonical.items():
        if name in frame.columns and name not in mapping and canon not in taken:
            options.setdefault(canon, []).append(name)
    platform, fallbacks = {}, {}
    for canon, names in options.items():
        given = [n for n in names if not blank_cells(frame[n]).all()] or names[:1]
        platform[given[0]] = canon
        if len(given) > 1:
            fallbacks[canon] = given[1:]
    return platform, fallbacks


def _platform_date_format(layout, platform: dict) -> str | None:
    if layout is not None and layout.date_format and "responded_at" in platform.values():
        return layout.date_format
    return None


def _find_score(frame: pd.DataFrame, labels: dict, mapping: dict, problems: _Problems):
    """With no score named and no recommend column: the one column that is the question."""
    candidates, why = score_candidates(frame.drop(columns=list(mapping)), labels)
    if len(candidates) == 1:
        (name,) = candidates
        mapping[name] = "recommend"
        text = labels.get(name, "")
        shown = f"{name!r}" + (f" ({text!r})" if text else "")
        warnings.warn(
            f"{problems.source}: the score is column {shown}: {why}; "
            f"to use another, pass score= or columns={{'<column>': 'recommend'}}",
            UserWarning,
            stacklevel=5,
        )
        return {"column": name, "question": text or name, "why": why}
    if len(candidates) > 1:
        shown = ", ".join(
            f"{c!r}" + (f" ({labels[c]!r})" if labels.get(c) else "") for c in candidates[:10]
        )
        problems.add(
            None,
            f"no 'recommend' column, and {len(candidates)} columns could be the 0-10 "
            f"likelihood-to-recommend answer ({why}): {shown}; name one with "
            f"columns={{{candidates[0]!r}: 'recommend'}} (nps-toolkit inspect FILE lists them)",
        )
    return None


def inspect_survey(path, **options) -> str:
    """How ``load_survey`` reads a file, in words, with a ``surveys.yml`` entry to paste.

    The recognised layout, the rows, every column with its question text and
    what it holds, the score column the loader would use and why (or the
    candidates), the dates, the result of loading it (or its errors), and an
    entry for ``surveys.yml``.  ``options`` are ``load_survey``'s
    (``header_rows=2``, ``sheet=...``).  This is ``nps-toolkit inspect FILE``.
    """
    return describe(path, options, load_survey, _read_raw)


def _read_raw(path, data: bytes, fmt: str, source: str, opts: dict, mapping: dict, score: str):
    """The file's table as read, before its columns are renamed (a ``_Raw``)."""
    reverse = {v: k for k, v in mapping.items()}
    file_score = reverse.get(score, score)
    text_columns = {reverse.get(c, c) for c in TEXT_COLUMNS}
    # names that identify the header row below any title rows
    wanted = frozenset(mapping) | {file_score} | set(CANONICAL)
    if fmt == "spss":
        return _read_spss(path, source, {score, file_score})
    if fmt == "parquet":
        return _read_parquet(data, source)
    if fmt == "csv":
        numeric = {file_score, reverse.get("weight", "weight")}
        raw = _read_csv(data, source, opts, text_columns, wanted, numeric)
    else:
        raw = _read_excel(
            data,
            source,
            opts.get("sheet"),
            wanted,
            file_score,
            text_columns,
            header_rows=opts.get("header_rows"),
        )
    second_header_row(raw, file_score)
    return raw


def _check_mapping(frame: pd.DataFrame, mapping: dict, problems: _Problems) -> None:
    """A mapping that names a missing column, merges two or hides one is a problem."""
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
