"""The papermill engine and parameter translator the renderer uses.

Imported by ``rendering`` only when it renders (papermill is a heavy import
that report kernels never need); importing this module registers both with
papermill's public registries, ``papermill_engines`` and
``papermill_translators``.

- ``Engine`` runs a notebook with ``ClosingClient``: with a kernel papermill
  does not own (``km=``, a kernel reused between surveys), nbclient leaves the
  client it made open, and over a batch those sockets would pile up.
- ``LiteralTranslator`` writes each parameter as ``repr`` of a checked plain
  value (str, int, finite float, bool, None, lists and dicts of those), which
  is always a Python literal.  papermill's own translator writes values it
  does not know (a set, bytes, a date) with ``str()``, which is code.  It is
  registered under its own language name and chosen per call
  (``execute_notebook(language=LANGUAGE)``), so other papermill users in the
  same process keep papermill's translator.
- ``QuietKernelManager`` starts kernels whose log lines do not reach our
  stderr, and keeps a registry of the running ones so that a cancelled batch
  (Ctrl-C, SIGTERM) can stop them from the main thread.
"""

from __future__ import annotations

import ast
import logging
import subprocess
import threading

from jupyter_client.manager import AsyncKernelManager
from papermill.clientwrap import PapermillNotebookClient
from papermill.engines import NBClientEngine, papermill_engines
from papermill.translators import PythonTranslator, papermill_translators

from .config import is_plain

ENGINE = "nps-toolkit"
LANGUAGE = "nps-toolkit-python"

# nbclient's notes ("Kernel died ...") go here, not to stderr: the results table says it
logger = logging.getLogger(__name__)
logger.addHandler(logging.NullHandler())

_running: set = set()
_running_lock = threading.Lock()


class QuietKernelManager(AsyncKernelManager):
    """A kernel manager whose kernels write nothing to our stderr, registered while alive.

    ipykernel logs connection warnings and shutdown notes on the process's
    stderr; with several renders at once they bury the progress bar.  Errors
    inside the notebook still reach the executed notebook and the final table.
    """

    async def start_kernel(self, **kw):
        # No IPython history database: a reused kernel numbers every report's
        # cells from 1 again, and a history kept on disk would refuse the
        # repeated numbers ("Session/line number was not unique", printed into
        # the first cell of the next report); nor should a report's code be
        # logged to the analyst's ~/.ipython.
        kw.setdefault("extra_arguments", ["--HistoryManager.enabled=False"])
        kw.setdefault("stdout", subprocess.DEVNULL)
        kw.setdefault("stderr", subprocess.DEVNULL)
        with _running_lock:
            _running.add(self)
        return await super().start_kernel(**kw)

    async def shutdown_kernel(self, *args, **kw):
        try:
            return await super().shutdown_kernel(*args, **kw)
        finally:
            with _running_lock:
                _running.discard(self)


def kill_running_kernels() -> int:
    """Kill every kernel this process started and has not shut down; how many.

    Safe from a signal handler in the main thread: it only sends SIGKILL to
    the kernel processes (by their Popen object); the worker threads waiting
    on them see a dead kernel and end their survey.
    """
    with _running_lock:
        managers = list(_running)
    killed = 0
    for km in managers:
        process = getattr(getattr(km, "provisioner", None), "process", None)
        if process is not None and process.poll() is None:
            process.kill()
            killed += 1
    return killed


class ClosingClient(PapermillNotebookClient):
    """papermill's notebook client, closing its kernel client's channels when done.

    ``kc``: a ready client of the kernel ``km`` to use instead of a new one; it
    stays open (its owner closes it).
    """

    def __init__(self, nb_man, km=None, kc=None, **kw):
        super().__init__(nb_man, km=km, **kw)
        self.given_kc = kc

    def execute(self, **kwargs):
        self.kc = self.given_kc
        try:
            return super().execute(**kwargs)
        finally:
            if self.kc is not None and not self.owns_km and self.kc is not self.given_kc:
                self.kc.stop_channels()


class Engine(NBClientEngine):
    """papermill's nbclient engine with ``ClosingClient``."""

    @classmethod
    def execute_managed_notebook(
        cls,
        nb_man,
        kernel_name,
        log_output=False,
        stdout_file=None,
        stderr_file=None,
        start_timeout=60,
        execution_timeout=None,
        **kwargs,
    ):
        kwargs.pop("input_path", None)
        kwargs.pop("timeout", None)
        kwargs.pop("startup_timeout", None)
        return ClosingClient(
            nb_man,
            timeout=execution_timeout,
            startup_timeout=start_timeout,
            kernel_name=kernel_name,
            log=logger,
            log_output=log_output,
            stdout_file=stdout_file,
            stderr_file=stderr_file,
            **kwargs,
        ).execute()


class LiteralTranslator(PythonTranslator):
    """Parameters as Python literals of plain values; anything else is refused."""

    @classmethod
    def translate(cls, val):
        if not is_plain(val):
            raise TypeError(f"parameter value {val!r} is not a plain value")
        text = repr(val)
        if ast.literal_eval(text) != val:  # repr of a plain value always round-trips
            raise TypeError(f"parameter value {val!r} does not round-trip as a literal")
        return text


papermill_engines.register(ENGINE, Engine)
papermill_translators.register(LANGUAGE, LiteralTranslator)
