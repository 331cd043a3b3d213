"""Shared parts of the survey loader: names, constants, the error and its collector."""

from __future__ import annotations

import datetime as _dt
import difflib
from collections import Counter
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
import pandas as pd

CANONICAL = (
    "respondent_id",
    "recommend",
    "responded_at",
    "account_id",
    "weight",
    "comment",
    "email",
)
# columns kept as text whatever they look like (an id "00123" must not become 123)
TEXT_COLUMNS = ("respondent_id", "account_id", "email", "comment")
FORMATS = {
    ".csv": "csv",
    ".txt": "csv",
    ".tsv": "csv",
    ".xlsx": "excel",
    ".xlsm": "excel",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".sav": "spss",
    ".zsav": "spss",
}
CONFIG_KEYS = (
    "columns",
    "recode",
    "score",
    "required",
    "sheet",
    "encoding",
    "delimiter",
    "decimal",
    "date_format",
    "header_rows",
    "na_values",
    "scale",
)
MAX_SHOWN = 20  # problems written into the message; the rest are counted
MAX_KEPT = 10_000  # problems kept per check in ``.problems`` (all are counted)
# words that usually name the recommend question, used only to suggest a mapping
_SCORE_HINTS = ("recommend", "nps", "ltr", "likely", "likelihood", "rec", "suosit", "empfehl")
# Cells that mean "no answer" in exports (R writes NA, SQL NULL, Excel #N/A).  In
# numeric columns and in the score, weight and date every one of them is a
# blank.  In text columns "NA" and "None" are kept as written: a region "NA"
# is North America, a comment "None" an answer; the others become blanks.
# pandas' own list is not used because it silently blanks those words.
MISSING_MARKERS = ("NA", "N/A", "n/a", "#N/A", "#NA", "NULL", "null", "NaN", "nan", "<NA>", "None")
_TEXT_KEPT = frozenset({"NA", "None"})
HEADER_SEARCH_ROWS = 30  # non-empty rows searched for the header below title rows


def blank_cells(column: pd.Series) -> pd.Series:
    """True where a cell holds no answer: missing, or text of spaces only."""
    return column.isna() | column.astype("str").str.strip().eq("")


# --------------------------------------------------------------------------- errors


class Problem(NamedTuple):
    """One bad value (or a file-level problem when ``row`` is None).

    ``row`` is the line (CSV), sheet row (Excel), data row (Parquet, SPSS) or
    index label (a DataFrame given to ``validate``).
    """

    file: str
    row: object
    column: str | None
    value: object
    reason: str


class SurveyDataError(ValueError):
    """Survey data that cannot be analysed as it is; lists every problem found.

    Attributes
    ----------
    problems : list of ``Problem(file, row, column, value, reason)``, in file
        order (file-level problems first).  At most 10,000 per check are kept.
    n_problems : the number of problems found (may exceed ``len(problems)``).
    row_label : what ``row`` counts: ``"line"`` (CSV), ``"row"`` (Excel),
        ``"data row"`` (Parquet, SPSS) or ``"index"`` (a DataFrame).
    hints : advice on a likely cause (e.g. a 0-10 scale coded 1-11), printed
        under the problems.

    The message names the file, then one problem a line (the first 20) and
    "... and N more".

    >>> err = SurveyDataError([Problem("s.csv", 3, "recommend", "ten", "is not a number")])
    >>> print(err)
    s.csv: 1 problem in the survey data
      s.csv, line 3, column 'recommend': value 'ten' is not a number
    >>> isinstance(err, ValueError)
    True
    """

    def __init__(self, problems, *, n_problems=None, row_label="line", hints=()):
        self.problems = list(problems)
        self.hints = list(hints)
        self.n_problems = len(self.problems) if n_problems is None else int(n_problems)
        self.row_label = row_label
        super().__init__(self._message())

    def __reduce__(self):  # keep the fields when pickled (multiprocessing, papermill)
        return (
            _rebuild_error,
            (self.problems, self.n_problems, self.row_label, self.hints),
        )

    def _message(self) -> str:
        files = list(dict.fromkeys(p.file for p in self.problems)) or ["survey data"]
        n = self.n_problems
        head = f"{', '.join(files)}: {n} problem{'s' if n != 1 else ''} in the survey data"
        shown = self.problems[:MAX_SHOWN]
        lines = [head] + ["  " + self._describe(p) for p in shown]
        if n > len(shown):
            lines.append(f"  ... and {n - len(shown)} more")
        lines += [f"hint: {h}" for h in self.hints]
        return "\n".join(lines)

    def _describe(self, p: Problem) -> str:
        where = [p.file]
        if p.row is not None:
            where.append(f"{self.row_label} {p.row}")
        if p.column is not None:
            where.append(f"column {p.column!r}")
        what = p.reason if p.value is None else f"value {_shown(p.value)} {p.reason}"
        return f"{', '.join(where)}: {what}"


SHOWN_LENGTH = 60  # characters of a bad value a message quotes (``problems`` keep it whole)


def _shown(value) -> str:
    """A bad value as a message quotes it: cut short, its contact details redacted.

    The message is printed by ``check``, ``inspect`` and ``render`` and may be
    pasted anywhere; the row and column say where the whole value is.

    >>> print(_shown("mail matti@firma.fi " + "x" * 100))
    'mail [email] xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx…'
    """
    from .._redact import clip

    return repr(clip(value, SHOWN_LENGTH) if isinstance(value, str) else value)


def _rebuild_error(problems, n_problems, row_label, hints):
    return SurveyDataError(problems, n_problems=n_problems, row_label=row_label, hints=hints)


def _py(value):
    """A plain Python value for messages (numpy scalars print as np.float64(...))."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


@dataclass
class _Problems:
    """Collects problems from vectorised checks: masks in, ``Problem`` rows out."""

    source: str
    rows: np.ndarray
    label: str = "line"  # what rows count: line, row, data row, index
    shown: dict = field(default_factory=dict)  # canonical name -> file's name
    items: list = field(default_factory=list)
    hints: list = field(default_factory=list)  # advice printed under the problems
    total: int = 0

    def column(self, name: str) -> str:
        # messages name the column as it is spelled in the file
        return self.shown.get(name, name)

    def add(self, column, reason):
        """A file-level problem (a missing column, a bad mapping)."""
        self.total += 1
        col = None if column is None else self.column(column)
        self.items.append((-1, Problem(self.source, None, col, None, reason)))

    def add_mask(self, mask, column, values, reason):
        """One problem per True in ``mask``; ``reason`` is a str or ``f(position)``.

        ``values`` (a Series) is only touched at the bad positions, so clean
        columns cost one mask test.
        """
        pos = np.flatnonzero(np.asarray(mask, dtype=bool))
        if pos.size == 0:
            return
        self.total += int(pos.size)
        col = self.column(column)
        kept = pos[:MAX_KEPT]
        shown = pd.Series(values).iloc[kept].to_numpy(object)
        for p, value in zip(kept.tolist(), shown, strict=True):
            text = reason if isinstance(reason, str) else reason(p)
            problem = Problem(self.source, _py(self.rows[p]), col, _py(value), text)
            self.items.append((p, problem))

    def raise_if_any(self, row_label):
        if self.total:
            # file-level problems first, then in file order (stable: checks keep their order)
            items = [problem for _, problem in sorted(self.items, key=lambda item: item[0])]
            raise SurveyDataError(
                items, n_problems=self.total, row_label=row_label, hints=self.hints
            )


# ------------------------------------------------------------------- column names


def _suggest(name: str, found) -> list[str]:
    """Up to three column names close to ``name`` (difflib, substrings, NPS hints)."""
    found = [str(c) for c in found]
    folded = {c.casefold(): c for c in found}
    key = str(name).casefold()
    out = [folded[key]] if key in folded else []
    out += [folded[m] for m in difflib.get_close_matches(key, list(folded), n=3, cutoff=0.6)]
    out += [c for c in found if len(c) >= 3 and (key in c.casefold() or c.casefold() in key)]
    if key == "recommend":
        out += [c for c in found if any(h in c.casefold() for h in _SCORE_HINTS)]
    return list(dict.fromkeys(out))[:3]


def _found_and_suggest(name: str, found) -> str:
    found = [str(c) for c in found]
    shown = found if len(found) <= 30 else found[:30] + [f"... ({len(found) - 30} more)"]
    text = f"columns found: {shown}"
    close = _suggest(name, found)
    if close:
        text += f"; did you mean {close[0]!r}"
        text += f" (or {', '.join(map(repr, close[1:]))})?" if len(close) > 1 else "?"
        text += f" Map it with columns={{{close[0]!r}: {name!r}}}"
    return text


@dataclass
class _Raw:
    frame: pd.DataFrame
    rows: np.ndarray  # the number of each record as the user finds it in the file
    row_label: str
    source: str
    info: dict


def _header_index(records, wanted) -> int:
    """Which of the first non-empty rows is the header (0 = the first).

    Exports often put a title ("Asiakaskysely 2025", a date) above the table.
    The header is the first row naming a column the caller asked for (the
    score, a mapped or a canonical name); failing that, leading rows with at
    most one filled cell above wider rows are taken as titles.
    """
    names = [{str(c).strip() for c in rec if c is not None and str(c).strip()} for rec in records]
    if not names:
        return 0
    for i, found in enumerate(names):
        if found & wanted:
            return i
    i = 0
    while i < len(names) - 1 and len(names[i]) <= 1 and any(len(n) >= 2 for n in names[i + 1 :]):
        i += 1
    return i


def _missing_markers(frame: pd.DataFrame, decimal: str, text_columns=()) -> dict:
    """Turn export missing markers into blanks, per column, in place; count them.

    A column that is numeric apart from markers ("NA", "NULL", "#N/A", ...)
    becomes numeric.  A text column keeps "NA" and "None" as written and
    blanks the other markers.  Returns ``{column: cells blanked}``.
    """
    counts = {}
    for c in frame.columns:
        s = frame[c]
        if not (pd.api.types.is_string_dtype(s) or pd.api.types.is_object_dtype(s)):
            continue
        if pd.api.types.is_string_dtype(s) and not pd.api.types.is_object_dtype(s):
            text = s  # a text column as the CSV reader gives it: one vectorised test
            is_marker = s.isin(MISSING_MARKERS).to_numpy(dtype=bool, na_value=False)
        else:  # mixed cells (an Excel column of numbers and text)
            text = s.where(s.map(lambda v: isinstance(v, str), na_action="ignore").eq(True))
            text = text.astype("str").str.strip().where(text.notna())
            is_marker = text.isin(MISSING_MARKERS).to_numpy(dtype=bool, na_value=False)
        if not is_marker.any():
            continue
        rest = s[~is_marker]
        nums = rest
        if pd.api.types.is_string_dtype(rest) or pd.api.types.is_object_dtype(rest):
            nums = rest.astype("str").str.strip().where(rest.notna())
            if decimal == ",":
                nums = nums.str.replace(",", ".", regex=False)
        num = pd.to_numeric(nums, errors="coerce")
        numeric = (
            c not in text_columns
            and bool(rest.notna().any())
            and bool((num.notna() | rest.isna()).all())
        )
        if numeric:
            out = np.full(len(s), np.nan)
            out[~is_marker] = num.astype(float).to_numpy()
            frame[c] = out
            counts[str(c)] = int(is_marker.sum())
        else:
            blank = is_marker & ~text.isin(_TEXT_KEPT).to_numpy(dtype=bool, na_value=False)
            if blank.any():
                frame[c] = s.mask(blank)
                counts[str(c)] = int(blank.sum())
    return counts


def duplicate_names(header, source: str) -> None:
    """Refuse a header that names a column twice (pandas would rename one ``x.1``)."""
    where: dict[str, list[int]] = {}
    for i, name in enumerate(header, start=1):
        if name is not None and str(name).strip():
            where.setdefault(str(name).strip(), []).append(i)
    dupes = {name: at for name, at in where.items() if len(at) > 1}
    if dupes:
        problems = [
            Problem(
                source,
                None,
                name,
                None,
                f"is the name of {len(at)} columns (columns {', '.join(map(str, at))} of the "
                f"header); give each column its own name",
            )
            for name, at in dupes.items()
        ]
        raise SurveyDataError(problems)


def _numberlike(values: pd.Series) -> np.ndarray:
    """Numbers, dates and text that reads as a number ("7", "1,5")."""

    def one(v):
        if isinstance(v, bool):
            return False
        if isinstance(v, int | float | np.integer | np.floating | _dt.date):
            return True
        if isinstance(v, str):
            try:
                float(v.strip().replace(",", "."))
            except ValueError:
                return False
            return True
        return False

    return np.fromiter((one(v) for v in values), dtype=bool, count=len(values))


def second_header_row(raw, score_name) -> None:
    """Refuse a table whose first data row is a second header row (question texts).

    A two-row header (names above, question texts or units below) would make
    its second row a respondent.  The row is taken as a header when its
    filled cells are all text and that text sits above numbers or dates in
    two columns or more, or in the score column with a word of the question
    ("recommend", "0-10", ...).  Only the first 200 rows below are looked at.
    """
    frame = raw.frame
    if len(frame) < 2:
        return
    first = frame.iloc[0]
    filled = [c for c in frame.columns if isinstance(first[c], str) and first[c].strip()]
    others = [c for c in frame.columns if c not in filled and pd.notna(first[c])]
    if not filled or others:
        return
    below = frame.iloc[1:201]
    over_numbers = []
    for c in filled:
        rest = below[c].dropna()
        if len(rest) and _numberlike(rest).all() and not _numberlike(first[[c]]).all():
            over_numbers.append(c)
    text = str(first.get(score_name, "")).casefold()
    scored = score_name in over_numbers and (
        any(h in text for h in _SCORE_HINTS) or "0-10" in text or "0–10" in text
    )
    if len(over_numbers) < 2 and not scored:
        return
    shown = ", ".join(f"{first[c]!r} in {c!r}" for c in over_numbers[:4])
    label = raw.row_label
    header = raw.info.get("header_row")
    reason = (
        f"looks like a second header row ({shown}, above numbers); the header must be one "
        f"{label}"
        + (f" ({label} {header})" if header is not None else "")
        + f": delete {label} {int(raw.rows[0])} or merge it into the header, or say how many "
        f"rows the header takes with header_rows=2 (nps-toolkit inspect FILE shows the layout)"
    )
    raise SurveyDataError(
        [Problem(raw.source, int(raw.rows[0]), None, None, reason)], row_label=label
    )


def _dedupe(names) -> list[str]:
    seen, out = Counter(), []
    for i, name in enumerate(names):
        name = f"Unnamed: {i}" if name is None or not str(name).strip() else str(name).strip()
        out.append(name if not seen[name] else f"{name}.{seen[name]}")
        seen[name] += 1
    return out
