"""The CLV notes read the same for every customer whatever their number: each sentence checked
word for word at the edges of the bands (P(alive) 80%, 50%, 20%, unknown; once, again; a
refund-only repeat; a date or none), in English and Chinese, also when a million-row frame's
notes are written at once (the notes are written per distinct value, not per row)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis import i18n
from analysis.predict.notes import clv_notes

ROWS = pd.DataFrame({
    "frequency": [0.0, 0.0, 3.0, 3.0, 1.0, 2.0, 5.0],
    "recency": [0.0, 0.0, 10.0, 10.0, 2.0, 4.0, 20.0],
    "T": [4.0, 0.1, 14.0, 112.0, 6.0, 150.0, 21.0],  # weeks (time unit of the fit)
    "p_alive": [1.0, np.nan, 0.8, 0.125, 0.5, 0.2, 0.995],
    "expected_next_purchase": pd.to_datetime([None, None, "2024-07-15", None, None, None, "2024-07-02"]),
    "nonpositive_spend": [False, False, False, False, True, False, False],
})
ENGLISH = [
    "Bought once, 4 weeks ago; the model cannot tell yet whether they will return: it assumes a customer is alive "
    "until they have a repeat purchase to go by, so P(alive) is 100% by construction. Spend per purchase is the "
    "average customer's. Not expected to buy again within the next 12 months.",
    "Bought once, today; nobody in this history looks lapsed, so they are treated as active. Spend per purchase "
    "is the average customer's. Not expected to buy again within the next 12 months.",
    "Bought on 4 different days, last 4 weeks ago; very likely still active (80% chance). Even chance of another "
    "purchase by 2024-07-15.",
    "Bought on 4 different days, last 102 weeks ago; probably lapsed (only 12% chance they are still active).",
    "Bought on 2 different days, last 4 weeks ago; probably still active (50% chance). Their repeat purchases net "
    "to zero or less (refunds or free items), so the average customer's spend per purchase is used for the value.",
    "Bought on 3 different days, last 2.8 years ago; may have lapsed (only 20% chance they are still active).",
    "Bought on 6 different days, last 7 days ago; very likely still active (100% chance). Even chance of another "
    "purchase by 2024-07-02.",
]


def test_each_note_word_for_word():
    assert clv_notes(ROWS, 12) == ENGLISH


def test_a_large_frame_gives_each_customer_their_own_sentence():
    many = ROWS.iloc[np.tile(np.arange(len(ROWS)), 20_000)].reset_index(drop=True)
    assert clv_notes(many, 12) == ENGLISH * 20_000


def test_notes_in_chinese():
    with i18n.using("zh"):
        notes = clv_notes(ROWS, 12)
    assert "80%" in notes[2] and "2024-07-15" in notes[2]
    assert all(n and "{" not in n for n in notes)
    assert clv_notes(ROWS.iloc[:0], 12) == []
