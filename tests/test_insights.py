"""Tests for nps_toolkit.insights: every finding sentence checked against hand-built results."""

import numpy as np
import pandas as pd
import pytest

import nps_toolkit as nps
from nps_toolkit.insights import KINDS, findings

NBSP = "\u00a0"


def _row(**kw):
    base = dict(n=10, nps=40.0, ci_low=10.2, ci_high=61.7, band="good",
                pct_promoters=60.0, pct_passives=20.0, pct_detractors=20.0)  # fmt: skip
    return pd.Series({**base, **kw})


def _trend(p=0.42, wave=True):
    t = pd.DataFrame(
        {
            "period": [6, 7],
            "nps": [50.0, 55.7],
            "change": [np.nan, 5.7],
            "change_low": [np.nan, -8.2],
            "change_high": [np.nan, 19.5],
            "change_p_value": [np.nan, p],
        }
    )
    t.attrs["wave"] = "wave" if wave else None
    return t


def _text(frame, kind):
    rows = frame.loc[frame["kind"] == kind, "text"]
    assert len(rows) == 1, (kind, frame)
    return rows.iloc[0]


def test_headline_and_shares_from_summarize():
    # 6 promoters, 2 passives, 2 detractors: NPS 40 ("good"), 60/20/20 %
    df = pd.DataFrame({"recommend": [10] * 6 + [8] * 2 + [3] * 2})
    row = nps.summarize(df)
    out = findings(row, confidence_level=0.95)
    assert list(out["kind"]) == ["headline", "shares"]
    low, high = row["ci_low"].iloc[0], row["ci_high"].iloc[0]
    assert _text(out, "headline") == (
        f"NPS 40 (good); with 95 % confidence between {low:.0f} and {high:.0f}."
    )
    assert (
        _text(out, "shares")
        == "Promoters 60.0 %, passives 20.0 %, detractors 20.0 % of 10 answers."
    )


def test_headline_uses_the_given_interval_and_level():
    iv = nps.nps_interval(counts=(20, 20, 60), confidence_level=0.9)
    out = findings(_row(), interval=iv)
    assert f"with 90 % confidence between {iv.low:.0f} and {iv.high:.0f}" in _text(out, "headline")


def test_tracker_leads_with_latest_wave_and_previous_beside_it():
    out = findings(_row(nps=55.7, band="excellent"), trend=_trend())
    assert _text(out, "headline").startswith("NPS in wave 7: 56 (excellent);")
    assert _text(out, "headline").endswith("Previous round (wave 6): 50.")
    change = _text(out, "change")
    assert change == (
        "Change since wave 6: +6 points (95 % interval -8 to +20), "
        "within the margin of error, so it may be chance."
    )


def test_significant_change_says_so_with_p():
    change = _text(findings(_row(), trend=_trend(p=0.0123)), "change")
    assert "larger than chance alone would explain (p = 0.012)" in change
    assert "margin" not in change


def test_calendar_periods_are_named_as_they_are():
    t = _trend(wave=False)
    t["period"] = pd.PeriodIndex(["2025Q3", "2025Q4"], freq="Q")
    out = findings(_row(), trend=t)
    assert _text(out, "headline").startswith("NPS in 2025Q4:")
    assert "since 2025Q3" in _text(out, "change")


def _segments():
    a = pd.DataFrame({"tenure": ["at-risk", "long-term", "new"], "n": [182, 858, 140],
                      "difference": [-66.8, 43.8, 0.2], "significant": [True, True, False],
                      "suppressed": [False, False, False]})  # fmt: skip
    a.attrs["correction"] = "holm"
    b = pd.DataFrame({"region": ["North", "tiny"], "n": [141, 3], "difference": [9.9, np.nan],
                      "significant": [False, np.nan], "suppressed": [False, True]})  # fmt: skip
    return [a, b]


def test_segments_that_differ_largest_first():
    text = _text(findings(_row(), segments=_segments()), "segments")
    assert text == (
        "Groups that differ from the rest (Holm correction, 95 % confidence): "
        "at-risk (customer relationship) lower by 67 points and "
        "long-term (customer relationship) higher by 44 points."
    )


def test_no_segment_differs():
    segs = _segments()
    segs[0]["significant"] = False
    text = _text(findings(_row(), segments=segs, correction="bonferroni"), "segments")
    assert text == "No group differs from the rest after Bonferroni correction."


def _drivers(fix=True):
    d = pd.DataFrame(
        {
            "driver": ["quality", "response_speed", "price"],
            "share": [50.0, 30.0, 20.0],
            "mean": [7.7, 6.2 if fix else 7.9, 6.3],
            "quadrant": ["keep up", "fix first" if fix else "keep up", "lower priority"],
        }
    )
    d.attrs["thresholds"] = (33.3, 7.0)
    return d


def test_driver_to_fix_first():
    text = _text(findings(_row(), drivers=_drivers()), "driver")
    assert text.startswith("Fix first: Response speed. It carries 30 % of the explained")
    assert text.endswith("rated only 6.2 on average.")


def test_no_driver_to_fix_names_lowest_rated_important_one():
    text = _text(findings(_row(), drivers=_drivers(fix=False)), "driver")
    # only quality's share (50) is above the importance threshold (33.3)
    assert "Product or service quality is rated lowest (7.7 on average)" in text


def _themes():
    return pd.DataFrame(
        {
            "theme": ["quality", "support", "price", "follow_up", "ease_of_use"],
            "mentions": [134, 53, 50, 71, 4],
            "impact": [3.5, 0.3, -2.5, -1.9, -5.0],
            "ci_low": [2.1, -0.4, -3.5, -3.3, -9.0],
            "ci_high": [4.5, 0.9, -1.5, -0.7, -1.0],
            "below_min_n": [False, False, False, False, True],
        }
    )


def test_strengths_and_improvements_only_beyond_chance():
    out = findings(_row(), themes=_themes())
    assert _text(out, "strengths") == (
        "Strengths in the comments: Product or service quality (134 mentions, +3.5 points)."
    )  # support's interval includes zero
    assert _text(out, "improvements") == (
        "Improvement areas in the comments: Price (50 mentions, -2.5 points) "
        "and Follow-up (71 mentions, -1.9 points)."
    )  # ease of use has too few mentions (below_min_n)


def test_no_theme_beyond_chance():
    th = _themes().assign(ci_low=-1.0, ci_high=1.0)
    out = findings(_row(), themes=th)
    assert _text(out, "strengths") == "No comment theme lifts the score beyond chance."
    assert _text(out, "improvements") == "No comment theme pulls the score down beyond chance."


def test_theme_findings_say_the_share_no_theme_covers():
    th = _themes()
    th.attrs.update(uncovered=37, uncovered_share=100 * 37 / 148)  # 25 %
    out = findings(_row(), themes=th)
    assert _text(out, "strengths").endswith(" 25 % of the comments fit no theme.")
    assert _text(out, "improvements").endswith(" 25 % of the comments fit no theme.")
    fi = findings(_row(), themes=th, language="fi")
    assert _text(fi, "strengths").endswith(" Kommenteista 25\xa0% ei sovi mihinkään teemaan.")


def test_followup_backlog_counts_overdue():
    f = pd.DataFrame({"overdue": [True, True, False, pd.NA]})
    f.attrs["within_hours"] = 24
    text = _text(findings(_row(), followup=f), "followup")
    assert text == (
        "4 detractors to contact; 2 of them are overdue (more than 24 hours since they answered)."
    )
    assert _text(findings(_row(), followup=f.iloc[:0]), "followup") == "No detractor to contact."


def test_finnish_sentences_and_number_format():
    out = findings(
        _row(pct_promoters=64.94, pct_passives=25.86, pct_detractors=9.2, n=1174),
        trend=_trend(),
        language="fi",
    )
    assert _text(out, "shares") == (
        f"Suosittelijat 64,9{NBSP}%, passiiviset 25,9{NBSP}%, arvostelijat 9,2{NBSP}% "
        f"(1{NBSP}174 vastausta)."
    )
    assert _text(out, "headline").startswith(
        "NPS, kierros 7: 40 (hyvä); 95\u00a0%:n varmuudella välillä 10…62."
    )
    assert "virhemarginaalin sisällä" in _text(out, "change")


def test_kinds_in_order_and_all_present():
    f = pd.DataFrame({"overdue": [True]})
    f.attrs["within_hours"] = 48
    out = findings(_row(), trend=_trend(), segments=_segments(), drivers=_drivers(),
                   themes=_themes(), followup=f)  # fmt: skip
    assert list(out["kind"]) == list(KINDS)


def test_b2b_example_tracker_headline_is_wave_7():
    from nps_toolkit.reporting import sections

    df = nps.example_survey("b2b-annual")
    s = sections.Settings(wave="wave", account="account_id", invited="invited", n_resamples=0)
    tr = sections.trend(df, s)
    head = sections.headline(df, s, tr)
    out = nps.findings(head.summary, interval=head.interval, trend=tr.table)
    w7 = df.loc[df["wave"] == 7, "recommend"].dropna()
    by_hand = 100 * ((w7 >= 9).mean() - (w7 <= 6).mean())
    assert round(by_hand) == 56
    assert _text(out, "headline").startswith("NPS in wave 7: 56 (excellent);")
    assert "Previous round (wave 6): 50." in _text(out, "headline")


def test_unknown_language_is_an_error():
    with pytest.raises(ValueError, match="report language must be one of"):
        findings(_row(), language="sv")


# --- decimals: a survey large enough for intervals narrower than 2 points ------


def _narrow_trend():
    # two quarters of 2.5 million answers (the national report that read
    # "Change since 2025Q3: 0 points (95 % interval 0 to 0)")
    t = pd.DataFrame(
        {
            "period": pd.PeriodIndex(["2025Q3", "2025Q4"], freq="Q"),
            "nps": [-17.82, -17.53],
            "ci_low": [-17.93, -17.63],
            "ci_high": [-17.71, -17.43],
            "change": [np.nan, 0.29],
            "change_low": [np.nan, 0.14],
            "change_high": [np.nan, 0.44],
            "change_p_value": [np.nan, 0.002],
        }
    )
    t.attrs["wave"] = None
    return t


def test_narrow_change_is_told_in_tenths():
    row = _row(nps=-17.53, ci_low=-17.63, ci_high=-17.43, band="needs improvement")
    out = findings(row, trend=_narrow_trend())
    assert _text(out, "headline") == (
        "NPS in 2025Q4: -17.5 (needs improvement); with 95 % confidence between -17.6 and -17.4. "
        "Previous round (2025Q3): -17.8."
    )
    assert _text(out, "change") == (
        "Change since 2025Q3: +0.3 points (95 % interval +0.1 to +0.4), "
        "larger than chance alone would explain (p = 0.002)."
    )
    fi = findings(row, trend=_narrow_trend(), language="fi")
    assert "+0,3" in _text(fi, "change") and "+0,1…+0,4" in _text(fi, "change")
    assert _text(fi, "headline") == (
        "NPS, 2025Q4: -17,5 (parannettavaa); 95\u00a0%:n varmuudella välillä -17,6…-17,4. "
        "Edellinen (2025Q3): -17,8."
    )


def test_change_sentence_has_its_own_decimals():
    # a wide headline (whole points) beside a narrow change (tenths): each
    # sentence shows its estimate and its interval with the same decimals
    trend = _narrow_trend().assign(ci_low=[-25.0, -25.0], ci_high=[-10.0, -10.0])
    out = findings(_row(nps=-17.53, ci_low=-25.0, ci_high=-10.0), trend=trend)
    assert "-18 (good); with 95 % confidence between -25 and -10" in _text(out, "headline")
    assert "+0.3 points (95 % interval +0.1 to +0.4)" in _text(out, "change")


def test_narrow_segment_differences_in_tenths():
    segs = _segments()
    segs[0] = segs[0].assign(difference=[-6.33, 5.39, 0.08], ci_low=[-6.42, 5.30, 0.01],
                             ci_high=[-6.24, 5.48, 0.15])  # fmt: skip
    text = _text(findings(_row(), segments=segs), "segments")
    assert "at-risk (customer relationship) lower by 6.3 points" in text
    assert "long-term (customer relationship) higher by 5.4 points" in text


def test_a_tiny_p_value_reads_p_below_not_p_equals_below():
    from nps_toolkit._i18n import Texts

    for lang, small in (("en", "p < 0.001"), ("fi", "p < 0,001")):
        t = Texts(lang)
        assert t.p_text(1e-9) == small and t.p_text(0.0123).startswith("p = 0")
        for key in ("trend.latest", "findings.change_real"):
            assert "p = {p}" not in t(key) and "{p}" in t(key)
