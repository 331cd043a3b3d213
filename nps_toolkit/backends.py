"""Count where the data lives: DuckDB for files and relations, Spark for clusters.

Every NPS statistic except drivers and themes needs only category counts per
group, so for large surveys the heavy part (classify and count) runs where
the data is and only one small row per group comes back to pandas.
``scoring.group_counts`` sends every source that is not a pandas DataFrame
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
column raises ``KeyError`` listing the columns that exist, and scores that
are not whole numbers from 0 to 10 (or negative/missing weights) raise
``ValueError`` with how many there are and a few examples with their file
names (and row numbers for Parquet, counting from 0).

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

import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .scoring import _PERIOD_FREQ, COUNT_COLUMNS, _as_list

PARQUET_SUFFIXES = (".parquet", ".pq", ".parq")
CSV_SUFFIXES = (".csv", ".tsv", ".txt")
_COMPRESSION_SUFFIXES = (".gz", ".zst", ".bz2")

# Names of helper columns inside the generated SQL; chosen so that they do
# not clash with survey columns.
_FILE = "__nps_file"
_X, _GIVEN, _W = "__nps_x", "__nps_given", "__nps_w"
_BAD_SCORE, _BAD_WEIGHT = "__nps_bad_score", "__nps_bad_weight"

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
            config = {"memory_limit": str(_SETTINGS["memory_limit"])}
            if _SETTINGS["threads"] is not None:
                config["threads"] = int(_SETTINGS["threads"])
            if _SETTINGS["temp_directory"] is not None:
                config["temp_directory"] = os.fspath(_SETTINGS["temp_directory"])
            _DATABASE = duckdb.connect(":memory:", config=config)
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
        sql = f"SELECT * FROM read_csv_auto($1, union_by_name = true, filename = '{_FILE}')"
    return con.sql(sql, params=[paths]), fmt


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
    existing = src.columns
    missing = [c for c in dict.fromkeys(needed) if c not in existing]
    if missing:
        raise KeyError(f"column(s) {missing} not in {src.label}; columns are {existing}")


def _keys_and_period(by, period) -> tuple[list, tuple | None]:
    keys = _as_list(by)
    if period is None:
        return keys, None
    date, freq = period
    if freq not in _PERIOD_FREQ:
        raise ValueError(f"unknown freq {freq!r}; valid: {sorted(_PERIOD_FREQ)}")
    if "period" in keys:
        raise ValueError("a group column is called 'period', which clashes with period=")
    return keys, (date, _PERIOD_FREQ[freq])


def _score_sql(score: str, weights) -> tuple[str, str, str]:
    """SQL select list of the cleaned score and weight, plus the bad-row conditions.

    TRY_CAST keeps text columns (a CSV with "ten" in it) countable so that
    bad values are reported, not raised as a cast error half-way through.
    """
    raw = _quote(score)
    x = f"TRY_CAST({raw} AS DOUBLE)"
    cols = f"{x} AS {_X}, ({raw} IS NOT NULL) AS {_GIVEN}"
    if weights is not None:
        cols += f", TRY_CAST({_quote(weights)} AS DOUBLE) AS {_W}"
    # NaN is a blank answer (as in pandas); anything else must be 0..10 whole.
    bad_score = (
        f"({_GIVEN} AND ({_X} IS NULL OR (NOT isnan({_X}) AND "
        f"({_X} < 0 OR {_X} > 10 OR {_X} <> round({_X})))))"
    )
    bad_weight = f"({_W} IS NULL OR isnan({_W}) OR {_W} < 0)" if weights is not None else "false"
    return cols, bad_score, bad_weight


def _counts_sql(keys, period, score, weights) -> str:
    """One GROUP BY query over the virtual table ``src`` (three nested SELECTs)."""
    sel = [_quote(k) for k in keys]
    if period is not None:
        date, freq = period
        sel.append(f"date_trunc('{_TRUNC[freq]}', CAST({_quote(date)} AS TIMESTAMP)) AS period")
    group_cols = [_quote(k) for k in keys] + (["period"] if period is not None else [])
    cols, bad_score, bad_weight = _score_sql(score, weights)
    cast = f"SELECT {', '.join([*sel, cols])} FROM src"
    s, w = "__nps_s", _W
    clean = (
        f"SELECT {', '.join([*group_cols, *([w] if weights is not None else [])])}"
        f"{', ' if group_cols or weights is not None else ''}"
        f"CASE WHEN isnan({_X}) OR {bad_score} THEN NULL ELSE {_X} END AS {s}, "
        f"{bad_score} AS {_BAD_SCORE}, {bad_weight} AS {_BAD_WEIGHT} FROM ({cast})"
    )
    aggs = [
        f"count({s}) AS n",
        f"count(*) FILTER (WHERE {s} < 7) AS detractors",
        f"count(*) FILTER (WHERE {s} >= 7 AND {s} < 9) AS passives",
        f"count(*) FILTER (WHERE {s} >= 9) AS promoters",
        f"count(*) FILTER (WHERE {s} IS NULL AND NOT {_BAD_SCORE}) AS excluded_blank",
    ]
    if weights is not None:
        aggs += [
            f"COALESCE(sum({w}) FILTER (WHERE {s} IS NOT NULL), 0.0)::DOUBLE AS w_n",
            f"COALESCE(sum({w}) FILTER (WHERE {s} < 7), 0.0)::DOUBLE AS w_detractors",
            f"COALESCE(sum({w}) FILTER (WHERE {s} >= 9), 0.0)::DOUBLE AS w_promoters",
            f"COALESCE(sum({w} * {w}) FILTER (WHERE {s} IS NOT NULL), 0.0)::DOUBLE AS w_sq",
        ]
    aggs += [
        f"count(*) FILTER (WHERE {_BAD_SCORE}) AS {_BAD_SCORE}",
        f"count(*) FILTER (WHERE {_BAD_WEIGHT}) AS {_BAD_WEIGHT}",
    ]
    group = f" GROUP BY {', '.join(group_cols)}" if group_cols else ""
    return f"SELECT {', '.join([*group_cols, *aggs])} FROM ({clean}){group}"


def _format_examples(rows) -> str:
    parts = []
    for value, file, row in rows:
        where = [p for p in (file and os.fspath(file), row is not None and f"row index {row}") if p]
        parts.append(f"{value!r}" + (f" ({', '.join(where)})" if where else ""))
    return ", ".join(parts)


def _duckdb_examples(src: _Source, column: str, condition_sql: str, extra_cols: str) -> str:
    """A few offending values with their file (and Parquet row number)."""
    rel, row_col = src.relation, None
    if src.fmt == "parquet":
        try:  # a second relation with row numbers, only on this error path
            rel, _ = _read_files(src.paths, src.con, row_numbers=True)
            row_col = "file_row_number"
        except Exception:  # a data column called file_row_number: files only
            rel = src.relation
    file_sql = _FILE if src.file_column else "NULL"
    row_sql = row_col or "NULL"
    sql = (
        f"SELECT {_quote(column)}, {file_sql}, {row_sql} FROM "
        f"(SELECT *, {extra_cols} FROM src) WHERE {condition_sql} LIMIT 5"
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
    out = _fetch(src.relation, _counts_sql(keys, period, score, weights), src.label)
    cols, bad_score, bad_weight = _score_sql(score, weights)
    n_bad = int(out[_BAD_SCORE].sum())
    if n_bad:
        examples = _duckdb_examples(src, score, bad_score, cols)
        raise ValueError(
            f"column {score!r}: {n_bad} value(s) are not whole numbers from 0 to 10 "
            f"in {src.label}, e.g. {examples}"
        )
    n_bad = int(out[_BAD_WEIGHT].sum())
    if n_bad:
        examples = _duckdb_examples(src, weights, bad_weight, cols)
        raise ValueError(
            f"weights column {weights!r}: {n_bad} value(s) are missing, not numbers or "
            f"negative in {src.label} (weights must be non-negative numbers), e.g. {examples}"
        )
    return _tidy_counts(out, keys, period, weighted=weights is not None)


def _tidy_counts(out: pd.DataFrame, keys: list, period, *, weighted: bool) -> pd.DataFrame:
    """Shape an engine's result like the pandas path: dtypes, Periods, group order."""
    out = out.drop(columns=[_BAD_SCORE, _BAD_WEIGHT])
    for c in ("n", "detractors", "passives", "promoters", "excluded_blank"):
        out[c] = out[c].astype(np.int64)
    if weighted:
        for c in ("w_n", "w_detractors", "w_promoters", "w_sq"):
            out[c] = out[c].astype(np.float64)
    else:  # as in the pandas path: without weights the weighted sums are the counts
        out["w_n"], out["w_detractors"] = out["n"], out["detractors"]
        out["w_promoters"], out["w_sq"] = out["promoters"], out["n"]
    for k in keys:
        if out[k].dtype == object and out[k].map(lambda v: v is None or isinstance(v, str)).all():
            out[k] = out[k].astype("str")  # Spark returns text as object
    if period is not None:
        out["period"] = pd.to_datetime(out["period"]).dt.to_period(period[1])
        keys = [*keys, "period"]
    if not keys:
        return out[COUNT_COLUMNS].reset_index(drop=True)
    # pandas' groupby(sort=True, dropna=False) order: sorted, missing last.
    out = out.sort_values(keys, na_position="last", kind="stable", ignore_index=True)
    return out[[*keys, *COUNT_COLUMNS]]


# --------------------------------------------------------------------------- Spark


def _spark_col(name: str):
    from pyspark.sql import functions as F

    return F.col("`" + str(name).replace("`", "``") + "`")


def _spark_parts(df, score, weights):
    from pyspark.sql import functions as F

    raw = _spark_col(score)
    # try_cast: Spark 4 runs in ANSI mode, where a plain cast of "ten" fails.
    x = F.expr("try_cast(`" + score.replace("`", "``") + "` AS DOUBLE)")
    bad = raw.isNotNull() & (x.isNull() | (~F.isnan(x) & ((x < 0) | (x > 10) | (x != F.round(x)))))
    s = F.when(F.isnan(x) | bad, F.lit(None).cast("double")).otherwise(x)
    if weights is None:
        return s, bad, None, F.lit(False)
    w = F.expr("try_cast(`" + weights.replace("`", "``") + "` AS DOUBLE)")
    bad_w = w.isNull() | F.isnan(w) | (w < 0)
    return s, bad, w, bad_w


def _spark_group_counts(df, score, by, weights, period) -> pd.DataFrame:
    from pyspark.sql import functions as F

    keys, period = _keys_and_period(by, period)
    needed = [score, *keys] + ([weights] if weights is not None else [])
    if period is not None:
        needed.append(period[0])
    missing = [c for c in dict.fromkeys(needed) if c not in df.columns]
    if missing:
        raise KeyError(f"column(s) {missing} not in the Spark DataFrame; columns are {df.columns}")
    s, bad, w, bad_w = _spark_parts(df, score, weights)
    group = [_spark_col(k).alias(k) for k in keys]
    if period is not None:
        date, freq = period
        trunc = F.date_trunc(_TRUNC[freq], _spark_col(date).cast("timestamp"))
        group.append(trunc.alias("period"))

    def count_if(cond):
        return F.count(F.when(cond, F.lit(1)))

    def sum_if(cond, value):
        return F.coalesce(F.sum(F.when(cond, value)), F.lit(0.0)).cast("double")

    aggs = [
        F.count(s).alias("n"),
        count_if(s < 7).alias("detractors"),
        count_if((s >= 7) & (s < 9)).alias("passives"),
        count_if(s >= 9).alias("promoters"),
        count_if(s.isNull() & ~bad).alias("excluded_blank"),
    ]
    if w is not None:
        aggs += [
            sum_if(s.isNotNull(), w).alias("w_n"),
            sum_if(s < 7, w).alias("w_detractors"),
            sum_if(s >= 9, w).alias("w_promoters"),
            sum_if(s.isNotNull(), w * w).alias("w_sq"),
        ]
    aggs += [count_if(bad).alias(_BAD_SCORE), count_if(bad_w).alias(_BAD_WEIGHT)]
    grouped = df.groupBy(*group).agg(*aggs) if group else df.agg(*aggs)
    out = grouped.toPandas()  # one row per group: small

    def examples(cond, column):
        rows = (
            df.filter(cond)
            .select(_spark_col(column).alias("v"), F.input_file_name().alias("f"))
            .limit(5)
            .collect()
        )
        return _format_examples((r["v"], r["f"] or None, None) for r in rows)

    n_bad = int(out[_BAD_SCORE].sum())
    if n_bad:
        raise ValueError(
            f"column {score!r}: {n_bad} value(s) are not whole numbers from 0 to 10 "
            f"in the Spark DataFrame, e.g. {examples(bad, score)}"
        )
    n_bad = int(out[_BAD_WEIGHT].sum())
    if n_bad:
        raise ValueError(
            f"weights column {weights!r}: {n_bad} value(s) are missing, not numbers or "
            f"negative in the Spark DataFrame (weights must be non-negative numbers), "
            f"e.g. {examples(bad_w, weights)}"
        )
    return _tidy_counts(out, keys, period, weighted=w is not None)


# --------------------------------------------------------------------------- public


def group_counts(
    source, *, score: str = "recommend", by=None, weights=None, period=None
) -> pd.DataFrame:
    """Category counts per group, counted in DuckDB or Spark (see ``scoring.group_counts``).

    Parameters
    ----------
    source : path, glob or list of paths of Parquet/CSV files, a DuckDB
        relation, an Arrow table or a Spark DataFrame.
    score : column with the 0-10 answers; blanks (NULL, NaN) are counted in
        ``excluded_blank``.
    by : group column name or list of names; missing values form their own group.
    weights : name of a column of non-negative survey weights.
    period : ``(date_column, freq)`` adds a ``period`` key of pandas Periods
        (freq "QE", "ME", "YE", "W" or "D").

    Returns
    -------
    DataFrame with the group columns (and ``period``) followed by
    ``scoring.COUNT_COLUMNS``, one row per group in pandas' groupby order.

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
    return _duckdb_group_counts(source, score, by, weights, period)


def summary_extras(
    source,
    by=None,
    *,
    csat_column: str | None = "csat",
    csat_scale: int = 5,
    ces_column: str | None = "ces",
    retention_column: str | None = "retained",
) -> pd.DataFrame | None:
    """CSAT, CES and retention rate per group, computed in DuckDB or Spark.

    The out-of-core twin of the extras ``summarize`` adds for a DataFrame:
    ``csat`` (% of ratings in the top two boxes of 1..csat_scale), ``ces``
    (mean) and ``retention_rate`` (% true), each over the non-blank values of
    the group.  Columns that do not exist are skipped; ``None`` when none do.

    >>> import duckdb
    >>> rel = duckdb.sql("SELECT * FROM (VALUES (5, 2, true), (3, 4, false)) t(csat, ces, retained)")
    >>> summary_extras(rel).to_dict("records")
    [{'csat': 50.0, 'ces': 3.0, 'retention_rate': 50.0}]
    """
    keys = _as_list(by)
    wanted = {
        "csat": csat_column,
        "ces": ces_column,
        "retention_rate": retention_column,
    }
    if is_spark_dataframe(source):
        from pyspark.sql import functions as F

        present = {k: c for k, c in wanted.items() if c and c in source.columns}
        if not present:
            return None
        exprs = {
            "csat": lambda c: (
                F.avg(F.when(c.isNotNull(), (c > csat_scale - 2).cast("double"))) * 100
            ),
            "ces": lambda c: F.avg(c.cast("double")),
            "retention_rate": lambda c: F.avg(c.cast("boolean").cast("double")) * 100,
        }
        aggs = [exprs[k](_spark_col(c)).alias(k) for k, c in present.items()]
        group = [_spark_col(k).alias(k) for k in keys]
        res = (source.groupBy(*group).agg(*aggs) if group else source.agg(*aggs)).toPandas()
    else:
        src = _duckdb_source(source)
        _check_columns(src, keys)
        present = {k: c for k, c in wanted.items() if c and c in src.columns}
        if not present:
            return None
        exprs = {
            "csat": lambda c: f"100 * avg(CAST({c} > {int(csat_scale) - 2} AS DOUBLE))",
            "ces": lambda c: f"avg(CAST({c} AS DOUBLE))",
            "retention_rate": lambda c: f"100 * avg(CAST(CAST({c} AS BOOLEAN) AS DOUBLE))",
        }
        aggs = [f"{exprs[k](_quote(c))} AS {k}" for k, c in present.items()]
        group_cols = [_quote(k) for k in keys]
        group = f" GROUP BY {', '.join(group_cols)}" if keys else ""
        sql = f"SELECT {', '.join([*group_cols, *aggs])} FROM src{group}"
        res = _fetch(src.relation, sql, src.label)
    for k in present:
        res[k] = res[k].astype(np.float64)
    for k in keys:
        if res[k].dtype == object and res[k].map(lambda v: v is None or isinstance(v, str)).all():
            res[k] = res[k].astype("str")
    if keys:
        res = res.sort_values(keys, na_position="last", kind="stable", ignore_index=True)
    return res[[*keys, *present]]
