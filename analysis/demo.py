"""The demo company: Northwind Office Supply, a made-up distributor of office and tech goods.

``build_demo(ws)`` writes a deterministic company (same seed, byte-identical tables) into an
empty workspace in one transaction, so a consultant can run a one-to-one marketing workshop
(Peppers & Rogers' IDIC) without real data. Everything is drawn with vectorised NumPy from a
small generative model; it builds in a few seconds.

What a workshop will find in it (default seed, 6,000 listed customers, 2.5 years to 2026-06-30):

* **Identify.** ~86% buyers, ~10% prospects (listed, contacted, never bought) and ~4% suspects
  (listed, never contacted). Companies in 8 industries, 5 regions, 3 channels (Direct sales,
  Online, Partner) plus ~10% private persons (B2C, industry left empty, mostly Online).
  Emails are missing for ~6% of customers and phones for ~10% (more for suspects).
* **Differentiate by value.** Order values are log-normal per customer and purchase rates
  gamma-distributed, so revenue is heavy-tailed: the top 20% of buyers bring about three
  quarters of net revenue (74% with the default seed), and a handful of key accounts (Direct sales, never lapse) sit on top of the
  pyramid. ~40% of customers carry a ``wallet`` (estimated annual spend potential); the share
  of wallet ranges from a few per cent (growable: big wallet, small spend -> MGCs) to nearly all.
* **Differentiate by behaviour.** Purchases follow the BG/NBD story (Fader, Hardie & Lee 2005):
  Poisson purchasing at a gamma-distributed rate, and after each repeat purchase the customer
  drops out with a beta-distributed probability, so recency/frequency and P(alive) vary widely
  and a BG/NBD + Gamma-Gamma fit is sensible. Monthly seasonality: Q4 peak, July dip,
  back-to-school bump in August-September; B2B orders fall on weekdays.
  About 3% of loyal buyers *fall* sharply in the last 12 months (attitude change, lower
  satisfaction, more complaints: at-risk) and about 3% *rise* (growth accounts).
* **Needs and cross-sell.** Orders have 1-4 lines across 6 categories (Electronics, Office
  Supplies, Furniture, Software, Printing, Services) with 8 products each. Each customer has
  its own category mix drawn around an industry profile (Technology leans to Electronics and
  Software, Education to Office Supplies and Printing, Hospitality to Furniture, ...), and
  companion categories co-occur in orders (Electronics -> Software, Furniture -> Services,
  Printing -> Office Supplies), so co-purchase rules and cluster personas are meaningful.
* **Refunds.** ~1.5% of lines are refunds: negative amount and quantity, same customer,
  product and ``order_id`` as an earlier purchase, 3-40 days later; about half come with a
  complaint.
* **Below-zero customers.** ~1% of buyers spend little but complain often, return much and
  take many contacts: their cost to serve exceeds their value.
* **Interact.** Interactions (ids 1..n in time order, weekday office hours 08:00-17:59):
  sales contacts (phone, email, chat, web) with outcomes ``interested``, ``not interested``,
  ``order placed``, ``quote sent``, ``callback requested``, ``no answer``; visits for Direct
  sales accounts; complaints (more frequent for dissatisfied customers), each followed by a
  resolution contact with outcome ``resolved`` a few days later, except some recent ones
  and a few forgotten older ones, always the customer's latest complaint, still ``open``
  (outcome ``open`` or NULL on the complaint, no resolution contact yet);
  satisfaction surveys on a 1-5 scale (``scale`` = 5) for ~55% of buyers, several for some
  (the latest counts). Satisfaction is a latent trait per customer: low for complainers and
  for customers who lapse (it raises the drop-out probability), falling for the at-risk
  group, independent of value, so the satisfaction-by-volume matrix has all four cells.
  ``recorded_by`` is the region's account manager, "web form" or "survey tool". Notes are
  short English sentences; some contain & < > ' and " to exercise escaping.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from .errors import UserError
from .store import Workspace

COMPANY_NAME = "Northwind Office Supply"
# A US distributor (its phone numbers carry US area codes): amounts are in US dollars.
CURRENCY = "USD"

REGIONS = ["North", "East", "South", "West", "Central"]
REGION_WEIGHTS = [0.18, 0.22, 0.2, 0.16, 0.24]
AREA_CODES = {"North": 218, "East": 617, "South": 404, "West": 415, "Central": 312}
INDUSTRIES = [
    "Retail", "Manufacturing", "Healthcare", "Education",
    "Finance", "Hospitality", "Technology", "Public sector",
]
INDUSTRY_WEIGHTS = [0.17, 0.14, 0.12, 0.12, 0.1, 0.11, 0.14, 0.1]
CHANNELS = ["Direct sales", "Online", "Partner"]
CATEGORIES = ["Electronics", "Office Supplies", "Furniture", "Software", "Printing", "Services"]

# Category profile per industry (rows follow INDUSTRIES, then private persons; columns CATEGORIES).
_INDUSTRY_MIX = np.array([
    [0.22, 0.24, 0.08, 0.08, 0.30, 0.08],  # Retail
    [0.18, 0.22, 0.20, 0.10, 0.16, 0.14],  # Manufacturing
    [0.16, 0.34, 0.14, 0.10, 0.12, 0.14],  # Healthcare
    [0.18, 0.36, 0.10, 0.08, 0.22, 0.06],  # Education
    [0.20, 0.18, 0.12, 0.30, 0.08, 0.12],  # Finance
    [0.10, 0.18, 0.38, 0.06, 0.18, 0.10],  # Hospitality
    [0.36, 0.10, 0.08, 0.30, 0.04, 0.12],  # Technology
    [0.14, 0.30, 0.24, 0.10, 0.12, 0.10],  # Public sector
    [0.40, 0.30, 0.12, 0.08, 0.08, 0.02],  # private persons
])
# Lines after the first in an order often come from the first line's companion category.
_COMPANION = np.array([3, 4, 5, 0, 1, 2])  # Electronics->Software, Office->Printing, ...

PRODUCTS: dict[str, list[tuple[str, float]]] = {
    "Electronics": [
        ('Laptop 14" Pro', 1149.0), ('Laptop 15" Business', 889.0), ('Monitor 27" QHD', 279.0),
        ("Docking Station USB-C", 189.0), ("Wireless Headset", 89.0), ("Webcam HD", 69.0),
        ("Keyboard & Mouse Set", 49.0), ("USB-C Cable 2 m", 15.0),
    ],
    "Office Supplies": [
        ("Copy Paper A4 (5 reams)", 32.0), ("Ballpoint Pens (50)", 12.0),
        ("Sticky Notes (12 pads)", 9.0), ("Lever Arch Files (10)", 24.0),
        ("Stapler Heavy Duty", 28.0), ("Whiteboard Markers (8)", 11.0),
        ("Envelopes C4 (250)", 19.0), ("Desk Organiser", 17.0),
    ],
    "Furniture": [
        ("Ergonomic Office Chair", 349.0), ("Height-Adjustable Desk", 649.0),
        ("Meeting Table 6-seat", 890.0), ("Filing Cabinet 3-drawer", 229.0),
        ("Bookcase Oak", 159.0), ("Monitor Arm", 119.0), ("Reception Sofa", 1190.0),
        ("Footrest", 39.0),
    ],
    "Software": [
        ("Office Suite Licence (1 yr)", 99.0), ("Antivirus Licence (1 yr)", 39.0),
        ("Accounting Software Licence", 399.0), ("Design Software Licence", 599.0),
        ("Cloud Backup 1 TB (1 yr)", 79.0), ("Project Tracker Seat (1 yr)", 120.0),
        ("PDF Editor Licence", 129.0), ("Email Security (1 yr)", 59.0),
    ],
    "Printing": [
        ("Toner Cartridge Black", 89.0), ("Toner Colour Set", 249.0),
        ("Laser Printer A4", 329.0), ("Multifunction Printer A3", 1490.0),
        ("Business Cards (500)", 45.0), ("Printed Brochures (1000)", 390.0),
        ("Roll-up Banner", 149.0), ("Ink Cartridge Set", 59.0),
    ],
    "Services": [
        ("On-site Installation", 250.0), ("IT Support Hour", 95.0),
        ("Furniture Assembly", 180.0), ("Printer Maintenance Contract", 480.0),
        ("Data Migration", 890.0), ("Training Session", 650.0),
        ("Extended Warranty 3 yr", 199.0), ("Express Delivery", 35.0),
    ],
}

# Monthly seasonality (Jan..Dec): Q4 peak, July dip, back-to-school bump in Aug-Sep.
SEASON = np.array([0.92, 0.95, 1.05, 1.0, 1.0, 0.9, 0.72, 1.02, 1.12, 1.05, 1.2, 1.35])
SEASON = SEASON / SEASON.mean()

_PREFIXES = [
    "Harbor", "Summit", "Pioneer", "Blue Ridge", "Maple", "Granite", "Silver Lake", "Oakwood",
    "Riverside", "Northgate", "Evergreen", "Cedar", "Lakeshore", "Redwood", "Bright", "Keystone",
    "Horizon", "Meridian", "Atlas", "Crescent", "Falcon", "Golden Gate", "Highland", "Ironbridge",
    "Juniper", "Kingsley", "Liberty", "Magnolia", "Northstar", "Orchard", "Parkside", "Quarry",
    "Rosewood", "Sterling", "Trinity", "Union", "Valley", "Westfield", "Willow", "Yardley",
    "Anchor", "Beacon", "Clearwater", "Dalton", "Eastbrook", "Fairview", "Greenfield", "Hillcrest",
    "O'Brien", "St. Mary's", "Baker", "Carter", "Hughes", "Morgan", "Patel", "Nguyen",
]
_CORES = {
    "Retail": ["Outfitters", "Market", "Home Store", "Boutique", "Trading", "Wholesale", "Books", "Pharmacy"],
    "Manufacturing": ["Metalworks", "Plastics", "Engineering", "Fabrication", "Tooling", "Components", "Packaging", "Textiles"],
    "Healthcare": ["Dental", "Medical Centre", "Clinic", "Physiotherapy", "Care Home", "Veterinary", "Labs", "Eye Care"],
    "Education": ["Academy", "School", "College", "Learning Centre", "Institute", "Tutoring", "Montessori", "Language School"],
    "Finance": ["Capital", "Insurance", "Accounting", "Wealth Partners", "Credit Union", "Advisors", "Tax Services", "Brokers"],
    "Hospitality": ["Hotel", "Bistro", "Catering", "Inn", "Events", "Restaurants", "Suites", "Coffee House"],
    "Technology": ["Software", "Systems", "Digital", "Data Labs", "Networks", "Cloud", "Robotics", "Analytics"],
    "Public sector": ["Town Council", "Library", "Water Board", "Housing Authority", "Fire District", "Transit", "Parks Department", "Records Office"],
}
_SUFFIXES = ["Ltd", "Inc", "LLC", "Group", "& Co", "& Sons", "Partners", ""]
_TOWNS = ["Ashford", "Brookside", "Chester", "Dover", "Elmwood", "Fulton", "Glenwood", "Hampton",
          "Irvington", "Jasper", "Kent", "Linden", "Milford", "Newport", "Oxford", "Preston"]
_FIRST = ["Maria", "James", "Aisha", "Chen", "Olivia", "Liam", "Sofia", "Noah", "Priya", "Lucas",
          "Emma", "Mateo", "Hannah", "Yusuf", "Grace", "Daniel", "Mei", "Samuel", "Zoe", "Omar",
          "Ingrid", "Tomás", "Fatima", "Kenji", "Ava", "Ethan", "Leila", "Jonas"]
_LAST = ["Smith", "O'Connor", "Garcia", "Kowalski", "Nguyen", "Müller", "Johnson", "Rossi",
         "Okafor", "Larsen", "Brown", "Silva", "Kim", "Dubois", "Walker", "Haddad", "Novak",
         "Fischer", "Taylor", "Andersen", "Moreau", "Singh", "Clarke", "Romero"]
_MANAGERS = {
    "North": ["A. Jensen", "K. Moore"], "East": ["L. Chen", "R. Patel"],
    "South": ["M. Alvarez", "T. Brooks"], "West": ["S. Novak", "D. Okoro"],
    "Central": ["J. Fischer", "P. Larsen", "H. Kaur"],
}

_NOTES = {
    "contact": {
        "interested": ["Interested in a toner & paper bundle", "Asked for next quarter's catalogue",
                       "Wants a demo of the new docking stations", "Likes the loyalty discount idea",
                       "Asked about bulk pricing for >50 chairs"],
        "not interested": ["Happy with current supplier", "Budget frozen until next year",
                           "Not interested: prices > competitor's offer", "No need right now"],
        "order placed": ["Re-order placed by phone", "Ordered after the spring promotion",
                         "Placed order; wants delivery before Friday", "Order placed & invoice to HQ"],
        "quote sent": ["Quote sent for office refit", "Quote sent: 12 monitors <2 weeks delivery",
                       "Sent quote for printer maintenance contract"],
        "callback requested": ["Call back after the board meeting", "Asked to call back next week",
                               "Buyer on holiday; call back in 2 weeks"],
        "no answer": ["No answer, left voicemail", "Email bounced once, resent",
                      "No answer at reception"],
        "resolved": ["Complaint resolved: credit note issued", "Replacement delivered & confirmed",
                     "Resolved: courier re-delivered the order", "Apologised; customer's issue closed"],
    },
    "visit": {
        "interested": ["Site visit: new wing needs furniture", "Visited office; IT refresh planned in Q4"],
        "order placed": ["Visit ended with an order for chairs & desks", "Signed annual supplies order on site"],
        "not interested": ["Visit: they consolidate purchasing at HQ"],
        "quote sent": ["Measured meeting rooms, quote follows"],
    },
    "complaint": {
        "": ["Delivery 3 days late", "Toner cartridge leaked", "Invoice amount > quoted price",
             "Chair arrived damaged & unusable", "Wrong item delivered <again>",
             "Support didn't call back", "Missing items in the order",
             "Customer said: \"worst delivery this year\""],
    },
    "survey": {
        "": ["Quarterly satisfaction survey", "Post-delivery survey", "Annual account review survey"],
    },
}

_DAY = np.timedelta64(1, "D")
# The workspace note that marks the demo company (its value: the company's name), so the app
# can say on its first screen that the figures are invented.
DEMO_NOTE = "demo_company"
DEMO_COMPANY = "Northwind Office Supply"


def is_demo(ws: Workspace) -> bool:
    """Whether ``ws`` holds the demo company (written by :func:`build_demo`)."""
    return ws.get_note(DEMO_NOTE) is not None


def build_demo(
    ws: Workspace,
    seed: int = 20261123,
    n_customers: int = 6000,
    end: date = date(2026, 6, 30),
    years: float = 2.5,
) -> dict:
    """Write Northwind Office Supply into the empty workspace ``ws`` in one transaction.

    The workspace's currency becomes :data:`CURRENCY`. Returns the row counts
    ``{"customers", "transactions", "interactions"}``. Raises
    :class:`UserError` when the workspace already holds data. Same seed, same tables.
    """
    for table in ("customers", "transactions", "interactions"):
        if ws.count(table):
            raise UserError(
                f"workspace {ws.path} already has data in table '{table}'; "
                "the demo company can only be written into an empty workspace"
            )
    if n_customers < 100:
        raise UserError(f"n_customers is {n_customers}; the demo needs at least 100 customers")
    if years < 1:
        raise UserError(f"years is {years}; the demo needs at least 1 year of history")
    customers, transactions, interactions = generate(seed, n_customers, end, years)
    with ws.transaction() as cur:
        ws.append(cur, "customers", customers)
        ws.append(cur, "transactions", transactions)
        ws.append(cur, "interactions", interactions)
        ws.set_currency(CURRENCY, cur)
        ws.set_note(DEMO_NOTE, DEMO_COMPANY, cur)
    from analysis.interact.campaigns.demo import add_demo_campaigns

    responses = add_demo_campaigns(ws, seed)  # two past campaigns; the purchases the one that worked brought
    return {
        "customers": len(customers),
        "transactions": len(transactions) + responses,
        "interactions": len(interactions),
    }


def generate(
    seed: int, n_customers: int, end: date, years: float
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The three demo tables as DataFrames (customers, transactions, interactions)."""
    rng = np.random.default_rng(seed)
    end_day = np.datetime64(end, "D")
    start_day = end_day - np.timedelta64(int(round(years * 365.25)), "D")
    horizon = float((end_day - start_day) / _DAY)  # days; day numbers below are from start_day

    cust = _draw_customers(rng, n_customers, horizon)
    orders = _draw_orders(rng, cust, horizon, start_day)
    lines = _draw_lines(rng, cust, orders, start_day, end_day)
    inter = _draw_interactions(rng, cust, orders, lines, horizon, start_day)
    customers = _customer_frame(rng, cust, lines["annual_spend"], start_day)
    return customers, lines["frame"], inter


# -- customers ------------------------------------------------------------------------------
def _draw_customers(rng: np.random.Generator, n: int, horizon: float) -> dict:
    status = rng.choice(3, size=n, p=[0.86, 0.10, 0.04])  # 0 buyer, 1 prospect, 2 suspect
    person = rng.random(n) < 0.10
    industry = rng.choice(len(INDUSTRIES), size=n, p=INDUSTRY_WEIGHTS)
    industry[person] = len(INDUSTRIES)  # the "private persons" profile row
    region = rng.choice(len(REGIONS), size=n, p=REGION_WEIGHTS)
    channel = np.where(
        person,
        rng.choice(3, size=n, p=[0.0, 0.9, 0.1]),
        rng.choice(3, size=n, p=[0.35, 0.4, 0.25]),
    )
    # Latent satisfaction trait (standard normal): drives drop-out, complaints and surveys.
    trait = rng.standard_normal(n)

    # BG/NBD: purchase rate lambda ~ Gamma(r, alpha) per day, drop-out p ~ Beta(a, b).
    rate = rng.gamma(0.9, 1.0 / 30.0, size=n)  # mean ~11 purchases a year
    rate *= np.select([channel == 0, channel == 1], [1.3, 0.9], 1.0)
    dropout = rng.beta(0.9, 9.0, size=n) * np.exp(-0.8 * trait)
    # Customer-level mean order value (log-normal): channel and persons shift it.
    value = np.exp(rng.normal(np.log(170.0), 0.95, size=n))
    value *= np.select([channel == 0, channel == 1], [1.8, 0.75], 1.0)
    value[person] *= 0.35
    discount = np.where(channel == 0, rng.uniform(0.0, 0.12, size=n), 0.0)

    buyer = status == 0
    idx_b = np.flatnonzero(buyer)
    group = np.zeros(n, dtype=np.int8)  # 0 normal, 1 key account, 2 falling, 3 rising, 4 below zero
    n_key = max(3, n // 750)
    companies_b = idx_b[~person[idx_b]]
    key = rng.choice(companies_b, size=n_key, replace=False)
    group[key] = 1
    channel[key] = 0
    industry[key] = rng.choice([1, 2, 4, 7], size=n_key)
    value[key] = np.exp(rng.normal(np.log(1500.0), 0.3, size=n_key))
    rate[key] = rng.uniform(0.12, 0.25, size=n_key)
    dropout[key] = 0.0
    trait[key] = rng.normal(0.2, 0.8, size=n_key)
    # Loyal customers with a visible rate, whose behaviour changes in the last 12 months.
    pool = idx_b[(group[idx_b] == 0) & (rate[idx_b] > np.median(rate[idx_b]))]
    n_change = max(2, int(0.03 * len(idx_b)))
    changed = rng.choice(pool, size=2 * n_change, replace=False)
    falling, rising = changed[:n_change], changed[n_change:]
    group[falling], group[rising] = 2, 3
    dropout[changed] = 0.0
    trait[falling] = np.minimum(trait[falling], rng.normal(0.3, 0.6, size=n_change))
    rest = idx_b[(group[idx_b] == 0) & ~person[idx_b]]
    below = rng.choice(rest, size=max(3, int(0.01 * len(idx_b))), replace=False)
    group[below] = 4
    value[below] *= 0.3
    trait[below] = rng.normal(-1.6, 0.4, size=len(below))
    dropout[below] = 0.02
    dropout = np.clip(dropout, 0.0, 0.9)

    # Signup and first purchase (day numbers from the window start; negative = before it).
    existing = rng.random(n) < 0.5
    existing[key] = True
    existing[changed] = True
    signup = np.where(
        existing,
        -rng.uniform(0, 6 * 365, size=n),
        rng.uniform(0, horizon - 30, size=n) ** 0.9 * (horizon - 30) ** 0.1,
    )
    first = np.where(
        existing,
        rng.uniform(0, 75, size=n),
        signup + np.minimum(rng.exponential(20.0, size=n), horizon - signup - 1),
    )
    first = np.minimum(first, horizon - 1)
    return dict(
        n=n, status=status, person=person, industry=industry, region=region, channel=channel,
        trait=trait, rate=rate, dropout=dropout, value=value, discount=discount, group=group,
        signup=signup, first=first,
    )


def _customer_frame(rng, cust: dict, annual_spend: np.ndarray, start_day) -> pd.DataFrame:
    n = cust["n"]
    ids = _ids(np.arange(n))
    person = cust["person"]
    industry = cust["industry"]
    # Company names: prefix + industry word + legal suffix; persons: first + last name.
    prefix = np.array(_PREFIXES)[rng.integers(len(_PREFIXES), size=n)]
    core_idx = rng.integers(8, size=n)
    core = np.array([_CORES[ind] for ind in INDUSTRIES] + [[""] * 8])[industry, core_idx]
    suffix = np.array(_SUFFIXES)[rng.integers(len(_SUFFIXES), size=n)]
    town = np.array(_TOWNS)[rng.integers(len(_TOWNS), size=n)]
    first = np.array(_FIRST)[rng.integers(len(_FIRST), size=n)]
    last = np.array(_LAST)[rng.integers(len(_LAST), size=n)]
    names = pd.Series(prefix, dtype=object) + " " + core
    names = names.where(suffix == "", names + " " + suffix)
    persons = pd.Series(first, dtype=object) + " " + last
    names = names.where(~person, persons)
    # Repeated names get a town, then a number, so every name is unique.
    dup = names.duplicated()
    names = names.where(~dup, names + " (" + town + ")")
    dup = names.duplicated()
    names = names.where(~dup, names + " " + names.groupby(names).cumcount().add(1).astype(str))

    slug = (
        names.str.lower()
        .str.replace(r"\b(ltd|inc|llc|group|co|sons|partners)\b", "", regex=True)
        .str.replace(r"[^a-z0-9]+", "", regex=True)
    )
    local = np.array(["orders", "purchasing", "info", "accounts", "office"])[rng.integers(5, size=n)]
    email = pd.Series(local, dtype=object) + "@" + slug + ".example.com"
    person_mail = (
        _ascii(pd.Series(first, dtype=object)) + "." + _ascii(pd.Series(last, dtype=object))
        + np.arange(1, n + 1).astype(str) + "@example.com"
    )
    email = email.where(~person, person_mail)
    suspect = cust["status"] == 2
    email = email.where(rng.random(n) >= np.where(suspect, 0.5, 0.06), None)
    region_names = np.array(REGIONS)[cust["region"]]
    area = pd.Series(region_names).map(AREA_CODES).astype(str)
    phone = "+1 " + area + " 555 01" + pd.Series(np.char.zfill(rng.integers(100, size=n).astype(str), 2))
    phone = phone.where(rng.random(n) >= np.where(suspect, 0.4, 0.1), None)

    signup = start_day + np.floor(cust["signup"]).astype(int) * _DAY
    # Wallet: estimated annual spend potential for ~40% of customers (more often for big ones).
    expected = cust["rate"] * 365.0 * cust["value"]
    share = rng.beta(1.3, 2.2, size=n).clip(0.03, 0.98)
    has_wallet = rng.random(n) < np.where(cust["channel"] == 0, 0.6, 0.3)
    has_wallet[cust["group"] == 1] = True
    has_wallet[cust["status"] == 2] = False
    wallet = np.where(cust["status"] == 0, expected / share, np.exp(rng.normal(np.log(8000), 1.0, size=n)))
    wallet = np.maximum(wallet, 1.1 * annual_spend)  # never below what they already spend
    wallet = np.maximum(500.0, np.round(wallet / 500.0) * 500.0)
    return pd.DataFrame({
        "customer_id": ids,
        "name": names.to_numpy(dtype=object),
        "region": region_names,
        "industry": np.array(INDUSTRIES + [None], dtype=object)[industry],
        "channel": np.array(CHANNELS)[cust["channel"]],
        "signup_date": signup.astype("datetime64[s]"),
        "wallet": np.where(has_wallet, wallet, np.nan),
        "email": email.to_numpy(dtype=object),
        "phone": phone.to_numpy(dtype=object),
    })


def _ascii(names: pd.Series) -> pd.Series:
    """Lower-case ASCII letters only ("Müller" -> "muller", "O'Connor" -> "oconnor")."""
    plain = names.str.normalize("NFKD").str.encode("ascii", "ignore").str.decode("ascii")
    return plain.str.lower().str.replace(r"[^a-z]+", "", regex=True)


# -- purchases ------------------------------------------------------------------------------
def _season(start_day, day: np.ndarray) -> np.ndarray:
    dates = start_day + np.floor(day).astype(np.int64) * _DAY
    month = dates.astype("datetime64[M]").astype(np.int64) % 12
    return SEASON[month]


def _draw_orders(rng, cust: dict, horizon: float, start_day) -> dict:
    """Order times per buyer: first purchase, then repeats from a seasonal Poisson process
    thinned (Lewis & Shedler 1979), stopped by geometric drop-out after a repeat purchase."""
    buyers = np.flatnonzero(cust["status"] == 0)
    t0 = cust["first"][buyers]
    rate = cust["rate"][buyers]
    group = cust["group"][buyers]
    change_at = horizon - 365.0
    trend = np.select([group == 2, group == 3], [0.2, 2.5], 1.0)
    bound = rate * SEASON.max() * np.maximum(trend, 1.0)
    span = horizon - t0
    n_pot = rng.poisson(bound * span)
    owner = np.repeat(np.arange(len(buyers)), n_pot)
    t = t0[owner] + rng.random(owner.size) * span[owner]
    intensity = rate[owner] * _season(start_day, t) * np.where(t >= change_at, trend[owner], 1.0)
    keep = rng.random(owner.size) * bound[owner] < intensity
    owner, t = owner[keep], t[keep]
    order = np.lexsort((t, owner))
    owner, t = owner[order], t[order]
    counts = np.bincount(owner, minlength=len(buyers))
    rank = np.arange(owner.size) - np.repeat(np.cumsum(counts) - counts, counts)
    # Number of repeat purchases until drop-out: geometric(p); p = 0 never drops out.
    p = cust["dropout"][buyers]
    repeats = np.where(p > 0, rng.geometric(np.maximum(p, 1e-9)), np.iinfo(np.int64).max)
    keep = rank < repeats[owner]
    owner = np.concatenate([np.arange(len(buyers)), owner[keep]])
    t = np.concatenate([t0, t[keep]])
    cid = buyers[owner]
    day = np.floor(t).astype(np.int64)
    # B2B orders fall on weekdays; online shops and persons also buy at weekends.
    b2b = (cust["channel"][cid] != 1) & ~cust["person"][cid]
    day = np.where(b2b, _weekday(rng, start_day, day, horizon), day)
    return {"cid": cid, "day": day}


def _weekday(rng, start_day, day: np.ndarray, horizon: float) -> np.ndarray:
    """Move weekend days to a random weekday of the same (Monday-based) week, inside the window."""
    weekday = ((start_day + day * _DAY).astype(np.int64) + 3) % 7  # 1970-01-01 was a Thursday
    monday = day - weekday
    moved = np.where(weekday >= 5, monday + rng.integers(0, 5, size=day.size), day)
    moved = np.where(moved > horizon, monday, moved)
    return np.where(moved < 0, monday + 7, moved)


def _previous_weekday(start_day, day: np.ndarray) -> np.ndarray:
    """Move weekend days back to Friday (for complaints that precede a refund)."""
    weekday = ((start_day + day * _DAY).astype(np.int64) + 3) % 7
    return day - np.where(weekday >= 5, weekday - 4, 0)


def _next_weekday(start_day, day: np.ndarray) -> np.ndarray:
    """Move weekend days forward to Monday (for follow-ups, which must come after their cause)."""
    weekday = ((start_day + day * _DAY).astype(np.int64) + 3) % 7
    return day + np.where(weekday >= 5, 7 - weekday, 0)


def _draw_lines(rng, cust: dict, orders: dict, start_day, end_day) -> dict:
    cid, day = orders["cid"], orders["day"]
    # Order value: customer mean times Gamma(4, 1/4) noise (CV 0.5), as Gamma-Gamma assumes.
    order_value = cust["value"][cid] * rng.gamma(4.0, 0.25, size=cid.size)
    # Order ids in date order.
    o = np.lexsort((cid, day))
    cid, day, order_value = cid[o], day[o], order_value[o]
    n_orders = cid.size
    order_no = np.arange(1, n_orders + 1)
    n_lines = rng.choice(4, size=n_orders, p=[0.42, 0.31, 0.17, 0.10]) + 1
    line_order = np.repeat(np.arange(n_orders), n_lines)
    line_no = np.arange(line_order.size) - np.repeat(np.cumsum(n_lines) - n_lines, n_lines)
    share = rng.gamma(1.5, 1.0, size=line_order.size)
    share /= np.bincount(line_order, weights=share)[line_order]
    target = order_value[line_order] * share
    lcid = cid[line_order]

    # Category: customer's own mix around the industry profile; companions co-occur.
    mix = rng.gamma(2.5 * _INDUSTRY_MIX[cust["industry"]] * len(CATEGORIES) / 2.0)
    mix = mix / mix.sum(axis=1, keepdims=True)
    category = _categorical(rng, np.log(mix[lcid] + 1e-12))
    first_cat = category[np.repeat(np.cumsum(n_lines) - n_lines, n_lines)]
    companion = (line_no > 0) & (rng.random(line_order.size) < 0.35)
    category = np.where(companion, _COMPANION[first_cat], category)

    # Product: within the category, prices near the line's target value are likelier.
    price = np.array([[p for _, p in PRODUCTS[c]] for c in CATEGORIES])
    names = np.array([[nm for nm, _ in PRODUCTS[c]] for c in CATEGORIES], dtype=object)
    logw = -0.9 * np.abs(np.log(price[category]) - np.log(target)[:, None])
    product = _categorical(rng, logw)
    unit = price[category, product]
    quantity = np.clip(np.round(target / unit), 1, 500)
    amount = np.round(quantity * unit * (1.0 - cust["discount"][lcid]), 2)
    order_ids = np.char.add("O", np.char.zfill(order_no.astype(str), 6))
    line_day = day[line_order]

    # Refunds: ~1.5% of lines (much more for below-zero customers), 3-40 days later.
    p_refund = np.where(cust["group"][lcid] == 4, 0.2, 0.013)
    src = np.flatnonzero(rng.random(line_order.size) < p_refund)
    r_day = line_day[src] + rng.integers(3, 41, size=src.size)
    horizon = int((end_day - start_day) / _DAY)
    src, r_day = src[r_day <= horizon], r_day[r_day <= horizon]
    partial = rng.random(src.size) < 0.3
    r_qty = np.where(partial, np.maximum(1, np.floor(quantity[src] / 2)), quantity[src])
    r_amount = -np.round(amount[src] * r_qty / quantity[src], 2)

    all_order = np.concatenate([line_order, line_order[src]])
    all_day = np.concatenate([line_day, r_day])
    all_line = np.concatenate([line_no, line_no[src] + 10])
    sort = np.lexsort((all_line, all_order, all_day))
    all_cat = np.concatenate([category, category[src]])
    all_prod = np.concatenate([product, product[src]])
    frame = pd.DataFrame({
        "order_id": order_ids[all_order[sort]],
        "customer_id": _ids(cid[all_order[sort]]),
        "date": (start_day + all_day[sort] * _DAY).astype("datetime64[s]"),
        "amount": np.concatenate([amount, r_amount])[sort],
        "quantity": np.concatenate([quantity, -r_qty])[sort],
        "product": names[all_cat[sort], all_prod[sort]],
        "category": np.array(CATEGORIES, dtype=object)[all_cat[sort]],
    })
    # Best 12-month spend per customer (wallet estimates are never below it).
    year = (line_day // 365).astype(np.int64)
    spend = np.zeros((len(cust["value"]), int(year.max(initial=0)) + 1))
    np.add.at(spend, (lcid, year), amount)
    return {
        "frame": frame,
        "annual_spend": spend.max(axis=1),
        "refund_cid": cid[line_order[src]],
        "refund_day": r_day,
    }


def _categorical(rng, logw: np.ndarray) -> np.ndarray:
    """One draw per row from unnormalised log-weights (Gumbel-max trick)."""
    return np.argmax(logw + rng.gumbel(size=logw.shape), axis=1)


def _ids(index: np.ndarray) -> np.ndarray:
    """Customer ids "C00001", ... for 0-based customer numbers."""
    table = np.array([f"C{i:05d}" for i in range(1, int(index.max(initial=0)) + 2)], dtype=object)
    return table[index]


# -- interactions ---------------------------------------------------------------------------
def _draw_interactions(rng, cust: dict, orders: dict, lines: dict, horizon: float, start_day):
    n = cust["n"]
    status, channel, group, trait = cust["status"], cust["channel"], cust["group"], cust["trait"]
    buyer = status == 0
    last_order = np.full(n, -1.0)
    np.maximum.at(last_order, orders["cid"], orders["day"].astype(float))
    n_orders = np.bincount(orders["cid"], minlength=n)
    lo = np.maximum(np.where(buyer, np.maximum(cust["first"] - 30, cust["signup"]), cust["signup"]), 0)
    span = np.maximum(horizon - lo, 1.0)
    years_span = span / 365.0
    parts = []

    def office_day(when: np.ndarray) -> np.ndarray:
        return _weekday(rng, start_day, np.floor(np.minimum(when, horizon)).astype(np.int64), horizon)

    # Sales contacts: Direct sales accounts are called most; persons rarely.
    contact_rate = np.select([channel == 0, channel == 2], [5.0, 2.5], 1.2)
    contact_rate = np.where(buyer, contact_rate, 2.0)
    contact_rate = np.where(group == 4, contact_rate * 4, contact_rate)
    contact_rate = np.where(status == 2, 0.0, contact_rate)
    k = rng.poisson(contact_rate * years_span)
    k = np.where(status == 1, np.maximum(k, 1), k)  # every prospect has been contacted
    who = np.repeat(np.arange(n), k)
    when = lo[who] + rng.random(who.size) * span[who]
    lapsed = buyer[who] & (when > last_order[who] + 120)
    outcomes = np.array(["interested", "not interested", "order placed", "quote sent",
                         "callback requested", "no answer"], dtype=object)
    p_active = [0.24, 0.08, 0.26, 0.14, 0.10, 0.18]
    p_cold = [0.18, 0.30, 0.0, 0.12, 0.12, 0.28]
    outcome = np.where(
        buyer[who] & ~lapsed,
        rng.choice(6, size=who.size, p=p_active),
        rng.choice(6, size=who.size, p=p_cold),
    )
    ch = rng.choice(4, size=who.size, p=[0.5, 0.3, 0.1, 0.1])  # phone, email, chat, web
    ch_names = np.array(["phone", "email", "chat", "web"], dtype=object)[ch]
    parts.append(_rows(rng, who, office_day(when), ch_names, "contact", outcomes[outcome]))

    # Visits: mostly Direct sales accounts and key accounts.
    visit_rate = np.select([group == 1, channel == 0], [4.0, 0.8], 0.05)
    visit_rate = np.where((status == 2) | cust["person"], 0.0, visit_rate)
    k = rng.poisson(visit_rate * years_span)
    who = np.repeat(np.arange(n), k)
    when = lo[who] + rng.random(who.size) * span[who]
    v_out = np.array(["interested", "order placed", "not interested", "quote sent"], dtype=object)
    outcome = v_out[rng.choice(4, size=who.size, p=[0.35, 0.35, 0.1, 0.2])]
    parts.append(_rows(rng, who, office_day(when), np.full(who.size, "visit", dtype=object),
                       "visit", outcome))

    # Complaints: dissatisfied customers complain more; falling customers in the last year;
    # about half of all refunds come with a complaint the day before.
    c_rate = 0.35 * np.exp(-0.9 * trait) * np.minimum(1 + n_orders / 20, 3)
    c_rate = np.where(group == 4, 4.0, c_rate)
    c_rate = np.where(buyer, c_rate, 0.0)
    active_end = np.where(group == 2, horizon - 365, np.minimum(horizon, last_order + 60))
    c_span = np.maximum(active_end - lo, 1.0)
    k = rng.poisson(c_rate * c_span / 365.0)
    who = np.repeat(np.arange(n), k)
    when = lo[who] + rng.random(who.size) * c_span[who]
    falling = np.flatnonzero(group == 2)
    k_fall = rng.poisson(2.0, size=falling.size)
    who_fall = np.repeat(falling, k_fall)
    when_fall = horizon - 365 + rng.random(who_fall.size) * 365
    with_refund = rng.random(lines["refund_cid"].size) < 0.5
    who_ref = lines["refund_cid"][with_refund]
    when_ref = _previous_weekday(start_day, lines["refund_day"][with_refund] - 1)
    who = np.concatenate([who, who_fall, who_ref])
    when = np.concatenate([office_day(np.concatenate([when, when_fall])), when_ref])
    # Resolution a few working days later; recent complaints are often still open.
    solved_on = _next_weekday(start_day, when + 1 + np.floor(rng.exponential(3.0, size=who.size)))
    resolved = (rng.random(who.size) < 0.96) & (solved_on <= horizon)
    resolved &= ~((horizon - when < 30) & (rng.random(who.size) < 0.5))
    # Only a customer's latest complaint stays open (a later "resolved" closes earlier ones).
    by_time = np.lexsort((when, who))
    latest = np.ones(who.size, bool)
    latest[by_time[:-1]] = who[by_time[:-1]] != who[by_time[1:]]
    resolved |= ~latest & (solved_on <= horizon)
    # An open complaint must come after every resolution of the customer's earlier ones;
    # otherwise that contact settles it too.
    settled = np.full(n, -1, dtype=np.int64)
    np.maximum.at(settled, who[resolved], solved_on[resolved])
    late = ~resolved & (settled[who] >= when)
    solved_on = np.where(late & (solved_on > horizon), settled[who],
                         np.where(late, np.maximum(solved_on, settled[who]), solved_on))
    resolved |= late
    open_outcome = np.where(rng.random(who.size) < 0.7, "open", None)
    c_outcome = np.where(resolved, "resolved", open_outcome).astype(object)
    ch = np.array(["phone", "email", "web", "chat"], dtype=object)[
        rng.choice(4, size=who.size, p=[0.45, 0.35, 0.12, 0.08])]
    complaint_rows = _rows(rng, who, when, ch, "complaint", c_outcome, note_key="")
    parts.append(complaint_rows)
    # Each resolved complaint gets its resolution contact.
    r_who, r_when = who[resolved], solved_on[resolved]
    r_ch = np.array(["phone", "email"], dtype=object)[rng.integers(2, size=r_who.size)]
    parts.append(_rows(rng, r_who, r_when, r_ch, "contact",
                       np.full(r_who.size, "resolved", dtype=object)))

    # Satisfaction surveys (1-5) for ~55% of buyers; several for some.
    n_complaints = np.bincount(who, minlength=n)
    has_survey = buyer & (rng.random(n) < 0.57)
    k = np.where(has_survey, 1 + rng.poisson(0.6, size=n), 0)
    who = np.repeat(np.arange(n), k)
    s_lo = np.minimum(cust["first"] + 14, horizon - 1)
    s_hi = np.maximum(np.minimum(horizon, last_order + 90), s_lo + 1)
    when = office_day(s_lo[who] + rng.random(who.size) * (s_hi - s_lo)[who])
    score = 3.7 + 0.8 * trait[who] - 0.25 * np.minimum(n_complaints[who], 4)
    score -= np.where((group[who] == 2) & (when >= horizon - 365), 1.4, 0.0)
    # Customers who lapse are disappointed around their last purchases.
    lapsing = (last_order[who] < horizon - 180) & (when > last_order[who] - 60)
    score -= np.where(lapsing, 0.7, 0.0)
    score += rng.normal(0.0, 0.55, size=who.size)
    score = np.clip(np.round(score), 1, 5)
    ch = np.array(["email", "web", "phone"], dtype=object)[
        rng.choice(3, size=who.size, p=[0.6, 0.3, 0.1])]
    surveys = _rows(rng, who, when, ch, "survey", np.full(who.size, None, dtype=object),
                    note_key="")
    surveys["satisfaction"] = score
    surveys["scale"] = 5.0
    parts.append(surveys)

    frame = pd.concat(parts, ignore_index=True)
    frame["recorded_by"] = _recorded_by(rng, cust, frame)
    # Office hours on the (weekday) dates drawn above; ids 1..n in time order.
    day = frame["_day"].to_numpy()
    seconds = rng.integers(8 * 3600, 18 * 3600, size=len(frame))
    stamp = (start_day + day * _DAY).astype("datetime64[s]") + seconds * np.timedelta64(1, "s")
    frame["occurred_at"] = stamp
    frame["_kind_order"] = frame["kind"].map({"complaint": 0, "contact": 1, "visit": 2, "survey": 3})
    frame = frame.sort_values(["occurred_at", "_who", "_kind_order"], kind="stable")
    frame = frame.reset_index(drop=True)
    frame["interaction_id"] = np.arange(1, len(frame) + 1, dtype=np.int64)
    frame["customer_id"] = _ids(frame["_who"].to_numpy())
    cols = ["interaction_id", "customer_id", "occurred_at", "channel", "kind", "satisfaction",
            "scale", "outcome", "note", "recorded_by"]
    return frame[cols]


def _rows(rng, who, when, channel, kind: str, outcome, note_key: str | None = None) -> pd.DataFrame:
    """Interaction rows with a note drawn from the templates for (kind, outcome)."""
    notes = np.full(who.size, None, dtype=object)
    table = _NOTES[kind]
    keys = [note_key] if note_key is not None else list(table)
    pick = rng.random(who.size)
    for key in keys:
        texts = np.array(table[key], dtype=object)
        mask = np.ones(who.size, bool) if note_key is not None else (outcome == key)
        idx = np.minimum((pick[mask] * len(texts)).astype(int), len(texts) - 1)
        notes[mask] = texts[idx]
    return pd.DataFrame({
        "_who": who.astype(np.int64),
        "_day": np.asarray(when, dtype=np.int64),
        "channel": channel,
        "kind": kind,
        "satisfaction": np.nan,
        "scale": np.nan,
        "outcome": outcome,
        "note": notes,
    })


def _recorded_by(rng, cust: dict, frame: pd.DataFrame) -> np.ndarray:
    teams = [np.array(_MANAGERS[r], dtype=object) for r in REGIONS]
    who = frame["_who"].to_numpy()
    region = cust["region"][who]
    # Each customer keeps one account manager from their region's team.
    slot = (who * 7919) % 6
    manager = np.empty(who.size, dtype=object)
    for r, team in enumerate(teams):
        mask = region == r
        manager[mask] = team[slot[mask] % len(team)]
    out = manager.copy()
    out[frame["channel"].to_numpy() == "web"] = "web form"
    out[frame["kind"].to_numpy() == "survey"] = "survey tool"
    return out
