"""The words that separate detractors from promoters in open comments.

``distinctive_terms`` counts, for every lemma and pair of adjacent lemmas, how
many detractors, passives and promoters use it, and ranks the terms by the
weighted log-odds ratio with an informative Dirichlet prior of Monroe,
Colaresi and Quinn (2008, "Fightin' Words", *Political Analysis* 16(4)),
detractors against promoters.  Unlike a plain ratio of shares, it does not
put a word that one detractor wrote twice at the top: a term's evidence grows
with how often it occurs, and its z-score says how sure the difference is.

The formula is a few lines of numpy written here: the Python packages that
implement it work on a document-term matrix of their own tokenisation, while
Finnish comments need the lemmas the theme tagger uses ("laskutuksessa" and
"laskutuksen" are one word, "laskutus").
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from ._text import (
    _comment_terms,
    _detect,
    _is_blank,
    _language_codes,
    _stop_words,
    _words,
)
from ._validation import check_columns
from .scoring import CATEGORIES, classify

__all__ = ["distinctive_terms", "top_terms"]

# Languages detected with language="auto": those of the bundled lexicons.
AUTO_LANGUAGES = ("fi", "en")


def _log_odds(y_i: np.ndarray, y_j: np.ndarray, alpha: np.ndarray):
    """Monroe, Colaresi and Quinn's (2008) weighted log-odds of group i against j.

    With counts y of each term in each group, group totals n = sum(y) and a
    Dirichlet prior alpha (alpha_0 = sum(alpha)):
    delta = log[(y_i + a) / (n_i + a_0 - y_i - a)] - log[(y_j + a) / (n_j + a_0 - y_j - a)],
    var(delta) ~ 1 / (y_i + a) + 1 / (y_j + a), z = delta / sqrt(var)  (their eq. 16, 18-20).
    """
    a0 = alpha.sum()
    n_i, n_j = y_i.sum(), y_j.sum()
    with np.errstate(divide="ignore", invalid="ignore"):  # one-term vocabulary: no odds
        delta = np.log((y_i + alpha) / (n_i + a0 - y_i - alpha)) - np.log(
            (y_j + alpha) / (n_j + a0 - y_j - alpha)
        )
        delta[~np.isfinite(delta)] = np.nan
        se = np.sqrt(1.0 / (y_i + alpha) + 1.0 / (y_j + alpha))
    return delta, se, delta / se


def _check_ngram(ngram) -> tuple:
    try:
        lo, hi = (int(v) for v in ngram)
    except (TypeError, ValueError):
        raise ValueError(f"ngram must be a pair (min, max) such as (1, 2), got {ngram!r}") from None
    if not 1 <= lo <= hi <= 3 or (lo, hi) != tuple(ngram):
        raise ValueError(f"ngram must be whole numbers 1 <= min <= max <= 3, got {ngram!r}")
    return lo, hi


def _user_stop_words(stop_words) -> frozenset:
    if stop_words is None:
        return frozenset()
    if isinstance(stop_words, str):
        stop_words = [stop_words]
    if not isinstance(stop_words, Iterable):
        raise TypeError(f"stop_words must be a list of words, got {type(stop_words).__name__}")
    out = set()
    for i, entry in enumerate(stop_words):
        if not isinstance(entry, str):
            raise TypeError(f"stop_words item {i}: {entry!r} is not a string")
        out.update(_words(entry))  # "Acme Oy" -> acme, oy
    return frozenset(out)


def distinctive_terms(
    df: pd.DataFrame,
    *,
    comment: str = "comment",
    score: str = "recommend",
    language="auto",
    min_count: int = 5,
    ngram=(1, 2),
    stop_words=None,
) -> pd.DataFrame:
    """Terms that detractors use more than promoters, and the other way round.

    Each comment is split into words, every word is lemmatised as for theme
    tagging (simplemma: "laskutuksessa" -> "laskutus") and stop words are
    dropped (the stopwords-iso list of the comment's language, plus
    ``stop_words``).  A term is a lemma or a run of adjacent lemmas (no stop
    word between them).  A negator stays with the word it negates ("ei
    huolta" counts as "ei huoli", "not helpful" as "not helpful"), so a
    negated word is not counted as the word itself.  A term counts once per comment: the counts are
    numbers of respondents who use it.

    Terms are ranked by the weighted log-odds ratio with an informative
    Dirichlet prior (Monroe, Colaresi and Quinn 2008), detractors against
    promoters; the prior of each term is its count over all commenters
    (detractors, passives and promoters), as in tidylo's empirical-Bayes
    default.

    Parameters
    ----------
    df : DataFrame with one row per respondent.
    comment, score : the open-comment column and the 0-10 column.  Rows with
        a blank comment or a blank score are left out (counted in ``attrs``).
    language : "auto" (each comment's language detected among Finnish and
        English), a code such as "fi", or a column of codes aligned with ``df``.
    min_count : terms used by fewer respondents in all are left out of the
        table (they still count in the totals the log-odds are computed from).
    ngram : (shortest, longest) number of lemmas in a term; (1, 2) gives
        lemmas and lemma pairs.
    stop_words : further words to leave out, such as the company's or the
        product's name; each word of each entry, compared with both the word
        as written and its lemma.

    Returns
    -------
    DataFrame, one row per term, sorted by ``z`` (most typical of detractors
    first, of promoters last): term, language, words (1 or 2), detractors,
    passives, promoters (respondents using the term), log_odds (positive:
    more typical of detractors), se, z, side ("detractor" or "promoter", by
    the sign of z).  ``attrs`` holds the number of commenters per category
    and the number of rows left out.

    Examples
    --------
    >>> df = pd.DataFrame({
    ...     "recommend": [2, 3, 1, 10, 9, 10],
    ...     "comment": ["Laskutus on sekavaa", "Laskutuksessa virheitä", "Laskutuksen kanssa ongelmia",
    ...                 "Nopea toimitus", "Toimitus oli nopea", "Kiva ja nopea toimitus"]})
    >>> t = distinctive_terms(df, min_count=3, ngram=(1, 1))
    >>> t[["term", "detractors", "promoters", "side"]]
           term  detractors  promoters       side
    0  laskutus           3          0  detractor
    1     nopea           0          3   promoter
    2  toimitus           0          3   promoter
    """
    check_columns(df, [comment], what="comment column")
    check_columns(df, [score], what="score column")
    if isinstance(min_count, bool) or not isinstance(min_count, (int, np.integer)):
        raise TypeError(f"min_count must be a whole number, got {min_count!r}")
    if min_count < 1:
        raise ValueError(f"min_count must be at least 1, got {min_count}")
    lo, hi = _check_ngram(ngram)
    extra = _user_stop_words(stop_words)
    category = classify(df[score]).to_numpy(dtype=object)
    text = df[comment].to_numpy(dtype=object)
    blank = np.array([_is_blank(t) for t in text], dtype=bool)
    no_score = pd.isna(category)
    usable = ~blank & ~no_score
    given, _ = _language_codes(language, df[comment], AUTO_LANGUAGES)

    counts: dict = {}  # (term, language) -> [detractors, passives, promoters]
    slot = {name: k for k, name in enumerate(CATEGORIES)}
    seen: dict = {}
    for row in np.flatnonzero(usable):
        t = text[row] if isinstance(text[row], str) else str(text[row])
        key = (t, given[row])
        if key not in seen:
            lang = given[row]
            if lang is None:
                lang, _ = _detect(t, _words(t), AUTO_LANGUAGES)
            stops = _stop_words(lang) | extra
            seen[key] = (lang, _comment_terms(t, lang, (lo, hi), stops))
        lang, found = seen[key]
        k = slot[category[row]]
        for term in found:
            counts.setdefault((term, lang), [0, 0, 0])[k] += 1

    columns = ["term", "language", "words", "detractors", "passives", "promoters"]
    if counts:
        keys = list(counts)
        y = np.array([counts[key] for key in keys], dtype=float)
        out = pd.DataFrame(keys, columns=["term", "language"])
    else:
        y = np.zeros((0, 3))
        out = pd.DataFrame(columns=["term", "language"], dtype=object)
    out["words"] = out["term"].str.count(" ").astype(int) + 1
    for j, name in enumerate(("detractors", "passives", "promoters")):
        out[name] = y[:, j].astype(int)
    if len(out):
        delta, se, z = _log_odds(y[:, 0], y[:, 2], y.sum(axis=1))
    else:
        delta = se = z = np.zeros(0)
    out["log_odds"], out["se"], out["z"] = delta, se, z
    out["side"] = np.where(out["z"] >= 0, "detractor", "promoter")
    out = out[y.sum(axis=1) >= min_count] if len(out) else out
    out = out.sort_values(["z", "term"], ascending=[False, True], kind="stable")
    out = out.reset_index(drop=True)[[*columns, "log_odds", "se", "z", "side"]]
    commenters = pd.Series(category[usable]).value_counts()
    out.attrs.update(
        commenters={name: int(commenters.get(name, 0)) for name in CATEGORIES},
        excluded_blank_comment=int(blank.sum()),
        excluded_blank_score=int((~blank & no_score).sum()),
        min_count=min_count,
        ngram=(lo, hi),
    )
    return out


def top_terms(terms: pd.DataFrame, *, n: int = 10, themes=None, mode: str = "replace"):
    """The ``n`` most distinctive terms of each side, with the themes that cover them.

    Parameters
    ----------
    terms : the ``distinctive_terms`` table.
    n : terms per side (detractor, promoter); only terms whose z-score points
        to that side are shown.
    themes, mode : the theme lexicon (as for ``load_themes``): a term is
        covered when tagging the term itself finds a theme.  ``covered`` is
        False for the terms no theme has: candidates for the lexicon.

    Returns
    -------
    DataFrame: side, rank, term, language, detractors, passives, promoters,
    z, themes (labels of the covering themes, "" for none), covered.

    >>> terms = pd.DataFrame({"term": ["hinta", "kiva"], "language": "fi",
    ...     "words": 1, "detractors": [6, 0], "passives": 0, "promoters": [0, 6],
    ...     "log_odds": [1.0, -1.0], "se": 0.5, "z": [2.0, -2.0],
    ...     "side": ["detractor", "promoter"]})
    >>> top_terms(terms)[["side", "term", "themes", "covered"]]
            side   term themes  covered
    0  detractor  hinta  Price     True
    1   promoter   kiva           False
    """
    from .themes import load_themes, tag_themes, theme_labels

    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n must be a positive whole number, got {n!r}")
    missing = {"term", "language", "z", "side"} - set(terms.columns)
    if missing:
        raise ValueError(
            f"terms lacks column(s) {sorted(missing)}: expected the distinctive_terms table"
        )
    detractor = terms[terms["z"] > 0].nlargest(n, "z")
    promoter = terms[terms["z"] < 0].nsmallest(n, "z")
    out = pd.concat([detractor, promoter], ignore_index=True)
    out.insert(1, "rank", out.groupby("side").cumcount() + 1)
    lexicon = load_themes(themes, mode=mode)
    labels = theme_labels(lexicon)
    if len(out):
        import warnings

        with warnings.catch_warnings():  # a term in a language with no lexicon: "und"
            warnings.simplefilter("ignore", UserWarning)
            tags = tag_themes(out["term"], themes=lexicon, language=out["language"])
        cols = [c for c in tags.columns if c != "language"]
        found = tags[cols].apply(lambda r: ", ".join(labels[c] for c in cols if r[c]), axis=1)
        out["themes"] = found.astype(str)
    else:
        out["themes"] = pd.Series(dtype=str)
    out["covered"] = out["themes"] != ""
    keep = ["side", "rank", "term", "language", "detractors", "passives", "promoters", "z"]
    return out[[*keep, "themes", "covered"]]
