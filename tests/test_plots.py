"""Figures: labels and marks follow the tables they draw."""

import pandas as pd
import pytest

from nps_toolkit.compare import compare_segments
from nps_toolkit.plots import segment_forest_plot


def test_forest_plot_labels_every_segment_column():
    df = pd.DataFrame(
        {
            "region": ["north"] * 20 + ["south"] * 20,
            "tier": (["a"] * 10 + ["b"] * 10) * 2,
            "recommend": [10] * 15 + [0] * 5 + [10] * 5 + [0] * 15,
        }
    )
    ax = segment_forest_plot(compare_segments(df, ["region", "tier"]))
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == [
        "region = north, tier = a",
        "region = north, tier = b",
        "region = south, tier = a",
        "region = south, tier = b",
    ]


def test_segment_plot_draws_one_interval_per_shown_group_with_the_table_values():
    import numpy as np

    from nps_toolkit.plots import segment_plot
    from nps_toolkit.scoring import summarize

    df = pd.DataFrame(
        {
            "seg": ["A"] * 20 + ["B"] * 30 + ["C"] * 2 + ["D"] * 3,
            "recommend": [10] * 12 + [0] * 8 + [10] * 6 + [8] * 9 + [0] * 15 + [9] * 5,
        }
    )
    table = summarize(df, by="seg", min_n=5)
    ax = segment_plot(table)
    shown = table[~table["suppressed"]]
    assert shown["seg"].tolist() == ["A", "B"]
    intervals = [line for line in ax.get_lines() if len(line.get_xdata()) == 2]
    intervals = [line for line in intervals if line.get_ydata()[0] == line.get_ydata()[1]]
    assert len(intervals) == 2
    drawn = sorted((tuple(line.get_xdata()) for line in intervals), key=lambda x: x[0])
    expected = sorted(zip(shown["ci_low"], shown["ci_high"], strict=True), key=lambda x: x[0])
    assert np.allclose(drawn, expected)
    points = [line for line in ax.get_lines() if line.get_marker() == "o"]
    assert sorted(p.get_xdata()[0] for p in points) == pytest.approx(sorted(shown["nps"]))
    assert [t.get_text() for t in ax.get_yticklabels()] == ["A (n=20)", "B (n=30)"]
    assert "2 small group(s) not shown: fewer than 5 answers" in ax.get_xlabel()


def test_segment_plot_of_an_overall_summary_and_a_bad_table():
    from nps_toolkit.plots import segment_plot
    from nps_toolkit.scoring import summarize

    ax = segment_plot(summarize(pd.DataFrame({"recommend": [10, 9, 3, 8, 10, 0]})))
    assert [t.get_text() for t in ax.get_yticklabels()] == ["all respondents (n=6)"]
    with pytest.raises(ValueError, match=r"columns \['ci_low', 'ci_high'\] not in summary \(make"):
        segment_plot(pd.DataFrame({"n": [1], "nps": [0.0], "suppressed": [False]}))


def test_trend_counts_of_millions_stay_short_under_their_period():
    """Eight quarters of 2.5 million answers: "n=2.49M", not "n=2,490,614" over its neighbours."""
    import matplotlib.pyplot as plt

    from nps_toolkit.plots import trend_plot

    periods = pd.period_range("2024Q1", periods=3, freq="Q")
    table = pd.DataFrame({"period": periods, "n": [2_490_614, 950, 123_456],
                          "nps": [-18.0, -17.5, -18.2], "ci_low": [-18.1, -30, -18.5],
                          "ci_high": [-17.9, -5, -17.9]})  # fmt: skip
    ax = trend_plot(table)
    labels = [t.get_text() for t in ax.get_xticklabels()]
    plt.close(ax.figure)
    assert labels == ["2024Q1\nn=2.49M", "2024Q2\nn=950", "2024Q3\nn=123k"]


def test_percent_ticks_of_nearly_equal_shares_are_told_apart():
    import matplotlib.pyplot as plt

    from nps_toolkit._i18n import Texts
    from nps_toolkit.reporting.figures import _percent_axis

    fig, ax = plt.subplots()
    ax.plot([0, 1], [19.984, 20.012])
    _percent_axis(ax.yaxis, Texts("en"))
    fig.canvas.draw()
    labels = [t.get_text() for t in ax.get_yticklabels() if t.get_text()]
    plt.close(fig)
    assert len(set(labels)) == len(labels) > 2 and all("." in x for x in labels)
