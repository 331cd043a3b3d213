"""Figures: labels and marks follow the tables they draw."""

import pandas as pd

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
