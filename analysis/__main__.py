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
"""

import atexit
import gc
import os
import sys
import threading

NEW_OBJECTS = 50_000
gc.set_threshold(NEW_OBJECTS, *gc.get_threshold()[1:])

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
