"""Batch rendering: papermill per survey, HTML export, provenance, atomic replacement.

``render_reports`` runs the parameterized template ``templates/survey_report.ipynb``
with papermill once per survey listed in ``surveys.yml`` and writes, for each
survey, ``<output>/<slug>/``::

    report.ipynb     the executed notebook (papermill records the parameters in its metadata)
    report.html      the same without code cells, through templates/html_report
    summary.csv      the key tables, one tidy table (column ``table`` names the source)
    summary.xlsx     the key tables, one sheet each
    provenance.json  toolkit version, data SHA-256, parameters, Python and package versions

A survey renders into a temporary folder inside the output folder that
replaces the previous report only when everything succeeded, so a failing
render never leaves half a report where a good one was.  Surveys render in
parallel threads: the work happens in the Jupyter kernels (separate
processes), the threads only wait for them and export HTML.

papermill, nbconvert and yaml are imported inside the functions that need
them: importing ``nps_toolkit`` inside a report kernel stays cheap.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import queue
import re
import shutil
import signal
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .._redact import visible
from ..backends import is_spark_spec
from .config import (
    FILE_KEYS,
    HTML_TEMPLATE,
    TEMPLATE,
    TEMPLATES_DIR,
    Survey,
    is_dataset,
    is_plain,
    load_config,
    select_surveys,
    slugify,
)
from .inputs import data_sha256, file_sha256, load_notes
from .pdf import print_pdf
from .presentation import DIGEST_FILE, IN_EFFECT_FILE, defang

OUTPUT_FILES = ("report.ipynb", "report.html", "summary.csv", "summary.xlsx", "provenance.json")
# the files each entry of a survey's ``outputs`` adds (report.pdf is skipped without Chromium)
OPTIONAL_FILES = {"html": "report.html", "pptx": "report.pptx", "xlsx": "banner.xlsx"}


def output_files(parameters: dict | None = None) -> tuple:
    """The files a rendered survey's folder must hold, given its parameters.

    Always the notebook, the summary tables and the provenance; then
    ``report.html`` / ``report.pptx`` / ``banner.xlsx`` when ``outputs`` has
    ``html`` / ``pptx`` / ``xlsx``, the workbook only when the survey names
    ``banners``.  (The toolkit's template asks for all by default; a template
    without an ``outputs`` parameter writes the HTML report only.)

    >>> output_files({"outputs": ["pptx"], "banners": []})
    ('report.ipynb', 'summary.csv', 'summary.xlsx', 'provenance.json', 'report.pptx')
    """
    parameters = parameters or {}
    outputs = parameters.get("outputs", ["html"])
    files = [f for f in OUTPUT_FILES if f not in OPTIONAL_FILES.values()]
    for key, name in OPTIONAL_FILES.items():
        if key in outputs and (key != "xlsx" or parameters.get("banners")):
            files.append(name)
    return tuple(files)


PACKAGES = (
    "pandas",
    "numpy",
    "scipy",
    "statsmodels",
    "seaborn",
    "matplotlib",
    "papermill",
    "nbconvert",
    "simplemma",
)


def provenance(parameters: dict, data_sha256: str | None, **extra) -> dict:
    """What a report was made from: toolkit, data fingerprint, parameters, software, time."""
    from importlib import metadata

    from .. import __version__

    versions = {}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return {
        "toolkit": "nps-toolkit",
        "toolkit_version": __version__,
        "data_sha256": data_sha256,
        "parameters": parameters,
        "python": sys.version.split()[0],
        "packages": versions,
        "rendered_at": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
        **extra,
    }


# --- rendering ---------------------------------------------------------------


@dataclass(frozen=True)
class RenderResult:
    """Outcome of rendering one survey."""

    survey: str
    slug: str
    status: str  # "ok", "unchanged", "failed" or "cancelled"
    seconds: float
    output: str | None
    error: str | None = None


_local = threading.local()


def _report_exporter_class():
    from nbconvert import HTMLExporter
    from nbconvert.exporters.templateexporter import TemplateExporter
    from nbconvert.filters.highlight import Highlight2HTML
    from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter

    class ReportExporter(HTMLExporter):
        """nbconvert's HTML exporter without its closing BeautifulSoup pass.

        After rendering the page, ``HTMLExporter`` parses all of it again with
        BeautifulSoup's pure-Python parser only to give images without alt text
        a stock one and to make code inputs and outputs focusable: 0.1 s a
        report, more than the rest of the export.  The report's template writes
        every image's own alt text (``data_png``) and the report has no code
        inputs, so the page is kept as rendered.  This is the first half of
        ``HTMLExporter.from_notebook_node`` (nbconvert 7), unchanged.
        """

        def from_notebook_node(self, nb, resources=None, **kw):
            langinfo = nb.metadata.get("language_info", {})
            lexer = langinfo.get("pygments_lexer", langinfo.get("name", None))
            highlight_code = self.filters.get(
                "highlight_code", Highlight2HTML(pygments_lexer=lexer, parent=self)
            )
            resources = self._init_resources(resources)
            filter_data_type = WidgetsDataTypeFilter(
                notebook_metadata=self._nb_metadata, parent=self, resources=resources
            )
            self.register_filter("highlight_code", highlight_code)
            self.register_filter("filter_data_type", filter_data_type)
            return TemplateExporter.from_notebook_node(self, nb, resources, **kw)

    return ReportExporter


def _html_exporter():
    # one exporter per thread: building one loads and compiles the Jinja templates
    exporter = getattr(_local, "exporter", None)
    if exporter is None:
        from traitlets.config import Config

        c = Config()
        # cells tagged remove-cell (e.g. writing the tables) are not part of the report
        c.TagRemovePreprocessor.enabled = True
        c.TagRemovePreprocessor.remove_cell_tags = {"remove-cell"}
        exporter = _report_exporter_class()(
            config=c,
            template_name=HTML_TEMPLATE,
            extra_template_basedirs=[str(TEMPLATES_DIR)],
            exclude_input=True,
            exclude_input_prompt=True,
            exclude_output_prompt=True,
        )
        _local.exporter = exporter
    return exporter


_WARM_NOTEBOOK = {
    "cells": [
        {
            "cell_type": "markdown",
            "id": "warm-markdown",
            "metadata": {},
            "source": "# *a* `b`\n\n| a |\n|---|\n| 1 |",
        },
        {
            "cell_type": "code",
            "id": "warm-code",
            "execution_count": 1,
            "metadata": {},
            "source": "x",
            "outputs": [
                {
                    "output_type": "display_data",
                    "metadata": {},
                    "data": {"text/html": "<b>x</b>", "text/markdown": "*x*", "text/plain": "x"},
                }
            ],
        },
    ],
    "metadata": {},
    "nbformat": 4,
    "nbformat_minor": 5,
}


def _warm_html_exporter() -> None:
    """Build this thread's HTML exporter and convert a tiny notebook with it.

    The first conversion imports the Markdown renderer and compiles the page
    templates (together about 0.5 s); done while a new kernel starts, it is
    off the path of the first report.
    """
    import nbformat

    _html_exporter().from_notebook_node(nbformat.from_dict(_WARM_NOTEBOOK))


def _skip_iri_grammars() -> None:
    """Import jsonschema (nbformat's validator) without its IRI format checkers.

    When the optional ``rfc3987_syntax`` is installed, importing jsonschema
    imports it too, and it compiles about 40 parser grammars: about 1 s, more
    than papermill and nbconvert together.  The notebook schemas check no
    string formats, so in this process jsonschema goes without the "iri"
    checkers; ``rfc3987_syntax`` itself stays importable.
    """
    if "jsonschema" in sys.modules or "rfc3987_syntax" in sys.modules:
        return
    sys.modules["rfc3987_syntax"] = None  # "import rfc3987_syntax" raises ImportError
    try:
        import jsonschema  # noqa: F401
    except ImportError:
        pass
    finally:
        del sys.modules["rfc3987_syntax"]


# nbconvert's bundled stylesheets cite web pages in their comments; the report
# holds no URL at all, so those comments go (CSS without comments is the same CSS)
_STYLE = re.compile(r"<style[^>]*>.*?</style>", re.S | re.I)
_CSS_COMMENT = re.compile(r"/\*.*?\*/", re.S)


def export_html(notebook, html_path, *, title: str | None = None, language: str = "en") -> None:
    """Write the executed notebook as a code-free HTML report.

    ``title`` is the page title; ``language`` (ISO 639-1, the report's
    language) goes into ``<html lang=...>`` for screen readers and hyphenation.
    """
    import nbformat

    nb = notebook if not isinstance(notebook, str | Path) else nbformat.read(str(notebook), 4)
    if title:
        nb.metadata["title"] = defang(visible(title))  # the template escapes it
    try:  # the page's footer in the report's language
        from .._i18n import Texts

        nb.metadata["nps_footer"] = Texts(language)("appendix.footer")
    except (KeyError, OSError, ValueError):
        pass  # a language without a catalogue: the template's English footer
    exporter = _html_exporter()
    exporter.language_code = language  # one exporter per thread: safe to set per report
    body, _ = exporter.from_notebook_node(nb)
    body = _STYLE.sub(lambda m: _CSS_COMMENT.sub("", m.group(0)), body)
    Path(html_path).write_text(body, encoding="utf-8")


def _error_text(exc: BaseException) -> str:
    from papermill.exceptions import PapermillExecutionError

    if isinstance(exc, PapermillExecutionError):
        # the first lines: e.g. SurveyDataError's summary and its first problems
        lines = [line.strip() for line in str(exc.evalue).strip().splitlines() if line.strip()]
        text = "; ".join(lines[:3]) + ("; ..." if len(lines) > 3 else "")
        # cells are numbered from 1 as they appear in the executed report.ipynb
        return f"cell {exc.cell_index + 1} {exc.ename}: {text}"
    return f"{type(exc).__name__}: {exc}"


def _replace_dir(new: Path, final: Path) -> None:
    """Put ``new`` in place of ``final``: rename the old one aside, rename in, delete old.

    Between the two renames there is no ``final``; a process killed there
    (power, out of memory) leaves the previous report as
    ``.<slug>.old-<pid>-<hex>``, and the next run's ``clean_stale_work_dirs``
    renames it back to ``<slug>`` rather than deleting it.
    """
    old = None
    if final.exists():
        old = final.with_name(f".{final.name}.old-{os.getpid()}-{uuid.uuid4().hex[:8]}")
        os.replace(final, old)
    try:
        os.replace(new, final)
    except OSError:
        if old is not None:
            os.replace(old, final)  # put the good report back
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


class FolderInUse(ValueError):
    """The output folder of a survey exists and is not a report the toolkit wrote."""


def _read_provenance(folder: Path) -> dict | None:
    try:
        prov = json.loads((folder / "provenance.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return prov if isinstance(prov, dict) else None


def _check_ours(final: Path) -> None:
    """Refuse to replace ``final`` unless it is a report written by nps-toolkit."""
    if not final.exists() and not final.is_symlink():
        return
    prov = _read_provenance(final) if final.is_dir() and not final.is_symlink() else None
    if prov is None or prov.get("toolkit") != "nps-toolkit":
        raise FolderInUse(
            f"folder {str(final)!r} exists and is not a report written by nps-toolkit "
            "(no provenance.json of the toolkit in it); it was left untouched: rename the "
            "survey, move the folder or choose another --output folder"
        )


# hidden work folders: .<slug>.tmp-<pid>-<hex> and .<slug>.old-<pid>-<hex>
_WORK_DIR = re.compile(r"^\.([a-z0-9-]+)\.(tmp|old)-(?:(\d+)-)?([0-9a-f]{8})$")


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return False
    except OSError:
        return True  # exists, owned by someone else
    return True


def clean_stale_work_dirs(out_root, *, before: float | None = None) -> list[str]:
    """Remove work folders left in ``out_root`` by killed runs; the names removed.

    A work folder is stale when the run that made it (its process id is in
    the name) is no longer running, or, for names without a process id, when
    it is older than ``before`` (a time stamp, default now).  A stale
    ``.<slug>.old-...`` folder whose ``<slug>`` is missing is the previous
    report of a run killed in the middle of ``_replace_dir``: it is renamed
    back to ``<slug>`` (the newest, when there are several), not removed.
    """
    before = time.time() if before is None else before
    removed = []
    try:
        entries = list(Path(out_root).iterdir())
    except OSError:
        return removed
    stale = []
    for entry in entries:
        m = _WORK_DIR.match(entry.name)
        if not m or not entry.is_dir() or entry.is_symlink():
            continue
        pid = m.group(3)
        try:
            if (not _pid_alive(int(pid))) if pid else entry.stat().st_mtime < before:
                stale.append((entry.stat().st_mtime, entry, m.group(1), m.group(2)))
        except OSError:
            continue
    for _, entry, slug, kind in sorted(stale, key=lambda x: x[0], reverse=True):
        final = entry.with_name(slug)
        if kind == "old" and not final.exists() and not final.is_symlink():
            prov = _read_provenance(entry)
            if prov is not None and prov.get("toolkit") == "nps-toolkit":
                try:
                    os.replace(entry, final)  # the last good report, back in place
                    continue
                except OSError:
                    pass
        shutil.rmtree(entry, ignore_errors=True)
        removed.append(entry.name)
    return removed


class _ReusedKernel:
    """One Jupyter kernel that renders several surveys in turn (one per worker thread).

    Starting a kernel and importing pandas, matplotlib, scipy and the
    lemmatizer's dictionaries costs more than most report notebooks; reusing
    the kernel pays that once per worker instead of once per survey.  Between
    surveys the user namespace is cleared (as by ``%reset -f``), so no variable of
    one survey can reach the next; only imported modules (and their caches)
    stay.  A kernel that failed in any way other than an error in a cell is
    shut down and replaced.  Everything runs in the worker's own thread, whose
    event loop owns the kernel's sockets.

    The kernel keeps one client, made ready once: a new client per survey
    (papermill's and the reset's) would each wait for the kernel's
    ``kernel_info`` and then for 0.2 s of silence on IOPub, about 0.5 s a
    survey.  nbclient and the reset only look at messages that answer their
    own requests, so a message left over from a survey reaches no other.
    """

    # Imported by a new kernel as soon as it starts, while this process gets
    # papermill and the HTML exporter ready: the two overlap instead of one
    # waiting for the other.  Importing a module changes no result.
    WARM_UP = "import matplotlib.pyplot, pandas, nps_toolkit.reporting.sections, nps_toolkit.reporting.show"

    def __init__(self, kernel_name: str, cwd: Path):
        self.kernel_name, self.cwd, self.km, self.kc = kernel_name, cwd, None, None
        self._warming = None  # message id of the warm-up imports

    def acquire(self):
        from jupyter_core.utils import run_sync

        if self.km is not None and not run_sync(self.km.is_alive)():
            self.close()
        if self.km is None:
            from ._engine import QuietKernelManager

            km = QuietKernelManager(kernel_name=self.kernel_name)
            run_sync(km.start_kernel)(cwd=str(self.cwd))
            self.km = km
            self._warming = run_sync(self._warm_up)()
        return self.km

    async def _warm_up(self):
        self.kc = self.km.client()
        self.kc.start_channels()
        self.kc.allow_stdin = False  # as nbclient's own clients: input() in a report fails
        return self.kc.execute(self.WARM_UP, silent=True, store_history=False)

    async def _warmed(self) -> None:
        msg_id, self._warming = self._warming, None
        while True:  # the reply says the imports are done (an error does not matter)
            reply = await self.kc.get_shell_msg(timeout=120)
            if reply.get("parent_header", {}).get("msg_id") == msg_id:
                break
        # IOPub is subscribed only once a message has come through it: this
        # checks that, so that no output of the first cell can be lost
        await self.kc.wait_for_ready(timeout=60)

    def warmed(self):
        """Wait until a new kernel has imported and its client is ready; the client."""
        from jupyter_core.utils import run_sync

        if self._warming is not None:
            try:
                run_sync(self._warmed)()
            except Exception:  # no reply: papermill finds out what is wrong with the kernel
                pass
        return self.kc

    # ``%reset -f`` without its forced ``gc.collect()`` (0.1 s and more with
    # pandas and matplotlib loaded, in every survey): the namespace is cleared
    # the same way, and Python's own collector frees the cycles left over.
    # The execution counter starts again at 1, so that every report of a batch
    # numbers its cells 1, 2, 3 ... as if it had its own kernel (the reset runs
    # with store_history=False: it takes no number itself)
    RESET = (
        "def _nps_toolkit_reset():\n"
        "    import gc\n"
        "    collect, gc.collect = gc.collect, lambda generation=2: 0\n"
        "    try:\n"
        "        get_ipython().reset(new_session=False)\n"
        "    finally:\n"
        "        gc.collect = collect\n"
        "    get_ipython().execution_count = 1\n"
        "_nps_toolkit_reset()\n"
    )

    async def _reset(self) -> None:
        reply = await self.kc.execute_interactive(
            self.RESET, store_history=False, timeout=60, output_hook=lambda msg: None
        )
        if reply["content"]["status"] != "ok":
            raise RuntimeError("could not clear the kernel between surveys")

    def reset(self) -> None:
        from jupyter_core.utils import run_sync

        try:
            run_sync(self._reset)()
        except Exception:
            self.close()  # the next survey gets a fresh kernel

    def close(self) -> None:
        from jupyter_core.utils import run_sync

        self._warming = None
        if self.kc is not None:
            kc, self.kc = self.kc, None
            kc.stop_channels()
        if self.km is not None:
            km, self.km = self.km, None
            try:
                run_sync(km.shutdown_kernel)(now=True)
            except Exception:  # already dead: nothing left to stop
                pass


def _fingerprint(survey: Survey, template) -> dict:
    """What decides a report's content: data, options file, parameters, template, toolkit."""
    from .. import __version__

    p = survey.parameters
    files = {  # option files beside the data (columns mapping, theme lexicon ...)
        param: file_sha256(p[param])
        for param in FILE_KEYS.values()
        if param != "data_path" and isinstance(p.get(param), str) and Path(p[param]).is_file()
    }
    return {
        # Spark data (a table, a cluster's files) has no fingerprint here: always rendered
        "data_sha256": (
            data_sha256(p["data_path"])
            if p.get("data_path") and not is_spark_spec(p["data_path"])
            else None
        ),
        "files_sha256": files,
        "template_sha256": _template_sha256(template),
        "toolkit_version": __version__,
        # as provenance.json holds them (a JSON round trip), files relative to the config
        "parameters": json.loads(
            json.dumps({**recorded_parameters(p, survey.base), "tables_dir": None}, default=str)
        ),
    }


def _relative_path(path: str, base: str | None) -> str:
    """``path`` relative to ``base`` (the config's folder); the file name when there is none."""
    if not base or not os.path.isabs(path):
        return path if base else Path(path).name
    try:
        shared = os.path.commonpath([path, base])
        relative = os.path.relpath(path, base)
    except ValueError:  # another drive (Windows): no relative path exists
        return Path(path).name
    if shared == Path(path).anchor:  # only the root in common: "../../home/me/..." names
        return Path(path).name  # the folders as an absolute path would
    return Path(relative).as_posix()


def recorded_parameters(parameters: dict, base: str | None) -> dict:
    """The parameters as a report records them: file paths relative to the config's
    folder ``base`` and the tables folder as ``"."`` (the report's own folder), so no
    deliverable names the analyst's folders.

    >>> recorded_parameters({"data_path": "/home/me/s/d.csv", "tables_dir": "/tmp/.x"}, "/home/me")
    {'data_path': 's/d.csv', 'tables_dir': '.'}
    >>> recorded_parameters({"data_path": "/home/me/d.csv", "themes": "/srv/t.yml"}, "/srv/cfg")
    {'data_path': 'd.csv', 'themes': '../t.yml'}
    >>> recorded_parameters({"data_path": {"spark": {"path": "s3a://acme-cx/nps/2026/*.parquet",
    ...                      "format": "parquet"}}}, "/srv/cfg")["data_path"]["spark"]["path"]
    's3a://…/*.parquet'
    """
    out = dict(parameters)
    for param in FILE_KEYS.values():
        if isinstance(out.get(param), str) and not is_spark_spec(out[param]):
            out[param] = _relative_path(out[param], base)
    spark = out.get("data_path")
    if isinstance(spark, dict) and isinstance(spark.get("spark"), dict):
        block = dict(spark["spark"])
        path = block.get("path")
        if isinstance(path, str) and re.match(r"file:(//)?/", path):  # a local path as a URI
            path = "/" + re.sub(r"^file:(//)?/+", "", path)
        if isinstance(path, str) and os.path.isabs(path):
            block["path"] = _relative_path(path, base)  # a local path
        elif isinstance(path, str) and re.match(r"[A-Za-z][A-Za-z0-9+.-]*://", path):
            # a bucket or a cluster's host and folders stay home: the scheme and the name
            scheme, rest = path.split("://", 1)
            block["path"] = f"{scheme}://…/{rest.rstrip('/').rsplit('/', 1)[-1]}"
        master = block.get("master")
        if isinstance(master, str) and "://" in master:  # a cluster's host names stay home
            block["master"] = master.split("://", 1)[0] + "://…"
        out["data_path"] = {"spark": block}
    if out.get("tables_dir"):
        out["tables_dir"] = "."
    return out


def _record_relative_paths(nb, survey: Survey, template) -> None:
    """Rewrite the executed notebook's records (papermill's metadata, the injected
    parameters cell) with relative paths, in place."""
    from papermill.translators import translate_parameters

    from . import _engine

    meta = nb.metadata.get("papermill", {})
    real = meta.get("parameters") or {}
    shown = recorded_parameters(real, survey.base)
    meta["parameters"] = shown
    meta["input_path"] = Path(template).name
    meta["output_path"] = "report.ipynb"
    # the same paths wherever a cell shows them (a section's code for the reviewer
    # names the theme lexicon it loaded): longest first, so no path is half replaced
    swaps = {
        real[k]: shown[k]
        for k in [*FILE_KEYS.values(), "tables_dir"]
        if isinstance(real.get(k), str) and os.path.isabs(real[k]) and real[k] != shown[k]
    }
    swaps = sorted(swaps.items(), key=lambda kv: -len(kv[0]))

    def scrub(text):
        if isinstance(text, list):
            return [scrub(t) for t in text]
        if not isinstance(text, str):
            return text
        for real_path, shown_path in swaps:
            text = text.replace(real_path, shown_path)
        return text

    for cell in nb.cells:
        if "injected-parameters" in cell.get("metadata", {}).get("tags", []):
            cell.source = translate_parameters(
                _engine.LANGUAGE, _engine.LANGUAGE, shown, "Parameters"
            )
            continue
        cell.source = scrub(cell.source)
        for output in cell.get("outputs", []) if swaps else ():
            if "text" in output:
                output["text"] = scrub(output["text"])
            for mime, value in output.get("data", {}).items():
                if isinstance(value, str | list):
                    output["data"][mime] = scrub(value)


def _relative_failed_notebook(path: Path, survey: Survey, template) -> None:
    """The partly executed notebook with relative paths too (it may be shared to debug)."""
    import nbformat

    try:
        nb = nbformat.read(str(path), as_version=4)
        _record_relative_paths(nb, survey, template)
        nbformat.write(nb, str(path))
    except Exception:  # keep the notebook as papermill wrote it rather than none
        pass


def _write_notebook(nb, path: Path) -> None:
    import nbformat

    nbformat.write(nb, str(path))


def _template_sha256(template) -> str:
    """SHA-256 of what shapes a report besides its data: the notebook template, the
    HTML template and the text catalogues (so that editing a text re-renders)."""
    import hashlib

    files = [Path(template), *sorted((TEMPLATES_DIR / HTML_TEMPLATE).glob("*"))]
    files += sorted((Path(__file__).resolve().parents[1] / "locales").glob("*.yml"))
    h = hashlib.sha256()
    for f in files:
        h.update(f.name.encode() + b"\0" + file_sha256(f).encode())
    return h.hexdigest()


def _unchanged(final: Path, fingerprint: dict) -> bool:
    """Whether the report in ``final`` was made from exactly ``fingerprint``, and is whole."""
    prov = _read_provenance(final)
    if prov is None or prov.get("toolkit") != "nps-toolkit":
        return False
    if any(prov.get(key) != value for key, value in fingerprint.items()):
        return False
    return all((final / name).is_file() for name in output_files(fingerprint.get("parameters")))


class _Cancelled(Exception):
    """The batch was cancelled (SIGINT/SIGTERM) while this survey rendered."""


def render_survey(
    survey: Survey,
    output_dir="reports",
    *,
    template=TEMPLATE,
    kernel_name="python3",
    execution_timeout=None,
    force: bool = False,
    kernel: _ReusedKernel | None = None,
    cancel: threading.Event | None = None,
) -> RenderResult:
    """Render one survey into ``output_dir/<slug>/`` (replaced only on success).

    The report records file paths relative to the config's folder, never
    absolute ones.

    An existing ``<slug>`` folder is replaced only when it is a report the
    toolkit wrote (its ``provenance.json`` says so); otherwise the survey
    fails and the folder is left alone.  When that report was made from the
    same data, parameters, template and toolkit version, nothing renders and
    the status is ``"unchanged"`` (``force=True`` renders anyway).
    ``execution_timeout`` (seconds per cell) defaults to the survey's
    ``timeout``.  Errors, folder errors included, give a ``"failed"`` result,
    never an exception.

    ``kernel`` (internal) is a kernel kept alive between surveys; without it
    papermill starts and stops a kernel for this survey alone.  ``cancel``
    (internal) is set when the batch is cancelled.
    """
    start = time.perf_counter()

    def result(status, output=None, error=None):
        return RenderResult(
            survey.name, survey.slug, status, time.perf_counter() - start, output, error
        )

    tmp = None
    try:
        if cancel is not None and cancel.is_set():
            raise _Cancelled
        out_root = Path(output_dir).resolve()
        out_root.mkdir(parents=True, exist_ok=True)
        final = (out_root / survey.slug).resolve()
        if final.parent != out_root:  # slugify makes this impossible; check anyway
            raise ValueError(f"survey {survey.name!r} would write outside {out_root}")
        _check_ours(final)
        fingerprint = _fingerprint(survey, template)
        spark = is_spark_spec(survey.parameters.get("data_path"))  # no fingerprint of its data
        if not force and not spark and _unchanged(final, fingerprint):
            return result("unchanged", str(final))
        bad = [k for k, v in survey.parameters.items() if not is_plain(v)]
        if bad:  # load_config makes this impossible; check anyway
            raise TypeError(f"parameters {bad} are not plain values")
        tmp = out_root / f".{survey.slug}.tmp-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        tmp.mkdir()
        failed_nb = out_root / f"{survey.slug}.failed.ipynb"
        nb = _execute(survey, tmp, out_root, template, kernel_name, execution_timeout, kernel)
        if cancel is not None and cancel.is_set():
            raise _Cancelled
        _record_relative_paths(nb, survey, template)  # no local folder in any deliverable
        _write_notebook(nb, tmp / "report.ipynb")
        outputs = survey.parameters.get("outputs", ["html", "pdf"])
        if "html" in outputs or "pdf" in outputs:  # the PDF is printed from the HTML
            export_html(
                nb,
                tmp / "report.html",
                title=survey.name,
                language=survey.parameters.get("report_language") or "en",
            )
        if "pdf" in outputs:
            print_pdf(tmp / "report.html", tmp / "report.pdf")  # skipped without Chromium
        prov = provenance(
            fingerprint["parameters"],
            fingerprint["data_sha256"],
            survey=survey.name,
            template=str(Path(template).name),
            **{k: v for k, v in fingerprint.items() if k not in ("parameters", "data_sha256")},
        )
        used = tmp / IN_EFFECT_FILE  # written by the template: the parameters that took effect
        if used.is_file():
            prov["parameters_in_effect"] = recorded_parameters(  # no local paths either
                json.loads(used.read_text(encoding="utf-8")), survey.base
            )
            used.unlink()
        digest = tmp / DIGEST_FILE  # the kernel's digest of data read there (Spark)
        if digest.is_file():
            if prov.get("data_sha256") is None:
                prov["data_sha256"] = digest.read_text(encoding="utf-8").strip() or None
            digest.unlink()
        (tmp / "provenance.json").write_text(json.dumps(prov, indent=2, default=str) + "\n")
        if "html" not in outputs:
            (tmp / "report.html").unlink(missing_ok=True)
        missing = [f for f in output_files(survey.parameters) if not (tmp / f).is_file()]
        if missing:
            raise RuntimeError(f"the template did not write {missing}")
        _check_ours(final)  # again: someone may have made the folder meanwhile
        _replace_dir(tmp, final)
        tmp = None
        failed_nb.unlink(missing_ok=True)
        return result("ok", str(final))
    except Exception as exc:
        # a Ctrl-C in a terminal reaches the kernel too: its KeyboardInterrupt is a cancel
        interrupted = getattr(exc, "ename", None) == "KeyboardInterrupt" and cancel is not None
        cancelled = isinstance(exc, _Cancelled) or interrupted
        cancelled = cancelled or (cancel is not None and cancel.is_set())
        where = None
        if tmp is not None and not cancelled and (tmp / "report.ipynb").is_file():
            # keep the partly executed notebook beside the good report, for the researcher
            try:
                _relative_failed_notebook(tmp / "report.ipynb", survey, template)
                os.replace(tmp / "report.ipynb", failed_nb)
                where = str(failed_nb)
            except OSError:
                pass
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
        if cancelled:
            return result("cancelled", None, "cancelled before it finished")
        return result("failed", where, _error_text(exc))


def _execute(survey, tmp, out_root, template, kernel_name, execution_timeout, kernel):
    """Run the template for ``survey`` into ``tmp/report.ipynb`` with papermill; the notebook."""
    _skip_iri_grammars()
    if kernel is not None:
        km = kernel.acquire()  # a new kernel starts, and imports, while this process warms up
    import papermill
    from papermill.exceptions import PapermillExecutionError

    from . import _engine  # registers the engine and the literal translator

    parameters = {**survey.parameters, "tables_dir": str(tmp)}
    run_kw = {"engine_name": _engine.ENGINE, "language": _engine.LANGUAGE}
    if kernel is not None:
        _warm_html_exporter()
        run_kw["km"], run_kw["kc"] = km, kernel.warmed()
    else:
        # the kernel's working folder; papermill's own cwd= would os.chdir the
        # whole process, which is not safe with renders running in threads
        run_kw["resources"] = {"metadata": {"path": str(out_root)}}
        run_kw["kernel_manager_class"] = _engine.QuietKernelManager
    try:
        nb = papermill.execute_notebook(
            str(template),
            str(tmp / "report.ipynb"),
            parameters=parameters,
            kernel_name=kernel_name,
            progress_bar=False,
            request_save_on_cell_execute=False,
            execution_timeout=execution_timeout or survey.timeout,
            **run_kw,
        )
    except PapermillExecutionError:
        if kernel is not None:
            kernel.reset()  # an error in a cell: the kernel itself is fine
        raise
    except Exception:
        if kernel is not None:
            kernel.close()  # timeout, dead kernel ...: start afresh next time
        raise
    if kernel is not None:
        kernel.reset()
    return nb


class _SignalCancel:
    """While active, SIGINT and SIGTERM cancel the batch instead of killing the process.

    The handler (main thread only) sets ``event``, so workers start no new
    survey, and kills the running kernels, so the surveys waiting on them end
    at once; ``signum`` remembers the first signal for the exit code.
    """

    def __init__(self):
        self.event, self.signum, self.previous = threading.Event(), None, {}

    def handle(self, signum, frame):
        if self.signum is None:
            self.signum = signum
        self.event.set()
        from ._engine import kill_running_kernels

        kill_running_kernels()

    def __enter__(self):
        if threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGINT, signal.SIGTERM):
                try:
                    self.previous[sig] = signal.signal(sig, self.handle)
                except (ValueError, OSError):  # not settable here: keep the default
                    pass
        return self

    def __exit__(self, *exc):
        for sig, handler in self.previous.items():
            signal.signal(sig, handler)
        return False


def render_reports(
    config="surveys.yml",
    only=None,
    jobs=None,
    output_dir="reports",
    *,
    progress=True,
    template=TEMPLATE,
    kernel_name="python3",
    reuse_kernels=True,
    force=False,
) -> pd.DataFrame:
    """Render every survey of ``config`` (or those named in ``only``) into ``output_dir``.

    Parameters
    ----------
    config : path of ``surveys.yml`` (see ``load_config``).
    only : survey names or slugs to render; all when None.
    jobs : surveys rendered at the same time; default ``os.cpu_count()``.
    output_dir : folder receiving one sub-folder per survey.
    progress : show a progress bar (tqdm, on stderr).
    reuse_kernels : each parallel worker keeps one kernel for all its surveys,
        clearing its variables in between (much faster: imports and
        dictionaries load once per worker); False gives every survey a new kernel.
    force : render surveys whose report is up to date too.

    Returns
    -------
    DataFrame, one row per survey: ``survey``, ``status``, ``seconds``,
    ``output`` (the report folder; for a failure the partly executed
    notebook), ``error`` (the failing cell's error) and ``notes`` (the
    loader's warnings about the data of a rendered or unchanged report, a
    list: dates read either way, the score column chosen ...).  ``status`` is
    ``"ok"``, ``"unchanged"`` (its report was made from the same data,
    parameters, template and toolkit version: not rendered again),
    ``"failed"``, ``"cancelled"`` or ``"skipped"``.  A failure never stops the other
    surveys; check ``status``.

    An entry with ``split: <column>`` renders one report per value of the
    column into ``<output_dir>/<slug>/<value-slug>/`` (one table row each,
    ``survey`` "<name> / <value>"), with the entry's filter and "column is
    value" as the report's filter.  The data is read once for the batch to
    find the values and hashed once per process (not once per report); a
    report reads only its rows from parts (filtered in DuckDB), and one file
    once per worker kernel (kept for the next value).  Values with fewer than ``min_n``
    answers are ``"skipped"`` (not a failure), and ``<slug>/index.html``
    links every value's report with its headline NPS.  Unchanged values are
    ``"unchanged"`` like any report.  SIGINT (Ctrl-C) and SIGTERM stop the batch:
    no new survey starts, running kernels are stopped, their work folders
    removed, and the table marks them ``"cancelled"``; ``attrs["signal"]``
    holds the signal number (None when not cancelled).  Config errors raise
    ``ConfigError`` before anything renders.  Work folders left by killed
    runs are removed first.
    """
    from tqdm.auto import tqdm

    surveys = select_surveys(load_config(config, template=template), only)
    jobs = max(1, int(jobs or os.cpu_count() or 1))
    out_root = Path(output_dir).resolve()
    try:
        out_root.mkdir(parents=True, exist_ok=True)
    except OSError:
        pass  # each survey fails with the reason: the table still shows them all
    clean_stale_work_dirs(out_root, before=time.time())
    # (survey, folder it renders into); a split: entry becomes one per value
    tasks, splits, early = [], [], {}
    for survey in surveys:
        if survey.split is None:
            tasks.append((survey, out_root))
            continue
        split = plan_split(survey, out_root)
        splits.append(split)
        if split.error is not None:
            early[(str(out_root), survey.slug)] = RenderResult(
                survey.name, survey.slug, "failed", 0.0, None, split.error
            )
            continue
        clean_stale_work_dirs(split.folder, before=time.time())
        tasks += [(sub, split.folder) for sub, _, _ in split.reports]
        for r in split.skipped:
            early[(str(split.folder), r.slug)] = r
    todo = queue.SimpleQueue()
    for task in tasks:
        todo.put(task)
    results, lock = dict(early), threading.Lock()

    def worker(bar, cancel):
        kernel = _ReusedKernel(kernel_name, out_root) if reuse_kernels else None
        try:
            while not cancel.is_set():
                try:
                    survey, folder = todo.get_nowait()
                except queue.Empty:
                    return
                r = render_survey(
                    survey,
                    folder,
                    template=template,
                    kernel_name=kernel_name,
                    force=force,
                    kernel=kernel,
                    cancel=cancel,
                )
                with lock:
                    results[(str(folder), r.slug)] = r
                    bar.set_postfix_str(f"{r.slug}: {r.status}")
                    bar.update()
        finally:
            if kernel is not None:
                kernel.close()

    workers = max(1, min(jobs, len(tasks)))
    with (
        _SignalCancel() as stop,
        tqdm(total=len(tasks), desc="rendering", unit="survey", disable=not progress) as bar,
        ThreadPoolExecutor(max_workers=workers) as pool,
    ):
        futures = [pool.submit(worker, bar, stop.event) for _ in range(workers)]
        for future in futures:
            while True:  # wait in short steps: the signal handler runs in between
                try:
                    future.result(timeout=0.2)
                    break
                except TimeoutError:
                    continue
    rows = []
    for survey in surveys:
        split = next((x for x in splits if x.survey is survey), None)
        if split is None or split.error is not None:
            folder, entries = out_root, [survey]
        else:
            folder = split.folder
            entries = [sub for sub, _, _ in split.reports] + [
                Survey(r.survey, r.slug, {}) for r in split.skipped
            ]
        for s in entries:
            rows.append(
                results.get((str(folder), s.slug))
                or RenderResult(s.name, s.slug, "cancelled", 0.0, None, "not started")
            )
        if split is not None and split.error is None:
            write_split_index(split, {k[1]: v for k, v in results.items() if k[0] == str(folder)})
    table = pd.DataFrame(
        {
            "survey": [r.survey for r in rows],
            "status": [r.status for r in rows],
            "seconds": [round(r.seconds, 1) for r in rows],
            "output": [r.output for r in rows],
            "error": [r.error for r in rows],
            # the loader's warnings (dates read either way, the score column chosen ...)
            "notes": [
                load_notes(r.output) if r.status in ("ok", "unchanged") else [] for r in rows
            ],
        }
    )
    table.attrs["signal"] = stop.signum
    return table


# --- split: one report per value of a column ------------------------------------


@dataclass
class _Split:
    """A ``split:`` entry: its reports (one per value), the values skipped, the blanks."""

    survey: Survey
    folder: Path
    reports: list  # (sub-survey, value, answers)
    skipped: list  # RenderResult of values under min_n
    skipped_values: dict = field(default_factory=dict)  # their slug -> (value, answers)
    blank_rows: int = 0
    error: str | None = None


def _filter_literal(value) -> str:
    """A split value as a literal of the filter language (``_filters``), read back exactly.

    >>> print(_filter_literal('Store "A"'), _filter_literal(12), _filter_literal(True))
    "Store \\"A\\"" 12 true
    """
    import numpy as np

    if isinstance(value, bool | np.bool_):
        return "true" if value else "false"
    if isinstance(value, int | np.integer):
        return str(int(value))
    if isinstance(value, float | np.floating) and np.isfinite(value):
        return repr(float(value))
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    raise ValueError(
        f"split values must be text, numbers or true/false, got {value!r} ({type(value).__name__})"
    )


def _filter_text(row_filter) -> str | None:
    """A filter (text or ``{column: value or [values]}``) as filter text, for combining."""
    if (
        row_filter is None
        or row_filter == {}
        or (isinstance(row_filter, str) and not row_filter.strip())
    ):
        return None
    if isinstance(row_filter, str):
        return f"({row_filter})"
    parts = []
    for column, value in row_filter.items():
        values = value if isinstance(value, list | tuple) else [value]
        items = ", ".join("null" if v is None else _filter_literal(v) for v in values)
        parts.append(f"{_column_ref(column)} in [{items}]")
    return " and ".join(parts)


def _column_ref(column: str) -> str:
    if "`" in column:
        raise ValueError(f"column {column!r} holds a backquote, which a filter cannot name")
    return f"`{column}`"


def split_filter(row_filter, column: str, value) -> str:
    """The entry's filter and "``column`` is ``value``", as one filter text.

    >>> split_filter("wave == 7", "store", "S1")
    '(wave == 7) and `store` == "S1"'
    >>> split_filter({"region": ["N", None]}, "store", 3)
    '`region` in ["N", null] and `store` == 3'
    """
    own = f"{_column_ref(column)} == {_filter_literal(value)}"
    base = _filter_text(row_filter)
    return own if base is None else f"{base} and {own}"


def _value_slugs(values) -> list[str]:
    """A distinct folder name for every split value (a short hash where two would clash)."""
    import hashlib

    slugs, seen = [], set()
    for value in values:
        try:
            slug = slugify(str(value))
        except ValueError:
            slug = "value"
        if slug in seen or slug == "value":
            digest = hashlib.sha256(repr(value).encode("utf-8")).hexdigest()[:8]
            slug = f"{slug[:50]}-{digest}"
        seen.add(slug)
        slugs.append(slug)
    return slugs


def _spark_split_counts(p: dict, score: str, column: str) -> tuple[pd.Series, int, int]:
    """A Spark entry's answers per value of the split column (sorted), the rows with no
    value and their answers: one Spark aggregation (``group_counts``), no rows collected."""
    from ..backends import group_counts, spark_source

    src = spark_source(p["data_path"], p.get("row_filter"), where="key 'data'")
    counts = group_counts(src, score, by=column)
    blank = counts[column].isna()
    per_value = pd.Series(
        counts.loc[~blank, "n"].to_numpy(), index=pd.Index(counts.loc[~blank, column]), name="n"
    )
    blank_rows = int((counts.loc[blank, "n"] + counts.loc[blank, "excluded_blank"]).sum())
    return per_value, blank_rows, int(counts.loc[blank, "n"].sum())


def plan_split(survey: Survey, out_root: Path) -> _Split:
    """Read the entry's data once and make one report entry per value of its split column.

    Values whose rows hold fewer than ``min_n`` answers are not rendered:
    their result has status ``"skipped"``.  Rows with no value in the split
    column are in no report; the index page says how many.
    """
    from .counted import COUNTED_ROWS
    from .inputs import LOAD_OPTIONS, load_data

    p = survey.parameters
    folder = out_root / survey.slug
    split = _Split(survey, folder, [], [])
    try:
        score, column, min_n = p.get("score", "recommend"), survey.split, int(p.get("min_n", 5))
        if is_spark_spec(p.get("data_path")):
            # Spark: the answers per value counted on the cluster, never the rows
            counts, split.blank_rows, blank_answers = _spark_split_counts(p, score, column)
        else:
            if p.get("data_path") and is_dataset(p["data_path"]) and not p.get("columns"):
                # parts: only the two columns needed, filtered in DuckDB as each report's are
                from ..backends import read_columns

                df = read_columns(p["data_path"], [score, column], row_filter=p.get("row_filter"))
            else:
                # read as each report reads it (the template's load_data call): the score
                # the entry names and its reading options, or the values are not its reports'
                df = load_data(
                    p.get("data_path"), example=p.get("example", "b2b-annual"),
                    columns=p.get("columns"), row_filter=p.get("row_filter"),
                    required=p.get("required_columns"), date_format=p.get("date_format"),
                    load_options={k: p.get(k) for k in LOAD_OPTIONS}, score=score,
                )  # fmt: skip
            answered = pd.to_numeric(df[score], errors="coerce").notna()
            values = df[column]
            split.blank_rows = int(values.isna().sum())
            counts = answered[values.notna()].groupby(values[values.notna()], sort=True).sum()
            blank_answers = int(answered[values.isna()].sum())
            del df, answered, values
        # the answers in no report (skipped values, blank values) are the whole file's report
        # minus the split ones: while 1 to min_n - 1, the next smallest value is skipped too
        hidden = set(counts.index[counts < min_n])
        for value in counts[counts >= min_n].sort_values(kind="stable").index:
            if not 0 < blank_answers + int(counts[list(hidden)].sum()) < min_n:
                break
            hidden.add(value)
        slugs = _value_slugs(counts.index)
        for (value, n), slug in zip(counts.items(), slugs, strict=True):
            name = f"{survey.name} / {value}"
            if value in hidden:
                why = (
                    f"{int(n)} answers in {score!r}, fewer than min_n {min_n}"
                    if n < min_n
                    else f"hidden with the values under min_n {min_n} (together fewer)"
                )
                split.skipped.append(RenderResult(name, slug, "skipped", 0.0, None, why))
                # fmt: skip
                split.skipped_values[slug] = (value, int(n))
                continue
            params = {
                **p,
                "row_filter": split_filter(p.get("row_filter"), column, value),
                "survey_name": f"{p.get('survey_name') or survey.name}: {value}",
            }
            if p.get("backend", "auto") == "auto" and n <= COUNTED_ROWS:
                params["backend"] = "pandas"  # a value's rows fit: no scan to decide (counted)
            sub = Survey(name=name, slug=slug, parameters=params, timeout=survey.timeout)
            split.reports.append((sub, value, int(n)))
    except Exception as exc:  # noqa: BLE001 - the entry fails, the batch goes on
        split.error = f"{type(exc).__name__}: {exc}"
    return split


def _headline_nps(folder: Path):
    """The headline NPS a rendered report wrote to its summary.csv (None when absent)."""
    try:
        table = pd.read_csv(folder / "summary.csv", usecols=["table", "nps"])
    except (OSError, ValueError):
        return None
    rows = table.loc[table["table"] == "headline", "nps"]
    value = pd.to_numeric(rows, errors="coerce").dropna()
    return float(value.iloc[0]) if len(value) else None


def write_split_index(split: _Split, results: dict) -> Path:
    """``<survey>/index.html``: every value's report (link, status, headline NPS), escaped.

    ``results`` maps a value's slug to its ``RenderResult``.
    """
    from html import escape

    rows = []
    entries = [(sub.slug, value, n) for sub, value, n in split.reports]
    entries += [(slug, value, n) for slug, (value, n) in split.skipped_values.items()]
    for slug, value, n in sorted(entries, key=lambda e: str(e[1])):
        r = results.get(slug)
        status = r.status if r is not None else "cancelled"
        report = split.folder / slug / "report.html"
        nps_value = _headline_nps(split.folder / slug) if report.is_file() else None
        name = escape(str(value))
        link = f'<a href="{escape(slug)}/report.html">{name}</a>' if report.is_file() else name
        shown = "" if nps_value is None else f"{nps_value:+.0f}"
        note = escape(r.error or "") if r is not None and status != "ok" else ""
        answers = "" if n is None else f"{n:,}"
        rows.append(
            f"<tr><td>{link}</td><td>{escape(status)}</td><td class='n'>{answers}</td>"
            f"<td class='n'>{shown}</td>"
            f"<td>{note}</td></tr>"
        )
    blank = (
        f"<p>{split.blank_rows} row(s) have no value in {escape(repr(split.survey.split))} "
        "and are in no report.</p>"
        if split.blank_rows
        else ""
    )
    title = escape(f"{split.survey.name}: one report per {split.survey.split}")
    page = (
        "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
        f"<title>{title}</title><style>body{{font-family:sans-serif;margin:2em}}"
        "table{border-collapse:collapse}td,th{padding:.2em .8em;border-bottom:1px solid #ddd;"
        "text-align:left}"
        "td.n{text-align:right}</style></head><body>"
        f"<h1>{title}</h1>{blank}<table><thead><tr><th>{escape(split.survey.split)}</th>"
        "<th>status</th><th>answers</th><th>headline NPS</th><th>note</th></tr></thead><tbody>"
        + "\n".join(rows)
        + "</tbody></table></body></html>\n"
    )
    split.folder.mkdir(parents=True, exist_ok=True)
    path = split.folder / "index.html"
    path.write_text(page, encoding="utf-8")
    return path
