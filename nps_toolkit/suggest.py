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
2. proper names ("Sebulba", "Anakin Skywalker": words capitalised wherever they
   are used, and seen mid-sentence or in no dictionary) are one theme of their
   own, "Names: ..." with every name used by two comments, once there are three
   such names; they do not shape the topics below, where each name with its few
   comments took a topic of its own (7 of podracing's 12, its "drivers" split);
3. TF-IDF of the other lemmas, factorised into the remaining topics with
   non-negative matrix factorisation (scikit-learn's ``NMF``); each comment
   joins the topic that weighs most in it;
4. each topic's terms are ranked by class-based TF-IDF (c-TF-IDF, as BERTopic
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
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from ._export import write_text_whole
from ._i18n import catalogue
from ._redact import ANALYSIS_LENGTH, clip, visible
from ._text import (
    UNDETERMINED,
    _comment_lemmas,
    _comment_series,
    _detect,
    _is_blank,
    _known,
    _language_codes,
    _recognised,
    _stop_words,
    _term_lemma,
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


# quantity words stopwords-iso keeps, which named a theme by the way people talk
# ("Soap, content, bit" from "a bit"): never a theme's term
VAGUE = {"en": frozenset({"bit", "lot", "lots", "bunch", "couple", "stuff"}),
         "fi": frozenset({"vähän", "paljon", "juttu", "asia"})}  # fmt: skip


@lru_cache(maxsize=8)
def _suggest_stops(lang) -> frozenset:
    """stopwords-iso's words and ``VAGUE`` (once a language: it is asked every comment)."""
    return _stop_words(lang) | VAGUE.get(lang, frozenset())


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
        lemmas = [t for t in _comment_lemmas(text, lang, _suggest_stops(lang)) if t]
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


_TOKEN = re.compile(r"[^\W\d_]+")  # the words _text reads, case kept
_SENTENCE = re.compile(r"[.!?:;\n\"“”()\[\]]")  # a word after one of these starts a sentence
NAME_SHARE = 0.9  # a name is capitalised in at least this share of its uses
NAMES_MIN = 3  # names (as written) used by two comments each before they form a theme


def _unknown(token: str, lang) -> bool:
    """Is a lower-case word in no dictionary (and, in Finnish, no compound of two words)?

    A Finnish compound ("laatuongelma") is often missing from simplemma's dictionary
    and is written as one word; an English one is written apart.
    """
    if any(_known(token, code) or _recognised(token, code) for code in LANGUAGES):
        return False
    if lang == "fi":
        return not any(
            _known(token[:i], "fi") and _known(token[i:], "fi") for i in range(3, len(token) - 2)
        )
    return True


def _proper_names(texts, langs) -> dict:
    """Lemmas of proper names in the comments, with the form they are written in.

    A word is a name when it is capitalised in at least ``NAME_SHARE`` of its uses
    and at least one use shows it is a name, not a sentence's first word: it is
    capitalised in the middle of a sentence ("Fode and Beed"), or it starts the
    sentence and no dictionary knows it ("Sebulba drove well").  A comment written
    mostly in capitals or Title Case shows nothing either way.
    """
    from collections import Counter

    caps, other, joined, shown, forms = Counter(), Counter(), Counter(), set(), {}
    for text, lang in zip(texts, langs, strict=True):
        found = list(_TOKEN.finditer(text))
        upper = [m.group()[0].isupper() and not m.group().isupper() for m in found]
        if len(found) >= 3 and sum(upper) > len(found) / 2:
            continue
        stops, end, run = _stop_words(lang), None, []
        for match, capital in zip([*found, None], [*upper, False], strict=True):
            token = "" if match is None else match.group()
            gap = "" if match is None or end is None else text[end : match.start()]
            start = end is None or bool(_SENTENCE.search(gap))
            if run and (not capital or gap.strip()):
                written = text[run[0][1] : run[-1][2]]
                for lemma, _, _ in run:
                    forms.setdefault(lemma, Counter())[written] += 1
                    if len(run) > 1:  # "Dud Bolt": each word a part of a name
                        joined[lemma] += 1
                run = []
            if match is None:
                break
            end = match.end()
            low = token.lower()
            if token.isupper() or len(low) < 2 or low in stops:
                continue
            lemma = _term_lemma(low, lang)
            if lemma in stops:
                continue
            if not capital:
                other[lemma] += 1
                continue
            caps[lemma] += 1
            run.append((lemma, match.start(), match.end()))
            if not start or _unknown(low, lang):
                shown.add(lemma)
    # a word only ever used with other capitalised words is part of names too
    shown |= {w for w, c in joined.items() if c >= NAME_SHARE * (caps[w] + other[w])}
    return {
        lemma: forms[lemma].most_common(1)[0][0]
        for lemma in sorted(shown)
        if caps[lemma] >= NAME_SHARE * (caps[lemma] + other[lemma])
    }


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
    n_themes : how many themes to look for, the names theme among them;
        None: sqrt(n) for n comments (2 to 12).  Fewer are returned when a
        topic has no term used by ``MIN_TERM_COMMENTS`` of its comments.
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
    row_lang = langs[rows]
    names = _proper_names(words.iloc[rows], row_lang)
    is_name = np.isin(terms.astype(str), list(names))
    # names as written ("Anakin Skywalker" is one), each used by two comments
    written = {names[str(t)] for t in terms[is_name]}
    named = n_themes > 1 and len(written) >= NAMES_MIN
    k = int(min(n_themes - named, counts.shape[1], len(rows) - 1))
    tfidf = TfidfTransformer(sublinear_tf=True).fit_transform(counts)
    bridged = np.char.startswith(terms.astype(str), BRIDGE)
    generic = np.zeros(len(terms), dtype=bool)
    scale = np.ones(len(terms))
    if bridged.any():
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
    if named:
        # names shape no topic (they are a theme of their own, below): weighed in,
        # each name with a few comments took a topic of its own ("Sebulba")
        scale = np.where(is_name, 0.0, scale)
    if (scale != 1.0).any():
        from sklearn.preprocessing import normalize

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

    def by_language(chosen: list, members: np.ndarray) -> dict:
        by_lang: dict = {}
        for j in chosen:
            # a term goes to the language of the comments of the theme that use it
            users = members & (np.asarray(counts[:, j].todense()).ravel() > 0)
            codes = pd.Series(row_lang[users]).replace(UNDETERMINED, np.nan).dropna()
            lang = codes.mode().iloc[0] if len(codes) else LANGUAGES[0]
            by_lang.setdefault(lang, []).append(str(terms[j]))
        return by_lang

    # words of praise and complaint ("uncomfortable", "kallis") say how, not what:
    # as theme terms they tag comments of every theme, so themes are named by the rest
    evaluative = _evaluative_words()
    drafts = []  # (comments, first term, label, terms by language, terms, quotes)
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
        label = ", ".join(str(terms[j]) for j in chosen[:3]).capitalize()
        best = np.argsort(-weights[:, t])[:EXAMPLES]
        quotes = [i for i in best if members[i]]
        drafts.append(
            (
                int(members.sum()),
                str(terms[chosen[0]]),
                label,
                by_language(chosen, members),
                [str(terms[j]) for j in chosen],
                quotes,
            )
        )
    if named:
        # the names (of people, places, products) form one theme of their own: spread
        # over the topics, each name with a few comments, they took one topic each
        cols = np.flatnonzero(is_name)
        uses = np.asarray(counts[:, cols].sum(axis=0)).ravel()
        cols = cols[np.argsort(-uses, kind="stable")]
        hits = np.asarray(counts[:, cols].sum(axis=1)).ravel()
        members = hits > 0
        written = list(dict.fromkeys(names[str(terms[j])] for j in cols))  # "Dud Bolt" once
        finnish = (row_lang == "fi").sum() > (row_lang == "en").sum()
        label = catalogue("fi" if finnish else "en")["comments.suggested_names"]
        label = label.format(names=", ".join(written[:3]))
        quotes = list(np.argsort(-hits, kind="stable")[:EXAMPLES])
        drafts.append(
            (
                int(members.sum()),
                "names",
                label,
                by_language(list(cols), members),
                [str(terms[j]) for j in cols],
                quotes,
            )
        )
    lexicon, meta, taken = SuggestedThemes(), [], set()
    for _, first, label, by_lang, chosen, quotes in sorted(drafts, key=lambda d: -d[0]):
        theme = _theme_id(first, taken)
        lexicon[theme] = {"label": label, "terms": by_lang}
        meta.append((theme, label, chosen, [redact(str(series.iloc[rows[i]])) for i in quotes]))

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
    return write_text_whole(path, "\n".join(lines) + "\n")
