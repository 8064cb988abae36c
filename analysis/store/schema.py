"""The workspace's tables: their columns and types (:data:`SCHEMA`), and how identifiers enter SQL.

Tables and columns are documented in ``data/README.md``; ``tests/test_docs.py`` fails when
a column below is missing there.
"""

from __future__ import annotations

from analysis.money import SCALE

# Amounts are stored exactly, to the cent (see analysis.money): sums over them are exact and
# the same on every run, whatever the order DuckDB's threads add them in. Written without a
# space so that ``type.split()[0]`` (how import casts a value to a column's type) is the type.
MONEY_TYPE = f"DECIMAL(18,{SCALE})"

# Column name -> DuckDB type, per table. Order is the order of the table.
SCHEMA: dict[str, dict[str, str]] = {
    "customers": {
        "customer_id": "VARCHAR NOT NULL PRIMARY KEY",
        "name": "VARCHAR",
        "region": "VARCHAR",
        "industry": "VARCHAR",
        "channel": "VARCHAR",
        "signup_date": "DATE",
        "wallet": MONEY_TYPE,
        "email": "VARCHAR",
        "phone": "VARCHAR",
        "import_id": "BIGINT",
    },
    "transactions": {
        "order_id": "VARCHAR",
        "customer_id": "VARCHAR NOT NULL",
        "date": "DATE NOT NULL",
        "amount": MONEY_TYPE + " NOT NULL",
        "quantity": "DOUBLE",
        "product": "VARCHAR",
        "category": "VARCHAR",
        "import_id": "BIGINT",
    },
    "interactions": {
        "interaction_id": "BIGINT NOT NULL PRIMARY KEY",
        "customer_id": "VARCHAR NOT NULL",
        "occurred_at": "TIMESTAMP NOT NULL",
        "channel": "VARCHAR",
        "kind": "VARCHAR NOT NULL",
        "satisfaction": "DOUBLE",
        "scale": "DOUBLE",
        "outcome": "VARCHAR",
        "note": "VARCHAR",
        "answers_action": "VARCHAR",
        "recorded_by": "VARCHAR",
        "import_id": "BIGINT",
    },
    "imports": {
        "import_id": "BIGINT NOT NULL PRIMARY KEY",
        "file_name": "VARCHAR NOT NULL",
        "sheet": "VARCHAR",
        "content_hash": "VARCHAR NOT NULL",
        "target_table": "VARCHAR NOT NULL",
        "rows": "BIGINT NOT NULL",
        "skipped_rows": "BIGINT NOT NULL",
        "imported_at": "TIMESTAMP NOT NULL",
    },
    # Column mappings the user confirmed, remembered by the file's header signature.
    "mappings": {
        "header_signature": "VARCHAR NOT NULL PRIMARY KEY",
        "target_table": "VARCHAR NOT NULL",
        "mapping_json": "VARCHAR NOT NULL",
        "saved_at": "TIMESTAMP NOT NULL",
    },
    # Key/value settings and texts kept with the workspace (workshop worksheet, thresholds).
    "notes": {
        "key": "VARCHAR NOT NULL PRIMARY KEY",
        "value": "VARCHAR",
        "saved_at": "TIMESTAMP NOT NULL",
    },
    # Stored analysis results (e.g. the per-customer scores), one or more tables each.
    "results": {
        "result_key": "VARCHAR NOT NULL PRIMARY KEY",
        "kind": "VARCHAR NOT NULL",
        "tables_json": "VARCHAR NOT NULL",
        "meta_json": "VARCHAR NOT NULL",
        "saved_at": "TIMESTAMP NOT NULL",
    },
}

# Purchases without a customer id (guest checkouts): the transactions' columns but the customer,
# so that no per-customer figure can count them; the Overview says how much they are.
SCHEMA["guest_purchases"] = {c: kind for c, kind in SCHEMA["transactions"].items() if c != "customer_id"}
# Orders that are not among the purchases: from files that list orders without amounts (Olist's
# orders file) and the orders of purchase files that are not revenue (cancelled, unpaid...). Order
# items, reviews and returns that name only the order are linked to the customer through them.
SCHEMA["orders"] = {
    "order_id": "VARCHAR NOT NULL PRIMARY KEY",
    "customer_id": "VARCHAR",
    "date": "DATE",
    "status": "VARCHAR",
    "import_id": "BIGINT",
}
# Several accounts of one person (an e-commerce export's per-order customer id and its unique
# customer id): every row of an account is the person's (analysis.ingest.identity).
SCHEMA["accounts"] = {
    "account_id": "VARCHAR NOT NULL PRIMARY KEY",
    "customer_id": "VARCHAR NOT NULL",
    "import_id": "BIGINT",
}

# Campaigns with a control group (analysis.interact.campaigns.workspace); SQL in analysis/store/campaigns.py.
SCHEMA["campaigns"] = {
    "campaign_id": "BIGINT NOT NULL PRIMARY KEY",
    "name": "VARCHAR NOT NULL UNIQUE",
    "action": "VARCHAR",
    "channel": "VARCHAR",
    "start_date": "DATE",
    "holdout": "DOUBLE",
    "seed": "BIGINT",
    "window_days": "INTEGER",
    "source": "VARCHAR NOT NULL",
    "control_arm": "VARCHAR NOT NULL",
    "filters_json": "VARCHAR",
    "file_name": "VARCHAR",
    "created_at": "TIMESTAMP NOT NULL",
}
SCHEMA["campaign_members"] = {
    "campaign_id": "BIGINT NOT NULL",
    "row_number": "BIGINT NOT NULL",
    "customer_id": "VARCHAR",
    "arm": "VARCHAR NOT NULL",
    "stratum": "VARCHAR",
    "response": "INTEGER",
    "value": MONEY_TYPE,
    "features_json": "VARCHAR",
}

DATA_TABLES = ("customers", "transactions", "interactions")
# (table, column) of every amount of money: stored as MONEY_TYPE.
MONEY_COLUMNS = tuple((table, column) for table, columns in SCHEMA.items()
                      for column, kind in columns.items() if kind.startswith(MONEY_TYPE))
# The notes key under which the workspace's currency (ISO code) is kept.
CURRENCY_NOTE = "currency"
def quote_ident(name: str) -> str:
    """Quote an identifier for DuckDB SQL. The only way identifiers enter SQL."""
    if not isinstance(name, str) or not name or "\x00" in name:
        raise ValueError(f"not a valid identifier: {name!r}")
    return '"' + name.replace('"', '""') + '"'


def ddl(table: str) -> str:
    cols = ", ".join(f"{quote_ident(c)} {kind}" for c, kind in SCHEMA[table].items())
    return f"CREATE TABLE IF NOT EXISTS {quote_ident(table)} ({cols})"


def column_names(table: str) -> list[str]:
    return list(SCHEMA[table])


def store_cast(table: str, column: str, sql: str) -> str:
    """SQL of the value ``sql`` as ``table.column`` keeps it. An amount goes through its shortest
    decimal text (DuckDB writes a DOUBLE as the shortest text that reads back the same), so that
    it is kept to the cent as written, rounded half away from zero (1.005 -> 1.01), rather than
    from its binary value (1.00499...)."""
    kind = SCHEMA[table][column].split()[0]
    if SCHEMA[table][column].startswith(MONEY_TYPE):
        return f"CAST(CAST({sql} AS VARCHAR) AS {kind})"
    return f"CAST({sql} AS {kind})"
