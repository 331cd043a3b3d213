"""The labelled comment sets the accuracy benchmarks read (public text and the project's own).

    from labelled_text import load_set, SETS
    data = load_set("uci_amazon")      # DataFrame: comment, label, language

Public sets (``data/public/text/``, see its README; measured, never used to
write lexicon entries):

* ``uci_amazon``, ``uci_yelp``: 1,000 English phone-review and restaurant
  sentences each, labelled 1 positive / 0 negative, chosen to be clearly polar
  (Kotzias et al. 2015).  Two classes: no sentence is neutral.
* ``airline_tweets``: 3,000 English tweets to six US airlines (February
  2015), labelled negative / neutral / positive by contributors (Twitter US
  Airline Sentiment, Crowdflower's Data for Everyone; CC BY-NC-SA 4.0); a
  stratified sample with handles, links and contact details replaced (made by
  ``make_airline_tweets.py``).  Customer text in three classes.  Left out
  when the file is absent (it carries a non-commercial licence: a copy of
  the project may drop it).
* ``xed_en``, ``xed_fi``: English and Finnish film subtitle lines (Öhman et
  al. 2020) mapped to polarity as others have: positive = only joy and/or
  trust; negative = only anger, disgust, fear and/or sadness; neutral = the
  ``neu_*`` lines; lines with anticipation or surprise, or with both
  polarities, are left out.

Project sets (``tests/data/sentiment_{en,fi}.csv``): customer comments written
for the project, three classes, with a tune / holdout split.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
TEXT = ROOT / "data" / "public" / "text"
OWN = ROOT / "tests" / "data"

POSITIVE_EMOTIONS = {5, 8}  # joy, trust
NEGATIVE_EMOTIONS = {1, 3, 4, 6}  # anger, disgust, fear, sadness
LEFT_OUT = {2, 7}  # anticipation, surprise

# name -> (language, what it is)
SETS = {
    "uci_amazon": ("en", "UCI phone-review sentences (2 classes, clearly polar)"),
    "uci_yelp": ("en", "UCI restaurant-review sentences (2 classes, clearly polar)"),
    "airline_tweets": ("en", "US airline tweets (3 classes, customer text)"),
    "xed_en": ("en", "XED English subtitle lines (3 classes)"),
    "xed_fi": ("fi", "XED Finnish subtitle lines (3 classes)"),
    "own_en": ("en", "project's English customer comments (3 classes)"),
    "own_fi": ("fi", "project's Finnish customer comments (3 classes)"),
}


def _uci(name: str) -> pd.DataFrame:
    path = TEXT / {"amazon": "uci_amazon_cells_labelled.txt", "yelp": "uci_yelp_labelled.txt"}[name]
    raw = pd.read_csv(path, sep="\t", quoting=3, dtype=str)
    if list(raw.columns) != ["sentence", "score"] or raw["score"].isna().any():
        raise ValueError(f"{path}: expected sentence<TAB>score rows")
    label = raw["score"].str.strip().map({"1": "positive", "0": "negative"})
    return pd.DataFrame({"comment": raw["sentence"], "label": label})


def _tweets() -> pd.DataFrame:
    path = TEXT / "airline_tweets.tsv"
    raw = pd.read_csv(path, sep="\t", quoting=3, dtype=str, keep_default_na=False)
    if list(raw.columns) != ["comment", "label"]:
        raise ValueError(f"{path}: expected comment<TAB>label rows")
    bad = ~raw["label"].isin(["negative", "neutral", "positive"])
    if bad.any():
        row = int(bad.to_numpy().nonzero()[0][0]) + 2
        raise ValueError(f"{path} line {row}: label {raw['label'][bad].iloc[0]!r}")
    return raw


def available() -> list[str]:
    """The sets whose files are present (the tweets may be left out of a copy)."""
    return [n for n in SETS if n != "airline_tweets" or (TEXT / "airline_tweets.tsv").is_file()]


def xed_polarity(codes: str) -> str | None:
    """The polarity of one XED annotation ("1, 3"), or None when it is left out.

    >>> xed_polarity("5, 8"), xed_polarity("1, 6"), xed_polarity("5, 1"), xed_polarity("2")
    ('positive', 'negative', None, None)
    """
    found = {int(c) for c in str(codes).replace(" ", "").split(",") if c}
    if not found or found & LEFT_OUT:
        return None
    if found <= POSITIVE_EMOTIONS:
        return "positive"
    if found <= NEGATIVE_EMOTIONS:
        return "negative"
    return None


def _read_lines(path: Path) -> list[list[str]]:
    with open(path, encoding="utf-8") as fh:
        return [line.rstrip("\n").split("\t") for line in fh if line.strip()]


def _xed(lang: str) -> pd.DataFrame:
    rows = []
    for fields in _read_lines(TEXT / f"xed_{lang}-annotated.tsv"):
        label = xed_polarity(fields[-1]) if len(fields) >= 2 else None
        if label:
            rows.append(("\t".join(fields[:-1]), label))
    for fields in _read_lines(TEXT / f"xed_neu_{lang}.txt"):
        rows.append((fields[1], "neutral"))  # id, sentence, ...
    return pd.DataFrame(rows, columns=["comment", "label"])


def load_set(name: str) -> pd.DataFrame:
    """One labelled set: columns comment, label (negative/neutral/positive), language[, split]."""
    if name not in SETS:
        raise KeyError(f"unknown set {name!r}; choose from {sorted(SETS)}")
    lang = SETS[name][0]
    if name.startswith("uci_"):
        out = _uci(name[4:])
    elif name == "airline_tweets":
        out = _tweets()
    elif name.startswith("xed_"):
        out = _xed(lang)
    else:
        out = pd.read_csv(OWN / f"sentiment_{lang}.csv")[["comment", "label", "split"]]
    out = out[out["comment"].str.strip().astype(bool)].reset_index(drop=True)
    out["language"] = lang
    return out
