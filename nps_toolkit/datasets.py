"""Example surveys: deterministic synthetic NPS data with documented ground truth.

Two surveys, generated from a seed with a :class:`numpy.random.Generator` and no
per-row Python loops, each in well under a second:

``"b2b-annual"``
    Seven yearly waves (2019-2025) of a business-to-business survey.
    Respondents are nested in client accounts; answers within an account are
    correlated through an account random effect.  The last wave has 1,055
    invited contacts, 180 responses from 131 accounts and an NPS near 56; the
    NPS rises wave by wave from about 20.  Seven 0-10 driver ratings drive the
    score with known, distinct weights (``TRUTH["b2b-annual"]["driver_weights"]``).
    Free-text comments (Finnish and English) are tied to a theme taken from the
    respondent's own ratings; ``comment_theme`` records that theme.

``"b2c-monthly"``
    About 20,000 consumer responses over 24 months (2024-01 .. 2025-12) with
    survey weights that undo a deliberate oversample of app users, CSAT (1-5),
    CES (1-7), retention, a known trend and a mild seasonal pattern.

Column contract
---------------
Rows are in the order the answers arrived (``responded_at``).

b2b-annual, one row per response:

``respondent_id`` (str "B<year>-<nnnn>", unique per row), ``panel_id`` (str, the person: the
same person answering two waves has two ``respondent_id`` values and one
``panel_id``), ``account_id`` (str), ``wave`` (int 1..7), ``year`` (int),
``responded_at`` (datetime64), ``recommend`` (float 0-10, about 1.5 % blank),
``tenure`` ("new"/"long-term"/"at-risk"), ``product_line``, ``region``,
``support_channel`` ("phone"/"email"/"portal"), the driver ratings
:data:`B2B_DRIVERS` (float 0-10, about 2 % blank each), ``comment`` (str or
missing), ``language`` ("fi"/"en"/missing), ``comment_theme`` (the intended
theme of the comment, one of :data:`THEMES`, missing without a comment),
``comment_sentiment`` ("positive"/"negative"/missing), ``comment_pii`` (the
kind of personal data planted in the comment: "email"/"phone"/"hetu"/missing),
``email`` (fake contact address at the reserved example.com / example.net
domains, RFC 2606, so no real person can be mailed) and ``invited``
(int, the same for every row of a wave).

b2c-monthly, one row per response:

``respondent_id``, ``responded_at``, ``month`` ("YYYY-MM"), ``recommend``
(float 0-10), ``weight`` (> 0, mean 1; post-stratification by channel), ``csat`` (int 1-5), ``ces`` (int 1-7),
``retained`` (bool), ``channel`` ("web"/"store"/"app"), ``region``,
``customer_type`` ("new"/"returning"), ``age_group``, ``comment`` (about 15 %),
``language``, ``comment_theme``, ``comment_sentiment``, ``comment_pii``,
``email``.

Ground truth
------------
:data:`TRUTH` holds the generating parameters and the true values analyses
should recover; see the docstring of :func:`example_survey`.

Examples
--------
>>> import nps_toolkit as nps
>>> df = nps.example_survey("b2b-annual")
>>> last = df[df["wave"] == 7]
>>> int(last["invited"].iloc[0]), len(last), last["account_id"].nunique()
(1055, 180, 131)
>>> df.groupby("wave")["recommend"].apply(nps.nps).round().tolist()
[20.0, 26.0, 32.0, 38.0, 44.0, 50.0, 56.0]
>>> list(TRUTH["b2b-annual"]["nps_by_wave"])
[20.0, 26.0, 32.0, 38.0, 44.0, 50.0, 56.0]
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd

from ._export import write_csv

__all__ = [
    "B2B_DRIVERS",
    "THEMES",
    "TRUTH",
    "available_examples",
    "example_survey",
    "write_example",
]

B2B_DRIVERS = (
    "communication",
    "response_speed",
    "follow_up",
    "meeting_expectations",
    "personal_attention",
    "price",
    "quality",
)

# Comment themes: one per driver plus two that are not rated.
THEMES = B2B_DRIVERS + ("support", "ease_of_use")

# ---------------------------------------------------------------------------
# b2b-annual parameters
# ---------------------------------------------------------------------------
_B2B_YEARS = tuple(range(2019, 2026))
_B2B_INVITED = (880, 905, 930, 960, 990, 1020, 1055)
_B2B_RESPONSES = (160, 165, 168, 172, 175, 178, 180)
_B2B_ACCOUNTS = (118, 120, 123, 125, 127, 129, 131)
_B2B_TARGET_NPS = (20.0, 26.0, 32.0, 38.0, 44.0, 50.0, 56.0)
_B2B_N_ACCOUNT_POOL = 240

# Effect on the 0-10 latent score of one standard deviation of each latent
# driver.  Distinct and well spaced so a driver analysis can recover the order.
_B2B_WEIGHTS = {
    "quality": 0.90,
    "meeting_expectations": 0.60,
    "response_speed": 0.40,
    "communication": 0.26,
    "personal_attention": 0.16,
    "follow_up": 0.09,
    "price": 0.03,
}
_B2B_DRIVER_MEAN = {
    "communication": 7.4,
    "response_speed": 7.0,
    "follow_up": 6.8,
    "meeting_expectations": 7.5,
    "personal_attention": 7.6,
    "price": 6.4,
    "quality": 7.8,
}
_B2B_DRIVER_SD = 1.6
_B2B_WAVE_DRIFT = 0.25  # rise of the general factor per wave
_B2B_DRIVER_LOADING = 0.5  # loading of each latent driver on the general factor
_B2B_TENURE = ("new", "long-term", "at-risk")
_B2B_TENURE_EFFECT = {"new": 0.0, "long-term": 0.0, "at-risk": -1.0}  # direct, latent score points
_B2B_TENURE_FACTOR = {"new": 0.2, "long-term": 0.0, "at-risk": -1.0}  # shift of the general factor
_B2B_PRODUCT_LINES = ("Platform", "Analytics", "Services")
_B2B_PRODUCT_EFFECT = {"Platform": 0.3, "Analytics": 0.0, "Services": -0.3}
_B2B_REGIONS = ("South", "West", "East", "North")
_B2B_CHANNELS = ("phone", "email", "portal")
_B2B_CHANNEL_PROB = (0.35, 0.40, 0.25)
_B2B_CHANNEL_EFFECT = {"phone": 0.2, "email": 0.0, "portal": -0.2}
_B2B_ACCOUNT_SD = 0.35  # direct account random effect on the latent score
_B2B_PERSON_SD = 0.4  # direct person effect (panel members keep theirs)
_B2B_NOISE_SD = 0.5
_B2B_BLANK_RECOMMEND = 0.015
_B2B_BLANK_DRIVER = 0.02
_B2B_COMMENT_RATE = 0.60
_B2B_FINNISH_SHARE = 0.60
_B2B_PANEL_PROB = 0.62  # chance a matched earlier respondent of the account answers again

# ---------------------------------------------------------------------------
# b2c-monthly parameters
# ---------------------------------------------------------------------------
_B2C_N = 20_000
_B2C_MONTHS = pd.period_range("2024-01", "2025-12", freq="M")
_B2C_CHANNELS = ("web", "store", "app")
_B2C_POP_SHARE = {"web": 0.45, "store": 0.40, "app": 0.15}  # population
_B2C_SAMPLE_SHARE = {"web": 0.38, "store": 0.30, "app": 0.32}  # app users oversampled
_B2C_CHANNEL_EFFECT = {"web": 0.0, "store": -0.3, "app": 0.7}
_B2C_REGIONS = ("South", "West", "East", "North")
_B2C_REGION_SHARE = (0.40, 0.25, 0.20, 0.15)
_B2C_REGION_EFFECT = {"South": 0.0, "West": 0.1, "East": -0.1, "North": 0.0}
_B2C_TYPES = ("new", "returning")
_B2C_TYPE_SHARE = (0.35, 0.65)
_B2C_TYPE_EFFECT = {"new": -0.4, "returning": 0.2}
_B2C_AGES = ("18-29", "30-44", "45-59", "60+")
_B2C_AGE_SHARE = (0.20, 0.30, 0.28, 0.22)
_B2C_AGE_EFFECT = {"18-29": -0.3, "30-44": 0.0, "45-59": 0.1, "60+": 0.3}
_B2C_INTERCEPT = 7.6
_B2C_TREND_PER_MONTH = 0.02  # latent score points per month
_B2C_SEASON_AMPLITUDE = 0.25  # latent score points; peak in June, trough in December
_B2C_NOISE_SD = 2.0
_B2C_COMMENT_RATE = 0.15
_B2C_FINNISH_SHARE = 0.35
# Comment themes of the consumer survey and their shares (sentiment from the score).
_B2C_THEME_SHARE = {
    "price": 0.25,
    "quality": 0.25,
    "support": 0.2,
    "ease_of_use": 0.2,
    "response_speed": 0.1,
}


def _norm_cdf(x: np.ndarray) -> np.ndarray:
    # math.erf keeps scipy out of the import path of this module.
    return 0.5 * (1.0 + np.frompyfunc(math.erf, 1, 1)(np.asarray(x) / math.sqrt(2.0)).astype(float))


def _b2c_month_effect(month_index: np.ndarray) -> np.ndarray:
    """Trend plus seasonality (latent points) for month 0 = 2024-01."""
    calendar_month = month_index % 12  # 0 = January
    season = _B2C_SEASON_AMPLITUDE * np.cos(2 * np.pi * (calendar_month - 5) / 12)
    return _B2C_TREND_PER_MONTH * month_index + season


def _b2c_cells():
    """Every population cell with its share and mean latent score (without month)."""
    ch, rg, ty, ag = np.meshgrid(
        np.arange(len(_B2C_CHANNELS)),
        np.arange(len(_B2C_REGIONS)),
        np.arange(len(_B2C_TYPES)),
        np.arange(len(_B2C_AGES)),
        indexing="ij",
    )
    ch, rg, ty, ag = (a.ravel() for a in (ch, rg, ty, ag))
    share = (
        np.array([_B2C_POP_SHARE[c] for c in _B2C_CHANNELS])[ch]
        * np.array(_B2C_REGION_SHARE)[rg]
        * np.array(_B2C_TYPE_SHARE)[ty]
        * np.array(_B2C_AGE_SHARE)[ag]
    )
    mean = (
        _B2C_INTERCEPT
        + np.array([_B2C_CHANNEL_EFFECT[c] for c in _B2C_CHANNELS])[ch]
        + np.array([_B2C_REGION_EFFECT[r] for r in _B2C_REGIONS])[rg]
        + np.array([_B2C_TYPE_EFFECT[t] for t in _B2C_TYPES])[ty]
        + np.array([_B2C_AGE_EFFECT[a] for a in _B2C_AGES])[ag]
    )
    return ch, share, mean


def _b2c_true_nps() -> tuple[float, list[float], dict[str, float], float]:
    """Analytic population NPS: overall, by month, by channel, and of the sample design.

    recommend = clip(round(latent), 0, 10) with latent ~ Normal(mean, sd), so
    P(promoter) = P(latent >= 8.5) and P(detractor) = P(latent < 6.5).
    """
    ch, share, mean = _b2c_cells()
    month_eff = _b2c_month_effect(np.arange(len(_B2C_MONTHS)))
    mu = mean[None, :] + month_eff[:, None]  # months x cells
    cell_nps = 100.0 * (
        1.0 - _norm_cdf((8.5 - mu) / _B2C_NOISE_SD) - _norm_cdf((6.5 - mu) / _B2C_NOISE_SD)
    )
    by_month = cell_nps @ share
    by_channel = {}
    for i, c in enumerate(_B2C_CHANNELS):
        s = share * (ch == i)
        by_channel[c] = float((cell_nps @ s).mean() / s.sum())
    sample_share = share / np.array([_B2C_POP_SHARE[c] for c in _B2C_CHANNELS])[ch]
    sample_share = sample_share * np.array([_B2C_SAMPLE_SHARE[c] for c in _B2C_CHANNELS])[ch]
    sample_nps = float((cell_nps @ sample_share).mean())
    return float(by_month.mean()), [float(v) for v in by_month], by_channel, sample_nps


_b2c_pop, _b2c_by_month, _b2c_by_channel, _b2c_sample = _b2c_true_nps()

TRUTH: dict[str, dict] = {
    "b2b-annual": {
        "years": _B2B_YEARS,
        "invited": _B2B_INVITED,
        "responses": _B2B_RESPONSES,
        "accounts": _B2B_ACCOUNTS,
        # The wave's latent intercept is tuned on the generated data so that the
        # sample NPS of each wave (blank answers excluded) is the target to
        # within one respondent (100 / n points, about 0.6).
        "nps_by_wave": _B2B_TARGET_NPS,
        # latent = intercept(wave) + sum_k w_k * z_k + product + channel + tenure
        #          + account effect + person effect + noise;
        # recommend = clip(round(latent), 0, 10); z_k is the latent driver
        # (about unit variance), rating_k = clip(round(mean_k + 1.6 * z_k), 0, 10),
        # z_k = loading * general + sqrt(1 - loading**2) * Normal(0, 1), and
        # general = 0.5 * account factor + 0.5 * person factor + sqrt(0.5) * Normal(0, 1)
        #           + wave_drift * (wave - 4) + tenure_factor_shift.
        "driver_weights": dict(_B2B_WEIGHTS),
        "driver_order": tuple(sorted(_B2B_WEIGHTS, key=_B2B_WEIGHTS.get, reverse=True)),
        "driver_means": dict(_B2B_DRIVER_MEAN),
        "driver_sd": _B2B_DRIVER_SD,
        # Latent drivers share a general factor with this loading; the observed
        # ratings correlate at about 0.3 (the factor also moves with wave and
        # tenure).  With about 1,180 complete rows an OLS or Shapley analysis
        # recovers the top three drivers in order (checked on 40 seeds); the
        # three smallest weights are close and may swap.
        "driver_loading": _B2B_DRIVER_LOADING,
        "wave_drift": _B2B_WAVE_DRIFT,  # drivers improve over the waves too
        "tenure_effect": dict(_B2B_TENURE_EFFECT),
        "tenure_factor_shift": dict(_B2B_TENURE_FACTOR),
        # Tenure: "new" in an account's first two years; otherwise "at-risk"
        # with probability 0.6 for the 18 % of accounts prone to it and 0.05
        # for the rest, else "long-term".  At-risk NPS is far below the others.
        "product_line_effect": dict(_B2B_PRODUCT_EFFECT),
        "support_channel_effect": dict(_B2B_CHANNEL_EFFECT),
        "region_effect": dict.fromkeys(_B2B_REGIONS, 0.0),  # region has no effect
        "account_sd": _B2B_ACCOUNT_SD,
        "person_sd": _B2B_PERSON_SD,
        # Panel: the k-th respondent of an account answers again next wave (same
        # panel_id) with this probability, if the account is sampled again;
        # about 40 % of a wave's respondents also answered the previous wave.
        "panel_prob": _B2B_PANEL_PROB,
        "noise_sd": _B2B_NOISE_SD,
        "blank_recommend_rate": _B2B_BLANK_RECOMMEND,
        "blank_driver_rate": _B2B_BLANK_DRIVER,
        "comment_rate": _B2B_COMMENT_RATE,
        "finnish_share": _B2B_FINNISH_SHARE,
        "pii_rate": 0.01,
        # Comment theme rule: detractors complain about their lowest-rated
        # driver, promoters praise their highest; passives do either (even
        # odds); 15 % of comments are instead about "support" or
        # "ease_of_use" (not rated), with the same sentiment rule.
        "comment_theme_rule": "detractor: lowest driver (negative); promoter: highest (positive)",
        "themes": THEMES,
    },
    "b2c-monthly": {
        "n": _B2C_N,
        "months": (str(_B2C_MONTHS[0]), str(_B2C_MONTHS[-1])),
        # True NPS of the population (analytic, not a sample value), averaged
        # over the 24 equally sized months; the weighted sample NPS estimates it.
        "population_nps": _b2c_pop,
        "population_nps_by_month": tuple(_b2c_by_month),
        "population_nps_by_channel": _b2c_by_channel,
        # What the unweighted sample NPS estimates (app users oversampled).
        "unweighted_expected_nps": _b2c_sample,
        "population_channel_share": dict(_B2C_POP_SHARE),
        "sample_channel_share": dict(_B2C_SAMPLE_SHARE),
        # latent = intercept + channel + region + customer_type + age_group
        #          + trend * month_index + amplitude * cos(2 pi (calendar_month - 6) / 12)
        #          + Normal(0, noise_sd);  recommend = clip(round(latent), 0, 10)
        "intercept": _B2C_INTERCEPT,
        "channel_effect": dict(_B2C_CHANNEL_EFFECT),
        "region_effect": dict(_B2C_REGION_EFFECT),
        "customer_type_effect": dict(_B2C_TYPE_EFFECT),
        "age_group_effect": dict(_B2C_AGE_EFFECT),
        "trend_per_month": _B2C_TREND_PER_MONTH,
        "season_amplitude": _B2C_SEASON_AMPLITUDE,
        "season_peak_month": 6,  # June; trough in December
        "noise_sd": _B2C_NOISE_SD,
        # retained ~ Bernoulli(1 / (1 + exp(-(retention_intercept + retention_slope * (latent - 7)))))
        # csat = clip(round(3.6 + 0.45 (latent - 7) + Normal(0, 0.7)), 1, 5)
        # ces  = clip(round(3.2 - 0.5 (latent - 7) + Normal(0, 1)), 1, 7)   (low = easy)
        "retention_intercept": 1.2,
        "retention_slope": 0.45,
        "comment_rate": _B2C_COMMENT_RATE,
        "finnish_share": _B2C_FINNISH_SHARE,
        # promoters praise, detractors complain, passives either (even odds)
        "comment_theme_share": dict(_B2C_THEME_SHARE),
    },
}


# ---------------------------------------------------------------------------
# Comment templates: (language, theme, sentiment) -> sentences.  Each template
# names only its own theme, in inflected Finnish or in English.
# ---------------------------------------------------------------------------
_TEMPLATES: dict[tuple[str, str, str], tuple[str, ...]] = {
    ("fi", "communication", "negative"): (
        "Viestinnässä on parantamisen varaa.",
        "Viestintään toivoisin enemmän selkeyttä.",
        "Viestinnän pitäisi olla säännöllisempää.",
        "Yhteydenpito on ollut vähäistä, emmekä tiedä mitä tapahtuu.",
        "Tiedottaminen muutoksista on puutteellista.",
    ),
    ("fi", "communication", "positive"): (
        "Viestintä on selkeää ja ajantasaista.",
        "Olemme tyytyväisiä viestintään.",
        "Viestinnän avoimuus on erinomaista.",
        "Yhteydenpito toimii hyvin.",
    ),
    ("en", "communication", "negative"): (
        "Communication could be much clearer.",
        "We rarely hear from you unless we ask; communication is lacking.",
        "Poor communication about changes.",
        "Communication between our teams keeps breaking down.",
    ),
    ("en", "communication", "positive"): (
        "Clear and timely communication.",
        "Great communication throughout the project.",
        "You keep us well informed.",
    ),
    ("fi", "response_speed", "negative"): (
        "Vasteaika on liian pitkä.",
        "Vastauksia joutuu odottamaan liian kauan.",
        "Pyyntöihin reagoidaan hitaasti.",
        "Vasteajat ovat venyneet viime aikoina.",
    ),
    ("fi", "response_speed", "positive"): (
        "Asiat hoituvat nopeasti.",
        "Vasteaika on lyhyt ja vastaukset tulevat nopeasti.",
        "Nopea reagointi kysymyksiin.",
        "Saamme vastauksen aina nopeasti.",
    ),
    ("en", "response_speed", "negative"): (
        "Response times are far too slow.",
        "It takes days to get an answer.",
        "Slow to respond to our requests.",
    ),
    ("en", "response_speed", "positive"): (
        "Very quick responses.",
        "Fast turnaround on every request.",
        "They respond quickly, usually the same day.",
    ),
    ("fi", "follow_up", "negative"): (
        "Seuranta puuttuu, sovittuihin asioihin ei palata.",
        "Seurannassa on puutteita.",
        "Toivoisin parempaa seurantaa sovituista toimenpiteistä.",
        "Asioihin ei palata palaverin jälkeen.",
    ),
    ("fi", "follow_up", "positive"): (
        "Seuranta on huolellista.",
        "Sovittuihin asioihin palataan aina.",
        "Hyvä seuranta ja jatkotoimet.",
    ),
    ("en", "follow_up", "negative"): (
        "No follow-up after meetings.",
        "Follow-up on open issues is poor.",
        "Nobody follows up on what was agreed.",
    ),
    ("en", "follow_up", "positive"): (
        "Excellent follow-up on every issue.",
        "They always follow up after meetings.",
        "Good follow-through on agreed actions.",
    ),
    ("fi", "meeting_expectations", "negative"): (
        "Toimitus ei vastannut odotuksia.",
        "Odotukset eivät täyttyneet.",
        "Lopputulos jäi odotuksistamme.",
        "Lupaukset ja toteutus eivät kohtaa.",
    ),
    ("fi", "meeting_expectations", "positive"): (
        "Toimitus ylitti odotuksemme.",
        "Odotukset täyttyivät hyvin.",
        "Lupaukset pidetään.",
        "Lopputulos vastasi täysin odotuksia.",
    ),
    ("en", "meeting_expectations", "negative"): (
        "Did not meet our expectations.",
        "The delivery fell short of what was promised.",
        "Expectations were not met this year.",
    ),
    ("en", "meeting_expectations", "positive"): (
        "Exceeded our expectations.",
        "Delivered exactly what was promised.",
        "Consistently meets our expectations.",
    ),
    ("fi", "personal_attention", "negative"): (
        "Henkilökohtainen palvelu puuttuu, olemme vain numero.",
        "Toivoisin henkilökohtaisempaa palvelua.",
        "Yhteyshenkilö vaihtuu jatkuvasti eikä kukaan tunne meitä.",
    ),
    ("fi", "personal_attention", "positive"): (
        "Henkilökohtainen palvelu on erinomaista.",
        "Yhteyshenkilömme tuntee tarpeemme hyvin.",
        "Saamme henkilökohtaista huomiota.",
    ),
    ("en", "personal_attention", "negative"): (
        "We feel like just a number, no personal attention.",
        "Our account manager keeps changing.",
        "Lack of personal attention.",
    ),
    ("en", "personal_attention", "positive"): (
        "Great personal attention from our account manager.",
        "They know us and our needs personally.",
        "Very personal service.",
    ),
    ("fi", "price", "negative"): (
        "Hinta on liian korkea.",
        "Hinnoittelu on epäselvää.",
        "Hintaan nähden saamme liian vähän.",
        "Hinnat nousivat liikaa.",
    ),
    ("fi", "price", "positive"): (
        "Hinnoittelu on selkeää ja reilua.",
        "Kohtuullinen hinta.",
        "Hinta on kilpailukykyinen.",
    ),
    ("en", "price", "negative"): (
        "Too expensive for what we get.",
        "Pricing is confusing.",
        "The price increase was hard to justify.",
    ),
    ("en", "price", "positive"): (
        "Fair price.",
        "Good value for money.",
        "Transparent pricing.",
    ),
    ("fi", "quality", "negative"): (
        "Laatu on heikentynyt.",
        "Laadussa on ollut ongelmia.",
        "Toimitusten laatu vaihtelee liikaa.",
        "Laatuongelmat toistuvat.",
    ),
    ("fi", "quality", "positive"): (
        "Laadukas tuote.",
        "Laatu on erinomaista.",
        "Tasainen ja korkea laatu.",
        "Olemme tyytyväisiä laatuun.",
    ),
    ("en", "quality", "negative"): (
        "Quality has gone down.",
        "Too many quality issues.",
        "Inconsistent quality of deliveries.",
    ),
    ("en", "quality", "positive"): (
        "Excellent quality.",
        "High-quality work every time.",
        "Top quality product.",
    ),
    ("fi", "support", "negative"): (
        "Tuki ei osaa auttaa.",
        "Asiakaspalvelu on vaikeasti tavoitettavissa.",
        "Tukeen on vaikea saada yhteyttä.",
        "Asiakaspalvelussa ei ymmärretä ongelmaa.",
    ),
    ("fi", "support", "positive"): (
        "Tuki on osaavaa.",
        "Asiakaspalvelu toimii erinomaisesti.",
        "Tuesta saa aina apua.",
        "Ystävällinen asiakaspalvelu.",
    ),
    ("en", "support", "negative"): (
        "Support could not solve our problem.",
        "Customer service is hard to reach.",
        "The helpdesk was unhelpful.",
    ),
    ("en", "support", "positive"): (
        "Helpful support team.",
        "Customer service is excellent.",
        "Support always solves our issues.",
    ),
    ("fi", "ease_of_use", "negative"): (
        "Järjestelmä on vaikeakäyttöinen.",
        "Portaalin käyttö on hankalaa.",
        "Käytettävyydessä on parannettavaa.",
        "Käyttöliittymä on sekava.",
    ),
    ("fi", "ease_of_use", "positive"): (
        "Helppokäyttöinen järjestelmä.",
        "Portaali on helppo käyttää.",
        "Käyttö on vaivatonta.",
        "Selkeä ja helppokäyttöinen käyttöliittymä.",
    ),
    ("en", "ease_of_use", "negative"): (
        "The portal is hard to use.",
        "Not user-friendly at all.",
        "Confusing interface.",
    ),
    ("en", "ease_of_use", "positive"): (
        "Easy to use.",
        "Very user-friendly portal.",
        "Simple and intuitive.",
    ),
}
# Theme-free closing sentences, appended to some comments.
_CLOSINGS = {
    ("fi", "positive"): ("Kiitos!", "Jatkakaa samaan malliin."),
    ("fi", "negative"): ("Toivottavasti tähän tulee muutos.", "Tämä pitäisi korjata."),
    ("en", "positive"): ("Thanks!", "Keep up the good work."),
    ("en", "negative"): ("Hope this improves.", "Please fix this."),
}
_LANGS = ("fi", "en")
_SENTIMENTS = ("negative", "positive")
_HETU_CHECK = "0123456789ABCDEFHJKLMNPRSTUVWXY"


def _pick(rng: np.random.Generator, groups: list[tuple[str, ...]], key: np.ndarray) -> np.ndarray:
    """For each row pick uniformly one string of ``groups[key[row]]`` (vectorised)."""
    sizes = np.array([len(g) for g in groups])
    offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    flat = np.array([s for g in groups for s in g], dtype=object)
    within = np.floor(rng.random(key.shape[0]) * sizes[key]).astype(int)
    return flat[offsets[key] + within]


def _hetu(rng: np.random.Generator) -> str:
    """A random, well-formed (check character correct) Finnish personal identity code.

    The individual number is drawn from 900-999, the range of temporary and
    test identity codes, never given to a person at birth: a synthetic code
    cannot be someone's real one.
    """
    day, month, year = int(rng.integers(1, 29)), int(rng.integers(1, 13)), int(rng.integers(0, 100))
    number = int(rng.integers(900, 1000))
    digits = f"{day:02d}{month:02d}{year:02d}"
    check = _HETU_CHECK[int(digits + f"{number:03d}") % 31]
    return f"{digits}-{number:03d}{check}"


def _pii_sentence(rng: np.random.Generator, kind: str, language: str) -> str:
    if kind == "email":
        who = ("matti.virtanen", "anna.korhonen", "john.smith", "liisa.nieminen")
        address = f"{who[int(rng.integers(len(who)))]}{int(rng.integers(1, 99))}@example.net"
        return (
            f"Ottakaa yhteyttä: {address}" if language == "fi" else f"Please email me at {address}"
        )
    if kind == "phone":
        number = f"+358 40 {int(rng.integers(100, 1000))} {int(rng.integers(1000, 10000))}"
        return (
            f"Soittakaa minulle numeroon {number}." if language == "fi" else f"Call me on {number}."
        )
    code = _hetu(rng)
    return f"Henkilötunnukseni on {code}." if language == "fi" else f"My personal ID is {code}."


def _comments(
    rng: np.random.Generator,
    has_comment: np.ndarray,
    finnish: np.ndarray,
    theme: np.ndarray,
    positive: np.ndarray,
) -> dict[str, np.ndarray]:
    """Comment text, language, theme, sentiment and planted PII for every row.

    ``theme`` holds indices into :data:`THEMES`; rows without a comment get
    missing values everywhere.
    """
    n = has_comment.shape[0]
    idx = np.flatnonzero(has_comment)
    lang = np.where(finnish[idx], 0, 1)
    sent = positive[idx].astype(int)
    th = theme[idx]
    keys = [(lg, t, s) for lg in _LANGS for t in THEMES for s in _SENTIMENTS]
    key = (lang * len(THEMES) + th) * 2 + sent
    text = _pick(rng, [_TEMPLATES[k] for k in keys], key)
    close_keys = [(lg, s) for lg in _LANGS for s in _SENTIMENTS]
    closing = _pick(rng, [_CLOSINGS[k] for k in close_keys], lang * 2 + sent)
    add_closing = rng.random(idx.shape[0]) < 0.3
    text = np.where(add_closing, text + " " + closing, text)

    # About 1 % of comments carry personal data (at least one of each kind) so
    # that redaction has something to find.  Few rows: a loop is fine here.
    n_pii = max(3, round(0.01 * idx.shape[0]))
    pii_rows = rng.choice(idx.shape[0], size=min(n_pii, idx.shape[0]), replace=False)
    pii_kind = np.full(idx.shape[0], None, dtype=object)
    kinds = ("email", "phone", "hetu")
    for j, row in enumerate(pii_rows):
        kind = kinds[j % 3]
        pii_kind[row] = kind
        text[row] = f"{text[row]} {_pii_sentence(rng, kind, _LANGS[lang[row]])}"

    out = {
        "comment": np.full(n, None, dtype=object),
        "language": np.full(n, None, dtype=object),
        "comment_theme": np.full(n, None, dtype=object),
        "comment_sentiment": np.full(n, None, dtype=object),
        "comment_pii": np.full(n, None, dtype=object),
    }
    out["comment"][idx] = text
    out["language"][idx] = np.array(_LANGS, dtype=object)[lang]
    out["comment_theme"][idx] = np.array(THEMES, dtype=object)[th]
    out["comment_sentiment"][idx] = np.array(_SENTIMENTS, dtype=object)[sent]
    out["comment_pii"][idx] = pii_kind
    return out


def _strings(values: np.ndarray) -> pd.Series:
    """Object array with None for missing -> pandas string Series (NaN missing)."""
    return pd.Series(values, dtype="str")


def _zero_pad(prefix: str, numbers: np.ndarray, width: int) -> np.ndarray:
    return np.char.add(prefix, np.char.zfill(numbers.astype(str), width))


def _gumbel_top(rng: np.random.Generator, weights: np.ndarray, k: int) -> np.ndarray:
    """Indices of ``k`` items drawn without replacement with probability ~ weights."""
    keys = np.log(weights) + rng.gumbel(size=weights.shape[0])
    return np.sort(np.argpartition(-keys, k - 1)[:k])


def _b2b_respondents(
    rng: np.random.Generator, join_year: np.ndarray, acc_size: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Wave, account and person (panel) index of every response, wave by wave.

    Each wave draws its accounts among those that had joined by then, favouring
    the previous wave's accounts, gives each at least one respondent and
    spreads the rest by account size.  The k-th respondent of an account is
    the same person as the previous wave's k-th respondent of that account
    with probability ``_B2B_PANEL_PROB`` (a panel member answering again).
    """
    n_pool = join_year.shape[0]
    waves, accounts_, persons = [], [], []
    prev_key = pd.Series(dtype=float)  # (account * 1000 + rank) -> person
    prev_accounts = np.zeros(n_pool, dtype=bool)
    n_persons = 0
    for w, year in enumerate(_B2B_YEARS):  # 7 waves, not rows
        n_resp, n_acc = _B2B_RESPONSES[w], _B2B_ACCOUNTS[w]
        weight = np.where(join_year <= year, 1.0, 1e-12) * np.where(prev_accounts, 4.0, 1.0)
        chosen = _gumbel_top(rng, weight, n_acc)
        per_account = 1 + rng.multinomial(n_resp - n_acc, acc_size[chosen] / acc_size[chosen].sum())
        account = np.repeat(chosen, per_account)
        rank = np.arange(n_resp) - np.repeat(np.cumsum(per_account) - per_account, per_account)
        match = prev_key.reindex(account * 1000 + rank).to_numpy()
        person = np.full(n_resp, -1)
        keep = ~np.isnan(match) & (rng.random(n_resp) < _B2B_PANEL_PROB)
        person[keep] = match[keep].astype(int)
        new = ~keep
        person[new] = n_persons + np.arange(new.sum())
        n_persons += int(new.sum())
        waves.append(np.full(n_resp, w + 1))
        accounts_.append(account)
        persons.append(person)
        prev_key = pd.Series(person.astype(float), index=account * 1000 + rank)
        prev_accounts = np.isin(np.arange(n_pool), chosen)
    return np.concatenate(waves), np.concatenate(accounts_), np.concatenate(persons)


def _calibrate_shift(
    latent: np.ndarray, group: np.ndarray, answered: np.ndarray, target: np.ndarray
) -> np.ndarray:
    """Per group, the shift s for which NPS of clip(round(latent + s), 0, 10) is nearest target.

    ``group`` holds 0-based group indices.  NPS is a non-decreasing step
    function of the shift, so bisection (all groups at once) brackets the step
    where it crosses the target; the nearer side of that step wins.
    """
    n_groups = target.shape[0]
    n_answered = np.bincount(group, weights=answered, minlength=n_groups)

    def group_nps(shift: np.ndarray) -> np.ndarray:
        score = np.clip(np.round(latent + shift[group]), 0, 10)
        net = np.where(score >= 9, 1.0, np.where(score <= 6, -1.0, 0.0))
        return 100.0 * np.bincount(group, weights=net * answered, minlength=n_groups) / n_answered

    lo, hi = np.full(n_groups, -5.0), np.full(n_groups, 15.0)
    for _ in range(40):  # bracket width 20 / 2**40, far below any gap between steps
        mid = (lo + hi) / 2
        above = group_nps(mid) >= target
        hi, lo = np.where(above, mid, hi), np.where(above, lo, mid)
    return np.where(np.abs(group_nps(lo) - target) < np.abs(group_nps(hi) - target), lo, hi)


def _b2b(seed) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n_pool = _B2B_N_ACCOUNT_POOL

    # Accounts: fixed attributes and random effects.
    join_year = np.where(
        rng.random(n_pool) < 0.6, rng.integers(2010, 2019, n_pool), rng.integers(2019, 2026, n_pool)
    )
    acc_product = rng.choice(len(_B2B_PRODUCT_LINES), size=n_pool, p=(0.4, 0.35, 0.25))
    acc_region = rng.choice(len(_B2B_REGIONS), size=n_pool, p=(0.4, 0.25, 0.2, 0.15))
    acc_factor = rng.normal(size=n_pool)  # moves the account's driver ratings
    acc_effect = rng.normal(0.0, _B2B_ACCOUNT_SD, n_pool)  # moves the score directly
    acc_size = rng.gamma(2.0, 1.0, n_pool)  # bigger accounts send more respondents
    acc_risk = rng.random(n_pool) < 0.18  # accounts prone to being at risk

    wave, account, person = _b2b_respondents(rng, join_year, acc_size)
    n_persons = int(person.max()) + 1
    n = wave.shape[0]
    year = np.array(_B2B_YEARS)[wave - 1]

    person_factor = rng.normal(size=n_persons)
    person_effect = rng.normal(0.0, _B2B_PERSON_SD, n_persons)

    # Tenure: new in the first two years; otherwise at risk now and then.
    new_account = year - join_year[account] <= 1
    at_risk = ~new_account & (rng.random(n) < np.where(acc_risk[account], 0.6, 0.05))
    tenure = np.where(new_account, 0, np.where(at_risk, 2, 1))
    channel = rng.choice(len(_B2B_CHANNELS), size=n, p=_B2B_CHANNEL_PROB)

    # General satisfaction factor: account, person, wave and tenure.
    tenure_shift = np.array([_B2B_TENURE_FACTOR[t] for t in _B2B_TENURE])[tenure]
    general = (
        0.5 * acc_factor[account]
        + 0.5 * person_factor[person]
        + math.sqrt(0.5) * rng.normal(size=n)
        + _B2B_WAVE_DRIFT * (wave - 4)
        + tenure_shift
    )
    loading = _B2B_DRIVER_LOADING
    k = len(B2B_DRIVERS)
    latent_drivers = loading * general[:, None] + math.sqrt(1 - loading**2) * rng.normal(
        size=(n, k)
    )
    weights = np.array([_B2B_WEIGHTS[d] for d in B2B_DRIVERS])
    means = np.array([_B2B_DRIVER_MEAN[d] for d in B2B_DRIVERS])
    ratings = np.clip(np.round(means + _B2B_DRIVER_SD * latent_drivers), 0, 10) + 0.0  # no -0.0

    latent = (
        latent_drivers @ weights
        + np.array([_B2B_PRODUCT_EFFECT[p] for p in _B2B_PRODUCT_LINES])[acc_product[account]]
        + np.array([_B2B_CHANNEL_EFFECT[c] for c in _B2B_CHANNELS])[channel]
        + np.array([_B2B_TENURE_EFFECT[t] for t in _B2B_TENURE])[tenure]
        + acc_effect[account]
        + person_effect[person]
        + rng.normal(0.0, _B2B_NOISE_SD, n)
    )
    blank = rng.random(n) < _B2B_BLANK_RECOMMEND

    # Wave intercepts: tuned so each wave's sample NPS is its target.
    shift = _calibrate_shift(latent, wave - 1, ~blank, np.array(_B2B_TARGET_NPS))
    recommend = np.clip(np.round(latent + shift[wave - 1]), 0, 10)
    recommend[blank] = np.nan
    ratings[rng.random((n, k)) < _B2B_BLANK_DRIVER] = np.nan

    # Comments tied to the respondent's own ratings.
    has_comment = ~blank & (rng.random(n) < _B2B_COMMENT_RATE)
    jitter = rng.random((n, k)) * 0.1  # random tie-break among equal ratings
    # A blank rating is never the lowest or the highest (every row has at
    # least one rating: seven blanks at 2 % each is a 1e-12 event).
    lowest = np.argmin(np.where(np.isnan(ratings), np.inf, ratings + jitter), axis=1)
    highest = np.argmax(np.where(np.isnan(ratings), -np.inf, ratings + jitter), axis=1)
    promoter = recommend >= 9
    detractor = recommend <= 6
    positive = np.where(promoter, True, np.where(detractor, False, rng.random(n) < 0.5))
    theme = np.where(positive, highest, lowest)
    unrated = rng.random(n) < 0.15
    theme = np.where(unrated, len(B2B_DRIVERS) + rng.integers(0, 2, n), theme)
    finnish = rng.random(n) < _B2B_FINNISH_SHARE
    comments = _comments(rng, has_comment, finnish, theme, positive)

    # Responses arrive from mid-September to mid-November each year.
    start = pd.to_datetime(pd.Series(year.astype(str)) + "-09-15").to_numpy()
    offset = rng.integers(0, 61 * 24 * 3600, n).astype("timedelta64[s]")
    responded_at = pd.to_datetime(start + offset).as_unit("us")

    first = np.array(["matti", "anna", "juha", "laura", "mikko", "sari", "john", "emma", "ville"])
    domain = np.where(acc_region[account] % 2 == 0, "example.net", "example.com")
    email = np.char.add(
        np.char.add(first[person % first.shape[0]], "."),
        np.char.add(np.char.add((person + 1).astype(str), "@"), domain),
    )

    frame = {
        "panel_id": _zero_pad("P", person + 1, 5),
        "account_id": _zero_pad("ACC-", account + 1, 3),
        "wave": wave.astype("int64"),
        "year": year.astype("int64"),
        "responded_at": responded_at,
        "recommend": recommend,
        "tenure": np.array(_B2B_TENURE)[tenure],
        "product_line": np.array(_B2B_PRODUCT_LINES)[acc_product[account]],
        "region": np.array(_B2B_REGIONS)[acc_region[account]],
        "support_channel": np.array(_B2B_CHANNELS)[channel],
    }
    for j, d in enumerate(B2B_DRIVERS):
        frame[d] = ratings[:, j]
    df = pd.DataFrame(frame)
    for col in ("panel_id", "account_id", "tenure", "product_line", "region", "support_channel"):
        df[col] = df[col].astype("str")
    for col, values in comments.items():
        df[col] = _strings(values)
    df["email"] = pd.Series(email, dtype="str")
    df["invited"] = np.array(_B2B_INVITED, dtype="int64")[wave - 1]
    # Rows in the order the answers arrived; ids "B<year>-<nnnn>" in that order.
    df = df.sort_values("responded_at", kind="stable", ignore_index=True)
    order_in_wave = np.arange(n) - np.searchsorted(df["wave"].to_numpy(), df["wave"].to_numpy())
    ids = np.char.add(
        _zero_pad("B", df["year"].to_numpy(), 4),
        _zero_pad("-", order_in_wave + 1, 4),
    )
    df.insert(0, "respondent_id", pd.Series(ids, dtype="str"))
    return df


def _b2c(seed) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n = _B2C_N
    n_months = len(_B2C_MONTHS)
    month = np.sort(rng.integers(0, n_months, n))
    channel = rng.choice(3, size=n, p=[_B2C_SAMPLE_SHARE[c] for c in _B2C_CHANNELS])
    region = rng.choice(len(_B2C_REGIONS), size=n, p=_B2C_REGION_SHARE)
    ctype = rng.choice(len(_B2C_TYPES), size=n, p=_B2C_TYPE_SHARE)
    age = rng.choice(len(_B2C_AGES), size=n, p=_B2C_AGE_SHARE)
    mean = (
        _B2C_INTERCEPT
        + np.array([_B2C_CHANNEL_EFFECT[c] for c in _B2C_CHANNELS])[channel]
        + np.array([_B2C_REGION_EFFECT[r] for r in _B2C_REGIONS])[region]
        + np.array([_B2C_TYPE_EFFECT[t] for t in _B2C_TYPES])[ctype]
        + np.array([_B2C_AGE_EFFECT[a] for a in _B2C_AGES])[age]
        + _b2c_month_effect(month)
    )
    latent = mean + rng.normal(0.0, _B2C_NOISE_SD, n)
    recommend = np.clip(np.round(latent), 0, 10)
    # Post-stratification weights by channel: population share / realised
    # sample share, so the weighted channel shares equal the population's
    # exactly; mean weight 1.
    realised = np.bincount(channel, minlength=len(_B2C_CHANNELS)) / n
    ratio = np.array([_B2C_POP_SHARE[c] for c in _B2C_CHANNELS]) / realised
    weight = ratio[channel]
    weight = weight / weight.mean()

    csat = np.clip(np.round(3.6 + 0.45 * (latent - 7.0) + rng.normal(0, 0.7, n)), 1, 5)
    ces = np.clip(np.round(3.2 - 0.5 * (latent - 7.0) + rng.normal(0, 1.0, n)), 1, 7)
    truth = TRUTH["b2c-monthly"]
    p_keep = 1.0 / (
        1.0 + np.exp(-(truth["retention_intercept"] + truth["retention_slope"] * (latent - 7.0)))
    )
    retained = rng.random(n) < p_keep

    has_comment = rng.random(n) < _B2C_COMMENT_RATE
    positive = np.where(recommend >= 9, True, np.where(recommend <= 6, False, rng.random(n) < 0.5))
    b2c_themes = np.array([THEMES.index(t) for t in _B2C_THEME_SHARE])
    theme = b2c_themes[rng.choice(len(b2c_themes), size=n, p=list(_B2C_THEME_SHARE.values()))]
    finnish = rng.random(n) < _B2C_FINNISH_SHARE
    comments = _comments(rng, has_comment, finnish, theme, positive)

    starts = _B2C_MONTHS.start_time.to_numpy()[month]
    days = _B2C_MONTHS.days_in_month.to_numpy()[month]
    offset = (rng.random(n) * days * 24 * 3600).astype("int64").astype("timedelta64[s]")
    responded_at = pd.to_datetime(starts + offset).as_unit("us")
    df = pd.DataFrame(
        {
            "responded_at": responded_at,
            "month": pd.Series(_B2C_MONTHS.strftime("%Y-%m").to_numpy()[month], dtype="str"),
            "recommend": recommend,
            "weight": weight,
            "csat": csat.astype("int64"),
            "ces": ces.astype("int64"),
            "retained": retained,
            "channel": pd.Series(np.array(_B2C_CHANNELS)[channel], dtype="str"),
            "region": pd.Series(np.array(_B2C_REGIONS)[region], dtype="str"),
            "customer_type": pd.Series(np.array(_B2C_TYPES)[ctype], dtype="str"),
            "age_group": pd.Series(np.array(_B2C_AGES)[age], dtype="str"),
        }
    )
    for col, values in comments.items():
        df[col] = _strings(values)
    # Rows in the order the answers arrived; ids and contact addresses in that order.
    df = df.sort_values("responded_at", kind="stable", ignore_index=True)
    ids = np.arange(1, n + 1)
    df.insert(0, "respondent_id", pd.Series(_zero_pad("C", ids, 6), dtype="str"))
    domain = np.where(ids % 3 == 0, "@example.net", "@example.com")
    df["email"] = pd.Series(np.char.add(_zero_pad("customer", ids, 6), domain), dtype="str")
    return df


_GENERATORS = {"b2b-annual": _b2b, "b2c-monthly": _b2c}


def available_examples() -> list[str]:
    """Names accepted by :func:`example_survey`.

    >>> available_examples()
    ['b2b-annual', 'b2c-monthly']
    """
    return list(_GENERATORS)


def example_survey(name: str, seed=0) -> pd.DataFrame:
    """A deterministic synthetic survey with known ground truth.

    Parameters
    ----------
    name : str
        ``"b2b-annual"`` or ``"b2c-monthly"`` (see :func:`available_examples`).
    seed : int or numpy.random.Generator-compatible seed, default 0
        The same seed gives an identical frame.

    Returns
    -------
    pandas.DataFrame
        One row per response; columns as in the module docstring.

    Notes
    -----
    b2b-annual truth (``TRUTH["b2b-annual"]``): the wave NPS equals
    ``nps_by_wave`` to within one respondent (the wave intercept is tuned on
    the generated data); the score is ``clip(round(latent), 0, 10)`` with
    ``latent = intercept + sum_k w_k z_k + segment effects + account effect +
    person effect + noise``, where ``w_k`` are ``driver_weights`` (order
    ``driver_order``: quality, meeting_expectations, response_speed,
    communication, personal_attention, follow_up, price).  At-risk accounts
    score clearly lower; region has no effect.  Panel members (same
    ``panel_id`` in consecutive waves) keep a personal random effect, so their
    answers are correlated across waves.  ``comment_theme`` is the intended
    theme: detractors complain about their lowest-rated driver, promoters
    praise their highest, passives do either; 15 % of comments are about the
    unrated themes "support" and "ease_of_use".

    b2c-monthly truth (``TRUTH["b2c-monthly"]``): ``population_nps`` is the
    analytic NPS of the population; the weighted NPS estimates it, the
    unweighted NPS estimates ``unweighted_expected_nps`` (a few points higher,
    because app users, who score higher, are oversampled).

    Examples
    --------
    >>> df = example_survey("b2c-monthly")
    >>> len(df), df["month"].min(), df["month"].max()
    (20000, '2024-01', '2025-12')
    >>> example_survey("b2c-monthly").equals(df)
    True
    """
    try:
        generate = _GENERATORS[name]
    except (KeyError, TypeError):
        raise ValueError(
            f"unknown example survey {name!r}; choose one of {available_examples()}"
        ) from None
    return generate(seed)


def write_example(name: str, path, seed=0) -> Path:
    """Write an example survey as a UTF-8 CSV file and return its path.

    Parent folders are created; the file goes through the toolkit's CSV
    writer like every table it writes.  Used by ``nps-toolkit example NAME --out PATH``.

    >>> import tempfile, pathlib
    >>> out = write_example("b2b-annual", pathlib.Path(tempfile.mkdtemp()) / "b2b.csv")
    >>> import pandas as pd
    >>> len(pd.read_csv(out))
    1198
    """
    df = example_survey(name, seed=seed)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    return write_csv(df, path)  # the one CSV writer: text that looks like a formula is defused
