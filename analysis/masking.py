"""Consistent pseudonyms for presenting in front of a room (issue 6, presentation mode).

Every customer id gets a label "Customer 0042" ("客户 0042" in Chinese): the ids are put in
the order of their keyed hash (HMAC-SHA256 with a secret kept in the workspace,
:func:`workspace_secret`) and numbered 1..n, zero-padded to the number of digits of n. So the
same customer carries the same label in every chart and table of one workspace, in every
session and after a restart, yet no label can be worked back to the customer: sorting the
ids themselves would turn C03905 into "Customer 3905" for anyone holding the CRM.
:meth:`Masker.mask_frame` replaces ``customer_id`` and ``name`` by that label and blanks the
contact details and free-text columns (:data:`PERSONAL_COLUMNS`).

A page of a workspace whose scores are stored labels its customers without reading their
rows: :func:`engine_masker` reads the one column of ids from the engine and ranks their keyed
hashes, so "Customer 0042" is the same label the whole-list :class:`Masker` gives, on every
slide and page.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
from typing import Iterable

import pandas as pd

from analysis.i18n import N_, language, t
from analysis.store import Workspace

# Columns holding contact details or free text typed by people: blanked when masking.
PERSONAL_COLUMNS = (
    "email", "phone", "mobile", "address", "note", "notes", "comment", "comments",
    "outcome", "recorded_by", "contact_person", "answers_action",
)
ID_COLUMNS = ("customer_id", "name")
UNKNOWN_LABEL = N_("Customer ?")  # an id outside the masker's list: never shown as itself
SECRET_NOTE = "masking_secret"  # the workspace note holding the key of the labels' order
_UNSAVED: dict[str, str] = {}  # secrets of workspaces that cannot store one (opened read-only)
_LOCK = threading.Lock()


def workspace_secret(ws: Workspace) -> str:
    """The workspace's masking key: made at random the first time it is asked for and kept in
    the workspace's notes, so labels stay the same for every session, the CLI and after a
    restart. A read-only workspace without one gets a random key for this process."""
    found = ws.get_note(SECRET_NOTE)
    if found:
        return found
    if getattr(ws, "read_only", False):
        with _LOCK:
            return _UNSAVED.setdefault(str(ws.path), secrets.token_hex(16))
    return ws.keep_first_note(SECRET_NOTE, secrets.token_hex(16))  # two sessions at once keep the first key


def _key(secret: str | None) -> bytes:
    """The HMAC key of the labels' order (a random one without a secret)."""
    return (secret or secrets.token_hex(16)).encode()


class Masker:
    """Maps customer ids to stable labels ("Customer 0042") and masks frames. ``secret``
    orders the labels (:func:`workspace_secret`); without one a random key is drawn, so the
    labels hold within this masker only."""

    def __init__(self, customer_ids: Iterable, secret: str | None = None):
        key = _key(secret)
        ids = list({str(c) for c in customer_ids if c is not None and not pd.isna(c)})
        ids = [c for _, c in sorted(zip(_digests(ids, key), ids))]
        self.width = len(str(len(ids))) if ids else 1
        self.numbers = {c: f"{n:0{self.width}d}" for n, c in enumerate(ids, start=1)}

    @classmethod
    def numbered(cls, numbers: dict[str, int], total: int) -> "Masker":
        """A masker that knows the labels of some customers only: ``numbers`` {customer id:
        its place (1..``total``) in the keyed-hash order of all ``total`` customers}, as
        :func:`engine_masker` reads them. Every label is the one the whole-list masker gives."""
        masker = cls.__new__(cls)
        masker.width = len(str(total)) if total else 1
        masker.numbers = {str(c): f"{int(n):0{masker.width}d}" for c, n in numbers.items()}
        return masker

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


def _digests(ids: list[str], key: bytes) -> list[bytes]:
    """HMAC-SHA256 of each id under ``key``, as :class:`Masker` orders them (RFC 2104:
    ``H((K ^ opad) || H((K ^ ipad) || id))``, a key longer than SHA-256's 64-byte block hashed
    first), with the inner and outer hash states keyed once and copied per id: about 0.6x the
    CPU of copying an ``hmac.HMAC`` for each of a million ids (the same bytes as
    :func:`hmac.digest`, which ``tests/test_masking.py`` checks)."""
    block = (hashlib.sha256(key).digest() if len(key) > 64 else key).ljust(64, b"\0")
    inner = hashlib.sha256(bytes(b ^ 0x36 for b in block)).copy
    outer = hashlib.sha256(bytes(b ^ 0x5C for b in block)).copy
    out = []
    keep = out.append
    for c in ids:
        h = inner()
        h.update(c.encode())
        o = outer()
        o.update(h.digest())
        keep(o.digest())
    return out


def engine_masker(table, secret: str | None, customer_ids: Iterable | None = None) -> Masker:
    """:meth:`Masker.numbered` for ``customer_ids`` among every customer id of ``table`` (an
    Ibis table of the workspace with a ``customer_id`` column, one row per customer): the
    labels ``Masker(every id of table, secret)`` gives, from that one column (no customer's
    row is read into pandas). Each id's keyed hash is ranked by its first eight bytes (ties,
    which a million ids make about once in ten million workspaces, by the whole hash).
    ``customer_ids`` None: every customer's label (a page that may show any customer)."""
    import numpy as np

    ids = [str(c) for c in table.filter(table.customer_id.notnull()).select("customer_id").distinct()
           .to_pyarrow()["customer_id"].to_pylist()]
    digests = _digests(ids, _key(secret))
    prefix = np.frombuffer(b"".join(digests), dtype=">u8")[::4]  # each hash's first eight bytes
    order = np.argsort(prefix, kind="stable")
    ranked = prefix[order]
    if len(ranked) > 1 and bool((ranked[1:] == ranked[:-1]).any()):  # the whole hash decides
        order = np.array(sorted(range(len(ids)), key=digests.__getitem__), dtype=np.int64)
    ranks = np.empty(len(ids), dtype=np.int64)
    ranks[order] = np.arange(1, len(ids) + 1)
    if customer_ids is None:
        return Masker.numbered(dict(zip(ids, ranks.tolist())), len(ids))
    wanted = {str(c) for c in customer_ids if c is not None and not pd.isna(c)}
    return Masker.numbered({c: int(ranks[n]) for n, c in enumerate(ids) if c in wanted}, len(ids))


def mask_frame(frame: pd.DataFrame, masker: Masker | None = None) -> pd.DataFrame:
    """:meth:`Masker.mask_frame` with a masker built from the frame's own customer ids
    (pass the workspace-wide masker to keep labels the same across frames)."""
    if masker is None:
        masker = Masker(frame["customer_id"] if "customer_id" in frame else [])
    return masker.mask_frame(frame)
