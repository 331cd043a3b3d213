"""Trends and goals pinned to brute-force pandas, compare_nps and a worked goal example."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import nps_toolkit as nps
from nps_toolkit.trends import goal_progress, nps_trend


def _brute_nps(scores: pd.Series) -> float:
    s = scores.dropna()
    return 100 * ((s >= 9).mean() - (s <= 6).mean())


@pytest.fixture
def two_years(rng):
    """3,000 answers over 2023-2024 whose promoter share drifts upwards, 3 % blank."""
    n = 3000
    start = pd.Timestamp("2023-01-01")
    days = rng.integers(0, 731, size=n)
    when = start + pd.to_timedelta(days, unit="D") + pd.to_timedelta(rng.integers(0, 86400, n), "s")
    drift = days / 730
    p_promoter = 0.30 + 0.20 * drift
    p_detractor = 0.30 - 0.15 * drift
    u = rng.random(n)
    scores = np.where(
        u < p_promoter,
        rng.integers(9, 11, n),
        np.where(u < p_promoter + p_detractor, rng.integers(0, 7, n), rng.integers(7, 9, n)),
    ).astype(float)
    scores[rng.random(n) < 0.03] = np.nan
    return pd.DataFrame({"responded_at": when, "recommend": scores})


def test_quarterly_n_and_nps_equal_brute_force(two_years):
    t = nps_trend(two_years, freq="QE")
    quarter = two_years["responded_at"].dt.to_period("Q")
    brute = two_years.groupby(quarter)["recommend"]
    assert t["period"].astype(str).tolist() == [
        f"{y}Q{q}" for y in (2023, 2024) for q in range(1, 5)
    ]
    assert t["n"].tolist() == brute.count().tolist()
    np.testing.assert_allclose(t["nps"], brute.apply(_brute_nps).to_numpy())
    np.testing.assert_allclose(
        t["pct_promoters"], brute.apply(lambda s: 100 * (s.dropna() >= 9).mean()).to_numpy()
    )
    assert t["excluded_blank"].tolist() == brute.apply(lambda s: s.isna().sum()).tolist()
    assert t.attrs["excluded_blank"] == two_years["recommend"].isna().sum()
    assert (t["ci_low"] < t["nps"]).all() and (t["nps"] < t["ci_high"]).all()


def test_changes_equal_compare_nps_on_the_raw_rows(two_years):
    t = nps_trend(two_years, freq="QE")
    quarter = two_years["responded_at"].dt.to_period("Q")
    assert np.isnan(t["change"].iat[0]) and np.isnan(t["change_p_value"].iat[0])
    for i in range(1, len(t)):
        before = two_years.loc[quarter == t["period"].iat[i - 1], "recommend"]
        now = two_years.loc[quarter == t["period"].iat[i], "recommend"]
        ref = nps.compare_nps(
            counts_a=nps.category_counts(before), counts_b=nps.category_counts(now)
        )
        row = t.iloc[i]
        assert row["compared_to"] == t["period"].iat[i - 1]
        assert row["change"] == pytest.approx(_brute_nps(now) - _brute_nps(before))
        assert row["change"] == pytest.approx(ref.difference)
        assert row["change_low"] == pytest.approx(ref.low)
        assert row["change_high"] == pytest.approx(ref.high)
        assert row["change_p_value"] == pytest.approx(ref.p_value)


def test_monthly_and_yearly(two_years):
    monthly = nps_trend(two_years, freq="ME", min_n=0)
    assert len(monthly) == 24
    assert monthly["n"].sum() == two_years["recommend"].notna().sum()
    yearly = nps_trend(two_years, freq="YE", min_n=0)
    year = two_years["responded_at"].dt.year
    assert yearly["period"].astype(str).tolist() == ["2023", "2024"]
    np.testing.assert_allclose(
        yearly["nps"], two_years.groupby(year)["recommend"].apply(_brute_nps).to_numpy()
    )
    # the simulated drift is large: the year-on-year rise is significant
    assert yearly["change"].iat[1] > 0 and yearly["change_p_value"].iat[1] < 0.001


def test_empty_periods_are_kept_and_skipped_by_change():
    df = pd.DataFrame(
        {
            "responded_at": pd.to_datetime(["2024-01-15"] * 40 + ["2024-08-20"] * 40),
            "recommend": [10] * 20 + [0] * 20 + [10] * 30 + [5] * 10,
        }
    )
    t = nps_trend(df, freq="QE")
    assert t["period"].astype(str).tolist() == ["2024Q1", "2024Q2", "2024Q3"]
    q2 = t.iloc[1]
    assert q2["n"] == 0 and np.isnan(q2["nps"]) and np.isnan(q2["ci_low"])
    assert np.isnan(q2["change"]) and pd.isna(q2["compared_to"])
    q3 = t.iloc[2]
    assert str(q3["compared_to"]) == "2024Q1"
    assert q3["change"] == pytest.approx(50.0 - 0.0)
    ref = nps.compare_nps(counts_a=(20, 0, 20), counts_b=(10, 0, 30))
    assert q3["change_p_value"] == pytest.approx(ref.p_value)


def test_small_periods_are_suppressed_with_the_next_smallest_and_not_compared():
    df = pd.DataFrame(
        {
            "responded_at": pd.to_datetime(
                ["2024-01-15"] * 40 + ["2024-04-15"] * 10 + ["2024-07-15"] * 40
            ),
            "recommend": [10] * 40 + [9] * 10 + [0] * 40,
        }
    )
    t = nps_trend(df, freq="QE", min_n=30)
    assert t["below_min_n"].tolist() == [False, True, False]
    # Q2 (10 answers) alone could be worked out as overall - Q1 - Q3, so the
    # smallest other quarter (Q1, first of the two with 40) is suppressed with it
    assert t["suppressed"].tolist() == [True, True, False]
    assert t["nps"].isna().tolist() == [True, True, False]
    assert t[["promoters", "pct_promoters", "ci_low"]].iloc[:2].isna().all().all()
    assert t["n"].tolist() == [40, 10, 40]  # periods keep their label and n
    # no change to or from a suppressed quarter: Q3 has no shown quarter before it
    assert t["change"].isna().all() and t["compared_to"].isna().all()
    assert "change_below_min_n" not in t.columns


def test_weighted_trend_equals_weighted_brute_force():
    df = nps.example_survey("b2c-monthly")
    t = nps_trend(df, weights="weight", freq="QE")
    quarter = df["responded_at"].dt.to_period("Q")
    for period, g in df.groupby(quarter):
        row = t.loc[t["period"] == period].iloc[0]
        g = g[g["recommend"].notna()]
        w = g["weight"]
        expected = 100 * (w[g["recommend"] >= 9].sum() - w[g["recommend"] <= 6].sum()) / w.sum()
        assert row["nps"] == pytest.approx(expected)
        assert row["n"] == len(g)
        # effective n from the linearised variance sum w^2 (s - m)^2 / W^2
        s = np.select([g["recommend"] >= 9, g["recommend"] <= 6], [1.0, -1.0], 0.0)
        m = (w * s).sum() / w.sum()
        var = ((w * (s - m)) ** 2).sum() / w.sum() ** 2
        p, d = w[s == 1].sum() / w.sum(), w[s == -1].sum() / w.sum()
        assert row["n_effective"] == pytest.approx((p + d - m**2) / var)
        assert row["standard_error"] == pytest.approx(100 * np.sqrt(var), rel=0.02)


def test_wave_mode_on_the_b2b_example_rises():
    df = nps.example_survey("b2b-annual")
    t = nps_trend(df, wave="wave")
    assert t["period"].tolist() == sorted(df["wave"].unique())
    assert t["n"].tolist() == df.groupby("wave")["recommend"].count().tolist()
    np.testing.assert_allclose(
        t["nps"], df.groupby("wave")["recommend"].apply(_brute_nps).to_numpy()
    )
    rho = stats.spearmanr(t["period"], t["nps"]).statistic
    assert rho > 0.9
    assert t["nps"].iat[-1] - t["nps"].iat[0] > 20
    assert t["ci_low"].iat[-1] < 56 < t["ci_high"].iat[-1]  # the documented end point
    assert t["compared_to"].tolist()[1:] == t["period"].tolist()[:-1]


@pytest.mark.parametrize("suffix", [".parquet", ".csv"])
def test_trend_from_files_equals_the_in_memory_trend(two_years, tmp_path, suffix):
    # counted where the data lives (DuckDB via group_counts): the same table
    path = tmp_path / f"survey{suffix}"
    df = two_years.assign(w=np.linspace(0.5, 2.0, len(two_years)))
    if suffix == ".parquet":
        df.to_parquet(path)
    else:
        df.to_csv(path, index=False)
    for kwargs in ({"freq": "QE"}, {"freq": "ME", "weights": "w"}):
        expected = nps_trend(df, **kwargs)
        got = nps_trend(str(path), **kwargs)
        pd.testing.assert_frame_equal(got, expected, check_dtype=False)


def test_rows_without_a_date_are_counted_and_warned():
    df = pd.DataFrame(
        {
            "responded_at": pd.to_datetime(["2024-01-15", None, "2024-02-15", None]),
            "recommend": [10, 0, 9, np.nan],
        }
    )
    with pytest.warns(UserWarning, match="2 row"):
        t = nps_trend(df, min_n=1)
    assert t.attrs["excluded_no_period"] == 2
    assert t["n"].tolist() == [2]


def test_bad_arguments_are_named():
    df = pd.DataFrame({"responded_at": pd.to_datetime(["2024-01-15"]), "recommend": [10]})
    with pytest.raises(ValueError, match="'QE'"):
        nps_trend(df, freq="fortnightly")
    with pytest.raises(KeyError, match="wave"):
        nps_trend(df, wave="wave")
    with pytest.raises(KeyError, match="when"):
        nps_trend(df, date="when")


def test_dates_as_text_and_time_zones():
    # 00:30 on 1 April in Helsinki is still 31 March in UTC: the local quarter counts
    when = pd.to_datetime(["2024-03-31 12:00", "2024-04-01 00:30"]).tz_localize("Europe/Helsinki")
    df = pd.DataFrame({"responded_at": when, "recommend": [10, 0]})
    t = nps_trend(df, min_n=1)
    assert t["period"].astype(str).tolist() == ["2024Q1", "2024Q2"]
    text = pd.DataFrame({"responded_at": ["2024-01-05", "2024-02-05"], "recommend": [10, 9]})
    assert nps_trend(text, min_n=1)["n"].tolist() == [2]
    text.loc[1, "responded_at"] = "31.13.2024"
    with pytest.raises(ValueError, match=r"'31.13.2024' at row\(s\) \[1\]"):
        nps_trend(text)


def test_unit_weights_give_the_unweighted_trend(two_years):
    plain = nps_trend(two_years)
    weighted = nps_trend(two_years.assign(w=1.0), weights="w")
    cols = [
        "n",
        "nps",
        "ci_low",
        "ci_high",
        "change",
        "change_low",
        "change_high",
        "change_p_value",
    ]
    pd.testing.assert_frame_equal(plain[cols], weighted[cols])
    np.testing.assert_allclose(weighted["n_effective"], plain["n"])


def test_public_rocks_data_by_month(public_data):
    df = pd.read_csv(public_data / "rocks_NPS_R_testdata.csv", parse_dates=["date"])
    t = nps_trend(df, date="date", freq="ME", score="REC")
    month = df["date"].dt.to_period("M")
    brute = df.groupby(month)["REC"]
    assert t["n"].sum() == df["REC"].notna().sum()
    np.testing.assert_allclose(t["nps"], brute.apply(_brute_nps).to_numpy())


# --- goals ----------------------------------------------------------------------


def _year_pair(promoters_last, promoters_now, n=100):
    """Two yearly waves of n answers with the given promoter counts (the rest passives)."""
    scores = [10] * promoters_last + [8] * (n - promoters_last)
    scores += [9] * promoters_now + [7] * (n - promoters_now)
    dates = ["2024-06-01"] * n + ["2025-06-01"] * n
    return pd.DataFrame({"responded_at": pd.to_datetime(dates), "recommend": scores})


def test_goal_worked_example_44_on_track_43_not():
    # 40 % promoters last year; +10 % a year (relative) makes the target 44 %
    on = goal_progress(nps_trend(_year_pair(40, 44), freq="YE"), promoter_growth=0.10)
    assert len(on) == 1
    row = on.iloc[0]
    assert row["baseline_share"] == pytest.approx(40.0)
    assert row["target"] == pytest.approx(44.0)
    assert row["actual"] == pytest.approx(44.0)
    assert row["gap"] == pytest.approx(0.0)
    assert bool(row["on_track"])
    off = goal_progress(nps_trend(_year_pair(40, 43), freq="YE"), promoter_growth=0.10).iloc[0]
    assert off["target"] == pytest.approx(44.0) and off["gap"] == pytest.approx(-1.0)
    assert not bool(off["on_track"])
    assert not off["below_min_n"]  # 100 answers, default min_n 5
    # with 100 answers a year 43 % is far inside the noise: the interval covers 44 %
    assert bool(off["target_in_interval"])


def test_goal_interval_is_wilson():
    row = goal_progress(nps_trend(_year_pair(40, 43), freq="YE")).iloc[0]
    # Wilson (1927) by hand: centre (p + z^2/2n) / (1 + z^2/n), half-width z sqrt(...)
    p, n, z = 0.43, 100, stats.norm.ppf(0.975)
    centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
    half = z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / (1 + z**2 / n)
    assert row["share_low"] == pytest.approx(100 * (centre - half))
    assert row["share_high"] == pytest.approx(100 * (centre + half))


def test_goal_absolute_growth_and_compounding_by_quarter():
    # absolute: +10 percentage points a year -> 40 % to 50 %
    g = goal_progress(nps_trend(_year_pair(40, 49), freq="YE"), 0.10, absolute=True).iloc[0]
    assert g["target"] == pytest.approx(50.0) and not bool(g["on_track"])
    # quarterly trend: a yearly goal compounds, 40 * 1.1 ** (k / 4) after k quarters
    dates = pd.date_range("2024-01-15", periods=5, freq="3MS").repeat(100)
    scores = np.concatenate([[10] * k + [8] * (100 - k) for k in (40, 41, 42, 43, 44)])
    t = nps_trend(pd.DataFrame({"responded_at": dates, "recommend": scores}), freq="QE")
    q = goal_progress(t, 0.10)
    np.testing.assert_allclose(q["years"], [0.25, 0.5, 0.75, 1.0])
    np.testing.assert_allclose(q["target"], 40 * 1.1 ** np.array([0.25, 0.5, 0.75, 1.0]))
    assert q["on_track"].tolist() == [True, True, True, True]
    # an explicit baseline: from 2024Q3 (42 %), 2025Q1 is half a year on
    b = goal_progress(t, 0.10, baseline="2024Q3")
    assert b["period"].astype(str).tolist() == ["2024Q4", "2025Q1"]
    assert b["target"].iat[1] == pytest.approx(42 * 1.1**0.5)


def test_goal_on_waves_uses_wave_distance():
    trend = pd.DataFrame({"period": [1, 2, 4], "n": [50] * 3, "pct_promoters": [50.0, 55.0, 66.0]})
    g = goal_progress(trend, 0.10)
    np.testing.assert_allclose(g["target"], [55.0, 50 * 1.1**3])
    assert g["on_track"].tolist() == [True, False]  # 66 < 66.55


def test_goal_bad_input():
    with pytest.raises(KeyError, match="pct_promoters"):
        goal_progress(pd.DataFrame({"period": [1], "n": [1]}))
    trend = pd.DataFrame({"period": [1, 2], "n": [10, 10], "pct_promoters": [40.0, 50.0]})
    with pytest.raises(KeyError, match="baseline 9"):
        goal_progress(trend, baseline=9)
    with pytest.raises(ValueError, match="promoter_growth"):
        goal_progress(trend, promoter_growth=-1.5)


# --- figures --------------------------------------------------------------------


def test_trend_plot_draws_the_interval_band():
    from nps_toolkit.plots import trend_plot

    df = pd.DataFrame(
        {
            "responded_at": pd.to_datetime(
                ["2024-01-15"] * 40 + ["2024-04-15"] * 10 + ["2024-10-15"] * 40
            ),
            "recommend": [10] * 30 + [0] * 10 + [9] * 10 + [8] * 20 + [10] * 20,
        }
    )
    t = nps_trend(df, min_n=30)  # Q2 (10) is suppressed, and Q1 (40) with it
    ax = trend_plot(t)
    line = ax.get_lines()[0]
    np.testing.assert_allclose(line.get_ydata(), t["nps"], equal_nan=True)
    band = ax.collections[0].get_paths()[0].vertices
    # the band's edges are the interval ends of the observed quarters
    assert np.isclose(band[:, 1].max(), np.nanmax(t["ci_high"]))
    assert np.isclose(band[:, 1].min(), np.nanmin(t["ci_low"]))
    labels = [tick.get_text() for tick in ax.get_xticklabels()]
    assert labels == [
        "2024Q1\nn=40 hidden",
        "2024Q2\nn=10 hidden",
        "2024Q3\nn=0",
        "2024Q4\nn=40",
    ]
    assert np.isnan(line.get_ydata()[:3]).all()  # nothing drawn for hidden or empty quarters
    legend = [text.get_text() for text in ax.get_legend().get_texts()]
    assert "95% interval" in legend and "n < 30" not in legend


def test_goal_plot_marks_on_track_and_behind():
    from nps_toolkit.plots import goal_plot

    trend = pd.DataFrame(
        {"period": [2023, 2024, 2025], "n": [100] * 3, "pct_promoters": [40.0, 44.0, 45.0]}
    )
    progress = goal_progress(trend, 0.10)
    ax = goal_plot(progress)
    target = ax.get_lines()[0]
    np.testing.assert_allclose(target.get_ydata(), [40.0, 44.0, 48.4])
    legend = [text.get_text() for text in ax.get_legend().get_texts()]
    assert {"target", "baseline", "on track", "behind"} <= set(legend)
    assert [tick.get_text() for tick in ax.get_xticklabels()] == ["2023", "2024", "2025"]
    with pytest.raises(KeyError, match="goal_progress"):
        goal_plot(trend)


# --- every interval method --------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "change_method"),
    [
        ("wald", "wald"),
        ("adjusted-wald", "adjusted-wald"),
        ("score", "adjusted-wald"),
        ("bootstrap", "bootstrap"),
        ("bca", "bootstrap"),
        ("bayes", "bayes"),
    ],
)
def test_every_interval_method_gives_a_trend_with_tested_changes(method, change_method):
    df = nps.example_survey("b2b-annual")
    kw = dict(wave="wave", method=method, n_resamples=2000)
    t = nps_trend(df, rng=7, **kw)
    assert t.attrs["change_method"] == change_method
    # the periods' intervals are nps_interval's on the same counts
    last = df[df["wave"] == 7]["recommend"]
    ref = nps.nps_interval(last, method=method, rng=1, n_resamples=2000)
    tol = 1e-9 if method in ("wald", "adjusted-wald", "score") else 2.5
    assert t["ci_low"].iat[-1] == pytest.approx(ref.low, abs=tol)
    assert t["ci_high"].iat[-1] == pytest.approx(ref.high, abs=tol)
    # the last change is compare_nps on the last two waves with the change method
    before = nps.category_counts(df[df["wave"] == 6]["recommend"])
    change = nps.compare_nps(
        counts_a=before,
        counts_b=nps.category_counts(last),
        method=change_method,
        rng=1,
        n_resamples=2000,
    )
    assert t["change"].iat[-1] == pytest.approx(change.difference)
    assert t["change_p_value"].iat[-1] == pytest.approx(change.p_value, abs=tol / 50)
    assert t["change_low"].iat[-1] == pytest.approx(change.low, abs=tol)
    # reproducible with a seed
    pd.testing.assert_frame_equal(t, nps_trend(df, rng=7, **kw))


def test_weighted_changes_use_adjusted_wald_for_other_methods():
    df = nps.example_survey("b2c-monthly")
    a = nps_trend(df, weights="weight", method="score")
    b = nps_trend(df, weights="weight", method="adjusted-wald")
    assert a.attrs["change_method"] == "adjusted-wald"
    np.testing.assert_allclose(a["change_p_value"], b["change_p_value"], equal_nan=True)
    with pytest.raises(ValueError, match="valid methods"):
        nps_trend(df, method="jackknife")


def test_trend_checks_arguments_before_counting(tmp_path):
    missing = str(tmp_path / "none" / "*.parquet")
    with pytest.raises(ValueError, match="confidence_level"):
        nps_trend(missing, confidence_level=95)
    with pytest.raises(ValueError, match="n_resamples"):
        nps_trend(missing, method="bootstrap", n_resamples=0)
    with pytest.raises(ValueError, match="min_n"):
        nps_trend(missing, min_n=-3)
    with pytest.raises(ValueError, match="confidence_level"):
        nps.goal_progress(
            pd.DataFrame({"period": [1], "n": [1], "pct_promoters": [1.0]}),
            0.1,
            confidence_level=1.5,
        )


@pytest.mark.parametrize(
    ("alias", "freq"),
    [("M", "ME"), ("MS", "ME"), ("Q", "QE"), ("QS", "QE"), ("Y", "YE"), ("YS", "YE")],
)
def test_pandas_short_frequencies_are_read_as_their_period_end_form(two_years, alias, freq):
    expected = nps_trend(two_years, freq=freq, min_n=1)
    got = nps_trend(two_years, freq=alias, min_n=1)
    pd.testing.assert_frame_equal(got, expected)
    assert got.attrs["freq"] == freq
    n_periods = {"ME": 24, "QE": 8, "YE": 2}[freq]  # 2023-2024
    assert len(got) == n_periods


def test_misspelled_trend_columns_suggest_the_closest():
    df = pd.DataFrame({"responded_at": pd.to_datetime(["2024-01-15"]), "recommend": [10]})
    with pytest.raises(
        ValueError, match=r"'responded' not in the data; did you mean 'responded_at'"
    ):
        nps_trend(df, date="responded")
    with pytest.raises(ValueError, match=r"'recomend' not in the data; did you mean 'recommend'"):
        nps_trend(df, score="recomend")


def test_score_passed_where_the_date_goes_says_so():
    df = pd.DataFrame(
        {"responded_at": pd.date_range("2024-01-01", periods=6, freq="20D"),
         "recommend": [10, 9, 3, 8, 0, 10]}
    )  # fmt: skip
    with pytest.raises(ValueError) as err:
        nps_trend(df, "recommend")
    assert "reads 'recommend' as the date column" in str(err.value)
    assert "did you mean nps_trend(df, date='responded_at', score='recommend')?" in str(err.value)
