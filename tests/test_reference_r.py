"""Weighted NPS and its linearised SE pinned to R's survey package.

The numbers are the output of ``tests/reference/weighted_nps.R`` (R 4.2.2,
survey 4.1.1), kept here as literals because CI does not run R.  Each line
is ``(n, nps, se)`` with se = ``svymean``'s SE times sqrt((n - 1) / n),
the n divisor of the R ``NPS`` package, every respondent its own primary
sampling unit; groups are computed each as its own sample.  The weights are
built from the row number or the score, the same way in R and here.
"""

import numpy as np
import pandas as pd
import pytest

import nps_toolkit as nps

ROCKS = {
    "follow": (1000, 35.5242401935, 2.5084348277),
    "rows": (1000, 8.7543771886, 3.0942730555),
}
ROCKS_REGIONS = {  # weights 0.5 + REC/5
    "APAC": (139, 46.0929060137, 6.2055260657),
    "EMEA": (259, 30.8283163795, 5.0110940816),
    "LATAM": (95, 25.0704225352, 8.4749561700),
    "NAM": (507, 36.7499222717, 3.5297595985),
}
AIRLINE = {
    "detractors": (5907, -13.9066666667, 1.1581929553),
    "rows": (5907, 9.5680356020, 1.0769652253),
}
B2C = (20000, 11.1363365570, 0.5975386760)
B2C_REGIONS = {
    "East": (4102, 6.1746124980, 1.3317805739),
    "North": (2976, 10.3682800051, 1.5277729055),
    "South": (8005, 10.9601552953, 0.9401068706),
    "West": (4917, 16.0764293361, 1.2103115666),
}
# svymean's own SE for the first line, to show the factor is the only difference
ROCKS_FOLLOW_SVYMEAN_SE = 2.5096899866


def _check(res, expected):
    n, estimate, se = expected
    assert res.n == n
    assert res.estimate == pytest.approx(estimate, abs=1e-8)
    assert res.standard_error == pytest.approx(se, rel=1e-8)
    # the Wald interval is estimate +/- z SE; n_effective reproduces that SE
    assert res.high - res.estimate == pytest.approx(1.959963985 * se, rel=1e-8)


@pytest.fixture
def rocks(public_data):
    df = pd.read_csv(public_data / "rocks_NPS_R_testdata.csv")
    i = np.arange(len(df))
    return df.assign(follow=0.5 + df["REC"] / 5, rows=1.0 + i % 3)


def test_rocks_weighted_se_equals_survey_svymean(rocks):
    for weight, expected in ROCKS.items():
        _check(nps.nps_interval(rocks["REC"], weights=rocks[weight], method="wald"), expected)
    n = ROCKS["follow"][0]
    assert ROCKS["follow"][2] == pytest.approx(ROCKS_FOLLOW_SVYMEAN_SE * np.sqrt((n - 1) / n))


def test_rocks_regions_in_summarize_equal_survey(rocks):
    out = nps.summarize(rocks, score="REC", by="Region", weights="follow", method="wald", min_n=1)
    for _, row in out.iterrows():
        n, estimate, se = ROCKS_REGIONS[row["Region"]]
        assert (row["n"], row["nps"]) == (n, pytest.approx(estimate, abs=1e-8))
        assert row["standard_error"] == pytest.approx(se, rel=1e-8)


def test_weights_that_follow_the_score_are_not_kish(rocks):
    # with weights rising with the score Kish's n_eff overstates the SE by 9.6 %
    w, r = rocks["follow"], rocks["REC"]
    p, d = w[r >= 9].sum() / w.sum(), w[r <= 6].sum() / w.sum()
    kish_se = 100 * np.sqrt((p + d - (p - d) ** 2) / (w.sum() ** 2 / (w**2).sum()))
    assert kish_se / ROCKS["follow"][2] == pytest.approx(1.0955, abs=1e-4)


def test_airline_weighted_se_equals_survey_svymean(public_data):
    df = pd.read_csv(public_data / "prepbench_case122_airline_nps.csv")
    score = df["How likely are you to recommend this airline?"]
    j = np.arange(len(df))
    weights = {"detractors": np.where(score <= 6, 2.0, 1.0), "rows": 1 + (j % 4) / 2}
    for name, w in weights.items():
        _check(nps.nps_interval(score, weights=w, method="wald"), AIRLINE[name])


def test_b2c_example_weights_equal_survey_svymean():
    df = nps.example_survey("b2c-monthly")
    _check(nps.nps_interval(df["recommend"], weights=df["weight"], method="wald"), B2C)
    out = nps.summarize(df, by="region", weights="weight", method="wald").set_index("region")
    for region, (n, estimate, se) in B2C_REGIONS.items():
        assert out.loc[region, "n"] == n
        assert out.loc[region, "nps"] == pytest.approx(estimate, abs=1e-8)
        assert out.loc[region, "standard_error"] == pytest.approx(se, rel=1e-8)
    overall = nps.summarize(df, weights="weight", method="wald").iloc[0]
    assert overall["standard_error"] == pytest.approx(B2C[2], rel=1e-8)


def test_b2c_regions_from_a_file_equal_survey(tmp_path):
    df = nps.example_survey("b2c-monthly")[["recommend", "weight", "region"]]
    path = tmp_path / "b2c.parquet"
    df.to_parquet(path)
    out = nps.summarize(str(path), by="region", weights="weight", method="wald")
    for _, row in out.iterrows():
        assert row["standard_error"] == pytest.approx(B2C_REGIONS[row["region"]][2], rel=1e-8)
