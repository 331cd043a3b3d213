"""Tests for nps_toolkit._decimals: the decimals NPS-scale numbers are shown with.

The rule (``point_digits``) is pinned by hand-worked widths, by the widths
of the 20-million-answer report that showed "interval 6 to 6", and by brute
force: at the decimals it picks, no interval prints its two ends as one
number.  The reader tables, the trend section and the chart title use it;
an ordinary survey's tables stay in whole points.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from nps_toolkit._decimals import MAX_DIGITS, point_digits
from nps_toolkit._i18n import Texts

NBSP = "\u00a0"


@pytest.mark.parametrize(
    ("intervals", "digits"),
    [
        ([(1.0, 11.0)], 0),  # an ordinary survey: 10 points wide
        ([(-4.0, -2.0)], 0),  # exactly 2 points: still whole points
        ([(-4.0, -2.01)], 1),  # 1.99 points: tenths
        ([(5.6, 6.2)], 1),  # "+5.9 (5.6 to 6.2)"
        ([(0.0, 0.1)], 1),  # exactly 0.1: one decimal still keeps the ends apart
        ([(0.0, 0.099)], 2),  # narrower: one decimal could print "0.0 to 0.0"
        ([(0.0, 1e-9)], MAX_DIGITS),  # never more than two decimals
        # a set: its narrowest interval decides
        ([([1.0, 5.6, -30.0], [11.0, 6.2, 10.0])], 1),
        ([(1.0, 11.0), ([20.0], [21.5])], 1),
        # missing ends (hidden groups) and zero widths (a census) do not decide
        ([(np.nan, 5.0), (None, None), (3.0, 3.0), (pd.NA, 1.0), (0.0, 40.0)], 0),
        ([(np.nan, np.nan)], 0),
        ([], 0),
    ],
)
def test_rule_by_hand(intervals, digits):
    assert point_digits(*intervals) == digits


def test_widths_of_the_20_million_answer_report():
    # /work/scale/reports/retailer/summary.csv, printed in whole points as
    # "-18 and -17", "6 to 6" and "0 to 0"
    headline = (-17.633136211821395, -17.427836103599077)  # 2.5 M answers of 2025Q4
    capital = (-12.597302856699354, -12.433525678729618)  # 4 M answers of a region
    vs_rest = (6.239421246166061, 6.422025441913141)
    channel = (0.005961027749397602, 0.15090414110248535)
    everyone = (-17.61561279364556, -17.543141231000533)  # all 20 M together
    assert point_digits(headline) == 1
    assert point_digits(capital, vs_rest, channel) == 1
    assert point_digits(everyone) == 2  # 0.07 points: "-17.6 to -17.5" or "-17.6 to -17.6"


@pytest.mark.parametrize("language", ["en", "fi"])
def test_printed_ends_never_coincide_brute_force(language):
    # at the decimals the rule picks, the two ends of every interval print
    # differently; with one decimal fewer some of the same intervals collapse
    t = Texts(language)
    rng = np.random.default_rng(20261206)
    low = rng.uniform(-100, 100, 20_000)
    width = 10.0 ** rng.uniform(-1.9, 1.5, low.size)  # 0.0126 .. 31.6 points
    collapsed_with_fewer = 0
    for lo, w in zip(low, width, strict=True):
        d = point_digits((lo, lo + w))
        assert t.number(lo, d) != t.number(lo + w, d), (lo, w, d)
        if d and t.number(lo, d - 1) == t.number(lo + w, d - 1):
            collapsed_with_fewer += 1
    assert collapsed_with_fewer > 1000  # fewer decimals would bring the defect back


# --- the reader tables ---------------------------------------------------------


def _segment_rows(a: tuple, b: tuple) -> pd.DataFrame:
    """Answers of groups a and b, each given as (detractors, passives, promoters)."""
    counts = {"a": a, "b": b}
    parts = []
    for group, (d, p, q) in counts.items():
        scores = np.repeat([3, 8, 10], [d, p, q])
        parts.append(pd.DataFrame({"region": group, "recommend": scores}))
    return pd.concat(parts, ignore_index=True)


def _segment_cells(df: pd.DataFrame, language: str = "en"):
    from nps_toolkit.reporting import sections, show
    from nps_toolkit.reporting.tables import reader_table

    s = sections.Settings(segments=("region",), min_n=5)
    table = sections.segments(df, s).tables["region"]
    t = Texts(language)
    return table, reader_table(table, show.SEGMENT_SPEC, t).set_index(t("headers.group"))


def test_a_table_with_a_narrow_interval_shows_one_decimal():
    # 100,000 answers a group: 30 % vs 20 % detractors, 40 % vs 45 % promoters.
    # NPS a = 40 - 30 = 10, b = 45 - 20 = 25; difference from the rest -15 and +15;
    # the intervals are about 0.6 and 0.9 points wide
    df = _segment_rows((30_000, 30_000, 40_000), (20_000, 35_000, 45_000))
    table, cells = _segment_cells(df)
    assert (table["ci_high"] - table["ci_low"]).max() < 2
    row = table.set_index("group").loc["a"]
    assert cells.loc["a", "NPS"] == "10.0"
    assert cells.loc["b", "NPS"] == "25.0"
    assert cells.loc["a", "interval"] == f"{row['ci_low']:.1f} to {row['ci_high']:.1f}"
    assert cells.loc["a", "vs rest (points)"] == "-15.0 \u25bc"
    assert cells.loc["b", "vs rest (points)"] == "+15.0 \u25b2"
    low, high = row["difference_low"], row["difference_high"]
    assert cells.loc["a", "interval of the difference"] == f"{low:.1f} to {high:.1f}"
    # Finnish: the locale's decimal comma, the same decimals
    _, fi = _segment_cells(df, "fi")
    assert fi.loc["a", "NPS"] == "10,0"
    assert fi.loc["b"].iloc[4] == "+15,0 \u25b2"


def test_an_ordinary_table_stays_in_whole_points():
    # 100 answers a group: intervals some 30 points wide
    df = _segment_rows((30, 30, 40), (20, 35, 45))
    table, cells = _segment_cells(df)
    row = table.set_index("group").loc["a"]
    assert cells.loc["a", "NPS"] == "10"
    assert cells.loc["a", "interval"] == f"{row['ci_low']:.0f} to {row['ci_high']:.0f}"
    assert cells.loc["a", "vs rest (points)"] == "-15"  # not significant: no mark


def test_trend_section_chart_title_and_table_share_the_decimals():
    from nps_toolkit.reporting import figures, show
    from nps_toolkit.reporting.tables import reader_table

    trend = pd.DataFrame(
        {
            "period": pd.PeriodIndex(["2025Q3", "2025Q4"], freq="Q"),
            "n": [2_500_000, 2_500_000],
            "nps": [-17.6, -17.93],
            "ci_low": [-17.7, -18.03],
            "ci_high": [-17.5, -17.83],
            "change": [np.nan, -0.33],
            "change_low": [np.nan, -0.47],
            "change_high": [np.nan, -0.19],
            "change_p_value": [np.nan, 0.00001],
            "suppressed": [False, False],
        }
    )
    t = Texts("en")
    assert show.trend_digits(trend) == 1
    cells = reader_table(trend, show.TREND_SPEC, t, digits=show.trend_digits(trend))
    assert cells.iloc[1].tolist()[2:6] == ["-17.9", "-18.0 to -17.8", "-0.3", "-0.5 to -0.2"]
    # in whole points both rounds are -18 and the title says the NPS stayed there
    ax, _ = figures.trend(trend, t, level=0.95)
    assert ax.get_title(loc="left") == "NPS stayed at -18 from 2025Q3 to 2025Q4"
    ax, alt = figures.trend(trend, t, level=0.95, digits=1)
    assert ax.get_title(loc="left") == "NPS fell from -17.6 in 2025Q3 to -17.9 in 2025Q4"
    assert alt.endswith("2025Q3: -17.6; 2025Q4: -17.9.")


def test_theme_table_interval_in_tenths_as_the_impact():
    """The impact "+0.2" beside its interval "-0.3 to +0.8", not "0 to 1"; NPS columns whole."""
    from nps_toolkit._i18n import Texts
    from nps_toolkit.reporting.show import THEME_SPEC
    from nps_toolkit.reporting.tables import reader_table

    impact = pd.DataFrame({"theme": ["price"], "mentions": [40], "share_of_commenters": [20.0],
                           "nps_mentioning": [12.4], "nps_rest": [30.6], "impact": [0.24],
                           "ci_low": [-0.31], "ci_high": [0.84]})  # fmt: skip
    for lang, expected in (("en", "-0.3 to +0.8"), ("fi", "-0,3…+0,8")):
        row = reader_table(impact, THEME_SPEC, Texts(lang), digits=0).iloc[0].tolist()
        assert row[3:] == ["12", "31", "+0.2" if lang == "en" else "+0,2", expected]
