"""Tests for nps_toolkit.reporting.sections, tables and the catalogues (_i18n)."""

import re

import nbformat
import numpy as np
import pandas as pd
import pytest

import nps_toolkit as nps
from nps_toolkit._i18n import Texts, catalogue
from nps_toolkit.reporting import TEMPLATE, sections
from nps_toolkit.reporting.tables import mark, reader_table

NBSP = "\u00a0"


@pytest.fixture(scope="module")
def b2b():
    return nps.example_survey("b2b-annual")


def _settings(**kw):
    base = dict(segments=("tenure",), drivers=("quality", "price", "communication"),
                wave="wave", comment="comment", language="language", account="account_id",
                invited="invited", n_resamples=60, seed=7)  # fmt: skip
    return sections.Settings(**{**base, **kw})


# --- random streams ----------------------------------------------------------


def test_editing_one_section_leaves_the_others_numbers(b2b):
    """Dropping a driver (an edit of the drivers section) changes no other section's numbers."""
    a, b = _settings(), _settings(drivers=("quality", "price"), method="bootstrap")
    a = sections.Settings(**{**a.__dict__, "method": "bootstrap"})
    results = []
    for s in (a, b):
        tr = sections.trend(b2b, s)
        head = sections.headline(b2b, s, tr)
        drivers = sections.drivers(b2b, s)
        comments = sections.comments(b2b, s)
        results.append((tr, head, drivers, comments))
    (tr_a, head_a, dr_a, c_a), (tr_b, head_b, dr_b, c_b) = results
    assert len(dr_a) == 3 and len(dr_b) == 2
    pd.testing.assert_frame_equal(c_a.impact, c_b.impact)
    pd.testing.assert_frame_equal(c_a.quotes, c_b.quotes)
    pd.testing.assert_frame_equal(tr_a.table, tr_b.table)
    assert (head_a.interval.low, head_a.interval.high) == (
        head_b.interval.low,
        head_b.interval.high,
    )


def test_one_shared_generator_would_leak_between_sections(b2b):
    """The property above is not automatic: with one generator for all, themes move."""
    tags = nps.tag_themes(b2b["comment"], language=b2b["language"])
    out = []
    for drivers in (["quality", "price", "communication"], ["quality", "price"]):
        rng = np.random.default_rng(7)
        nps.driver_importance(b2b, "recommend", drivers, n_resamples=60, rng=rng)
        out.append(nps.theme_impact(b2b, tags, comment="comment", n_resamples=60, rng=rng))
    assert not out[0]["ci_low"].equals(out[1]["ci_low"])


def test_section_rng_is_a_named_child_of_the_seed():
    a = sections.section_rng(3, "themes").random(3)
    assert np.array_equal(a, sections.section_rng(3, "themes").random(3))
    assert not np.array_equal(a, sections.section_rng(4, "themes").random(3))
    assert not np.array_equal(a, sections.section_rng(3, "drivers").random(3))


# --- headline and the finite-population policy --------------------------------


def test_tracker_headline_is_latest_wave(b2b):
    s = _settings()
    tr = sections.trend(b2b, s)
    head = sections.headline(b2b, s, tr)
    assert head.period == 7
    w7 = b2b[b2b["wave"] == 7]
    assert len(head.rows) == len(w7)
    scores = w7["recommend"].dropna()
    assert head.summary["nps"].iloc[0] == pytest.approx(
        100 * ((scores >= 9).mean() - (scores <= 6).mean())
    )
    # wave 7's invited count applies to wave 7's answers
    assert head.population == int(w7["invited"].iloc[0])
    assert head.pooled["n"].iloc[0] == b2b["recommend"].notna().sum()


def test_calendar_period_headline_is_latest_quarter():
    df = pd.DataFrame(
        {
            "recommend": [10, 9, 3, 10, 8, 2, 9],
            "responded_at": pd.to_datetime(
                [
                    "2025-01-05",
                    "2025-02-01",
                    "2025-03-30",
                    "2025-04-01",
                    "2025-05-02",
                    "2025-06-30",
                    "2025-06-01",
                ]
            ),  # fmt: skip
        }
    )
    s = sections.Settings(invited=100, min_n=3)  # quarters of 3 and 4 answers are shown
    tr = sections.trend(df, s)
    head = sections.headline(df, s, tr)
    assert str(head.period) == "2025Q2"
    assert len(head.rows) == 4
    assert head.summary["nps"].iloc[0] == pytest.approx(25.0)  # 2 promoters, 1 detractor of 4
    assert head.population is None  # 100 invited is the whole survey's, not the quarter's


@pytest.mark.parametrize(
    "kw, rows, expected",
    [
        (dict(invited="invited", wave="wave"), "one wave", 1055),
        (dict(invited="invited", wave="wave"), "two waves", None),
        (dict(invited="invited", wave="wave", weights="w"), "one wave", None),
        (dict(invited=None, wave="wave"), "one wave", None),
        (dict(invited=3, wave=None), "one wave", None),  # fewer invited than answers
        (dict(invited=500, wave=None), "one wave", 500),
    ],
)
def test_population_size_policy(kw, rows, expected):
    df = pd.DataFrame({"wave": [7] * 4 + [6] * 2, "invited": [1055] * 4 + [900] * 2,
                       "recommend": [10, 9, 3, 8, 7, 6]})  # fmt: skip
    df = df[df["wave"] == 7] if rows == "one wave" else df
    assert sections.population_size(df, sections.Settings(**kw), latest_period=False) == expected


def test_fixed_invited_number_not_applied_to_latest_wave():
    df = pd.DataFrame({"wave": [7] * 4, "recommend": [10, 9, 3, 8]})
    s = sections.Settings(invited=500, wave="wave")
    assert sections.population_size(df, s, latest_period=True) is None


# --- trend, goal, segments, follow-up -------------------------------------------


def test_no_trend_reasons():
    df = pd.DataFrame({"recommend": [10, 9, 3]})
    tr = sections.trend(df, sections.Settings(date="nope"))
    assert tr.table is None and tr.reason == "trend.none_no_column" and not tr.shown
    assert sections.goal(tr, sections.Settings()) is None
    df["responded_at"] = pd.to_datetime(["2025-01-01", "2025-01-02", "2025-01-03"])
    tr = sections.trend(df, sections.Settings())
    assert tr.reason == "trend.none_one_period" and not tr.shown
    head = sections.headline(df, sections.Settings(), tr)
    assert head.period is None and len(head.rows) == 3


def test_segment_table_merges_own_nps_and_difference_from_rest():
    df = pd.DataFrame({"seg": ["A"] * 40 + ["B"] * 40 + [None] * 6,
                       "recommend": [10] * 30 + [0] * 10 + [10] * 10 + [0] * 30 + [9] * 6})  # fmt: skip
    table, comparison = sections.segment_table(df, "seg", sections.Settings())
    assert list(table.columns) == sections.SEGMENT_COLUMNS
    a = table.set_index("group").loc["A"]
    assert a["nps"] == pytest.approx(50.0)  # 30 promoters, 10 detractors of 40
    # the rest of A: B's 40 answers (NPS -50) and the 6 blank-group 9s: 16 - 30 of 46
    assert a["difference"] == pytest.approx(50.0 - 100 * (16 - 30) / 46)
    assert bool(a["significant"])
    assert "(no answer)" in set(table["group"])


def test_followup_counts_only_the_rows_given():
    df = pd.DataFrame({"respondent_id": list("abcde"), "recommend": [2, 5, 6, 10, 8],
                       "email": ["a@x", None, "c@x", "d@x", "e@x"],
                       "responded_at": pd.to_datetime(["2020-01-01"] * 5)})  # fmt: skip
    out = sections.followup(df, sections.Settings(followup_hours=24))
    counts = dict(zip(out.counts["list"], out.counts["respondents"], strict=True))
    assert counts == {"to_contact": 3, "overdue": 3, "no_contact": 1, "to_thank": 1}
    assert out.to_contact.attrs["within_hours"] == 24
    assert sections.followup(df.drop(columns="email"), sections.Settings()) is None


# --- tables and texts ------------------------------------------------------------


def test_reader_table_marks_and_formats():
    df = pd.DataFrame({"group": ["a", "b", "c"], "n": [1200, 30, 3], "nps": [55.7, -18.1, np.nan],
                       "significant": [True, True, np.nan], "difference": [44.0, -66.8, np.nan],
                       "p": [0.0004, 0.0432, np.nan]})  # fmt: skip
    spec = [("group", "text", "group"), ("answers", "int", "n"), ("nps", "nps", "nps"),
            ("vs_rest", "marked", ("significant", "difference")), ("p_adjusted", "p", "p")]  # fmt: skip
    en = reader_table(df, spec, Texts("en"))
    assert en.values.tolist() == [
        ["a", "1,200", "56", "+44 ▲", "< 0.001"],
        ["b", "30", "-18", "-67 ▼", "0.043"],
        ["c", "3", "–", "–", "–"],
    ]
    fi = reader_table(df, spec, Texts("fi"))
    assert list(fi.columns) == [
        "ryhmä",
        "vastauksia",
        "NPS",
        "ero muihin (pistettä)",
        "p (korjattu)",
    ]
    assert fi.iloc[0].tolist() == ["a", f"1{NBSP}200", "56", "+44 ▲", "< 0,001"]
    assert "True" not in en.to_string() and "False" not in en.to_string()
    assert mark(False, 10.0) == ""


def test_babel_formats_finnish_numbers_and_dates():
    fi, en = Texts("fi"), Texts("en")
    assert fi.number(1234567.891, 1) == f"1{NBSP}234{NBSP}567,9"
    assert fi.date("2025-03-01") == "1.3.2025" and en.date("2025-03-01") == "Mar 1, 2025"
    assert fi.level(0.95) == f"95{NBSP}%" and en.level(0.9) == "90 %"
    assert fi.signed(0.2) == "0" and en.signed(-6.4) == "-6"


def _fields(text):
    return sorted(set(re.findall(r"(?<!\{)\{(\w*)[^{}]*\}(?!\})", text)))


def test_catalogues_have_the_same_keys_and_placeholders():
    en, fi = catalogue("en"), catalogue("fi")
    assert sorted(en) == sorted(fi), set(en) ^ set(fi)
    for key in en:
        assert _fields(str(en[key])) == _fields(str(fi[key])), key


def test_template_prose_comes_from_parameters():
    """No level, correction or deadline is written into the template by hand."""
    nb = nbformat.read(str(TEMPLATE), as_version=4)
    body = "\n".join(c.source for c in nb.cells if "parameters" not in c.metadata.get("tags", []))
    for literal in ("95", "Holm", "holm", "48"):
        assert literal not in body, literal
    assert not re.search(r"\d\s*%", body)
    assert not [c for c in nb.cells if c.cell_type == "markdown"]  # all prose from a catalogue


def test_headline_skips_a_suppressed_latest_period():
    # wave 3 has 2 answers: suppressed (with wave 1, the smallest other), so the
    # headline is wave 2 and no sentence reads wave 3's numbers
    df = pd.DataFrame(
        {
            "recommend": [10] * 6 + [9, 9, 0, 0, 8, 8, 7] + [0, 0],
            "wave": [1] * 6 + [2] * 7 + [3] * 2,
        }
    )
    s = sections.Settings(wave="wave", min_n=5)
    tr = sections.trend(df, s)
    assert tr.table["suppressed"].tolist() == [True, False, True]
    assert not tr.shown  # one shown wave is no trend
    head = sections.headline(df, s, tr)
    assert head.period is None and len(head.rows) == 15  # all the answers, not wave 3
    # waves of 10, 12, 8 and 2 answers: the last (2) goes with the 8 before it
    scores = [10, 9, 0, 8] * 8
    more = pd.DataFrame({"recommend": scores[:32], "wave": [1] * 10 + [2] * 12 + [3] * 8 + [4] * 2})
    tr = sections.trend(more, s)
    assert tr.table["suppressed"].tolist() == [False, False, True, True]
    assert tr.shown and (tr.latest, tr.previous) == (1, 0)
    head = sections.headline(more, s, tr)
    assert head.period == 2 and len(head.rows) == 12


# --- comments over commenters only -----------------------------------------------


def test_commenter_tags_equal_tagging_every_row():
    df = nps.example_survey("b2c-monthly").head(3000)
    assert df["comment"].isna().mean() > 0.3  # many blank comments, as in a retail survey
    lang = df["language"] if "language" in df.columns else "auto"
    full = nps.tag_themes(df["comment"], language=lang)
    got = sections.commenter_tags(df["comment"], None, lang)
    pd.testing.assert_frame_equal(got, full)


def test_comment_section_over_commenters_equals_over_everyone():
    from nps_toolkit.sentiment import theme_sentiment

    df = nps.example_survey("b2c-monthly").head(3000)
    s = sections.Settings(comment="comment", n_resamples=50, seed=3)
    got = sections.comments(df, s)
    tags = nps.tag_themes(df["comment"])
    everyone = theme_sentiment(df["comment"], tags, min_n=s.min_n)
    merged = got.impact.set_index("theme")[["share_negative", "share_positive"]]
    ref = everyone.set_index("theme").loc[merged.index, ["share_negative", "share_positive"]]
    pd.testing.assert_frame_equal(merged, ref)
    assert got.commenters == int(df["comment"].notna().sum())


def test_drivers_of_a_large_survey_come_from_duckdb_sums(monkeypatch):
    df = nps.example_survey("b2b-annual")
    s = _settings(n_resamples=100)
    small = sections.drivers(df, s)
    monkeypatch.setattr(sections, "ENGINE_ROWS", 10)
    monkeypatch.setattr(nps.drivers, "ENGINE_EXACT_ROWS", 10)
    large = sections.drivers(df, s)
    assert large.attrs["ci_method"].startswith("random-groups bootstrap")
    cols = ["driver", "importance", "share", "mean", "rank", "quadrant"]
    pd.testing.assert_frame_equal(large[cols], small[cols], rtol=1e-9)


def test_comments_suggest_themes_only_when_the_lexicon_misses_most(public_data):
    shop = pd.read_csv(public_data / "ezrsurvey_shopping_survey.csv")
    s = sections.Settings(comment="comment", n_resamples=0)
    found = sections.comments(shop, s)
    # the bundled B2B lexicon leaves over half of the shopping comments untagged
    share = found.impact.attrs["uncovered_share"]
    untagged = ~found.tags.drop(columns="language").any(axis=1) & found.tags["language"].notna()
    assert share == pytest.approx(100 * untagged.sum() / found.commenters) and share >= 50
    assert found.suggested is not None and len(found.suggested) >= 2
    assert {"theme", "label", "terms", "comments", "share"} <= set(found.suggested.columns)
    # how many theme mentions the sentiment list could not read is carried to the report
    assert 0 < found.impact.attrs["sentiment_unread"] < found.impact.attrs["sentiment_mentions"]
    b2b = nps.example_survey("b2b-annual")
    assert sections.comments(b2b, s).suggested is None  # its own domain: no suggestion
    own = sections.Settings(comment="comment", n_resamples=0, themes_model="x.json")
    assert sections._suggested(shop, own, found.impact, "auto") is None


def test_quote_scores_are_whole_numbers(b2b):
    found = sections.comments(b2b[b2b["wave"] == 7], _settings(n_resamples=0))
    quotes = found.quotes
    assert len(quotes) and str(quotes["score"].dtype) == "Int64"
    # each quote's score is the respondent's own answer
    own = b2b.set_index("comment")["recommend"]
    first = quotes.iloc[0]
    assert (
        first["score"] in set(own[own.index == first["quote"]].astype(int)) or "[" in first["quote"]
    )
    shown = reader_table(quotes, [("score", "int", "score")], Texts("en"))
    assert shown.iloc[:, 0].str.fullmatch(r"\d{1,2}").all()  # 6, never 6.0
    assert "6.0" not in quotes.to_string()


def test_no_negative_zero_in_tables():
    df = pd.DataFrame({"lo": [-0.3, -2.4], "hi": [4.2, -0.2], "nps": [-0.4, 3.0]})
    spec = [("interval", "interval", ("lo", "hi")), ("nps", "nps", "nps")]
    shown = reader_table(df, spec, Texts("en"))
    assert shown.iloc[:, 0].tolist() == ["0 to 4", "-2 to 0"]
    assert shown.iloc[:, 1].tolist() == ["0", "3"]


# --- the calls each section records, as a reviewer re-runs them ----------------


def test_recorded_calls_recompute_every_section(b2b, rerun):
    from pandas.testing import assert_frame_equal

    df = b2b
    s = _settings(segments=("tenure", "region"), method="bootstrap")
    trend = sections.trend(df, s)
    head = sections.headline(df, s, trend)
    goal = sections.goal(trend, s)
    segs = sections.segments(df, s)
    drivers = sections.drivers(df, s)
    found = sections.comments(df, s)
    ns = {"nps": nps, "sections": sections, "df": df, "s": s, "trend": trend, "head": head}

    table, progress = rerun([*trend.calls, *goal.attrs["calls"]], dict(ns))
    assert_frame_equal(table, trend.table)
    assert_frame_equal(progress, goal)

    assert head.calls[0].startswith("rows = df[df['wave'] == 7]")  # a literal, not np.int64(7)
    interval, summary, pooled = rerun(head.calls, dict(ns))
    assert (interval.low, interval.high) == (head.interval.low, head.interval.high)  # bootstrap
    assert_frame_equal(summary, head.summary)
    assert_frame_equal(pooled, head.pooled)

    again = rerun(segs.calls, dict(ns))
    assert len(again) == 4  # summarize and compare_segments per column
    assert_frame_equal(again[1], segs.comparisons["tenure"])
    assert_frame_equal(again[3], segs.comparisons["region"])
    assert "by='tenure'" in segs.calls[0] and "correction='holm'" in segs.calls[1]

    (quadrants,) = rerun(drivers.attrs["calls"], dict(ns))
    assert_frame_equal(quadrants, drivers)

    space = dict(ns)
    quotes, terms = rerun(found.calls, space)
    assert_frame_equal(space["impact"], found.impact)
    assert quotes["quote"].tolist() == found.quotes["quote"].tolist()
    assert_frame_equal(terms, found.terms)


def test_recorded_calls_name_columns_as_literals():
    text = sections.call_text("nps.summarize", sections.Code("df"), by="a'b", weights=None)
    assert text == 'nps.summarize(df, by="a\'b", weights=None)'
    long = sections.call_text("nps.f", sections.Code("df"), **{f"k{i}": "x" * 10 for i in range(8)})
    assert long.splitlines()[0] == "nps.f(" and long.splitlines()[-1] == ")"


# --- the parameters that took effect -------------------------------------------


def _all_sections(df, s):
    tr = sections.trend(df, s)
    return dict(
        trend=tr,
        goal=sections.goal(tr, s),
        segments=sections.segments(df, s),
        drivers=sections.drivers(df, s),
        comments=sections.comments(df, s),
        followup=sections.followup(sections.headline(df, s, tr).rows, s),
    )


def test_in_effect_lists_only_what_the_report_used():
    from nps_toolkit.reporting import template_parameters

    defaults = template_parameters()  # the example's driver names, comment options ...
    # a survey without drivers, comments, waves or accounts: only scores and a region
    df = nps.example_survey("b2c-monthly")[["recommend", "region", "responded_at"]]
    params = {**defaults, "data_path": "survey.csv"}
    s = sections.Settings.from_parameters(params)
    used = sections.in_effect(params, df, s, **_all_sections(df, s))
    for gone in ("drivers", "comment", "themes_mode", "language", "account", "invited", "wave",
                 "example", "n_resamples", "banners", "value_labels", "tables_dir"):  # fmt: skip
        assert gone not in used, gone
    assert used["segments"] == ["region"]  # tenure, product_line ... are not in the data
    assert used["freq"] == "QE" and used["date"] == "responded_at"  # the trend is by quarter
    for kept in ("survey_name", "score", "method", "confidence_level", "min_n", "correction"):
        assert used[kept] == params[kept], kept


def test_in_effect_keeps_the_options_of_sections_that_ran(b2b):
    from nps_toolkit.reporting import template_parameters

    params = template_parameters()  # the template's defaults are the b2b example's columns
    s = sections.Settings.from_parameters({**params, "n_resamples": 30})
    used = sections.in_effect(params, b2b, s, **_all_sections(b2b, s))
    assert used["drivers"] == params["drivers"] and used["example"] == "b2b-annual"
    assert used["wave"] == "wave" and "freq" not in used  # a trend by wave has no calendar period
    assert {"comment", "language", "account", "invited", "n_resamples", "seed"} <= set(used)
    assert "data_path" not in used and "themes" not in used  # None: the bundled lexicon


def test_methods_name_only_the_methods_used(b2b):
    from nps_toolkit.reporting import show

    t = Texts("en")
    # scores and a region only: no weights, accounts, drivers, comments; a trend by quarter
    df = nps.example_survey("b2c-monthly")[["recommend", "region", "responded_at"]]
    s = _settings(segments=("region",), wave=None, account=None, invited=None)
    found = _all_sections(df, s)
    head = sections.headline(df, s, found["trend"])
    text = show.methods_text(s, t, head=head, trend=found["trend"], segments=found["segments"],
                             drivers=found["drivers"], comments=found["comments"],
                             accounts=False)  # fmt: skip
    for absent in ("weighted", "cluster-robust", "finite-population", "Driver", "Theme impact"):
        assert absent not in text, absent
    assert "Segment intervals" in text and "Trend changes" in text
    # the b2b example: clustered by account, drivers resampled by account, themes
    s = _settings(segments=("tenure",))
    found = _all_sections(b2b, s)
    head = sections.headline(b2b, s, found["trend"])
    text = show.methods_text(s, t, head=head, trend=found["trend"], segments=found["segments"],
                             drivers=found["drivers"], comments=found["comments"],
                             accounts=True)  # fmt: skip
    assert "cluster-robust" in text and "resamples accounts" in text and "Theme impact" in text


def test_a_monthly_trend_reads_freq_m_as_me():
    df = nps.example_survey("b2c-monthly")  # "M" is what pandas < 2.2 called "ME"
    s = sections.Settings.from_parameters({"freq": "M", "wave": None, "date": "responded_at"})
    by_m = sections.trend(df, s)
    by_me = sections.trend(df, sections.Settings.from_parameters({"freq": "ME", "wave": None}))
    assert not by_m.by_wave and by_m.table["period"].astype(str).iloc[0].count("-") == 1
    pd.testing.assert_frame_equal(by_m.table, by_me.table)
