"""Themes suggested from a survey's own comments: a draft lexicon a researcher edits.

``suggest_themes`` finds groups of comments that use the same words and names
each group by the words that set it apart, offline and in Finnish and English:

1. every comment becomes its lemmas (stop words out, a negator kept with its
   word: "ei huoli"), as ``distinctive_terms`` counts them;
   when the comments are in both Finnish and English, each also gets the ids
   of the bundled themes lexicon's themes its words match (``~price`` for
   "hinta" and for "price"): the lexicon's two languages serve as a
   dictionary, so a topic is not split into a Finnish and an English half.
   These shared features weigh double and never become terms; a word used
   beside many different such themes and with none most of the time is a
   stock phrase ("jatkakaa samaan malliin") and is left out;
2. TF-IDF of those lemmas, factorised into ``n_themes`` topics with
   non-negative matrix factorisation (scikit-learn's ``NMF``); each comment
   joins the topic that weighs most in it;
3. each topic's terms are ranked by class-based TF-IDF (c-TF-IDF, as BERTopic
   labels its clusters: a term's frequency in the topic's comments times
   ``log(1 + A / f)``, A the mean number of words per topic and f the term's
   frequency over all topics), keeping terms used by several of its comments.

The result is a dict in the structure ``tag_themes(themes=...)`` takes
(``{theme_id: {"label", "terms": {language: [terms]}}}``), and its
``summary`` tells, per theme, how many comments the drafted terms tag and two
example quotes (redacted).  ``write_themes`` saves it as a YAML file with
those counts and quotes as comments, to be edited before use.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import numpy as np
import pandas as pd

from ._redact import ANALYSIS_LENGTH, clip, visible
from ._text import (
    UNDETERMINED,
    _comment_lemmas,
    _comment_series,
    _detect,
    _is_blank,
    _language_codes,
    _stop_words,
    _words,
)

__all__ = ["suggest_themes", "write_themes", "SuggestedThemes"]

# what ``redact`` leaves for a contact detail: not a word the respondent wrote
_REDACTED = re.compile(r"\[(?:email|phone|id|iban|card)\]")

LANGUAGES = ("fi", "en")
TERMS_PER_THEME = 12
MIN_TERM_COMMENTS = 2  # a term must be used by this many of its theme's comments
MAX_THEMES = 12
EXAMPLES = 2
BRIDGE = "~"  # prefix of a feature shared across languages (a bundled theme id)
BRIDGE_WEIGHT = 2.0
GENERIC_MIN = 3  # a stock word: used beside at least this many bundled themes (and times)
OWN_SHARE = 0.5
COMMENTS_PER_THEME = 1  # n_themes by default: sqrt(n / COMMENTS_PER_THEME), 2 to MAX_THEMES
# (sqrt(n / 2) matched fewer hand-coded themes in benchmarks/themes_accuracy.py: 2 of 17
# on podracing against 3 of 17, the same on the example surveys)


class SuggestedThemes(dict):
    """A theme lexicon (``{theme_id: {label, terms}}``) drafted from comments.

    It is a plain dict for ``tag_themes(themes=...)``; ``summary`` is a
    DataFrame with one row per theme: theme, label, terms, comments (how
    many of the comments the terms tag), share (% of the non-blank
    comments), examples (two quotes, redacted).  ``uncovered`` is the share
    of non-blank comments no suggested theme tags.
    """

    summary: pd.DataFrame
    uncovered: float
    n_comments: int


def _lemma_docs(series: pd.Series, language) -> tuple[list, np.ndarray, np.ndarray]:
    given, _ = _language_codes(language, series, LANGUAGES)
    docs, langs = [], np.full(len(series), None, dtype=object)
    keep = np.zeros(len(series), dtype=bool)
    for row, value in enumerate(series.to_numpy(dtype=object)):
        if _is_blank(value):
            docs.append([])
            continue
        text = str(value)
        lang = given[row] or _detect(text, _words(text), LANGUAGES)[0]
        langs[row] = lang
        lemmas = [t for t in _comment_lemmas(text, lang, _stop_words(lang)) if t]
        docs.append(lemmas)
        keep[row] = True
    return docs, langs, keep


def _bridges(texts: pd.Series, langs: np.ndarray) -> list:
    """Shared features that join Finnish and English comments about the same thing.

    A comment in one language shares no lemma with one in the other, so a
    bilingual survey's topics split by language ("hinta" and "price" apart).
    When the comments are in more than one language, each comment also gets
    the ids of the bundled themes lexicon's themes its words match (through
    that lexicon's Finnish and English terms, used as a bilingual dictionary):
    "Hinta on korkea" and "The price is high" both hold ``~price``.  These
    features shape the topics but never become terms.  In one language
    nothing is added: the topics are the comments' own.
    """
    import warnings

    from .themes import tag_themes

    codes = {str(c) for c in langs if c in LANGUAGES}
    if len(codes) < 2:
        return [[] for _ in range(len(texts))]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        tags = tag_themes(texts.reset_index(drop=True), language=pd.Series(langs, dtype=object))
    cols = [c for c in tags.columns if c != "language"]
    flags = tags[cols].to_numpy(dtype=bool)
    return [[BRIDGE + cols[j] for j in np.flatnonzero(row)] for row in flags]


def _evaluative_words() -> frozenset:
    """The words of the bundled sentiment lexicon (every language), and their negations."""
    from .sentiment import load_sentiment_lexicon

    words = {w for spec in load_sentiment_lexicon().values() for w in spec["terms"]}
    return frozenset(words)


def _manner(term: str) -> bool:
    """An English adverb of manner or degree ("honestly", "completely"): how, not what.

    Such words ranked high in a theme of a few comments and then tagged comments of
    every theme; an "-ly" word of 8 letters or more is not a theme term ("monthly",
    "family" stay).
    """
    return term.isascii() and term.endswith("ly") and len(term) >= 8


def _theme_id(term: str, taken: set) -> str:
    ascii_ = unicodedata.normalize("NFKD", term).encode("ascii", "ignore").decode()
    base = re.sub(r"[^a-z0-9]+", "_", ascii_.lower()).strip("_") or "theme"
    if not base[0].isalpha():
        base = f"t_{base}"
    name, k = base, 2
    while name in taken:
        name, k = f"{base}_{k}", k + 1
    taken.add(name)
    return name


def _default_n(n: int) -> int:
    """sqrt(n) themes (11 for 123 comments), at least 2 and at most MAX_THEMES."""
    return int(min(MAX_THEMES, max(2, round(np.sqrt(n / COMMENTS_PER_THEME)))))


def suggest_themes(comments, *, language="auto", n_themes=None, rng=None) -> SuggestedThemes:
    """Draft a theme lexicon from the comments themselves (no lexicon, nothing downloaded).

    Parameters
    ----------
    comments : Series or list of comment strings (blanks are skipped).
    language : "auto" (Finnish or English detected per comment), "fi", "en",
        or a Series of codes aligned with ``comments``.
    n_themes : how many themes to look for; None: sqrt(n) for n comments
        (2 to 12).  Fewer are returned when a topic has no term used by
        ``MIN_TERM_COMMENTS`` of its comments.
    rng : seed or ``numpy.random.Generator`` of the factorisation's start.

    Returns
    -------
    SuggestedThemes: a dict for ``tag_themes(themes=...)`` / ``write_themes``,
    with ``.summary`` (per theme: terms, comments tagged, share, example
    quotes) and ``.uncovered`` (% of comments no suggested theme tags).

    Examples
    --------
    >>> texts = (["The price is too high", "High price, expensive plan"] * 4
    ...          + ["Support answered fast", "Fast and friendly support"] * 4)
    >>> found = suggest_themes(texts, n_themes=2, rng=0)
    >>> sorted(found.summary["comments"].tolist())
    [8, 8]
    >>> found.uncovered
    0.0
    """
    from sklearn.decomposition import NMF
    from sklearn.feature_extraction.text import CountVectorizer, TfidfTransformer

    from .themes import redact, tag_themes

    # contact details out before any word is read (they became terms and labels:
    # "Matti, firma"), and a huge comment cut, as the report's analyses read them
    series = _comment_series(comments).map(lambda v: clip(v, ANALYSIS_LENGTH), na_action="ignore")
    words = series.map(lambda v: _REDACTED.sub(" ", v) if isinstance(v, str) else v)
    docs, langs, keep = _lemma_docs(words, language)
    rows = np.flatnonzero(keep)
    if len(rows) < 4:
        raise ValueError(f"suggest_themes: {len(rows)} non-blank comments; need at least 4")
    if n_themes is None:
        n_themes = _default_n(len(rows))
    if isinstance(n_themes, bool) or not isinstance(n_themes, (int, np.integer)) or n_themes < 1:
        raise ValueError(f"n_themes must be a positive whole number or None, got {n_themes!r}")
    seed = int(np.random.default_rng(rng).integers(2**31 - 1))

    # terms are single lemmas (a negated one is "ei huoli"): one token each
    bridges = _bridges(series.iloc[rows], langs[rows])  # once: it tags every comment
    features = [docs[r] + bridges[i] for i, r in enumerate(rows)]
    counter = CountVectorizer(analyzer=lambda d: d, min_df=2, binary=True)
    try:
        counts = counter.fit_transform(features)
    except ValueError:
        raise ValueError(
            "suggest_themes: no word is used by two comments; nothing to group"
        ) from None
    terms = counter.get_feature_names_out()
    k = int(min(n_themes, counts.shape[1], len(rows) - 1))
    tfidf = TfidfTransformer(sublinear_tf=True).fit_transform(counts)
    bridged = np.char.startswith(terms.astype(str), BRIDGE)
    generic = np.zeros(len(terms), dtype=bool)
    if bridged.any():
        from sklearn.preprocessing import normalize

        # a word used beside many different bundled themes, none of them most of the
        # time, is a stock phrase ("jatkakaa samaan malliin", "hope this improves"):
        # it says nothing of what the comment is about, so it neither shapes nor names
        co = np.asarray((counts.T @ counts[:, np.flatnonzero(bridged)]).todense())
        total = co.sum(axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            generic = (
                ~bridged
                & (total >= GENERIC_MIN)
                & (np.count_nonzero(co, axis=1) >= GENERIC_MIN)
                & (co.max(axis=1) < OWN_SHARE * total)
            )
        # a shared feature weighs as BRIDGE_WEIGHT of the comment's own words
        scale = np.where(bridged, BRIDGE_WEIGHT, np.where(generic, 0.0, 1.0))
        tfidf = normalize(tfidf.multiply(scale).tocsr())
    weights = NMF(n_components=k, init="nndsvda", random_state=seed, max_iter=500).fit_transform(
        tfidf
    )
    topic = np.where(weights.max(axis=1) > 0, weights.argmax(axis=1), -1)

    # class-based TF-IDF: one "document" per topic
    per_topic = np.vstack([np.asarray(counts[topic == t].sum(axis=0)).ravel() for t in range(k)])
    freq = per_topic.sum(axis=0)
    mean_words = per_topic.sum() / k
    with np.errstate(divide="ignore", invalid="ignore"):
        tf = per_topic / per_topic.sum(axis=1, keepdims=True)
        ctfidf = np.nan_to_num(tf * np.log1p(mean_words / np.maximum(freq, 1)))

    # words of praise and complaint ("uncomfortable", "kallis") say how, not what:
    # as theme terms they tag comments of every theme, so themes are named by the rest
    evaluative = _evaluative_words()
    lexicon, meta, taken = SuggestedThemes(), [], set()
    row_lang = langs[rows]
    for t in np.argsort(-np.bincount(topic[topic >= 0], minlength=k)):
        members = topic == t
        if not members.any():
            continue
        order = np.argsort(-ctfidf[t])
        # a term used mostly by this theme's comments: themes stay apart
        chosen = [
            j
            for j in order
            if per_topic[t, j] >= MIN_TERM_COMMENTS
            and ctfidf[t, j] > 0
            and per_topic[t, j] >= OWN_SHARE * freq[j]
            and terms[j] not in evaluative
            and not bridged[j]
            and not generic[j]
            and not _manner(str(terms[j]))
        ]
        chosen = chosen[:TERMS_PER_THEME]
        if not chosen:
            continue
        by_lang: dict = {}
        for j in chosen:
            # a term goes to the language of the comments of the theme that use it
            users = members & (np.asarray(counts[:, j].todense()).ravel() > 0)
            codes = pd.Series(row_lang[users]).replace(UNDETERMINED, np.nan).dropna()
            lang = codes.mode().iloc[0] if len(codes) else LANGUAGES[0]
            by_lang.setdefault(lang, []).append(str(terms[j]))
        theme = _theme_id(str(terms[chosen[0]]), taken)
        label = ", ".join(str(terms[j]) for j in chosen[:3]).capitalize()
        lexicon[theme] = {"label": label, "terms": by_lang}
        best = np.argsort(-weights[:, t])[:EXAMPLES]
        quotes = [redact(str(series.iloc[rows[i]])) for i in best if members[i]]
        meta.append((theme, label, [str(terms[j]) for j in chosen], quotes))

    n = len(rows)
    if lexicon:
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            tags = tag_themes(series.iloc[rows], themes=dict(lexicon), language=row_lang)
        flags = tags[list(lexicon)]
        covered = flags.to_numpy().any(axis=1)
    else:
        flags, covered = pd.DataFrame(index=series.index[rows]), np.zeros(n, dtype=bool)
    summary = pd.DataFrame(
        [
            {
                "theme": theme,
                "label": label,
                "terms": ", ".join(words),
                "comments": int(flags[theme].sum()),
                "share": 100.0 * flags[theme].sum() / n,
                "examples": quotes,
            }
            for theme, label, words, quotes in meta
        ],
        columns=["theme", "label", "terms", "comments", "share", "examples"],
    )
    lexicon.summary = summary
    lexicon.uncovered = round(100.0 * float((~covered).mean()), 12)
    lexicon.n_comments = n
    return lexicon


def write_themes(themes: SuggestedThemes, path) -> Path:
    """Write suggested themes as a themes YAML file (counts and quotes as comments).

    The file loads with ``load_themes`` and is meant to be edited: rename the
    ids and labels, drop terms that do not belong, merge themes.
    """
    import yaml

    path = Path(path)
    summary = getattr(themes, "summary", None)
    lines = [
        "# Themes SUGGESTED by nps-toolkit from the survey's own comments",
        "# (suggest_themes: NMF topics labelled by class-based TF-IDF). Edit before use:",
        "# rename ids and labels, drop terms that do not belong, merge or split themes.",
    ]
    if getattr(themes, "n_comments", None):
        lines.append(
            f"# {themes.n_comments} comments; {themes.uncovered:.1f} % tagged by no theme below."
        )
    for theme, spec in themes.items():
        lines.append("")
        if summary is not None and theme in set(summary["theme"]):
            row = summary.set_index("theme").loc[theme]
            lines.append(f"# tags {row['comments']} comments ({row['share']:.1f} %), e.g.:")
            for quote in row["examples"]:
                # no control character (YAML refuses a file holding one, even in a comment)
                lines.append("#   " + " ".join(visible(str(quote)).split())[:160])
        block = yaml.safe_dump(
            {theme: {"label": spec["label"], "terms": spec["terms"]}},
            allow_unicode=True,
            sort_keys=False,
            default_flow_style=None,
            width=100,
        )
        lines.append(block.rstrip("\n"))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
