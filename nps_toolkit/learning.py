"""Models learned from comments a researcher coded by hand (sentiment and themes).

A lexicon reads any survey but misses the words of a new domain; a few hundred
comments coded by hand teach a model those words.  ``learn_sentiment`` and
``learn_themes`` fit scikit-learn pipelines (TF-IDF of lemmas and lemma pairs,
then logistic regression; one model per theme) on lemmatised Finnish and
English text, so "hinnat", "hinnasta" and "hintaa" are one feature.  Each word
after a negator carries the negation ("ei_toimia", "not_good"), and the
bundled sentiment lexicon's reading of the comment is one more feature, so a
model learned from a few hundred comments starts from what the lexicon knows.

Each model reports its cross-validated scores beside the lexicon's on the
same comments (``model.scores``), predicts frames shaped like
``comment_sentiment`` / ``tag_themes``, and saves to a JSON file (vocabulary,
IDF weights and coefficients; never a pickle, so a file named in a survey
config cannot run code when it is loaded).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ._export import write_text_whole
from ._text import _comment_series, _detect, _is_blank, _language_codes, _lemma, _words
from ._yaml import excerpt

__all__ = ["learn_sentiment", "learn_themes", "load_model", "SentimentModel", "ThemeModel"]

FORMAT = "nps-toolkit-model"
VERSION = 1
LANGUAGES = ("fi", "en")
N_FOLDS = 5
NEGATION_WINDOW = 3
MIN_PER_CLASS = 2  # a label (or a theme's yes / no) needs this many comments
_NEGATORS = frozenset(
    "not no never nothing none without cannot ei en et emme ette eivät eikä enkä ilman".split()
)


# ---------------------------------------------------------------------------
# features
# ---------------------------------------------------------------------------


def _features(texts: pd.Series, language) -> tuple[list[str], np.ndarray]:
    """Each comment as a space-joined string of lemma features, and its language."""
    from .sentiment import comment_sentiment

    given, _ = _language_codes(language, texts, LANGUAGES)
    lex = comment_sentiment(texts, language=language)["sentiment"].astype(str).to_numpy()
    docs, langs = [], np.empty(len(texts), dtype=object)
    for row, value in enumerate(texts.to_numpy(dtype=object)):
        if _is_blank(value):
            docs.append("")
            continue
        words = _words(str(value))
        lang = given[row] or _detect(str(value), words, LANGUAGES)[0]
        langs[row] = lang
        out, negated = [], 0
        for w in words:
            lemma = _lemma(w, lang) if lang in LANGUAGES else w
            if w in _NEGATORS:
                negated = NEGATION_WINDOW
                out.append(lemma)
                continue
            out.append(f"not_{lemma}" if negated else lemma)
            negated = max(negated - 1, 0)
        out.append(f"__lexicon_{lex[row]}__")
        docs.append(" ".join(out))
    return docs, langs


def _vectorizer(vocabulary=None):
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(
        token_pattern=r"\S+",
        lowercase=False,
        ngram_range=(1, 2),
        min_df=1 if vocabulary is not None else 2,
        sublinear_tf=True,
        vocabulary=vocabulary,
    )


def _classifier():
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=4.0, class_weight="balanced", max_iter=2000)


def _pipeline():
    from sklearn.pipeline import make_pipeline

    return make_pipeline(_vectorizer(), _classifier())


def _texts(comments, name: str) -> pd.Series:
    series = _comment_series(comments)
    blank = series.map(_is_blank)
    if blank.any():
        rows = list(series.index[blank][:5])
        raise ValueError(
            f"{name}: {int(blank.sum())} blank comment(s) to learn from (index {rows}); "
            "drop them or code them"
        )
    return series.astype(str)


# ---------------------------------------------------------------------------
# sentiment
# ---------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class SentimentModel:
    """A sentiment classifier learned from labelled comments (``learn_sentiment``)."""

    classes: tuple
    vocabulary: dict = field(repr=False)
    idf: np.ndarray = field(repr=False)
    coef: np.ndarray = field(repr=False)
    intercept: np.ndarray = field(repr=False)
    n: int = 0
    scores: pd.DataFrame | None = field(default=None, repr=False)

    def _pipe(self):
        return _rebuild(self.vocabulary, self.idf, self.coef, self.intercept, self.classes)

    def predict(self, comments, *, language="auto") -> pd.DataFrame:
        """Frame like ``comment_sentiment``: sentiment, score (P(pos) - P(neg)), language."""
        from .sentiment import SENTIMENT_DTYPE

        series = _comment_series(comments)
        docs, langs = _features(series, language)
        blank = series.map(_is_blank).to_numpy()
        out = pd.DataFrame(index=series.index)
        labels = np.full(len(series), None, dtype=object)
        score = np.full(len(series), np.nan)
        if (~blank).any():
            vec, clf = self._pipe()
            proba = clf.predict_proba(vec.transform(_kept(docs, blank)))
            cls = list(self.classes)
            labels[~blank] = np.asarray(cls, dtype=object)[proba.argmax(axis=1)]
            pos = proba[:, cls.index("positive")] if "positive" in cls else 0.0
            neg = proba[:, cls.index("negative")] if "negative" in cls else 0.0
            score[~blank] = pos - neg
        out["sentiment"] = pd.Categorical(labels, dtype=SENTIMENT_DTYPE)
        out["score"] = score
        out["language"] = pd.Series(langs, index=series.index, dtype="str")
        return out

    def save(self, path) -> Path:
        """Write the model as JSON (safe to load: no code, only numbers and words)."""
        return _save(path, "sentiment", self)


def learn_sentiment(comments, labels, *, language="auto", rng=0) -> SentimentModel:
    """Learn comment sentiment from comments labelled negative / neutral / positive.

    Parameters
    ----------
    comments : Series or list of comment strings (none blank).
    labels : the label of each comment: "negative", "neutral" or "positive"
        (two of them are enough, e.g. for reviews that are never neutral).
    language : as for ``comment_sentiment``.
    rng : seed of the cross-validation folds.

    Returns
    -------
    SentimentModel with ``.predict(comments)`` and ``.save(path)``; its
    ``scores`` compare the model's 5-fold cross-validated accuracy and
    macro-F1 with the lexicon's (``comment_sentiment``, unknown read as
    neutral) and the majority label's on the same comments.

    Examples
    --------
    >>> texts = ["great service", "awful service", "great staff", "awful staff"] * 5
    >>> model = learn_sentiment(texts, ["positive", "negative"] * 10)
    >>> model.predict(["the staff were great"])["sentiment"].tolist()
    ['positive']
    """
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    from .sentiment import SENTIMENTS, comment_sentiment, evaluate_sentiment

    series = _texts(comments, "learn_sentiment")
    truth = pd.Series(list(labels), dtype=object)
    if len(truth) != len(series):
        raise ValueError(f"learn_sentiment: {len(series)} comments but {len(truth)} labels")
    bad = sorted(set(map(str, truth)) - set(SENTIMENTS))
    if bad:
        raise ValueError(f"learn_sentiment: labels must be one of {list(SENTIMENTS)}; found {bad}")
    counts = truth.value_counts()
    if len(counts) < 2 or counts.min() < MIN_PER_CLASS:
        raise ValueError(
            f"learn_sentiment: need at least two labels with {MIN_PER_CLASS}+ comments each; "
            f"got {counts.to_dict()}"
        )
    docs, _ = _features(series, language)
    y = truth.to_numpy()
    folds = min(N_FOLDS, int(counts.min()))
    cv = StratifiedKFold(folds, shuffle=True, random_state=rng)
    guess = cross_val_predict(_pipeline(), docs, y, cv=cv)
    lexicon = comment_sentiment(series, language=language)["sentiment"].astype(str)
    majority = [counts.index[0]] * len(y)
    rows = []
    for method, said in (
        (f"model ({folds}-fold cross-validated)", guess),
        ("lexicon", lexicon),
        ("majority label", majority),
    ):
        acc = evaluate_sentiment(y, said)
        rows.append(
            {"method": method, "n": acc.n, "accuracy": acc.accuracy, "macro_f1": acc.macro_f1}
        )
    pipe = _pipeline().fit(docs, y)
    vec, clf = pipe[0], pipe[-1]
    return SentimentModel(
        classes=tuple(clf.classes_),
        vocabulary=dict(vec.vocabulary_),
        idf=vec.idf_,
        coef=clf.coef_,
        intercept=clf.intercept_,
        n=len(y),
        scores=pd.DataFrame(rows),
    )


# ---------------------------------------------------------------------------
# themes
# ---------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class ThemeModel:
    """Theme classifiers learned from hand-coded comments (``learn_themes``), one per theme."""

    themes: tuple
    vocabulary: dict = field(repr=False)
    idf: np.ndarray = field(repr=False)
    coef: np.ndarray = field(repr=False)  # one row per theme
    intercept: np.ndarray = field(repr=False)
    n: int = 0
    scores: pd.DataFrame | None = field(default=None, repr=False)

    def predict(self, comments, *, language="auto") -> pd.DataFrame:
        """Frame like ``tag_themes``: one boolean column per theme and ``language``."""
        series = _comment_series(comments)
        docs, langs = _features(series, language)
        blank = series.map(_is_blank).to_numpy()
        flags = np.zeros((len(series), len(self.themes)), dtype=bool)
        if (~blank).any():
            x = _fitted_vectorizer(self.vocabulary, self.idf).transform(_kept(docs, blank))
            flags[~blank] = (x @ self.coef.T + self.intercept) > 0
        out = pd.DataFrame(flags, index=series.index, columns=list(self.themes))
        out["language"] = pd.Series(langs, index=series.index, dtype="str")
        return out

    def save(self, path) -> Path:
        """Write the model as JSON (safe to load: no code, only numbers and words)."""
        return _save(path, "themes", self)


def learn_themes(comments, codes: pd.DataFrame, *, language="auto", rng=0) -> ThemeModel:
    """Learn themes from comments coded by hand (0/1 columns, one per theme).

    Parameters
    ----------
    comments : Series or list of comment strings (none blank).
    codes : DataFrame aligned with ``comments`` (same length; a Series' index
        must match), one 0/1 or boolean column per theme; a ``language``
        column is ignored.
    language : as for ``tag_themes``.
    rng : seed of the cross-validation folds.

    Returns
    -------
    ThemeModel with ``.predict(comments)`` and ``.save(path)``; ``scores`` has
    one row per theme: how many comments were coded with it, the model's
    5-fold cross-validated precision, recall and F1, and the F1 of the
    bundled lexicon's theme of the same id (NaN when it has none).

    Examples
    --------
    >>> texts = ["slow delivery", "rude staff", "delivery was late", "staff were rude"] * 5
    >>> codes = pd.DataFrame({"delivery": [1, 0, 1, 0] * 5, "staff": [0, 1, 0, 1] * 5})
    >>> model = learn_themes(texts, codes)
    >>> model.predict(["late delivery"])[["delivery", "staff"]].values.tolist()
    [[True, False]]
    """
    from sklearn.metrics import f1_score, precision_score, recall_score
    from sklearn.model_selection import KFold, cross_val_predict

    from .themes import load_themes, tag_themes

    series = _texts(comments, "learn_themes")
    if not isinstance(codes, pd.DataFrame):
        raise TypeError("learn_themes: codes must be a DataFrame of 0/1 theme columns")
    if len(codes) != len(series):
        raise ValueError(f"learn_themes: {len(series)} comments but {len(codes)} rows of codes")
    if isinstance(comments, pd.Series) and not codes.index.equals(series.index):
        raise ValueError("learn_themes: codes is not aligned with comments (different index)")
    cols = [c for c in codes.columns if c != "language"]
    if not cols:
        raise ValueError("learn_themes: codes has no theme column")
    y = np.zeros((len(series), len(cols)), dtype=int)
    for j, col in enumerate(cols):
        values = pd.to_numeric(codes[col].astype("object").replace({True: 1, False: 0}),
                               errors="coerce")  # fmt: skip
        bad = ~values.isin([0, 1])
        if bad.any():
            row = int(np.flatnonzero(bad.to_numpy())[0])
            raise ValueError(
                f"learn_themes: column {col!r} row {row}: expected 0/1, got {codes[col].iat[row]!r}"
            )
        y[:, j] = values.to_numpy(dtype=int)
        if y[:, j].sum() < MIN_PER_CLASS or (1 - y[:, j]).sum() < MIN_PER_CLASS:
            raise ValueError(
                f"learn_themes: theme {col!r} is coded on {int(y[:, j].sum())} of "
                f"{len(y)} comments; each theme needs {MIN_PER_CLASS}+ comments with and without it"
            )
    docs, _ = _features(series, language)
    cv = KFold(min(N_FOLDS, len(series)), shuffle=True, random_state=rng)
    known = load_themes()
    present = [c for c in cols if c in known]
    lex = tag_themes(series, language=language)[present] if present else None
    rows, coefs, intercepts = [], [], []
    vec = _vectorizer().fit(docs)
    x = vec.transform(docs)
    for j, col in enumerate(cols):
        guess = cross_val_predict(_pipeline(), docs, y[:, j], cv=cv)
        clf = _classifier().fit(x, y[:, j])
        coefs.append(clf.coef_[0])
        intercepts.append(clf.intercept_[0])
        kw = {"zero_division": 0.0}
        rows.append(
            {
                "theme": col,
                "coded": int(y[:, j].sum()),
                "precision": precision_score(y[:, j], guess, **kw),
                "recall": recall_score(y[:, j], guess, **kw),
                "f1": f1_score(y[:, j], guess, **kw),
                "lexicon_f1": f1_score(y[:, j], lex[col], **kw) if col in present else np.nan,
            }
        )
    return ThemeModel(
        themes=tuple(cols),
        vocabulary=dict(vec.vocabulary_),
        idf=vec.idf_,
        coef=np.vstack(coefs),
        intercept=np.asarray(intercepts),
        n=len(series),
        scores=pd.DataFrame(rows),
    )


# ---------------------------------------------------------------------------
# saving and loading (JSON: a file named in a config is untrusted)
# ---------------------------------------------------------------------------


def _kept(docs: list, blank: np.ndarray) -> list:
    return [d for d, b in zip(docs, blank, strict=True) if not b]


def _fitted_vectorizer(vocabulary, idf):
    vec = _vectorizer(vocabulary)
    vec.fit([" ".join(vocabulary)])  # sets up the fixed vocabulary
    vec.idf_ = np.asarray(idf, dtype=float)
    return vec


def _rebuild(vocabulary, idf, coef, intercept, classes):
    """The fitted vectorizer and classifier from stored numbers."""
    vec = _fitted_vectorizer(vocabulary, idf)
    clf = _classifier()
    clf.classes_ = np.asarray(classes, dtype=object)
    clf.coef_ = np.asarray(coef, dtype=float)
    clf.intercept_ = np.asarray(intercept, dtype=float)
    return vec, clf


def _save(path, kind: str, model) -> Path:
    path = Path(path)
    labels = model.classes if kind == "sentiment" else model.themes
    data = {
        "format": FORMAT,
        "version": VERSION,
        "kind": kind,
        "labels": list(labels),
        "n": model.n,
        "vocabulary": model.vocabulary and {k: int(v) for k, v in model.vocabulary.items()},
        "idf": np.asarray(model.idf).tolist(),
        "coef": np.asarray(model.coef).tolist(),
        "intercept": np.asarray(model.intercept).tolist(),
        "scores": None if model.scores is None else model.scores.to_dict(orient="records"),
    }
    return write_text_whole(path, json.dumps(data, ensure_ascii=False))


def _check_labels(path, kind: str, labels: tuple, n: int, scores) -> None:
    """A model's labels, ``n`` and ``scores`` as ``_save`` writes them (a hostile file is
    refused here, not half-read: a repeated theme lost a column, a theme "language"
    replaced the language column, an unknown sentiment label came out as a blank)."""
    from .sentiment import SENTIMENTS

    def damaged(why):
        return ValueError(f"{path}: model file is damaged ({why})")

    for label in labels:
        if not isinstance(label, str):
            raise damaged(f"label {excerpt(label)} is not text")
        if not label.strip():
            raise damaged("a label is empty")
    if len(set(labels)) != len(labels):
        raise damaged("a label is repeated")
    if kind == "themes" and "language" in labels:
        raise damaged("a theme is called 'language', the name of the language column")
    if kind == "sentiment" and (len(labels) < 2 or not set(labels) <= set(SENTIMENTS)):
        raise damaged(f"its labels must be two or three of {list(SENTIMENTS)}")
    if n < 0:
        raise damaged(f"'n' is {n}, a number of comments")
    if scores is not None and not (
        isinstance(scores, list) and all(isinstance(r, dict) for r in scores)
    ):
        raise damaged("'scores' is not a list of rows")


def load_model(path, *, kind: str | None = None):
    """A model saved by ``SentimentModel.save`` / ``ThemeModel.save``.

    The file is JSON (words and numbers) and is checked before use, so a
    model file named in a survey config cannot run code.  ``kind``
    ("sentiment" or "themes") makes a file of the other kind an error.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"model file not found: {path}")
    try:
        data = json.loads(path.read_text("utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise ValueError(f"{path}: not a model file saved by nps-toolkit ({exc})") from None
    except RecursionError:  # a file of nested brackets: no model is more than three deep
        raise ValueError(
            f"{path}: model file is damaged (nested too deeply to be a model)"
        ) from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ValueError(f"{path}: not a model file saved by nps-toolkit")
    if data.get("version") != VERSION:
        raise ValueError(
            f"{path}: model format version {data.get('version')!r}; expected {VERSION}"
        )
    found = data.get("kind")
    if found not in ("sentiment", "themes") or (kind and found != kind):
        raise ValueError(f"{path}: a {found!r} model, expected {kind or 'sentiment or themes'!r}")
    try:
        vocabulary = {str(k): int(v) for k, v in data["vocabulary"].items()}
        idf = np.asarray(data["idf"], dtype=float)
        coef = np.asarray(data["coef"], dtype=float)
        intercept = np.asarray(data["intercept"], dtype=float)
        labels = tuple(data["labels"])
        n = int(data["n"])
    except (KeyError, TypeError, ValueError, AttributeError, OverflowError) as exc:
        what = "'n' is not a whole number" if isinstance(exc, OverflowError) else excerpt(exc)
        raise ValueError(f"{path}: model file is damaged ({what})") from None
    _check_labels(path, found, labels, n, data.get("scores"))
    if not all(np.isfinite(a).all() for a in (idf, coef, intercept)):
        raise ValueError(f"{path}: model file is damaged (a weight is not a finite number)")
    width = len(vocabulary)
    rows = 1 if found == "sentiment" and len(labels) == 2 else len(labels)
    if (
        sorted(vocabulary.values()) != list(range(width))
        or idf.shape != (width,)
        or coef.shape != (rows, width)
        or intercept.shape != (rows,)
    ):
        raise ValueError(f"{path}: model file is damaged (its arrays do not fit together)")
    scores = pd.DataFrame(data["scores"]) if data.get("scores") else None
    cls = SentimentModel if found == "sentiment" else ThemeModel
    first = "classes" if found == "sentiment" else "themes"
    return cls(
        **{first: labels},
        vocabulary=vocabulary,
        idf=idf,
        coef=coef,
        intercept=intercept,
        n=n,
        scores=scores,
    )
