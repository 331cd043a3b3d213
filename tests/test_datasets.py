"""Example surveys: contract, determinism and recovery of the documented truth."""

import re

import numpy as np
import pandas as pd
import pytest

import nps_toolkit as nps
from nps_toolkit.datasets import (
    B2B_DRIVERS,
    THEMES,
    TRUTH,
    available_examples,
    example_survey,
    write_example,
)

SEED_OTHER = 20261123


@pytest.fixture(scope="module")
def b2b():
    return example_survey("b2b-annual")


@pytest.fixture(scope="module")
def b2c():
    return example_survey("b2c-monthly")


# --- names, errors, determinism ------------------------------------------------


def test_available_examples():
    assert available_examples() == ["b2b-annual", "b2c-monthly"]


def test_unknown_name_lists_valid_ones():
    with pytest.raises(ValueError, match=r"unknown example survey 'b2b'.*b2b-annual.*b2c-monthly"):
        example_survey("b2b")


@pytest.mark.parametrize("name", ["b2b-annual", "b2c-monthly"])
def test_same_seed_same_frame_other_seed_other_frame(name):
    a = example_survey(name, seed=3)
    b = example_survey(name, seed=3)
    pd.testing.assert_frame_equal(a, b)
    c = example_survey(name, seed=4)
    assert not a["recommend"].equals(c["recommend"])


def test_write_example_roundtrip(tmp_path):
    out = write_example("b2b-annual", tmp_path / "sub" / "b2b.csv", seed=1)
    back = pd.read_csv(out, encoding="utf-8")
    df = example_survey("b2b-annual", seed=1)
    assert len(back) == len(df)
    assert list(back.columns) == list(df.columns)
    np.testing.assert_array_equal(back["recommend"].to_numpy(), df["recommend"].to_numpy())
    # Finnish letters survive the UTF-8 round trip
    assert back["comment"].dropna().str.contains("ä").any()


# --- b2b-annual -----------------------------------------------------------------


def test_b2b_columns_and_dtypes(b2b):
    expected = [
        "respondent_id",
        "panel_id",
        "account_id",
        "wave",
        "year",
        "responded_at",
        "recommend",
        "tenure",
        "product_line",
        "region",
        "support_channel",
        *B2B_DRIVERS,
        "comment",
        "language",
        "comment_theme",
        "comment_sentiment",
        "comment_pii",
        "email",
        "invited",
    ]
    assert list(b2b.columns) == expected
    assert b2b["respondent_id"].is_unique
    assert pd.api.types.is_integer_dtype(b2b["wave"])
    assert pd.api.types.is_integer_dtype(b2b["year"])
    assert pd.api.types.is_integer_dtype(b2b["invited"])
    assert pd.api.types.is_datetime64_any_dtype(b2b["responded_at"])
    for col in ["recommend", *B2B_DRIVERS]:
        assert b2b[col].dtype == np.float64
        values = b2b[col].dropna()
        assert values.between(0, 10).all() and (values == values.round()).all()
    for col in ["respondent_id", "account_id", "tenure", "comment", "language", "email"]:
        assert pd.api.types.is_string_dtype(b2b[col]), col
    assert set(b2b["wave"]) == set(range(1, 8))
    assert (b2b["year"] == 2018 + b2b["wave"]).all()
    assert (b2b["responded_at"].dt.year == b2b["year"]).all()
    assert set(b2b["tenure"]) == {"new", "long-term", "at-risk"}
    assert b2b["product_line"].nunique() == 3
    assert b2b["region"].nunique() == 4
    assert set(b2b["support_channel"]) == {"phone", "email", "portal"}
    assert set(b2b["language"].dropna()) == {"fi", "en"}
    # reserved example domains only (RFC 2606): no real person can be mailed
    assert b2b["email"].str.fullmatch(r"[a-z]+\.\d+@example\.(net|com)").all()


def test_b2b_wave_sizes(b2b):
    per_wave = b2b.groupby("wave").agg(
        invited=("invited", "first"),
        invited_values=("invited", "nunique"),
        n=("respondent_id", "size"),
        accounts=("account_id", "nunique"),
    )
    assert (per_wave["invited_values"] == 1).all()  # constant within a wave
    assert per_wave["invited"].tolist() == list(TRUTH["b2b-annual"]["invited"])
    assert per_wave["n"].tolist() == list(TRUTH["b2b-annual"]["responses"])
    assert per_wave["accounts"].tolist() == list(TRUTH["b2b-annual"]["accounts"])
    last = per_wave.loc[7]
    assert (last["invited"], last["n"], last["accounts"]) == (1055, 180, 131)
    assert 1100 <= len(b2b) <= 1300
    # several respondents per account in the last wave
    sizes = b2b[b2b["wave"] == 7].groupby("account_id").size()
    assert sizes.max() >= 3 and (sizes >= 2).sum() >= 20


@pytest.mark.parametrize("seed", [0, SEED_OTHER])
def test_b2b_nps_rises_to_56(seed):
    df = example_survey("b2b-annual", seed=seed)
    by_wave = np.array([nps.nps(g["recommend"]) for _, g in df.groupby("wave")])
    # the wave intercept is tuned: within one respondent (100/176 < 0.6) of target
    np.testing.assert_allclose(by_wave, TRUTH["b2b-annual"]["nps_by_wave"], atol=0.7)
    assert abs(by_wave[-1] - 56) < 1
    assert (np.diff(by_wave) > 0).all()
    assert by_wave[0] < 25


def test_b2b_blanks(b2b):
    blank = b2b["recommend"].isna().mean()
    assert 0.005 < blank < 0.03
    driver_blank = b2b[list(B2B_DRIVERS)].isna().mean()
    assert (driver_blank > 0.005).all() and (driver_blank < 0.04).all()


def _icc_oneway(values: pd.Series, groups: pd.Series) -> float:
    """ICC(1) from a one-way ANOVA with unequal group sizes (Searle's n0)."""
    frame = pd.DataFrame({"y": values, "g": groups}).dropna()
    grouped = frame.groupby("g")["y"]
    k = grouped.size()
    n_total, n_groups = k.sum(), len(k)
    ss_between = (k * (grouped.mean() - frame["y"].mean()) ** 2).sum()
    ss_within = ((frame["y"] - grouped.transform("mean")) ** 2).sum()
    ms_between = ss_between / (n_groups - 1)
    ms_within = ss_within / (n_total - n_groups)
    n0 = (n_total - (k**2).sum() / n_total) / (n_groups - 1)
    return (ms_between - ms_within) / (ms_between + (n0 - 1) * ms_within)


def test_icc_helper_on_hand_example():
    # two groups {1, 3} and {5, 7}: MSB = 16, MSW = 2, n0 = 2 -> ICC = 14/18
    icc = _icc_oneway(pd.Series([1.0, 3, 5, 7]), pd.Series(["a", "a", "b", "b"]))
    assert icc == pytest.approx(14 / 18)


def test_b2b_answers_correlated_within_account(b2b):
    icc = _icc_oneway(b2b["recommend"], b2b["account_id"] + "-" + b2b["wave"].astype(str))
    assert icc > 0.08
    # control: the same estimate with accounts shuffled is near zero
    rng = np.random.default_rng(SEED_OTHER)
    shuffled = pd.Series(rng.permutation(b2b["account_id"].to_numpy()))
    icc_null = _icc_oneway(b2b["recommend"], shuffled + "-" + b2b["wave"].astype(str))
    assert abs(icc_null) < 0.05
    assert icc > icc_null + 0.06


def _ols_betas(df: pd.DataFrame) -> np.ndarray:
    """Standardised OLS coefficients of recommend on the seven drivers (complete rows)."""
    d = df.dropna(subset=["recommend", *B2B_DRIVERS])
    x = d[list(B2B_DRIVERS)].to_numpy()
    x = (x - x.mean(axis=0)) / x.std(axis=0)
    design = np.column_stack([np.ones(len(x)), x])
    return np.linalg.lstsq(design, d["recommend"].to_numpy(), rcond=None)[0][1:]


def test_truth_driver_order_is_sorted_weights():
    weights = TRUTH["b2b-annual"]["driver_weights"]
    assert set(weights) == set(B2B_DRIVERS)
    assert len(set(weights.values())) == len(weights)  # distinct
    order = TRUTH["b2b-annual"]["driver_order"]
    assert [weights[d] for d in order] == sorted(weights.values(), reverse=True)


@pytest.mark.parametrize("seed", [0, 1, 2, 3, SEED_OTHER])
def test_ols_recovers_driver_order(seed):
    from scipy.stats import spearmanr

    beta = _ols_betas(example_survey("b2b-annual", seed=seed))
    truth = TRUTH["b2b-annual"]["driver_weights"]
    weights = np.array([truth[d] for d in B2B_DRIVERS])
    order = tuple(np.array(B2B_DRIVERS)[np.argsort(-beta)])
    assert order[:3] == TRUTH["b2b-annual"]["driver_order"][:3]
    assert spearmanr(beta, weights).statistic > 0.85
    # rounding and the ceiling at 10 shrink the effects, but not by half
    assert np.all(beta[weights >= 0.3] > 0.5 * weights[weights >= 0.3])


def _shapley_r2(df: pd.DataFrame) -> np.ndarray:
    """Brute-force Shapley decomposition of R^2: every subset of drivers, exact weights."""
    from itertools import combinations
    from math import factorial

    d = df.dropna(subset=["recommend", *B2B_DRIVERS])
    y = d["recommend"].to_numpy()
    x = d[list(B2B_DRIVERS)].to_numpy()
    k = x.shape[1]

    def r2(subset):
        if not subset:
            return 0.0
        design = np.column_stack([np.ones(len(y)), x[:, list(subset)]])
        resid = y - design @ np.linalg.lstsq(design, y, rcond=None)[0]
        return 1.0 - resid.var() / y.var()

    fit = {s: r2(s) for m in range(k + 1) for s in combinations(range(k), m)}
    value = np.zeros(k)
    for j in range(k):
        for s, r2_s in fit.items():
            if j not in s:
                with_j = tuple(sorted((*s, j)))
                share = factorial(len(s)) * factorial(k - len(s) - 1) / factorial(k)
                value[j] += share * (fit[with_j] - r2_s)
    return value


def _ols(d: pd.DataFrame) -> np.ndarray:
    design = np.column_stack([np.ones(len(d)), d[list(B2B_DRIVERS)]])
    return np.linalg.lstsq(design, d["recommend"].to_numpy(), rcond=None)[0]


def test_shapley_recovers_top3_drivers(b2b):
    value = _shapley_r2(b2b)
    # efficiency: the Shapley values add up to the full model's R^2
    d = b2b.dropna(subset=["recommend", *B2B_DRIVERS])
    full_r2 = (
        np.corrcoef(
            d["recommend"], np.column_stack([np.ones(len(d)), d[list(B2B_DRIVERS)]]) @ _ols(d)
        )[0, 1]
        ** 2
    )
    assert value.sum() == pytest.approx(full_r2)
    order = tuple(np.array(B2B_DRIVERS)[np.argsort(-value)])
    assert order[:3] == TRUTH["b2b-annual"]["driver_order"][:3]
    assert 0.5 < value.sum() < 0.8  # strong but not perfect signal


def test_drivers_correlated_a_bit(b2b):
    corr = b2b[list(B2B_DRIVERS)].corr().to_numpy()
    off = corr[~np.eye(len(B2B_DRIVERS), dtype=bool)]
    assert 0.15 < off.min() and off.max() < 0.5
    assert 0.2 < off.mean() < 0.4


def test_b2b_segments(b2b):
    by_tenure = {t: nps.nps(g["recommend"]) for t, g in b2b.groupby("tenure")}
    assert by_tenure["at-risk"] < by_tenure["long-term"] - 30
    assert by_tenure["at-risk"] < by_tenure["new"] - 30


def test_b2b_region_has_no_effect_product_line_does(b2b):
    from scipy.stats import chi2_contingency

    answered = b2b.dropna(subset=["recommend"])
    category = nps.classify(answered["recommend"]).to_numpy()
    # region: no effect in the truth, so no evidence of one at seed 0
    assert chi2_contingency(pd.crosstab(answered["region"], category)).pvalue > 0.01
    by_line = {p: nps.nps(g["recommend"]) for p, g in answered.groupby("product_line")}
    effect = TRUTH["b2b-annual"]["product_line_effect"]
    best, worst = max(effect, key=effect.get), min(effect, key=effect.get)
    assert by_line[best] > by_line[worst]


def test_csv_loads_back_with_load_survey(tmp_path):
    path = write_example("b2b-annual", tmp_path / "b2b.csv")
    loaded = nps.load_survey(path)
    df = example_survey("b2b-annual")
    pd.testing.assert_frame_equal(
        loaded.reset_index(drop=True), df, check_dtype=False, check_index_type=False
    )
    assert loaded.attrs["excluded_blank"] == df["recommend"].isna().sum()


def test_b2b_panel_members_recur_in_consecutive_waves(b2b):
    shares = []
    for w in range(2, 8):
        previous = set(b2b.loc[b2b["wave"] == w - 1, "panel_id"])
        shares.append(b2b.loc[b2b["wave"] == w, "panel_id"].isin(previous).mean())
    assert 0.3 < np.mean(shares) < 0.5
    # one panel_id answers at most once per wave, always for the same account
    assert not b2b.duplicated(["panel_id", "wave"]).any()
    assert (b2b.groupby("panel_id")["account_id"].nunique() == 1).all()
    # panel members' answers correlate across consecutive waves
    pairs = b2b[b2b["wave"] == 6].merge(b2b[b2b["wave"] == 7], on="panel_id", suffixes=("_6", "_7"))
    assert len(pairs) > 40
    assert pairs[["recommend_6", "recommend_7"]].corr().iloc[0, 1] > 0.15


def test_b2b_comment_rates(b2b):
    has = b2b["comment"].notna()
    assert 0.5 < has.mean() < 0.7
    assert (has == b2b["language"].notna()).all()
    assert (has == b2b["comment_theme"].notna()).all()
    assert 0.5 < (b2b["language"] == "fi").sum() / has.sum() < 0.7
    assert set(b2b["comment_theme"].dropna()) == set(THEMES)


_KEYWORDS = {
    "communication": r"viestin|yhteydenpito|tiedottam|communicat|informed",
    "response_speed": r"vasteaj|vasteai|nopea|hitaasti|odottamaan|quick|fast|slow|days to get",
    "follow_up": r"seuran|palata|palataan|follow",
    "meeting_expectations": r"odotu|lupauks|expectation|promised",
    "personal_attention": r"henkilökoh|yhteyshenkilö|personal|account manager",
    "price": r"hint|hinn|expensive|pric|value for money",
    "quality": r"laatu|laadu|laadukas|quality",
    "support": r"tuki|tuesta|tukeen|asiakaspalvelu|support|customer service|helpdesk",
    "ease_of_use": r"käyt|helppo|portaali|\bportal\b|to use|user-friendly|interface|intuitive",
}


def test_every_template_names_its_own_theme_and_no_other():
    from nps_toolkit.datasets import _CLOSINGS, _TEMPLATES

    assert {theme for _, theme, _ in _TEMPLATES} == set(THEMES)
    for (language, theme, sentiment), texts in _TEMPLATES.items():
        assert len(texts) >= 3, (language, theme, sentiment)
        for text in texts:
            hits = {t for t, pattern in _KEYWORDS.items() if re.search(pattern, text.lower())}
            assert hits == {theme}, (text, hits)
    for texts in _CLOSINGS.values():
        for text in texts:
            assert not any(re.search(p, text.lower()) for p in _KEYWORDS.values()), text


@pytest.mark.parametrize("name", ["b2b-annual", "b2c-monthly"])
def test_comment_names_its_theme(name):
    df = example_survey(name)
    commented = df[df["comment"].notna() & df["comment_pii"].isna()]
    assert len(commented) > 100
    for theme, rows in commented.groupby("comment_theme")["comment"]:
        matches = rows.str.lower().str.contains(_KEYWORDS[theme])
        assert matches.all(), (theme, rows[~matches].head())


def test_comment_theme_follows_ratings(b2b):
    rated = b2b[b2b["comment_theme"].isin(B2B_DRIVERS)]
    ratings = rated[list(B2B_DRIVERS)]
    own = np.array([ratings.iloc[i][t] for i, t in enumerate(rated["comment_theme"])])
    det = (rated["recommend"] <= 6).to_numpy() & ~np.isnan(own)
    pro = (rated["recommend"] >= 9).to_numpy() & ~np.isnan(own)
    # detractors complain about their lowest-rated driver, promoters praise the highest
    np.testing.assert_array_equal(own[det], ratings.min(axis=1).to_numpy()[det])
    np.testing.assert_array_equal(own[pro], ratings.max(axis=1).to_numpy()[pro])
    assert (rated.loc[det, "comment_sentiment"] == "negative").all()
    assert (rated.loc[pro, "comment_sentiment"] == "positive").all()


def test_pii_rows_exist(b2b):
    pii = b2b[b2b["comment_pii"].notna()]
    assert set(pii["comment_pii"]) == {"email", "phone", "hetu"}
    text = dict(zip(pii["comment_pii"], pii["comment"], strict=False))
    assert re.search(r"[\w.]+@example\.net", text["email"])
    assert re.search(r"\+358 40 \d{3} \d{4}", text["phone"])
    match = re.search(r"(\d{6})-(\d{3})([0-9A-Y])", text["hetu"])
    assert match
    # the check character is valid: index (ddmmyy nnn mod 31) into the fixed alphabet
    digits = int(match.group(1) + match.group(2))
    assert "0123456789ABCDEFHJKLMNPRSTUVWXY"[digits % 31] == match.group(3)
    # every planted code is in the 900-999 test range, never a real person's
    codes = pii.loc[pii["comment_pii"] == "hetu", "comment"].str.extract(r"\d{6}-(\d{3})")[0]
    assert len(codes) > 0 and codes.astype(int).between(900, 999).all()
    assert 0.005 < len(pii) / b2b["comment"].notna().sum() < 0.02
    # no other comment contains an @ or a phone number
    clean = b2b.loc[b2b["comment_pii"].isna(), "comment"].dropna()
    assert not clean.str.contains(r"@|\+358").any()


# --- b2c-monthly ----------------------------------------------------------------


def test_b2c_columns_and_dtypes(b2c):
    for col in [
        "respondent_id",
        "responded_at",
        "month",
        "recommend",
        "weight",
        "csat",
        "ces",
        "retained",
        "channel",
        "region",
        "customer_type",
        "age_group",
        "comment",
        "language",
        "email",
    ]:
        assert col in b2c.columns, col
    assert len(b2c) == 20_000
    assert b2c["respondent_id"].is_unique
    assert b2c["month"].nunique() == 24
    assert (b2c["responded_at"].dt.strftime("%Y-%m") == b2c["month"]).all()
    assert b2c["retained"].dtype == bool
    assert b2c["csat"].between(1, 5).all() and b2c["ces"].between(1, 7).all()
    assert set(b2c["csat"]) == set(range(1, 6)) and set(b2c["ces"]) == set(range(1, 8))
    assert (b2c["weight"] > 0).all() and b2c["weight"].mean() == pytest.approx(1.0)
    assert set(b2c["channel"]) == {"web", "store", "app"}
    assert set(b2c["customer_type"]) == {"new", "returning"}
    assert 0.12 < b2c["comment"].notna().mean() < 0.18
    assert set(b2c["language"].dropna()) == {"fi", "en"}


def test_b2c_weights_undo_the_oversample(b2c):
    weighted_share = b2c.groupby("channel")["weight"].sum() / b2c["weight"].sum()
    for channel, share in TRUTH["b2c-monthly"]["population_channel_share"].items():
        assert weighted_share[channel] == pytest.approx(share, abs=0.01)


def test_b2c_weighted_nps_estimates_population_nps(b2c):
    truth = TRUTH["b2c-monthly"]
    weighted = nps.nps(b2c["recommend"], weights=b2c["weight"])
    unweighted = nps.nps(b2c["recommend"])
    # SE of the weighted NPS with n = 20,000 is under 1 point
    assert weighted == pytest.approx(truth["population_nps"], abs=2.0)
    assert unweighted == pytest.approx(truth["unweighted_expected_nps"], abs=2.0)
    assert 3 < unweighted - weighted < 8


def test_b2c_population_nps_by_simulation():
    """The analytic population NPS agrees with a large simulated population."""
    from nps_toolkit import datasets as ds

    rng = np.random.default_rng(SEED_OTHER)
    ch, share, mean = ds._b2c_cells()
    cell = rng.choice(len(share), size=400_000, p=share / share.sum())
    month = rng.integers(0, 24, size=cell.shape[0])
    latent = mean[cell] + ds._b2c_month_effect(month) + rng.normal(0, ds._B2C_NOISE_SD, cell.shape)
    simulated = nps.nps(np.clip(np.round(latent), 0, 10))
    # SE about 0.15 points at n = 400,000
    assert simulated == pytest.approx(TRUTH["b2c-monthly"]["population_nps"], abs=0.6)


def test_b2c_trend_and_season(b2c):
    monthly = b2c.groupby("month").apply(
        lambda g: nps.nps(g["recommend"], weights=g["weight"]), include_groups=False
    )
    truth = np.array(TRUTH["b2c-monthly"]["population_nps_by_month"])
    assert np.corrcoef(monthly.to_numpy(), truth)[0, 1] > 0.8
    # a year later NPS is higher (the trend), and June beats December (the season)
    assert monthly["2025-01":"2025-12"].mean() > monthly["2024-01":"2024-12"].mean() + 3
    assert monthly["2025-06"] > monthly["2025-12"]


def test_b2c_csat_ces_retention_track_recommend(b2c):
    assert b2c[["recommend", "csat"]].corr().iloc[0, 1] > 0.3
    assert b2c[["recommend", "ces"]].corr().iloc[0, 1] < -0.3
    promoters = b2c["recommend"] >= 9
    detractors = b2c["recommend"] <= 6
    assert b2c.loc[promoters, "retained"].mean() > b2c.loc[detractors, "retained"].mean() + 0.1
