"""Progress of long work, told in stages (issue 15 §4): scoring a workspace, a report, an
import. The engine calls a reporter ``report(stage, done)`` with the stage in words (already
in the current language) and the share of the work done before it (0 to 1); the app draws it
as a progress bar (``ui/cached/scoring.py``), the command line writes it to stderr (:class:`Stderr`).
A reporter is optional everywhere: :func:`silent` is the default.
"""

from __future__ import annotations

import sys
import time
from typing import Callable, TextIO

from analysis.i18n import t

#: ``report(stage, done)``: the stage in words, the share done before it (0..1)
Reporter = Callable[[str, float], None]


def silent(stage: str, done: float) -> None:
    """The reporter that says nothing."""


class Stderr:
    """Stages written one per line to a stream (stderr), with the share done and the time
    since the start: ``[ 40%  3.1 s] Finding clusters…``. Lines, not a redrawn bar, so a log
    file or a CI job shows the same thing as a terminal."""

    def __init__(self, stream: TextIO | None = None):
        self.stream = stream
        self.started = time.perf_counter()

    def __call__(self, stage: str, done: float) -> None:
        stream = self.stream or sys.stderr
        elapsed = time.perf_counter() - self.started
        stream.write(t("[{share:>4.0%} {seconds:5.1f} s] {stage}", share=min(max(done, 0.0), 1.0),
                       seconds=elapsed, stage=stage) + "\n")
        stream.flush()


def part(report: Reporter, start: float, end: float) -> Reporter:
    """A reporter for a part of the work that runs from ``start`` to ``end`` of the whole:
    its own 0..1 is mapped there, so nested work reports on one scale."""
    return lambda stage, done: report(stage, start + (end - start) * done)
