"""What one-number results share: a one-row table and a notebook view.

``NPSInterval``, ``NPSComparison`` and ``TargetComparison`` keep scipy-like
fields (``estimate``, ``low``, ``high``); ``to_frame()`` gives the same
numbers under the column names of the tidy tables (``nps``, ``ci_low``,
``ci_high``, ``p_value`` ...) so that a single result and a ``summarize`` or
``compare_segments`` table can be stacked with ``pd.concat``.
Imports nothing from the package.
"""

from __future__ import annotations

import dataclasses
import html
import math

import pandas as pd


class TableRow:
    """Mixin for frozen result dataclasses: ``to_frame()``, ``_repr_html_()``,
    and ``ci_low`` / ``ci_high`` as other names of the fields ``low`` / ``high``.

    ``_COLUMNS`` maps a field name to its column name in the tidy tables;
    fields not listed keep their own name.
    """

    _COLUMNS: dict[str, str] = {}

    @property
    def ci_low(self) -> float:
        """``low``, under the tables' name."""
        return self.low

    @property
    def ci_high(self) -> float:
        """``high``, under the tables' name."""
        return self.high

    @property
    def confidence_interval(self) -> tuple[float, float]:
        """``(low, high)``."""
        return (self.low, self.high)

    def to_frame(self) -> pd.DataFrame:
        """The result as a one-row DataFrame with the tidy tables' column names."""
        row = {
            self._COLUMNS.get(f.name, f.name): getattr(self, f.name)
            for f in dataclasses.fields(self)
        }
        return pd.DataFrame([row])

    def _repr_html_(self) -> str:
        """A small two-column HTML table (name, value) for notebooks; values escaped."""
        title = html.escape(type(self).__name__)
        rows = "".join(
            f"<tr><th style='text-align:left'>{html.escape(str(name))}</th>"
            f"<td style='text-align:right'>{html.escape(_shown(value))}</td></tr>"
            for name, value in self.to_frame().iloc[0].items()
        )
        return f"<table><caption>{title}</caption><tbody>{rows}</tbody></table>"


class EstimateRow(TableRow):
    """``TableRow`` of a result whose ``estimate`` is an NPS (``nps`` in the tables)."""

    _COLUMNS = {"estimate": "nps", "low": "ci_low", "high": "ci_high"}

    @property
    def nps(self) -> float:
        """``estimate``, under the tables' name."""
        return self.estimate


def _shown(value) -> str:
    """A value as the notebook table shows it (floats to 4 significant digits)."""
    if value is None:
        return "None"
    if isinstance(value, float):
        return "NaN" if math.isnan(value) else f"{value:.4g}"
    return str(value)
