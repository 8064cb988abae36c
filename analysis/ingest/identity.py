"""Who the customer is: attributes written on purchase rows, customer lists with repeated ids,
several accounts of one person, and the province at the start of a Chinese address.

Decisions (shown in the import summary and documented in README's import rules):

- **Attributes on purchase rows** (name, e-mail, phone, region, city, country, address,
  industry, channel) fill the customer list: per customer the latest non-empty value (by
  date, then by line) wins; a customer whose rows disagree on a field counts as one conflict
  per field. The region is the row's province or state, else the province at the start of its
  Chinese address, else its city, else its country.
- **A customer list with repeated ids** is merged: per id, the last non-empty value of each
  field wins (identical repeated rows change nothing); the summary counts the merged rows.
- **Accounts of one person.** A customer list may give, beside each account id, the id of the
  person it belongs to (an e-commerce export's per-order ``customer_id`` and its
  ``customer_unique_id``). The workspace then counts persons: the table ``accounts`` maps each
  account to its person, and every purchase, contact and customer row of an account (in this
  import or already in the workspace, and in later imports) is the person's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

# Purchase-row fields that describe the customer, and the customer-list column each fills.
ATTRIBUTES = ("name", "email", "phone", "region", "industry", "channel")
PLACE_FIELDS = ("region", "city", "country", "address")

# Provincial-level divisions of China: short name -> the forms a file may start with.
PROVINCES = ("北京", "天津", "上海", "重庆", "河北", "山西", "辽宁", "吉林", "黑龙江", "江苏", "浙江", "安徽", "福建",
             "江西", "山东", "河南", "湖北", "湖南", "广东", "海南", "四川", "贵州", "云南", "陕西", "甘肃", "青海",
             "台湾", "内蒙古", "广西", "西藏", "宁夏", "新疆", "香港", "澳门")
_PROVINCE_AT_START = re.compile(
    "^(" + "|".join(sorted(PROVINCES, key=len, reverse=True)) + ")"
    "(?:省|市|壮族自治区|回族自治区|维吾尔自治区|自治区|特别行政区)?")


def province(text: pd.Series) -> pd.Series:
    """The province a Chinese place name or address starts with, in its short form
    ("浙江省 杭州市 西湖区…" -> "浙江", "广西壮族自治区" -> "广西", "北京 北京市" -> "北京"); the
    text itself (stripped) when it starts with none."""
    got = text.astype("str").str.strip().str.extract(_PROVINCE_AT_START, expand=False)
    return got.where(got.notna(), text.where(text.notna()).astype(object)).where(text.notna())


def province_of_address(address: pd.Series) -> pd.Series:
    """The province at the start of a Chinese address; missing when it starts with none."""
    got = address.astype("str").str.strip().str.extract(_PROVINCE_AT_START, expand=False)
    return got.where(address.notna())


def region_of(frame: pd.DataFrame) -> pd.Series | None:
    """Each purchase row's region: its province/state (short form for Chinese provinces), else
    the province at the start of its address, else its city, else its country."""
    parts = []
    if "region" in frame:
        parts.append(province(frame["region"]))
    if "address" in frame:
        parts.append(province_of_address(frame["address"]))
    for fld in ("city", "country"):
        if fld in frame:
            parts.append(frame[fld])
    if not parts:
        return None
    out = parts[0].astype(object)
    for part in parts[1:]:
        out = out.where(out.notna(), part.astype(object))
    return out


@dataclass
class Attributes:
    """Customer-list rows taken from purchase rows."""

    customers: pd.DataFrame  # customer_id and the attribute columns, one row per customer
    filled: int  # customers given at least one attribute
    conflicts: int  # (customer, field) pairs whose rows disagree


def from_purchases(frame: pd.DataFrame) -> Attributes | None:
    """Per customer, the latest non-empty value of each attribute on its purchase rows."""
    rows = frame[frame["customer_id"].notna()] if "customer_id" in frame else frame.iloc[0:0]
    region = region_of(rows)
    cols = {f: rows[f] for f in ATTRIBUTES if f in rows and f != "region"}
    if region is not None:
        cols["region"] = region
    if not cols or rows.empty:
        return None
    data = pd.DataFrame({"customer_id": rows["customer_id"], **cols})
    if "date" in rows:
        data = data.assign(_date=rows["date"]).sort_values("_date", kind="stable").drop(columns="_date")
    fields = [c for c in data.columns if c != "customer_id"]
    grouped = data.groupby("customer_id", sort=False)
    latest = grouped[fields].last()  # last non-empty value per group
    distinct = grouped[fields].nunique()
    conflicts = int((distinct > 1).to_numpy().sum())
    latest = latest[latest.notna().any(axis=1)]
    return Attributes(latest.reset_index(), len(latest), conflicts)


def merge_repeated(frame: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """A customer list with repeated ids as one row per id, the last non-empty value of each
    field winning; and how many rows were merged into another."""
    ids = frame["customer_id"]
    repeated = int(ids.notna().sum() - ids.dropna().nunique())
    if not repeated:
        return frame, 0
    fields = [c for c in frame.columns if c != "customer_id"]
    merged = frame[ids.notna()].groupby("customer_id", sort=False)[fields].last().reset_index()
    return merged, repeated


def emails_as_ids(ids: pd.Series) -> pd.Series:
    """Ids that are e-mail addresses compared without case: lower-cased."""
    mail = ids.str.contains("@", regex=False).fillna(False).astype(bool)
    return ids.where(~mail, ids.str.lower()) if mail.any() else ids


def people(frame: pd.DataFrame) -> pd.DataFrame:
    """(account_id, customer_id) pairs of a customer list that names each account's person,
    where the two differ."""
    pairs = frame[["customer_id", "person_id"]].dropna()
    pairs = pairs[pairs["customer_id"] != pairs["person_id"]].drop_duplicates("customer_id", keep="last")
    return pairs.rename(columns={"customer_id": "account_id", "person_id": "customer_id"})
