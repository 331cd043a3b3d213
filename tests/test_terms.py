"""Tests for nps_toolkit.terms: distinctive terms of detractors and promoters."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import nps_toolkit as nps
from nps_toolkit.terms import distinctive_terms, top_terms


def survey(rows):
    return pd.DataFrame(rows, columns=["recommend", "comment"])


def test_z_scores_equal_a_hand_computation():
    # one word per comment, so the counts are plain:
    #              detractors  passives  promoters  all (= prior alpha)
    #   laskutus        3          0         0          3
    #   hinta           1          0         1          2
    #   toimitus        0          1         2          3
    # n_D = 4, n_P = 3, alpha_0 = 8.  Monroe, Colaresi and Quinn (2008):
    #   delta_w = log((y_D + a_w) / (n_D + a_0 - y_D - a_w))
    #           - log((y_P + a_w) / (n_P + a_0 - y_P - a_w))
    #   var_w   = 1 / (y_D + a_w) + 1 / (y_P + a_w),    z_w = delta_w / sqrt(var_w)
    df = survey(
        [(2, "laskutus"), (3, "laskutus"), (0, "laskutus"), (5, "hinta"), (8, "toimitus")]
        + [(9, "toimitus"), (10, "toimitus"), (10, "hinta")]
    )
    out = distinctive_terms(df, language="fi", min_count=1, ngram=(1, 1)).set_index("term")
    table = {"laskutus": (3, 0, 0), "hinta": (1, 0, 1), "toimitus": (0, 1, 2)}
    n_d, n_p, a0 = 4, 3, 8
    for term, (y_d, y_pa, y_p) in table.items():
        a = y_d + y_pa + y_p
        delta = math.log((y_d + a) / (n_d + a0 - y_d - a)) - math.log(
            (y_p + a) / (n_p + a0 - y_p - a)
        )
        z = delta / math.sqrt(1 / (y_d + a) + 1 / (y_p + a))
        assert out.loc[term, ["detractors", "passives", "promoters"]].tolist() == [y_d, y_pa, y_p]
        assert out.loc[term, "log_odds"] == pytest.approx(delta, rel=1e-12)
        assert out.loc[term, "z"] == pytest.approx(z, rel=1e-12)
    # worked by hand: laskutus: log(6/6) - log(3/8) = log(8/3); var = 1/6 + 1/3 = 1/2
    assert out.loc["laskutus", "z"] == pytest.approx(math.log(8 / 3) / math.sqrt(0.5), abs=1e-12)
    assert out.loc["laskutus", "z"] == pytest.approx(1.387102, abs=1e-6)
    assert out.index.tolist() == ["laskutus", "hinta", "toimitus"]  # sorted by z
    # hinta: log(3/9) - log(3/8) < 0: one detractor in four words against one promoter in three
    assert out["side"].tolist() == ["detractor", "promoter", "promoter"]


def test_inflected_forms_of_one_lemma_rank_first_for_detractors():
    detractors = [
        "Laskutus on jatkuvasti väärin.",
        "Laskutuksessa on virheitä joka kuukausi.",
        "Laskutuksen kanssa on aina ongelmia.",
        "Laskutuksesta ei saa selvää.",
        "Laskutus myöhästyi taas ja tuote oli hyvä.",
        "Odotin pitkään, laskutuksessa sekaannusta.",
        "Toimitus oli hidas.",
    ]
    promoters = [
        "Toimitus oli nopea ja tuote hyvä.",
        "Nopea toimitus, kiitos!",
        "Tuote toimii loistavasti.",
        "Henkilökunta on ystävällistä.",
        "Ystävällinen henkilökunta ja nopea toimitus.",
        "Loistava tuote.",
        "Toimitus oli nopea.",
    ]
    df = survey(
        [(s, c) for s, c in zip([1, 2, 3, 4, 5, 6, 0], detractors, strict=True)]
        + [(10, c) for c in promoters]
    )
    out = distinctive_terms(df, min_count=3)
    top = out[out["side"] == "detractor"].iloc[0]
    assert top["term"] == "laskutus"
    assert top["language"] == "fi"
    assert top["detractors"] == 6 and top["promoters"] == 0
    assert not out["term"].str.startswith("laskutuks").any()  # one lemma, no inflected forms
    assert out.iloc[-1]["side"] == "promoter"
    assert out.iloc[-1]["term"] in {"nopea", "toimitus", "tuote", "nopea toimitus"}
    assert out.attrs["commenters"] == {"detractor": 7, "passive": 0, "promoter": 7}


def test_stop_words_pairs_and_survey_words():
    df = survey(
        [(2, "The Acme invoice is wrong"), (1, "Acme invoice wrong again"), (3, "invoice wrong")]
        + [(10, "Fast delivery from Acme"), (9, "fast delivery"), (10, "really fast delivery")]
    )
    out = distinctive_terms(df, language="en", min_count=2)
    terms = set(out["term"])
    assert {"invoice", "wrong", "invoice wrong", "fast", "delivery", "fast delivery"} <= terms
    assert not terms & {"the", "is", "from"}  # stopwords-iso English
    assert "acme" in terms
    assert set(out["words"]) == {1, 2}
    out = distinctive_terms(df, language="en", min_count=2, stop_words=["ACME Oy"])
    assert "acme" not in set(out["term"]) and "acme invoice" not in set(out["term"])
    # a stop word breaks a pair: "invoice is wrong" gives no "invoice wrong" pair
    one = distinctive_terms(survey([(2, "invoice is wrong")]), language="en", min_count=1)
    assert set(one["term"]) == {"invoice", "wrong"}
    uni = distinctive_terms(df, language="en", min_count=2, ngram=(1, 1))
    assert set(uni["words"]) == {1}
    pairs = distinctive_terms(df, language="en", min_count=2, ngram=(2, 2))
    assert set(pairs["words"]) == {2}


def test_a_term_counts_once_per_respondent_and_blanks_are_left_out():
    df = survey([(2, "price price price"), (2, None), (None, "price"), (10, "   "), (10, "price")])
    out = distinctive_terms(df, language="en", min_count=1, ngram=(1, 1))
    assert out[["term", "detractors", "promoters"]].values.tolist() == [["price", 1, 1]]
    assert out.attrs["excluded_blank_comment"] == 2
    assert out.attrs["excluded_blank_score"] == 1


def test_min_count_filters_rows_not_the_totals():
    df = survey([(1, "alpha"), (1, "alpha"), (1, "beta"), (10, "gamma")])
    full = distinctive_terms(df, language="en", min_count=1, ngram=(1, 1)).set_index("term")
    cut = distinctive_terms(df, language="en", min_count=2, ngram=(1, 1)).set_index("term")
    assert list(cut.index) == ["alpha"]
    assert cut.loc["alpha", "z"] == pytest.approx(full.loc["alpha", "z"])


def test_language_column_and_detection():
    df = survey([(1, "hinta on liian korkea"), (10, "great price")])
    df["lang"] = ["fi", "en"]
    given = distinctive_terms(df, language=df["lang"], min_count=1, ngram=(1, 1))
    auto = distinctive_terms(df, min_count=1, ngram=(1, 1))
    for out in (given, auto):
        langs = dict(zip(out["term"], out["language"], strict=True))
        assert langs["hinta"] == "fi" and langs["price"] == "en"


@pytest.mark.parametrize(
    "kw, error, message",
    [
        ({"comment": "nope"}, KeyError, "nope"),
        ({"score": "nope"}, KeyError, "nope"),
        ({"min_count": 0}, ValueError, "at least 1"),
        ({"min_count": 2.5}, TypeError, "whole number"),
        ({"ngram": (2, 1)}, ValueError, "1 <= min <= max"),
        ({"ngram": 2}, ValueError, "pair"),
        ({"stop_words": [3]}, TypeError, "item 0"),
    ],
)
def test_bad_arguments(kw, error, message):
    df = survey([(1, "price"), (10, "fast")])
    with pytest.raises(error, match=message):
        distinctive_terms(df, **kw)


def test_bad_scores_are_named():
    with pytest.raises(ValueError, match="recommend|11"):
        distinctive_terms(survey([(11, "x"), (1, "y")]))


def test_top_terms_marks_terms_no_theme_covers():
    df = survey(
        [(1, "laskutus virheellinen"), (2, "laskutus sekava"), (3, "laskutus kallis")]
        + [(10, "kiva tunnelma"), (9, "kiva tunnelma"), (10, "kiva tunnelma")]
    )
    out = top_terms(distinctive_terms(df, language="fi", min_count=3), n=3)
    by_term = out.set_index("term")
    assert by_term.loc["laskutus", "side"] == "detractor"
    assert by_term.loc["laskutus", "themes"] == "Price"  # the default lexicon has laskutus
    assert by_term.loc["laskutus", "covered"]
    assert not by_term.loc["tunnelma", "covered"] and by_term.loc["tunnelma", "themes"] == ""
    assert (out.groupby("side")["rank"].max() <= 3).all()
    own = {"atmosphere": {"label": "Atmosphere", "terms": {"fi": ["tunnelma"]}}}
    out = top_terms(distinctive_terms(df, language="fi", min_count=3), themes=own, mode="extend")
    by_term = out.set_index("term")
    assert by_term.loc["tunnelma", "themes"] == "Atmosphere"
    assert by_term.loc["laskutus", "themes"] == "Price"
    with pytest.raises(ValueError, match="distinctive_terms"):
        top_terms(pd.DataFrame({"term": ["x"]}))


def test_exported():
    assert nps.distinctive_terms is distinctive_terms
    assert np.isfinite(
        nps.distinctive_terms(survey([(1, "a b c"), (10, "d e")]), min_count=1)["z"]
    ).all()


def test_a_negator_stays_with_its_word():
    df = pd.DataFrame(
        {
            "recommend": [10, 9, 10, 2, 3, 1],
            "comment": [
                "Ei huolta, kaikki hoituu.",
                "Ei huolta laskutuksesta",
                "ei huolta",
                "Huolta aiheuttaa laskutus",
                "Huoli laskutuksesta",
                "Suuri huoli",
            ],
        }
    )
    out = nps.distinctive_terms(df, min_count=3, ngram=(1, 1)).set_index("term")
    # "ei huolta" is praise here and counts as "ei huoli", not as the complaint "huoli"
    assert out.loc["ei huoli", ["detractors", "promoters"]].tolist() == [0, 3]
    assert out.loc["huoli", ["detractors", "promoters"]].tolist() == [3, 0]
    assert out.loc["ei huoli", "words"] == 2
    en = pd.DataFrame(
        {"recommend": [2, 3, 10], "comment": ["Staff weren't helpful", "not helpful", "Helpful"]}
    )
    terms = nps.distinctive_terms(en, min_count=1, ngram=(1, 1)).set_index("term")
    assert terms.loc["not helpful", "detractors"] == 2 and terms.loc["helpful", "promoters"] == 1


@pytest.mark.parametrize(
    "kw, message",
    [
        ({"comment": "coment"}, "comment column 'coment' not in the data; did you mean 'comment'?"),
        (
            {"score": "recomend"},
            "score column 'recomend' not in the data; did you mean 'recommend'?",
        ),
    ],
)
def test_a_missing_column_is_named_with_the_closest(kw, message):
    # a bare KeyError listing every column before
    from nps_toolkit._validation import ColumnError

    df = survey([(1, "price"), (10, "fast")])
    with pytest.raises(ColumnError) as info:
        distinctive_terms(df, **kw)
    assert isinstance(info.value, ValueError) and info.value.args[0] == message
