"""How well suggested and learned themes find themes coded by hand, on comments they did not see.

    python benchmarks/themes_accuracy.py
    python benchmarks/themes_accuracy.py --seeds 1-5    # means over split seeds 1 to 5

For each set the distinct comments are split in half by seed.  On the first
half the toolkit suggests themes (``suggest_themes``) and learns a model from
up to 500 coded comments (``learn_themes``); on the second half it prints

* the share of comments the suggested lexicon tags (coverage of new comments);
* for each hand-coded theme, the F1 of the suggested theme that matches it
  best (best-match F1) and of the learned model; and the bundled lexicon's F1
  where it has a theme of the same id;
* the same best-match F1 for the obvious alternative, k-means on TF-IDF of the
  raw words (scikit-learn, no lemmas), and the time of both.

With ``--seeds 1-5`` (or ``--seeds 1,3,7``) it also measures the suggested
themes on the halves of each of those split seeds and prints, per set, the
mean coverage of new comments, the mean number of coded themes matched at
F1 >= 0.5 and each coded theme's mean best-match F1: changes to
``suggest_themes`` are judged on these, the seed-0 figures above being the
ones quoted (one split of 120 to 150 comments moves a small theme's F1 a lot).

Sets with codes (no public labelled text has theme codes; data/public/text
holds sentiment and emotion labels only):

* ``b2b-annual``, ``b2c-monthly``: the example surveys' ``comment_theme``, the
  theme each generated comment was written for (synthetic, Finnish and English);
* ``podracing``: the public ezrsurvey podracing comments (English), coded by
  the project's hand-written ``lexicons/podracing.yml`` (a lexicon written from
  reading those comments, standing in for hand codes; in-sample for it).
"""

from __future__ import annotations

import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
TRAIN = 500


def coded_set(name: str) -> tuple[pd.Series, pd.DataFrame]:
    """Distinct comments and their 0/1 theme codes."""
    import nps_toolkit as nps

    if name in ("b2b-annual", "b2c-monthly"):
        df = nps.example_survey(name)
        df = df[df["comment"].notna() & df["comment_theme"].notna()]
        df = df.drop_duplicates("comment")
        codes = pd.get_dummies(df["comment_theme"]).astype(int)
        return df["comment"].reset_index(drop=True), codes.reset_index(drop=True)
    if name == "podracing":
        df = pd.read_csv(ROOT / "data" / "public" / "ezrsurvey_podracing_survey.csv")
        text = df["nps_com"].dropna().drop_duplicates().reset_index(drop=True)
        tags = nps.tag_themes(text, themes=ROOT / "lexicons" / "podracing.yml", language="en")
        codes = tags.drop(columns="language").astype(int)
        return text, codes.loc[:, codes.sum() >= 4]
    raise KeyError(name)


def best_match_f1(truth: pd.DataFrame, found: np.ndarray) -> pd.Series:
    """For each coded theme, the highest F1 of any found group (columns of ``found``)."""
    from sklearn.metrics import f1_score

    out = {}
    for col in truth.columns:
        y = truth[col].to_numpy()
        scores = [f1_score(y, found[:, j], zero_division=0.0) for j in range(found.shape[1])]
        out[col] = max(scores, default=0.0)
    return pd.Series(out)


def parse_seeds(spec: str) -> list[int]:
    """``"1-5"`` -> [1, 2, 3, 4, 5]; ``"1,3,7"`` -> [1, 3, 7]."""
    seeds: list[int] = []
    for part in spec.split(","):
        low, _, high = part.partition("-")
        seeds.extend(range(int(low), int(high or low) + 1))
    return seeds


def suggested_only(name: str, seed: int) -> tuple[pd.Series, dict]:
    """Best-match F1 per coded theme and coverage of the suggested themes, one split."""
    import nps_toolkit as nps

    text, codes = coded_set(name)
    rng = np.random.default_rng(seed)
    first = np.zeros(len(text), dtype=bool)
    first[rng.permutation(len(text))[: len(text) // 2]] = True
    start = time.perf_counter()
    suggested = nps.suggest_themes(text[first], rng=seed)
    took = time.perf_counter() - start
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        tags_b = nps.tag_themes(text[~first].reset_index(drop=True), themes=dict(suggested))
    flags = tags_b[list(suggested)].to_numpy()
    f1 = best_match_f1(codes[~first].reset_index(drop=True), flags)
    info = {
        "themes": len(suggested),
        "coverage_new": 100.0 * flags.any(axis=1).mean(),
        "aspects_at_f1_0.5": int((f1 >= 0.5).sum()),
        "suggest_s": took,
    }
    return f1, info


def over_seeds(names: list[str], seeds: list[int]) -> None:
    """Print each set's means over the split seeds (coverage, matches, F1 per coded theme)."""
    rows = []
    for name in names:
        f1s, infos = [], []
        for seed in seeds:
            f1, info = suggested_only(name, seed)
            f1s.append(f1)
            infos.append(info)
        f1s, infos = pd.DataFrame(f1s), pd.DataFrame(infos)
        print(f"\n{name}: best-match F1 of the suggested themes, seeds {seeds}")
        table = pd.DataFrame({"mean": f1s.mean(), "min": f1s.min(), "max": f1s.max()})
        table["seeds_at_0.5"] = (f1s >= 0.5).sum()
        print(table.to_string(float_format=lambda v: f"{v:.3f}"))
        rows.append(
            {
                "set": name,
                "seeds": len(seeds),
                "themes": infos["themes"].mean(),
                "coverage_new": infos["coverage_new"].mean(),
                "coverage_min": infos["coverage_new"].min(),
                "aspects_at_f1_0.5": f"{infos['aspects_at_f1_0.5'].mean():.1f}/{f1s.shape[1]}",
                "mean_best_f1": f1s.to_numpy().mean(),
                "suggest_s": infos["suggest_s"].mean(),
            }
        )
    print(f"\nsuggested themes, mean over split seeds {seeds} (coverage in %)")
    print(pd.DataFrame(rows).to_string(index=False, float_format=lambda v: f"{v:.2f}"))


def measure(name: str, *, seed: int = 0, train: int = TRAIN) -> tuple[pd.DataFrame, dict]:
    from sklearn.cluster import KMeans
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.metrics import f1_score

    import nps_toolkit as nps

    text, codes = coded_set(name)
    rng = np.random.default_rng(seed)
    first = np.zeros(len(text), dtype=bool)
    first[rng.permutation(len(text))[: len(text) // 2]] = True
    a, b = text[first], text[~first]
    truth_b = codes[~first].reset_index(drop=True)

    start = time.perf_counter()
    suggested = nps.suggest_themes(a, rng=seed)
    ours_s = time.perf_counter() - start
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        tags_b = nps.tag_themes(b.reset_index(drop=True), themes=dict(suggested))
    flags = tags_b[list(suggested)].to_numpy()

    start = time.perf_counter()
    vec = TfidfVectorizer(stop_words="english", min_df=2)
    x = vec.fit_transform(a)
    km = KMeans(n_clusters=len(suggested), n_init=10, random_state=seed).fit(x)
    cluster_b = km.predict(vec.transform(b))
    alt_s = time.perf_counter() - start
    alt = np.eye(len(suggested), dtype=int)[cluster_b]

    learn_rows = np.flatnonzero(first)[:train]
    model = nps.learn_themes(text[learn_rows], codes.iloc[learn_rows])
    learned = model.predict(b.reset_index(drop=True))
    bundled = nps.tag_themes(b.reset_index(drop=True))
    table = pd.DataFrame(
        {
            "coded_in_half": truth_b.sum(),
            "suggested_best_f1": best_match_f1(truth_b, flags),
            "kmeans_best_f1": best_match_f1(truth_b, alt),
            f"learned_{min(train, len(learn_rows))}_f1": [
                f1_score(truth_b[c], learned[c], zero_division=0.0) for c in truth_b.columns
            ],
            "bundled_lexicon_f1": [
                f1_score(truth_b[c], bundled[c], zero_division=0.0)
                if c in bundled.columns
                else np.nan
                for c in truth_b.columns
            ],
        }
    )
    info = {
        "set": name,
        "comments": len(text),
        "half": len(b),
        "themes_suggested": len(suggested),
        "coverage_new": 100.0 * flags.any(axis=1).mean(),
        "coverage_fitted": 100.0 - suggested.uncovered,
        "aspects_at_f1_0.5": f"{int((table['suggested_best_f1'] >= 0.5).sum())}/{len(table)}",
        "suggest_s": ours_s,
        "kmeans_s": alt_s,
        "ratio": ours_s / alt_s,
    }
    return table, info


def main(argv: list[str]) -> None:
    seeds = None
    if "--seeds" in argv:
        at = argv.index("--seeds")
        seeds = parse_seeds(argv[at + 1])
        argv = argv[:at] + argv[at + 2 :]
    names = [a for a in argv if not a.startswith("-")] or ["b2b-annual", "b2c-monthly", "podracing"]
    infos = []
    for name in names:
        table, info = measure(name)
        infos.append(info)
        print(f"\n{name}: {info['comments']} distinct comments, held-out half {info['half']}")
        print(table.to_string(float_format=lambda v: f"{v:.3f}"))
    print("\nsuggested themes on the held-out half (coverage in %), and time against k-means")
    print(pd.DataFrame(infos).to_string(index=False, float_format=lambda v: f"{v:.2f}"))
    if seeds:
        over_seeds(names, seeds)


if __name__ == "__main__":
    main(sys.argv[1:])
