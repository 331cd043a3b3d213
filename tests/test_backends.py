"""Out-of-core counting (DuckDB, Spark) gives exactly the pandas path's numbers.

The pandas path (``scoring.group_counts`` on a DataFrame) is the reference;
it is itself pinned to hand counts in test_scoring.py, and a brute-force
Python count below pins the engines independently.
"""

from __future__ import annotations

from collections import Counter

import duckdb
import numpy as np
import pandas as pd
import pytest

import nps_toolkit as nps
from nps_toolkit import backends, scoring

NO_EXTRAS = dict(csat_column=None, ces_column=None, retention_column=None)
COLUMNS = [
    "respondent_id",
    "responded_at",
    "month",
    "recommend",
    "weight",
    "csat",
    "ces",
    "retained",
    "channel",
    "region",
    "customer_type",
]


def _example_frame() -> pd.DataFrame:
    """b2c-monthly example survey with blank answers and missing segments added."""
    try:
        from nps_toolkit.datasets import example_survey

        df = example_survey("b2c-monthly", seed=0)[COLUMNS].copy()
    except (ImportError, AttributeError):  # before datasets.py landed
        rng = np.random.default_rng(20261123)
        n = 20_000
        df = pd.DataFrame(
            {
                "respondent_id": [f"C{i:06d}" for i in range(n)],
                "responded_at": pd.Timestamp("2024-01-01")
                + pd.to_timedelta(rng.integers(0, 730 * 86400, n), unit="s"),
                "recommend": rng.integers(0, 11, n).astype(float),
                "weight": rng.uniform(0.3, 3, n),
                "csat": rng.integers(1, 6, n),
                "ces": rng.integers(1, 8, n),
                "retained": rng.random(n) < 0.8,
                "channel": rng.choice(["app", "store", "web"], n),
                "region": rng.choice(["East", "North", "South", "West"], n),
                "customer_type": rng.choice(["new", "returning"], n),
            }
        )
        df["month"] = df["responded_at"].dt.strftime("%Y-%m")
        df = df[COLUMNS]
    rows = np.arange(len(df))
    df.loc[rows % 37 == 5, "recommend"] = np.nan  # blank answers
    df.loc[rows % 53 == 7, "region"] = None  # missing segment values: their own group
    return df


def assert_summary_equal(got: pd.DataFrame, expected: pd.DataFrame) -> None:
    """Equal tables; ``band`` compared only away from its edges.

    Weighted sums in another order (threads, Spark partitions) differ in the
    last bits, so an NPS of exactly 50 (weights constant within a group) can
    come out as 49.99999999999999 and change band; see the report to the lead.
    """
    if "band" not in expected.columns:
        pd.testing.assert_frame_equal(got, expected, rtol=1e-10)
        return
    pd.testing.assert_frame_equal(
        got.drop(columns="band"), expected.drop(columns="band"), rtol=1e-10
    )
    nps_ = expected["nps"].to_numpy(dtype=float, na_value=np.nan)
    near_edge = np.isin(np.round(nps_, 6), [0.0, 30.0, 50.0, 70.0])
    assert got["band"][~near_edge].equals(expected["band"][~near_edge])


@pytest.fixture(scope="module")
def survey():
    return _example_frame()


@pytest.fixture(scope="module")
def files(survey, tmp_path_factory):
    """The same survey as one Parquet file, one CSV file and three Parquet parts."""
    folder = tmp_path_factory.mktemp("survey")
    survey.to_parquet(folder / "all.parquet", index=False)
    survey.to_csv(folder / "all.csv", index=False)
    parts = folder / "parts"
    parts.mkdir()
    for i, chunk in enumerate(np.array_split(np.arange(len(survey)), 3)):
        part = survey.iloc[chunk]
        if i == 1:  # a later export without one column: combined by name
            part = part.drop(columns="csat")
        part.to_parquet(parts / f"part-{i}.parquet", index=False)
    return {
        "parquet": str(folder / "all.parquet"),
        "csv": str(folder / "all.csv"),
        "glob": str(parts / "part-*.parquet"),
        "folder": folder,
    }


def _source(kind, files):
    if kind == "relation":
        return duckdb.sql(f"SELECT * FROM read_parquet('{files['parquet']}')")
    if kind == "arrow":
        import pyarrow.parquet as pq

        return pq.read_table(files["parquet"])
    if kind == "list":
        return sorted((files["folder"] / "parts").glob("*.parquet"))
    return files[kind]


KINDS = ["parquet", "csv", "glob", "relation", "arrow", "list"]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("by", [None, "region", ["channel", "customer_type", "region"]])
def test_summarize_equals_pandas(survey, files, kind, by):
    expected = nps.summarize(survey, by=by, **NO_EXTRAS)
    got = nps.summarize(_source(kind, files), by=by, **NO_EXTRAS)
    assert_summary_equal(got, expected)
    assert got.attrs["excluded_blank"] == int(survey["recommend"].isna().sum()) > 0


@pytest.mark.parametrize("kind", ["parquet", "csv", "relation"])
def test_weighted_summarize_equals_pandas(survey, files, kind):
    expected = nps.summarize(survey, by="region", weights="weight", **NO_EXTRAS)
    got = nps.summarize(_source(kind, files), by="region", weights="weight", **NO_EXTRAS)
    assert "n_effective" in got.columns
    assert_summary_equal(got, expected)


@pytest.mark.parametrize("kind", ["parquet", "csv"])
@pytest.mark.parametrize("freq", ["QE", "ME", "YE", "W"])
def test_period_counts_equal_pandas(survey, files, kind, freq):
    period = ("responded_at", freq)
    expected = scoring.group_counts(survey, by="channel", weights="weight", period=period)
    got = scoring.group_counts(files[kind], by="channel", weights="weight", period=period)
    assert isinstance(got["period"].dtype, pd.PeriodDtype)
    pd.testing.assert_frame_equal(got, expected, rtol=1e-10)


def test_counts_by_text_month_from_csv(survey, files):
    # "2024-01" must stay text in CSV (not be sniffed into a date)
    expected = scoring.group_counts(survey, by="month")
    pd.testing.assert_frame_equal(scoring.group_counts(files["csv"], by="month"), expected)


def test_counts_match_brute_force(tmp_path):
    """Independent check: a hand-rolled Python count of a small file."""
    rng = np.random.default_rng(8)
    n = 500
    df = pd.DataFrame(
        {
            "recommend": rng.integers(0, 11, n).astype(float),
            "shop": rng.choice(["a", "b", None], n),
            "w": rng.uniform(0, 2, n).round(3),
        }
    )
    df.loc[rng.random(n) < 0.1, "recommend"] = np.nan
    df.to_parquet(tmp_path / "s.parquet")
    got = scoring.group_counts(tmp_path / "s.parquet", by="shop", weights="w")
    cells, wsum = Counter(), Counter()
    for score, shop, w in df.itertuples(index=False):
        shop = None if pd.isna(shop) else shop
        cat = "blank" if np.isnan(score) else ("d" if score <= 6 else "p" if score <= 8 else "P")
        cells[shop, cat] += 1
        if cat != "blank":
            wsum[shop, "n"] += w
            wsum[shop, "sq"] += w * w
            wsum[shop, cat] += w
    assert got["shop"].tolist()[:2] == ["a", "b"] and pd.isna(got["shop"].iloc[2])
    for row in got.itertuples(index=False):
        shop = None if pd.isna(row.shop) else row.shop
        assert row.detractors == cells[shop, "d"]
        assert row.passives == cells[shop, "p"]
        assert row.promoters == cells[shop, "P"]
        assert row.excluded_blank == cells[shop, "blank"]
        assert row.n == cells[shop, "d"] + cells[shop, "p"] + cells[shop, "P"]
        assert row.w_n == pytest.approx(wsum[shop, "n"], rel=1e-12)
        assert row.w_detractors == pytest.approx(wsum[shop, "d"], rel=1e-12)
        assert row.w_promoters == pytest.approx(wsum[shop, "P"], rel=1e-12)
        assert row.w_sq == pytest.approx(wsum[shop, "sq"], rel=1e-12)


def test_hand_worked_relation():
    # 6 promoters, 2 passives, 2 detractors -> NPS 40 (DESIGN.md), one blank
    rel = duckdb.sql("SELECT unnest([10, 10, 10, 9, 9, 9, 8, 7, 3, 0, NULL]) AS recommend")
    out = nps.summarize(rel)
    assert out[["n", "promoters", "passives", "detractors", "excluded_blank"]].iloc[0].tolist() == [
        10,
        6,
        2,
        2,
        1,
    ]
    assert out["nps"].iloc[0] == 40.0


def test_nan_score_is_blank_and_text_scores_are_read(tmp_path):
    # a float NaN written by another tool is a blank, as in pandas; "7" in text is 7
    rel = duckdb.sql("SELECT * FROM (VALUES ('nan'::DOUBLE, 'x'), (7, 'x'), (10, 'y')) t(r, g)")
    out = scoring.group_counts(rel, score="r", by="g")
    assert out[["n", "excluded_blank"]].values.tolist() == [[1, 1], [1, 0]]
    (tmp_path / "t.csv").write_text("r,g\n7,x\n,x\n10,y\n")
    out = scoring.group_counts(tmp_path / "t.csv", score="r")
    assert out[["n", "passives", "promoters", "excluded_blank"]].values.tolist() == [[2, 1, 1, 1]]


def test_empty_source_gives_zero_counts():
    rel = duckdb.sql("SELECT 1.0::DOUBLE AS recommend, 'a' AS g WHERE false")
    total = scoring.group_counts(rel)
    assert total[["n", "excluded_blank", "w_n"]].values.tolist() == [[0, 0, 0]]
    assert len(scoring.group_counts(rel, by="g")) == 0


def test_quoted_names_and_paths_are_not_sql(tmp_path):
    evil = 'seg"; DROP TABLE x; --'
    df = pd.DataFrame({"recommend": [10, 9, 0, 7], evil: ["a", "a", "b", "b"]})
    path = tmp_path / "it's; here.parquet"
    df.to_parquet(path)
    out = scoring.group_counts(str(path), by=evil)
    pd.testing.assert_frame_equal(out, scoring.group_counts(df, by=evil))


# --------------------------------------------------------------------------- errors


def test_no_matching_files_names_the_pattern(tmp_path):
    pattern = str(tmp_path / "nothing-*.parquet")
    with pytest.raises(FileNotFoundError, match="no files match .*nothing-\\*\\.parquet"):
        nps.summarize(pattern)


def test_missing_column_is_named_with_existing_ones(files):
    with pytest.raises(KeyError, match=r"'segment' not in files matching .*columns are \["):
        nps.summarize(files["parquet"], by="segment")
    with pytest.raises(ValueError, match=r"'regoin' not in files .*; did you mean 'region'\?"):
        nps.summarize(files["parquet"], by="regoin")
    with pytest.raises(KeyError, match=r"'channel', 'region'"):
        scoring.group_counts(files["csv"], weights="wt")


@pytest.fixture
def bad_files(tmp_path):
    good = pd.DataFrame({"recommend": [10.0, 9.0, 0.0], "w": [1.0, 1.0, 1.0]})
    bad = pd.DataFrame({"recommend": [3.0, 11.0, 7.5, -1.0, 8.0], "w": [1.0, -2.0, np.nan, 1, 1]})
    good.to_parquet(tmp_path / "a.parquet")
    bad.to_parquet(tmp_path / "b.parquet")
    (tmp_path / "c.csv").write_text("recommend,w\n10,1\nten,1\n5,1\n")
    return tmp_path


def test_scores_out_of_range_are_counted_with_files(bad_files):
    with pytest.raises(ValueError) as err:
        nps.summarize(str(bad_files / "*.parquet"))
    msg = str(err.value)
    assert "column 'recommend': 3 value(s) are not whole numbers from 0 to 10" in msg
    assert "11.0 (" in msg and "7.5 (" in msg and "-1.0 (" in msg
    assert "b.parquet, row index 1)" in msg and "a.parquet" not in msg


def test_text_scores_in_csv_are_reported(bad_files):
    with pytest.raises(ValueError, match=r"1 value\(s\) .* e\.g\. 'ten' \(.*c\.csv\)"):
        nps.summarize(str(bad_files / "c.csv"))


def test_public_file_coded_1_to_11_is_refused_with_counts(public_data):
    # Mooi & Sarstedt code the 0-10 answer as 1-11: 23 answers of 11 give it away
    path = public_data / "mkt4320bgsu_airlinesat_mooi_sarstedt.csv"
    with pytest.raises(ValueError, match=r"'nps': 23 value\(s\) .* e\.g\. 11 \(.*csv, 23 rows\)"):
        nps.summarize(path, score="nps")


@pytest.mark.parametrize(
    ("name", "score", "by"),
    [
        ("rocks_NPS_R_testdata.csv", "REC", ["BU", "Region"]),
        (
            "prepbench_case122_airline_nps.csv",
            "How likely are you to recommend this airline?",
            "Airline",
        ),
    ],
)
def test_public_files_equal_pandas(public_data, name, score, by):
    path = public_data / name
    expected = nps.summarize(pd.read_csv(path), score=score, by=by, **NO_EXTRAS)
    assert_summary_equal(nps.summarize(path, score=score, by=by), expected)


def test_bad_weights_are_counted(bad_files):
    rel = duckdb.sql(f"SELECT 5 AS recommend, w FROM '{bad_files / 'b.parquet'}'")
    with pytest.raises(
        ValueError,
        match=r"weights column 'w' must be finite non-negative numbers; 2 bad value\(s\) in "
        r"the DuckDB relation, e\.g\. .*-2\.0.*None",
    ):
        nps.summarize(rel, weights="w")


def test_bad_weights_read_as_for_a_dataframe(tmp_path):
    # text, infinite and negative weights: refused by DuckDB as by the pandas path
    # (same rule in the message), with the file; zero weights are fine in both
    (tmp_path / "w.csv").write_text("recommend,w\n10,1\n3,heavy\n8,inf\n9,-1\n0,0\n")
    path = tmp_path / "w.csv"
    with pytest.raises(ValueError) as from_pandas:
        nps.summarize(pd.read_csv(path), weights="w")
    with pytest.raises(ValueError) as from_duckdb:
        nps.summarize(path, weights="w")
    rule = "weights column 'w' must be finite non-negative numbers; 3 bad value(s) "
    assert str(from_pandas.value).startswith(rule + "('heavy', 'inf', '-1') at index label(s)")
    assert str(from_duckdb.value).startswith(rule + "in files matching")
    assert all(f"'{v}' (" in str(from_duckdb.value) for v in ("heavy", "inf", "-1"))
    assert "w.csv" in str(from_duckdb.value)
    ok = pd.DataFrame({"recommend": [10, 3, 8], "w": [2.0, 1.0, 0.0]})
    rel = duckdb.sql("SELECT * FROM ok")
    assert_summary_equal(nps.summarize(rel, weights="w"), nps.summarize(ok, weights="w"))


def test_unusable_sources_and_arguments(bad_files):
    with pytest.raises(ValueError, match="file format of .*x.xlsx"):
        nps.summarize(str(bad_files / "x.xlsx"))
    with pytest.raises(ValueError, match="cannot mix Parquet and CSV"):
        nps.summarize([bad_files / "a.parquet", bad_files / "c.csv"])
    with pytest.raises(TypeError, match="weights must be a column name"):
        scoring.group_counts(str(bad_files / "a.parquet"), weights=[1.0, 1.0, 1.0])
    with pytest.raises(TypeError, match="path or glob of Parquet/CSV"):
        scoring.group_counts({"recommend": [1, 2]})
    with pytest.raises(ValueError, match="unknown freq 'Z'.*'QE'"):
        scoring.group_counts(str(bad_files / "a.parquet"), period=("w", "Z"))


def test_unreadable_dates_are_reported(tmp_path):
    (tmp_path / "d.csv").write_text("recommend,when\n10,2024-01-05\n3,soon\n")
    with pytest.raises(ValueError, match="cannot read files matching .*d.csv.*soon"):
        scoring.group_counts(tmp_path / "d.csv", period=("when", "QE"))


def test_configure_sets_duckdb_limits():
    try:
        backends.configure(memory_limit="300MiB", threads=1)
        con = backends._connection()
        limit, threads = con.execute(
            "SELECT current_setting('memory_limit'), current_setting('threads')"
        ).fetchall()[0]
        assert threads == 1 and limit.replace(" ", "") in {"300.0MiB", "314.5MB", "300MiB"}
    finally:
        backends.configure()


def test_summary_extras_equal_pandas(survey, files):
    expected = nps.summarize(survey, by="region")[["region", "csat", "ces", "retention_rate"]]
    got = backends.summary_extras(files["parquet"], by="region")
    pd.testing.assert_frame_equal(got, expected.astype({"region": got["region"].dtype}))
    rel = duckdb.sql("SELECT * FROM (VALUES (10, 2)) t(recommend, x)")
    assert backends.summary_extras(rel) is None


# --------------------------------------------------------------------------- other helpers' functions


def test_trend_from_parquet_equals_pandas(survey, files):
    from nps_toolkit import trends

    expected = trends.nps_trend(survey, "responded_at", freq="QE", weights="weight")
    got = trends.nps_trend(files["parquet"], "responded_at", freq="QE", weights="weight")
    assert_summary_equal(got, expected)


def test_compare_segments_from_parquet_equals_pandas(survey, files):
    from nps_toolkit import compare

    expected = compare.compare_segments(survey, "region")
    got = compare.compare_segments(files["glob"], "region")
    assert_summary_equal(got, expected)


# --------------------------------------------------------------------------- Spark


@pytest.mark.filterwarnings("ignore::FutureWarning")
@pytest.mark.filterwarnings("ignore:The copy keyword is deprecated")
def test_spark_equals_pandas(spark, survey, files):
    # one Spark aggregation (JVM jobs are slow to start): segments x quarters, weighted
    sdf = spark.read.parquet(files["parquet"])
    assert backends.is_spark_dataframe(sdf)
    kw = dict(by=["channel", "region"], weights="weight", period=("responded_at", "QE"))
    expected = scoring.group_counts(survey, **kw)
    got = scoring.group_counts(sdf, **kw)
    pd.testing.assert_frame_equal(got, expected, rtol=1e-10)
    pd.testing.assert_frame_equal(
        backends.summary_extras(sdf, by="region"),
        backends.summary_extras(files["parquet"], by="region"),
    )
    keys = ["channel", "region", "period"]
    assert_summary_equal(
        scoring.summary_from_counts(got, keys, weighted=True),
        scoring.summary_from_counts(expected, keys, weighted=True),
    )


@pytest.mark.filterwarnings("ignore::FutureWarning")
@pytest.mark.filterwarnings("ignore:The copy keyword is deprecated")
def test_spark_reports_bad_scores_with_files(spark, bad_files):
    sdf = spark.read.parquet(str(bad_files / "b.parquet"))
    with pytest.raises(ValueError, match=r"3 value\(s\) are not whole .*Spark.*b\.parquet"):
        scoring.group_counts(sdf)
    with pytest.raises(KeyError, match=r"column 'region' not in the Spark DataFrame"):
        scoring.group_counts(sdf, by="region")
    # weights: text, infinite and negative refused with the DataFrame's rule, zero allowed
    (bad_files / "w.csv").write_text("recommend,w\n10,1\n3,heavy\n8,inf\n9,-1\n0,0\n")
    sdf = spark.read.csv(str(bad_files / "w.csv"), header=True)
    with pytest.raises(
        ValueError,
        match=r"weights column 'w' must be finite non-negative numbers; 3 bad value\(s\) "
        r"in the Spark DataFrame, e\.g\. .*w\.csv",
    ) as err:
        scoring.group_counts(sdf, weights="w")
    assert all(f"'{v}' (" in str(err.value) for v in ("heavy", "inf", "-1"))
    assert scoring.group_counts(sdf.filter("w IN ('1', '0')"), weights="w")["w_n"].item() == 1.0


def test_summarize_from_parquet_carries_csat_ces_retention(tmp_path):
    df = nps.example_survey("b2c-monthly", seed=3)
    path = tmp_path / "b2c.parquet"
    df.to_parquet(path)
    from_file = nps.summarize(str(path), by="channel", weights="weight")
    in_memory = nps.summarize(df, by="channel", weights="weight")
    for col in ("csat", "ces", "retention_rate"):
        assert col in from_file.columns
        np.testing.assert_allclose(from_file[col], in_memory[col], rtol=1e-12)
    # independent: top-2-box share of the web channel by hand
    web = df[df["channel"] == "web"]["csat"]
    expected = 100 * (web >= 4).sum() / web.notna().sum()
    assert from_file.set_index("channel").loc["web", "csat"] == pytest.approx(expected)


# --------------------------------------------------------------------------- filters in SQL

HOSTILE = "x'); DROP TABLE t; --"
FILTERS = [
    "region == 'North'",
    "region != 'North'",  # blanks kept, as pandas keeps them
    "region in ['North', 'South'] and recommend >= 9",
    "region not in ['North', null]",
    "region in [null]",
    "not (recommend > 6) or channel == 'app'",
    "recommend == null",
    "recommend != null and weight < 1.5",
    "responded_at >= '2025-01-01'",
    "3 < recommend",
    "retained == true",
    f"region == {HOSTILE!r}",
    {"region": ["East", None], "channel": "web"},
    {"customer_type": HOSTILE},
]


@pytest.mark.parametrize("row_filter", FILTERS)
@pytest.mark.parametrize("kind", ["parquet", "relation"])
def test_filter_in_duckdb_keeps_the_rows_pandas_keeps(survey, files, kind, row_filter):
    from nps_toolkit._filters import parse_filter

    expected = survey[parse_filter(row_filter).mask(survey)]
    got = backends.read_columns(_source(kind, files), ["respondent_id"], row_filter=row_filter)
    assert sorted(got["respondent_id"]) == sorted(expected["respondent_id"])


def test_hostile_names_and_values_stay_data(tmp_path):
    # a column name and values that would break out of SQL if pasted into it
    name = 'a" = 1 OR 1=1; --'
    df = pd.DataFrame({name: [HOSTILE, "b", None], "recommend": [9, 3, 7]})
    df.to_parquet(tmp_path / "s.parquet")
    f = f"`{name}` == {HOSTILE!r} or `{name}` in [{HOSTILE[:3]!r}]"
    got = backends.read_columns(str(tmp_path / "s.parquet"), ["recommend"], row_filter=f)
    assert got["recommend"].tolist() == [9]
    assert backends.read_columns(str(tmp_path / "s.parquet"), [name], row_filter={name: [None]})[
        name
    ].isna().tolist() == [True]


def test_filter_errors_name_the_column_and_the_kind(files):
    from nps_toolkit._filters import FilterError

    with pytest.raises(FilterError, match="did you mean 'region'"):
        backends.read_columns(files["parquet"], ["recommend"], row_filter="regoin == 'N'")
    with pytest.raises(FilterError, match="'recommend' holds numbers.*'nine'"):
        backends.read_columns(files["parquet"], ["recommend"], row_filter="recommend == 'nine'")
    with pytest.raises(FilterError, match="'region' holds text.*quote it"):
        backends.read_columns(files["parquet"], ["recommend"], row_filter="region == 3")


def test_read_columns_reads_a_folder_glob_or_list_of_parts(survey, files):
    parts = files["folder"] / "parts"
    for source in (str(parts), files["glob"], sorted(parts.glob("*.parquet"))):
        got = backends.read_columns(source, ["respondent_id", "recommend"])
        assert list(got.columns) == ["respondent_id", "recommend"]
        assert sorted(got["respondent_id"]) == sorted(survey["respondent_id"])
    with pytest.raises(KeyError, match="nope"):
        backends.read_columns(files["parquet"], ["nope"])


# --------------------------------------------------------------------------- filters and reads on Spark

SPARK_WARNINGS = (  # pyspark 4 about pandas 3: noise, not the toolkit's
    pytest.mark.filterwarnings("ignore::FutureWarning"),
    pytest.mark.filterwarnings("ignore:The copy keyword is deprecated"),
)


def _spark_rows(sdf, filters) -> list[list]:
    """The respondent ids each filter keeps, every filter in one Spark job (a union)."""
    from functools import reduce

    from pyspark.sql import functions as F

    parts = [
        backends.filter_relation(sdf, f).select(F.lit(i).alias("k"), "respondent_id")
        for i, f in enumerate(filters)
    ]
    got = reduce(lambda a, b: a.unionAll(b), parts).toPandas()
    return [sorted(got.loc[got["k"] == i, "respondent_id"]) for i in range(len(filters))]


@SPARK_WARNINGS[0]
@SPARK_WARNINGS[1]
def test_spark_filter_keeps_the_rows_pandas_keeps(spark, survey, files):
    from nps_toolkit._filters import parse_filter

    survey = survey.copy()
    # a row holding the hostile value, so the filter that names it keeps one row
    survey.loc[11, "customer_type"] = HOSTILE
    path = files["folder"] / "spark-filters.parquet"
    survey.to_parquet(path, index=False)
    sdf = spark.read.parquet(str(path))
    got = _spark_rows(sdf, FILTERS)
    for row_filter, rows in zip(FILTERS, got, strict=True):
        expected = sorted(survey.loc[parse_filter(row_filter).mask(survey), "respondent_id"])
        assert rows == expected, row_filter
    assert got[-1] == [survey.loc[11, "respondent_id"]]


@SPARK_WARNINGS[0]
@SPARK_WARNINGS[1]
def test_spark_hostile_names_and_values_stay_data(spark, tmp_path):
    # names and values that would break out of Spark SQL if pasted into it: quotes,
    # backquotes (closing Spark's quoted identifier), a name that is an expression
    from nps_toolkit._filters import FilterError, parse_filter

    names = ['a" = 1 OR 1=1; --', "b` OR true OR `c", "x.y", "q`) OR (1=1"]
    df = pd.DataFrame(
        {
            "respondent_id": [1, 2, 3, 4, 5],
            names[0]: [HOSTILE, "b", None, "O'Brien", "`"],
            names[1]: [1.5, None, 2.0, 3.0, 1.0],
            names[2]: [True, False, None, True, False],
            names[3]: [1, 2, 3, 4, 5],
        }
    )
    df.to_parquet(tmp_path / "h.parquet")
    sdf = spark.read.parquet(str(tmp_path / "h.parquet"))
    filters = [
        f"`{names[0]}` == {HOSTILE!r} or `{names[0]}` in [{HOSTILE[:3]!r}]",
        f'`{names[0]}` == "O\'Brien"',
        f"`{names[0]}` != '`'",
        f"`{names[0]}` == null",
        {names[1]: [1.5, None]},  # a name with backquotes: the mapping form names it
        {names[2]: True, names[3]: [1, 2, 3, 4]},
        {names[3]: 3},
        f"`{names[2]}` == false or respondent_id > 4",
    ]
    want = [[1], [4], [1, 2, 3, 4], [3], [1, 2], [1, 4], [3], [2, 5]]
    assert _spark_rows(sdf, filters) == want
    for f, rows in zip(filters, want, strict=True):  # the pandas filter agrees
        assert sorted(df.loc[parse_filter(f).mask(df), "respondent_id"]) == rows
    got = backends.read_columns(sdf, [names[3], names[0]], row_filter=filters[0])
    assert list(got.columns) == [names[3], names[0]] and got.values.tolist() == [[1, HOSTILE]]
    with pytest.raises(FilterError, match=r"column 'x\.z' is not in the data; did you mean 'x\.y'"):
        backends.filter_relation(sdf, "`x.z` == true")
    with pytest.raises(FilterError, match=r"holds text.*quote it"):
        backends.filter_relation(sdf, {names[0]: 3})
    with pytest.raises(FilterError, match=r"holds numbers.*'1'"):
        backends.filter_relation(sdf, {names[3]: "1"})


@SPARK_WARNINGS[0]
@SPARK_WARNINGS[1]
def test_spark_read_columns_row_count_column_names_equal_duckdb(spark, files):
    sdf = spark.read.parquet(files["parquet"])
    f = "region in ['North', null] and recommend >= 7"
    cols = ["respondent_id", "recommend", "weight", "region", "retained", "responded_at"]
    got = backends.read_columns(sdf, cols, row_filter=f).sort_values("respondent_id")
    ref = backends.read_columns(files["parquet"], cols, row_filter=f).sort_values("respondent_id")
    assert list(got.columns) == cols and len(got) == len(ref) > 1000
    for c in cols:  # the same values; dtypes are each engine's own (object vs str)
        a, b = got[c].reset_index(drop=True), ref[c].reset_index(drop=True)
        assert a.isna().equals(b.isna()), c
        assert a[a.notna()].tolist() == b[b.notna()].tolist(), c
    assert backends.row_count(sdf) == backends.row_count(files["parquet"]) == 20_000
    assert backends.column_names(sdf) == backends.column_names(files["parquet"])
    with pytest.raises(KeyError, match="column 'regoin' not in the Spark DataFrame"):
        backends.read_columns(sdf, ["regoin"])


@SPARK_WARNINGS[0]
@SPARK_WARNINGS[1]
def test_spark_source_reads_paths_and_tables_filtered(spark, survey, files, tmp_path):
    from nps_toolkit._filters import FilterError

    f = "channel == 'web' and recommend != null"
    expected = int(((survey["channel"] == "web") & survey["recommend"].notna()).sum())
    by_path = backends.spark_source("spark:parquet:" + files["parquet"], f)
    assert backends.row_count(by_path) == expected
    spark.read.parquet(files["parquet"]).createOrReplaceTempView("nps_spark_test")
    by_table = backends.spark_source({"spark": {"table": "nps_spark_test"}}, {"channel": "web"})
    assert backends.row_count(by_table) == int((survey["channel"] == "web").sum())
    counted = scoring.group_counts(by_table, by="region")
    pd.testing.assert_frame_equal(
        counted, scoring.group_counts(survey[survey["channel"] == "web"], by="region")
    )
    csv = tmp_path / "s.csv"
    survey.head(50).to_csv(csv, index=False)
    assert backends.row_count(backends.spark_source(f"spark:csv:{csv}", "recommend >= 0")) == int(
        survey.head(50)["recommend"].notna().sum()
    )
    with pytest.raises(ValueError, match=r"entry A: key 'data': Spark cannot read Spark table"):
        backends.spark_source("spark:table:no_such_table", where="entry A: key 'data'")
    with pytest.raises(FilterError, match=r"entry A: key 'filter': column 'regoin'"):
        backends.spark_source(
            "spark:table:nps_spark_test", "regoin == 'N'", filter_where="entry A: key 'filter'"
        )


def test_spark_session_says_what_is_missing(monkeypatch):
    # no pyspark: an ImportError naming the entry and the extra to install
    import sys

    monkeypatch.setitem(sys.modules, "pyspark.sql", None)
    with pytest.raises(ImportError, match=r"entry A: key 'data': .*pyspark.*nps-toolkit\[spark\]"):
        backends.spark_source("spark:table:t", where="entry A: key 'data'")


def test_spark_session_says_java_is_missing(monkeypatch):
    pytest.importorskip("pyspark")
    from pyspark.sql import SparkSession

    monkeypatch.setattr(SparkSession, "getActiveSession", classmethod(lambda cls: None))
    monkeypatch.setattr(backends, "_java_found", lambda: False)
    with pytest.raises(RuntimeError, match=r"entry A: key 'data': Spark needs a Java runtime"):
        backends.spark_source("spark:table:t", where="entry A: key 'data'")


@pytest.mark.parametrize(
    "spec, message",
    [
        ("spark:xml:/d", r"format 'xml' is not one of"),
        ("spark:parquet", r"'spark:table:<name>' or 'spark:<format>:<path>'"),
        ("spark:table:db.t; DROP TABLE x", r"is not a table name"),
        ("spark:table:`t`", r"is not a table name"),
        ({"spark": {"table": "t", "path": "/d"}}, r"either 'table'.*or 'path'"),
        (
            {"spark": {"path": "/d", "jars": "http://x/evil.jar"}},
            r"unknown Spark key\(s\) \['jars'\]",
        ),
        ({"spark": {"path": "/d", "master": "local[*] --conf x"}}, r"master .* is not one of"),
        ({"spark": {"path": "/d", "master": "sc://evil"}}, r"master .* is not one of"),
        ({"spark": {"path": 3}}, r"'path' must be a non-empty string"),
        ({"spark": {"table": "t", "format": "csv"}}, r"'format' goes with 'path'"),
        ({"spark": {"path": "/d\n/e"}}, r"one line"),
        ({"spark": "parquet"}, r"a mapping"),
    ],
)
def test_spark_spec_refusals_are_named(spec, message):
    with pytest.raises(ValueError, match=r"^entry A: key 'data': .*" + message):
        backends.spark_spec(spec, where="entry A: key 'data'")


def test_spark_spec_forms_are_written_out(tmp_path):
    full = backends.spark_spec("spark:csv:parts/*.csv", base=tmp_path)
    assert full == {
        "spark": {"path": str(tmp_path / "parts" / "*.csv"), "format": "csv", "master": "local[*]"}
    }
    uri = {"spark": {"path": "s3a://b/nps/", "master": "spark://head-1:7077,head-2:7077"}}
    assert backends.spark_spec(uri, base=tmp_path)["spark"]["path"] == "s3a://b/nps/"
    for master in ("local", "local[2]", "local[4,3]", "yarn", "k8s://https://10.0.0.1:6443"):
        spec = {"spark": {"table": "cat.db.t", "master": master}}
        assert backends.spark_spec(spec)["spark"]["master"] == master
    assert backends.spark_label(full) == "Spark csv '*.csv'"
    assert backends.is_spark_spec("spark:table:t") and not backends.is_spark_spec("sparks.csv")


@SPARK_WARNINGS[0]
@SPARK_WARNINGS[1]
def test_spark_refuses_csat_and_ces_off_their_scale(spark):
    # as for a file: a 6 on the 1-5 CSAT scale is refused, never counted as top-two-box
    sdf = spark.createDataFrame(
        pd.DataFrame({"recommend": [9, 3, 10], "csat": [5, 6, 4], "ces": [1, 7, 2]})
    )
    with pytest.raises(ValueError, match=r"CSAT column 'csat': 1 value\(s\) in the Spark"):
        backends.summary_extras(sdf)
    got = backends.summary_extras(sdf, csat_scale=6)  # top two boxes of 1-6: 5 and 6
    assert list(got.columns) == ["csat", "ces"]
    assert got.iloc[0].tolist() == pytest.approx([200 / 3, 10 / 3])
    with pytest.raises(ValueError, match=r"CES column 'ces': 1 value\(s\) .* on the 1-5 scale"):
        backends.summary_extras(sdf, csat_scale=6, ces_scale=5)


@SPARK_WARNINGS[0]
@SPARK_WARNINGS[1]
def test_spark_fingerprint_names_the_rows_not_their_order(spark):
    from pyspark.sql import functions as F

    df = pd.DataFrame({"recommend": [9, 3, 10, 7], "region": ["N", "S", None, "N"]})
    sdf = spark.createDataFrame(df)
    n, digest = backends.spark_fingerprint(sdf)
    assert n == 4 and len(digest) == 64
    assert backends.spark_fingerprint(sdf.orderBy(F.desc("recommend")).repartition(3)) == (
        n,
        digest,
    )
    changed = spark.createDataFrame(df.assign(recommend=[9, 3, 10, 8]))
    assert backends.spark_fingerprint(changed)[1] != digest
    assert backends.spark_fingerprint(sdf.limit(3))[0] == 3


@SPARK_WARNINGS[0]
@SPARK_WARNINGS[1]
def test_spark_filter_dates_do_not_move_with_the_local_time_zone(spark, tmp_path, monkeypatch):
    # a date in a filter is read as Spark reads a timestamp (the session's zone), not
    # through Python's local zone: F.lit(datetime) here kept only row 2 of [1, 2]
    import time

    from nps_toolkit._filters import parse_filter

    df = pd.DataFrame(
        {
            "respondent_id": range(4),
            "naive": pd.to_datetime(
                ["2025-01-31 23:30", "2025-02-01 00:30", "2025-02-01 05:30", "2025-01-31 18:00"]
            ),
        }
    )
    df["aware"] = df["naive"].dt.tz_localize("UTC")
    df.to_parquet(tmp_path / "t.parquet")
    sdf = spark.read.parquet(str(tmp_path / "t.parquet"))  # timestamp_ntz and timestamp
    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    try:
        filters = ["naive >= '2025-02-01'", "aware >= '2025-02-01'", "naive < '2025-01-31 20:00'"]
        got = _spark_rows(sdf, filters)
    finally:
        monkeypatch.undo()
        time.tzset()
    assert got == [[1, 2], [1, 2], [3]]
    assert [sorted(df.loc[parse_filter(f).mask(df), "respondent_id"]) for f in filters] == got


def test_row_count_of_files_is_counted_once_until_they_change(tmp_path, monkeypatch):
    path = tmp_path / "a.csv"
    pd.DataFrame({"recommend": range(11)}).to_csv(path, index=False)
    scans = []
    real = backends._fetch
    monkeypatch.setattr(backends, "_fetch", lambda *a: scans.append(a[1]) or real(*a))
    assert backends.row_count(str(path)) == 11
    assert backends.row_count(str(path)) == 11
    assert len(scans) == 1
    pd.DataFrame({"recommend": range(5)}).to_csv(path, index=False)  # size changes
    assert backends.row_count(str(path)) == 5
    assert len(scans) == 2
    import os

    pd.DataFrame({"recommend": range(6, 11)}).to_csv(path, index=False)  # same size
    os.utime(path, ns=(1, 10**18))
    assert backends.row_count(str(path)) == 5 and len(scans) == 3
