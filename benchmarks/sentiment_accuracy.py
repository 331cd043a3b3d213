"""Accuracy of comment_sentiment on the labelled comments under tests/data/.

    python benchmarks/sentiment_accuracy.py            # accuracy and macro-F1 per language
    python benchmarks/sentiment_accuracy.py --errors   # also the misread comments of the tune split
    python benchmarks/sentiment_accuracy.py --write    # store the figures the report quotes

tests/data/sentiment_fi.csv and sentiment_en.csv hold customer comments of
many domains written for this purpose (not by the example generator), each
with a label and a ``split``: the lexicon was curated looking only at the
"tune" comments; the "holdout" ones (30 %, drawn by seed before the lexicon
was written) measure it on comments it was not fitted to.  The baseline
always answers the most common label of the tune split.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pandas as pd

from nps_toolkit.sentiment import comment_sentiment, evaluate_sentiment

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"
STORED = ROOT / "nps_toolkit" / "lexicons" / "sentiment_accuracy.json"


def summary(table: pd.DataFrame) -> dict:
    """The figures the report quotes, per language (what lexicon_accuracy returns)."""
    out = {}
    for lang, rows in table.groupby("language", sort=False):
        full = rows[rows["split"] == "all"].iloc[0]
        held = rows[rows["split"] == "holdout"].iloc[0]
        out[lang] = {
            "accuracy": round(float(full["accuracy"]), 3),
            "macro_f1": round(float(full["macro_f1"]), 3),
            "n": int(full["n"]),
            "holdout_accuracy": round(float(held["accuracy"]), 3),
            "holdout_macro_f1": round(float(held["macro_f1"]), 3),
            "holdout_n": int(held["n"]),
            "baseline_accuracy": round(float(full["baseline_accuracy"]), 3),
        }
    return out


def measure(argv=()) -> pd.DataFrame:
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
    return pd.DataFrame(rows)


def main(argv: list[str]) -> None:
    table = measure(argv)
    if "--write" in argv:
        STORED.write_text(json.dumps(summary(table), indent=2) + "\n", encoding="utf-8")
    print(
        f"comment_sentiment against the majority-class baseline ({DATA.relative_to(DATA.parents[1])})"
    )
    print(table.to_string(index=False, float_format=lambda v: f"{v:.3f}"))


if __name__ == "__main__":
    main(sys.argv[1:])
