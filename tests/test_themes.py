"""Tests for nps_toolkit.themes: tagging, theme impact, redaction, quotes."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

import nps_toolkit as nps
from nps_toolkit.themes import load_themes, redact, tag_themes, theme_impact, theme_quotes

SEED_BOOT = 20261123
SEED_QUOTES = 7

DEFAULT_THEMES = [
    "communication",
    "response_speed",
    "follow_up",
    "meeting_expectations",
    "personal_attention",
    "price",
    "quality",
    "support",
    "ease_of_use",
]


def themes_of(text, **kw) -> set:
    row = tag_themes([text], **kw).iloc[0]
    return {c for c in row.index if c != "language" and row[c]}


# --- tag_themes: Finnish inflection and compounds ----------------------------


@pytest.mark.parametrize(
    "text, theme",
    [
        # the four forms of "viestintä" from the issue
        ("Viestintä on selkeää.", "communication"),
        ("Viestinnässä on parannettavaa.", "communication"),
        ("Olemme tyytyväisiä viestintään.", "communication"),
        ("Viestinnän pitäisi olla avoimempaa.", "communication"),
        ("Viestinnällä on iso merkitys.", "communication"),
        ("Tiedottamisessa on puutteita.", "communication"),
        # compounds, inflected
        ("Asiakaspalvelussa oli pitkät jonot.", "support"),
        ("Asiakaspalveluun on vaikea saada yhteyttä.", "support"),
        ("Asiakastukeen ei saa yhteyttä.", "support"),  # asiakas|tuki
        ("Tukipyyntöihin vastataan hitaasti.", "support"),  # tuki|pyyntö
        ("Hinnoittelu on epäselvää.", "price"),
        ("Hinnoittelussa on parannettavaa.", "price"),
        ("Hintataso on liian korkea.", "price"),  # hinta|taso
        ("Hinnat nousivat taas.", "price"),
        ("Hinnasta ei ollut kerrottu etukäteen.", "price"),
        ("Liian kallista meille.", "price"),
        ("Vasteaika on liian pitkä.", "response_speed"),
        ("Vasteajat ovat venyneet.", "response_speed"),
        ("Vasteajoissa on parannettavaa.", "response_speed"),
        ("Vastaukset tulevat nopeasti.", "response_speed"),
        ("Nopeus on hyvä.", "response_speed"),
        ("Yhteydenpidossa on puutteita.", "follow_up"),
        ("Yhteydenpito on ollut säännöllistä.", "follow_up"),
        ("Seurannassa on kehitettävää.", "follow_up"),
        ("Asioihin ei palata palaverin jälkeen.", "follow_up"),  # word gap, word order
        ("Odotukset täyttyivät hyvin.", "meeting_expectations"),
        ("Odotuksemme ylittyivät.", "meeting_expectations"),
        ("Odotuksiamme ei täytetty.", "meeting_expectations"),  # possessive suffix
        ("Henkilökohtainen palvelu on parasta.", "personal_attention"),
        ("Arvostamme henkilökohtaista palvelua.", "personal_attention"),
        ("Toivoisin henkilökohtaisempaa palvelua.", "personal_attention"),  # comparative
        ("Laatu on erinomaista.", "quality"),
        ("Laadussa on ollut ongelmia.", "quality"),
        ("Laatuongelmia on liikaa.", "quality"),  # laatu|ongelma
        ("Tuki toimii hyvin.", "support"),
        ("Tuessa on osaavia ihmisiä.", "support"),
        ("Järjestelmä on helppokäyttöinen.", "ease_of_use"),
        ("Käyttö on helppoa.", "ease_of_use"),
        ("Helppous ratkaisee.", "ease_of_use"),
    ],
)
def test_finnish_inflected_and_compound_forms_hit_their_theme(text, theme):
    assert theme in themes_of(text)


@pytest.mark.parametrize(
    "text, theme",
    [
        ("Communication could be better.", "communication"),
        ("They never communicated the changes.", "communication"),
        ("Response time is too long.", "response_speed"),
        ("They respond quickly.", "response_speed"),
        ("It takes days to get an answer.", "response_speed"),
        ("Nobody followed up after the meeting.", "follow_up"),
        ("Please follow them up.", "follow_up"),  # a word between follow and up
        ("The project exceeded our expectations.", "meeting_expectations"),
        ("Very personal service.", "personal_attention"),
        ("Prices are too high.", "price"),
        ("Great value for money.", "price"),
        ("Quality has dropped.", "quality"),
        ("Customer service was great.", "support"),
        ("Easy to use.", "ease_of_use"),
    ],
)
def test_english_forms_hit_their_theme(text, theme):
    assert theme in themes_of(text)


@pytest.mark.parametrize(
    "text, expected",
    [
        # Finnish inflections, derivations and compounds a researcher expects to hit
        ("Hinnoittelussa olisi parantamisen varaa.", {"price"}),
        ("Hintataso on noussut.", {"price"}),
        ("Toimitte laadukkaasti.", {"quality"}),
        ("Olen tyytyväinen asiakaspalveluun.", {"support"}),
        ("Tukipalvelu vastaa puhelimeen.", {"support"}),
        ("Yhteydenotto jäi tekemättä.", {"follow_up"}),
        ("Vastausaika oli kaksi viikkoa.", {"response_speed"}),
        ("Toivoisin että toimisitte nopeammin.", {"response_speed"}),
        ("Vastasitte odotuksiin.", {"meeting_expectations"}),
        ("Vastasitte odotuksiimme.", {"meeting_expectations"}),  # illative + possessive
        ("Minua palveltiin henkilökohtaisesti.", {"personal_attention"}),
        ("Sovellus kaatuilee.", {"quality"}),
        ("Järjestelmää on vaikea käyttää.", {"ease_of_use"}),
        ("Saimme palvelun edullisesti.", {"price"}),
        # English variants
        ("They communicate well.", {"communication"}),
        ("Responsiveness could be better.", {"response_speed"}),
        ("A bit pricey.", {"price"}),
        ("Too expensive.", {"price"}),
        ("Nobody followed up.", {"follow_up"}),
        ("It was easy to use.", {"ease_of_use"}),
        ("A very user-friendly portal.", {"ease_of_use"}),
        ("The app keeps crashing.", {"quality"}),
        ("It took too long.", {"response_speed"}),
        # exact sets: no theme beyond the one meant
        ("Viestintä toimi hyvin.", {"communication"}),
        ("Hinta on kohdallaan.", {"price"}),
        ("Kiitos, kaikki hyvin.", set()),
        ("Thank you, all good.", set()),
    ],
)
def test_researcher_expected_forms_hit_exactly_their_theme(text, expected):
    assert themes_of(text) == expected


@pytest.mark.parametrize(
    "text, theme",
    [
        ("Odotusaika puhelimessa oli pitkä.", "meeting_expectations"),  # excluded compound
        ("My personal ID is on file.", "personal_attention"),  # bare "personal" is not a term
        ("Viestintä toimi hyvin.", "price"),
        ("Hinta on kohdallaan.", "communication"),
    ],
)
def test_unrelated_words_do_not_hit(text, theme):
    assert theme not in themes_of(text)


def test_english_and_finnish_in_one_frame_keep_index_and_blanks():
    comments = pd.Series(
        [
            "Viestinnässä on parantamisen varaa.",
            "Great support, fair price.",
            None,
            "   ",
            np.nan,
            "ok",
        ],
        index=[101, 102, 103, 104, 105, 106],
    )
    tags = tag_themes(comments)
    assert list(tags.columns) == DEFAULT_THEMES + ["language"]
    assert list(tags.index) == [101, 102, 103, 104, 105, 106]
    assert all(tags[c].dtype == bool for c in DEFAULT_THEMES)
    assert tags.loc[101, "communication"] and tags.loc[101, "language"] == "fi"
    assert tags.loc[102, "support"] and tags.loc[102, "price"]
    assert tags.loc[102, "language"] == "en"
    assert not tags.loc[[103, 104, 105], DEFAULT_THEMES].to_numpy().any()
    assert tags.loc[[103, 104, 105], "language"].isna().all()
    assert tags.loc[106, "language"] == "und"  # non-blank but no known word


def test_public_name_and_list_input():
    tags = nps.tag_themes(["Hinnat ovat korkeat", "Prices are high"])
    assert tags["price"].tolist() == [True, True]
    assert tags["language"].tolist() == ["fi", "en"]
    assert list(tags.index) == [0, 1]


def test_given_language_and_per_row_languages():
    comments = pd.Series(["support toimii", "tuki on hyvä"], index=["a", "b"])
    assert tag_themes(comments, language="fi")["language"].tolist() == ["fi", "fi"]
    per_row = pd.Series(["EN ", None], index=["a", "b"])  # case and spaces do not matter
    tags = tag_themes(comments, language=per_row)
    assert tags.loc["a", "language"] == "en" and tags.loc["a", "support"]
    assert tags.loc["b", "language"] == "fi" and tags.loc["b", "support"]  # detected


@pytest.mark.parametrize(
    "text, language, expected",
    [
        # English terms inside Finnish comments, as Finnish B2B customers write
        ("Account manager vaihtuu liian usein.", "fi", {"personal_attention"}),
        ("Support toimii hyvin.", "fi", {"support"}),
        ("Helpdesk on nopea mutta pricing on sekava.", "fi", None),
        # two sentences, one in each language: both themes
        ("Asiat hoituvat nopeasti. You keep us well informed.", "en", None),
    ],
)
def test_mixed_language_comments_match_both_lexicons(text, language, expected):
    tags = tag_themes([text])
    assert tags.loc[0, "language"] == language
    found = {c for c in tags.columns if c != "language" and tags.loc[0, c]}
    if expected is None:  # hand-labelled sets for the two-language sentences
        expected = {
            "Helpdesk on nopea mutta pricing on sekava.": {
                "support",
                "response_speed",
                "price",
                "ease_of_use",
            },
            "Asiat hoituvat nopeasti. You keep us well informed.": {
                "response_speed",
                "communication",
            },
        }[text]
    assert found == expected


def test_unknown_language_codes_fall_back_to_und_with_a_counted_warning():
    # a report over real data must not die on one Swedish comment
    comments = pd.Series(
        ["Bra service men priset är högt", "Hinta on liian korkea", None, "Support is great"],
        index=["a", "b", "c", "d"],
    )
    codes = pd.Series(["sv", "fi", "SV", "de"], index=["a", "b", "c", "d"])
    with pytest.warns(UserWarning, match=r"2 comment\(s\).*'sv': 1, 'de': 1.*'und'") as rec:
        tags = tag_themes(comments, language=codes)
    assert len(rec) == 1  # one warning per call, not per comment
    # the blank comment with an unknown code is blank, not counted
    assert tags["language"].tolist()[:2] == ["und", "fi"] and pd.isna(tags.loc["c", "language"])
    # "und" is matched against every lexicon: the English word is found in a "de" row
    assert tags.loc["d", "language"] == "und" and tags.loc["d", "support"]
    assert tags.loc["b", "price"] and not tags.loc["a"].drop("language").any()
    # one code for every comment works the same way
    with pytest.warns(UserWarning, match=r"1 comment\(s\).*'sv': 1"):
        one = tag_themes(["Good price"], language="sv")
    assert one.loc[0, "language"] == "und" and one.loc[0, "price"]
    # "und" given explicitly is a known code: no warning
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert tag_themes(["hinta"], language=["und"]).loc[0, "price"]
    with pytest.raises(ValueError, match="use 'auto'"):
        tag_themes(["x"], language="")


def test_custom_yaml_lexicon(tmp_path):
    path = tmp_path / "themes.yml"
    path.write_text(
        "parking:\n"
        "  label: {en: Parking, fi: Pysäköinti}\n"
        "  terms:\n"
        "    en: [parking, car park]\n"
        "    fi: [pysäköinti, parkkipaikka]\n"
        "opening_hours:\n"
        "  label: Opening hours\n"
        "  terms:\n"
        "    en: [opening hours, open late]\n"
        "    fi: [aukioloaika]\n",
        encoding="utf-8",
    )
    tags = tag_themes(
        [
            "Pysäköinnissä on ongelmia.",
            "Parkkipaikkoja ei ole tarpeeksi.",
            "The car park is always full.",
            "Aukioloajat ovat hyvät.",
            "Great opening hours.",
            "Hinta on hyvä.",
        ],
        themes=path,
    )
    assert list(tags.columns) == ["parking", "opening_hours", "language"]
    assert tags["parking"].tolist() == [True, True, True, False, False, False]
    assert tags["opening_hours"].tolist() == [False, False, False, True, True, False]
    assert tags.attrs["labels"] == {"parking": "Parking", "opening_hours": "Opening hours"}
    # the same structure as a dict
    same = tag_themes(["Pysäköinnissä on ongelmia."], themes=load_themes(path))
    assert same["parking"].tolist() == [True]


def test_lexicon_file_edited_between_calls_is_read_afresh(tmp_path):
    # the parsed and compiled lexicons are kept between calls, keyed by content
    path = tmp_path / "themes.yml"
    path.write_text("parking:\n  label: Parking\n  terms: {en: [parking]}\n", encoding="utf-8")
    assert tag_themes(["No parking"], themes=path)["parking"].tolist() == [True]
    path.write_text("parking:\n  label: Parking\n  terms: {en: [garage]}\n", encoding="utf-8")
    tags = tag_themes(["No parking", "The garage"], themes=path)
    assert tags["parking"].tolist() == [False, True]
    # a caller changing what load_themes returned changes no later call
    first = load_themes(path)
    first["parking"]["terms"]["en"] = ("bicycle",)
    first["parking"]["label"] = "Bicycles"
    again = load_themes(path)["parking"]
    assert again == {"label": "Parking", "terms": {"en": ("garage",)}, "exclude": {}}
    default = load_themes()
    default.pop("price")
    default["support"]["terms"].clear()
    assert "price" in load_themes() and load_themes()["support"]["terms"]


@pytest.mark.parametrize(
    "spec, message",
    [
        ({"Bad Id": {"terms": {"en": ["x"]}}}, "snake_case"),
        ({"price": {"label": "Price"}}, "missing 'terms'"),
        ({"price": {"terms": ["price"]}}, "mapping of language codes"),
        ({"price": {"terms": {"en": "price"}}}, r"\[en\]: expected a non-empty list"),
        ({"price": {"terms": {"en": ["price", 3]}}}, r"item 1: 3 is not a word"),
        ({"price": {"terms": {"english": ["price"]}}}, "not a language code"),
        ({"price": {"terms": {"xx": ["price"]}}}, "no dictionary for 'xx'; supported: .*fi"),
        ({"price": {"terms": {"en": ["x"]}, "colour": "red"}}, "unknown key"),
        ({"language": {"terms": {"en": ["x"]}}}, "reserved"),
        ([], "expected a mapping"),
    ],
)
def test_bad_lexicon_is_a_clear_error(spec, message):
    with pytest.raises(ValueError, match=message):
        tag_themes(["x"], themes=spec)


def test_bad_yaml_file(tmp_path):
    path = tmp_path / "bad.yml"
    path.write_text("price: [unclosed", encoding="utf-8")
    with pytest.raises(ValueError, match="bad.yml: not valid YAML"):
        load_themes(path)
    with pytest.raises(FileNotFoundError, match="missing.yml"):
        load_themes(tmp_path / "missing.yml")


def test_default_lexicon_has_both_languages_and_labels():
    lex = load_themes()
    assert list(lex) == DEFAULT_THEMES
    for spec in lex.values():
        assert set(spec["terms"]) == {"en", "fi"}
        assert set(spec["label"]) == {"en", "fi"}


# --- theme_impact --------------------------------------------------------------


def ten_rows():
    df = pd.DataFrame(
        {
            "recommend": [10, 9, 9, 8, 7, 6, 3, 10, np.nan, 2],
            "comment": ["c", "c", None, "c", None, "c", "c", "c", "c", None],
        }
    )
    tags = pd.DataFrame(
        {
            "price": [True, False, False, True, False, True, True, False, True, False],
            "support": [False, True, False, False, False, True, False, True, False, False],
        }
    )
    tags["language"] = pd.Series(np.where(df["comment"].isna(), None, "en"), dtype="str")
    return df, tags


def test_theme_impact_equals_hand_computation():
    df, tags = ten_rows()
    out = theme_impact(df, tags, n_resamples=0, min_n=3)
    # Row 8 has a blank score: left out.  The 9 scored rows are
    #   promoters rows 0, 1, 2, 7 (4); passives 3, 4 (2); detractors 5, 6, 9 (3)
    #   NPS = 100 * (4 - 3) / 9 = 11.111
    # Commenters among them: rows 0, 1, 3, 5, 6, 7 = 6.
    # price: rows 0 (P), 3 (pass), 5 (D), 6 (D) -> 4 mentions, 4/6 = 66.667 %
    #   NPS mentioning = 100 * (1 - 2) / 4 = -25
    #   the rest: rows 1 (P), 2 (P), 4 (pass), 7 (P), 9 (D) -> 100 * (3 - 1) / 5 = 40
    #   impact = 11.111 - 40 = -28.889
    # support: rows 1 (P), 5 (D), 7 (P) -> 3 mentions, 3/6 = 50 %
    #   NPS mentioning = 100 * (2 - 1) / 3 = 33.333
    #   the rest: rows 0 (P), 2 (P), 3, 4 (pass), 6 (D), 9 (D) -> 100 * (2 - 2) / 6 = 0
    #   impact = 11.111 - 0 = 11.111
    assert out["theme"].tolist() == ["support", "price"]  # largest impact first
    exp = pd.DataFrame(
        {
            "theme": ["support", "price"],
            "mentions": [3, 4],
            "share_of_commenters": [50.0, 400 / 6],
            "nps_mentioning": [100 / 3, -25.0],
            "nps_rest": [0.0, 40.0],
            "impact": [100 / 9, 100 / 9 - 40],
        }
    )
    pd.testing.assert_frame_equal(out[exp.columns], exp, check_dtype=False)
    assert out["below_min_n"].tolist() == [False, False]  # at least 3 mentions
    # with the default min_n (5) both themes are too rarely mentioned to show an NPS
    small = theme_impact(df, tags, n_resamples=0)
    assert small["below_min_n"].all() and small["suppressed"].all()
    assert small[["nps_mentioning", "nps_rest", "impact"]].isna().all().all()
    assert small.set_index("theme").loc[["support", "price"], "mentions"].tolist() == [3, 4]
    assert out.attrs["excluded_blank"] == 1
    assert out.attrs["n"] == 9 and out.attrs["commenters"] == 6
    assert out.attrs["nps"] == pytest.approx(100 / 9)
    assert out["ci_low"].isna().all()  # no resamples, no interval
    # the same counts with the comment column instead of the language column
    by_comment = theme_impact(
        df, tags.drop(columns="language"), comment="comment", n_resamples=0, min_n=3
    )
    pd.testing.assert_frame_equal(by_comment, out)


def test_theme_impact_matches_scoring_nps():
    df, tags = ten_rows()
    out = theme_impact(df, tags, n_resamples=0, min_n=3).set_index("theme")
    scored = df["recommend"].notna()
    for theme in ("price", "support"):
        m = tags[theme] & scored
        rest = ~tags[theme] & scored
        assert out.loc[theme, "nps_mentioning"] == pytest.approx(nps.nps(df["recommend"][m]))
        assert out.loc[theme, "nps_rest"] == pytest.approx(nps.nps(df["recommend"][rest]))
        assert out.loc[theme, "impact"] == pytest.approx(
            nps.nps(df["recommend"]) - nps.nps(df["recommend"][rest])
        )


def bootstrap_frame(rng, n=150):
    df = pd.DataFrame({"recommend": rng.integers(0, 11, n).astype(float)})
    price = rng.random(n) < 0.3
    support = rng.random(n) < 0.2
    # price commenters are unhappier
    df.loc[price, "recommend"] = np.minimum(df.loc[price, "recommend"], 7)
    tags = pd.DataFrame({"price": price, "support": support, "language": "en"})
    return df, tags


def test_bootstrap_interval_contains_estimate_and_is_reproducible(rng):
    df, tags = bootstrap_frame(rng)
    a = theme_impact(df, tags, n_resamples=2000, rng=SEED_BOOT)
    b = theme_impact(df, tags, n_resamples=2000, rng=SEED_BOOT)
    pd.testing.assert_frame_equal(a, b)
    assert (a["ci_low"] <= a["impact"]).all() and (a["impact"] <= a["ci_high"]).all()
    assert (a["ci_high"] - a["ci_low"] > 0).all()
    c = theme_impact(df, tags, n_resamples=2000, rng=SEED_BOOT + 1)
    assert not np.allclose(a["ci_low"], c["ci_low"])  # the seed matters


def test_bootstrap_equals_brute_force_row_resampling(rng):
    """The pooled-cell multinomial bootstrap has the same distribution as
    resampling rows: compare percentile limits with a brute-force loop."""
    df, tags = bootstrap_frame(rng)
    fast = theme_impact(df, tags, n_resamples=8000, rng=SEED_BOOT).set_index("theme")
    score = df["recommend"].to_numpy()
    value = np.where(score >= 9, 100.0, np.where(score <= 6, -100.0, 0.0))
    gen = np.random.default_rng(SEED_BOOT + 2)
    idx = gen.integers(0, len(df), size=(8000, len(df)))
    for theme in ("price", "support"):
        rest = ~tags[theme].to_numpy()
        v, r = value[idx], rest[idx]
        with np.errstate(invalid="ignore"):
            boot = v.mean(axis=1) - (v * r).sum(axis=1) / r.sum(axis=1)
        low, high = np.nanquantile(boot, [0.025, 0.975])
        # Monte Carlo error of a 2.5 % quantile with 8000 resamples is ~0.3 points here
        assert fast.loc[theme, "ci_low"] == pytest.approx(low, abs=1.0)
        assert fast.loc[theme, "ci_high"] == pytest.approx(high, abs=1.0)


def test_theme_impact_bad_input():
    df, tags = ten_rows()
    with pytest.raises(KeyError, match="score column 'score' not in the data"):
        theme_impact(df, tags, score="score")
    with pytest.raises(ValueError, match="index differs first at position 0"):
        theme_impact(df, tags.set_axis(range(10, 20)))
    with pytest.raises(ValueError, match="themes has 9 rows but df has 10"):
        theme_impact(df, tags.iloc[:9])
    with pytest.raises(ValueError, match="'price' is int64, expected booleans"):
        theme_impact(df, tags.assign(price=tags["price"].astype(int)))
    with pytest.raises(ValueError, match="confidence_level"):
        theme_impact(df, tags, confidence_level=95)
    bad = df.assign(recommend=df["recommend"].replace(2, 12))
    with pytest.raises(ValueError, match="recommend: 1 value"):
        theme_impact(bad, tags)


def test_theme_impact_theme_nobody_mentions():
    df, tags = ten_rows()
    tags["ease_of_use"] = False
    out = theme_impact(df, tags, n_resamples=200, rng=SEED_BOOT).set_index("theme")
    row = out.loc["ease_of_use"]
    assert row["mentions"] == 0 and row["impact"] == 0.0
    assert np.isnan(row["nps_mentioning"])
    assert row["ci_low"] == 0.0 and row["ci_high"] == 0.0


# --- redact ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Mail me at anna.korhonen65@example.fi.", "Mail me at [email]."),
        ("john_smith+nps@mail.example.co.uk please", "[email] please"),
        ("Soita +358 40 123 4567 kiitos", "Soita [phone] kiitos"),
        ("Soita +358401234567.", "Soita [phone]."),
        ("Numero 040-1234567", "Numero [phone]"),
        ("Numero 040 123 4567", "Numero [phone]"),
        ("Vaihde 09 1234 5678", "Vaihde [phone]"),
        ("Call (555) 123-4567 today", "Call [phone] today"),
        ("Call 555-123-4567", "Call [phone]"),
        ("Call +1 (555) 123-4567", "Call [phone]"),
        ("Hetu 131052-308T.", "Hetu [id]."),  # the example of the Finnish authorities
        ("ID 050292-240A and 060369-878D", "ID [id] and [id]"),
    ],
)
def test_redact_removes_personal_data(text, expected):
    assert redact(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "I give them 9/10 and 10/10 next year.",
        "Customer since 2019, renewed in 2023.",
        "Prices rose 2019-2023 by 15 %.",
        "We paid 12 500 euros, order 12345678.",
        "Meeting on 01.10.2023 at 09.30-10.30.",
        "Invalid check character 131052-308U stays.",
        "Version 3.14.159 and 5 years.",
    ],
)
def test_redact_keeps_ordinary_numbers(text):
    assert redact(text) == text


HETU_ALPHABET = "0123456789ABCDEFHJKLMNPRSTUVWXY"  # published by the Finnish authorities


def hetu(ddmmyy: str, sign: str, nnn: str) -> str:
    """A Finnish identity code with its check character, from the published rule."""
    return f"{ddmmyy}{sign}{nnn}{HETU_ALPHABET[int(ddmmyy + nnn) % 31]}"


@pytest.mark.parametrize("sign", list("+-YXWVUABCDEF"))  # 1800s, 1900s, 2000s (2023 reform)
def test_redact_identity_codes_with_every_century_sign(sign):
    code = hetu("010594", sign, "902")
    assert redact(f"Tunnukseni {code}, kiitos.") == "Tunnukseni [id], kiitos."
    assert redact(f"id:{code.lower()}") == "id:[id]"  # lower case is still a code
    # a wrong check character is not a valid code and is left alone
    wrong = code[:-1] + ("H" if code[-1] != "H" else "J")
    assert redact(f"ref {wrong}") == f"ref {wrong}"
    assert redact(f"x {code[:6]}G{code[7:]}") == f"x {code[:6]}G{code[7:]}"  # no sign G


@pytest.mark.parametrize(
    "text, expected",
    [
        ("first.last+nps@mail.sub.example.co.uk", "[email]"),
        ("<Anna.K-P@example-domain.fi>.", "<[email]>."),
        ("MATTI@YRITYS.FI kiitos", "[email] kiitos"),
        ("soita 0401234567", "soita [phone]"),
        ("soita 040-123 4567", "soita [phone]"),
        ("soita 040 12 34 567", "soita [phone]"),
        ("soita 040.123.4567", "soita [phone]"),
        ("+358401234567", "[phone]"),
        ("+358 (0)40 123 4567", "[phone]"),
        ("puh 050 1234567", "puh [phone]"),
        ("tel +44 20 7946 0958", "tel [phone]"),
        ("ring +46 8 123 456 78", "ring [phone]"),
        # the Finnish banks' published example IBAN (valid check digits)
        ("tilille FI21 1234 5600 0007 85", "tilille [iban]"),
        ("tilille FI2112345600000785", "tilille [iban]"),
        # Finnish forms people write: no plus, a slash, a lower-case IBAN, ä in an address
        ("soita 358401234567 kiitos", "soita [phone] kiitos"),
        ("soita 358 40 123 4567", "soita [phone]"),
        ("Soita +358 40 123 4567", "Soita [phone]"),
        ("numero 040/1234567.", "numero [phone]."),
        ("vaihde 09/123 4567", "vaihde [phone]"),
        ("tilille fi21 1234 5600 0007 85", "tilille [iban]"),
        ("tilille fi2112345600000785 kiitos", "tilille [iban] kiitos"),
        ("jääskeläinen@esimerkki.fi", "[email]"),
        ("Meili: Äijä.Öhman@yritys.fi.", "Meili: [email]."),
    ],
)
def test_redact_tricky_contact_details(text, expected):
    assert redact(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "NPS 9/10, 10/10 next time",
        "Since 2019, 2020 and 2023.",
        "Hinta 49,90 € ja 1 299,00 €, alv 25,5 %.",
        "€1,299.00 or 1299 euros",
        "Meeting 23.11.2025, 2025-11-23 or 23/11/2025.",
        "Order 123456789, tilaus 20251123-001, invoice INV-2025-000123.",
        "Auki klo 9.00-16.00.",
        "Y-tunnus 1234567-8.",
        "Versio 2.3.1, 12 000 euroa, 1 000 000 users, 20 % cheaper.",
        "IBAN-like FI21 1234 5600 0007 86 with a wrong check stays.",
        "Postinumero 00100 Helsinki.",
        "NPS 0/10 2024, gave 2 of 3 times 9/10 in 01/2025.",
        "Order 3581234567, kausi 2024/2025, 35800 euroa.",
        "iban-like fi21 1234 5600 0007 86 with a wrong check stays.",
        "Kysely 1/2025 ja 10/10 vastausta.",
    ],
)
def test_redact_does_not_touch_ordinary_numbers(text):
    assert redact(text) == text


def test_redact_handles_missing_and_series():
    assert redact(None) is None
    assert np.isnan(redact(np.nan))
    s = pd.Series(["a@b.fi", None, "ok"], index=[5, 6, 7])
    out = redact(s)
    assert out.tolist()[0] == "[email]" and out.isna().tolist() == [False, True, False]
    assert list(out.index) == [5, 6, 7]
    with pytest.raises(TypeError, match="expects text"):
        redact(123)


def test_hetu_check_character_by_hand():
    # 131052-308T: 131052308 = 31 * 4227493 + 25, and character 25 of
    # "0123456789ABCDEFHJKLMNPRSTUVWXY" is "T".
    assert 131052308 % 31 == 25
    assert "0123456789ABCDEFHJKLMNPRSTUVWXY"[25] == "T"
    assert redact("131052-308T") == "[id]"
    assert redact("131052A308T") == "[id]"  # 2000s century sign
    assert redact("131352-308T") == "131352-308T"  # month 13


# --- theme_quotes ------------------------------------------------------------------

PII = re.compile(r"@|\+358|\d{3}-\d{4}|\d{6}[-+A]\d{3}\w")


def quote_frame():
    df = pd.DataFrame(
        {
            "comment": [
                "Hinta on liian korkea, soita 040-1234567",
                "Price is fair. Mail: a.b@example.com",
                "Hinnat ok. Hetu 131052-308T",
                "Too expensive for us",
                "Expensive but worth it",
                "Price ok",
                "Price ok",  # a duplicate: shown once
                "Great support",
                None,
            ],
            "recommend": [2, 10, 8, 5, 9, 7, 7, 10, 3],
            "email": ["x@y.fi"] * 9,
        }
    )
    tags = tag_themes(df["comment"])
    return df, tags


def test_quotes_are_redacted_tidy_and_reproducible():
    df, tags = quote_frame()
    q = theme_quotes(df, tags, per_group=5, rng=SEED_QUOTES)
    assert list(q.columns) == ["theme", "category", "quote", "score"]
    assert not q["quote"].str.contains(PII).any()
    assert not q["quote"].str.contains("x@y.fi", regex=False).any()
    price = q[q["theme"] == "price"]
    counts = price["category"].value_counts().to_dict()
    assert counts == {"detractor": 2, "passive": 2, "promoter": 2}
    assert (price["quote"] == "Price ok").sum() == 1
    assert "Hinta on liian korkea, soita [phone]" in set(price["quote"])
    pd.testing.assert_frame_equal(q, theme_quotes(df, tags, per_group=5, rng=SEED_QUOTES))
    one = theme_quotes(df, tags, per_group=1, rng=SEED_QUOTES)
    assert one.groupby(["theme", "category"], observed=True).size().max() == 1


def test_a_theme_fewer_than_min_n_mention_gets_no_quote():
    """theme_impact hides the NPS of a theme fewer than min_n mention; one quote a
    category (with its score) would give it away, so such a theme is not quoted."""
    df, tags = quote_frame()
    mentions = theme_impact(df, tags, n_resamples=0).set_index("theme")["mentions"]
    assert mentions["support"] == 1 and mentions["price"] >= 5
    quoted = set(theme_quotes(df, tags, rng=SEED_QUOTES)["theme"])
    assert "price" in quoted and "support" not in quoted
    assert "support" in set(theme_quotes(df, tags, rng=SEED_QUOTES, min_n=1)["theme"])
    with pytest.raises(ValueError, match="min_n"):
        theme_quotes(df, tags, min_n=-1)


def test_quotes_bad_input():
    df, tags = quote_frame()
    with pytest.raises(KeyError, match="comment column 'text' not in the data"):
        theme_quotes(df, tags, comment="text")
    with pytest.raises(ValueError, match="per_group"):
        theme_quotes(df, tags, per_group=0)


# --- the example survey and public data ------------------------------------------


def test_example_survey_tagging_against_ground_truth():
    from nps_toolkit import datasets

    df = datasets.example_survey("b2b-annual", seed=0)
    tags = tag_themes(df["comment"])
    has = df["comment"].notna()
    assert (tags.loc[has, "language"] == df.loc[has, "language"]).mean() > 0.97
    truth = np.column_stack([(df["comment_theme"] == t).to_numpy() for t in DEFAULT_THEMES])
    pred = tags[DEFAULT_THEMES].to_numpy()
    recall = (truth & pred).sum() / truth.sum()
    precision = (truth & pred).sum() / pred.sum()
    # measured 0.98 and 0.95 (see the report); the margin absorbs data changes
    assert recall > 0.9
    assert precision > 0.85
    for i, theme in enumerate(DEFAULT_THEMES):
        if truth[:, i].sum() >= 20:
            assert (truth[:, i] & pred[:, i]).sum() / truth[:, i].sum() > 0.8, theme


def test_example_survey_quotes_and_impact_carry_no_contact_details():
    from nps_toolkit import datasets

    df = datasets.example_survey("b2b-annual", seed=0)
    tags = tag_themes(df["comment"])
    q = theme_quotes(df, tags, per_group=50, rng=SEED_QUOTES)
    assert len(q) > 50
    assert not q["quote"].str.contains(PII).any()
    emails = set(df["email"].dropna())
    assert not any(e in quote for quote in q["quote"] for e in emails)
    if "comment_pii" in df.columns:  # every planted e-mail, phone and hetu is removed
        planted = df["comment"][df["comment_pii"].notna()]
        assert len(planted) > 0
        assert not planted.map(redact).str.contains(PII).any()
    impact = theme_impact(df, tags, n_resamples=200, rng=SEED_BOOT)
    assert set(impact["theme"]) == set(DEFAULT_THEMES)
    assert impact.attrs["excluded_blank"] == int(df["recommend"].isna().sum())


def test_public_shopping_survey_comments(public_data):
    df = pd.read_csv(public_data / "ezrsurvey_shopping_survey.csv")
    tags = tag_themes(df["comment"])
    has = df["comment"].notna()
    assert (tags.loc[has, "language"] == "en").all()
    assert tags.loc[~has, "language"].isna().all()
    # hand-read sentences of that file
    by_text = dict(zip(df["comment"], tags.index, strict=True))

    def hit(text):
        row = tags.loc[by_text[text]]
        return {t for t in DEFAULT_THEMES if row[t]}

    assert "price" in hit(
        "The draper's calico, though modestly priced, has proven durable through many years of use."
    )
    assert "response_speed" in hit(
        "I was quite impressed by the promptness with which my account error was rectified."
    )
    assert "quality" in hit(
        "The grocer's tea has become so expensive and poor in quality that I have shifted my business entirely."
    )
    assert tags.loc[has, DEFAULT_THEMES].any(axis=1).mean() > 0.35
    impact = theme_impact(df, tags, n_resamples=200, rng=SEED_BOOT)
    assert impact.attrs["n"] == int(df["recommend"].notna().sum())


# --- figure ---------------------------------------------------------------------------


def test_theme_impact_plot(rng):
    from nps_toolkit.plots import theme_impact_plot

    df, tags = bootstrap_frame(rng)
    impact = theme_impact(df, tags, n_resamples=200, rng=SEED_BOOT)
    ax = theme_impact_plot(impact)
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert len(labels) == 2 and labels[-1].startswith(
        "Price" if impact["theme"].iloc[0] == "price" else "Support"
    )
    assert len(ax.collections) == 1  # the whiskers
    with pytest.raises(ValueError, match="missing column"):
        theme_impact_plot(impact.drop(columns="impact"))


# --- a survey's own lexicon ---------------------------------------------------


@pytest.mark.parametrize(
    "text, message",
    [
        ("parking:\n  terms: {en: [parking]}\n", r"own.yml: theme 'parking': missing 'label'"),
        ("parking:\n  label: ''\n  terms: {en: [parking]}\n", r"theme 'parking': 'label' must"),
        ("parking:\n  label: {en: ''}\n  terms: {en: [x]}\n", r"'parking' label \[en\]"),
        ("parking:\n  label: P\n  terms: {en: []}\n", r"'parking' terms \[en\]: expected a non"),
        ("parking:\n  label: P\n  terms: {}\n", r"'parking' terms: expected a mapping"),
        ("parking:\n  label: P\n  words: {en: [x]}\n", r"'parking': unknown key\(s\) \['words'\]"),
        (
            "parking:\n  label: P\n  terms: {en: [x]}\nparking:\n  label: Q\n  terms: {en: [y]}\n",
            r"own.yml: not valid YAML: .*duplicate key 'parking'",
        ),
        ("parking:\n  label: P\n  terms: {en: [x], en: [y]}\n", "duplicate key 'en'"),
        ("- parking\n", "expected a mapping of theme ids"),
    ],
)
def test_lexicon_file_errors_name_the_file_and_the_theme(tmp_path, text, message):
    path = tmp_path / "own.yml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match=message):
        load_themes(path)
    with pytest.raises(ValueError, match=message):
        load_themes(path, mode="extend")


def test_extend_adds_to_the_default_lexicon_and_replace_does_not(tmp_path):
    path = tmp_path / "own.yml"
    path.write_text(
        "parking:\n  label: Parking\n  terms: {en: [parking]}\n"
        "price:\n  label: Ticket price\n  terms: {en: [ticket price]}\n",
        encoding="utf-8",
    )
    extended = load_themes(path, mode="extend")
    assert list(extended) == DEFAULT_THEMES + ["parking"]  # price keeps its place
    assert extended["price"]["label"] == "Ticket price"  # and is the survey's own
    assert extended["price"]["terms"] == {"en": ("ticket price",)}
    assert list(load_themes(path)) == ["parking", "price"]
    assert list(load_themes(path, mode="replace")) == ["parking", "price"]
    tags = tag_themes(
        ["Parking was hard", "Ticket price too high", "Slow support"], themes=extended
    )
    assert tags["parking"].tolist() == [True, False, False]
    assert tags["price"].tolist() == [False, True, False]
    assert tags["support"].tolist() == [False, False, True]
    with pytest.raises(ValueError, match="mode must be"):
        load_themes(path, mode="merge")


def test_a_dict_lexicon_may_leave_out_the_label():
    assert (
        load_themes({"opening_hours": {"terms": {"en": ["open"]}}})["opening_hours"]["label"]
        == "Opening hours"
    )


# --- hand-coded themes ----------------------------------------------------------


def coded_survey():
    return pd.DataFrame(
        {
            "recommend": [10, 2, 9, 8, 3, 10, 6, None],
            "comment": ["Great price", "Too slow", "Fair price", "", None, "Fast!", "Slow", "x"],
            "price": [1, 0, 1, 0, None, 0, 0, 1],
            "speed": [0, 1, 0, None, None, 1, True, 0],
        }
    )


def test_hand_coded_themes_without_tagging():
    df = coded_survey()
    out = theme_impact(
        df, theme_columns=["price", "speed"], comment="comment", n_resamples=0, min_n=1
    ).set_index("theme")
    # scored respondents: rows 0-6; commenters among them: rows 0, 1, 2, 5, 6 (3 and 4 blank)
    assert out.attrs["commenters"] == 5
    assert out.loc["price", "mentions"] == 2 and out.loc["speed", "mentions"] == 3
    assert out.loc["price", "share_of_commenters"] == pytest.approx(100 * 2 / 5)
    assert out.loc["speed", "share_of_commenters"] == pytest.approx(100 * 3 / 5)
    # NPS of the 7 answers (10, 2, 9, 8, 3, 10, 6): 3 promoters, 3 detractors -> 0;
    # without the price commenters (rows 0, 2): 2, 8, 3, 10, 6 -> (1 - 3) / 5 = -40
    assert out.loc["price", "nps_rest"] == pytest.approx(-40.0)
    assert out.loc["price", "impact"] == pytest.approx(0 - (-40.0))
    # the same numbers as from an equivalent tag_themes frame
    tags = pd.DataFrame(
        {
            "price": df["price"].fillna(0).astype(bool),
            "speed": df["speed"].fillna(0).astype(bool),
            "language": pd.Series(["en", "en", "en", None, None, "en", "en", "en"], dtype="str"),
        }
    )
    same = theme_impact(df, tags, n_resamples=0, min_n=1).set_index("theme")
    pd.testing.assert_frame_equal(out, same, check_like=True)


def test_hand_coded_themes_bad_input():
    df = coded_survey()
    with pytest.raises(ValueError, match=r"theme column 'price': rows \[1\] hold \[2\]"):
        theme_impact(df.assign(price=[1, 2, 0, 0, 0, 0, 0, 0]), theme_columns=["price"])
    with pytest.raises(ValueError, match=r"'speed' is 1 on rows \[3\], whose comment"):
        theme_impact(
            df.assign(speed=[0, 0, 0, 1, 0, 0, 0, 0]), theme_columns=["speed"], comment="comment"
        )
    with pytest.raises(KeyError, match="theme column"):
        theme_impact(df, theme_columns=["nope"])
    with pytest.raises(ValueError, match="not both"):
        theme_impact(df, tag_themes(df["comment"]), theme_columns=["price"])
    with pytest.raises(TypeError, match="needs themes"):
        theme_impact(df)
    # without a comment column, a respondent with any coded value is a commenter
    out = theme_impact(df, theme_columns=["price", "speed"], n_resamples=0)
    assert out.attrs["commenters"] == 6  # rows 0-3, 5, 6 coded; row 4 all blank
    coded = nps.coded_themes(df, ["price"], comment="comment")
    quotes = theme_quotes(df, coded, rng=1, min_n=1)
    assert set(quotes["theme"]) == {"price"}


def test_report_comments_section_with_hand_coded_themes_terms_and_sentiment():
    from nps_toolkit.reporting import sections

    df = coded_survey().iloc[:7]
    s = sections.Settings(comment="comment", theme_columns=("price", "speed"), min_n=1,
                          n_resamples=0, language="en")  # fmt: skip
    found = sections.comments(df, s)
    assert set(found.impact["theme"]) == {"price", "speed"}
    assert found.commenters == 5  # rows 3 and 4 have blank comments
    speed = found.impact.set_index("theme").loc["speed"]
    # speed: "Too slow" (negative), "Fast!" (positive), "Slow" (negative)
    assert speed["share_negative"] == pytest.approx(200 / 3)
    assert speed["share_positive"] == pytest.approx(100 / 3)
    assert {"side", "term", "themes", "covered"} <= set(found.terms.columns)
    # no comment column at all: the coded themes alone
    alone = sections.comments(df.drop(columns="comment"), s)
    assert alone.commenters == 6 and "share_negative" not in alone.impact.columns


def test_tag_themes_refuses_a_table_instead_of_tagging_its_rows_as_one_comment():
    import duckdb

    class DataFrame:  # looks like a pyspark DataFrame: no silent one-row result
        columns = ["comment"]

    DataFrame.__module__ = "pyspark.sql.dataframe"
    for table in (DataFrame(), duckdb.sql("SELECT 'slow app' AS comment")):
        with pytest.raises(TypeError, match="read the comment column first"):
            nps.tag_themes(table)


@pytest.mark.filterwarnings("ignore::FutureWarning")
def test_spark_tag_themes_refuses_a_spark_table_or_column(spark):
    # a real Spark DataFrame and Column: refused, never tagged as one comment
    sdf = spark.createDataFrame(pd.DataFrame({"comment": ["slow app", "great support"]}))
    for table in (sdf, sdf["comment"], sdf.select("comment")):
        with pytest.raises(TypeError, match=r"read the comment column first.*toPandas"):
            nps.tag_themes(table)


def test_theme_impact_counts_the_commenters_no_theme_covers():
    # 5 respondents: 4 commented (one blank), 2 of those mention a theme, 2 none
    df = pd.DataFrame({"recommend": [10, 2, 9, 8, 7]})
    tags = pd.DataFrame(
        {
            "price": [True, False, False, False, False],
            "support": [True, True, False, False, False],
            "language": ["en", "en", "en", "fi", None],
        }
    )
    out = nps.theme_impact(df, tags, n_resamples=0, min_n=1)
    assert out.attrs["commenters"] == 4
    assert out.attrs["uncovered"] == 2
    assert out.attrs["uncovered_share"] == pytest.approx(50.0)


def test_theme_impact_misspelled_score_suggests_the_closest():
    df, tags = ten_rows()
    with pytest.raises(ValueError, match=r"'recomend' not in the data; did you mean 'recommend'\?"):
        theme_impact(df, tags, score="recomend")


def test_missing_columns_are_named_with_the_closest():
    # a bare KeyError listing every column before; now ColumnError (a ValueError too)
    from nps_toolkit._validation import ColumnError

    df, tags = coded_survey(), tag_themes(coded_survey()["comment"])
    cases = [
        (lambda: nps.coded_themes(df, ["prize"]), "theme column 'prize'", "'price'"),
        (lambda: nps.coded_themes(df, ["price"], comment="coment"), "comment column", "'comment'"),
        (lambda: theme_impact(df, tags, comment="commnet"), "comment column", "'comment'"),
        (lambda: theme_quotes(df, tags, comment="coment"), "comment column", "'comment'"),
        (lambda: theme_quotes(df, tags, score="recomend"), "score column", "'recommend'"),
    ]
    for call, what, near in cases:
        with pytest.raises(ColumnError) as info:
            call()
        assert isinstance(info.value, ValueError)
        assert str(info.value).startswith(what) and f"did you mean {near}?" in str(info.value)
