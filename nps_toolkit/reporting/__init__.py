"""Per-survey notebook reports: configuration, input, presentation, rendering.

The template calls these as ``report.<name>`` (``from nps_toolkit import
reporting as report``), so that the notebook stays a sequence of calls.

- ``config``: the template's parameters and ``surveys.yml``, validated;
- ``inputs``: the survey a report is about, filtered; invited counts;
- ``presentation``: escaped sentences, tables for readers, the tables written;
- ``rendering``: papermill batch, HTML export, provenance.
"""

from __future__ import annotations

from .config import (
    EXAMPLES,
    FREQS,
    LANGUAGES,
    METHODS,
    PARAMETER_TYPES,
    TEMPLATE,
    TEMPLATES_DIR,
    ConfigError,
    Survey,
    load_config,
    parameter_types,
    parameters_cell,
    select_surveys,
    slugify,
    template_parameters,
)
from .inputs import (
    apply_filter,
    check_columns,
    describe_filter,
    file_sha256,
    invited_total,
    label_values,
    load_data,
    report_columns,
)
from .presentation import (
    LABELS,
    escape,
    fill,
    format_p,
    parameter_table,
    say,
    table,
    write_data_digest,
    write_parameters_in_effect,
    write_tables,
)
from .rendering import (
    OUTPUT_FILES,
    RenderResult,
    export_html,
    output_files,
    provenance,
    render_reports,
    render_survey,
)

__all__ = [
    "EXAMPLES",
    "FREQS",
    "LANGUAGES",
    "LABELS",
    "METHODS",
    "OUTPUT_FILES",
    "output_files",
    "PARAMETER_TYPES",
    "TEMPLATE",
    "TEMPLATES_DIR",
    "ConfigError",
    "RenderResult",
    "Survey",
    "apply_filter",
    "check_columns",
    "describe_filter",
    "escape",
    "export_html",
    "file_sha256",
    "fill",
    "format_p",
    "invited_total",
    "load_config",
    "label_values",
    "load_data",
    "report_columns",
    "parameter_table",
    "parameter_types",
    "parameters_cell",
    "provenance",
    "render_reports",
    "render_survey",
    "say",
    "select_surveys",
    "slugify",
    "table",
    "template_parameters",
    "write_data_digest",
    "write_parameters_in_effect",
    "write_tables",
]

# the deliverables that need python-pptx / openpyxl load only when first used
_LAZY = {"write_slides": "slides", "write_banner_workbook": "workbook"}
__all__ += list(_LAZY)


def __getattr__(name: str):
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'nps_toolkit.reporting' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value
