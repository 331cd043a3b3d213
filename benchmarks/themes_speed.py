"""Speed: comment theme tagging and the theme-impact bootstrap against the obvious code.

Run:  python benchmarks/themes_speed.py [n_comments]

0. The first ``tag_themes`` in a fresh process (the b2b example survey's
   comments, as in a report kernel) against a bare ``import pandas``, each in
   new interpreters, alternated, median of ``FRESH_RUNS``.  Target: at most
   2x.  The first call opens the Finnish and English lemma dictionaries
   (``nps_toolkit/_lemmas.py``); the import of nps_toolkit and the example
   data are not timed.
1. ``tag_themes`` on 20,000 distinct comments (two example-survey comments
   joined, Finnish and English, plus a number so no two are equal) vs the
   obvious loop: per comment ``simplemma.langdetect`` among fi/en, then
   ``simplemma.lemmatize`` of every token and a set look-up per theme.  The
   loop does less (no compounds, no multi-word terms, no 'und' fallback), so
   the comparison favours it.  Our per-word caches are cleared first; both
   pay the dictionary loading before the clock starts.
2. ``theme_impact`` with 2,000 bootstrap resamples on the b2c-monthly example
   (20,000 respondents) vs the B x n approach: each resample as a row of
   multinomial row weights, statistics by matrix products (in chunks of 200
   resamples to bound memory).  The toolkit pools respondents into
   (category, theme pattern) cells and draws one multinomial over the cells
   per resample, which has exactly the same distribution.  Both intervals are
   printed: they agree up to Monte-Carlo error.
3. ``theme_sentiment`` against ``comment_sentiment`` on a report's comment
   column (100,000 rows, a fifth commented), CPU seconds.  2026-12-06, busy
   2-core machine: before phrases were indexed by their first word,
   comment_sentiment 4.91 s and theme_sentiment 5.44 s (1.11x); after,
   1.0 s and 1.6 s (1.55x): both five and three times faster, identical
   results (checked on the example comments, UCI Amazon/Yelp and XED Finnish
   against the previous code), but theme_sentiment is still slower than
   comment_sentiment: it scores each theme's parts of a comment again.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time

import numpy as np
import pandas as pd
import simplemma

from nps_toolkit import _text as X
from nps_toolkit import sentiment as S
from nps_toolkit import themes as T
from nps_toolkit.datasets import example_survey

SEED_COMMENTS = 1
SEED_TOOLKIT = 2
SEED_BRUTE = 3
FRESH_RUNS = 5

_PANDAS = """
import time
t = time.perf_counter()
import pandas
print(time.perf_counter() - t)
"""
_FIRST_TAG = """
import time
from nps_toolkit import datasets, tag_themes
comments = datasets.example_survey("b2b-annual", seed=0)["comment"]
t = time.perf_counter()
tag_themes(comments)
print(time.perf_counter() - t)
"""


def fresh(code: str) -> float:
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return float(out.stdout.split()[-1])


def bench_first_call() -> None:
    from nps_toolkit import _lemmas

    pandas_t, first_t = [], []
    for _ in range(FRESH_RUNS):
        pandas_t.append(fresh(_PANDAS))
        first_t.append(fresh(_FIRST_TAG))
    p, f = statistics.median(pandas_t), statistics.median(first_t)
    backends = ", ".join(f"{lang}: {_lemmas.backend(lang)}" for lang in ("fi", "en"))
    print(f"0. first tag_themes in a fresh process (median of {FRESH_RUNS}; {backends})")
    print(f"   import pandas:                 {p:7.2f} s")
    print(f"   first tag_themes (b2b, 707):   {f:7.2f} s")
    print(f"   ratio first call / pandas:     {f / p:7.2f}x  (target <= 2x)")


def distinct_comments(n: int) -> pd.Series:
    b2c = example_survey("b2c-monthly", seed=0)
    base = pd.concat([example_survey("b2b-annual", seed=0)["comment"], b2c["comment"]])
    base = base.dropna().unique()
    rng = np.random.default_rng(SEED_COMMENTS)
    a, b = rng.choice(base, n), rng.choice(base, n)
    return pd.Series([f"{x} {y} ({i})" for i, (x, y) in enumerate(zip(a, b, strict=True))])


def naive_tagger():
    """The obvious code: detect, lemmatise each token, look lemmas up in sets."""
    lex = T.load_themes()
    langs = ("fi", "en")
    sets = {
        lang: {
            theme: {
                simplemma.lemmatize(t, lang).lower() for t in spec["terms"][lang] if " " not in t
            }
            for theme, spec in lex.items()
        }
        for lang in langs
    }

    def tag(comment: str) -> list[bool]:
        lang = simplemma.langdetect(comment, lang=langs)[0][0]
        lang = lang if lang in langs else "en"
        lemmas = {simplemma.lemmatize(w, lang).lower() for w in T._WORD.findall(comment.lower())}
        return [bool(lemmas & s) for s in sets[lang].values()]

    return tag


def clear_caches() -> None:
    X.clear_caches()
    T._compiled_lexicon.cache_clear()
    T._lexicon_from_text.cache_clear()


def timed(fn):
    t = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t


def bench_tagging(n: int) -> None:
    comments = distinct_comments(n)
    print(f"1. tagging {comments.nunique():,} distinct comments")
    # open the fi and en dictionaries (simplemma's and the toolkit's) before any clock starts
    for word, lang in (("viestinnässä", "fi"), ("communication", "en")):
        simplemma.lemmatize(word, lang=lang)
        T.tag_themes([word], language=lang)
    naive = naive_tagger()
    naive("warm up")
    clear_caches()
    tags, t_toolkit = timed(lambda: T.tag_themes(comments))
    _, t_warm = timed(lambda: T.tag_themes(comments))
    flags, t_naive = timed(lambda: [naive(c) for c in comments])
    # the loop's single-word hits should (nearly all) be found by the toolkit too
    naive_hits = np.array(flags, dtype=bool)
    ours = tags[list(T.load_themes())].to_numpy()
    shared = (naive_hits & ours).sum() / max(naive_hits.sum(), 1)
    print(
        f"   hits: toolkit {ours.sum():,}, loop {naive_hits.sum():,} "
        f"({100 * shared:.1f} % of the loop's hits also found by the toolkit)"
    )
    print(f"   tag_themes (cold word caches): {t_toolkit:7.2f} s")
    print(f"   tag_themes again (warm):       {t_warm:7.2f} s")
    print(f"   langdetect + lemmatize loop:   {t_naive:7.2f} s")
    print(f"   ratio loop / tag_themes:       {t_naive / t_toolkit:7.1f}x")


def bench_impact(n_resamples: int = 2000) -> None:
    df = example_survey("b2c-monthly", seed=0)
    tags = T.tag_themes(df["comment"])
    print(f"2. theme_impact, {len(df):,} respondents, {n_resamples:,} resamples")
    out, t_toolkit = timed(
        lambda: T.theme_impact(df, tags, n_resamples=n_resamples, rng=SEED_TOOLKIT)
    )

    def brute():
        score = df["recommend"].to_numpy(dtype=float)
        keep = ~np.isnan(score)
        v = np.where(score[keep] >= 9, 100.0, np.where(score[keep] <= 6, -100.0, 0.0))
        cols = list(out["theme"])
        rest = (~tags[cols].to_numpy(dtype=bool)[keep]).astype(float)
        n = len(v)
        gen = np.random.default_rng(SEED_BRUTE)
        chunks = []
        for start in range(0, n_resamples, 200):
            w = gen.multinomial(n, np.full(n, 1 / n), size=min(200, n_resamples - start))
            w = w.astype(float)
            with np.errstate(invalid="ignore", divide="ignore"):
                chunks.append((w @ v)[:, None] / n - ((w * v) @ rest) / (w @ rest))
        boot = np.vstack(chunks)
        return cols, np.nanquantile(boot, [0.025, 0.975], axis=0)

    (cols, (low, high)), t_brute = timed(brute)
    both = pd.DataFrame(
        {
            "theme": cols,
            "toolkit_low": out["ci_low"].to_numpy(),
            "brute_low": low,
            "toolkit_high": out["ci_high"].to_numpy(),
            "brute_high": high,
        }
    )
    print(both.round(2).to_string(index=False))
    print(f"   theme_impact (cells):          {t_toolkit:7.3f} s")
    print(f"   B x n row weights:             {t_brute:7.2f} s")
    print(f"   ratio B x n / theme_impact:    {t_brute / t_toolkit:7.0f}x")


def bench_sentiment(n_rows: int = 100_000) -> None:
    """``theme_sentiment`` against ``comment_sentiment`` on the same comments (CPU seconds).

    A report's comment column: ``n_rows`` rows of which a fifth hold a
    comment (distinct example comments).  ``theme_sentiment`` scores every
    comment and then each theme-mentioning part again, so it does more than
    ``comment_sentiment``; the issue asks that it be no slower.
    """
    comments = distinct_comments(n_rows // 5)
    rng = np.random.default_rng(SEED_COMMENTS)
    column = pd.Series([None] * n_rows, dtype=object)
    column.iloc[np.sort(rng.choice(n_rows, len(comments), replace=False))] = comments.to_numpy()
    tags = T.tag_themes(column)
    S.comment_sentiment(column)  # dictionaries loaded before the clock starts
    whole, per_theme = [], []
    for _ in range(3):
        t = time.process_time()
        S.comment_sentiment(column)
        whole.append(time.process_time() - t)
        t = time.process_time()
        S.theme_sentiment(column, tags)
        per_theme.append(time.process_time() - t)
    w, p = statistics.median(whole), statistics.median(per_theme)
    print(f"3. sentiment of {len(comments):,} comments in {n_rows:,} rows (CPU, median of 3)")
    print(f"   comment_sentiment:             {w:7.2f} s")
    print(f"   theme_sentiment (tags given):  {p:7.2f} s")
    print(f"   ratio theme / comment:         {p / w:7.2f}x  (target <= 1x)")


if __name__ == "__main__":
    bench_sentiment()
    bench_first_call()
    bench_tagging(int(sys.argv[1]) if len(sys.argv) > 1 else 20_000)
    bench_impact()
