"""``python -m analysis``: the command line of :mod:`analysis.cli`.

Decision: once a command has returned (its workspace closed, its output written), the output
is flushed and the exit handlers run (temporary files, loggers), then the process ends with
``os._exit``, skipping the interpreter's teardown of every module and object the command
loaded: after a report that teardown (pandas, Ibis, scikit-learn, SciPy and the figures'
objects freed one by one) costs about half a second of CPU that nobody waits for. When the
output cannot be flushed (a closed pipe) or another thread still runs, the process ends the
ordinary way.
"""

import atexit
import os
import sys
import threading

from analysis.cli import main

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
