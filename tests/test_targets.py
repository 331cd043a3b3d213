"""Tests against a target and sample sizes for a change, pinned to hand
computations, the intervals they invert, and a power simulation."""

import numpy as np
import pytest
from scipy import stats

import nps_toolkit as nps
from nps_toolkit.targets import compare_to_target, sample_size_change

# 70 promoters, 15 passives, 15 detractors: NPS 55, Wald SE sqrt(0.85 - 0.3025)/10
SCORES = [10] * 70 + [8] * 15 + [3] * 15
SE = np.sqrt(0.85 - 0.55**2) / 10


def test_wald_by_hand():
    res = compare_to_target(SCORES, 40, method="wald")
    z = 0.15 / SE
    assert res.estimate == pytest.approx(55.0)
    assert res.difference == pytest.approx(15.0)
    assert res.statistic == pytest.approx(z, rel=1e-9)
    assert res.p_value == pytest.approx(2 * stats.norm.sf(z), rel=1e-8)
    half = 100 * stats.norm.ppf(0.975) * SE
    assert (res.low, res.high) == pytest.approx((15 - half, 15 + half), rel=1e-9)
    assert res.n == 100 and res.n_effective == pytest.approx(100)


def test_adjusted_wald_by_hand():
    # 0.75 promoter, 1.5 passive, 0.75 detractor: p' = 70.75/103, d' = 15.75/103
    p, d = 70.75 / 103, 15.75 / 103
    se = np.sqrt((p + d - (p - d) ** 2) / 103)
    res = compare_to_target(SCORES, 50)
    assert res.statistic == pytest.approx((p - d - 0.5) / se, rel=1e-8)
    assert res.p_value == pytest.approx(2 * stats.norm.sf((p - d - 0.5) / se), rel=1e-7)


def test_one_sided():
    two = compare_to_target(SCORES, 50, method="wald")
    above = compare_to_target(SCORES, 50, method="wald", alternative="greater")
    below = compare_to_target(SCORES, 50, method="wald", alternative="less")
    assert above.p_value == pytest.approx(stats.norm.sf(0.05 / SE), rel=1e-8)
    assert above.p_value == pytest.approx(two.p_value / 2, rel=1e-8)
    assert below.p_value == pytest.approx(1 - two.p_value / 2, rel=1e-8)
    # one-sided 95 % lower end: 55 - 1.645 SE, minus the target
    assert above.low == pytest.approx(5 - 100 * stats.norm.ppf(0.95) * SE, rel=1e-9)
    assert above.high == pytest.approx(50.0)  # 100 - target
    assert below.low == pytest.approx(-150.0)


@pytest.mark.parametrize("method", ["wald", "adjusted-wald", "score"])
def test_p_below_alpha_iff_target_outside_interval(method, rng):
    for _ in range(10):
        n = int(rng.integers(20, 300))
        scores = rng.choice([2, 8, 10], size=n, p=rng.dirichlet([2, 2, 2]))
        interval = nps.nps_interval(scores, method=method)
        for target in rng.uniform(-90, 90, size=6):
            res = compare_to_target(scores, target, method=method)
            outside = not interval.low <= target <= interval.high
            assert (res.p_value < 0.05) == outside
        # at an interval end the p-value is exactly 1 - level
        if -100 < interval.low:
            at_end = compare_to_target(scores, interval.low, method=method)
            assert at_end.p_value == pytest.approx(0.05, rel=1e-6)


def test_duality_with_weights_and_clusters(rng):
    n = 150
    scores = rng.integers(0, 11, size=n)
    weights = rng.uniform(0.5, 2, size=n)
    clusters = rng.integers(0, 25, size=n)
    for kwargs in ({"weights": weights}, {"clusters": clusters}):
        interval = nps.nps_interval(scores, confidence_level=0.9, **kwargs)
        for target in np.linspace(-60, 60, 13):
            res = compare_to_target(scores, target, confidence_level=0.9, **kwargs)
            outside = not interval.low <= target <= interval.high
            assert (res.p_value < 0.1) == outside
            assert (res.low, res.high) == pytest.approx(
                (interval.low - target, interval.high - target)
            )


def test_bad_target_and_method():
    with pytest.raises(ValueError, match="strictly between"):
        compare_to_target(SCORES, 100)
    with pytest.raises(ValueError, match="unknown method"):
        compare_to_target(SCORES, 50, method="bootstrap")
    with pytest.raises(ValueError, match="alternative"):
        compare_to_target(SCORES, 50, alternative="above")


def test_sample_size_change_by_hand():
    z = stats.norm.ppf(0.975) + stats.norm.ppf(0.8)
    # worst case V = 1 each wave, 10 points: 2 z^2 / 0.01 = 1569.8
    assert sample_size_change(10) == int(np.ceil(2 * z**2 / 0.01)) == 1570
    # 50/20 in both waves: V = 0.7 - 0.09 = 0.61
    assert sample_size_change(10, expected=(0.5, 0.2)) == int(np.ceil(1.22 * z**2 / 0.01))
    # two waves: 0.61 and 0.55 + 0.15 - 0.16 = 0.54
    assert sample_size_change(-10, expected=((0.5, 0.2), (0.55, 0.15))) == int(
        np.ceil(1.15 * z**2 / 0.01)
    )
    z90 = stats.norm.ppf(0.95) + stats.norm.ppf(0.9)
    assert sample_size_change(
        5, expected=(0.5, 0.2), power=0.9, confidence_level=0.9, design_effect=1.5
    ) == int(np.ceil(1.22 * z90**2 / 0.0025 * 1.5))
    with pytest.raises(ValueError, match="percentages"):
        sample_size_change(10, expected=(50, 20))
    with pytest.raises(ValueError, match="non-zero"):
        sample_size_change(0)
    with pytest.raises(ValueError, match="power"):
        sample_size_change(10, power=80)


def simulated_power(n, wave_a, wave_b, n_sims, rng, level=0.95):
    """Share of simulated wave pairs in which the two-sample Wald z test rejects."""
    a = rng.multinomial(n, [wave_a[1], 1 - sum(wave_a), wave_a[0]], size=n_sims) / n
    b = rng.multinomial(n, [wave_b[1], 1 - sum(wave_b), wave_b[0]], size=n_sims) / n
    na, nb = a[:, 2] - a[:, 0], b[:, 2] - b[:, 0]
    var = (a[:, 2] + a[:, 0] - na**2 + b[:, 2] + b[:, 0] - nb**2) / n
    z = (nb - na) / np.sqrt(var)
    return float(np.mean(np.abs(z) > stats.norm.ppf(0.5 + level / 2)))


def test_power_by_simulation(rng):
    # wave 1 NPS 30, wave 2 NPS 40: the computed n should give 80 % power
    wave_a, wave_b = (0.5, 0.2), (0.55, 0.15)
    n = sample_size_change(10, expected=(wave_a, wave_b))
    power = simulated_power(n, wave_a, wave_b, 4000, rng)
    assert abs(power - 0.8) < 0.03  # 4,000 sims: SE 0.6 points
    # and the same check agrees with compare_nps on one simulated pair
    a = rng.multinomial(n, [0.2, 0.3, 0.5])
    b = rng.multinomial(n, [0.15, 0.3, 0.55])
    z = (
        ((b[2] - b[0]) - (a[2] - a[0]))
        / n
        / np.sqrt(
            (
                (a[2] + a[0]) / n
                - ((a[2] - a[0]) / n) ** 2
                + (b[2] + b[0]) / n
                - ((b[2] - b[0]) / n) ** 2
            )
            / n
        )
    )
    res = nps.compare_nps(counts_a=tuple(a), counts_b=tuple(b), method="wald")
    assert res.statistic == pytest.approx(z)


# --- notebook display, tidy row, n_effective (issue 20) ---------------------------


def test_target_comparison_to_frame_and_html():
    res = compare_to_target([10] * 70 + [8] * 15 + [3] * 15, 50, method="wald")
    row = res.to_frame()
    assert row.loc[0, "nps"] == pytest.approx(55.0) and row.loc[0, "target"] == 50.0
    assert row.loc[0, "difference"] == pytest.approx(5.0)
    assert (row.loc[0, "ci_low"], row.loc[0, "ci_high"]) == (res.low, res.high)
    assert row.loc[0, "p_value"] == res.p_value and row.loc[0, "n"] == 100
    assert "<caption>TargetComparison</caption>" in res._repr_html_()


def test_target_n_effective_is_the_linearised_value_not_kish():
    rng = np.random.default_rng(20261206)
    scores = rng.integers(0, 11, 400)
    # weights that go with the score: the linearised variance sees it, Kish's formula cannot
    weights = np.where(scores >= 9, 3.0, 1.0) * rng.uniform(0.5, 1.5, 400)
    res = compare_to_target(scores, 0, weights=weights)
    linearised = nps.nps_interval(scores, weights=weights).n_effective
    kish = weights.sum() ** 2 / (weights**2).sum()
    assert res.n_effective == pytest.approx(linearised, rel=1e-12)
    assert abs(res.n_effective - kish) > 5
    assert "linearised effective sample size" in " ".join(type(res).__doc__.split())
    assert "not Kish's" in type(res).__doc__
