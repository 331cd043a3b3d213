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
import shutil
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .config import HTML_TEMPLATE, TEMPLATE, TEMPLATES_DIR, Survey, load_config, select_surveys
from .inputs import file_sha256

OUTPUT_FILES = ("report.ipynb", "report.html", "summary.csv", "summary.xlsx", "provenance.json")
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
    status: str  # "ok" or "failed"
    seconds: float
    output: str | None
    error: str | None = None


_local = threading.local()


def _html_exporter():
    # one exporter per thread: building one loads and compiles the Jinja templates
    exporter = getattr(_local, "exporter", None)
    if exporter is None:
        from nbconvert import HTMLExporter
        from traitlets.config import Config

        c = Config()
        # cells tagged remove-cell (e.g. writing the tables) are not part of the report
        c.TagRemovePreprocessor.enabled = True
        c.TagRemovePreprocessor.remove_cell_tags = {"remove-cell"}
        exporter = HTMLExporter(
            config=c,
            template_name=HTML_TEMPLATE,
            extra_template_basedirs=[str(TEMPLATES_DIR)],
            exclude_input=True,
            exclude_input_prompt=True,
            exclude_output_prompt=True,
        )
        _local.exporter = exporter
    return exporter


def export_html(notebook, html_path, *, title: str | None = None) -> None:
    """Write the executed notebook as a code-free HTML report (``title``: the page title)."""
    import nbformat

    nb = notebook if not isinstance(notebook, str | Path) else nbformat.read(str(notebook), 4)
    if title:
        nb.metadata["title"] = title  # the template escapes it
    body, _ = _html_exporter().from_notebook_node(nb)
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
    """Put ``new`` in place of ``final``: rename the old one aside, rename in, delete old."""
    old = None
    if final.exists():
        old = final.with_name(f".{final.name}.old-{uuid.uuid4().hex[:8]}")
        os.replace(final, old)
    try:
        os.replace(new, final)
    except OSError:
        if old is not None:
            os.replace(old, final)  # put the good report back
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _quiet_kernel_manager():
    """A kernel manager whose kernels do not write their own log lines to our stderr.

    ipykernel logs connection warnings and shutdown notes on the process's
    stderr; with several renders at once they bury the progress bar.  Errors
    inside the notebook still reach the executed notebook and the final table.
    """
    import subprocess

    from jupyter_client.manager import AsyncKernelManager

    class QuietKernelManager(AsyncKernelManager):
        async def start_kernel(self, **kw):
            kw.setdefault("stdout", subprocess.DEVNULL)
            kw.setdefault("stderr", subprocess.DEVNULL)
            return await super().start_kernel(**kw)

    return QuietKernelManager


class _ReusedKernel:
    """One Jupyter kernel that renders several surveys in turn (one per worker thread).

    Starting a kernel and importing pandas, matplotlib, scipy and the
    lemmatizer's dictionaries costs more than most report notebooks; reusing
    the kernel pays that once per worker instead of once per survey.  Between
    surveys the user namespace is cleared (``%reset -f``), so no variable of
    one survey can reach the next; only imported modules (and their caches)
    stay.  A kernel that failed in any way other than an error in a cell is
    shut down and replaced.  Everything runs in the worker's own thread, whose
    event loop owns the kernel's sockets.
    """

    def __init__(self, kernel_name: str, cwd: Path):
        self.kernel_name, self.cwd, self.km = kernel_name, cwd, None

    def acquire(self):
        from jupyter_core.utils import run_sync

        if self.km is not None and not run_sync(self.km.is_alive)():
            self.close()
        if self.km is None:
            km = _quiet_kernel_manager()(kernel_name=self.kernel_name)
            run_sync(km.start_kernel)(cwd=str(self.cwd))
            self.km = km
        return self.km

    async def _reset(self) -> None:
        kc = self.km.client()
        kc.start_channels()
        try:
            await kc.wait_for_ready(timeout=60)
            reply = await kc.execute_interactive(
                "%reset -f", store_history=False, timeout=60, output_hook=lambda msg: None
            )
            if reply["content"]["status"] != "ok":
                raise RuntimeError("could not clear the kernel between surveys")
        finally:
            kc.stop_channels()

    def reset(self) -> None:
        from jupyter_core.utils import run_sync

        try:
            run_sync(self._reset)()
        except Exception:
            self.close()  # the next survey gets a fresh kernel

    def close(self) -> None:
        from jupyter_core.utils import run_sync

        if self.km is not None:
            km, self.km = self.km, None
            try:
                run_sync(km.shutdown_kernel)(now=True)
            except Exception:  # already dead: nothing left to stop
                pass


_ENGINE = "nps-toolkit"


def _register_engine() -> None:
    """papermill engine that closes its kernel client's channels when done.

    With a kernel it does not own (``km=``), nbclient leaves the client it
    made open; over a batch those sockets would pile up.
    """
    from papermill.clientwrap import PapermillNotebookClient
    from papermill.engines import NBClientEngine, papermill_engines

    if _ENGINE in papermill_engines._engines:
        return

    class Client(PapermillNotebookClient):
        def execute(self, **kwargs):
            try:
                return super().execute(**kwargs)
            finally:
                if self.kc is not None and not self.owns_km:
                    self.kc.stop_channels()

    class Engine(NBClientEngine):
        @classmethod
        def execute_managed_notebook(cls, nb_man, kernel_name, **kwargs):
            kwargs.pop("input_path", None)
            timeout = kwargs.pop("execution_timeout", None)
            kwargs.pop("timeout", None)
            kwargs["startup_timeout"] = kwargs.pop("start_timeout", 60)
            from papermill.engines import logger

            return Client(
                nb_man, kernel_name=kernel_name, timeout=timeout, log=logger, **kwargs
            ).execute()

    papermill_engines.register(_ENGINE, Engine)


def render_survey(
    survey: Survey,
    output_dir="reports",
    *,
    template=TEMPLATE,
    kernel_name="python3",
    execution_timeout=600,
    kernel: _ReusedKernel | None = None,
) -> RenderResult:
    """Render one survey into ``output_dir/<slug>/`` (replaced only on success).

    ``kernel`` (internal) is a kernel kept alive between surveys; without it
    papermill starts and stops a kernel for this survey alone.
    """
    import papermill
    from papermill.exceptions import PapermillExecutionError

    start = time.perf_counter()
    out_root = Path(output_dir).resolve()
    out_root.mkdir(parents=True, exist_ok=True)
    final = (out_root / survey.slug).resolve()
    if final.parent != out_root:  # slugify makes this impossible; check anyway
        raise ValueError(f"survey {survey.name!r} would write outside {out_root}")
    tmp = out_root / f".{survey.slug}.tmp-{uuid.uuid4().hex[:8]}"
    tmp.mkdir()
    parameters = {**survey.parameters, "tables_dir": str(tmp)}
    failed_nb = out_root / f"{survey.slug}.failed.ipynb"
    try:
        if kernel is not None:
            _register_engine()
            run_kw = {"km": kernel.acquire(), "engine_name": _ENGINE}
        else:
            # the kernel's working folder; papermill's own cwd= would os.chdir the
            # whole process, which is not safe with renders running in threads
            run_kw = {
                "resources": {"metadata": {"path": str(out_root)}},
                "kernel_manager_class": _quiet_kernel_manager(),
            }
        try:
            papermill.execute_notebook(
                str(template),
                str(tmp / "report.ipynb"),
                parameters=parameters,
                kernel_name=kernel_name,
                progress_bar=False,
                request_save_on_cell_execute=False,
                execution_timeout=execution_timeout,
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
        export_html(tmp / "report.ipynb", tmp / "report.html", title=survey.name)
        prov = provenance(
            {**parameters, "tables_dir": None},
            _data_sha256(survey.parameters),
            survey=survey.name,
            template=str(Path(template).name),
        )
        (tmp / "provenance.json").write_text(json.dumps(prov, indent=2, default=str) + "\n")
        missing = [f for f in OUTPUT_FILES if not (tmp / f).is_file()]
        if missing:
            raise RuntimeError(f"the template did not write {missing}")
        _replace_dir(tmp, final)
        failed_nb.unlink(missing_ok=True)
        return RenderResult(survey.name, survey.slug, "ok", time.perf_counter() - start, str(final))
    except Exception as exc:
        # keep the partly executed notebook beside the good report, for the researcher
        if (tmp / "report.ipynb").is_file():
            os.replace(tmp / "report.ipynb", failed_nb)
            where = str(failed_nb)
        else:
            where = None
        shutil.rmtree(tmp, ignore_errors=True)
        return RenderResult(
            survey.name, survey.slug, "failed", time.perf_counter() - start, where, _error_text(exc)
        )


def _data_sha256(parameters: dict) -> str | None:
    path = parameters.get("data_path")
    if path is None:
        return None  # example data: the notebook's appendix shows the SHA-256 of its CSV text
    return file_sha256(path)


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

    Returns
    -------
    DataFrame, one row per survey: ``survey``, ``status`` ("ok"/"failed"),
    ``seconds``, ``output`` (the report folder; for a failure the partly
    executed notebook) and ``error`` (the failing cell's error).  A failure
    never stops the other surveys; check ``status``.  Config errors raise
    ``ConfigError`` before anything renders.
    """
    from tqdm.auto import tqdm

    surveys = select_surveys(load_config(config, template=template), only)
    jobs = max(1, int(jobs or os.cpu_count() or 1))
    Path(output_dir).mkdir(parents=True, exist_ok=True)
    out_root = Path(output_dir).resolve()
    todo = queue.SimpleQueue()
    for survey in surveys:
        todo.put(survey)
    results, lock = {}, threading.Lock()

    def worker(bar):
        kernel = _ReusedKernel(kernel_name, out_root) if reuse_kernels else None
        try:
            while True:
                try:
                    survey = todo.get_nowait()
                except queue.Empty:
                    return
                r = render_survey(
                    survey, out_root, template=template, kernel_name=kernel_name, kernel=kernel
                )
                with lock:
                    results[r.slug] = r
                    bar.set_postfix_str(f"{r.slug}: {r.status}")
                    bar.update()
        finally:
            if kernel is not None:
                kernel.close()

    with (
        tqdm(total=len(surveys), desc="rendering", unit="survey", disable=not progress) as bar,
        ThreadPoolExecutor(max_workers=min(jobs, len(surveys))) as pool,
    ):
        for future in [pool.submit(worker, bar) for _ in range(min(jobs, len(surveys)))]:
            future.result()
    rows = [results[s.slug] for s in surveys]
    return pd.DataFrame(
        {
            "survey": [r.survey for r in rows],
            "status": [r.status for r in rows],
            "seconds": [round(r.seconds, 1) for r in rows],
            "output": [r.output for r in rows],
            "error": [r.error for r in rows],
        }
    )
