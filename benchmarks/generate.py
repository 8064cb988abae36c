"""Synthetic company data for the benchmark: customers, purchase lines and contacts as CSV.

    python benchmarks/generate.py OUT_DIR [--customers N] [--lines M] [--seed S]

Shape (heavy-tailed like real order books, all vectorised NumPy, written with pyarrow.csv):

- customers.csv: customer_id, name, region, industry, channel, signup_date, wallet.
- transactions.csv: customer_id, order_id, date, amount, quantity, product, category.
  Purchase days follow the BG/NBD process (Gamma buying rates, so a few customers buy very
  often; a Beta chance of leaving after each purchase; first purchases spread over three
  years; a tenth of the listed customers never buy). One order per customer-day, with one
  or more lines. Products follow a Zipf popularity over 400 products in 12
  categories; line amounts are log-normal around each product's price times the quantity,
  and about 1% of lines are refunds (negative amounts).
- interactions.csv: customer_id, date, channel, kind, satisfaction, scale: one contact per
  five customers on average, a third of them surveys scored 1..5 (some on a 10-point scale),
  a tenth complaints.
"""

from __future__ import annotations

import argparse
import datetime as dt
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

START = dt.date(2023, 1, 1)
DAYS = 3 * 365  # purchase history length
N_PRODUCTS = 400
CATEGORIES = ["Paper", "Ink & Toner", "Furniture", "Electronics", "Filing", "Writing", "Breakroom",
              "Cleaning", "Shipping", "Binders", "Desk Accessories", "Presentation"]
REGIONS = ["North", "South", "East", "West", "Central", "Overseas"]
INDUSTRIES = ["Retail", "Education", "Healthcare", "Finance", "Manufacturing", "Government", "Tech"]
CHANNELS = ["web", "sales rep", "referral", "trade show", "partner"]
CONTACT_CHANNELS = ["email", "phone", "visit", "chat"]
KINDS = ["survey", "call", "email", "meeting", "complaint"]
KIND_P = [0.33, 0.25, 0.22, 0.10, 0.10]


def _ids(prefix: str, numbers: np.ndarray) -> pa.Array:
    """'C123'-style string ids from integers, without a Python loop."""
    return pc.binary_join_element_wise(prefix, pc.cast(pa.array(numbers), pa.string()), "")


def _dates(day_numbers: np.ndarray) -> pa.Array:
    epoch = (START - dt.date(1970, 1, 1)).days
    return pa.array(day_numbers.astype(np.int32) + epoch, type=pa.int32()).cast(pa.date32())


def _pick(rng, names: list[str], n: int, p=None) -> pa.Array:
    codes = rng.choice(len(names), size=n, p=p).astype(np.int32)
    return pa.DictionaryArray.from_arrays(pa.array(codes), pa.array(names)).cast(pa.string())


def customers_table(rng, n: int) -> pa.Table:
    ids = np.arange(1, n + 1)
    wallet = np.round(rng.lognormal(8.0, 1.0, n), -1)
    wallet[rng.random(n) < 0.4] = np.nan  # many files have no wallet estimate
    return pa.table({
        "customer_id": _ids("C", ids),
        "name": _ids("Company ", ids),
        "region": _pick(rng, REGIONS, n, [0.25, 0.2, 0.2, 0.15, 0.15, 0.05]),
        "industry": _pick(rng, INDUSTRIES, n),
        "channel": _pick(rng, CHANNELS, n, [0.4, 0.25, 0.15, 0.1, 0.1]),
        "signup_date": _dates(rng.integers(-365, DAYS - 30, n)),
        "wallet": pa.array(wallet, from_pandas=True),
    })


def purchase_days(rng, n_customers: int) -> tuple[np.ndarray, np.ndarray]:
    """(customer, day) of every purchase day, drawn from the BG/NBD process (Fader, Hardie &
    Lee 2005): a Gamma-distributed buying rate per customer (heavy-tailed: most buy a few
    times, a few very often), and after each purchase a Beta-distributed chance of leaving
    for good. First purchases are spread over the three years; 10% of listed customers never
    buy."""
    lam = rng.gamma(0.6, 1.0 / 45.0, n_customers)  # purchases per day
    drop = rng.beta(0.8, 3.0, n_customers)
    first = rng.integers(0, DAYS, n_customers)
    buyers = np.flatnonzero(rng.random(n_customers) >= 0.10)
    customers, days = [buyers], [first[buyers]]
    clock = first[buyers].astype(float)
    active = np.arange(buyers.size)
    active = active[rng.random(active.size) >= drop[buyers[active]]]
    while active.size:
        c = buyers[active]
        clock[active] += rng.exponential(1.0, active.size) / lam[c]
        active = active[clock[active] < DAYS]
        customers.append(buyers[active])
        days.append(clock[active].astype(np.int64))
        active = active[rng.random(active.size) >= drop[buyers[active]]]
    customer, day = np.concatenate(customers), np.concatenate(days)
    order = np.lexsort((day, customer))
    customer, day = customer[order], day[order]
    keep = np.r_[True, (customer[1:] != customer[:-1]) | (day[1:] != day[:-1])]  # one order per day
    return customer[keep], day[keep]


def transactions_table(rng, n_customers: int, n_lines: int) -> pa.Table:
    # Purchase days from the BG/NBD process; each becomes one order of one or more lines.
    # With more orders than lines, a random subset of orders is kept (a thinned Poisson
    # process is still Poisson); the remaining lines go to random orders.
    customer, day = purchase_days(rng, n_customers)
    if customer.size > n_lines:
        pick = np.sort(rng.choice(customer.size, size=n_lines, replace=False))
        customer, day = customer[pick], day[pick]
    n_orders = customer.size
    order_of_line = np.sort(np.r_[np.arange(n_orders), rng.integers(0, n_orders, n_lines - n_orders)])
    customer, day, order_no = customer[order_of_line], day[order_of_line], order_of_line + 1

    popularity = 1.0 / np.arange(1, N_PRODUCTS + 1) ** 1.1
    product = rng.choice(N_PRODUCTS, size=n_lines, p=popularity / popularity.sum()).astype(np.int32)
    product_category = rng.integers(0, len(CATEGORIES), N_PRODUCTS).astype(np.int32)
    price = np.round(rng.lognormal(3.0, 1.0, N_PRODUCTS), 2)
    quantity = rng.geometric(0.5, n_lines)  # 1, 2, 3... units
    amount = np.round(price[product] * quantity * rng.lognormal(0.0, 0.15, n_lines), 2)
    refund = rng.random(n_lines) < 0.01
    amount[refund] = -amount[refund]
    product_names = [f"P{i:04d} {CATEGORIES[product_category[i]]}" for i in range(N_PRODUCTS)]
    return pa.table({
        "customer_id": _ids("C", customer + 1),
        "order_id": _ids("O", order_no),
        "date": _dates(day),
        "amount": pa.array(amount),
        "quantity": pa.array(quantity.astype(np.int64)),
        "product": pa.DictionaryArray.from_arrays(pa.array(product), pa.array(product_names)).cast(pa.string()),
        "category": pa.DictionaryArray.from_arrays(
            pa.array(product_category[product]), pa.array(CATEGORIES)).cast(pa.string()),
    })


def interactions_table(rng, n_customers: int) -> pa.Table:
    n = max(1, n_customers // 5)
    kind_codes = rng.choice(len(KINDS), size=n, p=KIND_P)
    survey = kind_codes == 0
    ten_point = survey & (rng.random(n) < 0.3)
    score = np.where(ten_point, rng.integers(1, 11, n), rng.choice(5, size=n, p=[0.05, 0.1, 0.25, 0.35, 0.25]) + 1)
    return pa.table({
        "customer_id": _ids("C", rng.integers(1, n_customers + 1, n)),
        "date": _dates(rng.integers(0, DAYS, n)),
        "channel": _pick(rng, CONTACT_CHANNELS, n),
        "kind": pa.DictionaryArray.from_arrays(pa.array(kind_codes.astype(np.int32)), pa.array(KINDS)).cast(pa.string()),
        "satisfaction": pa.array(np.where(survey, score, np.nan), from_pandas=True),
        "scale": pa.array(np.where(survey, np.where(ten_point, 10.0, 5.0), np.nan), from_pandas=True),
    })


def generate(out_dir: str | Path, customers: int, lines: int, seed: int = 0) -> dict[str, Path]:
    """Write customers.csv, transactions.csv and interactions.csv into ``out_dir``;
    returns {"customers": path, "transactions": path, "interactions": path}."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    paths = {name: out / f"{name}.csv" for name in ("customers", "transactions", "interactions")}
    options = pacsv.WriteOptions(quoting_style="needed")
    pacsv.write_csv(customers_table(rng, customers), paths["customers"], options)
    pacsv.write_csv(transactions_table(rng, customers, lines), paths["transactions"], options)
    pacsv.write_csv(interactions_table(rng, customers), paths["interactions"], options)
    return paths


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir")
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--lines", type=int, default=10_000_000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    start = time.perf_counter()
    paths = generate(args.out_dir, args.customers, args.lines, args.seed)
    sizes = ", ".join(f"{p.name} {p.stat().st_size / 2**20:,.0f} MiB" for p in paths.values())
    print(f"wrote {sizes} in {time.perf_counter() - start:.1f}s (seed {args.seed})")


if __name__ == "__main__":
    main()
