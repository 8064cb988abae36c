"""Campaign figures recounted straight from a workspace file's rows, for tests to compare with."""

from __future__ import annotations

import math

import duckdb

Z = 1.959963984540054  # the 97.5% point of the normal distribution


def responders_by_group(db, name: str) -> dict[str, tuple[int, int]]:
    """{group: (customers, responders)} of campaign ``name``: a responder bought (a line with a
    positive amount) in the 30 days from the campaign's start."""
    with duckdb.connect(str(db), read_only=True) as con:
        return {arm: (n, x) for arm, n, x in con.execute(
            'SELECT m.arm, count(*), count(*) FILTER (WHERE EXISTS (SELECT 1 FROM transactions t WHERE '
            't.customer_id = m.customer_id AND t.amount > 0 AND t.date >= c.start_date AND '
            't.date < c.start_date + INTERVAL 30 DAY)) FROM campaign_members m JOIN campaigns c USING (campaign_id) '
            'WHERE c.name = ? GROUP BY m.arm', [name]).fetchall()}


def wilson(x: int, n: int) -> tuple[float, float]:
    """Wilson's 95% interval of x responders out of n, written out (Wilson 1927)."""
    p = x / n
    centre = (p + Z * Z / (2 * n)) / (1 + Z * Z / n)
    half = Z * math.sqrt(p * (1 - p) / n + Z * Z / (4 * n * n)) / (1 + Z * Z / n)
    return centre - half, centre + half


def newcombe(x1: int, n1: int, x0: int, n0: int) -> tuple[float, float]:
    """Newcombe's 95% interval of x1/n1 - x0/n0 (1998, method 10), written out."""
    p1, p0 = x1 / n1, x0 / n0
    (l1, u1), (l0, u0) = wilson(x1, n1), wilson(x0, n0)
    d = p1 - p0
    return d - math.sqrt((p1 - l1) ** 2 + (u0 - p0) ** 2), d + math.sqrt((u1 - p1) ** 2 + (p0 - l0) ** 2)
