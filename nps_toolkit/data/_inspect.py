"""What a survey file looks like to the loader, in words (``nps-toolkit inspect FILE``)."""

from __future__ import annotations

import textwrap
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from .._identifiers import identifying_reason
from ._common import CANONICAL, SurveyDataError, blank_cells
from ._files import _file_bytes, _format_of, _source_name
from ._score import comment_candidates, name_words, score_candidates

_LAYOUT_WORDS = {
    None: "a plain table (one header row)",
    "qualtrics": "Qualtrics export (row 1 export tags, row 2 question texts, row 3 import ids)",
    "qualtrics-legacy": "Qualtrics legacy export (row 1 V1.., row 2 names and question texts)",
    "surveymonkey": "SurveyMonkey export (row 1 questions, row 2 answer options; dates month-first)",
    "kobotoolbox": "KoBoToolbox export",
    "odk": "ODK Central export",
    "google-forms": "Google Forms responses",
    "microsoft-forms": "Microsoft Forms responses",
    "typeform": "Typeform responses",
    "formbricks": "Formbricks responses",
    "limesurvey": "LimeSurvey responses",
}
# platforms' own columns: answers' bookkeeping, never a segment or a driver
_METADATA = (
    "StartDate", "EndDate", "Status", "IPAddress", "Progress", "Duration (in seconds)",
    "Finished", "RecordedDate", "DistributionChannel", "UserLanguage", "Collector ID",
    "Start Date", "End Date", "IP Address", "Email Address", "First Name", "Last Name",
    "Start time", "Completion time", "Email", "Name", "Start Date (UTC)", "Submit Date (UTC)",
    "Network ID", "Timestamp", "Finished", "Survey ID", "lastpage", "startlanguage", "seed",
    "startdate", "datestamp", "start", "end", "_id", "_uuid", "_index", "_submission_time",
)  # fmt: skip
MAX_SEGMENT_GROUPS = 20  # a column with more distinct values is not offered as a segment
MAX_SCALE_WORDS = 12  # a rating in words has few (a scale's words in two spellings at most)


def describe(path, options: dict, load_survey, read_raw) -> str:
    """``inspect_survey``: the loader's two steps are given (the package holds them)."""
    source = _source_name(path)
    lines = [f"file: {source}"]
    try:
        fmt = _format_of(path, options.get("format"))
        _, data = _file_bytes(path, source)
        raw = read_raw(path, data, fmt, source, dict(options), {}, "recommend")
    except SurveyDataError as exc:
        lines += ["cannot read the table:", *("  " + line for line in str(exc).splitlines())]
        return "\n".join(lines)
    frame, info = raw.frame, raw.info
    labels = info.get("column_labels") or {}
    layout = info.get("layout")
    lines.append(f"layout: {_LAYOUT_WORDS.get(layout, layout)}")
    if info.get("header_rows", 1) > 1:
        lines.append(f"header: {info['header_rows']} rows, read as one")
    first, last = (int(raw.rows[0]), int(raw.rows[-1])) if len(raw.rows) else (None, None)
    where = f" ({raw.row_label}s {first}-{last})" if first is not None else ""
    lines.append(f"rows: {len(frame)}{where}")
    if info.get("header_rows", 1) == 1 and _second_header(frame):
        lines.append(
            f"note: {raw.row_label} {int(raw.rows[0])} holds text above numbers: if it is a second "
            "header row (question texts), read the file with header_rows=2 (--header-rows 2)"
        )
    if info.get("repeated_names"):
        for name, names in info["repeated_names"].items():
            lines.append(f"repeated name: {name!r} read as {names}")
    lines.append(f"columns ({len(frame.columns)}):")
    for c in frame.columns:
        text = labels.get(c)
        lines.append(f"  {c}" + (f"  \u2014 {text}" if text else "") + f"  [{_holds(frame[c])}]")

    candidates, why = ([], "") if "recommend" in frame.columns else score_candidates(frame, labels)
    if "recommend" in frame.columns:
        lines.append("score: column 'recommend'")
    elif len(candidates) == 1:
        lines.append(f"score: column {candidates[0]!r}, because {why}")
    elif candidates:
        lines.append(f"score: {len(candidates)} candidates ({why}), name one with columns=:")
        lines += [
            f"  {c!r}" + (f" \u2014 {labels[c]}" if labels.get(c) else "") for c in candidates
        ]
    else:
        lines.append(
            "score: no column looks like the 0-10 recommend question; name it with "
            "columns={'<column>': 'recommend'}"
        )

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            df = load_survey(path, **options) if len(candidates) <= 1 else None
            error = None
        except (SurveyDataError, ValueError) as exc:
            df, error = None, exc
    guess: dict = {}
    if df is not None:
        lines += _loaded(df)
        lines += _answer_time(df, guess)
    elif error is not None:
        lines += ["load_survey:", *("  " + line for line in str(error).splitlines())]
        guess = _guesses(frame, candidates, options)
        if not guess and "header_rows" not in options and _second_header(frame):
            guess = {"header_rows": 2}  # the question texts under the names: one header
        if guess:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                try:
                    df = load_survey(path, **{**options, **guess})
                except (SurveyDataError, ValueError):
                    guess = {}
        if df is not None:
            said = ", ".join(f"{k}={v!r}" for k, v in guess.items())
            lines += [f"load_survey with {said} (a guess: check it):"]
            lines += ["  " + line for line in _loaded(df)]
            lines += _answer_time(df, guess)
    entry = _entry(path, df, frame, labels, candidates, guess)
    lines += ["", "surveys.yml entry to paste:", entry]
    return "\n".join(lines)


def _guesses(frame: pd.DataFrame, candidates: list, options: dict) -> dict:
    """Load options that would read a file the loader refused, for ``inspect`` to try.

    Two fixes its errors already point to: a score column under another name
    (``REC``, the only close name whose values are whole numbers 0-11) mapped
    with ``columns``; and a 0-10 scale coded 1-11 shifted with ``recode``.
    Never one the caller set.  They are shown as guesses to check, since a
    file cannot tell which question was the recommend one.
    """
    from ._common import _suggest

    guess: dict = {}
    score = candidates[0] if len(candidates) == 1 else None
    if score is None and "recommend" not in frame.columns and not options.get("columns"):
        for name in _suggest("recommend", frame.columns):
            if _whole_numbers(frame[name], 0, 11):
                score, guess["columns"] = name, {name: "recommend"}
                break
    if score is not None and not options.get("recode") and _whole_numbers(frame[score], 1, 11):
        v = pd.to_numeric(frame[score], errors="coerce")
        if v.min() == 1 and v.max() == 11:
            guess["recode"] = {score: -1}
    return guess


def _answer_time(df: pd.DataFrame, guess: dict) -> list[str]:
    """With no answer time found: the one column of dates, added to ``guess`` as a mapping
    to ``responded_at`` (trends need it), and a line saying so; [] otherwise."""
    from .._dates import parse_dates

    if "responded_at" in df.columns:
        return []
    taken = set((df.attrs.get("platform_columns") or {}).values()) | set(CANONICAL)
    found = []
    for c in df.columns:
        given = _given(df[c]).head(2000)
        if c in taken or not len(given) or not all(isinstance(v, str) for v in given):
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "could be read either way": still dates
            if parse_dates(given, column=str(c)).notna().all():
                found.append(c)
    if len(found) != 1:
        return []
    guess.setdefault("columns", {})[found[0]] = "responded_at"
    return [f"dates: column {found[0]!r} holds dates: the entry reads it as the answer time"]


# verbal rating scales, lowest first (a tuple holds one step's other wordings): a text
# column that uses three or more words of exactly one of them is offered as a rating
_SCALES = (
    ("very bad", "bad", ("ok", "okay", "average"), "good", "very good"),
    ("very poor", "poor", "fair", "good", "excellent"),
    ("strongly disagree", "disagree", ("neither agree nor disagree", "neutral"), "agree",
     "strongly agree"),
    ("very dissatisfied", "dissatisfied", ("neither satisfied nor dissatisfied", "neutral"),
     "satisfied", "very satisfied"),
    ("erittäin huono", "huono", ("kohtalainen", "keskinkertainen", "ei hyvä eikä huono"), "hyvä",
     "erittäin hyvä"),
    ("täysin eri mieltä", "jokseenkin eri mieltä", "ei samaa eikä eri mieltä",
     "jokseenkin samaa mieltä", "täysin samaa mieltä"),
    ("erittäin tyytymätön", "tyytymätön", "ei tyytyväinen eikä tyytymätön", "tyytyväinen",
     "erittäin tyytyväinen"),
)  # fmt: skip


class _OneLine(dict):
    """A mapping the entry writes on one line (a recode of words to ranks)."""


class _EntryDumper(yaml.SafeDumper):
    """PyYAML's safe dumper, with ``_OneLine`` mappings in flow style."""


_EntryDumper.add_representer(
    _OneLine,
    lambda dumper, data: dumper.represent_mapping(
        "tag:yaml.org,2002:map", data.items(), flow_style=True
    ),
)


# answers that rate nothing, beside a scale's words: blank answers (``na_values``)
_NO_RATING = frozenset({"don't know", "dont know", "don’t know", "not sure", "n/a",
                        "not applicable", "prefer not to say", "en osaa sanoa", "eos",
                        "ei osaa sanoa", "ei koske minua"})  # fmt: skip


def _no_rating(s: pd.Series) -> list[str]:
    """The answers of a column that rate nothing ("Don't know"), as written."""
    return sorted({str(v).strip() for v in _given(s).unique()
                   if str(v).strip().casefold() in _NO_RATING})  # fmt: skip


def _verbal_scale(s: pd.Series) -> dict | None:
    """{word as written: 1-5} when the column's words fit one verbal scale (answers that
    rate nothing, such as "Don't know", aside), else None."""
    folded = {str(v).strip().casefold(): str(v).strip() for v in _given(s).unique()}
    folded = {k: v for k, v in folded.items() if k not in _NO_RATING}
    if len(folded) < 3:
        return None
    found = []
    for scale in _SCALES:
        rank = {w: i + 1 for i, step in enumerate(scale) for w in _words_of(step)}
        if set(folded) <= set(rank):
            found.append({folded[w]: rank[w] for w in sorted(folded, key=rank.get)})
    return found[0] if len(found) == 1 else None


def _words_of(step) -> tuple:
    return (step,) if isinstance(step, str) else step


def _whole_numbers(s: pd.Series, low: int, high: int) -> bool:
    """Whether every given value of ``s`` is a whole number from ``low`` to ``high``."""
    v = pd.to_numeric(_given(s), errors="coerce")
    return bool(len(v) and v.notna().all() and v.between(low, high).all() and v.eq(v.round()).all())


def _holds(s: pd.Series) -> str:
    """What a column holds, in a few words."""
    given = _given(s)
    if given.empty:
        return "empty"
    num = pd.to_numeric(given, errors="coerce")
    if num.notna().all():
        v = num.to_numpy(float)
        whole = bool((v == np.round(v)).all())
        span = f"{v.min():.15g}-{v.max():.15g}"
        return f"{'whole ' if whole else ''}numbers {span}, {len(v)} answers"
    distinct = given.astype("str").nunique()
    return f"text, {distinct} distinct of {len(given)}"


def _given(s: pd.Series) -> pd.Series:
    """The answers of a column: neither missing nor blank text."""
    return s[~blank_cells(s)]


def _second_header(frame: pd.DataFrame) -> bool:
    """Whether the first data row is all text and sits above numbers in some column."""
    if len(frame) < 2:
        return False
    first = frame.iloc[0]
    if not all(isinstance(v, str) for v in first if pd.notna(v)):
        return False
    below = frame.iloc[1:201]
    for c in frame.columns:
        rest = pd.to_numeric(below[c].dropna(), errors="coerce")
        if len(rest) and rest.notna().all() and pd.isna(pd.to_numeric(first[c], errors="coerce")):
            return True
    return False


def _most_groups(n: int) -> int:
    """Distinct values a segment column may have: groups, not one value per respondent."""
    return min(MAX_SEGMENT_GROUPS, n // 2)


def _loaded(df: pd.DataFrame) -> list[str]:
    from ..scoring import nps

    a = df.attrs
    out = [f"load_survey: {a['n_rows']} rows, {a['n_answered']} answers"]
    if a.get("excluded_blank"):
        out[0] += f", {a['excluded_blank']} blank"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out.append(f"NPS of all answers: {nps(df['recommend']):.1f}")
    if "responded_at" in df.columns:
        dates = df["responded_at"].dropna()
        if len(dates):
            origin = a.get("platform_columns", {})
            column = next((k for k, v in origin.items() if v == "responded_at"), "responded_at")
            out.append(f"dates: column {column!r}, {dates.min()} to {dates.max()}")
    out += [f"warning: {w}" for w in a.get("load_warnings", []) if "the score is column" not in w]
    return out


def _entry(path, df, frame, labels, candidates, guess=None) -> str:
    """The ``surveys.yml`` entry, each guess in it under a "# a guess to check" line."""
    guess = guess or {}
    entry: dict = {"name": Path(str(path)).stem.replace("_", " "), "data": str(path)}
    if df is None and len(candidates) > 1:
        entry["columns"] = {candidates[0]: "recommend"}
    entry.update(guess)
    what = {"recommend": "the 0-10 recommend question", "responded_at": "the answer time"}
    notes = [f"{c!r} read as {what[canon]}" for c, canon in guess.get("columns", {}).items()]
    notes += [f"{c!r} runs 1-11 and is shifted to 0-10" for c in guess.get("recode", {})]
    if "header_rows" in guess:
        notes.append("the row under the column names read as question texts (header_rows: 2)")
    if df is not None:
        notes += _roles(entry, df, frame, labels)
    text = yaml.dump([entry], Dumper=_EntryDumper, allow_unicode=True, sort_keys=False, width=100)
    wrapped = [textwrap.wrap(f"a guess to check: {note}", 90) for note in notes]
    lines = [f"# {part}" for parts in wrapped for part in parts] + text.splitlines()
    return "\n".join("  " + line for line in lines)


def _roles(entry: dict, df: pd.DataFrame, frame, labels) -> list[str]:
    """Segments, drivers (worded ratings with their recode) and the comment, put in
    ``entry``; the notes of what in them is a guess."""
    score = df.attrs.get("score_found", {}) or {}
    skip = {"recommend", "respondent_id", "responded_at", "comment", "email", "weight"}
    skip |= set((df.attrs.get("platform_columns") or {}).keys()) | {score.get("column")}
    skip |= set(_METADATA)
    segments, drivers, worded, notes = [], [], {}, []
    for c in df.columns:
        if c in skip or str(c).endswith("_NPS_GROUP"):
            continue
        s = df[c].dropna()
        num = pd.to_numeric(s, errors="coerce")
        text = len(s) and num.isna().all()
        scale = _verbal_scale(s) if text and s.nunique() <= MAX_SCALE_WORDS else None
        if len(s) and num.notna().all() and num.between(0, 10).all() and s.nunique() > 2:
            drivers.append(str(c))
        elif scale is not None:  # "Very bad" ... "Very good": a rating, once recoded
            worded[str(c)] = scale
            drivers.append(str(c))
        elif text and 2 <= s.nunique() <= _most_groups(len(s)):
            if identifying_reason(df[c], c) is None:  # never groups of e-mails or phones
                segments.append(str(c))
    if segments:
        entry["segments"] = segments[:5]
    if drivers:
        entry["drivers"] = drivers[:10]
    worded = {c: m for c, m in worded.items() if c in entry.get("drivers", ())}
    if worded:  # one line a column: {Very bad: 1, ..., Very good: 5}
        entry["recode"] = {**entry.get("recode", {}), **{c: _OneLine(m) for c, m in worded.items()}}
        by_scale: dict = {}
        for column, mapping in worded.items():
            by_scale.setdefault(tuple(mapping.items()), []).append(column)
        for mapping, columns in by_scale.items():
            said = ", ".join(f"{word} = {rank}" for word, rank in mapping)
            # repr: a line break in a name stays "\n", inside the comment
            notes.append(f"{', '.join(map(repr, columns))} read as ratings ({said})")
        blank = sorted({w for c in worded for w in _no_rating(df[c])})
        if blank:
            entry["na_values"] = blank
            notes.append(f"{', '.join(map(repr, blank))} read as no answer (in every column)")
    if "comment" not in df.columns:
        found = comment_candidates(frame, labels, score.get("column"))
        several = len(found) > 1  # "nps_com" beside "show_com": the one named like the score
        if several:
            found = [c for c in found if name_words(c) & name_words(score.get("column"))]
        if len(found) == 1:
            entry["comment"] = found[0]
            if several:
                notes.append(f"{found[0]!r} read as the comment (named like the score)")
    return notes
