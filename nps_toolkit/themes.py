"""Open comments: theme tagging (Finnish and English), theme impact on NPS, quotes.

Themes are found with lexicons (``lexicons/themes.yml`` by default): a comment
mentions a theme when one of the theme's terms occurs in it.  Finnish is highly
inflected ("viestintä", "viestinnässä", "viestintään", "viestinnän") and makes
compounds ("asiakaspalvelu", "tukipyyntö"), so words are compared as lemmas
(simplemma, which ships its dictionaries: no download at run time) and, in
compounding languages, a term may also be a part of a compound lemma.

Lexicon matching is hand-written on purpose: a topic model would need far more
comments than one survey wave has and gives topics nobody named, while the
survey literature asks for fixed, named themes that are comparable wave to
wave.  The hand-written part is small (a cached word matcher) and every
lemmatisation goes through simplemma.

Personal data: ``redact`` removes e-mail addresses, phone numbers and Finnish
personal identity codes from text; ``theme_quotes`` returns only redacted text
and never the contact columns.
"""

from __future__ import annotations

import json
import re
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from ._core import CATEGORIES
from ._core import category_codes as _category_codes
from ._redact import redact
from ._text import (
    _FI_MAX_ENDING,
    _FI_VOWELS,
    _WORD,
    UNDETERMINED,
    _comment_series,
    _detect,
    _is_blank,
    _known,
    _language_codes,
    _lemma,
    _lemmas,
    _read_yaml,
    _supported_languages,
    _words,
)
from ._validation import N_RESAMPLES, check_columns, check_level, check_min_n, check_resamples
from ._validation import as_score_array as _as_score_array

__all__ = [
    "tag_themes",
    "theme_impact",
    "coded_themes",
    "theme_quotes",
    "redact",
    "load_themes",
    "theme_labels",
]

# Languages that write compounds as one word: there a term may be a part of a
# longer lemma ("tuki" -> "asiakastuki", "tukipyyntö").
COMPOUND_LANGUAGES = frozenset({"fi", "et", "sv", "da", "nb", "nn", "no", "de", "nl", "is"})
# A term must be this long to be matched inside a compound, and the rest of
# the compound this long, so that short words do not match by accident.
MIN_COMPOUND_PART = 4
MIN_COMPOUND_REST = 3
MAX_GAP = 2  # words allowed between the words of a multi-word term

_THEME_ID = re.compile(r"^[a-z][a-z0-9_]*$")


# ---------------------------------------------------------------------------
# lexicons
# ---------------------------------------------------------------------------


def _default_lexicon_text() -> str:
    return resources.files("nps_toolkit").joinpath("lexicons/themes.yml").read_text("utf-8")


def load_themes(themes=None, *, mode: str = "replace") -> dict:
    """Theme lexicons as a validated dict ``{theme_id: {"label", "terms", "exclude"}}``.

    Parameters
    ----------
    themes : None (the default Finnish and English lexicons), a dict, or a path
        to a YAML file with the structure documented in ``lexicons/themes.yml``::

            price:
              label: {en: Price, fi: Hinta}
              terms: {en: [price, cost], fi: [hinta, kallis]}
              exclude: {fi: [hintalappu]}     # optional

        In a file every theme needs a ``label`` (the report shows it); a dict
        may leave it out (the id is shown, "Response speed" for
        ``response_speed``).
    mode : "replace" (only these themes) or "extend" (the default lexicons
        plus these themes; a theme with a default theme's id takes its place).

    Raises ``ValueError`` naming the file (or "themes" for a dict), the theme,
    the language and the entry that is wrong: unknown keys, a missing label or
    term list, an empty list, a key given twice.

    >>> lex = load_themes({"price": {"label": "Price", "terms": {"en": ["price"]}}})
    >>> lex["price"]["terms"]
    {'en': ('price',)}
    >>> list(load_themes({"parking": {"terms": {"en": ["parking"]}}}, mode="extend"))[-2:]
    ['ease_of_use', 'parking']
    """
    if mode not in ("replace", "extend"):
        raise ValueError(f"mode must be 'replace' or 'extend', got {mode!r}")
    if mode == "extend" and themes is not None:
        return {**load_themes(None), **load_themes(themes)}
    if themes is None:
        return _copy_lexicon(_lexicon_from_text(_default_lexicon_text(), "default lexicon"))
    if isinstance(themes, (str, Path)):
        path = Path(themes)
        if not path.is_file():
            raise FileNotFoundError(f"theme lexicon file not found: {path}")
        return _copy_lexicon(_lexicon_from_text(path.read_text("utf-8"), str(path)))
    return _check_lexicon(themes, "themes", from_file=False)


# A report asks for the lexicon's labels and terms a dozen times; parsing the
# YAML again each time was 0.25 s a report.  Keyed by the file's text, so an
# edited file is read afresh.
@lru_cache(maxsize=16)
def _lexicon_from_text(text: str, source: str) -> dict:
    return _check_lexicon(_read_yaml(text, source), source, from_file=True)


def _copy_lexicon(lexicon: dict) -> dict:
    """A copy the caller may change without changing the cached lexicon (terms are tuples)."""
    return {
        theme_id: {
            "label": dict(spec["label"]) if isinstance(spec["label"], dict) else spec["label"],
            "terms": dict(spec["terms"]),
            "exclude": dict(spec["exclude"]),
        }
        for theme_id, spec in lexicon.items()
    }


def _check_lexicon(themes, source: str, *, from_file: bool) -> dict:
    if not isinstance(themes, Mapping) or not themes:
        raise ValueError(
            f"{source}: expected a mapping of theme ids to "
            f"{{label, terms}}, got {type(themes).__name__}"
        )
    out = {}
    for theme_id, spec in themes.items():
        where = f"{source}: theme {theme_id!r}"
        if not isinstance(theme_id, str) or not _THEME_ID.match(theme_id):
            raise ValueError(f"{where}: theme ids must be snake_case (e.g. 'response_speed')")
        if theme_id == "language":
            raise ValueError(f"{where}: 'language' is reserved for the language column")
        if not isinstance(spec, Mapping):
            raise ValueError(f"{where}: expected a mapping with 'terms', got {spec!r}")
        unknown = set(spec) - {"label", "terms", "exclude"}
        if unknown:
            raise ValueError(
                f"{where}: unknown key(s) {sorted(unknown)}; valid: label, terms, exclude"
            )
        if "terms" not in spec:
            raise ValueError(f"{where}: missing 'terms' (language code -> list of terms)")
        out[theme_id] = {
            "label": _label(spec, theme_id, where, required=from_file),
            "terms": _term_lists(spec["terms"], f"{where} terms", required=True),
            "exclude": _term_lists(spec.get("exclude") or {}, f"{where} exclude"),
        }
    return out


def _label(spec, theme_id: str, where: str, required: bool):
    if "label" not in spec:
        if required:
            raise ValueError(
                f"{where}: missing 'label' (a string or {{en: ..., fi: ...}}), "
                "the name the report shows"
            )
        return theme_id.replace("_", " ").capitalize()
    label = spec["label"]
    if isinstance(label, str) and label.strip():
        return label.strip()
    if isinstance(label, Mapping) and label:
        out = {}
        for lang, text in label.items():
            if not isinstance(lang, str) or not re.fullmatch(r"[a-z]{2,3}", lang):
                raise ValueError(f"{where} label: {lang!r} is not a language code like 'en'")
            if not isinstance(text, str) or not text.strip():
                raise ValueError(f"{where} label [{lang}]: expected a non-empty string")
            out[lang] = text.strip()
        return out
    raise ValueError(
        f"{where}: 'label' must be a non-empty string or a language -> string mapping, "
        f"got {label!r}"
    )


def _term_lists(spec, where: str, required: bool = False) -> dict:
    if not isinstance(spec, Mapping) or (required and not spec):
        raise ValueError(
            f"{where}: expected a mapping of language codes to lists of terms, "
            f"e.g. {{en: [price], fi: [hinta]}}; got {spec!r}"
        )
    out = {}
    supported = _supported_languages()
    for lang, terms in spec.items():
        if not isinstance(lang, str) or not re.fullmatch(r"[a-z]{2,3}", lang):
            raise ValueError(f"{where}: {lang!r} is not a language code like 'en' or 'fi'")
        if supported and lang not in supported:
            raise ValueError(
                f"{where}: simplemma has no dictionary for {lang!r}; "
                f"supported: {', '.join(sorted(supported))}"
            )
        if isinstance(terms, str) or not isinstance(terms, (list, tuple)) or not terms:
            raise ValueError(f"{where} [{lang}]: expected a non-empty list of terms, got {terms!r}")
        clean = []
        for i, term in enumerate(terms):
            if not isinstance(term, str) or not _WORD.search(term):
                raise ValueError(f"{where} [{lang}] item {i}: {term!r} is not a word or phrase")
            clean.append(term.strip())
        out[lang] = tuple(clean)
    return out


def theme_labels(themes=None, language: str = "en") -> dict:
    """Display label of each theme in ``language`` (falling back to English, then the id).

    >>> theme_labels()["response_speed"]
    'Response speed'
    >>> theme_labels(language="fi")["support"]
    'Tuki ja asiakaspalvelu'
    """
    lex = load_themes(themes)
    labels = {}
    for theme_id, spec in lex.items():
        label = spec["label"]
        if isinstance(label, dict):
            label = label.get(language) or label.get("en") or theme_id
        labels[theme_id] = label
    return labels


# ---------------------------------------------------------------------------
# lemmatisation and word matching
# ---------------------------------------------------------------------------


@dataclass(eq=False)
class _Language:
    """One language's compiled lexicon."""

    lang: str
    compounds: bool
    words: dict = field(default_factory=dict)  # lemma -> word id
    prefixes: list = field(default_factory=list)  # (stem, word id) for "stem*" terms
    single: dict = field(default_factory=dict)  # word id -> set of themes
    multi: dict = field(default_factory=dict)  # first word id -> [(word ids, theme)]
    exclude: dict = field(default_factory=dict)  # word id -> set of themes
    stems: dict = field(default_factory=dict)  # word less its final vowel -> word id
    cache: dict = field(default_factory=dict)  # token -> (themes, word ids)

    def word_id(self, word: str) -> int:
        return self.words.setdefault(word, len(self.words))

    def add(self, term: str, theme: str, excluded: bool = False) -> None:
        ids = []
        for w in _words(term):
            if term.endswith("*") and w == _words(term)[-1]:
                wid = self.word_id("*" + w)
                self.prefixes.append((w, wid))
            else:
                # one id per lemma, shared by every lexicon word with that lemma;
                # the written form maps to it too, in case the lemmatiser reads a
                # lexicon word differently from the same word in a comment
                main = _lemma(w, self.lang)
                wid = self.words.get(main, self.words.get(w))
                if wid is None:
                    wid = self.word_id(main)
                lemma = _lemmas(w, self.lang)
                for alt in lemma:
                    self.words.setdefault(alt, wid)
                    if self.lang == "fi" and len(alt) >= 6 and alt[-1] in _FI_VOWELS:
                        self.stems.setdefault(alt[:-1], wid)
            ids.append(wid)
        target = self.exclude if excluded else self.single
        if len(ids) == 1:
            target.setdefault(ids[0], set()).add(theme)
        elif not excluded:
            self.multi.setdefault(ids[0], []).append((tuple(ids), theme))

    def match_token(self, token: str):
        """(themes from single-word terms, word ids) for one token; cached."""
        hit = self.cache.get(token)
        if hit is not None:
            return hit
        ids = set()
        for cand in _lemmas(token, self.lang):
            wid = self.words.get(cand)
            if wid is not None:
                ids.add(wid)
            if self.compounds and len(cand) >= MIN_COMPOUND_PART + MIN_COMPOUND_REST:
                # a term as the head or the modifier of a compound
                for i in range(MIN_COMPOUND_REST, len(cand) - MIN_COMPOUND_PART + 1):
                    wid = self.words.get(cand[i:])
                    if wid is not None:
                        ids.add(wid)
                for i in range(MIN_COMPOUND_PART, len(cand) - MIN_COMPOUND_REST + 1):
                    wid = self.words.get(cand[:i])
                    if wid is not None:
                        ids.add(wid)
        for stem, wid in self.prefixes:
            if token.startswith(stem):
                ids.add(wid)
        if self.stems and not ids and not _known(token, self.lang):
            # a Finnish word the dictionary does not know: a lexicon word's stem
            # followed by at most an inflection ending ("henkilökohtaisemp|aa")
            for i in range(max(5, len(token) - _FI_MAX_ENDING), len(token) + 1):
                wid = self.stems.get(token[:i])
                if wid is not None:
                    ids.add(wid)
        themes = set()
        for wid in ids:
            themes |= self.single.get(wid, set())
        for wid in ids:
            themes -= self.exclude.get(wid, set())
        hit = (frozenset(themes), frozenset(ids))
        self.cache[token] = hit
        return hit

    def match(self, tokens: list[str]) -> set:
        found = set()
        per_token = [self.match_token(t) for t in tokens]
        for themes, _ in per_token:
            found |= themes
        if self.multi:
            ids = [w for _, w in per_token]
            for i, here in enumerate(ids):
                for wid in here:
                    for seq, theme in self.multi.get(wid, ()):
                        if theme not in found and _in_sequence(seq, ids, i):
                            found.add(theme)
        return found


def _in_sequence(seq: tuple, ids: list, start: int) -> bool:
    """Do the words of ``seq`` follow ``start`` in order, each at most MAX_GAP words apart?

    The gap lets "asioihin ei palata" match "asioihin palataan" and "follow
    them up" match "follow up".
    """
    pos = start
    for wid in seq[1:]:
        for nxt in range(pos + 1, min(pos + 2 + MAX_GAP, len(ids))):
            if wid in ids[nxt]:
                pos = nxt
                break
        else:
            return False
    return True


class _Lexicon:
    def __init__(self, spec: dict):
        self.spec = spec
        self.themes = list(spec)
        self.languages = tuple(dict.fromkeys(lang for s in spec.values() for lang in s["terms"]))
        self.by_lang = {}
        for lang in self.languages:
            compiled = _Language(lang, lang in COMPOUND_LANGUAGES)
            for theme, s in spec.items():
                for term in s["terms"].get(lang, ()):
                    compiled.add(term, theme)
                for term in s["exclude"].get(lang, ()):
                    compiled.add(term, theme, excluded=True)
            self.by_lang[lang] = compiled

    def tag(self, text: str, language) -> tuple[str, set]:
        """(language, themes) of one non-blank comment; language None = detect."""
        tokens = _words(text)
        if language is None:
            language, langs = _detect(text, tokens, self.languages)
        elif language == UNDETERMINED:  # a code with no lexicon: try every lexicon
            langs = self.languages
        else:
            langs = (language,)
        found = set()
        for lang in langs:
            found |= self.by_lang[lang].match(tokens)
        return language, found


def _lexicon(themes) -> _Lexicon:
    """The compiled lexicon of ``themes`` (as for ``load_themes``), built once per content.

    Compiling lemmatises every term of every language; a report tags its
    comments several times (whole comments, their parts, the terms), so the
    compiled lexicon is kept, keyed by the validated content (a changed file
    or dict compiles afresh).
    """
    spec = load_themes(themes)
    return _compiled_lexicon(json.dumps(spec, ensure_ascii=False))


@lru_cache(maxsize=16)
def _compiled_lexicon(key: str) -> _Lexicon:
    return _Lexicon(json.loads(key))


# ---------------------------------------------------------------------------
# tag_themes
# ---------------------------------------------------------------------------


def tag_themes(comments, themes=None, language="auto") -> pd.DataFrame:
    """Tag open comments with themes (Finnish and English lexicons by default).

    Parameters
    ----------
    comments : Series, list or array of comment strings (blank / NaN allowed).
        A Series keeps its index in the result.
    themes : None for the default lexicons (communication, response_speed,
        follow_up, meeting_expectations, personal_attention, price, quality,
        support, ease_of_use), or a dict / path to a YAML file of the same
        structure (see ``load_themes``).
    language : "auto" (detect each comment's language among the lexicon's
        languages), a language code such as "fi" for every comment, or a
        Series / array of codes aligned with ``comments`` (missing codes are
        detected; case and spaces do not matter).  A code with no lexicon
        ("sv" in a Finnish-English survey) does not stop the analysis: those
        comments are tagged "und" and matched against every lexicon, and a
        ``UserWarning`` counts them per code.

    Returns
    -------
    DataFrame with one boolean column per theme and a ``language`` column: the
    detected or given code, "und" when a non-blank comment's language cannot be
    told (it is then matched against every language's lexicon), and NaN for a
    blank comment (whose themes are all False).

    Examples
    --------
    >>> tags = tag_themes(["Viestinnässä on parannettavaa.", "Great support, fair price", None])
    >>> tags[["communication", "support", "price", "language"]]
       communication  support  price language
    0           True    False  False       fi
    1          False     True   True       en
    2          False    False  False      NaN
    """
    lex = _lexicon(themes)
    series = _comment_series(comments)
    n = len(series)
    given, as_given = _language_codes(language, series, lex.languages)

    values = series.to_numpy(dtype=object)
    text = np.array(
        [None if _is_blank(v) else (v if isinstance(v, str) else str(v)) for v in values],
        dtype=object,
    )
    # comments whose given code has no lexicon (blank comments are not counted)
    unknown = [
        c
        for c, g, t in zip(as_given, given, text, strict=True)
        if t is not None and g == UNDETERMINED and c != UNDETERMINED
    ]
    if unknown:
        counts = pd.Series(unknown).value_counts()
        shown = ", ".join(f"{code!r}: {k}" for code, k in counts.head(10).items())
        warnings.warn(
            f"tag_themes: {len(unknown)} comment(s) have a language code with no lexicon "
            f"({shown}); they are tagged as 'und', against every lexicon "
            f"({', '.join(lex.languages)})",
            UserWarning,
            stacklevel=2,
        )
    # analyse each distinct (comment, language) once: survey comments repeat
    key = pd.Series(text, dtype=object).fillna("\0") + "\x1f" + pd.Series(given).fillna("")
    codes, uniques = pd.factorize(key)
    flags = np.zeros((len(uniques), len(lex.themes)), dtype=bool)
    langs = np.empty(len(uniques), dtype=object)
    col = {t: j for j, t in enumerate(lex.themes)}
    first = np.zeros(len(uniques), dtype=np.int64)
    first[codes[::-1]] = np.arange(n)[::-1]  # a row where each distinct key occurs
    for u, row in enumerate(first):
        if text[row] is None:
            langs[u] = None
            continue
        lang, found = lex.tag(text[row], given[row])
        langs[u] = lang
        for t in found:
            flags[u, col[t]] = True

    out = pd.DataFrame(flags[codes] if n else flags[:0], index=series.index, columns=lex.themes)
    out["language"] = pd.Series(langs[codes] if n else [], index=series.index, dtype="str")
    out.attrs["labels"] = theme_labels(lex.spec)
    return out


# ---------------------------------------------------------------------------
# theme_impact
# ---------------------------------------------------------------------------


def _theme_columns(themes: pd.DataFrame) -> list:
    cols = [c for c in themes.columns if c != "language"]
    if not cols:
        raise ValueError("themes has no theme columns (expected the frame from tag_themes)")
    for c in cols:
        if not pd.api.types.is_bool_dtype(themes[c]):
            raise ValueError(
                f"themes column {c!r} is {themes[c].dtype}, expected booleans "
                "(the frame from tag_themes)"
            )
    return cols


def _check_aligned(df: pd.DataFrame, themes) -> None:
    if not isinstance(themes, pd.DataFrame):
        raise TypeError(
            f"themes must be the DataFrame from tag_themes, got {type(themes).__name__}"
        )
    if not themes.index.equals(df.index):
        if len(themes) != len(df):
            raise ValueError(f"themes has {len(themes)} rows but df has {len(df)}")
        pos = int(np.flatnonzero(themes.index != df.index)[0])
        raise ValueError(
            "themes is not aligned with df: index differs first at position "
            f"{pos} ({themes.index[pos]!r} vs {df.index[pos]!r}); tag df[comment]"
        )


def _commenters(df, themes, comment) -> np.ndarray:
    if comment is not None:
        check_columns(df, [comment], what="comment column")
        return ~df[comment].map(_is_blank).to_numpy(dtype=bool)
    if "language" in themes.columns:
        return themes["language"].notna().to_numpy()
    raise ValueError("cannot tell who commented: pass comment= or the frame from tag_themes")


def _hide_small_themes(out: pd.DataFrame, n: int, min_n: int) -> pd.DataFrame:
    """No NPS for a theme whose mentioners, or whose rest, are fewer than ``min_n``."""
    mentions = out["mentions"].to_numpy()
    rest = n - mentions
    # nobody (or everybody) mentioning it: no small group, the numbers are the overall NPS
    hidden = ((mentions > 0) & (mentions < min_n)) | ((rest > 0) & (rest < min_n))
    out["suppressed"] = hidden
    for c in ("nps_mentioning", "nps_rest", "impact", "ci_low", "ci_high"):
        out[c] = out[c].mask(hidden)
    return out


def coded_themes(df: pd.DataFrame, columns, *, comment: str | None = None) -> pd.DataFrame:
    """Hand-coded themes (one 0/1 column per theme) as a ``tag_themes``-shaped frame.

    Parameters
    ----------
    df : DataFrame with one row per respondent.
    columns : the theme columns: 1 / True = mentions the theme, 0 / False or
        blank = does not.
    comment : the comment column.  When given, only respondents with a
        non-blank comment are commenters, and a theme coded 1 on a blank
        comment is an error; when None, a respondent with any coded value
        (0 or 1) is a commenter.

    Returns
    -------
    DataFrame with one boolean column per theme and a ``language`` column that
    is NaN for respondents who did not comment ("und" for the others), so that
    ``theme_impact`` and ``theme_quotes`` count commenters as for tagged
    comments.  Raises ``ValueError`` naming the column and rows of a value that
    is not 0 or 1.

    >>> df = pd.DataFrame({"comment": ["Pricey", "", "Fast"], "price": [1, 0, 0], "speed": [0, None, 1]})
    >>> coded_themes(df, ["price", "speed"], comment="comment")
       price  speed language
    0   True  False      und
    1  False  False      NaN
    2  False   True      und
    """
    if isinstance(columns, str):
        columns = [columns]
    columns = list(columns)
    if not columns:
        raise ValueError("theme_columns is empty: name the 0/1 theme columns")
    check_columns(df, columns, what="theme column")
    if "language" in columns:
        raise ValueError("'language' is reserved for the language column; rename that theme")
    out = pd.DataFrame(index=df.index)
    coded = np.zeros(len(df), dtype=bool)
    for col in columns:
        raw = df[col]
        values = pd.to_numeric(raw.astype("object").where(raw.notna()), errors="coerce")
        bad = (raw.notna() & ~values.isin([0, 1])).to_numpy()
        if bad.any():
            rows = list(df.index[bad][:5])
            examples = list(raw[bad].head(3))
            raise ValueError(
                f"theme column {col!r}: rows {rows} hold {examples}, expected 0 or 1 (or blank)"
            )
        out[col] = (values == 1).to_numpy()
        coded |= raw.notna().to_numpy()
    if comment is not None:
        check_columns(df, [comment], what="comment column")
        commenter = ~df[comment].map(_is_blank).to_numpy(dtype=bool)
        for col in columns:
            stray = out[col].to_numpy() & ~commenter
            if stray.any():
                rows = list(df.index[stray][:5])
                raise ValueError(
                    f"theme column {col!r} is 1 on rows {rows}, whose comment {comment!r} "
                    "is blank: code themes only for respondents who commented"
                )
    else:
        commenter = coded
    out["language"] = pd.Series(
        np.where(commenter, UNDETERMINED, None), index=df.index, dtype="str"
    )
    out.attrs["labels"] = {c: str(c).replace("_", " ").capitalize() for c in columns}
    return out


def theme_impact(
    df: pd.DataFrame,
    themes: pd.DataFrame | None = None,
    score: str = "recommend",
    *,
    theme_columns=None,
    comment: str | None = None,
    n_resamples: int = N_RESAMPLES,
    confidence_level: float = 0.95,
    min_n: int = 5,
    rng=None,
) -> pd.DataFrame:
    """How much each theme's commenters move the NPS, with a bootstrap interval.

    For each theme: ``impact = NPS(everyone) - NPS(everyone except those who
    mention the theme)``.  A positive impact means the theme's commenters lift
    the score (a strength), a negative one that they pull it down (a pain
    point).  Respondents with a blank score are left out of every column and
    counted in ``attrs["excluded_blank"]``.

    Parameters
    ----------
    df : DataFrame with one row per respondent.
    themes : the ``tag_themes`` frame for ``df``'s comments (same index).
    score : column of 0-10 answers.
    theme_columns : instead of ``themes``, columns of ``df`` coded by hand, one
        0/1 column per theme (see ``coded_themes``): no tagging is done.
    comment : column of comments used to count commenters; by default the
        ``language`` column of ``themes`` (NaN = no comment).
    n_resamples : bootstrap resamples of respondents (0 = no interval).
    confidence_level : of the percentile bootstrap interval.
    min_n : themes mentioned by fewer respondents are flagged ``below_min_n``
        and show no NPS: ``nps_mentioning``, ``nps_rest``, ``impact`` and its
        interval are missing (``suppressed``), since a theme's few
        commenters may be known by name.  So are those of a theme that all
        but fewer than ``min_n`` respondents mention (its "rest" is the small
        group then).  The theme's name and mention count stay.
    rng : seed or ``numpy.random.Generator``.

    Returns
    -------
    DataFrame sorted by impact (largest first), columns theme, mentions,
    share_of_commenters (% of respondents with a comment who mention it),
    nps_mentioning, nps_rest, impact, ci_low and ci_high (the interval of the
    impact), below_min_n,
    suppressed (suppressed themes last).  ``attrs`` holds ``n``,
    ``commenters``, ``uncovered`` (commenters whose comment no theme covers)
    and ``uncovered_share`` (their % of the commenters).

    Examples
    --------
    Four respondents; two mention price (scores 10 and 2), two do not (9, 8).
    NPS of all = (2 - 1) / 4 = 25; without the price commenters (9, 8) = 50;
    impact = 25 - 50 = -25.

    >>> df = pd.DataFrame({"recommend": [10, 2, 9, 8]})
    >>> tags = pd.DataFrame({"price": [True, True, False, False], "language": "en"})
    >>> out = theme_impact(df, tags, n_resamples=0, min_n=2)  # default 5 would hide them
    >>> out.loc[0, ["nps_mentioning", "nps_rest", "impact"]].tolist()
    [0.0, 50.0, -25.0]
    """
    check_columns(df, [score], what="score column")
    if theme_columns is not None:
        if themes is not None:
            raise ValueError("give themes (a tag_themes frame) or theme_columns, not both")
        themes = coded_themes(df, theme_columns, comment=comment)
    elif themes is None:
        raise TypeError("theme_impact needs themes (the tag_themes frame) or theme_columns")
    _check_aligned(df, themes)
    cols = _theme_columns(themes)
    confidence_level = check_level(confidence_level)
    n_resamples = check_resamples(n_resamples, allow_zero=True)
    min_n = check_min_n(min_n)

    scores = _as_score_array(df[score], name=score)
    keep = ~np.isnan(scores)
    n = int(keep.sum())
    if n == 0:
        raise ValueError(f"no non-blank answers in {score!r}: NPS is undefined")
    value = np.array([-100.0, 0.0, 100.0])[_category_codes(scores[keep])]
    mentions = themes[cols].to_numpy(dtype=bool)[keep]
    commented = _commenters(df, themes, comment)[keep]
    commenters = int(commented.sum())
    # commenters whose comment no theme covers (every table and finding says so)
    uncovered = int((commented & ~mentions.any(axis=1)).sum())

    # Everything below depends on a respondent only through (category, theme
    # pattern), so respondents are pooled into those cells.  Resampling n
    # respondents with replacement is then one multinomial draw over the cells:
    # the B x cells count matrix times the cell totals gives every bootstrap
    # statistic with no B x n matrix (exactly the same distribution).
    if mentions.shape[1] <= 60:
        # one integer per respondent (category, then the theme bits, first theme
        # highest): the same cells in the same order as np.unique(axis=0), whose
        # row sort took 30 s for a million respondents, in a 1-D sort
        key = np.round(value / 100 + 1).astype(np.int64)
        for j in range(mentions.shape[1]):
            key = (key << 1) | mentions[:, j]
        uniq, first, inverse, size = np.unique(
            key, return_index=True, return_inverse=True, return_counts=True
        )
        cells = np.column_stack([value, mentions])[first]
    else:
        cells, inverse, size = np.unique(
            np.column_stack([value, mentions]), axis=0, return_inverse=True, return_counts=True
        )
    inverse = inverse.ravel()
    cell_value = cells[:, 0]
    rest = ~cells[:, 1:].astype(bool)  # cells x k: not mentioning the theme
    # columns: sum of values over everyone, then per theme sum over the rest and count of rest
    design = np.column_stack([cell_value, cell_value[:, None] * rest, rest]).astype(float)
    k = len(cols)

    def stats(counts):
        tot = counts @ design
        overall = tot[..., 0] / counts.sum(axis=-1)
        with np.errstate(invalid="ignore", divide="ignore"):
            rest_nps = tot[..., 1 : k + 1] / tot[..., k + 1 :]
        return overall, rest_nps

    overall, rest_nps = stats(size.astype(float))
    n_mention = mentions.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        nps_mentioning = (value @ mentions) / n_mention
    impact = overall - rest_nps

    low = high = np.full(k, np.nan)
    if n_resamples:
        gen = np.random.default_rng(rng)
        boot = np.empty((n_resamples, k))
        for start in range(0, n_resamples, 1000):  # bounded memory for many cells
            counts = gen.multinomial(n, size / n, size=min(1000, n_resamples - start))
            o, r = stats(counts.astype(float))
            boot[start : start + len(counts)] = o[:, None] - r
        alpha = 1 - confidence_level
        with np.errstate(invalid="ignore"):
            low, high = np.nanquantile(boot, [alpha / 2, 1 - alpha / 2], axis=0)
        all_nan = np.isnan(boot).all(axis=0)
        low[all_nan] = high[all_nan] = np.nan

    out = pd.DataFrame(
        {
            "theme": cols,
            "mentions": n_mention.astype(int),
            "share_of_commenters": 100.0 * n_mention / commenters if commenters else np.nan,
            "nps_mentioning": nps_mentioning,
            "nps_rest": rest_nps,
            "impact": impact,
            "ci_low": low,
            "ci_high": high,
            "below_min_n": n_mention < min_n,
        }
    )
    out = _hide_small_themes(out, n, min_n)
    out = out.sort_values("impact", ascending=False, kind="stable", na_position="last")
    out = out.reset_index(drop=True)
    out.attrs.update(
        n=n,
        excluded_blank=int((~keep).sum()),
        commenters=commenters,
        uncovered=uncovered,
        uncovered_share=100.0 * uncovered / commenters if commenters else np.nan,
        nps=float(overall),
        n_resamples=n_resamples,
        confidence_level=confidence_level,
    )
    return out


# ---------------------------------------------------------------------------
# redaction and quotes
# ---------------------------------------------------------------------------


def theme_quotes(
    df: pd.DataFrame,
    themes: pd.DataFrame,
    comment: str = "comment",
    score: str = "recommend",
    *,
    per_group: int = 2,
    rng=None,
    min_n: int = 5,
) -> pd.DataFrame:
    """Example quotes per theme and category (detractor, passive, promoter), redacted.

    Up to ``per_group`` distinct comments are drawn at random (reproducibly
    with a seed) from the respondents in each theme and category who have a
    score and a comment.  Quotes pass through ``redact``; only the columns
    theme, category, quote and score are returned, never contact details.
    Escape the quotes (``html.escape``) before putting them in HTML.

    A theme fewer than ``min_n`` respondents with a score mention gets no
    quote, as ``theme_impact`` shows it no NPS: one quote a category would
    give that NPS away (three quotes cover a theme three people mention).

    >>> df = pd.DataFrame({"comment": ["Price ok, mail me at a@b.fi", "Too expensive"],
    ...                    "recommend": [9, 3], "email": ["a@b.fi", "c@d.fi"]})
    >>> tags = pd.DataFrame({"price": [True, True], "language": "en"})
    >>> theme_quotes(df, tags, rng=1, min_n=2)  # two respondents: the default 5 quotes none
       theme   category                         quote  score
    0  price  detractor                 Too expensive    3.0
    1  price   promoter  Price ok, mail me at [email]    9.0
    """
    check_columns(df, [comment], what="comment column")
    check_columns(df, [score], what="score column")
    _check_aligned(df, themes)
    cols = _theme_columns(themes)
    if per_group < 1:
        raise ValueError(f"per_group must be at least 1, got {per_group}")
    min_n = check_min_n(min_n)
    gen = np.random.default_rng(rng)
    scores = _as_score_array(df[score], name=score)
    text = df[comment].to_numpy(dtype=object)
    usable = ~np.isnan(scores) & ~np.array([_is_blank(t) for t in text], dtype=bool)
    category = _category_codes(scores)
    rows = []
    for theme in cols:
        said = themes[theme].to_numpy(dtype=bool)
        if (said & ~np.isnan(scores)).sum() < min_n:  # as theme_impact counts its mentions
            continue
        mentions = said & usable
        for code, name in enumerate(CATEGORIES):
            pos = np.flatnonzero(mentions & (category == code))
            if not len(pos):
                continue
            # one candidate per distinct comment so a quote is not shown twice
            _, first = np.unique(text[pos].astype(str), return_index=True)
            pos = pos[np.sort(first)]
            pick = gen.choice(pos, size=min(per_group, len(pos)), replace=False)
            for p in pick:
                rows.append((theme, name, redact(str(text[p])), float(scores[p])))
    out = pd.DataFrame(rows, columns=["theme", "category", "quote", "score"])
    out["category"] = pd.Categorical(out["category"], categories=list(CATEGORIES), ordered=True)
    return out
