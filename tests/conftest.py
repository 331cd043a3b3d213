"""Shared fixtures.  Named seeds; every test closes the figures it opened."""

from pathlib import Path

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

ROOT = Path(__file__).resolve().parents[1]
PUBLIC_DATA = ROOT.parent / "shared" / "public-data"


@pytest.fixture(autouse=True)
def close_figures():
    yield
    import matplotlib.pyplot as plt

    plt.close("all")


@pytest.fixture
def rng():
    return np.random.default_rng(20261123)


@pytest.fixture
def public_data():
    """The shared public survey files (beside the project in CI)."""
    if not PUBLIC_DATA.is_dir():
        pytest.skip(f"public data not found at {PUBLIC_DATA}")
    return PUBLIC_DATA
