"""Campaign figures recounted straight from a workspace file's rows, for tests to compare with."""

from __future__ import annotations

import duckdb


def responders_by_group(db, name: str) -> dict[str, tuple[int, int]]:
    """{group: (customers, responders)} of campaign ``name``: a responder bought (a line with a
    positive amount) in the 30 days from the campaign's start."""
    with duckdb.connect(str(db), read_only=True) as con:
        return {arm: (n, x) for arm, n, x in con.execute(
            'SELECT m.arm, count(*), count(*) FILTER (WHERE EXISTS (SELECT 1 FROM transactions t WHERE '
            't.customer_id = m.customer_id AND t.amount > 0 AND t.date >= c.start_date AND '
            't.date < c.start_date + INTERVAL 30 DAY)) FROM campaign_members m JOIN campaigns c USING (campaign_id) '
            'WHERE c.name = ? GROUP BY m.arm', [name]).fetchall()}
