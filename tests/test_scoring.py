"""Scoring pinned to hand-worked numbers (DESIGN.md worked checks)."""

import numpy as np
import pandas as pd
import pytest

import nps_toolkit as nps
from nps_toolkit.scoring import BANDS


def test_classify_boundaries():
    got = nps.classify(pd.Series([0, 6, 7, 8, 9, 10, np.nan], index=list("abcdefg")))
    assert got.tolist()[:6] == [
        "detractor",
        "detractor",
        "passive",
        "passive",
        "promoter",
        "promoter",
    ]
    assert pd.isna(got["g"])
    assert list(got.index) == list("abcdefg")
    assert got.cat.ordered and list(got.cat.categories) == list(nps.CATEGORIES)


def test_sixty_promoters_twenty_detractors_give_40():
    scores = [9] * 30 + [10] * 30 + [7] * 20 + [0] * 10 + [6] * 10
    assert nps.nps(scores) == pytest.approx(40.0)


def test_70_15_15_gives_55():
    scores = [10] * 70 + [8] * 15 + [3] * 15
    c = nps.category_counts(scores)
    assert (c.detractors, c.passives, c.promoters, c.n) == (15, 15, 70, 100)
    assert nps.nps(scores) == pytest.approx(55.0)


def test_extremes():
    assert nps.nps([9, 10, 10]) == 100
    assert nps.nps([0, 3, 6]) == -100
    assert nps.nps([7, 8]) == 0


def test_weighted_equals_repeated_rows(rng):
    scores = rng.integers(0, 11, size=200)
    w = rng.integers(0, 5, size=200)
    assert nps.nps(scores, weights=w) == pytest.approx(nps.nps(np.repeat(scores, w)))
    c = nps.category_counts(scores, weights=w)
    assert c.n == w.sum()


def test_blank_answers_are_excluded_not_errors():
    c = nps.category_counts([10, None, np.nan, 0])
    assert c == (1, 0, 1, 2)


@pytest.mark.parametrize("bad", [11, -1, 7.5])
def test_out_of_range_scores_raise(bad):
    with pytest.raises(ValueError, match="0 to 10"):
        nps.nps([10, bad])


def test_no_responses_raise():
    with pytest.raises(ValueError, match="no responses"):
        nps.nps([np.nan, np.nan])


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (-100, "needs improvement"),
        (-0.1, "needs improvement"),
        (0, "acceptable"),  # 0 is not "below 0"
        (30, "acceptable"),  # each band includes its upper edge
        (30.01, "good"),
        (50, "good"),
        (50.5, "excellent"),
        (70, "excellent"),  # "above 70" is world-class
        (70.01, "world-class"),
        (100, "world-class"),
    ],
)
def test_band_boundaries(value, expected):
    assert nps.band(value) == expected


def test_band_rejects_out_of_scale_and_passes_missing():
    assert nps.band(np.nan) is None
    with pytest.raises(ValueError):
        nps.band(101)
    assert len(BANDS) == 5


def test_csat_ces_response_rate():
    assert nps.csat([5, 4, 3, 2, 1]) == pytest.approx(40.0)
    assert nps.csat([10, 9, 8, 1], scale=10, top=2) == pytest.approx(50.0)
    assert nps.ces([1, 7, 4, np.nan]) == pytest.approx(4.0)
    assert nps.response_rate(1055, 180) == pytest.approx(100 * 180 / 1055)
    with pytest.raises(ValueError, match="exceed"):
        nps.response_rate(10, 11)
    with pytest.raises(ValueError, match="positive"):
        nps.response_rate(0, 0)
    with pytest.raises(ValueError):
        nps.csat([6], scale=5)


@pytest.fixture
def survey():
    return pd.DataFrame(
        {
            "recommend": [10] * 7 + [8] * 2 + [0] + [9, 9, 3, np.nan] + [10, 2],
            "region": ["north"] * 10 + ["south"] * 4 + ["east"] * 2,
            "tier": ["a", "b"] * 8,
        }
    )


def test_summarize_overall(survey):
    s = nps.summarize(survey)
    assert len(s) == 1
    row = s.iloc[0]
    # answered: 16 - 1 blank = 15; promoters 7 + 2 + 1 = 10; detractors 1 + 1 + 1 = 3
    assert (row.n, row.promoters, row.passives, row.detractors) == (15, 10, 2, 3)
    assert row.nps == pytest.approx(100 * 7 / 15)
    assert row.pct_promoters + row.pct_passives + row.pct_detractors == pytest.approx(100)
    assert row.excluded_blank == 1
    assert row.band == nps.band(row.nps)
    assert row.ci_low < row.nps < row.ci_high


def test_summarize_groups_and_suppression(survey):
    every = nps.summarize(survey, by="region", min_n=1).set_index("region")
    assert every.loc["south", "n"] == 3 and every.loc["south", "excluded_blank"] == 1
    assert every.loc["south", "nps"] == pytest.approx(100 * (2 - 1) / 3)
    assert not every["suppressed"].any()
    s = nps.summarize(survey, by="region", min_n=3)
    assert s.loc[0, "nps"] == pytest.approx(60.0)  # north: 7 promoters, 1 detractor of 10
    # east (2) is under min_n; south (3), the smallest other group, is hidden with it,
    # and neither shows its label or n: one row says how many groups are hidden
    assert s["region"].tolist() == [
        "north",
        "2 groups hidden (fewer than 3 answers, or hidden with them)",
    ]
    hidden = s.iloc[1]
    assert bool(hidden.suppressed) and pd.isna(hidden.n) and pd.isna(hidden.excluded_blank)
    assert pd.isna(hidden.nps) and pd.isna(hidden.promoters) and pd.isna(hidden.ci_low)
    assert s.attrs["excluded_blank"] == 1 and s.attrs["n_hidden"] == 2


def test_summarize_several_columns(survey):
    s = nps.summarize(survey, by=["region", "tier"], min_n=1)
    assert list(s.columns[:2]) == ["region", "tier"]
    assert s["n"].sum() == 15
    assert len(s) == 6


def test_summarize_weights_match_repeated_rows(survey, rng):
    w = rng.integers(1, 4, size=len(survey))
    weighted = nps.summarize(survey.assign(w=w), weights="w")
    repeated = nps.summarize(survey.loc[survey.index.repeat(w)])
    assert weighted.nps.iloc[0] == pytest.approx(repeated.nps.iloc[0])
    # effective n from the linearised variance over answered rows:
    # (p + d - m^2) / (sum w^2 (s - m)^2 / W^2)
    r = survey.recommend.to_numpy()
    answered = ~np.isnan(r)
    r, wa = r[answered], w[answered].astype(float)
    s = np.select([r >= 9, r <= 6], [1.0, -1.0], 0.0)
    m = (wa * s).sum() / wa.sum()
    var = ((wa * (s - m)) ** 2).sum() / wa.sum() ** 2
    p, d = wa[s == 1].sum() / wa.sum(), wa[s == -1].sum() / wa.sum()
    assert weighted.n_effective.iloc[0] == pytest.approx((p + d - m**2) / var)
    assert weighted.standard_error.iloc[0] != pytest.approx(repeated.standard_error.iloc[0])
    assert weighted.n.iloc[0] == 15  # bases stay unweighted


def test_summarize_missing_column_names_it(survey):
    with pytest.raises(KeyError, match="segment"):
        nps.summarize(survey, by="segment")


def test_summarize_extra_metrics():
    df = pd.DataFrame(
        {
            "recommend": [10, 9, 3, 8, 7],
            "csat": [5, 4, 3, 2, np.nan],
            "ces": [1, 2, 3, 4, 5],
            "retained": [True, True, False, True, False],
        }
    )
    s = nps.summarize(df).iloc[0]
    assert s.csat == pytest.approx(50.0)  # 2 of 4 non-blank ratings are 4 or 5
    assert s.ces == pytest.approx(3.0)
    assert s.retention_rate == pytest.approx(60.0)


def test_group_counts_periods_use_local_wall_time():
    from nps_toolkit.scoring import group_counts

    # 23:00 on 31 March in Helsinki is 20:00 UTC: still Q1 locally; 01:00 on 1 April is Q2
    times = pd.to_datetime(["2024-03-31T23:00", "2024-04-01T01:00", "2024-04-02T09:00"])
    df = pd.DataFrame(
        {"recommend": [10, 0, 9], "responded_at": times.tz_localize("Europe/Helsinki")}
    )
    counts = group_counts(df, period=("responded_at", "QE"))
    assert counts["period"].astype(str).tolist() == ["2024Q1", "2024Q2"]
    assert counts["promoters"].tolist() == [1, 1]
    assert counts["detractors"].tolist() == [0, 1]


def test_summarize_resampling_methods_are_reproducible_with_rng(survey):
    a = nps.summarize(survey, by="region", method="bca", n_resamples=999, rng=7, min_n=3)
    b = nps.summarize(survey, by="region", method="bca", n_resamples=999, rng=7, min_n=3)
    pd.testing.assert_frame_equal(a, b)
    # same ends as nps_interval on the same counts and seed
    north = survey[survey.region == "north"].recommend
    one = nps.nps_interval(north, method="bca", n_resamples=999, rng=7)
    row = a.set_index("region").loc["north"]
    assert row.nps == pytest.approx(one.estimate)
    assert (row.ci_low, row.ci_high) == pytest.approx((one.low, one.high))


def test_single_small_group_gets_a_complementary_suppression():
    # east (2 answers) alone hidden could be recovered as overall - north - south
    df = pd.DataFrame(
        {
            "recommend": [10] * 8 + [0] * 6 + [9] * 20 + [3, 10],
            "region": ["north"] * 8 + ["south"] * 6 + ["west"] * 20 + ["east"] * 2,
        }
    )
    s = nps.summarize(df, by="region", min_n=5)
    # south (6), the smallest shown group, is hidden with east (2)
    assert s["region"].tolist()[:2] == ["north", "west"] and s.attrs["n_hidden"] == 2
    assert not s["suppressed"].iloc[:2].any() and s["suppressed"].iloc[2]
    assert s["n"].iloc[:2].tolist() == [8, 20] and pd.isna(s["n"].iloc[2])
    # two small groups that hold 1 + 2 answers together: still too few, south goes too
    df2 = pd.concat([df, pd.DataFrame({"recommend": [9], "region": ["central"]})])
    s2 = nps.summarize(df2, by="region", min_n=5)
    assert s2.attrs["n_hidden"] == 3 and s2["region"].tolist()[:2] == ["north", "west"]
    # two small groups that hold 2 + 3 answers together: nothing more is hidden
    df3 = pd.concat([df, pd.DataFrame({"recommend": [9, 0, 8], "region": ["central"] * 3})])
    s3 = nps.summarize(df3, by="region", min_n=5)
    assert s3.attrs["n_hidden"] == 2 and s3["region"].tolist()[:3] == ["north", "south", "west"]


def test_text_in_a_plain_list_names_its_position():
    with pytest.raises(ValueError, match=r"'ten' at index \[1\]"):
        nps.nps([10, "ten", 3])


def test_infinite_weights_are_an_error_not_nan():
    with pytest.raises(ValueError, match=r"finite non-negative.*\[1\]"):
        nps.nps([10, 9], weights=[1.0, np.inf])


def test_text_weights_are_refused_naming_index_labels():
    df = pd.DataFrame({"recommend": [10, 9, 3], "w": [1.0, "heavy", 2.0]}, index=[7, 8, 9])
    with pytest.raises(
        ValueError, match=r"weights column 'w'.*\('heavy'\) at index label\(s\) \[8\]"
    ):
        nps.summarize(df, weights="w")
    with pytest.raises(ValueError, match=r"weights must be.*\('x'\) at index label\(s\) \[9\]"):
        nps.summarize(df, weights=[1.0, 1.0, "x"])
    with pytest.raises(KeyError, match=r"weights column 'v' not in the data"):
        nps.summarize(df, weights="v")
    # numbers written as text count as those numbers
    as_text = nps.summarize(df.assign(w=["1", "1", "2"]), weights="w")
    pd.testing.assert_frame_equal(as_text, nps.summarize(df.assign(w=[1.0, 1.0, 2.0]), weights="w"))


def test_out_of_range_message_names_index_labels_after_filtering():
    df = pd.DataFrame({"recommend": [10, 11, 3, 7.5]}, index=[10, 20, 30, 40])
    with pytest.raises(
        ValueError, match=r"2 value\(s\).*\(11, 7\.5\) at index label\(s\) \[20, 40\]"
    ):
        nps.summarize(df[df.recommend != 3])
    # nullable integers with missing answers are read as blanks
    assert nps.category_counts(pd.Series([10, pd.NA, 3], dtype="Int64")) == (1, 0, 1, 2)


def test_summarize_weights_csat_ces_and_retention_like_the_nps():
    df = nps.example_survey("b2c-monthly")
    weighted = nps.summarize(df, weights="weight").iloc[0]
    w = df["weight"]

    def wmean(x):
        given = x.notna()
        return (w[given] * x[given].astype(float)).sum() / w[given].sum()

    assert weighted["csat"] == pytest.approx(
        100 * wmean((df["csat"] >= 4).where(df["csat"].notna()))
    )
    assert weighted["ces"] == pytest.approx(wmean(df["ces"]))
    assert weighted["retention_rate"] == pytest.approx(
        100 * wmean(df["retained"].astype("boolean"))
    )
    # the b2c example: CSAT 67.6 % of respondents, 65.6 % weighted
    assert round(weighted["csat"], 1) == 65.6
    assert round(nps.summarize(df).iloc[0]["csat"], 1) == 67.6
    # per group too, and the same numbers when DuckDB counts a file
    by = nps.summarize(df, by="region", weights="weight", min_n=1).set_index("region")
    for region, g in df.groupby("region"):
        wg = g["weight"]
        c = g["ces"].notna()
        assert by.loc[region, "ces"] == pytest.approx((wg[c] * g["ces"][c]).sum() / wg[c].sum())


def test_summarize_weighted_extras_from_a_file(tmp_path):
    df = nps.example_survey("b2c-monthly").drop(columns=["responded_at"])
    path = tmp_path / "b2c.parquet"
    df.to_parquet(path)
    cols = ["region", "csat", "ces", "retention_rate"]
    got = nps.summarize(str(path), by="region", weights="weight", min_n=1)[cols]
    expected = nps.summarize(df, by="region", weights="weight", min_n=1)[cols]
    pd.testing.assert_frame_equal(got, expected, check_dtype=False)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"confidence_level": 95}, "did you mean 0.95"),
        ({"method": "exact"}, "unknown method"),
        ({"method": "bca", "n_resamples": 1}, "n_resamples"),
        ({"min_n": -1}, "min_n"),
        ({"method": "bca", "weights": "w"}, "resamples respondents"),
    ],
)
def test_summarize_checks_arguments_before_counting(tmp_path, kwargs, match):
    # the files do not exist: an argument error must come before any reading
    with pytest.raises(ValueError, match=match):
        nps.summarize(str(tmp_path / "big" / "*.parquet"), **kwargs)


# --- one API a researcher can guess (issue 20) ---------------------------------


@pytest.fixture
def flights():
    return pd.DataFrame(
        {
            "recommend": [10, 9, 8, 3, 7, 10] * 5,
            "flight_class": ["Eco", "Business", "Eco"] * 10,
            "w": np.linspace(0.5, 2.0, 30),
        }
    )


@pytest.mark.parametrize(
    ("kwargs", "closest"),
    [
        ({"by": "flight_clas"}, "flight_class"),
        ({"score": "Recommend"}, "recommend"),
        ({"by": "flight_class", "weights": "ww"}, "w"),
    ],
)
def test_summarize_misspelled_column_says_did_you_mean(flights, kwargs, closest):
    with pytest.raises(ValueError, match=rf"did you mean '{closest}'\?") as err:
        nps.summarize(flights, **kwargs)
    assert isinstance(err.value, KeyError)  # older `except KeyError` code still catches it
    assert "columns are" not in str(err.value)  # no list of every column when one is close


def test_summarize_segment_as_second_argument_names_score_and_suggests_by(flights):
    with pytest.raises(ValueError) as err:
        nps.summarize(flights, "flight_class")
    message = str(err.value)
    assert "reads 'flight_class' as the score column" in message
    assert "labels such as 'Eco', 'Business'" in message
    assert "did you mean summarize(df, by='flight_class')?" in message
    # positional score keeps working (DESIGN's signature)
    assert nps.summarize(flights, "recommend")["n"].item() == 30


def test_a_score_column_with_a_few_typos_keeps_the_row_naming_error():
    df = pd.DataFrame({"recommend": ["9", "10", "x", "3"]})
    with pytest.raises(ValueError, match=r"1 non-numeric value\(s\), e.g. 'x' at index \[2\]"):
        nps.summarize(df)


@pytest.mark.parametrize("func", [nps.nps, nps.category_counts, nps.classify])
def test_dataframe_where_scores_are_expected_names_the_parameter_and_a_column(flights, func):
    with pytest.raises(TypeError, match=r"scores must be one column of 0-10 answers \(a Series\)"
                       r", got a DataFrame .*e\.g\. df\['recommend'\]"):  # fmt: skip
        func(flights)
    with pytest.raises(TypeError, match=r"weights must be one column of weights"):
        nps.nps(flights["recommend"], weights=flights)


def test_summarize_swapped_score_and_by_suggests_the_swap(flights):
    with pytest.raises(ValueError, match=r"did you mean summarize\(df, score='recommend', "
                       r"by='flight_class'\)\?"):  # fmt: skip
        nps.summarize(flights, "flight_class", "recommend")


def test_a_table_of_several_columns_is_not_read_as_one_column_of_scores(flights):
    with pytest.raises(TypeError, match=r"scores must be one column of 0-10 answers, got a 30 x 2"):
        nps.nps(flights[["recommend", "w"]].to_numpy())
    assert nps.nps(flights[["recommend"]].to_numpy()) == nps.nps(flights["recommend"])


def test_csat_and_ces_of_a_dataframe_suggest_their_column():
    df = pd.DataFrame({"recommend": [9, 3], "csat": [5, 4], "ces": [2, 3]})
    with pytest.raises(
        TypeError, match=r"ratings must be one column of 1-5 ratings .*df\['csat'\]"
    ):
        nps.csat(df)
    with pytest.raises(TypeError, match=r"ratings must be one column of 1-7 ratings .*df\['ces'\]"):
        nps.ces(df)


def test_a_chosen_csat_column_must_exist_the_default_may_be_absent(flights):
    assert "csat" not in nps.summarize(flights).columns  # default name absent: left out
    with pytest.raises(ValueError, match=r"csat_column 'satisfaction' not in the data"):
        nps.summarize(flights.assign(satisfation=4), csat_column="satisfaction")


def test_segment_as_score_without_a_recommend_column_suggests_the_score_too(flights):
    df = flights.rename(columns={"recommend": "nps"})
    with pytest.raises(ValueError, match=r"did you mean summarize\(df, score='nps', "
                       r"by='flight_class'\)\?"):  # fmt: skip
        nps.summarize(df, "flight_class")


def test_a_series_where_the_dataframe_goes_says_so(flights):
    for call in (
        lambda s: nps.summarize(s),
        lambda s: nps.compare_segments(s, "flight_class"),
        lambda s: nps.nps_trend(s),
    ):
        with pytest.raises(TypeError, match=r"df must be a DataFrame of respondents .*got a "
                           r"Series 'recommend': for one column of scores use nps.nps"):  # fmt: skip
            call(flights["recommend"])
