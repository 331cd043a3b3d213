"""Goals and benchmarks: is the NPS above a target, and how many answers show a change?

``compare_to_target`` tests one survey's NPS against a fixed number (an
industry benchmark, last year's published score, a goal): "are we above the
industry's 50?".  ``sample_size_change`` plans the answers per wave needed to
detect a change of a given number of NPS points between two waves.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import optimize, stats

from ._results import EstimateRow
from ._validation import check_alternative, check_level, check_method, planning_variance
from ._validation import z as critical_z
from .intervals import nps_interval
from .scoring import category_counts

TARGET_METHODS = ("wald", "adjusted-wald", "score")

# float64 cannot hold a confidence level closer to 1 than this, so, like R's
# "p-value < 2.2e-16", smaller p-values are reported as this bound
_P_FLOOR = float(np.finfo(float).eps)


@dataclass(frozen=True, repr=False)
class TargetComparison(EstimateRow):
    """An NPS tested against a fixed target: NPS - target with interval and test.

    ``to_frame()`` gives it as a one-row table (``nps``, ``target``,
    ``difference``, ``ci_low``, ``ci_high``, ``statistic``, ``p_value``, ...,
    the column names of the tidy tables); in a notebook it shows as a small
    table.

    Attributes
    ----------
    estimate : the survey's NPS (weighted when weights are given).
    target : the number it is compared with (-100..100).
    difference : estimate - target, in NPS points.
    low, high : confidence interval of the difference (the NPS interval minus
        the target; a one-sided interval ends at -100 - target or
        100 - target).
    statistic : z statistic of the test (the normal quantile of the
        p-value, signed like the difference; for Wald it is
        (estimate - target) / standard error).
    p_value : of "NPS = target" against ``alternative``.
    method, confidence_level, alternative : how it was computed.
    n, n_effective : answers and the sample size they are worth: with
        weights or clusters the linearised effective sample size, n / design
        effect of the linearised (sandwich) variance of the NPS (as in
        ``nps_interval``), not Kish's (sum w)^2 / sum w^2, which ignores how
        the weights go with the answers; without them, n.
    """

    estimate: float
    target: float
    difference: float
    low: float
    high: float
    statistic: float
    p_value: float
    method: str
    confidence_level: float
    alternative: str
    n: int
    n_effective: float

    def __repr__(self) -> str:
        return (
            f"TargetComparison(estimate={self.estimate:.1f}, target={self.target:g}, "
            f"difference={self.difference:.1f}, {100 * self.confidence_level:g}% CI "
            f"[{self.low:.1f}, {self.high:.1f}], statistic={self.statistic:.3f}, "
            f"p_value={self.p_value:.4g}, method={self.method!r}, "
            f"alternative={self.alternative!r}, n={self.n})"
        )


def _two_sided_p(interval_at, estimate: float, target: float) -> float:
    """Smallest 1 - level whose two-sided interval excludes ``target``.

    ``interval_at(level)`` gives the (low, high) NPS interval; its ends move
    outwards as the level rises, so the level at which the end facing the
    target reaches it is found by Brent's method.  Every interval method
    thereby has a test that agrees with it: p < alpha exactly when the
    1 - alpha interval leaves the target out.
    """
    side = 0 if target < estimate else 1

    def gap(level):
        end = interval_at(level)[side]
        return end - target if side == 0 else target - end

    lowest, highest = 1e-12, 1 - _P_FLOOR
    if gap(lowest) <= 0:  # inside even the narrowest interval
        return 1.0
    if gap(highest) > 0:  # outside even the widest one float64 can express
        return _P_FLOOR
    level = optimize.brentq(gap, lowest, highest, xtol=1e-15, rtol=4 * _P_FLOOR)
    return max(1.0 - level, _P_FLOOR)


def compare_to_target(
    scores,
    target,
    *,
    alternative="two-sided",
    method="adjusted-wald",
    confidence_level=0.95,
    weights=None,
    clusters=None,
) -> TargetComparison:
    """Test whether an NPS differs from (or is above / below) a fixed target.

    Parameters
    ----------
    scores : raw 0-10 answers (NaN = blank, left out).
    target : the benchmark, on the -100..100 scale, strictly inside it.
    alternative : ``"two-sided"`` (NPS differs from the target),
        ``"greater"`` (NPS above the target) or ``"less"``.
    method : ``"adjusted-wald"`` (default), ``"wald"`` or ``"score"``: the
        interval of ``nps_interval`` that the test inverts.
    confidence_level : of the interval of the difference.
    weights, clusters : as in ``nps_interval`` (survey weights; account ids
        for a cluster-robust variance).

    Returns
    -------
    TargetComparison

    Notes
    -----
    The test is the one that ``nps_interval``'s interval inverts: the
    two-sided p-value is the smallest 1 - level at which the interval leaves
    the target out, so ``p_value < 1 - confidence_level`` exactly when the
    target lies outside the interval, for every method, with weights and
    with clusters (whose intervals use t critical values).  One-sided
    p-values are half the two-sided one on the side of the estimate (one
    minus that on the other side), and the one-sided interval is the
    two-sided interval at level 2 * confidence_level - 1 cut open on one
    side.  For ``"wald"`` this is the z test
    (estimate - target) / standard error.

    Examples
    --------
    70 promoters, 15 passives, 15 detractors (NPS 55, Wald SE 7.40) against
    an industry's 50: z = 5 / 7.40 = 0.676, one-sided p = 1 - Phi(0.676):

    >>> res = compare_to_target([10] * 70 + [8] * 15 + [3] * 15, 50,
    ...                         alternative="greater", method="wald")
    >>> round(res.difference, 1), round(res.statistic, 3), round(res.p_value, 3)
    (5.0, 0.676, 0.25)
    """
    check_method(method, TARGET_METHODS)
    check_alternative(alternative)
    try:
        t = float(target)
    except (TypeError, ValueError):
        raise ValueError(f"target must be an NPS value, got {target!r}") from None
    if not -100 < t < 100:
        raise ValueError(
            f"target must lie strictly between -100 and 100 (NPS points), got {target!r}"
        )

    def interval_at(level):
        if weights is None and clusters is None:  # counted once, not re-read per level
            res = nps_interval(counts=counts, method=method, confidence_level=level)
        else:
            res = nps_interval(
                scores, method=method, confidence_level=level, weights=weights, clusters=clusters
            )
        return res.low, res.high

    # validates scores, weights, clusters and the level once, at the edge
    base = nps_interval(
        scores,
        method=method,
        confidence_level=confidence_level,
        weights=weights,
        clusters=clusters,
    )
    level = base.confidence_level
    if weights is None and clusters is None:
        c = category_counts(scores)
        counts = (int(c.detractors), int(c.passives), int(c.promoters))
    estimate = base.estimate
    p2 = _two_sided_p(interval_at, estimate, t)
    toward = np.sign(estimate - t)  # +1: the data point above the target
    if alternative == "two-sided":
        p = p2
        low, high = base.low - t, base.high - t
    else:
        one = interval_at(2 * level - 1)
        if alternative == "greater":
            p = p2 / 2 if toward > 0 else 1 - p2 / 2
            low, high = one[0] - t, 100.0 - t
        else:
            p = p2 / 2 if toward < 0 else 1 - p2 / 2
            low, high = -100.0 - t, one[1] - t
    z = float(stats.norm.isf(p2 / 2) * toward)
    return TargetComparison(
        estimate=float(estimate),
        target=t,
        difference=float(estimate - t),
        low=float(low),
        high=float(high),
        statistic=z,
        p_value=float(p),
        method=method,
        confidence_level=level,
        alternative=alternative,
        n=base.n,
        n_effective=base.n_effective,
    )


def sample_size_change(
    difference,
    *,
    expected=None,
    power=0.8,
    confidence_level=0.95,
    design_effect=1.0,
) -> int:
    """Answers needed in each of two waves to detect a change of ``difference`` NPS points.

    n = (V1 + V2) (z_(1 - alpha/2) + z_power)^2 / delta^2 * design_effect,
    with delta = difference / 100 and V = p + d - (p - d)^2 the
    per-respondent variance of a wave with promoter share p and detractor
    share d; rounded up.  This is the size at which the two-sample z test of
    ``compare_nps`` (two-sided, level 1 - confidence_level) rejects with
    probability ``power`` when the NPS really moved by ``difference``.

    Parameters
    ----------
    difference : the change to detect, in NPS points (sign ignored).
    expected : ``(promoters, detractors)`` shares expected in both waves, or
        two such pairs ``((p1, d1), (p2, d2))`` for the two waves; ``None``
        uses the worst case V = 1 (half promoters, half detractors).
    power : probability of detecting the change, in (0, 1).
    confidence_level : 1 - alpha of the two-sided test.
    design_effect : variance inflation of weights or clustering (>= 1
        usually; 1 for a simple random sample).

    Examples
    --------
    50 % promoters, 20 % detractors (V = 0.7 - 0.09 = 0.61) in both waves, a
    change of 10 points, 80 % power at 95 %: (1.22)(1.95996 + 0.84162)^2 /
    0.01 = 957.6, so 958 answers per wave:

    >>> sample_size_change(10, expected=(0.5, 0.2))
    958
    """
    try:
        delta = abs(float(difference)) / 100
    except (TypeError, ValueError):
        raise ValueError(f"difference must be in NPS points, got {difference!r}") from None
    if not 0 < delta <= 2:
        raise ValueError(
            f"difference must be a non-zero change in NPS points, at most 200, got {difference!r}"
        )
    level = check_level(confidence_level)
    try:
        pw = float(power)
    except (TypeError, ValueError):
        raise ValueError(f"power must be a number in (0, 1), got {power!r}") from None
    if not 0 < pw < 1:
        raise ValueError(f"power must lie in (0, 1), got {power!r}")
    deff = float(design_effect)
    if not (np.isfinite(deff) and deff > 0):
        raise ValueError(f"design_effect must be a positive number, got {design_effect!r}")
    if expected is None:
        v1 = v2 = 1.0
    elif len(expected) == 2 and all(np.ndim(x) == 1 for x in expected):
        v1 = planning_variance(expected[0], "expected[0]")
        v2 = planning_variance(expected[1], "expected[1]")
    else:
        v1 = v2 = planning_variance(expected, "expected")
    z = critical_z(level) + stats.norm.ppf(pw)
    n = (v1 + v2) * z**2 / delta**2 * deff
    # guard against 957.0000000001 from floating point
    return max(1, math.ceil(n - 1e-9))
