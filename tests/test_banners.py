"""Banner tables: values, bases, letters and their tests pinned to hand counts,
compare_nps, pandas and scipy."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from statsmodels.stats import proportion
from statsmodels.stats.multitest import multipletests

import nps_toolkit as nps
from nps_toolkit.banners import banner_pairs, banner_table, letters


def _group(label, promoters, passives, detractors):
    scores = [10] * promoters + [8] * passives + [2] * detractors
    return pd.DataFrame({"seg": label, "recommend": scores})


@pytest.fixture
def three_groups():
    # X: NPS 40, Y: NPS -40, Z: NPS 0, 50 answers each; total 60/30/60 of 150: NPS 0
    return pd.concat(
        [_group("X", 30, 10, 10), _group("Y", 10, 10, 30), _group("Z", 20, 10, 20)],
        ignore_index=True,
    )


def _cell(table, group, statistic="nps", banner=None):
    rows = table[(table["group"] == group) & (table["statistic"] == statistic)]
    if banner is not None:
        rows = rows[rows["banner"] == banner]
    assert len(rows) == 1
    return rows.iloc[0]


def test_letters_spreadsheet_style():
    assert letters(1) == ["A"]
    assert letters(27)[25:] == ["Z", "AA"]
    assert letters(26 + 26 * 26 + 1)[-1] == "AAA"


def test_three_groups_by_hand(three_groups):
    t = banner_table(three_groups, "seg", method="wald", correction="none")
    assert list(t.columns) == [
        "banner",
        "group",
        "letter",
        "statistic",
        "value",
        "n",
        "higher_than",
        "suppressed",
    ]
    nps_rows = t[t["statistic"] == "nps"]
    assert nps_rows["group"].tolist() == ["Total", "X", "Y", "Z"]
    assert nps_rows["letter"].tolist() == ["A", "B", "C", "D"]
    assert nps_rows["value"].tolist() == pytest.approx([0.0, 40.0, -40.0, 0.0])
    assert nps_rows["n"].tolist() == [150, 50, 50, 50]
    assert _cell(t, "X", "promoters")["value"] == pytest.approx(60.0)
    assert _cell(t, "Y", "detractors")["value"] == pytest.approx(60.0)
    assert _cell(t, "Total", "passives")["value"] == pytest.approx(20.0)

    # Wald by hand: Var X = (0.8 - 0.4^2)/50 = 0.0128, Var Y the same,
    # Var Z = 0.8/50 = 0.016.  X vs Z: z = 0.4 / sqrt(0.0288) = 2.357.
    pairs = banner_pairs(t).query("statistic == 'nps'").set_index(["letter_a", "letter_b"])
    assert pairs.loc[("B", "D"), "p_value"] == pytest.approx(
        2 * stats.norm.sf(0.4 / np.sqrt(0.0288)), rel=1e-9
    )
    assert pairs.loc[("B", "C"), "p_value"] == pytest.approx(2 * stats.norm.sf(5.0), rel=1e-9)
    # total vs X is X against Y + Z (30/20/50 of 100: NPS -20, Var 0.76/100)
    assert pairs.loc[("A", "B"), "p_value"] == pytest.approx(
        2 * stats.norm.sf(0.6 / np.sqrt(0.0128 + 0.0076)), rel=1e-9
    )
    # Z against X + Y (NPS 0 both): no difference at all
    assert pairs.loc[("A", "D"), "p_value"] == pytest.approx(1.0)
    # X beats everything, Z and the total beat Y, nobody beats X
    assert nps_rows["higher_than"].tolist() == ["C", "ACD", "", "C"]


def test_letters_agree_with_compare_nps_after_correction(rng):
    groups = ["a", "b", "c", "d"]
    probs = {
        "a": [0.2, 0.3, 0.5],
        "b": [0.35, 0.3, 0.35],
        "c": [0.1, 0.3, 0.6],
        "d": [0.2, 0.4, 0.4],
    }
    parts = []
    for g, size in zip(groups, [60, 80, 45, 70], strict=True):
        cat = rng.choice(3, size=size, p=probs[g])
        parts.append(pd.DataFrame({"seg": g, "recommend": np.array([3, 7, 10])[cat]}))
    df = pd.concat(parts, ignore_index=True)
    for correction, mt in (("bh", "fdr_bh"), ("holm", "holm")):
        t = banner_table(df, "seg", rows=["nps"], correction=correction)
        keys, p = [], []
        for i, g in enumerate(groups):
            rest = df.loc[df["seg"] != g, "recommend"]
            keys.append(("A", letters(5)[i + 1]))
            p.append(nps.compare_nps(rest, df.loc[df["seg"] == g, "recommend"]).p_value)
            for j in range(i + 1, len(groups)):
                a = df.loc[df["seg"] == g, "recommend"]
                b = df.loc[df["seg"] == groups[j], "recommend"]
                keys.append((letters(5)[i + 1], letters(5)[j + 1]))
                p.append(nps.compare_nps(a, b).p_value)
        p_adj = multipletests(p, alpha=0.05, method=mt)[1]
        pairs = banner_pairs(t).set_index(["letter_a", "letter_b"])
        assert pairs.loc[keys, "p_value"].to_numpy() == pytest.approx(np.array(p), rel=1e-9)
        assert pairs.loc[keys, "p_adjusted"].to_numpy() == pytest.approx(p_adj, rel=1e-9)
        # letters from those p-values
        value = dict(zip(t["letter"], t["value"], strict=True))
        expected = {k: set() for k in value}
        for (la, lb), q in zip(keys, p_adj, strict=True):
            if q < 0.05:
                winner, loser = (lb, la) if value[lb] > value[la] else (la, lb)
                expected[winner].add(loser)
        got = dict(zip(t["letter"], t["higher_than"], strict=True))
        assert {k: set(v) for k, v in got.items()} == expected
        assert any(got.values())  # the case has significant differences to agree on


def test_means_agree_with_groupby_and_welch(rng):
    df = pd.DataFrame(
        {
            "seg": rng.choice(["p", "q", "r"], size=240),
            "recommend": rng.integers(0, 11, size=240),
            "quality": rng.normal(7, 2, size=240).round(1),
        }
    )
    df.loc[df["seg"] == "q", "quality"] += 2.0
    df.loc[rng.choice(240, 15, replace=False), "quality"] = np.nan
    t = banner_table(df, "seg", rows=["mean:quality"], correction="none")
    means = df.groupby("seg")["quality"].mean()
    counts = df.groupby("seg")["quality"].count()
    for g in "pqr":
        cell = _cell(t, g, "mean:quality")
        assert cell["value"] == pytest.approx(means[g], rel=1e-12)
        assert cell["n"] == counts[g]
    assert _cell(t, "Total", "mean:quality")["value"] == pytest.approx(df["quality"].mean())
    pairs = banner_pairs(t).set_index(["group_a", "group_b"])
    for a, b in (("p", "q"), ("p", "r"), ("q", "r")):
        ref = stats.ttest_ind(
            df.loc[df["seg"] == b, "quality"].dropna(),
            df.loc[df["seg"] == a, "quality"].dropna(),
            equal_var=False,
        )
        assert pairs.loc[(a, b), "p_value"] == pytest.approx(ref.pvalue, rel=1e-9)
    # total vs q is q against everyone else
    ref = stats.ttest_ind(
        df.loc[df["seg"] == "q", "quality"].dropna(),
        df.loc[df["seg"] != "q", "quality"].dropna(),
        equal_var=False,
    )
    assert pairs.loc[("Total", "q"), "p_value"] == pytest.approx(ref.pvalue, rel=1e-9)
    assert set(_cell(t, "q", "mean:quality")["higher_than"]) >= {"B", "D"}


def test_shares_and_top2_against_statsmodels(three_groups):
    df = three_groups.assign(csat=np.tile([5, 4, 3, 2, 1], 30))
    t = banner_table(df, "seg", rows=["promoters", "top2:csat"], correction="none")
    pairs = banner_pairs(t).set_index(["statistic", "group_a", "group_b"])
    # promoters X 30/50 vs Y 10/50
    ref = proportion.test_proportions_2indep(10, 50, 30, 50, method="agresti-caffo")
    assert pairs.loc[("promoters", "X", "Y"), "p_value"] == pytest.approx(ref.pvalue)
    # top-2 box of a 1-5 scale: 4 and 5 = 40 % everywhere
    assert t.loc[t["statistic"] == "top2:csat", "value"].tolist() == pytest.approx([40.0] * 4)
    # an explicit scale maximum: top2 of 1-7 counts 6 and 7 only (none here)
    t7 = banner_table(df, "seg", rows=["top2:csat:7"])
    assert t7["value"].tolist() == pytest.approx([0.0] * 4)


def test_zero_share_group_is_not_certain():
    # 5 of 32 detractors against 0 of 24: plain Wald calls it p = 0.015, while
    # Fisher's exact test says 0.064; Agresti-Caffo's pseudo-answers keep it close
    df = pd.concat([_group("E", 20, 7, 5), _group("N", 20, 4, 0)], ignore_index=True)
    t = banner_table(df, "seg", rows=["detractors"], correction="none")
    p = banner_pairs(t).query("letter_a == 'B' and letter_b == 'C'")["p_value"].item()
    fisher = stats.fisher_exact([[5, 27], [0, 24]]).pvalue
    assert abs(p - fisher) < 0.01
    assert _cell(t, "E", "detractors")["higher_than"] == ""


def test_weighted_case(rng):
    n = 300
    df = pd.DataFrame(
        {
            "seg": rng.choice(["u", "v"], size=n),
            "recommend": rng.integers(0, 11, size=n),
            "quality": rng.normal(7, 2, size=n),
            "w": rng.uniform(0.5, 2.0, size=n),
        }
    )
    t = banner_table(df, "seg", rows=["nps", "promoters", "mean:quality"], weights="w")
    assert "n_effective" in t.columns
    for g in ("u", "v"):
        part = df[df["seg"] == g]
        w = part["w"].to_numpy()
        kish = w.sum() ** 2 / np.sum(w**2)
        assert _cell(t, g, "nps")["value"] == pytest.approx(nps.nps(part["recommend"], weights=w))
        promoters = (part["recommend"] >= 9).to_numpy()
        assert _cell(t, g, "promoters")["value"] == pytest.approx(
            100 * np.average(promoters, weights=w)
        )
        assert _cell(t, g, "mean:quality")["value"] == pytest.approx(
            np.average(part["quality"], weights=w)
        )
        assert _cell(t, g, "mean:quality")["n_effective"] == pytest.approx(kish)
    pairs = banner_pairs(t).set_index(["statistic", "group_a", "group_b"])

    # NPS: the two-sample z on nps_interval's weighted centre and SE
    def centre_se(part):
        r = nps.nps_interval(part["recommend"], weights=part["w"])
        ne = r.n_effective
        return r.estimate * ne / (ne + 3), r.standard_error

    (ca, sa), (cb, sb) = (centre_se(df[df["seg"] == g]) for g in ("u", "v"))
    z = (cb - ca) / np.hypot(sa, sb)
    assert pairs.loc[("nps", "u", "v"), "p_value"] == pytest.approx(2 * stats.norm.sf(abs(z)))

    # means: Welch on the linearised variance sum w^2 (y - m)^2 / (sum w)^2 * n/(n-1)
    def mean_var(part):
        w, y = part["w"].to_numpy(), part["quality"].to_numpy()
        m = np.average(y, weights=w)
        v = np.sum(w**2 * (y - m) ** 2) / w.sum() ** 2 * len(y) / (len(y) - 1)
        return m, v, w.sum() ** 2 / np.sum(w**2)

    (ma, va, na), (mb, vb, nb) = (mean_var(df[df["seg"] == g]) for g in ("u", "v"))
    tstat = (mb - ma) / np.sqrt(va + vb)
    dof = (va + vb) ** 2 / (va**2 / (na - 1) + vb**2 / (nb - 1))
    assert pairs.loc[("mean:quality", "u", "v"), "p_value"] == pytest.approx(
        2 * stats.t.sf(abs(tstat), dof), rel=1e-9
    )


def test_constant_weights_change_nothing(three_groups):
    plain = banner_table(three_groups, "seg")
    weighted = banner_table(three_groups, "seg", weights=np.full(len(three_groups), 2.5))
    pd.testing.assert_frame_equal(plain, weighted.drop(columns="n_effective"))
    assert banner_pairs(weighted)["p_value"].to_numpy() == pytest.approx(
        banner_pairs(plain)["p_value"].to_numpy(), rel=1e-9
    )


def test_small_groups_suppressed_and_not_tested(three_groups):
    df = pd.concat([three_groups, _group("tiny", 2, 1, 0), _group("W", 0, 1, 0)], ignore_index=True)
    t = banner_table(df, "seg", rows=["nps", "promoters"], min_n=5)
    # tiny (3) and W (1) hold 4 < 5 answers together: the smallest shown group
    # (X, first of the equal 50s) goes too, so none can be worked out from the total
    assert set(t["group"]) == {
        "Total",
        "Y",
        "Z",
        "3 groups hidden (fewer than 5 answers, or hidden with them)",
    }
    hidden = t[t["letter"] == ""]
    assert len(hidden) == 2 and hidden["suppressed"].all()
    assert hidden["value"].isna().all() and hidden["n"].isna().all()
    assert t.attrs["n_hidden"] == {"seg": 3}
    # letters go to the shown columns only, and the tests are among them
    assert t.loc[t["statistic"] == "nps", "letter"].tolist() == ["A", "B", "C", ""]
    tested = set(banner_pairs(t)["group_a"]) | set(banner_pairs(t)["group_b"])
    assert tested == {"Total", "Y", "Z"}


def test_group_hidden_for_one_statistic_keeps_its_column(three_groups):
    df = three_groups.assign(quality=np.where(three_groups["seg"] == "Z", np.nan, 7.0))
    df.loc[df.index[-3:], "quality"] = 8.0  # Z: 3 ratings only
    t = banner_table(df, "seg", rows=["nps", "mean:quality"], min_n=5)
    z = t[t["group"] == "Z"].set_index("statistic")
    assert not z.loc["nps", "suppressed"] and z.loc["mean:quality", "suppressed"]
    assert pd.isna(z.loc["mean:quality", "n"]) and np.isnan(z.loc["mean:quality", "value"])
    # Z's 3 ratings alone would follow from the total: the next smallest goes too
    assert t[t["statistic"] == "mean:quality"]["suppressed"].sum() == 2


def test_blank_banner_values_count_as_a_hidden_cell(three_groups):
    df = three_groups.copy()
    df.loc[:2, "seg"] = None  # 3 answers in the total only
    t = banner_table(df, "seg", rows=["nps"], min_n=5)
    assert t.attrs["blank"] == {"seg": 3}
    assert _cell(t, "Total")["n"] == 150
    # the smallest group is hidden, so the 3 cannot be worked out from the total
    assert t["suppressed"].sum() == 1 and t.attrs["n_hidden"] == {"seg": 1}


def test_several_banners_and_categorical_order(three_groups):
    df = three_groups.assign(size=pd.Categorical(["large", "small"] * 75, ["small", "large"]))
    t = banner_table(df, ["seg", "size"], rows=["nps"])
    assert t.loc[t["banner"] == "size", "group"].tolist() == ["Total", "small", "large"]
    assert t.loc[t["banner"] == "size", "letter"].tolist() == ["A", "B", "C"]


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"rows": ["median:recommend"]}, "unknown banner row"),
        ({"rows": ["mean:nothing"]}, "nothing"),
        ({"correction": "fdr_by"}, "unknown correction"),
        ({"method": "bootstrap"}, "unknown method"),
        ({"confidence_level": 95}, "confidence_level"),
        ({"weights": "nope"}, "nope"),
    ],
)
def test_bad_input(three_groups, kwargs, match):
    with pytest.raises((ValueError, KeyError), match=match):
        banner_table(three_groups, "seg", **kwargs)


def test_bad_weights_name_the_rows_by_index_label(three_groups):
    df = three_groups.set_index(three_groups.index + 1000)
    w = pd.Series(1.0, index=df.index, dtype=object)
    w[1002], w[1005] = "n/a", np.inf
    with pytest.raises(
        ValueError,
        match=r"weights column 'w' must be finite non-negative numbers; 2 bad value\(s\) "
        r"\('n/a', inf\) at index label\(s\) \[1002, 1005\]",
    ):
        banner_table(df.assign(w=w), "seg", weights="w")
    with pytest.raises(ValueError, match=r"\(-1\) at index label\(s\) \[1000\]"):
        banner_table(df, "seg", weights=np.r_[-1.0, np.ones(len(df) - 1)])
    with pytest.raises(ValueError, match="weights has length 2 but there are 150 rows"):
        banner_table(df, "seg", weights=[1.0, 1.0])
    # numbers stored as text weigh as the numbers do
    as_text = banner_table(df.assign(w="2"), "seg", rows=["nps"], weights="w")
    as_numbers = banner_table(df.assign(w=2.0), "seg", rows=["nps"], weights="w")
    pd.testing.assert_frame_equal(as_text, as_numbers)


def test_missing_banner_column(three_groups):
    with pytest.raises(KeyError, match="region"):
        banner_table(three_groups, ["seg", "region"])


def test_banner_table_from_a_parquet_file_equals_the_dataframe(tmp_path):
    rng = np.random.default_rng(5)
    n = 600
    df = pd.DataFrame(
        {
            "region": rng.choice(["N", "S", "E"], n),
            "recommend": rng.integers(0, 11, n).astype(float),
            "csat": rng.integers(1, 6, n),
            "w": rng.uniform(0.5, 2, n),
            "unused": "x",
        }
    )
    df.loc[::29, "region"] = None
    df.to_parquet(tmp_path / "s.parquet")
    kw = dict(rows=["nps", "promoters", "mean:csat", "top2:csat:5"], weights="w")
    ref = banner_table(df, "region", **kw)
    got = banner_table(str(tmp_path / "s.parquet"), "region", **kw)
    pd.testing.assert_frame_equal(got, ref)
    assert got.attrs["blank"] == ref.attrs["blank"] == {"region": int(np.ceil(n / 29))}


def test_banner_table_refuses_more_groups_than_it_can_letter(tmp_path):
    from nps_toolkit import banners

    k = banners.MAX_GROUPS + 1
    df = pd.DataFrame({"store": np.repeat(np.arange(k), 5).astype(str), "recommend": 9})
    with pytest.raises(
        ValueError, match=f"{k} groups.*limited to {banners.MAX_GROUPS}.*compare_segments"
    ):
        banner_table(df, "store")


@pytest.mark.filterwarnings("ignore::FutureWarning")  # pyspark about pandas 3
@pytest.mark.filterwarnings("ignore:The copy keyword is deprecated")
def test_spark_banner_table_equals_the_dataframe_table(spark, three_groups):
    # a Spark DataFrame: the few columns the table needs are selected on the cluster
    df = three_groups.assign(w=np.linspace(0.5, 1.5, 150), csat=np.arange(150) % 5 + 1)
    df["wide col"] = df["seg"]
    sdf = spark.createDataFrame(df)
    kw = dict(rows=["nps", "promoters", "mean:csat", "top2:csat:5"], weights="w")
    got = banner_table(sdf, ["seg", "wide col"], **kw)
    ref = banner_table(df, ["seg", "wide col"], **kw)
    pd.testing.assert_frame_equal(got, ref, rtol=1e-12)
    assert got.attrs["pairs"] == ref.attrs["pairs"]
    with pytest.raises(KeyError, match="column 'sge' not in the Spark DataFrame"):
        banner_table(sdf, "sge")
    with pytest.raises(TypeError, match="weights must be a column name"):
        banner_table(sdf, "seg", weights=np.ones(150))


# --- pandas operations and names (issue 20) ----------------------------------------


def test_table_survives_astype_merge_copy_and_concat(three_groups):
    t = banner_table(three_groups.assign(w=np.linspace(0.5, 1.5, 150)), "seg", weights="w")
    as_text = t.astype(str)  # a DataFrame in attrs made pandas fail comparing attrs here
    assert as_text["value"].map(type).eq(str).all()
    assert as_text.attrs["confidence_level"] == 0.95 and len(as_text.attrs["pairs"]) == 24
    labels = pd.DataFrame({"group": ["X", "Y", "Z"], "label": ["ex", "why", "zed"]})
    merged = t.merge(labels, on="group", how="left")
    assert merged.loc[merged["group"] == "Y", "label"].unique().tolist() == ["why"]
    copied = t.copy()
    assert copied.attrs["n_hidden"] == {"seg": 0}
    pd.testing.assert_frame_equal(banner_pairs(copied), banner_pairs(t))
    both = pd.concat([t, t], ignore_index=True)
    assert len(both) == 2 * len(t)
    assert not any(isinstance(v, pd.DataFrame) for v in t.attrs.values())


def test_banner_pairs_gives_every_test_as_a_frame(three_groups):
    t = banner_table(three_groups, "seg", rows=["nps"])
    pairs = banner_pairs(t)
    # total against each of 3 groups and the 3 pairs of groups
    assert len(pairs) == 6
    assert list(pairs.columns) == [
        "banner", "statistic", "letter_a", "letter_b", "group_a", "group_b",
        "difference", "p_value", "p_adjusted", "significant",
    ]  # fmt: skip
    with pytest.raises(ValueError, match="no attrs\\['pairs'\\]"):
        banner_pairs(pd.DataFrame(t))  # a new frame from the values drops the attrs


def test_nps_n_effective_is_the_linearised_value_not_kish(three_groups):
    w = np.where(three_groups["recommend"] >= 9, 3.0, 1.0) * np.linspace(0.5, 1.5, 150)
    t = banner_table(three_groups, "seg", rows=["nps", "promoters"], weights=w)
    x = (three_groups["seg"] == "X").to_numpy()
    linearised = nps.nps_interval(three_groups.loc[x, "recommend"], weights=w[x]).n_effective
    kish = w[x].sum() ** 2 / (w[x] ** 2).sum()
    assert _cell(t, "X")["n_effective"] == pytest.approx(linearised, rel=1e-12)
    assert abs(linearised - kish) > 1
    assert _cell(t, "X", "promoters")["n_effective"] == pytest.approx(kish, rel=1e-12)
    doc = " ".join(banner_table.__doc__.split())
    assert 'for ``"nps"`` rows the linearised effective sample size' in doc


def test_misspelled_banner_suggests_the_closest(three_groups):
    with pytest.raises(ValueError, match=r"column 'sge' not in the data; did you mean 'seg'\?"):
        banner_table(three_groups, "sge")
