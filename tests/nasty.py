"""Nasty but valid workspaces, written as files and imported through the real import (the CLI's
``ingest``), for the tests that check every page and command copes with what import accepts:

- :func:`nasty_workspace`: 60 ordinary buyers (so clusters and lifetime value run) and, among
  them, a customer with only refunds (``R1``), one whose only purchase is 0.00 (``Z1``), a
  product name of 300 characters, emoji and right-to-left names, and names, regions,
  categories and products holding HTML (``<a href=...>``, ``<b>``);
- :func:`solo_workspace`: a single customer, who has only refunds;
- :func:`one_day_workspace`: sixty customers who all bought on one day (enough to try the models).

Import as ``from tests.nasty import nasty_workspace``.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
from pathlib import Path

from analysis.cli import main

LINK = '<a href="https://evil.example">x</a>'
BOLD = "<b>bold</b>"
LONG_PRODUCT = "Deluxe " + "x" * 293  # 300 characters
REFUNDS_ONLY = "R1"
ZERO_PURCHASE = "Z1"
EMOJI = "E1"
RTL = "H1"
SPECIAL = (REFUNDS_ONLY, ZERO_PURCHASE, EMOJI, RTL)
SEED = 20261206


def _write(path: Path, rows: list[list]) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(rows)
    return path


def _ingest(db: Path, *files: Path) -> Path:
    assert main(["ingest", *map(str, files), "--db", str(db)]) == 0
    return db


def nasty_workspace(folder: Path, name: str = "nasty") -> Path:
    """The nasty workspace file ``<folder>/<name>.duckdb`` (see the module's docstring)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(SEED)
    regions = ["North", "South", LINK, BOLD, "مصر"]
    categories = ["Tools", "Paper", LINK, BOLD, "Garden 🌱"]
    products = ["Widget", "Gadget", LONG_PRODUCT, "שלום", f"{BOLD} pen"]
    customers = [["customer_id", "name", "region", "industry", "channel"]]
    lines = [["customer_id", "order_id", "date", "amount", "product", "category"]]
    contacts = [["customer_id", "date", "channel", "kind", "satisfaction", "scale", "outcome", "note"]]
    start = dt.date(2023, 6, 1)
    order = 0
    for n in range(60):
        cid = f"C{n + 1:03d}"
        customers.append([cid, f"{BOLD} Shop {n}" if n % 7 == 0 else f"Shop {n}", regions[n % len(regions)],
                          "Retail", "online" if n % 2 else "direct"])
        for _ in range(1 + n % 6):
            order += 1
            day = start + dt.timedelta(days=rng.randrange(0, 360))
            lines.append([cid, f"o{order}", day.isoformat(), f"{rng.randrange(500, 50000) / 100:.2f}",
                          products[rng.randrange(len(products))], categories[rng.randrange(len(categories))]])
        if n % 4 == 0:
            contacts.append([cid, (start + dt.timedelta(days=200 + n)).isoformat(), "email", "survey",
                             str(1 + n % 5), "5", "", ""])
    customers += [
        [REFUNDS_ONLY, LINK, BOLD, "Retail", "online"],
        [ZERO_PURCHASE, "😀 Emoji Ltd 🎉", "مصر", "Retail", "online"],
        [EMOJI, "🌱🌱🌱", LINK, f"<i>Industry</i>", "partner"],
        [RTL, "שלום חברה בע״מ", "القاهرة", "Retail", "direct"],
    ]
    lines += [
        [REFUNDS_ONLY, "r1", "2024-05-20", "-50.00", "Widget", "Tools"],
        [REFUNDS_ONLY, "r2", "2024-05-25", "-20.00", LONG_PRODUCT, LINK],
        [ZERO_PURCHASE, "z1", "2024-05-10", "0.00", "Free sample", "Tools"],
        [EMOJI, "e1", "2024-03-01", "120.00", LONG_PRODUCT, "Garden 🌱"],
        [EMOJI, "e2", "2024-04-01", "80.00", "🎁 Gift", BOLD],
        [EMOJI, "e3", "2024-05-01", "95.50", "Gadget", "Garden 🌱"],
        [RTL, "h1", "2024-05-28", "300.00", "שלום", "עברית"],
    ]
    contacts += [
        [REFUNDS_ONLY, "2024-05-21", "phone", "complaint", "", "", "", f"{LINK} broken"],
        [ZERO_PURCHASE, "2024-05-11", "email", "survey", "1", "5", "", BOLD],
        [RTL, "2024-05-29", "phone", "contact", "", "", "done", "שלום"],
    ]
    db = folder / f"{name}.duckdb"
    return _ingest(db, _write(folder / "customers.csv", customers), _write(folder / "purchases.csv", lines),
                   _write(folder / "contacts.csv", contacts))


def solo_workspace(folder: Path, name: str = "solo") -> Path:
    """One customer, who has only refunds."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    rows = [["customer_id", "order_id", "date", "amount"], [REFUNDS_ONLY, "r1", "2024-05-01", "-50.00"],
            [REFUNDS_ONLY, "r2", "2024-05-03", "-20.00"]]
    return _ingest(folder / f"{name}.duckdb", _write(folder / "solo.csv", rows))


def one_day_workspace(folder: Path, name: str = "oneday") -> Path:
    """Sixty customers, every purchase on 1 May 2024."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    rows = [["customer_id", "order_id", "date", "amount", "category"]]
    rows += [[f"D{n:02d}", f"d{n}", "2024-05-01", f"{10 * (n + 1)}.00", "Tools" if n % 2 else "Paper"]
             for n in range(60)]
    contacts = [["customer_id", "date", "kind", "satisfaction", "scale"], ["D01", "2024-05-01", "survey", "2", "5"]]
    return _ingest(folder / f"{name}.duckdb", _write(folder / "oneday.csv", rows),
                   _write(folder / "oneday-contacts.csv", contacts))
