"""Per-survey notebook reports: configuration, batch rendering, HTML export, provenance.

``render_reports`` runs the parameterized template ``templates/survey_report.ipynb``
with papermill once per survey listed in ``surveys.yml`` and writes, for each
survey, ``<output>/<slug>/``::

    report.ipynb     the executed notebook (papermill records the parameters in its metadata)
    report.html      the same without code cells, through templates/html_report
    summary.csv      the key tables, one tidy table (column ``table`` names the source)
    summary.xlsx     the key tables, one sheet each
    provenance.json  toolkit version, data SHA-256, parameters, Python and package versions

A survey renders into a temporary folder inside the output folder that
replaces the previous report only when everything succeeded, so a failing
render never leaves half a report where a good one was.  Surveys render in
parallel threads: the work happens in the Jupyter kernels (separate
processes), the threads only wait for them and export HTML.

The helpers the template calls (``load_data``, ``invited_total``, ``say``,
``write_tables``, ``provenance``) live here too, so that the notebook stays a
sequence of ``nps_toolkit`` calls.

papermill, nbconvert and yaml are imported inside the functions that need
them: importing ``nps_toolkit`` inside a report kernel stays cheap.
"""

from __future__ import annotations

import ast
import datetime as _dt
import hashlib
import json
import os
import queue
import re
import shutil
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
TEMPLATES_DIR = ROOT / "templates"
TEMPLATE = TEMPLATES_DIR / "survey_report.ipynb"
HTML_TEMPLATE = "html_report"  # templates/html_report/{conf.json,index.html.j2}
OUTPUT_FILES = ("report.ipynb", "report.html", "summary.csv", "summary.xlsx", "provenance.json")

# Interval methods the report accepts (``nps_interval``'s methods).
METHODS = ("wald", "adjusted-wald", "score", "bootstrap", "bca", "bayes")
FREQS = ("ME", "QE", "YE")
LANGUAGES = ("auto", "fi", "en")
EXAMPLES = ("b2b-annual", "b2c-monthly")
PACKAGES = (
    "pandas",
    "numpy",
    "scipy",
    "statsmodels",
    "seaborn",
    "matplotlib",
    "papermill",
    "nbconvert",
    "simplemma",
)

# Config keys whose template parameter has another name; every other
# parameter of the template is a config key of the same name.
CONFIG_ALIASES = {"name": "survey_name", "data": "data_path", "filter": "row_filter"}
# Parameters set by the renderer, never by the config.
INTERNAL_PARAMETERS = ("tables_dir",)


class ConfigError(ValueError):
    """``surveys.yml`` is invalid; the message names the entry and the key."""


# --- template parameters -----------------------------------------------------


def parameters_cell(template=TEMPLATE) -> str:
    """Source of the template's cell tagged ``parameters``."""
    # plain json, not nbformat: this runs inside report kernels, where nbformat's
    # schema validation would cost more than the whole parameters look-up
    nb = json.loads(Path(template).read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        if cell["cell_type"] == "code" and "parameters" in cell["metadata"].get("tags", []):
            source = cell["source"]
            return "".join(source) if isinstance(source, list) else source
    raise ValueError(f"{template}: no code cell is tagged 'parameters'")


def template_parameters(template=TEMPLATE) -> dict:
    """The template's parameters and their defaults, in order.

    The parameters cell may hold only assignments of literals to plain names
    (``ast.literal_eval``): anything else raises ``ValueError`` naming the line.
    """
    tree = ast.parse(parameters_cell(template))
    out = {}
    for node in tree.body:
        if not (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
        ):
            raise ValueError(
                f"{template}: parameters cell line {node.lineno} is not `name = literal`"
            )
        try:
            out[node.targets[0].id] = ast.literal_eval(node.value)
        except ValueError as exc:
            raise ValueError(
                f"{template}: parameter {node.targets[0].id!r} (line {node.lineno}) "
                "is not a literal"
            ) from exc
    return out


# --- configuration -----------------------------------------------------------


def slugify(name: str) -> str:
    """A folder name made of lowercase letters, digits and single dashes.

    Path separators and dots cannot survive, so a slug never leaves the
    output folder.

    >>> slugify("B2B annual / wave 7")
    'b2b-annual-wave-7'
    >>> slugify("../../x")
    'x'
    """
    slug = re.sub(r"[^a-z0-9]+", "-", str(name).lower()).strip("-")
    if not slug:
        raise ValueError(f"survey name {name!r} gives an empty folder name; use letters or digits")
    return slug


@dataclass(frozen=True)
class Survey:
    """One validated ``surveys.yml`` entry: its name, slug and template parameters."""

    name: str
    slug: str
    parameters: dict = field(repr=False)


def _check_option(where: str, key: str, value, label: str) -> None:
    """Check one option; ``key`` is the template parameter, ``label`` the config key."""

    def bad(expected: str):
        raise ConfigError(f"{where}: key {label!r} must be {expected}, got {value!r}")

    def is_str_list(v):
        return isinstance(v, list) and all(isinstance(x, str) and x for x in v)

    if key == "survey_name":
        if not isinstance(value, str) or not value.strip():
            bad("a non-empty string")
    elif key == "data_path":
        if value is not None and not isinstance(value, str):
            bad("a file path")
    elif key == "example":
        if value not in EXAMPLES:
            bad(f"one of {list(EXAMPLES)}")
    elif key == "columns":
        if isinstance(value, str):
            return  # a YAML file of load_survey options; checked for existence later
        if not isinstance(value, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in value.items()
        ):
            bad("a mapping {file column: canonical name} or a YAML file of load_survey options")
    elif key == "row_filter":
        if value is not None and not isinstance(value, str | dict):
            bad('a pandas query string or a mapping {column: value or [values]}, e.g. "wave == 7"')
    elif key in ("segments", "drivers"):
        if not is_str_list(value):
            bad("a list of column names")
    elif key in ("score", "date"):
        if not isinstance(value, str) or not value:
            bad("a column name")
    elif key in ("weights", "wave", "comment", "account"):
        if value is not None and (not isinstance(value, str) or not value):
            bad("a column name or null")
    elif key == "invited":
        if value is not None and not (
            (isinstance(value, int) and not isinstance(value, bool) and value > 0)
            or (isinstance(value, str) and value)
        ):
            bad("a positive whole number, a column name or null")
    elif key == "confidence_level":
        if not isinstance(value, float) or not 0 < value < 1:
            bad("a number between 0 and 1, e.g. 0.95")
    elif key == "method":
        if value not in METHODS:
            bad(f"one of {list(METHODS)}")
    elif key == "freq":
        if value not in FREQS:
            bad(f"one of {list(FREQS)}")
    elif key == "language":
        if not isinstance(value, str) or not value:
            bad(f"one of {list(LANGUAGES)} or a column of language codes")
    elif key in ("min_n", "n_resamples", "seed"):
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            bad("a non-negative whole number")


def load_config(config="surveys.yml", *, template=TEMPLATE) -> list[Survey]:
    """Read and validate ``surveys.yml``.

    The file holds ``surveys:`` (a list of entries) and optionally
    ``defaults:`` (options applied to every entry).  Each entry has a
    ``name``, the ``data`` file path (relative to the config file) or an
    ``example`` name, and options named after the template's parameters
    (``segments``, ``drivers``, ``weights``, ``filter``, ``confidence_level`` ...).

    Raises ``ConfigError`` naming the entry and the key for an unknown key, a
    missing data file or a bad option; ``FileNotFoundError`` when the config
    itself is missing.
    """
    import yaml

    path = Path(config)
    if not path.is_file():
        raise FileNotFoundError(f"config file {str(path)!r} not found")
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}") from None
    if isinstance(raw, dict):
        extra = sorted(set(raw) - {"surveys", "defaults"})
        if extra:
            raise ConfigError(
                f"{path}: unknown top-level key(s) {extra}; valid: ['defaults', 'surveys']"
            )
    if not isinstance(raw, dict) or not isinstance(raw.get("surveys"), list) or not raw["surveys"]:
        raise ConfigError(f"{path}: expected a top-level 'surveys:' list of survey entries")

    params = template_parameters(template)
    to_param = {k: k for k in params if k not in INTERNAL_PARAMETERS}
    for alias, param in CONFIG_ALIASES.items():
        to_param.pop(param, None)
        to_param[alias] = param
    valid = sorted(to_param)

    def translate(where, mapping):
        if not isinstance(mapping, dict):
            raise ConfigError(f"{where}: expected a mapping of keys to values")
        out = {}
        for key, value in mapping.items():
            if key not in to_param:
                raise ConfigError(f"{where}: unknown key {key!r}; valid keys: {valid}")
            if isinstance(value, int) and not isinstance(value, bool) and key == "confidence_level":
                value = float(value)
            _check_option(where, to_param[key], value, key)
            out[to_param[key]] = value
        return out

    defaults = translate(f"{path}: defaults", raw.get("defaults") or {})
    for key in ("name", "data", "example"):
        if key in (raw.get("defaults") or {}):
            raise ConfigError(f"{path}: defaults: key {key!r} belongs in each survey entry")
    surveys, slugs = [], {}
    for i, entry in enumerate(raw["surveys"], start=1):
        label = entry.get("name") if isinstance(entry, dict) else None
        where = f"{path}: survey {label!r} (entry {i})" if label else f"{path}: entry {i}"
        values = {**params, **defaults, **translate(where, entry)}
        values.pop("tables_dir", None)
        if "name" not in entry:
            raise ConfigError(f"{where}: missing key 'name'")
        if "data" in entry and "example" in entry:
            raise ConfigError(f"{where}: give either key 'data' or key 'example', not both")
        if "data" not in entry and "example" not in entry:
            raise ConfigError(f"{where}: missing key 'data' (a survey file) or 'example'")
        for key, param in (("data", "data_path"), ("columns", "columns")):
            if isinstance(values.get(param), str):  # a file, relative to the config
                file = (path.parent / values[param]).resolve()
                if not file.is_file():
                    raise ConfigError(f"{where}: key {key!r}: file {str(file)!r} not found")
                values[param] = str(file)
        try:
            slug = slugify(entry["name"])
        except ValueError as exc:
            raise ConfigError(f"{where}: key 'name': {exc}") from None
        if slug in slugs:
            raise ConfigError(
                f"{where}: key 'name' gives folder {slug!r}, already used by entry {slugs[slug]}"
            )
        slugs[slug] = i
        surveys.append(Survey(name=entry["name"], slug=slug, parameters=values))
    return surveys


def select_surveys(surveys: list[Survey], only=None) -> list[Survey]:
    """The surveys named (by name or slug) in ``only``; all when ``only`` is None."""
    if not only:
        return list(surveys)
    if isinstance(only, str):
        only = [only]
    by_key = {}
    for s in surveys:
        by_key[s.name] = s
        by_key[s.slug] = s
    unknown = [o for o in only if o not in by_key]
    if unknown:
        raise KeyError(f"unknown survey(s) {unknown}; configured: {[s.name for s in surveys]}")
    picked = {by_key[o].slug: by_key[o] for o in only}
    return list(picked.values())


# --- helpers the template calls ----------------------------------------------


def load_data(
    data_path=None, *, example="b2b-annual", columns=None, row_filter=None, seed=0
) -> pd.DataFrame:
    """The survey a report is about: a file (``load_survey``) or an example, filtered.

    ``row_filter`` is a pandas query string (``"wave == 7"``) or a mapping
    ``{column: value or [values]}``.  ``attrs["sha256"]`` identifies the data
    (the file's bytes, or the example's CSV text) for the provenance record.
    """
    if data_path is None:
        from .datasets import example_survey

        df = example_survey(example, seed=seed)
        df.attrs["sha256"] = hashlib.sha256(df.to_csv(index=False).encode()).hexdigest()
        df.attrs["source"] = f"example_survey({example!r}, seed={seed})"
    else:
        from .data import load_survey

        df = load_survey(data_path, columns=columns or None)
        if "sha256" not in df.attrs:
            df.attrs["sha256"] = file_sha256(data_path)
        df.attrs["source"] = Path(data_path).name  # the name only: no local paths in reports
    return apply_filter(df, row_filter)


def apply_filter(df: pd.DataFrame, row_filter) -> pd.DataFrame:
    """Rows selected by a pandas query string or a ``{column: value or [values]}`` mapping.

    >>> df = pd.DataFrame({"wave": [1, 2, 2], "region": ["N", "S", "N"]})
    >>> len(apply_filter(df, {"wave": 2})), len(apply_filter(df, "wave == 2 and region == 'N'"))
    (2, 1)
    """
    if row_filter is None or (isinstance(row_filter, dict | str) and not row_filter):
        return df
    attrs = dict(df.attrs)
    if isinstance(row_filter, dict):
        keep = pd.Series(True, index=df.index)
        for column, value in row_filter.items():
            if column not in df.columns:
                raise KeyError(
                    f"filter column {column!r} not in the data; columns are {list(df.columns)}"
                )
            values = value if isinstance(value, list | tuple | set) else [value]
            keep &= df[column].isin(values)
        out = df[keep]
    elif isinstance(row_filter, str):
        try:
            out = df.query(row_filter)
        except Exception as exc:  # pandas raises many types for a bad expression
            raise ValueError(f"filter {row_filter!r} failed: {type(exc).__name__}: {exc}") from None
    else:
        raise TypeError(f"filter must be a query string or a mapping, got {row_filter!r}")
    if out.empty:
        raise ValueError(f"filter {row_filter!r} selects no rows out of {len(df)}")
    out = out.copy()
    out.attrs.update(attrs, filter=row_filter, rows_before_filter=len(df))
    return out


def describe_filter(row_filter) -> str:
    """A filter in words for the report's reader.

    >>> describe_filter({"wave": 7, "region": ["North", "South"]})
    'rows where wave is 7 and region is North or South'
    >>> describe_filter("tenure == 'at-risk'")
    "rows where tenure == 'at-risk'"
    """
    if isinstance(row_filter, dict):
        parts = []
        for column, value in row_filter.items():
            values = value if isinstance(value, list | tuple | set) else [value]
            parts.append(f"{column} is " + " or ".join(str(v) for v in values))
        return "rows where " + " and ".join(parts)
    return f"rows where {row_filter}"


def invited_total(df: pd.DataFrame, invited, wave=None) -> int | None:
    """How many people were invited: a number, or a column holding it per wave.

    A column must hold one value per wave (every row of a wave the same);
    the waves' values are added up.

    >>> df = pd.DataFrame({"wave": [1, 1, 2], "invited": [10, 10, 20]})
    >>> invited_total(df, "invited", wave="wave"), invited_total(df, 500)
    (30, 500)
    """
    if invited is None:
        return None
    if not isinstance(invited, str):
        return int(invited)
    if invited not in df.columns:
        return None  # the column is optional: no response rate without it
    if wave is None or wave not in df.columns:
        values = df[invited].dropna().unique()
        if len(values) != 1:
            raise ValueError(
                f"column {invited!r} holds {len(values)} different invited counts; "
                "give the wave column or a number"
            )
        return int(values[0])
    per_wave = df.groupby(wave, observed=True)[invited].agg(["min", "max"])
    uneven = per_wave.index[per_wave["min"] != per_wave["max"]].tolist()
    if uneven:
        raise ValueError(f"column {invited!r} differs within wave(s) {uneven[:5]}")
    return int(per_wave["min"].sum())


def escape(value) -> str:
    """Text from respondents or config made safe for HTML and Markdown.

    >>> escape("<script>alert(1)</script>")
    '&lt;script&gt;alert(1)&lt;/script&gt;'
    """
    import html

    return html.escape(str(value), quote=True)


def say(template: str, **values):
    """Display Markdown with ``values`` filled in; every value that is not a number is escaped.

    The report's sentences carry numbers computed in the notebook (format
    specifications such as ``{n:,}`` work on them); names and comment text
    must never become markup, so everything else is HTML-escaped.
    """
    from IPython.display import Markdown, display

    display(Markdown(fill(template, **values)))


def fill(template: str, **values) -> str:
    """``template.format(**values)`` with every non-number value HTML-escaped.

    >>> fill("{name}: {n:,} answers", name="<b>Acme</b>", n=1200)
    '&lt;b&gt;Acme&lt;/b&gt;: 1,200 answers'
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
    "impact_low": "impact low",
    "impact_high": "impact high",
    "category": "category",
    "quote": "quote",
    "score": "score",
}


def format_p(p) -> str:
    """A p-value as a reader sees it: three decimals, or "<0.001".

    >>> format_p(0.04321), format_p(0.00002)
    ('0.043', '<0.001')
    """
    if pd.isna(p):
        return "-"
    return "<0.001" if p < 0.001 else f"{p:.3f}"


def table(df: pd.DataFrame, *, digits: int = 1, hide_index: bool = True, labels=True):
    """A DataFrame styled for the report: rounded numbers, p-values as p, escaped text.

    Every cell is HTML-escaped (comments and group names come from
    respondents).  ``labels`` renames the toolkit's column names to words a
    reader knows (``LABELS``); pass a dict to add or override names.
    """
    names = {}
    if labels:
        names = {**LABELS, **(labels if isinstance(labels, dict) else {})}
    out = df.rename(columns={c: names.get(c, c) for c in df.columns})
    p_cols = [names.get(c, c) for c in df.columns if c.startswith("p_") or c.endswith("p_value")]
    styler = out.style.format(precision=digits, na_rep="-", escape="html")
    if p_cols:  # the Styler does not escape what a formatter returns
        styler = styler.format(lambda p: escape(format_p(p)), subset=p_cols)
    if hide_index:
        styler = styler.hide(axis="index")
    return styler


def write_tables(tables: dict, folder) -> None:
    """Write the key tables: ``summary.xlsx`` (a sheet each), ``summary.csv`` (all, tidy).

    ``summary.csv`` stacks the tables with a first column ``table`` naming
    where each row comes from.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    if not tables:
        raise ValueError("no tables to write")
    frames = []
    for name, t in tables.items():
        frames.append(t.reset_index(drop=True).assign(table=name)[["table", *t.columns]])
    pd.concat(frames, ignore_index=True).to_csv(folder / "summary.csv", index=False)
    with pd.ExcelWriter(folder / "summary.xlsx", engine="openpyxl") as xl:
        for name, t in tables.items():
            sheet = re.sub(r"[\[\]:*?/\\]", " ", name)[:31]
            out = t.copy()
            for c in out.columns:  # Excel has no time zones nor Periods
                if isinstance(out[c].dtype, pd.PeriodDtype):
                    out[c] = out[c].astype(str)
                elif isinstance(out[c].dtype, pd.DatetimeTZDtype):
                    out[c] = out[c].dt.tz_localize(None)
            out.to_excel(xl, sheet_name=sheet, index=False)
            # openpyxl turns text starting with "=" into a formula; group names come
            # from the data, so they must stay text (formula injection)
            for cells in xl.sheets[sheet].iter_rows(min_row=2):
                for cell in cells:
                    if cell.data_type == "f":
                        cell.data_type = "s"


def parameter_table(parameters: dict) -> pd.DataFrame:
    """The report's parameters for its appendix: no local paths, no internal settings.

    >>> parameter_table({"data_path": "/home/me/s.csv", "min_n": 5, "tables_dir": "/tmp/x"})
       parameter  value
    0  data_path  s.csv
    1      min_n      5
    """
    rows = []
    for key, value in parameters.items():
        if key in INTERNAL_PARAMETERS:
            continue
        if key == "data_path" and value is not None:
            value = Path(value).name
        rows.append({"parameter": key, "value": value if isinstance(value, str) else repr(value)})
    return pd.DataFrame(rows, columns=["parameter", "value"])


def file_sha256(path) -> str:
    """SHA-256 of a file's bytes (hex)."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def provenance(parameters: dict, data_sha256: str | None, **extra) -> dict:
    """What a report was made from: toolkit, data fingerprint, parameters, software, time."""
    from importlib import metadata

    from . import __version__

    versions = {}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return {
        "toolkit": "nps-toolkit",
        "toolkit_version": __version__,
        "data_sha256": data_sha256,
        "parameters": parameters,
        "python": sys.version.split()[0],
        "packages": versions,
        "rendered_at": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
        **extra,
    }


# --- rendering ---------------------------------------------------------------


@dataclass(frozen=True)
class RenderResult:
    """Outcome of rendering one survey."""

    survey: str
    slug: str
    status: str  # "ok" or "failed"
    seconds: float
    output: str | None
    error: str | None = None


_local = threading.local()


def _html_exporter():
    # one exporter per thread: building one loads and compiles the Jinja templates
    exporter = getattr(_local, "exporter", None)
    if exporter is None:
        from nbconvert import HTMLExporter
        from traitlets.config import Config

        c = Config()
        # cells tagged remove-cell (e.g. writing the tables) are not part of the report
        c.TagRemovePreprocessor.enabled = True
        c.TagRemovePreprocessor.remove_cell_tags = {"remove-cell"}
        exporter = HTMLExporter(
            config=c,
            template_name=HTML_TEMPLATE,
            extra_template_basedirs=[str(TEMPLATES_DIR)],
            exclude_input=True,
            exclude_input_prompt=True,
            exclude_output_prompt=True,
        )
        _local.exporter = exporter
    return exporter


def export_html(notebook, html_path, *, title: str | None = None) -> None:
    """Write the executed notebook as a code-free HTML report (``title``: the page title)."""
    import nbformat

    nb = notebook if not isinstance(notebook, str | Path) else nbformat.read(str(notebook), 4)
    if title:
        nb.metadata["title"] = title  # the template escapes it
    body, _ = _html_exporter().from_notebook_node(nb)
    Path(html_path).write_text(body, encoding="utf-8")


def _error_text(exc: BaseException) -> str:
    from papermill.exceptions import PapermillExecutionError

    if isinstance(exc, PapermillExecutionError):
        # the first lines: e.g. SurveyDataError's summary and its first problems
        lines = [line.strip() for line in str(exc.evalue).strip().splitlines() if line.strip()]
        text = "; ".join(lines[:3]) + ("; ..." if len(lines) > 3 else "")
        # cells are numbered from 1 as they appear in the executed report.ipynb
        return f"cell {exc.cell_index + 1} {exc.ename}: {text}"
    return f"{type(exc).__name__}: {exc}"


def _replace_dir(new: Path, final: Path) -> None:
    """Put ``new`` in place of ``final``: rename the old one aside, rename in, delete old."""
    old = None
    if final.exists():
        old = final.with_name(f".{final.name}.old-{uuid.uuid4().hex[:8]}")
        os.replace(final, old)
    try:
        os.replace(new, final)
    except OSError:
        if old is not None:
            os.replace(old, final)  # put the good report back
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _quiet_kernel_manager():
    """A kernel manager whose kernels do not write their own log lines to our stderr.

    ipykernel logs connection warnings and shutdown notes on the process's
    stderr; with several renders at once they bury the progress bar.  Errors
    inside the notebook still reach the executed notebook and the final table.
    """
    import subprocess

    from jupyter_client.manager import AsyncKernelManager

    class QuietKernelManager(AsyncKernelManager):
        async def start_kernel(self, **kw):
            kw.setdefault("stdout", subprocess.DEVNULL)
            kw.setdefault("stderr", subprocess.DEVNULL)
            return await super().start_kernel(**kw)

    return QuietKernelManager


class _ReusedKernel:
    """One Jupyter kernel that renders several surveys in turn (one per worker thread).

    Starting a kernel and importing pandas, matplotlib, scipy and the
    lemmatizer's dictionaries costs more than most report notebooks; reusing
    the kernel pays that once per worker instead of once per survey.  Between
    surveys the user namespace is cleared (``%reset -f``), so no variable of
    one survey can reach the next; only imported modules (and their caches)
    stay.  A kernel that failed in any way other than an error in a cell is
    shut down and replaced.  Everything runs in the worker's own thread, whose
    event loop owns the kernel's sockets.
    """

    def __init__(self, kernel_name: str, cwd: Path):
        self.kernel_name, self.cwd, self.km = kernel_name, cwd, None

    def acquire(self):
        from jupyter_core.utils import run_sync

        if self.km is not None and not run_sync(self.km.is_alive)():
            self.close()
        if self.km is None:
            km = _quiet_kernel_manager()(kernel_name=self.kernel_name)
            run_sync(km.start_kernel)(cwd=str(self.cwd))
            self.km = km
        return self.km

    async def _reset(self) -> None:
        kc = self.km.client()
        kc.start_channels()
        try:
            await kc.wait_for_ready(timeout=60)
            reply = await kc.execute_interactive(
                "%reset -f", store_history=False, timeout=60, output_hook=lambda msg: None
            )
            if reply["content"]["status"] != "ok":
                raise RuntimeError("could not clear the kernel between surveys")
        finally:
            kc.stop_channels()

    def reset(self) -> None:
        from jupyter_core.utils import run_sync

        try:
            run_sync(self._reset)()
        except Exception:
            self.close()  # the next survey gets a fresh kernel

    def close(self) -> None:
        from jupyter_core.utils import run_sync

        if self.km is not None:
            km, self.km = self.km, None
            try:
                run_sync(km.shutdown_kernel)(now=True)
            except Exception:  # already dead: nothing left to stop
                pass


_ENGINE = "nps-toolkit"


def _register_engine() -> None:
    """papermill engine that closes its kernel client's channels when done.

    With a kernel it does not own (``km=``), nbclient leaves the client it
    made open; over a batch those sockets would pile up.
    """
    from papermill.clientwrap import PapermillNotebookClient
    from papermill.engines import NBClientEngine, papermill_engines

    if _ENGINE in papermill_engines._engines:
        return

    class Client(PapermillNotebookClient):
        def execute(self, **kwargs):
            try:
                return super().execute(**kwargs)
            finally:
                if self.kc is not None and not self.owns_km:
                    self.kc.stop_channels()

    class Engine(NBClientEngine):
        @classmethod
        def execute_managed_notebook(cls, nb_man, kernel_name, **kwargs):
            kwargs.pop("input_path", None)
            timeout = kwargs.pop("execution_timeout", None)
            kwargs.pop("timeout", None)
            kwargs["startup_timeout"] = kwargs.pop("start_timeout", 60)
            from papermill.engines import logger

            return Client(
                nb_man, kernel_name=kernel_name, timeout=timeout, log=logger, **kwargs
            ).execute()

    papermill_engines.register(_ENGINE, Engine)


def render_survey(
    survey: Survey,
    output_dir="reports",
    *,
    template=TEMPLATE,
    kernel_name="python3",
    execution_timeout=600,
    kernel: _ReusedKernel | None = None,
) -> RenderResult:
    """Render one survey into ``output_dir/<slug>/`` (replaced only on success).

    ``kernel`` (internal) is a kernel kept alive between surveys; without it
    papermill starts and stops a kernel for this survey alone.
    """
    import papermill
    from papermill.exceptions import PapermillExecutionError

    start = time.perf_counter()
    out_root = Path(output_dir).resolve()
    out_root.mkdir(parents=True, exist_ok=True)
    final = (out_root / survey.slug).resolve()
    if final.parent != out_root:  # slugify makes this impossible; check anyway
        raise ValueError(f"survey {survey.name!r} would write outside {out_root}")
    tmp = out_root / f".{survey.slug}.tmp-{uuid.uuid4().hex[:8]}"
    tmp.mkdir()
    parameters = {**survey.parameters, "tables_dir": str(tmp)}
    failed_nb = out_root / f"{survey.slug}.failed.ipynb"
    try:
        if kernel is not None:
            _register_engine()
            run_kw = {"km": kernel.acquire(), "engine_name": _ENGINE}
        else:
            # the kernel's working folder; papermill's own cwd= would os.chdir the
            # whole process, which is not safe with renders running in threads
            run_kw = {
                "resources": {"metadata": {"path": str(out_root)}},
                "kernel_manager_class": _quiet_kernel_manager(),
            }
        try:
            papermill.execute_notebook(
                str(template),
                str(tmp / "report.ipynb"),
                parameters=parameters,
                kernel_name=kernel_name,
                progress_bar=False,
                request_save_on_cell_execute=False,
                execution_timeout=execution_timeout,
                **run_kw,
            )
        except PapermillExecutionError:
            if kernel is not None:
                kernel.reset()  # an error in a cell: the kernel itself is fine
            raise
        except Exception:
            if kernel is not None:
                kernel.close()  # timeout, dead kernel ...: start afresh next time
            raise
        if kernel is not None:
            kernel.reset()
        export_html(tmp / "report.ipynb", tmp / "report.html", title=survey.name)
        prov = provenance(
            {**parameters, "tables_dir": None},
            _data_sha256(survey.parameters),
            survey=survey.name,
            template=str(Path(template).name),
        )
        (tmp / "provenance.json").write_text(json.dumps(prov, indent=2, default=str) + "\n")
        missing = [f for f in OUTPUT_FILES if not (tmp / f).is_file()]
        if missing:
            raise RuntimeError(f"the template did not write {missing}")
        _replace_dir(tmp, final)
        failed_nb.unlink(missing_ok=True)
        return RenderResult(survey.name, survey.slug, "ok", time.perf_counter() - start, str(final))
    except Exception as exc:
        # keep the partly executed notebook beside the good report, for the researcher
        if (tmp / "report.ipynb").is_file():
            os.replace(tmp / "report.ipynb", failed_nb)
            where = str(failed_nb)
        else:
            where = None
        shutil.rmtree(tmp, ignore_errors=True)
        return RenderResult(
            survey.name, survey.slug, "failed", time.perf_counter() - start, where, _error_text(exc)
        )


def _data_sha256(parameters: dict) -> str | None:
    path = parameters.get("data_path")
    if path is None:
        return None  # example data: the notebook's appendix shows the SHA-256 of its CSV text
    return file_sha256(path)


def render_reports(
    config="surveys.yml",
    only=None,
    jobs=None,
    output_dir="reports",
    *,
    progress=True,
    template=TEMPLATE,
    kernel_name="python3",
    reuse_kernels=True,
) -> pd.DataFrame:
    """Render every survey of ``config`` (or those named in ``only``) into ``output_dir``.

    Parameters
    ----------
    config : path of ``surveys.yml`` (see ``load_config``).
    only : survey names or slugs to render; all when None.
    jobs : surveys rendered at the same time; default ``os.cpu_count()``.
    output_dir : folder receiving one sub-folder per survey.
    progress : show a progress bar (tqdm, on stderr).
    reuse_kernels : each parallel worker keeps one kernel for all its surveys,
        clearing its variables in between (much faster: imports and
        dictionaries load once per worker); False gives every survey a new kernel.

    Returns
    -------
    DataFrame, one row per survey: ``survey``, ``status`` ("ok"/"failed"),
    ``seconds``, ``output`` (the report folder; for a failure the partly
    executed notebook) and ``error`` (the failing cell's error).  A failure
    never stops the other surveys; check ``status``.  Config errors raise
    ``ConfigError`` before anything renders.
    """
    from tqdm.auto import tqdm

    surveys = select_surveys(load_config(config, template=template), only)
    jobs = max(1, int(jobs or os.cpu_count() or 1))
    Path(output_dir).mkdir(parents=True, exist_ok=True)
    out_root = Path(output_dir).resolve()
    todo = queue.SimpleQueue()
    for survey in surveys:
        todo.put(survey)
    results, lock = {}, threading.Lock()

    def worker(bar):
        kernel = _ReusedKernel(kernel_name, out_root) if reuse_kernels else None
        try:
            while True:
                try:
                    survey = todo.get_nowait()
                except queue.Empty:
                    return
                r = render_survey(
                    survey, out_root, template=template, kernel_name=kernel_name, kernel=kernel
                )
                with lock:
                    results[r.slug] = r
                    bar.set_postfix_str(f"{r.slug}: {r.status}")
                    bar.update()
        finally:
            if kernel is not None:
                kernel.close()

    with (
        tqdm(total=len(surveys), desc="rendering", unit="survey", disable=not progress) as bar,
        ThreadPoolExecutor(max_workers=min(jobs, len(surveys))) as pool,
    ):
        for future in [pool.submit(worker, bar) for _ in range(min(jobs, len(surveys)))]:
            future.result()
    rows = [results[s.slug] for s in surveys]
    return pd.DataFrame(
        {
            "survey": [r.survey for r in rows],
            "status": [r.status for r in rows],
            "seconds": [round(r.seconds, 1) for r in rows],
            "output": [r.output for r in rows],
            "error": [r.error for r in rows],
        }
    )
