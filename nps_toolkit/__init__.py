"""nps-toolkit: Net Promoter Score analysis with correct statistics.

>>> import nps_toolkit as nps
>>> nps.nps([10, 9, 9, 8, 3])
40.0

Names are imported lazily (PEP 562) so that ``import nps_toolkit`` stays fast
inside a papermill kernel: statsmodels, seaborn and papermill load only when a
function that needs them is first used.
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

# public name -> submodule that defines it
_EXPORTS = {
    "CATEGORIES": "scoring",
    "Counts": "scoring",
    "classify": "scoring",
    "category_counts": "scoring",
    "nps": "scoring",
    "band": "scoring",
    "summarize": "scoring",
    "csat": "scoring",
    "ces": "scoring",
    "response_rate": "scoring",
    "NPSInterval": "intervals",
    "nps_interval": "intervals",
    "NPSComparison": "compare",
    "compare_nps": "compare",
    "compare_segments": "compare",
    "sample_size": "compare",
    "margin_of_error": "compare",
    "driver_importance": "drivers",
    "importance_performance": "drivers",
    "tag_themes": "themes",
    "theme_impact": "themes",
    "coded_themes": "themes",
    "theme_quotes": "themes",
    "redact": "themes",
    "comment_sentiment": "sentiment",
    "theme_sentiment": "sentiment",
    "load_themes": "themes",
    "distinctive_terms": "terms",
    "top_terms": "terms",
    "nps_trend": "trends",
    "goal_progress": "trends",
    "followup_list": "followup",
    "thank_list": "followup",
    "write_followup": "followup",
    "load_survey": "data",
    "validate": "data",
    "SurveyDataError": "data",
    "example_survey": "datasets",
    "render_reports": "reporting",
    "banner_table": "banners",
    "banner_pairs": "banners",
    "ColumnError": "_validation",
    "ScaleWarning": "_validation",
    "rake_weights": "weighting",
    "raking_diagnostics": "weighting",
    "weighting_summary": "weighting",
    "TargetComparison": "targets",
    "compare_to_target": "targets",
    "sample_size_change": "targets",
    "findings": "insights",
    "learn_sentiment": "learning",
    "learn_themes": "learning",
    "load_model": "learning",
    "suggest_themes": "suggest",
}

_SUBMODULES = {
    "scoring",
    "intervals",
    "compare",
    "drivers",
    "themes",
    "terms",
    "sentiment",
    "trends",
    "followup",
    "data",
    "datasets",
    "plots",
    "insights",
    "reporting",
    "backends",
    "cli",
    "banners",
    "weighting",
    "targets",
    "learning",
    "suggest",
}

__all__ = sorted(_EXPORTS) + ["__version__"]


def __getattr__(name: str):
    if name in _SUBMODULES:  # nps.plots.trend_plot(...) without an explicit import
        return importlib.import_module(f".{name}", __name__)
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'nps_toolkit' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value  # cache: later look-ups skip this hook
    return value


def __dir__():
    return sorted(set(__all__) | _SUBMODULES)
