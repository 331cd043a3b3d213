"""Tests for nps_toolkit._multitest: the hand-written corrections equal statsmodels'."""

import numpy as np
import pytest
from statsmodels.stats.multitest import multipletests

from nps_toolkit._multitest import adjust_p_values


@pytest.mark.parametrize("correction", ["holm", "fdr_bh", "bonferroni", "sidak"])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_adjusted_p_values_equal_statsmodels(correction, seed):
    rng = np.random.default_rng(seed)
    p = rng.uniform(0, 0.2, size=12)
    p[3] = p[7] = p[9]  # ties
    expected = multipletests(p, alpha=0.05, method=correction)[1]
    assert np.allclose(adjust_p_values(p, correction, alpha=0.05), expected, atol=1e-12)


def test_hand_worked_holm_and_bh():
    p = np.array([0.01, 0.04, 0.03])
    # Holm: sorted 0.01, 0.03, 0.04 times 3, 2, 1 -> 0.03, 0.06, 0.06 (monotone)
    assert np.allclose(adjust_p_values(p, "holm", alpha=0.05), [0.03, 0.06, 0.06])
    # BH: 0.01*3/1, 0.03*3/2, 0.04*3/3 -> 0.03, 0.045, 0.04 -> step-up min: 0.03, 0.04, 0.04
    assert np.allclose(adjust_p_values(p, "fdr_bh", alpha=0.05), [0.03, 0.04, 0.04])
