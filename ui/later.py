"""Engine modules the app's first screen does not need, imported at their first use.

The Overview (the first screen) reads a few aggregates; SciPy and scikit-learn, which the
lifetime-value models, the clusters, the campaigns' statistics and the action plan need, take
seconds to import (issue 15 §2: the first screen under 3 s). :func:`later` names such a module
without importing it: ``plan = later("analysis.customize.plan")`` then ``plan.all_actions(...)``
imports the module at that call (Python's import lock makes that safe from any session's
thread) and calls the function. Only functions are reached this way; a constant of a module
is imported as usual.
"""

from __future__ import annotations

import importlib
from typing import Any, Callable


class _Later:
    def __init__(self, module: str):
        self._module = module

    def __getattr__(self, name: str) -> Callable[..., Any]:
        if name.startswith("__"):
            raise AttributeError(name)

        def call(*args: Any, **kwargs: Any) -> Any:
            return getattr(importlib.import_module(self._module), name)(*args, **kwargs)

        call.__name__ = call.__qualname__ = name
        call.__doc__ = f"{self._module}.{name}, imported at its first call."
        return call

    def __repr__(self) -> str:
        return f"later({self._module!r})"


def later(module: str) -> Any:
    """The functions of ``module`` (a dotted name), imported when one is first called."""
    return _Later(module)
