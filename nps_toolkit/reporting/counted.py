"""The report of a survey too large for pandas: counted where the data lives.

Above ``COUNTED_ROWS`` rows (or with ``backend: duckdb`` in the survey's
entry), and for Spark data (``data: spark:...``, counted on Spark unless
``backend: pandas``), the report's kernel never builds the full frame.  ``load_data``
returns a ``Counted``: the data as the backends count it (``source``: a
path, a glob or a DuckDB relation with the entry's filter compiled to SQL
by ``backends.filter_relation``; a Spark DataFrame the same way), its column
names, row count and provenance.  Each section then takes its numbers from
the backend-generic functions, which accept such a source as they accept a
DataFrame:

* headline, answer shares, responses, segments and trend: ``nps.summarize``,
  ``nps.compare_segments`` and ``nps.nps_trend`` (one grouped count each);
* drivers: ``nps.driver_importance`` from DuckDB sums (``drivers.py``);
* comments: a narrow frame of the columns the comment analyses read
  (``comment_sample``), every row when there are at most ``COMMENT_CAP``
  comments, else a seeded random sample of rows holding about that many
  comments, its size stated in the report;
* follow-up: the headline's detractors and promoters only, in a narrow frame.

What needs every row in Python, or a column per respondent that the counts
do not carry, is refused with the option named (``UNSUPPORTED``): the entry
then needs ``backend: pandas``; with ``backend: auto`` such an entry is
simply read into pandas.

On data that fits in memory the two paths give the same tables
(``tests/test_counted.py`` renders the sections both ways).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

import pandas as pd

from .config import ConfigError

# Above this many rows (after nothing: the files' own count, cheap from Parquet
# metadata) ``backend: auto`` counts the report in DuckDB instead of pandas.
COUNTED_ROWS = 2_000_000
# At most about this many comments are read into Python for themes, sentiment,
# quotes and terms; above it a seeded random sample of the rows is read.
COMMENT_CAP = 100_000
BACKENDS = ("auto", "pandas", "duckdb")


@dataclass
class Counted:
    """The report's data where it lives: what the backends count, not a frame.

    ``source`` is what ``nps.summarize`` and the other backend-generic
    functions are given (the path itself, or a relation with the entry's
    filter); ``columns`` the data's column names; ``rows`` how many rows the
    report is about (``len``); ``attrs`` the provenance a DataFrame carries in
    its ``attrs`` (``sha256``, ``source``, ``filter``, ``rows_before_filter``).
    """

    source: object = field(repr=False)
    columns: list
    rows: int
    attrs: dict = field(default_factory=dict)

    def __len__(self) -> int:
        return self.rows

    def where(self, row_filter) -> Counted:
        """These rows narrowed by another filter (the headline's latest wave or period)."""
        from ..backends import filter_relation, row_count

        source = filter_relation(relation(self.source), row_filter, where="the report's rows")
        return Counted(source, list(self.columns), row_count(source), dict(self.attrs))


def is_counted(df) -> bool:
    return isinstance(df, Counted)


def relation(source):
    """``source`` as ``backends.filter_relation`` takes it: a path, glob or folder as a DuckDB
    relation of its columns (``backends.relation``), a relation or Spark DataFrame as it is."""
    from .. import backends

    if backends.is_spark_dataframe(source):
        return source
    return backends.relation(source)


# --- which backend ------------------------------------------------------------

# Options the counted report cannot honour, with why: {parameter: reason}.
UNSUPPORTED = {
    "columns": "renames and a columns file are applied by load_survey",
    "date_format": "dates are read by DuckDB as the file stores them",
    "recode": "recoding answers needs load_survey",
    "header_rows": "header rows are read by load_survey",
    "na_values": "extra blank answers are read by load_survey",
    "scale": "the score's scale check is load_survey's",
    "rake": "raking builds a weight for every row in pandas",
    "value_labels": "value labels rename groups in the pandas frame",
    "target": "the test against a target reads every headline answer",
}


def _set(value) -> bool:
    return value not in (None, {}, [], (), "")


def unsupported(parameters: dict, columns=()) -> list[str]:
    """The parameters of ``parameters`` that a counted report cannot honour, with why."""
    out = [f"{k} ({why})" for k, why in UNSUPPORTED.items() if _set(parameters.get(k))]
    if parameters.get("method") in ("bootstrap", "bca"):
        out.append("method bootstrap/bca (resampling reads every answer; use adjusted-wald)")
    account = parameters.get("account")
    if isinstance(account, str) and account in columns:
        out.append("account (cluster-robust intervals need every respondent's account)")
    invited = parameters.get("invited")
    if isinstance(invited, str) and invited in columns:
        out.append("invited as a column (give the number invited instead)")
    if _set(parameters.get("banners")) and "xlsx" in (parameters.get("outputs") or ()):
        out.append("banners (the banner workbook reads every answer)")
    return out


def choose_backend(data_path, parameters: dict, backend: str = "auto") -> str:
    """``"pandas"`` or ``"duckdb"`` for this data and these parameters.

    ``auto`` counts in DuckDB when ``data_path`` is Parquet/CSV files (one
    file, a glob or a folder) of more than ``COUNTED_ROWS`` rows and no option
    needs pandas; ``duckdb`` insists (and names an option that needs pandas);
    ``pandas`` always reads the frame.
    """
    if backend not in BACKENDS:
        raise ConfigError(f"backend must be one of {list(BACKENDS)}, got {backend!r}")
    from ..backends import is_spark_spec

    if is_spark_spec(data_path):
        return _spark_backend(data_path, parameters, backend)
    if backend == "pandas" or data_path is None:
        if backend == "duckdb":
            raise ConfigError("backend 'duckdb' needs data: a Parquet/CSV file, glob or folder")
        return "pandas"
    if not _counted_files(data_path):
        if backend == "duckdb":
            raise ConfigError(
                f"backend 'duckdb' reads Parquet or CSV files (a file, a glob or a folder), "
                f"not {os.path.basename(os.fspath(data_path))!r}"
            )
        return "pandas"
    if backend == "auto" and not _large(data_path, parameters.get("row_filter")):
        return "pandas"
    from ..backends import column_names

    problems = unsupported(parameters, column_names(data_path))
    if problems:
        if backend == "duckdb":
            raise ConfigError(
                "backend 'duckdb' cannot honour " + "; ".join(problems) + ": remove the "
                "option(s) or use backend: pandas"
            )
        return "pandas"
    return "duckdb"


def _spark_backend(spec, parameters: dict, backend: str) -> str:
    """Spark data (``backends.spark_spec``) is counted on Spark (``"spark"``) unless
    ``backend: pandas`` or an option needs every row (then the used columns are
    collected into pandas, see ``inputs.load_data``); ``backend: duckdb`` is refused."""
    if backend == "duckdb":
        raise ConfigError(
            "backend 'duckdb' reads files; Spark data is counted on Spark: use backend auto "
            "(or pandas to collect the report's columns)"
        )
    if backend == "pandas":
        return "pandas"
    from ..backends import column_names, spark_source

    if unsupported(parameters, column_names(spark_source(spec, where="key 'data'"))):
        return "pandas"
    return "spark"


def _counted_files(data_path) -> bool:
    from ..backends import CSV_SUFFIXES, PARQUET_SUFFIXES
    from .config import is_dataset

    if is_dataset(data_path):
        return True
    name = os.fspath(data_path).lower()
    for suffix in (".gz", ".zst"):
        name = name.removesuffix(suffix)
    return name.endswith(PARQUET_SUFFIXES + CSV_SUFFIXES) and os.path.isfile(data_path)


def _large(data_path, row_filter=None) -> bool:
    """More than ``COUNTED_ROWS`` rows: Parquet from its metadata; a CSV only when it is
    larger than ``inputs.LARGE_FILE_BYTES`` (a smaller one is read by pandas anyway).

    With a filter, the rows it keeps (one more scan, only when the file is large):
    a report of one store of a large file reads that store's rows into pandas.
    """
    from .._filters import parse_filter
    from ..backends import PARQUET_SUFFIXES, filter_relation, row_count
    from .config import dataset_files, is_dataset
    from .inputs import LARGE_FILE_BYTES

    files = dataset_files(data_path) if is_dataset(data_path) else [os.fspath(data_path)]
    parquet = all(f.lower().endswith(PARQUET_SUFFIXES) for f in files)
    if not parquet and sum(os.path.getsize(f) for f in files) <= LARGE_FILE_BYTES:
        return False
    if row_count(data_path) <= COUNTED_ROWS:
        return False
    if parse_filter(row_filter) is None:
        return True
    return row_count(filter_relation(relation(data_path), row_filter)) > COUNTED_ROWS


# --- loading --------------------------------------------------------------------


def load_counted(data_path, *, row_filter=None, required=None, groups=None, score=None,
                 min_n=None) -> Counted:  # fmt: skip
    """The data of a counted report: checked as ``load_data`` checks a frame, no rows read.

    The configured columns must exist (``ConfigError``), the score must be
    whole numbers 0-10 in every row (``group_counts`` names the file, column
    and row), the group columns must hold no contact details (checked on their
    distinct values), and the filtered rows must hold at least ``min_n``
    answers, as must the rows the filter leaves out when there are any.
    """
    from pathlib import Path

    from .. import backends
    from .._filters import FilterError, parse_filter
    from .._identifiers import GROUP_KEYS, IdentifyingColumnError, check_group_columns
    from .inputs import check_columns, check_min_n, data_sha256

    spec = data_path
    if backends.is_spark_spec(spec):  # the session starts here, in the kernel
        data_path = backends.spark_source(spec, where="key 'data'")
    names = backends.column_names(data_path)
    check_columns(pd.DataFrame(columns=names), required or {})
    if backends.is_spark_spec(spec):  # rows and a digest of them: one Spark aggregation
        total, sha = backends.spark_fingerprint(data_path)
        attrs = {"sha256": sha, "source": backends.spark_label(spec), "load_warnings": []}
    else:
        total = backends.row_count(data_path)
        attrs = {"sha256": data_sha256(data_path), "source": Path(data_path).name,
                 "load_warnings": []}  # fmt: skip
    answered_all = None
    if score in names:  # ValueError naming the file, the column and the row
        answered_all = int(backends.group_counts(data_path, score)["n"].iloc[0])
    source = data_path
    rows = total
    if parse_filter(row_filter) is not None:
        source = backends.filter_relation(relation(data_path), row_filter)
        rows = backends.row_count(source)
        if rows == 0:
            raise FilterError(f"filter {row_filter!r} selects no rows out of {total}")
        attrs.update(filter=row_filter, rows_before_filter=total)
    df = Counted(source, list(names), rows, attrs)
    # no contact details or identifiers as groups: each group column's distinct values
    for key in GROUP_KEYS:
        named = _column_list((required or {}).get(key))
        used = [c for c in _column_list((groups or {}).get(key)) if c not in named]
        for columns, own in ((named, True), (used, False)):
            for column in [c for c in columns if c in names and score in names]:
                found = backends.group_counts(source, score, by=column)
                values = found[[column]]
                _check_visible(values, column, key)
                rows = found["n"] + found["excluded_blank"]  # the rows holding each value
                try:
                    check_group_columns(values, [column], key=key, counts=rows)
                except IdentifyingColumnError as exc:
                    if own:
                        raise
                    raise IdentifyingColumnError(
                        f"{exc}; the entry names no {key}, so the report template's default "
                        f"is used: give the entry its own {key!r} ([] or null for none)"
                    ) from None
    if min_n and answered_all is not None:
        answered = answered_all
        if source is not data_path:
            answered = int(backends.group_counts(source, score)["n"].iloc[0])
        check_min_n(None, score, min_n, row_filter, answered=answered)
        if source is not data_path:  # the rows it leaves out: the whole file minus this one
            # check_min_n counts the shown frame's answers: one answer stands for them all
            left_out = answered_all - answered
            one = pd.DataFrame({score: [0.0]})
            check_min_n(None, score, min_n, row_filter, shown=one, answered=left_out + 1)
    return df


def _check_visible(values: pd.DataFrame, column: str, key: str) -> None:
    """A group column's distinct values: look-alikes refused as ``clean_group_values``
    refuses them, and values with invisible or control characters refused too (the
    pandas report shows them cleaned; the counted one would show them as stored)."""
    from .._identifiers import clean_group_values

    cleaned = clean_group_values(values, [column], key=key)[column]
    changed = values[column][cleaned.astype(object).ne(values[column].astype(object))
                             & values[column].notna()]  # fmt: skip
    if len(changed):
        raise ValueError(
            f"key {key!r}: column {column!r} has values with invisible or control characters "
            f"(e.g. {changed.iloc[0]!r}); the counted report (backend duckdb) shows groups as "
            "the data stores them: remove those characters from the data, or use backend: pandas"
        )


def _column_list(value) -> list:
    """A config value naming one column or several, as a list (None: none)."""
    return [value] if isinstance(value, str) else list(value or [])


def load(data_path=None, *, backend="auto", parameters=None, **options):
    """The report's data: a ``Counted`` when ``choose_backend`` says DuckDB, else
    ``inputs.load_data(data_path, **options)`` (the template's call).

    ``parameters`` are the template's (for the options a counted report cannot
    honour); of ``options`` the counted report uses ``row_filter``,
    ``required``, ``groups``, ``score`` and ``min_n`` (it reads no rows, so
    ``used`` and ``ratings`` do not apply; the reading options are refused by
    ``choose_backend``).
    """
    from .inputs import load_data

    if choose_backend(data_path, parameters or {}, backend) in ("duckdb", "spark"):
        keep = ("row_filter", "required", "groups", "score", "min_n")
        return load_counted(data_path, **{k: v for k, v in options.items() if k in keep})
    return load_data(data_path, **options)


# --- what the sections read one row at a time ------------------------------------


def comment_columns(df: Counted, s) -> list[str]:
    """The columns the comments section reads: score, comment, language, coded themes."""
    names = [s.score, s.comment, s.weights]
    if isinstance(s.language, str) and s.language in df.columns:
        names.append(s.language)
    names += list(s.theme_columns)
    return [c for c in dict.fromkeys(names) if c and c in df.columns]


def comment_sample(df: Counted, s, *, cap: int | None = None) -> pd.DataFrame:
    """The rows the comment analyses read, only their columns (``comment_columns``).

    Every row when at most ``cap`` (default ``COMMENT_CAP``) rows hold a
    comment: then the frame is the pandas report's own columns, row for row,
    and every comment table is the same.  Above it, a random sample of the
    rows, each row kept with probability ``cap / comments`` (so the sample
    holds about ``cap`` comments, and those without a comment in the same
    proportion, which ``theme_impact`` compares them with).  The draw is a
    hash of the row's values and ``s.seed`` (DuckDB's ``hash``): the same
    seed and data give the same sample; identical rows are kept or left out
    together, each still with the same probability.  ``attrs`` hold
    ``sample_fraction`` (1.0 when every row is read), ``comments_total`` and
    ``rows_total``.
    """
    from .. import backends

    cap = COMMENT_CAP if cap is None else int(cap)
    columns = comment_columns(df, s)
    said = f"`{filter_name(s.comment)}` != null and `{filter_name(s.comment)}` != ''"
    total = backends.row_count(backends.filter_relation(relation(df.source), said))
    if total <= cap:
        frame = backends.read_columns(df.source, columns)
        fraction = 1.0
    else:
        fraction = cap / total
        frame = _hash_sample(df.source, columns, fraction, s.seed)
    frame.attrs.update(sample_fraction=fraction, comments_total=total, rows_total=len(df))
    return frame


def filter_name(name: str) -> str:
    """A column name for a backquoted filter name (the filter language has no escape)."""
    if "`" in str(name):
        raise ConfigError(f"column {name!r}: a backquote in a column name cannot be filtered")
    return str(name)


def _hash_sample(source, columns, fraction: float, seed: int) -> pd.DataFrame:
    from .. import backends

    rel = relation(source)
    if backends.is_spark_dataframe(rel):  # Spark's own seeded Bernoulli sample
        return backends.read_columns(rel.sample(fraction=fraction, seed=int(seed)), columns)
    everything = ", ".join(backends.quote(c) for c in rel.columns)
    keep = ", ".join(backends.quote(c) for c in columns)
    limit = int(fraction * 2.0**64)  # hash() is a UBIGINT: the row is kept below this
    sql = (
        f"SELECT {keep} FROM src "
        f"WHERE hash(struct_pack({everything}), {int(seed)}::BIGINT) < {limit}::UBIGINT"
    )
    return rel.query("src", sql).df()


def score_counts(rows, s) -> pd.DataFrame:
    """Answers per score value (0-10) of ``rows`` (a source): ``value``, ``answers`` and
    ``weight`` (their weighted total, the answers when unweighted), for the distribution chart."""
    from ..scoring import group_counts

    counts = group_counts(rows, s.score, by=s.score, weights=s.weights)
    counts = counts[counts[s.score].notna()]
    weight = counts["w_n"] if "w_n" in counts.columns else counts["n"]
    return pd.DataFrame(
        {"value": counts[s.score].to_numpy(float), "answers": counts["n"].to_numpy(),
         "weight": weight.to_numpy(float)}
    )  # fmt: skip
