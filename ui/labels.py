"""What a person reads for the coded columns of the tables the pages show: tiers, cells,
segments, directions, event types, channels and outcomes, in the current language
(:mod:`analysis.vocabulary`). The codes stay in frames, filters and the URL's own parameters
(``?ac_tier=top``); only what is shown goes through here."""

from __future__ import annotations

from typing import Any, Callable

import pandas as pd

from analysis.differentiate import matrix, pyramid, rfm, segments
from analysis.vocabulary import labeller


tier = pyramid.tier_label
segment = rfm.segment_label
arm = labeller("arm")  # a campaign's group: "control group" / "对照组"; an imported group's own name


def cell(code: Any) -> Any:
    """A matrix cell ("high/low") as "high volume · low satisfaction"."""
    if not isinstance(code, str) or "/" not in code:
        return code
    volume, satisfaction = code.split("/", 1)
    return f"{matrix.volume_label(volume)} · {matrix.satisfaction_label(satisfaction)}"


# column -> label of its values. A table's ``kind`` is an event type (a customer's timeline:
# purchase, refund or a contact kind; a list of contacts has contact kinds, a part of them) and
# its ``channel`` an action channel (a suggested action's: a contact channel or "internal"; a
# list of contacts has contact channels, a part of them): the widest family reads them all.
COLUMNS: dict[str, Callable[[Any], Any]] = {
    "tier": pyramid.tier_label, "previous_tier": pyramid.tier_label, "rfm_segment": rfm.segment_label,
    "direction": segments.direction_label, "cell": cell, "kind": labeller("event_type"),
    "channel": labeller("action_channel"), "outcome": labeller("outcome"),
}


def for_people(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with the coded columns it has shown in words (a copy; missing values stay)."""
    coded = [c for c in COLUMNS if c in frame.columns]
    if not coded:
        return frame
    return frame.assign(**{c: frame[c].map(lambda v, f=COLUMNS[c]: v if v is None or v != v else f(v)) for c in coded})


def of(column: str) -> Callable[[Any], Any]:
    """The label function of ``column``'s values (``str`` for columns without codes)."""
    return COLUMNS.get(column, str)
