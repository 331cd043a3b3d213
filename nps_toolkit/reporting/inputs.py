"""The data a report is about: loading, filtering, invited counts, fingerprints."""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .._filters import FilterError, closest, parse_filter
from .._identifiers import (
    GROUP_KEYS,
    IdentifyingColumnError,
    check_group_columns,
    clean_group_values,
)
from ..backends import is_spark_spec
from .config import ConfigError, dataset_files, is_dataset


def load_data(
    data_path=None,
    *,
    example="b2b-annual",
    columns=None,
    row_filter=None,
    seed=0,
    required=None,
    date_format=None,
    score=None,
    min_n=None,
    load_options=None,
    groups=None,
    used=None,
    ratings=(),
) -> pd.DataFrame:
    """The survey a report is about: a file (``load_survey``), parts, or an example, filtered.

    ``data_path`` may be one file, a glob of Parquet/CSV parts or a folder of
    Parquet files: parts are read by DuckDB with the filter run there
    (``backends.read_columns``), so only the selected rows reach pandas.

    ``row_filter`` is a filter expression (``"wave == 7 and region in ['N', 'S']"``,
    see ``nps_toolkit._filters``) or a mapping ``{column: value or [values]}``.
    ``required`` maps config keys to the columns they name
    (``{"segments": ["region"]}``): a column missing from the data raises
    ``ConfigError`` naming the key and the closest column.  ``attrs["sha256"]``
    identifies the data (the file's bytes, or the example's CSV text) for the
    provenance record.  ``date_format`` is passed to ``load_survey`` (``strftime``
    codes of the date column; default: ISO as ISO, ``d.m.y`` and ``d/m/y`` day-first).
    ``load_options`` are more ``load_survey`` options from the survey's entry
    (``recode``, ``header_rows``, ``na_values``, ``scale``); empty ones are
    left out, so a ``columns`` YAML file's own options stay in force.
    ``groups`` maps group keys to the columns the report shows as groups
    whether or not the entry named them (``{"segments": segments, "wave": wave}``:
    the template's defaults when the entry names none); see ``check_groups``.
    With ``score`` and ``min_n``, data (after the filter)
    holding fewer than ``min_n`` answers in ``score`` is refused: every number
    of such a report would describe a group too small to show.

    ``used`` lists the columns the report reads (``report_columns``).  With
    it, parts, and a Parquet/CSV file larger than ``LARGE_FILE_BYTES`` read
    with no renames or reading options, are read by DuckDB: only those
    columns, the filter run there, the ``ratings`` columns (the drivers) and
    the score as ``float32`` when their values are whole numbers; the
    score is checked in the whole file first (an error names the file, the
    column and, in Parquet, the row).  Smaller files keep ``load_survey``
    and its full validation.
    """
    if data_path is None:
        from ..datasets import example_survey

        df = example_survey(example, seed=seed)
        df.attrs["sha256"] = hashlib.sha256(df.to_csv(index=False).encode()).hexdigest()
        df.attrs["source"] = f"example_survey({example!r}, seed={seed})"
    if is_spark_spec(data_path):  # Spark data: filtered and checked on the cluster
        out, answered = _spark_dataset(data_path, row_filter, required, used, score, ratings)
        df = None
    elif (
        data_path is not None
        and is_dataset(data_path)
        and not (isinstance(columns, dict) and columns)
    ) or _large_file(data_path, used, columns, date_format, load_options):
        # parts read by DuckDB, the filter run there: only the selected rows reach pandas
        out, answered = _filtered_dataset(data_path, row_filter, required, used, score, ratings)
        df = None
    else:
        if data_path is not None:
            df = _read_survey(data_path, columns, date_format, load_options, score)
        check_columns(df, required or {})
        out = apply_filter(df, row_filter)
    out = check_groups(out, required, groups)  # no contact details or identifiers as groups
    if min_n and score is not None and score in out.columns:
        check_min_n(out, score, min_n, row_filter)
        if row_filter and df is not None:  # and the rows it leaves out: the whole file minus
            check_min_n(df, score, min_n, row_filter, shown=out)  # this report
        elif row_filter and df is None and answered is not None:  # parts: counted in DuckDB
            check_min_n(None, score, min_n, row_filter, shown=out, answered=answered)
    return out


# Columns a report reads without a parameter naming them: the follow-up lists'
# contact and respondent id (``sections.followup``, ``followup_list``) and the
# CSAT, CES and retention columns ``summarize`` adds to the headline.
FIXED_COLUMNS = ("email", "respondent_id", "csat", "ces", "retained")

# parameters naming one column or a list of columns (see the template's parameters cell)
_COLUMN_PARAMETERS = ("score", "weights", "date", "wave", "account", "comment", "segments",
                      "drivers", "theme_columns", "banners")  # fmt: skip


def report_columns(parameters: dict) -> list[str]:
    """Every column a report with these template parameters reads, in the data's names.

    The one list of them: the score, weights, segments, drivers, date, wave,
    account, comment, hand-coded themes and banners the parameters name, the
    invited and language columns when they name columns, the columns of
    ``value_labels``, ``rake``, the filter and ``split``, and the columns the
    report reads by their fixed names (``FIXED_COLUMNS``).  A report computed
    from only these columns (those the data has) shows what it shows from
    every column (``tests/test_inputs.py`` checks each section).  With
    ``columns`` renames (``{file column: canonical}``) the file's names are given.

    >>> report_columns({"score": "nps", "segments": ["region"], "drivers": [], "weights": None,
    ...                 "language": "auto", "row_filter": "wave == 7", "invited": 500})
    ['nps', 'region', 'wave', 'email', 'respondent_id', 'csat', 'ces', 'retained']
    """
    from .config import LANGUAGES

    names = []
    for key in _COLUMN_PARAMETERS:
        value = parameters.get(key)
        names += [value] if isinstance(value, str) else list(value or ())
    invited = parameters.get("invited")
    if isinstance(invited, str):
        names.append(invited)
    language = parameters.get("language")
    if isinstance(language, str) and language not in LANGUAGES:  # a column of language codes
        names.append(language)
    for key in ("value_labels", "rake"):
        names += list(parameters.get(key) or {})
    parsed = parse_filter(parameters.get("row_filter"))
    if parsed is not None:
        names += parsed.columns
    if isinstance(parameters.get("split"), str):
        names.append(parameters["split"])
    names += FIXED_COLUMNS
    renames = parameters.get("columns")
    if isinstance(renames, dict) and renames:
        back = {canonical: file for file, canonical in renames.items()}
        names = [back.get(n, n) for n in names]
    return list(dict.fromkeys(n for n in names if isinstance(n, str) and n))


def check_groups(df: pd.DataFrame, required=None, groups=None) -> pd.DataFrame:
    """``df`` with the columns a report shows as groups checked and their values cleaned.

    The group keys (``segments``, ``banners``, ``wave``, ``split``,
    ``value_labels``, ``language``) of ``required`` (the columns the entry
    names) and of ``groups`` (the columns the report uses, named or the
    template's defaults, e.g. ``{"segments": [...], "wave": "wave"}``) are
    checked: a column of contact details or identifiers raises
    ``IdentifyingColumnError`` (``check_group_columns``); control, bidi and
    zero-width characters are removed from their values
    (``clean_group_values``).  Columns not in ``df`` are left out.

    >>> df = pd.DataFrame({"region": ["a@x.fi", "b@x.fi", "a@x.fi"], "recommend": [9, 3, 7]})
    >>> check_groups(df, {"segments": ["region"]}, {"segments": ["region"], "wave": None})
    Traceback (most recent call last):
    ...
    nps_toolkit._identifiers.IdentifyingColumnError: key 'segments': column 'region' holds e-mail addresses, phone numbers or identity codes (e.g. row 1); a report never shows groups of such a column (see README 'Security and privacy')
    """
    for key in GROUP_KEYS:
        named = _names((required or {}).get(key))
        used = _names((groups or {}).get(key))
        check_group_columns(df, named, key=key)
        try:
            check_group_columns(df, [c for c in used if c not in named], key=key)
        except IdentifyingColumnError as exc:  # not the entry's own: the template's default
            raise IdentifyingColumnError(
                f"{exc}; the entry names no {key}, so the report template's default is used: "
                f"give the entry its own {key!r} ([] or null for none)"
            ) from None
        df = clean_group_values(df, list(dict.fromkeys(named + used)), key=key)
    return df


def _names(value) -> list:
    """A config value naming one column or several, as a list (None: none)."""
    return [value] if isinstance(value, str) else list(value or [])


# The last survey file read in this process, by its identity (path, size,
# modification time) and reading options: a kernel rendering the reports of a
# ``split:`` entry one after another reads and validates the file once, not
# once a report.  One entry only, so a kernel holds at most one survey.
_LAST_READ: dict = {}
_HASHES: dict = {}


def _identity(path) -> tuple:
    st = os.stat(path)
    return (os.path.realpath(path), st.st_size, st.st_mtime_ns, st.st_ino)


def data_sha256(data_path) -> str:
    """SHA-256 of the data: a file's bytes, or for a folder or glob, of each part's
    name (relative to the folder / the pattern's folder) and bytes, in name order."""
    if not is_dataset(data_path):
        return file_sha256(data_path)
    files = dataset_files(data_path)
    if not files:
        raise FileNotFoundError(f"no files match {os.fspath(data_path)!r}")
    root = os.fspath(data_path)
    root = root if os.path.isdir(root) else os.path.dirname(root)
    h = hashlib.sha256()
    for f in files:
        h.update(os.path.relpath(f, root).encode("utf-8") + b"\0" + file_sha256(f).encode())
    return h.hexdigest()


def _dataset_identity(data_path) -> tuple:
    if not is_dataset(data_path):
        return _identity(data_path)
    return tuple(_identity(f) for f in dataset_files(data_path))


def _read_dataset(data_path, columns) -> pd.DataFrame:
    """A folder or glob of Parquet/CSV parts, read by DuckDB (parts combined by column name)."""
    from ..backends import read_columns

    df = read_columns(data_path)
    if isinstance(columns, dict) and columns:
        df = df.rename(columns=columns)
    return df


# A single Parquet or CSV file larger than this is read by DuckDB when the report
# says which columns it uses (``load_data(used=...)``): pandas would hold every column.
LARGE_FILE_BYTES = 64 * 2**20


# the template parameters that are ``load_survey`` options (``load_data(load_options=)``)
LOAD_OPTIONS = ("recode", "header_rows", "na_values", "scale")


def _large_file(data_path, used, columns, date_format, load_options) -> bool:
    """``data_path`` is one large Parquet/CSV file that DuckDB reads as ``load_survey`` would:
    no renames, no date format and no reading options (those need ``load_survey``)."""
    from ..backends import CSV_SUFFIXES, PARQUET_SUFFIXES

    if data_path is None or used is None or columns or date_format or is_dataset(data_path):
        return False
    if any(v not in (None, {}, []) for v in (load_options or {}).values()):
        return False
    name = os.fspath(data_path).lower()
    return (
        name.endswith(PARQUET_SUFFIXES + CSV_SUFFIXES)
        and os.path.isfile(data_path)
        and os.path.getsize(data_path) > LARGE_FILE_BYTES
    )


def _compact(df: pd.DataFrame, names) -> pd.DataFrame:
    """Columns of whole numbers below 2**24 (0-10 ratings) as ``float32``: exact, half the memory."""
    for c in names:
        if c in df.columns and df[c].dtype == "float64":
            values = df[c].to_numpy()
            known = values[~pd.isna(values)]
            if ((known == known.round()) & (abs(known) < 2**24)).all():
                df[c] = df[c].astype("float32")
    return df


def _filtered_dataset(
    data_path, row_filter, required, used=None, score=None, ratings=()
) -> pd.DataFrame:
    """The rows of a folder or glob of parts that the filter keeps, filtered in DuckDB.

    The same frame and checks as reading everything and then ``apply_filter``
    (the filter's meaning is the same, see ``backends.filter_relation``),
    without the other rows ever reaching pandas: a report per store of a
    large dataset reads one store's rows.  With ``used`` (``report_columns``)
    only those columns are read, and the score is checked in every row first.
    """
    from ..backends import read_columns

    kept = _kept_dataset(data_path, used, score)
    check_columns(pd.DataFrame(columns=kept.names), required or {})
    df = read_columns(kept.source, kept.keep, row_filter=row_filter)
    # the name only: no local paths in reports
    attrs = {"sha256": data_sha256(data_path), "source": Path(data_path).name}
    return _read_rows(
        df, required, used, score, ratings, row_filter, kept.rows, attrs
    ), kept.answered


def _read_rows(df, required, used, score, ratings, row_filter, total, attrs) -> pd.DataFrame:
    """The rows a backend read for a report (parts, a large file, Spark), checked as a
    frame is: the configured columns, compact ratings, the filter's rows and ``attrs``."""
    check_columns(df, required or {})
    if used is not None:
        df = _compact(df, [score, *ratings])
    df.attrs.update(attrs)
    if parse_filter(row_filter) is not None:
        if df.empty:
            raise FilterError(f"filter {row_filter!r} selects no rows out of {total}")
        df.attrs.update(filter=row_filter, rows_before_filter=total)
    return df


def _spark_dataset(spec, row_filter, required, used=None, score=None, ratings=()):
    """Spark data (``backends.spark_source``): the rows the filter keeps, only the used columns.

    The kernel starts the Spark session (an error names the entry's key when
    pyspark or Java is missing); the scores are checked and the answers
    counted on the cluster, the filter runs there, and only the report's
    columns of the kept rows are collected into pandas.  ``attrs["sha256"]``
    identifies the data (``backends.spark_fingerprint``: Spark data has no file
    to hash).  The counted report (``counted``) reads Spark data without
    collecting rows; this path serves ``backend: pandas`` and the options a
    counted report cannot honour.
    """
    from ..backends import (
        column_names,
        filter_relation,
        group_counts,
        read_columns,
        spark_fingerprint,
        spark_label,
        spark_source,
    )

    full = spark_source(spec, where="key 'data'")
    names = column_names(full)
    check_columns(pd.DataFrame(columns=names), required or {})
    answered = None
    if score in names:  # a ValueError names the column and examples of a score not 0-10
        answered = int(group_counts(full, score)["n"].sum())
    keep = None if used is None else [c for c in names if c in set(used)]
    df = read_columns(filter_relation(full, row_filter), keep)
    total, sha = spark_fingerprint(full)  # as the counted report's digest
    # the table or the files' last part: no folders
    attrs = {"sha256": sha, "source": spark_label(spec)}
    return _read_rows(df, required, used, score, ratings, row_filter, total, attrs), answered


@dataclass
class _Kept:
    """What a kernel knows of one dataset: its columns, rows and answers, and where to read."""

    source: object  # the path, or a relation on an in-memory copy of its used columns
    names: list
    keep: list | None
    rows: int
    answered: int | None  # answers in the score column of all rows (None: no score column)
    copied: bool = False


# A worker kernel renders the reports of a ``split:`` entry one after another from
# the same parts, each with its own filter.  Scanning the parts again for every
# value (and checking their scores again) cost about 0.6 s a report at 5 million
# rows.  From the second report of the same data on, its used columns are kept in
# an in-memory DuckDB table (about 90 bytes a row at 5 million) and each value's
# rows are filtered there by the same filter compiler (0.15 s).  Data with more
# than KEEP_CELLS values (rows times columns) is scanned each time: its copy would
# not fit beside the other workers' under DuckDB's memory limit (backends.configure).
KEEP_CELLS = 80_000_000
_KEPT: dict = {}


def _kept_dataset(data_path, used, score) -> _Kept:
    from ..backends import column_names, group_counts, in_memory, row_count

    key = (_dataset_identity(data_path), None if used is None else tuple(used), score)
    kept = _KEPT.get(key)
    if kept is None:
        names = column_names(data_path)
        keep = None if used is None else [c for c in names if c in set(used)]  # file's order
        answered = None
        if score in names:
            # a ValueError names the file, column and row of a score that is not 0-10
            answered = int(group_counts(data_path, score)["n"].sum())
        kept = _Kept(data_path, names, keep, row_count(data_path), answered)
        _KEPT.clear()  # one dataset a kernel
        _KEPT[key] = kept
    elif not kept.copied and kept.rows * len(kept.keep or kept.names) <= KEEP_CELLS:
        kept.source = in_memory(data_path, kept.keep or kept.names, name="nps_kept_dataset")
        kept.copied = True
    return kept


def _read_survey(data_path, columns, date_format, load_options=None, score=None) -> pd.DataFrame:
    """``load_survey`` of ``data_path``, reusing this process's last read of the same file.

    A folder or a glob of parts is read by DuckDB (``backends.read_columns``).
    """
    from ..data import load_survey

    options = {k: v for k, v in (load_options or {}).items() if v not in (None, {}, [])}
    if score and score != "recommend":  # a score named in the entry: no column is looked for
        options["score"] = score
    key = (
        _dataset_identity(data_path),
        json.dumps([columns or None, options], sort_keys=True, default=str),
        date_format,
    )
    if key not in _LAST_READ:
        if is_dataset(data_path):
            df = _read_dataset(data_path, columns)
        else:
            df = load_survey(data_path, columns=columns or None, date_format=date_format, **options)
        if "sha256" not in df.attrs:
            df.attrs["sha256"] = data_sha256(data_path)
        df.attrs["source"] = Path(data_path).name  # the name only: no local paths in reports
        df.attrs["load_warnings"] = [
            w.replace(str(data_path), df.attrs["source"]) for w in df.attrs.get("load_warnings", [])
        ]
        _LAST_READ.clear()
        _LAST_READ[key] = df
    df = _LAST_READ[key]
    out = df.copy(deep=False)  # the report's changes never reach the kept frame
    out.attrs = dict(df.attrs)
    return out


def label_values(df: pd.DataFrame, labels: dict) -> pd.DataFrame:
    """``df`` with the values of some columns shown as labels: ``{column: {value: label}}``.

    For the groups of segment and banner columns in the report's language
    (``{"region": {"North": "Pohjoinen"}}``).  A value is matched as the text
    the file has (a whole number as ``"3"``); values without a label and
    blanks stay as they are; two values given one label become one group.

    >>> df = pd.DataFrame({"region": ["North", "South", None], "size": [1, 2, 1]})
    >>> out = label_values(df, {"region": {"North": "Pohjoinen"}, "size": {"1": "pieni"}})
    >>> out["region"].tolist()[:2], bool(out["region"].isna().iloc[2]), out["size"].tolist()
    (['Pohjoinen', 'South'], True, ['pieni', 2, 'pieni'])
    """
    if not labels:
        return df
    out = df.copy()
    for column, mapping in labels.items():
        if column not in out.columns:
            raise ConfigError(
                f"value_labels: column {column!r} is not in the data{closest(column, out.columns)}"
            )
        values = out[column].astype(object)
        keys = values.map(_value_text)
        out[column] = values.where(~keys.isin(mapping.keys()), keys.map(mapping))
    out.attrs = dict(df.attrs)
    return out


def _value_text(value) -> str | None:
    """How a data value is written in ``value_labels``: its text, a whole number as ``"3"``."""
    if value is None or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def check_min_n(
    df: pd.DataFrame | None, score: str, min_n: int, row_filter=None, *, shown=None, answered=None
) -> None:
    """Raise ``ValueError`` when ``df`` holds fewer than ``min_n`` answers in ``score``.

    With ``shown`` (the filtered rows of ``df``), when the rows the filter
    leaves out hold between 1 and ``min_n - 1`` answers: a report of the whole
    file minus this one would show them.

    >>> check_min_n(pd.DataFrame({"recommend": [9, 3, None]}), "recommend", 5, {"wave": 7})
    Traceback (most recent call last):
    ...
    ValueError: rows where wave is 7 leave 2 answers in 'recommend', fewer than min_n 5: a report of so few people could identify them, so it is not rendered
    """
    if answered is None:  # ``answered``: the answers of ``df`` counted elsewhere (DuckDB)
        answered = int(pd.to_numeric(df[score], errors="coerce").notna().sum())
    if shown is not None:
        left_out = answered - int(pd.to_numeric(shown[score], errors="coerce").notna().sum())
        if 0 < left_out < min_n:
            raise ValueError(
                f"{describe_filter(row_filter)} leave out {left_out} answers in {score!r}, "
                f"fewer than min_n {min_n}: a report of all rows minus this one would show "
                "their scores, so it is not rendered"
            )
        return
    if answered < min_n:
        what = describe_filter(row_filter) if row_filter else "the data"
        raise ValueError(
            f"{what} leave{'s' if not row_filter else ''} {answered} answers in {score!r}, "
            f"fewer than min_n {min_n}: a report of so few people could identify them, "
            "so it is not rendered"
        )


def check_columns(df: pd.DataFrame, required: dict) -> None:
    """Raise ``ConfigError`` for a configured column that is not in the data.

    ``required`` maps each config key to the column(s) it names.

    >>> df = pd.DataFrame({"recommend": [9], "region": ["N"]})
    >>> check_columns(df, {"segments": ["regoin"]})
    Traceback (most recent call last):
    ...
    nps_toolkit.reporting.config.ConfigError: key 'segments': column 'regoin' is not in the data; did you mean 'region'?
    """
    for key, names in required.items():
        for name in [names] if isinstance(names, str) else names:
            if name not in df.columns:
                raise ConfigError(
                    f"key {key!r}: column {name!r} is not in the data{closest(name, df.columns)}"
                )


def apply_filter(df: pd.DataFrame, row_filter, *, where: str = "filter") -> pd.DataFrame:
    """Rows selected by a filter expression or a ``{column: value or [values]}`` mapping.

    The filter is parsed by the toolkit's own filter language (never
    ``DataFrame.query``); ``FilterError`` names ``where``, the offending part
    or the unknown column and the closest one.

    >>> df = pd.DataFrame({"wave": [1, 2, 2], "region": ["N", "S", "N"]})
    >>> len(apply_filter(df, {"wave": 2})), len(apply_filter(df, "wave == 2 and region == 'N'"))
    (2, 1)
    """
    parsed = parse_filter(row_filter, where=where)
    if parsed is None:
        return df
    attrs = dict(df.attrs)
    out = df[parsed.mask(df)]
    if out.empty:
        raise FilterError(f"{where} {row_filter!r} selects no rows out of {len(df)}")
    out = out.copy()
    out.attrs.update(attrs, filter=row_filter, rows_before_filter=len(df))
    return out


def describe_filter(row_filter) -> str:
    """A filter in words for the report's reader.

    >>> describe_filter({"wave": 7, "region": ["North", "South"]})
    'rows where wave is 7 and region is North or South'
    >>> describe_filter("tenure == 'at-risk'")
    "rows where tenure == 'at-risk'"
    """
    if isinstance(row_filter, dict):
        parts = []
        for column, value in row_filter.items():
            values = value if isinstance(value, list | tuple | set) else [value]
            parts.append(f"{column} is " + " or ".join(str(v) for v in values))
        return "rows where " + " and ".join(parts)
    return f"rows where {row_filter}"


def invited_total(df: pd.DataFrame, invited, wave=None) -> int | None:
    """How many people were invited: a number, or a column holding it per wave.

    A column must hold one value per wave (every row of a wave the same);
    the waves' values are added up.

    >>> df = pd.DataFrame({"wave": [1, 1, 2], "invited": [10, 10, 20]})
    >>> invited_total(df, "invited", wave="wave"), invited_total(df, 500)
    (30, 500)
    """
    if invited is None:
        return None
    if not isinstance(invited, str):
        return int(invited)
    if invited not in df.columns:
        return None  # the column is optional: no response rate without it
    if wave is None or wave not in df.columns:
        values = df[invited].dropna().unique()
        if len(values) != 1:
            raise ValueError(
                f"column {invited!r} holds {len(values)} different invited counts; "
                "give the wave column or a number"
            )
        return int(values[0])
    per_wave = df.groupby(wave, observed=True)[invited].agg(["min", "max"])
    uneven = per_wave.index[per_wave["min"] != per_wave["max"]].tolist()
    if uneven:
        raise ValueError(f"column {invited!r} differs within wave(s) {uneven[:5]}")
    return int(per_wave["min"].sum())


def file_sha256(path) -> str:
    """SHA-256 of a file's bytes (hex).

    Remembered in this process by the file's identity (path, size,
    modification time in nanoseconds, inode): a batch of reports from one
    file hashes it once; a changed file has another identity and is hashed again.
    """
    key = _identity(path)
    if key not in _HASHES:
        h = hashlib.sha256()
        with open(path, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                h.update(block)
        if len(_HASHES) > 1000:
            _HASHES.clear()
        _HASHES[key] = h.hexdigest()
    return _HASHES[key]


LOAD_NOTES = "nps_toolkit_load_warnings"  # metadata key of the appendix's load warnings


def load_notes(folder) -> list[str]:
    """The loader's warnings a rendered report shows in its appendix (dates read either
    way, the score column chosen, a likely 1-10 scale), read back from its notebook.

    ``render`` prints them in its closing lines, where the person running the
    batch sees them.  A folder without ``report.ipynb`` has none.
    """
    import json

    path = Path(folder) / "report.ipynb"
    if not path.is_file():
        return []
    try:
        nb = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    notes = []
    for cell in nb.get("cells", []):
        for output in cell.get("outputs", []) or []:
            notes += (output.get("metadata") or {}).get(LOAD_NOTES, [])
    return [str(n) for n in notes]
