"""The counted report (``reporting.counted``): sections from DuckDB equal the pandas report's.

The same small Parquet file is read both ways, ``backend: pandas`` (the full
frame) and ``backend: duckdb`` (counted where it lives, forced), and every
section's table is compared: headline and its interval, answer shares,
segments, trend, drivers, comments (every comment read: the cap is above
their count) and follow-up counts.  The recorded calls of the counted
sections are re-run as a reviewer would.  Above the cap the comments come
from a seeded sample whose size the report states.
"""

import math

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal

import nps_toolkit as nps
from nps_toolkit import backends
from nps_toolkit import reporting as report
from nps_toolkit._identifiers import IdentifyingColumnError
from nps_toolkit.reporting import ConfigError, counted, sections, show


@pytest.fixture(scope="module")
def b2c(tmp_path_factory):
    """The B2C example (weights, dates, comments with a language column, e-mails) as Parquet."""
    path = tmp_path_factory.mktemp("counted") / "b2c.parquet"
    nps.example_survey("b2c-monthly").to_parquet(path, index=False)
    return str(path)


@pytest.fixture(scope="module")
def b2b(tmp_path_factory):
    """The B2B example (waves, drivers, unweighted) as Parquet, without accounts and invited."""
    path = tmp_path_factory.mktemp("counted") / "b2b.parquet"
    df = nps.example_survey("b2b-annual").drop(columns=["account_id", "invited"])
    df.to_parquet(path, index=False)
    return str(path)


def _both(path, **kw):
    frame = counted.load(path, backend="pandas", **kw)
    data = counted.load(path, backend="duckdb", parameters={}, **kw)
    assert isinstance(frame, pd.DataFrame) and isinstance(data, counted.Counted)
    assert len(data) == len(frame) and list(data.columns) == list(frame.columns)
    return frame, data


B2C = dict(score="recommend", weights="weight", segments=("channel", "region"), drivers=(),
           date="responded_at", wave=None, freq="QE", comment="comment", language="language",
           seed=3, n_resamples=200, min_n=5)  # fmt: skip


def _sections(df, s):
    trend = sections.trend(df, s)
    head = sections.headline(df, s, trend)
    return dict(
        trend=trend, head=head, goal=sections.goal(trend, s), segs=sections.segments(df, s),
        drivers=sections.drivers(df, s), comments=sections.comments(df, s),
        followup=sections.followup(head.rows, s),
    )  # fmt: skip


def _equal(a, b):
    assert (a is None) == (b is None)
    if a is not None:
        assert_frame_equal(a, b)


def _same(a, b):
    """Every section table of two reports is the same (values and dtypes)."""
    assert_frame_equal(a["trend"].table, b["trend"].table)
    _equal(a["goal"], b["goal"])
    ha, hb = a["head"], b["head"]
    assert_frame_equal(ha.summary, hb.summary)
    assert_frame_equal(ha.pooled, hb.pooled)
    assert ha.period == hb.period and ha.population == hb.population
    for field in ("estimate", "low", "high", "standard_error", "n", "n_effective"):
        assert math.isclose(getattr(ha.interval, field), getattr(hb.interval, field),
                            rel_tol=1e-12, abs_tol=1e-12), field  # fmt: skip
    assert list(a["segs"].tables) == list(b["segs"].tables)
    for column in a["segs"].tables:
        assert_frame_equal(a["segs"].tables[column], b["segs"].tables[column])
        assert_frame_equal(a["segs"].comparisons[column], b["segs"].comparisons[column])
    _equal(a["drivers"], b["drivers"])
    _same_followup(a, b)
    ca, cb = a["comments"], b["comments"]
    assert (ca is None) == (cb is None)
    if ca is None:
        return
    assert ca.commenters == cb.commenters and cb.sample is None  # every comment read
    assert_frame_equal(ca.impact, cb.impact)
    assert ca.impact.attrs == cb.impact.attrs
    assert_frame_equal(ca.quotes, cb.quotes)
    _equal(ca.terms, cb.terms)


def _same_followup(a, b):
    if a["followup"] is None:
        assert b["followup"] is None
    else:
        assert_frame_equal(a["followup"].counts, b["followup"].counts)
        assert_frame_equal(
            a["followup"].to_contact.reset_index(drop=True),
            b["followup"].to_contact.reset_index(drop=True),
        )


def test_weighted_report_by_date_is_the_same_counted(b2c):
    frame, data = _both(b2c)
    s = sections.Settings(**B2C)
    a, b = _sections(frame, s), _sections(data, s)
    assert a["head"].period is not None  # the latest quarter: a filtered source
    assert a["followup"] is not None and a["comments"].commenters > 1000
    _same(a, b)
    # the answer shares shown: the counted chart's bars are the frame's
    counts = counted.score_counts(b["head"].rows.source, s)
    rows = a["head"].rows
    by_value = rows.groupby(rows[s.score])[s.weights].sum()
    assert np.allclose(counts.set_index("value")["weight"], by_value)
    assert (counts["answers"].to_numpy() == rows[s.score].value_counts().sort_index()).all()


def test_unweighted_report_by_wave_with_drivers_is_the_same_counted(b2b, monkeypatch):
    # the frame's drivers are computed from DuckDB sums above ENGINE_ROWS, as the counted
    # report's always are: with the threshold at 0 both take the same route
    monkeypatch.setattr(sections, "ENGINE_ROWS", 0)
    frame, data = _both(b2b)
    s = sections.Settings(score="recommend", segments=("tenure", "region"),
                          drivers=("quality", "price", "communication"), wave="wave",
                          comment="comment", language="language", invited=None,
                          method="score", n_resamples=100, seed=7)  # fmt: skip
    a, b = _sections(frame, s), _sections(data, s)
    assert a["head"].period == 7 and a["drivers"] is not None
    _same(a, b)


def test_all_answers_headline_with_the_finite_population_correction(b2b):
    frame, data = _both(b2b, row_filter="wave == 7")
    s = sections.Settings(score="recommend", wave="wave", invited=2000, segments=("tenure",))
    a, b = _sections(frame, s), _sections(data, s)
    assert a["head"].period is None and a["head"].population == 2000
    _same(a, b)


def test_filtered_counted_data_is_the_filtered_frame(b2c):
    where = "channel in ['web', 'app'] and recommend >= 3"
    frame, data = _both(b2c, row_filter=where)
    assert data.attrs["filter"] == where and data.attrs["rows_before_filter"] == 20000
    assert frame.attrs["rows_before_filter"] == 20000
    s = sections.Settings(**B2C)
    _same(_sections(frame, s), _sections(data, s))


def test_recorded_calls_recompute_the_counted_sections(b2c, rerun):
    data = counted.load(b2c, backend="duckdb", parameters={})
    s = sections.Settings(**B2C)
    got = _sections(data, s)
    ns = {"nps": nps, "sections": sections, "df": data, "s": s, "trend": got["trend"],
          "head": got["head"]}  # fmt: skip

    assert got["trend"].calls[0].startswith("nps.nps_trend(\n    df.source,")
    (table,) = rerun(got["trend"].calls, dict(ns))
    assert_frame_equal(table, got["trend"].table)
    summary, pooled = rerun(got["head"].calls, space := dict(ns))
    assert_frame_equal(summary, got["head"].summary)
    assert_frame_equal(pooled, got["head"].pooled)
    assert space["interval"] == got["head"].interval
    again = rerun(got["segs"].calls, dict(ns))
    assert_frame_equal(again[1], got["segs"].comparisons["channel"])
    space = dict(ns)
    quotes, terms = rerun(got["comments"].calls, space)
    assert got["comments"].calls[0] == "sample = sections.comment_sample(df, s)"
    assert_frame_equal(space["impact"], got["comments"].impact)
    assert_frame_equal(terms, got["comments"].terms)
    to_call, to_thank = rerun(got["followup"].calls, dict(ns))
    assert len(to_call) == got["followup"].counts["respondents"].iloc[0]


def test_comments_above_the_cap_come_from_a_seeded_sample_and_say_so(b2c, monkeypatch):
    data = counted.load(b2c, backend="duckdb", parameters={})
    frame = pd.read_parquet(b2c)
    total = int(frame["comment"].fillna("").str.strip().ne("").sum())
    cap = 1000
    monkeypatch.setattr(counted, "COMMENT_CAP", cap)
    s = sections.Settings(**B2C)
    found = sections.comments(data, s)
    sample = found.sample
    assert sample["comments_total"] == total and sample["rows_total"] == 20000
    p = cap / total
    assert sample["sample_fraction"] == pytest.approx(p)
    # each row kept with probability p: the counts are binomial (5 standard deviations)
    for k, n in ((sample["sample_comments"], total), (sample["sample_rows"], 20000)):
        assert abs(k - n * p) < 5 * math.sqrt(n * p * (1 - p)), (k, n * p)
    assert found.commenters == sample["sample_comments"]
    assert found.impact.attrs["n"] == sample["sample_rows"]  # the sample's answers
    # the same seed draws the same rows; another seed other rows
    again = counted.comment_sample(data, s)
    other = counted.comment_sample(data, sections.Settings(**{**B2C, "seed": 4}))
    assert again["comment"].tolist() == counted.comment_sample(data, s)["comment"].tolist()
    assert len(again) == sample["sample_rows"]
    assert again["comment"].tolist() != other["comment"].tolist()
    # the sampled rows are rows of the file, in the file's order
    columns = counted.comment_columns(data, s)
    merged = again.merge(frame[columns].drop_duplicates(), how="left", indicator=True)
    assert (merged["_merge"] == "both").all()
    # the report says how large the sample was, in the section and the methods
    t = sections.Settings(**B2C).texts
    text = show.methods_text(s, t, comments=found)
    assert f"{sample['sample_rows']:,}".replace(",", "\u00a0") in text.replace(",", "\u00a0")
    assert str(total) in text.replace("\u00a0", "").replace(",", "")


def test_backend_choice(b2c, monkeypatch):
    assert counted.choose_backend(b2c, {}, "auto") == "pandas"  # 20,000 rows
    assert counted.choose_backend(b2c, {}, "duckdb") == "duckdb"
    assert counted.choose_backend(b2c, {}, "pandas") == "pandas"
    monkeypatch.setattr(counted, "COUNTED_ROWS", 10_000)
    assert counted.choose_backend(b2c, {}, "auto") == "duckdb"
    # an option that needs every row in pandas: auto reads pandas, duckdb names it
    rake = {"rake": {"region": {"North": 0.5, "South": 0.5}}}
    assert counted.choose_backend(b2c, rake, "auto") == "pandas"
    with pytest.raises(ConfigError, match="rake"):
        counted.choose_backend(b2c, rake, "duckdb")
    with pytest.raises(ConfigError, match="bootstrap"):
        counted.choose_backend(b2c, {"method": "bootstrap"}, "duckdb")
    with pytest.raises(ConfigError, match="backend must be one of"):
        counted.choose_backend(b2c, {}, "spark-please")
    assert counted.choose_backend(None, {}, "auto") == "pandas"  # the bundled example
    with pytest.raises(ConfigError, match="Parquet or CSV"):
        counted.choose_backend(__file__, {}, "duckdb")
    # the template passes its parameters: a large file becomes a Counted
    assert isinstance(counted.load(b2c, backend="auto", parameters={}), counted.Counted)


def test_counted_load_checks_as_the_frame_does(b2c, tmp_path):
    # a filter leaving out 1 to min_n - 1 answers: the whole file minus the report shows them
    frame = pd.read_parquet(b2c)
    few = frame.index[:3]
    path = tmp_path / "few.parquet"
    frame.assign(flag=frame.index.isin(few)).to_parquet(path, index=False)
    for backend in ("pandas", "duckdb"):
        with pytest.raises(ValueError, match="leave out 3 answers"):
            counted.load(str(path), backend=backend, parameters={}, row_filter="not flag",
                             score="recommend", min_n=5)  # fmt: skip
        with pytest.raises(ValueError, match="fewer than min_n 5"):
            counted.load(str(path), backend=backend, parameters={}, row_filter="flag",
                             score="recommend", min_n=5)  # fmt: skip
    # contact details as a segment column are refused before any count is shown
    with pytest.raises(IdentifyingColumnError, match="email"):
        counted.load(b2c, backend="duckdb", parameters={}, score="recommend",
                         required={"segments": ["email"]})  # fmt: skip
    # a group value with a control character: pandas shows it cleaned, the counted report
    # refuses it (it would show it as stored); look-alike values are refused by both
    odd = tmp_path / "odd.parquet"
    frame.assign(region=frame["region"].where(frame.index != 7, "Lapland\u202e")).to_parquet(odd)
    assert "Lapland\u202e" not in set(counted.load(str(odd), backend="pandas", groups={
        "segments": ["region"]})["region"])  # fmt: skip
    with pytest.raises(ValueError, match="invisible or control characters"):
        counted.load(str(odd), backend="duckdb", parameters={}, score="recommend",
                     groups={"segments": ["region"]})  # fmt: skip
    # a score outside 0-10 is an error naming the file
    bad = tmp_path / "bad.parquet"
    frame.assign(recommend=frame["recommend"].where(frame.index != 5, 11)).to_parquet(bad)
    with pytest.raises(ValueError, match="bad.parquet"):
        counted.load(str(bad), backend="duckdb", parameters={}, score="recommend")


def test_rendered_counted_report_shows_the_pandas_reports_tables(b2c, tmp_path):
    """The template end to end, both ways: the same tables in summary.csv, the same headline."""
    import shutil

    import yaml

    from nps_toolkit import reporting as report

    shutil.copy(b2c, tmp_path / "b2c.parquet")
    entry = {"segments": ["channel", "region"], "drivers": [],
             "wave": None, "date": "responded_at", "freq": "QE", "comment": "comment",
             "language": "language", "weights": "weight", "account": None, "invited": None,
             "outputs": ["html"], "n_resamples": 200}  # fmt: skip
    surveys = [{"name": name, "data": "b2c.parquet", "backend": backend}
               for name, backend in (("Pandas", "pandas"), ("Counted", "duckdb"))]  # fmt: skip
    config = tmp_path / "surveys.yml"
    config.write_text(yaml.safe_dump({"defaults": entry, "surveys": surveys}), encoding="utf-8")
    out = tmp_path / "reports"
    table = report.render_reports(config, output_dir=out, progress=False, jobs=1)
    assert table["status"].tolist() == ["ok", "ok"], table.to_dict("records")
    a = pd.read_csv(out / "pandas" / "summary.csv")
    b = pd.read_csv(out / "counted" / "summary.csv")
    assert len(a) > 50 and set(a["table"]) >= {"headline", "shares", "segments", "trend",
                                                "themes", "followup"}  # fmt: skip
    assert_frame_equal(a, b)
    html = (out / "counted" / "report.html").read_text(encoding="utf-8")
    assert "df.source" not in html  # the reviewer's calls stay in the notebook
    notebook = (out / "counted" / "report.ipynb").read_text(encoding="utf-8")
    assert "nps.summarize(rows.source" in notebook and "sections.comment_sample(df, s)" in notebook


def test_auto_decides_on_the_rows_the_filter_keeps(b2c, monkeypatch, tmp_path):
    from pathlib import Path

    from nps_toolkit.reporting import rendering
    from nps_toolkit.reporting.config import Survey

    monkeypatch.setattr(counted, "COUNTED_ROWS", 10_000)  # the file's 20,000 rows are many
    assert counted.choose_backend(b2c, {"row_filter": "recommend >= 0"}, "auto") == "duckdb"
    few = {"row_filter": "channel == 'web'"}  # fewer than 10,000 rows: pandas reads them
    assert (pd.read_parquet(b2c)["channel"] == "web").sum() < 10_000
    assert counted.choose_backend(b2c, few, "auto") == "pandas"
    # split: each value's report is given backend pandas when its answers fit (no scan
    # to decide); an entry that names its backend keeps it
    for backend, expected in ((None, {"pandas"}), ("duckdb", {"duckdb"})):
        p = {"data_path": b2c, "score": "recommend", "min_n": 5}
        if backend:
            p["backend"] = backend
        survey = Survey(name="Shops", slug="shops", parameters=p, split="channel")
        plan = rendering.plan_split(survey, Path(tmp_path))
        assert plan.error is None and plan.reports
        assert {sub.parameters.get("backend") for sub, _, _ in plan.reports} == expected


def test_appendix_names_the_backend_that_counted_the_report(b2c):
    """``backend: auto`` is listed as what it chose: duckdb when counted, nothing for pandas."""
    params = {"survey_name": "x", "score": "recommend", "data_path": "b2c.parquet",
              "backend": "auto", "min_n": 5}  # fmt: skip
    s = sections.Settings.from_parameters({**report.template_parameters(), **params})
    frame, data = _both(b2c, score="recommend")
    assert sections.in_effect(params, data, s)["backend"] == "duckdb"
    assert "backend" not in sections.in_effect(params, frame, s)


def test_counted_group_checks_count_rows_not_distinct_values(b2c, tmp_path):
    """A store column of 12 values, each held by many rows, is groups in both backends
    (the counted check saw one row per distinct value: every value looked unique); a
    customer number (a value per row) is refused by both."""
    frame = pd.read_parquet(b2c)
    path = tmp_path / "stores.parquet"
    frame.assign(store=[f"S{i % 12}" for i in range(len(frame))],
                 customer=[f"C{i}" for i in range(len(frame))]).to_parquet(path)  # fmt: skip
    for backend in ("pandas", "duckdb"):
        data = counted.load(str(path), backend=backend, parameters={}, score="recommend",
                            min_n=5, groups={"segments": ["store"]})  # fmt: skip
        assert len(data) == len(frame)
        with pytest.raises(IdentifyingColumnError, match="customer.*different value"):
            counted.load(str(path), backend=backend, parameters={}, score="recommend",
                         required={"segments": ["customer"]})  # fmt: skip


def test_latest_wave_filter_reads_back_the_wave_itself(b2c, tmp_path):
    """The headline's latest wave was written as Python's repr: ``'w3\\xa0'`` (a
    non-breaking space) read back as the text backslash-x-a-0, another wave's name, so
    the counted headline showed that wave's 3 answers (suppressed in the trend)."""
    frame = pd.read_parquet(b2c).iloc[:200]
    waves = ["w1"] * 64 + ["w2"] * 64 + ["w3\\xa0"] * 3 + ["w3\xa0"] * 69
    path = tmp_path / "waves.parquet"
    frame.assign(wave=waves).to_parquet(path, index=False)
    s = sections.Settings(**{**B2C, "wave": "wave", "segments": (), "comment": None})
    for backend in ("pandas", "duckdb"):
        df = counted.load(str(path), backend=backend, parameters={}, score="recommend",
                          min_n=5, groups={"wave": "wave"})  # fmt: skip
        tr = sections.trend(df, s)
        head = sections.headline(df, s, tr)
        assert head.period == "w3\xa0"
        assert head.summary["n"].iloc[0] == tr.table.set_index("period").loc["w3\xa0", "n"] == 69
    for value in ('it\'s "q"', "a\\b", "tab\there", "x\xa0\u200by", 7, 2.5, -3):
        text = sections.latest_filter(
            sections.Trend(pd.DataFrame({"period": ["a", value], "suppressed": False}), True),
            sections.Settings(wave="w"),
        )
        from nps_toolkit._filters import parse_filter

        assert parse_filter(text).tree.right.value == value, text


def test_counted_periods_do_not_depend_on_the_machines_time_zone(tmp_path):
    """Times stored in UTC were cut into periods in the machine's own zone (DuckDB's
    default TimeZone): a report rendered in Tokyo counted other quarters than pandas."""
    import subprocess
    import sys

    at = pd.date_range("2025-01-01 20:00", periods=200, freq="D", tz="UTC")
    df = pd.DataFrame({"recommend": np.arange(200) % 11, "responded_at": at})
    path = tmp_path / "utc.parquet"
    df.to_parquet(path, index=False)
    expected = df.groupby(df["responded_at"].dt.tz_localize(None).dt.to_period("Q")).size()
    code = (
        "import sys; from nps_toolkit import backends\n"
        f"c = backends.group_counts({str(path)!r}, 'recommend', period=('responded_at', 'QE'))\n"
        "print(c['n'].tolist())"
    )
    env = {"TZ": "Asia/Tokyo", "PATH": "/usr/bin:/bin"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == str(expected.tolist())


def test_spark_latest_wave_and_store_groups_as_the_file(spark, b2c, tmp_path):
    """On Spark too: the latest wave's headline is that wave's answers (not a suppressed
    wave whose name repr wrote), and a 12-store column is groups, not an identifier."""
    frame = pd.read_parquet(b2c).iloc[:200]
    waves = ["w1"] * 64 + ["w2"] * 64 + ["w3\\xa0"] * 3 + ["w3\xa0"] * 69
    path = tmp_path / "waves.parquet"
    frame.assign(wave=waves, store=[f"S{i % 12}" for i in range(200)]).to_parquet(path)
    s = sections.Settings(**{**B2C, "wave": "wave", "segments": ("store",), "comment": None})
    df = counted.load(f"spark:parquet:{path}", parameters={}, score="recommend", min_n=5,
                      groups={"wave": "wave", "segments": ["store"]})  # fmt: skip
    assert isinstance(df, counted.Counted)
    tr = sections.trend(df, s)
    head = sections.headline(df, s, tr)
    assert head.period == "w3\xa0" and head.summary["n"].iloc[0] == 69


def _month_counts(source, **kw):
    out = nps.nps_trend(source, date="responded_at", freq="ME", min_n=1, **kw)
    return {"period": out["period"].astype(str).tolist(), "n": out["n"].tolist()}


@pytest.mark.parametrize("zone", ["Europe/Helsinki", "America/New_York", "Asia/Kolkata", "UTC"])
def test_zoned_parquet_times_are_cut_in_their_own_zone_as_pandas_does(tmp_path, zone):
    """Parquet times stored with a zone: DuckDB cut them into months in UTC, pandas in
    their own zone (the respondent's wall time), so one file gave two trends."""
    at = pd.date_range("2025-03-31 18:00", periods=48, freq="15min", tz=zone)
    df = pd.DataFrame({"recommend": np.arange(48) % 11, "responded_at": at})
    path = tmp_path / "zoned.parquet"
    df.to_parquet(path, index=False)
    # by hand: the wall-clock month of each answer
    months = at.tz_localize(None).to_period("M").astype(str)
    expected = {
        "period": sorted(set(months)),
        "n": [int((months == m).sum()) for m in sorted(set(months))],
    }
    assert _month_counts(df) == expected
    assert _month_counts(str(path)) == expected
    # a filter's date is a wall time on both backends
    kept = backends.read_columns(
        str(path), ["recommend"], row_filter="responded_at >= '2025-04-01'"
    )
    assert len(kept) == int((at.tz_localize(None) >= "2025-04-01").sum())


def _zoned_parts(folder, start: str, periods: int, freq: str, cut: int):
    """Answers at ``periods`` Helsinki times from ``start``, in two Parquet parts."""
    at = pd.date_range(start, periods=periods, freq=freq, tz="Europe/Helsinki")
    df = pd.DataFrame({"recommend": np.arange(periods) % 11, "responded_at": at})
    folder.mkdir()
    df.iloc[:cut].to_parquet(folder / "a.parquet", index=False)
    df.iloc[cut:].to_parquet(folder / "b.parquet", index=False)
    return df, at


def test_zoned_parts_and_csv_offsets_read_as_pandas_reads_them(tmp_path):
    folder = tmp_path / "parts"
    df, _ = _zoned_parts(folder, "2025-03-31 22:00", 24, "10min", 12)
    assert _month_counts(str(folder / "*.parquet")) == _month_counts(df)
    # one UTC offset in the text ("+03:00"): wall time, as pandas reads it
    one = tmp_path / "one.csv"
    df.to_csv(one, index=False)
    assert "+03:00" in one.read_text()
    assert _month_counts(str(one)) == _month_counts(nps.load_survey(one)) == _month_counts(df)
    # several offsets (summer time began on 30 March): each answer's own wall time on
    # both backends; in UTC the first would be March's and the last February's
    mixed = tmp_path / "mixed.csv"
    pd.DataFrame(
        {
            "recommend": [9, 10, 3, 8, 7],
            "responded_at": [
                "2025-04-01 00:30:00+03:00",  # 31 March 21:30 in UTC
                "2025-03-30 01:30:00+02:00",
                "2025-04-02T10:00:00.250+03:00",
                "2025-03-01 00:30:00+02:00",  # 28 February 22:30 in UTC
                "2025-03-15 12:00:00+02:00",
            ],
        }
    ).to_csv(mixed, index=False)
    by_hand = {"period": ["2025-03", "2025-04"], "n": [3, 2]}
    assert _month_counts(str(mixed)) == _month_counts(nps.load_survey(mixed)) == by_hand
    kept = backends.read_columns(
        str(mixed), ["recommend"], row_filter="responded_at < '2025-04-01'"
    )
    assert sorted(kept["recommend"]) == [7, 8, 10]


def test_offset_seconds():
    assert backends._offset_seconds("+03:00") == 10800
    assert backends._offset_seconds("-0530") == -19800
    assert backends._offset_seconds("Z") == 0
    assert backends._offset_seconds("Europe/Helsinki") is None


def test_spark_zoned_parquet_times_are_cut_in_their_own_zone(spark, tmp_path):
    """Spark read Parquet times with a zone as instants and cut them in UTC: the same
    file gave other months on Spark than in pandas and DuckDB."""
    folder = tmp_path / "zoned"
    df, at = _zoned_parts(folder, "2025-03-31 18:00", 48, "15min", 20)
    sdf = backends.spark_source(f"spark:parquet:{folder}")
    assert _month_counts(sdf) == _month_counts(df) == _month_counts(str(folder))
    kept = backends.spark_source(f"spark:parquet:{folder}", "responded_at >= '2025-04-01'")
    assert kept.count() == int((at.tz_localize(None) >= "2025-04-01").sum()) == 24


def test_spark_csv_offsets_read_as_pandas_and_duckdb_read_them(spark, tmp_path):
    """Spark read CSV times with UTC offsets as instants, cut in UTC: one offset or two
    (summer time began on 30 March), its months differed from pandas' and DuckDB's."""
    times = {
        "one": ["2025-04-01 00:30:00+03:00", "2025-03-31 23:30:00+03:00", "2025-04-02 10:00:00+03:00"],
        "mixed": ["2025-04-01 00:30:00+03:00", "2025-03-30 01:30:00+02:00",
                  "2025-04-02T10:00:00.250+03:00", "2025-03-01 00:30:00+02:00"],
    }  # fmt: skip
    for name, at in times.items():
        path = tmp_path / f"{name}.csv"
        pd.DataFrame({"recommend": [9, 10, 3, 8][: len(at)], "responded_at": at}).to_csv(
            path, index=False
        )
        sdf = backends.spark_source(f"spark:csv:{path}")
        by_hand = pd.Series(at).str.slice(0, 7).value_counts().sort_index()
        expected = {"period": by_hand.index.tolist(), "n": by_hand.tolist()}
        assert _month_counts(sdf) == _month_counts(str(path)) == expected
        assert _month_counts(nps.load_survey(path)) == expected
        kept = backends.spark_source(f"spark:csv:{path}", "responded_at < '2025-04-01'")
        assert kept.count() == int((pd.Series(at).str.slice(0, 10) < "2025-04-01").sum())


def test_a_zone_that_is_no_time_zone_is_named(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    for zone in ("Nowhere/Bad", "x'); DROP TABLE y; --"):
        stamps = pa.array([0, 10**12], type=pa.timestamp("us", tz=zone))
        path = tmp_path / "bad.parquet"
        pq.write_table(pa.table({"recommend": pa.array([9, 3]), "responded_at": stamps}), path)
        backends._wall_clocks.cache_clear()
        with pytest.raises(
            ValueError,
            match=r"bad\.parquet: column 'responded_at' holds times in zone .*not a known time zone",
        ):
            nps.nps_trend(str(path), date="responded_at", freq="ME", min_n=1)
