"""Tests for the small-group rule (nps_toolkit._suppression) and its use in every table.

The rule is checked by brute force: from what a table publishes (the overall
counts and the shown groups' counts), every set of answers that can be worked
out by adding and subtracting holds either no hidden answer or at least
``min_n`` answers.
"""

import itertools

import numpy as np
import pandas as pd
import pytest

import nps_toolkit as nps
from nps_toolkit._suppression import collapse_hidden, hidden_groups, shown_rows

SEED = 20261201


def _derivable_sets(published: list[frozenset], everyone: frozenset):
    """Every set of groups a reader gets exactly by adding and subtracting published sets.

    ``published`` are the groups (as sets of group positions) whose counts a
    table shows; the total is always published.  A combination with
    coefficients -1, 0, 1 is a set of groups when every group is counted
    zero or one times.
    """
    sets = [everyone, *published]
    out = set()
    for coef in itertools.product((-1, 0, 1), repeat=len(sets)):
        count = dict.fromkeys(everyone, 0)
        for c, members in zip(coef, sets, strict=True):
            for g in members:
                count[g] += c
        if all(v in (0, 1) for v in count.values()):
            derived = frozenset(g for g, v in count.items() if v == 1)
            if derived:
                out.add(derived)
    return out


def _check_nothing_small_is_derivable(n, hidden, min_n):
    everyone = frozenset(range(len(n)))
    shown = [frozenset([i]) for i in range(len(n)) if not hidden[i]]
    for derived in _derivable_sets(shown, everyone):
        if sum(n[i] for i in derived if hidden[i]) > 0:  # it holds hidden answers
            assert sum(n[i] for i in derived) >= min_n, (n, hidden, derived)


@pytest.mark.parametrize("trial", range(60))
def test_rule_leaves_no_small_set_derivable_brute_force(trial):
    rng = np.random.default_rng([SEED, trial])
    k = int(rng.integers(2, 7))
    n = rng.integers(0, 14, size=k)
    min_n = int(rng.integers(1, 8))
    hidden = hidden_groups(n, min_n)
    assert (hidden | (n >= min_n)).all()  # every small group is hidden
    held = n[hidden].sum()
    assert held == 0 or held >= min_n or hidden.all()
    if n.sum() >= min_n:  # a report of fewer than min_n answers is refused before this
        _check_nothing_small_is_derivable(n, hidden, min_n)


def test_the_old_rule_would_have_leaked():
    # two groups of 2 (min_n 5): hiding only them leaves their 4 answers derivable
    n = np.array([2, 2, 6, 30, 40])
    only_small = n < 5
    everyone = frozenset(range(5))
    shown = [frozenset([i]) for i in range(5) if not only_small[i]]
    assert frozenset({0, 1}) in _derivable_sets(shown, everyone)
    assert hidden_groups(n, 5).tolist() == [True, True, True, False, False]
    _check_nothing_small_is_derivable(n, hidden_groups(n, 5), 5)


def _two_small_groups():
    """A (2) and B (2) answers, C (6), D (30), E (40): A and B hide C with them."""
    sizes = {"A": 2, "B": 2, "C": 6, "D": 30, "E": 40}
    scores = {
        "A": [10, 10],
        "B": [10, 9],
        "C": [0] * 6,
        "D": [10] * 20 + [8] * 10,
        "E": [10] * 13 + [8] * 27,
    }
    rows = [(g, s) for g in sizes for s in scores[g]]
    return pd.DataFrame(rows, columns=["seg", "recommend"])


def _published_pd(table, overall):
    """Promoters minus detractors of the total and of every shown row."""
    shown = table[~table["suppressed"].astype(bool)]
    values = [int(overall.promoters - overall.detractors)]
    values += [int(p - d) for p, d in zip(shown["promoters"], shown["detractors"], strict=True)]
    return values


def test_summarize_two_small_groups_cannot_be_worked_out():
    df = _two_small_groups()
    overall = nps.summarize(df, min_n=1).iloc[0]
    table = nps.summarize(df, by="seg", min_n=5)
    assert table["seg"].tolist() == [
        "D",
        "E",
        "3 groups hidden (fewer than 5 answers, or hidden with them)",
    ]
    hidden = table.iloc[-1]
    assert pd.isna(hidden["n"]) and pd.isna(hidden["promoters"]) and pd.isna(hidden["nps"])
    # A and B together: 4 promoters, no detractors -> promoters - detractors = 4
    secret = 4
    values = _published_pd(table, overall)
    combos = {
        sum(c * v for c, v in zip(coef, values, strict=True))
        for coef in itertools.product((-1, 0, 1), repeat=len(values))
    }
    assert secret not in combos and -secret not in combos
    # the published numbers give only the union of A, B and C (10 answers, p - d = -2)
    total_n = int(overall.n)
    assert total_n - table["n"].iloc[:2].sum() == 10 >= 5
    # with C shown (the old rule) the secret follows by subtraction
    c_shown = values + [-6]
    assert c_shown[0] - sum(c_shown[1:]) == secret


def test_compare_segments_hides_the_same_groups_without_names():
    df = _two_small_groups()
    out = nps.compare_segments(df, "seg", min_n=5)
    own = nps.summarize(df, by="seg", min_n=5)
    assert out["seg"].tolist() == own["seg"].tolist()
    assert not out["seg"].isin(["A", "B", "C"]).any()
    assert out.attrs["n_hidden"] == 3 and out.attrs["n_tested"] == 2
    assert out.iloc[-1][["n", "nps", "difference", "p_value"]].isna().all()


def test_report_tables_show_dashes_and_no_label(tmp_path):
    from nps_toolkit import reporting as report
    from nps_toolkit.reporting import sections

    df = _two_small_groups()
    s = sections.Settings(segments=("seg",), min_n=5)
    segs = sections.segments(df, s)
    table = segs.tables["seg"]
    assert table["group"].tolist()[:2] == ["D", "E"] and len(table) == 3
    last = table.iloc[-1]
    assert last["group"].startswith("3 groups hidden") and pd.isna(last["n"])
    report.write_tables({"segments": segs.table}, tmp_path)
    import csv

    with open(tmp_path / "summary.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    groups = [r["group"] for r in rows]
    assert not {"A", "B", "C"} & set(groups)
    assert rows[-1]["n"] == "" and rows[-1]["nps"] == ""

    from nps_toolkit.reporting.show import SEGMENT_SPEC
    from nps_toolkit.reporting.tables import reader_table

    shown = reader_table(table, SEGMENT_SPEC, s.texts)
    assert shown.iloc[-1].tolist()[1:] == ["\u2013"] * (len(SEGMENT_SPEC) - 1)


def test_trend_periods_of_one_or_two_answers_are_suppressed_and_skipped():
    sizes = [40, 3, 2, 50, 60]  # waves 2 and 3 hold 5 answers together: enough
    rng = np.random.default_rng(SEED)
    df = pd.DataFrame(
        {
            "wave": np.repeat([1, 2, 3, 4, 5], sizes),
            "recommend": rng.integers(0, 11, sum(sizes)),
        }
    )
    t = nps.nps_trend(df, wave="wave", min_n=5)
    assert t["suppressed"].tolist() == [False, True, True, False, False]
    assert t.loc[1:2, ["nps", "ci_low", "promoters", "pct_promoters"]].isna().all().all()
    assert t["n"].tolist() == sizes  # a period keeps its label and n
    # no change to or from a suppressed wave: wave 4 is compared with wave 1
    assert t["change"].isna().tolist() == [True, True, True, False, False]
    assert t["compared_to"].tolist()[3:] == [1, 4]
    counts = [
        tuple(np.bincount(np.digitize(df.loc[df["wave"] == w, "recommend"], [7, 9]), minlength=3))
        for w in (1, 4)
    ]
    ref = nps.compare_nps(counts_a=counts[0], counts_b=counts[1])
    assert t["change"].iat[3] == pytest.approx(ref.difference)
    assert t["change_p_value"].iat[3] == pytest.approx(ref.p_value)
    # a single wave of 1 answer is suppressed with the smallest other wave
    one = df[df["wave"] != 2]
    t1 = nps.nps_trend(one[~((one["wave"] == 3) & one.duplicated("wave"))], wave="wave", min_n=5)
    assert t1["n"].tolist() == [40, 1, 50, 60]
    assert t1["suppressed"].tolist() == [True, True, False, False]
    _check_nothing_small_is_derivable(t1["n"].to_numpy(), t1["suppressed"].to_numpy(), 5)
    # goal tracking starts from the first shown period
    g = nps.goal_progress(t1)
    assert g.attrs["baseline"] == 4


def test_theme_mentioned_once_shows_no_nps():
    df = pd.DataFrame({"recommend": [10, 9, 0, 8, 7, 10, 3, 9, 10, 6]})
    tags = pd.DataFrame(
        {
            "price": [True] + [False] * 9,  # mentioned once
            "quality": [True] * 5 + [False] * 5,
            "support": [True] * 7 + [False] * 3,  # its rest (3) is the small group
            "language": "en",
        }
    )
    out = nps.theme_impact(df, tags, n_resamples=50, rng=SEED, min_n=5).set_index("theme")
    cols = ["nps_mentioning", "nps_rest", "impact", "ci_low", "ci_high"]
    assert out.loc["price", cols].isna().all() and bool(out.loc["price", "suppressed"])
    assert out.loc["price", "mentions"] == 1
    assert out.loc["support", cols].isna().all() and bool(out.loc["support", "suppressed"])
    quality = out.loc["quality"]
    assert not quality["suppressed"]
    assert quality["nps_mentioning"] == pytest.approx(nps.nps([10, 9, 0, 8, 7]))
    assert quality["nps_rest"] == pytest.approx(nps.nps([10, 3, 9, 10, 6]))


def test_collapse_keeps_order_and_attrs_and_no_hidden_is_unchanged():
    t = pd.DataFrame({"seg": [3, 1, 2], "n": [10, 2, 4], "suppressed": [False, True, True]})
    t.attrs["min_n"] = 5
    out = collapse_hidden(t, ["seg"], t["suppressed"].to_numpy(), 5)
    assert out["seg"].tolist() == [3, "2 groups hidden (fewer than 5 answers, or hidden with them)"]
    assert out.attrs["min_n"] == 5 and out.attrs["n_hidden"] == 2
    same = collapse_hidden(t, ["seg"], np.zeros(3, bool), 5)
    pd.testing.assert_frame_equal(same, t)
    assert shown_rows(pd.DataFrame({"n": [0, 5], "suppressed": [False, False]})).tolist() == [1]
