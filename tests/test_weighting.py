"""Raking: weighted margins equal the targets, one variable is cell weighting by hand."""

import numpy as np
import pandas as pd
import pytest

import nps_toolkit as nps
from nps_toolkit.weighting import rake_weights, raking_diagnostics, weighting_summary

TARGETS = {
    "region": {"north": 0.3, "south": 0.3, "east": 0.4},
    "size": {"small": 0.3, "medium": 0.3, "large": 0.4},
}


@pytest.fixture
def sample(rng):
    n = 600
    return pd.DataFrame(
        {
            "region": rng.choice(["north", "south", "east"], size=n, p=[0.5, 0.3, 0.2]),
            "size": rng.choice(["small", "medium", "large"], size=n, p=[0.6, 0.3, 0.1]),
            "recommend": rng.integers(0, 11, size=n),
        },
        index=pd.RangeIndex(100, 100 + n),
    )


def _margins(df, column, w):
    valid = df[column].notna() & df[column].isin(TARGETS[column])
    return (w[valid].groupby(df.loc[valid, column]).sum() / w[valid].sum()).to_dict()


def test_weighted_margins_equal_targets(sample):
    w = rake_weights(sample, TARGETS)
    assert w.index.equals(sample.index)
    assert w.mean() == pytest.approx(1.0)
    for column, target in TARGETS.items():
        got = _margins(sample, column, w)
        assert got == pytest.approx(target, abs=1e-8)
    diag = raking_diagnostics(w)
    assert diag["variable"].tolist() == ["region", "size"]
    assert diag["n_outside"].tolist() == [0, 0]
    assert (diag["max_error"] <= 1e-8).all()


def test_one_variable_is_cell_weighting_by_hand():
    # 6 north, 3 south, 1 east; targets 1/3 each: w = target / sample share
    df = pd.DataFrame({"region": ["north"] * 6 + ["south"] * 3 + ["east"]})
    w = rake_weights(df, {"region": {"north": 1 / 3, "south": 1 / 3, "east": 1 / 3}})
    expected = [(1 / 3) / 0.6] * 6 + [(1 / 3) / 0.3] * 3 + [(1 / 3) / 0.1]
    assert w.tolist() == pytest.approx(expected, rel=1e-12)


def test_base_weights_cell_weighting_by_hand():
    df = pd.DataFrame({"g": ["a", "a", "b", "b"], "base": [1.0, 3.0, 2.0, 2.0]})
    w = rake_weights(df, {"g": {"a": 0.25, "b": 0.75}}, base_weights="base")
    # a has base total 4 of 8 -> factor 0.25/0.5; b 4 of 8 -> 0.75/0.5
    raw = np.array([1 * 0.5, 3 * 0.5, 2 * 1.5, 2 * 1.5])
    assert w.tolist() == pytest.approx((raw / raw.mean()).tolist())


def test_missing_and_other_values_keep_their_base_weight(sample):
    df = sample.copy()
    df.loc[df.index[:20], "region"] = None
    df.loc[df.index[20:25], "region"] = "abroad"
    base = np.linspace(0.5, 1.5, len(df))
    w = rake_weights(df, {"region": TARGETS["region"]}, base_weights=base)
    outside = df["region"].isna() | (df["region"] == "abroad")
    ratio = w[outside] / base[outside.to_numpy()]
    assert ratio.to_numpy() == pytest.approx(np.full(outside.sum(), ratio.iloc[0]))
    assert _margins(df, "region", w) == pytest.approx(TARGETS["region"], abs=1e-8)
    assert raking_diagnostics(w)["n_outside"].tolist() == [25]


def test_numbers_in_data_match_text_targets():
    df = pd.DataFrame({"band": [1, 1, 1, 2]})
    w = rake_weights(df, {"band": {"1": 0.5, "2": 0.5}})
    assert w.tolist() == pytest.approx([2 / 3] * 3 + [2.0])


def test_trim_caps_and_rerakes(sample):
    # "large" is 10 % of the sample and 40 % of the population: weights >= 4 needed
    w = rake_weights(sample, TARGETS, trim=(0.2, 6.0), max_iter=1000)
    assert w.min() >= 0.2 - 1e-6 and w.max() <= 6.0 + 1e-6
    untrimmed = rake_weights(sample, TARGETS)
    assert untrimmed.max() > 6.0  # the caps did something
    for column, target in TARGETS.items():
        assert _margins(sample, column, w) == pytest.approx(target, abs=1e-8)


def test_weights_work_in_the_toolkit(sample):
    w = rake_weights(sample, TARGETS)
    weighted = nps.nps(sample["recommend"], weights=w)
    by_hand = (
        100 * (w[sample["recommend"] >= 9].sum() - w[sample["recommend"] <= 6].sum()) / w.sum()
    )
    assert weighted == pytest.approx(by_hand)


def test_shares_must_sum_to_one(sample):
    with pytest.raises(ValueError, match="sum to 0.9"):
        rake_weights(sample, {"region": {"north": 0.3, "south": 0.3, "east": 0.3}})
    with pytest.raises(ValueError, match="not percentages"):
        rake_weights(sample, {"region": {"north": 30, "south": 30, "east": 40}})


def test_absent_category_and_bad_columns(sample):
    with pytest.raises(ValueError, match="west"):
        rake_weights(sample, {"region": {"north": 0.5, "west": 0.5}})
    with pytest.raises(KeyError, match="tenure"):
        rake_weights(sample, {"tenure": {"new": 1.0}})
    with pytest.raises(
        ValueError,
        match=r"base_weights must be finite positive numbers; 1 bad value\(s\) \(0\) "
        r"at index label\(s\) \[100\]",
    ):
        rake_weights(sample, TARGETS, base_weights=np.r_[0.0, np.ones(len(sample) - 1)])
    with pytest.raises(ValueError, match="trim"):
        rake_weights(sample, TARGETS, trim=(2, 3))


def test_bad_base_weights_name_the_rows_by_index_label(sample):
    # text in a weight column is refused like a blank, naming the rows' index labels
    design = pd.Series(1.0, index=sample.index, dtype=object)
    design[101], design[103] = "heavy", -1.0
    df = sample.assign(design=design)
    with pytest.raises(
        ValueError,
        match=r"base_weights column 'design' must be finite positive numbers; 2 bad value\(s\) "
        r"\('heavy', -1\) at index label\(s\) \[101, 103\]",
    ):
        rake_weights(df, TARGETS, base_weights="design")
    with pytest.raises(KeyError, match=r"base_weights column 'nope' not in the data"):
        rake_weights(sample, TARGETS, base_weights="nope")
    with pytest.raises(ValueError, match="base_weights has length 3 but there are 600 rows"):
        rake_weights(sample, TARGETS, base_weights=[1.0, 2.0, 3.0])
    # numbers stored as text are numbers: the same weights as the numeric column
    by_text = rake_weights(df.assign(design="2"), TARGETS, base_weights="design")
    assert by_text.tolist() == rake_weights(sample, TARGETS).tolist()


def test_non_convergence_names_the_variables(sample):
    with pytest.raises(ValueError, match=r"did not converge in 1 iterations.*'region'"):
        rake_weights(sample, TARGETS, max_iter=1)
    with pytest.raises(ValueError, match="caps too tight"):
        rake_weights(sample, TARGETS, trim=(0.9, 1.1))


def test_weighting_summary_by_hand():
    # weights 1, 1, 2, 4: sum 8, sum of squares 22 -> n_eff 64/22
    s = weighting_summary([1, 1, 2, 4])
    row = s.iloc[0]
    assert list(s.columns) == [
        "n",
        "n_effective",
        "efficiency",
        "design_effect",
        "min",
        "max",
        "cv",
    ]
    assert row["n"] == 4
    assert row["n_effective"] == pytest.approx(64 / 22)
    assert row["efficiency"] == pytest.approx(100 * 64 / 22 / 4)
    assert row["design_effect"] == pytest.approx(4 * 22 / 64)
    assert row["min"] == pytest.approx(0.5) and row["max"] == pytest.approx(2.0)
    assert row["design_effect"] == pytest.approx(1 + row["cv"] ** 2)  # Kish: deff = 1 + cv^2
    with pytest.raises(ValueError, match=r"position\(s\) \[1\]"):
        weighting_summary([1, -1])
    with pytest.raises(ValueError, match=r"\('x'\) at index label\(s\) \['b'\]"):
        weighting_summary(pd.Series([1, "x"], index=["a", "b"]))


def test_docstring_says_r_stops_where_we_keep_and_count_rows_outside():
    # the behaviour is pinned by test_missing_and_other_values_keep_their_base_weight;
    # the docstring must not claim R's survey::rake does the same (it stops on such rows)
    doc = " ".join(rake_weights.__doc__.split())
    assert "R's ``survey::rake`` does not do this: it stops on such rows" in doc
    assert "Strata in sample absent from population" in doc
    assert "``n_outside`` counts them" in doc


def test_misspelled_target_column_suggests_the_closest(sample):
    with pytest.raises(ValueError, match=r"raking target column 'regoin' not in the data; "
                       r"did you mean 'region'\?"):  # fmt: skip
        rake_weights(sample, {"regoin": {"north": 1.0}})


def test_weights_of_two_waves_concatenate_with_their_diagnostics(sample):
    first, second = sample.iloc[:300], sample.iloc[300:]
    w1, w2 = (rake_weights(part, TARGETS) for part in (first, second))
    both = pd.concat([w1, w2])  # a DataFrame in attrs made pandas fail comparing them
    assert both.index.equals(sample.index)
    side = pd.concat([w1.to_frame("w"), w1.to_frame("v")], axis=1)
    assert side.shape == (300, 2)
    assert raking_diagnostics(w1.copy())["variable"].tolist() == ["region", "size"]
    assert not any(isinstance(v, pd.DataFrame) for v in w1.attrs.values())
    with pytest.raises(ValueError, match="pass the Series rake_weights returned"):
        raking_diagnostics(pd.Series([1.0, 2.0]))
