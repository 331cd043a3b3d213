"""Comparisons and planning pinned to hand-worked numbers, scipy/statsmodels and simulation."""

import warnings

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import nps_toolkit as nps
from nps_toolkit.compare import compare_nps, compare_segments, margin_of_error, sample_size

Z95 = stats.norm.ppf(0.975)


SEED_CORRECTIONS = 20261201


def scores_from_counts(d, q, p):
    return [0] * d + [8] * q + [10] * p


# --------------------------------------------------------------------------
# compare_nps, independent samples
# --------------------------------------------------------------------------


def test_wald_difference_by_hand():
    # a: 50/30/20 -> NPS 30, var .61; b: 60/30/10 -> NPS 50, var .45
    res = compare_nps(counts_a=(20, 30, 50), counts_b=(10, 30, 60), method="wald")
    se = np.sqrt(0.61 / 100 + 0.45 / 100)
    assert res.difference == pytest.approx(20)
    assert res.statistic == pytest.approx(0.2 / se)
    assert res.p_value == pytest.approx(2 * stats.norm.sf(0.2 / se))
    assert (res.low, res.high) == pytest.approx((100 * (0.2 - Z95 * se), 100 * (0.2 + Z95 * se)))
    assert (res.n_a, res.n_b, res.nps_a, res.nps_b) == (100, 100, 30, 50)


def test_sign_when_b_is_lower():
    # the R NPS package builds its interval around |difference|; ours keeps the sign
    a = scores_from_counts(10, 30, 60)  # NPS 50
    b = scores_from_counts(20, 30, 50)  # NPS 30
    for method in ("wald", "adjusted-wald", "bootstrap", "bayes"):
        res = compare_nps(a, b, method=method, rng=1)
        assert res.difference == pytest.approx(-20), method
        assert res.low < -20 < res.high < 5, method
        assert res.statistic < 0, method


def test_adjusted_wald_difference_by_hand():
    # pseudo (0.75, 1.5, 0.75) per sample: a (20.75, 31.5, 50.75)/103,
    # b (10.75, 31.5, 60.75)/103
    pa, da = 50.75 / 103, 20.75 / 103
    pb, db = 60.75 / 103, 10.75 / 103
    centre = (pb - db) - (pa - da)
    se = np.sqrt((pa + da - (pa - da) ** 2) / 103 + (pb + db - (pb - db) ** 2) / 103)
    res = compare_nps(counts_a=(20, 30, 50), counts_b=(10, 30, 60))
    assert res.method == "adjusted-wald"
    assert res.difference == pytest.approx(20)  # reported difference stays raw
    assert res.statistic == pytest.approx(centre / se)
    assert (res.low, res.high) == pytest.approx(
        (100 * (centre - Z95 * se), 100 * (centre + Z95 * se))
    )


def test_one_sided_alternatives():
    two = compare_nps(counts_a=(20, 30, 50), counts_b=(10, 30, 60), method="wald")
    greater = compare_nps(
        counts_a=(20, 30, 50), counts_b=(10, 30, 60), method="wald", alternative="greater"
    )
    less = compare_nps(
        counts_a=(20, 30, 50), counts_b=(10, 30, 60), method="wald", alternative="less"
    )
    assert greater.p_value == pytest.approx(two.p_value / 2)
    assert less.p_value == pytest.approx(1 - two.p_value / 2)
    assert greater.high == 200 and less.low == -200
    z90 = stats.norm.ppf(0.95)
    se = np.sqrt(0.0106)
    assert greater.low == pytest.approx(100 * (0.2 - z90 * se))


def test_counts_and_scores_agree():
    a = scores_from_counts(5, 7, 9)
    b = scores_from_counts(3, 4, 12) + [np.nan]
    assert compare_nps(a, b) == compare_nps(counts_a=(5, 7, 9), counts_b=nps.category_counts(b))


def test_bootstrap_close_to_wald_for_large_samples():
    w = compare_nps(counts_a=(200, 300, 500), counts_b=(150, 300, 550), method="wald")
    b = compare_nps(counts_a=(200, 300, 500), counts_b=(150, 300, 550), method="bootstrap", rng=2)
    assert (b.low, b.high) == pytest.approx((w.low, w.high), abs=0.7)
    assert b.p_value == pytest.approx(w.p_value, abs=0.02)


def test_independent_type_one_error_by_simulation():
    # 400 pairs of samples with the same NPS: ~5 % rejections (binomial SD 1.1 points)
    rng = np.random.default_rng(20261123)
    probs = [0.2, 0.3, 0.5]
    xa = rng.multinomial(80, probs, size=400)
    xb = rng.multinomial(120, probs, size=400)
    rej = np.mean(
        [
            compare_nps(counts_a=tuple(a), counts_b=tuple(b)).p_value < 0.05
            for a, b in zip(xa, xb, strict=True)
        ]
    )
    assert 0.05 - 3 * 0.011 <= rej <= 0.05 + 3 * 0.011


# --------------------------------------------------------------------------
# paired
# --------------------------------------------------------------------------


def test_paired_six_respondent_panel_by_hand():
    a = [10, 10, 8, 3, 9, 0]  # s = +1 +1 0 -1 +1 -1 -> NPS 16.7
    b = [10, 9, 10, 8, 3, 9]  # s = +1 +1 +1 0 -1 +1 -> NPS 50
    # differences 0 0 1 1 -2 2: mean 1/3, variance 10/6 - 1/9 = 14/9
    res = compare_nps(a, b, paired=True, method="wald")
    se = np.sqrt(14 / 9 / 6)
    assert res.difference == pytest.approx(100 / 3)
    assert (res.nps_a, res.nps_b) == pytest.approx((100 / 6, 50))
    assert res.statistic == pytest.approx((1 / 3) / se)  # 0.6547
    assert res.statistic == pytest.approx(0.6547, abs=1e-4)
    assert res.p_value == pytest.approx(2 * stats.norm.sf(0.6547), abs=1e-4)
    assert (res.n_a, res.n_b) == (6, 6)
    # the same test statistic as scipy's paired t-test up to the variance's ddof
    s_a = np.array([1, 1, 0, -1, 1, -1])
    s_b = np.array([1, 1, 1, 0, -1, 1])
    t = stats.ttest_rel(s_b, s_a).statistic
    assert res.statistic == pytest.approx(t * np.sqrt(6 / 5))


def test_paired_adjusted_wald_by_hand():
    a = [10, 10, 8, 3, 9, 0]
    b = [10, 9, 10, 8, 3, 9]
    # 3 pseudo-pairs with differences -2..2 weighted (1, 4, 6, 4, 1)/16:
    # mean 0, variance 1, so n' = 9, mean' = 2/9, E[x^2]' = (10 + 3)/9
    m = 2 / 9
    se = np.sqrt((13 / 9 - m**2) / 9)
    res = compare_nps(a, b, paired=True)
    assert res.statistic == pytest.approx(m / se)
    assert res.low == pytest.approx(100 * (m - Z95 * se))


def test_paired_coverage_by_simulation():
    # a panel of 80: wave-b answer repeats the wave-a category with
    # probability 0.6, else is drawn from (0.15, 0.3, 0.55).  True difference:
    # E s_b - E s_a = (0.6 * 0.3 + 0.4 * 0.4) - 0.3 = 0.04 -> 4 points.
    rng = np.random.default_rng(20261123)
    score_of = np.array([3.0, 8.0, 10.0])
    hits = {"wald": 0, "adjusted-wald": 0}
    sims = 400
    for _ in range(sims):
        cat_a = rng.choice(3, 80, p=[0.2, 0.3, 0.5])
        keep = rng.random(80) < 0.6
        cat_b = np.where(keep, cat_a, rng.choice(3, 80, p=[0.15, 0.3, 0.55]))
        for method in hits:
            r = compare_nps(score_of[cat_a], score_of[cat_b], paired=True, method=method)
            hits[method] += r.low <= 4 <= r.high
    for method, h in hits.items():
        assert 0.95 - 3 * 0.011 <= h / sims <= 0.95 + 3 * 0.011, (method, h / sims)


def test_paired_sign_and_blanks():
    a = [10, 10, 9, 9, np.nan, 10]
    b = [0, 3, 9, 8, 10, np.nan]
    with pytest.warns(UserWarning, match="2 respondent"):
        res = compare_nps(a, b, paired=True, method="wald")
    # complete pairs (10, 0), (10, 3), (9, 9), (9, 8): a 100, b (-1 - 1 + 1 + 0)/4 = -25
    assert res.difference == pytest.approx(-125)
    assert res.n_a == 4


def test_paired_series_are_aligned_by_respondent_id():
    a = pd.Series([10, 10, 8, 3, 9, 0], index=list("uvwxyz"))
    b = pd.Series([10, 9, 10, 8, 3, 9], index=list("uvwxyz"))
    shuffled = b.iloc[::-1]
    assert compare_nps(a, shuffled, paired=True) == compare_nps(a, b, paired=True)
    with pytest.raises(ValueError, match="1 id\\(s\\) only in a"):
        compare_nps(a, b.rename(index={"u": "q"}), paired=True)


def test_paired_is_more_powerful_than_independent_for_panels():
    rng = np.random.default_rng(1)
    a = rng.integers(0, 11, 300)
    b = np.clip(a + rng.integers(0, 3, 300), 0, 10)  # everyone a bit happier
    paired = compare_nps(a, b, paired=True, method="wald")
    indep = compare_nps(a, b, method="wald")
    assert paired.difference == pytest.approx(indep.difference)
    assert paired.high - paired.low < indep.high - indep.low


def test_paired_bootstrap_close_to_wald():
    rng = np.random.default_rng(4)
    a = rng.integers(0, 11, 400)
    b = np.clip(a + rng.integers(-2, 3, 400), 0, 10)
    w = compare_nps(a, b, paired=True, method="wald")
    bs = compare_nps(a, b, paired=True, method="bootstrap", rng=5)
    assert (bs.low, bs.high) == pytest.approx((w.low, w.high), abs=1.0)


def test_compare_errors():
    with pytest.raises(ValueError, match="same length"):
        compare_nps([10, 9], [10], paired=True)
    with pytest.raises(ValueError, match="raw scores"):
        compare_nps(counts_a=(1, 2, 3), counts_b=(1, 2, 3), paired=True)
    with pytest.raises(ValueError, match="valid methods"):
        compare_nps([10], [9], method="score")
    with pytest.raises(ValueError, match="valid alternatives"):
        compare_nps([10], [9], alternative="bigger")
    with pytest.raises(ValueError, match="n_resamples must be a whole number >= 2"):
        compare_nps([10, 9], [8, 7], method="bootstrap", n_resamples=0)
    with pytest.raises(ValueError, match="no responses in b"):
        compare_nps([10], [np.nan])
    with pytest.raises(ValueError, match="counts_b: counts: detractors must be a non-negative"):
        compare_nps(counts_a=(1, 2, 3), counts_b=(-1, 2, 3))
    with pytest.raises(ValueError, match="either a .* or counts_a"):
        compare_nps([10, 9], [8], counts_a=(1, 2, 3))
    with pytest.raises(ValueError, match="either b .* or counts_b"):
        compare_nps([10, 9])
    with pytest.raises(TypeError, match="counts_a="):
        compare_nps(nps.category_counts([10, 9, 3]), [10, 9])


def test_positional_samples_are_always_scores():
    # a tuple of three 0-10 numbers is three answers, as in nps_interval((10, 9, 8)):
    # a = two promoters and a passive (NPS 66.7), b = two promoters and a detractor (33.3)
    res = compare_nps((10, 9, 8), (10, 9, 3))
    assert (res.n_a, res.n_b) == (3, 3)
    assert res.nps_a == pytest.approx(200 / 3)
    assert res.nps_b == pytest.approx(100 / 3)
    assert res.nps_a == pytest.approx(nps.nps_interval((10, 9, 8)).estimate)
    # the same numbers as counts (10 detractors, 9 passives, 8 promoters ...)
    counts = compare_nps(counts_a=(10, 9, 8), counts_b=(10, 9, 3))
    assert counts.nps_a == pytest.approx(100 * (8 - 10) / 27)
    assert counts.n_b == 22


def test_repr():
    text = repr(compare_nps(counts_a=(20, 30, 50), counts_b=(10, 30, 60), method="wald"))
    assert text.startswith("NPSComparison(difference=20.0 (b 50.0 - a 30.0), 95% CI")


# --------------------------------------------------------------------------
# compare_segments
# --------------------------------------------------------------------------


@pytest.fixture
def survey():
    rng = np.random.default_rng(20261123)
    # two segments under min_n (D, E) that hold 5 answers together, so no
    # complementary suppression is needed
    seg = np.repeat(["A", "B", "C", "D", "E"], [120, 80, 60, 3, 2])
    shift = pd.Series(seg).map({"A": 2, "B": 0, "C": -2, "D": 0, "E": 0}).to_numpy()
    recommend = np.clip(rng.integers(3, 11, seg.size) + shift, 0, 10).astype(float)
    recommend[5] = np.nan
    return pd.DataFrame(
        {"segment": seg, "recommend": recommend, "w": rng.uniform(0.5, 2, seg.size)}
    )


def test_segments_against_rest_equal_compare_nps(survey):
    out = compare_segments(survey, "segment")
    assert list(out.columns) == [
        "segment",
        "n",
        "nps",
        "reference",
        "reference_nps",
        "difference",
        "ci_low",
        "ci_high",
        "statistic",
        "p_value",
        "p_adjusted",
        "significant",
        "suppressed",
    ]
    for _, row in out[~out["suppressed"]].iterrows():
        inside = survey["segment"] == row["segment"]
        ref = compare_nps(survey.loc[~inside, "recommend"], survey.loc[inside, "recommend"])
        assert row["difference"] == pytest.approx(ref.difference)
        assert (row["ci_low"], row["ci_high"]) == pytest.approx((ref.low, ref.high))
        assert row["p_value"] == pytest.approx(ref.p_value)
        assert row["n"] == inside.sum() - (1 if row["segment"] == "A" else 0)


def test_small_segments_are_suppressed_and_not_tested(survey):
    out = compare_segments(survey, "segment")
    # D and E show neither label nor n: one last row says how many were hidden
    assert out["segment"].tolist()[:3] == ["A", "B", "C"]
    assert out["segment"].iloc[-1] == "2 groups hidden (fewer than 5 answers, or hidden with them)"
    assert len(out) == 4 and not out["segment"].isin(["D", "E"]).any()
    hidden = out.iloc[-1]
    assert bool(hidden["suppressed"]) and pd.isna(hidden["n"])
    assert np.isnan(hidden["nps"]) and np.isnan(hidden["p_value"])
    assert pd.isna(hidden["significant"]) and pd.isna(hidden["reference_nps"])
    assert out.attrs["n_tested"] == 3 and out.attrs["n_hidden"] == 2


def test_holm_correction_matches_hand_computation(survey):
    out = compare_segments(survey, "segment", correction="holm")
    tested = out[~out["suppressed"]]
    p = tested["p_value"].to_numpy()
    order = np.argsort(p)
    m = len(p)
    holm = np.empty(m)
    running = 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p[i]))
        holm[i] = running
    assert tested["p_adjusted"].to_numpy() == pytest.approx(holm)
    none = compare_segments(survey, "segment", correction=None)
    assert none["p_adjusted"].equals(none["p_value"])
    bh = compare_segments(survey, "segment", correction="fdr_bh")
    assert (bh["p_adjusted"].dropna() <= out["p_adjusted"].dropna() + 1e-12).all()


def test_overall_reference_is_rescaled_rest_comparison(survey):
    rest = compare_segments(survey, "segment", reference="rest", method="wald")
    overall = compare_segments(survey, "segment", reference="overall", method="wald")
    answered = survey.dropna(subset=["recommend"])
    total_nps = nps.nps(answered["recommend"])
    for i in range(3):
        n_seg = rest.loc[i, "n"]
        factor = (len(answered) - n_seg) / len(answered)
        assert overall.loc[i, "reference_nps"] == pytest.approx(total_nps)
        assert overall.loc[i, "difference"] == pytest.approx(rest.loc[i, "nps"] - total_nps)
        assert overall.loc[i, "difference"] == pytest.approx(factor * rest.loc[i, "difference"])
        assert overall.loc[i, "p_value"] == pytest.approx(rest.loc[i, "p_value"])
        assert overall.loc[i, "ci_low"] == pytest.approx(factor * rest.loc[i, "ci_low"])


def test_overall_reference_by_brute_force_simulation():
    # Var(seg - overall) from the independent segment and rest samples equals
    # (W_r/W)^2 Var(seg - rest): check the SE implied by the interval against
    # the SD of seg - overall over simulated surveys.
    rng = np.random.default_rng(3)
    probs = [0.25, 0.3, 0.45]
    diffs = []
    for _ in range(2000):
        seg = rng.multinomial(60, probs)
        rest = rng.multinomial(140, probs)
        diffs.append((seg[2] - seg[0]) / 60 - (seg[2] + rest[2] - seg[0] - rest[0]) / 200)
    df = pd.DataFrame(
        {
            "g": ["s"] * 60 + ["r"] * 140,
            "recommend": scores_from_counts(15, 18, 27) + scores_from_counts(35, 42, 63),
        }
    )
    out = compare_segments(df, "g", reference="overall", method="wald").set_index("g")
    se = (out.loc["s", "ci_high"] - out.loc["s", "ci_low"]) / (2 * Z95) / 100
    assert se == pytest.approx(np.std(diffs), rel=0.06)


def test_named_reference(survey):
    out = compare_segments(survey, "segment", reference="B", method="wald").set_index("segment")
    assert out.loc["B", "difference"] == 0 and np.isnan(out.loc["B", "p_value"])
    a = survey.loc[survey["segment"] == "A", "recommend"]
    b = survey.loc[survey["segment"] == "B", "recommend"]
    ref = compare_nps(b, a, method="wald")
    assert out.loc["A", "difference"] == pytest.approx(ref.difference)
    assert out.loc["A", "p_value"] == pytest.approx(ref.p_value)
    assert out.loc["A", "reference"] == "B"
    with pytest.raises(KeyError, match="not a level"):
        compare_segments(survey, "segment", reference="Z")
    with pytest.raises(ValueError, match="only 3 answers"):
        compare_segments(survey, "segment", reference="D")


def test_weighted_segments_use_linearised_variances(survey):
    out = compare_segments(survey, "segment", weights="w", method="wald").set_index("segment")
    ok = survey.dropna(subset=["recommend"])
    inside = ok["segment"] == "C"

    def part(mask):
        # the weighted NPS and its sandwich variance sum w^2 (s - m)^2 / W^2
        r, w = ok.loc[mask, "recommend"].to_numpy(), ok.loc[mask, "w"].to_numpy()
        s = np.select([r >= 9, r <= 6], [1.0, -1.0], 0.0)
        m = (w * s).sum() / w.sum()
        return m, ((w * (s - m)) ** 2).sum() / w.sum() ** 2

    (m1, v1), (m2, v2) = part(inside), part(~inside)
    assert out.loc["C", "difference"] == pytest.approx(100 * (m1 - m2))
    assert out.loc["C", "statistic"] == pytest.approx((m1 - m2) / np.sqrt(v1 + v2))
    with pytest.raises(ValueError, match="wald"):
        compare_segments(survey, "segment", weights="w", method="bootstrap")


def test_segments_bootstrap_and_bayes(survey):
    for method in ("bootstrap", "bayes"):
        out = compare_segments(survey, "segment", method=method, rng=1, n_resamples=1000)
        wald = compare_segments(survey, "segment", method="wald")
        tested = ~out["suppressed"]
        assert np.allclose(out.loc[tested, "ci_low"], wald.loc[tested, "ci_low"], atol=4)


def test_segment_errors(survey):
    with pytest.raises(ValueError, match="valid: \\['holm'"):
        compare_segments(survey, "segment", correction="tukey")
    with pytest.raises(KeyError, match="not in the data"):
        compare_segments(survey, "nope")


def test_segments_on_example_survey():
    df = nps.example_survey("b2b-annual")
    last = df[df["wave"] == df["wave"].max()]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = compare_segments(last, "tenure")
    assert set(out["tenure"]) == {"new", "long-term", "at-risk"}
    assert out["n"].sum() == last["recommend"].notna().sum()
    for _, row in out.iterrows():
        inside = last["tenure"] == row["tenure"]
        ref = compare_nps(last.loc[~inside, "recommend"], last.loc[inside, "recommend"])
        assert (row["difference"], row["p_value"]) == pytest.approx((ref.difference, ref.p_value))


# --------------------------------------------------------------------------
# planning
# --------------------------------------------------------------------------


def test_sample_size_worst_case_by_hand():
    # ceil(1.96^2 * 1 / 0.1^2) = ceil(384.15) = 385
    assert sample_size(10) == 385
    assert sample_size(5) == int(np.ceil(Z95**2 / 0.05**2))  # 1537
    assert sample_size(10, design_effect=2) == int(np.ceil(2 * Z95**2 / 0.01))


def test_sample_size_and_margin_invert_each_other():
    for m in (3, 5, 10, 20):
        for kw in ({}, {"expected": (0.5, 0.2)}, {"population_size": 1055}, {"design_effect": 1.4}):
            n = sample_size(m, **kw)
            assert margin_of_error(n, **kw) <= m + 1e-9
            if n > 1:
                assert margin_of_error(n - 1, **kw) > m


def test_margin_equals_wald_half_width():
    res = nps.nps_interval(counts=(15, 15, 70), method="wald")
    assert margin_of_error(100, expected=(0.7, 0.15)) == pytest.approx(res.high - res.estimate)
    fpc = nps.nps_interval(counts=(15, 15, 70), method="wald", population_size=400)
    assert margin_of_error(100, expected=(0.7, 0.15), population_size=400) == pytest.approx(
        fpc.high - fpc.estimate
    )
    assert margin_of_error(400, population_size=400) == 0


def test_planning_errors():
    with pytest.raises(ValueError, match="not percentages"):
        sample_size(5, expected=(50, 20))
    with pytest.raises(ValueError, match="between 0 and 200"):
        sample_size(0)
    with pytest.raises(ValueError, match="smaller than n"):
        margin_of_error(500, population_size=100)
    with pytest.raises(ValueError, match="design_effect"):
        margin_of_error(100, design_effect=0)


def test_segments_from_a_parquet_file_equal_the_dataframe(tmp_path, survey):
    # compare_segments reads only group_counts, so a file counted by the
    # DuckDB backend (a required dependency) gives the same table without loading the rows
    path = tmp_path / "survey.parquet"
    survey.to_parquet(path)
    from_file = compare_segments(str(path), "segment", weights="w", method="wald")
    in_memory = compare_segments(survey, "segment", weights="w", method="wald")
    cols = ["n", "nps", "difference", "ci_low", "ci_high", "p_value", "p_adjusted"]
    assert np.allclose(
        from_file[cols].to_numpy(float), in_memory[cols].to_numpy(float), equal_nan=True
    )


def test_lone_small_segment_hides_the_next_smallest_too(survey):
    # without E, D (3 answers) is the only small segment: its counts would follow
    # from the total and the others, so the smallest other segment (C) is hidden too
    out = compare_segments(survey[survey["segment"] != "E"], "segment")
    assert out["segment"].tolist()[:2] == ["A", "B"] and len(out) == 3
    assert out["segment"].iloc[-1].startswith("2 groups hidden")
    assert not out["segment"].isin(["C", "D"]).any()
    assert np.isnan(out["nps"].iloc[-1]) and np.isnan(out["reference_nps"].iloc[-1])
    assert not out["suppressed"].iloc[:2].any()
    # the same groups are hidden as in summarize, so the report's tables agree
    own = nps.summarize(survey[survey["segment"] != "E"], by="segment")
    assert own["segment"].tolist() == out["segment"].tolist()


def test_named_reference_that_would_be_hidden_is_refused(survey):
    df = survey[survey["segment"] != "E"]  # D (3) is hidden with C (60)
    with pytest.raises(ValueError, match="reference segment 'C' is hidden"):
        compare_segments(df, "segment", reference="C")


# --------------------------------------------------------------------------
# edge cases a researcher hits
# --------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["wald", "adjusted-wald", "bootstrap", "bayes"])
@pytest.mark.parametrize("counts", [(3, 4, 5), (0, 0, 10), (0, 7, 0)])
def test_identical_samples_give_no_difference_and_p_one(method, counts):
    # the same counts twice: difference 0, z = 0 and p = 1 (up to Monte-Carlo
    # ties for the resampling methods), never NaN, even when plain Wald has SE 0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        res = compare_nps(counts_a=counts, counts_b=counts, method=method, rng=3, n_resamples=4000)
    assert res.difference == 0
    assert res.statistic == 0
    # Monte-Carlo SD of a resampled two-sided p near 1 with 4,000 draws: ~0.016
    tol = 0 if method in ("wald", "adjusted-wald") else 0.05
    assert res.p_value == pytest.approx(1, abs=tol)
    assert res.low <= 0 <= res.high
    one = compare_nps(counts_a=counts, counts_b=counts, method=method, rng=3, alternative="greater")
    assert one.p_value == pytest.approx(0.5, abs=tol)


def test_identical_paired_answers_give_p_one():
    x = [10, 9, 8, 0, 5, 10]
    for method in ("wald", "adjusted-wald", "bootstrap"):
        res = compare_nps(x, x, paired=True, method=method, rng=1)
        assert (res.difference, res.statistic, res.p_value) == (0, 0, 1), method


def test_confidence_level_99_widens_every_method():
    for method in ("wald", "adjusted-wald", "bootstrap", "bayes"):
        a = compare_nps(counts_a=(20, 30, 50), counts_b=(10, 30, 60), method=method, rng=5)
        b = compare_nps(
            counts_a=(20, 30, 50),
            counts_b=(10, 30, 60),
            method=method,
            rng=5,
            confidence_level=0.99,
        )
        assert b.low < a.low and a.high < b.high, method
        assert b.p_value == pytest.approx(a.p_value, abs=0.01), method
    # Wald at 99 %: half-width 2.5758 * SE (SE from test_wald_difference_by_hand)
    w = compare_nps(
        counts_a=(20, 30, 50), counts_b=(10, 30, 60), method="wald", confidence_level=0.99
    )
    assert w.high - w.difference == pytest.approx(100 * 2.5758293 * np.sqrt(0.0106))


def test_equal_weights_equal_unweighted_segments(survey):
    plain = compare_segments(survey, "segment", method="adjusted-wald")
    weighted = compare_segments(survey.assign(w=3.0), "segment", weights="w")
    cols = ["nps", "difference", "ci_low", "ci_high", "p_value", "p_adjusted"]
    np.testing.assert_allclose(
        weighted[cols].to_numpy(float), plain[cols].to_numpy(float), equal_nan=True
    )


def test_holm_and_bh_equal_statsmodels_on_known_p_values():
    # independent check of the correction wiring on p-values with a known
    # answer: Holm (m = 3) multiplies the sorted p-values by 3, 2, 1 with a
    # running maximum; BH by m / rank with a running minimum from the top
    df = pd.DataFrame(
        {
            "g": ["a"] * 60 + ["b"] * 60 + ["c"] * 60,
            "recommend": scores_from_counts(10, 20, 30)
            + scores_from_counts(25, 20, 15)
            + scores_from_counts(18, 22, 20),
        }
    )
    out = compare_segments(df, "g", method="wald", correction="holm")
    p = out["p_value"].to_numpy()
    order = np.argsort(p)
    holm = np.maximum.accumulate(np.minimum(1, p[order] * np.array([3, 2, 1])))
    np.testing.assert_allclose(out["p_adjusted"].to_numpy()[order], holm)
    bh_out = compare_segments(df, "g", method="wald", correction="fdr_bh")
    bh = np.minimum.accumulate((p[order] * 3 / np.arange(1, 4))[::-1])[::-1]
    np.testing.assert_allclose(bh_out["p_adjusted"].to_numpy()[order], np.minimum(bh, 1))


@pytest.mark.parametrize("correction", ["holm", "fdr_bh", "bonferroni", "sidak"])
def test_corrections_equal_statsmodels_with_ties(correction):
    # twelve segments, four pairs of them with equal counts (tied p-values),
    # some clearly different from the rest and some not: the adjusted p-values
    # are statsmodels' multipletests on the same raw p-values
    from statsmodels.stats.multitest import multipletests

    rng = np.random.default_rng(SEED_CORRECTIONS)
    counts = [tuple(rng.integers(5, 40, size=3)) for _ in range(8)]
    counts += counts[:4]
    scores, groups = [], []
    for g, (d, pa, pr) in enumerate(counts):
        scores += scores_from_counts(d, pa, pr)
        groups += [f"s{g:02d}"] * (d + pa + pr)
    df = pd.DataFrame({"g": groups, "recommend": scores})
    out = compare_segments(df, "g", method="wald", correction=correction)
    p = out["p_value"].to_numpy()
    assert len(np.unique(p)) < len(p)  # the ties are there
    expected = multipletests(p, alpha=0.05, method=correction)[1]
    np.testing.assert_allclose(out["p_adjusted"].to_numpy(), expected, rtol=1e-12, atol=0)


# --- one API a researcher can guess (issue 20) ---------------------------------


def _segments():
    return pd.DataFrame(
        {
            "region": ["north"] * 40 + ["south"] * 40,
            "recommend": [10] * 25 + [8] * 5 + [2] * 10 + [10] * 10 + [8] * 10 + [2] * 20,
        }
    )


def test_comparison_to_frame_uses_compare_segments_names_and_values():
    df = _segments()
    north, south = (df.loc[df.region == r, "recommend"] for r in ("north", "south"))
    res = compare_nps(south, north, method="wald")  # north - south, as segment north vs rest
    row = res.to_frame()
    table = compare_segments(df, "region", method="wald", correction=None)
    first = table.iloc[0]  # north against the rest (= south)
    for column in ("difference", "ci_low", "ci_high", "statistic", "p_value"):
        assert column in table.columns
        assert row.loc[0, column] == pytest.approx(first[column], rel=1e-12)
    assert (row.loc[0, "ci_low"], row.loc[0, "ci_high"]) == res.confidence_interval
    assert list(row.columns[:5]) == ["difference", "ci_low", "ci_high", "statistic", "p_value"]


def test_comparison_repr_html_escapes_its_values():
    res = compare_nps([10, 9, 3] * 10, [10, 3, 3] * 10)
    odd = type(res)(**{**res.__dict__, "method": "<b>x</b> & y"})
    text = odd._repr_html_()
    assert "&lt;b&gt;x&lt;/b&gt; &amp; y" in text and "<b>" not in text
    assert "<caption>NPSComparison</caption>" in text


def test_compare_segments_misspelled_by_suggests_the_column():
    with pytest.raises(
        ValueError, match=r"column 'regoin' not in the data; did you mean 'region'\?"
    ):
        compare_segments(_segments(), "regoin")


def test_compare_segments_score_and_segment_swapped_says_so():
    with pytest.raises(ValueError) as err:
        compare_segments(_segments(), "recommend", "region")
    assert "reads 'region' as the score column" in str(err.value)
    assert "did you mean compare_segments(df, by='region', score='recommend')?" in str(err.value)


def test_compare_nps_dataframe_for_a_sample_names_it():
    df = _segments()
    with pytest.raises(TypeError, match=r"^a must be one column of 0-10 answers"):
        compare_nps(df, df["recommend"])


def test_compare_segments_by_the_score_itself_is_refused():
    with pytest.raises(ValueError, match=r"by names the score column 'recommend'"):
        compare_segments(_segments(), "recommend")


def test_misspelled_reference_segment_suggests_the_closest_level():
    with pytest.raises(ValueError, match=r"reference 'nort' is not a level of \['region'\]; "
                       r"did you mean 'north'\?"):  # fmt: skip
        compare_segments(_segments(), "region", reference="nort")
