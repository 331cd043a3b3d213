"""Make data/public/text/airline_tweets.tsv from the Twitter US Airline Sentiment CSV.

    python benchmarks/make_airline_tweets.py PATH/TO/Tweets.csv

Run once by hand (nothing here downloads anything): the source is the
"Twitter US Airline Sentiment" set (Crowdflower's Data for Everyone library,
as republished on Kaggle, crowdflower/twitter-airline-sentiment; licence
CC BY-NC-SA 4.0), 14,640 tweets to six US airlines from February 2015, each
labelled negative / neutral / positive by contributors.  The copy read was
github.com/Ramlah0/Twitter-US-Airline-Sentiment-Analysis (Tweets.csv, the
columns tweet_id, airline_sentiment, negativereason, airline, text,
tweet_created of the Kaggle file; its texts are identical to the full file's
in github.com/Anuragiitk/Twitter-US-Sentiment-Analysis).

What is kept: a stratified random sample of 3,000 distinct texts (the labels
in the source's proportions, seed 23), each only its text and its label.
What is removed: every other field (tweet id, user name, location, time
zone, coordinates, times); in the text every @handle is replaced (an
airline's own account by ``@airline``, any other by ``@user``), links by
``[link]``, booking references ("BG0KWM") by ``[code]``, and e-mail addresses, phone numbers and other contact details by
``nps_toolkit``'s ``redact``.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from nps_toolkit import redact

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "data" / "public" / "text" / "airline_tweets.tsv"
SIZE, SEED = 3000, 23
AIRLINES = {
    "virginamerica",
    "united",
    "southwestair",
    "jetblue",
    "usairways",
    "americanair",
    "deltaassist",
    "delta",
    "virginatlantic",
    "fly2ohare",
}
_HANDLE = re.compile(r"(?<![\w@])[@＠](\w{1,30})")
_LINK = re.compile(r"\bhttps?://\S+|\bwww\.\S+", re.I)
# a booking reference ("BG0KWM"): six capitals and digits with at least one of each
_BOOKING = re.compile(r"\b(?=[A-Z0-9]*\d)(?=[A-Z0-9]*[A-Z])[A-Z0-9]{6}\b")


def clean(text: str) -> str:
    """A tweet with its handles, links and contact details replaced; one line."""
    text = _HANDLE.sub(
        lambda m: "@airline" if m.group(1).lower() in AIRLINES else "@user", str(text)
    )
    text = _LINK.sub("[link]", text)
    text = _BOOKING.sub("[code]", text)
    text = redact(text)
    return " ".join(text.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">").split())


def main(argv: list[str]) -> None:
    if len(argv) != 1:
        raise SystemExit(__doc__)
    src = pd.read_csv(argv[0], dtype=str)
    missing = {"airline_sentiment", "text"} - set(src.columns)
    if missing:
        raise SystemExit(f"{argv[0]}: no column(s) {sorted(missing)}")
    labels = src["airline_sentiment"].str.strip()
    bad = ~labels.isin(["negative", "neutral", "positive"])
    if bad.any():
        raise SystemExit(
            f"{argv[0]}: row {int(np.flatnonzero(bad)[0]) + 2}: label {labels[bad].iloc[0]!r}"
        )
    data = pd.DataFrame({"comment": src["text"].map(clean), "label": labels})
    data = data[data["comment"].str.strip().astype(bool)]
    # a text given two labels by different contributors is dropped, not guessed
    labels_per_text = data.groupby("comment")["label"].nunique()
    data = data[data["comment"].map(labels_per_text) == 1].drop_duplicates("comment")
    share = data["label"].value_counts(normalize=True)
    take = (share * SIZE).round().astype(int)
    take.iloc[0] += SIZE - take.sum()
    rng = np.random.default_rng(SEED)
    parts = [
        data[data["label"] == lab].iloc[
            np.sort(rng.choice((data["label"] == lab).sum(), n, replace=False))
        ]
        for lab, n in take.sort_index().items()
    ]
    out = pd.concat(parts).sample(frac=1, random_state=SEED)
    OUT.write_text(
        "comment\tlabel\n"
        + "".join(f"{c}\t{lab}\n" for c, lab in zip(out["comment"], out["label"], strict=True)),
        encoding="utf-8",
    )
    print(f"{OUT}: {len(out)} tweets", out["label"].value_counts().to_dict())


if __name__ == "__main__":
    main(sys.argv[1:])
