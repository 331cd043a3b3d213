"""The survey config: a column mapping or a YAML file of load_survey options."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from ._common import CONFIG_KEYS

# ------------------------------------------------------------------------ config


def _read_yaml(path) -> dict:
    # the toolkit's one strict reader: no aliases (a few hundred bytes of nested
    # aliases expand to gigabytes), tags, merge keys or repeated keys
    from .._yaml import read_strict

    try:
        data = read_strict(path)
    except ValueError as exc:  # name the file, then the reader's line and reason
        detail = str(exc).removeprefix(str(path)).lstrip(",: ")
        raise ValueError(f"{path}: not a readable YAML file ({detail})") from None
    if data is None:
        return {}
    if not isinstance(data, Mapping):
        raise ValueError(f"{path}: expected a mapping of column names, got {type(data).__name__}")
    return dict(data)


def _resolve_config(columns) -> dict:
    """``columns`` as given -> config dict with at least the key "columns"."""
    if columns is None:
        return {"columns": {}}
    where = "the survey config"
    if isinstance(columns, str | os.PathLike):
        where = f"the survey config {str(columns)!r}"
        path = Path(columns)
        if not path.is_file():
            raise FileNotFoundError(f"column mapping file not found: {path}")
        columns = _read_yaml(path)
    if not isinstance(columns, Mapping):
        raise TypeError(
            f"columns must be a dict {{file name: canonical name}} or a YAML file path, "
            f"got {type(columns).__name__}"
        )
    # A plain mapping has only text values; a config has nested parts (columns:, recode:).
    if any(isinstance(v, Mapping | list) for v in columns.values()) or (
        "columns" in columns and columns["columns"] is None
    ):
        unknown = sorted(set(map(str, columns)) - set(CONFIG_KEYS))
        if unknown:
            raise ValueError(
                f"unknown key(s) {unknown} in {where}; valid keys: {list(CONFIG_KEYS)}"
            )
        config = dict(columns)
        config["columns"] = dict(config.get("columns") or {})
    else:
        config = {"columns": dict(columns)}
    mapping = {}
    for k, v in config["columns"].items():
        if not isinstance(v, str):
            raise TypeError(
                f"column mapping {k!r} in {where}: {v!r} must map to a column name (text)"
            )
        mapping[str(k)] = v
    config["columns"] = mapping
    return config
