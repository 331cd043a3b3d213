"""The score column: found for the user, its labelled answers read as numbers, its scale checked."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from ._common import blank_cells

# words of the likelihood-to-recommend question in the languages the toolkit reports in
# and its neighbours (English, Finnish, Swedish, German, Spanish, French, Dutch, Danish)
RECOMMEND_WORDS = (
    "recommend",
    "suosittel",
    "suosittelisit",
    "rekommend",
    "empfehl",
    "recomend",
    "recommand",
    "aanbevel",
    "anbefal",
)
# a name made of words, one of which is "nps" or "ltr" (nps, nps_value, NPS score, LTR)
_NPS_NAME = re.compile(r"(?:^|[_\W])(?:nps|ltr)(?:$|[_\W])", re.IGNORECASE)
_ZERO_TO_TEN = re.compile(r"\b0\s*(?:-|–|—|to|\.\.|…)\s*10\b", re.IGNORECASE)
# "10 - Extremely likely", "0 = Ei lainkaan todennäköistä", "10 (Erittäin todennäköisesti)",
# "9: very likely": a whole number 0-10 and then its label
_LABELLED = re.compile(r"^\s*(10|\d)\s*(?:[-–—=:.)(]|\s)\s*\D.*$", re.DOTALL)


def labelled_numbers(s: pd.Series) -> tuple[pd.Series, int]:
    """Answers written as "10 - Extremely likely" read as their number, and how many were.

    Other values are left as they are (numbers, blanks, text the checks will name).

    >>> labelled_numbers(pd.Series(["10 - Extremely likely", "7", "0 = Ei lainkaan", None]))[1]
    2
    """
    if pd.api.types.is_numeric_dtype(s) or s.isna().all():
        return s, 0
    text = s.where(s.map(lambda v: isinstance(v, str), na_action="ignore").eq(True))
    found = text.astype("str").str.extract(_LABELLED, expand=False).where(text.notna())
    hit = found.notna().to_numpy(bool)
    if not hit.any():
        return s, 0
    out = s.astype(object).copy()
    out[hit] = found[hit].astype(int).to_numpy()
    return out, int(hit.sum())


def _fits(s: pd.Series) -> bool:
    """Answers that could be a 0-10 score (or one coded 1-11): whole numbers 0-11."""
    s, _ = labelled_numbers(s)
    num = pd.to_numeric(s, errors="coerce")
    given = ~blank_cells(s)
    if not given.any() or num[given].isna().any():
        return False
    v = num[given].to_numpy(float)
    return bool((v == np.round(v)).all() and v.min() >= 0 and v.max() <= 11)


def score_candidates(frame: pd.DataFrame, labels: dict) -> tuple[list[str], str]:
    """Columns that could be the likelihood-to-recommend answer, best kind first, and why.

    Kinds, the first that has any wins: a Qualtrics NPS question (its
    ``_NPS_GROUP`` column beside it); a question naming "recommend" (or
    suosittelu, rekommendera, empfehlen, ...); a question naming the 0-10
    scale.  Only columns of whole numbers 0-11 (or labelled numbers) count.

    >>> df = pd.DataFrame({"Q1": [9, 10], "Q2": [3, 4], "Q2_NPS_GROUP": [1, 1]})
    >>> score_candidates(df, {"Q1": "How likely are you to recommend us?"})
    (['Q2'], "Qualtrics marks it as an NPS question (column 'Q2_NPS_GROUP')")
    """
    columns = [str(c) for c in frame.columns]
    qualtrics = [c for c in columns if f"{c}_NPS_GROUP" in columns and _fits(frame[c])]
    if qualtrics:
        return (
            qualtrics,
            f"Qualtrics marks it as an NPS question (column {qualtrics[0] + '_NPS_GROUP'!r})",
        )

    def words(c):
        return f"{c} {labels.get(c, '')}".casefold()

    usable = [c for c in columns if not c.endswith("_NPS_GROUP")]
    named = [c for c in usable if any(w in words(c) for w in RECOMMEND_WORDS) and _fits(frame[c])]
    if named:
        return named, "its question asks how likely the respondent is to recommend"
    scaled = [c for c in usable if _ZERO_TO_TEN.search(words(c)) and _fits(frame[c])]
    if scaled:
        return scaled, "its question names the 0-10 scale"
    short = [c for c in usable if _NPS_NAME.search(c) and _fits(frame[c])]
    return short, "its name says NPS"


# a column name's word that is short for a comment ("nps_com", "q2_cmt", "verbatim")
COMMENT_ABBREVIATIONS = frozenset({"com", "comm", "cmt", "verbatim", "verbatims"})
COMMENT_WORDS = (
    "why",
    "reason",
    "comment",
    "improve",
    "feedback",
    "miksi",
    "perustel",
    "kommentt",
    "palaute",
    "parantaa",
    "varför",
    "warum",
    "pourquoi",
)


def name_words(name) -> set:
    """The words of a column name ("nps_com" -> {"nps", "com"}); none of a missing name."""
    return set(re.findall(r"[^\W_]+", str(name).casefold())) if name else set()


def comment_candidates(frame: pd.DataFrame, labels: dict, score: str | None) -> list[str]:
    """Open-answer columns whose question asks why (or for comments): text, not numbers.

    >>> df = pd.DataFrame({"Q1": [9, 3], "Q2": ["Fast", "Slow"], "Q3": ["N", "S"]})
    >>> comment_candidates(df, {"Q2": "Why did you give that score?", "Q3": "Region"}, "Q1")
    ['Q2']
    """
    out = []
    for c in frame.columns:
        if c == score or str(c).endswith("_NPS_GROUP"):
            continue
        words = f"{c} {labels.get(c, '')}".casefold()
        if not any(re.search(rf"\b{w}", words) for w in COMMENT_WORDS) and not (
            name_words(c) & COMMENT_ABBREVIATIONS
        ):
            continue
        s = frame[c].dropna()
        if len(s) and pd.to_numeric(s, errors="coerce").isna().mean() > 0.5:
            out.append(str(c))
    return out
