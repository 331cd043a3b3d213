"""Report configuration: the template's parameters and ``surveys.yml``, validated on load.

``load_config`` reads ``surveys.yml`` into ``Survey`` entries whose
parameters are checked against the template's parameters cell, before
papermill ever sees them.
"""

from __future__ import annotations

import ast
import json
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

# The report templates are package data, so an installed wheel renders too.
TEMPLATES_DIR = Path(str(resources.files("nps_toolkit") / "templates"))
TEMPLATE = TEMPLATES_DIR / "survey_report.ipynb"
HTML_TEMPLATE = "html_report"  # templates/html_report/{conf.json,index.html.j2}

# Interval methods the report accepts (``nps_interval``'s methods).
METHODS = ("wald", "adjusted-wald", "score", "bootstrap", "bca", "bayes")
FREQS = ("ME", "QE", "YE")
LANGUAGES = ("auto", "fi", "en")
EXAMPLES = ("b2b-annual", "b2c-monthly")

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
