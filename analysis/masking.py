"""Consistent pseudonyms for presenting in front of a room (issue 6, presentation mode).

Every customer id gets a label "Customer 0042" ("客户 0042" in Chinese): the ids are sorted (as text) and numbered
1..n, zero-padded to the number of digits of n, so the same customer carries the same label
in every chart and table of one workspace, and no label reveals anything about the customer.
:meth:`Masker.mask_frame` replaces ``customer_id`` and ``name`` by that label and blanks the
contact details and free-text columns (:data:`PERSONAL_COLUMNS`).
"""

from __future__ import annotations

from typing import Iterable

import pandas as pd

from analysis.i18n import N_, language, t

# Columns holding contact details or free text typed by people: blanked when masking.
PERSONAL_COLUMNS = (
    "email", "phone", "mobile", "address", "note", "notes", "comment", "comments",
    "outcome", "recorded_by", "contact_person", "answers_action",
)
ID_COLUMNS = ("customer_id", "name")
UNKNOWN_LABEL = N_("Customer ?")  # an id outside the masker's list: never shown as itself


class Masker:
    """Maps customer ids to stable labels ("Customer 0042") and masks frames."""

    def __init__(self, customer_ids: Iterable):
        ids = sorted({str(c) for c in customer_ids if c is not None and not pd.isna(c)})
        self.width = len(str(len(ids))) if ids else 1
        self.numbers = {c: f"{n:0{self.width}d}" for n, c in enumerate(ids, start=1)}

    @property
    def labels(self) -> dict[str, str]:
        """Customer id -> label, in the current language (made at call time, never cached)."""
        return {c: t("Customer {number}", number=n) for c, n in self.numbers.items()}

    def __len__(self) -> int:
        return len(self.numbers)

    def label(self, customer_id) -> str:
        """The label of one customer id (``"Customer ?"`` for an id not in the list)."""
        number = self.numbers.get(str(customer_id))
        return t("Customer ?") if number is None else t("Customer {number}", number=number)

    def customer_id(self, label: str) -> str | None:
        """The customer behind a label (a click on a masked chart opens the right customer),
        for labels in the current language."""
        by_label = self.__dict__.setdefault("_ids", {})
        if language() not in by_label:
            by_label[language()] = {v: k for k, v in self.labels.items()}
        return by_label[language()].get(str(label))

    def mask_frame(self, frame: pd.DataFrame) -> pd.DataFrame:
        """A copy of ``frame`` with customer_id and name replaced by the label (name from
        the row's customer_id; a frame with a name but no id gets "Customer ?") and every
        personal column in :data:`PERSONAL_COLUMNS` blanked."""
        out = frame.copy()
        if "customer_id" in out:
            labels = [self.label(c) for c in out["customer_id"]]
            out["customer_id"] = labels
            if "name" in out:
                out["name"] = labels
        elif "name" in out:
            out["name"] = t("Customer ?")
        for col in PERSONAL_COLUMNS:
            if col in out:
                out[col] = ""
        return out


def mask_frame(frame: pd.DataFrame, masker: Masker | None = None) -> pd.DataFrame:
    """:meth:`Masker.mask_frame` with a masker built from the frame's own customer ids
    (pass the workspace-wide masker to keep labels the same across frames)."""
    if masker is None:
        masker = Masker(frame["customer_id"] if "customer_id" in frame else [])
    return masker.mask_frame(frame)
