"""``python -m analysis``: the command line of :mod:`analysis.cli`.

Decision: once a command has returned (its workspace closed, its output written), the output
is flushed and the exit handlers run (temporary files, loggers), then the process ends with
``os._exit``, skipping the interpreter's teardown of every module and object the command
loaded: after a report that teardown (pandas, Ibis, scikit-learn, SciPy and the figures'
objects freed one by one) costs about half a second of CPU that nobody waits for. When the
output cannot be flushed (a closed pipe) or another thread still runs, the process ends the
ordinary way.

Decision: a command's process collects cyclic garbage after :data:`NEW_OBJECTS` new objects
instead of Python's 700. Building a report's queries makes millions of short-lived objects;
collecting every 700 took about 0.4 s of CPU in some 670 collections, every 50,000 about
0.13 s in eight, with the same peak memory (the objects are freed by their reference counts
as before; only cycles wait a little longer).

Decision: SciPy (1.17) rewrites the docstrings of some 470 of its functions as it is imported
(``scipy._lib._array_api.xp_capabilities`` parses each one to append a note on the array
libraries it supports, and records them for SciPy's own test suite). A command that loads
SciPy (a report, through the CLV models and scikit-learn) spent about 0.35 s of CPU on it, a
twentieth of a report at 200,000 customers (issue 15 §2), for docstrings nobody reads in a
command's process. :class:`SciPyAsShipped` leaves the functions as SciPy ships them: the
decorator hands each function back unchanged. Only this process: the app, the tests and any
program importing :mod:`analysis` get SciPy's own behaviour. Should SciPy rename the
decorator, nothing is replaced and SciPy behaves as it always did.
"""

import atexit
import gc
import importlib.abc
import importlib.util
import os
import sys
import threading

NEW_OBJECTS = 50_000
gc.set_threshold(NEW_OBJECTS, *gc.get_threshold()[1:])


class SciPyAsShipped(importlib.abc.MetaPathFinder):
    """Once ``scipy._lib._array_api`` is executed (on SciPy's first import, if the command
    needs it), its ``xp_capabilities`` decorator returns each function unchanged (see the
    module docstring). Finds nothing itself: it only wraps the module's loading, once."""

    MODULE = "scipy._lib._array_api"

    def find_spec(self, name, path=None, target=None):
        if name != self.MODULE:
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(name)
        if spec is not None and spec.loader is not None and hasattr(spec.loader, "exec_module"):
            run = spec.loader.exec_module

            def exec_module(module):
                run(module)
                if callable(getattr(module, "xp_capabilities", None)):
                    module.xp_capabilities = _as_shipped

            spec.loader.exec_module = exec_module
        return spec


def _as_shipped(**capabilities):
    """``xp_capabilities(...)`` that decorates by handing the function back."""
    return lambda function: function


sys.meta_path.insert(0, SciPyAsShipped())

from analysis.cli import main  # noqa: E402  (after the threshold: importing makes objects too)

code = main()
try:
    sys.stdout.flush()
    sys.stderr.flush()
except (BrokenPipeError, ValueError):  # a reader that went away, a closed stream: Python says so as usual
    sys.exit(code)
if threading.active_count() > 1:
    sys.exit(code)
atexit._run_exitfuncs()
sys.stdout.flush()
sys.stderr.flush()
os._exit(int(code or 0))
