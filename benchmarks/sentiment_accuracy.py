"""Accuracy of comment_sentiment on the labelled comments under tests/data/.

    python benchmarks/sentiment_accuracy.py            # accuracy and macro-F1 per language
    python benchmarks/sentiment_accuracy.py --errors   # also the misread comments of the tune split

tests/data/sentiment_fi.csv and sentiment_en.csv hold customer comments of
many domains written for this purpose (not by the example generator), each
with a label and a ``split``: the lexicon was curated looking only at the
"tune" comments; the "holdout" ones (30 %, drawn by seed before the lexicon
was written) measure it on comments it was not fitted to.  The baseline
always answers the most common label of the tune split.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

from nps_toolkit.sentiment import comment_sentiment, evaluate_sentiment

DATA = Path(__file__).resolve().parents[1] / "tests" / "data"


def main(argv: list[str]) -> None:
    rows = []
    for lang in ("fi", "en"):
        data = pd.read_csv(DATA / f"sentiment_{lang}.csv")
        data["predicted"] = comment_sentiment(data["comment"], language=lang)["sentiment"].astype(
            str
        )
        majority = data.loc[data["split"] == "tune", "label"].mode().iloc[0]
        for part in ("all", "tune", "holdout"):
            d = data if part == "all" else data[data["split"] == part]
            ours = evaluate_sentiment(d["label"], d["predicted"])
            base = evaluate_sentiment(d["label"], [majority] * len(d))
            rows.append(
                {
                    "language": lang,
                    "split": part,
                    "n": ours.n,
                    "accuracy": ours.accuracy,
                    "macro_f1": ours.macro_f1,
                    "baseline_accuracy": base.accuracy,
                    "baseline_macro_f1": base.macro_f1,
                }
            )
        if "--errors" in argv:
            tune = data[(data["split"] == "tune") & (data["label"] != data["predicted"])]
            for _, r in tune.iterrows():
                print(f"[{lang}] {r['label']:>8} read as {r['predicted']:<8} {r['comment']}")
    table = pd.DataFrame(rows)
    print(
        f"comment_sentiment against the majority-class baseline ({DATA.relative_to(DATA.parents[1])})"
    )
    print(table.to_string(index=False, float_format=lambda v: f"{v:.3f}"))


if __name__ == "__main__":
    main(sys.argv[1:])
