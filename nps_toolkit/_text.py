"""Words of open comments: tokenising, lemmatising (simplemma) and language detection.

Private helpers shared by the modules that read comments (theme tagging,
distinctive terms, sentiment), so that every one of them sees the same words
and the same lemmas.
"""

from __future__ import annotations

import math
import re
from functools import lru_cache

import numpy as np
import pandas as pd

from . import _lemmas as _lm

UNDETERMINED = "und"  # ISO 639-2 code for a comment whose language is not clear

_WORD = re.compile(r"[^\W\d_]+")  # runs of letters; hyphens and apostrophes split words

# Finnish possessive suffixes and clitics that simplemma sometimes leaves on
# words it does not know ("odotuksiamme" -> "odotuksia"): stripped, the rest is
# lemmatised again.  Longest first.
_FI_ENCLITICS = (
    "kaan",
    "kään",
    "mme",
    "nne",
    "nsa",
    "nsä",
    "kin",
    "han",
    "hän",
    "ni",
    "si",
    "ko",
    "kö",
    "pa",
    "pä",
)
_FI_POSSESSIVES = frozenset({"mme", "nne", "nsa", "nsä", "ni", "si"})
_FI_VOWELS = frozenset("aeiouyäö")
_FI_MAX_ENDING = 5  # longest case ending + possessive tried after a stem ("-ssamme")


@lru_cache(maxsize=1)
def _supported_languages() -> frozenset:
    try:
        from simplemma.strategies.dictionaries.dictionary_factory import SUPPORTED_LANGUAGES
    except ImportError:  # another simplemma layout: simplemma itself will complain
        return frozenset()
    return frozenset(SUPPORTED_LANGUAGES)


# Every lemma is simplemma's, looked up through _lemmas, where the Finnish and
# English dictionaries open in a fraction of the time simplemma itself needs
# (a shipped index instead of decoding 3.5 million entries in each process).


@lru_cache(maxsize=2**18)
def _lemmas(token: str, lang: str) -> tuple[str, ...]:
    """The lower-case token and its lemma candidates in ``lang`` (cached per token)."""
    lemma = _lemma(token, lang)
    found = {token, lemma}
    if lang == "fi" and not _known(token, "fi"):
        for suffix in _FI_ENCLITICS:
            if token.endswith(suffix) and len(token) - len(suffix) >= 4:
                stem = token[: -len(suffix)]
                found.add(_lemma(stem, "fi"))
                # a possessive suffix swallows the -n of the genitive and the
                # illative: "odotuksiimme" = "odotuksiin" + "-mme"
                if suffix in _FI_POSSESSIVES and _known(stem + "n", "fi"):
                    found.add(_lemma(stem + "n", "fi"))
    return tuple(sorted(found))


_lemma = _lm.lemma  # lower-case simplemma lemma
_known = _lm.is_known  # simplemma.is_known


def _recognised(token: str, lang: str) -> bool:
    """Does simplemma find a lemma for ``token`` in ``lang`` (its language test)?"""
    return _lm.get_lemma(token, lang) is not None


def clear_caches() -> None:
    """Forget every cached word look-up (benchmarks time a cold start with it)."""
    _lemmas.cache_clear()
    _lm.clear_caches()


def _words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


# ---------------------------------------------------------------------------
# terms: lemmas without stop words, negation kept with its word
# ---------------------------------------------------------------------------

TERM_LANGUAGES = ("fi", "en")  # the languages "und" takes its stop words from
MIN_WORD_LENGTH = 2  # shorter words ("a", "i", "ok" stays) are not terms
# negators kept with the next word as one term ("ei huolta" -> "ei huoli"):
# stopwords-iso lists them as stop words, which turned "ei huolta" into "huoli"
TERM_NEGATORS = frozenset(
    "ei en et emme ette eivät eikä enkä etkä emmekä ettekä eivätkä not no never without".split()
)
_NOT = re.compile(r"n['’]t\b", re.IGNORECASE)  # "don't" -> "do not"


@lru_cache(maxsize=32)
def _stop_words(lang: str) -> frozenset:
    """The stopwords-iso list for ``lang`` (empty for a language it does not cover)."""
    import stopwordsiso

    if lang == UNDETERMINED:
        return frozenset().union(*(_stop_words(code) for code in TERM_LANGUAGES))
    return frozenset(w.lower() for w in stopwordsiso.stopwords(lang)) if lang else frozenset()


def _term_lemma(token: str, lang: str) -> str:
    """The one lemma a token is counted under.

    simplemma's lemma; for a Finnish word it does not know, the lemma of the
    form left when a clitic or possessive suffix is taken off
    ("laskutuksessakin" -> "laskutus"), as the theme tagger does.
    """
    if lang == UNDETERMINED:
        return token
    lemma = _lemma(token, lang)
    if lemma == token and lang == "fi":
        others = [c for c in _lemmas(token, lang) if c != token]
        if others:
            return min(others, key=len)
    return lemma


def _comment_lemmas(text: str, lang: str, stops: frozenset) -> list:
    """The comment's term lemmas in order; None where a stop word broke the run.

    A negator is joined to the next word that is not a stop word ("ei
    huolta" -> "ei huoli"); a negator with no such word after it is dropped.
    """
    lemmas, negator = [], None
    for token in _words(_NOT.sub(" not", text)):
        if token in TERM_NEGATORS:
            negator = token
            continue
        lemma = _term_lemma(token, lang)
        if len(token) < MIN_WORD_LENGTH or token in stops or lemma in stops:
            if negator is None:
                lemmas.append(None)  # a stop word also breaks a pair
            continue  # "ei ole huolta": the negator waits for its word
        lemmas.append(f"{negator} {lemma}" if negator else lemma)
        negator = None
    return lemmas


def _comment_terms(text: str, lang: str, ngram: tuple, stops: frozenset) -> set:
    """The distinct terms (lemma, or lemmas joined by spaces) of one comment."""
    lemmas = _comment_lemmas(text, lang, stops)
    found = set()
    for size in range(ngram[0], ngram[1] + 1):
        for i in range(len(lemmas) - size + 1):
            run = lemmas[i : i + size]
            if None not in run and (size == 1 or len(set(run)) == size):
                found.add(" ".join(run))
    return found


def _detect(text: str, tokens: list, languages: tuple) -> tuple[str, tuple]:
    """(language, languages to tag with) of a comment.

    The score of a language is the share of the comment's distinct words that
    simplemma recognises in it, as in ``simplemma.langdetect``; the test is
    cached per word here, which made detection over 20 times faster than
    calling ``langdetect`` per comment (which looks every word up again) on
    2,000 survey comments.
    A tie (a mixed-language comment, or "ok") is broken in favour of Finnish
    when the comment has Finnish letters (ä, ö), and is "und" otherwise; the
    comment is tagged with every tied language.  No recognised word: "und",
    tagged with every language.  A comment is also matched against the
    lexicon of every other language that recognises one of its words that the
    detected language does not (English terms in a Finnish comment); its
    ``language`` stays the detected one.
    """
    words = set(tokens)
    scores = {
        lang: sum(_recognised(w, lang) for w in words) / max(len(words), 1) for lang in languages
    }
    top = max(scores.values(), default=0.0)
    if top <= 0:
        return UNDETERMINED, languages
    tied = tuple(lang for lang in languages if scores[lang] >= top - 1e-9)
    # Mixed comments are common ("Support toimii hyvin", "Account manager
    # vaihtuu"): also match the lexicon of every other language that knows a
    # word the detected language does not.
    first = tied[0]
    extra = tuple(
        lang
        for lang in languages
        if lang not in tied
        and any(_recognised(w, lang) and not _recognised(w, first) for w in words)
    )
    if len(tied) == 1:
        return first, tied + extra
    if "fi" in tied and re.search("[äöÄÖ]", text):
        return "fi", tied + extra
    return UNDETERMINED, tied + extra


def _comment_series(comments) -> pd.Series:
    """Comments as a Series: a Series as it is, one string as one comment, a list as rows."""
    if isinstance(comments, str):
        comments = [comments]
    if isinstance(comments, pd.DataFrame):
        raise TypeError("comments must be one column (a Series), not a DataFrame")
    if isinstance(comments, pd.Series):
        return comments
    kind = f"{type(comments).__module__}.{type(comments).__qualname__}"
    if kind.startswith(("pyspark.", "duckdb.", "pyarrow.")) or hasattr(comments, "columns"):
        # never one "comment" per row object of a table (one silent row for a Spark frame)
        raise TypeError(
            "comments must be a pandas Series, a list of strings or one string, got "
            f"{kind}; read the comment column first, e.g. df.select('comment').toPandas()"
            "['comment'] (Spark) or relation.df()['comment'] (DuckDB)"
        )
    return pd.Series(list(comments), dtype=object)


def _is_blank(value) -> bool:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return True
    return isinstance(value, str) and not value.strip()


def _language_codes(language, series: pd.Series, valid: tuple) -> tuple[np.ndarray, np.ndarray]:
    """Per-row given language (None = detect) and the codes as given.

    A code with no lexicon (a Swedish comment "sv" in a Finnish-English
    survey) becomes "und": such a comment is matched against every lexicon
    rather than stopping a whole report; ``tag_themes`` warns and counts them.
    """
    n = len(series)
    if isinstance(language, str):
        code = language.strip().lower()
        if code == "auto":
            return np.full(n, None, dtype=object), np.full(n, None, dtype=object)
        if not code:
            raise ValueError("language='' is not a language code; use 'auto' to detect")
        given = np.full(n, code, dtype=object)
        return np.where(given == code, code if code in valid else UNDETERMINED, None), given
    codes = pd.Series(language)
    if len(codes) != n:
        raise ValueError(f"language has {len(codes)} values but there are {n} comments")
    if isinstance(language, pd.Series) and not language.index.equals(series.index):
        codes = language.reindex(series.index)
    arr = codes.to_numpy(dtype=object)
    given = np.array([None if _is_blank(v) else str(v).strip().lower() for v in arr], dtype=object)
    usable = np.array(
        [v if v is None or v in valid or v == UNDETERMINED else UNDETERMINED for v in given],
        dtype=object,
    )
    return usable, given


# ---------------------------------------------------------------------------
# lexicon files
# ---------------------------------------------------------------------------


def _read_yaml(text: str, source: str):
    """Parse YAML text with the toolkit's one strict reader (``nps_toolkit._yaml``):
    no tags, aliases, merge keys or repeated keys."""
    from ._yaml import load_strict

    try:
        return load_strict(text, source)
    except ValueError as exc:  # "<file>: not valid YAML: line 3: duplicate key 'x' ..."
        detail = str(exc).removeprefix(source).lstrip(",: ")
        raise ValueError(f"{source}: not valid YAML: {detail}") from None
