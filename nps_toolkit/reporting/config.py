"""Report configuration: the template's parameters and ``surveys.yml``, validated on load.

``load_config`` reads ``surveys.yml`` into ``Survey`` entries whose
parameters are checked against the template's parameters cell, before
papermill ever sees them.
"""

from __future__ import annotations

import ast
import hashlib
import json
import math
import os
import re
import types
import typing
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from .._filters import FilterError, parse_filter
from .._yaml import excerpt

# The report templates are package data, so an installed wheel renders too.
TEMPLATES_DIR = Path(str(resources.files("nps_toolkit.templates")))
TEMPLATE = TEMPLATES_DIR / "survey_report.ipynb"
HTML_TEMPLATE = "html_report"  # templates/html_report/{conf.json,index.html.j2}

# Interval methods the report accepts (``nps_interval``'s methods).
METHODS = ("wald", "adjusted-wald", "score", "bootstrap", "bca", "bayes")
FREQS = ("ME", "QE", "YE")  # the trend's periods; ``freq`` takes nps_trend's other names too
LANGUAGES = ("auto", "fi", "en")
EXAMPLES = ("b2b-annual", "b2c-monthly")
REPORT_LANGUAGES = ("en", "fi")  # languages of the report's own texts
CORRECTIONS = ("holm", "bonferroni", "fdr_bh")  # segment tests' multiple-testing corrections
OUTPUTS = ("html", "pdf", "pptx", "xlsx")  # files a report may write besides the notebook

# Config keys whose template parameter has another name; every other
# parameter of the template is a config key of the same name.
CONFIG_ALIASES = {"name": "survey_name", "data": "data_path", "filter": "row_filter"}
# Parameters set by the renderer, never by the config.
INTERNAL_PARAMETERS = ("tables_dir", "required_columns")
# Options of the render itself, not passed to the notebook: {key: (type, default)}.
RENDER_OPTIONS = {"timeout": (int | float, 600), "split": (str | None, None)}
MAX_RESAMPLES = 100_000  # more resamples change no reported digit, only the wait
MAX_TIMEOUT = 24 * 3600
# Groups of fewer answers are hidden.  Below 3, a group's share of promoters
# and detractors gives away each member's answer (1: the person's own score;
# 2: either member can work out the other's), and a segment by contact
# details becomes a list of people with their scores.
MIN_MIN_N = 3
MAX_FOLLOWUP_HOURS = 24 * 366  # a year: a longer promise is a typing error

# The type of every template parameter whose default is None (the others'
# types are inferred from their defaults: see ``parameter_types``).  A new
# parameter defaulting to None adds one line here; a parameter may also
# appear here to allow more than its default's type.
PARAMETER_TYPES = {
    "data_path": str | None,
    "columns": dict[str, str] | str,
    "row_filter": str | dict | None,
    "weights": str | None,
    "wave": str | None,
    "comment": str | None,
    "themes": str | None,
    "themes_model": str | None,
    "sentiment_model": str | None,
    "theme_columns": list[str],
    "account": str | None,
    "invited": int | str | None,
    "tables_dir": str | None,
    "required_columns": dict[str, list[str]],
    "followup_hours": int | float,
    "date_format": str | None,
    "banners": list[str],
    "rake": dict[str, dict[str, float | int]] | None,
    "target": int | float | None,
    "value_labels": dict[str, dict[str, str]],
    "section_timeout": int | float | None,
    # load_survey's options, given in the entry itself
    "recode": dict[str, dict | int | float],
    "header_rows": int | None,
    "na_values": list[str | int | float],
    "scale": str | None,
}
# Config keys that may name a file (relative to the config file): {key: parameter}.
# The renderer fingerprints these files to tell an unchanged report.
FILE_KEYS = {
    "data": "data_path",
    "columns": "columns",
    "themes": "themes",
    "themes_model": "themes_model",
    "sentiment_model": "sentiment_model",
}
# Config keys that name data columns, checked against the data when it loads.
COLUMN_KEYS = (
    "score",
    "weights",
    "segments",
    "drivers",
    "date",
    "wave",
    "comment",
    "account",
    "invited",
    "banners",
    "theme_columns",
    "split",
)


# --- what each option's value must be, beyond its type -------------------


def _one_of(choices, expected=None) -> tuple:
    """The rule "the value is one of ``choices``"."""
    return choices, expected or f"one of {list(choices)}"


def _column_name(or_null: bool) -> tuple:
    """The rule "a non-empty column name" (or null)."""
    return (lambda v: v is None or bool(v)), "a column name" + (" or null" if or_null else "")


def _rake_problem(rake) -> str | None:
    """What is wrong with a ``rake`` mapping of shares, in words; None when nothing is."""
    if rake is None:
        return None
    if not rake or not all(rake.values()):
        return "a mapping {column: {category: share}} with at least one category each"
    for column, shares in rake.items():
        if any(not 0 <= x <= 1 for x in shares.values()):
            return f"shares between 0 and 1 (for {column!r}: not percentages)"
        if abs(sum(shares.values()) - 1) > 1e-6:
            return (
                f"shares of each column summing to 1 ({column!r} sums to {sum(shares.values()):g})"
            )
    return None


def _freq_names() -> dict:
    """The period names ``nps_trend`` reads ("M", "Q", "Y", "monthly" ...), from trends itself;
    imported when a ``freq`` is checked (trends' statistics cost a config load half a second)."""
    from ..trends import FREQ_ALIASES

    return FREQ_ALIASES


_COLUMN_LIST = (all, "a list of column names")
_NON_NEGATIVE = ((lambda v: v >= 0), "a non-negative whole number")
# The other half of the schema (``parameter_types`` gives the types): the
# rules of a template parameter's or render option's value, checked once its
# type is right.  {key: rule, or a list of rules checked in turn}; a rule is
# ``(test, expected)``: ``test`` the allowed values or a function true of a
# good value, ``expected`` the words that end "key ... must be <expected>,
# got <value>" (or a function of the value giving them).  ``expected`` None
# marks the filter: ``parse_filter`` is its test, and its errors say why.
OPTION_RULES = {
    "survey_name": ((lambda v: v.strip()), "a non-empty string"),
    "example": _one_of(EXAMPLES),
    "row_filter": (parse_filter, None),
    "segments": _COLUMN_LIST,
    "drivers": _COLUMN_LIST,
    "banners": _COLUMN_LIST,
    "score": _column_name(or_null=False),
    "date": _column_name(or_null=False),
    **{key: _column_name(or_null=True) for key in ("weights", "wave", "comment", "account")},
    "invited": (
        lambda v: not (isinstance(v, int) and v <= 0 or v == ""),
        "a positive whole number, a column name or null",
    ),
    # 0.5-0.9999: below, an "interval" covers less than a coin toss; above, its
    # critical value leaves the range the interval methods are accurate in
    "confidence_level": (
        (lambda v: 0.5 <= v <= 0.9999),
        "a number between 0.5 and 0.9999, e.g. 0.95",
    ),
    "method": _one_of(METHODS),
    "freq": (
        lambda v: v in _freq_names(),
        lambda v: f"one of {list(_freq_names())} (months, quarters or years)",
    ),
    "language": (bool, f"one of {list(LANGUAGES)} or a column of language codes"),
    "themes": (
        lambda v: v is None or (isinstance(v, str) and bool(v)),
        "a theme lexicon YAML file (relative to this file) or null",
    ),
    "themes_model": (
        lambda v: v is None or (isinstance(v, str) and bool(v)),
        "a model file saved by learn_themes (relative to this file) or null",
    ),
    "sentiment_model": (
        lambda v: v is None or (isinstance(v, str) and bool(v)),
        "a model file saved by learn_sentiment (relative to this file) or null",
    ),
    "themes_mode": _one_of(
        ("extend", "replace"), "'extend' (the bundled themes plus the file's) or 'replace'"
    ),
    "report_language": _one_of(REPORT_LANGUAGES),
    "correction": _one_of(CORRECTIONS),
    "followup_hours": (
        (lambda v: 0 < v <= MAX_FOLLOWUP_HOURS),
        f"a number of hours above 0 and at most {MAX_FOLLOWUP_HOURS} (a year), e.g. 48",
    ),
    "min_n": (
        (lambda v: v >= MIN_MIN_N),
        f"a whole number of at least {MIN_MIN_N} (smaller groups would show single "
        "respondents' answers; see README 'Security and privacy')",
    ),
    "seed": _NON_NEGATIVE,
    "n_resamples": [
        _NON_NEGATIVE,
        (
            (lambda v: v <= MAX_RESAMPLES),
            f"at most {MAX_RESAMPLES:,} (more changes no reported digit)",
        ),
    ],
    "outputs": (
        lambda v: all(o in OUTPUTS for o in v) and len(set(v)) == len(v),
        f"a list of distinct outputs among {list(OUTPUTS)}",
    ),
    "target": (
        lambda v: v is None or -100 < v < 100,
        "an NPS between -100 and 100 (exclusive) or null",
    ),
    "rake": ((lambda v: _rake_problem(v) is None), _rake_problem),
    "value_labels": (
        lambda v: all(k and all(lab.strip() for lab in m.values()) for k, m in v.items()),
        "a mapping of column names to {value: non-empty label}",
    ),
    "split": _column_name(or_null=True),
    "backend": _one_of(
        ("auto", "pandas", "duckdb"),
        "auto (DuckDB for Parquet/CSV data of more than 2,000,000 rows), pandas or duckdb",
    ),
    "section_timeout": (
        lambda v: v is None or 0 < v <= MAX_TIMEOUT,
        f"a number of seconds between 1 and {MAX_TIMEOUT} or null (no limit)",
    ),
    "header_rows": (lambda v: v is None or v >= 1, "a whole number of rows, 1 or more, or null"),
    "scale": _one_of((None, "0-10"), "'0-10' (the score really is 0-10) or null"),
    # whole seconds: nbclient's timeout is an integer (120.5 fails every cell)
    "timeout": (
        (lambda v: 1 <= v <= MAX_TIMEOUT and float(v).is_integer()),
        f"a number of seconds, whole, between 1 and {MAX_TIMEOUT}",
    ),
}


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


# --- the parameter schema ----------------------------------------------------


def _infer_type(name: str, default):
    if isinstance(default, bool):
        return bool
    if isinstance(default, int):
        return int
    if isinstance(default, float):
        return float | int  # an int in the config is read as a float
    if isinstance(default, str):
        return str
    if isinstance(default, list):
        kinds = {type(v) for v in default}
        return list[kinds.pop()] if len(kinds) == 1 and kinds <= {str, int, float} else list
    if isinstance(default, dict):
        return dict
    raise ValueError(
        f"template parameter {name!r} defaults to {default!r}: declare its type in "
        "nps_toolkit.reporting.config.PARAMETER_TYPES"
    )


def parameter_types(template=TEMPLATE) -> dict:
    """The allowed type of every template parameter (``str | None``, ``list[str]`` ...).

    Declared in ``PARAMETER_TYPES`` or inferred from the parameter's default;
    a parameter defaulting to None must be declared.
    """
    return {
        name: PARAMETER_TYPES[name] if name in PARAMETER_TYPES else _infer_type(name, default)
        for name, default in template_parameters(template).items()
    }


def is_plain(value, depth: int = 0) -> bool:
    """True for str, int, finite float, bool, None, and lists/dicts (str keys) of those.

    >>> is_plain({"a": [1, 2.5, None, "x"]}), is_plain({1, 2}), is_plain(float("nan"))
    (True, False, False)
    """
    if depth > 20:
        return False
    if value is None or isinstance(value, str | bool | int):
        return True
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, list):
        return all(is_plain(v, depth + 1) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and is_plain(v, depth + 1) for k, v in value.items())
    return False


def conforms(value, kind) -> bool:
    """Whether a plain ``value`` is of ``kind`` (a type, ``X | Y``, ``list[X]``, ``dict[K, V]``).

    >>> conforms(["a"], list[str]), conforms(True, int), conforms(None, str | None)
    (True, False, True)
    """
    if isinstance(kind, types.UnionType):
        return any(conforms(value, k) for k in typing.get_args(kind))
    if kind is None or kind is type(None):
        return value is None
    origin, args = typing.get_origin(kind), typing.get_args(kind)
    if origin is list:
        return isinstance(value, list) and all(conforms(v, args[0]) for v in value)
    if origin is dict:
        return isinstance(value, dict) and all(
            conforms(k, args[0]) and conforms(v, args[1]) for k, v in value.items()
        )
    if kind is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if kind is float:
        return isinstance(value, float) and math.isfinite(value)
    if kind in (list, dict):
        return isinstance(value, kind) and is_plain(value)
    return isinstance(value, kind)


_KIND_WORDS = {str: "text", int: "a whole number", float: "a number", bool: "true or false"}
_KIND_WORDS.update({type(None): "null", list: "a list", dict: "a mapping"})


def describe_type(kind) -> str:
    """``kind`` in words for an error message.

    >>> describe_type(str | None), describe_type(list[str])
    ('text or null', 'a list of text')
    """
    if isinstance(kind, types.UnionType):
        words = [describe_type(k) for k in typing.get_args(kind)]
        return " or ".join(
            dict.fromkeys(w for w in words if w != "a whole number" or "a number" not in words)
        )
    origin, args = typing.get_origin(kind), typing.get_args(kind)
    if origin is list:
        return f"a list of {describe_type(args[0]).removeprefix('a ')}"
    if origin is dict:
        return f"a mapping of {describe_type(args[0])} to {describe_type(args[1])}"
    return _KIND_WORDS.get(kind, getattr(kind, "__name__", str(kind)))


# --- configuration -----------------------------------------------------------

SLUG_MAX = 60  # characters: far inside every file system's limit, with ".x.tmp-..." around it


def slugify(name: str) -> str:
    """A folder name made of lowercase letters, digits and single dashes.

    Path separators and dots cannot survive, so a slug never leaves the
    output folder.  Names longer than ``SLUG_MAX`` are cut, and end with a
    short hash of the whole name so that two long names stay apart.

    >>> slugify("B2B annual / wave 7")
    'b2b-annual-wave-7'
    >>> slugify("../../x")
    'x'
    >>> len(slugify("a" * 300))
    60
    """
    slug = re.sub(r"[^a-z0-9]+", "-", str(name).lower()).strip("-")
    if not slug:
        raise ValueError(f"survey name {name!r} gives an empty folder name; use letters or digits")
    if len(slug) > SLUG_MAX:
        digest = hashlib.sha256(str(name).encode("utf-8")).hexdigest()[:8]
        slug = slug[: SLUG_MAX - 9].rstrip("-") + "-" + digest
    return slug


@dataclass(frozen=True)
class Survey:
    """One validated ``surveys.yml`` entry: its name, slug and template parameters.

    ``timeout`` is the execution timeout of each notebook cell (seconds);
    ``split`` names a column: one report per value of it (see ``rendering``).
    ``base`` the folder of the config file, which the report's records
    (``provenance.json``, the notebook's parameters) give file paths relative to.
    """

    name: str
    slug: str
    parameters: dict = field(repr=False)
    timeout: int = RENDER_OPTIONS["timeout"][1]
    base: str | None = field(default=None, repr=False)  # the config's folder: paths relative
    split: str | None = None


def _check_option(where: str, key: str, value, label: str) -> None:
    """Check one option's meaning by its rules in ``OPTION_RULES``.

    ``key`` is the template parameter, ``label`` the config key; the value's
    type has already been checked against ``parameter_types``.
    """
    rules = OPTION_RULES.get(key, [])
    for test, expected in [rules] if isinstance(rules, tuple) else rules:
        if expected is None:  # the filter parser: its errors name where and why
            try:
                test(value, where=f"{where}: key {label!r}")
            except FilterError as exc:
                raise ConfigError(str(exc)) from None
        elif not (test(value) if callable(test) else value in test):
            if callable(expected):
                expected = expected(value)
            raise ConfigError(f"{where}: key {label!r} must be {expected}, got {excerpt(value)}")


def _read_config(path: Path):
    from .._yaml import read_strict

    try:
        return read_strict(path)
    except ValueError as exc:
        raise ConfigError(str(exc)) from None


def config_keys(template=TEMPLATE) -> dict:
    """Every key a ``surveys.yml`` entry accepts, mapped to its template parameter.

    The template's parameters (``name``, ``data`` and ``filter`` for
    ``survey_name``, ``data_path`` and ``row_filter``; not those the renderer
    sets) and the render options (``timeout``).

    >>> keys = config_keys()
    >>> keys["data"], keys["segments"], keys["timeout"], "tables_dir" in keys
    ('data_path', 'segments', 'timeout', False)
    """
    to_param = {k: k for k in template_parameters(template) if k not in INTERNAL_PARAMETERS}
    for alias, param in CONFIG_ALIASES.items():
        to_param.pop(param, None)
        to_param[alias] = param
    to_param.update({k: k for k in RENDER_OPTIONS})
    return to_param


def load_config(config="surveys.yml", *, template=TEMPLATE, errors=None) -> list[Survey]:
    """Read and validate ``surveys.yml``.

    The file holds ``surveys:`` (a list of entries) and optionally
    ``defaults:`` (options applied to every entry).  Each entry has a
    ``name``, the ``data`` file path (relative to the config file) or an
    ``example`` name, options named after the template's parameters
    (``segments``, ``drivers``, ``weights``, ``filter``, ``confidence_level`` ...)
    and ``timeout`` (seconds each notebook cell may run).

    Only plain YAML is read (no tags, aliases or repeated keys).  Every value
    is checked against the type of its template parameter (``parameter_types``)
    and its meaning, and the filter is parsed, before anything renders.

    Raises ``ConfigError`` naming the entry and the key for an unknown key, a
    missing data file or a bad option; ``FileNotFoundError`` when the config
    itself is missing.  With ``errors`` (a list), a bad entry's error is
    appended to it instead and the entry left out: the other entries load.
    """
    path = Path(config)
    if not path.is_file():
        raise FileNotFoundError(f"config file {str(path)!r} not found")
    raw = _read_config(path)
    if isinstance(raw, dict):
        extra = sorted(map(str, set(raw) - {"surveys", "defaults"}))
        if extra:
            raise ConfigError(
                f"{path}: unknown top-level key(s) {extra}; valid: ['defaults', 'surveys']"
            )
    if not isinstance(raw, dict) or not isinstance(raw.get("surveys"), list) or not raw["surveys"]:
        raise ConfigError(f"{path}: expected a top-level 'surveys:' list of survey entries")

    params = template_parameters(template)
    kinds = {**parameter_types(template), **{k: t for k, (t, _) in RENDER_OPTIONS.items()}}
    to_param = config_keys(template)
    valid = sorted(to_param)

    def translate(where, mapping):
        if not isinstance(mapping, dict):
            raise ConfigError(f"{where}: expected a mapping of keys to values")
        out = {}
        for key, value in mapping.items():
            if key not in to_param:
                raise ConfigError(f"{where}: unknown key {excerpt(key)}; valid keys: {valid}")
            param = to_param[key]
            if not conforms(value, kinds[param]):
                raise ConfigError(
                    f"{where}: key {excerpt(key)} must be {describe_type(kinds[param])}, "
                    f"got {excerpt(value)}"
                )
            if (
                isinstance(value, int)
                and not isinstance(value, bool)
                and conforms(0.5, kinds[param])
            ):
                value = float(value)  # a float parameter given as 1 stays a float
            _check_option(where, param, value, key)
            out[param] = value
        return out

    defaults = translate(f"{path}: defaults", raw.get("defaults") or {})
    for key in ("name", "data", "example"):
        if key in (raw.get("defaults") or {}):
            raise ConfigError(f"{path}: defaults: key {key!r} belongs in each survey entry")
    surveys, slugs = [], {}

    def read_entry(i, entry):
        label = entry.get("name") if isinstance(entry, dict) else None
        where = (
            f"{path}: survey {excerpt(label, 80)} (entry {i})" if label else f"{path}: entry {i}"
        )
        own = translate(where, entry)
        values = {**params, **defaults, **own}
        options = {k: values.pop(k, default) for k, (_, default) in RENDER_OPTIONS.items()}
        options["timeout"] = int(options["timeout"])
        values.pop("tables_dir", None)
        _check_source(where, entry)
        _resolve_files(where, path.parent, values)
        if "required_columns" in params:
            values["required_columns"] = _required_columns({**defaults, **own})
        if isinstance(values.get("columns"), str):
            _check_columns_file(where, values["columns"])
        if values.get("themes"):
            _check_themes(where, values["themes"])
        for key, kind in (("themes_model", "themes"), ("sentiment_model", "sentiment")):
            if values.get(key):
                _check_model(where, key, values[key], kind)
        _check_value_labels(where, values)
        try:
            slug = slugify(entry["name"])
        except ValueError as exc:
            raise ConfigError(f"{where}: key 'name': {exc}") from None
        if slug in slugs:
            raise ConfigError(
                f"{where}: key 'name' gives folder {slug!r}, already used by entry {slugs[slug]}"
            )
        slugs[slug] = i
        surveys.append(
            Survey(
                name=entry["name"],
                slug=slug,
                parameters=values,
                base=str(path.parent.resolve()),
                **options,
            )
        )

    for i, entry in enumerate(raw["surveys"], start=1):
        try:
            read_entry(i, entry)
        except ConfigError as exc:
            if errors is None:
                raise
            errors.append(str(exc))  # `nps-toolkit check`: every bad entry, not the first
    return surveys


def _check_source(where: str, entry: dict) -> None:
    """An entry has a name and exactly one of ``data`` and ``example``."""
    if "name" not in entry:
        raise ConfigError(f"{where}: missing key 'name'")
    if "data" in entry and "example" in entry:
        raise ConfigError(f"{where}: give either key 'data' or key 'example', not both")
    if "data" not in entry and "example" not in entry:
        raise ConfigError(f"{where}: missing key 'data' (a survey file) or 'example'")


def _resolve_files(where: str, folder: Path, values: dict) -> None:
    """Files named in an entry, resolved relative to the config's folder (in place)."""
    for key, param in FILE_KEYS.items():
        if isinstance(values.get(param), str):
            file = (folder / values[param]).resolve()
            if key == "data" and is_dataset(file):  # a folder or a glob of parts
                if not dataset_files(file):
                    raise ConfigError(f"{where}: key 'data': no files match {str(file)!r}")
            elif not file.is_file():
                raise ConfigError(f"{where}: key {key!r}: file {str(file)!r} not found")
            values[param] = str(file)


def is_dataset(data_path) -> bool:
    """A folder (a Parquet dataset) or a glob of Parquet/CSV parts, not one file.

    >>> is_dataset("exports/2025-*.parquet"), is_dataset("survey.csv")
    (True, False)
    """
    text = os.fspath(data_path)
    if os.path.isfile(text):  # a file whose name holds [ or * is still one file
        return False
    return os.path.isdir(text) or any(ch in text for ch in "*?[")


def dataset_files(data_path) -> list[str]:
    """The files of a folder (its Parquet files, in sub-folders too) or of a glob, sorted."""
    import glob

    text = os.fspath(data_path)
    pattern = os.path.join(text, "**", "*.parquet") if os.path.isdir(text) else text
    return sorted(f for f in glob.glob(pattern, recursive=True) if os.path.isfile(f))


def _required_columns(options: dict) -> dict:
    """The columns an entry (with its defaults) names: the data must hold them."""
    required = {}
    for key in COLUMN_KEYS:
        value = options.get(key)
        if isinstance(value, str):
            required[key] = [value]
        elif isinstance(value, list) and value:
            required[key] = list(value)
    rake = options.get("rake")
    if isinstance(rake, dict) and rake:
        required["rake"] = list(rake)
    labels = options.get("value_labels")
    if isinstance(labels, dict) and labels:
        required["value_labels"] = list(labels)
    language = options.get("language")
    if language is not None and language not in LANGUAGES:  # a column of codes
        required["language"] = [language]
    return required


# columns read as numbers, dates, weights or identities: their values are not relabelled
_NOT_LABELLED = ("score", "date", "wave", "weights", "account", "invited", "comment", "language")


def _check_value_labels(where: str, values: dict) -> None:
    """``value_labels`` relabels group columns only, never one the report reads as data;
    a label is never an e-mail address, phone number or identity code."""
    from .._redact import redact

    for column, mapping in (values.get("value_labels") or {}).items():
        for value, label in mapping.items():
            if redact(label) != label:
                raise ConfigError(
                    f"{where}: key 'value_labels': the label of {excerpt(column)} value {excerpt(value)} "
                    "holds contact details (an e-mail address, phone number or identity "
                    "code); a report never shows them"
                )
        used = [k for k in _NOT_LABELLED if values.get(k) == column]
        if used:
            raise ConfigError(
                f"{where}: key 'value_labels': column {column!r} is the {used[0]!r} column, "
                "whose values the report reads; label the groups of segment and banner columns"
            )


def _check_columns_file(where: str, path: str) -> None:
    """A ``columns:`` file (a mapping or load options) is read strictly when the config loads."""
    from ..data._config import _resolve_config

    try:
        _resolve_config(path)
    except (ValueError, TypeError) as exc:
        raise ConfigError(f"{where}: key 'columns': {exc}") from None


def _check_themes(where: str, themes) -> None:
    """A survey's own theme lexicon is validated when the config loads."""
    from ..themes import load_themes

    try:
        load_themes(themes)
    except ValueError as exc:
        raise ConfigError(f"{where}: key 'themes': {exc}") from None


def _check_model(where: str, key: str, path: str, kind: str) -> None:
    """A learned model named in an entry is read (as JSON, never unpickled) and checked."""
    from ..learning import load_model

    try:
        load_model(path, kind=kind)
    except ValueError as exc:
        raise ConfigError(f"{where}: key {key!r}: {exc}") from None


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
