"""ui.cached: what a page gets from a shared cached value is its own to change."""

import dataclasses

import pandas as pd

from analysis.scores import Scores
from ui.cached.core import _shared


@dataclasses.dataclass(frozen=True)
class _Result:
    frame: pd.DataFrame
    ids: list
    parts: dict
    n: int


def test_a_callers_changes_never_reach_the_cached_value():
    result = _Result(pd.DataFrame({"x": [1, 2]}), ["a", "b"], {"t": pd.DataFrame({"y": [3]}), "l": [{"k": 1}]}, 2)
    cached = (result, pd.DataFrame({"z": [1]}))
    mine, frame = _shared(cached)
    frame.loc[0, "z"] = 7
    assert cached[1]["z"].tolist() == [1]
    cached = result
    assert mine is not cached and mine.n == 2
    mine.frame.loc[0, "x"] = 99
    mine.ids.append("c")
    mine.parts["t"].loc[0, "y"] = 0
    mine.parts["l"][0]["k"] = 5
    mine.parts["new"] = 1
    assert cached.frame["x"].tolist() == [1, 2] and cached.ids == ["a", "b"]
    assert cached.parts["t"]["y"].tolist() == [3] and cached.parts["l"] == [{"k": 1}] and "new" not in cached.parts


def test_scores_keep_their_type_and_share_nothing_mutable():
    cached = Scores(pd.DataFrame({"customer_id": ["a"]}), None, [{"name": "p"}], {"clv": "why"})
    mine = _shared(cached)
    assert isinstance(mine, Scores)
    mine.personas[0]["name"] = "q"
    mine.messages.clear()
    assert cached.personas == [{"name": "p"}] and cached.messages == {"clv": "why"}
