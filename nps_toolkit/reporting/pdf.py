"""``report.pdf``: the HTML report printed by headless Chromium.

The HTML report carries a print stylesheet (A4, no table or figure cut
across pages); Chromium's own print engine turns it into the PDF, so the PDF
is exactly what a reader printing the page would get.  Chromium runs with
no network (every host name resolves to nothing, background services off)
and a throw-away profile.

Without a Chromium on the machine the PDF is skipped: one warning line on
stderr per process, and the report is still complete.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

# Names Chromium is installed under (Debian: chromium; others: chromium-browser, google-chrome).
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
# Flags that keep a headless Chromium from reaching the network or the user's profile.
QUIET_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-default-apps",
    "--no-first-run",
    "--host-resolver-rules=MAP * ~NOTFOUND",
)

_warned = threading.Event()


def chromium_path() -> str | None:
    """The Chromium to print with: ``$NPS_TOOLKIT_CHROMIUM`` if set, else the first on PATH."""
    configured = os.environ.get("NPS_TOOLKIT_CHROMIUM")
    if configured:
        return configured if Path(configured).is_file() else None
    for name in BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    return None


def print_pdf(html_path, pdf_path, *, chromium: str | None = None, timeout: float = 180):
    """Print ``html_path`` to ``pdf_path`` with headless Chromium; the PDF's path, or None.

    Returns None (after one warning line per process) when no Chromium is
    installed.  Raises ``RuntimeError`` when Chromium runs but writes no PDF,
    with the end of its error output.
    """
    browser = chromium or chromium_path()
    if browser is None:
        if not _warned.is_set():
            _warned.set()
            print(
                "nps-toolkit: no Chromium found (apt-get install chromium): report.pdf is skipped",
                file=sys.stderr,
            )
        return None
    html_path, pdf_path = Path(html_path).resolve(), Path(pdf_path).resolve()
    pdf_path.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory(prefix="nps-chromium-") as profile:
        cmd = [
            browser,
            *QUIET_FLAGS,
            f"--user-data-dir={profile}",
            "--no-pdf-header-footer",
            f"--print-to-pdf={pdf_path}",
            html_path.as_uri(),
        ]
        try:
            done = subprocess.run(
                cmd, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=timeout
            )
        except subprocess.TimeoutExpired:
            raise RuntimeError(
                f"Chromium did not print {html_path.name} within {timeout:g} s"
            ) from None
    if not pdf_path.is_file() or pdf_path.stat().st_size == 0:
        tail = "; ".join(line for line in done.stderr.strip().splitlines()[-3:])
        raise RuntimeError(f"Chromium wrote no PDF (exit code {done.returncode}): {tail}")
    return pdf_path
