"""Root pytest configuration: headless matplotlib for tests, doctests and notebooks."""

import os

os.environ.setdefault("MPLBACKEND", "Agg")
