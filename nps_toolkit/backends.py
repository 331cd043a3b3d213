"""Count where the data lives: DuckDB for files and relations, Spark for clusters.

Every NPS statistic except drivers and themes needs only category counts per
group, so for large surveys the heavy part (classify and count) runs where
the data is and only one small row per group comes back to pandas.
``group_counts`` (``nps_toolkit.scoring.group_counts``) sends every source that is not a pandas DataFrame
here, so ``summarize``, ``nps_trend`` and ``compare_segments`` accept:

* a path, a glob or a list of paths of Parquet (``.parquet``, ``.pq``) or CSV
  (``.csv``, ``.tsv``, ``.txt``, optionally ``.gz``/``.zst``) files, e.g.
  ``nps.summarize("exports/2025-*.parquet", by="region")``.  DuckDB reads them
  out of core (files are streamed, never loaded whole), files with different
  columns are combined by column name, and Hive folders (``year=2025/``)
  become columns;
* a DuckDB relation (``duckdb.sql("SELECT * FROM responses")``, a table in a
  DuckDB database file, a query on Postgres through DuckDB's scanner ...);
* an Arrow table or anything with ``__arrow_c_stream__`` (a polars frame);
* a Spark DataFrame (optional extra ``pip install nps-toolkit[spark]``): the
  counting runs as one Spark aggregation on the cluster and only the counts
  are collected.

The result is the same counts frame as the pandas path (same columns,
dtypes, group order; missing segment values form their own group; a
``period`` key of pandas Periods), so intervals, tests and tables are
computed by the same code whichever way the data came in.

Checks run in the same engine, without loading the data into Python: a path
matching no files raises ``FileNotFoundError`` naming the pattern, a missing
column raises ``ColumnError`` (a ValueError and KeyError) naming the closest
columns, and scores that are not whole numbers from 0 to 10 (or weights that
are not finite non-negative numbers, as for a DataFrame) raise ``ValueError`` with how many
there are and a few examples with their file names (and row numbers for
Parquet, counting from 0).

DuckDB settings
---------------
Paths are read by a private in-memory DuckDB database with
``memory_limit="1GiB"`` (large GROUP BYs spill to a temporary folder instead
of failing) and DuckDB's default thread count (all cores).  Change them with
``configure(memory_limit="4GiB", threads=2, temp_directory="/scratch")``.  A
DuckDB relation is counted on its own connection, with that connection's
settings.

Spark on a cluster
------------------
Build the session as usual and pass Spark DataFrames; nothing else changes::

    from pyspark.sql import SparkSession
    spark = (SparkSession.builder
             .master("spark://head-node:7077")   # or "yarn", "k8s://https://...",
             .appName("nps")                     # "local[*]" on one machine
             .config("spark.executor.memory", "4g")
             .getOrCreate())
    responses = spark.read.parquet("s3a://bucket/nps/*.parquet")
    nps.summarize(responses, by=["region", "channel"], weights="weight")

On Databricks or with Spark Connect use the session you are given
(``SparkSession.builder.remote("sc://host:15002").getOrCreate()``); Spark
Connect DataFrames are recognised too.  pyspark 4.x needs Java 17 or newer.

>>> import duckdb
>>> rel = duckdb.sql("SELECT * FROM (VALUES (10, 'a'), (9, 'a'), (3, 'b'), (NULL, 'b')) t(recommend, shop)")
>>> group_counts(rel, by="shop")[["shop", "n", "detractors", "promoters", "excluded_blank"]]
  shop  n  detractors  promoters  excluded_blank
0    a  2           0          2               0
1    b  1           1          0               1
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd

from . import _spark
from ._core import COUNT_COLUMNS, fill_weighted
from ._dates import OFFSET_AFTER_TIME, PERIOD_FREQ, to_period
from ._validation import as_list, check_columns, weights_rule

PARQUET_SUFFIXES = (".parquet", ".pq", ".parq")
CSV_SUFFIXES = (".csv", ".tsv", ".txt")
_COMPRESSION_SUFFIXES = (".gz", ".zst", ".bz2")

# Names of helper columns inside the generated SQL; chosen so that they do
# not clash with survey columns.
_FILE = "__nps_file"
_X, _GIVEN, _W = "__nps_x", "__nps_given", "__nps_w"
_CAT, _C, _SW, _SW2, _BW = "__nps_cat", "__nps_c", "__nps_sw", "__nps_sw2", "__nps_bw"

# DuckDB date_trunc / Spark date_trunc part for each Period frequency; both
# truncate weeks to Monday, the first day of pandas' "W" (= W-SUN) periods.
_TRUNC = {"Q": "quarter", "M": "month", "Y": "year", "W": "week", "D": "day"}

_SETTINGS = {"memory_limit": "1GiB", "threads": None, "temp_directory": None}
_DATABASE = None
_LOCK = threading.Lock()


def configure(*, memory_limit="1GiB", threads=None, temp_directory=None) -> None:
    """Set the DuckDB limits used for paths (takes effect for the next call).

    Parameters
    ----------
    memory_limit : DuckDB memory limit such as ``"1GiB"`` or ``"8GB"``;
        aggregations larger than this spill to ``temp_directory``.
    threads : number of DuckDB threads; ``None`` uses all cores.
    temp_directory : folder for spilled data; ``None`` uses DuckDB's default.
    """
    global _DATABASE
    with _LOCK:
        _SETTINGS.update(memory_limit=memory_limit, threads=threads, temp_directory=temp_directory)
        if _DATABASE is not None:
            _DATABASE.close()
        _DATABASE = None


def _connection():
    """A cursor on the module's private in-memory DuckDB database."""
    global _DATABASE
    import duckdb

    with _LOCK:
        if _DATABASE is None:
            # TimeZone UTC: times with a zone whose zone cannot be told (a DuckDB relation
            # passed in, mixed UTC offsets) are cut into periods and compared with a
            # filter's dates in UTC, as pandas and the Spark session read them, not in the
            # zone of the machine that renders the report; files' zones: _read_files
            config = {"memory_limit": str(_SETTINGS["memory_limit"])}
            if _SETTINGS["threads"] is not None:
                config["threads"] = int(_SETTINGS["threads"])
            if _SETTINGS["temp_directory"] is not None:
                config["temp_directory"] = os.fspath(_SETTINGS["temp_directory"])
            _DATABASE = duckdb.connect(":memory:", config=config)
            _DATABASE.execute("SET GLOBAL TimeZone = 'UTC'")  # its cursors too (ICU is loaded now)
        return _DATABASE.cursor()


def _quote(name: str) -> str:
    """A SQL identifier in double quotes (embedded quotes doubled): no injection."""
    return '"' + str(name).replace('"', '""') + '"'


def is_spark_dataframe(obj) -> bool:
    """True for a pyspark (classic or Spark Connect) DataFrame, without importing pyspark.

    >>> is_spark_dataframe(pd.DataFrame())
    False
    """
    return any(
        cls.__name__ == "DataFrame" and cls.__module__.startswith("pyspark.sql")
        for cls in type(obj).__mro__
    )


def _is_paths(source) -> bool:
    if isinstance(source, (str, os.PathLike)):
        return True
    return (
        isinstance(source, Sequence)
        and len(source) > 0
        and all(isinstance(p, (str, os.PathLike)) for p in source)
    )


# --------------------------------------------------------------------------- DuckDB


@dataclass
class _Source:
    """A DuckDB relation to count, and where it came from (for error messages)."""

    relation: object
    label: str  # "files matching 'data/*.parquet'" or "the DuckDB relation"
    file_column: str | None = None
    paths: list | None = None
    fmt: str | None = None
    con: object = None

    @property
    def columns(self) -> list[str]:
        return [c for c in self.relation.columns if c != self.file_column]


def _file_format(path: str) -> str:
    name = path.lower()
    for suffix in _COMPRESSION_SUFFIXES:
        if name.endswith(suffix):
            name = name[: -len(suffix)]
    if name.endswith(PARQUET_SUFFIXES):
        return "parquet"
    if name.endswith(CSV_SUFFIXES):
        return "csv"
    raise ValueError(
        f"cannot tell the file format of {path!r} from its extension; use one of "
        f"{list(PARQUET_SUFFIXES + CSV_SUFFIXES)}, or pass a DuckDB relation "
        f"(e.g. duckdb.read_csv(path, ...)) instead"
    )


def _read_files(paths: list[str], con, *, row_numbers: bool = False):
    """Relation over Parquet or CSV files; paths are bound as parameters, never pasted."""
    fmt = _file_format(paths[0])
    kinds = {_file_format(p) for p in paths}
    if len(kinds) > 1:
        raise ValueError(f"cannot mix Parquet and CSV files in one source: {paths}")
    for pattern in paths:
        found = con.execute("SELECT count(*) FROM glob(?)", [pattern]).fetchall()[0][0]
        if found == 0:
            raise FileNotFoundError(f"no files match {pattern!r}")
    # union_by_name: files whose columns differ (a column added in a later
    # export) are combined by name, missing columns read as NULL.
    if fmt == "parquet":
        extra = ", file_row_number = true" if row_numbers else ""
        sql = f"SELECT * FROM read_parquet($1, union_by_name = true, filename = '{_FILE}'{extra})"
    else:
        # {types}: "types = $2" when columns are read as text (several UTC offsets, below)
        csv = "SELECT * FROM read_csv_auto($1, union_by_name = true, {types}filename = '{file}')"
        sql = csv.format(types="", file=_FILE)
    rel = con.sql(sql, params=[paths])
    zoned = tuple(c for c, t in zip(rel.columns, rel.types, strict=True) if str(t) == _ZONED)
    wall = _wall_clocks(_files_stamp(tuple(paths), con), fmt, zoned) if zoned else {}
    if not wall:
        return rel, fmt
    # times with a zone read as the respondent's wall time, as pandas reads them
    # (``_dates.wall_time``): a period is the respondent's own month, and a
    # filter's dates are wall times; the zone or offset is a parameter, never pasted
    params, exprs = [paths], []
    texts = {col: "VARCHAR" for col, (kind, _) in wall.items() if kind == "text"}
    if texts:  # CSV text with several offsets: read as text, each value's offset dropped
        params.append(texts)
        sql = csv.format(types="types = $2, ", file=_FILE)
    for col, (kind, value) in wall.items():
        if kind == "text":
            # the pattern pandas uses (RE2 reads it too); a constant, never text from a file
            pattern = OFFSET_AFTER_TIME.pattern
            bare = f"regexp_replace(trim({_quote(col)}), '{pattern}', '\\1')"
            exprs.append(f"CAST({bare} AS TIMESTAMP) AS {_quote(col)}")
            continue
        params.append(value)
        at = f"${len(params)}"
        expr = (
            f"timezone({at}, {_quote(col)})"
            if kind == "zone"
            else f"CAST({_quote(col)} AS TIMESTAMP) + to_seconds({at})"
        )
        exprs.append(f"{expr} AS {_quote(col)}")
    return con.sql(f"SELECT * REPLACE ({', '.join(exprs)}) FROM ({sql})", params=params), fmt


_ZONED = "TIMESTAMP WITH TIME ZONE"
_OFFSET = re.compile(r"^(?:UTC|GMT)?([+-])(\d{2}):?(\d{2})?$")


def _offset_seconds(text: str) -> int | None:
    """A UTC offset ("+03:00", "-0530", "Z") in seconds east of UTC; None if not an offset."""
    if text in ("Z", "UTC", "GMT"):
        return 0
    found = _OFFSET.match(text)
    if not found:
        return None
    sign, hours, minutes = found.groups()
    return (1 if sign == "+" else -1) * (int(hours) * 3600 + int(minutes or 0) * 60)


def _files_stamp(paths: tuple, con) -> tuple:
    """The files a list of paths / globs names, with their sizes and change times."""
    out = []
    for pattern in paths:
        for (name,) in con.execute("SELECT file FROM glob(?)", [pattern]).fetchall():
            try:
                st = os.stat(name)
                out.append((name, st.st_size, st.st_mtime_ns))
            except OSError:  # a remote file: no local stamp
                out.append((name, None, None))
    return tuple(out)


def _check_zone(zone, file: str, column: str) -> None:
    """A zone named in a file's schema must be a known time zone or a UTC offset."""
    from zoneinfo import ZoneInfo

    if not zone or _offset_seconds(zone) is not None:
        return
    try:
        ZoneInfo(zone)
    except (ValueError, KeyError, OSError):  # ZoneInfoNotFoundError is a KeyError
        from ._yaml import excerpt

        raise ValueError(
            f"{file}: column {column!r} holds times in zone {excerpt(zone)}, which is not "
            "a known time zone (an IANA name such as 'Europe/Helsinki', or a UTC offset)"
        ) from None


@lru_cache(maxsize=32)
def _wall_clocks(files: tuple, fmt: str, zoned: tuple) -> dict:
    """For each column of times with a zone, how to turn it into wall time.

    ``files`` as ``_files_stamp`` gives them (a changed file is read again).
    ``{column: ("zone", name) | ("offset", seconds) | ("text", None)}``; "text"
    for CSV text with several UTC offsets ("+02:00" in winter, "+03:00" in
    summer), read as text with each value's offset dropped, as pandas reads it.
    A column is left out (read in UTC) when its zone is UTC or cannot be told:
    Parquet files whose schema names no zone, or different zones in different files.
    """
    found: dict = {c: set() for c in zoned}
    if fmt == "parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq

        for name, *_ in files:
            try:
                schema = pq.read_schema(name)
            except (OSError, ValueError, pa.ArrowException):  # remote or unreadable: UTC
                return {}
            for col in zoned:
                if col in schema.names and pa.types.is_timestamp(schema.field(col).type):
                    zone = schema.field(col).type.tz
                    _check_zone(zone, name, col)
                    found[col].add(zone)
    else:
        con = _connection()
        names = [name for name, *_ in files]
        for col in zoned:
            text = f"trim(CAST({_quote(col)} AS VARCHAR))"
            sql = (
                f"SELECT DISTINCT regexp_extract({text}, '(Z|[+-]\\d{{2}}(:?\\d{{2}})?)$', 1) "
                f"FROM read_csv_auto($1, union_by_name = true, all_varchar = true) "
                f"WHERE {_quote(col)} IS NOT NULL AND {text} <> '' LIMIT 2"
            )
            found[col] = {row[0] for row in con.execute(sql, [names]).fetchall()}
    out = {}
    for col, zones in found.items():
        if fmt == "csv" and len(zones) > 1:
            out[col] = ("text", None)
            continue
        if len(zones) != 1:
            continue
        (zone,) = zones
        if not zone:
            continue
        seconds = _offset_seconds(zone)
        if seconds is None:
            out[col] = ("zone", zone)
        elif seconds:
            out[col] = ("offset", seconds)
    return out


def _duckdb_source(source) -> _Source:
    import duckdb

    if isinstance(source, duckdb.DuckDBPyRelation):
        return _Source(source, "the DuckDB relation")
    if _is_paths(source):
        paths = [os.fspath(source)] if isinstance(source, (str, os.PathLike)) else source
        paths = [os.fspath(p) for p in paths]
        con = _connection()
        rel, fmt = _read_files(paths, con)
        label = f"files matching {paths[0]!r}" if len(paths) == 1 else f"files {paths}"
        return _Source(rel, label, _FILE, paths, fmt, con)
    if hasattr(source, "__arrow_c_stream__") or type(source).__module__.startswith("pyarrow"):
        con = _connection()
        return _Source(con.from_arrow(source), "the Arrow table", con=con)
    raise TypeError(
        "source must be a pandas DataFrame, a path or glob of Parquet/CSV files (or a list "
        "of them), a DuckDB relation, an Arrow table or a Spark DataFrame; got "
        f"{type(source).__module__}.{type(source).__qualname__}"
    )


def _check_columns(src: _Source, needed: list[str]) -> None:
    check_columns(src.columns, needed, where=src.label)


def _keys_and_period(by, period) -> tuple[list, tuple | None]:
    keys = as_list(by)
    if period is None:
        return keys, None
    date, freq = period
    if freq not in PERIOD_FREQ:
        raise ValueError(f"unknown freq {freq!r}; valid: {sorted(PERIOD_FREQ)}")
    if "period" in keys:
        raise ValueError("a group column is called 'period', which clashes with period=")
    return keys, (date, PERIOD_FREQ[freq])


def _score_sql(score: str, weights) -> tuple[str, str, str]:
    """SQL select list of the score (and weight) as DOUBLE, plus the bad-row conditions.

    TRY_CAST keeps text columns (a CSV with "ten" in it) countable so that
    bad values are reported, not raised as a cast error half-way through.
    """
    raw = _quote(score)
    cols = f"TRY_CAST({raw} AS DOUBLE) AS {_X}, ({raw} IS NOT NULL) AS {_GIVEN}"
    if weights is not None:
        cols += f", TRY_CAST({_quote(weights)} AS DOUBLE) AS {_W}"
    # NaN is a blank answer (as in pandas); anything else must be 0..10 whole.
    bad_score = (
        f"({_GIVEN} AND ({_X} IS NULL OR (NOT isnan({_X}) AND "
        f"({_X} < 0 OR {_X} > 10 OR {_X} <> round({_X})))))"
    )
    # as _validation.as_weights: missing, text, NaN, negative and infinite weights are bad
    bad_weight = (
        f"({_W} IS NULL OR NOT isfinite({_W}) OR {_W} < 0)" if weights is not None else "false"
    )
    return cols, bad_score, bad_weight


def _counts_sql(keys, period, score, weights) -> str:
    """GROUP BY the segments and the answer's category, over the virtual table ``src``.

    Grouping by a category code (-2 bad, -1 blank, 0 detractor, 1 passive,
    2 promoter) and counting rows is about twice as fast in DuckDB as one
    row per group with a FILTERed aggregate per column; the at most five
    rows per group are pivoted in pandas (``_wide_counts``).
    """
    sel = [_quote(k) for k in keys]
    if period is not None:
        date, freq = period
        sel.append(f"date_trunc('{_TRUNC[freq]}', CAST({_quote(date)} AS TIMESTAMP)) AS period")
    group_cols = [_quote(k) for k in keys] + (["period"] if period is not None else [])
    cols, _, bad_weight = _score_sql(score, weights)
    x = _X
    category = (
        f"CASE WHEN {x} IS NULL THEN (CASE WHEN {_GIVEN} THEN -2 ELSE -1 END) "
        f"WHEN isnan({x}) THEN -1 "
        f"WHEN {x} < 0 OR {x} > 10 OR {x} <> round({x}) THEN -2 "
        f"WHEN {x} < 7 THEN 0 WHEN {x} < 9 THEN 1 ELSE 2 END AS {_CAT}"
    )
    aggs = [category, f"count(*) AS {_C}"]
    if weights is not None:
        aggs += [
            f"sum({_W}) AS {_SW}",
            f"sum({_W} * {_W}) AS {_SW2}",
            f"count(*) FILTER (WHERE {bad_weight}) AS {_BW}",
        ]
    inner = f"SELECT {', '.join([*sel, cols])} FROM src"
    return (
        f"SELECT {', '.join([*group_cols, *aggs])} FROM ({inner}) "
        f"GROUP BY {', '.join([*group_cols, _CAT])}"
    )


def _format_examples(rows) -> str:
    """``(value, file, rows, first row index)`` tuples as "11.0 (b.parquet, row index 3)"."""
    parts = []
    for value, file, count, row in rows:
        where = [os.fspath(file)] if file else []
        if count > 1:
            where.append(f"{count} rows")
        if row is not None:
            where.append(f"{'first at ' if count > 1 else ''}row index {row}")
        parts.append(f"{value!r}" + (f" ({', '.join(where)})" if where else ""))
    return ", ".join(parts)


def _duckdb_examples(src: _Source, column: str, condition_sql: str, extra_cols: str) -> str:
    """The most frequent offending values with their file (and Parquet row index).

    Runs only on the error path: one more scan, grouped by value and file.
    """
    rel, row_col = src.relation, None
    if src.fmt == "parquet":
        try:  # a second relation with row numbers, only on this error path
            rel, _ = _read_files(src.paths, src.con, row_numbers=True)
            row_col = "file_row_number"
        except Exception:  # a data column called file_row_number: files only
            rel = src.relation
    file_sql = _FILE if src.file_column else "NULL"
    row_sql = f"min({row_col})" if row_col else "NULL"
    sql = (
        f"SELECT {_quote(column)} AS v, {file_sql} AS f, count(*) AS k, {row_sql} AS r "
        f"FROM (SELECT *, {extra_cols} FROM src) WHERE {condition_sql} "
        f"GROUP BY v, f ORDER BY k DESC, f, r, v NULLS LAST LIMIT 5"
    )
    return _format_examples(rel.query("src", sql).fetchall())


def _fetch(rel, sql: str, label: str) -> pd.DataFrame:
    import duckdb

    try:
        return rel.query("src", sql).df()
    except duckdb.ConversionException as err:
        raise ValueError(f"cannot read {label}: {err}") from err


def _duckdb_group_counts(source, score, by, weights, period) -> pd.DataFrame:
    keys, period = _keys_and_period(by, period)
    src = _duckdb_source(source)
    needed = [score, *keys]
    if weights is not None:
        needed.append(weights)
    if period is not None:
        needed.append(period[0])
    _check_columns(src, needed)
    long = _fetch(src.relation, _counts_sql(keys, period, score, weights), src.label)
    cols, bad_score, bad_weight = _score_sql(score, weights)

    def examples(which):
        if which == "score":
            return _duckdb_examples(src, score, bad_score, cols)
        return _duckdb_examples(src, weights, bad_weight, cols)

    _check_long(long, examples, score, weights, src.label)
    return _wide_counts(long, keys, period, weighted=weights is not None)


def _check_long(long: pd.DataFrame, examples, score, weights, label) -> None:
    """Raise for bad scores or weights counted by the engine, with a few examples."""
    n_bad = int(long.loc[long[_CAT] == -2, _C].sum())
    if n_bad:
        raise ValueError(
            f"column {score!r}: {n_bad} value(s) are not whole numbers from 0 to 10 "
            f"in {label}, e.g. {examples('score')}"
        )
    n_bad = int(long[_BW].sum()) if _BW in long.columns else 0
    if n_bad:
        raise ValueError(
            f"{weights_rule(f'weights column {weights!r}')}; {n_bad} bad value(s) in {label}, "
            f"e.g. {examples('weights')}"
        )


def _wide_counts(long: pd.DataFrame, keys: list, period, *, weighted: bool) -> pd.DataFrame:
    """Counts per (group, category) from an engine -> the pandas path's counts frame.

    Same columns, dtypes and group order (pandas' ``groupby(sort=True,
    dropna=False)``: sorted, missing values last); ``period`` as pandas Periods.
    """
    long = long.copy()
    for k in keys:
        col = long[k]
        if col.dtype == object and col.map(lambda v: v is None or isinstance(v, str)).all():
            long[k] = col.astype("str")  # Spark returns text as object
    if period is not None:
        long["period"] = to_period(long["period"], period[1], column="period")
        keys = [*keys, "period"]
    if keys:
        grouped = long.groupby(keys, dropna=False, sort=True, observed=True)
        gid, ngroups = grouped.ngroup().to_numpy(), grouped.ngroups
        _, first = np.unique(gid, return_index=True)  # first row of group 0, 1, ...
        out = long[keys].iloc[first].reset_index(drop=True)
    else:
        gid, ngroups = np.zeros(len(long), dtype=np.int64), 1
        out = pd.DataFrame(index=pd.RangeIndex(1))
    cat = long[_CAT].to_numpy(dtype=np.int64) + 2  # 0 bad, 1 blank, 2 d, 3 p, 4 P
    counts = np.zeros((ngroups, 5), dtype=np.int64)
    np.add.at(counts, (gid, cat), long[_C].to_numpy(dtype=np.int64))
    out["n"] = counts[:, 2:].sum(axis=1)
    out["detractors"], out["passives"], out["promoters"] = counts[:, 2], counts[:, 3], counts[:, 4]
    out["excluded_blank"] = counts[:, 1]
    if weighted:
        sums = np.zeros((ngroups, 5, 2))
        values = long[[_SW, _SW2]].to_numpy(dtype=float, na_value=0.0)
        np.add.at(sums, (gid, cat), values)
        fill_weighted(out, sums[:, :, 0], sums[:, :, 1])
    else:  # as in the pandas path: without weights the weighted sums are the counts
        fill_weighted(out, counts, counts)
    return out[[*keys, *COUNT_COLUMNS]]


# --------------------------------------------------------------------------- Spark


_spark_col = _spark.column
_spark_try_double = _spark.number


@contextlib.contextmanager
def _spark_quiet():
    """Without pyspark's warnings about the pandas version: they name the installation's
    folders and tell a report's reader nothing about the data."""
    import warnings

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r"(?s).*PySpark does not yet fully support")
        warnings.filterwarnings("ignore", message=r"(?s).*The copy keyword is deprecated")
        yield


def spark_pandas(df) -> pd.DataFrame:
    """``df.toPandas()``, without pyspark's warnings about the pandas version."""
    with _spark_quiet():
        return df.toPandas()


def _spark_try_double(name: str):
    from pyspark.sql import functions as F

    # try_cast: Spark 4 runs in ANSI mode, where a plain cast of "ten" fails.
    return F.expr("try_cast(`" + str(name).replace("`", "``") + "` AS DOUBLE)")


def _spark_group_counts(df, score, by, weights, period) -> pd.DataFrame:
    from pyspark.sql import functions as F

    keys, period = _keys_and_period(by, period)
    needed = [score, *keys] + ([weights] if weights is not None else [])
    if period is not None:
        needed.append(period[0])
    check_columns(list(df.columns), needed, where="the Spark DataFrame")
    raw, x = _spark_col(score), _spark_try_double(score)
    out_of_range = (x < 0) | (x > 10) | (x != F.round(x))
    category = (
        F.when(x.isNull(), F.when(raw.isNull(), F.lit(-1)).otherwise(F.lit(-2)))
        .when(F.isnan(x), F.lit(-1))
        .when(out_of_range, F.lit(-2))
        .when(x < 7, F.lit(0))
        .when(x < 9, F.lit(1))
        .otherwise(F.lit(2))
    )
    group = [_spark_col(k).alias(k) for k in keys]
    if period is not None:
        date, freq = period
        trunc = F.date_trunc(_TRUNC[freq], _spark_col(date).cast("timestamp"))
        group.append(trunc.alias("period"))
    group.append(category.alias(_CAT))
    aggs = [F.count(F.lit(1)).alias(_C)]
    bad_w = None
    if weights is not None:
        w = _spark_try_double(weights)
        bad_w = w.isNull() | F.isnan(w) | (w < 0) | (w == F.lit(float("inf")))
        aggs += [
            F.sum(w).alias(_SW),
            F.sum(w * w).alias(_SW2),
            F.count(F.when(bad_w, F.lit(1))).alias(_BW),
        ]
    long = spark_pandas(df.groupBy(*group).agg(*aggs))  # <= 5 rows per group: small

    def examples(which):
        cond, column = (category == -2, score) if which == "score" else (bad_w, weights)
        rows = (
            df.filter(cond)
            .groupBy(_spark_col(column).alias("v"), F.input_file_name().alias("f"))
            .count()
            .orderBy(F.desc("count"), "f")
            .limit(5)
            .collect()
        )
        return _format_examples((r["v"], r["f"] or None, r["count"], None) for r in rows)

    _check_long(long, examples, score, weights, "the Spark DataFrame")
    return _wide_counts(long, keys, period, weighted=weights is not None)


# --------------------------------------------------------------------------- public


def group_counts(
    source, score: str = "recommend", by=None, *, weights=None, period=None
) -> pd.DataFrame:
    """Category counts per group, counted in DuckDB or Spark (see ``scoring.group_counts``).

    Parameters
    ----------
    source : path, glob or list of paths of Parquet/CSV files, a DuckDB
        relation, an Arrow table or a Spark DataFrame.
    score : column with the 0-10 answers; blanks (NULL, NaN) are counted in
        ``excluded_blank``.
    by : group column name or list of names; missing values form their own group.
    weights : name of a column of survey weights (finite non-negative numbers).
    period : ``(date_column, freq)`` adds a ``period`` key of pandas Periods
        (freq "QE", "ME", "YE", "W" or "D").

    Returns
    -------
    DataFrame with the group columns (and ``period``) followed by
    the count columns of ``scoring.group_counts``, one row per group in
    pandas' groupby order.

    >>> import duckdb
    >>> rel = duckdb.sql(
    ...     "SELECT * FROM (VALUES (10, 2.0), (3, 1.0), (8, 1.0)) t(recommend, w)")
    >>> group_counts(rel, weights="w")[["n", "w_n", "w_promoters", "w_sq"]].to_dict("records")
    [{'n': 3, 'w_n': 4.0, 'w_promoters': 2.0, 'w_sq': 6.0}]
    """
    if weights is not None and not isinstance(weights, str):
        raise TypeError(
            "for files, DuckDB relations and Spark DataFrames weights must be a column "
            f"name, got {type(weights).__name__}"
        )
    if is_spark_dataframe(source):
        return _spark_group_counts(source, score, by, weights, period)
    return _duckdb_group_counts(_folder_glob(source), score, by, weights, period)


def summary_extras(
    source,
    by=None,
    *,
    weights=None,
    csat_column: str | None = "csat",
    csat_scale: int = 5,
    ces_column: str | None = "ces",
    ces_scale: int = 7,
    retention_column: str | None = "retained",
) -> pd.DataFrame | None:
    """CSAT, CES and retention rate per group, computed in DuckDB or Spark.

    The out-of-core twin of the extras ``summarize`` adds for a DataFrame:
    ``csat`` (% of ratings in the top two boxes of 1..csat_scale), ``ces``
    (mean) and ``retention_rate`` (% true), each over the non-blank values of
    the group, weighted by the ``weights`` column when given (sum w x / sum w
    over the non-blank x).  Columns that do not exist are skipped; ``None``
    when none do.

    >>> import duckdb
    >>> rel = duckdb.sql("SELECT * FROM (VALUES (5, 2, true), (3, 4, false)) t(csat, ces, retained)")
    >>> summary_extras(rel).to_dict("records")
    [{'csat': 50.0, 'ces': 3.0, 'retention_rate': 50.0}]
    """
    keys = as_list(by)
    wanted = {"csat": csat_column, "ces": ces_column, "retention_rate": retention_column}
    if is_spark_dataframe(source):
        res, present = _spark_extras(source, keys, weights, wanted, csat_scale, ces_scale)
    else:
        res, present = _duckdb_extras(source, keys, weights, wanted, csat_scale, ces_scale)
    if res is None:
        return None
    for k in present:
        res[k] = res[k].astype(np.float64)
    for k in keys:
        if res[k].dtype == object and res[k].map(lambda v: v is None or isinstance(v, str)).all():
            res[k] = res[k].astype("str")
    if keys:
        res = res.sort_values(keys, na_position="last", kind="stable", ignore_index=True)
    return res[[*keys, *present]]


def _spark_extras(source, keys, weights, wanted, csat_scale, ces_scale=7):
    from pyspark.sql import functions as F

    present = {k: c for k, c in wanted.items() if c and c in source.columns}
    if not present:
        return None, present
    w = F.lit(1.0) if weights is None else _spark_try_double(weights)
    values = {
        "csat": lambda c: F.when(c.isNotNull(), (c > csat_scale - 2).cast("double")),
        "ces": lambda c: c.cast("double"),
        "retention_rate": lambda c: c.cast("boolean").cast("double"),
    }
    scale = {"csat": 100.0, "ces": 1.0, "retention_rate": 100.0}

    def weighted_mean(k, c):
        x = values[k](_spark_col(c))
        return (scale[k] * F.sum(w * x) / F.sum(F.when(x.isNotNull(), w))).alias(k)

    aggs = [weighted_mean(k, c) for k, c in present.items()]
    bad = {}  # a 6 on a 1-5 scale is refused, never counted (as for DuckDB and pandas)
    for k, top in (("csat", csat_scale), ("ces", ces_scale)):
        if k in present:
            x = _spark_try_double(present[k])
            off = (x < 1) | (x > int(top)) | (x != F.round(x))
            bad[k] = (f"__nps_bad_{k}", int(top))
            aggs.append(F.count(F.when(off, F.lit(1))).alias(bad[k][0]))
    group = [_spark_col(k).alias(k) for k in keys]
    res = spark_pandas(source.groupBy(*group).agg(*aggs) if group else source.agg(*aggs))
    for k, (column, top) in bad.items():
        n_bad = int(res[column].sum())
        if n_bad:
            raise ValueError(
                f"{k.upper()} column {present[k]!r}: {n_bad} value(s) in the Spark DataFrame are "
                f"not whole numbers on the 1-{top} scale"
            )
    return res.drop(columns=[column for column, _ in bad.values()]), present


def _duckdb_extras(source, keys, weights, wanted, csat_scale, ces_scale=7):
    src = _duckdb_source(source)
    _check_columns(src, keys + ([weights] if weights is not None else []))
    present = {k: c for k, c in wanted.items() if c and c in src.columns}
    if not present:
        return None, present
    for k, top in (("csat", csat_scale), ("ces", ces_scale)):
        if k in present:  # a 6 on a 1-5 scale is refused, never counted (as summarize does)
            x = f"TRY_CAST({_quote(present[k])} AS DOUBLE)"
            bad = f"{x} < 1 OR {x} > {int(top)} OR {x} <> round({x})"
            n_bad = int(
                _fetch(src.relation, f"SELECT count(*) AS n FROM src WHERE {bad}", src.label)[
                    "n"
                ].iloc[0]
            )
            if n_bad:
                raise ValueError(
                    f"{k.upper()} column {present[k]!r}: {n_bad} value(s) in {src.label} are not "
                    f"whole numbers on the 1-{int(top)} scale"
                )
    w = "1.0" if weights is None else f"TRY_CAST({_quote(weights)} AS DOUBLE)"
    values = {
        "csat": lambda c: f"CAST({c} > {int(csat_scale) - 2} AS DOUBLE)",
        "ces": lambda c: f"CAST({c} AS DOUBLE)",
        "retention_rate": lambda c: f"CAST(CAST({c} AS BOOLEAN) AS DOUBLE)",
    }
    scale = {"csat": 100, "ces": 1, "retention_rate": 100}

    def weighted_mean(k, c):
        x = values[k](_quote(c))
        return f"{scale[k]} * sum({w} * {x}) / sum(CASE WHEN {x} IS NOT NULL THEN {w} END) AS {k}"

    aggs = [weighted_mean(k, c) for k, c in present.items()]
    group_cols = [_quote(k) for k in keys]
    group = f" GROUP BY {', '.join(group_cols)}" if keys else ""
    sql = f"SELECT {', '.join([*group_cols, *aggs])} FROM src{group}"
    return _fetch(src.relation, sql, src.label), present


# --------------------------------------------------------------------------- filters and narrow reads

_NUMERIC_TYPES = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT",
                  "UINTEGER", "UBIGINT", "UHUGEINT", "FLOAT", "DOUBLE", "DECIMAL", "REAL")  # fmt: skip


def _kind(duck_type) -> str:
    """A DuckDB column type as the filter sees it: number, float, bool, date, text or other."""
    name = str(duck_type).upper()
    if name in ("FLOAT", "DOUBLE", "REAL"):
        return "float"
    if name.startswith(_NUMERIC_TYPES):
        return "number"
    if name == "BOOLEAN":
        return "bool"
    if name.startswith(("DATE", "TIMESTAMP")):
        return "date"
    if name == "VARCHAR":
        return "text"
    return "other"


class _SQLFilter:
    """A parsed filter (``_filters.Filter``) as a DuckDB expression, with pandas' meaning.

    The expression is built with DuckDB's expression objects (columns by
    name, literals as constants), never as SQL text, so no value or column
    name from a config reaches the SQL parser.  Missing values behave as in
    ``Filter.mask``: a comparison with a blank is false except ``!=``, a
    blank is ``in`` a list holding null, and NaN counts as blank.
    ``_SparkFilter`` builds the same tree of Spark Columns.
    """

    def __init__(self, parsed, types: dict):
        self.f, self.types = parsed, types

    def fail(self, message):
        from ._filters import FilterError

        raise FilterError(f"{self.f.where}: {message}")

    # the engine's primitives (DuckDB here, Spark in ``_SparkFilter``)
    def column(self, node):
        import duckdb

        return duckdb.ColumnExpression(node.name)

    def lit(self, value):
        import duckdb

        return duckdb.ConstantExpression(value)

    def coalesce_false(self, expr):
        import duckdb

        return duckdb.CoalesceOperator(expr, duckdb.ConstantExpression(False))

    def isnan(self, col):
        import duckdb

        return duckdb.FunctionExpression("isnan", col)

    def isin(self, col, values):
        return col.isin(*values)

    def date_lit(self, stamp, node):
        return self.lit(stamp.to_pydatetime())

    def isna(self, node):
        col = self.column(node)
        if self.types[node.name] == "float":
            return col.isnull() | self.coalesce_false(self.isnan(col))
        return col.isnull()

    def constant(self, value, node):
        """The literal as the column's kind of value, refused where pandas refuses it."""
        kind = self.types[node.name]
        if isinstance(value, float) and not np.isfinite(value):
            self.fail(f"{value!r} is not a finite number")
        if kind == "date":
            if isinstance(value, bool) or not isinstance(value, str | int):
                self.fail(
                    f"column {node.name!r} holds dates; compare it with a date such as "
                    f'"2025-01-31", got {value!r}'
                )
            try:
                stamp = pd.Timestamp(str(value))
            except (TypeError, ValueError):
                self.fail(f"{value!r} is not a date (column {node.name!r}); write it as "
                          '"2025-01-31"')  # fmt: skip
            return self.date_lit(stamp, node)
        if kind in ("number", "float") and isinstance(value, str | bool):
            self.fail(
                f"column {node.name!r} holds numbers, but the filter compares it with {value!r}"
            )
        if kind == "text" and not isinstance(value, str):
            self.fail(
                f"column {node.name!r} holds text, but the filter compares it with {value!r}; "
                f"quote it: {str(value)!r}"
            )
        return self.lit(value)

    def build(self, node):
        from ._filters import _BoolOp, _Column, _Compare, _Const, _Not

        if isinstance(node, _Const) and isinstance(node.value, bool):
            return self.lit(node.value)
        if isinstance(node, _Column):
            if self.types[node.name] != "bool":
                self.fail(f"column {node.name!r} is not a condition (true/false); compare it")
            return self.coalesce_false(self.column(node))
        if isinstance(node, _Not):
            return ~self.build(node.item)
        if isinstance(node, _BoolOp):
            parts = [self.build(n) for n in node.items]
            out = parts[0]
            for part in parts[1:]:
                out = (out & part) if node.op == "and" else (out | part)
            return out
        if not isinstance(node, _Compare):
            self.fail(f"{self.f.source!r} is not a condition")
        left, right, op = node.left, node.right, node.op
        if isinstance(left, _Const) and isinstance(right, _Column):
            left, right = right, left
            op = {"<": ">", "<=": ">=", ">": "<", ">=": "<="}.get(op, op)
        col = self.column(left)
        if op in ("in", "not in"):
            values = [self.constant(v, left) if v is not None else None for v in right.value]
            given = [v for v in values if v is not None]
            keep = self.coalesce_false(self.isin(col, given)) if given else self.lit(False)
            if len(given) < len(values):
                keep = keep | self.isna(left)
            return ~keep if op == "not in" else keep
        if isinstance(right, _Const) and right.value is None:
            if op not in ("==", "!="):
                self.fail("null can only be compared with == or !=")
            return self.isna(left) if op == "==" else ~self.isna(left)
        other = (
            self.column(right) if isinstance(right, _Column) else self.constant(right.value, left)
        )
        if op == "!=":
            return ~self.coalesce_false(col == other) | self.isna(left)
        result = {"==": col.__eq__, "<": col.__lt__, "<=": col.__le__, ">": col.__gt__,
                  ">=": col.__ge__}[op](other)  # fmt: skip
        out = self.coalesce_false(result) & ~self.isna(left)
        if isinstance(right, _Column):
            out = out & ~self.isna(right)
        return out


class _SparkFilter(_SQLFilter):
    """The same filter as Spark Columns: names through ``F.col`` (backquoted, backquotes
    doubled), values through ``F.lit``; no SQL text is built from a name or a value."""

    def column(self, node):
        return _spark_col(node.name)

    def lit(self, value):
        from pyspark.sql import functions as F

        return F.lit(value)

    def coalesce_false(self, expr):
        from pyspark.sql import functions as F

        return F.coalesce(expr, F.lit(False))

    def isnan(self, col):
        from pyspark.sql import functions as F

        return F.isnan(col)

    def isna(self, node):
        col = self.column(node)
        if self.types[node.name] == "float":
            return col.isNull() | self.coalesce_false(self.isnan(col))
        return col.isNull()

    def date_lit(self, stamp, node):
        # from text, as Spark reads a timestamp: F.lit of a datetime would go through
        # Python's local time zone, not the session's (the filter's date would move)
        text = stamp.isoformat(sep=" ")
        kind = "timestamp_ntz" if self.type_names.get(node.name) == "timestamp_ntz" else "timestamp"
        return self.lit(text).cast(kind)


# Spark type names (DataType.typeName()) as the filter sees them
_SPARK_KINDS = {
    **dict.fromkeys(("byte", "short", "integer", "long", "decimal"), "number"),
    **dict.fromkeys(("float", "double"), "float"),
    "boolean": "bool",
    **dict.fromkeys(("date", "timestamp", "timestamp_ntz"), "date"),
    **dict.fromkeys(("string", "varchar", "char"), "text"),
}


def _spark_filter(parsed, df) -> _SparkFilter:
    types = {f.name: f.dataType.typeName() for f in df.schema.fields}
    out = _SparkFilter(parsed, {c: _SPARK_KINDS.get(t, "other") for c, t in types.items()})
    out.type_names = types
    return out


def filter_relation(relation, row_filter, *, where: str = "filter"):
    """``relation`` with the rows a filter expression or mapping keeps (see ``_filters``).

    The same rows as ``Filter.mask`` on the pandas frame; a column that is
    not there raises ``FilterError`` naming the closest one.

    >>> import duckdb
    >>> rel = duckdb.sql("SELECT * FROM (VALUES (7, 'N'), (6, 'S'), (NULL, 'N')) t(wave, region)")
    >>> filter_relation(rel, "wave == 7 or region != 'N'").fetchall()
    [(7, 'N'), (6, 'S')]

    A Spark DataFrame gives a Spark DataFrame, filtered by Spark Column
    expressions (column names and values are never pasted into SQL text).
    """
    from ._filters import parse_filter

    parsed = parse_filter(row_filter, where=where)
    if parsed is None:
        return relation
    parsed.check_columns(relation.columns)
    if is_spark_dataframe(relation):
        return relation.filter(_spark_filter(parsed, relation).build(parsed.tree))
    types = {c: _kind(t) for c, t in zip(relation.columns, relation.types, strict=True)}
    return relation.filter(_SQLFilter(parsed, types).build(parsed.tree))


def read_columns(source, columns=None, *, row_filter=None, where: str = "filter") -> pd.DataFrame:
    """The rows a filter keeps, only the ``columns`` asked for, read by DuckDB into pandas.

    ``source`` is what ``group_counts`` accepts: a path, glob, list of paths
    or folder of Parquet/CSV files, a DuckDB relation, an Arrow table or a
    Spark DataFrame.  Only the named columns are read from the files (Parquet
    reads no other column at all), and the filter runs in DuckDB (in Spark,
    on the cluster) before anything reaches Python.  Columns not in the data
    raise ``KeyError``.

    >>> import duckdb
    >>> rel = duckdb.sql("SELECT * FROM (VALUES (9, 'N', 1), (3, 'S', 2)) t(recommend, region, x)")
    >>> read_columns(rel, ["recommend"], row_filter={"region": "S"})
       recommend
    0          3
    """
    import duckdb

    if is_spark_dataframe(source):
        df = filter_relation(source, row_filter, where=where)
        if columns is not None:
            columns = list(dict.fromkeys(columns))
            check_columns(list(source.columns), columns, where="the Spark DataFrame")
            df = df.select(*[_spark_col(c).alias(c) for c in columns])
        return spark_pandas(df)
    src = _duckdb_source(_folder_glob(source))
    rel = filter_relation(src.relation, row_filter, where=where)
    if columns is not None:
        columns = list(dict.fromkeys(columns))
        _check_columns(src, columns)
        rel = rel.select(*[duckdb.ColumnExpression(c) for c in columns])
    elif src.file_column:
        rel = rel.select(*[duckdb.ColumnExpression(c) for c in src.columns])
    return rel.df()


def column_names(source) -> list[str]:
    """The columns of a path, glob, folder, DuckDB relation, Arrow table or Spark DataFrame
    (no rows read).

    >>> import duckdb
    >>> column_names(duckdb.sql("SELECT 9 AS recommend, 'N' AS region"))
    ['recommend', 'region']
    """
    if is_spark_dataframe(source):
        return list(source.columns)
    return _duckdb_source(_folder_glob(source)).columns


def relation(source):
    """A DuckDB relation over a path, glob, folder or Arrow table, with only the data's
    columns (a DuckDB relation as it is); for ``filter_relation`` and narrow reads.

    >>> import duckdb
    >>> relation(duckdb.sql("SELECT 9 AS recommend")).columns
    ['recommend']
    """
    import duckdb

    if isinstance(source, duckdb.DuckDBPyRelation):
        return source
    src = _duckdb_source(_folder_glob(source))
    return src.relation.select(*[duckdb.ColumnExpression(c) for c in src.columns])


def in_memory(source, columns, *, name: str = "nps_kept"):
    """A DuckDB relation on an in-memory copy of ``columns`` of a path, glob or folder.

    The copy is a table ``name`` of the module's private database (replacing
    a previous one of that name), under its memory limit (``configure``), so
    that a process filtering the same files many times (a report per store)
    scans them once.  A DuckDB relation is its own data: its columns are
    selected, nothing is copied.

    >>> import duckdb
    >>> rel = in_memory(duckdb.sql("SELECT 9 AS recommend, 'N' AS region"), ["recommend"])
    >>> rel.columns, rel.fetchall()
    (['recommend'], [(9,)])
    """
    import duckdb

    expressions = [duckdb.ColumnExpression(c) for c in columns]
    if isinstance(source, duckdb.DuckDBPyRelation):
        _check_columns(_Source(source, "the DuckDB relation"), list(columns))
        return source.select(*expressions)
    src = _duckdb_source(_folder_glob(source))
    _check_columns(src, list(columns))
    src.con.execute(f"DROP TABLE IF EXISTS {_quote(name)}")
    src.relation.select(*expressions).create(name)  # in the module's database (src.con's)
    return src.con.table(name)


def row_count(source) -> int:
    """How many rows a path, glob, folder, DuckDB relation, Arrow table or Spark DataFrame holds.

    >>> import duckdb
    >>> row_count(duckdb.sql("SELECT * FROM range(7)"))
    7
    """
    if is_spark_dataframe(source):
        return int(source.count())
    src = _duckdb_source(_folder_glob(source))
    stamp = _files_stamp(tuple(src.paths), src.con) if src.paths else ()
    if not stamp or any(size is None for _, size, _ in stamp):
        stamp = None  # a relation, or remote files: nothing tells when they change
    if stamp in _ROW_COUNTS:
        return _ROW_COUNTS[stamp]  # a CSV is scanned to count it: once a report, not twice
    n = int(_fetch(src.relation, "SELECT count(*) AS n FROM src", src.label)["n"].iloc[0])
    if stamp is not None:
        if len(_ROW_COUNTS) >= 64:
            _ROW_COUNTS.clear()
        _ROW_COUNTS[stamp] = n
    return n


_ROW_COUNTS: dict = {}  # files (name, size, change time) -> rows


def _folder_glob(source):
    """A folder (a Parquet dataset, Hive partitions too) as the glob of its Parquet files."""
    if isinstance(source, (str, os.PathLike)) and os.path.isdir(source):
        return os.path.join(os.fspath(source), "**", "*.parquet")
    return source


def quote(name) -> str:
    """A column name as a SQL identifier in double quotes (embedded quotes doubled).

    >>> quote('a"b')
    '"a""b"'
    """
    return _quote(name)


class SQLSource:
    """A path, glob, folder, DuckDB relation or Arrow table to run SELECTs on, as ``src``.

    For functions that need more than counts (driver sums): the columns are
    checked once (``KeyError`` listing those that exist), and each query's
    conversion errors name the source.

    >>> import duckdb
    >>> q = SQLSource(duckdb.sql("SELECT 9 AS recommend"), ["recommend"])
    >>> q("SELECT count(*) AS n FROM src")["n"].tolist()
    [1]
    """

    def __init__(self, source, columns=()):
        self._src = _duckdb_source(_folder_glob(source))
        _check_columns(self._src, list(columns))
        self.label = self._src.label

    def __call__(self, sql: str) -> pd.DataFrame:
        return _fetch(self._src.relation, sql, self.label)


# --------------------------------------------------------------------------- Spark data in a report

SPARK_FORMATS = ("parquet", "csv", "json", "orc")  # what ``spark.read`` reads with no plug-in
SPARK_KEYS = ("table", "path", "format", "master")  # the keys of a ``spark:`` block, no other
SPARK_DEFAULT_MASTER = "local[*]"
_SPARK_PREFIX = "spark:"
# a table in the session's catalog: name, db.name or catalog.db.name, plain identifiers
_SPARK_TABLE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*){0,2}")
_HOST = r"[A-Za-z0-9][A-Za-z0-9.\-]*(:\d{1,5})?"
# master URLs of a session the toolkit starts: local threads, a standalone cluster, YARN, k8s
_SPARK_MASTER = re.compile(
    rf"local(\[(\*|[1-9]\d{{0,3}})(,[1-9]\d{{0,2}})?\])?|yarn|spark://{_HOST}(,{_HOST})*"
    rf"|k8s://https?://{_HOST}"
)
_URI = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*://")


def is_spark_spec(data) -> bool:
    """Whether a report's ``data`` names Spark data (``"spark:..."`` or ``{"spark": {...}}``).

    >>> is_spark_spec("spark:table:nps.responses"), is_spark_spec("survey.csv")
    (True, False)
    """
    if isinstance(data, str):
        return data.startswith(_SPARK_PREFIX)
    return isinstance(data, dict) and "spark" in data


def spark_spec(data, *, base=None, where: str = "data") -> dict:
    """A report's Spark ``data`` checked and written out in full: ``{"spark": {...}}``.

    Two spellings name the same thing::

        data: spark:parquet:exports/*.parquet       # spark:<format>:<path>
        data: spark:table:nps.responses             # spark:table:<name>
        data:
          spark: {path: "s3a://bucket/nps/", format: parquet, master: "yarn"}

    The block holds ``table`` (a table of the session's catalog: ``name``,
    ``db.name`` or ``catalog.db.name``) or ``path`` (what ``spark.read``
    reads: a file, folder or glob, local or a URI such as ``s3a://``,
    ``hdfs://``) with ``format`` (one of ``SPARK_FORMATS``, default
    ``parquet``), and ``master`` (``local[*]`` by default, ``local[N]``,
    ``spark://host:port``, ``yarn`` or ``k8s://https://host:port``).  Every
    value is a plain string checked against these forms; nothing is
    evaluated and no other key (no Spark settings, no jars) is accepted.  A
    relative local path is taken relative to ``base`` (the config's folder).
    ``ValueError`` starting with ``where`` says what is wrong.

    >>> spark_spec("spark:table:nps.responses")
    {'spark': {'table': 'nps.responses', 'master': 'local[*]'}}
    >>> spark_spec({"spark": {"path": "s3a://b/nps/", "master": "yarn"}})
    {'spark': {'path': 's3a://b/nps/', 'format': 'parquet', 'master': 'yarn'}}
    """

    def fail(message):
        raise ValueError(f"{where}: {message}")

    if isinstance(data, str):
        if not data.startswith(_SPARK_PREFIX):
            fail(f"Spark data starts with 'spark:', got {data!r}")
        kind, sep, rest = data[len(_SPARK_PREFIX) :].partition(":")
        if not sep or not rest:
            fail(
                "Spark data is 'spark:table:<name>' or 'spark:<format>:<path>' with a format "
                f"among {list(SPARK_FORMATS)}, got {data!r}"
            )
        block = {"table": rest} if kind == "table" else {"path": rest, "format": kind}
    elif isinstance(data, dict) and set(data) == {"spark"} and isinstance(data["spark"], dict):
        block = dict(data["spark"])
    else:
        fail(
            "Spark data is 'spark:table:<name>', 'spark:<format>:<path>' or a mapping "
            f"{{spark: {{table or path, format, master}}}}, got {data!r}"
        )
    unknown = sorted(map(str, set(block) - set(SPARK_KEYS)))
    if unknown:
        fail(f"unknown Spark key(s) {unknown}; valid: {list(SPARK_KEYS)}")
    bad = [k for k, v in block.items() if not isinstance(v, str) or not v.strip()]
    if bad:
        fail(f"Spark key {bad[0]!r} must be a non-empty string, got {block[bad[0]]!r}")
    if any(ch in v for v in block.values() for ch in "\0\n\r"):
        fail("Spark values are one line of text")
    if ("table" in block) == ("path" in block):
        fail("give Spark either 'table' (a table name) or 'path' (files Spark reads), not both")
    master = block.get("master", SPARK_DEFAULT_MASTER)
    if not _SPARK_MASTER.fullmatch(master):
        fail(
            f"Spark master {master!r} is not one of local, local[N], local[*], "
            "spark://host:port, yarn, k8s://https://host:port"
        )
    if "table" in block:
        if "format" in block:
            fail("a Spark 'table' has no 'format'; 'format' goes with 'path'")
        if not _SPARK_TABLE.fullmatch(block["table"]):
            fail(
                f"Spark table {block['table']!r} is not a table name (name, db.name or "
                "catalog.db.name, letters, digits and _)"
            )
        return {"spark": {"table": block["table"], "master": master}}
    fmt = block.get("format", "parquet")
    if fmt not in SPARK_FORMATS:
        fail(f"Spark format {fmt!r} is not one of {list(SPARK_FORMATS)}")
    path = block["path"]
    if base is not None and not _URI.match(path) and not os.path.isabs(path):
        path = os.path.normpath(os.path.join(os.fspath(base), path))
    return {"spark": {"path": path, "format": fmt, "master": master}}


def spark_label(spec) -> str:
    """What a report says its Spark data is: the table, or the format and the last part
    of the path (never the folders, as for files).

    >>> spark_label("spark:parquet:/home/me/exports/*.parquet")
    "Spark parquet '*.parquet'"
    """
    block = spark_spec(spec)["spark"]
    if "table" in block:
        return f"Spark table {block['table']!r}"
    return (
        f"Spark {block['format']} {os.path.basename(block['path'].rstrip('/')) or block['path']!r}"
    )


def _java_found() -> bool:
    home = os.environ.get("JAVA_HOME")
    if home and os.path.isfile(os.path.join(home, "bin", "java")):
        return True
    return shutil.which("java") is not None


def spark_session(master: str = SPARK_DEFAULT_MASTER, *, where: str = "Spark data"):
    """The active Spark session, or a new one on ``master`` (pyspark imported only here).

    A session the toolkit starts reads timestamps in UTC (as pandas reads
    them, naive) and collects frames through Arrow.  Without pyspark or Java
    the error says so, starting with ``where`` (the report entry).
    """
    try:
        with _spark_quiet():
            from pyspark.sql import SparkSession
    except ImportError:
        raise ImportError(
            f"{where}: reading Spark data needs pyspark, which is not installed: "
            "pip install 'nps-toolkit[spark]' (and Java 17 or newer)"
        ) from None
    active = SparkSession.getActiveSession()
    if active is not None:
        return active
    if not _java_found():
        raise RuntimeError(
            f"{where}: Spark needs a Java runtime (17 or newer), and none is on PATH or in "
            "JAVA_HOME; install one (e.g. apt-get install openjdk-17-jre-headless)"
        )
    builder = (
        SparkSession.builder.master(master)
        .appName("nps-toolkit")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .config("spark.ui.showConsoleProgress", "false")
    )
    # The JVM's log goes to a temporary file, not the kernel's stderr: its start-up
    # lines name the host, its addresses and local folders, and a report notebook
    # keeps every line a cell prints.  Its last lines explain a start that fails.
    log = tempfile.TemporaryFile()
    saved = os.dup(2)
    try:
        os.dup2(log.fileno(), 2)  # the JVM started now inherits this stderr
        with _spark_quiet():
            session = builder.getOrCreate()
    except Exception as exc:  # a JVM that does not start, a master that does not answer
        os.dup2(saved, 2)
        log.seek(0)
        tail = log.read().decode("utf-8", "replace").strip().splitlines()[-3:]
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise RuntimeError(
            f"{where}: Spark did not start on master {master!r}: {first}"
            + (" (" + " / ".join(tail) + ")" if tail else "")
        ) from exc
    finally:
        os.dup2(saved, 2)
        os.close(saved)
    session.sparkContext.setLogLevel("ERROR")
    return session


def spark_fingerprint(df) -> tuple[int, str]:
    """The rows of a Spark DataFrame and a SHA-256 identifying them, in one aggregation.

    Spark gives rows in no fixed order and a table has no file to hash, so
    the digest is the SHA-256 of the row count, the sum (modulo a prime) and
    the XOR of the rows' 64-bit hashes (``xxhash64`` of every column; map
    columns, which Spark cannot hash, are left out): the same rows in any
    order give the same digest, a changed value another one (but for a
    64-bit collision).
    """
    import hashlib

    from pyspark.sql import functions as F

    columns = [_spark_col(f.name) for f in df.schema.fields if f.dataType.typeName() != "map"]
    h = F.xxhash64(*columns) if columns else F.lit(0).cast("long")
    row = df.agg(
        F.count(F.lit(1)).alias("n"),
        F.sum(F.pmod(h, F.lit(2**31 - 1))).alias("s"),  # < 2**31 a row: no overflow
        F.bit_xor(h).alias("x"),
    ).collect()[0]
    n = int(row["n"])
    text = f"nps-toolkit spark rows {n} sum {row['s'] or 0} xor {row['x'] or 0}"
    return n, hashlib.sha256(text.encode()).hexdigest()


def spark_source(spec, row_filter=None, *, where: str = "Spark data", filter_where="filter"):
    """The Spark DataFrame a report's ``data`` names, with the filter's rows only.

    ``spec`` is what ``spark_spec`` reads (``"spark:parquet:/data/*.parquet"``,
    ``{"spark": {"table": "nps.responses"}}`` ...).  The session is the
    active one or a new one on the spec's master (``spark_session``); the
    filter (a ``_filters`` expression or mapping) becomes Spark Column
    expressions (``filter_relation``), so the counting (``group_counts``,
    ``summarize`` ...), ``read_columns`` and ``driver_importance`` run on the
    cluster and only their results reach the kernel.  Errors start with
    ``where`` (the report entry) or ``filter_where`` (its filter).
    """
    block = spark_spec(spec, where=where)["spark"]
    session = spark_session(block["master"], where=where)
    label = spark_label(spec)
    try:
        reader = None
        if "table" in block:
            df = session.read.table(block["table"])
        else:
            reader = session.read.format(block["format"])
            if block["format"] == "csv":
                reader = reader.option("header", "true").option("inferSchema", "true")
            df = reader.load(block["path"])
    except Exception as exc:  # AnalysisException: no such table or path
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ValueError(f"{where}: Spark cannot read {label}: {first}") from exc
    if block.get("format") in ("parquet", "csv"):
        df = _spark_wall_clock(df, block["path"], block["format"], reader)
    return filter_relation(df, row_filter, where=filter_where)


def _spark_wall_clock(df, path: str, fmt: str, reader):
    """Local times with a zone, as wall times in that zone (as pandas and DuckDB read
    them, ``_wall_clocks``): Parquet times stored with a zone, CSV text with UTC
    offsets.  Spark reads them as instants, cut in UTC.  CSV text with several
    offsets ("+02:00" in winter, "+03:00" in summer) is read again as text (``reader``)
    and each value's offset dropped."""
    from pyspark.sql import functions as F
    from pyspark.sql.types import StringType, StructField, StructType, TimestampType

    zoned = tuple(f.name for f in df.schema.fields if isinstance(f.dataType, TimestampType))
    if not zoned or "://" in path:  # a cluster's files: their zone cannot be read here
        return df
    stamp = _files_stamp((os.fspath(_folder_glob(path) if fmt == "parquet" else path),),
                         _connection())  # fmt: skip
    if not stamp:
        return df
    wall = _wall_clocks(stamp, fmt, zoned)
    texts = {col for col, (kind, _) in wall.items() if kind == "text"}
    if texts:
        fields = [StructField(f.name, StringType(), f.nullable) if f.name in texts else f
                  for f in df.schema.fields]  # fmt: skip
        df = reader.schema(StructType(fields)).load(path)
    # the pattern pandas and DuckDB use, in Java's syntax (an unnamed group)
    pattern = OFFSET_AFTER_TIME.pattern.replace("(?P<time>", "(")
    for col, (kind, value) in wall.items():
        if kind == "text":
            bare = F.regexp_replace(F.trim(df[col]), pattern, "$1")
            df = df.withColumn(col, bare.cast("timestamp"))
            continue
        if kind == "offset":  # seconds east of UTC as "+03:00"
            sign, value = ("+" if value >= 0 else "-"), abs(value)
            value = f"{sign}{value // 3600:02d}:{value % 3600 // 60:02d}"
        df = df.withColumn(col, F.from_utc_timestamp(df[col], value))
    return df
