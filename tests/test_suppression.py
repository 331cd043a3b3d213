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
from nps_toolkit._suppression import (
    _top_up_lines,
    collapse_hidden,
    hidden_cells,
    hidden_groups,
    shown_rows,
)

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


# --- cross tables -----------------------------------------------------------


def _random_cross_table(rng):
    """Cell counts of a random 2- or 3-way table (keys frame, n): many small cells."""
    shape = [int(x) for x in rng.integers(2, 5, size=2)] if rng.random() < 0.8 else [2, 2, 2]
    levels = [[f"{k}{i}" for i in range(m)] for k, m in zip("abc", shape, strict=False)]
    keys = pd.DataFrame(list(itertools.product(*levels)), columns=list("abc"[: len(shape)]))
    small = rng.random(len(keys)) < 0.35
    n = np.where(small, rng.integers(0, 6, len(keys)), rng.integers(5, 40, len(keys)))
    return keys, n


def _published_margins(keys: pd.DataFrame, n, min_n) -> list[np.ndarray]:
    """The margins a reader may have, as cell sets: the total, and for every set of
    some of the keys each margin its own table (``summarize(by=those keys)``) shows."""
    out = [np.ones(len(keys), dtype=bool)]
    cols = list(keys.columns)
    for size in range(1, len(cols)):
        for subset in itertools.combinations(cols, size):
            groups = keys.groupby(list(subset)).indices  # margin -> its cells
            members = []
            for idx in groups.values():
                member = np.zeros(len(keys), dtype=bool)
                member[idx] = True
                members.append(member)
            margin_keys = pd.DataFrame(list(groups), columns=list(subset))
            margin_n = [n[m].sum() for m in members]
            shown = ~hidden_cells(margin_keys, margin_n, min_n)
            out += [m for m, ok in zip(members, shown, strict=True) if ok]
    return out


def _small_sets_a_reader_can_solve(keys, n, hidden, min_n) -> list[tuple]:
    """Sets of hidden cells, with answers but fewer than ``min_n``, in the span of what is known.

    Known: every shown cell and every published margin.  Any linear
    combination of those, with any coefficients, is known too: a set of hidden
    cells is worked out when its indicator lies in their span (over the hidden
    cells, the shown ones being known numbers).
    """
    cells = np.flatnonzero(hidden)
    if not len(cells):
        return []
    known = np.array([m[cells] for m in _published_margins(keys, n, min_n)], dtype=float)
    # projection onto the span of the known margins, restricted to the hidden cells
    proj = np.linalg.pinv(known) @ known
    found = []
    for size in range(1, len(cells) + 1):
        for subset in itertools.combinations(range(len(cells)), size):
            total = n[cells[list(subset)]].sum()
            if 0 < total < min_n:
                d = np.zeros(len(cells))
                d[list(subset)] = 1
                if np.allclose(proj @ d, d, atol=1e-8):
                    found.append(tuple(int(c) for c in cells[list(subset)]))
    return found


@pytest.mark.parametrize("trial", range(60))
def test_cross_table_leaves_no_small_set_solvable(trial):
    rng = np.random.default_rng([SEED, 1, trial])
    keys, n = _random_cross_table(rng)
    min_n = int(rng.integers(3, 9))
    hidden = hidden_cells(keys, n, min_n)
    assert (hidden | (n >= min_n)).all()  # every small cell is hidden
    if n.sum() < min_n:
        return
    solved = _small_sets_a_reader_can_solve(keys, n, hidden, min_n)
    if keys.shape[1] == 2:
        assert solved == [], (keys, n, min_n)
    else:
        # three keys: the three two-way tables published together can give a cell
        # of the three-way crossing by themselves; the cross table adds nothing to that
        nothing_shown = np.ones(len(n), dtype=bool)
        assert set(solved) <= set(_small_sets_a_reader_can_solve(keys, n, nothing_shown, min_n))


def test_lines_alone_would_leave_some_tables_open():
    # step 1 (every row and column holds none, or two or more hidden cells with
    # min_n answers) is not enough: r1 - c2 + r0 gives cells (0,1), (1,0), (1,1)
    keys = pd.DataFrame(list(itertools.product("abc", "xyz")), columns=["r", "c"])
    n = np.array([35, 1, 7, 2, 2, 39, 21, 2, 21])
    lines = [np.arange(9)] + [np.flatnonzero(keys[k] == v) for k in "rc" for v in set(keys[k])]
    step1 = _top_up_lines(n.astype(float), hidden_groups(n, 6), 6, lines)
    assert (1, 3, 4) in _small_sets_a_reader_can_solve(keys, n, step1, 6)
    audited = hidden_cells(keys, n, 6)
    assert audited.sum() > step1.sum()
    assert _small_sets_a_reader_can_solve(keys, n, audited, 6) == []


def test_the_one_way_rule_leaks_from_a_cross_table():
    # region x tenure; the margins of region and of tenure are published beside it
    keys = pd.DataFrame({"region": ["N", "N", "S", "S"], "tenure": ["new", "old"] * 2})
    n = np.array([3, 20, 20, 20])
    one_way = hidden_groups(n, 5)  # what summarize did before
    assert _small_sets_a_reader_can_solve(keys, n, one_way, 5) == [(0,)]  # 23 - 20 = 3
    assert hidden_cells(keys, n, 5).all()


def test_summarize_by_two_columns_hides_cells_by_both_margins():
    rows = [("N", "new")] * 3 + [("N", "old")] * 20 + [("S", "new")] * 20 + [("S", "old")] * 20
    df = pd.DataFrame(rows, columns=["region", "tenure"]).assign(recommend=9)
    table = nps.summarize(df, by=["region", "tenure"], min_n=5)
    assert table["suppressed"].tolist() == [True]  # one row: four cells hidden
    assert table.attrs["n_hidden"] == 4 and pd.isna(table["n"].iloc[0])
    # with one column the old rule still applies: nothing small, nothing hidden
    assert not nps.summarize(df, by="region", min_n=5)["suppressed"].any()
    # compare_segments over the same two columns hides the same four cells
    df["recommend"] = [10, 0, 9] * 21
    out = nps.compare_segments(df, ["region", "tenure"], min_n=5)
    assert out.attrs["n_hidden"] == 4 and out.attrs["n_tested"] == 0


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
