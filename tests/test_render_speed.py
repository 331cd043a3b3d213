"""A small run of ``benchmarks/render_speed.py`` (the full one is ``make bench``).

It checks that both modes run end to end on one survey and print times and a
ratio that agree with each other; it asserts nothing about speed (timings are
for the benchmark, not the tests).
"""

from __future__ import annotations

import contextlib
import io
import re

import pytest


@pytest.fixture(scope="module")
def bench(load_benchmark):
    return load_benchmark("render_speed")


def _run(bench, *args) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        bench.main(list(args))
    return out.getvalue()


def _seconds(text: str, label: str) -> float:
    return float(re.search(rf"{re.escape(label)}\s*:\s*([\d.]+) s", text).group(1))


def test_batch_mode_renders_both_ways_and_reports_their_ratio(bench):
    text = _run(bench, "--batch", "--surveys", "1", "--jobs", "1", "--repeat", "1")
    assert "(1 HTML reports)" in text and text.count("(1 HTML reports)") == 2  # both made it
    tool, naive = (
        _seconds(text, "toolkit render_reports"),
        _seconds(text, "naive papermill+nbconvert"),
    )
    ratio = float(re.search(r"ratio naive / toolkit\s*:\s*([\d.]+)x", text).group(1))
    assert tool > 0 and naive > 0
    assert ratio == pytest.approx(naive / tool, rel=0.1)  # printed times are rounded


def test_single_mode_reports_floor_toolkit_and_slowest_cells(bench):
    text = _run(bench, "--single", "--repeat", "1")
    floor, tool = _seconds(text, "floor papermill+nbconvert"), _seconds(text, "nps-toolkit render")
    ratio = float(re.search(r"ratio toolkit / floor\s*:\s*([\d.]+)", text).group(1))
    assert ratio == pytest.approx(tool / floor, rel=0.1)
    cells = re.findall(r"^\s+([\d.]+) s  (.+)$", text, flags=re.M)
    assert len(cells) >= 3  # papermill's per-cell durations were read from the report
    assert any("every section is computed first" in line for _, line in cells)
