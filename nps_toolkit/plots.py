"""Figures (seaborn / matplotlib).  Each function returns a matplotlib Axes.

matplotlib and seaborn are imported inside the functions so that importing
``nps_toolkit`` does not pay for them.
"""

from __future__ import annotations

CATEGORY_COLORS = {"detractor": "#d7301f", "passive": "#bdbdbd", "promoter": "#1a9850"}


def _axes(ax=None, figsize=(7, 4)):
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
    return ax


# --- scoring figures ---------------------------------------------------------


# --- interval figures (intervals / compare) ----------------------------------


# --- driver figures ----------------------------------------------------------


# --- theme figures -----------------------------------------------------------


# --- trend figures -----------------------------------------------------------
