"""How the report shows things: escaped Markdown sentences, styled tables, the tables it writes."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
from pandas.io.formats.style import Styler

from .._export import write_csv, write_xlsx
from .._redact import visible
from .config import INTERNAL_PARAMETERS

# Characters that Markdown (CommonMark, GFM, mistune, marked) can read as markup:
# emphasis, links and images, headings, lists, tables, code, HTML, autolinks
# (":" and "." end "http://" and "www."), math ("$").  Each is written as a
# numeric character reference, which every Markdown renderer and every browser
# shows as the character itself but never parses as syntax.  Hand-written: no
# well-kept library escapes for HTML and Markdown at once (``html.escape``
# leaves Markdown alone, Markdown escapers leave HTML alone).
_MARKUP = "\\`*_[](){}<>#+-!|~=:.$&\"'@^"
_ENTITIES = str.maketrans({c: f"&#{ord(c)};" for c in _MARKUP})
# line and paragraph breaks inside a value would start new Markdown blocks
_BREAKS = re.compile(r"[\r\n\t\f\v\x85\u2028\u2029]+")


def escape(value) -> str:
    """Text from respondents or config made safe for HTML and for Markdown.

    Every character that HTML or Markdown could read as markup becomes a
    character reference (``&#91;`` for ``[``), so a browser shows the text
    exactly as written while no link, image, heading, list, table or tag can
    come out of it; line breaks become spaces.  Use it for everything that
    comes from data or config (survey and file names, segment values, wave
    labels, theme names, quotes, column names).

    >>> escape("<script>")
    '&#60;script&#62;'
    >>> escape("[x](javascript:alert(1))")
    '&#91;x&#93;&#40;javascript\u2060&#58;alert&#40;1&#41;&#41;'
    >>> import html; html.unescape(escape("6 ![w](http://e.x/w.png)"))
    '6 ![w](http\u2060://e.x/w.png)'
    """
    if value is None or (not isinstance(value, str) and _is_missing(value)):
        return ""
    # control, bidi-override and zero-width characters go: text reads as it is stored
    return defang(visible(_BREAKS.sub(" ", str(value)))).translate(_ENTITIES)


# a link scheme ("http:", "javascript:" ...) or "www." in text from the data
_SCHEMES = re.compile(
    r"(?i)\b(https?|s?ftps?|javascript|vbscript|data|file|mailto|tel|www)(?=\s*:|(?<=www)\.)"
)


def defang(text: str) -> str:
    """Text in which no URL or script link stands, even as plain text.

    A word joiner (U+2060, invisible) goes after every link scheme, so that
    ``http://x`` reads the same but is no URL to a browser, a Markdown
    renderer, a mail client or a PDF viewer that links bare URLs.

    >>> defang("see http://evil.example or javascript:alert(1)").count("\u2060")
    2
    >>> "http://" in defang("HTTP://x".lower()), defang("www.x.fi") == "www\u2060.x.fi"
    (False, True)
    """
    return _SCHEMES.sub("\\1\u2060", str(text))


def _is_missing(value) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):  # lists, arrays: not one missing value
        return False


def say(template: str, **values):
    """Display Markdown with ``values`` filled in; every value that is not a number is escaped.

    The report's sentences carry numbers computed in the notebook (format
    specifications such as ``{n:,}`` work on them); names, labels and comment
    text must never become markup, so everything else goes through ``escape``.
    """
    import html

    from IPython.display import display

    text = fill(template, **values)
    display({"text/markdown": text, "text/plain": html.unescape(text)}, raw=True)


def fill(template: str, **values) -> str:
    """``template.format(**values)`` with every non-number value escaped (see ``escape``).

    >>> fill("{name}: {n:,} answers", name="<b>Acme</b>", n=1200)
    '&#60;b&#62;Acme&#60;/b&#62;: 1,200 answers'
    """
    import numbers

    safe = {
        k: v if isinstance(v, numbers.Number) and not isinstance(v, bool) else escape(v)
        for k, v in values.items()
    }
    return template.format(**safe)


# Column names of the toolkit's tables as a report reader should see them.
LABELS = {
    "group": "group",
    "n": "answers",
    "nps": "NPS",
    "ci_low": "interval low",
    "ci_high": "interval high",
    "band": "band",
    "suppressed": "suppressed (too few)",
    "difference": "vs rest",
    "difference_low": "vs rest low",
    "difference_high": "vs rest high",
    "p_value": "p",
    "p_adjusted": "p (Holm)",
    "significant": "significant",
    "change": "change",
    "change_low": "change low",
    "change_high": "change high",
    "change_p_value": "p (change)",
    "below_min_n": "few answers",
    "driver": "attribute",
    "importance": "R\u00b2 share",
    "share": "% of explained",
    "mean": "mean rating",
    "rank": "rank",
    "quadrant": "priority",
    "theme": "theme",
    "mentions": "mentions",
    "share_of_commenters": "% of commenters",
    "nps_mentioning": "NPS mentioning",
    "nps_rest": "NPS of the rest",
    "impact": "impact",
    "category": "category",
    "quote": "quote",
    "score": "score",
}


# what a table shows where a number is missing or hidden (an en dash)
MISSING = "\u2013"


def format_p(p) -> str:
    """A p-value as a reader sees it: three decimals, or "<0.001" (missing: an en dash).

    >>> format_p(0.04321), format_p(0.00002), format_p(float("nan"))
    ('0.043', '<0.001', '–')
    """
    if pd.isna(p):
        return MISSING
    return "<0.001" if p < 0.001 else f"{p:.3f}"


def _is_text(s: pd.Series) -> bool:
    return not (
        pd.api.types.is_numeric_dtype(s.dtype)
        or pd.api.types.is_bool_dtype(s.dtype)
        or pd.api.types.is_datetime64_any_dtype(s.dtype)
    )


def _text_cell(value) -> str:
    return MISSING if _is_missing(value) else escape(value)


def plain_text(styler) -> str:
    """What a styled table shows, as aligned plain text (its cells as formatted, unescaped).

    The text view of a report table (``text/plain`` in the notebook, what a
    notebook diff and a terminal show): the same cells as the HTML, without
    markup, and nothing that changes from run to run.  Columns of words
    (``styler.words``, when set) are left-aligned, the others right-aligned.

    >>> print(plain_text(table(pd.DataFrame({"group": ["a_b", "<c>"], "nps": [12.345, None]}))))
    group   NPS
    a_b    12.3
    <c>       –
    """
    import html

    lines = styler.to_string(delimiter="\t").rstrip("\n").split("\n")
    rows = [[html.unescape(cell) for cell in line.split("\t")] for line in lines]
    width = max(map(len, rows))
    header = [""] * (width - len(rows[0])) + rows[0]  # a shown index has no header cell
    rows = [header] + [r + [""] * (width - len(r)) for r in rows[1:]]
    words = getattr(styler, "words", None)
    left = [(words is not None and name in words) for name in header]
    sizes = [max(len(r[i]) for r in rows) for i in range(width)]
    return "\n".join(
        "  ".join(
            (cell.ljust(size) if is_left else cell.rjust(size))
            for cell, size, is_left in zip(r, sizes, left, strict=True)
        ).rstrip()
        for r in rows
    )


class ReportStyler(Styler):
    """A pandas Styler whose text view is the table itself, not ``<...Styler at 0x7f...>``.

    Notebooks keep a ``text/plain`` copy of every output beside its HTML; a
    plain Styler's is its ``object.__repr__``, a memory address that differs
    on every run.  This one is ``plain_text``: readable, and the same for the
    same table.
    """

    words = None  # the columns holding words (left-aligned in the text view)

    def __repr__(self) -> str:
        return plain_text(self)


def stable_uuid(df: pd.DataFrame) -> str:
    """An id for a table's HTML made from its content, so a re-run writes the same HTML.

    (pandas draws a random id per Styler for its CSS selectors.)

    >>> stable_uuid(pd.DataFrame({"a": [1]})) == stable_uuid(pd.DataFrame({"a": [1]}))
    True
    """
    import hashlib

    text = df.to_csv(index=True) + repr(list(df.dtypes.astype(str)))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:10]


# a table with more rows than this may continue on the next printed page
LONG_TABLE = 12


def table_class(df: pd.DataFrame) -> str:
    """The HTML class of a report table: ``nps-table``, plus ``nps-long`` for a long one.

    A printed page keeps a short table whole; a long one (theme lists,
    quotes, the parameters) may break between rows, with its header
    repeated, instead of leaving most of a page empty before it.

    >>> table_class(pd.DataFrame({"a": range(3)})), table_class(pd.DataFrame({"a": range(30)}))
    ('nps-table', 'nps-table nps-long')
    """
    return "nps-table nps-long" if len(df) > LONG_TABLE else "nps-table"


def table(df: pd.DataFrame, *, digits: int = 1, hide_index: bool = True, labels=True):
    """A DataFrame styled for the report: rounded numbers, p-values as p, escaped text.

    Every text cell and every column name goes through ``escape`` (comments,
    group names and column names come from respondents and configs), so no
    cell can become HTML or Markdown markup.  Missing and suppressed numbers
    show as an en dash.  ``labels`` renames the toolkit's column names to
    words a reader knows (``LABELS``); pass a dict to add or override names.
    """
    names = {}
    if labels:
        names = {**LABELS, **(labels if isinstance(labels, dict) else {})}
    out = df.rename(columns={c: names.get(c, c) for c in df.columns})
    p_cols = [
        names.get(c, c) for c in df.columns if str(c).startswith("p_") or str(c).endswith("p_value")
    ]
    text_cols = [c for c in out.columns if c not in p_cols and _is_text(out[c])]
    styler = ReportStyler(out, uuid=stable_uuid(out), cell_ids=False)
    styler = styler.format(precision=digits, na_rep=MISSING, escape="html")
    # the Styler does not escape what a formatter returns: these escape themselves
    if text_cols:
        styler = styler.format(_text_cell, subset=text_cols)
    if p_cols:
        styler = styler.format(lambda p: escape(format_p(p)), subset=p_cols)
    styler = styler.format_index(_text_cell, axis=1)
    # words left, numbers right (JupyterLab's own style right-aligns every cell)
    rules = []
    for i, column in enumerate(out.columns):
        align = "left" if column in text_cols else "right"
        rules.append({"selector": f"th.col_heading.col{i}", "props": f"text-align: {align};"})
        rules.append({"selector": f"td.col{i}", "props": f"text-align: {align};"})
    styler = styler.set_table_styles(rules, overwrite=False)
    styler = styler.set_table_attributes(f'class="{table_class(out)}"')
    styler.words = list(text_cols)
    if hide_index:
        styler = styler.hide(axis="index")
    else:
        styler = styler.format_index(_text_cell, axis=0)
    return styler


def write_tables(tables: dict, folder) -> None:
    """Write the key tables: ``summary.xlsx`` (a sheet each), ``summary.csv`` (all, tidy).

    ``summary.csv`` stacks the tables with a first column ``table`` naming
    where each row comes from.  Both go through the toolkit's export helper:
    text from the data cannot become a live formula or split a row.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    if not tables:
        raise ValueError("no tables to write")
    frames = []
    for name, t in tables.items():
        frames.append(t.reset_index(drop=True).assign(table=name)[["table", *t.columns]])
    write_csv(pd.concat(frames, ignore_index=True), folder / "summary.csv")
    write_xlsx(tables, folder / "summary.xlsx")


# what the report notebook writes beside its tables: the parameters that took
# effect (``sections.in_effect``); the renderer moves them into provenance.json
IN_EFFECT_FILE = "parameters_in_effect.json"


def write_parameters_in_effect(parameters: dict, folder) -> Path:
    """Write the parameters that took effect as JSON into ``folder``; the file written."""
    import json

    path = Path(folder) / IN_EFFECT_FILE
    path.write_text(json.dumps(parameters, indent=2, default=str) + "\n", encoding="utf-8")
    return path


# and the data's digest when the renderer could not take it before the kernel read the
# data (Spark tables: ``backends.spark_fingerprint``); the renderer moves it into provenance.json
DIGEST_FILE = "data_sha256.txt"


def write_data_digest(digest: str | None, folder) -> Path | None:
    """Write the data's digest (``df.attrs["sha256"]``) into ``folder``; the file, or None."""
    if not digest:
        return None
    path = Path(folder) / DIGEST_FILE
    path.write_text(str(digest) + "\n", encoding="utf-8")
    return path


def parameter_table(parameters: dict) -> pd.DataFrame:
    """The report's parameters for its appendix: no local paths, no internal settings.

    >>> parameter_table({"data_path": "/home/me/s.csv", "min_n": 5, "tables_dir": "/tmp/x",
    ...                  "segments": ["region", "tenure"]})
       parameter           value
    0  data_path           s.csv
    1      min_n               5
    2   segments  region, tenure
    """
    from ..backends import is_spark_spec, spark_label

    rows = []
    for key, value in parameters.items():
        if key in INTERNAL_PARAMETERS:
            continue
        if key == "data_path" and is_spark_spec(value):
            value = spark_label(value)  # the table, or the files' last part: no folders
        elif key in ("data_path", "columns", "themes") and isinstance(value, str):
            value = Path(value).name  # a file: its name only
        if isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
            value = ", ".join(value)  # names, as a reader lists them
        rows.append({"parameter": key, "value": value if isinstance(value, str) else repr(value)})
    return pd.DataFrame(rows, columns=["parameter", "value"])
